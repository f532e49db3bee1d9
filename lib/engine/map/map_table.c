/* map_table.c - lookup tables (CSV via libcsv, or NDJSON) loaded once per
 * run context into a hash map from key text to rows, and the search path
 * of maps and tables (map_find: here, not in the parser, so that the
 * builtins find their tables without calling into the parser). */
#include "engine/map/map_int.h"
#include "base/find.h"

#include "base/hash.h"

#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
is_safe(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == '"' || s[i] == '\\')
			return 0;
	return 1;
}

static int
grow(struct map_table *t)
{
	size_t ns = t->nslots ? t->nslots * 2 : 64, i;
	struct map_tslot *s = calloc(ns, sizeof *s);

	if (s == NULL)
		return -1;
	for (i = 0; i < t->nslots; i++) {
		struct map_tslot *o = &t->slots[i];
		size_t j;

		if (o->row == NULL)
			continue;
		for (j = o->h & (ns - 1); s[j].row != NULL; j = (j + 1) & (ns - 1))
			;
		s[j] = *o;
	}
	free(t->slots);
	t->slots = s;
	t->nslots = ns;
	return 0;
}

static int
insert(struct map_table *t, const char *k, size_t kn, struct jv obj)
{
	uint32_t h = fnv1a32(k, kn);
	struct map_trow *row;
	size_t j;

	if ((t->count + 1) * 2 > t->nslots && grow(t) < 0)
		return -1;
	if ((row = arena_alloc(&t->A, sizeof *row)) == NULL)
		return -1;
	row->obj = obj;
	row->next_same = NULL;
	for (j = h & (t->nslots - 1); t->slots[j].row != NULL; j = (j + 1) & (t->nslots - 1)) {
		struct map_tslot *s = &t->slots[j];

		if (s->h == h && s->kn == kn && memcmp(s->k, k, kn) == 0) {
			/* same key: chain (rate tables keep every date) */
			struct map_trow *r = s->row;

			while (r->next_same)
				r = r->next_same;
			r->next_same = row;
			return 0;
		}
	}
	t->slots[j].k = k;
	t->slots[j].kn = (uint32_t)kn;
	t->slots[j].h = h;
	t->slots[j].row = row;
	t->count++;
	return 0;
}

struct map_trow *
map_table_find(const struct map_table *t, const char *k, size_t kn)
{
	uint32_t h = fnv1a32(k, kn);
	size_t j;

	if (t->nslots == 0)
		return NULL;
	for (j = h & (t->nslots - 1); t->slots[j].row != NULL; j = (j + 1) & (t->nslots - 1)) {
		const struct map_tslot *s = &t->slots[j];

		if (s->h == h && s->kn == kn && memcmp(s->k, k, kn) == 0)
			return s->row;
	}
	return NULL;
}

/* key text of a value in a row */
static int
key_text(const struct jv *v, const char **k, size_t *kn)
{
	if (v->t == JV_STR || v->t == JV_NUM) {
		*k = v->u.s;
		*kn = v->n;
		return 0;
	}
	return -1;
}

/* ---- CSV ---- */

struct csvst {
	struct map_table *t;
	struct jv_kv *cur;
	size_t ncur, capcur;
	struct jv_kv *hdr;
	size_t nhdr;
	long keycol;
	long line;
	const char *key;
	int failed;
	char err[512];
};

static void
csv_field(void *data, size_t len, void *ud)
{
	struct csvst *c = ud;
	char *s;

	if (c->failed)
		return;
	if (ARRAY_GROW(c->cur, c->ncur + 1, c->capcur) < 0) {
		c->failed = 1;
		return;
	}
	if ((s = arena_strdup(&c->t->A, data ? data : "", data ? len : 0)) == NULL) {
		c->failed = 1;
		return;
	}
	memset(&c->cur[c->ncur], 0, sizeof c->cur[c->ncur]);
	c->cur[c->ncur].v = jv_str_ref(s, data ? len : 0, is_safe(s, data ? len : 0));
	c->ncur++;
}

static void
csv_row(int term, void *ud)
{
	struct csvst *c = ud;
	struct jv obj = { .t = JV_OBJ };
	size_t i;

	(void)term;
	c->line++;
	if (c->failed)
		return;
	if (c->hdr == NULL) {
		c->nhdr = c->ncur;
		c->hdr = arena_alloc(&c->t->A, (c->nhdr ? c->nhdr : 1) * sizeof *c->hdr);
		if (c->hdr == NULL) {
			c->failed = 1;
			return;
		}
		c->keycol = c->key ? -1 : 0;
		for (i = 0; i < c->ncur; i++) {
			c->hdr[i].k = c->cur[i].v.u.s;
			c->hdr[i].kn = c->cur[i].v.n;
			c->hdr[i].ksafe = (c->cur[i].v.f & JVF_SAFE) != 0;
			if (c->key && strlen(c->key) == c->hdr[i].kn &&
			    memcmp(c->key, c->hdr[i].k, c->hdr[i].kn) == 0)
				c->keycol = (long)i;
		}
		if (c->keycol < 0 || c->nhdr == 0) {
			snprintf(c->err, sizeof c->err, "no column '%s'", c->key ? c->key : "");
			c->failed = 2;
		}
		c->ncur = 0;
		return;
	}
	if (c->ncur == 1 && c->cur[0].v.n == 0) {
		c->ncur = 0;
		return; /* blank line */
	}
	if (c->ncur != c->nhdr) {
		snprintf(c->err, sizeof c->err, "line %ld: %zu fields, the header has %zu", c->line,
		         c->ncur, c->nhdr);
		c->failed = 2;
		return;
	}
	obj.u.o = arena_alloc(&c->t->A, c->ncur * sizeof *obj.u.o);
	if (obj.u.o == NULL) {
		c->failed = 1;
		return;
	}
	for (i = 0; i < c->ncur; i++) {
		obj.u.o[i] = c->hdr[i];
		obj.u.o[i].v = c->cur[i].v;
	}
	obj.n = obj.x.cap = (uint32_t)c->ncur;
	if (insert(c->t, obj.u.o[c->keycol].v.u.s, obj.u.o[c->keycol].v.n, obj) < 0)
		c->failed = 1;
	c->ncur = 0;
}

static int
load_csv(struct map_table *t, FILE *f, const char *key, struct ep_err *err)
{
	struct csv_parser p;
	struct csvst c;
	char buf[65536];
	size_t r;

	memset(&c, 0, sizeof c);
	c.t = t;
	c.key = key;
	if (csv_init(&p, CSV_APPEND_NULL) != 0)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	while ((r = fread(buf, 1, sizeof buf, f)) > 0 && !c.failed)
		if (csv_parse(&p, buf, r, csv_field, csv_row, &c) != r) {
			csv_free(&p);
			free(c.cur);
			return ep_errf(err, EP_DATAERR, "table '%s': %s", t->path,
			               csv_strerror(csv_error(&p)));
		}
	csv_fini(&p, csv_field, csv_row, &c);
	csv_free(&p);
	free(c.cur);
	if (c.failed == 2)
		return ep_errf(err, EP_DATAERR, "table '%s': %s", t->path, c.err);
	if (c.failed)
		return ep_errf(err, EP_SOFTWARE, "table '%s': out of memory", t->path);
	return 0;
}

/* ---- NDJSON ---- */

static int
load_ndjson(struct map_table *t, FILE *f, const char *key, struct ep_err *err)
{
	struct jv_parser jp;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long ln = 0;
	int rc = 0;

	memset(&jp, 0, sizeof jp);
	jp.A = &t->A;
	while ((len = getline(&line, &cap, f)) > 0) {
		struct jv v;
		const struct jv *kv;
		const char *k;
		size_t kn;
		char *copy;

		ln++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			len--;
		if (len == 0)
			continue;
		/* values point into the text: keep it in the table's arena */
		if ((copy = arena_strdup(&t->A, line, (size_t)len)) == NULL) {
			rc = ep_errf(err, EP_SOFTWARE, "table '%s': out of memory", t->path);
			break;
		}
		if (jv_parse(&jp, copy, (size_t)len, &v) < 0 || v.t != JV_OBJ) {
			rc = ep_errf(err, EP_DATAERR, "table '%s': line %ld: %s", t->path, ln,
			             jp.err ? jp.err : "not an object");
			break;
		}
		if (v.n == 0)
			continue;
		kv = key ? jv_obj_get(&v, key, strlen(key)) : &v.u.o[0].v;
		if (kv == NULL || key_text(kv, &k, &kn) < 0) {
			rc = ep_errf(err, EP_DATAERR, "table '%s': line %ld: no key '%s'", t->path,
			             ln, key ? key : v.u.o[0].k);
			break;
		}
		if (insert(t, k, kn, v) < 0) {
			rc = ep_errf(err, EP_SOFTWARE, "table '%s': out of memory", t->path);
			break;
		}
	}
	free(line);
	jv_parser_free(&jp);
	return rc;
}

struct map_table *
map_table_get(struct map_ctx *ctx, const char *path, const char *key, struct ep_err *err)
{
	struct map_table *t;
	FILE *f;
	size_t pl = strlen(path);
	int r;

	for (t = ctx->tables; t != NULL; t = t->next)
		if (strcmp(t->path, path) == 0 && ((key == NULL && t->key == NULL) ||
		                                   (key && t->key && strcmp(key, t->key) == 0)))
			return t;
	if ((f = fopen(path, "r")) == NULL) {
		ep_errf(err, EP_NOINPUT, "cannot open table '%s': %s", path, strerror(errno));
		return NULL;
	}
	if ((t = calloc(1, sizeof *t)) == NULL || (t->path = strdup(path)) == NULL ||
	    (key && (t->key = strdup(key)) == NULL)) {
		fclose(f);
		if (t) {
			free(t->path);
			free(t);
		}
		ep_errf(err, EP_SOFTWARE, "out of memory");
		return NULL;
	}
	arena_init(&t->A, 0);
	if ((pl > 6 && strcmp(path + pl - 7, ".ndjson") == 0) ||
	    (pl > 5 && strcmp(path + pl - 6, ".jsonl") == 0) ||
	    (pl > 4 && strcmp(path + pl - 5, ".json") == 0))
		r = load_ndjson(t, f, key, err);
	else
		r = load_csv(t, f, key, err);
	fclose(f);
	if (r < 0) {
		arena_free(&t->A);
		free(t->slots);
		free(t->path);
		free(t->key);
		free(t);
		return NULL;
	}
	t->next = ctx->tables;
	ctx->tables = t;
	return t;
}

int
map_find(const char *name, const char *ext, const char *dir, char *out, size_t n)
{
	return ep_find(name, "maps", ext, dir, out, n);
}
