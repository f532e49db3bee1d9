#!/bin/sh
# Options are described once, in each program's ep_opt tables (issue #21
# item 4): --help prints them, man/gen writes the man page's OPTIONS
# headers from that and completions/gen the bash, zsh and fish files.
# Every program's tables build (ep_opt_build refuses a key or long name
# twice, 70), and the committed man/PROG.1 and completions/* are what the
# generators give now: a drift fails naming the program and the option.
# The generators are first shown on fixtures, drift included.
. "$(dirname "$0")/lib.sh"
MANGEN=$ERPIPE_TOP/man/gen
COMPGEN=$ERPIPE_TOP/completions/gen

# ---- man/gen on a fake program -----------------------------------------------
cat >"$T/fake.help" <<'EOF'
usage: fake [-qv] [-f MAP] [--left FILE] [--right FILE] [FILE ...]

Options:
      --added N                 an option the page lacks
      --color auto|never        when to colour
  -f, --map MAP                 the map
      --help                    print this help and exit
      --left FILE               the left side
  -q, --quiet                   no counts or warnings on stderr, only errors
      --right FILE              the right side
      --stale                   help as the table says now
      --tagged                  bng: a system's option, its tag kept as it is
EOF
cat >"$T/fake.1" <<'EOF'
.Dd December 7, 2026
.Dt FAKE 1
.Os
.Sh NAME
.Nm fake
.Nd a fixture
.Sh OPTIONS
.Bl -tag -width Ds
.It Fl f Ar MAP , Fl \-map Ar MAP
The map, a file.
.It Fl \-color Cm auto | always
When to colour.
.It Fl \-gone
An option the program no longer has.
.It Fl \-help
Print the help.
.It Fl \-left Ar FILE , Fl \-right Ar FILE
The two sides,
.Ar FILE
each.
.It Fl q , Fl \-quiet
Quiet.
.It Fl \-stale
Help as the table said once. \" --help
.El
.Sh SEE ALSO
.Xr erpipe 7
EOF
cp "$T/fake.1" "$T/fake.orig"

run "$MANGEN" --check -m "$T/fake.1" fake "$T/fake.help" 2>"$T/err"
is "$st" 1 "man/gen --check: drift exits 1"
same_file "$T/fake.1" "$T/fake.orig" "man/gen --check: writes nothing"
cat >"$T/want" <<'EOF'
fake: --gone: in the page, not in fake --help: removed (fake.1)
fake: --added: not in the page: added (fake.1)
fake: --color: header '.It Fl \-color Cm auto | always' becomes '.It Fl \-color Cm auto | never' (fake.1)
fake: --map: header '.It Fl f Ar MAP , Fl \-map Ar MAP' becomes '.It Fl f , Fl \-map Ar MAP' (fake.1)
fake: --stale: the --help line changes (fake.1)
fake: --tagged: not in the page: added (fake.1)
fake: --color: out of order: moved to --help's order (fake.1)
EOF
(cd "$T" && "$MANGEN" --check -m fake.1 fake fake.help) 2>"$T/err.rel" || true
same_file "$T/err.rel" "$T/want" "man/gen --check: names each drifted option"

run "$MANGEN" -m "$T/fake.1" -o "$T/fake.new" fake "$T/fake.help" 2>/dev/null
is "$st" 0 "man/gen -o: writes"
cat >"$T/want" <<'EOF'
.Dd December 7, 2026
.Dt FAKE 1
.Os
.Sh NAME
.Nm fake
.Nd a fixture
.Sh OPTIONS
.\" man/gen writes the .It lines, and the lines ending in --help, from
.\" the option tables (make man): edit the prose under an .It line only.
.Bl -tag -width Ds
.It Fl \-added Ar N
An option the page lacks. \" --help
.It Fl \-color Cm auto | never
When to colour.
.It Fl f , Fl \-map Ar MAP
The map, a file.
.It Fl \-help
Print the help.
.It Fl \-left Ar FILE , Fl \-right Ar FILE
The two sides,
.Ar FILE
each.
.It Fl q , Fl \-quiet
Quiet.
.It Fl \-stale
Help as the table says now. \" --help
.It Fl \-tagged
bng: a system's option, its tag kept as it is. \" --help
.El
.Sh SEE ALSO
.Xr erpipe 7
EOF
same_file "$T/fake.new" "$T/want" \
	"man/gen: headers from the table in its order, prose kept, missing added, gone removed"
run mandoc -Tlint -Wwarning "$T/fake.new" >"$T/lint" 2>&1
is "$st:$(cat "$T/lint")" "0:" "man/gen: its output is mandoc -Tlint clean"
run "$MANGEN" --check -m "$T/fake.new" fake "$T/fake.help" 2>"$T/err"
is "$st:$(cat "$T/err")" "0:" "man/gen: a second run changes nothing"
cp "$T/fake.1" "$T/inplace.1"
"$MANGEN" -m "$T/inplace.1" fake <"$T/fake.help" 2>/dev/null
same_file "$T/inplace.1" "$T/want" "man/gen: help on stdin, page rewritten in place"

# the page's own faults: FILE:LINE, status 64
printf '.Sh NAME\n.Nm fake\n' >"$T/bad.1"
run "$MANGEN" --check -m "$T/bad.1" fake "$T/fake.help" 2>"$T/err"
is "$st:$(sed "s|$T/||" "$T/err")" "64:man/gen: bad.1: no '.Sh OPTIONS' section" \
	"man/gen: a page without OPTIONS"
printf '.Sh OPTIONS\n.Bl -tag -width Ds\n.It Fl q\nQuiet.\n.El\n' >"$T/bad.1"
run "$MANGEN" --check -m "$T/bad.1" fake "$T/fake.help" 2>"$T/err"
is "$st:$(sed "s|$T/||" "$T/err")" "64:man/gen: bad.1:3: no long option in '.It Fl q'" \
	"man/gen: an item without a long option"
printf '.Sh OPTIONS\n.Bl -tag -width Ds\n.It Fl \\-left\n.It Fl \\-left Ar FILE\n.El\n' \
	>"$T/bad.1"
run "$MANGEN" --check -m "$T/bad.1" fake "$T/fake.help" 2>"$T/err"
is "$st:$(sed "s|$T/||" "$T/err")" "64:man/gen: bad.1:4: --left has an item already (line 3)" \
	"man/gen: an option in two items"

# ---- completions/gen --check on the fake program -------------------------------
"$COMPGEN" -o "$T/comp" fake "$T/fake.help"
run "$COMPGEN" --check -o "$T/comp" fake "$T/fake.help" 2>"$T/err"
is "$st:$(cat "$T/err")" "0:" "completions/gen --check: current files pass"
sed 's/--stale   /--stalest /; s/the left side/the left-hand side/' "$T/fake.help" >"$T/fake2.help"
st=0
(cd "$T" && "$COMPGEN" --check -o comp fake fake2.help) 2>"$T/err" || st=$?
is "$st" 1 "completions/gen --check: drift exits 1"
cat >"$T/want" <<'EOF'
fake: --stale: comp/bash/fake in the file, not in --help
fake: --stalest: comp/bash/fake not in the file
fake: --left: comp/zsh/_fake differs from --help
fake: --stale: comp/zsh/_fake in the file, not in --help
fake: --stalest: comp/zsh/_fake not in the file
fake: --left: comp/fish/fake.fish differs from --help
fake: --stale: comp/fish/fake.fish in the file, not in --help
fake: --stalest: comp/fish/fake.fish not in the file
EOF
same_file "$T/err" "$T/want" "completions/gen --check: names each drifted option and file"

# ---- the real programs -----------------------------------------------------------
progs=$(programs)
[ -n "$progs" ] || diag "no programs in '$ERPIPE_BIN' yet"
for p in $progs; do
	# ep_opt_build runs first: a key or long name twice exits 70 here
	run "$p" --help >"$T/$p.help" 2>"$T/err"
	is "$st:$(cat "$T/err")" "0:" "$p: its option tables build, --help exits 0"
	if [ ! -f "$ERPIPE_TOP/man/$p.1" ]; then
		_result 1 "$p: man/$p.1 exists"
		continue
	fi
	# into a temp copy, then compared; --check names what differs
	run "$MANGEN" -m "$ERPIPE_TOP/man/$p.1" -o "$T/$p.1" "$p" "$T/$p.help" 2>/dev/null
	if [ "$st" = 0 ] && cmp -s "$T/$p.1" "$ERPIPE_TOP/man/$p.1"; then
		_result 0 "$p: man/$p.1 OPTIONS are the tables'"
	else
		_result 1 "$p: man/$p.1 OPTIONS are the tables'"
		diag "man/$p.1 drifted from '$p --help': run 'make man', review and commit"
		(cd "$ERPIPE_TOP" && "$MANGEN" --check "$p" "$T/$p.help") 2>&1 | head -20 | sed 's/^/#   /'
	fi
	mkdir -p "$T/comp"
	run "$COMPGEN" -o "$T/comp" "$p" "$T/$p.help"
	if [ "$st" = 0 ] && cmp -s "$T/comp/bash/$p" "$ERPIPE_TOP/completions/bash/$p" &&
		cmp -s "$T/comp/zsh/_$p" "$ERPIPE_TOP/completions/zsh/_$p" &&
		cmp -s "$T/comp/fish/$p.fish" "$ERPIPE_TOP/completions/fish/$p.fish"; then
		_result 0 "$p: completions are the tables'"
	else
		_result 1 "$p: completions are the tables'"
		diag "completions/* drifted from '$p --help': run 'make completions' and commit"
		(cd "$ERPIPE_TOP" && "$COMPGEN" --check "$p" "$T/$p.help") 2>&1 | head -20 |
			sed 's/^/#   /'
	fi
done

done_testing
