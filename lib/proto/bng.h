/*
 * bng.h - the BNG REST API (layer 4: protocols).
 *
 * The contract is examples/bng/openapi.json; what a real tenant may do
 * differently (paging, envelope, the since parameter, the auth) is set in
 * struct bng_conn and struct bng_list rather than assumed.
 *
 * Ownership: bng_open copies the strings of its bng_conn; the http_opts are
 * only read.  A struct bng owns its http client and OAuth state; free it
 * with bng_close.  Header strings from bng_auth_header live until
 * bng_close.  cJSON values returned (pages, schemas, errors) are the
 * caller's.  A struct bng_error is released with bng_error_release.
 *
 * URLs: conn.url is the API root ("https://shop.example/api/v1"); a URL with
 * no path (or "/") gets the contract's "/api/v1".  The token URL defaults to
 * the origin's "/oauth/token".
 *
 * Auth: "oauth" (the default): client credentials (lib/oauth) with the
 * client id and secret; "token": the secret is a bearer token used as is
 * (no refresh: a 401 is final).
 *
 * Status mapping (bng_check): 2xx ok; 400, 409, 422 EP_DATAERR; 401, 403
 * EP_NOPERM; 404 EP_NOINPUT; 429 EP_TEMPFAIL; others EP_UNAVAILABLE.  The
 * message carries BNG's own: "GET URL: HTTP 400 validation_error: Email:
 * not a valid email address".
 */
#ifndef ERPIPE_BNG_H
#define ERPIPE_BNG_H

#include <stddef.h>

#include <cJSON.h>

#include "base/buf.h"
#include "base/err.h"
#include "net/http.h"

#define BNG_API_PATH "/api/v1"
#define BNG_ERROR_FIELDS_MAX 256 /* field messages kept from one answer */

struct bng_conn {
	const char *url;         /* API root, or server root (then /api/v1) */
	const char *auth;        /* "oauth" (NULL) or "token" */
	const char *client_id;   /* oauth */
	const char *secret;      /* client secret (oauth) or bearer token (token) */
	const char *token_url;   /* NULL: <origin>/oauth/token */
	const char *scope;       /* NULL: none asked */
	const char *token_cache; /* NULL: no cache file */
	int basic;               /* client credentials as HTTP Basic */
};

/* The ten resources of the contract. */
struct bng_resource {
	const char *path;     /* "customers" */
	const char *schema;   /* "Customer" */
	const char *id;       /* "CustomerID" */
	const char *singular; /* "customer": events are customer.created ... */
};

const struct bng_resource *bng_resource_find(const char *path);
/* The resource whose events are "<singular>.<what>", or NULL. */
const struct bng_resource *bng_resource_by_event(const char *type, size_t len);

struct bng;
struct cfg_profile;

/* Fill c from a profile (url, auth, client_id, the secret; lib/cfg), the
 * token cache defaulting to bng_token_cache_path's.  Strings point into the
 * profile, except *cache_store (yours to free).  -1 with EP_CONFIG when the
 * URL or the secret is missing. */
int bng_conn_from_profile(struct bng_conn *c, struct cfg_profile *p, char **cache_store,
                          struct ep_err *err);
/* ${XDG_CACHE_HOME:-$HOME/.cache}/erpipe/bng-<hash of url and client>.token
 * (yours to free), or NULL without a home. */
char *bng_token_cache_path(const char *url, const char *client_id);

/* Split a profile URL into its origin (scheme://host[:port]) and API root,
 * both yours to free.  -1 with EP_CONFIG for a URL that is not http(s). */
int bng_split_url(const char *url, char **origin, char **api, struct ep_err *err);

struct bng *bng_open(const struct bng_conn *c, const struct http_opts *ho, struct ep_err *err);
void bng_close(struct bng *b);
struct http_client *bng_http(struct bng *b);
/* The API root without a trailing slash. */
const char *bng_api(const struct bng *b);

/* "Authorization: Bearer …", for requests submitted concurrently with
 * http_submit; on a 401, bng_invalidate(b, that header) and send again once.
 * NULL with err when no token can be had. */
const char *bng_auth_header(struct bng *b, struct ep_err *err);
void bng_invalidate(struct bng *b, const char *header);

/* Append the URL of PATH (relative to the API root, no leading slash) and an
 * optional query ("a=1&b=2", already encoded) to out. */
int bng_url(const struct bng *b, struct buf *out, const char *path, const char *query);
/* Append s percent-encoded for a query value. */
int bng_query_escape(struct buf *out, const char *s);

/* One request with auth, Accept and (with a body) Content-Type JSON; a 401
 * gets one new token.  Returns as http_do: 0 with any final status.  A
 * method other than GET is a write, sent once (http.h): -1 with resp->lost
 * when its answer was lost after it went out. */
int bng_do(struct bng *b, const char *method, const char *url, const char *body, size_t len,
           struct http_resp *resp, struct ep_err *err);

/* 0 for a 2xx answer; else -1 with err mapped as above, naming method and
 * URL. */
/* A malformed or cut answer (a 2xx that is not JSON): the retry policy of
 * the http_opts bng_open got (retry.h, as for a dropped connection)
 * decides.  1: it slept, try again (attempt counts from 0, t0_ms from
 * bng_now_ms at the first try); 0: gave up, err's message gets why and
 * its code EP_UNAVAILABLE.  The Odoo and NAV clients do the same. */
int64_t bng_now_ms(const struct bng *b);
int bng_again(struct bng *b, int attempt, int64_t t0_ms, struct ep_err *err);
/* GET url into resp: bng_do, bng_check, and a body that is not JSON asked
 * again under bng_again.  -1 with err. */
int bng_get_json(struct bng *b, const char *url, struct http_resp *resp, struct ep_err *err);
int bng_check(const struct http_resp *r, const char *method, const char *url, struct ep_err *err);

/* ---- errors ----------------------------------------------------------- */

struct bng_field_error {
	char *path; /* JSON Pointer: "LineItems[2].Quantity" -> "/LineItems/2/Quantity" */
	char *message;
};

struct bng_error {
	char *code;    /* "validation_error", ... ("" when the body had none) */
	char *message; /* BNG's message, or "" */
	struct bng_field_error *fields;
	size_t nfields;
	long existing_id; /* conflict: the record holding the value; 0 if none */
};

/* Parse an error answer {"error": {"code", "message", "fields",
 * "existing_id"}} (outside input: any bytes).  0 when it was one, -1 when
 * not (e is then empty but valid). */
int bng_error_parse(const char *body, size_t len, struct bng_error *e);
/* The same from an "error" object already parsed. */
int bng_error_from_json(const cJSON *error, struct bng_error *e);
void bng_error_release(struct bng_error *e);
/* "LineItems[2].Quantity" -> "/LineItems/2/Quantity" (RFC 6901 escapes). */
int bng_field_pointer(struct buf *out, const char *field);

/* ---- lists -------------------------------------------------------------- */

enum bng_page_style {
	BNG_PAGE_CURSOR = 0, /* ?limit=&cursor=  -> next at next_path */
	BNG_PAGE_PAGE,       /* ?page=&per_page= -> a short page ends */
	BNG_PAGE_OFFSET,     /* ?offset=&limit=  -> a short page ends */
	BNG_PAGE_LINK,       /* ?limit=, then the Link rel="next" URL (or next_path's) */
};

/* "cursor" ... -> 0, or -1 */
int bng_page_style_parse(const char *s, enum bng_page_style *out);

struct bng_list {
	enum bng_page_style style;
	const char *items_path;  /* NULL: "data"; "" or "/": the body is the array */
	const char *next_path;   /* NULL: "next_cursor" (cursor), none (link) */
	const char *since_param; /* NULL: "updated_since" */
	const char *since;       /* NULL: everything */
	long limit;              /* page size, 1..; 0: the server's default */
	const char *fields;      /* "a,b": only these (and the id, UpdatedAt) */
	const char *query;       /* more "k=v&…", already encoded, or NULL */
};

struct bng_pager;

struct bng_pager *bng_pager_new(struct bng *b, const char *resource, const struct bng_list *l,
                                struct ep_err *err);
void bng_pager_free(struct bng_pager *p);
/* The next page: 1 and *items (an array you own, maybe empty), 0 after the
 * last page, -1 with err.  A page that is not JSON, or has no array at the
 * items path, is EP_UNAVAILABLE naming the URL. */
int bng_pager_next(struct bng_pager *p, cJSON **items, struct ep_err *err);
/* Pages fetched so far. */
long bng_pager_pages(const struct bng_pager *p);

/* Parse one page body (outside input): the items array (detached, yours)
 * and the next cursor or URL (NULL at the end; yours to free).  link is the
 * Link header value or NULL.  0, or -1 with err. */
int bng_page_parse(const struct bng_list *l, const char *body, size_t len, const char *link,
                   cJSON **items, char **next, struct ep_err *err);

/* A dotted ("a.b") or JSON Pointer ("/a/b") path into v, or NULL. */
cJSON *bng_path_get(cJSON *v, const char *path);

/* GET ?limit=0&count=true&query: the contract's count.  -1 with EP_UNAVAILABLE
 * when the answer has no total_count (a tenant without it). */
int bng_count(struct bng *b, const char *resource, const char *query, long *count, long *min_id,
              long *max_id, struct ep_err *err);

/* ---- the contract ------------------------------------------------------- */

/* A JSON Schema (2020-12) for RESOURCE's records from an OpenAPI document:
 * its component schema with every schema it refers to under $defs.  NULL
 * with EP_DATAERR when the document does not describe it. */
cJSON *bng_describe(const cJSON *openapi, const char *resource, struct ep_err *err);
/* The OpenAPI document the server at url (the API root) publishes at
 * API/openapi.json, asked for without a token: the contract is served to
 * anyone.  The caller's; NULL with err. */
cJSON *bng_openapi(const char *url, const struct http_opts *ho, struct ep_err *err);

#endif
