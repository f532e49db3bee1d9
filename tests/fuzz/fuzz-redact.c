/* fuzz-redact: the trace redactor reads response bodies and headers, which
 * are outside input.  The first line of the input is a secret to register;
 * the rest is the text.  The secret must never survive redaction. */
#include "base/redact.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *nl = memchr(data, '\n', size);
	struct redact *r = redact_new();
	struct buf out = BUF_INIT;
	size_t slen = nl ? (size_t)(nl - text) : 0;

	if (r == NULL)
		return 0;
	if (nl) {
		redact_add(r, text, slen);
		text = nl + 1;
		size -= slen + 1;
	}
	buf_init(&out, 3 * size + 64);
	/* a secret shorter than REDACT_TOKEN_LEN is redacted as a whole
	 * token only: inside a word it may stay (redact.h) */
	if (redact_text(r, text, size, &out) == 0 && slen >= REDACT_TOKEN_LEN &&
	    slen <= REDACT_MAX_LEN && !memchr(data, '*', slen) &&
	    memmem(buf_str(&out), out.len, data, slen) != NULL)
		abort(); /* a registered secret got through */
	buf_reset(&out);
	/* standing alone, any secret is masked */
	if (slen > 0 && slen <= REDACT_MAX_LEN &&
	    redact_text(r, (const char *)data, slen, &out) == 0 &&
	    memmem(buf_str(&out), out.len, data, slen) != NULL && !memchr(data, '*', slen))
		abort();
	buf_release(&out);
	redact_free(r);
	return 0;
}
