/* diff_report.c - reconcile's findings written as NDJSON, CSV, a text
 * summary, an HTML page or a spreadsheet (XLSX, libxlsxwriter). */
#include "engine/diff/diff_int.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "engine/diff/diff_page.h"
#include "base/text.h"

#define TOP_N 10
#define SAMPLE_ROWS 1000

struct top {
	struct dec mag; /* |delta| */
	char *row;      /* JSON array: field, key, left, right, delta */
	char *line;     /* the summary's text line */
};

struct sample {
	struct buf rows; /* JSON arrays, comma-separated */
	uint64_t nrows, more;
};

enum { SM_CHANGED, SM_ONLY_LEFT, SM_ONLY_RIGHT, SM_DUP, SM_MATCH, SM_N };

struct diff_report {
	const struct diff *d;
	enum diff_format fmt;
	int all;
	struct ndjson_writer w;
	struct buf line, t1, t2;
	uint64_t n[DIFF_NSTATUS];
	uint64_t *per_field;
	int nper;
	int totals;
	struct top top[TOP_N];
	int ntop;
	struct sample sm[SM_N];
	int header_done;
	/* xlsx: the workbook is written to a temporary file, copied to fd at
	 * the end (libxlsxwriter writes to a path) */
	int fd;
	char xpath[64];
	lxw_workbook *wb;
	lxw_worksheet *ws_sum, *ws_rows;
	lxw_format *f_head, *f_amt;
	lxw_row_t row;
	uint64_t cut; /* rows past the sheet's last */
};

static int xlsx_open(struct diff_report *r);
static int xlsx_event(struct diff_report *r, const struct diff_event *ev, struct ep_err *err);

int
diff_parse_format(const char *s, enum diff_format *f)
{
	static const char *const names[] = { "ndjson", "summary", "csv", "html", "xlsx" };

	for (int i = 0; i < 5; i++)
		if (strcmp(s, names[i]) == 0) {
			*f = (enum diff_format)i;
			return 0;
		}
	return -1;
}

struct diff_report *
diff_report_new(const struct diff *d, enum diff_format fmt, int fd, int all)
{
	struct diff_report *r = calloc(1, sizeof *r);

	if (r == NULL)
		return NULL;
	r->d = d;
	r->fmt = fmt;
	r->all = all;
	r->fd = fd;
	ndjson_writer_init(&r->w, fd);
	if (fmt == DIFF_FMT_XLSX && xlsx_open(r) < 0) {
		diff_report_free(r);
		return NULL;
	}
	return r;
}

void
diff_report_free(struct diff_report *r)
{
	if (r == NULL)
		return;
	ndjson_writer_free(&r->w);
	buf_release(&r->line);
	buf_release(&r->t1);
	buf_release(&r->t2);
	free(r->per_field);
	for (int i = 0; i < r->ntop; i++) {
		free(r->top[i].row);
		free(r->top[i].line);
	}
	for (int i = 0; i < SM_N; i++)
		buf_release(&r->sm[i].rows);
	if (r->wb)
		workbook_close(r->wb);
	if (r->xpath[0])
		unlink(r->xpath);
	free(r);
}

static int
wfail(struct diff_report *r, struct ep_err *err)
{
	if (r->w.epipe)
		return ep_err_closed(err);
	return ep_errf(err, EP_IOERR, "cannot write the report: %s",
	               strerror(r->w.failed ? r->w.failed : ENOSPC));
}

/* append raw bytes to the writer's buffer (a line is finished by
 * ndjson_write with length 0 avoided: we build whole lines in r->line) */
static int
put_line(struct diff_report *r, struct ep_err *err)
{
	if (ndjson_write(&r->w, r->line.p ? r->line.p : "", r->line.len) < 0)
		return wfail(r, err);
	return 0;
}

static int
json_val(struct buf *b, const struct diff_val *v)
{
	return v->n ? buf_add(b, v->p, v->n) : buf_add(b, "null", 4);
}

/* a null in a record only one side has says nothing: not shown */
static int
shown(const struct diff_event *ev, const struct diff_fd *fd)
{
	const struct diff_val *v;

	if (ev->status != DIFF_ONLY_LEFT && ev->status != DIFF_ONLY_RIGHT)
		return 1;
	v = &fd->v[ev->status == DIFF_ONLY_LEFT ? 0 : 1];
	return !(v->n == 4 && memcmp(v->p, "null", 4) == 0);
}

static int
ndjson_event(struct diff_report *r, const struct diff_event *ev, struct ep_err *err)
{
	struct buf *b = &r->line;
	int i, n = 0;

	buf_reset(b);
	buf_addf(b, "{\"status\":\"%s\",\"key\":", diff_status_name(ev->status));
	diff_key_json(r->d, b, ev->key, ev->keylen, DIFF_LEFT);
	if (ev->nfd > 0) {
		buf_adds(b, ",\"diff\":{");
		for (i = 0; i < ev->nfd; i++) {
			const char *name = diff_field_name(r->d, ev->fd[i].field, DIFF_LEFT);

			if (!shown(ev, &ev->fd[i]))
				continue;
			if (n++)
				buf_addc(b, ',');
			json_quote(b, name, strlen(name));
			buf_adds(b, ":[");
			json_val(b, &ev->fd[i].v[0]);
			buf_addc(b, ',');
			json_val(b, &ev->fd[i].v[1]);
			buf_addc(b, ']');
		}
		buf_addc(b, '}');
	}
	if (ev->status == DIFF_DUPLICATE || ev->totals)
		buf_addf(b, ",\"count\":[%llu,%llu]", (unsigned long long)ev->count[0],
		         (unsigned long long)ev->count[1]);
	if (buf_addc(b, '}') < 0)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	return put_line(r, err);
}

/* one CSV field, quoted (libcsv), then sep */
static int
csv_field(struct buf *b, const char *s, size_t n, int sep)
{
	size_t need = csv_write(NULL, 0, s, n);

	if (buf_grow(b, need + 1) < 0)
		return -1;
	csv_write(b->p + b->len, need, s, n);
	b->len += need;
	b->p[b->len] = '\0';
	return buf_addc(b, sep);
}

static int
csv_row(struct diff_report *r, const char *status, const char *key, size_t keyn, const char *field,
        const struct buf *l, const struct buf *rt, struct ep_err *err)
{
	struct buf *b = &r->line;

	buf_reset(b);
	csv_field(b, status, strlen(status), ',');
	csv_field(b, key, keyn, ',');
	csv_field(b, field, strlen(field), ',');
	csv_field(b, buf_str(l), l->len, ',');
	if (csv_field(b, buf_str(rt), rt->len, '\r') < 0)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	return put_line(r, err);
}

static int
csv_event(struct diff_report *r, const struct diff_event *ev, struct ep_err *err)
{
	const char *st = diff_status_name(ev->status);
	struct buf key = BUF_INIT;
	int i, rc = 0;

	if (!r->header_done) {
		r->header_done = 1;
		buf_reset(&r->line);
		buf_adds(&r->line, "status,key,field,left,right\r");
		if (put_line(r, err) < 0)
			return -1;
	}
	diff_key_text(r->d, &key, ev->key, ev->keylen);
	buf_reset(&r->t1);
	buf_reset(&r->t2);
	if (ev->status == DIFF_DUPLICATE || ev->nfd == 0) {
		if (ev->status == DIFF_DUPLICATE) {
			buf_addf(&r->t1, "%llu", (unsigned long long)ev->count[0]);
			buf_addf(&r->t2, "%llu", (unsigned long long)ev->count[1]);
		}
		rc = csv_row(r, st, buf_str(&key), key.len, "", &r->t1, &r->t2, err);
	}
	for (i = 0; i < ev->nfd && rc == 0; i++) {
		if (!shown(ev, &ev->fd[i]))
			continue;
		buf_reset(&r->t1);
		buf_reset(&r->t2);
		diff_val_text(&r->t1, &ev->fd[i].v[0]);
		diff_val_text(&r->t2, &ev->fd[i].v[1]);
		rc = csv_row(r, st, buf_str(&key), key.len,
		             diff_field_name(r->d, ev->fd[i].field, DIFF_LEFT), &r->t1, &r->t2,
		             err);
	}
	buf_release(&key);
	return rc;
}

/* ---- what the summary and the page keep ---- */

static void
top_add(struct diff_report *r, const struct diff_event *ev, const struct diff_fd *fd)
{
	struct dec mag = fd->delta;
	struct buf row = BUF_INIT, line = BUF_INIT, key = BUF_INIT, l = BUF_INIT, rt = BUF_INIT;
	char dt[DEC_STRLEN + 1];
	const char *name = diff_field_name(r->d, fd->field, DIFF_LEFT);
	int i;

	if (mag.coef < 0)
		mag.coef = -mag.coef;
	if (r->ntop == TOP_N && dec_cmp(&mag, &r->top[TOP_N - 1].mag) <= 0)
		return;
	diff_key_text(r->d, &key, ev->key, ev->keylen);
	diff_val_text(&l, &fd->v[0]);
	diff_val_text(&rt, &fd->v[1]);
	dt[0] = dec_sign(&fd->delta) > 0 ? '+' : '\0';
	dec_format(&fd->delta, dt + (dt[0] == '+'), sizeof dt - 1);
	buf_addc(&row, '[');
	json_quote(&row, name, strlen(name));
	buf_addc(&row, ',');
	json_quote(&row, buf_str(&key), key.len);
	buf_addc(&row, ',');
	json_quote(&row, buf_str(&l), l.len);
	buf_addc(&row, ',');
	json_quote(&row, buf_str(&rt), rt.len);
	buf_addf(&row, ",\"%s\"]", dt);
	buf_addf(&line, "  %-16s %-24s %s -> %s  (%s)", name, buf_str(&key), buf_str(&l),
	         buf_str(&rt), dt);
	if (r->ntop == TOP_N) {
		r->ntop--;
		free(r->top[r->ntop].row);
		free(r->top[r->ntop].line);
	}
	for (i = r->ntop; i > 0 && dec_cmp(&mag, &r->top[i - 1].mag) > 0; i--)
		r->top[i] = r->top[i - 1];
	r->top[i].mag = mag;
	r->top[i].row = buf_detach(&row, NULL);
	r->top[i].line = buf_detach(&line, NULL);
	r->ntop++;
	buf_release(&key);
	buf_release(&l);
	buf_release(&rt);
}

/* a record's fields as "name: value; ..." for the page, cut at 300 bytes */
static void
record_text(struct diff_report *r, struct buf *b, const struct diff_event *ev, int side)
{
	for (int i = 0; i < ev->nfd && b->len < 300; i++) {
		const char *name = diff_field_name(r->d, ev->fd[i].field, side);

		if (!shown(ev, &ev->fd[i]))
			continue;
		if (b->len)
			buf_adds(b, "; ");
		buf_addf(b, "%s: ", name);
		diff_val_text(b, &ev->fd[i].v[side]);
	}
	if (b->len > 300) {
		size_t n = 300;

		while (n > 0 && ((unsigned char)b->p[n] & 0xC0) == 0x80)
			n--; /* not in the middle of a character */
		b->len = n;
		buf_adds(b, "\xe2\x80\xa6");
	}
}

static void
sample_event(struct diff_report *r, const struct diff_event *ev)
{
	struct sample *sm;
	struct buf key = BUF_INIT, t = BUF_INIT;
	int k;

	/* clang-format off */
	switch (ev->status) {
	case DIFF_CHANGED: k = SM_CHANGED; break;
	case DIFF_ONLY_LEFT: k = SM_ONLY_LEFT; break;
	case DIFF_ONLY_RIGHT: k = SM_ONLY_RIGHT; break;
	case DIFF_DUPLICATE: k = SM_DUP; break;
	default: k = SM_MATCH;
	}
	/* clang-format on */
	sm = &r->sm[k];
	if (sm->nrows >= SAMPLE_ROWS || (k == SM_MATCH && !r->all && !ev->totals)) {
		sm->more += (k == SM_CHANGED || ev->totals) && ev->nfd ? (uint64_t)ev->nfd : 1;
		return;
	}
	diff_key_text(r->d, &key, ev->key, ev->keylen);
	if (k == SM_CHANGED) {
		for (int i = 0; i < ev->nfd; i++) {
			const struct diff_fd *fd = &ev->fd[i];
			const char *name = diff_field_name(r->d, fd->field, DIFF_LEFT);
			char dt[DEC_STRLEN];

			if (sm->nrows >= SAMPLE_ROWS) {
				sm->more++;
				continue;
			}
			if (sm->rows.len)
				buf_addc(&sm->rows, ',');
			buf_addc(&sm->rows, '[');
			json_quote(&sm->rows, buf_str(&key), key.len);
			buf_addc(&sm->rows, ',');
			json_quote(&sm->rows, name, strlen(name));
			for (int s = 0; s < 2; s++) {
				buf_reset(&t);
				diff_val_text(&t, &fd->v[s]);
				buf_addc(&sm->rows, ',');
				json_quote(&sm->rows, buf_str(&t), t.len);
			}
			if (fd->has_delta && dec_format(&fd->delta, dt, sizeof dt) > 0)
				buf_addf(&sm->rows, ",\"%s%s\"",
				         dec_sign(&fd->delta) > 0 ? "+" : "", dt);
			else
				buf_adds(&sm->rows, ",null");
			if (ev->totals)
				buf_addf(&sm->rows, ",%llu,%llu", (unsigned long long)ev->count[0],
				         (unsigned long long)ev->count[1]);
			buf_addc(&sm->rows, ']');
			sm->nrows++;
		}
	} else {
		if (sm->rows.len)
			buf_addc(&sm->rows, ',');
		buf_addc(&sm->rows, '[');
		json_quote(&sm->rows, buf_str(&key), key.len);
		if (k == SM_DUP || ev->totals)
			buf_addf(&sm->rows, ",%llu,%llu", (unsigned long long)ev->count[0],
			         (unsigned long long)ev->count[1]);
		else if (k != SM_MATCH) {
			record_text(r, &t, ev, k == SM_ONLY_LEFT ? DIFF_LEFT : DIFF_RIGHT);
			buf_addc(&sm->rows, ',');
			json_quote(&sm->rows, buf_str(&t), t.len);
			buf_addf(&sm->rows, ",%llu",
			         (unsigned long long)ev->line[k == SM_ONLY_LEFT ? 0 : 1]);
		}
		buf_addc(&sm->rows, ']');
		sm->nrows++;
	}
	buf_release(&key);
	buf_release(&t);
}

int
diff_report_event(struct diff_report *r, const struct diff_event *ev, struct ep_err *err)
{
	int nf = diff_nfields(r->d);

	r->n[ev->status]++;
	r->totals = ev->totals;
	if (nf > r->nper) {
		uint64_t *v = realloc(r->per_field, (size_t)nf * sizeof *v);

		if (v == NULL)
			return ep_errf(err, EP_SOFTWARE, "out of memory");
		memset(v + r->nper, 0, (size_t)(nf - r->nper) * sizeof *v);
		r->per_field = v;
		r->nper = nf;
	}
	if (ev->status == DIFF_CHANGED)
		for (int i = 0; i < ev->nfd; i++) {
			r->per_field[ev->fd[i].field]++;
			if (ev->fd[i].has_delta && r->fmt != DIFF_FMT_NDJSON &&
			    r->fmt != DIFF_FMT_CSV)
				top_add(r, ev, &ev->fd[i]);
		}
	switch (r->fmt) {
	case DIFF_FMT_NDJSON:
		return ev->status == DIFF_MATCH && !r->all ? 0 : ndjson_event(r, ev, err);
	case DIFF_FMT_CSV:
		return ev->status == DIFF_MATCH && !r->all ? 0 : csv_event(r, ev, err);
	case DIFF_FMT_HTML:
		sample_event(r, ev);
		return 0;
	case DIFF_FMT_XLSX:
		return ev->status == DIFF_MATCH && !r->all && !ev->totals ? 0
		                                                          : xlsx_event(r, ev, err);
	default:
		return 0;
	}
}

/* ---- the end ---- */

static int
field_order(const void *a, const void *b, void *ctx)
{
	const uint64_t *n = ctx;
	int x = *(const int *)a, y = *(const int *)b;

	if (n[x] != n[y])
		return n[x] < n[y] ? 1 : -1;
	return x - y;
}

static int *
fields_by_count(struct diff_report *r)
{
	int *o = malloc(((size_t)r->nper + 1) * sizeof *o);

	if (o == NULL)
		return NULL;
	for (int i = 0; i < r->nper; i++)
		o[i] = i;
	qsort_r(o, (size_t)r->nper, sizeof *o, field_order, r->per_field);
	return o;
}

static void
side_line(struct diff_report *r, struct buf *b, int s)
{
	const struct diff_counts *c = diff_counts(r->d);

	buf_addf(b, "%-6s %s: %llu records", s ? "right:" : "left:", diff_source(r->d, s),
	         (unsigned long long)c->read[s]);
	if (c->dropped[s])
		buf_addf(b, ", %llu dropped by the map", (unsigned long long)c->dropped[s]);
	if (c->bad[s])
		buf_addf(b, ", %llu bad (skipped)", (unsigned long long)c->bad[s]);
	buf_addc(b, '\n');
}

static int
summary(struct diff_report *r, struct ep_err *err)
{
	struct buf *b = &r->line;
	int *o = fields_by_count(r), any = 0;

	buf_reset(b);
	side_line(r, b, DIFF_LEFT);
	side_line(r, b, DIFF_RIGHT);
	buf_adds(b, r->totals ? "groups:\n" : "keys:\n");
	for (int s = 0; s < DIFF_NSTATUS; s++)
		buf_addf(b, "  %-14s %12llu\n", diff_status_name((enum diff_status)s),
		         (unsigned long long)r->n[s]);
	for (int i = 0; o && i < r->nper; i++) {
		if (r->per_field[o[i]] == 0)
			break;
		if (!any++)
			buf_adds(b, r->totals ? "totals that differ:\n" : "fields that differ:\n");
		buf_addf(b, "  %-24s %8llu\n", diff_field_name(r->d, o[i], DIFF_LEFT),
		         (unsigned long long)r->per_field[o[i]]);
	}
	if (r->ntop) {
		buf_adds(b, "largest differences in amounts (right - left):\n");
		for (int i = 0; i < r->ntop; i++)
			buf_addf(b, "%s\n", r->top[i].line);
	}
	free(o);
	if (b->len && b->p[b->len - 1] == '\n')
		b->len--;
	return put_line(r, err);
}

static void
js_str(struct buf *b, const char *s)
{
	json_quote(b, s, strlen(s));
}

static void
names_list(struct diff_report *r, struct buf *b, int key)
{
	const struct diff *d = r->d;
	const struct diff_pair *p = key ? d->totals ? &d->spec.group : d->spec.keys : d->spec.sums;
	int n = key ? d->nkeys : d->spec.nsums;

	buf_reset(&r->t1);
	for (int i = 0; i < n; i++) {
		if (i)
			buf_adds(&r->t1, ", ");
		buf_adds(&r->t1, p[i].name[0]);
		if (strcmp(p[i].name[0], p[i].name[1]) != 0)
			buf_addf(&r->t1, "=%s", p[i].name[1]);
	}
	js_str(b, buf_str(&r->t1));
}

static void
table_json(struct buf *b, const char *id, const char *title, uint64_t total, const char *cols,
           const struct sample *sm, int first)
{
	if (!first)
		buf_addc(b, ',');
	buf_addf(b, "{\"id\":\"%s\",\"title\":\"%s\",\"total\":%llu,\"cols\":%s,\"rows\":[", id,
	         title, (unsigned long long)total, cols);
	if (sm->rows.len)
		buf_add(b, sm->rows.p, sm->rows.len);
	buf_addf(b, "],\"more\":%llu}", (unsigned long long)sm->more);
}

static int
html(struct diff_report *r, struct ep_err *err)
{
	const struct diff_counts *c = diff_counts(r->d);
	struct buf *b = &r->line;
	int *o = fields_by_count(r), first = 1;
	const int T = r->totals;

	buf_reset(b);
	buf_adds(b, diff_page_head);
	size_t data0 = b->len;
	buf_adds(b, "{");
	for (int s = 0; s < 2; s++) {
		buf_addf(b, "\"%s\":{\"name\":", s ? "right" : "left");
		js_str(b, diff_source(r->d, s));
		buf_addf(b, ",\"read\":%llu,\"bad\":%llu,\"dropped\":%llu},",
		         (unsigned long long)c->read[s], (unsigned long long)c->bad[s],
		         (unsigned long long)c->dropped[s]);
	}
	buf_addf(b, "\"totals\":%s,\"key\":", T ? "true" : "false");
	names_list(r, b, 1);
	if (T) {
		buf_adds(b, ",\"sums\":[");
		for (int i = 0; i < r->d->spec.nsums; i++) {
			if (i)
				buf_addc(b, ',');
			js_str(b, r->d->spec.sums[i].name[0]);
		}
		buf_adds(b, "],\"group\":");
		if (r->d->spec.group.name[0]) {
			buf_reset(&r->t2);
			buf_adds(&r->t2, r->d->spec.group.name[0]);
			if (r->d->spec.group_unit)
				buf_adds(&r->t2,
				         r->d->spec.group_unit == 'm' ? " (month)" : " (day)");
			js_str(b, buf_str(&r->t2));
		} else
			buf_adds(b, "null");
	}
	buf_adds(b, ",\"statuses\":[\"match\",\"changed\",\"only_left\",\"only_right\"");
	if (!T)
		buf_adds(b, ",\"duplicate_key\"");
	buf_adds(b, "],\"counts\":{");
	for (int s = 0; s < DIFF_NSTATUS; s++)
		buf_addf(b, "%s\"%s\":%llu", s ? "," : "", diff_status_name((enum diff_status)s),
		         (unsigned long long)r->n[s]);
	buf_adds(b, "},\"fields\":[");
	for (int i = 0; o && i < r->nper; i++) {
		if (i)
			buf_addc(b, ',');
		buf_addc(b, '[');
		js_str(b, diff_field_name(r->d, o[i], DIFF_LEFT));
		buf_addf(b, ",%llu]", (unsigned long long)r->per_field[o[i]]);
	}
	free(o);
	buf_adds(b, "],\"top\":{\"cols\":[\"field\",\"key\",\"left\",\"right\",\"right - left\"],"
	            "\"num\":[0,0,1,1,1],\"rows\":[");
	for (int i = 0; i < r->ntop; i++)
		buf_addf(b, "%s%s", i ? "," : "", r->top[i].row);
	buf_adds(b, "]},\"tables\":[");
	if (T) {
		table_json(
			b, "changed", "Groups whose totals differ", r->n[DIFF_CHANGED],
			"[\"group\",\"field\",\"left\",\"right\",\"right - left\",\"left records\","
			"\"right records\"]",
			&r->sm[SM_CHANGED], 1);
		table_json(b, "only_left", "Groups only on the left", r->n[DIFF_ONLY_LEFT],
		           "[\"group\",\"left records\",\"right records\"]", &r->sm[SM_ONLY_LEFT],
		           0);
		table_json(b, "only_right", "Groups only on the right", r->n[DIFF_ONLY_RIGHT],
		           "[\"group\",\"left records\",\"right records\"]", &r->sm[SM_ONLY_RIGHT],
		           0);
		table_json(b, "match", "Groups that match", r->n[DIFF_MATCH],
		           "[\"group\",\"left records\",\"right records\"]", &r->sm[SM_MATCH], 0);
	} else {
		table_json(b, "changed", "Changed fields", r->n[DIFF_CHANGED],
		           "[\"key\",\"field\",\"left\",\"right\",\"right - left\"]",
		           &r->sm[SM_CHANGED], 1);
		table_json(b, "only_left", "Only on the left", r->n[DIFF_ONLY_LEFT],
		           "[\"key\",\"record\",\"line\"]", &r->sm[SM_ONLY_LEFT], 0);
		table_json(b, "only_right", "Only on the right", r->n[DIFF_ONLY_RIGHT],
		           "[\"key\",\"record\",\"line\"]", &r->sm[SM_ONLY_RIGHT], 0);
		table_json(b, "duplicate_key", "Duplicate keys", r->n[DIFF_DUPLICATE],
		           "[\"key\",\"left records\",\"right records\"]", &r->sm[SM_DUP], 0);
		if (r->all)
			table_json(b, "match", "Matching keys", r->n[DIFF_MATCH], "[\"key\"]",
			           &r->sm[SM_MATCH], 0);
		(void)first;
	}
	if (buf_adds(b, "]}") < 0)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	/* no "</script>" or "<!--" inside the data: every '<' as \u003c (only
	 * strings can hold one), in one pass */
	{
		size_t n = b->len - data0, lt = 0, i;
		char *data = malloc(n + 1), *w;

		if (data == NULL)
			return ep_errf(err, EP_SOFTWARE, "out of memory");
		memcpy(data, b->p + data0, n);
		for (i = 0; i < n; i++)
			lt += data[i] == '<';
		b->len = data0;
		if (buf_grow(b, n + 5 * lt) < 0) {
			free(data);
			return ep_errf(err, EP_SOFTWARE, "out of memory");
		}
		w = b->p + data0;
		for (i = 0; i < n; i++) {
			if (data[i] == '<') {
				memcpy(w, "\\u003c", 6);
				w += 6;
			} else
				*w++ = data[i];
		}
		b->len = (size_t)(w - b->p);
		b->p[b->len] = '\0';
		free(data);
	}
	buf_adds(b, diff_page_tail);
	if (b->len && b->p[b->len - 1] == '\n')
		b->len--;
	return put_line(r, err);
}

/* ---- xlsx ---- */

#define XLSX_ROWS 1048576 /* a sheet's rows */
#define XLSX_CELL 32767   /* a cell's characters */

static int
xlsx_open(struct diff_report *r)
{
	const char *tmp = getenv("TMPDIR");
	lxw_workbook_options o = { .constant_memory = LXW_TRUE, .tmpdir = NULL };
	int fd;

	snprintf(r->xpath, sizeof r->xpath, "%s/reconcile.XXXXXX",
	         tmp && *tmp && strlen(tmp) < 40 ? tmp : "/tmp");
	if ((fd = mkstemp(r->xpath)) < 0) {
		r->xpath[0] = '\0';
		return -1;
	}
	close(fd);
	if ((r->wb = workbook_new_opt(r->xpath, &o)) == NULL ||
	    (r->ws_sum = workbook_add_worksheet(r->wb, "Summary")) == NULL)
		return -1;
	r->f_head = workbook_add_format(r->wb);
	format_set_bold(r->f_head);
	r->f_amt = workbook_add_format(r->wb);
	format_set_num_format(r->f_amt, "#,##0.00");
	worksheet_set_column(r->ws_sum, 0, 0, 40, NULL);
	worksheet_set_column(r->ws_sum, 1, 2, 18, NULL);
	return 0;
}

/* A cell of text (cut at a cell's limit, on a character). */
static void
xlsx_text(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *s, size_t n, lxw_format *f)
{
	char *c;

	if (n > XLSX_CELL) {
		n = XLSX_CELL;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	if ((c = strndup(s, n)) == NULL)
		return;
	worksheet_write_string(ws, row, col, c, f);
	free(c);
}

/* A value: a JSON number as a number (in the amount format), null as an
 * empty cell, anything else as its text. */
static void
xlsx_val(struct diff_report *r, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
         const struct diff_val *v)
{
	char num[64], *end;
	double x;

	if (v->p == NULL || v->n == 0 || (v->n == 4 && memcmp(v->p, "null", 4) == 0))
		return;
	if (v->n < sizeof num && (v->p[0] == '-' || (v->p[0] >= '0' && v->p[0] <= '9'))) {
		memcpy(num, v->p, v->n);
		num[v->n] = '\0';
		x = strtod(num, &end);
		if (*end == '\0') {
			worksheet_write_number(ws, row, col, x, r->f_amt);
			return;
		}
	}
	buf_reset(&r->t1);
	diff_val_text(&r->t1, v);
	xlsx_text(ws, row, col, buf_str(&r->t1), r->t1.len, NULL);
}

/* The rows sheet: "Differences", or "Control totals" in totals mode (the
 * first event says which), its header frozen. */
static lxw_worksheet *
xlsx_rows(struct diff_report *r, int totals)
{
	static const char *const head[] = { "status", "key",   "field",        "left",
		                            "right",  "delta", "left records", "right records" };
	int ncol = totals ? 8 : 6;

	if (r->ws_rows)
		return r->ws_rows;
	r->ws_rows = workbook_add_worksheet(r->wb, totals ? "Control totals" : "Differences");
	if (r->ws_rows == NULL)
		return NULL;
	for (int c = 0; c < ncol; c++)
		worksheet_write_string(r->ws_rows, 0, (lxw_col_t)c, head[c], r->f_head);
	worksheet_set_column(r->ws_rows, 0, 0, 14, NULL);
	worksheet_set_column(r->ws_rows, 1, 2, 24, NULL);
	worksheet_set_column(r->ws_rows, 3, 5, 18, NULL);
	worksheet_freeze_panes(r->ws_rows, 1, 0);
	r->row = 1;
	return r->ws_rows;
}

static int
xlsx_event(struct diff_report *r, const struct diff_event *ev, struct ep_err *err)
{
	lxw_worksheet *ws = xlsx_rows(r, ev->totals);
	const char *st = diff_status_name(ev->status);
	struct buf key = BUF_INIT;
	int n = ev->nfd ? ev->nfd : 1;

	if (ws == NULL)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	diff_key_text(r->d, &key, ev->key, ev->keylen);
	for (int i = 0; i < n; i++) {
		const struct diff_fd *fd = ev->nfd ? &ev->fd[i] : NULL;
		char dt[DEC_STRLEN + 1];
		if (fd && !shown(ev, fd))
			continue;
		if (r->row >= XLSX_ROWS) {
			r->cut++;
			continue;
		}
		worksheet_write_string(ws, r->row, 0, st, NULL);
		xlsx_text(ws, r->row, 1, buf_str(&key), key.len, NULL);
		if (fd) {
			const char *name = diff_field_name(r->d, fd->field, DIFF_LEFT);
			worksheet_write_string(ws, r->row, 2, name, NULL);
			xlsx_val(r, ws, r->row, 3, &fd->v[0]);
			xlsx_val(r, ws, r->row, 4, &fd->v[1]);
			if (fd->has_delta && dec_format(&fd->delta, dt, sizeof dt) > 0)
				worksheet_write_number(ws, r->row, 5, strtod(dt, NULL), r->f_amt);
		}
		if (ev->totals || ev->status == DIFF_DUPLICATE) {
			worksheet_write_number(ws, r->row, 6, (double)ev->count[0], NULL);
			worksheet_write_number(ws, r->row, 7, (double)ev->count[1], NULL);
		}
		r->row++;
	}
	buf_release(&key);
	return 0;
}

/* The summary sheet, the filter over the rows, and the workbook copied to
 * the report's fd. */
static int
xlsx_finish(struct diff_report *r, struct ep_err *err)
{
	const struct diff_counts *c = diff_counts(r->d);
	lxw_worksheet *ws = r->ws_sum, *rows = xlsx_rows(r, r->totals);
	lxw_row_t y = 0;
	int *o = fields_by_count(r);
	char b[65536];
	ssize_t n;
	int in, rc = 0;

	if (rows == NULL)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	worksheet_write_string(ws, y, 0, "side", r->f_head);
	worksheet_write_string(ws, y, 1, "records", r->f_head);
	worksheet_write_string(ws, y++, 2, "source", r->f_head);
	for (int s = 0; s < 2; s++, y++) {
		worksheet_write_string(ws, y, 0, s ? "right" : "left", NULL);
		worksheet_write_number(ws, y, 1, (double)c->read[s], NULL);
		worksheet_write_string(ws, y, 2, diff_source(r->d, s), NULL);
	}
	y++;
	worksheet_write_string(ws, y++, 0, r->totals ? "groups" : "keys", r->f_head);
	for (int s = 0; s < DIFF_NSTATUS; s++, y++) {
		worksheet_write_string(ws, y, 0, diff_status_name((enum diff_status)s), NULL);
		worksheet_write_number(ws, y, 1, (double)r->n[s], NULL);
	}
	for (int i = 0, any = 0; o && i < r->nper && r->per_field[o[i]]; i++, y++) {
		if (!any++) {
			y++;
			worksheet_write_string(
				ws, y++, 0, r->totals ? "totals that differ" : "fields that differ",
				r->f_head);
		}
		worksheet_write_string(ws, y, 0, diff_field_name(r->d, o[i], DIFF_LEFT), NULL);
		worksheet_write_number(ws, y, 1, (double)r->per_field[o[i]], NULL);
	}
	free(o);
	if (r->cut) {
		y++;
		worksheet_write_string(ws, y, 0, "rows past the sheet's last, not written", NULL);
		worksheet_write_number(ws, y++, 1, (double)r->cut, NULL);
	}
	worksheet_autofilter(rows, 0, 0, r->row > 1 ? r->row - 1 : 1, r->totals ? 7 : 5);
	if (workbook_close(r->wb) != LXW_NO_ERROR) {
		r->wb = NULL;
		return ep_errf(err, EP_IOERR, "cannot write the spreadsheet");
	}
	r->wb = NULL;
	if ((in = open(r->xpath, O_RDONLY | O_CLOEXEC)) < 0)
		return ep_errf(err, EP_IOERR, "cannot read the spreadsheet back: %s",
		               strerror(errno));
	while (rc == 0 && (n = read(in, b, sizeof b)) > 0)
		for (ssize_t w = 0, k; rc == 0 && w < n; w += k)
			if ((k = write(r->fd, b + w, (size_t)(n - w))) < 0)
				rc = ep_errf(err, EP_IOERR, "cannot write the report: %s",
				             errno == EPIPE ? "output closed" : strerror(errno));
	if (n < 0 && rc == 0)
		rc = ep_errf(err, EP_IOERR, "cannot read the spreadsheet back: %s",
		             strerror(errno));
	close(in);
	return rc;
}

int
diff_report_finish(struct diff_report *r, struct ep_err *err)
{
	int rc = 0;

	if (r->fmt == DIFF_FMT_SUMMARY)
		rc = summary(r, err);
	else if (r->fmt == DIFF_FMT_HTML)
		rc = html(r, err);
	else if (r->fmt == DIFF_FMT_XLSX)
		return xlsx_finish(r, err);
	else if (r->fmt == DIFF_FMT_CSV && !r->header_done) {
		r->header_done = 1;
		buf_reset(&r->line);
		buf_adds(&r->line, "status,key,field,left,right\r");
		rc = put_line(r, err);
	}
	if (rc == 0 && ndjson_flush(&r->w) < 0)
		rc = wfail(r, err);
	return rc;
}
