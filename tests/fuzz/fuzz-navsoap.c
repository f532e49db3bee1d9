/* fuzz-navsoap: NAV SOAP answers and WSDLs are outside input (lib/navsoap
 * through lib/xml's safe setup).  'W' first: a WSDL; anything else: an
 * answer read with a page of every field kind.  A record that parses must
 * be a JSON object. */
#include "proto/navsoap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stream/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
rec(void *ud, const char *json, size_t len, const char *key, struct ep_err *err)
{
	(void)ud;
	(void)err;
	if (key == NULL || json_check(json, len, NULL, NULL) != JSON_OBJECT)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ep_err err = EP_ERR_INIT;
	struct navsoap_fault fault;
	size_t n;

	if (size == 0)
		return 0;
	if (data[0] == 'W') {
		struct navsoap_page pg;
		if (navsoap_wsdl_parse(&pg, "Customer", (const char *)data + 1, size - 1, "fuzz",
		                       &err) == 0) {
			if (pg.nfields == 0 || pg.ns == NULL)
				abort();
			navsoap_page_free(&pg);
		} else if (err.msg[0] == '\0') {
			abort();
		}
		return 0;
	}
	struct navsoap_field f[] = {
		{ "No", ODATA_STRING }, { "Credit_Limit_LCY", ODATA_DECIMAL },
		{ "Count", ODATA_INT }, { "Blocked", ODATA_ENUM },
		{ "Ok", ODATA_BOOL },   { "Last_Date_Modified", ODATA_DATE },
	};
	struct navsoap_page pg = { "Customer", "urn:microsoft-dynamics-schemas/page/customer",
		                   f,          6,
		                   NULL,       0 };
	int rc = navsoap_parse((const char *)data + 1, size - 1, &pg, "fuzz", rec, NULL, &n, &fault,
	                       &err);
	if (rc < 0 && err.msg[0] == '\0')
		abort();
	if (rc == 1 && (memchr(fault.string, '\n', strlen(fault.string))))
		abort();
	return 0;
}
