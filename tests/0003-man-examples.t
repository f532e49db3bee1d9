#!/bin/sh
# Every EXAMPLES block of every man page runs, in a scratch copy of
# examples/, and exits 0 (or the status a preceding ".\" status N" says);
# every page is mandoc -Tlint clean.  A block preceded by
# '.\" not run: REASON' (a file's contents, an interactive session) is
# skipped with its reason.  A block preceded by '.\" sandbox: NAME ARGS'
# runs with a fresh sandbox NAME started for it and the system's variables
# set (odoo: ODOO_URL, ODOO_DB, ODOO_USER, ODOO_PASSWORD).
. "${ERPIPE_TOP:-.}/tests/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"

# example_sandbox NAME ARGS...: start it and export the connection
example_sandbox() {
	_ex_name=$1
	shift
	SANDBOX_ID=example sandbox_start "$_ex_name" "$@"
	case $_ex_name in
	odoo)
		ODOO_URL=$EXAMPLE_URL ODOO_DB=odoo ODOO_USER=admin ODOO_PASSWORD=admin
		export ODOO_URL ODOO_DB ODOO_USER ODOO_PASSWORD
		;;
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
		rm -rf "$T/work" && cp -R "$ERPIPE_TOP/examples" "$T/work"
		[ -f "$T/ex/$f.sandbox" ] && example_sandbox $(cat "$T/ex/$f.sandbox")
		run sh -c "cd '$T/work' && set -e && . '$T/ex/$f'" > "$T/out" 2>&1
		[ -f "$T/ex/$f.sandbox" ] && sandbox_stop example
		want=$(cat "$T/ex/$f.status")
		is "$st" "$want" "$name: example $f exits $want"
		[ "$st" = "$want" ] || sed 's/^/#   /' "$T/out" | head -20
	done
done

done_testing
