/*
 * validate.c - one run of validate(1) (validate.h): the stage hooks that
 * check each record, the warnings, the history committed at checkpoints.
 * Moved out of cmd/validate.c, which parses the options.
 */
#include <string.h>

#include "base/err.h"
#include "base/log.h"
#include "base/ops.h"
#include "engine/schema/validate.h"
#include "engine/schema/validator.h"
#include "stream/reject.h"
#include "stream/stage.h"

struct run {
	struct validator *v;
	struct reject_sink warn; /* --warnings */
	uint64_t nwarn;
};

/* a record that passes with flags: noted in the warnings, as a reject */
static int
warned(struct stage *st, struct run *run, const struct stage_rec *rec,
       const struct validator_result *res)
{
	struct reject w = { "validate", rec->source, rec->line, res->warn_error,
		            res->warns, res->nwarns, rec->p,    rec->len,
		            NULL,       0,           0 };
	struct ep_err err = EP_ERR_INIT;

	if (reject_write(&run->warn, &w, &err) < 0)
		return stage_fail(st, &err);
	run->nwarn++;
	return 0;
}

static int
checked(struct stage *st, const struct stage_rec *rec, void *ctx)
{
	struct run *run = ctx;
	struct validator_result res;
	struct ep_err err = EP_ERR_INIT;
	int r = validator_check(run->v, rec->p, rec->len, rec->source, rec->line, &res, &err);

	if (r < 0)
		return stage_fail(st, &err);
	if (r == 1 && res.note && ep_verbose >= 0)
		ep_warn("%s:%llu: %s", rec->source, (unsigned long long)rec->line, res.note);
	if (r == 1 && res.nwarns && warned(st, run, rec, &res) < 0)
		return -1;
	if (r == 1)
		return stage_emit(st, rec->p, rec->len);
	if (r == VALIDATOR_NOT_JSON)
		return stage_reject_json(st, rec, res.jtype, res.joff, res.jwhy);
	return stage_reject(st, rec, "validate", res.error, res.items, res.n, 0);
}

/* the warnings made durable and the history committed: before a
 * checkpoint's position, and at the end of a run that succeeded */
static int
commit(struct stage *st, struct run *run)
{
	struct ep_err err = EP_ERR_INIT;

	if (reject_sync(&run->warn, &err) < 0 || validator_commit_history(run->v, &err) < 0)
		return stage_fail(st, &err);
	return 0;
}

static int
checkpoint(struct stage *st, const char *stream, const void *pos, void *ctx)
{
	(void)stream;
	(void)pos;
	return commit(st, ctx);
}

static int
ended(struct stage *st, void *ctx)
{
	return commit(st, ctx);
}

/* a failure: a usage error into uerr, any other warned */
static int
failed(const struct ep_err *err, struct ep_err *uerr)
{
	if (err->code == EP_USAGE) {
		*uerr = *err;
		return EP_USAGE;
	}
	ep_warn("%s", err->msg);
	return err->code ? err->code : EP_SOFTWARE;
}

/* the options that need one another, then the files they name */
static int
prepare(struct validate_cfg *c, struct run *run, struct ep_err *uerr)
{
	struct ep_err err = EP_ERR_INIT;
	struct validator *v = c->v;

	if (c->tune.min > c->tune.keep) {
		ep_errf(uerr, EP_USAGE, "--anomaly-min %ld is more than --anomaly-keep %ld",
		        c->tune.min, c->tune.keep);
		return EP_USAGE;
	}
	if (c->history && c->stage.state && strcmp(c->history, c->stage.state) == 0) {
		ep_errf(uerr, EP_USAGE, "--history and --state must be two files");
		return EP_USAGE;
	}
	validator_tune(v, &c->tune);
	validator_set_warn(v, c->warnings != NULL);
	/* files named by the options are read once the command line is known good */
	if (c->schema && validator_set_schema(v, c->schema, &err) < 0)
		return failed(&err, uerr);
	for (int i = 0; i < c->nrefs; i++) {
		struct ep_err warn = EP_ERR_INIT;

		if (validator_add_ref(v, c->refs[i], &warn, &err) < 0)
			return failed(&err, uerr);
		else if (warn.msg[0] && ep_verbose >= 0)
			ep_warn("%s", warn.msg);
	}
	if (c->similar &&
	    validator_add_similar(v, c->similar, c->cutoff, c->similar_warn, c->country, &err) < 0)
		return failed(&err, uerr);
	if (!c->similar && c->similar_opts) {
		ep_errf(uerr, EP_USAGE,
		        "--similar-cutoff, --similar-warn and --phone-country go "
		        "with --similar");
		return EP_USAGE;
	}
	if (c->history && validator_open_history(v, c->history, &err) < 0)
		return failed(&err, uerr);
	if (c->warnings &&
	    reject_open(&run->warn, strcmp(c->warnings, "-") == 0 ? NULL : c->warnings, &err) < 0)
		return failed(&err, uerr);
	return 0;
}

int
validate_run(struct validate_cfg *c, int nfiles, char **files, struct ep_err *uerr)
{
	struct stage_hooks hooks = { checked, NULL, NULL, NULL, checkpoint, ended };
	struct run run;
	int status;

	*uerr = (struct ep_err)EP_ERR_INIT;
	memset(&run, 0, sizeof(run));
	run.v = c->v;
	run.warn.fd = -1;
	if ((status = prepare(c, &run, uerr)) != 0) {
		reject_close(&run.warn);
		return status;
	}
	ops_stream(NULL, NULL, c->schema);
	status = stage_run(&c->stage, nfiles, files, &hooks, &run);
	if (ep_verbose >= 0) {
		validator_summary(c->v, stderr);
		if (c->warnings)
			ep_warn("warnings %llu", (unsigned long long)run.nwarn);
	}
	if (c->report)
		validator_report(c->v, stderr);
	reject_close(&run.warn);
	return status;
}
