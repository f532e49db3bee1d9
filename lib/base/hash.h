/*
 * hash.h - the house hashes (layer 1: base).
 *
 * One of each: FNV-1a (64 and 32 bits) for small tables and names that are
 * kept (the bng token cache file name, odoo-extract's "id:hash" keys); a
 * fast 64-bit mix for diff's partitions and join tables; SipHash-2-4-128
 * under a secret key where crafted keys must not collide on purpose
 * (keyset).  The values are part of what is kept on disk: do not change
 * them (tests/unit/t-hash.c pins them).
 */
#ifndef ERPIPE_HASH_H
#define ERPIPE_HASH_H

#include <stddef.h>
#include <stdint.h>

#define FNV1A64_INIT 14695981039346656037ULL
#define FNV1A32_INIT 2166136261u
/* The offset basis short of its last digit: what the bng token cache file
 * names and odoo-extract's and load's keys have always been hashed from.
 * Kept as it is, since the names are on disk (fnv1a64_short). */
#define FNV1A64_SHORT_INIT 1469598103934665603ULL

/* FNV-1a of n bytes; the _add forms go on from h (FNV1A*_INIT to start),
 * so a hash can be fed in pieces. */
uint64_t fnv1a64_add(uint64_t h, const void *p, size_t n);
uint32_t fnv1a32_add(uint32_t h, const void *p, size_t n);
uint64_t fnv1a64(const void *p, size_t n);
uint32_t fnv1a32(const void *p, size_t n);
uint64_t fnv1a64_short(const void *p, size_t n);

/* A fast 64-bit hash of n bytes, 8 at a time (not FNV: for the big join
 * tables; not stable across byte orders, so never kept). */
uint64_t hash_mix64(const void *p, size_t n);

/* SipHash-2-4 with 128-bit output (the reference siphash.c's outlen 16);
 * out[0] is the first 8 output bytes read little-endian. */
void siphash128(const uint64_t k[2], const void *p, size_t n, uint64_t out[2]);

#endif
