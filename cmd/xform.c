/*
 * xform - map records with the mapping language (erpipe-map(5)).
 *
 * With -f MAP each record goes through the compiled map: written, dropped
 * by the map, or rejected with the map's file:line:col and the record's
 * source line.  With no map every record passes through as its original
 * bytes.  Lines that are not JSON objects go to the rejects; checkpoints
 * pass in order, and with --state xform commits them.
 */
#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "clock.h"
#include "err.h"
#include "log.h"
#include "map.h"
#include "opt.h"
#include "stage.h"

static const char usage_text[] =
	"usage: xform [-qv] [-f MAP] [--keep] [--fail-fast] [--flush-every N]\n"
	"             [--flush-ms MS] [--max-line BYTES] [--max-rejects N]\n"
	"             [--rejects FILE] [--state FILE] [--stats FILE] [FILE ...]\n"
	"       xform --check MAP\n";

enum { OPT_CHECK = OPT_FIRST_FREE, OPT_KEEP };

static const struct ep_opt xform_opts[] = {
	{ "check", OPT_CHECK, "MAP", "compile MAP, report errors, read no input" },
	{ "keep", OPT_KEEP, NULL, "start each output record from the input record" },
	{ "map", 'f', "MAP", "map file, or a name on the map search path" },
	{ NULL, 0, NULL, NULL },
};

static const struct ep_opt *const tables[] = { ep_opt_common, xform_opts, stage_opts, NULL };

struct xform {
	struct map_prog *prog;
	struct buf out;
};

static int
mapped(struct stage *st, const struct stage_rec *rec, void *ctx)
{
	struct xform *x = ctx;
	struct map_rterr re;
	int r;

	buf_reset(&x->out);
	r = map_apply(x->prog, rec->p, rec->len, &x->out, &re);
	switch (r) {
	case MAP_OK:
		return stage_emit(st, x->out.p, x->out.len);
	case MAP_PASS:
		return stage_emit(st, rec->p, rec->len);
	case MAP_DROP:
		stage_drop(st);
		return 0;
	case MAP_BADJSON:
		return stage_reject(st, rec, "parse", re.msg, NULL, 0, 1);
	default:
		return stage_reject(st, rec, "map", re.where, NULL, 0, 0);
	}
}

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
	struct map_opts mo = { 0 };
	struct xform x = { NULL, BUF_INIT };
	const char *map_name = NULL, *check = NULL;
	int c, exit_now, r, status;

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
		switch (c) {
		case 'f':
			map_name = optarg;
			continue;
		case OPT_CHECK:
			check = optarg;
			continue;
		case OPT_KEEP:
			mo.keep = 1;
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
	if (check || map_name) {
		/* now() is fixed once per run */
		mo.ctx = map_ctx_new(ep_wall_ms(ep_clock_system()));
		x.prog = map_load(check ? check : map_name, &mo, &err);
		if (x.prog == NULL) {
			ep_warn("%s", err.msg);
			map_ctx_free(mo.ctx);
			return err.code ? err.code : EP_DATAERR;
		}
		if (check) {
			map_free(x.prog);
			map_ctx_free(mo.ctx);
			return 0;
		}
		hooks.record = mapped;
	}
	status = stage_run(&cfg, argc - optind, argv + optind, &hooks, &x);
	if (x.prog) {
		map_free(x.prog);
		map_ctx_free(mo.ctx);
	}
	buf_release(&x.out);
	return status;
}
