/*
 * similar.c - normalisers, Jaro-Winkler and word similarity, the field
 * scorer and the blocking keys of fuzzy matching.
 */
#include "engine/similar.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fields.h"
#include "base/hash.h"
#include "base/keyset.h"
#include "stream/jv.h"
#include "base/text.h"

#define VAL_MAX 1024 /* bytes of a normalised value kept (longer: cut) */
#define WORDS_MAX 16 /* words of a value compared */
#define JW_MAX 128   /* bytes of a string Jaro-Winkler looks at */

static const char *const kind_names[SIM_NKINDS] = { "name",    "email", "phone", "vat",
	                                            "address", "city",  "zip",   "text" };

/* per kind: points when equal, points taken when different, and the
 * similarity at or below which a fuzzy field counts as different (1: the
 * kind compares exactly) */
static const struct {
	double agree, disagree, floor;
} weight[SIM_NKINDS] = {
	[SIM_NAME] = { 4, 4, 0.75 }, [SIM_EMAIL] = { 5, 2, 0.92 },  [SIM_PHONE] = { 4, 2, 1 },
	[SIM_VAT] = { 6, 6, 1 },     [SIM_ADDRESS] = { 2, 1, 0.7 }, [SIM_CITY] = { 1, 2, 0.85 },
	[SIM_ZIP] = { 1, 1, 1 },     [SIM_TEXT] = { 2, 1, 0.75 },
};

#define LEGAL_POINTS 1.5 /* both names carry a legal form, of different classes */

const char *
sim_kind_name(enum sim_kind k)
{
	return (unsigned)k < SIM_NKINDS ? kind_names[k] : NULL;
}

/* ---- the spec ------------------------------------------------------------ */

static int
contains(const char *lower, const char *w)
{
	return strstr(lower, w) != NULL;
}

static enum sim_kind
guess_kind(const char *name)
{
	char l[128];
	size_t i;

	for (i = 0; name[i] && i < sizeof l - 1; i++)
		l[i] = (char)tolower((unsigned char)name[i]);
	l[i] = '\0';
	if (contains(l, "mail"))
		return SIM_EMAIL;
	if (contains(l, "phone") || contains(l, "mobile") || contains(l, "tel") ||
	    contains(l, "fax"))
		return SIM_PHONE;
	if (contains(l, "vat") || contains(l, "tax"))
		return SIM_VAT;
	if (contains(l, "street") || contains(l, "addr"))
		return SIM_ADDRESS;
	if (contains(l, "city") || contains(l, "town"))
		return SIM_CITY;
	if (contains(l, "zip") || contains(l, "post"))
		return SIM_ZIP;
	if (contains(l, "name"))
		return SIM_NAME;
	return SIM_TEXT;
}

int
sim_spec_parse(const char *s, int pairs, const char *what, struct sim_spec *sp, struct ep_err *err)
{
	struct fields_iter it;
	struct field_ref item, nm;
	int r;

	if (*s == '\0')
		return ep_errf(err, EP_USAGE, "%s: no field", what);
	fields_init(&it, s, 0);
	while ((r = fields_next(&it, &item)) != 0) {
		const char *p = item.item, *colon;
		size_t l = item.len;
		struct sim_field *f;
		int k = -1;

		if (r < 0)
			return ep_errf(err, EP_USAGE, "%s '%s': empty field name", what, s);
		if (sp->n >= SIM_MAXF)
			return ep_errf(err, EP_USAGE, "%s '%s': more than %d fields", what, s,
			               SIM_MAXF);
		f = &sp->f[sp->n];
		colon = memchr(p, ':', l);
		if (colon) {
			for (k = 0; k < SIM_NKINDS; k++)
				if ((size_t)(colon - p) == strlen(kind_names[k]) &&
				    memcmp(p, kind_names[k], (size_t)(colon - p)) == 0)
					break;
			if (k == SIM_NKINDS)
				return ep_errf(err, EP_USAGE,
				               "%s '%.*s': kind '%.*s' is none of name, "
				               "email, phone, vat, address, city, zip, text",
				               what, (int)l, p, (int)(colon - p), p);
			l -= (size_t)(colon + 1 - p);
			p = colon + 1;
		}
		if (pairs ? fields_pair(p, l, &nm) < 0 : l == 0)
			return ep_errf(err, EP_USAGE, "%s '%s': empty field name", what, s);
		f->name[0] = strndup(p, pairs ? nm.n[0] : l);
		f->name[1] = pairs && nm.name[1] != nm.name[0] ? strndup(nm.name[1], nm.n[1])
		                                               : f->name[0];
		if (f->name[0] == NULL || f->name[1] == NULL) {
			if (f->name[1] != f->name[0])
				free(f->name[1]);
			free(f->name[0]);
			return ep_errf(err, EP_SOFTWARE, "out of memory");
		}
		f->kind = k >= 0 ? (enum sim_kind)k : guess_kind(f->name[0]);
		sp->n++;
	}
	return 0;
}

void
sim_spec_free(struct sim_spec *sp)
{
	for (int i = 0; i < sp->n; i++) {
		if (sp->f[i].name[1] != sp->f[i].name[0])
			free(sp->f[i].name[1]);
		free(sp->f[i].name[0]);
	}
	sp->n = 0;
}

static const struct {
	const char *iso, *cc;
} countries[] = {
	{ "AT", "43" },  { "AU", "61" },  { "BE", "32" },  { "BG", "359" }, { "BR", "55" },
	{ "CA", "1" },   { "CH", "41" },  { "CN", "86" },  { "CY", "357" }, { "CZ", "420" },
	{ "DE", "49" },  { "DK", "45" },  { "EE", "372" }, { "ES", "34" },  { "FI", "358" },
	{ "FR", "33" },  { "GB", "44" },  { "GR", "30" },  { "HR", "385" }, { "HU", "36" },
	{ "IE", "353" }, { "IN", "91" },  { "IS", "354" }, { "IT", "39" },  { "JP", "81" },
	{ "LT", "370" }, { "LU", "352" }, { "LV", "371" }, { "MA", "212" }, { "MT", "356" },
	{ "MX", "52" },  { "NL", "31" },  { "NO", "47" },  { "NZ", "64" },  { "PL", "48" },
	{ "PT", "351" }, { "RO", "40" },  { "SE", "46" },  { "SI", "386" }, { "SK", "421" },
	{ "TN", "216" }, { "TR", "90" },  { "UK", "44" },  { "US", "1" },   { "ZA", "27" },
};

int
sim_set_country(struct sim_spec *sp, const char *s, struct ep_err *err)
{
	const char *d = s[0] == '+' ? s + 1 : s;
	size_t n = strlen(d), i;

	if (n >= 1 && n <= 3 && strspn(d, "0123456789") == n && d[0] != '0') {
		memcpy(sp->cc, d, n + 1);
		return 0;
	}
	for (i = 0; n == 2 && i < sizeof countries / sizeof countries[0]; i++)
		if (toupper((unsigned char)d[0]) == countries[i].iso[0] &&
		    toupper((unsigned char)d[1]) == countries[i].iso[1]) {
			snprintf(sp->cc, sizeof sp->cc, "%s", countries[i].cc);
			return 0;
		}
	return ep_errf(err, EP_USAGE,
	               "--phone-country '%s': not a calling code (44) or a "
	               "country this table knows (GB, DE, FR, US, ...)",
	               s);
}

/* ---- folding ------------------------------------------------------------- */

/* clang-format off */
/* U+00C0 to U+017F as ASCII letters, lower case, 16 a row */
static const char *const fold_tab[] = {
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "ss",
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "y",
	"a", "a", "a", "a", "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d",
	"d", "d", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g",
	"g", "g", "g", "g", "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i",
	"i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l",
	"l", "l", "l", "n", "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",
	"o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s",
	"s", "s", "t", "t", "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u",
	"u", "u", "u", "u", "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s",
};
/* clang-format on */

/* The next character of s at *i as folded ASCII text into o (up to 3
 * bytes, NUL-terminated): a letter or digit lower case, a removed mark
 * "", anything else " " (a separator), '.' and '\'' "" (joined: S.A.R.L.,
 * O'Brien), '&' "&". */
static void
fold_next(const char *s, size_t n, size_t *i, char o[4])
{
	unsigned char c = (unsigned char)s[*i];
	unsigned cp;
	size_t len;

	o[0] = ' ';
	o[1] = '\0';
	if (c < 0x80) {
		(*i)++;
		if (isalnum(c)) {
			o[0] = (char)tolower(c);
		} else if (c == '.' || c == '\'') {
			o[0] = '\0';
		} else if (c == '&') {
			o[0] = '&';
		}
		return;
	}
	len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
	if (*i + len > n || len == 1) {
		(*i)++;
		return;
	}
	cp = len == 2 ? (c & 0x1fu) : len == 3 ? (c & 0x0fu) : (c & 0x07u);
	for (size_t k = 1; k < len; k++) {
		unsigned char d = (unsigned char)s[*i + k];

		if ((d & 0xc0) != 0x80) {
			(*i)++;
			return;
		}
		cp = cp << 6 | (d & 0x3fu);
	}
	*i += len;
	if (cp >= 0xc0 && cp < 0x180) {
		snprintf(o, 4, "%s", fold_tab[cp - 0xc0]);
		return;
	}
	if (cp == 0x2019) /* right single quote, as an apostrophe */
		o[0] = '\0';
	else if (cp >= 0x300 && cp < 0x370) /* combining marks */
		o[0] = '\0';
	else if (cp >= 0x180) {
		/* another script: keep the character itself */
		if (len > 3)
			len = 3;
		memcpy(o, s + *i - len, len);
		o[len] = '\0';
	}
}

/* s folded into words separated by one space, '&' a word of its own */
static int
fold_words(struct buf *out, const char *s, size_t n)
{
	size_t i = 0, start = out->len;
	int space = 1, rc = 0;
	char o[4];

	while (i < n) {
		fold_next(s, n, &i, o);
		if (o[0] == ' ' || o[0] == '&') {
			if (!space)
				rc |= buf_addc(out, ' ');
			space = 1;
			if (o[0] == '&')
				rc |= buf_adds(out, "& ");
			continue;
		}
		if (o[0] == '\0')
			continue;
		rc |= buf_adds(out, o);
		space = 0;
	}
	while (out->len > start && out->p[out->len - 1] == ' ')
		out->p[--out->len] = '\0';
	return rc ? -1 : 0;
}

int
sim_norm_text(struct buf *out, const char *s, size_t n)
{
	size_t start = out->len, w = start;

	if (fold_words(out, s, n) < 0)
		return -1;
	/* '&' is "and" in text: drop the ampersands */
	for (size_t r = start; r < out->len; r++) {
		if (out->p[r] == '&' && (r + 1 == out->len || out->p[r + 1] == ' ')) {
			r++;
			continue;
		}
		out->p[w++] = out->p[r];
	}
	while (w > start && out->p[w - 1] == ' ')
		w--;
	out->len = w;
	if (out->p)
		out->p[w] = '\0';
	return 0;
}

/* ---- names and legal forms ----------------------------------------------- */

/* the words of a legal form, folded; class = index of the first word of
 * its class in this table + 1 */
static const struct {
	const char *w;
	int cls; /* the entry that names the class */
} legal_tab[] = {
	{ "ltd", 0 },   { "limited", 0 },      { "plc", 2 },   { "llc", 3 },
	{ "inc", 4 },   { "incorporated", 4 }, { "corp", 6 },  { "corporation", 6 },
	{ "co", 8 },    { "company", 8 },      { "gmbh", 10 }, { "ag", 11 },
	{ "kg", 12 },   { "ohg", 13 },         { "ug", 14 },   { "ev", 15 },
	{ "sarl", 16 }, { "sas", 17 },         { "sa", 18 },   { "sasu", 19 },
	{ "eurl", 20 }, { "snc", 21 },         { "bv", 22 },   { "nv", 23 },
	{ "srl", 24 },  { "spa", 25 },         { "sl", 26 },   { "ab", 27 },
	{ "as", 28 },   { "oy", 29 },          { "aps", 30 },  { "pty", 31 },
	{ "llp", 32 },  { "lp", 33 },          { "kft", 34 },  { "sro", 35 },
	{ "gbr", 36 },  { "kgaa", 37 },        { "se", 38 },   { "oyj", 39 },
	{ "asa", 40 },  { "bvba", 41 },        { "vof", 42 },  { "lda", 43 },
	{ "slu", 44 },  { "pte", 45 },         { "bhd", 46 },  { "sdn", 47 },
	{ "cv", 48 },   { "spzoo", 49 },       { "zoo", 49 },  { "sp", 49 },
	{ "oo", 49 },   { "kk", 52 },          { "ltda", 53 },
};

static const char *const stop_words[] = { "&", "and", "und", "et", "the", "of", "z" };

static int
legal_class(const char *w, size_t n)
{
	if (n > 12)
		return 0;
	for (size_t i = 0; i < sizeof legal_tab / sizeof legal_tab[0]; i++)
		if (legal_tab[i].w[0] == w[0] && strncmp(legal_tab[i].w, w, n) == 0 &&
		    legal_tab[i].w[n] == '\0')
			return legal_tab[i].cls + 1;
	return 0;
}

const char *
sim_legal_name(int legal)
{
	if (legal <= 0 || (size_t)legal > sizeof legal_tab / sizeof legal_tab[0])
		return "";
	return legal_tab[legal - 1].w;
}

static int
is_stop(const char *w, size_t n)
{
	for (size_t i = 0; n <= 3 && i < sizeof stop_words / sizeof stop_words[0]; i++)
		if (stop_words[i][0] == w[0] && strncmp(stop_words[i], w, n) == 0 &&
		    stop_words[i][n] == '\0')
			return 1;
	return 0;
}

struct word {
	const char *p;
	size_t n;
};

static int
split_words(const char *s, size_t n, struct word *w, int max)
{
	int k = 0;
	size_t i = 0;

	while (i < n && k < max) {
		size_t j = i;

		while (j < n && s[j] != ' ')
			j++;
		if (j > i)
			w[k++] = (struct word){ s + i, j - i };
		i = j + 1;
	}
	return k;
}

int
sim_norm_name(struct buf *out, const char *s, size_t n, int *legal)
{
	struct buf f = BUF_INIT;
	struct word w[64];
	int nw, first, last, lg = 0, rc = 0, wrote = 0;

	if (legal)
		*legal = 0;
	if (fold_words(&f, s, n) < 0) {
		buf_release(&f);
		return -1;
	}
	nw = split_words(buf_str(&f), f.len, w, 64);
	first = 0;
	last = nw - 1;
	/* legal forms and joining words at the end: "GmbH & Co. KG" */
	while (last >= first) {
		int c = legal_class(w[last].p, w[last].n);

		if (c) {
			if (lg == 0)
				lg = c;
		} else if (!is_stop(w[last].p, w[last].n)) {
			break;
		}
		last--;
	}
	/* one at the start: "SARL Dupont" */
	if (last > first) {
		int c = legal_class(w[first].p, w[first].n);

		if (c) {
			if (lg == 0)
				lg = c;
			first++;
		}
	}
	if (last < first) {
		/* nothing but legal words: keep them */
		first = 0;
		last = nw - 1;
		lg = 0;
	}
	for (int i = first; i <= last; i++) {
		if (is_stop(w[i].p, w[i].n))
			continue;
		if (wrote++)
			rc |= buf_addc(out, ' ');
		rc |= buf_add(out, w[i].p, w[i].n);
	}
	if (legal)
		*legal = lg;
	buf_release(&f);
	return rc ? -1 : 0;
}

/* ---- email, phone, VAT, zip ---------------------------------------------- */

static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

int
sim_norm_email(struct buf *out, const char *s, size_t n)
{
	int rc = 0;

	while (n && is_space((unsigned char)*s))
		s++, n--;
	while (n && is_space((unsigned char)s[n - 1]))
		n--;
	/* no-break spaces (U+00A0) around it */
	while (n >= 2 && (unsigned char)s[0] == 0xc2 && (unsigned char)s[1] == 0xa0)
		s += 2, n -= 2;
	while (n >= 2 && (unsigned char)s[n - 2] == 0xc2 && (unsigned char)s[n - 1] == 0xa0)
		n -= 2;
	if (n >= 7 && strncasecmp(s, "mailto:", 7) == 0)
		s += 7, n -= 7;
	if (n >= 2 && s[0] == '<' && s[n - 1] == '>')
		s++, n -= 2;
	for (size_t i = 0; i < n; i++)
		rc |= buf_addc(out, tolower((unsigned char)s[i]));
	return rc ? -1 : 0;
}

int
sim_norm_phone(struct buf *out, const char *s, size_t n, const char *cc)
{
	char d[40];
	size_t nd = 0, i = 0;
	int plus = 0, rc = 0;

	while (i < n && !isdigit((unsigned char)s[i]) && s[i] != '+')
		i++;
	if (i < n && s[i] == '+') {
		plus = 1;
		i++;
	}
	for (; i < n && nd < sizeof d - 1; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '(' && i + 2 < n && s[i + 1] == '0' && s[i + 2] == ')' && plus)
			i += 2; /* +44 (0)20: the trunk 0 is not dialled from abroad */
		else if (isdigit(c))
			d[nd++] = (char)c;
		else if (isalpha(c) || c == ';' || c == ',') /* an extension: "x12", "ext. 4" */
			break;
	}
	d[nd] = '\0';
	if (nd < 5)
		return 0;
	if (plus) {
		rc |= buf_addc(out, '+');
		rc |= buf_add(out, d, nd);
	} else if (nd > 2 && d[0] == '0' && d[1] == '0') {
		rc |= buf_addc(out, '+');
		rc |= buf_add(out, d + 2, nd - 2);
	} else if (cc && cc[0]) {
		const char *p = d;

		while (*p == '0')
			p++;
		rc |= buf_addc(out, '+');
		rc |= buf_adds(out, cc);
		rc |= buf_adds(out, p);
	} else {
		rc |= buf_add(out, d, nd);
	}
	return rc ? -1 : 0;
}

/* upper-case letters and digits only */
static int
norm_alnum(struct buf *out, const char *s, size_t n)
{
	int rc = 0;

	for (size_t i = 0; i < n; i++)
		if (isalnum((unsigned char)s[i]))
			rc |= buf_addc(out, toupper((unsigned char)s[i]));
	return rc ? -1 : 0;
}

int
sim_norm_vat(struct buf *out, const char *s, size_t n)
{
	return norm_alnum(out, s, n);
}

/* ---- similarity ---------------------------------------------------------- */

double
sim_jaro_winkler(const char *a, size_t an, const char *b, size_t bn)
{
	unsigned char ma[JW_MAX], mb[JW_MAX];
	size_t win, m = 0, t = 0, k = 0, l = 0;
	double j;

	if (an > JW_MAX)
		an = JW_MAX;
	if (bn > JW_MAX)
		bn = JW_MAX;
	if (an == 0 || bn == 0)
		return an == bn ? 1.0 : 0.0;
	if (an == bn && memcmp(a, b, an) == 0)
		return 1.0;
	win = (an > bn ? an : bn) / 2;
	win = win > 0 ? win - 1 : 0;
	memset(ma, 0, an);
	memset(mb, 0, bn);
	for (size_t i = 0; i < an; i++) {
		size_t lo = i > win ? i - win : 0, hi = i + win + 1 < bn ? i + win + 1 : bn;

		for (size_t q = lo; q < hi; q++)
			if (!mb[q] && a[i] == b[q]) {
				ma[i] = mb[q] = 1;
				m++;
				break;
			}
	}
	if (m == 0)
		return 0.0;
	for (size_t i = 0; i < an; i++) {
		if (!ma[i])
			continue;
		while (!mb[k])
			k++;
		if (a[i] != b[k])
			t++;
		k++;
	}
	j = ((double)m / (double)an + (double)m / (double)bn + (double)(m - t / 2) / (double)m) /
	    3.0;
	while (l < 4 && l < an && l < bn && a[l] == b[l])
		l++;
	return j + (double)l * 0.1 * (1.0 - j);
}

/* each of x's words' best match among y's, averaged, both ways: one
 * Jaro-Winkler a pair of words */
static double
monge_elkan2(const struct word *x, int nx, const struct word *y, int ny)
{
	double row[WORDS_MAX], col[WORDS_MAX], sx = 0, sy = 0;

	for (int k = 0; k < ny; k++)
		col[k] = 0;
	for (int i = 0; i < nx; i++) {
		row[i] = 0;
		for (int k = 0; k < ny; k++) {
			double s = sim_jaro_winkler(x[i].p, x[i].n, y[k].p, y[k].n);

			if (s > row[i])
				row[i] = s;
			if (s > col[k])
				col[k] = s;
		}
		sx += row[i];
	}
	for (int k = 0; k < ny; k++)
		sy += col[k];
	return (sx / nx + sy / ny) / 2;
}

/* s without its spaces into o (at most JW_MAX bytes) */
static size_t
squeeze(const char *s, size_t n, char *o)
{
	size_t k = 0;

	for (size_t i = 0; i < n && k < JW_MAX; i++)
		if (s[i] != ' ')
			o[k++] = s[i];
	return k;
}

double
sim_words(const char *a, size_t an, const char *b, size_t bn)
{
	struct word wa[WORDS_MAX], wb[WORDS_MAX];
	char ca[JW_MAX], cb[JW_MAX];
	int na, nb;
	double s, c;

	if (an == bn && memcmp(a, b, an) == 0)
		return 1.0;
	na = split_words(a, an, wa, WORDS_MAX);
	nb = split_words(b, bn, wb, WORDS_MAX);
	if (na == 0 || nb == 0)
		return 0.0;
	s = monge_elkan2(wa, na, wb, nb);
	c = sim_jaro_winkler(ca, squeeze(a, an, ca), cb, squeeze(b, bn, cb));
	return c > s ? c : s;
}

/* ---- sim records --------------------------------------------------------- */

/*
 * A sim record: a uint32 size (all of it), then per field of the spec one
 * byte of legal form class, a uint16 length and the normalised bytes.
 */

static int
put_u16(struct buf *b, size_t v)
{
	uint16_t x = (uint16_t)v;

	return buf_add(b, &x, 2);
}

int
sim_norm(const struct sim_spec *sp, const char *const *vals, const size_t *lens, struct buf *out)
{
	size_t start = out->len, at;
	uint32_t size;
	int rc = 0;

	rc |= buf_add(out, "\0\0\0\0", 4);
	for (int i = 0; i < sp->n && rc == 0; i++) {
		int legal = 0;

		rc |= buf_addc(out, 0);
		at = out->len;
		rc |= put_u16(out, 0);
		if (vals[i] == NULL || rc)
			continue;
		switch (sp->f[i].kind) {
		case SIM_NAME:
			rc |= sim_norm_name(out, vals[i], lens[i], &legal);
			break;
		case SIM_EMAIL:
			rc |= sim_norm_email(out, vals[i], lens[i]);
			break;
		case SIM_PHONE:
			rc |= sim_norm_phone(out, vals[i], lens[i], sp->cc);
			break;
		case SIM_VAT:
		case SIM_ZIP:
			rc |= norm_alnum(out, vals[i], lens[i]);
			break;
		default:
			rc |= sim_norm_text(out, vals[i], lens[i]);
		}
		if (rc)
			break;
		if (out->len - at - 2 > VAL_MAX)
			out->len = at + 2 + VAL_MAX;
		out->p[at - 1] = (char)legal;
		{
			uint16_t x = (uint16_t)(out->len - at - 2);

			memcpy(out->p + at, &x, 2);
		}
	}
	if (rc)
		return -1;
	size = (uint32_t)(out->len - start);
	memcpy(out->p + start, &size, 4);
	return 0;
}

size_t
sim_rec_size(const void *p)
{
	uint32_t size;

	memcpy(&size, p, 4);
	return size;
}

struct view {
	const char *p[SIM_MAXF];
	size_t n[SIM_MAXF];
	int legal[SIM_MAXF];
};

static void
view(const struct sim_spec *sp, const void *rec, struct view *v)
{
	const unsigned char *p = (const unsigned char *)rec + 4;

	for (int i = 0; i < sp->n; i++) {
		uint16_t x;

		v->legal[i] = p[0];
		memcpy(&x, p + 1, 2);
		v->p[i] = (const char *)p + 3;
		v->n[i] = x;
		p += 3 + x;
	}
}

int
sim_rec_empty(const struct sim_spec *sp, const void *rec)
{
	struct view v;

	view(sp, rec, &v);
	for (int i = 0; i < sp->n; i++)
		if (v.n[i])
			return 0;
	return 1;
}

/* digits of a phone: where the last nine start */
static const char *
last9(const char *p, size_t n)
{
	return n >= 9 ? p + n - 9 : NULL;
}

/* "mueller" as "muller": the German spelling of an umlaut without one
 * (ae, oe, ue for a, o, u) into o; its length */
static size_t
de_umlaut(const char *s, size_t n, char *o)
{
	size_t k = 0;

	for (size_t i = 0; i < n && k < JW_MAX; i++) {
		o[k++] = s[i];
		if (i + 1 < n && s[i + 1] == 'e' && (s[i] == 'a' || s[i] == 'o' || s[i] == 'u'))
			i++;
	}
	return k;
}

static double
name_sim(const char *a, size_t an, const char *b, size_t bn)
{
	char da[JW_MAX], db[JW_MAX];
	size_t dan, dbn;
	double s = sim_words(a, an, b, bn), t;

	if (s >= 1.0)
		return s;
	dan = de_umlaut(a, an, da);
	dbn = de_umlaut(b, bn, db);
	if (dan == an && dbn == bn)
		return s;
	t = sim_words(da, dan, db, dbn);
	return t > s ? t : s;
}

static double
field_sim(enum sim_kind k, const char *a, size_t an, const char *b, size_t bn)
{
	if (an == bn && memcmp(a, b, an) == 0)
		return 1.0;
	switch (k) {
	case SIM_PHONE:
		/* one without its country: compare the national numbers' ends */
		if ((a[0] != '+' || b[0] != '+') && last9(a, an) && last9(b, bn) &&
		    memcmp(last9(a, an), last9(b, bn), 9) == 0)
			return 1.0;
		return 0.0;
	case SIM_VAT:
		/* one without its country prefix ("DE" 123...) */
		if (an == bn + 2 && isalpha((unsigned char)a[0]) && isalpha((unsigned char)a[1]) &&
		    memcmp(a + 2, b, bn) == 0)
			return 1.0;
		if (bn == an + 2 && isalpha((unsigned char)b[0]) && isalpha((unsigned char)b[1]) &&
		    memcmp(b + 2, a, an) == 0)
			return 1.0;
		return 0.0;
	case SIM_ZIP:
		return 0.0;
	case SIM_EMAIL:
	case SIM_CITY:
		return sim_jaro_winkler(a, an, b, bn);
	case SIM_NAME:
		return name_sim(a, an, b, bn);
	default:
		return sim_words(a, an, b, bn);
	}
}

static double
spec_threshold(const struct sim_spec *sp)
{
	double a = 0;

	for (int i = 0; i < sp->n; i++)
		a += weight[sp->f[i].kind].agree;
	return a / 2 < 4 ? a / 2 : 4;
}

/* field i of a and b compared into w; its points */
static double
score_field(const struct sim_spec *sp, int i, const struct view *a, const struct view *b,
            struct sim_why *w)
{
	enum sim_kind k = sp->f[i].kind;
	double s, f, fl = weight[k].floor;

	s = field_sim(k, a->p[i], a->n[i], b->p[i], b->n[i]);
	f = fl >= 1 ? (s >= 1 ? 1 : 0) : (s - fl) / (1 - fl);
	if (f < 0)
		f = 0;
	w->state[i] = 1;
	w->sim[i] = s;
	w->points[i] = weight[k].agree * f - weight[k].disagree * (1 - f);
	if (k == SIM_NAME && a->legal[i] && b->legal[i] && a->legal[i] != b->legal[i]) {
		w->legal_differs[i] = 1;
		w->points[i] -= LEGAL_POINTS;
	}
	return w->points[i];
}

double
sim_score_above(const struct sim_spec *sp, const void *ra, const void *rb, double lo,
                struct sim_why *why)
{
	struct view a, b;
	struct sim_why w;
	double total = 0, left = 0, t = spec_threshold(sp), need = -1e300;
	int pass, i;

	view(sp, ra, &a);
	view(sp, rb, &b);
	memset(&w, 0, sizeof w);
	if (lo > 0 && lo < 1)
		need = t + log(lo / (1 - lo)) / 1.5;
	for (i = 0; i < sp->n; i++)
		if (a.n[i] && b.n[i])
			left += weight[sp->f[i].kind].agree;
	/* the exact kinds first (cheap), then the fuzzy ones; stop as soon as
	 * what is left cannot reach lo */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < sp->n; i++) {
			int exact = weight[sp->f[i].kind].floor >= 1;

			if (a.n[i] == 0 || b.n[i] == 0 || exact != (pass == 0))
				continue;
			if (total + left < need)
				return -1;
			total += score_field(sp, i, &a, &b, &w);
			left -= weight[sp->f[i].kind].agree;
		}
	if (total < need)
		return -1;
	w.total = total;
	if (why)
		*why = w;
	return 1.0 / (1.0 + exp(-1.5 * (total - t)));
}

double
sim_score(const struct sim_spec *sp, const void *ra, const void *rb, struct sim_why *why)
{
	return sim_score_above(sp, ra, rb, 0, why);
}

/* the reasons as a JSON array, or as text "a, b" */
static int
reasons(const struct sim_spec *sp, const struct sim_why *w, int side, int json, struct buf *b)
{
	int order[SIM_MAXF], n = 0, rc = 0;
	struct buf t = BUF_INIT;

	for (int i = 0; i < sp->n; i++)
		if (w->state[i])
			order[n++] = i;
	/* strongest first; ties in the spec's order */
	for (int i = 1; i < n; i++) {
		int x = order[i], j = i;

		while (j > 0 && fabs(w->points[order[j - 1]]) < fabs(w->points[x])) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = x;
	}
	if (json)
		rc |= buf_addc(b, '[');
	for (int j = 0; j < n; j++) {
		int i = order[j];
		const char *name = sp->f[i].name[side ? 1 : 0];
		double pts = w->points[i] + (w->legal_differs[i] ? LEGAL_POINTS : 0);
		char txt[64];

		if (w->sim[i] >= 1.0)
			snprintf(txt, sizeof txt, "equal");
		else if (weight[sp->f[i].kind].floor >= 1 ||
		         w->sim[i] <= weight[sp->f[i].kind].floor)
			snprintf(txt, sizeof txt, "differs");
		else
			snprintf(txt, sizeof txt, "%.2f", w->sim[i]);
		buf_reset(&t);
		rc |= buf_addf(&t, "%s %s %+.1f", name, txt, pts);
		if (w->legal_differs[i]) {
			rc |= buf_addc(&t, '\0');
			rc |= buf_addf(&t, "%s legal form differs %+.1f", name, -LEGAL_POINTS);
		}
		/* one reason, or two NUL-separated */
		for (size_t at = 0, e; at < t.len; at = e + 1) {
			e = at + strlen(t.p + at);
			if (j || at)
				rc |= buf_adds(b, json ? "," : ", ");
			rc |= json ? json_quote(b, t.p + at, e - at) : buf_add(b, t.p + at, e - at);
		}
	}
	if (json)
		rc |= buf_addc(b, ']');
	buf_release(&t);
	return rc ? -1 : 0;
}

int
sim_reasons_json(const struct sim_spec *sp, const struct sim_why *w, int side, struct buf *b)
{
	return reasons(sp, w, side, 1, b);
}

int
sim_reasons_text(const struct sim_spec *sp, const struct sim_why *w, int side, struct buf *b)
{
	return reasons(sp, w, side, 0, b);
}

/* ---- blocking ------------------------------------------------------------ */

static uint64_t
block_hash(int field, int tag, const char *p, size_t n)
{
	static const uint64_t key[2] = { 0x736d6c72616d6174ull, 0x6b636f6c62706965ull };
	unsigned char head[2] = { (unsigned char)field, (unsigned char)tag };
	uint64_t h[2], h2[2];

	siphash128(key, head, 2, h);
	h2[0] = key[0] ^ h[0];
	h2[1] = key[1] ^ h[1];
	siphash128(h2, p, n, h);
	return h[0];
}

static int
add_key(uint64_t *keys, int n, int max, uint64_t k)
{
	for (int i = 0; i < n; i++)
		if (keys[i] == k)
			return n;
	if (n < max)
		keys[n++] = k;
	return n;
}

static int
cmp_word(const void *a, const void *b)
{
	const struct word *x = a, *y = b;
	size_t n = x->n < y->n ? x->n : y->n;
	int c = memcmp(x->p, y->p, n < 4 ? n : 4);

	return c ? c : (x->n < 4 || y->n < 4 ? (int)x->n - (int)y->n : 0);
}

/* a name's keys: each word of 3 letters or more whole (a typo in one word
 * leaves the others), and each pair of words' first four letters, in
 * sorted order (a typo past the fourth letter, words in another order);
 * a name of one word its first four letters */
static int
word_keys(int field, struct word *all, int nall, uint64_t *keys, int n, int max)
{
	struct word w[4];
	char pair[9];
	int nw = 0;

	for (int j = 0; j < nall && nw < 4; j++)
		if (all[j].n >= 2)
			w[nw++] = all[j];
	if (nw == 0 && nall > 0) /* one-letter words only: all of them */
		return add_key(keys, n, max,
		               block_hash(field, 'a', all[0].p,
		                          (size_t)(all[nall - 1].p + all[nall - 1].n - all[0].p)));
	if (nw == 1)
		return add_key(keys, n, max,
		               block_hash(field, 'w', w[0].p, w[0].n < 4 ? w[0].n : 4));
	for (int j = 0; j < nw; j++)
		if (w[j].n >= 3)
			n = add_key(keys, n, max, block_hash(field, 'W', w[j].p, w[j].n));
	qsort(w, (size_t)nw, sizeof(w[0]), cmp_word);
	for (int a = 0; a < nw; a++)
		for (int b = a + 1; b < nw; b++) {
			size_t la = w[a].n < 4 ? w[a].n : 4, lb = w[b].n < 4 ? w[b].n : 4;

			memcpy(pair, w[a].p, la);
			pair[la] = '|';
			memcpy(pair + la + 1, w[b].p, lb);
			n = add_key(keys, n, max, block_hash(field, 'P', pair, la + 1 + lb));
		}
	return n;
}

int
sim_block_keys(const struct sim_spec *sp, const void *rec, uint64_t *keys, int max)
{
	struct view v;
	int n = 0, strong = 0;

	view(sp, rec, &v);
	for (int i = 0; i < sp->n; i++) {
		enum sim_kind k = sp->f[i].kind;

		strong |= k == SIM_NAME || k == SIM_EMAIL || k == SIM_PHONE || k == SIM_VAT;
	}
	for (int i = 0; i < sp->n; i++) {
		enum sim_kind k = sp->f[i].kind;
		struct word w[WORDS_MAX];
		int nw;

		if (v.n[i] == 0)
			continue;
		switch (k) {
		case SIM_EMAIL:
			n = add_key(keys, n, max, block_hash(i, 'e', v.p[i], v.n[i]));
			break;
		case SIM_PHONE:
			if (v.n[i] >= 9)
				n = add_key(keys, n, max,
				            block_hash(i, 'p', v.p[i] + v.n[i] - 9, 9));
			break;
		case SIM_VAT: {
			/* without a country prefix: "DE123" and "123" share a block */
			const char *p = v.p[i];
			size_t l = v.n[i];

			if (l > 2 && isalpha((unsigned char)p[0]) && isalpha((unsigned char)p[1]))
				p += 2, l -= 2;
			n = add_key(keys, n, max, block_hash(i, 'v', p, l));
			break;
		}
		case SIM_ZIP:
			if (!strong)
				n = add_key(keys, n, max, block_hash(i, 'z', v.p[i], v.n[i]));
			break;
		case SIM_NAME:
		default:
			if (k != SIM_NAME && strong)
				break;
			nw = split_words(v.p[i], v.n[i], w, WORDS_MAX);
			n = word_keys(i, w, nw, keys, n, max);
		}
	}
	return n;
}

/* ---- values -------------------------------------------------------------- */

void
sim_values(const struct sim_spec *sp, int side, const struct jv *rec, const char **vals,
           size_t *lens)
{
	for (int i = 0; i < sp->n; i++) {
		const char *name = sp->f[i].name[side ? 1 : 0];
		const struct jv *v = jv_obj_get(rec, name, strlen(name));

		vals[i] = NULL;
		lens[i] = 0;
		if (v && v->t == JV_ARR && v->n == 2 && v->u.a[1].t == JV_STR)
			v = &v->u.a[1];
		if (v && (v->t == JV_STR || v->t == JV_NUM)) {
			vals[i] = v->u.s;
			lens[i] = v->n;
		}
	}
}

/* ---- the index of one stream --------------------------------------------- */

struct block {
	uint64_t key;   /* 0: an empty slot (a key of 0 is taken as 1) */
	uint32_t *ring; /* up to per_block record numbers (room for cap); with
	                   cap 0, the one record is head itself */
	uint32_t n, head, cap;
	uint32_t total; /* records that had this key */
};

/* a block more records than this had is too common to tell anything (as
 * reconcile --match's): no longer looked at nor added to */
#define COMMON 100

struct sim_index {
	const struct sim_spec *sp;
	int per_block;
	struct buf recs; /* the sim records, one after another */
	size_t *off;
	uint64_t *pos;
	uint32_t *stamp; /* record -> the last query (+1) that met it */
	size_t n, cap;
	uint32_t query;
	struct block *tab;
	size_t tcap, tn; /* slots (a power of two), used */
};

struct sim_index *
sim_index_new(const struct sim_spec *sp, int per_block)
{
	struct sim_index *x = calloc(1, sizeof(*x));

	if (x == NULL)
		return NULL;
	x->sp = sp;
	x->per_block = per_block > 0 ? per_block : 32;
	return x;
}

void
sim_index_free(struct sim_index *x)
{
	if (x == NULL)
		return;
	for (size_t i = 0; i < x->tcap; i++)
		free(x->tab[i].ring);
	free(x->tab);
	buf_release(&x->recs);
	free(x->off);
	free(x->pos);
	free(x->stamp);
	free(x);
}

static struct block *
slot(const struct sim_index *x, uint64_t key)
{
	size_t i;

	if (x->tcap == 0)
		return NULL;
	for (i = key & (x->tcap - 1); x->tab[i].key; i = (i + 1) & (x->tcap - 1))
		if (x->tab[i].key == key)
			return &x->tab[i];
	return &x->tab[i];
}

static int
grow_table(struct sim_index *x)
{
	size_t nc = x->tcap ? x->tcap * 2 : 1024;
	struct block *old = x->tab, *nt = calloc(nc, sizeof(*nt));
	size_t oc = x->tcap;

	if (nt == NULL)
		return -1;
	x->tab = nt;
	x->tcap = nc;
	for (size_t i = 0; i < oc; i++)
		if (old[i].key)
			*slot(x, old[i].key) = old[i];
	free(old);
	return 0;
}

int
sim_index_find(struct sim_index *x, const void *rec, double cutoff, uint64_t *pos, double *score,
               struct sim_why *why)
{
	uint64_t keys[SIM_MAXKEYS];
	int n = sim_block_keys(x->sp, rec, keys, SIM_MAXKEYS), found = 0;
	uint32_t best = 0;
	double bs = -1;
	struct sim_why w;

	if (++x->query == 0) { /* wrapped: forget the stamps */
		memset(x->stamp, 0, x->n * sizeof(*x->stamp));
		x->query = 1;
	}
	for (int k = 0; k < n; k++) {
		struct block *b = slot(x, keys[k] ? keys[k] : 1);

		if (b == NULL || b->key == 0 || b->total > COMMON)
			continue;
		for (uint32_t j = 0; j < b->n; j++) {
			uint32_t r = b->cap ? b->ring[j] : b->head;
			double s;

			if (x->stamp[r] == x->query)
				continue;
			x->stamp[r] = x->query;
			s = sim_score_above(x->sp, rec, x->recs.p + x->off[r], cutoff, &w);
			if (s < cutoff || s < bs || (s == bs && r > best))
				continue;
			bs = s;
			best = r;
			found = 1;
			if (why)
				*why = w;
		}
	}
	if (found) {
		*pos = x->pos[best];
		*score = bs;
	}
	return found;
}

int
sim_index_add(struct sim_index *x, const void *rec, uint64_t pos)
{
	uint64_t keys[SIM_MAXKEYS];
	int n = sim_block_keys(x->sp, rec, keys, SIM_MAXKEYS);
	uint32_t id = (uint32_t)x->n;

	if (n == 0)
		return 0;
	if (x->n >= UINT32_MAX - 1)
		return -1;
	if (x->n == x->cap) {
		size_t nc = x->cap ? x->cap * 2 : 1024;
		size_t *no = realloc(x->off, nc * sizeof(*no));
		uint64_t *np;
		uint32_t *ns;

		if (no == NULL)
			return -1;
		x->off = no;
		if ((np = realloc(x->pos, nc * sizeof(*np))) == NULL)
			return -1;
		x->pos = np;
		if ((ns = realloc(x->stamp, nc * sizeof(*ns))) == NULL)
			return -1;
		x->stamp = ns;
		x->cap = nc;
	}
	x->off[id] = x->recs.len;
	x->pos[id] = pos;
	x->stamp[id] = 0;
	if (buf_add(&x->recs, rec, sim_rec_size(rec)) < 0)
		return -1;
	x->n++;
	for (int k = 0; k < n; k++) {
		uint64_t key = keys[k] ? keys[k] : 1;
		struct block *b;

		if ((x->tn + 1) * 4 > x->tcap * 3 && grow_table(x) < 0)
			return -1;
		b = slot(x, key);
		if (b->key == 0) {
			b->key = key;
			x->tn++;
		}
		if (++b->total > COMMON) {
			free(b->ring); /* too common: its records are of no more use */
			b->ring = NULL;
			b->n = b->cap = 0;
			continue;
		}
		/* most blocks hold one record, in head; rings grow by doubling */
		if (b->n == 0 && b->cap == 0) {
			b->head = id;
			b->n = 1;
			continue;
		}
		if (b->n == b->cap || b->cap == 0) {
			uint32_t nc = b->cap ? 2 * b->cap : 2, *nr;

			if (nc > (uint32_t)x->per_block)
				nc = (uint32_t)x->per_block;
			if (b->cap < nc) {
				if ((nr = realloc(b->ring, nc * sizeof(*nr))) == NULL)
					return -1;
				if (b->cap == 0) {
					nr[0] = b->head; /* the one record moves into the ring */
					b->head = 0;
				}
				b->ring = nr;
				b->cap = nc;
			}
		}
		if (b->n < (uint32_t)x->per_block) {
			b->ring[b->n++] = id;
		} else {
			b->ring[b->head] = id; /* the oldest leaves */
			b->head = (b->head + 1) % (uint32_t)x->per_block;
		}
	}
	return 0;
}
