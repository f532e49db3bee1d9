/*
 * fields.h - the one parser of field lists (layer 1: base).
 *
 * DESIGN.md's key syntax, FIELD[=R][,FIELD[=R]…]: names separated by
 * commas, each optionally LEFT=RIGHT when the right side names the field
 * differently.  There is no escaping: a name holds neither ',' nor '='
 * (where pairs are read).  The parser only splits and checks the shape;
 * what an item means and the words of the error stay with the caller.
 *
 * Ownership: nothing is allocated; a field_ref points into the list.
 */
#ifndef ERPIPE_FIELDS_H
#define ERPIPE_FIELDS_H

#include <stddef.h>

enum {
	FIELDS_SKIP_EMPTY = 1, /* "a,,b" and a leading or trailing comma: empty items skipped */
	FIELDS_TRIM = 2,       /* leading blanks of an item dropped ("a, b") */
	FIELDS_PAIRS = 4,      /* an item is NAME or LEFT=RIGHT */
};

/* fields_next's failures */
enum {
	FIELDS_EMPTY = -1,    /* an empty item (without FIELDS_SKIP_EMPTY) */
	FIELDS_NOT_PAIR = -2, /* with FIELDS_PAIRS: "=R", "L=", "L=R=S" */
};

struct fields_iter {
	const char *p; /* the rest of the list, or NULL at the end */
	unsigned flags;
};

struct field_ref {
	const char *item; /* the whole item and its length */
	size_t len;
	const char *name[2]; /* left and right name; the same when no =R */
	size_t n[2];
};

void fields_init(struct fields_iter *it, const char *list, unsigned flags);
/* 1 the next item in *f, 0 the end, or FIELDS_EMPTY / FIELDS_NOT_PAIR
 * (the bad item in f->item, f->len; the caller words the error). */
int fields_next(struct fields_iter *it, struct field_ref *f);
/* The item [s, s+n) as NAME or LEFT=RIGHT: 0, or FIELDS_EMPTY /
 * FIELDS_NOT_PAIR. */
int fields_pair(const char *s, size_t n, struct field_ref *f);

#endif
