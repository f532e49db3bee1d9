/*
 * fuzz-fields.c - the field-list parser (lib/fields) on arbitrary bytes
 * under every flag set: it ends, every item lies inside the list and holds
 * no comma, a pair's two names are inside the item and hold no '=', and
 * skipped or trimmed items never come out empty or blank-led.
 */
#include "base/fields.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	size_t len;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	len = strlen(s);
	for (unsigned flags = 0; flags < 8; flags++) {
		struct fields_iter it;
		struct field_ref f;
		size_t items = 0;
		int r;

		fields_init(&it, s, flags);
		while ((r = fields_next(&it, &f)) != 0) {
			if (f.item < s || f.item + f.len > s + len || memchr(f.item, ',', f.len))
				abort();
			if (r < 0)
				break;
			if (f.len == 0 || ((flags & FIELDS_TRIM) && f.item[0] == ' '))
				abort();
			for (int k = 0; k < 2; k++)
				if (f.name[k] < f.item || f.name[k] + f.n[k] > f.item + f.len ||
				    f.n[k] == 0 ||
				    ((flags & FIELDS_PAIRS) && memchr(f.name[k], '=', f.n[k])))
					abort();
			if (++items > len + 1)
				abort();
		}
	}
	free(s);
	return 0;
}
