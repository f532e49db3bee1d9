/*
 * replay.c - runs a fuzz target's corpus once, as a TAP test, so `make
 * check` (and `make check SANITIZE=1`) exercise every seed and every crash
 * ever found.  Linked with one tests/fuzz/fuzz-NAME.c as NAME-replay; the
 * corpus is $ERPIPE_TOP/tests/fuzz/corpus/NAME/ (ERPIPE_SRCDIR when
 * ERPIPE_TOP is unset).  A crashing input aborts the run: prove reports it.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static unsigned char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *p = NULL, *q;
	size_t cap = 0, n = 0, r;

	if (f == NULL)
		return NULL;
	do {
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			if ((q = realloc(p, cap)) == NULL) {
				free(p);
				fclose(f);
				return NULL;
			}
			p = q;
		}
		r = fread(p + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	if (ferror(f)) {
		free(p);
		p = NULL;
	}
	fclose(f);
	*len = n;
	return p;
}

int
main(int argc, char **argv)
{
	const char *top = getenv("ERPIPE_TOP"), *base;
	char name[256], dir[4096], path[8192];
	char **names = NULL;
	size_t n = 0, i, len;
	int bad = 0;
	struct dirent *de;
	DIR *d;

	(void)argc;
	if (top == NULL || *top == '\0')
		top = ERPIPE_SRCDIR;
	base = strrchr(argv[0], '/');
	base = base ? base + 1 : argv[0];
	snprintf(name, sizeof(name), "%s", base);
	len = strlen(name);
	if (len > 7 && strcmp(name + len - 7, "-replay") == 0)
		name[len - 7] = '\0';
	snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s", top, name);
	if ((d = opendir(dir)) == NULL) {
		printf("1..0 # SKIP no corpus in '%s'\n", dir);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		char **nn;

		if (de->d_name[0] == '.')
			continue;
		if ((nn = realloc(names, (n + 1) * sizeof(*names))) == NULL ||
		    (nn[n] = strdup(de->d_name)) == NULL) {
			printf("Bail out! out of memory\n");
			return 1;
		}
		names = nn;
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp);
	printf("1..%zu\n", n);
	for (i = 0; i < n; i++) {
		unsigned char *data;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if ((data = slurp(path, &len)) == NULL) {
			printf("not ok %zu - %s: cannot read\n", i + 1, names[i]);
			free(names[i]);
			bad = 1;
			continue;
		}
		fflush(stdout);
		LLVMFuzzerTestOneInput(data, len);
		printf("ok %zu - %s\n", i + 1, names[i]);
		free(data);
		free(names[i]);
	}
	free(names);
	return bad;
}
