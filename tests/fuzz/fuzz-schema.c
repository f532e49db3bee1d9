/*
 * fuzz-schema.c - schema_compile on arbitrary text (no files, no loader),
 * then every compiled schema validates a few fixed instances.
 */
#include "engine/schema/schema.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* clang-format off */
static const char *const instances[] = {
	"null", "true", "0", "-1.5", "1e300", "\"\"", "\"2024-02-29T12:00:00Z\"",
	"\"a@b.example\"", "[]", "[1,\"a\",[2],{\"b\":null}]", "{}",
	"{\"a\":1,\"b\":\"x\",\"c\":[true,false],\"d\":{\"e\":{}}}",
	"\"a\\u0000b\"", "1.0", "123456789012345678901234567890123456789012.5e-3",
};
/* clang-format on */

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct schema_errors e = SCHEMA_ERRORS_INIT;
	struct ep_err err = EP_ERR_INIT;
	struct schema *s;
	size_t i;

	s = schema_compile((const char *)data, size, NULL, NULL,
	                   SCHEMA_FORMAT_ASSERT | SCHEMA_NO_FILES, &err);
	if (s == NULL) {
		if (err.msg[0] == '\0')
			abort(); /* a failure always says why */
		return 0;
	}
	for (i = 0; i < sizeof(instances) / sizeof(instances[0]); i++) {
		const char *t = instances[i];
		int a = schema_validate(s, t, strlen(t), &e),
		    b = schema_validate(s, t, strlen(t), NULL);

		if (a != b || (a == 0 && e.n == 0) || (a == 1 && e.n != 0))
			abort(); /* with and without the error list must agree */
	}
	schema_errors_free(&e);
	schema_free(s);
	return 0;
}
