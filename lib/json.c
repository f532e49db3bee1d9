#include "json.h"

struct jp {
	const unsigned char *s;
	size_t n, i;
	const char *why;
};

static void
ws(struct jp *p)
{
	while (p->i < p->n) {
		unsigned char c = p->s[p->i];
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		p->i++;
	}
}

static int
fail(struct jp *p, const char *why)
{
	p->why = why;
	return -1;
}

static int
hexd(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int
string(struct jp *p)
{
	p->i++; /* opening quote */
	for (;;) {
		if (p->i >= p->n)
			return fail(p, "unterminated string");
		unsigned char c = p->s[p->i];
		if (c == '"') {
			p->i++;
			return 0;
		}
		if (c < 0x20)
			return fail(p, "control character in string");
		if (c == '\\') {
			if (++p->i >= p->n)
				return fail(p, "unterminated string");
			switch (p->s[p->i]) {
			case '"': case '\\': case '/': case 'b': case 'f':
			case 'n': case 'r': case 't':
				p->i++;
				break;
			case 'u':
				if (p->i + 4 >= p->n || !hexd(p->s[p->i + 1]) || !hexd(p->s[p->i + 2]) ||
				    !hexd(p->s[p->i + 3]) || !hexd(p->s[p->i + 4]))
					return fail(p, "bad \\u escape");
				p->i += 5;
				break;
			default:
				return fail(p, "bad escape in string");
			}
			continue;
		}
		p->i++;
	}
}

static int
digits(struct jp *p)
{
	size_t st = p->i;

	while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
		p->i++;
	return p->i > st ? 0 : fail(p, "bad number");
}

static int
number(struct jp *p)
{
	if (p->s[p->i] == '-')
		p->i++;
	if (p->i >= p->n)
		return fail(p, "bad number");
	if (p->s[p->i] == '0') {
		p->i++;
		if (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
			return fail(p, "leading zero in number");
	} else if (digits(p) < 0)
		return -1;
	if (p->i < p->n && p->s[p->i] == '.') {
		p->i++;
		if (digits(p) < 0)
			return -1;
	}
	if (p->i < p->n && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
		p->i++;
		if (p->i < p->n && (p->s[p->i] == '+' || p->s[p->i] == '-'))
			p->i++;
		if (digits(p) < 0)
			return -1;
	}
	return 0;
}

static int
word(struct jp *p, const char *w, size_t len)
{
	for (size_t k = 0; k < len; k++)
		if (p->i + k >= p->n || p->s[p->i + k] != (unsigned char)w[k])
			return fail(p, "unexpected character");
	p->i += len;
	return 0;
}

/* An object member's key and its colon, at p->i (after white space). */
static int
key(struct jp *p)
{
	if (p->i >= p->n || p->s[p->i] != '"')
		return fail(p, "expected a string key");
	if (string(p) < 0)
		return -1;
	ws(p);
	if (p->i >= p->n || p->s[p->i] != ':')
		return fail(p, "expected ':'");
	p->i++;
	return 0;
}

/* Iterative over containers: a stack of open brackets as bits. */
static enum json_type
value(struct jp *p)
{
	unsigned char stack[JSON_MAX_DEPTH];
	int depth = 0;
	enum json_type top = JSON_INVALID;

	for (;;) {
		/* expect a value */
		ws(p);
		if (p->i >= p->n)
			return fail(p, "unexpected end of input"), JSON_INVALID;
		unsigned char c = p->s[p->i];
		enum json_type t;
		switch (c) {
		case '{':
		case '[':
			if (depth >= JSON_MAX_DEPTH)
				return fail(p, "nested too deep"), JSON_INVALID;
			stack[depth++] = c;
			t = c == '{' ? JSON_OBJECT : JSON_ARRAY;
			if (top == JSON_INVALID)
				top = t;
			p->i++;
			ws(p);
			if (p->i < p->n && p->s[p->i] == (c == '{' ? '}' : ']')) {
				p->i++;
				depth--;
				goto after_value;
			}
			if (c == '{' && key(p) < 0)
				return JSON_INVALID;
			continue;
		case '"':
			if (string(p) < 0)
				return JSON_INVALID;
			t = JSON_STRING;
			break;
		case 't':
			if (word(p, "true", 4) < 0)
				return JSON_INVALID;
			t = JSON_TRUE;
			break;
		case 'f':
			if (word(p, "false", 5) < 0)
				return JSON_INVALID;
			t = JSON_FALSE;
			break;
		case 'n':
			if (word(p, "null", 4) < 0)
				return JSON_INVALID;
			t = JSON_NULL;
			break;
		default:
			if (c == '-' || (c >= '0' && c <= '9')) {
				if (number(p) < 0)
					return JSON_INVALID;
				t = JSON_NUMBER;
				break;
			}
			return fail(p, "unexpected character"), JSON_INVALID;
		}
		if (top == JSON_INVALID)
			top = t;
	after_value:
		/* after a value: close containers or take the next member */
		for (;;) {
			if (depth == 0)
				return top;
			ws(p);
			if (p->i >= p->n)
				return fail(p, "unexpected end of input"), JSON_INVALID;
			c = p->s[p->i];
			unsigned char open = stack[depth - 1];
			if (c == ',') {
				p->i++;
				if (open == '{' && (ws(p), key(p) < 0))
					return JSON_INVALID;
				break; /* next value */
			}
			if ((open == '{' && c == '}') || (open == '[' && c == ']')) {
				p->i++;
				depth--;
				continue;
			}
			return fail(p, open == '{' ? "expected ',' or '}'" : "expected ',' or ']'"),
			       JSON_INVALID;
		}
	}
}

enum json_type
json_check(const char *s, size_t n, size_t *err_off, const char **why)
{
	struct jp p = { (const unsigned char *)s, n, 0, NULL };
	enum json_type t = value(&p);

	if (t != JSON_INVALID) {
		ws(&p);
		if (p.i < p.n) {
			t = JSON_INVALID;
			p.why = "trailing characters after the value";
		}
	}
	if (t == JSON_INVALID) {
		if (err_off)
			*err_off = p.i;
		if (why)
			*why = p.why ? p.why : "not JSON";
	}
	return t;
}

enum json_type
json_check_prefix(const char *s, size_t n, size_t *end, size_t *err_off, const char **why)
{
	struct jp p = { (const unsigned char *)s, n, 0, NULL };
	enum json_type t = value(&p);

	if (t == JSON_INVALID) {
		if (err_off)
			*err_off = p.i;
		if (why)
			*why = p.why ? p.why : "not JSON";
	} else if (end) {
		*end = p.i;
	}
	return t;
}

const char *
json_type_name(enum json_type t)
{
	static const char *names[] = { "invalid", "object", "array", "string",
				       "number", "boolean", "boolean", "null" };
	return names[t];
}
