/*
 * dec.h - exact decimal numbers for money and multipleOf (layer 1: base).
 *
 * Ownership: struct dec is a plain value (no heap parts, nothing to free);
 * every function takes its operands by const pointer and writes its result
 * through out, which may alias an operand.  On failure (-1) *out is left
 * unchanged.  Nothing here allocates, prints or exits.
 *
 * Value = coef * 10^-scale, scale 0..38, |coef| <= DEC_COEF_MAX (38 digits).
 *
 * Normalisation: none implicit.  dec_parse keeps the scale as typed ("1.50"
 * is coef 150, scale 2; "1E+3" is coef 1000, scale 0; "1e-7" is coef 1,
 * scale 7), so dec_format gives back what was typed, without exponent.
 * add/sub return the larger operand scale, mul the sum of the scales; when a
 * result would not fit (scale > 38 or coef too large) trailing zeros are
 * stripped first, and -1 is returned only when the exact value cannot be
 * represented.  dec_normalize strips trailing zeros explicitly.  dec_cmp and
 * dec_is_multiple are scale-independent (1.50 == 1.5).  Zero is never
 * negative.  No operation ever rounds silently: only dec_round and dec_div
 * round, in the mode asked for.
 */
#ifndef ERPIPE_DEC_H
#define ERPIPE_DEC_H

#include <stddef.h>

__extension__ typedef __int128 dec_int;

struct dec {
	dec_int coef;
	int scale;
};

#define DEC_MAX_SCALE 38
/* 10^38 - 1, the largest coefficient */
#define DEC_COEF_MAX ((dec_int)10000000000000000000ULL * (dec_int)10000000000000000000ULL - 1)
/* room dec_format needs for any value: sign, "0.", 38 digits, NUL */
#define DEC_STRLEN 48

enum dec_round {
	DEC_HALF_EVEN, /* ties to even (banker's) */
	DEC_HALF_UP,   /* ties away from zero (commercial) */
	DEC_DOWN,      /* towards zero (truncate) */
	DEC_UP,        /* away from zero */
	DEC_FLOOR,     /* towards -infinity */
	DEC_CEIL,      /* towards +infinity */
};

/* JSON number text (RFC 8259 grammar: -?int[.frac][e[+-]exp]), exactly n
 * bytes, no surrounding space.  -1 when not a number or not representable
 * (more than 38 significant digits, or a scale beyond 38 after dropping
 * trailing zeros: 1e308 and 1e-50 are errors, 0e999 is 0). */
int dec_parse(const char *s, size_t n, struct dec *out);
/* NUL-terminated convenience form of dec_parse */
int dec_parse_str(const char *s, struct dec *out);
/* Via the shortest %g text that round-trips (0.1 -> "0.1", 19.99 ->
 * "19.99"), so a double read from JSON text of <= 17 significant digits
 * gives back the typed value.  -1 for NaN, infinities and out of range. */
int dec_from_double(double d, struct dec *out);
/* Exact conversion of an integer, scale 0. */
void dec_from_ll(long long v, struct dec *out);
/* Nearest double (correctly rounded, via the text). */
double dec_to_double(const struct dec *a);

int dec_add(const struct dec *a, const struct dec *b, struct dec *out); /* -1 on overflow */
int dec_sub(const struct dec *a, const struct dec *b, struct dec *out);
int dec_mul(const struct dec *a, const struct dec *b, struct dec *out);
/* a / b rounded to places (0..38) decimal places; -1 on b == 0 or overflow */
int dec_div(const struct dec *a, const struct dec *b, int places, enum dec_round m,
            struct dec *out);
/* Round (or extend with zeros) to exactly places (0..38) decimal places. */
int dec_round(const struct dec *a, int places, enum dec_round m, struct dec *out);
/* Strip trailing zeros from the fraction (1.500 -> 1.5, 0.00 -> 0). */
void dec_normalize(const struct dec *a, struct dec *out);
/* <0, 0, >0 as a <, ==, > b, whatever the scales. */
int dec_cmp(const struct dec *a, const struct dec *b);
int dec_sign(const struct dec *a);
/* 1 if a is an integer multiple of b, 0 if not, -1 if b is zero. */
int dec_is_multiple(const struct dec *a, const struct dec *b);
/* The same, exactly, on two JSON numbers' texts of any length and
 * exponent ("1e-400", "1" and 5,000 zeros): 1 if a is an integer multiple
 * of b, 0 if not, -1 when it cannot say (b is zero, not a JSON number, has
 * more than 19 significant digits, or an exponent past +-10^15). */
int dec_text_is_multiple(const char *a, size_t an, const char *b, size_t bn);
/* The sign of a JSON number's text: -1, 0 or 1 (0 also for bad text). */
int dec_text_sign(const char *s, size_t n);
/* Plain text, no exponent, the scale as stored ("-0.50", "1000");
 * NUL-terminated; returns the length written (like snprintf, without the
 * NUL), or -1 if n is too small (buf then holds ""). */
int dec_format(const struct dec *a, char *buf, size_t n);

#endif
