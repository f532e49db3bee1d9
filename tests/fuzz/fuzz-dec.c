/*
 * fuzz-dec.c - dec_parse on arbitrary bytes; what parses must format and
 * parse back to an equal value, and arithmetic must not trap; the exact
 * multipleOf on the texts agrees with the decimals'.
 */
#include "base/dec.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dec a, b, r;
	char buf[DEC_STRLEN];
	const char *s = (const char *)data;
	const char *sp = memchr(s, ' ', size);
	size_t n1 = sp ? (size_t)(sp - s) : size;

	if (dec_parse(s, n1, &a) < 0)
		return 0;
	if (dec_format(&a, buf, sizeof(buf)) < 0)
		abort();
	if (dec_parse(buf, strlen(buf), &b) < 0 || dec_cmp(&a, &b) != 0 || a.scale != b.scale)
		abort();
	if (dec_from_double(dec_to_double(&a), &r) == 0 && dec_to_double(&r) != dec_to_double(&a))
		abort();
	if (sp == NULL || dec_parse(sp + 1, size - n1 - 1, &b) < 0)
		return 0;
	/* a second operand after a space: exercise the arithmetic */
	if (dec_add(&a, &b, &r) == 0 && dec_sub(&r, &b, &r) == 0 && dec_cmp(&r, &a) != 0)
		abort();
	dec_mul(&a, &b, &r);
	dec_div(&a, &b, 6, DEC_HALF_EVEN, &r);
	dec_round(&a, 2, DEC_HALF_UP, &r);
	/* multipleOf on the text must agree with the decimals where both say */
	{
		int m = dec_is_multiple(&a, &b),
		    t = dec_text_is_multiple(s, n1, sp + 1, size - n1 - 1);
		if (m >= 0 && t >= 0 && m != t)
			abort();
	}
	(void)dec_cmp(&a, &b);
	return 0;
}
