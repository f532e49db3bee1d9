/*
 * retry.h - the one retry policy (layer 3: net).
 *
 * Ownership: everything here is plain values; nothing to free.  The RNG
 * state is a uint64_t the caller owns and seeds.  retry_decide() is a pure
 * function: it reads no clock, sleeps never and keeps no state besides
 * advancing *rng, so every wait it asks for can be asserted exactly.
 *
 * What is retried: a connection-level failure (refused, reset, dropped,
 * timed out: RETRY_NETWORK) and HTTP 408, 429, 500, 502, 503, 504.  Any
 * other status is final and goes back to the caller as it is.
 *
 * How long: a Retry-After header (delta-seconds or HTTP-date) is obeyed
 * exactly; without one the wait is "full jitter", uniform in
 * [0, min(cap_ms, base_ms * 2^attempt)].  Waits are bounded by two budgets:
 * max_retries (retries after the first attempt) and max_time_ms (time since
 * the first attempt began, 0 = no limit).  A jittered wait is cut to what is
 * left of max_time_ms; a Retry-After longer than what is left means give up
 * at once rather than retry too early.  Giving up maps 429 to EP_TEMPFAIL
 * (75, "try again later") and everything else to EP_UNAVAILABLE (69).
 */
#ifndef ERPIPE_RETRY_H
#define ERPIPE_RETRY_H

#include <stddef.h>
#include <stdint.h>

struct retry_policy {
	int max_retries;     /* retries after the first attempt (--retries) */
	int64_t max_time_ms; /* --retry-max-time; 0 = no limit */
	int64_t base_ms;     /* first backoff ceiling */
	int64_t cap_ms;      /* largest backoff ceiling */
};

/* 5 retries, 300 s budget, 500 ms doubling up to 30 s */
#define RETRY_POLICY_DEFAULT                                                                       \
	{                                                                                          \
		5, 300000, 500, 30000                                                              \
	}

enum retry_kind {
	RETRY_RESPONSE, /* an HTTP response arrived: status holds its code */
	RETRY_NETWORK,  /* no usable response: connect/resolve/reset/timeout */
};

struct retry_input {
	int attempt; /* 0 when the first attempt just failed */
	enum retry_kind kind;
	int status;              /* HTTP status for RETRY_RESPONSE */
	const char *retry_after; /* Retry-After header value, or NULL */
	int64_t wall_ms;         /* Unix epoch ms now (for HTTP-dates) */
	int64_t elapsed_ms;      /* ms since the first attempt started */
};

enum retry_action {
	RETRY_DONE,    /* not a retryable outcome: hand it to the caller */
	RETRY_AGAIN,   /* wait wait_ms, then try again */
	RETRY_GIVE_UP, /* retryable, but a budget is spent: code, why */
};

struct retry_decision {
	enum retry_action action;
	int64_t wait_ms;      /* RETRY_AGAIN */
	int code;             /* RETRY_GIVE_UP: EP_TEMPFAIL or EP_UNAVAILABLE */
	int retry_after_used; /* the wait came from Retry-After */
	char why[160];        /* RETRY_GIVE_UP: "gave up after 5 retries" … */
};

/* 1 for 408, 429, 500, 502, 503, 504. */
int retry_status_retryable(int status);

/* Fills *d and returns d->action. */
enum retry_action retry_decide(const struct retry_policy *p, const struct retry_input *in,
                               uint64_t *rng, struct retry_decision *d);

/* Parse a Retry-After value (outside input, any bytes): delta-seconds
 * ("120") or an HTTP-date in any of the three RFC 9110 forms (IMF-fixdate,
 * RFC 850, asctime).  Leading and trailing blanks are allowed.  Sets *wait_ms
 * to the wait from wall_ms (0 for a date in the past; delta-seconds saturate
 * at 10^9 s) and returns 0, or returns -1 when the text is neither form. */
int retry_after_parse(const char *s, size_t len, int64_t wall_ms, int64_t *wait_ms);

/* Parse an HTTP-date alone: 0 and *epoch_s, or -1. */
int retry_http_date(const char *s, size_t len, int64_t *epoch_s);

/* splitmix64: the generator behind the jitter, exposed for tests. */
uint64_t retry_rng_next(uint64_t *state);

#endif
