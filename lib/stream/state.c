#include "stream/state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/dt.h"
#include "base/fileio.h"
#include "base/log.h"

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

/* Lock the file at path, created if need be, and make sure the lock is
 * on what path names: a file deleted or replaced between the open and the
 * lock is opened again (as git and SQLite do).  The fd, or -1 (err). */
static int
lock_path(const char *path, const char *what, const char *state, struct ep_err *err)
{
	for (int tries = 0; tries < 100; tries++) {
		struct stat a, b;
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

		if (fd < 0) {
			ep_errf(err, EP_IOERR, "cannot open %s '%s': %s", what, path,
			        strerror(errno));
			return -1;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			int e = errno;
			ep_errf(err, e == EWOULDBLOCK ? EP_TEMPFAIL : EP_IOERR,
			        "state file '%s' is locked by another run%s%s", state,
			        e == EWOULDBLOCK ? "" : ": ", e == EWOULDBLOCK ? "" : strerror(e));
			close(fd);
			return -1;
		}
		if (fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev &&
		    a.st_ino == b.st_ino)
			return fd;
		close(fd); /* locked a file no longer at path: again */
	}
	ep_errf(err, EP_TEMPFAIL, "state file '%s': %s '%s' keeps changing", state, what, path);
	return -1;
}

/* Temporary files of commits a killed run left (path.tmp.PID). */
static void
remove_leftovers(const char *path)
{
	char *dcopy = strdup(path), *bcopy = strdup(path);
	const char *base;
	size_t bl;
	DIR *d;
	struct dirent *de;

	if (dcopy == NULL || bcopy == NULL || (d = opendir(dirname(dcopy))) == NULL) {
		free(dcopy);
		free(bcopy);
		return;
	}
	base = basename(bcopy);
	bl = strlen(base);
	while ((de = readdir(d)) != NULL) {
		const char *n = de->d_name, *p;

		if (strncmp(n, base, bl) != 0 || strncmp(n + bl, ".tmp.", 5) != 0)
			continue;
		for (p = n + bl + 5; *p >= '0' && *p <= '9'; p++)
			;
		if (p == n + bl + 5 || *p != '\0')
			continue;
		if (unlinkat(dirfd(d), n, 0) == 0)
			ep_info(1, "removed '%s', left by a run killed while it committed", n);
	}
	closedir(d);
	free(dcopy);
	free(bcopy);
}

int
state_open(struct state *st, const char *path, struct ep_err *err)
{
	struct buf lp = BUF_INIT;

	memset(st, 0, sizeof(*st));
	st->lockfd = st->statefd = -1;
	if ((st->path = strdup(path)) == NULL)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	if (buf_addf(&lp, "%s.lock", path) < 0) {
		buf_release(&lp);
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	}
	/* FILE.lock, then the state file itself: a FILE.lock deleted under a
	 * run lets a second run past the first lock, never past the second,
	 * which each commit moves to the new file before it is renamed in */
	st->lockfd = lock_path(lp.p, "lock", path, err);
	buf_release(&lp);
	if (st->lockfd < 0 || (st->statefd = lock_path(path, "state file", path, err)) < 0)
		return -1;
	remove_leftovers(path);
	if ((st->map = state_read(path, err)) == NULL)
		return -1;
	return 0;
}

/* -1, 0 or 1 as a is before, the same as, or after b; 2 when the two
 * cannot be ordered.  Numbers by value, strings by the time they name
 * when both are one (dt.h), else not ordered. */
static int
pos_cmp_value(const cJSON *a, const cJSON *b)
{
	struct dt_time ta, tb;

	if (cJSON_IsNumber(a) && cJSON_IsNumber(b))
		return (a->valuedouble > b->valuedouble) - (a->valuedouble < b->valuedouble);
	if (!cJSON_IsString(a) || !cJSON_IsString(b))
		return 2;
	if (strcmp(a->valuestring, b->valuestring) == 0)
		return 0;
	if (dt_parse(a->valuestring, strlen(a->valuestring), NULL, &ta) < 0 ||
	    dt_parse(b->valuestring, strlen(b->valuestring), NULL, &tb) < 0)
		return 2;
	if (ta.sec != tb.sec)
		return ta.sec < tb.sec ? -1 : 1;
	return (ta.nsec > tb.nsec) - (ta.nsec < tb.nsec);
}

int
state_pos_older(const cJSON *pos, const cJSON *committed)
{
	const cJSON *m;

	if (!cJSON_IsObject(pos) || !cJSON_IsObject(committed))
		return 0;
	for (m = pos->child; m; m = m->next) {
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(committed, m->string);
		int r = c ? pos_cmp_value(m, c) : 2;

		if (r != 0)
			return r == -1;
	}
	return 0;
}

/* The state file is still the one this run locked (not deleted or
 * replaced by hand, which would let a second committer in). */
static int
still_ours(struct state *st, struct ep_err *err)
{
	struct stat a, b;

	if (fstat(st->statefd, &a) == 0 && stat(st->path, &b) == 0 && a.st_dev == b.st_dev &&
	    a.st_ino == b.st_ino)
		return 0;
	return ep_errf(err, EP_TEMPFAIL,
	               "state file '%s' was removed or replaced during the run: not committing",
	               st->path);
}

int
state_commit(struct state *st, const char *stream, const cJSON *pos, struct ep_err *err)
{
	cJSON *dup, *old = cJSON_GetObjectItemCaseSensitive(st->map, stream);
	struct buf out = BUF_INIT;
	char *text;
	int rc, fd = -1;

	if (still_ours(st, err) < 0)
		return -1;
	if (old && state_pos_older(pos, old)) {
		/* a resumed run re-reads its overlap window: its first
		 * checkpoints are behind what is committed */
		ep_info(2, "checkpoint %s: behind the committed position, kept", stream);
		return 0;
	}
	if ((dup = cJSON_Duplicate(pos, 1)) == NULL)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	if (old)
		cJSON_ReplaceItemInObjectCaseSensitive(st->map, stream, dup);
	else
		cJSON_AddItemToObject(st->map, stream, dup);
	if ((text = cJSON_Print(st->map)) == NULL)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	if (buf_adds(&out, text) < 0 || buf_addc(&out, '\n') < 0)
		rc = ep_errf(err, EP_SOFTWARE, "out of memory");
	else if (out.len > STATE_MAX)
		/* state_read would refuse it: the file stays as it was */
		rc = ep_errf(err, EP_DATAERR,
		             "state file '%s': %zu bytes, more than the %u MiB a state file holds: "
		             "not committing",
		             st->path, out.len, STATE_MAX >> 20);
	else
		rc = file_write_atomic_keep(st->path, out.p, out.len, &fd, err);
	if (fd >= 0) {
		close(st->statefd); /* the old file's lock: the new one holds it now */
		st->statefd = fd;
	}
	free(text);
	buf_release(&out);
	return rc;
}

void
state_close(struct state *st)
{
	if (st->lockfd >= 0)
		close(st->lockfd);
	if (st->statefd >= 0)
		close(st->statefd);
	st->lockfd = st->statefd = -1;
	cJSON_Delete(st->map);
	st->map = NULL;
	free(st->path);
	st->path = NULL;
}
