/*
 * webhook.h - a signed-webhook receiver with a durable spool, on
 * libmicrohttpd (layer 4: protocols).  bng-extract --listen runs on it.
 *
 * The server thread answers each POST:
 *   401  the signature header is missing or is not
 *        "sha256=<hex HMAC-SHA256 of the raw body, keyed with the secret>"
 *        (compared in constant time); the event is not looked at;
 *   413  a body over max_body;  405  another method (GET and HEAD too,
 *        except on /healthz);
 *   400  a body that is not a JSON object with a string "id" (or the id
 *        header) and a string "type";
 *   200  accepted: the event was appended to the spool file and the file
 *        fsynced BEFORE the answer is queued, so an acknowledged event
 *        survives a crash; also 200 for an id already spooled (a repeat:
 *        dropped) and for an event whose type is not wanted (ignored);
 *   503  the spool could not be written, or the spool file is no longer
 *        the one the writer holds (removed or replaced: an event written
 *        there would not survive a restart); the sender retries, and
 *        its retry is not taken for a repeat (the id is forgotten).
 *
 * GET or HEAD /healthz needs no signature and says nothing of the events:
 *   200 "ok\n" while the spool can be written: the last append did not
 *        fail, the path still names the file the writer appends to, the
 *        directory can take the temporary file of a trim, and its file
 *        system has room for a largest body (max_body) twice over;
 *   503 with one word saying why not: "write-failed", "spool-gone",
 *        "not-writable", "no-space".
 *
 * TLS: with tls_cert and tls_key (PEM files) the server speaks HTTPS only
 * (libmicrohttpd on GnuTLS).  The key is read as a secret file (private to
 * its owner, else EP_CONFIG) and checked against the certificate before
 * the server starts.  Without them an address that is not loopback
 * (127.0.0.0/8, ::1) is refused (EP_USAGE) unless plain_http says so: a
 * webhook crossing a network in clear shows its body to anyone on the way.
 *
 * The spool is NDJSON, one line per accepted event:
 *   {"seq": N, "id": "evt_…", "type": "customer.updated", "event": {…}}
 * seq numbers grow by one across restarts and trims.  The reader
 * (webhook_next, the program's main thread) hands out events in seq order
 * from the file; the program emits them and checkpoints {"seq": N}; once a
 * downstream stage has committed N, webhook_trim drops the lines up to N
 * (atomic rewrite).  webhook_open trims to the committed seq it is given,
 * drops a torn last line (a write cut by a crash was never acknowledged),
 * and returns every remaining line again: whatever no committed checkpoint
 * covers is emitted again after a restart.  A repeat (the same id and
 * created_at) is recognised among the spooled events and the last seen_max
 * accepted this run.
 *
 * Ownership: webhook_open copies the options' strings (the secret too,
 * wiped at webhook_close).  Locking: the spool has a lock file SPOOL.lock
 * (flock); a second receiver on it fails with EP_TEMPFAIL.
 */
#ifndef ERPIPE_WEBHOOK_H
#define ERPIPE_WEBHOOK_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

#define WEBHOOK_MAX_BODY_DEFAULT (1u << 20)
#define WEBHOOK_SEEN_DEFAULT 100000

struct webhook_opts {
	const char *listen; /* "ADDR:PORT", "[v6]:PORT"; port 0 = any free */
	const char *spool;  /* the spool file */
	const char *secret; /* HMAC key */
	size_t secret_len;
	const char *sig_header;  /* default "X-BNG-Signature" */
	const char *id_header;   /* default "X-BNG-Event-Id" */
	const char *type_prefix; /* accept only types starting so ("customer."); NULL: all */
	size_t max_body;         /* default WEBHOOK_MAX_BODY_DEFAULT */
	size_t seen_max;         /* default WEBHOOK_SEEN_DEFAULT */
	uint64_t committed;      /* seq already committed downstream */
	const char *tls_cert;    /* PEM certificate (chain) file: HTTPS; NULL: HTTP */
	const char *tls_key;     /* PEM private key file, with tls_cert */
	int plain_http;          /* HTTP on an address that is not loopback */
};

struct webhook_stats {
	uint64_t accepted, repeated, ignored, refused, bad;
	uint64_t last_seq; /* the highest seq spooled */
};

struct webhook;

/* Open (and trim) the spool, then listen.  EP_USAGE for a bad address
 * (or one not loopback, without TLS or plain_http), EP_CONFIG for a key
 * open to others or a certificate and key that are not a pair,
 * EP_TEMPFAIL when another receiver holds the spool, EP_DATAERR for a spool
 * line that is not ours (spool:line), EP_IOERR, EP_UNAVAILABLE when the
 * address cannot be bound. */
struct webhook *webhook_open(const struct webhook_opts *o, struct ep_err *err);
/* The port listened on. */
int webhook_port(const struct webhook *w);
/* The next spooled event after the last one returned: 1 with the event's
 * JSON text in out (reset first) and its seq, 0 when none came within
 * wait_ms, -1 with err. */
int webhook_next(struct webhook *w, int64_t wait_ms, struct buf *out, uint64_t *seq,
                 struct ep_err *err);
/* Drop spooled events with seq <= committed. */
int webhook_trim(struct webhook *w, uint64_t committed, struct ep_err *err);
void webhook_get_stats(struct webhook *w, struct webhook_stats *s);
/* Stop listening (requests in progress finish first); webhook_next still
 * hands out what is spooled. */
void webhook_quiesce(struct webhook *w);
/* Stop listening if still listening, close the spool. */
void webhook_close(struct webhook *w);

/* "sha256=<hex>" for body under key, into out (72 bytes). */
void webhook_sign(const char *key, size_t keylen, const char *body, size_t len, char out[72]);

#endif
