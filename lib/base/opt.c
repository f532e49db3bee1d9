#include "base/opt.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"

const struct ep_opt ep_opt_common[] = {
	{ "help", OPT_HELP, NULL, "print this help and exit" },
	{ "quiet", 'q', NULL, "no counts or warnings on stderr, only errors" },
	{ "verbose", 'v', NULL, "say more on stderr (repeat for more)" },
	{ "version", OPT_VERSION, NULL, "print the version and exit" },
	{ NULL, 0, NULL, NULL },
};

static size_t
count(const struct ep_opt *const *tables)
{
	size_t n = 0;

	for (; *tables; tables++)
		for (const struct ep_opt *o = *tables; o->name; o++)
			n++;
	return n;
}

/* Two options with one key or one long name: the program's tables are
 * wrong, whatever the command line says (EP_SOFTWARE). */
static int
check_unique(const struct option *longs, struct ep_err *err)
{
	for (const struct option *o = longs; o->name; o++)
		for (const struct option *p = longs; p != o; p++) {
			if (strcmp(p->name, o->name) == 0)
				return ep_errf(err, EP_SOFTWARE, "option tables: --%s given twice",
				               o->name);
			if (p->val == o->val)
				return ep_errf(err, EP_SOFTWARE,
				               "option tables: --%s and --%s have one key (%#x)",
				               p->name, o->name, (unsigned)o->val);
		}
	return 0;
}

int
ep_opt_build(const struct ep_opt *const *tables, struct ep_optset *set, struct ep_err *err)
{
	size_t n = count(tables), i = 0, s = 0;

	set->longs = calloc(n + 1, sizeof(*set->longs));
	set->shorts = calloc(2 * n + 2, 1);
	if (set->longs == NULL || set->shorts == NULL) {
		ep_opt_free(set);
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	}
	set->shorts[s++] = ':'; /* report a missing argument as ':' */
	for (; *tables; tables++)
		for (const struct ep_opt *o = *tables; o->name; o++) {
			set->longs[i].name = o->name;
			set->longs[i].has_arg = o->arg ? required_argument : no_argument;
			set->longs[i].val = o->key;
			i++;
			if (o->key > 0 && o->key < 0x100) {
				set->shorts[s++] = (char)o->key;
				if (o->arg)
					set->shorts[s++] = ':';
			}
		}
	if (check_unique(set->longs, err) < 0) {
		ep_opt_free(set);
		return -1;
	}
	return 0;
}

void
ep_opt_free(struct ep_optset *set)
{
	free(set->longs);
	free(set->shorts);
	set->longs = NULL;
	set->shorts = NULL;
}

static int
cmp_opt(const void *a, const void *b)
{
	const struct ep_opt *x = *(const struct ep_opt *const *)a;
	const struct ep_opt *y = *(const struct ep_opt *const *)b;

	return strcmp(x->name, y->name);
}

void
ep_opt_help(FILE *fp, const char *usage, const struct ep_opt *const *tables)
{
	size_t n = count(tables), i = 0, w = 0;
	const struct ep_opt **all = calloc(n ? n : 1, sizeof(*all));

	fputs(usage, fp);
	fputs("\nOptions:\n", fp);
	if (all == NULL)
		return;
	for (const struct ep_opt *const *t = tables; *t; t++)
		for (const struct ep_opt *o = *t; o->name; o++)
			all[i++] = o;
	qsort(all, n, sizeof(*all), cmp_opt);
	for (i = 0; i < n; i++) {
		size_t l = strlen(all[i]->name) + (all[i]->arg ? strlen(all[i]->arg) + 1 : 0);
		if (l > w)
			w = l;
	}
	if (w > 28)
		w = 28;
	for (i = 0; i < n; i++) {
		const struct ep_opt *o = all[i];
		char left[256];
		int k = o->key;

		snprintf(left, sizeof(left), "%s%s%s", o->name, o->arg ? " " : "",
		         o->arg ? o->arg : "");
		if (k > 0 && k < 0x100)
			fprintf(fp, "  -%c, --%-*s  %s\n", k, (int)w, left, o->help);
		else
			fprintf(fp, "      --%-*s  %s\n", (int)w, left, o->help);
	}
	free(all);
}

int
ep_opt_next(int argc, char *argv[], const struct ep_optset *set, const char *usage,
            const struct ep_opt *const *tables)
{
	int key;

	opterr = 0;
	for (;;) {
		switch ((key = getopt_long(argc, argv, set->shorts, set->longs, NULL))) {
		case OPT_HELP:
			ep_opt_help(stdout, usage, tables);
			return EP_OPT_EXIT;
		case OPT_VERSION:
			printf("%s (erpipe) %s\n", ep_prog, ERPIPE_VERSION);
			return EP_OPT_EXIT;
		case 'q':
			ep_verbose = -1;
			continue;
		case 'v':
			ep_verbose = ep_verbose < 0 ? 1 : ep_verbose + 1;
			continue;
		default:
			return key;
		}
	}
}

int
ep_opt_exit_status(void)
{
	/* a long --help fills the buffer and fails in a write before the
	 * flush: the error flag remembers it */
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : EP_IOERR;
}

int
ep_usage(const char *usage, const char *fmt, ...)
{
	if (fmt) {
		char m[4096];
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(m, sizeof(m), fmt, ap);
		va_end(ap);
		ep_warn("%s", m);
	}
	fputs(usage, stderr);
	return EP_USAGE;
}

int
ep_run_status(const char *usage, int status, const struct ep_err *err)
{
	if (status == EP_USAGE && err->code == EP_USAGE)
		return ep_usage(usage, "%s", err->msg);
	return status;
}

int
ep_opt_bad(const char *usage, int key, char *const argv[], const char *msg)
{
	if (msg)
		return ep_usage(usage, "%s", msg);
	return ep_usage(usage, key == ':' ? "option '%s' needs an argument" : "unknown option '%s'",
	                argv[optind - 1]);
}

int
ep_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	/* strtol would skip leading white space and take a '+': we do not */
	if (s[0] != '-' && (s[0] < '0' || s[0] > '9'))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end != '\0' || errno != 0 || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
ep_parse_size(const char *s, uint64_t *out)
{
	const char *p = s;
	uint64_t v = 0, mul = 1;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++)
		if ((v = v * 10 + (uint64_t)(*p - '0')) > EP_SIZE_NUM_MAX)
			return -1;
	/* clang-format off */
	switch (*p) {
	case 'k': case 'K': mul = 1u << 10; break;
	case 'm': case 'M': mul = 1u << 20; break;
	case 'g': case 'G': mul = 1u << 30; break;
	}
	/* clang-format on */
	if (mul > 1) {
		p++;
		if (*p == 'i') /* KiB, MiB, GiB, and KB, MB, GB spelled out */
			p++;
		if (*p == 'B')
			p++;
	}
	if (*p != '\0' || (v && mul > UINT64_MAX / v))
		return -1;
	*out = v * mul;
	return 0;
}
