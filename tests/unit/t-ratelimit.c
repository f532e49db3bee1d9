#include "tap.h"
#include "base/err.h"
#include "net/ratelimit.h"

/* a fake clock: sleeping advances time and records the wait */
struct fake {
	int64_t now;
	int64_t waits[64];
	int nwaits;
};

static int64_t
f_now(void *ctx)
{
	return ((struct fake *)ctx)->now;
}

static void
f_sleep(void *ctx, int64_t ms)
{
	struct fake *f = ctx;

	if (f->nwaits < 64)
		f->waits[f->nwaits++] = ms;
	f->now += ms;
}

static int
parse(const char *s, int64_t n, int64_t period)
{
	struct ep_err e = EP_ERR_INIT;
	int64_t gn = -1, gp = -1;

	if (ratelimit_parse(s, &gn, &gp, &e) < 0)
		return n == -1 && e.code == EP_USAGE;
	return gn == n && gp == period;
}

int
main(void)
{
	struct fake f = { 1000000, { 0 }, 0 };
	struct ep_clock c = { f_now, f_now, f_sleep, &f };
	struct ratelimit rl;
	struct ep_err e = EP_ERR_INIT;
	int64_t n, per, total;
	int i;

	ok(parse("10/s", 10, 1000), "10/s");
	ok(parse("10", 10, 1000), "bare number is per second");
	ok(parse("600/min", 600, 60000), "600/min");
	ok(parse("600/m", 600, 60000), "600/m");
	ok(parse("6000/5min", 6000, 300000), "6000/5min");
	ok(parse("3600/hour", 3600, 3600000), "3600/hour");
	ok(parse("1/day", 1, 86400000), "1/day");
	ok(parse("0", 0, 1000), "0 is no limit");
	ok(parse("", -1, 0), "empty refused");
	ok(parse("10/", -1, 0), "missing unit refused");
	ok(parse("10/fortnight", -1, 0), "unknown unit refused");
	ok(parse("-1/s", -1, 0), "negative refused");
	ok(parse("1.5/s", -1, 0), "fraction refused");
	ok(parse("10/0s", -1, 0), "zero multiplier refused");
	ok(parse("10000001/s", -1, 0), "over the maximum refused");
	ok(parse(" 10/s", -1, 0), "blanks refused");
	ratelimit_parse("x", &n, &per, &e);
	is_str(e.msg, "bad rate 'x': expected N/s, N/min or N/h (N at most 1000000)", "message");

	/* 10/s, burst 1: the first goes at once, then 100 ms apart */
	ratelimit_init(&rl, 10, 1000, 1);
	for (i = 0; i < 5; i++)
		ratelimit_wait(&rl, &c);
	is_int(f.nwaits, 4, "10/s: four waits for five requests");
	ok(f.waits[0] == 100 && f.waits[1] == 100 && f.waits[2] == 100 && f.waits[3] == 100,
	   "each 100 ms");
	f.now += 50; /* the caller spent 50 ms on its own */
	f.nwaits = 0;
	is_int(ratelimit_wait(&rl, &c), 50, "time spent elsewhere counts");
	f.now += 1000;
	is_int(ratelimit_wait(&rl, &c), 0, "after a quiet second: no wait");
	is_int(ratelimit_wait(&rl, &c), 100, "... and the next is spaced again");

	/* 3/s: exact integer waits, three per second */
	ratelimit_init(&rl, 3, 1000, 1);
	f.nwaits = 0;
	for (i = 0; i < 7; i++)
		ratelimit_wait(&rl, &c);
	is_int(f.nwaits, 6, "3/s: six waits for seven requests");
	ok(f.waits[0] == 334 && f.waits[1] == 333 && f.waits[2] == 333 && f.waits[3] == 334 &&
	           f.waits[4] == 333 && f.waits[5] == 333,
	   "334 333 333 334 333 333");
	for (i = 0, total = 0; i < 6; i++)
		total += f.waits[i];
	is_int(total, 2000, "seven requests at 3/s take two seconds");

	/* burst 5 at 10/s: five at once, then spaced, then refilled */
	ratelimit_init(&rl, 10, 1000, 5);
	f.now += 10000;
	f.nwaits = 0;
	for (i = 0; i < 7; i++)
		ratelimit_wait(&rl, &c);
	is_int(f.nwaits, 2, "burst 5: only the 6th and 7th wait");
	ok(f.waits[0] == 100 && f.waits[1] == 100, "100 ms each");
	f.now += 300;
	f.nwaits = 0;
	for (i = 0; i < 4; i++)
		ratelimit_wait(&rl, &c);
	is_int(f.nwaits, 1, "300 ms refill three tokens");

	/* 1/min: reservations without sleeping (as curl multi uses it) */
	ratelimit_init(&rl, 1, 60000, 1);
	is_int(ratelimit_reserve(&rl, f.now), 0, "1/min: first now");
	is_int(ratelimit_reserve(&rl, f.now), 60000, "second reserved a minute out");
	is_int(ratelimit_reserve(&rl, f.now + 1), 119999, "third two minutes out");

	ratelimit_init(&rl, 0, 1000, 1);
	f.nwaits = 0;
	for (i = 0; i < 100; i++)
		ratelimit_wait(&rl, &c);
	is_int(f.nwaits, 0, "rate 0: no limit");
	return done_testing();
}
