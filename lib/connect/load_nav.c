#include "connect/load_nav.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connect/extract.h"
#include "stream/json_tree.h"
#include "base/log.h"

struct load_nav {
	struct load_nav_cfg cfg;
	const struct odata_md *md; /* OData */
	const struct odata_etype *et;
	const struct navsoap_page *pg; /* SOAP */
	int by_key;                    /* --key is the entity's own key */
	const char *seg;               /* "Company('…')/" */
	struct buf url, body, tmp;
};

struct ln_item {
	char *etag;   /* OData ETag, or the SOAP Key */
	cJSON *lines; /* navigation properties held back for the create */
};

enum wop { W_CREATE, W_UPDATE, W_REMOVE };

static int
oom(struct load_error *e)
{
	return load_errf(e, EP_SOFTWARE, NULL, "out of memory");
}

static struct ln_item *
ti(struct load_item *it)
{
	if (it->tdata == NULL)
		it->tdata = calloc(1, sizeof(struct ln_item));
	return it->tdata;
}

static void
ln_item_free(void *t, struct load_item *it)
{
	struct ln_item *x = it->tdata;
	(void)t;
	if (x) {
		free(x->etag);
		cJSON_Delete(x->lines);
		free(x);
	}
	it->tdata = NULL;
}

static void
set_etag(struct load_item *it, const char *etag)
{
	struct ln_item *x = ti(it);
	if (x == NULL)
		return;
	free(x->etag);
	x->etag = etag ? strdup(etag) : NULL;
}

static const char *
etag_of(struct load_item *it)
{
	struct ln_item *x = it->tdata;
	return x && x->etag ? x->etag : NULL;
}

/* The fields (names) the entity has: OData properties or SOAP fields. */
static int
has_field(const struct load_nav *ln, const char *name)
{
	return ln->cfg.soap ? navsoap_field(ln->pg, name) != NULL
	                    : odata_prop_find(ln->et, name) != NULL;
}

static int
is_nav_prop(const struct load_nav *ln, const char *name)
{
	if (ln->cfg.soap)
		return 0;
	for (size_t i = 0; i < ln->et->nnavs; i++)
		if (strcmp(ln->et->navs[i], name) == 0)
			return 1;
	return 0;
}

static enum odata_kind
kind_of(const struct load_nav *ln, const char *name, const struct odata_prop **pp)
{
	*pp = NULL;
	if (ln->cfg.soap) {
		const struct navsoap_field *f = navsoap_field(ln->pg, name);
		return f ? f->kind : ODATA_STRING;
	}
	*pp = odata_prop_find(ln->et, name);
	return *pp ? (*pp)->kind : ODATA_STRING;
}

/* ---- setup ------------------------------------------------------------------------ */

struct load_nav *
load_nav_new(const struct load_nav_cfg *cfg, struct ep_err *err)
{
	struct load_nav *ln = calloc(1, sizeof(*ln));
	size_t nk;

	if (ln == NULL) {
		ep_errf(err, EP_SOFTWARE, "out of memory");
		return NULL;
	}
	ln->cfg = *cfg;
	if (cfg->soap) {
		if ((ln->pg = nav_soap_page(cfg->nav, cfg->set, err)) == NULL)
			goto fail;
		nk = ln->pg->nkeys;
	} else {
		const struct odata_md *md = nav_metadata(cfg->nav, err);
		if (md == NULL)
			goto fail;
		ln->md = md;
		if ((ln->et = odata_md_entity(md, cfg->set)) == NULL) {
			ep_errf(err, EP_USAGE, "the service publishes no entity set '%s'",
			        cfg->set);
			goto fail;
		}
		if ((ln->seg = nav_company_seg(cfg->nav, err)) == NULL)
			goto fail;
		nk = ln->et->nkeys;
	}
	for (size_t i = 0; i < cfg->nkey; i++)
		if (!has_field(ln, cfg->key[i])) {
			ep_errf(err, EP_USAGE, "--key: %s has no field '%s'", cfg->set,
			        cfg->key[i]);
			goto fail;
		}
	/* --key names the entity's key (in any order): read by key */
	ln->by_key = cfg->nkey == nk;
	for (size_t i = 0; ln->by_key && i < nk; i++) {
		const char *k = cfg->soap ? ln->pg->keys[i] : ln->et->props[ln->et->keys[i]].name;
		size_t j;
		for (j = 0; j < cfg->nkey && strcmp(cfg->key[j], k); j++)
			;
		ln->by_key = j < cfg->nkey;
	}
	return ln;
fail:
	free(ln);
	return NULL;
}

void
load_nav_free(struct load_nav *ln)
{
	if (ln == NULL)
		return;
	buf_release(&ln->url);
	buf_release(&ln->body);
	buf_release(&ln->tmp);
	free(ln);
}

/* ---- values -------------------------------------------------------------------- */

/* An option caption from a member name: _x0020_ -> " " */
static void
decode_member(const char *s, struct buf *out)
{
	buf_reset(out);
	while (*s) {
		unsigned v;
		int n = 0;
		if (s[0] == '_' && s[1] == 'x' && sscanf(s + 2, "%4x%n", &v, &n) == 1 && n == 4 &&
		    s[6] == '_') {
			buf_addc(out, (int)(v < 0x80 ? v : '?'));
			s += 7;
		} else {
			buf_addc(out, *s++);
		}
	}
}

static int
num_of(const cJSON *v, double *d)
{
	char *end;
	if (cJSON_IsNumber(v)) {
		*d = v->valuedouble;
		return 1;
	}
	if (cJSON_IsString(v) && v->valuestring[0]) {
		*d = strtod(v->valuestring, &end);
		return *end == '\0';
	}
	return 0;
}

static int
time_same(const char *a, const char *b)
{
	char na[DT_TS_LEN], nb[DT_TS_LEN];
	struct ep_err e;
	const char *fa = strchr(a, '.'), *fb = strchr(b, '.');
	double xa = fa ? strtod(fa, NULL) : 0, xb = fb ? strtod(fb, NULL) : 0;

	if (dt_ts_parse(a, na, &e) < 0 || dt_ts_parse(b, nb, &e) < 0)
		return strcmp(a, b) == 0;
	return strcmp(na, nb) == 0 && fabs(xa - xb) < 1e-9;
}

static int
value_same(const struct load_nav *ln, const char *name, const cJSON *given, const cJSON *cur)
{
	const struct odata_prop *p;
	enum odata_kind k = kind_of(ln, name, &p);
	double a, b;

	if (given == NULL || cur == NULL)
		return given == cur;
	switch (k) {
	case ODATA_INT:
	case ODATA_DECIMAL:
		/* the same double, no tolerance: 1000000000.5 is not 1000000000 */
		if (num_of(given, &a) && num_of(cur, &b))
			return a == b;
		break;
	case ODATA_ENUM:
		if (cJSON_IsString(given) && cJSON_IsString(cur)) {
			struct buf g = BUF_INIT, c = BUF_INIT;
			int same;
			decode_member(given->valuestring, &g);
			decode_member(cur->valuestring, &c);
			same = strcmp(buf_str(&g), buf_str(&c)) == 0 ||
			       strcmp(given->valuestring, cur->valuestring) == 0;
			/* SOAP: _blank_, Credit_Memo */
			if (!same && !strcmp(given->valuestring, "_blank_"))
				same = !strcmp(buf_str(&c), " ") || !strcmp(buf_str(&c), "");
			buf_release(&g);
			buf_release(&c);
			return same;
		}
		break;
	case ODATA_DATETIME:
		if (cJSON_IsString(given) && cJSON_IsString(cur))
			return time_same(given->valuestring, cur->valuestring);
		break;
	case ODATA_GUID:
		if (cJSON_IsString(given) && cJSON_IsString(cur))
			return strcasecmp(given->valuestring, cur->valuestring) == 0;
		break;
	default:
		break;
	}
	return json_tree_equal(given, cur);
}

static int
ln_same(void *t, const struct load_item *it, const char *name, const cJSON *given, const cJSON *cur)
{
	const struct load_nav *ln = t;
	const struct odata_prop *p;
	(void)it;
	/* Core.Immutable: set on create, never sent in an update */
	if (!ln->cfg.soap && (p = odata_prop_find(ln->et, name)) != NULL && p->immutable && !p->key)
		return 1;
	return value_same(t, name, given, cur);
}

/* ---- check: one record, no network -------------------------------------------------- */

/* The lines of a deep insert as the server takes them: no annotations
 * (@odata.etag of an extract with --expand), no field the lines' type
 * computes, at any depth. */
static void
clean_lines(const struct load_nav *ln, const struct odata_etype *t, cJSON *v, int depth)
{
	cJSON *f, *next;

	if (depth > 16)
		return;
	if (cJSON_IsArray(v)) {
		cJSON_ArrayForEach(f, v)
			clean_lines(ln, t, f, depth + 1);
		return;
	}
	if (!cJSON_IsObject(v))
		return;
	for (f = v->child; f; f = next) {
		const struct odata_prop *p;
		next = f->next;
		if (f->string[0] == '@' || strstr(f->string, "@odata.") != NULL ||
		    (t && (p = odata_prop_find(t, f->string)) != NULL && p->computed && !p->key)) {
			cJSON_Delete(cJSON_DetachItemViaPointer(v, f));
			continue;
		}
		if (cJSON_IsArray(f) || cJSON_IsObject(f))
			clean_lines(ln, t ? odata_nav_entity(ln->md, t, f->string) : NULL, f,
			            depth + 1);
	}
}

static int
ln_check(void *t, struct load_item *it, struct load_error *e)
{
	struct load_nav *ln = t;
	cJSON *f = it->rec ? it->rec->child : NULL, *next;

	for (; f; f = next) {
		next = f->next;
		const char *n = f->string;
		const struct odata_prop *p = NULL;
		if (n[0] == '@' || strstr(n, "@odata.") != NULL ||
		    (ln->cfg.soap && strcmp(n, "Key") == 0)) {
			cJSON_Delete(cJSON_DetachItemViaPointer(it->rec, f));
			continue;
		}
		if (is_nav_prop(ln, n)) {
			struct ln_item *x;
			if (!cJSON_IsArray(f)) {
				load_item_reject(it, NULL,
				                 "'%s': a navigation property takes an array "
				                 "of lines",
				                 n);
				return 0;
			}
			if ((x = ti(it)) == NULL)
				return oom(e);
			if (x->lines == NULL && (x->lines = cJSON_CreateObject()) == NULL)
				return oom(e);
			clean_lines(ln, odata_nav_entity(ln->md, ln->et, n), f, 0);
			cJSON_AddItemToObject(x->lines, n, cJSON_DetachItemViaPointer(it->rec, f));
			continue;
		}
		if (!has_field(ln, n)) {
			load_item_reject(it, NULL, "'%s': %s has no such field", n, ln->cfg.set);
			load_item_field_error(it, "", "no such field");
			return 0;
		}
		if (!ln->cfg.soap && (p = odata_prop_find(ln->et, n)) != NULL && p->computed &&
		    !p->key) {
			/* the server computes it: a record read back loads as it is */
			cJSON_Delete(cJSON_DetachItemViaPointer(it->rec, f));
			continue;
		}
		if (cJSON_IsObject(f) || (cJSON_IsArray(f))) {
			load_item_reject(it, NULL, "'%s': a %s field takes a plain value", n,
			                 odata_kind_name(kind_of(ln, n, &p)));
			return 0;
		}
	}
	return 0;
}

/* ---- requests -------------------------------------------------------------------- */

/* The record's URL relative to the service root: seg + set + (key) */
static int
entity_rel(struct load_nav *ln, struct buf *b, const cJSON *key, struct ep_err *err)
{
	if (buf_adds(b, ln->seg) < 0 ||
	    odata_pct(b, ln->cfg.set, strlen(ln->cfg.set), ODATA_PATH) < 0)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	return key ? odata_key_pred(b, ln->et, key, err) : 0;
}

/* The lookup URL of an item (relative): by key, or a $filter on --key. */
static int
lookup_rel(struct load_nav *ln, struct buf *b, const cJSON *key, struct ep_err *err)
{
	struct buf f = BUF_INIT;
	int rc = 0;

	if (ln->by_key)
		return entity_rel(ln, b, key, err);
	if (entity_rel(ln, b, NULL, err) < 0)
		return -1;
	for (const cJSON *k = key->child; k && rc == 0; k = k->next) {
		const struct odata_prop *p = odata_prop_find(ln->et, k->string);
		if (f.len)
			buf_adds(&f, " and ");
		buf_addf(&f, "%s eq ", k->string);
		rc = odata_literal_json(&f, p, k, ODATA_RAW, err);
	}
	if (rc == 0) {
		buf_adds(b, "?$filter=");
		odata_pct(b, f.p, f.len, ODATA_QUERY);
		buf_adds(b, "&$top=2");
	}
	buf_release(&f);
	if (rc < 0 && err)
		err->code = EP_DATAERR;
	return rc;
}

/* What an error answer means for the run: a record's error is rejected by
 * the caller; the rest is fatal (-1 with e). */
static int
fatal_of(const struct odata_error *oe, const char *what, struct load_error *e)
{
	int code = odata_error_exit(oe);
	struct buf m = BUF_INIT;

	if (code == EP_DATAERR)
		return 0;
	odata_error_format(&m, oe);
	load_errf(e, code, NULL, "%s: %s", what, buf_str(&m));
	buf_release(&m);
	e->status = oe->status;
	return -1;
}

static void
reject_oe(struct load_item *it, const struct odata_error *oe)
{
	if (oe->status == 428)
		load_item_reject(it, NULL,
		                 "HTTP 428 Precondition Required: the server wants "
		                 "If-Match on a write, and gave no ETag (@odata.etag or an ETag "
		                 "header) when the record was read: not written");
	else if (oe->code[0])
		load_item_reject(it, oe->code, "%s", oe->message[0] ? oe->message : "(no message)");
	else
		load_item_reject(it, NULL, "HTTP %ld: %s", oe->status,
		                 oe->message[0] ? oe->message : "(no body)");
}

static int
is_stale(const struct odata_error *oe)
{
	return oe->status == 412 ||
	       (oe->status == 409 && !strcmp(oe->code, "Request_EntityChanged"));
}

/* One request: 0 (2xx, *out the body or NULL), 1 (error answer: oe), -1
 * fatal (e). */
static int
req1(struct load_nav *ln, const char *method, const char *rel, const char *if_match,
     const char *body, size_t blen, cJSON **out, struct odata_error *oe, struct load_error *e)
{
	struct buf url = BUF_INIT, im = BUF_INIT;
	const char *hdrs[] = { "Accept: application/json", NULL, NULL, NULL };
	struct nav_req rq = { method, NULL, hdrs, body, blen, NULL, 0 };
	struct http_resp resp;
	struct ep_err err = EP_ERR_INIT;
	int n = 1, rc;

	*out = NULL;
	if (body)
		hdrs[n++] = "Content-Type: application/json";
	if (if_match) {
		buf_addf(&im, "If-Match: %s", if_match);
		hdrs[n++] = im.p;
	}
	buf_addf(&url, "%s%s", nav_root(ln->cfg.nav), rel);
	rq.url = url.p;
	rq.once = strcmp(method, "GET") != 0; /* POST, PATCH, DELETE: sent once */
	http_resp_init(&resp);
	rc = nav_request(ln->cfg.nav, &rq, &resp, oe, &err);
	if (rc < 0) {
		load_errf(e, err.code, NULL, "%s", err.msg);
		e->lost = nav_lost(ln->cfg.nav);
	} else if (rc == 0 && resp.body.len) {
		*out = cJSON_ParseWithLength(resp.body.p, resp.body.len);
		if (*out == NULL) {
			load_errf(e, EP_UNAVAILABLE, NULL, "%s %s: the answer is not JSON%s",
			          method, url.p, rq.once ? ": the answer was lost" : "");
			e->lost = rq.once; /* a write's cut answer: applied or not */
			rc = -1;
		}
	}
	buf_release(&url);
	buf_release(&im);
	http_resp_release(&resp);
	return rc;
}

/* An entity as read: its etag, its values without annotations, its key. */
static int
set_found(struct load_nav *ln, struct load_item *it, cJSON *ent, struct load_error *e)
{
	const cJSON *et = cJSON_GetObjectItemCaseSensitive(ent, "@odata.etag");
	cJSON *cur = cJSON_Duplicate(ent, 1), *id = cJSON_CreateObject(), *f, *next;

	if (cur == NULL || id == NULL) {
		cJSON_Delete(cur);
		cJSON_Delete(id);
		return oom(e);
	}
	set_etag(it, cJSON_IsString(et) ? et->valuestring : NULL);
	for (f = cur->child; f; f = next) {
		next = f->next;
		if (f->string[0] == '@' || strstr(f->string, "@odata."))
			cJSON_Delete(cJSON_DetachItemViaPointer(cur, f));
	}
	for (size_t i = 0; i < ln->et->nkeys; i++) {
		const char *k = ln->et->props[ln->et->keys[i]].name;
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(cur, k);
		if (v)
			cJSON_AddItemToObject(id, k, cJSON_Duplicate(v, 1));
	}
	cJSON_Delete(it->current);
	cJSON_Delete(it->id);
	it->current = cur;
	it->id = id;
	return 0;
}

/* Nothing found for a key: a create, once the company is known to exist
 * (a server that is not NAV answers any key under an unknown company 404,
 * and its sets as empty).  0, or -1 fatal (78). */
static int
not_there(struct load_nav *ln, struct load_error *e)
{
	struct ep_err err = EP_ERR_INIT;

	if (nav_company_check(ln->cfg.nav, &err) < 0)
		return load_errf(e, err.code, NULL, "%s", err.msg);
	return 0;
}

/* A read answer for one item. */
static int
got_read(struct load_nav *ln, struct load_item *it, long status, cJSON *body,
         const struct odata_error *oe, struct load_error *e)
{
	if (status >= 200 && status < 300) {
		if (ln->by_key)
			return set_found(ln, it, body, e);
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, "value");
		int n = cJSON_GetArraySize(v);
		if (!cJSON_IsArray(v))
			return load_errf(e, EP_UNAVAILABLE, NULL,
			                 "%s: a lookup answer without value", ln->cfg.set);
		if (n > 1) {
			load_item_reject(it, NULL, "the key matches more than one %s", ln->cfg.set);
			return 0;
		}
		return n == 1 ? set_found(ln, it, cJSON_GetArrayItem(v, 0), e) : not_there(ln, e);
	}
	/* a key read answered 404 is "not there", whatever the body says (NAV's
	 * Internal_RecordNotFound, another server's "404"), unless the code
	 * names the set or the company */
	if (status == 404 && odata_error_exit(oe) == EP_DATAERR)
		return not_there(ln, e);
	if (fatal_of(oe, ln->cfg.set, e) < 0)
		return -1;
	reject_oe(it, oe);
	return 0;
}

/* ---- SOAP ------------------------------------------------------------------------- */

struct soap_got {
	struct load_nav *ln;
	struct load_item *it;
	int n;
	struct load_error *e;
};

static int
soap_rec(void *ud, const char *json, size_t len, const char *key, struct ep_err *err)
{
	struct soap_got *g = ud;
	cJSON *cur = cJSON_ParseWithLength(json, len), *id = cJSON_CreateObject();

	(void)err;
	g->n++;
	if (cur == NULL || id == NULL) {
		cJSON_Delete(cur);
		cJSON_Delete(id);
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	}
	for (size_t i = 0; i < g->ln->pg->nkeys; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(cur, g->ln->pg->keys[i]);
		if (v)
			cJSON_AddItemToObject(id, g->ln->pg->keys[i], cJSON_Duplicate(v, 1));
	}
	set_etag(g->it, key);
	cJSON_Delete(g->it->current);
	cJSON_Delete(g->it->id);
	g->it->current = cur;
	g->it->id = id;
	return 0;
}

/* One SOAP call for an item: 0 done (records through soap_rec), 1 fault
 * (f filled), -1 fatal. */
static int
soap1(struct load_nav *ln, struct load_item *it, const char *op, const char *env, size_t len,
      struct navsoap_fault *f, int *nrec, struct load_error *e)
{
	struct soap_got g = { ln, it, 0, e };
	struct ep_err err = EP_ERR_INIT;
	size_t n;
	int rc = nav_soap(ln->cfg.nav, ln->pg, op, env, len, soap_rec, &g, &n, f, &err);

	if (rc < 0) {
		load_errf(e, err.code ? err.code : EP_SOFTWARE, NULL, "%s", err.msg);
		e->lost = nav_lost(ln->cfg.nav); /* a Create, Update or Delete */
		return -1;
	}
	if (nrec)
		*nrec = g.n;
	return rc;
}

static int
soap_lookup(struct load_nav *ln, struct load_item *it, struct load_error *e)
{
	struct ep_err err = EP_ERR_INIT;
	struct navsoap_fault f;
	int rc, n = 0;

	buf_reset(&ln->body);
	if (ln->by_key) {
		if (navsoap_read(&ln->body, ln->pg, it->key, &err) < 0) {
			load_item_reject(it, NULL, "%s", err.msg);
			return 0;
		}
		rc = soap1(ln, it, "Read", ln->body.p, ln->body.len, &f, &n, e);
	} else {
		struct navsoap_filter flt[LOAD_KEY_MAX];
		struct buf crit[LOAD_KEY_MAX];
		size_t nf = 0;
		for (const cJSON *k = it->key->child; k && nf < LOAD_KEY_MAX; k = k->next) {
			char num[64];
			const char *s = cJSON_IsString(k) ? k->valuestring : num;
			if (cJSON_IsNumber(k))
				snprintf(num, sizeof(num), "%.17g", k->valuedouble);
			else if (!cJSON_IsString(k))
				snprintf(num, sizeof(num), "%s",
				         cJSON_IsTrue(k) ? "true" : "false");
			/* 'value', a quote doubled: NAV's filter characters stay literal */
			buf_init(&crit[nf], 0);
			buf_addc(&crit[nf], '\'');
			for (; *s; s++) {
				if (*s == '\'')
					buf_addc(&crit[nf], '\'');
				buf_addc(&crit[nf], *s);
			}
			buf_addc(&crit[nf], '\'');
			flt[nf].field = k->string;
			flt[nf].criteria = crit[nf].p;
			nf++;
		}
		navsoap_read_multiple(&ln->body, ln->pg, flt, nf, NULL, 2);
		for (size_t i = 0; i < nf; i++)
			buf_release(&crit[i]);
		rc = soap1(ln, it, "ReadMultiple", ln->body.p, ln->body.len, &f, &n, e);
		if (rc == 0 && n > 1) {
			cJSON_Delete(it->current);
			cJSON_Delete(it->id);
			it->current = it->id = NULL;
			load_item_reject(it, NULL, "the key matches more than one %s", ln->cfg.set);
			return 0;
		}
	}
	if (rc == 1)
		load_item_reject(it, f.code, "%s", f.string);
	return rc < 0 ? -1 : 0;
}

/* ---- lookup ------------------------------------------------------------------------- */

static int
ln_lookup(void *t, struct load_item *const *its, size_t n, struct load_error *e)
{
	struct load_nav *ln = t;
	struct ep_err err = EP_ERR_INIT;

	if (ln->cfg.soap) {
		for (size_t i = 0; i < n; i++)
			if (soap_lookup(ln, its[i], e) < 0)
				return -1;
		return 0;
	}
	for (size_t from = 0; from < n; from += ODATA_BATCH_MAX) {
		size_t m = n - from < ODATA_BATCH_MAX ? n - from : ODATA_BATCH_MAX, k = 0;
		struct odata_batch_op ops[ODATA_BATCH_MAX];
		char ids[ODATA_BATCH_MAX][16];
		struct buf urls[ODATA_BATCH_MAX];
		struct load_item *who[ODATA_BATCH_MAX];
		int rc = 0;

		for (size_t i = 0; i < m; i++) {
			struct load_item *it = its[from + i];
			buf_init(&urls[k], 0);
			if (lookup_rel(ln, &urls[k], it->key, &err) < 0) {
				load_item_reject(it, NULL, "%s", err.msg);
				buf_release(&urls[k]);
				continue;
			}
			snprintf(ids[k], sizeof(ids[k]), "%zu", k + 1);
			ops[k] = (struct odata_batch_op){ ids[k], "GET", urls[k].p, NULL, NULL, 0 };
			who[k++] = it;
		}
		if (k == 1 || (k > 0 && ln->cfg.batch == 1)) {
			for (size_t i = 0; i < k && rc == 0; i++) {
				struct odata_error oe;
				cJSON *body;
				int r = req1(ln, "GET", urls[i].p, NULL, NULL, 0, &body, &oe, e);
				if (r < 0)
					rc = -1;
				else
					rc = got_read(ln, who[i], r == 0 ? 200 : oe.status, body,
					              &oe, e);
				cJSON_Delete(body);
			}
		} else if (k > 1) {
			struct odata_batch_resp *r;
			struct odata_error oe;
			size_t nr;
			int b = nav_batch(ln->cfg.nav, ops, k, 0, &r, &nr, &oe, NULL, &err);
			if (b < 0)
				rc = load_errf(e, err.code, NULL, "%s", err.msg);
			else if (b == 1)
				rc = fatal_of(&oe, "$batch", e) < 0
				             ? -1
				             : load_errf(e, EP_UNAVAILABLE, NULL,
				                         "$batch of reads refused: "
				                         "%s: %s",
				                         oe.code, oe.message);
			for (size_t i = 0; b == 0 && i < nr && rc == 0; i++) {
				size_t at = (size_t)strtoul(r[i].id, NULL, 10);
				struct odata_error re;
				if (at < 1 || at > k)
					continue;
				memset(&re, 0, sizeof(re));
				if (r[i].status >= 400)
					odata_batch_error(&re, &r[i]);
				rc = got_read(ln, who[at - 1], r[i].status, r[i].body, &re, e);
			}
			if (b == 0)
				odata_batch_resp_free(r, nr);
		}
		for (size_t i = 0; i < k; i++)
			buf_release(&urls[i]);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* ---- writes ---------------------------------------------------------------------- */

/* The body of a write: create: the record, the key fields it lacks (from
 * _key) and its lines; update: the changes. */
static int
write_body(struct load_nav *ln, struct load_item *it, enum wop op, struct buf *b,
           struct load_error *e)
{
	cJSON *body;
	char *s;

	buf_reset(b);
	if (op == W_REMOVE)
		return 0;
	if (op == W_UPDATE) {
		body = it->changes;
		s = json_tree_print(body ? body : it->rec);
	} else {
		struct ln_item *x = it->tdata;
		if ((body = cJSON_Duplicate(it->rec, 1)) == NULL)
			return oom(e);
		if (ln->by_key && it->key)
			for (const cJSON *k = it->key->child; k; k = k->next)
				if (!cJSON_GetObjectItemCaseSensitive(body, k->string))
					cJSON_AddItemToObject(body, k->string,
					                      cJSON_Duplicate(k, 1));
		if (x && x->lines)
			for (const cJSON *l = x->lines->child; l; l = l->next)
				cJSON_AddItemToObject(body, l->string, cJSON_Duplicate(l, 1));
		s = json_tree_print(body);
		cJSON_Delete(body);
	}
	if (s == NULL)
		return oom(e);
	buf_adds(b, s);
	free(s);
	return 0;
}

static const char *
method_of(enum wop op)
{
	return op == W_CREATE ? "POST" : op == W_UPDATE ? "PATCH" : "DELETE";
}

static int
target_rel(struct load_nav *ln, struct load_item *it, enum wop op, struct buf *b,
           struct load_error *e)
{
	struct ep_err err = EP_ERR_INIT;

	buf_reset(b);
	if (entity_rel(ln, b, op == W_CREATE ? NULL : it->id, &err) < 0) {
		load_item_reject(it, NULL, "%s", err.msg);
		return 1;
	}
	(void)e;
	return 0;
}

/* A write answered 2xx: the new etag and, for a create, the id. */
static int
written(struct load_nav *ln, struct load_item *it, enum wop op, cJSON *body, const char *etag,
        struct load_error *e)
{
	if (op == W_CREATE && body && cJSON_IsObject(body))
		return set_found(ln, it, body, e);
	if (etag)
		set_etag(it, etag);
	return 0;
}

/* The record changed under us: read it again; if a field we write moved,
 * reject it as a conflict, else 0 (send again with the new etag). */
static int
restale(struct load_nav *ln, struct load_item *it, enum wop op, struct load_error *e)
{
	struct odata_error oe;
	struct buf rel = BUF_INIT;
	struct ep_err err = EP_ERR_INIT;
	cJSON *body = NULL, *before = it->current;
	int r, rc = 0;

	it->current = NULL;
	if (entity_rel(ln, &rel, it->id, &err) < 0) {
		it->current = before;
		buf_release(&rel);
		return load_errf(e, EP_SOFTWARE, NULL, "%s", err.msg);
	}
	r = req1(ln, "GET", rel.p, NULL, NULL, 0, &body, &oe, e);
	buf_release(&rel);
	if (r < 0) {
		it->current = before;
		return -1;
	}
	if (r == 1) {
		it->current = before;
		if (oe.status == 404) {
			load_item_reject(it, "conflict",
			                 "the record was deleted on the server since "
			                 "it was read");
			return 1;
		}
		if (fatal_of(&oe, ln->cfg.set, e) < 0)
			return -1;
		reject_oe(it, &oe);
		return 1;
	}
	cJSON *old = before;
	if (set_found(ln, it, body, e) < 0) {
		cJSON_Delete(body);
		cJSON_Delete(old);
		return -1;
	}
	cJSON_Delete(body);
	/* the fields this record writes (an update), or all of them (a delete) */
	const cJSON *fields = op == W_UPDATE && it->changes ? it->changes : old;
	for (const cJSON *f = fields ? fields->child : NULL; f; f = f->next) {
		const cJSON *was = cJSON_GetObjectItemCaseSensitive(old, f->string);
		const cJSON *now = cJSON_GetObjectItemCaseSensitive(it->current, f->string);
		if (!value_same(ln, f->string, was, now)) {
			char *a = was ? json_tree_print(was) : NULL;
			char *b = now ? json_tree_print(now) : NULL;
			load_item_reject(it, "conflict",
			                 "'%s' was changed on the server since it was "
			                 "read (%s, now %s): not overwritten",
			                 f->string, a ? a : "absent", b ? b : "absent");
			load_item_field_error(it, "", "changed on the server");
			free(a);
			free(b);
			rc = 1;
			break;
		}
	}
	cJSON_Delete(old);
	return rc;
}

/* One record, one request, with the stale-etag handling.  0 (written or
 * rejected), -1 fatal. */
static int
write_one(struct load_nav *ln, struct load_item *it, enum wop op, struct load_error *e)
{
	for (int attempt = 0;; attempt++) {
		struct odata_error oe;
		cJSON *body = NULL;
		int r;

		if (target_rel(ln, it, op, &ln->url, e) || write_body(ln, it, op, &ln->body, e) < 0)
			return it->status == LOAD_REJECTED ? 0 : -1;
		r = req1(ln, method_of(op), ln->url.p, op == W_CREATE ? NULL : etag_of(it),
		         op == W_REMOVE ? NULL : ln->body.p, ln->body.len, &body, &oe, e);
		if (r < 0)
			return -1;
		if (r == 0) {
			const cJSON *et = cJSON_GetObjectItemCaseSensitive(body, "@odata.etag");
			r = written(ln, it, op, body, cJSON_IsString(et) ? et->valuestring : NULL,
			            e);
			cJSON_Delete(body);
			return r;
		}
		if (op == W_REMOVE && oe.status == 404)
			return 0; /* gone already: the same end */
		if (op != W_CREATE && is_stale(&oe)) {
			if (attempt > 0) {
				load_item_reject(it, "conflict",
				                 "the record changed again on the server "
				                 "while it was written: not overwritten");
				return 0;
			}
			ep_info(2, "%s: stale etag, reading the record again", ln->cfg.set);
			r = restale(ln, it, op, e);
			if (r < 0)
				return -1;
			if (r == 1)
				return 0;
			continue; /* once more, with the new etag */
		}
		if (fatal_of(&oe, ln->cfg.set, e) < 0)
			return -1;
		reject_oe(it, &oe);
		return 0;
	}
}

/* Up to ODATA_BATCH_MAX records in one atomic $batch; a refused batch is
 * halved until the record at fault is alone.  0, or -1 fatal. */
static int
write_chunk(struct load_nav *ln, struct load_item *const *its, size_t n, enum wop op,
            struct load_error *e)
{
	struct odata_batch_op ops[ODATA_BATCH_MAX];
	struct load_item *who[ODATA_BATCH_MAX];
	struct buf urls[ODATA_BATCH_MAX], bodies[ODATA_BATCH_MAX];
	char ids[ODATA_BATCH_MAX][16];
	struct odata_batch_resp *r = NULL;
	struct odata_error oe;
	struct ep_err err = EP_ERR_INIT;
	size_t k = 0, nr = 0;
	int b, rc = 0;

	if (n == 1)
		return write_one(ln, its[0], op, e);
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct load_item *it = its[i];
		buf_init(&urls[k], 0);
		buf_init(&bodies[k], 0);
		if (target_rel(ln, it, op, &urls[k], e) ||
		    write_body(ln, it, op, &bodies[k], e) < 0) {
			buf_release(&urls[k]);
			buf_release(&bodies[k]);
			if (it->status != LOAD_REJECTED)
				rc = -1;
			continue;
		}
		snprintf(ids[k], sizeof(ids[k]), "%zu", k + 1);
		ops[k] = (struct odata_batch_op){ ids[k],
			                          method_of(op),
			                          urls[k].p,
			                          op == W_CREATE ? NULL : etag_of(it),
			                          op == W_REMOVE ? NULL : bodies[k].p,
			                          bodies[k].len };
		who[k++] = it;
	}
	if (rc == 0 && k == 1)
		rc = write_one(ln, who[0], op, e);
	else if (rc == 0 && k > 1) {
		int lost = 0;

		b = nav_batch(ln->cfg.nav, ops, k, 1, &r, &nr, &oe, &lost, &err);
		if (b < 0) {
			rc = load_errf(e, err.code, NULL, "%s", err.msg);
			e->lost = lost; /* load.h: the batch's records are read again */
		} else if (b == 1) {
			/* all or nothing: nothing was written; halve and send again */
			if (fatal_of(&oe, "$batch", e) < 0) {
				rc = -1;
			} else {
				size_t h = k / 2;
				ep_info(2, "%s: a $batch of %zu refused (%s), halving", ln->cfg.set,
				        k, oe.code);
				rc = write_chunk(ln, who, h, op, e);
				if (rc == 0)
					rc = write_chunk(ln, who + h, k - h, op, e);
			}
		} else {
			/* a server that answers per operation */
			for (size_t i = 0; i < nr && rc == 0; i++) {
				size_t at = (size_t)strtoul(r[i].id, NULL, 10);
				struct load_item *it;
				if (at < 1 || at > k)
					continue;
				it = who[at - 1];
				if (r[i].status < 300) {
					rc = written(ln, it, op, r[i].body, r[i].etag, e);
					continue;
				}
				odata_batch_error(&oe, &r[i]);
				if (op == W_REMOVE && oe.status == 404)
					continue;
				if (op != W_CREATE && is_stale(&oe)) {
					rc = write_one(ln, it, op, e);
					continue;
				}
				if (fatal_of(&oe, ln->cfg.set, e) < 0)
					rc = -1;
				else
					reject_oe(it, &oe);
			}
			odata_batch_resp_free(r, nr);
		}
	}
	for (size_t i = 0; i < k; i++) {
		buf_release(&urls[i]);
		buf_release(&bodies[i]);
	}
	return rc;
}

/* ---- SOAP writes ---------------------------------------------------------------------- */

static int
soap_write(struct load_nav *ln, struct load_item *it, enum wop op, struct load_error *e)
{
	struct ep_err err = EP_ERR_INIT;
	struct navsoap_fault f;

	for (int attempt = 0;; attempt++) {
		const char *opname = op == W_CREATE   ? "Create"
		                     : op == W_UPDATE ? "Update"
		                                      : "Delete";
		int rc;

		buf_reset(&ln->body);
		if (op == W_REMOVE)
			rc = navsoap_delete(&ln->body, ln->pg, etag_of(it) ? etag_of(it) : "");
		else
			rc = navsoap_write(
				&ln->body, ln->pg, opname, op == W_UPDATE ? etag_of(it) : NULL,
				op == W_UPDATE && it->changes ? it->changes : it->rec, &err);
		if (rc < 0) {
			load_item_reject(it, NULL, "%s", err.msg);
			return 0;
		}
		/* a good answer replaces it->current, it->id and the Key */
		rc = soap1(ln, it, opname, ln->body.p, ln->body.len, &f, NULL, e);
		if (rc < 0)
			return -1;
		if (rc == 0)
			return 0;
		if (op != W_CREATE && strstr(f.code, "RecordModified") && attempt == 0) {
			/* stale Key: read again, compare the fields we write */
			cJSON *old = it->current;
			it->current = NULL;
			buf_reset(&ln->body);
			if (navsoap_read(&ln->body, ln->pg, it->id, &err) < 0 ||
			    soap1(ln, it, "Read", ln->body.p, ln->body.len, &f, NULL, e) != 0 ||
			    it->current == NULL) {
				cJSON_Delete(it->current);
				it->current = old;
				if (it->status != LOAD_REJECTED)
					load_item_reject(it, "conflict",
					                 "the record was deleted or cannot "
					                 "be read again on the server");
				return 0;
			}
			const cJSON *fields = op == W_UPDATE && it->changes ? it->changes : old;
			for (const cJSON *c = fields ? fields->child : NULL; c; c = c->next) {
				const cJSON *was = cJSON_GetObjectItemCaseSensitive(old, c->string);
				const cJSON *now =
					cJSON_GetObjectItemCaseSensitive(it->current, c->string);
				if (!value_same(ln, c->string, was, now)) {
					load_item_reject(it, "conflict",
					                 "'%s' was changed on the server "
					                 "since it was read: not overwritten",
					                 c->string);
					cJSON_Delete(old);
					return 0;
				}
			}
			cJSON_Delete(old);
			continue;
		}
		load_item_reject(it, f.code, "%s", f.string);
		return 0;
	}
}

static int
write_set(struct load_nav *ln, struct load_item *const *its, size_t n, enum wop op,
          struct load_error *e)
{
	if (ln->cfg.soap) {
		for (size_t i = 0; i < n; i++)
			if (soap_write(ln, its[i], op, e) < 0)
				return -1;
		return 0;
	}
	if (ln->cfg.batch == 1) {
		for (size_t i = 0; i < n; i++)
			if (write_one(ln, its[i], op, e) < 0)
				return -1;
		return 0;
	}
	for (size_t from = 0; from < n; from += ODATA_BATCH_MAX)
		if (write_chunk(ln, its + from,
		                n - from < ODATA_BATCH_MAX ? n - from : ODATA_BATCH_MAX, op, e) < 0)
			return -1;
	return 0;
}

static int
ln_create(void *t, struct load_item *const *its, size_t n, struct load_error *e)
{
	return write_set(t, its, n, W_CREATE, e);
}

static int
ln_update(void *t, struct load_item *const *its, size_t n, struct load_error *e)
{
	return write_set(t, its, n, W_UPDATE, e);
}

static int
ln_remove(void *t, struct load_item *const *its, size_t n, struct load_error *e)
{
	return write_set(t, its, n, W_REMOVE, e);
}

/* ---- readback: what the server kept (load's verify) ------------------------------- */

/*
 * The records written, read again by key with a $select of the fields
 * written: one $batch of GETs per ODATA_BATCH_MAX records (a GET each with
 * --batch 1, or for one record; with --soap a Read each).  Each item's
 * it->stored: its written fields as read, null for one the answer lacks; a
 * record not found keeps none.  Lines (navigation properties) are not read:
 * not verified.
 */
static int
ln_readback(void *t, struct load_item *const *its, size_t n, struct load_error *e)
{
	struct load_nav *ln = t;
	struct ep_err err = EP_ERR_INIT;
	struct buf sel = BUF_INIT;
	cJSON *seen = cJSON_CreateObject();
	int rc = seen ? 0 : oom(e);

	for (size_t i = 0; rc == 0 && i < n; i++) {
		const cJSON *f;
		cJSON_ArrayForEach(f, load_item_written(its[i])) {
			if (cJSON_HasObjectItem(seen, f->string))
				continue;
			cJSON_AddTrueToObject(seen, f->string);
			if (sel.len)
				buf_addc(&sel, ',');
			odata_pct(&sel, f->string, strlen(f->string), ODATA_QUERY);
		}
	}
	cJSON_Delete(seen);
	if (ln->cfg.soap) {
		for (size_t i = 0; rc == 0 && i < n; i++) {
			struct navsoap_fault fl;
			cJSON *was = its[i]->current;
			its[i]->current = NULL;
			buf_reset(&ln->body);
			if (navsoap_read(&ln->body, ln->pg, its[i]->id, &err) < 0)
				rc = load_errf(e, EP_SOFTWARE, NULL, "%s", err.msg);
			else if (soap1(ln, its[i], "Read", ln->body.p, ln->body.len, &fl, NULL, e) <
			         0)
				rc = -1;
			else if (its[i]->current &&
			         load_item_stored(its[i], its[i]->current, NULL, NULL) < 0)
				rc = oom(e);
			cJSON_Delete(its[i]->current);
			its[i]->current = was;
		}
		buf_release(&sel);
		return rc;
	}
	for (size_t from = 0; rc == 0 && from < n; from += ODATA_BATCH_MAX) {
		size_t m = n - from < ODATA_BATCH_MAX ? n - from : ODATA_BATCH_MAX;
		struct odata_batch_op ops[ODATA_BATCH_MAX];
		struct buf urls[ODATA_BATCH_MAX];
		char ids[ODATA_BATCH_MAX][16];
		struct odata_batch_resp *r = NULL;
		struct odata_error oe;
		size_t nr = 0;

		for (size_t i = 0; i < m; i++) {
			buf_init(&urls[i], 0);
			if (entity_rel(ln, &urls[i], its[from + i]->id, &err) < 0)
				rc = load_errf(e, EP_SOFTWARE, NULL, "%s", err.msg);
			else if (sel.len)
				buf_addf(&urls[i], "?$select=%s", sel.p);
			snprintf(ids[i], sizeof(ids[i]), "%zu", i + 1);
			ops[i] = (struct odata_batch_op){ ids[i], "GET", urls[i].p, NULL, NULL, 0 };
		}
		if (rc == 0 && (m == 1 || ln->cfg.batch == 1)) {
			for (size_t i = 0; i < m && rc == 0; i++) {
				cJSON *body = NULL;
				int g = req1(ln, "GET", urls[i].p, NULL, NULL, 0, &body, &oe, e);
				if (g < 0)
					rc = -1;
				else if (g == 0 && cJSON_IsObject(body)) {
					if (load_item_stored(its[from + i], body, NULL, NULL) < 0)
						rc = oom(e);
				} else if (g == 1 && oe.status != 404 &&
				           fatal_of(&oe, ln->cfg.set, e) < 0)
					rc = -1;
				cJSON_Delete(body);
			}
		} else if (rc == 0) {
			int b = nav_batch(ln->cfg.nav, ops, m, 0, &r, &nr, &oe, NULL, &err);
			if (b < 0)
				rc = load_errf(e, err.code, NULL, "%s", err.msg);
			else if (b == 1)
				rc = fatal_of(&oe, "$batch", e) < 0
				             ? -1
				             : load_errf(e, EP_DATAERR, oe.code, "%s", oe.message);
			for (size_t i = 0; b == 0 && i < nr && rc == 0; i++) {
				size_t at = (size_t)strtoul(r[i].id, NULL, 10);
				struct odata_error re;
				if (at < 1 || at > m)
					continue;
				if (r[i].status < 300 && cJSON_IsObject(r[i].body)) {
					if (load_item_stored(its[from + at - 1], r[i].body, NULL,
					                     NULL) < 0)
						rc = oom(e);
					continue;
				}
				memset(&re, 0, sizeof(re));
				odata_batch_error(&re, &r[i]);
				if (re.status != 404 && fatal_of(&re, ln->cfg.set, e) < 0)
					rc = -1;
			}
			if (b == 0)
				odata_batch_resp_free(r, nr);
		}
		for (size_t i = 0; i < m; i++)
			buf_release(&urls[i]);
	}
	buf_release(&sel);
	return rc;
}

static int
ln_again(void *t, int attempt, struct ep_err *err)
{
	struct load_nav *ln = t;

	return nav_again(ln->cfg.nav, attempt, err);
}

const struct load_target load_nav_target = {
	"nav",     ln_check, NULL, ln_lookup,    ln_same,     ln_create, ln_update,
	ln_remove, NULL,     NULL, ln_item_free, ln_readback, ln_again,  NULL,
};
