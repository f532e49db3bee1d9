/*
 * ndjson.h - NDJSON framing: reader and buffered writer (layer 2: stream).
 *
 * Reader: hands out one line at a time, without its "\n" (or "\r\n"),
 * with its 1-based line number; whitespace-only lines are skipped.  A line
 * longer than max_line is not kept: the reader skips to its end and returns
 * NDJ_TOO_LONG with the first NDJ_KEEP bytes.  The line's bytes belong to
 * the reader and stay valid until the next ndjson_next call.
 *
 * Writer: buffers records, writes them with write(2), reports EPIPE apart
 * from other errors so a filter whose reader went away ends quietly.
 *
 * Ownership: both structs are caller-allocated; _open/_init set them up,
 * _close/_free release what they hold.
 */
#ifndef ERPIPE_NDJSON_H
#define ERPIPE_NDJSON_H

#include <stddef.h>
#include <sys/types.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"

#define NDJ_DEFAULT_MAX_LINE (64u << 20)
#define NDJ_KEEP 4096 /* bytes of an over-long line kept for its reject */

enum ndjson_kind {
	NDJ_EOF = 0,
	NDJ_LINE,     /* a complete line (the last may lack its newline) */
	NDJ_TOO_LONG, /* longer than max_line: p/len hold its first bytes */
	NDJ_ERROR,    /* read error: err filled */
};

struct ndjson_line {
	const char *p;
	size_t len;
	uint64_t lineno;
	uint64_t total; /* the line's full length (differs from len for TOO_LONG) */
	int last_no_nl; /* the input ended without a final newline */
};

struct ndjson_reader {
	int fd;
	int own_fd;
	char *name; /* "stdin" or the path: the source in "name:line" */
	char *buf;
	size_t cap, start, end, scan;
	size_t max_line;
	uint64_t lineno;
	int eof;
	int stopped;     /* a stop signal ended the input (lib/base/stop.h) */
	struct buf keep; /* head of an over-long line */
	int raw;         /* keep "\r" and blank lines (set after _open: CSV framing) */
	/* called before a read(2) that would block: the stage flushes output */
	void (*before_block)(void *ctx);
	void *ctx;
};

/* path NULL or "-" reads stdin. */
int ndjson_open(struct ndjson_reader *r, const char *path, size_t max_line, struct ep_err *err);
enum ndjson_kind ndjson_next(struct ndjson_reader *r, struct ndjson_line *line, struct ep_err *err);
void ndjson_close(struct ndjson_reader *r);

struct ndjson_writer {
	int fd;
	struct buf b;
	size_t flush_at;  /* write out when this many bytes are buffered */
	long flush_every; /* records; 0 = no record-count flushing */
	long flush_ms;    /* 0 = no timer flushing */
	long pending;     /* records since the last flush */
	int64_t last_flush;
	const struct ep_clock *clock;
	int epipe;  /* the reader went away */
	int failed; /* errno of a write error other than EPIPE */
};

/* An output appended to whose last line has no newline (its writer died
 * mid-line, a disk filled): cut the file back to the newline before it,
 * with a warning naming what (a "rejects file") and path, so the next line
 * does not run on from it.  path reads the file (a write-only one is left
 * as it is).  -1 (errno) when it cannot. */
int ndjson_cut_tail(int fd, const char *path, const char *what, off_t size);
/* The same for stdout, when it is a regular file opened for appending
 * (>>): receipts and records of a killed run end whole.  -1 with err. */
int ndjson_repair_stdout(struct ep_err *err);

void ndjson_writer_init(struct ndjson_writer *w, int fd);
/* Append one record (len bytes, the "\n" is added).  -1 when a flush
 * failed: check w->epipe / w->failed. */
int ndjson_write(struct ndjson_writer *w, const char *p, size_t len);
/* The caller appended one record's bytes to w->b itself (formatting it in
 * place saves a copy): add the "\n", count it, flush by the policy.  -1 as
 * ndjson_write. */
int ndjson_write_end(struct ndjson_writer *w);
int ndjson_flush(struct ndjson_writer *w);
/* Flush, then fsync when fd is a regular file. */
int ndjson_sync(struct ndjson_writer *w);
void ndjson_writer_free(struct ndjson_writer *w);

#endif
