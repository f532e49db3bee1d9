/*
 * replay.c - runs a fuzz target's seed corpus without libFuzzer, so
 * `make check` (and SANITIZE=1) exercise every fuzz target.  The corpus is
 * $ERPIPE_TOP/tests/fuzz/corpus/<name>/, name being argv[0]'s basename
 * without "-replay".  Prints TAP: one line per file.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
main(int argc, char **argv)
{
	const char *top = getenv("ERPIPE_TOP"), *base;
	char name[256], dir[4096];
	DIR *d;
	struct dirent *e;
	int n = 0;

	(void)argc;
	base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	snprintf(name, sizeof name, "%s", base);
	if (strlen(name) > 7 && strcmp(name + strlen(name) - 7, "-replay") == 0)
		name[strlen(name) - 7] = '\0';
	snprintf(dir, sizeof dir, "%s/tests/fuzz/corpus/%s", top ? top : ".", name);
	if ((d = opendir(dir)) == NULL) {
		printf("1..0 # SKIP no corpus %s\n", dir);
		return 0;
	}
	while ((e = readdir(d)) != NULL) {
		char path[8192];
		FILE *f;
		unsigned char *buf;
		long len;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if ((f = fopen(path, "rb")) == NULL)
			continue;
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		fseek(f, 0, SEEK_SET);
		buf = malloc(len > 0 ? (size_t)len : 1);
		if (buf == NULL || (len > 0 && fread(buf, 1, (size_t)len, f) != (size_t)len)) {
			printf("not ok %d - %s (read)\n", ++n, e->d_name);
			free(buf);
			fclose(f);
			continue;
		}
		fclose(f);
		LLVMFuzzerTestOneInput(buf, (size_t)len);
		free(buf);
		printf("ok %d - %s\n", ++n, e->d_name);
	}
	closedir(d);
	printf("1..%d\n", n);
	return 0;
}
