/*
 * fuzz-similar.c - the fuzzy matcher's spec parser, normalisers, scorer,
 * reasons and blocking keys (lib/engine/similar.c) on arbitrary bytes.  The input
 * is a spec line, then the values of two records separated by TABs (a field
 * missing when there are fewer).  The score must be in [0, 1], symmetric,
 * equal records must share a block, the reasons must be a JSON array, and
 * the stream index must find an identical record.
 */
#include "engine/similar.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stream/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *e = s + size, *nl = memchr(s, '\n', size);
	struct sim_spec sp;
	struct ep_err err = EP_ERR_INIT;
	struct buf a = BUF_INIT, b = BUF_INIT, r = BUF_INIT;
	const char *va[SIM_MAXF] = { 0 }, *vb[SIM_MAXF] = { 0 };
	size_t la[SIM_MAXF] = { 0 }, lb[SIM_MAXF] = { 0 };
	char spec[256];
	struct sim_why why;
	uint64_t ka[SIM_MAXKEYS], kb[SIM_MAXKEYS], pos;
	int na, nb, shared = 0;
	double s1, s2, sc;
	struct sim_index *x;

	if (nl == NULL || (size_t)(nl - s) >= sizeof spec)
		return 0;
	memcpy(spec, s, (size_t)(nl - s));
	spec[nl - s] = '\0';
	memset(&sp, 0, sizeof sp);
	if (sim_spec_parse(spec, 1, "--match", &sp, &err) < 0) {
		sim_spec_free(&sp);
		return 0;
	}
	sim_set_country(&sp, "44", &err);
	/* the values: TAB-separated, the first sp.n for a, the next for b */
	s = nl + 1;
	for (int i = 0; i < 2 * sp.n && s <= e; i++) {
		const char *t = memchr(s, '\t', (size_t)(e - s));
		size_t l = t ? (size_t)(t - s) : (size_t)(e - s);

		if (i < sp.n) {
			va[i] = s;
			la[i] = l;
		} else {
			vb[i - sp.n] = s;
			lb[i - sp.n] = l;
		}
		if (t == NULL)
			break;
		s = t + 1;
	}
	if (sim_norm(&sp, va, la, &a) < 0 || sim_norm(&sp, vb, lb, &b) < 0)
		abort();
	if (sim_rec_size(a.p) != a.len || sim_rec_size(b.p) != b.len)
		abort();
	s1 = sim_score(&sp, a.p, b.p, &why);
	s2 = sim_score(&sp, b.p, a.p, NULL);
	if (!(s1 >= 0 && s1 <= 1) || fabs(s1 - s2) > 1e-9)
		abort();
	if (sim_reasons_json(&sp, &why, 0, &r) < 0 ||
	    json_check(r.p, r.len, NULL, NULL) != JSON_ARRAY)
		abort();
	na = sim_block_keys(&sp, a.p, ka, SIM_MAXKEYS);
	nb = sim_block_keys(&sp, a.p, kb, SIM_MAXKEYS);
	if (na != nb || (na && memcmp(ka, kb, (size_t)na * sizeof ka[0]) != 0))
		abort();
	/* a record and itself: they share a block, and the index finds it */
	shared = na > 0;
	x = sim_index_new(&sp, 4);
	if (x == NULL || sim_index_add(x, b.p, 1) < 0 || sim_index_add(x, a.p, 2) < 0)
		abort();
	if (shared && !sim_rec_empty(&sp, a.p) &&
	    (sim_index_find(x, a.p, 1e-300, &pos, &sc, NULL) != 1 || !(sc >= 0 && sc <= 1)))
		abort();
	sim_index_free(x);
	buf_release(&a);
	buf_release(&b);
	buf_release(&r);
	sim_spec_free(&sp);
	return 0;
}
