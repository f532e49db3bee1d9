#include "tap.h"
#include "stream/json.h"
#include "stream/json_tree.h"
#include "base/text.h"

#include <math.h>
#include <stdlib.h>

static enum json_type
chk(const char *s)
{
	return json_check(s, strlen(s), NULL, NULL);
}

int
main(void)
{
	/* clang-format off */
	static const char *good[] = {
		"{}", "[]", "{\"a\":1}", " {\"a\" : [1, 2.5, -0, 1e3, 1E-7, true, false, null]} ",
		"{\"s\":\"\\u00e9\\n\\t\\\"\\\\\\/\"}", "\"x\"", "0", "-1.0e+2", "{\"a\":{\"b\":{}}}",
	};
	static const char *bad[] = {
		"", " ", "{", "}", "{\"a\":}", "{\"a\":1,}", "[1,]", "{a:1}", "{'a':1}", "01",
		"1.", ".5", "-", "+1", "1e", "tru", "nul", "{\"a\":1}x", "\"\\x\"", "\"\\u12g4\"",
		"\"a\tb\"", "{\"a\" 1}", "[1 2]", "NaN", "{\"a\":1}{}",
	};
	/* clang-format on */
	char deep[2000];
	size_t off;
	const char *why;

	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
		ok(chk(good[i]) != JSON_INVALID, good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		ok(chk(bad[i]) == JSON_INVALID, bad[i]);
	is_int(chk("{\"a\":1}"), JSON_OBJECT, "object type");
	is_int(chk("[1]"), JSON_ARRAY, "array type");
	is_int(chk("true"), JSON_TRUE, "true type");
	is_int(json_check("{\"a\":1,}", 8, &off, &why), JSON_INVALID, "trailing comma");
	is_int(off, 7, "error offset at the brace");
	is_str(why, "expected a string key", "error reason");

	memset(deep, '[', 1000);
	memset(deep + 1000, ']', 1000);
	ok(json_check(deep, 2000, NULL, &why) == JSON_INVALID, "1000 levels refused");
	is_str(why, "nested too deep", "depth reason");
	ok(json_check(deep + 1000 - 500, 1000, NULL, NULL) == JSON_ARRAY, "500 levels accepted");

	/* text.h */
	is_int(utf8_valid_prefix("abc", 3), 3, "ascii valid");
	is_int(utf8_valid_prefix("a\xc3\xa9z", 4), 4, "two-byte valid");
	is_int(utf8_valid_prefix("ab\xff", 3), 2, "0xff invalid");
	is_int(utf8_valid_prefix("\xc0\x80", 2), 0, "overlong NUL invalid");
	is_int(utf8_valid_prefix("\xed\xa0\x80", 3), 0, "surrogate invalid");
	is_int(utf8_valid_prefix("\xf4\x90\x80\x80", 4), 0, "past U+10FFFF invalid");
	is_int(utf8_valid_prefix("\xf0\x9f\x98\x80 0123456789", 15), 15, "emoji valid");
	is_int(utf8_valid_prefix("0123456789abcdef\xe2\x82", 18), 16, "cut sequence at end");
	{
		struct buf b = BUF_INIT;
		json_quote(&b, "a\"b\\\n\x01\xff\xc3\xa9", 9);
		is_str(b.p, "\"a\\\"b\\\\\\n\\u0001\xef\xbf\xbd\xc3\xa9\"",
		       "json_quote escapes and U+FFFD");
		buf_reset(&b);
		b64_encode(&b, "", 0);
		is_str(buf_str(&b), "", "b64 empty");
		b64_encode(&b, "f", 1);
		is_str(b.p, "Zg==", "b64 f");
		buf_reset(&b);
		b64_encode(&b, "foobar", 6);
		is_str(b.p, "Zm9vYmFy", "b64 foobar");
		buf_reset(&b);
		b64_encode(&b, "\xff\xfe", 2);
		is_str(b.p, "//4=", "b64 binary");
		buf_release(&b);
	}
	/* json_obj: members as spans */
	{
		static const char doc[] = " { \"a\" : 1 , \"b\\\"c\":[1,{\"x\":2}],\"d\":\"s\" } ";
		struct json_obj it;
		struct json_member m;
		char got[256] = "";

		ok(json_obj_open(&it, doc, strlen(doc)) == 0, "json_obj_open on an object");
		while (json_obj_next(&it, &m) == 1) {
			size_t n = strlen(got);
			snprintf(got + n, sizeof got - n, "[%.*s|%d|%.*s|%d]", (int)m.klen, m.key,
			         m.kesc, (int)m.vlen, m.val, m.type);
		}
		is_str(got, "[a|0|1|4][b\\\"c|1|[1,{\"x\":2}]|2][d|0|\"s\"|3]",
		       "keys raw with their escape flag, values without white space, types");
		is_int(json_obj_next(&it, &m), 0, "after the end: 0 again");
		ok(json_obj_open(&it, "{}", 2) == 0 && json_obj_next(&it, &m) == 0, "empty object");
		ok(json_obj_open(&it, "[1]", 3) < 0, "an array is not an object");
		is_str(it.why, "not a JSON object", "... and says so");
	}
	{
		static const char *bad[] = { "{\"a\":1,}",   "{\"a\" 1}",
			                     "{\"a\":1}x",   "{\"a\":}",
			                     "{a:1}",        "{\"a\":1",
			                     "{\"a\":[1,]}", "{\"a\":1 \"b\":2}" };
		for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
			struct json_obj it;
			struct json_member m;
			int r = 1;

			if (json_obj_open(&it, bad[i], strlen(bad[i])) == 0)
				while ((r = json_obj_next(&it, &m)) == 1)
					;
			ok(r < 0 && it.why != NULL, bad[i]);
		}
	}
	/* json_unescape */
	{
		static const struct {
			const char *in, *out;
		} u[] = {
			{ "plain", "plain" },
			{ "a\\\"b\\\\c\\/d", "a\"b\\c/d" },
			{ "\\b\\f\\n\\r\\t", "\b\f\n\r\t" },
			{ "\\u00e9\\u20AC", "\xc3\xa9\xe2\x82\xac" },
			{ "\\ud83d\\ude00!", "\xf0\x9f\x98\x80!" },
			{ "\\ud83d x", "\xef\xbf\xbd x" },
			{ "\\ude00", "\xef\xbf\xbd" },
		};
		for (size_t i = 0; i < sizeof u / sizeof *u; i++) {
			char out[64];
			size_t n = json_unescape(out, u[i].in, strlen(u[i].in));
			out[n] = '\0';
			is_str(out, u[i].out, u[i].in);
		}
	}
	/* json_tree_print: numbers exactly, where cJSON 1.7.15 prints 15 digits */
	{
		static const struct {
			double d;
			const char *out;
		} n[] = {
			{ 9007199254740992.0, "9007199254740992" },
			{ 9007199254740990.0, "9007199254740990" },
			{ 10000000, "10000000" },
			{ 1e17, "1e+17" },
			{ 1.0000000000000002, "1.0000000000000002" },
			{ 1.0000000000000002e300, "1.0000000000000002e+300" },
			{ 4.9406564584124654e-324, "5e-324" },
			{ 0.1, "0.1" },
			{ -0.0, "-0" },
			{ 12, "12" },
			{ 1e21, "1e+21" },
			{ 123456789012345.67, "123456789012345.67" },
		};
		for (size_t i = 0; i < sizeof n / sizeof *n; i++) {
			cJSON *v = cJSON_CreateNumber(n[i].d);
			char *s = json_tree_print(v);
			is_str(s, n[i].out, n[i].out);
			ok(s && strtod(s, NULL) == n[i].d, "reads back as the same double");
			free(s);
			cJSON_Delete(v);
		}
		struct json_tree_err e = { NULL, 0, BUF_INIT };
		const char *in =
			"{\"a\":[1,true,false,null,{}],\"b\":\"\\\"\\n\\u0001\u00e9\",\"c\":[]}";
		cJSON *t = json_tree_parse(in, strlen(in), &e);
		char *s = json_tree_print(t);
		is_str(s, in, "a tree prints back as parsed, escapes as cJSON makes them");
		free(s);
		cJSON_Delete(t);
		buf_release(&e.path);
		/* json_tree_parse: a number a double does not hold is refused; the
		 * rest print back to their value (checked against Python's
		 * Decimal(text) == Decimal(repr(float(text))) on 300000 texts) */
		{
			/* clang-format off */
			static const struct { const char *num; int held; } h[] = {
				{ "0.1", 1 }, { "1.50", 1 }, { "-0", 1 }, { "1E2", 1 },
				{ "5e-324", 1 }, { "1.7976931348623157e308", 1 },
				{ "9007199254740992", 1 }, { "9007199254740993", 0 },
				{ "85061722973359260", 1 }, { "49496553411644704", 0 },
				{ "99999999999999.99", 0 }, { "1e400", 0 }, { "1e-400", 0 },
				{ "0.1000000000000000055511151231257827021181583404541015625", 0 },
				{ "0.30000000000000004", 1 }, { "1.00000000000000000001", 0 },
			};
			/* clang-format on */
			for (size_t i = 0; i < sizeof h / sizeof *h; i++) {
				char rec[128];
				struct json_tree_err e3 = { NULL, 0, BUF_INIT };
				snprintf(rec, sizeof rec, "[%s]", h[i].num);
				cJSON *t3 = json_tree_parse(rec, strlen(rec), &e3);
				ok((t3 != NULL) == h[i].held, h[i].num);
				if (t3 == NULL)
					is_str(buf_str(&e3.path), "/0",
					       "the refusal names the number's path");
				cJSON_Delete(t3);
				buf_release(&e3.path);
			}
		}
		/* a key three times, then another of the same signature (length,
		 * first four and last bytes): the second's node was freed when the
		 * third replaced it, then read (ASan: heap-use-after-free) */
		{
			const char *d = "{\"abcdQz\":1,\"abcdQz\":{\"x\":[2]},\"abcdQz\":\"3\","
					"\"abcdRz\":4,\"abcdQz\":[5],\"abcdRz\":6}";
			struct json_tree_err e4 = { NULL, 0, BUF_INIT };
			cJSON *t4 = json_tree_parse(d, strlen(d), &e4);
			char *p4 = t4 ? json_tree_print(t4) : NULL;
			is_str(p4, "{\"abcdQz\":[5],\"abcdRz\":6}",
			       "repeated keys: last value at the first place, nothing read after free");
			free(p4);
			cJSON_Delete(t4);
			buf_release(&e4.path);
		}
		/* json_tree_equal: cJSON_Compare, but numbers exactly */
		{
			cJSON *a = cJSON_CreateNumber(1.0000000000000002),
			      *b = cJSON_CreateNumber(1);
			ok(cJSON_Compare(a, b, 1) && !json_tree_equal(a, b),
			   "1.0000000000000002 is not 1 (cJSON_Compare says it is)");
			cJSON_SetNumberValue(b, 1.0000000000000002);
			ok(json_tree_equal(a, b), "the same double is equal");
			cJSON_Delete(a);
			cJSON_Delete(b);
			const char *x = "{\"a\":[1,{\"b\":null}],\"c\":\"s\"}";
			const char *y = "{\"c\":\"s\",\"a\":[1.0,{\"b\":null}]}";
			const char *z = "{\"c\":\"s\",\"a\":[1,{\"b\":false}]}";
			const char *w = "{\"c\":\"s\",\"a\":[1,{\"b\":null}],\"d\":1}";
			struct json_tree_err e2 = { NULL, 0, BUF_INIT };
			cJSON *tx = json_tree_parse(x, strlen(x), &e2),
			      *ty = json_tree_parse(y, strlen(y), &e2);
			cJSON *tz = json_tree_parse(z, strlen(z), &e2),
			      *tw = json_tree_parse(w, strlen(w), &e2);
			ok(json_tree_equal(tx, ty), "objects in another order, 1 and 1.0: equal");
			ok(!json_tree_equal(tx, tz), "null is not false");
			ok(!json_tree_equal(tx, tw) && !json_tree_equal(tw, tx),
			   "a member more: not equal");
			cJSON_Delete(tx);
			cJSON_Delete(ty);
			cJSON_Delete(tz);
			cJSON_Delete(tw);
			buf_release(&e2.path);
		}
		cJSON *inf = cJSON_CreateNumber(HUGE_VAL);
		s = json_tree_print(inf);
		is_str(s, "null", "a number that is not finite prints null, as cJSON");
		free(s);
		cJSON_Delete(inf);
	}
	return done_testing();
}
