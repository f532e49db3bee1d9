/*
 * xml.h - the one safe way to parse outside XML with libxml2
 * (layer 4: protocols; XML-RPC, NAV SOAP and OData $metadata all go through
 * it).
 *
 * Ownership: xml_parse_safe returns an xmlDoc the caller frees with
 * xmlFreeDoc.  xml_sax_safe builds nothing: the caller's SAX callbacks see
 * the document and keep what they want.  Neither keeps a pointer to data.
 *
 * The setup, the same for both:
 *  - no network (XML_PARSE_NONET), no external DTD or entity loading
 *    (no XML_PARSE_DTDLOAD, no entity loader), no entity substitution
 *    (no XML_PARSE_NOENT), no XML_PARSE_HUGE (libxml2's own caps on
 *    text node size and nesting depth, 256, stay on);
 *  - a document type declaration of any kind (<!DOCTYPE ...>, internal
 *    subset, entity declarations) stops the parse and is refused: no
 *    protocol we speak needs one, and every entity expansion attack
 *    starts with one;
 *  - a size cap checked before parsing (XML_MAX_DOC_DEFAULT, or the
 *    caller's), and a nesting depth cap (XML_MAX_DEPTH_DEFAULT) enforced
 *    by both entry points;
 *  - libxml2 never prints: the first error is kept and returned as one
 *    line "WHAT: line N: MESSAGE" with EP_DATAERR (65), WHAT naming the
 *    document (e.g. "XML-RPC response from 'http://…/xmlrpc/2/object'").
 */
#ifndef ERPIPE_XML_H
#define ERPIPE_XML_H

#include <stddef.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "base/err.h"

#define XML_MAX_DOC_DEFAULT (256u << 20) /* bytes */
#define XML_MAX_DEPTH_DEFAULT 128        /* element nesting */

struct xml_limits {
	size_t max_bytes; /* 0 = XML_MAX_DOC_DEFAULT */
	int max_depth;    /* 0 = XML_MAX_DEPTH_DEFAULT, at most 256 */
};

/* Parse into a tree.  lim may be NULL (defaults).  NULL and err on failure. */
xmlDocPtr xml_parse_safe(const char *data, size_t len, const char *what,
                         const struct xml_limits *lim, struct ep_err *err);

/*
 * Parse with the caller's SAX2 callbacks (startElementNs, endElementNs,
 * characters; the DTD callbacks are replaced by the refusal).  Each
 * callback's first argument is an opaque context: get the caller's ud
 * from it with xml_sax_ud(), and stop the parse with a reason with
 * xml_sax_fail() (the message becomes err's, with the line).
 * 0, or -1 with err.
 */
int xml_sax_safe(const char *data, size_t len, const char *what, const struct xml_limits *lim,
                 const xmlSAXHandler *sax, void *ud, struct ep_err *err);
void *xml_sax_ud(void *ctx);
/* The value of the unprefixed attribute NAME among a startElementNs
 * callback's attributes (not NUL-terminated: *len bytes), or NULL. */
const char *xml_sax_attr(const xmlChar **attrs, int nattrs, const char *name, size_t *len);
void xml_sax_fail(void *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
