#include "net/ratelimit.h"

#include <string.h>

void
ratelimit_init(struct ratelimit *rl, int64_t n, int64_t period_ms, int64_t burst)
{
	memset(rl, 0, sizeof(*rl));
	rl->n = n > 0 && period_ms > 0 ? n : 0;
	rl->period_ms = period_ms;
	rl->burst = burst < 1 ? 1 : burst;
}

static int
read_int(const char **p, int64_t max, int64_t *out)
{
	int64_t v = 0;
	const char *s = *p;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (*s - '0');
		if (v > max)
			return -1;
	}
	*p = s;
	*out = v;
	return 0;
}

int
ratelimit_parse(const char *s, int64_t *n, int64_t *period_ms, struct ep_err *err)
{
	static const struct {
		const char *name;
		int64_t ms;
	} units[] = {
		{ "s", 1000 },     { "sec", 1000 },     { "second", 1000 }, { "m", 60000 },
		{ "min", 60000 },  { "minute", 60000 }, { "h", 3600000 },   { "hour", 3600000 },
		{ "d", 86400000 }, { "day", 86400000 },
	};
	const char *p = s;
	int64_t count, k = 1;
	size_t i;

	if (read_int(&p, RATELIMIT_MAX_N, &count) < 0)
		goto bad;
	if (*p == '\0') {
		*n = count;
		*period_ms = 1000;
		return 0;
	}
	if (*p++ != '/')
		goto bad;
	if (*p >= '0' && *p <= '9' && (read_int(&p, 1000000, &k) < 0 || k == 0))
		goto bad;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(p, units[i].name) == 0) {
			*n = count;
			*period_ms = k * units[i].ms;
			return 0;
		}
	}
bad:
	return ep_errf(err, EP_USAGE, "bad rate '%s': expected N/s, N/min or N/h (N at most %d)", s,
	               RATELIMIT_MAX_N);
}

int64_t
ratelimit_reserve(struct ratelimit *rl, int64_t now_ms)
{
	int64_t t, start, wait;

	if (rl->n == 0)
		return 0;
	if (!rl->started || now_ms < rl->origin) {
		rl->started = 1;
		rl->origin = now_ms;
		rl->tat = 0;
	}
	t = (now_ms - rl->origin) * rl->n;
	if (rl->tat <= t) {
		/* idle long enough that the bucket is full: rebase, so the
		 * scaled times stay small however long the process runs */
		rl->origin = now_ms;
		rl->tat = t = 0;
	}
	start = rl->tat - (rl->burst - 1) * rl->period_ms;
	if (start < t)
		start = t;
	wait = (start - t + rl->n - 1) / rl->n;
	rl->tat += rl->period_ms;
	return wait;
}

int64_t
ratelimit_wait(struct ratelimit *rl, const struct ep_clock *c)
{
	int64_t w = ratelimit_reserve(rl, ep_now_ms(c));

	ep_sleep_ms(c, w);
	return w;
}
