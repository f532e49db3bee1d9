/*
 * schema.c - JSON Schema draft 2020-12: compile once, validate many.
 *
 * Compilation has two passes over every document (the root one and any
 * loaded by "$ref"):
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
#include "schema.h"
#include "schema_fmt.h"
#include "dec.h"

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

#define MAX_DEPTH 1000     /* validation recursion (schema x instance) */
#define MAX_DOCS 256       /* documents one schema may load */

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
	const char **names; /* dependentRequired */
	size_t n;
	struct snode *schema; /* dependentSchemas */
};

struct numkw {
	double v;
	const char *txt; /* for messages */
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
	int boolean; /* -1 object schema, 0 false, 1 true */
	const char *loc; /* "#/properties/x" */
	unsigned flags;
	unsigned types;
	const cJSON *enum_, *const_;
	struct snode *ref, *dynref;
	/* objects */
	struct pentry *props;
	size_t nprops;
	uint32_t *ptab; /* open addressing, index + 1; size ptab_mask + 1 */
	uint32_t ptab_mask;
	size_t nreq;
	const char **req; /* required names in order */
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
	/* applicators */
	struct snode **allof, **anyof, **oneof;
	size_t nallof, nanyof, noneof;
	struct snode *not_, *if_, *then_, *else_;
};

/* info recorded by the scan for each schema object (and boolean) */
struct info {
	const cJSON *json;
	const char *base;
	const char *loc;
	struct snode *node;
};

struct named {
	const char *uri;  /* resource URI, or URI#anchor */
	const cJSON *json;
};

struct schema {
	unsigned flags;
	struct schema_loader *loader;
	struct ep_err *err;
	/* everything allocated, freed together */
	void **allocs;
	size_t nallocs, capallocs;
	cJSON *docs[MAX_DOCS];
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
	if (s->nallocs == s->capallocs) {
		size_t nc = s->capallocs ? s->capallocs * 2 : 64;
		void **v = realloc(s->allocs, nc * sizeof(*v));

		if (v == NULL)
			goto oom;
		s->allocs = v;
		s->capallocs = nc;
	}
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

static char * __attribute__((format(printf, 2, 3)))
sprintf_s(struct schema *s, const char *fmt, ...)
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

static int __attribute__((format(printf, 2, 3)))
fail(struct schema *s, const char *fmt, ...)
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
		} else if ((n - i == 1 && in[i] == '.') || (n - i == 2 && memcmp(in + i, "..", 2) == 0)) {
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
	if (out == NULL || tmp == NULL)
		return NULL;
#define PUT(p, l) do { memcpy(out + o, (p), (l)); o += (l); } while (0)
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

static uint32_t
hash_bytes(const char *p, size_t n)
{
	uint32_t h = 2166136261u;

	while (n--) {
		h ^= (unsigned char)*p++;
		h *= 16777619u;
	}
	return h;
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
info_get(struct schema *s, const cJSON *j)
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
info_add(struct schema *s, const cJSON *j, const char *base, const char *loc)
{
	struct info *in = info_get(s, j);
	size_t h;

	if (in)
		return in;
	if (s->ninfos == s->capinfos) {
		size_t nc = s->capinfos ? s->capinfos * 2 : 128;
		struct info *v = realloc(s->infos, nc * sizeof(*v));

		if (v == NULL) {
			fail(s, "out of memory");
			return NULL;
		}
		s->infos = v;
		s->capinfos = nc;
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

static const cJSON *
name_get(struct schema *s, const char *uri)
{
	size_t i;

	for (i = 0; i < s->nnames; i++)
		if (strcmp(s->names[i].uri, uri) == 0)
			return s->names[i].json;
	return NULL;
}

static int
name_add(struct schema *s, const char *uri, const cJSON *j)
{
	if (name_get(s, uri))
		return 0; /* first one wins */
	if (s->nnames == s->capnames) {
		size_t nc = s->capnames ? s->capnames * 2 : 16;
		struct named *v = realloc(s->names, nc * sizeof(*v));

		if (v == NULL)
			return fail(s, "out of memory");
		s->names = v;
		s->capnames = nc;
	}
	s->names[s->nnames].uri = uri;
	s->names[s->nnames].json = j;
	s->nnames++;
	return 0;
}

/* ---- scan ---------------------------------------------------------- */

/* keywords whose value is a schema, an array of schemas, a map of schemas */
static const char *const kw_one[] = { "additionalProperties", "items", "contains",
	"propertyNames", "not", "if", "then", "else", "unevaluatedItems",
	"unevaluatedProperties", "contentSchema", NULL };
static const char *const kw_arr[] = { "allOf", "anyOf", "oneOf", "prefixItems", NULL };
static const char *const kw_map[] = { "$defs", "definitions", "properties",
	"patternProperties", "dependentSchemas", NULL };

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
scan(struct schema *s, const cJSON *j, const char *base, const char *loc, int depth)
{
	const cJSON *id, *a, *k;
	int i;

	if (s->failed)
		return -1;
	if (depth > 200)
		return fail(s, "schema nested too deeply at '%s'", loc);
	if (cJSON_IsBool(j)) {
		return info_add(s, j, base, loc) ? 0 : -1;
	}
	if (!cJSON_IsObject(j))
		return 0;
	id = cJSON_GetObjectItemCaseSensitive(j, "$id");
	if (cJSON_IsString(id)) {
		char *nb = uri_resolve(s, base, id->valuestring);

		if (nb == NULL)
			return -1;
		base = uri_nofrag(s, nb);
		if (base == NULL || name_add(s, base, j) < 0)
			return -1;
	}
	a = cJSON_GetObjectItemCaseSensitive(j, "$anchor");
	if (cJSON_IsString(a)) {
		char *u = sprintf_s(s, "%s#%s", base, a->valuestring);

		if (u == NULL || name_add(s, u, j) < 0)
			return -1;
	}
	a = cJSON_GetObjectItemCaseSensitive(j, "$dynamicAnchor");
	if (cJSON_IsString(a)) {
		char *u = sprintf_s(s, "%s#%s", base, a->valuestring);

		if (u == NULL || name_add(s, u, j) < 0)
			return -1;
	}
	if (info_add(s, j, base, loc) == NULL)
		return -1;
	cJSON_ArrayForEach(k, j) {
		const char *key = k->string;

		for (i = 0; kw_one[i]; i++)
			if (strcmp(key, kw_one[i]) == 0)
				scan(s, k, base, ptr_join(s, loc, key), depth + 1);
		for (i = 0; kw_arr[i]; i++)
			if (strcmp(key, kw_arr[i]) == 0 && cJSON_IsArray(k)) {
				const cJSON *e;
				int n = 0;
				char *l = ptr_join(s, loc, key);

				cJSON_ArrayForEach(e, k) {
					char num[24];

					snprintf(num, sizeof(num), "%d", n++);
					scan(s, e, base, l ? ptr_join(s, l, num) : NULL, depth + 1);
				}
			}
		for (i = 0; kw_map[i]; i++)
			if (strcmp(key, kw_map[i]) == 0 && cJSON_IsObject(k)) {
				const cJSON *e;
				char *l = ptr_join(s, loc, key);

				cJSON_ArrayForEach(e, k)
					scan(s, e, base, l ? ptr_join(s, l, e->string) : NULL, depth + 1);
			}
		if (s->failed)
			return -1;
	}
	return 0;
}

/* take ownership of doc, known by uri (no fragment) */
static int
add_doc(struct schema *s, cJSON *doc, const char *uri, const char *locprefix)
{
	if (s->ndocs >= MAX_DOCS) {
		cJSON_Delete(doc);
		return fail(s, "too many schema documents (more than %d)", MAX_DOCS);
	}
	s->docs[s->ndocs] = doc;
	s->docuri[s->ndocs] = uri;
	s->ndocs++;
	if (uri && name_add(s, uri, doc) < 0)
		return -1;
	return scan(s, doc, uri, locprefix, 0);
}

/* ---- loading ------------------------------------------------------- */

static char *
slurp(const char *path, size_t max, struct ep_err *err)
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
	return b;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* percent-decode in place */
static void
pct_decode(char *p)
{
	char *o = p;

	while (*p) {
		if (p[0] == '%' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
			*o++ = (char)(hexval(p[1]) * 16 + hexval(p[2]));
			p += 3;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
}

static cJSON *
load_uri(struct schema *s, const char *uri)
{
	cJSON *doc = NULL;
	struct ep_err e = EP_ERR_INIT;

	if (strncmp(uri, "file:", 5) == 0 && (s->flags & SCHEMA_NO_FILES)) {
		fail(s, "cannot resolve '%s': file references are turned off", uri);
		return NULL;
	}
	if (strncmp(uri, "file://", 7) == 0) {
		char *path = sstrdup(s, uri + 7), *text;

		if (path == NULL)
			return NULL;
		/* file://host/path: only an empty host (or localhost) */
		if (strncmp(path, "localhost/", 10) == 0)
			path += 9;
		pct_decode(path);
		if ((text = slurp(path, 64u << 20, &e)) == NULL) {
			fail(s, "%s", e.msg);
			if (s->err)
				s->err->code = e.code;
			return NULL;
		}
		doc = cJSON_Parse(text);
		free(text);
		if (doc == NULL)
			fail(s, "'%s': not valid JSON", path);
		return doc;
	}
	if (s->loader && s->loader->load) {
		doc = s->loader->load(s->loader->ctx, uri, &e);
		if (doc == NULL)
			fail(s, "cannot load '%s': %s", uri, e.msg[0] ? e.msg : "not found");
		return doc;
	}
	fail(s, "cannot resolve '%s': no loader for remote schemas", uri);
	return NULL;
}

/* ---- compile ------------------------------------------------------- */

static struct snode *compile_node(struct schema *s, const cJSON *j, const char *base,
	const char *loc);

static const cJSON *
walk_pointer(const cJSON *j, const char *ptr)
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
		if (cJSON_IsObject(j)) {
			j = cJSON_GetObjectItemCaseSensitive(j, tok);
		} else if (cJSON_IsArray(j)) {
			char *end;
			long i;

			if (n == 0 || (n > 1 && tok[0] == '0'))
				return NULL;
			errno = 0;
			i = strtol(tok, &end, 10);
			if (*end || errno || i < 0 || i > INT_MAX)
				return NULL;
			j = cJSON_GetArrayItem(j, (int)i);
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
	const cJSON *root, *t;
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
		cJSON *doc = load_uri(s, res);

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
get_nonneg(struct schema *s, const cJSON *k, const char *loc, double *out)
{
	if (!cJSON_IsNumber(k) || k->valuedouble < 0 || floor(k->valuedouble) != k->valuedouble)
		return fail(s, "%s/%s: must be a non-negative integer", loc, k->string);
	*out = k->valuedouble;
	return 0;
}

static int
get_num(struct schema *s, const cJSON *k, const char *loc, struct numkw *out)
{
	struct dec d;
	char b[DEC_STRLEN];

	if (!cJSON_IsNumber(k))
		return fail(s, "%s/%s: must be a number", loc, k->string);
	out->v = k->valuedouble;
	if (dec_from_double(k->valuedouble, &d) == 0 && dec_format(&d, b, sizeof(b)) >= 0)
		out->txt = sstrdup(s, b);
	else
		out->txt = sprintf_s(s, "%.17g", k->valuedouble);
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
	re = pcre2_compile((PCRE2_SPTR)t, PCRE2_ZERO_TERMINATED, schema_regex_options(), &ec, &eo, cc);
	pcre2_compile_context_free(cc);
	free(t);
	if (re == NULL) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(ec, msg, sizeof(msg));
		fail(s, "%s: bad pattern '%s' at offset %zu: %s", loc, src, (size_t)eo, (char *)msg);
		return NULL;
	}
	pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* optional speed-up */
	if (s->ncodes == s->capcodes) {
		size_t nc = s->capcodes ? s->capcodes * 2 : 16;
		pcre2_code **v = realloc(s->codes, nc * sizeof(*v));

		if (v == NULL) {
			pcre2_code_free(re);
			fail(s, "out of memory");
			return NULL;
		}
		s->codes = v;
		s->capcodes = nc;
	}
	s->codes[s->ncodes++] = re;
	return re;
}

/* subschema of node (base, loc) under keyword key */
static struct snode *
sub(struct schema *s, const cJSON *j, const char *base, const char *loc)
{
	struct info *in = info_get(s, j);

	if (!cJSON_IsObject(j) && !cJSON_IsBool(j)) {
		fail(s, "%s: not a schema", loc ? loc : "?");
		return NULL;
	}
	if (in)
		return compile_node(s, j, in->base, in->loc);
	return compile_node(s, j, base, loc);
}

static struct snode **
sub_array(struct schema *s, const cJSON *k, const char *base, const char *loc, size_t *n)
{
	struct snode **v;
	const cJSON *e;
	size_t i = 0;
	char *l = ptr_join(s, loc, k->string);

	if (!cJSON_IsArray(k) || cJSON_GetArraySize(k) == 0) {
		fail(s, "%s/%s: must be a non-empty array of schemas", loc, k->string);
		return NULL;
	}
	*n = (size_t)cJSON_GetArraySize(k);
	v = salloc(s, *n * sizeof(*v));
	if (v == NULL || l == NULL)
		return NULL;
	cJSON_ArrayForEach(e, k) {
		char num[24];

		snprintf(num, sizeof(num), "%zu", i);
		if ((v[i++] = sub(s, e, base, ptr_join(s, l, num))) == NULL)
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

static int
build_props(struct schema *s, struct snode *n, const cJSON *props, const cJSON *req,
	const char *base, const char *loc)
{
	size_t cap = 0, i, size;
	const cJSON *e;
	char *l = NULL;

	if (props && !cJSON_IsObject(props))
		return fail(s, "%s/properties: must be an object", loc);
	if (req && !cJSON_IsArray(req))
		return fail(s, "%s/required: must be an array of strings", loc);
	cap = (size_t)(props ? cJSON_GetArraySize(props) : 0) +
		(size_t)(req ? cJSON_GetArraySize(req) : 0);
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
		cJSON_ArrayForEach(e, props) {
			size_t len = strlen(e->string);
			uint32_t h = hash_bytes(e->string, len);
			struct pentry *p = pentry_find(n, e->string, len, h);
			struct snode *sn = sub(s, e, base, l ? ptr_join(s, l, e->string) : NULL);

			if (sn == NULL)
				return -1;
			if (p) {
				p->schema = sn; /* duplicate key: last wins, like cJSON lookups */
				continue;
			}
			p = &n->props[n->nprops];
			p->name = e->string;
			p->len = len;
			p->hash = h;
			p->schema = sn;
			p->req = -1;
			for (i = h & n->ptab_mask; n->ptab[i]; i = (i + 1) & n->ptab_mask)
				;
			n->ptab[i] = (uint32_t)++n->nprops;
		}
	}
	if (req) {
		n->req = salloc(s, (size_t)cJSON_GetArraySize(req) * sizeof(*n->req) + 1);
		if (n->req == NULL)
			return -1;
		cJSON_ArrayForEach(e, req) {
			size_t len;
			uint32_t h;
			struct pentry *p;

			if (!cJSON_IsString(e))
				return fail(s, "%s/required: must be an array of strings", loc);
			len = strlen(e->valuestring);
			h = hash_bytes(e->valuestring, len);
			p = pentry_find(n, e->valuestring, len, h);
			if (p && p->req >= 0)
				continue; /* listed twice */
			if (p == NULL) {
				p = &n->props[n->nprops];
				p->name = e->valuestring;
				p->len = len;
				p->hash = h;
				p->schema = NULL;
				for (i = h & n->ptab_mask; n->ptab[i]; i = (i + 1) & n->ptab_mask)
					;
				n->ptab[i] = (uint32_t)++n->nprops;
			}
			p->req = (int)n->nreq;
			n->req[n->nreq++] = p->name;
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
	} tt[] = { { "null", T_NULL }, { "boolean", T_BOOL }, { "object", T_OBJ },
		{ "array", T_ARR }, { "number", T_NUM }, { "string", T_STR },
		{ "integer", T_INT } };
	size_t i;

	for (i = 0; i < sizeof(tt) / sizeof(tt[0]); i++)
		if (strcmp(t, tt[i].name) == 0)
			return tt[i].bit;
	return 0;
}

static struct snode *
compile_node(struct schema *s, const cJSON *j, const char *base, const char *loc)
{
	struct info *in;
	struct snode *n;
	const cJSON *k, *props = NULL, *req = NULL;
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
	if (cJSON_IsBool(j)) {
		n->boolean = cJSON_IsTrue(j);
		return n;
	}
	if (!cJSON_IsObject(j)) {
		fail(s, "%s: a schema must be an object or a boolean", loc);
		return NULL;
	}
	n->boolean = -1;
	cJSON_ArrayForEach(k, j) {
		const char *key = k->string;

		if (s->failed)
			return NULL;
		switch (key[0]) {
		case '$':
			if (strcmp(key, "$ref") == 0 || strcmp(key, "$dynamicRef") == 0) {
				struct snode *t;

				if (!cJSON_IsString(k)) {
					fail(s, "%s/%s: must be a string", loc, key);
					return NULL;
				}
				t = resolve_ref(s, base, k->valuestring, loc);
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
				n->allof = sub_array(s, k, base, loc, &n->nallof);
			else if (strcmp(key, "anyOf") == 0)
				n->anyof = sub_array(s, k, base, loc, &n->nanyof);
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
			if (strcmp(key, "dependentRequired") == 0 || strcmp(key, "dependentSchemas") == 0) {
				const cJSON *e;
				int sch = key[9] == 'S';
				size_t m = (size_t)cJSON_GetArraySize(k), i = 0;
				struct dep *d;

				if (!cJSON_IsObject(k)) {
					fail(s, "%s/%s: must be an object", loc, key);
					return NULL;
				}
				d = salloc(s, (n->ndeps + m) * sizeof(*d));
				if (d == NULL)
					return NULL;
				if (n->ndeps)
					memcpy(d, n->deps, n->ndeps * sizeof(*d));
				n->deps = d;
				l = ptr_join(s, loc, key);
				cJSON_ArrayForEach(e, k) {
					struct dep *p = &n->deps[n->ndeps++];

					p->name = e->string;
					if (sch) {
						p->schema = sub(s, e, base, l ? ptr_join(s, l, e->string) : NULL);
						continue;
					}
					if (!cJSON_IsArray(e)) {
						fail(s, "%s/%s: must be an array of strings", l, e->string);
						return NULL;
					}
					p->names = salloc(s, (size_t)cJSON_GetArraySize(e) * sizeof(char *) + 1);
					if (p->names == NULL)
						return NULL;
					{
						const cJSON *x;

						i = 0;
						cJSON_ArrayForEach(x, e) {
							if (!cJSON_IsString(x)) {
								fail(s, "%s/%s: must be an array of strings", l, e->string);
								return NULL;
							}
							p->names[i++] = x->valuestring;
						}
						p->n = i;
					}
				}
			}
			break;
		case 'e':
			if (strcmp(key, "enum") == 0) {
				if (!cJSON_IsArray(k)) {
					fail(s, "%s/enum: must be an array", loc);
					return NULL;
				}
				n->enum_ = k;
			} else if (strcmp(key, "exclusiveMinimum") == 0) {
				get_num(s, k, loc, &n->xmin);
				n->flags |= HAS_XMIN;
			} else if (strcmp(key, "exclusiveMaximum") == 0) {
				get_num(s, k, loc, &n->xmax);
				n->flags |= HAS_XMAX;
			} else if (strcmp(key, "else") == 0) {
				n->else_ = sub(s, k, base, ptr_join(s, loc, key));
			}
			break;
		case 'f':
			if (strcmp(key, "format") == 0 && cJSON_IsString(k)) {
				n->format_name = k->valuestring;
				if (s->flags & SCHEMA_FORMAT_ASSERT)
					n->format = schema_fmt_lookup(k->valuestring);
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
				get_num(s, k, loc, &n->min);
				n->flags |= HAS_MIN;
			} else if (strcmp(key, "maximum") == 0) {
				get_num(s, k, loc, &n->max);
				n->flags |= HAS_MAX;
			} else if (strcmp(key, "multipleOf") == 0) {
				if (get_num(s, k, loc, &n->mult) < 0)
					return NULL;
				if (n->mult.v <= 0) {
					fail(s, "%s/multipleOf: must be greater than 0", loc);
					return NULL;
				}
				n->multd_ok = dec_from_double(n->mult.v, &n->multd) == 0;
				if (n->multd_ok)
					dec_normalize(&n->multd, &n->multd);
				n->flags |= HAS_MULT;
			} else if (strcmp(key, "minLength") == 0) {
				get_nonneg(s, k, loc, &n->minlen);
				n->flags |= HAS_MINLEN;
			} else if (strcmp(key, "maxLength") == 0) {
				get_nonneg(s, k, loc, &n->maxlen);
				n->flags |= HAS_MAXLEN;
			} else if (strcmp(key, "minItems") == 0) {
				get_nonneg(s, k, loc, &n->minitems);
				n->flags |= HAS_MINITEMS;
			} else if (strcmp(key, "maxItems") == 0) {
				get_nonneg(s, k, loc, &n->maxitems);
				n->flags |= HAS_MAXITEMS;
			} else if (strcmp(key, "minProperties") == 0) {
				get_nonneg(s, k, loc, &n->minprops);
				n->flags |= HAS_MINPROPS;
			} else if (strcmp(key, "maxProperties") == 0) {
				get_nonneg(s, k, loc, &n->maxprops);
				n->flags |= HAS_MAXPROPS;
			} else if (strcmp(key, "minContains") == 0) {
				get_nonneg(s, k, loc, &n->mincont);
				n->flags |= HAS_MINCONT;
			} else if (strcmp(key, "maxContains") == 0) {
				get_nonneg(s, k, loc, &n->maxcont);
				n->flags |= HAS_MAXCONT;
			}
			break;
		case 'n':
			if (strcmp(key, "not") == 0)
				n->not_ = sub(s, k, base, ptr_join(s, loc, key));
			break;
		case 'o':
			if (strcmp(key, "oneOf") == 0)
				n->oneof = sub_array(s, k, base, loc, &n->noneof);
			break;
		case 'p':
			if (strcmp(key, "properties") == 0) {
				props = k;
			} else if (strcmp(key, "pattern") == 0) {
				if (!cJSON_IsString(k)) {
					fail(s, "%s/pattern: must be a string", loc);
					return NULL;
				}
				n->pattern.src = k->valuestring;
				n->pattern.re = compile_re(s, k->valuestring, loc);
				s->npatterns++;
			} else if (strcmp(key, "patternProperties") == 0) {
				const cJSON *e;
				size_t i = 0;

				if (!cJSON_IsObject(k)) {
					fail(s, "%s/patternProperties: must be an object", loc);
					return NULL;
				}
				n->npprops = (size_t)cJSON_GetArraySize(k);
				n->pprops = salloc(s, n->npprops * sizeof(*n->pprops) + 1);
				l = ptr_join(s, loc, key);
				if (n->pprops == NULL || l == NULL)
					return NULL;
				cJSON_ArrayForEach(e, k) {
					n->pprops[i].src = e->string;
					n->pprops[i].re = compile_re(s, e->string, l);
					n->pprops[i].schema = sub(s, e, base, ptr_join(s, l, e->string));
					i++;
					s->npatterns++;
				}
			} else if (strcmp(key, "prefixItems") == 0) {
				n->prefix = sub_array(s, k, base, loc, &n->nprefix);
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
				if (cJSON_IsString(k)) {
					n->types = type_bit(k->valuestring);
				} else if (cJSON_IsArray(k)) {
					const cJSON *e;

					cJSON_ArrayForEach(e, k) {
						if (!cJSON_IsString(e) || type_bit(e->valuestring) == 0) {
							fail(s, "%s/type: unknown type", loc);
							return NULL;
						}
						n->types |= type_bit(e->valuestring);
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
				if (!cJSON_IsBool(k)) {
					fail(s, "%s/uniqueItems: must be a boolean", loc);
					return NULL;
				}
				if (cJSON_IsTrue(k))
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
	for (i = 0; i < s->ndocs; i++)
		cJSON_Delete(s->docs[i]);
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
schema_compile_ex(const cJSON *doc, const char *base, struct schema_loader *loader,
	unsigned flags, struct ep_err *err)
{
	struct schema *s = calloc(1, sizeof(*s));
	cJSON *copy;
	char *b;

	if (s == NULL) {
		ep_errf(err, EP_SOFTWARE, "out of memory");
		return NULL;
	}
	s->flags = flags;
	s->loader = loader;
	s->err = err;
	if (doc == NULL) {
		fail(s, "no schema");
		goto bad;
	}
	/* without a location, a stand-in base keeps relative "$id"s resolvable */
	b = base_uri(s, base ? base : "erpipe:/schema.json");
	if (b == NULL)
		goto bad;
	if (b)
		b = uri_nofrag(s, b);
	if ((copy = cJSON_Duplicate(doc, 1)) == NULL) {
		fail(s, "out of memory");
		goto bad;
	}
	if (add_doc(s, copy, b, "#") < 0)
		goto bad;
	{
		struct info *in = info_get(s, copy);
		const char *rb = in ? in->base : b;

		s->root = compile_node(s, copy, rb, "#");
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
schema_compile(const cJSON *doc, const char *base, struct schema_loader *loader,
	struct ep_err *err)
{
	return schema_compile_ex(doc, base, loader, SCHEMA_FORMAT_ASSERT, err);
}

struct schema *
schema_compile_file(const char *path, struct schema_loader *loader, struct ep_err *err)
{
	char *text = slurp(path, 64u << 20, err);
	cJSON *doc;
	struct schema *s;

	if (text == NULL)
		return NULL;
	doc = cJSON_Parse(text);
	free(text);
	if (doc == NULL) {
		ep_errf(err, EP_DATAERR, "'%s': not valid JSON", path);
		return NULL;
	}
	s = schema_compile(doc, path, loader, err);
	cJSON_Delete(doc);
	if (s == NULL)
		ep_err_prefix(err, "%s", path);
	return s;
}

/* ---- validation ---------------------------------------------------- */

struct eoff {
	size_t path, kw, msg;
};

struct vpriv {
	char *path;
	size_t plen, pcap;
	pcre2_match_data *md;
	struct eoff *offs;
	size_t noffs;
};

struct vctx {
	/* the $ref targets being applied, with their instances: the same pair
	 * twice on the stack is a loop that would never end */
	struct {
		const struct snode *n;
		const cJSON *j;
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
		free(vp->path);
		if (vp->md)
			pcre2_match_data_free(vp->md);
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
	if (e->pool_len + n + 1 > e->pool_cap) {
		size_t nc = e->pool_cap ? e->pool_cap : 1024;
		char *np;

		while (nc < e->pool_len + n + 1)
			nc *= 2;
		if ((np = realloc(e->pool, nc)) == NULL)
			return -1;
		e->pool = np;
		e->pool_cap = nc;
	}
	*off = e->pool_len;
	memcpy(e->pool + e->pool_len, p, n);
	e->pool[e->pool_len + n] = '\0';
	e->pool_len += n + 1;
	return 0;
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
	if (pool_add(e, vp->path ? vp->path : "", vp->plen, &o.path) < 0 ||
		pool_add(e, kwb, strlen(kwb), &o.kw) < 0 ||
		pool_add(e, msg, strlen(msg), &o.msg) < 0) {
		c->oom = 1;
		return;
	}
	vp->offs[e->n] = o;
	e->n++;
}

/* push a path token; returns the length to pop back to */
static size_t
path_push(struct vctx *c, const char *tok, size_t n)
{
	struct vpriv *vp = c->vp;
	size_t old = vp->plen, i, need = vp->plen + 1 + 2 * n + 1;

	if (c->out == NULL)
		return old; /* nobody will read the path */
	if (need > vp->pcap) {
		size_t nc = vp->pcap ? vp->pcap : 256;
		char *np;

		while (nc < need)
			nc *= 2;
		if ((np = realloc(vp->path, nc)) == NULL) {
			c->oom = 1;
			return old;
		}
		vp->path = np;
		vp->pcap = nc;
	}
	vp->path[vp->plen++] = '/';
	for (i = 0; i < n; i++) {
		if (tok[i] == '~') {
			vp->path[vp->plen++] = '~';
			vp->path[vp->plen++] = '0';
		} else if (tok[i] == '/') {
			vp->path[vp->plen++] = '~';
			vp->path[vp->plen++] = '1';
		} else {
			vp->path[vp->plen++] = tok[i];
		}
	}
	vp->path[vp->plen] = '\0';
	return old;
}

static size_t
path_push_index(struct vctx *c, int i)
{
	char b[24];
	int n = snprintf(b, sizeof(b), "%d", i);

	return path_push(c, b, (size_t)n);
}

static void
path_pop(struct vctx *c, size_t old)
{
	if (c->vp->path) {
		c->vp->plen = old;
		c->vp->path[old] = '\0';
	}
}

static int json_equal(const cJSON *a, const cJSON *b);

static int
num_equal(double a, double b)
{
	return a == b;
}

static int
json_equal(const cJSON *a, const cJSON *b)
{
	const cJSON *x, *y;
	int na, nb;

	if (cJSON_IsNumber(a) && cJSON_IsNumber(b))
		return num_equal(a->valuedouble, b->valuedouble);
	if ((a->type & 0xff) != (b->type & 0xff))
		return 0;
	switch (a->type & 0xff) {
	case cJSON_String:
		return strcmp(a->valuestring, b->valuestring) == 0;
	case cJSON_Array:
		for (x = a->child, y = b->child; x && y; x = x->next, y = y->next)
			if (!json_equal(x, y))
				return 0;
		return x == NULL && y == NULL;
	case cJSON_Object:
		na = cJSON_GetArraySize(a);
		nb = cJSON_GetArraySize(b);
		if (na != nb)
			return 0;
		cJSON_ArrayForEach(x, a) {
			y = cJSON_GetObjectItemCaseSensitive(b, x->string);
			if (y == NULL || !json_equal(x, y))
				return 0;
		}
		return 1;
	default:
		return 1; /* null, true, false */
	}
}

static unsigned
inst_type(const cJSON *j)
{
	switch (j->type & 0xff) {
	case cJSON_NULL:
		return T_NULL;
	case cJSON_True:
	case cJSON_False:
		return T_BOOL;
	case cJSON_Object:
		return T_OBJ;
	case cJSON_Array:
		return T_ARR;
	case cJSON_String:
		return T_STR;
	case cJSON_Number:
		if (isfinite(j->valuedouble) && floor(j->valuedouble) == j->valuedouble)
			return T_NUM | T_INT;
		return T_NUM;
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
utf8_len(const char *p)
{
	size_t n = 0;

	for (; *p; p++)
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

static int validate(struct vctx *c, const struct snode *n, const cJSON *j);

/* validate quietly: only the answer */
static int
check(struct vctx *c, const struct snode *n, const cJSON *j)
{
	int r;

	c->quiet++;
	r = validate(c, n, j);
	c->quiet--;
	return r;
}

#define FAIL() do { ok = 0; if (c->quiet) return 0; } while (0)
#define FAILV() do { ok = 0; if (c->quiet) goto out; } while (0)

static int
v_object(struct vctx *c, const struct snode *n, const cJSON *j)
{
	const cJSON *m;
	int ok = 1;
	size_t count = 0, i;
	uint64_t seen = 0;
	int use_bits = n->nreq <= 64;

	cJSON_ArrayForEach(m, j) {
		const char *key = m->string;
		size_t len = strlen(key), old;
		struct pentry *p = NULL;
		int matched = 0;

		count++;
		if (n->nprops) {
			p = pentry_find(n, key, len, hash_bytes(key, len));
			if (p && p->req >= 0 && use_bits)
				seen |= (uint64_t)1 << p->req;
		}
		if (n->propnames) {
			cJSON k;

			memset(&k, 0, sizeof(k));
			k.type = cJSON_String;
			k.valuestring = (char *)key;
			old = path_push(c, key, len);
			if (!check(c, n->propnames, &k)) {
				report(c, n, "propertyNames", "property name \"%s\" is not allowed", key);
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
			int have;

			if (use_bits)
				have = (seen >> i) & 1;
			else
				have = cJSON_GetObjectItemCaseSensitive(j, n->req[i]) != NULL;
			if (!have) {
				size_t old = path_push(c, n->req[i], strlen(n->req[i]));

				report(c, n, "required", "is required");
				path_pop(c, old);
				FAIL();
			}
		}
	}
	if ((n->flags & HAS_MINPROPS) && (double)count < n->minprops) {
		report(c, n, "minProperties", "has %zu properties, fewer than %.0f", count, n->minprops);
		FAIL();
	}
	if ((n->flags & HAS_MAXPROPS) && (double)count > n->maxprops) {
		report(c, n, "maxProperties", "has %zu properties, more than %.0f", count, n->maxprops);
		FAIL();
	}
	for (i = 0; i < n->ndeps; i++) {
		const struct dep *d = &n->deps[i];
		size_t k;

		if (cJSON_GetObjectItemCaseSensitive(j, d->name) == NULL)
			continue;
		if (d->schema) {
			if (!validate(c, d->schema, j))
				FAIL();
			continue;
		}
		for (k = 0; k < d->n; k++) {
			if (cJSON_GetObjectItemCaseSensitive(j, d->names[k]) == NULL) {
				size_t old = path_push(c, d->names[k], strlen(d->names[k]));

				report(c, n, "dependentRequired", "is required when \"%s\" is present",
					d->name);
				path_pop(c, old);
				FAIL();
			}
		}
	}
	return ok;
}

static int
v_array(struct vctx *c, const struct snode *n, const cJSON *j)
{
	const cJSON *m, *x;
	int ok = 1, i = 0, size = cJSON_GetArraySize(j);
	size_t old;

	if ((n->flags & HAS_MINITEMS) && (double)size < n->minitems) {
		report(c, n, "minItems", "has %d items, fewer than %.0f", size, n->minitems);
		FAIL();
	}
	if ((n->flags & HAS_MAXITEMS) && (double)size > n->maxitems) {
		report(c, n, "maxItems", "has %d items, more than %.0f", size, n->maxitems);
		FAIL();
	}
	if (n->prefix || n->items) {
		cJSON_ArrayForEach(m, j) {
			const struct snode *sn = (size_t)i < n->nprefix ? n->prefix[i] : n->items;

			if (sn) {
				old = path_push_index(c, i);
				if (sn->boolean == 0 && sn == n->items) {
					report(c, n, "items", "item is not allowed (at most %zu)", n->nprefix);
					path_pop(c, old);
					FAIL();
				} else if (!validate(c, sn, m)) {
					path_pop(c, old);
					FAIL();
				}
				path_pop(c, old);
			} else if ((size_t)i >= n->nprefix) {
				break;
			}
			i++;
		}
	}
	if (n->contains) {
		double found = 0;
		double minc = (n->flags & HAS_MINCONT) ? n->mincont : 1;

		cJSON_ArrayForEach(m, j) {
			if (check(c, n->contains, m))
				found++;
		}
		if (found < minc) {
			if (minc == 1)
				report(c, n, "contains", "has no item matching \"contains\"");
			else
				report(c, n, "minContains", "has %.0f items matching \"contains\", fewer than %.0f",
					found, minc);
			FAIL();
		}
		if ((n->flags & HAS_MAXCONT) && found > n->maxcont) {
			report(c, n, "maxContains", "has %.0f items matching \"contains\", more than %.0f",
				found, n->maxcont);
			FAIL();
		}
	}
	if (n->flags & HAS_UNIQUE) {
		int a = 0;

		cJSON_ArrayForEach(m, j) {
			int b = a + 1;

			for (x = m->next; x; x = x->next, b++) {
				if (json_equal(m, x)) {
					report(c, n, "uniqueItems", "items %d and %d are equal", a, b);
					FAIL();
					goto unique_done;
				}
			}
			a++;
		}
	}
unique_done:
	return ok;
}

/* multipleOf without text: when |v| * 10^scale < 2^52 the decimal with at
 * most `scale` places that rounds to v is unique if it exists; v is a
 * multiple iff that decimal exists and its coefficient is a multiple of
 * the divisor's.  -1 when out of the fast path's range. */
static int
mult_fast(const struct snode *n, double v)
{
	static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
		1e11, 1e12, 1e13, 1e14, 1e15 };
	double p, x;
	long long r, k, m;

	if (!n->multd_ok || n->multd.scale > 15 || n->multd.coef > ((dec_int)1 << 52))
		return -1;
	p = p10[n->multd.scale];
	x = v * p;
	if (!(fabs(x) < 4503599627370496.0)) /* 2^52 */
		return -1;
	r = llround(x);
	m = (long long)n->multd.coef;
	for (k = r - 1; k <= r + 1; k++) {
		if ((double)k / p == v)
			return k % m == 0;
	}
	return 0;
}

static int
v_number(struct vctx *c, const struct snode *n, const cJSON *j)
{
	double v = j->valuedouble;
	int ok = 1;

	if ((n->flags & HAS_MIN) && !(v >= n->min.v)) {
		report(c, n, "minimum", "must be >= %s", n->min.txt);
		FAIL();
	}
	if ((n->flags & HAS_MAX) && !(v <= n->max.v)) {
		report(c, n, "maximum", "must be <= %s", n->max.txt);
		FAIL();
	}
	if ((n->flags & HAS_XMIN) && !(v > n->xmin.v)) {
		report(c, n, "exclusiveMinimum", "must be > %s", n->xmin.txt);
		FAIL();
	}
	if ((n->flags & HAS_XMAX) && !(v < n->xmax.v)) {
		report(c, n, "exclusiveMaximum", "must be < %s", n->xmax.txt);
		FAIL();
	}
	if (n->flags & HAS_MULT) {
		struct dec d;
		int r = -1;

		r = mult_fast(n, v);
		if (r < 0 && n->multd_ok && dec_from_double(v, &d) == 0)
			r = dec_is_multiple(&d, &n->multd);
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
v_string(struct vctx *c, const struct snode *n, const cJSON *j)
{
	const char *s = j->valuestring;
	size_t len = strlen(s), chars;
	int ok = 1;

	if (n->flags & (HAS_MINLEN | HAS_MAXLEN)) {
		chars = utf8_len(s);
		if ((n->flags & HAS_MINLEN) && (double)chars < n->minlen) {
			report(c, n, "minLength", "is shorter than %.0f characters", n->minlen);
			FAIL();
		}
		if ((n->flags & HAS_MAXLEN) && (double)chars > n->maxlen) {
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
v_ref(struct vctx *c, const struct snode *n, const struct snode *t, const cJSON *j)
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

static int
validate(struct vctx *c, const struct snode *n, const cJSON *j)
{
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
	c->depth++;
	t = inst_type(j);
	if (n->types && !(n->types & t) && !((n->types & T_NUM) && (t & T_NUM))) {
		char want[80];

		types_text(n->types, want, sizeof(want));
		report(c, n, "type", "expected %s, got %s", want, type_name(t & T_INT ? T_NUM : t));
		FAILV();
	}
	if (n->flags & HAS_CONST && !json_equal(n->const_, j)) {
		report(c, n, "const", "does not equal the constant");
		FAILV();
	}
	if (n->enum_) {
		const cJSON *e;
		int found = 0;

		cJSON_ArrayForEach(e, n->enum_) {
			if (json_equal(e, j)) {
				found = 1;
				break;
			}
		}
		if (!found) {
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
			report(c, n, "oneOf", "matches oneOf schemas %zu and %zu, expected exactly one",
				first, second);
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
schema_validate(const struct schema *s, const cJSON *instance, struct schema_errors *out)
{
	struct vctx c;
	struct vpriv tmp;
	int r;
	size_t i;

	memset(&c, 0, sizeof(c));
	memset(&tmp, 0, sizeof(tmp));
	if (out) {
		if (out->priv == NULL && (out->priv = calloc(1, sizeof(struct vpriv))) == NULL)
			return -1;
		c.vp = out->priv;
		c.vp->plen = 0;
		if (c.vp->path)
			c.vp->path[0] = '\0';
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
schema_error_format(const struct schema_error *e, char *buf, size_t n)
{
	return snprintf(buf, n, "%s: %s", e->path[0] ? e->path : "(root)", e->message);
}
