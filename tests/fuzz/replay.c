/*
 * replay.c - runs a fuzz target's seed corpus as a regression test.
 *
 * Linked with each tests/fuzz/fuzz-NAME.c into build/fuzz/fuzz-NAME-replay;
 * feeds every file of tests/fuzz/corpus/fuzz-NAME/ (under $ERPIPE_TOP, or
 * the current directory) to LLVMFuzzerTestOneInput and prints TAP.  A
 * crash or sanitizer report fails the test; so does an empty corpus.
 */
#include <dirent.h>
#include <libgen.h>
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
main(int argc, char *argv[])
{
	char name[256], dir[4096], path[8192];
	const char *top = getenv("ERPIPE_TOP");
	char *base = strdup(argv[0]), *p;
	char **files = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;

	(void)argc;
	snprintf(name, sizeof(name), "%s", basename(base));
	free(base);
	if ((p = strstr(name, "-replay")) != NULL)
		*p = '\0';
	snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s", top ? top : ".", name);
	if ((d = opendir(dir)) == NULL) {
		printf("1..1\nnot ok 1 - corpus '%s' missing\n", dir);
		return 1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			files = realloc(files, cap * sizeof(*files));
		}
		files[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(files, n, sizeof(*files), cmp);
	printf("1..%zu\n", n ? n : 1);
	if (n == 0)
		printf("not ok 1 - corpus '%s' is empty\n", dir);
	for (size_t i = 0; i < n; i++) {
		FILE *fp;
		long len;
		uint8_t *data;

		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		fp = fopen(path, "rb");
		if (fp == NULL || fseek(fp, 0, SEEK_END) < 0 || (len = ftell(fp)) < 0) {
			printf("not ok %zu - %s unreadable\n", i + 1, files[i]);
			if (fp)
				fclose(fp);
			continue;
		}
		rewind(fp);
		data = malloc((size_t)len + 1);
		if (fread(data, 1, (size_t)len, fp) != (size_t)len) {
			printf("not ok %zu - %s short read\n", i + 1, files[i]);
		} else {
			LLVMFuzzerTestOneInput(data, (size_t)len);
			printf("ok %zu - %s\n", i + 1, files[i]);
		}
		fflush(stdout);
		free(data);
		fclose(fp);
		free(files[i]);
	}
	free(files);
	return n ? 0 : 1;
}
