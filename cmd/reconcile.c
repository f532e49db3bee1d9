/*
 * reconcile - compare two record files by key: what is missing, extra or
 * changed, or whether control totals agree; optionally write the records
 * that would make one side match the other.  Its options and what each
 * does to a struct reconcile_cfg are lib/engine/diff/reconcile_opt.c; the
 * run is lib/engine/diff/reconcile.c on lib/engine/diff.
 */
#include <string.h>

#include "base/err.h"
#include "base/log.h"
#include "base/ops.h"
#include "base/opt.h"
#include "engine/diff/reconcile.h"

static const char usage_text[] =
	"usage: reconcile [-qv] -k KEY [-f FIELDS] [--ignore FIELDS] [--all]\n"
	"                 [--date FIELDS] [--date-zone ZONE] [--ignore-case FIELDS]\n"
	"                 [--trim FIELDS] [--tolerance LIMITS] [--strict]\n"
	"                 [--map-left MAP] [--map-right MAP] [--sorted] [--memory SIZE]\n"
	"                 [--format ndjson|summary|csv|html|xlsx] [--report FILE]\n"
	"                 [--emit-fix left|right [--fix-map MAP] [--allow-delete]]\n"
	"                 [--audit FILE [--audit-key FILE]]\n"
	"                 [--max-line BYTES] [--metrics FILE] [--stats FILE]\n"
	"                 LEFT_FILE RIGHT_FILE\n"
	"       reconcile [-qv] -k KEY --base BASE_FILE [-f FIELDS] [--ignore FIELDS]\n"
	"                 [comparison options] [--map-left MAP] [--map-right MAP]\n"
	"                 [--owner OWNERS] [--policy FILE]\n"
	"                 [--deletes report|propagate|archive] [--archive-left JSON]\n"
	"                 [--archive-right JSON] [--emit-fix left|right|both [--fix-map MAP]]\n"
	"                 [--fix-left FILE] [--fix-right FILE] [--rejects FILE]\n"
	"                 [--audit FILE [--audit-key FILE]]\n"
	"                 [--new-base FILE] [--sorted] [--memory SIZE] LEFT_FILE RIGHT_FILE\n"
	"       reconcile [-qv] --sum FIELDS [--group-by FIELD[:month|:day]] [--all]\n"
	"                 [--tolerance LIMITS] [--strict] [--date-zone ZONE]\n"
	"                 [--map-left MAP] [--map-right MAP] [--format FORMAT]\n"
	"                 [--report FILE] [--max-line BYTES] LEFT_FILE RIGHT_FILE\n"
	"       reconcile [-qv] --match FIELDS -k ID [--cutoff HIGH[,LOW]] [--all]\n"
	"                 [--phone-country CC] [--map-left MAP] [--map-right MAP]\n"
	"                 [--report FILE] [--rejects FILE] [--max-line BYTES]\n"
	"                 LEFT_FILE RIGHT_FILE\n";

static const struct ep_opt *const tables[] = { ep_opt_common, reconcile_opts, ops_opts, NULL };

int
main(int argc, char *argv[])
{
	struct reconcile_cfg cfg;
	struct ep_optset os;
	struct ep_err err = EP_ERR_INIT;
	int c, r, status = 0;

	ep_prog = "reconcile";
	ops_begin(ep_prog);
	reconcile_cfg_init(&cfg);
	if (ep_opt_build(tables, &os, &err) < 0) {
		ep_warn("%s", err.msg);
		return EP_SOFTWARE;
	}
	while ((c = ep_opt_next(argc, argv, &os, usage_text, tables)) != -1) {
		r = 0;
		switch (c) {
		case EP_OPT_EXIT:
			ep_opt_free(&os);
			reconcile_cfg_free(&cfg);
			return ep_opt_exit_status();
		case OPT_OPS_METRICS:
		case OPT_OPS_STATS:
			r = ops_opt(c, optarg, &err);
			break;
		default:
			r = reconcile_opt(&cfg, c, optarg, &err);
			if (r > 0) { /* ':' or '?' */
				status = ep_opt_bad(usage_text, c, argv, NULL);
				goto done;
			}
		}
		if (r < 0 && err.code != EP_USAGE) { /* --policy FILE not read */
			ep_warn("%s", err.msg);
			status = err.code;
			goto done;
		}
		if (r < 0) {
			status = ep_usage(usage_text, "%s", err.msg);
			goto done;
		}
	}
	if (argc - optind != 2) {
		status = ep_usage(usage_text, "%s",
		                  argc - optind < 2 ? "two files to compare, LEFT and RIGHT"
		                                    : "more than two files");
		goto done;
	}
	cfg.path[0] = argv[optind];
	cfg.path[1] = argv[optind + 1];
	status = ep_run_status(usage_text, reconcile_run(&cfg, &err), &err);
done:
	ep_opt_free(&os);
	reconcile_cfg_free(&cfg);
	ops_finish(status);
	return status;
}
