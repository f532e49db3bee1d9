# tests/lib.sh - shared helpers for the shell tests (TAP), sourced by each
# tests/NNNN-tool-what.t.  Every test runs in its own mktemp -d directory,
# removed on exit.  Helpers: ok/is/like/isnt_file, sandbox start/stop.
set -eu
LC_ALL=C
export LC_ALL
: "${ERPIPE_TOP:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${ERPIPE_BIN:=$ERPIPE_TOP/build/bin}"
PATH=$ERPIPE_BIN:$PATH
PYTHON=/usr/bin/python3
export PATH PYTHON ERPIPE_TOP
T=$(mktemp -d)
_tap_n=0
_tap_fail=0
_cleanup_hooks=
cleanup() {
	for h in $_cleanup_hooks; do $h || true; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
at_exit() { _cleanup_hooks="$_cleanup_hooks $1"; }

_result() { # _result STATUS NAME
	_tap_n=$((_tap_n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $_tap_n - $2"
	else
		_tap_fail=$((_tap_fail + 1))
		echo "not ok $_tap_n - $2"
	fi
}
# ok NAME CMD...: the command succeeds
ok() { n=$1; shift; if "$@" >/dev/null 2>&1; then _result 0 "$n"; else _result 1 "$n"; fi; }
# is GOT WANT NAME
is() {
	if [ "$1" = "$2" ]; then _result 0 "$3"; else
		_result 1 "$3"
		printf '#   got:  %s\n#   want: %s\n' "$1" "$2" | head -c 4000
	fi
}
# like GOT REGEX NAME (grep -E)
like() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then _result 0 "$3"; else
		_result 1 "$3"
		printf '#   got:  %s\n#   want: /%s/\n' "$1" "$2" | head -c 4000
	fi
}
# same_file GOT_FILE WANT_FILE NAME
same_file() {
	if cmp -s "$1" "$2"; then _result 0 "$3"; else
		_result 1 "$3"
		diff -u "$2" "$1" | head -40 | sed 's/^/#   /'
	fi
}
diag() { echo "# $*"; }
# programs: the programs built in $ERPIPE_BIN, their names space-separated
programs() {
	for _p in "$ERPIPE_BIN"/*; do
		if [ -f "$_p" ] && [ -x "$_p" ]; then printf '%s ' "${_p##*/}"; fi
	done
}
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
done_testing() { echo "1..$_tap_n"; [ "$_tap_fail" = 0 ]; }

# st CMD...: run, capture exit status in $st without tripping set -e
run() { set +e; "$@"; st=$?; set -e; }

# numbered KEY NAME PREFIX N [LABEL]: N records {KEY: "PREFIXi", NAME: "LABEL i"}
# (LABEL defaults to PREFIX), one a line
numbered() {
	_i=1
	while [ $_i -le "$4" ]; do
		printf '{"%s":"%s%d","%s":"%s %d"}\n' "$1" "$3" $_i "$2" "${5:-$3}" $_i
		_i=$((_i + 1))
	done
}
