#include "base/log.h"

#include "base/buf.h"
#include "base/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *ep_prog = "erpipe";
int ep_verbose = 0;

int (*ep_log_filter)(const char *in, size_t len, struct buf *out);
void (*ep_log_before)(void);

static void
vlog(const char *fmt, va_list ap)
{
	char line[4096];
	struct buf red = BUF_INIT;

	vsnprintf(line, sizeof(line), fmt, ap);
	if (ep_log_filter) {
		buf_init(&red, 4 * sizeof(line));
		if (ep_log_filter(line, strlen(line), &red) < 0) {
			buf_reset(&red);
			buf_adds(&red, "[a message that could not be redacted: not shown]");
		}
	}
	if (ep_log_before)
		ep_log_before();
	/* one fprintf so concurrent writers do not interleave mid-line */
	fprintf(stderr, "%s: %s\n", ep_prog, ep_log_filter ? buf_str(&red) : line);
	buf_release(&red);
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
