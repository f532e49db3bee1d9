/* fuzz-bng: BNG's answers are outside input: list pages (every page style,
 * with and without a Link header), error bodies, and OpenAPI documents for
 * --describe.  The first byte picks the parser. */
#include "proto/bng.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ep_err e = EP_ERR_INIT;
	struct bng_list l = { 0 };
	struct bng_error be;
	const char *body;
	cJSON *items = NULL, *doc, *s;
	char *next = NULL, *link = NULL;
	size_t n, i;

	if (size < 1)
		return 0;
	body = (const char *)data + 1;
	n = size - 1;
	switch (data[0] % 4) {
	case 0: /* a page; a line break splits off a Link header */
	case 1: {
		const char *nl = memchr(body, '\n', n);

		if (nl) {
			link = strndup(body, (size_t)(nl - body));
			n -= (size_t)(nl - body) + 1;
			body = nl + 1;
		}
		l.style = (enum bng_page_style)((data[0] >> 2) % 4);
		if (data[0] & 0x40) {
			l.items_path = "result.items";
			l.next_path = "/result/next";
		}
		if (bng_page_parse(&l, body, n, link, &items, &next, &e) == 0) {
			if (!cJSON_IsArray(items))
				abort();
		} else if (e.code == 0)
			abort();
		cJSON_Delete(items);
		free(next);
		free(link);
		break;
	}
	case 2:
		if (bng_error_parse(body, n, &be) == 0) {
			for (i = 0; i < be.nfields; i++)
				if (be.fields[i].path[0] != '\0' && be.fields[i].path[0] != '/')
					abort();
			bng_error_release(&be);
		}
		break;
	case 3:
		if ((doc = cJSON_ParseWithLength(body, n)) == NULL)
			break;
		s = bng_describe(doc, "customers", &e);
		if (s == NULL && e.code == 0)
			abort();
		cJSON_Delete(s);
		cJSON_Delete(doc);
		break;
	}
	return 0;
}
