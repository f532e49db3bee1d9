/*
 * scripted.h - for unit tests that talk to tests/sandbox/scripted.py on
 * 127.0.0.1: a fake clock that records every wait and returns at once, the
 * server started from a JSON script in a scratch directory, and readers of
 * its request log.  Header-only; include once, after tap.h.
 *
 *   scripted_setup("t-name")   scratch dir, no proxies, SIGPIPE ignored;
 *                              0, or -1 when the test must be skipped
 *   srv_start(script)          (re)start the server; srv_tls for HTTPS
 *   url("/path")               the server's URL
 *   srv_log(), log_count(), req_header(log, i, name), jstr, jint
 *   scripted_http_opts(&o)     http_opts for a test: the fake clock (its waits
 *                              cleared), seed 7, 5 s timeout, 2 s connect
 *   scripted_teardown()        stop the server, remove the scratch dir
 */
#ifndef ERPIPE_SCRIPTED_H
#define ERPIPE_SCRIPTED_H

#include <cjson/cJSON.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "net/http.h"

/* ---- fake clock ---------------------------------------------------------- */

static struct {
	int64_t now, wall0;
	int64_t waits[64];
	int n;
} F = { 1000, 1700000000000LL, { 0 }, 0 };

static inline int64_t
f_now(void *ctx)
{
	(void)ctx;
	return F.now;
}

static inline int64_t
f_wall(void *ctx)
{
	(void)ctx;
	return F.wall0 + F.now;
}

static inline void
f_sleep(void *ctx, int64_t ms)
{
	(void)ctx;
	if (F.n < 64)
		F.waits[F.n++] = ms;
	F.now += ms;
}

static const struct ep_clock fake = { f_now, f_wall, f_sleep, NULL };

/* ---- the scripted server ------------------------------------------------- */

static char dir[64], srv_url[128];
static pid_t srv_pid;
static int port;

static inline void
msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static inline char *
path_in(const char *name)
{
	static char p[8][256];
	static int k;

	k = (k + 1) % 8;
	snprintf(p[k], sizeof(p[k]), "%s/%s", dir, name);
	return p[k];
}

static inline char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *s = NULL;
	size_t n = 0, cap = 0, r;

	if (!f)
		return NULL;
	do {
		if (n + 4096 + 1 > cap && (s = realloc(s, cap = 2 * cap + 8192)) == NULL)
			abort();
		r = fread(s + n, 1, 4096, f);
		n += r;
	} while (r > 0);
	fclose(f);
	s[n] = '\0';
	if (len)
		*len = n;
	return s;
}

static inline void
srv_stop(void)
{
	int i;

	if (srv_pid <= 0)
		return;
	kill(srv_pid, SIGTERM);
	for (i = 0; i < 200 && waitpid(srv_pid, NULL, WNOHANG) == 0; i++)
		msleep(10);
	if (i == 200) {
		kill(srv_pid, SIGKILL);
		waitpid(srv_pid, NULL, 0);
	}
	srv_pid = 0;
}

static int srv_tls; /* the next server speaks HTTPS with dir/cert.pem */

static inline int
srv_start(const char *script)
{
	const char *top = getenv("ERPIPE_TOP");
	char py[512], *s;
	FILE *f;
	int i;

	srv_stop();
	snprintf(py, sizeof(py), "%s/tests/sandbox/scripted.py", top ? top : ".");
	unlink(path_in("port"));
	unlink(path_in("log"));
	if ((f = fopen(path_in("script.json"), "w")) == NULL)
		return -1;
	fputs(script, f);
	fclose(f);
	fflush(stdout);
	if ((srv_pid = fork()) == 0) {
		char *argv[] = { "python3",     py,
			         "--port",      "0",
			         "--port-file", path_in("port"),
			         "--script",    path_in("script.json"),
			         "--log",       path_in("log"),
			         "--tls-cert",  path_in("cert.pem"),
			         "--tls-key",   path_in("key.pem"),
			         NULL };

		if (!srv_tls)
			argv[10] = NULL;
		execv("/usr/bin/python3", argv);
		_exit(127);
	}
	for (i = 0; i < 1000; i++) {
		if ((s = slurp(path_in("port"), NULL)) != NULL) {
			port = atoi(s);
			free(s);
			snprintf(srv_url, sizeof(srv_url), "%s://127.0.0.1:%d",
			         srv_tls ? "https" : "http", port);
			return 0;
		}
		msleep(10);
	}
	diag("scripted.py did not start");
	return -1;
}

static inline char *
url(const char *path)
{
	static char u[4][256];
	static int k;

	k = (k + 1) % 4;
	snprintf(u[k], sizeof(u[k]), "%s%s", srv_url, path);
	return u[k];
}

/* the server's log as a cJSON array of requests */
static inline cJSON *
srv_log(void)
{
	cJSON *a = cJSON_CreateArray(), *o;
	char *s = slurp(path_in("log"), NULL), *line, *save = NULL;

	if (s == NULL)
		return a;
	for (line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if ((o = cJSON_Parse(line)) != NULL)
			cJSON_AddItemToArray(a, o);
	free(s);
	return a;
}

static inline int
log_count(void)
{
	cJSON *a = srv_log();
	int n = cJSON_GetArraySize(a);

	cJSON_Delete(a);
	return n;
}

static inline const char *
jstr(cJSON *o, const char *k)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : "";
}

static inline int
jint(cJSON *o, const char *k)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(v) ? v->valueint : -1;
}

/* a header the server received in request i, or "" */
static inline const char *
req_header(cJSON *log, int i, const char *name)
{
	cJSON *h, *pair = NULL;

	h = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(log, i), "headers");
	cJSON_ArrayForEach(pair, h) {
		cJSON *k = cJSON_GetArrayItem(pair, 0), *v = cJSON_GetArrayItem(pair, 1);

		if (cJSON_IsString(k) && strcasecmp(k->valuestring, name) == 0)
			return v->valuestring;
	}
	return "";
}

static inline int
scripted_setup(const char *name)
{
	snprintf(dir, sizeof(dir), "/tmp/%s.XXXXXX", name);
	if (mkdtemp(dir) == NULL) {
		printf("1..0 # SKIP mkdtemp: %s\n", strerror(errno));
		return -1;
	}
	if (access("/usr/bin/python3", X_OK) != 0) {
		printf("1..0 # SKIP no /usr/bin/python3\n");
		return -1;
	}
	/* tests never go through a proxy */
	setenv("NO_PROXY", "127.0.0.1", 1);
	setenv("no_proxy", "127.0.0.1", 1);
	unsetenv("http_proxy");
	unsetenv("HTTPS_PROXY");
	unsetenv("https_proxy");
	unsetenv("ALL_PROXY");
	unsetenv("all_proxy");
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static inline void
scripted_http_opts(struct http_opts *o)
{
	http_opts_init(o);
	o->clock = &fake;
	o->seed = 7;
	o->timeout_ms = 5000;
	o->connect_timeout_ms = 2000;
	F.n = 0;
}

static inline void
scripted_teardown(void)
{
	srv_stop();
	unlink(path_in("port"));
	unlink(path_in("log"));
	unlink(path_in("script.json"));
	rmdir(dir);
}

#endif
