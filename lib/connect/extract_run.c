#include "connect/extract_run.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/stop.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/ops.h"
#include "stream/json_tree.h"

int
extract_fail(struct extract_run *r, int code, const char *fmt, ...)
{
	char msg[sizeof(((struct ep_err *)0)->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ep_fail_once(&r->status, code, "%s", msg);
}

int
extract_broken(const struct extract_run *r)
{
	return r->out_open && (r->out.w.epipe || r->out.w.failed);
}

int
extract_full(struct extract_run *r)
{
	if (r->cfg->limit && r->emitted >= r->cfg->limit)
		r->done = 1;
	return r->cfg->limit && r->emitted >= r->cfg->limit;
}

int
extract_fresh(struct extract_run *r, const char *key, const char *mtime, struct ep_err *err)
{
	int k = seen_add(r->seen, key, mtime);

	if (k < 0)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	if (k == 0)
		r->repeats++;
	return k;
}

int
extract_record(struct extract_run *r, const char *json, size_t len)
{
	if (extract_emit(&r->out, json, len) < 0)
		return -1;
	r->emitted++;
	r->since_checkpoint++;
	return 0;
}

void
extract_forget(struct extract_run *r, const char *bound)
{
	seen_prune(r->seen, bound);
}

/* The position as a checkpoint line.  Unless force (the one after each
 * --follow poll), not when it would repeat the line just before it. */
static int
checkpoint(struct extract_run *r, int force)
{
	cJSON *pos;
	char *text;
	int rc;

	if (extract_broken(r) || (pos = r->src->ops->position(r->src->s, r)) == NULL)
		return 0;
	text = json_tree_print(pos);
	if (!force && r->since_checkpoint == 0 && text && r->last_pos &&
	    strcmp(text, r->last_pos) == 0) {
		free(text);
		cJSON_Delete(pos);
		return 0;
	}
	rc = extract_checkpoint(&r->out, pos);
	cJSON_Delete(pos);
	free(r->last_pos);
	r->last_pos = text;
	r->since_checkpoint = 0;
	return rc;
}

int
extract_line(struct extract_run *r, const char *text, size_t len)
{
	return ndjson_write(&r->out.w, text, len);
}

int
extract_page_done(struct extract_run *r)
{
	r->pages++;
	return checkpoint(r, 0);
}

/* A failure an op returned: err's message (printed once), or the one it
 * printed; a write that failed because the reader went away is none. */
static int
failed(struct extract_run *r, struct ep_err *err)
{
	if (err->code)
		extract_fail(r, err->code, "%s", err->msg);
	else if (r->status == 0 && !extract_broken(r))
		extract_fail(r, EP_SOFTWARE, "extraction failed");
	ep_err_clear(err);
	return -1;
}

static int
describe(struct extract_run *r, struct ep_err *err)
{
	cJSON *keys = NULL, *s = r->src->ops->schema(r->src->s, r, &keys, err);
	char *text;

	cJSON_Delete(keys);
	if (s == NULL)
		return -1;
	text = json_tree_print(s);
	cJSON_Delete(s);
	if (text == NULL)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	extract_line(r, text, strlen(text));
	free(text);
	return 0;
}

static int
singer(struct extract_run *r, struct ep_err *err)
{
	cJSON *keys = NULL, *s = r->src->ops->schema(r->src->s, r, &keys, err);
	int rc;

	if (s == NULL) {
		cJSON_Delete(keys);
		return -1;
	}
	rc = extract_out_singer(&r->out, r->entity, s, keys, err);
	cJSON_Delete(s);
	cJSON_Delete(keys);
	return rc;
}

static int
start(struct extract_run *r, struct ep_err *err)
{
	const struct extract_cfg *c = r->cfg;
	cJSON *pos = NULL;
	int rc;

	if (!c->since[0] && c->state &&
	    (pos = extract_state_pos(c->state, r->stream, err)) == NULL && err->code)
		return -1;
	rc = r->src->ops->start(r->src->s, r, pos, err);
	cJSON_Delete(pos);
	return rc;
}

/* The polls: one, or with --follow until a stop. */
static int
poll_loop(struct extract_run *r, struct ep_err *err)
{
	const struct extract_cfg *c = r->cfg;
	const struct extract_source_ops *ops = r->src->ops;
	const struct ep_clock *clock = c->conn.http.clock ? c->conn.http.clock : ep_clock_system();
	char prune[64];

	if (c->follow)
		stop_catch();
	for (;;) {
		if (ops->poll(r->src->s, r, err) < 0)
			return -1;
		if (!c->follow || extract_broken(r) || r->done || stop_signal())
			break;
		if (checkpoint(r, 1) < 0) /* at least once per --interval */
			break;
		extract_beat(c);
		extract_sleep(clock, c->interval_ms);
		if (stop_signal())
			break;
		prune[0] = '\0';
		if (ops->restart(r->src->s, r, prune, err) < 0)
			return -1;
		if (prune[0])
			extract_forget(r, prune);
	}
	/* the last line a checkpoint: the committer sees the run end */
	if (r->since_checkpoint || r->out.checkpoints == 0)
		checkpoint(r, 0);
	return 0;
}

static int
run(struct extract_run *r, const char *who, struct ep_err *err)
{
	const struct extract_cfg *c = r->cfg;
	const struct extract_source *src = r->src;
	char line[32];
	long long n;
	int k;

	if (c->shard_n)
		snprintf(r->stream, sizeof(r->stream), "%s:%s:%s#%d/%d", src->ops->system, who,
		         r->entity, c->shard_k, c->shard_n);
	else
		snprintf(r->stream, sizeof(r->stream), "%s:%s:%s", src->ops->system, who,
		         r->entity);
	if (extract_out_init(&r->out, 1, r->stream, err) < 0)
		return -1;
	r->out_open = 1;
	if (src->ops->prepare && (k = src->ops->prepare(src->s, r, err)) != 0) {
		r->own_mode = 1;
		return k < 0 ? -1 : 0;
	}
	if (c->describe)
		return describe(r, err);
	if (c->singer && singer(r, err) < 0)
		return -1;
	if (c->shard_plan)
		return src->ops->shard_plan(src->s, r, err);
	if ((r->seen = seen_new(0)) == NULL)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	if (c->shard_n && src->ops->shard(src->s, r, err) < 0)
		return -1;
	if (start(r, err) < 0)
		return -1;
	if (c->count) {
		if (src->ops->count(src->s, r, &n, err) < 0)
			return -1;
		snprintf(line, sizeof(line), "%lld", n);
		extract_line(r, line, strlen(line));
		return 0;
	}
	return poll_loop(r, err);
}

int
extract_run(const struct extract_cfg *c, const struct extract_source *src)
{
	struct extract_run r;
	struct ep_err err = EP_ERR_INIT;
	const char *who = "-", *entity = "";
	int records;

	memset(&r, 0, sizeof(r));
	r.cfg = c;
	r.src = src;
	if (src->ops->open(src->s, &r, &who, &entity, &err) < 0 ||
	    (r.entity = entity, run(&r, who, &err) < 0))
		failed(&r, &err);
	if (r.out_open && extract_out_ok(&r.out, &err) < 0)
		failed(&r, &err);
	records = !c->count && !c->describe && !c->shard_plan && !r.own_mode && r.out_open;
	if (r.status == 0 && records) {
		long q = src->ops->requests ? src->ops->requests(src->s) : -1;

		if (q >= 0)
			ep_info(0, "%s: wrote %ld record%s (%ld request%s)", r.entity, r.emitted,
			        r.emitted == 1 ? "" : "s", q, q == 1 ? "" : "s");
		else
			ep_info(0, "%s: wrote %ld record%s (%ld page%s, %ld repeats dropped)",
			        r.entity, r.emitted, r.emitted == 1 ? "" : "s", r.pages,
			        r.pages == 1 ? "" : "s", r.repeats);
	}
	if (r.seen && seen_evicted(r.seen))
		ep_info(0, "de-duplication set was full: %zu pairs dropped, duplicates possible",
		        seen_evicted(r.seen));
	src->ops->close(src->s);
	seen_free(r.seen);
	free(r.last_pos);
	if (r.out_open)
		extract_out_free(&r.out);
	ops_finish(r.status);
	return r.status;
}
