/*
 * validate - check records against a JSON Schema, business rules, unique
 * keys and references before they reach a target.
 *
 * Valid records are written as their original bytes; an invalid one goes
 * to the rejects with every reason found (stage "validate", each error
 * with its JSON Pointer path).  Lines that are not JSON objects go to the
 * rejects at the parse stage; checkpoints pass in order, and with --state
 * validate commits them.  The checks themselves live in lib/engine/schema/validator.c,
 * the run (hooks, warnings, history) in lib/engine/schema/validate.c.
 * --anomaly and --dup-payment flag records against a history (--history,
 * committed at each checkpoint and at the end of a run that succeeded);
 * with --warnings FILE their flags let the record pass and go to FILE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/log.h"
#include "base/ops.h"
#include "base/opt.h"
#include "engine/schema/validate.h"

static const char usage_text[] =
	"usage: validate [-qv] [-i ndjson|singer] [-s SCHEMA] [--op OP]\n"
	"                [--rule EXPR [--message TEXT]] ...\n"
	"                [--unique FIELDS] ... [--ref FIELD=FILE:KEY] ... [--report]\n"
	"                [--similar FIELDS [--similar-cutoff SCORE] [--similar-warn]\n"
	"                [--phone-country CC]]\n"
	"                [--anomaly FIELD [--by FIELDS]] ... [--anomaly-cut SCORE]\n"
	"                [--anomaly-keep N] [--anomaly-min N]\n"
	"                [--dup-payment VENDOR,AMOUNT,DATE,REF] [--dup-window DAYS]\n"
	"                [--id FIELD] [--history FILE] [--warnings FILE]\n"
	"                [--fail-fast] [--flush-every N] [--flush-ms MS]\n"
	"                [--max-line BYTES] [--max-rejects N] [--rejects FILE]\n"
	"                [--state FILE] [--metrics FILE] [--stats FILE] [FILE ...]\n";

enum {
	OPT_MESSAGE = OPT_FIRST_FREE,
	OPT_OP,
	OPT_PHONE_COUNTRY,
	OPT_REF,
	OPT_REPORT,
	OPT_RULE,
	OPT_SIMILAR,
	OPT_SIMILAR_CUTOFF,
	OPT_SIMILAR_WARN,
	OPT_UNIQUE,
	OPT_ANOMALY,
	OPT_ANOMALY_CUT,
	OPT_ANOMALY_KEEP,
	OPT_ANOMALY_MIN,
	OPT_BY,
	OPT_DUP_PAYMENT,
	OPT_DUP_WINDOW,
	OPT_HISTORY,
	OPT_ID,
	OPT_WARNINGS
};

static const struct ep_opt validate_opts[] = {
	{ "anomaly", OPT_ANOMALY, "FIELD", "flag FIELD's values far from their group's history" },
	{ "anomaly-cut", OPT_ANOMALY_CUT, "SCORE", "the robust score that flags (default 5)" },
	{ "anomaly-keep", OPT_ANOMALY_KEEP, "N", "past values a group keeps (default 50)" },
	{ "anomaly-min", OPT_ANOMALY_MIN, "N",
	  "past values a group needs to be judged (default 12)" },
	{ "by", OPT_BY, "FIELDS", "FIELD[,FIELD...]: the groups of the --anomaly before it" },
	{ "dup-payment", OPT_DUP_PAYMENT, "FIELDS",
	  "VENDOR,AMOUNT,DATE,REF: flag duplicate payments" },
	{ "dup-window", OPT_DUP_WINDOW, "DAYS",
	  "payments this many days apart may be duplicates (default 7)" },
	{ "history", OPT_HISTORY, "FILE",
	  "the state file --anomaly and --dup-payment keep their history in" },
	{ "id", OPT_ID, "FIELD",
	  "a record's identity for the history: one seen before is not judged again" },
	{ "message", OPT_MESSAGE, "TEXT", "the reject message of the --rule before it" },
	{ "op", OPT_OP, "upsert|create|update|delete|insert",
	  "what records without _op are, as load's --op" },
	{ "phone-country", OPT_PHONE_COUNTRY, "CC",
	  "--similar: the country of phone numbers written without one (GB, 44, ...)" },
	{ "ref", OPT_REF, "REF", "FIELD=FILE:KEY: FIELD's value must be a KEY in FILE" },
	{ "report", OPT_REPORT, NULL, "print failure counts per check and path at the end" },
	{ "rule", OPT_RULE, "EXPR", "an expression every record must make true" },
	{ "schema", 's', "SCHEMA", "JSON Schema file, or a name on the schema search path" },
	{ "similar", OPT_SIMILAR, "FIELDS",
	  "[KIND:]FIELD[,...]: reject near-duplicates of earlier records (kinds: name, email, phone, vat, address, city, zip, text)" },
	{ "similar-cutoff", OPT_SIMILAR_CUTOFF, "SCORE",
	  "--similar: the score from which records are near-duplicates (default 0.9)" },
	{ "similar-warn", OPT_SIMILAR_WARN, NULL,
	  "--similar: warn and pass the record instead of rejecting it" },
	{ "unique", OPT_UNIQUE, "FIELDS", "FIELD[,FIELD...] must not repeat in the stream" },
	{ "warnings", OPT_WARNINGS, "FILE",
	  "flags of --anomaly and --dup-payment pass, noted in FILE" },
	{ NULL, 0, NULL, NULL },
};

static const struct ep_opt *const tables[] = { ep_opt_common, validate_opts, stage_input_opts,
	                                       stage_opts,    ops_opts,      NULL };

/* a number of an option: SCORE > 0 */
static int
score_arg(const char *s, double *out)
{
	char *end;
	double d = strtod(s, &end);

	if (end == s || *end != '\0' || !(d > 0) || d > 1e9)
		return -1;
	*out = d;
	return 0;
}

/* an option's failure: the usage for a bad value, else its own status */
static int
failed(const struct ep_err *err)
{
	if (err->code == EP_USAGE)
		return ep_usage(usage_text, "%s", err->msg);
	ep_warn("%s", err->msg);
	return err->code ? err->code : EP_SOFTWARE;
}

int
main(int argc, char *argv[])
{
	struct validate_cfg cfg = { .tune = { 5, 12, 50, 7 }, .cutoff = 0.9 };
	struct ep_optset os;
	struct ep_err err = EP_ERR_INIT;
	struct validator *v;
	int c, r, status;
	char *end;

	ep_prog = "validate";
	stage_cfg_init(&cfg.stage, "validate");
	cfg.stage.check_json = 0; /* the validator's parser checks, as strictly */
	if (ep_opt_build(tables, &os, &err) < 0) {
		ep_warn("%s", err.msg);
		return EP_SOFTWARE;
	}
	if ((v = cfg.v = validator_new(&err)) == NULL ||
	    (cfg.refs = calloc((size_t)argc, sizeof(*cfg.refs))) == NULL) {
		ep_warn("out of memory");
		return EP_SOFTWARE;
	}
	status = -1;
	while (status < 0 && (c = ep_opt_next(argc, argv, &os, usage_text, tables)) != -1) {
		switch (c) {
		case EP_OPT_EXIT:
			status = ep_opt_exit_status();
			continue;
		case 's':
			if (cfg.schema)
				status = ep_usage(usage_text, "only one -s/--schema may be given");
			cfg.schema = optarg;
			continue;
		case OPT_ANOMALY:
			if (validator_add_anomaly(v, optarg, &err) < 0)
				status = failed(&err);
			continue;
		case OPT_ANOMALY_CUT:
			if (score_arg(optarg, &cfg.tune.cut) < 0)
				status = ep_usage(usage_text, "--anomaly-cut '%s': not a score > 0",
				                  optarg);
			continue;
		case OPT_ANOMALY_KEEP:
			if (ep_parse_long(optarg, 1, 10000, &cfg.tune.keep) < 0)
				status = ep_usage(usage_text, "--anomaly-keep '%s': not 1 to 10000",
				                  optarg);
			continue;
		case OPT_ANOMALY_MIN:
			if (ep_parse_long(optarg, 1, 10000, &cfg.tune.min) < 0)
				status = ep_usage(usage_text, "--anomaly-min '%s': not 1 to 10000",
				                  optarg);
			continue;
		case OPT_BY:
			if (validator_set_by(v, optarg, &err) < 0)
				status = failed(&err);
			continue;
		case OPT_DUP_PAYMENT:
			if (validator_add_dup_payment(v, optarg, &err) < 0)
				status = failed(&err);
			continue;
		case OPT_DUP_WINDOW:
			if (ep_parse_long(optarg, 0, 36600, &cfg.tune.window) < 0)
				status = ep_usage(usage_text,
				                  "--dup-window '%s': not 0 to 36600 days", optarg);
			continue;
		case OPT_HISTORY:
			cfg.history = optarg;
			continue;
		case OPT_ID:
			if (validator_set_id(v, optarg, &err) < 0)
				status = failed(&err);
			continue;
		case OPT_WARNINGS:
			cfg.warnings = optarg;
			continue;
		case OPT_MESSAGE:
			if (validator_set_message(v, optarg, &err) < 0)
				status = failed(&err);
			continue;
		case OPT_OP:
			if (validator_set_op(v, optarg, &err) < 0)
				status = failed(&err);
			continue;
		case OPT_PHONE_COUNTRY:
			cfg.country = optarg;
			cfg.similar_opts = 1;
			continue;
		case OPT_REF:
			cfg.refs[cfg.nrefs++] = optarg;
			continue;
		case OPT_REPORT:
			cfg.report = 1;
			continue;
		case 'i':
			if (stage_input(&cfg.stage, optarg, &err) < 0)
				status = ep_usage(usage_text, "%s", err.msg);
			continue;
		case OPT_RULE:
			if (validator_add_rule(v, optarg, &err) < 0)
				status = failed(&err);
			continue;
		case OPT_SIMILAR:
			if (cfg.similar)
				status = ep_usage(usage_text, "only one --similar may be given");
			cfg.similar = optarg;
			continue;
		case OPT_SIMILAR_CUTOFF:
			cfg.similar_opts = 1;
			cfg.cutoff = strtod(optarg, &end);
			if (end == optarg || *end || !(cfg.cutoff > 0 && cfg.cutoff <= 1))
				status = ep_usage(usage_text,
				                  "--similar-cutoff '%s': a score above 0, "
				                  "up to 1",
				                  optarg);
			continue;
		case OPT_SIMILAR_WARN:
			cfg.similar_warn = cfg.similar_opts = 1;
			continue;
		case OPT_UNIQUE:
			if (validator_add_unique(v, optarg, &err) < 0)
				status = failed(&err);
			continue;
		}
		if ((r = stage_opt(&cfg.stage, c, optarg, &err)) == 1)
			continue;
		status = ep_opt_bad(usage_text, c, argv, r < 0 ? err.msg : NULL);
	}
	ep_opt_free(&os);
	if (status < 0)
		status = ep_run_status(
			usage_text, validate_run(&cfg, argc - optind, argv + optind, &err), &err);
	free(cfg.refs);
	validator_free(v);
	return status;
}
