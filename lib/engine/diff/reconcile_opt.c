/*
 * reconcile_opt.c - reconcile(1)'s options (reconcile.h): the table its
 * --help, man page headers and completions come from (lib/base/opt.h), and
 * the one function that takes each into a struct reconcile_cfg.
 */
#include <stdint.h>

#include "base/dt.h"
#include "base/opt.h"
#include "engine/diff/reconcile.h"

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

const struct ep_opt reconcile_opts[] = {
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

int
reconcile_opt(struct reconcile_cfg *cfg, int key, const char *arg, struct ep_err *err)
{
	uint64_t sz;
	int r = 0;

	switch (key) {
	case 'f':
		r = diff_parse_pairs(arg, "--fields", &cfg->spec.fields, &cfg->spec.nfields, err);
		break;
	case 'k':
		r = diff_parse_pairs(arg, "--key", &cfg->spec.keys, &cfg->spec.nkeys, err);
		break;
	case OPT_ALL:
		cfg->all = 1;
		break;
	case OPT_ALLOW_DELETE:
		cfg->allow_delete = 1;
		break;
	case OPT_ARCHIVE_LEFT:
	case OPT_ARCHIVE_RIGHT:
		cfg->archive[key == OPT_ARCHIVE_RIGHT] = arg;
		break;
	case OPT_AUDIT:
		cfg->audit = arg;
		break;
	case OPT_AUDIT_KEY:
		cfg->audit_key = arg;
		break;
	case OPT_BASE:
		cfg->base = arg;
		break;
	case OPT_CUTOFF:
		cfg->cutoff = arg;
		r = reconcile_parse_cutoff(arg, &cfg->hi, &cfg->lo, err);
		break;
	case OPT_DATE:
		r = diff_parse_flag(arg, DIFF_DATE, &cfg->spec.rules, &cfg->spec.nrules, err);
		break;
	case OPT_DATE_ZONE:
		if (!dt_tz_known(arg))
			r = ep_errf(err, EP_USAGE, "--date-zone '%s': not a time zone", arg);
		cfg->spec.zone = arg;
		break;
	case OPT_DELETES:
		r = reconcile_parse_deletes(arg, &cfg->deletes, err);
		break;
	case OPT_EMIT_FIX:
		r = reconcile_parse_emit(arg, &cfg->emit, err);
		break;
	case OPT_FIX_LEFT:
	case OPT_FIX_RIGHT:
		cfg->fix_file[key == OPT_FIX_RIGHT] = arg;
		break;
	case OPT_FIX_MAP:
		cfg->fix_map = arg;
		break;
	case OPT_FORMAT:
		if (diff_parse_format(arg, &cfg->fmt) < 0)
			r = ep_errf(err, EP_USAGE,
			            "--format '%s': ndjson, summary, csv, html or xlsx", arg);
		cfg->format = arg;
		break;
	case OPT_GROUP_BY:
		r = reconcile_parse_group(arg, &cfg->spec, err);
		break;
	case OPT_IGNORE:
		r = diff_parse_pairs(arg, "--ignore", &cfg->spec.ignore, &cfg->spec.nignore, err);
		break;
	case OPT_IGNORE_CASE:
		r = diff_parse_flag(arg, DIFF_ICASE, &cfg->spec.rules, &cfg->spec.nrules, err);
		break;
	case OPT_MAP_LEFT:
	case OPT_MAP_RIGHT:
		cfg->map[key == OPT_MAP_RIGHT] = arg;
		break;
	case OPT_MATCH:
		r = sim_spec_parse(arg, 1, "--match", &cfg->sim, err);
		break;
	case OPT_MAX_LINE_R:
		if (ep_parse_size(arg, &sz) < 0 || sz < 2 || sz > (1ull << 34))
			r = ep_errf(err, EP_USAGE, "--max-line '%s': not a size (2 to 16G)", arg);
		cfg->spec.max_line = (size_t)sz;
		break;
	case OPT_MEMORY:
		if (ep_parse_size(arg, &sz) < 0 || sz < 1)
			r = ep_errf(err, EP_USAGE, "--memory '%s': not a size", arg);
		cfg->spec.memory = sz;
		break;
	case OPT_NEW_BASE:
		cfg->new_base = arg;
		break;
	case OPT_OWNER:
		r = diff_parse_owners(arg, &cfg->pol, err);
		break;
	case OPT_PHONE_COUNTRY:
		cfg->country = arg;
		r = sim_set_country(&cfg->sim, arg, err);
		break;
	case OPT_POLICY:
		return reconcile_read_policy(cfg, arg, err);
	case OPT_REJECTS:
		cfg->rejects = arg;
		break;
	case OPT_REPORT:
		cfg->report = arg;
		break;
	case OPT_SORTED:
		cfg->spec.sorted = 1;
		break;
	case OPT_STRICT:
		cfg->spec.strict = 1;
		break;
	case OPT_SUM:
		r = diff_parse_pairs(arg, "--sum", &cfg->spec.sums, &cfg->spec.nsums, err);
		break;
	case OPT_TOLERANCE:
		r = diff_parse_tolerance(arg, &cfg->spec.rules, &cfg->spec.nrules, err);
		break;
	case OPT_TRIM:
		r = diff_parse_flag(arg, DIFF_TRIM, &cfg->spec.rules, &cfg->spec.nrules, err);
		break;
	default:
		return 1;
	}
	return r;
}
