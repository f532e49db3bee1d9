#!/bin/sh
# Issue #21 item 2: a program's cmd/*.c is its usage text, its option
# tables and the switch filling a cfg struct, then one run call into lib/:
# at most 300 lines each.  And a usage error a run finds after the options
# (options that do not go together: reconcile_run, validate_run,
# xform_run hand it back unprinted) is printed as one found while parsing:
# "PROG: message", then the usage text, exit 64.
. "$(dirname "$0")/lib.sh"

MAX=300
# Files still over, one a line: "FILE  reason".  Each is a debt.
ALLOW='
'

# over TOP: every cmd/*.c of TOP over $MAX lines not in $ALLOW, and every
# $ALLOW entry no longer over (remove it), one a line, sorted
over() (
	cd "$1" && for f in cmd/*.c; do
		n=$(wc -l <"$f")
		allowed=$(printf '%s\n' "$ALLOW" | awk -v f="$f" '$1 == f { print "y" }')
		if [ "$n" -gt "$MAX" ] && [ -z "$allowed" ]; then
			echo "$f: $n lines, more than $MAX"
		elif [ "$n" -le "$MAX" ] && [ -n "$allowed" ]; then
			echo "allow-list: $f has $n lines: remove it"
		fi
	done | sort
)

# the checker finds what it must (it can fail): a fixture
mkdir -p "$T/fx/cmd"
awk 'BEGIN { for (i = 0; i < 301; i++) print "x" }' >"$T/fx/cmd/fat.c"
awk 'BEGIN { for (i = 0; i < 300; i++) print "x" }' >"$T/fx/cmd/thin.c"
printf 'x\n' >"$T/fx/cmd/odoo-extract.c"
ALLOW_SAVED=$ALLOW
ALLOW='
cmd/odoo-extract.c  a debt in the fixture
'
over "$T/fx" >"$T/got"
ALLOW=$ALLOW_SAVED
cat >"$T/want" <<'EOF'
allow-list: cmd/odoo-extract.c has 1 lines: remove it
cmd/fat.c: 301 lines, more than 300
EOF
same_file "$T/got" "$T/want" "the checker flags a file over 300 lines and a stale allow entry"

over "$ERPIPE_TOP" >"$T/got"
: >"$T/want"
same_file "$T/got" "$T/want" "every cmd/*.c has at most $MAX lines"

# a usage error from a run: message, usage text, 64
cd "$T"
printf '{"id":1,"a":1}\n' >l.ndjson
cp l.ndjson r.ndjson
# usage_is PROG NAME MESSAGE ARGS...: stderr is "PROG: MESSAGE" then the
# usage text of PROG --help, and the status 64
usage_is() {
	prog=$1 name=$2 msg=$3
	shift 3
	run "$prog" "$@" >out 2>err
	is "$st" 64 "$name: status 64"
	{
		echo "$prog: $msg"
		"$prog" --help | sed '/^$/,$d'
	} >want
	same_file err want "$name: the message, then the usage text"
	is "$(wc -c <out)" 0 "$name: nothing on stdout"
}
usage_is reconcile "reconcile --sum with --key" \
	"--sum compares totals: not with --key, --fields, --sorted or --emit-fix" \
	--sum a -k id l.ndjson r.ndjson
usage_is reconcile "reconcile --audit without fixes" \
	"--audit records fixes: give --emit-fix (or, with --base, --fix-left or --fix-right)" \
	-k id --audit a.log l.ndjson r.ndjson
ok "reconcile: no audit trail opened on a usage error" test ! -e a.log
usage_is validate "validate --history as --state" \
	"--history and --state must be two files" --history h --state h l.ndjson
usage_is validate "validate --similar-warn alone" \
	"--similar-cutoff, --similar-warn and --phone-country go with --similar" \
	--similar-warn l.ndjson
usage_is xform "xform --synonyms alone" "--synonyms goes with --suggest" --synonyms s l.ndjson
usage_is xform "xform --suggest with -f" "--suggest writes a map: not with -f, --check or --pairs" \
	--suggest l.ndjson -f m.map l.ndjson

# a run's failure that is not a usage error: its own status, no usage text
run reconcile -k id l.ndjson missing.ndjson >out 2>err
is "$st" 66 "reconcile: a missing input is 66"
ok "reconcile: a missing input prints no usage" sh -c '! grep -q "^usage:" err'
run xform -f missing-map l.ndjson >out 2>err
ok "xform: a missing map is not a usage error" test "$st" -ne 64
ok "xform: a missing map prints no usage" sh -c '! grep -q "^usage:" err'

done_testing
