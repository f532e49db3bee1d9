#include "base/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int
ep_errf(struct ep_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	err->code = code;
	err->what = 0;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int
ep_err_prefix(struct ep_err *err, const char *fmt, ...)
{
	char pre[512], old[sizeof(err->msg)];
	size_t n;
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	n = strlen(pre);
	if (n > sizeof(err->msg) - 3)
		n = sizeof(err->msg) - 3;
	memcpy(err->msg, pre, n);
	memcpy(err->msg + n, ": ", 2);
	n += 2;
	strncpy(err->msg + n, old, sizeof(err->msg) - n - 1);
	err->msg[sizeof(err->msg) - 1] = '\0';
	return -1;
}

void
ep_err_clear(struct ep_err *err)
{
	if (err != NULL) {
		err->code = 0;
		err->msg[0] = '\0';
		err->what = 0;
	}
}

int
ep_err_closed(struct ep_err *err)
{
	ep_errf(err, EP_IOERR, "output closed");
	if (err != NULL)
		err->what = EP_ERR_CLOSED;
	return -1;
}
