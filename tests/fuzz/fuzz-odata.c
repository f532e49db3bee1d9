/* fuzz-odata: what a NAV / Business Central server sends is outside input:
 * collection pages, $metadata (CSDL through lib/xml's safe setup), $batch
 * answers, error bodies and nextLinks.  The first byte picks the parser. */
#include "proto/odata.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
entity(void *ud, const char *obj, size_t len, struct ep_err *err)
{
	struct buf *b = ud;
	const char *v;
	size_t vl;
	(void)err;
	buf_reset(b);
	if (odata_project(b, obj, len, 1, NULL, 0) < 0)
		abort();
	if (odata_member(obj, len, "No", &v, &vl) == 1 && (v < obj || v + vl > obj + len))
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ep_err err = EP_ERR_INIT;
	struct buf b = BUF_INIT;
	const char *s = (const char *)data + 1;
	size_t n = size ? size - 1 : 0;

	if (size == 0)
		return 0;
	switch (data[0] % 5) {
	case 0: {
		struct odata_page pg;
		if (odata_page_scan(s, n, entity, &b, &pg, &err) < 0 && err.msg[0] == '\0')
			abort();
		odata_page_release(&pg);
		break;
	}
	case 1: {
		struct odata_md md;
		if (odata_md_parse(&md, s, n, "fuzz", &err) < 0) {
			if (err.msg[0] == '\0' || md.ntypes != 0)
				abort();
			break;
		}
		for (size_t i = 0; i < md.nsets; i++) {
			const struct odata_etype *t = odata_md_entity(&md, md.set_names[i]);
			if (t == NULL)
				abort();
			for (size_t k = 0; k < t->nprops; k++) {
				buf_reset(&b);
				odata_literal(&b, &t->props[k], "1", 1, ODATA_QUERY, &err);
			}
		}
		odata_md_free(&md);
		break;
	}
	case 2: {
		struct odata_batch_resp *r;
		size_t k;
		if (odata_batch_parse(s, n, &r, &k, &err) == 0) {
			for (size_t i = 0; i < k; i++) {
				struct odata_error e;
				if (r[i].id == NULL)
					abort();
				odata_batch_error(&e, &r[i]);
			}
			odata_batch_resp_free(r, k);
		}
		break;
	}
	case 3: {
		struct odata_error e;
		odata_error_parse(&e, 400, s, n);
		if (memchr(e.message, '\n', strlen(e.message)))
			abort();
		odata_error_format(&b, &e);
		break;
	}
	default: {
		/* base NUL ref */
		char *copy = malloc(n + 1);
		memcpy(copy, s, n);
		copy[n] = '\0';
		const char *ref = copy + strlen(copy) + (strlen(copy) < n);
		odata_resolve(&b, copy, ref, &err);
		free(copy);
		break;
	}
	}
	buf_release(&b);
	return 0;
}
