/*
 * erpipe-audit - verify and rotate the audit trail load --audit writes
 * (lib/stream/audit.h, erpipe-audit(1)).
 *
 *   erpipe-audit verify [--key FILE] [--expect HASH] FILE ...
 *       the files in order as one chain: 0 and "N lines, intact, last
 *       HASH" on stdout, or 65 naming the first bad line
 *   erpipe-audit rotate [--key FILE] FILE [NEWFILE]
 *       FILE becomes NEWFILE (default FILE.YYYYMMDDTHHMMSSZ) and a new
 *       FILE starts with a rotate line chained to NEWFILE's last
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stream/audit.h"
#include "base/err.h"
#include "base/log.h"
#include "base/opt.h"

static const char usage_text[] =
	"usage: erpipe-audit [-qv] verify [--key FILE] [--expect HASH] FILE ...\n"
	"       erpipe-audit [-qv] rotate [--key FILE] FILE [NEWFILE]\n";

enum { OPT_EXPECT = OPT_FIRST_FREE, OPT_KEY };

static const struct ep_opt audit_opts[] = {
	{ "expect", OPT_EXPECT, "HASH", "verify: the hash the last line must have (none removed)" },
	{ "key", OPT_KEY, "FILE", "the HMAC key the lines were signed with (load --audit-key)" },
	{ NULL, 0, NULL, NULL },
};

static const struct ep_opt *const tables[] = { ep_opt_common, audit_opts, NULL };

static int
verify(char *const *files, int n, const char *key, const char *expect)
{
	struct ep_err err = EP_ERR_INIT;
	const char *bad_file;
	uint64_t lines, bad_line;
	char last[65];

	if (audit_verify(files, n, key, expect, &lines, last, &bad_file, &bad_line, &err) < 0) {
		if (bad_line)
			ep_warn("%s:%llu: %s", bad_file, (unsigned long long)bad_line, err.msg);
		else
			ep_warn("%s", err.msg);
		return err.code ? err.code : EP_SOFTWARE;
	}
	if (ep_verbose >= 0)
		printf("%llu line%s, intact, last %s\n", (unsigned long long)lines,
		       lines == 1 ? "" : "s", last);
	return 0;
}

static int
rotate(const char *file, const char *newfile, const char *key)
{
	struct ep_err err = EP_ERR_INIT;
	char name[4096], t[32];
	time_t now = time(NULL);

	if (newfile == NULL) {
		strftime(t, sizeof(t), "%Y%m%dT%H%M%SZ", gmtime(&now));
		snprintf(name, sizeof(name), "%s.%s", file, t);
		newfile = name;
	}
	if (audit_rotate(file, newfile, key, &err) < 0) {
		ep_warn("%s", err.msg);
		return err.code ? err.code : EP_SOFTWARE;
	}
	ep_info(0, "'%s' rotated to '%s'", file, newfile);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct ep_optset os;
	struct ep_err err = EP_ERR_INIT;
	const char *key = NULL, *expect = NULL, *cmd;
	int c, n;

	ep_prog = "erpipe-audit";
	if (ep_opt_build(tables, &os, &err) < 0) {
		ep_warn("%s", err.msg);
		return EP_SOFTWARE;
	}
	while ((c = ep_opt_next(argc, argv, &os, usage_text, tables)) != -1) {
		switch (c) {
		case EP_OPT_EXIT:
			ep_opt_free(&os);
			return ep_opt_exit_status();
		case OPT_EXPECT:
			expect = optarg;
			continue;
		case OPT_KEY:
			key = optarg;
			continue;
		}
		ep_opt_free(&os);
		return ep_opt_bad(usage_text, c, argv, NULL);
	}
	ep_opt_free(&os);
	if (optind >= argc)
		return ep_usage(usage_text, "no command: verify or rotate");
	cmd = argv[optind++];
	n = argc - optind;
	if (strcmp(cmd, "verify") == 0) {
		if (n < 1)
			return ep_usage(usage_text, "verify: no FILE");
		c = verify(argv + optind, n, key, expect);
	} else if (strcmp(cmd, "rotate") == 0) {
		if (n < 1 || n > 2 || expect)
			return ep_usage(usage_text, "rotate: FILE [NEWFILE], no --expect");
		c = rotate(argv[optind], n == 2 ? argv[optind + 1] : NULL, key);
	} else
		return ep_usage(usage_text, "unknown command '%s': verify or rotate", cmd);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		ep_warn("cannot write to stdout");
		return EP_IOERR;
	}
	return c;
}
