/* t-diff: the record diff engine's parts: option values, keys (encoding,
 * equality, order), compact records, value comparison. */
#include "tap.h"
#include "engine/diff/diff_int.h"

#include <stdlib.h>

static struct diff *
mk(const char *keys, const char *fields, int strict)
{
	static struct diff_spec spec;
	struct ep_err err = EP_ERR_INIT;
	struct diff *d;

	memset(&spec, 0, sizeof spec);
	diff_parse_pairs(keys, "--key", &spec.keys, &spec.nkeys, &err);
	if (fields)
		diff_parse_pairs(fields, "--fields", &spec.fields, &spec.nfields, &err);
	spec.strict = strict;
	d = diff_new(&spec, &err);
	if (d == NULL)
		diag("diff_new: %s", err.msg);
	return d;
}

static void
rm(struct diff *d)
{
	struct diff_spec s = d->spec;

	diff_free(d);
	diff_pairs_free(s.keys, s.nkeys);
	diff_pairs_free(s.fields, s.nfields);
}

/* the encoded key of a one-line record, into b; the build result */
static int
key_of(struct diff *d, const char *line, struct buf *b, const char **why)
{
	struct buf rec = BUF_INIT;
	int r = diff_build(d, DIFF_LEFT, line, strlen(line), 1, &rec, why);

	buf_reset(b);
	if (r == 1)
		buf_add(b, DREC_KEY((struct drec *)rec.p), ((struct drec *)rec.p)->keylen);
	buf_release(&rec);
	return r;
}

static int
eq(struct diff *d, unsigned flags, const char *a, const char *b)
{
	struct dfield f = { { "v", "v" }, flags, { 0, 0 }, { 0, 0 } };
	struct diff_val x = { a, a ? strlen(a) : 0 }, y = { b, b ? strlen(b) : 0 };
	struct dec delta;
	int has;

	return diff_value_equal(d, &f, &x, &y, &delta, &has);
}

int
main(void)
{
	struct ep_err err = EP_ERR_INIT;
	struct diff_pair *p = NULL;
	struct diff_rule *rules = NULL;
	int n = 0, nr = 0;
	struct diff *d;
	struct buf a = BUF_INIT, b = BUF_INIT, j = BUF_INIT;
	const char *why = NULL;
	char t[DEC_STRLEN];

	/* ---- option values */
	ok(diff_parse_pairs("a,b=B,c", "--fields", &p, &n, &err) == 0 && n == 3, "three pairs");
	ok(n == 3 && strcmp(p[1].name[0], "b") == 0 && strcmp(p[1].name[1], "B") == 0 &&
	           p[0].name[0] == p[0].name[1],
	   "L=R and a bare name");
	diff_pairs_free(p, n);
	p = NULL;
	n = 0;
	static const char *badpairs[] = { "", "a,,b", "=x", "x=", "a=b=c", "a," };
	for (size_t i = 0; i < sizeof badpairs / sizeof *badpairs; i++) {
		ok(diff_parse_pairs(badpairs[i], "--key", &p, &n, &err) < 0 && err.code == EP_USAGE,
		   badpairs[i]);
		p = NULL;
		n = 0;
	}
	ok(diff_parse_tolerance("x=0.01,y=0.5%", &rules, &nr, &err) == 0 && nr == 2, "tolerances");
	dec_format(&rules[1].tol_rel, t, sizeof t);
	is_str(t, "0.005", "0.5% is exactly 0.005");
	ok(rules[0].flags == DIFF_TOL_ABS && rules[1].flags == DIFF_TOL_REL, "kinds");
	ok(diff_parse_tolerance("x", &rules, &nr, &err) < 0, "no value refused");
	ok(diff_parse_tolerance("x=1e", &rules, &nr, &err) < 0, "bad number refused");
	ok(diff_parse_tolerance("x=-0.1", &rules, &nr, &err) < 0, "negative refused");
	diff_rules_free(rules, nr);

	/* ---- keys */
	d = mk("k", NULL, 0);
	static const char *same[][2] = {
		{ "{\"k\":7}", "{\"k\":7.0}" },
		{ "{\"k\":7}", "{\"k\":70e-1}" },
		{ "{\"k\":-0}", "{\"k\":0}" },
		{ "{\"k\":\"A\"}", "{\"k\":\"\\u0041\"}" },
		{ "{\"k\":[1,{\"b\":2,\"a\":1}]}", "{\"k\":[1.0,{\"a\":1,\"b\":2}]}" },
		{ "{\"x\":1,\"k\":\"z\"}", "{\"k\":\"z\",\"x\":2}" },
		{ "{\"_key\":{\"k\":5},\"k\":6}", "{\"k\":5}" },
	};
	for (size_t i = 0; i < sizeof same / sizeof *same; i++) {
		key_of(d, same[i][0], &a, &why);
		key_of(d, same[i][1], &b, &why);
		ok(a.len == b.len && memcmp(a.p, b.p, a.len) == 0, same[i][1]);
	}
	key_of(d, "{\"k\":7}", &a, &why);
	key_of(d, "{\"k\":\"7\"}", &b, &why);
	ok(a.len != b.len || memcmp(a.p, b.p, a.len) != 0, "a number is not the string of it");
	static const char *order[] = {
		"{\"k\":true}",         "{\"k\":-10}",   "{\"k\":-1.5}",  "{\"k\":0}",
		"{\"k\":1.5}",          "{\"k\":9}",     "{\"k\":10}",    "{\"k\":1e20}",
		"{\"k\":\"10\"}",       "{\"k\":\"9\"}", "{\"k\":\"a\"}", "{\"k\":\"ab\"}",
		"{\"k\":\"\xc3\xa9\"}", "{\"k\":[1]}"
	};
	for (size_t i = 0; i + 1 < sizeof order / sizeof *order; i++) {
		key_of(d, order[i], &a, &why);
		key_of(d, order[i + 1], &b, &why);
		ok(diff_key_cmp((unsigned char *)a.p, a.len, (unsigned char *)b.p, b.len) < 0 &&
		           diff_key_cmp((unsigned char *)b.p, b.len, (unsigned char *)a.p, a.len) >
		                   0,
		   order[i + 1]);
	}
	key_of(d, "{\"k\":\"caf\\u00e9 \\\"x\\\"\"}", &a, &why);
	diff_key_json(d, &j, (unsigned char *)a.p, a.len, DIFF_LEFT);
	is_str(j.p, "\"café \\\"x\\\"\"", "a string key written back as JSON");
	is_int(key_of(d, "{\"k\":null}", &a, &why), -1, "a null key is no key");
	is_str(why, "no key field 'k'", "... and says which");
	is_int(key_of(d, "{\"k\":\"\"}", &a, &why), -1, "an empty string is no key");
	is_int(key_of(d, "{\"k\":false}", &a, &why), -1, "false is no key");
	is_int(key_of(d, "[1]", &a, &why), -1, "an array is not a record");
	is_str(why, "not a JSON object", "... and says so");
	is_int(key_of(d, "{\"k\":1,}", &a, &why), -1, "a trailing comma is bad JSON");
	is_str(why, "not JSON: expected a string key at byte 8", "... and says where");
	is_int(key_of(d, "{\"_checkpoint\":{\"stream\":\"x\"}}", &a, &why), 0, "a control line");
	is_int(key_of(d, "{\"_checkpoint\":{},\"k\":1}", &a, &why), 1,
	       "a record with a _checkpoint field is a record");
	rm(d);

	d = mk("a=A,b=B", NULL, 0);
	key_of(d, "{\"b\":2,\"a\":\"x\"}", &a, &why);
	buf_reset(&j);
	diff_key_json(d, &j, (unsigned char *)a.p, a.len, DIFF_RIGHT);
	is_str(j.p, "{\"A\":\"x\",\"B\":2}", "a compound key in the right's names, key order");
	rm(d);

	/* ---- values */
	d = mk("k", NULL, 0);
	ok(eq(d, 0, "1.50", "1.5"), "1.50 = 1.5");
	ok(!eq(d, 0, "0.1", "0.10000000000000001"), "exact: 0.1 != 0.10000000000000001");
	ok(eq(d, 0, "5", "\"5.00\""), "a number and a numeric string");
	ok(!eq(d, 0, "\"5\"", "\"5.0\""), "two strings stay strings");
	ok(eq(d, 0, "null", NULL) && eq(d, 0, "false", "\"\"") && eq(d, 0, NULL, "null"),
	   "null, false, \"\" and missing are alike");
	ok(!eq(d, 0, "0", "false"), "0 is not empty");
	ok(!eq(d, 0, "\"a \"", "\"a\"") && eq(d, DIFF_TRIM, "\"a \"", "\"a\""), "--trim");
	ok(eq(d, DIFF_TRIM, "\" \\t\"", "null"), "--trim: blank is empty");
	ok(eq(d, DIFF_ICASE, "\"\xc3\x89T\xc3\x89\"", "\"\xc3\xa9t\xc3\xa9\""), "--ignore-case: É");
	ok(eq(d, DIFF_DATE, "\"2026-11-20 09:12:44\"", "\"2026-11-20T10:12:44+01:00\""), "--date");
	ok(!eq(d, DIFF_DATE, "\"2026-11-20 09:12:44\"", "\"2026-11-20T09:12:45Z\""),
	   "--date: a second");
	ok(!eq(d, DIFF_DATE, "\"soon\"", "\"later\""), "--date: not dates compare as text");
	ok(eq(d, 0, "{\"a\":[1,2],\"b\":null}", "{\"b\":null,\"a\":[1,2.0]}"),
	   "objects in any order");
	ok(!eq(d, 0, "[1,2]", "[2,1]"), "arrays in order");
	ok(!eq(d, 0, "true", "\"true\""), "true is not \"true\"");
	rm(d);
	d = mk("k", NULL, 1);
	ok(!eq(d, 0, "null", "false") && !eq(d, 0, "null", NULL) && eq(d, 0, NULL, NULL),
	   "--strict: empties differ");
	ok(!eq(d, 0, "5", "\"5\"") && eq(d, 0, "5", "5.0"), "--strict: types matter, scale not");
	rm(d);

	buf_release(&a);
	buf_release(&b);
	buf_release(&j);
	return done_testing();
}
