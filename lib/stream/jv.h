/*
 * jv.h - the JSON value type (layer 2: stream), after jq's jv: a record is
 * parsed once into a tree of struct jv in an arena, and the map engine, the
 * schema validator and the matchers read, compare and print that tree.
 *
 * Ownership: values never own memory.  A struct jv points into the text it
 * was parsed from (strings without escapes, numbers) and into the arena
 * given to the parser (decoded strings, members, items); it lives as long
 * as both do.  The parser's scratch stacks are the caller's: free them with
 * jv_parser_free.  Nothing here prints or exits.
 */
#ifndef ERPIPE_JV_H
#define ERPIPE_JV_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/dec.h"
#include "stream/json.h"

/* types, in this order: jv_type_name and jv_compare's callers rely on it */
enum { JV_NULL, JV_FALSE, JV_TRUE, JV_NUM, JV_STR, JV_ARR, JV_OBJ };

#define JVF_SAFE 1 /* string: no byte needs JSON escaping */
#define JVF_HASD 2 /* number: x.d holds its double */
#define JVF_OWN                                                                                    \
	4 /* array/object: never set by the parser; the map engine:
		     * built by this record's output, mutable */

struct jv_kv;

struct jv {
	uint8_t t, f; /* JV_* and JVF_* */
	uint32_t n;   /* bytes of a string or number text, items of arr/obj */
	union {
		const char *s; /* string (not NUL-terminated), number text */
		struct jv *a;
		struct jv_kv *o;
	} u;
	union {
		double d;     /* number with JVF_HASD */
		uint32_t cap; /* array/object: room for items */
	} x;
};

/* an object member */
struct jv_kv {
	const char *k;
	uint32_t kn;
	uint8_t ksafe; /* the key needs no escaping */
	struct jv v;
};

#define JV_NULLV ((struct jv){ .t = JV_NULL })
#define JV_BOOL(b) ((struct jv){ .t = (b) ? JV_TRUE : JV_FALSE })

/* The parser: one value, the whole text, into the arena A.  A repeated
 * key keeps its first place with its last value (json.h).  It refuses
 * exactly what json_check refuses, at the same byte, with the same
 * message.  Start zeroed but for A; reuse it for every record. */
struct jv_parser {
	struct arena *A;
	struct jv_kv *kv; /* scratch stacks */
	size_t nkv, capkv;
	struct jv *v;
	size_t nv, capv;
	struct json_keys keys; /* duplicate keys */
	const char *err;       /* after -1: why (a constant string) */
	int errkind;           /* JV_PARSE_*: what err is, told apart without its text */
	size_t errpos;         /* where: a byte offset into the text */
};
enum { JV_PARSE_BAD = 1, JV_PARSE_NOMEM, JV_PARSE_TOOBIG }; /* jv_parser.errkind */
/* 0 and the value in *out, or -1 with err, errkind, errpos */
int jv_parse(struct jv_parser *jp, const char *s, size_t n, struct jv *out);
void jv_parser_free(struct jv_parser *jp);

/* Append the value as compact JSON text (members in their order); 0 or -1
 * when b is full. */
int jv_emit(struct buf *b, const struct jv *v);
/* Append a JSON string of the n bytes at s (json_quote: bytes that are not
 * UTF-8 become U+FFFD); safe: none needs escaping. */
int jv_emit_str(struct buf *b, const char *s, size_t n, int safe);

/* The value of member k (kn bytes) of object o; NULL if none or o is not
 * an object. */
const struct jv *jv_obj_get(const struct jv *o, const char *k, size_t kn);
/* A string value of the n bytes at s, not copied. */
static inline struct jv
jv_str_ref(const char *s, size_t n, int safe)
{
	struct jv v = { .t = JV_STR, .f = safe ? JVF_SAFE : 0, .n = (uint32_t)n };

	v.u.s = s;
	return v;
}
/* "null", "boolean", "number", "string", "array", "object" */
const char *jv_type_name(int t);
/* null and false are false, everything else true */
static inline int
jv_truthy(const struct jv *v)
{
	return v->t != JV_NULL && v->t != JV_FALSE;
}
/* A number's exact decimal: 0, or -1 (not a number, or not one dec holds). */
int jv_to_dec(const struct jv *v, struct dec *d);
/* A number as a double (0 for other types). */
double jv_to_double(const struct jv *v);
/* Deep equality: numbers by value (1.0 == 1), objects whatever the order
 * of their members. */
int jv_equal(const struct jv *a, const struct jv *b);
/* Numbers by value, strings by bytes: -1, 0 or 1; -2 when not comparable. */
int jv_compare(const struct jv *a, const struct jv *b);

#endif
