/*
 * replay.c - runs a fuzz target's corpus without libFuzzer, for make check.
 *
 * Linked with one tests/fuzz/fuzz-NAME.c into build/fuzz/fuzz-NAME-replay.
 * The corpus is $ERPIPE_TOP/tests/fuzz/corpus/fuzz-NAME/ (the binary's name
 * minus "-replay"; a directory named NAME without the "fuzz-" prefix is
 * accepted too), or the files and directories given as arguments.  Each
 * input is copied into a buffer of exactly its size, so the sanitizers see
 * any read past it, and passed to LLVMFuzzerTestOneInput; one TAP line each.
 */
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int n;

static int
run_file(const char *path)
{
	FILE *f;
	uint8_t *data;
	long len;

	if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		printf("not ok %d - %s: %s\n", ++n, path, strerror(errno));
		if (f)
			fclose(f);
		return 1;
	}
	/* malloc(0) may return NULL: always ask for at least one byte */
	if ((data = malloc(len ? (size_t)len : 1)) == NULL ||
	    fread(data, 1, (size_t)len, f) != (size_t)len) {
		printf("not ok %d - %s: cannot read\n", ++n, path);
		free(data);
		fclose(f);
		return 1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(data, (size_t)len);
	free(data);
	printf("ok %d - %s\n", ++n, path);
	fflush(stdout);
	return 0;
}

static int
cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int
skip_dot(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

static int
run_path(const char *path)
{
	struct dirent **ents;
	struct stat st;
	char sub[4096];
	int i, k, fail = 0;

	if (stat(path, &st) < 0) {
		printf("not ok %d - %s: %s\n", ++n, path, strerror(errno));
		return 1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path);
	if ((k = scandir(path, &ents, skip_dot, cmp)) < 0) {
		printf("not ok %d - %s: %s\n", ++n, path, strerror(errno));
		return 1;
	}
	for (i = 0; i < k; i++) {
		snprintf(sub, sizeof(sub), "%s/%s", path, ents[i]->d_name);
		fail |= run_path(sub);
		free(ents[i]);
	}
	free(ents);
	return fail;
}

int
main(int argc, char **argv)
{
	char self[1024], dir[4096], *name, *dash;
	const char *top = getenv("ERPIPE_TOP");
	struct stat st;
	int i, fail = 0;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	if (argc > 1) {
		for (i = 1; i < argc; i++)
			fail |= run_path(argv[i]);
	} else {
		snprintf(self, sizeof(self), "%s", argv[0]);
		name = basename(self);
		if ((dash = strstr(name, "-replay")) != NULL && dash[7] == '\0')
			*dash = '\0';
		snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s", top ? top : ".", name);
		if (stat(dir, &st) < 0 && strncmp(name, "fuzz-", 5) == 0)
			snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s", top ? top : ".",
			         name + 5);
		if (stat(dir, &st) < 0) {
			printf("1..0 # SKIP no corpus at %s\n", dir);
			return 0;
		}
		fail |= run_path(dir);
	}
	printf("1..%d\n", n);
	return fail;
}
