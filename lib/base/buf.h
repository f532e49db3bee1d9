/*
 * buf.h - growable byte buffer with a size cap (layer 1: base).
 *
 * Ownership, after git's strbuf: a struct buf starts as BUF_INIT (or
 * buf_init), owns its memory, is emptied by buf_reset, freed by
 * buf_release, and buf_detach hands the NUL-terminated bytes to the caller
 * (who frees them).  p is always NUL-terminated once anything was added.
 * max is the cap (0 = none): a growth past it fails with -1 and leaves the
 * buffer as it was.  Allocation failure also returns -1.
 */
#ifndef ERPIPE_BUF_H
#define ERPIPE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *p;
	size_t len;
	size_t cap;
	size_t max;
};

/* clang-format off */
#define BUF_INIT { NULL, 0, 0, 0 }
/* clang-format on */

void buf_init(struct buf *b, size_t max);
/* Room for extra more bytes and a NUL: 0, or -1 past the cap or out of
 * memory.  The common case, room already there, is inline: the writers
 * of records call it per value. */
int buf_grow_slow(struct buf *b, size_t extra);
static inline int
buf_grow(struct buf *b, size_t extra)
{
	if (b->cap > b->len && extra < b->cap - b->len)
		return 0;
	return buf_grow_slow(b, extra);
}
int buf_add(struct buf *b, const void *data, size_t n);
int buf_adds(struct buf *b, const char *s);
int buf_addc(struct buf *b, int c);
int buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vaddf(struct buf *b, const char *fmt, va_list ap);
void buf_reset(struct buf *b);
void buf_release(struct buf *b);
char *buf_detach(struct buf *b, size_t *len);
/* Const view, never NULL ("" for an empty buffer). */
const char *buf_str(const struct buf *b);

/* An array of *cap items of size bytes with room for need: p as it is,
 * or reallocated to double (at least 4) and *cap updated; NULL when out of
 * memory (p and *cap untouched, p still the caller's). */
void *array_grow(void *p, size_t *cap, size_t need, size_t size);

/* The house growth macro, after git's ALLOC_GROW: make the array p (cap
 * items, cap a size_t) hold at least need items, growing it by doubling.
 * 0, or -1 out of memory with p and cap as they were.  Typical use:
 *	if (ARRAY_GROW(v->items, v->n + 1, v->cap) < 0)
 *		return -1;
 *	v->items[v->n++] = item; */
#define ARRAY_GROW(p, need, cap) array_grow_at(&(p), &(cap), (need), sizeof(*(p)))
int array_grow_at(void *pp, size_t *cap, size_t need, size_t size);

#endif
