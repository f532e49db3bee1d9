/*
 * oauth.h - OAuth 2.0 client credentials with a token cache (layer 3: net).
 *
 * Ownership: oauth_new copies every string of its oauth_opts and makes its
 * own http_client (one connection, from the http_opts given, which are
 * only read), so a token can be fetched while the caller's client has
 * requests in flight.  Free it with oauth_free.  The header strings
 * oauth_header returns belong to the struct oauth and stay valid until
 * oauth_free (a refresh does not free the old one: requests still in
 * flight may point at it).  A struct oauth_token is plain; its
 * access_token is the caller's to free (oauth_token_release).
 *
 * The grant (RFC 6749 4.4): POST token_url with
 *   grant_type=client_credentials[&scope=…], the client id and secret as
 *   form fields (client_id, client_secret) or, with opts.basic, as HTTP
 *   Basic (each form-urlencoded first, as RFC 6749 2.3.1 says).
 * The answer: 200 {"access_token", "token_type": "Bearer" (any case),
 * "expires_in": seconds (3600 when absent)}; an error is RFC 6749 5.2
 * {"error", "error_description"}.
 *
 * When a token is fetched: on the first oauth_header, when the one held
 * expires within the margin (opts.margin_ms, default 60 s, but never more
 * than a tenth of the token's lifetime, so a short-lived token is still
 * used), and after oauth_invalidate.  Time is the wall clock of
 * http_opts.clock (expiry is kept across processes).
 *
 * Token cache (opts.cache_file, optional): a JSON file written atomically
 * with mode 0600 (missing directories are made, 0700) holding the
 * token, its expiry and the token_url, client_id and scope it is for, and
 * the secret it was got with as an HMAC-SHA256 keyed with that secret
 * ("secret_id", never the secret); a cache for another client, scope or
 * secret (a wrong secret must fail, not ride on a valid cached token), or
 * unreadable JSON, is ignored and
 * replaced; one readable by group or others is refused (EP_CONFIG: run
 * chmod 600), as a secret file is.  Several processes may share it: each
 * write replaces the whole file.
 *
 * Secrets: the client secret is added to opts.redact (NULL = the default
 * registry) so traces never show it; the token travels in Authorization
 * headers and access_token fields, which the tracer redacts by name.
 *
 * Errors (-1 / NULL with err):
 *   EP_NOPERM (77)      the token endpoint refused the client
 *                       (invalid_client, unauthorized_client, invalid_grant,
 *                       or 401/403 without a body we understand);
 *   EP_CONFIG (78)      invalid_scope, unsupported_grant_type,
 *                       invalid_request, a 404 token URL, a loose cache file;
 *   EP_UNAVAILABLE (69) an answer that is not a token (bad JSON, no
 *                       access_token, a token_type other than Bearer);
 *   whatever http_do gives (69, 75, 78) for transport failures.
 */
#ifndef ERPIPE_OAUTH_H
#define ERPIPE_OAUTH_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "net/http.h"
#include "base/redact.h"

#define OAUTH_TOKEN_MAX 16384 /* longest access token accepted */

struct oauth_opts {
	const char *token_url;     /* required */
	const char *client_id;     /* required */
	const char *client_secret; /* required */
	const char *scope;         /* NULL: none sent */
	const char *cache_file;    /* NULL: keep the token in memory only */
	int basic;                 /* client credentials as HTTP Basic */
	int64_t margin_ms;         /* refresh margin, default 60000 */
	struct redact *redact;     /* NULL = redact_default() */
};

struct oauth_token {
	char *access_token;
	int64_t expires_at_ms; /* wall clock */
	int64_t lifetime_ms;
};

struct oauth;

void oauth_opts_init(struct oauth_opts *o);
struct oauth *oauth_new(const struct oauth_opts *o, const struct http_opts *ho, struct ep_err *err);
void oauth_free(struct oauth *a);

/* "Authorization: Bearer <token>", fetching a token first when none is
 * held or it is about to expire.  NULL with err on failure. */
const char *oauth_header(struct oauth *a, struct ep_err *err);

/* A request made with header (as oauth_header gave it) was answered 401:
 * forget that token, in memory and in the cache, so the next oauth_header
 * fetches a new one.  When a newer token is already held (another request
 * saw the 401 first) nothing changes. */
void oauth_invalidate(struct oauth *a, const char *header);

/* http_do with the Authorization header added to req's headers.  A 401
 * answer is retried once with a freshly fetched token; a second 401 is
 * returned as it is (rc 0, resp->status 401: the caller says 77). */
int oauth_do(struct oauth *a, struct http_client *c, const struct http_req *req,
             struct http_resp *resp, struct ep_err *err);

/* Tokens fetched from the endpoint so far (cache hits not counted). */
int oauth_fetches(const struct oauth *a);

/* Parse a token endpoint answer (outside input: any bytes).  status is the
 * HTTP status; now_ms the wall clock.  0 and *t filled, or -1 with err as
 * above. */
int oauth_parse_token(long status, const char *body, size_t len, int64_t now_ms,
                      struct oauth_token *t, struct ep_err *err);
void oauth_token_release(struct oauth_token *t);

#endif
