/*
 * t-schema-suite.c - the official JSON-Schema-Test-Suite, draft 2020-12:
 * every case of every file in tests/draft2020-12/ and optional/format/,
 * one TAP line per case.  Cases listed in tests/schema-skips.txt are
 * reported as "ok N # skip reason"; a listed skip that matches no case is
 * a failure (the list must not go stale).  Remote references to
 * http://localhost:1234/ are served from the suite's remotes/ directory.
 * The files are read with jv_parse, as validate reads records, so a
 * "\u0000" inside a string stays in it.
 */
#include "tap.h"
#include "stream/jv.h"
#include "engine/schema/schema.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

struct skip {
	char *file, *group, *cas, *reason;
	int used;
};

static struct skip *skips;
static size_t nskips;
static char suite[4096];
static int nskipped, npassed;

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)n + 1);
	if (b == NULL || fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		fclose(f);
		return NULL;
	}
	b[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return b;
}

static void
load_skips(const char *path)
{
	char *text = slurp(path, NULL), *line, *save = NULL;

	if (text == NULL) {
		diag("no skip list %s", path);
		return;
	}
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[4];
		int i;

		if (line[0] == '#' || line[0] == '\0')
			continue;
		f[0] = line;
		for (i = 1; i < 4; i++) {
			char *t = strchr(f[i - 1], '\t');

			if (t == NULL)
				break;
			*t = '\0';
			f[i] = t + 1;
		}
		if (i < 4) {
			diag("bad skip line '%s'", line);
			continue;
		}
		skips = realloc(skips, (nskips + 1) * sizeof(*skips));
		skips[nskips].file = strdup(f[0]);
		skips[nskips].group = strdup(f[1]);
		skips[nskips].cas = strdup(f[2]);
		skips[nskips].reason = strdup(f[3]);
		skips[nskips].used = 0;
		nskips++;
	}
	free(text);
}

static struct skip *
find_skip(const char *file, const char *group, const char *cas)
{
	size_t i;

	for (i = 0; i < nskips; i++) {
		struct skip *s = &skips[i];

		if (strcmp(s->file, file) == 0 &&
		    (strcmp(s->group, "*") == 0 || strcmp(s->group, group) == 0) &&
		    (strcmp(s->cas, "*") == 0 || strcmp(s->cas, cas) == 0)) {
			s->used = 1;
			return s;
		}
	}
	return NULL;
}

static char *
remote(void *ctx, const char *uri, size_t *len, struct ep_err *err)
{
	static const char pre[] = "http://localhost:1234/";
	char path[8192], *text;

	(void)ctx;
	if (strncmp(uri, pre, sizeof(pre) - 1) != 0) {
		ep_errf(err, EP_NOINPUT, "not a test-suite remote");
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/remotes/%s", suite, uri + sizeof(pre) - 1);
	if ((text = slurp(path, len)) == NULL)
		ep_errf(err, EP_NOINPUT, "no remote '%s'", path);
	return text;
}

static const struct jv *
get(const struct jv *o, const char *k)
{
	return jv_obj_get(o, k, strlen(k));
}

/* a string member as a C string (descriptions hold no NUL) */
static const char *
str(const struct jv *o, const char *k, char *b, size_t n)
{
	const struct jv *v = get(o, k);

	snprintf(b, n, "%.*s", v && v->t == JV_STR ? (int)v->n : 0, v ? v->u.s : "");
	return b;
}

static void
run_file(const char *dir, const char *rel, unsigned flags)
{
	char path[20000], name[20000], *text, gd[4096], td[4096];
	struct arena A;
	struct jv_parser jp = { 0 };
	struct jv doc;
	struct schema_loader loader = { remote, NULL };
	struct schema_errors errs = SCHEMA_ERRORS_INIT;
	struct buf sb = BUF_INIT, db = BUF_INIT;
	size_t len;
	uint32_t gi, ti;

	arena_init(&A, 0);
	jp.A = &A;
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if ((text = slurp(path, &len)) == NULL || jv_parse(&jp, text, len, &doc) < 0 ||
	    doc.t != JV_ARR) {
		ok(0, path);
		free(text);
		arena_free(&A);
		jv_parser_free(&jp);
		return;
	}
	for (gi = 0; gi < doc.n; gi++) {
		const struct jv *g = &doc.u.a[gi], *tests = get(g, "tests");
		struct ep_err err = EP_ERR_INIT;
		struct schema *s = NULL;
		int compiled = 0;

		str(g, "description", gd, sizeof(gd));
		for (ti = 0; tests && ti < tests->n; ti++) {
			const struct jv *t = &tests->u.a[ti], *valid = get(t, "valid");
			int want = valid && valid->t == JV_TRUE, got;
			struct skip *sk;

			str(t, "description", td, sizeof(td));
			sk = find_skip(rel, gd, td);
			snprintf(name, sizeof(name), "%s: %s: %s", rel, gd, td);
			if (sk) {
				printf("ok %d - %s # skip %s\n", ++tap_n, name, sk->reason);
				nskipped++;
				continue;
			}
			if (!compiled) {
				buf_reset(&sb);
				jv_emit(&sb, get(g, "schema"));
				s = schema_compile(sb.p, sb.len, NULL, &loader, flags, &err);
				compiled = 1;
			}
			if (s == NULL) {
				ok(0, name);
				diag("compile: %s", err.msg);
				continue;
			}
			got = schema_validate_val(s, get(t, "data"), &errs);
			if (ok(got == want, name)) {
				npassed++;
			} else {
				size_t i;

				buf_reset(&db);
				jv_emit(&db, get(t, "data"));
				diag("data %s: got %s", buf_str(&db), got ? "valid" : "invalid");
				for (i = 0; i < errs.n; i++) {
					char b[1024];

					schema_error_format(&errs.v[i], b, sizeof(b));
					diag("  %s (%s)", b, errs.v[i].keyword);
				}
			}
		}
		schema_free(s);
	}
	schema_errors_free(&errs);
	buf_release(&sb);
	buf_release(&db);
	free(text);
	arena_free(&A);
	jv_parser_free(&jp);
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
run_dir(const char *top, const char *sub, unsigned flags)
{
	char dir[8192], rel[9000];
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, i;

	snprintf(dir, sizeof(dir), "%s%s%s", top, sub[0] ? "/" : "", sub);
	if ((d = opendir(dir)) == NULL) {
		ok(0, dir);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);

		if (l > 5 && strcmp(de->d_name + l - 5, ".json") == 0) {
			names = realloc(names, (n + 1) * sizeof(*names));
			names[n++] = strdup(de->d_name);
		}
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp);
	for (i = 0; i < n; i++) {
		snprintf(rel, sizeof(rel), "%s%s%s", sub, sub[0] ? "/" : "", names[i]);
		run_file(top, rel, flags);
		free(names[i]);
	}
	free(names);
}

int
main(void)
{
	const char *top = getenv("ERPIPE_TOP");
	char tests[8192], sk[8192];
	size_t i;
	int stale = 0;

	if (top == NULL)
		top = ".";
	snprintf(suite, sizeof(suite), "%s/tests/fixtures/json-schema-test-suite", top);
	snprintf(tests, sizeof(tests), "%s/tests/draft2020-12", suite);
	snprintf(sk, sizeof(sk), "%s/tests/schema-skips.txt", top);
	load_skips(sk);
	/* 2020-12 makes "format" an annotation unless the format-assertion
	 * vocabulary is on: off for the required files, on for optional/format */
	run_dir(tests, "", 0);
	run_dir(tests, "optional/format", SCHEMA_FORMAT_ASSERT);
	for (i = 0; i < nskips; i++) {
		if (!skips[i].used) {
			diag("stale skip: %s: %s: %s", skips[i].file, skips[i].group, skips[i].cas);
			stale++;
		}
		free(skips[i].file);
		free(skips[i].group);
		free(skips[i].cas);
		free(skips[i].reason);
	}
	free(skips);
	ok(stale == 0, "every skip in tests/schema-skips.txt matches a case");
	diag("suite: %d passed, %d skipped, %d failed", npassed, nskipped, tap_fail);
	return done_testing();
}
