/*
 * diff.h - record diff: compare two NDJSON record streams by key
 * (layer 5: engines, no network).  The engine of reconcile(1).
 *
 * A diff is set up from a struct diff_spec (keys, fields, comparison rules,
 * maps), then diff_run reads both inputs and hands every finding to a sink
 * as a struct diff_event: a key on one side only, a key on both whose
 * compared fields differ (or match), a key seen more than once on a side;
 * with sums in the spec, a group whose control totals differ.
 *
 * How the inputs are joined:
 *  - by default a hash join: the smaller input (by file size; the right one
 *    when either is not a regular file) is held in memory as compact copies
 *    (the key and the text of each compared field, not trees), the other
 *    streams past it;
 *  - past spec.memory bytes the held side and then the other are split into
 *    partition files by key hash ($TMPDIR) and joined partition by
 *    partition;
 *  - with spec.sorted both inputs stream in key order (a merge join in
 *    constant memory); the order is checked as they stream.
 *
 * Ownership: the spec's strings and maps stay the caller's and must outlive
 * the diff; diff_new copies what it keeps.  An event and everything it
 * points to is valid only during the sink call.  Nothing here prints or
 * exits: bad records go to sink->bad, failures come back as an ep_err.
 */
#ifndef ERPIPE_DIFF_H
#define ERPIPE_DIFF_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/dec.h"
#include "base/err.h"

struct map_prog;
struct diff;

enum { DIFF_LEFT = 0, DIFF_RIGHT = 1 };

enum diff_status {
	DIFF_MATCH,
	DIFF_CHANGED,
	DIFF_ONLY_LEFT,
	DIFF_ONLY_RIGHT,
	DIFF_DUPLICATE,
	DIFF_NSTATUS
};

/* "match", "changed", "only_left", "only_right", "duplicate_key" */
const char *diff_status_name(enum diff_status s);

/* A field named l on the left and r on the right. */
struct diff_pair {
	char *name[2];
};

/* Comparison rules for one field (name: its left or right name, or "*"
 * for every field). */
enum {
	DIFF_ICASE = 1,   /* strings compare case-insensitively */
	DIFF_TRIM = 2,    /* white space around strings does not count */
	DIFF_DATE = 4,    /* strings compare as instants */
	DIFF_TOL_ABS = 8, /* numbers within tol_abs are equal */
	DIFF_TOL_REL = 16 /* numbers within tol_rel of the larger are equal */
};

struct diff_rule {
	char *name;
	unsigned flags;
	struct dec tol_abs, tol_rel; /* tol_rel as a fraction: 0.1% is 0.001 */
};

enum { DIFF_GROUP_VALUE = 0, DIFF_GROUP_DAY = 'd', DIFF_GROUP_MONTH = 'm' };

struct diff_spec {
	struct diff_pair *keys; /* record mode: the key fields */
	int nkeys;
	struct diff_pair *fields; /* compared fields; NULL: every field */
	int nfields;
	struct diff_pair *ignore; /* fields never compared */
	int nignore;
	struct diff_rule *rules;
	int nrules;
	struct diff_pair *sums; /* totals mode when nsums > 0 */
	int nsums;
	struct diff_pair group;  /* --group-by (names NULL: one grand total) */
	int group_unit;          /* DIFF_GROUP_* */
	int strict;              /* null, false, "" and absent all differ */
	int sorted;              /* merge join */
	uint64_t memory;         /* bytes before spilling (0: 1 GiB) */
	const char *zone;        /* zone of dates without an offset (NULL: UTC) */
	struct map_prog *map[2]; /* applied to each record first, or NULL */
	size_t max_line;         /* 0: NDJ_DEFAULT_MAX_LINE */
};

/* Parse "a,b=B,c" into pairs (a bare name is the same on both sides);
 * *out is malloc'ed, free with diff_pairs_free.  what names the option in
 * messages. */
int diff_parse_pairs(const char *s, const char *what, struct diff_pair **out, int *n,
                     struct ep_err *err);
void diff_pairs_free(struct diff_pair *p, int n);
/* Parse "FIELD=AMOUNT" or "FIELD=PERCENT%" (comma-separated list) into
 * rules appended to the array *rules of *n. */
int diff_parse_tolerance(const char *s, struct diff_rule **rules, int *n, struct ep_err *err);
/* Add rule flag for each name of the comma-separated list s. */
int diff_parse_flag(const char *s, unsigned flag, struct diff_rule **rules, int *n,
                    struct ep_err *err);
void diff_rules_free(struct diff_rule *r, int n);

/* One value as JSON text; n == 0 when the field is absent. */
struct diff_val {
	const char *p;
	size_t n;
};

/* One field in an event. */
struct diff_fd {
	int field;            /* diff_field_name(d, field, side) */
	struct diff_val v[2]; /* left, right */
	int has_delta;        /* both numbers: delta = right - left */
	struct dec delta;
};

struct diff_event {
	enum diff_status status;
	const unsigned char *key; /* encoded key: diff_key_json, diff_key_text */
	size_t keylen;
	const struct diff_fd *fd; /* changed: the fields that differ; only_*: every
	                              field of the record; match: none */
	int nfd;
	uint64_t count[2];  /* duplicate_key, totals: records on each side */
	uint64_t line[2];   /* the (first) record's line on each side, 0 none */
	int totals;         /* a group of totals mode */
	const void *rec[2]; /* each side's compact record, NULL none (for
	                              diff_record_json) */
};

struct diff_sink {
	/* a finding; -1 stops the run (fill err through diff_sink_fail) */
	int (*event)(void *ctx, const struct diff_event *ev, struct ep_err *err);
	/* a record skipped: not JSON, no key, a map error; msg without source */
	void (*bad)(void *ctx, const char *source, uint64_t line, const char *msg);
	/* something worth saying (a spill), msg one line */
	void (*note)(void *ctx, const char *msg);
	void *ctx;
};

struct diff_counts {
	uint64_t read[3];    /* records read (control lines not counted); [2]: --base */
	uint64_t dropped[3]; /* dropped by a map */
	uint64_t bad[3];     /* skipped as bad */
	uint64_t n[DIFF_NSTATUS];
	uint64_t partitions; /* partition files used, 0 when all fit */
	uint64_t peak_bytes; /* largest memory held for records */
};

struct diff *diff_new(const struct diff_spec *spec, struct ep_err *err);
void diff_free(struct diff *d);

/* Compare path[0] (left) with path[1] (right), either "-" for stdin.
 * Returns 0 when both were read to the end (bad records are skipped and
 * counted), -1 on a failure (a missing file, a read error, an input not
 * sorted under spec.sorted, the sink stopping). */
int diff_run(struct diff *d, const char *const path[2], const struct diff_sink *sink,
             struct ep_err *err);
const struct diff_counts *diff_counts(const struct diff *d);
/* The names of the inputs, as in messages ("stdin" for "-"). */
const char *diff_source(const struct diff *d, int side);

int diff_nfields(const struct diff *d);
/* A compared field's name on a side (totals: the summed field). */
const char *diff_field_name(const struct diff *d, int field, int side);
/* The key as JSON: one field gives its value, several an object named as
 * on side; totals give the group's text (null for no group). */
int diff_key_json(const struct diff *d, struct buf *b, const unsigned char *key, size_t n,
                  int side);
/* The key as plain text (a string's characters; several fields as their
 * JSON object). */
int diff_key_text(const struct diff *d, struct buf *b, const unsigned char *key, size_t n);
/* The key's fields as members "name":value,... named as on side (no
 * braces). */
int diff_key_members(const struct diff *d, struct buf *b, const unsigned char *key, size_t n,
                     int side);

/* One side's compact record as a JSON object: "_key", the key fields and
 * the stored compared fields, all named as on side names. */
int diff_record_json(const struct diff *d, const void *rec, int names, struct buf *b);

struct map_rterr;

/* Fix records (reconcile --emit-fix): the record that makes side target
 * match the other for this event, appended to out as JSON text with _op
 * and _key in the target's field names: create for a key only on the other
 * side, update with the differing fields for changed, delete (only with
 * allow_delete) for a key only on the target.
 * With fixmap (the target had a --map, and fixmap maps back), the map is
 * applied to each side's record (diff_record_json in the target's names):
 * a create carries everything the map gives for the other side, an update
 * the fields whose mapped values differ, a delete only _op and _key; _key
 * is what the map gives for it, if anything.
 * Returns 1 when a record was written, 0 when the event needs none (a
 * delete not allowed, a difference the map does not carry, a map drop), -1
 * when memory ran out, -2 on a map runtime error (re filled). */
int diff_fix(struct diff *d, const struct diff_event *ev, int target, int allow_delete,
             struct map_prog *fixmap, struct buf *out, struct map_rterr *re);

/* Text of a JSON value for people: a string's characters, null/absent as
 * "", anything else its JSON text. */
int diff_val_text(struct buf *b, const struct diff_val *v);

/* ---- the three-way merge (diff_merge.c): reconcile --base ---- */

/*
 * diff_merge_run reads BASE (path[2], records in the agreed shape: after
 * the maps, named as on the left, no map applied), LEFT and RIGHT, joins
 * them by key (the held side is the base; with spec.sorted a merge join of
 * the three) and decides per key and field, under the same comparison
 * rules as diff_run: changed on one side since the base -> the change goes
 * to the other side; changed on both to equal values -> nothing; to
 * different values -> a conflict, unless the field has an owner, whose
 * value wins (resolved).  An owned field is never written on its owner.
 * A key gone from one side since the base is a delete on that side
 * (ms.deletes); new on one side, a create on the other.
 * Everything written goes to sink->out as one line of JSON text, what
 * says which stream: 0 / 1 a fix for the left / right (load's input shape,
 * only for the sides ms.emit names), DIFF_OUT_BASE a record of the new
 * base, DIFF_OUT_REJECT a reject (stage "merge"), DIFF_OUT_RESOLVED a
 * conflict an owner decided.
 */
enum diff_deletes { DIFF_DEL_REPORT, DIFF_DEL_PROPAGATE, DIFF_DEL_ARCHIVE };
enum { DIFF_OUT_BASE = 2, DIFF_OUT_REJECT = 3, DIFF_OUT_RESOLVED = 4 };

/* the owner of a field: its name on either side, DIFF_LEFT or DIFF_RIGHT */
struct diff_owner {
	char *name;
	int side;
};

struct diff_policy {
	struct diff_owner *owners; /* malloc'ed, free with diff_policy_free */
	int nowners;
};

/* "FIELD=left|right[,...]" appended to pol. */
int diff_parse_owners(const char *s, struct diff_policy *pol, struct ep_err *err);
/* A policy file's text: lines "owner FIELD left|right", "ignore FIELD",
 * blank lines and "#" comments.  Owners are appended to pol, ignored
 * fields to *ignore (as diff_parse_pairs does); an error names
 * source:line (EP_DATAERR). */
int diff_policy_parse(const char *text, size_t n, const char *source, struct diff_policy *pol,
                      struct diff_pair **ignore, int *nignore, struct ep_err *err);
void diff_policy_free(struct diff_policy *pol);

struct diff_merge_spec {
	const struct diff_policy *policy; /* owners, or NULL */
	enum diff_deletes deletes;
	const char *archive[2];     /* --deletes archive: a JSON object of the fields that
	                             archive a record on that side (NULL: {"active":false}) */
	int emit[2];                /* write fixes for the left, the right */
	struct map_prog *fixmap[2]; /* a side's fixes mapped back (diff_fix), or NULL */
	int base;                   /* write the new base */
};

struct diff_merge_sink {
	/* a line (no newline) for stream what; -1 stops the run (err filled) */
	int (*out)(void *ctx, int what, const char *p, size_t n, struct ep_err *err);
	void (*bad)(void *ctx, const char *source, uint64_t line, const char *msg);
	void (*note)(void *ctx, const char *msg);
	void *ctx;
};

struct diff_merge_counts {
	uint64_t to[2];      /* keys with a create or update for the left, the right */
	uint64_t create[2];  /* ... of which creates */
	uint64_t deleted[2]; /* keys gone from the left, the right since the base */
	uint64_t conflicts;  /* keys with a conflict (rejected) */
	uint64_t resolved;   /* fields an owner decided */
	uint64_t unchanged;  /* keys with nothing to do */
	uint64_t duplicates; /* keys found more than once in an input */
	uint64_t fix_errors; /* a fix map failed */
};

/* path: left, right, base ("-" for stdin, at most one).  0 when all three
 * were read to the end, -1 on a failure (as diff_run). */
int diff_merge_run(struct diff *d, const struct diff_merge_spec *ms, const char *const path[3],
                   const struct diff_merge_sink *sink, struct ep_err *err);
const struct diff_merge_counts *diff_merge_counts(const struct diff *d);

/* ---- reports (diff_report.c): the events written in one format ---- */

enum diff_format { DIFF_FMT_NDJSON, DIFF_FMT_SUMMARY, DIFF_FMT_CSV, DIFF_FMT_HTML, DIFF_FMT_XLSX };

/* "ndjson", "summary", "csv", "html": 0, or -1 for another word */
int diff_parse_format(const char *s, enum diff_format *f);

struct diff_report;

/* A report of d's events written to fd (which stays the caller's): ndjson
 * and csv as the events come, summary and html at the end.  all: matches
 * too. */
struct diff_report *diff_report_new(const struct diff *d, enum diff_format fmt, int fd, int all);
int diff_report_event(struct diff_report *r, const struct diff_event *ev, struct ep_err *err);
/* Write what is written at the end and flush; -1 on a write error. */
int diff_report_finish(struct diff_report *r, struct ep_err *err);
void diff_report_free(struct diff_report *r);

#endif
