/*
 * load_bng.c - load's BNG target.  See load_bng.h.
 */
#include "connect/load_bng.h"

#include "stream/json.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "stream/json_tree.h"
#include "base/log.h"

struct load_bng {
	struct bng *b;
	const char *res, *idf;
	int per_record;
	int batch; /* 1 the endpoint answered, -1 it is not offered, 0 not tried */
	int conc;
	long requests;
	int64_t again_t0; /* the first round of load.h's lost answers */
};

/* one request of a per-record round */
struct preq {
	struct load_item *it;
	struct http_req req;
	struct http_resp resp;
	struct buf url;
	char *body;
	const char *hdrs[4];
	const char *auth;
	int tries, rc;
	int lost; /* a write whose answer was lost after it went out (http.h once) */
	struct ep_err err;
};

struct load_bng *
load_bng_new(const struct load_bng_cfg *cfg, struct ep_err *err)
{
	struct load_bng *lb = calloc(1, sizeof(*lb));
	const struct bng_resource *r = bng_resource_find(cfg->resource);

	if (lb == NULL) {
		ep_errf(err, EP_SOFTWARE, "out of memory");
		return NULL;
	}
	lb->b = cfg->bng;
	lb->res = cfg->resource;
	lb->idf = cfg->id_field ? cfg->id_field : r ? r->id : "id";
	lb->per_record = cfg->per_record;
	lb->conc = cfg->concurrency > 0 ? cfg->concurrency : 1;
	return lb;
}

void
load_bng_free(struct load_bng *lb)
{
	free(lb);
}

long
load_bng_requests(const struct load_bng *lb)
{
	return lb->requests;
}

int
load_bng_batched(const struct load_bng *lb)
{
	return lb->batch == 1;
}

/* ---- helpers ------------------------------------------------------------ */

static int
oom(struct load_error *e)
{
	return load_errf(e, EP_SOFTWARE, NULL, "out of memory");
}

static int
fatal(struct load_error *e, const struct ep_err *err)
{
	return load_errf(e, err->code ? err->code : EP_SOFTWARE, NULL, "%s", err->msg);
}

/* Reject it with BNG's error object (code, message, fields). */
static void
reject_with(struct load_item *it, const cJSON *error, long status)
{
	struct bng_error be;
	size_t i;

	if (bng_error_from_json(error, &be) < 0) {
		load_item_reject(it, NULL, "BNG answered %ld", status);
		return;
	}
	load_item_reject(it, be.code, "%s", *be.message ? be.message : "refused");
	for (i = 0; i < be.nfields; i++)
		load_item_field_error(it, be.fields[i].path, be.fields[i].message);
	bng_error_release(&be);
}

/* the text a key value has in a query, or NULL when it cannot be one */
static char *
query_value(const cJSON *v)
{
	char n[64];

	if (cJSON_IsString(v))
		return strdup(v->valuestring);
	if (cJSON_IsNumber(v)) {
		snprintf(n, sizeof(n), "%.17g", v->valuedouble);
		return strdup(n);
	}
	if (cJSON_IsBool(v))
		return strdup(cJSON_IsTrue(v) ? "true" : "false");
	return NULL;
}

static int
same_json(const cJSON *g, const cJSON *c)
{
	const cJSON *x, *y;

	if (cJSON_IsNumber(g) && cJSON_IsNumber(c))
		return g->valuedouble == c->valuedouble;
	if (cJSON_IsObject(g) && cJSON_IsObject(c)) {
		cJSON_ArrayForEach(x, g) {
			y = cJSON_GetObjectItemCaseSensitive(c, x->string);
			if (y == NULL ? !cJSON_IsNull(x) : !same_json(x, y))
				return 0;
		}
		return 1;
	}
	if (cJSON_IsArray(g) && cJSON_IsArray(c)) {
		if (cJSON_GetArraySize(g) != cJSON_GetArraySize(c))
			return 0;
		for (x = g->child, y = c->child; x && y; x = x->next, y = y->next)
			if (!same_json(x, y))
				return 0;
		return 1;
	}
	return json_tree_equal(g, c);
}

static int
bng_same(void *t, const struct load_item *it, const char *field, const cJSON *given,
         const cJSON *current)
{
	(void)t;
	(void)it;
	(void)field;
	return same_json(given, current);
}

/* The fields of rec that differ from cur (a new object), or NULL. */
static cJSON *
changes_of(const cJSON *rec, const cJSON *cur)
{
	cJSON *ch = cJSON_CreateObject(), *f, *d;

	if (ch == NULL)
		return NULL;
	for (f = rec->child; f; f = f->next) {
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(cur, f->string);

		if (c != NULL && same_json(f, c))
			continue;
		if ((d = cJSON_Duplicate(f, 1)) == NULL ||
		    !cJSON_AddItemToObject(ch, f->string, d)) {
			cJSON_Delete(d);
			cJSON_Delete(ch);
			return NULL;
		}
	}
	return ch;
}

/* ---- per-record requests -------------------------------------------------- */

static void
preq_free(struct preq *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		buf_release(&p[i].url);
		free(p[i].body);
		http_resp_release(&p[i].resp);
	}
	free(p);
}

static int
preq_submit(struct load_bng *lb, struct preq *q, struct ep_err *err)
{
	int k = 1;

	if ((q->auth = bng_auth_header(lb->b, err)) == NULL)
		return -1;
	q->hdrs[0] = "Accept: application/json";
	if (q->body)
		q->hdrs[k++] = "Content-Type: application/json";
	q->hdrs[k++] = q->auth;
	q->hdrs[k] = NULL;
	q->req.url = q->url.p;
	q->req.headers = q->hdrs;
	q->req.body = q->body;
	q->req.body_len = q->body ? strlen(q->body) : 0;
	q->req.once = q->req.method && strcmp(q->req.method, "GET") != 0; /* a write */
	q->lost = 0;
	lb->requests++;
	return http_submit(bng_http(lb->b), &q->req, &q->resp, q, err);
}

/* Send every request (up to the client's concurrency at once); a 401 is
 * sent once more with a new token.  A write whose answer was lost after it
 * went out is not sent again: q->lost (the caller marks its records).  -1
 * (fatal in e) when a request failed after its retries. */
static int
send_all(struct load_bng *lb, struct preq *p, size_t n, struct load_error *e)
{
	struct http_client *c = bng_http(lb->b);
	struct ep_err err = EP_ERR_INIT, first = EP_ERR_INIT;
	struct http_done d;
	size_t i;

	for (i = 0; i < n; i++) {
		http_resp_init(&p[i].resp);
		if (preq_submit(lb, &p[i], &err) < 0) {
			while (http_next(c, &d) == 1)
				;
			return fatal(e, &err);
		}
	}
	while (http_next(c, &d) == 1) {
		struct preq *q = d.udata;

		if (d.rc < 0) {
			if (q->resp.lost)
				q->lost = 1;
			else if (first.code == 0)
				first = d.err;
			continue;
		}
		if (q->resp.status == 401 && q->tries == 0 && first.code == 0) {
			q->tries = 1;
			bng_invalidate(lb->b, q->auth);
			if (preq_submit(lb, q, &err) < 0 && first.code == 0)
				first = err;
		}
	}
	if (first.code)
		return fatal(e, &first);
	return 0;
}

static struct preq *
preq_new(size_t n, struct load_error *e)
{
	struct preq *p = calloc(n ? n : 1, sizeof(*p));

	if (p == NULL)
		oom(e);
	return p;
}

static int
preq_set(struct load_bng *lb, struct preq *q, struct load_item *it, const char *method,
         const cJSON *body, int with_id)
{
	char idt[64] = "";

	q->it = it;
	q->req.method = method;
	if (with_id) {
		char *v = query_value(it->id);

		if (v == NULL)
			return -1;
		snprintf(idt, sizeof(idt), "/%s", v);
		free(v);
	}
	if (bng_url(lb->b, &q->url, lb->res, NULL) < 0 || buf_adds(&q->url, idt) < 0)
		return -1;
	if (body && (q->body = json_tree_print(body)) == NULL)
		return -1;
	return 0;
}

/* ---- check and lookup ----------------------------------------------------- */

static int
bng_check_item(void *t, struct load_item *it, struct load_error *e)
{
	struct load_bng *lb = t;

	(void)e;
	/* BNG assigns these; a record read from BNG loads back as it is */
	cJSON_DeleteItemFromObjectCaseSensitive(it->rec, lb->idf);
	cJSON_DeleteItemFromObjectCaseSensitive(it->rec, "CreatedAt");
	cJSON_DeleteItemFromObjectCaseSensitive(it->rec, "UpdatedAt");
	return 0;
}

/* Does rec match the key object? */
static int
key_matches(const cJSON *key, const cJSON *rec)
{
	const cJSON *k;

	cJSON_ArrayForEach(k, key) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, k->string);

		if (v == NULL || !same_json(k, v))
			return 0;
	}
	return 1;
}

/* Give each of its[0..n) the record of the answer matching its key (lookup),
 * or its id (rb: the readback, into it->stored). */
static int
match(struct load_bng *lb, struct load_item *const *its, size_t n, cJSON *items, int *found, int rb,
      struct load_error *e)
{
	cJSON *r;
	size_t i;

	cJSON_ArrayForEach(r, items) {
		for (i = 0; i < n; i++) {
			if (rb) {
				const cJSON *id = cJSON_GetObjectItemCaseSensitive(r, lb->idf);
				if (its[i]->stored == NULL && id && same_json(its[i]->id, id)) {
					/* a record read is one item's: its values move */
					if (load_item_stored(its[i], r, NULL, NULL) < 0)
						return oom(e);
					break;
				}
				continue;
			}
			if (its[i]->status == LOAD_REJECTED || !key_matches(its[i]->key, r))
				continue;
			if (found[i]++) {
				load_item_reject(its[i], NULL,
				                 "the key matches more than one %s record",
				                 lb->res);
				continue;
			}
			cJSON_Delete(its[i]->id);
			cJSON_Delete(its[i]->current);
			its[i]->id =
				cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(r, lb->idf), 1);
			its[i]->current = cJSON_Duplicate(r, 1);
			if (its[i]->id == NULL || its[i]->current == NULL)
				return oom(e);
		}
	}
	return 0;
}

/* GET the resource filtered by query; every page's items go to match(). */
static int
find(struct load_bng *lb, const char *query, struct load_item *const *its, size_t n, int *found,
     int rb, struct load_error *e)
{
	struct bng_list l = { 0 };
	struct bng_pager *p;
	struct ep_err err = EP_ERR_INIT;
	cJSON *items;
	int k, rc = 0;

	l.limit = 1000;
	l.query = query;
	if ((p = bng_pager_new(lb->b, lb->res, &l, &err)) == NULL)
		return fatal(e, &err);
	while (rc == 0 && (k = bng_pager_next(p, &items, &err)) == 1) {
		rc = match(lb, its, n, items, found, rb, e);
		cJSON_Delete(items);
	}
	lb->requests += bng_pager_pages(p);
	bng_pager_free(p);
	if (rc == 0 && k < 0)
		rc = fatal(e, &err);
	return rc;
}

/* a lookup request: the keys of its[from, to) */
struct chunk {
	size_t from, to;
	char *q;
};

/* The same with up to 100 chunks at once (up to the concurrency). */
static int
lookup_concurrent(struct load_bng *lb, struct chunk *ch, size_t nch, struct load_item *const *its,
                  int *found, int rb, struct load_error *e)
{
	struct preq *p = preq_new(nch, e);
	struct bng_list l = { 0 };
	size_t k, i;
	int rc = 0;

	if (p == NULL)
		return -1;
	for (k = 0; k < nch && rc == 0; k++) {
		p[k].req.method = "GET";
		if (bng_url(lb->b, &p[k].url, lb->res, NULL) < 0 ||
		    buf_addf(&p[k].url, "?limit=1000&%s", ch[k].q) < 0)
			rc = oom(e);
	}
	if (rc == 0)
		rc = send_all(lb, p, nch, e);
	for (k = 0; k < nch && rc == 0; k++) {
		struct ep_err err = EP_ERR_INIT;
		cJSON *items = NULL;
		char *next = NULL;

		if (bng_check(&p[k].resp, "GET", p[k].url.p, &err) < 0) {
			rc = fatal(e, &err);
			break;
		}
		if (json_check(buf_str(&p[k].resp.body), p[k].resp.body.len, NULL, NULL) ==
		    JSON_INVALID) {
			/* a malformed or cut answer: asked again, under the retry
			 * policy, by the pager */
			rc = find(lb, ch[k].q, its + ch[k].from, ch[k].to - ch[k].from,
			          found + ch[k].from, rb, e);
			continue;
		}
		if (bng_page_parse(&l, buf_str(&p[k].resp.body), p[k].resp.body.len, NULL, &items,
		                   &next, &err) < 0) {
			rc = fatal(e, &err);
			break;
		}
		rc = match(lb, its + ch[k].from, ch[k].to - ch[k].from, items, found + ch[k].from,
		           rb, e);
		cJSON_Delete(items);
		if (rc == 0 && next) {
			/* more than a page of matches: read them all again, in order */
			for (i = ch[k].from; i < ch[k].to; i++) {
				found[i] = 0;
				if (rb) {
					cJSON_Delete(its[i]->stored);
					its[i]->stored = NULL;
					continue;
				}
				cJSON_Delete(its[i]->id);
				cJSON_Delete(its[i]->current);
				its[i]->id = its[i]->current = NULL;
			}
			rc = find(lb, ch[k].q, its + ch[k].from, ch[k].to - ch[k].from,
			          found + ch[k].from, rb, e);
		}
		free(next);
	}
	preq_free(p, nch);
	return rc;
}

/* The list requests of ch[0..nch): one alone, more 100 at a time. */
static int
read_chunks(struct load_bng *lb, struct chunk *ch, size_t nch, struct load_item *const *its,
            int *found, int rb, struct load_error *e)
{
	int rc = 0;

	if (nch == 1)
		return find(lb, ch[0].q, its + ch[0].from, ch[0].to - ch[0].from,
		            found + ch[0].from, rb, e);
	for (size_t k = 0; rc == 0 && k < nch; k += 100)
		rc = lookup_concurrent(lb, ch + k, nch - k < 100 ? nch - k : 100, its, found, rb,
		                       e);
	return rc;
}

static int
bng_lookup(void *t, struct load_item *const *its, size_t n, struct load_error *e)
{
	struct load_bng *lb = t;
	struct buf q = BUF_INIT;
	struct chunk *ch;
	const char *field = NULL;
	int one_field = 1, rc = 0, *found;
	size_t i, from, nch = 0, k;

	if ((found = calloc(n ? n : 1, sizeof(*found))) == NULL ||
	    (ch = calloc(n ? n : 1, sizeof(*ch))) == NULL) {
		free(found);
		return oom(e);
	}
	for (i = 0; i < n; i++) {
		const cJSON *kf = its[i]->key->child;

		if (kf == NULL || kf->next != NULL || (field && strcmp(field, kf->string) != 0))
			one_field = 0;
		else
			field = kf->string;
	}
	/* one request per 100 keys of one field; else one per record */
	for (from = 0; rc == 0 && from < n;) {
		size_t to = one_field ? (from + 100 < n ? from + 100 : n) : from + 1;
		const cJSON *kf;

		buf_reset(&q);
		for (i = from; i < to && rc == 0; i++) {
			cJSON_ArrayForEach(kf, its[i]->key) {
				char *v = query_value(kf);

				if (v == NULL) {
					load_item_reject(its[i], NULL,
					                 "key field '%s': not a string, "
					                 "number or boolean",
					                 kf->string);
					break;
				}
				if ((q.len && buf_addc(&q, '&') < 0) ||
				    bng_query_escape(&q, kf->string) < 0 || buf_addc(&q, '=') < 0 ||
				    bng_query_escape(&q, v) < 0)
					rc = oom(e);
				free(v);
				if (rc)
					break;
			}
		}
		if (rc == 0 && q.len) {
			ch[nch].from = from;
			ch[nch].to = to;
			if ((ch[nch++].q = strdup(q.p)) == NULL)
				rc = oom(e);
		}
		from = to;
	}
	rc = rc ? rc : read_chunks(lb, ch, nch, its, found, 0, e);
	for (k = 0; k < nch; k++)
		free(ch[k].q);
	free(ch);
	buf_release(&q);
	free(found);
	return rc;
}

/* ---- readback ------------------------------------------------------------------ */

/*
 * What BNG kept: the records written, 100 ids to a list request (the
 * contract's equality filter on the id field, fields= the union of the
 * fields written), up to the concurrency at once; each item's it->stored
 * holds its written fields as read, null for a field the record lacks.
 */
static int
bng_readback(void *t, struct load_item *const *its, size_t n, struct load_error *e)
{
	struct load_bng *lb = t;
	struct buf q = BUF_INIT, names = BUF_INIT;
	struct chunk *ch = calloc(n ? (n + 99) / 100 : 1, sizeof(*ch));
	cJSON *seen = cJSON_CreateObject();
	int rc = 0, *found = calloc(n ? n : 1, sizeof(*found));
	size_t nch = 0, k;

	if (ch == NULL || seen == NULL || found == NULL)
		rc = oom(e);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const cJSON *f;
		cJSON_ArrayForEach(f, load_item_written(its[i])) {
			if (cJSON_HasObjectItem(seen, f->string))
				continue;
			if (!cJSON_AddTrueToObject(seen, f->string) ||
			    (names.len && buf_addc(&names, ',') < 0) ||
			    bng_query_escape(&names, f->string) < 0)
				rc = oom(e);
		}
	}
	for (size_t from = 0; rc == 0 && from < n; from += 100) {
		size_t to = from + 100 < n ? from + 100 : n;
		buf_reset(&q);
		for (size_t i = from; i < to && rc == 0; i++) {
			char *v = query_value(its[i]->id);
			if (v == NULL || (q.len && buf_addc(&q, '&') < 0) ||
			    bng_query_escape(&q, lb->idf) < 0 || buf_addc(&q, '=') < 0 ||
			    bng_query_escape(&q, v) < 0)
				rc = v ? oom(e)
				       : load_errf(e, EP_SOFTWARE, NULL,
				                   "%s: an id that is "
				                   "not a value",
				                   lb->res);
			free(v);
		}
		if (rc == 0 && names.len && buf_addf(&q, "&fields=%s", names.p) < 0)
			rc = oom(e);
		ch[nch].from = from;
		ch[nch].to = to;
		if (rc == 0 && (ch[nch++].q = strdup(buf_str(&q))) == NULL)
			rc = oom(e);
	}
	rc = rc ? rc : read_chunks(lb, ch, nch, its, found, 1, e);
	for (k = 0; ch && k < nch; k++)
		free(ch[k].q);
	free(ch);
	free(found);
	cJSON_Delete(seen);
	buf_release(&q);
	buf_release(&names);
	return rc;
}

/* ---- the batch endpoint ------------------------------------------------------ */

/* A 2xx answer to a write that is not JSON, or not the answer it should be
 * (cut, garbage): the write may have been applied.  Such items are "lost"
 * (load_item_lost): load reads them again by key before writing them again. */
static int
answer_ok(const struct http_resp *r)
{
	return json_check(buf_str(&r->body), r->body.len, NULL, NULL) != JSON_INVALID;
}

/* POST /R/batch with items; *results the answer's array (yours) or NULL
 * when the endpoint is not offered, or *lost set when the answer was
 * malformed.  -1 fatal. */
static int
post_batch(struct load_bng *lb, cJSON *items, cJSON **results, int *lost, struct load_error *e)
{
	struct buf url = BUF_INIT;
	struct http_resp r;
	struct ep_err err = EP_ERR_INIT;
	cJSON *body = cJSON_CreateObject(), *j = NULL, *res;
	char *text = NULL;
	int rc = -1;

	*results = NULL;
	*lost = 0;
	http_resp_init(&r);
	if (body == NULL || !cJSON_AddItemReferenceToObject(body, "items", items) ||
	    (text = json_tree_print(body)) == NULL || bng_url(lb->b, &url, lb->res, NULL) < 0 ||
	    buf_adds(&url, "/batch") < 0) {
		rc = oom(e);
		goto out;
	}
	lb->requests++;
	if (bng_do(lb->b, "POST", url.p, text, strlen(text), &r, &err) < 0) {
		if (r.lost) { /* applied or not: read again */
			ep_info(1, "%s", err.msg);
			*lost = 1;
			rc = 0;
		} else
			rc = fatal(e, &err);
		goto out;
	}
	if ((r.status == 404 || r.status == 405) && lb->batch == 0) {
		ep_info(1, "no batch endpoint at %s (HTTP %ld): one request per record", url.p,
		        r.status);
		lb->batch = -1;
		rc = 0;
		goto out;
	}
	if (bng_check(&r, "POST", url.p, &err) < 0) {
		rc = fatal(e, &err);
		goto out;
	}
	j = cJSON_ParseWithLength(buf_str(&r.body), r.body.len);
	res = cJSON_GetObjectItemCaseSensitive(j, "results");
	if (!answer_ok(&r)) {
		ep_info(1, "POST %s: a malformed answer (%zu bytes)", url.p, r.body.len);
		lb->batch = 1; /* it answered 2xx: the endpoint is there */
		*lost = 1;
		rc = 0;
		goto out;
	}
	if (!cJSON_IsArray(res) || cJSON_GetArraySize(res) != cJSON_GetArraySize(items)) {
		rc = load_errf(e, EP_UNAVAILABLE, NULL,
		               "POST %s: the answer has no result per item", url.p);
		goto out;
	}
	lb->batch = 1;
	*results = cJSON_DetachItemViaPointer(j, res);
	rc = 0;
out:
	cJSON_Delete(j);
	cJSON_Delete(body);
	free(text);
	buf_release(&url);
	http_resp_release(&r);
	return rc;
}

/* one operation for the batch */
static cJSON *
batch_item(const char *op, const cJSON *id, const cJSON *data)
{
	cJSON *o = cJSON_CreateObject(), *d;

	if (o == NULL || !cJSON_AddStringToObject(o, "op", op))
		goto fail;
	if (id && ((d = cJSON_Duplicate(id, 1)) == NULL || !cJSON_AddItemToObject(o, "id", d)))
		goto fail;
	if (data &&
	    ((d = cJSON_Duplicate(data, 1)) == NULL || !cJSON_AddItemToObject(o, "data", d)))
		goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

/* ---- the writes ----------------------------------------------------------------- */

enum wop { W_CREATE, W_UPDATE, W_REMOVE };

/* it's write (op) was answered with a malformed or cut body */
static void
lost_item(enum wop op, struct load_item *it)
{
	load_item_lost(it, op == W_CREATE   ? LOAD_CREATED
	                   : op == W_UPDATE ? LOAD_UPDATED
	                                    : LOAD_DELETED);
}

static int resolve_conflicts(struct load_bng *lb, struct load_item **its, cJSON **errors, size_t n,
                             struct load_error *e);

/* Settle one item from its status and answer (data or error). */
static void
settle(struct load_bng *lb, enum wop op, struct load_item *it, long status, const cJSON *data,
       const cJSON *id, const cJSON *error, struct load_item **conflicts, cJSON **cerr, size_t *nc)
{
	if (status >= 200 && status <= 299) {
		if (op == W_CREATE) {
			const cJSON *v = id ? id : cJSON_GetObjectItemCaseSensitive(data, lb->idf);

			cJSON_Delete(it->id);
			it->id = v ? cJSON_Duplicate(v, 1) : NULL;
		}
		return;
	}
	if (op == W_REMOVE && status == 404)
		return; /* gone already */
	if (op == W_CREATE && status == 409 && it->op == LOAD_UPSERT && it->key) {
		conflicts[*nc] = it;
		cerr[(*nc)++] = error ? cJSON_Duplicate(error, 1) : NULL;
		return;
	}
	if (op == W_UPDATE && status == 404) {
		load_item_reject(it, "not_found", "the %s record was deleted in BNG meanwhile",
		                 lb->res);
		return;
	}
	reject_with(it, error, status);
}

static int
is_fatal_status(long s)
{
	return s == 401 || s == 403 || s == 429 || s >= 500 || s < 200;
}

static int
write_per_record(struct load_bng *lb, enum wop op, struct load_item *const *its, size_t n,
                 struct load_item **conflicts, cJSON **cerr, size_t *nc, struct load_error *e)
{
	static const char *const methods[] = { "POST", "PATCH", "DELETE" };
	struct preq *p = preq_new(n, e);
	size_t i;
	int rc = 0;

	if (p == NULL)
		return -1;
	for (i = 0; i < n && rc == 0; i++)
		if (preq_set(lb, &p[i], its[i], methods[op],
		             op == W_CREATE   ? its[i]->rec
		             : op == W_UPDATE ? its[i]->changes
		                              : NULL,
		             op != W_CREATE) < 0)
			rc = oom(e);
	if (rc == 0)
		rc = send_all(lb, p, n, e);
	for (i = 0; i < n && rc == 0; i++) {
		struct preq *q = &p[i];
		cJSON *j = cJSON_ParseWithLength(buf_str(&q->resp.body), q->resp.body.len);

		if (q->lost)
			lost_item(op, q->it); /* applied or not: read it again */
		else if (is_fatal_status(q->resp.status) &&
		         !(op == W_REMOVE && q->resp.status == 404)) {
			struct ep_err err = EP_ERR_INIT;

			bng_check(&q->resp, methods[op], q->url.p, &err);
			rc = fatal(e, &err);
		} else if (q->resp.status >= 200 && q->resp.status <= 299 && !answer_ok(&q->resp))
			lost_item(op, q->it); /* applied or not: read it again */
		else
			settle(lb, op, q->it, q->resp.status, j, NULL,
			       cJSON_GetObjectItemCaseSensitive(j, "error"), conflicts, cerr, nc);
		cJSON_Delete(j);
	}
	preq_free(p, n);
	return rc;
}

/* The batch items of its[from, to) for op. */
static cJSON *
chunk_items(enum wop op, struct load_item *const *its, size_t from, size_t to)
{
	static const char *const ops[] = { "create", "update", "delete" };
	cJSON *items = cJSON_CreateArray(), *bi;
	size_t i;

	for (i = from; items && i < to; i++) {
		bi = batch_item(ops[op], op == W_CREATE ? NULL : its[i]->id,
		                op == W_CREATE   ? its[i]->rec
		                : op == W_UPDATE ? its[i]->changes
		                                 : NULL);
		if (bi == NULL) {
			cJSON_Delete(items);
			return NULL;
		}
		cJSON_AddItemToArray(items, bi);
	}
	return items;
}

/* Settle its[0..) from a batch answer's results (in item order). */
static int
settle_results(struct load_bng *lb, enum wop op, struct load_item *const *its, const cJSON *results,
               struct load_item **conflicts, cJSON **cerr, size_t *nc, struct load_error *e)
{
	const cJSON *r;
	size_t i = 0;

	cJSON_ArrayForEach(r, results) {
		const cJSON *st = cJSON_GetObjectItemCaseSensitive(r, "status");
		long s = cJSON_IsNumber(st) ? (long)st->valuedouble : 0;

		if (is_fatal_status(s)) {
			cJSON *er = cJSON_GetObjectItemCaseSensitive(r, "error");
			const cJSON *m = cJSON_GetObjectItemCaseSensitive(er, "message");

			return load_errf(e, s == 401 || s == 403 ? EP_NOPERM : EP_UNAVAILABLE, NULL,
			                 "%s/batch item %zu: HTTP %ld %s", lb->res, i, s,
			                 cJSON_IsString(m) ? m->valuestring : "");
		}
		settle(lb, op, its[i], s, cJSON_GetObjectItemCaseSensitive(r, "data"),
		       cJSON_GetObjectItemCaseSensitive(r, "id"),
		       cJSON_GetObjectItemCaseSensitive(r, "error"), conflicts, cerr, nc);
		i++;
	}
	return 0;
}

/* Every chunk of 100 of its[0..n) at once (up to the concurrency), once
 * the endpoint is known to be there. */
static int
batch_concurrent(struct load_bng *lb, enum wop op, struct load_item *const *its, size_t n,
                 struct load_item **conflicts, cJSON **cerr, size_t *nc, struct load_error *e)
{
	size_t nch = (n + LOAD_BNG_BATCH_MAX - 1) / LOAD_BNG_BATCH_MAX, k;
	struct preq *p = preq_new(nch, e);
	int rc = 0;

	if (p == NULL)
		return -1;
	for (k = 0; k < nch && rc == 0; k++) {
		size_t from = k * LOAD_BNG_BATCH_MAX;
		size_t to = from + LOAD_BNG_BATCH_MAX < n ? from + LOAD_BNG_BATCH_MAX : n;
		cJSON *body = cJSON_CreateObject(), *items = chunk_items(op, its, from, to);

		p[k].req.method = "POST";
		if (body == NULL || items == NULL || !cJSON_AddItemToObject(body, "items", items) ||
		    (p[k].body = json_tree_print(body)) == NULL ||
		    bng_url(lb->b, &p[k].url, lb->res, NULL) < 0 ||
		    buf_adds(&p[k].url, "/batch") < 0) {
			if (items && !cJSON_GetObjectItemCaseSensitive(body, "items"))
				cJSON_Delete(items);
			rc = oom(e);
		}
		cJSON_Delete(body);
	}
	if (rc == 0)
		rc = send_all(lb, p, nch, e);
	for (k = 0; k < nch && rc == 0; k++) {
		struct ep_err err = EP_ERR_INIT;
		cJSON *j, *res;

		if (!p[k].lost && bng_check(&p[k].resp, "POST", p[k].url.p, &err) < 0) {
			rc = fatal(e, &err);
			break;
		}
		if (p[k].lost || !answer_ok(&p[k].resp)) {
			size_t from = k * LOAD_BNG_BATCH_MAX,
			       to = from + LOAD_BNG_BATCH_MAX < n ? from + LOAD_BNG_BATCH_MAX : n;
			ep_info(1, "POST %s: a malformed answer (%zu bytes)", p[k].url.p,
			        p[k].resp.body.len);
			for (size_t i = from; i < to; i++)
				lost_item(op, its[i]);
			continue;
		}
		j = cJSON_ParseWithLength(buf_str(&p[k].resp.body), p[k].resp.body.len);
		res = cJSON_GetObjectItemCaseSensitive(j, "results");
		if (!cJSON_IsArray(res) ||
		    (size_t)cJSON_GetArraySize(res) != ((k + 1) * LOAD_BNG_BATCH_MAX < n
		                                                ? LOAD_BNG_BATCH_MAX
		                                                : n - k * LOAD_BNG_BATCH_MAX))
			rc = load_errf(e, EP_UNAVAILABLE, NULL,
			               "POST %s: the answer has no result per item", p[k].url.p);
		else
			rc = settle_results(lb, op, its + k * LOAD_BNG_BATCH_MAX, res, conflicts,
			                    cerr, nc, e);
		cJSON_Delete(j);
	}
	preq_free(p, nch);
	return rc;
}

/* The writes of op for its[0..n).  A write whose 2xx answer was malformed
 * or cut may have been applied: its item is marked lost (load.h: the
 * machinery reads it again by key before writing it again), so none is
 * written twice and none is left without its outcome. */
static int
bwrite(struct load_bng *lb, enum wop op, struct load_item *const *its, size_t n,
       struct load_error *e)
{
	struct load_item **conflicts = NULL;
	cJSON **cerr = NULL;
	size_t from = 0, nc = 0, i;
	int rc = 0;

	if (n == 0)
		return 0;
	if ((conflicts = calloc(n, sizeof(*conflicts))) == NULL ||
	    (cerr = calloc(n, sizeof(*cerr))) == NULL) {
		free(conflicts);
		return oom(e);
	}
	while (rc == 0 && from < n) {
		size_t to = from + LOAD_BNG_BATCH_MAX < n ? from + LOAD_BNG_BATCH_MAX : n;
		cJSON *items, *results = NULL;
		int chunk_lost = 0;

		if (lb->per_record || lb->batch < 0) {
			rc = write_per_record(lb, op, its + from, n - from, conflicts, cerr, &nc,
			                      e);
			break;
		}
		if (lb->batch > 0) {
			rc = batch_concurrent(lb, op, its + from, n - from, conflicts, cerr, &nc,
			                      e);
			break;
		}
		/* the first request tells whether the endpoint is there */
		if ((items = chunk_items(op, its, from, to)) == NULL) {
			rc = oom(e);
			break;
		}
		rc = post_batch(lb, items, &results, &chunk_lost, e);
		cJSON_Delete(items);
		if (rc < 0)
			break;
		if (chunk_lost) {
			for (i = from; i < to; i++)
				lost_item(op, its[i]);
			from = to;
			continue;
		}
		if (results == NULL)
			continue; /* not offered: per record from here */
		rc = settle_results(lb, op, its + from, results, conflicts, cerr, &nc, e);
		cJSON_Delete(results);
		from = to;
	}
	if (rc == 0 && nc)
		rc = resolve_conflicts(lb, conflicts, cerr, nc, e);
	for (i = 0; i < nc; i++)
		cJSON_Delete(cerr[i]);
	free(cerr);
	free(conflicts);
	return rc;
}

/* Does cur (the record holding a field it conflicted on) belong to another
 * key: a member of it's key set to another value there?  Then it is not
 * this record, and updating it would overwrite someone else's. */
static int
owned_by_another(const struct load_item *it, const cJSON *cur)
{
	for (const cJSON *k = it->key ? it->key->child : NULL; k; k = k->next) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(cur, k->string);
		if (v && !cJSON_IsNull(v) && !json_tree_equal(k, v))
			return 1;
	}
	return 0;
}

/* A create answered 409: the key (or a unique field) is taken.  Read the
 * record holding it, then update it where it differs, unless it holds
 * another key (a unique field such as OrderNo or Sku taken by another
 * record): a reject with BNG's message. */
static int
resolve_conflicts(struct load_bng *lb, struct load_item **its, cJSON **errors, size_t n,
                  struct load_error *e)
{
	struct load_item **upd = calloc(n, sizeof(*upd));
	struct http_resp r;
	struct ep_err err = EP_ERR_INIT;
	struct buf url = BUF_INIT;
	size_t i, nu = 0;
	int rc = 0;

	if (upd == NULL)
		return oom(e);
	http_resp_init(&r);
	for (i = 0; i < n && rc == 0; i++) {
		struct load_item *it = its[i];
		const cJSON *ex = cJSON_GetObjectItemCaseSensitive(errors[i], "existing_id");
		cJSON *cur = NULL, *ch;

		if (cJSON_IsNumber(ex)) {
			buf_reset(&url);
			bng_url(lb->b, &url, lb->res, NULL);
			buf_addf(&url, "/%.17g", ex->valuedouble);
			lb->requests++;
			ep_err_clear(&err);
			if (bng_get_json(lb->b, url.p, &r, &err) == 0)
				cur = cJSON_ParseWithLength(buf_str(&r.body), r.body.len);
			else if (err.code != EP_NOINPUT) { /* gone meanwhile: a reject */
				rc = fatal(e, &err);
				break;
			}
		} else if (it->key) {
			cJSON_Delete(it->current);
			it->current = NULL;
			if ((rc = bng_lookup(lb, &it, 1, e)) < 0)
				break;
			cur = it->current ? cJSON_Duplicate(it->current, 1) : NULL;
		}
		if (!cJSON_IsObject(cur) || owned_by_another(it, cur)) {
			cJSON_Delete(cur);
			reject_with(it, errors[i], 409);
			continue;
		}
		ep_info(2, "%s: a 409 on create, updating %s %.17g instead", lb->res, lb->idf,
		        cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(cur, lb->idf)));
		cJSON_Delete(it->id);
		it->id = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(cur, lb->idf), 1);
		cJSON_Delete(it->current);
		it->current = cur;
		if ((ch = changes_of(it->rec, cur)) == NULL) {
			rc = oom(e);
			break;
		}
		cJSON_Delete(it->changes);
		it->changes = ch;
		if (ch->child == NULL)
			it->status = LOAD_UNCHANGED;
		else
			upd[nu++] = it;
	}
	if (rc == 0 && nu) {
		rc = bwrite(lb, W_UPDATE, upd, nu, e);
		for (i = 0; i < nu; i++)
			if (upd[i]->status == LOAD_PENDING && !upd[i]->lost)
				upd[i]->status = LOAD_UPDATED;
	}
	buf_release(&url);
	http_resp_release(&r);
	free(upd);
	return rc;
}

static int
bng_create(void *t, struct load_item *const *its, size_t n, struct load_error *e)
{
	return bwrite(t, W_CREATE, its, n, e);
}

static int
bng_update(void *t, struct load_item *const *its, size_t n, struct load_error *e)
{
	return bwrite(t, W_UPDATE, its, n, e);
}

static int
bng_remove(void *t, struct load_item *const *its, size_t n, struct load_error *e)
{
	return bwrite(t, W_REMOVE, its, n, e);
}

static int
bng_again_t(void *t, int attempt, struct ep_err *err)
{
	struct load_bng *lb = t;

	if (attempt == 0)
		lb->again_t0 = bng_now_ms(lb->b);
	return bng_again(lb->b, attempt, lb->again_t0, err);
}

const struct load_target load_bng_target = {
	"bng",      bng_check_item, NULL, bng_lookup, bng_same,     bng_create,  bng_update,
	bng_remove, NULL,           NULL, NULL,       bng_readback, bng_again_t, NULL,
};
