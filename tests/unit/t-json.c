#include "tap.h"
#include "json.h"
#include "text.h"

#include <stdlib.h>

static enum json_type
chk(const char *s)
{
	return json_check(s, strlen(s), NULL, NULL);
}

int
main(void)
{
	static const char *good[] = {
		"{}", "[]", "{\"a\":1}", " {\"a\" : [1, 2.5, -0, 1e3, 1E-7, true, false, null]} ",
		"{\"s\":\"\\u00e9\\n\\t\\\"\\\\\\/\"}", "\"x\"", "0", "-1.0e+2", "{\"a\":{\"b\":{}}}",
	};
	static const char *bad[] = {
		"", " ", "{", "}", "{\"a\":}", "{\"a\":1,}", "[1,]", "{a:1}", "{'a':1}", "01",
		"1.", ".5", "-", "+1", "1e", "tru", "nul", "{\"a\":1}x", "\"\\x\"", "\"\\u12g4\"",
		"\"a\tb\"", "{\"a\" 1}", "[1 2]", "NaN", "{\"a\":1}{}",
	};
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
		is_str(b.p, "\"a\\\"b\\\\\\n\\u0001\xef\xbf\xbd\xc3\xa9\"", "json_quote escapes and U+FFFD");
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
	return done_testing();
}
