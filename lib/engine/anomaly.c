/*
 * anomaly.c - group histories, robust scores and duplicate payments.
 */
#include "engine/anomaly.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/dt.h"
#include "base/hash.h"
#include "base/keyset.h"

#define NO_GROUP ((size_t)-1)

struct val {
	struct dec d;
	double x, lg; /* the value as a double, its ln (-inf if <= 0) */
	char *id;     /* the record's id, or NULL */
	uint64_t idh; /* its hash, compared first */
};

struct group {
	uint32_t series;
	char *name;
	struct val *v;   /* a ring once full: oldest at head */
	double *sx, *sl; /* the values' x and lg, each kept sorted */
	uint32_t n, head, cap, nonpos;
};

struct pay {
	char *vendor, *amount, *date, *ref, *id, *at;
	char *flat, *seg; /* the reference's normal forms, "" for none */
	long long day;
	size_t next, tail; /* the chain of one vendor and amount; tail on its head */
	int past;
};

struct anomaly_hist {
	int keep;
	char **series;
	size_t nseries;
	struct group *g;
	size_t ng, capg;
	struct keyset gidx; /* series index + group name -> group */
	struct pay *p;
	size_t np, capp;
	struct keyset pidx; /* vendor, amount -> first payment of the chain */
	long long newest;   /* the latest payment's day */
	struct buf key, flat, seg;
	struct dec *dtmp; /* keep decimals */
};

struct anomaly_hist *
anomaly_hist_new(int keep)
{
	struct anomaly_hist *h = calloc(1, sizeof(*h));

	if (h == NULL)
		return NULL;
	h->keep = keep < 1 ? 1 : keep;
	keyset_init(&h->gidx, 1);
	keyset_init(&h->pidx, 1);
	if ((h->dtmp = calloc((size_t)h->keep, sizeof(struct dec))) == NULL) {
		anomaly_hist_free(h);
		return NULL;
	}
	return h;
}

static void
pay_free(struct pay *p)
{
	free(p->vendor);
	free(p->amount);
	free(p->date);
	free(p->ref);
	free(p->id);
	free(p->at);
	free(p->flat);
	free(p->seg);
}

void
anomaly_hist_free(struct anomaly_hist *h)
{
	size_t i;

	if (h == NULL)
		return;
	for (i = 0; i < h->nseries; i++)
		free(h->series[i]);
	free(h->series);
	for (i = 0; i < h->ng; i++) {
		for (uint32_t k = 0; k < h->g[i].n; k++)
			free(h->g[i].v[k].id);
		free(h->g[i].name);
		free(h->g[i].v);
		free(h->g[i].sx);
		free(h->g[i].sl);
	}
	free(h->g);
	keyset_free(&h->gidx);
	for (i = 0; i < h->np; i++)
		pay_free(&h->p[i]);
	free(h->p);
	keyset_free(&h->pidx);
	buf_release(&h->key);
	buf_release(&h->flat);
	buf_release(&h->seg);
	free(h->dtmp);
	free(h);
}

size_t
anomaly_hist_groups(const struct anomaly_hist *h)
{
	return h->ng;
}

size_t
anomaly_hist_payments(const struct anomaly_hist *h)
{
	return h->np;
}

/* ---- groups -------------------------------------------------------------- */

static int
series_index(struct anomaly_hist *h, const char *name, uint32_t *out)
{
	char **ns;

	for (size_t i = 0; i < h->nseries; i++) {
		if (strcmp(h->series[i], name) == 0) {
			*out = (uint32_t)i;
			return 0;
		}
	}
	if ((ns = realloc(h->series, (h->nseries + 1) * sizeof(*ns))) == NULL)
		return -1;
	h->series = ns;
	if ((ns[h->nseries] = strdup(name)) == NULL)
		return -1;
	*out = (uint32_t)h->nseries++;
	return 0;
}

/* The group's index (created when new), NO_GROUP when there is no room
 * for another; -1 out of memory. */
static int
group_find(struct anomaly_hist *h, const char *series, const char *name, size_t *out)
{
	uint32_t si;
	uint64_t at;
	struct group *g;

	if (series_index(h, series, &si) < 0)
		return -1;
	buf_reset(&h->key);
	if (buf_add(&h->key, &si, sizeof si) < 0 || buf_adds(&h->key, name) < 0)
		return -1;
	if (keyset_get(&h->gidx, h->key.p, h->key.len, &at)) {
		*out = (size_t)at;
		return 0;
	}
	if (h->ng >= ANOMALY_MAX_GROUPS) {
		*out = NO_GROUP;
		return 0;
	}
	if ((g = array_grow(h->g, &h->capg, h->ng + 1, sizeof(*g))) == NULL)
		return -1;
	h->g = g;
	g = &h->g[h->ng];
	memset(g, 0, sizeof(*g));
	g->series = si;
	if ((g->name = strdup(name)) == NULL ||
	    keyset_put(&h->gidx, h->key.p, h->key.len, h->ng, NULL) < 0) {
		free(g->name);
		return -1;
	}
	*out = h->ng++;
	return 0;
}

/* an id's hash, compared before the id itself (the one hash: keyset.h) */
static uint64_t
id_hash(const char *s)
{
	static const uint64_t k[2] = { 0, 0 };
	uint64_t d[2];

	siphash128(k, s, strlen(s), d);
	return d[0];
}

/* the first of n sorted doubles not below x */
static size_t
lower_bound(const double *a, size_t n, double x)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void
sorted_insert(double *a, size_t n, double x)
{
	size_t at = lower_bound(a, n, x);

	memmove(a + at + 1, a + at, (n - at) * sizeof(*a));
	a[at] = x;
}

static void
sorted_remove(double *a, size_t n, double x)
{
	size_t at = lower_bound(a, n, x);

	if (at < n)
		memmove(a + at, a + at + 1, (n - at - 1) * sizeof(*a));
}

static int
group_add(struct anomaly_hist *h, struct group *g, const struct dec *d, const char *id)
{
	struct val *v;
	char *idc = NULL;
	size_t n = g->n;

	if (id && (idc = strdup(id)) == NULL)
		return -1;
	if (g->n < (uint32_t)h->keep) {
		size_t cap = g->cap, c1 = g->cap, c2 = g->cap;
		double *sx, *sl;

		if ((v = array_grow(g->v, &cap, n + 1, sizeof(*v))) != NULL)
			g->v = v;
		if ((sx = array_grow(g->sx, &c1, n + 1, sizeof(*sx))) != NULL)
			g->sx = sx;
		if ((sl = array_grow(g->sl, &c2, n + 1, sizeof(*sl))) != NULL)
			g->sl = sl;
		if (v == NULL || sx == NULL || sl == NULL) {
			free(idc);
			return -1;
		}
		g->cap = (uint32_t)(cap < (size_t)h->keep ? cap : (size_t)h->keep);
		v = &g->v[g->n++];
	} else {
		v = &g->v[g->head];
		g->head = (g->head + 1) % g->n;
		free(v->id);
		sorted_remove(g->sx, n, v->x);
		sorted_remove(g->sl, n, v->lg);
		g->nonpos -= v->x <= 0;
		n--;
	}
	v->id = idc;
	v->idh = id ? id_hash(id) : 0;
	v->d = *d;
	v->x = dec_to_double(d);
	v->lg = v->x > 0 ? log(v->x) : -INFINITY;
	g->nonpos += v->x <= 0;
	sorted_insert(g->sx, n, v->x);
	sorted_insert(g->sl, n, v->lg);
	return 0;
}

static int
cmp_dec(const void *a, const void *b)
{
	return dec_cmp(a, b);
}

/* median and MAD of n (>= 1) sorted doubles: the deviations from the
 * median, walked outwards from it on both sides in increasing order, up
 * to the middle one */
static void
robust(const double *a, size_t n, double *med, double *mad)
{
	size_t m, r, k, want = n / 2;
	ptrdiff_t l;
	double prev = 0, cur = 0;

	*med = n % 2 ? a[n / 2] : (a[n / 2 - 1] + a[n / 2]) / 2;
	m = lower_bound(a, n, *med);
	l = (ptrdiff_t)m - 1;
	r = m;
	for (k = 0; k <= want; k++) {
		double dl = l >= 0 ? *med - a[l] : INFINITY, dr = r < n ? a[r] - *med : INFINITY;

		prev = cur;
		if (dl <= dr) {
			cur = dl;
			l--;
		} else {
			cur = dr;
			r++;
		}
	}
	*mad = n % 2 ? cur : (prev + cur) / 2;
}

/* the exact median of n sorted decimals: the middle one, or the mean of
 * the two, with one more place only when it needs it */
static int
dec_median_sorted(const struct dec *a, size_t n, struct dec *out)
{
	struct dec sum, two, half, r;
	int sc;

	if (n % 2) {
		*out = a[n / 2];
		return 0;
	}
	dec_from_ll(2, &two);
	if (dec_add(&a[n / 2 - 1], &a[n / 2], &sum) < 0)
		return -1;
	sc = sum.scale < DEC_MAX_SCALE ? sum.scale + 1 : sum.scale;
	if (dec_div(&sum, &two, sc, DEC_HALF_EVEN, &half) < 0)
		return -1;
	if (dec_round(&half, sum.scale, DEC_HALF_EVEN, &r) == 0 && dec_cmp(&r, &half) == 0)
		half = r;
	*out = half;
	return 0;
}

/* the exact median and MAD of the group's values, as text */
static int
exact_stats(struct anomaly_hist *h, const struct group *g, struct anomaly_verdict *vd)
{
	struct dec med, mad;
	size_t n = g->n, i;

	for (i = 0; i < n; i++)
		h->dtmp[i] = g->v[i].d;
	qsort(h->dtmp, n, sizeof(*h->dtmp), cmp_dec);
	if (dec_median_sorted(h->dtmp, n, &med) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (dec_sub(&g->v[i].d, &med, &h->dtmp[i]) < 0)
			return -1;
		if (dec_sign(&h->dtmp[i]) < 0)
			h->dtmp[i].coef = -h->dtmp[i].coef;
	}
	qsort(h->dtmp, n, sizeof(*h->dtmp), cmp_dec);
	if (dec_median_sorted(h->dtmp, n, &mad) < 0)
		return -1;
	if (dec_format(&med, vd->median, sizeof vd->median) < 0 ||
	    dec_format(&mad, vd->mad, sizeof vd->mad) < 0)
		return -1;
	return 0;
}

int
anomaly_judge(struct anomaly_hist *h, const char *series, const char *group, const struct dec *x,
              const char *id, int min, double cut, struct anomaly_verdict *out)
{
	struct group *g;
	double xd = dec_to_double(x), med, mad, s;
	uint64_t idh;
	size_t i, n;
	int allpos;

	memset(out, 0, sizeof(*out));
	if (group_find(h, series, group, &out->group) < 0)
		return -1;
	if (out->group == NO_GROUP)
		return 0;
	g = &h->g[out->group];
	n = out->n = g->n;
	idh = id ? id_hash(id) : 0;
	for (i = 0; id && i < n; i++) {
		if (g->v[i].idh == idh && g->v[i].id && strcmp(g->v[i].id, id) == 0) {
			out->replay = 1; /* this record again: judged when it came */
			return 0;
		}
	}
	if (n == 0 || n < (size_t)(min < 1 ? 1 : min))
		return 0;
	out->judged = 1;
	allpos = g->nonpos == 0;
	if (allpos && xd > 0) {
		robust(g->sl, n, &med, &mad);
		s = fmax(1.4826 * mad, log(1.01));
		out->score = fabs(log(xd) - med) / s;
		out->ratio = xd / exp(med);
		out->logscale = 1;
	} else {
		robust(g->sx, n, &med, &mad);
		s = fmax(fmax(1.4826 * mad, 0.01 * fabs(med)), 0.01);
		out->score = fabs(xd - med) / s;
		out->ratio = med != 0 ? xd / med : 0;
		out->sign = allpos && xd <= 0;
	}
	out->flagged = out->sign || out->score >= cut;
	if (out->flagged && exact_stats(h, g, out) < 0) {
		/* past what a decimal holds (a difference or a mean of two
		 * values of 38 digits): the figures of the doubles, not a
		 * failure of the run */
		robust(g->sx, n, &med, &mad);
		snprintf(out->median, sizeof(out->median), "%.17g", med);
		snprintf(out->mad, sizeof(out->mad), "%.17g", mad);
	}
	return 0;
}

int
anomaly_learn(struct anomaly_hist *h, const struct anomaly_verdict *vd, const struct dec *x,
              const char *id)
{
	if (vd->group == NO_GROUP || vd->replay)
		return 0;
	return group_add(h, &h->g[vd->group], x, id);
}

/* ---- references ---------------------------------------------------------- */

static const char *const doc_words[] = { "INVOICE", "FACTURE", "BILL", "FACT", "RECH", "INV",
	                                 "REF",     "NUM",     "NO",   "NR",   "RE",   NULL };

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_alnum(int c)
{
	return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c >= 0x80;
}

int
anomaly_ref_norm(const char *ref, size_t n, struct buf *flat, struct buf *seg)
{
	size_t i = 0, j, k, lead;
	int rc = 0, words = 1;

	buf_reset(flat);
	buf_reset(seg);
	while (i < n && rc == 0) {
		int digits = is_digit((unsigned char)ref[i]), word = 0;

		if (!is_alnum((unsigned char)ref[i])) {
			i++;
			continue;
		}
		/* a token: a run of digits, or of letters */
		for (j = i; j < n && is_alnum((unsigned char)ref[j]) &&
		            is_digit((unsigned char)ref[j]) == digits;
		     j++)
			;
		if (!digits && words) {
			for (const char *const *w = doc_words; *w && !word; w++)
				word = strlen(*w) == j - i && strncasecmp(*w, ref + i, j - i) == 0;
			/* a document word counts only when more follows */
			for (k = j; word && k < n && !is_alnum((unsigned char)ref[k]); k++)
				;
			word = word && k < n;
		}
		if (word) {
			i = j;
			continue;
		}
		words = 0;
		for (lead = i; digits && lead + 1 < j && ref[lead] == '0'; lead++)
			;
		if (seg->len)
			rc |= buf_addc(seg, '.');
		for (k = i; k < j; k++) {
			int c = (unsigned char)ref[k];

			c = c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
			if (k >= lead)
				rc |= buf_addc(seg, c);
			/* flat: leading zeros of the whole only */
			if (flat->len || c != '0')
				rc |= buf_addc(flat, c);
		}
		i = j;
	}
	if (rc == 0 && flat->len == 0 && seg->len)
		rc = buf_addc(flat, '0'); /* "000" */
	buf_str(flat);
	buf_str(seg);
	return rc ? -1 : 0;
}

/* ---- payments ------------------------------------------------------------ */

static int
pay_key(struct anomaly_hist *h, const char *vendor, const char *amount)
{
	buf_reset(&h->key);
	return buf_add(&h->key, vendor, strlen(vendor) + 1) < 0 || buf_adds(&h->key, amount) < 0
	               ? -1
	               : 0;
}

/* two references are the same payment's */
static int
same_ref(const struct pay *q, const char *flat, const char *seg)
{
	return (flat[0] && strcmp(q->flat, flat) == 0) || (seg[0] && strcmp(q->seg, seg) == 0);
}

int
anomaly_dup_find(struct anomaly_hist *h, const struct anomaly_payment *p, int window,
                 struct anomaly_dup *out)
{
	const struct pay *best = NULL;
	long long bestdays = 0;
	const char *flat, *seg;
	uint64_t at;
	int hasref;

	memset(out, 0, sizeof(*out));
	if (anomaly_ref_norm(p->ref ? p->ref : "", p->ref ? strlen(p->ref) : 0, &h->flat, &h->seg) <
	    0)
		return -1;
	flat = buf_str(&h->flat);
	seg = buf_str(&h->seg);
	hasref = flat[0] != '\0';
	if (pay_key(h, p->vendor, p->amount) < 0)
		return -1;
	if (!keyset_get(&h->pidx, h->key.p, h->key.len, &at))
		return 0;
	for (size_t i = (size_t)at; i != NO_GROUP; i = h->p[i].next) {
		const struct pay *q = &h->p[i];
		long long d = p->day - q->day, ad = d < 0 ? -d : d;

		if (p->id && q->id && strcmp(p->id, q->id) == 0) {
			out->same = 1; /* a replay of a payment seen: no verdict */
			out->found = 0;
			return 0;
		}
		if (ad > window || (hasref && q->flat[0] && !same_ref(q, flat, seg)))
			continue;
		if (best == NULL || ad < (bestdays < 0 ? -bestdays : bestdays)) {
			best = q;
			bestdays = d;
		}
	}
	if (best == NULL)
		return 0;
	out->found = 1;
	out->days = bestdays;
	out->past = best->past;
	out->noref = !hasref || !best->flat[0];
	out->other.vendor = best->vendor;
	out->other.amount = best->amount;
	out->other.day = best->day;
	out->other.date = best->date;
	out->other.ref = best->ref;
	out->other.id = best->id;
	out->other.at = best->at;
	out->norm = out->noref ? NULL : strcmp(best->flat, flat) == 0 ? best->flat : best->seg;
	return 0;
}

static char *
dup_or_null(const char *s, int *bad)
{
	char *r;

	if (s == NULL)
		return NULL;
	if ((r = strdup(s)) == NULL)
		*bad = 1;
	return r;
}

/* add a payment; past: it comes from the history file */
static int
pay_add(struct anomaly_hist *h, const struct anomaly_payment *p, int past)
{
	struct pay *q;
	uint64_t at;
	int bad = 0;

	if (h->np >= ANOMALY_MAX_PAYMENTS)
		return 0;
	if ((q = array_grow(h->p, &h->capp, h->np + 1, sizeof(*q))) == NULL)
		return -1;
	h->p = q;
	q = &h->p[h->np];
	memset(q, 0, sizeof(*q));
	q->next = q->tail = NO_GROUP;
	q->day = p->day;
	q->past = past;
	q->vendor = dup_or_null(p->vendor, &bad);
	q->amount = dup_or_null(p->amount, &bad);
	q->date = dup_or_null(p->date, &bad);
	q->ref = dup_or_null(p->ref, &bad);
	q->id = dup_or_null(p->id, &bad);
	q->at = dup_or_null(p->at, &bad);
	if (bad ||
	    anomaly_ref_norm(p->ref ? p->ref : "", p->ref ? strlen(p->ref) : 0, &h->flat, &h->seg) <
	            0 ||
	    (q->flat = strdup(buf_str(&h->flat))) == NULL ||
	    (q->seg = strdup(buf_str(&h->seg))) == NULL || pay_key(h, p->vendor, p->amount) < 0) {
		pay_free(q);
		return -1;
	}
	if (keyset_get(&h->pidx, h->key.p, h->key.len, &at)) {
		struct pay *head = &h->p[at];

		h->p[head->tail == NO_GROUP ? at : head->tail].next = h->np;
		head->tail = h->np;
	} else if (keyset_put(&h->pidx, h->key.p, h->key.len, h->np, NULL) < 0) {
		pay_free(q);
		return -1;
	}
	if (h->np == 0 || p->day > h->newest)
		h->newest = p->day;
	h->np++;
	return 1;
}

int
anomaly_dup_add(struct anomaly_hist *h, const struct anomaly_payment *p)
{
	return pay_add(h, p, 0);
}

/* ---- the history file ---------------------------------------------------- */

static int
bad(struct ep_err *err, const char *name, const char *what, const char *where, size_t i)
{
	return ep_errf(err, EP_DATAERR, "history '%s': %s: %s (item %zu)", name, where, what, i);
}

static int
load_series(struct anomaly_hist *h, const cJSON *v, const char *name, struct ep_err *err)
{
	const cJSON *series = cJSON_GetObjectItemCaseSensitive(v, "series"), *s, *g, *x;
	size_t i = 0, at;

	if (!cJSON_IsObject(v) || !cJSON_IsObject(series))
		return bad(err, name, "not {\"v\":1,\"series\":{...}}", ANOMALY_STREAM, 0);
	cJSON_ArrayForEach(s, series) {
		if (!cJSON_IsObject(s))
			return bad(err, name, "a series is not an object", ANOMALY_STREAM, i);
		cJSON_ArrayForEach(g, s) {
			i++;
			if (!cJSON_IsArray(g))
				return bad(err, name, "a group is not an array", ANOMALY_STREAM, i);
			if (group_find(h, s->string, g->string, &at) < 0)
				return ep_errf(err, EP_SOFTWARE, "out of memory");
			if (at == NO_GROUP)
				return bad(err, name, "too many groups", ANOMALY_STREAM, i);
			cJSON_ArrayForEach(x, g) {
				const cJSON *t = x, *id = NULL;
				struct dec d;

				/* "VALUE", or ["VALUE", "ID"] */
				if (cJSON_IsArray(x)) {
					t = cJSON_GetArrayItem(x, 0);
					id = cJSON_GetArrayItem(x, 1);
					if (cJSON_GetArraySize(x) != 2 || !cJSON_IsString(id))
						return bad(err, name,
						           "not \"VALUE\" or [\"VALUE\",\"ID\"]",
						           ANOMALY_STREAM, i);
				}
				if (!cJSON_IsString(t) || dec_parse_str(t->valuestring, &d) < 0)
					return bad(err, name, "a value is not a decimal text",
					           ANOMALY_STREAM, i);
				if (group_add(h, &h->g[at], &d, id ? id->valuestring : NULL) < 0)
					return ep_errf(err, EP_SOFTWARE, "out of memory");
			}
		}
	}
	return 0;
}

/* a member of a payment: a string, or null where allowed */
static int
pay_str(const cJSON *a, int k, int nullable, const char **out)
{
	const cJSON *x = cJSON_GetArrayItem(a, k);

	if (cJSON_IsString(x) && x->valuestring[0]) {
		*out = x->valuestring;
		return 0;
	}
	*out = NULL;
	return nullable && cJSON_IsNull(x) ? 0 : -1;
}

static int
load_payments(struct anomaly_hist *h, const cJSON *v, const char *name, struct ep_err *err)
{
	const cJSON *pays = cJSON_GetObjectItemCaseSensitive(v, "payments"), *a;
	size_t i = 0;

	if (!cJSON_IsObject(v) || !cJSON_IsArray(pays))
		return bad(err, name, "not {\"v\":1,\"payments\":[...]}", ANOMALY_PAY_STREAM, 0);
	cJSON_ArrayForEach(a, pays) {
		struct anomaly_payment p;
		struct dt_time t;
		struct dec d;

		i++;
		if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) != 6 ||
		    pay_str(a, 0, 0, &p.vendor) || pay_str(a, 1, 0, &p.amount) ||
		    pay_str(a, 2, 0, &p.date) || pay_str(a, 3, 1, &p.ref) ||
		    pay_str(a, 4, 1, &p.id) || pay_str(a, 5, 0, &p.at))
			return bad(err, name, "not [VENDOR,AMOUNT,DATE,REF,ID,AT]",
			           ANOMALY_PAY_STREAM, i);
		if (dec_parse_str(p.amount, &d) < 0)
			return bad(err, name, "the amount is not a decimal text",
			           ANOMALY_PAY_STREAM, i);
		if (dt_parse(p.date, strlen(p.date), NULL, &t) < 0)
			return bad(err, name, "the date is not a date", ANOMALY_PAY_STREAM, i);
		p.day = t.sec >= 0 ? t.sec / 86400 : -((-t.sec + 86399) / 86400);
		if (pay_add(h, &p, 1) < 0)
			return ep_errf(err, EP_SOFTWARE, "out of memory");
	}
	return 0;
}

int
anomaly_hist_load(struct anomaly_hist *h, const cJSON *map, const char *name, struct ep_err *err)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(map, ANOMALY_STREAM);
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(map, ANOMALY_PAY_STREAM);

	if (s && load_series(h, s, name, err) < 0)
		return -1;
	if (p && load_payments(h, p, name, err) < 0)
		return -1;
	return 0;
}

cJSON *
anomaly_hist_series_json(const struct anomaly_hist *h)
{
	cJSON *root = cJSON_CreateObject(), *series = cJSON_CreateObject();
	cJSON **ss = calloc(h->nseries + 1, sizeof(*ss));
	size_t i;

	if (root == NULL || series == NULL || ss == NULL ||
	    !cJSON_AddItemToObject(root, "v", cJSON_CreateNumber(1)) ||
	    !cJSON_AddItemToObject(root, "series", series)) {
		cJSON_Delete(series);
		goto fail;
	}
	/* a series is written with its first group that has values */
	for (i = 0; i < h->ng; i++) {
		const struct group *g = &h->g[i];
		cJSON *a;

		if (g->n == 0)
			continue;
		if (ss[g->series] == NULL &&
		    (ss[g->series] = cJSON_AddObjectToObject(series, h->series[g->series])) == NULL)
			goto fail;
		if ((a = cJSON_AddArrayToObject(ss[g->series], g->name)) == NULL)
			goto fail;
		for (uint32_t k = 0; k < g->n; k++) {
			const struct val *v = &g->v[(g->head + k) % g->n];
			char t[DEC_STRLEN];
			cJSON *x;

			if (dec_format(&v->d, t, sizeof t) < 0 ||
			    (x = cJSON_CreateString(t)) == NULL)
				goto fail;
			if (v->id) {
				cJSON *pair = cJSON_CreateArray();

				if (pair == NULL) {
					cJSON_Delete(x);
					goto fail;
				}
				cJSON_AddItemToArray(pair, x);
				cJSON_AddItemToArray(pair, cJSON_CreateString(v->id));
				if (cJSON_GetArraySize(pair) != 2) {
					cJSON_Delete(pair);
					goto fail;
				}
				x = pair;
			}
			cJSON_AddItemToArray(a, x);
		}
	}
	free(ss);
	return root;
fail:
	free(ss);
	cJSON_Delete(root);
	return NULL;
}

static cJSON *
str_or_null(const char *s)
{
	return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

cJSON *
anomaly_hist_payments_json(struct anomaly_hist *h, int window)
{
	cJSON *root = cJSON_CreateObject(), *pays = cJSON_CreateArray();
	long long newest = 0;
	size_t i;

	if (root == NULL || pays == NULL ||
	    !cJSON_AddItemToObject(root, "v", cJSON_CreateNumber(1)) ||
	    !cJSON_AddItemToObject(root, "payments", pays)) {
		cJSON_Delete(pays);
		cJSON_Delete(root);
		return NULL;
	}
	newest = h->newest;
	for (i = 0; i < h->np; i++) {
		const struct pay *q = &h->p[i];
		cJSON *a;

		if (window >= 0 && q->day < newest - window)
			continue;
		if ((a = cJSON_CreateArray()) == NULL) {
			cJSON_Delete(root);
			return NULL;
		}
		cJSON_AddItemToArray(pays, a);
		cJSON_AddItemToArray(a, cJSON_CreateString(q->vendor));
		cJSON_AddItemToArray(a, cJSON_CreateString(q->amount));
		cJSON_AddItemToArray(a, cJSON_CreateString(q->date));
		cJSON_AddItemToArray(a, str_or_null(q->ref));
		cJSON_AddItemToArray(a, str_or_null(q->id));
		cJSON_AddItemToArray(a, cJSON_CreateString(q->at));
		if (cJSON_GetArraySize(a) != 6) {
			cJSON_Delete(root);
			return NULL;
		}
	}
	return root;
}
