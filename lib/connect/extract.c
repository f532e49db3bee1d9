#include "connect/extract.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/dt.h"
#include "base/hash.h"
#include "stream/json_tree.h"
#include "base/log.h"
#include "base/ops.h"
#include "base/stop.h"
#include "stream/state.h"
#include "base/text.h"

/* ---- options ------------------------------------------------------------ */

const struct ep_opt extract_opts[] = {
	{ "count", OPT_X_COUNT, NULL, "print the number of records that would be read, and exit" },
	{ "describe", OPT_X_DESCRIBE, NULL, "print the fields as a JSON Schema, and exit" },
	{ "follow", OPT_X_FOLLOW, NULL, "keep polling for changes until SIGTERM or SIGINT" },
	{ "heartbeat", OPT_X_HEARTBEAT, "FILE",
	  "with --follow, rewrite FILE after each poll (last poll, last checkpoint)" },
	{ "interval", OPT_X_INTERVAL, "SECONDS", "with --follow, poll every SECONDS (default 60)" },
	{ "limit", OPT_X_LIMIT, "N", "stop after N records" },
	{ "overlap", OPT_X_OVERLAP, "SECONDS",
	  "re-read SECONDS before the state's mark (default 300)" },
	{ "page-size", OPT_X_PAGE_SIZE, "N", "records per request (default 1000)" },
	{ "shard", OPT_X_SHARD, "K/N", "read only shard K/N: the K-th of N contiguous key ranges" },
	{ "shard-plan", OPT_X_SHARD_PLAN, "N",
	  "print the key ranges of N shards, one JSON line each, and exit" },
	{ "shard-plan-file", OPT_X_SHARD_PLAN_FILE, "FILE",
	  "with --shard K/N, take the range from FILE (--shard-plan's output)" },
	{ "since", OPT_X_SINCE, "TIMESTAMP", "only records modified at or after TIMESTAMP (UTC)" },
	{ "singer", OPT_X_SINGER, NULL, "write Singer messages: SCHEMA, RECORD and STATE" },
	{ "state", OPT_X_STATE, "FILE",
	  "start where the checkpoint in FILE says; emit checkpoints" },
	{ NULL, 0, NULL, NULL },
};

void
extract_cfg_init(struct extract_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->interval_ms = 60000;
	c->overlap_ms = 300000;
	c->page_size = 1000;
	conn_opts_init(&c->conn);
	ops_begin(ep_prog);
	ops.shown |= (1u << OPS_READ) | (1u << OPS_WROTE) | (1u << OPS_DROPPED) | (1u << OPS_PAGES);
}

static int
count_arg(const char *arg, const char *what, long min, long max, long *out, struct ep_err *err)
{
	if (ep_parse_long(arg, min, max, out) < 0)
		return ep_errf(err, EP_USAGE, "bad %s '%s': expected a whole number %ld to %ld",
		               what, arg, min, max);
	return 1;
}

int
extract_opt(struct extract_cfg *c, int key, const char *arg, struct ep_err *err)
{
	switch (key) {
	case OPT_X_COUNT:
		c->count = 1;
		return 1;
	case OPT_X_DESCRIBE:
		c->describe = 1;
		return 1;
	case OPT_X_SINGER:
		c->singer = 1;
		return 1;
	case OPT_X_FOLLOW:
		c->follow = 1;
		return 1;
	case OPT_X_HEARTBEAT:
		c->heartbeat = arg;
		return 1;
	case OPT_X_INTERVAL:
		if (http_parse_duration(arg, &c->interval_ms, err) < 0)
			return -1;
		if (c->interval_ms < 1)
			return ep_errf(err, EP_USAGE, "bad --interval '%s': must be more than 0",
			               arg);
		ops_interval(c->interval_ms);
		return 1;
	case OPT_X_LIMIT:
		return count_arg(arg, "--limit", 1, 1000000000000L, &c->limit, err);
	case OPT_X_OVERLAP:
		return http_parse_duration(arg, &c->overlap_ms, err) < 0 ? -1 : 1;
	case OPT_X_PAGE_SIZE:
		return count_arg(arg, "--page-size", 1, 100000, &c->page_size, err);
	case OPT_X_SHARD:
		return extract_shard_parse(arg, &c->shard_k, &c->shard_n, err) < 0 ? -1 : 1;
	case OPT_X_SHARD_PLAN: {
		long n;
		if (count_arg(arg, "--shard-plan", 1, 1000, &n, err) < 0)
			return -1;
		c->shard_plan = (int)n;
		return 1;
	}
	case OPT_X_SHARD_PLAN_FILE:
		c->shard_plan_file = arg;
		return 1;
	case OPT_X_SINCE:
		return dt_ts_parse(arg, c->since, err) < 0 ? -1 : 1;
	case OPT_X_STATE:
		c->state = arg;
		return 1;
	}
	int r = conn_opt(&c->conn, key, arg, err);
	return r ? r : ops_opt(key, arg, err);
}

/* ---- state -------------------------------------------------------------- */

cJSON *
extract_state_pos(const char *file, const char *stream, struct ep_err *err)
{
	cJSON *map, *pos;

	ep_err_clear(err);
	if ((map = state_read(file, err)) == NULL)
		return NULL;
	pos = cJSON_GetObjectItemCaseSensitive(map, stream);
	if (pos == NULL) {
		cJSON_Delete(map);
		return NULL;
	}
	if (!cJSON_IsObject(pos)) {
		cJSON_Delete(map);
		ep_errf(err, EP_DATAERR, "state file '%s': the position of '%s' is not an object",
		        file, stream);
		return NULL;
	}
	cJSON_DetachItemViaPointer(map, pos);
	cJSON_Delete(map);
	return pos;
}

/* ---- output ------------------------------------------------------------- */

int
extract_out_init(struct extract_out *o, int fd, const char *stream, struct ep_err *err)
{
	memset(o, 0, sizeof(*o));
	signal(SIGPIPE, SIG_IGN);
	ndjson_writer_init(&o->w, fd);
	buf_init(&o->line, 0);
	if (fd == 1 && ndjson_repair_stdout(err) < 0)
		return -1;
	if ((o->stream = strdup(stream ? stream : "")) == NULL)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	ops_stream_name(o->stream);
	return 0;
}

int
extract_out_singer(struct extract_out *o, const char *name, const cJSON *schema, const cJSON *keys,
                   struct ep_err *err)
{
	cJSON *m = cJSON_CreateObject();
	struct buf head = BUF_INIT;
	char *text = NULL;

	free(o->rec_head);
	free(o->schema);
	o->rec_head = o->schema = NULL;
	/* each RECORD starts the same: made once */
	if (buf_adds(&head, "{\"type\":\"RECORD\",\"stream\":") < 0 ||
	    json_quote(&head, name, strlen(name)) < 0 || buf_adds(&head, ",\"record\":") < 0 ||
	    (o->rec_head = buf_detach(&head, NULL)) == NULL) {
		buf_release(&head);
		cJSON_Delete(m);
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	}
	if (m == NULL || !cJSON_AddStringToObject(m, "type", "SCHEMA") ||
	    !cJSON_AddStringToObject(m, "stream", name) ||
	    !cJSON_AddItemToObject(m, "schema",
	                           schema ? cJSON_Duplicate(schema, 1)
	                                  : cJSON_Parse("{\"type\":\"object\"}")) ||
	    !cJSON_AddItemToObject(m, "key_properties",
	                           keys ? cJSON_Duplicate(keys, 1) : cJSON_CreateArray()) ||
	    (text = json_tree_print(m)) == NULL) {
		cJSON_Delete(m);
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	}
	cJSON_Delete(m);
	o->schema = text;
	o->singer = 1;
	return 0;
}

/* Singer: the SCHEMA message before the stream's first RECORD or STATE. */
static int
singer_schema(struct extract_out *o)
{
	if (!o->singer || o->schema_sent)
		return 0;
	o->schema_sent = 1;
	return ndjson_write(&o->w, o->schema, strlen(o->schema));
}

int
extract_emit(struct extract_out *o, const char *json, size_t len)
{
	if (o->singer) {
		int r;
		if (singer_schema(o) < 0)
			return -1;
		buf_reset(&o->line);
		r = buf_adds(&o->line, o->rec_head);
		r |= buf_add(&o->line, json, len);
		r |= buf_addc(&o->line, '}');
		if (r < 0) {
			o->w.failed = ENOMEM;
			return -1;
		}
		json = o->line.p;
		len = o->line.len;
	}
	if (ndjson_write(&o->w, json, len) < 0)
		return -1;
	o->records++;
	ops.n[OPS_READ]++;
	ops.n[OPS_WROTE]++;
	ops_tick(0);
	return 0;
}

int
extract_checkpoint(struct extract_out *o, const cJSON *pos)
{
	char *p;
	int r;

	if (ndjson_flush(&o->w) < 0)
		return -1;
	buf_reset(&o->line);
	if ((p = json_tree_print(pos)) == NULL) {
		o->w.failed = ENOMEM;
		return -1;
	}
	if (singer_schema(o) < 0) {
		free(p);
		return -1;
	}
	/* Singer: STATE's value is what --state reads back, {stream: pos} */
	r = buf_adds(&o->line, o->singer ? "{\"type\":\"STATE\",\"value\":{"
	                                 : "{\"_checkpoint\":{\"stream\":");
	r |= json_quote(&o->line, o->stream, strlen(o->stream));
	r |= buf_adds(&o->line, o->singer ? ":" : ",\"v\":1,\"pos\":");
	r |= buf_adds(&o->line, p);
	r |= buf_adds(&o->line, "}}");
	free(p);
	if (r < 0) {
		o->w.failed = ENOMEM;
		return -1;
	}
	if (ndjson_write(&o->w, o->line.p, o->line.len) < 0 || ndjson_flush(&o->w) < 0)
		return -1;
	o->checkpoints++;
	ops_checkpoint(pos);
	return 0;
}

int
extract_out_ok(struct extract_out *o, struct ep_err *err)
{
	if (!o->w.epipe && !o->w.failed)
		ndjson_flush(&o->w);
	if (o->w.epipe)
		return 0;
	if (o->w.failed)
		return ep_errf(err, EP_IOERR, "cannot write to stdout: %s", strerror(o->w.failed));
	return 0;
}

void
extract_out_free(struct extract_out *o)
{
	ndjson_writer_free(&o->w);
	buf_release(&o->line);
	free(o->stream);
	free(o->rec_head);
	free(o->schema);
	o->stream = o->rec_head = o->schema = NULL;
}

/* ---- --follow ------------------------------------------------------------ */

int
extract_cfg_check(const struct extract_cfg *c, struct ep_err *err)
{
	if (c->heartbeat && !c->follow)
		return ep_errf(err, EP_USAGE, "--heartbeat goes with --follow");
	return 0;
}

void
extract_beat(const struct extract_cfg *c)
{
	ops_heartbeat(c->heartbeat, c->interval_ms);
}

void
extract_sleep(const struct ep_clock *clock, int64_t ms)
{
	int64_t end = ep_now_ms(clock) + ms, left;

	while (!stop_signal() && (left = end - ep_now_ms(clock)) > 0) {
		ep_sleep_ms(clock, left > 200 ? 200 : left);
		ops_tick(1);
	}
}

/* ---- --shard ------------------------------------------------------------ */

int
extract_shard_parse(const char *s, int *k, int *n, struct ep_err *err)
{
	const char *slash = strchr(s, '/');
	char a[32];
	long kk, nn;

	if (slash == NULL || (size_t)(slash - s) >= sizeof(a))
		goto bad;
	memcpy(a, s, (size_t)(slash - s));
	a[slash - s] = '\0';
	if (ep_parse_long(a, 1, 1000, &kk) < 0 || ep_parse_long(slash + 1, 1, 1000, &nn) < 0 ||
	    kk > nn)
		goto bad;
	*k = (int)kk;
	*n = (int)nn;
	return 0;
bad:
	return ep_errf(err, EP_USAGE, "bad --shard '%s': expected K/N with 1 <= K <= N <= 1000", s);
}

void
extract_shard_range(int64_t min, int64_t max, int k, int n, int64_t *lo, int64_t *hi)
{
	__int128 size = (__int128)max - min + 1;

	if (size < 1)
		size = 1;
	*lo = k == 1 ? INT64_MIN : (int64_t)(min + size * (k - 1) / n);
	*hi = k == n ? INT64_MAX : (int64_t)(min + size * k / n - 1);
}

int
extract_shard_check(const struct extract_cfg *c, struct ep_err *err)
{
	if (c->shard_plan && (c->shard_n || c->follow || c->count || c->describe || c->singer))
		return ep_errf(err, EP_USAGE,
		               "--shard-plan cannot go with --shard, --follow, "
		               "--count, --describe or --singer");
	if (c->shard_plan_file && !c->shard_n)
		return ep_errf(err, EP_USAGE, "--shard-plan-file wants --shard K/N");
	return 0;
}

int
extract_shard_plan_emit(struct extract_out *o, const char *base_stream, int k, int n,
                        const char *field, const cJSON *ge, const cJSON *lt, int empty,
                        struct ep_err *err)
{
	struct buf *b = &o->line;
	char sh[32];
	int r;

	snprintf(sh, sizeof(sh), "%d/%d", k, n);
	buf_reset(b);
	r = buf_adds(b, "{\"shard\":\"");
	r |= buf_adds(b, sh);
	r |= buf_adds(b, "\",\"stream\":");
	r |= json_quote(b, base_stream, strlen(base_stream));
	/* the stream the shard checkpoints under: odoo:P:M#K/N */
	if (b->len)
		b->len--; /* the closing quote */
	r |= buf_addf(b, "#%s\",\"field\":", sh);
	r |= json_quote(b, field, strlen(field));
	if (ge) {
		r |= buf_adds(b, ",\"ge\":");
		r |= json_tree_print_buf(b, ge);
	}
	if (lt) {
		r |= buf_adds(b, ",\"lt\":");
		r |= json_tree_print_buf(b, lt);
	}
	if (empty)
		r |= buf_adds(b, ",\"empty\":true");
	r |= buf_addc(b, '}');
	if (r < 0)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	if (ndjson_write(&o->w, b->p, b->len) < 0)
		return extract_out_ok(o, err);
	return 0;
}

int
extract_shard_plan_ids(struct extract_out *o, const char *base_stream, int64_t min, int64_t max,
                       int n, const char *field, struct ep_err *err)
{
	for (int k = 1; k <= n; k++) {
		int64_t lo, hi;
		cJSON *ge = NULL, *lt = NULL;
		int r;

		extract_shard_range(min, max, k, n, &lo, &hi);
		if (lo != INT64_MIN)
			ge = cJSON_CreateNumber((double)lo);
		if (hi != INT64_MAX)
			lt = cJSON_CreateNumber((double)hi + 1);
		r = extract_shard_plan_emit(o, base_stream, k, n, field, ge, lt,
		                            lo != INT64_MIN && hi != INT64_MAX && lo > hi, err);
		cJSON_Delete(ge);
		cJSON_Delete(lt);
		if (r < 0)
			return -1;
		if (o->w.epipe)
			return 0;
	}
	return extract_out_ok(o, err);
}

void
extract_shard_bounds_free(struct extract_shard_bounds *b)
{
	free(b->field);
	cJSON_Delete(b->ge);
	cJSON_Delete(b->lt);
	memset(b, 0, sizeof(*b));
}

/* One plan line into b when its stream is `stream`: 1 taken, 0 another
 * shard's, -1 not a plan line (err). */
static int
plan_line(const struct ndjson_line *ln, const char *file, const char *stream,
          struct extract_shard_bounds *b, struct ep_err *err)
{
	struct json_tree_err je = { NULL, 0, BUF_INIT };
	cJSON *v = json_tree_parse(ln->p, ln->len, &je);
	const cJSON *st, *f, *ge, *lt, *em;
	const char *why = NULL;
	int r = 0;

	buf_release(&je.path);
	if (v == NULL)
		return ep_errf(err, EP_DATAERR, "%s:%llu: not a shard plan line: %s", file,
		               (unsigned long long)ln->lineno, je.why ? je.why : "bad JSON");
	st = cJSON_GetObjectItemCaseSensitive(v, "stream");
	f = cJSON_GetObjectItemCaseSensitive(v, "field");
	ge = cJSON_GetObjectItemCaseSensitive(v, "ge");
	lt = cJSON_GetObjectItemCaseSensitive(v, "lt");
	em = cJSON_GetObjectItemCaseSensitive(v, "empty");
	if (!cJSON_IsObject(v))
		why = "not an object";
	else if (!cJSON_IsString(st) || !cJSON_IsString(f) || f->valuestring[0] == '\0')
		why = "wants \"stream\" and \"field\" strings";
	else if ((ge && !(cJSON_IsNumber(ge) || cJSON_IsString(ge))) ||
	         (lt && !(cJSON_IsNumber(lt) || cJSON_IsString(lt))))
		why = "\"ge\" and \"lt\" are numbers or strings";
	else if (em && !cJSON_IsBool(em))
		why = "\"empty\" is true or false";
	if (why) {
		cJSON_Delete(v);
		return ep_errf(err, EP_DATAERR, "%s:%llu: not a shard plan line: %s", file,
		               (unsigned long long)ln->lineno, why);
	}
	if (strcmp(st->valuestring, stream) == 0) {
		if (b->field)
			r = ep_errf(err, EP_DATAERR, "%s:%llu: a second line for %s", file,
			            (unsigned long long)ln->lineno, stream);
		else {
			b->field = strdup(f->valuestring);
			b->ge = ge ? cJSON_Duplicate(ge, 1) : NULL;
			b->lt = lt ? cJSON_Duplicate(lt, 1) : NULL;
			b->empty = cJSON_IsTrue(em);
			r = b->field && (!ge || b->ge) && (!lt || b->lt)
			            ? 1
			            : ep_errf(err, EP_SOFTWARE, "out of memory");
		}
	}
	cJSON_Delete(v);
	return r;
}

int
extract_shard_plan_read(const char *file, const char *stream, struct extract_shard_bounds *b,
                        struct ep_err *err)
{
	struct ndjson_reader rd;
	struct ndjson_line ln;
	enum ndjson_kind kind;
	int rc = 0;

	memset(b, 0, sizeof(*b));
	if (ndjson_open(&rd, file, 64u << 10, err) < 0)
		return -1;
	while (rc >= 0 && (kind = ndjson_next(&rd, &ln, err)) != NDJ_EOF) {
		if (kind == NDJ_ERROR)
			rc = -1;
		else if (kind == NDJ_TOO_LONG)
			rc = ep_errf(err, EP_DATAERR, "%s:%llu: not a shard plan line: too long",
			             file, (unsigned long long)ln.lineno);
		else if (plan_line(&ln, file, stream, b, err) < 0)
			rc = -1;
	}
	ndjson_close(&rd);
	if (rc == 0 && b->field == NULL)
		rc = ep_errf(err, EP_DATAERR,
		             "%s: no shard %s in the plan (made for another entity, profile or "
		             "number of shards?)",
		             file, stream);
	if (rc < 0)
		extract_shard_bounds_free(b);
	return rc;
}

static int
bound_id(const cJSON *v, int64_t *out)
{
	double d;

	if (!cJSON_IsNumber(v))
		return -1;
	d = v->valuedouble;
	if (!(d >= -9007199254740992.0 && d <= 9007199254740992.0) || d != (double)(int64_t)d)
		return -1;
	*out = (int64_t)d;
	return 0;
}

int
extract_shard_bounds_ids(const struct extract_shard_bounds *b, const char *file, int64_t *lo,
                         int64_t *hi, struct ep_err *err)
{
	int64_t lt;

	*lo = INT64_MIN;
	*hi = INT64_MAX;
	if ((b->ge && bound_id(b->ge, lo) < 0) || (b->lt && bound_id(b->lt, &lt) < 0))
		return ep_errf(err, EP_DATAERR, "%s: the bounds of %s are not whole numbers", file,
		               b->field);
	if (b->lt)
		*hi = lt - 1;
	if (b->empty) {
		*lo = 1;
		*hi = 0;
	}
	return 0;
}
