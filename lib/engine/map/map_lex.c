/* map_lex.c - the lexer of the mapping language (map_lex.h). */
#include "engine/map/map_lex.h"
#include "base/buf.h"
#include "base/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
map_lex_init(struct map_lex *lx, const char *src, size_t len, struct arena *A)
{
	memset(lx, 0, sizeof *lx);
	lx->s = lx->p = lx->linestart = src;
	lx->e = src + len;
	lx->line = 1;
	lx->A = A;
}

static int lex_error(struct map_lex *lx, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
lex_error(struct map_lex *lx, int line, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(lx->msg, sizeof lx->msg, fmt, ap);
	va_end(ap);
	lx->eline = line;
	lx->ecol = col;
	return lx->tok = T_ERR;
}

static int
col_of(struct map_lex *lx, const char *p)
{
	const char *q;
	int c = 1;

	for (q = lx->linestart; q < p; q++)
		if (((unsigned char)*q & 0xC0) != 0x80)
			c++;
	return c;
}

static int
is_id0(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static int
is_id(int c)
{
	return is_id0(c) || (c >= '0' && c <= '9');
}

static int
lex_string(struct map_lex *lx)
{
	char q = *lx->p++;
	struct buf b = BUF_INIT;
	int safe = 1;

	for (;;) {
		char c;

		if (lx->p >= lx->e || *lx->p == '\n') {
			buf_release(&b);
			return lex_error(lx, lx->tline, lx->tcol, "unterminated string");
		}
		c = *lx->p++;
		if (c == q)
			break;
		if (c != '\\') {
			if ((unsigned char)c < 0x20 || c == '"')
				safe = 0;
			buf_addc(&b, c);
			continue;
		}
		if (lx->p >= lx->e) {
			buf_release(&b);
			return lex_error(lx, lx->tline, lx->tcol, "unterminated string");
		}
		c = *lx->p++;
		safe = 0;
		switch (c) {
		case 'n':
			buf_addc(&b, '\n');
			break;
		case 't':
			buf_addc(&b, '\t');
			break;
		case 'r':
			buf_addc(&b, '\r');
			break;
		case '0':
			buf_addc(&b, '\0');
			break;
		case '\\':
			buf_addc(&b, '\\');
			break;
		case '"':
			buf_addc(&b, '"');
			break;
		case '\'':
			buf_addc(&b, '\'');
			safe = 1;
			break;
		case '/':
			buf_addc(&b, '/');
			safe = 1;
			break;
		case '$':
			buf_addc(&b, '$');
			safe = 1;
			break;
		case 'u': {
			unsigned v = 0;
			int i;
			char o[4];
			size_t on = 0;

			for (i = 0; i < 4; i++) {
				int d = hex_value(lx->p < lx->e ? (unsigned char)*lx->p++ : 0);

				if (d < 0) {
					buf_release(&b);
					return lex_error(lx, lx->line, col_of(lx, lx->p - 1),
					                 "bad \\u escape");
				}
				v = v << 4 | (unsigned)d;
			}
			if (v >= 0xD800 && v < 0xE000)
				v = 0xFFFD;
			if (v < 0x80)
				o[on++] = (char)v;
			else if (v < 0x800) {
				o[on++] = (char)(0xC0 | (v >> 6));
				o[on++] = (char)(0x80 | (v & 0x3F));
			} else {
				o[on++] = (char)(0xE0 | (v >> 12));
				o[on++] = (char)(0x80 | ((v >> 6) & 0x3F));
				o[on++] = (char)(0x80 | (v & 0x3F));
			}
			buf_add(&b, o, on);
			break;
		}
		default:
			buf_release(&b);
			return lex_error(lx, lx->line, col_of(lx, lx->p - 2),
			                 "unknown escape '\\%c'", c);
		}
	}
	lx->sn = b.len;
	lx->sval = arena_strdup(lx->A, buf_str(&b), b.len);
	if (lx->sval == NULL) {
		buf_release(&b);
		return lex_error(lx, lx->tline, lx->tcol, "out of memory");
	}
	{
		size_t i;

		for (i = 0; i < b.len; i++)
			if ((unsigned char)b.p[i] < 0x20 || b.p[i] == '"' || b.p[i] == '\\')
				safe = 0;
	}
	lx->ssafe = safe || b.len == 0;
	buf_release(&b);
	return lx->tok = T_STR;
}

int
map_lex_next(struct map_lex *lx)
{
	const char *p;
	int c;

	lx->space_before = 0;
	if (lx->tok != T_NL && lx->tok != 0) {
		lx->pline = lx->line;
		lx->pcol = col_of(lx, lx->p);
	}
again:
	while (lx->p < lx->e && (*lx->p == ' ' || *lx->p == '\t' || *lx->p == '\r')) {
		lx->p++;
		lx->space_before = 1;
	}
	if (lx->p < lx->e && *lx->p == '#') {
		while (lx->p < lx->e && *lx->p != '\n')
			lx->p++;
	}
	if (lx->p < lx->e && *lx->p == '\\' && lx->p + 1 < lx->e && lx->p[1] == '\n') {
		lx->p += 2;
		lx->line++;
		lx->linestart = lx->p;
		lx->space_before = 1;
		goto again;
	}
	p = lx->tp = lx->p;
	lx->tline = lx->line;
	lx->tls = lx->linestart;
	lx->tcol = col_of(lx, p);
	if (p >= lx->e) {
		lx->tok = T_EOF;
		lx->tn = 0;
		return lx->tok;
	}
	c = (unsigned char)*p;
	if (c == '\n') {
		lx->p++;
		lx->line++;
		lx->linestart = lx->p;
		lx->tok = T_NL;
		lx->tn = 1;
		return lx->tok;
	}
	if (is_id0(c)) {
		while (lx->p < lx->e && is_id((unsigned char)*lx->p))
			lx->p++;
		lx->tok = T_IDENT;
		lx->tn = (size_t)(lx->p - p);
		return lx->tok;
	}
	if (c >= '0' && c <= '9') {
		while (lx->p < lx->e && *lx->p >= '0' && *lx->p <= '9')
			lx->p++;
		if (lx->p + 1 < lx->e && *lx->p == '.' && lx->p[1] >= '0' && lx->p[1] <= '9') {
			lx->p++;
			while (lx->p < lx->e && *lx->p >= '0' && *lx->p <= '9')
				lx->p++;
		}
		if (lx->p < lx->e && (*lx->p == 'e' || *lx->p == 'E')) {
			const char *q = lx->p + 1;

			if (q < lx->e && (*q == '+' || *q == '-'))
				q++;
			if (q < lx->e && *q >= '0' && *q <= '9') {
				while (q < lx->e && *q >= '0' && *q <= '9')
					q++;
				lx->p = q;
			}
		}
		lx->tok = T_NUM;
		lx->tn = (size_t)(lx->p - p);
		return lx->tok;
	}
	if (c == '"' || c == '\'') {
		if (lex_string(lx) == T_ERR)
			return T_ERR;
		lx->tn = (size_t)(lx->p - p);
		return T_STR;
	}
	if (c == '$') {
		lx->p++;
		if (lx->p < lx->e && *lx->p == '$') {
			lx->p++;
			if (lx->p < lx->e && is_id0((unsigned char)*lx->p)) {
				lx->tp = lx->p;
				while (lx->p < lx->e && is_id((unsigned char)*lx->p))
					lx->p++;
				lx->tok = T_ROOTKEY;
				lx->tn = (size_t)(lx->p - lx->tp);
				return lx->tok;
			}
			lx->tok = T_ROOT;
			lx->tn = 2;
			return lx->tok;
		}
		if (lx->p < lx->e && is_id0((unsigned char)*lx->p)) {
			lx->tp = lx->p;
			while (lx->p < lx->e && is_id((unsigned char)*lx->p))
				lx->p++;
			lx->tok = T_INPUT;
			lx->tn = (size_t)(lx->p - lx->tp);
			return lx->tok;
		}
		lx->tok = T_DOLLAR;
		lx->tn = 1;
		return lx->tok;
	}
	if (c == '.' && !lx->space_before && lx->p + 1 < lx->e && is_id0((unsigned char)lx->p[1]) &&
	    p > lx->s && !strchr(" \t(,[{=?:", p[-1])) {
		lx->p++;
		lx->tp = lx->p;
		while (lx->p < lx->e && is_id((unsigned char)*lx->p))
			lx->p++;
		lx->tok = T_DOTF;
		lx->tn = (size_t)(lx->p - lx->tp);
		return lx->tok;
	}
	lx->p++;
	lx->tn = 1;
#define TWO(a, b, t)                                                                               \
	if (c == (a) && lx->p < lx->e && *lx->p == (b)) {                                          \
		lx->p++;                                                                           \
		lx->tn = 2;                                                                        \
		return lx->tok = (t);                                                              \
	}
	TWO('=', '=', T_EQ);
	TWO('!', '=', T_NE);
	TWO('<', '=', T_LE);
	TWO('>', '=', T_GE);
	TWO('&', '&', T_AND);
	TWO('|', '|', T_OR);
	TWO('?', '?', T_COAL);
	TWO('?', ':', T_ELVIS);
#undef TWO
	if (strchr("=<>!?:+-*/%.()[]{},;", c) == NULL)
		return lex_error(lx, lx->tline, lx->tcol, "unexpected character '%c'", c);
	return lx->tok = c;
}

int
map_lex_assign_follows(const struct map_lex *lx)
{
	const char *p = lx->p;

	while (p < lx->e && (*p == ' ' || *p == '\t'))
		p++;
	return p < lx->e && (*p == '=' || *p == '.' || *p == '[') &&
	       !(p + 1 < lx->e && p[0] == '=' && p[1] == '=');
}

int
map_lex_value_kw(const struct map_lex *lx)
{
	const char *p = lx->p;

	if (p < lx->e && (*p == '.' || *p == '['))
		return 0;
	while (p < lx->e && (*p == ' ' || *p == '\t'))
		p++;
	return !(p < lx->e && *p == '=' && !(p + 1 < lx->e && p[1] == '='));
}

int
map_lex_else_follows(const struct map_lex *lx)
{
	const char *p = lx->p;

	while (p < lx->e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return lx->e - p >= 4 && memcmp(p, "else", 4) == 0 &&
	       (lx->e - p == 4 || !is_id((unsigned char)p[4]));
}
