/*
 * schema.h - JSON Schema draft 2020-12 validation (layer 5: engines).
 *
 * Documents and instances are read with the JSON value parser
 * (jv_parse, stream/jv.h), which keeps every string whole (a "\u0000" inside one
 * is a character like any other) and every number as its text: integers,
 * bounds and multipleOf are decided on the exact decimal, not a double.
 *
 * Ownership: schema_compile reads text (the caller keeps it and may free
 * it at once) and returns a struct schema the caller frees with
 * schema_free; texts a loader returns are the schema's to free.  struct
 * schema_errors is the caller's, set up with SCHEMA_ERRORS_INIT (or
 * schema_errors_init) and released with schema_errors_free; a validation
 * empties it first, so one can be reused for every record without
 * allocating when records are valid.  The strings in an error live until
 * the next validation or schema_errors_free on the same struct.
 *
 * A compiled schema is read-only during validation: one schema may serve
 * several threads, each with its own schema_errors (which also holds the
 * per-thread regex match data and parse arena).
 *
 * Nothing here fetches from the network: "file:" URIs (and sibling files,
 * relative to the schema's own path) are read from disk; anything else goes
 * to the loader, if any, or fails to compile.
 */
#ifndef ERPIPE_SCHEMA_H
#define ERPIPE_SCHEMA_H

#include <stddef.h>

#include "base/err.h"

struct schema;
struct jv;

/* Resolves a non-file URI (without fragment) to a document's text:
 * returns malloc'd bytes (*len set) the schema frees, or NULL with err
 * filled.  ctx is passed through. */
struct schema_loader {
	char *(*load)(void *ctx, const char *uri, size_t *len, struct ep_err *err);
	void *ctx;
};

/* schema_compile flags */
enum {
	/* "format" is an assertion (erpipe's default: schema_compile_file
	 * sets it); without it "format" is an annotation only, as 2020-12's
	 * format-annotation vocabulary says */
	SCHEMA_FORMAT_ASSERT = 1 << 0,
	/* refuse "file:" references (untrusted schemas, fuzzing) */
	SCHEMA_NO_FILES = 1 << 1,
};

/* Compile the JSON text (len bytes).  base is a URI or a file path (made
 * absolute, "file://" prepended) used to resolve "$id" and "$ref"; NULL
 * for a schema without a location.  loader may be NULL.  Fails (NULL, err
 * filled with EP_DATAERR or EP_NOINPUT) on text that is not JSON, a
 * malformed schema, an unresolvable "$ref" or a pattern PCRE2 rejects. */
struct schema *schema_compile(const char *text, size_t len, const char *base,
                              struct schema_loader *loader, unsigned flags, struct ep_err *err);
/* Read and compile a schema file (base = its path, "format" asserted);
 * err->msg starts with the path. */
struct schema *schema_compile_file(const char *path, struct schema_loader *loader,
                                   struct ep_err *err);
void schema_free(struct schema *s);

struct schema_error {
	const char *path;    /* JSON Pointer into the instance, "" = root */
	const char *keyword; /* schema location: "#/properties/Email/format" */
	const char *message; /* without the path: "does not match format \"email\"" */
};

struct schema_errors {
	struct schema_error *v;
	size_t n;       /* errors collected */
	size_t max;     /* stop collecting after max (0 = 100); n never exceeds it */
	size_t dropped; /* errors beyond max, counted only */
	/* private */
	size_t cap;
	char *pool;
	size_t pool_len, pool_cap;
	void *priv;
};

/* clang-format off */
#define SCHEMA_ERRORS_INIT { NULL, 0, 0, 0, 0, NULL, 0, 0, NULL }
/* clang-format on */

void schema_errors_init(struct schema_errors *e);
void schema_errors_free(struct schema_errors *e);

/* Validate one JSON text.  1 valid, 0 invalid (out->n > 0 unless out is
 * NULL; text that is not JSON is invalid, with the reason at the root),
 * -1 out of memory.  out may be NULL to ask only whether the instance is
 * valid (fastest: stops at the first failure). */
int schema_validate(const struct schema *s, const char *text, size_t len,
                    struct schema_errors *out);
/* The same on a value jv_parse made (stream/jv.h), for callers that
 * parse a record once for several checks. */
int schema_validate_val(const struct schema *s, const struct jv *instance,
                        struct schema_errors *out);

/* "/Email: does not match format \"email\"" into buf; an error about the
 * whole instance prints as "(root): ...".  Returns what snprintf returns. */
int schema_error_format(const struct schema_error *e, char *buf, size_t n);

#endif
