/*
 * fuzz-schema.c - schema_compile on arbitrary JSON text (no files, no
 * loader), then every compiled schema validates a few fixed instances.
 */
#include "schema.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const instances[] = {
	"null", "true", "0", "-1.5", "1e300", "\"\"", "\"2024-02-29T12:00:00Z\"",
	"\"a@b.example\"", "[]", "[1,\"a\",[2],{\"b\":null}]", "{}",
	"{\"a\":1,\"b\":\"x\",\"c\":[true,false],\"d\":{\"e\":{}}}",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static cJSON *inst[sizeof(instances) / sizeof(instances[0])];
	struct schema_errors e = SCHEMA_ERRORS_INIT;
	struct ep_err err = EP_ERR_INIT;
	struct schema *s;
	cJSON *doc;
	size_t i;

	if (inst[0] == NULL)
		for (i = 0; i < sizeof(inst) / sizeof(inst[0]); i++)
			inst[i] = cJSON_Parse(instances[i]);
	doc = cJSON_ParseWithLength((const char *)data, size);
	if (doc == NULL)
		return 0;
	s = schema_compile_ex(doc, NULL, NULL, SCHEMA_FORMAT_ASSERT | SCHEMA_NO_FILES, &err);
	cJSON_Delete(doc);
	if (s == NULL) {
		if (err.msg[0] == '\0')
			abort(); /* a failure always says why */
		return 0;
	}
	for (i = 0; i < sizeof(inst) / sizeof(inst[0]); i++) {
		int a = schema_validate(s, inst[i], &e), b = schema_validate(s, inst[i], NULL);

		if (a != b || (a == 0 && e.n == 0) || (a == 1 && e.n != 0))
			abort(); /* with and without the error list must agree */
	}
	schema_errors_free(&e);
	schema_free(s);
	return 0;
}
