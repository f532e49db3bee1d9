/*
 * fuzz-diff.c - the record diff engine (lib/diff*.c) on arbitrary pairs of
 * inputs: record scanning, keys, value comparison, the three joins (the
 * first byte picks strict, sorted, a tiny --memory, totals, --fields), the
 * reports and the fix records.  Input: flags byte, then LEFT, a NUL byte,
 * RIGHT.  Every key, fix and report line written must be valid JSON.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/diff/diff.h"
#include "stream/json.h"
#include "engine/map/map.h"

#include "fuzz-files.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct ctx {
	struct diff *d;
	struct diff_report *rep[3];
	struct buf b;
};

static void
valid(const struct buf *b)
{
	if (json_check(b->p ? b->p : "", b->len, NULL, NULL) == JSON_INVALID)
		abort();
}

static int
event(void *c, const struct diff_event *ev, struct ep_err *err)
{
	struct ctx *x = c;
	struct map_rterr re;

	for (int i = 0; i < 3; i++)
		if (diff_report_event(x->rep[i], ev, err) < 0)
			return -1;
	buf_reset(&x->b);
	diff_key_json(x->d, &x->b, ev->key, ev->keylen, DIFF_RIGHT);
	valid(&x->b);
	for (int side = 0; side < 2; side++) {
		buf_reset(&x->b);
		if (diff_fix(x->d, ev, side, 1, NULL, &x->b, &re) == 1)
			valid(&x->b);
		if (ev->rec[side] != NULL) {
			buf_reset(&x->b);
			diff_record_json(x->d, ev->rec[side], side, &x->b);
			valid(&x->b);
		}
	}
	return 0;
}

static void
bad(void *c, const char *source, uint64_t line, const char *msg)
{
	(void)c;
	(void)source;
	(void)line;
	(void)msg;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char lp[96], rp[96];
	const char *dir;
	const uint8_t *sep;
	struct diff_spec spec;
	struct diff_pair keys[2] = { { { "id", "id" } }, { { "k", "K" } } };
	struct diff_pair fields[2] = { { { "a", "A" } }, { { "v", "v" } } };
	struct diff_pair sums[1] = { { { "v", "v" } } };
	struct diff_rule rules[1] = {
		{ "*", DIFF_TRIM | DIFF_ICASE | DIFF_DATE, { 0, 0 }, { 0, 0 } }
	};
	struct ep_err err = EP_ERR_INIT;
	struct ctx x = { 0 };
	struct diff_sink sink = { event, bad, NULL, &x };
	const char *paths[2] = { lp, rp };
	int flags, devnull;

	if (size < 1 || size > 1 << 16)
		return 0;
	if ((dir = fuzz_dir("fuzz-diff")) == NULL)
		return 0;
	flags = data[0];
	data++;
	size--;
	sep = memchr(data, 0, size);
	snprintf(lp, sizeof lp, "%s/l", dir);
	snprintf(rp, sizeof rp, "%s/r", dir);
	if (fuzz_put(lp, data, sep ? (size_t)(sep - data) : size / 2) < 0 ||
	    fuzz_put(rp, sep ? sep + 1 : data + size / 2,
	             sep ? size - (size_t)(sep - data) - 1 : size - size / 2) < 0)
		return 0;
	memset(&spec, 0, sizeof spec);
	spec.keys = keys;
	spec.nkeys = flags & 1 ? 2 : 1;
	spec.strict = !!(flags & 2);
	spec.sorted = !!(flags & 4);
	spec.memory = flags & 8 ? 2048 : 0;
	if (flags & 16) {
		spec.fields = fields;
		spec.nfields = 2;
	}
	if (flags & 32) {
		spec.rules = rules;
		spec.nrules = 1;
	}
	if (flags & 64) {
		spec.sums = sums;
		spec.nsums = 1;
		spec.group = keys[flags & 1];
		spec.group_unit = flags & 128 ? DIFF_GROUP_MONTH : DIFF_GROUP_VALUE;
		spec.sorted = 0;
	}
	if ((x.d = diff_new(&spec, &err)) == NULL)
		abort();
	devnull = open("/dev/null", O_WRONLY);
	x.rep[0] = diff_report_new(x.d, DIFF_FMT_NDJSON, devnull, 1);
	x.rep[1] = diff_report_new(x.d, DIFF_FMT_CSV, devnull, 1);
	x.rep[2] = diff_report_new(x.d, flags & 128 ? DIFF_FMT_HTML : DIFF_FMT_SUMMARY, devnull, 1);
	if (diff_run(x.d, paths, &sink, &err) == 0)
		for (int i = 0; i < 3; i++)
			diff_report_finish(x.rep[i], &err);
	for (int i = 0; i < 3; i++)
		diff_report_free(x.rep[i]);
	close(devnull);
	buf_release(&x.b);
	diff_free(x.d);
	return 0;
}
