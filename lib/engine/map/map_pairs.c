/*
 * map_pairs.c - the field pairs of a compiled map (map.h, map_pairs): which
 * input fields each output field is made from, read off the parse tree
 * without running it.  Used to measure xform --suggest against the
 * templates, and shown by xform --pairs.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/map/map_int.h"

/* a set of input field names (pointers into the program's arena) */
struct fset {
	const char **k;
	uint32_t *kn;
	int n, cap;
};

struct pairs {
	struct fset *locals; /* one set per top-level local slot */
	int nlocals;
	struct buf *out;
	int oom;
};

static void
fset_add(struct pairs *pp, struct fset *s, const char *k, uint32_t kn)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->kn[i] == kn && memcmp(s->k[i], k, kn) == 0)
			return;
	if (s->n == s->cap) {
		int nc = s->cap ? s->cap * 2 : 8;
		const char **nk = realloc(s->k, (size_t)nc * sizeof *nk);
		uint32_t *nn;

		if (nk == NULL) {
			pp->oom = 1;
			return;
		}
		s->k = nk;
		if ((nn = realloc(s->kn, (size_t)nc * sizeof *nn)) == NULL) {
			pp->oom = 1;
			return;
		}
		s->kn = nn;
		s->cap = nc;
	}
	s->k[s->n] = k;
	s->kn[s->n++] = kn;
}

static void
fset_union(struct pairs *pp, struct fset *to, const struct fset *from)
{
	int i;

	for (i = 0; i < from->n; i++)
		fset_add(pp, to, from->k[i], from->kn[i]);
}

static void
fset_free(struct fset *s)
{
	free(s->k);
	free(s->kn);
	memset(s, 0, sizeof *s);
}

/* the input fields whose values flow into n's value */
static void
fields(struct pairs *pp, const struct map_node *n, struct fset *s)
{
	int i;

	if (n == NULL)
		return;
	switch (n->kind) {
	case N_PATH:
		if (n->a != NULL && (n->a->kind == N_CUR || n->a->kind == N_ROOT) &&
		    n->nsteps > 0 && n->steps[0].kind == ST_KEY)
			fset_add(pp, s, n->steps[0].k, n->steps[0].kn);
		else
			fields(pp, n->a, s);
		for (i = 0; i < n->nsteps; i++)
			fields(pp, n->steps[i].idx, s);
		return;
	case N_LOCAL:
		if (n->slot >= 0 && n->slot < pp->nlocals)
			fset_union(pp, s, &pp->locals[n->slot]);
		return;
	case N_COND: {
		int before = s->n;

		/* c ? a : b: the branches' fields; the condition's only when
		 * the branches are constants ($active ? "Active" : "Inactive") */
		fields(pp, n->b, s);
		fields(pp, n->c, s);
		if (s->n == before)
			fields(pp, n->a, s);
		return;
	}
	default:
		fields(pp, n->a, s);
		fields(pp, n->b, s);
		fields(pp, n->c, s);
		for (i = 0; i < n->nargs; i++)
			fields(pp, n->args[i], s);
		return;
	}
}

static void
target(struct buf *b, const struct map_stmt *st)
{
	int i;

	for (i = 0; i < st->nls; i++) {
		if (st->ls[i].kind == LS_KEY) {
			if (i > 0)
				buf_addc(b, '.');
			buf_add(b, st->ls[i].k, st->ls[i].kn);
		} else
			buf_adds(b, "[]");
	}
}

static void
walk(struct pairs *pp, const struct map_stmt *st)
{
	for (; st != NULL; st = st->next) {
		struct fset s = { 0 };
		int i;

		switch (st->kind) {
		case S_LET:
			if (st->slot >= 0 && st->slot < pp->nlocals)
				fields(pp, st->e, &pp->locals[st->slot]);
			break;
		case S_IF:
			walk(pp, st->body);
			walk(pp, st->els);
			break;
		case S_ASSIGN:
			if (st->nls == 0 || st->ls[0].kind != LS_KEY ||
			    (st->ls[0].kn > 0 && st->ls[0].k[0] == '_'))
				break; /* _key, _op: identity and operation, not data */
			fields(pp, st->e, &s);
			for (i = 0; i < s.n; i++) {
				target(pp->out, st);
				buf_addc(pp->out, '\t');
				buf_add(pp->out, s.k[i], s.kn[i]);
				if (buf_addc(pp->out, '\n') < 0)
					pp->oom = 1;
			}
			fset_free(&s);
			break;
		default:
			break;
		}
	}
}

int
map_pairs(const struct map_prog *P, struct buf *out)
{
	struct pairs pp = { NULL, P->nslots, out, 0 };
	int i;

	if (P->nslots > 0 && (pp.locals = calloc((size_t)P->nslots, sizeof *pp.locals)) == NULL)
		return -1;
	walk(&pp, P->body);
	for (i = 0; i < pp.nlocals; i++)
		fset_free(&pp.locals[i]);
	free(pp.locals);
	return pp.oom ? -1 : 0;
}
