/*
 * redact.h - keep secrets out of traces and messages (layer 1: base).
 * It was tagged net for the HTTP traces, but it needs only lib/buf, and
 * a layer below net uses it: the audit trail (stream) leaves secret fields
 * out with it.
 *
 * Ownership: a struct redact is made by redact_new and freed by
 * redact_free; it keeps its own copies of the secrets added to it.
 * redact_default() is the process-wide registry, owned by this module and
 * never freed (it stays reachable, so leak checkers stay quiet): whoever
 * loads a secret (profile reader, OAuth token cache, environment) adds it
 * there with redact_secret(), and the HTTP trace redacts through it.  Not
 * thread-safe: add secrets before starting threads.
 *
 * redact_text() replaces, in this order:
 *  1. every occurrence of a registered value, and of its JSON-escaped,
 *     XML-escaped and URL-encoded forms, with "***" (a password travels
 *     positionally in XML-RPC/JSON-RPC execute_kw, so names are not enough);
 *     a secret shorter than REDACT_TOKEN_LEN bytes only where it stands as
 *     a whole token (no letter or digit glued to it), so a one-letter
 *     secret cannot mangle every message ("htt***s://") and give itself
 *     away;
 *  2. the values of header lines named Authorization, Proxy-Authorization,
 *     Cookie, Set-Cookie, X-Api-Key, Api-Key, X-Auth-Token (a line is
 *     "Name: value" at the start of a line);
 *  3. the values of fields named password, passwd, api_key, apikey, token,
 *     access_token, refresh_token, id_token, client_secret (any case) as a
 *     JSON member ("password": "…", also a bare number), a form or query
 *     parameter (password=…), an XML element (<password>…</password>, any
 *     namespace prefix) or an XML-RPC struct member
 *     (<name>password</name><value>…</value>);
 *  4. the password of a URL's userinfo (scheme://user:password@host).
 * Other text passes through byte for byte.  Linking this module makes
 * every message of log.h (ep_warn, ep_info) go through redact_text with
 * the default registry: a credential in a URL is not printed, -v or not.
 */
#ifndef ERPIPE_REDACT_H
#define ERPIPE_REDACT_H

#include <stddef.h>

#include "base/buf.h"

#define REDACT_MAX_VALUES 256 /* registered forms, all secrets together */
#define REDACT_MAX_LEN 4096   /* longest secret accepted */
#define REDACT_TOKEN_LEN 8    /* a shorter secret is redacted as a whole token only */

struct redact;

struct redact *redact_new(void);
void redact_free(struct redact *r);
struct redact *redact_default(void);

/* Register a secret (copied) with its encoded forms.  Empty values are
 * ignored (0).  -1 when the registry is full, the value is longer than
 * REDACT_MAX_LEN, or memory runs out. */
int redact_add(struct redact *r, const char *secret, size_t len);
/* redact_add(redact_default(), s, strlen(s)); s may be NULL (ignored). */
int redact_secret(const char *s);
/* Number of registered forms (tests). */
size_t redact_count(const struct redact *r);

/* Append a redacted copy of in[0..len) to out (r may be NULL: names only).
 * -1 when out's cap or memory runs out (out then holds a redacted prefix). */
int redact_text(const struct redact *r, const char *in, size_t len, struct buf *out);

/* 1 when name (len bytes, any case) is a secret field or header name. */
int redact_is_secret_field(const char *name, size_t len);
int redact_is_secret_header(const char *name, size_t len);

#endif
