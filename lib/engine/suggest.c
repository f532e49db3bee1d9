/*
 * suggest.c - a draft map from samples (suggest.h): profiles, scores,
 * compositions, and the draft's text.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cJSON.h>

#include "base/find.h"
#include "stream/json_tree.h"
#include "stream/ndjson.h"
#include "engine/suggest.h"

#define MAXVALS 64   /* distinct values kept per field, for overlap */
#define MAXVALLEN 64 /* bytes of a value kept */
#define MAXTOK 16    /* tokens of a name */
#define MAXFIELDS 2048

/* kinds of value */
enum { K_BOOL, K_INT, K_NUM, K_STR, K_M2O, K_LINES, K_ARR, K_OBJ, K_N };
static const char *const kind_name[K_N] = { "boolean",  "integer", "number", "string",
	                                    "many2one", "lines",   "array",  "object" };

/* shapes of a string (or number) */
enum {
	SH_EMAIL,
	SH_PHONE,
	SH_COUNTRY,
	SH_CURRENCY,
	SH_DATE,
	SH_ODOODT,
	SH_ISODT,
	SH_NUMSTR,
	SH_AMOUNT,
	SH_URL,
	SH_NAVNODATE,
	SH_CODE,
	SH_N
};
static const char *const shape_name[SH_N] = { "e-mail",        "phone",        "country code",
	                                      "currency code", "date",         "date-time",
	                                      "date-time",     "numeric text", "amount",
	                                      "url",           "no-date",      "reference" };

/* JSON Schema types */
enum {
	T_STRING = 1,
	T_NUMBER = 2,
	T_INTEGER = 4,
	T_BOOLEAN = 8,
	T_ARRAY = 16,
	T_OBJECT = 32,
	T_NULL = 64
};

struct side;
struct field {
	char *name;
	char *tok[MAXTOK]; /* the name's concepts (synonyms applied) */
	int ntok;
	char *whole;        /* the name's tokens run together: "postalcode" */
	char *dtok[MAXTOK]; /* a schema description's concepts */
	int ndtok;
	/* profile of the values seen */
	unsigned long seen, e_false, e_null, e_str, kind[K_N], shape[SH_N];
	char *vals[MAXVALS];
	int nvals;
	/* schema */
	int schema, required, odoo; /* odoo: a fields.schema.json $ref */
	int readonly;               /* never written: not drafted, not TODO */
	unsigned types;
	char *format, *ref; /* ref: the $defs name: many2one, date ... */
	int nenum;
	/* assignment */
	int taken;          /* source: used by a pair; target: assigned */
	struct side *items; /* lines: the fields of their objects (one level) */
};

struct side {
	struct field *f;
	int n, cap;
	unsigned long records;
	char *label;
	int hint; /* the field after the last one found */
};

struct syn {
	char *variant, *concept;
};

struct suggest {
	struct side s[2];
	struct syn *syn;
	int nsyn, capsyn;
	char *synpath;
	double threshold;
	size_t max_records, max_line;
	int have_countries;
	int lines[2]; /* fields holding lines, source and target (suggest_write) */
};

/* ---- names ------------------------------------------------------------------ */

/* "PostalCode" -> "postal", "code"; "E_Mail" -> "e", "mail"; "VATRegNo2"
 * -> "vat", "reg", "no", "2".  Tokens are written to out, space-separated. */
int
suggest_tokens(const char *name, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)name;
	size_t start = out->len;
	int prev = 0; /* 0 none, 1 lower, 2 upper, 3 digit */

	for (; *p; p++) {
		int c = *p, cls;

		if (isdigit(c))
			cls = 3;
		else if (isupper(c))
			cls = 2;
		else if (islower(c) || c >= 0x80)
			cls = 1;
		else {
			prev = 0;
			continue;
		}
		/* a new token: after a separator; lower->upper; letter<->digit;
		 * "ABc": before the B */
		if (prev == 0 || (prev == 1 && cls == 2) || (prev == 3) != (cls == 3) ||
		    (prev == 2 && cls == 2 && islower(p[1]))) {
			if (out->len > start && buf_addc(out, ' ') < 0)
				return -1;
		}
		if (buf_addc(out, cls == 2 ? tolower(c) : c) < 0)
			return -1;
		prev = cls;
	}
	return 0;
}

static const char *
syn_find(const struct suggest *sg, const char *w)
{
	int lo = 0, hi = sg->nsyn - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2, c = strcmp(w, sg->syn[mid].variant);

		if (c == 0)
		return sg->syn[mid].concept;
		if (c < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* split s into words (at spaces) in w, at most MAXTOK; the words point into
 * s, which is changed */
static int
words(char *s, char **w)
{
	int n = 0;
	char *p = s;

	while (*p && n < MAXTOK) {
		while (*p == ' ')
			*p++ = '\0';
		if (*p == '\0')
			break;
		w[n++] = p;
		while (*p && *p != ' ')
			p++;
	}
	return n;
}

/* the concepts of a name: the longest run of tokens that the synonym table
 * knows (run together: "post", "code" -> "postcode") becomes its concept,
 * any other token stays itself */
static int
concepts(const struct suggest *sg, const char *name, char **out, char **whole)
{
	struct buf b = BUF_INIT, key = BUF_INIT;
	char *w[MAXTOK];
	int n, i, j, k = 0, rc = -1;

	buf_init(&b, 4096);
	buf_init(&key, 4096);
	if (suggest_tokens(name, &b) < 0)
		goto out;
	n = words(b.p ? b.p : (char *)"", w);
	for (i = 0; i < n; i++)
		buf_adds(&key, w[i]);
	if ((*whole = strdup(buf_str(&key))) == NULL)
		goto out;
	for (i = 0; i < n && k < MAXTOK;) {
		const char *c = NULL;

		for (j = n; j > i; j--) {
			int m;

			buf_reset(&key);
			for (m = i; m < j; m++)
				buf_adds(&key, w[m]);
			if ((c = syn_find(sg, buf_str(&key))) != NULL)
				break;
		}
		if ((out[k] = strdup(c ? c : w[i])) == NULL)
			goto out;
		k++;
		i = c ? j : i + 1;
	}
	rc = k;
out:
	buf_release(&b);
	buf_release(&key);
	return rc;
}

/* tokens that say little on their own */
static double
weight(const char *t)
{
	static const char *const weak[] = { "id",    "no",  "nr",  "num", "number", "code",
		                            "ref",   "the", "of",  "to",  "lcy",    "x",
		                            "value", "is",  "has", NULL };
	int i;

	for (i = 0; weak[i]; i++)
		if (strcmp(t, weak[i]) == 0)
			return 0.35;
	return isdigit((unsigned char)*t) ? 0.35 : 1.0;
}

/* credit for two tokens: 1 equal, 0.8 one a prefix (4+ letters) of the other */
static double
tokmatch(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (strcmp(a, b) == 0)
		return 1;
	if (la >= 4 && lb >= 4 && !isdigit((unsigned char)a[la - 1]) &&
	    !isdigit((unsigned char)b[lb - 1]) && strncmp(a, b, la < lb ? la : lb) == 0)
		return 0.8;
	return 0;
}

/* weighted Dice of two token lists */
static double
dice(char *const *a, int na, char *const *b, int nb)
{
	double wa = 0, wb = 0, m = 0;
	int used[MAXTOK] = { 0 }, i, j;

	for (i = 0; i < na; i++)
		wa += weight(a[i]);
	for (j = 0; j < nb; j++)
		wb += weight(b[j]);
	if (wa + wb == 0)
		return 0;
	for (i = 0; i < na; i++) {
		double best = 0;
		int bj = -1;

		for (j = 0; j < nb; j++) {
			double t = used[j] ? 0 : tokmatch(a[i], b[j]);

			if (t > best)
				best = t, bj = j;
		}
		if (bj >= 0) {
			used[bj] = 1;
			m += best * (weight(a[i]) + weight(b[bj])) / 2;
		}
	}
	return 2 * m / (wa + wb);
}

static int shape_mostly(const struct field *f);

/* Odoo's documents are numbered by their name (S00012, INV/2026/00001):
 * a source "name" holding references, a target that is a document's
 * number (No, OrderNo, invoice_no, Document_No) */
static int
docno(const struct field *t, const struct field *s)
{
	static const char *const doc[] = { "",           "order",         "invoice", "document",
		                           "doc",        "bill",          "payment", "receipt",
		                           "salesorder", "purchaseorder", NULL };
	static const char *const no[] = { "no", "number", "nr", NULL };
	int i, j;

	if (strcmp(s->name, "name") != 0 || shape_mostly(s) != SH_CODE)
		return 0;
	/* the target's words run together: No, OrderNo, invoice_no, Document_No */
	for (i = 0; doc[i]; i++)
		for (j = 0; no[j]; j++) {
			size_t k = strlen(doc[i]);

			if (strncmp(t->whole, doc[i], k) == 0 && strcmp(t->whole + k, no[j]) == 0)
				return 1;
		}
	return 0;
}

/* how alike two field names are, 0..1, and why (a short text) */
static double
name_sim(const struct field *t, const struct field *s, const char **why)
{
	double d, dd;

	if (docno(t, s)) {
		*why = "a document's name is its number";
		return 0.9;
	}

	if (strcmp(t->whole, s->whole) == 0 && *t->whole) {
		*why = "same name";
		return 1;
	}
	if (t->ntok == 1 && s->ntok == 1 && strcmp(t->tok[0], s->tok[0]) == 0) {
		*why = "synonyms";
		return 0.95;
	}
	d = dice(t->tok, t->ntok, s->tok, s->ntok);
	dd = t->ndtok ? 0.8 * dice(t->dtok, t->ndtok, s->tok, s->ntok) : 0;
	*why = dd > d ? "description" : "name tokens";
	return dd > d ? dd : d;
}

static int
has_concept(const struct field *f, const char *c)
{
	int i;

	for (i = 0; i < f->ntok; i++)
		if (strcmp(f->tok[i], c) == 0)
			return 1;
	return 0;
}

/* ---- the synonym table -------------------------------------------------------- */

static int
syn_cmp(const void *a, const void *b)
{
	return strcmp(((const struct syn *)a)->variant, ((const struct syn *)b)->variant);
}

static int
syn_add(struct suggest *sg, const char *variant, const char *concept)
{
	struct buf b = BUF_INIT;
	char *w[MAXTOK];
	int n, i;

	buf_init(&b, 4096);
	if (suggest_tokens(variant, &b) < 0) {
		buf_release(&b);
		return -1;
	}
	/* the variant's tokens run together, as names are looked up */
	n = words(b.p ? b.p : (char *)"", w);
	if (sg->nsyn == sg->capsyn) {
		int nc = sg->capsyn ? sg->capsyn * 2 : 256;
		struct syn *ns = realloc(sg->syn, (size_t)nc * sizeof *ns);

		if (ns == NULL) {
			buf_release(&b);
			return -1;
		}
		sg->syn = ns;
		sg->capsyn = nc;
	}
	{
		struct buf k = BUF_INIT;

		buf_init(&k, 4096);
		for (i = 0; i < n; i++)
			buf_adds(&k, w[i]);
		sg->syn[sg->nsyn].variant = buf_detach(&k, NULL);
	}
	sg->syn[sg->nsyn].concept = strdup(concept);
	buf_release(&b);
	if (sg->syn[sg->nsyn].variant == NULL || sg->syn[sg->nsyn].concept == NULL) {
		free(sg->syn[sg->nsyn].variant);
		free(sg->syn[sg->nsyn].concept);
		return -1;
	}
	sg->nsyn++;
	return 0;
}

/* "concept: variant variant ..." a line; '#' comments; the concept is a
 * variant of itself.  A variant is written as a field name would be
 * (Post_Code, postal_code, PostalCode are the one variant "postalcode"). */
int
suggest_synonyms(struct suggest *sg, const char *text, size_t len, const char *name,
                 struct ep_err *err)
{
	const char *p = text, *end = text + len;
	char line[4096];
	int lineno = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *q, *colon, *tokp, *save = NULL;

		lineno++;
		if (n >= sizeof line)
			return ep_errf(err, EP_DATAERR, "%s:%d: line too long", name, lineno);
		memcpy(line, p, n);
		line[n] = '\0';
		p += n + (nl != NULL);
		if (memchr(line, '\0', n) != NULL)
			return ep_errf(err, EP_DATAERR, "%s:%d: a NUL byte", name, lineno);
		if ((q = strchr(line, '#')) != NULL)
			*q = '\0';
		q = line;
		while (isspace((unsigned char)*q))
			q++;
		if (*q == '\0')
			continue;
		if ((colon = strchr(q, ':')) == NULL || colon == q)
			return ep_errf(err, EP_DATAERR, "%s:%d: want 'concept: variant ...'", name,
			               lineno);
		*colon = '\0';
		while (colon > q && isspace((unsigned char)colon[-1]))
			*--colon = '\0';
		if (syn_add(sg, q, q) < 0)
			goto oom;
		for (tokp = strtok_r(colon + 1, " \t\r\n", &save); tokp;
		     tokp = strtok_r(NULL, " \t\r\n", &save))
			if (syn_add(sg, tokp, q) < 0)
				goto oom;
	}
	if (sg->nsyn > 0)
		qsort(sg->syn, (size_t)sg->nsyn, sizeof *sg->syn, syn_cmp);
	return 0;
oom:
	return ep_errf(err, EP_SOFTWARE, "out of memory");
}

static int
slurp(const char *path, struct buf *b, struct ep_err *err)
{
	char tmp[65536];
	size_t r;
	FILE *f = fopen(path, "r");
	int rc = 0;

	if (f == NULL)
		return ep_errf(err, EP_NOINPUT, "cannot open '%s': %s", path, strerror(errno));
	buf_init(b, 64u << 20);
	while ((r = fread(tmp, 1, sizeof tmp, f)) > 0)
		if (buf_add(b, tmp, r) < 0) {
			rc = ep_errf(err, EP_DATAERR, "'%s': too large", path);
			break;
		}
	if (rc == 0 && ferror(f))
		rc = ep_errf(err, EP_IOERR, "cannot read '%s'", path);
	fclose(f);
	return rc;
}

/* ---- profiles ----------------------------------------------------------------- */

static struct field *
field_get(struct suggest *sg, struct side *sd, const char *name, struct ep_err *err)
{
	struct field *f;
	int i;

	/* records list their fields in the same order: try the next one */
	if (sd->hint < sd->n && strcmp(sd->f[sd->hint].name, name) == 0)
		return &sd->f[sd->hint++];
	for (i = 0; i < sd->n; i++)
		if (strcmp(sd->f[i].name, name) == 0) {
			sd->hint = i + 1;
			return &sd->f[i];
		}
	if (sd->n == MAXFIELDS) {
		ep_errf(err, EP_DATAERR, "more than %d fields", MAXFIELDS);
		return NULL;
	}
	if (sd->n == sd->cap) {
		int nc = sd->cap ? sd->cap * 2 : 32;
		struct field *nf = realloc(sd->f, (size_t)nc * sizeof *nf);

		if (nf == NULL)
			goto oom;
		sd->f = nf;
		sd->cap = nc;
	}
	f = &sd->f[sd->n];
	memset(f, 0, sizeof *f);
	if ((f->name = strdup(name)) == NULL)
		goto oom;
	if ((f->ntok = concepts(sg, name, f->tok, &f->whole)) < 0) {
		free(f->name);
		goto oom;
	}
	sd->hint = ++sd->n;
	return f;
oom:
	ep_errf(err, EP_SOFTWARE, "out of memory");
	return NULL;
}

static int
all(const char *s, size_t n, const char *set)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strchr(set, s[i]) == NULL)
			return 0;
	return n > 0;
}

static int
digits(const char *s, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* the shape of a text, or -1 */
static int
shape_of(const char *s, size_t n)
{
	const char *at = memchr(s, '@', n);
	size_t i, nd = 0;

	if (n == 10 && memcmp(s, "0001-01-01", 10) == 0)
		return SH_NAVNODATE;
	if (n >= 10 && digits(s, 4) && s[4] == '-' && digits(s + 5, 2) && s[7] == '-' &&
	    digits(s + 8, 2)) {
		if (n == 10)
			return SH_DATE;
		if (n >= 16 && s[10] == ' ' && s[13] == ':')
			return SH_ODOODT;
		if (n >= 16 && s[10] == 'T' && s[13] == ':')
			return SH_ISODT;
	}
	if (at && at > s && memchr(at, '.', n - (size_t)(at - s)) && !memchr(s, ' ', n))
		return SH_EMAIL;
	if ((n > 7 && strncmp(s, "http://", 7) == 0) || (n > 8 && strncmp(s, "https://", 8) == 0))
		return SH_URL;
	if (n == 2 && isupper((unsigned char)s[0]) && isupper((unsigned char)s[1]))
		return SH_COUNTRY;
	if (n == 3 && all(s, n, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
		return SH_CURRENCY;
	for (i = 0; i < n; i++)
		nd += isdigit((unsigned char)s[i]) != 0;
	if (all(s, n, "0123456789.-") && nd > 0) {
		const char *dot = memchr(s, '.', n);

		return dot && n - (size_t)(dot - s) - 1 <= 4 ? SH_AMOUNT : SH_NUMSTR;
	}
	if (nd >= 6 && all(s, n, "0123456789+-() ./x"))
		return SH_PHONE;
	/* a reference: S00012, INV/2026/00001, FURN_7777 (letters and digits,
	 * no space) */
	if (n >= 3 && n <= 40 && nd > 0 && nd < n && !memchr(s, ' ', n))
		return SH_CODE;
	return -1;
}

/* keep a distinct value (trimmed, compared ignoring case, at most MAXVALLEN bytes) */
static void
keep_value(struct field *f, const char *s, size_t n)
{
	char v[MAXVALLEN + 1];
	size_t i, k = 0;
	int j;

	while (n > 0 && isspace((unsigned char)*s))
		s++, n--;
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n == 0 || f->nvals == MAXVALS)
		return;
	for (i = 0; i < n && k < MAXVALLEN; i++)
		v[k++] = s[i];
	v[k] = '\0';
	for (j = 0; j < f->nvals; j++)
		if (strcasecmp(f->vals[j], v) == 0)
			return;
	if ((f->vals[f->nvals] = strdup(v)) != NULL)
		f->nvals++;
}

static void
keep_number(struct field *f, double d)
{
	char t[64];

	if (f->nvals == MAXVALS)
		return;
	snprintf(t, sizeof t, "%.12g", d);
	keep_value(f, t, strlen(t));
}

static struct field *field_get(struct suggest *sg, struct side *sd, const char *name,
                               struct ep_err *err);
static struct side *items_of(struct field *f);
static int profile(struct suggest *sg, struct field *f, const cJSON *v, int depth,
                   struct ep_err *err);

/* the objects of a field of lines, profiled as records of its items side
 * (one level: lines of lines are not looked into) */
static int
profile_items(struct suggest *sg, struct field *f, const cJSON *arr, struct ep_err *err)
{
	const cJSON *it, *m;
	struct side *sd = items_of(f);

	if (sd == NULL)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	cJSON_ArrayForEach(it, arr) {
		if (!cJSON_IsObject(it))
			continue;
		sd->records++;
		sd->hint = 0;
		for (m = it->child; m; m = m->next) {
			struct field *g;

			if (m->string[0] == '_' || m->string[0] == '@')
				continue;
			if ((g = field_get(sg, sd, m->string, err)) == NULL)
				return -1;
			profile(sg, g, m, 1, err);
		}
	}
	return 0;
}

static int
profile(struct suggest *sg, struct field *f, const cJSON *v, int depth, struct ep_err *err)
{
	f->seen++;
	if (cJSON_IsNull(v)) {
		f->e_null++;
		return 0;
	}
	if (cJSON_IsFalse(v) && f->kind[K_BOOL] == 0) {
		/* Odoo's empty, unless the field is a boolean */
		f->e_false++;
		return 0;
	}
	if (cJSON_IsBool(v)) {
		if (f->e_false) /* the falses seen so far were booleans */
			f->kind[K_BOOL] += f->e_false, f->e_false = 0;
		f->kind[K_BOOL]++;
		keep_value(f, cJSON_IsTrue(v) ? "true" : "false", cJSON_IsTrue(v) ? 4 : 5);
		return 0;
	}
	if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;
		int isint = d == floor(d) && fabs(d) < 9e15;

		f->kind[isint ? K_INT : K_NUM]++;
		if (!isint)
			f->shape[SH_AMOUNT]++;
		keep_number(f, d);
		return 0;
	}
	if (cJSON_IsString(v)) {
		size_t n = strlen(v->valuestring);
		int sh;

		if (n == 0) {
			f->e_str++;
			return 0;
		}
		f->kind[K_STR]++;
		if ((sh = shape_of(v->valuestring, n)) >= 0)
			f->shape[sh]++;
		keep_value(f, v->valuestring, n);
		return 0;
	}
	if (cJSON_IsArray(v)) {
		const cJSON *a = v->child;

		if (a == NULL) {
			f->e_null++; /* no lines: says nothing of their kind */
			return 0;
		}
		if (a && cJSON_IsNumber(a) && a->next && cJSON_IsString(a->next) &&
		    a->next->next == NULL) {
			f->kind[K_M2O]++;
			keep_value(f, a->next->valuestring, strlen(a->next->valuestring));
		} else if (a && cJSON_IsObject(a)) {
			f->kind[K_LINES]++;
			if (depth == 0)
				return profile_items(sg, f, v, err);
		} else
			f->kind[K_ARR]++;
		return 0;
	}
	f->kind[K_OBJ]++;
	return 0;
}

int
suggest_record(struct suggest *sg, int side, const char *line, size_t len, struct ep_err *err)
{
	struct side *sd = &sg->s[side ? 1 : 0];
	struct json_tree_err je = { NULL, 0, BUF_INIT };
	cJSON *r, *m;

	if (sd->records >= sg->max_records)
		return 0;
	if ((r = json_tree_parse(line, len, &je)) == NULL) {
		ep_errf(err, EP_DATAERR, "not JSON: %s", je.why ? je.why : "out of memory");
		buf_release(&je.path);
		return -1;
	}
	buf_release(&je.path);
	if (!cJSON_IsObject(r)) {
		cJSON_Delete(r);
		return ep_errf(err, EP_DATAERR, "not a JSON object");
	}
	if (r->child && r->child->next == NULL && r->child->string &&
	    strcmp(r->child->string, "_checkpoint") == 0) {
		cJSON_Delete(r);
		return 0;
	}
	sd->records++;
	sd->hint = 0;
	for (m = r->child; m; m = m->next) {
		struct field *f;

		if (m->string[0] == '_' || m->string[0] == '@')
			continue; /* _op, _key; @odata.etag */
		if ((f = field_get(sg, sd, m->string, err)) == NULL) {
			cJSON_Delete(r);
			return -1;
		}
		if (profile(sg, f, m, 0, err) < 0) {
			cJSON_Delete(r);
			return -1;
		}
	}
	cJSON_Delete(r);
	return 0;
}

int
suggest_read(struct suggest *sg, int side, const char *path, struct ep_err *err)
{
	struct ndjson_reader r;
	struct ndjson_line l;
	enum ndjson_kind k;
	int rc = 0;

	if (ndjson_open(&r, path, sg->max_line, err) < 0)
		return -1;
	while ((k = ndjson_next(&r, &l, err)) != NDJ_EOF) {
		if (k == NDJ_ERROR) {
			rc = -1;
			break;
		}
		if (k == NDJ_TOO_LONG) {
			rc = ep_errf(err, EP_DATAERR, "%s:%llu: line too long", r.name,
			             (unsigned long long)l.lineno);
			break;
		}
		if (suggest_record(sg, side, l.p, l.len, err) < 0) {
			ep_err_prefix(err, "%s:%llu", r.name, (unsigned long long)l.lineno);
			rc = -1;
			break;
		}
		if (sg->s[side ? 1 : 0].records >= sg->max_records)
			break;
	}
	ndjson_close(&r);
	return rc;
}

/* ---- the target's schema ------------------------------------------------------ */

static unsigned
type_bit(const char *t)
{
	static const char *const names[] = { "string", "number", "integer", "boolean",
		                             "array",  "object", "null" };
	unsigned i;

	for (i = 0; i < 7; i++)
		if (strcmp(t, names[i]) == 0)
			return 1u << i;
	return 0;
}

/* type, format from a property and from its if/then (NAV's "then": format) */
static void
schema_prop(struct field *f, const cJSON *p)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(p, "type"), *x;

	if (cJSON_IsString(t))
		f->types |= type_bit(t->valuestring);
	else if (cJSON_IsArray(t))
		cJSON_ArrayForEach(x, t)
			if (cJSON_IsString(x))
				f->types |= type_bit(x->valuestring);
	x = cJSON_GetObjectItemCaseSensitive(p, "format");
	if (cJSON_IsString(x) && f->format == NULL)
		f->format = strdup(x->valuestring);
	x = cJSON_GetObjectItemCaseSensitive(p, "then");
	if (cJSON_IsObject(x))
		schema_prop(f, x);
	x = cJSON_GetObjectItemCaseSensitive(p, "enum");
	if (cJSON_IsArray(x))
		cJSON_ArrayForEach(t, x) {
			f->nenum++;
			if (cJSON_IsString(t))
				keep_value(f, t->valuestring, strlen(t->valuestring));
		}
	x = cJSON_GetObjectItemCaseSensitive(p, "$ref");
	if (cJSON_IsString(x) && f->ref == NULL) {
		const char *slash = strrchr(x->valuestring, '/');

		f->ref = strdup(slash ? slash + 1 : x->valuestring);
		f->odoo = strstr(x->valuestring, "fields.schema.json") != NULL;
		if (!f->odoo && strstr(x->valuestring, "#/$defs/") != NULL)
			f->types |= T_ARRAY; /* a line's or item's definition */
	}
	x = cJSON_GetObjectItemCaseSensitive(p, "items");
	if (cJSON_IsObject(x))
		f->types |= T_ARRAY;
}

static int schema_props(struct suggest *sg, struct side *sd, const cJSON *obj, const cJSON *root,
                        const char *name, int depth, struct ep_err *err);

/* the object schema of a field's lines: items with properties, a
 * "#/$defs/X" of the same document, or (Odoo's) another schema file next to
 * this one; tree holds a file read, freed by the caller */
static const cJSON *
item_schema(const cJSON *p, const cJSON *root, const char *name, cJSON **tree)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(p, "items"), *ref, *then;
	struct json_tree_err je = { NULL, 0, BUF_INIT };
	struct ep_err e = EP_ERR_INIT;
	struct buf b = BUF_INIT, path = BUF_INIT;
	const char *slash;

	*tree = NULL;
	if (!cJSON_IsObject(it))
		return NULL;
	if (cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(it, "properties")))
		return it;
	ref = cJSON_GetObjectItemCaseSensitive(it, "$ref");
	then = cJSON_GetObjectItemCaseSensitive(it, "then");
	if (!cJSON_IsString(ref) && cJSON_IsObject(then))
		ref = cJSON_GetObjectItemCaseSensitive(then, "$ref");
	if (!cJSON_IsString(ref))
		return NULL;
	if (strncmp(ref->valuestring, "#/$defs/", 8) == 0)
		return cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(root, "$defs"), ref->valuestring + 8);
	if (strchr(ref->valuestring, '#') || strchr(ref->valuestring, '/') ||
	    strstr(ref->valuestring, "..") || (slash = strrchr(name, '/')) == NULL)
		return NULL; /* only a file beside this one */
	buf_init(&path, 8192);
	buf_add(&path, name, (size_t)(slash - name) + 1);
	buf_adds(&path, ref->valuestring);
	if (slurp(buf_str(&path), &b, &e) == 0)
		*tree = json_tree_parse(buf_str(&b), b.len, &je);
	buf_release(&je.path);
	buf_release(&b);
	buf_release(&path);
	return *tree;
}

/* the properties of schema obj as fields of sd; lines one level down */
static int
schema_props(struct suggest *sg, struct side *sd, const cJSON *obj, const cJSON *root,
             const char *name, int depth, struct ep_err *err)
{
	const cJSON *props = cJSON_GetObjectItemCaseSensitive(obj, "properties"), *p;
	const cJSON *req = cJSON_GetObjectItemCaseSensitive(obj, "required");

	cJSON_ArrayForEach(p, props) {
		const cJSON *ro = cJSON_GetObjectItemCaseSensitive(p, "readOnly"), *d, *r, *is;
		struct field *f;
		cJSON *tree;

		if (!cJSON_IsObject(p) || p->string[0] == '_')
			continue; /* _op, _key */
		if ((f = field_get(sg, sd, p->string, err)) == NULL)
			return -1;
		f->readonly = cJSON_IsTrue(ro);
		/* created/modified stamps are the target's own (never synced) */
		if (f->ntok == 1 &&
		    (strcmp(f->tok[0], "created") == 0 || strcmp(f->tok[0], "modified") == 0))
			f->readonly = 1;
		f->schema = 1;
		schema_prop(f, p);
		d = cJSON_GetObjectItemCaseSensitive(p, "description");
		if (cJSON_IsString(d) && f->ndtok == 0) {
			char *w;
			int k = concepts(sg, d->valuestring, f->dtok, &w);

			free(w);
			f->ndtok = k < 0 ? 0 : k;
		}
		cJSON_ArrayForEach(r, req)
			if (cJSON_IsString(r) && strcmp(r->valuestring, p->string) == 0)
				f->required = 1;
		if (depth == 0 && (is = item_schema(p, root, name, &tree)) != NULL) {
			struct side *it = items_of(f);
			int rc = it ? schema_props(sg, it, is, tree ? tree : root, name, 1, err)
			            : ep_errf(err, EP_SOFTWARE, "out of memory");

			cJSON_Delete(tree);
			if (rc < 0)
				return -1;
		}
	}
	return 0;
}

int
suggest_schema(struct suggest *sg, const char *text, size_t len, const char *name,
               struct ep_err *err)
{
	struct json_tree_err je = { NULL, 0, BUF_INIT };
	cJSON *doc = json_tree_parse(text, len, &je);
	int rc;

	buf_release(&je.path);
	if (doc == NULL)
		return ep_errf(err, EP_DATAERR, "%s: not JSON: %s", name,
		               je.why ? je.why : "out of memory");
	if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(doc, "properties"))) {
		cJSON_Delete(doc);
		return ep_errf(err, EP_DATAERR, "%s: a schema with no properties", name);
	}
	rc = schema_props(sg, &sg->s[SUGGEST_TARGET], doc, doc, name, 0, err);
	cJSON_Delete(doc);
	return rc;
}

static int
ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), k = strlen(suf);

	return n >= k && strcmp(s + n - k, suf) == 0;
}

int
suggest_target(struct suggest *sg, const char *name, struct ep_err *err)
{
	char path[4096];
	struct buf b = BUF_INIT;
	int rc;

	if (ends_with(name, ".ndjson") || ends_with(name, ".jsonl") || strcmp(name, "-") == 0) {
		if (suggest_read(sg, SUGGEST_TARGET, name, err) < 0)
			return -1;
		return suggest_label(sg, SUGGEST_TARGET, name);
	}
	if (ep_find(name, "schemas", ".schema.json", NULL, path, sizeof path) < 0)
		return ep_errf(err, EP_NOINPUT, "cannot find schema '%s'", name);
	rc = slurp(path, &b, err);
	if (rc == 0)
		rc = suggest_schema(sg, buf_str(&b), b.len, path, err);
	buf_release(&b);
	if (rc == 0)
		rc = suggest_label(sg, SUGGEST_TARGET, name);
	return rc;
}

int
suggest_label(struct suggest *sg, int side, const char *label)
{
	struct side *sd = &sg->s[side ? 1 : 0];
	size_t n = sd->label ? strlen(sd->label) : 0;
	char *l = realloc(sd->label, n + strlen(label) + 4);

	if (l == NULL)
		return -1;
	if (n)
		strcpy(l + n, " + "), n += 3;
	strcpy(l + n, label);
	sd->label = l;
	return 0;
}

static struct side *
items_of(struct field *f)
{
	if (f->items == NULL)
		f->items = calloc(1, sizeof *f->items);
	return f->items;
}

/* ---- context ------------------------------------------------------------------- */

struct suggest *
suggest_new(const struct suggest_opts *o, struct ep_err *err)
{
	struct suggest *sg = calloc(1, sizeof *sg);
	char path[4096];

	if (sg == NULL) {
		ep_errf(err, EP_SOFTWARE, "out of memory");
		return NULL;
	}
	sg->threshold = o->threshold > 0 ? o->threshold : 0.7;
	sg->max_records = o->max_records ? o->max_records : (size_t)-1;
	sg->max_line = o->max_line ? o->max_line : NDJ_DEFAULT_MAX_LINE;
	if (o->synonyms) {
		struct buf b = BUF_INIT;
		int rc = slurp(o->synonyms, &b, err);

		if (rc == 0)
			rc = suggest_synonyms(sg, buf_str(&b), b.len, o->synonyms, err);
		buf_release(&b);
		if (rc == 0 && (sg->synpath = strdup(o->synonyms)) == NULL)
			rc = ep_errf(err, EP_SOFTWARE, "out of memory");
		if (rc < 0) {
			suggest_free(sg);
			return NULL;
		}
	}
	sg->have_countries = ep_find("nav/countries.csv", "maps", "", NULL, path, sizeof path) == 0;
	return sg;
}

static void
side_free(struct side *sd)
{
	int i, j;

	for (i = 0; i < sd->n; i++) {
		struct field *f = &sd->f[i];

		if (f->items) {
			side_free(f->items);
			free(f->items);
		}
		free(f->name);
		free(f->whole);
		free(f->format);
		free(f->ref);
		for (j = 0; j < f->ntok; j++)
			free(f->tok[j]);
		for (j = 0; j < f->ndtok; j++)
			free(f->dtok[j]);
		for (j = 0; j < f->nvals; j++)
			free(f->vals[j]);
	}
	free(sd->f);
	free(sd->label);
}

void
suggest_free(struct suggest *sg)
{
	int i;

	if (sg == NULL)
		return;
	side_free(&sg->s[0]);
	side_free(&sg->s[1]);
	for (i = 0; i < sg->nsyn; i++) {
		free(sg->syn[i].variant);
		free(sg->syn[i].concept);
	}
	free(sg->syn);
	free(sg->synpath);
	free(sg);
}

/* ---- evidence ------------------------------------------------------------------ */

/* the most frequent kind of a field's values, or -1 when all were empty */
static int
kind_of(const struct field *f)
{
	int k, best = -1;
	unsigned long n = 0;

	for (k = 0; k < K_N; k++)
		if (f->kind[k] > n)
			n = f->kind[k], best = k;
	/* 2500.5, 0, 120: numbers, not integers */
	return best == K_INT && f->kind[K_NUM] > 0 ? K_NUM : best;
}

/* the shape most of a field's non-empty values have (half or more), or -1 */
static int
shape_mostly(const struct field *f)
{
	unsigned long n = 0;
	int k, best = -1;

	for (k = 0; k < K_N; k++)
		n += f->kind[k];
	for (k = 0; k < SH_N; k++)
		if (f->shape[k] * 2 >= n && n > 0 && (best < 0 || f->shape[k] > f->shape[best]))
			best = k;
	if (best == SH_NAVNODATE && f->shape[SH_DATE] > 0)
		best = SH_DATE;
	return best;
}

/* the shape a target field wants, from its schema or its sample, or -1 */
static int
shape_wanted(const struct field *t)
{
	int sh;

	if (t->format) {
		if (strstr(t->format, "email"))
			return SH_EMAIL;
		if (strcmp(t->format, "date") == 0)
			return SH_DATE;
		if (strcmp(t->format, "date-time") == 0)
			return SH_ISODT;
		if (strcmp(t->format, "iso3166") == 0)
			return SH_COUNTRY;
		if (strcmp(t->format, "iso4217") == 0)
			return SH_CURRENCY;
	}
	if (t->ref && strcmp(t->ref, "date") == 0)
		return SH_DATE;
	if (t->ref && strcmp(t->ref, "datetime") == 0)
		return SH_ODOODT;
	sh = shape_mostly(t);
	return sh == SH_NAVNODATE ? SH_DATE : sh;
}

static int
is_dateish(int sh)
{
	return sh == SH_DATE || sh == SH_ODOODT || sh == SH_ISODT || sh == SH_NAVNODATE;
}

/* a target's kind: from the schema, else its sample */
enum { TK_ANY, TK_STRING, TK_NUMBER, TK_INTEGER, TK_BOOL, TK_M2O, TK_LINES, TK_OBJECT };

static int
tkind(const struct field *t)
{
	int k;

	if (t->ref) {
		if (strcmp(t->ref, "many2one") == 0)
			return TK_M2O;
		if (strncmp(t->ref, "x2many", 6) == 0 || (t->types & T_ARRAY))
			return TK_LINES;
		if (strcmp(t->ref, "integer") == 0)
			return TK_INTEGER;
		if (strcmp(t->ref, "number") == 0)
			return TK_NUMBER;
		if (strcmp(t->ref, "boolean") == 0)
			return TK_BOOL;
		if (strcmp(t->ref, "binary") == 0 || strcmp(t->ref, "reference") == 0)
			return TK_OBJECT;
		return TK_STRING; /* text, selection, date, datetime */
	}
	if (t->types & T_ARRAY)
		return TK_LINES;
	if (t->types & T_STRING)
		return TK_STRING;
	if (t->types & T_INTEGER)
		return TK_INTEGER;
	if (t->types & T_NUMBER)
		return TK_NUMBER;
	if (t->types & T_BOOLEAN)
		return TK_BOOL;
	if (t->types & T_OBJECT)
		return TK_OBJECT;
	if (t->nenum)
		return TK_STRING;
	switch ((k = kind_of(t))) {
	case K_BOOL:
		return TK_BOOL;
	case K_INT:
		return TK_INTEGER;
	case K_NUM:
		return TK_NUMBER;
	case K_STR:
		return TK_STRING;
	case K_M2O:
		return TK_M2O;
	case K_LINES:
	case K_ARR:
		return TK_LINES;
	case K_OBJ:
		return TK_OBJECT;
	}
	return TK_ANY;
}

static int bool_values(const struct field *t, const struct field *s, const char **tv,
                       const char **fv);

/* how well a source's values fit a target's type, 0 (never) .. 1 */
static double
compat(const struct field *t, const struct field *s)
{
	int tk = tkind(t), sk = kind_of(s), sh = shape_mostly(s);

	if (sk < 0)
		return tk == TK_LINES ? 0 : 0.5; /* only empties seen */
	if (tk == TK_LINES)
		return sk == K_LINES || sk == K_ARR ? 1 : 0;
	if (sk == K_LINES || sk == K_ARR || sk == K_OBJ)
		return 0;
	if (tk == TK_OBJECT)
		return 0;
	switch (sk) {
	case K_M2O:
		return tk == TK_STRING || tk == TK_M2O ? 0.9 : tk == TK_INTEGER ? 0.7 : 0;
	case K_BOOL:
		if (tk == TK_STRING) {
			const char *tv, *fv;

			/* a boolean fits text only as two of the target's values */
			if (bool_values(t, s, &tv, &fv))
				return 1;
			return t->nenum || has_concept(t, "status") ? 0.5 : 0;
		}
		return tk == TK_BOOL ? 1 : tk == TK_ANY ? 0.5 : 0;
	case K_INT:
		return tk == TK_INTEGER || tk == TK_NUMBER ? 1
		       : tk == TK_STRING                   ? 0.6
		       : tk == TK_M2O                      ? 0.5
		       : tk == TK_ANY                      ? 0.5
		                                           : 0.1;
	case K_NUM:
		return tk == TK_NUMBER    ? 1
		       : tk == TK_INTEGER ? 0.6
		       : tk == TK_STRING  ? 0.4
		       : tk == TK_ANY     ? 0.5
		                          : 0;
	case K_STR:
		if (tk == TK_NUMBER || tk == TK_INTEGER)
			return sh == SH_AMOUNT || sh == SH_NUMSTR ? 0.8 : 0;
		if (tk == TK_BOOL)
			return 0.3;
		if (tk == TK_M2O)
			return is_dateish(sh) || sh == SH_AMOUNT ? 0 : 0.8;
		return 1;
	}
	return 0.5;
}

/* distinct values shared: 0..1 of the smaller set, or -1 (too few to say) */
static double
overlap(const struct field *t, const struct field *s, int *common)
{
	int i, j, c = 0, m = t->nvals < s->nvals ? t->nvals : s->nvals;

	*common = 0;
	if (m < 2 || kind_of(s) == K_BOOL)
		return -1;
	for (i = 0; i < t->nvals; i++)
		for (j = 0; j < s->nvals; j++)
			if (strcasecmp(t->vals[i], s->vals[j]) == 0) {
				c++;
				break;
			}
	*common = c;
	return (double)c / m;
}

struct cand {
	int t, s;
	double score, name, value, type;
	const char *why;
	int common, vkind; /* vkind: 0 none, 1 overlap, 2 shape agrees, 3 shape differs */
};

static void
score(struct suggest *sg, int ti, int si, struct cand *c)
{
	const struct field *t = &sg->s[1].f[ti], *s = &sg->s[0].f[si];
	int want = shape_wanted(t), have = shape_mostly(s);
	double ov;

	memset(c, 0, sizeof *c);
	c->t = ti;
	c->s = si;
	c->type = compat(t, s);
	c->name = name_sim(t, s, &c->why);
	if (c->type == 0)
		return;
	if (tkind(t) == TK_LINES && kind_of(s) == K_LINES && sg->lines[0] == 1 &&
	    sg->lines[1] == 1) {
		c->value = 1;
		c->vkind = 4; /* the only lines on either side */
	} else if ((ov = overlap(t, s, &c->common)) > 0) {
		c->value = 0.5 + 0.5 * ov;
		c->vkind = 1;
	} else if (ov == 0) {
		/* samples of other records may share nothing: no sign either way */
		c->value = c->name;
		c->vkind = 1;
	} else if (want >= 0 && want != SH_AMOUNT && want != SH_NUMSTR && kind_of(s) != K_M2O &&
	           have >= 0) {
		int agree = want == have || (is_dateish(want) && is_dateish(have));

		c->value = agree ? 1 : 0;
		c->vkind = agree ? 2 : 3;
	} else
		c->value = c->name;
	c->score = 0.6 * c->name + 0.25 * c->value + 0.15 * c->type;
	if (c->vkind == 3 && have >= 0)
		c->score *= 0.7; /* a clear shape that is not the one wanted */
}

static int
cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	if (x->t != y->t)
		return x->t - y->t;
	return x->s - y->s;
}

/* ---- the draft ----------------------------------------------------------------- */

#ifndef REUSE
#define REUSE 0.96
#endif
struct pick {
	int kind; /* 0 none, 1 pair, 2 join name, 3 first word, 4 rest words, 5 address */
	struct cand c;
	int parts[4], nparts;
};

/* the empty value the target writes: Odoo false, a nullable field null, a
 * text field "", else null */
static const char *
empty_of(const struct field *t)
{
	if (t->odoo)
		return "false";
	if ((t->types & T_NULL) || t->types == 0)
		return "null";
	if (t->types & T_STRING)
		return "\"\"";
	return "null";
}

static int
has_empties(const struct field *s)
{
	return s->e_false + s->e_null + s->e_str > 0;
}

/* a field read: $name, or $["odd name"] */
static void
ref(struct buf *b, const char *name)
{
	const char *p = name;
	int plain = isalpha((unsigned char)*p) || *p == '_';

	for (; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			plain = 0;
	if (plain) {
		buf_addf(b, "$%s", name);
		return;
	}
	buf_adds(b, "$[\"");
	for (p = name; *p; p++) {
		if (*p == '"' || *p == '\\' || *p == '$')
			buf_addc(b, '\\');
		buf_addc(b, *p);
	}
	buf_adds(b, "\"]");
}

/* every value seen is a word to_bool() knows */
static int
truth_words(const struct field *s)
{
	static const char *const w[] = { "true", "false", "yes", "no", "y", "n",
		                         "on",   "off",   "1",   "0",  NULL };
	int i, j, ok;

	for (i = 0; i < s->nvals; i++) {
		for (ok = 0, j = 0; w[j] && !ok; j++)
			ok = strcasecmp(s->vals[i], w[j]) == 0;
		if (!ok)
			return 0;
	}
	return s->nvals == 0 || s->nvals < MAXVALS;
}

/* a string literal */
static void
lit(struct buf *b, const char *s)
{
	buf_addc(b, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\' || *s == '$')
			buf_addc(b, '\\');
		if ((unsigned char)*s < 0x20)
			buf_addf(b, "\\u%04x", (unsigned char)*s);
		else
			buf_addc(b, *s);
	}
	buf_addc(b, '"');
}

/* a boolean source as two of the target's values: the one named as the
 * source is (active -> "Active") for true, its negation ("Inactive",
 * "Unpaid", "Not active") or the only other value for false */
static int
bool_values(const struct field *t, const struct field *s, const char **tv, const char **fv)
{
	static const char *const neg[] = { "in", "un", "not ", "non", "non-", "dis", NULL };
	struct buf b = BUF_INIT;
	const char *base;
	int i, j;

	/* is_active, IsActive: "active", the name's last word */
	*tv = *fv = NULL;
	if (suggest_tokens(s->name, &b) < 0 || b.len == 0) {
		buf_release(&b);
		return 0;
	}
	base = strrchr(b.p, ' ') ? strrchr(b.p, ' ') + 1 : b.p;
	for (i = 0; i < t->nvals; i++)
		if (strcasecmp(t->vals[i], base) == 0)
			*tv = t->vals[i];
	buf_release(&b);
	if (*tv == NULL)
		return 0;
	for (i = 0; i < t->nvals && *fv == NULL; i++)
		for (j = 0; neg[j]; j++) {
			size_t k = strlen(neg[j]);

			if (strncasecmp(t->vals[i], neg[j], k) == 0 &&
			    strcasecmp(t->vals[i] + k, *tv) == 0)
				*fv = t->vals[i];
		}
	if (*fv == NULL && t->nvals == 2)
		*fv = t->vals[0] == *tv ? t->vals[1] : t->vals[0];
	return *fv != NULL;
}

/* the expression for target t from source s, with what it converts in why */
static void
expr_pair(struct suggest *sg, const struct field *t, const struct field *s, struct buf *e,
          const char **conv)
{
	int tk = tkind(t), sk = kind_of(s), want = shape_wanted(t), have = shape_mostly(s);
	const char *empty = empty_of(t), *tv, *fv;
	struct buf r = BUF_INIT;
	int i;

	buf_init(&r, 4096);
	ref(&r, s->name);
	*conv = NULL;
	if (sk == K_LINES || sk == K_ARR) {
		buf_adds(e, buf_str(&r));
		*conv = "copied as they are: write a sub-mapping";
	} else if (sk == K_M2O) {
		if (tk == TK_INTEGER || tk == TK_M2O) {
			buf_addf(e, "%s[0]%s%s", buf_str(&r), tk == TK_M2O ? " ?? " : "",
			         tk == TK_M2O ? empty : "");
			*conv = "many2one's id";
		} else if (want == SH_COUNTRY && sg->have_countries) {
			buf_addf(e, "lookup(\"nav/countries.csv\", %s[1], \"code\")", buf_str(&r));
			if (strcmp(empty, "null") != 0)
				buf_addf(e, " ?? %s", empty);
			*conv = "many2one's name to its ISO code (nav/countries.csv)";
		} else {
			buf_addf(e, "%s[1]", buf_str(&r));
			if (strcmp(empty, "null") != 0)
				buf_addf(e, " ?? %s", empty);
			*conv = "many2one's name";
		}
	} else if (sk == K_BOOL && tk == TK_STRING && bool_values(t, s, &tv, &fv)) {
		buf_addf(e, "%s ? ", buf_str(&r));
		lit(e, tv);
		buf_adds(e, " : ");
		lit(e, fv);
		*conv = "boolean as the target's values";
	} else if (sk == K_BOOL && tk == TK_STRING) {
		buf_addf(e, "to_string(%s)", buf_str(&r));
		*conv = "boolean as text";
	} else if ((sk == K_INT || sk == K_NUM) && tk == TK_STRING) {
		buf_addf(e, "to_string(%s)", buf_str(&r));
		if (strcmp(empty, "null") != 0)
			buf_addf(e, " ?? %s", empty);
		*conv = "number as text";
	} else if (sk == K_NUM && tk == TK_INTEGER) {
		buf_addf(e, "to_int(%s)", buf_str(&r));
		*conv = "truncated to an integer";
	} else if (sk == K_STR && (tk == TK_NUMBER || tk == TK_INTEGER) &&
	           s->shape[SH_NUMSTR] + s->shape[SH_AMOUNT] == s->kind[K_STR]) {
		buf_addf(e, "%s(%s)", tk == TK_INTEGER ? "to_int" : "to_number", buf_str(&r));
		*conv = "text as a number";
	} else if (sk == K_STR && tk == TK_BOOL && truth_words(s)) {
		buf_addf(e, "to_bool(%s)", buf_str(&r));
		*conv = "text as a boolean";
	} else if (sk == K_STR && tk == TK_BOOL) {
		const char *v = s->vals[0];

		for (i = 0; i < s->nvals; i++)
			if (strcasecmp(s->vals[i],
			               strncmp(t->name, "is_", 3) ? t->name : t->name + 3) == 0)
				v = s->vals[i];
		buf_addf(e, "%s == ", buf_str(&r));
		lit(e, v ? v : "");
		*conv = v == s->vals[0] && (s->nvals == 0 || strcasecmp(v, t->name))
		                ? "true for the first value seen: check"
		                : "true for the value named so";
	} else if (sk == K_STR && tk == TK_M2O) {
		buf_addf(e, "%s ? {\"match\": {\"%s\": %s}} : false", buf_str(&r),
		         have == SH_COUNTRY || have == SH_CURRENCY ? "code" : "name", buf_str(&r));
		*conv = "many2one found by its name";
	} else if (have == SH_ODOODT && want == SH_ISODT) {
		buf_addf(e, "odoo_to_iso(%s)", buf_str(&r));
		*conv = "Odoo date-time to ISO 8601";
	} else if ((have == SH_ODOODT || have == SH_ISODT) && want == SH_DATE && !t->odoo &&
	           !(t->types & T_NULL)) {
		buf_addf(e, "to_nav_date(%s)", buf_str(&r));
		*conv = "date-time to NAV's date";
	} else if ((have == SH_ODOODT || have == SH_ISODT) && want == SH_DATE) {
		buf_addf(e, "substr(%s, 0, 10)", buf_str(&r));
		if (strcmp(empty, "null") != 0)
			buf_addf(e, " ?? %s", empty);
		*conv = "date-time cut to its day";
	} else if (have == SH_ISODT && want == SH_ODOODT) {
		buf_addf(e, "iso_to_odoo(%s)", buf_str(&r));
		if (t->odoo)
			buf_adds(e, " ?? false");
		*conv = "ISO 8601 to Odoo's UTC date-time";
	} else if ((have == SH_DATE || s->shape[SH_NAVNODATE]) && want == SH_ODOODT) {
		int nav = s->shape[SH_NAVNODATE] > 0;
		const char *o = nav ? "from_nav_date(" : "", *c = nav ? ")" : "";

		buf_addf(e, "%s%s%s ? %s%s%s . \" 00:00:00\" : %s", o, buf_str(&r), c, o,
		         buf_str(&r), c, empty);
		*conv = "a date as Odoo's date-time at midnight";
	} else if (have == SH_DATE && want == SH_ISODT) {
		buf_addf(e, "%s ? %s . \"T00:00:00Z\" : null", buf_str(&r), buf_str(&r));
		*conv = "date as a date-time";
	} else if (s->shape[SH_NAVNODATE] && is_dateish(want)) {
		buf_addf(e, "from_nav_date(%s)", buf_str(&r));
		if (strcmp(empty, "null") != 0)
			buf_addf(e, " ?? %s", empty);
		*conv = "NAV's 0001-01-01 as no date";
	} else if (have == SH_DATE && want == SH_DATE && !t->odoo && !(t->types & T_NULL) &&
	           has_empties(s)) {
		buf_addf(e, "to_nav_date(%s)", buf_str(&r));
		*conv = "no date as NAV's 0001-01-01";
	} else if (has_empties(s) && tk == TK_STRING) {
		/* the target's own empty */
		buf_addf(e, "%s ?: %s", buf_str(&r), empty);
		*conv = strcmp(empty, "false") == 0  ? "empty as Odoo's false"
		        : strcmp(empty, "null") == 0 ? "empty as null"
		                                     : "empty as \"\"";
	} else
		buf_adds(e, buf_str(&r));
	buf_release(&r);
}

static void
reason(struct buf *b, const struct suggest *sg, const struct cand *c, const char *conv)
{
	const struct field *t = &sg->s[1].f[c->t], *s = &sg->s[0].f[c->s];
	int sk = kind_of(s), sh = shape_mostly(s);

	buf_addf(b, "# %.2f %s %.2f", c->score, c->why, c->name);
	if (c->vkind == 1)
		buf_addf(b, ", values %d of %d shared", c->common,
		         t->nvals < s->nvals ? t->nvals : s->nvals);
	else if (c->vkind == 2)
		buf_addf(b, ", shape %s", sh >= 0 ? shape_name[sh] : "agrees");
	else if (c->vkind == 3)
		buf_addf(b, ", shape %s not wanted", sh >= 0 ? shape_name[sh] : "unknown");
	else if (c->vkind == 4)
		buf_adds(b, ", the only lines on either side");
	buf_addf(b, ", %s", sk >= 0 ? kind_name[sk] : "empty");
	if (conv)
		buf_addf(b, " (%s)", conv);
}

static int
find_src(const struct suggest *sg, const char *concept, int alone)
{
	const struct side *S = &sg->s[0];
	int i;

	for (i = 0; i < S->n; i++)
		if (alone ? S->f[i].ntok == 1 && strcmp(S->f[i].tok[0], concept) == 0
		          : has_concept(&S->f[i], concept))
			if (kind_of(&S->f[i]) == K_STR || kind_of(&S->f[i]) < 0)
				return i;
	return -1;
}

static int
tgt_has(const struct suggest *sg, const char *concept)
{
	int i;

	for (i = 0; i < sg->s[1].n; i++)
		if (has_concept(&sg->s[1].f[i], concept))
			return 1;
	return 0;
}

static int
find_id(const struct suggest *sg)
{
	const struct side *S = &sg->s[0];
	int i;

	for (i = 0; i < S->n; i++)
		if (strcmp(S->f[i].name, "id") == 0 && kind_of(&S->f[i]) == K_INT)
			return i;
	return -1;
}

/* the known compositions, before the pairs: first + last name -> name, a
 * name -> its first and other words, street + zip + city -> one address
 * line (when the target has no zip or city of its own), the record's own
 * id -> the target's external id */
static void
compose(struct suggest *sg, struct pick *pk)
{
	struct side *T = &sg->s[1];
	int first = find_src(sg, "firstname", 0), last = find_src(sg, "lastname", 0);
	int name = find_src(sg, "name", 1), street = find_src(sg, "street", 0);
	int street2 = find_src(sg, "street2", 0), zip = find_src(sg, "postcode", 0);
	int city = find_src(sg, "city", 0), id = find_id(sg), i;
	int t_zipcity = tgt_has(sg, "postcode") || tgt_has(sg, "city");
	int done[7] = { 0 }; /* one address line, one external id */
	int plain_name = 0;  /* a target called name: the one the names join into */

	for (i = 0; i < T->n; i++)
		plain_name |= !T->f[i].readonly && strcmp(T->f[i].whole, "name") == 0;

	for (i = 0; i < T->n; i++) {
		struct field *t = &T->f[i];

		if (t->readonly || tkind(t) != TK_STRING || t->ntok > 2)
			continue;
		if (first >= 0 && last >= 0 && t->ntok == 1 && strcmp(t->tok[0], "name") == 0 &&
		    name < 0 && (!plain_name || strcmp(t->whole, "name") == 0)) {
			pk[i].kind = 2;
			pk[i].parts[0] = first;
			pk[i].parts[1] = last;
			pk[i].nparts = 2;
		} else if (name >= 0 && first < 0 && t->ntok == 1 && has_concept(t, "firstname")) {
			pk[i].kind = 3;
			pk[i].parts[0] = name;
			pk[i].nparts = 1;
		} else if (name >= 0 && last < 0 && t->ntok == 1 && has_concept(t, "lastname")) {
			pk[i].kind = 4;
			pk[i].parts[0] = name;
			pk[i].nparts = 1;
		} else if (street >= 0 && (zip >= 0 || city >= 0) && has_concept(t, "street") &&
		           !t_zipcity && !done[5]) {
			pk[i].kind = 5;
			pk[i].parts[pk[i].nparts++] = street;
			if (street2 >= 0)
				pk[i].parts[pk[i].nparts++] = street2;
			if (zip >= 0)
				pk[i].parts[pk[i].nparts++] = zip;
			if (city >= 0)
				pk[i].parts[pk[i].nparts++] = city;
		} else if (id >= 0 && t->ntok == 1 && strcmp(t->tok[0], "externalid") == 0 &&
		           !done[6]) {
			pk[i].kind = 6;
			pk[i].parts[0] = id;
			pk[i].nparts = 1;
		} else
			continue;
		pk[i].c.t = i;
		pk[i].c.score = 0.75;
		t->taken = 1;
		if (pk[i].kind >= 5)
			done[pk[i].kind] = 1;
	}
}

static void
write_compose(struct suggest *sg, const struct pick *p, struct buf *b)
{
	const struct field *t = &sg->s[1].f[p->c.t];
	struct buf r[4] = { BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT };
	const char *empty = empty_of(t);
	int i;

	for (i = 0; i < p->nparts; i++) {
		buf_init(&r[i], 4096);
		ref(&r[i], sg->s[0].f[p->parts[i]].name);
	}
	switch (p->kind) {
	case 2:
		buf_addf(b, "join(\" \", %s, %s) ?: %s  # 0.75 composition: first + last name",
		         buf_str(&r[0]), buf_str(&r[1]), empty);
		break;
	case 3:
	case 4:
		buf_addf(b, "%s(%s) ?? %s  # 0.75 composition: the %s word%s of %s",
		         p->kind == 3 ? "first_word" : "rest_words", buf_str(&r[0]), empty,
		         p->kind == 3 ? "first" : "other", p->kind == 3 ? "" : "s",
		         sg->s[0].f[p->parts[0]].name);
		break;
	case 5:
		/* street[, street2], zip city */
		buf_addf(b, "join(\", \", %s", buf_str(&r[0]));
		i = 1;
		if (p->nparts == 4 ||
		    (p->nparts == 3 && has_concept(&sg->s[0].f[p->parts[1]], "street2")))
			buf_addf(b, ", %s", buf_str(&r[i++]));
		if (p->nparts - i == 2)
			buf_addf(b, ", join(\" \", %s, %s)", buf_str(&r[i]), buf_str(&r[i + 1]));
		else if (p->nparts - i == 1)
			buf_addf(b, ", %s", buf_str(&r[i]));
		buf_addf(b, ") ?: %s  # 0.75 composition: street, postcode and city as one line",
		         empty);
		break;
	case 6:
		buf_addf(b,
		         "to_string(%s)  # 0.75 composition: the record's own id as the "
		         "target's external id (add the source system's prefix)",
		         buf_str(&r[0]));
		break;
	}
	for (i = 0; i < p->nparts; i++)
		buf_release(&r[i]);
}

static int
lhs(struct buf *b, const char *name)
{
	const char *p;
	int plain = isalpha((unsigned char)*name) || *name == '_';

	for (p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			plain = 0;
	if (plain)
		return buf_addf(b, "%s = ", name);
	buf_addc(b, '"');
	for (p = name; *p; p++) {
		if (*p == '"' || *p == '\\' || *p == '$')
			buf_addc(b, '\\');
		buf_addc(b, *p);
	}
	return buf_adds(b, "\" = ");
}

/* a sub-mapping's name from its target field: L_ and the name's letters */
static void
sub_name(struct buf *b, const char *target)
{
	const char *p;

	buf_adds(b, "L_");
	for (p = target; *p; p++)
		buf_addc(b, isalnum((unsigned char)*p) ? *p : '_');
}

/* The statements of a draft for the sides in sg->s (indented by depth),
 * into out; sub-mappings for lines into subs (depth 0 only).  -1 when out
 * of memory. */
static int draft(struct suggest *sg, struct buf *out, struct buf *subs, int depth, int *matched,
                 int *todo);

/* target t's lines from source s's through a sub-mapping drafted from
 * their items' fields: 1 written (name in out), 0 none (nothing pairs) */
static int
sub_lines(struct suggest *sg, struct field *t, struct field *s, struct buf *subs, struct buf *name)
{
	struct side save[2] = { sg->s[0], sg->s[1] };
	struct buf body = BUF_INIT;
	int matched = 0, todo = 0, rc;

	if (t->items == NULL || s->items == NULL || t->items->n == 0 || s->items->n == 0)
		return 0;
	sg->s[0] = *s->items;
	sg->s[1] = *t->items;
	rc = draft(sg, &body, NULL, 1, &matched, &todo);
	*s->items = sg->s[0];
	*t->items = sg->s[1];
	sg->s[0] = save[0];
	sg->s[1] = save[1];
	if (rc == 0 && matched > 0) {
		sub_name(name, t->name);
		buf_addf(subs, "map %s {\n", buf_str(name));
		buf_add(subs, body.p, body.len);
		buf_adds(subs, "}\n");
	}
	buf_release(&body);
	return rc < 0 ? -1 : matched > 0;
}

static int
draft(struct suggest *sg, struct buf *out, struct buf *subs, int depth, int *matched, int *todo)
{
	struct side *S = &sg->s[0], *T = &sg->s[1];
	const char *ind = depth ? "\t" : "";
	struct cand *cs = NULL;
	struct pick *pk = NULL;
	size_t nc = 0;
	int i, j, rc = -1;

	*matched = *todo = 0;
	if (T->n > 0 && (pk = calloc((size_t)T->n, sizeof *pk)) == NULL)
		goto out;
	if ((size_t)T->n * (size_t)S->n > 0 &&
	    (cs = malloc((size_t)T->n * (size_t)S->n * sizeof *cs)) == NULL)
		goto out;
	for (i = 0; i < S->n; i++)
		S->f[i].taken = 0;
	for (i = 0; i < T->n; i++)
		T->f[i].taken = 0;
	sg->lines[0] = sg->lines[1] = 0;
	for (i = 0; i < S->n; i++)
		sg->lines[0] += kind_of(&S->f[i]) == K_LINES;
	for (i = 0; i < T->n; i++)
		sg->lines[1] += !T->f[i].readonly && tkind(&T->f[i]) == TK_LINES;
	compose(sg, pk);
	for (i = 0; i < T->n; i++)
		for (j = 0; j < S->n && !T->f[i].readonly; j++) {
			score(sg, i, j, &cs[nc]);
			if (cs[nc].score >= sg->threshold * 0.8)
				nc++;
		}
	if (nc > 0)
		qsort(cs, nc, sizeof *cs, cand_cmp);
	/* one to one, best first */
	for (i = 0; i < (int)nc; i++) {
		struct cand *c = &cs[i];

		if (c->score < sg->threshold || T->f[c->t].taken || S->f[c->s].taken)
			continue;
		T->f[c->t].taken = S->f[c->s].taken = 1;
		pk[c->t].kind = 1;
		pk[c->t].c = *c;
	}
	/* a source may feed a second target when the names agree well */
	for (i = 0; i < (int)nc; i++) {
		struct cand *c = &cs[i];

		if (c->score < sg->threshold || T->f[c->t].taken || c->name < REUSE)
			continue;
		T->f[c->t].taken = 1;
		pk[c->t].kind = 1;
		pk[c->t].c = *c;
	}
	for (i = 0; i < T->n; i++) {
		struct field *t = &T->f[i];
		const char *conv;

		if (pk[i].kind == 0) {
			*todo += !t->readonly;
			continue;
		}
		(*matched)++;
		buf_adds(out, ind);
		lhs(out, t->name);
		if (pk[i].kind == 1) {
			struct field *s = &S->f[pk[i].c.s];
			struct buf name = BUF_INIT;
			int r = 0;

			if (subs && kind_of(s) == K_LINES && tkind(t) == TK_LINES &&
			    (r = sub_lines(sg, t, s, subs, &name)) < 0)
				goto out;
			/* sub_lines drafted other sides: S, T, lines[] again */
			sg->lines[0] = sg->lines[1] = 0;
			for (j = 0; j < S->n; j++)
				sg->lines[0] += kind_of(&S->f[j]) == K_LINES;
			for (j = 0; j < T->n; j++)
				sg->lines[1] += !T->f[j].readonly && tkind(&T->f[j]) == TK_LINES;
			if (r == 1) {
				buf_addf(out, "map(%s, ", buf_str(&name));
				ref(out, s->name);
				buf_adds(out, ")");
				conv = "each line through its sub-mapping";
			} else
				expr_pair(sg, t, s, out, &conv);
			buf_release(&name);
			buf_adds(out, "  ");
			reason(out, sg, &pk[i].c, conv);
		} else
			write_compose(sg, &pk[i], out);
		buf_addc(out, '\n');
	}
	for (i = 0; i < T->n; i++) {
		const struct field *t = &T->f[i];
		int best = -1;
		double bs = 0;

		if (pk[i].kind || t->readonly)
			continue;
		for (j = 0; j < (int)nc; j++)
			if (cs[j].t == i && cs[j].score > bs)
				bs = cs[j].score, best = cs[j].s;
		buf_addf(out, "%s# TODO %s%s%s", ind, t->name, t->required ? " (required)" : "",
		         tkind(t) == TK_LINES ? " (lines: write a sub-mapping)" : "");
		if (best >= 0)
			buf_addf(out, ": best %s at %.2f", S->f[best].name, bs);
		buf_addc(out, '\n');
	}
	rc = 0;
out:
	free(cs);
	free(pk);
	return rc;
}

int
suggest_write(struct suggest *sg, struct buf *out, struct ep_err *err)
{
	struct side *S = &sg->s[0], *T = &sg->s[1];
	struct buf body = BUF_INIT, subs = BUF_INIT;
	int matched, todo, rc;

	buf_addf(out, "# Draft map by xform --suggest: %s -> %s\n", S->label ? S->label : "source",
	         T->label ? T->label : "target");
	buf_addf(out, "# from %lu source and %lu target records, %d source and %d target fields;\n",
	         S->records, T->records, S->n, T->n);
	buf_addf(out, "# synonyms: %s.  Each line: its score (0-1) and why.\n",
	         sg->synpath
	                 ? (strrchr(sg->synpath, '/') ? strrchr(sg->synpath, '/') + 1 : sg->synpath)
	                 : "none");
	buf_adds(out, "# A draft: read every line, then run xform --check.\n");
	rc = draft(sg, &body, &subs, 0, &matched, &todo);
	if (rc == 0) {
		buf_add(out, subs.p, subs.len);
		buf_add(out, body.p, body.len);
		buf_addf(out, "# %d of %d target fields drafted, %d TODO\n", matched, T->n, todo);
	}
	buf_release(&body);
	buf_release(&subs);
	if (rc < 0 || out->len == 0)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	return 0;
}
