/*
 * fuzz-suggest.c - libFuzzer target for xform --suggest's readers and the
 * draft: input is up to four parts separated by lines "%%": a synonym
 * table, a target JSON Schema, source records (NDJSON), target records.
 * Every draft must compile as a map.
 */
#include "engine/map/map.h"
#include "engine/suggest.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void
records(struct suggest *sg, int side, const char *p, const char *end)
{
	struct ep_err err = EP_ERR_INIT;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		suggest_record(sg, side, p, len, &err);
		p += len + 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *end = s + size, *part[5];
	struct suggest_opts o = { NULL, 0, 1000, 1u << 20 };
	struct ep_err err = EP_ERR_INIT;
	struct suggest *sg = suggest_new(&o, &err);
	struct buf out = BUF_INIT;
	int n = 1;

	if (sg == NULL)
		abort();
	part[0] = s;
	while (n < 4) {
		const char *sep = memmem(part[n - 1], (size_t)(end - part[n - 1]), "\n%%\n", 4);

		if (sep == NULL)
			break;
		part[n++] = sep + 4;
	}
	part[n] = end + 4; /* each part ends 4 bytes before the next starts */
	if (suggest_synonyms(sg, part[0], (size_t)(part[1] - 4 - part[0]), "<fuzz>", &err) == 0) {
		if (n > 1)
			suggest_schema(sg, part[1], (size_t)(part[2] - 4 - part[1]), "<fuzz>",
			               &err);
		if (n > 2)
			records(sg, SUGGEST_SOURCE, part[2], part[3] - 4);
		if (n > 3)
			records(sg, SUGGEST_TARGET, part[3], part[4] - 4);
		if (suggest_write(sg, &out, &err) == 0) {
			struct map_opts mo = { NULL, 0, 1u << 20 };
			struct map_prog *p =
				map_compile(out.p, out.len, "/nonexistent/draft.map", &mo, &err);

			/* a lookup of nav/countries.csv may be missing here; any
			 * other failure to compile is a bug */
			if (p == NULL && strstr(out.p, "lookup(") == NULL)
				abort();
			map_free(p);
		}
	}
	buf_release(&out);
	suggest_free(sg);
	return 0;
}
