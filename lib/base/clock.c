#include "base/clock.h"

#include <errno.h>
#include <time.h>

static int64_t
sys_now(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t
sys_wall(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sys_sleep(void *ctx, int64_t ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	(void)ctx;
	/* a signal ends the sleep early: callers re-check their stop flag */
	nanosleep(&ts, NULL);
}

static const struct ep_clock sys_clock = { sys_now, sys_wall, sys_sleep, 0 };

const struct ep_clock *
ep_clock_system(void)
{
	return &sys_clock;
}
