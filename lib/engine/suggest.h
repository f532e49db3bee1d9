/*
 * suggest.h - a draft map from samples (layer 5: engines): xform --suggest.
 *
 * Given source records and a target (a JSON Schema, target records, or
 * both), profile every top-level field of each side -- its name as tokens
 * with a synonym table of ERP vocabulary (a data file, suggest_synonyms),
 * the kinds and shapes of its values (e-mail, phone, ISO country and
 * currency codes, dates, date-times, amounts, booleans, ids, Odoo
 * many2one pairs), a bounded set of its distinct values -- then score every
 * target/source pair on name similarity, value overlap or shape agreement
 * and type compatibility, add the known compositions (first + last name ->
 * name, street + zip + city -> one address line, a name -> first and last
 * word, a country many2one -> its ISO code by a lookup), and write a map in
 * the mapping language (erpipe-map(5)): one line per target field with its
 * score and a one-line reason in a comment, the target fields left
 * unmatched as TODO comments.  Everything is deterministic: the same inputs
 * give the same draft, byte for byte (input order breaks ties).
 *
 * Ownership: suggest_new returns a context you own and free with
 * suggest_free; it copies what it keeps of every record and schema it is
 * given.  suggest_write appends to a buf you own.  Nothing here prints or
 * exits.
 */
#ifndef ERPIPE_SUGGEST_H
#define ERPIPE_SUGGEST_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

struct suggest;

enum { SUGGEST_SOURCE = 0, SUGGEST_TARGET = 1 };

struct suggest_opts {
	const char *synonyms; /* synonym table path; NULL: none */
	double threshold;     /* lowest score written as code (0: 0.7) */
	size_t max_records;   /* per side; later records are not read (0: 10000) */
	size_t max_line;      /* longest NDJSON line (0: the reader's default) */
};

/* The synonym table, found on the map search path (map_find). */
#define SUGGEST_SYNONYMS "suggest-synonyms.txt"

/* Synonyms from a table's text (name: for messages), added to those held;
 * -1 with err (EP_DATAERR, "name:line: ...") on a bad line. */
int suggest_synonyms(struct suggest *sg, const char *text, size_t len, const char *name,
                     struct ep_err *err);
/* NULL with err (the synonym table: EP_NOINPUT, or EP_DATAERR with
 * file:line). */
struct suggest *suggest_new(const struct suggest_opts *o, struct ep_err *err);
void suggest_free(struct suggest *sg);

/* One record (a JSON object, the line without its newline) of side
 * SUGGEST_SOURCE or SUGGEST_TARGET; control lines are skipped.  -1 with
 * err (EP_DATAERR) when the line is not a JSON object. */
int suggest_record(struct suggest *sg, int side, const char *line, size_t len, struct ep_err *err);
/* Every record of an NDJSON file (NULL or "-": stdin); errors name
 * file:line. */
int suggest_read(struct suggest *sg, int side, const char *path, struct ep_err *err);
/* The target's fields from a JSON Schema text (validate's schemas, or
 * --describe's): properties with their type, format, enum, $ref kind
 * (Odoo's fields.schema.json#/$defs/KIND), required and readOnly (left out).
 * name says where it came from, in messages and in the draft's header. */
int suggest_schema(struct suggest *sg, const char *text, size_t len, const char *name,
                   struct ep_err *err);
/* A target by name: an NDJSON sample (a name ending in .ndjson or .jsonl,
 * or "-"), else a schema found as validate finds it (ep_find, kind
 * "schemas", ".schema.json"). */
int suggest_target(struct suggest *sg, const char *name, struct ep_err *err);
/* Label for the draft's header (the inputs' names); copied. */
int suggest_label(struct suggest *sg, int side, const char *label);

/* Append the draft map to out.  -1 when out of memory. */
int suggest_write(struct suggest *sg, struct buf *out, struct ep_err *err);

/* The tokens of a field name, lower case, space-separated, appended to out:
 * "PostalCode" -> "postal code", "E_Mail" -> "e mail", "VATRegNo2" ->
 * "vat reg no 2" (for tests). */
int suggest_tokens(const char *name, struct buf *out);

#endif
