/*
 * load.h - load's generic machinery: records in, writes to a target system,
 * one receipt per record out (layer 5: engines; targets plug in from layer 6).
 *
 * load_run drives lib/stage: it reads records, groups them in batches of
 * --batch, and for each batch asks the target, through struct load_target:
 *
 *   check    each record alone, when it arrives (no network): may reject it,
 *            may rewrite it->rec (strip a field that is not written, such as
 *            the external-id column of `load odoo --xmlid`)
 *   resolve  the batch's references (Odoo many2one by xmlid or match); a
 *            record referring to one that an earlier record of the batch
 *            creates is marked it->wait: the batch is cut before it, the
 *            part before is written, and the rest resolved again
 *   lookup   the existing records for the batch's keys: sets it->id and
 *            it->current (the target's values for the fields the record gives)
 *   same     one field: does the given value equal the current one?
 *   create / update / remove   the writes, many records per call
 *   readback after the writes (unless --no-verify): the records created or
 *            updated in a window of batches, one read for them all, of the
 *            fields written; sets it->stored (see "Verify" below)
 *   call     a workflow method (--then) on records written
 *
 * and then writes the receipts, in input order:
 *   {"key": {…}|null, "id": …|null, "status": "created|updated|unchanged|
 *    deleted|rejected|drifted", "error": "…"|null}
 * A drifted receipt (and a record --verify strict rejected) also carries
 * the fields the server did not keep, after "status":
 *   "drift": [{"field": "currency_id", "sent": 2, "stored": [1, "USD"]}, …]
 * With --dry-run nothing is written: lookups still run, and the receipts
 * give the plan, status "create|update|delete|unchanged|rejected", with
 * "changes" (the fields an update would write) and "dry_run": true.
 *
 * What each record does (_op in the record, else --op, else upsert), with
 * its key (_key in the record, an object, else the --key fields' values):
 *   upsert  found: update the fields that differ, or "unchanged" when none
 *           differs (no write: this stops a two-way sync from echoing);
 *           not found: create
 *   create  create, without a lookup (no key needed)
 *   update  found: as upsert; not found: rejected
 *   delete  found: remove; not found: "unchanged" (a repeat is harmless)
 *   insert  found: "unchanged", nothing written (the record is left as
 *           it is); not found: create.  For setup data that must never
 *           change what a user already has (INSERT … ON CONFLICT DO NOTHING)
 * Two records with the same key in one batch: the batch is sent before the
 * second joins it, so each sees the other's effect.
 *
 * Errors.  A target operation returns 0, or -1 with a struct load_error;
 * classify (or, when NULL, the rule "EP_DATAERR is the record's fault")
 * says whose fault it is:
 *   LOAD_ERR_RECORD  the data: the call must have written nothing (Odoo's
 *                    create(list) is one transaction); the machinery splits
 *                    the set in halves and retries each until the bad record
 *                    is alone, rejects it with the error, and the rest load
 *   LOAD_ERR_FATAL   the connection, the credentials, the configuration: the
 *                    run stops with err.code (77, 69, 75, 78, 70) and the
 *                    one-line message; nothing after the last checkpoint is
 *                    committed
 * Transient failures (connection refused, 429, 5xx) never reach here: the
 * target's lib/http client retries them under the one retry policy and
 * reports only what is left after it gave up (fatal).
 *
 * Lost answers.  A write that is not idempotent is not repeated blindly
 * (DESIGN.md): when its answer is lost after the request went out (reset,
 * timeout, a cut or garbage body, 500/502/504: http.h's once), the server
 * may have applied it.  The target then fails the operation with e->lost
 * set (fatal class), or marks the records (load_item_lost) and returns 0,
 * and the machinery settles the records in doubt -- the marked ones, else
 * for create those that got no id, for update and remove all -- by reading
 * them again with lookup, by key (--key, _key, or the external id of `load
 * odoo --xmlid`), after the target's again says to go on (its one retry
 * policy: the wait, the budget; without again, LOAD_LOST_ROUNDS rounds):
 *   create  found: done, "created" with the id found (this run made it);
 *           fields the record gives that differ are written to it (an
 *           update: the part of a create that did not happen); not found:
 *           created again
 *   update  found with the values given: done, "updated"; still
 *           different: written again (the same values again is
 *           harmless); gone: rejected
 *   delete  gone: done, "deleted"; still there: deleted again
 * and only the rest is sent again, which may be lost again (another
 * round).  A create without a key (nothing to read it again by) stops the
 * run with 69 and names its line, rather than risk a second record.  A
 * --then method whose answer was lost stops the run with 69 naming the
 * method: what a workflow method did cannot be read back in general, and
 * it is never called twice blindly.  What each system counts as lost and
 * what it reads again by: man/load.1, "Lost answers".  A target whose calls
 * are not atomic reports per-record results instead: it rejects the items
 * that failed with load_item_reject and returns 0.
 *
 * Verify.  The fields written are load_item_written's: a create's record, an
 * update's changes.  They are read back for a window of batches at once
 * (LOAD_VERIFY_WINDOW records, or the batch if larger; each batch before
 * its --then), ended early by a checkpoint like a batch, or when its input
 * lines reach window_bytes (the answer cap / 16): readback reads
 * them for the whole set (one request, or one per the target's own limit)
 * and sets it->stored to an object of the values read: every field it could
 * read in a comparable form, and only those (Odoo x2many commands and lines, NAV lines are left out: not
 * verified).  A record it cannot find keeps it->stored NULL (not verified).
 * Each field written and present in it->stored is compared with same (or
 * JSON equality): numbers numerically, an Odoo many2one id against [id,
 * name]; a value the server rounded, trimmed, ignored or recomputed is a
 * drift.  A record with a drift is "drifted" (it was written: --then still
 * calls its methods), or with --verify strict rejected (stage load, the
 * drift in "errors" with JSON Pointers, no --then).  Either way the stage's
 * summary and --stats count it ("drifted N").  Values equal as JSON are the
 * same without asking the target.  A readback refused as the data's fault
 * (a record deleted meanwhile) leaves the set not verified, with a warning;
 * a fatal one stops the run.  Unchanged and deleted records, and --dry-run,
 * read nothing back.
 *
 * Checkpoints: at a checkpoint (and at the end, and when the input would
 * block) the part-filled batch is sent first, its receipts written, then
 * lib/stage flushes, fsyncs and commits (DESIGN.md).
 *
 * Ownership: load_run borrows everything it is given.  An item and all its
 * fields belong to the machinery; a target sets it->id, it->current and
 * it->stored and it->tdata (handing over ownership: cJSON values are freed with
 * cJSON_Delete, tdata with target->item_free) and may edit it->rec in place.
 * Strings in struct load_error are copied.
 */
#ifndef ERPIPE_LOAD_H
#define ERPIPE_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "base/err.h"
#include "base/opt.h"
#include "stream/reject.h"
#include "stream/stage.h"

#define LOAD_BATCH_DEFAULT 100
#define LOAD_BATCH_MAX 10000
#define LOAD_VERIFY_WINDOW 1000             /* records read back at once (no --then) */
#define LOAD_VERIFY_WINDOW_BYTES (4u << 20) /* and their input bytes, by default */
#define LOAD_KEY_MAX 16                     /* fields in one --key */
#define LOAD_THEN_MAX 16                    /* methods in one --then */

enum load_op { LOAD_UPSERT = 0, LOAD_CREATE, LOAD_UPDATE, LOAD_DELETE, LOAD_INSERT, LOAD_NOPS };

enum load_status {
	LOAD_PENDING = 0,
	LOAD_CREATED,
	LOAD_UPDATED,
	LOAD_UNCHANGED,
	LOAD_DELETED,
	LOAD_REJECTED,
};

struct load_item {
	/* set by the machinery; targets read them */
	size_t index; /* position in its batch */
	enum load_op op;
	cJSON *rec;         /* the record without _op and _key: what to write */
	cJSON *key;         /* {"field": value, …}, or NULL (create without a key) */
	const char *source; /* input name and line, for the reject */
	uint64_t line;
	char *text; /* the record's original bytes */
	size_t len;
	cJSON *changes; /* update: the fields of rec whose values differ */

	/* set by the target */
	cJSON *id;      /* the target's id, once found or created */
	cJSON *current; /* lookup: the existing record's values */
	cJSON *stored;  /* readback: the values read after the write */
	void *tdata;    /* the target's own, freed by item_free */

	/* set by resolve: this record refers to one an earlier record of the
	 * same batch creates; the batch is cut before it */
	int wait;
	/* set by a write (load_item_lost): its answer was lost; what the
	 * write would have made of it (created, updated, deleted) */
	enum load_status lost;

	/* the outcome */
	enum load_status status;
	char *error;                /* rejected: "name: message" */
	struct reject_item *errors; /* rejected: per-field messages, or none */
	size_t nerrors;
	cJSON *drift; /* [{"field", "sent", "stored"}, …]: what the server did not keep */
};

enum load_class { LOAD_ERR_RECORD = 1, LOAD_ERR_FATAL = 2 };

struct load_error {
	struct ep_err err; /* code: the exit status when fatal; msg: the message */
	char name[128];    /* the system's error name ("odoo.exceptions.
	                      ValidationError", "validation_error", …), or "" */
	long status;       /* HTTP status of the answer, 0 when none */
	int lost;          /* fatal: a write's answer was lost ("Lost answers") */
};

/* Items are handed to the operations as arrays of pointers, only those still
 * pending (not rejected), in input order.  Each returns 0, or -1 with e set.
 * NULL operations: resolve, same (then JSON equality), call (then --then is
 * refused), classify (then EP_DATAERR = record), check, item_free, readback
 * (then nothing is verified). */
struct load_target {
	const char *system; /* "odoo", "bng", "nav" */
	int (*check)(void *t, struct load_item *it, struct load_error *e);
	int (*resolve)(void *t, struct load_item *const *its, size_t n, struct load_error *e);
	/* for items with a key (op other than create) */
	int (*lookup)(void *t, struct load_item *const *its, size_t n, struct load_error *e);
	/* 1 same, 0 different */
	int (*same)(void *t, const struct load_item *it, const char *field, const cJSON *given,
	            const cJSON *current);
	/* set it->id of each created item */
	int (*create)(void *t, struct load_item *const *its, size_t n, struct load_error *e);
	/* write it->changes (or it->rec) to the record it->id */
	int (*update)(void *t, struct load_item *const *its, size_t n, struct load_error *e);
	int (*remove)(void *t, struct load_item *const *its, size_t n, struct load_error *e);
	int (*call)(void *t, const char *method, struct load_item *const *its, size_t n,
	            struct load_error *e);
	enum load_class (*classify)(void *t, const struct load_error *e);
	void (*item_free)(void *t, struct load_item *it);
	/* read back the fields written (load_item_written) of items with an
	 * id: set it->stored of each found */
	int (*readback)(void *t, struct load_item *const *its, size_t n, struct load_error *e);
	/* before each round of "Lost answers" (attempt from 0): wait under
	 * the target's retry policy and return 1, or 0 when its budget is
	 * spent (err: why) */
	int (*again)(void *t, int attempt, struct ep_err *err);
	/* a checkpoint (stream, pos), after the records before it were written
	 * and before the stage commits it to --state; and once at the end of
	 * the input of a run that did not fail (stream and pos NULL): a target
	 * with transactions commits the writes with the position (PostgreSQL) */
	int (*commit)(void *t, const char *stream, const cJSON *pos, struct load_error *e);
};

#define LOAD_LOST_ROUNDS 5 /* rounds of "Lost answers" for a target without again */

struct audit;

enum load_verify { LOAD_VERIFY_REPORT = 0, LOAD_VERIFY_STRICT, LOAD_VERIFY_OFF };

struct load_opts {
	enum load_op op;               /* --op */
	const char *key[LOAD_KEY_MAX]; /* --key fields */
	size_t nkey;
	long batch;                      /* --batch, 1..LOAD_BATCH_MAX */
	int dry_run;                     /* --dry-run */
	const char *then[LOAD_THEN_MAX]; /* --then methods, in order */
	size_t nthen;
	enum { LOAD_THEN_WRITTEN = 0, LOAD_THEN_CREATED, LOAD_THEN_ALL } then_on; /* --then-on */
	enum load_verify verify;    /* --verify, --no-verify */
	char *key_text, *then_text; /* storage of key[] and then[] */
	struct audit *audit;        /* --audit: one line per write (load_audit.h) */
	size_t window_bytes;        /* input bytes a window read back at once holds at
	                             * most (--max-body / 16); 0: 4 MiB */
};

/* --batch --dry-run --key --no-verify --op --then --then-on --verify */
extern const struct ep_opt load_opts_table[];
enum {
	OPT_LOAD_BATCH = OPT_KEYS_LOAD,
	OPT_LOAD_DRY_RUN,
	OPT_LOAD_KEY,
	OPT_LOAD_OP,
	OPT_LOAD_THEN,
	OPT_LOAD_THEN_ON,
	OPT_LOAD_VERIFY,
	OPT_LOAD_NO_VERIFY,
};
_Static_assert(OPT_LOAD_NO_VERIFY < OPT_KEYS_LOAD + OPT_KEYS_RANGE,
               "load options outgrow their key range");

void load_opts_init(struct load_opts *o);
/* 1: a load option, 0: not one, -1: bad value (err set, EP_USAGE) */
int load_opt(struct load_opts *o, int key, const char *arg, struct ep_err *err);
void load_opts_free(struct load_opts *o);

/* Run the stream; returns the exit status (lib/stage's). */
int load_run(const struct stage_cfg *cfg, const struct load_opts *o, const struct load_target *t,
             void *tctx, int nfiles, char *const *files);

/* For targets. */
/* Reject the item: error = "name: message" (name may be NULL or ""). */
void load_item_reject(struct load_item *it, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The answer to it's write was lost ("Lost answers"): would says what that
 * write was (LOAD_CREATED, LOAD_UPDATED, LOAD_DELETED).  A target whose
 * call reports per record (BNG) marks those and returns 0; the others
 * then take the operation's status, and the marked ones are read again. */
void load_item_lost(struct load_item *it, enum load_status would);
/* Add a per-field message (path: JSON Pointer into the record) to a rejected
 * item's "errors". */
void load_item_field_error(struct load_item *it, const char *path, const char *message);
/* Fill e (printf-style message); returns -1. */
int load_errf(struct load_error *e, int code, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The fields an item wrote: an update's changes, else its record. */
const cJSON *load_item_written(const struct load_item *it);
/* For readback: it->stored = the fields it wrote as rec (a record read)
 * holds them, null where rec lacks one (the server did not keep it); only
 * those for which keep says yes, when keep is given.  The values are moved
 * out of rec (a record read is one item's).  -1: out of memory. */
int load_item_stored(struct load_item *it, cJSON *rec,
                     int (*keep)(void *t, const char *field, const cJSON *sent), void *t);

const char *load_op_name(enum load_op op);
const char *load_status_name(enum load_status s, int dry_run);

#endif
