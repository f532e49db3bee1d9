/*
 * t-schema.c - error messages, paths and locations of schema_validate, the
 * sibling-file "$ref", the erpipe formats and the API's edge cases.
 */
#include "tap.h"
#include "schema.h"

#include <stdlib.h>

static struct schema *
compile(const char *text, struct ep_err *err)
{
	cJSON *doc = cJSON_Parse(text);
	struct schema *s;

	if (doc == NULL) {
		diag("bad test JSON: %s", text);
		return NULL;
	}
	s = schema_compile(doc, NULL, NULL, err);
	cJSON_Delete(doc);
	return s;
}

/* all errors, formatted, joined with "; " */
static const char *
errors_of(struct schema *s, const char *inst, struct schema_errors *e)
{
	static char out[4096];
	cJSON *j = cJSON_Parse(inst);
	size_t i, o = 0;

	out[0] = '\0';
	if (j == NULL)
		return "(bad instance JSON)";
	if (schema_validate(s, j, e) == 1) {
		cJSON_Delete(j);
		return "valid";
	}
	for (i = 0; i < e->n; i++) {
		char b[1024];

		schema_error_format(&e->v[i], b, sizeof(b));
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s", i ? "; " : "", b);
	}
	cJSON_Delete(j);
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
	cJSON *j;

	snprintf(path, sizeof(path), "%s/tests/data/schema/customer.schema.json", top ? top : ".");
	s = schema_compile_file(path, NULL, &err);
	ok(s != NULL, "compile a schema file with a sibling $ref");
	if (s == NULL) {
		diag("%s", err.msg);
		return done_testing();
	}
	is_str(errors_of(s, "{\"ExternalID\":\"DE-1\",\"Name\":\"Ann\",\"Email\":\"a@b.de\","
		"\"CreditLimit\":19.99,\"Currency\":\"EUR\",\"Address\":{\"City\":\"Köln\",\"Country\":\"DE\"},"
		"\"Since\":\"2024-02-29\"}", &e), "valid", "a valid customer");
	is_str(errors_of(s, "{\"ExternalID\":\"DE-1\",\"Name\":\"Ann\",\"Email\":\"not-an-email\"}", &e),
		"/Email: does not match format \"email\"", "format error message and path");
	is_str(e.v[0].keyword, "#/properties/Email/format", "schema location of the error");
	is_str(e.v[0].path, "/Email", "instance path of the error");
	is_str(errors_of(s, "{\"ExternalID\":\"x\",\"Name\":\"Annabelle\",\"Email\":\"a@b\","
		"\"CreditLimit\":19.995,\"Age\":1.5,\"Extra\":1,\"Currency\":\"EUX\","
		"\"Tags\":[\"a\",\"a\"],\"Address\":{\"Country\":\"XX\"},\"Since\":\"2023-02-29\"}", &e),
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
	j = cJSON_Parse("{\"ExternalID\":\"DE-1\",\"Name\":\"Ann\",\"Email\":\"a@b.de\"}");
	is_int(schema_validate(s, j, NULL), 1, "validate without an error list");
	cJSON_Delete(j);
	j = cJSON_Parse("{\"Name\":7}");
	is_int(schema_validate(s, j, NULL), 0, "invalid without an error list");
	cJSON_Delete(j);
	schema_free(s);

	s = compile("{\"properties\":{\"a/b\":{\"items\":{\"type\":\"string\"}},\"t~\":{\"const\":1}}}", &err);
	ok(s != NULL, "compile inline schema");
	is_str(errors_of(s, "{\"a/b\":[\"x\",2],\"t~\":2}", &e),
		"/a~1b/1: expected string, got number; /t~0: does not equal the constant",
		"JSON Pointer escaping in paths");
	schema_free(s);

	s = compile("{\"anyOf\":[{\"type\":\"string\"},{\"minimum\":10}],"
		"\"oneOf\":[{\"type\":\"number\"},{\"type\":\"integer\"}],\"not\":{\"const\":5}}", &err);
	is_str(errors_of(s, "5", &e),
		"(root): does not match any schema in anyOf; "
		"(root): matches oneOf schemas 0 and 1, expected exactly one; "
		"(root): must not match the schema in \"not\"",
		"applicator messages");
	schema_free(s);

	s = compile("{\"type\":\"object\",\"dependentRequired\":{\"a\":[\"b\"]},"
		"\"propertyNames\":{\"maxLength\":2},\"maxProperties\":2,"
		"\"if\":{\"required\":[\"a\"]},\"then\":{\"properties\":{\"a\":{\"type\":\"string\"}}}}", &err);
	is_str(errors_of(s, "{\"a\":1,\"long\":2,\"c\":3}", &e),
		"/long: property name \"long\" is not allowed; "
		"(root): has 3 properties, more than 2; "
		"/b: is required when \"a\" is present; "
		"/a: expected string, got number",
		"object keyword messages");
	schema_free(s);

	s = compile("{\"type\":\"array\",\"prefixItems\":[{\"type\":\"integer\"}],\"items\":false,"
		"\"contains\":{\"type\":\"string\"},\"minContains\":2,\"minItems\":3}", &err);
	is_str(errors_of(s, "[1,\"a\"]", &e),
		"(root): has 2 items, fewer than 3; /1: item is not allowed (at most 1); "
		"(root): has 1 items matching \"contains\", fewer than 2",
		"array keyword messages");
	schema_free(s);

	s = compile("{\"maximum\":1e2,\"exclusiveMinimum\":0.5,\"type\":[\"number\",\"null\"]}", &err);
	is_str(errors_of(s, "0.5", &e), "(root): must be > 0.5", "exclusiveMinimum message");
	is_str(errors_of(s, "101", &e), "(root): must be <= 100", "maximum message");
	is_str(errors_of(s, "\"x\"", &e), "(root): expected number or null, got string", "type list message");
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
		is_str(errors_of(s, "1", &e), "(root): schema refers to itself without progress", "and fails cleanly");
	schema_free(s);
	s = compile("{\"$defs\":{\"n\":{\"type\":\"object\",\"properties\":{\"next\":{\"$ref\":\"#/$defs/n\"}}}},"
		"\"$ref\":\"#/$defs/n\"}", &err);
	is_str(errors_of(s, "{\"next\":{\"next\":{\"next\":1}}}", &e),
		"/next/next/next: expected object, got number", "recursive schema, deep path");
	schema_free(s);

	/* formats */
	s = compile("{\"properties\":{\"d\":{\"format\":\"date-time\"},\"t\":{\"format\":\"time\"},"
		"\"u\":{\"format\":\"uuid\"},\"i\":{\"format\":\"ipv4\"},\"r\":{\"format\":\"uri\"},"
		"\"x\":{\"format\":\"no-such-format\"}}}", &err);
	is_str(errors_of(s, "{\"d\":\"2024-02-29T23:59:60Z\",\"t\":\"23:59:60+00:00\","
		"\"u\":\"2eb8aa08-aa98-11ea-b4aa-73b441d16380\",\"i\":\"192.168.0.1\","
		"\"r\":\"https://example.com/a?b#c\",\"x\":\"anything\"}", &e), "valid", "valid formats");
	is_str(errors_of(s, "{\"d\":\"2023-02-29T10:00:00Z\",\"t\":\"22:59:60+00:00\","
		"\"u\":\"2eb8aa08-aa98-11ea-b4aa-73b441d1638\",\"i\":\"192.168.0.01\","
		"\"r\":\"/relative\"}", &e),
		"/d: does not match format \"date-time\"; /t: does not match format \"time\"; "
		"/u: does not match format \"uuid\"; /i: does not match format \"ipv4\"; "
		"/r: does not match format \"uri\"", "invalid formats");
	schema_free(s);

	schema_errors_free(&e);
	return done_testing();
}
