/*
 * map_lex.h - the lexer of the mapping language (layer 5: engines): the
 * source of a map cut into tokens, one at a time, for map_parse.c.
 *
 * Ownership: a struct map_lex is the caller's and points into the source
 * it was given (the caller keeps it while lexing); a string token's decoded
 * value (sval) is allocated in the arena A, the compile arena of the
 * program.  The lexer never reports by itself: a bad token is T_ERR with
 * the message and its place in msg, eline and ecol, for the parser to show.
 */
#ifndef ERPIPE_MAP_LEX_H
#define ERPIPE_MAP_LEX_H

#include <stddef.h>

#include "base/arena.h"

/* tokens: a character (one of =<>!?:+-*%.()[]{},; and /) stands for
 * itself, the others are these */
/* clang-format off */
enum {
	T_EOF = 256, T_NL, T_IDENT, T_INPUT, T_DOLLAR, T_ROOT, T_ROOTKEY, T_STR, T_NUM,
	T_DOTF, T_EQ, T_NE, T_LE, T_GE, T_AND, T_OR, T_COAL, T_ELVIS,
	T_ERR
};
/* clang-format on */

struct map_lex {
	/* the source */
	const char *s, *e, *p; /* start, end, the next byte to read */
	int line;              /* of p, from 1 */
	const char *linestart; /* of p's line */
	struct arena *A;       /* string values */
	/* the token */
	int tok;        /* T_*, a character, 0 before the first */
	const char *tp; /* its text (of $x, $$x and .x: the name) */
	size_t tn;
	int tline, tcol;  /* its place (columns count characters) */
	const char *tls;  /* its line's start */
	int space_before; /* blank before it */
	int pline, pcol;  /* just after the token before */
	char *sval;       /* T_STR: the decoded value (NUL-terminated) */
	size_t sn;
	int ssafe; /* sval needs no JSON escaping */
	/* T_ERR */
	char msg[64];
	int eline, ecol;
};

/* Start lexing the len bytes at src; string values go into A. */
void map_lex_init(struct map_lex *lx, const char *src, size_t len, struct arena *A);
/* Read the next token into lx; returns lx->tok (T_ERR: lx->msg). */
int map_lex_next(struct map_lex *lx);

/* Peeks at the source after the token, without reading it: */
/* the next non-blank byte is '=' (not '=='), '.' or '[' */
int map_lex_assign_follows(const struct map_lex *lx);
/* "value EXPR" (not "value = ...", "value.x =", "value[0] =") */
int map_lex_value_kw(const struct map_lex *lx);
/* the word "else" comes next, after blanks and newlines */
int map_lex_else_follows(const struct map_lex *lx);

#endif
