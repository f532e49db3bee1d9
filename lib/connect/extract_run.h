/*
 * extract_run.h - the extraction engine: one run of odoo-extract,
 * nav-extract or bng-extract over a struct extract_source
 * (layer 6: connectors; the sources are lib/connect/extract_{odoo,nav,bng}.c).
 *
 * extract_run owns what every extractor does the same way (extract.h
 * states the contract):
 *   the stream name (SYSTEM:WHO:ENTITY[#K/N]) and the output (records,
 *   checkpoints, Singer); --describe's output and Singer's SCHEMA from the
 *   source's schema; --shard-plan, --shard and --count through the
 *   source; the start position (--since, else --state's pos for the
 *   stream, handed to the source, which applies --overlap); the
 *   de-duplication of the overlap window (lib/base/seen); the run loop
 *   and --follow (signals, --interval, --heartbeat, the next poll from the
 *   mark minus --overlap, pruning what no poll can meet again); the
 *   checkpoints; the final report and the exit status.
 *
 * A source does what differs by system: how it connects, what a record
 * and a position are, and how it pages (Odoo's keyset by (write_date, id)
 * and its page queue, NAV's keyset levels and SOAP bookmarks, BNG's pager).
 * Its poll reads from its start to the end, page by page, and hands each
 * record to extract_fresh (the overlap's repeats) and extract_record, and
 * ends each page with extract_page_done (the checkpoint after the records
 * it covers).
 *
 * Checkpoints (when the source has a position: ops->position not NULL):
 * after each page; with --follow after each poll, changes or not (at
 * least once per --interval); and at the end of the run unless the last
 * line written already is one.  Never the same checkpoint twice in a row
 * but for --follow's after a poll.
 *
 * Errors: an op returns -1 with err set, or after printing through
 * extract_fail (the run's first failure, its status kept).  -1 with
 * neither while the output is gone (a reader that went away) ends the run
 * quietly.
 */
#ifndef ERPIPE_EXTRACT_RUN_H
#define ERPIPE_EXTRACT_RUN_H

#include <stddef.h>

#include <cJSON.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/seen.h"
#include "connect/extract.h"

struct extract_run;

struct extract_source_ops {
	const char *system; /* "odoo", "nav", "bng": the stream's first part */
	/* Connect (or get ready to); *who names the profile (or the
	 * database, the company) and *entity what is read, for the stream
	 * name; both live as long as the source. */
	int (*open)(void *s, struct extract_run *r, const char **who, const char **entity,
	            struct ep_err *err);
	/* After the output is open: the fields read, the key.  1: the source
	 * ran a mode of its own (--list) and the run is over.  May be NULL. */
	int (*prepare)(void *s, struct extract_run *r, struct ep_err *err);
	/* The records as a JSON Schema and (in *keys) the key's field names:
	 * --describe and Singer's SCHEMA; both the caller's. */
	cJSON *(*schema)(void *s, struct extract_run *r, cJSON **keys, struct ep_err *err);
	/* --shard-plan N: the plan lines through extract_shard_plan_emit. */
	int (*shard_plan)(void *s, struct extract_run *r, struct ep_err *err);
	/* --shard K/N (with --shard-plan-file or not): the source's range. */
	int (*shard)(void *s, struct extract_run *r, struct ep_err *err);
	/* Where to start: cfg's --since, else pos (the state file's, NULL
	 * when none) minus --overlap; a bad pos is EP_DATAERR. */
	int (*start)(void *s, struct extract_run *r, const cJSON *pos, struct ep_err *err);
	/* --count: the records a run would read. */
	int (*count)(void *s, struct extract_run *r, long long *n, struct ep_err *err);
	/* One pass from the start to the end (or --limit, or a stop). */
	int (*poll)(void *s, struct extract_run *r, struct ep_err *err);
	/* The position now, the checkpoint's pos (the caller's); NULL when the
	 * source writes no checkpoints (or has no position yet). */
	cJSON *(*position)(void *s, struct extract_run *r);
	/* --follow: the next poll starts --overlap before the mark; prune
	 * gets the time before which no poll can meet a pair again ("" for
	 * none). */
	int (*restart)(void *s, struct extract_run *r, char prune[64], struct ep_err *err);
	/* Requests made, for the report; may be NULL. */
	long (*requests)(void *s);
	void (*close)(void *s);
};

struct extract_source {
	const struct extract_source_ops *ops;
	void *s;
};

struct extract_run {
	const struct extract_cfg *cfg;
	const struct extract_source *src;
	char stream[512];
	const char *entity;
	struct extract_out out; /* open once stream is set */
	int out_open;
	struct seen *seen;
	long emitted; /* records written */
	long repeats; /* pairs dropped as written before in this run */
	long pages;
	long since_checkpoint; /* records written since the last checkpoint */
	char *last_pos;        /* the last checkpoint's pos, printed */
	int done;              /* --limit reached, or the source is through */
	int own_mode;          /* prepare ran a mode of the source's own */
	int status;            /* the first failure's exit status */
};

/* The whole run: options checked by the caller.  The exit status (0, or a
 * sysexits code); the source is closed. */
int extract_run(const struct extract_cfg *c, const struct extract_source *src);

/* ---- for the sources -------------------------------------------------- */

/* The run's first failure (lib/log's ep_fail_once on r->status); -1. */
int extract_fail(struct extract_run *r, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The reader went away, or a write failed: the loops stop. */
int extract_broken(const struct extract_run *r);
/* --limit reached (r->done set then). */
int extract_full(struct extract_run *r);
/* A record with key written at mtime (the source's form, one that sorts
 * as time does) inside the overlap window: 1 not written before in this
 * run (remembered now), 0 a repeat (counted), -1 out of memory (err). */
int extract_fresh(struct extract_run *r, const char *key, const char *mtime, struct ep_err *err);
/* Write one record (a JSON object, no newline).  0, or -1 when the output
 * is gone (extract_broken). */
int extract_record(struct extract_run *r, const char *json, size_t len);
/* One line of a mode's own output (--count, --describe, --list), not a
 * record: through the output, not stdio.  -1 when the output is gone. */
int extract_line(struct extract_run *r, const char *text, size_t len);
/* A page's records are written: its checkpoint.  0, -1 when the output is
 * gone. */
int extract_page_done(struct extract_run *r);
/* Forget the pairs written before bound (the window moved past them). */
void extract_forget(struct extract_run *r, const char *bound);

#endif
