#include "base/keyset.h"

#include "base/hash.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

int
keyset_init(struct keyset *s, int with_val)
{
	memset(s, 0, sizeof(*s));
	s->with_val = with_val;
	if (getrandom(s->k, sizeof(s->k), GRND_NONBLOCK) != (ssize_t)sizeof(s->k)) {
		/* no entropy yet (early boot): still a fine spread, just not secret */
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		s->k[0] = (uint64_t)ts.tv_nsec * 0x9E3779B97F4A7C15ULL ^ (uint64_t)getpid();
		s->k[1] = (uint64_t)ts.tv_sec * 0xC2B2AE3D27D4EB4FULL ^ (uintptr_t)s;
	}
	return 0;
}

void
keyset_free(struct keyset *s)
{
	free(s->h);
	free(s->val);
	s->h = s->val = NULL;
	s->cap = s->count = 0;
}

size_t
keyset_bytes(const struct keyset *s)
{
	return s->cap * (2 + (s->with_val ? 1 : 0)) * sizeof(uint64_t);
}

void
keyset_digest(const struct keyset *s, const void *key, size_t n, uint64_t d[2])
{
	siphash128(s->k, key, n, d);
	if (d[0] == 0 && d[1] == 0)
		d[0] = 1; /* 0,0 marks an empty slot */
}

static size_t
home(const struct keyset *s, const uint64_t d[2])
{
	return (size_t)(d[0] ^ (d[1] >> 7)) & (s->cap - 1);
}

void
keyset_prefetch(const struct keyset *s, const uint64_t d[2])
{
	if (s->cap) {
		size_t i = home(s, d);

		__builtin_prefetch(s->h + 2 * i);
		if (s->val)
			__builtin_prefetch(s->val + i);
	}
}

/* the slot holding d, or the empty slot where it would go */
static size_t
find(const struct keyset *s, const uint64_t d[2])
{
	size_t mask = s->cap - 1, i = home(s, d);

	while (s->h[2 * i] | s->h[2 * i + 1]) {
		if (s->h[2 * i] == d[0] && s->h[2 * i + 1] == d[1])
			return i;
		i = (i + 1) & mask;
	}
	return i;
}

static int
grow(struct keyset *s)
{
	size_t nc = s->cap ? s->cap * 2 : 1024, i;
	struct keyset t = *s;

	t.cap = nc;
	if (nc > SIZE_MAX / (2 * sizeof(uint64_t)))
		return -1;
	t.h = calloc(nc, 2 * sizeof(uint64_t));
	t.val = s->with_val ? malloc(nc * sizeof(uint64_t)) : NULL;
	if (t.h == NULL || (s->with_val && t.val == NULL)) {
		free(t.h);
		free(t.val);
		return -1;
	}
	for (i = 0; i < s->cap; i++) {
		size_t j;

		if (!(s->h[2 * i] | s->h[2 * i + 1]))
			continue;
		j = find(&t, s->h + 2 * i);
		t.h[2 * j] = s->h[2 * i];
		t.h[2 * j + 1] = s->h[2 * i + 1];
		if (s->with_val)
			t.val[j] = s->val[i];
	}
	free(s->h);
	free(s->val);
	*s = t;
	return 0;
}

int
keyset_put_digest(struct keyset *s, const uint64_t d[2], uint64_t val, uint64_t *old)
{
	size_t i;

	if (s->cap) {
		i = find(s, d);
		if (s->h[2 * i] | s->h[2 * i + 1]) {
			if (old)
				*old = s->with_val ? s->val[i] : 0;
			return 0;
		}
	}
	if (s->max && s->count >= s->max)
		return -1;
	if ((s->count + 1) * 4 > s->cap * 3 && grow(s) < 0)
		return -1;
	i = find(s, d);
	s->h[2 * i] = d[0];
	s->h[2 * i + 1] = d[1];
	if (s->with_val)
		s->val[i] = val;
	s->count++;
	return 1;
}

int
keyset_get_digest(const struct keyset *s, const uint64_t d[2], uint64_t *val)
{
	size_t i;

	if (s->cap == 0)
		return 0;
	i = find(s, d);
	if (!(s->h[2 * i] | s->h[2 * i + 1]))
		return 0;
	if (val)
		*val = s->with_val ? s->val[i] : 0;
	return 1;
}

int
keyset_put(struct keyset *s, const void *key, size_t n, uint64_t val, uint64_t *old)
{
	uint64_t d[2];

	keyset_digest(s, key, n, d);
	return keyset_put_digest(s, d, val, old);
}

int
keyset_get(const struct keyset *s, const void *key, size_t n, uint64_t *val)
{
	uint64_t d[2];

	if (s->cap == 0)
		return 0;
	keyset_digest(s, key, n, d);
	return keyset_get_digest(s, d, val);
}
