#include "stream/json_tree.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stream/json.h"
#include "base/text.h"

struct tp {
	const char *s;
	size_t n, i;
	struct json_tree_err *err;
	struct json_keys keys;
	cJSON **kids; /* one object's members, for the duplicate pass */
	size_t nkids, capkids;
};

static void
ws(struct tp *p)
{
	while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' ||
	                       p->s[p->i] == '\r'))
		p->i++;
}

/* A JSON number's value as its significant digits (at most 17 kept; more
 * makes *many 1) and the power of ten of the first: 0.0125 -> "125", -2.
 * Zero (any spelling) has no digits. */
struct sig {
	char d[18];
	int nd, many, neg;
	long exp;
};

static void
sig_of(const char *s, size_t n, struct sig *g)
{
	size_t i = 0;
	long intlen = 0, lead = 0, e = 0;
	int seen = 0, esign = 1, zeros = 0;

	memset(g, 0, sizeof *g);
	if (i < n && s[i] == '-')
		g->neg = 1, i++;
	for (int frac = 0; i < n && (isdigit((unsigned char)s[i]) || s[i] == '.'); i++) {
		if (s[i] == '.') {
			frac = 1;
			continue;
		}
		if (!frac)
			intlen++;
		if (!seen && s[i] == '0') {
			lead++;
			continue;
		}
		seen = 1;
		if (s[i] == '0') { /* trailing zeros count only if a digit follows */
			zeros++;
			continue;
		}
		for (; zeros > 0; zeros--)
			if (g->nd < 17)
				g->d[g->nd++] = '0';
			else
				g->many = 1;
		if (g->nd < 17)
			g->d[g->nd++] = s[i];
		else
			g->many = 1;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			esign = s[i++] == '-' ? -1 : 1;
		for (; i < n && isdigit((unsigned char)s[i]); i++)
			if (e < 100000000)
				e = e * 10 + (s[i] - '0');
	}
	if (g->nd == 0) { /* zero */
		g->neg = 0;
		return;
	}
	g->exp = esign * e + intlen - 1 - lead;
}

/* Does the double d (strtod of the number text s) have the value s says?
 * Compared as decimals with the shortest text that gives d back: "0.1" is
 * 0.1, "1.50" is 1.5, "9007199254740993" is not 9007199254740992 and
 * "1e400" is not infinity. */
static int
number_exact(const char *s, size_t n, double d)
{
	char out[40];
	struct sig a, b;

	if (!isfinite(d))
		return 0;
	sig_of(s, n, &a);
	sig_of(out, (size_t)json_tree_number(d, out, sizeof out), &b);
	return !a.many && a.nd == b.nd && a.neg == b.neg && a.exp == b.exp &&
	       memcmp(a.d, b.d, (size_t)a.nd) == 0;
}

static cJSON *
fail(struct tp *p, const char *why)
{
	if (p->err->why == NULL) {
		p->err->why = why;
		p->err->off = p->i;
	}
	return NULL;
}

/* JSON Pointer step: "/" and the key with ~ and / escaped. */
static int
path_push(struct buf *b, const char *k, size_t kn)
{
	int rc = buf_addc(b, '/');

	for (size_t i = 0; i < kn; i++)
		rc |= k[i] == '~'   ? buf_adds(b, "~0")
		      : k[i] == '/' ? buf_adds(b, "~1")
		                    : buf_addc(b, k[i]);
	return rc;
}

/* At the opening quote: the decoded string, NUL-terminated, in *out
 * (malloc'd); -1 when it is not JSON or holds a U+0000. */
static int
string(struct tp *p, char **out, size_t *outn)
{
	const char *why;
	size_t off, dn;
	long long r = json_string_scan(p->s + p->i + 1, p->n - p->i - 1, NULL, NULL, &off, &why);
	char *o;

	if (r < 0) {
		p->i += 1 + off;
		return fail(p, why), -1;
	}
	if ((o = malloc((size_t)r + 1)) == NULL)
		return fail(p, "out of memory"), -1;
	json_string_scan(p->s + p->i + 1, p->n - p->i - 1, o, &dn, &off, &why);
	o[dn] = '\0';
	if (memchr(o, '\0', dn) != NULL) {
		free(o);
		return fail(p, "a string holding U+0000 (\\u0000) cannot be sent"), -1;
	}
	p->i += 1 + (size_t)r + 1;
	*out = o;
	*outn = dn;
	return 0;
}

static const char *
kid_key(void *ctx, size_t j, size_t *len)
{
	const cJSON *k = ((struct tp *)ctx)->kids[j];

	*len = strlen(k->string);
	return k->string;
}

/* Exchange the values (not the keys) of two cJSON nodes. */
static void
swap_value(cJSON *a, cJSON *b)
{
	const int keep = cJSON_StringIsConst; /* a flag of the key, not the value */
	int ta = a->type, tb = b->type;
	cJSON *child = a->child;
	char *vs = a->valuestring;
	double vd = a->valuedouble;
	int vi = a->valueint;

	a->type = (tb & ~keep) | (ta & keep);
	b->type = (ta & ~keep) | (tb & keep);
	a->child = b->child;
	a->valuestring = b->valuestring;
	a->valuedouble = b->valuedouble;
	a->valueint = b->valueint;
	b->child = child;
	b->valuestring = vs;
	b->valuedouble = vd;
	b->valueint = vi;
}

/* The members of o, a repeated key once: at its first place, with its last
 * value (json.h). */
static int
dedup(struct tp *p, cJSON *o)
{
	size_t n = 0;
	cJSON *grave = NULL; /* the members dropped, freed when the loop is done */

	for (cJSON *k = o->child; k; k = k->next) {
		if (n == p->capkids) {
			size_t nc = p->capkids ? 2 * p->capkids : 32;
			cJSON **nk = realloc(p->kids, nc * sizeof(*nk));
			if (nk == NULL)
				return -1;
			p->kids = nk;
			p->capkids = nc;
		}
		p->kids[n++] = k;
	}
	for (size_t i = 0; i < n; i++) {
		long d = json_keys_add(&p->keys, i, p->kids[i]->string, strlen(p->kids[i]->string),
		                       kid_key, p);
		if (d < 0) {
			cJSON_Delete(grave);
			return -1;
		}
		if ((size_t)d != i) {
			/* later's value into the earlier's place, earlier's
			 * into the detached later.  No member is freed before
			 * the loop ends: the key table compares a new key with
			 * any kids[j] of the same signature, a repeated one
			 * too (a third "a" once freed the second's node, read
			 * again for a fourth key of the same length, first
			 * four and last bytes) */
			cJSON *later = cJSON_DetachItemViaPointer(o, p->kids[i]);
			cJSON *earlier = p->kids[d];
			swap_value(earlier, later);
			later->next = grave;
			grave = later;
		}
	}
	cJSON_Delete(grave);
	return 0;
}

static cJSON *
value(struct tp *p, int depth)
{
	cJSON *v = NULL;
	char *str;
	size_t sn;

	ws(p);
	if (p->i >= p->n)
		return fail(p, "unexpected end of input");
	switch (p->s[p->i]) {
	case '{': {
		size_t mark = p->err->path.len;
		int any = 0;

		if (depth >= JSON_MAX_DEPTH)
			return fail(p, "nested too deep");
		if ((v = cJSON_CreateObject()) == NULL)
			return fail(p, "out of memory");
		p->i++;
		ws(p);
		if (p->i < p->n && p->s[p->i] == '}') {
			p->i++;
			return v;
		}
		for (;;) {
			cJSON *m;

			ws(p);
			if (p->i >= p->n || p->s[p->i] != '"')
				goto bad;
			if (string(p, &str, &sn) < 0)
				goto bad;
			p->err->path.len = mark;
			if (path_push(&p->err->path, str, sn) < 0) {
				free(str);
				fail(p, "out of memory");
				goto bad;
			}
			ws(p);
			if (p->i >= p->n || p->s[p->i] != ':') {
				free(str);
				fail(p, "expected ':'");
				goto bad;
			}
			p->i++;
			if ((m = value(p, depth + 1)) == NULL) {
				free(str);
				goto bad;
			}
			cJSON_AddItemToObject(v, str, m);
			free(str);
			any = 1;
			ws(p);
			if (p->i < p->n && p->s[p->i] == ',') {
				p->i++;
				continue;
			}
			if (p->i < p->n && p->s[p->i] == '}') {
				p->i++;
				break;
			}
			fail(p, "expected ',' or '}'");
			goto bad;
		}
		p->err->path.len = mark;
		if (p->err->path.p)
			p->err->path.p[mark] = '\0';
		if (any && dedup(p, v) < 0) {
			fail(p, "out of memory");
			goto bad;
		}
		return v;
	}
	case '[': {
		char idx[32];
		size_t mark = p->err->path.len, k = 0;

		if (depth >= JSON_MAX_DEPTH)
			return fail(p, "nested too deep");
		if ((v = cJSON_CreateArray()) == NULL)
			return fail(p, "out of memory");
		p->i++;
		ws(p);
		if (p->i < p->n && p->s[p->i] == ']') {
			p->i++;
			return v;
		}
		for (;; k++) {
			cJSON *m;
			int w = snprintf(idx, sizeof(idx), "%zu", k);

			p->err->path.len = mark;
			if (path_push(&p->err->path, idx, (size_t)w) < 0) {
				fail(p, "out of memory");
				goto bad;
			}
			if ((m = value(p, depth + 1)) == NULL)
				goto bad;
			cJSON_AddItemToArray(v, m);
			ws(p);
			if (p->i < p->n && p->s[p->i] == ',') {
				p->i++;
				continue;
			}
			if (p->i < p->n && p->s[p->i] == ']') {
				p->i++;
				break;
			}
			fail(p, "expected ',' or ']'");
			goto bad;
		}
		p->err->path.len = mark;
		if (p->err->path.p)
			p->err->path.p[mark] = '\0';
		return v;
	}
	case '"':
		if (string(p, &str, &sn) < 0)
			return NULL;
		v = cJSON_CreateString(str);
		free(str);
		return v ? v : fail(p, "out of memory");
	default: {
		size_t end, off;
		const char *why;
		enum json_type t = json_check_prefix(p->s + p->i, p->n - p->i, &end, &off, &why);

		if (t == JSON_NUMBER) {
			char tmp[64], *num = end < sizeof(tmp) ? tmp : malloc(end + 1);
			if (num == NULL)
				return fail(p, "out of memory");
			double d;
			memcpy(num, p->s + p->i, end);
			num[end] = '\0';
			d = strtod(num, NULL);
			if (!number_exact(num, end, d)) {
				if (num != tmp)
					free(num);
				return fail(p, "a number a double does not hold exactly (too "
				               "many digits, or out of range): it would not "
				               "arrive as written");
			}
			v = cJSON_CreateNumber(d);
			if (num != tmp)
				free(num);
		} else if (t == JSON_TRUE || t == JSON_FALSE)
			v = cJSON_CreateBool(t == JSON_TRUE);
		else if (t == JSON_NULL)
			v = cJSON_CreateNull();
		else {
			p->i += t == JSON_INVALID ? off : 0;
			return fail(p, t == JSON_INVALID ? why : "unexpected character");
		}
		p->i += end;
		return v ? v : fail(p, "out of memory");
	}
	}
bad:
	cJSON_Delete(v);
	return NULL;
}

cJSON *
json_tree_parse(const char *s, size_t n, struct json_tree_err *err)
{
	struct tp p = { s, n, 0, err, { 0 }, NULL, 0, 0 };
	cJSON *v;

	err->why = NULL;
	err->off = 0;
	buf_reset(&err->path);
	if ((v = value(&p, 0)) != NULL) {
		ws(&p);
		if (p.i < p.n) {
			cJSON_Delete(v);
			v = fail(&p, "trailing characters after the value");
		}
	}
	json_keys_free(&p.keys);
	free(p.kids);
	return v;
}

cJSON *
json_tree_member(const cJSON *obj, cJSON **at, const char *name)
{
	cJSON *m = *at;

	if (m == NULL || m->string == NULL || strcmp(m->string, name) != 0)
		m = cJSON_GetObjectItemCaseSensitive(obj, name);
	if (m)
		*at = m->next;
	return m;
}

int
json_tree_number(double d, char *out, size_t cap)
{
	int n = 0;

	/* integers as integers (ids: 10000000, not 1e+07) up to 2^53, where
	 * every integer is a double and the shortest text is all its digits;
	 * past it, 2^53 + 8 and its neighbours print shortest as well */
	if (d == floor(d) && fabs(d) < 9007199254740992.0)
		return snprintf(out, cap, "%.0f", d);
	for (int prec = 1; prec <= 17; prec++) {
		n = snprintf(out, cap, "%.*g", prec, d);
		if (strtod(out, NULL) == d)
			break;
	}
	return n;
}

int
json_tree_print_buf(struct buf *b, const cJSON *v)
{
	char num[40];
	const cJSON *c;

	if (v == NULL)
		return -1;
	switch (v->type & 0xff) {
	case cJSON_False:
		return buf_adds(b, "false");
	case cJSON_True:
		return buf_adds(b, "true");
	case cJSON_NULL:
		return buf_adds(b, "null");
	case cJSON_Number:
		if (!isfinite(v->valuedouble))
			return buf_adds(b, "null");
		json_tree_number(v->valuedouble, num, sizeof num);
		return buf_adds(b, num);
	case cJSON_String:
		return json_quote(b, v->valuestring ? v->valuestring : "",
		                  v->valuestring ? strlen(v->valuestring) : 0);
	case cJSON_Raw:
		return buf_adds(b, v->valuestring ? v->valuestring : "");
	case cJSON_Array:
	case cJSON_Object:
		if (buf_addc(b, cJSON_IsArray(v) ? '[' : '{') < 0)
			return -1;
		for (c = v->child; c; c = c->next) {
			if (c != v->child && buf_addc(b, ',') < 0)
				return -1;
			if (cJSON_IsObject(v) &&
			    (json_quote(b, c->string ? c->string : "",
			                c->string ? strlen(c->string) : 0) < 0 ||
			     buf_addc(b, ':') < 0))
				return -1;
			if (json_tree_print_buf(b, c) < 0)
				return -1;
		}
		return buf_addc(b, cJSON_IsArray(v) ? ']' : '}');
	}
	return -1;
}

char *
json_tree_print(const cJSON *v)
{
	struct buf b = BUF_INIT;

	if (json_tree_print_buf(&b, v) < 0) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

int
json_tree_equal(const cJSON *a, const cJSON *b)
{
	const cJSON *x, *y;
	int na = 0, nb = 0;

	if (a == NULL || b == NULL || (a->type & 0xff) != (b->type & 0xff))
		return 0;
	switch (a->type & 0xff) {
	case cJSON_False:
	case cJSON_True:
	case cJSON_NULL:
		return 1;
	case cJSON_Number:
		return a->valuedouble == b->valuedouble;
	case cJSON_String:
	case cJSON_Raw:
		return a->valuestring && b->valuestring &&
		       strcmp(a->valuestring, b->valuestring) == 0;
	case cJSON_Array:
		for (x = a->child, y = b->child; x && y; x = x->next, y = y->next)
			if (!json_tree_equal(x, y))
				return 0;
		return x == NULL && y == NULL;
	case cJSON_Object:
		for (x = a->child; x; x = x->next, na++)
			if ((y = cJSON_GetObjectItemCaseSensitive(b, x->string)) == NULL ||
			    !json_tree_equal(x, y))
				return 0;
		for (y = b->child; y; y = y->next)
			nb++;
		return na == nb;
	}
	return 0;
}
