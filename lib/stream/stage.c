#include "stream/stage.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cJSON.h>

#include "stream/json.h"
#include "base/log.h"
#include "stream/ndjson.h"
#include "base/ops.h"
#include "base/stop.h"
#include "stream/state.h"
#include "base/text.h"

const struct ep_opt stage_opts[] = {
	{ "fail-fast", OPT_FAIL_FAST, NULL, "stop at the first reject (exit 65)" },
	{ "flush-every", OPT_FLUSH_EVERY, "N", "flush stdout after every N records" },
	{ "flush-ms", OPT_FLUSH_MS, "MS", "flush stdout at least every MS milliseconds" },
	{ "max-line", OPT_MAX_LINE, "BYTES", "longest input line accepted (default 64M)" },
	{ "max-rejects", OPT_MAX_REJECTS, "N", "exit 65 only when rejects exceed N (default 0)" },
	{ "rejects", OPT_REJECTS, "FILE",
	  "append rejects to FILE as NDJSON (default: stderr text)" },
	{ "state", OPT_STATE, "FILE", "commit checkpoints to FILE (this stage is the committer)" },
	{ NULL, 0, NULL, NULL },
};

struct stage {
	const struct stage_cfg *cfg;
	struct ndjson_writer out;
	struct reject_sink rej;
	struct state state;
	int have_state;
	/* the counts are the run's: ops.n[] (lib/ops) */
	uint64_t outcomes; /* outcomes given; one per record read */
	uint64_t owed;     /* deferred records still without an outcome */
	int settling;      /* outcomes now settle deferred records */
	const struct stage_hooks *hooks;
	void *hctx;
	struct ep_err err;
	int failed;                    /* a hook or the runner stopped the run */
	const struct ndjson_line *cur; /* the line the record hook has */
	struct ep_err cut;             /* the input's last line was cut short */
};

const struct ep_opt stage_input_opts[] = {
	{ "input-format", 'i', "ndjson|singer",
	  "read NDJSON records (default) or Singer messages" },
	{ NULL, 0, NULL, NULL },
};

int
stage_input(struct stage_cfg *cfg, const char *arg, struct ep_err *err)
{
	if (strcmp(arg, "ndjson") == 0 || strcmp(arg, "singer") == 0) {
		cfg->singer_in = arg[0] == 's';
		return 0;
	}
	return ep_errf(err, EP_USAGE, "-i '%s': not ndjson or singer", arg);
}

void
stage_cfg_init(struct stage_cfg *cfg, const char *name)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->name = name;
	cfg->max_line = NDJ_DEFAULT_MAX_LINE;
	cfg->check_json = 1;
	ops_begin(ep_prog);
	ops.shown |= OPS_FILTER;
}

int
stage_opt(struct stage_cfg *cfg, int key, const char *arg, struct ep_err *err)
{
	long v;

	switch (key) {
	case OPT_FAIL_FAST:
		cfg->fail_fast = 1;
		return 1;
	case OPT_FLUSH_EVERY:
		if (ep_parse_long(arg, 0, 1L << 30, &v) < 0)
			return ep_errf(err, EP_USAGE, "--flush-every '%s': not a count", arg);
		cfg->flush_every = v;
		return 1;
	case OPT_FLUSH_MS:
		if (ep_parse_long(arg, 0, 1L << 30, &v) < 0)
			return ep_errf(err, EP_USAGE, "--flush-ms '%s': not milliseconds", arg);
		cfg->flush_ms = v;
		return 1;
	case OPT_MAX_LINE: {
		uint64_t sz;
		if (ep_parse_size(arg, &sz) < 0 || sz < 2 || sz > (1ull << 34))
			return ep_errf(err, EP_USAGE, "--max-line '%s': not a size (2 to 16G)",
			               arg);
		cfg->max_line = sz;
		return 1;
	}
	case OPT_MAX_REJECTS:
		if (ep_parse_long(arg, 0, __LONG_MAX__, &v) < 0)
			return ep_errf(err, EP_USAGE, "--max-rejects '%s': not a count", arg);
		cfg->max_rejects = v;
		return 1;
	case OPT_REJECTS:
		cfg->rejects = arg;
		return 1;
	case OPT_STATE:
		cfg->state = arg;
		return 1;
	}
	return ops_opt(key, arg, err);
}

struct ndjson_writer *
stage_out(struct stage *st)
{
	return &st->out;
}

int
stage_fail(struct stage *st, const struct ep_err *err)
{
	if (!st->failed) {
		st->err = *err;
		st->failed = 1;
	}
	return -1;
}

/* One outcome given: the current record's, or a deferred one's. */
static void
outcome(struct stage *st)
{
	struct ep_err e;

	if (!st->settling) {
		st->outcomes++;
		return;
	}
	if (st->owed == 0) {
		ep_errf(&e, EP_SOFTWARE, "an outcome settled with none owed");
		stage_fail(st, &e);
		return;
	}
	st->owed--;
}

void
stage_defer(struct stage *st)
{
	st->owed++;
	st->outcomes++;
}

void
stage_settle_begin(struct stage *st)
{
	st->settling++;
}

void
stage_settle_end(struct stage *st)
{
	st->settling--;
}

uint64_t
stage_owed(const struct stage *st)
{
	return st->owed;
}

static int
out_failed(struct stage *st)
{
	struct ep_err e;

	if (st->out.epipe)
		return -1; /* quiet: handled at the end */
	ep_errf(&e, EP_IOERR, "cannot write to stdout: %s", strerror(st->out.failed));
	return stage_fail(st, &e);
}

int
stage_emit(struct stage *st, const char *json, size_t len)
{
	ops.n[OPS_WROTE]++;
	outcome(st);
	if (ndjson_write(&st->out, json, len) < 0)
		return out_failed(st);
	return 0;
}

int
stage_emitted(struct stage *st)
{
	ops.n[OPS_WROTE]++;
	outcome(st);
	if (ndjson_write_end(&st->out) < 0)
		return out_failed(st);
	return 0;
}

void
stage_drop(struct stage *st)
{
	ops.n[OPS_DROPPED]++;
	outcome(st);
}

/* Write one reject and count it; --fail-fast turns it into a stop. */
static int
put_reject(struct stage *st, const struct reject *r)
{
	struct ep_err e = EP_ERR_INIT;

	ops.n[OPS_REJECTED]++;
	outcome(st);
	if (reject_write(&st->rej, r, &e) < 0)
		return stage_fail(st, &e);
	if (st->cfg->fail_fast) {
		ep_errf(&e, EP_DATAERR, "%s:%llu: %s (--fail-fast)", r->source,
		        (unsigned long long)r->line, r->error);
		return stage_fail(st, &e);
	}
	return 0;
}

int
stage_reject(struct stage *st, const struct stage_rec *rec, const char *stage_name,
             const char *error, const struct reject_item *items, size_t nitems, int raw)
{
	struct reject r = { 0 };

	r.stage = stage_name ? stage_name : st->cfg->name;
	r.source = rec->source;
	r.line = rec->line;
	r.error = error;
	r.items = items;
	r.nitems = nitems;
	if (raw) {
		r.raw = rec->p;
		r.raw_len = rec->len;
	} else {
		r.record = rec->p;
		r.record_len = rec->len;
	}
	return put_reject(st, &r);
}

/* Everything handed on so far made durable; then commit when we are the
 * committer. */
static int
barrier(struct stage *st, const struct stage_hooks *h, void *ctx)
{
	struct ep_err e = EP_ERR_INIT;

	if (h->barrier && h->barrier(st, ctx) < 0)
		return -1;
	if ((st->have_state ? ndjson_sync(&st->out) : ndjson_flush(&st->out)) < 0)
		return out_failed(st);
	/* committer or not: a checkpoint passed on may be committed
	 * downstream, so what it covers in the reject file is on disk first */
	if (reject_sync(&st->rej, &e) < 0)
		return stage_fail(st, &e);
	return 0;
}

/* Before the runner's own reject of a line: a stage that answers each
 * record on stdout (load's receipts) settles what it holds first, so its
 * answers stay in input order. */
static int
runner_reject_begin(struct stage *st)
{
	const struct stage_hooks *h = st->hooks;

	if (h->rejected && h->barrier && st->owed && !st->settling)
		return h->barrier(st, st->hctx) < 0 || st->failed ? -1 : 0;
	return 0;
}

/* ... and after it: the stage's answer for the line. */
static int
runner_reject_end(struct stage *st, const struct stage_rec *rec, const char *what, int rc)
{
	if (rc == 0 && st->hooks->rejected && st->hooks->rejected(st, rec, what, st->hctx) < 0)
		return -1;
	return rc;
}

static int
is_control_prefix(const char *p, size_t n)
{
	static const char key[] = "\"_checkpoint\"";
	size_t i = 0;

	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	if (i >= n || p[i] != '{')
		return 0;
	i++;
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	return n - i >= sizeof(key) - 1 && memcmp(p + i, key, sizeof(key) - 1) == 0;
}

/* 1 handled as a control line, 0 a record after all, -1 stop */
static int
control(struct stage *st, const struct stage_rec *rec, const struct stage_hooks *h, void *ctx)
{
	cJSON *doc = cJSON_ParseWithLength(rec->p, rec->len);
	cJSON *cp, *stream, *pos;
	struct ep_err e = EP_ERR_INIT;
	int pass = 1, rc = 1;

	if (doc == NULL || !cJSON_IsObject(doc) || doc->child == NULL || doc->child->next) {
		cJSON_Delete(doc);
		return 0; /* a record that happens to have a _checkpoint field */
	}
	cp = doc->child;
	stream = cJSON_GetObjectItemCaseSensitive(cp, "stream");
	pos = cJSON_GetObjectItemCaseSensitive(cp, "pos");
	if (!cJSON_IsObject(cp) || !cJSON_IsString(stream) || pos == NULL) {
		static const char bad[] = "bad checkpoint: needs {\"stream\": string, \"pos\": …}";

		ops.n[OPS_READ]++;
		rc = runner_reject_begin(st) < 0 ||
		                     runner_reject_end(
					     st, rec, bad,
					     stage_reject(st, rec, "parse", bad, NULL, 0, 0)) < 0
		             ? -1
		             : 1;
		cJSON_Delete(doc);
		return rc;
	}
	if (barrier(st, h, ctx) < 0)
		rc = -1;
	else if (h->checkpoint && h->checkpoint(st, stream->valuestring, pos, ctx) < 0)
		rc = -1;
	else if (st->have_state && state_commit(&st->state, stream->valuestring, pos, &e) < 0)
		rc = stage_fail(st, &e);
	else {
		ep_info(2, "checkpoint %s", stream->valuestring);
		ops_checkpoint(pos);
		if (h->control)
			pass = h->control(st, rec, ctx);
		if (pass < 0)
			rc = -1;
		else if (pass && (ndjson_write(&st->out, rec->p, rec->len) < 0 ||
		                  ndjson_flush(&st->out) < 0))
			rc = out_failed(st);
	}
	cJSON_Delete(doc);
	return rc;
}

static int
parse_reject(struct stage *st, const struct stage_rec *rec, const struct ndjson_line *ln,
             const char *what)
{
	struct reject r = { 0 };

	if (runner_reject_begin(st) < 0)
		return -1;

	r.stage = "parse";
	r.source = rec->source;
	r.line = rec->line;
	r.error = what;
	r.raw = ln->p;
	r.raw_len = ln->len;
	r.raw_total = ln->total;
	return runner_reject_end(st, rec, what, put_reject(st, &r));
}

/* The input's last line, without its newline, stopped being JSON where it
 * ended: its writer died mid-line (a killed upstream stage), and the
 * record will come again when the run is resumed.  Not a reject (that one
 * would stay behind, spurious): the run ends with 65 naming the line, and
 * nothing after it is committed (no checkpoint can follow it). */
static int
cut_line(struct stage *st, const struct stage_rec *rec)
{
	ops.n[OPS_READ]--;
	outcome(st);
	if (st->cut.code == 0)
		ep_errf(&st->cut, EP_DATAERR,
		        "%s:%llu: cut short at end of input (no final newline): not read",
		        rec->source, (unsigned long long)rec->line);
	return 0;
}

static int
is_cut(const struct ndjson_line *ln, size_t joff)
{
	return ln->last_no_nl && joff >= ln->len;
}

int
stage_reject_json(struct stage *st, const struct stage_rec *rec, int jtype, size_t joff,
                  const char *jwhy)
{
	const struct ndjson_line *ln = st->cur;
	struct ndjson_line one = { rec->p, rec->len, rec->line, rec->len, 0 };
	char why[256];

	if (ln == NULL || ln->p != rec->p)
		ln = &one; /* not the runner's current line: no end-of-input case */
	if (jtype == JSON_INVALID && is_cut(ln, joff))
		return cut_line(st, rec);
	if (jtype != JSON_INVALID)
		snprintf(why, sizeof(why), "not a JSON object (a JSON %s)",
		         json_type_name((enum json_type)jtype));
	else
		snprintf(why, sizeof(why), "not valid JSON: %s at byte %zu", jwhy, joff + 1);
	return parse_reject(st, rec, ln, why);
}

static void
flush_idle(void *ctx)
{
	struct stage *st = ctx;

	if (st->hooks->barrier && !st->failed && st->hooks->barrier(st, st->hctx) < 0 &&
	    !st->failed) {
		struct ep_err e;
		ep_errf(&e, EP_SOFTWARE, "the barrier hook failed without saying why");
		stage_fail(st, &e);
	}
	if (st->out.b.len > 0)
		ndjson_flush(&st->out);
	ops_tick(1);
}

/* The record hook, which must end the record in exactly one outcome. */
static int
deliver(struct stage *st, const struct stage_rec *rec, const struct stage_hooks *h, void *ctx)
{
	struct ep_err e = EP_ERR_INIT;
	uint64_t before = st->outcomes;

	ops_tick(0);
	if (h->record(st, rec, ctx) < 0 || st->failed)
		return -1;
	if (st->outcomes != before + 1) {
		ep_errf(&e, EP_SOFTWARE, "%s:%llu: record ended in %llu outcomes, not one",
		        rec->source, (unsigned long long)rec->line,
		        (unsigned long long)(st->outcomes - before));
		return stage_fail(st, &e);
	}
	return 0;
}

/* A Singer message (cfg->singer_in): 1 with *rec narrowed to a RECORD's
 * record, or left as it is when it is no JSON object (the caller's check
 * rejects it); 2 a JSON object that is no Singer message the stream takes
 * (the caller rejects it); 0 when handled here (a STATE's checkpoints, a
 * SCHEMA); -1 stop. */
static int
singer_line(struct stage *st, struct stage_rec *rec, const struct stage_hooks *h, void *ctx)
{
	struct json_obj it;
	struct json_member m, type = { 0 }, record = { 0 }, value = { 0 };
	struct buf line = BUF_INIT;
	int r, rc = 0;

	if (json_obj_open(&it, rec->p, rec->len) < 0)
		return 1;
	while ((r = json_obj_next(&it, &m)) == 1) {
		if (m.klen == 4 && memcmp(m.key, "type", 4) == 0)
			type = m;
		else if (m.klen == 6 && memcmp(m.key, "record", 6) == 0)
			record = m;
		else if (m.klen == 5 && memcmp(m.key, "value", 5) == 0)
			value = m;
	}
	if (r < 0)
		return 1; /* not JSON: the caller's check says why */
	if (type.val == NULL)
		return 2;
#define IS(t) (type.vlen == sizeof(t) + 1 && memcmp(type.val + 1, t, sizeof(t) - 1) == 0)
	if (IS("RECORD") && record.val && record.type == JSON_OBJECT) {
		rec->p = record.val;
		rec->len = record.vlen;
		return 1;
	}
	if (IS("SCHEMA") || IS("ACTIVATE_VERSION")) {
		ep_info(2, "%s:%llu: a Singer %.*s message", rec->source,
		        (unsigned long long)rec->line, (int)type.vlen, type.val);
		return 0;
	}
	if (!IS("STATE") || value.val == NULL || value.type != JSON_OBJECT)
		return 2;
#undef IS
	/* each member of the value: {"_checkpoint": {"stream": K, "v": 1, "pos": V}} */
	if (json_obj_open(&it, value.val, value.vlen) < 0)
		return 2;
	while (rc == 0 && (r = json_obj_next(&it, &m)) == 1) {
		struct stage_rec cp;
		buf_reset(&line);
		if (buf_adds(&line, "{\"_checkpoint\":{\"stream\":\"") < 0 ||
		    buf_add(&line, m.key, m.klen) < 0 ||
		    buf_adds(&line, "\",\"v\":1,\"pos\":") < 0 ||
		    buf_add(&line, m.val, m.vlen) < 0 || buf_adds(&line, "}}") < 0) {
			struct ep_err e;
			ep_errf(&e, EP_SOFTWARE, "out of memory");
			rc = stage_fail(st, &e);
			break;
		}
		cp = (struct stage_rec){ line.p, line.len, rec->source, rec->line };
		if (control(st, &cp, h, ctx) < 0)
			rc = -1;
	}
	buf_release(&line);
	return rc;
}

/* One input; -1 stops the whole run. */
static int
run_file(struct stage *st, const char *path, const struct stage_hooks *h, void *ctx, int *bad_input)
{
	struct ndjson_reader r;
	struct ndjson_line ln;
	struct ep_err e = EP_ERR_INIT;
	enum ndjson_kind k;
	char why[256];
	int rc = 0;

	if (ndjson_open(&r, path, st->cfg->max_line, &e) < 0) {
		/* a missing file warns, sets the status, the others go on */
		ep_warn("%s", e.msg);
		if (!*bad_input)
			*bad_input = e.code;
		return 0;
	}
	r.before_block = flush_idle;
	r.ctx = st;
	while ((k = ndjson_next(&r, &ln, &e)) != NDJ_EOF) {
		struct stage_rec rec = { ln.p, ln.len, r.name, ln.lineno };
		size_t bad, off = 0;
		const char *jwhy = NULL;
		enum json_type t;

		if (k == NDJ_ERROR) {
			rc = stage_fail(st, &e);
			break;
		}
		if (st->failed) { /* the barrier hook stopped the run when idle */
			rc = -1;
			break;
		}
		if (stop_signal()) /* this line and the rest: the next run's */
			break;
		if (k == NDJ_TOO_LONG) {
			ops.n[OPS_READ]++;
			snprintf(why, sizeof(why), "line longer than %llu bytes (%llu bytes)",
			         (unsigned long long)st->cfg->max_line,
			         (unsigned long long)ln.total);
			if ((rc = parse_reject(st, &rec, &ln, why)) < 0)
				break;
			continue;
		}
		if (is_control_prefix(ln.p, ln.len)) {
			int c = control(st, &rec, h, ctx);
			if (c < 0) {
				rc = -1;
				break;
			}
			if (c == 1)
				continue;
		} else if (st->cfg->singer_in) {
			int c = singer_line(st, &rec, h, ctx);
			if (c < 0) {
				rc = -1;
				break;
			}
			if (c == 0)
				continue;
			if (c == 2) {
				ops.n[OPS_READ]++;
				if ((rc = parse_reject(st, &rec, &ln,
				                       "not a Singer RECORD, STATE or "
				                       "SCHEMA message")) < 0)
					break;
				continue;
			}
		}
		ops.n[OPS_READ]++;
		if ((bad = utf8_valid_prefix(ln.p, ln.len)) != ln.len) {
			/* a character cut in two by the end of a cut line */
			if (ln.last_no_nl && ln.len - bad < 4 &&
			    json_check(ln.p, bad, &off, &jwhy) == JSON_INVALID && off >= bad) {
				cut_line(st, &rec);
				continue;
			}
			snprintf(why, sizeof(why), "invalid UTF-8 at byte %zu", bad + 1);
			if ((rc = parse_reject(st, &rec, &ln, why)) < 0)
				break;
			continue;
		}
		st->cur = &ln;
		if (st->cfg->check_json) {
			t = json_check(ln.p, ln.len, &off, &jwhy);
			if (t != JSON_OBJECT) {
				if ((rc = stage_reject_json(st, &rec, t, off, jwhy)) < 0)
					break;
				continue;
			}
		}
		rc = deliver(st, &rec, h, ctx);
		st->cur = NULL;
		if (rc < 0)
			break;
	}
	ndjson_close(&r);
	return rc;
}

/* One CSV input (cfg->csv_in); -1 stops the whole run. */
static int
run_csv_file(struct stage *st, const char *path, const struct stage_hooks *h, void *ctx,
             int *bad_input)
{
	struct csvio_reader r;
	struct csvio_row row;
	struct ep_err e = EP_ERR_INIT;
	enum csvio_kind k;
	int rc = 0;

	if (csvio_open(&r, path, st->cfg->csv_in, st->cfg->max_line, &e) < 0) {
		ep_warn("%s", e.msg);
		if (!*bad_input)
			*bad_input = e.code;
		return 0;
	}
	r.in.before_block = flush_idle;
	r.in.ctx = st;
	while ((k = csvio_next(&r, &row, &e)) != CSVIO_EOF) {
		struct stage_rec rec = { row.json, row.len, r.in.name, row.line };

		if (k == CSVIO_ERROR) {
			rc = stage_fail(st, &e);
			break;
		}
		if (stop_signal())
			break;
		if (k == CSVIO_BADFILE) {
			/* a header no record can be made from: warn, go on */
			ep_warn("%s", e.msg);
			if (!*bad_input)
				*bad_input = EP_DATAERR;
			break;
		}
		ops.n[OPS_READ]++;
		if (k == CSVIO_BAD) {
			struct ndjson_line ln = { row.raw, row.raw_len, row.line, row.raw_total,
				                  0 };

			rec.p = row.raw;
			rec.len = row.raw_len;
			if ((rc = parse_reject(st, &rec, &ln, row.why)) < 0)
				break;
			continue;
		}
		if ((rc = deliver(st, &rec, h, ctx)) < 0)
			break;
	}
	csvio_close(&r);
	return rc;
}

/* The input's size, when every input is a regular file: the progress
 * line's percentage. */
static void
input_size(int nfiles, char *const *files)
{
	struct stat sb;
	uint64_t total = 0;

	for (int i = 0; i < (nfiles ? nfiles : 1); i++) {
		const char *f = nfiles ? files[i] : "-";
		int r = strcmp(f, "-") == 0 ? fstat(0, &sb) : stat(f, &sb);

		if (r < 0 || !S_ISREG(sb.st_mode))
			return;
		total += (uint64_t)sb.st_size;
	}
	ops.total_bytes = total;
}

int
stage_run(const struct stage_cfg *cfg, int nfiles, char *const *files,
          const struct stage_hooks *hooks, void *ctx)
{
	struct stage st;
	struct ep_err e = EP_ERR_INIT;
	int status = 0, bad_input = 0, rc = 0;

	memset(&st, 0, sizeof(st));
	st.cfg = cfg;
	st.hooks = hooks;
	st.hctx = ctx;
	stop_catch();
	ndjson_writer_init(&st.out, 1);
	st.out.flush_every = cfg->flush_every;
	st.out.flush_ms = cfg->flush_ms;
	if (ndjson_repair_stdout(&e) < 0 || reject_open(&st.rej, cfg->rejects, &e) < 0) {
		ep_warn("%s", e.msg);
		ndjson_writer_free(&st.out);
		return e.code;
	}
	if (cfg->state) {
		if (state_open(&st.state, cfg->state, &e) < 0) {
			ep_warn("%s", e.msg);
			state_close(&st.state);
			reject_close(&st.rej);
			ndjson_writer_free(&st.out);
			return e.code;
		}
		st.have_state = 1;
	}
	input_size(nfiles, files);
	int (*run)(struct stage *, const char *, const struct stage_hooks *, void *, int *) =
		cfg->csv_in ? run_csv_file : run_file;
	if (nfiles == 0)
		rc = run(&st, NULL, hooks, ctx, &bad_input);
	for (int i = 0; i < nfiles && rc == 0 && !stop_signal(); i++)
		rc = run(&st, files[i], hooks, ctx, &bad_input);
	/* end of input: make the tail durable (no commit: the last
	 * checkpoint line already covered what it covers) */
	if (rc == 0 && !st.failed && barrier(&st, hooks, ctx) == 0 && st.owed && !st.out.epipe) {
		ep_errf(&e, EP_SOFTWARE, "%llu records left without an outcome",
		        (unsigned long long)st.owed);
		stage_fail(&st, &e);
	}
	/* records handed on before a failure are written all the same */
	if (!st.out.epipe && !st.out.failed && ndjson_flush(&st.out) < 0)
		out_failed(&st);
	if (hooks->end && rc == 0 && !st.failed && !st.cut.code && !bad_input && !st.out.epipe &&
	    !stop_signal())
		hooks->end(&st, ctx);
	if (st.out.epipe) {
		status = 0; /* the reader went away: end quietly */
	} else {
		if (st.failed) {
			ep_warn("%s", st.err.msg);
			status = st.err.code ? st.err.code : EP_SOFTWARE;
		} else if (st.cut.code) {
			ep_warn("%s", st.cut.msg);
			status = st.cut.code;
		} else if (stop_signal()) {
			ep_warn("stopped by %s: what was read has its outcome; the rest is "
			        "the next run's",
			        strsignal(stop_signal()));
			status = stop_status();
		} else if (bad_input)
			status = bad_input;
		else if (ops.n[OPS_REJECTED] > (uint64_t)cfg->max_rejects)
			status = EP_DATAERR;
		if (ep_verbose >= 0) {
			char rcp[160], drift[40] = "";

			ops_receipt_summary(rcp, sizeof(rcp));
			if (ops.shown & (1u << OPS_DRIFTED))
				snprintf(drift, sizeof(drift), ", drifted %llu",
				         (unsigned long long)ops.n[OPS_DRIFTED]);
			ep_warn("read %llu, wrote %llu%s, dropped %llu, rejected %llu%s",
			        (unsigned long long)ops.n[OPS_READ],
			        (unsigned long long)ops.n[OPS_WROTE], rcp,
			        (unsigned long long)ops.n[OPS_DROPPED],
			        (unsigned long long)ops.n[OPS_REJECTED], drift);
		}
	}
	ops_finish(status);
	if (st.have_state)
		state_close(&st.state);
	reject_close(&st.rej);
	ndjson_writer_free(&st.out);
	return status;
}
