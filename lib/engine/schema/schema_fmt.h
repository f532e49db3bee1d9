/*
 * schema_fmt.h - "format" checks for schema.c (layer 5: engines, internal).
 *
 * Ownership: pure functions on a (pointer, length) string; nothing is
 * kept or allocated except by SCHEMA_FMT_REGEX, which compiles and frees
 * a PCRE2 pattern.
 */
#ifndef ERPIPE_SCHEMA_FMT_H
#define ERPIPE_SCHEMA_FMT_H

#include <stddef.h>

enum schema_fmt {
	SCHEMA_FMT_NONE = 0, /* unknown format: annotation only */
	SCHEMA_FMT_DATE,
	SCHEMA_FMT_TIME,
	SCHEMA_FMT_DATE_TIME,
	SCHEMA_FMT_DURATION,
	SCHEMA_FMT_EMAIL,
	SCHEMA_FMT_IDN_EMAIL,
	SCHEMA_FMT_HOSTNAME,
	SCHEMA_FMT_IPV4,
	SCHEMA_FMT_IPV6,
	SCHEMA_FMT_URI,
	SCHEMA_FMT_URI_REFERENCE,
	SCHEMA_FMT_IRI,
	SCHEMA_FMT_IRI_REFERENCE,
	SCHEMA_FMT_URI_TEMPLATE,
	SCHEMA_FMT_UUID,
	SCHEMA_FMT_JSON_POINTER,
	SCHEMA_FMT_REL_JSON_POINTER,
	SCHEMA_FMT_REGEX,
	SCHEMA_FMT_ISO4217,
	SCHEMA_FMT_ISO3166,
};

/* SCHEMA_FMT_NONE for a name this engine only annotates (idn-hostname,
 * and any unknown name). */
enum schema_fmt schema_fmt_lookup(const char *name);
/* 1 if s (n bytes) is valid for the format, 0 if not. */
int schema_fmt_check(enum schema_fmt f, const char *s, size_t n);
/* PCRE2 options erpipe compiles a JSON Schema "pattern" with, and a
 * check that refuses the non-ECMA-262 syntax PCRE2 would accept;
 * shared by "pattern" and format "regex". */
int schema_regex_ecma_ok(const char *s, size_t n);
unsigned schema_regex_options(void);
/* The pattern with ECMA-262 long property names (\p{Letter}) rewritten to
 * PCRE2's (\p{L}); malloc'd, NULL on allocation failure. */
char *schema_regex_translate(const char *s, size_t n);

#endif
