/*
 * t-http: the HTTP client against tests/sandbox/scripted.py on 127.0.0.1.
 * A fake clock records every wait asked for and returns at once, so waits
 * are asserted exactly in milliseconds; the server's log says what arrived.
 */
#include "tap.h"
#include "base/err.h"
#include "net/http.h"
#include "base/redact.h"
#include "net/retry.h"

#include <cjson/cJSON.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "scripted.h"

/* ---- helpers -------------------------------------------------------------- */

static struct http_opts O;

static void
opts_reset(void)
{
	scripted_http_opts(&O);
}

static struct http_client *
client(void)
{
	struct ep_err e = EP_ERR_INIT;
	struct http_client *c = http_new(&O, &e);

	if (!c)
		diag("http_new: %s", e.msg);
	F.n = 0;
	return c;
}

/* the waits the client must ask for with seed 7 and no Retry-After */
static int64_t
jitter(uint64_t *rng, int attempt)
{
	int64_t hi = 500LL << attempt;

	if (hi > 30000)
		hi = 30000;
	return (int64_t)(retry_rng_next(rng) % (uint64_t)(hi + 1));
}

static int
closed_port(void)
{
	struct sockaddr_in a;
	socklen_t n = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0), p;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(s, (struct sockaddr *)&a, sizeof(a));
	getsockname(s, (struct sockaddr *)&a, &n);
	p = ntohs(a.sin_port);
	close(s);
	return p;
}

/* ---- the cases ------------------------------------------------------------ */

static void
t_get_gzip_keepalive(void)
{
	struct http_client *c;
	struct http_resp r;
	struct http_req q = { 0 };
	struct ep_err e = EP_ERR_INIT;
	const char *hs[] = { "Accept: application/json", "X-Test: 1", NULL };
	cJSON *log;

	opts_reset();
	srv_start("[{\"body\": \"{\\\"hello\\\": \\\"world\\\"}\", \"gzip\": true,"
	          "  \"headers\": {\"X-Thing\": \"yes\", \"Content-Type\": \"application/json\"}},"
	          " {\"status\": 404, \"body\": \"nope\"},"
	          " {\"status\": 201, \"body\": \"made\"}]");
	c = client();
	http_resp_init(&r);
	q.url = url("/a?x=1");
	q.headers = hs;
	is_int(http_do(c, &q, &r, &e), 0, "GET 200");
	is_int(r.status, 200, "status 200");
	is_str(buf_str(&r.body), "{\"hello\": \"world\"}", "gzip body decoded");
	is_str(http_resp_header(&r, "x-thing"), "yes", "header lookup ignores case");
	is_str(http_resp_header(&r, "Content-Encoding"), "gzip", "Content-Encoding kept");
	ok(http_resp_header(&r, "X-Missing") == NULL, "absent header is NULL");
	is_int(r.attempts, 1, "one attempt");
	q.url = url("/b");
	q.headers = NULL;
	is_int(http_do(c, &q, &r, &e), 0, "404 is a final answer, rc 0");
	is_int(r.status, 404, "status 404");
	is_str(buf_str(&r.body), "nope", "404 body");
	is_int(r.attempts, 1, "404 not retried");
	q.method = "PUT";
	q.url = url("/c");
	q.body = "{\"a\":1}";
	q.body_len = 7;
	is_int(http_do(c, &q, &r, &e), 0, "PUT");
	is_int(r.status, 201, "status 201");
	is_int(F.n, 0, "no waits");
	log = srv_log();
	is_int(cJSON_GetArraySize(log), 3, "server saw three requests");
	is_str(jstr(cJSON_GetArrayItem(log, 0), "method"), "GET", "GET");
	is_str(jstr(cJSON_GetArrayItem(log, 0), "path"), "/a?x=1", "path and query");
	ok(strstr(req_header(log, 0, "Accept-Encoding"), "gzip") != NULL, "asked for gzip");
	is_str(req_header(log, 0, "X-Test"), "1", "caller's header sent");
	ok(strncmp(req_header(log, 0, "User-Agent"), "erpipe/", 7) == 0, "User-Agent erpipe/");
	is_str(req_header(log, 2, "Expect"), "", "no Expect: 100-continue");
	is_str(jstr(cJSON_GetArrayItem(log, 2), "method"), "PUT", "PUT method");
	is_str(jstr(cJSON_GetArrayItem(log, 2), "body"), "{\"a\":1}", "PUT body arrived");
	ok(jint(cJSON_GetArrayItem(log, 0), "conn") == jint(cJSON_GetArrayItem(log, 1), "conn") &&
	           jint(cJSON_GetArrayItem(log, 1), "conn") ==
	                   jint(cJSON_GetArrayItem(log, 2), "conn"),
	   "keep-alive: one connection for all three");
	cJSON_Delete(log);
	http_resp_release(&r);
	http_free(c);
}

static void
t_429_retry_after(void)
{
	struct http_client *c;
	struct http_resp r;
	struct http_req q = { 0 };
	struct ep_err e = EP_ERR_INIT;
	cJSON *log;

	opts_reset();
	srv_start(
		"[{\"status\": 429, \"headers\": {\"Retry-After\": \"2\"}},"
		" {\"status\": 429, \"headers\": {\"Retry-After\": \"Tue, 14 Nov 2023 22:13:23 GMT\"}},"
		" {\"body\": \"finally\"}]");
	c = client();
	http_resp_init(&r);
	q.url = url("/limited");
	/* the date is 1700000003 s; make the wall clock read 3.5 s before it at
	 * the second answer, i.e. after the first wait of 2000 ms */
	F.wall0 = 1700000003000LL - 3500 - (F.now + 2000);
	is_int(http_do(c, &q, &r, &e), 0, "429, 429, 200: rc 0");
	is_int(r.status, 200, "ends with 200");
	is_str(buf_str(&r.body), "finally", "body of the last answer");
	is_int(r.attempts, 3, "three attempts");
	is_int(F.n, 2, "two waits");
	is_int(F.waits[0], 2000, "Retry-After: 2 waits exactly 2000 ms");
	is_int(F.waits[1], 3500, "Retry-After HTTP-date waits exactly 3500 ms");
	is_int(r.waited_ms, 5500, "waited_ms adds them up");
	log = srv_log();
	is_int(cJSON_GetArraySize(log), 3, "server saw three requests");
	cJSON_Delete(log);
	http_free(c);

	/* Retry-After past --retry-max-time: give up at once, 75 */
	opts_reset();
	O.retry.max_time_ms = 60000;
	srv_start(
		"[{\"status\": 429, \"headers\": {\"Retry-After\": \"120\"}, \"body\": \"slow down\"},"
		" {\"body\": \"never\"}]");
	c = client();
	q.url = url("/limited");
	is_int(http_do(c, &q, &r, &e), -1, "Retry-After 120 s with --retry-max-time 60: rc -1");
	is_int(e.code, EP_TEMPFAIL, "exit 75");
	diag("%s", e.msg);
	ok(strstr(e.msg, "GET '") && strstr(e.msg, "/limited'") && strstr(e.msg, "Retry-After"),
	   "message names method, url and Retry-After");
	is_int(r.status, 429, "the 429 is kept");
	is_str(buf_str(&r.body), "slow down", "... with its body");
	is_int(F.n, 0, "no wait at all");
	is_int(log_count(), 1, "server saw one request");
	http_free(c);

	/* 429 beyond --retries: 75 after exactly the retries asked */
	opts_reset();
	O.retry.max_retries = 2;
	srv_start("[{\"status\": 429, \"headers\": {\"Retry-After\": \"1\"}},"
	          " {\"status\": 429, \"headers\": {\"Retry-After\": \"1\"}},"
	          " {\"status\": 429, \"headers\": {\"Retry-After\": \"1\"}},"
	          " {\"body\": \"never\"}]");
	c = client();
	q.url = url("/limited");
	is_int(http_do(c, &q, &r, &e), -1, "429 three times with --retries 2: rc -1");
	is_int(e.code, EP_TEMPFAIL, "exit 75");
	ok(strstr(e.msg, "gave up after 2 retries") != NULL, "message says so");
	ok(F.n == 2 && F.waits[0] == 1000 && F.waits[1] == 1000, "waits 1000, 1000");
	is_int(r.attempts, 3, "three attempts");
	is_int(log_count(), 3, "server saw three requests");
	http_resp_release(&r);
	http_free(c);
}

static void
t_503(void)
{
	struct http_client *c;
	struct http_resp r;
	struct http_req q = { 0 };
	struct ep_err e = EP_ERR_INIT;
	uint64_t rng;
	int i, good;

	opts_reset();
	srv_start("[{\"status\": 503, \"body\": \"busy\"}, {\"body\": \"ok\"}]");
	c = client();
	http_resp_init(&r);
	q.url = url("/x");
	rng = O.seed;
	is_int(http_do(c, &q, &r, &e), 0, "503 then 200: rc 0");
	is_int(r.status, 200, "status 200");
	is_str(buf_str(&r.body), "ok", "body of the 200, not of the 503");
	is_int(F.n, 1, "one wait");
	is_int(F.waits[0], jitter(&rng, 0), "the wait is the seeded full jitter over [0, 500]");
	is_int(log_count(), 2, "server saw two requests");
	http_free(c);

	/* 503 six times: five retries with growing jitter, then 69 */
	opts_reset();
	srv_start(
		"[{\"status\": 503}, {\"status\": 502}, {\"status\": 504}, {\"status\": 500},"
		" {\"status\": 408}, {\"status\": 503, \"body\": \"still busy\"}, {\"body\": \"no\"}]");
	c = client();
	q.url = url("/x");
	rng = O.seed;
	is_int(http_do(c, &q, &r, &e), -1, "503 502 504 500 408 503: rc -1");
	is_int(e.code, EP_UNAVAILABLE, "exit 69");
	diag("%s", e.msg);
	is_int(r.status, 503, "last response kept");
	is_str(buf_str(&r.body), "still busy", "... with its body");
	is_int(r.attempts, 6, "six attempts");
	is_int(F.n, 5, "five waits");
	for (i = 0, good = 1; i < 5; i++)
		if (F.waits[i] != jitter(&rng, i))
			good = 0;
	ok(good, "waits are full jitter over 500, 1000, 2000, 4000, 8000");
	is_int(log_count(), 6, "server saw six requests");
	http_resp_release(&r);
	http_free(c);
}

static void
t_network_failures(void)
{
	struct http_client *c;
	struct http_resp r;
	struct http_req q = { 0 };
	struct ep_err e = EP_ERR_INIT;
	cJSON *log;
	uint64_t rng;
	char u[128];

	/* a slow body past the timeout, then an answer */
	opts_reset();
	O.timeout_ms = 1500; /* generous: the second answer must beat it on a busy machine */
	srv_start("[{\"body_size\": 100, \"trickle\": [10, 0.5]}, {\"body\": \"quick\"}]");
	c = client();
	http_resp_init(&r);
	q.url = url("/slow");
	rng = O.seed;
	is_int(http_do(c, &q, &r, &e), 0, "slow body past the timeout, then 200: rc 0");
	is_str(buf_str(&r.body), "quick", "body of the second answer only");
	is_int(r.attempts, 2, "two attempts");
	ok(F.n == 1 && F.waits[0] == jitter(&rng, 0), "one jittered wait");
	log = srv_log();
	is_int(cJSON_GetArraySize(log), 2, "server saw two requests");
	ok(jint(cJSON_GetArrayItem(log, 0), "conn") != jint(cJSON_GetArrayItem(log, 1), "conn"),
	   "the timed-out connection was not reused");
	cJSON_Delete(log);
	http_free(c);

	opts_reset();
	O.timeout_ms = 300;
	O.retry.max_retries = 0;
	srv_start("[{\"delay\": 2}]");
	c = client();
	q.url = url("/slow");
	is_int(http_do(c, &q, &r, &e), -1, "headers later than the timeout, --retries 0: rc -1");
	is_int(e.code, EP_UNAVAILABLE, "exit 69");
	ok(strstr(e.msg, "timed out") != NULL, "message says timed out");
	diag("%s", e.msg);
	is_int(r.status, 0, "no response");
	http_free(c);

	/* a dropped connection, then an answer */
	opts_reset();
	srv_start("[{\"drop\": true}, {\"body\": \"after the drop\"}]");
	c = client();
	q.url = url("/drop");
	rng = O.seed;
	is_int(http_do(c, &q, &r, &e), 0, "dropped connection, then 200: rc 0");
	is_str(buf_str(&r.body), "after the drop", "body");
	is_int(r.attempts, 2, "two attempts");
	ok(F.n == 1 && F.waits[0] == jitter(&rng, 0), "one jittered wait");
	is_int(log_count(), 2, "server saw two requests");
	http_free(c);

	/* dropped in the middle of the body */
	opts_reset();
	srv_start("[{\"body_size\": 1000, \"drop_mid_body\": 10}, {\"body\": \"whole\"}]");
	c = client();
	q.url = url("/drop");
	is_int(http_do(c, &q, &r, &e), 0, "connection dropped mid-body, then 200: rc 0");
	is_str(buf_str(&r.body), "whole", "no bytes of the broken body left");
	is_int(r.attempts, 2, "two attempts");
	http_free(c);

	/* connection refused, every time */
	opts_reset();
	O.retry.max_retries = 2;
	c = client();
	snprintf(u, sizeof(u), "http://127.0.0.1:%d/", closed_port());
	q.url = u;
	rng = O.seed;
	is_int(http_do(c, &q, &r, &e), -1, "connection refused: rc -1");
	is_int(e.code, EP_UNAVAILABLE, "exit 69");
	ok(strstr(e.msg, "network error, gave up after 2 retries") != NULL, "message");
	diag("%s", e.msg);
	ok(F.n == 2 && F.waits[0] == jitter(&rng, 0) && F.waits[1] == jitter(&rng, 1),
	   "two jittered waits");
	is_int(r.status, 0, "status 0");
	http_resp_release(&r);
	http_free(c);
}

static void
t_body_cap_and_encoding(void)
{
	struct http_client *c;
	struct http_resp r;
	struct http_req q = { 0 };
	struct ep_err e = EP_ERR_INIT;

	opts_reset();
	O.max_body = 1000;
	srv_start("[{\"body_size\": 1000}, {\"body_size\": 5000}, {\"body_size\": 100000, "
	          "\"gzip\": true},"
	          " {\"body_size\": 5000, \"chunked\": true}, {\"body\": \"never\"}]");
	c = client();
	http_resp_init(&r);
	q.url = url("/big");
	is_int(http_do(c, &q, &r, &e), 0, "a body at the cap is fine");
	is_int(r.body.len, 1000, "1000 bytes");
	is_int(http_do(c, &q, &r, &e), -1, "a body over the cap: rc -1");
	is_int(e.code, EP_UNAVAILABLE, "exit 69: the server's fault, not a record's");
	ok(strstr(e.msg, "over the 1000-byte cap") != NULL, "message names the cap");
	diag("%s", e.msg);
	is_int(r.attempts, 1, "not retried");
	is_int(http_do(c, &q, &r, &e), -1, "a small gzip that decodes past the cap: rc -1");
	is_int(e.code, EP_UNAVAILABLE, "exit 69");
	is_int(http_do(c, &q, &r, &e), -1, "a chunked body over the cap: rc -1");
	is_int(log_count(), 4, "server saw four requests: none retried");
	is_int(F.n, 0, "no waits");
	http_free(c);

	opts_reset();
	srv_start("[{\"garbage_gzip\": true}, {\"body\": \"never\"}]");
	c = client();
	q.url = url("/gz");
	is_int(http_do(c, &q, &r, &e), -1, "garbage gzip: rc -1");
	is_int(e.code, EP_UNAVAILABLE, "exit 69");
	ok(strstr(e.msg, "bad content encoding") != NULL, "message says bad content encoding");
	diag("%s", e.msg);
	is_int(r.attempts, 1, "not retried");
	is_int(log_count(), 1, "server saw one request");
	http_resp_release(&r);
	http_free(c);
}

static void
t_trace_redaction(void)
{
	struct http_client *c;
	struct http_resp r;
	struct http_req q = { 0 };
	struct ep_err e = EP_ERR_INIT;
	const char *hs[] = { "Content-Type: application/json", "Cookie: session_id=sess-42", NULL };
	const char *body = "{\"jsonrpc\":\"2.0\",\"method\":\"call\",\"id\":1,\"params\":"
			   "{\"service\":\"object\",\"method\":\"execute_kw\",\"args\":"
			   "[\"prod\",2,\"Tr0ub4dor&3\",\"res.partner\",\"search_read\",[]]}}";
	char *t;
	cJSON *log;
	FILE *tf;

	opts_reset();
	redact_secret("Tr0ub4dor&3"); /* as the profile reader would */
	O.trace = 1;
	O.trace_fp = tf = fopen(path_in("trace"), "w+");
	O.redact = NULL; /* the default registry */
	srv_start(
		"[{\"status\": 503, \"headers\": {\"Set-Cookie\": \"session_id=sess-43; HttpOnly\"}},"
		" {\"body_json\": {\"jsonrpc\": \"2.0\", \"id\": 1, \"result\":"
		"   [{\"name\": \"echo Tr0ub4dor&3\", \"api_key\": \"k-777\"}]}}]");
	c = client();
	http_resp_init(&r);
	q.url = url("/jsonrpc?access_token=tok-99");
	q.headers = hs;
	q.body = body;
	q.body_len = strlen(body);
	q.user = "admin";
	q.password = "basic-pw-55";
	is_int(http_do(c, &q, &r, &e), 0, "traced JSON-RPC call: rc 0");
	fclose(tf);
	t = slurp(path_in("trace"), NULL);
	ok(t && strstr(t, "execute_kw") != NULL, "the trace shows the body");
	ok(t && strstr(t, "[\"prod\",2,\"***\",\"res.partner\"") != NULL,
	   "the positional password is ***");
	ok(t && strstr(t, "Tr0ub4dor") == NULL, "the password never appears");
	ok(t && strstr(t, "Authorization: ***") != NULL, "Authorization: ***");
	ok(t && strstr(t, "basic-pw-55") == NULL && strstr(t, "YWRtaW46") == NULL,
	   "neither the basic password nor its base64");
	ok(t && strstr(t, "Cookie: ***") && strstr(t, "Set-Cookie: ***") && !strstr(t, "sess-4"),
	   "Cookie and Set-Cookie are ***");
	ok(t && strstr(t, "access_token=***") && !strstr(t, "tok-99"), "token in the URL is ***");
	ok(t && strstr(t, "\"api_key\": \"***\"") && !strstr(t, "k-777"), "api_key in a response");
	ok(t && strstr(t, "< HTTP/1.1 503") && strstr(t, "< HTTP/1.1 200"), "both responses shown");
	ok(t && strstr(t, "* retry 1 of 5 in ") != NULL, "the retry decision is traced");
	ok(t && strstr(t, "(attempt 2)") != NULL, "attempts numbered");
	if (t && getenv("TRACE"))
		fputs(t, stdout);
	free(t);
	log = srv_log();
	is_str(jstr(cJSON_GetArrayItem(log, 1), "body"), body,
	       "the wire carries the real password");
	is_str(req_header(log, 1, "Authorization"),
	       "Basic YWRtaW46YmFzaWMtcHctNTU=", "basic auth sent");
	cJSON_Delete(log);
	http_resp_release(&r);
	http_free(c);
}

static void
t_rate_and_concurrency(void)
{
	struct http_client *c;
	struct http_resp r, rs[4];
	struct http_req q = { 0 }, qs[4];
	struct ep_err e = EP_ERR_INIT, es[4];
	int i, rcs[4], conns[8], nconn, k, j, attempts;
	cJSON *log;

	opts_reset();
	O.rate_n = 10;
	O.rate_period_ms = 1000;
	O.retry.base_ms = 0; /* retries wait only for the rate limit */
	srv_start("[{}, {}, {}, {\"status\": 503}, {}]");
	c = client();
	http_resp_init(&r);
	q.url = url("/r");
	for (i = 0; i < 3; i++)
		http_do(c, &q, &r, &e);
	ok(F.n == 2 && F.waits[0] == 100 && F.waits[1] == 100, "--rate 10/s: waits 100, 100");
	F.n = 0;
	F.now += 100;
	is_int(http_do(c, &q, &r, &e), 0, "503 then 200 under the rate limit");
	ok(F.n == 1 && F.waits[0] == 100, "the retry takes a rate slot too");
	http_resp_release(&r);
	http_free(c);

	opts_reset();
	O.concurrency = 2;
	srv_start("[{\"delay\": 0.3}, {\"delay\": 0.3}, {\"status\": 503, \"delay\": 0.3},"
	          " {\"delay\": 0.3}, {\"delay\": 0.3}]");
	c = client();
	memset(qs, 0, sizeof(qs));
	for (i = 0; i < 4; i++) {
		http_resp_init(&rs[i]);
		qs[i].url = url("/many");
	}
	is_int(http_do_many(c, 4, qs, rs, rcs, es), 0, "four requests, concurrency 2: all rc 0");
	for (i = 0, attempts = 0; i < 4; i++) {
		attempts += rs[i].attempts;
		if (rs[i].status != 200)
			diag("request %d: status %ld", i, rs[i].status);
	}
	is_int(attempts, 5, "one of them retried: five attempts");
	log = srv_log();
	is_int(cJSON_GetArraySize(log), 5, "server saw five requests");
	for (i = 0, nconn = 0; i < cJSON_GetArraySize(log) && i < 8; i++) {
		k = jint(cJSON_GetArrayItem(log, i), "conn");
		for (j = 0; j < nconn && conns[j] != k; j++)
			;
		if (j == nconn)
			conns[nconn++] = k;
	}
	is_int(nconn, 2, "two connections, each reused");
	cJSON_Delete(log);
	for (i = 0; i < 4; i++)
		http_resp_release(&rs[i]);
	http_free(c);
}

static void
t_proxy_from_environment(void)
{
	struct http_client *c;
	struct http_resp r;
	struct http_req q = { 0 };
	struct ep_err e = EP_ERR_INIT;
	cJSON *log;

	opts_reset();
	srv_start("[{\"body\": \"via the proxy\"}]");
	setenv("http_proxy", srv_url, 1);
	c = client();
	http_resp_init(&r);
	q.url = "http://erpipe.invalid/through"; /* never resolved: the proxy answers */
	is_int(http_do(c, &q, &r, &e), 0, "http_proxy from the environment: rc 0");
	is_str(buf_str(&r.body), "via the proxy", "the proxy answered");
	log = srv_log();
	is_str(jstr(cJSON_GetArrayItem(log, 0), "path"), "http://erpipe.invalid/through",
	       "the proxy got the absolute URL");
	cJSON_Delete(log);
	unsetenv("http_proxy");
	http_resp_release(&r);
	http_free(c);
}

/* a self-signed certificate for 127.0.0.1, made with the openssl tool */
static int
make_cert(void)
{
	pid_t pid;
	int st;

	if (access("/usr/bin/openssl", X_OK) != 0)
		return -1;
	if ((pid = fork()) == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		dup2(devnull, 1);
		dup2(devnull, 2);
		execl("/usr/bin/openssl", "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
		      "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", path_in("key.pem"),
		      "-out", path_in("cert.pem"), "-days", "2", "-subj", "/CN=127.0.0.1",
		      "-addext", "subjectAltName=IP:127.0.0.1", (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return -1;
	return 0;
}

static void
t_tls(void)
{
	struct http_client *c;
	struct http_resp r;
	struct http_req q = { 0 };
	struct ep_err e = EP_ERR_INIT;

	if (make_cert() < 0) {
		ok(1, "# SKIP no openssl tool to make a certificate");
		return;
	}
	opts_reset();
	srv_tls = 1;
	srv_start("[{\"body\": \"secure\"}, {\"body\": \"secure\"}]");
	srv_tls = 0;
	c = client();
	http_resp_init(&r);
	q.url = url("/tls");
	is_int(http_do(c, &q, &r, &e), -1, "a self-signed certificate is refused by default");
	is_int(e.code, EP_UNAVAILABLE, "exit 69");
	ok(strstr(e.msg, "--cacert") && strstr(e.msg, "--insecure"),
	   "message points at the options");
	diag("%s", e.msg);
	is_int(r.attempts, 1, "not retried");
	is_int(F.n, 0, "no waits");
	http_free(c);

	O.insecure = 1;
	c = client();
	is_int(http_do(c, &q, &r, &e), 0, "--insecure accepts it");
	is_str(buf_str(&r.body), "secure", "body over TLS");
	http_free(c);

	O.insecure = 0;
	O.cacert = path_in("cert.pem");
	c = client();
	is_int(http_do(c, &q, &r, &e), 0, "--cacert FILE verifies it");
	is_str(buf_str(&r.body), "secure", "body over verified TLS");
	is_int(log_count(), 2, "server saw two requests (the refused handshake sent none)");
	http_resp_release(&r);
	http_free(c);
	unlink(path_in("cert.pem"));
	unlink(path_in("key.pem"));
}

static void
t_config_errors(void)
{
	struct http_client *c;
	struct http_resp r;
	struct http_req q = { 0 };
	struct ep_err e = EP_ERR_INIT;
	char u[128];

	opts_reset();
	O.cacert = "/nonexistent/ca.pem";
	c = client();
	http_resp_init(&r);
	q.url = "ftp://127.0.0.1/x";
	is_int(http_do(c, &q, &r, &e), -1, "ftp: refused");
	is_int(e.code, EP_CONFIG, "exit 78");
	snprintf(u, sizeof(u), "https://127.0.0.1:%d/", port);
	q.url = u;
	is_int(http_do(c, &q, &r, &e), -1, "unreadable --cacert: rc -1");
	is_int(e.code, EP_CONFIG, "exit 78");
	diag("%s", e.msg);
	is_int(F.n, 0, "neither retried");
	http_resp_release(&r);
	http_free(c);
	O.concurrency = 0;
	ok(http_new(&O, &e) == NULL && e.code == EP_USAGE, "concurrency 0 refused");
}

static void
t_parse(void)
{
	struct ep_err e = EP_ERR_INIT;
	int64_t ms = -1, n, per;
	size_t sz = 0;
	int k = -1;

	ok(http_parse_duration("30", &ms, &e) == 0 && ms == 30000, "duration 30 = 30 s");
	ok(http_parse_duration("1.5", &ms, &e) == 0 && ms == 1500, "duration 1.5");
	ok(http_parse_duration("250ms", &ms, &e) == 0 && ms == 250, "duration 250ms");
	ok(http_parse_duration("2m", &ms, &e) == 0 && ms == 120000, "duration 2m");
	ok(http_parse_duration("2min", &ms, &e) == 0 && ms == 120000, "duration 2min");
	ok(http_parse_duration("1h", &ms, &e) == 0 && ms == 3600000, "duration 1h");
	ok(http_parse_duration("0", &ms, &e) == 0 && ms == 0, "duration 0");
	ok(http_parse_duration("-1", &ms, &e) == -1 && e.code == EP_USAGE, "negative refused");
	ok(http_parse_duration("1.", &ms, &e) == -1, "1. refused");
	ok(http_parse_duration("5x", &ms, &e) == -1, "unknown unit refused");
	ok(http_parse_duration("99999999999999", &ms, &e) == -1, "over a year refused");
	is_str(e.msg,
	       "bad duration '99999999999999': expected seconds, or a number with ms, s, m or h",
	       "duration message");
	ok(http_parse_size("1024", &sz, &e) == 0 && sz == 1024, "size 1024");
	ok(http_parse_size("64M", &sz, &e) == 0 && sz == 64u << 20, "size 64M");
	ok(http_parse_size("512KiB", &sz, &e) == 0 && sz == 512u << 10, "size 512KiB");
	ok(http_parse_size("1G", &sz, &e) == 0 && sz == 1u << 30, "size 1G");
	ok(http_parse_size("1T", &sz, &e) == -1, "size 1T refused");
	ok(http_parse_size("", &sz, &e) == -1, "empty size refused");
	ok(http_parse_rate("10/s", &n, &per, &e) == 0 && n == 10 && per == 1000, "rate 10/s");
	ok(http_parse_retries("5", &k, &e) == 0 && k == 5, "retries 5");
	ok(http_parse_retries("0", &k, &e) == 0 && k == 0, "retries 0");
	ok(http_parse_retries("-1", &k, &e) == -1, "retries -1 refused");
	ok(http_parse_retries("5x", &k, &e) == -1, "retries 5x refused");
	ok(http_parse_retries("+5", &k, &e) == -1, "retries +5 refused");
	ok(http_parse_retries("1001", &k, &e) == -1, "retries over 1000 refused");
}

/* A once request (a write that is not idempotent) is sent again only when
 * it cannot have reached the server. */
static void
t_once(void)
{
	struct http_client *c;
	struct http_req q;
	struct http_resp r;
	struct ep_err e = EP_ERR_INIT;

	memset(&q, 0, sizeof(q));
	http_resp_init(&r);
	q.body = "{}";
	q.body_len = 2;
	q.once = 1;

	opts_reset();
	srv_start("[{\"drop\": true}, {\"body\": \"again\"}]");
	c = client();
	q.url = url("/once");
	is_int(http_do(c, &q, &r, &e), -1, "once: a dropped connection is not sent again");
	is_int(e.code, EP_UNAVAILABLE, "exit 69");
	ok(r.lost == 1, "resp.lost set");
	ok(strstr(e.msg, "answer was lost") != NULL, "the message says the answer was lost");
	diag("%s", e.msg);
	is_int(log_count(), 1, "the server saw one request");
	http_free(c);

	opts_reset();
	srv_start("[{\"status\": 502}, {\"body\": \"again\"}]");
	c = client();
	q.url = url("/once");
	is_int(http_do(c, &q, &r, &e), -1, "once: 502 is not sent again");
	ok(r.lost == 1 && r.status == 502, "resp.lost, status 502");
	is_int(log_count(), 1, "the server saw one request");
	http_free(c);

	opts_reset();
	srv_start("[{\"status\": 503}, {\"status\": 429}, {\"body\": \"done\"}]");
	c = client();
	q.url = url("/once");
	is_int(http_do(c, &q, &r, &e), 0, "once: 503 and 429 (not handled) are sent again");
	is_str(buf_str(&r.body), "done", "body");
	ok(r.lost == 0, "resp.lost not set");
	is_int(log_count(), 3, "three requests");
	http_free(c);
	http_resp_release(&r);
}

int
main(void)
{
	if (scripted_setup("t-http") < 0)
		return 0;

	t_parse();
	t_get_gzip_keepalive();
	t_429_retry_after();
	t_503();
	t_network_failures();
	t_once();
	t_body_cap_and_encoding();
	t_trace_redaction();
	t_rate_and_concurrency();
	t_proxy_from_environment();
	t_tls();
	t_config_errors();

	unlink(path_in("trace"));
	scripted_teardown();
	return done_testing();
}
