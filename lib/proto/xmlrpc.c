#include "proto/xmlrpc.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stream/json.h"
#include "base/text.h"

/* ---- encoding ----------------------------------------------------------- */

/* Append s as XML text; -1 with err for what XML 1.0 cannot carry. */
static int
add_text(struct buf *out, const char *s, size_t n, struct ep_err *err)
{
	size_t i, run = 0;

	if (utf8_valid_prefix(s, n) != n)
		return ep_errf(err, EP_DATAERR, "a string is not valid UTF-8 (byte %zu)",
		               utf8_valid_prefix(s, n) + 1);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *rep = NULL;

		if (c == '&')
			rep = "&amp;";
		else if (c == '<')
			rep = "&lt;";
		else if (c == '>')
			rep = "&gt;";
		else if (c == '\r')
			rep = "&#13;";
		else if (c < 0x20 && c != '\t' && c != '\n')
			return ep_errf(
				err, EP_DATAERR,
				"a string holds U+%04X (byte %zu), which XML-RPC cannot carry", c,
				i + 1);
		else if (c == 0xEF && i + 2 < n && (unsigned char)s[i + 1] == 0xBF &&
		         ((unsigned char)s[i + 2] == 0xBE || (unsigned char)s[i + 2] == 0xBF))
			return ep_errf(
				err, EP_DATAERR,
				"a string holds U+FFF%c (byte %zu), which XML-RPC cannot carry",
				(unsigned char)s[i + 2] == 0xBE ? 'E' : 'F', i + 1);
		if (rep) {
			if (buf_add(out, s + run, i - run) < 0 || buf_adds(out, rep) < 0)
				goto full;
			run = i + 1;
		}
	}
	if (buf_add(out, s + run, n - run) < 0)
		goto full;
	return 0;
full:
	return ep_errf(err, EP_SOFTWARE, "XML-RPC request too large");
}

static int
add_double(struct buf *out, double d)
{
	char tmp[64];

	snprintf(tmp, sizeof(tmp), "%.15g", d);
	if (strtod(tmp, NULL) != d)
		snprintf(tmp, sizeof(tmp), "%.17g", d);
	return buf_addf(out, "<double>%s</double>", tmp);
}

static int
add_number(struct buf *out, double d, struct ep_err *err)
{
	int r;

	if (!isfinite(d))
		return ep_errf(err, EP_DATAERR, "a number is not finite");
	if (d == floor(d) && d >= -2147483648.0 && d <= 2147483647.0)
		r = buf_addf(out, "<int>%d</int>", (int)d);
	else if (d == floor(d) && fabs(d) <= 9007199254740992.0)
		/* past 2^53 every double is whole: such a value is a double */
		r = buf_addf(out, "<i8>%lld</i8>", (long long)d);
	else
		r = add_double(out, d);
	return r < 0 ? ep_errf(err, EP_SOFTWARE, "XML-RPC request too large") : 0;
}

/* A raw number (exact digits kept from a decoded response). */
static int
add_raw(struct buf *out, const char *s, struct ep_err *err)
{
	size_t n = strlen(s), off;
	const char *why;
	int r;

	if (json_check(s, n, &off, &why) != JSON_NUMBER)
		return ep_errf(err, EP_DATAERR, "a raw value is not a number");
	if (strpbrk(s, ".eE"))
		r = buf_addf(out, "<double>%s</double>", s);
	else if (n < 10)
		r = buf_addf(out, "<int>%s</int>", s);
	else
		r = buf_addf(out, "<i8>%s</i8>", s);
	return r < 0 ? ep_errf(err, EP_SOFTWARE, "XML-RPC request too large") : 0;
}

static int
enc(struct buf *out, const cJSON *v, int depth, struct ep_err *err)
{
	const cJSON *c;

	if (depth > XMLRPC_MAX_DEPTH)
		return ep_errf(err, EP_DATAERR, "values nested deeper than %d", XMLRPC_MAX_DEPTH);
	if (buf_adds(out, "<value>") < 0)
		goto full;
	if (cJSON_IsFalse(v) || cJSON_IsTrue(v)) {
		if (buf_adds(out,
		             cJSON_IsTrue(v) ? "<boolean>1</boolean>" : "<boolean>0</boolean>") < 0)
			goto full;
	} else if (cJSON_IsNull(v)) {
		if (buf_adds(out, "<nil/>") < 0)
			goto full;
	} else if (cJSON_IsNumber(v)) {
		if (add_number(out, v->valuedouble, err) < 0)
			return -1;
	} else if (cJSON_IsRaw(v)) {
		if (add_raw(out, v->valuestring, err) < 0)
			return -1;
	} else if (cJSON_IsString(v)) {
		if (buf_adds(out, "<string>") < 0)
			goto full;
		if (add_text(out, v->valuestring, strlen(v->valuestring), err) < 0)
			return -1;
		if (buf_adds(out, "</string>") < 0)
			goto full;
	} else if (cJSON_IsArray(v)) {
		if (buf_adds(out, "<array><data>") < 0)
			goto full;
		cJSON_ArrayForEach(c, v)
			if (enc(out, c, depth + 1, err) < 0)
				return -1;
		if (buf_adds(out, "</data></array>") < 0)
			goto full;
	} else if (cJSON_IsObject(v)) {
		if (buf_adds(out, "<struct>") < 0)
			goto full;
		cJSON_ArrayForEach(c, v) {
			if (buf_adds(out, "<member><name>") < 0)
				goto full;
			if (add_text(out, c->string, strlen(c->string), err) < 0)
				return -1;
			if (buf_adds(out, "</name>") < 0)
				goto full;
			if (enc(out, c, depth + 1, err) < 0)
				return -1;
			if (buf_adds(out, "</member>") < 0)
				goto full;
		}
		if (buf_adds(out, "</struct>") < 0)
			goto full;
	} else {
		return ep_errf(err, EP_SOFTWARE, "a value of unknown type");
	}
	if (buf_adds(out, "</value>") < 0)
		goto full;
	return 0;
full:
	return ep_errf(err, EP_SOFTWARE, "XML-RPC request too large");
}

int
xmlrpc_encode_value(struct buf *out, const cJSON *v, struct ep_err *err)
{
	return enc(out, v, 0, err);
}

int
xmlrpc_encode_call(struct buf *out, const char *method, const cJSON *params, struct ep_err *err)
{
	const cJSON *p;

	if (params && !cJSON_IsArray(params))
		return ep_errf(err, EP_SOFTWARE, "XML-RPC params must be an array");
	if (buf_adds(out, "<?xml version=\"1.0\"?>\n<methodCall><methodName>") < 0)
		goto full;
	if (add_text(out, method, strlen(method), err) < 0)
		return -1;
	if (buf_adds(out, "</methodName><params>") < 0)
		goto full;
	cJSON_ArrayForEach(p, params) {
		if (buf_adds(out, "<param>") < 0)
			goto full;
		if (enc(out, p, 0, err) < 0)
			return -1;
		if (buf_adds(out, "</param>") < 0)
			goto full;
	}
	if (buf_adds(out, "</params></methodCall>\n") < 0)
		goto full;
	return 0;
full:
	return ep_errf(err, EP_SOFTWARE, "XML-RPC request too large");
}

/* ---- decoding ----------------------------------------------------------- */

enum kind {
	K_RESPONSE,
	K_PARAMS,
	K_PARAM,
	K_FAULT,
	K_VALUE,
	K_SCALAR,
	K_STRUCT,
	K_MEMBER,
	K_NAME,
	K_ARRAY,
	K_DATA,
};

enum scalar {
	S_INT,
	S_BOOL,
	S_STRING,
	S_DOUBLE,
	S_DATETIME,
	S_BASE64,
	S_NIL,
};

static const struct {
	const char *name;
	enum scalar s;
} scalars[] = {
	{ "int", S_INT },       { "i4", S_INT },
	{ "i8", S_INT },        { "i1", S_INT },
	{ "i2", S_INT },        { "biginteger", S_INT },
	{ "boolean", S_BOOL },  { "string", S_STRING },
	{ "double", S_DOUBLE }, { "dateTime.iso8601", S_DATETIME },
	{ "base64", S_BASE64 }, { "nil", S_NIL },
};

struct frame {
	enum kind kind;
	enum scalar scalar;
	int children;  /* child elements seen */
	cJSON *item;   /* value: its value; struct/array: the container */
	char *name;    /* member: its name */
	cJSON *mvalue; /* member: its value */
};

#define MAX_FRAMES (3 * XMLRPC_MAX_DEPTH + 8)

struct dec {
	struct frame st[MAX_FRAMES];
	int n;
	int values; /* value elements open */
	struct buf text;
	cJSON *result;
	cJSON *fault;
	int have; /* the response's one param or fault was seen */
};

static void
frame_free(struct frame *f)
{
	cJSON_Delete(f->item);
	cJSON_Delete(f->mvalue);
	free(f->name);
	f->item = f->mvalue = NULL;
	f->name = NULL;
}

static int
is_blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return 0;
	return 1;
}

static void
trim(const char **s, size_t *n)
{
	while (*n && isspace((unsigned char)(*s)[0])) {
		(*s)++;
		(*n)--;
	}
	while (*n && isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

static cJSON *
scalar_int(void *ctx, const char *s, size_t n)
{
	char digits[64];
	size_t i = 0, k = 0;
	int neg = 0;
	char *end;
	long long v;

	trim(&s, &n);
	if (n && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		i = 1;
	}
	if (i == n)
		goto bad;
	while (i < n - 1 && s[i] == '0')
		i++;
	if (neg)
		digits[k++] = '-';
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || k >= sizeof(digits) - 1)
			goto bad;
		digits[k++] = s[i];
	}
	digits[k] = '\0';
	if (strcmp(digits, "-0") == 0)
		return cJSON_CreateNumber(0);
	errno = 0;
	v = strtoll(digits, &end, 10);
	if (errno == 0 && *end == '\0' && v >= -9007199254740992LL && v <= 9007199254740992LL)
		return cJSON_CreateNumber((double)v);
	return cJSON_CreateRaw(digits); /* exact digits past 2^53 */
bad:
	xml_sax_fail(ctx, "bad XML-RPC integer '%.*s'", (int)(n > 40 ? 40 : n), s);
	return NULL;
}

static cJSON *
scalar_double(void *ctx, const char *s, size_t n)
{
	char tmp[128], *end;
	double d;

	trim(&s, &n);
	if (n == 0 || n >= sizeof(tmp))
		goto bad;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (!(isdigit((unsigned char)tmp[0]) || tmp[0] == '-' || tmp[0] == '+' || tmp[0] == '.'))
		goto bad;
	errno = 0;
	d = strtod(tmp, &end);
	if (*end != '\0' || !isfinite(d))
		goto bad;
	return cJSON_CreateNumber(d);
bad:
	xml_sax_fail(ctx, "bad XML-RPC double '%.*s'", (int)(n > 40 ? 40 : n), s);
	return NULL;
}

static cJSON *
scalar_datetime(const char *s, size_t n)
{
	char t[20];
	size_t i;

	trim(&s, &n);
	/* 20260105T10:00:00 -> 2026-01-05 10:00:00 */
	if (n == 17 && s[8] == 'T' && s[11] == ':' && s[14] == ':') {
		for (i = 0; i < 17; i++)
			if (i != 8 && i != 11 && i != 14 && !isdigit((unsigned char)s[i]))
				break;
		if (i == 17) {
			snprintf(t, sizeof(t), "%.4s-%.2s-%.2s %.8s", s, s + 4, s + 6, s + 9);
			return cJSON_CreateString(t);
		}
	}
	{
		char *c = strndup(s, n);
		cJSON *r = c ? cJSON_CreateString(c) : NULL;

		free(c);
		return r;
	}
}

static cJSON *
make_scalar(void *ctx, struct dec *d, enum scalar sc)
{
	const char *s = buf_str(&d->text);
	size_t n = d->text.len, i, k;
	cJSON *r = NULL;

	switch (sc) {
	case S_INT:
		return scalar_int(ctx, s, n);
	case S_DOUBLE:
		return scalar_double(ctx, s, n);
	case S_BOOL:
		trim(&s, &n);
		if (n == 1 && (s[0] == '0' || s[0] == '1'))
			return cJSON_CreateBool(s[0] == '1');
		xml_sax_fail(ctx, "bad XML-RPC boolean '%.*s'", (int)(n > 40 ? 40 : n), s);
		return NULL;
	case S_STRING:
		/* the buffer is NUL-terminated; an embedded NUL cannot come from XML */
		return cJSON_CreateString(s);
	case S_DATETIME:
		return scalar_datetime(s, n);
	case S_BASE64: {
		char *c = malloc(n + 1);

		if (c == NULL)
			return NULL;
		for (i = k = 0; i < n; i++)
			if (!isspace((unsigned char)s[i]))
				c[k++] = s[i];
		c[k] = '\0';
		r = cJSON_CreateString(c);
		free(c);
		return r;
	}
	case S_NIL:
		if (!is_blank(s, n)) {
			xml_sax_fail(ctx, "<nil/> with text");
			return NULL;
		}
		return cJSON_CreateNull();
	}
	return NULL;
}

static int
push(void *ctx, struct dec *d, enum kind k)
{
	struct frame *f;

	if (d->n >= MAX_FRAMES) {
		xml_sax_fail(ctx, "values nested deeper than %d", XMLRPC_MAX_DEPTH);
		return -1;
	}
	f = &d->st[d->n++];
	memset(f, 0, sizeof(*f));
	f->kind = k;
	return 0;
}

static void
on_start(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri, int nns,
         const xmlChar **ns, int nattr, int ndef, const xmlChar **attrs)
{
	struct dec *d = xml_sax_ud(ctx);
	const char *name = (const char *)local;
	struct frame *p = d->n ? &d->st[d->n - 1] : NULL;
	enum kind want;
	size_t i;

	(void)prefix;
	(void)nns;
	(void)ns;
	(void)nattr;
	(void)ndef;
	(void)attrs;
	buf_reset(&d->text);
	if (p)
		p->children++;
	if (p == NULL) {
		if (uri != NULL || strcmp(name, "methodResponse") != 0) {
			xml_sax_fail(ctx, "not an XML-RPC response: <%s>", name);
			return;
		}
		push(ctx, d, K_RESPONSE);
		return;
	}
	if (uri != NULL)
		goto unexpected;
	switch (p->kind) {
	case K_RESPONSE:
		if (p->children > 1)
			goto unexpected;
		if (strcmp(name, "params") == 0)
			want = K_PARAMS;
		else if (strcmp(name, "fault") == 0)
			want = K_FAULT;
		else
			goto unexpected;
		break;
	case K_PARAMS:
		if (strcmp(name, "param") != 0 || p->children > 1)
			goto unexpected;
		want = K_PARAM;
		break;
	case K_PARAM:
	case K_FAULT:
	case K_DATA:
		if (strcmp(name, "value") != 0 || (p->kind != K_DATA && p->children > 1))
			goto unexpected;
		if (++d->values > XMLRPC_MAX_DEPTH) {
			xml_sax_fail(ctx, "values nested deeper than %d", XMLRPC_MAX_DEPTH);
			return;
		}
		want = K_VALUE;
		break;
	case K_VALUE:
		if (p->children > 1)
			goto unexpected;
		if (strcmp(name, "struct") == 0) {
			if (push(ctx, d, K_STRUCT) == 0 &&
			    (d->st[d->n - 1].item = cJSON_CreateObject()) == NULL)
				xml_sax_fail(ctx, "out of memory");
			return;
		}
		if (strcmp(name, "array") == 0) {
			if (push(ctx, d, K_ARRAY) == 0 &&
			    (d->st[d->n - 1].item = cJSON_CreateArray()) == NULL)
				xml_sax_fail(ctx, "out of memory");
			return;
		}
		for (i = 0; i < sizeof(scalars) / sizeof(scalars[0]); i++) {
			if (strcmp(name, scalars[i].name) == 0) {
				if (push(ctx, d, K_SCALAR) == 0)
					d->st[d->n - 1].scalar = scalars[i].s;
				return;
			}
		}
		goto unexpected;
	case K_STRUCT:
		if (strcmp(name, "member") != 0)
			goto unexpected;
		want = K_MEMBER;
		break;
	case K_MEMBER:
		if (strcmp(name, "name") == 0 && p->children == 1)
			want = K_NAME;
		else if (strcmp(name, "value") == 0 && p->children == 2) {
			if (++d->values > XMLRPC_MAX_DEPTH) {
				xml_sax_fail(ctx, "values nested deeper than %d", XMLRPC_MAX_DEPTH);
				return;
			}
			want = K_VALUE;
		} else
			goto unexpected;
		break;
	case K_ARRAY:
		if (strcmp(name, "data") != 0 || p->children > 1)
			goto unexpected;
		want = K_DATA;
		break;
	default:
		goto unexpected;
	}
	push(ctx, d, want);
	return;
unexpected:
	xml_sax_fail(ctx, "unexpected element <%s>%s%s%s", name, p ? " in <" : "",
	             p ? (p->kind == K_RESPONSE ? "methodResponse"
	                  : p->kind == K_PARAMS ? "params"
	                  : p->kind == K_PARAM  ? "param"
	                  : p->kind == K_FAULT  ? "fault"
	                  : p->kind == K_VALUE  ? "value"
	                  : p->kind == K_STRUCT ? "struct"
	                  : p->kind == K_MEMBER ? "member"
	                  : p->kind == K_ARRAY  ? "array"
	                  : p->kind == K_DATA   ? "data"
	                                        : "a scalar")
	               : "",
	             p ? ">" : "");
}

/* Hand a finished value to the frame below it.  Takes v. */
static int
give(void *ctx, struct dec *d, cJSON *v)
{
	struct frame *p = &d->st[d->n - 1];

	switch (p->kind) {
	case K_PARAM:
		cJSON_Delete(d->result);
		d->result = v;
		d->have = 1;
		return 0;
	case K_FAULT:
		cJSON_Delete(d->fault);
		d->fault = v;
		d->have = 1;
		return 0;
	case K_MEMBER:
		cJSON_Delete(p->mvalue);
		p->mvalue = v;
		return 0;
	case K_DATA:
		cJSON_AddItemToArray(d->st[d->n - 2].item, v);
		return 0;
	default:
		cJSON_Delete(v);
		xml_sax_fail(ctx, "misplaced value");
		return -1;
	}
}

static void
on_end(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri)
{
	struct dec *d = xml_sax_ud(ctx);
	struct frame *f;
	cJSON *v;

	(void)local;
	(void)prefix;
	(void)uri;
	if (d->n == 0)
		return;
	f = &d->st[d->n - 1];
	switch (f->kind) {
	case K_SCALAR:
		if ((v = make_scalar(ctx, d, f->scalar)) == NULL) {
			xml_sax_fail(ctx, "bad value");
			return;
		}
		d->n--;
		d->st[d->n - 1].item = v;
		return;
	case K_STRUCT:
	case K_ARRAY:
		v = f->item;
		f->item = NULL;
		d->n--;
		d->st[d->n - 1].item = v;
		return;
	case K_NAME:
		d->n--;
		if ((d->st[d->n - 1].name = strdup(buf_str(&d->text))) == NULL)
			xml_sax_fail(ctx, "out of memory");
		return;
	case K_VALUE:
		if (f->children == 0)
			v = cJSON_CreateString(buf_str(&d->text));
		else
			v = f->item;
		f->item = NULL;
		d->n--;
		d->values--;
		if (v == NULL) {
			xml_sax_fail(ctx, "out of memory");
			return;
		}
		give(ctx, d, v);
		return;
	case K_MEMBER:
		if (f->name == NULL || f->mvalue == NULL) {
			xml_sax_fail(ctx, "<member> without %s", f->name ? "<value>" : "<name>");
			return;
		}
		if (cJSON_GetObjectItemCaseSensitive(d->st[d->n - 2].item, f->name))
			cJSON_ReplaceItemInObjectCaseSensitive(d->st[d->n - 2].item, f->name,
			                                       f->mvalue);
		else
			cJSON_AddItemToObject(d->st[d->n - 2].item, f->name, f->mvalue);
		f->mvalue = NULL;
		frame_free(f);
		d->n--;
		return;
	case K_PARAM:
	case K_FAULT:
		if (!d->have) {
			xml_sax_fail(ctx, "<%s> without a <value>",
			             f->kind == K_PARAM ? "param" : "fault");
			return;
		}
		d->n--;
		return;
	case K_PARAMS:
		if (!d->have) {
			xml_sax_fail(ctx, "<params> without a <param>");
			return;
		}
		d->n--;
		return;
	default:
		frame_free(f);
		d->n--;
		return;
	}
}

static void
on_chars(void *ctx, const xmlChar *s, int len)
{
	struct dec *d = xml_sax_ud(ctx);

	if (buf_add(&d->text, s, (size_t)len) < 0)
		xml_sax_fail(ctx, "out of memory");
}

void
xmlrpc_fault_free(struct xmlrpc_fault *f)
{
	if (f == NULL)
		return;
	free(f->code_text);
	free(f->string);
	f->code_text = f->string = NULL;
}

static int
take_fault(struct dec *d, const char *what, struct xmlrpc_fault *fault, struct ep_err *err)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(d->fault, "faultCode");
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(d->fault, "faultString");
	char num[32];

	memset(fault, 0, sizeof(*fault));
	if (!cJSON_IsObject(d->fault) || c == NULL || !cJSON_IsString(s) ||
	    !(cJSON_IsNumber(c) || cJSON_IsString(c)))
		return ep_errf(err, EP_DATAERR, "%s: a fault without faultCode and faultString",
		               what);
	if (cJSON_IsNumber(c)) {
		fault->code =
			c->valuedouble >= -1e9 && c->valuedouble <= 1e9 ? (int)c->valuedouble : 0;
		snprintf(num, sizeof(num), "%d", fault->code);
		fault->code_text = strdup(num);
	} else {
		fault->code = -1;
		fault->code_text = strdup(c->valuestring);
	}
	fault->string = strdup(s->valuestring);
	if (fault->code_text == NULL || fault->string == NULL) {
		xmlrpc_fault_free(fault);
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	}
	return 1;
}

int
xmlrpc_decode_response(const char *data, size_t len, const char *what, const struct xml_limits *lim,
                       cJSON **result, struct xmlrpc_fault *fault, struct ep_err *err)
{
	xmlSAXHandler sax;
	struct xml_limits l = { 0, 3 * XMLRPC_MAX_DEPTH + 8 };
	struct dec *d;
	int r = -1, i;

	*result = NULL;
	if (lim)
		l.max_bytes = lim->max_bytes;
	if (lim && lim->max_depth)
		l.max_depth = lim->max_depth;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	buf_init(&d->text, 0);
	memset(&sax, 0, sizeof(sax));
	sax.startElementNs = on_start;
	sax.endElementNs = on_end;
	sax.characters = on_chars;
	if (xml_sax_safe(data, len, what, &l, &sax, d, err) < 0)
		goto out;
	if (!d->have) {
		ep_errf(err, EP_DATAERR, "%s: an XML-RPC response without a value", what);
		goto out;
	}
	if (d->fault) {
		r = take_fault(d, what, fault, err);
		goto out;
	}
	*result = d->result;
	d->result = NULL;
	r = 0;
out:
	for (i = 0; i < d->n; i++)
		frame_free(&d->st[i]);
	cJSON_Delete(d->result);
	cJSON_Delete(d->fault);
	buf_release(&d->text);
	free(d);
	return r;
}
