/*
 * json_tree.h - one JSON text into a cJSON tree, with the stream's rules
 * (layer 2: stream).
 *
 * cJSON's own parser keeps the first of a repeated key (and a lookup
 * finds the first) and ends every string at its first U+0000.  The stages
 * that hand records to cJSON (load) parse them here instead:
 *  - the text is checked as json_check checks it (a lone surrogate is
 *    refused, as everywhere);
 *  - a repeated key is kept once, at its first place, with its last value
 *    (json.h, "last wins", as xform, validate and reconcile read it);
 *  - a string holding U+0000, as a value or a key, is refused: cJSON (and
 *    so every target's encoder) would cut it there without a word;
 *  - a number whose value a double does not hold (9007199254740993,
 *    1.00000000000000000001, 99999999999999.99, 1e400, 1e-400) is refused:
 *    cJSON keeps a double, so it would reach the target as another number
 *    and, compared as doubles, read back as "unchanged".
 * Ownership: returns a cJSON you own (cJSON_Delete), or NULL with err
 * filled: err->why a static message and err->path the JSON Pointer of the
 * value at fault ("" for the whole) in a buffer the caller releases.
 */
#ifndef ERPIPE_JSON_TREE_H
#define ERPIPE_JSON_TREE_H

#include <stddef.h>

#include <cJSON.h>

#include "base/buf.h"

struct json_tree_err {
	const char *why;
	size_t off;      /* byte of the text where it went wrong */
	struct buf path; /* JSON Pointer, BUF_INIT before the call */
};

cJSON *json_tree_parse(const char *s, size_t n, struct json_tree_err *err);

/* Member name of object obj (case-sensitive), looked for first at *at,
 * then from the start; *at moves past the member found.  Objects that list
 * the same names in the same order (the records of a read, the fields a
 * record wrote) are matched in one pass: start *at at obj->child. */
cJSON *json_tree_member(const cJSON *obj, cJSON **at, const char *name);

/* v as cJSON_PrintUnformatted prints it, but each number in the shortest
 * text that reads back as the same double.  cJSON 1.7.15 prints 15 digits
 * whenever they come "close enough": 9007199254740992 goes out as
 * 9.00719925474099e+15 (9007199254740990), 1.0000000000000002 as 1, a
 * silent change of the value in every body and line it prints.  A number
 * that is not finite prints null, as with cJSON.  Strings go out as
 * json_quote writes them.  json_tree_print returns a string you own (free)
 * or NULL when out of memory; json_tree_print_buf appends to b, 0 or -1. */
char *json_tree_print(const cJSON *v);
int json_tree_print_buf(struct buf *b, const cJSON *v);
/* cJSON_Compare(a, b, 1) with numbers equal only as the same double:
 * cJSON 1.7.15 calls two numbers equal within one DBL_EPSILON, relatively
 * (1.0000000000000002 and 1, 9007199254740994 and 9007199254740992). */
int json_tree_equal(const cJSON *a, const cJSON *b);
/* the shortest %.Ng text (N <= 17) of finite d that strtod reads back as
 * d, in out (at least 32 bytes), an integer below 2^53 in full; its length */
int json_tree_number(double d, char *out, size_t cap);

#endif
