/*
 * fuzz-map.c - libFuzzer target for the mapping language's lexer, parser
 * and evaluator.  Input: a map source, optionally followed by a line
 * "%%\n" and records (NDJSON) to apply it to; each record's verdict must be
 * json_check's.  Tables are not reachable
 * (no files next to "<fuzz>").
 */
#include "stream/json.h"
#include "engine/map/map.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *sep;
	size_t srclen = size;
	struct ep_err err = EP_ERR_INIT;
	struct map_ctx *ctx = map_ctx_new(0);
	struct map_opts o = { ctx, 0, 1u << 20 };
	struct map_prog *p;

	sep = memmem(s, size, "\n%%\n", 4);
	if (sep)
		srclen = (size_t)(sep - s) + 1;
	o.keep = size > 0 && (data[0] & 1);
	p = map_compile(s, srclen, "/nonexistent/fuzz.map", &o, &err);
	if (p == NULL)
		p = map_expr_compile(s, srclen, "/nonexistent/expr", &o, &err);
	if (p != NULL && sep) {
		const char *r = sep + 4, *end = s + size;
		struct buf out = BUF_INIT;

		buf_init(&out, 1u << 20);
		while (r < end) {
			const char *nl = memchr(r, '\n', (size_t)(end - r));
			size_t len = nl ? (size_t)(nl - r) : (size_t)(end - r);
			struct map_rterr rt;

			int res = map_apply(p, r, len, &out, &rt);
			size_t off = 0;
			const char *why = NULL;
			enum json_type t = json_check(r, len, &off, &why);

			/* the engine's parser refuses what json_check refuses, at the
			 * same byte, with the same message (xform relies on it) */
			if (res == MAP_BADJSON) {
				if (rt.jtype != (int)t || t == JSON_OBJECT)
					if (strcmp(rt.jwhy ? rt.jwhy : "", "record too large") != 0)
						abort();
				if (t == JSON_INVALID &&
				    (rt.joff != off || strcmp(rt.jwhy, why) != 0))
					abort();
			} else if (t != JSON_OBJECT)
				abort();
			map_expr_eval(p, r, len, &out, &rt);
			buf_reset(&out);
			r += len + 1;
		}
		buf_release(&out);
	}
	map_free(p);
	map_ctx_free(ctx);
	return 0;
}
