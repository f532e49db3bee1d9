/*
 * dec.c - exact decimals on a 128-bit coefficient.  See dec.h.
 */
#include "base/dec.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__extension__ typedef unsigned __int128 dec_uint;

static dec_int
pow10i(int k)
{
	dec_int p = 1;

	while (k-- > 0)
		p *= 10;
	return p;
}

static dec_uint
uabs(dec_int v)
{
	return v < 0 ? (dec_uint)0 - (dec_uint)v : (dec_uint)v;
}

static int
fits(dec_int c)
{
	return c <= DEC_COEF_MAX && c >= -DEC_COEF_MAX;
}

/* *c * 10^k within the coefficient range, or -1 */
static int
scale_up(dec_int *c, int k)
{
	dec_int r = *c;

	if (k < 0)
		return -1;
	while (k-- > 0) {
		if (__builtin_mul_overflow(r, (dec_int)10, &r) || !fits(r))
			return -1;
	}
	*c = r;
	return 0;
}

/* strip trailing zeros while scale > min_scale */
static void
strip(struct dec *d, int min_scale)
{
	while (d->scale > min_scale && d->coef % 10 == 0) {
		d->coef /= 10;
		d->scale--;
	}
	if (d->coef == 0 && min_scale == 0)
		d->scale = 0;
}

void
dec_normalize(const struct dec *a, struct dec *out)
{
	struct dec r = *a;

	strip(&r, 0);
	*out = r;
}

int
dec_parse(const char *s, size_t n, struct dec *out)
{
	size_t i = 0;
	int neg = 0, frac = 0, z = 0, esign = 1;
	long e = 0, sc, k, lo, hi;
	dec_int c = 0;
	struct dec r;

	if (s == NULL)
		return -1;
	if (i < n && s[i] == '-') {
		neg = 1;
		i++;
	}
	if (i >= n || s[i] < '0' || s[i] > '9')
		return -1;
	if (s[i] == '0' && i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '9')
		return -1; /* JSON: no leading zeros */
	/* digits; zeros are held back (z) until a non-zero digit needs them,
	 * so trailing zeros never overflow the coefficient */
	for (;;) {
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			int d = s[i++] - '0';

			if (frac)
				frac++;
			if (d == 0) {
				if (c != 0)
					z++;
				continue;
			}
			if (scale_up(&c, z + 1) < 0)
				return -1;
			c += d;
			if (!fits(c))
				return -1;
			z = 0;
		}
		if (!frac && i < n && s[i] == '.') {
			i++;
			if (i >= n || s[i] < '0' || s[i] > '9')
				return -1;
			frac = 1;
			continue;
		}
		break;
	}
	if (frac)
		frac--; /* frac counted 1 + fraction digits */
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			esign = s[i++] == '-' ? -1 : 1;
		if (i >= n || s[i] < '0' || s[i] > '9')
			return -1;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			if (e < 100000000)
				e = e * 10 + (s[i] - '0');
			i++;
		}
		e *= esign;
	}
	if (i != n)
		return -1;
	if (c == 0) {
		/* keep a typed scale for zero ("0.00") when it fits */
		sc = frac - e;
		r.coef = 0;
		r.scale = sc < 0 ? 0 : sc > DEC_MAX_SCALE ? DEC_MAX_SCALE : (int)sc;
		*out = r;
		return 0;
	}
	/* value = c * 10^(z - sc), sc the typed scale.  Choose the final
	 * scale k in [lo, hi], the largest whose coefficient fits. */
	sc = (long)frac - e;
	lo = sc - z > 0 ? sc - z : 0;
	hi = sc > DEC_MAX_SCALE ? DEC_MAX_SCALE : sc > 0 ? sc : 0;
	if (lo > DEC_MAX_SCALE)
		return -1;
	for (k = hi; k >= lo; k--) {
		dec_int t = c;

		if (z - sc + k <= DEC_MAX_SCALE + 1 && scale_up(&t, (int)(z - sc + k)) == 0) {
			c = t;
			break;
		}
	}
	if (k < lo)
		return -1;
	r.coef = neg ? -c : c;
	r.scale = (int)k;
	*out = r;
	return 0;
}

int
dec_parse_str(const char *s, struct dec *out)
{
	if (s == NULL)
		return -1;
	return dec_parse(s, strlen(s), out);
}

int
dec_from_double(double d, struct dec *out)
{
	char buf[64];
	int p;

	if (!isfinite(d))
		return -1;
	for (p = 1; p <= 17; p++) {
		snprintf(buf, sizeof(buf), "%.*g", p, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	return dec_parse_str(buf, out);
}

void
dec_from_ll(long long v, struct dec *out)
{
	out->coef = v;
	out->scale = 0;
}

double
dec_to_double(const struct dec *a)
{
	char buf[DEC_STRLEN];

	if (dec_format(a, buf, sizeof(buf)) < 0)
		return NAN;
	return strtod(buf, NULL);
}

/* bring a and b to a common scale; strips zeros if needed; -1 if impossible */
static int
align(const struct dec *a, const struct dec *b, struct dec *x, struct dec *y)
{
	int i;

	*x = *a;
	*y = *b;
	for (i = 0; i < 2; i++) {
		struct dec *lo = x->scale < y->scale ? x : y;
		struct dec *hi = lo == x ? y : x;
		dec_int c = lo->coef;

		if (scale_up(&c, hi->scale - lo->scale) == 0) {
			lo->coef = c;
			lo->scale = hi->scale;
			return 0;
		}
		strip(x, 0);
		strip(y, 0);
	}
	return -1;
}

static int
finish(struct dec *r, struct dec *out)
{
	if (r->scale > DEC_MAX_SCALE || !fits(r->coef)) {
		strip(r, 0);
		if (r->scale > DEC_MAX_SCALE || !fits(r->coef))
			return -1;
	}
	if (r->scale < 0)
		return -1;
	*out = *r;
	return 0;
}

int
dec_add(const struct dec *a, const struct dec *b, struct dec *out)
{
	struct dec x, y, r;

	if (align(a, b, &x, &y) < 0)
		return -1;
	if (__builtin_add_overflow(x.coef, y.coef, &r.coef))
		return -1;
	r.scale = x.scale;
	return finish(&r, out);
}

int
dec_sub(const struct dec *a, const struct dec *b, struct dec *out)
{
	struct dec x, y, r;

	if (align(a, b, &x, &y) < 0)
		return -1;
	if (__builtin_sub_overflow(x.coef, y.coef, &r.coef))
		return -1;
	r.scale = x.scale;
	return finish(&r, out);
}

int
dec_mul(const struct dec *a, const struct dec *b, struct dec *out)
{
	struct dec x = *a, y = *b, r;
	int i;

	for (i = 0; i < 2; i++) {
		if (!__builtin_mul_overflow(x.coef, y.coef, &r.coef)) {
			r.scale = x.scale + y.scale;
			if (finish(&r, out) == 0)
				return 0;
		}
		strip(&x, 0);
		strip(&y, 0);
	}
	return -1;
}

/* 1 if the magnitude q (with remainder r of divisor den, plus a sticky bit
 * for anything below r) must be incremented under mode m */
static int
round_inc(dec_uint q, dec_uint r, dec_uint den, int sticky, int neg, enum dec_round m)
{
	int nz = r != 0 || sticky, half;

	if (!nz)
		return 0;
	/* compare r (+sticky) with den/2 without overflow: r vs den - r */
	if (r > den - r)
		half = 1;
	else if (r == den - r)
		half = sticky ? 1 : 0;
	else
		half = -1;
	switch (m) {
	case DEC_DOWN:
		return 0;
	case DEC_UP:
		return 1;
	case DEC_FLOOR:
		return neg;
	case DEC_CEIL:
		return !neg;
	case DEC_HALF_UP:
		return half >= 0;
	case DEC_HALF_EVEN:
		return half > 0 || (half == 0 && (q & 1));
	}
	return 0;
}

static int
make(dec_uint mag, int neg, int scale, struct dec *out)
{
	struct dec r;

	if (mag > (dec_uint)DEC_COEF_MAX)
		return -1;
	r.coef = neg ? -(dec_int)mag : (dec_int)mag;
	r.scale = scale;
	*out = r;
	return 0;
}

int
dec_round(const struct dec *a, int places, enum dec_round m, struct dec *out)
{
	dec_uint mag, den, q, r;
	dec_int c;
	struct dec t;

	if (places < 0 || places > DEC_MAX_SCALE)
		return -1;
	if (places >= a->scale) {
		c = a->coef;
		if (scale_up(&c, places - a->scale) < 0)
			return -1;
		t.coef = c;
		t.scale = places;
		*out = t;
		return 0;
	}
	mag = uabs(a->coef);
	den = (dec_uint)pow10i(a->scale - places);
	q = mag / den;
	r = mag % den;
	q += round_inc(q, r, den, 0, a->coef < 0, m);
	return make(q, a->coef < 0 && q != 0, places, out);
}

int
dec_div(const struct dec *a, const struct dec *b, int places, enum dec_round m, struct dec *out)
{
	dec_uint num, den, q, r, p, q2, r2;
	int neg, k;
	struct dec x = *a, y = *b;

	if (b->coef == 0 || places < 0 || places > DEC_MAX_SCALE)
		return -1;
	neg = (a->coef < 0) != (b->coef < 0);
	/* strip zeros to keep the intermediate small */
	strip(&x, 0);
	strip(&y, 0);
	/* q = x.coef * 10^k / y.coef has scale places */
	k = places + y.scale - x.scale;
	num = uabs(x.coef);
	den = uabs(y.coef);
	if (k >= 0) {
		while (k-- > 0) {
			if (num > (dec_uint)-1 / 10)
				return -1;
			num *= 10;
		}
		q = num / den;
		r = num % den;
		q += round_inc(q, r, den, 0, neg, m);
		return make(q, neg && q != 0, places, out);
	}
	/* k < 0: exact quotient at scale x.scale - y.scale, then round it down
	 * to places with the division's remainder as the sticky bit */
	q = num / den;
	r = num % den;
	p = (dec_uint)pow10i(-k);
	q2 = q / p;
	r2 = q % p;
	q2 += round_inc(q2, r2, p, r != 0, neg, m);
	return make(q2, neg && q2 != 0, places, out);
}

int
dec_sign(const struct dec *a)
{
	return a->coef > 0 ? 1 : a->coef < 0 ? -1 : 0;
}

int
dec_cmp(const struct dec *a, const struct dec *b)
{
	struct dec x, y;
	int sa = dec_sign(a), sb = dec_sign(b);

	if (sa != sb)
		return sa < sb ? -1 : 1;
	if (sa == 0)
		return 0;
	if (align(a, b, &x, &y) < 0) {
		/* the smaller-scale one could not be scaled up: it has the
		 * larger magnitude */
		struct dec na, nb;
		int bigger_a;

		dec_normalize(a, &na);
		dec_normalize(b, &nb);
		bigger_a = na.scale < nb.scale;
		return (bigger_a ? 1 : -1) * sa;
	}
	return x.coef < y.coef ? -1 : x.coef > y.coef;
}

/* (r * 10) mod m without overflow, r < m < 2^127 */
static dec_uint
mul10mod(dec_uint r, dec_uint m)
{
	dec_uint acc = 0;
	int i;

	for (i = 0; i < 10; i++) {
		acc += r;
		if (acc >= m)
			acc -= m;
	}
	return acc;
}

int
dec_is_multiple(const struct dec *a, const struct dec *b)
{
	struct dec x, y;
	dec_uint A, B, r;
	int k;

	if (b->coef == 0)
		return -1;
	if (a->coef == 0)
		return 1;
	dec_normalize(a, &x);
	dec_normalize(b, &y);
	A = uabs(x.coef);
	B = uabs(y.coef);
	if (x.scale <= y.scale) {
		/* A * 10^(sy - sx) mod B */
		r = A % B;
		for (k = y.scale - x.scale; k > 0 && r != 0; k--)
			r = mul10mod(r, B);
		return r == 0;
	}
	/* A mod (B * 10^(sx - sy)); x normalised so A % 10 != 0 and the
	 * divisor is a multiple of 10: never a multiple */
	return 0;
}

int
dec_format(const struct dec *a, char *buf, size_t n)
{
	char digs[DEC_STRLEN], tmp[DEC_STRLEN + 4];
	dec_uint m = uabs(a->coef);
	int nd = 0, j, o = 0, sc = a->scale;

	if (sc < 0 || sc > DEC_MAX_SCALE || !fits(a->coef)) {
		if (n > 0)
			buf[0] = '\0';
		return -1;
	}
	do {
		digs[nd++] = (char)('0' + (int)(m % 10));
		m /= 10;
	} while (m != 0);
	while (nd < sc + 1)
		digs[nd++] = '0';
	if (a->coef < 0)
		tmp[o++] = '-';
	for (j = nd - 1; j >= 0; j--) {
		tmp[o++] = digs[j];
		if (j == sc && sc > 0)
			tmp[o++] = '.';
	}
	tmp[o] = '\0';
	if ((size_t)o + 1 > n) {
		if (n > 0)
			buf[0] = '\0';
		return -1;
	}
	memcpy(buf, tmp, (size_t)o + 1);
	return o;
}

/* ---- multiples on the numbers' text ---------------------------------------- */

/* A JSON number as sign * digits * 10^exp, the digits without leading or
 * trailing zeros (zeros of the integer part's end move into exp). */
struct numtext {
	int neg, zero;
	const char *ip, *fp; /* integer and fraction digits */
	size_t in, fn;
	long long exp;    /* of the last significant digit */
	size_t lead, sig; /* significant digits: skip lead of the
	                              concatenation ip fp, take sig */
};

static int
numtext_parse(const char *s, size_t n, struct numtext *t)
{
	size_t i = 0, k, total;
	long long e = 0;
	int eneg = 0;

	memset(t, 0, sizeof(*t));
	if (i < n && s[i] == '-')
		t->neg = 1, i++;
	t->ip = s + i;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	t->in = (size_t)(s + i - t->ip);
	if (t->in == 0)
		return -1;
	if (i < n && s[i] == '.') {
		t->fp = s + ++i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		t->fn = (size_t)(s + i - t->fp);
		if (t->fn == 0)
			return -1;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			eneg = s[i++] == '-';
		if (i >= n)
			return -1;
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
			if (e > 1000000000000000LL)
				return -1; /* past +-10^15 */
			e = e * 10 + (s[i] - '0');
		}
	}
	if (i != n)
		return -1;
	total = t->in + t->fn;
	/* digit k of the concatenation */
#define DIGIT(t, k) ((k) < (t)->in ? (t)->ip[k] : (t)->fp[(k) - (t)->in])
	for (k = 0; k < total && DIGIT(t, k) == '0'; k++)
		;
	if (k == total) {
		t->zero = 1;
		return 0;
	}
	t->lead = k;
	for (k = total; DIGIT(t, k - 1) == '0'; k--)
		;
	t->sig = k - t->lead;
	/* the last significant digit k-1 is worth 10^(in - k) */
	t->exp = (eneg ? -e : e) + (long long)t->in - (long long)k;
	return 0;
}

/* The significant digits of t modulo m (m < 2^63). */
static uint64_t
numtext_mod(const struct numtext *t, uint64_t m)
{
	unsigned __int128 r = 0;

	for (size_t k = t->lead; k < t->lead + t->sig; k++)
		r = (r * 10 + (unsigned)(DIGIT(t, k) - '0')) % m;
	return (uint64_t)r;
}

int
dec_text_sign(const char *s, size_t n)
{
	struct numtext t;

	if (numtext_parse(s, n, &t) < 0 || t.zero)
		return 0;
	return t.neg ? -1 : 1;
}

int
dec_text_is_multiple(const char *a, size_t an, const char *b, size_t bn)
{
	struct numtext x, y;
	uint64_t bv = 0, rest, m;
	long long k;
	int p = 0, q = 0;

	if (numtext_parse(a, an, &x) < 0 || numtext_parse(b, bn, &y) < 0 || y.zero || y.sig > 19)
		return -1;
	if (x.zero)
		return 1;
	/* a = X 10^xe, b = Y 10^ye, X and Y without trailing zeros: a/b is an
	 * integer iff Y divides X 10^(xe-ye); with xe < ye never (X is not a
	 * multiple of 10) */
	k = x.exp - y.exp;
	if (k < 0)
		return 0;
	for (size_t i = y.lead; i < y.lead + y.sig; i++)
		bv = bv * 10 + (uint64_t)(DIGIT(&y, i) - '0');
	for (rest = bv; rest % 2 == 0; rest /= 2)
		p++;
	for (; rest % 5 == 0; rest /= 5)
		q++;
	/* Y = 2^p 5^q rest, rest prime to 10: rest must divide X, and the
	 * powers of 2 and 5 that 10^k does not give, X */
	if (rest > 1 && numtext_mod(&x, rest) != 0)
		return 0;
	if (k < p) {
		m = 1ull << (p - k);
		if (numtext_mod(&x, m) != 0)
			return 0;
	}
	if (k < q) {
		m = 1;
		for (long long i = 0; i < q - k; i++)
			m *= 5;
		if (numtext_mod(&x, m) != 0)
			return 0;
	}
	return 1;
}
#undef DIGIT
