/*
 * map_int.h - internals of the map engine, shared by lib/engine/map/map_*.c
 * (layer 5: engines); not for cmd/ nor the other engines, which use map.h
 * and the value type of stream/jv.h.
 *
 * Ownership: values (struct jv) never own memory; they point into the
 * input line, a program's compile arena (literals, tables) or its record
 * arena, which map_apply empties at the start of each record.
 */
#ifndef ERPIPE_MAP_INT_H
#define ERPIPE_MAP_INT_H

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/dec.h"
#include "base/err.h"
#include "stream/json.h"
#include "stream/jv.h"
#include "engine/map/map.h"

/* --- compiled form --- */
/* clang-format off */
enum {
	N_LIT, N_CUR, N_ROOT, N_LOCAL, N_PATH, N_CALL, N_SUBCALL, N_BIN, N_NOT,
	N_NEG, N_COND, N_AND, N_OR, N_COALESCE, N_ELVIS, N_ARR, N_OBJ
};
/* clang-format on */
enum { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD, OP_CAT, OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };
enum { ST_KEY, ST_IDX, ST_ALL };

struct map_node;
struct map_step {
	uint8_t kind;
	const char *k;
	uint32_t kn;
	uint32_t hint; /* member index where the key was last found */
	struct map_node *idx;
};

struct map_env;
struct map_prog;
/* What a builtin's prep hook hands back to the parser: on failure (-1) the
 * place and message of the error (code: its status, 0 for EP_DATAERR); and
 * in keep, success or not, what the program must free with it
 * (map_fn_free_aux).  The builtins never call into the parser: it calls
 * them (map_fn_find, prep, map_fn_free_aux), not the other way. */
struct map_prep {
	int line, col, code;
	void *keep;
	char msg[400];
};
struct map_fn {
	const char *name;
	int min, max;
	struct jv (*f)(struct map_env *E, struct map_node *call, struct jv *args, int nargs);
	/* at compile: 0, or -1 with pp's error */
	int (*prep)(struct map_prog *P, struct map_node *call, struct map_prep *pp);
	const char *doc;
};

struct map_sub;
struct map_node {
	uint8_t kind, op;
	int line, col;
	struct jv lit;
	struct map_node *a, *b, *c;
	struct map_node **args;
	int nargs;
	struct map_step *steps;
	int nsteps;
	const struct map_fn *fn;
	struct map_sub *sub;
	int slot;
	void *aux, *aux2; /* builtin data: compiled regex, table */
	long iaux;
	struct jv_kv *keys; /* object literal: keys (v unused) */
};

enum { S_ASSIGN, S_LET, S_IF, S_DROP, S_ERROR, S_DEL, S_VALUE };
enum { LS_KEY, LS_IDX, LS_APPEND };
struct map_lstep {
	uint8_t kind;
	const char *k;
	uint32_t kn;
	uint8_t ksafe;
	long idx;
};
struct map_stmt {
	uint8_t kind;
	int line, col;
	struct map_lstep *ls;
	int nls;
	struct map_node *e;
	int slot;
	struct map_stmt *body, *els, *next;
};

struct map_sub {
	char *name;
	struct map_stmt *body;
	int nslots;
	struct map_sub *next;
};

/* lookup tables (map_table.c) */
struct map_trow {
	struct jv obj;
	struct map_trow *next_same;
};
struct map_tslot {
	const char *k;
	uint32_t kn;
	uint32_t h;
	struct map_trow *row;
};
struct map_table {
	char *path, *key;
	struct arena A;
	struct map_tslot *slots;
	size_t nslots, count;
	struct map_table *next;
};
struct map_table *map_table_get(struct map_ctx *ctx, const char *path, const char *key,
                                struct ep_err *err);
struct map_trow *map_table_find(const struct map_table *t, const char *k, size_t kn);

struct map_ctx {
	int64_t now_ms;
	struct map_table *tables;
};

struct map_tdecl {
	char *name, *key;
	int miss; /* 0 null, 1 error */
	struct map_tdecl *next;
};

struct map_prog {
	char *filename, *dir;
	char *src;
	size_t srclen;
	struct arena cA, rA;
	struct map_stmt *body;
	struct map_node *expr;
	struct map_sub *subs;
	int nslots;
	struct map_ctx *ctx;
	int own_ctx, keep;
	struct jv_parser jp;
	struct map_tdecl *decls;
	void **frees; /* pcre2 codes and match data */
	int nfrees;
	size_t capfrees;
	struct map_stats st;
	struct buf scratch; /* builtins' text building */
};

struct map_env {
	struct map_prog *P;
	struct arena *A;
	jmp_buf jb;
	struct map_rterr *err;
	struct jv root, cur;
	struct jv *locals;
	struct jv *out;
	struct jv subval; /* a sub-mapping's `value` */
};

/* evaluation (map_eval.c) */
struct jv map_eval(struct map_env *E, struct map_node *n);
_Noreturn void map_rt_error(struct map_env *E, const struct map_node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void *map_alloc(struct map_env *E, size_t n);
struct jv map_str(struct map_env *E, const char *s, size_t n); /* copies */
struct jv map_num_dec(struct map_env *E, const struct dec *d);
struct jv map_num_i64(struct map_env *E, long long v);
struct jv map_num_double(struct map_env *E, double d);
/* the value as text: strings as is, numbers their text, true/false, null ""
 * (arrays/objects: their JSON); *safe set when no escaping needed */
struct jv map_to_text(struct map_env *E, const struct jv *v);
struct jv map_subcall(struct map_env *E, struct map_sub *s, struct jv in, int *dropped);

extern const struct map_fn map_fns[];
void map_fn_free_aux(void *p); /* an entry of prog->frees */
const struct map_fn *map_fn_find(const char *name, size_t n);

#endif
