/*
 * csvio.h - CSV reader and writer on libcsv (layer 2: stream).
 *
 * A CSV file's first row names the columns; every other row becomes one
 * JSON object, and one JSON object becomes one row.  Nested fields are
 * flattened with dotted names: {"a":{"b":1},"c":[5,6]} is the columns
 * a.b, c.0 and c.1, and a header with those names builds the same object
 * back (a group of columns whose last parts are exactly 0..n-1 is an
 * array).  A name with an empty part ("a..b", ".a") is not split.
 *
 * Values, reading: a cell is a JSON string, an empty unquoted cell is null
 * and "" (quoted) the empty string, as Odoo's import treats text and leaves
 * typing to the field (map with to_number, to_int, to_bool).  With infer
 * set, a cell that is exactly a JSON number (no leading zeros, so a postal
 * code "01234" stays text), true, false, [] or {} becomes that value.
 * Writing: strings as their text, numbers as their JSON text (exact, never
 * through a double), true/false, null as an empty unquoted cell, "" as "",
 * a column that names a nested value (--columns, or a later record) holds
 * that value's JSON text, an empty array or object as [] or {}.
 *
 * Reading is strict: a quote inside an unquoted field, text after a
 * closing quote, an unterminated quote, a row whose field count is not the
 * header's, invalid UTF-8, or a row longer than the cap is a bad row
 * (CSVIO_BAD: reject it, the reader goes on at the next line).  A header
 * that cannot be a record's shape (an empty or duplicate name, "a" beside
 * "a.b") is a bad file.  A UTF-8 byte order mark before the header is
 * dropped.
 *
 * Ownership: readers and writers are caller-allocated; _open/_init set
 * them up and _close/_free release what they hold.  A row's bytes stay
 * valid until the next call on the same reader or writer.
 */
#ifndef ERPIPE_CSVIO_H
#define ERPIPE_CSVIO_H

#include <stddef.h>
#include <stdint.h>

#include <csv.h>

#include "base/buf.h"
#include "base/err.h"
#include "stream/ndjson.h"
#include "base/opt.h"

enum { CSVIO_QUOTE_MINIMAL, CSVIO_QUOTE_ALL, CSVIO_QUOTE_STRINGS };

struct csvio_opts {
	unsigned char delim; /* ',' */
	unsigned char quote; /* '"' */
	int quote_style;     /* CSVIO_QUOTE_* (writing) */
	int infer;           /* reading: numbers, booleans, [] and {} typed */
	const char *columns; /* writing: "a,b.c,…" fixes the columns */
};

/* --columns --delimiter --infer-types --quote-char --quote-style */
extern const struct ep_opt csvio_opt_table[];
enum {
	OPT_CSV_COLUMNS = OPT_KEYS_CSV,
	OPT_CSV_DELIMITER,
	OPT_CSV_INFER,
	OPT_CSV_QUOTE_CHAR,
	OPT_CSV_QUOTE_STYLE,
};
_Static_assert(OPT_CSV_QUOTE_STYLE < OPT_KEYS_CSV + OPT_KEYS_RANGE,
               "csvio options outgrow their key range");

void csvio_opts_init(struct csvio_opts *o);
/* 1: a CSV option, 0: not one, -1: bad value (err set, EP_USAGE) */
int csvio_opt(struct csvio_opts *o, int key, const char *arg, struct ep_err *err);

/* ---- reader ---- */

enum csvio_kind {
	CSVIO_EOF = 0,
	CSVIO_RECORD,  /* row->json: one JSON object, row->line its first line */
	CSVIO_BAD,     /* a bad row: row->why, row->raw (capped), row->line */
	CSVIO_BADFILE, /* the header is unusable: err says why; skip the file */
	CSVIO_ERROR,   /* read error: err */
};

struct csvio_row {
	const char *json;
	size_t len;
	uint64_t line;
	const char *why;
	const char *raw;
	size_t raw_len;
	uint64_t raw_total; /* > raw_len: the row was cut */
};

struct csvio_cell {
	size_t off, len;
	int null;
};

struct csvio_node;

struct csvio_reader {
	struct ndjson_reader in;
	const struct csvio_opts *o;
	struct csv_parser p;
	int p_ok;
	size_t max_row;
	/* the physical line being fed */
	const char *lp;
	size_t llen, lpos;
	int lnl, have_line, eof;
	/* the row being read */
	struct buf cells;
	struct csvio_cell *cell;
	size_t ncell, capcell;
	int row_done, in_row, too_long, qodd;
	struct buf raw;
	uint64_t row_line, raw_total;
	/* the header */
	int have_header;
	size_t ncols;
	struct buf names;
	struct csvio_node *nodes;
	size_t nnodes;
	struct buf json;
	char why[128];
};

/* path NULL or "-" reads stdin; max_row caps a row's bytes. */
int csvio_open(struct csvio_reader *r, const char *path, const struct csvio_opts *o, size_t max_row,
               struct ep_err *err);
enum csvio_kind csvio_next(struct csvio_reader *r, struct csvio_row *row, struct ep_err *err);
void csvio_close(struct csvio_reader *r);

/* ---- writer ---- */

struct csvio_slot;
struct csvio_wcell;

struct csvio_writer {
	const struct csvio_opts *o;
	int fixed; /* columns given, not taken from the first record */
	int have_header;
	int header_pending; /* header holds a line not yet taken */
	char **cols;
	size_t ncols, capcols;
	struct csvio_slot *slots;
	size_t nslots, nused;
	struct csvio_wcell *cells;
	uint32_t gen;
	struct buf vals, path, row, header;
	const char *bad; /* why the current record does not fit */
};

int csvio_writer_init(struct csvio_writer *w, const struct csvio_opts *o, struct ep_err *err);
/* Format one record (a valid JSON object's text) as a CSV row into w->row
 * (no newline).  The first call, or init with fixed columns, also makes
 * w->header and sets w->header_pending: write it before the row and clear
 * the flag.  -1 with err (EP_DATAERR) when the record has a field the
 * header has no column for: reject the record. */
int csvio_write(struct csvio_writer *w, const char *json, size_t len, struct ep_err *err);
void csvio_writer_free(struct csvio_writer *w);

#endif
