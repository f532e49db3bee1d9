/*
 * t-extract-run: the extraction engine (lib/connect/extract_run) over a
 * source made up here: the stream name, the start from the state file
 * minus --overlap, a checkpoint after each page and none repeated at the
 * end, --limit, --count, and --follow: the overlap window's repeats
 * dropped, a change in it written, a stop that ends the run with a
 * checkpoint last.
 */
#include "tap.h"
#include "connect/extract_run.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"

/* ---- a source: records (id, modified-at) in pages of two ------------- */

struct rec {
	int id;
	char at[DT_TS_LEN];
};

struct fake {
	struct rec recs[16];
	int n;
	char start[DT_TS_LEN]; /* records modified at or after start */
	char mark[DT_TS_LEN];
	int mark_id;
	int polls, stop_after; /* raise SIGTERM after that many polls */
	int change_at;         /* before that poll: record 2 changes */
};

static int
f_open(void *s, struct extract_run *r, const char **who, const char **entity, struct ep_err *err)
{
	(void)s;
	(void)r;
	(void)err;
	*who = "p";
	*entity = "things";
	return 0;
}

static cJSON *
f_schema(void *s, struct extract_run *r, cJSON **keys, struct ep_err *err)
{
	(void)s;
	(void)r;
	(void)err;
	*keys = cJSON_Parse("[\"id\"]");
	return cJSON_Parse("{\"type\":\"object\"}");
}

static int
f_shard(void *s, struct extract_run *r, struct ep_err *err)
{
	(void)s;
	(void)r;
	(void)err;
	return 0;
}

static int
f_start(void *s, struct extract_run *r, const cJSON *pos, struct ep_err *err)
{
	struct fake *f = s;
	const cJSON *at = cJSON_GetObjectItemCaseSensitive(pos, "at");

	if (pos == NULL)
		return 0;
	if (!cJSON_IsString(at) ||
	    dt_ts_add(at->valuestring, -(r->cfg->overlap_ms / 1000), f->start) < 0)
		return ep_errf(err, EP_DATAERR, "a bad pos");
	snprintf(f->mark, sizeof(f->mark), "%s", at->valuestring);
	return 0;
}

static int
f_count(void *s, struct extract_run *r, long long *n, struct ep_err *err)
{
	struct fake *f = s;

	(void)r;
	(void)err;
	*n = 0;
	for (int i = 0; i < f->n; i++)
		*n += strcmp(f->recs[i].at, f->start) >= 0;
	return 0;
}

static int
f_poll(void *s, struct extract_run *r, struct ep_err *err)
{
	struct fake *f = s;
	char line[128], key[16];
	int inpage = 0;

	if (++f->polls == f->change_at)
		snprintf(f->recs[1].at, sizeof(f->recs[1].at), "2026-01-05 10:00:09");
	for (int i = 0; i < f->n && !extract_full(r); i++) {
		struct rec *x = &f->recs[i];
		int k;

		if (strcmp(x->at, f->start) < 0)
			continue;
		snprintf(key, sizeof(key), "%d", x->id);
		if ((k = extract_fresh(r, key, x->at, err)) < 0)
			return -1;
		if (k == 1) {
			snprintf(line, sizeof(line), "{\"id\":%d,\"at\":\"%s\"}", x->id, x->at);
			if (extract_record(r, line, strlen(line)) < 0)
				return -1;
			if (strcmp(x->at, f->mark) >= 0) {
				snprintf(f->mark, sizeof(f->mark), "%s", x->at);
				f->mark_id = x->id;
			}
		}
		if (++inpage == 2) {
			inpage = 0;
			if (extract_page_done(r) < 0)
				return -1;
		}
	}
	if (inpage && extract_page_done(r) < 0)
		return -1;
	if (f->stop_after && f->polls >= f->stop_after)
		raise(SIGTERM);
	return 0;
}

static cJSON *
f_position(void *s, struct extract_run *r)
{
	struct fake *f = s;
	cJSON *pos;

	if (!(r->cfg->state || r->cfg->follow) || !f->mark[0])
		return NULL;
	pos = cJSON_CreateObject();
	cJSON_AddStringToObject(pos, "at", f->mark);
	cJSON_AddNumberToObject(pos, "id", f->mark_id);
	return pos;
}

static int
f_restart(void *s, struct extract_run *r, char prune[64], struct ep_err *err)
{
	struct fake *f = s;

	(void)err;
	if (f->mark[0] && dt_ts_add(f->mark, -(r->cfg->overlap_ms / 1000), f->start) == 0)
		snprintf(prune, 64, "%s", f->start);
	return 0;
}

static void
f_close(void *s)
{
	(void)s;
}

static const struct extract_source_ops fake_ops = {
	.system = "fake",
	.open = f_open,
	.schema = f_schema,
	.shard = f_shard,
	.start = f_start,
	.count = f_count,
	.poll = f_poll,
	.position = f_position,
	.restart = f_restart,
	.close = f_close,
};

static void
fake_init(struct fake *f)
{
	memset(f, 0, sizeof(*f));
	for (int i = 0; i < 5; i++) {
		f->recs[i].id = i + 1;
		snprintf(f->recs[i].at, sizeof(f->recs[i].at), "2026-01-05 10:00:0%d", i + 1);
	}
	f->n = 5;
}

/* Run c over f with stdout into a file: the status, the output in out. */
static int
run(struct extract_cfg *c, struct fake *f, char *out, size_t cap)
{
	struct extract_source src = { &fake_ops, f };
	FILE *tmp = tmpfile();
	int saved, st;
	size_t n;

	fflush(stdout);
	saved = dup(1);
	dup2(fileno(tmp), 1);
	st = extract_run(c, &src);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	rewind(tmp);
	n = fread(out, 1, cap - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
	return st;
}

static int
lines(const char *s, const char *with)
{
	int n = 0;

	for (const char *p = s; *p; p = strchr(p, '\n') + 1) {
		const char *e = strchr(p, '\n');

		if (e == NULL)
			break;
		if (with == NULL || memmem(p, (size_t)(e - p), with, strlen(with)))
			n++;
	}
	return n;
}

int
main(void)
{
	char out[8192], state[] = "/tmp/t-extract-run.XXXXXX";
	struct extract_cfg c;
	struct fake f;
	FILE *sf;
	int fd;

	ep_prog = "t-extract-run";
	ep_verbose = -1;

	/* a full read: the records, no checkpoints without --state */
	extract_cfg_init(&c);
	fake_init(&f);
	is_int(run(&c, &f, out, sizeof(out)), 0, "a full read: 0");
	is_int(lines(out, NULL), 5, "...five records");
	is_int(lines(out, "_checkpoint"), 0, "...no checkpoint without --state or --follow");

	/* --state: from the mark minus --overlap, a checkpoint per page */
	fd = mkstemp(state);
	sf = fdopen(fd, "w");
	fputs("{\"fake:p:things#2/3\":{\"at\":\"2026-01-05 10:00:04\",\"id\":4}}\n", sf);
	fclose(sf);
	extract_cfg_init(&c);
	c.state = state;
	c.overlap_ms = 2000;
	c.shard_k = 2;
	c.shard_n = 3;
	fake_init(&f);
	is_int(run(&c, &f, out, sizeof(out)), 0, "--state: 0");
	is_str(out,
	       "{\"id\":2,\"at\":\"2026-01-05 10:00:02\"}\n"
	       "{\"id\":3,\"at\":\"2026-01-05 10:00:03\"}\n"
	       "{\"_checkpoint\":{\"stream\":\"fake:p:things#2/3\",\"v\":1,\"pos\":"
	       "{\"at\":\"2026-01-05 10:00:04\",\"id\":0}}}\n"
	       "{\"id\":4,\"at\":\"2026-01-05 10:00:04\"}\n"
	       "{\"id\":5,\"at\":\"2026-01-05 10:00:05\"}\n"
	       "{\"_checkpoint\":{\"stream\":\"fake:p:things#2/3\",\"v\":1,\"pos\":"
	       "{\"at\":\"2026-01-05 10:00:05\",\"id\":5}}}\n",
	       "--state --overlap 2: the window again, a checkpoint after each page, none repeated");

	/* --count from the same start */
	c.count = 1;
	fake_init(&f);
	is_int(run(&c, &f, out, sizeof(out)), 0, "--count: 0");
	is_str(out, "4\n", "--count: what a run would read");

	/* --describe */
	extract_cfg_init(&c);
	c.describe = 1;
	fake_init(&f);
	run(&c, &f, out, sizeof(out));
	is_str(out, "{\"type\":\"object\"}\n", "--describe: the source's schema, one line");

	/* --limit */
	extract_cfg_init(&c);
	c.limit = 3;
	fake_init(&f);
	run(&c, &f, out, sizeof(out));
	is_int(lines(out, NULL), 3, "--limit 3: three records");

	/* --follow: the second poll re-reads the window; only the change comes out */
	extract_cfg_init(&c);
	c.follow = 1;
	c.interval_ms = 1;
	c.overlap_ms = 10000;
	fake_init(&f);
	f.stop_after = 2;
	f.change_at = 2;
	is_int(run(&c, &f, out, sizeof(out)), 0, "--follow: 0 after SIGTERM");
	is_int(lines(out, "\"id\":") - lines(out, "_checkpoint"), 6,
	       "--follow: five records, then the one that changed");
	ok(strstr(out, "{\"id\":2,\"at\":\"2026-01-05 10:00:09\"}") != NULL,
	   "...the change written in the second poll");
	ok(lines(out, "_checkpoint") >= 4, "...checkpoints after pages and polls");
	{
		const char *last = out + strlen(out) - 1;

		while (last > out && last[-1] != '\n')
			last--;
		ok(strncmp(last, "{\"_checkpoint\"", 14) == 0, "...the last line a checkpoint");
		ok(strstr(last, "10:00:09") != NULL, "...at the change");
	}
	unlink(state);
	return done_testing();
}
