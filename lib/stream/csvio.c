#include "stream/csvio.h"

#include <stdlib.h>
#include <string.h>

#include "base/fields.h"
#include "base/hash.h"
#include "stream/json.h"
#include "base/text.h"

const struct ep_opt csvio_opt_table[] = {
	{ "columns", OPT_CSV_COLUMNS, "LIST",
	  "CSV output columns, comma-separated (default: the first record's fields)" },
	{ "delimiter", OPT_CSV_DELIMITER, "CHAR",
	  "CSV field separator (default ',', 'tab' for a tab)" },
	{ "infer-types", OPT_CSV_INFER, NULL,
	  "CSV input: cells that are numbers, true, false, [] or {} become JSON values" },
	{ "quote-char", OPT_CSV_QUOTE_CHAR, "CHAR", "CSV quote character (default '\"')" },
	{ "quote-style", OPT_CSV_QUOTE_STYLE, "minimal|all|strings",
	  "CSV output: quote cells only when needed, all, or every string (default minimal)" },
	{ NULL, 0, NULL, NULL },
};

void
csvio_opts_init(struct csvio_opts *o)
{
	memset(o, 0, sizeof *o);
	o->delim = ',';
	o->quote = '"';
	o->quote_style = CSVIO_QUOTE_MINIMAL;
}

static int
one_char(const char *arg, const char *opt, unsigned char *out, struct ep_err *err)
{
	unsigned char c;

	if (strcmp(arg, "tab") == 0 || strcmp(arg, "\\t") == 0)
		c = '\t';
	else if (strlen(arg) == 1 && (unsigned char)arg[0] < 0x80)
		c = (unsigned char)arg[0];
	else
		return ep_errf(err, EP_USAGE, "%s '%s': not one ASCII character", opt, arg);
	if (c == '\n' || c == '\r' || c == '\0')
		return ep_errf(err, EP_USAGE, "%s: a line break cannot be used", opt);
	*out = c;
	return 0;
}

int
csvio_opt(struct csvio_opts *o, int key, const char *arg, struct ep_err *err)
{
	switch (key) {
	case OPT_CSV_COLUMNS:
		o->columns = arg;
		return 1;
	case OPT_CSV_DELIMITER:
		if (one_char(arg, "--delimiter", &o->delim, err) < 0)
			return -1;
		break;
	case OPT_CSV_INFER:
		o->infer = 1;
		return 1;
	case OPT_CSV_QUOTE_CHAR:
		if (one_char(arg, "--quote-char", &o->quote, err) < 0)
			return -1;
		break;
	case OPT_CSV_QUOTE_STYLE:
		if (strcmp(arg, "minimal") == 0)
			o->quote_style = CSVIO_QUOTE_MINIMAL;
		else if (strcmp(arg, "all") == 0)
			o->quote_style = CSVIO_QUOTE_ALL;
		else if (strcmp(arg, "strings") == 0)
			o->quote_style = CSVIO_QUOTE_STRINGS;
		else
			return ep_errf(err, EP_USAGE,
			               "--quote-style '%s': not minimal, all or strings", arg);
		return 1;
	default:
		return 0;
	}
	if (o->delim == o->quote)
		return ep_errf(err, EP_USAGE, "the delimiter and the quote character are the same");
	return 1;
}

/* A dotted name split into parts, unless a part would be empty. */
static int
splittable(const char *s, size_t n)
{
	if (n == 0 || s[0] == '.' || s[n - 1] == '.' || memchr(s, '.', n) == NULL)
		return 0;
	for (size_t i = 1; i < n; i++)
		if (s[i] == '.' && s[i - 1] == '.')
			return 0;
	return 1;
}

/* "0", "1", … "4294967295" without leading zeros: an array index. */
static int
index_of(const char *s, size_t n, uint32_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 10 || (n > 1 && s[0] == '0'))
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > UINT32_MAX)
		return 0;
	*out = (uint32_t)v;
	return 1;
}

/* ======================================================================
 * Reader
 * ====================================================================== */

/* The header as a tree: node 0 is the record; a leaf holds a column. */
struct csvio_node {
	size_t key, kn;     /* offset and length of its name part in r->names */
	long col;           /* leaf: the column; -1 for a group */
	size_t first, next; /* children (in emission order) and sibling; 0 = none */
	size_t last, nkids;
	int arr;
};

static void
cb_field(void *s, size_t n, void *data)
{
	struct csvio_reader *r = data;
	struct csvio_cell *c;

	if (ARRAY_GROW(r->cell, r->ncell + 1, r->capcell) < 0) {
		r->too_long = 2; /* out of memory: the row is refused */
		return;
	}
	c = &r->cell[r->ncell++];
	c->off = r->cells.len;
	c->len = s ? n : 0;
	c->null = s == NULL;
	if (s && buf_add(&r->cells, s, n) < 0)
		r->too_long = 2;
}

static void
cb_row(int c, void *data)
{
	struct csvio_reader *r = data;

	(void)c;
	r->row_done = 1;
}

static int
no_space(unsigned char c)
{
	(void)c;
	return 0; /* keep every byte of a field: no trimming */
}

static int
parser_reset(struct csvio_reader *r)
{
	if (r->p_ok)
		csv_free(&r->p);
	r->p_ok = 0;
	if (csv_init(&r->p, CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL) != 0)
		return -1;
	r->p_ok = 1;
	csv_set_delim(&r->p, r->o->delim);
	csv_set_quote(&r->p, r->o->quote);
	csv_set_space_func(&r->p, no_space);
	return 0;
}

int
csvio_open(struct csvio_reader *r, const char *path, const struct csvio_opts *o, size_t max_row,
           struct ep_err *err)
{
	memset(r, 0, sizeof *r);
	if (ndjson_open(&r->in, path, max_row, err) < 0)
		return -1;
	r->in.raw = 1;
	r->o = o;
	r->max_row = max_row ? max_row : NDJ_DEFAULT_MAX_LINE;
	buf_init(&r->raw, 0);
	if (parser_reset(r) < 0) {
		csvio_close(r);
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	}
	return 0;
}

void
csvio_close(struct csvio_reader *r)
{
	ndjson_close(&r->in);
	if (r->p_ok)
		csv_free(&r->p);
	r->p_ok = 0;
	buf_release(&r->cells);
	buf_release(&r->raw);
	buf_release(&r->names);
	buf_release(&r->json);
	free(r->cell);
	free(r->nodes);
	r->cell = NULL;
	r->nodes = NULL;
}

static void
row_clear(struct csvio_reader *r)
{
	/* r->raw stays: a bad row's reject still points at it; the next
	 * row's first bytes reset it */
	r->ncell = 0;
	buf_reset(&r->cells);
	r->row_done = r->in_row = r->too_long = r->qodd = 0;
}

static void
row_start(struct csvio_reader *r, uint64_t line)
{
	r->in_row = 1;
	r->row_line = line;
	buf_reset(&r->raw);
	r->raw_total = 0;
}

/* Keep the row's bytes for its reject (the first NDJ_KEEP once it is over
 * the cap). */
static void
raw_add(struct csvio_reader *r, const char *p, size_t n)
{
	r->raw_total += n;
	if (r->raw.len < NDJ_KEEP || r->raw_total <= r->max_row) {
		size_t room = r->raw_total > r->max_row && r->raw.len < NDJ_KEEP
		                      ? NDJ_KEEP - r->raw.len
		                      : n;
		buf_add(&r->raw, p, room < n ? room : n);
	}
	if (r->raw_total > r->max_row && !r->too_long)
		r->too_long = 1;
}

static enum csvio_kind
bad(struct csvio_reader *r, struct csvio_row *row, const char *why)
{
	memset(row, 0, sizeof *row);
	row->line = r->row_line;
	snprintf(r->why, sizeof r->why, "%s", why);
	row->why = r->why;
	row->raw = r->raw.p ? r->raw.p : "";
	row->raw_len = r->raw.len < NDJ_KEEP || r->raw_total <= r->max_row ? r->raw.len : NDJ_KEEP;
	row->raw_total = r->raw_total;
	/* the row's text without its final line break */
	if (row->raw_len == r->raw_total) {
		if (row->raw_len > 0 && row->raw[row->raw_len - 1] == '\n')
			row->raw_len--;
		if (row->raw_len > 0 && row->raw[row->raw_len - 1] == '\r')
			row->raw_len--;
		row->raw_total = row->raw_len;
	}
	return CSVIO_BAD;
}

/* ---- the header ---- */

static size_t
node_new(struct csvio_reader *r, size_t parent, size_t key, size_t kn)
{
	struct csvio_node *n, *np;

	np = realloc(r->nodes, (r->nnodes + 1) * sizeof *np);
	if (np == NULL)
		return 0;
	r->nodes = np;
	n = &r->nodes[r->nnodes];
	memset(n, 0, sizeof *n);
	n->key = key;
	n->kn = kn;
	n->col = -1;
	if (r->nnodes > 0) {
		struct csvio_node *p = &r->nodes[parent];

		if (p->last)
			r->nodes[p->last].next = r->nnodes;
		else
			p->first = r->nnodes;
		p->last = r->nnodes;
		p->nkids++;
	}
	return r->nnodes++;
}

static size_t
child(struct csvio_reader *r, size_t parent, const char *k, size_t kn)
{
	for (size_t c = r->nodes[parent].first; c; c = r->nodes[c].next)
		if (r->nodes[c].kn == kn && memcmp(r->names.p + r->nodes[c].key, k, kn) == 0)
			return c;
	return 0;
}

/* Groups whose parts are exactly 0..n-1 become arrays, children in index
 * order. */
static int
arrays(struct csvio_reader *r, size_t g)
{
	struct csvio_node *n = &r->nodes[g];
	size_t *order = NULL;
	uint32_t ix;
	int ok = 1;

	if (n->col >= 0)
		return 0;
	if (n->nkids > 0 && (order = calloc(n->nkids, sizeof *order)) == NULL)
		return -1;
	for (size_t c = n->first; c && ok; c = r->nodes[c].next) {
		if (!index_of(r->names.p + r->nodes[c].key, r->nodes[c].kn, &ix) ||
		    ix >= n->nkids || order[ix])
			ok = 0;
		else
			order[ix] = c;
	}
	if (ok && g != 0 && n->nkids > 0) {
		n->arr = 1;
		n->first = order[0];
		for (size_t i = 0; i + 1 < n->nkids; i++)
			r->nodes[order[i]].next = order[i + 1];
		r->nodes[order[n->nkids - 1]].next = 0;
		n->last = order[n->nkids - 1];
	}
	free(order);
	for (size_t c = n->first; c; c = r->nodes[c].next)
		if (arrays(r, c) < 0)
			return -1;
	return 0;
}

static int
header(struct csvio_reader *r, struct ep_err *err)
{
	const char *name = r->in.name;
	uint64_t line = r->row_line;

	buf_reset(&r->names);
	if (buf_add(&r->names, r->cells.p ? r->cells.p : "", r->cells.len) < 0 ||
	    node_new(r, 0, 0, 0) != 0)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	for (size_t i = 0; i < r->ncell; i++) {
		const struct csvio_cell *c = &r->cell[i];
		const char *s = r->names.p + c->off;
		size_t at = 0, g = 0, part, pn, k;

		if (c->len == 0)
			return ep_errf(err, EP_DATAERR, "%s:%llu: column %zu has no name", name,
			               (unsigned long long)line, i + 1);
		if (utf8_valid_prefix(s, c->len) != c->len)
			return ep_errf(err, EP_DATAERR, "%s:%llu: column %zu: invalid UTF-8", name,
			               (unsigned long long)line, i + 1);
		int split = splittable(s, c->len), depth = 0;
		for (;;) {
			const char *dot = split ? memchr(s + at, '.', c->len - at) : NULL;

			/* a part is a level of the record: the root, then a group
			 * for each dot; past JSON_MAX_DEPTH no stage reads it */
			if (++depth > JSON_MAX_DEPTH)
				return ep_errf(err, EP_DATAERR,
				               "%s:%llu: column %zu: more than %d dotted parts",
				               name, (unsigned long long)line, i + 1,
				               JSON_MAX_DEPTH);
			part = c->off + at;
			pn = dot ? (size_t)(dot - (s + at)) : c->len - at;
			if (r->nodes[g].col >= 0)
				return ep_errf(err, EP_DATAERR,
				               "%s:%llu: column '%.*s' is inside column '%.*s'",
				               name, (unsigned long long)line, (int)c->len, s,
				               (int)(at - 1), s);
			k = child(r, g, r->names.p + part, pn);
			if (k == 0 && (k = node_new(r, g, part, pn)) == 0)
				return ep_errf(err, EP_SOFTWARE, "out of memory");
			g = k;
			if (dot == NULL)
				break;
			at += pn + 1;
		}
		if (r->nodes[g].col >= 0)
			return ep_errf(err, EP_DATAERR, "%s:%llu: column '%.*s' appears twice",
			               name, (unsigned long long)line, (int)c->len, s);
		if (r->nodes[g].nkids > 0)
			return ep_errf(err, EP_DATAERR,
			               "%s:%llu: column '%.*s' is also the start of other columns",
			               name, (unsigned long long)line, (int)c->len, s);
		r->nodes[g].col = (long)i;
	}
	if (arrays(r, 0) < 0)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	r->ncols = r->ncell;
	r->have_header = 1;
	return 0;
}

/* ---- a row as JSON ---- */

static int
cell_json(struct csvio_reader *r, const struct csvio_cell *c)
{
	const char *s = buf_str(&r->cells) + c->off; /* cells may be empty: NULL */

	if (c->null)
		return buf_add(&r->json, "null", 4);
	if (r->o->infer && c->len > 0) {
		enum json_type t = JSON_INVALID;

		if (c->len == 2 && (memcmp(s, "[]", 2) == 0 || memcmp(s, "{}", 2) == 0))
			t = JSON_ARRAY;
		else if (s[0] != ' ' && s[0] != '\t' && s[c->len - 1] != ' ' &&
		         s[c->len - 1] != '\t' && s[0] != '\n' && s[c->len - 1] != '\n' &&
		         s[0] != '\r' && s[c->len - 1] != '\r')
			t = json_check(s, c->len, NULL, NULL);
		if (t == JSON_NUMBER || t == JSON_TRUE || t == JSON_FALSE || t == JSON_ARRAY)
			return buf_add(&r->json, s, c->len);
	}
	return json_quote(&r->json, s, c->len);
}

/* The value of node g onto r->json: 1 when it is not null, 0 when it is
 * (a group whose cells are all empty is null, and an array ends at its
 * last element that is not), -1 out of memory. */
static int
emit(struct csvio_reader *r, size_t g)
{
	const struct csvio_node *n = &r->nodes[g];
	size_t start = r->json.len, keep;
	int first = 1, any = 0, v;

	if (n->col >= 0) {
		if (cell_json(r, &r->cell[n->col]) < 0)
			return -1;
		return !r->cell[n->col].null;
	}
	if (buf_addc(&r->json, n->arr ? '[' : '{') < 0)
		return -1;
	keep = r->json.len;
	for (size_t c = n->first; c; c = r->nodes[c].next) {
		if (!first && buf_addc(&r->json, ',') < 0)
			return -1;
		first = 0;
		if (!n->arr &&
		    (json_quote(&r->json, r->names.p + r->nodes[c].key, r->nodes[c].kn) < 0 ||
		     buf_addc(&r->json, ':') < 0))
			return -1;
		if ((v = emit(r, c)) < 0)
			return -1;
		if (v) {
			any = 1;
			keep = r->json.len;
		}
	}
	if (!any && g != 0) {
		r->json.len = start;
		return buf_add(&r->json, "null", 4) < 0 ? -1 : 0;
	}
	if (n->arr)
		r->json.len = keep;
	return buf_addc(&r->json, n->arr ? ']' : '}') < 0 ? -1 : 1;
}

/* A complete row: the header, a record or a bad row.  -1: keep reading. */
static int
row_end(struct csvio_reader *r, struct csvio_row *row, struct ep_err *err)
{
	size_t ok;
	char why[96];

	if (r->too_long) {
		snprintf(why, sizeof why,
		         r->too_long == 2 ? "row too large for memory"
		                          : "row longer than %zu bytes",
		         r->max_row);
		return bad(r, row, why);
	}
	if ((ok = utf8_valid_prefix(r->raw.p ? r->raw.p : "", r->raw.len)) != r->raw.len) {
		snprintf(why, sizeof why, "invalid UTF-8 at byte %zu", ok + 1);
		return bad(r, row, why);
	}
	if (!r->have_header) {
		if (header(r, err) < 0)
			return CSVIO_BADFILE;
		return -1;
	}
	if (r->ncell != r->ncols) {
		snprintf(why, sizeof why, "row has %zu field%s, the header %zu", r->ncell,
		         r->ncell == 1 ? "" : "s", r->ncols);
		return bad(r, row, why);
	}
	buf_reset(&r->json);
	if (emit(r, 0) < 0)
		return bad(r, row, "row too large for memory");
	memset(row, 0, sizeof *row);
	row->json = r->json.p;
	row->len = r->json.len;
	row->line = r->row_line;
	return CSVIO_RECORD;
}

/* Feed n bytes to the parser; 0, or -1 on a syntax error. */
static int
feed(struct csvio_reader *r, const char *p, size_t n)
{
	if (n == 0)
		return 0;
	if (!r->in_row)
		row_start(r, r->in.lineno);
	/* quote parity since the row began: where an over-long row ends */
	for (const char *q = p; (q = memchr(q, r->o->quote, (size_t)(p + n - q))) != NULL; q++)
		r->qodd = !r->qodd;
	raw_add(r, p, n);
	if (r->too_long)
		return 0; /* the rest of the row is only counted */
	if (csv_parse(&r->p, p, n, cb_field, cb_row, r) != n)
		return -1;
	return 0;
}

enum csvio_kind
csvio_next(struct csvio_reader *r, struct csvio_row *row, struct ep_err *err)
{
	struct ndjson_line ln;
	int k;

	for (;;) {
		if (r->have_line) {
			/* the next piece of the line: up to a bare "\r" (a row end
			 * in old Mac files) or to the end with its "\n" */
			const char *s = r->lp + r->lpos;
			size_t left = r->llen - r->lpos;
			const char *cr = memchr(s, '\r', left);
			size_t n = cr ? (size_t)(cr - s) + 1 : left;
			int synerr;

			r->lpos += n;
			synerr = feed(r, s, n) < 0;
			if (!synerr && r->lpos >= r->llen) {
				r->have_line = 0;
				if (r->lnl)
					synerr = feed(r, "\n", 1) < 0;
			}
			if (synerr) {
				/* keep the rest of the line for the reject, then
				 * start again at the next line */
				if (r->have_line)
					raw_add(r, r->lp + r->lpos, r->llen - r->lpos);
				r->have_line = 0;
				k = bad(r, row,
				        "stray quote character (inside an unquoted field, or "
				        "text after a closing quote)");
				row_clear(r);
				if (parser_reset(r) < 0)
					return ep_errf(err, EP_SOFTWARE, "out of memory"),
					       CSVIO_ERROR;
				return k;
			}
			if (r->row_done) {
				k = row_end(r, row, err);
				row_clear(r);
				if (k >= 0)
					return (enum csvio_kind)k;
				continue;
			}
			if (r->too_long && !r->have_line && !r->qodd) {
				/* a row over the cap: give it up at the first line
				 * end outside quotes */
				k = row_end(r, row, err);
				row_clear(r);
				if (parser_reset(r) < 0)
					return ep_errf(err, EP_SOFTWARE, "out of memory"),
					       CSVIO_ERROR;
				return (enum csvio_kind)k;
			}
			if (r->p.pstate == 0 && !r->too_long) {
				/* a blank line between rows */
				row_clear(r);
			}
			continue;
		}
		if (r->eof)
			return CSVIO_EOF;
		switch (ndjson_next(&r->in, &ln, err)) {
		case NDJ_ERROR:
			return CSVIO_ERROR;
		case NDJ_TOO_LONG:
			if (!r->in_row)
				row_start(r, ln.lineno);
			raw_add(r, ln.p, ln.len);
			r->raw_total += ln.total - ln.len;
			r->too_long = 1;
			k = row_end(r, row, err);
			row_clear(r);
			if (parser_reset(r) < 0)
				return ep_errf(err, EP_SOFTWARE, "out of memory"), CSVIO_ERROR;
			return (enum csvio_kind)k;
		case NDJ_EOF:
			r->eof = 1;
			if (!r->in_row)
				return CSVIO_EOF;
			if (csv_fini(&r->p, cb_field, cb_row, r) != 0) {
				k = bad(r, row, "unterminated quoted field at end of input");
				row_clear(r);
				return k;
			}
			if (r->row_done || r->too_long) {
				k = row_end(r, row, err);
				row_clear(r);
				if (k >= 0)
					return (enum csvio_kind)k;
			}
			return CSVIO_EOF;
		case NDJ_LINE:
			r->lp = ln.p;
			r->llen = ln.len;
			r->lpos = 0;
			r->lnl = !ln.last_no_nl;
			r->have_line = 1;
			if (ln.lineno == 1 && ln.len >= 3 && memcmp(ln.p, "\xef\xbb\xbf", 3) == 0)
				r->lpos = 3; /* a byte order mark */
			continue;
		}
	}
}

/* ======================================================================
 * Writer
 * ====================================================================== */

enum { WK_NULL, WK_STR, WK_RAW, WK_JSON };

struct csvio_slot {
	char *name; /* owned; NULL: empty slot */
	size_t len;
	uint32_t h;
	long col;  /* -1: only a group (a prefix of columns) */
	int group; /* some column starts with name + "." */
};

struct csvio_wcell {
	uint32_t gen;
	uint8_t kind;
	size_t off, len;
};

static struct csvio_slot *
slot_find(struct csvio_writer *w, const char *s, size_t n, uint32_t h)
{
	size_t mask = w->nslots - 1, i = h & mask;

	for (;; i = (i + 1) & mask) {
		struct csvio_slot *sl = &w->slots[i];

		if (sl->name == NULL || (sl->h == h && sl->len == n && memcmp(sl->name, s, n) == 0))
			return sl;
	}
}

static struct csvio_slot *
lookup(struct csvio_writer *w, const char *s, size_t n)
{
	struct csvio_slot *sl;

	if (w->nslots == 0)
		return NULL;
	sl = slot_find(w, s, n, fnv1a32(s, n));
	return sl->name ? sl : NULL;
}

static struct csvio_slot *
slot_add(struct csvio_writer *w, const char *s, size_t n)
{
	uint32_t h = fnv1a32(s, n);
	struct csvio_slot *sl;

	if ((w->nused + 1) * 2 > w->nslots) {
		size_t nn = w->nslots ? w->nslots * 2 : 64;
		struct csvio_slot *old = w->slots, *ns = calloc(nn, sizeof *ns);
		size_t on = w->nslots;

		if (ns == NULL)
			return NULL;
		w->slots = ns;
		w->nslots = nn;
		for (size_t i = 0; i < on; i++)
			if (old[i].name)
				*slot_find(w, old[i].name, old[i].len, old[i].h) = old[i];
		free(old);
	}
	sl = slot_find(w, s, n, h);
	if (sl->name == NULL) {
		if ((sl->name = malloc(n + 1)) == NULL)
			return NULL;
		memcpy(sl->name, s, n);
		sl->name[n] = '\0';
		sl->len = n;
		sl->h = h;
		sl->col = -1;
		sl->group = 0;
		w->nused++;
	}
	return sl;
}

/* A new column; its dotted prefixes become groups. */
static int
col_add(struct csvio_writer *w, const char *s, size_t n)
{
	struct csvio_slot *sl;

	if (w->ncols == w->capcols) {
		size_t nc = w->capcols ? w->capcols * 2 : 16;
		char **c = realloc(w->cols, nc * sizeof *c);
		struct csvio_wcell *wc = realloc(w->cells, nc * sizeof *wc);

		if (c)
			w->cols = c;
		if (wc)
			w->cells = wc;
		if (c == NULL || wc == NULL)
			return -1;
		w->capcols = nc;
	}
	if ((sl = slot_add(w, s, n)) == NULL)
		return -1;
	sl->col = (long)w->ncols;
	w->cols[w->ncols] = sl->name;
	w->cells[w->ncols].gen = 0;
	w->ncols++;
	if (splittable(s, n))
		for (size_t i = 1; i < n; i++)
			if (s[i] == '.') {
				if ((sl = slot_add(w, s, i)) == NULL)
					return -1;
				sl->group = 1;
			}
	return 0;
}

static int make_header(struct csvio_writer *w);

int
csvio_writer_init(struct csvio_writer *w, const struct csvio_opts *o, struct ep_err *err)
{
	struct fields_iter it;
	struct field_ref f;
	int r;

	memset(w, 0, sizeof *w);
	w->o = o;
	w->gen = 1;
	if (o->columns == NULL)
		return 0;
	fields_init(&it, o->columns, 0);
	while ((r = fields_next(&it, &f)) != 0) {
		const char *s = f.item;
		size_t n = f.len;
		struct csvio_slot *sl;

		if (r < 0) {
			csvio_writer_free(w);
			return ep_errf(err, EP_USAGE, "--columns '%s': an empty column name",
			               o->columns);
		}
		if ((sl = lookup(w, s, n)) != NULL && sl->col >= 0) {
			csvio_writer_free(w);
			return ep_errf(err, EP_USAGE, "--columns: '%.*s' appears twice", (int)n, s);
		}
		if (col_add(w, s, n) < 0) {
			csvio_writer_free(w);
			return ep_errf(err, EP_SOFTWARE, "out of memory");
		}
	}
	w->fixed = 1;
	if (make_header(w) < 0) {
		csvio_writer_free(w);
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	}
	return 0;
}

void
csvio_writer_free(struct csvio_writer *w)
{
	for (size_t i = 0; i < w->nslots; i++)
		free(w->slots[i].name);
	free(w->slots);
	free(w->cols);
	free(w->cells);
	buf_release(&w->vals);
	buf_release(&w->path);
	buf_release(&w->row);
	buf_release(&w->header);
	memset(w, 0, sizeof *w);
}

/* ---- walking the record ---- */

struct walk {
	struct csvio_writer *w;
	const char *s, *e;
	const char *p;
	int building; /* the first record makes the header */
	struct ep_err *err;
};

static void
ws(struct walk *k)
{
	while (k->p < k->e && (*k->p == ' ' || *k->p == '\t' || *k->p == '\n' || *k->p == '\r'))
		k->p++;
}

static int
broken(struct walk *k)
{
	return ep_errf(k->err, EP_DATAERR, "not a JSON object at byte %zu",
	               (size_t)(k->p - k->s) + 1);
}

static int
scalar_char(char c)
{
	return c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9') ||
	       (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Skip one value (the text is valid JSON: json_check or our own output);
 * 0 or -1. */
static int
skip(struct walk *k)
{
	int depth = 0;

	ws(k);
	for (;;) {
		if (k->p >= k->e)
			return broken(k);
		char c = *k->p;
		if (c == '"') {
			size_t off;
			const char *why;
			long long r = json_string_scan(k->p + 1, (size_t)(k->e - k->p - 1), NULL,
			                               NULL, &off, &why);
			if (r < 0)
				return broken(k);
			k->p += r + 2;
		} else if (c == '{' || c == '[') {
			depth++;
			k->p++;
		} else if (c == '}' || c == ']' || c == ',' || c == ':' || c == ' ' || c == '\t' ||
		           c == '\n' || c == '\r') {
			if (depth == 0)
				return broken(k);
			if (c == '}' || c == ']')
				depth--;
			k->p++;
		} else if (scalar_char(c)) {
			while (k->p < k->e && scalar_char(*k->p))
				k->p++;
		} else
			return broken(k);
		if (depth == 0)
			return 0;
	}
}

/* The cell for the value at w->path, *out NULL when the value has no
 * column and that is fine (a group's null, or --columns leaving it out);
 * -1 with err when the record does not fit the header. */
static int
leaf(struct walk *k, int kind, int empty, struct csvio_wcell **out)
{
	struct csvio_writer *w = k->w;
	const char *path = w->path.p ? w->path.p : "";
	struct csvio_slot *sl = lookup(w, path, w->path.len);
	struct csvio_wcell *c;

	*out = NULL;
	if (sl == NULL || sl->col < 0) {
		if (w->fixed || (sl != NULL && empty))
			return 0;
		if (sl != NULL)
			return ep_errf(k->err, EP_DATAERR,
			               "'%s' is a single value but the CSV header has columns "
			               "'%s.…' (name the columns with --columns)",
			               path, path);
		if (!k->building)
			return ep_errf(k->err, EP_DATAERR,
			               "'%s' is not a column of the CSV header, which the first "
			               "record made (name the columns with --columns)",
			               path);
		if (col_add(w, path, w->path.len) < 0)
			return ep_errf(k->err, EP_SOFTWARE, "out of memory");
		sl = lookup(w, path, w->path.len);
	}
	c = &w->cells[sl->col];
	c->gen = w->gen;
	c->kind = (uint8_t)kind;
	c->off = w->vals.len;
	c->len = 0;
	*out = c;
	return 0;
}

/* A value's bytes into its cell. */
static int
put(struct walk *k, struct csvio_wcell *c, const char *p, size_t n)
{
	if (c == NULL)
		return 0;
	if (buf_add(&k->w->vals, p, n) < 0)
		return ep_errf(k->err, EP_SOFTWARE, "out of memory");
	c->len = n;
	return 0;
}

/* Decode the JSON string at k->p (its opening quote) onto b. */
static int
decode(struct walk *k, struct buf *b, size_t *outn)
{
	size_t off, dn;
	const char *why;
	long long r;

	if (k->p >= k->e || *k->p != '"')
		return broken(k);
	r = json_string_scan(k->p + 1, (size_t)(k->e - k->p - 1), NULL, NULL, &off, &why);
	if (r < 0)
		return broken(k);
	if (buf_grow(b, (size_t)r) < 0)
		return ep_errf(k->err, EP_SOFTWARE, "out of memory");
	json_string_scan(k->p + 1, (size_t)(k->e - k->p - 1), b->p + b->len, &dn, &off, &why);
	b->len += dn;
	b->p[b->len] = '\0';
	k->p += r + 2;
	if (outn)
		*outn = dn;
	return 0;
}

static int
walk_value(struct walk *k, int depth)
{
	struct csvio_writer *w = k->w;
	struct csvio_wcell *cell;
	const char *st;
	char c;

	ws(k);
	if (k->p >= k->e || depth > JSON_MAX_DEPTH)
		return broken(k);
	st = k->p;
	c = *k->p;
	if (c == '{' || c == '[') {
		struct csvio_slot *sl =
			depth > 0 ? lookup(w, w->path.p ? w->path.p : "", w->path.len) : NULL;
		const char *q = k->p + 1;

		while (q < k->e && (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r'))
			q++;
		if (sl != NULL && sl->col >= 0) {
			/* a column names this nested value: its JSON text */
			if (skip(k) < 0 || leaf(k, WK_JSON, 0, &cell) < 0)
				return -1;
			return put(k, cell, st, (size_t)(k->p - st));
		}
		if (q < k->e && (*q == '}' || *q == ']')) {
			k->p = q + 1;
			if (depth == 0)
				return 0;
			if (leaf(k, WK_JSON, 1, &cell) < 0)
				return -1;
			return put(k, cell, c == '{' ? "{}" : "[]", 2);
		}
		k->p++;
		for (uint32_t i = 0;; i++) {
			size_t mark = w->path.len;

			ws(k);
			if (mark > 0 && buf_addc(&w->path, '.') < 0)
				return ep_errf(k->err, EP_SOFTWARE, "out of memory");
			if (c == '{') {
				if (decode(k, &w->path, NULL) < 0)
					return -1;
				ws(k);
				if (k->p >= k->e || *k->p != ':')
					return broken(k);
				k->p++;
			} else if (buf_addf(&w->path, "%u", i) < 0)
				return ep_errf(k->err, EP_SOFTWARE, "out of memory");
			if (walk_value(k, depth + 1) < 0)
				return -1;
			w->path.len = mark;
			w->path.p[mark] = '\0';
			ws(k);
			if (k->p < k->e && *k->p == ',') {
				k->p++;
				continue;
			}
			if (k->p < k->e && *k->p == (c == '{' ? '}' : ']')) {
				k->p++;
				return 0;
			}
			return broken(k);
		}
	}
	if (depth == 0)
		return broken(k);
	if (c == '"') {
		size_t dn;

		if (leaf(k, WK_STR, 0, &cell) < 0)
			return -1;
		if (cell == NULL) {
			/* not kept: only step over it */
			size_t off;
			const char *why;
			long long r = json_string_scan(k->p + 1, (size_t)(k->e - k->p - 1), NULL,
			                               NULL, &off, &why);
			if (r < 0)
				return broken(k);
			k->p += r + 2;
			return 0;
		}
		if (decode(k, &w->vals, &dn) < 0)
			return -1;
		cell->len = dn;
		return 0;
	}
	if (skip(k) < 0)
		return -1;
	if (k->p - st == 4 && memcmp(st, "null", 4) == 0) {
		if (leaf(k, WK_NULL, 1, &cell) < 0)
			return -1;
		return 0;
	}
	if (leaf(k, WK_RAW, k->p - st == 5 && memcmp(st, "false", 5) == 0, &cell) < 0)
		return -1;
	return put(k, cell, st, (size_t)(k->p - st));
}

/* ---- formatting ---- */

static int
needs_quotes(const struct csvio_opts *o, const char *s, size_t n)
{
	if (n == 0)
		return 1; /* "" is the empty string, an empty cell null */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == o->delim || c == o->quote || c == '\n' || c == '\r')
			return 1;
	}
	return 0;
}

static int
cell_out(struct buf *b, const struct csvio_opts *o, int kind, const char *s, size_t n)
{
	int q;

	if (kind == WK_NULL)
		return 0;
	switch (o->quote_style) {
	case CSVIO_QUOTE_ALL:
		q = 1;
		break;
	case CSVIO_QUOTE_STRINGS:
		q = kind == WK_STR || kind == WK_JSON || needs_quotes(o, s, n);
		break;
	default:
		q = needs_quotes(o, s, n);
	}
	if (!q)
		return buf_add(b, s, n);
	/* libcsv doubles the quote characters inside */
	size_t need = csv_write2(NULL, 0, s, n, o->quote);
	if (buf_grow(b, need) < 0)
		return -1;
	b->len += csv_write2(b->p + b->len, need, s, n, o->quote);
	b->p[b->len] = '\0';
	return 0;
}

static int
make_header(struct csvio_writer *w)
{
	buf_reset(&w->header);
	if (buf_add(&w->header, "", 0) < 0) /* no columns: an empty line */
		return -1;
	for (size_t i = 0; i < w->ncols; i++)
		if ((i > 0 && buf_addc(&w->header, w->o->delim) < 0) ||
		    cell_out(&w->header, w->o, WK_STR, w->cols[i], strlen(w->cols[i])) < 0)
			return -1;
	w->have_header = 1;
	w->header_pending = 1;
	return 0;
}

int
csvio_write(struct csvio_writer *w, const char *json, size_t len, struct ep_err *err)
{
	struct walk k = { w, json, json + len, json, 0, err };

	k.building = !w->have_header;
	if (++w->gen == 0) {
		for (size_t i = 0; i < w->ncols; i++)
			w->cells[i].gen = 0;
		w->gen = 1;
	}
	buf_reset(&w->vals);
	buf_reset(&w->path);
	ws(&k);
	if (k.p >= k.e || *k.p != '{')
		return broken(&k);
	if (walk_value(&k, 0) < 0)
		return -1;
	ws(&k);
	if (k.p != k.e)
		return broken(&k);
	if (!w->have_header && make_header(w) < 0)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	buf_reset(&w->row);
	for (size_t i = 0; i < w->ncols; i++) {
		const struct csvio_wcell *c = &w->cells[i];

		if ((i > 0 && buf_addc(&w->row, w->o->delim) < 0) ||
		    (c->gen == w->gen &&
		     cell_out(&w->row, w->o, c->kind, buf_str(&w->vals) + c->off, c->len) < 0))
			return ep_errf(err, EP_SOFTWARE, "out of memory");
	}
	if (w->row.p == NULL && buf_add(&w->row, "", 0) < 0)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	return 0;
}
