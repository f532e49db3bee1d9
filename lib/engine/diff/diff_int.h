/*
 * diff_int.h - internals shared by lib/diff*.c; not for cmd/ (layer 5: engines,
 * with diff.h).
 *
 * A compact record (struct drec) is one contiguous run of bytes: the header,
 * the encoded key, then each stored field as a 2-byte field number, a
 * varint length and the value's JSON text as it was read.  Records live in
 * a struct buf while built, in the held side's arena, or in partition
 * files, always as these same bytes.  Ownership: everything belongs to the
 * struct diff; drec pointers into an arena stay valid until the arena is
 * freed.
 */
#ifndef ERPIPE_DIFF_INT_H
#define ERPIPE_DIFF_INT_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "engine/diff/diff.h"
#include "stream/json.h"
#include "stream/ndjson.h"

struct drec {
	uint32_t size; /* bytes, header included */
	uint32_t keylen;
	uint64_t line;   /* source line */
	uint64_t hash;   /* of the key */
	uint32_t cnt[2]; /* records with this key: [0] held side, [1] streamed */
	uint16_t nf;     /* stored fields */
	uint8_t side;
	uint8_t flags;
	uint32_t cnt2; /* merge: records with this key on the right */
};

#define DREC_KEY(r) ((const unsigned char *)(r) + sizeof(struct drec))
#define DREC_FIELDS(r) (DREC_KEY(r) + (r)->keylen)
#define DREC_END(r) ((const unsigned char *)(r) + (r)->size)

/* key part tags, in sort order */
enum { KT_NULL = '0', KT_TRUE = 'b', KT_NUM = 'n', KT_STR = 's', KT_JSON = 'z' };

/* what a member name means on one side */
enum { SK_FIELD, SK_KEY, SK_IGNORE, SK_KEYOBJ, SK_OP };

struct slot {
	char *name;
	size_t len;
	uint32_t h;
	int kind;
	int idx; /* field number, or key part */
};

struct names {
	struct slot **tab;
	size_t cap, n;
};

struct pcache {
	char name[48];
	size_t len;
	struct slot *slot;
};
#define PCACHE_N 64

struct dfield {
	char *name[2];
	unsigned flags;
	struct dec tol_abs, tol_rel;
};

struct span {
	int f;
	const char *p;
	size_t n;
	enum json_type t;
};

struct diff {
	struct diff_spec spec;
	int nkeys;
	struct dfield *fields;
	int nfields, capfields;
	int explicit_fields;
	int totals;
	struct names names[2];
	struct pcache pc[2][PCACHE_N];
	/* per record scratch */
	struct span *sp;
	size_t nsp, capsp;
	uint32_t *fsp; /* field -> its span + 1 in this record */
	size_t capfsp;
	struct span *kp; /* key parts from the record, then from _key */
	struct span *ko;
	struct buf kname;  /* decoded member name */
	struct buf kbuf;   /* encoded key */
	struct buf sa, sb; /* comparison scratch */
	struct buf mapped; /* a record after its map */
	struct buf why;
	/* dense view of one record's fields, by field number */
	struct diff_val *dense;
	uint8_t *dense_t;
	int *touched;
	int ntouched, capdense;
	/* events */
	struct diff_fd *fd;
	int capfd;
	char *source[3]; /* left, right, base */
	struct merge *m; /* diff_merge_run's state, or NULL */
	struct diff_counts c;
	const struct diff_sink *sink;
	struct ep_err *err;
};

/* diff.c */
int diff_build(struct diff *d, int side, const char *p, size_t n, uint64_t line, struct buf *rec,
               const char **why);
int diff_key_cmp(const unsigned char *a, size_t an, const unsigned char *b, size_t bn);
/* compare the left record l with the right record r and send the event
 * (changed or match) */
int diff_compare(struct diff *d, const struct drec *l, const struct drec *r);
int diff_emit_only(struct diff *d, const struct drec *rec);
int diff_emit_dup(struct diff *d, const struct drec *any, uint64_t nl, uint64_t nr);
int diff_emit(struct diff *d, struct diff_event *ev);
int diff_varint_put(struct buf *b, size_t v);
size_t diff_varint_get(const unsigned char *p, const unsigned char *end, size_t *v);
int diff_fd_room(struct diff *d, int n);
int diff_value_equal(struct diff *d, const struct dfield *f, const struct diff_val *a,
                     const struct diff_val *b, struct dec *delta, int *has_delta);
int diff_to_dec(struct diff *d, const struct diff_val *v, struct dec *out);
int diff_num_equal(const struct dfield *f, const struct dec *a, const struct dec *b,
                   struct dec *delta);

/* diff_join.c */
int diff_join(struct diff *d, const char *const path[2]);
int diff_totals(struct diff *d, const char *const path[2]);
/* the three-way join: base path[2] with left and right, every key handed
 * to diff_merge_key once (b, l, r NULL where that input lacks it), then
 * diff_merge_dup for a key found more than once in an input */
int diff_join3(struct diff *d, const char *const path[3]);

/* diff_merge.c */
int diff_merge_key(struct diff *d, const struct drec *b, const struct drec *l,
                   const struct drec *r);
/* b's key is the same in all three inputs */
int diff_merge_same(struct diff *d, const struct drec *b);
int diff_merge_dup(struct diff *d, const struct drec *any, const uint64_t cnt[3]);
void diff_merge_free(struct diff *d);

/* the field at p of a record's fields (up to e): its number in *f, its
 * value in *v; returns where the next one starts */
static inline const unsigned char *
drec_field(const unsigned char *p, const unsigned char *e, int *f, struct diff_val *v)
{
	uint16_t fn;
	size_t n;

	memcpy(&fn, p, 2);
	p += 2;
	p += diff_varint_get(p, e, &n);
	*f = fn;
	*v = (struct diff_val){ (const char *)p, n };
	return p + n;
}

#endif
