/*
 * tap.h - a minimal TAP producer for the C unit tests, run by prove.
 * Header-only; each t-*.c includes it once.  ok() and friends print one
 * "ok N - name" line; done_testing() prints the plan and returns the exit
 * status main() should return.
 */
#ifndef ERPIPE_TAP_H
#define ERPIPE_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_fail;

static inline int
tap_ok(int cond, const char *file, int line, const char *name)
{
	++tap_n;
	if (!cond)
		++tap_fail;
	printf("%sok %d - %s\n", cond ? "" : "not ", tap_n, name);
	if (!cond)
		printf("#   failed at %s:%d\n", file, line);
	fflush(stdout);
	return cond;
}

#define ok(cond, name) tap_ok(!!(cond), __FILE__, __LINE__, (name))

/* clang-format off */
#define is_int(got, want, name) do { \
	long long g_ = (long long)(got), w_ = (long long)(want); \
	if (!ok(g_ == w_, name)) \
		printf("#   got %lld, want %lld\n", g_, w_); \
} while (0)

#define is_str(got, want, name) do { \
	const char *g_ = (got), *w_ = (want); \
	int c_ = (g_ && w_) ? strcmp(g_, w_) == 0 : g_ == w_; \
	if (!ok(c_, name)) \
		printf("#   got  '%s'\n#   want '%s'\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
} while (0)

#define diag(...) do { printf("# "); printf(__VA_ARGS__); printf("\n"); } while (0)
/* clang-format on */

static inline int
done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_fail ? 1 : 0;
}

#endif
