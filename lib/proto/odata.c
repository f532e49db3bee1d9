#include "proto/odata.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "stream/json.h"
#include "stream/json_tree.h"
#include "base/text.h"
#include "proto/xml.h"

/* ---- URLs ------------------------------------------------------------------ */

int
odata_pct(struct buf *b, const char *s, size_t n, enum odata_pct_mode mode)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *keep = mode == ODATA_PATH ? "-._~'()=,:@!$*+;" : "-._~'(),:@!$*/?";

	if (mode == ODATA_RAW)
		return buf_add(b, s, n);

	if (buf_grow(b, n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isalnum(c) || (c != 0 && c < 0x80 && strchr(keep, c))) {
			if (buf_addc(b, c) < 0)
				return -1;
		} else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };
			if (buf_add(b, e, 3) < 0)
				return -1;
		}
	}
	return 0;
}

/* 'text' with the quotes inside doubled, percent-encoded for a path */
static int
quoted_pct(struct buf *b, const char *s, size_t n, enum odata_pct_mode mode)
{
	if (buf_addc(b, '\'') < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		size_t j = i;
		while (j < n && s[j] != '\'')
			j++;
		if (odata_pct(b, s + i, j - i, mode) < 0)
			return -1;
		if (j < n && buf_adds(b, "''") < 0)
			return -1;
		i = j;
	}
	return buf_addc(b, '\'');
}

int
odata_company_seg(struct buf *b, const char *company, int id)
{
	if (buf_adds(b, "Company(") < 0)
		return -1;
	if (id) {
		if (buf_adds(b, "Id=") < 0 ||
		    odata_pct(b, company, strlen(company), ODATA_PATH) < 0)
			return -1;
	} else if (quoted_pct(b, company, strlen(company), ODATA_PATH) < 0) {
		return -1;
	}
	return buf_addc(b, ')');
}

struct uri {
	const char *scheme, *auth, *path, *query;
	size_t slen, alen, plen, qlen;
	int has_auth, has_query;
};

static void
uri_split(const char *s, struct uri *u)
{
	const char *p = s, *e;

	memset(u, 0, sizeof(*u));
	/* scheme */
	for (e = p; *e && (isalnum((unsigned char)*e) || *e == '+' || *e == '-' || *e == '.'); e++)
		;
	if (*e == ':' && e > p && isalpha((unsigned char)*p)) {
		u->scheme = p;
		u->slen = (size_t)(e - p);
		p = e + 1;
	}
	if (p[0] == '/' && p[1] == '/') {
		p += 2;
		u->has_auth = 1;
		u->auth = p;
		while (*p && *p != '/' && *p != '?' && *p != '#')
			p++;
		u->alen = (size_t)(p - u->auth);
	}
	u->path = p;
	while (*p && *p != '?' && *p != '#')
		p++;
	u->plen = (size_t)(p - u->path);
	if (*p == '?') {
		u->has_query = 1;
		u->query = ++p;
		while (*p && *p != '#')
			p++;
		u->qlen = (size_t)(p - u->query);
	}
}

/* RFC 3986 5.2.4, appending the result to out */
static int
remove_dots(struct buf *out, const char *in, size_t n)
{
	size_t start = out->len, i = 0;

	while (i < n) {
		if (n - i >= 3 && !memcmp(in + i, "../", 3)) {
			i += 3;
		} else if (n - i >= 2 && !memcmp(in + i, "./", 2)) {
			i += 2;
		} else if (n - i >= 3 && !memcmp(in + i, "/./", 3)) {
			i += 2;
		} else if (n - i == 2 && !memcmp(in + i, "/.", 2)) {
			i += 1;
			if (buf_addc(out, '/') < 0)
				return -1;
			i = n;
		} else if ((n - i >= 4 && !memcmp(in + i, "/../", 4)) ||
		           (n - i == 3 && !memcmp(in + i, "/..", 3))) {
			int last = n - i == 3;
			i += 3;
			while (out->len > start && out->p[out->len - 1] != '/')
				out->len--;
			if (out->len > start)
				out->len--;
			out->p[out->len] = '\0';
			if (last) {
				if (buf_addc(out, '/') < 0)
					return -1;
				i = n;
			}
		} else if ((n - i == 1 && in[i] == '.') ||
		           (n - i == 2 && !memcmp(in + i, "..", 2))) {
			i = n;
		} else {
			size_t j = i + (in[i] == '/');
			while (j < n && in[j] != '/')
				j++;
			if (buf_add(out, in + i, j - i) < 0)
				return -1;
			i = j;
		}
	}
	return 0;
}

int
odata_resolve(struct buf *out, const char *base, const char *ref, struct ep_err *err)
{
	struct uri b, r;
	struct buf merged = BUF_INIT;
	int rc = -1;

	uri_split(base, &b);
	uri_split(ref, &r);
	if (!b.scheme || !b.has_auth)
		return ep_errf(err, EP_DATAERR,
		               "cannot resolve '%.200s': base '%.200s' is not an "
		               "absolute URL",
		               ref, base);
	if (r.scheme) {
		if (buf_add(out, r.scheme, r.slen) < 0 || buf_addc(out, ':') < 0)
			goto oom;
		if (r.has_auth && (buf_adds(out, "//") < 0 || buf_add(out, r.auth, r.alen) < 0))
			goto oom;
		if (remove_dots(out, r.path, r.plen) < 0)
			goto oom;
		if (r.has_query && (buf_addc(out, '?') < 0 || buf_add(out, r.query, r.qlen) < 0))
			goto oom;
		return 0;
	}
	if (buf_add(out, b.scheme, b.slen) < 0 || buf_adds(out, "://") < 0)
		goto oom;
	if (r.has_auth) {
		if (buf_add(out, r.auth, r.alen) < 0 || remove_dots(out, r.path, r.plen) < 0)
			goto oom;
		if (r.has_query && (buf_addc(out, '?') < 0 || buf_add(out, r.query, r.qlen) < 0))
			goto oom;
		return 0;
	}
	if (buf_add(out, b.auth, b.alen) < 0)
		goto oom;
	if (r.plen == 0) {
		if (buf_add(out, b.path, b.plen) < 0)
			goto oom;
		if (r.has_query) {
			if (buf_addc(out, '?') < 0 || buf_add(out, r.query, r.qlen) < 0)
				goto oom;
		} else if (b.has_query &&
		           (buf_addc(out, '?') < 0 || buf_add(out, b.query, b.qlen) < 0)) {
			goto oom;
		}
		return 0;
	}
	if (r.path[0] == '/') {
		if (remove_dots(out, r.path, r.plen) < 0)
			goto oom;
	} else {
		/* merge: the base path up to its last '/', then the reference */
		size_t k = b.plen;
		while (k > 0 && b.path[k - 1] != '/')
			k--;
		if (b.plen == 0 && buf_addc(&merged, '/') < 0)
			goto oom;
		if (buf_add(&merged, b.path, k) < 0 || buf_add(&merged, r.path, r.plen) < 0)
			goto oom;
		if (remove_dots(out, merged.p, merged.len) < 0)
			goto oom;
	}
	if (r.has_query && (buf_addc(out, '?') < 0 || buf_add(out, r.query, r.qlen) < 0))
		goto oom;
	rc = 0;
	goto done;
oom:
	rc = ep_errf(err, EP_SOFTWARE, "out of memory resolving a URL");
done:
	buf_release(&merged);
	return rc;
}

/* ---- $metadata ---------------------------------------------------------------- */

static const char EDM_NS[] = "http://docs.oasis-open.org/odata/ns/edm";
static const char EDMX_NS[] = "http://docs.oasis-open.org/odata/ns/edmx";

struct md_parse {
	struct odata_md *md;
	char *ns, *alias;
	long etype; /* index of the open EntityType, -1 */
	long enumt; /* open EnumType, -1 */
	long prop;  /* open Property of the open EntityType, -1 */
	int in_key;
	int root_seen;
	size_t items;
	/* key names per type, resolved at the end */
	char ***keynames;
	size_t *nkeynames;
	char **set_qnames;
	/* out-of-line annotations: the open <Annotations Target>, and what
	 * they said of which NS.Type/Property, resolved at the end */
	char *ann_target;
	char *core_alias; /* edmx:Include Alias of Org.OData.Core.V1 */
	struct md_ann {
		char *target;
		int flags;
	} * anns;
	size_t nanns;
	/* a Core annotation whose value comes as a child element
	 * (<Bool>false</Bool>, <EnumMember>Core.Permission/Read</EnumMember>):
	 * its term, where it goes (the open Property, or the open Annotations'
	 * target), the Annotations nested in it, and the value's text */
	struct md_pending {
		int term;         /* 0: none open */
		long etype, prop; /* in-line: the Property's place, else -1 */
		int depth;        /* Annotations open inside it */
		int in;           /* in a value element: VAL_BOOL or VAL_ENUM */
		int kinds;        /* the value elements seen */
		int over;         /* the text did not fit */
		size_t len;
		char text[256];
	} pend;
};

enum { TERM_COMPUTED = 1, TERM_IMMUTABLE, TERM_PERMISSIONS };
enum { VAL_BOOL = 1, VAL_ENUM = 2 };

enum { ANN_COMPUTED = 1, ANN_IMMUTABLE = 2 };

/* array_grow_at, the new items zeroed */
static int
grow(void *pp, size_t *cap, size_t need, size_t elem)
{
	size_t old = *cap;
	char *p;

	if (array_grow_at(pp, cap, need, elem) < 0)
		return -1;
	memcpy(&p, pp, sizeof(p));
	if (*cap > old)
		memset(p + old * elem, 0, (*cap - old) * elem);
	return 0;
}

static char *
attr_dup(const xmlChar **attrs, int n, const char *name)
{
	size_t len;
	const char *v = xml_sax_attr(attrs, n, name, &len);
	return v ? strndup(v, len) : NULL;
}

/* capacities of the growing arrays; props, members and navs are per open
 * EntityType / EnumType and start again at 0 with each */
struct md_caps {
	size_t types, enums, sets, setq, keynames, nkeynames, props, members, navs, anns;
};

static char *
qualify(const char *ns, const char *name)
{
	size_t a = strlen(ns), b = strlen(name);
	char *q = malloc(a + b + 2);
	if (q) {
		memcpy(q, ns, a);
		q[a] = '.';
		memcpy(q + a + 1, name, b + 1);
	}
	return q;
}

struct md_sax {
	struct md_parse p;
	struct md_caps caps;
};

static int
md_count(void *ctx, struct md_sax *s)
{
	if (++s->p.items > ODATA_MD_MAX_ITEMS) {
		xml_sax_fail(ctx, "more than %d declarations", ODATA_MD_MAX_ITEMS);
		return -1;
	}
	return 0;
}

/* The Core vocabulary term of an Annotation that says something of a
 * property: TERM_COMPUTED, TERM_IMMUTABLE, TERM_PERMISSIONS, or 0.  The
 * term's namespace is Org.OData.Core.V1, its alias from edmx:Include, or
 * "Core". */
static int
core_term(const struct md_parse *p, const xmlChar **attrs, int nattrs)
{
	size_t len = 0, ql;
	const char *term = xml_sax_attr(attrs, nattrs, "Term", &len), *dot, *name;

	if (term == NULL || (dot = memrchr(term, '.', len)) == NULL)
		return 0;
	ql = (size_t)(dot - term);
	name = dot + 1;
	if (!((ql == 17 && !memcmp(term, "Org.OData.Core.V1", 17)) ||
	      (ql == 4 && !memcmp(term, "Core", 4)) ||
	      (p->core_alias && strlen(p->core_alias) == ql && !memcmp(term, p->core_alias, ql))))
		return 0;
	len -= ql + 1;
	if (len == 8 && !memcmp(name, "Computed", 8))
		return TERM_COMPUTED;
	if (len == 9 && !memcmp(name, "Immutable", 9))
		return TERM_IMMUTABLE;
	if (len == 11 && !memcmp(name, "Permissions", 11))
		return TERM_PERMISSIONS;
	return 0;
}

/* What a term with its value (the Bool or EnumMember, an attribute's or a
 * child element's text; NULL when none) says of a property: ANN_COMPUTED
 * for Computed (a tag: true unless "false") and for Permissions Read,
 * ANN_IMMUTABLE for Immutable (the same), 0 for anything else. */
static int
term_flags(int term, const char *bv, size_t blen, const char *ev, size_t elen)
{
	if (bv && blen == 5 && !memcmp(bv, "false", 5))
		return 0;
	if (term == TERM_COMPUTED)
		return ANN_COMPUTED;
	if (term == TERM_IMMUTABLE)
		return ANN_IMMUTABLE;
	if (term == TERM_PERMISSIONS && ev) {
		/* "Core.Permission/Read": read only; ReadWrite or Write is not */
		int read = 0, write = 0;
		for (size_t i = 0; i + 5 <= elen; i++)
			if (ev[i] == '/') {
				read |= elen - i >= 5 && !memcmp(ev + i, "/Read", 5) &&
				        (i + 5 == elen || isspace((unsigned char)ev[i + 5]));
				write |= memmem(ev + i, elen - i, "Write", 5) != NULL;
			}
		return read && !write ? ANN_COMPUTED : 0;
	}
	return 0;
}

static void
prop_flags(struct odata_prop *pr, int f)
{
	pr->computed |= (f & ANN_COMPUTED) != 0;
	pr->immutable |= (f & ANN_IMMUTABLE) != 0;
}

/* An out-of-line annotation of "NS.Type/Property", resolved at the end */
static void
ann_add(void *ctx, struct md_sax *s, int f)
{
	struct md_parse *p = &s->p;

	if (f == 0 || strchr(p->ann_target, '/') == NULL)
		return;
	if (md_count(ctx, s) < 0)
		return;
	if (grow(&p->anns, &s->caps.anns, p->nanns + 1, sizeof(*p->anns)) < 0 ||
	    (p->anns[p->nanns].target = strdup(p->ann_target)) == NULL) {
		xml_sax_fail(ctx, "out of memory");
		return;
	}
	p->anns[p->nanns++].flags = f;
}

/* What an annotation says of a property: in line, of the Property at
 * etype/prop; out of line (prop -1), of the open Annotations' target */
static void
ann_apply(void *ctx, struct md_sax *s, long etype, long prop, int f)
{
	if (prop >= 0)
		prop_flags(&s->p.md->types[etype].props[prop], f);
	else if (s->p.ann_target)
		ann_add(ctx, s, f);
}

/* An Annotation of a property (in-line: the open Property; else out of
 * line): its value an attribute, decided now, or a child element, decided
 * at its end (md_end). */
static void
ann_start(void *ctx, struct md_sax *s, const xmlChar **attrs, int nattrs)
{
	struct md_parse *p = &s->p;
	size_t blen = 0, elen = 0;
	const char *bv = xml_sax_attr(attrs, nattrs, "Bool", &blen);
	const char *ev = xml_sax_attr(attrs, nattrs, "EnumMember", &elen);
	int term = core_term(p, attrs, nattrs);
	long etype = p->ann_target ? -1 : p->etype, prop = p->ann_target ? -1 : p->prop;

	if (term == 0)
		return;
	if (bv == NULL && ev == NULL) {
		memset(&p->pend, 0, sizeof(p->pend));
		p->pend.term = term;
		p->pend.etype = etype;
		p->pend.prop = prop;
		return;
	}
	ann_apply(ctx, s, etype, prop, term_flags(term, bv, blen, ev, elen));
}

/* The end of a pending Annotation: its value read, or none */
static void
ann_end(void *ctx, struct md_sax *s)
{
	struct md_parse *p = &s->p;
	struct md_pending *q = &p->pend;
	const char *t = q->text;
	size_t n = q->len;
	int f;

	while (n && isspace((unsigned char)*t))
		t++, n--;
	while (n && isspace((unsigned char)t[n - 1]))
		n--;
	if (q->over || (q->kinds & (q->kinds - 1)))
		f = 0; /* a value too long to read, or of two kinds: says nothing */
	else
		f = term_flags(q->term, q->kinds == VAL_BOOL ? t : NULL, n,
		               q->kinds == VAL_ENUM ? t : NULL, n);
	ann_apply(ctx, s, q->etype, q->prop, f);
	memset(q, 0, sizeof(*q));
}

static void
md_chars(void *ctx, const xmlChar *ch, int len)
{
	struct md_sax *s = xml_sax_ud(ctx);
	struct md_pending *q = &s->p.pend;

	if (!q->term || !q->in || len <= 0)
		return;
	if ((size_t)len > sizeof(q->text) - 1 - q->len) {
		q->over = 1;
		return;
	}
	memcpy(q->text + q->len, ch, (size_t)len);
	q->len += (size_t)len;
}

static void
md_start(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri, int nns,
         const xmlChar **nss, int nattrs, int ndef, const xmlChar **attrs)
{
	struct md_sax *s = xml_sax_ud(ctx);
	struct md_parse *p = &s->p;
	struct odata_md *md = p->md;
	const char *l = (const char *)local, *u = uri ? (const char *)uri : "";
	(void)prefix;
	(void)nns;
	(void)nss;
	(void)ndef;

	if (!p->root_seen) {
		p->root_seen = 1;
		if (strcmp(l, "Edmx") != 0 || strcmp(u, EDMX_NS) != 0) {
			xml_sax_fail(ctx, "not a CSDL document (root element '%s')", l);
			return;
		}
		return;
	}
	if (strcmp(u, EDMX_NS) == 0 && strcmp(l, "Include") == 0) {
		size_t nl = 0;
		const char *ns = xml_sax_attr(attrs, nattrs, "Namespace", &nl);
		if (ns && nl == 17 && !memcmp(ns, "Org.OData.Core.V1", 17)) {
			free(p->core_alias);
			p->core_alias = attr_dup(attrs, nattrs, "Alias");
		}
		return;
	}
	if (strcmp(u, EDM_NS) != 0)
		return;
	if (p->pend.term) {
		/* inside an Annotation whose value is a child element */
		struct md_pending *q = &p->pend;
		int v = strcmp(l, "Bool") == 0         ? VAL_BOOL
		        : strcmp(l, "EnumMember") == 0 ? VAL_ENUM
		                                       : 0;
		if (strcmp(l, "Annotation") == 0)
			q->depth++;
		else if (q->depth == 0 && v) {
			if ((q->kinds & v) && q->len < sizeof(q->text) - 1)
				q->text[q->len++] = ' '; /* flags: "A B" */
			q->in = v;
			q->kinds |= v;
		}
		return;
	}
	if (strcmp(l, "Annotations") == 0) {
		free(p->ann_target);
		p->ann_target = attr_dup(attrs, nattrs, "Target");
		return;
	}
	if (strcmp(l, "Annotation") == 0 && p->ann_target) {
		ann_start(ctx, s, attrs, nattrs);
		return;
	}
	if (strcmp(l, "Schema") == 0) {
		free(p->ns);
		free(p->alias);
		p->ns = attr_dup(attrs, nattrs, "Namespace");
		p->alias = attr_dup(attrs, nattrs, "Alias");
		if (p->ns == NULL)
			xml_sax_fail(ctx, "Schema without a Namespace");
		return;
	}
	if (p->ns == NULL)
		return;
	if (strcmp(l, "EnumType") == 0 || strcmp(l, "EntityType") == 0) {
		char *name = attr_dup(attrs, nattrs, "Name");
		char *q = name ? qualify(p->ns, name) : NULL;
		free(name);
		if (q == NULL || md_count(ctx, s) < 0) {
			if (q == NULL)
				xml_sax_fail(ctx, "%s without a Name", l);
			free(q);
			return;
		}
		if (l[2] == 'u') { /* EnumType, not EntityType */
			if (grow(&md->enums, &s->caps.enums, md->nenums + 1, sizeof(*md->enums)) <
			    0) {
				free(q);
				xml_sax_fail(ctx, "out of memory");
				return;
			}
			md->enums[md->nenums].qname = q;
			p->enumt = (long)md->nenums++;
			s->caps.members = 0;
		} else {
			if (grow(&md->types, &s->caps.types, md->ntypes + 1, sizeof(*md->types)) <
			            0 ||
			    grow(&p->keynames, &s->caps.keynames, md->ntypes + 1,
			         sizeof(*p->keynames)) < 0 ||
			    grow(&p->nkeynames, &s->caps.nkeynames, md->ntypes + 1,
			         sizeof(*p->nkeynames)) < 0) {
				free(q);
				xml_sax_fail(ctx, "out of memory");
				return;
			}
			md->types[md->ntypes].qname = q;
			p->etype = (long)md->ntypes++;
			p->prop = -1; /* even when the last one was not closed */
			p->in_key = 0;
			s->caps.props = s->caps.navs = 0;
		}
		return;
	}
	if (strcmp(l, "Member") == 0 && p->enumt >= 0) {
		struct odata_enum *e = &md->enums[p->enumt];
		char *name = attr_dup(attrs, nattrs, "Name");
		if (name == NULL || md_count(ctx, s) < 0 ||
		    grow(&e->members, &s->caps.members, e->nmembers + 1, sizeof(*e->members)) < 0) {
			free(name);
			if (!name)
				xml_sax_fail(ctx, "Member without a Name");
			return;
		}
		e->members[e->nmembers++] = name;
		return;
	}
	if (p->etype < 0) {
		if (strcmp(l, "EntitySet") == 0) {
			char *name = attr_dup(attrs, nattrs, "Name");
			char *type = attr_dup(attrs, nattrs, "EntityType");
			if (name == NULL || type == NULL || md_count(ctx, s) < 0 ||
			    grow(&md->set_names, &s->caps.sets, md->nsets + 1, sizeof(char *)) <
			            0 ||
			    grow(&p->set_qnames, &s->caps.setq, md->nsets + 1, sizeof(char *)) <
			            0) {
				free(name);
				free(type);
				xml_sax_fail(ctx, "EntitySet without Name or EntityType");
				return;
			}
			md->set_names[md->nsets] = name;
			p->set_qnames[md->nsets++] = type;
		}
		return;
	}
	struct odata_etype *t = &md->types[p->etype];
	if (strcmp(l, "Key") == 0) {
		p->in_key = 1;
	} else if (strcmp(l, "PropertyRef") == 0 && p->in_key) {
		char *name = attr_dup(attrs, nattrs, "Name");
		size_t k = p->nkeynames[p->etype];
		size_t cap = k; /* grow exactly: key lists are short */
		char **nk;
		if (name == NULL || md_count(ctx, s) < 0 ||
		    (nk = realloc(p->keynames[p->etype], (cap + 1) * sizeof(char *))) == NULL) {
			free(name);
			xml_sax_fail(ctx, "PropertyRef without a Name");
			return;
		}
		nk[k] = name;
		p->keynames[p->etype] = nk;
		p->nkeynames[p->etype] = k + 1;
	} else if (strcmp(l, "Property") == 0) {
		size_t len;
		const char *v;
		char *name = attr_dup(attrs, nattrs, "Name");
		char *type = attr_dup(attrs, nattrs, "Type");
		if (name == NULL || type == NULL || md_count(ctx, s) < 0 ||
		    grow(&t->props, &s->caps.props, t->nprops + 1, sizeof(*t->props)) < 0) {
			free(name);
			free(type);
			xml_sax_fail(ctx, "Property without Name or Type");
			return;
		}
		struct odata_prop *pr = &t->props[t->nprops];
		memset(pr, 0, sizeof(*pr));
		pr->name = name;
		pr->type = type;
		pr->nullable = 1;
		if ((v = xml_sax_attr(attrs, nattrs, "Nullable", &len)) && len == 5 &&
		    !memcmp(v, "false", 5))
			pr->nullable = 0;
		if ((v = xml_sax_attr(attrs, nattrs, "MaxLength", &len)) && len > 0 && len < 10 &&
		    isdigit((unsigned char)v[0]))
			pr->max_len = strtol(v, NULL, 10);
		p->prop = (long)t->nprops++;
	} else if (strcmp(l, "Annotation") == 0 && p->prop >= 0) {
		ann_start(ctx, s, attrs, nattrs);
	} else if (strcmp(l, "NavigationProperty") == 0) {
		char *name = attr_dup(attrs, nattrs, "Name");
		char *type = attr_dup(attrs, nattrs, "Type");
		size_t cap = s->caps.navs;
		if (name == NULL || md_count(ctx, s) < 0 ||
		    grow(&t->navs, &s->caps.navs, t->nnavs + 1, sizeof(*t->navs)) < 0 ||
		    grow(&t->nav_types, &cap, t->nnavs + 1, sizeof(*t->nav_types)) < 0) {
			free(name);
			free(type);
			xml_sax_fail(ctx, "NavigationProperty without a Name");
			return;
		}
		t->nav_types[t->nnavs] = type;
		t->navs[t->nnavs++] = name;
	}
}

static void
md_end(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri)
{
	struct md_sax *s = xml_sax_ud(ctx);
	const char *l = (const char *)local;
	(void)prefix;

	if (uri == NULL || strcmp((const char *)uri, EDM_NS) != 0)
		return;
	if (s->p.pend.term) {
		struct md_pending *q = &s->p.pend;
		if (strcmp(l, "Annotation") == 0) {
			if (q->depth > 0)
				q->depth--;
			else
				ann_end(ctx, s);
		} else if (q->depth == 0 &&
		           (strcmp(l, "Bool") == 0 || strcmp(l, "EnumMember") == 0)) {
			q->in = 0;
		}
		return;
	}
	if (strcmp(l, "EntityType") == 0) {
		s->p.etype = -1;
		s->p.prop = -1;
	} else if (strcmp(l, "EnumType") == 0) {
		s->p.enumt = -1;
	} else if (strcmp(l, "Property") == 0) {
		s->p.prop = -1;
	} else if (strcmp(l, "Key") == 0) {
		s->p.in_key = 0;
	} else if (strcmp(l, "Annotations") == 0) {
		free(s->p.ann_target);
		s->p.ann_target = NULL;
	}
}

static enum odata_kind
edm_kind(const char *t)
{
	static const struct {
		const char *name;
		enum odata_kind k;
	} map[] = {
		{ "Edm.String", ODATA_STRING },   { "Edm.Byte", ODATA_INT },
		{ "Edm.SByte", ODATA_INT },       { "Edm.Int16", ODATA_INT },
		{ "Edm.Int32", ODATA_INT },       { "Edm.Int64", ODATA_INT },
		{ "Edm.Decimal", ODATA_DECIMAL }, { "Edm.Double", ODATA_DECIMAL },
		{ "Edm.Single", ODATA_DECIMAL },  { "Edm.Boolean", ODATA_BOOL },
		{ "Edm.Date", ODATA_DATE },       { "Edm.DateTimeOffset", ODATA_DATETIME },
		{ "Edm.TimeOfDay", ODATA_TIME },  { "Edm.Duration", ODATA_TIME },
		{ "Edm.Guid", ODATA_GUID },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].name, t) == 0)
			return map[i].k;
	return ODATA_OTHER;
}

/* a type name as declared, with the schema alias replaced by the namespace */
static int
same_qname(const char *declared, const char *q, const char *ns, const char *alias)
{
	if (strcmp(declared, q) == 0)
		return 1;
	if (alias && ns) {
		size_t al = strlen(alias), nl = strlen(ns);
		if (!strncmp(declared, alias, al) && declared[al] == '.' && !strncmp(q, ns, nl) &&
		    q[nl] == '.' && strcmp(declared + al + 1, q + nl + 1) == 0)
			return 1;
	}
	return 0;
}

static int
md_resolve(struct md_parse *p, struct ep_err *err, const char *what)
{
	struct odata_md *md = p->md;

	for (size_t i = 0; i < md->ntypes; i++) {
		struct odata_etype *t = &md->types[i];
		for (size_t j = 0; j < t->nprops; j++) {
			struct odata_prop *pr = &t->props[j];
			pr->kind = edm_kind(pr->type);
			if (pr->kind != ODATA_OTHER)
				continue;
			for (size_t k = 0; k < md->nenums; k++)
				if (same_qname(pr->type, md->enums[k].qname, p->ns, p->alias)) {
					pr->kind = ODATA_ENUM;
					pr->enumt = &md->enums[k];
				}
		}
		size_t nk = p->nkeynames ? p->nkeynames[i] : 0;
		t->keys = calloc(nk ? nk : 1, sizeof(size_t));
		if (t->keys == NULL)
			return ep_errf(err, EP_SOFTWARE, "out of memory");
		for (size_t k = 0; k < nk; k++) {
			const struct odata_prop *pr = odata_prop_find(t, p->keynames[i][k]);
			if (pr == NULL)
				return ep_errf(err, EP_DATAERR,
				               "%s: key '%s' of '%s' is not one of its "
				               "properties",
				               what, p->keynames[i][k], t->qname);
			t->keys[t->nkeys++] = (size_t)(pr - t->props);
			t->props[t->keys[t->nkeys - 1]].key = 1;
		}
	}
	/* out-of-line annotations: "NS.Type/Property" (or the alias) */
	for (size_t a = 0; a < p->nanns; a++) {
		char *slash = strchr(p->anns[a].target, '/');
		if (slash == NULL || strchr(slash + 1, '/') != NULL)
			continue;
		*slash = '\0';
		for (size_t i = 0; i < md->ntypes; i++) {
			struct odata_prop *pr;
			if (!same_qname(p->anns[a].target, md->types[i].qname, p->ns, p->alias))
				continue;
			pr = (struct odata_prop *)odata_prop_find(&md->types[i], slash + 1);
			if (pr) {
				pr->computed |= (p->anns[a].flags & ANN_COMPUTED) != 0;
				pr->immutable |= (p->anns[a].flags & ANN_IMMUTABLE) != 0;
			}
		}
		*slash = '/';
	}
	md->set_types = calloc(md->nsets ? md->nsets : 1, sizeof(size_t));
	if (md->set_types == NULL)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	for (size_t i = 0; i < md->nsets; i++) {
		size_t k;
		for (k = 0; k < md->ntypes; k++)
			if (same_qname(p->set_qnames[i], md->types[k].qname, p->ns, p->alias))
				break;
		if (k == md->ntypes)
			return ep_errf(err, EP_DATAERR,
			               "%s: entity set '%s' has an undeclared type "
			               "'%s'",
			               what, md->set_names[i], p->set_qnames[i]);
		md->set_types[i] = k;
	}
	return 0;
}

int
odata_md_parse(struct odata_md *md, const char *xml, size_t len, const char *what,
               struct ep_err *err)
{
	struct md_sax s;
	xmlSAXHandler sax;
	struct xml_limits lim = { ODATA_MD_MAX_BYTES, 0 };
	int rc;

	memset(md, 0, sizeof(*md));
	memset(&s, 0, sizeof(s));
	s.p.md = md;
	s.p.etype = s.p.enumt = s.p.prop = -1;
	memset(&sax, 0, sizeof(sax));
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = md_start;
	sax.endElementNs = md_end;
	sax.characters = md_chars;
	rc = xml_sax_safe(xml, len, what, &lim, &sax, &s, err);
	if (rc == 0 && !s.p.root_seen)
		rc = ep_errf(err, EP_DATAERR, "%s: empty document", what);
	if (rc == 0)
		rc = md_resolve(&s.p, err, what);
	for (size_t i = 0; i < md->ntypes; i++) {
		for (size_t k = 0; s.p.nkeynames && k < s.p.nkeynames[i]; k++)
			free(s.p.keynames[i][k]);
		if (s.p.keynames)
			free(s.p.keynames[i]);
	}
	free(s.p.keynames);
	free(s.p.nkeynames);
	for (size_t i = 0; i < md->nsets; i++)
		free(s.p.set_qnames[i]);
	free(s.p.set_qnames);
	for (size_t i = 0; i < s.p.nanns; i++)
		free(s.p.anns[i].target);
	free(s.p.anns);
	free(s.p.ann_target);
	free(s.p.core_alias);
	free(s.p.ns);
	free(s.p.alias);
	if (rc < 0)
		odata_md_free(md);
	return rc;
}

void
odata_md_free(struct odata_md *md)
{
	for (size_t i = 0; i < md->ntypes; i++) {
		struct odata_etype *t = &md->types[i];
		for (size_t j = 0; j < t->nprops; j++) {
			free(t->props[j].name);
			free(t->props[j].type);
		}
		for (size_t j = 0; j < t->nnavs; j++) {
			free(t->navs[j]);
			free(t->nav_types[j]);
		}
		free(t->props);
		free(t->navs);
		free(t->nav_types);
		free(t->keys);
		free(t->qname);
	}
	for (size_t i = 0; i < md->nenums; i++) {
		for (size_t j = 0; j < md->enums[i].nmembers; j++)
			free(md->enums[i].members[j]);
		free(md->enums[i].members);
		free(md->enums[i].qname);
	}
	for (size_t i = 0; i < md->nsets; i++)
		free(md->set_names[i]);
	free(md->types);
	free(md->enums);
	free(md->set_names);
	free(md->set_types);
	memset(md, 0, sizeof(*md));
}

const struct odata_etype *
odata_md_entity(const struct odata_md *md, const char *set)
{
	for (size_t i = 0; i < md->nsets; i++)
		if (strcmp(md->set_names[i], set) == 0)
			return &md->types[md->set_types[i]];
	return NULL;
}

const struct odata_prop *
odata_prop_find(const struct odata_etype *t, const char *name)
{
	for (size_t i = 0; i < t->nprops; i++)
		if (strcmp(t->props[i].name, name) == 0)
			return &t->props[i];
	return NULL;
}

const struct odata_etype *
odata_nav_entity(const struct odata_md *md, const struct odata_etype *t, const char *nav)
{
	for (size_t i = 0; i < t->nnavs; i++) {
		const char *ty = t->nav_types[i];
		char q[512];
		size_t n;
		if (strcmp(t->navs[i], nav) != 0 || ty == NULL)
			continue;
		/* Collection(NS.Type) or NS.Type */
		if (!strncmp(ty, "Collection(", 11))
			ty += 11;
		n = strcspn(ty, ")");
		if (n >= sizeof(q))
			return NULL;
		memcpy(q, ty, n);
		q[n] = '\0';
		for (size_t k = 0; k < md->ntypes; k++) {
			const char *qn = md->types[k].qname, *d1 = strrchr(qn, '.'),
				   *d2 = strrchr(q, '.');
			/* the same name, in the namespace or under its alias */
			if (!strcmp(qn, q) || (d1 && d2 && !strcmp(d1, d2)))
				return &md->types[k];
		}
	}
	return NULL;
}

const char *
odata_kind_name(enum odata_kind k)
{
	static const char *names[] = { "string",   "integer", "decimal", "boolean", "date",
		                       "datetime", "time",    "guid",    "enum",    "other" };
	return names[k];
}

/* ---- literals ------------------------------------------------------------------ */

static int
ndigits(const char *s, size_t n, size_t i, size_t k)
{
	if (i + k > n)
		return 0;
	for (size_t j = i; j < i + k; j++)
		if (!isdigit((unsigned char)s[j]))
			return 0;
	return 1;
}

static int
num2(const char *s)
{
	return (s[0] - '0') * 10 + (s[1] - '0');
}

static int
is_date(const char *s, size_t n)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (n != 10 || !ndigits(s, n, 0, 4) || s[4] != '-' || !ndigits(s, n, 5, 2) || s[7] != '-' ||
	    !ndigits(s, n, 8, 2))
		return 0;
	int y = num2(s) * 100 + num2(s + 2), m = num2(s + 5), d = num2(s + 8);
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 0;
	return 1;
}

static int
is_time(const char *s, size_t n, size_t *used)
{
	/* HH:MM[:SS[.fff]] */
	size_t i = 5;
	if (!ndigits(s, n, 0, 2) || n < 5 || s[2] != ':' || !ndigits(s, n, 3, 2) || num2(s) > 23 ||
	    num2(s + 3) > 59)
		return 0;
	if (i < n && s[i] == ':') {
		if (!ndigits(s, n, i + 1, 2) || num2(s + i + 1) > 59)
			return 0;
		i += 3;
		if (i < n && s[i] == '.') {
			size_t j = ++i;
			while (i < n && isdigit((unsigned char)s[i]))
				i++;
			if (i == j)
				return 0;
		}
	}
	*used = i;
	return 1;
}

static int
is_datetime(const char *s, size_t n)
{
	size_t used;
	if (n < 17 || !is_date(s, 10) || (s[10] != 'T' && s[10] != 't'))
		return 0;
	if (!is_time(s + 11, n - 11, &used))
		return 0;
	s += 11 + used;
	n -= 11 + used;
	if (n == 1 && (s[0] == 'Z' || s[0] == 'z'))
		return 1;
	return n == 6 && (s[0] == '+' || s[0] == '-') && ndigits(s, n, 1, 2) && s[3] == ':' &&
	       ndigits(s, n, 4, 2) && num2(s + 1) <= 23 && num2(s + 4) <= 59;
}

static int
is_guid(const char *s, size_t n)
{
	static const size_t dash[] = { 8, 13, 18, 23 };
	if (n != 36)
		return 0;
	for (size_t i = 0, d = 0; i < n; i++) {
		if (d < 4 && i == dash[d]) {
			if (s[i] != '-')
				return 0;
			d++;
		} else if (!isxdigit((unsigned char)s[i])) {
			return 0;
		}
	}
	return 1;
}

static int
is_number(const char *s, size_t n, int integer)
{
	size_t end;
	if (n == 0 || n > 64)
		return 0;
	if (json_check_prefix(s, n, &end, NULL, NULL) != JSON_NUMBER || end != n)
		return 0;
	return !integer || (memchr(s, '.', n) == NULL && memchr(s, 'e', n) == NULL &&
	                    memchr(s, 'E', n) == NULL);
}

static int
literal(struct buf *b, const struct odata_prop *p, const char *text, size_t n,
        enum odata_pct_mode mode, struct ep_err *err)
{
	size_t used;
	int ok;

	switch (p->kind) {
	case ODATA_STRING:
	case ODATA_ENUM:
		return quoted_pct(b, text, n, mode) < 0 ? ep_errf(err, EP_SOFTWARE, "out of memory")
		                                        : 0;
	case ODATA_INT:
		ok = is_number(text, n, 1);
		break;
	case ODATA_DECIMAL:
		ok = is_number(text, n, 0);
		break;
	case ODATA_BOOL:
		ok = (n == 4 && !memcmp(text, "true", 4)) || (n == 5 && !memcmp(text, "false", 5));
		break;
	case ODATA_DATE:
		ok = is_date(text, n);
		break;
	case ODATA_DATETIME:
		ok = is_datetime(text, n);
		break;
	case ODATA_TIME:
		ok = is_time(text, n, &used) && used == n;
		break;
	case ODATA_GUID:
		ok = is_guid(text, n);
		break;
	default:
		return ep_errf(err, EP_USAGE, "'%s' has the type %s, which cannot be compared",
		               p->name, p->type);
	}
	if (!ok)
		return ep_errf(err, EP_USAGE, "'%.*s' is not a valid %s for '%s' (%s)",
		               (int)(n > 200 ? 200 : n), text, odata_kind_name(p->kind), p->name,
		               p->type);
	return odata_pct(b, text, n, mode) < 0 ? ep_errf(err, EP_SOFTWARE, "out of memory") : 0;
}

int
odata_literal(struct buf *b, const struct odata_prop *p, const char *text, size_t n,
              enum odata_pct_mode mode, struct ep_err *err)
{
	return literal(b, p, text, n, mode, err);
}

static int
literal_json(struct buf *b, const struct odata_prop *p, const cJSON *v, enum odata_pct_mode mode,
             struct ep_err *err)
{
	char num[64];

	if (cJSON_IsString(v))
		return literal(b, p, v->valuestring, strlen(v->valuestring), mode, err);
	if (cJSON_IsBool(v)) {
		const char *t = cJSON_IsTrue(v) ? "true" : "false";
		return literal(b, p, t, strlen(t), mode, err);
	}
	if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;
		if (d == (double)(long long)d && d > -9e15 && d < 9e15)
			snprintf(num, sizeof(num), "%lld", (long long)d);
		else
			snprintf(num, sizeof(num), "%.17g", d);
		return literal(b, p, num, strlen(num), mode, err);
	}
	return ep_errf(err, EP_DATAERR, "'%s': a %s value is needed, not %s", p->name,
	               odata_kind_name(p->kind),
	               cJSON_IsNull(v)     ? "null"
	               : cJSON_IsObject(v) ? "an object"
	                                   : "an array");
}

int
odata_literal_json(struct buf *b, const struct odata_prop *p, const cJSON *v,
                   enum odata_pct_mode mode, struct ep_err *err)
{
	return literal_json(b, p, v, mode, err);
}

int
odata_where_parse(const char *expr, char *field, size_t fcap, const char **op, int *func,
                  const char **value, struct ep_err *err)
{
	/* clang-format off */
	static const struct {
		const char *in, *out;
		int func;
	} ops[] = {
		{ "eq", "eq", 0 },  { "=", "eq", 0 },   { "==", "eq", 0 }, { "ne", "ne", 0 },
		{ "!=", "ne", 0 },  { "<>", "ne", 0 },  { "gt", "gt", 0 }, { ">", "gt", 0 },
		{ "ge", "ge", 0 },  { ">=", "ge", 0 },  { "lt", "lt", 0 }, { "<", "lt", 0 },
		{ "le", "le", 0 },  { "<=", "le", 0 },  { "startswith", "startswith", 1 },
		{ "endswith", "endswith", 1 },           { "contains", "contains", 1 },
	};
	/* clang-format on */
	const char *sp = strchr(expr, ' '), *o, *val;
	size_t fl, ol, i;

	if (sp == NULL || sp == expr)
		return ep_errf(err, EP_USAGE, "--where '%.200s': want 'FIELD OP VALUE'", expr);
	fl = (size_t)(sp - expr);
	if (fl >= fcap)
		return ep_errf(err, EP_USAGE, "--where '%.200s': field name too long", expr);
	memcpy(field, expr, fl);
	field[fl] = '\0';
	o = sp + 1;
	while (*o == ' ')
		o++;
	val = strchr(o, ' ');
	if (val == NULL)
		return ep_errf(err, EP_USAGE,
		               "--where '%.200s': want 'FIELD OP VALUE' (VALUE may be "
		               "empty, after one blank)",
		               expr);
	ol = (size_t)(val - o);
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strlen(ops[i].in) == ol && !memcmp(ops[i].in, o, ol))
			break;
	if (i == sizeof(ops) / sizeof(ops[0]))
		return ep_errf(err, EP_USAGE,
		               "--where '%.200s': unknown operator '%.*s' (eq ne gt "
		               "ge lt le startswith endswith contains)",
		               expr, (int)ol, o);
	*op = ops[i].out;
	*func = ops[i].func;
	*value = val + 1;
	return 0;
}

int
odata_where(struct buf *filter, const struct odata_etype *t, const char *expr, struct ep_err *err)
{
	char field[256];
	const char *op, *val;
	int func;
	const struct odata_prop *p;

	if (odata_where_parse(expr, field, sizeof(field), &op, &func, &val, err) < 0)
		return -1;
	if ((p = odata_prop_find(t, field)) == NULL)
		return ep_errf(err, EP_USAGE, "--where '%.200s': '%s' has no field '%s'", expr,
		               t->qname, field);
	if (func && p->kind != ODATA_STRING)
		return ep_errf(err, EP_USAGE,
		               "--where '%.200s': %s needs a string field, '%s' is %s", expr, op,
		               field, p->type);
	if (filter->len && buf_adds(filter, " and ") < 0)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	if (func) {
		if (buf_addf(filter, "%s(%s,", op, field) < 0)
			return ep_errf(err, EP_SOFTWARE, "out of memory");
	} else if (buf_addf(filter, "%s %s ", field, op) < 0) {
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	}
	if (odata_literal(filter, p, val, strlen(val), ODATA_RAW, err) < 0)
		return ep_err_prefix(err, "--where '%.200s'", expr);
	if (func && buf_addc(filter, ')') < 0)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	return 0;
}

int
odata_key_pred(struct buf *b, const struct odata_etype *t, const cJSON *key, struct ep_err *err)
{
	if (t->nkeys == 0)
		return ep_errf(err, EP_DATAERR, "'%s' declares no key", t->qname);
	if (buf_addc(b, '(') < 0)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	for (size_t i = 0; i < t->nkeys; i++) {
		const struct odata_prop *p = &t->props[t->keys[i]];
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(key, p->name);
		if (v == NULL)
			return ep_errf(err, EP_DATAERR, "key field '%s' missing", p->name);
		if (i && buf_addc(b, ',') < 0)
			return ep_errf(err, EP_SOFTWARE, "out of memory");
		if (t->nkeys > 1 && buf_addf(b, "%s=", p->name) < 0)
			return ep_errf(err, EP_SOFTWARE, "out of memory");
		if (literal_json(b, p, v, ODATA_PATH, err) < 0) {
			if (err && err->code != EP_SOFTWARE)
				err->code = EP_DATAERR;
			return -1;
		}
	}
	return buf_addc(b, ')') < 0 ? ep_errf(err, EP_SOFTWARE, "out of memory") : 0;
}

/* ---- pages ----------------------------------------------------------------------- */

static size_t
skip_ws(const char *s, size_t n, size_t i)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	return i;
}

/* One value at s+i: its end in *end; the type, or JSON_INVALID with err. */
static enum json_type
scan_value(const char *s, size_t n, size_t i, size_t *end, const char *what, struct ep_err *err)
{
	size_t off = 0, e = 0;
	const char *why = NULL;
	enum json_type t = json_check_prefix(s + i, n - i, &e, &off, &why);
	if (t == JSON_INVALID) {
		ep_errf(err, EP_DATAERR, "%s: not JSON at byte %zu: %s", what, i + off, why);
		return t;
	}
	*end = i + e;
	return t;
}

/* Iterate the members of the object at s[0..n): call with *i = 0 first;
 * 1 and the member's key (without quotes, raw) and value spans, 0 at the
 * end, -1 with err. */
static int
obj_next(const char *s, size_t n, size_t *i, const char **k, size_t *kl, const char **v, size_t *vl,
         const char *what, struct ep_err *err)
{
	size_t p = *i, e;

	if (p == 0) {
		p = skip_ws(s, n, 0);
		if (p >= n || s[p] != '{')
			return ep_errf(err, EP_DATAERR, "%s: not a JSON object", what);
		p = skip_ws(s, n, p + 1);
		if (p < n && s[p] == '}') {
			*i = n + 1;
			return 0;
		}
	} else if (p > n) {
		return 0;
	} else {
		p = skip_ws(s, n, p);
		if (p < n && s[p] == '}') {
			*i = n + 1;
			return 0;
		}
		if (p >= n || s[p] != ',')
			return ep_errf(err, EP_DATAERR, "%s: expected ',' or '}' at byte %zu", what,
			               p);
		p = skip_ws(s, n, p + 1);
	}
	if (p >= n || s[p] != '"' || scan_value(s, n, p, &e, what, err) != JSON_STRING)
		return err && err->code ? -1
		                        : ep_errf(err, EP_DATAERR,
		                                  "%s: expected a member name "
		                                  "at byte %zu",
		                                  what, p);
	*k = s + p + 1;
	*kl = e - p - 2;
	p = skip_ws(s, n, e);
	if (p >= n || s[p] != ':')
		return ep_errf(err, EP_DATAERR, "%s: expected ':' at byte %zu", what, p);
	p = skip_ws(s, n, p + 1);
	if (scan_value(s, n, p, &e, what, err) == JSON_INVALID)
		return -1;
	*v = s + p;
	*vl = e - p;
	*i = e;
	return 1;
}

static int
key_is(const char *k, size_t kl, const char *name)
{
	return strlen(name) == kl && memcmp(k, name, kl) == 0;
}

/* a JSON string's decoded value, malloc'd */
static char *
decode_string(const char *v, size_t vl)
{
	cJSON *j = cJSON_ParseWithLength(v, vl);
	char *out = NULL;
	if (cJSON_IsString(j))
		out = strdup(j->valuestring);
	cJSON_Delete(j);
	return out;
}

int
odata_page_scan(const char *body, size_t len, odata_entity_fn fn, void *ud, struct odata_page *pg,
                struct ep_err *err)
{
	static const char what[] = "OData page";
	size_t i = 0, e;
	const char *k, *v;
	size_t kl, vl;
	int r, seen_value = 0;

	memset(pg, 0, sizeof(*pg));
	pg->count = -1;
	while ((r = obj_next(body, len, &i, &k, &kl, &v, &vl, what, err)) == 1) {
		if (key_is(k, kl, "value")) {
			size_t p = 1;
			seen_value = 1;
			if (v[0] != '[')
				return ep_errf(err, EP_DATAERR, "%s: \"value\" is not an array",
				               what);
			p = skip_ws(v, vl, p);
			if (p < vl && v[p] == ']')
				continue;
			for (;;) {
				enum json_type t = scan_value(v, vl, p, &e, what, err);
				if (t == JSON_INVALID)
					return -1;
				if (t != JSON_OBJECT)
					return ep_errf(err, EP_DATAERR,
					               "%s: entity %zu is %s, not an "
					               "object",
					               what, pg->nvalues + 1, json_type_name(t));
				pg->nvalues++;
				if (fn && fn(ud, v + p, e - p, err) < 0)
					return -1;
				p = skip_ws(v, vl, e);
				if (p < vl && v[p] == ']')
					break;
				if (p >= vl || v[p] != ',')
					return ep_errf(err, EP_DATAERR,
					               "%s: expected ',' or ']' in value", what);
				p = skip_ws(v, vl, p + 1);
			}
		} else if (key_is(k, kl, "@odata.nextLink") || key_is(k, kl, "@odata.context")) {
			char **dst = k[7] == 'n' ? &pg->next_link : &pg->context;
			if (v[0] != '"')
				return ep_errf(err, EP_DATAERR, "%s: %.*s is not a string", what,
				               (int)kl, k);
			free(*dst);
			if ((*dst = decode_string(v, vl)) == NULL)
				return ep_errf(err, EP_DATAERR, "%s: %.*s is not a valid string",
				               what, (int)kl, k);
		} else if (key_is(k, kl, "@odata.count")) {
			char num[32];
			if (vl >= sizeof(num) || !is_number(v, vl, 1))
				return ep_errf(err, EP_DATAERR, "%s: @odata.count is not a count",
				               what);
			memcpy(num, v, vl);
			num[vl] = '\0';
			pg->count = strtoll(num, NULL, 10);
		}
	}
	if (r < 0)
		return -1;
	if (!seen_value)
		return ep_errf(err, EP_DATAERR, "%s: no \"value\" array: not an entity collection",
		               what);
	e = skip_ws(body, len, i > len ? len : i);
	/* obj_next leaves i past the closing brace */
	{
		size_t end = 0;
		if (json_check_prefix(body, len, &end, NULL, NULL) == JSON_OBJECT &&
		    skip_ws(body, len, end) != len)
			return ep_errf(err, EP_DATAERR, "%s: text after the object", what);
	}
	(void)e;
	return 0;
}

void
odata_page_release(struct odata_page *pg)
{
	free(pg->next_link);
	free(pg->context);
	pg->next_link = pg->context = NULL;
}

int
odata_member(const char *obj, size_t len, const char *name, const char **val, size_t *vlen)
{
	size_t i = 0;
	const char *k, *v;
	size_t kl, vl;

	while (obj_next(obj, len, &i, &k, &kl, &v, &vl, "entity", NULL) == 1)
		if (key_is(k, kl, name)) {
			*val = v;
			*vlen = vl;
			return 1;
		}
	return 0;
}

static int
is_annotation(const char *k, size_t kl)
{
	return (kl > 0 && k[0] == '@') || memmem(k, kl, "@odata.", 7) != NULL;
}

/* A value with the annotations of every object in it left out. */
static int
strip_value(struct buf *out, const char *v, size_t vl, int depth)
{
	size_t i = 0, e;
	const char *k, *mv;
	size_t kl, mvl;
	int first = 1;

	if (depth > 64 || (v[0] != '{' && v[0] != '['))
		return buf_add(out, v, vl);
	if (v[0] == '{') {
		if (buf_addc(out, '{') < 0)
			return -1;
		while (obj_next(v, vl, &i, &k, &kl, &mv, &mvl, "entity", NULL) == 1) {
			if (is_annotation(k, kl))
				continue;
			if ((!first && buf_addc(out, ',') < 0) || buf_add(out, k - 1, kl + 2) < 0 ||
			    buf_addc(out, ':') < 0 || strip_value(out, mv, mvl, depth + 1) < 0)
				return -1;
			first = 0;
		}
		return buf_addc(out, '}');
	}
	if (buf_addc(out, '[') < 0)
		return -1;
	for (i = skip_ws(v, vl, 1); i < vl && v[i] != ']';) {
		if (scan_value(v, vl, i, &e, "entity", NULL) == JSON_INVALID)
			return buf_add(out, v, vl); /* checked before: not reached */
		if ((!first && buf_addc(out, ',') < 0) ||
		    strip_value(out, v + i, e - i, depth + 1) < 0)
			return -1;
		first = 0;
		i = skip_ws(v, vl, e);
		if (i < vl && v[i] == ',')
			i = skip_ws(v, vl, i + 1);
	}
	return buf_addc(out, ']');
}

int
odata_project(struct buf *out, const char *obj, size_t len, int keep_etag, const char *const *only,
              size_t nonly)
{
	size_t i = 0;
	const char *k, *v;
	size_t kl, vl;
	int first = 1;

	if (buf_addc(out, '{') < 0)
		return -1;
	while (obj_next(obj, len, &i, &k, &kl, &v, &vl, "entity", NULL) == 1) {
		int ann = is_annotation(k, kl);
		if (ann && !(keep_etag && key_is(k, kl, "@odata.etag")))
			continue;
		if (only && !ann) {
			size_t j;
			for (j = 0; j < nonly && !key_is(k, kl, only[j]); j++)
				;
			if (j == nonly)
				continue;
		}
		if (!first && buf_addc(out, ',') < 0)
			return -1;
		first = 0;
		/* "key": value, the key as it was (quotes included); the
		 * objects of an expanded value lose their annotations */
		if (buf_add(out, k - 1, kl + 2) < 0 || buf_addc(out, ':') < 0 ||
		    strip_value(out, v, vl, 0) < 0)
			return -1;
	}
	return buf_addc(out, '}');
}

/* ---- errors ------------------------------------------------------------------------ */

static void
copy_clean(char *dst, size_t cap, const char *s, size_t n)
{
	size_t j = 0;
	for (size_t i = 0; i < n && j + 1 < cap; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\n' || c == '\r') {
			if (j > 0 && dst[j - 1] != ' ')
				dst[j++] = ' ';
			continue;
		}
		dst[j++] = c < 0x20 ? ' ' : (char)c;
	}
	dst[j] = '\0';
	/* never cut a UTF-8 sequence */
	dst[utf8_valid_prefix(dst, j)] = '\0';
}

void
odata_error_parse(struct odata_error *e, long status, const char *body, size_t len)
{
	cJSON *j = body && len ? cJSON_ParseWithLength(body, len) : NULL;
	const cJSON *er = cJSON_GetObjectItemCaseSensitive(j, "error");
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(er, "code");
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(er, "message");

	memset(e, 0, sizeof(*e));
	e->status = status;
	if (cJSON_IsString(code))
		copy_clean(e->code, sizeof(e->code), code->valuestring, strlen(code->valuestring));
	if (cJSON_IsString(msg)) {
		const char *m = msg->valuestring;
		size_t n = strlen(m);
		const char *c = strstr(m, "CorrelationId:");
		if (c)
			n = (size_t)(c - m);
		while (n > 0 && (m[n - 1] == ' ' || m[n - 1] == '.'))
			n--;
		/* keep the sentence's own full stop */
		if (n < strlen(m) && m[n] == '.')
			n++;
		copy_clean(e->message, sizeof(e->message), m, n);
	} else if (body && len) {
		const char *nl = memchr(body, '\n', len);
		size_t n = nl ? (size_t)(nl - body) : len;
		copy_clean(e->message, sizeof(e->message), body, n > 300 ? 300 : n);
	}
	cJSON_Delete(j);
}

int
odata_error_exit(const struct odata_error *e)
{
	if (e->status == 401 || e->status == 403 || !strncmp(e->code, "Authentication_", 15) ||
	    !strncmp(e->code, "Authorization_", 14))
		return EP_NOPERM;
	if (e->status == 404)
		return (!strcmp(e->code, "BadRequest_NotFound") ||
		        !strcmp(e->code, "Internal_CompanyNotFound"))
		               ? EP_CONFIG
		               : EP_DATAERR;
	if (e->status == 429)
		return EP_TEMPFAIL;
	if (e->status == 408 || e->status >= 500 || e->status == 0)
		return EP_UNAVAILABLE;
	if (e->status >= 400)
		return EP_DATAERR;
	return EP_SOFTWARE;
}

int
odata_error_format(struct buf *b, const struct odata_error *e)
{
	if (e->code[0])
		return buf_addf(b, "%s: %s", e->code, e->message[0] ? e->message : "(no message)");
	return buf_addf(b, "HTTP %ld: %s", e->status, e->message[0] ? e->message : "(no body)");
}

/* ---- $batch ------------------------------------------------------------------------ */

int
odata_batch_body(struct buf *b, const struct odata_batch_op *ops, size_t n)
{
	if (buf_adds(b, "{\"requests\":[") < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct odata_batch_op *o = &ops[i];
		if ((i && buf_addc(b, ',') < 0) || buf_adds(b, "{\"id\":") < 0 ||
		    json_quote(b, o->id, strlen(o->id)) < 0 || buf_adds(b, ",\"method\":") < 0 ||
		    json_quote(b, o->method, strlen(o->method)) < 0 ||
		    buf_adds(b, ",\"url\":") < 0 || json_quote(b, o->url, strlen(o->url)) < 0 ||
		    buf_adds(b, ",\"headers\":{") < 0)
			return -1;
		int h = 0;
		if (o->body) {
			if (buf_adds(b, "\"Content-Type\":\"application/json\"") < 0)
				return -1;
			h = 1;
		}
		if (o->if_match) {
			if ((h && buf_addc(b, ',') < 0) || buf_adds(b, "\"If-Match\":") < 0 ||
			    json_quote(b, o->if_match, strlen(o->if_match)) < 0)
				return -1;
		}
		if (buf_addc(b, '}') < 0)
			return -1;
		if (o->body &&
		    (buf_adds(b, ",\"body\":") < 0 || buf_add(b, o->body, o->body_len) < 0))
			return -1;
		if (buf_addc(b, '}') < 0)
			return -1;
	}
	return buf_adds(b, "]}");
}

int
odata_batch_parse(const char *body, size_t len, struct odata_batch_resp **out, size_t *n,
                  struct ep_err *err)
{
	cJSON *j = cJSON_ParseWithLength(body, len);
	const cJSON *rs = cJSON_GetObjectItemCaseSensitive(j, "responses"), *r;
	struct odata_batch_resp *a;
	size_t k = 0;

	*out = NULL;
	*n = 0;
	if (!cJSON_IsArray(rs)) {
		cJSON_Delete(j);
		return ep_errf(err, EP_DATAERR, "$batch answer: %s",
		               j ? "no \"responses\" array" : "not JSON");
	}
	a = calloc((size_t)cJSON_GetArraySize(rs) + 1, sizeof(*a));
	if (a == NULL) {
		cJSON_Delete(j);
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	}
	cJSON_ArrayForEach(r, rs) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(r, "id");
		const cJSON *st = cJSON_GetObjectItemCaseSensitive(r, "status");
		const cJSON *hd = cJSON_GetObjectItemCaseSensitive(r, "headers"), *h;
		cJSON *bd = cJSON_DetachItemFromObjectCaseSensitive((cJSON *)r, "body");
		char idb[32];

		if (!cJSON_IsNumber(st) || st->valuedouble < 100 || st->valuedouble > 999 ||
		    (!cJSON_IsString(id) && !cJSON_IsNumber(id))) {
			cJSON_Delete(bd);
			odata_batch_resp_free(a, k);
			cJSON_Delete(j);
			return ep_errf(err, EP_DATAERR,
			               "$batch answer: response %zu has no id or "
			               "status",
			               k + 1);
		}
		if (cJSON_IsNumber(id))
			snprintf(idb, sizeof(idb), "%.0f", id->valuedouble);
		a[k].id = strdup(cJSON_IsString(id) ? id->valuestring : idb);
		a[k].status = (long)st->valuedouble;
		a[k].body = bd;
		const cJSON *et = cJSON_GetObjectItemCaseSensitive(bd, "@odata.etag");
		if (cJSON_IsString(et))
			a[k].etag = strdup(et->valuestring);
		cJSON_ArrayForEach(h, hd) {
			if (a[k].etag == NULL && h->string && !strcasecmp(h->string, "etag") &&
			    cJSON_IsString(h))
				a[k].etag = strdup(h->valuestring);
		}
		if (a[k].id == NULL) {
			odata_batch_resp_free(a, k + 1);
			cJSON_Delete(j);
			return ep_errf(err, EP_SOFTWARE, "out of memory");
		}
		k++;
	}
	cJSON_Delete(j);
	*out = a;
	*n = k;
	return 0;
}

void
odata_batch_resp_free(struct odata_batch_resp *r, size_t n)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(r[i].id);
		free(r[i].etag);
		cJSON_Delete(r[i].body);
	}
	free(r);
}

void
odata_batch_error(struct odata_error *e, const struct odata_batch_resp *r)
{
	char *text = r->body ? json_tree_print(r->body) : NULL;
	odata_error_parse(e, r->status, text, text ? strlen(text) : 0);
	free(text);
}
