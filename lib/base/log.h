/*
 * log.h - diagnostics on stderr (layer 1: base).
 *
 * Only cmd/ and a program's run call these (the stream runner, load's
 * engine and targets, and the run functions cmd/ hands its options to:
 * reconcile_run, validate_run, xform_run, load_system_run); lib/ modules
 * below them return errors instead.  Messages follow STYLE.md: "prog: what
 * 'operand': why", lower case, no full stop.  ep_prog is set once by main().
 */
#ifndef ERPIPE_LOG_H
#define ERPIPE_LOG_H

#include <stddef.h>

extern const char *ep_prog; /* program name, "erpipe" until set */
extern int ep_verbose;      /* -1 quiet (-q), 0 normal, 1.. -v count */

/* Every message passes through this filter when set (redact.c sets it:
 * secrets and URL credentials never reach stderr); it appends the
 * filtered text to out and returns -1 on failure (then the message is
 * not printed as it was, but replaced by a notice). */
struct buf;
extern int (*ep_log_filter)(const char *in, size_t len, struct buf *out);
/* Called before each message when set (lib/ops: erase the progress line). */
extern void (*ep_log_before)(void);

void ep_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* printed only when ep_verbose >= level */
void ep_info(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A run's first failure: unless *status already holds one, print the
 * message and keep code (EP_SOFTWARE for 0) in *status; later failures are
 * the first one's consequences and are not printed.  Returns -1. */
int ep_fail_once(int *status, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
