/*
 * reconcile.h - one run of reconcile(1) (layer 5: engines, no network):
 * the options as a struct reconcile_cfg, then reconcile_run compares the
 * two files (diff_run), merges them with a base (diff_merge_run) or pairs
 * them without a key (match_run), writes the report, the fixes, the
 * rejects and the new base, and returns the exit status.
 *
 * Like the stage runner it is the program's run, so it warns on stderr
 * (lib/log) and counts into lib/ops; a usage error (options that do not
 * go together, found before anything is read) is not printed but handed
 * back in *err with EP_USAGE, for the program to print with its usage.
 *
 * Ownership: reconcile_cfg_init and reconcile_cfg_free pair; the parsed
 * parts of the cfg (spec pairs and rules, pol, sim) are the cfg's, the
 * strings (paths, file names) are borrowed and must outlive the run.
 */
#ifndef ERPIPE_RECONCILE_H
#define ERPIPE_RECONCILE_H

#include "base/err.h"
#include "base/opt.h"
#include "engine/diff/diff.h"
#include "engine/similar.h"

enum { RECONCILE_EMIT_NONE = -1, RECONCILE_EMIT_BOTH = 2 };

struct reconcile_cfg {
	const char *path[2];          /* LEFT_FILE RIGHT_FILE ("-": stdin, one at most) */
	struct diff_spec spec;        /* keys, fields, rules, sums, ...; the maps set by the run */
	struct diff_policy pol;       /* --owner, --policy */
	struct sim_spec sim;          /* --match (sim.n 0: not given) */
	double hi, lo;                /* --cutoff (0.9, 0.4) */
	const char *cutoff, *country; /* --cutoff, --phone-country as given */
	const char *map[2], *fix_map; /* --map-left, --map-right, --fix-map */
	const char *report;           /* --report FILE */
	const char *format;           /* --format as given (NULL: not given) */
	enum diff_format fmt;
	int all, allow_delete;
	int emit; /* --emit-fix: 0 left, 1 right, RECONCILE_EMIT_* */
	const char *audit, *audit_key;
	/* --base */
	const char *base, *new_base, *rejects, *fix_file[2];
	enum diff_deletes deletes;
	const char *archive[2];
};

void reconcile_cfg_init(struct reconcile_cfg *cfg);
void reconcile_cfg_free(struct reconcile_cfg *cfg);

/* Option values into cfg; -1 with err (EP_USAGE, naming the option). */
int reconcile_parse_emit(const char *s, int *emit, struct ep_err *err);
int reconcile_parse_deletes(const char *s, enum diff_deletes *d, struct ep_err *err);
/* --group-by FIELD, FIELD:month or FIELD:day into spec's group */
int reconcile_parse_group(const char *s, struct diff_spec *spec, struct ep_err *err);
/* --cutoff HIGH[,LOW]: scores from 0 to 1 */
int reconcile_parse_cutoff(const char *s, double *hi, double *lo, struct ep_err *err);
/* --policy FILE: its owners into cfg->pol, its ignored fields into
 * cfg->spec; -1 with err (EP_NOINPUT, EP_IOERR, EP_DATAERR). */
int reconcile_read_policy(struct reconcile_cfg *cfg, const char *path, struct ep_err *err);

/* The run: the exit status (0 agree, EP_DIFF differences, sysexits).  A
 * usage error returns EP_USAGE with err filled and nothing printed. */
int reconcile_run(const struct reconcile_cfg *cfg, struct ep_err *err);

/* reconcile's own options (lib/base/opt.h; reconcile_opt.c), and the one
 * function that takes each into cfg: 0, 1 when key is not one of them, -1
 * with err (EP_USAGE: a bad value; another code: --policy's file could
 * not be read). */
extern const struct ep_opt reconcile_opts[];
int reconcile_opt(struct reconcile_cfg *cfg, int key, const char *arg, struct ep_err *err);

#endif
