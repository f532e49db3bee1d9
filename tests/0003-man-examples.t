#!/bin/sh
# Every EXAMPLES block of every man page runs, in a scratch copy of
# examples/, and exits 0 (or the status a preceding ".\" status N" says);
# every page is mandoc -Tlint clean.  A block preceded by
# '.\" not run: REASON' (a file's contents, an interactive session) is
# skipped with its reason.  A page whose EXAMPLES hold '.\" sandbox: NAME
# ARGS' lines runs its blocks with those sandboxes started (sandbox_start:
# NAME_URL etc. exported), and '.\" env: K=V ...' lines are exported too.
. "${ERPIPE_TOP:-.}/tests/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"

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
		inex && /^\.Bd -literal/ { n++; f = dir "/" n; inblk = 1;
			print (want == "" ? 0 : want) > (f ".status");
			if (skip != "") print skip > (f ".skip");
			want = ""; skip = ""; next }
		inex && /^\.Dl / { n++; f = dir "/" n; line = substr($0, 5);
			sub(/^\$ /, "", line); gsub(/\\e/, "\\", line); gsub(/\\-/, "-", line);
			gsub(/\\&/, "", line); print line > f;
			print (want == "" ? 0 : want) > (f ".status");
			if (skip != "") print skip > (f ".skip");
			want = ""; skip = ""; next }
		inblk && /^\.Ed/ { inblk = 0; next }
		inblk { gsub(/\\e/, "\\"); gsub(/\\-/, "-"); gsub(/\\&/, ""); print > f }
	' "$page"
	sbs=$(sed -n '/^\.Sh EXAMPLES/,/^\.Sh /s/^\.\\" sandbox: //p' "$page")
	envs=$(sed -n '/^\.Sh EXAMPLES/,/^\.Sh /s/^\.\\" env: //p' "$page")
	started=
	_ifs=$IFS
	IFS='
'
	for sb in $sbs; do
		IFS=$_ifs
		# shellcheck disable=SC2086
		sandbox_start $sb || _result 1 "$name: sandbox '$sb' starts"
		started="$started ${sb%% *}"
	done
	IFS=$_ifs
	for kv in $envs; do export "$kv"; done
	for f in $(ls "$T/ex" | grep -v '\.' | sort -n); do
		if [ -f "$T/ex/$f.skip" ]; then
			echo "ok $((_tap_n += 1)) - $name: example $f # skip $(cat "$T/ex/$f.skip")"
			continue
		fi
		rm -rf "$T/work" && cp -R "$ERPIPE_TOP/examples" "$T/work"
		run sh -c "cd '$T/work' && set -e && . '$T/ex/$f'" > "$T/out" 2>&1
		want=$(cat "$T/ex/$f.status")
		is "$st" "$want" "$name: example $f exits $want"
		[ "$st" = "$want" ] || sed 's/^/#   /' "$T/out" | head -20
	done
	for sb in $started; do sandbox_stop "$sb"; done
	for kv in $envs; do unset "${kv%%=*}"; done
done

done_testing
