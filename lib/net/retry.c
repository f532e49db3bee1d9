#include "net/retry.h"

#include "base/err.h"

#include <stdio.h>
#include <string.h>

#define DELTA_MAX_S 1000000000LL /* delta-seconds saturate here (~31 years) */

uint64_t
retry_rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

int
retry_status_retryable(int status)
{
	switch (status) {
	case 408:
	case 429:
	case 500:
	case 502:
	case 503:
	case 504:
		return 1;
	}
	return 0;
}

/* ---- HTTP-date ---------------------------------------------------------- */

struct cur {
	const char *p, *end;
};

static int
is_blank(int c)
{
	return c == ' ' || c == '\t';
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

static void
skip_blanks(struct cur *c)
{
	while (c->p < c->end && is_blank((unsigned char)*c->p))
		c->p++;
}

/* 1..max digits, no more; -1 when fewer than min */
static int
digits(struct cur *c, int min, int max, int *out)
{
	int n = 0, v = 0;

	while (c->p < c->end && n < max && is_digit((unsigned char)*c->p)) {
		v = v * 10 + (*c->p - '0');
		c->p++;
		n++;
	}
	if (n < min || (c->p < c->end && is_digit((unsigned char)*c->p)))
		return -1;
	*out = v;
	return n;
}

static int
word(struct cur *c, char *w, size_t wsize)
{
	size_t n = 0;

	while (c->p < c->end && is_alpha((unsigned char)*c->p)) {
		if (n + 1 >= wsize)
			return -1;
		w[n++] = (char)lower((unsigned char)*c->p);
		c->p++;
	}
	w[n] = '\0';
	return n ? 0 : -1;
}

static int
month_of(const char *w)
{
	static const char *const m[] = { "jan", "feb", "mar", "apr", "may", "jun",
		                         "jul", "aug", "sep", "oct", "nov", "dec" };
	int i;

	for (i = 0; i < 12; i++)
		if (strcmp(w, m[i]) == 0)
			return i + 1;
	return 0;
}

static int
weekday_ok(const char *w)
{
	static const char *const d[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
	static const char *const full[] = { "monday", "tuesday",  "wednesday", "thursday",
		                            "friday", "saturday", "sunday" };
	int i;

	for (i = 0; i < 7; i++)
		if (strcmp(w, d[i]) == 0 || strcmp(w, full[i]) == 0)
			return 1;
	return 0;
}

static int
expect(struct cur *c, char ch)
{
	if (c->p < c->end && *c->p == ch) {
		c->p++;
		return 0;
	}
	return -1;
}

static int
hms(struct cur *c, int *h, int *mi, int *s)
{
	if (digits(c, 2, 2, h) < 0 || expect(c, ':') < 0 || digits(c, 2, 2, mi) < 0 ||
	    expect(c, ':') < 0 || digits(c, 2, 2, s) < 0)
		return -1;
	return 0;
}

static int
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* days since 1970-01-01 (Howard Hinnant's days_from_civil) */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int
retry_http_date(const char *s, size_t len, int64_t *epoch_s)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	struct cur c = { s, s + len };
	char w[16];
	int day, mon, year, h, mi, sec, n;

	skip_blanks(&c);
	if (word(&c, w, sizeof(w)) < 0 || !weekday_ok(w))
		return -1;
	if (c.p < c.end && *c.p == ',') {
		/* IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT" or
		 * RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT" */
		c.p++;
		skip_blanks(&c);
		if (digits(&c, 1, 2, &day) < 0)
			return -1;
		if (c.p < c.end && *c.p == '-') {
			c.p++;
			if (word(&c, w, sizeof(w)) < 0 || !(mon = month_of(w)) ||
			    expect(&c, '-') < 0)
				return -1;
			if ((n = digits(&c, 2, 4, &year)) < 0 || n == 3)
				return -1;
		} else {
			skip_blanks(&c);
			if (word(&c, w, sizeof(w)) < 0 || !(mon = month_of(w)))
				return -1;
			skip_blanks(&c);
			if ((n = digits(&c, 2, 4, &year)) < 0 || n == 3)
				return -1;
		}
		if (n == 2) /* RFC 9110: no more than 50 years ahead; keep it simple */
			year += year < 70 ? 2000 : 1900;
		skip_blanks(&c);
		if (hms(&c, &h, &mi, &sec) < 0)
			return -1;
		skip_blanks(&c);
		if (word(&c, w, sizeof(w)) < 0 || (strcmp(w, "gmt") != 0 && strcmp(w, "utc") != 0))
			return -1;
	} else {
		/* asctime "Sun Nov  6 08:49:37 1994" */
		skip_blanks(&c);
		if (word(&c, w, sizeof(w)) < 0 || !(mon = month_of(w)))
			return -1;
		skip_blanks(&c);
		if (digits(&c, 1, 2, &day) < 0)
			return -1;
		skip_blanks(&c);
		if (hms(&c, &h, &mi, &sec) < 0)
			return -1;
		skip_blanks(&c);
		if (digits(&c, 4, 4, &year) < 0)
			return -1;
	}
	skip_blanks(&c);
	if (c.p != c.end)
		return -1;
	if (year < 1900 || day < 1 || day > mdays[mon - 1] + (mon == 2 && leap(year)) || h > 23 ||
	    mi > 59 || sec > 60)
		return -1;
	if (sec == 60) /* leap second */
		sec = 59;
	*epoch_s = days_from_civil(year, mon, day) * 86400 + h * 3600 + mi * 60 + sec;
	return 0;
}

int
retry_after_parse(const char *s, size_t len, int64_t wall_ms, int64_t *wait_ms)
{
	struct cur c = { s, s + len };
	int64_t v = 0, t;

	skip_blanks(&c);
	if (c.p < c.end && is_digit((unsigned char)*c.p)) {
		while (c.p < c.end && is_digit((unsigned char)*c.p)) {
			if (v < DELTA_MAX_S)
				v = v * 10 + (*c.p - '0');
			c.p++;
		}
		skip_blanks(&c);
		if (c.p != c.end)
			return -1;
		if (v > DELTA_MAX_S)
			v = DELTA_MAX_S;
		*wait_ms = v * 1000;
		return 0;
	}
	if (retry_http_date(s, len, &t) < 0)
		return -1;
	/* t is at most year 9999, ~2.5e11 s: no overflow in ms */
	*wait_ms = t * 1000 > wall_ms ? t * 1000 - wall_ms : 0;
	return 0;
}

/* ---- the decision ------------------------------------------------------- */

static void
describe(const struct retry_input *in, char *out, size_t n)
{
	if (in->kind == RETRY_RESPONSE)
		snprintf(out, n, "http %d", in->status);
	else
		snprintf(out, n, "network error");
}

enum retry_action
retry_decide(const struct retry_policy *p, const struct retry_input *in, uint64_t *rng,
             struct retry_decision *d)
{
	char what[32];
	int64_t remaining, ra, hi;
	int shift;

	memset(d, 0, sizeof(*d));
	if (in->kind == RETRY_RESPONSE && !retry_status_retryable(in->status))
		return d->action = RETRY_DONE;

	d->code = (in->kind == RETRY_RESPONSE && in->status == 429) ? EP_TEMPFAIL : EP_UNAVAILABLE;
	describe(in, what, sizeof(what));
	if (in->attempt >= p->max_retries) {
		snprintf(d->why, sizeof(d->why), "%s, gave up after %d %s", what, in->attempt,
		         in->attempt == 1 ? "retry" : "retries");
		return d->action = RETRY_GIVE_UP;
	}
	remaining = p->max_time_ms > 0 ? p->max_time_ms - in->elapsed_ms : INT64_MAX;
	if (remaining <= 0) {
		snprintf(d->why, sizeof(d->why),
		         "%s, gave up after %d %s: retry time of %lld ms spent", what, in->attempt,
		         in->attempt == 1 ? "retry" : "retries", (long long)p->max_time_ms);
		return d->action = RETRY_GIVE_UP;
	}
	if (in->kind == RETRY_RESPONSE && in->retry_after != NULL &&
	    retry_after_parse(in->retry_after, strlen(in->retry_after), in->wall_ms, &ra) == 0) {
		if (ra > remaining) {
			snprintf(d->why, sizeof(d->why),
			         "%s, Retry-After of %lld ms is past the retry time left (%lld ms)",
			         what, (long long)ra, (long long)remaining);
			return d->action = RETRY_GIVE_UP;
		}
		d->wait_ms = ra;
		d->retry_after_used = 1;
		return d->action = RETRY_AGAIN;
	}
	/* full jitter: uniform in [0, min(cap, base * 2^attempt)] */
	hi = p->base_ms > 0 ? p->base_ms : 0;
	for (shift = 0; shift < in->attempt && hi < p->cap_ms; shift++)
		hi = hi > INT64_MAX / 2 ? INT64_MAX : hi * 2;
	if (hi > p->cap_ms)
		hi = p->cap_ms > 0 ? p->cap_ms : 0;
	d->wait_ms = hi > 0 ? (int64_t)(retry_rng_next(rng) % (uint64_t)(hi + 1)) : 0;
	if (d->wait_ms > remaining)
		d->wait_ms = remaining;
	return d->action = RETRY_AGAIN;
}
