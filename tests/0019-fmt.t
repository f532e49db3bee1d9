#!/bin/sh
# `make fmt` leaves no diff (issue #21): tests/fmt-check, what `make
# fmt-check` runs, names each file clang-format 14 would change with the
# repository's .clang-format.  First on fixtures (it finds what it must, so
# it can fail, and the style is the house's: tabs, return type on its own
# line, { a, b }, arguments aligned under the parenthesis, clang-format
# off/on kept, cJSON_ArrayForEach a loop), then on the tree (the
# Makefile's FMT_SRC).
# Without clang-format 14 this test fails saying so; it does not skip: CI
# (Debian 12) installs it with `make deps`, and another version formats
# otherwise.
. "$(dirname "$0")/lib.sh"

CHECK=$ERPIPE_TOP/tests/fmt-check

# the version guard: no clang-format, or another major version, is 69
run env CLANG_FORMAT="$T/none" "$CHECK" /dev/null 2>"$T/err"
is "$st" 69 "no clang-format: 69"
like "$(cat "$T/err")" "^fmt-check: no '.*/none': install clang-format 14" "... saying so"
printf '#!/bin/sh\necho "Debian clang-format version 15.0.6"\n' >"$T/cf15"
chmod +x "$T/cf15"
run env CLANG_FORMAT="$T/cf15" "$CHECK" /dev/null 2>"$T/err"
is "$st" 69 "clang-format 15: 69"
like "$(cat "$T/err")" "is not clang-format 14 \(Debian clang-format version 15" "... saying so"

if ! v=$(clang-format --version 2>&1) || ! printf '%s\n' "$v" | grep -q 'clang-format version 14\.'; then
	_result 1 "clang-format 14 is installed (make deps): got '$v'"
	done_testing
fi

# fixtures: one file in the house style, two not
mkdir "$T/fx"
cat >"$T/fx/good.c" <<'EOF'
/* the house style, as clang-format 14 keeps it with .clang-format */
#include <stdio.h>

struct pair {
	const char *name;
	int n; /* how many */
};

static const struct pair pairs[] = {
	{ "one", 1 },
	{ "two", 2 },
};

/* clang-format off */
#define PAIR_INIT { NULL, 0 }
/* clang-format on */

static int
count(const struct pair *p, size_t n, const char *name, int dflt, int *found, const char *why,
      int verbose)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i].name != NULL && name != NULL && p[i].name[0] == name[0] && p[i].n > 0 &&
		    verbose >= 0) {
			*found = 1;
			return p[i].n;
		}
	switch (dflt) {
	/* clang-format off */
	case 0: why = "none"; break;
	case 1: why = "one"; break;
	/* clang-format on */
	default:
		break;
	}
	fprintf(stderr, "count: '%s' not found (%s), %d pairs looked at of %zu, default %d\n", name,
	        why, (int)i, n, dflt);
	return dflt;
}

static int
total(const cJSON *arr)
{
	const cJSON *it;
	int t = 0;

	cJSON_ArrayForEach(it, arr) {
		if (cJSON_IsNumber(it))
			t += it->valueint;
	}
	cJSON_ArrayForEach(it, arr)
		t++;
	return t;
}

int
main(void)
{
	struct pair p = PAIR_INIT;
	int found = 0;

	return count(pairs, sizeof pairs / sizeof pairs[0], p.name, 0, &found, "", 0) == 0 ? 0 : 1;
}
EOF
printf 'int\nmain(void)\n{\n\treturn 0;\n}\n\nint f(void) {\n    return 1;\n}\n' >"$T/fx/bad.c"
printf 'struct pair {const char *name; int n;};\n' >"$T/fx/bad.h"
cp "$T/fx/good.c" "$T/good.c"

run "$CHECK" "$T/fx/good.c" >"$T/out" 2>&1
is "$st:$(cat "$T/out")" "0:" "a file in the house style passes, silently"
run "$CHECK" "$T/fx/bad.c" "$T/fx/good.c" "$T/fx/bad.h" >"$T/out" 2>"$T/err"
is "$st" 1 "a file not formatted: 1"
cat >"$T/want" <<EOF
$T/fx/bad.c:7:4: not formatted (3 places): make fmt
$T/fx/bad.h:1:14: not formatted (3 places): make fmt
EOF
same_file "$T/out" "$T/want" "each file clang-format would change named, at its first place"
is "$(cat "$T/err")" "" "... and nothing on stderr"

# -i (make fmt) formats them into files that pass, and leaves good.c alone
run "$CHECK" -i "$T/fx/bad.c" "$T/fx/good.c" "$T/fx/bad.h"
is "$st" 0 "-i formats in place"
run "$CHECK" "$T/fx/bad.c" "$T/fx/good.c" "$T/fx/bad.h" >"$T/out" 2>&1
is "$st:$(cat "$T/out")" "0:" "... then every file passes"
same_file "$T/fx/good.c" "$T/good.c" "... a formatted file untouched"
is "$(sed -n 7,9p "$T/fx/bad.c")" "$(printf 'int\nf(void)\n{')" \
	"... the house's way: return type on its own line, brace below"

# the tree: `make fmt` would change nothing.  (Fails until the reformat of
# the whole tree, `make fmt`, is committed.)
run env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s --no-print-directory -C "$ERPIPE_TOP" \
	fmt-check >"$T/out" 2>&1
sed 's/^/# /' "$T/out" | head -40
n=$(grep -c 'not formatted' "$T/out" || true)
is "$st:$n" "0:0" "make fmt-check: every C file of the tree formatted (run make fmt)"

done_testing
