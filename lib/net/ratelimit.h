/*
 * ratelimit.h - client-side request rate limit, --rate N/s (layer 3: net).
 *
 * Ownership: struct ratelimit is a plain value the caller owns; nothing to
 * free.  It is a token bucket kept as a "theoretical arrival time" (GCRA):
 * n requests per period_ms, up to burst of them back to back after a quiet
 * spell.  With burst 1 (the default) requests are spaced evenly, period/n
 * apart, which is what a server's "N per second" usually tolerates.
 * Arithmetic is exact in integers: a wait is the smallest whole number of
 * milliseconds that keeps the rate (10/s: 100 ms; 3/s: 334, 333, 333 ...).
 *
 * Rate syntax (ratelimit_parse): N[/[K]UNIT] where N is a whole number of
 * requests (0 = no limit), K an optional whole multiplier and UNIT one of
 * s, sec, second, m, min, minute, h, hour, d, day.  "10" means 10/s.
 * Examples: 10/s, 600/min, 6000/5min (Business Central's per-user limit).
 */
#ifndef ERPIPE_RATELIMIT_H
#define ERPIPE_RATELIMIT_H

#include <stdint.h>

#include "base/clock.h"
#include "base/err.h"

#define RATELIMIT_MAX_N 1000000 /* requests per period */

struct ratelimit {
	int64_t n; /* requests per period; 0 = unlimited */
	int64_t period_ms;
	int64_t burst; /* >= 1 */
	int started;
	int64_t origin; /* ms, time base for tat */
	int64_t tat;    /* next free slot, in ms * n since origin */
};

/* n per period_ms; burst < 1 is taken as 1.  n = 0: no limit. */
void ratelimit_init(struct ratelimit *rl, int64_t n, int64_t period_ms, int64_t burst);

/* Parse "10/s" etc. into *n and *period_ms.  -1 with EP_USAGE on error. */
int ratelimit_parse(const char *s, int64_t *n, int64_t *period_ms, struct ep_err *err);

/* Take the next slot at monotonic time now_ms and return how many ms to
 * wait before using it (0 = go).  The slot is committed: call once per
 * request actually sent. */
int64_t ratelimit_reserve(struct ratelimit *rl, int64_t now_ms);

/* ratelimit_reserve at the clock's now, then sleep through the clock.
 * Returns the wait. */
int64_t ratelimit_wait(struct ratelimit *rl, const struct ep_clock *c);

#endif
