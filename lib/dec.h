/*
 * dec.h - exact decimal numbers for money (layer 1: base).
 *
 * Ownership: struct dec is a plain value; nothing to free.  Every function
 * returns -1 on overflow or bad input and leaves *out unspecified then.
 * value = coef * 10^-scale, scale 0..38, |coef| < 10^38.
 */
#ifndef ERPIPE_DEC_H
#define ERPIPE_DEC_H

#include <stddef.h>

struct dec {
	__int128 coef;
	int scale;
};

enum dec_round { DEC_HALF_EVEN, DEC_HALF_UP, DEC_DOWN, DEC_UP, DEC_FLOOR, DEC_CEIL };

/* JSON number text including an exponent; -1 bad or overflow. */
int dec_parse(const char *s, size_t n, struct dec *out);
/* Via the shortest text that round-trips (0.1 -> "0.1"); -1 if not finite. */
int dec_from_double(double d, struct dec *out);
double dec_to_double(const struct dec *a);
int dec_add(const struct dec *a, const struct dec *b, struct dec *out);
int dec_sub(const struct dec *a, const struct dec *b, struct dec *out);
int dec_mul(const struct dec *a, const struct dec *b, struct dec *out);
/* a / b rounded to places decimals with mode m; -1 on b == 0 or overflow. */
int dec_div(const struct dec *a, const struct dec *b, int places, enum dec_round m,
	struct dec *out);
/* Round to places decimals; a value with fewer decimals is returned as is. */
int dec_round(const struct dec *a, int places, enum dec_round m, struct dec *out);
int dec_cmp(const struct dec *a, const struct dec *b);
/* 1 if a is an integer multiple of b, 0 if not, -1 error (b == 0, overflow). */
int dec_is_multiple(const struct dec *a, const struct dec *b);
/* Plain text, no exponent, scale digits after the point; -1 if n too small. */
int dec_format(const struct dec *a, char *buf, size_t n);

#endif
