#include "tap.h"
#include "base/dec.h"

#include <math.h>
#include <stdlib.h>

static struct dec
D(const char *s) {
	struct dec d = { 0, 0 };

	if (dec_parse_str(s, &d) < 0)
		printf("# cannot parse '%s'\n", s);
	return d;
}

static const struct dec *
DP(const char *s)
{
	static struct dec ds[8];
	static int i;
	struct dec *d = &ds[i++ % 8];

	*d = D(s);
	return d;
}

static const char *
F(const struct dec *d)
{
	static char bufs[8][DEC_STRLEN];
	static int i;
	char *b = bufs[i++ % 8];

	if (dec_format(d, b, DEC_STRLEN) < 0)
		return "(format error)";
	return b;
}

static void
parse_is(const char *in, const char *want)
{
	struct dec d;
	char name[128];

	snprintf(name, sizeof(name), "parse '%s' -> '%s'", in, want ? want : "error");
	if (want == NULL) {
		ok(dec_parse_str(in, &d) == -1, name);
		return;
	}
	if (dec_parse_str(in, &d) < 0) {
		ok(0, name);
		return;
	}
	is_str(F(&d), want, name);
}

static void
round_is(const char *in, int places, enum dec_round m, const char *want)
{
	struct dec a = D(in), r;
	static const char *mn[] = { "half_even", "half_up", "down", "up", "floor", "ceil" };
	char name[128];

	snprintf(name, sizeof(name), "round %s %d %s -> %s", in, places, mn[m], want);
	if (dec_round(&a, places, m, &r) < 0) {
		ok(0, name);
		return;
	}
	is_str(F(&r), want, name);
}

static void
div_is(const char *x, const char *y, int places, enum dec_round m, const char *want)
{
	struct dec a = D(x), b = D(y), r;
	char name[128];

	snprintf(name, sizeof(name), "%s / %s (%d places, mode %d) -> %s", x, y, places, m,
	         want ? want : "error");
	if (want == NULL) {
		ok(dec_div(&a, &b, places, m, &r) == -1, name);
		return;
	}
	if (dec_div(&a, &b, places, m, &r) < 0) {
		ok(0, name);
		return;
	}
	is_str(F(&r), want, name);
}

static void
fromd_is(double v, const char *want)
{
	struct dec d;
	char name[128];

	snprintf(name, sizeof(name), "from_double %.17g -> %s", v, want ? want : "error");
	if (want == NULL) {
		ok(dec_from_double(v, &d) == -1, name);
		return;
	}
	if (dec_from_double(v, &d) < 0) {
		ok(0, name);
		return;
	}
	is_str(F(&d), want, name);
}

static void
mult_is(const char *x, const char *y, int want)
{
	struct dec a = D(x), b = D(y);
	char name[128];

	snprintf(name, sizeof(name), "%s multiple of %s: %d", x, y, want);
	is_int(dec_is_multiple(&a, &b), want, name);
}

int
main(void)
{
	struct dec a, b, r, m;
	char small[4];

	/* parsing */
	parse_is("0", "0");
	parse_is("-0", "0");
	parse_is("0.00", "0.00");
	parse_is("1.50", "1.50");
	parse_is("-19.99", "-19.99");
	parse_is("1e-7", "0.0000001");
	parse_is("1E+3", "1000");
	parse_is("1.5e3", "1500");
	parse_is("12.5E-1", "1.25");
	parse_is("1.0e2", "100");
	parse_is("0e999999999", "0");
	parse_is("99999999999999999999999999999999999999",
	         "99999999999999999999999999999999999999");
	parse_is("100000000000000000000000000000000000000", NULL);
	parse_is("1e308", NULL);
	parse_is("1e-39", NULL);
	parse_is("1e-38", "0.00000000000000000000000000000000000001");
	parse_is("1.000000000000000000000000000000000000000000000",
	         "1.0000000000000000000000000000000000000");
	parse_is("1e37", "10000000000000000000000000000000000000");
	parse_is("", NULL);
	parse_is("-", NULL);
	parse_is("+1", NULL);
	parse_is("01", NULL);
	parse_is("1.", NULL);
	parse_is(".5", NULL);
	parse_is("1e", NULL);
	parse_is("1e+", NULL);
	parse_is("1x", NULL);
	parse_is(" 1", NULL);
	parse_is("NaN", NULL);
	ok(dec_parse("12345", 3, &a) == 0 && strcmp(F(&a), "123") == 0, "parse honours n");

	/* exactness */
	a = D("0.1");
	b = D("0.2");
	ok(dec_add(&a, &b, &r) == 0, "0.1 + 0.2");
	ok(dec_cmp(&r, &(struct dec){ 3, 1 }) == 0, "0.1 + 0.2 == 0.3 exactly");
	is_str(F(&r), "0.3", "0.1 + 0.2 formats as 0.3");
	ok(dec_from_double(0.1, &a) == 0 && dec_from_double(0.2, &b) == 0 &&
	           dec_add(&a, &b, &r) == 0 && dec_cmp(&r, &(struct dec){ 3, 1 }) == 0,
	   "doubles 0.1 + 0.2 == 0.3 via dec_from_double");
	a = D("1.10");
	b = D("2.205");
	dec_add(&a, &b, &r);
	is_str(F(&r), "3.305", "add aligns scales");
	dec_sub(&a, &b, &r);
	is_str(F(&r), "-1.105", "sub goes negative");
	dec_mul(&a, &b, &r);
	is_str(F(&r), "2.42550", "mul adds scales");
	a = D("-3");
	dec_mul(&a, &b, &r);
	is_str(F(&r), "-6.615", "mul sign");

	/* overflow */
	a = D("99999999999999999999999999999999999999");
	b = D("1");
	ok(dec_add(&a, &b, &r) == -1, "add overflow detected");
	ok(dec_sub(&(struct dec){ -a.coef, 0 }, &b, &r) == -1, "sub overflow detected");
	ok(dec_mul(&a, &(struct dec){ 2, 0 }, &r) == -1, "mul overflow detected");
	ok(dec_mul(&a, &a, &r) == -1, "mul of huge values overflows");
	a = D("0.00000000000000000001");
	ok(dec_mul(&a, &a, &r) == -1, "mul beyond scale 38 is an error");
	a = D("0.000000000000000000100");
	ok(dec_mul(&a, &a, &r) == 0 &&
	           strcmp(F(&r), "0.00000000000000000000000000000000000001") == 0,
	   "mul strips zeros to fit");
	r = D("7");
	a = D("99999999999999999999999999999999999999");
	ok(dec_add(&a, &b, &r) == -1 && r.coef == 7, "failed op leaves out unchanged");
	a = D("0.5");
	b = D("0.00000000000000000000000000000000000001");
	ok(dec_add(&a, &b, &r) == 0 &&
	           strcmp(F(&r), "0.50000000000000000000000000000000000001") == 0,
	   "add at scale 38");
	a = D("1.5");
	ok(dec_add(&a, &b, &r) == -1, "1.5 + 1e-38 needs 39 digits");
	a = D("10");
	b = D("0.00000000000000000000000000000000000001");
	ok(dec_add(&a, &b, &r) == -1, "add needing 40 digits overflows");

	/* compare */
	ok(dec_cmp(&(struct dec){ 150, 2 }, &(struct dec){ 15, 1 }) == 0, "1.50 == 1.5");
	ok(dec_cmp(&(struct dec){ -1, 0 }, &(struct dec){ 0, 0 }) < 0, "-1 < 0");
	ok(dec_cmp(&(struct dec){ -2, 0 }, &(struct dec){ -1, 0 }) < 0, "-2 < -1");
	ok(dec_cmp(&(struct dec){ 0, 5 }, &(struct dec){ 0, 0 }) == 0, "0.00000 == 0");
	a = D("99999999999999999999999999999999999999");
	b = D("0.00000000000000000000000000000000000001");
	ok(dec_cmp(&a, &b) > 0 && dec_cmp(&b, &a) < 0, "compare across unalignable scales");
	a.coef = -a.coef;
	ok(dec_cmp(&a, &(struct dec){ -b.coef, b.scale }) < 0, "compare negatives across scales");
	ok(dec_cmp(DP("2.5"), DP("2.5000000000000000000000000000000000001")) < 0, "close values");

	/* rounding modes, ties and negatives */
	round_is("2.5", 0, DEC_HALF_EVEN, "2");
	round_is("3.5", 0, DEC_HALF_EVEN, "4");
	round_is("-2.5", 0, DEC_HALF_EVEN, "-2");
	round_is("-3.5", 0, DEC_HALF_EVEN, "-4");
	round_is("2.51", 0, DEC_HALF_EVEN, "3");
	round_is("2.5", 0, DEC_HALF_UP, "3");
	round_is("-2.5", 0, DEC_HALF_UP, "-3");
	round_is("-2.4", 0, DEC_HALF_UP, "-2");
	round_is("2.9", 0, DEC_DOWN, "2");
	round_is("-2.9", 0, DEC_DOWN, "-2");
	round_is("2.1", 0, DEC_UP, "3");
	round_is("-2.1", 0, DEC_UP, "-3");
	round_is("2.1", 0, DEC_FLOOR, "2");
	round_is("-2.1", 0, DEC_FLOOR, "-3");
	round_is("2.1", 0, DEC_CEIL, "3");
	round_is("-2.1", 0, DEC_CEIL, "-2");
	round_is("-0.4", 0, DEC_HALF_UP, "0");
	round_is("-0.4", 0, DEC_CEIL, "0");
	round_is("1.005", 2, DEC_HALF_UP, "1.01");
	round_is("1.005", 2, DEC_HALF_EVEN, "1.00");
	round_is("1.015", 2, DEC_HALF_EVEN, "1.02");
	round_is("-1.005", 2, DEC_HALF_UP, "-1.01");
	round_is("1.2", 3, DEC_HALF_EVEN, "1.200");
	round_is("123.456", 1, DEC_FLOOR, "123.4");
	round_is("0.00000000000000000000000000000000000005", 37, DEC_HALF_EVEN,
	         "0.0000000000000000000000000000000000000");
	round_is("0.00000000000000000000000000000000000015", 37, DEC_HALF_EVEN,
	         "0.0000000000000000000000000000000000002");
	round_is("99.5", 0, DEC_HALF_UP, "100");
	a = D("99999999999999999999999999999999999999");
	ok(dec_round(&a, 1, DEC_HALF_EVEN, &r) == -1, "extending scale past 38 digits fails");
	a = D("9999999999999999999999999999999999999.9");
	ok(dec_round(&a, 0, DEC_HALF_UP, &r) == 0 &&
	           strcmp(F(&r), "10000000000000000000000000000000000000") == 0,
	   "rounding up to 38 digits carries");
	ok(dec_round(&a, 39, DEC_HALF_UP, &r) == -1, "places > 38 refused");
	ok(dec_round(&a, -1, DEC_HALF_UP, &r) == -1, "negative places refused");

	/* division */
	div_is("1", "3", 4, DEC_HALF_EVEN, "0.3333");
	div_is("2", "3", 4, DEC_HALF_EVEN, "0.6667");
	div_is("2", "3", 4, DEC_DOWN, "0.6666");
	div_is("-2", "3", 4, DEC_FLOOR, "-0.6667");
	div_is("-2", "3", 4, DEC_CEIL, "-0.6666");
	div_is("1", "8", 2, DEC_HALF_EVEN, "0.12");
	div_is("3", "8", 2, DEC_HALF_EVEN, "0.38");
	div_is("1", "8", 2, DEC_HALF_UP, "0.13");
	div_is("-1", "8", 2, DEC_HALF_UP, "-0.13");
	div_is("1", "-8", 2, DEC_HALF_EVEN, "-0.12");
	div_is("10.00", "4", 2, DEC_HALF_EVEN, "2.50");
	div_is("100", "0.25", 0, DEC_HALF_EVEN, "400");
	div_is("1", "0", 2, DEC_HALF_EVEN, NULL);
	div_is("0.000125", "1", 3, DEC_HALF_EVEN, "0.000");
	div_is("0.0001251", "1", 3, DEC_HALF_UP, "0.000");
	div_is("0.0005", "1", 3, DEC_HALF_EVEN, "0.000");
	div_is("0.0005000001", "1", 3, DEC_HALF_EVEN, "0.001");
	div_is("0.0015", "1", 3, DEC_HALF_EVEN, "0.002");
	div_is("1", "3", 38, DEC_HALF_EVEN, "0.33333333333333333333333333333333333333");
	div_is("0.00000000000000000000000000000000000001", "3", 0, DEC_UP, "1");
	div_is("0.00000000000000000000000000000000000001",
	       "0.00000000000000000000000000000000000003", 2, DEC_HALF_EVEN, "0.33");

	/* doubles */
	fromd_is(0.1, "0.1");
	fromd_is(19.99, "19.99");
	fromd_is(-0.0, "0");
	fromd_is(1e-7, "0.0000001");
	fromd_is(1e3, "1000");
	fromd_is(123456789.12345678, "123456789.12345678");
	fromd_is(1e308, NULL);
	fromd_is(INFINITY, NULL);
	fromd_is(NAN, NULL);
	fromd_is(1e-300, NULL);
	ok(dec_to_double(DP("0.1")) == 0.1, "to_double 0.1");
	ok(dec_to_double(DP("-19.99")) == -19.99, "to_double -19.99");
	ok(dec_to_double(DP("1e30")) == 1e30, "to_double 1e30");

	/* multipleOf */
	mult_is("19.99", "0.01", 1);
	mult_is("19.995", "0.01", 0);
	mult_is("0.3", "0.1", 1);
	mult_is("-4.5", "1.5", 1);
	mult_is("4.5", "-1.5", 1);
	mult_is("7", "2", 0);
	mult_is("0", "0.0001", 1);
	mult_is("1", "0", -1);
	mult_is("10", "0.00000000000000000000000000000000000003", 0);
	mult_is("99999999999999999999999999999999999999",
	        "0.00000000000000000000000000000000000001", 1);
	mult_is("12", "0.00000000000000000000000000000000000003", 1);
	mult_is("0.0075", "0.0001", 1);
	mult_is("0.00751", "0.0001", 0);
	mult_is("1000", "100", 1);
	mult_is("1050", "100", 0);
	ok(dec_from_double(19.99, &a) == 0 && dec_parse_str("0.01", &m) == 0 &&
	           dec_is_multiple(&a, &m) == 1,
	   "19.99 (double) multipleOf 0.01");

	/* normalise and format */
	dec_normalize(DP("1.500"), &r);
	is_str(F(&r), "1.5", "normalize 1.500");
	dec_normalize(DP("0.000"), &r);
	ok(r.coef == 0 && r.scale == 0, "normalize 0.000 -> 0");
	dec_normalize(DP("100"), &r);
	is_str(F(&r), "100", "normalize keeps integer zeros");
	ok(dec_format(DP("123.45"), small, sizeof(small)) == -1 && small[0] == '\0',
	   "format into a small buffer fails");
	ok(dec_format(DP("123"), small, sizeof(small)) == 3, "format exact fit returns the length");
	is_str(F(DP("-0.05")), "-0.05", "format -0.05");
	dec_from_ll(-42, &r);
	is_str(F(&r), "-42", "from_ll");
	ok(dec_sign(DP("-0.00")) == 0, "negative zero has sign 0");
	/* issue 15, defect 10: multipleOf exact on the numbers' text */
	{
		static char zeros[5003];
		struct {
			const char *a, *b;
			int want;
		} c[] = {
			{ "1.0000000000000000000000000000000000000001", "0.001", 0 },
			{ "1.0000000000000000000000000000000000000000", "0.001", 1 },
			{ "1e-400", "0.01", 0 },
			{ "3e-400", "1e-400", 1 },
			{ "3.5e-400", "1e-400", 0 },
			{ "0", "7", 1 },
			{ "-0.0e5", "0.3", 1 },
			{ "19.99", "0.01", 1 },
			{ "0.3", "0.1", 1 },
			{ "0.35", "0.1", 0 },
			{ "12", "8", 0 },
			{ "24", "8", 1 },
			{ "2.4e1", "8", 1 },
			{ "1.5", "0.5", 1 },
			{ "1.25", "0.5", 0 },
			{ "7e3", "875", 1 },
			{ "7e2", "875", 0 },
			{ "-21", "7", 1 },
			{ "21", "-7", 1 },
			{ "10", "20", 0 },
			{ "1e20", "1e19", 1 },
			{ "1e19", "1e20", 0 },
			{ "123456789012345678901234567890", "9999999999999999999", 0 },
			{ "99999999999999999980000000000000000001", "9999999999999999999", 1 },
			{ "5", "0", -1 },
			{ "5", "12345678901234567891", -1 },
			{ "5", "12345678901234567890", 0 },
			{ "5", "1e99999999999999999999", -1 },
			{ "x", "1", -1 },
		};
		for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
			char name[160];
			snprintf(name, sizeof(name), "text: %.60s multipleOf %s", c[i].a, c[i].b);
			is_int(dec_text_is_multiple(c[i].a, strlen(c[i].a), c[i].b, strlen(c[i].b)),
			       c[i].want, name);
		}
		zeros[0] = '1';
		memset(zeros + 1, '0', 5000);
		is_int(dec_text_is_multiple(zeros, 5001, "0.001", 5), 1,
		       "1 and 5,000 zeros is a multiple of 0.001");
		is_int(dec_text_is_multiple(zeros, 5001, "3", 1), 0, "...not of 3");
		is_int(dec_text_sign("1e-400", 6), 1, "1e-400 is positive");
		is_int(dec_text_sign("-0.0", 4), 0, "-0.0 is zero");
	}
	return done_testing();
}
