/*
 * fuzz-files.h - for fuzz targets whose code under test reads files: one
 * temporary directory per process, removed with everything in it at exit,
 * and the files written into it.  Header only: each target includes it once.
 */
#ifndef ERPIPE_FUZZ_FILES_H
#define ERPIPE_FUZZ_FILES_H

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char fuzz_dir_path[64];

static void
fuzz_dir_cleanup(void)
{
	DIR *d = opendir(fuzz_dir_path);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
	rmdir(fuzz_dir_path);
}

/* The directory, made on the first call ($TMPDIR/NAME.XXXXXX, /tmp without
 * TMPDIR; a campaign runs faster on a tmpfs); NULL when it cannot be made
 * or its name would not fit. */
static const char *
fuzz_dir(const char *name)
{
	if (fuzz_dir_path[0] == '\0') {
		const char *tmp = getenv("TMPDIR");

		if (tmp == NULL || *tmp == '\0')
			tmp = "/tmp";
		if ((size_t)snprintf(fuzz_dir_path, sizeof fuzz_dir_path, "%s/%s.XXXXXX", tmp,
		                     name) >= sizeof fuzz_dir_path) {
			fuzz_dir_path[0] = '\0';
			return NULL;
		}
		if (mkdtemp(fuzz_dir_path) == NULL) {
			fuzz_dir_path[0] = '\0';
			return NULL;
		}
		atexit(fuzz_dir_cleanup);
	}
	return fuzz_dir_path;
}

/* Write n bytes of p to path (created or truncated, mode 0600); 0 or -1. */
static int
fuzz_put(const char *path, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0)
		return -1;
	if (n && write(fd, p, n) != (ssize_t)n) {
		close(fd);
		return -1;
	}
	return close(fd);
}

#endif
