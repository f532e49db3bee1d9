/*
 * opt.h - one description per option (layer 1: base).
 *
 * A program describes its options once, in struct ep_opt tables; from them
 * come getopt_long's table and short-option string (ep_opt_build) and the
 * --help text (ep_opt_help).  completions/gen turns --help into the bash,
 * zsh and fish completions and man/gen into the man page's OPTIONS headers
 * (make docs-gen); tests/0016 fails when the committed files drift.
 *
 * --help format (parsed by completions/gen for both, keep it stable):
 *   usage: PROG …        (the usage text, as the man page SYNOPSIS)
 *   <blank>
 *   Options:
 *     -X, --name ARG   help      (or four spaces instead of "-X, ")
 * ARG is an upper-case word (FILE, DIR, MAP, N, …) or a|b|c choices.
 *
 * ep_opt_build refuses tables with one key or one long name twice.
 *
 * Ownership: tables are static data owned by the program; ep_opt_build
 * returns heap arrays the caller frees with ep_opt_free.
 */
#ifndef ERPIPE_OPT_H
#define ERPIPE_OPT_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#include "base/err.h"

struct ep_opt {
	const char *name; /* long name without "--"; NULL ends a table */
	int key;          /* short letter, or a value >= 256 */
	const char *arg;  /* argument name, NULL for a flag */
	const char *help; /* one line */
};

/* Keys of long-only options.  ep_opt_common has the first two; each table
 * shared from lib/ numbers its keys from its own range below (and asserts
 * at compile time that they fit in OPT_KEYS_RANGE), a program its own from
 * OPT_FIRST_FREE up, so no two tables meet.  ep_opt_build refuses a key or
 * a long name given twice all the same (EP_SOFTWARE). */
#define OPT_KEYS_RANGE 0x100
enum {
	OPT_HELP = 0x100,
	OPT_VERSION,
	OPT_KEYS_STAGE = 0x200,   /* lib/stream/stage.h */
	OPT_KEYS_CONN = 0x300,    /* lib/net/conn.h */
	OPT_KEYS_LOAD = 0x400,    /* lib/engine/load.h */
	OPT_KEYS_CSV = 0x500,     /* lib/stream/csvio.h */
	OPT_KEYS_EXTRACT = 0x600, /* lib/connect/extract.h */
	OPT_KEYS_NAV = 0x700,     /* lib/proto/nav.h */
	OPT_KEYS_OPS = 0x800,     /* lib/base/ops.h */
	OPT_FIRST_FREE = 0x1000,  /* programs number their long-only keys from here */
};

extern const struct ep_opt ep_opt_common[]; /* --help --version -q -v */

struct ep_optset {
	struct option *longs;
	char *shorts;
};

/* tables: NULL-terminated array of option tables. */
int ep_opt_build(const struct ep_opt *const *tables, struct ep_optset *set, struct ep_err *err);
void ep_opt_free(struct ep_optset *set);
void ep_opt_help(FILE *fp, const char *usage, const struct ep_opt *const *tables);

/* The next option for a program's own switch: getopt_long on set (with
 * opterr off: the program words its own errors), -q and -v taken here.
 * Returns the option's key, -1 after the last option, or EP_OPT_EXIT once
 * --help or --version has been printed: the program then frees set and
 * exits with ep_opt_exit_status(). */
#define EP_OPT_EXIT (-2)
int ep_opt_next(int argc, char *argv[], const struct ep_optset *set, const char *usage,
                const struct ep_opt *const *tables);
/* 0, or EP_IOERR when anything written to standard output failed */
int ep_opt_exit_status(void);

/* A usage error: "PROG: message" (none when fmt is NULL) and the usage
 * text on standard error; returns EP_USAGE. */
int ep_usage(const char *usage, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A run's exit status: a usage error the run handed back unprinted
 * (err->code EP_USAGE: options that do not go together) printed with the
 * usage text as ep_usage does; any other status as it is. */
int ep_run_status(const char *usage, int status, const struct ep_err *err);

/* The usage error for an option a program could not take (the key
 * ep_opt_next returned): msg when given (a bad value), else getopt's
 * complaint about argv[optind - 1], a missing argument (key ':') or an
 * unknown option.  Returns EP_USAGE. */
int ep_opt_bad(const char *usage, int key, char *const argv[], const char *msg);

/* Strict number parsing for option values, the one place every program
 * and lib/http take numbers from (STYLE: strtol with an end pointer).
 * Integers: an optional '-' and digits, nothing else (no white space, no
 * '+').  Sizes: digits (at most EP_SIZE_NUM_MAX) with an optional K, M or
 * G suffix (powers of 1024), which may be spelled KiB or KB. */
#define EP_SIZE_NUM_MAX ((uint64_t)1 << 50)
int ep_parse_long(const char *s, long min, long max, long *out);
int ep_parse_size(const char *s, uint64_t *out);

#endif
