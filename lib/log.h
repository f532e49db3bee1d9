/*
 * log.h - diagnostics on stderr (layer 1: base).
 *
 * Only cmd/ and the stream runner call these; lib/ modules below them return
 * errors instead.  Messages follow STYLE.md: "prog: what 'operand': why",
 * lower case, no full stop.  ep_prog is set once by main().
 */
#ifndef ERPIPE_LOG_H
#define ERPIPE_LOG_H

extern const char *ep_prog;  /* program name, "erpipe" until set */
extern int ep_verbose;       /* -1 quiet (-q), 0 normal, 1.. -v count */

void ep_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* printed only when ep_verbose >= level */
void ep_info(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
