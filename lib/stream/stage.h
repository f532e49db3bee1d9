/*
 * stage.h - the stream loop every filter shares (layer 2: stream).
 *
 * stage_run reads NDJSON from the named files (or stdin), and for each line:
 *  - a line that is not a JSON object (or not UTF-8, over --max-line) goes
 *    to the rejects, stage "parse"; the last line cut short (no final
 *    newline, and the JSON stops where the text does: its writer died
 *    mid-line) is no reject: the run ends with 65 naming it, as the record
 *    comes again on a resumed run;
 *  - a control line {"_checkpoint": {...}} is a barrier: everything before
 *    it is made durable (stdout flushed and, for --state, fsynced; rejects
 *    fsynced; the stage's own barrier hook, e.g. load's part-filled batch),
 *    then with --state the position is committed, then the line passes on;
 *  - a record goes to the stage's record hook, which must end it in exactly
 *    one outcome: stage_emit (written), stage_drop, or stage_reject — or,
 *    for a stage that batches (load), stage_defer: the outcome comes later,
 *    given between stage_settle_begin and stage_settle_end (see below);
 *  - when the next read would block, the barrier hook runs (load sends its
 *    part-filled batch) and stdout is flushed.
 * With cfg->singer_in the lines are Singer messages (-i singer): a RECORD's
 * "record" is the record (its bytes as they are, its source line the
 * message's); a STATE is a checkpoint for each member of its "value"
 * (stream: the member's name, pos: its value), so --state commits the
 * value as a Singer runner keeps it; SCHEMA and ACTIVATE_VERSION are not
 * records (-vv says so); any other line is a "parse" reject; erpipe's own
 * control lines pass as ever.
 * With cfg->csv_in the inputs are CSV files instead: each row is a record
 * (its JSON object, its source line the row's first line), a bad row a
 * "parse" reject with the row's text, and there are no control lines.
 * At the end: counts on stderr ("read N, wrote N, dropped N, rejected N";
 * load adds its receipts' statuses and drifted: lib/ops), --stats and
 * --metrics (lib/ops), and the exit status: 65 when rejects exceed
 * --max-rejects, the error's own status when a hook fails, 0 when the
 * reader went away (EPIPE: quiet, nothing committed past what was written).
 *
 * Ownership: the cfg and ctx belong to the caller; a stage_rec's bytes are
 * valid only during the hook call.
 */
#ifndef ERPIPE_STAGE_H
#define ERPIPE_STAGE_H

#include <stddef.h>
#include <stdint.h>

#include "stream/csvio.h"
#include "base/err.h"
#include "base/opt.h"
#include "stream/reject.h"

struct stage;

struct stage_rec {
	const char *p; /* the line, without its newline */
	size_t len;
	const char *source; /* "stdin" or a path */
	uint64_t line;
};

struct stage_hooks {
	/* one record; return -1 (after stage_fail) to stop the run */
	int (*record)(struct stage *st, const struct stage_rec *rec, void *ctx);
	/* send on everything held so far (load: its part-filled batch), before
	 * a checkpoint passes, at the end of input, and when the next read
	 * would block; optional */
	int (*barrier)(struct stage *st, void *ctx);
	/* a control line: return 1 to let the runner pass it on, 0 if the
	 * hook wrote or dropped it itself; optional */
	int (*control)(struct stage *st, const struct stage_rec *rec, void *ctx);
	/* the runner rejected a line itself (stage "parse"), after settling
	 * what the stage held (barrier): a stage that answers every record
	 * on stdout (load's receipts) answers this one; optional */
	int (*rejected)(struct stage *st, const struct stage_rec *rec, const char *error,
	                void *ctx);
	/* a checkpoint, after the barrier and before --state commits it: the
	 * stage's own commit of the position (load pg); optional */
	int (*checkpoint)(struct stage *st, const char *stream, const void *pos, void *ctx);
	/* the input was read to its end and nothing failed (no error, no line
	 * cut short, no file missing, the reader still there), stdout is
	 * flushed: the stage's own end-of-run commit (validate's --history);
	 * return -1 (after stage_fail) to fail the run; optional */
	int (*end)(struct stage *st, void *ctx);
};

struct stage_cfg {
	const char *name;    /* stage name in rejects: "map", "validate", "load" */
	const char *rejects; /* --rejects FILE, NULL: text on stderr */
	long max_rejects;
	int fail_fast;
	const char *state; /* --state FILE: this stage commits checkpoints */
	uint64_t max_line;
	long flush_every;
	long flush_ms;
	int check_json;                  /* the runner checks each record is a JSON object */
	const struct csvio_opts *csv_in; /* read CSV (csvio.h), not NDJSON */
	int singer_in;                   /* read Singer messages (see below) */
};

/* --fail-fast --flush-every --flush-ms --max-line --max-rejects --rejects
 * --state; stage_opt takes lib/ops' --metrics and --stats too (list
 * ops_opts in the program's tables) */
extern const struct ep_opt stage_opts[];
enum {
	OPT_FAIL_FAST = OPT_KEYS_STAGE,
	OPT_FLUSH_EVERY,
	OPT_FLUSH_MS,
	OPT_MAX_LINE,
	OPT_MAX_REJECTS,
	OPT_REJECTS,
	OPT_STATE,
};
_Static_assert(OPT_STATE < OPT_KEYS_STAGE + OPT_KEYS_RANGE,
               "stage options outgrow their key range");

/* -i, --input-format ndjson|singer: for the stages that take Singer input
 * (load, validate; xform has its own -i with csv) */
extern const struct ep_opt stage_input_opts[];
/* -1 with err (EP_USAGE) for a format that is neither */
int stage_input(struct stage_cfg *cfg, const char *arg, struct ep_err *err);

void stage_cfg_init(struct stage_cfg *cfg, const char *name);
/* 1: the option was a stage option, 0: not one, -1: bad value (err set) */
int stage_opt(struct stage_cfg *cfg, int key, const char *arg, struct ep_err *err);

int stage_run(const struct stage_cfg *cfg, int nfiles, char *const *files,
              const struct stage_hooks *hooks, void *ctx);

/* Outcomes, from the record hook. */
int stage_emit(struct stage *st, const char *json, size_t len);
/* The hook formatted the record in place at the end of stage_out(st)->b:
 * count it as written and end its line. */
int stage_emitted(struct stage *st);
void stage_drop(struct stage *st);
/* rec must be valid JSON (it is written as the reject's "record"); with
 * raw set the line is written as raw/raw_b64 instead. */
int stage_reject(struct stage *st, const struct stage_rec *rec, const char *stage_name,
                 const char *error, const struct reject_item *items, size_t nitems, int raw);

/* Deferred outcomes.  stage_defer, from the record hook, is the current
 * record's outcome for now: the hook keeps what it needs of the record (its
 * bytes die with the call) and owes one outcome.  Owed outcomes are given
 * with stage_emit / stage_drop / stage_reject between stage_settle_begin and
 * stage_settle_end, from any hook (the record hook too, before or after it
 * deals with its own record); the rec passed to stage_reject then is one the
 * stage rebuilt from its copy.  Settling more than is owed, or ending the
 * input with outcomes still owed, is an internal error (70). */
void stage_defer(struct stage *st);
void stage_settle_begin(struct stage *st);
void stage_settle_end(struct stage *st);
/* Outcomes owed now. */
uint64_t stage_owed(const struct stage *st);

/* For a stage that parses its records itself (cfg->check_json 0): reject
 * rec as the runner's own check would have, with jtype (an enum json_type,
 * JSON_INVALID for text that is not JSON), joff and jwhy as json_check
 * gives them: "not a JSON object (a JSON array)", "not valid JSON: WHY at
 * byte N"; a cut last line ends the run instead (65, see above). */
int stage_reject_json(struct stage *st, const struct stage_rec *rec, int jtype, size_t joff,
                      const char *jwhy);
/* Stop the run with err's status and message. */
int stage_fail(struct stage *st, const struct ep_err *err);
/* Output writer, for stages that format into it directly (-o csv). */
struct ndjson_writer *stage_out(struct stage *st);

#endif
