/*
 * keyset.h - a set of keys kept as 128-bit keyed hashes (layer 1: base).
 *
 * For uniqueness and reference checks over millions of records: the set
 * holds only SipHash-2-4-128 digests of the keys (16 bytes a key, 24 with
 * a payload), under a random key drawn at keyset_init, so memory does not
 * depend on the keys' lengths and crafted keys cannot collide on purpose.
 * Two different keys are taken as equal only if their digests collide
 * (about 2^-128 a pair).  Open addressing, linear probing, at most 3/4 full;
 * growing doubles the table.
 *
 * Ownership: struct keyset is caller-allocated; keyset_init sets it up,
 * keyset_free releases its memory.  Keys are copied into the digest only.
 */
#ifndef ERPIPE_KEYSET_H
#define ERPIPE_KEYSET_H

#include <stddef.h>
#include <stdint.h>

struct keyset {
	uint64_t *h;   /* 2 words a slot; both 0 = empty */
	uint64_t *val; /* payload a slot, or NULL for a plain set */
	size_t cap;    /* slots, a power of two (0 before the first put) */
	size_t count;
	size_t max; /* most keys accepted (0: no limit) */
	int with_val;
	uint64_t k[2]; /* the hash key */
};

/* with_val: keep a 64-bit payload with each key (keyset_put's val). */
int keyset_init(struct keyset *s, int with_val);
void keyset_free(struct keyset *s);

/* 1: added; 0: already there (*old, when not NULL, gets the payload stored
 * with it); -1: out of memory or past max. */
int keyset_put(struct keyset *s, const void *key, size_t n, uint64_t val, uint64_t *old);
/* 1 present (payload in *val when not NULL), 0 absent. */
int keyset_get(const struct keyset *s, const void *key, size_t n, uint64_t *val);
/* The same on a key's digest, so a key looked up and then added is hashed
 * once: keyset_digest gives it, keyset_prefetch starts loading its slot
 * (do other work, then look it up). */
void keyset_digest(const struct keyset *s, const void *key, size_t n, uint64_t d[2]);
void keyset_prefetch(const struct keyset *s, const uint64_t d[2]);
int keyset_put_digest(struct keyset *s, const uint64_t d[2], uint64_t val, uint64_t *old);
int keyset_get_digest(const struct keyset *s, const uint64_t d[2], uint64_t *val);
/* bytes the table holds */
size_t keyset_bytes(const struct keyset *s);

#endif
