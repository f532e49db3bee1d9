/*
 * fuzz-schema-validate.c - arbitrary instance text (parsed by jv_parse, as
 * validate parses records) against a fixed set of schemas covering every
 * keyword family and the formats.
 */
#include "engine/schema/schema.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const schemas[] = {
	"{\"type\":\"object\",\"required\":[\"ExternalID\",\"Email\"],\"additionalProperties\":false,"
	"\"properties\":{\"ExternalID\":{\"type\":\"string\",\"pattern\":\"^[A-Z]{2}-\\\\d+$\"},"
	"\"Email\":{\"format\":\"email\"},\"Name\":{\"minLength\":1,\"maxLength\":40},"
	"\"Amount\":{\"type\":\"number\",\"multipleOf\":0.01,\"exclusiveMinimum\":0},"
	"\"Currency\":{\"format\":\"iso4217\"},\"Country\":{\"format\":\"iso3166\"},"
	"\"Tags\":{\"type\":\"array\",\"uniqueItems\":true,\"items\":{\"type\":\"string\"}},"
	"\"Lines\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/line\"}}},"
	"\"$defs\":{\"line\":{\"type\":\"object\",\"required\":[\"qty\"],"
	"\"properties\":{\"qty\":{\"type\":\"integer\",\"minimum\":1}}}}}",
	"{\"anyOf\":[{\"type\":\"string\",\"format\":\"date-time\"},{\"type\":\"string\",\"format\":\"uri\"},"
	"{\"type\":\"string\",\"format\":\"ipv6\"}],\"oneOf\":[{\"format\":\"time\"},{\"format\":\"uuid\"}],"
	"\"not\":{\"format\":\"date\"}}",
	"{\"$defs\":{\"t\":{\"type\":[\"object\",\"array\",\"number\"],\"patternProperties\":{\"^\\\\p{Lu}\":{\"$ref\":\"#/$defs/t\"}},"
	"\"prefixItems\":[{\"$ref\":\"#/$defs/t\"}],\"contains\":{\"type\":\"number\"},\"maxContains\":2,"
	"\"propertyNames\":{\"pattern\":\"^[^x]\"},\"dependentRequired\":{\"a\":[\"b\"]},"
	"\"dependentSchemas\":{\"c\":{\"minProperties\":2}},\"if\":{\"type\":\"number\"},"
	"\"then\":{\"multipleOf\":0.5},\"else\":{\"maxProperties\":4}}},\"$ref\":\"#/$defs/t\"}",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct schema *s[sizeof(schemas) / sizeof(schemas[0])];
	struct schema_errors e = SCHEMA_ERRORS_INIT;
	size_t i;

	if (s[0] == NULL) {
		for (i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
			struct ep_err err = EP_ERR_INIT;

			s[i] = schema_compile(schemas[i], strlen(schemas[i]), NULL, NULL,
			                      SCHEMA_FORMAT_ASSERT, &err);
			if (s[i] == NULL)
				abort();
		}
	}
	/* the instance text as a record reader hands it: not JSON is invalid */
	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		int a = schema_validate(s[i], (const char *)data, size, &e),
		    b = schema_validate(s[i], (const char *)data, size, NULL);

		if (a != b || (a == 0 && e.n == 0) || (a == 1 && e.n != 0))
			abort();
	}
	schema_errors_free(&e);
	return 0;
}
