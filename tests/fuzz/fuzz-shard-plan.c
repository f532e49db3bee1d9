/*
 * fuzz-shard-plan.c - libFuzzer target for the shard plan reader
 * (--shard-plan-file, lib/connect/extract.c).  The input is written to a file and
 * read for shard 2/3 of one stream; a plan taken has a field and bounds of
 * the allowed kinds, a refused one a message and status 65.
 */
#include "connect/extract.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-files.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct extract_shard_bounds b;
	struct ep_err err = EP_ERR_INIT;
	const char *dir = fuzz_dir("fuzz-shard-plan");
	char path[128];
	int64_t lo, hi;

	if (dir == NULL)
		return 0;
	snprintf(path, sizeof(path), "%s/plan", dir);
	if (fuzz_put(path, data, size) < 0)
		return 0;
	if (extract_shard_plan_read(path, "odoo:p:res.partner#2/3", &b, &err) < 0) {
		if (err.code != EP_DATAERR || err.msg[0] == '\0' || b.field != NULL)
			abort();
		return 0;
	}
	if (b.field == NULL || b.field[0] == '\0')
		abort();
	if ((b.ge && !cJSON_IsNumber(b.ge) && !cJSON_IsString(b.ge)) ||
	    (b.lt && !cJSON_IsNumber(b.lt) && !cJSON_IsString(b.lt)))
		abort();
	ep_err_clear(&err);
	if (extract_shard_bounds_ids(&b, path, &lo, &hi, &err) < 0) {
		if (err.code != EP_DATAERR)
			abort();
	} else if (b.empty && lo <= hi) {
		abort();
	}
	extract_shard_bounds_free(&b);
	return 0;
}
