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
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"
#include "engine/diff/diff.h"
#include "engine/diff/diff_audit.h"
#include "base/dt.h"
#include "base/err.h"
#include "stream/json.h"
#include "base/log.h"
#include "engine/map/map.h"
#include "engine/match.h"
#include "stream/ndjson.h"
#include "base/ops.h"
#include "base/opt.h"
#include "engine/similar.h"

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
	{ "allow-delete", OPT_ALLOW_DELETE, NULL, "with --emit-fix, delete what only the fixed side has" },
	{ "archive-left", OPT_ARCHIVE_LEFT, "JSON", "--deletes archive: the fields that archive a left record (default {\"active\":false})" },
	{ "archive-right", OPT_ARCHIVE_RIGHT, "JSON", "--deletes archive: the fields that archive a right record" },
	{ "audit", OPT_AUDIT, "FILE", "append one tamper-evident line per fix emitted to FILE" },
	{ "audit-key", OPT_AUDIT_KEY, "FILE", "--audit: sign each line with the HMAC key in FILE" },
	{ "base", OPT_BASE, "BASE_FILE", "three-way merge: the last agreed state of both sides" },
	{ "cutoff", OPT_CUTOFF, "SCORES", "--match: HIGH[,LOW]: the score of a binding, and of an ambiguous pair (default 0.9,0.4)" },
	{ "date", OPT_DATE, "FIELDS", "compare these fields as instants, across formats and zones" },
	{ "date-zone", OPT_DATE_ZONE, "ZONE", "zone of dates written without an offset (default UTC)" },
	{ "deletes", OPT_DELETES, "report|propagate|archive", "--base: what a key gone from one side does to the other (default report)" },
	{ "emit-fix", OPT_EMIT_FIX, "left|right|both", "write on stdout the records that make that side match (both: --base)" },
	{ "fields", 'f', "FIELDS", "compare only these fields (NAME or LEFT=RIGHT, comma-separated)" },
	{ "fix-left", OPT_FIX_LEFT, "FILE", "--base: write the left's fixes to FILE" },
	{ "fix-map", OPT_FIX_MAP, "MAP", "map fix records back into the fixed side's own names" },
	{ "fix-right", OPT_FIX_RIGHT, "FILE", "--base: write the right's fixes to FILE" },
	{ "format", OPT_FORMAT, "ndjson|summary|csv|html|xlsx",
	  "how the differences are written (default ndjson)" },
	{ "group-by", OPT_GROUP_BY, "FIELD", "with --sum: totals per FIELD, FIELD:month or FIELD:day" },
	{ "ignore", OPT_IGNORE, "FIELDS", "never compare these fields" },
	{ "ignore-case", OPT_IGNORE_CASE, "FIELDS", "compare these strings case-insensitively ('*': all)" },
	{ "key", 'k', "KEY", "key fields: NAME or LEFT=RIGHT, comma-separated" },
	{ "map-left", OPT_MAP_LEFT, "MAP", "map each left record first (erpipe-map(5))" },
	{ "map-right", OPT_MAP_RIGHT, "MAP", "map each right record first" },
	{ "match", OPT_MATCH, "FIELDS", "pair records that share no key by [KIND:]LEFT[=RIGHT] fields: name, email, phone, vat, address, city, zip, text" },
	{ "max-line", OPT_MAX_LINE_R, "BYTES", "longest input line accepted (default 64M)" },
	{ "memory", OPT_MEMORY, "SIZE", "memory for the held side before spilling to disk (default 1G)" },
	{ "new-base", OPT_NEW_BASE, "FILE", "--base: write the merged state to FILE (atomically)" },
	{ "owner", OPT_OWNER, "OWNERS", "--base: FIELD=left or FIELD=right, comma-separated: who owns a field" },
	{ "phone-country", OPT_PHONE_COUNTRY, "CC", "--match: the country of phone numbers written without one (GB, 44, ...)" },
	{ "policy", OPT_POLICY, "FILE", "--base: a file of owner and ignore lines" },
	{ "rejects", OPT_REJECTS, "FILE", "--base: append the conflicts to FILE; --match: the ambiguous pairs (default stdout)" },
	{ "report", OPT_REPORT, "FILE", "write the differences to FILE instead of stdout" },
	{ "sorted", OPT_SORTED, NULL, "the inputs are sorted by key: merge them in constant memory" },
	{ "strict", OPT_STRICT, NULL, "null, false, \"\" and a missing field all differ" },
	{ "sum", OPT_SUM, "FIELDS", "compare control totals of these fields instead of records" },
	{ "tolerance", OPT_TOLERANCE, "LIMITS", "FIELD=N or FIELD=N%: numbers within N (N% of the larger) are equal" },
	{ "trim", OPT_TRIM, "FIELDS", "ignore white space around these strings ('*': all)" },
	{ NULL, 0, NULL, NULL },
};

static const struct ep_opt *const tables[] = { ep_opt_common, reconcile_opts, ops_opts, NULL };

/* --audit: a line per fix emitted (diff_audit.h), one chain per side
 * fixed, opened at the first fix for it. */
struct fix_audit {
	const char *path, *key;
	struct audit *a[2];
	unsigned queued[2];  /* lines queued on each side's trail */
};

static int
audit_fix(struct fix_audit *fa, const struct diff *d, const struct diff_event *ev, int side,
          const char *p, size_t n, struct ep_err *err)
{
	if (fa->path == NULL)
		return 0;
	if (fa->a[side] == NULL &&
	    (fa->a[side] = audit_open(fa->path, fa->key, "reconcile", side ? "right" : "left", NULL,
	                              diff_source(d, side), err)) == NULL)
		return -1;
	if (diff_fix_audit(fa->a[side], d, ev, side, p, n, err) < 0)
		return -1;
	/* appended in batches, as load does */
	if (++fa->queued[side] % 1000 == 0 && audit_flush(fa->a[side], err) < 0)
		return -1;
	return 0;
}

/* The trail made durable at the end; EP_IOERR (warned) when it cannot be. */
static int
fix_audit_end(struct fix_audit *fa, int sync)
{
	struct ep_err err = EP_ERR_INIT;
	int status = 0;

	for (int s = 0; s < 2; s++) {
		if (fa->a[s] && sync && audit_sync(fa->a[s], &err) < 0 && status == 0) {
			ep_warn("--audit: %s", err.msg);
			status = err.code ? err.code : EP_IOERR;
		}
		audit_close(fa->a[s]);
		fa->a[s] = NULL;
	}
	return status;
}

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
	struct fix_audit audit;
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
	if (audit_fix(&rc->audit, rc->d, ev, rc->fix_side, rc->fix.p, rc->fix.len, err) < 0)
		return -1;
	if (ndjson_write(&rc->fixes, rc->fix.p, rc->fix.len) < 0)
		return rc->fixes.epipe ? ep_err_closed(err)
			: ep_errf(err, EP_IOERR, "%s", strerror(rc->fixes.failed));
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

/* ---- the three-way merge (--base) ---- */

struct merge_out {
	struct ndjson_writer w[5];  /* fixes left, right, new base, rejects, (unused) */
	int used[5];
	int fd[5];
	int closed;                 /* a reader of stdout went away */
	struct fix_audit *audit;
	const struct diff *d;
};

static int
on_merge_out(void *ctx, int what, const char *p, size_t n, struct ep_err *err)
{
	struct merge_out *mo = ctx;

	if (what == DIFF_OUT_RESOLVED) {
		ep_info(1, "resolved: %.*s", (int)n, p);
		return 0;
	}
	if (!mo->used[what])
		return 0;
	if (what < 2 && audit_fix(mo->audit, mo->d, NULL, what, p, n, err) < 0)
		return -1;
	if (ndjson_write(&mo->w[what], p, n) < 0) {
		if (mo->w[what].epipe) {
			mo->closed = 1;
			return ep_err_closed(err);
		}
		return ep_errf(err, EP_IOERR, "cannot write: %s", strerror(mo->w[what].failed));
	}
	return 0;
}

static void
on_merge_note(void *ctx, const char *msg)
{
	(void)ctx;
	ep_warn("%s", msg);
}

struct merge_args {
	const char *base, *new_base, *rejects, *fix_file[2];
	int emit; /* -1 none, 0 left, 1 right, 2 both */
	struct diff_merge_spec ms;
};

/* open a file to write (append: O_APPEND); -1 warned */
static int
open_out(const char *path, int append)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0666);

	if (fd < 0)
		ep_warn("cannot open '%s': %s", path, strerror(errno));
	return fd;
}

/* rename tmp over path and make it durable (the directory too) */
static int
commit_file(const char *tmp, const char *path)
{
	char *dir = strdup(path), *slash;
	int dfd, rc = 0;

	if (rename(tmp, path) < 0) {
		ep_warn("cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
		free(dir);
		return -1;
	}
	if (dir == NULL)
		return 0;
	slash = strrchr(dir, '/');
	if (slash == NULL)
		strcpy(dir, ".");
	else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		if (fsync(dfd) < 0) {
			ep_warn("cannot sync '%s': %s", dir, strerror(errno));
			rc = -1;
		}
		close(dfd);
	}
	free(dir);
	return rc;
}

static int
run_merge(struct diff *d, struct merge_args *a, const char *const paths[2], struct fix_audit *fa)
{
	struct merge_out mo;
	struct ep_err err = EP_ERR_INIT;
	struct diff_merge_sink sink = { on_merge_out, on_bad, on_merge_note, &mo };
	const char *in[3] = { paths[0], paths[1], a->base };
	char tmp[4096] = "";
	int status = 0, s;

	memset(&mo, 0, sizeof mo);
	mo.audit = fa;
	mo.d = d;
	for (s = 0; s < 5; s++)
		mo.fd[s] = -1;
	for (s = 0; s < 2; s++) {
		a->ms.emit[s] = a->fix_file[s] != NULL || a->emit == s || a->emit == 2;
		if (!a->ms.emit[s])
			continue;
		mo.fd[s] = a->fix_file[s] ? open_out(a->fix_file[s], 0) : 1;
		if (mo.fd[s] < 0)
			return EP_IOERR;
	}
	mo.fd[DIFF_OUT_REJECT] = a->rejects ? open_out(a->rejects, 1) : 1;
	if (mo.fd[DIFF_OUT_REJECT] < 0) {
		status = EP_IOERR;
		goto out;
	}
	if (a->new_base) {
		struct stat st;

		/* renamed over at the end: never over a device or a directory */
		if (stat(a->new_base, &st) == 0 && !S_ISREG(st.st_mode)) {
			ep_warn("--new-base '%s': not a regular file", a->new_base);
			status = EP_USAGE;
			goto out;
		}
		snprintf(tmp, sizeof tmp, "%s.tmp.%ld", a->new_base, (long)getpid());
		if ((mo.fd[DIFF_OUT_BASE] = open_out(tmp, 0)) < 0) {
			tmp[0] = '\0';
			status = EP_IOERR;
			goto out;
		}
		a->ms.base = 1;
	}
	for (s = 0; s < 4; s++)
		if (mo.fd[s] >= 0) {
			ndjson_writer_init(&mo.w[s], mo.fd[s]);
			mo.used[s] = 1;
		}
	if (diff_merge_run(d, &a->ms, in, &sink, &err) < 0 && !mo.closed) {
		ep_warn("%s", err.msg);
		status = err.code ? err.code : EP_SOFTWARE;
	}
	for (s = 0; s < 4; s++) {
		if (!mo.used[s] || mo.closed)
			continue;
		/* rejects and the new base are made durable; fixes flushed */
		if ((s >= DIFF_OUT_BASE ? ndjson_sync(&mo.w[s]) : ndjson_flush(&mo.w[s])) < 0 &&
		    !mo.w[s].epipe && status == 0) {
			ep_warn("cannot write: %s", strerror(mo.w[s].failed));
			status = EP_IOERR;
		}
	}
	if (mo.closed && status == 0)
		status = EP_IOERR;
	if (status == 0) {
		const struct diff_merge_counts *mc = diff_merge_counts(d);
		const struct diff_counts *cn = diff_counts(d);

		ep_info(0, "merge: to_left %llu (%llu create), to_right %llu (%llu create), "
			"conflicts %llu, resolved %llu, deleted_left %llu, deleted_right %llu, "
			"unchanged %llu%s",
			(unsigned long long)mc->to[0], (unsigned long long)mc->create[0],
			(unsigned long long)mc->to[1], (unsigned long long)mc->create[1],
			(unsigned long long)mc->conflicts, (unsigned long long)mc->resolved,
			(unsigned long long)mc->deleted[0], (unsigned long long)mc->deleted[1],
			(unsigned long long)mc->unchanged,
			mc->duplicates ? ", duplicate keys (see the rejects)" : "");
		ep_info(1, "left %llu, right %llu, base %llu records; memory for records: %llu KiB "
			"at most", (unsigned long long)cn->read[0], (unsigned long long)cn->read[1],
			(unsigned long long)cn->read[2], (unsigned long long)(cn->peak_bytes >> 10));
		if (cn->bad[0] + cn->bad[1] + cn->bad[2] > 0 || mc->fix_errors > 0)
			status = EP_DATAERR;
		else if (mc->to[0] + mc->to[1] + mc->conflicts + mc->deleted[0] + mc->deleted[1] +
				 mc->resolved + mc->duplicates > 0)
			status = EP_DIFF;
	}
out:
	for (s = 0; s < 5; s++) {
		if (mo.used[s])
			ndjson_writer_free(&mo.w[s]);
		if (mo.fd[s] > 1 && close(mo.fd[s]) < 0 && status < 2) {
			ep_warn("cannot write: %s", strerror(errno));
			status = EP_IOERR;
		}
	}
	if (tmp[0]) {
		if (status < 2 && commit_file(tmp, a->new_base) < 0)
			status = EP_IOERR;
		else if (status >= 2)
			unlink(tmp);
	}
	return status;
}

/* --policy FILE: owners into pol, ignored fields into spec */
static int
read_policy(const char *path, struct diff_policy *pol, struct diff_spec *spec, int *status)
{
	struct ep_err err = EP_ERR_INIT;
	struct buf text = BUF_INIT;
	char chunk[8192];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;

	if (fd < 0) {
		ep_warn("cannot open '%s': %s", path, strerror(errno));
		*status = errno == ENOENT ? EP_NOINPUT : EP_IOERR;
		return -1;
	}
	while ((n = read(fd, chunk, sizeof chunk)) > 0)
		if (text.len + (size_t)n > (1u << 20) || buf_add(&text, chunk, (size_t)n) < 0) {
			ep_warn("'%s': larger than 1M", path);
			*status = EP_DATAERR;
			rc = -1;
			break;
		}
	if (n < 0) {
		ep_warn("cannot read '%s': %s", path, strerror(errno));
		*status = EP_IOERR;
		rc = -1;
	}
	close(fd);
	if (rc == 0 && diff_policy_parse(text.p ? text.p : "", text.len, path, pol, &spec->ignore,
			       &spec->nignore, &err) < 0) {
		ep_warn("%s", err.msg);
		*status = err.code ? err.code : EP_DATAERR;
		rc = -1;
	}
	buf_release(&text);
	return rc;
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

/* ---- reconcile --match: an identity map of two systems without a key ---- */

struct match_out {
	struct ndjson_writer w[2]; /* bindings (and --all), ambiguous pairs */
	int two;                    /* ambiguous pairs in their own file */
	int closed;
};

static int
on_match_out(void *ctx, int what, const char *p, size_t n, struct ep_err *err)
{
	struct match_out *mo = ctx;
	struct ndjson_writer *w = &mo->w[what == MATCH_AMBIG && mo->two];

	if (ndjson_write(w, p, n) < 0) {
		mo->closed = w->epipe;
		return w->epipe ? ep_err_closed(err)
			: ep_errf(err, EP_IOERR, "%s", strerror(w->failed));
	}
	return 0;
}

static int
run_match(struct match_spec *ms, const char *const paths[2], const char *report,
	  const char *rejects)
{
	struct match_out mo;
	struct match_counts mc;
	struct ep_err err = EP_ERR_INIT;
	struct match_sink sink = { on_match_out, on_bad, &mo };
	int fd[2] = { 1, -1 }, status = 0;

	memset(&mo, 0, sizeof mo);
	if (report && (fd[0] = open_out(report, 0)) < 0)
		return EP_IOERR;
	if (rejects && (fd[1] = open_out(rejects, 1)) < 0) {
		status = EP_IOERR;
		goto out;
	}
	mo.two = rejects != NULL;
	ndjson_writer_init(&mo.w[0], fd[0]);
	if (mo.two)
		ndjson_writer_init(&mo.w[1], fd[1]);
	if (match_run(ms, paths, &sink, &mc, &err) < 0 && !mo.closed) {
		ep_warn("%s", err.msg);
		status = err.code ? err.code : EP_SOFTWARE;
	}
	for (int s = 0; s <= mo.two; s++)
		if (!mo.closed && (s ? ndjson_sync(&mo.w[s]) : ndjson_flush(&mo.w[s])) < 0 &&
		    !mo.w[s].epipe && status == 0) {
			ep_warn("cannot write: %s", strerror(mo.w[s].failed));
			status = EP_IOERR;
		}
	if (mo.closed && status == 0)
		status = EP_IOERR;
	for (int s = 0; s < 2; s++) {
		ops.n[OPS_READ] += mc.read[s];
		ops.n[OPS_DROPPED] += mc.dropped[s];
		ops.n[OPS_REJECTED] += mc.bad[s];
	}
	ops.shown |= OPS_FILTER;
	ops.n[OPS_WROTE] = mc.bound + mc.ambiguous;
	if (status == 0) {
		ep_info(0, "match: left %llu, right %llu records; bound %llu, ambiguous %llu, "
			"only_left %llu, only_right %llu",
			(unsigned long long)mc.read[0], (unsigned long long)mc.read[1],
			(unsigned long long)mc.bound, (unsigned long long)mc.ambiguous,
			(unsigned long long)mc.only[0], (unsigned long long)mc.only[1]);
		ep_info(1, "match: %llu pairs scored, %llu candidates, %llu block lookups skipped "
			"as too common, %llu/%llu records without any compared field",
			(unsigned long long)mc.compared, (unsigned long long)mc.candidates,
			(unsigned long long)mc.big_blocks, (unsigned long long)mc.empty[0],
			(unsigned long long)mc.empty[1]);
		if (mc.bad[0] + mc.bad[1] > 0)
			status = EP_DATAERR;
		else if (mc.ambiguous + mc.only[0] + mc.only[1] > 0)
			status = EP_DIFF;
	}
	for (int s = 0; s <= mo.two; s++)
		ndjson_writer_free(&mo.w[s]);
out:
	for (int s = 0; s < 2; s++)
		if (fd[s] > 1 && close(fd[s]) < 0 && status < 2) {
			ep_warn("cannot write: %s", strerror(errno));
			status = EP_IOERR;
		}
	return status;
}

/* "HIGH" or "HIGH,LOW", scores in [0, 1] */
static int
parse_cutoff(const char *s, double *hi, double *lo, struct ep_err *err)
{
	char *e;

	*hi = strtod(s, &e);
	if (e != s && *e == ',') {
		const char *l = e + 1;

		*lo = strtod(l, &e);
		if (e == l)
			e = (char *)l - 1;
	}
	if (e == s || *e != '\0' || !(*hi > 0 && *hi <= 1) || !(*lo >= 0 && *lo <= *hi))
		return ep_errf(err, EP_USAGE, "--cutoff '%s': HIGH[,LOW], scores from 0 to 1, "
			"LOW not above HIGH", s);
	return 0;
}

/* The run's counts (--stats, --metrics): records read on every side,
 * dropped by a map, skipped as bad (rejected); written: the differences
 * reported, or the fixes emitted with --fix. */
static void
count_run(const struct diff_counts *cn, const struct reconcile *rc)
{
	ops.shown |= OPS_FILTER;
	for (int s = 0; s < 3; s++) {
		ops.n[OPS_READ] += cn->read[s];
		ops.n[OPS_DROPPED] += cn->dropped[s];
		ops.n[OPS_REJECTED] += cn->bad[s];
	}
	if (rc->fix_side >= 0)
		ops.n[OPS_WROTE] = rc->nfix[0] + rc->nfix[1] + rc->nfix[2];
	else
		ops.n[OPS_WROTE] = cn->n[DIFF_CHANGED] + cn->n[DIFF_ONLY_LEFT] +
		                   cn->n[DIFF_ONLY_RIGHT] + cn->n[DIFF_DUPLICATE];
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
	struct merge_args ma;
	struct diff_policy pol = { NULL, 0 };
	struct sim_spec sim;
	struct match_spec ms;
	const char *cutoff = NULL, *country = NULL;

	ep_prog = "reconcile";
	memset(&sim, 0, sizeof sim);
	memset(&ms, 0, sizeof ms);
	ms.hi = 0.9;
	ms.lo = 0.4;
	ops_begin(ep_prog);
	memset(&ma, 0, sizeof ma);
	ma.emit = -1;
	ma.ms.policy = &pol;
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
		case OPT_ARCHIVE_LEFT:
			ma.ms.archive[0] = optarg;
			break;
		case OPT_ARCHIVE_RIGHT:
			ma.ms.archive[1] = optarg;
			break;
		case OPT_AUDIT:
			rc.audit.path = optarg;
			break;
		case OPT_AUDIT_KEY:
			rc.audit.key = optarg;
			break;
		case OPT_BASE:
			ma.base = optarg;
			break;
		case OPT_CUTOFF:
			cutoff = optarg;
			r = parse_cutoff(optarg, &ms.hi, &ms.lo, &err);
			break;
		case OPT_DATE:
			r = diff_parse_flag(optarg, DIFF_DATE, &spec.rules, &spec.nrules, &err);
			break;
		case OPT_DATE_ZONE:
			if (!dt_tz_known(optarg))
				r = ep_errf(&err, EP_USAGE, "--date-zone '%s': not a time zone", optarg);
			spec.zone = optarg;
			break;
		case OPT_DELETES:
			if (strcmp(optarg, "report") == 0)
				ma.ms.deletes = DIFF_DEL_REPORT;
			else if (strcmp(optarg, "propagate") == 0)
				ma.ms.deletes = DIFF_DEL_PROPAGATE;
			else if (strcmp(optarg, "archive") == 0)
				ma.ms.deletes = DIFF_DEL_ARCHIVE;
			else
				r = ep_errf(&err, EP_USAGE, "--deletes '%s': report, propagate or archive",
					optarg);
			break;
		case OPT_EMIT_FIX:
			if (strcmp(optarg, "left") == 0)
				rc.fix_side = 0;
			else if (strcmp(optarg, "right") == 0)
				rc.fix_side = 1;
			else if (strcmp(optarg, "both") == 0)
				rc.fix_side = 2;
			else
				r = ep_errf(&err, EP_USAGE, "--emit-fix '%s': left, right or both", optarg);
			break;
		case OPT_FIX_LEFT:
			ma.fix_file[0] = optarg;
			break;
		case OPT_FIX_MAP:
			fix_map = optarg;
			break;
		case OPT_FIX_RIGHT:
			ma.fix_file[1] = optarg;
			break;
		case OPT_FORMAT:
			if (diff_parse_format(optarg, &fmt) < 0)
				r = ep_errf(&err, EP_USAGE,
					"--format '%s': ndjson, summary, csv, html or xlsx", optarg);
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
		case OPT_MATCH:
			r = sim_spec_parse(optarg, 1, "--match", &sim, &err);
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
		case OPT_NEW_BASE:
			ma.new_base = optarg;
			break;
		case OPT_OWNER:
			r = diff_parse_owners(optarg, &pol, &err);
			break;
		case OPT_PHONE_COUNTRY:
			country = optarg;
			r = sim_set_country(&sim, optarg, &err);
			break;
		case OPT_POLICY:
			if (read_policy(optarg, &pol, &spec, &status) < 0)
				goto done;
			break;
		case OPT_REJECTS:
			ma.rejects = optarg;
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
	if (sim.n > 0) {
		if (ma.base || spec.nsums || spec.fields || spec.ignore || spec.rules ||
		    spec.sorted || rc.fix_side >= 0 || fix_map || rc.allow_delete || ma.new_base ||
		    ma.fix_file[0] || ma.fix_file[1] || pol.nowners || ma.ms.deletes || spec.memory ||
		    (fmt_name && fmt != DIFF_FMT_NDJSON)) {
			status = ep_usage(usage_text, "%s", "--match pairs records: not with --base, "
				"--sum, --fields, comparison rules, --sorted, --memory, --emit-fix or a "
				"--format other than ndjson");
			goto done;
		}
		if (spec.nkeys == 0) {
			status = ep_usage(usage_text, "%s", "--match: give -k ID, each side's id field "
				"(LEFT=RIGHT when they differ)");
			goto done;
		}
		if (map_name[0] || map_name[1])
			mo.ctx = map_ctx_new(ep_wall_ms(ep_clock_system()));
		for (int s = 0; s < 2; s++)
			if (map_name[s] && (maps[s] = load_map(map_name[s], &mo, &status)) == NULL)
				goto done;
		ms.sim = &sim;
		ms.ids = spec.keys;
		ms.nids = spec.nkeys;
		ms.all = all;
		ms.map[0] = maps[0];
		ms.map[1] = maps[1];
		ms.max_line = spec.max_line;
		signal(SIGPIPE, SIG_IGN);
		status = run_match(&ms, paths, report, ma.rejects);
		goto done;
	}
	if (cutoff || country) {
		status = ep_usage(usage_text, "%s", "--cutoff and --phone-country go with --match");
		goto done;
	}
	if (ma.base == NULL && (rc.fix_side == 2 || ma.fix_file[0] || ma.fix_file[1] || ma.new_base ||
				 ma.rejects || pol.nowners || ma.ms.deletes || ma.ms.archive[0] ||
				 ma.ms.archive[1])) {
		status = ep_usage(usage_text, "%s", "--emit-fix both, --fix-left, --fix-right, "
			"--new-base, --rejects, --owner, --policy, --deletes and --archive-* go with "
			"--base");
		goto done;
	}
	if (ma.base) {
		int to_stdout = 0;

		if (spec.nsums > 0 || all || fmt_name || report || rc.allow_delete) {
			status = ep_usage(usage_text, "%s", "--base merges records: not with --sum, --all, "
				"--format, --report or --allow-delete (see --deletes)");
			goto done;
		}
		if (spec.nkeys == 0) {
			status = ep_usage(usage_text, "%s", "no key: give --key FIELD");
			goto done;
		}
		if (strcmp(ma.base, "-") == 0 && (strcmp(paths[0], "-") == 0 || strcmp(paths[1], "-") == 0)) {
			status = ep_usage(usage_text, "%s", "only one input can be standard input '-'");
			goto done;
		}
		ma.emit = rc.fix_side;
		for (int s = 0; s < 2; s++)
			to_stdout += ma.fix_file[s] == NULL && (ma.emit == s || ma.emit == 2);
		if (to_stdout > 1) {
			status = ep_usage(usage_text, "%s", "--emit-fix both: give --fix-left FILE or "
				"--fix-right FILE (one side at most on standard output)");
			goto done;
		}
		if (to_stdout && ma.rejects == NULL) {
			status = ep_usage(usage_text, "%s", "fixes on standard output: give --rejects FILE "
				"for the conflicts");
			goto done;
		}
		for (int s = 0; s < 2; s++) {
			int emitted = ma.fix_file[s] || ma.emit == s || ma.emit == 2;

			if (emitted && map_name[s] && !(fix_map && ma.emit == s)) {
				status = ep_usage(usage_text, "--base: the %s side has a --map; its fixes need "
					"--emit-fix %s --fix-map MAP", s ? "right" : "left", s ? "right" : "left");
				goto done;
			}
		}
		if (fix_map && ma.emit != 0 && ma.emit != 1) {
			status = ep_usage(usage_text, "%s", "--fix-map goes with --emit-fix left or right");
			goto done;
		}
		rc.fix_side = -1;
	} else if (spec.nsums > 0) {
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
	if (rc.audit.key && !rc.audit.path) {
		status = ep_usage(usage_text, "%s", "--audit-key goes with --audit");
		goto done;
	}
	if (rc.audit.path && rc.fix_side < 0 && !ma.fix_file[0] && !ma.fix_file[1] &&
	    ma.emit < 0) {
		status = ep_usage(usage_text, "%s", "--audit records fixes: give --emit-fix (or, "
			"with --base, --fix-left or --fix-right)");
		goto done;
	}
	if (ma.base == NULL && (fix_map || rc.allow_delete) && rc.fix_side < 0) {
		status = ep_usage(usage_text, "%s", "--fix-map and --allow-delete go with --emit-fix");
		goto done;
	}
	if (ma.base == NULL && rc.fix_side >= 0 && map_name[rc.fix_side] && !fix_map) {
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
	if (ma.base && fix_map)
		ma.ms.fixmap[ma.emit] = rc.fix_map;
	spec.map[0] = maps[0];
	spec.map[1] = maps[1];
	if ((rc.d = diff_new(&spec, &err)) == NULL) {
		status = err.code == EP_USAGE ? ep_usage(usage_text, "%s", err.msg) : err.code;
		if (err.code != EP_USAGE)
			ep_warn("%s", err.msg);
		goto done;
	}
	signal(SIGPIPE, SIG_IGN);
	if (ma.base) {
		status = run_merge(rc.d, &ma, paths, &rc.audit);
		r = fix_audit_end(&rc.audit, status < 2);
		if (status < 2 && r)
			status = r;
		goto done;
	}
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
		closed = err.what == EP_ERR_CLOSED;
		if (!closed) {
			ep_warn("%s", err.msg);
			status = err.code ? err.code : EP_SOFTWARE;
		}
	}
	if (rc.report && !closed && diff_report_finish(rc.report, &err) < 0 && status == 0 &&
	    err.what != EP_ERR_CLOSED) {
		ep_warn("%s", err.msg);
		status = EP_IOERR;
	}
	if (rc.fix_side >= 0 && ndjson_flush(&rc.fixes) < 0 && !rc.fixes.epipe && status == 0) {
		ep_warn("cannot write to stdout: %s", strerror(rc.fixes.failed));
		status = EP_IOERR;
	}
	if ((r = fix_audit_end(&rc.audit, status == 0)) && status == 0)
		status = r;
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
	fix_audit_end(&rc.audit, 0);
	if (rc.d)
		count_run(diff_counts(rc.d), &rc);
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
	diff_policy_free(&pol);
	sim_spec_free(&sim);
	ops_finish(status);
	return status;
}
