#include "connect/extract_bng.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "base/stop.h"
#include "base/buf.h"
#include "base/cfg.h"
#include "base/fields.h"
#include "base/fileio.h"
#include "base/log.h"
#include "base/ops.h"
#include "base/redact.h"
#include "connect/extract_run.h"
#include "proto/webhook.h"
#include "stream/json_tree.h"

struct bsrc {
	struct extract_cfg *c;
	const struct extract_bng_opts *o;
	struct cfg_profile *p;
	char *cache;
	struct bng *b;
	const char *idf, *updf;
	char **fields; /* client-side projection, NULL-terminated */
	char mark_at[64], mark_id[64];
	int have_mark, mark_numeric;
	char since_iso[64];
	const char *since; /* where the next poll starts (ISO), NULL: everything */
	struct buf shardq; /* the shard's id bounds as a query */
	int empty;         /* an empty shard */
	struct buf text;   /* print buffer */
};

/* ---- helpers ---------------------------------------------------------------- */

/* An UpdatedAt (ISO 8601 with zone) minus seconds, as ISO (UTC) for the
 * query; a fraction of a second is kept, so --overlap 0 starts exactly at
 * the mark. */
static int
iso_minus(const char *updated, int64_t seconds, char *out, size_t cap)
{
	char ts[DT_TS_LEN], back[DT_TS_LEN], frac[16] = "";
	const char *dot = strchr(updated, '.');
	struct ep_err e = EP_ERR_INIT;
	size_t n = 0;

	if (dt_ts_parse(updated, ts, &e) < 0 || dt_ts_add(ts, -seconds, back) < 0)
		return -1;
	if (dot && dot - updated >= 19) {
		while (n + 1 < sizeof(frac) && dot[n] &&
		       (n == 0 || (dot[n] >= '0' && dot[n] <= '9'))) {
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
wanted(struct bsrc *x, const char *k)
{
	char **f;

	if (strcmp(k, x->idf) == 0 || strcmp(k, x->updf) == 0)
		return 1;
	for (f = x->fields; *f; f++)
		if (strcmp(*f, k) == 0)
			return 1;
	return 0;
}

/* print into a reused buffer, numbers exact (json_tree_print) */
static int
print_json(struct buf *text, cJSON *v)
{
	text->max = 1u << 30;
	buf_reset(text);
	if (json_tree_print_buf(text, v) < 0) {
		ep_warn("out of memory printing a record");
		return -1;
	}
	return 0;
}

/* The profile with --url and --client-id in it. */
static struct cfg_profile *
profile(struct extract_cfg *c, const struct extract_bng_opts *o, struct ep_err *err)
{
	struct cfg_profile *p = conn_profile(&c->conn, "bng", err);

	if (p && ((o->url && cfg_set(p, "url", o->url, err) < 0) ||
	          (o->client_id && cfg_set(p, "client_id", o->client_id, err) < 0))) {
		cfg_profile_free(p);
		return NULL;
	}
	return p;
}

/* The entity as a JSON Schema, from the server's OpenAPI document (or
 * --openapi): --describe, and Singer's SCHEMA.  NULL with err. */
static cJSON *
describe_schema(const struct extract_cfg *c, const struct extract_bng_opts *o,
                struct cfg_profile *p, struct ep_err *err)
{
	cJSON *doc = NULL, *sch;

	if (o->openapi) {
		FILE *f = fopen(o->openapi, "rb");
		struct buf b = BUF_INIT;
		char chunk[65536];
		size_t n;

		if (f == NULL) {
			ep_errf(err, EP_NOINPUT, "cannot open '%s': %s", o->openapi,
			        strerror(errno));
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
		const char *url = cfg_get(p, "url");

		if (url == NULL) {
			ep_errf(err, EP_CONFIG,
			        "no BNG URL: set url in the profile, $BNG_URL "
			        "or --url (or give --openapi FILE)");
			return NULL;
		}
		if ((doc = bng_openapi(url, &c->conn.http, err)) == NULL)
			return NULL;
	}
	sch = bng_describe(doc, o->entity, err);
	cJSON_Delete(doc);
	return sch;
}

/* ---- the source ------------------------------------------------------------- */

static int
b_open(void *s, struct extract_run *r, const char **who, const char **entity, struct ep_err *err)
{
	struct bsrc *x = s;
	const struct bng_resource *res = bng_resource_find(x->o->entity);

	(void)r;
	x->idf = x->o->id_field ? x->o->id_field : res ? res->id : "id";
	x->updf = x->o->updated_field ? x->o->updated_field : "UpdatedAt";
	if ((x->p = profile(x->c, x->o, err)) == NULL)
		return -1;
	*who = cfg_name(x->p) ? cfg_name(x->p) : "-";
	*entity = x->o->entity;
	return 0;
}

/* The connection, made at its first use: --describe needs none. */
static int
b_connect(struct bsrc *x, struct ep_err *err)
{
	struct bng_conn bc = { 0 };

	if (x->b)
		return 0;
	bc.token_url = x->o->token_url;
	bc.scope = x->o->scope;
	bc.token_cache = x->o->token_cache;
	if (bng_conn_from_profile(&bc, x->p, &x->cache, err) < 0)
		return -1;
	return (x->b = bng_open(&bc, &x->c->conn.http, err)) == NULL ? -1 : 0;
}

static cJSON *
b_schema(void *s, struct extract_run *r, cJSON **keys, struct ep_err *err)
{
	struct bsrc *x = s;

	(void)r;
	*keys = cJSON_CreateArray();
	cJSON_AddItemToArray(*keys, cJSON_CreateString(x->idf));
	return describe_schema(x->c, x->o, x->p, err);
}

/* --shard-plan N: the id ranges of N shards, one line each */
static int
b_shard_plan(void *s, struct extract_run *r, struct ep_err *err)
{
	struct bsrc *x = s;
	long cnt, mn, mx;

	if (b_connect(x, err) < 0)
		return -1;
	if (bng_count(x->b, x->o->entity, NULL, &cnt, &mn, &mx, err) < 0)
		return ep_err_prefix(err, "--shard-plan needs the id range");
	return extract_shard_plan_ids(&r->out, r->stream, mn, mx, x->c->shard_plan, "id", err);
}

static int
b_shard(void *s, struct extract_run *r, struct ep_err *err)
{
	struct bsrc *x = s;
	const struct extract_cfg *c = x->c;
	long cnt, mn, mx;
	int64_t lo, hi;

	if (b_connect(x, err) < 0)
		return -1;
	if (c->shard_plan_file) {
		struct extract_shard_bounds b;
		int k;

		if (extract_shard_plan_read(c->shard_plan_file, r->stream, &b, err) < 0)
			return -1;
		k = extract_shard_bounds_ids(&b, c->shard_plan_file, &lo, &hi, err);
		extract_shard_bounds_free(&b);
		if (k < 0)
			return -1;
	} else {
		if (bng_count(x->b, x->o->entity, NULL, &cnt, &mn, &mx, err) < 0)
			return ep_err_prefix(err, "--shard needs the id range");
		extract_shard_range(mn, mx, c->shard_k, c->shard_n, &lo, &hi);
	}
	ep_info(1, "shard %d/%d: ids %lld..%lld", c->shard_k, c->shard_n, (long long)lo,
	        (long long)hi);
	if (lo > hi) {
		x->empty = 1;
		return 0;
	}
	if (lo != INT64_MIN)
		buf_addf(&x->shardq, "id_gte=%" PRId64, lo < 0 ? 0 : lo);
	if (hi != INT64_MAX)
		buf_addf(&x->shardq, "%sid_lte=%" PRId64, x->shardq.len ? "&" : "", hi);
	return 0;
}

static int
b_start(void *s, struct extract_run *r, const cJSON *pos, struct ep_err *err)
{
	struct bsrc *x = s;
	const cJSON *u, *i;

	if (b_connect(x, err) < 0)
		return -1;
	if (x->o->fields && (x->fields = split_fields(x->o->fields)) == NULL)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	if (x->c->since[0]) {
		/* "YYYY-MM-DD HH:MM:SS" -> "YYYY-MM-DDTHH:MM:SSZ", no overlap */
		snprintf(x->since_iso, sizeof(x->since_iso), "%.10sT%.8sZ", x->c->since,
		         x->c->since + 11);
		x->since = x->since_iso;
		return 0;
	}
	if (pos == NULL)
		return 0;
	u = cJSON_GetObjectItemCaseSensitive(pos, "updated_at");
	i = cJSON_GetObjectItemCaseSensitive(pos, "id");
	if (!cJSON_IsString(u) || iso_minus(u->valuestring, x->c->overlap_ms / 1000, x->since_iso,
	                                    sizeof(x->since_iso)) < 0)
		return ep_errf(err, EP_DATAERR,
		               "state file '%s': the position of '%s' has no "
		               "usable updated_at",
		               x->c->state, r->stream);
	x->since = x->since_iso;
	/* a run that finds nothing new checkpoints the same place again */
	if (strlen(u->valuestring) < sizeof(x->mark_at)) {
		strcpy(x->mark_at, u->valuestring);
		if (cJSON_IsNumber(i)) {
			snprintf(x->mark_id, sizeof(x->mark_id), "%.17g", i->valuedouble);
			x->mark_numeric = 1;
		} else if (cJSON_IsString(i))
			snprintf(x->mark_id, sizeof(x->mark_id), "%s", i->valuestring);
		x->have_mark = 1;
	}
	return 0;
}

static int
b_count(void *s, struct extract_run *r, long long *out, struct ep_err *err)
{
	struct bsrc *x = s;
	struct buf q = BUF_INIT;
	long n = 0, mn, mx;
	int rc;

	if (x->empty) {
		*out = 0;
		return 0;
	}
	if (x->since) {
		buf_addf(&q, "%s=", x->o->l.since_param ? x->o->l.since_param : "updated_since");
		bng_query_escape(&q, x->since);
	}
	if (x->shardq.len)
		buf_addf(&q, "%s%s", q.len ? "&" : "", x->shardq.p);
	rc = bng_count(x->b, x->o->entity, q.p, &n, &mn, &mx, err);
	buf_release(&q);
	if (rc < 0 && err->code == EP_UNAVAILABLE) {
		/* a tenant without count=true: page through and count */
		struct bng_list l = x->o->l;
		struct bng_pager *p;
		cJSON *items;
		int k;

		ep_err_clear(err);
		ep_info(1, "no total_count from the server; counting page by page");
		l.since = x->since;
		l.query = x->shardq.p;
		l.limit = r->cfg->page_size;
		l.fields = x->idf;
		if ((p = bng_pager_new(x->b, x->o->entity, &l, err)) == NULL)
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
	*out = n;
	return rc;
}

/* One record: 0 written or dropped as a repeat, -1 error (err) or the
 * output gone. */
static int
item(struct bsrc *x, struct extract_run *r, cJSON *it, struct ep_err *err)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(it, x->idf);
	const cJSON *upd = cJSON_GetObjectItemCaseSensitive(it, x->updf);
	char idtext[64] = "";
	int numeric = 0;

	if (!cJSON_IsObject(it)) {
		ep_warn("page %ld holds a record that is not an object", r->pages + 1);
		return ep_errf(err, EP_SOFTWARE, "cannot emit a record");
	}
	if (cJSON_IsNumber(id)) {
		snprintf(idtext, sizeof(idtext), "%.17g", id->valuedouble);
		numeric = 1;
	} else if (cJSON_IsString(id))
		snprintf(idtext, sizeof(idtext), "%s", id->valuestring);
	if (*idtext && cJSON_IsString(upd)) {
		int fresh = extract_fresh(r, idtext, upd->valuestring, err);

		if (fresh <= 0)
			return fresh;
		if (strlen(upd->valuestring) < sizeof(x->mark_at) &&
		    (!x->have_mark || strcmp(upd->valuestring, x->mark_at) >= 0)) {
			strcpy(x->mark_at, upd->valuestring);
			strcpy(x->mark_id, idtext);
			x->mark_numeric = numeric;
			x->have_mark = 1;
		}
	}
	if (x->fields) {
		cJSON *c = it->child, *n;

		for (; c; c = n) {
			n = c->next;
			if (!wanted(x, c->string))
				cJSON_Delete(cJSON_DetachItemViaPointer(it, c));
		}
	}
	if (print_json(&x->text, it) < 0)
		return ep_errf(err, EP_SOFTWARE, "cannot emit a record");
	return extract_record(r, x->text.p, x->text.len);
}

/* One pass over the resource from x->since. */
static int
b_poll(void *s, struct extract_run *r, struct ep_err *err)
{
	struct bsrc *x = s;
	struct bng_list l = x->o->l;
	struct bng_pager *p;
	cJSON *items, *it;
	int rc = 0, k = 0;

	if (x->empty)
		return 0;
	l.since = x->since;
	l.query = x->shardq.p;
	l.limit = r->cfg->page_size;
	l.fields = x->o->fields;
	if ((p = bng_pager_new(x->b, x->o->entity, &l, err)) == NULL)
		return -1;
	while (rc == 0 && (k = bng_pager_next(p, &items, err)) == 1) {
		ops_page();
		cJSON_ArrayForEach(it, items) {
			if ((rc = item(x, r, it, err)) < 0 || extract_full(r))
				break;
		}
		cJSON_Delete(items);
		if (rc == 0)
			rc = extract_page_done(r);
		if (r->done || stop_signal())
			break;
	}
	if (rc == 0 && k < 0)
		rc = -1;
	bng_pager_free(p);
	return rc;
}

static cJSON *
b_position(void *s, struct extract_run *r)
{
	struct bsrc *x = s;
	cJSON *pos;

	(void)r;
	if (!x->have_mark || (pos = cJSON_CreateObject()) == NULL)
		return NULL;
	if (!cJSON_AddStringToObject(pos, "updated_at", x->mark_at) ||
	    !(x->mark_numeric ? cJSON_AddNumberToObject(pos, "id", strtod(x->mark_id, NULL))
	                      : cJSON_AddStringToObject(pos, "id", x->mark_id))) {
		cJSON_Delete(pos);
		return NULL;
	}
	return pos;
}

static int
b_restart(void *s, struct extract_run *r, char prune[64], struct ep_err *err)
{
	struct bsrc *x = s;
	int64_t back = r->cfg->overlap_ms / 1000;

	if (!x->have_mark)
		return 0;
	if (iso_minus(x->mark_at, back, x->since_iso, sizeof(x->since_iso)) < 0)
		return ep_errf(err, EP_DATAERR, "'%s' of a record is not a timestamp: '%s'",
		               x->updf, x->mark_at);
	x->since = x->since_iso;
	/* pairs before the window cannot come again */
	if (iso_minus(x->mark_at, back + 1, prune, 64) < 0)
		prune[0] = '\0';
	return 0;
}

static void
b_close(void *s)
{
	struct bsrc *x = s;

	free_fields(x->fields);
	buf_release(&x->text);
	buf_release(&x->shardq);
	bng_close(x->b);
	cfg_profile_free(x->p);
	free(x->cache);
}

static const struct extract_source_ops bng_source = {
	.system = "bng",
	.open = b_open,
	.schema = b_schema,
	.shard_plan = b_shard_plan,
	.shard = b_shard,
	.start = b_start,
	.count = b_count,
	.poll = b_poll,
	.position = b_position,
	.restart = b_restart,
	.close = b_close,
};

int
extract_bng(struct extract_cfg *c, const struct extract_bng_opts *o)
{
	struct bsrc x;
	struct extract_source src = { &bng_source, &x };

	memset(&x, 0, sizeof(x));
	x.c = c;
	x.o = o;
	return extract_run(c, &src);
}

/* ---- --listen ------------------------------------------------------------------- */

struct listen {
	struct extract_cfg *c;
	const struct extract_bng_opts *o;
	struct extract_out out;
	struct buf text;
	long emitted;
};

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
emit_event(struct listen *r, const char *ev, size_t len)
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
	rc = print_json(&r->text, data) < 0 ? -1 : extract_emit(&r->out, r->text.p, r->text.len);
	cJSON_Delete(j);
	return rc;
}

static int
out_failed(struct listen *r, struct ep_err *err)
{
	if (r->out.w.epipe)
		return 0;
	return extract_out_ok(&r->out, err) < 0 ? -1 : 0;
}

static int
seq_checkpoint(struct listen *r, uint64_t last)
{
	cJSON *pos = cJSON_CreateObject();
	int k;

	cJSON_AddNumberToObject(pos, "seq", (double)last);
	k = extract_checkpoint(&r->out, pos);
	cJSON_Delete(pos);
	return k;
}

static int
listen_run(struct listen *r, const char *stream, struct ep_err *err)
{
	const struct extract_bng_opts *o = r->o;
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
	committed = committed_seq(r->c->state, stream, err);
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
	ep_info(1, "listening on port %d (%s), spool '%s', committed seq %" PRIu64, webhook_port(w),
	        o->tls_cert ? "HTTPS" : "HTTP", o->spool, committed);
	stop_catch();
	for (;;) {
		/* on SIGTERM: stop taking events, then emit what is spooled */
		if (stop_signal() && !draining) {
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
				ep_errf(err, EP_DATAERR, "spool event %" PRIu64 " is not JSON",
				        seq);
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
			k = seq_checkpoint(r, last);
			pending = 0;
			if (k < 0) {
				if (out_failed(r, err) < 0)
					break;
				rc = 0;
				break;
			}
		}
		/* what downstream committed can leave the spool */
		if (r->c->state && ep_now_ms(clk) >= next_trim) {
			uint64_t c = committed_seq(r->c->state, stream, err);

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
	if (pending && rc == 0 && seq_checkpoint(r, last) < 0)
		rc = out_failed(r, err);
	webhook_get_stats(w, &st);
	webhook_close(w);
	ep_info(0,
	        "%ld events emitted; received %" PRIu64 ", repeats dropped %" PRIu64
	        ", ignored %" PRIu64 ", bad signatures %" PRIu64 ", bad bodies %" PRIu64,
	        r->emitted, st.accepted, st.repeated, st.ignored, st.refused, st.bad);
out:
	buf_release(&ev);
	explicit_bzero(secret, strlen(secret));
	free(secret);
	return rc;
}

int
extract_bng_listen(struct extract_cfg *c, const struct extract_bng_opts *o)
{
	struct listen r;
	struct ep_err err = EP_ERR_INIT;
	struct cfg_profile *p;
	char stream[512];
	int status = 0, out_open = 0;

	memset(&r, 0, sizeof(r));
	r.c = c;
	r.o = o;
	if ((p = profile(c, o, &err)) == NULL)
		goto fail;
	snprintf(stream, sizeof(stream), "bng:%s:webhooks:%s", cfg_name(p) ? cfg_name(p) : "-",
	         o->entity ? o->entity : "all");
	if (extract_out_init(&r.out, 1, stream, &err) < 0)
		goto fail;
	out_open = 1;
	if (c->singer) {
		cJSON *sch = o->entity ? describe_schema(c, o, p, &err) : NULL, *keys;
		const struct bng_resource *res = o->entity ? bng_resource_find(o->entity) : NULL;
		int k;

		if (o->entity && sch == NULL)
			goto fail;
		keys = cJSON_CreateArray();
		cJSON_AddItemToArray(keys, cJSON_CreateString(o->id_field ? o->id_field
		                                              : res       ? res->id
		                                                          : "id"));
		k = extract_out_singer(&r.out, o->entity ? o->entity : "all", sch, keys, &err);
		cJSON_Delete(sch);
		cJSON_Delete(keys);
		if (k < 0)
			goto fail;
	}
	if (listen_run(&r, stream, &err) < 0 || extract_out_ok(&r.out, &err) < 0)
		goto fail;
	goto done;
fail:
	ep_warn("%s", err.msg);
	status = err.code ? err.code : EP_SOFTWARE;
done:
	buf_release(&r.text);
	if (out_open)
		extract_out_free(&r.out);
	cfg_profile_free(p);
	ops_finish(status);
	return status;
}
