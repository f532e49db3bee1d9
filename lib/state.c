#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"

#define STATE_MAX (16u << 20)

cJSON *
state_read(const char *path, struct ep_err *err)
{
	struct buf b = BUF_INIT;
	char chunk[8192];
	ssize_t n;
	int fd;
	cJSON *map;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return cJSON_CreateObject();
		ep_errf(err, EP_IOERR, "cannot open state file '%s': %s", path, strerror(errno));
		return NULL;
	}
	buf_init(&b, STATE_MAX);
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || buf_add(&b, chunk, (size_t)n) < 0) {
			ep_errf(err, EP_IOERR, "cannot read state file '%s': %s", path,
				n < 0 ? strerror(errno) : "too large");
			close(fd);
			buf_release(&b);
			return NULL;
		}
	}
	close(fd);
	if (b.len == 0) {
		buf_release(&b);
		return cJSON_CreateObject();
	}
	map = cJSON_ParseWithLength(b.p, b.len);
	buf_release(&b);
	if (map == NULL || !cJSON_IsObject(map)) {
		cJSON_Delete(map);
		ep_errf(err, EP_DATAERR, "state file '%s': not a JSON object", path);
		return NULL;
	}
	return map;
}

int
state_open(struct state *st, const char *path, struct ep_err *err)
{
	struct buf lp = BUF_INIT;

	memset(st, 0, sizeof(*st));
	st->lockfd = -1;
	if ((st->path = strdup(path)) == NULL)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	buf_addf(&lp, "%s.lock", path);
	st->lockfd = open(lp.p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (st->lockfd < 0) {
		ep_errf(err, EP_IOERR, "cannot open lock '%s': %s", lp.p, strerror(errno));
		buf_release(&lp);
		return -1;
	}
	if (flock(st->lockfd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		ep_errf(err, e == EWOULDBLOCK ? EP_TEMPFAIL : EP_IOERR,
			"state file '%s' is locked by another run%s%s", path,
			e == EWOULDBLOCK ? "" : ": ", e == EWOULDBLOCK ? "" : strerror(e));
		buf_release(&lp);
		return -1;
	}
	buf_release(&lp);
	if ((st->map = state_read(path, err)) == NULL)
		return -1;
	return 0;
}

int
file_write_atomic(const char *path, const char *data, size_t len, struct ep_err *err)
{
	struct buf tmp = BUF_INIT;
	char *dcopy = NULL;
	int fd = -1, dfd = -1, rc = -1;
	size_t off = 0;

	buf_addf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	if ((fd = open(tmp.p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
		ep_errf(err, EP_IOERR, "cannot create '%s': %s", tmp.p, strerror(errno));
		goto out;
	}
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ep_errf(err, EP_IOERR, "cannot write '%s': %s", tmp.p, strerror(errno));
			goto out;
		}
		off += (size_t)n;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		ep_errf(err, EP_IOERR, "cannot sync '%s': %s", tmp.p, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp.p, path) < 0) {
		ep_errf(err, EP_IOERR, "cannot rename '%s' to '%s': %s", tmp.p, path,
			strerror(errno));
		goto out;
	}
	dcopy = strdup(path);
	if (dcopy && (dfd = open(dirname(dcopy), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		if (fsync(dfd) < 0) {
			ep_errf(err, EP_IOERR, "cannot sync directory of '%s': %s", path,
				strerror(errno));
			goto out;
		}
	}
	rc = 0;
out:
	if (fd >= 0) {
		close(fd);
		unlink(tmp.p);
	}
	if (dfd >= 0)
		close(dfd);
	free(dcopy);
	buf_release(&tmp);
	return rc;
}

int
state_commit(struct state *st, const char *stream, const cJSON *pos, struct ep_err *err)
{
	cJSON *dup = cJSON_Duplicate(pos, 1);
	struct buf out = BUF_INIT;
	char *text;
	int rc;

	if (dup == NULL)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	if (cJSON_HasObjectItem(st->map, stream))
		cJSON_ReplaceItemInObjectCaseSensitive(st->map, stream, dup);
	else
		cJSON_AddItemToObject(st->map, stream, dup);
	if ((text = cJSON_Print(st->map)) == NULL)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	if (buf_adds(&out, text) < 0 || buf_addc(&out, '\n') < 0)
		rc = ep_errf(err, EP_SOFTWARE, "out of memory");
	else
		rc = file_write_atomic(st->path, out.p, out.len, err);
	free(text);
	buf_release(&out);
	return rc;
}

void
state_close(struct state *st)
{
	if (st->lockfd >= 0)
		close(st->lockfd);
	st->lockfd = -1;
	cJSON_Delete(st->map);
	st->map = NULL;
	free(st->path);
	st->path = NULL;
}
