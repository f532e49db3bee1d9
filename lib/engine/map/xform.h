/*
 * xform.h - one run of xform(1) (layer 5: engines): the options as a
 * struct xform_cfg, then xform_run compiles the map (-f) and runs the
 * stream through it (lib/stream/stage.h), as NDJSON or CSV rows; or
 * checks a map (--check), lists its field pairs (--pairs) or writes a
 * draft map from samples (--suggest, lib/engine/suggest.h).
 *
 * Like the stage runner it is the program's run: it warns on stderr
 * (lib/log) and writes stdout.  A usage error (options that do not go
 * together) is not printed but handed back in *err with EP_USAGE, for
 * the program to print with its usage.
 *
 * Ownership: the cfg and its strings stay the caller's.
 */
#ifndef ERPIPE_XFORM_H
#define ERPIPE_XFORM_H

#include "base/err.h"
#include "stream/csvio.h"
#include "stream/stage.h"

enum { XFORM_MAX_TARGETS = 8 };

struct xform_cfg {
	struct stage_cfg stage;
	struct csvio_opts csv;                  /* --columns, --delimiter, ... */
	int in_csv, out_csv;                    /* -i csv, -o csv */
	const char *map;                        /* -f */
	const char *check;                      /* --check or --pairs */
	int pairs;                              /* --pairs */
	int keep;                               /* --keep */
	const char *targets[XFORM_MAX_TARGETS]; /* --suggest */
	int ntargets;
	const char *synonyms; /* --synonyms */
};

/* The exit status; EP_USAGE with err filled for a usage error. */
int xform_run(struct xform_cfg *c, int nfiles, char **files, struct ep_err *err);

#endif
