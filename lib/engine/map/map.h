/*
 * map.h - the mapping language engine (layer 5: engines): compile a map
 * (erpipe-map(5)) once, apply it to one NDJSON record at a time.
 *
 * Ownership: map_compile / map_load / map_expr_compile return a program you
 * own and free with map_free.  A struct map_ctx (now() and the lookup-table
 * cache) is yours when you made it with map_ctx_new; programs compiled with
 * it borrow it, so free it after them.  With opts->ctx NULL a program makes
 * and owns a private one.  map_apply appends the output record (JSON text,
 * no newline) to a buf you own; everything else it allocates lives in the
 * program's per-record arena, reused by the next call.  A program is not
 * thread-safe: use one per thread.  Nothing here prints or exits.
 */
#ifndef ERPIPE_MAP_H
#define ERPIPE_MAP_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

struct jv;
struct map_ctx;
struct map_prog;

/* A run context: now() fixed at now_ms (Unix epoch ms), lookup tables
 * loaded once and shared by every program compiled with it. */
struct map_ctx *map_ctx_new(int64_t now_ms);
void map_ctx_free(struct map_ctx *ctx);

struct map_opts {
	struct map_ctx *ctx; /* NULL: a private context, now() = wall clock */
	int keep;            /* --keep: output starts as a copy of the input */
	size_t max_record;   /* per-record memory cap in bytes (0: 256 MiB) */
};

/* Compile src (len bytes; filename names it in messages and is the base
 * for relative table names).  On failure NULL, err->code EP_DATAERR
 * (syntax, unknown function) or EP_NOINPUT/EP_CONFIG (a table), and
 * err->msg "file:line:col: msg\n  source line\n  ^". */
struct map_prog *map_compile(const char *src, size_t len, const char *filename,
                             const struct map_opts *opts, struct ep_err *err);

/* NAME is a path (contains '/' or ends in .map) or a name looked up with
 * ".map" under $ERPIPE_PATH (colon-separated), ./maps, the source tree's
 * examples/maps, then ERPIPE_DATADIR/maps. */
struct map_prog *map_load(const char *name, const struct map_opts *opts, struct ep_err *err);

/* Resolve a map name (ext ".map") or a table name (ext "") as map_load
 * and lookup() do; dir, when not NULL, is searched first.  Returns 0 and
 * the path in out, or -1. */
int map_find(const char *name, const char *ext, const char *dir, char *out, size_t n);

void map_free(struct map_prog *prog);

/* map_apply results */
enum {
	MAP_OK = 0,       /* out holds the output record */
	MAP_DROP = 1,     /* the map said drop: nothing written */
	MAP_PASS = 2,     /* a control line (_checkpoint): copied to out as is */
	MAP_ERROR = -1,   /* runtime error: record goes to the rejects */
	MAP_BADJSON = -2, /* the line is not a JSON object */
};

struct map_rterr {
	int line, col;    /* position in the map (0 for MAP_BADJSON) */
	char msg[512];    /* "lookup: 'x' not in 'countries.csv'" */
	char where[1024]; /* "Customer.map:12:9: " + msg */
	/* MAP_BADJSON, as json_check (json.h) says it: jtype the top value's
	 * enum json_type (JSON_INVALID when the text is not JSON; the parser
	 * refuses exactly what json_check refuses), joff and jwhy where and why
	 * it stopped.  A caller can skip json_check and reject with these. */
	int jtype;
	size_t joff;
	const char *jwhy;
};

/* Map one record (line without its newline; a trailing \r is ignored).
 * Output bytes are appended to out only on MAP_OK and MAP_PASS; on other
 * results out is left as it was. */
int map_apply(struct map_prog *prog, const char *line, size_t len, struct buf *out,
              struct map_rterr *rterr);

/* Expressions (validate --rule, reconcile): src is one expression of the
 * language, evaluated with $ bound to the record. */
struct map_prog *map_expr_compile(const char *src, size_t len, const char *name,
                                  const struct map_opts *opts, struct ep_err *err);
/* 1 true, 0 false (null and false are false), MAP_ERROR / MAP_BADJSON. */
int map_expr_eval_bool(struct map_prog *expr, const char *line, size_t len,
                       struct map_rterr *rterr);
/* map_expr_eval_bool on a record the caller parsed (jv_parse, stream/jv.h)
 * in its own arena: root must stay valid during the call. */
int map_expr_eval_bool_val(struct map_prog *expr, const struct jv *root, struct map_rterr *rterr);
/* Append the value's JSON text to out; MAP_OK or MAP_ERROR / MAP_BADJSON. */
int map_expr_eval(struct map_prog *expr, const char *line, size_t len, struct buf *out,
                  struct map_rterr *rterr);

/* The text of line `line` of the map's source, for showing a runtime
 * error's position (copied into buf, truncated to n-1 bytes); -1 if no
 * such line. */
int map_source_line(const struct map_prog *prog, int line, char *buf, size_t n);

/* The field pairs of a map, one line "TARGET<TAB>SOURCE" each, appended to
 * out in the map's order: for every output field the map assigns (at the top
 * level and in if/else blocks; _key and _op left out), the input fields
 * whose values flow into it, through locals too.  Of `c ? a : b` only the
 * branches count, or the condition when both branches are constants; if
 * conditions do not count; a sub-mapping counts as the field it is applied
 * to (Lines <- order_line).  0, or -1 when out of memory. */
int map_pairs(const struct map_prog *prog, struct buf *out);

/* Counters since compile: records in, dropped, errors. */
struct map_stats {
	uint64_t applied, dropped, errors;
};
void map_stats(const struct map_prog *prog, struct map_stats *st);

#endif
