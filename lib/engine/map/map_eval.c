/* map_eval.c - the evaluator: values, operators, statements, map_apply. */
#include "engine/map/map_int.h"

#include "stream/json.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- errors and memory ---- */

static _Noreturn void
rt_error_at(struct map_env *E, int line, int col, const char *fmt, va_list ap)
{
	struct map_rterr *r = E->err;

	vsnprintf(r->msg, sizeof r->msg, fmt, ap);
	r->line = line;
	r->col = col;
	snprintf(r->where, sizeof r->where, "%s:%d:%d: %s", E->P->filename, line, col, r->msg);
	longjmp(E->jb, 1);
}

void
map_rt_error(struct map_env *E, const struct map_node *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rt_error_at(E, n ? n->line : 0, n ? n->col : 0, fmt, ap);
}

static _Noreturn void stmt_error(struct map_env *E, const struct map_stmt *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
stmt_error(struct map_env *E, const struct map_stmt *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rt_error_at(E, s->line, s->col, fmt, ap);
}

void *
map_alloc(struct map_env *E, size_t n)
{
	void *p = arena_alloc(E->A, n);

	if (p == NULL)
		map_rt_error(E, NULL, "record too large");
	return p;
}

/* ---- value helpers ---- */

struct jv
map_str(struct map_env *E, const char *s, size_t n)
{
	char *p = map_alloc(E, n + 1);
	size_t i;
	int safe = 1;

	memcpy(p, s, n);
	p[n] = '\0';
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == '"' || c == '\\') {
			safe = 0;
			break;
		}
	}
	return jv_str_ref(p, n, safe);
}

struct jv
map_num_dec(struct map_env *E, const struct dec *d)
{
	char buf[64];
	int n = dec_format(d, buf, sizeof buf);
	struct jv v = { .t = JV_NUM };

	if (n < 0)
		map_rt_error(E, NULL, "number out of range");
	v.u.s = arena_strdup(E->A, buf, (size_t)n);
	if (v.u.s == NULL)
		map_rt_error(E, NULL, "record too large");
	v.n = (uint32_t)n;
	return v;
}

struct jv
map_num_i64(struct map_env *E, long long i)
{
	char buf[32];
	int n = snprintf(buf, sizeof buf, "%lld", i);
	struct jv v = { .t = JV_NUM, .f = JVF_HASD };

	v.u.s = arena_strdup(E->A, buf, (size_t)n);
	if (v.u.s == NULL)
		map_rt_error(E, NULL, "record too large");
	v.n = (uint32_t)n;
	v.x.d = (double)i;
	return v;
}

struct jv
map_num_double(struct map_env *E, double d)
{
	char buf[64];
	int prec, n = 0;
	struct jv v = { .t = JV_NUM, .f = JVF_HASD };

	if (!isfinite(d))
		map_rt_error(E, NULL, "number is not finite");
	if (d == floor(d) && fabs(d) < 1e15)
		return map_num_i64(E, (long long)d);
	for (prec = 15; prec <= 17; prec++) {
		n = snprintf(buf, sizeof buf, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	v.u.s = arena_strdup(E->A, buf, (size_t)n);
	if (v.u.s == NULL)
		map_rt_error(E, NULL, "record too large");
	v.n = (uint32_t)n;
	v.x.d = d;
	return v;
}

static int
is_empty(const struct jv *v)
{
	return v->t == JV_NULL || v->t == JV_FALSE ||
	       ((v->t == JV_STR || v->t == JV_ARR || v->t == JV_OBJ) && v->n == 0);
}

struct jv
map_to_text(struct map_env *E, const struct jv *v)
{
	switch (v->t) {
	case JV_STR:
		return *v;
	case JV_NUM:
		return jv_str_ref(v->u.s, v->n, 1);
	case JV_TRUE:
		return jv_str_ref("true", 4, 1);
	case JV_FALSE:
		return jv_str_ref("false", 5, 1);
	case JV_NULL:
		return jv_str_ref("", 0, 1);
	default: {
		struct buf b = BUF_INIT;
		struct jv r;

		if (jv_emit(&b, v) < 0) {
			buf_release(&b);
			map_rt_error(E, NULL, "out of memory");
		}
		r = jv_str_ref(arena_strdup(E->A, buf_str(&b), b.len), b.len, 0);
		buf_release(&b);
		if (r.u.s == NULL)
			map_rt_error(E, NULL, "record too large");
		return r;
	}
	}
}

/* ---- paths ---- */

static struct jv
path_from(struct map_env *E, struct jv v, struct map_node *n, int i)
{
	for (; i < n->nsteps; i++) {
		struct map_step *st = &n->steps[i];

		switch (st->kind) {
		case ST_KEY: {
			uint32_t j, h = st->hint;
			struct jv_kv *kv;

			if (v.t != JV_OBJ)
				return JV_NULLV;
			kv = v.u.o;
			if (h < v.n && kv[h].kn == st->kn && memcmp(kv[h].k, st->k, st->kn) == 0) {
				v = kv[h].v;
				break;
			}
			for (j = 0; j < v.n; j++)
				if (kv[j].kn == st->kn && memcmp(kv[j].k, st->k, st->kn) == 0)
					break;
			if (j == v.n)
				return JV_NULLV;
			st->hint = j;
			v = kv[j].v;
			break;
		}
		case ST_IDX: {
			struct jv x = map_eval(E, st->idx);

			if (x.t == JV_STR && v.t == JV_OBJ) {
				const struct jv *m = jv_obj_get(&v, x.u.s, x.n);

				v = m ? *m : JV_NULLV;
				break;
			}
			if (x.t == JV_NUM && v.t == JV_ARR) {
				double d = jv_to_double(&x);
				long k;

				if (d != floor(d))
					map_rt_error(E, st->idx, "index %.*s is not an integer",
					             (int)x.n, x.u.s);
				/* past either end is null: tested on the double, as a
				 * cast of one past long's range is undefined */
				if (!(d >= -(double)v.n && d < (double)v.n))
					return JV_NULLV;
				k = (long)d;
				if (k < 0)
					k += v.n;
				v = v.u.a[k];
				break;
			}
			if (x.t != JV_NUM && x.t != JV_STR)
				map_rt_error(E, st->idx, "cannot index with %s", jv_type_name(x.t));
			return JV_NULLV;
		}
		case ST_ALL: {
			struct jv r = { .t = JV_ARR };
			uint32_t j, cap = 0;
			int flat = 0, k;

			if (v.t != JV_ARR)
				return v.t == JV_NULL || v.t == JV_FALSE ? r : JV_NULLV;
			for (k = i + 1; k < n->nsteps; k++)
				if (n->steps[k].kind == ST_ALL)
					flat = 1;
			for (j = 0; j < v.n; j++) {
				struct jv e = path_from(E, v.u.a[j], n, i + 1);
				uint32_t m = flat && e.t == JV_ARR ? e.n : 1, q;

				if (r.n + m > cap) {
					struct jv *na;

					cap = (r.n + m) * 2;
					na = map_alloc(E, cap * sizeof *na);
					if (r.n)
						memcpy(na, r.u.a, r.n * sizeof *na);
					r.u.a = na;
				}
				if (flat && e.t == JV_ARR)
					for (q = 0; q < e.n; q++)
						r.u.a[r.n++] = e.u.a[q];
				else
					r.u.a[r.n++] = e;
			}
			r.x.cap = cap;
			return r;
		}
		}
	}
	return v;
}

/* ---- operators ---- */

static struct jv
num_result(struct map_env *E, struct map_node *n, const struct jv *a, const struct jv *b, int op)
{
	struct dec x, y, r;
	int ok = -1;

	if (jv_to_dec(a, &x) == 0 && jv_to_dec(b, &y) == 0) {
		switch (op) {
		/* clang-format off */
		case OP_ADD: ok = dec_add(&x, &y, &r); break;
		case OP_SUB: ok = dec_sub(&x, &y, &r); break;
		case OP_MUL: ok = dec_mul(&x, &y, &r); break;
		/* clang-format on */
		case OP_DIV:
		case OP_MOD: {
			int places;

			if (y.coef == 0)
				map_rt_error(E, n, "division by zero");
			if (op == OP_MOD) {
				struct dec q, t;

				ok = dec_div(&x, &y, 0, DEC_DOWN, &q);
				if (ok == 0)
					ok = dec_mul(&q, &y, &t);
				if (ok == 0)
					ok = dec_sub(&x, &t, &r);
				break;
			}
			for (places = 18; places >= 0; places -= 6)
				if ((ok = dec_div(&x, &y, places, DEC_HALF_EVEN, &r)) == 0)
					break;
			if (ok == 0)
				while (r.scale > 0 && r.coef % 10 == 0) {
					r.coef /= 10;
					r.scale--;
				}
			break;
		}
		}
		if (ok == 0)
			return map_num_dec(E, &r);
	}
	{
		/* beyond 38 digits: binary floating point */
		double p = jv_to_double(a), q = jv_to_double(b), v = 0;

		switch (op) {
		/* clang-format off */
		case OP_ADD: v = p + q; break;
		case OP_SUB: v = p - q; break;
		case OP_MUL: v = p * q; break;
		/* clang-format on */
		case OP_DIV:
			if (q == 0)
				map_rt_error(E, n, "division by zero");
			v = p / q;
			break;
		case OP_MOD:
			if (q == 0)
				map_rt_error(E, n, "division by zero");
			v = fmod(p, q);
			break;
		}
		if (!isfinite(v))
			map_rt_error(E, n, "number out of range");
		return map_num_double(E, v);
	}
}

static const char *const opnames[] = { "+",  "-",  "*", "/",  "%", ".",
	                               "==", "!=", "<", "<=", ">", ">=" };

static struct jv
concat(struct map_env *E, struct map_node *n, const struct jv *a, const struct jv *b)
{
	struct jv x, y, r;
	char *p;

	if (a->t == JV_ARR || a->t == JV_OBJ || b->t == JV_ARR || b->t == JV_OBJ)
		map_rt_error(E, n, "cannot join %s and %s with '.'", jv_type_name(a->t),
		             jv_type_name(b->t));
	x = a->t == JV_FALSE ? jv_str_ref("", 0, 1) : map_to_text(E, a);
	y = b->t == JV_FALSE ? jv_str_ref("", 0, 1) : map_to_text(E, b);
	if (y.n == 0)
		return x;
	if (x.n == 0)
		return y;
	p = map_alloc(E, (size_t)x.n + y.n + 1);
	memcpy(p, x.u.s, x.n);
	memcpy(p + x.n, y.u.s, y.n);
	p[x.n + y.n] = '\0';
	r = jv_str_ref(p, (size_t)x.n + y.n, (x.f & y.f & JVF_SAFE) != 0);
	return r;
}

static struct jv
binary(struct map_env *E, struct map_node *n)
{
	struct jv a = map_eval(E, n->a), b = map_eval(E, n->b);
	int c;

	switch (n->op) {
	case OP_CAT:
		return concat(E, n, &a, &b);
	case OP_EQ:
		return JV_BOOL(jv_equal(&a, &b));
	case OP_NE:
		return JV_BOOL(!jv_equal(&a, &b));
	case OP_LT:
	case OP_LE:
	case OP_GT:
	case OP_GE:
		if ((c = jv_compare(&a, &b)) == -2)
			map_rt_error(E, n, "cannot compare %s with %s", jv_type_name(a.t),
			             jv_type_name(b.t));
		switch (n->op) {
		case OP_LT:
			return JV_BOOL(c < 0);
		case OP_LE:
			return JV_BOOL(c <= 0);
		case OP_GT:
			return JV_BOOL(c > 0);
		default:
			return JV_BOOL(c >= 0);
		}
	}
	if (n->op == OP_ADD && a.t == JV_ARR && b.t == JV_ARR) {
		/* array concatenation, as in jq */
		struct jv r = { .t = JV_ARR, .n = a.n + b.n };

		if (r.n < a.n)
			map_rt_error(E, n, "array too large");
		r.x.cap = r.n;
		r.u.a = r.n ? map_alloc(E, (size_t)r.n * sizeof *r.u.a) : NULL;
		if (a.n)
			memcpy(r.u.a, a.u.a, a.n * sizeof *r.u.a);
		if (b.n)
			memcpy(r.u.a + a.n, b.u.a, b.n * sizeof *r.u.a);
		return r;
	}
	if (a.t != JV_NUM || b.t != JV_NUM)
		map_rt_error(E, n, "'%s' wants numbers, got %s and %s", opnames[n->op],
		             jv_type_name(a.t), jv_type_name(b.t));
	return num_result(E, n, &a, &b, n->op);
}

struct jv map_subcall(struct map_env *E, struct map_sub *s, struct jv in, int *dropped);

struct jv
map_eval(struct map_env *E, struct map_node *n)
{
	switch (n->kind) {
	case N_LIT:
		return n->lit;
	case N_CUR:
		return E->cur;
	case N_ROOT:
		return E->root;
	case N_LOCAL:
		return E->locals[n->slot];
	case N_PATH:
		return path_from(E, map_eval(E, n->a), n, 0);
	case N_CALL: {
		struct jv args[64];
		int i;

		for (i = 0; i < n->nargs; i++)
			args[i] = map_eval(E, n->args[i]);
		return n->fn->f(E, n, args, n->nargs);
	}
	case N_SUBCALL: {
		int dropped = 0;
		struct jv v = map_subcall(E, n->sub, map_eval(E, n->a), &dropped);

		return dropped ? JV_NULLV : v;
	}
	case N_BIN:
		return binary(E, n);
	case N_NOT: {
		struct jv v = map_eval(E, n->a);

		return JV_BOOL(!jv_truthy(&v));
	}
	case N_NEG: {
		struct jv v = map_eval(E, n->a), r = { .t = JV_NUM };
		char *p;

		if (v.t != JV_NUM)
			map_rt_error(E, n, "cannot negate %s", jv_type_name(v.t));
		if (v.u.s[0] == '-') {
			r.u.s = v.u.s + 1;
			r.n = v.n - 1;
			return r;
		}
		p = map_alloc(E, v.n + 1);
		p[0] = '-';
		memcpy(p + 1, v.u.s, v.n);
		r.u.s = p;
		r.n = v.n + 1;
		return r;
	}
	case N_COND: {
		struct jv c = map_eval(E, n->a);

		return map_eval(E, jv_truthy(&c) ? n->b : n->c);
	}
	case N_AND: {
		struct jv a = map_eval(E, n->a), b;

		if (!jv_truthy(&a))
			return JV_BOOL(0);
		b = map_eval(E, n->b);
		return JV_BOOL(jv_truthy(&b));
	}
	case N_OR: {
		struct jv a = map_eval(E, n->a), b;

		if (jv_truthy(&a))
			return JV_BOOL(1);
		b = map_eval(E, n->b);
		return JV_BOOL(jv_truthy(&b));
	}
	case N_COALESCE: {
		struct jv a = map_eval(E, n->a);

		return jv_truthy(&a) ? a : map_eval(E, n->b);
	}
	case N_ELVIS: {
		struct jv a = map_eval(E, n->a);

		return !is_empty(&a) ? a : map_eval(E, n->b);
	}
	case N_ARR: {
		struct jv r = { .t = JV_ARR };
		int i;

		r.u.a = map_alloc(E, (size_t)(n->nargs ? n->nargs : 1) * sizeof(struct jv));
		for (i = 0; i < n->nargs; i++)
			r.u.a[i] = map_eval(E, n->args[i]);
		r.n = r.x.cap = (uint32_t)n->nargs;
		return r;
	}
	case N_OBJ: {
		struct jv r = { .t = JV_OBJ };
		int i;

		r.u.o = map_alloc(E, (size_t)(n->nargs ? n->nargs : 1) * sizeof(struct jv_kv));
		for (i = 0; i < n->nargs; i++) {
			r.u.o[i] = n->keys[i];
			r.u.o[i].v = map_eval(E, n->args[i]);
		}
		r.n = r.x.cap = (uint32_t)n->nargs;
		return r;
	}
	}
	map_rt_error(E, n, "internal error: node %d", n->kind);
}

/* ---- output assignment ---- */

static void
own_obj(struct map_env *E, struct jv *v, uint32_t extra)
{
	uint32_t cap = v->n + extra < 8 ? 8 : (v->n + extra) * 2;
	struct jv_kv *o = map_alloc(E, cap * sizeof *o);

	if (v->n)
		memcpy(o, v->u.o, v->n * sizeof *o);
	v->u.o = o;
	v->x.cap = cap;
	v->f |= JVF_OWN;
}

static void
own_arr(struct map_env *E, struct jv *v, uint32_t extra)
{
	uint32_t cap = v->n + extra < 8 ? 8 : (v->n + extra) * 2;
	struct jv *a = map_alloc(E, cap * sizeof *a);

	if (v->n)
		memcpy(a, v->u.a, v->n * sizeof *a);
	v->u.a = a;
	v->x.cap = cap;
	v->f |= JVF_OWN;
}

static struct jv *
obj_slot(struct map_env *E, struct jv *o, const struct map_lstep *ls)
{
	uint32_t i;
	struct jv_kv *kv;

	for (i = 0; i < o->n; i++)
		if (o->u.o[i].kn == ls->kn && memcmp(o->u.o[i].k, ls->k, ls->kn) == 0)
			return &o->u.o[i].v;
	if (!(o->f & JVF_OWN) || o->n == o->x.cap)
		own_obj(E, o, 1);
	kv = &o->u.o[o->n++];
	kv->k = ls->k;
	kv->kn = ls->kn;
	kv->ksafe = ls->ksafe;
	kv->v = JV_NULLV;
	return &kv->v;
}

static void
assign(struct map_env *E, const struct map_stmt *s, struct jv *cur, struct jv v)
{
	int i;

	for (i = 0; i < s->nls; i++) {
		const struct map_lstep *ls = &s->ls[i];
		struct jv *slot;

		if (ls->kind == LS_KEY) {
			if (cur->t == JV_NULL) {
				*cur = (struct jv){ .t = JV_OBJ };
				own_obj(E, cur, 0);
			} else if (cur->t != JV_OBJ)
				stmt_error(E, s, "cannot set '%.*s' in %s", (int)ls->kn, ls->k,
				           jv_type_name(cur->t));
			else if (!(cur->f & JVF_OWN))
				own_obj(E, cur, 1);
			slot = obj_slot(E, cur, ls);
		} else {
			uint32_t idx;

			if (cur->t == JV_NULL) {
				*cur = (struct jv){ .t = JV_ARR };
				own_arr(E, cur, 0);
			} else if (cur->t != JV_ARR)
				stmt_error(E, s, "cannot index %s", jv_type_name(cur->t));
			else if (!(cur->f & JVF_OWN))
				own_arr(E, cur, 1);
			idx = ls->kind == LS_APPEND ? cur->n : (uint32_t)ls->idx;
			while (cur->n <= idx) {
				if (cur->n == cur->x.cap)
					own_arr(E, cur, 1);
				cur->u.a[cur->n++] = JV_NULLV;
			}
			slot = &cur->u.a[idx];
		}
		cur = slot;
	}
	*cur = v;
}

static void
del(struct map_env *E, const struct map_stmt *s, struct jv *cur)
{
	int i;

	for (i = 0; i < s->nls; i++) {
		const struct map_lstep *ls = &s->ls[i];
		int last = i == s->nls - 1;
		uint32_t j;

		if (ls->kind == LS_KEY) {
			if (cur->t != JV_OBJ)
				return;
			for (j = 0; j < cur->n; j++)
				if (cur->u.o[j].kn == ls->kn &&
				    memcmp(cur->u.o[j].k, ls->k, ls->kn) == 0)
					break;
			if (j == cur->n)
				return;
			if (!(cur->f & JVF_OWN))
				own_obj(E, cur, 0);
			if (last) {
				memmove(&cur->u.o[j], &cur->u.o[j + 1],
				        (cur->n - j - 1) * sizeof(struct jv_kv));
				cur->n--;
				return;
			}
			cur = &cur->u.o[j].v;
		} else {
			if (cur->t != JV_ARR || ls->kind == LS_APPEND || ls->idx >= (long)cur->n)
				return;
			if (!(cur->f & JVF_OWN))
				own_arr(E, cur, 0);
			j = (uint32_t)ls->idx;
			if (last) {
				memmove(&cur->u.a[j], &cur->u.a[j + 1],
				        (cur->n - j - 1) * sizeof(struct jv));
				cur->n--;
				return;
			}
			cur = &cur->u.a[j];
		}
	}
}

/* 1: dropped, 2: a sub-mapping's value given (in E->subval) */
static int
exec(struct map_env *E, const struct map_stmt *s)
{
	int r;

	for (; s != NULL; s = s->next) {
		switch (s->kind) {
		case S_ASSIGN:
			assign(E, s, E->out, map_eval(E, s->e));
			break;
		case S_LET:
			E->locals[s->slot] = map_eval(E, s->e);
			break;
		case S_IF: {
			struct jv c;

			if (s->e == NULL)
				break;
			c = map_eval(E, s->e);
			if ((r = jv_truthy(&c) ? exec(E, s->body) : exec(E, s->els)) != 0)
				return r;
			break;
		}
		case S_DROP:
			return 1;
		case S_VALUE:
			E->subval = map_eval(E, s->e);
			return 2;
		case S_ERROR: {
			struct jv m = map_eval(E, s->e);

			m = map_to_text(E, &m);
			stmt_error(E, s, "%.*s", (int)m.n, m.u.s);
		}
		case S_DEL:
			del(E, s, E->out);
			break;
		}
	}
	return 0;
}

struct jv
map_subcall(struct map_env *E, struct map_sub *s, struct jv in, int *dropped)
{
	struct jv cur = E->cur, *locals = E->locals, *out = E->out;
	int r;
	struct jv o = { .t = JV_OBJ };

	E->cur = in;
	E->locals = map_alloc(E, (size_t)(s->nslots + 1) * sizeof *E->locals);
	memset(E->locals, 0, (size_t)(s->nslots + 1) * sizeof *E->locals);
	own_obj(E, &o, 0);
	E->out = &o;
	r = exec(E, s->body);
	*dropped = r == 1;
	E->cur = cur;
	E->locals = locals;
	E->out = out;
	if (r == 2) {
		struct jv v = E->subval;

		if (v.t == JV_ARR || v.t == JV_OBJ)
			v.f &= (uint8_t)~JVF_OWN;
		return v;
	}
	o.f &= (uint8_t)~JVF_OWN;
	return o;
}

/* ---- entry points ---- */

static void
setup_env(struct map_prog *P, struct map_env *E, struct map_rterr *rterr)
{
	rterr->line = rterr->col = 0;
	rterr->msg[0] = rterr->where[0] = '\0';
	rterr->jtype = JSON_OBJECT;
	rterr->joff = 0;
	rterr->jwhy = NULL;
	arena_reset(&P->rA);
	E->P = P;
	E->A = &P->rA;
	E->err = rterr;
}

static int
setup(struct map_prog *P, struct map_env *E, const char *line, size_t len, struct map_rterr *rterr)
{
	setup_env(P, E, rterr);
	P->jp.A = &P->rA;
	/* a trailing \r is white space to the parser, as to json_check */
	if (jv_parse(&P->jp, line, len, &E->root) < 0) {
		snprintf(rterr->msg, sizeof rterr->msg, "column %zu: %s", P->jp.errpos + 1,
		         P->jp.err);
		snprintf(rterr->where, sizeof rterr->where, "%s", rterr->msg);
		rterr->jtype = JSON_INVALID;
		rterr->joff = P->jp.errpos;
		rterr->jwhy = P->jp.err;
		return MAP_BADJSON;
	}
	if (E->root.t != JV_OBJ) {
		static const int jt[] = { JSON_NULL,   JSON_FALSE, JSON_TRUE,  JSON_NUMBER,
			                  JSON_STRING, JSON_ARRAY, JSON_OBJECT };

		rterr->jtype = jt[E->root.t];
		snprintf(rterr->msg, sizeof rterr->msg, "record is %s, not an object",
		         jv_type_name(E->root.t));
		snprintf(rterr->where, sizeof rterr->where, "%s", rterr->msg);
		return MAP_BADJSON;
	}
	E->cur = E->root;
	return 0;
}

int
map_apply(struct map_prog *P, const char *line, size_t len, struct buf *out,
          struct map_rterr *rterr)
{
	struct map_env E;
	struct jv o = { .t = JV_OBJ };
	size_t olen = out->len;
	int r;

	if ((r = setup(P, &E, line, len, rterr)) != 0) {
		P->st.errors++;
		return r;
	}
	if (E.root.n == 1 && E.root.u.o[0].kn == 11 &&
	    memcmp(E.root.u.o[0].k, "_checkpoint", 11) == 0) {
		if (len && line[len - 1] == '\r')
			len--;
		if (buf_add(out, line, len) < 0) {
			snprintf(rterr->msg, sizeof rterr->msg, "output too large");
			snprintf(rterr->where, sizeof rterr->where, "output too large");
			return MAP_ERROR;
		}
		return MAP_PASS;
	}
	P->st.applied++;
	if (setjmp(E.jb)) {
		out->len = olen;
		if (out->p)
			out->p[olen] = '\0';
		P->st.errors++;
		return MAP_ERROR;
	}
	E.locals = map_alloc(&E, (size_t)(P->nslots + 1) * sizeof *E.locals);
	memset(E.locals, 0, (size_t)(P->nslots + 1) * sizeof *E.locals);
	if (P->keep) {
		o = E.root;
		own_obj(&E, &o, 0);
	} else
		own_obj(&E, &o, 0);
	E.out = &o;
	if (exec(&E, P->body)) {
		P->st.dropped++;
		return MAP_DROP;
	}
	if (jv_emit(out, &o) < 0) {
		out->len = olen;
		if (out->p)
			out->p[olen] = '\0';
		snprintf(rterr->msg, sizeof rterr->msg, "output too large");
		snprintf(rterr->where, sizeof rterr->where, "%s: output too large", P->filename);
		P->st.errors++;
		return MAP_ERROR;
	}
	return MAP_OK;
}

/* root NULL: parse line; else evaluate on the caller's parse */
static int
expr_eval(struct map_prog *P, const char *line, size_t len, const struct jv *root, struct jv *v,
          struct map_rterr *rterr, struct map_env *E)
{
	int r;

	if (P->expr == NULL) {
		memset(rterr, 0, sizeof *rterr);
		snprintf(rterr->msg, sizeof rterr->msg, "%s is a map, not an expression",
		         P->filename);
		snprintf(rterr->where, sizeof rterr->where, "%s", rterr->msg);
		return MAP_ERROR;
	}
	if (root) {
		setup_env(P, E, rterr);
		E->root = E->cur = *root;
	} else if ((r = setup(P, E, line, len, rterr)) != 0) {
		return r;
	}
	if (setjmp(E->jb))
		return MAP_ERROR;
	E->locals = map_alloc(E, (size_t)(P->nslots + 1) * sizeof *E->locals);
	memset(E->locals, 0, (size_t)(P->nslots + 1) * sizeof *E->locals);
	E->out = NULL;
	*v = map_eval(E, P->expr);
	return 0;
}

int
map_expr_eval_bool(struct map_prog *P, const char *line, size_t len, struct map_rterr *rterr)
{
	struct map_env E;
	struct jv v;
	int r = expr_eval(P, line, len, NULL, &v, rterr, &E);

	if (r != 0)
		return r;
	return jv_truthy(&v);
}

int
map_expr_eval_bool_val(struct map_prog *P, const struct jv *root, struct map_rterr *rterr)
{
	struct map_env E;
	struct jv v;
	int r = expr_eval(P, NULL, 0, root, &v, rterr, &E);

	if (r != 0)
		return r;
	return jv_truthy(&v);
}

int
map_expr_eval(struct map_prog *P, const char *line, size_t len, struct buf *out,
              struct map_rterr *rterr)
{
	struct map_env E;
	struct jv v;
	size_t olen = out->len;
	int r = expr_eval(P, line, len, NULL, &v, rterr, &E);

	if (r != 0)
		return r;
	if (jv_emit(out, &v) < 0) {
		out->len = olen;
		snprintf(rterr->msg, sizeof rterr->msg, "output too large");
		snprintf(rterr->where, sizeof rterr->where, "output too large");
		return MAP_ERROR;
	}
	return MAP_OK;
}
