/*
 * xmlrpc.h - XML-RPC to and from cJSON (layer 4: protocols).
 *
 * Ownership: xmlrpc_encode_call appends to the caller's buffer and reads
 * params only.  xmlrpc_decode_response returns, in *result, a cJSON the
 * caller owns (cJSON_Delete); a fault fills a struct xmlrpc_fault the
 * caller releases with xmlrpc_fault_free.
 *
 * Values, JSON -> XML-RPC:
 *   object -> <struct> (members in order), array -> <array>,
 *   string -> <string> (& < > escaped, \r as &#13; so it survives),
 *   true/false -> <boolean>1/0, null -> <nil/> (Python's and Odoo's
 *   unmarshaller accept it), a number with no fraction in the 32-bit
 *   range -> <int>, in the 64-bit range (exact) -> <i8>, any other
 *   number -> <double> (shortest text that reads back the same).
 *   A string holding a character XML 1.0 cannot carry (U+0000-U+0008,
 *   U+000B, U+000C, U+000E-U+001F) or invalid UTF-8 is refused (EP_DATAERR)
 *   naming the string: XML-RPC has no way to send it.
 * Values, XML-RPC -> JSON (through xml_sax_safe: see xml.h for the caps
 * and refusals):
 *   <int> <i4> <i8> -> number (integers past 2^53 keep their exact digits
 *   as a raw number), <double> -> number (non-finite refused),
 *   <boolean> 0/1 -> false/true, <string> and untyped text -> string,
 *   <dateTime.iso8601> 20260105T10:00:00 -> "2026-01-05 10:00:00" (Odoo's
 *   datetime text; other forms are kept as they came), <base64> -> its
 *   text without white space (as JSON-RPC carries binary fields), <nil/>
 *   -> null, <struct> -> object (a repeated member name: the last wins, as
 *   in Python), <array> -> array.  Anything else is malformed.
 */
#ifndef ERPIPE_XMLRPC_H
#define ERPIPE_XMLRPC_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "base/buf.h"
#include "base/err.h"
#include "proto/xml.h"

#define XMLRPC_MAX_DEPTH 64 /* nested struct/array values */

/* <?xml version="1.0"?><methodCall><methodName>METHOD</methodName>
 * <params>...</params></methodCall>, one <param> per element of params
 * (a JSON array; NULL = none).  0, or -1 with err (EP_DATAERR for a value
 * XML-RPC cannot carry, EP_SOFTWARE when the buffer refuses to grow). */
int xmlrpc_encode_call(struct buf *out, const char *method, const cJSON *params,
                       struct ep_err *err);
/* One value (<value>...</value>), for tests and callers composing calls. */
int xmlrpc_encode_value(struct buf *out, const cJSON *v, struct ep_err *err);

struct xmlrpc_fault {
	int code;        /* faultCode when an <int>; -1 when it was a string */
	char *code_text; /* faultCode as text (digits, or the legacy string) */
	char *string;    /* faultString */
};

void xmlrpc_fault_free(struct xmlrpc_fault *f);

/*
 * Decode a <methodResponse>.  Returns 0 with *result (the one param), 1
 * with *fault filled (a <fault> response), or -1 with err (EP_DATAERR:
 * not XML, not a methodResponse, a malformed value; the message starts
 * with WHAT and has the line).  lim may be NULL.
 */
int xmlrpc_decode_response(const char *data, size_t len, const char *what,
                           const struct xml_limits *lim, cJSON **result, struct xmlrpc_fault *fault,
                           struct ep_err *err);

#endif
