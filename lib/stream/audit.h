/*
 * audit.h - a tamper-evident audit trail of writes (load --audit FILE, and
 * the fixes reconcile --emit-fix --audit FILE emits) and
 * its verification (erpipe-audit verify).
 * (layer 2: stream): a file of NDJSON lines, below the engines that write
 * it (lib/load_audit, lib/diff_audit); it needs only base (cfg for the key
 * file, redact for secret fields) and json_tree.
 *
 * One line per write, JSON, '\n' terminated:
 *   {"time": "2026-05-01T10:00:00.123Z", "run": RUNID, "host": H,
 *    "user": U, "program": "load", "system": "odoo", "profile": "prod",
 *    "entity": "res.partner", "op": "create|update|delete",
 *    "status": "created|updated|deleted|drifted", "key": {…}, "id": …,
 *    "changes": {"field": {"old": …, "new": …}, …}, "source": "file:line",
 *    "prev": HEX64 [, "hmac": HEX64]}
 * "prev" is the SHA-256 of the previous line (its bytes without the '\n');
 * the first line of a chain has 64 zeros, and the first line of a file
 * that rotation started is an "op": "rotate" line whose prev is the hash of
 * the old file's last line.  With a key (--audit-key FILE) "hmac" is the
 * HMAC-SHA256 of the line without its hmac member (the text up to ',"hmac"'
 * followed by '}'): without the key nobody can rewrite the chain after an
 * edit.  Values of secret-looking fields (redact_is_secret_field) are
 * written as "***".
 *
 * Writers: lines are queued (audit_add) and appended per batch (audit_flush)
 * with one write(2) on an O_APPEND descriptor, under an exclusive flock of
 * FILE.lock, after reading the hash of the file's last line there and then
 * -- so two writers interleave whole batches and the chain stays one.  A
 * file renamed away (rotation) is noticed under the lock, and the next
 * line goes to a new FILE.  audit_sync fsyncs (load calls it at every
 * barrier: checkpoints, end of input).
 *
 * Ownership: audit_open copies its strings; cJSON arguments are borrowed.
 */
#ifndef ERPIPE_AUDIT_H
#define ERPIPE_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct audit;
struct cJSON;

#define AUDIT_LINE_MAX (64u << 20) /* longest line read back or verified */

/* key_file may be NULL (no HMAC).  -1: err (EP_CONFIG for the key, EP_IOERR) */
struct audit *audit_open(const char *path, const char *key_file, const char *program,
                         const char *system, const char *profile, const char *entity,
                         struct ep_err *err);
/* Queue one write's line. */
int audit_add(struct audit *a, const char *op, const char *status, const struct cJSON *key,
              const struct cJSON *id, const struct cJSON *changes, const char *source,
              uint64_t line, struct ep_err *err);
/* The same line made in parts, with no tree of its changes:
 * audit_begin (changes 0: "changes" is null), audit_change for each field
 * (with_old 0 leaves "old" out; a NULL value is null), audit_end queues
 * it. */
void audit_begin(struct audit *a, const char *op, const char *status, const struct cJSON *key,
                 const struct cJSON *id, int changes);
void audit_change(struct audit *a, const char *field, const struct cJSON *old, int with_old,
                  const struct cJSON *new);
int audit_end(struct audit *a, const char *source, uint64_t line, struct ep_err *err);
/* Append the queued lines (lock, chain, write, unlock). */
int audit_flush(struct audit *a, struct ep_err *err);
/* audit_flush, then fsync. */
int audit_sync(struct audit *a, struct ep_err *err);
void audit_close(struct audit *a);

/* erpipe-audit: verify the files in order as one chain.  Returns 0 when
 * intact (*lines, last set: the last line's hash, hex), or the first bad
 * place in bad_file/bad_line and why in err (EP_DATAERR), or -1 with err
 * for a file that cannot be read.  key may be NULL; with one, every line
 * must carry a matching hmac.  expect, when given, is the hash the last
 * line must have (lines removed from the end). */
int audit_verify(char *const *files, int nfiles, const char *key_file, const char *expect,
                 uint64_t *lines, char last[65], const char **bad_file, uint64_t *bad_line,
                 struct ep_err *err);
/* Rename path to rotated and start a new path whose first line is a
 * rotate line chained to the old file's last, under the lock. */
int audit_rotate(const char *path, const char *rotated, const char *key_file, struct ep_err *err);

#endif
