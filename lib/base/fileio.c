/* fileio.c - files written whole, atomically (fileio.h); moved from
 * state.c so that base modules (ops) write their files without the stream
 * layer's state. */
#include "base/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "base/buf.h"

int
file_write_atomic_keep(const char *path, const char *data, size_t len, int *keep,
                       struct ep_err *err)
{
	struct buf tmp = BUF_INIT;
	int fd = -1, rc = -1;
	size_t off = 0;

	buf_addf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	if ((fd = open(tmp.p, (keep ? O_RDWR : O_WRONLY) | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) <
	    0) {
		ep_errf(err, EP_IOERR, "cannot create '%s': %s", tmp.p, strerror(errno));
		goto out;
	}
	if (keep && flock(fd, LOCK_EX | LOCK_NB) < 0) {
		ep_errf(err, EP_IOERR, "cannot lock '%s': %s", tmp.p, strerror(errno));
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
	if (fsync(fd) < 0 || (!keep && close(fd) < 0)) {
		if (!keep)
			fd = -1;
		ep_errf(err, EP_IOERR, "cannot sync '%s': %s", tmp.p, strerror(errno));
		goto out;
	}
	if (rename(tmp.p, path) < 0) {
		ep_errf(err, EP_IOERR, "cannot rename '%s' to '%s': %s", tmp.p, path,
		        strerror(errno));
		goto out;
	}
	if (keep)
		*keep = fd;
	fd = -1;
	if (file_sync_dir(path) < 0) {
		ep_errf(err, EP_IOERR, "cannot sync directory of '%s': %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0) {
		close(fd);
		unlink(tmp.p);
	}
	buf_release(&tmp);
	return rc;
}

int
file_write_atomic(const char *path, const char *data, size_t len, struct ep_err *err)
{
	return file_write_atomic_keep(path, data, len, NULL, err);
}

int
file_sync_dir(const char *path)
{
	char *copy = strdup(path);
	int dfd, rc = 0;

	if (copy == NULL)
		return -1;
	if ((dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		rc = fsync(dfd);
		close(dfd);
	}
	free(copy);
	return rc;
}

int
file_commit(const char *tmp, const char *path, struct ep_err *err)
{
	if (rename(tmp, path) < 0)
		return ep_errf(err, EP_IOERR, "cannot rename '%s' to '%s': %s", tmp, path,
		               strerror(errno));
	if (file_sync_dir(path) < 0)
		return ep_errf(err, EP_IOERR, "cannot sync directory of '%s': %s", path,
		               strerror(errno));
	return 0;
}
