/*
 * fuzz-anomaly.c - validate's --history file on arbitrary bytes: what
 * loads must write back, load again and write back the same (the history
 * is stable across runs); amounts judged against what loaded must give a
 * finite score or a clean "not judged"; the bytes as a payment reference
 * normalise to forms that are themselves normal (normalising twice changes
 * nothing).
 */
#include "engine/anomaly.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *
print_both(struct anomaly_hist *h)
{
	cJSON *m = cJSON_CreateObject(), *s = anomaly_hist_series_json(h),
	      *p = anomaly_hist_payments_json(h, 7);
	char *t;

	if (m == NULL || s == NULL || p == NULL)
		abort();
	cJSON_AddItemToObject(m, ANOMALY_STREAM, s);
	cJSON_AddItemToObject(m, ANOMALY_PAY_STREAM, p);
	t = cJSON_PrintUnformatted(m);
	cJSON_Delete(m);
	if (t == NULL)
		abort();
	return t;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf f = BUF_INIT, s = BUF_INIT, f2 = BUF_INIT, s2 = BUF_INIT;
	struct ep_err err = EP_ERR_INIT;
	struct anomaly_hist *h = anomaly_hist_new(20), *h2;
	cJSON *map = cJSON_ParseWithLength((const char *)data, size);
	char *one, *two;

	if (h == NULL)
		abort();
	/* the bytes as a reference: the flat form is a fixed point */
	if (anomaly_ref_norm((const char *)data, size, &f, &s) < 0 ||
	    anomaly_ref_norm(buf_str(&f), f.len, &f2, &s2) < 0)
		abort();
	if (f.len && strcmp(buf_str(&f), buf_str(&f2)) != 0 && f2.len > f.len)
		abort();
	buf_release(&f);
	buf_release(&s);
	buf_release(&f2);
	buf_release(&s2);
	if (map == NULL || anomaly_hist_load(h, map, "fuzz", &err) < 0) {
		if (map && err.msg[0] == '\0')
			abort(); /* a refusal says why */
		cJSON_Delete(map);
		anomaly_hist_free(h);
		return 0;
	}
	cJSON_Delete(map);
	one = print_both(h);
	h2 = anomaly_hist_new(20);
	map = cJSON_Parse(one);
	if (h2 == NULL || map == NULL || anomaly_hist_load(h2, map, "again", &err) < 0)
		abort();
	cJSON_Delete(map);
	two = print_both(h2);
	if (strcmp(one, two) != 0)
		abort();
	/* judge two amounts in each series' first group */
	map = cJSON_Parse(one);
	{
		cJSON *series =
			cJSON_GetObjectItem(cJSON_GetObjectItem(map, ANOMALY_STREAM), "series");
		cJSON *sr;

		cJSON_ArrayForEach(sr, series) {
			static const char *const xs[] = { "1", "-5.5", "0", "1e30", NULL };

			if (sr->child == NULL)
				continue;
			for (const char *const *x = xs; *x; x++) {
				struct anomaly_verdict vd;
				struct dec d;

				if (dec_parse_str(*x, &d) < 0 ||
				    anomaly_judge(h2, sr->string, sr->child->string, &d, NULL, 1,
				                  3.5, &vd) < 0)
					abort();
				if (vd.judged && (!isfinite(vd.score) || vd.score < 0))
					abort();
			}
		}
	}
	cJSON_Delete(map);
	free(one);
	free(two);
	anomaly_hist_free(h);
	anomaly_hist_free(h2);
	return 0;
}
