/* dec.c - exact decimal arithmetic on a 128-bit coefficient. */
#include "dec.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEC_MAXSCALE 38

static __int128
pow10i(int n)
{
	__int128 p = 1;

	while (n-- > 0)
		p *= 10;
	return p;
}

static __int128
dec_limit(void)
{
	static __int128 lim;

	if (lim == 0)
		lim = pow10i(38);
	return lim;
}

static int
fits(__int128 c)
{
	return c < dec_limit() && c > -dec_limit();
}

/* c * 10^n with overflow check. */
static int
scale_up(__int128 c, int n, __int128 *out)
{
	while (n-- > 0) {
		if (__builtin_mul_overflow(c, (__int128)10, &c) || !fits(c))
			return -1;
	}
	*out = c;
	return 0;
}

/* Drop trailing zeros of the fraction (keeps the value). */
static void
dec_trim(struct dec *a)
{
	while (a->scale > 0 && a->coef % 10 == 0) {
		a->coef /= 10;
		a->scale--;
	}
}

int
dec_parse(const char *s, size_t n, struct dec *out)
{
	const char *p = s, *e = s + n;
	int neg = 0, digits = 0, frac = 0, any = 0;
	long exp = 0;
	__int128 c = 0;

	if (p < e && (*p == '-' || *p == '+'))
		neg = *p++ == '-';
	for (; p < e && *p >= '0' && *p <= '9'; p++) {
		any = 1;
		if (c == 0 && *p == '0')
			continue;
		if (++digits > 38)
			return -1;
		c = c * 10 + (*p - '0');
	}
	if (p < e && *p == '.') {
		p++;
		for (; p < e && *p >= '0' && *p <= '9'; p++) {
			any = 1;
			frac++;
			if (c != 0 || *p != '0')
				digits++;
			if (digits > 38)
				return -1;
			c = c * 10 + (*p - '0');
		}
	}
	if (!any)
		return -1;
	if (p < e && (*p == 'e' || *p == 'E')) {
		int eneg = 0, ed = 0;

		p++;
		if (p < e && (*p == '-' || *p == '+'))
			eneg = *p++ == '-';
		for (; p < e && *p >= '0' && *p <= '9'; p++, ed++)
			if (exp < 100000)
				exp = exp * 10 + (*p - '0');
		if (ed == 0)
			return -1;
		if (eneg)
			exp = -exp;
	}
	if (p != e)
		return -1;
	{
		long sc = frac - exp;

		if (sc < 0) {
			if (c != 0 && scale_up(c, (int)-sc, &c) < 0)
				return -1;
			sc = 0;
		}
		while (sc > DEC_MAXSCALE && c % 10 == 0 && c != 0) {
			c /= 10;
			sc--;
		}
		if (c == 0 && sc > DEC_MAXSCALE)
			sc = DEC_MAXSCALE;
		if (sc > DEC_MAXSCALE)
			return -1;
		out->coef = neg ? -c : c;
		out->scale = (int)sc;
	}
	return 0;
}

int
dec_from_double(double d, struct dec *out)
{
	char buf[64];
	int prec;

	if (!isfinite(d))
		return -1;
	for (prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	return dec_parse(buf, strlen(buf), out);
}

double
dec_to_double(const struct dec *a)
{
	char buf[64];

	if (dec_format(a, buf, sizeof buf) < 0)
		return 0;
	return strtod(buf, NULL);
}

/* Bring a and b to the same scale. */
static int
align(const struct dec *a, const struct dec *b, __int128 *ca, __int128 *cb, int *scale)
{
	struct dec x = *a, y = *b;

	if (x.scale != y.scale) {
		struct dec *lo = x.scale < y.scale ? &x : &y, *hi = lo == &x ? &y : &x;
		__int128 c;

		if (scale_up(lo->coef, hi->scale - lo->scale, &c) < 0) {
			dec_trim(hi);
			if (hi->scale < lo->scale)
				return align(&x, &y, ca, cb, scale);
			if (scale_up(lo->coef, hi->scale - lo->scale, &c) < 0)
				return -1;
		}
		lo->coef = c;
		lo->scale = hi->scale;
	}
	*ca = x.coef;
	*cb = y.coef;
	*scale = x.scale;
	return 0;
}

int
dec_add(const struct dec *a, const struct dec *b, struct dec *out)
{
	__int128 x, y, r;
	int sc;

	if (align(a, b, &x, &y, &sc) < 0 || __builtin_add_overflow(x, y, &r) || !fits(r))
		return -1;
	out->coef = r;
	out->scale = sc;
	return 0;
}

int
dec_sub(const struct dec *a, const struct dec *b, struct dec *out)
{
	struct dec nb = *b;

	nb.coef = -nb.coef;
	return dec_add(a, &nb, out);
}

int
dec_mul(const struct dec *a, const struct dec *b, struct dec *out)
{
	struct dec x = *a, y = *b;
	__int128 r;
	int sc;

	if (__builtin_mul_overflow(x.coef, y.coef, &r) || !fits(r)) {
		dec_trim(&x);
		dec_trim(&y);
		if (__builtin_mul_overflow(x.coef, y.coef, &r) || !fits(r))
			return -1;
	}
	sc = x.scale + y.scale;
	if (sc > DEC_MAXSCALE) {
		struct dec t = { r, sc };

		while (t.scale > DEC_MAXSCALE && t.coef % 10 == 0) {
			t.coef /= 10;
			t.scale--;
		}
		if (t.scale > DEC_MAXSCALE) {
			/* exact part lost: round the excess away, half even */
			__int128 p = pow10i(t.scale - DEC_MAXSCALE);
			struct dec q = { p, 0 };
			struct dec tt = { t.coef, 0 };

			if (dec_div(&tt, &q, 0, DEC_HALF_EVEN, &tt) < 0)
				return -1;
			t.coef = tt.coef;
			t.scale = DEC_MAXSCALE;
		}
		*out = t;
		return 0;
	}
	out->coef = r;
	out->scale = sc;
	return 0;
}

/* q = num / den rounded with mode m; den != 0. */
static __int128
divround(__int128 num, __int128 den, enum dec_round m)
{
	int neg = (num < 0) != (den < 0);
	__int128 an = num < 0 ? -num : num, ad = den < 0 ? -den : den;
	__int128 q = an / ad, r = an % ad;
	int up = 0;

	if (r != 0) {
		switch (m) {
		case DEC_HALF_EVEN:
			up = r > ad - r || (r == ad - r && (q & 1));
			break;
		case DEC_HALF_UP:
			up = r >= ad - r;
			break;
		case DEC_DOWN:
			break;
		case DEC_UP:
			up = 1;
			break;
		case DEC_FLOOR:
			up = neg;
			break;
		case DEC_CEIL:
			up = !neg;
			break;
		}
	}
	q += up;
	return neg ? -q : q;
}

int
dec_div(const struct dec *a, const struct dec *b, int places, enum dec_round m,
	struct dec *out)
{
	struct dec x = *a, y = *b;
	__int128 num, den;
	int e;

	if (places < 0 || places > DEC_MAXSCALE || y.coef == 0)
		return -1;
	dec_trim(&x);
	dec_trim(&y);
	e = places + y.scale - x.scale;
	num = x.coef;
	den = y.coef;
	if (e >= 0) {
		if (scale_up(num, e, &num) < 0)
			return -1;
	} else if (scale_up(den, -e, &den) < 0) {
		/* divisor overflows: the quotient rounds to 0 or one unit */
		den = 0;
	}
	if (den == 0) {
		int neg = (num < 0) != (y.coef < 0);
		int up = num != 0 && (m == DEC_UP || (m == DEC_FLOOR && neg) ||
			(m == DEC_CEIL && !neg));

		out->coef = up ? (neg ? -1 : 1) : 0;
		out->scale = places;
		return 0;
	}
	out->coef = divround(num, den, m);
	out->scale = places;
	return fits(out->coef) ? 0 : -1;
}

int
dec_round(const struct dec *a, int places, enum dec_round m, struct dec *out)
{
	if (places < 0)
		return -1;
	if (a->scale <= places) {
		*out = *a;
		return 0;
	}
	out->coef = divround(a->coef, pow10i(a->scale - places), m);
	out->scale = places;
	return 0;
}

int
dec_cmp(const struct dec *a, const struct dec *b)
{
	__int128 x, y;
	int sc;

	if (align(a, b, &x, &y, &sc) < 0) {
		/* the side that overflowed when scaled up is the larger magnitude */
		struct dec t = *a, u = *b;

		dec_trim(&t);
		dec_trim(&u);
		if (t.scale < u.scale)
			return t.coef < 0 ? -1 : 1;
		return u.coef < 0 ? 1 : -1;
	}
	return x < y ? -1 : x > y;
}

int
dec_is_multiple(const struct dec *a, const struct dec *b)
{
	__int128 x, y;
	int sc;

	if (b->coef == 0 || align(a, b, &x, &y, &sc) < 0)
		return -1;
	return x % y == 0;
}

int
dec_format(const struct dec *a, char *buf, size_t n)
{
	char tmp[48];
	int i = 0, len, sc = a->scale;
	__int128 c = a->coef;
	int neg = c < 0;
	size_t need, k = 0;

	if (neg)
		c = -c;
	do {
		tmp[i++] = (char)('0' + (int)(c % 10));
		c /= 10;
	} while (c != 0);
	while (i <= sc)
		tmp[i++] = '0';
	len = i;
	need = (size_t)len + (sc > 0) + neg + 1;
	if (need > n)
		return -1;
	if (neg)
		buf[k++] = '-';
	for (i = len - 1; i >= 0; i--) {
		buf[k++] = tmp[i];
		if (i == sc && sc > 0)
			buf[k++] = '.';
	}
	buf[k] = '\0';
	return (int)k;
}
