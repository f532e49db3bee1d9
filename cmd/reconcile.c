/*
 * reconcile - compare two record files by key: what is missing, extra or
 * changed, or whether control totals agree; optionally write the records
 * that would make one side match the other.  The work is lib/diff*.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "diff.h"
#include "dt.h"
#include "err.h"
#include "json.h"
#include "log.h"
#include "map.h"
#include "ndjson.h"
#include "opt.h"

static const char usage_text[] =
	"usage: reconcile [-qv] -k KEY [-f FIELDS] [--ignore FIELDS] [--all]\n"
	"                 [--date FIELDS] [--date-zone ZONE] [--ignore-case FIELDS]\n"
	"                 [--trim FIELDS] [--tolerance LIMITS] [--strict]\n"
	"                 [--map-left MAP] [--map-right MAP] [--sorted] [--memory SIZE]\n"
	"                 [--format ndjson|summary|csv|html] [--report FILE]\n"
	"                 [--emit-fix left|right [--fix-map MAP] [--allow-delete]]\n"
	"                 [--max-line BYTES] LEFT_FILE RIGHT_FILE\n"
	"       reconcile [-qv] --sum FIELDS [--group-by FIELD[:month|:day]] [--all]\n"
	"                 [--tolerance LIMITS] [--strict] [--date-zone ZONE]\n"
	"                 [--map-left MAP] [--map-right MAP] [--format FORMAT]\n"
	"                 [--report FILE] [--max-line BYTES] LEFT_FILE RIGHT_FILE\n";

enum {
	OPT_ALL = OPT_FIRST_FREE,
	OPT_ALLOW_DELETE,
	OPT_DATE,
	OPT_DATE_ZONE,
	OPT_EMIT_FIX,
	OPT_FIX_MAP,
	OPT_FORMAT,
	OPT_GROUP_BY,
	OPT_IGNORE,
	OPT_IGNORE_CASE,
	OPT_MAP_LEFT,
	OPT_MAP_RIGHT,
	OPT_MAX_LINE_R,
	OPT_MEMORY,
	OPT_REPORT,
	OPT_SORTED,
	OPT_STRICT,
	OPT_SUM,
	OPT_TOLERANCE,
	OPT_TRIM,
};

static const struct ep_opt reconcile_opts[] = {
	{ "all", OPT_ALL, NULL, "also write the keys (or groups) that match" },
	{ "allow-delete", OPT_ALLOW_DELETE, NULL, "with --emit-fix, delete what only the fixed side has" },
	{ "date", OPT_DATE, "FIELDS", "compare these fields as instants, across formats and zones" },
	{ "date-zone", OPT_DATE_ZONE, "ZONE", "zone of dates written without an offset (default UTC)" },
	{ "emit-fix", OPT_EMIT_FIX, "left|right", "write on stdout the records that make that side match" },
	{ "fields", 'f', "FIELDS", "compare only these fields (NAME or LEFT=RIGHT, comma-separated)" },
	{ "fix-map", OPT_FIX_MAP, "MAP", "map fix records back into the fixed side's own names" },
	{ "format", OPT_FORMAT, "ndjson|summary|csv|html", "how the differences are written (default ndjson)" },
	{ "group-by", OPT_GROUP_BY, "FIELD", "with --sum: totals per FIELD, FIELD:month or FIELD:day" },
	{ "ignore", OPT_IGNORE, "FIELDS", "never compare these fields" },
	{ "ignore-case", OPT_IGNORE_CASE, "FIELDS", "compare these strings case-insensitively ('*': all)" },
	{ "key", 'k', "KEY", "key fields: NAME or LEFT=RIGHT, comma-separated" },
	{ "map-left", OPT_MAP_LEFT, "MAP", "map each left record first (erpipe-map(5))" },
	{ "map-right", OPT_MAP_RIGHT, "MAP", "map each right record first" },
	{ "max-line", OPT_MAX_LINE_R, "BYTES", "longest input line accepted (default 64M)" },
	{ "memory", OPT_MEMORY, "SIZE", "memory for the held side before spilling to disk (default 1G)" },
	{ "report", OPT_REPORT, "FILE", "write the differences to FILE instead of stdout" },
	{ "sorted", OPT_SORTED, NULL, "both inputs are sorted by key: merge them in constant memory" },
	{ "strict", OPT_STRICT, NULL, "null, false, \"\" and a missing field all differ" },
	{ "sum", OPT_SUM, "FIELDS", "compare control totals of these fields instead of records" },
	{ "tolerance", OPT_TOLERANCE, "LIMITS", "FIELD=N or FIELD=N%: numbers within N (N% of the larger) are equal" },
	{ "trim", OPT_TRIM, "FIELDS", "ignore white space around these strings ('*': all)" },
	{ NULL, 0, NULL, NULL },
};

static const struct ep_opt *const tables[] = { ep_opt_common, reconcile_opts, NULL };

struct reconcile {
	struct diff *d;
	struct diff_report *report;  /* --format to stdout or --report */
	struct diff_report *summary; /* --emit-fix: the summary on stderr */
	int fix_side;                /* -1: no fixes */
	int allow_delete;
	struct map_prog *fix_map;
	struct ndjson_writer fixes;
	struct buf fix;
	uint64_t nfix[3], withheld, fix_errors;
};

static int
on_event(void *ctx, const struct diff_event *ev, struct ep_err *err)
{
	struct reconcile *rc = ctx;
	struct map_rterr re;
	int r;

	if (rc->report && diff_report_event(rc->report, ev, err) < 0)
		return -1;
	if (rc->summary && diff_report_event(rc->summary, ev, err) < 0)
		return -1;
	if (rc->fix_side < 0)
		return 0;
	buf_reset(&rc->fix);
	r = diff_fix(rc->d, ev, rc->fix_side, rc->allow_delete, rc->fix_map, &rc->fix, &re);
	if (r == -1)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	if (r == -2) {
		struct buf k = BUF_INIT;

		diff_key_json(rc->d, &k, ev->key, ev->keylen, DIFF_LEFT);
		ep_warn("--fix-map: key %s: %s", buf_str(&k), re.where[0] ? re.where : re.msg);
		buf_release(&k);
		rc->fix_errors++;
		return 0;
	}
	if (r == 0) {
		if (ev->status == (rc->fix_side ? DIFF_ONLY_RIGHT : DIFF_ONLY_LEFT) ||
		    ev->status == DIFF_DUPLICATE)
			rc->withheld++;
		return 0;
	}
	/* {"_op":"create... */
	rc->nfix[rc->fix.p[8] == 'c' ? 0 : rc->fix.p[8] == 'u' ? 1 : 2]++;
	if (ndjson_write(&rc->fixes, rc->fix.p, rc->fix.len) < 0)
		return ep_errf(err, EP_IOERR, "%s", rc->fixes.epipe ? "output closed"
			: strerror(rc->fixes.failed));
	return 0;
}

static void
on_bad(void *ctx, const char *source, uint64_t line, const char *msg)
{
	(void)ctx;
	ep_warn("%s:%llu: %s", source, (unsigned long long)line, msg);
}

static void
on_note(void *ctx, const char *msg)
{
	(void)ctx;
	ep_info(1, "%s", msg);
}

static struct map_prog *
load_map(const char *name, struct map_opts *mo, int *status)
{
	struct ep_err err = EP_ERR_INIT;
	struct map_prog *p = map_load(name, mo, &err);

	if (p == NULL) {
		ep_warn("%s", err.msg);
		*status = err.code ? err.code : EP_DATAERR;
	}
	return p;
}

int
main(int argc, char *argv[])
{
	struct diff_spec spec;
	struct ep_optset os;
	struct ep_err err = EP_ERR_INIT;
	struct reconcile rc;
	struct map_opts mo = { 0 };
	struct map_prog *maps[2] = { NULL, NULL };
	const char *map_name[2] = { NULL, NULL }, *fix_map = NULL, *report = NULL;
	const char *fmt_name = NULL;
	enum diff_format fmt = DIFF_FMT_NDJSON;
	int c, all = 0, status = 0, report_fd = 1, r, closed = 0;
	uint64_t sz;
	struct diff_sink sink = { on_event, on_bad, on_note, NULL };
	const char *paths[2];

	ep_prog = "reconcile";
	memset(&spec, 0, sizeof spec);
	memset(&rc, 0, sizeof rc);
	rc.fix_side = -1;
	if (ep_opt_build(tables, &os, &err) < 0) {
		ep_warn("%s", err.msg);
		return EP_SOFTWARE;
	}
	while ((c = ep_opt_next(argc, argv, &os, usage_text, tables)) != -1) {
		r = 0;
		switch (c) {
		case EP_OPT_EXIT:
			ep_opt_free(&os);
			return ep_opt_exit_status();
		case 'f':
			r = diff_parse_pairs(optarg, "--fields", &spec.fields, &spec.nfields, &err);
			break;
		case 'k':
			r = diff_parse_pairs(optarg, "--key", &spec.keys, &spec.nkeys, &err);
			break;
		case OPT_ALL:
			all = 1;
			break;
		case OPT_ALLOW_DELETE:
			rc.allow_delete = 1;
			break;
		case OPT_DATE:
			r = diff_parse_flag(optarg, DIFF_DATE, &spec.rules, &spec.nrules, &err);
			break;
		case OPT_DATE_ZONE:
			if (!dt_tz_known(optarg))
				r = ep_errf(&err, EP_USAGE, "--date-zone '%s': not a time zone", optarg);
			spec.zone = optarg;
			break;
		case OPT_EMIT_FIX:
			if (strcmp(optarg, "left") == 0)
				rc.fix_side = 0;
			else if (strcmp(optarg, "right") == 0)
				rc.fix_side = 1;
			else
				r = ep_errf(&err, EP_USAGE, "--emit-fix '%s': left or right", optarg);
			break;
		case OPT_FIX_MAP:
			fix_map = optarg;
			break;
		case OPT_FORMAT:
			if (diff_parse_format(optarg, &fmt) < 0)
				r = ep_errf(&err, EP_USAGE,
					"--format '%s': ndjson, summary, csv or html", optarg);
			fmt_name = optarg;
			break;
		case OPT_GROUP_BY: {
			char *colon = strrchr(optarg, ':');
			char tmp[1024];
			struct diff_pair *p = NULL;
			int n = 0;

			snprintf(tmp, sizeof tmp, "%s", optarg);
			spec.group_unit = DIFF_GROUP_VALUE;
			if (colon && (strcmp(colon, ":month") == 0 || strcmp(colon, ":day") == 0)) {
				spec.group_unit = colon[1] == 'm' ? DIFF_GROUP_MONTH : DIFF_GROUP_DAY;
				tmp[colon - optarg] = '\0';
			} else if (colon)
				r = ep_errf(&err, EP_USAGE, "--group-by '%s': FIELD, FIELD:month or "
					"FIELD:day", optarg);
			if (r == 0 && diff_parse_pairs(tmp, "--group-by", &p, &n, &err) < 0)
				r = -1;
			else if (r == 0 && n != 1) {
				diff_pairs_free(p, n);
				r = ep_errf(&err, EP_USAGE, "--group-by '%s': one field", optarg);
			} else if (r == 0) {
				if (spec.group.name[0]) {
					if (spec.group.name[1] != spec.group.name[0])
						free(spec.group.name[1]);
					free(spec.group.name[0]);
				}
				spec.group = p[0];
				free(p);
			}
			break;
		}
		case OPT_IGNORE:
			r = diff_parse_pairs(optarg, "--ignore", &spec.ignore, &spec.nignore, &err);
			break;
		case OPT_IGNORE_CASE:
			r = diff_parse_flag(optarg, DIFF_ICASE, &spec.rules, &spec.nrules, &err);
			break;
		case OPT_MAP_LEFT:
			map_name[0] = optarg;
			break;
		case OPT_MAP_RIGHT:
			map_name[1] = optarg;
			break;
		case OPT_MAX_LINE_R:
			if (ep_parse_size(optarg, &sz) < 0 || sz < 2 || sz > (1ull << 34))
				r = ep_errf(&err, EP_USAGE, "--max-line '%s': not a size (2 to 16G)", optarg);
			spec.max_line = (size_t)sz;
			break;
		case OPT_MEMORY:
			if (ep_parse_size(optarg, &sz) < 0 || sz < 1)
				r = ep_errf(&err, EP_USAGE, "--memory '%s': not a size", optarg);
			spec.memory = sz;
			break;
		case OPT_REPORT:
			report = optarg;
			break;
		case OPT_SORTED:
			spec.sorted = 1;
			break;
		case OPT_STRICT:
			spec.strict = 1;
			break;
		case OPT_SUM:
			r = diff_parse_pairs(optarg, "--sum", &spec.sums, &spec.nsums, &err);
			break;
		case OPT_TOLERANCE:
			r = diff_parse_tolerance(optarg, &spec.rules, &spec.nrules, &err);
			break;
		case OPT_TRIM:
			r = diff_parse_flag(optarg, DIFF_TRIM, &spec.rules, &spec.nrules, &err);
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
		status = ep_usage(usage_text, "%s", argc - optind < 2 ? "two files to compare, LEFT and RIGHT"
							      : "more than two files");
		goto done;
	}
	paths[0] = argv[optind];
	paths[1] = argv[optind + 1];
	if (strcmp(paths[0], "-") == 0 && strcmp(paths[1], "-") == 0) {
		status = ep_usage(usage_text, "%s", "only one side can be standard input '-'");
		goto done;
	}
	if (spec.nsums > 0) {
		if (spec.nkeys > 0 || spec.fields || spec.sorted || rc.fix_side >= 0) {
			status = ep_usage(usage_text, "%s", "--sum compares totals: not with --key, --fields, "
				"--sorted or --emit-fix");
			goto done;
		}
	} else if (spec.group.name[0]) {
		status = ep_usage(usage_text, "%s", "--group-by needs --sum");
		goto done;
	} else if (spec.nkeys == 0) {
		status = ep_usage(usage_text, "%s", "no key: give --key FIELD (or --sum FIELD for totals)");
		goto done;
	}
	if ((fix_map || rc.allow_delete) && rc.fix_side < 0) {
		status = ep_usage(usage_text, "%s", "--fix-map and --allow-delete go with --emit-fix");
		goto done;
	}
	if (rc.fix_side >= 0 && map_name[rc.fix_side] && !fix_map) {
		status = ep_usage(usage_text, "--emit-fix %s: that side has a --map; give --fix-map MAP "
			"to write fixes in its own field names", rc.fix_side ? "right" : "left");
		goto done;
	}
	if (fmt_name == NULL && report == NULL && rc.fix_side < 0)
		fmt = DIFF_FMT_NDJSON;

	/* maps: compiled once, now() fixed for the run */
	if (map_name[0] || map_name[1] || fix_map)
		mo.ctx = map_ctx_new(ep_wall_ms(ep_clock_system()));
	for (int s = 0; s < 2; s++)
		if (map_name[s] && (maps[s] = load_map(map_name[s], &mo, &status)) == NULL)
			goto done;
	if (fix_map && (rc.fix_map = load_map(fix_map, &mo, &status)) == NULL)
		goto done;
	spec.map[0] = maps[0];
	spec.map[1] = maps[1];
	if ((rc.d = diff_new(&spec, &err)) == NULL) {
		status = err.code == EP_USAGE ? ep_usage(usage_text, "%s", err.msg) : err.code;
		if (err.code != EP_USAGE)
			ep_warn("%s", err.msg);
		goto done;
	}
	signal(SIGPIPE, SIG_IGN);
	if (report) {
		report_fd = open(report, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
		if (report_fd < 0) {
			ep_warn("cannot open '%s': %s", report, strerror(errno));
			status = EP_IOERR;
			goto done;
		}
	}
	if (rc.fix_side < 0 || report)
		rc.report = diff_report_new(rc.d, fmt, report_fd, all);
	if (rc.fix_side >= 0) {
		ndjson_writer_init(&rc.fixes, 1);
		if (ep_verbose >= 0)
			rc.summary = diff_report_new(rc.d, DIFF_FMT_SUMMARY, 2, 0);
	}
	sink.ctx = &rc;
	if (diff_run(rc.d, paths, &sink, &err) < 0) {
		closed = strcmp(err.msg, "output closed") == 0;
		if (!closed) {
			ep_warn("%s", err.msg);
			status = err.code ? err.code : EP_SOFTWARE;
		}
	}
	if (rc.report && !closed && diff_report_finish(rc.report, &err) < 0 && status == 0 &&
	    strcmp(err.msg, "output closed") != 0) {
		ep_warn("%s", err.msg);
		status = EP_IOERR;
	}
	if (rc.fix_side >= 0 && ndjson_flush(&rc.fixes) < 0 && !rc.fixes.epipe && status == 0) {
		ep_warn("cannot write to stdout: %s", strerror(rc.fixes.failed));
		status = EP_IOERR;
	}
	if (rc.summary) {
		diff_report_finish(rc.summary, &err);
		ep_info(0, "fixes for the %s side: %llu create, %llu update, %llu delete%s%llu "
			"not written (deletes without --allow-delete, duplicate keys)",
			rc.fix_side ? "right" : "left", (unsigned long long)rc.nfix[0],
			(unsigned long long)rc.nfix[1], (unsigned long long)rc.nfix[2], "; ",
			(unsigned long long)rc.withheld);
	}
	if (status == 0) {
		const struct diff_counts *cn = diff_counts(rc.d);

		if (cn->bad[0] + cn->bad[1] > 0 || rc.fix_errors > 0)
			status = EP_DATAERR;
		else if (cn->n[DIFF_CHANGED] + cn->n[DIFF_ONLY_LEFT] + cn->n[DIFF_ONLY_RIGHT] +
				 cn->n[DIFF_DUPLICATE] > 0)
			status = EP_DIFF;
		if (rc.report == NULL || fmt != DIFF_FMT_SUMMARY)
			ep_info(1, "left %llu, right %llu records; match %llu, changed %llu, only_left "
				"%llu, only_right %llu, duplicate_key %llu",
				(unsigned long long)cn->read[0], (unsigned long long)cn->read[1],
				(unsigned long long)cn->n[0], (unsigned long long)cn->n[1],
				(unsigned long long)cn->n[2], (unsigned long long)cn->n[3],
				(unsigned long long)cn->n[4]);
		if (cn->partitions)
			ep_info(1, "memory for records: %llu KiB at most, %llu partition files",
				(unsigned long long)(cn->peak_bytes >> 10),
				(unsigned long long)cn->partitions);
		else
			ep_info(1, "memory for records: %llu KiB at most",
				(unsigned long long)(cn->peak_bytes >> 10));
	}
done:
	ep_opt_free(&os);
	diff_report_free(rc.report);
	diff_report_free(rc.summary);
	if (rc.fix_side >= 0)
		ndjson_writer_free(&rc.fixes);
	if (report && report_fd >= 0 && report_fd != 1 && close(report_fd) < 0 && status < 2) {
		ep_warn("cannot write '%s': %s", report, strerror(errno));
		status = EP_IOERR;
	}
	buf_release(&rc.fix);
	diff_free(rc.d);
	for (int s = 0; s < 2; s++)
		map_free(maps[s]);
	map_free(rc.fix_map);
	map_ctx_free(mo.ctx);
	diff_pairs_free(spec.keys, spec.nkeys);
	diff_pairs_free(spec.fields, spec.nfields);
	diff_pairs_free(spec.ignore, spec.nignore);
	diff_pairs_free(spec.sums, spec.nsums);
	if (spec.group.name[0]) {
		if (spec.group.name[1] != spec.group.name[0])
			free(spec.group.name[1]);
		free(spec.group.name[0]);
	}
	diff_rules_free(spec.rules, spec.nrules);
	return status;
}
