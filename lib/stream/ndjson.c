#include "stream/ndjson.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "base/ops.h"
#include "base/stop.h"

#define READ_CHUNK (256u << 10)

int
ndjson_open(struct ndjson_reader *r, const char *path, size_t max_line, struct ep_err *err)
{
	memset(r, 0, sizeof(*r));
	r->max_line = max_line ? max_line : NDJ_DEFAULT_MAX_LINE;
	buf_init(&r->keep, NDJ_KEEP);
	if (path == NULL || strcmp(path, "-") == 0) {
		r->fd = 0;
		r->name = strdup("stdin");
	} else {
		if ((r->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			return ep_errf(err, errno == ENOENT ? EP_NOINPUT : EP_IOERR,
			               "cannot open '%s': %s", path, strerror(errno));
		r->own_fd = 1;
		r->name = strdup(path);
	}
	r->cap = READ_CHUNK;
	r->buf = malloc(r->cap);
	if (r->name == NULL || r->buf == NULL) {
		ndjson_close(r);
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	}
	return 0;
}

void
ndjson_close(struct ndjson_reader *r)
{
	if (r->own_fd && r->fd >= 0)
		close(r->fd);
	free(r->buf);
	free(r->name);
	buf_release(&r->keep);
	r->buf = r->name = NULL;
	r->fd = -1;
}

/* Read more bytes at r->end; 0 at EOF, -1 on error, else bytes read. */
static ssize_t
fill(struct ndjson_reader *r, struct ep_err *err)
{
	ssize_t n;

	if (r->before_block) {
		struct pollfd pfd = { r->fd, POLLIN, 0 };
		if (poll(&pfd, 1, 0) == 0)
			r->before_block(r->ctx);
	}
	do
		n = read(r->fd, r->buf + r->end, r->cap - r->end);
	while (n < 0 && errno == EINTR && !stop_signal());
	if (n < 0 && errno == EINTR) {
		/* asked to stop while waiting: the end of this input; a
		 * line in hand, not whole yet, is read again next run */
		r->stopped = 1;
		return 0;
	}
	if (n < 0)
		return ep_errf(err, EP_IOERR, "read error on '%s': %s", r->name, strerror(errno));
	r->end += (size_t)n;
	ops.bytes_in += (uint64_t)n;
	return n;
}

/* Make room after end: slide the pending line to the front, then grow. */
static int
room(struct ndjson_reader *r)
{
	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->scan -= r->start;
		r->start = 0;
	}
	if (r->end < r->cap)
		return 0;
	size_t ncap = r->cap * 2;
	if (ncap > r->max_line + 2)
		ncap = r->max_line + 2; /* the line, a "\r", and one byte to see it is over */
	if (ncap <= r->cap)
		return 1; /* full: the line is too long */
	char *nb = realloc(r->buf, ncap);
	if (nb == NULL)
		return -1;
	r->buf = nb;
	r->cap = ncap;
	return 0;
}

static int
blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return 0;
	return 1;
}

/* Skip the rest of an over-long line; its head is in r->keep. */
static enum ndjson_kind
too_long(struct ndjson_reader *r, struct ndjson_line *line, struct ep_err *err)
{
	uint64_t total = r->end - r->start;
	char *nl;

	buf_reset(&r->keep);
	buf_add(&r->keep, r->buf + r->start, total < NDJ_KEEP ? total : NDJ_KEEP);
	r->start = r->end = r->scan = 0;
	for (;;) {
		ssize_t n = fill(r, err);
		if (n < 0)
			return NDJ_ERROR;
		if (r->stopped)
			return NDJ_EOF;
		if (n == 0) {
			r->eof = 1;
			line->last_no_nl = 1;
			break;
		}
		if ((nl = memchr(r->buf, '\n', r->end)) != NULL) {
			total += (uint64_t)(nl - r->buf);
			r->start = r->scan = (size_t)(nl - r->buf) + 1;
			break;
		}
		total += r->end;
		r->end = 0;
	}
	line->p = r->keep.p;
	line->len = r->keep.len;
	line->total = total;
	line->lineno = r->lineno;
	return NDJ_TOO_LONG;
}

enum ndjson_kind
ndjson_next(struct ndjson_reader *r, struct ndjson_line *line, struct ep_err *err)
{
	for (;;) {
		char *nl = NULL;

		if (r->scan < r->end)
			nl = memchr(r->buf + r->scan, '\n', r->end - r->scan);
		if (nl == NULL) {
			r->scan = r->end;
			if (!r->eof) {
				int rm = room(r);
				if (rm < 0)
					return ep_errf(err, EP_SOFTWARE, "out of memory"),
					       NDJ_ERROR;
				if (rm == 0 && r->end - r->start <= r->max_line) {
					ssize_t n = fill(r, err);
					if (n < 0)
						return NDJ_ERROR;
					if (r->stopped)
						return NDJ_EOF;
					if (n == 0)
						r->eof = 1;
					continue;
				}
				/* full buffer and no newline: over max_line */
				memset(line, 0, sizeof(*line));
				r->lineno++;
				return too_long(r, line, err);
			}
			if (r->start == r->end)
				return NDJ_EOF;
			/* the last line, without its newline */
			memset(line, 0, sizeof(*line));
			line->p = r->buf + r->start;
			line->len = r->end - r->start;
			line->last_no_nl = 1;
			r->start = r->scan = r->end;
			r->lineno++;
		} else {
			memset(line, 0, sizeof(*line));
			line->p = r->buf + r->start;
			line->len = (size_t)(nl - line->p);
			r->start = r->scan = (size_t)(nl - r->buf) + 1;
			r->lineno++;
		}
		if (!r->raw && line->len > 0 && line->p[line->len - 1] == '\r')
			line->len--;
		if (line->len > r->max_line) {
			/* whole line in the buffer but over the limit */
			buf_reset(&r->keep);
			buf_add(&r->keep, line->p, line->len < NDJ_KEEP ? line->len : NDJ_KEEP);
			line->total = line->len;
			line->p = r->keep.p;
			line->len = r->keep.len;
			line->lineno = r->lineno;
			return NDJ_TOO_LONG;
		}
		if (!r->raw && blank(line->p, line->len)) {
			if (r->eof && r->start == r->end)
				return NDJ_EOF;
			continue;
		}
		line->total = line->len;
		line->lineno = r->lineno;
		return NDJ_LINE;
	}
}

/* A last line without its newline: cut the file back to the newline
 * before it (ndjson.h). */
int
ndjson_cut_tail(int fd, const char *path, const char *what, off_t size)
{
	char b[4096];
	off_t end = size;
	int rfd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;

	if (rfd < 0)
		return errno == EACCES ? 0 : -1; /* a write-only file: left as it is */
	for (;;) {
		size_t n = end > (off_t)sizeof(b) ? sizeof(b) : (size_t)end;
		ssize_t r = pread(rfd, b, n, end - (off_t)n);
		off_t keep = -1;

		if (r != (ssize_t)n) {
			rc = r < 0 ? -1 : 0;
			break;
		}
		if (end == size && b[n - 1] == '\n')
			break; /* whole */
		for (size_t i = n; i > 0 && keep < 0; i--)
			if (b[i - 1] == '\n')
				keep = end - (off_t)n + (off_t)i;
		end -= (off_t)n;
		if (keep < 0 && end == 0)
			keep = 0;
		if (keep >= 0) {
			ep_warn("%s '%s': a cut last line (%lld bytes) removed", what, path,
			        (long long)(size - keep));
			rc = ftruncate(fd, keep);
			break;
		}
	}
	close(rfd);
	return rc;
}

int
ndjson_repair_stdout(struct ep_err *err)
{
	struct stat sb;
	int fl = fcntl(1, F_GETFL);

	/* only a file appended to: one opened afresh starts empty, and a
	 * file written at its start is the caller's to mind */
	if (fl < 0 || !(fl & O_APPEND) || fstat(1, &sb) < 0 || !S_ISREG(sb.st_mode) ||
	    sb.st_size == 0)
		return 0;
	if (ndjson_cut_tail(1, "/proc/self/fd/1", "standard output", sb.st_size) < 0)
		return ep_errf(err, EP_IOERR, "cannot repair standard output: %s", strerror(errno));
	return 0;
}

void
ndjson_writer_init(struct ndjson_writer *w, int fd)
{
	memset(w, 0, sizeof(*w));
	w->fd = fd;
	w->flush_at = 64u << 10;
	w->clock = ep_clock_system();
	buf_init(&w->b, 0);
}

int
ndjson_flush(struct ndjson_writer *w)
{
	size_t off = 0;

	if (w->epipe || w->failed)
		return -1;
	while (off < w->b.len) {
		ssize_t n = write(w->fd, w->b.p + off, w->b.len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EPIPE)
				w->epipe = 1;
			else
				w->failed = errno;
			return -1;
		}
		off += (size_t)n;
		ops.bytes_out += (uint64_t)n;
	}
	buf_reset(&w->b);
	w->pending = 0;
	if (w->flush_ms > 0)
		w->last_flush = ep_now_ms(w->clock);
	return 0;
}

int
ndjson_write(struct ndjson_writer *w, const char *p, size_t len)
{
	if (w->epipe || w->failed)
		return -1;
	if (buf_grow(&w->b, len + 1) < 0) {
		w->failed = ENOMEM;
		return -1;
	}
	memcpy(w->b.p + w->b.len, p, len);
	w->b.len += len;
	return ndjson_write_end(w);
}

int
ndjson_write_end(struct ndjson_writer *w)
{
	if (w->epipe || w->failed)
		return -1;
	if (buf_grow(&w->b, 1) < 0) {
		w->failed = ENOMEM;
		return -1;
	}
	w->b.p[w->b.len++] = '\n';
	w->b.p[w->b.len] = '\0';
	w->pending++;
	if (w->b.len >= w->flush_at || (w->flush_every > 0 && w->pending >= w->flush_every))
		return ndjson_flush(w);
	if (w->flush_ms > 0 && ep_now_ms(w->clock) - w->last_flush >= w->flush_ms)
		return ndjson_flush(w);
	return 0;
}

int
ndjson_sync(struct ndjson_writer *w)
{
	struct stat st;

	if (ndjson_flush(w) < 0)
		return -1;
	if (fstat(w->fd, &st) == 0 && S_ISREG(st.st_mode) && fsync(w->fd) < 0) {
		w->failed = errno;
		return -1;
	}
	return 0;
}

void
ndjson_writer_free(struct ndjson_writer *w)
{
	buf_release(&w->b);
}
