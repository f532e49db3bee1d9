/*
 * validate.h - one run of validate(1) (layer 5: engines): the checks the
 * options added to a struct validator, then validate_run reads the files
 * named by the options (schema, references, history), opens --warnings
 * and runs the stream through the checks (lib/stream/stage.h): valid
 * records out as their bytes, the others to the rejects, flags that pass
 * to the warnings; the summary and --report on stderr at the end.
 *
 * Like the stage runner it is the program's run: it warns on stderr
 * (lib/log).  A usage error (options that do not go together, a bad value
 * in a file an option names) is not printed but handed back in *err with
 * EP_USAGE, for the program to print with its usage.
 *
 * Ownership: the cfg, its validator and strings stay the caller's.
 */
#ifndef ERPIPE_VALIDATE_H
#define ERPIPE_VALIDATE_H

#include "base/err.h"
#include "engine/schema/validator.h"
#include "stream/stage.h"

struct validate_cfg {
	struct stage_cfg stage;
	struct validator *v;          /* the checks added while parsing */
	struct validator_tuning tune; /* --anomaly-cut, -keep, -min, --dup-window */
	const char *schema;           /* -s */
	const char **refs;            /* --ref, read once the options are known good */
	int nrefs;
	const char *similar, *country;  /* --similar, --phone-country */
	double cutoff;                  /* --similar-cutoff (0.9) */
	int similar_warn, similar_opts; /* --similar-warn; an option of --similar given */
	const char *history, *warnings; /* --history, --warnings */
	int report;                     /* --report */
};

/* The exit status; EP_USAGE with err filled for a usage error. */
int validate_run(struct validate_cfg *c, int nfiles, char **files, struct ep_err *err);

#endif
