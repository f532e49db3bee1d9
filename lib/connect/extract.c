/*
 * extract.c - what every extractor shares (extract.h): its options and
 * --state position, and the --follow helpers; its output is
 * extract_out.c, its shards extract_shard.c.
 */
#include "connect/extract.h"

#include <string.h>

#include "base/log.h"
#include "base/ops.h"
#include "base/stop.h"
#include "stream/state.h"

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
