/*
 * t-odoo: the Odoo client (lib/odoo) against the Odoo sandbox
 * (tests/sandbox/odoo.py) over all three protocols: login, calls, Odoo's
 * errors with their names and fatal/per-call split, exit statuses, the
 * fault knobs (malformed bodies retried, 429 past the budget, server down),
 * JSON-2 500s not retried, concurrency, and the secret kept out of traces.
 */
#include "tap.h"
#include "base/cfg.h"
#include "net/conn.h"
#include "net/http.h"
#include "proto/odoo.h"
#include "base/redact.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define KEY "k3y-5f0c4d2a9b7e61d3c8a04f2e"
#define PW "s3cret-pw!&<"

static char dir[64], base[128];

static void
stop(void)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "kill $(cat %s/odoo.pid) 2>/dev/null; sleep 0.2; rm -rf %s", dir,
	         dir);
	if (dir[0])
		(void)!system(cmd);
}

static int
start(void)
{
	const char *top = getenv("ERPIPE_TOP");
	char cmd[1024], port[32] = "";
	FILE *p;

	strcpy(dir, "/tmp/t-odoo.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(cmd, sizeof(cmd),
	         "SANDBOX_DIR=%s %s/tests/sandbox/start odoo --db peer --user 'admin:" PW
	         "' --api-key admin:" KEY " --partners 30",
	         dir, top ? top : ".");
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	if (fgets(port, sizeof(port), p) == NULL)
		port[0] = '\0';
	if (pclose(p) != 0 || port[0] == '\0')
		return -1;
	port[strcspn(port, "\n")] = '\0';
	snprintf(base, sizeof(base), "http://127.0.0.1:%s", port);
	return 0;
}

/* POST/DELETE a control request */
static void
control(const char *method, const char *path, const char *json)
{
	struct http_opts ho;
	struct http_client *c;
	struct http_req q;
	struct http_resp r;
	struct ep_err e = EP_ERR_INIT;
	char url[256];
	const char *h[] = { "Content-Type: application/json", NULL };

	http_opts_init(&ho);
	c = http_new(&ho, &e);
	memset(&q, 0, sizeof(q));
	snprintf(url, sizeof(url), "%s/__sandbox/%s", base, path);
	q.method = method;
	q.url = url;
	q.headers = h;
	q.body = json;
	q.body_len = json ? strlen(json) : 0;
	http_resp_init(&r);
	if (http_do(c, &q, &r, &e) < 0 || r.status != 200)
		diag("control %s %s failed: %s", method, path, e.msg);
	http_resp_release(&r);
	http_free(c);
}

/* requests the sandbox logged since the last reset */
static int
logged(void)
{
	char cmd[512], out[64] = "";
	FILE *p;

	snprintf(cmd, sizeof(cmd), "curl -s %s/__sandbox/log | jq length", base);
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	if (fgets(out, sizeof(out), p) == NULL)
		out[0] = '\0';
	pclose(p);
	return atoi(out);
}

static void
opts(struct odoo_opts *o, enum odoo_proto proto)
{
	odoo_opts_init(o);
	o->url = base;
	o->db = "peer";
	o->user = "admin";
	o->secret = proto == ODOO_JSON2 ? KEY : PW;
	o->secret_is_key = proto == ODOO_JSON2;
	o->proto = proto;
	o->http.retry.base_ms = 5;
	o->http.retry.cap_ms = 20;
}

static cJSON *
J(const char *s)
{
	return cJSON_Parse(s);
}

static char *
P(const cJSON *v)
{
	static char out[4][4096];
	static int k;
	char *s = v ? cJSON_PrintUnformatted(v) : NULL;

	k = (k + 1) % 4;
	snprintf(out[k], sizeof(out[k]), "%s", s ? s : "(null)");
	free(s);
	return out[k];
}

/* odoo_call with the arguments as JSON text */
static cJSON *
call(struct odoo *o, const char *model, const char *method, const char *args, const char *kw,
     struct odoo_err *err)
{
	cJSON *a = args ? J(args) : NULL, *k = kw ? J(kw) : NULL;
	cJSON *r = odoo_call(o, model, method, a, k, err);

	cJSON_Delete(a);
	cJSON_Delete(k);
	return r;
}

static void
test_protocol(enum odoo_proto proto)
{
	struct odoo_opts oo;
	struct odoo_err err;
	struct odoo *o;
	cJSON *args, *kw, *r;
	char name[128];
	const char *pn = odoo_proto_name(proto);
	int id = 0;

	opts(&oo, proto);
	o = odoo_open(&oo, &err);
	snprintf(name, sizeof(name), "%s: open", pn);
	if (!ok(o != NULL, name)) {
		diag("%s", err.e.msg);
		return;
	}
	is_int(odoo_protocol(o), proto, "protocol in use");
	is_int(odoo_uid(o), proto == ODOO_JSON2 ? 0 : 2, "uid");

	args = J("[[[\"id\",\"<=\",20],[\"parent_id\",\"!=\",false]]]");
	r = odoo_call(o, "res.partner", "search_count", args, NULL, &err);
	snprintf(name, sizeof(name), "%s: search_count", pn);
	is_str(P(r), "4", name);
	cJSON_Delete(r);
	cJSON_Delete(args);

	args = J("[[[\"id\",\"in\",[1,17]]]]");
	kw = J("{\"fields\":[\"name\",\"parent_id\",\"active\"],\"order\":\"id\"}");
	r = odoo_call(o, "res.partner", "search_read", args, kw, &err);
	snprintf(name, sizeof(name), "%s: search_read shapes", pn);
	is_str(P(r),
	       "[{\"id\":1,\"name\":\"My Company (San Francisco)\",\"parent_id\":false,\"active\":"
	       "true},{\"id\":17,\"name\":\"Willie Burke\",\"parent_id\":[8,\"Wood Corner\"],"
	       "\"active\":true}]",
	       name);
	cJSON_Delete(r);
	cJSON_Delete(args);
	cJSON_Delete(kw);

	args = J("[[{\"name\":\"t-odoo <&> caf\xc3\xa9\",\"ref\":\"T1\"}]]");
	r = odoo_call(o, "res.partner", "create", args, NULL, &err);
	snprintf(name, sizeof(name), "%s: create a list returns ids", pn);
	ok(cJSON_IsArray(r) && cJSON_IsNumber(cJSON_GetArrayItem(r, 0)), name);
	if (cJSON_GetArrayItem(r, 0))
		id = (int)cJSON_GetArrayItem(r, 0)->valuedouble;
	cJSON_Delete(r);
	cJSON_Delete(args);

	{
		char a[128];

		snprintf(a, sizeof(a), "[[%d],[\"name\",\"ref\"]]", id);
		args = J(a);
		r = odoo_call(o, "res.partner", "read", args, NULL, &err);
		snprintf(name, sizeof(name), "%s: read back", pn);
		snprintf(a, sizeof(a),
		         "[{\"id\":%d,\"name\":\"t-odoo <&> caf\xc3\xa9\",\"ref\":\"T1\"}]", id);
		is_str(P(r), a, name);
		cJSON_Delete(r);
		cJSON_Delete(args);
		snprintf(a, sizeof(a), "[[%d],{\"ref\":\"T2\"}]", id);
		args = J(a);
		r = odoo_call(o, "res.partner", "write", args, NULL, &err);
		snprintf(name, sizeof(name), "%s: write", pn);
		is_str(P(r), "true", name);
		cJSON_Delete(r);
		cJSON_Delete(args);
		snprintf(a, sizeof(a), "[[%d]]", id);
		args = J(a);
		r = odoo_call(o, "res.partner", "unlink", args, NULL, &err);
		cJSON_Delete(r);
		r = odoo_call(o, "res.partner", "read", args, NULL, &err);
		snprintf(name, sizeof(name), "%s: read a deleted record: []", pn);
		is_str(P(r), "[]", name);
		cJSON_Delete(r);
		cJSON_Delete(args);
		snprintf(a, sizeof(a), "[[%d],{\"ref\":\"T3\"}]", id);
		args = J(a);
		r = odoo_call(o, "res.partner", "write", args, NULL, &err);
		snprintf(name, sizeof(name), "%s: write a deleted record: MissingError, per call",
		         pn);
		ok(r == NULL && !err.fatal && err.e.code == EP_DATAERR &&
		           strcmp(err.name, "odoo.exceptions.MissingError") == 0,
		   name);
		diag("%s", err.e.msg);
		cJSON_Delete(args);
	}

	args = J("[[{\"email\":\"x@example.com\"}]]");
	r = odoo_call(o, "res.partner", "create", args, NULL, &err);
	snprintf(name, sizeof(name), "%s: create without a name: per-call error, message kept", pn);
	ok(r == NULL && !err.fatal && err.e.code == EP_DATAERR &&
	           strstr(err.message, "Contacts require a name") &&
	           strstr(err.e.msg, "res.partner.create: odoo.exceptions.") == err.e.msg,
	   name);
	diag("%s | %s", err.name, err.e.msg);
	cJSON_Delete(args);

	args = J("[[[\"no_such_field\",\"=\",1]]]");
	r = odoo_call(o, "res.partner", "search", args, NULL, &err);
	snprintf(name, sizeof(name), "%s: a bad domain field: per-call error", pn);
	ok(r == NULL && !err.fatal && err.e.code == EP_DATAERR && err.name[0], name);
	diag("%s | %s", err.name, err.e.msg);
	cJSON_Delete(args);

	r = odoo_call(o, "no.such.model", "search", NULL, NULL, &err);
	snprintf(name, sizeof(name), "%s: unknown model: an error", pn);
	ok(r == NULL && err.e.code != 0, name);
	diag("%s | %s", err.name, err.e.msg);

	r = call(o, "res.partner", "_compute_display_name", "[[1]]", NULL, &err);
	snprintf(name, sizeof(name), "%s: private method: AccessError, fatal 77", pn);
	ok(r == NULL && err.fatal && err.e.code == EP_NOPERM, name);
	diag("%s | %s", err.name, err.e.msg);

	odoo_close(o);
}

static void
test_auth(void)
{
	struct odoo_opts oo;
	struct odoo_err err;
	struct odoo *o;
	cJSON *r;

	opts(&oo, ODOO_XMLRPC);
	oo.secret = "wrong";
	o = odoo_open(&oo, &err);
	ok(o == NULL && err.e.code == EP_NOPERM && err.fatal, "xmlrpc: wrong password -> 77");
	ok(strncmp(err.e.msg, "login refused for user 'admin' on database 'peer' at", 52) == 0,
	   "xmlrpc: one line naming user and database");
	opts(&oo, ODOO_JSONRPC);
	oo.secret = "wrong";
	o = odoo_open(&oo, &err);
	ok(o == NULL && err.e.code == EP_NOPERM, "jsonrpc: wrong password -> 77");
	opts(&oo, ODOO_JSONRPC);
	oo.db = "nodb";
	o = odoo_open(&oo, &err);
	ok(o == NULL && err.e.code == EP_CONFIG, "jsonrpc: no such database -> 78");
	diag("%s", err.e.msg);
	opts(&oo, ODOO_JSON2);
	oo.secret = "not-a-key";
	o = odoo_open(&oo, &err);
	ok(o != NULL, "json2: no login step");
	r = call(o, "res.partner", "search_count", "[[]]", NULL, &err);
	ok(r == NULL && err.e.code == EP_NOPERM && err.fatal && err.http_status == 401,
	   "json2: a bad key -> 77 on the first call");
	diag("%s", err.e.msg);
	odoo_close(o);
	/* auto: a key on Odoo 19 -> JSON-2; a password -> JSON-RPC */
	opts(&oo, ODOO_JSON2);
	oo.proto = ODOO_AUTO;
	o = odoo_open(&oo, &err);
	ok(o && odoo_protocol(o) == ODOO_JSON2 && odoo_server_major(o) == 19,
	   "auto with a key on 19: json2");
	odoo_close(o);
	opts(&oo, ODOO_JSONRPC);
	oo.proto = ODOO_AUTO;
	o = odoo_open(&oo, &err);
	ok(o && odoo_protocol(o) == ODOO_JSONRPC && odoo_uid(o) == 2,
	   "auto with a password: jsonrpc");
	odoo_close(o);
	opts(&oo, ODOO_JSONRPC);
	oo.user = NULL;
	o = odoo_open(&oo, &err);
	ok(o == NULL && err.e.code == EP_CONFIG && strstr(err.e.msg, "$ODOO_USER"),
	   "no user: 78 saying where to set it");
}

static void
test_faults(void)
{
	struct odoo_opts oo;
	struct odoo_err err;
	struct odoo *o;
	cJSON *r;
	int n;

	opts(&oo, ODOO_JSONRPC);
	o = odoo_open(&oo, &err);
	control("POST", "reset", "{}");
	control("POST", "faults", "{\"malformed\":{\"next\":1,\"mode\":\"truncate\"}}");
	r = call(o, "res.partner", "search_count", "[[]]", NULL, &err);
	ok(cJSON_IsNumber(r), "malformed body once: retried, answered");
	cJSON_Delete(r);
	is_int(logged(), 2, "two requests");
	control("POST", "faults", "{\"malformed\":{\"every\":1,\"mode\":\"garbage\"}}");
	r = call(o, "res.partner", "search_count", "[[]]", NULL, &err);
	ok(r == NULL && err.e.code == EP_UNAVAILABLE && err.fatal &&
	           strstr(err.e.msg, "malformed JSON-RPC response"),
	   "malformed every time: 69 after the retries");
	diag("%s", err.e.msg);
	control("DELETE", "faults", NULL);
	control("POST", "faults", "{\"5xx\":{\"next\":2,\"status\":502}}");
	r = call(o, "res.partner", "search_count", "[[]]", NULL, &err);
	ok(cJSON_IsNumber(r), "two 502s: retried by http");
	cJSON_Delete(r);
	control("POST", "faults", "{\"drop\":{\"next\":1}}");
	r = call(o, "res.partner", "search_count", "[[]]", NULL, &err);
	ok(cJSON_IsNumber(r), "a dropped connection: retried");
	cJSON_Delete(r);
	odoo_close(o);

	opts(&oo, ODOO_JSONRPC);
	oo.http.retry.max_time_ms = 500;
	o = odoo_open(&oo, &err);
	control("POST", "faults", "{\"429\":{\"every\":1,\"retry_after\":5}}");
	r = call(o, "res.partner", "search_count", "[[]]", NULL, &err);
	ok(r == NULL && err.e.code == EP_TEMPFAIL && err.fatal,
	   "429 with a Retry-After past --retry-max-time: 75");
	diag("%s", err.e.msg);
	control("DELETE", "faults", NULL);
	odoo_close(o);

	/* JSON-2 sends Odoo's ValueError as a 500: an answer, not retried */
	opts(&oo, ODOO_JSON2);
	o = odoo_open(&oo, &err);
	control("POST", "reset", "{}");
	r = call(o, "res.partner", "search", "[[[\"no_such_field\",\"=\",1]]]", NULL, &err);
	n = logged();
	ok(r == NULL && !err.fatal && err.http_status == 500 && n == 1,
	   "json2: a 500 with Odoo's error body is not retried");
	diag("%d requests; %s", n, err.e.msg);
	odoo_close(o);
}

static void
test_concurrency(void)
{
	struct odoo_opts oo;
	struct odoo_err err;
	struct odoo *o;
	struct odoo_call *c[8], *d;
	cJSON *r;
	char a[64];
	int i, seen = 0, good = 0;

	opts(&oo, ODOO_JSON2);
	oo.http.concurrency = 4;
	o = odoo_open(&oo, &err);
	for (i = 0; i < 8; i++) {
		cJSON *args;

		snprintf(a, sizeof(a), "[[%d],[\"id\"]]", i + 1);
		args = J(a);
		c[i] = odoo_call_new(o, "res.partner", "read", args, NULL,
		                     (void *)(intptr_t)(i + 1), &err);
		cJSON_Delete(args);
		odoo_submit(o, c[i], &err);
	}
	/* a plain call while eight are in flight */
	r = call(o, "res.partner", "search_count", "[[]]", NULL, &err);
	ok(cJSON_IsNumber(r), "odoo_call with calls in flight");
	cJSON_Delete(r);
	while ((d = odoo_next(o)) != NULL) {
		i = (int)(intptr_t)odoo_call_udata(d);
		snprintf(a, sizeof(a), "[{\"id\":%d}]", i);
		if (odoo_call_rc(d) == 0 && strcmp(P(odoo_call_result(d)), a) == 0)
			good++;
		seen++;
	}
	is_int(seen, 8, "every call comes back once");
	is_int(good, 8, "each with its own result");
	is_int(odoo_pending(o), 0, "nothing pending");
	for (i = 0; i < 8; i++)
		odoo_call_free(c[i]);
	odoo_close(o);
}

static void
test_trace(void)
{
	struct odoo_opts oo;
	struct odoo_err err;
	struct odoo *o;
	enum odoo_proto p;
	char *t = NULL;
	size_t n = 0;
	FILE *fp;

	for (p = ODOO_XMLRPC; p <= ODOO_JSON2; p++) {
		fp = open_memstream(&t, &n);
		opts(&oo, p);
		oo.http.trace = 1;
		oo.http.trace_fp = fp;
		o = odoo_open(&oo, &err);
		cJSON_Delete(call(o, "res.partner", "search_count", "[[]]", NULL, &err));
		odoo_close(o);
		fclose(fp);
		ok(n > 200 && strstr(t, p == ODOO_JSON2 ? KEY : "s3cret") == NULL &&
		           strstr(t, "***") != NULL,
		   p == ODOO_XMLRPC    ? "xmlrpc: the password never in the trace"
		   : p == ODOO_JSONRPC ? "jsonrpc: the password never in the trace"
		                       : "json2: the key never in the trace");
		free(t);
		t = NULL;
	}
}

static void
test_down(void)
{
	struct odoo_opts oo;
	struct odoo_err err;
	struct odoo *o;

	opts(&oo, ODOO_JSONRPC);
	oo.http.retry.max_retries = 2;
	o = odoo_open(&oo, &err);
	ok(o == NULL && err.e.code == EP_UNAVAILABLE && err.fatal, "server down: 69 after retries");
	diag("%s", err.e.msg);
}

/* conn: profile values, flags over them; odoo_opts_from_profile */
static void
test_profile(void)
{
	char path[256], keyf[256];
	struct conn_opts co;
	struct cfg_profile *p;
	struct odoo_opts oo;
	struct ep_err e = EP_ERR_INIT;
	struct odoo_err err;
	struct odoo *o;
	FILE *f;

	snprintf(path, sizeof(path), "%s/conf", dir);
	snprintf(keyf, sizeof(keyf), "%s/key", dir);
	f = fopen(keyf, "w");
	fputs(KEY "\n", f);
	fclose(f);
	chmod(keyf, 0600);
	f = fopen(path, "w");
	fprintf(f,
	        "[sb]\nurl = %s\ndb = peer\nuser = admin\ntoken_file = %s\ntimeout = 2.5\n"
	        "rate_limit = 0.5\n[bad]\nurl = %s\nauth = kerberos\npassword_file = %s\n",
	        base, keyf, base, keyf);
	fclose(f);
	chmod(path, 0600);
	setenv("ERPIPE_CONFIG", path, 1);
	unsetenv("ODOO_PASSWORD");
	unsetenv("ODOO_URL");
	conn_opts_init(&co);
	conn_opt(&co, OPT_PROFILE, "sb", &e);
	ok(conn_opt(&co, OPT_RATE, "20/s", &e) == 1, "--rate parsed");
	p = conn_profile(&co, "odoo", &e);
	ok(p != NULL, "profile loads");
	is_int(co.http.timeout_ms, 2500, "timeout from the profile");
	ok(co.http.rate_n == 20 && co.http.rate_period_ms == 1000, "--rate wins over rate_limit");
	odoo_opts_init(&oo);
	oo.http = co.http;
	ok(odoo_opts_from_profile(&oo, p, &e) == 0 && oo.secret_is_key &&
	           strcmp(oo.secret, KEY) == 0,
	   "a token_file secret is an API key");
	o = odoo_open(&oo, &err);
	ok(o && odoo_protocol(o) == ODOO_JSON2, "auto picks JSON-2 for it");
	odoo_close(o);
	cfg_profile_free(p);
	conn_opts_init(&co);
	conn_opt(&co, OPT_PROFILE, "sb", &e);
	p = conn_profile(&co, "odoo", &e);
	ok(co.http.rate_n == 1 && co.http.rate_period_ms == 2000, "rate_limit 0.5: 1 per 2 s");
	cfg_profile_free(p);
	conn_opts_init(&co);
	conn_opt(&co, OPT_PROFILE, "bad", &e);
	p = conn_profile(&co, "odoo", &e);
	odoo_opts_init(&oo);
	ok(p && odoo_opts_from_profile(&oo, p, &e) == -1 && e.code == EP_CONFIG &&
	           strstr(e.msg, "auth 'kerberos': want password or apikey"),
	   "a bad auth value: 78 naming the line");
	diag("%s", e.msg);
	cfg_profile_free(p);
	ok(conn_opt(&co, OPT_TIMEOUT, "soon", &e) == -1 && e.code == EP_USAGE, "bad --timeout: 64");
	unsetenv("ERPIPE_CONFIG");
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	if (start() < 0) {
		ok(0, "the Odoo sandbox starts");
		stop();
		return done_testing();
	}
	test_protocol(ODOO_XMLRPC);
	test_protocol(ODOO_JSONRPC);
	test_protocol(ODOO_JSON2);
	test_auth();
	test_faults();
	test_concurrency();
	test_trace();
	test_profile();
	stop();
	test_down();
	return done_testing();
}
