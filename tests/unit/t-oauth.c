/*
 * t-oauth: OAuth 2.0 client credentials (lib/oauth) against
 * tests/sandbox/scripted.py: the grant as sent, the token cache (0600,
 * shared, refused when loose, ignored for another client), refresh before
 * expiry on the fake clock, one new token after a 401, error mapping, and
 * the secret kept out of traces.
 */
#include "tap.h"
#include "base/err.h"
#include "net/http.h"
#include "net/oauth.h"
#include "base/redact.h"

#include <sys/stat.h>

#include "scripted.h"

static struct http_opts O;

static void
opts_reset(void)
{
	scripted_http_opts(&O);
	O.retry.max_retries = 0;
}

static struct oauth_opts A;

static void
aopts_reset(void)
{
	oauth_opts_init(&A);
	A.token_url = url("/oauth/token");
	A.client_id = "erpipe";
	A.client_secret = "s3cret&more";
	A.scope = "read write";
	A.cache_file = NULL;
}

#define TOKEN(tok, ttl)                                                                            \
	"{\"body_json\": {\"access_token\": \"" tok "\", \"token_type\": \"bearer\", "             \
	"\"expires_in\": " #ttl "}}"

static void
t_grant_and_401(void)
{
	struct ep_err e = EP_ERR_INIT;
	struct http_client *c;
	struct oauth *a;
	struct http_resp r;
	struct http_req q = { 0 };
	const char *hdrs[] = { "Accept: application/json", NULL };
	cJSON *log;

	opts_reset();
	srv_start("[" TOKEN("tok1", 3600) ", {\"body\": \"one\"}, {\"status\": 401}, " TOKEN(
		"tok2",
		3600) ", {\"body\": \"two\"}, {\"status\": 401}, " TOKEN("tok3",
	                                                                 3600) ", "
	                                                                       "{\"status\": 401}]");
	aopts_reset();
	c = http_new(&O, &e);
	a = oauth_new(&A, &O, &e);
	ok(c && a, "client and oauth made");
	http_resp_init(&r);
	q.url = url("/api/v1/customers");
	q.headers = hdrs;
	is_int(oauth_do(a, c, &q, &r, &e), 0, "first request");
	is_int(r.status, 200, "answered 200");
	is_int(oauth_fetches(a), 1, "one token fetched");
	log = srv_log();
	is_str(jstr(cJSON_GetArrayItem(log, 0), "path"), "/oauth/token", "token request first");
	is_str(jstr(cJSON_GetArrayItem(log, 0), "method"), "POST", "POSTed");
	is_str(jstr(cJSON_GetArrayItem(log, 0), "body"),
	       "grant_type=client_credentials&scope=read+write&client_id=erpipe&"
	       "client_secret=s3cret%26more",
	       "the grant as a form, values encoded");
	is_str(req_header(log, 0, "Content-Type"), "application/x-www-form-urlencoded",
	       "form content type");
	is_str(req_header(log, 1, "Authorization"), "Bearer tok1", "API request carries the token");
	is_str(req_header(log, 1, "Accept"), "application/json", "and the caller's headers");
	cJSON_Delete(log);

	/* a 401: one new token, the request again */
	is_int(oauth_do(a, c, &q, &r, &e), 0, "request answered 401 then retried");
	is_int(r.status, 200, "the retry succeeds");
	is_str(buf_str(&r.body), "two", "with the second answer");
	is_int(oauth_fetches(a), 2, "a second token fetched");
	log = srv_log();
	is_str(req_header(log, 2, "Authorization"), "Bearer tok1", "401 was for the old token");
	is_str(req_header(log, 4, "Authorization"), "Bearer tok2", "retry with the new one");
	cJSON_Delete(log);

	/* a 401 with the new token too: returned as it is */
	is_int(oauth_do(a, c, &q, &r, &e), 0, "401 twice: rc 0");
	is_int(r.status, 401, "the second 401 goes back to the caller");
	is_int(oauth_fetches(a), 3, "only one refetch per request");
	is_int(log_count(), 8, "no further requests");
	oauth_free(a);
	http_free(c);
	http_resp_release(&r);
}

static void
t_cache_and_expiry(void)
{
	struct ep_err e = EP_ERR_INIT;
	struct oauth *a, *b;
	struct stat st;
	const char *h;
	char *s;

	opts_reset();
	srv_start("[" TOKEN("tokA", 100) ", " TOKEN("tokB", 100) ", " TOKEN("tokC", 100) ", " TOKEN(
		"tokD", 100) ", " TOKEN("tokE", 100) "]");
	aopts_reset();
	A.cache_file = path_in("cache/bng.token");
	unlink(A.cache_file);
	rmdir(path_in("cache"));
	a = oauth_new(&A, &O, &e);
	h = oauth_header(a, &e);
	is_str(h, "Authorization: Bearer tokA", "token fetched");
	ok(stat(path_in("cache"), &st) == 0 && (st.st_mode & 0777) == 0700, "cache dir made 0700");
	ok(stat(A.cache_file, &st) == 0 && (st.st_mode & 0777) == 0600, "cache file is 0600");
	s = slurp(A.cache_file, NULL);
	ok(s && strstr(s, "\"access_token\":\"tokA\"") && strstr(s, "\"client_id\":\"erpipe\""),
	   "cache holds the token and whose it is");
	ok(s && !strstr(s, "s3cret"), "cache does not hold the secret");
	free(s);

	/* another process (another struct oauth) uses the cached token */
	b = oauth_new(&A, &O, &e);
	is_str(oauth_header(b, &e), "Authorization: Bearer tokA", "cache hit");
	is_int(oauth_fetches(b), 0, "no fetch on a cache hit");

	/* 100 s lifetime: margin min(60 s, 10 s) = 10 s */
	F.now += 89000;
	is_str(oauth_header(a, &e), "Authorization: Bearer tokA", "still fresh 11 s before expiry");
	F.now += 2000;
	is_str(oauth_header(a, &e), "Authorization: Bearer tokB", "refreshed 9 s before expiry");
	ok(h != NULL && strcmp(h, "Authorization: Bearer tokA") == 0,
	   "the old header string stays valid for requests in flight");
	/* b sees tokB through the cache, without fetching */
	is_str(oauth_header(b, &e), "Authorization: Bearer tokB",
	       "refreshed token shared via cache");
	is_int(oauth_fetches(b), 0, "still no fetch in the second process");

	/* a 401 on tokB in b: the cache's tokB is not trusted again */
	oauth_invalidate(b, "Authorization: Bearer tokB");
	is_str(oauth_header(b, &e), "Authorization: Bearer tokC", "after a 401: a new token");
	oauth_invalidate(a, "Authorization: Bearer tokA");
	is_str(oauth_header(a, &e), "Authorization: Bearer tokB",
	       "a 401 for an old token changes nothing");
	oauth_free(b);

	/* issue 15: the cache depends on the secret: a wrong one (with a
	 * valid cached token) is not let through on that token */
	A.client_secret = "wrong-secret";
	b = oauth_new(&A, &O, &e);
	is_str(oauth_header(b, &e), "Authorization: Bearer tokD",
	       "another secret: the cached token is not used");
	is_int(oauth_fetches(b), 1, "...the endpoint is asked (and says no to a wrong one)");
	oauth_free(b);
	s = slurp(A.cache_file, NULL);
	ok(s && strstr(s, "\"secret_id\":\"") && !strstr(s, "wrong-secret"),
	   "the cache names the secret by a keyed digest, not the secret");
	free(s);
	A.client_secret = "s3cret&more";

	/* a cache for another client is ignored (and replaced) */
	A.client_id = "other";
	b = oauth_new(&A, &O, &e);
	is_str(oauth_header(b, &e), "Authorization: Bearer tokE", "other client: own token");
	is_int(oauth_fetches(b), 1, "fetched");
	oauth_free(b);
	oauth_free(a);

	/* a loose cache file is refused */
	chmod(A.cache_file, 0644);
	b = oauth_new(&A, &O, &e);
	ok(oauth_header(b, &e) == NULL && e.code == EP_CONFIG, "cache readable by others: 78");
	ok(strstr(e.msg, "chmod 600") != NULL, "says how to fix it");
	oauth_free(b);
	unlink(A.cache_file);
	rmdir(path_in("cache"));
}

static void
t_errors(void)
{
	struct ep_err e = EP_ERR_INIT;
	struct oauth *a;
	static const struct {
		const char *answer;
		int code;
		const char *msg;
	} cases[] = {
		{ "{\"status\": 401, \"body_json\": {\"error\": \"invalid_client\", "
		  "\"error_description\": \"bad secret\"}}",
		  EP_NOPERM, "token request refused: invalid_client (bad secret)" },
		{ "{\"status\": 400, \"body_json\": {\"error\": \"invalid_scope\"}}", EP_CONFIG,
		  "token request refused: invalid_scope" },
		{ "{\"status\": 403, \"body\": \"<html>no</html>\"}", EP_NOPERM,
		  "token request refused (HTTP 403)" },
		{ "{\"status\": 404}", EP_CONFIG, "no token endpoint there (HTTP 404)" },
		{ "{\"body\": \"not json\"}", EP_UNAVAILABLE, "not a JSON object" },
		{ "{\"body_json\": {\"token_type\": \"bearer\"}}", EP_UNAVAILABLE,
		  "without an access_token" },
		{ "{\"body_json\": {\"access_token\": \"x\", \"token_type\": \"mac\"}}",
		  EP_UNAVAILABLE, "token_type 'mac' is not Bearer" },
		{ "{\"body_json\": {\"access_token\": \"a\\r\\nX-Evil: 1\"}}", EP_UNAVAILABLE,
		  "not allowed in a header" },
		{ "{\"body_json\": {\"access_token\": \"x\", \"expires_in\": -5}}", EP_UNAVAILABLE,
		  "expires_in is not a positive number" },
	};
	char script[8192] = "[";
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		strcat(script, i ? ", " : "");
		strcat(script, cases[i].answer);
	}
	strcat(script, "]");
	opts_reset();
	srv_start(script);
	aopts_reset();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char name[128];

		a = oauth_new(&A, &O, &e);
		ep_err_clear(&e);
		snprintf(name, sizeof(name), "error case %zu: status %d, '%s'", i, cases[i].code,
		         cases[i].msg);
		ok(oauth_header(a, &e) == NULL && e.code == cases[i].code &&
		           strstr(e.msg, cases[i].msg) != NULL,
		   name);
		if (e.code != cases[i].code || !strstr(e.msg, cases[i].msg))
			diag("got %d '%s'", e.code, e.msg);
		oauth_free(a);
	}
	ok(strstr(e.msg, "token endpoint 'http://127.0.0.1:") == e.msg, "messages name the URL");

	/* nothing to connect to: the transport's error */
	srv_stop();
	a = oauth_new(&A, &O, &e);
	ok(oauth_header(a, &e) == NULL && e.code == EP_UNAVAILABLE, "server gone: 69");
	oauth_free(a);

	A.client_secret = "";
	ok(oauth_new(&A, &O, &e) == NULL && e.code == EP_CONFIG, "no secret: 78");
}

static void
t_basic_and_trace(void)
{
	struct ep_err e = EP_ERR_INIT;
	struct oauth *a;
	FILE *tf;
	cJSON *log;
	char *s;

	opts_reset();
	srv_start("[" TOKEN("tokZ", 60) "]");
	aopts_reset();
	A.basic = 1;
	A.scope = NULL;
	A.client_id = "id:x";
	A.client_secret = "se cret";
	tf = fopen(path_in("trace"), "w");
	O.trace = 1;
	O.trace_fp = tf;
	a = oauth_new(&A, &O, &e);
	is_str(oauth_header(a, &e), "Authorization: Bearer tokZ", "token with Basic credentials");
	fclose(tf);
	log = srv_log();
	/* base64("id%3Ax:se+cret") */
	is_str(req_header(log, 0, "Authorization"), "Basic aWQlM0F4OnNlK2NyZXQ=",
	       "Basic of the form-encoded id and secret (RFC 6749 2.3.1)");
	is_str(jstr(cJSON_GetArrayItem(log, 0), "body"), "grant_type=client_credentials",
	       "no credentials and no scope in the body");
	cJSON_Delete(log);
	s = slurp(path_in("trace"), NULL);
	ok(s && strstr(s, "/oauth/token") != NULL, "the token request is traced");
	ok(s && strstr(s, "se cret") == NULL && strstr(s, "se+cret") == NULL &&
	           strstr(s, "aWQlM0F4OnNlK2NyZXQ=") == NULL && strstr(s, "tokZ") == NULL,
	   "trace shows neither secret, Basic credentials nor token");
	free(s);
	oauth_free(a);
	unlink(path_in("trace"));
}

static void
t_parse(void)
{
	struct oauth_token t;
	struct ep_err e = EP_ERR_INIT;
	const char *b1 = "{\"access_token\":\"abc\",\"expires_in\":\"3599\"}";
	const char *b2 = "{\"access_token\":\"abc\"}";

	ok(oauth_parse_token(200, b1, strlen(b1), 1000, &t, &e) == 0 && t.lifetime_ms == 3599000 &&
	           t.expires_at_ms == 3600000,
	   "expires_in as a string (Entra v1)");
	oauth_token_release(&t);
	ok(oauth_parse_token(200, b2, strlen(b2), 0, &t, &e) == 0 && t.lifetime_ms == 3600000,
	   "no expires_in: an hour");
	oauth_token_release(&t);
	ok(oauth_parse_token(200, "[1]", 3, 0, &t, &e) == -1 && t.access_token == NULL,
	   "an array is not a token");
}

int
main(void)
{
	if (scripted_setup("t-oauth") < 0)
		return 0;
	t_parse();
	t_grant_and_401();
	t_cache_and_expiry();
	t_errors();
	t_basic_and_trace();
	scripted_teardown();
	return done_testing();
}
