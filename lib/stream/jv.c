/* jv.c - the JSON value type (jv.h): parse into an arena, output, and the
 * helpers on values. */
#include "stream/jv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"

void
jv_parser_free(struct jv_parser *jp)
{
	free(jp->kv);
	free(jp->v);
	json_keys_free(&jp->keys);
	jp->kv = NULL;
	jp->v = NULL;
	jp->nkv = jp->capkv = jp->nv = jp->capv = 0;
}

/* --- parser --- */

struct jpc {
	struct jv_parser *jp;
	const char *s, *p, *e;
	int depth;
};

static int
jfail_kind(struct jpc *c, int kind, const char *msg)
{
	if (c->jp->err == NULL) {
		c->jp->err = msg;
		c->jp->errkind = kind;
		c->jp->errpos = (size_t)(c->p - c->s);
	}
	return -1;
}

static int
jfail(struct jpc *c, const char *msg)
{
	return jfail_kind(c, JV_PARSE_BAD, msg);
}

static void
skipws(struct jpc *c)
{
	while (c->p < c->e && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

/* The first byte at or after p that ends a plain run of string bytes: a
 * quote, a backslash or a control character; e if none.  Eight bytes at a
 * time (the usual "has a zero byte" tricks). */
static const char *
plain_run(const char *p, const char *e)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;

	while (e - p >= 8) {
		uint64_t w, q, b, l;

		memcpy(&w, p, 8);
		q = w ^ (ones * '"');
		b = w ^ (ones * '\\');
		l = (w - ones * 0x20) & ~w; /* high bit set: byte < 0x20 (for ASCII) */
		q = (q - ones) & ~q;
		b = (b - ones) & ~b;
		if ((q | b | l) & highs) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			/* each mask's lowest bit is exact, so the lowest of all is
			 * the first byte that ends the run */
			return p + (__builtin_ctzll((q | b | l) & highs) >> 3);
#else
			break;
#endif
		}
		p += 8;
	}
	while (p < e && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20)
		p++;
	return p;
}

/* at the opening quote: a string without escapes is used in place, one
 * with escapes is decoded into the arena by json_string_scan, the scanner
 * json_check uses, so both accept and refuse the same strings */
static int
jstring(struct jpc *c, const char **out, uint32_t *outn, uint8_t *safe)
{
	const char *p = c->p + 1, *e = c->e, *st = p;
	const char *why;
	size_t off, dn;
	long long r;
	char *o;

	p = plain_run(p, e);
	if (p < e && *p == '"') {
		*out = st;
		*outn = (uint32_t)(p - st);
		*safe = 1;
		c->p = p + 1;
		return 0;
	}
	r = json_string_scan(st, (size_t)(e - st), NULL, NULL, &off, &why);
	if (r < 0) {
		c->p = st + off;
		return jfail(c, why);
	}
	if ((o = arena_alloc(c->jp->A, (size_t)r + 1)) == NULL)
		return jfail_kind(c, JV_PARSE_TOOBIG, "record too large");
	json_string_scan(st, (size_t)(e - st), o, &dn, &off, &why);
	c->p = st + r + 1;
	*out = o;
	*outn = (uint32_t)dn;
	*safe = 0;
	return 0;
}

static int
jnumber(struct jpc *c, struct jv *v)
{
	const char *p = c->p, *e = c->e, *st = p;

	if (p < e && *p == '-')
		p++;
	if (p < e && *p == '0') {
		p++;
		if (p < e && *p >= '0' && *p <= '9') {
			c->p = p;
			return jfail(c, "leading zero in number");
		}
	} else if (p < e && *p >= '1' && *p <= '9')
		while (p < e && *p >= '0' && *p <= '9')
			p++;
	else {
		c->p = p;
		return jfail(c, "bad number");
	}
	if (p < e && *p == '.') {
		p++;
		if (p >= e || *p < '0' || *p > '9') {
			c->p = p;
			return jfail(c, "bad number");
		}
		while (p < e && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < e && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < e && (*p == '+' || *p == '-'))
			p++;
		if (p >= e || *p < '0' || *p > '9') {
			c->p = p;
			return jfail(c, "bad number");
		}
		while (p < e && *p >= '0' && *p <= '9')
			p++;
	}
	v->t = JV_NUM;
	v->f = 0;
	v->u.s = st;
	v->n = (uint32_t)(p - st);
	c->p = p;
	return 0;
}

static int jvalue(struct jpc *c, struct jv *v);

static int
push_kv(struct jv_parser *jp)
{
	if (ARRAY_GROW(jp->kv, jp->nkv + 1, jp->capkv) < 0)
		return -1;
	jp->nkv++;
	return 0;
}

static int
push_v(struct jv_parser *jp)
{
	if (ARRAY_GROW(jp->v, jp->nv + 1, jp->capv) < 0)
		return -1;
	jp->nv++;
	return 0;
}

struct kvs {
	const struct jv_kv *kv;
};

static const char *
kv_key(void *ctx, size_t j, size_t *len)
{
	const struct jv_kv *kv = ((struct kvs *)ctx)->kv + j;

	*len = kv->kn;
	return kv->k;
}

/* The object's members from base on, a repeated key once, at its first
 * place with its last value (json.h). */
static int
dedup(struct jv_parser *jp, size_t base)
{
	size_t n = jp->nkv - base, w = 0;
	struct kvs ctx;
	struct jv_kv *kv;
	int any = 0;

	if (n < 2)
		return 0; /* (kv may be NULL: no member was ever read) */
	ctx.kv = kv = jp->kv + base;
	for (size_t i = 0; i < n; i++) {
		long d = json_keys_add(&jp->keys, i, kv[i].k, kv[i].kn, kv_key, &ctx);

		if (d < 0)
			return -1;
		if ((size_t)d != i) {
			kv[d].v = kv[i].v;
			kv[i].ksafe |= 0x80; /* gone */
			any = 1;
		}
	}
	if (!any)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(kv[i].ksafe & 0x80))
			kv[w++] = kv[i];
	jp->nkv = base + w;
	return 0;
}

static int
jobject(struct jpc *c, struct jv *v)
{
	struct jv_parser *jp = c->jp;
	size_t base = jp->nkv, n;

	c->p++;
	skipws(c);
	if (c->p < c->e && *c->p == '}') {
		c->p++;
		goto done;
	}
	for (;;) {
		struct jv_kv *kv;
		const char *k;
		uint32_t kn;
		uint8_t ks;

		skipws(c);
		if (c->p >= c->e || *c->p != '"')
			return jfail(c, "expected a string key");
		if (jstring(c, &k, &kn, &ks) < 0)
			return -1;
		skipws(c);
		if (c->p >= c->e || *c->p != ':')
			return jfail(c, "expected ':'");
		c->p++;
		if (push_kv(jp) < 0)
			return jfail_kind(c, JV_PARSE_NOMEM, "out of memory");
		kv = &jp->kv[jp->nkv - 1];
		kv->k = k;
		kv->kn = kn;
		kv->ksafe = ks;
		{
			struct jv tmp;

			if (jvalue(c, &tmp) < 0)
				return -1;
			jp->kv[base + (jp->nkv - 1 - base)].v = tmp;
		}
		/* kv pointer may be stale after nested pushes; fixed above by index */
		skipws(c);
		if (c->p >= c->e)
			return jfail(c, "unexpected end of input");
		if (*c->p == ',') {
			c->p++;
			continue;
		}
		if (c->p < c->e && *c->p == '}') {
			c->p++;
			break;
		}
		return jfail(c, "expected ',' or '}'");
	}
done:
	if (dedup(jp, base) < 0)
		return jfail_kind(c, JV_PARSE_NOMEM, "out of memory");
	n = jp->nkv - base;
	v->t = JV_OBJ;
	v->f = 0;
	v->n = (uint32_t)n;
	v->x.cap = (uint32_t)n;
	v->u.o = NULL;
	if (n) {
		if ((v->u.o = arena_alloc(jp->A, n * sizeof(struct jv_kv))) == NULL)
			return jfail_kind(c, JV_PARSE_TOOBIG, "record too large");
		memcpy(v->u.o, jp->kv + base, n * sizeof(struct jv_kv));
	}
	jp->nkv = base;
	return 0;
}

static int
jarray(struct jpc *c, struct jv *v)
{
	struct jv_parser *jp = c->jp;
	size_t base = jp->nv, n;

	c->p++;
	skipws(c);
	if (c->p < c->e && *c->p == ']') {
		c->p++;
		goto done;
	}
	for (;;) {
		struct jv tmp;

		if (jvalue(c, &tmp) < 0)
			return -1;
		if (push_v(jp) < 0)
			return jfail_kind(c, JV_PARSE_NOMEM, "out of memory");
		jp->v[jp->nv - 1] = tmp;
		skipws(c);
		if (c->p >= c->e)
			return jfail(c, "unexpected end of input");
		if (*c->p == ',') {
			c->p++;
			continue;
		}
		if (c->p < c->e && *c->p == ']') {
			c->p++;
			break;
		}
		return jfail(c, "expected ',' or ']'");
	}
done:
	n = jp->nv - base;
	v->t = JV_ARR;
	v->f = 0;
	v->n = (uint32_t)n;
	v->x.cap = (uint32_t)n;
	v->u.a = NULL;
	if (n) {
		if ((v->u.a = arena_alloc(jp->A, n * sizeof(struct jv))) == NULL)
			return jfail_kind(c, JV_PARSE_TOOBIG, "record too large");
		memcpy(v->u.a, jp->v + base, n * sizeof(struct jv));
	}
	jp->nv = base;
	return 0;
}

/* true, false or null; a mismatch is where it stops matching, as
 * json_check places it (the end of the input for a word cut short) */
static int
jlit(struct jpc *c, const char *w, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (c->p + k >= c->e || c->p[k] != w[k]) {
			c->p += k;
			return jfail(c, c->p >= c->e ? "unexpected end of input"
			                             : "unexpected character");
		}
	c->p += n;
	return 0;
}

static int
jvalue(struct jpc *c, struct jv *v)
{
	int r;

	skipws(c);
	if (c->p >= c->e)
		return jfail(c, "unexpected end of input");
	switch (*c->p) {
	case '{':
		if (++c->depth > 512)
			return jfail(c, "nested too deep");
		r = jobject(c, v);
		c->depth--;
		return r;
	case '[':
		if (++c->depth > 512)
			return jfail(c, "nested too deep");
		r = jarray(c, v);
		c->depth--;
		return r;
	case '"':
		v->t = JV_STR;
		v->x.d = 0;
		{
			uint8_t safe;

			if (jstring(c, &v->u.s, &v->n, &safe) < 0)
				return -1;
			v->f = safe ? JVF_SAFE : 0;
		}
		return 0;
	case 't':
		*v = JV_BOOL(1);
		return jlit(c, "true", 4);
	case 'f':
		*v = JV_BOOL(0);
		return jlit(c, "false", 5);
	case 'n':
		*v = JV_NULLV;
		return jlit(c, "null", 4);
	default:
		if (*c->p != '-' && (*c->p < '0' || *c->p > '9'))
			return jfail(c, "unexpected character");
		return jnumber(c, v);
	}
}

int
jv_parse(struct jv_parser *jp, const char *s, size_t n, struct jv *out)
{
	struct jpc c = { jp, s, s, s + n, 0 };

	jp->err = NULL;
	jp->errkind = 0;
	jp->nkv = jp->nv = 0;
	if (jvalue(&c, out) < 0)
		return -1;
	skipws(&c);
	if (c.p != c.e)
		return jfail(&c, "trailing characters after the value");
	return 0;
}

/* buf_addc without the call when there is room */
static inline int
put1(struct buf *b, char c)
{
	if (b->len + 1 < b->cap) {
		b->p[b->len++] = c;
		b->p[b->len] = '\0';
		return 0;
	}
	return buf_addc(b, c);
}

/* --- output --- */

int
jv_emit_str(struct buf *b, const char *s, size_t n, int safe)
{
	char *w;

	if (!safe) /* the one JSON string writer (base/text.h) */
		return json_quote(b, s, n);
	if (buf_grow(b, n + 2) < 0)
		return -1;
	w = b->p + b->len;
	*w++ = '"';
	memcpy(w, s, n);
	w[n] = '"';
	b->len += n + 2;
	b->p[b->len] = '\0';
	return 0;
}

int
jv_emit(struct buf *b, const struct jv *v)
{
	uint32_t i;

	switch (v->t) {
	case JV_NULL:
		return buf_add(b, "null", 4);
	case JV_FALSE:
		return buf_add(b, "false", 5);
	case JV_TRUE:
		return buf_add(b, "true", 4);
	case JV_NUM:
		return buf_add(b, v->u.s, v->n);
	case JV_STR:
		return jv_emit_str(b, v->u.s, v->n, v->f & JVF_SAFE);
	case JV_ARR:
		if (put1(b, '[') < 0)
			return -1;
		for (i = 0; i < v->n; i++) {
			if ((i && put1(b, ',') < 0) || jv_emit(b, &v->u.a[i]) < 0)
				return -1;
		}
		return put1(b, ']');
	case JV_OBJ:
		if (put1(b, '{') < 0)
			return -1;
		for (i = 0; i < v->n; i++) {
			const struct jv_kv *kv = &v->u.o[i];

			if ((i && put1(b, ',') < 0) ||
			    jv_emit_str(b, kv->k, kv->kn, kv->ksafe) < 0 || put1(b, ':') < 0 ||
			    jv_emit(b, &kv->v) < 0)
				return -1;
		}
		return put1(b, '}');
	}
	return -1;
}

/* --- values --- */

const struct jv *
jv_obj_get(const struct jv *o, const char *k, size_t kn)
{
	uint32_t i;

	if (o->t != JV_OBJ)
		return NULL;
	for (i = 0; i < o->n; i++)
		if (o->u.o[i].kn == kn && memcmp(o->u.o[i].k, k, kn) == 0)
			return &o->u.o[i].v;
	return NULL;
}

const char *
jv_type_name(int t)
{
	static const char *names[] = { "null",   "boolean", "boolean", "number",
		                       "string", "array",   "object" };

	return t >= 0 && t <= JV_OBJ ? names[t] : "?";
}

int
jv_to_dec(const struct jv *v, struct dec *d)
{
	if (v->t != JV_NUM)
		return -1;
	if (dec_parse(v->u.s, v->n, d) == 0)
		return 0;
	return -1;
}

double
jv_to_double(const struct jv *v)
{
	char buf[128], *h;
	double d;

	if (v->t != JV_NUM)
		return 0;
	if (v->f & JVF_HASD)
		return v->x.d;
	if (v->n < sizeof buf) {
		memcpy(buf, v->u.s, v->n);
		buf[v->n] = '\0';
		return strtod(buf, NULL);
	}
	/* a long text (1 and 300 zeros): cutting it would change its value */
	if ((h = strndup(v->u.s, v->n)) == NULL)
		return NAN;
	d = strtod(h, NULL);
	free(h);
	return d;
}

static int
num_cmp(const struct jv *a, const struct jv *b)
{
	struct dec x, y;
	double p, q;

	if (a->n == b->n && memcmp(a->u.s, b->u.s, a->n) == 0)
		return 0;
	if (jv_to_dec(a, &x) == 0 && jv_to_dec(b, &y) == 0)
		return dec_cmp(&x, &y);
	p = jv_to_double(a);
	q = jv_to_double(b);
	return p < q ? -1 : p > q;
}

int
jv_equal(const struct jv *a, const struct jv *b)
{
	uint32_t i;

	if (a->t != b->t)
		return 0;
	switch (a->t) {
	case JV_NUM:
		return num_cmp(a, b) == 0;
	case JV_STR:
		return a->n == b->n && memcmp(a->u.s, b->u.s, a->n) == 0;
	case JV_ARR:
		if (a->n != b->n)
			return 0;
		for (i = 0; i < a->n; i++)
			if (!jv_equal(&a->u.a[i], &b->u.a[i]))
				return 0;
		return 1;
	case JV_OBJ:
		if (a->n != b->n)
			return 0;
		for (i = 0; i < a->n; i++) {
			const struct jv *o = jv_obj_get(b, a->u.o[i].k, a->u.o[i].kn);

			if (o == NULL || !jv_equal(&a->u.o[i].v, o))
				return 0;
		}
		return 1;
	}
	return 1;
}

/* -2: not comparable */
int
jv_compare(const struct jv *a, const struct jv *b)
{
	if (a->t == JV_NUM && b->t == JV_NUM)
		return num_cmp(a, b);
	if (a->t == JV_STR && b->t == JV_STR) {
		size_t n = a->n < b->n ? a->n : b->n;
		int c = memcmp(a->u.s, b->u.s, n);

		if (c)
			return c < 0 ? -1 : 1;
		return a->n < b->n ? -1 : a->n > b->n;
	}
	return -2;
}
