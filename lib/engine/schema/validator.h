/*
 * validator.h - the checks of validate(1) on one record at a time
 * (layer 5: engines): a JSON Schema, business rules in the expression language,
 * unique keys across the stream and references into key files.
 *
 * --anomaly and --dup-payment (lib/engine/anomaly.h) judge a record against the
 * history of the records before it, in this run and, with --history, in
 * past runs: their flags are reject items carrying what was measured
 * (reject_item.detail), or, with validator_set_warn, warnings that let
 * the record pass.  Only a record that passes joins the history.
 *
 * validator_check parses the record once and runs every check, collecting
 * every failure (not only the first) as a reject item with a JSON Pointer
 * path.  A record that passes every check has its unique keys remembered
 * (as 128-bit hashes: lib/base/keyset.h), so a later record with the same key is
 * refused with the place of the first.  Records with a key missing, null or
 * false are not checked for that key (make the field required in the
 * schema for that); an Odoo many2one value [id, "name"] stands for its id.
 *
 * Ownership: a struct validator is yours from validator_new to
 * validator_free; the strings handed in are copied.  A result's items and
 * strings belong to the validator and stay valid until the next
 * validator_check.  Not thread-safe.  Nothing here prints or exits, except
 * validator_report, which writes to the FILE given.
 */
#ifndef ERPIPE_VALIDATOR_H
#define ERPIPE_VALIDATOR_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/err.h"
#include "stream/reject.h"

struct validator;

struct validator *validator_new(struct ep_err *err);
void validator_free(struct validator *v);

/* The schema: a file path or a name on the schema search path (find.h,
 * ".schema.json").  Fails with EP_NOINPUT (not found) or EP_DATAERR (does
 * not compile); only one schema. */
int validator_set_schema(struct validator *v, const char *name, struct ep_err *err);
/* A rule: an expression of erpipe-map(5) with $ bound to the record, true
 * to pass.  Fails with EP_USAGE when it does not compile (err->msg shows
 * where). */
int validator_add_rule(struct validator *v, const char *expr, struct ep_err *err);
/* The message of the last rule added (EP_USAGE without one, or twice). */
int validator_set_message(struct validator *v, const char *text, struct ep_err *err);
/* --op: what a record without "_op" will be for load (upsert, create,
 * update, delete); the schema sees it as the record's "_op", so its rules
 * for partial records apply.  EP_USAGE for another word. */
int validator_set_op(struct validator *v, const char *op, struct ep_err *err);
/* FIELD[,FIELD...]: the combination must not repeat in the stream. */
int validator_add_unique(struct validator *v, const char *fields, struct ep_err *err);
/* FIELD[,FIELD...]=FILE:KEY[,KEY...]: the record's FIELDs must be the KEYs
 * of some record of the NDJSON file FILE, which is read now (EP_NOINPUT if
 * missing).  Lines of FILE that are not JSON objects are skipped (records
 * naming their keys are then refused) and warn is filled with the first. */
int validator_add_ref(struct validator *v, const char *spec, struct ep_err *warn,
                      struct ep_err *err);

/* --similar [KIND:]FIELD[,...]: a record scoring at least cutoff against
 * an earlier valid one (lib/engine/similar.h: the same normalisers and scorer as
 * reconcile --match) is rejected with that record's place, or with warn
 * passes with a note; country: --phone-country, or NULL. */
int validator_add_similar(struct validator *v, const char *fields, double cutoff, int warn,
                          const char *country, struct ep_err *err);
/* --anomaly FIELD: FIELD's value (a number, or a string holding one) is
 * judged against its group's past values. */
int validator_add_anomaly(struct validator *v, const char *field, struct ep_err *err);
/* --by FIELD[,FIELD...]: the groups of the --anomaly before it (EP_USAGE
 * without one, or twice). */
int validator_set_by(struct validator *v, const char *fields, struct ep_err *err);
/* --dup-payment VENDOR,AMOUNT,DATE,REF: the fields of a payment, for
 * duplicates within --dup-window days. */
int validator_add_dup_payment(struct validator *v, const char *fields, struct ep_err *err);
/* --id FIELD: what identifies a record for --anomaly and --dup-payment: a
 * record whose id the history holds is one seen before (a run repeated, a
 * record read again after a change), neither judged nor learnt again. */
int validator_set_id(struct validator *v, const char *field, struct ep_err *err);

struct validator_tuning {
	double cut;  /* --anomaly-cut: the score that flags (5) */
	long min;    /* --anomaly-min: past values needed to judge (12) */
	long keep;   /* --anomaly-keep: past values a group keeps (50) */
	long window; /* --dup-window: days (7) */
};
/* Before the history is opened and the first record checked. */
void validator_tune(struct validator *v, const struct validator_tuning *t);
/* Flags of --anomaly and --dup-payment are warnings, not rejects. */
void validator_set_warn(struct validator *v, int on);
/* --history FILE: a state file (state.h), locked for the run (75 when
 * another run holds it) and read now (EP_DATAERR when it is not what
 * anomaly.h says). */
int validator_open_history(struct validator *v, const char *path, struct ep_err *err);
/* Write the history into its file, atomically: at each checkpoint, before
 * the position is committed, and at the end of a run that succeeded.  0
 * without --history. */
int validator_commit_history(struct validator *v, struct ep_err *err);
/* The counts of --anomaly and --dup-payment, one line each; nothing
 * without them. */
void validator_summary(const struct validator *v, FILE *fp);

struct validator_result {
	const struct reject_item *items;
	size_t n;
	const char *error; /* the first item as "path: message" */
	const char *note;  /* a valid record's warning (--similar warn), or NULL */
	/* a valid record's warnings (validator_set_warn), NULL and 0 if none */
	const struct reject_item *warns;
	size_t nwarns;
	const char *warn_error;
	/* VALIDATOR_NOT_JSON: as json_check says it (json.h), for
	 * stage_reject_json */
	int jtype;   /* enum json_type of the text, JSON_INVALID if none */
	size_t joff; /* where the text stopped being JSON */
	const char *jwhy;
};

enum { VALIDATOR_NOT_JSON = 2 };

/* One record (its JSON text, without the newline), parsed as strictly as
 * json_check parses (so the stage runner need not check it first).  1
 * valid, 0 invalid (res filled), VALIDATOR_NOT_JSON when the line is not a
 * JSON object (res->jtype, joff, jwhy), -1 a failure that must stop the
 * run (err filled). */
int validator_check(struct validator *v, const char *line, size_t len, const char *source,
                    uint64_t lineno, struct validator_result *res, struct ep_err *err);

/* --report: per-check and per-path counts of the failures seen, one line
 * each, the most frequent first. */
void validator_report(const struct validator *v, FILE *fp);

#endif
