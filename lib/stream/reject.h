/*
 * reject.h - the reject sink (layer 2: stream).
 *
 * A reject is one NDJSON line of the shape DESIGN.md gives:
 *   {"stage":…, "source":"file:line", "error":…, "errors":[{"path","message"}…],
 *    "record":{…}}            (the record as its original JSON text), or
 *    "raw":"…", "raw_b64":"…" (a line that did not parse; invalid UTF-8 in
 *                              raw replaced by U+FFFD, raw_b64 exact)
 * An over-long line keeps its first NDJ_KEEP bytes and adds
 * "raw_truncated": true, "raw_bytes": N.
 * The sink is a file opened with O_APPEND (replayable), or stderr as one
 * text line per reject when no file is named.  Each reject is written at
 * once; reject_sync fsyncs the file (when it is a regular one: not a pipe
 * or a terminal) before a checkpoint passes, in every stage.  A regular
 * file whose last line was cut (a run killed mid-write, a full disk) is
 * cut back to its last newline when opened: that reject was not covered
 * by any checkpoint, so its record comes again, and the file stays one
 * JSON line per reject for the replay.
 * Ownership: struct reject and its strings belong to the caller.
 */
#ifndef ERPIPE_REJECT_H
#define ERPIPE_REJECT_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

struct reject_item {
	const char *path; /* JSON Pointer into the record, "" for the whole */
	const char *message;
	const char *detail; /* NULL, or JSON members added to the item as they
	                       * are ("\"anomaly\":{...}"): what a flag measured */
};

struct reject {
	const char *stage;  /* "parse", "map", "validate", "load" */
	const char *source; /* input name */
	uint64_t line;
	const char *error; /* first message */
	const struct reject_item *items;
	size_t nitems;
	const char *record; /* valid JSON text of the record, or NULL */
	size_t record_len;
	const char *raw; /* the line's bytes when it did not parse */
	size_t raw_len;
	uint64_t raw_total; /* > raw_len: the line was cut (over-long) */
};

struct reject_sink {
	int fd;      /* -1: text on stderr */
	int regular; /* a regular file: fsynced at each checkpoint */
	char *path;
	uint64_t count;
	struct buf b;
};

int reject_open(struct reject_sink *s, const char *path, struct ep_err *err);
int reject_write(struct reject_sink *s, const struct reject *r, struct ep_err *err);
int reject_sync(struct reject_sink *s, struct ep_err *err);
void reject_close(struct reject_sink *s);

/* The JSON line of r, without "\n", appended to b (used by reject_write,
 * exported for load's receipts and the tests). */
int reject_format(struct buf *b, const struct reject *r);

#endif
