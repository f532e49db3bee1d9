#include "base/ops.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/dt.h"
#include "base/text.h"
#include "base/log.h"
#include "base/fileio.h"

const struct ep_opt ops_opts[] = {
	{ "metrics", OPT_OPS_METRICS, "FILE",
	  "write Prometheus metrics to FILE (textfile collector), at the end and every interval" },
	{ "stats", OPT_OPS_STATS, "FILE",
	  "write the end-of-run counts and duration to FILE as JSON" },
	{ NULL, 0, NULL, NULL },
};

struct ops_run ops;

#define LABEL_MAX 256
#define OPS_INTERVAL_DEFAULT 15000 /* metrics during a long run */
#define PROGRESS_MS 250            /* at most 4 redraws a second */
#define PROGRESS_DELAY_MS 500      /* nothing for runs shorter than this */

static struct {
	char program[64], system[LABEL_MAX], profile[LABEL_MAX], entity[LABEL_MAX];
	const char *stats, *metrics;
	int64_t interval_ms;
	int64_t start_mono, start_wall;
	int64_t metrics_at; /* monotonic time of the last metrics write */
	int64_t drawn_at;   /* of the last progress line; 0 none */
	int drawn;          /* a progress line is on the terminal now */
	int tty;            /* -1 not asked yet, 0 no, 1 yes */
	unsigned calls;
	int finished;
} R = { .interval_ms = OPS_INTERVAL_DEFAULT, .tty = -1 };

static const char *const count_name[OPS_NCOUNTS] = {
	"read",    "wrote",   "created", "updated",  "unchanged",
	"deleted", "drifted", "dropped", "rejected", "pages",
};

/* ops.http[] by index: the status class, "none" for no answer */
static const char *const http_class[6] = { "none", "1xx", "2xx", "3xx", "4xx", "5xx" };

/* Prometheus names and help, in the order of enum ops_count. */
static const char *const count_metric[OPS_NCOUNTS][2] = {
	{ "erpipe_records_read_total", "Records read (from the input or the source system)." },
	{ "erpipe_records_written_total",
	  "Records written downstream (records, or load's receipts)." },
	{ "erpipe_records_created_total", "Records load created in the target." },
	{ "erpipe_records_updated_total", "Records load updated in the target." },
	{ "erpipe_records_unchanged_total", "Records load found already as given (no write)." },
	{ "erpipe_records_deleted_total", "Records load deleted in the target." },
	{ "erpipe_records_drifted_total",
	  "Records written whose read-back differs from what was sent." },
	{ "erpipe_records_dropped_total", "Records dropped by a rule (a map's drop, a repeat)." },
	{ "erpipe_records_rejected_total", "Records rejected (to the reject file)." },
	{ "erpipe_pages_total", "Pages read from the source system." },
};

static const struct ep_clock *
clk(void)
{
	return ep_clock_system();
}

static void
copy(char *dst, size_t n, const char *s)
{
	snprintf(dst, n, "%s", s ? s : "");
}

void
ops_begin(const char *program)
{
	if (R.start_mono)
		return;
	copy(R.program, sizeof(R.program), program);
	R.start_mono = ep_now_ms(clk());
	R.start_wall = ep_wall_ms(clk());
	R.metrics_at = R.start_mono;
	ep_log_before = ops_progress_clear;
}

void
ops_stream(const char *system, const char *profile, const char *entity)
{
	copy(R.system, sizeof(R.system), system);
	copy(R.profile, sizeof(R.profile), profile);
	copy(R.entity, sizeof(R.entity), entity);
}

void
ops_stream_name(const char *stream)
{
	const char *a = stream ? strchr(stream, ':') : NULL;
	const char *b = a ? strchr(a + 1, ':') : NULL;

	if (b == NULL) {
		ops_stream(NULL, NULL, stream);
		return;
	}
	snprintf(R.system, sizeof(R.system), "%.*s", (int)(a - stream), stream);
	snprintf(R.profile, sizeof(R.profile), "%.*s", (int)(b - a - 1), a + 1);
	copy(R.entity, sizeof(R.entity), b + 1);
}

void
ops_interval(int64_t ms)
{
	if (ms > 0 && ms < R.interval_ms)
		R.interval_ms = ms;
}

int
ops_opt(int key, const char *arg, struct ep_err *err)
{
	(void)err;
	switch (key) {
	case OPT_OPS_METRICS:
		R.metrics = arg;
		return 1;
	case OPT_OPS_STATS:
		R.stats = arg;
		return 1;
	}
	return 0;
}

void
ops_checkpoint(const cJSON *pos)
{
	struct dt_time t;

	ops.last_checkpoint_ms = ep_wall_ms(clk());
	for (const cJSON *f = pos ? pos->child : NULL; f; f = f->next)
		if (cJSON_IsString(f) &&
		    dt_parse(f->valuestring, strlen(f->valuestring), NULL, &t) == 0) {
			ops.lag_s = (double)ops.last_checkpoint_ms / 1000.0 - (double)t.sec -
			            (double)t.nsec / 1e9;
			if (ops.lag_s < 0)
				ops.lag_s = 0;
			ops.has_lag = 1;
			break;
		}
	ops_tick(1);
}

void
ops_receipt_summary(char *b, size_t n)
{
	b[0] = '\0';
	if ((ops.shown & OPS_RECEIPTS) == OPS_RECEIPTS)
		snprintf(b, n,
		         " (created %" PRIu64 ", updated %" PRIu64 ", unchanged %" PRIu64
		         ", deleted %" PRIu64 ")",
		         ops.n[OPS_CREATED], ops.n[OPS_UPDATED], ops.n[OPS_UNCHANGED],
		         ops.n[OPS_DELETED]);
}

/* ---- --stats -------------------------------------------------------------- */

static void
add_time(struct buf *b, const char *name, int64_t wall_ms)
{
	char t[40];

	dt_format(wall_ms / 1000, "%Y-%m-%dT%H:%M:%S", NULL, t, sizeof(t));
	buf_addf(b, ",\"%s\":\"%s.%03dZ\"", name, t, (int)(wall_ms % 1000));
}

static void
add_label(struct buf *b, const char *name, const char *v)
{
	if (v[0] == '\0')
		return;
	buf_addf(b, "\"%s\":", name);
	json_quote(b, v, strlen(v));
	buf_addc(b, ',');
}

static void
write_stats(int status, int64_t now_wall, int64_t dur_ms)
{
	struct buf b = BUF_INIT;
	struct ep_err e = EP_ERR_INIT;

	buf_addc(&b, '{');
	add_label(&b, "program", R.program);
	add_label(&b, "system", R.system);
	add_label(&b, "profile", R.profile);
	add_label(&b, "entity", R.entity);
	for (int i = 0; i < OPS_NCOUNTS; i++)
		if (ops.shown & (1u << i))
			buf_addf(&b, "\"%s\":%" PRIu64 ",", count_name[i], ops.n[i]);
	buf_addf(&b, "\"status\":%d,\"duration_ms\":%lld", status, (long long)dur_ms);
	add_time(&b, "started", R.start_wall);
	add_time(&b, "ended", now_wall);
	if (ops.last_checkpoint_ms)
		add_time(&b, "last_checkpoint", ops.last_checkpoint_ms);
	uint64_t nreq = 0;
	for (int i = 0; i < 6; i++)
		nreq += ops.http[i];
	if (nreq) {
		buf_addf(&b, ",\"http\":{\"requests\":%" PRIu64 ",\"by_class\":{", nreq);
		for (int i = 0, first = 1; i < 6; i++)
			if (ops.http[i]) {
				buf_addf(&b, "%s\"%s\":%" PRIu64, first ? "" : ",", http_class[i],
				         ops.http[i]);
				first = 0;
			}
		buf_addf(&b,
		         "},\"retries\":%" PRIu64 ",\"rate_limit_waits\":%" PRIu64
		         ",\"wait_ms\":%lld,\"bytes_sent\":%" PRIu64 ",\"bytes_received\":%" PRIu64
		         "}",
		         ops.retries, ops.waits, (long long)ops.wait_ms, ops.bytes_sent,
		         ops.bytes_received);
	}
	buf_adds(&b, "}\n");
	if (buf_str(&b)[0] == '\0' || file_write_atomic(R.stats, b.p, b.len, &e) < 0)
		ep_warn("%s", e.msg[0] ? e.msg : "--stats: out of memory");
	buf_release(&b);
}

/* ---- --heartbeat ---------------------------------------------------------- */

void
ops_heartbeat(const char *file, int64_t interval_ms)
{
	static uint64_t polls;
	struct buf b = BUF_INIT;
	struct ep_err e = EP_ERR_INIT;
	int64_t now = ep_wall_ms(clk());

	if (file == NULL)
		return;
	polls++;
	buf_addc(&b, '{');
	add_label(&b, "program", R.program);
	add_label(&b, "system", R.system);
	add_label(&b, "profile", R.profile);
	add_label(&b, "entity", R.entity);
	buf_addf(&b, "\"pid\":%ld,\"polls\":%" PRIu64 ",\"interval_ms\":%lld", (long)getpid(),
	         polls, (long long)interval_ms);
	add_time(&b, "started", R.start_wall);
	add_time(&b, "last_poll", now);
	if (ops.last_checkpoint_ms)
		add_time(&b, "last_checkpoint", ops.last_checkpoint_ms);
	buf_adds(&b, "}\n");
	if (buf_str(&b)[0] == '\0' || file_write_atomic(file, b.p, b.len, &e) < 0)
		ep_warn("%s", e.msg[0] ? e.msg : "--heartbeat: out of memory");
	buf_release(&b);
}

/* ---- --metrics ------------------------------------------------------------ */

/* A label value: backslash, double quote and newline escaped. */
static void
add_value(struct buf *b, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			buf_addc(b, '\\');
		if (*v == '\n') {
			buf_adds(b, "\\n");
			continue;
		}
		buf_addc(b, *v);
	}
}

static void
labels(struct buf *b, const char *extra_name, const char *extra)
{
	buf_adds(b, "{program=\"");
	add_value(b, R.program);
	buf_adds(b, "\",system=\"");
	add_value(b, R.system);
	buf_adds(b, "\",profile=\"");
	add_value(b, R.profile);
	buf_adds(b, "\",entity=\"");
	add_value(b, R.entity);
	buf_addc(b, '"');
	if (extra_name) {
		buf_addf(b, ",%s=\"", extra_name);
		add_value(b, extra);
		buf_addc(b, '"');
	}
	buf_addc(b, '}');
}

static void
head(struct buf *b, const char *name, const char *type, const char *help)
{
	buf_addf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
sample(struct buf *b, const char *name, const char *lname, const char *lval, const char *value)
{
	buf_adds(b, name);
	labels(b, lname, lval);
	buf_addf(b, " %s\n", value);
}

static void
metric_u(struct buf *b, const char *name, const char *type, const char *help, uint64_t v)
{
	char s[32];

	snprintf(s, sizeof(s), "%" PRIu64, v);
	head(b, name, type, help);
	sample(b, name, NULL, NULL, s);
}

static void
metric_f(struct buf *b, const char *name, const char *type, const char *help, double v)
{
	char s[48];

	snprintf(s, sizeof(s), "%.3f", v);
	head(b, name, type, help);
	sample(b, name, NULL, NULL, s);
}

/* The last success the previous file recorded ("" when none): a failed
 * run keeps it, so "time since the last success" survives failures. */
static void
previous_success(char *out, size_t n)
{
	static const char name[] = "erpipe_last_success_timestamp_seconds{";
	char line[2048];
	FILE *fp;

	out[0] = '\0';
	if ((fp = fopen(R.metrics, "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), fp))
		if (strncmp(line, name, sizeof(name) - 1) == 0) {
			char *sp = strrchr(line, ' ');
			char *end;

			if (sp && strtod(sp + 1, &end) > 0 && (*end == '\n' || *end == '\0')) {
				*end = '\0';
				copy(out, n, sp + 1);
			}
		}
	fclose(fp);
}

static void
write_metrics(int finished, int status, int64_t now_wall, int64_t dur_ms)
{
	struct buf b = BUF_INIT;
	struct ep_err e = EP_ERR_INIT;
	char last[64], v[32];

	for (int i = 0; i < OPS_NCOUNTS; i++)
		if (ops.shown & (1u << i))
			metric_u(&b, count_metric[i][0], "counter", count_metric[i][1], ops.n[i]);
	head(&b, "erpipe_http_requests_total", "counter",
	     "HTTP requests sent (each attempt), by the answer's status class (none: no answer).");
	for (int i = 0; i < 6; i++) {
		snprintf(v, sizeof(v), "%" PRIu64, ops.http[i]);
		sample(&b, "erpipe_http_requests_total", "code", http_class[i], v);
	}
	metric_u(&b, "erpipe_http_retries_total", "counter",
	         "HTTP requests sent again under the retry policy.", ops.retries);
	metric_u(&b, "erpipe_http_rate_limit_waits_total", "counter",
	         "Waits for the rate limit (--rate) or a 429's Retry-After.", ops.waits);
	metric_f(&b, "erpipe_http_wait_seconds_total", "counter",
	         "Time spent waiting before retries and for the rate limit.",
	         (double)ops.wait_ms / 1000.0);
	metric_u(&b, "erpipe_http_sent_bytes_total", "counter",
	         "Bytes of HTTP requests sent (headers and bodies).", ops.bytes_sent);
	metric_u(&b, "erpipe_http_received_bytes_total", "counter",
	         "Bytes of HTTP answers received (bodies as sent, headers).", ops.bytes_received);
	metric_u(&b, "erpipe_input_bytes_total", "counter", "Bytes of NDJSON or CSV input read.",
	         ops.bytes_in);
	metric_u(&b, "erpipe_output_bytes_total", "counter", "Bytes of NDJSON written to stdout.",
	         ops.bytes_out);
	metric_f(&b, "erpipe_run_start_timestamp_seconds", "gauge",
	         "When this run started (Unix time).", (double)R.start_wall / 1000.0);
	metric_f(&b, "erpipe_run_duration_seconds", "gauge",
	         "How long this run has taken, so far or in all.", (double)dur_ms / 1000.0);
	metric_u(&b, "erpipe_running", "gauge", "1 while the run goes on, 0 once it ended.",
	         finished ? 0 : 1);
	if (finished)
		metric_u(
			&b, "erpipe_exit_status", "gauge",
			"The run's exit status (sysexits: 0 success, 65 data, 69 unavailable, ...).",
			(uint64_t)status);
	if (finished && (status == 0 || (R.program[0] == 'r' && status == EP_DIFF)))
		snprintf(last, sizeof(last), "%.3f", (double)now_wall / 1000.0);
	else
		previous_success(last, sizeof(last));
	if (last[0]) {
		head(&b, "erpipe_last_success_timestamp_seconds", "gauge",
		     "When a run of this stream last ended with success (Unix time).");
		sample(&b, "erpipe_last_success_timestamp_seconds", NULL, NULL, last);
	}
	if (ops.last_checkpoint_ms)
		metric_f(&b, "erpipe_last_checkpoint_timestamp_seconds", "gauge",
		         "When the last checkpoint passed or was written (Unix time).",
		         (double)ops.last_checkpoint_ms / 1000.0);
	if (ops.has_lag)
		metric_f(&b, "erpipe_follow_lag_seconds", "gauge",
		         "How far the last checkpoint's position is behind the clock.", ops.lag_s);
	if (buf_str(&b)[0] == '\0' || file_write_atomic(R.metrics, b.p, b.len, &e) < 0)
		ep_warn("%s", e.msg[0] ? e.msg : "--metrics: out of memory");
	buf_release(&b);
}

/* ---- progress --------------------------------------------------------------- */

static void
human(char *b, size_t n, uint64_t v)
{
	if (v >= 10000000)
		snprintf(b, n, "%.1fM", (double)v / 1e6);
	else if (v >= 100000)
		snprintf(b, n, "%.0fk", (double)v / 1e3);
	else
		snprintf(b, n, "%" PRIu64, v);
}

static void
draw(int64_t now)
{
	char line[256], num[32], rate[32];
	double secs = (double)(now - R.start_mono) / 1000.0;
	uint64_t recs = ops.n[OPS_READ];
	double done = -1;
	int len;

	human(num, sizeof(num), recs);
	human(rate, sizeof(rate), secs > 0 ? (uint64_t)((double)recs / secs) : 0);
	len = snprintf(line, sizeof(line), "\r%s: %s records, %s/s", R.program, num, rate);
	if (ops.n[OPS_PAGES])
		len += snprintf(line + len, sizeof(line) - (size_t)len, ", %" PRIu64 " pages",
		                ops.n[OPS_PAGES]);
	if (ops.total_records)
		done = (double)recs / (double)ops.total_records;
	else if (ops.total_bytes)
		done = (double)ops.bytes_in / (double)ops.total_bytes;
	if (done >= 0) {
		if (done > 1)
			done = 1;
		len += snprintf(line + len, sizeof(line) - (size_t)len, ", %d%%",
		                (int)(done * 100));
		if (done > 0.01 && done < 1) {
			long eta = (long)(secs / done - secs + 0.5);
			len += snprintf(line + len, sizeof(line) - (size_t)len, ", ETA %ld:%02ld",
			                eta / 60, eta % 60);
		}
	}
	snprintf(line + len, sizeof(line) - (size_t)len, "\033[K");
	fputs(line, stderr);
	fflush(stderr);
	R.drawn = 1;
	R.drawn_at = now;
}

void
ops_progress_clear(void)
{
	if (!R.drawn)
		return;
	fputs("\r\033[K", stderr);
	R.drawn = 0;
}

static int
progress_on(void)
{
	if (R.tty < 0)
		R.tty = isatty(2) && getenv("TERM") && strcmp(getenv("TERM"), "dumb") != 0;
	return R.tty && ep_verbose >= 0;
}

void
ops_tick(int force)
{
	int64_t now;

	if (!force && (++R.calls & 15) != 0)
		return;
	if (!R.start_mono || R.finished)
		return;
	now = ep_now_ms(clk());
	if (progress_on() && now - R.start_mono >= PROGRESS_DELAY_MS &&
	    now - R.drawn_at >= PROGRESS_MS)
		draw(now);
	if (R.metrics && now - R.metrics_at >= R.interval_ms) {
		R.metrics_at = now;
		write_metrics(0, 0, ep_wall_ms(clk()), now - R.start_mono);
	}
}

void
ops_page(void)
{
	ops.n[OPS_PAGES]++;
	ops_tick(1);
}

void
ops_finish(int status)
{
	int64_t now, wall;

	if (R.finished || !R.start_mono)
		return;
	R.finished = 1;
	ops_progress_clear();
	now = ep_now_ms(clk());
	wall = ep_wall_ms(clk());
	if (R.stats)
		write_stats(status, wall, now - R.start_mono);
	if (R.metrics)
		write_metrics(1, status, wall, now - R.start_mono);
}
