/*
 * reconcile - compare two record files by key: what is missing, extra or
 * changed, or whether control totals agree; optionally write the records
 * that would make one side match the other.  The options fill a struct
 * reconcile_cfg; the run is lib/engine/diff/reconcile.c on lib/engine/diff.
 */
#include <string.h>

#include "base/dt.h"
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

enum {
	OPT_ALL = OPT_FIRST_FREE,
	OPT_ALLOW_DELETE,
	OPT_ARCHIVE_LEFT,
	OPT_ARCHIVE_RIGHT,
	OPT_AUDIT,
	OPT_AUDIT_KEY,
	OPT_BASE,
	OPT_CUTOFF,
	OPT_DATE,
	OPT_DATE_ZONE,
	OPT_DELETES,
	OPT_EMIT_FIX,
	OPT_FIX_LEFT,
	OPT_FIX_MAP,
	OPT_FIX_RIGHT,
	OPT_FORMAT,
	OPT_GROUP_BY,
	OPT_IGNORE,
	OPT_IGNORE_CASE,
	OPT_MAP_LEFT,
	OPT_MAP_RIGHT,
	OPT_MATCH,
	OPT_MAX_LINE_R,
	OPT_MEMORY,
	OPT_NEW_BASE,
	OPT_OWNER,
	OPT_PHONE_COUNTRY,
	OPT_POLICY,
	OPT_REJECTS,
	OPT_REPORT,
	OPT_SORTED,
	OPT_STRICT,
	OPT_SUM,
	OPT_TOLERANCE,
	OPT_TRIM,
};

static const struct ep_opt reconcile_opts[] = {
	{ "all", OPT_ALL, NULL, "also write the keys (or groups) that match" },
	{ "allow-delete", OPT_ALLOW_DELETE, NULL,
	  "with --emit-fix, delete what only the fixed side has" },
	{ "archive-left", OPT_ARCHIVE_LEFT, "JSON",
	  "--deletes archive: the fields that archive a left record (default {\"active\":false})" },
	{ "archive-right", OPT_ARCHIVE_RIGHT, "JSON",
	  "--deletes archive: the fields that archive a right record" },
	{ "audit", OPT_AUDIT, "FILE", "append one tamper-evident line per fix emitted to FILE" },
	{ "audit-key", OPT_AUDIT_KEY, "FILE", "--audit: sign each line with the HMAC key in FILE" },
	{ "base", OPT_BASE, "BASE_FILE", "three-way merge: the last agreed state of both sides" },
	{ "cutoff", OPT_CUTOFF, "SCORES",
	  "--match: HIGH[,LOW]: the score of a binding, and of an ambiguous pair (default 0.9,0.4)" },
	{ "date", OPT_DATE, "FIELDS",
	  "compare these fields as instants, across formats and zones" },
	{ "date-zone", OPT_DATE_ZONE, "ZONE",
	  "zone of dates written without an offset (default UTC)" },
	{ "deletes", OPT_DELETES, "report|propagate|archive",
	  "--base: what a key gone from one side does to the other (default report)" },
	{ "emit-fix", OPT_EMIT_FIX, "left|right|both",
	  "write on stdout the records that make that side match (both: --base)" },
	{ "fields", 'f', "FIELDS",
	  "compare only these fields (NAME or LEFT=RIGHT, comma-separated)" },
	{ "fix-left", OPT_FIX_LEFT, "FILE", "--base: write the left's fixes to FILE" },
	{ "fix-map", OPT_FIX_MAP, "MAP", "map fix records back into the fixed side's own names" },
	{ "fix-right", OPT_FIX_RIGHT, "FILE", "--base: write the right's fixes to FILE" },
	{ "format", OPT_FORMAT, "ndjson|summary|csv|html|xlsx",
	  "how the differences are written (default ndjson)" },
	{ "group-by", OPT_GROUP_BY, "FIELD",
	  "with --sum: totals per FIELD, FIELD:month or FIELD:day" },
	{ "ignore", OPT_IGNORE, "FIELDS", "never compare these fields" },
	{ "ignore-case", OPT_IGNORE_CASE, "FIELDS",
	  "compare these strings case-insensitively ('*': all)" },
	{ "key", 'k', "KEY", "key fields: NAME or LEFT=RIGHT, comma-separated" },
	{ "map-left", OPT_MAP_LEFT, "MAP", "map each left record first (erpipe-map(5))" },
	{ "map-right", OPT_MAP_RIGHT, "MAP", "map each right record first" },
	{ "match", OPT_MATCH, "FIELDS",
	  "pair records that share no key by [KIND:]LEFT[=RIGHT] fields: name, email, phone, vat, address, city, zip, text" },
	{ "max-line", OPT_MAX_LINE_R, "BYTES", "longest input line accepted (default 64M)" },
	{ "memory", OPT_MEMORY, "SIZE",
	  "memory for the held side before spilling to disk (default 1G)" },
	{ "new-base", OPT_NEW_BASE, "FILE", "--base: write the merged state to FILE (atomically)" },
	{ "owner", OPT_OWNER, "OWNERS",
	  "--base: FIELD=left or FIELD=right, comma-separated: who owns a field" },
	{ "phone-country", OPT_PHONE_COUNTRY, "CC",
	  "--match: the country of phone numbers written without one (GB, 44, ...)" },
	{ "policy", OPT_POLICY, "FILE", "--base: a file of owner and ignore lines" },
	{ "rejects", OPT_REJECTS, "FILE",
	  "--base: append the conflicts to FILE; --match: the ambiguous pairs (default stdout)" },
	{ "report", OPT_REPORT, "FILE", "write the differences to FILE instead of stdout" },
	{ "sorted", OPT_SORTED, NULL,
	  "the inputs are sorted by key: merge them in constant memory" },
	{ "strict", OPT_STRICT, NULL, "null, false, \"\" and a missing field all differ" },
	{ "sum", OPT_SUM, "FIELDS", "compare control totals of these fields instead of records" },
	{ "tolerance", OPT_TOLERANCE, "LIMITS",
	  "FIELD=N or FIELD=N%: numbers within N (N% of the larger) are equal" },
	{ "trim", OPT_TRIM, "FIELDS", "ignore white space around these strings ('*': all)" },
	{ NULL, 0, NULL, NULL },
};

static const struct ep_opt *const tables[] = { ep_opt_common, reconcile_opts, ops_opts, NULL };

int
main(int argc, char *argv[])
{
	struct reconcile_cfg cfg;
	struct diff_spec *spec = &cfg.spec;
	struct ep_optset os;
	struct ep_err err = EP_ERR_INIT;
	int c, r, status = 0;
	uint64_t sz;

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
		case 'f':
			r = diff_parse_pairs(optarg, "--fields", &spec->fields, &spec->nfields,
			                     &err);
			break;
		case 'k':
			r = diff_parse_pairs(optarg, "--key", &spec->keys, &spec->nkeys, &err);
			break;
		case OPT_ALL:
			cfg.all = 1;
			break;
		case OPT_ALLOW_DELETE:
			cfg.allow_delete = 1;
			break;
		case OPT_ARCHIVE_LEFT:
		case OPT_ARCHIVE_RIGHT:
			cfg.archive[c == OPT_ARCHIVE_RIGHT] = optarg;
			break;
		case OPT_AUDIT:
			cfg.audit = optarg;
			break;
		case OPT_AUDIT_KEY:
			cfg.audit_key = optarg;
			break;
		case OPT_BASE:
			cfg.base = optarg;
			break;
		case OPT_CUTOFF:
			cfg.cutoff = optarg;
			r = reconcile_parse_cutoff(optarg, &cfg.hi, &cfg.lo, &err);
			break;
		case OPT_DATE:
			r = diff_parse_flag(optarg, DIFF_DATE, &spec->rules, &spec->nrules, &err);
			break;
		case OPT_DATE_ZONE:
			if (!dt_tz_known(optarg))
				r = ep_errf(&err, EP_USAGE, "--date-zone '%s': not a time zone",
				            optarg);
			spec->zone = optarg;
			break;
		case OPT_DELETES:
			r = reconcile_parse_deletes(optarg, &cfg.deletes, &err);
			break;
		case OPT_EMIT_FIX:
			r = reconcile_parse_emit(optarg, &cfg.emit, &err);
			break;
		case OPT_FIX_LEFT:
		case OPT_FIX_RIGHT:
			cfg.fix_file[c == OPT_FIX_RIGHT] = optarg;
			break;
		case OPT_FIX_MAP:
			cfg.fix_map = optarg;
			break;
		case OPT_FORMAT:
			if (diff_parse_format(optarg, &cfg.fmt) < 0)
				r = ep_errf(&err, EP_USAGE,
				            "--format '%s': ndjson, summary, csv, html or xlsx",
				            optarg);
			cfg.format = optarg;
			break;
		case OPT_GROUP_BY:
			r = reconcile_parse_group(optarg, spec, &err);
			break;
		case OPT_IGNORE:
			r = diff_parse_pairs(optarg, "--ignore", &spec->ignore, &spec->nignore,
			                     &err);
			break;
		case OPT_IGNORE_CASE:
			r = diff_parse_flag(optarg, DIFF_ICASE, &spec->rules, &spec->nrules, &err);
			break;
		case OPT_MAP_LEFT:
		case OPT_MAP_RIGHT:
			cfg.map[c == OPT_MAP_RIGHT] = optarg;
			break;
		case OPT_MATCH:
			r = sim_spec_parse(optarg, 1, "--match", &cfg.sim, &err);
			break;
		case OPT_MAX_LINE_R:
			if (ep_parse_size(optarg, &sz) < 0 || sz < 2 || sz > (1ull << 34))
				r = ep_errf(&err, EP_USAGE,
				            "--max-line '%s': not a size (2 to 16G)", optarg);
			spec->max_line = (size_t)sz;
			break;
		case OPT_MEMORY:
			if (ep_parse_size(optarg, &sz) < 0 || sz < 1)
				r = ep_errf(&err, EP_USAGE, "--memory '%s': not a size", optarg);
			spec->memory = sz;
			break;
		case OPT_NEW_BASE:
			cfg.new_base = optarg;
			break;
		case OPT_OWNER:
			r = diff_parse_owners(optarg, &cfg.pol, &err);
			break;
		case OPT_PHONE_COUNTRY:
			cfg.country = optarg;
			r = sim_set_country(&cfg.sim, optarg, &err);
			break;
		case OPT_POLICY:
			if (reconcile_read_policy(&cfg, optarg, &err) < 0) {
				ep_warn("%s", err.msg);
				status = err.code;
				goto done;
			}
			break;
		case OPT_REJECTS:
			cfg.rejects = optarg;
			break;
		case OPT_REPORT:
			cfg.report = optarg;
			break;
		case OPT_SORTED:
			spec->sorted = 1;
			break;
		case OPT_STRICT:
			spec->strict = 1;
			break;
		case OPT_SUM:
			r = diff_parse_pairs(optarg, "--sum", &spec->sums, &spec->nsums, &err);
			break;
		case OPT_TOLERANCE:
			r = diff_parse_tolerance(optarg, &spec->rules, &spec->nrules, &err);
			break;
		case OPT_TRIM:
			r = diff_parse_flag(optarg, DIFF_TRIM, &spec->rules, &spec->nrules, &err);
			break;
		case OPT_OPS_METRICS:
		case OPT_OPS_STATS:
			r = ops_opt(c, optarg, &err);
			break;
		default: /* ':' or '?' */
			status = ep_opt_bad(usage_text, c, argv, NULL);
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
