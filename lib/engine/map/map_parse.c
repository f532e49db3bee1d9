/* map_parse.c - parser of the mapping language (its tokens from
 * map_lex.c), compile entry points and the run context. */
#include "engine/map/map_int.h"
#include "engine/map/map_lex.h"
#include "base/text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

/* The compile context.  Only the parser sees it: the builtins' prep hooks
 * report through struct map_prep (map_int.h), so that builtins and parser
 * do not call each other. */
struct map_cc {
	struct map_prog *P;
	jmp_buf jb;
	struct map_sub *cursub;
	struct map_lex lx;
	struct ep_err *err;
	int failed, code, depth;
	int insub; /* parsing a sub-mapping's body */
	/* current scope's local names */
	char **names;
	char **outer_names; /* the top level's, while a map block's are in names */
	int nnames, capnames;
	int *nslots;
};
static int map_cc_error(struct map_cc *cc, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* ---- errors ---- */

static void
caret_line(struct buf *b, const char *ls, const char *end, int col)
{
	const char *p = ls;
	int c = 1;
	size_t shown = 0;

	buf_adds(b, "\n  ");
	while (p < end && *p != '\n' && *p != '\r' && shown < 200) {
		buf_addc(b, *p);
		p++;
		shown++;
	}
	buf_adds(b, "\n  ");
	for (p = ls; p < end && c < col && *p != '\n'; p++) {
		unsigned char ch = (unsigned char)*p;

		if ((ch & 0xC0) == 0x80)
			continue;
		buf_addc(b, ch == '\t' ? '\t' : ' ');
		c++;
	}
	buf_addc(b, '^');
}

static const char *
line_start(struct map_cc *cc, int line)
{
	const char *p = cc->lx.s;
	int l = 1;

	while (l < line && p < cc->lx.e) {
		if (*p++ == '\n')
			l++;
	}
	return p;
}

static int
map_cc_error(struct map_cc *cc, int line, int col, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	buf_addf(&b, "%s:%d:%d: %s", cc->P->filename, line, col, msg);
	caret_line(&b, line_start(cc, line), cc->lx.e, col);
	ep_errf(cc->err, cc->code ? cc->code : EP_DATAERR, "%s", buf_str(&b));
	buf_release(&b);
	cc->failed = 1;
	longjmp(cc->jb, 1);
}

/* p is freed with the program (map_fn_free_aux) */
static int
map_prog_keep(struct map_prog *P, void *p)
{
	if (ARRAY_GROW(P->frees, (size_t)P->nfrees + 1, P->capfrees) < 0)
		return -1;
	P->frees[P->nfrees++] = p;
	return 0;
}

static void *
cc_alloc(struct map_cc *cc, size_t n)
{
	void *p = arena_alloc(&cc->P->cA, n);

	if (p == NULL)
		map_cc_error(cc, cc->lx.tline, cc->lx.tcol, "out of memory");
	memset(p, 0, n);
	return p;
}

/* ---- tokens (map_lex.c) ---- */

static void
next(struct map_cc *cc)
{
	if (map_lex_next(&cc->lx) == T_ERR)
		map_cc_error(cc, cc->lx.eline, cc->lx.ecol, "%s", cc->lx.msg);
}

static const char *
tokname(struct map_cc *cc, char *buf, size_t n)
{
	switch (cc->lx.tok) {
	case T_EOF:
		return "end of file";
	case T_NL:
		return "end of line";
	case T_STR:
		return "string";
	}
	snprintf(buf, n, "'%.*s'", (int)(cc->lx.tn > 40 ? 40 : cc->lx.tn), cc->lx.tp);
	return buf;
}

static _Noreturn void
unexpected(struct map_cc *cc, const char *want)
{
	char b[64];

	if (cc->lx.tok == T_EOF && cc->lx.pline > 0) {
		cc->lx.tline = cc->lx.pline;
		cc->lx.tcol = cc->lx.pcol;
	}
	if (want)
		map_cc_error(cc, cc->lx.tline, cc->lx.tcol, "unexpected %s, expected %s",
		             tokname(cc, b, sizeof b), want);
	map_cc_error(cc, cc->lx.tline, cc->lx.tcol, "unexpected %s", tokname(cc, b, sizeof b));
	abort();
}

static void
expect(struct map_cc *cc, int tok, const char *what)
{
	if (cc->lx.tok != tok)
		unexpected(cc, what);
	next(cc);
}

static void
skipnl(struct map_cc *cc)
{
	while (cc->lx.tok == T_NL || cc->lx.tok == ';')
		next(cc);
}

static int
is_word(struct map_cc *cc, const char *w)
{
	return cc->lx.tok == T_IDENT && cc->lx.tn == strlen(w) &&
	       memcmp(cc->lx.tp, w, cc->lx.tn) == 0;
}

/* ---- expressions ---- */

static struct map_node *expr(struct map_cc *cc);

static struct map_node *
mknode(struct map_cc *cc, int kind, int line, int col)
{
	struct map_node *n = cc_alloc(cc, sizeof *n);

	n->kind = (uint8_t)kind;
	n->line = line;
	n->col = col;
	return n;
}

static struct map_node *
add_step(struct map_cc *cc, struct map_node *base, int kind, const char *k, size_t kn,
         struct map_node *idx)
{
	struct map_node *n = base;
	struct map_step *st;

	if (base->kind != N_PATH) {
		n = mknode(cc, N_PATH, base->line, base->col);
		n->a = base;
	}
	st = cc_alloc(cc, (size_t)(n->nsteps + 1) * sizeof *st);
	if (n->nsteps)
		memcpy(st, n->steps, (size_t)n->nsteps * sizeof *st);
	st[n->nsteps].kind = (uint8_t)kind;
	st[n->nsteps].k = k ? arena_strdup(&cc->P->cA, k, kn) : NULL;
	st[n->nsteps].kn = (uint32_t)kn;
	st[n->nsteps].idx = idx;
	n->steps = st;
	n->nsteps++;
	return n;
}

static int
find_local(struct map_cc *cc, const char *s, size_t n)
{
	int i;

	for (i = 0; i < cc->nnames; i++)
		if (strlen(cc->names[i]) == n && memcmp(cc->names[i], s, n) == 0)
			return i;
	return -1;
}

static struct map_sub *
find_sub(struct map_cc *cc, const char *s, size_t n)
{
	struct map_sub *sb;

	for (sb = cc->P->subs; sb != NULL; sb = sb->next)
		if (strlen(sb->name) == n && memcmp(sb->name, s, n) == 0)
			return sb;
	return NULL;
}

static struct map_node *
call(struct map_cc *cc, const char *name, size_t nlen, int line, int col)
{
	struct map_node *n;
	struct map_node *args[64];
	int na = 0;
	struct map_sub *sb = find_sub(cc, name, nlen);
	const struct map_fn *fn = NULL;

	if (sb == NULL && (fn = map_fn_find(name, nlen)) == NULL)
		map_cc_error(cc, line, col, "unknown function '%.*s'", (int)nlen, name);
	next(cc); /* ( */
	skipnl(cc);
	n = mknode(cc, sb ? N_SUBCALL : N_CALL, line, col);
	while (cc->lx.tok != ')') {
		if (na == 64)
			map_cc_error(cc, cc->lx.tline, cc->lx.tcol, "too many arguments");
		if (na == 0 && fn != NULL && strcmp(fn->name, "map") == 0) {
			/* map(SUBMAP, array): the first argument names a sub-mapping */
			if (cc->lx.tok != T_IDENT ||
			    (n->sub = find_sub(cc, cc->lx.tp, cc->lx.tn)) == NULL)
				map_cc_error(cc, cc->lx.tline, cc->lx.tcol,
				             "map() wants the name of a sub-mapping defined above");
			args[na++] = mknode(cc, N_LIT, cc->lx.tline, cc->lx.tcol);
			next(cc);
		} else
			args[na++] = expr(cc);
		skipnl(cc);
		if (cc->lx.tok != ',')
			break;
		next(cc);
		skipnl(cc);
	}
	expect(cc, ')', "',' or ')'");
	n->nargs = na;
	n->args = cc_alloc(cc, (size_t)(na ? na : 1) * sizeof *n->args);
	memcpy(n->args, args, (size_t)na * sizeof *args);
	if (sb) {
		if (na != 1)
			map_cc_error(cc, line, col, "sub-mapping '%s' takes one argument",
			             sb->name);
		n->sub = sb;
		n->a = args[0];
		return n;
	}
	n->fn = fn;
	if (na < fn->min || (fn->max >= 0 && na > fn->max)) {
		if (fn->min == fn->max)
			map_cc_error(cc, line, col, "%s() takes %d argument%s, not %d", fn->name,
			             fn->min, fn->min == 1 ? "" : "s", na);
		map_cc_error(cc, line, col, "%s(): wrong number of arguments (%d)", fn->name, na);
	}
	if (fn->prep != NULL) {
		struct map_prep pp = { 0, 0, 0, NULL, "" };
		int r = fn->prep(cc->P, n, &pp);

		if (pp.keep != NULL && map_prog_keep(cc->P, pp.keep) < 0) {
			map_fn_free_aux(pp.keep);
			map_cc_error(cc, line, col, "out of memory");
		}
		if (r < 0) {
			if (pp.code)
				cc->code = pp.code;
			map_cc_error(cc, pp.line, pp.col, "%s", pp.msg);
		}
	}
	return n;
}

static struct map_node *
primary(struct map_cc *cc)
{
	struct map_node *n;
	int line = cc->lx.tline, col = cc->lx.tcol;

	switch (cc->lx.tok) {
	case T_NUM:
		n = mknode(cc, N_LIT, line, col);
		n->lit.t = JV_NUM;
		n->lit.u.s = arena_strdup(&cc->P->cA, cc->lx.tp, cc->lx.tn);
		n->lit.n = (uint32_t)cc->lx.tn;
		{
			struct dec d;

			if (dec_parse(cc->lx.tp, cc->lx.tn, &d) < 0)
				map_cc_error(cc, line, col, "number out of range");
		}
		next(cc);
		return n;
	case T_STR:
		n = mknode(cc, N_LIT, line, col);
		n->lit = jv_str_ref(cc->lx.sval, cc->lx.sn, cc->lx.ssafe);
		next(cc);
		return n;
	case T_INPUT:
		n = add_step(cc, mknode(cc, N_CUR, line, col), ST_KEY, cc->lx.tp, cc->lx.tn, NULL);
		next(cc);
		return n;
	case T_ROOTKEY:
		n = add_step(cc, mknode(cc, N_ROOT, line, col), ST_KEY, cc->lx.tp, cc->lx.tn, NULL);
		next(cc);
		return n;
	case T_DOLLAR:
		next(cc);
		return mknode(cc, N_CUR, line, col);
	case T_ROOT:
		next(cc);
		return mknode(cc, N_ROOT, line, col);
	case '(':
		next(cc);
		skipnl(cc);
		n = expr(cc);
		skipnl(cc);
		expect(cc, ')', "')'");
		return n;
	case '[': {
		struct map_node *items[256];
		int ni = 0;

		next(cc);
		skipnl(cc);
		while (cc->lx.tok != ']') {
			if (ni == 256)
				map_cc_error(cc, cc->lx.tline, cc->lx.tcol, "too many items");
			items[ni++] = expr(cc);
			skipnl(cc);
			if (cc->lx.tok != ',')
				break;
			next(cc);
			skipnl(cc);
		}
		expect(cc, ']', "',' or ']'");
		n = mknode(cc, N_ARR, line, col);
		n->nargs = ni;
		n->args = cc_alloc(cc, (size_t)(ni ? ni : 1) * sizeof *n->args);
		memcpy(n->args, items, (size_t)ni * sizeof *items);
		return n;
	}
	case '{': {
		struct map_node *items[256];
		struct jv_kv keys[256];
		int ni = 0;

		next(cc);
		skipnl(cc);
		while (cc->lx.tok != '}') {
			if (ni == 256)
				map_cc_error(cc, cc->lx.tline, cc->lx.tcol, "too many members");
			if (cc->lx.tok == T_IDENT) {
				keys[ni].k = arena_strdup(&cc->P->cA, cc->lx.tp, cc->lx.tn);
				keys[ni].kn = (uint32_t)cc->lx.tn;
				keys[ni].ksafe = 1;
			} else if (cc->lx.tok == T_STR) {
				keys[ni].k = cc->lx.sval;
				keys[ni].kn = (uint32_t)cc->lx.sn;
				keys[ni].ksafe = (uint8_t)cc->lx.ssafe;
			} else
				unexpected(cc, "a member name");
			next(cc);
			expect(cc, ':', "':'");
			skipnl(cc);
			items[ni++] = expr(cc);
			skipnl(cc);
			if (cc->lx.tok != ',')
				break;
			next(cc);
			skipnl(cc);
		}
		expect(cc, '}', "',' or '}'");
		n = mknode(cc, N_OBJ, line, col);
		n->nargs = ni;
		n->args = cc_alloc(cc, (size_t)(ni ? ni : 1) * sizeof *n->args);
		memcpy(n->args, items, (size_t)ni * sizeof *items);
		n->keys = cc_alloc(cc, (size_t)(ni ? ni : 1) * sizeof *n->keys);
		memcpy(n->keys, keys, (size_t)ni * sizeof *keys);
		return n;
	}
	case T_IDENT: {
		const char *name = cc->lx.tp;
		size_t nl = cc->lx.tn;
		int slot;

		if (is_word(cc, "null") || is_word(cc, "true") || is_word(cc, "false")) {
			n = mknode(cc, N_LIT, line, col);
			n->lit.t = *name == 'n' ? JV_NULL : *name == 't' ? JV_TRUE : JV_FALSE;
			next(cc);
			return n;
		}
		next(cc);
		if (cc->lx.tok == '(' && !cc->lx.space_before)
			return call(cc, name, nl, line, col);
		if (cc->lx.tok == '(')
			return call(cc, name, nl, line, col);
		if ((slot = find_local(cc, name, nl)) < 0)
			map_cc_error(cc, line, col,
			             "unknown variable '%.*s' (input fields are $%.*s)", (int)nl,
			             name, (int)nl, name);
		n = mknode(cc, N_LOCAL, line, col);
		n->slot = slot;
		return n;
	}
	}
	unexpected(cc, "a value");
}

static struct map_node *
postfix(struct map_cc *cc)
{
	struct map_node *n = primary(cc);

	for (;;) {
		if (cc->lx.tok == T_DOTF) {
			n = add_step(cc, n, ST_KEY, cc->lx.tp, cc->lx.tn, NULL);
			next(cc);
		} else if (cc->lx.tok == '[' && !cc->lx.space_before) {
			next(cc);
			if (cc->lx.tok == '*') {
				next(cc);
				n = add_step(cc, n, ST_ALL, NULL, 0, NULL);
			} else {
				struct map_node *i = expr(cc);

				if (i->kind == N_LIT && i->lit.t == JV_STR)
					n = add_step(cc, n, ST_KEY, i->lit.u.s, i->lit.n, NULL);
				else
					n = add_step(cc, n, ST_IDX, NULL, 0, i);
			}
			expect(cc, ']', "']'");
		} else
			return n;
	}
}

static struct map_node *
unary(struct map_cc *cc)
{
	int line = cc->lx.tline, col = cc->lx.tcol;
	struct map_node *n;

	if (cc->lx.tok == '-' || cc->lx.tok == '!') {
		int k = cc->lx.tok == '-' ? N_NEG : N_NOT;

		next(cc);
		n = mknode(cc, k, line, col);
		if (++cc->depth > 200)
			map_cc_error(cc, line, col, "expression nested too deep");
		n->a = unary(cc);
		cc->depth--;
		if (k == N_NEG && n->a->kind == N_LIT && n->a->lit.t == JV_NUM) {
			/* fold -literal */
			if (n->a->lit.u.s[0] == '-') {
				n->a->lit.u.s++;
				n->a->lit.n--;
			} else {
				char *s = cc_alloc(cc, n->a->lit.n + 2);

				s[0] = '-';
				memcpy(s + 1, n->a->lit.u.s, n->a->lit.n);
				n->a->lit.u.s = s;
				n->a->lit.n++;
			}
			n->a->line = line;
			n->a->col = col;
			return n->a;
		}
		return n;
	}
	return postfix(cc);
}

static struct map_node *
binop(struct map_cc *cc, struct map_node *l, int op, struct map_node *(*sub)(struct map_cc *))
{
	struct map_node *n = mknode(cc, N_BIN, cc->lx.tline, cc->lx.tcol);

	n->op = (uint8_t)op;
	next(cc);
	skipnl(cc);
	n->a = l;
	n->b = sub(cc);
	return n;
}

static struct map_node *
mul(struct map_cc *cc)
{
	struct map_node *n = unary(cc);

	for (;;) {
		if (cc->lx.tok == '*')
			n = binop(cc, n, OP_MUL, unary);
		else if (cc->lx.tok == '/')
			n = binop(cc, n, OP_DIV, unary);
		else if (cc->lx.tok == '%')
			n = binop(cc, n, OP_MOD, unary);
		else
			return n;
	}
}

static struct map_node *
add(struct map_cc *cc)
{
	struct map_node *n = mul(cc);

	for (;;) {
		if (cc->lx.tok == '+')
			n = binop(cc, n, OP_ADD, mul);
		else if (cc->lx.tok == '-')
			n = binop(cc, n, OP_SUB, mul);
		else if (cc->lx.tok == '.')
			n = binop(cc, n, OP_CAT, mul);
		else
			return n;
	}
}

static struct map_node *
cmp(struct map_cc *cc)
{
	struct map_node *n = add(cc);
	int op;

	switch (cc->lx.tok) {
	case T_EQ:
		op = OP_EQ;
		break;
	case T_NE:
		op = OP_NE;
		break;
	case '<':
		op = OP_LT;
		break;
	case T_LE:
		op = OP_LE;
		break;
	case '>':
		op = OP_GT;
		break;
	case T_GE:
		op = OP_GE;
		break;
	default:
		return n;
	}
	/* clang-format on */
	n = binop(cc, n, op, add);
	if (cc->lx.tok == T_EQ || cc->lx.tok == T_NE || cc->lx.tok == '<' || cc->lx.tok == '>' ||
	    cc->lx.tok == T_LE || cc->lx.tok == T_GE)
		map_cc_error(cc, cc->lx.tline, cc->lx.tcol, "comparisons do not chain: use &&");
	return n;
}

static struct map_node *
logic(struct map_cc *cc, int tok, int kind, struct map_node *(*sub)(struct map_cc *))
{
	struct map_node *n = sub(cc);

	while (cc->lx.tok == tok) {
		struct map_node *m = mknode(cc, kind, cc->lx.tline, cc->lx.tcol);

		next(cc);
		skipnl(cc);
		m->a = n;
		m->b = sub(cc);
		n = m;
	}
	return n;
}

static struct map_node *
land(struct map_cc *cc)
{
	return logic(cc, T_AND, N_AND, cmp);
}

static struct map_node *
lor(struct map_cc *cc)
{
	return logic(cc, T_OR, N_OR, land);
}

static struct map_node *
coalesce(struct map_cc *cc)
{
	struct map_node *n = lor(cc);

	while (cc->lx.tok == T_COAL || cc->lx.tok == T_ELVIS) {
		struct map_node *m = mknode(cc, cc->lx.tok == T_COAL ? N_COALESCE : N_ELVIS,
		                            cc->lx.tline, cc->lx.tcol);

		next(cc);
		skipnl(cc);
		m->a = n;
		m->b = lor(cc);
		n = m;
	}
	return n;
}

static struct map_node *
expr(struct map_cc *cc)
{
	struct map_node *c, *n;

	if (++cc->depth > 200)
		map_cc_error(cc, cc->lx.tline, cc->lx.tcol, "expression nested too deep");
	c = coalesce(cc);
	if (cc->lx.tok != '?') {
		cc->depth--;
		return c;
	}
	n = mknode(cc, N_COND, cc->lx.tline, cc->lx.tcol);
	next(cc);
	skipnl(cc);
	n->a = c;
	n->b = expr(cc);
	skipnl(cc);
	expect(cc, ':', "':' of the ?: conditional");
	skipnl(cc);
	n->c = expr(cc);
	cc->depth--;
	return n;
}

/* ---- statements ---- */

static struct map_stmt *block(struct map_cc *cc, int top);

static struct map_stmt *
mkstmt(struct map_cc *cc, int kind, int line, int col)
{
	struct map_stmt *s = cc_alloc(cc, sizeof *s);

	s->kind = (uint8_t)kind;
	s->line = line;
	s->col = col;
	return s;
}

static void
lpath(struct map_cc *cc, struct map_stmt *s)
{
	struct map_lstep st[32];
	int n = 0;

	for (;;) {
		if (n == 32)
			map_cc_error(cc, cc->lx.tline, cc->lx.tcol, "path too deep");
		if (n == 0 && (cc->lx.tok == T_IDENT || cc->lx.tok == T_STR)) {
			st[n].kind = LS_KEY;
			if (cc->lx.tok == T_IDENT) {
				st[n].k = arena_strdup(&cc->P->cA, cc->lx.tp, cc->lx.tn);
				st[n].kn = (uint32_t)cc->lx.tn;
				st[n].ksafe = 1;
			} else {
				st[n].k = cc->lx.sval;
				st[n].kn = (uint32_t)cc->lx.sn;
				st[n].ksafe = (uint8_t)cc->lx.ssafe;
			}
			n++;
			next(cc);
		} else if (n > 0 && cc->lx.tok == T_DOTF) {
			st[n].kind = LS_KEY;
			st[n].k = arena_strdup(&cc->P->cA, cc->lx.tp, cc->lx.tn);
			st[n].kn = (uint32_t)cc->lx.tn;
			st[n].ksafe = 1;
			n++;
			next(cc);
		} else if (n > 0 && cc->lx.tok == '[') {
			next(cc);
			if (cc->lx.tok == ']') {
				st[n].kind = LS_APPEND;
			} else if (cc->lx.tok == T_NUM) {
				char *end;
				long v;

				errno = 0;
				v = strtol(cc->lx.tp, &end, 10);
				if (end != cc->lx.tp + cc->lx.tn || errno || v > 100000)
					map_cc_error(cc, cc->lx.tline, cc->lx.tcol, "bad index");
				st[n].kind = LS_IDX;
				st[n].idx = v;
				next(cc);
			} else if (cc->lx.tok == T_STR) {
				st[n].kind = LS_KEY;
				st[n].k = cc->lx.sval;
				st[n].kn = (uint32_t)cc->lx.sn;
				st[n].ksafe = (uint8_t)cc->lx.ssafe;
				next(cc);
			} else
				unexpected(cc, "an index, a quoted name or ']'");
			if (cc->lx.tok != ']')
				unexpected(cc, "']'");
			n++;
			next(cc);
		} else if (n == 0)
			unexpected(cc, "a statement");
		else
			break;
	}
	s->nls = n;
	s->ls = cc_alloc(cc, (size_t)n * sizeof *st);
	memcpy(s->ls, st, (size_t)n * sizeof *st);
}

static void
end_stmt(struct map_cc *cc)
{
	if (cc->lx.tok == T_NL || cc->lx.tok == ';' || cc->lx.tok == T_EOF || cc->lx.tok == '}')
		return;
	unexpected(cc, "end of line");
}

static char *
tablename(struct map_cc *cc)
{
	if (cc->lx.tok != T_STR)
		unexpected(cc, "a quoted table file name");
	return cc->lx.sval;
}

static struct map_stmt *
statement(struct map_cc *cc, int top)
{
	int line = cc->lx.tline, col = cc->lx.tcol;
	struct map_stmt *s;
	int kw = cc->lx.tok == T_IDENT && !map_lex_assign_follows(&cc->lx);

	if (kw && is_word(cc, "let")) {
		int slot;

		next(cc);
		if (cc->lx.tok != T_IDENT)
			unexpected(cc, "a variable name");
		s = mkstmt(cc, S_LET, line, col);
		if ((slot = find_local(cc, cc->lx.tp, cc->lx.tn)) < 0) {
			if (cc->nnames == cc->capnames) {
				int nc = cc->capnames ? cc->capnames * 2 : 16;
				char **nn = realloc(cc->names, (size_t)nc * sizeof *nn);

				if (nn == NULL)
					map_cc_error(cc, line, col, "out of memory");
				cc->names = nn;
				cc->capnames = nc;
			}
			slot = cc->nnames;
			cc->names[cc->nnames++] = arena_strdup(&cc->P->cA, cc->lx.tp, cc->lx.tn);
			*cc->nslots = cc->nnames;
		}
		s->slot = slot;
		next(cc);
		expect(cc, '=', "'='");
		skipnl(cc);
		s->e = expr(cc);
		end_stmt(cc);
		return s;
	}
	if (kw && is_word(cc, "if")) {
		next(cc);
		s = mkstmt(cc, S_IF, line, col);
		s->e = expr(cc);
		skipnl(cc);
		s->body = block(cc, 0);
		if (cc->lx.tok == T_NL) {
			/* allow "}\nelse {" */
			if (map_lex_else_follows(&cc->lx))
				skipnl(cc);
		}
		if (is_word(cc, "else")) {
			next(cc);
			if (is_word(cc, "if"))
				s->els = statement(cc, 0);
			else {
				skipnl(cc);
				s->els = block(cc, 0);
				if (s->els == NULL)
					s->els = mkstmt(cc, S_IF, line, col), s->els->e = NULL;
			}
		}
		return s;
	}
	if (kw && is_word(cc, "drop")) {
		next(cc);
		s = mkstmt(cc, S_DROP, line, col);
		end_stmt(cc);
		return s;
	}
	if (kw && is_word(cc, "error")) {
		next(cc);
		s = mkstmt(cc, S_ERROR, line, col);
		s->e = expr(cc);
		end_stmt(cc);
		return s;
	}
	if (cc->lx.tok == T_IDENT && is_word(cc, "value") && map_lex_value_kw(&cc->lx)) {
		if (!cc->insub)
			map_cc_error(cc, line, col, "'value' is only allowed in a sub-mapping");
		next(cc);
		s = mkstmt(cc, S_VALUE, line, col);
		s->e = expr(cc);
		end_stmt(cc);
		return s;
	}
	if (kw && is_word(cc, "del")) {
		next(cc);
		s = mkstmt(cc, S_DEL, line, col);
		lpath(cc, s);
		end_stmt(cc);
		return s;
	}
	if (kw && is_word(cc, "map") && top) {
		struct map_sub *sb;
		char **saved = cc->names;
		int savedn = cc->nnames, savedcap = cc->capnames, *savedslots = cc->nslots;

		next(cc);
		if (cc->lx.tok != T_IDENT)
			unexpected(cc, "a sub-mapping name");
		if (find_sub(cc, cc->lx.tp, cc->lx.tn) || map_fn_find(cc->lx.tp, cc->lx.tn))
			map_cc_error(cc, cc->lx.tline, cc->lx.tcol, "'%.*s' is already defined",
			             (int)cc->lx.tn, cc->lx.tp);
		sb = cc_alloc(cc, sizeof *sb);
		sb->name = arena_strdup(&cc->P->cA, cc->lx.tp, cc->lx.tn);
		next(cc);
		cc->names = NULL;
		cc->outer_names = saved; /* an error in the block frees both */
		cc->nnames = cc->capnames = 0;
		cc->nslots = &sb->nslots;
		cc->insub = 1;
		sb->body = block(cc, 0);
		cc->insub = 0;
		free(cc->names);
		cc->outer_names = NULL;
		cc->names = saved;
		cc->nnames = savedn;
		cc->capnames = savedcap;
		cc->nslots = savedslots;
		sb->next = cc->P->subs;
		cc->P->subs = sb;
		return NULL;
	}
	if (kw && is_word(cc, "table") && top) {
		struct map_tdecl *d = cc_alloc(cc, sizeof *d);

		next(cc);
		d->name = tablename(cc);
		next(cc);
		for (;;) {
			if (is_word(cc, "key")) {
				next(cc);
				if (cc->lx.tok != T_STR)
					unexpected(cc, "a quoted column name");
				d->key = cc->lx.sval;
				next(cc);
			} else if (is_word(cc, "miss")) {
				next(cc);
				if (is_word(cc, "null"))
					d->miss = 0;
				else if (is_word(cc, "error"))
					d->miss = 1;
				else
					unexpected(cc, "'null' or 'error'");
				next(cc);
			} else
				break;
		}
		end_stmt(cc);
		d->next = cc->P->decls;
		cc->P->decls = d;
		return NULL;
	}
	if (kw && (is_word(cc, "else")))
		map_cc_error(cc, line, col, "'else' without 'if'");
	s = mkstmt(cc, S_ASSIGN, line, col);
	lpath(cc, s);
	if (cc->lx.tok != '=')
		unexpected(cc, "'='");
	next(cc);
	skipnl(cc);
	s->e = expr(cc);
	end_stmt(cc);
	return s;
}

/* top: until EOF; else '{' stmts '}' */
static struct map_stmt *
block(struct map_cc *cc, int top)
{
	struct map_stmt *head = NULL, **tail = &head;

	if (!top) {
		if (++cc->depth > 200)
			map_cc_error(cc, cc->lx.tline, cc->lx.tcol, "blocks nested too deep");
		expect(cc, '{', "'{'");
	}
	for (;;) {
		struct map_stmt *s;

		skipnl(cc);
		if (cc->lx.tok == T_EOF) {
			if (!top)
				unexpected(cc, "'}'");
			break;
		}
		if (cc->lx.tok == '}') {
			if (top)
				unexpected(cc, NULL);
			next(cc);
			cc->depth--;
			break;
		}
		if ((s = statement(cc, top)) != NULL) {
			*tail = s;
			while (s->next)
				s = s->next;
			tail = &s->next;
		}
	}
	return head;
}

/* ---- programs ---- */

struct map_ctx *
map_ctx_new(int64_t now_ms)
{
	struct map_ctx *c = calloc(1, sizeof *c);

	if (c != NULL)
		c->now_ms = now_ms;
	return c;
}

void
map_ctx_free(struct map_ctx *ctx)
{
	struct map_table *t, *n;

	if (ctx == NULL)
		return;
	for (t = ctx->tables; t != NULL; t = n) {
		n = t->next;
		arena_free(&t->A);
		free(t->slots);
		free(t->path);
		free(t->key);
		free(t);
	}
	free(ctx);
}

static struct map_prog *run_parse(struct map_prog *P, struct ep_err *err, int is_expr);

static struct map_prog *
compile(const char *src, size_t len, const char *filename, const struct map_opts *opts,
        struct ep_err *err, int is_expr)
{
	struct map_prog *P = calloc(1, sizeof *P);
	const char *slash;

	if (P == NULL) {
		ep_errf(err, EP_SOFTWARE, "out of memory");
		return NULL;
	}
	arena_init(&P->cA, 0);
	arena_init(&P->rA, opts && opts->max_record ? opts->max_record : 256u << 20);
	buf_init(&P->scratch, 64u << 20);
	P->filename = strdup(filename ? filename : "<map>");
	slash = strrchr(P->filename, '/');
	P->dir = slash ? strndup(P->filename, (size_t)(slash - P->filename)) : strdup(".");
	P->src = malloc(len + 1);
	if (P->filename == NULL || P->dir == NULL || P->src == NULL) {
		map_free(P);
		ep_errf(err, EP_SOFTWARE, "out of memory");
		return NULL;
	}
	memcpy(P->src, src, len);
	P->src[len] = '\0';
	P->srclen = len;
	P->keep = opts ? opts->keep : 0;
	if (opts && opts->ctx)
		P->ctx = opts->ctx;
	else {
		struct timeval tv;

		gettimeofday(&tv, NULL);
		P->ctx = map_ctx_new((int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000);
		P->own_ctx = 1;
		if (P->ctx == NULL) {
			map_free(P);
			ep_errf(err, EP_SOFTWARE, "out of memory");
			return NULL;
		}
	}
	return run_parse(P, err, is_expr);
}

static struct map_prog *
run_parse(struct map_prog *P, struct ep_err *err, int is_expr)
{
	struct map_cc cc;
	size_t len = P->srclen;

	memset(&cc, 0, sizeof cc);
	cc.P = P;
	map_lex_init(&cc.lx, P->src, len, &P->cA);
	cc.err = err;
	cc.nslots = &P->nslots;
	if (setjmp(cc.jb)) {
		free(cc.names);
		free(cc.outer_names);
		map_free(cc.P);
		return NULL;
	}
	next(&cc);
	if (is_expr) {
		skipnl(&cc);
		P->expr = expr(&cc);
		skipnl(&cc);
		if (cc.lx.tok != T_EOF)
			unexpected(&cc, "end of expression");
	} else
		P->body = block(&cc, 1);
	free(cc.names);
	return P;
}

struct map_prog *
map_compile(const char *src, size_t len, const char *filename, const struct map_opts *opts,
            struct ep_err *err)
{
	return compile(src, len, filename, opts, err, 0);
}

struct map_prog *
map_expr_compile(const char *src, size_t len, const char *name, const struct map_opts *opts,
                 struct ep_err *err)
{
	return compile(src, len, name ? name : "<expr>", opts, err, 1);
}

void
map_free(struct map_prog *P)
{
	int i;

	if (P == NULL)
		return;
	for (i = 0; i < P->nfrees; i++)
		map_fn_free_aux(P->frees[i]);
	free(P->frees);
	arena_free(&P->cA);
	arena_free(&P->rA);
	jv_parser_free(&P->jp);
	buf_release(&P->scratch);
	if (P->own_ctx)
		map_ctx_free(P->ctx);
	free(P->filename);
	free(P->dir);
	free(P->src);
	free(P);
}

int
map_source_line(const struct map_prog *P, int line, char *buf, size_t n)
{
	const char *p = P->src, *e = P->src + P->srclen, *nl;
	int l = 1;
	size_t len;

	if (line < 1 || n == 0)
		return -1;
	while (l < line && p < e) {
		if (*p++ == '\n')
			l++;
	}
	if (l < line || (p >= e && line > 1 && p[-1] == '\n'))
		return -1;
	nl = memchr(p, '\n', (size_t)(e - p));
	len = nl ? (size_t)(nl - p) : (size_t)(e - p);
	if (len > n - 1)
		len = n - 1;
	memcpy(buf, p, len);
	buf[len] = '\0';
	return 0;
}

void
map_stats(const struct map_prog *P, struct map_stats *st)
{
	*st = P->st;
}

struct map_prog *
map_load(const char *name, const struct map_opts *opts, struct ep_err *err)
{
	char path[4096];
	struct buf b = BUF_INIT;
	struct map_prog *P;
	FILE *f;
	char tmp[65536];
	size_t r;

	if (map_find(name, ".map", NULL, path, sizeof path) < 0) {
		ep_errf(err, EP_NOINPUT, "cannot find map '%s'", name);
		return NULL;
	}
	if ((f = fopen(path, "r")) == NULL) {
		ep_errf(err, EP_NOINPUT, "cannot open '%s': %s", path, strerror(errno));
		return NULL;
	}
	buf_init(&b, 16u << 20);
	while ((r = fread(tmp, 1, sizeof tmp, f)) > 0) {
		if (buf_add(&b, tmp, r) < 0) {
			fclose(f);
			buf_release(&b);
			ep_errf(err, EP_DATAERR, "'%s': map too large", path);
			return NULL;
		}
	}
	if (ferror(f)) {
		fclose(f);
		buf_release(&b);
		ep_errf(err, EP_IOERR, "cannot read '%s'", path);
		return NULL;
	}
	fclose(f);
	P = map_compile(buf_str(&b), b.len, path, opts, err);
	buf_release(&b);
	return P;
}
