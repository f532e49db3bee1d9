/* arena.c - the bump allocator (arena.h). */
#include "base/arena.h"

#include <stdlib.h>
#include <string.h>

#define CHUNK_MIN ((size_t)64 << 10)
#define CHUNK_MAX ((size_t)4 << 20)
#define KEEP_MAX ((size_t)8 << 20)

void
arena_init(struct arena *a, size_t max)
{
	memset(a, 0, sizeof *a);
	a->max = max;
}

void *
arena_alloc_chunk(struct arena *a, size_t n)
{
	size_t size = CHUNK_MIN, need = n + sizeof(struct arena_chunk);
	struct arena_chunk *c;
	char *r;

	if (need < n)
		return NULL;
	if (a->tail != NULL)
		size = a->tail->size < CHUNK_MAX / 2 ? a->tail->size * 2 : CHUNK_MAX;
	if (size < need)
		size = need;
	if (a->max != 0 && a->total + size > a->max) {
		size = need; /* what is left under the cap, exactly */
		if (a->total + size > a->max)
			return NULL;
	}
	if ((c = malloc(size)) == NULL)
		return NULL;
	c->next = NULL;
	c->size = size;
	if (a->tail != NULL) {
		a->tail->fill = a->p;
		a->tail->next = c;
	} else
		a->head = c;
	a->tail = c;
	a->total += size;
	r = (char *)(c + 1);
	a->p = r + n;
	a->end = (char *)c + size;
	a->used += n;
	return r;
}

void *
arena_copy(struct arena *a, const void *p, size_t n)
{
	void *r = arena_alloc(a, n);

	if (r != NULL && n != 0)
		memcpy(r, p, n);
	return r;
}

char *
arena_strdup(struct arena *a, const char *s, size_t n)
{
	char *r = arena_alloc(a, n + 1);

	if (r != NULL) {
		if (n != 0)
			memcpy(r, s, n);
		r[n] = '\0';
	}
	return r;
}

void
arena_reset(struct arena *a)
{
	struct arena_chunk *c = a->tail, *h, *next;

	a->used = 0;
	if (c == NULL)
		return;
	for (h = a->head; h != c; h = next) {
		next = h->next;
		a->total -= h->size;
		free(h);
	}
	if (c->size > KEEP_MAX) {
		free(c);
		a->head = a->tail = NULL;
		a->p = a->end = NULL;
		a->total = 0;
		return;
	}
	a->head = c;
	a->p = (char *)(c + 1);
	a->end = (char *)c + c->size;
}

void
arena_free(struct arena *a)
{
	struct arena_chunk *c, *next;

	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	a->head = a->tail = NULL;
	a->p = a->end = NULL;
	a->used = a->total = 0;
}

/* the first block of c or of a newer chunk; NULL past the newest */
void *
arena_walk_chunk(struct arena_walk *w, const struct arena_chunk *c)
{
	for (; c != NULL; c = c->next) {
		w->c = c;
		w->p = (char *)(c + 1);
		w->end = c == w->a->tail ? w->a->p : c->fill;
		if (w->p < w->end)
			return w->p;
	}
	return NULL;
}
