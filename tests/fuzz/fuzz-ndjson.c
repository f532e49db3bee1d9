/*
 * fuzz-ndjson.c - the NDJSON reader and the record checks on arbitrary
 * bytes: framing (CRLF, blank lines, over-long lines, no final newline),
 * UTF-8 validation, the JSON syntax check, and the reject formatter.
 * The first byte picks a small max_line so over-long paths are reached.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "stream/json.h"
#include "stream/ndjson.h"
#include "stream/reject.h"
#include "base/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ndjson_reader r;
	struct ndjson_line ln;
	struct ep_err e;
	struct buf b = BUF_INIT;
	int fds[2];
	size_t max;

	if (size == 0)
		return 0;
	max = 2 + data[0] % 64;
	data++;
	size--;
	/* whole-input checks, as one line */
	{
		size_t off;
		const char *why;
		size_t ok = utf8_valid_prefix((const char *)data, size);
		enum json_type t = json_check((const char *)data, size, &off, &why);
		if (ok == size && t != JSON_INVALID) {
			/* whatever we accept, cJSON must accept too */
			cJSON *c = cJSON_ParseWithLength((const char *)data, size);
			if (c == NULL)
				abort();
			cJSON_Delete(c);
		}
	}
	if (size > 65536 || pipe(fds) < 0)
		return 0;
	if (write(fds[1], data, size) != (ssize_t)size) {
		close(fds[0]);
		close(fds[1]);
		return 0;
	}
	close(fds[1]);
	if (ndjson_open(&r, NULL, max, &e) < 0)
		return 0;
	r.fd = fds[0];
	for (;;) {
		enum ndjson_kind k = ndjson_next(&r, &ln, &e);
		if (k == NDJ_EOF || k == NDJ_ERROR)
			break;
		if (ln.len > max && k == NDJ_LINE)
			abort();
		struct reject rj = { 0 };
		rj.stage = "parse";
		rj.source = "fuzz";
		rj.line = ln.lineno;
		rj.error = "x";
		rj.raw = ln.p;
		rj.raw_len = ln.len;
		rj.raw_total = ln.total;
		buf_reset(&b);
		reject_format(&b, &rj);
		/* a reject line is always valid JSON */
		if (json_check(b.p, b.len, NULL, NULL) != JSON_OBJECT)
			abort();
	}
	close(fds[0]);
	ndjson_close(&r);
	buf_release(&b);
	return 0;
}
