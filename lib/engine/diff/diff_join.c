/* diff_join.c - reading the inputs and joining them: the hash join with its
 * spill to partition files, the merge join of sorted inputs, and the
 * control totals. */
#include "engine/diff/diff_int.h"
#include "base/arena.h"
#include "base/hash.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/map/map.h"
#include "base/text.h"

/* ---- sources: an NDJSON input, or a partition file of compact records ---- */

struct rawidx;

struct src {
	int side;
	int file; /* a partition file */
	struct ndjson_reader r;
	FILE *fp;
	uint64_t records;
	/* the three-way join: the base keeps each line's text after its
	 * record (keep_raw); a side's line that is byte for byte a base
	 * line is that base record (raw): src_next returns 2 and hit */
	int keep_raw;
	const struct rawidx *raw;
	size_t guess; /* the base line the next line probably is */
	struct drec *hit;
	/* --sorted: a line that is byte for byte the base's next one is that
	 * record (the base's cursor reads first) */
	struct buf *const *peer;
	const int *peer_ok;
};

static struct drec *raw_find(const struct rawidx *ri, const char *p, size_t n, size_t *guess);

/* the line kept after the record in b (keep_raw) is [p, p + n) */
static int
same_line(const struct buf *b, const char *p, size_t n)
{
	uint32_t len;

	memcpy(&len, b->p + b->len, 4);
	return len == n && memcmp(b->p + b->len + 4, p, n) == 0;
}

static void
bad(struct diff *d, int side, uint64_t line, const char *msg)
{
	d->c.bad[side]++;
	if (d->sink->bad)
		d->sink->bad(d->sink->ctx, d->source[side], line, msg);
}

static int
oom(struct diff *d)
{
	return ep_errf(d->err, EP_SOFTWARE, "out of memory");
}

/* 1 a record in rec, 0 the end, -1 a failure */
static int
src_next(struct diff *d, struct src *s, struct buf *rec)
{
	struct ndjson_line ln;
	enum ndjson_kind k;
	char why[160];

	if (s->file) {
		struct drec h;

		if (s->fp == NULL)
			return 0; /* a partition nothing fell into */

		if (fread(&h, sizeof h, 1, s->fp) != 1) {
			if (ferror(s->fp))
				return ep_errf(d->err, EP_IOERR, "cannot read a partition file: %s",
				               strerror(errno));
			return 0;
		}
		buf_reset(rec);
		if (h.size < sizeof h || buf_grow(rec, h.size) < 0)
			return oom(d);
		memcpy(rec->p, &h, sizeof h);
		if (fread(rec->p + sizeof h, 1, h.size - sizeof h, s->fp) != h.size - sizeof h)
			return ep_errf(d->err, EP_IOERR, "cannot read a partition file: %s",
			               ferror(s->fp) ? strerror(errno) : "cut short");
		rec->len = h.size;
		return 1;
	}
	while ((k = ndjson_next(&s->r, &ln, d->err)) != NDJ_EOF) {
		/* the base (side 2) is in the agreed shape: no map, the left's names */
		struct map_prog *map = s->side < 2 ? d->spec.map[s->side] : NULL;
		const char *p = ln.p, *w = NULL;
		size_t n = ln.len, u;
		int r;

		if (k == NDJ_ERROR)
			return -1;
		if (k == NDJ_TOO_LONG) {
			snprintf(why, sizeof why, "line longer than %zu bytes", d->spec.max_line);
			bad(d, s->side, ln.lineno, why);
			continue;
		}
		if (s->raw != NULL && map == NULL &&
		    (s->hit = raw_find(s->raw, p, n, &s->guess)) != NULL) {
			d->c.read[s->side]++;
			s->records++;
			return 2;
		}
		if (s->peer != NULL && map == NULL && *s->peer_ok && same_line(*s->peer, p, n)) {
			const struct buf *pb = *s->peer;

			buf_reset(rec);
			if (buf_add(rec, pb->p, pb->len) < 0)
				return oom(d);
			((struct drec *)rec->p)->line = ln.lineno;
			((struct drec *)rec->p)->cnt[0] = 1;
			((struct drec *)rec->p)->side = (uint8_t)s->side;
			d->c.read[s->side]++;
			s->records++;
			return 1;
		}
		if ((u = utf8_valid_prefix(p, n)) != n) {
			snprintf(why, sizeof why, "invalid UTF-8 at byte %zu", u + 1);
			bad(d, s->side, ln.lineno, why);
			continue;
		}
		if (map != NULL) {
			struct map_rterr re;

			buf_reset(&d->mapped);
			switch (map_apply(map, p, n, &d->mapped, &re)) {
			case MAP_OK:
				p = d->mapped.p;
				n = d->mapped.len;
				break;
			case MAP_DROP:
				d->c.read[s->side]++;
				d->c.dropped[s->side]++;
				continue;
			case MAP_PASS:
				continue;
			case MAP_BADJSON:
				d->c.read[s->side]++;
				bad(d, s->side, ln.lineno, re.msg);
				continue;
			default:
				d->c.read[s->side]++;
				bad(d, s->side, ln.lineno, re.where);
				continue;
			}
		}
		r = diff_build(d, s->side & 1, p, n, ln.lineno, rec, &w);
		if (r == 0)
			continue; /* a control line */
		d->c.read[s->side]++;
		if (r == -2)
			return oom(d);
		if (r < 0) {
			bad(d, s->side, ln.lineno, w);
			continue;
		}
		if (s->keep_raw && map == NULL) {
			/* [u32 length][the line] after the record, for raw_put */
			uint32_t rn = (uint32_t)ln.len;

			if (ln.len > UINT32_MAX || buf_grow(rec, 4 + ln.len) < 0)
				return oom(d);
			memcpy(rec->p + rec->len, &rn, 4);
			memcpy(rec->p + rec->len + 4, ln.p, ln.len);
		}
		((struct drec *)rec->p)->cnt[0] = 1;
		((struct drec *)rec->p)->side = (uint8_t)s->side;
		s->records++;
		return 1;
	}
	return 0;
}

static int
src_open(struct diff *d, struct src *s, int side, const char *path)
{
	memset(s, 0, sizeof *s);
	s->side = side;
	if (ndjson_open(&s->r, path, d->spec.max_line, d->err) < 0)
		return -1;
	return 0;
}

/* records in the order they were put */
#define ARENA_EACH(a, w, r)                                                                        \
	for ((r) = arena_first((a), &(w)); (r) != NULL; (r) = arena_next(&(w), (r)->size))

struct entry {
	uint64_t hash;
	struct drec *r;
};

/* The held base records by the text of their lines: rec in the base's
 * order, e a hash table of indexes into rec.  Sides are mostly extracted
 * in the base's order, so the line after the last one found is tried
 * before the table. */
struct rawrec {
	const unsigned char *text; /* [u32 length][bytes] */
	struct drec *r;
};

struct rawent {
	uint64_t hash;
	size_t idx; /* into rec, + 1; 0: empty */
};

struct rawidx {
	struct arena a;
	struct rawent *e;
	size_t cap;
	struct rawrec *rec;
	size_t n, caprec;
};

static int
raw_is(const struct rawrec *x, const char *p, size_t n)
{
	uint32_t len;

	memcpy(&len, x->text, 4);
	return len == n && memcmp(x->text + 4, p, n) == 0;
}

static struct drec *
raw_find(const struct rawidx *ri, const char *p, size_t n, size_t *guess)
{
	uint64_t h;

	if (ri->n == 0)
		return NULL;
	if (*guess < ri->n && raw_is(&ri->rec[*guess], p, n))
		return ri->rec[(*guess)++].r;
	h = hash_mix64(p, n);
	for (size_t i = h & (ri->cap - 1); ri->e[i].idx != 0; i = (i + 1) & (ri->cap - 1)) {
		if (ri->e[i].hash == h && raw_is(&ri->rec[ri->e[i].idx - 1], p, n)) {
			*guess = ri->e[i].idx;
			return ri->rec[ri->e[i].idx - 1].r;
		}
	}
	return NULL;
}

/* index held record r by its line's text (after the record in src) */
static int
raw_put(struct rawidx *ri, struct drec *r, const char *src)
{
	uint32_t len;
	unsigned char *t;
	size_t i;
	uint64_t h;

	memcpy(&len, src, 4);
	if ((ri->n + 1) * 2 > ri->cap) {
		size_t cap = ri->cap ? ri->cap * 2 : 1024;
		struct rawent *e = calloc(cap, sizeof *e);

		if (e == NULL)
			return -1;
		for (i = 0; i < ri->cap; i++) {
			if (ri->e[i].idx != 0) {
				size_t j = ri->e[i].hash & (cap - 1);

				while (e[j].idx != 0)
					j = (j + 1) & (cap - 1);
				e[j] = ri->e[i];
			}
		}
		free(ri->e);
		ri->e = e;
		ri->cap = cap;
	}
	if (ARRAY_GROW(ri->rec, ri->n + 1, ri->caprec) < 0)
		return -1;
	if ((t = arena_alloc(&ri->a, 4 + (size_t)len)) == NULL)
		return -1;
	memcpy(t, src, 4 + (size_t)len);
	ri->rec[ri->n] = (struct rawrec){ t, r };
	h = hash_mix64(src + 4, len);
	for (i = h & (ri->cap - 1); ri->e[i].idx != 0; i = (i + 1) & (ri->cap - 1))
		;
	ri->e[i] = (struct rawent){ h, ++ri->n };
	return 0;
}

/* bytes held by the index */
static size_t
raw_bytes(const struct rawidx *ri)
{
	return ri ? ri->a.used + ri->cap * sizeof *ri->e + ri->caprec * sizeof *ri->rec : 0;
}

static void
raw_free(struct rawidx *ri)
{
	arena_free(&ri->a);
	free(ri->e);
	free(ri->rec);
	memset(ri, 0, sizeof *ri);
}

struct table {
	struct entry *e;
	size_t cap, n;
};

static struct entry *
table_find(struct table *t, const struct drec *x)
{
	size_t i;

	if (t->cap == 0)
		return NULL;
	for (i = x->hash & (t->cap - 1); t->e[i].r != NULL; i = (i + 1) & (t->cap - 1)) {
		const struct drec *y = t->e[i].r;

		if (t->e[i].hash == x->hash && y->keylen == x->keylen &&
		    memcmp(DREC_KEY(y), DREC_KEY(x), x->keylen) == 0)
			return &t->e[i];
	}
	return NULL;
}

static int
table_put(struct table *t, struct drec *r)
{
	size_t i;

	if ((t->n + 1) * 2 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct entry *e = calloc(cap, sizeof *e);

		if (e == NULL)
			return -1;
		for (i = 0; i < t->cap; i++) {
			if (t->e[i].r != NULL) {
				size_t j = t->e[i].hash & (cap - 1);

				while (e[j].r != NULL)
					j = (j + 1) & (cap - 1);
				e[j] = t->e[i];
			}
		}
		free(t->e);
		t->e = e;
		t->cap = cap;
	}
	for (i = r->hash & (t->cap - 1); t->e[i].r != NULL; i = (i + 1) & (t->cap - 1))
		;
	t->e[i].hash = r->hash;
	t->e[i].r = r;
	t->n++;
	return 0;
}

static void
table_free(struct table *t)
{
	free(t->e);
	memset(t, 0, sizeof *t);
}

static void
note_peak(struct diff *d, size_t bytes)
{
	if (bytes > d->c.peak_bytes)
		d->c.peak_bytes = bytes;
}

/* ---- the hash join ---- */

#define PARTS 16
#define MAX_LEVEL 3

static FILE *
temp_file(struct diff *d)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	int fd;
	FILE *fp;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	snprintf(path, sizeof path, "%s/reconcile.XXXXXX", dir);
	if ((fd = mkstemp(path)) < 0) {
		ep_errf(d->err, EP_IOERR, "cannot make a partition file in '%s': %s", dir,
		        strerror(errno));
		return NULL;
	}
	unlink(path);
	if ((fp = fdopen(fd, "w+")) == NULL) {
		close(fd);
		ep_errf(d->err, EP_IOERR, "cannot make a partition file: %s", strerror(errno));
		return NULL;
	}
	setvbuf(fp, NULL, _IOFBF, 1 << 16);
	d->c.partitions++;
	return fp;
}

/* append r to the partition file *fp, made on first use */
static int
part_write(struct diff *d, FILE **fp, const struct drec *r)
{
	if (*fp == NULL && (*fp = temp_file(d)) == NULL)
		return -1;
	if (fwrite(r, 1, r->size, *fp) != r->size)
		return ep_errf(d->err, EP_IOERR, "cannot write a partition file: %s",
		               strerror(errno));
	return 0;
}

static int hash_join(struct diff *d, struct src *build, struct src *probe, int level);
static int merge_hash(struct diff *d, struct src *const *in, int level);

static int
part_index(const struct drec *r, int level)
{
	return (int)((r->hash >> (60 - 4 * level)) & (PARTS - 1));
}

/* The held side (in[0]) did not fit: write what is held and the rest of
 * every input into partition files, then join them partition by
 * partition: the two-way hash join for two inputs, the three-way merge
 * for three (base, left, right). */
static int
spill(struct diff *d, struct src *const *in, int nin, int level, struct arena *a, struct table *t,
      struct buf *pending, int npending)
{
	static const char *const side_name[3] = { "left", "right", "base" };
	struct buf recb = BUF_INIT, *rec = &recb;
	FILE *pf[3][PARTS] = { { 0 } };
	struct arena_walk w;
	struct drec *r;
	int i, k, rc = -1;
	char msg[256];

	if (level == 0 && d->sink->note) {
		uint64_t m = d->spec.memory;

		snprintf(msg, sizeof msg,
		         "the %s side needs more than --memory %llu%s: "
		         "joining in partition files",
		         side_name[in[0]->side],
		         (unsigned long long)(m >= (1 << 20) ? m >> 20 : m >> 10),
		         m >= (1 << 20) ? "M" : "K");
		d->sink->note(d->sink->ctx, msg);
	}
	ARENA_EACH(a, w, r) {
		if (part_write(d, &pf[0][part_index(r, level)], r) < 0)
			goto out;
	}
	arena_free(a);
	table_free(t);
	for (i = 0; i < npending; i++) {
		r = (struct drec *)pending[i].p;
		if (part_write(d, &pf[0][part_index(r, level)], r) < 0)
			goto out;
	}
	for (k = 0; k < nin; k++) {
		while ((i = src_next(d, in[k], rec)) == 1) {
			r = (struct drec *)rec->p;
			if (part_write(d, &pf[k][part_index(r, level)], r) < 0)
				goto out;
		}
		if (i < 0)
			goto out;
	}
	for (i = 0; i < PARTS; i++) {
		struct src ps[3];
		struct src *pp[3] = { &ps[0], &ps[1], &ps[2] };
		int any = 0;

		for (k = 0; k < nin; k++) {
			FILE *fp = pf[k][i];

			ps[k] = (struct src){ .side = in[k]->side, .file = 1, .fp = fp };
			any |= fp != NULL;
			if (fp != NULL && fflush(fp) != 0) {
				ep_errf(d->err, EP_IOERR, "cannot write a partition file: %s",
				        strerror(errno));
				goto out;
			}
			if (fp != NULL)
				rewind(fp);
		}
		if (!any)
			continue;
		if ((nin == 2 ? hash_join(d, pp[0], pp[1], level + 1)
		              : merge_hash(d, pp, level + 1)) < 0)
			goto out;
		for (k = 0; k < nin; k++) {
			if (pf[k][i])
				fclose(pf[k][i]);
			pf[k][i] = NULL;
		}
	}
	rc = 0;
out:
	for (k = 0; k < 3; k++)
		for (i = 0; i < PARTS; i++)
			if (pf[k][i])
				fclose(pf[k][i]);
	buf_release(&recb);
	return rc;
}

static int
counts_emit_dup(struct diff *d, const struct drec *r, int held_side)
{
	uint64_t n[2];

	n[held_side] = r->cnt[0];
	n[!held_side] = r->cnt[1];
	if (n[0] > 1 || n[1] > 1)
		return diff_emit_dup(d, r, n[0], n[1]);
	return 0;
}

/* Records go through the joins in batches: the table slots of a whole
 * batch are fetched into the cache before the first is looked at, so the
 * memory latency of one lookup overlaps the others. */
#define BATCH 16

static void
prefetch_slots(const struct table *t, struct buf *b, int n)
{
	if (t->cap == 0)
		return;
	for (int i = 0; i < n; i++)
		__builtin_prefetch(&t->e[((struct drec *)b[i].p)->hash & (t->cap - 1)]);
}

/* the held record a batch's record probably matches, fetched ahead */
static void
prefetch_records(const struct table *t, struct buf *b, int n)
{
	if (t->cap == 0)
		return;
	for (int i = 0; i < n; i++) {
		uint64_t h = ((struct drec *)b[i].p)->hash;

		for (size_t j = h & (t->cap - 1); t->e[j].r != NULL; j = (j + 1) & (t->cap - 1))
			if (t->e[j].hash == h) {
				__builtin_prefetch(t->e[j].r);
				__builtin_prefetch((char *)t->e[j].r + 64);
				break;
			}
	}
}

/* remember x's key only (counts c0, c1), to see duplicates among keys the
 * held side lacks */
static int
remember_key(struct diff *d, const struct drec *x, struct arena *pa, struct table *pt, uint32_t c0,
             uint32_t c1)
{
	struct drec h = *x, *r;

	h.size = (uint32_t)(sizeof h + x->keylen);
	h.nf = 0;
	h.cnt[0] = c0;
	h.cnt[1] = c1;
	if ((r = arena_alloc(pa, h.size)) == NULL)
		return oom(d);
	memcpy(r, &h, sizeof h);
	memcpy((unsigned char *)r + sizeof h, DREC_KEY(x), x->keylen);
	if (table_put(pt, r) < 0)
		return oom(d);
	return 0;
}

/* one streamed record against the held table */
static int
probe_one(struct diff *d, struct drec *x, int bs, struct table *t, struct arena *pa,
          struct table *pt)
{
	struct entry *e;

	if ((e = table_find(t, x)) != NULL) {
		if (e->r->cnt[1]++ == 0 &&
		    diff_compare(d, bs == DIFF_LEFT ? e->r : x, bs == DIFF_LEFT ? x : e->r) < 0)
			return -1;
		return 0;
	}
	if ((e = table_find(pt, x)) != NULL) {
		e->r->cnt[1] += x->cnt[0];
		return 0;
	}
	if (diff_emit_only(d, x) < 0)
		return -1;
	return remember_key(d, x, pa, pt, 0, x->cnt[0]);
}

/* Read the held input in[0] into a and t (a key seen again only counts in
 * cnt[0]), and into ri by line when in[0] keeps them.  Past --memory,
 * spill everything and join the partitions: *spilled says so, and the
 * return is the spill's. */
static int
build_held(struct diff *d, struct src *const *in, int nin, int level, struct arena *a,
           struct table *t, struct buf *b, int *spilled, struct rawidx *ri)
{
	struct drec *r, *x;
	struct entry *e;
	int k = 1, n, i;

	*spilled = 0;
	while (k == 1) {
		for (n = 0; n < BATCH && (k = src_next(d, in[0], &b[n])) == 1; n++)
			;
		if (k < 0)
			return -1;
		prefetch_slots(t, b, n);
		for (i = 0; i < n; i++) {
			x = (struct drec *)b[i].p;
			if ((e = table_find(t, x)) != NULL) {
				e->r->cnt[0] += x->cnt[0];
				continue;
			}
			x->cnt[1] = 0;
			x->cnt2 = 0;
			if ((r = arena_copy(a, x, x->size)) == NULL || table_put(t, r) < 0)
				return oom(d);
			if (ri != NULL && in[0]->keep_raw && raw_put(ri, r, b[i].p + b[i].len) < 0)
				return oom(d);
			note_peak(d, a->used + t->cap * sizeof *t->e + raw_bytes(ri));
			if (a->used + t->cap * sizeof *t->e + raw_bytes(ri) > d->spec.memory &&
			    level < MAX_LEVEL) {
				*spilled = 1;
				return spill(d, in, nin, level, a, t, b + i + 1, n - i - 1);
			}
		}
	}
	return 0;
}

static int
hash_join(struct diff *d, struct src *build, struct src *probe, int level)
{
	struct arena a = { 0 }, pa = { 0 };
	struct table t = { 0 }, pt = { 0 };
	struct buf b[BATCH];
	struct arena_walk w;
	struct drec *r;
	struct src *in[2] = { build, probe };
	int bs = build->side, rc = -1, k, n, i, spilled;

	for (i = 0; i < BATCH; i++)
		buf_init(&b[i], 0);
	if ((k = build_held(d, in, 2, level, &a, &t, b, &spilled, NULL)) < 0 || spilled) {
		rc = k;
		goto out;
	}
	for (k = 1; k == 1;) {
		for (n = 0; n < BATCH && (k = src_next(d, probe, &b[n])) == 1; n++)
			;
		if (k < 0)
			goto out;
		prefetch_slots(&t, b, n);
		prefetch_records(&t, b, n);
		for (i = 0; i < n; i++)
			if (probe_one(d, (struct drec *)b[i].p, bs, &t, &pa, &pt) < 0)
				goto out;
		note_peak(d, a.used + t.cap * sizeof *t.e + pa.used + pt.cap * sizeof *pt.e);
	}
	ARENA_EACH(&a, w, r) {
		if (r->cnt[1] == 0 && diff_emit_only(d, r) < 0)
			goto out;
	}
	ARENA_EACH(&a, w, r) {
		if (counts_emit_dup(d, r, bs) < 0)
			goto out;
	}
	ARENA_EACH(&pa, w, r) {
		if (counts_emit_dup(d, r, bs) < 0)
			goto out;
	}
	rc = 0;
out:
	arena_free(&a);
	arena_free(&pa);
	table_free(&t);
	table_free(&pt);
	for (i = 0; i < BATCH; i++)
		buf_release(&b[i]);
	return rc;
}

/* ---- the merge join ---- */

struct cursor {
	struct src src;
	struct buf b[2];
	struct buf *cur, *nxt;
	int have_cur, have_nxt;
	uint64_t cnt;
};

#define CREC(b) ((struct drec *)(b)->p)

static int
not_sorted(struct diff *d, struct cursor *c)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	const struct drec *x = CREC(c->nxt), *y = CREC(c->cur);
	int names = c->src.side == 2 ? DIFF_LEFT : c->src.side; /* the base: left names */

	diff_key_json(d, &a, DREC_KEY(x), x->keylen, names);
	diff_key_json(d, &b, DREC_KEY(y), y->keylen, names);
	ep_errf(d->err, EP_DATAERR, "%s:%llu: not sorted by key (--sorted): %.200s after %.200s",
	        d->source[c->src.side], (unsigned long long)x->line, buf_str(&a), buf_str(&b));
	buf_release(&a);
	buf_release(&b);
	return -1;
}

/* the next group of records with one key: its first record in cur */
static int
advance(struct diff *d, struct cursor *c)
{
	struct buf *t;
	int k;

	if (!c->have_nxt) {
		c->have_cur = 0;
		return 0;
	}
	t = c->cur;
	c->cur = c->nxt;
	c->nxt = t;
	c->have_cur = 1;
	c->cnt = 1;
	c->have_nxt = 0;
	while ((k = src_next(d, &c->src, c->nxt)) == 1) {
		const struct drec *x = CREC(c->nxt), *y = CREC(c->cur);
		int cmp = diff_key_cmp(DREC_KEY(x), x->keylen, DREC_KEY(y), y->keylen);

		if (cmp < 0)
			return not_sorted(d, c);
		if (cmp > 0) {
			c->have_nxt = 1;
			return 0;
		}
		c->cnt++;
	}
	return k;
}

/* the first group of records of c */
static int
cursor_start(struct diff *d, struct cursor *c)
{
	int k;

	c->cur = &c->b[0];
	c->nxt = &c->b[1];
	if ((k = src_next(d, &c->src, c->nxt)) < 0)
		return -1;
	c->have_nxt = k == 1;
	return advance(d, c);
}

static int
merge_join(struct diff *d, struct cursor *L, struct cursor *R)
{
	if (cursor_start(d, L) < 0 || cursor_start(d, R) < 0)
		return -1;
	note_peak(d, L->b[0].cap + L->b[1].cap + R->b[0].cap + R->b[1].cap);
	while (L->have_cur || R->have_cur) {
		const struct drec *l = L->have_cur ? CREC(L->cur) : NULL;
		const struct drec *r = R->have_cur ? CREC(R->cur) : NULL;
		int cmp = l == NULL ? 1
		          : r == NULL
		                  ? -1
		                  : diff_key_cmp(DREC_KEY(l), l->keylen, DREC_KEY(r), r->keylen);

		if (cmp < 0) {
			if (diff_emit_only(d, l) < 0 ||
			    (L->cnt > 1 && diff_emit_dup(d, l, L->cnt, 0) < 0) || advance(d, L) < 0)
				return -1;
		} else if (cmp > 0) {
			if (diff_emit_only(d, r) < 0 ||
			    (R->cnt > 1 && diff_emit_dup(d, r, 0, R->cnt) < 0) || advance(d, R) < 0)
				return -1;
		} else {
			if (diff_compare(d, l, r) < 0 ||
			    ((L->cnt > 1 || R->cnt > 1) &&
			     diff_emit_dup(d, l, L->cnt, R->cnt) < 0) ||
			    advance(d, L) < 0 || advance(d, R) < 0)
				return -1;
		}
	}
	return 0;
}

/* ---- the three-way join: base, left and right ---- */

/* a record's compared fields are byte for byte the held one's */
static int
same_bytes(const struct drec *a, const struct drec *b)
{
	return a->size == b->size && a->keylen == b->keylen &&
	       memcmp(DREC_FIELDS(a), DREC_FIELDS(b), (size_t)(DREC_END(a) - DREC_FIELDS(a))) == 0;
}

/* the right's record x of the held base record b: merged, unless the key
 * was seen on the right already or all three are the same */
static int
right_of_base(struct diff *d, struct drec *b, const struct drec *x, struct table *lt)
{
	struct entry *le;
	const struct drec *l;

	if (b->cnt2++ > 0)
		return 0;
	le = table_find(lt, b);
	l = le ? le->r : b->cnt[1] ? b : NULL;
	if (l == b && (x == b || same_bytes(b, x)))
		return diff_merge_same(d, b);
	return diff_merge_key(d, b, l, x);
}

/* The base (in[0]) is held as in the two-way join, with its spill; the
 * left streams past it and only what differs from the base (or is new) is
 * kept; the right streams past both and each of its keys is merged at
 * once; then the keys the right lacks.  Counts: a base record's cnt[0]
 * (base), cnt[1] (left), cnt2 (right); a kept left record's cnt[0] (left)
 * and cnt[1] (right), flags 1 when the base has its key; a right-only
 * key's cnt[1]. */
static int
merge_hash(struct diff *d, struct src *const *in, int level)
{
	struct arena a = { 0 }, la = { 0 }, ra = { 0 };
	struct table t = { 0 }, lt = { 0 }, rt = { 0 };
	struct rawidx ri = { 0 };
	struct buf b[BATCH];
	struct arena_walk w;
	struct drec *r, *x;
	struct entry *e, *le;
	int rc = -1, k, n, i, spilled;

	for (i = 0; i < BATCH; i++)
		buf_init(&b[i], 0);
	if ((k = build_held(d, in, 3, level, &a, &t, b, &spilled, &ri)) < 0 || spilled) {
		rc = k;
		goto out;
	}
	/* from here a line of a side that is a base line is not parsed */
	for (i = 1; i < 3; i++)
		in[i]->raw = in[0]->keep_raw && !in[i]->file ? &ri : NULL;
	for (k = 1; k >= 1;) {
		for (n = 0; n < BATCH && (k = src_next(d, in[1], &b[n])) == 1; n++)
			;
		if (k < 0)
			goto out;
		prefetch_slots(&t, b, n);
		prefetch_records(&t, b, n);
		for (i = 0; i < n; i++) {
			x = (struct drec *)b[i].p;
			if ((e = table_find(&t, x)) != NULL) {
				if (e->r->cnt[1]++ > 0 || same_bytes(e->r, x))
					continue;
				x->flags = 1;
			} else if ((le = table_find(&lt, x)) != NULL) {
				le->r->cnt[0]++;
				continue;
			} else
				x->flags = 0;
			x->cnt[1] = 0;
			if ((r = arena_copy(&la, x, x->size)) == NULL || table_put(&lt, r) < 0) {
				oom(d);
				goto out;
			}
		}
		if (k == 2)
			in[1]->hit->cnt[1]++; /* the left's line is the base's */
		note_peak(d, a.used + t.cap * sizeof *t.e + la.used + lt.cap * sizeof *lt.e);
	}
	for (k = 1; k >= 1;) {
		for (n = 0; n < BATCH && (k = src_next(d, in[2], &b[n])) == 1; n++)
			;
		if (k < 0)
			goto out;
		prefetch_slots(&t, b, n);
		prefetch_records(&t, b, n);
		for (i = 0; i < n; i++) {
			x = (struct drec *)b[i].p;
			if ((e = table_find(&t, x)) != NULL) {
				if (right_of_base(d, e->r, x, &lt) < 0)
					goto out;
			} else if ((le = table_find(&lt, x)) != NULL) {
				if (le->r->cnt[1]++ == 0 && diff_merge_key(d, NULL, le->r, x) < 0)
					goto out;
			} else if ((e = table_find(&rt, x)) != NULL)
				e->r->cnt[1]++;
			else if (diff_merge_key(d, NULL, NULL, x) < 0 ||
			         remember_key(d, x, &ra, &rt, 0, 1) < 0)
				goto out;
		}
		if (k == 2 && right_of_base(d, in[2]->hit, in[2]->hit, &lt) < 0)
			goto out;
	}
	note_peak(d, a.used + t.cap * sizeof *t.e + la.used + lt.cap * sizeof *lt.e + ra.used +
	                     rt.cap * sizeof *rt.e);
	ARENA_EACH(&a, w, r) {
		if (r->cnt2 > 0)
			continue;
		le = table_find(&lt, r);
		if (diff_merge_key(d, r, le ? le->r : r->cnt[1] ? r : NULL, NULL) < 0)
			goto out;
	}
	ARENA_EACH(&la, w, r) {
		if (r->flags == 0 && r->cnt[1] == 0 && diff_merge_key(d, NULL, r, NULL) < 0)
			goto out;
	}
	ARENA_EACH(&a, w, r) {
		uint64_t cnt[3] = { r->cnt[1], r->cnt2, r->cnt[0] };

		if ((cnt[0] > 1 || cnt[1] > 1 || cnt[2] > 1) && diff_merge_dup(d, r, cnt) < 0)
			goto out;
	}
	ARENA_EACH(&la, w, r) {
		uint64_t cnt[3] = { r->cnt[0], r->cnt[1], 0 };

		if (r->flags == 0 && (cnt[0] > 1 || cnt[1] > 1) && diff_merge_dup(d, r, cnt) < 0)
			goto out;
	}
	ARENA_EACH(&ra, w, r) {
		uint64_t cnt[3] = { 0, r->cnt[1], 0 };

		if (cnt[1] > 1 && diff_merge_dup(d, r, cnt) < 0)
			goto out;
	}
	rc = 0;
out:
	arena_free(&a);
	arena_free(&la);
	arena_free(&ra);
	table_free(&t);
	table_free(&lt);
	table_free(&rt);
	raw_free(&ri);
	for (i = 0; i < BATCH; i++)
		buf_release(&b[i]);
	return rc;
}

/* three inputs in key order: c[0] left, c[1] right, c[2] base; the base
 * reads first, so the sides' lines can be matched against its next one */
static int
merge_sorted(struct diff *d, struct cursor *c)
{
	for (int s = 2; s >= 0; s--)
		if (cursor_start(d, &c[s]) < 0)
			return -1;
	for (;;) {
		const struct drec *min = NULL, *rec[3] = { NULL, NULL, NULL };
		uint64_t cnt[3] = { 0, 0, 0 };
		size_t peak = 0;
		int s;

		for (s = 0; s < 3; s++) {
			const struct drec *x = c[s].have_cur ? CREC(c[s].cur) : NULL;

			peak += c[s].b[0].cap + c[s].b[1].cap;
			if (x && (min == NULL || diff_key_cmp(DREC_KEY(x), x->keylen, DREC_KEY(min),
			                                      min->keylen) < 0))
				min = x;
		}
		note_peak(d, peak);
		if (min == NULL)
			return 0;
		for (s = 0; s < 3; s++) {
			const struct drec *x = c[s].have_cur ? CREC(c[s].cur) : NULL;

			if (x &&
			    diff_key_cmp(DREC_KEY(x), x->keylen, DREC_KEY(min), min->keylen) == 0) {
				rec[s] = x;
				cnt[s] = c[s].cnt;
			}
		}
		if (rec[0] && rec[1] && rec[2] && same_bytes(rec[2], rec[0]) &&
		    same_bytes(rec[2], rec[1]))
			s = diff_merge_same(d, rec[2]);
		else
			s = diff_merge_key(d, rec[2], rec[0], rec[1]);
		if (s < 0)
			return -1;
		if ((cnt[0] > 1 || cnt[1] > 1 || cnt[2] > 1) && diff_merge_dup(d, min, cnt) < 0)
			return -1;
		for (s = 2; s >= 0; s--)
			if (rec[s] && advance(d, &c[s]) < 0)
				return -1;
	}
}

int
diff_join3(struct diff *d, const char *const path[3])
{
	struct cursor c[3];
	int rc = -1, s, opened = 0;

	memset(c, 0, sizeof c);
	for (s = 0; s < 3; s++, opened++)
		if (src_open(d, &c[s].src, s, path[s]) < 0)
			goto out;
	c[2].src.keep_raw = 1;
	if (d->spec.sorted)
		for (s = 0; s < 2; s++) {
			c[s].src.peer = &c[2].nxt;
			c[s].src.peer_ok = &c[2].have_nxt;
		}
	if (d->spec.sorted)
		rc = merge_sorted(d, c);
	else {
		struct src *in[3] = { &c[2].src, &c[0].src, &c[1].src };

		rc = merge_hash(d, in, 0);
	}
out:
	for (s = 0; s < opened; s++)
		ndjson_close(&c[s].src.r);
	for (s = 0; s < 3; s++) {
		buf_release(&c[s].b[0]);
		buf_release(&c[s].b[1]);
	}
	return rc;
}

/* ---- running ---- */

static int
file_size(const char *path, off_t *size)
{
	struct stat st;

	if (strcmp(path, "-") == 0 || stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return -1;
	*size = st.st_size;
	return 0;
}

int
diff_join(struct diff *d, const char *const path[2])
{
	struct cursor c[2];
	int rc = -1, s, held = DIFF_RIGHT;
	off_t sz[2];

	memset(c, 0, sizeof c);
	for (s = 0; s < 2; s++)
		if (src_open(d, &c[s].src, s, path[s]) < 0) {
			if (s == 1)
				ndjson_close(&c[0].src.r);
			return -1;
		}
	if (d->spec.sorted)
		rc = merge_join(d, &c[0], &c[1]);
	else {
		if (file_size(path[0], &sz[0]) == 0 && file_size(path[1], &sz[1]) == 0 &&
		    sz[0] < sz[1])
			held = DIFF_LEFT;
		rc = hash_join(d, &c[held].src, &c[!held].src, 0);
	}
	for (s = 0; s < 2; s++) {
		ndjson_close(&c[s].src.r);
		buf_release(&c[s].b[0]);
		buf_release(&c[s].b[1]);
	}
	return rc;
}

/* ---- control totals ---- */

struct group {
	struct drec *key; /* a key-only record */
	uint64_t cnt[2];
	struct dec sum[]; /* [side * nsums + field] */
};

static int
group_cmp(const void *a, const void *b)
{
	const struct group *x = *(struct group *const *)a, *y = *(struct group *const *)b;

	return diff_key_cmp(DREC_KEY(x->key), x->key->keylen, DREC_KEY(y->key), y->key->keylen);
}

static int
totals_emit(struct diff *d, struct group **g, size_t n)
{
	int nf = d->nfields;
	struct buf txt = BUF_INIT;
	size_t *pos = calloc((size_t)nf * 2 + 1, sizeof *pos);
	int rc = -1;

	if (pos == NULL || diff_fd_room(d, nf) < 0) {
		free(pos);
		return oom(d);
	}
	if (n > 1) /* no groups: g may be NULL, which qsort must not get */
		qsort(g, n, sizeof *g, group_cmp);
	for (size_t i = 0; i < n; i++) {
		struct diff_event ev;
		int both = g[i]->cnt[0] && g[i]->cnt[1], nfd = 0;

		memset(&ev, 0, sizeof ev);
		ev.totals = 1;
		ev.key = DREC_KEY(g[i]->key);
		ev.keylen = g[i]->key->keylen;
		ev.count[0] = g[i]->cnt[0];
		ev.count[1] = g[i]->cnt[1];
		ev.line[0] = ev.line[1] = 0;
		buf_reset(&txt);
		for (int s = 0; s < 2; s++)
			for (int f = 0; f < nf; f++) {
				char t[DEC_STRLEN];
				int k = dec_format(&g[i]->sum[s * nf + f], t, sizeof t);

				pos[s * nf + f] = txt.len;
				if (k < 0 || buf_add(&txt, t, (size_t)k) < 0) {
					oom(d);
					goto out;
				}
			}
		pos[2 * nf] = txt.len;
		for (int f = 0; f < nf; f++) {
			struct diff_fd *fd = &d->fd[nfd];

			memset(fd, 0, sizeof *fd);
			fd->field = f;
			for (int s = 0; s < 2; s++)
				if (g[i]->cnt[s])
					fd->v[s] = (struct diff_val){ txt.p + pos[s * nf + f],
						                      pos[s * nf + f + 1] -
						                              pos[s * nf + f] };
			if (!both) {
				nfd++;
				continue;
			}
			if (!diff_num_equal(&d->fields[f], &g[i]->sum[f], &g[i]->sum[nf + f],
			                    &fd->delta)) {
				fd->has_delta = 1;
				nfd++;
			}
		}
		ev.fd = d->fd;
		ev.nfd = nfd;
		ev.status = both           ? (nfd ? DIFF_CHANGED : DIFF_MATCH)
		            : g[i]->cnt[0] ? DIFF_ONLY_LEFT
		                           : DIFF_ONLY_RIGHT;
		if (diff_emit(d, &ev) < 0)
			goto out;
	}
	rc = 0;
out:
	free(pos);
	buf_release(&txt);
	return rc;
}

int
diff_totals(struct diff *d, const char *const path[2])
{
	struct arena a = { 0 };
	struct table t = { 0 };
	struct buf rec = BUF_INIT, msg = BUF_INIT;
	struct group **gs = NULL;
	size_t ng = 0, capg = 0;
	int nf = d->nfields, rc = -1, k;
	struct dec *v = calloc((size_t)nf + 1, sizeof *v);
	unsigned char *has = calloc((size_t)nf + 1, 1);

	if (v == NULL || has == NULL) {
		oom(d);
		goto out;
	}
	for (int s = 0; s < 2; s++) {
		struct src src;

		if (src_open(d, &src, s, path[s]) < 0)
			goto out;
		while ((k = src_next(d, &src, &rec)) == 1) {
			struct drec *x = (struct drec *)rec.p;
			const unsigned char *p = DREC_FIELDS(x), *e = DREC_END(x);
			struct entry *en;
			struct group *g;
			int ok = 1;

			memset(has, 0, (size_t)nf);
			while (p < e) {
				uint16_t f;
				size_t n;
				struct diff_val dv;

				memcpy(&f, p, 2);
				p += 2;
				p += diff_varint_get(p, e, &n);
				dv = (struct diff_val){ (const char *)p, n };
				p += n;
				if (!d->spec.strict && dv.p[0] == '"' && dv.n == 2)
					continue;
				if (diff_to_dec(d, &dv, &v[f]) < 0) {
					if (!d->spec.strict && (dv.p[0] == 'n' || dv.p[0] == 'f'))
						continue;
					buf_reset(&msg);
					buf_addf(&msg, "'%s': %.*s is not a number",
					         d->fields[f].name[s], (int)(n > 60 ? 60 : n),
					         dv.p);
					bad(d, s, x->line, msg.p);
					ok = 0;
					break;
				}
				has[f] = 1;
			}
			if (!ok)
				continue;
			if ((en = table_find(&t, x)) != NULL)
				memcpy(&g,
				       (char *)en->r + ((sizeof *x + x->keylen + 7) & ~(size_t)7),
				       sizeof g);
			else {
				struct drec h = *x;
				size_t ks = (sizeof h + x->keylen + 7) & ~(size_t)7;
				unsigned char *mem;

				h.size = (uint32_t)(ks + sizeof g);
				h.nf = 0;
				g = calloc(1, sizeof *g + 2 * (size_t)nf * sizeof(struct dec));
				if (g == NULL || (mem = arena_alloc(&a, ks + sizeof g)) == NULL) {
					free(g);
					oom(d);
					goto out;
				}
				memcpy(mem, &h, sizeof h);
				memcpy(mem + sizeof h, DREC_KEY(x), x->keylen);
				memcpy(mem + ks, &g, sizeof g);
				g->key = (struct drec *)mem;
				for (int i = 0; i < 2 * nf; i++)
					dec_from_ll(0, &g->sum[i]);
				if (ARRAY_GROW(gs, ng + 1, capg) < 0) {
					free(g);
					oom(d);
					goto out;
				}
				gs[ng++] = g;
				if (table_put(&t, (struct drec *)mem) < 0) {
					oom(d);
					goto out;
				}
			}
			g->cnt[s]++;
			for (int f = 0; f < nf; f++) {
				if (has[f] &&
				    dec_add(&g->sum[s * nf + f], &v[f], &g->sum[s * nf + f]) < 0) {
					ep_errf(d->err, EP_DATAERR,
					        "%s:%llu: the sum of '%s' overflows", d->source[s],
					        (unsigned long long)x->line, d->fields[f].name[s]);
					ndjson_close(&src.r);
					goto out;
				}
			}
		}
		ndjson_close(&src.r);
		if (k < 0)
			goto out;
	}
	note_peak(d, a.used + t.cap * sizeof *t.e);
	rc = totals_emit(d, gs, ng);
out:
	free(v);
	free(has);
	for (size_t i = 0; i < ng; i++)
		free(gs[i]);
	free(gs);
	arena_free(&a);
	table_free(&t);
	buf_release(&rec);
	buf_release(&msg);
	return rc;
}

int
diff_run(struct diff *d, const char *const path[2], const struct diff_sink *sink,
         struct ep_err *err)
{
	for (int s = 0; s < 2; s++) {
		free(d->source[s]);
		d->source[s] = strdup(strcmp(path[s], "-") == 0 ? "stdin" : path[s]);
		if (d->source[s] == NULL)
			return ep_errf(err, EP_SOFTWARE, "out of memory");
	}
	memset(&d->c, 0, sizeof d->c);
	d->sink = sink;
	d->err = err;
	return d->totals ? diff_totals(d, path) : diff_join(d, path);
}
