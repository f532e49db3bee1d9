#include "tap.h"
#include "base/cfg.h"
#include "base/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/t-cfg.XXXXXX";
static char path_buf[8][512];
static int path_n;

/* A path under the test directory (a few live at once, round robin). */
static const char *
tpath(const char *name)
{
	char *p = path_buf[path_n++ % 8];

	snprintf(p, sizeof(path_buf[0]), "%s/%s", dir, name);
	return p;
}

static const char *
put(const char *name, const char *text, mode_t mode)
{
	const char *p = tpath(name);
	FILE *f = fopen(p, "w");

	if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0) {
		printf("Bail out! cannot write '%s'\n", p);
		exit(1);
	}
	chmod(p, mode);
	return p;
}

/* Parse TEXT, expect failure with message WANT. */
static void
parse_fails(const char *text, const char *want, const char *name)
{
	struct cfg_ini ini = CFG_INI_INIT;
	struct ep_err e = EP_ERR_INIT;
	int r = cfg_ini_parse(&ini, "c.conf", text, strlen(text), &e);

	ok(r == -1 && e.code == EP_CONFIG && ini.n == 0 && ini.data == NULL, name);
	is_str(e.msg, want, name);
}

static void
test_parser(void)
{
	struct cfg_ini ini = CFG_INI_INIT;
	struct ep_err e = EP_ERR_INIT;
	const char *text = "# comment\r\n"
			   "; another\n"
			   "\n"
			   "  [ prod ]  \r\n"
			   "url = https://x.example/odoo#frag\r\n"
			   "\tdb=main  \n"
			   "user =\n"
			   "password = \" spaced \\\"q\\\" \\\\ \"  \n"
			   "[test.2-b_c]\n"
			   "url=http://127.0.0.1:8069";
	char big[CFG_LINE_MAX + 40];
	char nul[] = "[a]\nx = 1\ny = \0\n";
	struct cfg_ini ini2 = CFG_INI_INIT;
	size_t i;

	ok(cfg_ini_parse(&ini, "c.conf", text, strlen(text), &e) == 0, "parse ok");
	is_int(ini.n, 7, "7 entries");
	if (ini.n == 7) {
		ok(ini.ent[0].key == NULL, "section header entry");
		is_str(ini.ent[0].section, "prod", "section name trimmed");
		is_int(ini.ent[0].line, 4, "section line");
		is_str(ini.ent[1].key, "url", "key");
		is_str(ini.ent[1].value, "https://x.example/odoo#frag",
		       "# inside a value is kept, CR stripped");
		is_str(ini.ent[2].key, "db", "key without spaces");
		is_str(ini.ent[2].value, "main", "value trimmed");
		is_str(ini.ent[3].value, "", "empty value");
		is_str(ini.ent[4].value, " spaced \"q\" \\ ", "quoted value");
		is_str(ini.ent[4].section, "prod", "entry knows its section");
		is_int(ini.ent[4].line, 8, "entry line");
		is_str(ini.ent[5].section, "test.2-b_c", "section charset");
		is_str(ini.ent[6].value, "http://127.0.0.1:8069", "last line without newline");
	}
	cfg_ini_free(&ini);
	ok(ini.data == NULL && ini.n == 0, "free empties");
	ok(cfg_ini_parse(&ini, "c.conf", "", 0, &e) == 0 && ini.n == 0, "empty file");
	cfg_ini_free(&ini);

	parse_fails("[a]\nurl\n", "c.conf:2: expected 'key = value' or '[section]'",
	            "line without =");
	parse_fails("[a]\n= x\n", "c.conf:2: expected 'key = value' or '[section]'",
	            "line with empty key");
	parse_fails("url = x\n", "c.conf:1: key 'url' outside a section (add '[name]' above it)",
	            "key before any section");
	parse_fails("[a\n", "c.conf:1: bad section header (want '[name]' alone on its line)",
	            "unclosed section");
	parse_fails("[a] x\n", "c.conf:1: bad section header (want '[name]' alone on its line)",
	            "text after section");
	parse_fails("[a b]\n", "c.conf:1: bad section name 'a b' (letters, digits, '_', '-', '.')",
	            "space in section name");
	parse_fails("[]\n", "c.conf:1: bad section name '' (letters, digits, '_', '-', '.')",
	            "empty section name");
	parse_fails("[a]\n[b]\n\n[a]\n", "c.conf:4: duplicate section '[a]' (first at line 1)",
	            "duplicate section");
	parse_fails("[a]\nurl = 1\n[b]\nurl = 2\n#\nurl = 3\n",
	            "c.conf:6: duplicate key 'url' (first at line 4)",
	            "duplicate key within a section");
	parse_fails("[a]\nmy key = 1\n", "c.conf:2: bad key name 'my key'", "space in key");
	parse_fails("[a]\nk = \"abc\n", "c.conf:2: unterminated quoted value",
	            "unterminated quote");
	parse_fails("[a]\nk = \"abc\" d\n", "c.conf:2: text after closing quote",
	            "text after quote");
	parse_fails("[a]\nk = \"a\\n\"\n",
	            "c.conf:2: bad escape in quoted value (only \\\" and \\\\)", "bad escape");

	memset(big, 'x', sizeof(big));
	memcpy(big, "[a]\nk = ", 8);
	big[sizeof(big) - 1] = '\0';
	parse_fails(big, "c.conf:2: line longer than 4096 bytes", "line cap");
	big[4 + CFG_LINE_MAX] = '\0';
	ok(cfg_ini_parse(&ini2, "c.conf", big, strlen(big), &e) == 0, "line of exactly the cap");
	cfg_ini_free(&ini2);

	ok(cfg_ini_parse(&ini, "c.conf", nul, sizeof(nul) - 1, &e) == -1, "NUL");
	is_str(e.msg, "c.conf:3: NUL byte", "NUL message");

	{
		size_t n = (CFG_ENTRIES_MAX + 1) * 8;
		char *many = malloc(n + 16), *w = many;

		w += sprintf(w, "[s]\n");
		for (i = 0; i < CFG_ENTRIES_MAX; i++)
			w += sprintf(w, "k%zu=\n", i);
		ok(cfg_ini_parse(&ini, "c.conf", many, (size_t)(w - many), &e) == -1,
		   "entries cap");
		is_str(e.msg, "c.conf:4097: more than 4096 sections and keys",
		       "entries cap message");
		free(many);
	}
}

static int hook_calls;
static char hook_seen[256];

static void
hook(const char *s)
{
	hook_calls++;
	snprintf(hook_seen, sizeof(hook_seen), "%s", s);
}

static struct cfg_profile *
load3(const char *name, const char *sys, const char *a, const char *b, const char *c,
      struct ep_err *e)
{
	const char *files[] = { a, b, c, NULL };

	return cfg_profile_load_files(name, sys, files, e);
}

static void
test_lookup(void)
{
	struct ep_err e = EP_ERR_INIT;
	struct cfg_profile *p;
	char a[512], b[512], c[512], want[4096], home[512];

	snprintf(a, sizeof(a), "%s", put("a.conf", "[x]\nurl = a\n", 0644));
	snprintf(b, sizeof(b), "%s", put("b.conf", "[prod]\nurl = b\n[x]\nurl = bx\n", 0644));
	snprintf(c, sizeof(c), "%s", put("c.conf", "[prod]\nurl = c\n", 0644));

	p = load3("prod", "odoo", a, b, c, &e);
	ok(p != NULL, "profile found in the second file");
	if (p != NULL) {
		is_str(cfg_get(p, "url"), "b", "first file holding the section wins");
		is_str(cfg_file(p), b, "cfg_file");
		is_str(cfg_name(p), "prod", "cfg_name");
		is_str(cfg_system(p), "odoo", "cfg_system");
		snprintf(want, sizeof(want), "%s:2", b);
		is_str(cfg_origin(p, "url"), want, "origin file:line");
		ok(cfg_get(p, "db") == NULL, "unset key is NULL");
		ok(cfg_get(p, "nonsense") == NULL, "unknown key is NULL");
	}
	cfg_profile_free(p);

	p = load3("x", "odoo", a, b, c, &e);
	ok(p != NULL && strcmp(cfg_get(p, "url"), "a") == 0, "earlier file wins");
	cfg_profile_free(p);

	p = load3("prod", "odoo", tpath("none.conf"), "", c, &e);
	ok(p != NULL && strcmp(cfg_get(p, "url"), "c") == 0, "absent and empty paths are skipped");
	cfg_profile_free(p);

	p = load3("nope", "odoo", tpath("none.conf"), a, c, &e);
	ok(p == NULL && e.code == EP_CONFIG, "missing profile is 78");
	snprintf(want, sizeof(want),
	         "profile 'nope' not found (searched '%s/none.conf', '%s', '%s')", dir, a, c);
	is_str(e.msg, want, "missing profile lists the files searched");

	/* the default list: $ERPIPE_CONFIG, then ~/.config/erpipe */
	snprintf(home, sizeof(home), "%s/home", dir);
	mkdir(home, 0700);
	mkdir(tpath("home/.config"), 0700);
	mkdir(tpath("home/.config/erpipe"), 0700);
	put("home/.config/erpipe/connections.conf", "[prod]\nurl = home\n", 0600);
	setenv("HOME", home, 1);
	setenv("ERPIPE_CONFIG", "/nonexistent", 1);
	p = cfg_profile_load("prod", "nav", &e);
	ok(p != NULL && strcmp(cfg_get(p, "url"), "home") == 0,
	   "ERPIPE_CONFIG naming no file is skipped, ~/.config read");
	cfg_profile_free(p);
	setenv("ERPIPE_CONFIG", c, 1);
	p = cfg_profile_load("prod", "nav", &e);
	ok(p != NULL && strcmp(cfg_get(p, "url"), "c") == 0,
	   "ERPIPE_CONFIG comes before ~/.config");
	cfg_profile_free(p);
	setenv("ERPIPE_CONFIG", "", 1);
	p = cfg_profile_load("zz-none", "nav", &e);
	snprintf(want, sizeof(want),
	         "profile 'zz-none' not found (searched "
	         "'%s/.config/erpipe/connections.conf', "
	         "'" ERPIPE_SYSCONFDIR "/connections.conf')",
	         home);
	ok(p == NULL, "default list: not found");
	is_str(e.msg, want, "default list in the message, empty ERPIPE_CONFIG skipped");
	unsetenv("ERPIPE_CONFIG");

	p = cfg_profile_load_files("prod", "sap", (const char *[]){ c, NULL }, &e);
	ok(p == NULL && e.code == EP_USAGE, "unknown system is 64");
	is_str(e.msg, "unknown system 'sap' (odoo, nav or bng)", "unknown system message");
	p = cfg_profile_load_files("a b", "odoo", (const char *[]){ c, NULL }, &e);
	ok(p == NULL && e.code == EP_USAGE, "bad profile name is 64");
	is_str(e.msg, "bad profile name 'a b' (letters, digits, '_', '-', '.')",
	       "bad profile name message");

	/* errors in a file: named with file:line, even before the profile */
	snprintf(b, sizeof(b), "%s", put("bad.conf", "[x]\n\nbroken\n", 0644));
	p = load3("prod", "odoo", b, c, NULL, &e);
	ok(p == NULL && e.code == EP_CONFIG, "a broken file stops the search");
	snprintf(want, sizeof(want), "%s:3: expected 'key = value' or '[section]'", b);
	is_str(e.msg, want, "syntax error names file:line");

	snprintf(b, sizeof(b), "%s", put("unk.conf", "[prod]\nurl = x\npasword_file = y\n", 0600));
	p = load3("prod", "odoo", b, NULL, NULL, &e);
	snprintf(want, sizeof(want), "%s:3: unknown key 'pasword_file' in '[prod]'", b);
	ok(p == NULL && e.code == EP_CONFIG, "unknown key refused");
	is_str(e.msg, want, "unknown key message");

	snprintf(b, sizeof(b), "%s",
	         put("num.conf",
	             "[prod]\ntimeout = soon\n[r]\nrate_limit = -1\n"
	             "[ok]\ntimeout = 2.5\nrate_limit = 0\n",
	             0600));
	p = load3("prod", "odoo", b, NULL, NULL, &e);
	snprintf(want, sizeof(want),
	         "%s:2: 'timeout' must be a positive number of seconds, not 'soon'", b);
	ok(p == NULL, "bad timeout refused");
	is_str(e.msg, want, "bad timeout message");
	p = load3("r", "odoo", b, NULL, NULL, &e);
	snprintf(want, sizeof(want),
	         "%s:4: 'rate_limit' must be a number of requests per second "
	         "(0: no limit), not '-1'",
	         b);
	is_str(e.msg, want, "bad rate_limit message");
	p = load3("ok", "odoo", b, NULL, NULL, &e);
	ok(p != NULL, "good numbers");
	if (p != NULL) {
		ok(cfg_get_num(p, "timeout", 30) == 2.5, "timeout as number");
		ok(cfg_get_num(p, "rate_limit", 9) == 0, "rate_limit as number");
		ok(cfg_get_num(p, "url", 7) == 7, "unset number gives default");
	}
	cfg_profile_free(p);

	snprintf(b, sizeof(b), "%s",
	         put("two.conf", "[prod]\npassword_file = a\nurl = x\ntoken_file = b\n", 0600));
	p = load3("prod", "odoo", b, NULL, NULL, &e);
	snprintf(want, sizeof(want),
	         "%s:4: 'token_file' and 'password_file' (line 2) both give the "
	         "secret; keep one",
	         b);
	ok(p == NULL, "two secret sources refused");
	is_str(e.msg, want, "two secret sources message");

	p = load3("prod", "odoo", dir, NULL, NULL, &e);
	snprintf(want, sizeof(want), "'%s' is not a regular file", dir);
	ok(p == NULL && e.code == EP_CONFIG, "directory as config refused");
	is_str(e.msg, want, "directory message");

	if (geteuid() != 0) {
		snprintf(b, sizeof(b), "%s", put("noread.conf", "[prod]\n", 0000));
		p = load3("prod", "odoo", b, NULL, NULL, &e);
		snprintf(want, sizeof(want), "cannot open '%s': Permission denied", b);
		is_str(e.msg, want, "unreadable config is an error, not skipped");
	} else {
		ok(1, "# skip unreadable config: running as root");
	}
}

static void
test_env(void)
{
	struct ep_err e = EP_ERR_INIT;
	struct cfg_profile *p;
	const char *c;
	char want[4096];

	c = put("env.conf", "[prod]\nurl = file\nuser = fileuser\ndb = filedb\n", 0644);
	setenv("ODOO_URL", "http://env", 1);
	setenv("ODOO_USER", "", 1);
	setenv("NAV_DB", "navdb", 1);
	p = cfg_profile_load_files("prod", "odoo", (const char *[]){ c, NULL }, &e);
	ok(p != NULL, "load with env");
	if (p != NULL) {
		is_str(cfg_get(p, "url"), "http://env", "env overrides the file");
		is_str(cfg_origin(p, "url"), "$ODOO_URL", "env origin");
		is_str(cfg_get(p, "user"), "fileuser", "empty env variable ignored");
		is_str(cfg_get(p, "db"), "filedb", "other system's variable ignored");
		ok(cfg_set(p, "url", "http://flag", &e) == 0, "cfg_set");
		is_str(cfg_get(p, "url"), "http://flag", "flag overrides env");
		is_str(cfg_origin(p, "url"), "command line", "flag origin");
		ok(cfg_set(p, "password", "hunter2", &e) == -1 && e.code == EP_USAGE,
		   "no secret on the command line");
		is_str(e.msg,
		       "a secret is never taken from the command line; use "
		       "password_file, password_env or $ODOO_PASSWORD",
		       "command-line secret message");
		ok(cfg_set(p, "timeout", "0", &e) == -1, "cfg_set checks numbers");
		is_str(e.msg,
		       "command line: 'timeout' must be a positive number of "
		       "seconds, not '0'",
		       "cfg_set number message");
		ok(cfg_set(p, "colour", "x", &e) == -1 && e.code == EP_SOFTWARE,
		   "cfg_set unknown key is a bug");
		ok(cfg_require(p, "company", &e) == NULL && e.code == EP_CONFIG,
		   "cfg_require missing");
		snprintf(want, sizeof(want),
		         "profile 'prod' has no 'company': set it in '[prod]' of '%s' or "
		         "in $ODOO_COMPANY",
		         c);
		is_str(e.msg, want, "cfg_require message with a profile");
		is_str(cfg_require(p, "db", &e), "filedb", "cfg_require present");
	}
	cfg_profile_free(p);
	unsetenv("ODOO_URL");
	unsetenv("ODOO_USER");
	unsetenv("NAV_DB");

	setenv("NAV_URL", "http://nav", 1);
	setenv("NAV_TIMEOUT", "x", 1);
	p = cfg_profile_load(NULL, "nav", &e);
	ok(p == NULL, "env only: bad number");
	is_str(e.msg,
	       "$NAV_TIMEOUT: 'timeout' must be a positive number of "
	       "seconds, not 'x'",
	       "env number message");
	unsetenv("NAV_TIMEOUT");
	p = cfg_profile_load(NULL, "nav", &e);
	ok(p != NULL, "env only profile");
	if (p != NULL) {
		is_str(cfg_get(p, "url"), "http://nav", "env only value");
		ok(cfg_name(p) == NULL && cfg_file(p) == NULL, "env only: no name, no file");
		ok(cfg_require(p, "user", &e) == NULL, "env only require");
		is_str(e.msg, "no nav 'user': set $NAV_USER or use a profile (-P NAME)",
		       "env only require message");
		ok(cfg_require(p, "db", &e) == NULL, "key without a variable");
		is_str(e.msg, "no nav 'db': use a profile (-P NAME)",
		       "key without a variable message");
	}
	cfg_profile_free(p);
	unsetenv("NAV_URL");

	is_str(cfg_env_name("odoo", "url"), "ODOO_URL", "env name odoo url");
	is_str(cfg_env_name("nav", "company"), "NAV_COMPANY", "env name nav company");
	is_str(cfg_env_name("bng", "client_id"), "BNG_CLIENT_ID", "env name bng client_id");
	is_str(cfg_env_name("bng", "secret"), "BNG_CLIENT_SECRET", "env name bng secret");
	is_str(cfg_env_name("nav", "password"), "NAV_PASSWORD", "env name nav secret");
	ok(cfg_env_name("bng", "db") == NULL, "no BNG_DB");
	ok(cfg_env_name("odoo", "password_file") == NULL, "no variable for password_file");
}

static struct cfg_profile *
load1(const char *name, const char *sys, const char *file, struct ep_err *e)
{
	return cfg_profile_load_files(name, sys, (const char *[]){ file, NULL }, e);
}

static void
test_secrets(void)
{
	struct ep_err e = EP_ERR_INIT;
	struct cfg_profile *p;
	const char *c, *s;
	char want[4096], pw[512], cf[512];

	cfg_on_secret(hook);

	/* password_file: mode check, one newline stripped, relative path */
	snprintf(pw, sizeof(pw), "%s", put("pw", "s3cret\n\n", 0640));
	snprintf(cf, sizeof(cf), "%s",
	         put("s.conf",
	             "[f]\npassword_file = pw\n"
	             "[t]\ntoken_file = \"tok\"\n"
	             "[e]\npassword_env = MY_PW\n"
	             "[h]\npassword_file = ~/pw\n"
	             "[none]\nurl = x\n"
	             "[missing]\npassword_file = /nonexistent/pw\n",
	             0644));
	p = load1("f", "odoo", cf, &e);
	ok(p != NULL, "password_file profile loads");
	snprintf(want, sizeof(want), "%s", pw);
	is_str(cfg_get(p, "password_file"), want,
	       "relative password_file resolved beside the config");
	ok(cfg_secret(p, &e) == NULL && e.code == EP_CONFIG, "loose secret file refused");
	snprintf(want, sizeof(want),
	         "secret file '%s' is open to group or others (mode 0640); "
	         "run: chmod 600 '%s'",
	         pw, pw);
	is_str(e.msg, want, "loose secret file message");
	chmod(pw, 0604);
	ok(cfg_secret(p, &e) == NULL, "readable by others refused");
	chmod(pw, 0620);
	ok(cfg_secret(p, &e) == NULL, "writable by group refused");
	chmod(pw, 0400);
	hook_calls = 0;
	s = cfg_secret(p, &e);
	is_str(s, "s3cret\n", "one trailing newline stripped");
	snprintf(want, sizeof(want), "password_file '%s'", pw);
	is_str(cfg_secret_origin(p), want, "secret origin");
	is_int(hook_calls, 1, "hook called");
	is_str(hook_seen, "s3cret\n", "hook sees the value");
	ok(cfg_secret(p, &e) == s && hook_calls == 1, "secret cached, hook once");
	ok(cfg_get(p, "password") == NULL, "cfg_get never returns a secret");

	/* env beats the file */
	setenv("ODOO_PASSWORD", "fromenv", 1);
	cfg_profile_free(p);
	p = load1("f", "odoo", cf, &e);
	is_str(cfg_secret(p, &e), "fromenv", "$ODOO_PASSWORD comes first");
	is_str(cfg_secret_origin(p), "$ODOO_PASSWORD", "env secret origin");
	ok(cfg_set(p, "password_file", pw, &e) == 0, "password_file from a flag");
	is_str(cfg_secret(p, &e), "fromenv", "env still first after a flag");
	unsetenv("ODOO_PASSWORD");
	is_str(cfg_secret(p, &e), "fromenv", "resolved once");
	cfg_profile_free(p);

	put("tok", "tok-value\r\n", 0600);
	p = load1("t", "bng", cf, &e);
	is_str(cfg_secret(p, &e), "tok-value", "token_file, CRLF stripped");
	cfg_profile_free(p);

	put("empty", "\n", 0600);
	p = load1("t", "bng", cf, &e);
	cfg_set(p, "token_file", tpath("empty"), &e);
	ok(cfg_secret(p, &e) == NULL, "empty secret file");
	snprintf(want, sizeof(want), "secret file '%s' is empty", tpath("empty"));
	is_str(e.msg, want, "empty secret message");
	cfg_profile_free(p);

	p = load1("missing", "nav", cf, &e);
	ok(cfg_secret(p, &e) == NULL, "missing secret file");
	is_str(e.msg, "cannot open secret file '/nonexistent/pw': No such file or directory",
	       "missing secret file message");
	cfg_profile_free(p);

	setenv("HOME", dir, 1);
	p = load1("h", "nav", cf, &e);
	snprintf(want, sizeof(want), "%s/pw", dir);
	is_str(cfg_get(p, "password_file"), want, "~/ expands to $HOME");
	is_str(cfg_secret(p, &e), "s3cret\n", "secret from ~/pw");
	cfg_profile_free(p);

	p = load1("e", "nav", cf, &e);
	unsetenv("MY_PW");
	ok(cfg_secret(p, &e) == NULL, "password_env unset");
	snprintf(want, sizeof(want), "%s:6: password_env names $MY_PW, which is not set", cf);
	is_str(e.msg, want, "password_env unset message");
	setenv("MY_PW", "pw-from-env", 1);
	is_str(cfg_secret(p, &e), "pw-from-env", "password_env");
	is_str(cfg_secret_origin(p), "$MY_PW", "password_env origin");
	cfg_profile_free(p);
	unsetenv("MY_PW");

	p = load1("none", "bng", cf, &e);
	ok(cfg_secret(p, &e) == NULL, "no secret");
	snprintf(want, sizeof(want),
	         "no secret for profile 'none': set password_file, password_env or "
	         "token_file in '[none]' of '%s', or $BNG_CLIENT_SECRET",
	         cf);
	is_str(e.msg, want, "no secret message");
	cfg_profile_free(p);
	p = cfg_profile_load(NULL, "bng", &e);
	ok(cfg_secret(p, &e) == NULL, "no secret, env only");
	is_str(e.msg,
	       "no bng secret: set $BNG_CLIENT_SECRET, or use a profile "
	       "(-P NAME) with password_file, password_env or token_file",
	       "no secret env only message");
	setenv("BNG_CLIENT_SECRET", "cs", 1);
	is_str(cfg_secret(p, &e), "cs", "BNG_CLIENT_SECRET");
	unsetenv("BNG_CLIENT_SECRET");
	cfg_profile_free(p);

	/* password inside the config: the whole file must be private */
	c = put("inline.conf", "[other]\nurl = y\n[prod]\nurl = x\npassword = \"p w\"\n", 0640);
	p = load1("other", "odoo", c, &e);
	ok(p == NULL && e.code == EP_CONFIG,
	   "a loose file holding a password is refused for every profile");
	snprintf(want, sizeof(want),
	         "'%s' holds a password (line 5) and is open to group or others "
	         "(mode 0640); run: chmod 600 '%s'",
	         c, c);
	is_str(e.msg, want, "loose config message");
	chmod(c, 0600);
	p = load1("prod", "odoo", c, &e);
	ok(p != NULL, "private config with a password loads");
	ok(cfg_get(p, "password") == NULL, "password hidden from cfg_get");
	hook_calls = 0;
	is_str(cfg_secret(p, &e), "p w", "password from the config");
	snprintf(want, sizeof(want), "password at %s:5", c);
	is_str(cfg_secret_origin(p), want, "config password origin");
	is_int(hook_calls, 1, "hook for config password");
	cfg_profile_free(p);
	cfg_on_secret(NULL);
}

/* issue 15, defect 5: a FIFO as a secret or config file is refused at
 * once (78), not waited on for a writer while the state lock is held */
static void
test_fifo(void)
{
	char f[300], conf[400];
	struct ep_err e = EP_ERR_INIT;
	char *s;
	struct cfg_profile *p;

	snprintf(f, sizeof(f), "%s/pw.fifo", dir);
	if (mkfifo(f, 0600) < 0) {
		printf("Bail out! mkfifo\n");
		exit(1);
	}
	alarm(10); /* a hang fails the test instead of stalling it */
	s = cfg_read_secret_file(f, &e);
	ok(s == NULL && e.code == EP_CONFIG, "a FIFO as password_file: 78 at once");
	snprintf(conf, sizeof(conf), "secret file '%s' is not a regular file", f);
	is_str(e.msg, conf, "...saying it is not a regular file");
	free(s);
	p = load3("prod", "odoo", f, NULL, NULL, &e);
	ok(p == NULL && e.code == EP_CONFIG, "a FIFO as the config file: 78 at once");
	cfg_profile_free(p);
	alarm(0);
}

int
main(void)
{
	char cmd[600];

	if (mkdtemp(dir) == NULL) {
		printf("Bail out! mkdtemp\n");
		return 1;
	}
	unsetenv("ODOO_PASSWORD");
	unsetenv("NAV_PASSWORD");
	unsetenv("BNG_CLIENT_SECRET");
	test_parser();
	test_lookup();
	test_env();
	test_secrets();
	test_fifo();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("cannot remove %s", dir);
	return done_testing();
}
