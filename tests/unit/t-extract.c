/*
 * t-extract: the extractors' shared machinery (lib/extract): options,
 * timestamps, shard ranges, the de-duplication set, state positions,
 * checkpoint lines after flushed records, a reader that went away.
 */
#include "tap.h"
#include "base/stop.h"
#include "connect/extract.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
test_time(void)
{
	char out[DT_TS_LEN];
	struct ep_err err = EP_ERR_INIT;
	static const struct {
		const char *in, *want;
	} ok_cases[] = {
		{ "2026-01-05", "2026-01-05 00:00:00" },
		{ "2026-01-05 10:00", "2026-01-05 10:00:00" },
		{ "2026-01-05 10:00:07", "2026-01-05 10:00:07" },
		{ "2026-01-05T10:00:07Z", "2026-01-05 10:00:07" },
		{ "2026-01-05T10:00:07.603Z", "2026-01-05 10:00:07" },
		{ "2026-01-05T01:30:00+02:00", "2026-01-04 23:30:00" },
		{ "2026-12-31T23:30:00-01:00", "2027-01-01 00:30:00" },
	};
	/* clang-format off */
	static const char *bad[] = {"", "yesterday", "2026-1-5", "2026-02-30", "2026-01-05 25:00",
	                            "2026-01-05T10:00:07+2", "2026-01-05 10:00:07 ", "1969-12-31"};
	/* clang-format on */
	size_t i;

	for (i = 0; i < sizeof(ok_cases) / sizeof(ok_cases[0]); i++) {
		out[0] = '\0';
		dt_ts_parse(ok_cases[i].in, out, &err);
		is_str(out, ok_cases[i].want, ok_cases[i].in);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = dt_ts_parse(bad[i], out, &err);

		ok(r == -1 && err.code == EP_USAGE && strstr(err.msg, "bad timestamp"), bad[i]);
	}
	dt_ts_add("2026-01-05 00:02:00", -300, out);
	is_str(out, "2026-01-04 23:57:00", "time_add across midnight");
	dt_ts_add("2024-02-28 23:59:59", 1, out);
	is_str(out, "2024-02-29 00:00:00", "time_add leap day");
	ok(dt_ts_add("2026-01-05", 1, out) == -1, "time_add wants the full form");
}

static void
test_shards(void)
{
	int64_t lo, hi, prev_hi = 0;
	int k, n, K, N, ok_all = 1;
	struct ep_err err = EP_ERR_INIT;

	ok(extract_shard_parse("2/4", &k, &n, &err) == 0 && k == 2 && n == 4, "parse 2/4");
	ok(extract_shard_parse("5/4", &k, &n, &err) == -1 && err.code == EP_USAGE, "5/4 refused");
	ok(extract_shard_parse("0/4", &k, &n, &err) == -1, "0/4 refused");
	ok(extract_shard_parse("1/", &k, &n, &err) == -1, "1/ refused");
	ok(extract_shard_parse("x", &k, &n, &err) == -1, "x refused");
	/* every id in [min, max] in exactly one shard, ranges contiguous */
	for (N = 1; N <= 9; N++) {
		for (K = 1; K <= N; K++) {
			extract_shard_range(10, 36, K, N, &lo, &hi);
			if (K == 1 && lo != INT64_MIN)
				ok_all = 0;
			if (K == N && hi != INT64_MAX)
				ok_all = 0;
			if (K > 1 && lo != prev_hi + 1)
				ok_all = 0;
			prev_hi = hi;
		}
	}
	ok(ok_all, "ranges are contiguous, open at both ends");
	extract_shard_range(10, 13, 2, 3, &lo, &hi);
	ok(lo == 11 && hi == 11, "4 ids, 3 shards: the middle one");
	extract_shard_range(5, 5, 2, 3, &lo, &hi);
	ok(lo > hi, "more shards than ids: an empty range");
}

static void
test_seen(void)
{
	struct seen *s = seen_new(0);
	char k[32];
	int i, fresh = 0;

	is_int(seen_add(s, "1", "2026-01-05 10:00:00"), 1, "new pair");
	is_int(seen_add(s, "1", "2026-01-05 10:00:00"), 0, "same pair again");
	is_int(seen_add(s, "1", "2026-01-05 10:00:01"), 1, "same id, new mtime");
	for (i = 0; i < 5000; i++) {
		snprintf(k, sizeof(k), "%d", i);
		fresh += seen_add(s, k, i < 2500 ? "2026-01-05 10:00:02" : "2026-01-05 10:00:09");
	}
	is_int(fresh, 5000, "5000 more pairs");
	is_int(seen_count(s), 5002, "count");
	seen_prune(s, "2026-01-05 10:00:05");
	is_int(seen_count(s), 2500, "prune drops the older pairs");
	is_int(seen_add(s, "4999", "2026-01-05 10:00:09"), 0, "a kept pair is still seen");
	is_int(seen_add(s, "1", "2026-01-05 10:00:02"), 1, "a pruned pair is new again");
	seen_forget(s, "4998", "2026-01-05 10:00:09");
	is_int(seen_count(s), 2500, "forget drops one pair");
	is_int(seen_add(s, "4998", "2026-01-05 10:00:09"), 1, "a forgotten pair is new again");
	is_int(seen_add(s, "4997", "2026-01-05 10:00:09"), 0, "its neighbours are still seen");
	seen_forget(s, "nope", "2026-01-05 10:00:09");
	is_int(seen_count(s), 2501, "forgetting a pair never added changes nothing");
	seen_free(s);

	s = seen_new(100);
	for (i = 0; i < 150; i++) {
		char m[DT_TS_LEN];

		snprintf(k, sizeof(k), "%d", i);
		snprintf(m, sizeof(m), "2026-01-05 10:%02d:00", i / 10);
		seen_add(s, k, m);
	}
	ok(seen_count(s) <= 100, "bounded");
	ok(seen_evicted(s) >= 50, "the oldest were evicted");
	is_int(seen_add(s, "149", "2026-01-05 10:14:00"), 0, "the newest are kept");
	seen_free(s);
}

static void
test_state(void)
{
	char dir[] = "/tmp/t-extract.XXXXXX", path[128], *got;
	struct ep_err err = EP_ERR_INIT;
	cJSON *pos;
	FILE *f;

	mkdtemp(dir);
	snprintf(path, sizeof(path), "%s/st.json", dir);
	pos = extract_state_pos(path, "odoo:x:res.partner", &err);
	ok(pos == NULL && err.code == 0, "no state file: no position, no error");
	f = fopen(path, "w");
	fputs("{\"odoo:x:res.partner\":{\"write_date\":\"2026-01-05 10:00:00\",\"id\":7},"
	      "\"odoo:x:bad\":3}",
	      f);
	fclose(f);
	pos = extract_state_pos(path, "odoo:x:res.partner", &err);
	got = cJSON_PrintUnformatted(pos);
	is_str(got, "{\"write_date\":\"2026-01-05 10:00:00\",\"id\":7}", "the stream's pos");
	free(got);
	cJSON_Delete(pos);
	pos = extract_state_pos(path, "odoo:y:res.partner", &err);
	ok(pos == NULL && err.code == 0, "another stream: none");
	pos = extract_state_pos(path, "odoo:x:bad", &err);
	ok(pos == NULL && err.code == EP_DATAERR, "a pos that is not an object: 65");
	f = fopen(path, "w");
	fputs("garbage", f);
	fclose(f);
	pos = extract_state_pos(path, "odoo:x:res.partner", &err);
	ok(pos == NULL && err.code == EP_DATAERR && strstr(err.msg, "st.json"),
	   "a corrupt state file: 65 naming it");
	unlink(path);
	rmdir(dir);
}

static void
test_out(void)
{
	int fds[2];
	struct extract_out o;
	struct ep_err err = EP_ERR_INIT;
	cJSON *pos = cJSON_Parse("{\"write_date\":\"2026-01-05 10:00:00\",\"id\":7}");
	char buf[1024];
	ssize_t n;

	pipe(fds);
	extract_out_init(&o, fds[1], "odoo:x:res.partner", &err);
	extract_emit(&o, "{\"id\":7}", 8);
	n = read(fds[0], buf, 0);
	ok(n == 0, "records are buffered");
	extract_checkpoint(&o, pos);
	n = read(fds[0], buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	is_str(buf,
	       "{\"id\":7}\n{\"_checkpoint\":{\"stream\":\"odoo:x:res.partner\",\"v\":1,\"pos\":{"
	       "\"write_date\":\"2026-01-05 10:00:00\",\"id\":7}}}\n",
	       "the checkpoint follows its records, both flushed");
	is_int(o.records, 1, "records counted");
	close(fds[0]);
	extract_emit(&o, "{\"id\":8}", 8);
	ok(extract_checkpoint(&o, pos) == -1 && o.w.epipe, "reader gone: EPIPE");
	ok(extract_out_ok(&o, &err) == 0, "EPIPE is a quiet end");
	extract_out_free(&o);
	close(fds[1]);
	cJSON_Delete(pos);
}

/* --shard-plan's lines, written then read back for each shard: bounds that
 * cover every id once; a plan of other shards or a broken line refused */
static void
test_shard_plan(void)
{
	char dir[] = "/tmp/t-extract.XXXXXX", path[128], stream[64];
	struct extract_out o;
	struct extract_shard_bounds b;
	struct ep_err err = EP_ERR_INIT;
	int64_t lo, hi, prev_hi = 0;
	int fd, K, good = 1;
	FILE *f;

	mkdtemp(dir);
	snprintf(path, sizeof(path), "%s/plan", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	extract_out_init(&o, fd, "odoo:x:res.partner", &err);
	ok(extract_shard_plan_ids(&o, "odoo:x:res.partner", 10, 36, 4, "id", &err) == 0,
	   "a plan of 4 shards of ids 10..36");
	extract_out_free(&o);
	close(fd);
	for (K = 1; K <= 4; K++) {
		int64_t want_lo, want_hi;

		snprintf(stream, sizeof(stream), "odoo:x:res.partner#%d/4", K);
		if (extract_shard_plan_read(path, stream, &b, &err) < 0 ||
		    extract_shard_bounds_ids(&b, path, &lo, &hi, &err) < 0) {
			good = 0;
			continue;
		}
		extract_shard_range(10, 36, K, 4, &want_lo, &want_hi);
		if (lo != want_lo || hi != want_hi || strcmp(b.field, "id") != 0 ||
		    (K > 1 && lo != prev_hi + 1))
			good = 0;
		prev_hi = hi;
		extract_shard_bounds_free(&b);
	}
	ok(good, "each shard's bounds read back as extract_shard_range made them");
	ok(extract_shard_plan_read(path, "odoo:x:res.partner#2/5", &b, &err) == -1 &&
	           err.code == EP_DATAERR && strstr(err.msg, "no shard"),
	   "a plan of 4 for shard 2/5: 65");
	ok(extract_shard_plan_read(path, "odoo:x:res.users#2/4", &b, &err) == -1,
	   "a plan of another model: refused");
	f = fopen(path, "w");
	fputs("{\"stream\":\"s#2/3\",\"field\":\"No\",\"ge\":\"C1\",\"lt\":\"C9\"}\n"
	      "{\"stream\":\"s#3/3\",\"field\":\"id\",\"ge\":5,\"lt\":5,\"empty\":true}\n",
	      f);
	fclose(f);
	ok(extract_shard_plan_read(path, "s#2/3", &b, &err) == 0 && cJSON_IsString(b.ge) &&
	           strcmp(b.ge->valuestring, "C1") == 0 && cJSON_IsString(b.lt),
	   "text bounds (NAV keys)");
	ok(extract_shard_bounds_ids(&b, path, &lo, &hi, &err) == -1 && err.code == EP_DATAERR,
	   "...are not ids");
	extract_shard_bounds_free(&b);
	ok(extract_shard_plan_read(path, "s#3/3", &b, &err) == 0 &&
	           extract_shard_bounds_ids(&b, path, &lo, &hi, &err) == 0 && lo > hi,
	   "an empty shard is an empty range");
	extract_shard_bounds_free(&b);
	f = fopen(path, "w");
	fputs("{\"stream\":\"s#1/3\",\"field\":\"id\"}\n{\"stream\":\"s#2/3\",\"field\":7}\n", f);
	fclose(f);
	ok(extract_shard_plan_read(path, "s#1/3", &b, &err) == -1 && err.code == EP_DATAERR &&
	           strstr(err.msg, "plan:2: not a shard plan line"),
	   "a bad line: 65 naming file:line");
	unlink(path);
	rmdir(dir);
}

static void
test_opts(void)
{
	struct extract_cfg c;
	struct ep_err err = EP_ERR_INIT;

	extract_cfg_init(&c);
	is_int(c.page_size, 1000, "default page size");
	is_int(extract_opt(&c, OPT_X_PAGE_SIZE, "7", &err), 1, "--page-size 7");
	is_int(c.page_size, 7, "set");
	is_int(extract_opt(&c, OPT_X_PAGE_SIZE, "0", &err), -1, "--page-size 0 refused");
	is_str(err.msg, "bad --page-size '0': expected a whole number 1 to 100000", "message");
	is_int(extract_opt(&c, OPT_X_INTERVAL, "1.5", &err), 1, "--interval 1.5");
	is_int(c.interval_ms, 1500, "in ms");
	is_int(extract_opt(&c, OPT_X_SINCE, "2026-01-05", &err), 1, "--since");
	is_str(c.since, "2026-01-05 00:00:00", "normalised");
	is_int(extract_opt(&c, OPT_TRACE, NULL, &err), 1, "conn options too");
	is_int(extract_opt(&c, 'x', NULL, &err), 0, "not ours");
}

static void
test_sleep(void)
{
	/* a signal during the sleep ends it early */
	const struct ep_clock *clk = ep_clock_system();
	int64_t t0;

	stop_catch();
	alarm(1);
	t0 = ep_now_ms(clk);
	signal(SIGALRM, SIG_DFL);
	{
		struct sigaction sa;

		sigaction(SIGTERM, NULL, &sa);
		signal(SIGALRM, sa.sa_handler); /* the same handler as SIGTERM's */
	}
	extract_sleep(clk, 10000);
	ok(stop_signal(), "the stop flag is set");
	ok(ep_now_ms(clk) - t0 < 3000, "the sleep ended early");
}

int
main(void)
{
	test_time();
	test_shards();
	test_seen();
	test_state();
	test_out();
	test_shard_plan();
	test_opts();
	test_sleep();
	return done_testing();
}
