/* diff_merge.c - the three-way merge of reconcile --base: per key and
 * field, what changed on each side since the base; the fixes for each side
 * (written by diff_fix, as the two-way fixes are), the conflicts as
 * rejects, the new base; field owners and the policy file.  The join of
 * the three inputs is diff_join3 (diff_join.c). */
#include "engine/diff/diff_int.h"

#include <stdlib.h>
#include <string.h>

#include "base/fields.h"
#include "engine/map/map.h"
#include "base/text.h"

enum { OWN_UNKNOWN = -2, OWN_NONE = -1 };

struct merge {
	struct diff_merge_spec spec;
	const struct diff_merge_sink *sink;
	struct diff_sink dsink; /* bad and note, for the join */
	struct diff_merge_counts c;
	const char *archive[2]; /* members of the archive object, no braces */
	size_t narchive[2];
	/* one key's values by field number: [0] left, [1] right, [2] base */
	struct diff_val *v[3];
	uint32_t *gen[3];
	uint32_t cur;
	struct diff_val *mv; /* the merged value */
	unsigned char *conflict;
	signed char *owner;
	int *touched, ntouched;
	char **qname; /* ,"name": of each field, made on first use */
	int cap;
	struct diff_fd *fd;
	struct buf out, want, key, tmp;
};

/* ---- owners and the policy file ---- */

void
diff_policy_free(struct diff_policy *pol)
{
	for (int i = 0; i < pol->nowners; i++)
		free(pol->owners[i].name);
	free(pol->owners);
	pol->owners = NULL;
	pol->nowners = 0;
}

static int
side_word(const char *s, size_t n)
{
	if (n == 4 && memcmp(s, "left", 4) == 0)
		return DIFF_LEFT;
	if (n == 5 && memcmp(s, "right", 5) == 0)
		return DIFF_RIGHT;
	return -1;
}

static int
owner_add(struct diff_policy *pol, const char *name, size_t n, int side)
{
	struct diff_owner *o = realloc(pol->owners, (size_t)(pol->nowners + 1) * sizeof *o);

	if (o == NULL)
		return -1;
	pol->owners = o;
	if ((o[pol->nowners].name = strndup(name, n)) == NULL)
		return -1;
	o[pol->nowners++].side = side;
	return 0;
}

int
diff_parse_owners(const char *s, struct diff_policy *pol, struct ep_err *err)
{
	struct fields_iter it;
	struct field_ref f;
	int r, side;

	fields_init(&it, s, FIELDS_PAIRS);
	while ((r = fields_next(&it, &f)) != 0) {
		side = r > 0 && f.name[1] != f.name[0] ? side_word(f.name[1], f.n[1]) : -1;
		if (side < 0)
			return ep_errf(err, EP_USAGE,
			               "--owner '%s': '%.*s' is not FIELD=left or "
			               "FIELD=right",
			               s, (int)f.len, f.item);
		if (owner_add(pol, f.name[0], f.n[0], side) < 0)
			return ep_errf(err, EP_SOFTWARE, "out of memory");
	}
	return 0;
}

/* the next word of [*p, e) (blanks around it skipped), or n == 0 */
static size_t
word(const char **p, const char *e, const char **w)
{
	const char *s = *p;

	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	*w = s;
	while (s < e && *s != ' ' && *s != '\t')
		s++;
	*p = s;
	return (size_t)(s - *w);
}

int
diff_policy_parse(const char *text, size_t n, const char *source, struct diff_policy *pol,
                  struct diff_pair **ignore, int *nignore, struct ep_err *err)
{
	const char *p = text, *end = text + n;
	unsigned long line = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end, *q = p;
		const char *w[4];
		size_t wn[4];
		int k;
		char name[256];

		line++;
		if (e > p && e[-1] == '\r')
			e--;
		/* a field name is a C string from here on: a NUL would cut it */
		if (memchr(p, '\0', (size_t)(e - p)) != NULL)
			return ep_errf(err, EP_DATAERR, "%s:%lu: a NUL byte: not text", source,
			               line);
		for (k = 0; k < 4; k++)
			wn[k] = word(&q, e, &w[k]);
		p = nl ? nl + 1 : end;
		if (wn[0] == 0 || w[0][0] == '#')
			continue;
		if (wn[0] == 5 && memcmp(w[0], "owner", 5) == 0) {
			if (wn[1] == 0 || wn[2] == 0 || wn[3] != 0 || side_word(w[2], wn[2]) < 0)
				return ep_errf(err, EP_DATAERR,
				               "%s:%lu: not 'owner FIELD left|right'", source,
				               line);
			if (owner_add(pol, w[1], wn[1], side_word(w[2], wn[2])) < 0)
				return ep_errf(err, EP_SOFTWARE, "out of memory");
		} else if (wn[0] == 6 && memcmp(w[0], "ignore", 6) == 0) {
			if (wn[1] == 0 || wn[2] != 0 || wn[1] >= sizeof name)
				return ep_errf(err, EP_DATAERR, "%s:%lu: not 'ignore FIELD'",
				               source, line);
			memcpy(name, w[1], wn[1]);
			name[wn[1]] = '\0';
			if (strchr(name, ',') || strchr(name, '='))
				return ep_errf(err, EP_DATAERR,
				               "%s:%lu: 'ignore %s': one field name, "
				               "without ',' or '='",
				               source, line, name);
			if (diff_parse_pairs(name, "ignore", ignore, nignore, err) < 0)
				return -1;
		} else
			return ep_errf(err, EP_DATAERR,
			               "%s:%lu: '%.*s': not owner, ignore or a "
			               "comment",
			               source, line, (int)(wn[0] > 40 ? 40 : wn[0]), w[0]);
	}
	return 0;
}

/* ---- state ---- */

void
diff_merge_free(struct diff *d)
{
	struct merge *m = d->m;

	if (m == NULL)
		return;
	for (int s = 0; s < 3; s++) {
		free(m->v[s]);
		free(m->gen[s]);
	}
	free(m->mv);
	free(m->conflict);
	free(m->owner);
	free(m->touched);
	free(m->fd);
	for (int i = 0; i < m->cap; i++)
		free(m->qname[i]);
	free(m->qname);
	buf_release(&m->out);
	buf_release(&m->want);
	buf_release(&m->key);
	buf_release(&m->tmp);
	free(m);
	d->m = NULL;
}

const struct diff_merge_counts *
diff_merge_counts(const struct diff *d)
{
	static const struct diff_merge_counts none;

	return d->m ? &d->m->c : &none;
}

static int
oom(struct diff *d)
{
	return ep_errf(d->err, EP_SOFTWARE, "out of memory");
}

/* room for every field number d has now */
static int
room(struct diff *d, struct merge *m)
{
	int cap = d->nfields, s;

	if (cap <= m->cap)
		return 0;
	cap *= 2;
#define GROW(p, n)                                                                                 \
	do {                                                                                       \
		void *np_ = realloc((p), (size_t)(n) * sizeof *(p));                               \
		if (np_ == NULL)                                                                   \
			return -1;                                                                 \
		(p) = np_;                                                                         \
	} while (0)
	for (s = 0; s < 3; s++) {
		GROW(m->v[s], cap);
		GROW(m->gen[s], cap);
		memset(m->gen[s] + m->cap, 0, (size_t)(cap - m->cap) * sizeof *m->gen[s]);
	}
	GROW(m->mv, cap);
	GROW(m->conflict, cap);
	GROW(m->owner, cap);
	GROW(m->touched, cap);
	GROW(m->fd, cap);
	GROW(m->qname, cap);
#undef GROW
	memset(m->owner + m->cap, OWN_UNKNOWN, (size_t)(cap - m->cap));
	memset(m->qname + m->cap, 0, (size_t)(cap - m->cap) * sizeof *m->qname);
	m->cap = cap;
	return 0;
}

static int
owner_of(struct diff *d, struct merge *m, int f)
{
	const struct diff_policy *pol = m->spec.policy;

	if (m->owner[f] != OWN_UNKNOWN)
		return m->owner[f];
	m->owner[f] = OWN_NONE;
	for (int i = 0; pol && i < pol->nowners; i++)
		if (strcmp(pol->owners[i].name, d->fields[f].name[0]) == 0 ||
		    strcmp(pol->owners[i].name, d->fields[f].name[1]) == 0)
			m->owner[f] = (signed char)pol->owners[i].side;
	return m->owner[f];
}

static int
int_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* the fields of rec into slot s; every field seen joins touched */
static void
decode(struct merge *m, int s, const struct drec *rec)
{
	const unsigned char *p, *e;

	for (p = DREC_FIELDS(rec), e = DREC_END(rec); p < e;) {
		int f;
		struct diff_val v;

		p = drec_field(p, e, &f, &v);
		m->v[s][f] = v;
		if (m->gen[0][f] != m->cur && m->gen[1][f] != m->cur && m->gen[2][f] != m->cur)
			m->touched[m->ntouched++] = f;
		m->gen[s][f] = m->cur;
	}
}

static const struct diff_val none_val = { NULL, 0 };

static const struct diff_val *
val(const struct merge *m, int s, int f)
{
	return m->gen[s][f] == m->cur ? &m->v[s][f] : &none_val;
}

static int
eq(struct diff *d, int f, const struct diff_val *a, const struct diff_val *b)
{
	struct dec delta;
	int has;

	if (a->n == b->n && (a->n == 0 || memcmp(a->p, b->p, a->n) == 0))
		return 1;
	return diff_value_equal(d, &d->fields[f], a, b, &delta, &has);
}

/* ---- writing ---- */

static int
emit(struct diff *d, int what, const struct buf *b)
{
	struct merge *m = d->m;

	return m->sink->out(m->sink->ctx, what, b->p ? b->p : "", b->len, d->err);
}

/* a compact record with rec's key and the fields fd[0..n) (value side vs) */
static int
build(struct buf *o, const struct drec *keyrec, const struct diff_fd *fd, int n, int vs)
{
	struct drec h = *keyrec;

	buf_reset(o);
	if (buf_add(o, &h, sizeof h) < 0 || buf_add(o, DREC_KEY(keyrec), keyrec->keylen) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		uint16_t f = (uint16_t)fd[i].field;
		const struct diff_val *v = &fd[i].v[vs];

		if (v->n == 0)
			continue;
		if (buf_add(o, &f, 2) < 0 || diff_varint_put(o, v->n) < 0 ||
		    buf_add(o, v->p, v->n) < 0)
			return -1;
		h.nf++;
	}
	h.nf = 0;
	for (int i = 0; i < n; i++)
		h.nf += fd[i].v[vs].n > 0;
	h.size = (uint32_t)o->len;
	memcpy(o->p, &h, sizeof h);
	return 0;
}

/* The fix for side t: op 'u' (update: fd[0..n) hold t's value and the
 * wanted one), 'c' (create: the wanted values), 'd' (delete) or 'a'
 * (archive).  cur is t's record (NULL for a create). */
static int
fix(struct diff *d, int t, int op, const struct drec *keyrec, const struct drec *cur,
    struct diff_fd *fd, int n)
{
	struct merge *m = d->m;
	struct diff_event ev;
	struct map_rterr re;
	int r;

	if (!m->spec.emit[t])
		return 0;
	memset(&ev, 0, sizeof ev);
	ev.key = DREC_KEY(keyrec);
	ev.keylen = keyrec->keylen;
	ev.fd = fd;
	ev.nfd = n;
	ev.status = op == 'u'   ? DIFF_CHANGED
	            : op == 'c' ? (t ? DIFF_ONLY_LEFT : DIFF_ONLY_RIGHT)
	                        : (t ? DIFF_ONLY_RIGHT : DIFF_ONLY_LEFT);
	ev.rec[t] = cur;
	if (m->spec.fixmap[t] != NULL && (op == 'u' || op == 'c')) {
		/* the map wants whole records: t's as it should be */
		if (build(&m->want, keyrec, fd, n, !t) < 0)
			return oom(d);
		if (op == 'u') {
			/* t's fields not in fd stay as they are */
			struct diff_fd *all = m->fd + n;
			int k = 0;
			const unsigned char *p, *e;

			for (p = DREC_FIELDS(cur), e = DREC_END(cur); p < e;) {
				int f, i;
				struct diff_val v;

				p = drec_field(p, e, &f, &v);
				for (i = 0; i < n && fd[i].field != f; i++)
					;
				if (i == n && n + k < m->cap) {
					all[k].field = f;
					all[k].v[!t] = v;
					k++;
				}
			}
			if (n + k + n > m->cap)
				return oom(d);
			memcpy(all + k, fd, (size_t)n * sizeof *fd);
			if (build(&m->want, keyrec, all, k + n, !t) < 0)
				return oom(d);
		}
		ev.rec[!t] = m->want.p;
	}
	buf_reset(&m->out);
	r = diff_fix(d, &ev, t, 1, m->spec.fixmap[t], &m->out, &re);
	if (r == -1)
		return oom(d);
	if (r == -2) {
		buf_reset(&m->tmp);
		diff_key_json(d, &m->tmp, ev.key, ev.keylen, t);
		buf_addf(&m->tmp, ": the fix map: %s", re.where[0] ? re.where : re.msg);
		if (m->sink->note)
			m->sink->note(m->sink->ctx, buf_str(&m->tmp));
		m->c.fix_errors++;
		return 0;
	}
	if (r == 0)
		return 0;
	if (op == 'a') {
		/* {"_op":"delete",... -> {"_op":"update",...,<archive members>} */
		memcpy(m->out.p + 8, "update", 6);
		m->out.len--;
		if (buf_addc(&m->out, ',') < 0 ||
		    buf_add(&m->out, m->archive[t], m->narchive[t]) < 0 ||
		    buf_addc(&m->out, '}') < 0)
			return oom(d);
	}
	return emit(d, t, &m->out);
}

/* a value as JSON for a reject (null when absent) */
static int
put_val(struct buf *b, const struct diff_val *v)
{
	return v->n ? buf_add(b, v->p, v->n) : buf_add(b, "null", 4);
}

/* ,"base":B,"left":L,"right":R for field f */
static void
three_values(struct buf *b, const struct merge *m, int f)
{
	buf_adds(b, ",\"base\":");
	put_val(b, val(m, 2, f));
	buf_adds(b, ",\"left\":");
	put_val(b, val(m, 0, f));
	buf_adds(b, ",\"right\":");
	put_val(b, val(m, 1, f));
}

/* ,"name": of field f in the base's (the left's) names */
static int
add_name(struct diff *d, struct buf *b, int f)
{
	struct merge *m = d->m;

	if (m->qname[f] == NULL) {
		struct buf q = BUF_INIT;
		const char *name = d->fields[f].name[0];

		if (buf_addc(&q, ',') < 0 || json_quote(&q, name, strlen(name)) < 0 ||
		    buf_addc(&q, ':') < 0) {
			buf_release(&q);
			return -1;
		}
		m->qname[f] = q.p; /* NUL-terminated: buf keeps room for it */
	}
	return buf_adds(b, m->qname[f]);
}

/* the new base's record for this key: the key and the merged values */
static int
record_json(struct diff *d, struct buf *b, const struct drec *keyrec)
{
	struct merge *m = d->m;

	if (buf_addc(b, '{') < 0 || diff_key_members(d, b, DREC_KEY(keyrec), keyrec->keylen, 0) < 0)
		return -1;
	for (int i = 0; i < m->ntouched; i++) {
		int f = m->touched[i];

		if (m->mv[f].n == 0)
			continue;
		if (add_name(d, b, f) < 0 || buf_add(b, m->mv[f].p, m->mv[f].n) < 0)
			return -1;
	}
	return buf_addc(b, '}');
}

/* JSON pointer of a field name */
static int
pointer(struct buf *b, const char *name)
{
	struct buf t = BUF_INIT;
	int r = 0;

	r |= buf_addc(&t, '/');
	for (const char *p = name; *p; p++)
		r |= *p == '~'   ? buf_adds(&t, "~0")
		     : *p == '/' ? buf_adds(&t, "~1")
		                 : buf_addc(&t, *p);
	r |= json_quote(b, t.p, t.len);
	buf_release(&t);
	return r ? -1 : 0;
}

/* the start of a reject: stage, source, error */
static int
reject_head(struct diff *d, struct buf *b, const struct drec *rec, const char *error)
{
	buf_reset(b);
	buf_adds(b, "{\"stage\":\"merge\",\"source\":");
	buf_reset(&d->m->tmp);
	buf_addf(&d->m->tmp, "%s:%llu", diff_source(d, rec->side), (unsigned long long)rec->line);
	json_quote(b, d->m->tmp.p, d->m->tmp.len);
	buf_adds(b, ",\"error\":");
	json_quote(b, error, strlen(error));
	buf_adds(b, ",\"key\":");
	return diff_key_json(d, b, DREC_KEY(rec), rec->keylen, 0);
}

/* one item of errors: the field, why, and its three values */
static int
reject_item(struct diff *d, struct buf *b, int f, const char *why, int first)
{
	struct merge *m = d->m;

	if (!first)
		buf_addc(b, ',');
	buf_adds(b, "{\"path\":");
	pointer(b, d->fields[f].name[0]);
	buf_adds(b, ",\"message\":");
	json_quote(b, why, strlen(why));
	three_values(b, m, f);
	return buf_addc(b, '}');
}

static const char *const side_name[3] = { "left", "right", "base" };

/* ---- one key ---- */

/* Gone from side g since the base b; o the other side's record. */
static int
merge_gone(struct diff *d, int g, const struct drec *b, const struct drec *o)
{
	struct merge *m = d->m;
	struct buf *out = &m->out;
	char why[96];
	int n = 0, keep = 1, r = 0;

	for (int i = 0; i < m->ntouched; i++) {
		int f = m->touched[i];

		m->mv[f] = *val(m, 2, f);
		if (eq(d, f, val(m, 2, f), val(m, !g, f)))
			continue;
		if (n == 0) {
			snprintf(why, sizeof why,
			         "deleted on the %s, changed on the %s since the base",
			         side_name[g], side_name[!g]);
			reject_head(d, out, o, why);
			buf_adds(out, ",\"errors\":[");
		}
		snprintf(why, sizeof why, "changed on the %s", side_name[!g]);
		reject_item(d, out, f, why, n++ == 0);
	}
	if (n > 0) {
		/* a delete against an edit: nobody's edit is lost, the base stays */
		m->c.conflicts++;
		buf_adds(out, "],\"record\":");
		if (record_json(d, out, b) < 0 || buf_addc(out, '}') < 0)
			return oom(d);
		r = emit(d, DIFF_OUT_REJECT, out);
	} else {
		m->c.deleted[g]++;
		if (m->spec.deletes == DIFF_DEL_REPORT) {
			snprintf(why, sizeof why,
			         "deleted on the %s since the base (--deletes report)",
			         side_name[g]);
			reject_head(d, out, b, why);
			buf_adds(out, ",\"record\":");
			if (record_json(d, out, b) < 0 || buf_addc(out, '}') < 0)
				return oom(d);
			r = emit(d, DIFF_OUT_REJECT, out);
		} else {
			keep = 0;
			r = fix(d, !g, m->spec.deletes == DIFF_DEL_ARCHIVE ? 'a' : 'd', b, o, NULL,
			        0);
		}
	}
	if (r == 0 && keep && m->spec.base) {
		buf_reset(out);
		if (record_json(d, out, b) < 0)
			return oom(d);
		r = emit(d, DIFF_OUT_BASE, out);
	}
	return r;
}

/* an owner decided a field both sides wanted differently */
static int
resolved(struct diff *d, const struct drec *keyrec, int f, int own)
{
	struct merge *m = d->m;
	struct buf *b = &m->want;
	const char *name = d->fields[f].name[0];

	m->c.resolved++;
	buf_reset(b);
	buf_adds(b, "{\"resolved\":");
	json_quote(b, name, strlen(name));
	buf_adds(b, ",\"owner\":");
	buf_adds(b, own ? "\"right\"" : "\"left\"");
	buf_adds(b, ",\"key\":");
	diff_key_json(d, b, DREC_KEY(keyrec), keyrec->keylen, 0);
	three_values(b, m, f);
	if (buf_addc(b, '}') < 0)
		return oom(d);
	return emit(d, DIFF_OUT_RESOLVED, b);
}

int
diff_merge_key(struct diff *d, const struct drec *b, const struct drec *l, const struct drec *r)
{
	struct merge *m = d->m;
	const struct drec *rec[3] = { l, r, b }, *keyrec = l ? l : r ? r : b;
	int nconf = 0, nres = 0, busy = 0, i, s;

	if (room(d, m) < 0)
		return oom(d);
	if (++m->cur == 0) {
		for (s = 0; s < 3; s++)
			memset(m->gen[s], 0, (size_t)m->cap * sizeof *m->gen[s]);
		m->cur = 1;
	}
	m->ntouched = 0;
	for (s = 0; s < 3; s++)
		if (rec[s])
			decode(m, s, rec[s]);
	if (m->ntouched > 1)
		qsort(m->touched, (size_t)m->ntouched, sizeof *m->touched, int_cmp);
	if (l == NULL && r == NULL) {
		m->c.unchanged++; /* gone from both: nothing to write, out of the base */
		return 0;
	}
	if (b && (l == NULL || r == NULL))
		return merge_gone(d, l == NULL ? DIFF_LEFT : DIFF_RIGHT, b, l ? l : r);

	/* the merged value of each field */
	for (i = 0; i < m->ntouched; i++) {
		int f = m->touched[i], own = owner_of(d, m, f), cl, cr;
		const struct diff_val *B = val(m, 2, f), *L = val(m, 0, f), *R = val(m, 1, f);

		m->conflict[f] = 0;
		if (l == NULL || r == NULL) {
			m->mv[f] = l ? *L : *R; /* new on one side */
			continue;
		}
		cl = b == NULL || !eq(d, f, B, L);
		cr = b == NULL || !eq(d, f, B, R);
		if (own >= 0) {
			/* the owner's value, whoever changed what */
			m->mv[f] = own ? *R : *L;
			if ((own ? cl : cr) && !eq(d, f, L, R)) {
				nres++;
				if (resolved(d, keyrec, f, own) < 0)
					return -1;
			}
		} else if (!cl && !cr)
			m->mv[f] = *B;
		else if (!cr)
			m->mv[f] = *L;
		else if (!cl || eq(d, f, L, R))
			m->mv[f] = *R;
		else {
			m->mv[f] = *B; /* the base stays until someone decides */
			m->conflict[f] = 1;
			nconf++;
		}
	}

	/* the fixes for each side */
	for (int t = 0; t < 2; t++) {
		int n = 0;

		for (i = 0; i < m->ntouched; i++) {
			int f = m->touched[i];
			const struct diff_val *cur = val(m, t, f);

			/* an owned field is never written on its owner -- but a
			 * record made there starts with the value it was born with
			 * (the owner has none to lose; without it the owner's
			 * empty field came back and erased the other side's) */
			if (m->conflict[f] || (owner_of(d, m, f) == t && rec[t] != NULL))
				continue;
			if (rec[t] == NULL ? m->mv[f].n == 0 : eq(d, f, cur, &m->mv[f]))
				continue;
			memset(&m->fd[n], 0, sizeof m->fd[n]);
			m->fd[n].field = f;
			m->fd[n].v[t] = *cur;
			m->fd[n].v[!t] = m->mv[f];
			n++;
		}
		if (rec[t] == NULL) {
			m->c.to[t]++;
			m->c.create[t]++;
			busy = 1;
			if (fix(d, t, 'c', keyrec, NULL, m->fd, n) < 0)
				return -1;
		} else if (n > 0) {
			m->c.to[t]++;
			busy = 1;
			if (fix(d, t, 'u', keyrec, rec[t], m->fd, n) < 0)
				return -1;
		}
	}

	if (nconf > 0) {
		struct buf *o = &m->out;
		int k = 0;

		m->c.conflicts++;
		reject_head(d, o, l,
		            nconf == 1 ? "a field changed on both sides"
		                       : "fields changed on both sides");
		buf_adds(o, ",\"errors\":[");
		for (i = 0; i < m->ntouched; i++)
			if (m->conflict[m->touched[i]])
				reject_item(d, o, m->touched[i],
				            b ? "changed on both sides" : "new on both sides",
				            k++ == 0);
		buf_adds(o, "],\"record\":");
		if (record_json(d, o, keyrec) < 0 || buf_addc(o, '}') < 0)
			return oom(d);
		if (emit(d, DIFF_OUT_REJECT, o) < 0)
			return -1;
	}
	if (!busy && nconf == 0 && nres == 0)
		m->c.unchanged++;
	if (m->spec.base) {
		buf_reset(&m->out);
		if (record_json(d, &m->out, keyrec) < 0)
			return oom(d);
		return emit(d, DIFF_OUT_BASE, &m->out);
	}
	return 0;
}

int
diff_merge_same(struct diff *d, const struct drec *b)
{
	struct merge *m = d->m;
	const unsigned char *p, *e;

	m->c.unchanged++;
	if (!m->spec.base)
		return 0;
	if (room(d, m) < 0)
		return oom(d);
	buf_reset(&m->out);
	if (buf_addc(&m->out, '{') < 0 ||
	    diff_key_members(d, &m->out, DREC_KEY(b), b->keylen, 0) < 0)
		return oom(d);
	for (p = DREC_FIELDS(b), e = DREC_END(b); p < e;) {
		int f;
		struct diff_val v;

		p = drec_field(p, e, &f, &v);
		if (add_name(d, &m->out, f) < 0 || buf_add(&m->out, v.p, v.n) < 0)
			return oom(d);
	}
	if (buf_addc(&m->out, '}') < 0)
		return oom(d);
	return emit(d, DIFF_OUT_BASE, &m->out);
}

int
diff_merge_dup(struct diff *d, const struct drec *any, const uint64_t cnt[3])
{
	struct merge *m = d->m;
	struct buf *o = &m->out;
	char why[160];
	int n = 0;

	m->c.duplicates++;
	n += snprintf(why, sizeof why, "duplicate key:");
	for (int s = 0; s < 3; s++)
		if (cnt[s] > 1)
			n += snprintf(why + n, sizeof why - (size_t)n, " %llu records in the %s",
			              (unsigned long long)cnt[s], side_name[s]);
	snprintf(why + n, sizeof why - (size_t)n, "; the first of each was merged");
	if (reject_head(d, o, any, why) < 0 || buf_addc(o, '}') < 0)
		return oom(d);
	return emit(d, DIFF_OUT_REJECT, o);
}

static void
on_bad(void *ctx, const char *source, uint64_t line, const char *msg)
{
	struct merge *m = ctx;

	if (m->sink->bad)
		m->sink->bad(m->sink->ctx, source, line, msg);
}

static void
on_note(void *ctx, const char *msg)
{
	struct merge *m = ctx;

	if (m->sink->note)
		m->sink->note(m->sink->ctx, msg);
}

/* the members of a JSON object's text, without its braces */
static int
archive_members(const char *s, const char **p, size_t *n)
{
	size_t len = strlen(s);

	if (json_check(s, len, NULL, NULL) != JSON_OBJECT)
		return -1;
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\n' || s[len - 1] == '\t' ||
	               s[len - 1] == '\r'))
		len--;
	while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')
		s++, len--;
	*p = s + 1;
	*n = len - 2;
	for (size_t i = 0; i < *n; i++)
		if ((*p)[i] != ' ' && (*p)[i] != '\t' && (*p)[i] != '\n' && (*p)[i] != '\r')
			return 0;
	return -1; /* {} archives nothing */
}

int
diff_merge_run(struct diff *d, const struct diff_merge_spec *ms, const char *const path[3],
               const struct diff_merge_sink *sink, struct ep_err *err)
{
	struct merge *m;

	if (d->totals)
		return ep_errf(err, EP_USAGE, "--base merges records: not with --sum");
	diff_merge_free(d);
	if ((m = d->m = calloc(1, sizeof *m)) == NULL)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	m->spec = *ms;
	m->sink = sink;
	for (int s = 0; s < 2; s++) {
		const char *a = ms->archive[s] ? ms->archive[s] : "{\"active\":false}";

		if (archive_members(a, &m->archive[s], &m->narchive[s]) < 0)
			return ep_errf(err, EP_USAGE,
			               "--archive-%s '%s': not a JSON object with a "
			               "field",
			               side_name[s], a);
	}
	for (int s = 0; s < 3; s++) {
		free(d->source[s]);
		d->source[s] = strdup(strcmp(path[s], "-") == 0 ? "stdin" : path[s]);
		if (d->source[s] == NULL)
			return ep_errf(err, EP_SOFTWARE, "out of memory");
	}
	memset(&d->c, 0, sizeof d->c);
	m->dsink = (struct diff_sink){ NULL, on_bad, on_note, m };
	d->sink = &m->dsink;
	d->err = err;
	return diff_join3(d, path);
}
