/* t-arena.c - the bump allocator (base/arena.h). */
#include "tap.h"
#include "base/arena.h"

#include <stdint.h>
#include <string.h>

/* a block that tells its size, as diff's records do */
struct blk {
	uint32_t size;
	uint32_t seq;
};

int
main(void)
{
	struct arena a = ARENA_INIT, c;
	struct arena_walk w;
	struct blk *b;
	char *s, *big;
	void *p, *q;
	uint32_t i, seq, bad;
	size_t sz;

	p = arena_alloc(&a, 3);
	q = arena_alloc(&a, 1);
	ok(p != NULL && q != NULL, "two small blocks");
	ok(((uintptr_t)p & 7) == 0 && ((uintptr_t)q & 7) == 0, "8-aligned");
	is_int((char *)q - (char *)p, 8, "bumped by the rounded size");
	is_int(a.used, 16, "used counts the rounded sizes");
	is_int(a.total, 64 << 10, "first chunk 64 KiB");
	s = arena_strdup(&a, "abcdef", 3);
	is_str(s, "abc", "strdup copies n bytes and a NUL");
	s = arena_copy(&a, "xyz", 3);
	ok(s != NULL && memcmp(s, "xyz", 3) == 0, "copy");

	/* a block bigger than any chunk gets one of its own */
	big = arena_alloc(&a, 5u << 20);
	ok(big != NULL, "a 5 MiB block");
	memset(big, 'x', 5u << 20);
	arena_reset(&a);
	is_int(a.used, 0, "reset: nothing used");
	ok(a.head == a.tail && a.total == a.tail->size, "reset keeps one chunk");
	is_int(a.total, (5u << 20) + sizeof(struct arena_chunk), "the newest (largest)");
	big = arena_alloc(&a, 9u << 20);
	arena_reset(&a);
	ok(a.head == NULL && a.total == 0, "reset frees a chunk over 8 MiB");
	arena_free(&a);

	/* growth: 64K, 128K, ... up to 4 MiB, then 4 MiB each */
	for (i = 0; i < 200; i++)
		arena_alloc(&a, 60 << 10);
	sz = 0;
	for (const struct arena_chunk *ch = a.head; ch != NULL; ch = ch->next)
		sz = ch->size;
	is_int(sz, 4u << 20, "chunks double up to 4 MiB");
	arena_alloc(&a, (4u << 20) - 64);
	is_int(a.tail->size, 4u << 20, "and stay there");
	arena_free(&a);
	ok(a.head == NULL && a.total == 0 && a.used == 0, "free empties");

	/* the cap */
	arena_init(&c, 100 << 10);
	ok(arena_alloc(&c, 60 << 10) != NULL, "under the cap");
	ok(arena_alloc(&c, 30 << 10) != NULL, "the rest of the cap, exactly sized");
	ok(arena_alloc(&c, 30 << 10) == NULL, "past the cap: NULL");
	ok(c.total <= 100 << 10, "total within the cap");
	arena_free(&c);
	is_int(c.max, 100 << 10, "free keeps the cap");

	/* the walk: every block, in order, across chunks and a big block */
	for (seq = 0; seq < 50000; seq++) {
		sz = sizeof *b + (seq * 37) % 200 + (seq == 777 ? 6u << 20 : 0);
		if ((b = arena_alloc(&a, sz)) == NULL)
			break;
		b->size = (uint32_t)sz;
		b->seq = seq;
	}
	is_int(seq, 50000, "50000 blocks");
	ok(a.head != a.tail, "over several chunks");
	bad = 0;
	i = 0;
	for (b = arena_first(&a, &w); b != NULL; b = arena_next(&w, b->size))
		if (b->seq != i++)
			bad++;
	is_int(i, 50000, "walk sees every block");
	is_int(bad, 0, "in the order they were handed out");
	arena_free(&a);
	ok(arena_first(&a, &w) == NULL, "an empty arena walks nothing");
	arena_reset(&a);
	ok(arena_alloc(&a, 1) != NULL, "reset of an empty arena, then alloc");
	arena_free(&a);
	return done_testing();
}
