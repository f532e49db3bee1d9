/*
 * cfg.h - connection profiles and secrets (layer 1: base).
 *
 * Ownership: cfg_profile_load returns a struct cfg_profile the caller owns
 * and releases with cfg_profile_free, which wipes (explicit_bzero) every
 * value and the secret before freeing them.  Strings returned by cfg_get,
 * cfg_origin, cfg_file and cfg_secret belong to the profile and live until
 * cfg_profile_free or, for one key, until the next cfg_set of that key.
 * struct cfg_ini (the bare INI parser, exposed for the fuzzer and tests)
 * copies its input; release it with cfg_ini_free, which wipes the copy.
 *
 * A profile is section [NAME] of the first file in the search list that has
 * it: $ERPIPE_CONFIG, $HOME/.config/erpipe/connections.conf,
 * ERPIPE_SYSCONFDIR/connections.conf (/etc/erpipe by default).  A file that
 * does not exist is skipped; one that exists but cannot be read or parsed is
 * an error.  Values come, weakest first, from the file, then the system's
 * environment variables (ODOO_URL, NAV_USER, BNG_CLIENT_SECRET, ... see
 * man/erpipe.conf.5 and cfg_env_name), then cfg_set (command-line flags).
 * A secret is never taken from cfg_set.  Every failure is EP_CONFIG (78)
 * unless noted.
 */
#ifndef ERPIPE_CFG_H
#define ERPIPE_CFG_H

#include <stddef.h>

#include "base/err.h"

#ifndef ERPIPE_SYSCONFDIR
#define ERPIPE_SYSCONFDIR "/etc/erpipe"
#endif

#define CFG_LINE_MAX 4096          /* longest config line, bytes */
#define CFG_FILE_MAX (1024 * 1024) /* largest config file */
#define CFG_ENTRIES_MAX 4096       /* sections + keys in one file */
#define CFG_SECRET_MAX (64 * 1024) /* largest secret file */

struct cfg_profile;

/*
 * Load profile NAME for SYSTEM ("odoo", "nav" or "bng").  NAME may be NULL:
 * then only the environment is read.  Fails with EP_USAGE for an unknown
 * system or a malformed name, EP_CONFIG for a missing profile (the message
 * lists the files searched), a file that cannot be read, a syntax error
 * ("file:line: why"), an unknown key, a bad number, two keys naming the
 * secret, or a `password` key in a file open to group or others.
 */
struct cfg_profile *cfg_profile_load(const char *name, const char *system, struct ep_err *err);

/* The same, searching FILES (NULL-terminated) instead of the default list. */
struct cfg_profile *cfg_profile_load_files(const char *name, const char *system,
                                           const char *const *files, struct ep_err *err);

void cfg_profile_free(struct cfg_profile *p);

/* The value of KEY, or NULL when unset.  Never returns the `password` key:
 * secrets come only from cfg_secret. */
const char *cfg_get(const struct cfg_profile *p, const char *key);

/* Like cfg_get, but a missing key is an EP_CONFIG error saying where to
 * set it (the profile section, the environment variable). */
const char *cfg_require(const struct cfg_profile *p, const char *key, struct ep_err *err);

/* `timeout` and `rate_limit` as numbers (checked at load), or DEF if unset. */
double cfg_get_num(const struct cfg_profile *p, const char *key, double def);

/* Where KEY's value came from: "FILE:LINE", "$ODOO_URL" or "command line";
 * NULL when unset. */
const char *cfg_origin(const struct cfg_profile *p, const char *key);

/* Override KEY (a command-line flag).  Refuses `password` with EP_USAGE:
 * no secret on the command line.  An unknown key is EP_SOFTWARE. */
int cfg_set(struct cfg_profile *p, const char *key, const char *value, struct ep_err *err);

/* The profile's name (NULL when loaded from the environment only), its
 * system, and the file it was read from (NULL likewise). */
const char *cfg_name(const struct cfg_profile *p);
const char *cfg_system(const struct cfg_profile *p);
const char *cfg_file(const struct cfg_profile *p);

/* The environment variable that overrides KEY for SYSTEM ("secret" names
 * the secret's), or NULL when there is none. */
const char *cfg_env_name(const char *system, const char *key);

/*
 * Resolve the secret, first found wins: the system's variable
 * ($ODOO_PASSWORD, $NAV_PASSWORD, $BNG_CLIENT_SECRET); the variable named by
 * password_env; the file named by password_file or token_file (refused when
 * open to group or others: "run: chmod 600 'FILE'"; one trailing newline is
 * stripped); the config's own `password` key.  Resolved once, then cached;
 * the hook set by cfg_on_secret sees the value before it is returned.
 * Returns NULL with EP_CONFIG when there is none or it cannot be read.
 */
const char *cfg_secret(struct cfg_profile *p, struct ep_err *err);

/* Read a secret file as cfg_secret does (a regular file private to its
 * owner, at most CFG_SECRET_MAX bytes, not empty, no NUL, one trailing
 * newline stripped) without the profile: for secrets that are not the
 * connection's, such as a webhook signing key.  Returns a string the
 * caller wipes (explicit_bzero) and frees, or NULL with EP_CONFIG.  The
 * cfg_on_secret hook is not called: register it yourself. */
char *cfg_read_secret_file(const char *path, struct ep_err *err);

/* Where the secret came from ("$ODOO_PASSWORD", "password_file 'F'", ...),
 * or NULL before cfg_secret succeeded. */
const char *cfg_secret_origin(const struct cfg_profile *p);

/* Call FN with every secret value cfg_secret resolves, so the program can
 * register it with the trace redactor.  NULL removes the hook. */
void cfg_on_secret(void (*fn)(const char *secret));

/* ---- the INI parser ---------------------------------------------------- */

struct cfg_ent {
	const char *section; /* always set */
	const char *key;     /* NULL for the section header itself */
	const char *value;   /* NULL for a section header */
	int line;
};

struct cfg_ini {
	char *data; /* owned copy of the text, values point into it */
	size_t size;
	struct cfg_ent *ent; /* in file order */
	size_t n;
};

/* clang-format off */
#define CFG_INI_INIT { NULL, 0, NULL, 0 }
/* clang-format on */

/*
 * Parse LEN bytes of INI text; FILE names it in errors ("FILE:LINE: why").
 * Syntax: `[section]`, `key = value`, whole-line comments starting with `#`
 * or `;`, blank lines, CRLF or LF.  A value is trimmed; a value in double
 * quotes keeps its spaces and understands \" and \\.  A duplicate section or
 * a duplicate key within a section is an error.  On failure INI is left
 * empty.
 */
int cfg_ini_parse(struct cfg_ini *ini, const char *file, const char *data, size_t len,
                  struct ep_err *err);
void cfg_ini_free(struct cfg_ini *ini);

#endif
