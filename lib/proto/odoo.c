#include "proto/odoo.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/cfg.h"
#include "stream/json_tree.h"
#include "base/redact.h"
#include "net/retry.h"
#include "base/text.h"
#include "proto/xmlrpc.h"

#define LABEL_MAX 256

struct odoo_call {
	struct odoo *o;
	char label[LABEL_MAX];
	int is_xml;
	char *url;
	struct buf body;
	struct http_req req;
	struct http_resp resp;
	void *udata;
	int tries;        /* our own retries: malformed bodies, lock conflicts */
	int64_t start_ms; /* first submission */
	int rc;
	cJSON *result;
	struct odoo_err err;
	struct odoo_call *next; /* odoo's done queue */
};

struct odoo {
	char *url, *db, *user, *secret;
	enum odoo_proto proto;
	int uid;
	int major;
	long next_id;
	struct http_opts hopts;
	struct http_client *http;
	const struct ep_clock *clock;
	uint64_t rng;
	size_t max_xml;
	const char *json_hdrs[2];
	const char *xml_hdrs[2];
	const char *json2_hdrs[4];
	char *auth_hdr, *db_hdr;
	struct odoo_call *done, *done_tail;
	size_t inflight;
	int64_t again_t0; /* odoo_again's first round */
};

/* ---- small things ------------------------------------------------------- */

void
odoo_opts_init(struct odoo_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->proto = ODOO_AUTO;
	http_opts_init(&o->http);
}

static const char *const proto_names[] = {
	[ODOO_AUTO] = "auto",
	[ODOO_XMLRPC] = "xmlrpc",
	[ODOO_JSONRPC] = "jsonrpc",
	[ODOO_JSON2] = "json2",
};

int
odoo_opts_from_profile(struct odoo_opts *o, struct cfg_profile *p, struct ep_err *err)
{
	const char *auth = cfg_get(p, "auth"), *origin;

	o->url = cfg_get(p, "url");
	o->db = cfg_get(p, "db");
	o->user = cfg_get(p, "user");
	if (auth && strcmp(auth, "password") != 0 && strcmp(auth, "apikey") != 0)
		return ep_errf(err, EP_CONFIG, "%s: auth '%s': want password or apikey",
		               cfg_origin(p, "auth"), auth);
	if ((o->secret = cfg_secret(p, err)) == NULL)
		return -1;
	origin = cfg_secret_origin(p);
	o->secret_is_key = (auth && strcmp(auth, "apikey") == 0) ||
	                   (!auth && origin && strncmp(origin, "token_file", 10) == 0);
	return 0;
}

int
odoo_proto_parse(const char *s, enum odoo_proto *p, struct ep_err *err)
{
	int i;

	for (i = 0; i <= ODOO_JSON2; i++) {
		if (strcmp(s, proto_names[i]) == 0) {
			*p = (enum odoo_proto)i;
			return 0;
		}
	}
	return ep_errf(err, EP_USAGE, "unknown protocol '%s': xmlrpc, jsonrpc, json2 or auto", s);
}

const char *
odoo_proto_name(enum odoo_proto p)
{
	return p <= ODOO_JSON2 ? proto_names[p] : "?";
}

enum odoo_proto
odoo_protocol(const struct odoo *o)
{
	return o->proto;
}

int
odoo_uid(const struct odoo *o)
{
	return o->uid;
}

int
odoo_server_major(const struct odoo *o)
{
	return o->major;
}

struct http_client *
odoo_http(struct odoo *o)
{
	return o->http;
}

static void
err_clear(struct odoo_err *e)
{
	memset(e, 0, sizeof(*e));
}

/* Fill e: a fatal or per-call error with a one-line message. */
static void err_set(struct odoo_err *e, int code, int fatal, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
err_set(struct odoo_err *e, int code, int fatal, const char *fmt, ...)
{
	va_list ap;
	char *p;

	e->e.code = code;
	e->fatal = fatal;
	va_start(ap, fmt);
	vsnprintf(e->e.msg, sizeof(e->e.msg), fmt, ap);
	va_end(ap);
	for (p = e->e.msg; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
}

static int
name_ok(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '.'))
			return 0;
	return 1;
}

/* ---- JSON-2 argument names ---------------------------------------------- */

static const struct {
	const char *method;
	const char *names[8];
} sigs[] = {
	{ "check_access_rights", { "operation", "raise_exception" } },
	{ "check_access_rule", { "ids", "operation" } },
	{ "copy", { "ids", "default" } },
	{ "create", { "vals_list" } },
	{ "default_get", { "fields_list" } },
	{ "exists", { "ids" } },
	{ "export_data", { "ids", "fields_to_export" } },
	{ "fields_get", { "allfields", "attributes" } },
	{ "get_metadata", { "ids" } },
	{ "load", { "fields", "data" } },
	{ "name_create", { "name" } },
	{ "name_search", { "name", "domain", "operator", "limit" } },
	{ "read", { "ids", "fields", "load" } },
	{ "read_group", { "domain", "fields", "groupby", "offset", "limit", "orderby", "lazy" } },
	{ "search", { "domain", "offset", "limit", "order" } },
	{ "search_count", { "domain", "limit" } },
	{ "search_fetch", { "domain", "field_names", "offset", "limit", "order" } },
	{ "search_read", { "domain", "fields", "offset", "limit", "order" } },
	{ "unlink", { "ids" } },
	{ "web_read", { "ids", "specification" } },
	{ "web_save", { "ids", "vals", "specification" } },
	{ "web_search_read",
	  { "domain", "specification", "offset", "limit", "order", "count_limit" } },
	{ "write", { "ids", "vals" } },
};

static const char *const *
sig_of(const char *method)
{
	static const char *const ids_only[8] = { "ids" };
	size_t i;

	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (strcmp(sigs[i].method, method) == 0)
			return sigs[i].names;
	return ids_only;
}

/* ---- request bodies ----------------------------------------------------- */

static int
add_json(struct buf *b, const cJSON *v, const char *empty)
{
	char *s;
	int r;

	if (v == NULL)
		return buf_adds(b, empty);
	if ((s = json_tree_print(v)) == NULL)
		return -1;
	r = buf_adds(b, s);
	free(s);
	return r;
}

static int
add_str(struct buf *b, const char *s)
{
	return json_quote(b, s, strlen(s));
}

static int
body_jsonrpc(struct odoo *o, struct buf *b, const char *service, const char *method,
             const char *model, const char *omethod, const cJSON *args, const cJSON *kwargs)
{
	int r = 0;

	r |= buf_adds(b, "{\"jsonrpc\":\"2.0\",\"method\":\"call\",\"params\":{\"service\":");
	r |= add_str(b, service);
	r |= buf_adds(b, ",\"method\":");
	r |= add_str(b, method);
	r |= buf_adds(b, ",\"args\":[");
	if (strcmp(service, "object") == 0) {
		r |= add_str(b, o->db);
		r |= buf_addf(b, ",%d,", o->uid);
		r |= add_str(b, o->secret);
		r |= buf_addc(b, ',');
		r |= add_str(b, model);
		r |= buf_addc(b, ',');
		r |= add_str(b, omethod);
		r |= buf_addc(b, ',');
		r |= add_json(b, args, "[]");
		r |= buf_addc(b, ',');
		r |= add_json(b, kwargs, "{}");
	} else {
		/* common: args are the call's own */
		const cJSON *a;
		int first = 1;

		cJSON_ArrayForEach(a, args) {
			if (!first)
				r |= buf_addc(b, ',');
			first = 0;
			r |= add_json(b, a, "null");
		}
	}
	r |= buf_addf(b, "]},\"id\":%ld}", ++o->next_id);
	return r ? -1 : 0;
}

static int
body_xmlrpc(struct odoo *o, struct buf *b, const char *service, const char *method,
            const char *model, const char *omethod, const cJSON *args, const cJSON *kwargs,
            struct ep_err *err)
{
	cJSON *p;
	cJSON *empty_a = NULL, *empty_o = NULL;
	int r;

	if (strcmp(service, "common") == 0)
		return xmlrpc_encode_call(b, method, args, err);
	if ((p = cJSON_CreateArray()) == NULL)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	if (args == NULL)
		args = empty_a = cJSON_CreateArray();
	if (kwargs == NULL)
		kwargs = empty_o = cJSON_CreateObject();
	cJSON_AddItemToArray(p, cJSON_CreateStringReference(o->db));
	cJSON_AddItemToArray(p, cJSON_CreateNumber(o->uid));
	cJSON_AddItemToArray(p, cJSON_CreateStringReference(o->secret));
	cJSON_AddItemToArray(p, cJSON_CreateStringReference(model));
	cJSON_AddItemToArray(p, cJSON_CreateStringReference(omethod));
	cJSON_AddItemReferenceToArray(p, (cJSON *)args);
	cJSON_AddItemReferenceToArray(p, (cJSON *)kwargs);
	if (cJSON_GetArraySize(p) != 7)
		r = ep_errf(err, EP_SOFTWARE, "out of memory");
	else
		r = xmlrpc_encode_call(b, method, p, err);
	cJSON_Delete(p);
	cJSON_Delete(empty_a);
	cJSON_Delete(empty_o);
	return r;
}

static int
body_json2(struct buf *b, const char *method, const cJSON *args, const cJSON *kwargs,
           struct ep_err *err)
{
	const char *const *names = sig_of(method);
	const cJSON *a, *k;
	int i = 0, r = 0;

	r |= buf_addc(b, '{');
	cJSON_ArrayForEach(a, args) {
		if (i >= 8 || names[i] == NULL)
			return ep_errf(
				err, EP_USAGE,
				"%s: JSON-2 knows no name for positional argument %d: pass it "
				"in kwargs",
				method, i + 1);
		if (cJSON_GetObjectItemCaseSensitive(kwargs, names[i]))
			return ep_errf(err, EP_USAGE, "%s: argument '%s' given twice", method,
			               names[i]);
		if (i)
			r |= buf_addc(b, ',');
		r |= add_str(b, names[i]);
		r |= buf_addc(b, ':');
		r |= add_json(b, a, "null");
		i++;
	}
	cJSON_ArrayForEach(k, kwargs) {
		if (i++)
			r |= buf_addc(b, ',');
		r |= add_str(b, k->string);
		r |= buf_addc(b, ':');
		r |= add_json(b, k, "null");
	}
	r |= buf_addc(b, '}');
	return r ? ep_errf(err, EP_SOFTWARE, "out of memory") : 0;
}

/* ---- calls -------------------------------------------------------------- */

static int json2_final(const struct http_resp *resp, void *ctx);

/* Methods that only read: a lost answer is asked again.  Every other
 * method (create, write, unlink, load, a button) may change the database:
 * its call is sent once (odoo.h, "Lost answers"). */
static int
reads_only(const char *service, const char *method)
{
	static const char *const reads[] = {
		"check_access_rights", "check_object_reference",
		"default_get",         "exists",
		"fields_get",          "get_object_reference",
		"name_search",         "read",
		"read_group",          "search",
		"search_count",        "search_fetch",
		"search_read",         "web_read",
		"web_search_read",     NULL,
	};

	if (strcmp(service, "object") != 0)
		return 1; /* common: version, authenticate, login */
	for (size_t i = 0; reads[i]; i++)
		if (strcmp(method, reads[i]) == 0)
			return 1;
	return 0;
}

/* A call of service ("common" or "object"); model/omethod for object. */
static struct odoo_call *
call_build(struct odoo *o, const char *service, const char *method, const char *model,
           const char *omethod, const cJSON *args, const cJSON *kwargs, void *udata,
           struct odoo_err *err)
{
	struct odoo_call *c;
	struct ep_err e = EP_ERR_INIT;
	int r;

	err_clear(err);
	if (args && !cJSON_IsArray(args)) {
		err_set(err, EP_SOFTWARE, 1, "%s.%s: args must be an array", model, omethod);
		return NULL;
	}
	if (kwargs && !cJSON_IsObject(kwargs)) {
		err_set(err, EP_SOFTWARE, 1, "%s.%s: kwargs must be an object", model, omethod);
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		err_set(err, EP_SOFTWARE, 1, "out of memory");
		return NULL;
	}
	c->o = o;
	c->udata = udata;
	buf_init(&c->body, 0);
	http_resp_init(&c->resp);
	if (model)
		snprintf(c->label, sizeof(c->label), "%s.%s", model, omethod);
	else
		snprintf(c->label, sizeof(c->label), "%s.%s", service, method);
	c->req.method = "POST";
	switch (o->proto) {
	case ODOO_XMLRPC:
		c->is_xml = 1;
		r = body_xmlrpc(o, &c->body, service, method, model, omethod, args, kwargs, &e);
		c->req.headers = o->xml_hdrs;
		if (asprintf(&c->url, "%s/xmlrpc/2/%s", o->url, service) < 0)
			c->url = NULL;
		break;
	case ODOO_JSON2:
		r = body_json2(&c->body, omethod, args, kwargs, &e);
		c->req.headers = o->json2_hdrs;
		c->req.final = json2_final;
		if (asprintf(&c->url, "%s/json/2/%s/%s", o->url, model, omethod) < 0)
			c->url = NULL;
		break;
	default:
		r = body_jsonrpc(o, &c->body, service, method, model, omethod, args, kwargs);
		if (r < 0)
			ep_errf(&e, EP_SOFTWARE, "out of memory");
		c->req.headers = o->json_hdrs;
		if (asprintf(&c->url, "%s/jsonrpc", o->url) < 0)
			c->url = NULL;
		break;
	}
	if (r == 0 && c->url == NULL)
		r = ep_errf(&e, EP_SOFTWARE, "out of memory");
	if (r < 0) {
		err_set(err, e.code, e.code != EP_DATAERR, "%s: %s", c->label, e.msg);
		odoo_call_free(c);
		return NULL;
	}
	c->req.url = c->url;
	c->req.body = c->body.p;
	c->req.body_len = c->body.len;
	c->req.once = !reads_only(service, model ? omethod : method);
	return c;
}

struct odoo_call *
odoo_call_new(struct odoo *o, const char *model, const char *method, const cJSON *args,
              const cJSON *kwargs, void *udata, struct odoo_err *err)
{
	if (!name_ok(model) || !name_ok(method)) {
		err_clear(err);
		err_set(err, EP_USAGE, 1, "bad model or method name '%s.%s'", model ? model : "",
		        method ? method : "");
		return NULL;
	}
	return call_build(o, "object", "execute_kw", model, method, args, kwargs, udata, err);
}

void
odoo_call_free(struct odoo_call *c)
{
	if (c == NULL)
		return;
	cJSON_Delete(c->result);
	buf_release(&c->body);
	http_resp_release(&c->resp);
	free(c->url);
	free(c);
}

int
odoo_call_rc(const struct odoo_call *c)
{
	return c->rc;
}

const cJSON *
odoo_call_result(const struct odoo_call *c)
{
	return c->result;
}

cJSON *
odoo_call_take(struct odoo_call *c)
{
	cJSON *r = c->result;

	c->result = NULL;
	return r;
}

const struct odoo_err *
odoo_call_err(const struct odoo_call *c)
{
	return &c->err;
}

void *
odoo_call_udata(const struct odoo_call *c)
{
	return c->udata;
}

const char *
odoo_call_label(const struct odoo_call *c)
{
	return c->label;
}

size_t
odoo_pending(const struct odoo *o)
{
	size_t n = o->inflight;
	const struct odoo_call *c;

	for (c = o->done; c; c = c->next)
		n++;
	return n;
}

/* ---- answers ------------------------------------------------------------ */

static int
contains(const char *s, const char *sub)
{
	return s && strstr(s, sub) != NULL;
}

/* An error Odoo answered: name it, decide fatal or per call. */
static void
odoo_error(struct odoo_call *c, const char *name, const char *message)
{
	struct odoo_err *e = &c->err;
	struct odoo *o = c->o;

	snprintf(e->name, sizeof(e->name), "%s", name ? name : "");
	snprintf(e->message, sizeof(e->message), "%s", message ? message : "");
	if (contains(name, "AccessDenied") || contains(name, "Unauthorized") ||
	    c->resp.status == 401)
		err_set(e, EP_NOPERM, 1, "%s: %s: %s (user '%s' on database '%s')", c->label,
		        e->name, e->message, o->user ? o->user : "", o->db ? o->db : "");
	else if (contains(name, "AccessError") || contains(name, "Forbidden") ||
	         c->resp.status == 403)
		err_set(e, EP_NOPERM, 1, "%s: %s: %s", c->label, e->name, e->message);
	else if ((contains(name, "OperationalError") || contains(name, "NotFound")) &&
	         contains(message, "database") &&
	         (contains(message, "does not exist") || contains(message, "not found")))
		err_set(e, EP_CONFIG, 1, "%s: %s: %s (check db)", c->label, e->name, e->message);
	else
		err_set(e, EP_DATAERR, 0, "%s: %s: %s", c->label, e->name, e->message);
	c->rc = -1;
}

/* The name for an XML-RPC fault (faultCode int, or a legacy string). */
static void
fault_error(struct odoo_call *c, const struct xmlrpc_fault *f)
{
	char name[128];
	const char *msg = f->string, *p, *line;
	size_t n;

	c->err.fault_code = f->code;
	if (f->code == -1) {
		/* legacy: "warning -- UserError\n\nmessage", or "AccessDenied" */
		const char *t = f->code_text;

		if (strncmp(t, "warning -- ", 11) == 0) {
			t += 11;
			n = strcspn(t, "\n");
			snprintf(name, sizeof(name), "odoo.exceptions.%.*s", (int)n, t);
			msg = t + n;
			while (*msg == '\n')
				msg++;
		} else if (strcmp(t, "AccessDenied") == 0) {
			snprintf(name, sizeof(name), "odoo.exceptions.AccessDenied");
			msg = f->string[0] ? f->string : "Access Denied";
		} else {
			snprintf(name, sizeof(name), "builtins.Exception");
			msg = t;
		}
		odoo_error(c, name, msg);
		return;
	}
	switch (f->code) {
	case 2:
		odoo_error(c,
		           contains(f->string, "does not exist or has been deleted")
		                   ? "odoo.exceptions.MissingError"
		                   : "odoo.exceptions.UserError",
		           f->string);
		return;
	case 3:
		odoo_error(c, "odoo.exceptions.AccessDenied", f->string);
		return;
	case 4:
		odoo_error(c, "odoo.exceptions.AccessError", f->string);
		return;
	}
	/* 1 (or another): a traceback whose last line is "Name: message" */
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		n--;
	line = msg;
	for (p = msg; p < msg + n; p++)
		if (*p == '\n')
			line = p + 1;
	p = memchr(line, ':', (size_t)(msg + n - line));
	if (strncmp(msg, "Traceback", 9) == 0 && p && p > line &&
	    (size_t)(p - line) < sizeof(name)) {
		char m[2048];

		snprintf(name, sizeof(name), "%.*s", (int)(p - line), line);
		p++;
		while (*p == ' ')
			p++;
		snprintf(m, sizeof(m), "%.*s", (int)(msg + n - p), p);
		odoo_error(c, name, m);
		return;
	}
	odoo_error(c, "odoo.exceptions.UserError", f->string);
}

static int
json2_final(const struct http_resp *resp, void *ctx)
{
	cJSON *j;
	int fin;

	(void)ctx;
	if (resp->status != 500 || resp->body.len == 0 || resp->body.p[0] != '{')
		return 0;
	j = cJSON_ParseWithLength(resp->body.p, resp->body.len);
	fin = cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "name"));
	cJSON_Delete(j);
	return fin;
}

/* A status that is final whatever the body: 401/403 (a proxy's refusal
 * too) and a missing endpoint.  1 when it was one (c's error set). */
static int
status_error(struct odoo_call *c, long st, const char *flavour, const char *hint)
{
	if (st == 401 || st == 403)
		err_set(&c->err, EP_NOPERM, 1, "%s: HTTP %ld from '%s'", c->label, st, c->url);
	else if (st == 404 || st == 405)
		err_set(&c->err, EP_CONFIG, 1, "%s: no %s endpoint at '%s' (HTTP %ld): %s",
		        c->label, flavour, c->url, st, hint);
	else
		return 0;
	c->rc = -1;
	return 1;
}

static int probe(struct odoo *o, struct http_client *h, struct odoo_err *err);

/* A JSON-2 call answered 404/405 without Odoo's error body: the route is
 * not there.  Odoo 19 serves /json/2 only inside a database, so on a 19
 * server that means the database (the X-Odoo-Database header) is not one
 * it serves; before 19 there is no JSON-2.  The server's version decides,
 * asked here (once, on a client of its own: calls may be in flight on the
 * connection's) when the connection did not ask it on opening. */
static void
json2_missing(struct odoo_call *c, long st)
{
	struct odoo *o = c->o;
	struct odoo_err perr;

	if (o->major == 0) {
		struct ep_err e = EP_ERR_INIT;
		struct http_client *h = http_new(&o->hopts, &e);

		err_clear(&perr);
		if (h && probe(o, h, &perr) < 0)
			o->major = 0;
		http_free(h);
	}
	if (o->major >= 19 && o->db)
		err_set(&c->err, EP_CONFIG, 1,
		        "%s: database '%s' not found at '%s': Odoo %d answers HTTP %ld on "
		        "/json/2 for a database it does not serve (check db)",
		        c->label, o->db, o->url, o->major, st);
	else if (o->major >= 19)
		err_set(&c->err, EP_CONFIG, 1,
		        "%s: no database chosen at '%s': Odoo %d answers HTTP %ld on /json/2 when "
		        "it serves several databases and none is named (set db)",
		        c->label, o->url, o->major, st);
	else if (o->major > 0)
		err_set(&c->err, EP_CONFIG, 1,
		        "%s: no JSON-2 endpoint at '%s': the server is Odoo %d, JSON-2 needs Odoo "
		        "19 or later (use --protocol jsonrpc)",
		        c->label, c->url, o->major);
	else
		status_error(c, st, "JSON-2", "JSON-2 needs Odoo 19 or later");
	c->rc = -1;
}

/* Decode c's response.  0: done (result or error set); 1: malformed or a
 * transient conflict, worth another try (why in c->err.e.msg). */
static int
decode(struct odoo_call *c)
{
	struct odoo *o = c->o;
	struct http_resp *r = &c->resp;
	long st = r->status;
	cJSON *j, *v;

	c->err.http_status = (int)st;
	if (o->proto == ODOO_XMLRPC) {
		struct xmlrpc_fault f;
		struct xml_limits lim = { o->max_xml, 0 };
		struct ep_err e = EP_ERR_INIT;
		char what[LABEL_MAX + 64];
		int rc;

		if (st == 404 || st == 405)
			return status_error(c, st, "XML-RPC", "check url, or use --protocol") - 1;
		snprintf(what, sizeof(what), "%s: XML-RPC response", c->label);
		rc = xmlrpc_decode_response(r->body.p, r->body.len, what, &lim, &c->result, &f, &e);
		if (rc == 1) {
			fault_error(c, &f);
			xmlrpc_fault_free(&f);
			return 0;
		}
		if (rc == 0 && st == 200) {
			c->rc = 0;
			return 0;
		}
		cJSON_Delete(c->result);
		c->result = NULL;
		if (status_error(c, st, "XML-RPC", "check url, or use --protocol"))
			return 0;
		if (rc == 0)
			snprintf(e.msg, sizeof(e.msg), "%s: HTTP %ld", what, st);
		err_set(&c->err, EP_UNAVAILABLE, 1, "%s", e.msg);
		return 1;
	}
	if (o->proto == ODOO_JSONRPC) {
		if (st == 404 || st == 405)
			return status_error(
				       c, st, "JSON-RPC",
				       "check url, or use --protocol json2 (Odoo 22 and later)") -
			       1;
		j = st == 200 ? cJSON_ParseWithLength(r->body.p, r->body.len) : NULL;
		if (cJSON_IsObject(j) && (v = cJSON_GetObjectItemCaseSensitive(j, "result"))) {
			cJSON_DetachItemViaPointer(j, v);
			c->result = v;
			c->rc = 0;
			cJSON_Delete(j);
			return 0;
		}
		/* a method that returns None: Odoo leaves "result" out of the
		 * answer (odoo-flows/56b, account.payment.action_post) */
		if (cJSON_IsObject(j) && cJSON_GetObjectItemCaseSensitive(j, "jsonrpc") &&
		    !cJSON_GetObjectItemCaseSensitive(j, "error")) {
			cJSON_Delete(j);
			if (!(c->result = cJSON_CreateNull())) {
				err_set(&c->err, EP_SOFTWARE, 1, "%s: out of memory", c->label);
				c->rc = -1;
				return 0;
			}
			c->rc = 0;
			return 0;
		}
		if (cJSON_IsObject(j) &&
		    cJSON_IsObject(v = cJSON_GetObjectItemCaseSensitive(j, "error"))) {
			const cJSON *data = cJSON_GetObjectItemCaseSensitive(v, "data");
			const cJSON *n = cJSON_GetObjectItemCaseSensitive(data, "name");
			const cJSON *m = cJSON_GetObjectItemCaseSensitive(data, "message");
			const cJSON *m0 = cJSON_GetObjectItemCaseSensitive(v, "message");

			odoo_error(c, cJSON_IsString(n) ? n->valuestring : "odoo.exceptions.Error",
			           cJSON_IsString(m)    ? m->valuestring
			           : cJSON_IsString(m0) ? m0->valuestring
			                                : "");
			cJSON_Delete(j);
			return 0;
		}
		cJSON_Delete(j);
		if (status_error(c, st, "JSON-RPC", ""))
			return 0;
		err_set(&c->err, EP_UNAVAILABLE, 1,
		        "%s: malformed JSON-RPC response (HTTP %ld, %zu bytes)", c->label, st,
		        r->body.len);
		return 1;
	}
	/* JSON-2 */
	j = cJSON_ParseWithLength(r->body.p, r->body.len);
	if (st == 200 && j != NULL) {
		c->result = j;
		c->rc = 0;
		return 0;
	}
	if (cJSON_IsObject(j) && cJSON_IsString(v = cJSON_GetObjectItemCaseSensitive(j, "name"))) {
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "message");

		if (st == 409) {
			err_set(&c->err, EP_TEMPFAIL, 1, "%s: %s: %s", c->label, v->valuestring,
			        cJSON_IsString(m) ? m->valuestring : "");
			cJSON_Delete(j);
			return 1;
		}
		odoo_error(c, v->valuestring, cJSON_IsString(m) ? m->valuestring : "");
		cJSON_Delete(j);
		return 0;
	}
	cJSON_Delete(j);
	if (st == 404 || st == 405) {
		json2_missing(c, st);
		return 0;
	}
	if (status_error(c, st, "JSON-2", ""))
		return 0;
	err_set(&c->err, EP_UNAVAILABLE, 1, "%s: malformed JSON-2 response (HTTP %ld, %zu bytes)",
	        c->label, st, r->body.len);
	return 1;
}

/* A transfer of c ended (d from http_next).  Returns 1 when c was sent
 * again (our own retry), 0 when it is finished. */
static int
finish(struct odoo *o, struct odoo_call *c, const struct http_done *d)
{
	struct retry_input in;
	struct retry_decision rd;
	struct ep_err e = EP_ERR_INIT;

	cJSON_Delete(c->result);
	c->result = NULL;
	err_clear(&c->err);
	if (d->rc < 0) {
		c->err.e = d->err;
		ep_err_prefix(&c->err.e, "%s", c->label);
		c->err.fatal = 1;
		c->err.lost = c->resp.lost;
		c->err.http_status = (int)c->resp.status;
		c->rc = -1;
		return 0;
	}
	if (decode(c) == 0)
		return 0;
	if (c->req.once && c->err.e.code != EP_TEMPFAIL) {
		/* a malformed or cut answer to a write: it may have been
		 * applied, so it is not sent again (the 409 lock conflict is
		 * an answer: nothing was written) */
		size_t n = strlen(c->err.e.msg);

		snprintf(c->err.e.msg + n, sizeof(c->err.e.msg) - n,
		         ": the answer was lost: not sent again");
		c->err.lost = 1;
		c->rc = -1;
		return 0;
	}
	/* malformed, or a lock conflict: the retry policy decides */
	memset(&in, 0, sizeof(in));
	in.attempt = c->tries;
	in.kind = RETRY_NETWORK;
	in.wall_ms = ep_wall_ms(o->clock);
	in.elapsed_ms = ep_now_ms(o->clock) - c->start_ms;
	retry_decide(&o->hopts.retry, &in, &o->rng, &rd);
	if (rd.action == RETRY_AGAIN) {
		c->tries++;
		ep_sleep_ms(o->clock, rd.wait_ms);
		if (http_submit(o->http, &c->req, &c->resp, c, &e) == 0)
			return 1;
		c->err.e = e;
		c->err.fatal = 1;
		c->rc = -1;
		return 0;
	}
	if (c->tries > 0) {
		size_t n = strlen(c->err.e.msg);

		snprintf(c->err.e.msg + n, sizeof(c->err.e.msg) - n, " (%s)", rd.why);
	}
	c->rc = -1;
	return 0;
}

int
odoo_submit(struct odoo *o, struct odoo_call *c, struct odoo_err *err)
{
	struct ep_err e = EP_ERR_INIT;

	c->tries = 0;
	c->rc = 0;
	c->start_ms = ep_now_ms(o->clock);
	if (http_submit(o->http, &c->req, &c->resp, c, &e) < 0) {
		err_clear(err);
		err->e = e;
		err->fatal = 1;
		return -1;
	}
	o->inflight++;
	return 0;
}

/* Run transfers until one of ours finishes for good; NULL when idle. */
static struct odoo_call *
next_finished(struct odoo *o)
{
	struct http_done d;
	struct odoo_call *c;

	while (http_next(o->http, &d) == 1) {
		c = d.udata;
		if (finish(o, c, &d) == 1)
			continue;
		o->inflight--;
		return c;
	}
	return NULL;
}

struct odoo_call *
odoo_next(struct odoo *o)
{
	struct odoo_call *c = o->done;

	if (c) {
		o->done = c->next;
		if (o->done == NULL)
			o->done_tail = NULL;
		c->next = NULL;
		return c;
	}
	return next_finished(o);
}

/* Submit c and wait for it; others finishing meanwhile are queued. */
static int
run_one(struct odoo *o, struct odoo_call *c, struct odoo_err *err)
{
	struct odoo_call *f;

	if (odoo_submit(o, c, err) < 0)
		return -1;
	while ((f = next_finished(o)) != NULL) {
		if (f == c)
			break;
		f->next = NULL;
		if (o->done_tail)
			o->done_tail->next = f;
		else
			o->done = f;
		o->done_tail = f;
	}
	if (f == NULL) {
		err_clear(err);
		err_set(err, EP_SOFTWARE, 1, "%s: request lost", c->label);
		return -1;
	}
	if (c->rc < 0) {
		*err = c->err;
		return -1;
	}
	err_clear(err);
	return 0;
}

int
odoo_again(struct odoo *o, int attempt, struct ep_err *err)
{
	if (attempt == 0)
		o->again_t0 = ep_now_ms(o->clock);
	return http_again(&o->hopts.retry, o->clock, &o->rng, attempt, o->again_t0, err);
}

cJSON *
odoo_call(struct odoo *o, const char *model, const char *method, const cJSON *args,
          const cJSON *kwargs, struct odoo_err *err)
{
	struct odoo_call *c = odoo_call_new(o, model, method, args, kwargs, NULL, err);
	cJSON *r = NULL;

	if (c == NULL)
		return NULL;
	if (run_one(o, c, err) == 0)
		r = odoo_call_take(c);
	odoo_call_free(c);
	return r;
}

/* ---- connecting --------------------------------------------------------- */

/* GET /web/version over h: 0 with o->major set (0 when the server has
 * none). */
static int
probe(struct odoo *o, struct http_client *h, struct odoo_err *err)
{
	struct http_req q;
	struct http_resp r;
	struct ep_err e = EP_ERR_INIT;
	char *url = NULL;
	cJSON *j = NULL;
	const cJSON *vi, *v0;
	int rc = -1;

	memset(&q, 0, sizeof(q));
	http_resp_init(&r);
	if (asprintf(&url, "%s/web/version", o->url) < 0) {
		err_set(err, EP_SOFTWARE, 1, "out of memory");
		return -1;
	}
	q.url = url;
	if (http_do(h, &q, &r, &e) < 0) {
		err->e = e;
		err->fatal = 1;
		goto out;
	}
	rc = 0;
	if (r.status != 200) {
		o->major = 0; /* older than /web/version */
		goto out;
	}
	j = cJSON_ParseWithLength(r.body.p, r.body.len);
	vi = cJSON_GetObjectItemCaseSensitive(j, "version_info");
	v0 = cJSON_GetArrayItem(vi, 0);
	if (cJSON_IsNumber(v0) && v0->valuedouble > 0 && v0->valuedouble < 1000)
		o->major = (int)v0->valuedouble;
	else if (cJSON_IsString(v0) && atoi(v0->valuestring) > 0) /* "saas~18.3" */
		o->major = atoi(v0->valuestring + strcspn(v0->valuestring, "0123456789"));
out:
	cJSON_Delete(j);
	http_resp_release(&r);
	free(url);
	return rc;
}

static int
authenticate(struct odoo *o, struct odoo_err *err)
{
	struct odoo_call *c;
	cJSON *args = cJSON_CreateArray();
	int rc = -1;

	cJSON_AddItemToArray(args, cJSON_CreateString(o->db));
	cJSON_AddItemToArray(args, cJSON_CreateString(o->user));
	cJSON_AddItemToArray(args, cJSON_CreateString(o->secret));
	cJSON_AddItemToArray(args, cJSON_CreateObject());
	c = call_build(o, "common", "authenticate", NULL, NULL, args, NULL, NULL, err);
	cJSON_Delete(args);
	if (c == NULL)
		return -1;
	if (run_one(o, c, err) < 0) {
		if (!err->fatal) /* an Odoo error on login stops the run too */
			err->fatal = 1;
		goto out;
	}
	if (cJSON_IsNumber(c->result) && c->result->valuedouble >= 1) {
		o->uid = (int)c->result->valuedouble;
		rc = 0;
	} else if (cJSON_IsFalse(c->result)) {
		err_set(err, EP_NOPERM, 1,
		        "login refused for user '%s' on database '%s' at '%s': wrong user, password "
		        "or API key",
		        o->user, o->db, o->url);
	} else {
		err_set(err, EP_UNAVAILABLE, 1, "common.authenticate: unexpected answer");
	}
out:
	odoo_call_free(c);
	return rc;
}

struct odoo *
odoo_open(const struct odoo_opts *opts, struct odoo_err *err)
{
	struct odoo *o;
	struct ep_err e = EP_ERR_INIT;
	size_t n;

	err_clear(err);
	if (opts->url == NULL || opts->url[0] == '\0') {
		err_set(err, EP_CONFIG, 1, "no Odoo url: set url in the profile or $ODOO_URL");
		return NULL;
	}
	if (opts->secret == NULL || opts->secret[0] == '\0') {
		err_set(err, EP_CONFIG, 1,
		        "no Odoo password or API key: set $ODOO_PASSWORD or password_file in the "
		        "profile");
		return NULL;
	}
	if (opts->proto != ODOO_JSON2 && (opts->db == NULL || opts->db[0] == '\0')) {
		err_set(err, EP_CONFIG, 1, "no Odoo database: set db in the profile or $ODOO_DB");
		return NULL;
	}
	if (opts->proto != ODOO_JSON2 && (opts->user == NULL || opts->user[0] == '\0')) {
		err_set(err, EP_CONFIG, 1, "no Odoo user: set user in the profile or $ODOO_USER");
		return NULL;
	}
	if ((o = calloc(1, sizeof(*o))) == NULL)
		goto oom;
	o->proto = opts->proto;
	o->hopts = opts->http;
	o->clock = opts->http.clock ? opts->http.clock : ep_clock_system();
	o->rng = opts->http.seed ^ 0x9e3779b97f4a7c15ULL;
	o->max_xml = opts->max_xml ? opts->max_xml : opts->http.max_body;
	if ((o->url = strdup(opts->url)) == NULL || (opts->db && !(o->db = strdup(opts->db))) ||
	    (opts->user && !(o->user = strdup(opts->user))) ||
	    (o->secret = strdup(opts->secret)) == NULL)
		goto oom;
	n = strlen(o->url);
	while (n > 0 && o->url[n - 1] == '/')
		o->url[--n] = '\0';
	redact_add(opts->http.redact ? opts->http.redact : redact_default(), o->secret,
	           strlen(o->secret));
	if (asprintf(&o->auth_hdr, "Authorization: bearer %s", o->secret) < 0) {
		o->auth_hdr = NULL;
		goto oom;
	}
	if (o->db && asprintf(&o->db_hdr, "X-Odoo-Database: %s", o->db) < 0) {
		o->db_hdr = NULL;
		goto oom;
	}
	o->json_hdrs[0] = "Content-Type: application/json";
	o->xml_hdrs[0] = "Content-Type: text/xml";
	o->json2_hdrs[0] = "Content-Type: application/json";
	o->json2_hdrs[1] = o->auth_hdr;
	o->json2_hdrs[2] = o->db_hdr;
	if ((o->http = http_new(&opts->http, &e)) == NULL) {
		err->e = e;
		err->fatal = 1;
		odoo_close(o);
		return NULL;
	}
	if (o->proto == ODOO_AUTO) {
		if (probe(o, o->http, err) < 0)
			goto fail;
		o->proto = o->major >= 19 && opts->secret_is_key ? ODOO_JSON2 : ODOO_JSONRPC;
		if (o->proto == ODOO_JSONRPC && (o->db == NULL || o->user == NULL)) {
			err_set(err, EP_CONFIG, 1,
			        "no Odoo %s: JSON-RPC needs db and user (JSON-2 needs Odoo 19 and an "
			        "API key, auth = apikey)",
			        o->db ? "user" : "database");
			goto fail;
		}
	}
	if (o->proto != ODOO_JSON2 && authenticate(o, err) < 0)
		goto fail;
	return o;
oom:
	err_set(err, EP_SOFTWARE, 1, "out of memory");
fail:
	odoo_close(o);
	return NULL;
}

void
odoo_close(struct odoo *o)
{
	struct odoo_call *c, *n;

	if (o == NULL)
		return;
	for (c = o->done; c; c = n) { /* the caller's to free */
		n = c->next;
		c->next = NULL;
	}
	http_free(o->http);
	if (o->secret)
		explicit_bzero(o->secret, strlen(o->secret));
	if (o->auth_hdr)
		explicit_bzero(o->auth_hdr, strlen(o->auth_hdr));
	free(o->url);
	free(o->db);
	free(o->user);
	free(o->secret);
	free(o->auth_hdr);
	free(o->db_hdr);
	free(o);
}

int
odoo_domain_terms(const cJSON *d)
{
	const cJSON *t;
	int need = 0, n = 0;

	cJSON_ArrayForEach(t, d) {
		if (cJSON_IsString(t) &&
		    (strcmp(t->valuestring, "&") == 0 || strcmp(t->valuestring, "|") == 0)) {
			need += need ? 1 : 2;
			if (need == 2)
				n++;
			continue;
		}
		if (cJSON_IsString(t) && strcmp(t->valuestring, "!") == 0) {
			if (need == 0) {
				need = 1;
				n++;
			}
			continue;
		}
		if (need == 0)
			n++;
		else
			need--;
	}
	return need ? -1 : n;
}
