/* seen.c - the set of (key, mtime) pairs already emitted. */
#include "base/seen.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/hash.h"
#include "base/ops.h"

/*
 * Open addressing over 16-byte entries: the pair's 64-bit hash (key and
 * mtime) and the mtime's rank, its digits read as one number (2026-01-05
 * 10:00:00 -> 20260105100000), which orders timestamps of one format.
 * Hash 0 marks a free slot, 1 a deleted one.  Two different pairs sharing
 * a 64-bit hash are as likely as 1 in 10^7 among a million pairs.
 */
struct ent {
	uint64_t h;
	uint64_t rank;
};

struct seen {
	struct ent *slot;
	size_t cap, n, used; /* used counts deleted slots too */
	size_t max, evicted;
};

#define FREE 0
#define GONE 1

static uint64_t
rank_of(const char *mtime)
{
	uint64_t r = 0;
	int k = 0;

	for (; *mtime && k < 19; mtime++)
		if (*mtime >= '0' && *mtime <= '9') {
			r = r * 10 + (uint64_t)(*mtime - '0');
			k++;
		}
	return r;
}

struct seen *
seen_new(size_t max)
{
	struct seen *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->max = max ? max : SEEN_MAX;
	s->cap = 1024;
	if ((s->slot = calloc(s->cap, sizeof(*s->slot))) == NULL) {
		free(s);
		return NULL;
	}
	return s;
}

static int
rehash(struct seen *s, size_t cap)
{
	struct ent *nw;
	size_t i, j;

	if ((nw = calloc(cap, sizeof(*nw))) == NULL)
		return -1;
	for (i = 0; i < s->cap; i++) {
		if (s->slot[i].h <= GONE)
			continue;
		for (j = s->slot[i].h & (cap - 1); nw[j].h != FREE; j = (j + 1) & (cap - 1))
			;
		nw[j] = s->slot[i];
	}
	free(s->slot);
	s->slot = nw;
	s->cap = cap;
	s->used = s->n;
	return 0;
}

/* Drop every entry at or before rank r. */
static void
drop_upto(struct seen *s, uint64_t r, int inclusive)
{
	size_t i;

	for (i = 0; i < s->cap; i++) {
		if (s->slot[i].h > GONE &&
		    (s->slot[i].rank < r || (inclusive && s->slot[i].rank == r))) {
			s->slot[i].h = GONE;
			s->n--;
		}
	}
}

/* Drop the entries with the smallest rank. */
static void
evict_oldest(struct seen *s)
{
	uint64_t min = UINT64_MAX;
	size_t i, before = s->n;

	for (i = 0; i < s->cap; i++)
		if (s->slot[i].h > GONE && s->slot[i].rank < min)
			min = s->slot[i].rank;
	drop_upto(s, min, 1);
	s->evicted += before - s->n;
}

static uint64_t
pair_hash(const char *key, const char *mtime)
{
	uint64_t h = fnv1a64_short(key, strlen(key)) * 31 ^ fnv1a64_short(mtime, strlen(mtime));

	return h <= GONE ? h + 2 : h;
}

int
seen_add(struct seen *s, const char *key, const char *mtime)
{
	uint64_t h = pair_hash(key, mtime);
	size_t i, t = SIZE_MAX;

	for (i = h & (s->cap - 1); s->slot[i].h != FREE; i = (i + 1) & (s->cap - 1)) {
		if (s->slot[i].h == h) {
			/* a repeat: read, and dropped (the run's counts) */
			ops.n[OPS_READ]++;
			ops.n[OPS_DROPPED]++;
			return 0;
		}
		if (s->slot[i].h == GONE && t == SIZE_MAX)
			t = i;
	}
	if (s->n >= s->max) {
		evict_oldest(s);
		t = SIZE_MAX; /* find a slot again below */
		for (i = h & (s->cap - 1); s->slot[i].h > GONE; i = (i + 1) & (s->cap - 1))
			;
	}
	if (t != SIZE_MAX)
		i = t;
	else if (s->slot[i].h == FREE)
		s->used++;
	s->slot[i].h = h;
	s->slot[i].rank = rank_of(mtime);
	s->n++;
	if (s->used * 4 >= s->cap * 3 &&
	    rehash(s, s->n * 4 >= s->cap * 2 ? s->cap * 2 : s->cap) < 0)
		return -1;
	return 1;
}

void
seen_forget(struct seen *s, const char *key, const char *mtime)
{
	uint64_t h = pair_hash(key, mtime);
	size_t i;

	for (i = h & (s->cap - 1); s->slot[i].h != FREE; i = (i + 1) & (s->cap - 1))
		if (s->slot[i].h == h) {
			s->slot[i].h = GONE;
			s->n--;
			return;
		}
}

void
seen_prune(struct seen *s, const char *before)
{
	size_t cap = s->cap;

	drop_upto(s, rank_of(before), 0);
	/* shrink, and clear the deleted slots */
	while (cap > 1024 && s->n * 8 < cap)
		cap /= 2;
	rehash(s, cap);
}

size_t
seen_count(const struct seen *s)
{
	return s->n;
}

size_t
seen_evicted(const struct seen *s)
{
	return s->evicted;
}

void
seen_free(struct seen *s)
{
	if (s == NULL)
		return;
	free(s->slot);
	free(s);
}
