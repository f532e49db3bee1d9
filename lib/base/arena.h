/*
 * arena.h - the bump allocator (layer 1: base): many small blocks, freed
 * all at once, and walked in the order they were handed out.
 *
 * Ownership: the arena owns every block it hands out; a block lives until
 * arena_reset or arena_free and is never freed alone.  A zeroed struct
 * (ARENA_INIT, or arena_init with max 0) is an empty arena without a cap.
 * Chunks double from 64 KiB up to 4 MiB (a small arena stays small, a big
 * one wastes at most a chunk); a block larger than that gets a chunk of
 * its own.  Not thread-safe.
 */
#ifndef ERPIPE_ARENA_H
#define ERPIPE_ARENA_H

#include <stddef.h>

struct arena_chunk {
	struct arena_chunk *next; /* the next newer */
	size_t size;              /* bytes, this header included */
	char *fill;               /* end of the blocks (the newest: arena.p) */
};

struct arena {
	char *p, *end;            /* the free part of the newest chunk */
	struct arena_chunk *head; /* the oldest chunk */
	struct arena_chunk *tail; /* the newest */
	size_t used;              /* bytes handed out (each rounded up to 8) */
	size_t total;             /* bytes of the chunks, headers included */
	size_t max;               /* cap on total; 0: none */
};

#define ARENA_INIT                                                                                 \
	{                                                                                          \
		0                                                                                  \
	}

/* An empty arena whose chunks may total at most max bytes (0: no cap). */
void arena_init(struct arena *a, size_t max);

/* n bytes aligned to 8; NULL at the cap or when out of memory.  The
 * common case (room in the newest chunk) is inline: the map engine and the
 * JSON parser allocate per value. */
void *arena_alloc_chunk(struct arena *a, size_t n); /* n rounded: a new chunk */
static inline void *
arena_alloc(struct arena *a, size_t n)
{
	char *r;

	n = (n + 7) & ~(size_t)7;
	if ((size_t)(a->end - a->p) < n)
		return arena_alloc_chunk(a, n);
	r = a->p;
	a->p += n;
	a->used += n;
	return r;
}

/* A copy of the n bytes at p; NULL as arena_alloc. */
void *arena_copy(struct arena *a, const void *p, size_t n);
/* A copy of the n bytes at s with a NUL after them; NULL as arena_alloc. */
char *arena_strdup(struct arena *a, const char *s, size_t n);

/* Empty the arena, every block gone: the newest chunk is kept for reuse
 * (the largest, so a record-at-a-time arena settles at one chunk), unless
 * it is over 8 MiB (one huge record does not keep its memory). */
void arena_reset(struct arena *a);
/* Free every chunk; the arena is empty again, its cap kept. */
void arena_free(struct arena *a);

/* The blocks in the order they were handed out, for a caller whose blocks
 * tell their own size (none of size 0):
 *	for (r = arena_first(a, &w); r != NULL; r = arena_next(&w, r->size))
 * The arena must not change during the walk. */
struct arena_walk {
	const struct arena *a;
	const struct arena_chunk *c;
	char *p, *end;
};
void *arena_walk_chunk(struct arena_walk *w, const struct arena_chunk *c);
static inline void *
arena_first(const struct arena *a, struct arena_walk *w)
{
	w->a = a;
	return arena_walk_chunk(w, a->head);
}
/* n: the size of the block arena_first or arena_next returned last */
static inline void *
arena_next(struct arena_walk *w, size_t n)
{
	w->p += (n + 7) & ~(size_t)7;
	if (w->p < w->end)
		return w->p;
	return arena_walk_chunk(w, w->c->next);
}

#endif
