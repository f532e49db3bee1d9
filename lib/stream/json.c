#include "stream/json.h"
#include "base/hash.h"
#include "base/text.h"

#include <stdint.h>
#include <stdlib.h>
#include <ctype.h>
#include <string.h>

struct jp {
	const unsigned char *s;
	size_t n, i;
	const char *why;
	int esc; /* the last string held a backslash escape */
};

static inline void
ws(struct jp *p)
{
	if (p->i < p->n && p->s[p->i] > ' ')
		return; /* compact JSON: nothing to skip */
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

/* 1 when one of the 8 bytes of w is '"', '\\' or below 0x20 (SWAR) */
static inline int
special8(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');

	return (((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w)) & high ? 1 : 0;
}

/* n bytes (fewer than 4) that are hex digits: the start of a \uXXXX cut short */
static int
hex_prefix(const unsigned char *s, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (!isxdigit(s[k]))
			return 0;
	return 1;
}

long long
json_string_scan(const char *str, size_t n, char *out, size_t *outn, size_t *err_off,
                 const char **why)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, w = 0;

	for (;;) {
		size_t run = i;

		while (run + 8 <= n) { /* plain bytes eight at a time */
			uint64_t w8;

			memcpy(&w8, s + run, 8);
			if (special8(w8))
				break;
			run += 8;
		}
		while (run < n && s[run] != '"' && s[run] != '\\' && s[run] >= 0x20)
			run++;
		if (out && run > i)
			memcpy(out + w, s + i, run - i);
		w += run - i;
		i = run;
		if (i >= n) {
			*err_off = i;
			*why = "unterminated string";
			return -1;
		}
		if (s[i] == '"')
			break;
		if (s[i] < 0x20) {
			*err_off = i;
			*why = "control character in string";
			return -1;
		}
		/* a backslash */
		if (++i >= n) {
			*err_off = i;
			*why = "unterminated string";
			return -1;
		}
		char c;
		switch (s[i]) {
		/* clang-format off */
		case '"': c = '"'; break;
		case '\\': c = '\\'; break;
		case '/': c = '/'; break;
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		/* clang-format on */
		case 'u': {
			int cp;

			if (i + 4 >= n || (cp = json_hex4((const char *)s + i + 1)) < 0) {
				if (i + 4 >= n && hex_prefix(s + i + 1, n - i - 1)) {
					*err_off = n; /* cut short in the escape */
					*why = "unterminated string";
				} else {
					*err_off = i;
					*why = "bad \\u escape";
				}
				return -1;
			}
			i += 5;
			if (cp >= 0xD800 && cp < 0xDC00 && i + 6 > n &&
			    (i == n || (s[i] == '\\' &&
			                (i + 1 == n ||
			                 (s[i + 1] == 'u' && hex_prefix(s + i + 2, n - i - 2)))))) {
				*err_off = n; /* cut short before or in the low half */
				*why = "unterminated string";
				return -1;
			}
			if (cp >= 0xD800 && cp < 0xDC00 && i + 6 <= n && s[i] == '\\' &&
			    s[i + 1] == 'u') {
				int lo = json_hex4((const char *)s + i + 2);

				if (lo >= 0xDC00 && lo < 0xE000) {
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
					i += 6;
				}
			}
			if (cp >= 0xD800 && cp < 0xE000) {
				/* no UTF-8 for it: refused, as jq and Python's
				 * strict decoders do, never turned into U+FFFD */
				*err_off = i - 6;
				*why = "lone surrogate in \\u escape";
				return -1;
			}
			if (out)
				w += utf8_put(out + w, (unsigned)cp);
			else
				w += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
			continue;
		}
		default:
			*err_off = i;
			*why = "bad escape in string";
			return -1;
		}
		if (out)
			out[w] = c;
		w++;
		i++;
	}
	if (outn)
		*outn = w;
	return (long long)i;
}

static int
string(struct jp *p)
{
	size_t off;
	long long r = json_string_scan((const char *)p->s + p->i + 1, p->n - p->i - 1, NULL, NULL,
	                               &off, &p->why);

	p->esc = r > 0 && memchr(p->s + p->i + 1, '\\', (size_t)r) != NULL;
	if (r < 0) {
		p->i += 1 + off;
		return -1;
	}
	p->i += 1 + (size_t)r + 1;
	return 0;
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

/* true, false or null at p->i; a mismatch is where it stops matching (at
 * the end of the input for a word cut short: a cut line, not a bad one) */
static int
word(struct jp *p, const char *w, size_t len)
{
	for (size_t k = 0; k < len; k++)
		if (p->i + k >= p->n || p->s[p->i + k] != (unsigned char)w[k]) {
			p->i += k;
			return fail(p, p->i >= p->n ? "unexpected end of input"
			                            : "unexpected character");
		}
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
	struct jp p = { (const unsigned char *)s, n, 0, NULL, 0 };
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
	struct jp p = { (const unsigned char *)s, n, 0, NULL, 0 };
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
	static const char *names[] = { "invalid", "object",  "array",   "string",
		                       "number",  "boolean", "boolean", "null" };
	return names[t];
}

int
json_obj_open(struct json_obj *it, const char *s, size_t n)
{
	struct jp p = { (const unsigned char *)s, n, 0, NULL, 0 };

	ws(&p);
	it->s = s;
	it->n = n;
	it->why = NULL;
	it->state = 0;
	if (p.i >= n || p.s[p.i] != '{') {
		it->i = p.i;
		it->why = "not a JSON object";
		return -1;
	}
	it->i = p.i + 1;
	return 0;
}

int
json_obj_next(struct json_obj *it, struct json_member *m)
{
	struct jp p = { (const unsigned char *)it->s, it->n, it->i, NULL, 0 };
	size_t k0, k1, v0;
	enum json_type t;

	if (it->state == 2)
		return 0;
	if (it->state < 0)
		return -1;
	ws(&p);
	if (p.i < p.n && p.s[p.i] == '}') {
		p.i++;
		goto end;
	}
	if (it->state == 1) {
		if (p.i >= p.n || p.s[p.i] != ',') {
			fail(&p, p.i >= p.n ? "unexpected end of input" : "expected ',' or '}'");
			goto bad;
		}
		p.i++;
		ws(&p);
	}
	k0 = p.i;
	if (p.i >= p.n || p.s[p.i] != '"') {
		fail(&p, "expected a string key");
		goto bad;
	}
	if (string(&p) < 0)
		goto bad;
	k1 = p.i - 1;
	m->kesc = p.esc;
	ws(&p);
	if (p.i >= p.n || p.s[p.i] != ':') {
		fail(&p, "expected ':'");
		goto bad;
	}
	p.i++;
	ws(&p);
	v0 = p.i;
	if ((t = value(&p)) == JSON_INVALID)
		goto bad;
	m->key = it->s + k0 + 1;
	m->klen = k1 - k0 - 1;
	m->val = it->s + v0;
	m->vlen = p.i - v0;
	m->type = t;
	it->i = p.i;
	it->state = 1;
	return 1;
end:
	ws(&p);
	if (p.i < p.n) {
		fail(&p, "trailing characters after the value");
		goto bad;
	}
	it->i = p.i;
	it->state = 2;
	return 0;
bad:
	it->i = p.i;
	it->why = p.why ? p.why : "not JSON";
	it->state = -1;
	return -1;
}

/* --- duplicate keys: the table past JSON_KEYS_LINEAR members --- */

/* Put member j (key k) into the table; -1 when an equal key is there,
 * with its index in *dup. */
static int
keys_put(struct json_keys *s, size_t j, const char *k, size_t kn, json_key_fn key, void *ctx,
         size_t *dup)
{
	size_t mask = s->cap - 1, h = (size_t)fnv1a64(k, kn) & mask;

	for (; s->slot[h]; h = (h + 1) & mask) {
		size_t o = s->slot[h] - 1, on;
		const char *ok = key(ctx, o, &on);

		if (on == kn && memcmp(ok, k, kn) == 0) {
			*dup = o;
			return -1;
		}
	}
	s->slot[h] = (uint32_t)j + 1;
	return 0;
}

/* A table of at least cap slots holding members 0 to s->n - 1. */
static int
keys_rebuild(struct json_keys *s, size_t cap, json_key_fn key, void *ctx)
{
	size_t dup;

	if (cap > s->cap) {
		uint32_t *slot = calloc(cap, sizeof(*slot));
		if (slot == NULL)
			return -1;
		free(s->slot);
		s->slot = slot;
		s->cap = cap;
	} else
		memset(s->slot, 0, s->cap * sizeof(*s->slot));
	for (size_t j = 0; j < s->n; j++) {
		size_t kn;
		const char *k = key(ctx, j, &kn);
		keys_put(s, j, k, kn, key, ctx, &dup); /* a repeat is left out */
	}
	return 0;
}

long
json_keys_add_table(struct json_keys *s, size_t i, const char *k, size_t kn, json_key_fn key,
                    void *ctx)
{
	size_t dup = i, cap = 32;

	while (cap < 4 * (i + 1))
		cap *= 2;
	s->n = i;
	if ((i == JSON_KEYS_LINEAR || 2 * (i + 1) > s->cap) && keys_rebuild(s, cap, key, ctx) < 0)
		return -1;
	keys_put(s, i, k, kn, key, ctx, &dup);
	s->n = i + 1;
	return (long)dup;
}

void
json_keys_free(struct json_keys *s)
{
	free(s->slot);
	memset(s, 0, sizeof(*s));
}
