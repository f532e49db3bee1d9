/*
 * odoo.h - the Odoo RPC client (layer 4: protocols), on lib/http.
 *
 * Ownership: odoo_open returns a client freed by odoo_close; it copies the
 * strings of its odoo_opts (the http_opts' clock and redact registry are
 * borrowed, as in http.h).  odoo_call returns a cJSON result the caller
 * owns (cJSON_Delete).  A struct odoo_call (the concurrent form) is made
 * by odoo_call_new, which serialises args and kwargs at once (they may be
 * freed right after), and is always the caller's to free with
 * odoo_call_free, finished or not (odoo_close abandons calls in flight
 * without freeing them); its result belongs to it unless taken with
 * odoo_call_take.
 *
 * Protocols (enum odoo_proto, --protocol):
 *   xmlrpc   POST /xmlrpc/2/common authenticate, /xmlrpc/2/object execute_kw
 *   jsonrpc  POST /jsonrpc, service common/object, the same positional args
 *   json2    POST /json/2/<model>/<method> with named arguments, header
 *            "Authorization: bearer <API key>" and X-Odoo-Database (when a
 *            db is given); Odoo 19 and later, API keys only
 *   auto     GET /web/version first: JSON-2 when the server is 19 or later
 *            and the secret is an API key (secret_is_key), else JSON-RPC
 *            (every Odoo since 8 has it; JSON-2 is not there before 19 and
 *            takes no passwords).  A server without /web/version (404) is
 *            taken as older: JSON-RPC.
 * XML-RPC and JSON-RPC log in once in odoo_open (common.authenticate ->
 * uid); JSON-2 has no login step: a bad key shows on the first call.
 *
 * Calls are execute_kw shaped everywhere: odoo_call(o, model, method,
 * args, kwargs).  For JSON-2 the positional args are named from the
 * method's signature (search_read: domain, fields, offset, limit, order;
 * read: ids, fields, load; write: ids, vals; create: vals_list; ... see
 * odoo.c); for a method not in the table the one positional argument
 * allowed is ids (recordset methods such as action_confirm): pass any
 * other argument in kwargs.  kwargs' "context" travels as Odoo expects.
 *
 * Errors (struct odoo_err).  err.e.code is the sysexits status and err.e.msg
 * one line for humans ("res.partner.create: odoo.exceptions.
 * ValidationError: ..."); name and message are Odoo's own, for rejects.
 * fatal says whether the run can go on:
 *   fatal, 77  wrong login, password or key (authenticate -> false,
 *              AccessDenied, XML-RPC fault 3, JSON-2 401) and AccessError
 *              (fault 4, JSON-2 403)
 *   fatal, 78  the database does not exist
 *   fatal, 69  connection refused, 5xx, dropped connections and malformed
 *              bodies after the retries (http.h's policy; a malformed
 *              body or a JSON-2 409 lock conflict is retried by the same
 *              policy here), a server that has no such endpoint; and at
 *              once, with lost set, a write whose answer was lost (below)
 *   fatal, 75  429 beyond --retry-max-time
 *   fatal, 65  the answer broke the protocol in a way retrying cannot fix
 *   per call, 65 (fatal 0): every error Odoo answered with a proper error
 *              body: UserError, ValidationError, MissingError, ValueError,
 *              an unknown model or field ...  The caller decides: load
 *              rejects the record, odoo-extract stops with 65.
 *
 * Lost answers.  A call of a method that may write (anything but the reads:
 * search_read, read, search, search_count, fields_get, name_search,
 * read_group, default_get, exists ... and the common service) is sent once
 * (http.h's once): when its answer is lost after the request went out -- a
 * reset, a timeout, a cut or garbage body, HTTP 500/502/504 -- Odoo may have
 * committed it, and sending it again could create twice.  Such a call fails
 * with fatal 69 and lost set; the caller finds out what happened (load
 * reads the records again by key or external id).  A refused connection,
 * 429, 503 and a JSON-2 409 lock conflict are retried as before: Odoo did
 * not run the call.  Reads are retried on every failure, as before.
 *
 * XML-RPC faults carry no exception name: faultCode 2 is reported as
 * odoo.exceptions.UserError (MissingError when the message says the record
 * does not exist), 3 AccessDenied, 4 AccessError, 1 the exception named on
 * the traceback's last line; the legacy string codes are parsed the same.
 *
 * The secret is added to the trace redactor by odoo_open: --trace shows
 * *** where it travels (positionally in execute_kw, in the bearer header).
 */
#ifndef ERPIPE_ODOO_H
#define ERPIPE_ODOO_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "base/err.h"
#include "net/http.h"

enum odoo_proto {
	ODOO_AUTO = 0,
	ODOO_XMLRPC,
	ODOO_JSONRPC,
	ODOO_JSON2,
};

struct odoo_opts {
	const char *url;    /* base URL: https://erp.example.com (a trailing / is fine) */
	const char *db;     /* database; required for xmlrpc/jsonrpc */
	const char *user;   /* login; required for xmlrpc/jsonrpc */
	const char *secret; /* password or API key */
	int secret_is_key;  /* the secret is an API key (profile auth = apikey) */
	enum odoo_proto proto;
	struct http_opts http; /* network options; http.concurrency bounds odoo_submit */
	size_t max_xml;        /* XML-RPC response cap; 0 = http.max_body */
};

struct odoo_err {
	struct ep_err e;    /* code (0 = no error) and one line */
	int fatal;          /* 1: stop the run; 0: this call failed */
	int lost;           /* fatal: the answer to a write was lost (below) */
	int http_status;    /* of the last response, 0 when none */
	int fault_code;     /* XML-RPC faultCode, 0 otherwise */
	char name[128];     /* "odoo.exceptions.ValidationError"; "" when not Odoo's */
	char message[2048]; /* Odoo's message (may hold newlines) */
};

struct odoo;
struct odoo_call;

/* Defaults: proto auto, http_opts_init. */
void odoo_opts_init(struct odoo_opts *o);

/* Fill url, db, user, secret and secret_is_key from a connection profile
 * (cfg.h: the file section, then $ODOO_URL, $ODOO_DB, $ODOO_USER,
 * $ODOO_AUTH, $ODOO_PASSWORD ...).  auth is "password" (the default) or
 * "apikey"; a secret read from token_file is taken as a key too.  The
 * strings point into the profile, which must outlive odoo_open.  -1 with
 * EP_CONFIG for a bad auth value or a secret that cannot be read. */
struct cfg_profile;
int odoo_opts_from_profile(struct odoo_opts *o, struct cfg_profile *p, struct ep_err *err);

/* Parse "xmlrpc", "jsonrpc", "json2" or "auto"; -1 with EP_USAGE. */
int odoo_proto_parse(const char *s, enum odoo_proto *p, struct ep_err *err);
const char *odoo_proto_name(enum odoo_proto p);
/* The number of whole expressions in a prefix-notation domain (a JSON
 * array of leaves and "&", "|", "!"); -1 when an operator lacks its
 * terms. */
int odoo_domain_terms(const cJSON *d);

/* Connect: the protocol probe for auto, then the login for XML-RPC and
 * JSON-RPC.  NULL with err on failure (always fatal). */
struct odoo *odoo_open(const struct odoo_opts *o, struct odoo_err *err);
void odoo_close(struct odoo *o);

enum odoo_proto odoo_protocol(const struct odoo *o); /* the one in use */
int odoo_uid(const struct odoo *o);                  /* 0 for JSON-2 */
/* The server's major version from /web/version or common.version, 0 when
 * not asked (an explicit protocol) or unknown. */
int odoo_server_major(const struct odoo *o);
struct http_client *odoo_http(struct odoo *o);

/* One call.  args: a JSON array or NULL ([]), kwargs: an object or NULL.
 * Other calls may be in flight (odoo_submit): they stay queued for
 * odoo_next.  Returns the result, or NULL with err. */
cJSON *odoo_call(struct odoo *o, const char *model, const char *method, const cJSON *args,
                 const cJSON *kwargs, struct odoo_err *err);

/* Before reading again what a call whose answer was lost did (err->lost):
 * wait under the retry policy, as for a retry.  1: go on (attempt counts
 * from 0); 0: the budget is spent, err's message gets why. */
int odoo_again(struct odoo *o, int attempt, struct ep_err *err);

/* The concurrent form: up to http.concurrency calls run at once. */
struct odoo_call *odoo_call_new(struct odoo *o, const char *model, const char *method,
                                const cJSON *args, const cJSON *kwargs, void *udata,
                                struct odoo_err *err);
int odoo_submit(struct odoo *o, struct odoo_call *c, struct odoo_err *err);
/* A finished call (in any order), or NULL when none is queued or running. */
struct odoo_call *odoo_next(struct odoo *o);
size_t odoo_pending(const struct odoo *o);
/* After odoo_next: 0 and the result, or -1 and the error. */
int odoo_call_rc(const struct odoo_call *c);
const cJSON *odoo_call_result(const struct odoo_call *c);
cJSON *odoo_call_take(struct odoo_call *c); /* the result, now the caller's */
const struct odoo_err *odoo_call_err(const struct odoo_call *c);
void *odoo_call_udata(const struct odoo_call *c);
const char *odoo_call_label(const struct odoo_call *c); /* "res.partner.read" */
void odoo_call_free(struct odoo_call *c);

#endif
