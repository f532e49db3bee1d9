/*
 * webhook.c - signed-webhook receiver with a durable spool.  See webhook.h.
 */
#include "proto/webhook.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>
#include <microhttpd.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "base/cfg.h"
#include "base/fileio.h"
#include "stream/json_tree.h"
#include "base/opt.h"
#include "base/seen.h"

#define SPOOL_LINE_MAX (64u << 20)
#define CERT_MAX (1u << 20) /* largest certificate chain file */

struct webhook {
	char *spool, *lockpath, *secret, *sig_header, *id_header, *type_prefix;
	char *dir;      /* the spool's directory, where a trim writes */
	char *tls_cert; /* PEM text, while the server runs */
	char *tls_key;  /* PEM text, a secret: wiped at close */
	size_t secret_len, max_body;
	int lockfd, fd; /* fd: O_APPEND for the writer */
	dev_t fd_dev;   /* what fd is, to tell a spool removed or replaced */
	ino_t fd_ino;
	int write_failed; /* the last append failed */
	struct MHD_Daemon *mhd;
	char mhd_msg[256]; /* libmicrohttpd's last complaint (while starting) */
	int port;
	pthread_mutex_t mu;
	pthread_cond_t cond;
	uint64_t next_seq;  /* to give the next accepted event */
	uint64_t last_read; /* seq of the last event webhook_next returned */
	off_t rd_off;       /* where the reader goes on in the spool */
	struct seen *seen;
	struct webhook_stats st;
	struct buf rbuf; /* reader scratch */
};

/* one request's body */
struct req {
	struct buf body;
	int too_big;
};

static int
oom(struct ep_err *err)
{
	return ep_errf(err, EP_SOFTWARE, "out of memory");
}

void
webhook_sign(const char *key, size_t keylen, const char *body, size_t len, char out[72])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)body, len, md, &n);
	memcpy(out, "sha256=", 7);
	for (i = 0; i < n && i < 32; i++) {
		out[7 + 2 * i] = hex[md[i] >> 4];
		out[8 + 2 * i] = hex[md[i] & 15];
	}
	out[7 + 2 * i] = '\0';
}

static int
signature_ok(struct webhook *w, const char *given, const char *body, size_t len)
{
	char want[72];
	size_t n;
	int ok;

	if (given == NULL)
		return 0;
	webhook_sign(w->secret, w->secret_len, body, len, want);
	n = strlen(given);
	if (n != strlen(want))
		return 0;
	/* the hex may come in upper case */
	{
		char g[72];
		size_t i;

		for (i = 0; i < n; i++)
			g[i] = (given[i] >= 'A' && given[i] <= 'F') ? (char)(given[i] + 32)
			                                            : given[i];
		ok = strncasecmp(given, "sha256=", 7) == 0 &&
		     CRYPTO_memcmp(g + 7, want + 7, n - 7) == 0;
	}
	return ok;
}

/* ---- the spool ------------------------------------------------------------ */

/* The event's created_at (of j, or of j's member `in`), or "". */
static const char *
created_at(const cJSON *j, const char *in)
{
	const cJSON *e = in ? cJSON_GetObjectItemCaseSensitive(j, in) : j;
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(e, "created_at");

	return cJSON_IsString(c) ? c->valuestring : "";
}

/* Parse one spool line: its seq and id (pointing into the cJSON). */
static cJSON *
spool_line(const char *p, size_t len, uint64_t *seq, const char **id)
{
	cJSON *j = cJSON_ParseWithLength(p, len), *s, *i, *e;

	if (!cJSON_IsObject(j))
		goto bad;
	s = cJSON_GetObjectItemCaseSensitive(j, "seq");
	i = cJSON_GetObjectItemCaseSensitive(j, "id");
	e = cJSON_GetObjectItemCaseSensitive(j, "event");
	if (!cJSON_IsNumber(s) || s->valuedouble < 1 || s->valuedouble > 9007199254740992.0 ||
	    !cJSON_IsString(i) || !cJSON_IsObject(e))
		goto bad;
	*seq = (uint64_t)s->valuedouble;
	*id = i->valuestring;
	return j;
bad:
	cJSON_Delete(j);
	return NULL;
}

/* All of fd into b; what names the file in messages ("spool"). */
static int
read_all(int fd, struct buf *b, const char *what, const char *path, struct ep_err *err)
{
	char chunk[65536];
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return ep_errf(err, EP_IOERR, "cannot read %s '%s': %s", what, path,
		               strerror(errno));
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ep_errf(err, EP_IOERR, "cannot read %s '%s': %s", what, path,
			               strerror(errno));
		if (buf_add(b, chunk, (size_t)n) < 0)
			return b->max && b->len + (size_t)n > b->max
			               ? ep_errf(err, EP_CONFIG, "%s '%s' is larger than %zu KiB",
			                         what, path, b->max / 1024)
			               : oom(err);
	}
	return 0;
}

static int
reopen_append(struct webhook *w, struct ep_err *err)
{
	int fd = open(w->spool, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	struct stat sb;

	if (fd < 0 || fstat(fd, &sb) < 0) {
		ep_errf(err, EP_IOERR, "cannot open spool '%s': %s", w->spool, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (w->fd >= 0)
		close(w->fd);
	w->fd = fd;
	w->fd_dev = sb.st_dev;
	w->fd_ino = sb.st_ino;
	return 0;
}

/* Does the spool's path still name the file the writer appends to?  An
 * event appended to a removed or replaced spool would be lost at the next
 * start.  Caller holds mu. */
static int
spool_in_place(struct webhook *w)
{
	struct stat sb;

	return stat(w->spool, &sb) == 0 && sb.st_dev == w->fd_dev && sb.st_ino == w->fd_ino;
}

/* Why the spool cannot be written now, one word, or NULL when it can
 * (/healthz).  Caller holds mu. */
static const char *
spool_health(struct webhook *w)
{
	struct statvfs vs;

	if (w->write_failed)
		return "write-failed";
	if (!spool_in_place(w))
		return "spool-gone";
	if (access(w->dir, W_OK) < 0 || fstatvfs(w->fd, &vs) < 0 || (vs.f_flag & ST_RDONLY))
		return "not-writable";
	if ((uint64_t)vs.f_bavail * vs.f_frsize < 2 * (uint64_t)w->max_body)
		return "no-space";
	return NULL;
}

/*
 * Rewrite the spool keeping lines with seq > committed; with `load` (at
 * open) also check every line, remember ids and the highest seq, and drop
 * a torn last line.  Sets rd_off to the first line after last_read.
 * Caller holds mu (or is alone).
 */
static int
spool_rewrite(struct webhook *w, uint64_t committed, int load, struct ep_err *err)
{
	struct buf all = BUF_INIT, keep = BUF_INIT;
	size_t off = 0, lineno = 0;
	uint64_t seq, maxseq = 0;
	off_t rd = -1;
	int changed = 0, rc = -1;
	int rfd = open(w->spool, O_RDONLY | O_CLOEXEC);

	if (rfd < 0) {
		if (errno != ENOENT)
			return ep_errf(err, EP_IOERR, "cannot open spool '%s': %s", w->spool,
			               strerror(errno));
	} else {
		rc = read_all(rfd, &all, "spool", w->spool, err);
		close(rfd);
		if (rc < 0)
			goto out;
		rc = -1;
	}
	while (off < all.len) {
		const char *p = all.p + off, *nl = memchr(p, '\n', all.len - off);
		size_t len = nl ? (size_t)(nl - p) : all.len - off;
		const char *id;
		cJSON *j;

		lineno++;
		if (nl == NULL) { /* torn: the writer died before its fsync and answer */
			changed = 1;
			break;
		}
		if ((j = spool_line(p, len, &seq, &id)) == NULL) {
			ep_errf(err, EP_DATAERR, "%s:%zu: not a spool line", w->spool, lineno);
			goto out;
		}
		if (seq > maxseq)
			maxseq = seq;
		if (seq > committed) {
			if (load && seen_add(w->seen, id, created_at(j, "event")) < 0) {
				cJSON_Delete(j);
				oom(err);
				goto out;
			}
			if (rd < 0 && seq > w->last_read)
				rd = (off_t)keep.len;
			if (buf_add(&keep, p, len + 1) < 0) {
				cJSON_Delete(j);
				oom(err);
				goto out;
			}
		} else
			changed = 1;
		cJSON_Delete(j);
		off += len + 1;
	}
	if (load) {
		w->next_seq = (maxseq > committed ? maxseq : committed) + 1;
		w->st.last_seq = w->next_seq - 1;
	}
	if (changed || rfd < 0) {
		if (file_write_atomic(w->spool, keep.p ? keep.p : "", keep.len, err) < 0)
			goto out;
		if (reopen_append(w, err) < 0)
			goto out;
	} else if (w->fd < 0 && reopen_append(w, err) < 0)
		goto out;
	w->rd_off = rd < 0 ? (off_t)keep.len : rd;
	rc = 0;
out:
	buf_release(&all);
	buf_release(&keep);
	return rc;
}

int
webhook_trim(struct webhook *w, uint64_t committed, struct ep_err *err)
{
	int rc;

	pthread_mutex_lock(&w->mu);
	rc = spool_rewrite(w, committed, 0, err);
	pthread_mutex_unlock(&w->mu);
	return rc;
}

/* Append one accepted event; 0, or -1 (the answer is then 503). */
static int
spool_append(struct webhook *w, const char *id, const char *type, const cJSON *event)
{
	struct buf line = BUF_INIT;
	char *ev = json_tree_print(event);
	cJSON *i = cJSON_CreateString(id), *t = cJSON_CreateString(type);
	char *is = i ? json_tree_print(i) : NULL, *ts = t ? json_tree_print(t) : NULL;
	size_t done = 0;
	int rc = -1;

	if (!spool_in_place(w))
		goto out;
	if (ev == NULL || is == NULL || ts == NULL ||
	    buf_addf(&line, "{\"seq\":%" PRIu64 ",\"id\":%s,\"type\":%s,\"event\":%s}\n",
	             w->next_seq, is, ts, ev) < 0)
		goto out;
	while (done < line.len) {
		ssize_t n = write(w->fd, line.p + done, line.len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto out;
		done += (size_t)n;
	}
	if (fsync(w->fd) < 0)
		goto out;
	w->st.last_seq = w->next_seq++;
	rc = 0;
out:
	w->write_failed = rc < 0;
	if (rc < 0 && done > 0 && done < line.len) {
		/* a torn line would stop the reader: cut it off again */
		struct stat sb;

		if (fstat(w->fd, &sb) == 0)
			if (ftruncate(w->fd, sb.st_size - (off_t)done) < 0)
				rc = -1;
	}
	free(ev);
	free(is);
	free(ts);
	cJSON_Delete(i);
	cJSON_Delete(t);
	buf_release(&line);
	return rc;
}

/* ---- the server ------------------------------------------------------------ */

static enum MHD_Result
answer(struct MHD_Connection *c, unsigned int status, const char *json)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(strlen(json), (void *)json, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", "application/json");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* GET or HEAD /healthz: no signature, no data, no secret. */
static enum MHD_Result
health(struct webhook *w, struct MHD_Connection *c)
{
	static char ok[] = "ok\n";
	const char *why;
	struct MHD_Response *r;
	enum MHD_Result ret;
	char text[32];

	pthread_mutex_lock(&w->mu);
	why = spool_health(w);
	pthread_mutex_unlock(&w->mu);
	if (why)
		snprintf(text, sizeof(text), "%s\n", why);
	r = why ? MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_COPY)
	        : MHD_create_response_from_buffer(strlen(ok), ok, MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", "text/plain");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	ret = MHD_queue_response(c, why ? 503 : 200, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
handle(struct webhook *w, struct MHD_Connection *c, struct req *rq)
{
	const char *sig = MHD_lookup_connection_value(c, MHD_HEADER_KIND, w->sig_header);
	const char *hid = MHD_lookup_connection_value(c, MHD_HEADER_KIND, w->id_header);
	const char *body = buf_str(&rq->body);
	cJSON *j = NULL, *id, *type;
	const char *ids;
	enum MHD_Result ret;
	int fresh;

	if (rq->too_big) {
		pthread_mutex_lock(&w->mu);
		w->st.bad++;
		pthread_mutex_unlock(&w->mu);
		return answer(c, 413, "{\"error\":\"body too large\"}");
	}
	if (!signature_ok(w, sig, body, rq->body.len)) {
		pthread_mutex_lock(&w->mu);
		w->st.refused++;
		pthread_mutex_unlock(&w->mu);
		return answer(c, 401, "{\"error\":\"bad or missing signature\"}");
	}
	j = cJSON_ParseWithLength(body, rq->body.len);
	id = cJSON_GetObjectItemCaseSensitive(j, "id");
	type = cJSON_GetObjectItemCaseSensitive(j, "type");
	ids = cJSON_IsString(id) && *id->valuestring ? id->valuestring : hid;
	if (!cJSON_IsObject(j) || ids == NULL || *ids == '\0' || !cJSON_IsString(type)) {
		cJSON_Delete(j);
		pthread_mutex_lock(&w->mu);
		w->st.bad++;
		pthread_mutex_unlock(&w->mu);
		return answer(c, 400, "{\"error\":\"want a JSON object with id and type\"}");
	}
	pthread_mutex_lock(&w->mu);
	if (w->type_prefix &&
	    strncmp(type->valuestring, w->type_prefix, strlen(w->type_prefix)) != 0) {
		w->st.ignored++;
		pthread_mutex_unlock(&w->mu);
		cJSON_Delete(j);
		return answer(c, 200, "{\"ok\":true,\"ignored\":true}");
	}
	/* a repeat has the same id and created_at; the set forgets the oldest
	 * created_at first */
	fresh = seen_add(w->seen, ids, created_at(j, NULL));
	if (fresh == 0) {
		w->st.repeated++;
		pthread_mutex_unlock(&w->mu);
		cJSON_Delete(j);
		return answer(c, 200, "{\"ok\":true,\"repeat\":true}");
	}
	if (fresh < 0 || spool_append(w, ids, type->valuestring, j) < 0) {
		/* not kept: the sender's retry must not pass for a repeat */
		if (fresh > 0)
			seen_forget(w->seen, ids, created_at(j, NULL));
		pthread_mutex_unlock(&w->mu);
		cJSON_Delete(j);
		return answer(c, 503, "{\"error\":\"cannot write the spool\"}");
	}
	w->st.accepted++;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->mu);
	cJSON_Delete(j);
	ret = answer(c, 200, "{\"ok\":true}");
	return ret;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
           const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	struct webhook *w = cls;
	struct req *rq = *con_cls;

	(void)version;
	if (rq == NULL) {
		if ((rq = calloc(1, sizeof(*rq))) == NULL)
			return MHD_NO;
		buf_init(&rq->body, w->max_body);
		*con_cls = rq;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (!rq->too_big && buf_add(&rq->body, upload, *upload_size) < 0)
			rq->too_big = 1;
		*upload_size = 0;
		return MHD_YES;
	}
	if (strcmp(url, "/healthz") == 0 &&
	    (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0))
		return health(w, c);
	if (strcmp(method, "POST") != 0) {
		struct MHD_Response *r =
			MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		enum MHD_Result ret;

		if (r == NULL)
			return MHD_NO;
		MHD_add_response_header(r, "Allow", "POST");
		ret = MHD_queue_response(c, 405, r);
		MHD_destroy_response(r);
		return ret;
	}
	return handle(w, c, rq);
}

static void
on_done(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode t)
{
	struct req *rq = *con_cls;

	(void)cls;
	(void)c;
	(void)t;
	if (rq) {
		buf_release(&rq->body);
		free(rq);
		*con_cls = NULL;
	}
}

static int
parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len, struct ep_err *err)
{
	char host[128];
	const char *colon, *h = s;
	size_t hl;
	long port;
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (*s == '[') {
		const char *rb = strchr(s, ']');

		if (rb == NULL || rb[1] != ':')
			goto bad;
		h = s + 1;
		hl = (size_t)(rb - h);
		colon = rb + 1;
	} else {
		if ((colon = strrchr(s, ':')) == NULL)
			goto bad;
		hl = (size_t)(colon - s);
	}
	if (hl >= sizeof(host) || ep_parse_long(colon + 1, 0, 65535, &port) < 0)
		goto bad;
	memcpy(host, h, hl);
	host[hl] = '\0';
	if (hl == 0 || strcmp(host, "*") == 0)
		strcpy(host, "0.0.0.0");
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		*len = sizeof(*a4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*a6);
		return 0;
	}
bad:
	return ep_errf(err, EP_USAGE,
	               "--listen '%s': want ADDR:PORT with a numeric address "
	               "(127.0.0.1:8080, [::1]:8080, *:8080)",
	               s);
}

static int
loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >> 24) == 127;
	return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)ss)->sin6_addr);
}

/* a key with a passphrase is refused, never asked for on a terminal */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/* Read the certificate and the key (a secret file), and check that they
 * are a pair, before GnuTLS (in libmicrohttpd) takes them. */
static int
tls_load(struct webhook *w, const struct webhook_opts *o, struct ep_err *err)
{
	struct buf cert = BUF_INIT;
	BIO *bc = NULL, *bk = NULL;
	X509 *x = NULL;
	EVP_PKEY *k = NULL;
	int fd, rc = -1;

	buf_init(&cert, CERT_MAX);
	if ((fd = open(o->tls_cert, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0)
		return ep_errf(err, EP_CONFIG, "cannot open certificate '%s': %s", o->tls_cert,
		               strerror(errno));
	rc = read_all(fd, &cert, "certificate", o->tls_cert, err);
	close(fd);
	if (rc < 0 || (w->tls_key = cfg_read_secret_file(o->tls_key, err)) == NULL) {
		rc = -1;
		goto out;
	}
	rc = -1;
	if (buf_str(&cert)[0] == '\0' || (w->tls_cert = buf_detach(&cert, NULL)) == NULL) {
		ep_errf(err, EP_CONFIG, "certificate '%s' is empty", o->tls_cert);
		goto out;
	}
	if ((bc = BIO_new_mem_buf(w->tls_cert, -1)) == NULL ||
	    (bk = BIO_new_mem_buf(w->tls_key, -1)) == NULL) {
		oom(err);
		goto out;
	}
	if ((x = PEM_read_bio_X509(bc, NULL, no_passphrase, NULL)) == NULL)
		ep_errf(err, EP_CONFIG, "certificate '%s' holds no PEM certificate", o->tls_cert);
	else if ((k = PEM_read_bio_PrivateKey(bk, NULL, no_passphrase, NULL)) == NULL)
		ep_errf(err, EP_CONFIG, "key '%s' holds no PEM private key without a passphrase",
		        o->tls_key);
	else if (X509_check_private_key(x, k) != 1)
		ep_errf(err, EP_CONFIG, "certificate '%s' is not for the key '%s'", o->tls_cert,
		        o->tls_key);
	else
		rc = 0;
	ERR_clear_error();
out:
	BIO_free(bc);
	BIO_free(bk);
	X509_free(x);
	EVP_PKEY_free(k);
	buf_release(&cert);
	return rc;
}

/* libmicrohttpd's messages: kept, the last one names why it did not start */
static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct webhook *w = cls;
	size_t n;

	vsnprintf(w->mhd_msg, sizeof(w->mhd_msg), fmt, ap);
	n = strlen(w->mhd_msg);
	while (n > 0 && (w->mhd_msg[n - 1] == '\n' || w->mhd_msg[n - 1] == '.'))
		w->mhd_msg[--n] = '\0';
}

static char *
xdup(const char *s, int *fail)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*fail = 1;
	return d;
}

struct webhook *
webhook_open(const struct webhook_opts *o, struct ep_err *err)
{
	struct webhook *w;
	struct sockaddr_storage ss;
	socklen_t sl;
	pthread_condattr_t ca;
	const union MHD_DaemonInfo *di;
	int fail = 0;
	struct buf lp = BUF_INIT;

	if (parse_listen(o->listen, &ss, &sl, err) < 0)
		return NULL;
	if (o->tls_cert == NULL && !o->plain_http && !loopback(&ss)) {
		ep_errf(err, EP_USAGE,
		        "--listen '%s' is not a loopback address: serve HTTPS "
		        "(--tls-cert, --tls-key) or say --plain-http",
		        o->listen);
		return NULL;
	}
	if (o->tls_cert && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		ep_errf(err, EP_CONFIG, "this libmicrohttpd has no TLS");
		return NULL;
	}
	if (o->secret == NULL || o->secret_len == 0) {
		ep_errf(err, EP_CONFIG, "no webhook secret");
		return NULL;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL) {
		oom(err);
		return NULL;
	}
	w->fd = w->lockfd = -1;
	pthread_mutex_init(&w->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cond, &ca);
	pthread_condattr_destroy(&ca);
	buf_init(&w->rbuf, SPOOL_LINE_MAX);
	w->spool = xdup(o->spool, &fail);
	w->sig_header = xdup(o->sig_header ? o->sig_header : "X-BNG-Signature", &fail);
	w->id_header = xdup(o->id_header ? o->id_header : "X-BNG-Event-Id", &fail);
	w->type_prefix = xdup(o->type_prefix, &fail);
	if ((w->secret = malloc(o->secret_len + 1)) == NULL)
		fail = 1;
	else {
		memcpy(w->secret, o->secret, o->secret_len);
		w->secret[o->secret_len] = '\0';
	}
	w->secret_len = o->secret_len;
	w->max_body = o->max_body ? o->max_body : WEBHOOK_MAX_BODY_DEFAULT;
	w->seen = seen_new(o->seen_max ? o->seen_max : WEBHOOK_SEEN_DEFAULT);
	if (fail || w->seen == NULL || buf_adds(&lp, o->spool) < 0 || buf_adds(&lp, ".lock") < 0) {
		oom(err);
		goto fail;
	}
	w->lockpath = buf_detach(&lp, NULL);
	{
		const char *slash = strrchr(o->spool, '/');

		w->dir = slash ? strndup(o->spool,
		                         slash == o->spool ? 1 : (size_t)(slash - o->spool))
		               : strdup(".");
	}
	if (w->dir == NULL) {
		oom(err);
		goto fail;
	}
	if (o->tls_cert && tls_load(w, o, err) < 0)
		goto fail;
	if ((w->lockfd = open(w->lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0) {
		ep_errf(err, EP_IOERR, "cannot open '%s': %s", w->lockpath, strerror(errno));
		goto fail;
	}
	if (flock(w->lockfd, LOCK_EX | LOCK_NB) < 0) {
		ep_errf(err, errno == EWOULDBLOCK ? EP_TEMPFAIL : EP_IOERR,
		        "spool '%s' is in use by another receiver", w->spool);
		goto fail;
	}
	w->last_read = o->committed;
	if (spool_rewrite(w, o->committed, 1, err) < 0)
		goto fail;
	{
		/* TLS 1.2 and 1.3 only (RFC 8996 retired the older ones) */
		static char prio[] = "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2";
		struct MHD_OptionItem tls[] = {
			{ MHD_OPTION_HTTPS_PRIORITIES, 0, prio },
			{ MHD_OPTION_HTTPS_MEM_KEY, 0, w->tls_key },
			{ MHD_OPTION_HTTPS_MEM_CERT, 0, w->tls_cert },
			{ MHD_OPTION_END, 0, NULL },
		};

		w->mhd = MHD_start_daemon(
			MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG |
				(ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0) |
				(w->tls_key ? MHD_USE_TLS : 0),
			0, NULL, NULL, on_request, w, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, w,
			MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_NOTIFY_COMPLETED,
			on_done, w, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
			MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024), MHD_OPTION_ARRAY,
			w->tls_key ? tls : tls + 3, MHD_OPTION_END);
	}
	if (w->mhd == NULL) {
		ep_errf(err, EP_UNAVAILABLE, "cannot listen on '%s'%s%s", o->listen,
		        w->mhd_msg[0] ? ": " : "", w->mhd_msg);
		goto fail;
	}
	di = MHD_get_daemon_info(w->mhd, MHD_DAEMON_INFO_BIND_PORT);
	w->port = di ? di->port : 0;
	return w;
fail:
	buf_release(&lp);
	webhook_close(w);
	return NULL;
}

int
webhook_port(const struct webhook *w)
{
	return w->port;
}

void
webhook_get_stats(struct webhook *w, struct webhook_stats *s)
{
	pthread_mutex_lock(&w->mu);
	*s = w->st;
	pthread_mutex_unlock(&w->mu);
}

/* Read the line at rd_off into rbuf; 1 got one, 0 none complete. */
static int
read_line(struct webhook *w, struct ep_err *err)
{
	int fd = open(w->spool, O_RDONLY | O_CLOEXEC);
	char chunk[65536];
	off_t at = w->rd_off;
	ssize_t n;
	char *nl;

	if (fd < 0)
		return ep_errf(err, EP_IOERR, "cannot open spool '%s': %s", w->spool,
		               strerror(errno));
	buf_reset(&w->rbuf);
	for (;;) {
		n = pread(fd, chunk, sizeof(chunk), at);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close(fd);
			return ep_errf(err, EP_IOERR, "cannot read spool '%s': %s", w->spool,
			               strerror(errno));
		}
		if (n == 0) {
			close(fd);
			return 0;
		}
		if ((nl = memchr(chunk, '\n', (size_t)n)) != NULL) {
			if (buf_add(&w->rbuf, chunk, (size_t)(nl - chunk)) < 0)
				break;
			close(fd);
			return 1;
		}
		if (buf_add(&w->rbuf, chunk, (size_t)n) < 0)
			break;
		at += n;
	}
	close(fd);
	return ep_errf(err, EP_DATAERR, "spool '%s': a line longer than %u bytes", w->spool,
	               SPOOL_LINE_MAX);
}

int
webhook_next(struct webhook *w, int64_t wait_ms, struct buf *out, uint64_t *seq, struct ep_err *err)
{
	struct timespec until;
	uint64_t s;
	const char *id;
	cJSON *j;
	char *ev;
	int r, rc = -1;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += wait_ms / 1000;
	until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&w->mu);
	while (w->st.last_seq <= w->last_read)
		if (pthread_cond_timedwait(&w->cond, &w->mu, &until) == ETIMEDOUT) {
			pthread_mutex_unlock(&w->mu);
			return 0;
		}
	if ((r = read_line(w, err)) <= 0) {
		if (r == 0)
			ep_errf(err, EP_SOFTWARE, "spool '%s': event %" PRIu64 " is missing",
			        w->spool, w->last_read + 1);
		goto out;
	}
	if ((j = spool_line(w->rbuf.p, w->rbuf.len, &s, &id)) == NULL) {
		ep_errf(err, EP_DATAERR, "spool '%s': not a spool line at byte %lld", w->spool,
		        (long long)w->rd_off);
		goto out;
	}
	ev = json_tree_print(cJSON_GetObjectItemCaseSensitive(j, "event"));
	cJSON_Delete(j);
	buf_reset(out);
	if (ev == NULL || buf_adds(out, ev) < 0) {
		free(ev);
		oom(err);
		goto out;
	}
	free(ev);
	w->rd_off += (off_t)w->rbuf.len + 1;
	w->last_read = s;
	*seq = s;
	rc = 1;
out:
	pthread_mutex_unlock(&w->mu);
	return rc;
}

void
webhook_quiesce(struct webhook *w)
{
	if (w->mhd) {
		MHD_stop_daemon(w->mhd);
		w->mhd = NULL;
	}
}

void
webhook_close(struct webhook *w)
{
	if (w == NULL)
		return;
	webhook_quiesce(w);
	if (w->fd >= 0)
		close(w->fd);
	if (w->lockfd >= 0)
		close(w->lockfd);
	if (w->secret) {
		explicit_bzero(w->secret, w->secret_len);
		free(w->secret);
	}
	if (w->tls_key) {
		explicit_bzero(w->tls_key, strlen(w->tls_key));
		free(w->tls_key);
	}
	free(w->tls_cert);
	free(w->dir);
	seen_free(w->seen);
	buf_release(&w->rbuf);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->mu);
	free(w->spool);
	free(w->lockpath);
	free(w->sig_header);
	free(w->id_header);
	free(w->type_prefix);
	free(w);
}
