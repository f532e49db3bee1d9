#include "stream/reject.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "stream/ndjson.h"
#include "base/text.h"

int
reject_open(struct reject_sink *s, const char *path, struct ep_err *err)
{
	struct stat sb;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	buf_init(&s->b, 0);
	if (path == NULL)
		return 0;
	s->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (s->fd < 0)
		return ep_errf(err, EP_IOERR, "cannot open rejects file '%s': %s", path,
		               strerror(errno));
	if ((s->path = strdup(path)) == NULL)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	if (fstat(s->fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
		s->regular = 1;
		if (sb.st_size > 0 && ndjson_cut_tail(s->fd, path, "rejects file", sb.st_size) < 0)
			return ep_errf(err, EP_IOERR, "cannot repair rejects file '%s': %s", path,
			               strerror(errno));
	}
	return 0;
}

int
reject_format(struct buf *b, const struct reject *r)
{
	struct buf src = BUF_INIT;
	int rc = 0;

	rc |= buf_adds(b, "{\"stage\":");
	rc |= json_quote(b, r->stage, strlen(r->stage));
	rc |= buf_adds(b, ",\"source\":");
	rc |= buf_addf(&src, "%s:%llu", r->source, (unsigned long long)r->line);
	rc |= json_quote(b, buf_str(&src), src.len);
	buf_release(&src);
	rc |= buf_adds(b, ",\"error\":");
	rc |= json_quote(b, r->error, strlen(r->error));
	rc |= buf_adds(b, ",\"errors\":[");
	if (r->nitems == 0) {
		rc |= buf_adds(b, "{\"path\":\"\",\"message\":");
		rc |= json_quote(b, r->error, strlen(r->error));
		rc |= buf_addc(b, '}');
	}
	for (size_t i = 0; i < r->nitems; i++) {
		rc |= buf_adds(b, i ? ",{\"path\":" : "{\"path\":");
		rc |= json_quote(b, r->items[i].path, strlen(r->items[i].path));
		rc |= buf_adds(b, ",\"message\":");
		rc |= json_quote(b, r->items[i].message, strlen(r->items[i].message));
		if (r->items[i].detail) {
			rc |= buf_addc(b, ',');
			rc |= buf_adds(b, r->items[i].detail);
		}
		rc |= buf_addc(b, '}');
	}
	rc |= buf_addc(b, ']');
	if (r->record) {
		rc |= buf_adds(b, ",\"record\":");
		rc |= buf_add(b, r->record, r->record_len);
	} else if (r->raw) {
		rc |= buf_adds(b, ",\"raw\":");
		rc |= json_quote(b, r->raw, r->raw_len);
		rc |= buf_adds(b, ",\"raw_b64\":\"");
		rc |= b64_encode(b, r->raw, r->raw_len);
		rc |= buf_addc(b, '"');
		if (r->raw_total > r->raw_len)
			rc |= buf_addf(b, ",\"raw_truncated\":true,\"raw_bytes\":%llu",
			               (unsigned long long)r->raw_total);
	}
	rc |= buf_addc(b, '}');
	return rc ? -1 : 0;
}

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
reject_write(struct reject_sink *s, const struct reject *r, struct ep_err *err)
{
	buf_reset(&s->b);
	s->count++;
	if (s->fd < 0) {
		/* text: "prog: source:line: stage: error[; more errors]" */
		buf_addf(&s->b, "%s: %s:%llu: %s: %s", ep_prog, r->source,
		         (unsigned long long)r->line, r->stage, r->error);
		for (size_t i = 1; i < r->nitems; i++)
			buf_addf(&s->b, "; %s%s%s", r->items[i].path,
			         r->items[i].path[0] ? ": " : "", r->items[i].message);
		buf_addc(&s->b, '\n');
		if (write_all(2, s->b.p, s->b.len) < 0)
			return ep_errf(err, EP_IOERR, "cannot write to stderr: %s",
			               strerror(errno));
		return 0;
	}
	if (reject_format(&s->b, r) < 0 || buf_addc(&s->b, '\n') < 0)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	if (write_all(s->fd, s->b.p, s->b.len) < 0)
		return ep_errf(err, EP_IOERR, "cannot write rejects to '%s': %s", s->path,
		               strerror(errno));
	return 0;
}

int
reject_sync(struct reject_sink *s, struct ep_err *err)
{
	if (s->fd >= 0 && s->regular && fsync(s->fd) < 0)
		return ep_errf(err, EP_IOERR, "cannot fsync rejects '%s': %s", s->path,
		               strerror(errno));
	return 0;
}

void
reject_close(struct reject_sink *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	free(s->path);
	s->path = NULL;
	buf_release(&s->b);
}
