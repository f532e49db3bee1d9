#include "net/conn.h"

#include <math.h>
#include <string.h>

#include "base/redact.h"

const struct ep_opt conn_opts_table[] = {
	{ "cacert", OPT_CACERT, "FILE", "verify the server with the CA certificates in FILE" },
	{ "insecure", OPT_INSECURE, NULL, "do not verify the server's TLS certificate" },
	{ "max-body", OPT_MAX_BODY, "SIZE", "refuse an answer over SIZE bytes (default 64M)" },
	{ "profile", OPT_PROFILE, "NAME", "connection profile NAME (erpipe.conf(5))" },
	{ "rate", OPT_RATE, "RATE", "at most RATE requests (10/s, 600/min, 6000/5min)" },
	{ "retries", OPT_RETRIES, "N", "retries of a failed request (default 5)" },
	{ "retry-max-time", OPT_RETRY_MAX_TIME, "SECONDS",
	  "give up retrying a request after SECONDS (default 300)" },
	{ "timeout", OPT_TIMEOUT, "SECONDS", "abandon a request after SECONDS (default 300)" },
	{ "trace", OPT_TRACE, NULL, "show every request and response on stderr, secrets hidden" },
	{ NULL, 0, NULL, NULL },
};

void
conn_opts_init(struct conn_opts *c)
{
	memset(c, 0, sizeof(*c));
	http_opts_init(&c->http);
}

int
conn_opt(struct conn_opts *c, int key, const char *arg, struct ep_err *err)
{
	int64_t ms;

	switch (key) {
	case OPT_PROFILE:
		c->profile = arg;
		return 1;
	case OPT_CACERT:
		c->http.cacert = arg;
		c->set_cacert = 1;
		return 1;
	case OPT_INSECURE:
		c->http.insecure = 1;
		return 1;
	case OPT_MAX_BODY:
		if (http_parse_size(arg, &c->http.max_body, err) < 0)
			return -1;
		if (c->http.max_body < HTTP_MAX_BODY_MIN)
			return ep_errf(err, EP_USAGE, "--max-body '%s': under the %dk floor", arg,
			               HTTP_MAX_BODY_MIN >> 10);
		c->set_max_body = 1;
		return 1;
	case OPT_RATE:
		if (http_parse_rate(arg, &c->http.rate_n, &c->http.rate_period_ms, err) < 0)
			return -1;
		c->set_rate = 1;
		return 1;
	case OPT_RETRIES:
		return http_parse_retries(arg, &c->http.retry.max_retries, err) < 0 ? -1 : 1;
	case OPT_RETRY_MAX_TIME:
		if (http_parse_duration(arg, &ms, err) < 0)
			return -1;
		c->http.retry.max_time_ms = ms;
		return 1;
	case OPT_TIMEOUT:
		if (http_parse_duration(arg, &ms, err) < 0)
			return -1;
		c->http.timeout_ms = ms;
		c->set_timeout = 1;
		return 1;
	case OPT_TRACE:
		c->http.trace = 1;
		return 1;
	}
	return 0;
}

static void
redact_hook(const char *secret)
{
	redact_secret(secret);
}

struct cfg_profile *
conn_profile(struct conn_opts *c, const char *system, struct ep_err *err)
{
	struct cfg_profile *p;
	const char *v;
	double d;

	cfg_on_secret(redact_hook);
	if ((p = cfg_profile_load(c->profile, system, err)) == NULL)
		return NULL;
	if (!c->set_cacert && (v = cfg_get(p, "ca_file")) != NULL)
		c->http.cacert = v;
	if (!c->set_timeout && (d = cfg_get_num(p, "timeout", 0)) > 0)
		c->http.timeout_ms = (int64_t)ceil(d * 1000);
	if (!c->set_max_body && (v = cfg_get(p, "max_body")) != NULL) {
		struct ep_err e = EP_ERR_INIT;

		if (http_parse_size(v, &c->http.max_body, &e) < 0 ||
		    c->http.max_body < HTTP_MAX_BODY_MIN) {
			ep_errf(err, EP_CONFIG,
			        "%s: 'max_body' must be a size of at least %dk (bytes, or a "
			        "number with k, M or G), not '%s'",
			        cfg_origin(p, "max_body"), HTTP_MAX_BODY_MIN >> 10, v);
			cfg_profile_free(p);
			return NULL;
		}
	}
	if (!c->set_rate && (d = cfg_get_num(p, "rate_limit", 0)) > 0) {
		/* requests per second: 10 -> 10 per 1000 ms, 0.5 -> 1 per 2000 ms */
		if (d >= 1 && d == floor(d)) {
			c->http.rate_n = (int64_t)d;
			c->http.rate_period_ms = 1000;
		} else {
			c->http.rate_n = 1;
			c->http.rate_period_ms = (int64_t)ceil(1000 / d);
		}
	}
	return p;
}
