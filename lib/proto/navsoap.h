/*
 * navsoap.h - Dynamics NAV SOAP page web services (layer 4: protocols):
 * /<instance>/WS/<Company>/Page/<Name>, namespace
 * urn:microsoft-dynamics-schemas/page/<name>.  Envelopes for Read,
 * ReadMultiple (filter[], bookmarkKey, setSize), Create, Update and Delete;
 * their answers and faults parsed through lib/xml's safe setup; the page's
 * WSDL read for the field types, so records come out as typed JSON.
 *
 * Ownership: struct navsoap_page owns its strings (navsoap_page_free).
 * The callback of navsoap_parse gets the record's JSON text and its Key,
 * valid during the call.  Functions appending to a struct buf return -1
 * only when it refuses to grow, unless they take an err.
 */
#ifndef ERPIPE_NAVSOAP_H
#define ERPIPE_NAVSOAP_H

#include <stddef.h>

#include <cJSON.h>

#include "base/buf.h"
#include "base/err.h"
#include "proto/odata.h"

#define NAVSOAP_MAX_BYTES (256u << 20)

struct navsoap_field {
	char *name;
	enum odata_kind kind; /* string, integer, decimal, boolean, date, datetime, enum */
};

struct navsoap_page {
	char *name; /* the service ("Customer"), the record element's name */
	char *ns;   /* urn:microsoft-dynamics-schemas/page/customer */
	struct navsoap_field *fields;
	size_t nfields;
	char **keys; /* the parameters of Read: the page's key fields */
	size_t nkeys;
};

/* Read the WSDL of page service NAME.  0, or -1 with err (EP_DATAERR: not
 * a WSDL, no complexType NAME). */
int navsoap_wsdl_parse(struct navsoap_page *pg, const char *name, const char *xml, size_t len,
                       const char *what, struct ep_err *err);
void navsoap_page_free(struct navsoap_page *pg);
const struct navsoap_field *navsoap_field(const struct navsoap_page *pg, const char *name);

/* The SOAPAction header value: "urn:…/page/customer:ReadMultiple" (quoted). */
int navsoap_action(struct buf *b, const struct navsoap_page *pg, const char *op);

struct navsoap_filter {
	const char *field;
	const char *criteria; /* NAV filter syntax: 10000..20000|30000, <>'x', A* */
};

int navsoap_read_multiple(struct buf *b, const struct navsoap_page *pg,
                          const struct navsoap_filter *f, size_t nf, const char *bookmark,
                          long set_size);
/* Read by key: values of pg->keys from key (by name). */
int navsoap_read(struct buf *b, const struct navsoap_page *pg, const cJSON *key,
                 struct ep_err *err);
/* Create / Update of one record (rec's fields, typed as the WSDL says;
 * Update needs the record's current Key).  Fields the page does not have
 * are refused (EP_DATAERR naming them). */
int navsoap_write(struct buf *b, const struct navsoap_page *pg, const char *op, const char *key,
                  const cJSON *rec, struct ep_err *err);
int navsoap_delete(struct buf *b, const struct navsoap_page *pg, const char *key);

/* A --where condition 'FIELD OP VALUE' (odata_where_parse) as a filter of
 * ReadMultiple: field gets the field name, crit the criteria, the value
 * quoted ('' doubled) so NAV's filter characters stay literal.
 * startswith / endswith / contains become wildcards and refuse values
 * holding filter characters (& | < > = . * @ ( ) ' ?).  -1 with err
 * (EP_USAGE) for an unknown field or such a value. */
int navsoap_where(struct buf *field, struct buf *crit, const struct navsoap_page *pg,
                  const char *expr, struct ep_err *err);

struct navsoap_fault {
	char code[256];   /* faultcode without its prefix: Microsoft.Dynamics.Nav…Exception */
	char string[768]; /* faultstring */
};

typedef int (*navsoap_rec_fn)(void *ud, const char *json, size_t len, const char *key,
                              struct ep_err *err);

/* Parse an answer: each record element (named pg->name) becomes a JSON
 * object of its fields, typed by the WSDL (numbers and booleans bare,
 * everything else a string), in document order, handed to fn with its Key
 * (fn may be NULL).  Returns 0 (*nrec records), 1 for a SOAP fault (fault
 * filled), -1 with err (EP_DATAERR) for anything else: not XML, hostile
 * XML, not a SOAP envelope, a truncated document, a value that does not
 * fit its type. */
int navsoap_parse(const char *xml, size_t len, const struct navsoap_page *pg, const char *what,
                  navsoap_rec_fn fn, void *ud, size_t *nrec, struct navsoap_fault *fault,
                  struct ep_err *err);

#endif
