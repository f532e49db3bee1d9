/* fuzz-oauth: a token endpoint's answer is outside input.  The first byte
 * picks the HTTP status the body came with. */
#include "net/oauth.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long statuses[] = { 200, 201, 400, 401, 403, 404, 500, 302 };
	struct oauth_token t;
	struct ep_err e = EP_ERR_INIT;
	long status;
	size_t i;

	if (size == 0)
		return 0;
	status = statuses[data[0] % 8];
	if (oauth_parse_token(status, (const char *)data + 1, size - 1, 1700000000000LL, &t, &e) ==
	    0) {
		if (t.access_token == NULL || t.lifetime_ms < 1 ||
		    t.expires_at_ms <= 1700000000000LL)
			abort();
		/* a token goes into a header: no control bytes, no spaces */
		for (i = 0; t.access_token[i]; i++)
			if ((unsigned char)t.access_token[i] <= 0x20)
				abort();
		oauth_token_release(&t);
	} else if (e.code == 0 || strchr(e.msg, '\n') != NULL) {
		abort();
	}
	return 0;
}
