#!/bin/sh
# The documentation says what the tree holds: the claims of the README and
# the man pages that can be checked mechanically, each with its FILE:LINE
# or FILE when broken.
#   programs   every cmd/*.c has a page man/PROG.1, a line in erpipe(7)
#              Programs and a row in the README's "What is here"; erpipe(7)
#              Programs names nothing else
#   pages      every .Xr names a page of man/, or a system page of $SYSTEM
#              (a wrong section is a wrong page); every README NAME(N) of
#              erpipe's is a page of man/; erpipe(7) SEE ALSO names every
#              other page of man/; every other page names erpipe(7) in its
#              SEE ALSO, and every page of man/ it names in its text
#   layout     the README's Layout has a row for every folder of lib/ and
#              none for a folder that is not there; the files of each
#              folder include only the folders its row's last column
#              names; erpipe(7) Source layout names every layer folder
#   functions  every builtin of lib/engine/map/map_fn.c has its .It in
#              erpipe-map(5) FUNCTIONS, and every one there is a builtin
#   targets    every load target lib/connect/load_X.c is in load(1)'s
#              SYSTEM list
#   templates  every map template named in man/ or the README exists under
#              examples/maps; every one there is named in erpipe-map(5)
#              FILES (or its folder, as DIR/*)
#   scripts    every script of examples/scripts (flow-step.sh, a helper,
#              aside) and every cron entry of examples/cron is in erpipe(7)
#              FILES; every share/erpipe/{scripts,cron}/NAME a page names
#              exists
#   paths      every path of the tree a page or the README names
#              (examples/..., tests/..., lib/..., cmd/..., man/...) exists;
#              none names DESIGN.md or STYLE.md, which are not shipped
#   stale      no phrase that dates the text: "come later", "(today",
#              "today there is", "not yet implemented", "for now", "FIXME"
# No build needed.
. "$(dirname "$0")/lib.sh"

# system pages the pages may name
SYSTEM='cron 8, crontab 5, curl 1, diff 1, diff3 1, flock 1, flock 2, iconv 1,
jq 1, mail 1, nohup 1, parallel 1, printf 3, ps 1, psql 1, ssh 1, strftime 3, strptime 3,
sysexits 3, systemd.unit 5'

# docs TOP: every broken claim of TOP's documentation, one a line, sorted
docs() { _docs "$1" 2>&1 | sort; }
_docs() (
	cd "$1" || exit 1
	pages=$(ls man/*.[1-9] 2>/dev/null)
	progs=$(ls cmd/*.c 2>/dev/null | sed 's|^cmd/||; s|\.c$||')

	# programs
	for p in $progs; do
		[ -f "man/$p.1" ] || echo "man/$p.1: no page for program $p"
		grep -qx ".It Xr $p 1" man/erpipe.7 ||
			echo "man/erpipe.7: Programs: no line for program $p"
		grep -qF "| \`$p\` |" README.md ||
			echo "README.md: What is here: no row for program $p"
	done
	awk '/^\.Ss /{ on = ($0 == ".Ss Programs") } on && /^\.It Xr [^ ]+ 1$/ { print FNR, $3 }' \
		man/erpipe.7 | while read -r l p; do
		[ -f "cmd/$p.c" ] || echo "man/erpipe.7:$l: Programs: $p is not a program of cmd/"
	done

	# pages
	for f in $pages; do
		grep -n 'Xr [A-Za-z0-9._-]* [0-9]' "$f" | while IFS=: read -r l text; do
			printf '%s\n' "$text" | grep -oE 'Xr [A-Za-z0-9._-]+ [0-9]' |
				while read -r _ n s; do
					[ -f "man/$n.$s" ] && continue
					printf '%s\n' "$SYSTEM" | tr ',' '\n' |
						grep -qx "[[:space:]]*$n $s" && continue
					echo "$f:$l: Xr $n $s: no such page in man/ nor a system page"
				done
		done
	done
	grep -noE '\b(erpipe[a-z.-]*|[a-z]+-extract|xform|validate|load|reconcile)\([1-8]\)' \
		README.md | while IFS=: read -r l ref; do
		n=${ref%(*}; s=${ref#*(}; s=${s%)}
		[ -f "man/$n.$s" ] || echo "README.md:$l: $ref: no such page in man/"
	done
	for f in $pages; do
		n=${f#man/}; s=${n##*.}; n=${n%.*}
		[ "$f" = man/erpipe.7 ] && continue
		awk -v n="$n" -v s="$s" '/^\.Sh /{ on = ($0 == ".Sh SEE ALSO") }
			on && $1 == ".Xr" && $2 == n && $3 + 0 == s { found = 1 }
			END { exit !found }' man/erpipe.7 ||
			echo "man/erpipe.7: SEE ALSO: no Xr $n $s"
	done

	for f in $pages; do
		awk -v self="${f#man/}" '/^\.Sh /{ on = ($0 == ".Sh SEE ALSO") }
			{
				t = $0
				while (match(t, /Xr [A-Za-z0-9._-]+ [0-9]/)) {
					x = substr(t, RSTART + 3, RLENGTH - 3); t = substr(t, RSTART + RLENGTH)
					split(x, w, " "); k = w[1] "." w[2]
					if (on) see[k] = 1
					else if (!(k in body)) body[k] = FNR
				}
			}
			END {
				for (k in body)
					if (!(k in see) && k != self && (getline l < ("man/" k)) > 0)
						print FILENAME ":" body[k] ": names " k " but not in SEE ALSO"
				if (self != "erpipe.7" && !("erpipe.7" in see))
					print FILENAME ": SEE ALSO: no Xr erpipe 7"
			}' "$f"
	done

	# layout: the README's rows "| `lib/DIR/` | ... | FOLDERS |"
	awk '/^## /{ on = ($0 == "## Layout") }
		on && /^\| `lib\// {
			d = $0; sub(/^\| `/, "", d); sub(/`.*/, "", d)
			n = split($0, c, "|"); u = c[n - 1]; gsub(/[ `]/, "", u)
			print FNR, d, u
		}' README.md >"$T/rows"
	find lib -type d | sed 's|$|/|' | sort >"$T/dirs"
	while read -r l d u; do
		grep -qx "$d" "$T/dirs" ||
			echo "README.md:$l: Layout: $d is not a folder"
	done <"$T/rows"
	while read -r d; do
		[ "$d" = lib/ ] && continue
		l=$(awk -v d="$d" '$2 == d { print $1 }' "$T/rows")
		if [ -z "$l" ]; then
			echo "README.md: Layout: no row for $d"
			continue
		fi
		u=$(awk -v d="$d" '$2 == d { print $3 }' "$T/rows")
		for f in "$d"*.[ch]; do
			[ -f "$f" ] || continue
			grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[a-z]*/' "$f" |
				while IFS=: read -r fl text; do
					inc=$(printf '%s\n' "$text" | sed 's/^[^"]*"//; s|/.*||')
					case ",$u," in *",$inc,"*) continue ;; esac
					echo "README.md:$l: Layout: $d includes only $u, but $f:$fl includes $inc/"
				done
		done
	done <"$T/dirs"
	for d in $(find lib -mindepth 1 -maxdepth 1 -type d | sort); do
		awk -v d="$d/" '/^\.Ss /{ on = ($0 == ".Ss Source layout") }
			on && $0 == ".It Pa " d { found = 1 } END { exit !found }' man/erpipe.7 ||
			echo "man/erpipe.7: Source layout: no .It Pa $d/"
	done
	awk '/^\.Ss Source layout/{ on = 1; next } /^\.S[sh] /{ on = 0 }
		on && /^\.It Pa lib\// { print FNR, $3 }' man/erpipe.7 | while read -r l d; do
		[ -d "$d" ] || echo "man/erpipe.7:$l: Source layout: $d is not a folder"
	done

	# targets: the Po ... Pc after ".Ar SYSTEM" in load(1) DESCRIPTION
	for f in lib/connect/load_*.c; do
		[ -f "$f" ] || continue
		x=${f#lib/connect/load_}; x=${x%.c}
		awk -v x="$x" '/^\.Sh /{ on = ($0 == ".Sh DESCRIPTION") }
			on && $0 == ".Ar SYSTEM" { sys = 1; next }
			sys && $1 == ".Pc" { exit !found }
			sys && $1 == ".Cm" && $2 == x { found = 1 }
			END { exit !found }' man/load.1 ||
			echo "man/load.1: DESCRIPTION: SYSTEM does not name $x ($f)"
	done

	# functions: map_fns[] of lib/engine/map/map_fn.c against the .It lines
	# of erpipe-map(5) FUNCTIONS (a capital is a sub-mapping's Name)
	if [ -f lib/engine/map/map_fn.c ]; then
		awk '/map_fns\[\] = \{/ { on = 1; next } on && /^};/ { on = 0 }
			on && match($0, /^[ \t]*\{ "[a-z_0-9]+"/) {
				n = substr($0, RSTART, RLENGTH); sub(/^[^"]*"/, "", n); sub(/"$/, "", n)
				print n
			}' lib/engine/map/map_fn.c | sort -u >"$T/fns"
		awk '/^\.Sh /{ on = ($0 == ".Sh FUNCTIONS") }
			on && /^\.It / { for (i = 2; i < NF; i++) if ($i == "Fn" && $(i + 1) ~ /^[a-z]/) print $(i + 1) }' \
			man/erpipe-map.5 | sort -u >"$T/docfns"
		comm -23 "$T/fns" "$T/docfns" | sed 's|^|man/erpipe-map.5: FUNCTIONS: no .It for builtin |'
		comm -13 "$T/fns" "$T/docfns" |
			sed 's|^\(.*\)$|man/erpipe-map.5: FUNCTIONS: \1 is not a builtin of lib/engine/map/map_fn.c|'
	fi

	# templates
	pat='\b(odoo|bng|nav|csv|sync|match|odoo-sync)/[A-Za-z0-9_.]+-to-[a-z]+/[A-Za-z0-9_.-]*[A-Za-z0-9_]'
	for f in $pages README.md; do
		grep -noE "$pat" "$f" | while IFS=: read -r l m; do
			m=${m%.map}
			[ -f "examples/maps/$m.map" ] ||
				echo "$f:$l: template $m: no examples/maps/$m.map"
		done
	done
	find examples/maps -name '*.map' | sed 's|^examples/maps/||; s|\.map$||' | sort |
		while read -r m; do
			grep -qF "Pa $m" man/erpipe-map.5 && continue
			grep -qF "Pa ${m%/*}/*" man/erpipe-map.5 && continue
			echo "man/erpipe-map.5: FILES: no template $m"
		done

	# scripts and cron entries
	for s in $(ls examples/scripts 2>/dev/null); do
		[ "$s" = flow-step.sh ] && continue
		awk -v s="$s" '/^\.Sh /{ on = ($0 == ".Sh FILES") }
			on && $1 == ".Pa" && $2 == s { found = 1 } END { exit !found }' man/erpipe.7 ||
			echo "man/erpipe.7: FILES: no script $s"
	done
	for c in $(ls examples/cron 2>/dev/null); do
		grep -qx ".It Pa \$(PREFIX)/share/erpipe/cron/$c" man/erpipe.7 ||
			echo "man/erpipe.7: FILES: no cron entry $c"
	done
	for f in $pages README.md; do
		grep -noE 'share/erpipe/(scripts|cron)/[a-z0-9-]+' "$f" | while IFS=: read -r l p; do
			[ -f "examples/${p#share/erpipe/}" ] ||
				echo "$f:$l: $p: not in examples/"
		done
	done

	# paths of the tree: examples/, tests/, lib/, cmd/, completions/, man/
	# (after a blank, a backquote or a parenthesis; not globs or
	# placeholders such as cmd/PROG.c, lib/proto/X.c, tests/NNNN-*.t)
	for f in $pages README.md; do
		sed 's/\\-/-/g' "$f" |
			grep -noE '(^|[ `(])(examples|tests|lib|cmd|completions|man)/[A-Za-z0-9_./@-]*[A-Za-z0-9_]' |
			while IFS=: read -r l p; do
				p=${p#[ \`(]}
				case $p in *X.c | *PROG* | *NNNN*) continue ;; esac
				[ -e "$p" ] || echo "$f:$l: $p: no such file in the tree"
			done
	done
	grep -nE '(DESIGN|STYLE)\.md' $pages README.md |
		sed 's/^\([^:]*:[0-9]*\):.*/\1: names a file that is not in the tree (DESIGN.md, STYLE.md)/'

	# stale
	grep -niE 'comes? later|\(today|today there (is|are)|not yet implemented|for now|FIXME' \
		$pages README.md | sed 's/^\([^:]*:[0-9]*\):.*/\1: a phrase that dates the text/'
)

# the checker finds what it must (it can fail): a fixture with a broken
# claim of each kind
F=$T/fx
mkdir -p "$F/cmd" "$F/man" "$F/lib/base" "$F/lib/net" "$F/lib/stray" "$F/lib/connect" \
	"$F/examples/maps/odoo/res.partner-to-bng" "$F/examples/scripts" "$F/examples/cron"
: >"$F/cmd/good.c"
: >"$F/cmd/newprog.c"
printf '#include "net/http.h"\n' >"$F/lib/base/buf.c"
printf '#include "base/buf.h"\n' >"$F/lib/net/http.c"
: >"$F/lib/connect/load_odoo.c"
mkdir -p "$F/lib/engine/map"
cat >"$F/lib/engine/map/map_fn.c" <<'EOF'
const struct map_fn map_fns[] = {
	{ "lower", 1, 1, f_lower, NULL, "lower case" },
	{ "upper", 1, 1, f_upper, NULL, "upper case" },
	{ NULL, 0, 0, NULL, NULL, NULL },
};
EOF
: >"$F/lib/connect/load_pg.c"
: >"$F/examples/maps/odoo/res.partner-to-bng/Customer.map"
: >"$F/examples/maps/odoo/res.partner-to-bng/Vendor.map"
: >"$F/examples/scripts/flow-step.sh"
: >"$F/examples/scripts/order-to-cash"
: >"$F/examples/scripts/gl-feed"
: >"$F/examples/cron/order-to-cash"
: >"$F/examples/cron/gl-feed"
cat >"$F/man/good.1" <<'EOF'
.Sh DESCRIPTION
As
.Xr load 1 ,
Mapping and CSV come later.
.Sh SEE ALSO
.Xr erpipe 7 ,
.Xr erpipe-map 1 ,
.Xr jq 1 ,
.Xr nosuch 3
EOF
cat >"$F/man/load.1" <<'EOF'
.Sh DESCRIPTION
.\" tests/0353-load-odoo-sync.t runs it, see DESIGN.md and
.Pa examples/scripts/gl\-feed
writes them into
.Ar SYSTEM
.Po
.Cm odoo
.Pc .
EOF
cat >"$F/man/erpipe-map.5" <<'EOF'
.Sh FILES
.Bl -tag -width Ds
.It Pa odoo/res.partner-to-bng/Customer
Partners.
.El
.Sh FUNCTIONS
.Bl -tag -width Ds
.It Fn lower s , Fn lowercase s
Lower case.
.El
EOF
cat >"$F/man/erpipe.7" <<'EOF'
.Sh DESCRIPTION
.Ss Programs
.Bl -tag -width Ds
.It Xr good 1
Good.
.It Xr gone 1
Gone.
.El
.Ss Source layout
.Bl -tag -width Ds
.It Pa lib/base/
1.
.It Pa lib/proto/
4.
.El
.Sh FILES
.Bl -tag -width Ds
.It Pa $(PREFIX)/share/erpipe/scripts
.Pa order-to-cash
(today only Odoo)
.It Pa $(PREFIX)/share/erpipe/cron/order-to-cash
every five minutes
.It Pa $(PREFIX)/share/erpipe/cron/sync
.El
.Sh SEE ALSO
.Xr good 1
EOF
cat >"$F/README.md" <<'EOF'
# x

| program | status |
|---|---|
| `good` | maps with odoo/res.partner-to-bng/Custommer, see erpipe-map(1) |

## Layout

| folder | layer | what | includes |
|---|---|---|---|
| `lib/base/` | 1 | buffers | base |
| `lib/net/` | 3 | http | base, net |
| `lib/old/` | 9 | gone | base |

## Next
EOF
docs "$F" >"$T/got"
cat >"$T/want" <<'EOF'
README.md: Layout: no row for lib/connect/
README.md: Layout: no row for lib/engine/
README.md: Layout: no row for lib/engine/map/
README.md: Layout: no row for lib/stray/
README.md: What is here: no row for program newprog
README.md:11: Layout: lib/base/ includes only base, but lib/base/buf.c:1 includes net/
README.md:13: Layout: lib/old/ is not a folder
README.md:13: lib/old: no such file in the tree
README.md:5: erpipe-map(1): no such page in man/
README.md:5: template odoo/res.partner-to-bng/Custommer: no examples/maps/odoo/res.partner-to-bng/Custommer.map
man/erpipe-map.5: FILES: no template odoo/res.partner-to-bng/Vendor
man/erpipe-map.5: FUNCTIONS: lowercase is not a builtin of lib/engine/map/map_fn.c
man/erpipe-map.5: FUNCTIONS: no .It for builtin upper
man/erpipe-map.5: SEE ALSO: no Xr erpipe 7
man/erpipe.7: FILES: no cron entry gl-feed
man/erpipe.7: FILES: no script gl-feed
man/erpipe.7: Programs: no line for program newprog
man/erpipe.7: SEE ALSO: no Xr erpipe-map 5
man/erpipe.7: SEE ALSO: no Xr load 1
man/erpipe.7: Source layout: no .It Pa lib/connect/
man/erpipe.7: Source layout: no .It Pa lib/engine/
man/erpipe.7: Source layout: no .It Pa lib/net/
man/erpipe.7: Source layout: no .It Pa lib/stray/
man/erpipe.7:13: Source layout: lib/proto/ is not a folder
man/erpipe.7:13: lib/proto: no such file in the tree
man/erpipe.7:20: a phrase that dates the text
man/erpipe.7:23: share/erpipe/cron/sync: not in examples/
man/erpipe.7:6: Programs: gone is not a program of cmd/
man/erpipe.7:6: Xr gone 1: no such page in man/ nor a system page
man/good.1:3: names load.1 but not in SEE ALSO
man/good.1:4: a phrase that dates the text
man/good.1:7: Xr erpipe-map 1: no such page in man/ nor a system page
man/good.1:9: Xr nosuch 3: no such page in man/ nor a system page
man/load.1: DESCRIPTION: SYSTEM does not name pg (lib/connect/load_pg.c)
man/load.1: SEE ALSO: no Xr erpipe 7
man/load.1:2: names a file that is not in the tree (DESIGN.md, STYLE.md)
man/load.1:2: tests/0353-load-odoo-sync.t: no such file in the tree
man/newprog.1: no page for program newprog
EOF
same_file "$T/got" "$T/want" "a fixture: a broken claim of each kind is named"

# the tree keeps its claims
docs "$ERPIPE_TOP" >"$T/broken"
sed 's/^/# /' "$T/broken"
is "$(wc -l <"$T/broken" | tr -d ' ')" 0 "README and man/: every claim checked holds"

done_testing
