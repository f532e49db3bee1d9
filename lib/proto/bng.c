/*
 * bng.c - the BNG REST API.  See bng.h and examples/bng/openapi.json.
 */
#include "proto/bng.h"

#include "base/hash.h"
#include "stream/json.h"
#include "base/log.h"
#include "net/retry.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/cfg.h"
#include "stream/json_tree.h"
#include "net/oauth.h"

static const struct bng_resource resources[] = {
	{ "customers", "Customer", "CustomerID", "customer" },
	{ "products", "Product", "ProductID", "product" },
	{ "sales_orders", "SalesOrder", "SalesOrderID", "sales_order" },
	{ "invoices", "Invoice", "InvoiceID", "invoice" },
	{ "payments", "Payment", "PaymentID", "payment" },
	{ "inventory_items", "InventoryItem", "InventoryItemID", "inventory_item" },
	{ "vendors", "Vendor", "VendorID", "vendor" },
	{ "purchase_orders", "PurchaseOrder", "PurchaseOrderID", "purchase_order" },
	{ "gl_entries", "GLEntry", "GLEntryID", "gl_entry" },
	{ "employees", "Employee", "EmployeeID", "employee" },
};

const struct bng_resource *
bng_resource_find(const char *path)
{
	size_t i;

	for (i = 0; i < sizeof(resources) / sizeof(resources[0]); i++)
		if (strcmp(resources[i].path, path) == 0)
			return &resources[i];
	return NULL;
}

const struct bng_resource *
bng_resource_by_event(const char *type, size_t len)
{
	const char *dot = memchr(type, '.', len);
	size_t i, n;

	if (dot == NULL)
		return NULL;
	n = (size_t)(dot - type);
	for (i = 0; i < sizeof(resources) / sizeof(resources[0]); i++)
		if (strlen(resources[i].singular) == n &&
		    memcmp(resources[i].singular, type, n) == 0)
			return &resources[i];
	return NULL;
}

struct bng {
	char *api;    /* API root, no trailing slash */
	char *origin; /* scheme://host[:port] */
	struct http_client *http;
	struct oauth *oauth; /* auth oauth */
	char *static_header; /* auth token */
	/* malformed or cut answers: the one retry policy, as http's */
	struct retry_policy retry;
	const struct ep_clock *clock;
	uint64_t rng;
};

static int
oom(struct ep_err *err)
{
	return ep_errf(err, EP_SOFTWARE, "out of memory");
}

int
bng_split_url(const char *url, char **origin, char **api, struct ep_err *err)
{
	const char *host = strstr(url, "://"), *path;
	struct buf o = BUF_INIT, a = BUF_INIT;
	size_t n;

	if (host == NULL || host == url || host[3] == '\0' || host[3] == '/')
		return ep_errf(err, EP_CONFIG, "BNG URL '%s' is not http(s)://host[:port][/path]",
		               url);
	if (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0)
		return ep_errf(err, EP_CONFIG, "BNG URL '%s': only http and https", url);
	path = strchr(host + 3, '/');
	if (path == NULL)
		path = url + strlen(url);
	if (buf_add(&o, url, (size_t)(path - url)) < 0)
		goto fail;
	n = strlen(path);
	while (n > 0 && path[n - 1] == '/')
		n--;
	if (buf_add(&a, url, (size_t)(path - url)) < 0 ||
	    (n == 0 ? buf_adds(&a, BNG_API_PATH) : buf_add(&a, path, n)) < 0)
		goto fail;
	*origin = buf_detach(&o, NULL);
	*api = buf_detach(&a, NULL);
	return 0;
fail:
	buf_release(&o);
	buf_release(&a);
	return oom(err);
}

struct bng *
bng_open(const struct bng_conn *c, const struct http_opts *ho, struct ep_err *err)
{
	struct bng *b;
	struct buf tu = BUF_INIT, h = BUF_INIT;

	if (c->url == NULL || *c->url == '\0') {
		ep_errf(err, EP_CONFIG, "no BNG URL: set url in the profile, $BNG_URL or --url");
		return NULL;
	}
	if ((b = calloc(1, sizeof(*b))) == NULL) {
		oom(err);
		return NULL;
	}
	if (bng_split_url(c->url, &b->origin, &b->api, err) < 0)
		goto fail;
	if ((b->http = http_new(ho, err)) == NULL)
		goto fail;
	b->retry = ho->retry;
	b->clock = ho->clock ? ho->clock : ep_clock_system();
	b->rng = ho->seed ? ho->seed : 0x9e3779b97f4a7c15ull;
	if (c->auth == NULL || strcmp(c->auth, "oauth") == 0) {
		struct oauth_opts oo;

		oauth_opts_init(&oo);
		if (c->token_url == NULL) {
			if (buf_adds(&tu, b->origin) < 0 || buf_adds(&tu, "/oauth/token") < 0) {
				oom(err);
				goto fail;
			}
		}
		oo.token_url = c->token_url ? c->token_url : tu.p;
		oo.client_id = c->client_id;
		oo.client_secret = c->secret;
		oo.scope = c->scope;
		oo.cache_file = c->token_cache;
		oo.basic = c->basic;
		oo.redact = ho->redact;
		if (oo.client_id == NULL || *oo.client_id == '\0') {
			ep_errf(err, EP_CONFIG,
			        "no BNG client id: set client_id in the profile, "
			        "$BNG_CLIENT_ID or --client-id");
			goto fail;
		}
		if ((b->oauth = oauth_new(&oo, ho, err)) == NULL)
			goto fail;
	} else if (strcmp(c->auth, "token") == 0) {
		if (c->secret == NULL || *c->secret == '\0' || strpbrk(c->secret, "\r\n")) {
			ep_errf(err, EP_CONFIG, "auth token: no usable bearer token");
			goto fail;
		}
		redact_add(ho->redact ? ho->redact : redact_default(), c->secret,
		           strlen(c->secret));
		if (buf_adds(&h, "Authorization: Bearer ") < 0 || buf_adds(&h, c->secret) < 0) {
			oom(err);
			goto fail;
		}
		b->static_header = buf_detach(&h, NULL);
	} else {
		ep_errf(err, EP_CONFIG, "auth '%s': BNG knows oauth and token", c->auth);
		goto fail;
	}
	buf_release(&tu);
	return b;
fail:
	buf_release(&tu);
	buf_release(&h);
	bng_close(b);
	return NULL;
}

void
bng_close(struct bng *b)
{
	if (b == NULL)
		return;
	oauth_free(b->oauth);
	http_free(b->http);
	if (b->static_header) {
		explicit_bzero(b->static_header, strlen(b->static_header));
		free(b->static_header);
	}
	free(b->api);
	free(b->origin);
	free(b);
}

struct http_client *
bng_http(struct bng *b)
{
	return b->http;
}

const char *
bng_api(const struct bng *b)
{
	return b->api;
}

const char *
bng_auth_header(struct bng *b, struct ep_err *err)
{
	return b->oauth ? oauth_header(b->oauth, err) : b->static_header;
}

void
bng_invalidate(struct bng *b, const char *header)
{
	if (b->oauth)
		oauth_invalidate(b->oauth, header);
}

int
bng_query_escape(struct buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	int rc = 0;

	for (; *s && rc == 0; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~' || c == ',' || c == ':')
			rc = buf_addc(out, c);
		else
			rc = buf_addf(out, "%%%c%c", hex[c >> 4], hex[c & 15]);
	}
	return rc;
}

int
bng_url(const struct bng *b, struct buf *out, const char *path, const char *query)
{
	if (buf_adds(out, b->api) < 0 || buf_addc(out, '/') < 0 || buf_adds(out, path) < 0)
		return -1;
	if (query && *query && (buf_addc(out, '?') < 0 || buf_adds(out, query) < 0))
		return -1;
	return 0;
}

int
bng_do(struct bng *b, const char *method, const char *url, const char *body, size_t len,
       struct http_resp *resp, struct ep_err *err)
{
	const char *hdrs[4] = { "Accept: application/json", NULL, NULL, NULL };
	struct http_req req = { 0 };
	int n = 1;

	if (body)
		hdrs[n++] = "Content-Type: application/json";
	req.method = method;
	req.url = url;
	req.headers = hdrs;
	req.body = body;
	req.body_len = len;
	req.once = strcmp(method, "GET") != 0; /* a write: http.h's once, resp->lost */
	if (b->oauth)
		return oauth_do(b->oauth, b->http, &req, resp, err);
	hdrs[n] = b->static_header;
	return http_do(b->http, &req, resp, err);
}

char *
bng_token_cache_path(const char *url, const char *client_id)
{
	const char *home = getenv("HOME"), *xdg = getenv("XDG_CACHE_HOME"), *s;
	uint64_t h = fnv1a64_short(url, strlen(url) + 1); /* the NUL: a separator */
	struct buf b = BUF_INIT;

	s = client_id ? client_id : "";
	h = fnv1a64_add(h, s, strlen(s));
	if (xdg && *xdg)
		buf_addf(&b, "%s/erpipe", xdg);
	else if (home && *home)
		buf_addf(&b, "%s/.cache/erpipe", home);
	else
		return NULL;
	if (buf_addf(&b, "/bng-%016llx.token", (unsigned long long)h) < 0) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

int
bng_conn_from_profile(struct bng_conn *c, struct cfg_profile *p, char **cache_store,
                      struct ep_err *err)
{
	*cache_store = NULL;
	c->url = cfg_get(p, "url");
	c->auth = cfg_get(p, "auth");
	c->client_id = cfg_get(p, "client_id");
	if (c->url == NULL)
		return ep_errf(err, EP_CONFIG,
		               "no BNG URL: set url in the profile, $BNG_URL or "
		               "--url");
	if ((c->secret = cfg_secret(p, err)) == NULL)
		return -1;
	if (c->token_cache == NULL)
		c->token_cache = *cache_store = bng_token_cache_path(c->url, c->client_id);
	else if (strcmp(c->token_cache, "-") == 0)
		c->token_cache = NULL;
	return 0;
}

/* ---- errors ---------------------------------------------------------------- */

void
bng_error_release(struct bng_error *e)
{
	size_t i;

	for (i = 0; i < e->nfields; i++) {
		free(e->fields[i].path);
		free(e->fields[i].message);
	}
	free(e->fields);
	free(e->code);
	free(e->message);
	memset(e, 0, sizeof(*e));
}

int
bng_field_pointer(struct buf *out, const char *f)
{
	int rc = 0;

	if (strcmp(f, "(body)") == 0 || strcmp(f, "(item)") == 0)
		return 0;
	rc = buf_addc(out, '/');
	for (; *f && rc == 0; f++) {
		if (*f == '.')
			rc = buf_addc(out, '/');
		else if (*f == '[') {
			const char *end = strchr(f, ']');

			if (end == NULL)
				return buf_adds(out, f);
			rc = buf_addc(out, '/');
			if (rc == 0)
				rc = buf_add(out, f + 1, (size_t)(end - f - 1));
			f = end;
		} else if (*f == '~')
			rc = buf_adds(out, "~0");
		else if (*f == '/')
			rc = buf_adds(out, "~1");
		else
			rc = buf_addc(out, *f);
	}
	return rc;
}

/* text of a JSON value for messages: strings as they are, others printed */
static char *
text_of(const cJSON *v)
{
	if (cJSON_IsString(v))
		return strdup(v->valuestring);
	return json_tree_print(v);
}

int
bng_error_from_json(const cJSON *err_obj, struct bng_error *e)
{
	const cJSON *v, *f;
	size_t n = 0;

	memset(e, 0, sizeof(*e));
	if (cJSON_IsString(err_obj)) { /* OAuth style {"error": "invalid_client"} */
		e->code = strdup(err_obj->valuestring);
		e->message = strdup("");
		return e->code && e->message ? 0 : -1;
	}
	if (!cJSON_IsObject(err_obj))
		return -1;
	v = cJSON_GetObjectItemCaseSensitive(err_obj, "code");
	e->code = v ? text_of(v) : strdup("");
	v = cJSON_GetObjectItemCaseSensitive(err_obj, "message");
	e->message = v ? text_of(v) : strdup("");
	if (e->code == NULL || e->message == NULL) {
		bng_error_release(e);
		return -1;
	}
	v = cJSON_GetObjectItemCaseSensitive(err_obj, "existing_id");
	if (cJSON_IsNumber(v) && v->valuedouble >= 1 && v->valuedouble <= (double)LONG_MAX / 2)
		e->existing_id = (long)v->valuedouble;
	v = cJSON_GetObjectItemCaseSensitive(err_obj, "fields");
	if (cJSON_IsObject(v)) {
		size_t cnt = (size_t)cJSON_GetArraySize(v);

		if (cnt > BNG_ERROR_FIELDS_MAX)
			cnt = BNG_ERROR_FIELDS_MAX;
		if (cnt && (e->fields = calloc(cnt, sizeof(*e->fields))) == NULL) {
			bng_error_release(e);
			return -1;
		}
		cJSON_ArrayForEach(f, v) {
			struct buf p = BUF_INIT;

			if (n == cnt || f->string == NULL)
				break;
			if (bng_field_pointer(&p, f->string) < 0 ||
			    (e->fields[n].message = text_of(f)) == NULL) {
				buf_release(&p);
				bng_error_release(e);
				return -1;
			}
			e->fields[n].path = p.p ? buf_detach(&p, NULL) : strdup("");
			if (e->fields[n].path == NULL) {
				free(e->fields[n].message);
				bng_error_release(e);
				return -1;
			}
			e->nfields = ++n;
		}
	}
	return 0;
}

int
bng_error_parse(const char *body, size_t len, struct bng_error *e)
{
	cJSON *j = cJSON_ParseWithLength(body, len);
	int rc = -1;

	memset(e, 0, sizeof(*e));
	if (cJSON_IsObject(j))
		rc = bng_error_from_json(cJSON_GetObjectItemCaseSensitive(j, "error"), e);
	cJSON_Delete(j);
	return rc;
}

int64_t
bng_now_ms(const struct bng *b)
{
	return ep_now_ms(b->clock);
}

int
bng_again(struct bng *b, int attempt, int64_t t0_ms, struct ep_err *err)
{
	return http_again(&b->retry, b->clock, &b->rng, attempt, t0_ms, err);
}

int
bng_get_json(struct bng *b, const char *url, struct http_resp *resp, struct ep_err *err)
{
	int64_t t0 = bng_now_ms(b);

	for (int attempt = 0;; attempt++) {
		size_t off;
		const char *why;

		if (bng_do(b, "GET", url, NULL, 0, resp, err) < 0 ||
		    bng_check(resp, "GET", url, err) < 0)
			return -1;
		if (json_check(buf_str(&resp->body), resp->body.len, &off, &why) != JSON_INVALID)
			return 0;
		char brief[HTTP_URL_BRIEF + 64];

		ep_errf(err, EP_UNAVAILABLE, "GET %s: a malformed answer (%s at byte %zu of %zu)",
		        http_url_brief(url, brief, sizeof(brief)), why, off + 1, resp->body.len);
		if (!bng_again(b, attempt, t0, err))
			return -1;
	}
}

/* one line: control characters become spaces, cut at max bytes */
static void
one_line(char *dst, size_t cap, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len && i + 1 < cap; i++)
		dst[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? ' ' : s[i];
	dst[i] = '\0';
}

int
bng_check(const struct http_resp *r, const char *method, const char *url, struct ep_err *err)
{
	struct bng_error e;
	char what[512], brief[HTTP_URL_BRIEF + 64];
	int code;

	if (r->status >= 200 && r->status <= 299)
		return 0;
	switch (r->status) {
	case 400:
	case 409:
	case 422:
		code = EP_DATAERR;
		break;
	case 401:
	case 403:
		code = EP_NOPERM;
		break;
	case 404:
		code = EP_NOINPUT;
		break;
	case 429:
		code = EP_TEMPFAIL;
		break;
	default:
		code = EP_UNAVAILABLE;
	}
	if (bng_error_parse(buf_str(&r->body), r->body.len, &e) == 0) {
		snprintf(what, sizeof(what), "%s%s%s", e.code, *e.message ? ": " : "", e.message);
		bng_error_release(&e);
		one_line(what, sizeof(what), what, strlen(what));
	} else
		one_line(what, sizeof(what) > 121 ? 121 : sizeof(what), buf_str(&r->body),
		         r->body.len);
	return ep_errf(err, code, "%s %s: HTTP %ld%s%s", method,
	               http_url_brief(url, brief, sizeof(brief)), r->status, *what ? " " : "",
	               what);
}

/* ---- paths and pages -------------------------------------------------------- */

/* Walk path in v; returns the item and sets *parent (NULL for the root). */
static cJSON *
walk(cJSON *v, const char *path, cJSON **parent)
{
	char seg[256];
	const char *p = path;
	int pointer;

	*parent = NULL;
	if (path == NULL || *path == '\0' || strcmp(path, "/") == 0)
		return v;
	pointer = *p == '/';
	if (pointer)
		p++;
	while (v != NULL) {
		size_t n = 0;
		char sep = pointer ? '/' : '.';

		while (*p && *p != sep && n + 1 < sizeof(seg)) {
			if (pointer && *p == '~' && (p[1] == '0' || p[1] == '1')) {
				seg[n++] = p[1] == '0' ? '~' : '/';
				p += 2;
				continue;
			}
			seg[n++] = *p++;
		}
		if (*p && *p != sep)
			return NULL; /* segment too long */
		seg[n] = '\0';
		*parent = v;
		if (cJSON_IsArray(v)) {
			char *end;
			long i = strtol(seg, &end, 10);

			if (n == 0 || *end || i < 0 || i > INT_MAX)
				return NULL;
			v = cJSON_GetArrayItem(v, (int)i);
		} else if (cJSON_IsObject(v))
			v = cJSON_GetObjectItemCaseSensitive(v, seg);
		else
			return NULL;
		if (*p == '\0')
			return v;
		p++;
	}
	return NULL;
}

cJSON *
bng_path_get(cJSON *v, const char *path)
{
	cJSON *parent;

	return walk(v, path, &parent);
}

int
bng_page_style_parse(const char *s, enum bng_page_style *out)
{
	static const char *const names[] = { "cursor", "page", "offset", "link" };
	int i;

	for (i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum bng_page_style)i;
			return 0;
		}
	return -1;
}

/* The URL of rel="next" in a Link header value, or NULL. */
static char *
link_next(const char *h)
{
	const char *p = h;

	while (p && *p) {
		const char *lt = strchr(p, '<'), *gt, *end, *rel;

		if (lt == NULL || (gt = strchr(lt, '>')) == NULL)
			return NULL;
		end = strchr(gt, ',');
		if (end == NULL)
			end = gt + strlen(gt);
		for (rel = gt; rel < end; rel++) {
			const char *q;

			if (strncasecmp(rel, "rel=", 4) != 0)
				continue;
			q = rel + 4;
			if (*q == '"')
				q++;
			/* rel may hold several space-separated types */
			while (q < end && *q != '"' && *q != ';') {
				if (strncasecmp(q, "next", 4) == 0 &&
				    (q + 4 == end || q[4] == '"' || q[4] == ' ' || q[4] == ';'))
					return strndup(lt + 1, (size_t)(gt - lt - 1));
				while (q < end && *q != ' ' && *q != '"' && *q != ';')
					q++;
				while (q < end && *q == ' ')
					q++;
			}
		}
		p = *end ? end + 1 : end;
	}
	return NULL;
}

int
bng_page_parse(const struct bng_list *l, const char *body, size_t len, const char *link,
               cJSON **items, char **next, struct ep_err *err)
{
	const char *ip = l->items_path ? l->items_path : "data";
	const char *np = l->next_path;
	cJSON *j, *arr, *parent, *nv;

	*items = NULL;
	*next = NULL;
	if (np == NULL && l->style == BNG_PAGE_CURSOR)
		np = "next_cursor";
	/* by the stream's rules (json_tree.h): cJSON would cut a string at a
	 * U+0000 and round a number a double does not hold, without a word */
	if (json_check(body, len, NULL, NULL) == JSON_INVALID)
		return ep_errf(err, EP_UNAVAILABLE, "the page is not JSON");
	struct json_tree_err te = { NULL, 0, BUF_INIT };
	if ((j = json_tree_parse(body, len, &te)) == NULL) {
		ep_errf(err, EP_DATAERR, "the page's '%s': %s; not extracted altered",
		        buf_str(&te.path), te.why ? te.why : "what cannot be read");
		buf_release(&te.path);
		return -1;
	}
	buf_release(&te.path);
	arr = walk(j, ip, &parent);
	if (!cJSON_IsArray(arr)) {
		cJSON_Delete(j);
		return ep_errf(err, EP_UNAVAILABLE, "the page has no array at '%s'",
		               *ip ? ip : "/");
	}
	if (np && *np && parent != NULL && (nv = bng_path_get(j, np)) != NULL) {
		if (cJSON_IsString(nv) && *nv->valuestring)
			*next = strdup(nv->valuestring);
		else if (cJSON_IsNumber(nv))
			*next = json_tree_print(nv);
		else if (!cJSON_IsNull(nv) && !cJSON_IsFalse(nv) && !cJSON_IsString(nv)) {
			cJSON_Delete(j);
			return ep_errf(err, EP_UNAVAILABLE, "'%s' is neither a string nor null",
			               np);
		}
	} else if (l->style == BNG_PAGE_LINK && link != NULL)
		*next = link_next(link);
	if (parent == NULL)
		*items = j;
	else {
		*items = cJSON_DetachItemViaPointer(parent, arr);
		cJSON_Delete(j);
	}
	return 0;
}

struct bng_pager {
	struct bng *b;
	struct bng_list l;
	struct buf base; /* URL without the paging parameters */
	struct buf url;  /* of the page being fetched */
	char *next;      /* cursor or URL */
	long page, offset, pages;
	int started, done;
	struct http_resp resp;
};

struct bng_pager *
bng_pager_new(struct bng *b, const char *resource, const struct bng_list *l, struct ep_err *err)
{
	struct bng_pager *p = calloc(1, sizeof(*p));
	struct buf *u;
	int rc = 0;

	if (p == NULL) {
		oom(err);
		return NULL;
	}
	p->b = b;
	p->l = *l;
	p->page = 1;
	http_resp_init(&p->resp);
	u = &p->base;
	rc = bng_url(b, u, resource, NULL) < 0 || buf_addc(u, '?') < 0;
	if (!rc && l->since)
		rc = buf_addf(u, "%s=", l->since_param ? l->since_param : "updated_since") < 0 ||
		     bng_query_escape(u, l->since) < 0 || buf_addc(u, '&') < 0;
	if (!rc && l->fields)
		rc = buf_adds(u, "fields=") < 0 || bng_query_escape(u, l->fields) < 0 ||
		     buf_addc(u, '&') < 0;
	if (!rc && l->query && *l->query)
		rc = buf_adds(u, l->query) < 0 || buf_addc(u, '&') < 0;
	if (rc) {
		bng_pager_free(p);
		oom(err);
		return NULL;
	}
	return p;
}

void
bng_pager_free(struct bng_pager *p)
{
	if (p == NULL)
		return;
	buf_release(&p->base);
	buf_release(&p->url);
	free(p->next);
	http_resp_release(&p->resp);
	free(p);
}

long
bng_pager_pages(const struct bng_pager *p)
{
	return p->pages;
}

static int
page_url(struct bng_pager *p)
{
	struct buf *u = &p->url;
	long lim = p->l.limit;
	int rc;

	buf_reset(u);
	if (p->l.style == BNG_PAGE_LINK && p->next) {
		if (strncmp(p->next, "http://", 7) == 0 || strncmp(p->next, "https://", 8) == 0)
			return buf_adds(u, p->next);
		if (p->next[0] == '/') { /* relative to the origin */
			if (buf_adds(u, p->b->origin) < 0)
				return -1;
			return buf_adds(u, p->next);
		}
		return -2;
	}
	rc = buf_add(u, p->base.p, p->base.len);
	switch (p->l.style) {
	case BNG_PAGE_CURSOR:
	case BNG_PAGE_LINK:
		if (rc == 0 && lim > 0)
			rc = buf_addf(u, "limit=%ld&", lim);
		if (rc == 0 && p->next)
			rc = buf_adds(u, "cursor=") < 0 || bng_query_escape(u, p->next) < 0 ? -1
			                                                                    : 0;
		break;
	case BNG_PAGE_PAGE:
		if (rc == 0)
			rc = buf_addf(u, "page=%ld", p->page);
		if (rc == 0 && lim > 0)
			rc = buf_addf(u, "&per_page=%ld", lim);
		break;
	case BNG_PAGE_OFFSET:
		if (rc == 0)
			rc = buf_addf(u, "offset=%ld", p->offset);
		if (rc == 0 && lim > 0)
			rc = buf_addf(u, "&limit=%ld", lim);
		break;
	}
	/* drop a dangling '&' or '?' */
	while (rc == 0 && u->len && (u->p[u->len - 1] == '&' || u->p[u->len - 1] == '?'))
		u->p[--u->len] = '\0';
	return rc;
}

int
bng_pager_next(struct bng_pager *p, cJSON **items, struct ep_err *err)
{
	char *next = NULL;
	int n, rc;

	*items = NULL;
	if (p->done)
		return 0;
	if ((rc = page_url(p)) < 0) {
		if (rc == -2)
			return ep_errf(err, EP_UNAVAILABLE, "next page URL '%s' is not absolute",
			               p->next);
		return oom(err);
	}
	if (bng_get_json(p->b, p->url.p, &p->resp, err) < 0)
		return -1;
	if (bng_page_parse(&p->l, buf_str(&p->resp.body), p->resp.body.len,
	                   http_resp_header(&p->resp, "Link"), items, &next, err) < 0)
		return ep_err_prefix(err, "GET %s", p->url.p);
	p->pages++;
	n = cJSON_GetArraySize(*items);
	free(p->next);
	p->next = NULL;
	switch (p->l.style) {
	case BNG_PAGE_CURSOR:
	case BNG_PAGE_LINK:
		p->next = next;
		next = NULL;
		p->done = p->next == NULL;
		break;
	case BNG_PAGE_PAGE:
	case BNG_PAGE_OFFSET:
		p->page++;
		p->offset += n;
		p->done = n == 0 || (p->l.limit > 0 && n < p->l.limit);
		break;
	}
	free(next);
	return 1;
}

int
bng_count(struct bng *b, const char *resource, const char *query, long *count, long *min_id,
          long *max_id, struct ep_err *err)
{
	struct buf u = BUF_INIT, q = BUF_INIT;
	struct http_resp r;
	cJSON *j = NULL, *v;
	int rc = -1;

	http_resp_init(&r);
	if (buf_adds(&q, "limit=0&count=true") < 0 ||
	    (query && *query && (buf_addc(&q, '&') < 0 || buf_adds(&q, query) < 0)) ||
	    bng_url(b, &u, resource, q.p) < 0) {
		oom(err);
		goto out;
	}
	if (bng_get_json(b, u.p, &r, err) < 0)
		goto out;
	j = cJSON_ParseWithLength(buf_str(&r.body), r.body.len);
	v = cJSON_GetObjectItemCaseSensitive(j, "total_count");
	if (!cJSON_IsNumber(v) || v->valuedouble < 0) {
		ep_errf(err, EP_UNAVAILABLE, "GET %s: no total_count in the answer", u.p);
		goto out;
	}
	*count = (long)v->valuedouble;
	v = cJSON_GetObjectItemCaseSensitive(j, "min_id");
	*min_id = cJSON_IsNumber(v) ? (long)v->valuedouble : 0;
	v = cJSON_GetObjectItemCaseSensitive(j, "max_id");
	*max_id = cJSON_IsNumber(v) ? (long)v->valuedouble : 0;
	rc = 0;
out:
	cJSON_Delete(j);
	buf_release(&u);
	buf_release(&q);
	http_resp_release(&r);
	return rc;
}

/* ---- describe ----------------------------------------------------------------- */

#define COMP "#/components/schemas/"
#define DESCRIBE_DEFS_MAX 256

/* Rewrite every components $ref under v to $defs, adding the names to defs
 * (unique, at most DESCRIBE_DEFS_MAX). */
static int
rewrite_refs(cJSON *v, const char *self, char **defs, size_t *ndefs, int depth)
{
	cJSON *c;

	if (depth > 64)
		return -1;
	if (cJSON_IsObject(v)) {
		cJSON *ref = cJSON_GetObjectItemCaseSensitive(v, "$ref");

		if (cJSON_IsString(ref) && strncmp(ref->valuestring, COMP, strlen(COMP)) == 0) {
			const char *rest = ref->valuestring + strlen(COMP);
			size_t n = strcspn(rest, "/"), i;
			struct buf nb = BUF_INIT;

			if (n == 0)
				return -1;
			if (strlen(self) == n && strncmp(rest, self, n) == 0) {
				if (buf_adds(&nb, "#") < 0 || buf_adds(&nb, rest + n) < 0)
					return -1;
			} else {
				for (i = 0; i < *ndefs; i++)
					if (strlen(defs[i]) == n && strncmp(defs[i], rest, n) == 0)
						break;
				if (i == *ndefs) {
					if (*ndefs == DESCRIBE_DEFS_MAX ||
					    (defs[*ndefs] = strndup(rest, n)) == NULL)
						return -1;
					(*ndefs)++;
				}
				if (buf_adds(&nb, "#/$defs/") < 0 || buf_adds(&nb, rest) < 0)
					return -1;
			}
			cJSON_SetValuestring(ref, nb.p);
			buf_release(&nb);
		}
	}
	if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
		return 0;
	cJSON_ArrayForEach(c, v) {
		if (rewrite_refs(c, self, defs, ndefs, depth + 1) < 0)
			return -1;
	}
	return 0;
}

/* The component schema name of resource's records. */
static const char *
schema_name(const cJSON *doc, const char *resource)
{
	const cJSON *r, *v;
	char path[300];

	cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(doc, "x-bng-resources")) {
		v = cJSON_GetObjectItemCaseSensitive(r, "path");
		if (cJSON_IsString(v) && strcmp(v->valuestring, resource) == 0) {
			v = cJSON_GetObjectItemCaseSensitive(r, "schema");
			return cJSON_IsString(v) ? v->valuestring : NULL;
		}
	}
	/* paths./R.get.responses.200.content.application/json.schema -> a list
	 * schema whose data.items is the record */
	snprintf(path, sizeof(path), "/%s", resource);
	v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "paths"), path);
	v = cJSON_GetObjectItemCaseSensitive(v, "get");
	v = cJSON_GetObjectItemCaseSensitive(v, "responses");
	v = cJSON_GetObjectItemCaseSensitive(v, "200");
	v = cJSON_GetObjectItemCaseSensitive(v, "content");
	v = cJSON_GetObjectItemCaseSensitive(v, "application/json");
	v = cJSON_GetObjectItemCaseSensitive(v, "schema");
	v = cJSON_GetObjectItemCaseSensitive(v, "$ref");
	if (!cJSON_IsString(v) || strncmp(v->valuestring, COMP, strlen(COMP)) != 0)
		return NULL;
	v = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(doc, "components"), "schemas"),
		v->valuestring + strlen(COMP));
	v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(v, "properties"),
	                                     "data");
	v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(v, "items"), "$ref");
	if (!cJSON_IsString(v) || strncmp(v->valuestring, COMP, strlen(COMP)) != 0)
		return NULL;
	return v->valuestring + strlen(COMP);
}

cJSON *
bng_describe(const cJSON *doc, const char *resource, struct ep_err *err)
{
	const cJSON *schemas = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(doc, "components"), "schemas");
	const char *name = schema_name(doc, resource);
	const cJSON *src;
	cJSON *out = NULL, *defs = NULL, *c, *copy;
	char *names[DESCRIBE_DEFS_MAX];
	size_t n = 0, i;

	if (name == NULL ||
	    !cJSON_IsObject(src = cJSON_GetObjectItemCaseSensitive(schemas, name))) {
		ep_errf(err, EP_DATAERR, "the OpenAPI document does not describe '%s'", resource);
		return NULL;
	}
	if ((out = cJSON_CreateObject()) == NULL ||
	    !cJSON_AddStringToObject(out, "$schema",
	                             "https://json-schema.org/draft/2020-12/schema") ||
	    !cJSON_AddStringToObject(out, "title", name))
		goto oom;
	cJSON_ArrayForEach(c, src) {
		if (strcmp(c->string, "title") == 0 || strcmp(c->string, "$schema") == 0)
			continue;
		if ((copy = cJSON_Duplicate(c, 1)) == NULL)
			goto oom;
		cJSON_AddItemToObject(out, c->string, copy);
	}
	if (rewrite_refs(out, name, names, &n, 0) < 0)
		goto bad;
	/* the referenced schemas, and what they refer to in turn */
	for (i = 0; i < n; i++) {
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(schemas, names[i]);

		if (!cJSON_IsObject(d)) {
			ep_errf(err, EP_DATAERR,
			        "the OpenAPI document refers to schema '%s', which "
			        "it does not define",
			        names[i]);
			goto fail;
		}
		if (defs == NULL && (defs = cJSON_AddObjectToObject(out, "$defs")) == NULL)
			goto oom;
		if ((copy = cJSON_Duplicate(d, 1)) == NULL)
			goto oom;
		cJSON_AddItemToObject(defs, names[i], copy);
		if (rewrite_refs(copy, name, names, &n, 0) < 0)
			goto bad;
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	return out;
bad:
	ep_errf(err, EP_DATAERR,
	        "the OpenAPI document's schema for '%s' is too deep or refers "
	        "to too many schemas",
	        resource);
	goto fail;
oom:
	oom(err);
fail:
	for (i = 0; i < n; i++)
		free(names[i]);
	cJSON_Delete(out);
	return NULL;
}

cJSON *
bng_openapi(const char *url, const struct http_opts *ho, struct ep_err *err)
{
	char *origin = NULL, *api = NULL;
	struct buf u = BUF_INIT;
	struct http_client *c;
	struct http_req q = { 0 };
	struct http_resp resp;
	cJSON *doc = NULL;

	if (bng_split_url(url, &origin, &api, err) < 0)
		return NULL;
	buf_addf(&u, "%s/openapi.json", api);
	free(origin);
	free(api);
	http_resp_init(&resp);
	if ((c = http_new(ho, err)) == NULL) {
		buf_release(&u);
		return NULL;
	}
	q.url = u.p;
	if (http_do(c, &q, &resp, err) == 0 && bng_check(&resp, "GET", u.p, err) == 0)
		doc = cJSON_ParseWithLength(buf_str(&resp.body), resp.body.len);
	else if (err->code == 0)
		ep_errf(err, EP_UNAVAILABLE, "GET %s failed", u.p);
	if (doc == NULL && err->code == 0)
		ep_errf(err, EP_UNAVAILABLE, "GET %s: not JSON", u.p);
	http_free(c);
	http_resp_release(&resp);
	buf_release(&u);
	return doc;
}
