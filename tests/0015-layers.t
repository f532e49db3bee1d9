#!/bin/sh
# The layer rule of DESIGN.md ("Library (lib/)"): a lower layer never
# includes a higher one.  Every lib/*.h names its layer in its first comment,
# on one line, as "(layer N: NAME" with N and NAME one of
#   1 base, 2 stream, 3 net, 4 protocols, 5 engines, 6 connectors.
# A lib/X.c has the layer of lib/X.h, or, without one, of the header named by
# its name up to the first '_' (map_eval.c: map.h).  Every #include "Y.h" of a
# lib/ file naming a lib/ header of a higher layer fails, with FILE:LINE; so
# does a header without a tag, or a tag whose name is not its number's.
# cmd/ is the top: it may include anything.  One awk over lib/, no build.
# The same rule at link level, as a declaration written by hand would
# escape the includes: no object of lib/ uses a symbol defined in an object
# of a higher layer (nm -P on the build's lib/*.o).
. "$(dirname "$0")/lib.sh"

# Breaks known and left, one a line: "FILE HEADER  reason" (FILE a name in
# lib/).  Each is a debt.
ALLOW='
'

# layers TOP: every break of the rule in TOP/lib/*.h and TOP/lib/*.c, one a
# line, "lib/FILE:LINE: what", sorted; the lines of $ALLOW left out
layers() (
	cd "$1" && awk -v allow="$ALLOW" '
	BEGIN {
		split("base stream net protocols engines connectors", lname, " ")
		n = split(allow, al, "\n")
		for (i = 1; i <= n; i++)
			if (split(al[i], w, " ") >= 2)
				allowed[w[1] " " w[2]] = 1
	}
	FNR == 1 { f = FILENAME; b = f; sub(/.*\//, "", b); first = 1; files[f] = b; have[b] = 1 }
	first && /\(layer [0-9]+: [a-z]+/ && !(b in layer) {
		match($0, /\(layer [0-9]+: [a-z]+/)
		split(substr($0, RSTART + 7, RLENGTH - 7), t, ": ")
		if (!(t[1] + 0 in lname) || lname[t[1] + 0] != t[2])
			bad[f ":" FNR ": layer " t[1] " is not \"" t[2] "\""] = 1
		layer[b] = t[1] + 0
	}
	first && /\*\// { first = 0 }
	/^[ \t]*#[ \t]*include[ \t]*"/ {
		h = $0
		sub(/^[^"]*"/, "", h)
		sub(/".*/, "", h)
		ninc++
		inc_f[ninc] = f; inc_b[ninc] = b; inc_l[ninc] = FNR; inc_h[ninc] = h
	}
	# the header whose layer b has: itself, X.h for X.c, else X.h for X_Y.c
	function hdr(b,   s) {
		if (b ~ /\.h$/)
			return b
		s = b; sub(/\.c$/, ".h", s)
		if (s in have)
			return s
		s = b; sub(/_.*/, "", s); sub(/\.c$/, "", s)
		return s ".h"
	}
	function own(b) { return hdr(b) in layer ? layer[hdr(b)] : 0 }
	END {
		for (f in files) {
			# a .c of an untagged header: the header is reported
			if (!own(files[f]) && (files[f] ~ /\.h$/ || !(hdr(files[f]) in have)))
				bad[f ":1: no layer: " (files[f] ~ /\.h$/ ? \
				    "no \"(layer N: NAME\" in the first comment" : \
				    "no header of its name")] = 1
		}
		for (i = 1; i <= ninc; i++) {
			me = own(inc_b[i])
			h = inc_h[i]
			if (!(h in layer) || !me || layer[h] <= me)
				continue
			if ((inc_b[i] " " h) in allowed) {
				used[inc_b[i] " " h] = 1
				continue
			}
			bad[inc_f[i] ":" inc_l[i] ": layer " me " (" lname[me] ") includes " h \
			    ", layer " layer[h] " (" lname[layer[h]] ")"] = 1
		}
		for (k in allowed)
			if (!(k in used))
				bad["allow-list: \"" k "\" matches no include: remove it"] = 1
		for (k in bad)
			print k
	}' lib/*.h lib/*.c | sort
)

# links TOP OBJDIR: every use, by an object in OBJDIR, of a symbol defined in
# an object of a higher layer (layers from TOP/lib's tags), one a line,
# sorted; the lines of $ALLOW left out
links() (
	cd "$1" &&
	{
		awk 'FNR == 1 { b = FILENAME; sub(/.*\//, "", b); sub(/\.h$/, "", b); first = 1 }
		first && !(b in t) && match($0, /\(layer [0-9]+: /) {
			t[b] = 1; print "@tag", b, substr($0, RSTART + 7, RLENGTH - 9) + 0 }
		first && /\*\// { first = 0 }' lib/*.h
		for o in "$2"/*.o; do
			nm -P "$o" | sed "s|^|$(basename "$o" .o) |"
		done
	} | awk -v allow="$ALLOW" '
	BEGIN {
		n = split(allow, al, "\n")
		for (i = 1; i <= n; i++)
			if (split(al[i], w, " ") >= 2)
				allowed[w[1] " " w[2]] = 1
	}
	$1 == "@tag" { L[$2] = $3; next }
	$3 == "U" { nu++; uo[nu] = $1; us[nu] = $2; next }
	$3 ~ /^[TDBRVWCG]$/ { def[$2] = $1 }
	function lay(b, s) {
		if (b in L)
			return L[b]
		s = b; sub(/_.*/, "", s)
		return s in L ? L[s] : 0
	}
	END {
		for (i = 1; i <= nu; i++) {
			if (!(us[i] in def))
				continue
			d = def[us[i]]
			if (!lay(uo[i]) || lay(d) <= lay(uo[i]) || (uo[i] ".c " d ".h") in allowed)
				continue
			print "lib/" uo[i] ".o: layer " lay(uo[i]) " uses " us[i] " of lib/" d \
			    ".o, layer " lay(d)
		}
	}' | sort
)

# the checker finds what it must (it can fail): a fixture
mkdir "$T/lib"
printf '/*\n * a.h - low (layer 1: base).\n */\n' >"$T/lib/a.h"
printf '/*\n * b.h - high (layer 5: engines).\n */\n#include "a.h"\n' >"$T/lib/b.h"
printf '/* c.h - no tag */\n' >"$T/lib/c.h"
printf '/*\n * d.h - (layer 3: stream)\n */\n' >"$T/lib/d.h"
printf '#include <stdio.h>\n#include "a.h"\n\n#include "b.h"\n' >"$T/lib/a.c"
printf '#include "b.h"\n' >"$T/lib/b_part.c"
printf '#include "b.h"\n' >"$T/lib/zz.c"
printf '#include "a.h"\n' >"$T/lib/c_part.c"
printf '/*\n * e.h - (layer 4: protocols) names\n * layer 6: connectors in prose\n */\n#include "b.h"\n' >"$T/lib/e.h"
ALLOW_SAVED=$ALLOW
ALLOW='
load.c extract.h  not in the fixture
'
layers "$T" >"$T/got"
cat >"$T/want" <<'EOF'
allow-list: "load.c extract.h" matches no include: remove it
lib/a.c:4: layer 1 (base) includes b.h, layer 5 (engines)
lib/c.h:1: no layer: no "(layer N: NAME" in the first comment
lib/d.h:2: layer 3 is not "stream"
lib/e.h:5: layer 4 (protocols) includes b.h, layer 5 (engines)
lib/zz.c:1: no layer: no header of its name
EOF
same_file "$T/got" "$T/want" "a fixture: upward include, missing and wrong tags, stale allow-list"

# and at link level: a hand-written declaration, no include
printf 'int b_fn(void);\nint a_fn(void) { return b_fn(); }\n' >"$T/lib/a.c"
printf 'int b_fn(void) { return 1; }\n' >"$T/lib/b.c"
if ${CC:-cc} -c -o "$T/lib/a.o" "$T/lib/a.c" && ${CC:-cc} -c -o "$T/lib/b.o" "$T/lib/b.c"; then
	links "$T" "$T/lib" >"$T/got"
	is "$(cat "$T/got")" "lib/a.o: layer 1 uses b_fn of lib/b.o, layer 5" \
		"a fixture: a use of a higher layer's function, found by nm"
else
	_result 1 "a fixture: cannot compile with ${CC:-cc}"
fi
ALLOW=$ALLOW_SAVED

# lib/ keeps the rule
layers "$ERPIPE_TOP" >"$T/breaks"
sed 's/^/# /' "$T/breaks"
is "$(wc -l <"$T/breaks" | tr -d ' ')" 0 "lib/: no include of a higher layer, every header tagged"
OBJ=$ERPIPE_TOP/${B:-build}/lib
if ls "$OBJ"/*.o >/dev/null 2>&1; then
	links "$ERPIPE_TOP" "$OBJ" >"$T/breaks"
	sed 's/^/# /' "$T/breaks"
	is "$(wc -l <"$T/breaks" | tr -d ' ')" 0 "lib/: no object uses a higher layer's symbol"
else
	_result 1 "lib/: no objects in $OBJ (build first)"
fi

done_testing
