/*
 * json.h - strict JSON syntax check without building a tree (layer 2: stream).
 *
 * json_check validates one JSON text (RFC 8259: no trailing commas, no
 * leading zeros, no bare control characters, valid escapes, UTF-8 checked
 * separately by the caller) and reports the type of its top value.  It
 * allocates nothing; nesting deeper than JSON_MAX_DEPTH is refused.
 * The filters use it to pass records through as their original bytes.
 */
#ifndef ERPIPE_JSON_H
#define ERPIPE_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define JSON_MAX_DEPTH 512

enum json_type {
	JSON_INVALID = 0,
	JSON_OBJECT,
	JSON_ARRAY,
	JSON_STRING,
	JSON_NUMBER,
	JSON_TRUE,
	JSON_FALSE,
	JSON_NULL,
};

/* Returns the top value's type, or JSON_INVALID with *err_off at the byte
 * where the text stopped being JSON and *why a static message. */
enum json_type json_check(const char *s, size_t n, size_t *err_off, const char **why);

/* Like json_check for the one value at the start of s (after white space)
 * when more text may follow it: *end gets the offset just past the value.
 * For scanning a document's parts without building a tree (OData pages). */
enum json_type json_check_prefix(const char *s, size_t n, size_t *end, size_t *err_off,
                                 const char **why);

const char *json_type_name(enum json_type t);

/* One JSON string's body, the one string scanner json_check and the
 * decoders share: s is just after the opening quote, n the bytes left.
 * Returns the offset of the closing quote, or -1 with *err_off (from s)
 * and *why (a static message, json_check's).  With out not NULL the
 * decoded bytes are written there — as many as the offset returned is
 * always enough — and their count to *outn: escapes decoded, a \u
 * surrogate pair joined; a lone surrogate (no UTF-8 for it) is refused,
 * "lone surrogate in \\u escape", as jq does.  Checks no
 * UTF-8 (the caller does). */
long long json_string_scan(const char *s, size_t n, char *out, size_t *outn, size_t *err_off,
                           const char **why);

/* Members of one object, checked as strictly as json_check, without a
 * tree: json_obj_open on the text, then json_obj_next until it returns 0
 * (the object closed and only white space follows) or -1 (it->why, and
 * it->i the byte where the text stopped being JSON).  The spans point into
 * the caller's text; nothing is allocated. */
struct json_obj {
	const char *s;
	size_t n, i;
	const char *why;
	int state;
};

struct json_member {
	const char *key; /* between the quotes, escapes as written */
	size_t klen;
	int kesc;        /* the key holds a backslash escape */
	const char *val; /* the value's JSON text, no white space around it */
	size_t vlen;
	enum json_type type;
};

/* 0, or -1 when the text does not start with '{' */
int json_obj_open(struct json_obj *it, const char *s, size_t n);
/* 1 a member, 0 the end, -1 an error */
int json_obj_next(struct json_obj *it, struct json_member *m);

/* Duplicate keys: the stream's one rule (erpipe(7)) is "last wins", as jq
 * and most RFC 8259 parsers do: an object whose key repeats is the object
 * with that key once, at its first place, holding its last value.  A
 * parser applies it after an object's members are read: json_keys_add
 * for members i = 0, 1, 2, … in order returns the index (< i) of an
 * earlier member with the same key, or i when the key is new (then it is
 * remembered; i == 0 starts a new object).  key(ctx, j, &len) gives
 * member j's key, decoded.  Linear in the members (a hash table past a
 * few).  -1: out of memory.  The table is the caller's, zeroed at first,
 * released with json_keys_free. */
struct json_keys {
	uint32_t *slot;    /* member index + 1, 0 empty */
	size_t cap;        /* slots, a power of two */
	size_t n;          /* members seen */
	uint64_t sig[64];  /* the first members' keys in short (length, bytes) */
	uint64_t bloom[4]; /* a bit per signature seen */
};

typedef const char *(*json_key_fn)(void *ctx, size_t j, size_t *len);

#define JSON_KEYS_LINEAR 64 /* members compared by signature before a table pays */

/* past the first JSON_KEYS_LINEAR members (json.c) */
long json_keys_add_table(struct json_keys *s, size_t i, const char *k, size_t kn, json_key_fn key,
                         void *ctx);
void json_keys_free(struct json_keys *s);

/* Inline for the first members (a record's usual few dozen): a key's
 * signature (its length, first and last bytes) behind a 256-bit filter;
 * only an equal signature is compared in full. */
static inline long
json_keys_add(struct json_keys *s, size_t i, const char *k, size_t kn, json_key_fn key, void *ctx)
{
	uint64_t sg = (uint64_t)kn << 32, bit;
	size_t dup = i;
	unsigned h;

	if (i >= JSON_KEYS_LINEAR)
		return json_keys_add_table(s, i, k, kn, key, ctx);
	if (kn >= 4) {
		uint32_t head;
		memcpy(&head, k, 4);
		sg ^= head ^ ((uint64_t)(unsigned char)k[kn - 1] << 56);
	} else
		for (size_t b = 0; b < kn; b++)
			sg ^= (uint64_t)(unsigned char)k[b] << (8 * b);
	h = (unsigned)((sg * 0x9E3779B97F4A7C15ull) >> 56);
	bit = 1ull << (h & 63);
	if (i == 0)
		s->bloom[0] = s->bloom[1] = s->bloom[2] = s->bloom[3] = 0;
	for (size_t j = 0; (s->bloom[h >> 6] & bit) && j < i; j++) {
		size_t on;
		const char *ok;

		if (s->sig[j] != sg)
			continue;
		ok = key(ctx, j, &on);
		if (on == kn && memcmp(ok, k, kn) == 0) {
			dup = j;
			break;
		}
	}
	s->sig[i] = sg;
	s->bloom[h >> 6] |= bit;
	s->n = i + 1;
	return (long)dup;
}

#endif
