/*
 * xform.c - one run of xform(1) (xform.h): the stage hooks that map each
 * record (or pass it), CSV output, --pairs and --suggest.  Moved out of
 * cmd/xform.c, which parses the options.
 */
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/ops.h"
#include "engine/map/map.h"
#include "engine/map/xform.h"
#include "engine/suggest.h"
#include "stream/csvio.h"
#include "stream/json.h"
#include "stream/ndjson.h"
#include "stream/stage.h"

struct xform {
	struct map_prog *prog;
	struct buf out;
	struct csvio_writer *csv; /* -o csv */
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
	ep_info(1, "%s:%llu: checkpoint not written: CSV output has no control lines", rec->source,
	        (unsigned long long)rec->line);
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
		if (re.jtype == JSON_INVALID &&
		    json_check(rec->p, rec->len, NULL, NULL) == JSON_OBJECT)
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

int
xform_run(struct xform_cfg *c, int nfiles, char **files, struct ep_err *uerr)
{
	struct ep_err err = EP_ERR_INIT;
	struct stage_hooks hooks = { identity, NULL, NULL, NULL, NULL, NULL };
	struct map_opts mo = { 0 };
	struct xform x = { NULL, BUF_INIT, NULL };
	struct csvio_writer cw;
	int r, status;

	*uerr = (struct ep_err)EP_ERR_INIT;
	if (c->ntargets && (c->check || c->map)) {
		ep_errf(uerr, EP_USAGE, "--suggest writes a map: not with -f, --check or --pairs");
		return EP_USAGE;
	}
	if (c->synonyms && !c->ntargets) {
		ep_errf(uerr, EP_USAGE, "--synonyms goes with --suggest");
		return EP_USAGE;
	}
	if (c->ntargets)
		return run_suggest(c->targets, c->ntargets, c->synonyms, nfiles, files);
	mo.keep = c->keep;
	if (c->check || c->map) {
		/* now() is fixed once per run */
		mo.ctx = map_ctx_new(ep_wall_ms(ep_clock_system()));
		x.prog = map_load(c->check ? c->check : c->map, &mo, &err);
		if (x.prog == NULL) {
			ep_warn("%s", err.msg);
			map_ctx_free(mo.ctx);
			return err.code ? err.code : EP_DATAERR;
		}
		if (c->check) {
			r = c->pairs ? print_pairs(x.prog) : 0;
			map_free(x.prog);
			map_ctx_free(mo.ctx);
			return r;
		}
		hooks.record = mapped;
		c->stage.check_json = 0; /* the map's parser checks, as strictly */
	}
	if (c->in_csv)
		c->stage.csv_in = &c->csv;
	if (c->out_csv) {
		if (csvio_writer_init(&cw, &c->csv, &err) < 0) {
			ep_warn("%s", err.msg);
			map_free(x.prog);
			map_ctx_free(mo.ctx);
			return err.code;
		}
		x.csv = &cw;
		hooks.barrier = csv_barrier;
		hooks.control = csv_control;
	}
	ops_stream(NULL, NULL, c->map);
	status = stage_run(&c->stage, nfiles, files, &hooks, &x);
	if (x.csv)
		csvio_writer_free(x.csv);
	if (x.prog) {
		map_free(x.prog);
		map_ctx_free(mo.ctx);
	}
	buf_release(&x.out);
	return status;
}
