/* fuzz-xmlrpc: XML-RPC responses are outside input (lib/xmlrpc through the
 * safe parse setup of lib/xml).  Whatever decodes must encode again, and
 * decode back to the same JSON. */
#include "proto/xmlrpc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xmlrpc_fault f;
	struct ep_err err = EP_ERR_INIT;
	struct buf b = BUF_INIT;
	cJSON *r = NULL, *again = NULL;
	int rc;

	rc = xmlrpc_decode_response((const char *)data, size, "fuzz", NULL, &r, &f, &err);
	if (rc == 1) {
		if (f.code_text == NULL || f.string == NULL)
			abort();
		xmlrpc_fault_free(&f);
		return 0;
	}
	if (rc < 0) {
		if (r != NULL || err.msg[0] == '\0')
			abort();
		return 0;
	}
	buf_adds(&b, "<methodResponse><params><param>");
	if (xmlrpc_encode_value(&b, r, &err) < 0)
		abort(); /* what decodes must encode */
	buf_adds(&b, "</param></params></methodResponse>");
	if (xmlrpc_decode_response(b.p, b.len, "again", NULL, &again, &f, &err) != 0 ||
	    !cJSON_Compare(r, again, 1))
		abort(); /* and read back the same */
	cJSON_Delete(r);
	cJSON_Delete(again);
	buf_release(&b);
	return 0;
}
