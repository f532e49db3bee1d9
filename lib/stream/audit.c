#include "stream/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>
#include <openssl/evp.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "base/buf.h"
#include "base/cfg.h"
#include "base/clock.h"
#include "base/dt.h"
#include "base/fileio.h"
#include "stream/json_tree.h"
#include "base/redact.h"
#include "base/text.h"

#define HASH_HEX 64
static const char zeros[HASH_HEX + 1] =
	"0000000000000000000000000000000000000000000000000000000000000000";

/* ---- hashes ------------------------------------------------------------- */

static void
hex(const unsigned char *md, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[md[i] >> 4];
		out[2 * i + 1] = digits[md[i] & 15];
	}
	out[2 * n] = '\0';
}

/* SHA-256 and HMAC-SHA256 (RFC 2104) with their contexts made once: the
 * HMAC's inner and outer states after the padded key are kept and copied
 * for each line, so a line costs three short digests and no allocation. */
struct hasher {
	EVP_MD_CTX *md, *inner, *outer; /* inner, outer: NULL without a key */
	EVP_MD_CTX *fresh;              /* SHA-256 initialised once: copied, not
	                                    fetched again for every line */
};

static int
hasher_init(struct hasher *h, const char *key, size_t keylen)
{
	unsigned char k[64] = { 0 }, pad[64];
	unsigned int n = 0;

	memset(h, 0, sizeof(*h));
	if ((h->md = EVP_MD_CTX_new()) == NULL || (h->fresh = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(h->fresh, EVP_sha256(), NULL) != 1)
		return -1;
	if (key == NULL)
		return 0;
	if (keylen > sizeof(k))
		EVP_Digest(key, keylen, k, &n, EVP_sha256(), NULL);
	else
		memcpy(k, key, keylen);
	if ((h->inner = EVP_MD_CTX_new()) == NULL || (h->outer = EVP_MD_CTX_new()) == NULL)
		return -1;
	for (size_t i = 0; i < sizeof(k); i++)
		pad[i] = k[i] ^ 0x36;
	EVP_DigestInit_ex(h->inner, EVP_sha256(), NULL);
	EVP_DigestUpdate(h->inner, pad, sizeof(pad));
	for (size_t i = 0; i < sizeof(k); i++)
		pad[i] = k[i] ^ 0x5c;
	EVP_DigestInit_ex(h->outer, EVP_sha256(), NULL);
	EVP_DigestUpdate(h->outer, pad, sizeof(pad));
	OPENSSL_cleanse(k, sizeof(k));
	OPENSSL_cleanse(pad, sizeof(pad));
	return 0;
}

static void
hasher_free(struct hasher *h)
{
	EVP_MD_CTX_free(h->md);
	EVP_MD_CTX_free(h->inner);
	EVP_MD_CTX_free(h->outer);
	EVP_MD_CTX_free(h->fresh);
	memset(h, 0, sizeof(*h));
}

static void
sha256_hex(struct hasher *h, const char *p, size_t n, char out[HASH_HEX + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	EVP_MD_CTX_copy_ex(h->md, h->fresh);
	EVP_DigestUpdate(h->md, p, n);
	EVP_DigestFinal_ex(h->md, md, &len);
	hex(md, 32, out);
}

/* HMAC-SHA256 of body followed by tail */
static void
hmac_hex(struct hasher *h, const char *body, size_t n, const char *tail, char out[HASH_HEX + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	EVP_MD_CTX_copy_ex(h->md, h->inner);
	EVP_DigestUpdate(h->md, body, n);
	EVP_DigestUpdate(h->md, tail, strlen(tail));
	EVP_DigestFinal_ex(h->md, md, &len);
	EVP_MD_CTX_copy_ex(h->md, h->outer);
	EVP_DigestUpdate(h->md, md, len);
	EVP_DigestFinal_ex(h->md, md, &len);
	hex(md, 32, out);
}

struct audit {
	char *path, *lockpath;
	int fd, lockfd;
	dev_t dev;
	ino_t ino;
	char *key; /* HMAC key, or NULL */
	size_t keylen;
	struct hasher h;
	struct buf head;  /* "run","host","user","program",...: after "time" */
	struct buf queue; /* bodies of queued lines, '\n' separated */
	struct buf out;
	size_t nqueued;
	size_t line_at; /* where the line being made starts in queue */
	int nchanges;   /* its changes so far; -1: changes null */
	int line_rc;    /* -1: memory ran out making it */
};

/* The hash of the last line of fd's file into out (zeros when empty).
 * -1 with err when the file ends with a cut line or cannot be read. */
static int
last_hash(int fd, const char *path, char out[HASH_HEX + 1], struct ep_err *err)
{
	struct stat sb;
	char chunk[65536];
	off_t end, start, pos;
	EVP_MD_CTX *ctx;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	char c;

	if (fstat(fd, &sb) < 0)
		return ep_errf(err, EP_IOERR, "cannot stat '%s': %s", path, strerror(errno));
	end = sb.st_size;
	if (end == 0) {
		memcpy(out, zeros, sizeof(zeros));
		return 0;
	}
	if (pread(fd, &c, 1, end - 1) != 1 || c != '\n')
		return ep_errf(err, EP_DATAERR,
		               "audit file '%s' ends with a cut line: see erpipe-audit verify",
		               path);
	/* back to the newline before the last one */
	start = 0;
	for (pos = end - 1; pos > 0 && start == 0;) {
		size_t n = pos > (off_t)sizeof(chunk) ? sizeof(chunk) : (size_t)pos;
		ssize_t r = pread(fd, chunk, n, pos - (off_t)n);

		if (r != (ssize_t)n)
			return ep_errf(err, EP_IOERR, "cannot read '%s'", path);
		for (size_t i = n; i > 0; i--)
			if (chunk[i - 1] == '\n') {
				start = pos - (off_t)n + (off_t)i;
				break;
			}
		pos -= (off_t)n;
		if (end - pos > (off_t)AUDIT_LINE_MAX)
			return ep_errf(err, EP_DATAERR, "audit file '%s': last line too long",
			               path);
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	for (pos = start; pos < end - 1;) {
		size_t n = end - 1 - pos > (off_t)sizeof(chunk) ? sizeof(chunk)
		                                                : (size_t)(end - 1 - pos);
		ssize_t r = pread(fd, chunk, n, pos);

		if (r <= 0) {
			EVP_MD_CTX_free(ctx);
			return ep_errf(err, EP_IOERR, "cannot read '%s'", path);
		}
		EVP_DigestUpdate(ctx, chunk, (size_t)r);
		pos += r;
	}
	EVP_DigestFinal_ex(ctx, md, &len);
	EVP_MD_CTX_free(ctx);
	hex(md, 32, out);
	return 0;
}

/* ---- the lines ---------------------------------------------------------- */

/* ,"name": -- names are ours, never escaped; no printf on the way (a
 * line is made for every write) */
static void
add_name(struct buf *b, const char *name)
{
	buf_add(b, ",\"", 2);
	buf_adds(b, name);
	buf_add(b, "\":", 2);
}

static void
add_str(struct buf *b, const char *name, const char *v)
{
	add_name(b, name);
	if (v == NULL || v[0] == '\0')
		buf_adds(b, "null");
	else
		json_quote(b, v, strlen(v));
}

/* "run", "host", "user" and the stream, for every line */
static void
identity(struct buf *b, const char *program, const char *system, const char *profile,
         const char *entity)
{
	unsigned char r[16];
	char run[33], host[256] = "";
	const struct passwd *pw = getpwuid(geteuid());

	if (RAND_bytes(r, sizeof(r)) != 1) /* not a secret: unique is enough */
		for (size_t i = 0; i < sizeof(r); i++)
			r[i] = (unsigned char)(rand() ^ getpid() ^ time(NULL) >> (i % 8));
	hex(r, sizeof(r), run);
	gethostname(host, sizeof(host) - 1);
	add_str(b, "run", run);
	add_str(b, "host", host);
	add_str(b, "user", pw ? pw->pw_name : getenv("USER"));
	add_str(b, "program", program);
	add_str(b, "system", system);
	add_str(b, "profile", profile);
	add_str(b, "entity", entity);
}

static void
add_time(struct buf *b)
{
	static int64_t sec = -1;
	static char t[40];
	int64_t ms = ep_wall_ms(ep_clock_system());
	char frac[6] = { '0', '0', '0', 'Z', '"', 0 };
	int f = (int)(ms % 1000);

	if (ms / 1000 != sec) { /* formatted once a second */
		sec = ms / 1000;
		dt_format(sec, "{\"time\":\"%Y-%m-%dT%H:%M:%S.", NULL, t, sizeof(t));
	}
	frac[0] = (char)('0' + f / 100);
	frac[1] = (char)('0' + f / 10 % 10);
	frac[2] = (char)('0' + f % 10);
	buf_adds(b, t);
	buf_adds(b, frac);
}

/* body + "prev" (+ "hmac") + "}\n" onto out; prev becomes this line's hash */
static void
seal(struct buf *out, const char *body, size_t n, struct hasher *h, char prev[HASH_HEX + 1])
{
	size_t at = out->len;

	buf_add(out, body, n);
	buf_add(out, ",\"prev\":\"", 9);
	buf_add(out, prev, HASH_HEX);
	buf_addc(out, '"');
	if (h->inner) {
		char mac[HASH_HEX + 1];

		hmac_hex(h, out->p + at, out->len - at, "}", mac);
		buf_add(out, ",\"hmac\":\"", 9);
		buf_add(out, mac, HASH_HEX);
		buf_addc(out, '"');
	}
	buf_addc(out, '}');
	sha256_hex(h, out->p + at, out->len - at, prev);
	buf_addc(out, '\n');
}

/* "name":{"old":…,"new":…} of one field of "changes" (old left out when
 * !with_old), a secret-looking field's values as "***" (null stays null). */
static int
add_change(struct buf *b, const char *name, const cJSON *old, int with_old, const cJSON *new)
{
	size_t n = strlen(name);
	int secret = redact_is_secret_field(name, n), rc = 0;

	json_quote(b, name, n);
	buf_addc(b, ':');
	buf_addc(b, '{');
	if (with_old) {
		buf_adds(b, "\"old\":");
		if (old == NULL || cJSON_IsNull(old))
			buf_adds(b, "null");
		else
			rc |= secret ? buf_adds(b, "\"***\"") : json_tree_print_buf(b, old);
		buf_addc(b, ',');
	}
	buf_adds(b, "\"new\":");
	if (new == NULL || cJSON_IsNull(new))
		buf_adds(b, "null");
	else
		rc |= secret ? buf_adds(b, "\"***\"") : json_tree_print_buf(b, new);
	return buf_addc(b, '}') | rc;
}

static int
add_json(struct buf *b, const char *name, const cJSON *v)
{
	add_name(b, name);
	return v == NULL ? buf_adds(b, "null") : json_tree_print_buf(b, v);
}

/* ---- writing ------------------------------------------------------------ */

static int
open_file(struct audit *a, struct ep_err *err)
{
	struct stat sb;

	if (a->fd >= 0)
		close(a->fd);
	a->fd = open(a->path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (a->fd < 0 || fstat(a->fd, &sb) < 0)
		return ep_errf(err, EP_IOERR, "cannot open audit file '%s': %s", a->path,
		               strerror(errno));
	a->dev = sb.st_dev;
	a->ino = sb.st_ino;
	return 0;
}

static int
lock(int *lockfd, const char *lockpath, struct ep_err *err)
{
	if (*lockfd < 0 && (*lockfd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
		return ep_errf(err, EP_IOERR, "cannot open '%s': %s", lockpath, strerror(errno));
	while (flock(*lockfd, LOCK_EX) < 0)
		if (errno != EINTR)
			return ep_errf(err, EP_IOERR, "cannot lock '%s': %s", lockpath,
			               strerror(errno));
	return 0;
}

static char *
lock_path(const char *path)
{
	char *p = malloc(strlen(path) + 6);

	if (p)
		sprintf(p, "%s.lock", path);
	return p;
}

static char *
read_key(const char *key_file, size_t *len, struct ep_err *err)
{
	char *k = cfg_read_secret_file(key_file, err);

	if (k)
		*len = strlen(k);
	return k;
}

struct audit *
audit_open(const char *path, const char *key_file, const char *program, const char *system,
           const char *profile, const char *entity, struct ep_err *err)
{
	struct audit *a = calloc(1, sizeof(*a));

	if (a == NULL || (a->path = strdup(path)) == NULL ||
	    (a->lockpath = lock_path(path)) == NULL) {
		ep_errf(err, EP_SOFTWARE, "out of memory");
		goto fail;
	}
	a->fd = a->lockfd = -1;
	buf_init(&a->head, 0);
	buf_init(&a->queue, 0);
	buf_init(&a->out, 0);
	if (key_file && (a->key = read_key(key_file, &a->keylen, err)) == NULL)
		goto fail;
	if (hasher_init(&a->h, a->key, a->keylen) < 0) {
		ep_errf(err, EP_SOFTWARE, "out of memory");
		goto fail;
	}
	if (open_file(a, err) < 0)
		goto fail;
	identity(&a->head, program, system, profile, entity);
	return a;
fail:
	audit_close(a);
	return NULL;
}

void
audit_begin(struct audit *a, const char *op, const char *status, const cJSON *key, const cJSON *id,
            int changes)
{
	struct buf *b = &a->queue;

	a->line_at = b->len;
	add_time(b);
	buf_add(b, a->head.p, a->head.len);
	add_str(b, "op", op);
	add_str(b, "status", status);
	a->line_rc = add_json(b, "key", key) | add_json(b, "id", id);
	buf_adds(b, changes ? ",\"changes\":{" : ",\"changes\":null");
	a->nchanges = changes ? 0 : -1;
}

void
audit_change(struct audit *a, const char *field, const cJSON *old, int with_old, const cJSON *new)
{
	if (a->nchanges < 0)
		return;
	if (a->nchanges++ > 0)
		buf_addc(&a->queue, ',');
	a->line_rc |= add_change(&a->queue, field, old, with_old, new);
}

int
audit_end(struct audit *a, const char *source, uint64_t line, struct ep_err *err)
{
	struct buf *b = &a->queue;
	if (a->nchanges >= 0)
		buf_addc(b, '}');
	add_name(b, "source");
	if (source == NULL) {
		buf_adds(b, "null");
	} else {
		char num[24], *p = num + sizeof(num);

		do
			*--p = (char)('0' + line % 10);
		while ((line /= 10) > 0);
		/* "FILE:LINE", the file as json_quote writes it */
		json_quote(b, source, strlen(source));
		b->len--; /* its closing quote */
		buf_addc(b, ':');
		buf_add(b, p, (size_t)(num + sizeof(num) - p));
		buf_addc(b, '"');
	}
	buf_addc(b, '\n');
	if (a->line_rc || buf_str(b)[0] == '\0') {
		b->len = a->line_at; /* the line is not queued half made */
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	}
	a->nqueued++;
	return 0;
}

int
audit_add(struct audit *a, const char *op, const char *status, const cJSON *key, const cJSON *id,
          const cJSON *changes, const char *source, uint64_t line, struct ep_err *err)
{
	audit_begin(a, op, status, key, id, changes != NULL);
	for (const cJSON *f = changes ? changes->child : NULL; f; f = f->next) {
		const cJSON *old = cJSON_GetObjectItemCaseSensitive(f, "old");

		audit_change(a, f->string, old, old != NULL,
		             cJSON_GetObjectItemCaseSensitive(f, "new"));
	}
	return audit_end(a, source, line, err);
}

/* A rotate line onto a->out: the first of a new file, chained to the old
 * file's last line (prev). */
static void
rotate_line(struct audit *a, const char *rotated, char prev[HASH_HEX + 1])
{
	struct buf b = BUF_INIT;

	add_time(&b);
	buf_add(&b, a->head.p, a->head.len);
	add_str(&b, "op", "rotate");
	add_str(&b, "rotated_to", rotated);
	seal(&a->out, b.p, b.len, &a->h, prev);
	buf_release(&b);
}

/* The path no longer names our file (renamed away: rotated, or removed):
 * a new file there, starting with a rotate line chained to ours. */
static int
follow_rotation(struct audit *a, char prev[HASH_HEX + 1], struct ep_err *err)
{
	struct stat sb;

	if (stat(a->path, &sb) == 0 && sb.st_dev == a->dev && sb.st_ino == a->ino)
		return 0;
	if (stat(a->path, &sb) == 0) /* rotated by erpipe-audit: its rotate line is there */
		return open_file(a, err);
	if (last_hash(a->fd, a->path, prev, err) < 0 || open_file(a, err) < 0)
		return -1;
	rotate_line(a, NULL, prev);
	return 0;
}

int
audit_flush(struct audit *a, struct ep_err *err)
{
	char prev[HASH_HEX + 1];
	const char *p, *end, *nl;
	size_t off;
	int rc = -1;

	if (a->nqueued == 0)
		return 0;
	if (lock(&a->lockfd, a->lockpath, err) < 0)
		return -1;
	buf_reset(&a->out);
	if (follow_rotation(a, prev, err) < 0)
		goto out;
	if (a->out.len == 0 && last_hash(a->fd, a->path, prev, err) < 0)
		goto out;
	for (p = a->queue.p, end = p + a->queue.len; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		seal(&a->out, p, (size_t)(nl - p), &a->h, prev);
	}
	if (buf_str(&a->out)[0] == '\0') {
		ep_errf(err, EP_SOFTWARE, "out of memory");
		goto out;
	}
	for (off = 0; off < a->out.len;) {
		ssize_t n = write(a->fd, a->out.p + off, a->out.len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ep_errf(err, EP_IOERR, "cannot write audit file '%s': %s", a->path,
			        strerror(errno));
			goto out;
		}
		off += (size_t)n;
	}
#ifdef SYNC_FILE_RANGE_WRITE
	/* start writing the batch out now, while the next one is on the
	 * network: the fsync at the checkpoint then has little left to do */
	{
		off_t endpos = lseek(a->fd, 0, SEEK_END);

		if (endpos > 0)
			sync_file_range(a->fd, endpos - (off_t)a->out.len, (off_t)a->out.len,
			                SYNC_FILE_RANGE_WRITE);
	}
#endif
	buf_reset(&a->queue);
	a->nqueued = 0;
	rc = 0;
out:
	flock(a->lockfd, LOCK_UN);
	return rc;
}

int
audit_sync(struct audit *a, struct ep_err *err)
{
	if (audit_flush(a, err) < 0)
		return -1;
	if (fsync(a->fd) < 0)
		return ep_errf(err, EP_IOERR, "cannot fsync audit file '%s': %s", a->path,
		               strerror(errno));
	return 0;
}

void
audit_close(struct audit *a)
{
	if (a == NULL)
		return;
	if (a->fd >= 0)
		close(a->fd);
	if (a->lockfd >= 0)
		close(a->lockfd);
	if (a->key) {
		explicit_bzero(a->key, a->keylen);
		free(a->key);
	}
	hasher_free(&a->h);
	buf_release(&a->head);
	buf_release(&a->queue);
	buf_release(&a->out);
	free(a->path);
	free(a->lockpath);
	free(a);
}

/* ---- rotation ----------------------------------------------------------- */

int
audit_rotate(const char *path, const char *rotated, const char *key_file, struct ep_err *err)
{
	struct audit *a = audit_open(path, key_file, "erpipe-audit", NULL, NULL, NULL, err);
	char prev[HASH_HEX + 1];
	struct stat sb;
	int rc = -1;

	if (a == NULL)
		return -1;
	if (lock(&a->lockfd, a->lockpath, err) < 0)
		goto out;
	if (open_file(a, err) < 0 || last_hash(a->fd, path, prev, err) < 0)
		goto unlock;
	if (lstat(rotated, &sb) == 0) {
		ep_errf(err, EP_IOERR, "'%s' exists: not replaced", rotated);
		goto unlock;
	}
	if (rename(path, rotated) < 0) {
		ep_errf(err, EP_IOERR, "cannot rename '%s' to '%s': %s", path, rotated,
		        strerror(errno));
		goto unlock;
	}
	if (open_file(a, err) < 0)
		goto unlock;
	buf_reset(&a->out);
	rotate_line(a, rotated, prev);
	if (write(a->fd, a->out.p, a->out.len) != (ssize_t)a->out.len || fsync(a->fd) < 0 ||
	    file_sync_dir(path) < 0) {
		ep_errf(err, EP_IOERR, "cannot write '%s': %s", path, strerror(errno));
		goto unlock;
	}
	rc = 0;
unlock:
	flock(a->lockfd, LOCK_UN);
out:
	audit_close(a);
	return rc;
}

/* ---- verification -------------------------------------------------------- */

static int
is_hex64(const char *s)
{
	if (strlen(s) != HASH_HEX)
		return 0;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return 0;
	return 1;
}

/* One line (n bytes, no '\n'): its own checks; *prev_given set. */
static int
check_line(const char *p, size_t n, struct hasher *h, char given[HASH_HEX + 1], int *rotate,
           struct ep_err *err)
{
	static const char hm[] = ",\"hmac\":\"";
	cJSON *doc = cJSON_ParseWithLength(p, n);
	const cJSON *prev, *op, *mac;
	int rc = 0;

	if (!cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		return ep_errf(err, EP_DATAERR, "not a JSON object (the line was edited or cut)");
	}
	prev = cJSON_GetObjectItemCaseSensitive(doc, "prev");
	op = cJSON_GetObjectItemCaseSensitive(doc, "op");
	mac = cJSON_GetObjectItemCaseSensitive(doc, "hmac");
	*rotate = cJSON_IsString(op) && strcmp(op->valuestring, "rotate") == 0;
	if (!cJSON_IsString(prev) || !is_hex64(prev->valuestring))
		rc = ep_errf(err, EP_DATAERR, "no \"prev\" hash");
	else
		strcpy(given, prev->valuestring);
	if (rc == 0 && h->inner) {
		char want[HASH_HEX + 1];
		size_t at = n - (sizeof(hm) - 1) - HASH_HEX - 2;

		if (!cJSON_IsString(mac) || n < sizeof(hm) + HASH_HEX + 2 ||
		    memcmp(p + at, hm, sizeof(hm) - 1) != 0 || memcmp(p + n - 2, "\"}", 2) != 0)
			rc = ep_errf(err, EP_DATAERR,
			             "no \"hmac\" at the end of the line (--key given)");
		else {
			hmac_hex(h, p, at, "}", want);
			if (memcmp(want, p + at + sizeof(hm) - 1, HASH_HEX) != 0)
				rc = ep_errf(
					err, EP_DATAERR,
					"the hmac does not match: the line was edited (or the key "
					"is another)");
		}
	}
	cJSON_Delete(doc);
	return rc;
}

int
audit_verify(char *const *files, int nfiles, const char *key_file, const char *expect,
             uint64_t *lines, char last[65], const char **bad_file, uint64_t *bad_line,
             struct ep_err *err)
{
	char *key = NULL, *line = NULL, given[HASH_HEX + 1], prev[HASH_HEX + 1];
	struct hasher h;
	size_t keylen = 0, cap = 0;
	uint64_t total = 0;
	int rc = 0, rotate = 0;

	*lines = 0;
	*bad_line = 0;
	*bad_file = NULL;
	memcpy(prev, zeros, sizeof(zeros));
	if (key_file && (key = read_key(key_file, &keylen, err)) == NULL)
		return -1;
	if (hasher_init(&h, key, keylen) < 0) {
		hasher_free(&h);
		free(key);
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	}
	for (int i = 0; i < nfiles && rc == 0; i++) {
		FILE *fp = strcmp(files[i], "-") == 0 ? stdin : fopen(files[i], "r");
		uint64_t ln = 0;
		ssize_t n;

		if (fp == NULL) {
			rc = ep_errf(err, errno == ENOENT ? EP_NOINPUT : EP_IOERR,
			             "cannot open '%s': %s", files[i], strerror(errno));
			*bad_file = files[i];
			break;
		}
		*bad_file = files[i];
		while (rc == 0 && (n = getline(&line, &cap, fp)) > 0) {
			ln++;
			*bad_line = ln;
			if (line[n - 1] != '\n') {
				rc = ep_errf(err, EP_DATAERR, "cut short (no final newline)");
				break;
			}
			if ((size_t)n > AUDIT_LINE_MAX) {
				rc = ep_errf(err, EP_DATAERR, "longer than %u bytes",
				             AUDIT_LINE_MAX);
				break;
			}
			if (check_line(line, (size_t)n - 1, &h, given, &rotate, err) < 0) {
				rc = -1;
				break;
			}
			if (total == 0 && !rotate && strcmp(given, zeros) != 0)
				rc = ep_errf(
					err, EP_DATAERR,
					"the chain does not start here: \"prev\" is not zeros and "
					"this is no rotate line (lines removed before it)");
			else if (total > 0 && strcmp(given, prev) != 0)
				rc = ep_errf(
					err, EP_DATAERR,
					"\"prev\" is not the hash of the line before it: that line "
					"was edited, or lines were removed or moved here");
			sha256_hex(&h, line, (size_t)n - 1, prev);
			total++;
		}
		if (rc == 0 && ferror(fp))
			rc = ep_errf(err, EP_IOERR, "cannot read '%s'", files[i]);
		if (fp != stdin)
			fclose(fp);
	}
	if (rc == 0 && expect && strcmp(expect, prev) != 0) {
		*bad_line = (*bad_line) + 1;
		rc = ep_errf(err, EP_DATAERR,
		             "the last line is not the one expected (%.12s…): lines removed from "
		             "the end",
		             expect);
	}
	if (rc == 0) {
		*bad_file = NULL;
		*bad_line = 0;
	}
	*lines = total;
	strcpy(last, prev);
	free(line);
	hasher_free(&h);
	if (key) {
		explicit_bzero(key, keylen);
		free(key);
	}
	return rc < 0 ? -1 : 0;
}
