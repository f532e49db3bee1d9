/*
 * replay.c - runs a fuzz target's seed corpus without libFuzzer, as TAP.
 *
 * Linked with one tests/fuzz/fuzz-NAME.c into build/fuzz/fuzz-NAME-replay:
 * the corpus is $ERPIPE_TOP/tests/fuzz/corpus/fuzz-NAME/, every file in it
 * goes once through LLVMFuzzerTestOneInput, one "ok" line per file (a crash
 * or a sanitizer report fails the whole test).
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

int
main(int argc, char **argv)
{
	const char *top = getenv("ERPIPE_TOP"), *base;
	char dir[4096], path[8192], name[256], **names = NULL;
	size_t nn = 0, i, len;
	struct dirent *de;
	DIR *d;
	int n = 0;

	(void)argc;
	base = strrchr(argv[0], '/');
	base = base ? base + 1 : argv[0];
	snprintf(name, sizeof(name), "%s", base);
	len = strlen(name);
	if (len > 7 && strcmp(name + len - 7, "-replay") == 0)
		name[len - 7] = '\0';
	snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s", top ? top : ".", name);
	if ((d = opendir(dir)) == NULL) {
		printf("1..0 # skip no corpus %s\n", dir);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		names = realloc(names, (nn + 1) * sizeof(*names));
		if (names == NULL)
			return 1;
		names[nn++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, nn, sizeof(*names), cmp);
	for (i = 0; i < nn; i++) {
		FILE *f;
		uint8_t *buf = NULL;
		size_t cap = 0, got = 0, r;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if ((f = fopen(path, "rb")) == NULL) {
			printf("not ok %d - %s: cannot open\n", ++n, names[i]);
			continue;
		}
		for (;;) {
			if (got == cap) {
				cap = cap ? cap * 2 : 4096;
				buf = realloc(buf, cap);
				if (buf == NULL)
					return 1;
			}
			r = fread(buf + got, 1, cap - got, f);
			if (r == 0)
				break;
			got += r;
		}
		fclose(f);
		LLVMFuzzerTestOneInput(buf, got);
		free(buf);
		printf("ok %d - %s\n", ++n, names[i]);
		fflush(stdout);
		free(names[i]);
	}
	free(names);
	printf("1..%d\n", n);
	return 0;
}
