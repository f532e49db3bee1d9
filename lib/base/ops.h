/*
 * ops.h - what a run tells its operator: counts, --stats, --metrics and
 * the progress line on a terminal (layer 1: base).
 *
 * One process is one run of one stream, so the run's record is process
 * wide: the stage runner and the extractors count records into it, lib/http
 * counts requests, retries, waits and bytes, and load counts its receipts
 * by status, without a pointer threaded through every layer between.
 *
 *   ops_begin     once, early in main (stage_cfg_init and extract_cfg_init
 *                 call it): the run's start, the program's name
 *   ops_stream    the stream's labels: system ("odoo", "bng", "nav"),
 *                 profile (-P) and entity (model, resource, entity set,
 *                 or the map or schema a filter applies)
 *   ops_tick      often (every record is fine: it looks at the clock only
 *                 every 16 calls): redraws the progress line at most 4
 *                 times a second, rewrites --metrics every interval
 *   ops_finish    at the end, with the exit status: erases the progress
 *                 line, writes --stats and --metrics a last time
 *
 * --stats FILE is one JSON object: the counts that apply to the program
 * (read, wrote, and created/updated/unchanged/deleted for load, drifted
 * when load verifies, dropped, rejected; pages for the extractors), the
 * labels, "status", "duration_ms", "started" and "ended" (UTC), and
 * "http" when requests were made.
 *
 * --metrics FILE is the Prometheus text exposition format (0.0.4), for
 * node_exporter's textfile collector, written atomically (temp file,
 * fsync, rename): names erpipe_*, counters ending in _total, every series
 * labelled program, system, profile and entity (the list is in
 * man/erpipe.7, METRICS).  A run that fails keeps the previous file's
 * erpipe_last_success_timestamp_seconds, so an alert on its age works.
 *
 * Progress: only when standard error is a terminal and not -q; one line,
 * redrawn with \r and erased (ESC [ K) before any other message (lib/log
 * calls ops_progress_clear) and at the end.
 *
 * Ownership: strings given to ops_begin and ops_stream are copied.  Not
 * for two threads at once (no program here runs threads).
 */
#ifndef ERPIPE_OPS_H
#define ERPIPE_OPS_H

#include <stdint.h>

#include "base/err.h"
#include "base/opt.h"

/* --metrics --stats; stage_opt and extract_opt hand them to ops_opt */
extern const struct ep_opt ops_opts[];
enum {
	OPT_OPS_METRICS = OPT_KEYS_OPS,
	OPT_OPS_STATS,
};
_Static_assert(OPT_OPS_STATS < OPT_KEYS_OPS + OPT_KEYS_RANGE,
               "ops options outgrow their key range");
/* 1: ours, 0: not ours */
int ops_opt(int key, const char *arg, struct ep_err *err);

/* The counts a run keeps.  The stage runner and the extractors own read,
 * wrote, dropped, rejected (and pages); load the receipts' statuses. */
enum ops_count {
	OPS_READ = 0,
	OPS_WROTE,
	OPS_CREATED,
	OPS_UPDATED,
	OPS_UNCHANGED,
	OPS_DELETED,
	OPS_DRIFTED,
	OPS_DROPPED,
	OPS_REJECTED,
	OPS_PAGES,
	OPS_NCOUNTS
};
/* Which counts a program reports: bits (1 << enum ops_count). */
#define OPS_FILTER                                                                                 \
	((1u << OPS_READ) | (1u << OPS_WROTE) | (1u << OPS_DROPPED) | (1u << OPS_REJECTED))
#define OPS_RECEIPTS                                                                               \
	((1u << OPS_CREATED) | (1u << OPS_UPDATED) | (1u << OPS_UNCHANGED) | (1u << OPS_DELETED))

struct ops_run {
	uint64_t n[OPS_NCOUNTS];
	unsigned shown;                      /* counts that apply (bits) */
	uint64_t http[6];                    /* requests: 1xx..5xx by class, [0] no answer */
	uint64_t retries, waits;             /* retries; rate-limit waits (--rate, 429) */
	int64_t wait_ms;                     /* time spent in those waits */
	uint64_t bytes_sent, bytes_received; /* HTTP bodies and headers */
	uint64_t bytes_in, bytes_out;        /* the NDJSON stream */
	uint64_t total_bytes;                /* input size when known (progress %), else 0 */
	uint64_t total_records;              /* records to come when known, else 0 */
	int64_t last_checkpoint_ms;          /* wall time of the last checkpoint, 0 none */
	double lag_s;                        /* now - the last checkpoint's position */
	int has_lag;
};

extern struct ops_run ops;

void ops_begin(const char *program);
void ops_stream(const char *system, const char *profile, const char *entity);
/* A stream name "system:profile:entity" (an extractor's) as the labels. */
void ops_stream_name(const char *stream);
/* Long runs (--follow, --listen): metrics at least every ms. */
void ops_interval(int64_t ms);

/* A checkpoint passed or was written: its time, and the lag from the
 * first field of pos that names a time (an Odoo write_date, a NAV
 * modified-at), when one does. */
struct cJSON;
void ops_checkpoint(const struct cJSON *pos);

/* --heartbeat FILE (the extractors' --follow): a poll ended well.  FILE
 * is replaced atomically (temp file, fsync, rename) by one JSON object:
 * the labels, "pid", "polls" (so far), "interval_ms", "started",
 * "last_poll" (now) and "last_checkpoint" (UTC, when there was one).  Its
 * age, or its mtime, tells a live follow from a stuck one.  A failed
 * write warns; the run goes on. */
void ops_heartbeat(const char *file, int64_t interval_ms);

/* A page read from the source (extractors): counted, and a tick. */
void ops_page(void);
/* Look at the clock (every 16th call unless force): progress, metrics. */
void ops_tick(int force);
/* The end: stats and metrics with the exit status. */
void ops_finish(int status);

/* " (created N, updated N, unchanged N, deleted N)" when load's receipt
 * counts are shown, into b; else "". */
void ops_receipt_summary(char *b, size_t n);

/* Erase the progress line before a message (lib/log). */
void ops_progress_clear(void);

#endif
