/*
 * extract.h - what every extractor shares (odoo-extract, bng-extract,
 * nav-extract): the common options, reading the start position from a
 * state file, the output (records, then checkpoints after the records they
 * cover), within-run de-duplication for the overlap window, the --follow
 * loop's sleep and stop flag, --shard ranges and plans (timestamps:
 * lib/base/dt's dt_ts_parse and dt_ts_add).  The engine that drives them
 * is lib/connect/extract_run.
 * (layer 6: connectors): DESIGN.md puts the extraction engine there, above
 * protocols and engines; it was tagged 3 because it includes only lib/conn,
 * but what it is decides, not what it needs: a lower layer must not grow a
 * use of it (see tests/0015-layers.t for the two left).
 *
 * Ownership: struct extract_cfg and struct extract_out are the caller's
 * (extract_out_free releases the writer); extract_state_pos returns a cJSON
 * the caller owns; seen_new returns a set freed by seen_free.
 *
 * The stream (DESIGN.md):
 *   records, one JSON object per line, through lib/ndjson's writer;
 *   {"_checkpoint": {"stream": "odoo:PROFILE:MODEL", "v": 1, "pos": {...}}}
 *   after the records it covers: extract_checkpoint flushes the records
 *   first, writes the line, and flushes it too, so a committer downstream
 *   sees it at once.  A reader that went away (EPIPE) is not an error:
 *   extract_out_ok says so and the program ends quietly with 0.
 *
 * Incremental extraction, the contract every extractor keeps:
 *   - start: --since T, else the state file's pos for the stream, minus the
 *     --overlap window (default 300 s), so rows a long transaction commits
 *     behind a mark already passed are read again; compare with >=;
 *   - order by (modified-at, key) and page by keyset on that pair;
 *   - within one run nothing is emitted twice: seen remembers the
 *     (key, modified-at) pairs emitted inside the overlap window (memory
 *     bounded: pairs older than the window are pruned, and the set holds at
 *     most SEEN_MAX pairs; past that the oldest go first and a
 *     duplicate becomes possible, never a miss);
 *   - across runs delivery is at least once: a new run re-reads its overlap
 *     window (load's upsert reports those records "unchanged").
 *
 * --follow: stop_catch() (lib/base/stop.h) makes SIGTERM and SIGINT set
 * a stop flag; the loop checks stop_signal() after each page and sleeps
 * --interval with extract_sleep, which wakes early when the flag is set.  The program
 * then writes its final checkpoint and exits 0.
 */
#ifndef ERPIPE_EXTRACT_H
#define ERPIPE_EXTRACT_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "base/clock.h"
#include "base/dt.h"
#include "net/conn.h"
#include "base/err.h"
#include "stream/ndjson.h"
#include "base/seen.h"
#include "base/opt.h"

/* --count --describe --follow --heartbeat --interval --limit --overlap --page-size
 * --shard --shard-plan --shard-plan-file --since --singer --state; list
 * conn_opts_table too (extract_opt handles
 * both). */
extern const struct ep_opt extract_opts[];
enum {
	OPT_X_COUNT = OPT_KEYS_EXTRACT,
	OPT_X_DESCRIBE,
	OPT_X_FOLLOW,
	OPT_X_HEARTBEAT,
	OPT_X_INTERVAL,
	OPT_X_LIMIT,
	OPT_X_OVERLAP,
	OPT_X_PAGE_SIZE,
	OPT_X_SHARD,
	OPT_X_SINCE,
	OPT_X_STATE,
	OPT_X_SINGER,
	OPT_X_SHARD_PLAN,
	OPT_X_SHARD_PLAN_FILE,
};
_Static_assert(OPT_X_SHARD_PLAN_FILE < OPT_KEYS_EXTRACT + OPT_KEYS_RANGE,
               "extract options outgrow their key range");

struct extract_cfg {
	const char *state;           /* --state FILE, read only */
	char since[DT_TS_LEN];       /* --since, normalised; "" when not given */
	int follow;                  /* --follow */
	const char *heartbeat;       /* --heartbeat FILE: written after each poll */
	int64_t interval_ms;         /* --interval, default 60 s */
	int64_t overlap_ms;          /* --overlap, default 300 s */
	int shard_k, shard_n;        /* --shard K/N; 0 when not given */
	int shard_plan;              /* --shard-plan N; 0 when not given */
	const char *shard_plan_file; /* --shard-plan-file FILE (with --shard) */
	long limit;                  /* --limit, 0 = none */
	long page_size;              /* --page-size, default 1000 */
	int count;                   /* --count */
	int describe;                /* --describe */
	int singer;                  /* --singer */
	struct conn_opts conn;       /* -P and the network options */
};

void extract_cfg_init(struct extract_cfg *c);
/* 1: the option was ours (or conn's), 0: not, -1: bad value (EP_USAGE). */
int extract_opt(struct extract_cfg *c, int key, const char *arg, struct ep_err *err);

/* ---- state -------------------------------------------------------------- */

/* The pos of STREAM in the state file, or NULL (err clear) when the file
 * or the stream is not there; NULL with err (65) for a file that is not a
 * JSON object or a pos that is not one. */
cJSON *extract_state_pos(const char *file, const char *stream, struct ep_err *err);

/* ---- output ------------------------------------------------------------- */

struct extract_out {
	struct ndjson_writer w;
	char *stream;
	int singer;     /* Singer messages (extract_out_singer) */
	char *rec_head; /* Singer: {"type":"RECORD","stream":NAME,"record": */
	char *schema;   /* Singer: the SCHEMA message */
	int schema_sent;
	long records;     /* records written */
	long checkpoints; /* checkpoint lines written */
	struct buf line;  /* scratch for the checkpoint line */
};

/* Output to fd (stdout: 1); SIGPIPE is ignored from here on.  stream is
 * copied.  -1 (EP_SOFTWARE) only when memory runs out. */
int extract_out_init(struct extract_out *o, int fd, const char *stream, struct ep_err *err);
/* Singer (--singer): from here on the output is Singer messages, the
 * stream named name in them: SCHEMA (schema, NULL for {"type": "object"},
 * and the key's fields) before the first RECORD or STATE, a RECORD for each
 * record, and for each checkpoint a STATE whose value is {stream: pos},
 * what --state reads back (a Singer runner such as Meltano keeps the last
 * one and hands it to the next run as --state).  -1 (EP_SOFTWARE) only
 * when memory runs out. */
int extract_out_singer(struct extract_out *o, const char *name, const cJSON *schema,
                       const cJSON *keys, struct ep_err *err);
/* One record (len bytes of a JSON object, no newline).  -1 when the write
 * failed or the reader went away: see extract_out_ok. */
int extract_emit(struct extract_out *o, const char *json, size_t len);
/* Flush the records, write the checkpoint line for pos, flush it. */
int extract_checkpoint(struct extract_out *o, const cJSON *pos);
/* Flush.  0: all written, or the reader went away (EPIPE, o->w.epipe set:
 * a quiet end); -1 with err (EP_IOERR) for a write error. */
int extract_out_ok(struct extract_out *o, struct ep_err *err);
void extract_out_free(struct extract_out *o);

/* ---- --follow ------------------------------------------------------------ */

/* Sleep ms through the clock in slices of at most 200 ms, returning early
 * once stop_signal(). */
void extract_sleep(const struct ep_clock *clock, int64_t ms);
/* A poll ended well (and its checkpoint is out): the --heartbeat file
 * (lib/ops' ops_heartbeat), when c asks for one.  Called before each
 * extract_sleep of the --follow loop. */
void extract_beat(const struct extract_cfg *c);
/* "--heartbeat goes with --follow": -1 (EP_USAGE) when c has one without
 * the other. */
int extract_cfg_check(const struct extract_cfg *c, struct ep_err *err);

/* ---- --shard ------------------------------------------------------------ */

/* "K/N", 1 <= K <= N <= 1000; -1 with EP_USAGE. */
int extract_shard_parse(const char *s, int *k, int *n, struct ep_err *err);
/* Split [min, max] into n contiguous ranges of (nearly) equal width; range
 * k (1-based) is [*lo, *hi].  The first range is open below (*lo =
 * INT64_MIN) and the last open above (*hi = INT64_MAX), so a key created
 * after min and max were read still falls in exactly one shard.  With
 * more shards than keys some ranges are empty (*lo > *hi). */
void extract_shard_range(int64_t min, int64_t max, int k, int n, int64_t *lo, int64_t *hi);

/* A shard plan: the bounds of N shards worked out once (--shard-plan N)
 * and handed to each shard (--shard K/N --shard-plan-file FILE), so that
 * no shard reads the keys to find its range.  One line a shard:
 *
 *   {"shard": "K/N", "stream": "odoo:prod:res.partner#K/N", "field": "id",
 *    "ge": LOW, "lt": HIGH}
 *
 * the shard holds the keys with LOW <= field < HIGH; "ge" is absent for
 * the first shard (open below), "lt" for the last (open above), and
 * "empty": true marks a shard with no key (more shards than keys).  LOW
 * and HIGH are JSON values of the key's type (an integer id, a NAV key's
 * text).  stream is the shard's own checkpoint stream, so a plan made for
 * another entity, profile or shard count is refused. */
struct extract_shard_bounds {
	char *field;    /* the key field bounded */
	cJSON *ge, *lt; /* NULL: open on that side */
	int empty;
};

/* Validate cfg's shard options before a run: --shard-plan N (1..1000)
 * excludes --shard, --follow, --count and --describe; --shard-plan-file
 * wants --shard.  -1 with EP_USAGE. */
int extract_shard_check(const struct extract_cfg *c, struct ep_err *err);
/* The plan line of shard k/n for base_stream (the stream without its
 * "#K/N"), written as a record through o.  ge / lt NULL: open. */
int extract_shard_plan_emit(struct extract_out *o, const char *base_stream, int k, int n,
                            const char *field, const cJSON *ge, const cJSON *lt, int empty,
                            struct ep_err *err);
/* The n plan lines of integer keys between min and max, as
 * extract_shard_range splits them. */
int extract_shard_plan_ids(struct extract_out *o, const char *base_stream, int64_t min, int64_t max,
                           int n, const char *field, struct ep_err *err);
/* The bounds of the shard whose stream is `stream` ("…#K/N") from plan
 * file `file` into *b (freed with extract_shard_bounds_free).  A file that
 * is missing is 66; a line that is not a plan line, or no line for the
 * stream, 65 naming file:line. */
int extract_shard_plan_read(const char *file, const char *stream, struct extract_shard_bounds *b,
                            struct ep_err *err);
/* Integer bounds as [*lo, *hi] (INT64_MIN / INT64_MAX when open; *lo > *hi
 * when empty); -1 with 65 when a bound is not an integer. */
int extract_shard_bounds_ids(const struct extract_shard_bounds *b, const char *file, int64_t *lo,
                             int64_t *hi, struct ep_err *err);
void extract_shard_bounds_free(struct extract_shard_bounds *b);

#endif
