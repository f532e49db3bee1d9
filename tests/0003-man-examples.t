#!/bin/sh
# Every EXAMPLES block of every man page runs, in a scratch copy of
# examples/, and exits 0 (or the status a preceding ".\" status N" says);
# every page is mandoc -Tlint clean.  A block preceded by
# '.\" not run: REASON' (a file's contents, an interactive session) is
# skipped with its reason.  A block preceded by '.\" sandbox: NAME ARGS'
# runs with that sandbox started (once per page and arguments) and its
# connection in the environment (odoo: ODOO_URL, ODOO_DB, ODOO_USER,
# ODOO_PASSWORD; bng: BNG_URL, BNG_CLIENT_ID, BNG_CLIENT_SECRET;
# nav: NAV_URL, NAV_USER, NAV_PASSWORD, NAV_COMPANY).
. "${ERPIPE_TOP:-.}/tests/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"

# sandbox_for "NAME ARGS": start it unless the running one has these args
_sb_running=
sandbox_for() {
	[ "$1" = "$_sb_running" ] && return 0
	[ -n "$_sb_running" ] && sandbox_stop "${_sb_running%% *}"
	# shellcheck disable=SC2086
	sandbox_start $1 || return 1
	_sb_running=$1
	case ${1%% *} in
	nav) NAV_URL=$NAV_URL/BC/ODataV4 NAV_USER=admin NAV_PASSWORD=NAVkey123
		NAV_COMPANY='CRONUS International Ltd.'
		export NAV_URL NAV_USER NAV_PASSWORD NAV_COMPANY ;;
	odoo) ODOO_DB=odoo ODOO_USER=admin ODOO_PASSWORD=admin
		export ODOO_DB ODOO_USER ODOO_PASSWORD ;;
	bng) BNG_CLIENT_ID=erpipe BNG_CLIENT_SECRET=erpipe-secret
		export BNG_CLIENT_ID BNG_CLIENT_SECRET ;;
	esac
}

for page in "$ERPIPE_TOP"/man/*.[157]; do
	name=$(basename "$page")
	run mandoc -Tlint -Wwarning "$page" > "$T/lint" 2>&1
	is "$st:$(cat "$T/lint")" "0:" "$name: mandoc -Tlint clean"
	# extract the literal blocks of the EXAMPLES section, one file each
	rm -rf "$T/ex" && mkdir "$T/ex"
	awk -v dir="$T/ex" '
		/^\.Sh / { inex = ($0 == ".Sh EXAMPLES") }
		inex && /^\.\\" status [0-9]+/ { want = $3 }
		inex && /^\.\\" not run: / { skip = substr($0, index($0, "not run: ") + 9) }
		inex && /^\.\\" sandbox: / { sb = substr($0, index($0, "sandbox: ") + 9) }
		inex && /^\.Bd -literal/ { n++; f = dir "/" n; inblk = 1;
			print (want == "" ? 0 : want) > (f ".status");
			if (skip != "") print skip > (f ".skip");
			if (sb != "") print sb > (f ".sandbox");
			want = ""; skip = ""; sb = ""; next }
		inex && /^\.Dl / { n++; f = dir "/" n; line = substr($0, 5);
			sub(/^\$ /, "", line); gsub(/\\e/, "\\", line); gsub(/\\-/, "-", line);
			gsub(/\\&/, "", line); print line > f;
			print (want == "" ? 0 : want) > (f ".status");
			if (skip != "") print skip > (f ".skip");
			if (sb != "") print sb > (f ".sandbox");
			want = ""; skip = ""; sb = ""; next }
		inblk && /^\.Ed/ { inblk = 0; next }
		inblk { gsub(/\\e/, "\\"); gsub(/\\-/, "-"); gsub(/\\&/, ""); print > f }
	' "$page"
	for f in $(ls "$T/ex" | grep -v '\.' | sort -n); do
		if [ -f "$T/ex/$f.skip" ]; then
			echo "ok $((_tap_n += 1)) - $name: example $f # skip $(cat "$T/ex/$f.skip")"
			continue
		fi
		if [ -f "$T/ex/$f.sandbox" ] && ! sandbox_for "$(cat "$T/ex/$f.sandbox")"; then
			_result 1 "$name: example $f: sandbox '$(cat "$T/ex/$f.sandbox")' starts"
			continue
		fi
		rm -rf "$T/work" && cp -R "$ERPIPE_TOP/examples" "$T/work"
		run sh -c "cd '$T/work' && set -e && . '$T/ex/$f'" > "$T/out" 2>&1
		want=$(cat "$T/ex/$f.status")
		is "$st" "$want" "$name: example $f exits $want"
		[ "$st" = "$want" ] || sed 's/^/#   /' "$T/out" | head -20
	done
done

done_testing
