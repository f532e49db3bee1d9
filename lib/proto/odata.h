/*
 * odata.h - OData V4 as Dynamics NAV / Business Central speak it
 * (layer 4: protocols).  No network here: URLs, literals, $filter pieces, $metadata
 * (CSDL), collection pages, errors and JSON $batch bodies; lib/proto/nav.h does
 * the requests.
 *
 * Ownership: functions that append take a caller-owned struct buf and
 * return -1 only when it refuses to grow (or with err set, when they say
 * so).  struct odata_md owns everything it holds; odata_md_free releases
 * it.  Pointers into a page body (odata_page_scan's callback, odata_member)
 * live as long as the body.  struct odata_page and the batch answers own
 * their strings / cJSON values; release them with their _release / _free.
 *
 * Outside input (a page, $metadata, a $batch answer, an error body) may be
 * any bytes: every parser here fails with a one-line message and EP_DATAERR
 * (or returns a best-effort result, for error bodies), never crashes, and
 * has a fuzz target (tests/fuzz/fuzz-odata.c).
 */
#ifndef ERPIPE_ODATA_H
#define ERPIPE_ODATA_H

#include <stddef.h>

#include <cJSON.h>

#include "base/buf.h"
#include "base/err.h"

/* ---- URLs ---------------------------------------------------------------- */

/* Percent-encode s for a path segment (ODATA_PATH: keeps ' ( ) = , : @ ! $ *
 * + ;) or a query value (ODATA_QUERY: also encodes & = + ; # and keeps / ?).
 * Unreserved characters stay; everything else, spaces and non-ASCII bytes
 * included, becomes %XX.  ODATA_RAW copies s as it is (text that is
 * encoded later as a whole, such as a $filter). */
enum odata_pct_mode { ODATA_PATH, ODATA_QUERY, ODATA_RAW };
int odata_pct(struct buf *b, const char *s, size_t n, enum odata_pct_mode mode);

/* The company segment: Company('CRONUS%20International%20Ltd.') with the
 * quote doubled, or Company(Id=<guid>) when id is set. */
int odata_company_seg(struct buf *b, const char *company, int id);

/* Resolve the reference ref against base (RFC 3986 section 5.2: a
 * relative nextLink is relative to the payload's context URL, itself under
 * the service root).  base must be absolute (scheme://authority...); its
 * fragment is dropped, as is ref's.  -1 with err (EP_DATAERR) when base is
 * not absolute. */
int odata_resolve(struct buf *out, const char *base, const char *ref, struct ep_err *err);

/* ---- $metadata ------------------------------------------------------------ */

enum odata_kind {
	ODATA_STRING = 0,
	ODATA_INT,     /* Edm.Byte/SByte/Int16/Int32/Int64 */
	ODATA_DECIMAL, /* Edm.Decimal/Double/Single */
	ODATA_BOOL,
	ODATA_DATE,     /* Edm.Date: 2026-01-05 */
	ODATA_DATETIME, /* Edm.DateTimeOffset: 2026-01-05T10:00:00.123Z */
	ODATA_TIME,     /* Edm.TimeOfDay / Edm.Duration */
	ODATA_GUID,
	ODATA_ENUM,  /* an EnumType of the schema */
	ODATA_OTHER, /* complex types, collections, binary, streams */
};

struct odata_prop {
	char *name;
	char *type; /* as declared: "Edm.String", "NAV.CustomerBlocked" */
	enum odata_kind kind;
	long max_len;                   /* MaxLength, 0 when none */
	int nullable;                   /* Nullable (default true) */
	int computed;                   /* Core.Computed, or Core.Permissions Read: the server
			    * sets it, a client never writes it */
	int immutable;                  /* Core.Immutable: written on create, never changed */
	int key;                        /* part of the key */
	const struct odata_enum *enumt; /* ODATA_ENUM: its members */
};

struct odata_enum {
	char *qname;    /* "NAV.CustomerBlocked" */
	char **members; /* member names as declared ("_x0020_", "Ship") */
	size_t nmembers;
};

struct odata_etype {
	char *qname; /* "NAV.Customer" */
	struct odata_prop *props;
	size_t nprops;
	size_t *keys; /* indexes into props, in key order */
	size_t nkeys;
	char **navs;      /* navigation properties (SalesOrderSalesLines) */
	char **nav_types; /* and their types as declared ("Collection(NAV.Line)") */
	size_t nnavs;
};

struct odata_md {
	struct odata_etype *types;
	size_t ntypes;
	struct odata_enum *enums;
	size_t nenums;
	char **set_names; /* entity sets and the index of their type */
	size_t *set_types;
	size_t nsets;
};

#define ODATA_MD_MAX_BYTES (64u << 20)
#define ODATA_MD_MAX_ITEMS 200000 /* types + properties + members + sets */

/* Parse a CSDL document through lib/xml's safe setup (no network, no
 * entities, no DTD, size and depth caps).  what names it in messages
 * ("$metadata from 'URL'").  The Core vocabulary's Computed, Immutable and
 * Permissions (Read: read-only, taken as computed) are honoured inside a
 * <Property> and out of line (<Annotations Target="NS.Type/Property">), under
 * the alias an edmx:Include gives Org.OData.Core.V1 ("Core" when none does).
 * 0, or -1 with err (EP_DATAERR). */
int odata_md_parse(struct odata_md *md, const char *xml, size_t len, const char *what,
                   struct ep_err *err);
void odata_md_free(struct odata_md *md);
/* The entity type of an entity set, or NULL. */
const struct odata_etype *odata_md_entity(const struct odata_md *md, const char *set);
const struct odata_prop *odata_prop_find(const struct odata_etype *t, const char *name);
/* The entity type a navigation property of t leads to, or NULL. */
const struct odata_etype *odata_nav_entity(const struct odata_md *md, const struct odata_etype *t,
                                           const char *nav);
const char *odata_kind_name(enum odata_kind k);

/* ---- literals and filters -------------------------------------------------- */

/* The literal of a value given as text, typed by p: 'quoted' with ''
 * doubled for strings and enum members, bare and checked for numbers,
 * booleans, dates (YYYY-MM-DD), datetimes (ISO 8601 with Z or an offset)
 * and guids; encoded as mode says.  -1 with err (EP_USAGE) when the text
 * does not fit the type, naming the property. */
int odata_literal(struct buf *b, const struct odata_prop *p, const char *text, size_t n,
                  enum odata_pct_mode mode, struct ep_err *err);
/* The same from a JSON value (a record's key): strings, numbers, booleans. */
int odata_literal_json(struct buf *b, const struct odata_prop *p, const cJSON *v,
                       enum odata_pct_mode mode, struct ep_err *err);

/* Split one --where condition 'FIELD OP VALUE': the field name into
 * field[fcap], *op the operator's OData name (eq ne gt ge lt le startswith
 * endswith contains; = != <> > >= < <= are accepted for them), *func set
 * for the three functions, *value the rest of expr after one blank, as it
 * is.  -1 with err (EP_USAGE). */
int odata_where_parse(const char *expr, char *field, size_t fcap, const char **op, int *func,
                      const char **value, struct ep_err *err);

/* Append one --where condition 'FIELD OP VALUE' as $filter text (not
 * encoded: the caller encodes the whole $filter): OP is one
 * of eq ne gt ge lt le (or = != <> > >= < <=) or startswith endswith
 * contains; VALUE is the rest of the text after one blank, taken as it is
 * (no quoting needed) and turned into a literal of FIELD's type.  -1 with
 * err (EP_USAGE) for an unknown field, operator or a value of the wrong
 * type. */
int odata_where(struct buf *filter, const struct odata_etype *t, const char *expr,
                struct ep_err *err);

/* The key predicate of a record: "('10000')" for a single key, else
 * "(Document_Type='Order',No='101005')".  key holds the values by name.
 * -1 with err (EP_DATAERR) when a key field is missing or mistyped. */
int odata_key_pred(struct buf *b, const struct odata_etype *t, const cJSON *key,
                   struct ep_err *err);

/* ---- collection pages ------------------------------------------------------ */

struct odata_page {
	char *next_link; /* decoded @odata.nextLink, or NULL */
	char *context;   /* decoded @odata.context, or NULL */
	long long count; /* @odata.count, or -1 */
	size_t nvalues;  /* entities seen */
};

/* Called with each entity of "value" as its raw JSON text (an object,
 * checked).  Return -1 to stop the scan (odata_page_scan then returns -1
 * leaving err as the callback set it). */
typedef int (*odata_entity_fn)(void *ud, const char *obj, size_t len, struct ep_err *err);

/* Scan a collection answer {"@odata.context":…, "value":[…],
 * "@odata.nextLink":…} without building a tree.  A body that is not such
 * an object (not JSON, value not an array of objects, nextLink not a
 * string) fails with EP_DATAERR and the byte offset. */
int odata_page_scan(const char *body, size_t len, odata_entity_fn fn, void *ud,
                    struct odata_page *pg, struct ep_err *err);
void odata_page_release(struct odata_page *pg);

/* The raw value of member name in the JSON object obj (from a page scan):
 * 1 and *val and *vlen set, 0 when absent or obj is not an object. */
int odata_member(const char *obj, size_t len, const char *name, const char **val, size_t *vlen);

/* Copy obj leaving out its annotations (members whose name starts with
 * '@', or holds "@odata."), except "@odata.etag" when keep_etag, and,
 * when only is not NULL, the members not named in only[0..nonly).  Objects
 * nested in its values (expanded lines) lose all their annotations. */
int odata_project(struct buf *out, const char *obj, size_t len, int keep_etag,
                  const char *const *only, size_t nonly);

/* ---- errors ---------------------------------------------------------------- */

struct odata_error {
	long status;
	char code[128];    /* "Request_EntityChanged", or "" */
	char message[768]; /* the message without NAV's "CorrelationId: …" tail */
};

/* Read NAV's {"error":{"code","message"}}; anything else becomes the
 * status line and the body's first line.  Never fails. */
void odata_error_parse(struct odata_error *e, long status, const char *body, size_t len);
/* The exit status a failed request maps to: 401/403 and the
 * Authentication_/Authorization_ codes 77; 404 65 (a missing record) unless
 * the code says the resource or company is missing (78); other 4xx 65;
 * 5xx 69. */
int odata_error_exit(const struct odata_error *e);
/* "CODE: message" or "HTTP 500: message" */
int odata_error_format(struct buf *b, const struct odata_error *e);

/* ---- $batch (JSON form, at most ODATA_BATCH_MAX requests) ------------------ */

#define ODATA_BATCH_MAX 100

struct odata_batch_op {
	const char *id;
	const char *method;   /* GET POST PATCH DELETE */
	const char *url;      /* relative to the service root */
	const char *if_match; /* or NULL */
	const char *body;     /* JSON text, or NULL */
	size_t body_len;
};

/* {"requests":[{"id","method","url","headers":{…},"body":…},…]}. */
int odata_batch_body(struct buf *b, const struct odata_batch_op *ops, size_t n);

struct odata_batch_resp {
	char *id;
	long status;
	cJSON *body; /* the answer's body, or NULL */
	char *etag;  /* the body's @odata.etag or the ETag header, or NULL */
};

/* Parse {"responses":[…]}: *out gets n answers (any order: match by id).
 * -1 with err (EP_DATAERR) when the body is not a batch answer. */
int odata_batch_parse(const char *body, size_t len, struct odata_batch_resp **out, size_t *n,
                      struct ep_err *err);
void odata_batch_resp_free(struct odata_batch_resp *r, size_t n);
/* The error of one answer (status >= 400). */
void odata_batch_error(struct odata_error *e, const struct odata_batch_resp *r);

#endif
