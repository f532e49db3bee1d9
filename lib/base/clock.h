/*
 * clock.h - time and sleep behind a replaceable pointer (layer 1: base).
 *
 * Every wait in lib/ (retry backoff, rate limiting, --follow intervals,
 * flush timers) goes through an ep_clock, so tests install a fake one and
 * assert exact waits without sleeping.  ep_clock_system() is the real one.
 * Ownership: clocks are plain values; ctx belongs to whoever set it.
 */
#ifndef ERPIPE_CLOCK_H
#define ERPIPE_CLOCK_H

#include <stdint.h>

struct ep_clock {
	int64_t (*now_ms)(void *ctx);  /* monotonic milliseconds */
	int64_t (*wall_ms)(void *ctx); /* Unix epoch milliseconds */
	void (*sleep_ms)(void *ctx, int64_t ms);
	void *ctx;
};

const struct ep_clock *ep_clock_system(void);

static inline int64_t
ep_now_ms(const struct ep_clock *c)
{
	return c->now_ms(c->ctx);
}

static inline int64_t
ep_wall_ms(const struct ep_clock *c)
{
	return c->wall_ms(c->ctx);
}

static inline void
ep_sleep_ms(const struct ep_clock *c, int64_t ms)
{
	if (ms > 0)
		c->sleep_ms(c->ctx, ms);
}

#endif
