/*
 * extract_odoo.c - Odoo as an extraction source (lib/connect/extract_run):
 * odoo-extract(1).
 *
 * Full reads page by id (keyset: id > last, order id), never by a growing
 * offset.  Incremental reads (--since, --state, --follow) page by
 * (write_date, id) from the mark minus the --overlap window, compare with
 * >=, and drop pairs already emitted in this run; with --state or --follow
 * a checkpoint line follows the records of each page.  --concurrency N > 1
 * splits each page in two requests: a cheap search for the page's keys,
 * then a read of its records, N reads in flight while the next keys are
 * searched; pages are still written in order.
 */
#include "connect/extract_odoo.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/stop.h"
#include "base/buf.h"
#include "base/cfg.h"
#include "base/fields.h"
#include "base/err.h"
#include "base/hash.h"
#include "base/log.h"
#include "base/ops.h"
#include "connect/extract_run.h"
#include "net/conn.h"
#include "proto/odoo.h"
#include "stream/json_tree.h"

#define MAX_EXPAND EXTRACT_ODOO_MAX_EXPAND

struct expand {
	const char *field;
	const char *sub; /* FIELD:LIST's LIST, or NULL */
	int m2o;         /* a many2one: one record, not a list */
	const char *relation;
	cJSON *fields; /* fields read on the comodel */
	cJSON *finfo;  /* its fields_get */
};

struct page {
	cJSON *keys;    /* [[id, write_date], ...] or [id, ...] */
	cJSON *records; /* once read */
	struct odoo_call *call;
	int done;
	struct page *next;
};

struct x {
	struct extract_cfg *xc; /* conn_profile fills xc->conn's defaults */
	struct extract_run *r;
	const char *model;
	const char *fields_arg, *order;
	int with_archived, list_models, ids_only;
	enum extract_m2o m2o;
	struct expand exp[MAX_EXPAND];
	int nexp;
	const cJSON *xmlids; /* --xmlids: the modules, or NULL */
	enum odoo_proto proto;
	int concurrency;

	struct cfg_profile *profile;
	struct odoo *odoo;
	cJSON *finfo;  /* fields_get of the model */
	cJSON *fields; /* the fields to read */
	int drop_wd;   /* write_date read for the keyset, not asked for */
	cJSON *domain; /* the user's, or [] */
	int incremental, checkpoints;
	int64_t shard_lo, shard_hi;
	int sharded;
	char start[DT_TS_LEN]; /* incremental: write_date >= start */
	char mark_wd[DT_TS_LEN];
	char pruned_at[DT_TS_LEN];
	double mark_id;
	int have_mark;
	long requests;
	struct page *head, *tail;
	int npages;
	struct odoo_err err;
	char *pbuf; /* pb's bytes: the last record printed */
	struct buf pb;
};

/* ---- small helpers ------------------------------------------------------ */

/* the run's first failure: printed, its status kept; -1 */
#define fail(x, code, ...) extract_fail((x)->r, (code), __VA_ARGS__)

static int
fail_odoo(struct x *x, const struct odoo_err *e)
{
	/* per-call errors (a bad domain, an unknown field) stop an extract too */
	return fail(x, e->e.code ? e->e.code : EP_SOFTWARE, "%s", e->e.msg);
}

static cJSON *
kwargs(struct x *x)
{
	cJSON *k = cJSON_CreateObject();

	if (x->with_archived) {
		cJSON *c = cJSON_AddObjectToObject(k, "context");

		cJSON_AddFalseToObject(c, "active_test");
	}
	return k;
}

/* A sync call; NULL after fail(). Takes args and kw. */
static cJSON *
call(struct x *x, const char *model, const char *method, cJSON *args, cJSON *kw)
{
	cJSON *r = odoo_call(x->odoo, model, method, args, kw, &x->err);

	x->requests++;
	cJSON_Delete(args);
	cJSON_Delete(kw);
	if (r == NULL)
		fail_odoo(x, &x->err);
	return r;
}

static cJSON *
leaf(const char *field, const char *op, cJSON *v)
{
	cJSON *l = cJSON_CreateArray();

	cJSON_AddItemToArray(l, cJSON_CreateString(field));
	cJSON_AddItemToArray(l, cJSON_CreateString(op));
	cJSON_AddItemToArray(l, v);
	return l;
}

/* The user's domain plus our leaves (implicit AND). */
static cJSON *
domain_with(struct x *x, int incremental, const char *after_wd, double after_id)
{
	cJSON *d = cJSON_Duplicate(x->domain, 1);

	if (x->sharded) {
		if (x->shard_lo != INT64_MIN)
			cJSON_AddItemToArray(
				d, leaf("id", ">=", cJSON_CreateNumber((double)x->shard_lo)));
		if (x->shard_hi != INT64_MAX)
			cJSON_AddItemToArray(
				d, leaf("id", "<=", cJSON_CreateNumber((double)x->shard_hi)));
	}
	if (incremental && x->start[0])
		cJSON_AddItemToArray(d, leaf("write_date", ">=", cJSON_CreateString(x->start)));
	if (incremental && after_wd) {
		/* (write_date, id) > (W, I) */
		cJSON_AddItemToArray(d, cJSON_CreateString("|"));
		cJSON_AddItemToArray(d, leaf("write_date", ">", cJSON_CreateString(after_wd)));
		cJSON_AddItemToArray(d, cJSON_CreateString("&"));
		cJSON_AddItemToArray(d, leaf("write_date", "=", cJSON_CreateString(after_wd)));
		cJSON_AddItemToArray(d, leaf("id", ">", cJSON_CreateNumber(after_id)));
	} else if (!incremental && after_id > 0) {
		cJSON_AddItemToArray(d, leaf("id", ">", cJSON_CreateNumber(after_id)));
	}
	return d;
}

static const cJSON *
finfo_of(const cJSON *finfo, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(finfo, name);
}

static const char *
ftype(const cJSON *finfo, const char *name)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(finfo_of(finfo, name), "type");

	return cJSON_IsString(t) ? t->valuestring : "";
}

/* Every stored non-binary field, in fields_get's order. */
static cJSON *
default_fields(const cJSON *finfo)
{
	const cJSON *f, *st;
	cJSON *out = cJSON_CreateArray();

	cJSON_ArrayForEach(f, finfo) {
		st = cJSON_GetObjectItemCaseSensitive(f, "store");
		if (!cJSON_IsTrue(st) || strcmp(ftype(finfo, f->string), "binary") == 0)
			continue;
		cJSON_AddItemToArray(out, cJSON_CreateString(f->string));
	}
	return out;
}

static cJSON *
fields_get(struct x *x, const char *model)
{
	cJSON *kw = cJSON_CreateObject();

	cJSON_AddItemToObject(kw, "attributes",
	                      cJSON_Parse("[\"type\",\"string\",\"relation\",\"required\","
	                                  "\"readonly\",\"store\",\"selection\"]"));
	return call(x, model, "fields_get", NULL, kw);
}

/* ---- records ------------------------------------------------------------ */

static void
m2o_convert(struct x *x, cJSON *rec, const cJSON *finfo)
{
	cJSON *v, *n;

	if (x->m2o == EXTRACT_M2O_PAIR)
		return;
	cJSON_ArrayForEach(v, rec) {
		if (strcmp(ftype(finfo, v->string), "many2one") != 0 || !cJSON_IsArray(v) ||
		    cJSON_GetArraySize(v) < 2)
			continue;
		switch (x->m2o) {
		case EXTRACT_M2O_ID:
			n = cJSON_Duplicate(cJSON_GetArrayItem(v, 0), 1);
			break;
		case EXTRACT_M2O_NAME:
			n = cJSON_Duplicate(cJSON_GetArrayItem(v, 1), 1);
			break;
		default:
			n = cJSON_CreateObject();
			cJSON_AddItemToObject(n, "id",
			                      cJSON_Duplicate(cJSON_GetArrayItem(v, 0), 1));
			cJSON_AddItemToObject(n, "name",
			                      cJSON_Duplicate(cJSON_GetArrayItem(v, 1), 1));
			break;
		}
		n->string = v->string; /* the key moves to the new value */
		v->string = NULL;
		cJSON_ReplaceItemViaPointer(rec, v, n);
		v = n;
	}
}

/* id -> record, for --expand: a sorted array searched by bisection */
struct byid {
	double id;
	cJSON *rec;
};

static int
cmp_byid(const void *a, const void *b)
{
	double x = ((const struct byid *)a)->id, y = ((const struct byid *)b)->id;

	return x < y ? -1 : x > y;
}

/* the ids a record's FIELD names: a many2one's [id, name] gives one */
static void
expand_ids(const struct expand *e, const cJSON *v, cJSON *ids)
{
	const cJSON *l;

	if (e->m2o) {
		if (cJSON_IsArray(v) && cJSON_IsNumber(cJSON_GetArrayItem(v, 0)))
			cJSON_AddItemToArray(ids, cJSON_Duplicate(cJSON_GetArrayItem(v, 0), 0));
		return;
	}
	cJSON_ArrayForEach(l, v) {
		if (cJSON_IsNumber(l))
			cJSON_AddItemToArray(ids, cJSON_Duplicate(l, 0));
	}
}

/* ids without repeats (a partner named by many invoices is read once),
 * sorted as the id table is */
static cJSON *
unique_ids(cJSON *ids)
{
	int n = cJSON_GetArraySize(ids), i, k = 0;
	struct byid *v = calloc(n ? (size_t)n : 1, sizeof(*v));
	const cJSON *l;
	cJSON *out = cJSON_CreateArray();

	cJSON_ArrayForEach(l, ids)
		v[k++].id = l->valuedouble;
	qsort(v, (size_t)n, sizeof(*v), cmp_byid);
	for (i = 0; i < n; i++)
		if (i == 0 || v[i].id != v[i - 1].id)
			cJSON_AddItemToArray(out, cJSON_CreateNumber(v[i].id));
	free(v);
	cJSON_Delete(ids);
	return out;
}

/* --xmlids: every record of a page of model gets "xmlids", its external
 * ids (ir.model.data keeps several per record, one module per system that
 * knows it) in the modules named, as "module.name" in the order they were
 * made; [] when it has none.  One search_read per page. */
struct xmlid_row {
	double res_id;
	int order;
	const cJSON *row;
};

static int
cmp_xmlid_row(const void *a, const void *b)
{
	const struct xmlid_row *x = a, *y = b;

	if (x->res_id != y->res_id)
		return x->res_id < y->res_id ? -1 : 1;
	return (x->order > y->order) - (x->order < y->order);
}

static int
add_xmlids(struct x *x, const char *model, cJSON *records)
{
	cJSON *ids, *dom, *args, *kw, *rows = NULL, *rec, *l;
	struct xmlid_row *tab = NULL;
	size_t n = 0, i, lo;

	if (x->xmlids == NULL)
		return 0;
	if ((ids = cJSON_CreateArray()) == NULL)
		return fail(x, EP_SOFTWARE, "out of memory");
	cJSON_ArrayForEach(rec, records) {
		l = cJSON_GetObjectItemCaseSensitive(rec, "id");
		if (cJSON_IsNumber(l))
			cJSON_AddItemToArray(ids, cJSON_Duplicate(l, 0));
	}
	if (cJSON_GetArraySize(ids) == 0) {
		cJSON_Delete(ids);
		return 0;
	}
	dom = cJSON_CreateArray();
	cJSON_AddItemToArray(dom, leaf("model", "=", cJSON_CreateString(model)));
	cJSON_AddItemToArray(dom, leaf("res_id", "in", ids));
	cJSON_AddItemToArray(dom, leaf("module", "in", cJSON_Duplicate(x->xmlids, 1)));
	args = cJSON_CreateArray();
	cJSON_AddItemToArray(args, dom);
	kw = cJSON_CreateObject();
	cJSON_AddItemToObject(
		kw, "fields",
		cJSON_CreateStringArray((const char *const[]){ "module", "name", "res_id" }, 3));
	cJSON_AddStringToObject(kw, "order", "id");
	if ((rows = call(x, "ir.model.data", "search_read", args, kw)) == NULL)
		return -1;
	n = (size_t)cJSON_GetArraySize(rows);
	if ((tab = calloc(n ? n : 1, sizeof(*tab))) == NULL) {
		cJSON_Delete(rows);
		return fail(x, EP_SOFTWARE, "out of memory");
	}
	i = 0;
	cJSON_ArrayForEach(l, rows) {
		tab[i].res_id = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(l, "res_id"));
		tab[i].order = (int)i;
		tab[i].row = l;
		i++;
	}
	qsort(tab, n, sizeof(*tab), cmp_xmlid_row);
	cJSON_ArrayForEach(rec, records) {
		cJSON *list = cJSON_CreateArray();
		double id = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(rec, "id"));

		/* the first row of this id, by bisection */
		size_t a = 0, b = n;
		while (a < b) {
			size_t m = a + (b - a) / 2;
			if (tab[m].res_id < id)
				a = m + 1;
			else
				b = m;
		}
		for (lo = a; lo < n && tab[lo].res_id == id; lo++) {
			const cJSON *mod = cJSON_GetObjectItemCaseSensitive(tab[lo].row, "module");
			const cJSON *nm = cJSON_GetObjectItemCaseSensitive(tab[lo].row, "name");
			size_t len;
			char *xid;

			if (!cJSON_IsString(mod) || !cJSON_IsString(nm))
				continue;
			len = strlen(mod->valuestring) + strlen(nm->valuestring) + 2;
			if ((xid = malloc(len)) != NULL)
				snprintf(xid, len, "%s.%s", mod->valuestring, nm->valuestring);
			if (xid == NULL) {
				cJSON_Delete(list);
				free(tab);
				cJSON_Delete(rows);
				return fail(x, EP_SOFTWARE, "out of memory");
			}
			cJSON_AddItemToArray(list, cJSON_CreateString(xid));
			free(xid);
		}
		cJSON_DeleteItemFromObjectCaseSensitive(rec, "xmlids");
		cJSON_AddItemToObject(rec, "xmlids", list);
	}
	free(tab);
	cJSON_Delete(rows);
	return 0;
}

/* Inline FIELD's records into every record of the page: one read. */
static int
expand_page(struct x *x, struct expand *e, cJSON *records)
{
	cJSON *ids = cJSON_CreateArray(), *rec, *v, *args, *kw, *lines, *l;
	struct byid *tab = NULL, key, *hit;
	size_t n = 0, i;

	cJSON_ArrayForEach(rec, records) {
		expand_ids(e, cJSON_GetObjectItemCaseSensitive(rec, e->field), ids);
	}
	if (cJSON_GetArraySize(ids) == 0) {
		cJSON_Delete(ids);
		lines = cJSON_CreateArray();
	} else {
		args = cJSON_CreateArray();
		cJSON_AddItemToArray(args, unique_ids(ids));
		kw = kwargs(x);
		cJSON_AddItemToObject(kw, "fields", cJSON_Duplicate(e->fields, 1));
		if ((lines = call(x, e->relation, "read", args, kw)) == NULL)
			return -1;
		if (add_xmlids(x, e->relation, lines) < 0) {
			cJSON_Delete(lines);
			return -1;
		}
	}
	n = (size_t)cJSON_GetArraySize(lines);
	tab = calloc(n ? n : 1, sizeof(*tab));
	i = 0;
	cJSON_ArrayForEach(l, lines) {
		m2o_convert(x, l, e->finfo);
		tab[i].id = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(l, "id"));
		tab[i].rec = l;
		i++;
	}
	qsort(tab, n, sizeof(*tab), cmp_byid);
	cJSON_ArrayForEach(rec, records) {
		cJSON *nv;

		v = cJSON_GetObjectItemCaseSensitive(rec, e->field);
		if (e->m2o) {
			/* false stays false; a record gone between the reads (or out
			 * of reach) keeps what the first read said, as an object */
			if (!cJSON_IsArray(v) || !cJSON_IsNumber(cJSON_GetArrayItem(v, 0)))
				continue;
			key.id = cJSON_GetArrayItem(v, 0)->valuedouble;
			hit = bsearch(&key, tab, n, sizeof(*tab), cmp_byid);
			if (hit) {
				nv = cJSON_Duplicate(hit->rec, 1);
			} else {
				nv = cJSON_CreateObject();
				cJSON_AddItemToObject(nv, "id",
				                      cJSON_Duplicate(cJSON_GetArrayItem(v, 0), 0));
				cJSON_AddItemToObject(nv, "name",
				                      cJSON_Duplicate(cJSON_GetArrayItem(v, 1), 0));
			}
		} else {
			nv = cJSON_CreateArray();
			cJSON_ArrayForEach(l, v) {
				key.id = cJSON_GetNumberValue(l);
				hit = bsearch(&key, tab, n, sizeof(*tab), cmp_byid);
				if (hit) /* a line deleted between the reads is left out */
					cJSON_AddItemToArray(nv, cJSON_Duplicate(hit->rec, 1));
			}
		}
		if (v) {
			nv->string = v->string;
			v->string = NULL;
			cJSON_ReplaceItemViaPointer(rec, v, nv);
		} else
			cJSON_AddItemToObject(rec, e->field, nv);
	}
	free(tab);
	cJSON_Delete(lines);
	return 0;
}

/* Print rec into the reused buffer (numbers exact: json_tree_print); its
 * length, or -1. */
static long
print_rec(struct x *x, const cJSON *rec)
{
	x->pb.max = 64u << 20;
	buf_reset(&x->pb);
	if (json_tree_print_buf(&x->pb, rec) < 0)
		return fail(x, EP_SOFTWARE, "a record over 64 MiB, or out of memory");
	x->pbuf = x->pb.p;
	return (long)x->pb.len;
}

static int
emit(struct x *x, const cJSON *rec)
{
	long n = print_rec(x, rec);

	return n < 0 ? -1 : extract_record(x->r, x->pbuf, (size_t)n);
}

static int
out_broken(struct x *x)
{
	return extract_broken(x->r);
}

/* Forget the pairs no read of this run can meet again: the scan only
 * moves forward, and the next --follow poll starts --overlap before the
 * mark.  Only once the set is sizeable, and when the bound moved. */
static void
prune_seen(struct x *x)
{
	char bound[DT_TS_LEN];

	if (!x->incremental || !x->mark_wd[0] || seen_count(x->r->seen) < 4096 ||
	    dt_ts_add(x->mark_wd, -(x->xc->overlap_ms / 1000), bound) < 0 ||
	    strcmp(bound, x->pruned_at) == 0)
		return;
	seen_prune(x->r->seen, bound);
	memcpy(x->pruned_at, bound, sizeof(bound));
}

/* Write a page's records, then its checkpoint.  keys (for the two-step
 * form) give the scan position; else the records do. */
static int
write_page(struct x *x, cJSON *records, const cJSON *keys)
{
	cJSON *rec, *wd, *id;
	const cJSON *last;
	char mtime[DT_TS_LEN];
	struct ep_err e = EP_ERR_INIT;
	long n;
	int i;

	ops_page();
	for (i = 0; i < x->nexp; i++)
		if (expand_page(x, &x->exp[i], records) < 0)
			return -1;
	if (add_xmlids(x, x->model, records) < 0)
		return -1;
	cJSON_ArrayForEach(rec, records) {
		if (extract_full(x->r))
			break;
		id = cJSON_GetObjectItemCaseSensitive(rec, "id");
		wd = cJSON_GetObjectItemCaseSensitive(rec, "write_date");
		if (keys == NULL && x->incremental && cJSON_IsString(wd) && cJSON_IsNumber(id)) {
			snprintf(x->mark_wd, sizeof(x->mark_wd), "%s", wd->valuestring);
			x->mark_id = id->valuedouble;
		}
		if (x->incremental && cJSON_IsString(wd) && cJSON_IsNumber(id)) {
			/* keep write_date's text: the record is printed without it */
			snprintf(mtime, sizeof(mtime), "%s", wd->valuestring);
		} else {
			mtime[0] = '\0';
		}
		m2o_convert(x, rec, x->finfo);
		if (x->drop_wd)
			cJSON_DeleteItemFromObjectCaseSensitive(rec, "write_date");
		if ((n = print_rec(x, rec)) < 0)
			return -1;
		if (mtime[0]) {
			/* (id, write_date) and what was written: a second write in the
			 * same second changes the bytes and is written too */
			char k[64];
			int r;

			snprintf(k, sizeof(k), "%.0f:%016llx", id->valuedouble,
			         (unsigned long long)fnv1a64_short(x->pbuf, (size_t)n));
			if ((r = extract_fresh(x->r, k, mtime, &e)) < 0)
				return fail(x, e.code, "%s", e.msg);
			if (r == 0)
				continue; /* written before in this run */
		}
		if (extract_record(x->r, x->pbuf, (size_t)n) < 0)
			return -1;
	}
	if (keys && x->incremental &&
	    (last = cJSON_GetArrayItem(keys, cJSON_GetArraySize(keys) - 1))) {
		/* the scan position: the last key of the page */
		const cJSON *lw = cJSON_GetArrayItem(last, 1), *li = cJSON_GetArrayItem(last, 0);

		if (cJSON_IsString(lw) && cJSON_IsNumber(li) && !x->r->done) {
			snprintf(x->mark_wd, sizeof(x->mark_wd), "%s", lw->valuestring);
			x->mark_id = li->valuedouble;
		}
	}
	if (out_broken(x))
		return -1;
	prune_seen(x);
	if (extract_page_done(x->r) < 0)
		return -1;
	return 0;
}

/* ---- paging ------------------------------------------------------------- */

static long
page_limit(struct x *x)
{
	long n = x->xc->page_size;

	if (x->xc->limit && x->xc->limit - x->r->emitted < n)
		n = x->xc->limit - x->r->emitted;
	return n;
}

static const char *
scan_order(struct x *x)
{
	return x->incremental ? "write_date asc, id asc" : "id";
}

/* One page by search_read; 0 and *records (maybe empty), -1. */
static int
page_direct(struct x *x, const char *after_wd, double after_id, cJSON **records)
{
	cJSON *kw = kwargs(x);

	cJSON_AddItemToObject(kw, "domain", domain_with(x, x->incremental, after_wd, after_id));
	cJSON_AddItemToObject(kw, "fields", cJSON_Duplicate(x->fields, 1));
	cJSON_AddNumberToObject(kw, "limit", (double)page_limit(x));
	cJSON_AddStringToObject(kw, "order", scan_order(x));
	*records = call(x, x->model, "search_read", NULL, kw);
	if (*records == NULL)
		return -1;
	if (!cJSON_IsArray(*records))
		return fail(x, EP_UNAVAILABLE, "%s.search_read: not a list of records", x->model);
	return 0;
}

/* One page of keys: ids, or [[id, write_date], ...] when incremental. */
static cJSON *
page_keys(struct x *x, const char *after_wd, double after_id)
{
	cJSON *kw = kwargs(x), *r, *keys, *rec;

	cJSON_AddItemToObject(kw, "domain", domain_with(x, x->incremental, after_wd, after_id));
	cJSON_AddNumberToObject(kw, "limit", (double)page_limit(x));
	cJSON_AddStringToObject(kw, "order", scan_order(x));
	if (!x->incremental) {
		r = call(x, x->model, "search", NULL, kw);
		if (r && !cJSON_IsArray(r)) {
			cJSON_Delete(r);
			fail(x, EP_UNAVAILABLE, "%s.search: not a list of ids", x->model);
			return NULL;
		}
		return r;
	}
	cJSON_AddItemToObject(kw, "fields", cJSON_Parse("[\"write_date\"]"));
	if ((r = call(x, x->model, "search_read", NULL, kw)) == NULL)
		return NULL;
	keys = cJSON_CreateArray();
	cJSON_ArrayForEach(rec, r) {
		cJSON *k = cJSON_CreateArray();

		cJSON_AddItemToArray(
			k, cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(rec, "id"), 0));
		cJSON_AddItemToArray(
			k, cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(rec, "write_date"), 0));
		cJSON_AddItemToArray(keys, k);
	}
	cJSON_Delete(r);
	return keys;
}

static cJSON *
ids_of(const cJSON *keys)
{
	cJSON *ids = cJSON_CreateArray();
	const cJSON *k;

	cJSON_ArrayForEach(k, keys)
		cJSON_AddItemToArray(
			ids, cJSON_Duplicate(cJSON_IsArray(k) ? cJSON_GetArrayItem(k, 0) : k, 0));
	return ids;
}

static int
submit_read(struct x *x, struct page *p)
{
	cJSON *args = cJSON_CreateArray(), *kw = kwargs(x);
	int r = 0;

	cJSON_AddItemToArray(args, ids_of(p->keys));
	cJSON_AddItemToObject(kw, "fields", cJSON_Duplicate(x->fields, 1));
	p->call = odoo_call_new(x->odoo, x->model, "read", args, kw, p, &x->err);
	cJSON_Delete(args);
	cJSON_Delete(kw);
	if (p->call == NULL || odoo_submit(x->odoo, p->call, &x->err) < 0)
		r = fail_odoo(x, &x->err);
	x->requests++;
	return r;
}

static void
page_free(struct page *p)
{
	cJSON_Delete(p->keys);
	cJSON_Delete(p->records);
	odoo_call_free(p->call);
	free(p);
}

/* Write the finished pages at the head of the queue, in order. */
static int
drain_ready(struct x *x)
{
	struct page *p;

	while ((p = x->head) && p->done) {
		int r = x->r->done || out_broken(x) ? 0 : write_page(x, p->records, p->keys);

		x->head = p->next;
		if (x->head == NULL)
			x->tail = NULL;
		x->npages--;
		page_free(p);
		if (r < 0)
			return -1;
	}
	return 0;
}

/* Wait for one read to finish. */
static int
wait_one(struct x *x)
{
	struct odoo_call *c = odoo_next(x->odoo);
	struct page *p;

	if (c == NULL)
		return fail(x, EP_SOFTWARE, "a read was lost");
	p = odoo_call_udata(c);
	if (odoo_call_rc(c) < 0)
		return fail_odoo(x, odoo_call_err(c));
	p->records = odoo_call_take(c);
	if (!cJSON_IsArray(p->records))
		return fail(x, EP_UNAVAILABLE, "%s.read: not a list of records", x->model);
	/* read returns the ids' order: keep the keys' order anyway */
	p->done = 1;
	return drain_ready(x);
}

static void
abandon_pages(struct x *x)
{
	struct page *p, *n;

	/* free the calls only once nothing is in flight */
	while (odoo_pending(x->odoo) && odoo_next(x->odoo))
		;
	for (p = x->head; p; p = n) {
		n = p->next;
		page_free(p);
	}
	x->head = x->tail = NULL;
	x->npages = 0;
}

/* Queue a read of the records of keys (taken), then wait while
 * --concurrency reads are in flight. */
static int
enqueue(struct x *x, cJSON *keys)
{
	struct page *p = calloc(1, sizeof(*p));

	if (p == NULL) {
		cJSON_Delete(keys);
		return fail(x, EP_SOFTWARE, "out of memory");
	}
	p->keys = keys;
	if (x->tail)
		x->tail->next = p;
	else
		x->head = p;
	x->tail = p;
	x->npages++;
	if (submit_read(x, p) < 0)
		return -1;
	while (x->npages >= x->concurrency)
		if (wait_one(x) < 0)
			return -1;
	return 0;
}

/* One scan from the current position to the end (or --limit). */
static int
scan(struct x *x)
{
	char after_wd[DT_TS_LEN] = "";
	double after_id = 0;
	int first = 1;

	for (;;) {
		cJSON *recs, *keys, *last;
		long want = page_limit(x);
		int n;

		if (x->r->done || want <= 0 || out_broken(x))
			break;
		if (x->xc->follow && stop_signal() && !first)
			break;
		first = 0;
		if (x->concurrency <= 1) {
			if (page_direct(x, after_wd[0] ? after_wd : NULL, after_id, &recs) < 0)
				return -1;
			n = cJSON_GetArraySize(recs);
			last = cJSON_GetArrayItem(recs, n - 1);
			if (last) {
				const cJSON *w =
					cJSON_GetObjectItemCaseSensitive(last, "write_date");

				after_id = cJSON_GetNumberValue(
					cJSON_GetObjectItemCaseSensitive(last, "id"));
				if (x->incremental && cJSON_IsString(w))
					snprintf(after_wd, sizeof(after_wd), "%s", w->valuestring);
			}
			if (n > 0 && write_page(x, recs, NULL) < 0) {
				cJSON_Delete(recs);
				return -1;
			}
			cJSON_Delete(recs);
			if (n < want)
				break;
			continue;
		}
		/* two steps: the keys now, the records in flight */
		if ((keys = page_keys(x, after_wd[0] ? after_wd : NULL, after_id)) == NULL)
			return -1;
		n = cJSON_GetArraySize(keys);
		if ((last = cJSON_GetArrayItem(keys, n - 1)) != NULL) {
			if (x->incremental) {
				const cJSON *w = cJSON_GetArrayItem(last, 1);

				after_id = cJSON_GetNumberValue(cJSON_GetArrayItem(last, 0));
				if (cJSON_IsString(w))
					snprintf(after_wd, sizeof(after_wd), "%s", w->valuestring);
			} else {
				after_id = cJSON_GetNumberValue(last);
			}
		}
		if (n == 0) {
			cJSON_Delete(keys);
			break;
		}
		if (enqueue(x, keys) < 0)
			return -1;
		/* account for what is in flight against --limit */
		if (x->xc->limit) {
			long inflight = 0;
			struct page *q;

			for (q = x->head; q; q = q->next)
				inflight += cJSON_GetArraySize(q->keys);
			if (x->r->emitted + inflight >= x->xc->limit)
				break;
		}
		if (n < want)
			break;
	}
	while (x->npages > 0)
		if (wait_one(x) < 0)
			return -1;
	return 0;
}

/* --order: the ordered ids first, then reads of page_size ids. */
static int
scan_ordered(struct x *x)
{
	cJSON *kw = kwargs(x), *ids, *v;
	long k;

	cJSON_AddItemToObject(kw, "domain", domain_with(x, 0, NULL, 0));
	cJSON_AddStringToObject(kw, "order", x->order);
	if (x->xc->limit)
		cJSON_AddNumberToObject(kw, "limit", (double)x->xc->limit);
	if ((ids = call(x, x->model, "search", NULL, kw)) == NULL)
		return -1;
	v = ids ? ids->child : NULL;
	while (v && !x->r->done && !out_broken(x)) {
		cJSON *keys = cJSON_CreateArray();

		for (k = 0; v && k < x->xc->page_size; k++, v = v->next)
			cJSON_AddItemToArray(keys, cJSON_Duplicate(v, 0));
		if (enqueue(x, keys) < 0) {
			cJSON_Delete(ids);
			return -1;
		}
	}
	cJSON_Delete(ids);
	while (x->npages > 0)
		if (wait_one(x) < 0)
			return -1;
	return 0;
}

/* --ids-only: keyset by id over search, {"id": N} lines. */
static int
scan_ids(struct x *x)
{
	double after = 0;
	char line[64];

	for (;;) {
		cJSON *kw = kwargs(x), *ids, *v;
		long want = page_limit(x);
		int n;

		if (want <= 0 || out_broken(x))
			break;
		cJSON_AddItemToObject(kw, "domain", domain_with(x, 0, NULL, after));
		if (x->start[0])
			cJSON_AddItemToArray(
				cJSON_GetObjectItemCaseSensitive(kw, "domain"),
				leaf("write_date", ">=", cJSON_CreateString(x->start)));
		cJSON_AddNumberToObject(kw, "limit", (double)want);
		cJSON_AddStringToObject(kw, "order", "id");
		if ((ids = call(x, x->model, "search", NULL, kw)) == NULL)
			return -1;
		n = cJSON_GetArraySize(ids);
		cJSON_ArrayForEach(v, ids) {
			snprintf(line, sizeof(line), "{\"id\":%.0f}", cJSON_GetNumberValue(v));
			if (extract_record(x->r, line, strlen(line)) < 0)
				break;
			after = cJSON_GetNumberValue(v);
		}
		cJSON_Delete(ids);
		if (n < want)
			break;
	}
	return 0;
}

/* ---- the other modes ---------------------------------------------------- */

static int
count(struct x *x, long long *out)
{
	cJSON *kw = kwargs(x), *r;

	cJSON_AddItemToObject(kw, "domain", domain_with(x, x->start[0] != 0, NULL, 0));
	if ((r = call(x, x->model, "search_count", NULL, kw)) == NULL)
		return -1;
	if (!cJSON_IsNumber(r)) {
		cJSON_Delete(r);
		return fail(x, EP_UNAVAILABLE, "%s.search_count: not a number", x->model);
	}
	*out = (long long)r->valuedouble;
	cJSON_Delete(r);
	return 0;
}

static int
list_models(struct x *x)
{
	cJSON *kw = cJSON_CreateObject(), *r, *rec;

	cJSON_AddItemToObject(kw, "domain", cJSON_CreateArray());
	cJSON_AddItemToObject(kw, "fields", cJSON_Parse("[\"model\",\"name\",\"transient\"]"));
	cJSON_AddStringToObject(kw, "order", "model");
	if ((r = call(x, "ir.model", "search_read", NULL, kw)) == NULL)
		return -1;
	cJSON_ArrayForEach(rec, r) {
		cJSON_DeleteItemFromObjectCaseSensitive(rec, "id");
		if (emit(x, rec) < 0)
			break;
	}
	cJSON_Delete(r);
	return 0;
}

static cJSON *field_schema(struct x *x, const char *name, const cJSON *fi, const struct expand *e);

/* The schema of one record --expand inlines, as properties of v (its
 * properties object is returned). */
static cJSON *
expanded_schema(struct x *x, const struct expand *e, cJSON *v)
{
	cJSON *props = cJSON_CreateObject();
	const cJSON *sf;

	cJSON_AddStringToObject(v, "type", "object");
	cJSON_ArrayForEach(sf, e->fields)
		cJSON_AddItemToObject(props, sf->valuestring,
		                      field_schema(x, sf->valuestring, e->finfo, NULL));
	cJSON_AddItemToObject(v, "properties", props);
	return props;
}

/* The JSON Schema of one field's value as written. */
static cJSON *
field_schema(struct x *x, const char *name, const cJSON *fi, const struct expand *e)
{
	const char *t = ftype(fi, name);
	const cJSON *f = finfo_of(fi, name), *sel, *opt;
	const cJSON *label = cJSON_GetObjectItemCaseSensitive(f, "string");
	cJSON *s = cJSON_CreateObject(), *any = NULL, *v;
	int nullable = 1;

	if (cJSON_IsString(label))
		cJSON_AddStringToObject(s, "title", label->valuestring);
	cJSON_AddStringToObject(s, "x-odoo-type", t);
	if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(f, "relation")))
		cJSON_AddStringToObject(
			s, "x-odoo-relation",
			cJSON_GetObjectItemCaseSensitive(f, "relation")->valuestring);
	v = cJSON_CreateObject();
	if (strcmp(t, "integer") == 0) {
		cJSON_AddStringToObject(v, "type", "integer");
		nullable = 0;
	} else if (strcmp(t, "many2one_reference") == 0) {
		/* the id of a record of the model another field names */
		cJSON_AddStringToObject(v, "type", "integer");
	} else if (strcmp(t, "properties") == 0 || strcmp(t, "properties_definition") == 0) {
		/* read as a list of property objects ([] when none), written as
		 * an object; null on a record without a definition */
		cJSON_AddItemToObject(v, "type", cJSON_Parse("[\"array\",\"object\",\"null\"]"));
	} else if (strcmp(t, "json") == 0) {
		nullable = 0; /* any JSON value */
	} else if (strcmp(t, "float") == 0 || strcmp(t, "monetary") == 0) {
		cJSON_AddStringToObject(v, "type", "number");
		nullable = 0;
	} else if (strcmp(t, "boolean") == 0) {
		cJSON_AddStringToObject(v, "type", "boolean");
		nullable = 0;
	} else if (strcmp(t, "date") == 0) {
		cJSON_AddStringToObject(v, "type", "string");
		cJSON_AddStringToObject(v, "format", "date");
	} else if (strcmp(t, "datetime") == 0) {
		cJSON_AddStringToObject(v, "type", "string");
		cJSON_AddStringToObject(v, "pattern",
		                        "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$");
	} else if (strcmp(t, "selection") == 0) {
		cJSON *en = cJSON_CreateArray();

		cJSON_AddStringToObject(v, "type", "string");
		sel = cJSON_GetObjectItemCaseSensitive(f, "selection");
		cJSON_ArrayForEach(opt, sel)
			if (cJSON_IsString(cJSON_GetArrayItem(opt, 0)))
				cJSON_AddItemToArray(
					en, cJSON_Duplicate(cJSON_GetArrayItem(opt, 0), 0));
		if (en->child) /* fields_get without the selection: any key */
			cJSON_AddItemToObject(v, "enum", en);
		else
			cJSON_Delete(en);
	} else if (strcmp(t, "many2one") == 0 && e) {
		cJSON *props = expanded_schema(x, e, v);

		if (!cJSON_GetObjectItemCaseSensitive(props, "id"))
			cJSON_AddStringToObject(cJSON_AddObjectToObject(props, "id"), "type",
			                        "integer");
		cJSON_AddItemToObject(v, "required", cJSON_Parse("[\"id\"]"));
	} else if (strcmp(t, "many2one") == 0) {
		switch (x->m2o) {
		case EXTRACT_M2O_ID:
			cJSON_AddStringToObject(v, "type", "integer");
			break;
		case EXTRACT_M2O_NAME:
			cJSON_AddStringToObject(v, "type", "string");
			break;
		case EXTRACT_M2O_OBJECT: {
			cJSON *p = cJSON_AddObjectToObject(v, "properties");

			cJSON_AddStringToObject(v, "type", "object");
			cJSON_AddStringToObject(cJSON_AddObjectToObject(p, "id"), "type",
			                        "integer");
			cJSON_AddStringToObject(cJSON_AddObjectToObject(p, "name"), "type",
			                        "string");
			cJSON_AddItemToObject(v, "required", cJSON_Parse("[\"id\",\"name\"]"));
			break;
		}
		default:
			cJSON_AddStringToObject(v, "type", "array");
			cJSON_AddItemToObject(
				v, "prefixItems",
				cJSON_Parse("[{\"type\":\"integer\"},{\"type\":\"string\"}]"));
			cJSON_AddNumberToObject(v, "minItems", 2);
			cJSON_AddNumberToObject(v, "maxItems", 2);
			break;
		}
	} else if (strcmp(t, "one2many") == 0 || strcmp(t, "many2many") == 0) {
		cJSON_AddStringToObject(v, "type", "array");
		if (e) {
			expanded_schema(x, e, cJSON_AddObjectToObject(v, "items"));
		} else {
			cJSON_AddStringToObject(cJSON_AddObjectToObject(v, "items"), "type",
			                        "integer");
		}
		nullable = 0;
	} else {
		/* char, text, html, binary (base64), reference ... */
		cJSON_AddStringToObject(v, "type", "string");
	}
	if (nullable) {
		/* Odoo writes an empty value as false */
		any = cJSON_CreateArray();
		cJSON_AddItemToArray(any, v);
		cJSON_AddItemToArray(any, cJSON_Parse("{\"const\":false}"));
		cJSON_AddItemToObject(s, "anyOf", any);
	} else {
		cJSON *c;

		while ((c = v->child) != NULL) {
			cJSON_DetachItemViaPointer(v, c);
			cJSON_AddItemToObject(s, c->string, c);
		}
		cJSON_Delete(v);
	}
	return s;
}

/* The fields as a JSON Schema (--describe, and Singer's SCHEMA). */
static cJSON *
describe_schema(struct x *x)
{
	cJSON *s = cJSON_CreateObject(), *props = cJSON_CreateObject(), *req = cJSON_CreateArray();
	const cJSON *f;
	int i;

	cJSON_AddStringToObject(s, "$schema", "https://json-schema.org/draft/2020-12/schema");
	cJSON_AddStringToObject(s, "title", x->model);
	cJSON_AddStringToObject(s, "type", "object");
	cJSON_ArrayForEach(f, x->fields) {
		const struct expand *e = NULL;

		if (x->drop_wd && strcmp(f->valuestring, "write_date") == 0)
			continue;
		for (i = 0; i < x->nexp; i++)
			if (strcmp(x->exp[i].field, f->valuestring) == 0)
				e = &x->exp[i];
		cJSON_AddItemToObject(props, f->valuestring,
		                      field_schema(x, f->valuestring, x->finfo, e));
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
			    finfo_of(x->finfo, f->valuestring), "required")))
			cJSON_AddItemToArray(req, cJSON_CreateString(f->valuestring));
	}
	if (!cJSON_GetObjectItemCaseSensitive(props, "id")) {
		cJSON *id = cJSON_CreateObject();

		cJSON_AddStringToObject(id, "type", "integer");
		cJSON_AddItemToObject(props, "id", id);
	}
	cJSON_AddItemToArray(req, cJSON_CreateString("id"));
	cJSON_AddItemToObject(s, "properties", props);
	cJSON_AddItemToObject(s, "required", req);
	return s;
}

/* ---- setup -------------------------------------------------------------- */

/* LIST's fields of model (finfo its fields_get) into *out; what names them
 * (--fields, --expand F:) words the error. */
static int
field_list(struct x *x, const char *what, const char *model, const cJSON *finfo, const char *arg,
           cJSON **out)
{
	char *list = strdup(arg), *tok;
	struct fields_iter it;
	struct field_ref f;

	*out = cJSON_CreateArray();
	fields_init(&it, list, FIELDS_TRIM | FIELDS_SKIP_EMPTY);
	while (list && fields_next(&it, &f) > 0) {
		tok = list + (f.item - list);
		tok[f.len] = '\0'; /* the comma: past it already */
		if (!finfo_of(finfo, tok)) {
			fail(x, EP_USAGE, "%s: model '%s' has no field '%s'", what, model, tok);
			free(list);
			return -1;
		}
		cJSON_AddItemToArray(*out, cJSON_CreateString(tok));
	}
	free(list);
	if (cJSON_GetArraySize(*out) == 0)
		return fail(x, EP_USAGE, "%s: no field named", what);
	return 0;
}

static int
setup_fields(struct x *x)
{
	cJSON *f;
	int i;

	if ((x->finfo = fields_get(x, x->model)) == NULL)
		return -1;
	if (!cJSON_IsObject(x->finfo))
		return fail(x, EP_UNAVAILABLE, "%s.fields_get: not an object", x->model);
	if (x->fields_arg) {
		if (field_list(x, "--fields", x->model, x->finfo, x->fields_arg, &x->fields) < 0)
			return -1;
	} else {
		x->fields = default_fields(x->finfo);
	}
	for (i = 0; i < x->nexp; i++) {
		struct expand *e = &x->exp[i];
		const char *t = ftype(x->finfo, e->field);
		const cJSON *rel =
			cJSON_GetObjectItemCaseSensitive(finfo_of(x->finfo, e->field), "relation");
		int listed = 0;

		if (strcmp(t, "many2one") == 0)
			e->m2o = 1;
		else if (strcmp(t, "one2many") != 0 && strcmp(t, "many2many") != 0)
			return fail(x, EP_USAGE, "--expand '%s': not a relational field of '%s'",
			            e->field, x->model);
		if (!cJSON_IsString(rel))
			return fail(x, EP_UNAVAILABLE,
			            "--expand '%s': fields_get gives no relation", e->field);
		e->relation = rel->valuestring;
		if ((e->finfo = fields_get(x, e->relation)) == NULL)
			return -1;
		if (e->sub) {
			char what[128];

			snprintf(what, sizeof(what), "--expand %s", e->field);
			if (field_list(x, what, e->relation, e->finfo, e->sub, &e->fields) < 0)
				return -1;
		} else {
			e->fields = default_fields(e->finfo);
		}
		cJSON_ArrayForEach(f, x->fields)
			if (strcmp(f->valuestring, e->field) == 0)
				listed = 1;
		if (!listed)
			cJSON_AddItemToArray(x->fields, cJSON_CreateString(e->field));
	}
	if (x->incremental) {
		int has = 0;

		cJSON_ArrayForEach(f, x->fields)
			if (strcmp(f->valuestring, "write_date") == 0)
				has = 1;
		if (!has) {
			cJSON_AddItemToArray(x->fields, cJSON_CreateString("write_date"));
			x->drop_wd = 1;
		}
	}
	return 0;
}

/* The smallest and the largest id the domain selects (1 and 1 when none). */
static int
id_range(struct x *x, double *min, double *max)
{
	cJSON *kw, *lo, *hi;

	kw = kwargs(x);
	cJSON_AddItemToObject(kw, "domain", cJSON_Duplicate(x->domain, 1));
	cJSON_AddNumberToObject(kw, "limit", 1);
	cJSON_AddStringToObject(kw, "order", "id asc");
	if ((lo = call(x, x->model, "search", NULL, kw)) == NULL)
		return -1;
	kw = kwargs(x);
	cJSON_AddItemToObject(kw, "domain", cJSON_Duplicate(x->domain, 1));
	cJSON_AddNumberToObject(kw, "limit", 1);
	cJSON_AddStringToObject(kw, "order", "id desc");
	if ((hi = call(x, x->model, "search", NULL, kw)) == NULL) {
		cJSON_Delete(lo);
		return -1;
	}
	if (cJSON_GetArraySize(lo) == 0 || cJSON_GetArraySize(hi) == 0) {
		/* nothing there: every shard but the last is empty */
		*min = *max = 1;
	} else {
		*min = cJSON_GetNumberValue(cJSON_GetArrayItem(lo, 0));
		*max = cJSON_GetNumberValue(cJSON_GetArrayItem(hi, 0));
	}
	cJSON_Delete(lo);
	cJSON_Delete(hi);
	return 0;
}

/* --shard-plan N: the ranges of N shards, one line each */
static int
shard_plan(struct x *x, const char *stream)
{
	struct ep_err e = EP_ERR_INIT;
	double min, max;

	if (id_range(x, &min, &max) < 0)
		return -1;
	if (extract_shard_plan_ids(&x->r->out, stream, (int64_t)min, (int64_t)max,
	                           x->xc->shard_plan, "id", &e) < 0)
		return fail(x, e.code, "%s", e.msg);
	return 0;
}

static int
setup_shard(struct x *x, const char *stream)
{
	struct ep_err e = EP_ERR_INIT;
	double min, max;

	if (!x->xc->shard_n)
		return 0;
	x->sharded = 0;
	if (x->xc->shard_plan_file) {
		struct extract_shard_bounds b;
		int r;

		if (extract_shard_plan_read(x->xc->shard_plan_file, stream, &b, &e) < 0)
			return fail(x, e.code, "%s", e.msg);
		r = strcmp(b.field, "id") != 0
		            ? ep_errf(&e, EP_DATAERR, "%s: a plan on '%s', not on id",
		                      x->xc->shard_plan_file, b.field)
		            : extract_shard_bounds_ids(&b, x->xc->shard_plan_file, &x->shard_lo,
		                                       &x->shard_hi, &e);
		extract_shard_bounds_free(&b);
		if (r < 0)
			return fail(x, e.code, "%s", e.msg);
		x->sharded = 1;
		ep_info(1, "shard %d/%d from %s: %lld..%lld", x->xc->shard_k, x->xc->shard_n,
		        x->xc->shard_plan_file, (long long)x->shard_lo, (long long)x->shard_hi);
		return 0;
	}
	if (id_range(x, &min, &max) < 0)
		return -1;
	x->sharded = 1;
	extract_shard_range((int64_t)min, (int64_t)max, x->xc->shard_k, x->xc->shard_n,
	                    &x->shard_lo, &x->shard_hi);
	ep_info(1, "shard %d/%d of ids %.0f..%.0f: %lld..%lld", x->xc->shard_k, x->xc->shard_n, min,
	        max, (long long)x->shard_lo, (long long)x->shard_hi);
	return 0;
}

/* ---- the source ------------------------------------------------------- */

static int
o_open(void *s, struct extract_run *r, const char **who, const char **entity, struct ep_err *err)
{
	struct x *x = s;
	struct odoo_opts oo;

	x->r = r;
	odoo_opts_init(&oo);
	if ((x->profile = conn_profile(&x->xc->conn, "odoo", err)) == NULL ||
	    odoo_opts_from_profile(&oo, x->profile, err) < 0)
		return -1;
	oo.proto = x->proto;
	oo.http = x->xc->conn.http;
	oo.http.concurrency = x->concurrency;
	if ((x->odoo = odoo_open(&oo, &x->err)) == NULL)
		return fail_odoo(x, &x->err);
	ep_info(1, "%s: %s, uid %d", oo.url, odoo_proto_name(odoo_protocol(x->odoo)),
	        odoo_uid(x->odoo));
	*who = cfg_name(x->profile) ? cfg_name(x->profile) : oo.db ? oo.db : "-";
	*entity = x->model ? x->model : "";
	return 0;
}

static int
o_prepare(void *s, struct extract_run *r, struct ep_err *err)
{
	struct x *x = s;

	(void)r;
	(void)err;
	if (x->list_models)
		return list_models(x) < 0 ? -1 : 1;
	return setup_fields(x);
}

static cJSON *
o_schema(void *s, struct extract_run *r, cJSON **keys, struct ep_err *err)
{
	(void)r;
	(void)err;
	*keys = cJSON_CreateArray();
	cJSON_AddItemToArray(*keys, cJSON_CreateString("id"));
	return describe_schema(s);
}

static int
o_shard_plan(void *s, struct extract_run *r, struct ep_err *err)
{
	(void)err;
	return shard_plan(s, r->stream);
}

static int
o_shard(void *s, struct extract_run *r, struct ep_err *err)
{
	(void)err;
	return setup_shard(s, r->stream);
}

static int
o_start(void *s, struct extract_run *r, const cJSON *pos, struct ep_err *err)
{
	struct x *x = s;
	const cJSON *wd, *id;

	(void)err;
	if (!x->incremental) {
		if (x->xc->since[0])
			snprintf(x->start, sizeof(x->start), "%s", x->xc->since);
		return 0;
	}
	if (x->xc->since[0]) {
		/* --since wins over the state: exactly from there, no overlap */
		snprintf(x->start, sizeof(x->start), "%s", x->xc->since);
		return 0;
	}
	snprintf(x->start, sizeof(x->start), "1970-01-01 00:00:00");
	if (pos == NULL)
		return 0;
	wd = cJSON_GetObjectItemCaseSensitive(pos, "write_date");
	id = cJSON_GetObjectItemCaseSensitive(pos, "id");
	if (!cJSON_IsString(wd) || !cJSON_IsNumber(id) ||
	    dt_ts_add(wd->valuestring, -(x->xc->overlap_ms / 1000), x->start) < 0)
		return fail(x, EP_DATAERR,
		            "state file '%s': the position of '%s' wants write_date "
		            "(\"YYYY-MM-DD HH:MM:SS\") and id",
		            x->xc->state, r->stream);
	snprintf(x->mark_wd, sizeof(x->mark_wd), "%s", wd->valuestring);
	x->mark_id = id->valuedouble;
	return 0;
}

static int
o_count(void *s, struct extract_run *r, long long *n, struct ep_err *err)
{
	(void)r;
	(void)err;
	return count(s, n);
}

static int
o_poll(void *s, struct extract_run *r, struct ep_err *err)
{
	struct x *x = s;

	(void)err;
	if (x->ids_only || x->order) {
		int k = x->ids_only ? scan_ids(x) : scan_ordered(x);

		r->done = 1; /* one pass */
		return k;
	}
	return scan(x);
}

static cJSON *
o_position(void *s, struct extract_run *r)
{
	struct x *x = s;
	cJSON *pos;

	(void)r;
	if (!x->checkpoints || (pos = cJSON_CreateObject()) == NULL)
		return NULL;
	cJSON_AddStringToObject(pos, "write_date", x->mark_wd[0] ? x->mark_wd : x->start);
	cJSON_AddNumberToObject(pos, "id", x->mark_wd[0] ? x->mark_id : 0);
	return pos;
}

/* the next poll: from the mark minus the overlap, pairs seen are skipped */
static int
o_restart(void *s, struct extract_run *r, char prune[64], struct ep_err *err)
{
	struct x *x = s;
	char keep[DT_TS_LEN];

	(void)r;
	(void)err;
	if (x->mark_wd[0] && dt_ts_add(x->mark_wd, -(x->xc->overlap_ms / 1000), keep) == 0) {
		snprintf(x->start, sizeof(x->start), "%s", keep);
		snprintf(prune, 64, "%s", keep);
	}
	return 0;
}

static long
o_requests(void *s)
{
	return ((struct x *)s)->requests;
}

static void
o_close(void *s)
{
	struct x *x = s;
	int i;

	if (x->odoo)
		abandon_pages(x);
	odoo_close(x->odoo);
	cfg_profile_free(x->profile);
	cJSON_Delete(x->finfo);
	cJSON_Delete(x->fields);
	cJSON_Delete(x->domain);
	for (i = 0; i < x->nexp; i++) {
		cJSON_Delete(x->exp[i].fields);
		cJSON_Delete(x->exp[i].finfo);
	}
	buf_release(&x->pb);
}

static const struct extract_source_ops odoo_source = {
	.system = "odoo",
	.open = o_open,
	.prepare = o_prepare,
	.schema = o_schema,
	.shard_plan = o_shard_plan,
	.shard = o_shard,
	.start = o_start,
	.count = o_count,
	.poll = o_poll,
	.position = o_position,
	.restart = o_restart,
	.requests = o_requests,
	.close = o_close,
};

int
extract_odoo(struct extract_cfg *c, const struct extract_odoo_opts *o)
{
	struct x x;
	struct extract_source src = { &odoo_source, &x };
	int i;

	memset(&x, 0, sizeof(x));
	x.xc = c;
	x.model = o->model;
	x.fields_arg = o->fields_arg;
	x.order = o->order;
	x.with_archived = o->with_archived;
	x.list_models = o->list_models;
	x.ids_only = o->ids_only;
	x.m2o = o->m2o;
	for (i = 0; i < o->nexp; i++) {
		x.exp[i].field = o->exp[i].field;
		x.exp[i].sub = o->exp[i].sub;
	}
	x.nexp = o->nexp;
	x.xmlids = o->xmlids;
	x.proto = o->proto;
	x.concurrency = o->concurrency;
	x.domain = o->domain ? cJSON_Duplicate(o->domain, 1) : cJSON_CreateArray();
	x.incremental =
		!x.ids_only && !c->count && !x.order && (c->since[0] || c->state || c->follow);
	x.checkpoints = x.incremental && (c->state || c->follow);
	return extract_run(c, &src);
}

cJSON *
extract_odoo_modules(const char *arg)
{
	char *list = strdup(arg), *tok;
	cJSON *out = cJSON_CreateArray();
	struct fields_iter it;
	struct field_ref f;
	int bad = 0;

	fields_init(&it, list, FIELDS_SKIP_EMPTY);
	while (list && !bad && fields_next(&it, &f) > 0) {
		tok = list + (f.item - list);
		tok[f.len] = '\0'; /* the comma: past it already */
		if (strpbrk(tok, ". \t") != NULL)
			bad = 1;
		else
			cJSON_AddItemToArray(out, cJSON_CreateString(tok));
	}
	if (list == NULL || bad || cJSON_GetArraySize(out) == 0) {
		cJSON_Delete(out);
		out = NULL;
	}
	free(list);
	return out;
}
