/*
 * t-jv.c - the JSON value type (stream/jv.h): parse into an arena, print
 * back, lookups, equality and order.  What the parser refuses, and where,
 * is t-map-json.c's (against json_check, through the map engine).
 */
#include "tap.h"
#include "stream/jv.h"

#include <string.h>

static struct arena A = ARENA_INIT;
static struct jv_parser jp = { .A = &A };

static int
parse(const char *s, struct jv *v)
{
	return jv_parse(&jp, s, strlen(s), v);
}

/* s parsed and printed back */
static const char *
again(const char *s)
{
	static struct buf b = BUF_INIT;
	struct jv v;

	buf_reset(&b);
	if (parse(s, &v) < 0)
		return jp.err;
	if (jv_emit(&b, &v) < 0)
		return "emit failed";
	return buf_str(&b);
}

static int
eq(const char *a, const char *b)
{
	struct jv x, y;

	if (parse(a, &x) < 0 || parse(b, &y) < 0)
		return -9;
	return jv_equal(&x, &y);
}

static int
cmp(const char *a, const char *b)
{
	struct jv x, y;

	if (parse(a, &x) < 0 || parse(b, &y) < 0)
		return -9;
	return jv_compare(&x, &y);
}

int
main(void)
{
	struct jv v, w;
	const struct jv *m;
	struct dec d;
	struct buf b = BUF_INIT;
	char big[600];

	/* parse and print back */
	is_str(again(" {\"a\" : [1, -2.5e3, true,false, null], \"b\":{}} "),
	       "{\"a\":[1,-2.5e3,true,false,null],\"b\":{}}", "compact print of a parse");
	is_str(again("\"tab\\there \\u00e9 \\ud83d\\ude00 \\/\""),
	       "\"tab\\there \xc3\xa9 \xf0\x9f\x98\x80 /\"",
	       "escapes decoded, printed back as needed");
	is_str(again("\"\\u0001\\u001f\\\"\\\\\\b\\f\\n\\r\""),
	       "\"\\u0001\\u001f\\\"\\\\\\b\\f\\n\\r\"",
	       "control characters, quote and backslash escaped");
	is_str(again("{\"k\":1,\"j\":2,\"k\":3}"), "{\"k\":3,\"j\":2}",
	       "a repeated key: first place, last value");
	is_str(again("[]"), "[]", "empty array");
	is_str(again("0.10"), "0.10", "a number keeps its text");

	/* the parse in detail */
	ok(parse("{\"s\":\"plain\",\"e\":\"a\\nb\",\"n\":12}", &v) == 0 && v.t == JV_OBJ &&
	           v.n == 3,
	   "an object of three members");
	m = jv_obj_get(&v, "s", 1);
	ok(m != NULL && m->t == JV_STR && m->n == 5 && (m->f & JVF_SAFE), "plain string: safe");
	m = jv_obj_get(&v, "e", 1);
	ok(m != NULL && m->n == 3 && memcmp(m->u.s, "a\nb", 3) == 0 && !(m->f & JVF_SAFE),
	   "escaped string: decoded, not safe");
	m = jv_obj_get(&v, "n", 1);
	ok(m != NULL && m->t == JV_NUM && jv_to_double(m) == 12, "number");
	ok(jv_obj_get(&v, "x", 1) == NULL, "absent member: NULL");
	ok(jv_obj_get(m, "n", 1) == NULL, "lookup in a non-object: NULL");

	/* errors */
	ok(parse("{\"a\":}", &v) < 0 && jp.errkind == JV_PARSE_BAD && jp.errpos == 5,
	   "bad JSON: kind and byte offset");
	is_str(jp.err, "unexpected character", "and why");
	ok(parse("[1] x", &v) < 0 && strcmp(jp.err, "trailing characters after the value") == 0,
	   "trailing characters");
	ok(parse("01", &v) < 0 && strcmp(jp.err, "leading zero in number") == 0, "leading zero");
	memset(big, '[', sizeof big);
	big[sizeof big - 1] = '\0';
	ok(parse(big, &v) < 0 && strcmp(jp.err, "nested too deep") == 0, "nested too deep");
	{
		struct arena small = ARENA_INIT;
		struct jv_parser sp = { .A = &small };
		static char longs[200000];

		arena_init(&small, 1000);
		memset(longs, 'x', sizeof longs - 2);
		longs[0] = '"';
		longs[1] = '\\';
		longs[2] = 'n';
		longs[sizeof longs - 2] = '"';
		ok(jv_parse(&sp, longs, strlen(longs), &v) < 0 && sp.errkind == JV_PARSE_TOOBIG,
		   "past the arena's cap: TOOBIG");
		jv_parser_free(&sp);
		arena_free(&small);
	}

	/* equality and order */
	is_int(eq("1", "1.0"), 1, "numbers by value");
	is_int(eq("100", "1e2"), 1, "exponent");
	is_int(eq("{\"a\":1,\"b\":[2,\"x\"]}", "{\"b\":[2,\"x\"],\"a\":1.00}"), 1,
	       "objects whatever the member order");
	is_int(eq("{\"a\":1}", "{\"a\":1,\"b\":2}"), 0, "a member more: unequal");
	is_int(eq("[1,2]", "[2,1]"), 0, "arrays in order");
	is_int(eq("\"1\"", "1"), 0, "string is not number");
	is_int(eq("null", "false"), 0, "null is not false");
	is_int(cmp("2", "10"), -1, "numbers: 2 < 10");
	is_int(cmp("0.3", "0.30"), 0, "0.3 == 0.30");
	is_int(cmp("\"b\"", "\"ab\""), 1, "strings by bytes");
	is_int(cmp("\"ab\"", "\"abc\""), -1, "a prefix first");
	is_int(cmp("1", "\"1\""), -2, "not comparable");

	/* helpers */
	ok(parse("123.4500", &v) == 0 && jv_to_dec(&v, &d) == 0, "to_dec");
	dec_format(&d, big, sizeof big);
	is_str(big, "123.4500", "the exact decimal");
	ok(parse("\"1\"", &w) == 0 && jv_to_dec(&w, &d) < 0 && jv_to_double(&w) == 0,
	   "to_dec / to_double of a string");
	ok(jv_truthy(&w) && !jv_truthy(&JV_NULLV) && !jv_truthy(&JV_BOOL(0)) &&
	           jv_truthy(&JV_BOOL(1)),
	   "truthy");
	is_str(jv_type_name(JV_TRUE), "boolean", "type name");
	is_str(jv_type_name(JV_OBJ), "object", "type name object");
	w = jv_str_ref("a\"b", 3, 0);
	ok(jv_emit(&b, &w) == 0, "emit a string reference");
	is_str(buf_str(&b), "\"a\\\"b\"", "escaped on output");
	buf_reset(&b);
	ok(jv_emit_str(&b, "k", 1, 1) == 0, "emit_str, safe");
	is_str(buf_str(&b), "\"k\"", "quoted");

	buf_release(&b);
	jv_parser_free(&jp);
	arena_free(&A);
	return done_testing();
}
