/*
 * schema.c - JSON Schema draft 2020-12: compile once, validate many.
 *
 * Every document (the root one and any loaded by "$ref") is parsed with
 * jv_parse into the schema's arena, its strings and numbers copied
 * there NUL-terminated; instances are jv_parse values too, so
 * strings keep their length (an embedded U+0000 included) and numbers
 * their text.  Compilation has two passes over every document:
 *   scan:    walks the subschema keywords, records for each schema object
 *            its base URI and location, registers "$id" resources and
 *            "$anchor"s;
 *   compile: turns each reachable schema object into a struct snode, once
 *            (a pointer-keyed map), with "$ref" resolved to the target
 *            node, patterns compiled (and JIT-compiled), "properties" and
 *            "required" in one hash table.
 * Validation walks the snodes; it allocates nothing for a valid instance
 * (errors and the instance path live in struct schema_errors, reused).
 */
#include "engine/schema/schema.h"
#include "engine/schema/schema_fmt.h"
#include "base/dec.h"
#include "stream/jv.h"
#include "base/text.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_DEPTH 1000 /* validation recursion (schema x instance) */
#define MAX_DOCS 256   /* documents one schema may load */

enum {
	T_NULL = 1,
	T_BOOL = 2,
	T_OBJ = 4,
	T_ARR = 8,
	T_NUM = 16,
	T_STR = 32,
	T_INT = 64,
};

struct snode;

struct pentry {
	const char *name;
	size_t len;
	uint32_t hash;
	struct snode *schema; /* "properties" member, or NULL */
	int req;              /* index in "required", or -1 */
};

struct pat {
	pcre2_code *re;
	const char *src;
	struct snode *schema; /* patternProperties only */
};

struct dep {
	const char *name;
	size_t len;
	const struct jv *names; /* dependentRequired: strings */
	size_t n;
	struct snode *schema; /* dependentSchemas */
};

struct numkw {
	double v;
	const char *txt; /* as written, for messages */
	struct dec d;    /* exact, when d_ok */
	int d_ok;
};

enum {
	HAS_MIN = 1 << 0,
	HAS_MAX = 1 << 1,
	HAS_XMIN = 1 << 2,
	HAS_XMAX = 1 << 3,
	HAS_MULT = 1 << 4,
	HAS_CONST = 1 << 5,
	HAS_UNIQUE = 1 << 6,
	HAS_MINLEN = 1 << 7,
	HAS_MAXLEN = 1 << 8,
	HAS_MINITEMS = 1 << 9,
	HAS_MAXITEMS = 1 << 10,
	HAS_MINPROPS = 1 << 11,
	HAS_MAXPROPS = 1 << 12,
	HAS_MINCONT = 1 << 13,
	HAS_MAXCONT = 1 << 14,
};

struct snode {
	int boolean;     /* -1 object schema, 0 false, 1 true */
	const char *loc; /* "#/properties/x" */
	unsigned flags;
	unsigned types;
	const struct jv *enum_, *const_;
	struct snode *ref, *dynref;
	/* objects */
	struct pentry *props;
	size_t nprops;
	uint32_t *ptab; /* open addressing, index + 1; size ptab_mask + 1 */
	uint32_t ptab_mask;
	size_t nreq;
	const struct pentry **req; /* required names in order */
	struct pat *pprops;
	size_t npprops;
	struct snode *addl, *propnames;
	struct dep *deps;
	size_t ndeps;
	double minprops, maxprops;
	/* arrays */
	struct snode **prefix;
	size_t nprefix;
	struct snode *items, *contains;
	double minitems, maxitems, mincont, maxcont;
	/* numbers */
	struct numkw min, max, xmin, xmax, mult;
	struct dec multd;
	int multd_ok;
	/* strings */
	double minlen, maxlen;
	struct pat pattern;
	enum schema_fmt format;
	const char *format_name;
	const char *errmsg; /* "errorMessage": one message instead of the node's own */
	/* applicators */
	struct snode **allof, **anyof, **oneof;
	size_t nallof, nanyof, noneof;
	struct snode *not_, *if_, *then_, *else_;
};

/* info recorded by the scan for each schema object (and boolean) */
struct info {
	const struct jv *json;
	const char *base;
	const char *loc;
	struct snode *node;
};

struct named {
	const char *uri; /* resource URI, or URI#anchor */
	const struct jv *json;
};

struct schema {
	unsigned flags;
	struct schema_loader *loader;
	struct ep_err *err;
	/* everything allocated, freed together */
	void **allocs;
	size_t nallocs, capallocs;
	struct arena A; /* the documents' values and strings */
	struct jv_parser jp;
	struct jv *docs[MAX_DOCS];
	const char *docuri[MAX_DOCS];
	size_t ndocs;
	/* pointer map json -> info */
	struct info *infos;
	size_t ninfos, capinfos;
	uint32_t *imap;
	size_t imap_size;
	struct named *names;
	size_t nnames, capnames;
	pcre2_code **codes;
	size_t ncodes, capcodes;
	size_t npatterns;
	struct snode *root;
	int failed;
};

/* ---- allocation ---------------------------------------------------- */

static void *
salloc(struct schema *s, size_t n)
{
	void *p;

	if (s->failed)
		return NULL;
	if (ARRAY_GROW(s->allocs, s->nallocs + 1, s->capallocs) < 0)
		goto oom;
	p = calloc(1, n ? n : 1);
	if (p == NULL)
		goto oom;
	s->allocs[s->nallocs++] = p;
	return p;
oom:
	s->failed = 1;
	ep_errf(s->err, EP_SOFTWARE, "out of memory");
	return NULL;
}

static char *
sstrndup(struct schema *s, const char *p, size_t n)
{
	char *r = salloc(s, n + 1);

	if (r) {
		memcpy(r, p, n);
		r[n] = '\0';
	}
	return r;
}

static char *
sstrdup(struct schema *s, const char *p)
{
	return sstrndup(s, p, strlen(p));
}

/* clang-format off */
static char * __attribute__((format(printf, 2, 3)))
sprintf_s(struct schema *s, const char *fmt, ...)
/* clang-format on */
{
	va_list ap;
	int n;
	char *r;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (r = salloc(s, (size_t)n + 1)) == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(r, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return r;
}

/* clang-format off */
static int __attribute__((format(printf, 2, 3)))
fail(struct schema *s, const char *fmt, ...)
/* clang-format on */
{
	va_list ap;

	if (!s->failed && s->err) {
		s->err->code = EP_DATAERR;
		va_start(ap, fmt);
		vsnprintf(s->err->msg, sizeof(s->err->msg), fmt, ap);
		va_end(ap);
	}
	s->failed = 1;
	return -1;
}

/* ---- URIs (RFC 3986 section 5) ------------------------------------- */

struct uri {
	const char *scheme, *auth, *path, *query, *frag;
	size_t lscheme, lauth, lpath, lquery, lfrag;
	int has_scheme, has_auth, has_query, has_frag;
};

static void
uri_split(const char *u, struct uri *r)
{
	const char *p = u, *q;

	memset(r, 0, sizeof(*r));
	for (q = p; *q && *q != ':' && *q != '/' && *q != '?' && *q != '#'; q++)
		;
	if (*q == ':' && q > p) {
		r->has_scheme = 1;
		r->scheme = p;
		r->lscheme = (size_t)(q - p);
		p = q + 1;
	}
	if (p[0] == '/' && p[1] == '/') {
		p += 2;
		r->has_auth = 1;
		r->auth = p;
		while (*p && *p != '/' && *p != '?' && *p != '#')
			p++;
		r->lauth = (size_t)(p - r->auth);
	}
	r->path = p;
	while (*p && *p != '?' && *p != '#')
		p++;
	r->lpath = (size_t)(p - r->path);
	if (*p == '?') {
		r->has_query = 1;
		r->query = ++p;
		while (*p && *p != '#')
			p++;
		r->lquery = (size_t)(p - r->query);
	}
	if (*p == '#') {
		r->has_frag = 1;
		r->frag = p + 1;
		r->lfrag = strlen(p + 1);
	}
}

/* remove_dot_segments of in[0..n) appended to out (room for n + 1) */
static size_t
remove_dots(const char *in, size_t n, char *out)
{
	size_t o = 0, i = 0;

	while (i < n) {
		if (n - i >= 3 && memcmp(in + i, "../", 3) == 0)
			i += 3;
		else if (n - i >= 2 && memcmp(in + i, "./", 2) == 0)
			i += 2;
		else if (n - i >= 3 && memcmp(in + i, "/./", 3) == 0)
			i += 2;
		else if (n - i == 2 && memcmp(in + i, "/.", 2) == 0) {
			out[o++] = '/';
			i = n;
		} else if ((n - i >= 4 && memcmp(in + i, "/../", 4) == 0) ||
		           (n - i == 3 && memcmp(in + i, "/..", 3) == 0)) {
			i += 3;
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
			if (i >= n) {
				out[o++] = '/';
			} else {
				/* next segment starts with '/' at in[i] */
			}
		} else if ((n - i == 1 && in[i] == '.') ||
		           (n - i == 2 && memcmp(in + i, "..", 2) == 0)) {
			i = n;
		} else {
			if (in[i] == '/')
				out[o++] = in[i++];
			while (i < n && in[i] != '/')
				out[o++] = in[i++];
		}
	}
	out[o] = '\0';
	return o;
}

/* resolve ref against base (absolute); result allocated in s */
static char *
uri_resolve(struct schema *s, const char *base, const char *ref)
{
	struct uri b, r;
	char *out, *tmp;
	size_t n, o = 0, tn;

	uri_split(ref, &r);
	if (r.has_scheme || base == NULL)
		goto copy_ref_dots;
	uri_split(base, &b);
	n = strlen(base) + strlen(ref) + 8;
	out = salloc(s, n);
	tmp = salloc(s, n);
	/* clang-format off */
	if (out == NULL || tmp == NULL)
		return NULL;
#define PUT(p, l) do { memcpy(out + o, (p), (l)); o += (l); } while (0)
	/* clang-format on */
	if (b.has_scheme) {
		PUT(b.scheme, b.lscheme);
		out[o++] = ':';
	}
	if (r.has_auth) {
		PUT("//", 2);
		PUT(r.auth, r.lauth);
		o += remove_dots(r.path, r.lpath, out + o);
		if (r.has_query) {
			out[o++] = '?';
			PUT(r.query, r.lquery);
		}
	} else {
		if (b.has_auth) {
			PUT("//", 2);
			PUT(b.auth, b.lauth);
		}
		if (r.lpath == 0) {
			PUT(b.path, b.lpath);
			if (r.has_query) {
				out[o++] = '?';
				PUT(r.query, r.lquery);
			} else if (b.has_query) {
				out[o++] = '?';
				PUT(b.query, b.lquery);
			}
		} else {
			if (r.path[0] == '/') {
				o += remove_dots(r.path, r.lpath, out + o);
			} else {
				/* merge */
				tn = 0;
				if (b.has_auth && b.lpath == 0) {
					tmp[tn++] = '/';
				} else {
					const char *sl = NULL, *p;

					for (p = b.path; p < b.path + b.lpath; p++)
						if (*p == '/')
							sl = p;
					if (sl) {
						memcpy(tmp, b.path, (size_t)(sl - b.path) + 1);
						tn = (size_t)(sl - b.path) + 1;
					}
				}
				memcpy(tmp + tn, r.path, r.lpath);
				tn += r.lpath;
				o += remove_dots(tmp, tn, out + o);
			}
			if (r.has_query) {
				out[o++] = '?';
				PUT(r.query, r.lquery);
			}
		}
	}
	if (r.has_frag) {
		out[o++] = '#';
		PUT(r.frag, r.lfrag);
	}
	out[o] = '\0';
#undef PUT
	return out;
copy_ref_dots:
	return sstrdup(s, ref);
}

/* URI without fragment (a new string) */
static char *
uri_nofrag(struct schema *s, const char *u)
{
	const char *h = strchr(u, '#');

	return h ? sstrndup(s, u, (size_t)(h - u)) : sstrdup(s, u);
}

/* ---- maps ---------------------------------------------------------- */

/* property names: length, first, middle and last byte, mixed; the table
 * compares the names themselves, so only the spread matters, and names
 * in one schema rarely agree on all four */
static uint32_t
hash_bytes(const char *p, size_t n)
{
	uint64_t h = n;

	if (n) {
		h = h << 24 ^ (uint64_t)(unsigned char)p[0] << 16 ^
		    (uint64_t)(unsigned char)p[n / 2] << 8 ^ (unsigned char)p[n - 1];
	}
	h *= 0x9E3779B97F4A7C15ull;
	return (uint32_t)(h >> 32);
}

static uint32_t
hash_ptr(const void *p)
{
	uintptr_t v = (uintptr_t)p;

	v ^= v >> 17;
	v *= 0x9E3779B97F4A7C15ull;
	return (uint32_t)(v >> 29);
}

static int
imap_rehash(struct schema *s)
{
	size_t n = s->imap_size ? s->imap_size * 2 : 256, i;
	uint32_t *m = calloc(n, sizeof(*m));

	if (m == NULL)
		return fail(s, "out of memory");
	for (i = 0; i < s->ninfos; i++) {
		size_t h = hash_ptr(s->infos[i].json) & (n - 1);

		while (m[h])
			h = (h + 1) & (n - 1);
		m[h] = (uint32_t)i + 1;
	}
	free(s->imap);
	s->imap = m;
	s->imap_size = n;
	return 0;
}

static struct info *
info_get(struct schema *s, const struct jv *j)
{
	size_t h;

	if (s->imap_size == 0)
		return NULL;
	h = hash_ptr(j) & (s->imap_size - 1);
	while (s->imap[h]) {
		struct info *in = &s->infos[s->imap[h] - 1];

		if (in->json == j)
			return in;
		h = (h + 1) & (s->imap_size - 1);
	}
	return NULL;
}

static struct info *
info_add(struct schema *s, const struct jv *j, const char *base, const char *loc)
{
	struct info *in = info_get(s, j);
	size_t h;

	if (in)
		return in;
	if (ARRAY_GROW(s->infos, s->ninfos + 1, s->capinfos) < 0) {
		fail(s, "out of memory");
		return NULL;
	}
	if ((s->ninfos + 1) * 2 > s->imap_size && imap_rehash(s) < 0)
		return NULL;
	in = &s->infos[s->ninfos];
	in->json = j;
	in->base = base;
	in->loc = loc;
	in->node = NULL;
	h = hash_ptr(j) & (s->imap_size - 1);
	while (s->imap[h])
		h = (h + 1) & (s->imap_size - 1);
	s->imap[h] = (uint32_t)s->ninfos + 1;
	s->ninfos++;
	return in;
}

static const struct jv *
name_get(struct schema *s, const char *uri)
{
	size_t i;

	for (i = 0; i < s->nnames; i++)
		if (strcmp(s->names[i].uri, uri) == 0)
			return s->names[i].json;
	return NULL;
}

static int
name_add(struct schema *s, const char *uri, const struct jv *j)
{
	if (name_get(s, uri))
		return 0; /* first one wins */
	if (ARRAY_GROW(s->names, s->nnames + 1, s->capnames) < 0)
		return fail(s, "out of memory");
	s->names[s->nnames].uri = uri;
	s->names[s->nnames].json = j;
	s->nnames++;
	return 0;
}

/* ---- scan ---------------------------------------------------------- */

/* keywords whose value is a schema, an array of schemas, a map of schemas */
/* clang-format off */
static const char *const kw_one[] = { "additionalProperties", "items", "contains",
	"propertyNames", "not", "if", "then", "else", "unevaluatedItems",
	"unevaluatedProperties", "contentSchema", NULL };
static const char *const kw_arr[] = { "allOf", "anyOf", "oneOf", "prefixItems", NULL };
static const char *const kw_map[] = { "$defs", "definitions", "properties",
	"patternProperties", "dependentSchemas", NULL };
/* clang-format on */

/* JSON Pointer escaping of one token */
static char *
ptr_join(struct schema *s, const char *loc, const char *tok)
{
	size_t n = strlen(loc), i, extra = 0;
	char *r, *o;

	for (i = 0; tok[i]; i++)
		extra += tok[i] == '~' || tok[i] == '/';
	r = salloc(s, n + 1 + i + extra + 1);
	if (r == NULL)
		return NULL;
	memcpy(r, loc, n);
	o = r + n;
	*o++ = '/';
	for (i = 0; tok[i]; i++) {
		if (tok[i] == '~') {
			*o++ = '~';
			*o++ = '0';
		} else if (tok[i] == '/') {
			*o++ = '~';
			*o++ = '1';
		} else {
			*o++ = tok[i];
		}
	}
	*o = '\0';
	return r;
}

static int
is_bool(const struct jv *j)
{
	return j->t == JV_TRUE || j->t == JV_FALSE;
}

/* an object's member by name (strings of documents are NUL-terminated) */
static const struct jv *
member(const struct jv *o, const char *k)
{
	return jv_obj_get(o, k, strlen(k));
}

static int
scan(struct schema *s, const struct jv *j, const char *base, const char *loc, int depth)
{
	const struct jv *id, *a;
	uint32_t m;
	int i;

	if (s->failed)
		return -1;
	if (depth > 200)
		return fail(s, "schema nested too deeply at '%s'", loc);
	if (is_bool(j))
		return info_add(s, j, base, loc) ? 0 : -1;
	if (j->t != JV_OBJ)
		return 0;
	id = member(j, "$id");
	if (id && id->t == JV_STR) {
		char *nb = uri_resolve(s, base, id->u.s);

		if (nb == NULL)
			return -1;
		base = uri_nofrag(s, nb);
		if (base == NULL || name_add(s, base, j) < 0)
			return -1;
	}
	a = member(j, "$anchor");
	if (a && a->t == JV_STR) {
		char *u = sprintf_s(s, "%s#%s", base, a->u.s);

		if (u == NULL || name_add(s, u, j) < 0)
			return -1;
	}
	a = member(j, "$dynamicAnchor");
	if (a && a->t == JV_STR) {
		char *u = sprintf_s(s, "%s#%s", base, a->u.s);

		if (u == NULL || name_add(s, u, j) < 0)
			return -1;
	}
	if (info_add(s, j, base, loc) == NULL)
		return -1;
	for (m = 0; m < j->n; m++) {
		const char *key = j->u.o[m].k;
		const struct jv *k = &j->u.o[m].v;
		uint32_t e;

		for (i = 0; kw_one[i]; i++)
			if (strcmp(key, kw_one[i]) == 0)
				scan(s, k, base, ptr_join(s, loc, key), depth + 1);
		for (i = 0; kw_arr[i]; i++)
			if (strcmp(key, kw_arr[i]) == 0 && k->t == JV_ARR) {
				char *l = ptr_join(s, loc, key);

				for (e = 0; e < k->n; e++) {
					char num[24];

					snprintf(num, sizeof(num), "%u", e);
					scan(s, &k->u.a[e], base, l ? ptr_join(s, l, num) : NULL,
					     depth + 1);
				}
			}
		for (i = 0; kw_map[i]; i++)
			if (strcmp(key, kw_map[i]) == 0 && k->t == JV_OBJ) {
				char *l = ptr_join(s, loc, key);

				for (e = 0; e < k->n; e++)
					scan(s, &k->u.o[e].v, base,
					     l ? ptr_join(s, l, k->u.o[e].k) : NULL, depth + 1);
			}
		if (s->failed)
			return -1;
	}
	return 0;
}

/* copy a parsed document's strings, keys and numbers into the arena,
 * NUL-terminated (the parser leaves them in the text) */
static int
own_strings(struct schema *s, struct jv *v)
{
	uint32_t i;

	switch (v->t) {
	case JV_STR:
	case JV_NUM:
		if ((v->u.s = arena_strdup(&s->A, v->u.s, v->n)) == NULL)
			return fail(s, "out of memory");
		v->f &= (uint8_t)~JVF_HASD;
		return 0;
	case JV_ARR:
		for (i = 0; i < v->n; i++)
			if (own_strings(s, &v->u.a[i]) < 0)
				return -1;
		return 0;
	case JV_OBJ:
		for (i = 0; i < v->n; i++) {
			struct jv_kv *kv = &v->u.o[i];

			if ((kv->k = arena_strdup(&s->A, kv->k, kv->kn)) == NULL)
				return fail(s, "out of memory");
			if (own_strings(s, &kv->v) < 0)
				return -1;
		}
		return 0;
	}
	return 0;
}

/* parse text (the caller keeps it) into a document of the schema */
static struct jv *
parse_doc(struct schema *s, const char *text, size_t len, const char *what)
{
	struct jv *v = arena_alloc(&s->A, sizeof(*v));

	if (v == NULL) {
		fail(s, "out of memory");
		return NULL;
	}
	s->jp.A = &s->A;
	if (jv_parse(&s->jp, text, len, v) < 0) {
		fail(s, "%s%snot valid JSON: %s at byte %zu", what ? what : "", what ? ": " : "",
		     s->jp.err, s->jp.errpos + 1);
		return NULL;
	}
	return own_strings(s, v) < 0 ? NULL : v;
}

/* a parsed document, known by uri (no fragment) */
static int
add_doc(struct schema *s, struct jv *doc, const char *uri, const char *locprefix)
{
	if (s->ndocs >= MAX_DOCS)
		return fail(s, "too many schema documents (more than %d)", MAX_DOCS);
	s->docs[s->ndocs] = doc;
	s->docuri[s->ndocs] = uri;
	s->ndocs++;
	if (uri && name_add(s, uri, doc) < 0)
		return -1;
	return scan(s, doc, uri, locprefix, 0);
}

/* ---- loading ------------------------------------------------------- */

static char *
slurp(const char *path, size_t max, size_t *len, struct ep_err *err)
{
	FILE *f = fopen(path, "rb");
	char *b = NULL;
	size_t n = 0, cap = 0, r;

	if (f == NULL) {
		ep_errf(err, EP_NOINPUT, "cannot open '%s': %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (cap - n < 4096) {
			char *nb;

			cap = cap ? cap * 2 : 8192;
			if (cap > max || (nb = realloc(b, cap + 1)) == NULL) {
				ep_errf(err, EP_DATAERR, "'%s': too large", path);
				free(b);
				fclose(f);
				return NULL;
			}
			b = nb;
		}
		r = fread(b + n, 1, cap - n, f);
		if (r == 0)
			break;
		n += r;
	}
	if (ferror(f)) {
		ep_errf(err, EP_IOERR, "cannot read '%s'", path);
		free(b);
		fclose(f);
		return NULL;
	}
	fclose(f);
	b[n] = '\0';
	*len = n;
	return b;
}

/* percent-decode in place */
static void
pct_decode(char *p)
{
	char *o = p;

	while (*p) {
		int hi, lo;

		if (p[0] == '%' && (hi = hex_value((unsigned char)p[1])) >= 0 &&
		    (lo = hex_value((unsigned char)p[2])) >= 0) {
			*o++ = (char)(hi * 16 + lo);
			p += 3;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
}

static struct jv *
load_uri(struct schema *s, const char *uri)
{
	struct jv *doc = NULL;
	struct ep_err e = EP_ERR_INIT;
	char *text;
	size_t len = 0;

	if (strncmp(uri, "file:", 5) == 0 && (s->flags & SCHEMA_NO_FILES)) {
		fail(s, "cannot resolve '%s': file references are turned off", uri);
		return NULL;
	}
	if (strncmp(uri, "file://", 7) == 0) {
		char *path = sstrdup(s, uri + 7);

		if (path == NULL)
			return NULL;
		/* file://host/path: only an empty host (or localhost) */
		if (strncmp(path, "localhost/", 10) == 0)
			path += 9;
		pct_decode(path);
		if ((text = slurp(path, 64u << 20, &len, &e)) == NULL) {
			fail(s, "%s", e.msg);
			if (s->err)
				s->err->code = e.code;
			return NULL;
		}
		doc = parse_doc(s, text, len, path);
		free(text);
		return doc;
	}
	if (s->loader && s->loader->load) {
		text = s->loader->load(s->loader->ctx, uri, &len, &e);
		if (text == NULL) {
			fail(s, "cannot load '%s': %s", uri, e.msg[0] ? e.msg : "not found");
			return NULL;
		}
		doc = parse_doc(s, text, len, uri);
		free(text);
		return doc;
	}
	fail(s, "cannot resolve '%s': no loader for remote schemas", uri);
	return NULL;
}

/* ---- compile ------------------------------------------------------- */

static struct snode *compile_node(struct schema *s, const struct jv *j, const char *base,
                                  const char *loc);

static const struct jv *
walk_pointer(const struct jv *j, const char *ptr)
{
	char tok[1024];

	while (*ptr) {
		size_t n = 0;

		if (*ptr != '/')
			return NULL;
		ptr++;
		while (*ptr && *ptr != '/') {
			char c = *ptr++;

			if (c == '~') {
				if (*ptr == '0')
					c = '~';
				else if (*ptr == '1')
					c = '/';
				else
					return NULL;
				ptr++;
			}
			if (n + 1 >= sizeof(tok))
				return NULL;
			tok[n++] = c;
		}
		tok[n] = '\0';
		if (j->t == JV_OBJ) {
			j = jv_obj_get(j, tok, n);
		} else if (j->t == JV_ARR) {
			char *end;
			long i;

			if (n == 0 || (n > 1 && tok[0] == '0'))
				return NULL;
			errno = 0;
			i = strtol(tok, &end, 10);
			if (*end || errno || i < 0 || (unsigned long)i >= j->n)
				return NULL;
			j = &j->u.a[i];
		} else {
			return NULL;
		}
		if (j == NULL)
			return NULL;
	}
	return j;
}

static struct snode *
resolve_ref(struct schema *s, const char *base, const char *ref, const char *loc)
{
	char *abs = uri_resolve(s, base, ref), *res, *frag;
	const struct jv *root, *t;
	struct info *in;

	if (abs == NULL)
		return NULL;
	res = uri_nofrag(s, abs);
	if (res == NULL)
		return NULL;
	frag = strchr(abs, '#');
	frag = frag ? frag + 1 : NULL;
	root = name_get(s, res);
	if (root == NULL) {
		struct jv *doc = load_uri(s, res);

		if (doc == NULL)
			return NULL;
		if (add_doc(s, doc, res, sprintf_s(s, "%s#", res)) < 0)
			return NULL;
		root = doc;
	}
	if (frag == NULL || frag[0] == '\0') {
		t = root;
	} else if (frag[0] == '/') {
		char *f = sstrdup(s, frag);

		if (f == NULL)
			return NULL;
		pct_decode(f);
		t = walk_pointer(root, f);
	} else {
		t = name_get(s, abs);
	}
	if (t == NULL) {
		fail(s, "%s: cannot resolve $ref '%s'", loc, ref);
		return NULL;
	}
	in = info_get(s, t);
	if (in)
		return compile_node(s, t, in->base, in->loc);
	/* not a place the scan visited: use the resource's base */
	return compile_node(s, t, res, sprintf_s(s, "%s#%s", res, frag ? frag : ""));
}

static int
get_nonneg(struct schema *s, const struct jv *k, const char *key, const char *loc, double *out)
{
	double d = k->t == JV_NUM ? jv_to_double(k) : -1;

	if (!(d >= 0) || floor(d) != d)
		return fail(s, "%s/%s: must be a non-negative integer", loc, key);
	*out = d;
	return 0;
}

static int
get_num(struct schema *s, const struct jv *k, const char *key, const char *loc, struct numkw *out)
{
	if (k->t != JV_NUM)
		return fail(s, "%s/%s: must be a number", loc, key);
	out->v = jv_to_double(k);
	out->txt = k->u.s; /* NUL-terminated in the arena */
	out->d_ok = dec_parse(k->u.s, k->n, &out->d) == 0;
	return 0;
}

static pcre2_code *
compile_re(struct schema *s, const char *src, const char *loc)
{
	int ec;
	PCRE2_SIZE eo;
	pcre2_code *re;
	pcre2_compile_context *cc;
	char *t;

	if (!schema_regex_ecma_ok(src, strlen(src))) {
		fail(s, "%s: pattern '%s' uses syntax ECMA-262 does not have", loc, src);
		return NULL;
	}
	cc = pcre2_compile_context_create(NULL);
	if (cc == NULL) {
		fail(s, "out of memory");
		return NULL;
	}
	pcre2_set_compile_extra_options(cc, PCRE2_EXTRA_ALT_BSUX);
	if ((t = schema_regex_translate(src, strlen(src))) == NULL) {
		pcre2_compile_context_free(cc);
		fail(s, "out of memory");
		return NULL;
	}
	re = pcre2_compile((PCRE2_SPTR)t, PCRE2_ZERO_TERMINATED, schema_regex_options(), &ec, &eo,
	                   cc);
	pcre2_compile_context_free(cc);
	free(t);
	if (re == NULL) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(ec, msg, sizeof(msg));
		fail(s, "%s: bad pattern '%s' at offset %zu: %s", loc, src, (size_t)eo,
		     (char *)msg);
		return NULL;
	}
	pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* optional speed-up */
	if (ARRAY_GROW(s->codes, s->ncodes + 1, s->capcodes) < 0) {
		pcre2_code_free(re);
		fail(s, "out of memory");
		return NULL;
	}
	s->codes[s->ncodes++] = re;
	return re;
}

/* subschema of node (base, loc) under keyword key */
static struct snode *
sub(struct schema *s, const struct jv *j, const char *base, const char *loc)
{
	struct info *in = info_get(s, j);

	if (j->t != JV_OBJ && !is_bool(j)) {
		fail(s, "%s: not a schema", loc ? loc : "?");
		return NULL;
	}
	if (in)
		return compile_node(s, j, in->base, in->loc);
	return compile_node(s, j, base, loc);
}

static struct snode **
sub_array(struct schema *s, const struct jv *k, const char *key, const char *base, const char *loc,
          size_t *n)
{
	struct snode **v;
	size_t i;
	char *l = ptr_join(s, loc, key);

	if (k->t != JV_ARR || k->n == 0) {
		fail(s, "%s/%s: must be a non-empty array of schemas", loc, key);
		return NULL;
	}
	*n = k->n;
	v = salloc(s, *n * sizeof(*v));
	if (v == NULL || l == NULL)
		return NULL;
	for (i = 0; i < k->n; i++) {
		char num[24];

		snprintf(num, sizeof(num), "%zu", i);
		if ((v[i] = sub(s, &k->u.a[i], base, ptr_join(s, l, num))) == NULL)
			return NULL;
	}
	return v;
}

static struct pentry *
pentry_find(const struct snode *n, const char *name, size_t len, uint32_t h)
{
	uint32_t i = h & n->ptab_mask;

	while (n->ptab[i]) {
		struct pentry *p = &n->props[n->ptab[i] - 1];

		if (p->hash == h && p->len == len && memcmp(p->name, name, len) == 0)
			return p;
		i = (i + 1) & n->ptab_mask;
	}
	return NULL;
}

static struct pentry *
pentry_add(struct snode *n, const char *name, size_t len, uint32_t h)
{
	struct pentry *p = &n->props[n->nprops];
	uint32_t i;

	p->name = name;
	p->len = len;
	p->hash = h;
	p->schema = NULL;
	p->req = -1;
	for (i = h & n->ptab_mask; n->ptab[i]; i = (i + 1) & n->ptab_mask)
		;
	n->ptab[i] = (uint32_t)++n->nprops;
	return p;
}

static int
build_props(struct schema *s, struct snode *n, const struct jv *props, const struct jv *req,
            const char *base, const char *loc)
{
	size_t cap = 0, size;
	uint32_t i;
	char *l = NULL;

	if (props && props->t != JV_OBJ)
		return fail(s, "%s/properties: must be an object", loc);
	if (req && req->t != JV_ARR)
		return fail(s, "%s/required: must be an array of strings", loc);
	cap = (size_t)(props ? props->n : 0) + (size_t)(req ? req->n : 0);
	if (cap == 0)
		return 0;
	for (size = 8; size < cap * 2; size *= 2)
		;
	n->props = salloc(s, cap * sizeof(*n->props));
	n->ptab = salloc(s, size * sizeof(*n->ptab));
	n->ptab_mask = (uint32_t)size - 1;
	if (n->props == NULL || n->ptab == NULL)
		return -1;
	if (props) {
		l = ptr_join(s, loc, "properties");
		for (i = 0; i < props->n; i++) {
			const struct jv_kv *kv = &props->u.o[i];
			uint32_t h = hash_bytes(kv->k, kv->kn);
			struct pentry *p = pentry_find(n, kv->k, kv->kn, h);
			struct snode *sn = sub(s, &kv->v, base, l ? ptr_join(s, l, kv->k) : NULL);

			if (sn == NULL)
				return -1;
			if (p == NULL)
				p = pentry_add(n, kv->k, kv->kn, h);
			p->schema = sn; /* a duplicate key: the last wins */
		}
	}
	if (req) {
		n->req = salloc(s, req->n * sizeof(*n->req) + 1);
		if (n->req == NULL)
			return -1;
		for (i = 0; i < req->n; i++) {
			const struct jv *e = &req->u.a[i];
			uint32_t h;
			struct pentry *p;

			if (e->t != JV_STR)
				return fail(s, "%s/required: must be an array of strings", loc);
			h = hash_bytes(e->u.s, e->n);
			p = pentry_find(n, e->u.s, e->n, h);
			if (p && p->req >= 0)
				continue; /* listed twice */
			if (p == NULL)
				p = pentry_add(n, e->u.s, e->n, h);
			p->req = (int)n->nreq;
			n->req[n->nreq++] = p;
		}
	}
	return 0;
}

static unsigned
type_bit(const char *t)
{
	static const struct {
		const char *name;
		unsigned bit;
	} tt[] = { { "null", T_NULL },  { "boolean", T_BOOL }, { "object", T_OBJ },
		   { "array", T_ARR },  { "number", T_NUM },   { "string", T_STR },
		   { "integer", T_INT } };
	size_t i;

	for (i = 0; i < sizeof(tt) / sizeof(tt[0]); i++)
		if (strcmp(t, tt[i].name) == 0)
			return tt[i].bit;
	return 0;
}

static struct snode *
compile_node(struct schema *s, const struct jv *j, const char *base, const char *loc)
{
	struct info *in;
	struct snode *n;
	const struct jv *k, *props = NULL, *req = NULL;
	uint32_t mi;
	char *l;

	if (s->failed)
		return NULL;
	if (loc == NULL)
		loc = "#";
	in = info_get(s, j);
	if (in == NULL && (in = info_add(s, j, base, loc)) == NULL)
		return NULL;
	if (in->node)
		return in->node;
	if ((n = salloc(s, sizeof(*n))) == NULL)
		return NULL;
	in->node = n; /* before the children: cycles through $ref end here */
	n->loc = loc;
	if (is_bool(j)) {
		n->boolean = j->t == JV_TRUE;
		return n;
	}
	if (j->t != JV_OBJ) {
		fail(s, "%s: a schema must be an object or a boolean", loc);
		return NULL;
	}
	n->boolean = -1;
	for (mi = 0; mi < j->n; mi++) {
		const char *key = j->u.o[mi].k;

		k = &j->u.o[mi].v;

		if (s->failed)
			return NULL;
		switch (key[0]) {
		case '$':
			if (strcmp(key, "$ref") == 0 || strcmp(key, "$dynamicRef") == 0) {
				struct snode *t;

				if (k->t != JV_STR) {
					fail(s, "%s/%s: must be a string", loc, key);
					return NULL;
				}
				t = resolve_ref(s, base, k->u.s, loc);
				if (t == NULL)
					return NULL;
				if (key[1] == 'r')
					n->ref = t;
				else
					n->dynref = t;
			}
			break;
		case 'a':
			if (strcmp(key, "allOf") == 0)
				n->allof = sub_array(s, k, key, base, loc, &n->nallof);
			else if (strcmp(key, "anyOf") == 0)
				n->anyof = sub_array(s, k, key, base, loc, &n->nanyof);
			else if (strcmp(key, "additionalProperties") == 0)
				n->addl = sub(s, k, base, ptr_join(s, loc, key));
			break;
		case 'c':
			if (strcmp(key, "const") == 0) {
				n->const_ = k;
				n->flags |= HAS_CONST;
			} else if (strcmp(key, "contains") == 0) {
				n->contains = sub(s, k, base, ptr_join(s, loc, key));
			}
			break;
		case 'd':
			if (strcmp(key, "dependentRequired") == 0 ||
			    strcmp(key, "dependentSchemas") == 0) {
				int sch = key[9] == 'S';
				size_t i, x;
				struct dep *d;

				if (k->t != JV_OBJ) {
					fail(s, "%s/%s: must be an object", loc, key);
					return NULL;
				}
				d = salloc(s, (n->ndeps + k->n) * sizeof(*d) + 1);
				if (d == NULL)
					return NULL;
				if (n->ndeps)
					memcpy(d, n->deps, n->ndeps * sizeof(*d));
				n->deps = d;
				l = ptr_join(s, loc, key);
				for (i = 0; i < k->n; i++) {
					const struct jv_kv *kv = &k->u.o[i];
					struct dep *p = &n->deps[n->ndeps++];

					p->name = kv->k;
					p->len = kv->kn;
					if (sch) {
						p->schema = sub(s, &kv->v, base,
						                l ? ptr_join(s, l, kv->k) : NULL);
						continue;
					}
					for (x = 0; kv->v.t == JV_ARR && x < kv->v.n; x++)
						if (kv->v.u.a[x].t != JV_STR)
							break;
					if (kv->v.t != JV_ARR || x < kv->v.n) {
						fail(s, "%s/%s: must be an array of strings", l,
						     kv->k);
						return NULL;
					}
					p->names = kv->v.u.a;
					p->n = kv->v.n;
				}
			}
			break;
		case 'e':
			if (strcmp(key, "enum") == 0) {
				if (k->t != JV_ARR) {
					fail(s, "%s/enum: must be an array", loc);
					return NULL;
				}
				n->enum_ = k;
			} else if (strcmp(key, "exclusiveMinimum") == 0) {
				get_num(s, k, key, loc, &n->xmin);
				n->flags |= HAS_XMIN;
			} else if (strcmp(key, "exclusiveMaximum") == 0) {
				get_num(s, k, key, loc, &n->xmax);
				n->flags |= HAS_XMAX;
			} else if (strcmp(key, "else") == 0) {
				n->else_ = sub(s, k, base, ptr_join(s, loc, key));
			} else if (strcmp(key, "errorMessage") == 0) {
				if (k->t != JV_STR) {
					fail(s, "%s/errorMessage: must be a string", loc);
					return NULL;
				}
				n->errmsg = k->u.s;
			}
			break;
		case 'f':
			if (strcmp(key, "format") == 0 && k->t == JV_STR) {
				n->format_name = k->u.s;
				if (s->flags & SCHEMA_FORMAT_ASSERT)
					n->format = schema_fmt_lookup(k->u.s);
			}
			break;
		case 'i':
			if (strcmp(key, "items") == 0)
				n->items = sub(s, k, base, ptr_join(s, loc, key));
			else if (strcmp(key, "if") == 0)
				n->if_ = sub(s, k, base, ptr_join(s, loc, key));
			break;
		case 'm':
			if (strcmp(key, "minimum") == 0) {
				get_num(s, k, key, loc, &n->min);
				n->flags |= HAS_MIN;
			} else if (strcmp(key, "maximum") == 0) {
				get_num(s, k, key, loc, &n->max);
				n->flags |= HAS_MAX;
			} else if (strcmp(key, "multipleOf") == 0) {
				if (get_num(s, k, key, loc, &n->mult) < 0)
					return NULL;
				if (dec_text_sign(k->u.s, k->n) <= 0) { /* 1e-400 is > 0 */
					fail(s, "%s/multipleOf: must be greater than 0", loc);
					return NULL;
				}
				n->multd = n->mult.d;
				n->multd_ok = n->mult.d_ok;
				if (n->multd_ok)
					dec_normalize(&n->multd, &n->multd);
				n->flags |= HAS_MULT;
			} else if (strcmp(key, "minLength") == 0) {
				get_nonneg(s, k, key, loc, &n->minlen);
				n->flags |= HAS_MINLEN;
			} else if (strcmp(key, "maxLength") == 0) {
				get_nonneg(s, k, key, loc, &n->maxlen);
				n->flags |= HAS_MAXLEN;
			} else if (strcmp(key, "minItems") == 0) {
				get_nonneg(s, k, key, loc, &n->minitems);
				n->flags |= HAS_MINITEMS;
			} else if (strcmp(key, "maxItems") == 0) {
				get_nonneg(s, k, key, loc, &n->maxitems);
				n->flags |= HAS_MAXITEMS;
			} else if (strcmp(key, "minProperties") == 0) {
				get_nonneg(s, k, key, loc, &n->minprops);
				n->flags |= HAS_MINPROPS;
			} else if (strcmp(key, "maxProperties") == 0) {
				get_nonneg(s, k, key, loc, &n->maxprops);
				n->flags |= HAS_MAXPROPS;
			} else if (strcmp(key, "minContains") == 0) {
				get_nonneg(s, k, key, loc, &n->mincont);
				n->flags |= HAS_MINCONT;
			} else if (strcmp(key, "maxContains") == 0) {
				get_nonneg(s, k, key, loc, &n->maxcont);
				n->flags |= HAS_MAXCONT;
			}
			break;
		case 'n':
			if (strcmp(key, "not") == 0)
				n->not_ = sub(s, k, base, ptr_join(s, loc, key));
			break;
		case 'o':
			if (strcmp(key, "oneOf") == 0)
				n->oneof = sub_array(s, k, key, base, loc, &n->noneof);
			break;
		case 'p':
			if (strcmp(key, "properties") == 0) {
				props = k;
			} else if (strcmp(key, "pattern") == 0) {
				if (k->t != JV_STR) {
					fail(s, "%s/pattern: must be a string", loc);
					return NULL;
				}
				n->pattern.src = k->u.s;
				n->pattern.re = compile_re(s, k->u.s, loc);
				s->npatterns++;
			} else if (strcmp(key, "patternProperties") == 0) {
				size_t i;

				if (k->t != JV_OBJ) {
					fail(s, "%s/patternProperties: must be an object", loc);
					return NULL;
				}
				n->npprops = k->n;
				n->pprops = salloc(s, n->npprops * sizeof(*n->pprops) + 1);
				l = ptr_join(s, loc, key);
				if (n->pprops == NULL || l == NULL)
					return NULL;
				for (i = 0; i < k->n; i++) {
					const struct jv_kv *kv = &k->u.o[i];

					n->pprops[i].src = kv->k;
					n->pprops[i].re = compile_re(s, kv->k, l);
					n->pprops[i].schema =
						sub(s, &kv->v, base, ptr_join(s, l, kv->k));
					s->npatterns++;
				}
			} else if (strcmp(key, "prefixItems") == 0) {
				n->prefix = sub_array(s, k, key, base, loc, &n->nprefix);
			} else if (strcmp(key, "propertyNames") == 0) {
				n->propnames = sub(s, k, base, ptr_join(s, loc, key));
			}
			break;
		case 'r':
			if (strcmp(key, "required") == 0)
				req = k;
			break;
		case 't':
			if (strcmp(key, "type") == 0) {
				if (k->t == JV_STR) {
					n->types = type_bit(k->u.s);
				} else if (k->t == JV_ARR) {
					size_t i;

					for (i = 0; i < k->n; i++) {
						const struct jv *e = &k->u.a[i];

						if (e->t != JV_STR || type_bit(e->u.s) == 0) {
							fail(s, "%s/type: unknown type", loc);
							return NULL;
						}
						n->types |= type_bit(e->u.s);
					}
					if (n->types == 0)
						n->types = 0x80; /* "type": [] matches nothing */
				}
				if (n->types == 0) {
					fail(s, "%s/type: unknown type", loc);
					return NULL;
				}
			} else if (strcmp(key, "then") == 0) {
				n->then_ = sub(s, k, base, ptr_join(s, loc, key));
			}
			break;
		case 'u':
			if (strcmp(key, "uniqueItems") == 0) {
				if (!is_bool(k)) {
					fail(s, "%s/uniqueItems: must be a boolean", loc);
					return NULL;
				}
				if (k->t == JV_TRUE)
					n->flags |= HAS_UNIQUE;
			}
			break;
		}
	}
	if (s->failed)
		return NULL;
	if (build_props(s, n, props, req, base, loc) < 0)
		return NULL;
	return s->failed ? NULL : n;
}

/* ---- public: compile ----------------------------------------------- */

void
schema_free(struct schema *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->ncodes; i++)
		pcre2_code_free(s->codes[i]);
	free(s->codes);
	arena_free(&s->A);
	jv_parser_free(&s->jp);
	for (i = 0; i < s->nallocs; i++)
		free(s->allocs[i]);
	free(s->allocs);
	free(s->infos);
	free(s->imap);
	free(s->names);
	free(s);
}

static char *
base_uri(struct schema *s, const char *base)
{
	char cwd[4096];
	const char *p;

	if (base == NULL)
		return NULL;
	/* a URI has a scheme of 2+ characters (so "c:/x" stays a path) */
	for (p = base; *p && *p != ':' && *p != '/'; p++)
		;
	if (*p == ':' && p - base >= 2)
		return sstrdup(s, base);
	if (base[0] == '/')
		return sprintf_s(s, "file://%s", base);
	if (getcwd(cwd, sizeof(cwd)) == NULL) {
		fail(s, "cannot get the current directory: %s", strerror(errno));
		return NULL;
	}
	return sprintf_s(s, "file://%s/%s", cwd, base);
}

struct schema *
schema_compile(const char *text, size_t len, const char *base, struct schema_loader *loader,
               unsigned flags, struct ep_err *err)
{
	struct schema *s = calloc(1, sizeof(*s));
	struct jv *doc;
	char *b;

	if (s == NULL) {
		ep_errf(err, EP_SOFTWARE, "out of memory");
		return NULL;
	}
	s->flags = flags;
	s->loader = loader;
	s->err = err;
	arena_init(&s->A, 0);
	if (text == NULL) {
		fail(s, "no schema");
		goto bad;
	}
	/* without a location, a stand-in base keeps relative "$id"s resolvable */
	b = base_uri(s, base ? base : "erpipe:/schema.json");
	if (b == NULL)
		goto bad;
	b = uri_nofrag(s, b);
	if (b == NULL || (doc = parse_doc(s, text, len, NULL)) == NULL)
		goto bad;
	if (add_doc(s, doc, b, "#") < 0)
		goto bad;
	{
		struct info *in = info_get(s, doc);
		const char *rb = in ? in->base : b;

		s->root = compile_node(s, doc, rb, "#");
	}
	if (s->root == NULL || s->failed)
		goto bad;
	s->err = NULL;
	s->loader = NULL; /* the caller's; not used after compile */
	return s;
bad:
	if (err && err->msg[0] == '\0')
		ep_errf(err, EP_DATAERR, "invalid schema");
	schema_free(s);
	return NULL;
}

struct schema *
schema_compile_file(const char *path, struct schema_loader *loader, struct ep_err *err)
{
	size_t len;
	char *text = slurp(path, 64u << 20, &len, err);
	struct schema *s;

	if (text == NULL)
		return NULL;
	s = schema_compile(text, len, path, loader, SCHEMA_FORMAT_ASSERT, err);
	free(text);
	if (s == NULL)
		ep_err_prefix(err, "%s", path);
	return s;
}

/* ---- validation ---------------------------------------------------- */

struct eoff {
	size_t path, kw, msg;
};

/* one step of the instance path, kept as pointers and rendered as a JSON
 * Pointer only when an error is reported */
struct seg {
	const char *p; /* a member name, or NULL for an array index */
	size_t n;      /* its length, or the index */
};

struct vpriv {
	struct seg *segs;
	size_t nsegs, capsegs;
	char *path; /* the rendered pointer */
	size_t pcap;
	pcre2_match_data *md;
	struct arena A; /* schema_validate's parse of the instance */
	struct jv_parser jp;
	struct eoff *offs;
	size_t noffs;
};

struct vctx {
	/* the $ref targets being applied, with their instances: the same pair
	 * twice on the stack is a loop that would never end */
	struct {
		const struct snode *n;
		const struct jv *j;
	} refs[256];
	int nrefs;
	struct schema_errors *out;
	struct vpriv *vp;
	int quiet;
	int depth;
	int oom;
};

void
schema_errors_init(struct schema_errors *e)
{
	memset(e, 0, sizeof(*e));
}

void
schema_errors_free(struct schema_errors *e)
{
	struct vpriv *vp = e->priv;

	if (vp) {
		free(vp->segs);
		free(vp->path);
		if (vp->md)
			pcre2_match_data_free(vp->md);
		arena_free(&vp->A);
		jv_parser_free(&vp->jp);
		free(vp->offs);
		free(vp);
	}
	free(e->v);
	free(e->pool);
	memset(e, 0, sizeof(*e));
}

static int
pool_add(struct schema_errors *e, const char *p, size_t n, size_t *off)
{
	if (ARRAY_GROW(e->pool, e->pool_len + n + 1, e->pool_cap) < 0)
		return -1;
	*off = e->pool_len;
	memcpy(e->pool + e->pool_len, p, n);
	e->pool[e->pool_len + n] = '\0';
	e->pool_len += n + 1;
	return 0;
}

/* the current instance path as a JSON Pointer in vp->path; its length */
static long
path_render(struct vpriv *vp)
{
	size_t need = 1, o = 0, i, k;

	for (i = 0; i < vp->nsegs; i++)
		need += 1 + (vp->segs[i].p ? 2 * vp->segs[i].n : 20);
	if (ARRAY_GROW(vp->path, need, vp->pcap) < 0)
		return -1;
	for (i = 0; i < vp->nsegs; i++) {
		const struct seg *g = &vp->segs[i];

		vp->path[o++] = '/';
		if (g->p == NULL) {
			o += (size_t)snprintf(vp->path + o, 21, "%zu", g->n);
			continue;
		}
		for (k = 0; k < g->n; k++) {
			if (g->p[k] == '~' || g->p[k] == '/') {
				vp->path[o++] = '~';
				vp->path[o++] = g->p[k] == '~' ? '0' : '1';
			} else {
				vp->path[o++] = g->p[k];
			}
		}
	}
	vp->path[o] = '\0';
	return (long)o;
}

static void __attribute__((format(printf, 4, 5)))
report(struct vctx *c, const struct snode *n, const char *kw, const char *fmt, ...)
{
	struct schema_errors *e = c->out;
	struct vpriv *vp = c->vp;
	char msg[512], kwb[1024];
	va_list ap;
	struct eoff o;
	size_t max;
	long plen;

	if (c->quiet || e == NULL)
		return;
	max = e->max ? e->max : 100;
	if (e->n >= max) {
		e->dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (kw)
		snprintf(kwb, sizeof(kwb), "%s/%s", n->loc, kw);
	else
		snprintf(kwb, sizeof(kwb), "%s", n->loc);
	if (e->n == e->cap) {
		size_t nc = e->cap ? e->cap * 2 : 8;
		struct schema_error *v = realloc(e->v, nc * sizeof(*v));
		struct eoff *ov = realloc(vp->offs, nc * sizeof(*ov));

		if (v)
			e->v = v;
		if (ov)
			vp->offs = ov;
		if (v == NULL || ov == NULL) {
			c->oom = 1;
			return;
		}
		e->cap = nc;
	}
	if ((plen = path_render(vp)) < 0 || pool_add(e, vp->path, (size_t)plen, &o.path) < 0 ||
	    pool_add(e, kwb, strlen(kwb), &o.kw) < 0 || pool_add(e, msg, strlen(msg), &o.msg) < 0) {
		c->oom = 1;
		return;
	}
	vp->offs[e->n] = o;
	e->n++;
}

/* push a path step (p NULL: the array index n); returns the depth to pop
 * back to */
static size_t
path_step(struct vctx *c, const char *p, size_t n)
{
	struct vpriv *vp = c->vp;
	size_t old = vp->nsegs;

	if (c->out == NULL)
		return old; /* nobody will read the path */
	if (ARRAY_GROW(vp->segs, vp->nsegs + 1, vp->capsegs) < 0) {
		c->oom = 1;
		return old;
	}
	vp->segs[vp->nsegs].p = p;
	vp->segs[vp->nsegs].n = n;
	vp->nsegs++;
	return old;
}

static size_t
path_push(struct vctx *c, const char *tok, size_t n)
{
	return path_step(c, tok, n);
}

static size_t
path_push_index(struct vctx *c, int i)
{
	return path_step(c, NULL, (size_t)i);
}

static void
path_pop(struct vctx *c, size_t old)
{
	if (c->out)
		c->vp->nsegs = old;
}

/* an integer: no fraction once the exponent is applied ("1.0", "1e2"),
 * decided on the text whatever its length: the lowest decimal place
 * holding a non-zero digit, moved by the exponent, must not be below 0 */
static int
num_is_int(const struct jv *v)
{
	const char *p = v->u.s, *e = p + v->n, *q;
	long long place, minp = 0, ex = 0;
	int nonzero = 0, neg = 0;

	for (q = p; q < e && *q != '.' && *q != 'e' && *q != 'E'; q++)
		;
	if (q == e)
		return 1;
	if (p < e && *p == '-')
		p++;
	for (q = p; q < e && *q >= '0' && *q <= '9'; q++)
		;
	place = (long long)(q - p); /* digits before the point */
	for (; p < e && *p != 'e' && *p != 'E'; p++) {
		if (*p == '.')
			continue;
		place--;
		if (*p != '0') {
			nonzero = 1;
			minp = place;
		}
	}
	if (!nonzero)
		return 1; /* zero */
	if (p < e) {
		p++;
		if (p < e && (*p == '-' || *p == '+'))
			neg = *p++ == '-';
		for (; p < e; p++)
			if (ex < 1000000000)
				ex = ex * 10 + (*p - '0');
	}
	return minp + (neg ? -ex : ex) >= 0;
}

static unsigned
inst_type(const struct jv *j)
{
	switch (j->t) {
	case JV_NULL:
		return T_NULL;
	case JV_TRUE:
	case JV_FALSE:
		return T_BOOL;
	case JV_OBJ:
		return T_OBJ;
	case JV_ARR:
		return T_ARR;
	case JV_STR:
		return T_STR;
	case JV_NUM:
		return num_is_int(j) ? T_NUM | T_INT : T_NUM;
	}
	return 0;
}

static const char *
type_name(unsigned t)
{
	if (t & T_INT)
		return "integer";
	switch (t) {
	case T_NULL:
		return "null";
	case T_BOOL:
		return "boolean";
	case T_OBJ:
		return "object";
	case T_ARR:
		return "array";
	case T_NUM:
		return "number";
	case T_STR:
		return "string";
	}
	return "?";
}

static void
types_text(unsigned t, char *b, size_t n)
{
	static const unsigned order[] = { T_OBJ, T_ARR, T_STR, T_NUM, T_INT, T_BOOL, T_NULL };
	size_t i, o = 0;

	b[0] = '\0';
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (!(t & order[i]))
			continue;
		o += (size_t)snprintf(b + o, n - o, "%s%s", o ? " or " : "", type_name(order[i]));
		if (o >= n)
			return;
	}
}

static size_t
utf8_len(const char *p, size_t len)
{
	size_t n = 0;

	for (; len; p++, len--)
		n += ((unsigned char)*p & 0xC0) != 0x80;
	return n;
}

static int
re_match(struct vctx *c, pcre2_code *re, const char *s, size_t n)
{
	int rc;

	if (c->vp->md == NULL) {
		c->vp->md = pcre2_match_data_create(1, NULL);
		if (c->vp->md == NULL) {
			c->oom = 1;
			return 0;
		}
	}
	rc = pcre2_match(re, (PCRE2_SPTR)s, n, 0, 0, c->vp->md, NULL);
	return rc >= 0;
}

static int validate(struct vctx *c, const struct snode *n, const struct jv *j);

/* validate quietly: only the answer */
static int
check(struct vctx *c, const struct snode *n, const struct jv *j)
{
	int r;

	c->quiet++;
	r = validate(c, n, j);
	c->quiet--;
	return r;
}

/* clang-format off */
#define FAIL() do { ok = 0; if (c->quiet) return 0; } while (0)
#define FAILV() do { ok = 0; if (c->quiet) goto out; } while (0)
/* clang-format on */

static int
v_object(struct vctx *c, const struct snode *n, const struct jv *j)
{
	int ok = 1;
	size_t count = j->n, i;
	uint64_t seen = 0;
	int use_bits = n->nreq <= 64;
	uint32_t mi;

	for (mi = 0; mi < j->n; mi++) {
		const struct jv_kv *kv = &j->u.o[mi];
		const struct jv *m = &kv->v;
		const char *key = kv->k;
		size_t len = kv->kn, old;
		struct pentry *p = NULL;
		int matched = 0;

		if (n->nprops) {
			p = pentry_find(n, key, len, hash_bytes(key, len));
			if (p && p->req >= 0 && use_bits)
				seen |= (uint64_t)1 << p->req;
		}
		if (n->propnames) {
			struct jv k;

			memset(&k, 0, sizeof(k));
			k.t = JV_STR;
			k.u.s = key;
			k.n = (uint32_t)len;
			old = path_push(c, key, len);
			if (!check(c, n->propnames, &k)) {
				report(c, n, "propertyNames",
				       "property name \"%.*s\" is not allowed", (int)len, key);
				FAIL();
			}
			path_pop(c, old);
		}
		if ((p == NULL || p->schema == NULL) && n->npprops == 0 && n->addl == NULL)
			continue;
		old = path_push(c, key, len);
		if (p && p->schema) {
			matched = 1;
			if (!validate(c, p->schema, m)) {
				path_pop(c, old);
				FAIL();
			}
		}
		for (i = 0; i < n->npprops; i++) {
			if (re_match(c, n->pprops[i].re, key, len)) {
				matched = 1;
				if (!validate(c, n->pprops[i].schema, m)) {
					path_pop(c, old);
					FAIL();
				}
			}
		}
		if (!matched && n->addl) {
			if (n->addl->boolean == 0) {
				report(c, n, "additionalProperties", "property is not allowed");
				path_pop(c, old);
				FAIL();
			} else if (!validate(c, n->addl, m)) {
				path_pop(c, old);
				FAIL();
			}
		}
		path_pop(c, old);
	}
	if (n->nreq) {
		for (i = 0; i < n->nreq; i++) {
			const struct pentry *r = n->req[i];
			int have;

			if (use_bits)
				have = (seen >> i) & 1;
			else
				have = jv_obj_get(j, r->name, r->len) != NULL;
			if (!have) {
				size_t old = path_push(c, r->name, r->len);

				report(c, n, "required", "is required");
				path_pop(c, old);
				FAIL();
			}
		}
	}
	if ((n->flags & HAS_MINPROPS) && (double)count < n->minprops) {
		report(c, n, "minProperties", "has %zu properties, fewer than %.0f", count,
		       n->minprops);
		FAIL();
	}
	if ((n->flags & HAS_MAXPROPS) && (double)count > n->maxprops) {
		report(c, n, "maxProperties", "has %zu properties, more than %.0f", count,
		       n->maxprops);
		FAIL();
	}
	for (i = 0; i < n->ndeps; i++) {
		const struct dep *d = &n->deps[i];
		size_t k;

		if (jv_obj_get(j, d->name, d->len) == NULL)
			continue;
		if (d->schema) {
			if (!validate(c, d->schema, j))
				FAIL();
			continue;
		}
		for (k = 0; k < d->n; k++) {
			const struct jv *nm = &d->names[k];

			if (jv_obj_get(j, nm->u.s, nm->n) == NULL) {
				size_t old = path_push(c, nm->u.s, nm->n);

				report(c, n, "dependentRequired",
				       "is required when \"%s\" is present", d->name);
				path_pop(c, old);
				FAIL();
			}
		}
	}
	return ok;
}

static int
v_array(struct vctx *c, const struct snode *n, const struct jv *j)
{
	int ok = 1;
	uint32_t i, size = j->n, x;
	size_t old;

	if ((n->flags & HAS_MINITEMS) && (double)size < n->minitems) {
		report(c, n, "minItems", "has %u items, fewer than %.0f", size, n->minitems);
		FAIL();
	}
	if ((n->flags & HAS_MAXITEMS) && (double)size > n->maxitems) {
		report(c, n, "maxItems", "has %u items, more than %.0f", size, n->maxitems);
		FAIL();
	}
	if (n->prefix || n->items) {
		for (i = 0; i < size; i++) {
			const struct snode *sn = i < n->nprefix ? n->prefix[i] : n->items;

			if (sn == NULL)
				break; /* past the prefix, no "items" */
			old = path_push_index(c, (int)i);
			if (sn->boolean == 0 && sn == n->items) {
				report(c, n, "items", "item is not allowed (at most %zu)",
				       n->nprefix);
				path_pop(c, old);
				FAIL();
			} else if (!validate(c, sn, &j->u.a[i])) {
				path_pop(c, old);
				FAIL();
			}
			path_pop(c, old);
		}
	}
	if (n->contains) {
		double found = 0;
		double minc = (n->flags & HAS_MINCONT) ? n->mincont : 1;

		for (i = 0; i < size; i++)
			if (check(c, n->contains, &j->u.a[i]))
				found++;
		if (found < minc) {
			if (minc == 1)
				report(c, n, "contains", "has no item matching \"contains\"");
			else
				report(c, n, "minContains",
				       "has %.0f items matching \"contains\", fewer than %.0f",
				       found, minc);
			FAIL();
		}
		if ((n->flags & HAS_MAXCONT) && found > n->maxcont) {
			report(c, n, "maxContains",
			       "has %.0f items matching \"contains\", more than %.0f", found,
			       n->maxcont);
			FAIL();
		}
	}
	if (n->flags & HAS_UNIQUE) {
		for (i = 0; i < size; i++) {
			for (x = i + 1; x < size; x++) {
				if (jv_equal(&j->u.a[i], &j->u.a[x])) {
					report(c, n, "uniqueItems", "items %u and %u are equal", i,
					       x);
					FAIL();
					goto unique_done;
				}
			}
		}
	}
unique_done:
	return ok;
}

/* dec_parse's answer for plain text of at most 18 digits ("-12.34"),
 * without its generality; -1 for anything else */
static int
dec_quick(const char *p, size_t n, struct dec *d)
{
	const char *e = p + n;
	long long c = 0;
	int neg = 0, digits = 0, scale = 0, frac = 0;

	if (p < e && *p == '-') {
		neg = 1;
		p++;
	}
	for (; p < e; p++) {
		if (*p >= '0' && *p <= '9') {
			if (++digits > 18)
				return -1;
			c = c * 10 + (*p - '0');
			scale += frac;
		} else if (*p == '.' && !frac) {
			frac = 1;
		} else {
			return -1;
		}
	}
	if (digits == 0)
		return -1;
	d->coef = neg ? -(dec_int)c : (dec_int)c;
	d->scale = scale;
	return 0;
}

/* the instance number against a keyword's bound: <0, 0, >0, on the exact
 * decimals when both have one (d: the instance's), else on the doubles */
static int
bound_cmp(const struct dec *d, double v, const struct numkw *k)
{
	if (d && k->d_ok)
		return dec_cmp(d, &k->d);
	if (d)
		v = dec_to_double(d);
	if (v != k->v)
		return v < k->v ? -1 : 1; /* no NaN in JSON */
	return 0;
}

static int
v_number(struct vctx *c, const struct snode *n, const struct jv *j)
{
	struct dec d;
	double v;
	int ok = 1, d_ok;

	if (!(n->flags & (HAS_MIN | HAS_MAX | HAS_XMIN | HAS_XMAX | HAS_MULT)))
		return 1;
	/* the exact decimal when it has one (38 digits), else the double */
	d_ok = dec_quick(j->u.s, j->n, &d) == 0 || dec_parse(j->u.s, j->n, &d) == 0;
	v = d_ok ? 0 : jv_to_double(j);
	if ((n->flags & HAS_MIN) && bound_cmp(d_ok ? &d : NULL, v, &n->min) < 0) {
		report(c, n, "minimum", "must be >= %s", n->min.txt);
		FAIL();
	}
	if ((n->flags & HAS_MAX) && bound_cmp(d_ok ? &d : NULL, v, &n->max) > 0) {
		report(c, n, "maximum", "must be <= %s", n->max.txt);
		FAIL();
	}
	if ((n->flags & HAS_XMIN) && bound_cmp(d_ok ? &d : NULL, v, &n->xmin) <= 0) {
		report(c, n, "exclusiveMinimum", "must be > %s", n->xmin.txt);
		FAIL();
	}
	if ((n->flags & HAS_XMAX) && bound_cmp(d_ok ? &d : NULL, v, &n->xmax) >= 0) {
		report(c, n, "exclusiveMaximum", "must be < %s", n->xmax.txt);
		FAIL();
	}
	if (n->flags & HAS_MULT) {
		/* exactly, on the numbers' text; past what that can say (a
		 * divisor of more than 19 digits), on the decimals, then the
		 * doubles */
		int r = dec_text_is_multiple(j->u.s, j->n, n->mult.txt, strlen(n->mult.txt));

		if (r < 0 && n->multd_ok && d_ok)
			r = dec_is_multiple(&d, &n->multd);
		if (r < 0 && d_ok)
			v = dec_to_double(&d);
		if (r < 0) {
			/* beyond 38 digits: the quotient must be a finite integer */
			double q = v / n->mult.v;

			r = isfinite(q) && floor(q) == q;
		}
		if (!r) {
			report(c, n, "multipleOf", "is not a multiple of %s", n->mult.txt);
			FAIL();
		}
	}
	return ok;
}

static int
v_string(struct vctx *c, const struct snode *n, const struct jv *j)
{
	const char *s = j->u.s;
	size_t len = j->n, chars;
	int ok = 1;

	/* a string of len bytes has len/4 to len characters: count them
	 * only when that range does not settle it */
	if ((n->flags & HAS_MINLEN) && (double)((len + 3) / 4) < n->minlen) {
		chars = utf8_len(s, len);
		if ((double)chars < n->minlen) {
			report(c, n, "minLength", "is shorter than %.0f characters", n->minlen);
			FAIL();
		}
	}
	if ((n->flags & HAS_MAXLEN) && (double)len > n->maxlen) {
		chars = utf8_len(s, len);
		if ((double)chars > n->maxlen) {
			report(c, n, "maxLength", "is longer than %.0f characters", n->maxlen);
			FAIL();
		}
	}
	if (n->pattern.re && !re_match(c, n->pattern.re, s, len)) {
		report(c, n, "pattern", "does not match pattern \"%s\"", n->pattern.src);
		FAIL();
	}
	if (n->format && !schema_fmt_check(n->format, s, len)) {
		report(c, n, "format", "does not match format \"%s\"", n->format_name);
		FAIL();
	}
	return ok;
}

static int
v_ref(struct vctx *c, const struct snode *n, const struct snode *t, const struct jv *j)
{
	int i, r;

	for (i = c->nrefs - 1; i >= 0; i--) {
		if (c->refs[i].n == t && c->refs[i].j == j) {
			report(c, n, "$ref", "schema refers to itself without progress");
			return 0;
		}
	}
	if (c->nrefs == (int)(sizeof(c->refs) / sizeof(c->refs[0]))) {
		report(c, n, "$ref", "schema recursion too deep");
		return 0;
	}
	c->refs[c->nrefs].n = t;
	c->refs[c->nrefs].j = j;
	c->nrefs++;
	r = validate(c, t, j);
	c->nrefs--;
	return r;
}

/* the values as JSON, comma-separated, for a message: 0 if they do not
 * fit in n bytes (a long enum is better left unsaid) */
static int
values_text(const struct jv *v, size_t nv, char *out, size_t n)
{
	struct buf b = BUF_INIT;
	size_t i;
	int ok = 1;

	buf_init(&b, n);
	for (i = 0; i < nv && ok; i++)
		ok = (i == 0 || buf_add(&b, ", ", 2) == 0) && jv_emit(&b, &v[i]) == 0;
	if (ok && b.len < n)
		memcpy(out, buf_str(&b), b.len + 1);
	ok = ok && b.len < n;
	buf_release(&b);
	return ok;
}

static int
validate(struct vctx *c, const struct snode *n, const struct jv *j)
{
	char b[256];
	unsigned t;
	int ok = 1;
	size_t i;

	if (n->boolean >= 0) {
		if (!n->boolean)
			report(c, n, NULL, "no value is allowed here");
		return n->boolean;
	}
	if (c->depth >= MAX_DEPTH) {
		report(c, n, NULL, "schema recursion too deep");
		return 0;
	}
	if (n->errmsg && !c->quiet) {
		/* the schema's own words for whatever fails inside it */
		if (check(c, n, j))
			return 1;
		report(c, n, "errorMessage", "%s", n->errmsg);
		return 0;
	}
	c->depth++;
	t = inst_type(j);
	if (n->types && !(n->types & t) && !((n->types & T_NUM) && (t & T_NUM))) {
		char want[80];

		types_text(n->types, want, sizeof(want));
		report(c, n, "type", "expected %s, got %s", want, type_name(t & T_INT ? T_NUM : t));
		FAILV();
	}
	if (n->flags & HAS_CONST && !jv_equal(n->const_, j)) {
		if (!c->quiet && values_text(n->const_, 1, b, sizeof(b)))
			report(c, n, "const", "must be %s", b);
		else
			report(c, n, "const", "does not equal the constant");
		FAILV();
	}
	if (n->enum_) {
		int found = 0;

		for (i = 0; i < n->enum_->n && !found; i++)
			found = jv_equal(&n->enum_->u.a[i], j);
		if (!found) {
			if (!c->quiet && values_text(n->enum_->u.a, n->enum_->n, b, sizeof(b)))
				report(c, n, "enum", "must be one of %s", b);
			else
				report(c, n, "enum", "is not one of the allowed values");
			FAILV();
		}
	}
	switch (t & ~T_INT) {
	case T_OBJ:
		if (!v_object(c, n, j))
			FAILV();
		break;
	case T_ARR:
		if (!v_array(c, n, j))
			FAILV();
		break;
	case T_NUM:
		if (!v_number(c, n, j))
			FAILV();
		break;
	case T_STR:
		if (!v_string(c, n, j))
			FAILV();
		break;
	}
	if (n->ref && !v_ref(c, n, n->ref, j))
		FAILV();
	if (n->dynref && !v_ref(c, n, n->dynref, j))
		FAILV();
	for (i = 0; i < n->nallof; i++)
		if (!validate(c, n->allof[i], j))
			FAILV();
	if (n->nanyof) {
		int any = 0;

		for (i = 0; i < n->nanyof && !any; i++)
			any = check(c, n->anyof[i], j);
		if (!any) {
			report(c, n, "anyOf", "does not match any schema in anyOf");
			FAILV();
		}
	}
	if (n->noneof) {
		size_t cnt = 0, first = 0, second = 0;

		for (i = 0; i < n->noneof && cnt < 2; i++) {
			if (check(c, n->oneof[i], j)) {
				if (cnt++ == 0)
					first = i;
				else
					second = i;
			}
		}
		if (cnt == 0) {
			report(c, n, "oneOf", "does not match any schema in oneOf");
			FAILV();
		}
		if (cnt > 1) {
			report(c, n, "oneOf",
			       "matches oneOf schemas %zu and %zu, expected exactly one", first,
			       second);
			FAILV();
		}
	}
	if (n->not_ && check(c, n->not_, j)) {
		report(c, n, "not", "must not match the schema in \"not\"");
		FAILV();
	}
	if (n->if_ && (n->then_ || n->else_)) {
		if (check(c, n->if_, j)) {
			if (n->then_ && !validate(c, n->then_, j))
				FAILV();
		} else if (n->else_ && !validate(c, n->else_, j)) {
			FAILV();
		}
	}
out:
	c->depth--;
	return ok;
}

int
schema_validate_val(const struct schema *s, const struct jv *instance, struct schema_errors *out)
{
	struct vctx c;
	struct vpriv tmp;
	int r;
	size_t i;

	/* not memset: refs[] is 4 KiB, and only nrefs of it is read */
	c.nrefs = c.quiet = c.depth = c.oom = 0;
	c.out = NULL;
	memset(&tmp, 0, sizeof(tmp));
	if (out) {
		if (out->priv == NULL && (out->priv = calloc(1, sizeof(struct vpriv))) == NULL)
			return -1;
		c.vp = out->priv;
		c.vp->nsegs = 0;
		out->n = 0;
		out->dropped = 0;
		out->pool_len = 0;
		c.out = out;
	} else {
		c.vp = &tmp;
		c.quiet = 1;
	}
	r = validate(&c, s->root, instance);
	if (out == NULL && tmp.md)
		pcre2_match_data_free(tmp.md);
	if (c.oom)
		return -1;
	if (out) {
		if (!r && out->n == 0 && out->dropped == 0)
			report(&c, s->root, NULL, "is not valid");
		for (i = 0; i < out->n; i++) {
			out->v[i].path = out->pool + c.vp->offs[i].path;
			out->v[i].keyword = out->pool + c.vp->offs[i].kw;
			out->v[i].message = out->pool + c.vp->offs[i].msg;
		}
	}
	return r;
}

int
schema_validate(const struct schema *s, const char *text, size_t len, struct schema_errors *out)
{
	struct vpriv *vp, tmp;
	struct jv v;
	int r;

	if (out) {
		if (out->priv == NULL && (out->priv = calloc(1, sizeof(struct vpriv))) == NULL)
			return -1;
		vp = out->priv;
	} else {
		memset(&tmp, 0, sizeof(tmp));
		vp = &tmp;
	}
	arena_reset(&vp->A);
	vp->jp.A = &vp->A;
	if (jv_parse(&vp->jp, text, len, &v) < 0) {
		r = 0;
		if (out) {
			struct vctx c;
			char why[128];

			memset(&c, 0, sizeof(c));
			c.vp = vp;
			c.out = out;
			vp->nsegs = 0;
			out->n = out->dropped = out->pool_len = 0;
			snprintf(why, sizeof(why), "%s", vp->jp.err);
			report(&c, s->root, NULL, "not valid JSON: %s at byte %zu", why,
			       vp->jp.errpos + 1);
			if (c.oom)
				r = -1;
			else if (out->n) {
				out->v[0].path = out->pool + vp->offs[0].path;
				out->v[0].keyword = out->pool + vp->offs[0].kw;
				out->v[0].message = out->pool + vp->offs[0].msg;
			}
		}
	} else {
		r = schema_validate_val(s, &v, out);
	}
	if (out == NULL) {
		arena_free(&tmp.A);
		jv_parser_free(&tmp.jp);
	}
	return r;
}

int
schema_error_format(const struct schema_error *e, char *buf, size_t n)
{
	return snprintf(buf, n, "%s: %s", e->path[0] ? e->path : "(root)", e->message);
}
