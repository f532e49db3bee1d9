#include "base/find.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef ERPIPE_SRCDIR
#define ERPIPE_SRCDIR "."
#endif
#ifndef ERPIPE_DATADIR
#define ERPIPE_DATADIR "/usr/local/share/erpipe"
#endif

static int
is_file(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int
try_dir(const char *dir, const char *name, const char *ext, char *out, size_t n)
{
	int r = snprintf(out, n, "%s/%s%s", dir, name, ext);

	return r > 0 && (size_t)r < n && is_file(out);
}

static int
try_kind(const char *top, const char *kind, const char *name, const char *ext, char *out, size_t n)
{
	char d[4096];
	int r = snprintf(d, sizeof d, "%s/%s", top, kind);

	return r > 0 && (size_t)r < sizeof d && try_dir(d, name, ext, out, n);
}

int
ep_find(const char *name, const char *kind, const char *ext, const char *dir, char *out, size_t n)
{
	const char *env = getenv("ERPIPE_PATH");
	size_t el, nl = strlen(name);

	if (ext == NULL)
		ext = "";
	el = strlen(ext);
	if (nl == 0)
		return -1;
	if (name[0] == '/' ||
	    ((strchr(name, '/') || (el && nl > el && strcmp(name + nl - el, ext) == 0)) &&
	     is_file(name))) {
		if (snprintf(out, n, "%s", name) >= (int)n)
			return -1;
		return is_file(out) ? 0 : -1;
	}
	if (dir && try_dir(dir, name, ext, out, n))
		return 0;
	if (env) {
		const char *p = env;

		while (*p) {
			const char *c = strchr(p, ':');
			size_t l = c ? (size_t)(c - p) : strlen(p);
			char d[4096];

			if (l > 0 && l < sizeof d) {
				memcpy(d, p, l);
				d[l] = '\0';
				if (try_dir(d, name, ext, out, n))
					return 0;
			}
			p += l;
			if (*p == ':')
				p++;
		}
	}
	if (try_kind(".", kind, name, ext, out, n) ||
	    try_kind(ERPIPE_SRCDIR "/examples", kind, name, ext, out, n) ||
	    try_kind(ERPIPE_DATADIR, kind, name, ext, out, n))
		return 0;
	if (strchr(name, '/') && try_dir(".", name, ext, out, n))
		return 0;
	return -1;
}
