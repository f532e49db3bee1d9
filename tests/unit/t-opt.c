#include "tap.h"
#include "base/opt.h"

#include <stdlib.h>

static const struct ep_opt mine[] = {
	{ "alpha", 'a', "FILE", "take a file" },
	{ "zeta", OPT_FIRST_FREE, NULL, "a long-only flag" },
	{ "mode", OPT_FIRST_FREE + 1, "x|y", "choose" },
	{ NULL, 0, NULL, NULL },
};
static const struct ep_opt *const tables[] = { ep_opt_common, mine, NULL };

/* collisions across tables: a key twice, a short letter twice, a name twice */
static const struct ep_opt same_key[] = {
	{ "omega", OPT_FIRST_FREE, NULL, "a second flag on zeta's key" },
	{ NULL, 0, NULL, NULL },
};
static const struct ep_opt same_short[] = {
	{ "again", 'a', NULL, "a second -a" },
	{ NULL, 0, NULL, NULL },
};
static const struct ep_opt same_name[] = {
	{ "alpha", OPT_FIRST_FREE + 2, NULL, "a second --alpha" },
	{ NULL, 0, NULL, NULL },
};
static const struct ep_opt *const clash_key[] = { ep_opt_common, mine, same_key, NULL };
static const struct ep_opt *const clash_short[] = { ep_opt_common, mine, same_short, NULL };
static const struct ep_opt *const clash_name[] = { ep_opt_common, mine, same_name, NULL };
static const struct ep_opt *const clash_common[] = { ep_opt_common, ep_opt_common, NULL };

int
main(void)
{
	struct ep_optset os;
	struct ep_err e = EP_ERR_INIT;
	char *text = NULL;
	size_t n = 0;
	FILE *fp;
	long v;
	uint64_t sz;

	ok(ep_opt_build(tables, &os, &e) == 0, "build");
	is_str(os.shorts, ":qva:", "short option string");
	is_str(os.longs[0].name, "help", "first long option");
	ok(os.longs[7].name == NULL, "table ends");
	ep_opt_free(&os);

	ok(ep_opt_build(clash_key, &os, &e) < 0 && e.code == EP_SOFTWARE,
	   "a key twice refused (70)");
	is_str(e.msg, "option tables: --zeta and --omega have one key (0x1000)", "names both");
	ok(os.longs == NULL && os.shorts == NULL, "nothing left to free");
	ok(ep_opt_build(clash_short, &os, &e) < 0 && e.code == EP_SOFTWARE, "a short letter twice");
	is_str(e.msg, "option tables: --alpha and --again have one key (0x61)", "names both");
	ok(ep_opt_build(clash_name, &os, &e) < 0, "a long name twice refused");
	is_str(e.msg, "option tables: --alpha given twice", "names it");
	ok(ep_opt_build(clash_common, &os, &e) < 0, "one table passed twice refused");

	fp = open_memstream(&text, &n);
	ep_opt_help(fp, "usage: t [-a FILE]\n", tables);
	fclose(fp);
	ok(strstr(text, "usage: t [-a FILE]\n\nOptions:\n") != NULL, "usage then Options:");
	ok(strstr(text, "\n  -a, --alpha FILE  take a file\n") != NULL, "short+long line");
	ok(strstr(text, "\n      --mode x|y    choose\n") != NULL, "long-only line with choices");
	ok(strstr(text, "--help") < strstr(text, "--mode") &&
	           strstr(text, "--mode") < strstr(text, "--zeta"),
	   "sorted by long name");
	free(text);

	ok(ep_parse_long("42", 0, 100, &v) == 0 && v == 42, "parse 42");
	ok(ep_parse_long("42x", 0, 100, &v) < 0, "trailing junk refused");
	ok(ep_parse_long("", 0, 100, &v) < 0, "empty refused");
	ok(ep_parse_long("101", 0, 100, &v) < 0, "over the max refused");
	ok(ep_parse_size("64M", &sz) == 0 && sz == 64u << 20, "64M");
	ok(ep_parse_size("2KiB", &sz) == 0 && sz == 2048, "2KiB");
	ok(ep_parse_size("10", &sz) == 0 && sz == 10, "bytes");
	ok(ep_parse_size("-1", &sz) < 0, "negative size refused");
	ok(ep_parse_size("5X", &sz) < 0, "bad suffix refused");
	ok(ep_parse_long("+5", 0, 100, &v) < 0, "leading '+' refused");
	ok(ep_parse_long(" 5", 0, 100, &v) < 0, "leading space refused");
	ok(ep_parse_long("-3", -5, 100, &v) == 0 && v == -3, "negative within range");
	ok(ep_parse_size("3KB", &sz) == 0 && sz == 3072, "3KB");
	ok(ep_parse_size("10B", &sz) < 0, "B only after a K, M or G suffix");
	ok(ep_parse_size("1125899906842625", &sz) < 0, "number part over 2^50 refused");
	ok(ep_parse_size("17179869184G", &sz) < 0, "product over 64 bits refused");
	return done_testing();
}
