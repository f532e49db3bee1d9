#include "net/http.h"
#include "base/opt.h"

#include "base/log.h"
#include "base/ops.h"
#include "net/ratelimit.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#ifndef ERPIPE_VERSION
#define ERPIPE_VERSION "0"
#endif

#define HDRS_MAX (256 * 1024)   /* response header bytes kept */
#define TRACE_MAX (1024 * 1024) /* one traced attempt */
#define POLL_MAX_MS 1000

struct job {
	const struct http_req *req;
	struct http_resp *resp;
	void *udata;
	struct http_client *c;
	CURL *easy;
	struct curl_slist *slist;
	int attempt;        /* attempts finished */
	int64_t start_ms;   /* first attempt began (monotonic) */
	int64_t not_before; /* next attempt may start (monotonic) */
	int slot;           /* a rate-limit slot is held for the next attempt */
	int too_big;        /* 1 body, 2 headers past their cap */
	int rc;
	struct ep_err err;
	struct buf req_hdrs;  /* trace: request header block as sent */
	struct buf resp_hdrs; /* trace: response header block */
	char errbuf[CURL_ERROR_SIZE];
	struct job *next;
};

struct http_client {
	struct http_opts o;
	char *cacert, *user_agent;
	CURLM *multi;
	CURL *pool[HTTP_MAX_CONCURRENCY];
	int npool, nfree;
	CURL *free_easy[HTTP_MAX_CONCURRENCY];
	struct ratelimit rl;
	uint64_t rng;
	struct job *queue, *queue_tail; /* waiting for an attempt */
	struct job *done, *done_tail;   /* finished, not yet handed back */
	int running;
};

static int global_refs;

/* ---- options ------------------------------------------------------------ */

void
http_opts_init(struct http_opts *o)
{
	static const struct retry_policy rp = RETRY_POLICY_DEFAULT;
	struct timespec ts;

	memset(o, 0, sizeof(*o));
	o->connect_timeout_ms = 10000;
	o->timeout_ms = 300000;
	o->retry = rp;
	o->rate_burst = 1;
	o->max_body = 64u << 20;
	o->concurrency = 1;
	o->trace_body_max = 4096;
	clock_gettime(CLOCK_REALTIME, &ts);
	o->seed = ((uint64_t)ts.tv_sec * 1000000007u) ^ (uint64_t)ts.tv_nsec ^
	          ((uint64_t)getpid() << 32);
}

static char *
dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

struct http_client *
http_new(const struct http_opts *o, struct ep_err *err)
{
	struct http_client *c;

	if (o->concurrency < 1 || o->concurrency > HTTP_MAX_CONCURRENCY) {
		ep_errf(err, EP_USAGE, "concurrency %d out of range 1..%d", o->concurrency,
		        HTTP_MAX_CONCURRENCY);
		return NULL;
	}
	if (global_refs++ == 0 && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		global_refs--;
		ep_errf(err, EP_SOFTWARE, "cannot initialise libcurl");
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto oom;
	c->o = *o;
	c->o.cacert = NULL;
	c->o.user_agent = NULL;
	if (!c->o.clock)
		c->o.clock = ep_clock_system();
	if (!c->o.redact)
		c->o.redact = redact_default();
	if (!c->o.trace_fp)
		c->o.trace_fp = stderr;
	if ((o->cacert && (c->cacert = strdup(o->cacert)) == NULL) ||
	    (c->user_agent =
	             dup_or_null(o->user_agent ? o->user_agent : "erpipe/" ERPIPE_VERSION)) == NULL)
		goto oom;
	if ((c->multi = curl_multi_init()) == NULL)
		goto oom;
	curl_multi_setopt(c->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)o->concurrency);
	curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS, (long)o->concurrency);
	ratelimit_init(&c->rl, o->rate_n, o->rate_period_ms, o->rate_burst);
	c->rng = o->seed;
	return c;
oom:
	http_free(c);
	if (c == NULL && --global_refs == 0)
		curl_global_cleanup();
	ep_errf(err, EP_SOFTWARE, "out of memory");
	return NULL;
}

static void job_free(struct job *j);

/* The job whose attempt holds pool handle i, or NULL when it is free. */
static struct job *
busy_job(struct http_client *c, int i)
{
	struct job *j = NULL;
	int k;

	for (k = 0; k < c->nfree; k++)
		if (c->free_easy[k] == c->pool[i])
			return NULL;
	curl_easy_getinfo(c->pool[i], CURLINFO_PRIVATE, (char **)&j);
	return j;
}

void
http_free(struct http_client *c)
{
	struct job *j, *n;
	int i;

	if (c == NULL)
		return;
	for (j = c->queue; j; j = n) {
		n = j->next;
		job_free(j);
	}
	for (j = c->done; j; j = n) {
		n = j->next;
		job_free(j);
	}
	for (i = 0; i < c->npool; i++) {
		if ((j = busy_job(c, i)) != NULL)
			job_free(j); /* abandoned in flight */
		if (c->multi)
			curl_multi_remove_handle(c->multi, c->pool[i]);
		curl_easy_cleanup(c->pool[i]);
	}
	if (c->multi)
		curl_multi_cleanup(c->multi);
	free(c->cacert);
	free(c->user_agent);
	free(c);
	if (--global_refs == 0)
		curl_global_cleanup();
}

/* ---- responses ---------------------------------------------------------- */

void
http_resp_init(struct http_resp *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->body, 0);
	buf_init(&r->hdrs, HDRS_MAX);
}

void
http_resp_release(struct http_resp *r)
{
	buf_release(&r->body);
	buf_release(&r->hdrs);
}

const char *
http_resp_header(const struct http_resp *r, const char *name)
{
	const char *p = r->hdrs.p, *end = r->hdrs.p + r->hdrs.len, *v;

	if (p == NULL)
		return NULL;
	while (p < end) {
		v = p + strlen(p) + 1;
		if (v >= end)
			break;
		if (strcasecmp(p, name) == 0)
			return v;
		p = v + strlen(v) + 1;
	}
	return NULL;
}

/* ---- curl callbacks ----------------------------------------------------- */

static size_t
on_body(char *data, size_t size, size_t n, void *ud)
{
	struct job *j = ud;

	if (buf_add(&j->resp->body, data, size * n) < 0) {
		j->too_big = 1;
		return 0;
	}
	return size * n;
}

static size_t
on_header(char *data, size_t size, size_t n, void *ud)
{
	struct job *j = ud;
	struct http_resp *r = j->resp;
	size_t len = size * n, k;
	const char *colon;

	if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		/* a new response (after 1xx or an auth round): start over */
		buf_reset(&r->hdrs);
		buf_reset(&j->resp_hdrs);
	}
	if (j->c->o.trace)
		buf_add(&j->resp_hdrs, data, len); /* a full trace buffer just stops growing */
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		len--;
	if (len == 0 || (colon = memchr(data, ':', len)) == NULL)
		return size * n;
	k = (size_t)(colon - data);
	colon++;
	while (colon < data + len && (*colon == ' ' || *colon == '\t'))
		colon++;
	if (buf_add(&r->hdrs, data, k) < 0 || buf_addc(&r->hdrs, '\0') < 0 ||
	    buf_add(&r->hdrs, colon, (size_t)(data + len - colon)) < 0 ||
	    buf_addc(&r->hdrs, '\0') < 0) {
		j->too_big = 2;
		return 0;
	}
	return size * n;
}

static int
on_debug(CURL *h, curl_infotype type, char *data, size_t size, void *ud)
{
	struct job *j = ud;

	(void)h;
	if (type == CURLINFO_HEADER_OUT)
		buf_add(&j->req_hdrs, data, size);
	return 0;
}

/* ---- tracing ------------------------------------------------------------ */

/* Redact text and append it to out, each line prefixed. */
static void
trace_block(struct http_client *c, struct buf *out, const char *prefix, const char *text,
            size_t len, size_t show)
{
	struct buf red = BUF_INIT;
	size_t i, scan, more = 0;
	int bol = 1;

	/* Redact a window longer than what is shown by the longest encoded
	 * secret, so a secret starting in view is never cut in two. */
	scan = show && len > show + 6 * REDACT_MAX_LEN + 16 ? show + 6 * REDACT_MAX_LEN + 16 : len;
	buf_init(&red, 3 * scan + 64);
	if (redact_text(c->o.redact, text, scan, &red) < 0) {
		buf_release(&red);
		buf_addf(out, "%s[cannot redact: not shown]\n", prefix);
		return;
	}
	if (show && red.len > show) {
		more = len - show;
		red.len = show;
	}
	for (i = 0; i < red.len; i++) {
		unsigned char ch = (unsigned char)red.p[i];

		if (ch == '\r')
			continue;
		if (ch == '\n') {
			if (bol) /* an empty line: the prefix without its blank */
				buf_add(out, prefix, strcspn(prefix, " "));
			buf_addc(out, '\n');
			bol = 1;
		} else {
			if (bol)
				buf_adds(out, prefix);
			bol = 0;
			buf_addc(out, (ch < 0x20 && ch != '\t') || ch == 0x7f ? '.' : ch);
		}
	}
	if (!bol)
		buf_addc(out, '\n');
	if (more)
		buf_addf(out, "%s[%zu more bytes]\n", prefix, more);
	buf_release(&red);
}

static void
trace_url(struct http_client *c, struct buf *out, const char *url)
{
	struct buf red = BUF_INIT;

	buf_init(&red, 3 * strlen(url) + 64);
	if (redact_text(c->o.redact, url, strlen(url), &red) == 0)
		buf_add(out, red.p, red.len);
	else
		buf_adds(out, "[url not shown]");
	buf_release(&red);
}

static const char *
method_of(const struct http_req *r)
{
	return r->method ? r->method : r->body ? "POST" : "GET";
}

static void
trace_attempt(struct http_client *c, struct job *j, CURLcode res, const char *decision)
{
	struct buf t = BUF_INIT;
	const struct http_req *r = j->req;

	buf_init(&t, TRACE_MAX);
	buf_addf(&t, "* %s ", method_of(r));
	trace_url(c, &t, r->url);
	buf_addf(&t, " (attempt %d)\n", j->attempt);
	if (j->req_hdrs.len)
		trace_block(c, &t, "> ", j->req_hdrs.p, j->req_hdrs.len, 0);
	if (r->body && r->body_len)
		trace_block(c, &t, "> ", r->body, r->body_len, c->o.trace_body_max);
	if (j->resp_hdrs.len)
		trace_block(c, &t, "< ", j->resp_hdrs.p, j->resp_hdrs.len, 0);
	if (j->resp->body.len)
		trace_block(c, &t, "< ", j->resp->body.p, j->resp->body.len, c->o.trace_body_max);
	if (res != CURLE_OK)
		buf_addf(&t, "* error: %s\n", j->errbuf[0] ? j->errbuf : curl_easy_strerror(res));
	if (decision)
		buf_addf(&t, "* %s\n", decision);
	fwrite(buf_str(&t), 1, t.len, c->o.trace_fp);
	fflush(c->o.trace_fp);
	buf_release(&t);
}

/* ---- jobs --------------------------------------------------------------- */

static void
job_free(struct job *j)
{
	curl_slist_free_all(j->slist);
	buf_release(&j->req_hdrs);
	buf_release(&j->resp_hdrs);
	free(j);
}

static void
push(struct job **head, struct job **tail, struct job *j)
{
	j->next = NULL;
	if (*tail)
		(*tail)->next = j;
	else
		*head = j;
	*tail = j;
}

static void
unlink_job(struct job **head, struct job **tail, struct job *j, struct job *prev)
{
	if (prev)
		prev->next = j->next;
	else
		*head = j->next;
	if (*tail == j)
		*tail = prev;
	j->next = NULL;
}

static void
finish(struct http_client *c, struct job *j, int rc)
{
	j->rc = rc;
	push(&c->done, &c->done_tail, j);
}

const char *
http_url_brief(const char *url, char *out, size_t n)
{
	size_t len = strlen(url), keep = HTTP_URL_BRIEF;

	if (len <= HTTP_URL_BRIEF + 32 || n < HTTP_URL_BRIEF + 48) {
		snprintf(out, n, "%s", url);
		return out;
	}
	while (keep > 0 && ((unsigned char)url[keep] & 0xC0) == 0x80)
		keep--; /* not inside a UTF-8 character */
	snprintf(out, n, "%.*s...[%zu bytes]", (int)keep, url, len);
	return out;
}

static int
job_fail(struct http_client *c, struct job *j, int code, const char *why)
{
	struct buf u = BUF_INIT;
	char brief[HTTP_URL_BRIEF + 64];

	buf_init(&u, 8192);
	trace_url(c, &u, j->req->url);
	ep_errf(&j->err, code, "%s '%s': %s", method_of(j->req),
	        http_url_brief(buf_str(&u), brief, sizeof(brief)), why);
	buf_release(&u);
	finish(c, j, -1);
	return -1;
}

static CURL *
take_easy(struct http_client *c)
{
	CURL *h;

	if (c->nfree > 0) {
		h = c->free_easy[--c->nfree];
		curl_easy_reset(h); /* keeps the connection, DNS and TLS session caches */
		return h;
	}
	if (c->npool >= c->o.concurrency || (h = curl_easy_init()) == NULL)
		return NULL;
	c->pool[c->npool++] = h;
	return h;
}

static void
give_easy(struct http_client *c, CURL *h)
{
	c->free_easy[c->nfree++] = h;
}

#define SET(opt, val)                                                                              \
	do {                                                                                       \
		if (curl_easy_setopt(h, opt, val) != CURLE_OK)                                     \
			goto bad;                                                                  \
	} while (0)

/* Start the next attempt of j.  0, or -1 when j is finished with an error. */
static int
start(struct http_client *c, struct job *j)
{
	const struct http_req *r = j->req;
	const char *m = method_of(r);
	const char *const *hp;
	CURL *h;
	CURLMcode mc;

	if ((h = take_easy(c)) == NULL)
		return job_fail(c, j, EP_SOFTWARE, "cannot get a curl handle");
	j->easy = h;
	curl_slist_free_all(j->slist);
	j->slist = NULL;
	for (hp = r->headers; hp && *hp; hp++)
		if ((j->slist = curl_slist_append(j->slist, *hp)) == NULL)
			goto oom;
	/* a server that ignores Expect would cost a second per POST */
	if ((j->slist = curl_slist_append(j->slist, "Expect:")) == NULL)
		goto oom;
	buf_reset(&j->resp->body);
	buf_reset(&j->resp->hdrs);
	buf_reset(&j->req_hdrs);
	buf_reset(&j->resp_hdrs);
	j->resp->body.max = c->o.max_body;
	j->resp->status = 0;
	j->too_big = 0;
	j->errbuf[0] = '\0';

	SET(CURLOPT_URL, r->url);
	SET(CURLOPT_PRIVATE, j);
	SET(CURLOPT_ERRORBUFFER, j->errbuf);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_ACCEPT_ENCODING, "");
	SET(CURLOPT_TCP_KEEPALIVE, 1L);
	SET(CURLOPT_USERAGENT, c->user_agent);
	SET(CURLOPT_HTTPHEADER, j->slist);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, j);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, j);
	SET(CURLOPT_CONNECTTIMEOUT_MS, (long)c->o.connect_timeout_ms);
	SET(CURLOPT_TIMEOUT_MS, (long)c->o.timeout_ms);
	SET(CURLOPT_SSL_VERIFYPEER, c->o.insecure ? 0L : 1L);
	SET(CURLOPT_SSL_VERIFYHOST, c->o.insecure ? 0L : 2L);
	if (c->cacert)
		SET(CURLOPT_CAINFO, c->cacert);
	if (c->o.trace) {
		SET(CURLOPT_DEBUGFUNCTION, on_debug);
		SET(CURLOPT_DEBUGDATA, j);
		SET(CURLOPT_VERBOSE, 1L);
	}
	if (r->user) {
		SET(CURLOPT_USERNAME, r->user);
		SET(CURLOPT_PASSWORD, r->password ? r->password : "");
		SET(CURLOPT_HTTPAUTH, r->auth == HTTP_AUTH_NTLM  ? CURLAUTH_NTLM
		                      : r->auth == HTTP_AUTH_ANY ? CURLAUTH_ANY
		                                                 : CURLAUTH_BASIC);
	}
	if (strcmp(m, "HEAD") == 0) {
		SET(CURLOPT_NOBODY, 1L);
	} else if (r->body) {
		SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
		SET(CURLOPT_POSTFIELDS, r->body);
		if (strcmp(m, "POST") != 0)
			SET(CURLOPT_CUSTOMREQUEST, m);
	} else if (strcmp(m, "GET") != 0) {
		SET(CURLOPT_CUSTOMREQUEST, m);
	}
	if ((mc = curl_multi_add_handle(c->multi, h)) != CURLM_OK) {
		give_easy(c, h);
		j->easy = NULL;
		return job_fail(c, j, EP_SOFTWARE, curl_multi_strerror(mc));
	}
	if (j->attempt == 0)
		j->start_ms = ep_now_ms(c->o.clock);
	j->resp->attempts++;
	c->running++;
	return 0;
bad:
	give_easy(c, h);
	j->easy = NULL;
	return job_fail(c, j, EP_SOFTWARE, "cannot set up the transfer");
oom:
	give_easy(c, h);
	j->easy = NULL;
	return job_fail(c, j, EP_SOFTWARE, "out of memory");
}

#undef SET

/* Errors that say the exchange failed on the way and may work next time. */
static int
curl_retryable(CURLcode res)
{
	switch (res) {
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

/* A once request's attempt that failed this way may have reached the
 * server (http.h, "Retries"): sent is what curl says it sent. */
static int
may_have_reached(CURLcode res, long status, long sent)
{
	if (res == CURLE_OK)
		return status == 500 || status == 502 || status == 504;
	switch (res) {
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SSL_CONNECT_ERROR:
		return 0;
	default:
		return sent > 0;
	}
}

/* The run's counts (lib/ops): the attempt by its status class, its bytes. */
static void
count_attempt(CURL *h, long status)
{
	curl_off_t up = 0, down = 0;
	long hdr = 0, req = 0;

	ops.http[status >= 100 && status < 600 ? status / 100 : 0]++;
	curl_easy_getinfo(h, CURLINFO_SIZE_UPLOAD_T, &up);
	curl_easy_getinfo(h, CURLINFO_SIZE_DOWNLOAD_T, &down);
	curl_easy_getinfo(h, CURLINFO_HEADER_SIZE, &hdr);
	curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &req);
	ops.bytes_sent += (uint64_t)up + (uint64_t)req;
	ops.bytes_received += (uint64_t)down + (uint64_t)hdr;
}

/* An attempt ended: finish the job or queue its next attempt. */
static void
attempt_done(struct http_client *c, struct job *j, CURLcode res)
{
	struct retry_input in;
	struct retry_decision d;
	char note[256], why[768];
	const char *cerr;
	long status = 0, sent = 0;
	int code;

	curl_multi_remove_handle(c->multi, j->easy);
	curl_easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(j->easy, CURLINFO_REQUEST_SIZE, &sent);
	count_attempt(j->easy, res == CURLE_OK ? status : 0);
	give_easy(c, j->easy);
	j->easy = NULL;
	c->running--;
	j->attempt++;
	cerr = j->errbuf[0] ? j->errbuf : curl_easy_strerror(res);

	if (res != CURLE_OK && !curl_retryable(res)) {
		if (j->too_big) {
			if (j->too_big == 2)
				snprintf(why, sizeof(why), "response headers over the %d-byte cap",
				         HDRS_MAX);
			else
				snprintf(why, sizeof(why),
				         "response body over the %zu-byte cap (--max-body)",
				         c->o.max_body);
			/* the server's answer, not the request's data: a stage
			 * must stop, not reject the records it was about */
			code = EP_UNAVAILABLE;
		} else if (res == CURLE_BAD_CONTENT_ENCODING) {
			snprintf(why, sizeof(why), "bad content encoding from the server: %s",
			         cerr);
			code = EP_UNAVAILABLE;
		} else if (res == CURLE_PEER_FAILED_VERIFICATION) {
			snprintf(why, sizeof(why),
			         "%s (--cacert FILE names a CA, --insecure skips the check)", cerr);
			code = EP_UNAVAILABLE;
		} else if (res == CURLE_URL_MALFORMAT || res == CURLE_UNSUPPORTED_PROTOCOL ||
		           res == CURLE_SSL_CACERT_BADFILE) {
			snprintf(why, sizeof(why), "%s", cerr);
			code = EP_CONFIG;
		} else {
			snprintf(why, sizeof(why), "%s", cerr);
			code = res == CURLE_OUT_OF_MEMORY ? EP_SOFTWARE : EP_UNAVAILABLE;
		}
		j->resp->status = status;
		if (c->o.trace)
			trace_attempt(c, j, res, "not retried");
		job_fail(c, j, code, why);
		return;
	}
	j->resp->status = res == CURLE_OK ? status : 0;
	in.attempt = j->attempt - 1;
	in.kind = res == CURLE_OK ? RETRY_RESPONSE : RETRY_NETWORK;
	in.status = (int)j->resp->status;
	in.retry_after = res == CURLE_OK ? http_resp_header(j->resp, "Retry-After") : NULL;
	in.wall_ms = ep_wall_ms(c->o.clock);
	in.elapsed_ms = ep_now_ms(c->o.clock) - j->start_ms;
	retry_decide(&c->o.retry, &in, &c->rng, &d);
	if (d.action != RETRY_DONE && res == CURLE_OK && j->req->final &&
	    j->req->final(j->resp, j->req->final_ctx))
		d.action = RETRY_DONE; /* the server's answer, not an outage */
	if (d.action != RETRY_DONE && j->req->once &&
	    may_have_reached(res, j->resp->status, sent)) {
		/* not idempotent, and it may have been applied: not repeated */
		j->resp->lost = 1;
		if (res != CURLE_OK)
			snprintf(why, sizeof(why), "the answer was lost (%s): not sent again",
			         cerr);
		else
			snprintf(why, sizeof(why), "HTTP %ld: the answer was lost: not sent again",
			         j->resp->status);
		if (c->o.trace)
			trace_attempt(c, j, res, "not retried: the write may have been applied");
		job_fail(c, j, EP_UNAVAILABLE, why);
		return;
	}
	switch (d.action) {
	case RETRY_DONE:
		if (c->o.trace)
			trace_attempt(c, j, res, NULL);
		finish(c, j, 0);
		return;
	case RETRY_GIVE_UP:
		if (res != CURLE_OK)
			snprintf(why, sizeof(why), "%s: %s", d.why, cerr);
		else
			snprintf(why, sizeof(why), "%s", d.why);
		if (c->o.trace) {
			snprintf(note, sizeof(note), "giving up: %s", d.why);
			trace_attempt(c, j, res, note);
		}
		job_fail(c, j, d.code, why);
		return;
	case RETRY_AGAIN:
		if (c->o.trace) {
			snprintf(note, sizeof(note), "retry %d of %d in %lld ms%s", j->attempt,
			         c->o.retry.max_retries, (long long)d.wait_ms,
			         d.retry_after_used ? " (Retry-After)" : "");
			trace_attempt(c, j, res, note);
		}
		j->resp->waited_ms += d.wait_ms;
		ops.retries++;
		ops.wait_ms += d.wait_ms;
		if (j->resp->status == 429)
			ops.waits++;
		j->not_before = ep_now_ms(c->o.clock) + d.wait_ms;
		j->slot = 0;
		push(&c->queue, &c->queue_tail, j);
		return;
	}
}

/* ---- the loop ----------------------------------------------------------- */

int
http_submit(struct http_client *c, const struct http_req *req, struct http_resp *resp, void *udata,
            struct ep_err *err)
{
	struct job *j;

	if ((j = calloc(1, sizeof(*j))) == NULL)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	j->req = req;
	j->resp = resp;
	j->udata = udata;
	j->c = c;
	buf_init(&j->req_hdrs, TRACE_MAX);
	buf_init(&j->resp_hdrs, TRACE_MAX);
	resp->attempts = 0;
	resp->waited_ms = 0;
	resp->status = 0;
	resp->lost = 0;
	if (c->o.trace && req->password)
		redact_add(c->o.redact, req->password, strlen(req->password));
	j->not_before = ep_now_ms(c->o.clock);
	push(&c->queue, &c->queue_tail, j);
	return 0;
}

size_t
http_pending(const struct http_client *c)
{
	const struct job *j;
	size_t n = (size_t)c->running;

	for (j = c->queue; j; j = j->next)
		n++;
	for (j = c->done; j; j = j->next)
		n++;
	return n;
}

/* Start what may start; return the ms until the earliest waiting job is
 * due (INT64_MAX when none waits, or no handle is free). */
static int64_t
start_due(struct http_client *c)
{
	struct job *j, *prev = NULL, *next;
	int64_t now = ep_now_ms(c->o.clock), w, soonest = INT64_MAX;

	for (j = c->queue; j && c->running < c->o.concurrency; j = next) {
		next = j->next;
		if (j->not_before > now) {
			if (j->not_before - now < soonest)
				soonest = j->not_before - now;
			prev = j;
			continue;
		}
		if (!j->slot) {
			j->slot = 1;
			if ((w = ratelimit_reserve(&c->rl, now)) > 0) {
				ops.waits++;
				ops.wait_ms += w;
				j->not_before = now + w;
				if (w < soonest)
					soonest = w;
				prev = j;
				continue;
			}
		}
		unlink_job(&c->queue, &c->queue_tail, j, prev);
		start(c, j);
	}
	if (c->running >= c->o.concurrency)
		return INT64_MAX;
	return soonest;
}

static void
collect(struct http_client *c)
{
	CURLMsg *m;
	struct job *j;
	int left;

	while ((m = curl_multi_info_read(c->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		j = NULL;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&j);
		if (j)
			attempt_done(c, j, m->data.result);
	}
}

static void
pop_done(struct http_client *c, struct http_done *d)
{
	struct job *j = c->done;

	c->done = j->next;
	if (c->done == NULL)
		c->done_tail = NULL;
	d->udata = j->udata;
	d->resp = j->resp;
	d->rc = j->rc;
	d->err = j->err;
	job_free(j);
}

static void
fail_inflight(struct http_client *c, const char *why)
{
	struct job *j;
	int i;

	for (i = 0; i < c->npool; i++) {
		if ((j = busy_job(c, i)) == NULL)
			continue;
		curl_multi_remove_handle(c->multi, c->pool[i]);
		give_easy(c, c->pool[i]);
		c->running--;
		j->easy = NULL;
		job_fail(c, j, EP_SOFTWARE, why);
	}
}

int
http_next(struct http_client *c, struct http_done *d)
{
	int64_t wait;
	int still;
	CURLMcode mc;

	memset(d, 0, sizeof(*d));
	for (;;) {
		if (c->done) {
			pop_done(c, d);
			return 1;
		}
		wait = start_due(c);
		if (c->done)
			continue;
		if (c->running == 0) {
			if (c->queue == NULL)
				return 0;
			/* nothing in flight: the wait is all there is to do */
			ep_sleep_ms(c->o.clock, wait == INT64_MAX ? 1 : wait);
			continue;
		}
		if ((mc = curl_multi_perform(c->multi, &still)) != CURLM_OK)
			goto broken;
		collect(c);
		if (c->done)
			continue;
		if (still > 0 || c->running > 0) {
			if (wait > POLL_MAX_MS)
				wait = POLL_MAX_MS;
			if ((mc = curl_multi_poll(c->multi, NULL, 0, (int)wait, NULL)) != CURLM_OK)
				goto broken;
		}
	}
broken:
	/* the multi handle is unusable: fail whatever is in flight */
	fail_inflight(c, curl_multi_strerror(mc));
	if (c->done) {
		pop_done(c, d);
		return 1;
	}
	return 0;
}

int
http_do(struct http_client *c, const struct http_req *req, struct http_resp *resp,
        struct ep_err *err)
{
	struct http_done d;

	if (http_pending(c) != 0)
		return ep_errf(err, EP_SOFTWARE, "http_do called with requests in flight");
	if (http_submit(c, req, resp, NULL, err) < 0)
		return -1;
	if (http_next(c, &d) != 1)
		return ep_errf(err, EP_SOFTWARE, "request lost");
	if (d.rc < 0 && err)
		*err = d.err;
	return d.rc;
}

int
http_do_many(struct http_client *c, size_t n, const struct http_req *reqs, struct http_resp *resps,
             int *rcs, struct ep_err *errs)
{
	struct http_done d;
	struct ep_err e = EP_ERR_INIT;
	size_t i, k;
	int rc = 0;

	if (http_pending(c) != 0)
		return ep_errf(errs, EP_SOFTWARE, "http_do_many called with requests in flight");
	for (i = 0; i < n; i++) {
		rcs[i] = -1;
		if (http_submit(c, &reqs[i], &resps[i], (void *)(uintptr_t)(i + 1), &e) < 0) {
			if (errs)
				errs[i] = e;
			rc = -1;
		}
	}
	while (http_next(c, &d) == 1) {
		k = (size_t)(uintptr_t)d.udata - 1;
		rcs[k] = d.rc;
		if (d.rc < 0)
			rc = -1;
		if (errs)
			errs[k] = d.err;
	}
	return rc;
}

int
http_again(const struct retry_policy *p, const struct ep_clock *clock, uint64_t *rng, int attempt,
           int64_t t0_ms, struct ep_err *err)
{
	struct retry_input in;
	struct retry_decision d;
	size_t n;

	if (clock == NULL)
		clock = ep_clock_system();
	memset(&in, 0, sizeof(in));
	in.attempt = attempt;
	in.kind = RETRY_NETWORK; /* as a dropped connection: the answer is lost */
	in.wall_ms = ep_wall_ms(clock);
	in.elapsed_ms = ep_now_ms(clock) - t0_ms;
	if (retry_decide(p, &in, rng, &d) == RETRY_AGAIN) {
		ep_info(1, "a lost, malformed or cut answer: again in %lld ms",
		        (long long)d.wait_ms);
		ep_sleep_ms(clock, d.wait_ms);
		return 1;
	}
	n = strlen(err->msg);
	snprintf(err->msg + n, sizeof(err->msg) - n, " (%s)", d.why);
	err->code = EP_UNAVAILABLE;
	return 0;
}

/* ---- option values ------------------------------------------------------ */

int
http_parse_duration(const char *s, int64_t *ms, struct ep_err *err)
{
	static const struct {
		const char *u;
		int64_t ms;
	} units[] = {
		{ "", 1000 },     { "s", 1000 },    { "ms", 1 },     { "m", 60000 },
		{ "min", 60000 }, { "h", 3600000 }, { "sec", 1000 },
	};
	const char *p = s;
	int64_t whole = 0, frac = 0, scale = 1;
	size_t i;

	if (*p < '0' || *p > '9')
		goto bad;
	for (; *p >= '0' && *p <= '9'; p++)
		if ((whole = whole * 10 + (*p - '0')) > 31536000000LL)
			goto bad;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			goto bad;
		for (; *p >= '0' && *p <= '9'; p++)
			if (scale < 1000000) {
				frac = frac * 10 + (*p - '0');
				scale *= 10;
			}
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(p, units[i].u) == 0) {
			int64_t v = whole * units[i].ms + frac * units[i].ms / scale;

			if (v > 31536000000LL)
				goto bad;
			*ms = v;
			return 0;
		}
	}
bad:
	return ep_errf(err, EP_USAGE,
	               "bad duration '%s': expected seconds, or a number with ms, s, m or h", s);
}

int
http_parse_size(const char *s, size_t *out, struct ep_err *err)
{
	uint64_t v;

	if (ep_parse_size(s, &v) < 0 || v > SIZE_MAX / 2)
		return ep_errf(err, EP_USAGE,
		               "bad size '%s': expected bytes, or a number with k, M or G", s);
	*out = (size_t)v;
	return 0;
}

int
http_parse_rate(const char *s, int64_t *n, int64_t *period_ms, struct ep_err *err)
{
	return ratelimit_parse(s, n, period_ms, err);
}

int
http_parse_retries(const char *s, int *n, struct ep_err *err)
{
	long v;

	if (ep_parse_long(s, 0, 1000, &v) < 0)
		return ep_errf(err, EP_USAGE, "bad retry count '%s': expected 0 to 1000", s);
	*n = (int)v;
	return 0;
}
