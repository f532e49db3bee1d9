/*
 * t-map.c - the mapping language tested from data files (tests/map/NAME.test),
 * after jq's tests/NAME.test, plus unit tests of the engine's API and lib/dec.
 *
 * A .test file is a list of blocks separated by blank lines; '#' lines
 * between blocks are comments.  A block is:
 *
 *	%%MAP [name]            the program: lines up to %%IN
 *	...
 *	%%IN                    input lines, one record each
 *	...
 *	%%OUT                   expected output, one line per input line:
 *	...                     the JSON, or "DROP", "PASS", "ERROR <where>"
 *
 * or a compile failure:  %%MAP ... %%FAIL then the exact message lines.
 * Or an expression:      %%EXPR then the expression, %%IN, %%OUT.
 * Options: "%%MAP keep" starts from the input record.
 *
 * Also: t-map --run MAP [FILE] maps FILE (or stdin) to stdout, for
 * benchmarks (the lead's xform is the real program).
 */
#include "tap.h"
#include "base/buf.h"
#include "base/dec.h"
#include "engine/map/map.h"
#include "engine/map/map_int.h"

#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t fixed_now = 1735732800000LL; /* 2025-01-01T12:00:00Z */

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	struct buf b = BUF_INIT;
	char tmp[8192];
	size_t r;

	if (f == NULL)
		return NULL;
	while ((r = fread(tmp, 1, sizeof tmp, f)) > 0)
		buf_add(&b, tmp, r);
	fclose(f);
	*len = b.len;
	return buf_detach(&b, len);
}

/* next line of s at *pos, without newline; NULL at end */
static char *
getl(char *s, size_t len, size_t *pos)
{
	char *l, *nl;

	if (*pos >= len)
		return NULL;
	l = s + *pos;
	nl = memchr(l, '\n', len - *pos);
	if (nl) {
		*nl = '\0';
		*pos = (size_t)(nl - s) + 1;
	} else
		*pos = len;
	return l;
}

static void
run_block(const char *file, int lineno, const char *mode, struct buf *prog, char **in, int nin,
          struct buf *want, int is_fail, const char *dir, struct map_ctx *ctx)
{
	struct map_opts o = { ctx, 0, 0 };
	struct ep_err err = EP_ERR_INIT;
	struct map_prog *p;
	char name[8192], label[8400];
	int is_expr = strncmp(mode, "%%EXPR", 6) == 0, i;
	struct buf got = BUF_INIT;

	o.keep = strstr(mode, "keep") != NULL;
	snprintf(name, sizeof name, "%s/t.map", dir);
	snprintf(label, sizeof label, "%s:%d", file, lineno);
	if (is_expr)
		p = map_expr_compile(buf_str(prog), prog->len, "expr", &o, &err);
	else
		p = map_compile(buf_str(prog), prog->len, name, &o, &err);
	if (is_fail) {
		const char *msg = err.msg;
		size_t dl = strlen(dir);

		/* messages name the map by path: show it relative to the test dir */
		if (strncmp(msg, dir, dl) == 0 && msg[dl] == '/')
			msg += dl + 1;
		if (p == NULL)
			is_str(msg, buf_str(want), label);
		else {
			ok(0, label);
			diag("compiled, expected failure");
		}
		map_free(p);
		return;
	}
	if (p == NULL) {
		ok(0, label);
		diag("%s", err.msg);
		return;
	}
	for (i = 0; i < nin; i++) {
		struct map_rterr rt;
		struct buf out = BUF_INIT;
		int r;

		if (is_expr)
			r = map_expr_eval(p, in[i], strlen(in[i]), &out, &rt);
		else
			r = map_apply(p, in[i], strlen(in[i]), &out, &rt);
		if (i)
			buf_addc(&got, '\n');
		switch (r) {
		/* clang-format off */
		case MAP_OK: buf_add(&got, out.p, out.len); break;
		case MAP_DROP: buf_adds(&got, "DROP"); break;
		case MAP_PASS: buf_adds(&got, "PASS "), buf_add(&got, out.p, out.len); break;
		/* clang-format on */
		default: {
			const char *w = rt.where;
			size_t dl = strlen(dir);

			if (strncmp(w, dir, dl) == 0 && w[dl] == '/')
				w += dl + 1;
			buf_addf(&got, "ERROR %s", w);
		}
		}
		buf_release(&out);
	}
	is_str(buf_str(&got), buf_str(want), label);
	buf_release(&got);
	map_free(p);
}

static void
run_file(const char *path, const char *dir, struct map_ctx *ctx)
{
	size_t len, pos = 0;
	char *s = slurp(path, &len), *l;
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	int lineno = 0;

	if (s == NULL) {
		ok(0, path);
		return;
	}
	l = getl(s, len, &pos);
	lineno++;
	while (l != NULL) {
		struct buf prog = BUF_INIT, want = BUF_INIT;
		char *in[256], mode[64];
		int nin = 0, start, fail = 0, section = 0;

		if (strncmp(l, "%%MAP", 5) != 0 && strncmp(l, "%%EXPR", 6) != 0) {
			l = getl(s, len, &pos);
			lineno++;
			continue;
		}
		snprintf(mode, sizeof mode, "%s", l);
		start = lineno;
		/* section 0: program, 1: input, 2: output/fail */
		while ((l = getl(s, len, &pos)) != NULL) {
			lineno++;
			if (strncmp(l, "%%MAP", 5) == 0 || strncmp(l, "%%EXPR", 6) == 0)
				break;
			if (strcmp(l, "%%IN") == 0) {
				section = 1;
				continue;
			}
			if (strcmp(l, "%%OUT") == 0 || strcmp(l, "%%FAIL") == 0) {
				fail = l[2] == 'F';
				section = 2;
				continue;
			}
			if (section == 0) {
				buf_adds(&prog, l);
				buf_addc(&prog, '\n');
			} else if (section == 1) {
				if (*l && nin < 256)
					in[nin++] = l;
			} else if (l[0] == '#' && !fail) {
				continue;
			} else if (*l || fail) {
				if (want.len)
					buf_addc(&want, '\n');
				buf_adds(&want, l);
			}
		}
		/* trailing blank lines of a FAIL block */
		while (want.len && want.p[want.len - 1] == '\n')
			want.p[--want.len] = '\0';
		run_block(base, start, mode, &prog, in, nin, &want, fail, dir, ctx);
		buf_release(&prog);
		buf_release(&want);
	}
	free(s);
}

static void
test_dec(void)
{
	struct dec a, b, r;
	char buf[64];

	ok(dec_parse("0.1", 3, &a) == 0 && dec_parse("0.2", 3, &b) == 0, "dec parse");
	dec_add(&a, &b, &r);
	dec_format(&r, buf, sizeof buf);
	is_str(buf, "0.3", "0.1 + 0.2 is exactly 0.3");
	dec_parse("2.675", 5, &a);
	dec_round(&a, 2, DEC_HALF_EVEN, &r);
	dec_format(&r, buf, sizeof buf);
	is_str(buf, "2.68", "2.675 half even");
	dec_parse("2.665", 5, &a);
	dec_round(&a, 2, DEC_HALF_EVEN, &r);
	dec_format(&r, buf, sizeof buf);
	is_str(buf, "2.66", "2.665 half even");
	dec_round(&a, 2, DEC_HALF_UP, &r);
	dec_format(&r, buf, sizeof buf);
	is_str(buf, "2.67", "2.665 half up");
	dec_parse("-2.5", 4, &a);
	dec_round(&a, 0, DEC_HALF_UP, &r);
	dec_format(&r, buf, sizeof buf);
	is_str(buf, "-3", "-2.5 half up away from zero");
	dec_round(&a, 0, DEC_FLOOR, &r);
	dec_format(&r, buf, sizeof buf);
	is_str(buf, "-3", "-2.5 floor");
	dec_round(&a, 0, DEC_CEIL, &r);
	dec_format(&r, buf, sizeof buf);
	is_str(buf, "-2", "-2.5 ceil");
	ok(dec_parse("1e3", 3, &a) == 0 && a.coef == 1000 && a.scale == 0, "exponent");
	ok(dec_parse("1.5E-3", 6, &a) == 0 && a.coef == 15 && a.scale == 4, "negative exponent");
	ok(dec_parse("abc", 3, &a) < 0 && dec_parse("1.", 2, &a) < 0,
	   "bad text (JSON has no \"1.\")");
	ok(dec_parse("123456789012345678901234567890123456789", 39, &a) < 0, "39 digits overflow");
	dec_from_double(0.1, &a);
	dec_format(&a, buf, sizeof buf);
	is_str(buf, "0.1", "from double 0.1");
	dec_parse("10", 2, &a);
	dec_parse("3", 1, &b);
	dec_div(&a, &b, 4, DEC_HALF_EVEN, &r);
	dec_format(&r, buf, sizeof buf);
	is_str(buf, "3.3333", "10/3 to 4 places");
	dec_parse("0.30", 4, &a);
	dec_parse("0.05", 4, &b);
	is_int(dec_is_multiple(&a, &b), 1, "0.30 multiple of 0.05");
	dec_parse("0.31", 4, &a);
	is_int(dec_is_multiple(&a, &b), 0, "0.31 not a multiple of 0.05");
	dec_parse("1.10", 4, &a);
	dec_parse("1.1", 3, &b);
	is_int(dec_cmp(&a, &b), 0, "1.10 == 1.1");
	dec_parse("-1", 2, &b);
	is_int(dec_cmp(&a, &b), 1, "1.10 > -1");
	dec_parse("1.10", 4, &a);
	ok(dec_format(&a, buf, 3) < 0, "format into a too small buffer");
	dec_parse("-0.05", 5, &a);
	dec_format(&a, buf, sizeof buf);
	is_str(buf, "-0.05", "format negative fraction");
	dec_parse("12.34", 5, &a);
	dec_parse("100", 3, &b);
	dec_mul(&a, &b, &r);
	dec_format(&r, buf, sizeof buf);
	is_str(buf, "1234.00", "mul keeps scale");
	ok(dec_to_double(&a) == 12.34, "to double");
}

static void
test_api(void)
{
	struct ep_err err = EP_ERR_INIT;
	struct map_rterr rt;
	struct map_prog *p;
	struct buf out = BUF_INIT;
	struct map_stats st;
	const char *rec = "{\"a\":1,\"b\":\"x\"}";

	p = map_expr_compile("$a > 0 && $b == \"x\"", 19, "rule", NULL, &err);
	if (!ok(p != NULL, "expression compiles")) {
		diag("%s", err.msg);
		return;
	}
	is_int(map_expr_eval_bool(p, rec, strlen(rec), &rt), 1, "rule true");
	is_int(map_expr_eval_bool(p, "{\"a\":0}", 7, &rt), 0, "rule false");
	is_int(map_expr_eval_bool(p, "{\"a\":", 5, &rt), MAP_BADJSON, "bad json");
	map_free(p);
	p = map_expr_compile("$a >", 4, "rule", NULL, &err);
	ok(p == NULL && err.code == EP_DATAERR, "bad expression");
	is_str(err.msg, "rule:1:5: unexpected end of file, expected a value\n  $a >\n      ^",
	       "expression error text");
	p = map_compile("X = $a\ndrop\n", 12, "m.map", NULL, &err);
	ok(map_apply(p, rec, strlen(rec), &out, &rt) == MAP_DROP, "drop");
	is_int(out.len, 0, "drop writes nothing");
	map_stats(p, &st);
	ok(st.applied == 1 && st.dropped == 1, "stats");
	map_free(p);
	p = map_load("odoo/res.partner-to-bng/Customer", NULL, &err);
	ok(p != NULL, "map_load finds the template in examples/maps");
	if (p == NULL)
		diag("%s", err.msg);
	map_free(p);
	p = map_load("no/such/map", NULL, &err);
	ok(p == NULL && err.code == EP_NOINPUT, "map_load: missing map");
	is_str(err.msg, "cannot find map 'no/such/map'", "missing map message");
	/* a runtime error's position and its source line */
	p = map_compile("A = 1\nB = $a + \"x\"\n", 19, "r.map", NULL, &err);
	if (!ok(p != NULL, "runtime error map compiles"))
		return;
	is_int(map_apply(p, rec, strlen(rec), &out, &rt), MAP_ERROR, "runtime error");
	ok(rt.line == 2 && rt.col == 8, "runtime error position");
	is_str(rt.where, "r.map:2:8: '+' wants numbers, got number and string", "where");
	{
		char src[64];

		ok(map_source_line(p, 2, src, sizeof src) == 0, "source line");
		is_str(src, "B = $a + \"x\"", "source line text");
		ok(map_source_line(p, 3, src, sizeof src) < 0, "no line 3");
	}
	is_int(out.len, 0, "error writes nothing");
	map_free(p);

	/* search path: $ERPIPE_PATH first, tables next to the map then on the path */
	{
		char path[4096], dir[4096];
		const char *top = getenv("ERPIPE_TOP");

		snprintf(dir, sizeof dir, "%s/tests/map", top ? top : ERPIPE_SRCDIR);
		setenv("ERPIPE_PATH", dir, 1);
		ok(map_find("countries.csv", "", "/nonexistent", path, sizeof path) == 0 &&
		           strstr(path, "tests/map/countries.csv") != NULL,
		   "table found on ERPIPE_PATH");
		p = map_compile("C = lookup(\"countries.csv\", \"Belgium\", \"iso2\")\n", 47,
		                "/nonexistent/x.map", NULL, &err);
		ok(p != NULL, "map elsewhere finds its table on ERPIPE_PATH");
		if (p != NULL) {
			buf_reset(&out);
			map_apply(p, "{}", 2, &out, &rt);
			is_str(buf_str(&out), "{\"C\":\"BE\"}", "lookup through the path");
		}
		map_free(p);
		unsetenv("ERPIPE_PATH");
	}
	buf_release(&out);
}

/* every map under examples/maps compiles */
static int
compile_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	size_t l = strlen(path);
	struct ep_err err = EP_ERR_INIT;
	struct map_prog *p;

	(void)st;
	(void)ftw;
	if (flag != FTW_F || l < 4 || strcmp(path + l - 4, ".map") != 0)
		return 0;
	p = map_load(path, NULL, &err);
	if (!ok(p != NULL, strstr(path, "examples/") ? strstr(path, "examples/") : path))
		diag("%s", err.msg);
	map_free(p);
	return 0;
}

static void
test_examples(void)
{
	char dir[4096];
	const char *top = getenv("ERPIPE_TOP");

	snprintf(dir, sizeof dir, "%s/examples/maps", top ? top : ERPIPE_SRCDIR);
	nftw(dir, compile_one, 16, FTW_PHYS);
}

/* every builtin is documented in erpipe-map(5) */
static void
test_man(void)
{
	char path[4096];
	const char *top = getenv("ERPIPE_TOP");
	size_t len;
	char *man;
	const struct map_fn *f;
	int missing = 0;

	snprintf(path, sizeof path, "%s/man/erpipe-map.5", top ? top : ERPIPE_SRCDIR);
	if ((man = slurp(path, &len)) == NULL) {
		ok(0, "read erpipe-map.5");
		return;
	}
	for (f = map_fns; f->name; f++) {
		char want[80];

		snprintf(want, sizeof want, "Fn %s ", f->name);
		if (strstr(man, want) == NULL) {
			snprintf(want, sizeof want, "Fn %s\n", f->name);
			if (strstr(man, want) == NULL) {
				diag("%s() is not in erpipe-map.5", f->name);
				missing++;
			}
		}
	}
	ok(missing == 0, "every function is documented in erpipe-map.5");
	free(man);
}

static int
run_map(const char *name, const char *file)
{
	struct ep_err err = EP_ERR_INIT;
	struct map_prog *p = map_load(name, NULL, &err);
	FILE *f = file ? fopen(file, "r") : stdin;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	struct buf out = BUF_INIT;
	long ln = 0;

	if (p == NULL) {
		fprintf(stderr, "t-map: %s\n", err.msg);
		return 65;
	}
	if (f == NULL) {
		perror(file);
		return 66;
	}
	while ((len = getline(&line, &cap, f)) > 0) {
		struct map_rterr rt;
		int r;

		ln++;
		if (line[len - 1] == '\n')
			len--;
		r = map_apply(p, line, (size_t)len, &out, &rt);
		if (r == MAP_OK || r == MAP_PASS)
			buf_addc(&out, '\n');
		else if (r != MAP_DROP)
			fprintf(stderr, "t-map: %s:%ld: %s\n", file ? file : "stdin", ln, rt.where);
		if (out.len > 1 << 16) {
			fwrite(out.p, 1, out.len, stdout);
			buf_reset(&out);
		}
	}
	fwrite(out.p, 1, out.len, stdout);
	buf_release(&out);
	free(line);
	if (f != stdin)
		fclose(f);
	map_free(p);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *top = getenv("ERPIPE_TOP");
	char dir[4096];
	DIR *d;
	struct dirent *e;
	char *names[256];
	int nn = 0, i;
	struct map_ctx *ctx;

	if (argc >= 3 && strcmp(argv[1], "--run") == 0)
		return run_map(argv[2], argc > 3 ? argv[3] : NULL);
	snprintf(dir, sizeof dir, "%s/tests/map", top ? top : ERPIPE_SRCDIR);
	test_dec();
	test_api();
	test_examples();
	test_man();
	ctx = map_ctx_new(fixed_now);
	if ((d = opendir(dir)) == NULL) {
		ok(0, "open tests/map");
		return done_testing();
	}
	while ((e = readdir(d)) != NULL && nn < 256) {
		size_t l = strlen(e->d_name);

		if (l > 5 && strcmp(e->d_name + l - 5, ".test") == 0)
			names[nn++] = strdup(e->d_name);
	}
	closedir(d);
	for (i = 0; i < nn; i++) {
		int j;

		for (j = i + 1; j < nn; j++)
			if (strcmp(names[j], names[i]) < 0) {
				char *t = names[i];

				names[i] = names[j];
				names[j] = t;
			}
	}
	for (i = 0; i < nn; i++) {
		char path[8192];

		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		run_file(path, dir, ctx);
		free(names[i]);
	}
	map_ctx_free(ctx);
	return done_testing();
}
