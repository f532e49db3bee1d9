#include "base/redact.h"

#include "base/log.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MASK "***"

struct value {
	char *p;
	size_t len;
	int token; /* a short secret's form: only as a whole token */
};

struct redact {
	struct value v[REDACT_MAX_VALUES];
	size_t n;
	unsigned char first[256]; /* first bytes of the registered forms */
};

static struct redact default_registry;

/* messages on stderr go through the default registry too, -v or not (a
 * credential in a URL, a secret quoted in an error) */
static int
log_filter(const char *in, size_t len, struct buf *out)
{
	return redact_text(&default_registry, in, len, out);
}

__attribute__((constructor)) static void
log_filter_install(void)
{
	ep_log_filter = log_filter;
}

static const char *const field_names[] = {
	"password",     "passwd",        "api_key",  "apikey",        "token",
	"access_token", "refresh_token", "id_token", "client_secret", NULL,
};

static const char *const header_names[] = {
	"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key",
	"api-key",       "x-auth-token",        NULL,
};

struct redact *
redact_new(void)
{
	return calloc(1, sizeof(struct redact));
}

void
redact_free(struct redact *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++)
		free(r->v[i].p);
	free(r);
}

struct redact *
redact_default(void)
{
	return &default_registry;
}

size_t
redact_count(const struct redact *r)
{
	return r->n;
}

static int
add_form(struct redact *r, const char *s, size_t len, int token)
{
	size_t i;
	char *p;

	for (i = 0; i < r->n; i++)
		if (r->v[i].len == len && memcmp(r->v[i].p, s, len) == 0) {
			r->v[i].token &= token; /* a long secret's form wins */
			return 0;
		}
	if (r->n == REDACT_MAX_VALUES || (p = malloc(len + 1)) == NULL)
		return -1;
	memcpy(p, s, len);
	p[len] = '\0';
	r->v[r->n].p = p;
	r->v[r->n].len = len;
	r->v[r->n].token = token;
	r->n++;
	r->first[(unsigned char)s[0]] = 1;
	return 0;
}

enum form { JSON, JSON_SLASH, XML_MIN, XML_FULL, URL, URL_PLUS };

static int
encode(struct buf *b, const char *s, size_t len, enum form f)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;
	int r = 0;

	for (i = 0; i < len && r == 0; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (f) {
		case JSON:
		case JSON_SLASH:
			if (c == '"' || c == '\\' || (c == '/' && f == JSON_SLASH))
				r = buf_addc(b, '\\') || buf_addc(b, c);
			else if (c == '\n')
				r = buf_adds(b, "\\n");
			else if (c == '\t')
				r = buf_adds(b, "\\t");
			else if (c == '\r')
				r = buf_adds(b, "\\r");
			else if (c < 0x20)
				r = buf_addf(b, "\\u%04x", c);
			else
				r = buf_addc(b, c);
			break;
		case XML_MIN:
		case XML_FULL:
			if (c == '&')
				r = buf_adds(b, "&amp;");
			else if (c == '<')
				r = buf_adds(b, "&lt;");
			else if (c == '>')
				r = buf_adds(b, "&gt;");
			else if (c == '"' && f == XML_FULL)
				r = buf_adds(b, "&quot;");
			else if (c == '\'' && f == XML_FULL)
				r = buf_adds(b, "&apos;");
			else
				r = buf_addc(b, c);
			break;
		case URL:
		case URL_PLUS:
			if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~')
				r = buf_addc(b, c);
			else if (c == ' ' && f == URL_PLUS)
				r = buf_addc(b, '+');
			else
				r = buf_addc(b, '%') || buf_addc(b, hex[c >> 4]) ||
				    buf_addc(b, hex[c & 15]);
			break;
		}
	}
	return r ? -1 : 0;
}

int
redact_add(struct redact *r, const char *secret, size_t len)
{
	struct buf b = BUF_INIT;
	int f, rc = 0, token;

	if (len == 0)
		return 0;
	if (len > REDACT_MAX_LEN)
		return -1;
	token = len < REDACT_TOKEN_LEN;
	if (add_form(r, secret, len, token) < 0)
		return -1;
	buf_init(&b, 6 * REDACT_MAX_LEN + 16);
	for (f = JSON; f <= URL_PLUS && rc == 0; f++) {
		buf_reset(&b);
		rc = encode(&b, secret, len, (enum form)f);
		if (rc == 0 && b.len > 0)
			rc = add_form(r, b.p, b.len, token);
	}
	buf_release(&b);
	return rc;
}

int
redact_secret(const char *s)
{
	return s ? redact_add(redact_default(), s, strlen(s)) : 0;
}

static int
in_list(const char *const *list, const char *name, size_t len)
{
	for (; *list; list++)
		if (strlen(*list) == len && strncasecmp(*list, name, len) == 0)
			return 1;
	return 0;
}

int
redact_is_secret_field(const char *name, size_t len)
{
	return in_list(field_names, name, len);
}

int
redact_is_secret_header(const char *name, size_t len)
{
	return in_list(header_names, name, len);
}

/* ---- pass 1: registered values ------------------------------------------ */

static int
alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c >= 0x80;
}

/* v at in[i] stands as a whole token: no letter or digit glued to an edge
 * of it that is one */
static int
whole(const struct value *v, const char *in, size_t i, size_t len)
{
	size_t e = i + v->len;

	return !(i > 0 && alnum((unsigned char)in[i - 1]) && alnum((unsigned char)v->p[0])) &&
	       !(e < len && alnum((unsigned char)in[e]) && alnum((unsigned char)v->p[v->len - 1]));
}

static int
redact_values(const struct redact *r, const char *in, size_t len, struct buf *out)
{
	size_t i = 0, run = 0, k, best;

	while (i < len) {
		best = 0;
		if (r && r->first[(unsigned char)in[i]]) {
			for (k = 0; k < r->n; k++)
				if (r->v[k].len > best && r->v[k].len <= len - i &&
				    memcmp(in + i, r->v[k].p, r->v[k].len) == 0 &&
				    (!r->v[k].token || whole(&r->v[k], in, i, len)))
					best = r->v[k].len;
		}
		if (best == 0) {
			i++;
			continue;
		}
		if (buf_add(out, in + run, i - run) < 0 || buf_adds(out, MASK) < 0)
			return -1;
		i += best;
		run = i;
	}
	return buf_add(out, in + run, len - run);
}

/* ---- pass 2: names ------------------------------------------------------ */

static int
name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

static int
blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static size_t
skip_ws(const char *s, size_t i, size_t len)
{
	while (i < len && blank((unsigned char)s[i]))
		i++;
	return i;
}

static int
starts(const char *s, size_t i, size_t len, const char *lit)
{
	size_t n = strlen(lit);

	return len - i >= n && strncasecmp(s + i, lit, n) == 0;
}

static const char *
find(const char *s, size_t i, size_t len, const char *lit)
{
	return memmem(s + i, len - i, lit, strlen(lit));
}

/* At a line start: "Name: value".  Returns the end of the value (the CR or
 * LF, or len) and sets *vstart, or 0 when this is no secret header. */
static size_t
header_value(const char *s, size_t i, size_t len, size_t *vstart)
{
	size_t j = i;

	while (j < len && name_char((unsigned char)s[j]))
		j++;
	if (j == i || j >= len || s[j] != ':' || !redact_is_secret_header(s + i, j - i))
		return 0;
	j++;
	while (j < len && (s[j] == ' ' || s[j] == '\t'))
		j++;
	*vstart = j;
	while (j < len && s[j] != '\r' && s[j] != '\n')
		j++;
	return j;
}

/* A secret field name at s[i..e): find the value it names.  Returns 1 and
 * [*vs, *ve) to replace, with *resume where scanning goes on; 0 otherwise. */
static int
field_value(const char *s, size_t i, size_t e, size_t len, size_t *vs, size_t *ve)
{
	size_t j, k;
	const char *p;

	/* JSON member: "name" : value */
	if (i > 0 && s[i - 1] == '"' && e < len && s[e] == '"') {
		j = skip_ws(s, e + 1, len);
		if (j >= len || s[j] != ':')
			return 0;
		j = skip_ws(s, j + 1, len);
		if (j < len && s[j] == '"') {
			for (k = j + 1; k < len && s[k] != '"'; k++)
				if (s[k] == '\\' && k + 1 < len)
					k++;
			*vs = j + 1;
			*ve = k < len ? k : len;
			return 1;
		}
		if (starts(s, j, len, "null") || starts(s, j, len, "true") ||
		    starts(s, j, len, "false") || j >= len || s[j] == '{' || s[j] == '[')
			return 0;
		for (k = j; k < len && s[k] != ',' && s[k] != '}' && s[k] != ']' &&
		            !blank((unsigned char)s[k]);
		     k++)
			;
		*vs = j;
		*ve = k;
		return k > j;
	}
	/* form or query parameter: name=value */
	if (e < len && s[e] == '=') {
		for (k = e + 1;
		     k < len && s[k] != '&' && s[k] != ';' && s[k] != '"' && s[k] != '\'' &&
		     s[k] != '<' && s[k] != '>' && !blank((unsigned char)s[k]);
		     k++)
			;
		*vs = e + 1;
		*ve = k;
		return k > e + 1;
	}
	/* XML-RPC struct member: <name>password</name> <value>[<string>]x */
	if (i >= 6 && strncasecmp(s + i - 6, "<name>", 6) == 0 && starts(s, e, len, "</name>")) {
		j = skip_ws(s, e + 7, len);
		if (!starts(s, j, len, "<value>"))
			return 0;
		j = skip_ws(s, j + 7, len);
		if (j < len && s[j] == '<' && !starts(s, j, len, "</")) {
			if ((p = memchr(s + j, '>', len - j)) == NULL)
				return 0;
			j = (size_t)(p - s) + 1;
		}
		p = memchr(s + j, '<', len - j);
		*vs = j;
		*ve = p ? (size_t)(p - s) : len;
		return *ve > j;
	}
	/* XML element: <password>x</password>, <ns:password attr="…">x</…> */
	for (k = i; k > 0 && (name_char((unsigned char)s[k - 1]) || s[k - 1] == ':'); k--)
		;
	if (k > 0 && s[k - 1] == '<' && (k == i || s[i - 1] == ':') && e < len &&
	    (s[e] == '>' || blank((unsigned char)s[e]))) {
		if ((p = memchr(s + e, '>', len - e)) == NULL || p[-1] == '/')
			return 0;
		j = (size_t)(p - s) + 1;
		p = find(s, j, len, "</");
		*vs = j;
		*ve = p ? (size_t)(p - s) : len;
		return *ve > j;
	}
	return 0;
}

/* At the ':' of "scheme://user:password@host": the password's span
 * [*vs, end), end returned (0: none).  The authority ends at '/', '?',
 * '#', white space, a quote or the text's end; its last '@' ends the
 * userinfo. */
static size_t
userinfo(const char *s, size_t i, size_t len, size_t *vs)
{
	size_t a = i + 3, e, at = 0, colon = 0;

	if (len - i < 3 || s[i + 1] != '/' || s[i + 2] != '/' || i == 0 ||
	    !name_char((unsigned char)s[i - 1]))
		return 0;
	for (e = a; e < len && !strchr("/?#\"'<> \t\r\n", s[e]); e++) {
		if (s[e] == '@')
			at = e;
		else if (s[e] == ':' && !colon && !at)
			colon = e;
	}
	if (!at || !colon || colon > at)
		return 0;
	*vs = colon + 1;
	return at;
}

static int
redact_names(const char *s, size_t len, struct buf *out)
{
	size_t i = 0, run = 0, e, vs, ve;

	while (i < len) {
		if ((i == 0 || s[i - 1] == '\n') && (ve = header_value(s, i, len, &vs)) != 0) {
			if (buf_add(out, s + run, vs - run) < 0 || buf_adds(out, MASK) < 0)
				return -1;
			i = run = ve;
			continue;
		}
		if (s[i] == ':' && (ve = userinfo(s, i, len, &vs)) != 0) {
			if (buf_add(out, s + run, vs - run) < 0 || buf_adds(out, MASK) < 0)
				return -1;
			i = run = ve;
			continue;
		}
		if (!name_char((unsigned char)s[i]) ||
		    (i > 0 && name_char((unsigned char)s[i - 1]))) {
			i++;
			continue;
		}
		for (e = i; e < len && name_char((unsigned char)s[e]); e++)
			;
		if (redact_is_secret_field(s + i, e - i) && field_value(s, i, e, len, &vs, &ve)) {
			if (buf_add(out, s + run, vs - run) < 0 || buf_adds(out, MASK) < 0)
				return -1;
			i = run = ve;
			continue;
		}
		i = e;
	}
	return buf_add(out, s + run, len - run);
}

int
redact_text(const struct redact *r, const char *in, size_t len, struct buf *out)
{
	struct buf tmp = BUF_INIT;
	int rc;

	if (len == 0)
		return buf_add(out, "", 0);
	buf_init(&tmp, 3 * len + 64); /* a one-byte secret triples */
	rc = redact_values(r, in, len, &tmp);
	if (rc == 0)
		rc = redact_names(buf_str(&tmp), tmp.len, out);
	buf_release(&tmp);
	return rc;
}
