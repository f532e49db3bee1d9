/*
 * t-schema.c - error messages, paths and locations of schema_validate, the
 * sibling-file "$ref", the erpipe formats and the API's edge cases.
 */
#include "tap.h"
#include "engine/schema/schema.h"

#include <stdlib.h>

static struct schema *
compile(const char *text, struct ep_err *err)
{
	return schema_compile(text, strlen(text), NULL, NULL, SCHEMA_FORMAT_ASSERT, err);
}

/* all errors, formatted, joined with "; " */
static const char *
errors_of(struct schema *s, const char *inst, struct schema_errors *e)
{
	static char out[4096];
	size_t i, o = 0;

	out[0] = '\0';
	if (schema_validate(s, inst, strlen(inst), e) == 1)
		return "valid";
	for (i = 0; i < e->n; i++) {
		char b[1024];

		schema_error_format(&e->v[i], b, sizeof(b));
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s", i ? "; " : "", b);
	}
	return out;
}

int
main(void)
{
	struct ep_err err = EP_ERR_INIT;
	struct schema_errors e = SCHEMA_ERRORS_INIT;
	struct schema *s;
	char path[4096];
	const char *top = getenv("ERPIPE_TOP");
	const char *t;

	snprintf(path, sizeof(path), "%s/tests/data/schema/customer.schema.json", top ? top : ".");
	s = schema_compile_file(path, NULL, &err);
	ok(s != NULL, "compile a schema file with a sibling $ref");
	if (s == NULL) {
		diag("%s", err.msg);
		return done_testing();
	}
	is_str(errors_of(
		       s,
		       "{\"ExternalID\":\"DE-1\",\"Name\":\"Ann\",\"Email\":\"a@b.de\","
		       "\"CreditLimit\":19.99,\"Currency\":\"EUR\",\"Address\":{\"City\":\"Köln\",\"Country\":\"DE\"},"
		       "\"Since\":\"2024-02-29\"}",
		       &e),
	       "valid", "a valid customer");
	is_str(errors_of(s, "{\"ExternalID\":\"DE-1\",\"Name\":\"Ann\",\"Email\":\"not-an-email\"}",
	                 &e),
	       "/Email: does not match format \"email\"", "format error message and path");
	is_str(e.v[0].keyword, "#/properties/Email/format", "schema location of the error");
	is_str(e.v[0].path, "/Email", "instance path of the error");
	is_str(errors_of(
		       s,
		       "{\"ExternalID\":\"x\",\"Name\":\"Annabelle\",\"Email\":\"a@b\","
		       "\"CreditLimit\":19.995,\"Age\":1.5,\"Extra\":1,\"Currency\":\"EUX\","
		       "\"Tags\":[\"a\",\"a\"],\"Address\":{\"Country\":\"XX\"},\"Since\":\"2023-02-29\"}",
		       &e),
	       "/ExternalID: does not match pattern \"^[A-Z]{2}-[0-9]+$\"; "
	       "/Name: is longer than 5 characters; "
	       "/CreditLimit: is not a multiple of 0.01; "
	       "/Age: expected integer, got number; "
	       "/Extra: property is not allowed; "
	       "/Currency: does not match format \"iso4217\"; "
	       "/Tags: items 0 and 1 are equal; "
	       "/Address/Country: does not match format \"iso3166\"; "
	       "/Address/City: is required; "
	       "/Since: does not match format \"date\"",
	       "every failing keyword is reported, in order, with its path");
	is_int(e.n, 10, "ten errors");
	is_str(errors_of(s, "[1]", &e), "(root): expected object, got array", "root error");
	is_str(errors_of(s, "{}", &e),
	       "/ExternalID: is required; /Name: is required; /Email: is required",
	       "missing required properties each named");
	is_str(errors_of(s, "{\"ExternalID\":\"DE-1\",\"Name\":\"Änne\",\"Email\":\"a@b.de\"}", &e),
	       "valid", "maxLength counts characters, not bytes");
	t = "{\"ExternalID\":\"DE-1\",\"Name\":\"Ann\",\"Email\":\"a@b.de\"}";
	is_int(schema_validate(s, t, strlen(t), NULL), 1, "validate without an error list");
	t = "{\"Name\":7}";
	is_int(schema_validate(s, t, strlen(t), NULL), 0, "invalid without an error list");
	t = "{\"Name\":";
	is_int(schema_validate(s, t, strlen(t), NULL), 0, "text that is not JSON is invalid");
	is_str(errors_of(s, t, &e), "(root): not valid JSON: unexpected end of input at byte 9",
	       "with the parser's reason");
	schema_free(s);

	s = compile(
		"{\"properties\":{\"a/b\":{\"items\":{\"type\":\"string\"}},\"t~\":{\"const\":1}}}",
		&err);
	ok(s != NULL, "compile inline schema");
	is_str(errors_of(s, "{\"a/b\":[\"x\",2],\"t~\":2}", &e),
	       "/a~1b/1: expected string, got number; /t~0: must be 1",
	       "JSON Pointer escaping in paths");
	schema_free(s);

	s = compile(
		"{\"anyOf\":[{\"type\":\"string\"},{\"minimum\":10}],"
		"\"oneOf\":[{\"type\":\"number\"},{\"type\":\"integer\"}],\"not\":{\"const\":5}}",
		&err);
	is_str(errors_of(s, "5", &e),
	       "(root): does not match any schema in anyOf; "
	       "(root): matches oneOf schemas 0 and 1, expected exactly one; "
	       "(root): must not match the schema in \"not\"",
	       "applicator messages");
	schema_free(s);

	s = compile(
		"{\"type\":\"object\",\"dependentRequired\":{\"a\":[\"b\"]},"
		"\"propertyNames\":{\"maxLength\":2},\"maxProperties\":2,"
		"\"if\":{\"required\":[\"a\"]},\"then\":{\"properties\":{\"a\":{\"type\":\"string\"}}}}",
		&err);
	is_str(errors_of(s, "{\"a\":1,\"long\":2,\"c\":3}", &e),
	       "/long: property name \"long\" is not allowed; "
	       "(root): has 3 properties, more than 2; "
	       "/b: is required when \"a\" is present; "
	       "/a: expected string, got number",
	       "object keyword messages");
	schema_free(s);

	s = compile("{\"type\":\"array\",\"prefixItems\":[{\"type\":\"integer\"}],\"items\":false,"
	            "\"contains\":{\"type\":\"string\"},\"minContains\":2,\"minItems\":3}",
	            &err);
	is_str(errors_of(s, "[1,\"a\"]", &e),
	       "(root): has 2 items, fewer than 3; /1: item is not allowed (at most 1); "
	       "(root): has 1 items matching \"contains\", fewer than 2",
	       "array keyword messages");
	schema_free(s);

	s = compile("{\"maximum\":1e2,\"exclusiveMinimum\":0.5,\"type\":[\"number\",\"null\"]}",
	            &err);
	is_str(errors_of(s, "0.5", &e), "(root): must be > 0.5", "exclusiveMinimum message");
	is_str(errors_of(s, "101", &e), "(root): must be <= 1e2",
	       "maximum message: the bound as written");
	is_str(errors_of(s, "\"x\"", &e), "(root): expected number or null, got string",
	       "type list message");
	schema_free(s);

	e.max = 2;
	s = compile("{\"items\":{\"type\":\"string\"}}", &err);
	errors_of(s, "[1,2,3,4]", &e);
	ok(e.n == 2 && e.dropped == 2, "error cap: two kept, two counted as dropped");
	e.max = 0;
	schema_free(s);

	/* compile errors */
	ok(compile("{\"$ref\":\"#/$defs/missing\"}", &err) == NULL, "unresolvable $ref fails");
	is_str(err.msg, "#: cannot resolve $ref '#/$defs/missing'", "its message");
	ep_err_clear(&err);
	ok(compile("{\"pattern\":\"(\"}", &err) == NULL, "bad pattern fails");
	ok(compile("{\"pattern\":\"(?i)x\"}", &err) == NULL, "non-ECMA inline flags refused");
	ok(compile("{\"minLength\":-1}", &err) == NULL, "negative minLength refused");
	ok(compile("{\"$ref\":\"http://example.com/x.json\"}", &err) == NULL,
	   "remote ref without a loader fails (never fetched)");
	is_int(err.code, EP_DATAERR, "as a data error");
	ok(compile("{\"$ref\":\"nonexistent.json\"}", &err) == NULL, "missing sibling file fails");

	/* recursion */
	s = compile("{\"$ref\":\"#\"}", &err);
	ok(s != NULL, "a schema that refers to itself compiles");
	if (s)
		is_str(errors_of(s, "1", &e), "(root): schema refers to itself without progress",
		       "and fails cleanly");
	schema_free(s);
	s = compile(
		"{\"$defs\":{\"n\":{\"type\":\"object\",\"properties\":{\"next\":{\"$ref\":\"#/$defs/n\"}}}},"
		"\"$ref\":\"#/$defs/n\"}",
		&err);
	is_str(errors_of(s, "{\"next\":{\"next\":{\"next\":1}}}", &e),
	       "/next/next/next: expected object, got number", "recursive schema, deep path");
	schema_free(s);

	/* formats */
	s = compile(
		"{\"properties\":{\"d\":{\"format\":\"date-time\"},\"t\":{\"format\":\"time\"},"
		"\"u\":{\"format\":\"uuid\"},\"i\":{\"format\":\"ipv4\"},\"r\":{\"format\":\"uri\"},"
		"\"x\":{\"format\":\"no-such-format\"}}}",
		&err);
	is_str(errors_of(s,
	                 "{\"d\":\"2024-02-29T23:59:60Z\",\"t\":\"23:59:60+00:00\","
	                 "\"u\":\"2eb8aa08-aa98-11ea-b4aa-73b441d16380\",\"i\":\"192.168.0.1\","
	                 "\"r\":\"https://example.com/a?b#c\",\"x\":\"anything\"}",
	                 &e),
	       "valid", "valid formats");
	is_str(errors_of(s,
	                 "{\"d\":\"2023-02-29T10:00:00Z\",\"t\":\"22:59:60+00:00\","
	                 "\"u\":\"2eb8aa08-aa98-11ea-b4aa-73b441d1638\",\"i\":\"192.168.0.01\","
	                 "\"r\":\"/relative\"}",
	                 &e),
	       "/d: does not match format \"date-time\"; /t: does not match format \"time\"; "
	       "/u: does not match format \"uuid\"; /i: does not match format \"ipv4\"; "
	       "/r: does not match format \"uri\"",
	       "invalid formats");
	schema_free(s);

	/* strings keep an embedded U+0000; lengths count it */
	s = compile("{\"properties\":{\"c\":{\"const\":\"a\\u0000b\"},\"d\":{\"format\":\"date\"},"
	            "\"n\":{\"maxLength\":2},\"e\":{\"enum\":[\"x\\u0000\"]}}}",
	            &err);
	is_str(errors_of(s, "{\"c\":\"a\\u0000b\",\"n\":\"\\u0000\\u0000\",\"e\":\"x\\u0000\"}",
	                 &e),
	       "valid", "const and enum with U+0000 match the same string");
	is_str(errors_of(
		       s,
		       "{\"c\":\"a\",\"d\":\"2020-01-01\\u0000x\",\"n\":\"\\u0000\\u0000\\u0000\",\"e\":\"x\"}",
		       &e),
	       "/c: must be \"a\\u0000b\"; /d: does not match format \"date\"; "
	       "/n: is longer than 2 characters; /e: must be one of \"x\\u0000\"",
	       "the string cut at U+0000 is not the string");
	schema_free(s);

	/* numbers from their text */
	s = compile("{\"properties\":{\"i\":{\"type\":\"integer\"},\"m\":{\"maximum\":0.3},"
	            "\"x\":{\"exclusiveMinimum\":0.1},\"p\":{\"multipleOf\":0.01},"
	            "\"e\":{\"const\":100}}}",
	            &err);
	is_str(errors_of(s, "{\"i\":1.0,\"m\":0.3,\"x\":0.10000000000000001,\"p\":19.99,\"e\":1e2}",
	                 &e),
	       "valid", "1.0 is an integer; bounds, multipleOf and const on exact decimals");
	is_str(errors_of(s,
	                 "{\"i\":1.5e0,\"m\":0.30000000000000001,\"x\":0.1,"
	                 "\"p\":0.010000000000000001,\"e\":100.0000000000000001}",
	                 &e),
	       "/i: expected integer, got number; /m: must be <= 0.3; /x: must be > 0.1; "
	       "/p: is not a multiple of 0.01; /e: must be 100",
	       "differences a double cannot hold are seen");
	is_str(errors_of(s, "{\"i\":100000000000000000000000000000000000000000000000001}", &e),
	       "valid", "an integer longer than 38 digits");
	is_str(errors_of(s, "{\"i\":1e400,\"m\":1e-400}", &e), "valid",
	       "exponents beyond a double");
	is_str(errors_of(s, "{\"i\":12.5e1,\"m\":0.2}", &e), "valid", "12.5e1 is an integer");
	is_str(errors_of(s, "{\"i\":1e-400}", &e), "/i: expected integer, got number",
	       "1e-400 is not an integer");
	is_str(errors_of(s, "{\"i\":-0.000e5}", &e), "valid", "zero in any spelling is");
	is_str(errors_of(s, "{\"i\":1234.5e-1}", &e), "/i: expected integer, got number",
	       "1234.5e-1 is not");
	schema_free(s);

	/* enum and const name their values when short */
	s = compile(
		"{\"properties\":{\"s\":{\"enum\":[\"Active\",\"Inactive\",null]},"
		"\"l\":{\"enum\":[\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\","
		"\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\","
		"\"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc\"]},"
		"\"c\":{\"const\":{\"a\":[1,2]}}}}",
		&err);
	is_str(errors_of(s, "{\"s\":\"Blocked\",\"l\":\"d\",\"c\":{\"a\":[1]}}", &e),
	       "/s: must be one of \"Active\", \"Inactive\", null; /l: is not one of the allowed values; "
	       "/c: must be {\"a\":[1,2]}",
	       "enum and const messages");
	schema_free(s);

	/* errorMessage: the schema's own words instead of its keywords' */
	s = compile("{\"properties\":{\"m\":{\"anyOf\":[{\"type\":\"integer\"},{\"const\":false}],"
	            "\"errorMessage\":\"expected an id or false\"}},"
	            "\"allOf\":[{\"anyOf\":[{\"required\":[\"a\"]},{\"required\":[\"b\"]}],"
	            "\"errorMessage\":\"a or b is required\"}]}",
	            &err);
	is_str(errors_of(s, "{\"m\":\"x\",\"a\":1}", &e), "/m: expected an id or false",
	       "errorMessage replaces the failing schema's errors");
	is_str(e.v[0].keyword, "#/properties/m/errorMessage", "at the errorMessage's location");
	is_str(errors_of(s, "{\"m\":1}", &e), "(root): a or b is required", "at the root too");
	is_str(errors_of(s, "{\"m\":[]}", &e),
	       "/m: expected an id or false; (root): a or b is required",
	       "each failing schema with its own message");
	is_str(errors_of(s, "{\"m\":false,\"b\":1}", &e), "valid",
	       "and says nothing when it holds");
	schema_free(s);
	ok(compile("{\"errorMessage\":1}", &err) == NULL, "errorMessage must be a string");

	/* a schema that is not JSON */
	ok(compile("{\"type\":", &err) == NULL, "schema text that is not JSON fails");
	is_str(err.msg, "not valid JSON: unexpected end of input at byte 9", "with where");

	schema_errors_free(&e);
	return done_testing();
}
