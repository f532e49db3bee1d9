#include "proto/nav.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "net/oauth.h"
#include "net/retry.h"

const struct ep_opt nav_opts_table[] = {
	{ "auth", OPT_NAV_AUTH, "basic|ntlm|oauth|none",
	  "how to log in (default basic: user and web service access key)" },
	{ "company", OPT_NAV_COMPANY, "NAME",
	  "the company (default: the profile's, else NAV's default)" },
	{ "company-id", OPT_NAV_COMPANY_ID, "GUID", "the company by its Id: Company(Id=GUID)" },
	{ "scope", OPT_NAV_SCOPE, "SCOPE", "OAuth scope (default " NAV_SCOPE_DEFAULT ")" },
	{ "soap-url", OPT_NAV_SOAP_URL, "URL",
	  "SOAP root (default: the OData URL with /ODataV4 replaced by /WS)" },
	{ "token-url", OPT_NAV_TOKEN_URL, "URL", "OAuth token endpoint (Microsoft Entra)" },
	{ "url", OPT_NAV_URL, "URL", "OData service root (default: the profile's url, $NAV_URL)" },
	{ "user", OPT_NAV_USER, "USER", "user name (DOMAIN\\user for NTLM)" },
	{ NULL, 0, NULL, NULL },
};

int
nav_flag(struct nav_flags *f, int key, const char *arg)
{
	/* clang-format off */
	switch (key) {
	case OPT_NAV_AUTH: f->auth = arg; return 1;
	case OPT_NAV_COMPANY: f->company = arg; return 1;
	case OPT_NAV_COMPANY_ID: f->company_id = arg; return 1;
	case OPT_NAV_SCOPE: f->scope = arg; return 1;
	case OPT_NAV_SOAP_URL: f->soap_url = arg; return 1;
	case OPT_NAV_TOKEN_URL: f->token_url = arg; return 1;
	case OPT_NAV_URL: f->url = arg; return 1;
	case OPT_NAV_USER: f->user = arg; return 1;
	}
	/* clang-format on */
	return 0;
}

int
nav_conn_from_profile(struct nav_conn *c, struct cfg_profile *p, const struct nav_flags *f,
                      struct ep_err *err)
{
	const char *auth;

	memset(c, 0, sizeof(*c));
	c->url = f->url ? f->url : cfg_get(p, "url");
	if (c->url == NULL && cfg_require(p, "url", err) == NULL)
		return ep_err_prefix(err, "give --url, or");
	if (f->company_id) {
		c->company = f->company_id;
		c->company_id = 1;
	} else {
		c->company = f->company ? f->company : cfg_get(p, "company");
	}
	c->user = f->user ? f->user : cfg_get(p, "user");
	auth = f->auth ? f->auth : cfg_get(p, "auth");
	if (auth == NULL || strcmp(auth, "basic") == 0)
		c->auth = NAV_AUTH_BASIC;
	else if (strcmp(auth, "ntlm") == 0)
		c->auth = NAV_AUTH_NTLM;
	else if (strcmp(auth, "oauth") == 0)
		c->auth = NAV_AUTH_OAUTH;
	else if (strcmp(auth, "none") == 0)
		c->auth = NAV_AUTH_NONE;
	else
		return ep_errf(err, f->auth ? EP_USAGE : EP_CONFIG,
		               "auth '%s': want basic, ntlm, oauth or none", auth);
	c->soap_url = f->soap_url;
	c->token_url = f->token_url;
	c->scope = f->scope;
	c->client_id = cfg_get(p, "client_id");
	if (c->auth == NAV_AUTH_NONE)
		return 0;
	if (c->auth == NAV_AUTH_OAUTH) {
		if (c->client_id == NULL && cfg_require(p, "client_id", err) == NULL)
			return -1;
		if (c->token_url == NULL)
			return ep_errf(
				err, EP_CONFIG,
				"--auth oauth needs --token-url (for Business "
				"Central online: https://login.microsoftonline.com/TENANT/oauth2/"
				"v2.0/token)");
	} else if (c->user == NULL && cfg_require(p, "user", err) == NULL) {
		return ep_err_prefix(err, "give --user, or");
	}
	if ((c->secret = cfg_secret(p, err)) == NULL)
		return -1;
	return 0;
}

struct nav {
	int lost;         /* nav_lost */
	int64_t again_t0; /* nav_again's first round */
	struct http_client *http;
	struct oauth *oauth;
	struct http_opts ho;
	enum nav_auth auth;
	char *user, *secret;
	char *root;      /* with trailing '/' */
	char *soap_root; /* without trailing '/', or NULL */
	char *company;
	int company_id, api, seg_done;
	int company_checked;
	struct buf seg;
	int have_md;
	struct odata_md md;
	struct navsoap_page *pages;
	size_t npages;
	long requests;
	uint64_t rng;
};

static char *
dup_root(const char *url)
{
	size_t n = strlen(url);
	char *r;

	while (n > 0 && url[n - 1] == '/')
		n--;
	if ((r = malloc(n + 2)) == NULL)
		return NULL;
	memcpy(r, url, n);
	r[n] = '/';
	r[n + 1] = '\0';
	return r;
}

struct nav *
nav_open(const struct nav_conn *c, const struct http_opts *ho, struct ep_err *err)
{
	struct nav *n = calloc(1, sizeof(*n));

	if (n == NULL) {
		ep_errf(err, EP_SOFTWARE, "out of memory");
		return NULL;
	}
	if (strncmp(c->url, "http://", 7) != 0 && strncmp(c->url, "https://", 8) != 0) {
		ep_errf(err, EP_CONFIG, "url '%s': want an http:// or https:// OData service root",
		        c->url);
		free(n);
		return NULL;
	}
	n->ho = *ho;
	n->auth = c->auth;
	n->rng = ho->seed ? ho->seed : 0x9e3779b97f4a7c15ull;
	n->root = dup_root(c->url);
	n->api = strstr(c->url, "/api/") != NULL;
	n->company_id = c->company_id;
	n->user = c->user ? strdup(c->user) : NULL;
	n->secret = c->secret ? strdup(c->secret) : NULL;
	n->company = c->company && *c->company ? strdup(c->company) : NULL;
	if (c->soap_url) {
		n->soap_root = dup_root(c->soap_url);
		if (n->soap_root)
			n->soap_root[strlen(n->soap_root) - 1] = '\0';
	} else {
		const char *o = strstr(c->url, "/ODataV4");
		if (o) {
			size_t pre = (size_t)(o - c->url);
			if ((n->soap_root = malloc(pre + 4)) != NULL) {
				memcpy(n->soap_root, c->url, pre);
				memcpy(n->soap_root + pre, "/WS", 4);
			}
		}
	}
	if (n->root == NULL) {
		ep_errf(err, EP_SOFTWARE, "out of memory");
		nav_close(n);
		return NULL;
	}
	if ((n->http = http_new(ho, err)) == NULL) {
		nav_close(n);
		return NULL;
	}
	if (c->auth == NAV_AUTH_OAUTH) {
		struct oauth_opts oo;
		oauth_opts_init(&oo);
		oo.token_url = c->token_url;
		oo.client_id = c->client_id;
		oo.client_secret = c->secret;
		oo.scope = c->scope ? c->scope : NAV_SCOPE_DEFAULT;
		oo.cache_file = c->token_cache;
		if ((n->oauth = oauth_new(&oo, ho, err)) == NULL) {
			nav_close(n);
			return NULL;
		}
	}
	if (n->secret)
		redact_secret(n->secret);
	return n;
}

void
nav_close(struct nav *n)
{
	if (n == NULL)
		return;
	http_free(n->http);
	oauth_free(n->oauth);
	if (n->secret) {
		explicit_bzero(n->secret, strlen(n->secret));
		free(n->secret);
	}
	free(n->user);
	free(n->root);
	free(n->soap_root);
	free(n->company);
	buf_release(&n->seg);
	if (n->have_md)
		odata_md_free(&n->md);
	for (size_t i = 0; i < n->npages; i++)
		navsoap_page_free(&n->pages[i]);
	free(n->pages);
	free(n);
}

const char *
nav_root(const struct nav *n)
{
	return n->root;
}

long
nav_requests(const struct nav *n)
{
	return n->requests;
}

int
nav_lost(const struct nav *n)
{
	return n->lost;
}

int
nav_again(struct nav *n, int attempt, struct ep_err *err)
{
	if (attempt == 0)
		n->again_t0 = ep_now_ms(n->ho.clock ? n->ho.clock : ep_clock_system());
	return http_again(&n->ho.retry, n->ho.clock, &n->rng, attempt, n->again_t0, err);
}

int
nav_request(struct nav *n, const struct nav_req *rq, struct http_resp *resp, struct odata_error *oe,
            struct ep_err *err)
{
	struct http_req req;
	struct odata_error local;
	const char *method = rq->method ? rq->method : "GET";
	int rc;

	memset(&req, 0, sizeof(req));
	req.method = method;
	req.url = rq->url;
	req.headers = rq->headers;
	req.body = rq->body;
	req.body_len = rq->body_len;
	req.final = rq->final;
	req.once = rq->once;
	if (n->auth == NAV_AUTH_BASIC || n->auth == NAV_AUTH_NTLM) {
		req.user = n->user;
		req.password = n->secret;
		req.auth = n->auth == NAV_AUTH_NTLM ? HTTP_AUTH_NTLM : HTTP_AUTH_BASIC;
	}
	n->requests++;
	n->lost = 0;
	if (n->oauth)
		rc = oauth_do(n->oauth, n->http, &req, resp, err);
	else
		rc = http_do(n->http, &req, resp, err);
	if (rc < 0) {
		n->lost = rq->once && resp->lost;
		return -1;
	}
	if (resp->status >= 200 && resp->status < 300)
		return 0;
	if (oe == NULL)
		oe = &local;
	odata_error_parse(oe, resp->status, resp->body.p, resp->body.len);
	{
		struct buf m = BUF_INIT;
		odata_error_format(&m, oe);
		ep_errf(err, odata_error_exit(oe), "%s %s: %s%s", method, rq->url, buf_str(&m),
		        resp->status == 401 ? " (check the user and key, or the token)" : "");
		buf_release(&m);
	}
	return 1;
}

/* ---- companies ------------------------------------------------------------------ */

static int
api_company(struct nav *n, struct ep_err *err)
{
	struct buf url = BUF_INIT;
	struct http_resp resp;
	const char *hdrs[] = { "Accept: application/json", NULL };
	struct nav_req rq = { NULL, NULL, hdrs, NULL, 0, NULL, 0 };
	cJSON *j = NULL;
	const cJSON *v, *c, *id;
	int rc = -1, count = 0;

	http_resp_init(&resp);
	buf_addf(&url, "%scompanies", n->root);
	rq.url = url.p;
	if (nav_request(n, &rq, &resp, NULL, err) != 0)
		goto done;
	j = cJSON_ParseWithLength(resp.body.p, resp.body.len);
	v = cJSON_GetObjectItemCaseSensitive(j, "value");
	if (!cJSON_IsArray(v)) {
		ep_errf(err, EP_UNAVAILABLE, "GET %s: not a list of companies", url.p);
		goto done;
	}
	cJSON_ArrayForEach(c, v) {
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "name");
		id = cJSON_GetObjectItemCaseSensitive(c, "id");
		if (!cJSON_IsString(id))
			continue;
		count++;
		if ((n->company && cJSON_IsString(name) &&
		     !strcmp(name->valuestring, n->company)) ||
		    (!n->company && cJSON_GetArraySize(v) == 1)) {
			buf_reset(&n->seg);
			buf_adds(&n->seg, "companies(");
			odata_pct(&n->seg, id->valuestring, strlen(id->valuestring), ODATA_PATH);
			buf_adds(&n->seg, ")/");
			rc = 0;
			goto done;
		}
	}
	if (n->company)
		ep_errf(err, EP_CONFIG, "GET %s: no company named '%s'", url.p, n->company);
	else
		ep_errf(err, EP_CONFIG, "%s: %d companies: give --company", n->root, count);
done:
	cJSON_Delete(j);
	buf_release(&url);
	http_resp_release(&resp);
	return rc;
}

const char *
nav_company_seg(struct nav *n, struct ep_err *err)
{
	if (n->seg_done)
		return buf_str(&n->seg);
	if (n->api) {
		if (n->company_id) {
			buf_adds(&n->seg, "companies(");
			odata_pct(&n->seg, n->company, strlen(n->company), ODATA_PATH);
			buf_adds(&n->seg, ")/");
		} else if (api_company(n, err) < 0) {
			return NULL;
		}
	} else if (n->company) {
		if (odata_company_seg(&n->seg, n->company, n->company_id) < 0 ||
		    buf_addc(&n->seg, '/') < 0) {
			ep_errf(err, EP_SOFTWARE, "out of memory");
			return NULL;
		}
	}
	n->seg_done = 1;
	return buf_str(&n->seg);
}

int
nav_company_check(struct nav *n, struct ep_err *err)
{
	struct buf url = BUF_INIT;
	struct http_resp resp;
	struct odata_error oe;
	const char *hdrs[] = { "Accept: application/json", NULL };
	struct nav_req rq = { NULL, NULL, hdrs, NULL, 0, NULL, 0 };
	const char *seg;
	int rc = 0, r;

	if (n->company_checked || n->api || n->company == NULL)
		return 0;
	if ((seg = nav_company_seg(n, err)) == NULL)
		return -1;
	/* Company('NAME'), without the segment's trailing '/' */
	if (buf_adds(&url, n->root) < 0 || buf_add(&url, seg, strlen(seg) - 1) < 0) {
		buf_release(&url);
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	}
	http_resp_init(&resp);
	rq.url = url.p;
	r = nav_request(n, &rq, &resp, &oe, err);
	if (r < 0)
		rc = -1;
	else if (r == 1 && oe.status == 404)
		rc = ep_errf(err, EP_CONFIG, "no company '%s' at %s (GET %s: 404): check --company",
		             n->company, n->root, url.p);
	else
		ep_err_clear(err);
	if (rc == 0)
		n->company_checked = 1;
	http_resp_release(&resp);
	buf_release(&url);
	return rc;
}

int
nav_set_url(struct nav *n, struct buf *b, const char *set, struct ep_err *err)
{
	const char *seg = nav_company_seg(n, err);

	if (seg == NULL)
		return -1;
	if (buf_adds(b, n->root) < 0 || buf_adds(b, seg) < 0 ||
	    odata_pct(b, set, strlen(set), ODATA_PATH) < 0)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	return 0;
}

/* ---- $metadata ---------------------------------------------------------------------- */

/* GET a document ($metadata, a WSDL): 0 with resp, or -1 with err. */
static int
get_doc(struct nav *n, const char *url, const char *accept, struct http_resp *resp,
        struct ep_err *err)
{
	const char *hdrs[] = { accept, NULL };
	struct nav_req rq = { NULL, url, hdrs, NULL, 0, NULL, 0 };

	return nav_request(n, &rq, resp, NULL, err) == 0 ? 0 : -1;
}

const struct odata_md *
nav_metadata(struct nav *n, struct ep_err *err)
{
	struct buf url = BUF_INIT, what = BUF_INIT;
	struct http_resp resp;
	int rc;

	if (n->have_md)
		return &n->md;
	http_resp_init(&resp);
	buf_addf(&url, "%s$metadata", n->root);
	buf_addf(&what, "$metadata from '%s'", url.p);
	rc = get_doc(n, url.p, "Accept: application/xml", &resp, err);
	if (rc == 0)
		rc = odata_md_parse(&n->md, resp.body.p, resp.body.len, what.p, err);
	buf_release(&url);
	buf_release(&what);
	http_resp_release(&resp);
	if (rc < 0)
		return NULL;
	n->have_md = 1;
	return &n->md;
}

/* ---- pages -------------------------------------------------------------------------- */

int
nav_page(struct nav *n, const char *url, long maxpage, odata_entity_fn fn, void *ud,
         struct odata_page *pg, struct ep_err *err)
{
	const struct ep_clock *clock = n->ho.clock ? n->ho.clock : ep_clock_system();
	char prefer[64];
	const char *hdrs[] = { "Accept: application/json", prefer, NULL };
	struct nav_req rq = { NULL, url, hdrs, NULL, 0, NULL, 0 };
	struct http_resp resp;
	struct ep_err e = EP_ERR_INIT;
	int64_t t0 = ep_now_ms(clock);
	int rc = -1;

	if (maxpage > 0)
		snprintf(prefer, sizeof(prefer), "Prefer: odata.maxpagesize=%ld", maxpage);
	else
		hdrs[1] = NULL;
	memset(pg, 0, sizeof(*pg));
	http_resp_init(&resp);
	for (int attempt = 0;; attempt++) {
		struct retry_input in;
		struct retry_decision d;

		if (nav_request(n, &rq, &resp, NULL, err) != 0)
			goto done;
		/* check the whole body before handing out any record, so a
		 * cut page asked again never gives a record twice */
		ep_err_clear(&e);
		if (odata_page_scan(resp.body.p, resp.body.len, NULL, NULL, pg, &e) == 0)
			break;
		odata_page_release(pg);
		memset(&in, 0, sizeof(in));
		in.attempt = attempt;
		in.kind = RETRY_NETWORK;
		in.wall_ms = ep_wall_ms(clock);
		in.elapsed_ms = ep_now_ms(clock) - t0;
		if (retry_decide(&n->ho.retry, &in, &n->rng, &d) != RETRY_AGAIN) {
			ep_errf(err, EP_UNAVAILABLE, "GET %s: %s (after %d attempts)", url, e.msg,
			        attempt + 1);
			goto done;
		}
		ep_sleep_ms(clock, d.wait_ms);
	}
	odata_page_release(pg);
	if (odata_page_scan(resp.body.p, resp.body.len, fn, ud, pg, err) < 0)
		goto done;
	if (pg->next_link) {
		/* relative to the context URL (under the service root), else the root */
		struct buf base = BUF_INIT, abs = BUF_INIT;
		int ok = 0;
		if (pg->context && odata_resolve(&base, url, pg->context, NULL) == 0 &&
		    odata_resolve(&abs, base.p, pg->next_link, NULL) == 0)
			ok = 1;
		if (!ok) {
			buf_reset(&abs);
			ok = odata_resolve(&abs, n->root, pg->next_link, err) == 0;
		}
		buf_release(&base);
		if (!ok) {
			buf_release(&abs);
			goto done;
		}
		free(pg->next_link);
		pg->next_link = buf_detach(&abs, NULL);
	}
	rc = 0;
done:
	http_resp_release(&resp);
	if (rc < 0)
		odata_page_release(pg);
	return rc;
}

/* ---- $batch ------------------------------------------------------------------------- */

int
nav_batch(struct nav *n, const struct odata_batch_op *ops, size_t nops, int atomic,
          struct odata_batch_resp **out, size_t *nout, struct odata_error *oe, int *lost,
          struct ep_err *err)
{
	struct buf url = BUF_INIT, body = BUF_INIT;
	const char *hdrs[] = { "Content-Type: application/json", "Accept: application/json",
		               atomic ? "Isolation: snapshot" : NULL, NULL };
	struct nav_req rq = { "POST", NULL, hdrs, NULL, 0, NULL, 0 };
	struct http_resp resp;
	int rc;

	*out = NULL;
	*nout = 0;
	if (nops > ODATA_BATCH_MAX)
		return ep_errf(err, EP_SOFTWARE, "a $batch of %zu operations (at most %d)", nops,
		               ODATA_BATCH_MAX);
	http_resp_init(&resp);
	if (buf_addf(&url, "%s$batch", n->root) < 0 || odata_batch_body(&body, ops, nops) < 0) {
		rc = ep_errf(err, EP_SOFTWARE, "out of memory");
		goto done;
	}
	rq.url = url.p;
	rq.body = body.p;
	rq.body_len = body.len;
	rq.once = lost != NULL;
	if (lost)
		*lost = 0;
	rc = nav_request(n, &rq, &resp, oe, err);
	if (rc < 0 && lost)
		*lost = resp.lost;
	if (rc == 0 && odata_batch_parse(resp.body.p, resp.body.len, out, nout, err) < 0) {
		err->code = EP_UNAVAILABLE;
		ep_err_prefix(err, "POST %s", url.p);
		if (lost)
			*lost = 1; /* a 2xx that is not the answer: applied or not */
		rc = -1;
	}
done:
	buf_release(&url);
	buf_release(&body);
	http_resp_release(&resp);
	return rc;
}

/* ---- SOAP --------------------------------------------------------------------------- */

static int
soap_url(struct nav *n, struct buf *b, const char *name, struct ep_err *err)
{
	if (n->soap_root == NULL)
		return ep_errf(err, EP_CONFIG,
		               "cannot tell the SOAP URL from '%s' (no /ODataV4 in "
		               "it): give --soap-url",
		               n->root);
	if (n->company == NULL || n->company_id)
		return ep_errf(err, EP_USAGE,
		               "SOAP page services need the company by name: give "
		               "--company");
	if (buf_adds(b, n->soap_root) < 0 || buf_addc(b, '/') < 0 ||
	    odata_pct(b, n->company, strlen(n->company), ODATA_QUERY) < 0 ||
	    buf_adds(b, "/Page/") < 0 || odata_pct(b, name, strlen(name), ODATA_QUERY) < 0)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	return 0;
}

const struct navsoap_page *
nav_soap_page(struct nav *n, const char *name, struct ep_err *err)
{
	struct buf url = BUF_INIT, what = BUF_INIT;
	struct http_resp resp;
	struct navsoap_page pg, *np;
	int rc;

	for (size_t i = 0; i < n->npages; i++)
		if (strcmp(n->pages[i].name, name) == 0)
			return &n->pages[i];
	if (soap_url(n, &url, name, err) < 0) {
		buf_release(&url);
		return NULL;
	}
	http_resp_init(&resp);
	buf_addf(&what, "WSDL from '%s'", url.p);
	rc = get_doc(n, url.p, "Accept: text/xml", &resp, err);
	if (rc == 0)
		rc = navsoap_wsdl_parse(&pg, name, resp.body.p, resp.body.len, what.p, err);
	buf_release(&url);
	buf_release(&what);
	http_resp_release(&resp);
	if (rc < 0)
		return NULL;
	np = realloc(n->pages, (n->npages + 1) * sizeof(*n->pages));
	if (np == NULL) {
		navsoap_page_free(&pg);
		ep_errf(err, EP_SOFTWARE, "out of memory");
		return NULL;
	}
	n->pages = np;
	n->pages[n->npages] = pg;
	return &n->pages[n->npages++];
}

/* a SOAP fault comes as a 500: it is NAV's answer, asking again gives the same */
static int
soap_final(const struct http_resp *resp, void *ctx)
{
	(void)ctx;
	return resp->status == 500 && resp->body.p &&
	       memmem(resp->body.p, resp->body.len, "Fault", 5) != NULL;
}

int
nav_soap(struct nav *n, const struct navsoap_page *pg, const char *op, const char *envelope,
         size_t len, navsoap_rec_fn fn, void *ud, size_t *nrec, struct navsoap_fault *fault,
         struct ep_err *err)
{
	struct buf url = BUF_INIT, action = BUF_INIT, what = BUF_INIT;
	struct http_resp resp;
	const char *hdrs[] = { "Content-Type: text/xml; charset=utf-8", NULL, NULL };
	struct nav_req rq = { "POST", NULL, hdrs, envelope, len, soap_final, 0 };
	struct odata_error oe;
	int rc;

	rq.once = strncmp(op, "Read", 4) != 0; /* Create, Update, Delete */
	http_resp_init(&resp);
	if (soap_url(n, &url, pg->name, err) < 0) {
		rc = -1;
		goto done;
	}
	buf_adds(&action, "SOAPAction: ");
	navsoap_action(&action, pg, op);
	hdrs[1] = action.p;
	rq.url = url.p;
	buf_addf(&what, "SOAP %s answer from '%s'", op, url.p);
	rc = nav_request(n, &rq, &resp, &oe, err);
	if (rc < 0)
		goto done;
	if (rc == 1 && resp.status != 500) /* a fault comes as 500; anything else is not SOAP */
		goto fail;
	ep_err_clear(err);
	rc = navsoap_parse(resp.body.p, resp.body.len, pg, what.p, fn, ud, nrec, fault, err);
	if (rc < 0 && rq.once && resp.status >= 200 && resp.status < 300)
		n->lost = 1; /* a write answered with a cut or garbage body */
	if (rc == 0 && resp.status == 500) {
		ep_errf(err, EP_UNAVAILABLE, "POST %s: HTTP 500 without a SOAP fault", url.p);
		goto fail;
	}
	goto done;
fail:
	rc = -1;
done:
	buf_release(&url);
	buf_release(&action);
	buf_release(&what);
	http_resp_release(&resp);
	return rc;
}
