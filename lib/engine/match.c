/*
 * match.c - reconcile --match: blocking, scoring and the one-to-one
 * assignment of two record files that share no key.
 */
#include "engine/match.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "engine/map/map.h"
#include "stream/jv.h"
#include "stream/ndjson.h"
#include "base/text.h"

#define MAX_BLOCK 100
#define MARGIN 1.0 /* points: a rival this close makes a pair ambiguous */
#define RIVALS 3   /* ambiguous pairs shown per unbound left record */

/* one record of a side: its sim record and id text in the side's bufs */
struct mrec {
	size_t sim, id; /* offsets */
	uint32_t idlen;
	uint64_t line;
};

/* arrays grow as the bytes of a struct buf; r, bk, cd point into them */
struct side {
	struct buf sim, id, rb;
	struct mrec *r;
	size_t n;
};

struct bkey {
	uint64_t key;
	uint32_t rec;
};

/* a block of the index: its key, where its records start, how many */
struct block {
	uint64_t key;
	uint32_t at, n;
};

struct cand {
	uint32_t l, r;
	double score, pts;
	int state; /* 0 none, 1 bound, 2 ambiguous */
};

struct run {
	const struct match_spec *spec;
	const struct match_sink *sink;
	struct match_counts *c;
	struct ep_err *err;
	struct side s[2];
	struct buf bkb;
	struct bkey *bk;
	size_t nbk;
	struct block *bl; /* the distinct keys of bk, in order */
	size_t nbl;
	uint32_t *tab; /* open addressing over bl: index + 1, 0 empty */
	size_t mask;
	struct buf cdb;
	struct cand *cd;
	size_t ncd;
	uint32_t *stamp; /* right record -> the last left record (+1) it met */
	/* per record scratch */
	struct arena A;
	struct jv_parser jp;
	struct buf mapped, line;
	const char *vals[SIM_MAXF];
	size_t lens[SIM_MAXF];
};

static int
oom(struct run *R)
{
	return ep_errf(R->err, EP_SOFTWARE, "out of memory");
}

/* the record's id as JSON into b: one field its value, several an object;
 * 1 when an id field is missing or null */
static int
id_json(struct run *R, const struct jv *rec, int side, struct buf *b)
{
	int rc = 0;

	buf_reset(b);
	if (R->spec->nids > 1)
		rc |= buf_addc(b, '{');
	for (int i = 0; i < R->spec->nids; i++) {
		const char *name = R->spec->ids[i].name[side];
		const struct jv *v = jv_obj_get(rec, name, strlen(name));

		if (v == NULL || v->t == JV_NULL || v->t == JV_FALSE)
			return 1;
		if (R->spec->nids > 1) {
			if (i)
				rc |= buf_addc(b, ',');
			rc |= json_quote(b, name, strlen(name));
			rc |= buf_addc(b, ':');
		}
		rc |= jv_emit(b, v);
	}
	if (R->spec->nids > 1)
		rc |= buf_addc(b, '}');
	return rc ? -1 : 0;
}

static int
is_control(const struct jv *rec)
{
	return rec->n == 1 && rec->u.o[0].kn == 11 && memcmp(rec->u.o[0].k, "_checkpoint", 11) == 0;
}

static void
bad(struct run *R, int side, const char *source, uint64_t line, const char *msg)
{
	R->c->bad[side]++;
	if (R->sink->bad)
		R->sink->bad(R->sink->ctx, source, line, msg);
}

/* Read one record of side into R->s[side]: 1 kept, 0 skipped, -1 failed */
static int
take(struct run *R, int side, const char *source, const struct ndjson_line *ln)
{
	struct side *S = &R->s[side];
	const char *p = ln->p;
	size_t n = ln->len;
	struct jv rec;
	struct mrec m;
	char msg[1100];
	int r;

	if (R->spec->map[side]) {
		struct map_rterr re;

		buf_reset(&R->mapped);
		r = map_apply(R->spec->map[side], p, n, &R->mapped, &re);
		if (r == MAP_DROP) {
			R->c->dropped[side]++;
			return 0;
		}
		if (r == MAP_PASS)
			return 0;
		if (r != MAP_OK) {
			snprintf(msg, sizeof msg, "%s",
			         r == MAP_BADJSON ? "not a JSON object"
			         : re.where[0]    ? re.where
			                          : re.msg);
			bad(R, side, source, ln->lineno, msg);
			return 0;
		}
		p = R->mapped.p;
		n = R->mapped.len;
	}
	arena_reset(&R->A);
	if (jv_parse(&R->jp, p, n, &rec) < 0 || rec.t != JV_OBJ) {
		if (R->jp.errkind == JV_PARSE_NOMEM)
			return oom(R);
		bad(R, side, source, ln->lineno, "not a JSON object");
		return 0;
	}
	if (is_control(&rec))
		return 0;
	R->c->read[side]++;
	if ((r = id_json(R, &rec, side, &R->line)) != 0) {
		if (r < 0)
			return oom(R);
		snprintf(msg, sizeof msg, "no id field '%s'", R->spec->ids[0].name[side]);
		for (int i = 0; i < R->spec->nids; i++)
			if (jv_obj_get(&rec, R->spec->ids[i].name[side],
			               strlen(R->spec->ids[i].name[side])) == NULL)
				snprintf(msg, sizeof msg, "no id field '%s'",
				         R->spec->ids[i].name[side]);
		bad(R, side, source, ln->lineno, msg);
		return 0;
	}
	sim_values(R->spec->sim, side, &rec, R->vals, R->lens);
	m.sim = S->sim.len;
	m.id = S->id.len;
	m.idlen = (uint32_t)R->line.len;
	m.line = ln->lineno;
	if (sim_norm(R->spec->sim, R->vals, R->lens, &S->sim) < 0 ||
	    buf_add(&S->id, R->line.p, R->line.len) < 0 || buf_add(&S->rb, &m, sizeof m) < 0)
		return oom(R);
	S->r = (struct mrec *)S->rb.p;
	if (sim_rec_empty(R->spec->sim, S->sim.p + m.sim))
		R->c->empty[side]++;
	S->n++;
	return 1;
}

static int
cmp_bkey(const void *a, const void *b)
{
	const struct bkey *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->rec < y->rec ? -1 : x->rec > y->rec;
}

/* the block of key k, or NULL */
static const struct block *
find_block(const struct run *R, uint64_t k)
{
	for (size_t i = (size_t)(k ^ k >> 29) & R->mask; R->tab[i]; i = (i + 1) & R->mask)
		if (R->bl[R->tab[i] - 1].key == k)
			return &R->bl[R->tab[i] - 1];
	return NULL;
}

/* the sorted index into blocks */
static int
make_blocks(struct run *R)
{
	if (R->nbk)
		qsort(R->bk, R->nbk, sizeof(*R->bk), cmp_bkey);
	if ((R->bl = malloc((R->nbk + 1) * sizeof(*R->bl))) == NULL)
		return oom(R);
	for (size_t i = 0; i < R->nbk; i++) {
		if (R->nbl == 0 || R->bl[R->nbl - 1].key != R->bk[i].key)
			R->bl[R->nbl++] = (struct block){ R->bk[i].key, (uint32_t)i, 0 };
		R->bl[R->nbl - 1].n++;
	}
	/* a table at most half full */
	for (R->mask = 1023; R->mask < 2 * R->nbl; R->mask = R->mask * 2 + 1)
		;
	if ((R->tab = calloc(R->mask + 1, sizeof(*R->tab))) == NULL)
		return oom(R);
	for (size_t b = 0; b < R->nbl; b++) {
		uint64_t k = R->bl[b].key;
		size_t i = (size_t)(k ^ k >> 29) & R->mask;

		while (R->tab[i])
			i = (i + 1) & R->mask;
		R->tab[i] = (uint32_t)b + 1;
	}
	return 0;
}

static int
read_side(struct run *R, int side, const char *path, int (*each)(struct run *R, uint32_t idx))
{
	struct ndjson_reader rd;
	struct ndjson_line ln;
	enum ndjson_kind k;
	int rc = 0;

	if (ndjson_open(&rd, path, R->spec->max_line ? R->spec->max_line : NDJ_DEFAULT_MAX_LINE,
	                R->err) < 0)
		return -1;
	while ((k = ndjson_next(&rd, &ln, R->err)) != NDJ_EOF) {
		int t;

		if (k == NDJ_ERROR) {
			rc = -1;
			break;
		}
		if (k == NDJ_TOO_LONG) {
			bad(R, side, rd.name, ln.lineno, "line too long");
			continue;
		}
		if ((t = take(R, side, rd.name, &ln)) < 0) {
			rc = -1;
			break;
		}
		if (t == 1 && each && each(R, (uint32_t)(R->s[side].n - 1)) < 0) {
			rc = -1;
			break;
		}
	}
	ndjson_close(&rd);
	return rc;
}

/* a right record's blocking keys into the index */
static int
index_right(struct run *R, uint32_t idx)
{
	uint64_t keys[SIM_MAXKEYS];
	int n = sim_block_keys(R->spec->sim, R->s[1].sim.p + R->s[1].r[idx].sim, keys, SIM_MAXKEYS);

	for (int i = 0; i < n; i++) {
		struct bkey k = { keys[i], idx };

		if (buf_add(&R->bkb, &k, sizeof k) < 0)
			return oom(R);
	}
	R->bk = (struct bkey *)R->bkb.p;
	R->nbk += (size_t)n;
	return 0;
}

/* a left record against the right records of its blocks */
static int
score_left(struct run *R, uint32_t idx)
{
	const struct sim_spec *sp = R->spec->sim;
	const char *ls = R->s[0].sim.p + R->s[0].r[idx].sim;
	uint64_t keys[SIM_MAXKEYS];
	int n = sim_block_keys(sp, ls, keys, SIM_MAXKEYS);
	size_t maxb = R->spec->max_block > 0 ? (size_t)R->spec->max_block : MAX_BLOCK;

	for (int i = 0; i < n; i++) {
		const struct block *b = find_block(R, keys[i]);
		size_t at, e;

		if (b == NULL)
			continue;
		if (b->n > maxb) {
			R->c->big_blocks++;
			continue;
		}
		for (at = b->at, e = at + b->n; at < e; at++) {
			uint32_t r = R->bk[at].rec;
			struct sim_why why;
			double s;

			if (R->stamp[r] == idx + 1)
				continue;
			R->stamp[r] = idx + 1;
			R->c->compared++;
			s = sim_score_above(sp, ls, R->s[1].sim.p + R->s[1].r[r].sim, R->spec->lo,
			                    &why);
			if (s < R->spec->lo)
				continue;
			{
				struct cand c = { idx, r, s, why.total, 0 };

				if (buf_add(&R->cdb, &c, sizeof c) < 0)
					return oom(R);
			}
			R->cd = (struct cand *)R->cdb.p;
			R->ncd++;
			R->c->candidates++;
		}
	}
	return 0;
}

static int
cmp_score(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->pts != y->pts)
		return x->pts > y->pts ? -1 : 1;
	if (x->l != y->l)
		return x->l < y->l ? -1 : 1;
	return x->r < y->r ? -1 : x->r > y->r;
}

static int
cmp_left(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->l != y->l)
		return x->l < y->l ? -1 : 1;
	return cmp_score(a, b);
}

static int
emit_pair(struct run *R, const struct cand *c, const char *why)
{
	const struct sim_spec *sp = R->spec->sim;
	const struct mrec *l = &R->s[0].r[c->l], *r = &R->s[1].r[c->r];
	struct sim_why w;
	int rc = 0;

	sim_score(sp, R->s[0].sim.p + l->sim, R->s[1].sim.p + r->sim, &w);
	buf_reset(&R->line);
	rc |= buf_addf(&R->line, "{\"status\":\"%s\",\"left\":", why ? "ambiguous" : "match");
	rc |= buf_add(&R->line, R->s[0].id.p + l->id, l->idlen);
	rc |= buf_adds(&R->line, ",\"right\":");
	rc |= buf_add(&R->line, R->s[1].id.p + r->id, r->idlen);
	rc |= buf_addf(&R->line, ",\"score\":%.3f,\"reasons\":", c->score);
	rc |= sim_reasons_json(sp, &w, 0, &R->line);
	if (why) {
		rc |= buf_adds(&R->line, ",\"why\":");
		rc |= json_quote(&R->line, why, strlen(why));
	}
	rc |= buf_addf(&R->line, ",\"lines\":[%llu,%llu]}", (unsigned long long)l->line,
	               (unsigned long long)r->line);
	if (rc)
		return oom(R);
	return R->sink->out(R->sink->ctx, why ? MATCH_AMBIG : MATCH_BIND, R->line.p, R->line.len,
	                    R->err);
}

static int
emit_only(struct run *R, int side, uint32_t idx)
{
	const struct mrec *m = &R->s[side].r[idx];

	buf_reset(&R->line);
	if (buf_addf(&R->line, "{\"status\":\"only_%s\",\"%s\":", side ? "right" : "left",
	             side ? "right" : "left") < 0 ||
	    buf_add(&R->line, R->s[side].id.p + m->id, m->idlen) < 0 ||
	    buf_addf(&R->line, ",\"line\":%llu}", (unsigned long long)m->line) < 0)
		return oom(R);
	return R->sink->out(R->sink->ctx, MATCH_ONLY, R->line.p, R->line.len, R->err);
}

/* Best first: a pair becomes a binding when it reaches hi, both records
 * are free, and neither has a rival (another candidate whose other record
 * is still free) within MARGIN points. */
static int
assign(struct run *R, uint32_t *bound_l, uint32_t *bound_r)
{
	size_t i;
	/* per record: the best and second best points among its candidates */
	double *best[2], *second[2];
	int rc = 0;

	for (int s = 0; s < 2; s++) {
		best[s] = malloc((R->s[s].n + 1) * sizeof(double));
		second[s] = malloc((R->s[s].n + 1) * sizeof(double));
		if (best[s] == NULL || second[s] == NULL)
			rc = -1;
		for (i = 0; rc == 0 && i < R->s[s].n; i++)
			best[s][i] = second[s][i] = -1e300;
	}
	if (rc < 0)
		goto out;
	if (R->ncd)
		qsort(R->cd, R->ncd, sizeof(*R->cd), cmp_score);
	for (i = 0; i < R->ncd; i++) {
		const struct cand *c = &R->cd[i];
		uint32_t idx[2] = { c->l, c->r };

		for (int s = 0; s < 2; s++) {
			if (c->pts > best[s][idx[s]]) {
				second[s][idx[s]] = best[s][idx[s]];
				best[s][idx[s]] = c->pts;
			} else if (c->pts > second[s][idx[s]]) {
				second[s][idx[s]] = c->pts;
			}
		}
	}
	for (i = 0; i < R->ncd; i++) {
		struct cand *c = &R->cd[i];

		if (c->score < R->spec->hi || bound_l[c->l] || bound_r[c->r])
			continue;
		if (c->pts < best[0][c->l] || c->pts < best[1][c->r])
			continue; /* not the best of one of them */
		if (second[0][c->l] > c->pts - MARGIN || second[1][c->r] > c->pts - MARGIN)
			continue;
		c->state = 1;
		bound_l[c->l] = c->r + 1;
		bound_r[c->r] = c->l + 1;
		R->c->bound++;
	}
out:
	for (int s = 0; s < 2; s++) {
		free(best[s]);
		free(second[s]);
	}
	return rc < 0 ? oom(R) : 0;
}

int
match_run(const struct match_spec *spec, const char *const path[2], const struct match_sink *sink,
          struct match_counts *c, struct ep_err *err)
{
	struct run R;
	uint32_t *bound[2] = { NULL, NULL };
	size_t i;
	int rc = -1;

	memset(&R, 0, sizeof R);
	memset(c, 0, sizeof(*c));
	R.spec = spec;
	R.sink = sink;
	R.c = c;
	R.err = err;
	arena_init(&R.A, 0);
	R.jp.A = &R.A;
	/* the right side, held, and its index */
	if (read_side(&R, 1, path[1], index_right) < 0)
		goto out;
	if (make_blocks(&R) < 0)
		goto out;
	if ((R.stamp = calloc(R.s[1].n + 1, sizeof(*R.stamp))) == NULL) {
		oom(&R);
		goto out;
	}
	/* the left side streams past it */
	if (read_side(&R, 0, path[0], score_left) < 0)
		goto out;
	bound[0] = calloc(R.s[0].n + 1, sizeof(uint32_t));
	bound[1] = calloc(R.s[1].n + 1, sizeof(uint32_t));
	if (bound[0] == NULL || bound[1] == NULL) {
		oom(&R);
		goto out;
	}
	if (assign(&R, bound[0], bound[1]) < 0)
		goto out;
	/* out in left order, best first */
	if (R.ncd)
		qsort(R.cd, R.ncd, sizeof(*R.cd), cmp_left);
	{
		uint32_t shown = 0, last = UINT32_MAX;

		for (i = 0; i < R.ncd; i++) {
			struct cand *cd = &R.cd[i];
			const char *why;

			if (cd->l != last) {
				last = cd->l;
				shown = 0;
			}
			if (cd->state == 1) {
				if (emit_pair(&R, cd, NULL) < 0)
					goto out;
				continue;
			}
			/* both records bound elsewhere: settled */
			if (bound[0][cd->l] && bound[1][cd->r])
				continue;
			if (shown++ >= RIVALS)
				continue;
			if (cd->score < spec->hi)
				why = "score below the cut-off";
			else if (bound[0][cd->l] || bound[1][cd->r])
				why = "one of them is bound to another record";
			else
				why = "another candidate scores as high";
			R.c->ambiguous++;
			if (emit_pair(&R, cd, why) < 0)
				goto out;
		}
	}
	for (int s = 0; s < 2; s++)
		for (i = 0; i < R.s[s].n; i++)
			if (!bound[s][i]) {
				R.c->only[s]++;
				if (spec->all && emit_only(&R, s, (uint32_t)i) < 0)
					goto out;
			}
	rc = 0;
out:
	free(bound[0]);
	free(bound[1]);
	free(R.stamp);
	for (int s = 0; s < 2; s++) {
		buf_release(&R.s[s].sim);
		buf_release(&R.s[s].id);
		buf_release(&R.s[s].rb);
	}
	buf_release(&R.bkb);
	free(R.bl);
	free(R.tab);
	buf_release(&R.cdb);
	arena_free(&R.A);
	jv_parser_free(&R.jp);
	buf_release(&R.mapped);
	buf_release(&R.line);
	return rc;
}
