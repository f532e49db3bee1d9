/*
 * http.h - the one HTTP client, on libcurl (layer 3: net).
 *
 * Ownership: http_new returns a client you free with http_free; it copies
 * the strings of its http_opts (the clock and the redact registry are
 * borrowed and must outlive it).  A struct http_req is the caller's and is
 * only read: it and everything it points to (url, headers, body) must stay
 * valid until its request is finished.  A struct http_resp is the caller's:
 * http_resp_init it once, http_resp_release it when done; each request
 * overwrites it.  Header values returned by http_resp_header point into the
 * response and live until it is reused or released.
 *
 * One client = one curl multi handle with a pool of at most `concurrency`
 * easy handles, reused, so connections are kept alive and shared.  Every
 * request, alone (http_do) or concurrent (http_submit / http_next,
 * http_do_many), goes through the same path:
 *   1. the rate limit (--rate; each attempt, retries included, takes a slot);
 *   2. the transfer: gzip/deflate accepted, --connect-timeout and --timeout
 *      per attempt, TLS verified unless --insecure (--cacert FILE adds a CA
 *      bundle), proxies from the environment (http_proxy, https_proxy,
 *      no_proxy), redirects not followed (a 3xx goes back to the caller),
 *      "Expect: 100-continue" never sent;
 *   3. the retry policy of retry.h: connection failures and 408, 429, 500,
 *      502, 503, 504 are retried, the waits going through the ep_clock.
 *
 * Results of a request (rc of http_do, or http_done.rc):
 *   0   a response that is final for the retry policy, whatever its status
 *       (2xx, 3xx, 4xx, 501 ...): the caller interprets it.
 *  -1   err filled:
 *       EP_TEMPFAIL (75)    429 beyond --retries / --retry-max-time; the
 *                           last response is kept in resp.
 *       EP_UNAVAILABLE (69) 408/5xx beyond the budget (last response kept),
 *                           connection failures and timeouts beyond the
 *                           budget (resp->status 0), a certificate that does
 *                           not verify, and a body whose Content-Encoding
 *                           does not decode (garbage gzip).  The last is
 *                           NOT retried: a server that sends a broken
 *                           encoding once does so again, and retrying would
 *                           only spend the budget.  Also the (decoded)
 *                           body, or the headers, past max_body: not
 *                           retried, the same answer would come again
 *                           (raise --max-body); the server's answer, not
 *                           the request's data, so a stage stops rather
 *                           than reject the records it was about.
 *       EP_CONFIG (78)      a malformed URL, unsupported scheme, unreadable
 *                           --cacert file.
 *       EP_SOFTWARE (70)    out of memory, curl misuse.
 * Messages name the method and the URL, redacted.
 *
 * Retries re-send any method, POST included: the stream is "at least once"
 * (DESIGN.md) and load's writes are idempotent upserts -- except a request
 * marked once (a write that is not idempotent: an Odoo create, a NAV POST).
 * Its attempt is repeated only when it cannot have reached the server: the
 * connection was never made (refused, unresolved, TLS handshake), nothing
 * of the request was sent, or the answer was 408, 429 or 503 (the server
 * says it did not handle it).  Any other failure (reset, timeout, a cut
 * answer after the request went out, 500, 502, 504) is final at once:
 * rc -1, EP_UNAVAILABLE, and resp->lost set -- the write may have been
 * applied, and only the caller can find out (load reads the record again).
 *
 * --trace writes each attempt (request line, headers, body; response line,
 * headers, body; the retry decision) to trace_fp (stderr) as one block once
 * the attempt ends, so concurrent transfers do not interleave.  Everything
 * goes through redact_text: registered secret values and secret header and
 * field names become ***.  Bodies are shown up to trace_body_max bytes.  The
 * password of an http_req is added to the registry when tracing.
 */
#ifndef ERPIPE_HTTP_H
#define ERPIPE_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/redact.h"
#include "net/retry.h"

struct http_opts {
	int64_t connect_timeout_ms; /* --connect-timeout, default 10 s; 0 = curl's */
	int64_t timeout_ms;         /* --timeout, per attempt, default 300 s; 0 = none */
	int insecure;               /* --insecure: no TLS verification */
	const char *cacert;         /* --cacert FILE, or NULL */
	struct retry_policy retry;  /* --retries, --retry-max-time; RETRY_POLICY_DEFAULT */
	int64_t rate_n;             /* --rate: rate_n per rate_period_ms; 0 = none */
	int64_t rate_period_ms;
	int64_t rate_burst;           /* default 1 */
	size_t max_body;              /* --max-body, default 64 MiB (decoded bytes) */
	int concurrency;              /* --concurrency, default 1, at most 64 */
	int trace;                    /* --trace */
	FILE *trace_fp;               /* NULL = stderr */
	size_t trace_body_max;        /* default 4096 */
	const char *user_agent;       /* default "erpipe/VERSION" */
	const struct ep_clock *clock; /* NULL = ep_clock_system() */
	uint64_t seed;                /* jitter RNG; http_opts_init seeds from time and pid */
	struct redact *redact;        /* NULL = redact_default() */
};

enum http_auth {
	HTTP_AUTH_BASIC = 0,
	HTTP_AUTH_NTLM,
	HTTP_AUTH_ANY, /* whatever the server offers, strongest first */
};

struct http_resp;

struct http_req {
	const char *method; /* NULL: GET, or POST when body != NULL */
	const char *url;
	const char *const *headers; /* NULL-terminated "Name: value", or NULL */
	const char *body;           /* NULL = none */
	size_t body_len;
	const char *user; /* HTTP authentication when not NULL */
	const char *password;
	enum http_auth auth;
	/* Optional: asked about a response whose status the retry policy
	 * would retry (408, 429, 5xx); returning 1 makes it final, handed to
	 * the caller at once.  For protocols whose server errors are answers,
	 * not outages (Odoo JSON-2 sends a ValueError as a 500 with a JSON
	 * error body: the same request fails the same way again). */
	int (*final)(const struct http_resp *resp, void *ctx);
	void *final_ctx;
	int once; /* not idempotent: see "Retries" above */
};

struct http_resp {
	long status;       /* 0 when no response arrived */
	struct buf body;   /* decoded body, capped at max_body */
	struct buf hdrs;   /* "name\0value\0" pairs of the final response */
	int attempts;      /* requests sent for this http_req */
	int lost;          /* a once request's answer was lost after it was sent */
	int64_t waited_ms; /* total retry wait */
};

#define HTTP_MAX_CONCURRENCY 64
#define HTTP_MAX_BODY_MIN 4096 /* --max-body at least 4k */

struct http_client;

/* Defaults as documented above. */
void http_opts_init(struct http_opts *o);

struct http_client *http_new(const struct http_opts *o, struct ep_err *err);
void http_free(struct http_client *c);

void http_resp_init(struct http_resp *r);
void http_resp_release(struct http_resp *r);
/* First header of that name (any case), or NULL. */
const char *http_resp_header(const struct http_resp *r, const char *name);

/* One request, start to finish (no other request may be in flight).
 * Returns 0 or -1 as described above. */
int http_do(struct http_client *c, const struct http_req *req, struct http_resp *resp,
            struct ep_err *err);

/* Concurrent form.  http_submit queues a request (it starts as soon as a
 * handle is free and the rate limit allows); udata is handed back.
 * -1 only when the client cannot queue (out of memory). */
int http_submit(struct http_client *c, const struct http_req *req, struct http_resp *resp,
                void *udata, struct ep_err *err);

struct http_done {
	void *udata;
	struct http_resp *resp;
	int rc;            /* as http_do */
	struct ep_err err; /* when rc == -1 */
};

/* Run transfers until one request is finished: fills *d and returns 1;
 * returns 0 when nothing is queued or running.  Requests finish in any
 * order. */
int http_next(struct http_client *c, struct http_done *d);
size_t http_pending(const struct http_client *c);

/* n requests at once (up to the concurrency).  rcs[i] and errs[i] (errs
 * may be NULL) receive each result; returns 0 when all rcs are 0, else -1. */
int http_do_many(struct http_client *c, size_t n, const struct http_req *reqs,
                 struct http_resp *resps, int *rcs, struct ep_err *errs);

/* The retry policy p's wait before asking again after an answer that was
 * lost, malformed or cut (what the caller, not this client, retries: a
 * page that does not parse, a write read again by load): 1 after the wait
 * (attempt from 0, t0_ms the ep_now_ms of the first try); 0 when a budget
 * is spent: err's message gets " (why)" and its code EP_UNAVAILABLE. */
int http_again(const struct retry_policy *p, const struct ep_clock *clock, uint64_t *rng,
               int attempt, int64_t t0_ms, struct ep_err *err);

/* Option values.  All fail with EP_USAGE and a message naming the text.
 * Durations: a number of seconds ("30", "1.5") or with a unit
 * ("250ms", "30s", "2m", "2min", "1h"); at most a year. */
int http_parse_duration(const char *s, int64_t *ms, struct ep_err *err);
/* Sizes: bytes, or with k, M, G (powers of 1024, optional "B"/"iB"). */
int http_parse_size(const char *s, size_t *out, struct ep_err *err);
/* Rates: see ratelimit.h ("10/s", "600/min", "6000/5min"). */
int http_parse_rate(const char *s, int64_t *n, int64_t *period_ms, struct ep_err *err);
/* --retries: a whole number 0..1000. */
int http_parse_retries(const char *s, int *n, struct ep_err *err);

/* url for a message: as it is, or when longer than HTTP_URL_BRIEF (+32)
 * bytes (a lookup of 100 keys is 2 KB) its first HTTP_URL_BRIEF bytes and
 * "...[N bytes]"; written into out (HTTP_URL_BRIEF + 64 bytes is enough),
 * which is returned. */
#define HTTP_URL_BRIEF 160
const char *http_url_brief(const char *url, char *out, size_t n);

#endif
