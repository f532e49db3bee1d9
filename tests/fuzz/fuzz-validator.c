/*
 * fuzz-validator.c - validate's checks on arbitrary input: the input is
 * read as the --ref key file (every line a candidate record) and then each
 * of its lines is checked as a record against a schema, a rule, a unique
 * key, the reference, two --anomaly (one --by) and --dup-payment with
 * --id, as validate does (flags as warnings for inputs of odd length).
 * The answers must be consistent: a valid record has no errors, an invalid
 * one at least one, a warning comes with what it measured.
 */
#include "engine/schema/validator.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz-files.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char schema[128], keys[128];
static FILE *devnull;

static const char schema_text[] =
	"{\"type\":\"object\",\"required\":[\"id\"],\"properties\":{"
	"\"id\":{\"type\":[\"integer\",\"string\"],\"minimum\":1,\"maxLength\":20},"
	"\"email\":{\"format\":\"idn-email\",\"pattern\":\"@.+\\\\.\"},"
	"\"amount\":{\"type\":\"number\",\"multipleOf\":0.01,\"exclusiveMinimum\":0},"
	"\"cust\":{\"$ref\":\"fields.schema.json#/$defs/m2o\"},"
	"\"lines\":{\"type\":\"array\",\"items\":{\"required\":[\"qty\"],"
	"\"properties\":{\"qty\":{\"type\":\"integer\"}}},\"uniqueItems\":true}},"
	"\"anyOf\":[{\"required\":[\"email\"]},{\"required\":[\"cust\"]}],"
	"\"errorMessage\":\"email or cust\"}";
static const char fields_text[] =
	"{\"$defs\":{\"m2o\":{\"anyOf\":[{\"type\":\"integer\"},{\"type\":\"array\","
	"\"prefixItems\":[{\"type\":\"integer\"},{\"type\":\"string\"}]},{\"const\":false}],"
	"\"errorMessage\":\"not a many2one\"}}}";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ep_err err = EP_ERR_INIT, warn = EP_ERR_INIT;
	struct validator_result res;
	struct validator *v;
	char ref[160], fields[160];
	const char *p = (const char *)data, *e = p + size;
	uint64_t line = 0;

	if (schema[0] == '\0') {
		const char *dir = fuzz_dir("fuzz-validator");

		if (dir == NULL)
			abort();
		snprintf(schema, sizeof(schema), "%s/s.schema.json", dir);
		snprintf(keys, sizeof(keys), "%s/keys.ndjson", dir);
		snprintf(fields, sizeof(fields), "%s/fields.schema.json", dir);
		if (fuzz_put(schema, schema_text, sizeof(schema_text) - 1) < 0 ||
		    fuzz_put(fields, fields_text, sizeof(fields_text) - 1) < 0)
			abort();
	}
	if (fuzz_put(keys, data, size) < 0)
		abort();
	snprintf(ref, sizeof(ref), "cust=%s:id", keys);
	if ((v = validator_new(&err)) == NULL || validator_set_schema(v, schema, &err) < 0 ||
	    validator_add_rule(v, "$amount == null || $amount < 1000", &err) < 0 ||
	    validator_set_message(v, "too much", &err) < 0 ||
	    validator_add_unique(v, "id", &err) < 0 ||
	    validator_add_unique(v, "email,id", &err) < 0 ||
	    validator_add_anomaly(v, "amount", &err) < 0 || validator_set_by(v, "cust", &err) < 0 ||
	    validator_add_anomaly(v, "qty", &err) < 0 ||
	    validator_add_dup_payment(v, "cust,amount,date,ref", &err) < 0 ||
	    validator_set_id(v, "id", &err) < 0)
		abort(); /* fixed, known-good configuration */
	{
		static const struct validator_tuning t = { 2, 1, 4, 3 };

		validator_tune(v, &t);
		validator_set_warn(v, size % 2);
	}
	if (validator_add_ref(v, ref, &warn, &err) < 0) {
		/* a key file with no record holding the key: refused, and says why */
		if (err.msg[0] == '\0')
			abort();
		validator_free(v);
		return 0;
	}
	while (p < e) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(e - p);
		int r = validator_check(v, p, n, "fuzz", ++line, &res, &err);

		if (r < 0 || (r == 1 && res.n != 0) ||
		    (r == 0 && (res.n == 0 || res.error == NULL)) ||
		    (res.nwarns &&
		     (r != 1 || res.warn_error == NULL || res.warns[0].detail == NULL)))
			abort();
		p += n + (nl != NULL);
	}
	if (devnull == NULL && (devnull = fopen("/dev/null", "w")) == NULL)
		abort();
	validator_report(v, devnull);
	validator_free(v);
	return 0;
}
