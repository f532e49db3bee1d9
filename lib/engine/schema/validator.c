/*
 * validator.c - schema, rules, unique keys and references for one record.
 */
#include "engine/schema/validator.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "engine/anomaly.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/dec.h"
#include "base/dt.h"
#include "base/fields.h"
#include "base/find.h"
#include "base/hash.h"
#include "stream/json.h"
#include "base/keyset.h"
#include "engine/map/map.h"
#include "stream/jv.h"
#include "stream/ndjson.h"
#include "engine/schema/schema.h"
#include "engine/similar.h"
#include "stream/state.h"
#include "base/text.h"

#define REPORT_MAX 1000 /* distinct report lines; the rest count as "(other)" */

struct rule {
	struct map_prog *prog;
	char *expr;
	char *message;  /* --message, or NULL */
	char label[32]; /* "rule 3" */
};

struct fields {
	char **v;
	size_t n;
	char *text; /* as given: "A,B" */
};

struct unique {
	struct fields f;
	struct keyset seen; /* payload: source index << 44 | line */
	/* the current record's key: its digest, or absent (missing, null, false) */
	uint64_t d[2];
	int absent;
};

struct ref {
	struct fields f, keys;
	char *file;
	struct keyset set;
};

struct similar {
	struct sim_spec spec;
	struct sim_index *index;
	double cutoff;
	int warn;
	char *text;     /* as given */
	struct buf rec; /* the current record's sim record */
	int has;        /* it has a compared field */
};

struct anomaly {
	char *field;
	struct fields by; /* n == 0: one group */
	char *series;     /* "amount_total by partner_id" */
	/* the current record's */
	struct anomaly_verdict vd;
	struct dec x;
	int has;
	uint64_t judged, flagged, young, novalue, replays;
};

struct dup_payment {
	struct fields f; /* vendor, amount, date, ref */
	struct buf vendor, amount, date, ref, at;
	struct anomaly_payment p;
	int has;    /* the current record is a payment to remember */
	int replay; /* its ID was seen: the same payment again */
	uint64_t checked, flagged, replays, unchecked;
};

struct rcount {
	char *k;
	uint64_t n;
};

struct validator {
	struct schema *schema;
	struct schema_errors errs;
	struct rule *rules;
	size_t nrules;
	struct unique *uniq;
	size_t nuniq;
	struct ref *refs;
	size_t nrefs;
	struct similar *sim; /* --similar, or NULL */
	struct map_ctx *mctx;
	const char *op; /* --op, or NULL */
	struct anomaly *anom;
	size_t nanom;
	struct dup_payment *dup;
	struct anomaly_hist *hist;
	struct validator_tuning tune;
	int warn;      /* flags are warnings */
	char *idfield; /* --id */
	struct buf idbuf;
	const char *id;      /* the current record's, or NULL */
	struct state hstate; /* --history */
	int have_hist;
	struct buf detail;
	/* the record's parse, reused */
	struct arena A;
	struct jv_parser jp;
	/* sources seen, for "first at FILE:LINE" */
	char **srcs;
	size_t nsrcs;
	/* the current result */
	struct reject_item *items;
	size_t nitems, capitems, capout;
	struct buf pool; /* item strings, NUL-separated */
	size_t *offs;    /* 2 offsets an item (path, message) into pool */
	struct buf key, tmp;
	/* --report */
	struct rcount *counts;
	size_t ncounts, capcounts;
	uint64_t other, checked, invalid;
};

struct validator *
validator_new(struct ep_err *err)
{
	struct validator *v = calloc(1, sizeof(*v));

	if (v == NULL) {
		ep_errf(err, EP_SOFTWARE, "out of memory");
		return NULL;
	}
	schema_errors_init(&v->errs);
	arena_init(&v->A, 0);
	v->tune.cut = 5;
	v->tune.min = 12;
	v->tune.keep = 50;
	v->tune.window = 7;
	v->jp.A = &v->A;
	return v;
}

static void
fields_free(struct fields *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->v[i]);
	free(f->v);
	free(f->text);
}

void
validator_free(struct validator *v)
{
	size_t i;

	if (v == NULL)
		return;
	schema_free(v->schema);
	schema_errors_free(&v->errs);
	for (i = 0; i < v->nrules; i++) {
		map_free(v->rules[i].prog);
		free(v->rules[i].expr);
		free(v->rules[i].message);
	}
	free(v->rules);
	map_ctx_free(v->mctx);
	arena_free(&v->A);
	jv_parser_free(&v->jp);
	for (i = 0; i < v->nuniq; i++) {
		fields_free(&v->uniq[i].f);
		keyset_free(&v->uniq[i].seen);
	}
	free(v->uniq);
	for (i = 0; i < v->nrefs; i++) {
		fields_free(&v->refs[i].f);
		fields_free(&v->refs[i].keys);
		free(v->refs[i].file);
		keyset_free(&v->refs[i].set);
	}
	free(v->refs);
	if (v->sim) {
		sim_spec_free(&v->sim->spec);
		sim_index_free(v->sim->index);
		buf_release(&v->sim->rec);
		free(v->sim->text);
		free(v->sim);
	}
	for (i = 0; i < v->nanom; i++) {
		free(v->anom[i].field);
		fields_free(&v->anom[i].by);
		free(v->anom[i].series);
	}
	free(v->anom);
	if (v->dup) {
		struct dup_payment *d = v->dup;

		fields_free(&d->f);
		buf_release(&d->vendor);
		buf_release(&d->amount);
		buf_release(&d->date);
		buf_release(&d->ref);
		buf_release(&d->at);
		free(d);
	}
	anomaly_hist_free(v->hist);
	free(v->idfield);
	buf_release(&v->idbuf);
	if (v->have_hist)
		state_close(&v->hstate);
	buf_release(&v->detail);
	for (i = 0; i < v->nsrcs; i++)
		free(v->srcs[i]);
	free(v->srcs);
	free(v->items);
	free(v->offs);
	buf_release(&v->pool);
	buf_release(&v->key);
	buf_release(&v->tmp);
	for (i = 0; i < v->capcounts; i++)
		free(v->counts[i].k);
	free(v->counts);
	free(v);
}

/* ---- configuration ----------------------------------------------------- */

int
validator_set_schema(struct validator *v, const char *name, struct ep_err *err)
{
	char path[4096];
	size_t nl = strlen(name);

	if (v->schema)
		return ep_errf(err, EP_USAGE, "only one schema (-s) may be given");
	if (ep_find(name, "schemas", ".schema.json", NULL, path, sizeof path) < 0) {
		/* any file ending in .json is a path too */
		FILE *f = nl > 5 && strcmp(name + nl - 5, ".json") == 0 ? fopen(name, "r") : NULL;

		if (f == NULL)
			return ep_errf(err, EP_NOINPUT, "cannot find schema '%s'", name);
		fclose(f);
		snprintf(path, sizeof path, "%s", name);
	}
	if ((v->schema = schema_compile_file(path, NULL, err)) == NULL)
		return -1;
	return 0;
}

int
validator_set_op(struct validator *v, const char *op, struct ep_err *err)
{
	static const char *const ops[] = { "upsert", "create", "update", "delete", "insert" };

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (strcmp(op, ops[i]) == 0) {
			v->op = ops[i];
			return 0;
		}
	}
	return ep_errf(err, EP_USAGE, "--op '%s': not upsert, create, update, delete or insert",
	               op);
}

/* the record as the schema sees it with --op: "_op" added when it has
 * none (in the record's arena; the record's text is not touched) */
static const struct jv *
with_op(struct validator *v, const struct jv *rec, struct jv *tmp)
{
	struct jv_kv *kv;

	if (v->op == NULL || jv_obj_get(rec, "_op", 3) != NULL)
		return rec;
	if ((kv = arena_alloc(&v->A, ((size_t)rec->n + 1) * sizeof(*kv))) == NULL)
		return NULL;
	if (rec->n)
		memcpy(kv, rec->u.o, rec->n * sizeof(*kv));
	memset(&kv[rec->n], 0, sizeof(*kv));
	kv[rec->n].k = "_op";
	kv[rec->n].kn = 3;
	kv[rec->n].ksafe = 1;
	kv[rec->n].v.t = JV_STR;
	kv[rec->n].v.f = JVF_SAFE;
	kv[rec->n].v.u.s = v->op;
	kv[rec->n].v.n = (uint32_t)strlen(v->op);
	*tmp = *rec;
	tmp->u.o = kv;
	tmp->n = rec->n + 1;
	tmp->x.cap = tmp->n;
	return tmp;
}

int
validator_add_rule(struct validator *v, const char *expr, struct ep_err *err)
{
	size_t cap = v->nrules;
	struct rule *r;
	struct map_opts mo = { 0 };

	/* now() is fixed for the whole run, as in xform */
	if (v->mctx == NULL && (v->mctx = map_ctx_new(ep_wall_ms(ep_clock_system()))) == NULL)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	mo.ctx = v->mctx;
	if ((r = array_grow(v->rules, &cap, v->nrules + 1, sizeof(*r))) == NULL)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	v->rules = r;
	r = &v->rules[v->nrules];
	memset(r, 0, sizeof(*r));
	snprintf(r->label, sizeof r->label, "rule %zu", v->nrules + 1);
	r->prog = map_expr_compile(expr, strlen(expr), r->label, &mo, err);
	if (r->prog == NULL) {
		err->code = EP_USAGE;
		return ep_err_prefix(err, "--rule '%s'", expr);
	}
	if ((r->expr = strdup(expr)) == NULL) {
		map_free(r->prog);
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	}
	v->nrules++;
	return 0;
}

int
validator_set_message(struct validator *v, const char *text, struct ep_err *err)
{
	struct rule *r;

	if (v->nrules == 0)
		return ep_errf(err, EP_USAGE, "--message '%s' must follow a --rule", text);
	r = &v->rules[v->nrules - 1];
	if (r->message)
		return ep_errf(err, EP_USAGE, "--message '%s': %s has a message already", text,
		               r->label);
	if ((r->message = strdup(text)) == NULL)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	return 0;
}

/* "A,B,C" into fields; empty names refused */
static int
parse_fields(const char *s, size_t n, struct fields *f, const char *what, struct ep_err *err)
{
	struct fields_iter it;
	struct field_ref fr;
	int r;

	memset(f, 0, sizeof(*f));
	if ((f->text = strndup(s, n)) == NULL)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	fields_init(&it, f->text, 0);
	while ((r = fields_next(&it, &fr)) != 0) {
		char **nv;

		if (r < 0)
			return ep_errf(err, EP_USAGE, "%s '%s': empty field name", what, f->text);
		if ((nv = realloc(f->v, (f->n + 1) * sizeof(*nv))) == NULL ||
		    (nv[f->n] = strndup(fr.item, fr.len)) == NULL) {
			if (nv)
				f->v = nv;
			return ep_errf(err, EP_SOFTWARE, "out of memory");
		}
		f->v = nv;
		f->n++;
	}
	return 0;
}

int
validator_add_unique(struct validator *v, const char *fields, struct ep_err *err)
{
	struct unique *u = realloc(v->uniq, (v->nuniq + 1) * sizeof(*u));

	if (u == NULL)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	v->uniq = u;
	u = &v->uniq[v->nuniq++];
	memset(u, 0, sizeof(*u));
	keyset_init(&u->seen, 1);
	return parse_fields(fields, strlen(fields), &u->f, "--unique", err);
}

int
validator_add_similar(struct validator *v, const char *fields, double cutoff, int warn,
                      const char *country, struct ep_err *err)
{
	struct similar *s;

	if (v->sim)
		return ep_errf(err, EP_USAGE, "--similar '%s': one --similar only", fields);
	if ((s = v->sim = calloc(1, sizeof(*s))) == NULL || (s->text = strdup(fields)) == NULL)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	s->cutoff = cutoff;
	s->warn = warn;
	if (sim_spec_parse(fields, 0, "--similar", &s->spec, err) < 0 ||
	    (country && sim_set_country(&s->spec, country, err) < 0))
		return -1;
	if ((s->index = sim_index_new(&s->spec, 0)) == NULL)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	return 0;
}

/* ---- keys ---------------------------------------------------------------- */

/* Append one key part: a type letter, the length, the canonical bytes
 * (numbers as their exact decimal, so 7 and 7.0 are one key).  Returns 0,
 * 1 when the value is absent (missing, null, false), -1 out of memory. */
static int
key_part(struct buf *b, const struct jv *x, struct buf *tmp)
{
	char num[DEC_STRLEN];
	const char *p = NULL;
	size_t n = 0;
	int t, rc = 0;
	uint32_t n32;
	struct dec d;

	if (x == NULL || x->t == JV_NULL || x->t == JV_FALSE)
		return 1;
	/* Odoo many2one [id, "name"]: the id */
	if (x->t == JV_ARR && x->n == 2 && x->u.a[0].t == JV_NUM && x->u.a[1].t == JV_STR)
		x = &x->u.a[0];
	switch (x->t) {
	case JV_STR:
		t = 's';
		p = x->u.s;
		n = x->n;
		break;
	case JV_NUM:
		t = 'n';
		if (dec_parse(x->u.s, x->n, &d) == 0) {
			dec_normalize(&d, &d);
			n = (size_t)dec_format(&d, num, sizeof num);
			p = num;
		} else {
			p = x->u.s;
			n = x->n;
		}
		break;
	case JV_TRUE:
		t = 't';
		break;
	default:
		t = 'j';
		buf_reset(tmp);
		if (jv_emit(tmp, x) < 0)
			return -1;
		p = tmp->p;
		n = tmp->len;
	}
	n32 = (uint32_t)n;
	rc |= buf_addc(b, t);
	rc |= buf_add(b, &n32, sizeof n32);
	if (n)
		rc |= buf_add(b, p, n);
	return rc ? -1 : 0;
}

static const struct jv *
field(const struct jv *rec, const char *name)
{
	return jv_obj_get(rec, name, strlen(name));
}

/* the key of rec over f into v->key; 1 when some part is absent */
static int
make_key(struct validator *v, const struct jv *rec, const struct fields *f)
{
	buf_reset(&v->key);
	for (size_t i = 0; i < f->n; i++) {
		int r = key_part(&v->key, field(rec, f->v[i]), &v->tmp);

		if (r != 0)
			return r;
	}
	return 0;
}

/* the key's values as JSON text, for messages: "odoo:7" or ("A", 1) */
static const char *
key_text(struct validator *v, const struct jv *rec, const struct fields *f)
{
	buf_reset(&v->tmp);
	if (f->n > 1)
		buf_addc(&v->tmp, '(');
	for (size_t i = 0; i < f->n; i++) {
		if (i)
			buf_adds(&v->tmp, ", ");
		jv_emit(&v->tmp, field(rec, f->v[i]));
	}
	if (f->n > 1)
		buf_addc(&v->tmp, ')');
	if (v->tmp.len > 200) {
		v->tmp.len = 197;
		buf_adds(&v->tmp, "...");
	}
	return buf_str(&v->tmp);
}

/* a control line {"_checkpoint": ...} is not a record */
static int
is_control(const struct jv *rec)
{
	return rec->n == 1 && rec->u.o[0].kn == 11 && memcmp(rec->u.o[0].k, "_checkpoint", 11) == 0;
}

int
validator_add_ref(struct validator *v, const char *spec, struct ep_err *warn, struct ep_err *err)
{
	const char *eq = strchr(spec, '='), *colon = strrchr(spec, ':');
	struct ndjson_reader rd;
	struct ndjson_line ln;
	enum ndjson_kind k;
	struct ref *r;
	uint64_t nrec = 0, nokey = 0, nbad = 0;
	int rc = 0;

	if (eq == NULL || colon == NULL || colon < eq || eq == spec || colon == eq + 1 ||
	    colon[1] == '\0')
		return ep_errf(err, EP_USAGE, "--ref '%s': not FIELD=FILE:KEY", spec);
	if ((r = realloc(v->refs, (v->nrefs + 1) * sizeof(*r))) == NULL)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	v->refs = r;
	r = &v->refs[v->nrefs++];
	memset(r, 0, sizeof(*r));
	keyset_init(&r->set, 0);
	if (parse_fields(spec, (size_t)(eq - spec), &r->f, "--ref", err) < 0 ||
	    parse_fields(colon + 1, strlen(colon + 1), &r->keys, "--ref", err) < 0)
		return -1;
	if (r->f.n != r->keys.n)
		return ep_errf(err, EP_USAGE, "--ref '%s': %zu fields but %zu keys", spec, r->f.n,
		               r->keys.n);
	if ((r->file = strndup(eq + 1, (size_t)(colon - eq - 1))) == NULL)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	if (ndjson_open(&rd, r->file, NDJ_DEFAULT_MAX_LINE, err) < 0)
		return ep_err_prefix(err, "--ref");
	while (rc == 0 && (k = ndjson_next(&rd, &ln, err)) != NDJ_EOF) {
		struct jv doc;
		int m;

		if (k == NDJ_ERROR) {
			rc = ep_err_prefix(err, "--ref");
			break;
		}
		arena_reset(&v->A);
		if (k != NDJ_LINE || jv_parse(&v->jp, ln.p, ln.len, &doc) < 0 || doc.t != JV_OBJ) {
			/* its key is unknown: records naming it are refused, the
			 * safe side; say where */
			if (nbad++ == 0)
				ep_errf(warn, EP_DATAERR,
				        "--ref: %s:%llu: not a JSON object, skipped", rd.name,
				        (unsigned long long)ln.lineno);
		} else if (!is_control(&doc)) {
			nrec++;
			if ((m = make_key(v, &doc, &r->keys)) == 1)
				nokey++;
			else if (m < 0 || keyset_put(&r->set, v->key.p, v->key.len, 0, NULL) < 0)
				rc = ep_errf(err, EP_SOFTWARE, "--ref: %s: out of memory", rd.name);
		}
	}
	ndjson_close(&rd);
	if (nbad > 1) {
		size_t l = strlen(warn->msg);

		snprintf(warn->msg + l, sizeof(warn->msg) - l, " (%llu such lines)",
		         (unsigned long long)nbad);
	}
	if (rc == 0 && nokey == nrec && nrec > 0)
		rc = ep_errf(err, EP_DATAERR, "--ref '%s': no record of '%s' has '%s'", spec,
		             r->file, r->keys.text);
	return rc;
}

/* ---- anomalies and duplicate payments: configuration -------------------- */

static int
need_hist(struct validator *v, struct ep_err *err)
{
	if (v->hist == NULL && (v->hist = anomaly_hist_new((int)v->tune.keep)) == NULL)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	return 0;
}

int
validator_add_anomaly(struct validator *v, const char *field, struct ep_err *err)
{
	struct anomaly *a = realloc(v->anom, (v->nanom + 1) * sizeof(*a));

	if (a == NULL)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	v->anom = a;
	a = &v->anom[v->nanom];
	memset(a, 0, sizeof(*a));
	if (field[0] == '\0')
		return ep_errf(err, EP_USAGE, "--anomaly: empty field name");
	if ((a->field = strdup(field)) == NULL || (a->series = strdup(field)) == NULL) {
		free(a->field);
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	}
	v->nanom++;
	return 0;
}

int
validator_set_by(struct validator *v, const char *fields, struct ep_err *err)
{
	struct anomaly *a;
	struct buf b = BUF_INIT;

	if (v->nanom == 0)
		return ep_errf(err, EP_USAGE, "--by '%s' must follow an --anomaly", fields);
	a = &v->anom[v->nanom - 1];
	if (a->by.n)
		return ep_errf(err, EP_USAGE, "--by '%s': --anomaly %s has a --by already", fields,
		               a->field);
	if (parse_fields(fields, strlen(fields), &a->by, "--by", err) < 0)
		return -1;
	if (buf_addf(&b, "%s by %s", a->field, a->by.text) < 0)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	free(a->series);
	a->series = buf_detach(&b, NULL);
	return 0;
}

int
validator_add_dup_payment(struct validator *v, const char *fields, struct ep_err *err)
{
	if (v->dup)
		return ep_errf(err, EP_USAGE, "--dup-payment may be given once");
	if ((v->dup = calloc(1, sizeof(*v->dup))) == NULL)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	if (parse_fields(fields, strlen(fields), &v->dup->f, "--dup-payment", err) < 0)
		return -1;
	if (v->dup->f.n != 4)
		return ep_errf(err, EP_USAGE, "--dup-payment '%s': not VENDOR,AMOUNT,DATE,REF",
		               fields);
	return 0;
}

int
validator_set_id(struct validator *v, const char *field, struct ep_err *err)
{
	if (v->idfield)
		return ep_errf(err, EP_USAGE, "--id may be given once");
	if (field[0] == '\0')
		return ep_errf(err, EP_USAGE, "--id: empty field name");
	if ((v->idfield = strdup(field)) == NULL)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	return 0;
}

void
validator_tune(struct validator *v, const struct validator_tuning *t)
{
	v->tune = *t;
}

void
validator_set_warn(struct validator *v, int on)
{
	v->warn = on;
}

int
validator_open_history(struct validator *v, const char *path, struct ep_err *err)
{
	if (need_hist(v, err) < 0)
		return -1;
	if (state_open(&v->hstate, path, err) < 0) {
		state_close(&v->hstate);
		return ep_err_prefix(err, "--history");
	}
	v->have_hist = 1;
	return anomaly_hist_load(v->hist, v->hstate.map, path, err);
}

int
validator_commit_history(struct validator *v, struct ep_err *err)
{
	cJSON *s, *p;
	int rc;

	if (!v->have_hist)
		return 0;
	s = anomaly_hist_series_json(v->hist);
	p = anomaly_hist_payments_json(v->hist, v->dup ? (int)v->tune.window : -1);
	rc = s && p ? 0 : ep_errf(err, EP_SOFTWARE, "out of memory");
	/* both streams in one write: the series into the map, the payments
	 * committed with it */
	if (rc == 0) {
		cJSON_DeleteItemFromObjectCaseSensitive(v->hstate.map, ANOMALY_STREAM);
		cJSON_AddItemToObject(v->hstate.map, ANOMALY_STREAM, s);
		s = NULL;
		if (state_commit(&v->hstate, ANOMALY_PAY_STREAM, p, err) < 0)
			rc = ep_err_prefix(err, "--history");
	}
	cJSON_Delete(s);
	cJSON_Delete(p);
	return rc;
}

/* ---- results ------------------------------------------------------------- */

#define NO_DETAIL ((size_t)-1)

/* an item, with detail (JSON members, or NULL) for the reject */
static int
add_itemv(struct validator *v, const char *path, const char *detail, const char *fmt, va_list ap)
{
	size_t *no;
	int rc;

	if ((no = array_grow(v->offs, &v->capitems, v->nitems + 1, 3 * sizeof(size_t))) == NULL)
		return -1;
	v->offs = no;
	v->offs[3 * v->nitems] = v->pool.len;
	rc = buf_add(&v->pool, path, strlen(path) + 1);
	v->offs[3 * v->nitems + 1] = v->pool.len;
	rc |= buf_vaddf(&v->pool, fmt, ap);
	rc |= buf_addc(&v->pool, '\0');
	v->offs[3 * v->nitems + 2] = detail ? v->pool.len : NO_DETAIL;
	if (detail)
		rc |= buf_add(&v->pool, detail, strlen(detail) + 1);
	if (rc)
		return -1;
	v->nitems++;
	return 0;
}

static int add_item(struct validator *v, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
add_item(struct validator *v, const char *path, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = add_itemv(v, path, NULL, fmt, ap);
	va_end(ap);
	return rc;
}

static int add_flag(struct validator *v, const char *path, const char *detail, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
add_flag(struct validator *v, const char *path, const char *detail, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = add_itemv(v, path, detail, fmt, ap);
	va_end(ap);
	return rc;
}

/* --report: one count under "what" */
static void
count(struct validator *v, const char *what)
{
	size_t i, mask;

	if (v->capcounts == 0) {
		if ((v->counts = calloc(2 * REPORT_MAX, sizeof(*v->counts))) == NULL) {
			v->other++;
			return;
		}
		v->capcounts = 2 * REPORT_MAX;
	}
	mask = v->capcounts; /* not a power of two: modulo */
	for (i = fnv1a32(what, strlen(what)) % mask; v->counts[i].k; i = (i + 1) % mask) {
		if (strcmp(v->counts[i].k, what) == 0) {
			v->counts[i].n++;
			return;
		}
	}
	if (v->ncounts >= REPORT_MAX || (v->counts[i].k = strdup(what)) == NULL) {
		v->other++;
		return;
	}
	v->counts[i].n = 1;
	v->ncounts++;
}

/* a JSON Pointer with its array indexes as "*", then a label */
static void
count_path(struct validator *v, const char *path, const char *label)
{
	const char *p = path;

	buf_reset(&v->tmp);
	while (*p) {
		const char *s = p + 1, *e = strchr(s, '/');
		size_t l = e ? (size_t)(e - s) : strlen(s), j;

		for (j = 0; j < l && s[j] >= '0' && s[j] <= '9'; j++)
			;
		buf_addc(&v->tmp, '/');
		if (l > 0 && j == l)
			buf_addc(&v->tmp, '*');
		else
			buf_add(&v->tmp, s, l);
		p = s + l;
	}
	if (v->tmp.len == 0)
		buf_adds(&v->tmp, "(root)");
	buf_addc(&v->tmp, ' ');
	buf_adds(&v->tmp, label);
	count(v, buf_str(&v->tmp));
}

/* ---- the check ----------------------------------------------------------- */

static uint64_t
source_index(struct validator *v, const char *source)
{
	char **ns;

	if (v->nsrcs && strcmp(v->srcs[v->nsrcs - 1], source) == 0)
		return v->nsrcs - 1;
	for (size_t i = 0; i < v->nsrcs; i++)
		if (strcmp(v->srcs[i], source) == 0)
			return i;
	if ((ns = realloc(v->srcs, (v->nsrcs + 1) * sizeof(*ns))) == NULL)
		return UINT64_MAX;
	v->srcs = ns;
	if ((ns[v->nsrcs] = strdup(source)) == NULL)
		return UINT64_MAX;
	return v->nsrcs++;
}

#define LINE_BITS 44

static int
check_schema(struct validator *v, const struct jv *doc)
{
	int r = schema_validate_val(v->schema, doc, &v->errs);

	if (r < 0)
		return -1;
	for (size_t i = 0; r == 0 && i < v->errs.n; i++) {
		const struct schema_error *e = &v->errs.v[i];
		const char *kw = strrchr(e->keyword, '/');

		if (add_item(v, e->path, "%s", e->message) < 0)
			return -1;
		/* a schema's own errorMessage says more than the keyword */
		count_path(v, e->path,
		           kw && strcmp(kw + 1, "errorMessage") != 0 ? kw + 1 : e->message);
	}
	if (r == 0 && v->errs.dropped) {
		if (add_item(v, "", "%zu more schema errors not shown", v->errs.dropped) < 0)
			return -1;
	}
	return 0;
}

static int
check_rules(struct validator *v, const struct jv *doc)
{
	for (size_t i = 0; i < v->nrules; i++) {
		struct rule *r = &v->rules[i];
		struct map_rterr re;
		int b = map_expr_eval_bool_val(r->prog, doc, &re);

		if (b == 1)
			continue;
		if (b == 0) {
			if (r->message ? add_item(v, "", "%s", r->message) < 0
			               : add_item(v, "", "%s failed: %s", r->label, r->expr) < 0)
				return -1;
		} else if (add_item(v, "", "%s '%s': %s", r->label, r->expr, re.msg) < 0) {
			return -1;
		}
		buf_reset(&v->tmp);
		if (r->message)
			buf_addf(&v->tmp, "%s: %s", r->label, r->message);
		else
			buf_addf(&v->tmp, "%s: %s", r->label, r->expr);
		count(v, buf_str(&v->tmp));
	}
	return 0;
}

/* a top-level field's JSON Pointer */
static const char *
pointer(const char *name, struct buf *b)
{
	buf_reset(b);
	buf_addc(b, '/');
	for (const char *p = name; *p; p++) {
		if (*p == '~')
			buf_adds(b, "~0");
		else if (*p == '/')
			buf_adds(b, "~1");
		else
			buf_addc(b, *p);
	}
	return buf_str(b);
}

static const char *
first_path(const struct fields *f, struct buf *b)
{
	/* one field: its pointer; several: the whole record */
	if (f->n == 1)
		return pointer(f->v[0], b);
	buf_reset(b);
	return buf_str(b);
}

/* --similar: the record's best earlier near-duplicate, as an item (or the
 * note with warn) */
static int
check_similar(struct validator *v, const struct jv *doc, struct buf *pb, struct buf *note)
{
	struct similar *s = v->sim;
	const char *vals[SIM_MAXF];
	size_t lens[SIM_MAXF];
	struct sim_why why;
	uint64_t pos;
	double score;
	int r;

	sim_values(&s->spec, 0, doc, vals, lens);
	buf_reset(&s->rec);
	if (sim_norm(&s->spec, vals, lens, &s->rec) < 0)
		return -1;
	if ((s->has = !sim_rec_empty(&s->spec, s->rec.p)) == 0)
		return 0;
	if ((r = sim_index_find(s->index, s->rec.p, s->cutoff, &pos, &score, &why)) <= 0)
		return r;
	buf_reset(note);
	if (buf_addf(note, "similar to %s:%llu (score %.3f: ", v->srcs[pos >> LINE_BITS],
	             (unsigned long long)(pos & (((uint64_t)1 << LINE_BITS) - 1)), score) < 0 ||
	    sim_reasons_text(&s->spec, &why, 0, note) < 0 || buf_addc(note, ')') < 0)
		return -1;
	if (s->warn)
		return 0;
	if (add_item(v, s->spec.n == 1 ? pointer(s->spec.f[0].name[0], pb) : "", "%s",
	             buf_str(note)) < 0)
		return -1;
	buf_reset(&v->tmp);
	buf_addf(&v->tmp, "similar %s", s->text);
	count(v, buf_str(&v->tmp));
	buf_reset(note);
	return 0;
}

/* ---- anomalies and duplicate payments: the checks ------------------------ */

/* a number, or a string holding one, as a decimal; 1 when not one */
static int
value_dec(const struct jv *x, struct dec *d)
{
	if (x && x->t == JV_ARR && x->n == 2 && x->u.a[0].t == JV_NUM && x->u.a[1].t == JV_STR)
		x = &x->u.a[0];
	if (x == NULL || (x->t != JV_NUM && x->t != JV_STR) || dec_parse(x->u.s, x->n, d) < 0)
		return 1;
	return 0;
}

/* a value as text for a payment: a string as it is, a number as its
 * decimal without trailing zeros, a many2one as its id; 1 when absent
 * (missing, null, false, "") or another kind */
static int
canon(const struct jv *x, struct buf *b)
{
	char num[DEC_STRLEN];
	struct dec d;

	buf_reset(b);
	if (x && x->t == JV_ARR && x->n == 2 && x->u.a[0].t == JV_NUM && x->u.a[1].t == JV_STR)
		x = &x->u.a[0];
	if (x == NULL || (x->t != JV_NUM && x->t != JV_STR) || x->n == 0)
		return 1;
	if (x->t == JV_NUM && dec_parse(x->u.s, x->n, &d) == 0) {
		dec_normalize(&d, &d);
		if (dec_format(&d, num, sizeof num) < 0)
			return 1;
		return buf_adds(b, num) < 0 ? -1 : 0;
	}
	return buf_add(b, x->u.s, x->n) < 0 || buf_str(b) == NULL ? -1 : 0;
}

/* the group's name: "partner_id=42,currency_id=1" (many2one ids, values as
 * JSON), "all" without --by */
static int
group_name(struct validator *v, const struct jv *rec, const struct fields *by)
{
	buf_reset(&v->key);
	if (by->n == 0)
		return buf_adds(&v->key, "all");
	for (size_t i = 0; i < by->n; i++) {
		const struct jv *x = field(rec, by->v[i]);
		struct jv null = JV_NULLV;

		if (x && x->t == JV_ARR && x->n == 2 && x->u.a[0].t == JV_NUM &&
		    x->u.a[1].t == JV_STR)
			x = &x->u.a[0];
		if (buf_addf(&v->key, "%s%s=", i ? "," : "", by->v[i]) < 0 ||
		    jv_emit(&v->key, x ? x : &null) < 0)
			return -1;
	}
	return buf_str(&v->key) ? 0 : -1;
}

static void
add_num(struct buf *b, const char *name, double d, const char *fmt)
{
	buf_addf(b, ",\"%s\":", name);
	if (isfinite(d))
		buf_addf(b, fmt, d);
	else
		buf_adds(b, "null");
}

static int
judge_anomaly(struct validator *v, const struct jv *doc, struct anomaly *a)
{
	struct anomaly_verdict *vd = &a->vd;
	char val[DEC_STRLEN], *fv[1] = { a->field };
	struct fields one = { fv, 1, NULL };
	struct buf pb = BUF_INIT, *d = &v->detail;
	const char *grp;
	int rc = 0;

	a->has = 0;
	if (value_dec(field(doc, a->field), &a->x) != 0) {
		a->novalue++;
		return 0;
	}
	if (need_hist(v, NULL) < 0 || group_name(v, doc, &a->by) < 0 ||
	    anomaly_judge(v->hist, a->series, v->key.p, &a->x, v->id, (int)v->tune.min, v->tune.cut,
	                  vd) < 0)
		return -1;
	a->has = 1;
	if (vd->replay) {
		a->replays++;
		return 0;
	}
	if (!vd->judged) {
		a->young++;
		return 0;
	}
	a->judged++;
	if (!vd->flagged)
		return 0;
	a->flagged++;
	grp = v->key.p;
	dec_format(&a->x, val, sizeof val);
	buf_reset(d);
	buf_adds(d, "\"anomaly\":{\"field\":");
	json_quote(d, a->field, strlen(a->field));
	buf_addf(d, ",\"value\":\"%s\",\"group\":", val);
	json_quote(d, grp, strlen(grp));
	buf_addf(d, ",\"n\":%zu,\"median\":\"%s\",\"mad\":\"%s\"", vd->n, vd->median, vd->mad);
	add_num(d, "ratio", vd->ratio, "%.4g");
	add_num(d, "score", vd->score, "%.1f");
	add_num(d, "cut", v->tune.cut, "%g");
	buf_addf(d, ",\"scale\":\"%s\",\"reason\":\"%s\"}", vd->logscale ? "log" : "linear",
	         vd->sign ? "sign" : "far");
	if (buf_str(d) == NULL)
		return -1;
	first_path(&one, &pb);
	if (vd->sign)
		rc = add_flag(v, buf_str(&pb), d->p,
		              "anomaly: %s %s is not positive, unlike the last %zu values of %s "
		              "(median %s)",
		              a->field, val, vd->n, grp, vd->median);
	else if (vd->logscale)
		rc = add_flag(
			v, buf_str(&pb), d->p,
			"anomaly: %s %s is %.3g times the median %s of the last %zu values of "
			"%s (MAD %s): score %.1f, cut %g",
			a->field, val, vd->ratio, vd->median, vd->n, grp, vd->mad, vd->score,
			v->tune.cut);
	else
		rc = add_flag(
			v, buf_str(&pb), d->p,
			"anomaly: %s %s is far from the median %s of the last %zu values of %s "
			"(MAD %s): score %.1f, cut %g",
			a->field, val, vd->median, vd->n, grp, vd->mad, vd->score, v->tune.cut);
	buf_release(&pb);
	buf_reset(&v->tmp);
	buf_addf(&v->tmp, "anomaly %s", a->series);
	count(v, buf_str(&v->tmp));
	return rc;
}

static void
quote_or_null(struct buf *b, const char *s)
{
	if (s)
		json_quote(b, s, strlen(s));
	else
		buf_adds(b, "null");
}

static int
judge_payment(struct validator *v, const struct jv *doc, const char *source, uint64_t lineno)
{
	struct dup_payment *dp = v->dup;
	struct anomaly_payment *p = &dp->p;
	struct anomaly_dup dup;
	struct dt_time t;
	struct dec amt;
	struct buf *d = &v->detail;
	const struct jv *dv;
	int r;

	dp->has = dp->replay = 0;
	dv = field(doc, dp->f.v[2]);
	if ((r = canon(field(doc, dp->f.v[0]), &dp->vendor)) != 0 ||
	    value_dec(field(doc, dp->f.v[1]), &amt) != 0 || dv == NULL || dv->t != JV_STR ||
	    dt_parse(dv->u.s, dv->n, NULL, &t) < 0) {
		if (r < 0)
			return -1;
		dp->unchecked++;
		return 0;
	}
	buf_reset(&dp->amount);
	buf_reset(&dp->date);
	buf_reset(&dp->at);
	dec_normalize(&amt, &amt);
	{
		char num[DEC_STRLEN];

		if (dec_format(&amt, num, sizeof num) < 0 || buf_adds(&dp->amount, num) < 0)
			return -1;
	}
	if (buf_add(&dp->date, dv->u.s, dv->n) < 0 || buf_str(&dp->date) == NULL ||
	    buf_addf(&dp->at, "%s:%llu", source, (unsigned long long)lineno) < 0 ||
	    (r = canon(field(doc, dp->f.v[3]), &dp->ref)) < 0)
		return -1;
	p->vendor = dp->vendor.p;
	p->amount = dp->amount.p;
	p->date = dp->date.p;
	p->day = t.sec >= 0 ? t.sec / 86400 : -((-t.sec + 86399) / 86400);
	p->ref = r == 0 ? dp->ref.p : NULL;
	p->id = v->id;
	p->at = dp->at.p;
	if (need_hist(v, NULL) < 0 || anomaly_dup_find(v->hist, p, (int)v->tune.window, &dup) < 0)
		return -1;
	dp->checked++;
	if (dup.same) {
		dp->replay = 1;
		dp->replays++;
		return 0;
	}
	dp->has = 1;
	if (!dup.found)
		return 0;
	dp->flagged++;
	buf_reset(d);
	buf_adds(d, "\"duplicate_payment\":{\"vendor\":");
	json_quote(d, p->vendor, strlen(p->vendor));
	buf_addf(d, ",\"amount\":\"%s\",\"date\":", p->amount);
	json_quote(d, p->date, strlen(p->date));
	buf_adds(d, ",\"ref\":");
	quote_or_null(d, p->ref);
	buf_adds(d, ",\"other\":{\"at\":");
	json_quote(d, dup.other.at, strlen(dup.other.at));
	buf_adds(d, ",\"date\":");
	json_quote(d, dup.other.date, strlen(dup.other.date));
	buf_adds(d, ",\"ref\":");
	quote_or_null(d, dup.other.ref);
	buf_adds(d, ",\"id\":");
	quote_or_null(d, dup.other.id);
	buf_addf(d,
	         ",\"from\":\"%s\"},\"days\":%lld,\"same_ref\":", dup.past ? "history" : "stream",
	         dup.days);
	quote_or_null(d, dup.norm);
	buf_addc(d, '}');
	if (buf_str(d) == NULL)
		return -1;
	buf_reset(&v->tmp);
	buf_adds(&v->tmp, "dup-payment");
	count(v, buf_str(&v->tmp));
	if (dup.noref)
		return add_flag(v, "", d->p,
		                "duplicate payment: %s to %s on %s, as %s%s (%s%s%s), and no "
		                "reference tells them apart",
		                p->amount, p->vendor, p->date, dup.other.at,
		                dup.past ? " in a past run" : "", dup.other.date,
		                dup.other.id ? ", id " : "", dup.other.id ? dup.other.id : "");
	return add_flag(v, "", d->p,
	                "duplicate payment: %s to %s on %s, ref '%s', as %s%s (%s, ref '%s'%s%s): "
	                "the same reference '%s' once normalised",
	                p->amount, p->vendor, p->date, p->ref, dup.other.at,
	                dup.past ? " in a past run" : "", dup.other.date, dup.other.ref,
	                dup.other.id ? ", id " : "", dup.other.id ? dup.other.id : "", dup.norm);
}

/* a record that goes on: its values join the history */
static int
learn(struct validator *v)
{
	for (size_t i = 0; i < v->nanom; i++)
		if (v->anom[i].has &&
		    anomaly_learn(v->hist, &v->anom[i].vd, &v->anom[i].x, v->id) < 0)
			return -1;
	if (v->dup && v->dup->has && anomaly_dup_add(v->hist, &v->dup->p) < 0)
		return -1;
	return 0;
}

int
validator_check(struct validator *v, const char *line, size_t len, const char *source,
                uint64_t lineno, struct validator_result *res, struct ep_err *err)
{
	struct jv rec, *doc = &rec;
	struct buf pb = BUF_INIT, note = BUF_INIT;
	size_t i, nerr;
	int rc = 0, passes;

	v->nitems = 0;
	res->note = NULL;
	buf_reset(&v->pool);
	v->checked++;
	res->warns = NULL;
	res->nwarns = 0;
	res->warn_error = NULL;
	arena_reset(&v->A);
	if (jv_parse(&v->jp, line, len, &rec) < 0) {
		if (v->jp.errkind == JV_PARSE_NOMEM || v->jp.errkind == JV_PARSE_TOOBIG)
			goto oom;
		res->jtype = JSON_INVALID;
		res->joff = v->jp.errpos;
		res->jwhy = v->jp.err;
		v->checked--;
		return VALIDATOR_NOT_JSON;
	}
	if (rec.t != JV_OBJ) {
		static const int jt[] = { JSON_NULL,   JSON_FALSE, JSON_TRUE,  JSON_NUMBER,
			                  JSON_STRING, JSON_ARRAY, JSON_OBJECT };

		res->jtype = jt[rec.t];
		res->joff = 0;
		res->jwhy = NULL;
		v->checked--;
		return VALIDATOR_NOT_JSON;
	}
	/* the unique keys' slots load while the schema and rules run */
	for (i = 0; i < v->nuniq; i++) {
		struct unique *u = &v->uniq[i];
		int m = make_key(v, doc, &u->f);

		if (m < 0)
			goto oom;
		if ((u->absent = m == 1) == 0) {
			keyset_digest(&u->seen, v->key.p, v->key.len, u->d);
			keyset_prefetch(&u->seen, u->d);
		}
	}
	if (v->schema) {
		struct jv tmp;
		const struct jv *sv = with_op(v, doc, &tmp);

		if (sv == NULL || check_schema(v, sv) < 0)
			goto oom;
	}
	if (check_rules(v, doc) < 0)
		goto oom;
	for (i = 0; i < v->nuniq; i++) {
		struct unique *u = &v->uniq[i];
		uint64_t first;

		if (u->absent || !keyset_get_digest(&u->seen, u->d, &first))
			continue;
		if (add_item(v, first_path(&u->f, &pb), "duplicate %s %s, first at %s:%llu",
		             u->f.text, key_text(v, doc, &u->f), v->srcs[first >> LINE_BITS],
		             (unsigned long long)(first & (((uint64_t)1 << LINE_BITS) - 1))) < 0)
			goto oom;
		buf_reset(&v->tmp);
		buf_addf(&v->tmp, "unique %s", u->f.text);
		count(v, buf_str(&v->tmp));
	}
	for (i = 0; i < v->nrefs; i++) {
		struct ref *r = &v->refs[i];
		int m = make_key(v, doc, &r->f);

		if (m < 0)
			goto oom;
		if (m == 1 || keyset_get(&r->set, v->key.p, v->key.len, NULL))
			continue;
		if (add_item(v, first_path(&r->f, &pb), "%s %s not found in '%s' (%s)", r->f.text,
		             key_text(v, doc, &r->f), r->file, r->keys.text) < 0)
			goto oom;
		buf_reset(&v->tmp);
		buf_addf(&v->tmp, "ref %s=%s:%s", r->f.text, r->file, r->keys.text);
		count(v, buf_str(&v->tmp));
	}
	if (v->sim && check_similar(v, doc, &pb, &note) < 0)
		goto oom;
	/* anomalies and duplicate payments: flags, rejects or warnings */
	nerr = v->nitems;
	v->id = NULL;
	if (v->idfield) {
		int m = canon(field(doc, v->idfield), &v->idbuf);

		if (m < 0)
			goto oom;
		v->id = m == 0 ? v->idbuf.p : NULL;
	}
	for (i = 0; i < v->nanom; i++)
		if (judge_anomaly(v, doc, &v->anom[i]) < 0)
			goto oom;
	if (v->dup && judge_payment(v, doc, source, lineno) < 0)
		goto oom;
	passes = v->warn ? nerr == 0 : v->nitems == 0;
	/* a record that passes the other checks joins the history, flagged or
	 * not (the median and MAD shrug off the odd outlier, and a group whose
	 * level changed for good is learnt); one that goes on claims its
	 * unique keys (and its place among the --similar ones) */
	if (nerr == 0 && learn(v) < 0)
		goto oom;
	for (i = 0; passes && i < v->nuniq; i++) {
		struct unique *u = &v->uniq[i];
		uint64_t si = source_index(v, source);

		if (si == UINT64_MAX || si >= ((uint64_t)1 << (64 - LINE_BITS)))
			goto oom;
		if (!u->absent &&
		    keyset_put_digest(&u->seen, u->d,
		                      si << LINE_BITS | (lineno & (((uint64_t)1 << LINE_BITS) - 1)),
		                      NULL) < 0) {
			rc = ep_errf(err, EP_SOFTWARE, "--unique %s: out of memory after %zu keys",
			             u->f.text, u->seen.count);
			goto out;
		}
	}
	if (passes && v->sim && v->sim->has) {
		uint64_t si = source_index(v, source);

		if (si == UINT64_MAX || si >= ((uint64_t)1 << (64 - LINE_BITS)))
			goto oom;
		if (sim_index_add(v->sim->index, v->sim->rec.p,
		                  si << LINE_BITS | (lineno & (((uint64_t)1 << LINE_BITS) - 1))) <
		    0) {
			rc = ep_errf(err, EP_SOFTWARE, "--similar %s: out of memory", v->sim->text);
			goto out;
		}
	}
	res->note = NULL;
	if (v->nitems) {
		/* the pool is complete: point the items into it */
		struct reject_item *it = array_grow(v->items, &v->capout, v->nitems, sizeof(*it));

		if (it == NULL)
			goto oom;
		v->items = it;
		for (i = 0; i < v->nitems; i++) {
			v->items[i].path = v->pool.p + v->offs[3 * i];
			v->items[i].message = v->pool.p + v->offs[3 * i + 1];
			v->items[i].detail = v->offs[3 * i + 2] == NO_DETAIL
			                             ? NULL
			                             : v->pool.p + v->offs[3 * i + 2];
		}
		buf_reset(&v->tmp);
		buf_addf(&v->tmp, "%s%s%s", v->items[0].path, v->items[0].path[0] ? ": " : "",
		         v->items[0].message);
		if (passes) {
			/* warnings only */
			res->items = NULL;
			res->n = 0;
			res->error = NULL;
			res->warns = v->items;
			res->nwarns = v->nitems;
			res->warn_error = buf_str(&v->tmp);
			rc = 1;
			goto out;
		}
		res->items = v->items;
		res->n = v->nitems;
		res->error = buf_str(&v->tmp);
		v->invalid++;
		rc = 0;
	} else {
		res->items = NULL;
		res->n = 0;
		res->error = NULL;
		if (note.len) {
			/* kept until the next check */
			buf_reset(&v->tmp);
			buf_add(&v->tmp, note.p, note.len);
			res->note = buf_str(&v->tmp);
		}
		rc = 1;
	}
	goto out;
oom:
	rc = ep_errf(err, EP_SOFTWARE, "out of memory");
out:
	buf_release(&pb);
	buf_release(&note);
	return rc;
}

/* ---- report -------------------------------------------------------------- */

void
validator_summary(const struct validator *v, FILE *fp)
{
	for (size_t i = 0; i < v->nanom; i++) {
		const struct anomaly *a = &v->anom[i];

		fprintf(fp,
		        "validate: anomaly %s: judged %llu, flagged %llu, not judged %llu "
		        "(fewer than %ld past values), no value %llu, seen before %llu\n",
		        a->series, (unsigned long long)a->judged, (unsigned long long)a->flagged,
		        (unsigned long long)a->young, v->tune.min, (unsigned long long)a->novalue,
		        (unsigned long long)a->replays);
	}
	if (v->dup)
		fprintf(fp,
		        "validate: dup-payment: checked %llu, flagged %llu, seen before %llu, "
		        "not checked %llu (a field missing)\n",
		        (unsigned long long)v->dup->checked, (unsigned long long)v->dup->flagged,
		        (unsigned long long)v->dup->replays, (unsigned long long)v->dup->unchecked);
}

static int
cmp_count(const void *a, const void *b)
{
	const struct rcount *x = a, *y = b;

	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return strcmp(x->k, y->k);
}

void
validator_report(const struct validator *v, FILE *fp)
{
	struct rcount *all = calloc(v->ncounts + 1, sizeof(*all));
	size_t i, n = 0;

	fprintf(fp, "validate: report: %llu records checked, %llu valid, %llu invalid\n",
	        (unsigned long long)v->checked, (unsigned long long)(v->checked - v->invalid),
	        (unsigned long long)v->invalid);
	if (all == NULL)
		return;
	for (i = 0; i < v->capcounts; i++)
		if (v->counts[i].k)
			all[n++] = v->counts[i];
	qsort(all, n, sizeof(*all), cmp_count);
	for (i = 0; i < n; i++)
		fprintf(fp, "validate: report: %10llu  %s\n", (unsigned long long)all[i].n,
		        all[i].k);
	if (v->other)
		fprintf(fp, "validate: report: %10llu  (other)\n", (unsigned long long)v->other);
	free(all);
}
