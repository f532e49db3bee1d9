/*
 * reconcile.c - one run of reconcile(1): the three modes (compare, merge
 * with a base, match without a key), their outputs and counts
 * (reconcile.h).  Moved out of cmd/reconcile.c, which parses the options.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/fileio.h"
#include "base/log.h"
#include "base/ops.h"
#include "engine/diff/diff.h"
#include "engine/diff/diff_audit.h"
#include "engine/diff/reconcile.h"
#include "engine/map/map.h"
#include "engine/match.h"
#include "stream/ndjson.h"

/* --audit: a line per fix emitted (diff_audit.h), one chain per side
 * fixed, opened at the first fix for it. */
struct fix_audit {
	const char *path, *key;
	struct audit *a[2];
	unsigned queued[2]; /* lines queued on each side's trail */
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
	struct ndjson_writer w[5]; /* fixes left, right, new base, rejects, (unused) */
	int used[5];
	int fd[5];
	int closed; /* a reader of stdout went away */
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

		ep_info(0,
		        "merge: to_left %llu (%llu create), to_right %llu (%llu create), "
		        "conflicts %llu, resolved %llu, deleted_left %llu, deleted_right %llu, "
		        "unchanged %llu%s",
		        (unsigned long long)mc->to[0], (unsigned long long)mc->create[0],
		        (unsigned long long)mc->to[1], (unsigned long long)mc->create[1],
		        (unsigned long long)mc->conflicts, (unsigned long long)mc->resolved,
		        (unsigned long long)mc->deleted[0], (unsigned long long)mc->deleted[1],
		        (unsigned long long)mc->unchanged,
		        mc->duplicates ? ", duplicate keys (see the rejects)" : "");
		ep_info(1,
		        "left %llu, right %llu, base %llu records; memory for records: %llu KiB "
		        "at most",
		        (unsigned long long)cn->read[0], (unsigned long long)cn->read[1],
		        (unsigned long long)cn->read[2],
		        (unsigned long long)(cn->peak_bytes >> 10));
		if (cn->bad[0] + cn->bad[1] + cn->bad[2] > 0 || mc->fix_errors > 0)
			status = EP_DATAERR;
		else if (mc->to[0] + mc->to[1] + mc->conflicts + mc->deleted[0] + mc->deleted[1] +
		                 mc->resolved + mc->duplicates >
		         0)
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
		if (status < 2 && file_commit(tmp, a->new_base, &err) < 0) {
			ep_warn("%s", err.msg);
			status = EP_IOERR;
		} else if (status >= 2)
			unlink(tmp);
	}
	return status;
}

/* --policy FILE: owners into pol, ignored fields into spec */
int
reconcile_read_policy(struct reconcile_cfg *cfg, const char *path, struct ep_err *err)
{
	struct buf text = BUF_INIT;
	char chunk[8192];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return ep_errf(err, errno == ENOENT ? EP_NOINPUT : EP_IOERR, "cannot open '%s': %s",
		               path, strerror(errno));
	while ((n = read(fd, chunk, sizeof chunk)) > 0)
		if (text.len + (size_t)n > (1u << 20) || buf_add(&text, chunk, (size_t)n) < 0) {
			rc = ep_errf(err, EP_DATAERR, "'%s': larger than 1M", path);
			break;
		}
	if (n < 0)
		rc = ep_errf(err, EP_IOERR, "cannot read '%s': %s", path, strerror(errno));
	close(fd);
	if (rc == 0 && diff_policy_parse(text.p ? text.p : "", text.len, path, &cfg->pol,
	                                 &cfg->spec.ignore, &cfg->spec.nignore, err) < 0) {
		if (err->code == 0)
			err->code = EP_DATAERR;
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
	int two;                   /* ambiguous pairs in their own file */
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
		ep_info(0,
		        "match: left %llu, right %llu records; bound %llu, ambiguous %llu, "
		        "only_left %llu, only_right %llu",
		        (unsigned long long)mc.read[0], (unsigned long long)mc.read[1],
		        (unsigned long long)mc.bound, (unsigned long long)mc.ambiguous,
		        (unsigned long long)mc.only[0], (unsigned long long)mc.only[1]);
		ep_info(1,
		        "match: %llu pairs scored, %llu candidates, %llu block lookups skipped "
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
int
reconcile_parse_cutoff(const char *s, double *hi, double *lo, struct ep_err *err)
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
		return ep_errf(err, EP_USAGE,
		               "--cutoff '%s': HIGH[,LOW], scores from 0 to 1, "
		               "LOW not above HIGH",
		               s);
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

void
reconcile_cfg_init(struct reconcile_cfg *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->hi = 0.9;
	cfg->lo = 0.4;
	cfg->fmt = DIFF_FMT_NDJSON;
	cfg->emit = RECONCILE_EMIT_NONE;
	cfg->deletes = DIFF_DEL_REPORT;
}

static void
group_free(struct diff_pair *g)
{
	if (g->name[0]) {
		if (g->name[1] != g->name[0])
			free(g->name[1]);
		free(g->name[0]);
	}
}

void
reconcile_cfg_free(struct reconcile_cfg *cfg)
{
	struct diff_spec *spec = &cfg->spec;

	diff_pairs_free(spec->keys, spec->nkeys);
	diff_pairs_free(spec->fields, spec->nfields);
	diff_pairs_free(spec->ignore, spec->nignore);
	diff_pairs_free(spec->sums, spec->nsums);
	group_free(&spec->group);
	diff_rules_free(spec->rules, spec->nrules);
	diff_policy_free(&cfg->pol);
	sim_spec_free(&cfg->sim);
}

int
reconcile_parse_emit(const char *s, int *emit, struct ep_err *err)
{
	if (strcmp(s, "left") == 0)
		*emit = 0;
	else if (strcmp(s, "right") == 0)
		*emit = 1;
	else if (strcmp(s, "both") == 0)
		*emit = RECONCILE_EMIT_BOTH;
	else
		return ep_errf(err, EP_USAGE, "--emit-fix '%s': left, right or both", s);
	return 0;
}

int
reconcile_parse_deletes(const char *s, enum diff_deletes *d, struct ep_err *err)
{
	if (strcmp(s, "report") == 0)
		*d = DIFF_DEL_REPORT;
	else if (strcmp(s, "propagate") == 0)
		*d = DIFF_DEL_PROPAGATE;
	else if (strcmp(s, "archive") == 0)
		*d = DIFF_DEL_ARCHIVE;
	else
		return ep_errf(err, EP_USAGE, "--deletes '%s': report, propagate or archive", s);
	return 0;
}

int
reconcile_parse_group(const char *s, struct diff_spec *spec, struct ep_err *err)
{
	const char *colon = strrchr(s, ':');
	char tmp[1024];
	struct diff_pair *p = NULL;
	int n = 0;

	snprintf(tmp, sizeof tmp, "%s", s);
	spec->group_unit = DIFF_GROUP_VALUE;
	if (colon && (strcmp(colon, ":month") == 0 || strcmp(colon, ":day") == 0)) {
		spec->group_unit = colon[1] == 'm' ? DIFF_GROUP_MONTH : DIFF_GROUP_DAY;
		tmp[colon - s] = '\0';
	} else if (colon)
		return ep_errf(err, EP_USAGE, "--group-by '%s': FIELD, FIELD:month or FIELD:day",
		               s);
	if (diff_parse_pairs(tmp, "--group-by", &p, &n, err) < 0)
		return -1;
	if (n != 1) {
		diff_pairs_free(p, n);
		return ep_errf(err, EP_USAGE, "--group-by '%s': one field", s);
	}
	group_free(&spec->group);
	spec->group = p[0];
	free(p);
	return 0;
}

/* options that do not go together: -1 with err (EP_USAGE) */
static int
check(const struct reconcile_cfg *c, struct ep_err *err)
{
	const struct diff_spec *sp = &c->spec;

	if (strcmp(c->path[0], "-") == 0 && strcmp(c->path[1], "-") == 0)
		return ep_errf(err, EP_USAGE, "only one side can be standard input '-'");
	if (c->sim.n > 0) {
		if (c->base || sp->nsums || sp->fields || sp->ignore || sp->rules || sp->sorted ||
		    c->emit >= 0 || c->fix_map || c->allow_delete || c->new_base ||
		    c->fix_file[0] || c->fix_file[1] || c->pol.nowners || c->deletes ||
		    sp->memory || (c->format && c->fmt != DIFF_FMT_NDJSON))
			return ep_errf(
				err, EP_USAGE,
				"--match pairs records: not with --base, --sum, "
				"--fields, comparison rules, --sorted, --memory, --emit-fix or a "
				"--format other than ndjson");
		if (sp->nkeys == 0)
			return ep_errf(err, EP_USAGE,
			               "--match: give -k ID, each side's id field "
			               "(LEFT=RIGHT when they differ)");
		return 0;
	}
	if (c->cutoff || c->country)
		return ep_errf(err, EP_USAGE, "--cutoff and --phone-country go with --match");
	if (c->base == NULL &&
	    (c->emit == RECONCILE_EMIT_BOTH || c->fix_file[0] || c->fix_file[1] || c->new_base ||
	     c->rejects || c->pol.nowners || c->deletes || c->archive[0] || c->archive[1]))
		return ep_errf(
			err, EP_USAGE,
			"--emit-fix both, --fix-left, --fix-right, --new-base, "
			"--rejects, --owner, --policy, --deletes and --archive-* go with --base");
	if (c->base) {
		int to_stdout = 0;

		if (sp->nsums > 0 || c->all || c->format || c->report || c->allow_delete)
			return ep_errf(err, EP_USAGE,
			               "--base merges records: not with --sum, --all, "
			               "--format, --report or --allow-delete (see --deletes)");
		if (sp->nkeys == 0)
			return ep_errf(err, EP_USAGE, "no key: give --key FIELD");
		if (strcmp(c->base, "-") == 0 &&
		    (strcmp(c->path[0], "-") == 0 || strcmp(c->path[1], "-") == 0))
			return ep_errf(err, EP_USAGE, "only one input can be standard input '-'");
		for (int s = 0; s < 2; s++)
			to_stdout += c->fix_file[s] == NULL &&
			             (c->emit == s || c->emit == RECONCILE_EMIT_BOTH);
		if (to_stdout > 1)
			return ep_errf(err, EP_USAGE,
			               "--emit-fix both: give --fix-left FILE or "
			               "--fix-right FILE (one side at most on standard output)");
		if (to_stdout && c->rejects == NULL)
			return ep_errf(err, EP_USAGE,
			               "fixes on standard output: give --rejects FILE "
			               "for the conflicts");
		for (int s = 0; s < 2; s++) {
			int emitted =
				c->fix_file[s] || c->emit == s || c->emit == RECONCILE_EMIT_BOTH;

			if (emitted && c->map[s] && !(c->fix_map && c->emit == s))
				return ep_errf(err, EP_USAGE,
				               "--base: the %s side has a --map; its fixes "
				               "need --emit-fix %s --fix-map MAP",
				               s ? "right" : "left", s ? "right" : "left");
		}
		if (c->fix_map && c->emit != 0 && c->emit != 1)
			return ep_errf(err, EP_USAGE,
			               "--fix-map goes with --emit-fix left or right");
	} else if (sp->nsums > 0) {
		if (sp->nkeys > 0 || sp->fields || sp->sorted || c->emit >= 0)
			return ep_errf(err, EP_USAGE,
			               "--sum compares totals: not with --key, --fields, "
			               "--sorted or --emit-fix");
	} else if (sp->group.name[0]) {
		return ep_errf(err, EP_USAGE, "--group-by needs --sum");
	} else if (sp->nkeys == 0) {
		return ep_errf(err, EP_USAGE,
		               "no key: give --key FIELD (or --sum FIELD for totals)");
	}
	if (c->audit_key && !c->audit)
		return ep_errf(err, EP_USAGE, "--audit-key goes with --audit");
	if (c->audit && c->emit < 0 && !c->fix_file[0] && !c->fix_file[1])
		return ep_errf(err, EP_USAGE,
		               "--audit records fixes: give --emit-fix (or, with "
		               "--base, --fix-left or --fix-right)");
	if (c->base == NULL && (c->fix_map || c->allow_delete) && c->emit < 0)
		return ep_errf(err, EP_USAGE, "--fix-map and --allow-delete go with --emit-fix");
	if (c->base == NULL && c->emit >= 0 && c->map[c->emit] && !c->fix_map)
		return ep_errf(err, EP_USAGE,
		               "--emit-fix %s: that side has a --map; give --fix-map "
		               "MAP to write fixes in its own field names",
		               c->emit ? "right" : "left");
	return 0;
}

/* --match: the two maps, then the pairs */
static int
reconcile_match(const struct reconcile_cfg *c)
{
	struct map_opts mo = { 0 };
	struct map_prog *maps[2] = { NULL, NULL };
	struct match_spec ms;
	int status = 0;

	if (c->map[0] || c->map[1])
		mo.ctx = map_ctx_new(ep_wall_ms(ep_clock_system()));
	for (int s = 0; s < 2; s++)
		if (c->map[s] && (maps[s] = load_map(c->map[s], &mo, &status)) == NULL)
			goto done;
	memset(&ms, 0, sizeof ms);
	ms.sim = &c->sim;
	ms.ids = c->spec.keys;
	ms.nids = c->spec.nkeys;
	ms.hi = c->hi;
	ms.lo = c->lo;
	ms.all = c->all;
	ms.map[0] = maps[0];
	ms.map[1] = maps[1];
	ms.max_line = c->spec.max_line;
	signal(SIGPIPE, SIG_IGN);
	status = run_match(&ms, c->path, c->report, c->rejects);
done:
	for (int s = 0; s < 2; s++)
		map_free(maps[s]);
	map_ctx_free(mo.ctx);
	return status;
}

/* a comparison's exit status, its counts told with -v */
static int
diff_status(const struct reconcile *rc, enum diff_format fmt)
{
	const struct diff_counts *cn = diff_counts(rc->d);
	int status = 0;

	if (cn->bad[0] + cn->bad[1] > 0 || rc->fix_errors > 0)
		status = EP_DATAERR;
	else if (cn->n[DIFF_CHANGED] + cn->n[DIFF_ONLY_LEFT] + cn->n[DIFF_ONLY_RIGHT] +
	                 cn->n[DIFF_DUPLICATE] >
	         0)
		status = EP_DIFF;
	if (rc->report == NULL || fmt != DIFF_FMT_SUMMARY)
		ep_info(1,
		        "left %llu, right %llu records; match %llu, changed %llu, only_left "
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
	return status;
}

int
reconcile_run(const struct reconcile_cfg *c, struct ep_err *uerr)
{
	struct ep_err err = EP_ERR_INIT;
	struct reconcile rc;
	struct map_opts mo = { 0 };
	struct map_prog *maps[2] = { NULL, NULL };
	struct diff_spec spec = c->spec;
	struct diff_sink sink = { on_event, on_bad, on_note, NULL };
	struct merge_args ma;
	int status = 0, report_fd = 1, r, closed = 0;

	*uerr = (struct ep_err)EP_ERR_INIT;
	if (check(c, uerr) < 0)
		return EP_USAGE;
	if (c->sim.n > 0)
		return reconcile_match(c);
	memset(&rc, 0, sizeof rc);
	rc.fix_side = c->base ? RECONCILE_EMIT_NONE : c->emit;
	rc.allow_delete = c->allow_delete;
	rc.audit.path = c->audit;
	rc.audit.key = c->audit_key;

	/* maps: compiled once, now() fixed for the run */
	if (c->map[0] || c->map[1] || c->fix_map)
		mo.ctx = map_ctx_new(ep_wall_ms(ep_clock_system()));
	for (int s = 0; s < 2; s++)
		if (c->map[s] && (maps[s] = load_map(c->map[s], &mo, &status)) == NULL)
			goto done;
	if (c->fix_map && (rc.fix_map = load_map(c->fix_map, &mo, &status)) == NULL)
		goto done;
	spec.map[0] = maps[0];
	spec.map[1] = maps[1];
	if ((rc.d = diff_new(&spec, &err)) == NULL) {
		if (err.code == EP_USAGE)
			*uerr = err;
		else
			ep_warn("%s", err.msg);
		status = err.code;
		goto done;
	}
	signal(SIGPIPE, SIG_IGN);
	if (c->base) {
		memset(&ma, 0, sizeof ma);
		ma.base = c->base;
		ma.new_base = c->new_base;
		ma.rejects = c->rejects;
		ma.fix_file[0] = c->fix_file[0];
		ma.fix_file[1] = c->fix_file[1];
		ma.emit = c->emit;
		ma.ms.policy = &c->pol;
		ma.ms.deletes = c->deletes;
		ma.ms.archive[0] = c->archive[0];
		ma.ms.archive[1] = c->archive[1];
		if (c->fix_map)
			ma.ms.fixmap[ma.emit] = rc.fix_map;
		status = run_merge(rc.d, &ma, c->path, &rc.audit);
		r = fix_audit_end(&rc.audit, status < 2);
		if (status < 2 && r)
			status = r;
		goto done;
	}
	if (c->report) {
		report_fd = open(c->report, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
		if (report_fd < 0) {
			ep_warn("cannot open '%s': %s", c->report, strerror(errno));
			status = EP_IOERR;
			goto done;
		}
	}
	if (rc.fix_side < 0 || c->report)
		rc.report = diff_report_new(rc.d, c->fmt, report_fd, c->all);
	if (rc.fix_side >= 0) {
		ndjson_writer_init(&rc.fixes, 1);
		if (ep_verbose >= 0)
			rc.summary = diff_report_new(rc.d, DIFF_FMT_SUMMARY, 2, 0);
	}
	sink.ctx = &rc;
	if (diff_run(rc.d, c->path, &sink, &err) < 0) {
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
		ep_info(0,
		        "fixes for the %s side: %llu create, %llu update, %llu delete%s%llu "
		        "not written (deletes without --allow-delete, duplicate keys)",
		        rc.fix_side ? "right" : "left", (unsigned long long)rc.nfix[0],
		        (unsigned long long)rc.nfix[1], (unsigned long long)rc.nfix[2], "; ",
		        (unsigned long long)rc.withheld);
	}
	if (status == 0)
		status = diff_status(&rc, c->fmt);
done:
	fix_audit_end(&rc.audit, 0);
	if (rc.d)
		count_run(diff_counts(rc.d), &rc);
	diff_report_free(rc.report);
	diff_report_free(rc.summary);
	if (rc.fix_side >= 0)
		ndjson_writer_free(&rc.fixes);
	if (c->report && report_fd >= 0 && report_fd != 1 && close(report_fd) < 0 && status < 2) {
		ep_warn("cannot write '%s': %s", c->report, strerror(errno));
		status = EP_IOERR;
	}
	buf_release(&rc.fix);
	diff_free(rc.d);
	for (int s = 0; s < 2; s++)
		map_free(maps[s]);
	map_free(rc.fix_map);
	map_ctx_free(mo.ctx);
	return status;
}
