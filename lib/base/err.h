/*
 * err.h - error values returned by lib/ (layer 1: base).
 *
 * Ownership: struct ep_err is a plain value; nothing to free.  lib/ never
 * prints or exits: a function that fails fills an ep_err and returns -1 (or
 * NULL); cmd/ decides what to say and which sysexits status to leave with.
 */
#ifndef ERPIPE_ERR_H
#define ERPIPE_ERR_H

#include <stddef.h>

/* sysexits(3) values, named here so lib/ does not depend on <sysexits.h>. */
enum {
	EP_OK = 0,
	EP_DIFF = 1, /* reconcile: differences found */
	EP_USAGE = 64,
	EP_DATAERR = 65,
	EP_NOINPUT = 66,
	EP_UNAVAILABLE = 69,
	EP_SOFTWARE = 70,
	EP_IOERR = 74,
	EP_TEMPFAIL = 75,
	EP_NOPERM = 77,
	EP_CONFIG = 78,
};

struct ep_err {
	int code;       /* sysexits status the failure maps to */
	char msg[1024]; /* one line, lower case, no full stop */
	unsigned what;  /* EP_ERR_* : a failure told apart by this, never by msg */
};

/* ep_err.what: kinds a caller handles differently from other failures */
enum {
	EP_ERR_CLOSED = 1, /* the reader of the output went away (EPIPE) */
};

/* clang-format off */
#define EP_ERR_INIT { 0, "", 0 }
/* clang-format on */

/* Set code and message (printf-style); returns -1 so callers can
 * `return ep_errf(err, EP_DATAERR, "…")`.  err may be NULL. */
int ep_errf(struct ep_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefix the existing message with "what: " (printf-style). */
int ep_err_prefix(struct ep_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void ep_err_clear(struct ep_err *err);

/* The output's reader went away: EP_IOERR, "output closed", what
 * EP_ERR_CLOSED.  Returns -1. */
int ep_err_closed(struct ep_err *err);

#endif
