/*
 * xform - map records with the mapping language (erpipe-map(5)).
 *
 * With -f MAP each record goes through the compiled map: written, dropped
 * by the map, or rejected with the map's file:line:col and the record's
 * source line.  With no map every record passes through as its original
 * bytes.  Lines that are not JSON objects go to the rejects; checkpoints
 * pass in order, and with --state xform commits them.  -i csv reads CSV
 * rows as records and -o csv writes records as CSV rows (lib/stream/csvio.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "stream/csvio.h"
#include "base/err.h"
#include "stream/json.h"
#include "base/log.h"
#include "engine/map/map.h"
#include "base/ops.h"
#include "base/opt.h"
#include "stream/stage.h"
#include "engine/suggest.h"

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
	{ "synonyms", OPT_SYNONYMS, "FILE", "--suggest's synonym table (default suggest-synonyms.txt)" },
	{ NULL, 0, NULL, NULL },
};

static const struct ep_opt *const tables[] = { ep_opt_common, xform_opts, csvio_opt_table,
					       stage_opts, ops_opts, NULL };

struct xform {
	struct map_prog *prog;
	struct buf out;
	struct csvio_writer *csv;  /* -o csv */
};

static int
header_out(struct stage *st, struct xform *x)
{
	struct ep_err e = EP_ERR_INIT;

	if (!x->csv->header_pending)
		return 0;
	x->csv->header_pending = 0;
	if (ndjson_write(stage_out(st), x->csv->header.p, x->csv->header.len) < 0) {
		ep_errf(&e, EP_IOERR, "cannot write to stdout");
		return stage_fail(st, &e);
	}
	return 0;
}

/* One output record, as NDJSON or as a CSV row. */
static int
emit(struct stage *st, const struct stage_rec *rec, struct xform *x, const char *p, size_t n)
{
	struct ep_err e = EP_ERR_INIT;

	if (x->csv == NULL)
		return stage_emit(st, p, n);
	if (csvio_write(x->csv, p, n, &e) < 0) {
		if (e.code != EP_DATAERR)
			return stage_fail(st, &e);
		return stage_reject(st, rec, "map", e.msg, NULL, 0, 0);
	}
	if (header_out(st, x) < 0)
		return -1;
	return stage_emit(st, x->csv->row.p, x->csv->row.len);
}

/* -o csv: a fixed header goes out even when no record does */
static int
csv_barrier(struct stage *st, void *ctx)
{
	return header_out(st, ctx);
}

static int
csv_control(struct stage *st, const struct stage_rec *rec, void *ctx)
{
	(void)st;
	(void)ctx;
	ep_info(1, "%s:%llu: checkpoint not written: CSV output has no control lines",
		rec->source, (unsigned long long)rec->line);
	return 0;
}

static int
mapped(struct stage *st, const struct stage_rec *rec, void *ctx)
{
	struct xform *x = ctx;
	struct map_rterr re;
	int r;

	if (x->csv == NULL) {
		/* NDJSON: the evaluator writes the record straight into the
		 * output buffer */
		r = map_apply(x->prog, rec->p, rec->len, &stage_out(st)->b, &re);
		if (r == MAP_OK || r == MAP_PASS)
			return stage_emitted(st);
	} else {
		buf_reset(&x->out);
		r = map_apply(x->prog, rec->p, rec->len, &x->out, &re);
	}
	switch (r) {
	case MAP_OK:
		return emit(st, rec, x, x->out.p, x->out.len);
	case MAP_PASS:
		return emit(st, rec, x, rec->p, rec->len);
	case MAP_DROP:
		stage_drop(st);
		return 0;
	case MAP_BADJSON:
		/* valid JSON the engine could not hold ("record too large") */
		if (re.jtype == JSON_INVALID && json_check(rec->p, rec->len, NULL, NULL) == JSON_OBJECT)
			return stage_reject(st, rec, "map", re.msg, NULL, 0, 0);
		/* the one parse of the line: rejected as the runner's check would */
		return stage_reject_json(st, rec, re.jtype, re.joff, re.jwhy);
	default:
		return stage_reject(st, rec, "map", re.where, NULL, 0, 0);
	}
}

static int
identity(struct stage *st, const struct stage_rec *rec, void *ctx)
{
	return emit(st, rec, ctx, rec->p, rec->len);
}

/* --pairs: the map's field pairs on stdout; the exit status */
static int
print_pairs(const struct map_prog *prog)
{
	struct buf b = BUF_INIT;
	int r = EP_OK;

	if (map_pairs(prog, &b) < 0) {
		ep_warn("out of memory");
		r = EP_SOFTWARE;
	} else if (b.len > 0 && fwrite(b.p, 1, b.len, stdout) != b.len)
		r = EP_IOERR;
	buf_release(&b);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		ep_warn("cannot write to stdout");
		r = EP_IOERR;
	}
	return r;
}

/* --suggest: the draft map on stdout from the samples; the exit status */
static int
run_suggest(const char *const *targets, int ntargets, const char *synonyms, int nfiles,
	char **files)
{
	struct suggest_opts so = { NULL, 0, 0, 0 };
	struct ep_err err = EP_ERR_INIT;
	struct buf b = BUF_INIT;
	struct suggest *sg;
	char path[4096];
	int i, r = EP_OK;

	if (synonyms == NULL && map_find(SUGGEST_SYNONYMS, "", NULL, path, sizeof path) == 0)
		synonyms = path;
	so.synonyms = synonyms;
	if ((sg = suggest_new(&so, &err)) == NULL) {
		ep_warn("%s", err.msg);
		return err.code;
	}
	for (i = 0; i < ntargets && r == EP_OK; i++)
		if (suggest_target(sg, targets[i], &err) < 0)
			r = err.code;
	for (i = 0; i < (nfiles ? nfiles : 1) && r == EP_OK; i++) {
		const char *f = nfiles ? files[i] : "-";

		if (suggest_read(sg, SUGGEST_SOURCE, f, &err) < 0 ||
		    suggest_label(sg, SUGGEST_SOURCE, strcmp(f, "-") ? f : "stdin") < 0)
			r = err.code ? err.code : EP_SOFTWARE;
	}
	if (r == EP_OK && suggest_write(sg, &b, &err) < 0)
		r = err.code;
	if (r != EP_OK)
		ep_warn("%s", err.msg[0] ? err.msg : "out of memory");
	else if (fwrite(b.p, 1, b.len, stdout) != b.len || fflush(stdout) != 0) {
		ep_warn("cannot write to stdout");
		r = EP_IOERR;
	}
	buf_release(&b);
	suggest_free(sg);
	return r;
}

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
	struct stage_cfg cfg;
	struct ep_optset os;
	struct ep_err err = EP_ERR_INIT;
	struct stage_hooks hooks = { identity, NULL, NULL, NULL, NULL, NULL };
	struct map_opts mo = { 0 };
	struct xform x = { NULL, BUF_INIT, NULL };
	struct csvio_opts co;
	struct csvio_writer cw;
	const char *map_name = NULL, *check = NULL, *synonyms = NULL;
	const char *targets[8];
	int ntargets = 0;
	int c, r, status, in_csv = 0, out_csv = 0, pairs = 0;

	ep_prog = "xform";
	stage_cfg_init(&cfg, "map");
	csvio_opts_init(&co);
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
			map_name = optarg;
			continue;
		case 'i':
			if (strcmp(optarg, "singer") == 0) {
				cfg.singer_in = 1;
				continue;
			}
			/* FALLTHROUGH */
		case 'o':
			if ((r = format(optarg)) < 0) {
				ep_opt_free(&os);
				return ep_usage(usage_text, "-%c '%s': not ndjson%s", c, optarg,
				                c == 'i' ? ", csv or singer" : " or csv");
			}
			*(c == 'i' ? &in_csv : &out_csv) = r;
			continue;
		case OPT_CHECK:
			check = optarg;
			continue;
		case OPT_KEEP:
			mo.keep = 1;
			continue;
		case OPT_SUGGEST:
			if (ntargets == 8) {
				ep_opt_free(&os);
				return ep_usage(usage_text, "%s", "--suggest: at most 8 targets");
			}
			targets[ntargets++] = optarg;
			continue;
		case OPT_SYNONYMS:
			synonyms = optarg;
			continue;
		case OPT_PAIRS:
			check = optarg;
			pairs = 1;
			continue;
		}
		if ((r = stage_opt(&cfg, c, optarg, &err)) == 1 ||
		    (r == 0 && (r = csvio_opt(&co, c, optarg, &err)) == 1))
			continue;
		ep_opt_free(&os);
		return ep_opt_bad(usage_text, c, argv, r < 0 ? err.msg : NULL);
	}
	ep_opt_free(&os);
	if (ntargets && (check || map_name))
		return ep_usage(usage_text, "%s", "--suggest writes a map: not with -f, --check or --pairs");
	if (synonyms && !ntargets)
		return ep_usage(usage_text, "%s", "--synonyms goes with --suggest");
	if (ntargets)
		return run_suggest(targets, ntargets, synonyms, argc - optind, argv + optind);
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
			r = pairs ? print_pairs(x.prog) : 0;
			map_free(x.prog);
			map_ctx_free(mo.ctx);
			return r;
		}
		hooks.record = mapped;
		cfg.check_json = 0; /* the map's parser checks, as strictly */
	}
	if (in_csv)
		cfg.csv_in = &co;
	if (out_csv) {
		if (csvio_writer_init(&cw, &co, &err) < 0) {
			ep_warn("%s", err.msg);
			map_free(x.prog);
			map_ctx_free(mo.ctx);
			return err.code;
		}
		x.csv = &cw;
		hooks.barrier = csv_barrier;
		hooks.control = csv_control;
	}
	ops_stream(NULL, NULL, map_name);
	status = stage_run(&cfg, argc - optind, argv + optind, &hooks, &x);
	if (x.csv)
		csvio_writer_free(x.csv);
	if (x.prog) {
		map_free(x.prog);
		map_ctx_free(mo.ctx);
	}
	buf_release(&x.out);
	return status;
}
