/* map_fn.c - the builtin functions of the mapping language.  Each is
 * documented in man/erpipe-map.5; the table at the end is the list. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "engine/map/map_int.h"
#include "base/dt.h"

#include <errno.h>
#include <math.h>
#include <openssl/evp.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* clang-format off */
#define FN(name) static struct jv name(struct map_env *E, \
	struct map_node *n __attribute__((unused)), struct jv *a __attribute__((unused)), \
	int na __attribute__((unused)))
#define UNUSED (void)na; (void)n; (void)E
/* clang-format on */

/* ---- argument helpers ---- */

/* text of argument i; returns 0 (and the function should give null) for
 * null or false */
static int
text_arg(struct map_env *E, struct map_node *n, struct jv *a, int i, struct jv *out)
{
	struct jv *v = &a[i];

	if (v->t == JV_NULL || v->t == JV_FALSE)
		return 0;
	if (v->t == JV_ARR || v->t == JV_OBJ)
		map_rt_error(E, n, "%s(): argument %d is %s, not a string", n->fn->name, i + 1,
		             jv_type_name(v->t));
	*out = map_to_text(E, v);
	return 1;
}

/* a NUL-terminated copy in the arena */
static char *
cstr(struct map_env *E, const struct jv *v)
{
	char *p = map_alloc(E, v->n + 1);

	memcpy(p, v->u.s, v->n);
	p[v->n] = '\0';
	return p;
}

/* number (or numeric string) as a decimal; 0 for null/false */
static int
dec_arg(struct map_env *E, struct map_node *n, struct jv *a, int i, struct dec *d)
{
	struct jv *v = &a[i];

	if (v->t == JV_NULL || v->t == JV_FALSE)
		return 0;
	if ((v->t == JV_NUM || v->t == JV_STR) && dec_parse(v->u.s, v->n, d) == 0)
		return 1;
	if (v->t == JV_NUM) {
		if (dec_from_double(jv_to_double(v), d) == 0)
			return 1;
		map_rt_error(E, n, "%s(): number %.*s out of range", n->fn->name, (int)v->n,
		             v->u.s);
	}
	if (v->t == JV_STR)
		map_rt_error(E, n, "%s(): '%.*s' is not a number", n->fn->name,
		             (int)(v->n > 60 ? 60 : v->n), v->u.s);
	map_rt_error(E, n, "%s(): argument %d is %s, not a number", n->fn->name, i + 1,
	             jv_type_name(v->t));
}

static long
int_arg(struct map_env *E, struct map_node *n, struct jv *a, int i)
{
	struct dec d;

	if (!dec_arg(E, n, a, i, &d) || dec_round(&d, 0, DEC_DOWN, &d) < 0)
		map_rt_error(E, n, "%s(): argument %d must be an integer", n->fn->name, i + 1);
	if (d.coef > 1000000000 || d.coef < -1000000000)
		map_rt_error(E, n, "%s(): argument %d out of range", n->fn->name, i + 1);
	return (long)d.coef;
}

static enum dec_round
mode_arg(struct map_env *E, struct map_node *n, struct jv *a, int i)
{
	static const char *names[] = { "half_even", "half_up", "down", "up", "floor", "ceil" };
	size_t k;

	if (a[i].t != JV_STR)
		map_rt_error(E, n, "%s(): rounding mode must be a string", n->fn->name);
	for (k = 0; k < sizeof names / sizeof *names; k++)
		if (strlen(names[k]) == a[i].n && memcmp(names[k], a[i].u.s, a[i].n) == 0)
			return (enum dec_round)k;
	map_rt_error(E, n, "%s(): unknown rounding mode '%.*s'", n->fn->name, (int)a[i].n,
	             a[i].u.s);
}

static struct jv
mkarr(struct map_env *E, uint32_t cap)
{
	struct jv r = { .t = JV_ARR };

	r.u.a = map_alloc(E, (cap ? cap : 1) * sizeof(struct jv));
	r.x.cap = cap;
	return r;
}

static size_t
u8len(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			c++;
	return c;
}

/* byte offset of code point k */
static size_t
u8off(const char *s, size_t n, size_t k)
{
	size_t i = 0;

	while (i < n && k > 0) {
		i++;
		while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
		k--;
	}
	return i;
}

/* the program's scratch buffer: never leaks on a runtime error */
static struct buf *
scratch(struct map_env *E)
{
	buf_reset(&E->P->scratch);
	return &E->P->scratch;
}

/* ---- strings ---- */

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static struct jv
do_trim(struct map_env *E, struct map_node *n, struct jv *a, int left, int right)
{
	struct jv s;
	size_t b = 0, e;

	if (!text_arg(E, n, a, 0, &s))
		return JV_NULLV;
	e = s.n;
	while (left && b < e && is_space((unsigned char)s.u.s[b]))
		b++;
	while (right && e > b && is_space((unsigned char)s.u.s[e - 1]))
		e--;
	return jv_str_ref(s.u.s + b, e - b, s.f & JVF_SAFE);
}

/* clang-format off */
FN(f_trim) { (void)na; return do_trim(E, n, a, 1, 1); }
FN(f_ltrim) { (void)na; return do_trim(E, n, a, 1, 0); }
FN(f_rtrim) { (void)na; return do_trim(E, n, a, 0, 1); }
/* clang-format on */

static struct jv
do_case(struct map_env *E, struct map_node *n, struct jv *a, int up)
{
	struct jv s;
	char *p;
	size_t i;

	if (!text_arg(E, n, a, 0, &s))
		return JV_NULLV;
	p = map_alloc(E, s.n + 1);
	for (i = 0; i < s.n; i++) {
		unsigned char c = (unsigned char)s.u.s[i];

		if (up ? (c >= 'a' && c <= 'z') : (c >= 'A' && c <= 'Z'))
			c ^= 0x20;
		else if (c == 0xC3 && i + 1 < s.n) {
			unsigned char d = (unsigned char)s.u.s[i + 1];

			p[i++] = (char)c;
			if (!up && d >= 0x80 && d <= 0x9E && d != 0x97)
				d += 0x20;
			else if (up && d >= 0xA0 && d <= 0xBE && d != 0xB7)
				d -= 0x20;
			c = d;
		}
		p[i] = (char)c;
	}
	p[s.n] = '\0';
	return jv_str_ref(p, s.n, s.f & JVF_SAFE);
}

/* clang-format off */
FN(f_lower) { (void)na; return do_case(E, n, a, 0); }
FN(f_upper) { (void)na; return do_case(E, n, a, 1); }
/* clang-format on */

FN(f_length)
{
	UNUSED;
	switch (a[0].t) {
	case JV_NULL:
	case JV_FALSE:
		return map_num_i64(E, 0);
	case JV_STR:
		return map_num_i64(E, (long long)u8len(a[0].u.s, a[0].n));
	case JV_ARR:
	case JV_OBJ:
		return map_num_i64(E, a[0].n);
	}
	map_rt_error(E, n, "length(): %s has no length", jv_type_name(a[0].t));
}

FN(f_split)
{
	struct jv s, sep, r;
	size_t i, st = 0, cnt = 1;

	UNUSED;
	if (!text_arg(E, n, a, 0, &s))
		return JV_NULLV;
	if (!text_arg(E, n, a, 1, &sep) || sep.n == 0)
		map_rt_error(E, n, "split(): empty separator");
	for (i = 0; i + sep.n <= s.n; i++)
		if (memcmp(s.u.s + i, sep.u.s, sep.n) == 0)
			cnt++, i += sep.n - 1;
	r = mkarr(E, (uint32_t)cnt);
	for (i = 0; i + sep.n <= s.n; i++)
		if (memcmp(s.u.s + i, sep.u.s, sep.n) == 0) {
			r.u.a[r.n++] = jv_str_ref(s.u.s + st, i - st, s.f & JVF_SAFE);
			i += sep.n - 1;
			st = i + 1;
		}
	r.u.a[r.n++] = jv_str_ref(s.u.s + st, s.n - st, s.f & JVF_SAFE);
	return r;
}

static void
join_one(struct map_env *E, struct map_node *n, struct buf *b, const struct jv *sep,
         const struct jv *v, int *first)
{
	struct jv t;

	if (v->t == JV_ARR) {
		uint32_t i;

		for (i = 0; i < v->n; i++)
			join_one(E, n, b, sep, &v->u.a[i], first);
		return;
	}
	if (v->t == JV_NULL || v->t == JV_FALSE || (v->t == JV_STR && v->n == 0))
		return;
	if (v->t == JV_OBJ)
		map_rt_error(E, n, "join(): cannot join an object");
	t = map_to_text(E, v);
	if (!*first)
		buf_add(b, sep->u.s, sep->n);
	buf_add(b, t.u.s, t.n);
	*first = 0;
}

FN(f_join)
{
	struct buf *b = scratch(E);
	struct jv sep, r;
	int i, first = 1;

	if (!text_arg(E, n, a, 0, &sep))
		sep = jv_str_ref("", 0, 1);
	for (i = 1; i < na; i++)
		join_one(E, n, b, &sep, &a[i], &first);
	r = map_str(E, buf_str(b), b->len);
	return r;
}

FN(f_substr)
{
	struct jv s;
	long st, len, cl;
	size_t b, e;

	if (!text_arg(E, n, a, 0, &s))
		return JV_NULLV;
	cl = (long)u8len(s.u.s, s.n);
	st = int_arg(E, n, a, 1);
	if (st < 0)
		st = st + cl < 0 ? 0 : st + cl;
	if (st > cl)
		st = cl;
	len = na > 2 ? int_arg(E, n, a, 2) : cl - st;
	if (len < 0)
		len = 0;
	if (len > cl - st)
		len = cl - st;
	b = u8off(s.u.s, s.n, (size_t)st);
	e = b + u8off(s.u.s + b, s.n - b, (size_t)len);
	return jv_str_ref(s.u.s + b, e - b, s.f & JVF_SAFE);
}

FN(f_replace)
{
	struct jv s, from, to, r;
	struct buf *b = scratch(E);
	size_t i;

	UNUSED;
	if (!text_arg(E, n, a, 0, &s))
		return JV_NULLV;
	if (!text_arg(E, n, a, 1, &from) || from.n == 0)
		return s;
	if (!text_arg(E, n, a, 2, &to))
		to = jv_str_ref("", 0, 1);
	for (i = 0; i < s.n;) {
		if (i + from.n <= s.n && memcmp(s.u.s + i, from.u.s, from.n) == 0) {
			buf_add(b, to.u.s, to.n);
			i += from.n;
		} else
			buf_addc(b, s.u.s[i++]);
	}
	r = map_str(E, buf_str(b), b->len);
	return r;
}

static struct jv
find_fn(struct map_env *E, struct map_node *n, struct jv *a, int how)
{
	struct jv s, sub;

	if (!text_arg(E, n, a, 0, &s) || !text_arg(E, n, a, 1, &sub))
		return JV_BOOL(0);
	if (sub.n > s.n)
		return JV_BOOL(0);
	if (how == 1)
		return JV_BOOL(memcmp(s.u.s, sub.u.s, sub.n) == 0);
	if (how == 2)
		return JV_BOOL(memcmp(s.u.s + s.n - sub.n, sub.u.s, sub.n) == 0);
	return JV_BOOL(sub.n == 0 || memmem(s.u.s, s.n, sub.u.s, sub.n) != NULL);
}

/* clang-format off */
FN(f_contains) { (void)na; return find_fn(E, n, a, 0); }
FN(f_starts_with) { (void)na; return find_fn(E, n, a, 1); }
FN(f_ends_with) { (void)na; return find_fn(E, n, a, 2); }
/* clang-format on */

/* xmlid_name(xmlids, prefix): the rest of the first string of the array
 * (or of the one string) that starts with prefix; null when none does.
 * For odoo-extract --xmlids: xmlid_name($xmlids, "bng.customer_") */
static int
xmlid_item(const struct jv *v, const struct jv *pre, struct jv *out)
{
	if (v->t != JV_STR || v->n < pre->n || memcmp(v->u.s, pre->u.s, pre->n) != 0)
		return 0;
	*out = jv_str_ref(v->u.s + pre->n, v->n - pre->n, v->f & JVF_SAFE);
	return 1;
}

FN(f_xmlid_name)
{
	struct jv pre, r;
	uint32_t i;

	(void)na;
	if (!text_arg(E, n, a, 1, &pre))
		return JV_NULLV;
	if (a[0].t == JV_ARR) {
		for (i = 0; i < a[0].n; i++)
			if (xmlid_item(&a[0].u.a[i], &pre, &r))
				return r;
		return JV_NULLV;
	}
	return xmlid_item(&a[0], &pre, &r) ? r : JV_NULLV;
}

FN(f_first_word)
{
	struct jv s;
	const char *sp;

	UNUSED;
	if (!text_arg(E, n, a, 0, &s))
		return JV_NULLV;
	sp = memchr(s.u.s, ' ', s.n);
	return jv_str_ref(s.u.s, sp ? (size_t)(sp - s.u.s) : s.n, s.f & JVF_SAFE);
}

FN(f_rest_words)
{
	struct jv s;
	const char *sp;

	UNUSED;
	if (!text_arg(E, n, a, 0, &s) || (sp = memchr(s.u.s, ' ', s.n)) == NULL)
		return JV_NULLV;
	sp++;
	return jv_str_ref(sp, s.n - (size_t)(sp - s.u.s), s.f & JVF_SAFE);
}

static struct jv
do_pad(struct map_env *E, struct map_node *n, struct jv *a, int na, int left)
{
	struct jv s, ch = jv_str_ref(" ", 1, 1);
	long w = int_arg(E, n, a, 1);
	size_t cl, k, pad, i;
	char *p;

	if (!text_arg(E, n, a, 0, &s))
		s = jv_str_ref("", 0, 1);
	if (na > 2 && (!text_arg(E, n, a, 2, &ch) || u8len(ch.u.s, ch.n) != 1))
		map_rt_error(E, n, "%s(): the pad must be one character", n->fn->name);
	cl = u8len(s.u.s, s.n);
	if (w < 0 || (size_t)w <= cl)
		return s;
	pad = (size_t)w - cl;
	p = map_alloc(E, s.n + pad * ch.n + 1);
	k = 0;
	if (!left) {
		memcpy(p, s.u.s, s.n);
		k = s.n;
	}
	for (i = 0; i < pad; i++, k += ch.n)
		memcpy(p + k, ch.u.s, ch.n);
	if (left) {
		memcpy(p + k, s.u.s, s.n);
		k += s.n;
	}
	p[k] = '\0';
	return jv_str_ref(p, k, (s.f & ch.f & JVF_SAFE) != 0);
}

/* clang-format off */
FN(f_pad_left) { return do_pad(E, n, a, na, 1); }
FN(f_pad_right) { return do_pad(E, n, a, na, 0); }
/* clang-format on */

/* pad a decimal's text to exactly places digits after the point */
static int
dec_fixed(const struct dec *d, int places, enum dec_round m, char *buf, size_t bn)
{
	struct dec r;

	if (dec_round(d, places, m, &r) < 0)
		return -1;
	while (r.scale < places) {
		if (__builtin_mul_overflow(r.coef, (__int128)10, &r.coef))
			return -1;
		r.scale++;
	}
	return dec_format(&r, buf, bn);
}

FN(f_format)
{
	struct jv f, r;
	struct buf *b = scratch(E);
	int ai = 1;
	size_t i;

	if (!text_arg(E, n, a, 0, &f))
		return JV_NULLV;
	for (i = 0; i < f.n; i++) {
		int minus = 0, zero = 0, width = 0, prec = -1;
		char conv, tmp[96];
		struct jv t;
		size_t tl, cl;
		const char *tp;

		if (f.u.s[i] != '%') {
			buf_addc(b, f.u.s[i]);
			continue;
		}
		if (++i >= f.n)
			goto bad;
		if (f.u.s[i] == '%') {
			buf_addc(b, '%');
			continue;
		}
		for (; i < f.n && (f.u.s[i] == '-' || f.u.s[i] == '0'); i++)
			f.u.s[i] == '-' ? (minus = 1) : (zero = 1);
		for (; i < f.n && f.u.s[i] >= '0' && f.u.s[i] <= '9'; i++)
			width = width < 1000 ? width * 10 + (f.u.s[i] - '0') : width;
		if (i < f.n && f.u.s[i] == '.') {
			prec = 0;
			for (i++; i < f.n && f.u.s[i] >= '0' && f.u.s[i] <= '9'; i++)
				prec = prec < 38 ? prec * 10 + (f.u.s[i] - '0') : prec;
		}
		if (i >= f.n)
			goto bad;
		conv = f.u.s[i];
		if (ai >= na) {
			map_rt_error(E, n, "format(): not enough arguments");
		}
		if (conv == 's') {
			t = map_to_text(E, &a[ai++]);
			tp = t.u.s;
			tl = t.n;
			if (prec >= 0)
				tl = u8off(tp, tl, (size_t)prec);
		} else if (conv == 'd' || conv == 'f') {
			struct dec d;
			int k;

			if (!dec_arg(E, n, a, ai++, &d))
				d.coef = 0, d.scale = 0;
			k = dec_fixed(&d,
			              conv == 'd' ? 0
			              : prec < 0  ? 6
			                          : prec,
			              DEC_HALF_EVEN, tmp, sizeof tmp);
			if (k < 0) {
				map_rt_error(E, n, "format(): number out of range");
			}
			tp = tmp;
			tl = (size_t)k;
		} else {
		bad:
			map_rt_error(E, n, "format(): bad conversion in '%.*s'", (int)f.n, f.u.s);
		}
		cl = u8len(tp, tl);
		if (!minus && (size_t)width > cl) {
			size_t k;

			if (zero && conv != 's' && tl && tp[0] == '-') {
				buf_addc(b, '-');
				tp++, tl--;
			}
			for (k = cl; k < (size_t)width; k++)
				buf_addc(b, zero && conv != 's' ? '0' : ' ');
		}
		buf_add(b, tp, tl);
		if (minus)
			for (; cl < (size_t)width; cl++)
				buf_addc(b, ' ');
	}
	r = map_str(E, buf_str(b), b->len);
	return r;
}

FN(f_sha256)
{
	struct jv s;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int ml = 0, i;
	char *p;

	UNUSED;
	if (!text_arg(E, n, a, 0, &s))
		return JV_NULLV;
	if (EVP_Digest(s.u.s, s.n, md, &ml, EVP_sha256(), NULL) != 1)
		map_rt_error(E, n, "sha256(): digest failed");
	p = map_alloc(E, 2 * ml + 1);
	for (i = 0; i < ml; i++)
		snprintf(p + 2 * i, 3, "%02x", md[i]);
	return jv_str_ref(p, 2 * ml, 1);
}

/* ---- regular expressions (PCRE2, UTF mode) ---- */

struct map_rx {
	pcre2_code *re;
	pcre2_match_data *md;
};

void
map_fn_free_aux(void *p)
{
	struct map_rx *rx = p;

	pcre2_match_data_free(rx->md);
	pcre2_code_free(rx->re);
	free(rx);
}

/* a prep hook's error: -1 with pp set */
static int __attribute__((format(printf, 4, 5)))
prep_error(struct map_prep *pp, int line, int col, const char *fmt, ...)
{
	va_list ap;

	pp->line = line;
	pp->col = col;
	va_start(ap, fmt);
	vsnprintf(pp->msg, sizeof pp->msg, fmt, ap);
	va_end(ap);
	return -1;
}

static int
prep_regex(struct map_prog *P, struct map_node *n, struct map_prep *pp)
{
	struct map_node *pat = n->args[1];
	struct map_rx *rx;
	int ec;
	PCRE2_SIZE eo;

	(void)P;
	if (pat->kind != N_LIT || pat->lit.t != JV_STR)
		return prep_error(pp, pat->line, pat->col,
		                  "%s(): the pattern must be a string literal", n->fn->name);
	if ((rx = calloc(1, sizeof *rx)) == NULL)
		return prep_error(pp, n->line, n->col, "out of memory");
	pp->keep = rx;
	rx->re = pcre2_compile((PCRE2_SPTR)pat->lit.u.s, pat->lit.n, PCRE2_UTF, &ec, &eo, NULL);
	if (rx->re == NULL) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(ec, msg, sizeof msg);
		return prep_error(pp, pat->line, pat->col + 1 + (int)eo, "%s(): bad regex: %s",
		                  n->fn->name, (char *)msg);
	}
	pcre2_jit_compile(rx->re, PCRE2_JIT_COMPLETE);
	rx->md = pcre2_match_data_create_from_pattern(rx->re, NULL);
	n->aux = rx;
	return 0;
}

static int
rx_match(struct map_env *E, struct map_node *n, struct map_rx *rx, const struct jv *s)
{
	int r = pcre2_match(rx->re, (PCRE2_SPTR)s->u.s, s->n, 0, 0, rx->md, NULL);

	if (r == PCRE2_ERROR_NOMATCH)
		return 0;
	if (r < 0) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(r, msg, sizeof msg);
		map_rt_error(E, n, "%s(): %s", n->fn->name, (char *)msg);
	}
	return 1;
}

FN(f_match)
{
	struct jv s;

	UNUSED;
	if (!text_arg(E, n, a, 0, &s))
		return JV_BOOL(0);
	return JV_BOOL(rx_match(E, n, n->aux, &s));
}

FN(f_capture)
{
	struct jv s;
	struct map_rx *rx = n->aux;
	uint32_t ncap = 0;
	int g;
	PCRE2_SIZE *ov;

	if (!text_arg(E, n, a, 0, &s) || !rx_match(E, n, rx, &s))
		return JV_NULLV;
	pcre2_pattern_info(rx->re, PCRE2_INFO_CAPTURECOUNT, &ncap);
	if (na > 2 && a[2].t == JV_STR) {
		char *name = cstr(E, &a[2]);

		g = pcre2_substring_number_from_name(rx->re, (PCRE2_SPTR)name);
		if (g < 0)
			map_rt_error(E, n, "capture(): no group named '%s'", name);
	} else
		g = na > 2 ? (int)int_arg(E, n, a, 2) : ncap > 0;
	if (g < 0 || (uint32_t)g > ncap)
		map_rt_error(E, n, "capture(): no group %d", g);
	ov = pcre2_get_ovector_pointer(rx->md);
	if ((uint32_t)g >= pcre2_get_ovector_count(rx->md) || ov[2 * g] == PCRE2_UNSET)
		return JV_NULLV;
	return map_str(E, s.u.s + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
}

FN(f_regex_replace)
{
	struct jv s, rep;
	struct map_rx *rx = n->aux;
	PCRE2_SIZE outlen;
	char *out;
	int r;

	UNUSED;
	if (!text_arg(E, n, a, 0, &s))
		return JV_NULLV;
	if (!text_arg(E, n, a, 2, &rep))
		rep = jv_str_ref("", 0, 1);
	outlen = s.n * 2 + rep.n + 64;
	for (;;) {
		out = map_alloc(E, outlen + 1);
		r = pcre2_substitute(rx->re, (PCRE2_SPTR)s.u.s, s.n, 0,
		                     PCRE2_SUBSTITUTE_GLOBAL | PCRE2_SUBSTITUTE_OVERFLOW_LENGTH,
		                     rx->md, NULL, (PCRE2_SPTR)rep.u.s, rep.n, (PCRE2_UCHAR *)out,
		                     &outlen);
		if (r != PCRE2_ERROR_NOMEMORY)
			break;
	}
	if (r < 0) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(r, msg, sizeof msg);
		map_rt_error(E, n, "regex_replace(): %s", (char *)msg);
	}
	return map_str(E, out, outlen);
}

/* ---- numbers and money ---- */

FN(f_round)
{
	struct dec d, r;
	long places = na > 1 ? int_arg(E, n, a, 1) : 0;
	enum dec_round m = na > 2 ? mode_arg(E, n, a, 2) : DEC_HALF_EVEN;

	if (!dec_arg(E, n, a, 0, &d))
		return JV_NULLV;
	if (places < 0 || places > 38 || dec_round(&d, (int)places, m, &r) < 0)
		map_rt_error(E, n, "round(): bad number of places %ld", places);
	return map_num_dec(E, &r);
}

static struct jv
round_to(struct map_env *E, struct map_node *n, struct jv *a, enum dec_round m)
{
	struct dec d, r;

	if (!dec_arg(E, n, a, 0, &d))
		return JV_NULLV;
	if (dec_round(&d, 0, m, &r) < 0)
		map_rt_error(E, n, "%s(): out of range", n->fn->name);
	return map_num_dec(E, &r);
}

/* clang-format off */
FN(f_floor) { (void)na; return round_to(E, n, a, DEC_FLOOR); }
FN(f_ceil) { (void)na; return round_to(E, n, a, DEC_CEIL); }
/* clang-format on */

FN(f_abs)
{
	struct dec d;

	UNUSED;
	if (!dec_arg(E, n, a, 0, &d))
		return JV_NULLV;
	if (d.coef >= 0 && a[0].t == JV_NUM)
		return a[0];
	if (d.coef < 0)
		d.coef = -d.coef;
	return map_num_dec(E, &d);
}

FN(f_div)
{
	struct dec x, y, r;
	long places = int_arg(E, n, a, 2);
	enum dec_round m = na > 3 ? mode_arg(E, n, a, 3) : DEC_HALF_EVEN;

	if (!dec_arg(E, n, a, 0, &x) || !dec_arg(E, n, a, 1, &y))
		return JV_NULLV;
	if (y.coef == 0)
		map_rt_error(E, n, "div(): division by zero");
	if (places < 0 || places > 38 || dec_div(&x, &y, (int)places, m, &r) < 0)
		map_rt_error(E, n, "div(): out of range");
	return map_num_dec(E, &r);
}

FN(f_to_fixed)
{
	struct dec d;
	long places = int_arg(E, n, a, 1);
	enum dec_round m = na > 2 ? mode_arg(E, n, a, 2) : DEC_HALF_EVEN;
	char buf[96];
	int k;

	if (!dec_arg(E, n, a, 0, &d))
		return JV_NULLV;
	if (places < 0 || places > 38 || (k = dec_fixed(&d, (int)places, m, buf, sizeof buf)) < 0)
		map_rt_error(E, n, "to_fixed(): out of range");
	return map_str(E, buf, (size_t)k);
}

/* ---- aggregates ---- */

/* the items: one array argument, or the arguments themselves */
static struct jv *
items(struct jv *a, int na, uint32_t *cnt)
{
	if (na == 1 && a[0].t == JV_ARR) {
		*cnt = a[0].n;
		return a[0].u.a;
	}
	if (na == 1 && (a[0].t == JV_NULL || a[0].t == JV_FALSE)) {
		*cnt = 0;
		return a;
	}
	*cnt = (uint32_t)na;
	return a;
}

FN(f_sum)
{
	uint32_t cnt, i;
	struct jv *v = items(a, na, &cnt);
	struct dec s = { 0, 0 };

	for (i = 0; i < cnt; i++) {
		struct dec d;

		if (!dec_arg(E, n, v, (int)i, &d))
			continue;
		if (dec_add(&s, &d, &s) < 0)
			map_rt_error(E, n, "sum(): overflow");
	}
	return map_num_dec(E, &s);
}

static struct jv
minmax(struct map_env *E, struct map_node *n, struct jv *a, int na, int want)
{
	uint32_t cnt, i;
	struct jv *v = items(a, na, &cnt), best = JV_NULLV;

	for (i = 0; i < cnt; i++) {
		int c;

		if (v[i].t == JV_NULL || v[i].t == JV_FALSE)
			continue;
		if (best.t == JV_NULL) {
			best = v[i];
			continue;
		}
		if ((c = jv_compare(&v[i], &best)) == -2)
			map_rt_error(E, n, "%s(): cannot compare %s with %s", n->fn->name,
			             jv_type_name(v[i].t), jv_type_name(best.t));
		if (c == want)
			best = v[i];
	}
	return best;
}

/* clang-format off */
FN(f_min) { return minmax(E, n, a, na, -1); }
FN(f_max) { return minmax(E, n, a, na, 1); }
/* clang-format on */

FN(f_count)
{
	uint32_t cnt, i, k = 0;
	struct jv *v = items(a, na, &cnt);

	for (i = 0; i < cnt; i++)
		if (v[i].t != JV_NULL)
			k++;
	return map_num_i64(E, k);
}

FN(f_any)
{
	uint32_t cnt, i;
	struct jv *v = items(a, na, &cnt);

	UNUSED;
	for (i = 0; i < cnt; i++)
		if (jv_truthy(&v[i]))
			return JV_BOOL(1);
	return JV_BOOL(0);
}

FN(f_all)
{
	uint32_t cnt, i;
	struct jv *v = items(a, na, &cnt);

	UNUSED;
	for (i = 0; i < cnt; i++)
		if (!jv_truthy(&v[i]))
			return JV_BOOL(0);
	return JV_BOOL(1);
}

FN(f_approx)
{
	struct dec x, y, t, d;

	UNUSED;
	if (!dec_arg(E, n, a, 0, &x) || !dec_arg(E, n, a, 1, &y))
		return JV_BOOL(0);
	if (!dec_arg(E, n, a, 2, &t))
		t.coef = 0, t.scale = 0;
	if (dec_sub(&x, &y, &d) < 0)
		map_rt_error(E, n, "approx(): overflow");
	if (d.coef < 0)
		d.coef = -d.coef;
	return JV_BOOL(dec_cmp(&d, &t) <= 0);
}

/* ---- types ---- */

/* error(msg): fail the record, usable inside an expression */
FN(f_error)
{
	struct jv m = map_to_text(E, &a[0]);

	map_rt_error(E, n, "%.*s", (int)m.n, m.u.s);
}

FN(f_type_of)
{
	const char *t = jv_type_name(a[0].t);

	UNUSED;
	return jv_str_ref(t, strlen(t), 1);
}

static struct jv
parse_number(struct map_env *E, struct map_node *n, const struct jv *s)
{
	struct dec d;
	size_t b = 0, e = s->n;

	while (b < e && is_space((unsigned char)s->u.s[b]))
		b++;
	while (e > b && is_space((unsigned char)s->u.s[e - 1]))
		e--;
	if (dec_parse(s->u.s + b, e - b, &d) == 0)
		return map_num_dec(E, &d);
	{
		char *c = map_alloc(E, e - b + 1), *end;
		double v;

		memcpy(c, s->u.s + b, e - b);
		c[e - b] = '\0';
		errno = 0;
		v = strtod(c, &end);
		if (e > b && *end == '\0' && isfinite(v) &&
		    (c[0] == '-' || (c[0] >= '0' && c[0] <= '9')))
			return map_num_double(E, v);
	}
	map_rt_error(E, n, "%s(): '%.*s' is not a number", n->fn->name,
	             (int)(s->n > 60 ? 60 : s->n), s->u.s);
}

FN(f_to_number)
{
	UNUSED;
	switch (a[0].t) {
	case JV_NULL:
		return JV_NULLV;
	case JV_FALSE:
		return map_num_i64(E, 0);
	case JV_TRUE:
		return map_num_i64(E, 1);
	case JV_NUM:
		return a[0];
	case JV_STR:
		if (a[0].n == 0)
			return JV_NULLV;
		return parse_number(E, n, &a[0]);
	}
	map_rt_error(E, n, "to_number(): cannot convert %s", jv_type_name(a[0].t));
}

FN(f_to_int)
{
	struct jv v = f_to_number(E, n, a, na);
	struct dec d;

	if (v.t != JV_NUM)
		return v;
	if (jv_to_dec(&v, &d) == 0 && dec_round(&d, 0, DEC_DOWN, &d) == 0)
		return map_num_dec(E, &d);
	return map_num_double(E, trunc(jv_to_double(&v)));
}

FN(f_to_string)
{
	UNUSED;
	if (a[0].t == JV_NULL)
		return JV_NULLV;
	return map_to_text(E, &a[0]);
}

FN(f_to_bool)
{
	static const char *yes[] = { "true", "yes", "y", "1", "on" };
	static const char *no[] = { "false", "no", "n", "0", "off", "" };
	size_t i;

	UNUSED;
	switch (a[0].t) {
	case JV_NULL:
	case JV_FALSE:
		return JV_BOOL(0);
	case JV_TRUE:
		return JV_BOOL(1);
	case JV_NUM: {
		struct dec d;

		return JV_BOOL(jv_to_dec(&a[0], &d) == 0 ? d.coef != 0 : jv_to_double(&a[0]) != 0);
	}
	case JV_STR:
		for (i = 0; i < sizeof yes / sizeof *yes; i++)
			if (a[0].n == strlen(yes[i]) && strncasecmp(a[0].u.s, yes[i], a[0].n) == 0)
				return JV_BOOL(1);
		for (i = 0; i < sizeof no / sizeof *no; i++)
			if (a[0].n == strlen(no[i]) && strncasecmp(a[0].u.s, no[i], a[0].n) == 0)
				return JV_BOOL(0);
		map_rt_error(E, n, "to_bool(): '%.*s' is not a truth value",
		             (int)(a[0].n > 60 ? 60 : a[0].n), a[0].u.s);
	}
	return JV_BOOL(a[0].n > 0);
}

FN(f_is_empty)
{
	UNUSED;
	return JV_BOOL(a[0].t == JV_NULL || a[0].t == JV_FALSE ||
	               ((a[0].t == JV_STR || a[0].t == JV_ARR || a[0].t == JV_OBJ) && a[0].n == 0));
}

FN(f_coalesce)
{
	int i;

	UNUSED;
	for (i = 0; i < na; i++)
		if (!(a[i].t == JV_NULL || a[i].t == JV_FALSE ||
		      ((a[i].t == JV_STR || a[i].t == JV_ARR) && a[i].n == 0)))
			return a[i];
	return JV_NULLV;
}

FN(f_keys)
{
	struct jv r;
	uint32_t i;

	UNUSED;
	if (a[0].t != JV_OBJ)
		return JV_NULLV;
	r = mkarr(E, a[0].n);
	for (i = 0; i < a[0].n; i++)
		r.u.a[r.n++] = jv_str_ref(a[0].u.o[i].k, a[0].u.o[i].kn, a[0].u.o[i].ksafe);
	return r;
}

FN(f_has)
{
	struct jv k;

	UNUSED;
	if (a[0].t != JV_OBJ || !text_arg(E, n, a, 1, &k))
		return JV_BOOL(0);
	return JV_BOOL(jv_obj_get(&a[0], k.u.s, k.n) != NULL);
}

/* map(Sub, array): the sub-mapping over each item; dropped items left out */
FN(f_map)
{
	struct jv r;
	uint32_t i;

	UNUSED;
	if (a[1].t == JV_NULL || a[1].t == JV_FALSE)
		return mkarr(E, 0);
	if (a[1].t != JV_ARR)
		map_rt_error(E, n, "map(): %s is not an array", jv_type_name(a[1].t));
	r = mkarr(E, a[1].n);
	for (i = 0; i < a[1].n; i++) {
		int dropped = 0;
		struct jv v = map_subcall(E, n->sub, a[1].u.a[i], &dropped);

		if (!dropped)
			r.u.a[r.n++] = v;
	}
	return r;
}

/* ---- dates and times ---- */

static char *
tz_arg(struct map_env *E, struct map_node *n, struct jv *a, int na, int i)
{
	char *tz;

	if (na <= i || a[i].t == JV_NULL)
		return NULL;
	if (a[i].t != JV_STR)
		map_rt_error(E, n, "%s(): time zone must be a string", n->fn->name);
	tz = cstr(E, &a[i]);
	if (!dt_tz_known(tz))
		map_rt_error(E, n, "%s(): unknown time zone '%s'", n->fn->name, tz);
	if (strcmp(tz, "UTC") == 0 || strcmp(tz, "Z") == 0)
		return NULL;
	return tz;
}

/* a time argument: epoch seconds (number) or a date/time string */
static int
time_arg(struct map_env *E, struct map_node *n, struct jv *a, int i, const char *tz, long long *t)
{
	struct dt_time dt;

	if (a[i].t == JV_NULL || a[i].t == JV_FALSE)
		return 0;
	if (a[i].t == JV_NUM) {
		double d = floor(jv_to_double(&a[i]));

		/* years 0001 to 9999 */
		if (!(d >= -62135596800.0 && d <= 253402300799.0))
			map_rt_error(E, n, "%s(): %.*s is out of range for a time", n->fn->name,
			             (int)(a[i].n > 40 ? 40 : a[i].n), a[i].u.s);
		*t = (long long)d;
		return 1;
	}
	if (a[i].t == JV_STR && dt_parse(a[i].u.s, a[i].n, tz, &dt) == 0) {
		*t = dt.sec;
		return 1;
	}
	map_rt_error(E, n, "%s(): '%.*s' is not a date", n->fn->name,
	             (int)(a[i].n > 60 || a[i].t != JV_STR ? 0 : a[i].n),
	             a[i].t == JV_STR ? a[i].u.s : "");
}

static struct jv
fmt_time(struct map_env *E, struct map_node *n, long long t, const char *fmt, const char *tz)
{
	char buf[256];
	size_t k = dt_format(t, fmt, tz, buf, sizeof buf);

	if (k == 0 && fmt[0] != '\0')
		map_rt_error(E, n, "%s(): cannot format the date with '%s'", n->fn->name, fmt);
	return map_str(E, buf, k);
}

FN(f_now)
{
	UNUSED;
	return fmt_time(E, n, E->P->ctx->now_ms / 1000, "%Y-%m-%dT%H:%M:%SZ", NULL);
}

FN(f_date_parse)
{
	struct jv s, f;
	struct tm tm;
	char *str, *fmt, *end;
	const char *tz;

	if (!text_arg(E, n, a, 0, &s) || s.n == 0)
		return JV_NULLV;
	if (!text_arg(E, n, a, 1, &f))
		map_rt_error(E, n, "date_parse(): no format");
	tz = tz_arg(E, n, a, na, 2);
	str = cstr(E, &s);
	fmt = cstr(E, &f);
	memset(&tm, 0, sizeof tm);
	tm.tm_mday = 1;
	end = strptime(str, fmt, &tm);
	if (end == NULL || *end != '\0')
		map_rt_error(E, n, "date_parse(): '%s' does not match '%s'", str, fmt);
	if (strstr(fmt, "%z")) {
		long off = tm.tm_gmtoff;

		return map_num_i64(E, (long long)timegm(&tm) - off);
	}
	return map_num_i64(E, dt_local_to_epoch(&tm, tz));
}

FN(f_date_format)
{
	struct jv f;
	const char *tz = tz_arg(E, n, a, na, 2);
	long long t;

	if (!time_arg(E, n, a, 0, NULL, &t))
		return JV_NULLV;
	if (!text_arg(E, n, a, 1, &f))
		map_rt_error(E, n, "date_format(): no format");
	return fmt_time(E, n, t, cstr(E, &f), tz);
}

FN(f_odoo_to_iso)
{
	const char *tz = tz_arg(E, n, a, na, 1);
	long long t;
	struct jv r;

	if (!time_arg(E, n, a, 0, NULL, &t))
		return JV_NULLV;
	if (tz == NULL)
		return fmt_time(E, n, t, "%Y-%m-%dT%H:%M:%SZ", NULL);
	r = fmt_time(E, n, t, "%Y-%m-%dT%H:%M:%S%z", tz);
	{
		/* +0200 -> +02:00 */
		char *p = map_alloc(E, r.n + 2);

		memcpy(p, r.u.s, r.n - 2);
		p[r.n - 2] = ':';
		memcpy(p + r.n - 1, r.u.s + r.n - 2, 2);
		p[r.n + 1] = '\0';
		return jv_str_ref(p, r.n + 1, 1);
	}
}

FN(f_iso_to_odoo)
{
	long long t;

	UNUSED;
	if (!time_arg(E, n, a, 0, NULL, &t))
		return JV_NULLV;
	return fmt_time(E, n, t, "%Y-%m-%d %H:%M:%S", NULL);
}

FN(f_to_utc)
{
	const char *tz = tz_arg(E, n, a, na, 1);
	long long t;

	if (!time_arg(E, n, a, 0, tz, &t))
		return JV_NULLV;
	return fmt_time(E, n, t, "%Y-%m-%d %H:%M:%S", NULL);
}

FN(f_from_utc)
{
	const char *tz = tz_arg(E, n, a, na, 1);
	long long t;

	if (!time_arg(E, n, a, 0, NULL, &t))
		return JV_NULLV;
	return fmt_time(E, n, t, "%Y-%m-%d %H:%M:%S", tz);
}

FN(f_to_nav_date)
{
	const char *tz = tz_arg(E, n, a, na, 1);
	long long t;

	if (a[0].t == JV_NULL || a[0].t == JV_FALSE || (a[0].t == JV_STR && a[0].n == 0))
		return jv_str_ref("0001-01-01", 10, 1);
	if (!time_arg(E, n, a, 0, NULL, &t))
		return JV_NULLV;
	return fmt_time(E, n, t, "%Y-%m-%d", tz);
}

FN(f_from_nav_date)
{
	struct jv s;
	struct dt_time t;

	UNUSED;
	if (!text_arg(E, n, a, 0, &s) || s.n == 0 ||
	    (s.n >= 10 && memcmp(s.u.s, "0001-01-01", 10) == 0))
		return JV_NULLV;
	if (dt_parse(s.u.s, s.n, NULL, &t) < 0)
		map_rt_error(E, n, "from_nav_date(): '%.*s' is not a date",
		             (int)(s.n > 60 ? 60 : s.n), s.u.s);
	return fmt_time(E, n, t.sec, t.date_only ? "%Y-%m-%d" : "%Y-%m-%d %H:%M:%S", NULL);
}

/* ---- lookup tables ---- */

static struct map_tdecl *
find_decl(struct map_prog *P, const char *name)
{
	struct map_tdecl *d;

	for (d = P->decls; d != NULL; d = d->next)
		if (strcmp(d->name, name) == 0)
			return d;
	return NULL;
}

/* the table of argument argi, into n->aux; -1 with pp set */
static int
load_table(struct map_prog *P, struct map_node *n, int argi, const char *defkey, int *miss,
           struct map_prep *pp)
{
	struct map_node *t = n->args[argi];
	char path[4096];
	struct ep_err err = EP_ERR_INIT;
	struct map_tdecl *d;

	if (t->kind != N_LIT || t->lit.t != JV_STR)
		return prep_error(pp, t->line, t->col, "%s(): the table must be a quoted file name",
		                  n->fn->name);
	d = find_decl(P, t->lit.u.s);
	if (miss)
		*miss = d ? d->miss : 0;
	if (map_find(t->lit.u.s, "", P->dir, path, sizeof path) < 0) {
		pp->code = EP_NOINPUT;
		return prep_error(pp, t->line, t->col, "cannot find table '%s'", t->lit.u.s);
	}
	n->aux = map_table_get(P->ctx, path, d && d->key ? d->key : defkey, &err);
	if (n->aux == NULL) {
		pp->code = err.code;
		return prep_error(pp, t->line, t->col, "%s", err.msg);
	}
	return 0;
}

static int
prep_lookup(struct map_prog *P, struct map_node *n, struct map_prep *pp)
{
	int miss;

	if (load_table(P, n, 0, NULL, &miss, pp) < 0)
		return -1;
	n->iaux = miss;
	return 0;
}

static struct map_trow *
table_row(struct map_env *E, struct map_node *n, struct map_table *t, struct jv *key)
{
	struct jv k;

	if (key->t == JV_NULL || key->t == JV_FALSE)
		return NULL;
	if (key->t == JV_ARR || key->t == JV_OBJ)
		map_rt_error(E, n, "%s(): the key is %s", n->fn->name, jv_type_name(key->t));
	k = map_to_text(E, key);
	return map_table_find(t, k.u.s, k.n);
}

static const char *
tbase(const struct map_table *t)
{
	const char *s = strrchr(t->path, '/');

	return s ? s + 1 : t->path;
}

FN(f_lookup)
{
	struct map_table *t = n->aux;
	struct map_trow *row = table_row(E, n, t, &a[1]);
	struct jv col;
	const struct jv *v;

	if (!text_arg(E, n, a, 2, &col))
		map_rt_error(E, n, "lookup(): no column");
	if (row == NULL) {
		struct jv kt;

		if (na > 3)
			return a[3];
		if (n->iaux == 0 || a[1].t == JV_NULL || a[1].t == JV_FALSE)
			return JV_NULLV;
		kt = map_to_text(E, &a[1]);
		map_rt_error(E, n, "lookup: '%.*s' not in '%s'", (int)(kt.n > 80 ? 80 : kt.n),
		             kt.u.s, tbase(t));
	}
	if ((v = jv_obj_get(&row->obj, col.u.s, col.n)) == NULL)
		map_rt_error(E, n, "lookup: no column '%.*s' in '%s'", (int)col.n, col.u.s,
		             tbase(t));
	return *v;
}

static int
prep_convert(struct map_prog *P, struct map_node *n, struct map_prep *pp)
{
	return load_table(P, n, 4, "currency", NULL, pp);
}

static int
rate_at(struct map_env *E, struct map_node *n, struct map_table *t, struct jv *cur, struct jv *date,
        struct dec *rate)
{
	struct map_trow *row = table_row(E, n, t, cur), *best = NULL;
	const struct jv *bd = NULL;

	for (; row != NULL; row = row->next_same) {
		const struct jv *d = jv_obj_get(&row->obj, "date", 4);

		if (d == NULL || d->t != JV_STR || date->t != JV_STR)
			continue;
		if (jv_compare(d, date) <= 0 && (bd == NULL || jv_compare(d, bd) > 0)) {
			best = row;
			bd = d;
		}
	}
	if (best == NULL) {
		struct jv c = map_to_text(E, cur);

		map_rt_error(E, n, "convert(): no rate for '%.*s' on %.*s in '%s'", (int)c.n, c.u.s,
		             (int)(date->t == JV_STR ? date->n : 0),
		             date->t == JV_STR ? date->u.s : "", tbase(t));
	}
	{
		const struct jv *r = jv_obj_get(&best->obj, "rate", 4);

		if (r == NULL || dec_parse(r->u.s, r->n, rate) < 0 || rate->coef == 0)
			map_rt_error(E, n, "convert(): bad rate in '%s'", tbase(t));
	}
	return 0;
}

FN(f_convert)
{
	struct dec amt, rf, rt, x, r;
	long places = na > 5 ? int_arg(E, n, a, 5) : 2;
	struct jv date = a[3];

	if (!dec_arg(E, n, a, 0, &amt))
		return JV_NULLV;
	if (date.t == JV_STR && date.n > 10)
		date.n = 10; /* the day of a date-time */
	if (jv_equal(&a[1], &a[2]))
		r = amt;
	else {
		rate_at(E, n, n->aux, &a[1], &date, &rf);
		rate_at(E, n, n->aux, &a[2], &date, &rt);
		if (dec_mul(&amt, &rf, &x) < 0 || places < 0 || places > 38 ||
		    dec_div(&x, &rt, (int)places, DEC_HALF_EVEN, &r) < 0)
			map_rt_error(E, n, "convert(): out of range");
		return map_num_dec(E, &r);
	}
	if (dec_round(&r, (int)places, DEC_HALF_EVEN, &r) < 0)
		map_rt_error(E, n, "convert(): out of range");
	return map_num_dec(E, &r);
}

static int
prep_uom(struct map_prog *P, struct map_node *n, struct map_prep *pp)
{
	return load_table(P, n, 3, "unit", NULL, pp);
}

FN(f_uom)
{
	struct map_table *t = n->aux;
	struct map_trow *rf, *rt;
	const struct jv *ff, *ft, *cf, *ct;
	struct dec q, f1, f2, x, r;

	UNUSED;
	if (!dec_arg(E, n, a, 0, &q))
		return JV_NULLV;
	rf = table_row(E, n, t, &a[1]);
	rt = table_row(E, n, t, &a[2]);
	if (rf == NULL || rt == NULL) {
		struct jv u = map_to_text(E, rf == NULL ? &a[1] : &a[2]);

		map_rt_error(E, n, "uom: unit '%.*s' not in '%s'", (int)u.n, u.u.s, tbase(t));
	}
	ff = jv_obj_get(&rf->obj, "factor", 6);
	ft = jv_obj_get(&rt->obj, "factor", 6);
	cf = jv_obj_get(&rf->obj, "category", 8);
	ct = jv_obj_get(&rt->obj, "category", 8);
	if (cf && ct && !jv_equal(cf, ct))
		map_rt_error(E, n, "uom: cannot convert %.*s to %.*s", (int)a[1].n, a[1].u.s,
		             (int)a[2].n, a[2].u.s);
	if (ff == NULL || ft == NULL || dec_parse(ff->u.s, ff->n, &f1) < 0 ||
	    dec_parse(ft->u.s, ft->n, &f2) < 0 || f2.coef == 0)
		map_rt_error(E, n, "uom: bad factor in '%s'", tbase(t));
	if (dec_mul(&q, &f1, &x) < 0 || dec_div(&x, &f2, 12, DEC_HALF_EVEN, &r) < 0)
		map_rt_error(E, n, "uom: out of range");
	while (r.scale > 0 && r.coef % 10 == 0) {
		r.coef /= 10;
		r.scale--;
	}
	return map_num_dec(E, &r);
}

/* ---- the list (sorted by name is not required; looked up linearly) ---- */

const struct map_fn map_fns[] = {
	{ "abs", 1, 1, f_abs, NULL, "absolute value" },
	{ "all", 1, -1, f_all, NULL, "every item truthy" },
	{ "any", 1, -1, f_any, NULL, "some item truthy" },
	{ "approx", 3, 3, f_approx, NULL, "|a-b| <= tolerance" },
	{ "capture", 2, 3, f_capture, prep_regex, "regex group" },
	{ "ceil", 1, 1, f_ceil, NULL, "round up to an integer" },
	{ "coalesce", 1, -1, f_coalesce, NULL, "first non-empty" },
	{ "contains", 2, 2, f_contains, NULL, "substring test" },
	{ "convert", 5, 6, f_convert, prep_convert, "currency conversion" },
	{ "count", 1, -1, f_count, NULL, "non-null items" },
	{ "date_format", 2, 3, f_date_format, NULL, "strftime" },
	{ "date_parse", 2, 3, f_date_parse, NULL, "strptime to epoch" },
	{ "div", 3, 4, f_div, NULL, "decimal division" },
	{ "ends_with", 2, 2, f_ends_with, NULL, "suffix test" },
	{ "error", 1, 1, f_error, NULL, "fail the record" },
	{ "first_word", 1, 1, f_first_word, NULL, "text before the first space" },
	{ "floor", 1, 1, f_floor, NULL, "round down to an integer" },
	{ "format", 1, -1, f_format, NULL, "printf-like" },
	{ "from_nav_date", 1, 1, f_from_nav_date, NULL, "NAV date, 0001-01-01 is null" },
	{ "from_utc", 2, 2, f_from_utc, NULL, "UTC to local time" },
	{ "has", 2, 2, f_has, NULL, "object has key" },
	{ "is_empty", 1, 1, f_is_empty, NULL, "null, false, empty" },
	{ "iso_to_odoo", 1, 1, f_iso_to_odoo, NULL, "ISO 8601 to Odoo UTC" },
	{ "join", 1, -1, f_join, NULL, "join non-empty values" },
	{ "keys", 1, 1, f_keys, NULL, "object keys" },
	{ "length", 1, 1, f_length, NULL, "length" },
	{ "lookup", 3, 4, f_lookup, prep_lookup, "table lookup" },
	{ "lower", 1, 1, f_lower, NULL, "lower case" },
	{ "ltrim", 1, 1, f_ltrim, NULL, "trim left" },
	{ "map", 2, 2, f_map, NULL, "sub-mapping over an array" },
	{ "match", 2, 2, f_match, prep_regex, "regex test" },
	{ "max", 1, -1, f_max, NULL, "largest" },
	{ "min", 1, -1, f_min, NULL, "smallest" },
	{ "now", 0, 0, f_now, NULL, "run start time" },
	{ "odoo_to_iso", 1, 2, f_odoo_to_iso, NULL, "Odoo UTC to ISO 8601" },
	{ "pad_left", 2, 3, f_pad_left, NULL, "pad on the left" },
	{ "pad_right", 2, 3, f_pad_right, NULL, "pad on the right" },
	{ "regex_replace", 3, 3, f_regex_replace, prep_regex, "regex substitution" },
	{ "replace", 3, 3, f_replace, NULL, "literal substitution" },
	{ "rest_words", 1, 1, f_rest_words, NULL, "text after the first space" },
	{ "round", 1, 3, f_round, NULL, "decimal rounding" },
	{ "rtrim", 1, 1, f_rtrim, NULL, "trim right" },
	{ "sha256", 1, 1, f_sha256, NULL, "hex digest" },
	{ "split", 2, 2, f_split, NULL, "split on a separator" },
	{ "starts_with", 2, 2, f_starts_with, NULL, "prefix test" },
	{ "substr", 2, 3, f_substr, NULL, "substring" },
	{ "sum", 1, -1, f_sum, NULL, "exact decimal sum" },
	{ "to_bool", 1, 1, f_to_bool, NULL, "to boolean" },
	{ "to_fixed", 2, 3, f_to_fixed, NULL, "decimal text" },
	{ "to_int", 1, 1, f_to_int, NULL, "to integer" },
	{ "to_nav_date", 1, 2, f_to_nav_date, NULL, "to a NAV date" },
	{ "to_number", 1, 1, f_to_number, NULL, "to number" },
	{ "to_string", 1, 1, f_to_string, NULL, "to string" },
	{ "to_utc", 2, 2, f_to_utc, NULL, "local time to UTC" },
	{ "trim", 1, 1, f_trim, NULL, "trim" },
	{ "type_of", 1, 1, f_type_of, NULL, "type name" },
	{ "uom", 4, 4, f_uom, prep_uom, "unit conversion" },
	{ "upper", 1, 1, f_upper, NULL, "upper case" },
	{ "xmlid_name", 2, 2, f_xmlid_name, NULL, "external id's name after a prefix" },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

const struct map_fn *
map_fn_find(const char *name, size_t n)
{
	const struct map_fn *f;

	for (f = map_fns; f->name != NULL; f++)
		if (strlen(f->name) == n && memcmp(f->name, name, n) == 0)
			return f;
	return NULL;
}
