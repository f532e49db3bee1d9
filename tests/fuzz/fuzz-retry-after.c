/* fuzz-retry-after: Retry-After header values are outside input. */
#include "net/retry.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct retry_policy p = RETRY_POLICY_DEFAULT;
	struct retry_decision d;
	struct retry_input in = { 0, RETRY_RESPONSE, 429, NULL, 1700000000000LL, 0 };
	uint64_t rng = 1;
	int64_t w, t;
	char *s;

	/* the raw bytes, unterminated, as the parser sees a header value */
	if (retry_after_parse((const char *)data, size, in.wall_ms, &w) == 0 && w < 0)
		abort();
	retry_http_date((const char *)data, size, &t);
	/* and the NUL-terminated text through the whole decision */
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	in.retry_after = s;
	retry_decide(&p, &in, &rng, &d);
	if (d.action == RETRY_AGAIN && (d.wait_ms < 0 || d.wait_ms > p.max_time_ms))
		abort();
	free(s);
	return 0;
}
