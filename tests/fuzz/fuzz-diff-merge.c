/*
 * fuzz-diff-merge.c - the three-way merge (lib/engine/diff/diff_merge.c, diff_join3)
 * and the policy file parser on arbitrary inputs.  Input: a flags byte,
 * then BASE, LEFT, RIGHT and a POLICY file's text, separated by NUL bytes
 * (missing parts are empty).  Flags: 1 a compound key, 2 --strict, 4
 * --sorted, 8 a tiny --memory (the spill), 16 --fields, 32 trim/case/date
 * rules, 64/128 the --deletes mode.  Every line the merge writes (fixes of
 * both sides, the new base, rejects, resolved notes) must be valid JSON.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/diff/diff.h"
#include "stream/json.h"

#include "fuzz-files.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
out(void *ctx, int what, const char *p, size_t n, struct ep_err *err)
{
	(void)ctx;
	(void)what;
	(void)err;
	if (json_check(p, n, NULL, NULL) != JSON_OBJECT)
		abort();
	return 0;
}

static void
bad(void *ctx, const char *source, uint64_t line, const char *msg)
{
	(void)ctx;
	(void)source;
	(void)line;
	(void)msg;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[3][96];
	const char *paths[3] = { path[0], path[1], path[2] };
	const uint8_t *part[4] = { NULL, NULL, NULL, NULL };
	size_t plen[4] = { 0, 0, 0, 0 };
	struct diff_spec spec;
	struct diff_pair keys[2] = { { { "id", "id" } }, { { "k", "K" } } };
	struct diff_pair fields[3] = { { { "a", "A" } }, { { "v", "v" } }, { { "o", "o" } } };
	struct diff_rule rules[1] = {
		{ "*", DIFF_TRIM | DIFF_ICASE | DIFF_DATE, { 0, 0 }, { 0, 0 } }
	};
	struct diff_policy pol = { NULL, 0 };
	struct diff_pair *ignore = NULL;
	int nignore = 0, flags, k;
	struct ep_err err = EP_ERR_INIT;
	struct diff_merge_spec ms;
	struct diff_merge_sink sink = { out, bad, NULL, NULL };
	struct diff *d;
	const char *dir;

	if (size < 1 || size > 1 << 16)
		return 0;
	if ((dir = fuzz_dir("fuzz-diff-merge")) == NULL)
		return 0;
	flags = data[0];
	data++;
	size--;
	/* BASE \0 LEFT \0 RIGHT \0 POLICY */
	for (k = 0; k < 4; k++) {
		const uint8_t *z = k < 3 ? memchr(data, 0, size) : NULL;

		part[k] = data;
		plen[k] = z ? (size_t)(z - data) : size;
		data += plen[k] + (z != NULL);
		size -= plen[k] + (z != NULL);
		if (z == NULL)
			break;
	}
	for (k = 0; k < 3; k++) {
		/* base, left, right: files 2, 0, 1 */
		int f = k == 0 ? 2 : k - 1;

		snprintf(path[f], sizeof path[f], "%s/%d", dir, f);
		if (fuzz_put(path[f], part[k] ? part[k] : (const uint8_t *)"", plen[k]) < 0)
			return 0;
	}
	if (part[3] != NULL && diff_policy_parse((const char *)part[3], plen[3], "policy", &pol,
	                                         &ignore, &nignore, &err) < 0) {
		diff_policy_free(&pol);
		diff_pairs_free(ignore, nignore);
		return 0;
	}
	if (pol.nowners == 0)
		diff_parse_owners("o=right", &pol, &err);
	memset(&spec, 0, sizeof spec);
	spec.keys = keys;
	spec.nkeys = flags & 1 ? 2 : 1;
	spec.strict = !!(flags & 2);
	spec.sorted = !!(flags & 4);
	spec.memory = flags & 8 ? 2048 : 0;
	if (flags & 16) {
		spec.fields = fields;
		spec.nfields = 3;
	} else {
		spec.ignore = ignore;
		spec.nignore = nignore;
	}
	if (flags & 32) {
		spec.rules = rules;
		spec.nrules = 1;
	}
	memset(&ms, 0, sizeof ms);
	ms.policy = &pol;
	ms.deletes = (enum diff_deletes)((flags >> 6) % 3);
	ms.archive[1] = "{\"Status\":\"archived\"}";
	ms.emit[0] = ms.emit[1] = 1;
	ms.base = 1;
	if ((d = diff_new(&spec, &err)) != NULL) {
		diff_merge_run(d, &ms, paths, &sink, &err);
		diff_free(d);
	}
	diff_policy_free(&pol);
	diff_pairs_free(ignore, nignore);
	return 0;
}
