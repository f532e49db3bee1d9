/*
 * oauth.c - OAuth 2.0 client credentials with a token cache.  See oauth.h.
 */
#include "net/oauth.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cJSON.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "base/buf.h"
#include "stream/json_tree.h"
#include "base/fileio.h"
#include "base/text.h"

#define CACHE_MAX (64 * 1024)
#define LIFETIME_DEFAULT_MS 3600000
#define LIFETIME_MAX_MS (366LL * 86400000)

struct oauth {
	char *token_url, *client_id, *client_secret, *scope, *cache_file;
	int basic;
	int64_t margin_ms;
	const struct ep_clock *clock;
	struct http_client *http;
	struct oauth_token tok; /* access_token NULL: none held */
	const char *header;     /* the current one, in hdrs */
	char **hdrs;            /* every header handed out */
	size_t nhdrs;
	int skip_cache; /* after a 401: the cached token is bad */
	int fetches;
};

void
oauth_opts_init(struct oauth_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->margin_ms = 60000;
}

static char *
dup_opt(const char *s, int *oom)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*oom = 1;
	return d;
}

struct oauth *
oauth_new(const struct oauth_opts *o, const struct http_opts *ho, struct ep_err *err)
{
	struct http_opts hc = *ho;
	struct oauth *a;
	struct redact *r = o->redact ? o->redact : redact_default();
	int oom = 0;

	if (o->token_url == NULL || *o->token_url == '\0') {
		ep_errf(err, EP_CONFIG, "no OAuth token URL");
		return NULL;
	}
	if (o->client_id == NULL || *o->client_id == '\0') {
		ep_errf(err, EP_CONFIG, "no OAuth client id");
		return NULL;
	}
	if (o->client_secret == NULL || *o->client_secret == '\0') {
		ep_errf(err, EP_CONFIG, "no OAuth client secret");
		return NULL;
	}
	if (redact_add(r, o->client_secret, strlen(o->client_secret)) < 0) {
		ep_errf(err, EP_SOFTWARE, "cannot register the client secret with the redactor");
		return NULL;
	}
	if ((a = calloc(1, sizeof(*a))) == NULL) {
		ep_errf(err, EP_SOFTWARE, "out of memory");
		return NULL;
	}
	a->token_url = dup_opt(o->token_url, &oom);
	a->client_id = dup_opt(o->client_id, &oom);
	a->client_secret = dup_opt(o->client_secret, &oom);
	a->scope = dup_opt(o->scope, &oom);
	a->cache_file = dup_opt(o->cache_file, &oom);
	if (oom) {
		oauth_free(a);
		ep_errf(err, EP_SOFTWARE, "out of memory");
		return NULL;
	}
	a->basic = o->basic;
	a->margin_ms = o->margin_ms > 0 ? o->margin_ms : 0;
	a->clock = ho->clock ? ho->clock : ep_clock_system();
	hc.concurrency = 1;
	hc.rate_n = 0; /* the API's rate limit is not the token endpoint's */
	if ((a->http = http_new(&hc, err)) == NULL) {
		oauth_free(a);
		return NULL;
	}
	return a;
}

void
oauth_token_release(struct oauth_token *t)
{
	if (t->access_token) {
		explicit_bzero(t->access_token, strlen(t->access_token));
		free(t->access_token);
	}
	memset(t, 0, sizeof(*t));
}

static void
wipe_free(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

void
oauth_free(struct oauth *a)
{
	size_t i;

	if (a == NULL)
		return;
	http_free(a->http);
	oauth_token_release(&a->tok);
	for (i = 0; i < a->nhdrs; i++)
		wipe_free(a->hdrs[i]);
	free(a->hdrs);
	free(a->token_url);
	free(a->client_id);
	wipe_free(a->client_secret);
	free(a->scope);
	free(a->cache_file);
	free(a);
}

int
oauth_fetches(const struct oauth *a)
{
	return a->fetches;
}

/* ---- the token answer ---------------------------------------------------- */

/* Append s, cut to max bytes, control characters as '?' */
static void
printable(char *dst, size_t cap, const char *s)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < cap; i++)
		dst[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
	dst[i] = '\0';
}

static const char *
str_member(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int
token_error(long status, const cJSON *j, struct ep_err *err)
{
	const char *code = j ? str_member(j, "error") : NULL;
	const char *desc = j ? str_member(j, "error_description") : NULL;
	char c[64], d[240];
	int ec;

	if (code == NULL) {
		if (status == 401 || status == 403)
			return ep_errf(err, EP_NOPERM, "token request refused (HTTP %ld)", status);
		if (status == 404)
			return ep_errf(err, EP_CONFIG, "no token endpoint there (HTTP 404)");
		return ep_errf(err, EP_UNAVAILABLE, "token endpoint answered HTTP %ld", status);
	}
	printable(c, sizeof(c), code);
	printable(d, sizeof(d), desc ? desc : "");
	if (strcmp(code, "invalid_scope") == 0 || strcmp(code, "unsupported_grant_type") == 0 ||
	    strcmp(code, "invalid_request") == 0)
		ec = EP_CONFIG;
	else if (strcmp(code, "temporarily_unavailable") == 0 || strcmp(code, "server_error") == 0)
		ec = EP_UNAVAILABLE;
	else
		ec = EP_NOPERM;
	return ep_errf(err, ec, "token request refused: %s%s%s%s", c, *d ? " (" : "", d,
	               *d ? ")" : "");
}

int
oauth_parse_token(long status, const char *body, size_t len, int64_t now_ms, struct oauth_token *t,
                  struct ep_err *err)
{
	cJSON *j = cJSON_ParseWithLength(body, len);
	const cJSON *v;
	const char *tok, *type;
	double secs = LIFETIME_DEFAULT_MS / 1000.0;
	size_t i, n;
	int rc = -1;

	memset(t, 0, sizeof(*t));
	if (j != NULL && !cJSON_IsObject(j)) {
		cJSON_Delete(j);
		j = NULL;
	}
	if (status < 200 || status > 299) {
		token_error(status, j, err);
		goto out;
	}
	if (j == NULL) {
		ep_errf(err, EP_UNAVAILABLE,
		        "token endpoint answered %ld with a body that is not "
		        "a JSON object",
		        status);
		goto out;
	}
	if ((tok = str_member(j, "access_token")) == NULL || *tok == '\0') {
		ep_errf(err, EP_UNAVAILABLE, "token endpoint answered without an access_token");
		goto out;
	}
	n = strlen(tok);
	if (n > OAUTH_TOKEN_MAX) {
		ep_errf(err, EP_UNAVAILABLE, "access token longer than %d bytes", OAUTH_TOKEN_MAX);
		goto out;
	}
	for (i = 0; i < n; i++)
		if ((unsigned char)tok[i] < 0x21 || (unsigned char)tok[i] > 0x7e) {
			ep_errf(err, EP_UNAVAILABLE,
			        "access token holds a byte not allowed in a "
			        "header (0x%02x)",
			        (unsigned char)tok[i]);
			goto out;
		}
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "token_type")) != NULL) {
		type = cJSON_IsString(v) ? v->valuestring : "";
		if (strcasecmp(type, "bearer") != 0) {
			char p[64];

			printable(p, sizeof(p), type);
			ep_errf(err, EP_UNAVAILABLE, "token_type '%s' is not Bearer", p);
			goto out;
		}
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "expires_in")) != NULL) {
		char *end;

		/* some servers (Entra v1) send the number as a string */
		if (cJSON_IsNumber(v))
			secs = v->valuedouble;
		else if (cJSON_IsString(v) && *v->valuestring &&
		         (secs = strtod(v->valuestring, &end), *end == '\0'))
			;
		else {
			ep_errf(err, EP_UNAVAILABLE, "expires_in is not a number");
			goto out;
		}
		if (!(secs > 0)) {
			ep_errf(err, EP_UNAVAILABLE, "expires_in is not a positive number");
			goto out;
		}
	}
	t->lifetime_ms = secs * 1000.0 > (double)LIFETIME_MAX_MS ? LIFETIME_MAX_MS
	                                                         : (int64_t)(secs * 1000.0);
	if (t->lifetime_ms < 1)
		t->lifetime_ms = 1;
	t->expires_at_ms = now_ms + t->lifetime_ms;
	if ((t->access_token = strdup(tok)) == NULL) {
		ep_errf(err, EP_SOFTWARE, "out of memory");
		goto out;
	}
	rc = 0;
out:
	cJSON_Delete(j);
	return rc;
}

/* ---- cache --------------------------------------------------------------- */

static int
same_or_both_null(const char *a, const cJSON *v)
{
	if (a == NULL)
		return v == NULL || cJSON_IsNull(v);
	return cJSON_IsString(v) && strcmp(a, v->valuestring) == 0;
}

/* Which secret the cached token was got with, without the secret: HMAC-
 * SHA256 keyed with it over the endpoint and client, in hex (65 bytes).
 * A token got with another secret (a wrong one now, or an old one) is not
 * used: a wrong secret must fail, not ride on a valid cached token. */
static void
secret_id(const struct oauth *a, char out[65])
{
	static const char hexd[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	struct buf m = BUF_INIT;

	buf_addf(&m, "erpipe token cache\n%s\n%s", a->token_url, a->client_id);
	out[0] = '\0';
	if (m.p && HMAC(EVP_sha256(), a->client_secret, (int)strlen(a->client_secret),
	                (const unsigned char *)m.p, m.len, md, &n) != NULL) {
		for (unsigned i = 0; i < n && i < 32; i++) {
			out[2 * i] = hexd[md[i] >> 4];
			out[2 * i + 1] = hexd[md[i] & 15];
		}
		out[2 * (n < 32 ? n : 32)] = '\0';
	}
	buf_release(&m);
}

/* 1: a usable token read into *t; 0: none (missing, other client, corrupt);
 * -1: a loose file (err). */
static int
cache_read(struct oauth *a, struct oauth_token *t, struct ep_err *err)
{
	struct buf b = BUF_INIT;
	struct stat st;
	char chunk[4096];
	cJSON *j = NULL;
	const cJSON *tok, *exp, *life;
	ssize_t n;
	int fd, rc = 0;
	char sid[65];

	memset(t, 0, sizeof(*t));
	if ((fd = open(a->cache_file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return 0;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return 0;
	}
	if (st.st_mode & 077) {
		close(fd);
		return ep_errf(err, EP_CONFIG,
		               "token cache '%s' is readable by others: run "
		               "chmod 600 '%s'",
		               a->cache_file, a->cache_file);
	}
	buf_init(&b, CACHE_MAX);
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || buf_add(&b, chunk, (size_t)n) < 0)
			goto out;
	}
	if (b.len == 0 || (j = cJSON_ParseWithLength(b.p, b.len)) == NULL)
		goto out;
	tok = cJSON_GetObjectItemCaseSensitive(j, "access_token");
	exp = cJSON_GetObjectItemCaseSensitive(j, "expires_at_ms");
	life = cJSON_GetObjectItemCaseSensitive(j, "lifetime_ms");
	secret_id(a, sid);
	if (!same_or_both_null(a->token_url, cJSON_GetObjectItemCaseSensitive(j, "token_url")) ||
	    !same_or_both_null(a->client_id, cJSON_GetObjectItemCaseSensitive(j, "client_id")) ||
	    !sid[0] || !same_or_both_null(sid, cJSON_GetObjectItemCaseSensitive(j, "secret_id")) ||
	    !same_or_both_null(a->scope, cJSON_GetObjectItemCaseSensitive(j, "scope")) ||
	    !cJSON_IsString(tok) || !*tok->valuestring ||
	    strlen(tok->valuestring) > OAUTH_TOKEN_MAX || strpbrk(tok->valuestring, "\r\n ") ||
	    !cJSON_IsNumber(exp) || !cJSON_IsNumber(life))
		goto out;
	if ((t->access_token = strdup(tok->valuestring)) == NULL)
		goto out;
	t->expires_at_ms = (int64_t)exp->valuedouble;
	t->lifetime_ms = (int64_t)life->valuedouble;
	rc = 1;
out:
	if (j) {
		cJSON *s = cJSON_GetObjectItemCaseSensitive(j, "access_token");
		if (cJSON_IsString(s))
			explicit_bzero(s->valuestring, strlen(s->valuestring));
	}
	cJSON_Delete(j);
	if (b.p)
		explicit_bzero(b.p, b.len);
	buf_release(&b);
	close(fd);
	return rc;
}

/* mkdir -p with mode 0700 for what it makes */
static int
mkdir_p(char *dir)
{
	char *s;

	if (mkdir(dir, 0700) == 0 || errno == EEXIST)
		return 0;
	if (errno != ENOENT || (s = strrchr(dir, '/')) == NULL || s == dir)
		return -1;
	*s = '\0';
	if (mkdir_p(dir) < 0) {
		*s = '/';
		return -1;
	}
	*s = '/';
	return mkdir(dir, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

static int
cache_write(struct oauth *a, struct ep_err *err)
{
	cJSON *j = cJSON_CreateObject();
	char *text = NULL, *dcopy = NULL;
	int rc = -1;

	char sid[65];

	secret_id(a, sid);
	if (j == NULL || !cJSON_AddStringToObject(j, "token_url", a->token_url) ||
	    !cJSON_AddStringToObject(j, "client_id", a->client_id) ||
	    !cJSON_AddStringToObject(j, "secret_id", sid) ||
	    !(a->scope ? cJSON_AddStringToObject(j, "scope", a->scope)
	               : cJSON_AddNullToObject(j, "scope")) ||
	    !cJSON_AddStringToObject(j, "access_token", a->tok.access_token) ||
	    !cJSON_AddNumberToObject(j, "expires_at_ms", (double)a->tok.expires_at_ms) ||
	    !cJSON_AddNumberToObject(j, "lifetime_ms", (double)a->tok.lifetime_ms) ||
	    (text = json_tree_print(j)) == NULL) {
		ep_errf(err, EP_SOFTWARE, "out of memory");
		goto out;
	}
	if ((dcopy = strdup(a->cache_file)) == NULL) {
		ep_errf(err, EP_SOFTWARE, "out of memory");
		goto out;
	}
	if (mkdir_p(dirname(dcopy)) < 0) {
		ep_errf(err, EP_IOERR, "cannot make the directory of token cache '%s': %s",
		        a->cache_file, strerror(errno));
		goto out;
	}
	rc = file_write_atomic(a->cache_file, text, strlen(text), err);
out:
	if (text) {
		explicit_bzero(text, strlen(text));
		free(text);
	}
	free(dcopy);
	cJSON_Delete(j);
	return rc;
}

/* ---- the grant ----------------------------------------------------------- */

/* application/x-www-form-urlencoded (RFC 6749 appendix B) */
static int
form_escape(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	int rc = 0;

	for (; *s && rc == 0; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~')
			rc = buf_addc(b, c);
		else if (c == ' ')
			rc = buf_addc(b, '+');
		else {
			rc = buf_addc(b, '%');
			if (rc == 0)
				rc = buf_addc(b, hex[c >> 4]);
			if (rc == 0)
				rc = buf_addc(b, hex[c & 15]);
		}
	}
	return rc;
}

static int
adopt(struct oauth *a, struct oauth_token *t, struct ep_err *err)
{
	struct buf h = BUF_INIT;
	char **nh;

	if ((nh = realloc(a->hdrs, (a->nhdrs + 1) * sizeof(*nh))) == NULL)
		goto oom;
	a->hdrs = nh;
	if (buf_adds(&h, "Authorization: Bearer ") < 0 || buf_adds(&h, t->access_token) < 0)
		goto oom;
	a->hdrs[a->nhdrs++] = buf_detach(&h, NULL);
	a->header = a->hdrs[a->nhdrs - 1];
	oauth_token_release(&a->tok);
	a->tok = *t;
	memset(t, 0, sizeof(*t));
	return 0;
oom:
	buf_release(&h);
	oauth_token_release(t);
	return ep_errf(err, EP_SOFTWARE, "out of memory");
}

static int
fresh(const struct oauth *a, const struct oauth_token *t, int64_t now)
{
	int64_t margin = a->margin_ms;

	if (margin > t->lifetime_ms / 10)
		margin = t->lifetime_ms / 10;
	return t->access_token != NULL && now + margin < t->expires_at_ms;
}

static int
fetch(struct oauth *a, struct ep_err *err)
{
	struct buf body = BUF_INIT, auth = BUF_INIT, cred = BUF_INIT;
	const char *hdrs[4] = { "Content-Type: application/x-www-form-urlencoded",
		                "Accept: application/json", NULL, NULL };
	struct http_req req = { 0 };
	struct http_resp resp;
	struct oauth_token t;
	int rc = -1;

	http_resp_init(&resp);
	if (buf_adds(&body, "grant_type=client_credentials") < 0)
		goto oom;
	if (a->scope && (buf_adds(&body, "&scope=") < 0 || form_escape(&body, a->scope) < 0))
		goto oom;
	if (a->basic) {
		if (form_escape(&cred, a->client_id) < 0 || buf_addc(&cred, ':') < 0 ||
		    form_escape(&cred, a->client_secret) < 0 ||
		    buf_adds(&auth, "Authorization: Basic ") < 0 ||
		    b64_encode(&auth, cred.p, cred.len) < 0)
			goto oom;
		hdrs[2] = auth.p;
	} else if (buf_adds(&body, "&client_id=") < 0 || form_escape(&body, a->client_id) < 0 ||
	           buf_adds(&body, "&client_secret=") < 0 ||
	           form_escape(&body, a->client_secret) < 0)
		goto oom;
	req.method = "POST";
	req.url = a->token_url;
	req.headers = hdrs;
	req.body = body.p;
	req.body_len = body.len;
	if (http_do(a->http, &req, &resp, err) < 0) {
		ep_err_prefix(err, "token endpoint '%s'", a->token_url);
		goto out;
	}
	a->fetches++;
	if (oauth_parse_token(resp.status, buf_str(&resp.body), resp.body.len, ep_wall_ms(a->clock),
	                      &t, err) < 0) {
		ep_err_prefix(err, "token endpoint '%s'", a->token_url);
		goto out;
	}
	if (adopt(a, &t, err) < 0)
		goto out;
	a->skip_cache = 0;
	rc = a->cache_file ? cache_write(a, err) : 0;
	goto out;
oom:
	ep_errf(err, EP_SOFTWARE, "out of memory");
out:
	if (body.p)
		explicit_bzero(body.p, body.len);
	if (cred.p)
		explicit_bzero(cred.p, cred.len);
	if (auth.p)
		explicit_bzero(auth.p, auth.len);
	buf_release(&body);
	buf_release(&cred);
	buf_release(&auth);
	if (resp.body.p)
		explicit_bzero(resp.body.p, resp.body.len);
	http_resp_release(&resp);
	return rc;
}

const char *
oauth_header(struct oauth *a, struct ep_err *err)
{
	struct oauth_token t;
	int64_t now = ep_wall_ms(a->clock);
	int r;

	if (fresh(a, &a->tok, now))
		return a->header;
	if (a->cache_file && !a->skip_cache) {
		if ((r = cache_read(a, &t, err)) < 0)
			return NULL;
		if (r == 1 && fresh(a, &t, now) &&
		    (a->tok.access_token == NULL ||
		     strcmp(t.access_token, a->tok.access_token) != 0))
			return adopt(a, &t, err) < 0 ? NULL : a->header;
		oauth_token_release(&t);
	}
	return fetch(a, err) < 0 ? NULL : a->header;
}

void
oauth_invalidate(struct oauth *a, const char *header)
{
	if (a->header == NULL || header == NULL || strcmp(header, a->header) != 0)
		return; /* a newer token is held already */
	oauth_token_release(&a->tok);
	a->header = NULL;
	a->skip_cache = 1;
}

int
oauth_do(struct oauth *a, struct http_client *c, const struct http_req *req, struct http_resp *resp,
         struct ep_err *err)
{
	const char **hdrs;
	const char *h = NULL;
	struct http_req r = *req;
	size_t n = 0;
	int attempt, rc = -1;

	while (req->headers && req->headers[n])
		n++;
	if ((hdrs = calloc(n + 2, sizeof(*hdrs))) == NULL)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	if (n)
		memcpy(hdrs, req->headers, n * sizeof(*hdrs));
	r.headers = hdrs;
	for (attempt = 0; attempt < 2; attempt++) {
		if ((h = oauth_header(a, err)) == NULL)
			break;
		hdrs[n] = h;
		if ((rc = http_do(c, &r, resp, err)) < 0 || resp->status != 401)
			break;
		oauth_invalidate(a, h);
	}
	free(hdrs);
	return h == NULL ? -1 : rc;
}
