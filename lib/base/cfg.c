/*
 * cfg.c - connection profiles and secrets.  See cfg.h and erpipe.conf(5).
 */
#include "base/cfg.h"

#include "base/buf.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
	K_URL,
	K_DB,
	K_USER,
	K_COMPANY,
	K_AUTH,
	K_CLIENT_ID,
	K_PASSWORD_FILE,
	K_PASSWORD_ENV,
	K_TOKEN_FILE,
	K_PASSWORD,
	K_CA_FILE,
	K_TIMEOUT,
	K_RATE_LIMIT,
	K_MAX_BODY,
	K_N
};

static const char *const key_names[K_N] = {
	[K_URL] = "url",
	[K_DB] = "db",
	[K_USER] = "user",
	[K_COMPANY] = "company",
	[K_AUTH] = "auth",
	[K_CLIENT_ID] = "client_id",
	[K_PASSWORD_FILE] = "password_file",
	[K_PASSWORD_ENV] = "password_env",
	[K_TOKEN_FILE] = "token_file",
	[K_PASSWORD] = "password",
	[K_CA_FILE] = "ca_file",
	[K_TIMEOUT] = "timeout",
	[K_RATE_LIMIT] = "rate_limit",
	[K_MAX_BODY] = "max_body",
};

/* Environment overrides, one table per system; NULL: none. */
struct sys {
	const char *name;
	const char *env[K_N];
	const char *secret_env;
};

/* clang-format off */
static const struct sys systems[] = {
	{ "odoo",
		{ [K_URL] = "ODOO_URL", [K_DB] = "ODOO_DB", [K_USER] = "ODOO_USER",
			[K_COMPANY] = "ODOO_COMPANY", [K_AUTH] = "ODOO_AUTH",
			[K_CA_FILE] = "ODOO_CA_FILE", [K_TIMEOUT] = "ODOO_TIMEOUT",
			[K_RATE_LIMIT] = "ODOO_RATE_LIMIT", [K_MAX_BODY] = "ODOO_MAX_BODY" },
		"ODOO_PASSWORD" },
	{ "nav",
		{ [K_URL] = "NAV_URL", [K_USER] = "NAV_USER",
			[K_COMPANY] = "NAV_COMPANY", [K_AUTH] = "NAV_AUTH",
			[K_CLIENT_ID] = "NAV_CLIENT_ID", [K_CA_FILE] = "NAV_CA_FILE",
			[K_TIMEOUT] = "NAV_TIMEOUT", [K_RATE_LIMIT] = "NAV_RATE_LIMIT",
			[K_MAX_BODY] = "NAV_MAX_BODY" },
		"NAV_PASSWORD" },
	{ "bng",
		{ [K_URL] = "BNG_URL", [K_AUTH] = "BNG_AUTH",
			[K_CLIENT_ID] = "BNG_CLIENT_ID", [K_CA_FILE] = "BNG_CA_FILE",
			[K_TIMEOUT] = "BNG_TIMEOUT", [K_RATE_LIMIT] = "BNG_RATE_LIMIT",
			[K_MAX_BODY] = "BNG_MAX_BODY" },
		"BNG_CLIENT_SECRET" },
	/* PostgreSQL: libpq reads its own PG* variables for what is unset */
	{ "pg", { [K_URL] = "PG_URL" }, "PGPASSWORD" },
};
/* clang-format on */

struct cfg_profile {
	const struct sys *sys;
	char *name;
	char *file;
	char *dir; /* file's directory, for relative paths */
	char *val[K_N];
	char *origin[K_N];
	char *secret;
	char *secret_origin;
};

static void (*secret_hook)(const char *);

/* ---- small helpers ------------------------------------------------------ */

static void
wipe_free(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

static char *
xstrdup(const char *s, struct ep_err *err)
{
	char *d = strdup(s);

	if (d == NULL)
		ep_errf(err, EP_SOFTWARE, "out of memory");
	return d;
}

static char *xasprintf(struct ep_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static char *
xasprintf(struct ep_err *err, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		ep_errf(err, EP_SOFTWARE, "out of memory");
		return NULL;
	}
	return s;
}

static int
key_index(const char *key)
{
	int i;

	for (i = 0; i < K_N; i++)
		if (strcmp(key_names[i], key) == 0)
			return i;
	return -1;
}

static const struct sys *
find_sys(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < sizeof(systems) / sizeof(systems[0]); i++)
		if (strcmp(systems[i].name, name) == 0)
			return &systems[i];
	return NULL;
}

static int
is_name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.';
}

static int
valid_name(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!is_name_char((unsigned char)*s))
			return 0;
	return 1;
}

static const char *
getenv_set(const char *name)
{
	const char *v = name != NULL ? getenv(name) : NULL;

	return v != NULL && *v != '\0' ? v : NULL;
}

/* ---- INI parser --------------------------------------------------------- */

static int
is_blank(int c)
{
	return c == ' ' || c == '\t';
}

/* Trim blanks in place: returns the new start, writes a NUL at the end. */
static char *
trim(char *s, char *end)
{
	while (s < end && is_blank((unsigned char)*s))
		s++;
	while (end > s && is_blank((unsigned char)end[-1]))
		end--;
	*end = '\0';
	return s;
}

static int
add_ent(struct cfg_ini *ini, size_t *cap, const char *file, const char *sec, const char *key,
        const char *val, int line, struct ep_err *err)
{
	struct cfg_ent *e;

	if (ini->n >= CFG_ENTRIES_MAX)
		return ep_errf(err, EP_CONFIG, "%s:%d: more than %d sections and keys", file, line,
		               CFG_ENTRIES_MAX);
	if (ARRAY_GROW(ini->ent, ini->n + 1, *cap) < 0)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	e = &ini->ent[ini->n++];
	e->section = sec;
	e->key = key;
	e->value = val;
	e->line = line;
	return 0;
}

/* Unquote "..." in place; s points at the opening quote. */
static int
unquote(char *s, const char *file, int line, struct ep_err *err)
{
	char *r = s + 1, *w = s;

	for (;;) {
		if (*r == '\0')
			return ep_errf(err, EP_CONFIG, "%s:%d: unterminated quoted value", file,
			               line);
		if (*r == '"')
			break;
		if (*r == '\\') {
			r++;
			if (*r != '"' && *r != '\\')
				return ep_errf(
					err, EP_CONFIG,
					"%s:%d: bad escape in quoted value (only \\\" and \\\\)",
					file, line);
		}
		*w++ = *r++;
	}
	for (r++; *r != '\0'; r++)
		if (!is_blank((unsigned char)*r))
			return ep_errf(err, EP_CONFIG, "%s:%d: text after closing quote", file,
			               line);
	*w = '\0';
	return 0;
}

static int
parse_line(struct cfg_ini *ini, size_t *cap, size_t *sec_at, const char *file, char *s, char *end,
           int line, struct ep_err *err)
{
	char *eq, *key, *val;
	size_t i;

	s = trim(s, end);
	if (*s == '\0' || *s == '#' || *s == ';')
		return 0;
	if (*s == '[') {
		char *close = strchr(s, ']');

		if (close == NULL || close[1] != '\0')
			return ep_errf(
				err, EP_CONFIG,
				"%s:%d: bad section header (want '[name]' alone on its line)", file,
				line);
		s = trim(s + 1, close);
		if (!valid_name(s))
			return ep_errf(
				err, EP_CONFIG,
				"%s:%d: bad section name '%s' (letters, digits, '_', '-', '.')",
				file, line, s);
		for (i = 0; i < ini->n; i++)
			if (ini->ent[i].key == NULL && strcmp(ini->ent[i].section, s) == 0)
				return ep_errf(err, EP_CONFIG,
				               "%s:%d: duplicate section '[%s]' (first at line %d)",
				               file, line, s, ini->ent[i].line);
		*sec_at = ini->n;
		return add_ent(ini, cap, file, s, NULL, NULL, line, err);
	}
	eq = strchr(s, '=');
	if (eq == NULL || eq == s)
		return ep_errf(err, EP_CONFIG, "%s:%d: expected 'key = value' or '[section]'", file,
		               line);
	val = trim(eq + 1, s + strlen(s));
	key = trim(s, eq);
	if (!valid_name(key))
		return ep_errf(err, EP_CONFIG, "%s:%d: bad key name '%s'", file, line, key);
	if (*sec_at == (size_t)-1)
		return ep_errf(err, EP_CONFIG,
		               "%s:%d: key '%s' outside a section (add '[name]' above it)", file,
		               line, key);
	if (*val == '"' && unquote(val, file, line, err) < 0)
		return -1;
	for (i = *sec_at + 1; i < ini->n; i++)
		if (strcmp(ini->ent[i].key, key) == 0)
			return ep_errf(err, EP_CONFIG,
			               "%s:%d: duplicate key '%s' (first at line %d)", file, line,
			               key, ini->ent[i].line);
	return add_ent(ini, cap, file, ini->ent[*sec_at].section, key, val, line, err);
}

void
cfg_ini_free(struct cfg_ini *ini)
{
	if (ini->data != NULL) {
		explicit_bzero(ini->data, ini->size);
		free(ini->data);
	}
	free(ini->ent);
	ini->data = NULL;
	ini->size = 0;
	ini->ent = NULL;
	ini->n = 0;
}

int
cfg_ini_parse(struct cfg_ini *ini, const char *file, const char *data, size_t len,
              struct ep_err *err)
{
	size_t cap = 0, sec_at = (size_t)-1;
	char *p, *end, *nl;
	int line = 0;

	ini->data = NULL;
	ini->size = 0;
	ini->ent = NULL;
	ini->n = 0;
	if (len > CFG_FILE_MAX)
		return ep_errf(err, EP_CONFIG, "'%s' is larger than %d KiB", file,
		               CFG_FILE_MAX / 1024);
	ini->data = malloc(len + 1);
	if (ini->data == NULL)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	ini->size = len + 1;
	if (len > 0)
		memcpy(ini->data, data, len);
	ini->data[len] = '\0';
	end = ini->data + len;
	for (p = ini->data; p < end; p = nl + 1) {
		line++;
		nl = memchr(p, '\n', end - p);
		if (nl == NULL)
			nl = end;
		if (nl - p > CFG_LINE_MAX)
			goto fail_long;
		if (memchr(p, '\0', nl - p) != NULL) {
			ep_errf(err, EP_CONFIG, "%s:%d: NUL byte", file, line);
			goto fail;
		}
		*nl = '\0';
		if (nl > p && nl[-1] == '\r')
			nl[-1] = '\0';
		if (parse_line(ini, &cap, &sec_at, file, p, p + strlen(p), line, err) < 0)
			goto fail;
	}
	return 0;
fail_long:
	ep_errf(err, EP_CONFIG, "%s:%d: line longer than %d bytes", file, line, CFG_LINE_MAX);
fail:
	cfg_ini_free(ini);
	return -1;
}

/* ---- files -------------------------------------------------------------- */

/* Read a whole config file.  Returns 1 and fills *out, 0 when the file does
 * not exist, -1 on error. */
static int
read_config(const char *path, char **out, size_t *len, mode_t *mode, struct ep_err *err)
{
	struct stat st;
	char *data;
	size_t n = 0;
	ssize_t r;
	int fd;

	/* O_NONBLOCK: a FIFO is refused below, not waited on for a writer */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return ep_errf(err, EP_CONFIG, "cannot open '%s': %s", path, strerror(errno));
	}
	if (fstat(fd, &st) < 0) {
		ep_errf(err, EP_CONFIG, "cannot stat '%s': %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return ep_errf(err, EP_CONFIG, "'%s' is not a regular file", path);
	}
	if (st.st_size > CFG_FILE_MAX) {
		close(fd);
		return ep_errf(err, EP_CONFIG, "'%s' is larger than %d KiB", path,
		               CFG_FILE_MAX / 1024);
	}
	data = malloc((size_t)st.st_size + 1);
	if (data == NULL) {
		close(fd);
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	}
	/* read what is there now, up to the size seen by fstat */
	while (n < (size_t)st.st_size) {
		r = read(fd, data + n, (size_t)st.st_size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ep_errf(err, EP_CONFIG, "cannot read '%s': %s", path, strerror(errno));
			explicit_bzero(data, n);
			free(data);
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	data[n] = '\0';
	*out = data;
	*len = n;
	*mode = st.st_mode;
	return 1;
}

/* "~/x" under $HOME, "x" beside the config file, "/x" as is. */
static char *
resolve_path(const struct cfg_profile *p, const char *v, struct ep_err *err)
{
	const char *home = getenv_set("HOME");

	if (v[0] == '~' && v[1] == '/' && home != NULL)
		return xasprintf(err, "%s/%s", home, v + 2);
	if (v[0] != '/' && v[0] != '\0' && p->dir != NULL)
		return xasprintf(err, "%s/%s", p->dir, v);
	return xstrdup(v, err);
}

static int
is_path_key(int k)
{
	return k == K_PASSWORD_FILE || k == K_TOKEN_FILE || k == K_CA_FILE;
}

static int
is_secret_source(int k)
{
	return k == K_PASSWORD_FILE || k == K_PASSWORD_ENV || k == K_TOKEN_FILE || k == K_PASSWORD;
}

static int
check_number(int k, const char *v, const char *origin, struct ep_err *err)
{
	char *end;
	double d;

	if (k != K_TIMEOUT && k != K_RATE_LIMIT)
		return 0;
	errno = 0;
	d = strtod(v, &end);
	if (end == v || *end != '\0' || errno != 0 || !isfinite(d) ||
	    (k == K_TIMEOUT ? d <= 0 : d < 0))
		return ep_errf(err, EP_CONFIG, "%s: '%s' must be %s, not '%s'", origin,
		               key_names[k],
		               k == K_TIMEOUT ? "a positive number of seconds"
		                              : "a number of requests per second (0: no limit)",
		               v);
	return 0;
}

static int
set_val(struct cfg_profile *p, int k, char *val, char *origin)
{
	wipe_free(p->val[k]);
	free(p->origin[k]);
	p->val[k] = val;
	p->origin[k] = origin;
	return 0;
}

/* Take the profile from section NAME of INI (read from PATH, MODE). */
static int
take_section(struct cfg_profile *p, const struct cfg_ini *ini, size_t at, const char *path,
             mode_t mode, struct ep_err *err)
{
	const char *sec = ini->ent[at].section;
	int src = -1, src_line = 0;
	size_t i;

	/* a file holding a password anywhere must be private, as ssh wants */
	for (i = 0; i < ini->n; i++)
		if (ini->ent[i].key != NULL && strcmp(ini->ent[i].key, "password") == 0 &&
		    (mode & 077) != 0)
			return ep_errf(err, EP_CONFIG,
			               "'%s' holds a password (line %d) and is open to group or "
			               "others (mode %04o); run: chmod 600 '%s'",
			               path, ini->ent[i].line, (unsigned)(mode & 07777), path);
	for (i = at + 1; i < ini->n && ini->ent[i].key != NULL; i++) {
		const struct cfg_ent *e = &ini->ent[i];
		int k = key_index(e->key);
		char *v, *o;

		if (k < 0)
			return ep_errf(err, EP_CONFIG, "%s:%d: unknown key '%s' in '[%s]'", path,
			               e->line, e->key, sec);
		if (is_secret_source(k)) {
			if (src >= 0)
				return ep_errf(
					err, EP_CONFIG,
					"%s:%d: '%s' and '%s' (line %d) both give the secret; "
					"keep one",
					path, e->line, e->key, key_names[src], src_line);
			src = k;
			src_line = e->line;
		}
		o = xasprintf(err, "%s:%d", path, e->line);
		if (o == NULL)
			return -1;
		if (check_number(k, e->value, o, err) < 0) {
			free(o);
			return -1;
		}
		v = is_path_key(k) ? resolve_path(p, e->value, err) : xstrdup(e->value, err);
		if (v == NULL) {
			free(o);
			return -1;
		}
		set_val(p, k, v, o);
	}
	return 0;
}

/* Search FILES for [NAME]: 1 found, 0 not found, -1 error. */
static int
load_from_files(struct cfg_profile *p, const char *name, const char *const *files,
                struct ep_err *err)
{
	struct cfg_ini ini = CFG_INI_INIT;
	char *data = NULL;
	size_t len = 0, i;
	mode_t mode = 0;
	int r;

	for (; *files != NULL; files++) {
		if (**files == '\0')
			continue;
		r = read_config(*files, &data, &len, &mode, err);
		if (r <= 0) {
			if (r < 0)
				return -1;
			continue;
		}
		r = cfg_ini_parse(&ini, *files, data, len, err);
		explicit_bzero(data, len);
		free(data);
		if (r < 0)
			return -1;
		for (i = 0; i < ini.n; i++)
			if (ini.ent[i].key == NULL && strcmp(ini.ent[i].section, name) == 0)
				break;
		if (i == ini.n) {
			cfg_ini_free(&ini);
			continue;
		}
		p->file = xstrdup(*files, err);
		if (p->file != NULL) {
			char *slash;

			p->dir = xstrdup(*files, err);
			slash = p->dir != NULL ? strrchr(p->dir, '/') : NULL;
			if (slash == p->dir && slash != NULL)
				slash[1] = '\0'; /* "/c.conf": the root */
			else if (slash != NULL)
				*slash = '\0';
			else if (p->dir != NULL)
				strcpy(p->dir, "."); /* room: the name has a byte */
		}
		r = p->dir == NULL ? -1 : take_section(p, &ini, i, *files, mode, err);
		cfg_ini_free(&ini);
		return r < 0 ? -1 : 1;
	}
	return 0;
}

static int
not_found(const char *name, const char *const *files, struct ep_err *err)
{
	char list[sizeof(err->msg)];
	size_t n = 0;

	list[0] = '\0';
	for (; *files != NULL && n < sizeof(list); files++) {
		if (**files == '\0')
			continue;
		n += snprintf(list + n, sizeof(list) - n, "%s'%s'", n ? ", " : "", *files);
	}
	return ep_errf(err, EP_CONFIG, "profile '%s' not found (searched %s)", name,
	               n ? list : "no files");
}

struct cfg_profile *
cfg_profile_load_files(const char *name, const char *system, const char *const *files,
                       struct ep_err *err)
{
	const struct sys *sys = find_sys(system);
	struct cfg_profile *p;
	int k, r;

	if (sys == NULL) {
		ep_errf(err, EP_USAGE, "unknown system '%s' (odoo, nav or bng)",
		        system ? system : "");
		return NULL;
	}
	if (name != NULL && !valid_name(name)) {
		ep_errf(err, EP_USAGE, "bad profile name '%s' (letters, digits, '_', '-', '.')",
		        name);
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		ep_errf(err, EP_SOFTWARE, "out of memory");
		return NULL;
	}
	p->sys = sys;
	if (name != NULL) {
		p->name = xstrdup(name, err);
		if (p->name == NULL)
			goto fail;
		r = load_from_files(p, name, files, err);
		if (r < 0)
			goto fail;
		if (r == 0) {
			not_found(name, files, err);
			goto fail;
		}
	}
	for (k = 0; k < K_N; k++) {
		const char *v = getenv_set(sys->env[k]);
		char *val, *o;

		if (v == NULL)
			continue;
		o = xasprintf(err, "$%s", sys->env[k]);
		if (o == NULL)
			goto fail;
		if (check_number(k, v, o, err) < 0 || (val = xstrdup(v, err)) == NULL) {
			free(o);
			goto fail;
		}
		set_val(p, k, val, o);
	}
	return p;
fail:
	cfg_profile_free(p);
	return NULL;
}

struct cfg_profile *
cfg_profile_load(const char *name, const char *system, struct ep_err *err)
{
	const char *files[4];
	const char *env = getenv_set("ERPIPE_CONFIG"), *home = getenv_set("HOME");
	char *user = NULL;
	struct cfg_profile *p;
	int n = 0;

	if (env != NULL)
		files[n++] = env;
	if (home != NULL) {
		user = xasprintf(err, "%s/.config/erpipe/connections.conf", home);
		if (user == NULL)
			return NULL;
		files[n++] = user;
	}
	files[n++] = ERPIPE_SYSCONFDIR "/connections.conf";
	files[n] = NULL;
	p = cfg_profile_load_files(name, system, files, err);
	free(user);
	return p;
}

void
cfg_profile_free(struct cfg_profile *p)
{
	int k;

	if (p == NULL)
		return;
	for (k = 0; k < K_N; k++) {
		wipe_free(p->val[k]);
		free(p->origin[k]);
	}
	wipe_free(p->secret);
	free(p->secret_origin);
	free(p->name);
	free(p->file);
	free(p->dir);
	free(p);
}

/* ---- getters ------------------------------------------------------------ */

const char *
cfg_get(const struct cfg_profile *p, const char *key)
{
	int k = key_index(key);

	return k < 0 || k == K_PASSWORD ? NULL : p->val[k];
}

const char *
cfg_origin(const struct cfg_profile *p, const char *key)
{
	int k = key_index(key);

	return k < 0 ? NULL : p->origin[k];
}

double
cfg_get_num(const struct cfg_profile *p, const char *key, double def)
{
	const char *v = cfg_get(p, key);

	return v != NULL ? strtod(v, NULL) : def;
}

const char *
cfg_require(const struct cfg_profile *p, const char *key, struct ep_err *err)
{
	const char *v = cfg_get(p, key);
	const char *env = cfg_env_name(p->sys->name, key);

	if (v != NULL)
		return v;
	if (p->name != NULL && env != NULL)
		ep_errf(err, EP_CONFIG,
		        "profile '%s' has no '%s': set it in '[%s]' of '%s' or in $%s", p->name,
		        key, p->name, p->file, env);
	else if (p->name != NULL)
		ep_errf(err, EP_CONFIG, "profile '%s' has no '%s': set it in '[%s]' of '%s'",
		        p->name, key, p->name, p->file);
	else if (env != NULL)
		ep_errf(err, EP_CONFIG, "no %s '%s': set $%s or use a profile (-P NAME)",
		        p->sys->name, key, env);
	else
		ep_errf(err, EP_CONFIG, "no %s '%s': use a profile (-P NAME)", p->sys->name, key);
	return NULL;
}

const char *
cfg_name(const struct cfg_profile *p)
{
	return p->name;
}

const char *
cfg_system(const struct cfg_profile *p)
{
	return p->sys->name;
}

const char *
cfg_file(const struct cfg_profile *p)
{
	return p->file;
}

const char *
cfg_env_name(const char *system, const char *key)
{
	const struct sys *sys = find_sys(system);
	int k;

	if (sys == NULL || key == NULL)
		return NULL;
	if (strcmp(key, "secret") == 0 || strcmp(key, "password") == 0)
		return sys->secret_env;
	k = key_index(key);
	return k < 0 ? NULL : sys->env[k];
}

int
cfg_set(struct cfg_profile *p, const char *key, const char *value, struct ep_err *err)
{
	int k = key_index(key), j;
	char *v, *o;

	if (k < 0)
		return ep_errf(err, EP_SOFTWARE, "unknown profile key '%s'", key);
	if (k == K_PASSWORD)
		return ep_errf(err, EP_USAGE,
		               "a secret is never taken from the command line; use "
		               "password_file, password_env or $%s",
		               p->sys->secret_env);
	if (check_number(k, value, "command line", err) < 0)
		return -1;
	if ((o = xstrdup("command line", err)) == NULL)
		return -1;
	if ((v = xstrdup(value, err)) == NULL) {
		free(o);
		return -1;
	}
	if (is_secret_source(k)) {
		/* the flag replaces whatever the profile said about the secret */
		for (j = 0; j < K_N; j++)
			if (is_secret_source(j) && p->val[j] != NULL)
				set_val(p, j, NULL, NULL);
		wipe_free(p->secret);
		free(p->secret_origin);
		p->secret = NULL;
		p->secret_origin = NULL;
	}
	return set_val(p, k, v, o);
}

/* ---- secrets ------------------------------------------------------------ */

void
cfg_on_secret(void (*fn)(const char *secret))
{
	secret_hook = fn;
}

char *
cfg_read_secret_file(const char *path, struct ep_err *err)
{
	struct stat st;
	char *s;
	size_t n = 0;
	ssize_t r;
	int fd;

	/* O_NONBLOCK: a FIFO is refused below, not waited on for a writer */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		ep_errf(err, EP_CONFIG, "cannot open secret file '%s': %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0) {
		ep_errf(err, EP_CONFIG, "cannot stat secret file '%s': %s", path, strerror(errno));
		goto fail_fd;
	}
	if (!S_ISREG(st.st_mode)) {
		ep_errf(err, EP_CONFIG, "secret file '%s' is not a regular file", path);
		goto fail_fd;
	}
	if ((st.st_mode & 077) != 0) {
		ep_errf(err, EP_CONFIG,
		        "secret file '%s' is open to group or others (mode %04o); "
		        "run: chmod 600 '%s'",
		        path, (unsigned)(st.st_mode & 07777), path);
		goto fail_fd;
	}
	s = malloc(CFG_SECRET_MAX + 2);
	if (s == NULL) {
		ep_errf(err, EP_SOFTWARE, "out of memory");
		goto fail_fd;
	}
	for (;;) {
		r = read(fd, s + n, CFG_SECRET_MAX + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ep_errf(err, EP_CONFIG, "cannot read secret file '%s': %s", path,
			        strerror(errno));
			goto fail_s;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > CFG_SECRET_MAX) {
			ep_errf(err, EP_CONFIG, "secret file '%s' is larger than %d KiB", path,
			        CFG_SECRET_MAX / 1024);
			goto fail_s;
		}
	}
	close(fd);
	fd = -1;
	if (n > 0 && s[n - 1] == '\n') {
		n--;
		if (n > 0 && s[n - 1] == '\r')
			n--;
	}
	s[n] = '\0';
	if (memchr(s, '\0', n) != NULL) {
		ep_errf(err, EP_CONFIG, "secret file '%s' holds a NUL byte", path);
		goto fail_s;
	}
	if (n == 0) {
		ep_errf(err, EP_CONFIG, "secret file '%s' is empty", path);
		goto fail_s;
	}
	return s;
fail_s:
	explicit_bzero(s, CFG_SECRET_MAX + 2);
	free(s);
fail_fd:
	if (fd >= 0)
		close(fd);
	return NULL;
}

const char *
cfg_secret(struct cfg_profile *p, struct ep_err *err)
{
	const char *env = getenv_set(p->sys->secret_env), *v;
	char *s = NULL, *o = NULL;
	int k;

	if (p->secret != NULL)
		return p->secret;
	if (env != NULL) {
		s = xstrdup(env, err);
		o = xasprintf(err, "$%s", p->sys->secret_env);
	} else if (p->val[K_PASSWORD_ENV] != NULL) {
		v = getenv_set(p->val[K_PASSWORD_ENV]);
		if (v == NULL) {
			ep_errf(err, EP_CONFIG, "%s: password_env names $%s, which is not set",
			        p->origin[K_PASSWORD_ENV], p->val[K_PASSWORD_ENV]);
			return NULL;
		}
		s = xstrdup(v, err);
		o = xasprintf(err, "$%s", p->val[K_PASSWORD_ENV]);
	} else if (p->val[K_PASSWORD_FILE] != NULL || p->val[K_TOKEN_FILE] != NULL) {
		k = p->val[K_PASSWORD_FILE] != NULL ? K_PASSWORD_FILE : K_TOKEN_FILE;
		s = cfg_read_secret_file(p->val[k], err);
		if (s == NULL)
			return NULL;
		o = xasprintf(err, "%s '%s'", key_names[k], p->val[k]);
	} else if (p->val[K_PASSWORD] != NULL) {
		s = xstrdup(p->val[K_PASSWORD], err);
		o = xasprintf(err, "password at %s", p->origin[K_PASSWORD]);
	} else if (p->name != NULL) {
		ep_errf(err, EP_CONFIG,
		        "no secret for profile '%s': set password_file, password_env or "
		        "token_file in '[%s]' of '%s', or $%s",
		        p->name, p->name, p->file, p->sys->secret_env);
		return NULL;
	} else {
		ep_errf(err, EP_CONFIG,
		        "no %s secret: set $%s, or use a profile (-P NAME) with "
		        "password_file, password_env or token_file",
		        p->sys->name, p->sys->secret_env);
		return NULL;
	}
	if (s == NULL || o == NULL) {
		wipe_free(s);
		free(o);
		return NULL;
	}
	p->secret = s;
	p->secret_origin = o;
	if (secret_hook != NULL)
		secret_hook(s);
	return s;
}

const char *
cfg_secret_origin(const struct cfg_profile *p)
{
	return p->secret_origin;
}
