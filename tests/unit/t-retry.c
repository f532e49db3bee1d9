#include "tap.h"
#include "base/err.h"
#include "net/retry.h"

#include <string.h>

/* An independent splitmix64, so the jitter is checked against the formula
 * and not against the code under test. */
static uint64_t
ref_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int64_t
ref_jitter(uint64_t *s, int64_t hi)
{
	return (int64_t)(ref_next(s) % (uint64_t)(hi + 1));
}

static struct retry_input
resp(int attempt, int status, const char *ra)
{
	struct retry_input in = { attempt, RETRY_RESPONSE, status, ra, 0, 0 };

	return in;
}

static int64_t
after(const char *s, int64_t wall)
{
	int64_t w = -12345;

	if (retry_after_parse(s, strlen(s), wall, &w) < 0)
		return -1;
	return w;
}

static int64_t
date(const char *s)
{
	int64_t t;

	return retry_http_date(s, strlen(s), &t) < 0 ? -1 : t;
}

int
main(void)
{
	struct retry_policy p = RETRY_POLICY_DEFAULT;
	struct retry_decision d;
	struct retry_input in;
	uint64_t rng = 42, ref = 42;
	int i, codes[] = { 200, 201, 204, 301, 304, 400, 401, 403, 404, 409, 422, 501, 505 };
	int retryable[] = { 408, 429, 500, 502, 503, 504 };
	const int64_t imf = 784111777; /* Sun, 06 Nov 1994 08:49:37 GMT */

	/* which outcomes retry */
	for (i = 0; i < (int)(sizeof(codes) / sizeof(codes[0])); i++) {
		in = resp(0, codes[i], "1");
		if (retry_decide(&p, &in, &rng, &d) != RETRY_DONE)
			break;
	}
	ok(i == (int)(sizeof(codes) / sizeof(codes[0])), "2xx, 3xx, other 4xx and 5xx are final");
	for (i = 0; i < 6; i++)
		if (!retry_status_retryable(retryable[i]))
			break;
	ok(i == 6, "408 429 500 502 503 504 are retryable");
	is_int(rng, 42, "a final outcome does not touch the rng");

	/* full jitter: uniform in [0, min(cap, base * 2^attempt)] */
	in = resp(0, 503, NULL);
	is_int(retry_decide(&p, &in, &rng, &d), RETRY_AGAIN, "503 retries");
	is_int(d.wait_ms, ref_jitter(&ref, 500), "attempt 0 waits jitter over [0, 500]");
	is_int(d.retry_after_used, 0, "no Retry-After used");
	in = resp(3, 502, NULL);
	retry_decide(&p, &in, &rng, &d);
	is_int(d.wait_ms, ref_jitter(&ref, 4000), "attempt 3 waits jitter over [0, 4000]");
	p.max_retries = 100;
	in = resp(40, 500, NULL);
	retry_decide(&p, &in, &rng, &d);
	is_int(d.wait_ms, ref_jitter(&ref, 30000), "attempt 40 is capped at 30000");
	in.kind = RETRY_NETWORK;
	in.attempt = 1;
	is_int(retry_decide(&p, &in, &rng, &d), RETRY_AGAIN, "a connection failure retries");
	is_int(d.wait_ms, ref_jitter(&ref, 1000), "attempt 1 waits jitter over [0, 1000]");
	for (i = 0; i < 1000; i++) {
		in = resp(i % 8, 504, NULL);
		retry_decide(&p, &in, &rng, &d);
		if (d.wait_ms != ref_jitter(&ref, i % 8 >= 6 ? 30000 : 500LL << (i % 8)))
			break;
	}
	is_int(i, 1000, "1000 jittered waits match the formula");
	p.max_retries = 5;

	/* Retry-After */
	in = resp(0, 429, "5");
	is_int(retry_decide(&p, &in, &rng, &d), RETRY_AGAIN, "429 with Retry-After retries");
	is_int(d.wait_ms, 5000, "Retry-After: 5 waits exactly 5000 ms");
	is_int(d.retry_after_used, 1, "Retry-After used");
	in = resp(2, 503, "Sun, 06 Nov 1994 08:49:37 GMT");
	in.wall_ms = imf * 1000 - 4321;
	retry_decide(&p, &in, &rng, &d);
	is_int(d.wait_ms, 4321, "Retry-After HTTP-date waits until that date");
	in.wall_ms = imf * 1000 + 10;
	retry_decide(&p, &in, &rng, &d);
	is_int(d.wait_ms, 0, "Retry-After date in the past waits 0");
	in = resp(0, 429, "soon");
	ref = rng;
	retry_decide(&p, &in, &rng, &d);
	ok(d.retry_after_used == 0 && d.wait_ms == ref_jitter(&ref, 500),
	   "an unreadable Retry-After falls back to backoff");

	/* budgets */
	in = resp(0, 429, "400");
	is_int(retry_decide(&p, &in, &rng, &d), RETRY_GIVE_UP,
	       "Retry-After past --retry-max-time gives up");
	is_int(d.code, EP_TEMPFAIL, "... with 75 for 429");
	diag("why: %s", d.why);
	in = resp(0, 503, "400");
	retry_decide(&p, &in, &rng, &d);
	ok(d.action == RETRY_GIVE_UP && d.code == EP_UNAVAILABLE, "... and 69 for 503");
	in = resp(0, 429, "300");
	in.elapsed_ms = 1;
	is_int(retry_decide(&p, &in, &rng, &d), RETRY_GIVE_UP, "it counts time already spent");
	in.elapsed_ms = 0;
	is_int(retry_decide(&p, &in, &rng, &d), RETRY_AGAIN, "exactly the time left is fine");
	is_int(d.wait_ms, 300000, "... and waits all of it");

	in = resp(5, 429, "1");
	is_int(retry_decide(&p, &in, &rng, &d), RETRY_GIVE_UP,
	       "--retries 5: the 6th failure gives up");
	is_int(d.code, EP_TEMPFAIL, "429 out of retries is 75");
	is_str(d.why, "http 429, gave up after 5 retries", "why");
	in.status = 503;
	retry_decide(&p, &in, &rng, &d);
	is_int(d.code, EP_UNAVAILABLE, "503 out of retries is 69");
	in.kind = RETRY_NETWORK;
	retry_decide(&p, &in, &rng, &d);
	is_int(d.code, EP_UNAVAILABLE, "a connection failure out of retries is 69");
	is_str(d.why, "network error, gave up after 5 retries", "why");
	p.max_retries = 0;
	in = resp(0, 503, NULL);
	is_int(retry_decide(&p, &in, &rng, &d), RETRY_GIVE_UP, "--retries 0 never retries");
	p.max_retries = 5;

	in = resp(1, 500, NULL);
	in.elapsed_ms = 300000;
	is_int(retry_decide(&p, &in, &rng, &d), RETRY_GIVE_UP, "retry time spent gives up");
	in.elapsed_ms = 300000 - 3;
	p.base_ms = 1000000;
	p.cap_ms = 1000000;
	ref = rng;
	retry_decide(&p, &in, &rng, &d);
	{
		int64_t j = ref_jitter(&ref, 2000000);

		is_int(d.wait_ms, j < 3 ? j : 3, "a jittered wait is cut to the time left");
	}
	p.max_time_ms = 0;
	in = resp(1, 429, "86400");
	is_int(retry_decide(&p, &in, &rng, &d), RETRY_AGAIN, "--retry-max-time 0: no limit");
	is_int(d.wait_ms, 86400000, "... waits a day if asked");
	p.base_ms = 0;
	in = resp(3, 500, NULL);
	ref = rng;
	retry_decide(&p, &in, &rng, &d);
	ok(d.wait_ms == 0 && rng == ref, "base 0: no wait, rng untouched");

	/* Retry-After parsing */
	is_int(after("120", 0), 120000, "delta-seconds");
	is_int(after("  7\t ", 0), 7000, "blanks around delta-seconds");
	is_int(after("0", 5), 0, "zero");
	is_int(after("99999999999999999999999999", 0), 1000000000LL * 1000, "huge delta saturates");
	is_int(after("1.5", 0), -1, "fractions refused");
	is_int(after("-1", 0), -1, "negative refused");
	is_int(after("", 0), -1, "empty refused");
	is_int(after("12a", 0), -1, "trailing junk refused");
	is_int(after("5 6", 0), -1, "two numbers refused");
	is_int(date("Sun, 06 Nov 1994 08:49:37 GMT"), imf, "IMF-fixdate");
	is_int(date("Sunday, 06-Nov-94 08:49:37 GMT"), imf, "RFC 850 date");
	is_int(date("Sun Nov  6 08:49:37 1994"), imf, "asctime date");
	is_int(date("  sun, 06 nov 1994 08:49:37 gmt  "), imf, "case and blanks tolerated");
	is_int(date("Thu, 01 Jan 1970 00:00:00 GMT"), 0, "the epoch");
	is_int(date("Thu, 29 Feb 2024 23:59:59 GMT"), 1709251199, "leap day 2024");
	is_int(date("Wed, 29 Feb 2023 00:00:00 GMT"), -1, "no 29 Feb 2023");
	is_int(date("Fri, 31 Dec 9999 23:59:59 GMT"), 253402300799LL, "year 9999");
	is_int(date("Sun, 06 Nov 1994 24:00:00 GMT"), -1, "hour 24 refused");
	is_int(date("Sun, 06 Nov 1994 08:49:37"), -1, "missing zone refused");
	is_int(date("Sun, 06 Nov 1994 08:49:37 CET"), -1, "other zones refused");
	is_int(date("Sun, 06 Foo 1994 08:49:37 GMT"), -1, "bad month refused");
	is_int(date("Sun, 06 Nov 1994 08:49:37 GMT x"), -1, "trailing junk refused");
	is_int(date("Sun, 06 Nov 1994 8:49:37 GMT"), -1, "one-digit hour refused");
	is_int(date("Sun, 006 Nov 1994 08:49:37 GMT"), -1, "three-digit day refused");
	is_int(date("Sunday, 06-Nov-69 08:49:37 GMT"), date("Wed, 06 Nov 2069 08:49:37 GMT"),
	       "two-digit year 69 is 2069");
	is_int(date("Sun, 06 Nov 1994 08:49:60 GMT"), imf + 22, "leap second read as :59");
	is_int(date(""), -1, "empty date refused");
	is_int(date("Sun,"), -1, "truncated date refused");
	is_int(after("Sun, 06 Nov 1994 08:49:37 GMT", imf * 1000 - 1000), 1000,
	       "date as Retry-After");
	return done_testing();
}
