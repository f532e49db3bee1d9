/*
 * xform - map records with the mapping language (erpipe-map(5)).
 *
 * Today the identity form: with no mapping every record passes through as
 * its original bytes; lines that are not JSON objects go to the rejects;
 * checkpoints pass in order, and with --state xform commits them.
 */
#include <stdio.h>
#include <stdlib.h>

#include "err.h"
#include "log.h"
#include "opt.h"
#include "stage.h"

static const char usage_text[] =
	"usage: xform [-qv] [--fail-fast] [--flush-every N] [--flush-ms MS]\n"
	"             [--max-line BYTES] [--max-rejects N] [--rejects FILE]\n"
	"             [--state FILE] [--stats FILE] [FILE ...]\n";

static const struct ep_opt *const tables[] = { ep_opt_common, stage_opts, NULL };

static int
identity(struct stage *st, const struct stage_rec *rec, void *ctx)
{
	(void)ctx;
	return stage_emit(st, rec->p, rec->len);
}

int
main(int argc, char *argv[])
{
	struct stage_cfg cfg;
	struct ep_optset os;
	struct ep_err err = EP_ERR_INIT;
	struct stage_hooks hooks = { identity, NULL, NULL };
	int c, exit_now, r;

	ep_prog = "xform";
	stage_cfg_init(&cfg, "map");
	if (ep_opt_build(tables, &os, &err) < 0) {
		ep_warn("%s", err.msg);
		return EP_SOFTWARE;
	}
	opterr = 0;
	while ((c = getopt_long(argc, argv, os.shorts, os.longs, NULL)) != -1) {
		if (ep_opt_common_handle(c, usage_text, tables, &exit_now)) {
			if (exit_now) {
				ep_opt_free(&os);
				return fflush(stdout) == 0 ? 0 : EP_IOERR;
			}
			continue;
		}
		if ((r = stage_opt(&cfg, c, optarg, &err)) == 1)
			continue;
		if (r < 0)
			ep_warn("%s", err.msg);
		else if (c == ':')
			ep_warn("option '%s' needs an argument", argv[optind - 1]);
		else
			ep_warn("unknown option '%s'", argv[optind - 1]);
		fputs(usage_text, stderr);
		ep_opt_free(&os);
		return EP_USAGE;
	}
	ep_opt_free(&os);
	return stage_run(&cfg, argc - optind, argv + optind, &hooks, NULL);
}
