/*
 * xform - map records with the mapping language (erpipe-map(5)).
 *
 * With -f MAP each record goes through the compiled map: written, dropped
 * by the map, or rejected with the map's file:line:col and the record's
 * source line.  With no map every record passes through as its original
 * bytes.  Lines that are not JSON objects go to the rejects; checkpoints
 * pass in order, and with --state xform commits them.  -i csv reads CSV
 * rows as records and -o csv writes records as CSV rows (lib/stream/csvio.h).
 * The options fill a struct xform_cfg; the run is lib/engine/map/xform.c.
 */
#include <string.h>

#include "base/err.h"
#include "base/log.h"
#include "base/ops.h"
#include "base/opt.h"
#include "engine/map/xform.h"
#include "stream/csvio.h"
#include "stream/stage.h"

static const char usage_text[] =
	"usage: xform [-qv] [-f MAP] [-i ndjson|csv|singer] [-o ndjson|csv] [--keep]\n"
	"             [--columns LIST] [--delimiter CHAR] [--infer-types]\n"
	"             [--quote-char CHAR] [--quote-style minimal|all|strings]\n"
	"             [--fail-fast] [--flush-every N] [--flush-ms MS]\n"
	"             [--max-line BYTES] [--max-rejects N] [--rejects FILE]\n"
	"             [--state FILE] [--metrics FILE] [--stats FILE] [FILE ...]\n"
	"       xform --check MAP\n"
	"       xform --pairs MAP\n"
	"       xform --suggest TARGET [--suggest TARGET] [--synonyms FILE] [FILE ...]\n";

enum { OPT_CHECK = OPT_FIRST_FREE, OPT_KEEP, OPT_PAIRS, OPT_SUGGEST, OPT_SYNONYMS };

static const struct ep_opt xform_opts[] = {
	{ "check", OPT_CHECK, "MAP", "compile MAP, report errors, read no input" },
	{ "input-format", 'i', "ndjson|csv|singer",
	  "read NDJSON records (default), CSV rows or Singer messages" },
	{ "keep", OPT_KEEP, NULL, "start each output record from the input record" },
	{ "map", 'f', "MAP", "map file, or a name on the map search path" },
	{ "output-format", 'o', "ndjson|csv", "write NDJSON records (default) or CSV rows" },
	{ "pairs", OPT_PAIRS, "MAP", "list MAP's field pairs, TARGET<TAB>SOURCE, read no input" },
	{ "suggest", OPT_SUGGEST, "TARGET",
	  "write a draft map from the input records to TARGET (a schema or an NDJSON sample)" },
	{ "synonyms", OPT_SYNONYMS, "FILE",
	  "--suggest's synonym table (default suggest-synonyms.txt)" },
	{ NULL, 0, NULL, NULL },
};

static const struct ep_opt *const tables[] = { ep_opt_common, xform_opts, csvio_opt_table,
	                                       stage_opts,    ops_opts,   NULL };

/* "ndjson" 0, "csv" 1, else -1 */
static int
format(const char *arg)
{
	if (strcmp(arg, "ndjson") == 0)
		return 0;
	if (strcmp(arg, "csv") == 0)
		return 1;
	return -1;
}

int
main(int argc, char *argv[])
{
	struct xform_cfg cfg = { 0 };
	struct ep_optset os;
	struct ep_err err = EP_ERR_INIT;
	int c, r;

	ep_prog = "xform";
	stage_cfg_init(&cfg.stage, "map");
	csvio_opts_init(&cfg.csv);
	if (ep_opt_build(tables, &os, &err) < 0) {
		ep_warn("%s", err.msg);
		return EP_SOFTWARE;
	}
	while ((c = ep_opt_next(argc, argv, &os, usage_text, tables)) != -1) {
		switch (c) {
		case EP_OPT_EXIT:
			ep_opt_free(&os);
			return ep_opt_exit_status();
		case 'f':
			cfg.map = optarg;
			continue;
		case 'i':
			if (strcmp(optarg, "singer") == 0) {
				cfg.stage.singer_in = 1;
				continue;
			}
			/* FALLTHROUGH */
		case 'o':
			if ((r = format(optarg)) < 0) {
				ep_opt_free(&os);
				return ep_usage(usage_text, "-%c '%s': not ndjson%s", c, optarg,
				                c == 'i' ? ", csv or singer" : " or csv");
			}
			*(c == 'i' ? &cfg.in_csv : &cfg.out_csv) = r;
			continue;
		case OPT_CHECK:
			cfg.check = optarg;
			continue;
		case OPT_KEEP:
			cfg.keep = 1;
			continue;
		case OPT_SUGGEST:
			if (cfg.ntargets == XFORM_MAX_TARGETS) {
				ep_opt_free(&os);
				return ep_usage(usage_text, "%s", "--suggest: at most 8 targets");
			}
			cfg.targets[cfg.ntargets++] = optarg;
			continue;
		case OPT_SYNONYMS:
			cfg.synonyms = optarg;
			continue;
		case OPT_PAIRS:
			cfg.check = optarg;
			cfg.pairs = 1;
			continue;
		}
		if ((r = stage_opt(&cfg.stage, c, optarg, &err)) == 1 ||
		    (r == 0 && (r = csvio_opt(&cfg.csv, c, optarg, &err)) == 1))
			continue;
		ep_opt_free(&os);
		return ep_opt_bad(usage_text, c, argv, r < 0 ? err.msg : NULL);
	}
	ep_opt_free(&os);
	return ep_run_status(usage_text, xform_run(&cfg, argc - optind, argv + optind, &err), &err);
}
