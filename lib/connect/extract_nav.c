/*
 * extract_nav.c - Dynamics NAV / Business Central as an extraction source
 * (lib/connect/extract_run): nav-extract(1).
 *
 * OData V4: reads page by their own keyset, never by the server's
 * $skiptoken (which may be a row offset, so rows that change while a
 * client pages shift under it: some are never read, others twice).  Each
 * page is $filter (the last row seen) and $orderby (the keyset fields) and
 * $top; full reads order by the key, incremental reads (--since, --state,
 * --follow) by the modified-at field (SystemModifiedAt,
 * lastModifiedDateTime, or the date-only Last_Date_Modified with a day of
 * overlap) and the key, from the mark minus --overlap, and drop (key, etag)
 * pairs already written in this run; a checkpoint follows each page.  The
 * keyset "after (m, k)" is asked as AND-only conditions, one level at a
 * time (m eq M and k gt K, then m gt M), as NAV refuses an OR across
 * fields.  --shard K/N reads the sorted key list (a $select of the key)
 * and takes the K-th of N contiguous ranges.
 * --soap reads through the SOAP page service with ReadMultiple and
 * bookmark paging instead.
 */
#include "connect/extract_nav.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/stop.h"
#include "base/buf.h"
#include "base/cfg.h"
#include "base/fields.h"
#include "base/err.h"
#include "base/log.h"
#include "base/ops.h"
#include "base/text.h"
#include "connect/extract_run.h"
#include "net/conn.h"
#include "proto/nav.h"
#include "proto/navsoap.h"
#include "proto/odata.h"
#include "stream/json.h"
#include "stream/json_tree.h"

#define MAX_SELECT 512
#define MAX_WHERE EXTRACT_NAV_MAX_WHERE

struct x {
	struct extract_cfg *xc; /* conn_profile fills xc->conn's defaults */
	const struct extract_nav_opts *o;
	struct extract_run *r;
	const char *set;
	const char *expand;
	int keep_etag, soap;

	struct cfg_profile *profile;
	struct nav *nav;
	const struct odata_etype *et;    /* OData */
	const struct navsoap_page *page; /* SOAP */
	const char *mfield;              /* the modified-at field, incremental */
	enum odata_kind mkind;           /* ODATA_DATETIME or ODATA_DATE */
	const char *keys[16];            /* key field names */
	size_t nkeys;
	const char *ks[17]; /* the keyset: [modified-at,] the key fields */
	char *ks_last[17];  /* the last row's raw values */
	size_t nks;
	int ks_proven;          /* the server was seen to honour $top or cut pages */
	char *only[MAX_SELECT]; /* --select (and --expand), or NULL */
	size_t nonly, nsel;     /* nsel: the --select fields only */
	char *select_copy;
	struct buf filter; /* user filter, --where, shard (raw) */
	struct navsoap_filter sf[MAX_WHERE + 2];
	size_t nsf;
	struct buf sfbuf[2 * (MAX_WHERE + 2)];
	int incremental, checkpoints, empty_shard;
	char start[48]; /* incremental lower bound (literal text) */
	char mark[64];  /* the newest modified-at written, raw */
	char mark_norm[DT_TS_LEN];
	struct buf mark_key; /* its key, a JSON object */
	struct buf rec, key, tmp, last_key;
};

/* the run's first failure: printed, its status kept; -1 */
#define fail(x, code, ...) extract_fail((x)->r, (code), __VA_ARGS__)

static int
fail_err(struct x *x, const struct ep_err *e)
{
	return fail(x, e->code, "%s", e->msg);
}

static int
out_broken(struct x *x)
{
	return extract_broken(x->r);
}

/* ---- modified-at values ------------------------------------------------------ */

/* A NAV datetime or date value as extract.h's "YYYY-MM-DD HH:MM:SS" */
static int
norm_time(const char *v, char out[DT_TS_LEN])
{
	struct ep_err e;
	return dt_ts_parse(v, out, &e);
}

/* The decoded string of a raw JSON string value, into b. */
static int
raw_string(const char *v, size_t vl, struct buf *b)
{
	cJSON *j = cJSON_ParseWithLength(v, vl);
	int ok = cJSON_IsString(j);
	buf_reset(b);
	if (ok)
		buf_adds(b, j->valuestring);
	cJSON_Delete(j);
	return ok ? 0 : -1;
}

/* ---- records -------------------------------------------------------------------- */

/* The record's key as a JSON object of its key fields' raw values. */
static int
key_of(struct x *x, const char *obj, size_t len, struct buf *k)
{
	buf_reset(k);
	buf_addc(k, '{');
	for (size_t i = 0; i < x->nkeys; i++) {
		const char *v;
		size_t vl;
		if (odata_member(obj, len, x->keys[i], &v, &vl) != 1)
			return -1;
		if (i)
			buf_addc(k, ',');
		json_quote(k, x->keys[i], strlen(x->keys[i]));
		buf_addc(k, ':');
		buf_add(k, v, vl);
	}
	return buf_addc(k, '}');
}

/* One entity (OData: raw JSON with annotations; SOAP: fields, etag the Key). */
static int
entity(struct x *x, const char *obj, size_t len, const char *etag, size_t etag_len,
       struct ep_err *err)
{
	if (x->r->done || out_broken(x))
		return 0;
	if (extract_full(x->r))
		return 0;
	if (x->incremental) {
		const char *v;
		size_t vl;
		char norm[DT_TS_LEN];
		int r;

		if (odata_member(obj, len, x->mfield, &v, &vl) != 1 ||
		    raw_string(v, vl, &x->tmp) < 0 || norm_time(x->tmp.p, norm) < 0)
			return ep_errf(err, EP_UNAVAILABLE, "%s: a record without a valid %s",
			               x->set, x->mfield);
		if (key_of(x, obj, len, &x->key) < 0)
			return ep_errf(err, EP_UNAVAILABLE, "%s: a record without its key", x->set);
		/* the etag tells two changes apart on one day (or millisecond) */
		size_t klen = x->key.len;
		buf_addc(&x->key, '\x1f');
		buf_add(&x->key, etag, etag_len);
		r = extract_fresh(x->r, x->key.p, norm, err);
		x->key.len = klen;
		x->key.p[klen] = '\0';
		if (r <= 0)
			return r; /* written before in this run (or out of memory) */
		if (strcmp(norm, x->mark_norm) >= 0) {
			snprintf(x->mark, sizeof(x->mark), "%s", x->tmp.p);
			memcpy(x->mark_norm, norm, sizeof(norm));
			buf_reset(&x->mark_key);
			buf_add(&x->mark_key, x->key.p, x->key.len);
		}
	}
	buf_reset(&x->rec);
	if (x->soap && x->keep_etag) {
		/* {"Key": …, then the fields */
		buf_adds(&x->rec, "{\"Key\":");
		json_quote(&x->rec, etag, etag_len);
		size_t at = x->rec.len;
		odata_project(&x->rec, obj, len, 0,
		              x->only[0] ? (const char *const *)x->only : NULL, x->nonly);
		/* splice: drop the projection's '{', add ',' unless it is "{}" */
		if (x->rec.len - at == 2) {
			x->rec.len = at;
			buf_addc(&x->rec, '}');
		} else {
			x->rec.p[at] = ',';
		}
	} else if (odata_project(&x->rec, obj, len, x->keep_etag,
	                         x->only[0] ? (const char *const *)x->only : NULL, x->nonly) < 0) {
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	}
	extract_record(x->r, x->rec.p, x->rec.len); /* out_broken: the loops stop */
	return 0;
}

static int
odata_entity(void *ud, const char *obj, size_t len, struct ep_err *err)
{
	struct x *x = ud;
	const char *v = "", *ev;
	size_t vl = 0;

	if (odata_member(obj, len, "@odata.etag", &ev, &vl) == 1)
		v = ev;
	return entity(x, obj, len, v, vl, err);
}

static int
soap_entity(void *ud, const char *json, size_t len, const char *key, struct ep_err *err)
{
	struct x *x = ud;

	/* every record's Key, written or not: the next page's bookmark */
	buf_reset(&x->last_key);
	buf_adds(&x->last_key, key);
	return entity(x, json, len, key, strlen(key), err);
}

static cJSON *
n_position(void *s, struct extract_run *r)
{
	struct x *x = s;
	cJSON *pos;

	(void)r;
	if (!x->checkpoints || (pos = cJSON_CreateObject()) == NULL)
		return NULL;
	cJSON_AddStringToObject(pos, x->mfield, x->mark[0] ? x->mark : x->start);
	if (x->mark_key.len) {
		cJSON *k = cJSON_ParseWithLength(x->mark_key.p, x->mark_key.len);
		if (k)
			cJSON_AddItemToObject(pos, "key", k);
	}
	return pos;
}

/* ---- OData ------------------------------------------------------------------------ */

/* Append name to the comma list l unless it is there. */
static void
list_add(struct buf *l, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = l->p; p && *p;) {
		size_t k = strcspn(p, ",");
		if (k == n && !memcmp(p, name, n))
			return;
		p += k + (p[k] == ',');
	}
	if (l->len)
		buf_addc(l, ',');
	buf_adds(l, name);
}

/* The query: $filter (user, --where, shard, since, and cond: the keyset
 * condition, when not NULL), $select, $expand, $orderby; top > 0: the
 * keyset's $orderby and $top. */
static int
query_url(struct x *x, struct buf *u, int incremental, const char *select_override,
          const char *cond, long top)
{
	struct ep_err e = EP_ERR_INIT;
	struct buf f = BUF_INIT;
	char sep = '?';

	if (nav_set_url(x->nav, u, x->set, &e) < 0)
		return fail_err(x, &e);
	if (x->filter.len)
		buf_add(&f, x->filter.p, x->filter.len);
	if (cond && *cond) {
		if (f.len)
			buf_adds(&f, " and ");
		buf_adds(&f, cond);
	} else if (incremental && x->start[0]) {
		if (f.len)
			buf_adds(&f, " and ");
		buf_addf(&f, "%s ge %s", x->mfield, x->start);
	}
	if (f.len) {
		buf_addf(u, "%c$filter=", sep);
		odata_pct(u, f.p, f.len, ODATA_QUERY);
		sep = '&';
	}
	buf_release(&f);
	if (select_override || x->o->select_arg) {
		const char *s = select_override;
		buf_addf(u, "%c$select=", sep);
		if (s)
			odata_pct(u, s, strlen(s), ODATA_QUERY);
		else {
			/* the user's fields, and what the keyset needs, each once */
			struct buf l = BUF_INIT;
			for (size_t i = 0; i < x->nsel; i++)
				list_add(&l, x->only[i]);
			for (size_t i = 0; top > 0 && i < x->nks; i++)
				list_add(&l, x->ks[i]);
			odata_pct(u, l.p, l.len, ODATA_QUERY);
			buf_release(&l);
		}
		sep = '&';
	}
	if (x->expand && !select_override) {
		buf_addf(u, "%c$expand=", sep);
		odata_pct(u, x->expand, strlen(x->expand), ODATA_QUERY);
		sep = '&';
	}
	if (top > 0) {
		buf_addf(u, "%c$orderby=", sep);
		for (size_t i = 0; i < x->nks; i++)
			buf_addf(u, "%s%s%%20asc", i ? "," : "", x->ks[i]);
		buf_addf(u, "&$top=%ld", top);
	}
	return 0;
}

/* ---- the keyset ------------------------------------------------------------------ */

struct ks_cb {
	struct x *x;
	odata_entity_fn fn;
	void *ud;
};

/* Every row read: its keyset values kept (the next page starts after the
 * last row read, written or not), then the row to fn. */
static int
ks_entity(void *ud, const char *obj, size_t len, struct ep_err *err)
{
	struct ks_cb *c = ud;
	struct x *x = c->x;

	for (size_t i = 0; i < x->nks; i++) {
		const char *v;
		size_t vl;
		if (odata_member(obj, len, x->ks[i], &v, &vl) != 1 ||
		    (vl == 4 && !memcmp(v, "null", 4)))
			return ep_errf(err, EP_UNAVAILABLE,
			               "%s: a record without '%s': cannot page "
			               "after it",
			               x->set, x->ks[i]);
		free(x->ks_last[i]);
		if ((x->ks_last[i] = strndup(v, vl)) == NULL)
			return ep_errf(err, EP_SOFTWARE, "out of memory");
	}
	return c->fn(c->ud, obj, len, err);
}

/* The keyset condition of a level: the fields before it equal to the last
 * row's, the field at it greater ("m eq M and k gt K"). */
static int
ks_cond(struct x *x, int level, struct buf *c)
{
	struct ep_err e = EP_ERR_INIT;

	buf_reset(c);
	for (int i = 0; i <= level; i++) {
		const struct odata_prop *p = odata_prop_find(x->et, x->ks[i]);
		cJSON *v = cJSON_Parse(x->ks_last[i]);
		int r;
		buf_addf(c, "%s%s %s ", i ? " and " : "", x->ks[i], i < level ? "eq" : "gt");
		r = p && v ? odata_literal_json(c, p, v, ODATA_RAW, &e) : -1;
		cJSON_Delete(v);
		if (r < 0)
			return fail(x, EP_UNAVAILABLE, "%s: cannot page after %s %s: %s", x->set,
			            x->ks[i], x->ks_last[i],
			            e.msg[0] ? e.msg : "not a value of it");
	}
	return 0;
}

/* Read the query to its end by keyset pages of top rows.  Level -1 is the
 * first page (the incremental lower bound); level L asks for the rows after
 * the last one that share its first L fields.  A full page (or one the
 * server cut, with a nextLink) goes on at the deepest level; an empty one
 * goes a level up; a short one too, once the server was seen to give full
 * pages or to cut them (else it may have cut silently: the next level down
 * is asked). */
static int
keyset_scan(struct x *x, odata_entity_fn fn, void *ud, int incremental, const char *select_override)
{
	struct ep_err e = EP_ERR_INIT;
	struct ks_cb cb = { x, fn, ud };
	struct buf u = BUF_INIT, cond = BUF_INIT;
	long top = x->xc->page_size > 0 ? x->xc->page_size : 1000, pages = 0;
	int level = -1, rc = 0;

	/* incremental: by modified-at, then the key; else by the key */
	x->nks = 0;
	if (incremental)
		x->ks[x->nks++] = x->mfield;
	for (size_t i = 0; i < x->nkeys; i++)
		x->ks[x->nks++] = x->keys[i];
	while (!x->r->done && !out_broken(x)) {
		struct odata_page pg;
		size_t rows;
		int more;

		buf_reset(&u);
		if (level >= 0 && ks_cond(x, level, &cond) < 0) {
			rc = -1;
			break;
		}
		if (query_url(x, &u, incremental, select_override, level >= 0 ? cond.p : NULL,
		              top) < 0) {
			rc = -1;
			break;
		}
		ep_info(pages ? 2 : 1, "GET %s", u.p);
		if (nav_page(x->nav, u.p, top, ks_entity, &cb, &pg, &e) < 0) {
			rc = fail_err(x, &e);
			break;
		}
		rows = pg.nvalues;
		more = pg.next_link != NULL; /* the server cut the page: never followed */
		odata_page_release(&pg);
		pages++;
		ops_page();
		ep_info(2, "page %ld: %zu records", pages, rows);
		if (pages == 1 && rows == 0 && nav_company_check(x->nav, &e) < 0) {
			rc = fail_err(x, &e); /* an unknown company answers as an empty set */
			break;
		}
		if (fn == odata_entity && extract_page_done(x->r) < 0)
			break;
		extract_full(x->r);
		if (x->xc->follow && stop_signal())
			break;
		if ((long)rows >= top || (rows > 0 && more)) {
			x->ks_proven = 1;
			level = (int)x->nks - 1;
		} else if (rows > 0 && !x->ks_proven) {
			level = (int)x->nks - 1;
		} else if (level-- <= 0) {
			break; /* the first query, or the outermost level, done */
		}
	}
	buf_release(&u);
	buf_release(&cond);
	return rc;
}

static int
scan_odata(struct x *x)
{
	if (x->empty_shard)
		return 0;
	return keyset_scan(x, odata_entity, x, x->incremental, NULL);
}

/* ---- shards: the sorted key list ----------------------------------------------- */

struct keylist {
	struct x *x;
	char **vals; /* per record, per key field: raw JSON value */
	size_t n, cap;
};

static int
key_entity(void *ud, const char *obj, size_t len, struct ep_err *err)
{
	struct keylist *kl = ud;
	struct x *x = kl->x;

	if (kl->n == kl->cap) {
		size_t nc = kl->cap ? kl->cap * 2 : 1024;
		char **v = realloc(kl->vals, nc * x->nkeys * sizeof(char *));
		if (v == NULL)
			return ep_errf(err, EP_SOFTWARE, "out of memory");
		kl->vals = v;
		kl->cap = nc;
	}
	for (size_t i = 0; i < x->nkeys; i++) {
		const char *v;
		size_t vl;
		if (odata_member(obj, len, x->keys[i], &v, &vl) != 1)
			return ep_errf(err, EP_UNAVAILABLE, "%s: a key without '%s'", x->set,
			               x->keys[i]);
		kl->vals[kl->n * x->nkeys + i] = strndup(v, vl);
	}
	kl->n++;
	return 0;
}

static int
shard_bound(struct x *x, const struct odata_prop *p, const char *op, const char *raw)
{
	struct ep_err e = EP_ERR_INIT;
	cJSON *v = cJSON_Parse(raw);
	int r;

	if (x->filter.len)
		buf_adds(&x->filter, " and ");
	buf_addf(&x->filter, "%s %s ", p->name, op);
	r = odata_literal_json(&x->filter, p, v, ODATA_RAW, &e);
	cJSON_Delete(v);
	return r < 0 ? fail_err(x, &e) : 0;
}

/* The sorted key list and its distinct values of the first key field that
 * varies: what --shard splits. */
struct shard_keys {
	struct keylist kl;
	size_t field;     /* the key field split on */
	size_t m;         /* distinct values */
	size_t *distinct; /* index in kl of each distinct value's first row */
};

static void
shard_keys_free(struct shard_keys *sk)
{
	for (size_t j = 0; j < sk->kl.n * sk->kl.x->nkeys; j++)
		free(sk->kl.vals[j]);
	free(sk->kl.vals);
	free(sk->distinct);
}

static int
read_keys(struct x *x, struct shard_keys *sk)
{
	struct buf sel = BUF_INIT;
	int rc;

	memset(sk, 0, sizeof(*sk));
	sk->kl.x = x;
	for (size_t i = 0; i < x->nkeys; i++)
		buf_addf(&sel, "%s%s", i ? "," : "", x->keys[i]);
	ep_info(1, "shards of %s: reading the keys", x->set);
	rc = keyset_scan(x, key_entity, &sk->kl, 0, sel.p);
	buf_release(&sel);
	if (rc < 0)
		return -1;
	/* the first key field that varies: the list is sorted by it */
	for (sk->field = 0; sk->field < x->nkeys; sk->field++) {
		size_t j;
		for (j = 1; j < sk->kl.n; j++)
			if (strcmp(sk->kl.vals[j * x->nkeys + sk->field], sk->kl.vals[sk->field]) !=
			    0)
				break;
		if (j < sk->kl.n)
			break;
	}
	if (sk->field == x->nkeys)
		sk->field = x->nkeys - 1;
	if ((sk->distinct = calloc(sk->kl.n + 1, sizeof(size_t))) == NULL)
		return fail(x, EP_SOFTWARE, "out of memory");
	for (size_t j = 0; j < sk->kl.n; j++)
		if (j == 0 ||
		    strcmp(sk->kl.vals[j * x->nkeys + sk->field],
		           sk->kl.vals[sk->distinct[sk->m - 1] * x->nkeys + sk->field]) != 0)
			sk->distinct[sk->m++] = j;
	return 0;
}

/* Shard k/n of the distinct values: *ge / *lt the raw JSON bounds (NULL:
 * open), *empty when it holds none. */
static void
shard_of(const struct shard_keys *sk, size_t k, size_t n, const char **ge, const char **lt,
         int *empty)
{
	size_t m = sk->m, nk = sk->kl.x->nkeys;
	size_t lo = (k - 1) * m / n, hi = k * m / n; /* distinct values [lo, hi) */

	*ge = *lt = NULL;
	*empty = 0;
	if (m == 0) {
		*empty = k < n;
		return;
	}
	if ((k > 1 && lo >= m) || (k < n && lo == hi)) {
		*empty = 1;
		return;
	}
	if (k > 1)
		*ge = sk->kl.vals[sk->distinct[lo] * nk + sk->field];
	if (k < n)
		*lt = sk->kl.vals[sk->distinct[hi] * nk + sk->field];
}

/* --shard-plan N: the key ranges of N shards, one line each */
static int
shard_plan(struct x *x, const char *stream)
{
	struct shard_keys sk;
	struct ep_err e = EP_ERR_INIT;
	int rc = 0;

	if (read_keys(x, &sk) < 0) {
		shard_keys_free(&sk);
		return -1;
	}
	for (int k = 1; rc == 0 && k <= x->xc->shard_plan; k++) {
		const char *ge, *lt;
		cJSON *g, *l;
		int empty;

		shard_of(&sk, (size_t)k, (size_t)x->xc->shard_plan, &ge, &lt, &empty);
		g = ge ? cJSON_Parse(ge) : NULL;
		l = lt ? cJSON_Parse(lt) : NULL;
		if ((ge && !g) || (lt && !l))
			rc = fail(x, EP_UNAVAILABLE, "%s: a key value that is not JSON", x->set);
		else if (extract_shard_plan_emit(&x->r->out, stream, k, x->xc->shard_plan,
		                                 x->keys[sk.field], g, l, empty, &e) < 0)
			rc = fail_err(x, &e);
		cJSON_Delete(g);
		cJSON_Delete(l);
	}
	shard_keys_free(&sk);
	return rc;
}

/* --shard K/N --shard-plan-file FILE: the bounds from the plan, no keys read */
static int
plan_bounds(struct x *x, const char *stream)
{
	struct extract_shard_bounds b;
	struct ep_err e = EP_ERR_INIT;
	const struct odata_prop *p = NULL;
	char *ge = NULL, *lt = NULL;
	int rc = 0;

	if (extract_shard_plan_read(x->xc->shard_plan_file, stream, &b, &e) < 0)
		return fail_err(x, &e);
	for (size_t i = 0; i < x->nkeys && !p; i++)
		if (strcmp(x->keys[i], b.field) == 0)
			p = odata_prop_find(x->et, b.field);
	if (p == NULL)
		rc = fail(x, EP_DATAERR, "%s: '%s' is not a key of %s", x->xc->shard_plan_file,
		          b.field, x->set);
	else if (b.empty)
		x->empty_shard = 1;
	else if ((b.ge && (ge = json_tree_print(b.ge)) == NULL) ||
	         (b.lt && (lt = json_tree_print(b.lt)) == NULL))
		rc = fail(x, EP_SOFTWARE, "out of memory");
	else if ((ge && shard_bound(x, p, "ge", ge) < 0) || (lt && shard_bound(x, p, "lt", lt) < 0))
		rc = -1;
	if (rc == 0)
		ep_info(1, "shard %d/%d from %s: %s", x->xc->shard_k, x->xc->shard_n,
		        x->xc->shard_plan_file,
		        x->empty_shard  ? "empty"
		        : x->filter.len ? x->filter.p
		                        : "everything");
	free(ge);
	free(lt);
	extract_shard_bounds_free(&b);
	return rc;
}

static int
setup_shard(struct x *x, const char *stream)
{
	struct shard_keys sk;
	const struct odata_prop *p;
	const char *ge, *lt;
	int rc = -1;

	if (!x->xc->shard_n)
		return 0;
	if (x->xc->shard_plan_file)
		return plan_bounds(x, stream);
	if (read_keys(x, &sk) < 0)
		goto done;
	p = odata_prop_find(x->et, x->keys[sk.field]);
	shard_of(&sk, (size_t)x->xc->shard_k, (size_t)x->xc->shard_n, &ge, &lt, &x->empty_shard);
	if (!x->empty_shard &&
	    ((ge && shard_bound(x, p, "ge", ge) < 0) || (lt && shard_bound(x, p, "lt", lt) < 0)))
		goto done;
	ep_info(1, "shard %d/%d of %zu keys (%zu values of %s): %s", x->xc->shard_k, x->xc->shard_n,
	        sk.kl.n, sk.m, x->keys[sk.field],
	        x->empty_shard  ? "empty"
	        : x->filter.len ? x->filter.p
	                        : "everything");
	rc = 0;
done:
	shard_keys_free(&sk);
	return rc;
}

/* ---- SOAP --------------------------------------------------------------------------- */

static int
scan_soap(struct x *x)
{
	struct ep_err e = EP_ERR_INIT;
	struct buf env = BUF_INIT, bookmark = BUF_INIT, crit = BUF_INIT;
	struct navsoap_fault fault;
	struct navsoap_filter f[MAX_WHERE + 2];
	size_t nf = x->nsf, nrec;
	int rc = 0;

	memcpy(f, x->sf, sizeof(f[0]) * x->nsf);
	if (x->incremental && x->start[0]) {
		buf_addf(&crit, ">=%s", x->start);
		f[nf].field = x->mfield;
		f[nf++].criteria = crit.p;
	}
	for (;;) {
		buf_reset(&env);
		if (navsoap_read_multiple(&env, x->page, f, nf, bookmark.len ? bookmark.p : NULL,
		                          x->xc->page_size) < 0) {
			rc = fail(x, EP_SOFTWARE, "out of memory");
			break;
		}
		int r = nav_soap(x->nav, x->page, "ReadMultiple", env.p, env.len, soap_entity, x,
		                 &nrec, &fault, &e);
		if (r < 0) {
			rc = fail_err(x, &e);
			break;
		}
		if (r == 1) {
			rc = fail(x, EP_DATAERR, "%s ReadMultiple: %s: %s", x->set, fault.code,
			          fault.string);
			break;
		}
		ep_info(2, "ReadMultiple: %zu records", nrec);
		/* NAV's advice: read until a page comes back empty */
		if (extract_page_done(x->r) < 0 || nrec == 0 || x->r->done || out_broken(x))
			break;
		if (extract_full(x->r))
			break;
		if (x->xc->follow && stop_signal())
			break;
		buf_reset(&bookmark);
		buf_add(&bookmark, x->last_key.p, x->last_key.len);
	}
	buf_release(&env);
	buf_release(&bookmark);
	buf_release(&crit);
	return rc;
}

/* ---- --count, --describe, --list ---------------------------------------------------- */

static int
count(struct x *x, long long *out)
{
	struct ep_err e = EP_ERR_INIT;
	struct buf u = BUF_INIT;
	struct http_resp resp;
	const char *hdrs[] = { "Accept: text/plain", NULL };
	struct nav_req rq = { NULL, NULL, hdrs, NULL, 0, NULL, 0 };
	char *q;
	int rc = 0;

	*out = 0;
	if (x->empty_shard)
		return 0;
	if (query_url(x, &u, x->incremental, NULL, NULL, 0) < 0) {
		buf_release(&u);
		return -1;
	}
	/* SET/$count?$filter=…: the query goes after /$count */
	{
		struct buf c = BUF_INIT;
		q = strchr(u.p + strlen(nav_root(x->nav)), '?');
		buf_add(&c, u.p, q ? (size_t)(q - u.p) : u.len);
		buf_adds(&c, "/$count");
		if (q) {
			/* no $orderby, $select or $expand with $count */
			char *o = strstr(q, "&$orderby=");
			buf_add(&c, q, o ? (size_t)(o - q) : strlen(q));
		}
		buf_release(&u);
		u = c;
	}
	http_resp_init(&resp);
	rq.url = u.p;
	if (nav_request(x->nav, &rq, &resp, NULL, &e) != 0) {
		rc = fail_err(x, &e);
	} else {
		long long n = -1;
		char *end = NULL;
		buf_addc(&resp.body, '\0');
		if (resp.body.p && resp.body.p[strspn(resp.body.p, " \r\n")] == '{') {
			/* a server that answers in JSON: {"value":[{"@odata.count":0}]} */
			cJSON *j = cJSON_Parse(resp.body.p), *c;
			c = cJSON_GetObjectItemCaseSensitive(j, "@odata.count");
			if (c == NULL)
				c = cJSON_GetObjectItemCaseSensitive(
					cJSON_GetArrayItem(
						cJSON_GetObjectItemCaseSensitive(j, "value"), 0),
					"@odata.count");
			if (cJSON_IsNumber(c) && c->valuedouble >= 0)
				n = (long long)c->valuedouble;
			cJSON_Delete(j);
		} else if (resp.body.p) {
			n = strtoll(resp.body.p, &end, 10);
			while (*end == ' ' || *end == '\n' || *end == '\r')
				end++;
			if (end == resp.body.p || *end != '\0')
				n = -1;
		}
		if (n < 0)
			rc = fail(x, EP_UNAVAILABLE, "GET %s: not a count", u.p);
		else if (n == 0 && nav_company_check(x->nav, &e) < 0)
			rc = fail_err(x, &e); /* an unknown company counts 0 */
		else
			*out = n;
	}
	http_resp_release(&resp);
	buf_release(&u);
	return rc;
}

static cJSON *
prop_schema(enum odata_kind k, const struct odata_prop *p)
{
	cJSON *s = cJSON_CreateObject();

	switch (k) {
	case ODATA_INT:
		cJSON_AddStringToObject(s, "type", "integer");
		break;
	case ODATA_DECIMAL:
		cJSON_AddStringToObject(s, "type", "number");
		break;
	case ODATA_BOOL:
		cJSON_AddStringToObject(s, "type", "boolean");
		break;
	case ODATA_DATE:
		cJSON_AddStringToObject(s, "type", "string");
		cJSON_AddStringToObject(s, "format", "date");
		break;
	case ODATA_DATETIME:
		cJSON_AddStringToObject(s, "type", "string");
		cJSON_AddStringToObject(s, "format", "date-time");
		break;
	case ODATA_GUID:
		cJSON_AddStringToObject(s, "type", "string");
		cJSON_AddStringToObject(s, "format", "uuid");
		break;
	case ODATA_ENUM:
		cJSON_AddStringToObject(s, "type", "string");
		if (p && p->enumt) {
			cJSON *en = cJSON_AddArrayToObject(s, "enum");
			for (size_t i = 0; i < p->enumt->nmembers; i++)
				cJSON_AddItemToArray(en, cJSON_CreateString(p->enumt->members[i]));
		}
		break;
	case ODATA_OTHER:
		break;
	default:
		cJSON_AddStringToObject(s, "type", "string");
		if (p && p->max_len > 0)
			cJSON_AddNumberToObject(s, "maxLength", (double)p->max_len);
	}
	if (p) {
		cJSON_AddStringToObject(s, "x-nav-type", p->type);
		if (p->computed)
			cJSON_AddTrueToObject(s, "readOnly");
	}
	return s;
}

static int
wanted(struct x *x, const char *name)
{
	if (!x->only[0])
		return 1;
	for (size_t i = 0; i < x->nonly; i++)
		if (strcmp(x->only[i], name) == 0)
			return 1;
	return 0;
}

/* The fields as a JSON Schema, the key in x-nav-key (--describe, and
 * Singer's SCHEMA). */
static cJSON *
describe_schema(struct x *x)
{
	cJSON *s = cJSON_CreateObject(), *props, *req, *keys;

	cJSON_AddStringToObject(s, "$schema", "https://json-schema.org/draft/2020-12/schema");
	cJSON_AddStringToObject(s, "title", x->set);
	cJSON_AddStringToObject(s, "type", "object");
	props = cJSON_AddObjectToObject(s, "properties");
	req = cJSON_AddArrayToObject(s, "required");
	keys = cJSON_AddArrayToObject(s, "x-nav-key");
	if (x->soap) {
		for (size_t i = 0; i < x->page->nfields; i++)
			if (wanted(x, x->page->fields[i].name))
				cJSON_AddItemToObject(props, x->page->fields[i].name,
				                      prop_schema(x->page->fields[i].kind, NULL));
		for (size_t i = 0; i < x->page->nkeys; i++)
			cJSON_AddItemToArray(keys, cJSON_CreateString(x->page->keys[i]));
	} else {
		for (size_t i = 0; i < x->et->nprops; i++) {
			const struct odata_prop *p = &x->et->props[i];
			if (!wanted(x, p->name))
				continue;
			cJSON_AddItemToObject(props, p->name, prop_schema(p->kind, p));
			if (p->key || !p->nullable)
				cJSON_AddItemToArray(req, cJSON_CreateString(p->name));
		}
		for (size_t i = 0; i < x->et->nkeys; i++)
			cJSON_AddItemToArray(keys,
			                     cJSON_CreateString(x->et->props[x->et->keys[i]].name));
	}
	return s;
}

static int
list_sets(struct x *x)
{
	struct ep_err e = EP_ERR_INIT;
	const struct odata_md *md = nav_metadata(x->nav, &e);

	if (md == NULL)
		return fail_err(x, &e);
	for (size_t i = 0; i < md->nsets; i++)
		extract_line(x->r, md->set_names[i], strlen(md->set_names[i]));
	return 0;
}

/* ---- setup ---------------------------------------------------------------------------- */

static int
setup_fields(struct x *x)
{
	struct ep_err e = EP_ERR_INIT;
	static const char *const auto_fields[] = { "SystemModifiedAt", "lastModifiedDateTime",
		                                   "Last_Date_Modified" };

	if (x->o->select_arg) {
		struct fields_iter it;
		struct field_ref f;
		char *tok;

		if ((x->select_copy = strdup(x->o->select_arg)) == NULL)
			return fail(x, EP_SOFTWARE, "out of memory");
		fields_init(&it, x->select_copy, FIELDS_TRIM | FIELDS_SKIP_EMPTY);
		while (fields_next(&it, &f) > 0) {
			tok = x->select_copy + (f.item - x->select_copy);
			tok[f.len] = '\0'; /* the comma: past it already */
			if (x->nonly + 1 >= MAX_SELECT)
				return fail(x, EP_USAGE, "--select: more than %d fields",
				            MAX_SELECT - 1);
			x->only[x->nonly++] = tok;
		}
		if (x->nonly == 0)
			return fail(x, EP_USAGE, "--select: no field named");
		x->nsel = x->nonly;
		if (x->expand)
			x->only[x->nonly++] = (char *)x->expand;
	}
	if (x->soap) {
		if ((x->page = nav_soap_page(x->nav, x->set, &e)) == NULL)
			return fail_err(x, &e);
		for (size_t i = 0; i < x->nonly; i++)
			if (!navsoap_field(x->page, x->only[i]))
				return fail(x, EP_USAGE, "--select: the page %s has no field '%s'",
				            x->set, x->only[i]);
		for (size_t i = 0; i < x->page->nkeys && i < 16; i++)
			x->keys[x->nkeys++] = x->page->keys[i];
	} else {
		const struct odata_md *md = nav_metadata(x->nav, &e);
		if (md == NULL)
			return fail_err(x, &e);
		if ((x->et = odata_md_entity(md, x->set)) == NULL) {
			struct buf l = BUF_INIT;
			for (size_t i = 0; i < md->nsets && i < 40; i++)
				buf_addf(&l, "%s%s", i ? ", " : "", md->set_names[i]);
			fail(x, EP_USAGE, "the service publishes no entity set '%s' (it has: %s%s)",
			     x->set, l.len ? l.p : "none", md->nsets > 40 ? ", ..." : "");
			buf_release(&l);
			return -1;
		}
		for (size_t i = 0; i < x->nonly; i++)
			if (!odata_prop_find(x->et, x->only[i])) {
				int nav = 0;
				for (size_t k = 0; k < x->et->nnavs; k++)
					nav |= !strcmp(x->et->navs[k], x->only[i]);
				if (!nav)
					return fail(x, EP_USAGE, "--select: '%s' has no field '%s'",
					            x->et->qname, x->only[i]);
			}
		if (x->expand) {
			size_t k;
			for (k = 0; k < x->et->nnavs && strcmp(x->et->navs[k], x->expand); k++)
				;
			if (k == x->et->nnavs)
				return fail(x, EP_USAGE,
				            "--expand: '%s' has no navigation property '%s'",
				            x->et->qname, x->expand);
		}
		for (size_t i = 0; i < x->et->nkeys && i < 16; i++)
			x->keys[x->nkeys++] = x->et->props[x->et->keys[i]].name;
	}
	if (x->nkeys == 0)
		return fail(x, EP_UNAVAILABLE, "%s: no key fields declared", x->set);
	/* --where and --filter */
	for (int i = 0; i < x->o->nwhere; i++) {
		if (x->soap) {
			struct buf *fb = &x->sfbuf[2 * x->nsf], *cb = &x->sfbuf[2 * x->nsf + 1];
			if (navsoap_where(fb, cb, x->page, x->o->where[i], &e) < 0)
				return fail_err(x, &e);
			x->sf[x->nsf].field = fb->p;
			x->sf[x->nsf++].criteria = cb->p;
		} else if (odata_where(&x->filter, x->et, x->o->where[i], &e) < 0) {
			return fail_err(x, &e);
		}
	}
	if (x->o->filter_arg) {
		struct buf f = BUF_INIT;
		buf_addf(&f, "(%s)", x->o->filter_arg);
		if (x->filter.len)
			buf_addf(&f, " and %s", x->filter.p);
		buf_release(&x->filter);
		x->filter = f;
	}
	if (!x->incremental)
		return 0;
	/* the modified-at field */
	if (x->o->since_field) {
		x->mfield = x->o->since_field;
	} else {
		for (size_t i = 0; i < 3 && !x->mfield; i++)
			if (x->soap ? navsoap_field(x->page, auto_fields[i]) != NULL
			            : odata_prop_find(x->et, auto_fields[i]) != NULL)
				x->mfield = auto_fields[i];
		if (x->mfield == NULL)
			return fail(x, EP_USAGE,
			            "%s has no SystemModifiedAt, lastModifiedDateTime or "
			            "Last_Date_Modified: give --since-field",
			            x->set);
	}
	if (x->soap) {
		const struct navsoap_field *f = navsoap_field(x->page, x->mfield);
		x->mkind = f ? f->kind : ODATA_OTHER;
	} else {
		const struct odata_prop *p = odata_prop_find(x->et, x->mfield);
		x->mkind = p ? p->kind : ODATA_OTHER;
	}
	if (x->mkind != ODATA_DATETIME && x->mkind != ODATA_DATE)
		return fail(x, EP_USAGE, "--since-field '%s': want a date or datetime field of %s",
		            x->mfield, x->set);
	return 0;
}

/* "YYYY-MM-DD HH:MM:SS" as the filter literal of the modified-at field,
 * with frac (".123", the mark's fraction of a second) when not NULL */
static void
set_start(struct x *x, const char *ts, const char *frac, size_t nfrac)
{
	if (x->mkind == ODATA_DATE)
		snprintf(x->start, sizeof(x->start), "%.10s", ts);
	else
		snprintf(x->start, sizeof(x->start), "%.10sT%.8s%.*sZ", ts, ts + 11,
		         frac ? (int)(nfrac > 10 ? 10 : nfrac) : 0, frac ? frac : "");
}

/* The next poll's start: the mark minus the overlap (whole seconds, so the
 * mark's fraction of a second is kept); a date field re-reads at least the
 * day before the mark. */
static int
restart_from(struct x *x, const char *mark_norm, const char *mark_raw)
{
	char t[DT_TS_LEN];
	int64_t back = x->xc->overlap_ms / 1000;
	const char *frac = NULL, *tt = strchr(mark_raw, 'T');
	size_t nfrac = 0;

	if (x->mkind == ODATA_DATE && back < 86400)
		back = 86400;
	if (dt_ts_add(mark_norm, -back, t) < 0)
		return -1;
	if (tt && (frac = strchr(tt, '.')) != NULL) {
		nfrac = 1;
		while (frac[nfrac] >= '0' && frac[nfrac] <= '9')
			nfrac++;
	}
	set_start(x, t, frac, nfrac);
	extract_forget(x->r, t);
	return 0;
}

/* ---- the source ------------------------------------------------------------------- */

static int
n_start(void *s, struct extract_run *r, const cJSON *pos, struct ep_err *err)
{
	struct x *x = s;
	const cJSON *v, *k;
	char norm[DT_TS_LEN];

	(void)err;
	if (!x->incremental)
		return 0;
	if (x->xc->since[0]) {
		set_start(x, x->xc->since, NULL, 0); /* exactly from there, no overlap */
		return 0;
	}
	x->start[0] = '\0'; /* everything */
	if (pos == NULL)
		return 0;
	v = cJSON_GetObjectItemCaseSensitive(pos, x->mfield);
	k = cJSON_GetObjectItemCaseSensitive(pos, "key");
	if (!cJSON_IsString(v) || norm_time(v->valuestring, norm) < 0 ||
	    restart_from(x, norm, v->valuestring) < 0)
		return fail(x, EP_DATAERR,
		            "state file '%s': the position of '%s' wants "
		            "%s (a date or an ISO 8601 time)",
		            x->xc->state, r->stream, x->mfield);
	snprintf(x->mark, sizeof(x->mark), "%s", v->valuestring);
	memcpy(x->mark_norm, norm, sizeof(norm));
	if (cJSON_IsObject(k)) {
		char *t = json_tree_print(k);
		if (t)
			buf_adds(&x->mark_key, t);
		free(t);
	}
	return 0;
}

static int
n_open(void *s, struct extract_run *r, const char **who, const char **entity, struct ep_err *err)
{
	struct x *x = s;
	struct nav_conn nc;

	x->r = r;
	if ((x->profile = conn_profile(&x->xc->conn, "nav", err)) == NULL ||
	    nav_conn_from_profile(&nc, x->profile, &x->o->nf, err) < 0 ||
	    (x->nav = nav_open(&nc, &x->xc->conn.http, err)) == NULL)
		return -1;
	ep_info(1, "%s (company %s)", nav_root(x->nav), nc.company ? nc.company : "default");
	*who = cfg_name(x->profile) ? cfg_name(x->profile) : nc.company ? nc.company : "-";
	*entity = x->set ? x->set : "";
	return 0;
}

static int
n_prepare(void *s, struct extract_run *r, struct ep_err *err)
{
	struct x *x = s;

	(void)r;
	(void)err;
	if (x->o->list)
		return list_sets(x) < 0 ? -1 : 1;
	return setup_fields(x);
}

static cJSON *
n_schema(void *s, struct extract_run *r, cJSON **keys, struct ep_err *err)
{
	struct x *x = s;
	cJSON *sch = describe_schema(x);

	(void)r;
	(void)err;
	*keys = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(sch, "x-nav-key"), 1);
	return sch;
}

static int
n_shard_plan(void *s, struct extract_run *r, struct ep_err *err)
{
	(void)err;
	return shard_plan(s, r->stream);
}

static int
n_shard(void *s, struct extract_run *r, struct ep_err *err)
{
	struct x *x = s;

	(void)err;
	return x->soap ? 0 : setup_shard(x, r->stream);
}

static int
n_count(void *s, struct extract_run *r, long long *n, struct ep_err *err)
{
	(void)r;
	(void)err;
	return count(s, n);
}

static int
n_poll(void *s, struct extract_run *r, struct ep_err *err)
{
	struct x *x = s;

	(void)r;
	(void)err;
	return x->soap ? scan_soap(x) : scan_odata(x);
}

static int
n_restart(void *s, struct extract_run *r, char prune[64], struct ep_err *err)
{
	struct x *x = s;

	(void)r;
	(void)prune; /* restart_from prunes */
	(void)err;
	if (x->mark_norm[0])
		restart_from(x, x->mark_norm, x->mark);
	return 0;
}

static long
n_requests(void *s)
{
	struct x *x = s;

	return x->nav ? nav_requests(x->nav) : 0L;
}

static void
n_close(void *s)
{
	struct x *x = s;

	nav_close(x->nav);
	cfg_profile_free(x->profile);
	buf_release(&x->filter);
	buf_release(&x->rec);
	buf_release(&x->key);
	buf_release(&x->tmp);
	buf_release(&x->last_key);
	buf_release(&x->mark_key);
	for (size_t i = 0; i < sizeof(x->sfbuf) / sizeof(x->sfbuf[0]); i++)
		buf_release(&x->sfbuf[i]);
	free(x->select_copy);
	for (size_t i = 0; i < sizeof(x->ks_last) / sizeof(x->ks_last[0]); i++)
		free(x->ks_last[i]);
}

static const struct extract_source_ops nav_source = {
	.system = "nav",
	.open = n_open,
	.prepare = n_prepare,
	.schema = n_schema,
	.shard_plan = n_shard_plan,
	.shard = n_shard,
	.start = n_start,
	.count = n_count,
	.poll = n_poll,
	.position = n_position,
	.restart = n_restart,
	.requests = n_requests,
	.close = n_close,
};

int
extract_nav(struct extract_cfg *c, const struct extract_nav_opts *o)
{
	struct x x;
	struct extract_source src = { &nav_source, &x };

	memset(&x, 0, sizeof(x));
	x.xc = c;
	x.o = o;
	x.set = o->set;
	x.expand = o->expand;
	x.keep_etag = o->keep_etag;
	x.soap = o->soap;
	x.incremental = !o->list && !c->describe && (c->since[0] || c->state || c->follow);
	x.checkpoints = x.incremental && (c->state || c->follow);
	return extract_run(c, &src);
}
