#include "proto/navsoap.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "stream/json.h"
#include "stream/json_tree.h"
#include "base/text.h"
#include "proto/xml.h"

static const char SOAP_NS[] = "http://schemas.xmlsoap.org/soap/envelope/";
static const char XSD_NS[] = "http://www.w3.org/2001/XMLSchema";
static const char WSDL_NS[] = "http://schemas.xmlsoap.org/wsdl/";
#define NAVSOAP_MAX_FIELDS 10000

/* ---- XML text ------------------------------------------------------------------ */

static int
xml_text(struct buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *e = NULL;
		/* clang-format off */
		switch (s[i]) {
		case '&': e = "&amp;"; break;
		case '<': e = "&lt;"; break;
		case '>': e = "&gt;"; break;
		case '"': e = "&quot;"; break;
		case '\r': e = "&#13;"; break;
		}
		/* clang-format on */
		if (e ? buf_adds(b, e) < 0 : buf_addc(b, s[i]) < 0)
			return -1;
	}
	return 0;
}

/* -1 with err naming the field when s holds what XML 1.0 cannot carry (a
 * control character but tab, newline and return; U+FFFE, U+FFFF): NAV
 * would answer "not well-formed" without saying where. */
static int
xml_carries(const char *field, const char *str, struct ep_err *err)
{
	const unsigned char *s = (const unsigned char *)str;

	for (size_t i = 0; s[i]; i++) {
		if (s[i] < 0x20 && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return ep_errf(err, EP_DATAERR,
			               "'%s': a string holds U+%04X (byte %zu), which SOAP (XML "
			               "1.0) cannot carry",
			               field, s[i], i + 1);
		if (s[i] == 0xEF && s[i + 1] == 0xBF && (s[i + 2] == 0xBE || s[i + 2] == 0xBF))
			return ep_errf(err, EP_DATAERR,
			               "'%s': a string holds U+FFF%c (byte %zu), which SOAP (XML "
			               "1.0) cannot carry",
			               field, s[i + 2] == 0xBE ? 'E' : 'F', i + 1);
	}
	return 0;
}

static int
begin(struct buf *b, const struct navsoap_page *pg, const char *op)
{
	if (buf_addf(b,
	             "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"%s\">"
	             "<soap:Body><%s xmlns=\"",
	             SOAP_NS, op) < 0 ||
	    xml_text(b, pg->ns, strlen(pg->ns)) < 0 || buf_adds(b, "\">") < 0)
		return -1;
	return 0;
}

static int
end(struct buf *b, const char *op)
{
	return buf_addf(b, "</%s></soap:Body></soap:Envelope>", op);
}

int
navsoap_action(struct buf *b, const struct navsoap_page *pg, const char *op)
{
	return buf_addf(b, "\"%s:%s\"", pg->ns, op);
}

/* ---- requests ---------------------------------------------------------------------- */

int
navsoap_read_multiple(struct buf *b, const struct navsoap_page *pg, const struct navsoap_filter *f,
                      size_t nf, const char *bookmark, long set_size)
{
	if (begin(b, pg, "ReadMultiple") < 0)
		return -1;
	for (size_t i = 0; i < nf; i++)
		if (buf_adds(b, "<filter><Field>") < 0 ||
		    xml_text(b, f[i].field, strlen(f[i].field)) < 0 ||
		    buf_adds(b, "</Field><Criteria>") < 0 ||
		    xml_text(b, f[i].criteria, strlen(f[i].criteria)) < 0 ||
		    buf_adds(b, "</Criteria></filter>") < 0)
			return -1;
	if (bookmark &&
	    (buf_adds(b, "<bookmarkKey>") < 0 || xml_text(b, bookmark, strlen(bookmark)) < 0 ||
	     buf_adds(b, "</bookmarkKey>") < 0))
		return -1;
	if (buf_addf(b, "<setSize>%ld</setSize>", set_size) < 0)
		return -1;
	return end(b, "ReadMultiple");
}

/* one field's value as element text, typed by the page */
static int
value_text(struct buf *b, const struct navsoap_field *f, const cJSON *v, struct ep_err *err)
{
	char num[64];

	if (cJSON_IsString(v)) {
		if (f->kind == ODATA_INT || f->kind == ODATA_DECIMAL || f->kind == ODATA_BOOL) {
			size_t n = strlen(v->valuestring), e;
			enum json_type t = json_check_prefix(v->valuestring, n, &e, NULL, NULL);
			int okv = f->kind == ODATA_BOOL ? (t == JSON_TRUE || t == JSON_FALSE)
			                                : t == JSON_NUMBER;
			if (!okv || e != n)
				return ep_errf(err, EP_DATAERR, "'%s': '%.100s' is not a %s",
				               f->name, v->valuestring, odata_kind_name(f->kind));
		}
		if (xml_carries(f->name, v->valuestring, err) < 0)
			return -1;
		return xml_text(b, v->valuestring, strlen(v->valuestring)) < 0
		               ? ep_errf(err, EP_SOFTWARE, "out of memory")
		               : 0;
	}
	if (cJSON_IsBool(v)) {
		if (f->kind != ODATA_BOOL && f->kind != ODATA_STRING)
			return ep_errf(err, EP_DATAERR, "'%s': a boolean for a %s field", f->name,
			               odata_kind_name(f->kind));
		return buf_adds(b, cJSON_IsTrue(v) ? "true" : "false");
	}
	if (cJSON_IsNumber(v)) {
		if (f->kind == ODATA_BOOL || f->kind == ODATA_DATE || f->kind == ODATA_DATETIME ||
		    f->kind == ODATA_ENUM)
			return ep_errf(err, EP_DATAERR, "'%s': a number for a %s field", f->name,
			               odata_kind_name(f->kind));
		/* the shortest text of the double: 0.1, not 0.10000000000000001,
		 * which a decimal field would keep as written */
		json_tree_number(v->valuedouble, num, sizeof(num));
		return buf_adds(b, num);
	}
	return ep_errf(err, EP_DATAERR, "'%s': %s cannot be written through SOAP", f->name,
	               cJSON_IsNull(v) ? "null" : "a nested value");
}

int
navsoap_read(struct buf *b, const struct navsoap_page *pg, const cJSON *key, struct ep_err *err)
{
	if (begin(b, pg, "Read") < 0)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	for (size_t i = 0; i < pg->nkeys; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(key, pg->keys[i]);
		const struct navsoap_field *f = navsoap_field(pg, pg->keys[i]);
		struct navsoap_field s = { pg->keys[i], ODATA_STRING };
		if (v == NULL)
			return ep_errf(err, EP_DATAERR, "key field '%s' missing", pg->keys[i]);
		if (buf_addf(b, "<%s>", pg->keys[i]) < 0 || value_text(b, f ? f : &s, v, err) < 0 ||
		    buf_addf(b, "</%s>", pg->keys[i]) < 0)
			return err && err->code ? -1 : ep_errf(err, EP_SOFTWARE, "out of memory");
	}
	return end(b, "Read") < 0 ? ep_errf(err, EP_SOFTWARE, "out of memory") : 0;
}

int
navsoap_write(struct buf *b, const struct navsoap_page *pg, const char *op, const char *key,
              const cJSON *rec, struct ep_err *err)
{
	const cJSON *v;

	if (begin(b, pg, op) < 0 || buf_addf(b, "<%s>", pg->name) < 0)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	if (key && (buf_adds(b, "<Key>") < 0 || xml_text(b, key, strlen(key)) < 0 ||
	            buf_adds(b, "</Key>") < 0))
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	/* in the WSDL's order: NAV validates fields in page order */
	for (size_t i = 0; i < pg->nfields; i++) {
		const struct navsoap_field *f = &pg->fields[i];
		if ((v = cJSON_GetObjectItemCaseSensitive(rec, f->name)) == NULL)
			continue;
		if (buf_addf(b, "<%s>", f->name) < 0 || value_text(b, f, v, err) < 0 ||
		    buf_addf(b, "</%s>", f->name) < 0)
			return err && err->code ? -1 : ep_errf(err, EP_SOFTWARE, "out of memory");
	}
	cJSON_ArrayForEach(v, rec) {
		if (v->string && navsoap_field(pg, v->string) == NULL)
			return ep_errf(err, EP_DATAERR, "'%s': the page %s has no such field",
			               v->string, pg->name);
	}
	if (buf_addf(b, "</%s>", pg->name) < 0 || end(b, op) < 0)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	return 0;
}

int
navsoap_delete(struct buf *b, const struct navsoap_page *pg, const char *key)
{
	if (begin(b, pg, "Delete") < 0 || buf_adds(b, "<Key>") < 0 ||
	    xml_text(b, key, strlen(key)) < 0 || buf_adds(b, "</Key>") < 0)
		return -1;
	return end(b, "Delete");
}

static int
quote_nav(struct buf *b, const char *s)
{
	if (buf_addc(b, '\'') < 0)
		return -1;
	for (; *s; s++)
		if ((*s == '\'' && buf_addc(b, '\'') < 0) || buf_addc(b, *s) < 0)
			return -1;
	return buf_addc(b, '\'');
}

int
navsoap_where(struct buf *field, struct buf *crit, const struct navsoap_page *pg, const char *expr,
              struct ep_err *err)
{
	char name[256];
	const char *op, *val;
	int func;
	static const struct {
		const char *op, *prefix;
	} cmp[] = { { "eq", "" },   { "ne", "<>" }, { "gt", ">" },
		    { "ge", ">=" }, { "lt", "<" },  { "le", "<=" } };

	if (odata_where_parse(expr, name, sizeof(name), &op, &func, &val, err) < 0)
		return -1;
	if (navsoap_field(pg, name) == NULL)
		return ep_errf(err, EP_USAGE, "--where '%.200s': the page %s has no field '%s'",
		               expr, pg->name, name);
	if (buf_adds(field, name) < 0)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	if (func) {
		if (val[strcspn(val, "&|<>=.*@()'?")] != '\0')
			return ep_errf(err, EP_USAGE,
			               "--where '%.200s': NAV filters cannot use %s with "
			               "a value holding & | < > = . * @ ( ) ' or ?",
			               expr, op);
		if (buf_addf(crit, "%s%s%s", op[0] == 's' ? "" : "*", val,
		             op[0] == 'e' ? "" : "*") < 0)
			return ep_errf(err, EP_SOFTWARE, "out of memory");
		return 0;
	}
	for (size_t i = 0; i < sizeof(cmp) / sizeof(cmp[0]); i++)
		if (strcmp(cmp[i].op, op) == 0) {
			if (buf_adds(crit, cmp[i].prefix) < 0 || quote_nav(crit, val) < 0)
				return ep_errf(err, EP_SOFTWARE, "out of memory");
			return 0;
		}
	return ep_errf(err, EP_SOFTWARE, "--where: operator '%s'", op);
}

/* ---- WSDL ---------------------------------------------------------------------------- */

struct wsdl_sax {
	struct navsoap_page *pg;
	size_t cap, kcap;
	int depth;      /* element depth */
	int type_depth; /* depth of <complexType name=NAME>, 0 when outside */
	int read_depth; /* depth of <element name="Read">, 0 when outside */
	int in_schema;
};

static enum odata_kind
xsd_kind(const char *t, size_t n)
{
	const char *c = memchr(t, ':', n);
	if (c) {
		n -= (size_t)(c + 1 - t);
		t = c + 1;
	}
#define IS(s) (n == sizeof(s) - 1 && !memcmp(t, s, n))
	if (IS("string"))
		return ODATA_STRING;
	if (IS("int") || IS("long") || IS("short") || IS("integer") || IS("byte"))
		return ODATA_INT;
	if (IS("decimal") || IS("double") || IS("float"))
		return ODATA_DECIMAL;
	if (IS("boolean"))
		return ODATA_BOOL;
	if (IS("date"))
		return ODATA_DATE;
	if (IS("dateTime"))
		return ODATA_DATETIME;
	if (IS("time") || IS("duration"))
		return ODATA_TIME;
#undef IS
	return c ? ODATA_ENUM : ODATA_STRING; /* tns:SomeOption */
}

static void
wsdl_start(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri, int nns,
           const xmlChar **nss, int nattrs, int ndef, const xmlChar **attrs)
{
	struct wsdl_sax *s = xml_sax_ud(ctx);
	struct navsoap_page *pg = s->pg;
	const char *l = (const char *)local, *u = uri ? (const char *)uri : "";
	size_t len = 0, tl = 0;
	const char *v;
	(void)prefix;
	(void)nns;
	(void)nss;
	(void)ndef;

	s->depth++;
	if (s->depth == 1) {
		if (strcmp(l, "definitions") != 0 || strcmp(u, WSDL_NS) != 0) {
			xml_sax_fail(ctx, "not a WSDL document (root element '%s')", l);
			return;
		}
		if ((v = xml_sax_attr(attrs, nattrs, "targetNamespace", &len)) != NULL) {
			free(pg->ns);
			pg->ns = strndup(v, len);
		}
		return;
	}
	if (strcmp(u, XSD_NS) != 0)
		return;
	v = xml_sax_attr(attrs, nattrs, "name", &len);
	if (strcmp(l, "complexType") == 0 && v && len == strlen(pg->name) &&
	    !memcmp(v, pg->name, len) && s->type_depth == 0) {
		s->type_depth = s->depth;
		return;
	}
	if (strcmp(l, "element") != 0 || v == NULL)
		return;
	if (s->type_depth && s->depth == s->type_depth + 2) {
		const char *t = xml_sax_attr(attrs, nattrs, "type", &tl);
		if (len == 3 && !memcmp(v, "Key", 3))
			return;
		if (pg->nfields >= NAVSOAP_MAX_FIELDS) {
			xml_sax_fail(ctx, "more than %d fields", NAVSOAP_MAX_FIELDS);
			return;
		}
		if (ARRAY_GROW(pg->fields, pg->nfields + 1, s->cap) < 0) {
			xml_sax_fail(ctx, "out of memory");
			return;
		}
		pg->fields[pg->nfields].name = strndup(v, len);
		pg->fields[pg->nfields].kind = t ? xsd_kind(t, tl) : ODATA_STRING;
		pg->nfields++;
		return;
	}
	if (s->read_depth == 0 && len == 4 && !memcmp(v, "Read", 4)) {
		s->read_depth = s->depth;
		return;
	}
	if (s->read_depth && s->depth == s->read_depth + 3) {
		if (pg->nkeys >= 64) {
			xml_sax_fail(ctx, "more than 64 key fields");
			return;
		}
		if (ARRAY_GROW(pg->keys, pg->nkeys + 1, s->kcap) < 0) {
			xml_sax_fail(ctx, "out of memory");
			return;
		}
		pg->keys[pg->nkeys++] = strndup(v, len);
	}
}

static void
wsdl_end(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri)
{
	struct wsdl_sax *s = xml_sax_ud(ctx);
	(void)local;
	(void)prefix;
	(void)uri;
	if (s->type_depth == s->depth)
		s->type_depth = -1; /* done: the first complexType NAME only */
	if (s->read_depth == s->depth)
		s->read_depth = -1;
	s->depth--;
}

int
navsoap_wsdl_parse(struct navsoap_page *pg, const char *name, const char *xml, size_t len,
                   const char *what, struct ep_err *err)
{
	struct wsdl_sax s;
	xmlSAXHandler sax;
	struct xml_limits lim = { 64u << 20, 0 };

	memset(pg, 0, sizeof(*pg));
	memset(&s, 0, sizeof(s));
	s.pg = pg;
	if ((pg->name = strdup(name)) == NULL)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	memset(&sax, 0, sizeof(sax));
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = wsdl_start;
	sax.endElementNs = wsdl_end;
	if (xml_sax_safe(xml, len, what, &lim, &sax, &s, err) < 0)
		goto fail;
	for (size_t i = 0; i < pg->nfields; i++)
		if (pg->fields[i].name == NULL) {
			ep_errf(err, EP_SOFTWARE, "out of memory");
			goto fail;
		}
	if (s.depth == 0 && pg->ns == NULL) {
		ep_errf(err, EP_DATAERR, "%s: empty document", what);
		goto fail;
	}
	if (pg->ns == NULL) {
		ep_errf(err, EP_DATAERR, "%s: no targetNamespace", what);
		goto fail;
	}
	if (pg->nfields == 0) {
		ep_errf(err, EP_DATAERR,
		        "%s: no complexType '%s' with fields: not the WSDL of "
		        "the page %s",
		        what, name, name);
		goto fail;
	}
	return 0;
fail:
	navsoap_page_free(pg);
	return -1;
}

void
navsoap_page_free(struct navsoap_page *pg)
{
	for (size_t i = 0; i < pg->nfields; i++)
		free(pg->fields[i].name);
	for (size_t i = 0; i < pg->nkeys; i++)
		free(pg->keys[i]);
	free(pg->fields);
	free(pg->keys);
	free(pg->name);
	free(pg->ns);
	memset(pg, 0, sizeof(*pg));
}

const struct navsoap_field *
navsoap_field(const struct navsoap_page *pg, const char *name)
{
	for (size_t i = 0; i < pg->nfields; i++)
		if (strcmp(pg->fields[i].name, name) == 0)
			return &pg->fields[i];
	return NULL;
}

/* ---- answers ----------------------------------------------------------------------- */

enum where { W_OUT, W_BODY, W_FAULT };

struct ans_sax {
	const struct navsoap_page *pg;
	navsoap_rec_fn fn;
	void *ud;
	struct ep_err *err;
	struct navsoap_fault *fault;
	int depth, body_depth, fault_depth, rec_depth;
	int envelope, faulted, cb_failed;
	size_t nrec;
	struct buf rec; /* the record's JSON so far */
	struct buf key;
	struct buf text; /* the current field's text */
	char field[256];
	int in_field;   /* 1: collecting a field's text (or fault part) */
	int fault_part; /* 1 faultcode, 2 faultstring */
	int nested;     /* the current field holds elements */
	int nfields;
};

static void
ans_chars(void *ctx, const xmlChar *ch, int len)
{
	struct ans_sax *s = xml_sax_ud(ctx);
	if (s->in_field && buf_add(&s->text, ch, (size_t)len) < 0)
		xml_sax_fail(ctx, "field text too long");
}

static void
ans_start(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri, int nns,
          const xmlChar **nss, int nattrs, int ndef, const xmlChar **attrs)
{
	struct ans_sax *s = xml_sax_ud(ctx);
	const char *l = (const char *)local, *u = uri ? (const char *)uri : "";
	(void)prefix;
	(void)nns;
	(void)nss;
	(void)nattrs;
	(void)ndef;
	(void)attrs;

	s->depth++;
	if (s->depth == 1) {
		if (strcmp(l, "Envelope") != 0 || strcmp(u, SOAP_NS) != 0)
			xml_sax_fail(ctx, "not a SOAP envelope (root element '%s')", l);
		s->envelope = 1;
		return;
	}
	if (s->depth == 2 && strcmp(l, "Body") == 0 && strcmp(u, SOAP_NS) == 0) {
		s->body_depth = 2;
		return;
	}
	if (!s->body_depth)
		return;
	if (s->depth == 3 && strcmp(l, "Fault") == 0 && strcmp(u, SOAP_NS) == 0) {
		s->fault_depth = 3;
		s->faulted = 1;
		return;
	}
	if (s->fault_depth && s->depth == 4) {
		s->fault_part = !strcmp(l, "faultcode") ? 1 : !strcmp(l, "faultstring") ? 2 : 0;
		if (s->fault_part) {
			s->in_field = 1;
			buf_reset(&s->text);
		}
		return;
	}
	if (s->rec_depth == 0 && s->depth >= 4 && strcmp(l, s->pg->name) == 0) {
		s->rec_depth = s->depth;
		s->nfields = 0;
		buf_reset(&s->rec);
		buf_reset(&s->key);
		if (buf_addc(&s->rec, '{') < 0)
			xml_sax_fail(ctx, "out of memory");
		return;
	}
	if (s->rec_depth && s->depth == s->rec_depth + 1) {
		size_t n = strlen(l);
		if (n >= sizeof(s->field)) {
			xml_sax_fail(ctx, "field name too long");
			return;
		}
		memcpy(s->field, l, n + 1);
		s->in_field = 1;
		s->nested = 0;
		buf_reset(&s->text);
		return;
	}
	/* a subpage part (SalesLines in a SalesOrder): left out of the record */
	if (s->rec_depth && s->depth > s->rec_depth + 1)
		s->nested = 1;
}

/* one field's text as a JSON value, typed by the page */
static int
field_json(struct ans_sax *s, void *ctx)
{
	const struct navsoap_field *f = navsoap_field(s->pg, s->field);
	enum odata_kind k = f ? f->kind : ODATA_STRING;
	const char *t = buf_str(&s->text);
	size_t n = s->text.len, e;

	if (strcmp(s->field, "Key") == 0) {
		if (buf_add(&s->key, t, n) < 0)
			goto oom;
		return 0;
	}
	if (s->nfields++ && buf_addc(&s->rec, ',') < 0)
		goto oom;
	if (json_quote(&s->rec, s->field, strlen(s->field)) < 0 || buf_addc(&s->rec, ':') < 0)
		goto oom;
	if (k == ODATA_INT || k == ODATA_DECIMAL) {
		if (n == 0) {
			xml_sax_fail(ctx, "%s: empty number", s->field);
			return -1;
		}
		if (json_check_prefix(t, n, &e, NULL, NULL) != JSON_NUMBER || e != n) {
			xml_sax_fail(ctx, "%s: '%.60s' is not a %s", s->field, t,
			             odata_kind_name(k));
			return -1;
		}
		return buf_add(&s->rec, t, n) < 0 ? (xml_sax_fail(ctx, "out of memory"), -1) : 0;
	}
	if (k == ODATA_BOOL) {
		if ((n == 4 && !memcmp(t, "true", 4)) || (n == 5 && !memcmp(t, "false", 5)))
			return buf_add(&s->rec, t, n) < 0 ? (xml_sax_fail(ctx, "out of memory"), -1)
			                                  : 0;
		xml_sax_fail(ctx, "%s: '%.60s' is not a boolean", s->field, t);
		return -1;
	}
	if (json_quote(&s->rec, t, n) < 0)
		goto oom;
	return 0;
oom:
	xml_sax_fail(ctx, "out of memory");
	return -1;
}

static void
ans_end(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri)
{
	struct ans_sax *s = xml_sax_ud(ctx);
	(void)local;
	(void)prefix;
	(void)uri;

	if (s->fault_depth && s->depth == 4 && s->in_field) {
		char *dst = s->fault_part == 1 ? s->fault->code : s->fault->string;
		size_t cap = s->fault_part == 1 ? sizeof(s->fault->code) : sizeof(s->fault->string);
		const char *t = buf_str(&s->text), *c;
		size_t n = s->text.len;
		if (s->fault_part == 1 && (c = memchr(t, ':', n)) != NULL) {
			n -= (size_t)(c + 1 - t);
			t = c + 1;
		}
		if (n >= cap)
			n = cap - 1;
		memcpy(dst, t, n);
		dst[n] = '\0';
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)dst[i] < 0x20)
				dst[i] = ' ';
		dst[utf8_valid_prefix(dst, n)] = '\0';
		s->in_field = 0;
	} else if (s->rec_depth && s->depth == s->rec_depth + 1 && s->in_field) {
		s->in_field = 0;
		if (!s->nested)
			field_json(s, ctx);
	} else if (s->rec_depth && s->depth == s->rec_depth) {
		s->rec_depth = 0;
		if (buf_addc(&s->rec, '}') < 0) {
			xml_sax_fail(ctx, "out of memory");
		} else {
			s->nrec++;
			if (s->fn &&
			    s->fn(s->ud, s->rec.p, s->rec.len, buf_str(&s->key), s->err) < 0) {
				s->cb_failed = 1;
				xmlStopParser(ctx);
			}
		}
	} else if (s->depth == s->fault_depth) {
		s->fault_depth = 0;
	}
	s->depth--;
}

int
navsoap_parse(const char *xml, size_t len, const struct navsoap_page *pg, const char *what,
              navsoap_rec_fn fn, void *ud, size_t *nrec, struct navsoap_fault *fault,
              struct ep_err *err)
{
	struct ans_sax s;
	xmlSAXHandler sax;
	struct xml_limits lim = { NAVSOAP_MAX_BYTES, 0 };
	struct ep_err cberr = EP_ERR_INIT;
	int rc;

	memset(&s, 0, sizeof(s));
	memset(fault, 0, sizeof(*fault));
	s.pg = pg;
	s.fn = fn;
	s.ud = ud;
	s.err = &cberr;
	s.fault = fault;
	buf_init(&s.text, 16u << 20);
	memset(&sax, 0, sizeof(sax));
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = ans_start;
	sax.endElementNs = ans_end;
	sax.characters = ans_chars;
	rc = xml_sax_safe(xml, len, what, &lim, &sax, &s, err);
	if (s.cb_failed) {
		if (err)
			*err = cberr;
		rc = -1;
	} else if (rc == 0 && !s.envelope) {
		rc = ep_errf(err, EP_DATAERR, "%s: empty document", what);
	} else if (rc == 0 && !s.body_depth) {
		rc = ep_errf(err, EP_DATAERR, "%s: a SOAP envelope without a Body", what);
	} else if (rc == 0 && s.faulted) {
		rc = 1;
	}
	if (nrec)
		*nrec = s.nrec;
	buf_release(&s.rec);
	buf_release(&s.key);
	buf_release(&s.text);
	return rc;
}
