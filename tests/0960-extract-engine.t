#!/bin/sh
# The three extractors run on one engine (lib/connect/extract_run): the
# same checkpoint rule for each -- one after each page, the last line of a
# --state run a checkpoint, never the same checkpoint twice in a row --
# and --describe and --count as one line each.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"

# no two checkpoint lines in a row the same; the last line one
cps_ok() {
	[ "$(tail -1 "$1" | jq -r 'has("_checkpoint")')" = true ] &&
		[ "$(awk '/_checkpoint/ { if (prev == $0) d++ } { prev = $0 } END { print d + 0 }' "$1")" = 0 ]
}
runs() { # NAME PROG ARGS...: a first run from an empty state, a second from its mark
	name=$1
	shift
	echo '{}' >"$T/$name.st"
	"$@" --state "$T/$name.st" >"$T/$name.1"
	is "$?" 0 "$name: first run 0"
	ok "$name: first run ends on a checkpoint, none repeated" cps_ok "$T/$name.1"
	tail -1 "$T/$name.1" | jq -c '{(._checkpoint.stream): ._checkpoint.pos}' >"$T/$name.st"
	"$@" --state "$T/$name.st" >"$T/$name.2"
	ok "$name: second run ends on a checkpoint, none repeated" cps_ok "$T/$name.2"
	is "$(tail -1 "$T/$name.2")" "$(tail -1 "$T/$name.1")" "$name: nothing new: the same mark"
}

sandbox_start bng --records 30 --entity customers=40
BNG_CLIENT_ID=erpipe BNG_CLIENT_SECRET=erpipe-secret
export BNG_CLIENT_ID BNG_CLIENT_SECRET
runs bng bng-extract -q --page-size 15 customers
is "$(grep -c _checkpoint "$T/bng.1")" 3 "bng: one checkpoint a page (40 records, pages of 15)"
is "$(bng-extract -q --describe customers | wc -l | tr -d ' ')" 1 "bng --describe: one line"

. "$ERPIPE_TOP/tests/sandbox/nav-env.sh"
nav_env --records 20
runs nav nav-extract -q --page-size 10 --select No,City Customer
is "$(nav-extract -q --describe Customer | wc -l | tr -d ' ')" 1 "nav --describe: one line"
is "$(nav-extract -q --count Customer)" 26 "nav --count"

sandbox_start odoo --partners 30
ODOO_DB=odoo ODOO_USER=admin ODOO_PASSWORD=admin
export ODOO_DB ODOO_USER ODOO_PASSWORD
runs odoo odoo-extract -q --page-size 10 --fields name res.partner
is "$(odoo-extract -q --describe res.partner | wc -l | tr -d ' ')" 1 "odoo --describe: one line"
done_testing
