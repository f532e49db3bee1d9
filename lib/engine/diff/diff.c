/* diff.c - reconcile's engine: the spec, compact records, keys, and the
 * comparison of two values under a field's rules. */
#include "engine/diff/diff_int.h"

#include <stdlib.h>
#include <string.h>

#include "base/dt.h"
#include "base/fields.h"
#include "base/hash.h"
#include "engine/map/map.h"
#include "base/text.h"

static const char *const status_names[DIFF_NSTATUS] = {
	"match", "changed", "only_left", "only_right", "duplicate_key",
};

const char *
diff_status_name(enum diff_status s)
{
	return (unsigned)s < DIFF_NSTATUS ? status_names[s] : "?";
}

/* ---- option values ---- */

void
diff_pairs_free(struct diff_pair *p, int n)
{
	for (int i = 0; i < n; i++) {
		if (p[i].name[1] != p[i].name[0])
			free(p[i].name[1]);
		free(p[i].name[0]);
	}
	free(p);
}

/* the comma-separated items of s, each passed to fn; -1 stops */
static int
each_item(const char *s, const char *what, struct ep_err *err,
          int (*fn)(const char *item, size_t n, void *ctx), void *ctx)
{
	struct fields_iter it;
	struct field_ref f;
	int r;

	if (*s == '\0')
		return ep_errf(err, EP_USAGE, "%s: empty list", what);
	fields_init(&it, s, 0);
	while ((r = fields_next(&it, &f)) != 0) {
		if (r < 0)
			return ep_errf(err, EP_USAGE, "%s '%s': empty name", what, s);
		if (fn(f.item, f.len, ctx) < 0)
			return -1;
	}
	return 0;
}

struct pairs_ctx {
	struct diff_pair *v;
	int n, cap;
	const char *what, *all;
	struct ep_err *err;
};

static int
add_pair(const char *item, size_t n, void *ctx)
{
	struct pairs_ctx *pc = ctx;
	struct field_ref f;
	struct diff_pair *p;

	if (pc->n == pc->cap) {
		int cap = pc->cap ? pc->cap * 2 : 8;
		struct diff_pair *v = realloc(pc->v, (size_t)cap * sizeof *v);

		if (v == NULL)
			return ep_errf(pc->err, EP_SOFTWARE, "out of memory");
		pc->v = v;
		pc->cap = cap;
	}
	if (fields_pair(item, n, &f) < 0)
		return ep_errf(pc->err, EP_USAGE, "%s '%s': '%.*s' is not NAME or LEFT=RIGHT",
		               pc->what, pc->all, (int)n, item);
	p = &pc->v[pc->n];
	p->name[0] = strndup(f.name[0], f.n[0]);
	p->name[1] = f.name[1] == f.name[0] ? p->name[0] : strndup(f.name[1], f.n[1]);
	if (p->name[0] == NULL || p->name[1] == NULL) {
		free(p->name[0]);
		if (p->name[1] != p->name[0])
			free(p->name[1]);
		return ep_errf(pc->err, EP_SOFTWARE, "out of memory");
	}
	pc->n++;
	return 0;
}

int
diff_parse_pairs(const char *s, const char *what, struct diff_pair **out, int *n,
                 struct ep_err *err)
{
	struct pairs_ctx pc = { *out, *n, *n, what, s, err };

	if (each_item(s, what, err, add_pair, &pc) < 0) {
		diff_pairs_free(pc.v, pc.n);
		*out = NULL;
		*n = 0;
		return -1;
	}
	*out = pc.v;
	*n = pc.n;
	return 0;
}

void
diff_rules_free(struct diff_rule *r, int n)
{
	for (int i = 0; i < n; i++)
		free(r[i].name);
	free(r);
}

struct rules_ctx {
	struct diff_rule **v;
	int *n;
	unsigned flag;
	const char *all;
	struct ep_err *err;
};

static struct diff_rule *
new_rule(struct rules_ctx *rc, const char *name, size_t n)
{
	struct diff_rule *v = realloc(*rc->v, (size_t)(*rc->n + 1) * sizeof *v), *r;

	if (v == NULL)
		return NULL;
	*rc->v = v;
	r = &v[*rc->n];
	memset(r, 0, sizeof *r);
	if ((r->name = strndup(name, n)) == NULL)
		return NULL;
	(*rc->n)++;
	return r;
}

static int
add_flag(const char *item, size_t n, void *ctx)
{
	struct rules_ctx *rc = ctx;
	struct diff_rule *r = new_rule(rc, item, n);

	if (r == NULL)
		return ep_errf(rc->err, EP_SOFTWARE, "out of memory");
	r->flags = rc->flag;
	return 0;
}

static int
add_tolerance(const char *item, size_t n, void *ctx)
{
	struct rules_ctx *rc = ctx;
	const char *eq = memchr(item, '=', n);
	struct diff_rule *r;
	struct dec v;
	size_t vn;
	int pct;

	if (eq == NULL || eq == item)
		return ep_errf(rc->err, EP_USAGE,
		               "--tolerance '%.*s': not FIELD=AMOUNT or FIELD=PERCENT%%", (int)n,
		               item);
	vn = (size_t)(item + n - eq - 1);
	pct = vn > 0 && eq[vn] == '%';
	if (dec_parse(eq + 1, vn - (size_t)pct, &v) < 0 || dec_sign(&v) < 0 ||
	    (pct && v.scale + 2 > DEC_MAX_SCALE))
		return ep_errf(rc->err, EP_USAGE,
		               "--tolerance '%.*s': '%.*s' is not a number >= 0 (or a percentage)",
		               (int)n, item, (int)vn, eq + 1);
	if ((r = new_rule(rc, item, (size_t)(eq - item))) == NULL)
		return ep_errf(rc->err, EP_SOFTWARE, "out of memory");
	if (pct) {
		v.scale += 2; /* exactly v / 100 */
		r->flags = DIFF_TOL_REL;
		r->tol_rel = v;
	} else {
		r->flags = DIFF_TOL_ABS;
		r->tol_abs = v;
	}
	return 0;
}

int
diff_parse_tolerance(const char *s, struct diff_rule **rules, int *n, struct ep_err *err)
{
	struct rules_ctx rc = { rules, n, 0, s, err };

	return each_item(s, "--tolerance", err, add_tolerance, &rc);
}

int
diff_parse_flag(const char *s, unsigned flag, struct diff_rule **rules, int *n, struct ep_err *err)
{
	struct rules_ctx rc = { rules, n, flag, s, err };
	const char *what = flag == DIFF_ICASE  ? "--ignore-case"
	                   : flag == DIFF_TRIM ? "--trim"
	                                       : "--date";

	return each_item(s, what, err, add_flag, &rc);
}

/* ---- varints ---- */

int
diff_varint_put(struct buf *b, size_t v)
{
	unsigned char t[10];
	int n = 0;

	do {
		t[n] = (unsigned char)(v & 0x7f);
		v >>= 7;
		if (v)
			t[n] |= 0x80;
		n++;
	} while (v);
	return buf_add(b, t, (size_t)n);
}

size_t
diff_varint_get(const unsigned char *p, const unsigned char *end, size_t *v)
{
	size_t r = 0, i = 0;
	int sh = 0;

	while (p + i < end && sh < 63) {
		r |= (size_t)(p[i] & 0x7f) << sh;
		if (!(p[i++] & 0x80)) {
			*v = r;
			return i;
		}
		sh += 7;
	}
	*v = 0;
	return 0;
}

/* ---- names ---- */

static struct slot *
names_find(const struct names *t, const char *s, size_t n, uint32_t h)
{
	size_t i;

	if (t->cap == 0)
		return NULL;
	for (i = h & (t->cap - 1); t->tab[i] != NULL; i = (i + 1) & (t->cap - 1)) {
		struct slot *sl = t->tab[i];

		if (sl->h == h && sl->len == n && memcmp(sl->name, s, n) == 0)
			return sl;
	}
	return NULL;
}

static int
names_put(struct names *t, struct slot *sl)
{
	size_t i;

	if ((t->n + 1) * 2 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct slot **tab = calloc(cap, sizeof *tab);

		if (tab == NULL)
			return -1;
		for (i = 0; i < t->cap; i++) {
			if (t->tab[i] != NULL) {
				size_t j = t->tab[i]->h & (cap - 1);

				while (tab[j] != NULL)
					j = (j + 1) & (cap - 1);
				tab[j] = t->tab[i];
			}
		}
		free(t->tab);
		t->tab = tab;
		t->cap = cap;
	}
	for (i = sl->h & (t->cap - 1); t->tab[i] != NULL; i = (i + 1) & (t->cap - 1))
		;
	t->tab[i] = sl;
	t->n++;
	return 0;
}

/* register name on side with kind/idx unless it is there already */
static struct slot *
name_add(struct diff *d, int side, const char *s, size_t n, int kind, int idx)
{
	uint32_t h = (uint32_t)hash_mix64(s, n);
	struct slot *sl = names_find(&d->names[side], s, n, h);

	if (sl != NULL)
		return sl;
	if ((sl = calloc(1, sizeof *sl)) == NULL || (sl->name = malloc(n + 1)) == NULL) {
		free(sl);
		return NULL;
	}
	memcpy(sl->name, s, n); /* the n bytes: a name is compared by them */
	sl->name[n] = '\0';
	sl->len = n;
	sl->h = h;
	sl->kind = kind;
	sl->idx = idx;
	if (names_put(&d->names[side], sl) < 0) {
		free(sl->name);
		free(sl);
		return NULL;
	}
	return sl;
}

static void
apply_rules(struct diff *d, struct dfield *f)
{
	for (int i = 0; i < d->spec.nrules; i++) {
		const struct diff_rule *r = &d->spec.rules[i];

		if (strcmp(r->name, "*") != 0 && strcmp(r->name, f->name[0]) != 0 &&
		    strcmp(r->name, f->name[1]) != 0)
			continue;
		f->flags |= r->flags;
		if (r->flags & DIFF_TOL_ABS)
			f->tol_abs = r->tol_abs;
		if (r->flags & DIFF_TOL_REL)
			f->tol_rel = r->tol_rel;
	}
}

static int
field_add(struct diff *d, const char *l, size_t ln, const char *r, size_t rn)
{
	struct dfield *f;

	if (d->nfields >= 65535)
		return -1;
	if (d->nfields == d->capfields) {
		int cap = d->capfields ? d->capfields * 2 : 32;
		struct dfield *v = realloc(d->fields, (size_t)cap * sizeof *v);

		if (v == NULL)
			return -1;
		d->fields = v;
		d->capfields = cap;
	}
	f = &d->fields[d->nfields];
	memset(f, 0, sizeof *f);
	f->name[0] = strndup(l, ln);
	f->name[1] = strndup(r, rn);
	if (f->name[0] == NULL || f->name[1] == NULL) {
		free(f->name[0]);
		free(f->name[1]);
		return -1;
	}
	apply_rules(d, f);
	return d->nfields++;
}

/* the slot of a member name (decoded), made on first sight */
static struct slot *
lookup(struct diff *d, int side, const char *s, size_t n)
{
	uint32_t h = (uint32_t)hash_mix64(s, n);
	struct slot *sl = names_find(&d->names[side], s, n, h);
	int f;

	if (sl != NULL)
		return sl;
	if (d->explicit_fields)
		return name_add(d, side, s, n, SK_IGNORE, 0);
	if ((f = field_add(d, s, n, s, n)) < 0)
		return NULL;
	name_add(d, !side, s, n, SK_FIELD, f); /* unless the other side has it already */
	return name_add(d, side, s, n, SK_FIELD, f);
}

/* ---- setup ---- */

static void
names_free(struct names *t)
{
	for (size_t i = 0; i < t->cap; i++) {
		if (t->tab[i] != NULL) {
			free(t->tab[i]->name);
			free(t->tab[i]);
		}
	}
	free(t->tab);
}

void
diff_free(struct diff *d)
{
	if (d == NULL)
		return;
	for (int s = 0; s < 2; s++)
		names_free(&d->names[s]);
	for (int s = 0; s < 3; s++)
		free(d->source[s]);
	diff_merge_free(d);
	for (int i = 0; i < d->nfields; i++) {
		free(d->fields[i].name[0]);
		free(d->fields[i].name[1]);
	}
	free(d->fields);
	free(d->sp);
	free(d->fsp);
	free(d->kp);
	free(d->ko);
	free(d->dense);
	free(d->dense_t);
	free(d->touched);
	free(d->fd);
	buf_release(&d->kname);
	buf_release(&d->kbuf);
	buf_release(&d->sa);
	buf_release(&d->sb);
	buf_release(&d->mapped);
	buf_release(&d->why);
	free(d);
}

struct diff *
diff_new(const struct diff_spec *spec, struct ep_err *err)
{
	struct diff *d = calloc(1, sizeof *d);
	const struct diff_pair *keys;
	int nkeys, s, i;

	if (d == NULL) {
		ep_errf(err, EP_SOFTWARE, "out of memory");
		return NULL;
	}
	d->spec = *spec;
	if (d->spec.memory == 0)
		d->spec.memory = (uint64_t)1 << 30;
	if (d->spec.max_line == 0)
		d->spec.max_line = NDJ_DEFAULT_MAX_LINE;
	d->totals = spec->nsums > 0;
	if (d->totals) {
		keys = spec->group.name[0] ? &spec->group : NULL;
		nkeys = keys ? 1 : 0;
	} else {
		keys = spec->keys;
		nkeys = spec->nkeys;
		if (nkeys < 1) {
			ep_errf(err, EP_USAGE, "no key: give --key FIELD (or --sum for totals)");
			goto fail;
		}
	}
	d->nkeys = nkeys;
	d->kp = calloc((size_t)nkeys + 1, sizeof *d->kp);
	d->ko = calloc((size_t)nkeys + 1, sizeof *d->ko);
	if (d->kp == NULL || d->ko == NULL)
		goto oom;
	for (s = 0; s < 2; s++) {
		for (i = 0; i < nkeys; i++)
			if (name_add(d, s, keys[i].name[s], strlen(keys[i].name[s]), SK_KEY, i) ==
			    NULL)
				goto oom;
		if (name_add(d, s, "_key", 4, SK_KEYOBJ, 0) == NULL ||
		    name_add(d, s, "_op", 3, SK_OP, 0) == NULL)
			goto oom;
		for (i = 0; i < spec->nignore; i++)
			if (name_add(d, s, spec->ignore[i].name[s], strlen(spec->ignore[i].name[s]),
			             SK_IGNORE, 0) == NULL)
				goto oom;
	}
	if (d->totals || spec->fields != NULL) {
		const struct diff_pair *fl = d->totals ? spec->sums : spec->fields;
		int nf = d->totals ? spec->nsums : spec->nfields;

		d->explicit_fields = 1;
		for (i = 0; i < nf; i++) {
			int f = field_add(d, fl[i].name[0], strlen(fl[i].name[0]), fl[i].name[1],
			                  strlen(fl[i].name[1]));

			if (f < 0)
				goto oom;
			for (s = 0; s < 2; s++) {
				struct slot *sl = name_add(d, s, fl[i].name[s],
				                           strlen(fl[i].name[s]), SK_FIELD, f);

				if (sl == NULL)
					goto oom;
				if (sl->kind != SK_FIELD || sl->idx != f) {
					ep_errf(err, EP_USAGE,
					        "field '%s' is named twice (as a key, ignored "
					        "or compared)",
					        fl[i].name[s]);
					goto fail;
				}
			}
		}
	}
	return d;
oom:
	ep_errf(err, EP_SOFTWARE, "out of memory");
fail:
	diff_free(d);
	return NULL;
}

const struct diff_counts *
diff_counts(const struct diff *d)
{
	return &d->c;
}

const char *
diff_source(const struct diff *d, int side)
{
	return d->source[side] ? d->source[side] : side == 2 ? "base" : side ? "right" : "left";
}

int
diff_nfields(const struct diff *d)
{
	return d->nfields;
}

const char *
diff_field_name(const struct diff *d, int field, int side)
{
	return field >= 0 && field < d->nfields ? d->fields[field].name[side] : "?";
}

/* ---- canonical JSON of nested values (trusted, checked text) ---- */

static const char *
skip_ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* end of the string starting at the quote p */
static const char *
str_end(const char *p, const char *e)
{
	for (p++; p < e && *p != '"'; p++)
		if (*p == '\\')
			p++;
	return p < e ? p + 1 : e;
}

/* end of the value at p (checked JSON) */
static const char *
skip_value(const char *p, const char *e)
{
	int depth = 0;

	p = skip_ws(p, e);
	do {
		if (p >= e)
			return e;
		switch (*p) {
		case '"':
			p = str_end(p, e);
			continue;
		case '{':
		case '[':
			depth++;
			break;
		case '}':
		case ']':
			depth--;
			break;
		default:
			if (depth == 0) {
				while (p < e && *p != ',' && *p != '}' && *p != ']' && *p != ' ' &&
				       *p != '\t' && *p != '\n' && *p != '\r')
					p++;
				return p;
			}
		}
		p++;
	} while (depth > 0);
	return p;
}

static int
dec_text(struct buf *b, const char *p, size_t n)
{
	struct dec v;
	char t[DEC_STRLEN];
	size_t i;
	int k;

	for (i = n && p[0] == '-'; i < n && p[i] >= '0' && p[i] <= '9'; i++)
		;
	if (i == n && n > 0 && !(n == 2 && p[0] == '-' && p[1] == '0'))
		return buf_add(b, p, n); /* an integer: already canonical */
	if (dec_parse(p, n, &v) < 0)
		return buf_add(b, p, n);
	dec_normalize(&v, &v);
	k = dec_format(&v, t, sizeof t);
	return k < 0 ? buf_add(b, p, n) : buf_add(b, t, (size_t)k);
}

struct cmember {
	size_t k, kn; /* decoded key in the scratch buf */
	const char *v, *ve;
	size_t i; /* place in the object: a repeated key's last wins */
};

static int
cmember_cmp(const void *a, const void *b, void *ctx)
{
	const struct cmember *x = a, *y = b;
	const char *base = ctx;
	size_t n = x->kn < y->kn ? x->kn : y->kn;
	int c = n ? memcmp(base + x->k, base + y->k, n) : 0;

	if (c == 0)
		c = (x->kn > y->kn) - (x->kn < y->kn);
	return c ? c : (x->i > y->i) - (x->i < y->i);
}

static const char *canon(struct buf *b, const char *p, const char *e);

static const char *
canon_obj(struct buf *b, const char *p, const char *e)
{
	struct cmember *m = NULL;
	struct buf keys = BUF_INIT;
	size_t n = 0, cap = 0, i;
	const char *q;
	int bad = 0;

	p = skip_ws(p + 1, e);
	while (p < e && *p != '}') {
		const char *ke = str_end(p, e);

		if (ARRAY_GROW(m, n + 1, cap) < 0) {
			bad = 1;
			break;
		}
		if (buf_grow(&keys, (size_t)(ke - p)) < 0) {
			bad = 1;
			break;
		}
		m[n].k = keys.len;
		m[n].kn = json_unescape(keys.p + keys.len, p + 1, (size_t)(ke - p - 2));
		keys.len += m[n].kn;
		p = skip_ws(ke, e);
		p = skip_ws(p + 1, e); /* ':' */
		m[n].v = p;
		m[n].ve = q = skip_value(p, e);
		m[n].i = n;
		n++;
		p = skip_ws(q, e);
		if (p < e && *p == ',')
			p = skip_ws(p + 1, e);
	}
	if (!bad) {
		size_t w = 0;

		if (n > 1)
			qsort_r(m, n, sizeof *m, cmember_cmp, keys.p);
		buf_addc(b, '{');
		for (i = 0; i < n; i++) {
			/* a repeated key: only the last (erpipe(7)) */
			if (i + 1 < n && m[i].kn == m[i + 1].kn &&
			    memcmp(keys.p + m[i].k, keys.p + m[i + 1].k, m[i].kn) == 0)
				continue;
			if (w++)
				buf_addc(b, ',');
			json_quote(b, keys.p + m[i].k, m[i].kn);
			buf_addc(b, ':');
			canon(b, m[i].v, m[i].ve);
		}
		buf_addc(b, '}');
	}
	free(m);
	buf_release(&keys);
	return p < e ? p + 1 : e;
}

static const char *
canon(struct buf *b, const char *p, const char *e)
{
	const char *q;

	p = skip_ws(p, e);
	if (p >= e)
		return e;
	switch (*p) {
	case '{':
		return canon_obj(b, p, e);
	case '[':
		buf_addc(b, '[');
		p = skip_ws(p + 1, e);
		for (int first = 1; p < e && *p != ']'; first = 0) {
			if (!first)
				buf_addc(b, ',');
			p = skip_ws(canon(b, p, e), e);
			if (p < e && *p == ',')
				p++;
		}
		buf_addc(b, ']');
		return p < e ? p + 1 : e;
	case '"': {
		struct buf t = BUF_INIT;

		q = str_end(p, e);
		if (buf_grow(&t, (size_t)(q - p)) == 0) {
			t.len = json_unescape(t.p, p + 1, (size_t)(q - p - 2));
			json_quote(b, t.p, t.len);
		}
		buf_release(&t);
		return q;
	}
	case 't':
		buf_add(b, "true", 4);
		return p + 4;
	case 'f':
		buf_add(b, "false", 5);
		return p + 5;
	case 'n':
		buf_add(b, "null", 4);
		return p + 4;
	default:
		for (q = p; q < e && (strchr("+-.eE", *q) || (*q >= '0' && *q <= '9')); q++)
			;
		dec_text(b, p, (size_t)(q - p));
		return q;
	}
}

/* ---- keys ---- */

static int
empty_value(const struct span *v)
{
	return v->p == NULL || v->t == JSON_NULL || v->t == JSON_FALSE ||
	       (v->t == JSON_STRING && v->n == 2);
}

/* append one key part; 1 when written, 0 when the value is empty */
static int
key_part(struct diff *d, struct buf *b, const struct span *v)
{
	size_t n0;

	if (empty_value(v))
		return 0;
	switch (v->t) {
	case JSON_STRING:
		buf_addc(b, KT_STR);
		if (memchr(v->p, '\\', v->n) == NULL) {
			diff_varint_put(b, v->n - 2);
			buf_add(b, v->p + 1, v->n - 2);
			return 1;
		}
		buf_reset(&d->sa);
		if (buf_grow(&d->sa, v->n) < 0)
			return -1;
		d->sa.len = json_unescape(d->sa.p, v->p + 1, v->n - 2);
		diff_varint_put(b, d->sa.len);
		buf_add(b, d->sa.p, d->sa.len);
		return 1;
	case JSON_NUMBER:
		buf_reset(&d->sa);
		dec_text(&d->sa, v->p, v->n);
		buf_addc(b, KT_NUM);
		diff_varint_put(b, d->sa.len);
		return buf_add(b, d->sa.p, d->sa.len) < 0 ? -1 : 1;
	case JSON_TRUE:
		buf_addc(b, KT_TRUE);
		diff_varint_put(b, 4);
		return buf_add(b, "true", 4) < 0 ? -1 : 1;
	default:
		buf_reset(&d->sa);
		canon(&d->sa, v->p, v->p + v->n);
		buf_addc(b, KT_JSON);
		n0 = d->sa.len;
		diff_varint_put(b, n0);
		return buf_add(b, d->sa.p, n0) < 0 ? -1 : 1;
	}
}

/* totals: the group value by day or month */
static int
group_part(struct diff *d, struct buf *b, const struct span *v, const char **why)
{
	struct dt_time t;
	char out[32];
	size_t k;

	if (empty_value(v)) {
		buf_addc(b, KT_NULL);
		return diff_varint_put(b, 0);
	}
	if (d->spec.group_unit == DIFF_GROUP_VALUE)
		return key_part(d, b, v) < 0 ? -1 : 0;
	buf_reset(&d->sa);
	if (v->t != JSON_STRING || buf_grow(&d->sa, v->n) < 0 ||
	    (d->sa.len = json_unescape(d->sa.p, v->p + 1, v->n - 2),
	     dt_parse(d->sa.p, d->sa.len, d->spec.zone, &t) < 0)) {
		buf_reset(&d->why);
		buf_addf(&d->why, "'%s': %.*s is not a date", d->spec.group.name[0],
		         (int)(v->n > 60 ? 60 : v->n), v->p);
		*why = d->why.p;
		return -2;
	}
	k = dt_format(t.sec, d->spec.group_unit == DIFF_GROUP_DAY ? "%Y-%m-%d" : "%Y-%m",
	              d->spec.zone, out, sizeof out);
	buf_addc(b, KT_STR);
	diff_varint_put(b, k);
	return buf_add(b, out, k);
}

static int
tag_rank(int t)
{
	switch (t) {
	case KT_NULL:
		return 0;
	case KT_TRUE:
		return 1;
	case KT_NUM:
		return 2;
	case KT_STR:
		return 3;
	default:
		return 4;
	}
}

static int
num_cmp(const unsigned char *a, size_t an, const unsigned char *b, size_t bn)
{
	struct dec x, y;
	size_t i;
	int na = an && a[0] == '-', nb = bn && b[0] == '-', plain = 1;

	for (i = 0; i < an && plain; i++)
		plain = (a[i] >= '0' && a[i] <= '9') || (i == 0 && a[i] == '-');
	for (i = 0; i < bn && plain; i++)
		plain = (b[i] >= '0' && b[i] <= '9') || (i == 0 && b[i] == '-');
	if (plain) {
		int c;

		if (na != nb)
			return na ? -1 : 1;
		if (an != bn)
			c = an < bn ? -1 : 1;
		else
			c = memcmp(a, b, an);
		return na ? -c : c;
	}
	if (dec_parse((const char *)a, an, &x) == 0 && dec_parse((const char *)b, bn, &y) == 0)
		return dec_cmp(&x, &y);
	i = an < bn ? an : bn;
	return memcmp(a, b, i) ? memcmp(a, b, i) : (an > bn) - (an < bn);
}

int
diff_key_cmp(const unsigned char *a, size_t an, const unsigned char *b, size_t bn)
{
	const unsigned char *ae = a + an, *be = b + bn;

	while (a < ae && b < be) {
		size_t la, lb, k;
		int ta = *a++, tb = *b++, c;

		if (ta != tb)
			return tag_rank(ta) - tag_rank(tb);
		a += diff_varint_get(a, ae, &la);
		b += diff_varint_get(b, be, &lb);
		if (ta == KT_NUM)
			c = num_cmp(a, la, b, lb);
		else {
			k = la < lb ? la : lb;
			c = memcmp(a, b, k);
			if (c == 0)
				c = (la > lb) - (la < lb);
		}
		if (c)
			return c;
		a += la;
		b += lb;
	}
	return (a < ae) - (b < be);
}

static int
key_value_json(struct buf *b, int tag, const unsigned char *p, size_t n)
{
	switch (tag) {
	case KT_STR:
		return json_quote(b, (const char *)p, n);
	case KT_NULL:
		return buf_add(b, "null", 4);
	default:
		return buf_add(b, p, n);
	}
}

int
diff_key_members(const struct diff *d, struct buf *b, const unsigned char *key, size_t n, int side)
{
	const unsigned char *e = key + n;
	const struct diff_pair *keys = d->totals ? &d->spec.group : d->spec.keys;

	for (int i = 0; key < e && i < d->nkeys; i++) {
		int tag = *key++;
		size_t len;

		key += diff_varint_get(key, e, &len);
		if ((i && buf_addc(b, ',') < 0) ||
		    json_quote(b, keys[i].name[side], strlen(keys[i].name[side])) < 0 ||
		    buf_addc(b, ':') < 0 || key_value_json(b, tag, key, len) < 0)
			return -1;
		key += len;
	}
	return 0;
}

int
diff_key_json(const struct diff *d, struct buf *b, const unsigned char *key, size_t n, int side)
{
	size_t len, k;

	if (n == 0)
		return buf_add(b, "null", 4);
	if (d->nkeys <= 1) {
		k = diff_varint_get(key + 1, key + n, &len);
		return key_value_json(b, key[0], key + 1 + k, len);
	}
	if (buf_addc(b, '{') < 0 || diff_key_members(d, b, key, n, side) < 0)
		return -1;
	return buf_addc(b, '}');
}

int
diff_key_text(const struct diff *d, struct buf *b, const unsigned char *key, size_t n)
{
	size_t len, k;

	if (n > 0 && d->nkeys <= 1) {
		k = diff_varint_get(key + 1, key + n, &len);
		if (key[0] == KT_NULL)
			return 0;
		return buf_add(b, key + 1 + k, len);
	}
	return diff_key_json(d, b, key, n, DIFF_LEFT);
}

/* ---- building a compact record ---- */

/* A field's value; a field repeated in the record keeps its last value
 * (erpipe(7)), at its first place. */
static int
span_push(struct diff *d, int f, const struct json_member *m)
{
	if ((size_t)f >= d->capfsp) {
		size_t old = d->capfsp;

		if (ARRAY_GROW(d->fsp, (size_t)f + 1, d->capfsp) < 0)
			return -1;
		memset(d->fsp + old, 0, (d->capfsp - old) * sizeof *d->fsp);
	}
	if (d->fsp[f] != 0) {
		d->sp[d->fsp[f] - 1] = (struct span){ f, m->val, m->vlen, m->type };
		return 0;
	}
	if (ARRAY_GROW(d->sp, d->nsp + 1, d->capsp) < 0)
		return -1;
	d->sp[d->nsp++] = (struct span){ f, m->val, m->vlen, m->type };
	d->fsp[f] = (uint32_t)d->nsp;
	return 0;
}

/* member_slot's answer for a member name holding U+0000: field names are
 * C strings in the reports and the fixes, and no target takes one */
static struct slot nul_name;

static struct slot *
member_slot(struct diff *d, int side, int pos, const struct json_member *m)
{
	struct pcache *pc = pos < PCACHE_N ? &d->pc[side][pos] : NULL;
	const char *k = m->key;
	size_t kn = m->klen;
	struct slot *sl;

	if (pc != NULL && pc->slot != NULL && pc->len == kn && memcmp(pc->name, k, kn) == 0)
		return pc->slot;
	if (m->kesc) {
		buf_reset(&d->kname);
		if (buf_grow(&d->kname, kn) < 0)
			return NULL;
		d->kname.len = json_unescape(d->kname.p, k, kn);
		k = d->kname.p;
		kn = d->kname.len;
		if (memchr(k, '\0', kn) != NULL)
			return &nul_name;
	}
	sl = lookup(d, side, k, kn);
	if (sl != NULL && pc != NULL && !m->kesc && kn <= sizeof pc->name) {
		memcpy(pc->name, k, kn);
		pc->len = kn;
		pc->slot = sl;
	}
	return sl;
}

static const char *
bad_json(struct diff *d, const struct json_obj *it)
{
	buf_reset(&d->why);
	if (it->state == 0 && it->i == 0 && it->why && strcmp(it->why, "not a JSON object") == 0)
		buf_adds(&d->why, "not a JSON object");
	else
		buf_addf(&d->why, "not JSON: %s at byte %zu", it->why, it->i + 1);
	return d->why.p;
}

/* _key: {"field": value, ...} overrides the record's own key fields */
static int
key_object(struct diff *d, int side, const struct json_member *m, const char **why)
{
	struct json_obj it;
	struct json_member km;
	int r;

	if (m->type != JSON_OBJECT)
		return 0;
	if (json_obj_open(&it, m->val, m->vlen) < 0)
		return 0;
	while ((r = json_obj_next(&it, &km)) == 1) {
		const char *k = km.key;
		size_t kn = km.klen;
		uint32_t h;
		struct slot *sl;

		if (km.kesc) {
			buf_reset(&d->kname);
			if (buf_grow(&d->kname, kn) < 0)
				return -1;
			d->kname.len = json_unescape(d->kname.p, k, kn);
			k = d->kname.p;
			kn = d->kname.len;
		}
		h = (uint32_t)hash_mix64(k, kn);
		sl = names_find(&d->names[side], k, kn, h);
		if (sl != NULL && sl->kind == SK_KEY)
			d->ko[sl->idx] = (struct span){ 0, km.val, km.vlen, km.type };
	}
	if (r < 0) {
		*why = "_key: not a JSON object";
		return -1;
	}
	return 0;
}

/* Returns 1 with the compact record in rec, 0 for a control line, -1 for
 * a bad record (*why), -2 when memory ran out. */
int
diff_build(struct diff *d, int side, const char *p, size_t n, uint64_t line, struct buf *rec,
           const char **why)
{
	struct json_obj it;
	struct json_member m;
	struct drec h;
	int r, pos = 0, i;
	size_t need;
	unsigned char *w;
	const struct diff_pair *keys = d->totals ? &d->spec.group : d->spec.keys;

	if (json_obj_open(&it, p, n) < 0) {
		*why = "not a JSON object";
		return -1;
	}
	for (size_t k = 0; k < d->nsp; k++)
		d->fsp[d->sp[k].f] = 0;
	d->nsp = 0;
	for (i = 0; i < d->nkeys; i++) {
		d->kp[i].p = NULL;
		d->ko[i].p = NULL;
	}
	while ((r = json_obj_next(&it, &m)) == 1) {
		struct slot *sl;

		if (pos == 0 && m.klen == 11 && memcmp(m.key, "_checkpoint", 11) == 0) {
			struct json_member m2;
			struct json_obj it2 = it;
			int r2 = json_obj_next(&it2, &m2);

			if (r2 == 0)
				return 0;
		}
		if ((sl = member_slot(d, side, pos++, &m)) == NULL) {
			if (d->nfields < 65535)
				return -2;
			*why = "more than 65535 different field names in the input";
			return -1;
		}
		if (sl == &nul_name) {
			*why = "a member name holding U+0000";
			return -1;
		}
		switch (sl->kind) {
		case SK_FIELD:
			if (span_push(d, sl->idx, &m) < 0)
				return -2;
			break;
		case SK_KEY:
			d->kp[sl->idx] = (struct span){ 0, m.val, m.vlen, m.type };
			break;
		case SK_KEYOBJ:
			if (key_object(d, side, &m, why) < 0)
				return -1;
			break;
		default:
			break;
		}
	}
	if (r < 0) {
		*why = bad_json(d, &it);
		return -1;
	}
	if (pos > 65535 || d->nsp > 65535) {
		*why = "more than 65535 fields";
		return -1;
	}
	buf_reset(&d->kbuf);
	for (i = 0; i < d->nkeys; i++) {
		const struct span *v = d->ko[i].p ? &d->ko[i] : &d->kp[i];

		if (d->totals)
			r = group_part(d, &d->kbuf, v, why);
		else if ((r = key_part(d, &d->kbuf, v)) == 0) {
			buf_reset(&d->why);
			buf_addf(&d->why, "no key field '%s'", keys[i].name[side]);
			*why = d->why.p;
			return -1;
		}
		if (r == -2)
			return -1;
	}
	need = sizeof h + d->kbuf.len;
	for (size_t k = 0; k < d->nsp; k++)
		need += 2 + 10 + d->sp[k].n;
	if (need > UINT32_MAX) {
		*why = "record too large";
		return -1;
	}
	buf_reset(rec);
	if (buf_grow(rec, need) < 0)
		return -2;
	memset(&h, 0, sizeof h);
	h.keylen = (uint32_t)d->kbuf.len;
	h.line = line;
	h.hash = hash_mix64(d->kbuf.p ? d->kbuf.p : "", d->kbuf.len);
	h.nf = (uint16_t)d->nsp;
	h.side = (uint8_t)side;
	w = (unsigned char *)rec->p;
	memcpy(w, &h, sizeof h);
	w += sizeof h;
	if (d->kbuf.len) {
		memcpy(w, d->kbuf.p, d->kbuf.len);
		w += d->kbuf.len;
	}
	for (size_t k = 0; k < d->nsp; k++) {
		uint16_t f = (uint16_t)d->sp[k].f;
		size_t n = d->sp[k].n;

		memcpy(w, &f, 2);
		w += 2;
		do {
			*w = (unsigned char)(n & 0x7f);
			n >>= 7;
			*w++ |= n ? 0x80 : 0;
		} while (n);
		memcpy(w, d->sp[k].p, d->sp[k].n);
		w += d->sp[k].n;
	}
	rec->len = (size_t)(w - (unsigned char *)rec->p);
	((struct drec *)rec->p)->size = (uint32_t)rec->len;
	return 1;
}

/* ---- comparing values ---- */

static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* simple case folding: ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic */
static unsigned
fold_cp(unsigned c)
{
	if (c < 0x80)
		return c >= 'A' && c <= 'Z' ? c + 32 : c;
	if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
		return c + 32;
	if (c == 0x130)
		return 'i';
	if (c == 0x178)
		return 0xFF;
	if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177))
		return c | 1;
	if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
		return (c & 1) ? c + 1 : c;
	if (c >= 0x391 && c <= 0x3AB && c != 0x3A2)
		return c + 32;
	if (c >= 0x410 && c <= 0x42F)
		return c + 32;
	if (c >= 0x400 && c <= 0x40F)
		return c + 80;
	return c;
}

static void
fold(struct buf *b)
{
	unsigned char *s = (unsigned char *)b->p, *e = s + b->len;
	char *w = b->p;

	while (s < e) {
		unsigned c = *s, cp;
		size_t k;

		if (c < 0x80) {
			*w++ = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
			s++;
			continue;
		}
		if (c >= 0xC2 && c < 0xE0 && s + 1 < e)
			cp = ((c & 0x1F) << 6) | (s[1] & 0x3F), k = 2;
		else if (c >= 0xE0 && c < 0xF0 && s + 2 < e)
			cp = ((c & 0x0F) << 12) | ((s[1] & 0x3F) << 6) | (s[2] & 0x3F), k = 3;
		else {
			*w++ = (char)c; /* 4-byte or broken: as it is */
			s++;
			continue;
		}
		/* fold_cp never gives a code point that needs more bytes */
		w += utf8_put(w, fold_cp(cp));
		s += k;
	}
	b->len = (size_t)(w - b->p);
}

/* a string value (quoted JSON text) decoded into b, trimmed / folded */
static int
str_value(struct buf *b, const struct diff_val *v, unsigned flags)
{
	size_t s = 0, e;

	buf_reset(b);
	if (buf_grow(b, v->n) < 0)
		return -1;
	b->len = json_unescape(b->p, v->p + 1, v->n - 2);
	if (flags & DIFF_TRIM) {
		e = b->len;
		while (s < e && is_space((unsigned char)b->p[s]))
			s++;
		while (e > s && is_space((unsigned char)b->p[e - 1]))
			e--;
		memmove(b->p, b->p + s, e - s);
		b->len = e - s;
	}
	if (flags & DIFF_ICASE)
		fold(b);
	b->p[b->len] = '\0';
	return 0;
}

int
diff_to_dec(struct diff *d, const struct diff_val *v, struct dec *out)
{
	if (v->n == 0)
		return -1;
	if (v->p[0] == '-' || (v->p[0] >= '0' && v->p[0] <= '9'))
		return dec_parse(v->p, v->n, out);
	if (v->p[0] != '"' || str_value(&d->sa, v, DIFF_TRIM) < 0 || d->sa.len == 0)
		return -1;
	return dec_parse(d->sa.p, d->sa.len, out);
}

static int
val_empty(struct diff *d, const struct dfield *f, const struct diff_val *v)
{
	if (v->n == 0)
		return 1;
	if (d->spec.strict)
		return 0;
	switch (v->p[0]) {
	case 'n':
	case 'f':
		return 1;
	case '"':
		if (v->n == 2)
			return 1;
		if ((f->flags & DIFF_TRIM) && str_value(&d->sa, v, DIFF_TRIM) == 0)
			return d->sa.len == 0;
		return 0;
	default:
		return 0;
	}
}

static int
is_number(const struct diff_val *v)
{
	return v->n > 0 && (v->p[0] == '-' || (v->p[0] >= '0' && v->p[0] <= '9'));
}

/* numbers a and b (dec) within the field's tolerance; delta = b - a */
int
diff_num_equal(const struct dfield *f, const struct dec *a, const struct dec *b, struct dec *delta)
{
	struct dec ad, lim, ma, mb;

	if (dec_sub(b, a, delta) < 0)
		return 0;
	if (dec_sign(delta) == 0)
		return 1;
	ad = *delta;
	if (ad.coef < 0)
		ad.coef = -ad.coef;
	if ((f->flags & DIFF_TOL_ABS) && dec_cmp(&ad, &f->tol_abs) <= 0)
		return 1;
	if (f->flags & DIFF_TOL_REL) {
		ma = *a;
		mb = *b;
		if (ma.coef < 0)
			ma.coef = -ma.coef;
		if (mb.coef < 0)
			mb.coef = -mb.coef;
		if (dec_mul(dec_cmp(&ma, &mb) >= 0 ? &ma : &mb, &f->tol_rel, &lim) == 0 &&
		    dec_cmp(&ad, &lim) <= 0)
			return 1;
	}
	return 0;
}

int
diff_value_equal(struct diff *d, const struct dfield *f, const struct diff_val *a,
                 const struct diff_val *b, struct dec *delta, int *has_delta)
{
	int ea, eb, an, bn;
	struct dec x, y;

	*has_delta = 0;
	if (a->n == b->n && a->n > 0 && memcmp(a->p, b->p, a->n) == 0)
		return 1;
	ea = val_empty(d, f, a);
	eb = val_empty(d, f, b);
	if (ea || eb)
		return ea && eb && (!d->spec.strict || (a->n == 0 && b->n == 0));
	an = is_number(a);
	bn = is_number(b);
	if ((an && bn) ||
	    (!d->spec.strict && (an || bn || (f->flags & (DIFF_TOL_ABS | DIFF_TOL_REL))))) {
		if (diff_to_dec(d, a, &x) == 0 && diff_to_dec(d, b, &y) == 0) {
			*has_delta = 1;
			return diff_num_equal(f, &x, &y, delta);
		}
	}
	if (a->p[0] == '"' && b->p[0] == '"') {
		if (f->flags & DIFF_DATE) {
			struct dt_time ta, tb;

			if (str_value(&d->sa, a, DIFF_TRIM) == 0 &&
			    str_value(&d->sb, b, DIFF_TRIM) == 0 &&
			    dt_parse(d->sa.p, d->sa.len, d->spec.zone, &ta) == 0 &&
			    dt_parse(d->sb.p, d->sb.len, d->spec.zone, &tb) == 0)
				return ta.sec == tb.sec && ta.nsec == tb.nsec;
		}
		if (str_value(&d->sa, a, f->flags) < 0 || str_value(&d->sb, b, f->flags) < 0)
			return 0;
		return d->sa.len == d->sb.len && memcmp(d->sa.p, d->sb.p, d->sa.len) == 0;
	}
	if ((a->p[0] == '[' || a->p[0] == '{') && a->p[0] == b->p[0]) {
		buf_reset(&d->sa);
		buf_reset(&d->sb);
		canon(&d->sa, a->p, a->p + a->n);
		canon(&d->sb, b->p, b->p + b->n);
		return d->sa.len == d->sb.len && memcmp(d->sa.p, d->sb.p, d->sa.len) == 0;
	}
	return 0;
}

/* ---- events ---- */

int
diff_fd_room(struct diff *d, int n)
{
	if (n <= d->capfd)
		return 0;
	struct diff_fd *v = realloc(d->fd, (size_t)n * sizeof *v);

	if (v == NULL)
		return -1;
	d->fd = v;
	d->capfd = n;
	return 0;
}

static int
dense_room(struct diff *d)
{
	if (d->nfields <= d->capdense)
		return 0;
	int cap = d->nfields * 2;
	struct diff_val *v = realloc(d->dense, (size_t)cap * sizeof *v);
	uint8_t *t = realloc(d->dense_t, (size_t)cap);
	int *u = realloc(d->touched, (size_t)cap * sizeof *u);

	if (v)
		d->dense = v;
	if (t)
		d->dense_t = t;
	if (u)
		d->touched = u;
	if (v == NULL || t == NULL || u == NULL)
		return -1;
	memset(d->dense_t + d->capdense, 0, (size_t)(cap - d->capdense));
	d->capdense = cap;
	return 0;
}

int
diff_emit(struct diff *d, struct diff_event *ev)
{
	d->c.n[ev->status]++;
	if (d->sink->event == NULL)
		return 0;
	return d->sink->event(d->sink->ctx, ev, d->err);
}

static int
oom(struct diff *d)
{
	return ep_errf(d->err, EP_SOFTWARE, "out of memory");
}

static int
fd_cmp(const void *a, const void *b)
{
	const struct diff_fd *x = a, *y = b;

	return (x->field > y->field) - (x->field < y->field);
}

int
diff_compare(struct diff *d, const struct drec *l, const struct drec *r)
{
	const unsigned char *p, *e;
	struct diff_event ev;
	int nfd = 0, i;
	struct diff_val none = { NULL, 0 };

	if (dense_room(d) < 0 || diff_fd_room(d, l->nf + r->nf) < 0)
		return oom(d);
	d->ntouched = 0;
	for (p = DREC_FIELDS(r), e = DREC_END(r); p < e;) {
		uint16_t f;
		size_t n;

		memcpy(&f, p, 2);
		p += 2;
		p += diff_varint_get(p, e, &n);
		if (!d->dense_t[f])
			d->touched[d->ntouched++] = f;
		d->dense[f] = (struct diff_val){ (const char *)p, n };
		d->dense_t[f] = 1;
		p += n;
	}
	for (p = DREC_FIELDS(l), e = DREC_END(l); p < e;) {
		uint16_t f;
		size_t n;
		struct diff_val a, *b;
		struct diff_fd *fd = &d->fd[nfd];

		memcpy(&f, p, 2);
		p += 2;
		p += diff_varint_get(p, e, &n);
		a = (struct diff_val){ (const char *)p, n };
		p += n;
		b = d->dense_t[f] ? &d->dense[f] : &none;
		if (d->dense_t[f] == 1)
			d->dense_t[f] = 2;
		if (b->n == a.n && memcmp(a.p, b->p, a.n) == 0)
			continue;
		if (diff_value_equal(d, &d->fields[f], &a, b, &fd->delta, &fd->has_delta))
			continue;
		fd->field = f;
		fd->v[0] = a;
		fd->v[1] = *b;
		nfd++;
	}
	for (i = 0; i < d->ntouched; i++) {
		int f = d->touched[i];
		struct diff_fd *fd = &d->fd[nfd];

		if (d->dense_t[f] == 1 && !diff_value_equal(d, &d->fields[f], &none, &d->dense[f],
		                                            &fd->delta, &fd->has_delta)) {
			fd->field = f;
			fd->v[0] = none;
			fd->v[1] = d->dense[f];
			nfd++;
		}
		d->dense_t[f] = 0;
	}
	if (nfd > 1)
		qsort(d->fd, (size_t)nfd, sizeof *d->fd, fd_cmp);
	memset(&ev, 0, sizeof ev);
	ev.status = nfd ? DIFF_CHANGED : DIFF_MATCH;
	ev.key = DREC_KEY(l);
	ev.keylen = l->keylen;
	ev.fd = d->fd;
	ev.nfd = nfd;
	ev.line[0] = l->line;
	ev.line[1] = r->line;
	ev.count[0] = ev.count[1] = 1;
	ev.rec[0] = l;
	ev.rec[1] = r;
	return diff_emit(d, &ev);
}

int
diff_emit_only(struct diff *d, const struct drec *rec)
{
	const unsigned char *p, *e;
	struct diff_event ev;
	int s = rec->side, nfd = 0;

	if (diff_fd_room(d, rec->nf) < 0)
		return oom(d);
	for (p = DREC_FIELDS(rec), e = DREC_END(rec); p < e; nfd++) {
		uint16_t f;
		size_t n;
		struct diff_fd *fd = &d->fd[nfd];

		memcpy(&f, p, 2);
		p += 2;
		p += diff_varint_get(p, e, &n);
		memset(fd, 0, sizeof *fd);
		fd->field = f;
		fd->v[s] = (struct diff_val){ (const char *)p, n };
		p += n;
	}
	if (nfd > 1)
		qsort(d->fd, (size_t)nfd, sizeof *d->fd, fd_cmp);
	memset(&ev, 0, sizeof ev);
	ev.status = s == DIFF_LEFT ? DIFF_ONLY_LEFT : DIFF_ONLY_RIGHT;
	ev.key = DREC_KEY(rec);
	ev.keylen = rec->keylen;
	ev.fd = d->fd;
	ev.nfd = nfd;
	ev.line[s] = rec->line;
	ev.count[s] = 1;
	ev.rec[s] = rec;
	return diff_emit(d, &ev);
}

int
diff_emit_dup(struct diff *d, const struct drec *any, uint64_t nl, uint64_t nr)
{
	struct diff_event ev;

	memset(&ev, 0, sizeof ev);
	ev.status = DIFF_DUPLICATE;
	ev.key = DREC_KEY(any);
	ev.keylen = any->keylen;
	ev.count[0] = nl;
	ev.count[1] = nr;
	ev.line[any->side] = any->line;
	return diff_emit(d, &ev);
}

/* ---- fixes ---- */

int
diff_record_json(const struct diff *d, const void *rec, int names, struct buf *b)
{
	const struct drec *r = rec;
	const unsigned char *p = DREC_FIELDS(r), *e = DREC_END(r);

	if (buf_adds(b, "{\"_key\":{") < 0 ||
	    diff_key_members(d, b, DREC_KEY(r), r->keylen, names) < 0 || buf_addc(b, '}') < 0)
		return -1;
	if (d->nkeys > 0 &&
	    (buf_addc(b, ',') < 0 || diff_key_members(d, b, DREC_KEY(r), r->keylen, names) < 0))
		return -1;
	while (p < e) {
		uint16_t f;
		size_t n;
		const char *name;

		memcpy(&f, p, 2);
		p += 2;
		p += diff_varint_get(p, e, &n);
		name = d->fields[f].name[names];
		if (buf_addc(b, ',') < 0 || json_quote(b, name, strlen(name)) < 0 ||
		    buf_addc(b, ':') < 0 || buf_add(b, p, n) < 0)
			return -1;
		p += n;
	}
	return buf_addc(b, '}');
}

/* the members of a map's output object */
struct omem {
	const char *k, *v;
	size_t kn, vn;
};

static int
members(const char *s, size_t n, struct omem **out, size_t *nout)
{
	struct json_obj it;
	struct json_member m;
	size_t cap = 0;

	*out = NULL;
	*nout = 0;
	if (json_obj_open(&it, s, n) < 0)
		return 0;
	while (json_obj_next(&it, &m) == 1) {
		if (ARRAY_GROW(*out, *nout + 1, cap) < 0)
			return -1;
		(*out)[(*nout)++] = (struct omem){ m.key, m.val, m.klen, m.vlen };
	}
	return 0;
}

static const struct omem *
member_find(const struct omem *m, size_t n, const char *k, size_t kn)
{
	for (size_t i = 0; i < n; i++)
		if (m[i].kn == kn && memcmp(m[i].k, k, kn) == 0)
			return &m[i];
	return NULL;
}

static int
is_meta(const struct omem *m)
{
	return (m->kn == 4 && memcmp(m->k, "_key", 4) == 0) ||
	       (m->kn == 3 && memcmp(m->k, "_op", 3) == 0);
}

/* two mapped values equal by value (no field's rules apply here) */
static int
same(struct diff *d, const char *a, size_t an, const char *b, size_t bn)
{
	static const struct dfield plain;
	struct diff_val x = { a, an }, y = { b, bn };
	struct dec delta;
	int has;

	return diff_value_equal(d, &plain, &x, &y, &delta, &has);
}

/* map side's record into o; 1 done, 0 dropped, -2 error */
static int
fix_apply(struct diff *d, struct map_prog *fm, const void *rec, int target, struct buf *o,
          struct map_rterr *re)
{
	int r;

	buf_reset(&d->sb);
	if (diff_record_json(d, rec, target, &d->sb) < 0)
		return -1;
	buf_reset(o);
	r = map_apply(fm, d->sb.p, d->sb.len, o, re);
	if (r == MAP_OK)
		return 1;
	if (r == MAP_DROP || r == MAP_PASS)
		return 0;
	return -2;
}

static int
fix_mapped(struct diff *d, const struct diff_event *ev, int target, const char *op,
           struct map_prog *fm, struct buf *out, struct map_rterr *re)
{
	int src = op[0] == 'd' ? target : !target, r, rc = -1;
	struct buf os = BUF_INIT, ot = BUF_INIT;
	struct omem *ms = NULL, *mt = NULL;
	size_t ns = 0, nt = 0, nfields = 0, start;
	const struct omem *key;

	if ((r = fix_apply(d, fm, ev->rec[src], target, &os, re)) <= 0) {
		rc = r;
		goto out;
	}
	if (op[0] == 'u' && (r = fix_apply(d, fm, ev->rec[target], target, &ot, re)) <= 0) {
		rc = r;
		goto out;
	}
	if (members(os.p, os.len, &ms, &ns) < 0 || members(ot.p, ot.len, &mt, &nt) < 0)
		goto out;
	start = out->len;
	buf_addf(out, "{\"_op\":\"%s\"", op);
	key = op[0] == 'u' ? member_find(mt, nt, "_key", 4) : member_find(ms, ns, "_key", 4);
	if (key != NULL) {
		buf_adds(out, ",\"_key\":");
		buf_add(out, key->v, key->vn);
	}
	for (size_t i = 0; op[0] != 'd' && i < ns; i++) {
		const struct omem *t;

		if (is_meta(&ms[i]))
			continue;
		if (op[0] == 'u' && (t = member_find(mt, nt, ms[i].k, ms[i].kn)) != NULL &&
		    same(d, t->v, t->vn, ms[i].v, ms[i].vn))
			continue;
		buf_addc(out, ',');
		buf_addc(out, '"');
		buf_add(out, ms[i].k, ms[i].kn);
		buf_adds(out, "\":");
		buf_add(out, ms[i].v, ms[i].vn);
		nfields++;
	}
	for (size_t i = 0; op[0] == 'u' && i < nt; i++) {
		if (is_meta(&mt[i]) || member_find(ms, ns, mt[i].k, mt[i].kn) != NULL ||
		    same(d, mt[i].v, mt[i].vn, NULL, 0))
			continue;
		buf_addc(out, ',');
		buf_addc(out, '"');
		buf_add(out, mt[i].k, mt[i].kn);
		buf_adds(out, "\":null");
		nfields++;
	}
	if (buf_addc(out, '}') < 0)
		goto out;
	rc = 1;
	if (op[0] == 'u' && nfields == 0) {
		out->len = start; /* the difference does not survive the map */
		if (out->p)
			out->p[start] = '\0';
		rc = 0;
	}
out:
	free(ms);
	free(mt);
	buf_release(&os);
	buf_release(&ot);
	return rc;
}

int
diff_fix(struct diff *d, const struct diff_event *ev, int target, int allow_delete,
         struct map_prog *fixmap, struct buf *out, struct map_rterr *re)
{
	int other = !target, create;
	const char *op;

	if (ev->totals)
		return 0;
	switch (ev->status) {
	case DIFF_CHANGED:
		op = "update";
		create = 0;
		break;
	case DIFF_ONLY_LEFT:
	case DIFF_ONLY_RIGHT:
		if ((ev->status == DIFF_ONLY_LEFT) == (target == DIFF_LEFT)) {
			if (!allow_delete)
				return 0;
			op = "delete";
		} else
			op = "create";
		create = op[0] == 'c';
		break;
	default:
		return 0;
	}
	if (fixmap != NULL)
		return fix_mapped(d, ev, target, op, fixmap, out, re);
	if (buf_addf(out, "{\"_op\":\"%s\",\"_key\":{", op) < 0 ||
	    diff_key_members(d, out, ev->key, ev->keylen, target) < 0 || buf_addc(out, '}') < 0)
		return -1;
	if (op[0] == 'd')
		return buf_addc(out, '}') < 0 ? -1 : 1;
	if (create &&
	    (buf_addc(out, ',') < 0 || diff_key_members(d, out, ev->key, ev->keylen, target) < 0))
		return -1;
	for (int i = 0; i < ev->nfd; i++) {
		const struct diff_fd *fd = &ev->fd[i];
		const char *name = d->fields[fd->field].name[target];

		if (buf_addc(out, ',') < 0 || json_quote(out, name, strlen(name)) < 0 ||
		    buf_addc(out, ':') < 0)
			return -1;
		if (fd->v[other].n ? buf_add(out, fd->v[other].p, fd->v[other].n) < 0
		                   : buf_add(out, "null", 4) < 0)
			return -1;
	}
	return buf_addc(out, '}') < 0 ? -1 : 1;
}

int
diff_val_text(struct buf *b, const struct diff_val *v)
{
	size_t n0;

	if (v->n == 0 || (v->n == 4 && memcmp(v->p, "null", 4) == 0))
		return 0;
	if (v->p[0] != '"')
		return buf_add(b, v->p, v->n);
	n0 = b->len;
	if (buf_grow(b, v->n) < 0)
		return -1;
	b->len = n0 + json_unescape(b->p + n0, v->p + 1, v->n - 2);
	b->p[b->len] = '\0';
	return 0;
}
