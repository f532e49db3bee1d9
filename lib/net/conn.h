/*
 * conn.h - the connection options every program that talks to a remote
 * system shares (layer 3: net): -P/--profile and the network options of
 * lib/http, described once for --help, the man pages and the completions.
 *
 * Ownership: struct conn_opts is the caller's; its strings point into argv.
 * conn_profile returns a profile the caller frees with cfg_profile_free.
 *
 * Precedence, weakest first: the profile (ca_file, timeout, rate_limit,
 * max_body), its environment variables (cfg.h), then these flags.  conn_profile also
 * hooks cfg_on_secret to the trace redactor, so every secret a profile
 * resolves is *** in --trace output.
 */
#ifndef ERPIPE_CONN_H
#define ERPIPE_CONN_H

#include "base/cfg.h"
#include "base/err.h"
#include "net/http.h"
#include "base/opt.h"

/* -P --profile --cacert --insecure --max-body --rate --retries
 * --retry-max-time --timeout --trace */
extern const struct ep_opt conn_opts_table[];
enum {
	OPT_PROFILE = 'P',
	OPT_CACERT = OPT_KEYS_CONN,
	OPT_INSECURE,
	OPT_MAX_BODY,
	OPT_RATE,
	OPT_RETRIES,
	OPT_RETRY_MAX_TIME,
	OPT_TIMEOUT,
	OPT_TRACE,
};
_Static_assert(OPT_TRACE < OPT_KEYS_CONN + OPT_KEYS_RANGE, "conn options outgrow their key range");

struct conn_opts {
	const char *profile;   /* -P NAME, or NULL: the environment alone */
	struct http_opts http; /* http_opts_init, then the flags */
	int set_cacert, set_timeout, set_rate, set_max_body;
};

void conn_opts_init(struct conn_opts *c);
/* 1: the option was one of ours, 0: not, -1: a bad value (EP_USAGE). */
int conn_opt(struct conn_opts *c, int key, const char *arg, struct ep_err *err);

/* Load the profile for SYSTEM ("odoo", "nav", "bng"), apply its ca_file,
 * timeout, rate_limit and max_body to c->http where no flag set them.
 * NULL with err (EP_CONFIG, or EP_USAGE) on failure. */
struct cfg_profile *conn_profile(struct conn_opts *c, const char *system, struct ep_err *err);

#endif
