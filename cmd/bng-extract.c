/*
 * bng-extract - read a BNG resource: in full, incrementally (--since,
 * --state) or following changes (--follow, or webhooks with --listen),
 * as NDJSON records and checkpoints.  See bng-extract(1).
 *
 * Polling pages by (UpdatedAt, id) keyset (lib/bng); a checkpoint
 * {"updated_at", "id"} follows each page's records; a new run starts
 * --overlap before it and drops what it already emitted in this run
 * (lib/extract).  --listen receives signed webhooks into a spool
 * (lib/webhook) and emits them, checkpointing {"seq"}.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "proto/bng.h"
#include "base/buf.h"
#include "base/cfg.h"
#include "base/fields.h"
#include "net/conn.h"
#include "base/err.h"
#include "connect/extract.h"
#include "stream/json_tree.h"
#include "base/log.h"
#include "base/ops.h"
#include "base/opt.h"
#include "base/redact.h"
#include "base/fileio.h"
#include "proto/webhook.h"

static const char usage_text[] =
    "usage: bng-extract [-qv] [-P NAME] [--since TIMESTAMP] [--state FILE] [--follow]\n"
    "                   [--heartbeat FILE] [--singer]\n"
    "                   [--interval SECONDS] [--overlap SECONDS] [--fields LIST]\n"
    "                   [--shard K/N [--shard-plan-file FILE]] [--page-size N] [--limit N] [--page-style STYLE]\n"
    "                   [--items-path KEYPATH] [--next-path KEYPATH] [--since-param NAME]\n"
    "                   [--url URL] [--client-id ID] [--token-url URL] [--scope SCOPE]\n"
    "                   [--token-cache FILE] [--metrics FILE] [--stats FILE]\n"
    "                   [network options] ENTITY\n"
    "       bng-extract --count [options] ENTITY\n"
    "       bng-extract --describe [--openapi FILE] [options] ENTITY\n"
    "       bng-extract --shard-plan N [options] ENTITY\n"
    "       bng-extract --listen ADDRESS --spool FILE --webhook-secret-file FILE\n"
    "                   [--tls-cert FILE --tls-key FILE | --plain-http]\n"
    "                   [--state FILE] [--envelope] [--port-file FILE] [ENTITY]\n";

enum {
	OPT_CLIENT_ID = OPT_FIRST_FREE,
	OPT_ENVELOPE,
	OPT_FIELDS,
	OPT_ID_FIELD,
	OPT_ITEMS_PATH,
	OPT_LISTEN,
	OPT_NEXT_PATH,
	OPT_OPENAPI,
	OPT_PAGE_STYLE,
	OPT_PLAIN_HTTP,
	OPT_PORT_FILE,
	OPT_SCOPE,
	OPT_SINCE_PARAM,
	OPT_SPOOL,
	OPT_TLS_CERT,
	OPT_TLS_KEY,
	OPT_TOKEN_CACHE,
	OPT_TOKEN_URL,
	OPT_UPDATED_FIELD,
	OPT_URL,
	OPT_WEBHOOK_SECRET_FILE,
};

static const struct ep_opt bng_opts[] = {
	{ "client-id", OPT_CLIENT_ID, "ID", "OAuth client id (default: the profile's client_id)" },
	{ "envelope", OPT_ENVELOPE, NULL, "--listen: emit whole events, not their data" },
	{ "fields", OPT_FIELDS, "LIST", "only these comma-separated fields (and the id, UpdatedAt)" },
	{ "id-field", OPT_ID_FIELD, "NAME", "the records' id field (default: the resource's)" },
	{ "items-path", OPT_ITEMS_PATH, "KEYPATH", "where a page holds its records (default data)" },
	{ "listen", OPT_LISTEN, "ADDRESS", "receive webhooks on ADDR:PORT instead of polling" },
	{ "next-path", OPT_NEXT_PATH, "KEYPATH",
	  "where a page holds the next cursor or URL (default next_cursor)" },
	{ "openapi", OPT_OPENAPI, "FILE", "--describe from this OpenAPI document, not the server's" },
	{ "page-style", OPT_PAGE_STYLE, "cursor|page|offset|link", "how pages are asked for" },
	{ "plain-http", OPT_PLAIN_HTTP, NULL,
	  "--listen: plain HTTP on an address that is not loopback" },
	{ "port-file", OPT_PORT_FILE, "FILE", "--listen: write the port listened on to FILE" },
	{ "scope", OPT_SCOPE, "SCOPE", "OAuth scope to ask for (default: none)" },
	{ "since-param", OPT_SINCE_PARAM, "NAME",
	  "query parameter of the changed-since filter (default updated_since)" },
	{ "spool", OPT_SPOOL, "FILE", "--listen: where received events are kept until committed" },
	{ "tls-cert", OPT_TLS_CERT, "FILE", "--listen: serve HTTPS with this PEM certificate (chain)" },
	{ "tls-key", OPT_TLS_KEY, "FILE", "--listen: the certificate's PEM key (a file private to you)" },
	{ "token-cache", OPT_TOKEN_CACHE, "FILE",
	  "OAuth token cache (default ~/.cache/erpipe/bng-HASH.token; - for none)" },
	{ "token-url", OPT_TOKEN_URL, "URL", "OAuth token endpoint (default ORIGIN/oauth/token)" },
	{ "updated-field", OPT_UPDATED_FIELD, "NAME",
	  "the records' last-modified field (default UpdatedAt)" },
	{ "url", OPT_URL, "URL", "BNG API root (default: the profile's url, $BNG_URL)" },
	{ "webhook-secret-file", OPT_WEBHOOK_SECRET_FILE, "FILE",
	  "--listen: the HMAC key of the signatures (a file private to you)" },
	{ NULL, 0, NULL, NULL },
};

static const struct ep_opt *const tables[] = { ep_opt_common, extract_opts, conn_opts_table,
	                                       bng_opts, ops_opts, NULL };

struct opts {
	struct extract_cfg x;
	struct bng_list l;
	const char *client_id, *scope, *token_url, *token_cache, *url, *openapi;
	const char *id_field, *updated_field, *fields;
	const char *listen, *spool, *secret_file, *port_file, *tls_cert, *tls_key;
	int envelope, plain_http;
	const char *entity;
};

struct run {
	struct opts *o;
	struct bng *b;
	struct extract_out out;
	struct seen *seen;
	const char *idf, *updf;
	char **fields; /* client-side projection, NULL-terminated */
	char mark_at[64], mark_id[64];
	int have_mark, mark_numeric;
	long emitted, repeats, pages, since_checkpoint;
	struct buf text; /* print buffer */
};

/* ---- helpers ---------------------------------------------------------------- */

/* "YYYY-MM-DD HH:MM:SS" -> "YYYY-MM-DDTHH:MM:SSZ" */
static void
to_iso(const char *ts, char *out, size_t cap)
{
	snprintf(out, cap, "%.10sT%.8sZ", ts, ts + 11);
}

/* An UpdatedAt (ISO 8601 with zone) minus seconds, as ISO (UTC) for the
 * query; a fraction of a second is kept, so --overlap 0 starts exactly at
 * the mark. */
static int
iso_minus(const char *updated, int64_t seconds, char *out, size_t cap)
{
	char ts[EXTRACT_TS_LEN], back[EXTRACT_TS_LEN], frac[16] = "";
	const char *dot = strchr(updated, '.');
	struct ep_err e = EP_ERR_INIT;
	size_t n = 0;

	if (extract_parse_time(updated, ts, &e) < 0 || extract_time_add(ts, -seconds, back) < 0)
		return -1;
	if (dot && dot - updated >= 19) {
		while (n + 1 < sizeof(frac) && dot[n] && (n == 0 || (dot[n] >= '0' && dot[n] <= '9'))) {
			frac[n] = dot[n];
			n++;
		}
		frac[n] = '\0';
	}
	snprintf(out, cap, "%.10sT%.8s%sZ", back, back + 11, frac);
	return 0;
}

static char **
split_fields(const char *list)
{
	size_t n = 1, i = 0;
	const char *p;
	char **v, *copy;
	struct fields_iter it;
	struct field_ref f;

	for (p = list; *p; p++)
		n += *p == ',';
	if ((v = calloc(n + 2, sizeof(*v))) == NULL || (copy = strdup(list)) == NULL) {
		free(v);
		return NULL;
	}
	v[n + 1] = copy; /* kept for free */
	fields_init(&it, copy, FIELDS_SKIP_EMPTY);
	while (fields_next(&it, &f) > 0) {
		v[i] = copy + (f.item - copy);
		v[i++][f.len] = '\0'; /* the comma: past it already */
	}
	v[i] = NULL;
	return v;
}

static void
free_fields(char **v)
{
	size_t i = 0;

	if (v == NULL)
		return;
	while (v[i])
		i++;
	/* the copy sits after the NULL, or further when a field was empty */
	for (i++; v[i] == NULL; i++)
		;
	free(v[i]);
	free(v);
}

static int
wanted(struct run *r, const char *k)
{
	char **f;

	if (strcmp(k, r->idf) == 0 || strcmp(k, r->updf) == 0)
		return 1;
	for (f = r->fields; *f; f++)
		if (strcmp(*f, k) == 0)
			return 1;
	return 0;
}

static int
emit_json(struct run *r, cJSON *v)
{
	/* print into a reused buffer, numbers exact (json_tree_print) */
	r->text.max = 1u << 30;
	buf_reset(&r->text);
	if (json_tree_print_buf(&r->text, v) < 0) {
		ep_warn("out of memory printing a record");
		return -1;
	}
	return extract_emit(&r->out, r->text.p, r->text.len);
}

static cJSON *
mark_pos(struct run *r)
{
	cJSON *pos = cJSON_CreateObject();

	if (pos == NULL || !cJSON_AddStringToObject(pos, "updated_at", r->mark_at) ||
	    !(r->mark_numeric ? cJSON_AddNumberToObject(pos, "id", strtod(r->mark_id, NULL))
	                      : cJSON_AddStringToObject(pos, "id", r->mark_id))) {
		cJSON_Delete(pos);
		return NULL;
	}
	return pos;
}

static int
checkpoint(struct run *r)
{
	cJSON *pos;
	int rc;

	if (!r->have_mark)
		return 0;
	if ((pos = mark_pos(r)) == NULL) {
		ep_warn("out of memory");
		return -1;
	}
	rc = extract_checkpoint(&r->out, pos);
	cJSON_Delete(pos);
	r->since_checkpoint = 0;
	return rc;
}

/* 1 emitted, 0 dropped as a repeat, -1 error */
static int
item(struct run *r, cJSON *it)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(it, r->idf);
	const cJSON *upd = cJSON_GetObjectItemCaseSensitive(it, r->updf);
	char idtext[64] = "";
	int numeric = 0;

	if (!cJSON_IsObject(it)) {
		ep_warn("page %ld holds a record that is not an object", r->pages);
		return -1;
	}
	if (cJSON_IsNumber(id)) {
		snprintf(idtext, sizeof(idtext), "%.17g", id->valuedouble);
		numeric = 1;
	} else if (cJSON_IsString(id))
		snprintf(idtext, sizeof(idtext), "%s", id->valuestring);
	if (*idtext && cJSON_IsString(upd)) {
		int fresh = seen_add(r->seen, idtext, upd->valuestring);

		if (fresh < 0) {
			ep_warn("out of memory");
			return -1;
		}
		if (fresh == 0) {
			r->repeats++;
			return 0;
		}
		if (strlen(upd->valuestring) < sizeof(r->mark_at) &&
		    (!r->have_mark || strcmp(upd->valuestring, r->mark_at) >= 0)) {
			strcpy(r->mark_at, upd->valuestring);
			strcpy(r->mark_id, idtext);
			r->mark_numeric = numeric;
			r->have_mark = 1;
		}
	}
	if (r->fields) {
		cJSON *c = it->child, *n;

		for (; c; c = n) {
			n = c->next;
			if (!wanted(r, c->string))
				cJSON_Delete(cJSON_DetachItemViaPointer(it, c));
		}
	}
	if (emit_json(r, it) < 0)
		return -1;
	r->emitted++;
	r->since_checkpoint++;
	return 1;
}

static int
out_failed(struct run *r, struct ep_err *err)
{
	if (r->out.w.epipe)
		return 0;
	return extract_out_ok(&r->out, err) < 0 ? -1 : 0;
}

/* One pass over the resource from since (ISO or NULL).  0 done (or the
 * reader went away: r->out.w.epipe), -1 err. */
static int
poll_once(struct run *r, const char *since, const char *query, struct ep_err *err)
{
	struct bng_list l = r->o->l;
	struct bng_pager *p;
	cJSON *items, *it;
	int rc = -1, k;

	l.since = since;
	l.query = query;
	l.limit = r->o->x.page_size;
	l.fields = r->o->fields;
	if ((p = bng_pager_new(r->b, r->o->entity, &l, err)) == NULL)
		return -1;
	while ((k = bng_pager_next(p, &items, err)) == 1) {
		r->pages++;
		ops_page();
		cJSON_ArrayForEach(it, items)
		{
			if (item(r, it) < 0) {
				cJSON_Delete(items);
				if (out_failed(r, err) < 0 || r->out.w.epipe)
					rc = r->out.w.epipe ? 0 : -1;
				else
					rc = ep_errf(err, EP_SOFTWARE, "cannot emit a record");
				goto out;
			}
			if (r->o->x.limit && r->emitted >= r->o->x.limit)
				break;
		}
		cJSON_Delete(items);
		if (r->since_checkpoint && checkpoint(r) < 0) {
			rc = out_failed(r, err);
			goto out;
		}
		if ((r->o->x.limit && r->emitted >= r->o->x.limit) || extract_stopping()) {
			rc = 0;
			goto out;
		}
	}
	rc = k < 0 ? -1 : 0;
out:
	bng_pager_free(p);
	return rc;
}

static int
shard_query(struct run *r, const char *stream, struct buf *q, int *empty, struct ep_err *err)
{
	long cnt, mn, mx;
	int64_t lo, hi;

	*empty = 0;
	if (!r->o->x.shard_n)
		return 0;
	if (r->o->x.shard_plan_file) {
		struct extract_shard_bounds b;
		int k;

		if (extract_shard_plan_read(r->o->x.shard_plan_file, stream, &b, err) < 0)
			return -1;
		k = extract_shard_bounds_ids(&b, r->o->x.shard_plan_file, &lo, &hi, err);
		extract_shard_bounds_free(&b);
		if (k < 0)
			return -1;
	} else {
		if (bng_count(r->b, r->o->entity, NULL, &cnt, &mn, &mx, err) < 0)
			return ep_err_prefix(err, "--shard needs the id range");
		extract_shard_range(mn, mx, r->o->x.shard_k, r->o->x.shard_n, &lo, &hi);
	}
	ep_info(1, "shard %d/%d: ids %lld..%lld", r->o->x.shard_k, r->o->x.shard_n, (long long)lo,
	        (long long)hi);
	if (lo > hi) {
		*empty = 1;
		return 0;
	}
	if (lo != INT64_MIN)
		buf_addf(q, "id_gte=%" PRId64, lo < 0 ? 0 : lo);
	if (hi != INT64_MAX)
		buf_addf(q, "%sid_lte=%" PRId64, q->len ? "&" : "", hi);
	return 0;
}

/* --shard-plan N: the id ranges of N shards, one line each */
static int
shard_plan(struct run *r, const char *stream, struct ep_err *err)
{
	long cnt, mn, mx;

	if (bng_count(r->b, r->o->entity, NULL, &cnt, &mn, &mx, err) < 0)
		return ep_err_prefix(err, "--shard-plan needs the id range");
	return extract_shard_plan_ids(&r->out, stream, mn, mx, r->o->x.shard_plan, "id", err);
}

static int
count(struct run *r, const char *since, const char *query, struct ep_err *err)
{
	struct buf q = BUF_INIT;
	long n, mn, mx;
	int rc;

	if (since) {
		buf_addf(&q, "%s=", r->o->l.since_param ? r->o->l.since_param : "updated_since");
		bng_query_escape(&q, since);
	}
	if (query && *query)
		buf_addf(&q, "%s%s", q.len ? "&" : "", query);
	rc = bng_count(r->b, r->o->entity, q.p, &n, &mn, &mx, err);
	buf_release(&q);
	if (rc < 0 && err->code == EP_UNAVAILABLE) {
		/* a tenant without count=true: page through and count */
		struct bng_list l = r->o->l;
		struct bng_pager *p;
		cJSON *items;
		int k;

		ep_info(1, "no total_count from the server; counting page by page");
		l.since = since;
		l.query = query;
		l.limit = r->o->x.page_size;
		l.fields = r->idf;
		if ((p = bng_pager_new(r->b, r->o->entity, &l, err)) == NULL)
			return -1;
		n = 0;
		while ((k = bng_pager_next(p, &items, err)) == 1) {
			n += cJSON_GetArraySize(items);
			cJSON_Delete(items);
		}
		bng_pager_free(p);
		if (k < 0)
			return -1;
		rc = 0;
	}
	if (rc < 0)
		return -1;
	printf("%ld\n", n);
	return 0;
}

/* ---- --describe ----------------------------------------------------------------- */

/* The entity as a JSON Schema, from the server's OpenAPI document (or
 * --openapi): --describe, and Singer's SCHEMA.  NULL with err. */
static cJSON *
describe_schema(struct opts *o, struct cfg_profile *p, struct ep_err *err)
{
	cJSON *doc = NULL, *sch;

	if (o->openapi) {
		FILE *f = fopen(o->openapi, "rb");
		struct buf b = BUF_INIT;
		char chunk[65536];
		size_t n;

		if (f == NULL) {
			ep_errf(err, EP_NOINPUT, "cannot open '%s': %s", o->openapi, strerror(errno));
			return NULL;
		}
		buf_init(&b, 64u << 20);
		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			if (buf_add(&b, chunk, n) < 0)
				break;
		fclose(f);
		doc = cJSON_ParseWithLength(buf_str(&b), b.len);
		buf_release(&b);
		if (doc == NULL) {
			ep_errf(err, EP_DATAERR, "'%s' is not JSON", o->openapi);
			return NULL;
		}
	} else {
		/* the contract is served without a token; ask with one only when refused */
		const char *url = cfg_get(p, "url");
		char *origin = NULL, *api = NULL;
		struct buf u = BUF_INIT;
		struct http_client *c;
		struct http_req q = { 0 };
		struct http_resp resp;

		if (url == NULL) {
			ep_errf(err, EP_CONFIG, "no BNG URL: set url in the profile, $BNG_URL "
			        "or --url (or give --openapi FILE)");
			return NULL;
		}
		if (bng_split_url(url, &origin, &api, err) < 0)
			return NULL;
		buf_addf(&u, "%s/openapi.json", api);
		free(origin);
		free(api);
		http_resp_init(&resp);
		if ((c = http_new(&o->x.conn.http, err)) == NULL) {
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
		if (doc == NULL)
			return NULL;
	}
	sch = bng_describe(doc, o->entity, err);
	cJSON_Delete(doc);
	return sch;
}

static int
describe(struct opts *o, struct cfg_profile *p, struct ep_err *err)
{
	cJSON *sch = describe_schema(o, p, err);
	char *text;
	int rc = -1;

	if (sch != NULL) {
		if ((text = cJSON_Print(sch)) != NULL) {
			printf("%s\n", text);
			free(text);
			rc = 0;
		} else
			ep_errf(err, EP_SOFTWARE, "out of memory");
		cJSON_Delete(sch);
	}
	return rc;
}

/* ---- --listen ------------------------------------------------------------------- */

static uint64_t
committed_seq(const char *state, const char *stream, struct ep_err *err)
{
	cJSON *pos, *s;
	uint64_t v = 0;

	if (state == NULL)
		return 0;
	if ((pos = extract_state_pos(state, stream, err)) == NULL)
		return 0;
	s = cJSON_GetObjectItemCaseSensitive(pos, "seq");
	if (cJSON_IsNumber(s) && s->valuedouble >= 0)
		v = (uint64_t)s->valuedouble;
	cJSON_Delete(pos);
	return v;
}

static int
emit_event(struct run *r, const char *ev, size_t len)
{
	cJSON *j = cJSON_ParseWithLength(ev, len), *data, *type;
	int rc;

	if (j == NULL)
		return -1;
	if (r->o->envelope) {
		rc = extract_emit(&r->out, ev, len);
		cJSON_Delete(j);
		return rc;
	}
	type = cJSON_GetObjectItemCaseSensitive(j, "type");
	data = cJSON_GetObjectItemCaseSensitive(j, "data");
	if (!cJSON_IsObject(data)) {
		/* an event without data: emit it whole rather than lose it */
		rc = extract_emit(&r->out, ev, len);
		cJSON_Delete(j);
		return rc;
	}
	if (cJSON_IsString(type)) {
		size_t n = strlen(type->valuestring);

		if (n > 8 && strcmp(type->valuestring + n - 8, ".deleted") == 0) {
			cJSON_DeleteItemFromObjectCaseSensitive(data, "_op");
			cJSON_AddStringToObject(data, "_op", "delete");
		}
	}
	rc = emit_json(r, data);
	cJSON_Delete(j);
	return rc;
}

static int
listen_run(struct run *r, const char *stream, struct ep_err *err)
{
	struct opts *o = r->o;
	struct webhook_opts wo = { 0 };
	struct webhook *w;
	struct webhook_stats st;
	struct buf ev = BUF_INIT;
	char *secret, prefix[64];
	uint64_t committed, seq, last = 0, trimmed;
	const struct bng_resource *res = NULL;
	int64_t next_trim = 0;
	const struct ep_clock *clk = ep_clock_system();
	int k, pending = 0, burst = 0, draining = 0, rc = -1;

	if (o->entity && strcmp(o->entity, "all") != 0) {
		if ((res = bng_resource_find(o->entity)) == NULL)
			return ep_errf(err, EP_USAGE, "--listen: no resource '%s' (or 'all')",
			               o->entity);
		snprintf(prefix, sizeof(prefix), "%s.", res->singular);
		wo.type_prefix = prefix;
	}
	if ((secret = cfg_read_secret_file(o->secret_file, err)) == NULL)
		return -1;
	redact_secret(secret);
	committed = committed_seq(o->x.state, stream, err);
	if (err->code)
		goto out;
	trimmed = committed;
	wo.listen = o->listen;
	wo.spool = o->spool;
	wo.secret = secret;
	wo.secret_len = strlen(secret);
	wo.committed = committed;
	wo.tls_cert = o->tls_cert;
	wo.tls_key = o->tls_key;
	wo.plain_http = o->plain_http;
	if ((w = webhook_open(&wo, err)) == NULL)
		goto out;
	if (o->port_file) {
		char port[16];

		snprintf(port, sizeof(port), "%d\n", webhook_port(w));
		if (file_write_atomic(o->port_file, port, strlen(port), err) < 0) {
			webhook_close(w);
			goto out;
		}
	}
	ep_info(1, "listening on port %d (%s), spool '%s', committed seq %" PRIu64,
	        webhook_port(w), o->tls_cert ? "HTTPS" : "HTTP", o->spool, committed);
	extract_signals();
	for (;;) {
		/* on SIGTERM: stop taking events, then emit what is spooled */
		if (extract_stopping() && !draining) {
			webhook_quiesce(w);
			draining = 1;
		}
		if ((k = webhook_next(w, draining ? 0 : 200, &ev, &seq, err)) < 0)
			break;
		if (k == 0 && draining && !pending)
			break;
		if (k == 1) {
			if (emit_event(r, ev.p, ev.len) < 0) {
				if (out_failed(r, err) < 0)
					break;
				if (r->out.w.epipe) {
					rc = 0;
					break;
				}
				ep_errf(err, EP_DATAERR, "spool event %" PRIu64 " is not JSON", seq);
				break;
			}
			r->emitted++;
			last = seq;
			pending = 1;
			if (++burst < 100)
				continue;
		}
		burst = 0;
		if (pending) {
			cJSON *pos = cJSON_CreateObject();

			cJSON_AddNumberToObject(pos, "seq", (double)last);
			k = extract_checkpoint(&r->out, pos);
			cJSON_Delete(pos);
			pending = 0;
			if (k < 0) {
				if (out_failed(r, err) < 0)
					break;
				rc = 0;
				break;
			}
		}
		/* what downstream committed can leave the spool */
		if (o->x.state && ep_now_ms(clk) >= next_trim) {
			uint64_t c = committed_seq(o->x.state, stream, err);

			next_trim = ep_now_ms(clk) + 1000;
			if (err->code)
				break;
			if (c > trimmed && webhook_trim(w, c, err) < 0)
				break;
			if (c > trimmed)
				trimmed = c;
		}
	}
	if (draining && err->code == 0)
		rc = 0;
	if (pending && rc == 0) {
		cJSON *pos = cJSON_CreateObject();

		cJSON_AddNumberToObject(pos, "seq", (double)last);
		if (extract_checkpoint(&r->out, pos) < 0)
			rc = out_failed(r, err);
		cJSON_Delete(pos);
	}
	webhook_get_stats(w, &st);
	webhook_close(w);
	ep_info(0, "%ld events emitted; received %" PRIu64 ", repeats dropped %" PRIu64
	           ", ignored %" PRIu64 ", bad signatures %" PRIu64 ", bad bodies %" PRIu64,
	        r->emitted, st.accepted, st.repeated, st.ignored, st.refused, st.bad);
out:
	buf_release(&ev);
	explicit_bzero(secret, strlen(secret));
	free(secret);
	return rc;
}

/* ---- main ---------------------------------------------------------------------------- */

static int
parse(int argc, char *argv[], struct opts *o)
{
	struct ep_optset os;
	struct ep_err err = EP_ERR_INIT;
	int c, r;

	extract_cfg_init(&o->x);
	if (ep_opt_build(tables, &os, &err) < 0) {
		ep_warn("%s", err.msg);
		return EP_SOFTWARE;
	}
	while ((c = ep_opt_next(argc, argv, &os, usage_text, tables)) != -1) {
		switch (c) {
		case EP_OPT_EXIT:
			ep_opt_free(&os);
			return ep_opt_exit_status() == 0 ? -1 : EP_IOERR;
		case OPT_CLIENT_ID:
			o->client_id = optarg;
			continue;
		case OPT_ENVELOPE:
			o->envelope = 1;
			continue;
		case OPT_FIELDS:
			o->fields = optarg;
			continue;
		case OPT_ID_FIELD:
			o->id_field = optarg;
			continue;
		case OPT_ITEMS_PATH:
			o->l.items_path = optarg;
			continue;
		case OPT_LISTEN:
			o->listen = optarg;
			continue;
		case OPT_NEXT_PATH:
			o->l.next_path = optarg;
			continue;
		case OPT_OPENAPI:
			o->openapi = optarg;
			continue;
		case OPT_PAGE_STYLE:
			if (bng_page_style_parse(optarg, &o->l.style) < 0) {
				ep_opt_free(&os);
				return ep_usage(usage_text, "--page-style '%s': one of cursor, page, offset, link",
				                   optarg);
			}
			continue;
		case OPT_PLAIN_HTTP:
			o->plain_http = 1;
			continue;
		case OPT_PORT_FILE:
			o->port_file = optarg;
			continue;
		case OPT_SCOPE:
			o->scope = optarg;
			continue;
		case OPT_SINCE_PARAM:
			o->l.since_param = optarg;
			continue;
		case OPT_SPOOL:
			o->spool = optarg;
			continue;
		case OPT_TLS_CERT:
			o->tls_cert = optarg;
			continue;
		case OPT_TLS_KEY:
			o->tls_key = optarg;
			continue;
		case OPT_TOKEN_CACHE:
			o->token_cache = optarg;
			continue;
		case OPT_TOKEN_URL:
			o->token_url = optarg;
			continue;
		case OPT_UPDATED_FIELD:
			o->updated_field = optarg;
			continue;
		case OPT_URL:
			o->url = optarg;
			continue;
		case OPT_WEBHOOK_SECRET_FILE:
			o->secret_file = optarg;
			continue;
		}
		if ((r = extract_opt(&o->x, c, optarg, &err)) == 1)
			continue;
		ep_opt_free(&os);
		return ep_opt_bad(usage_text, c, argv, r < 0 ? err.msg : NULL);
	}
	ep_opt_free(&os);
	if (optind < argc)
		o->entity = argv[optind++];
	if (optind < argc)
		return ep_usage(usage_text, "one ENTITY only, not '%s' too", argv[optind]);
	if (o->entity == NULL && !o->listen)
		return ep_usage(usage_text, "%s", "no ENTITY: which resource (customers, sales_orders, ...)?");
	if (o->listen && (!o->spool || !o->secret_file))
		return ep_usage(usage_text, "%s", "--listen needs --spool FILE and --webhook-secret-file FILE");
	if (!o->listen && (o->spool || o->secret_file || o->envelope || o->port_file ||
	                   o->tls_cert || o->tls_key || o->plain_http))
		return ep_usage(usage_text, "%s", "--spool, --webhook-secret-file, --envelope, "
		                         "--port-file, --tls-cert, --tls-key and --plain-http go with --listen");
	if (!o->tls_cert != !o->tls_key)
		return ep_usage(usage_text, "%s", "--tls-cert and --tls-key go together");
	if (o->tls_cert && o->plain_http)
		return ep_usage(usage_text, "%s", "--plain-http or --tls-cert, not both");
	if (o->listen && (o->x.follow || o->x.count || o->x.describe || o->x.shard_n ||
	                  o->x.since[0]))
		return ep_usage(usage_text, "%s", "--listen does not go with --follow, --count, "
		                         "--describe, --shard or --since");
	if (extract_cfg_check(&o->x, &err) < 0)
		return ep_usage(usage_text, "%s", err.msg);
	if (o->x.count + o->x.describe > 1)
		return ep_usage(usage_text, "%s", "--count or --describe, not both");
	if (extract_shard_check(&o->x, &err) < 0 ||
	    (o->listen && (o->x.shard_plan || o->x.shard_plan_file) &&
	     ep_errf(&err, EP_USAGE, "--listen does not go with --shard-plan") < 0))
		return ep_usage(usage_text, "%s", err.msg);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct opts o = { 0 };
	struct run r = { 0 };
	struct ep_err err = EP_ERR_INIT;
	struct cfg_profile *p = NULL;
	struct bng_conn bc = { 0 };
	struct buf stream = BUF_INIT, shardq = BUF_INIT;
	const struct bng_resource *res;
	char *cache = NULL, since_iso[64] = "";
	const char *since = NULL;
	cJSON *pos = NULL;
	int rc, status = 0, empty = 0;

	ep_prog = "bng-extract";
	if ((rc = parse(argc, argv, &o)) != 0)
		return rc < 0 ? 0 : rc;
	r.o = &o;
	res = o.entity ? bng_resource_find(o.entity) : NULL;
	r.idf = o.id_field ? o.id_field : res ? res->id : "id";
	r.updf = o.updated_field ? o.updated_field : "UpdatedAt";
	if ((p = conn_profile(&o.x.conn, "bng", &err)) == NULL ||
	    (o.url && cfg_set(p, "url", o.url, &err) < 0) ||
	    (o.client_id && cfg_set(p, "client_id", o.client_id, &err) < 0))
		goto fail;
	if (o.x.describe) {
		if (describe(&o, p, &err) < 0)
			goto fail;
		goto done;
	}
	buf_addf(&stream, "bng:%s:%s%s", cfg_name(p) ? cfg_name(p) : "-",
	         o.listen ? "webhooks:" : "", o.entity ? o.entity : "all");
	if (o.x.shard_n)
		buf_addf(&stream, "#%d/%d", o.x.shard_k, o.x.shard_n);
	if (extract_out_init(&r.out, 1, stream.p, &err) < 0)
		goto fail;
	if (o.x.singer) {
		cJSON *sch = o.entity ? describe_schema(&o, p, &err) : NULL, *keys;
		int k;
		if (o.entity && sch == NULL)
			goto fail;
		keys = cJSON_CreateArray();
		cJSON_AddItemToArray(keys, cJSON_CreateString(r.idf));
		k = extract_out_singer(&r.out, o.entity ? o.entity : "all", sch, keys, &err);
		cJSON_Delete(sch);
		cJSON_Delete(keys);
		if (k < 0)
			goto fail;
	}
	if (o.listen) {
		if (listen_run(&r, stream.p, &err) < 0)
			goto fail;
		goto done;
	}
	bc.token_url = o.token_url;
	bc.scope = o.scope;
	bc.token_cache = o.token_cache;
	if (bng_conn_from_profile(&bc, p, &cache, &err) < 0)
		goto fail;
	if ((r.b = bng_open(&bc, &o.x.conn.http, &err)) == NULL)
		goto fail;

	/* where to start */
	if (o.x.since[0]) {
		to_iso(o.x.since, since_iso, sizeof(since_iso));
		since = since_iso;
	} else if (o.x.state) {
		pos = extract_state_pos(o.x.state, stream.p, &err);
		if (err.code)
			goto fail;
		if (pos) {
			const cJSON *u = cJSON_GetObjectItemCaseSensitive(pos, "updated_at");
			const cJSON *i = cJSON_GetObjectItemCaseSensitive(pos, "id");

			if (!cJSON_IsString(u) ||
			    iso_minus(u->valuestring, o.x.overlap_ms / 1000, since_iso,
			              sizeof(since_iso)) < 0) {
				ep_errf(&err, EP_DATAERR, "state file '%s': the position of '%s' has no "
				        "usable updated_at", o.x.state, stream.p);
				goto fail;
			}
			since = since_iso;
			/* a run that finds nothing new checkpoints the same place again */
			if (strlen(u->valuestring) < sizeof(r.mark_at)) {
				strcpy(r.mark_at, u->valuestring);
				if (cJSON_IsNumber(i)) {
					snprintf(r.mark_id, sizeof(r.mark_id), "%.17g", i->valuedouble);
					r.mark_numeric = 1;
				} else if (cJSON_IsString(i))
					snprintf(r.mark_id, sizeof(r.mark_id), "%s", i->valuestring);
				r.have_mark = 1;
			}
		}
	}
	if (o.x.shard_plan) {
		if (shard_plan(&r, stream.p, &err) < 0)
			goto fail;
		goto done;
	}
	if (shard_query(&r, stream.p, &shardq, &empty, &err) < 0)
		goto fail;
	if (o.x.count) {
		if (empty)
			printf("0\n");
		else if (count(&r, since, shardq.p, &err) < 0)
			goto fail;
		goto done;
	}
	if (o.fields && (r.fields = split_fields(o.fields)) == NULL) {
		ep_errf(&err, EP_SOFTWARE, "out of memory");
		goto fail;
	}
	if ((r.seen = seen_new(0)) == NULL) {
		ep_errf(&err, EP_SOFTWARE, "out of memory");
		goto fail;
	}
	if (o.x.follow)
		extract_signals();
	if (!empty && poll_once(&r, since, shardq.p, &err) < 0)
		goto fail;
	while (o.x.follow && !extract_stopping() && !r.out.w.epipe &&
	       !(o.x.limit && r.emitted >= o.x.limit)) {
		char prune[64];

		if (checkpoint(&r) < 0)
			break;
		extract_beat(&o.x);
		extract_sleep(ep_clock_system(), o.x.interval_ms);
		if (extract_stopping())
			break;
		if (r.have_mark) {
			if (iso_minus(r.mark_at, o.x.overlap_ms / 1000, since_iso, sizeof(since_iso)) <
			    0) {
				ep_errf(&err, EP_DATAERR, "'%s' of a record is not a timestamp: '%s'",
				        r.updf, r.mark_at);
				goto fail;
			}
			since = since_iso;
			/* pairs before the window cannot come again */
			if (iso_minus(r.mark_at, o.x.overlap_ms / 1000 + 1, prune, sizeof(prune)) == 0)
				seen_prune(r.seen, prune);
		}
		if (!empty && poll_once(&r, since, shardq.p, &err) < 0)
			goto fail;
	}
	if (!r.out.w.epipe && (r.since_checkpoint || o.x.state || o.x.follow) && checkpoint(&r) < 0 &&
	    out_failed(&r, &err) < 0)
		goto fail;
	if (extract_out_ok(&r.out, &err) < 0)
		goto fail;
	ep_info(0, "%s: wrote %ld records (%ld pages%s%ld repeats dropped)", o.entity, r.emitted,
	        r.pages, ", ", r.repeats);
	goto done;
fail:
	ep_warn("%s", err.msg);
	status = err.code ? err.code : EP_SOFTWARE;
done:
	if (status == 0 && (fflush(stdout) != 0 || ferror(stdout))) {
		ep_warn("cannot write to stdout: %s", strerror(errno));
		status = EP_IOERR;
	}
	cJSON_Delete(pos);
	free_fields(r.fields);
	seen_free(r.seen);
	buf_release(&r.text);
	if (stream.p)
		extract_out_free(&r.out);
	bng_close(r.b);
	cfg_profile_free(p);
	free(cache);
	buf_release(&stream);
	buf_release(&shardq);
	ops_finish(status);
	return status;
}
