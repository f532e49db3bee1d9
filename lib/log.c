#include "log.h"

#include "err.h"

#include <stdarg.h>
#include <stdio.h>

const char *ep_prog = "erpipe";
int ep_verbose = 0;

static void
vlog(const char *fmt, va_list ap)
{
	char line[4096];

	vsnprintf(line, sizeof(line), fmt, ap);
	/* one fprintf so concurrent writers do not interleave mid-line */
	fprintf(stderr, "%s: %s\n", ep_prog, line);
}

void
ep_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void
ep_info(int level, const char *fmt, ...)
{
	va_list ap;

	if (ep_verbose < level)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

int
ep_fail_once(int *status, int code, const char *fmt, ...)
{
	va_list ap;

	if (*status != 0)
		return -1;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
	*status = code ? code : EP_SOFTWARE;
	return -1;
}
