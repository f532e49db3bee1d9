#!/bin/sh
# The layer rule of DESIGN.md ("Library (lib/)"): a lower layer never
# includes a higher one.  lib/ is in folders that are the layers:
#   1 base/  2 stream/  3 net/  4 proto/  5 engine/ (with map/ schema/ diff/)
#   6 connect/
# A file's layer is its top folder's.  Every header also names its layer in
# its first comment, on one line, as "(layer N: NAME" with N and NAME its
# folder's (1 base, 2 stream, 3 net, 4 protocols, 5 engines, 6 connectors).
# Every #include "DIR/..." of a lib/ file naming a header of a higher layer
# fails, with FILE:LINE; so do a header without a tag or with another
# folder's, and a file outside the layer folders.  cmd/ is the top: it may
# include anything.  One awk over lib/, no build.
# The same rule at link level, as a declaration written by hand would
# escape the includes: no object of lib/ uses a symbol defined in an object
# of a higher layer (nm -P on the build's lib/*/*.o).
. "$(dirname "$0")/lib.sh"

# Breaks known and left, one a line: "FILE HEADER  reason" (paths under
# lib/).  Each is a debt.
ALLOW='
'

# the awk function giving a path's layer (0: not in a layer folder)
LAYER_FN='
function layerof(p,   d) {
	sub(/^lib\//, "", p)
	d = p; sub(/\/.*/, "", d)
	if (d == p) return 0
	return d == "base" ? 1 : d == "stream" ? 2 : d == "net" ? 3 : \
	    d == "proto" ? 4 : d == "engine" ? 5 : d == "connect" ? 6 : 0
}
function allowlist(s,   n, i, w, al) {
	n = split(s, al, "\n")
	for (i = 1; i <= n; i++)
		if (split(al[i], w, " ") >= 2)
			allowed[w[1] " " w[2]] = 1
}'

# layers TOP: every break of the rule in TOP/lib, one a line,
# "lib/FILE:LINE: what", sorted; the lines of $ALLOW left out
layers() (
	cd "$1" && find lib -type f -name '*.[ch]' | sort | xargs awk -v allow="$ALLOW" "$LAYER_FN"'
	BEGIN {
		split("base stream net protocols engines connectors", lname, " ")
		allowlist(allow)
	}
	FNR == 1 {
		f = FILENAME; me = layerof(f); first = 1; tagged = 0
		if (!me)
			bad[f ":1: not in a layer folder (base stream net proto engine connect)"] = 1
		if (f ~ /\.h$/)
			header[f] = 1
	}
	first && /\(layer [0-9]+: [a-z]+/ && !tagged {
		tagged = 1; tag[f] = 1
		match($0, /\(layer [0-9]+: [a-z]+/)
		split(substr($0, RSTART + 7, RLENGTH - 7), t, ": ")
		if (!(t[1] + 0 in lname) || lname[t[1] + 0] != t[2])
			bad[f ":" FNR ": layer " t[1] " is not \"" t[2] "\""] = 1
		else if (me && t[1] + 0 != me)
			bad[f ":" FNR ": tagged layer " t[1] " (" t[2] ") in a layer " me \
			    " (" lname[me] ") folder"] = 1
	}
	first && /\*\// { first = 0 }
	/^[ \t]*#[ \t]*include[ \t]*"/ {
		h = $0
		sub(/^[^"]*"/, "", h)
		sub(/".*/, "", h)
		hl = layerof("lib/" h)
		k = substr(f, 5) " " h
		if (!hl || !me || hl <= me)
			next
		if (k in allowed) {
			used[k] = 1
			next
		}
		bad[f ":" FNR ": layer " me " (" lname[me] ") includes " h \
		    ", layer " hl " (" lname[hl] ")"] = 1
	}
	END {
		for (f in header)
			if (!(f in tag))
				bad[f ":1: no layer: no \"(layer N: NAME\" in the first comment"] = 1
		for (k in allowed)
			if (!(k in used))
				bad["allow-list: \"" k "\" matches no include: remove it"] = 1
		for (k in bad)
			print k
	}' | sort
)

# links OBJTOP: every use, by an object under OBJTOP/lib, of a symbol
# defined in an object of a higher layer, one a line, sorted; the lines of
# $ALLOW left out
links() (
	cd "$1" &&
	find lib -name '*.o' | sort | while read -r o; do
		nm -P "$o" | sed "s|^|$o |"
	done | awk -v allow="$ALLOW" "$LAYER_FN"'
	BEGIN { allowlist(allow) }
	$3 == "U" { nu++; uo[nu] = $1; us[nu] = $2; next }
	$3 ~ /^[TDBRVWCG]$/ { def[$2] = $1 }
	END {
		for (i = 1; i <= nu; i++) {
			if (!(us[i] in def))
				continue
			d = def[us[i]]
			lo = layerof(uo[i]); ld = layerof(d)
			c = uo[i]; sub(/^lib\//, "", c); sub(/\.o$/, ".c", c)
			h = d; sub(/^lib\//, "", h); sub(/\.o$/, ".h", h)
			if (!lo || ld <= lo || (c " " h) in allowed)
				continue
			print uo[i] ": layer " lo " uses " us[i] " of " d ", layer " ld
		}
	}' | sort
)

# the checker finds what it must (it can fail): a fixture
mkdir -p "$T/lib/base" "$T/lib/engine" "$T/lib/net" "$T/lib/stream"
printf '/*\n * a.h - low (layer 1: base).\n */\n' >"$T/lib/base/a.h"
printf '/*\n * b.h - high (layer 5: engines).\n */\n#include "base/a.h"\n' >"$T/lib/engine/b.h"
printf '/* c.h - no tag */\n' >"$T/lib/base/c.h"
printf '/*\n * d.h - (layer 3: stream)\n */\n' >"$T/lib/net/d.h"
printf '/*\n * w.h - (layer 2: stream)\n */\n' >"$T/lib/net/w.h"
printf '#include <stdio.h>\n#include "base/a.h"\n\n#include "engine/b.h"\n' >"$T/lib/base/a.c"
printf '#include "engine/b.h"\n' >"$T/lib/engine/b_part.c"
printf '#include "base/a.h"\n' >"$T/lib/zz.c"
printf '/*\n * e.h - (layer 2: stream) names\n * layer 6: connectors in prose\n */\n#include "engine/b.h"\n' \
	>"$T/lib/stream/e.h"
ALLOW_SAVED=$ALLOW
ALLOW='
engine/load.c connect/extract.h  not in the fixture
'
layers "$T" >"$T/got"
cat >"$T/want" <<'EOF'
allow-list: "engine/load.c connect/extract.h" matches no include: remove it
lib/base/a.c:4: layer 1 (base) includes engine/b.h, layer 5 (engines)
lib/base/c.h:1: no layer: no "(layer N: NAME" in the first comment
lib/net/d.h:2: layer 3 is not "stream"
lib/net/w.h:2: tagged layer 2 (stream) in a layer 3 (net) folder
lib/stream/e.h:5: layer 2 (stream) includes engine/b.h, layer 5 (engines)
lib/zz.c:1: not in a layer folder (base stream net proto engine connect)
EOF
same_file "$T/got" "$T/want" "a fixture: upward include, missing and wrong tags, stale allow-list"

# and at link level: a hand-written declaration, no include
printf 'int b_fn(void);\nint a_fn(void) { return b_fn(); }\n' >"$T/lib/base/a.c"
printf 'int b_fn(void) { return 1; }\n' >"$T/lib/engine/b.c"
if ${CC:-cc} -c -o "$T/lib/base/a.o" "$T/lib/base/a.c" &&
	${CC:-cc} -c -o "$T/lib/engine/b.o" "$T/lib/engine/b.c"; then
	links "$T" >"$T/got"
	is "$(cat "$T/got")" "lib/base/a.o: layer 1 uses b_fn of lib/engine/b.o, layer 5" \
		"a fixture: a use of a higher layer's function, found by nm"
else
	_result 1 "a fixture: cannot compile with ${CC:-cc}"
fi
ALLOW=$ALLOW_SAVED

# lib/ keeps the rule
layers "$ERPIPE_TOP" >"$T/breaks"
sed 's/^/# /' "$T/breaks"
is "$(wc -l <"$T/breaks" | tr -d ' ')" 0 "lib/: no include of a higher layer, every header tagged"
OBJ=$ERPIPE_TOP/${B:-build}
if ls "$OBJ"/lib/*/*.o >/dev/null 2>&1; then
	links "$OBJ" >"$T/breaks"
	sed 's/^/# /' "$T/breaks"
	is "$(wc -l <"$T/breaks" | tr -d ' ')" 0 "lib/: no object uses a higher layer's symbol"
else
	_result 1 "lib/: no objects in $OBJ/lib (build first)"
fi

done_testing
