# tests/sandbox/lib.sh - sandbox helpers for the shell tests; source after
# tests/lib.sh (needs $T, at_exit, $PYTHON).
#
#   sandbox_start odoo --partners 200 [ARGS...]
#   sandbox_start bng --records 50 [ARGS...]     (BNG_PORT, BNG_URL)
#       starts tests/sandbox/odoo.py, sets ODOO_PORT and ODOO_URL
#       (http://127.0.0.1:PORT), stops it when the test exits.  With SANDBOX_ID=x
#       set, the variables are X_PORT / X_URL (two servers of one kind).
#   sandbox_stop ID           SIGTERM, wait for the clean exit
#   sandbox_control ID METHOD PATH [JSON]
#       curl the control endpoint /__sandbox/PATH, print the answer
#   sandbox_faults ID JSON    POST /__sandbox/faults
#   sandbox_reset ID          POST /__sandbox/reset
#   sandbox_log ID [SINCE]    the request log (JSON array)
#   sandbox_port ID           the port
# Files (port, pid, stderr, request log) are in $T/sandbox/.

_sandbox_ids=
_sandbox_dir() { echo "$T/sandbox"; }

sandbox_start() {
	_sb_name=$1
	shift
	_sb_id=${SANDBOX_ID:-$_sb_name}
	_sb_port=$(SANDBOX_DIR=$(_sandbox_dir) SANDBOX_ID=$_sb_id \
		"$ERPIPE_TOP/tests/sandbox/start" "$_sb_name" "$@") || {
		echo "# sandbox_start $_sb_name failed" >&2
		return 1
	}
	if [ -z "$_sandbox_ids" ]; then
		at_exit _sandbox_stop_all
	fi
	_sandbox_ids="$_sandbox_ids $_sb_id"
	_sb_var=$(echo "$_sb_id" | tr 'a-z-' 'A-Z_')
	eval "${_sb_var}_PORT=\$_sb_port; ${_sb_var}_URL=http://127.0.0.1:\$_sb_port"
	eval "export ${_sb_var}_PORT ${_sb_var}_URL"
}

sandbox_port() { cat "$(_sandbox_dir)/$1.port" 2>/dev/null || cat "$(_sandbox_dir)/$1.lastport"; }

sandbox_stop() {
	_sb_pidf="$(_sandbox_dir)/$1.pid"
	[ -f "$_sb_pidf" ] || return 0
	_sb_pid=$(cat "$_sb_pidf")
	cp "$(_sandbox_dir)/$1.port" "$(_sandbox_dir)/$1.lastport" 2>/dev/null || true
	kill -TERM "$_sb_pid" 2>/dev/null || { rm -f "$_sb_pidf"; return 0; }
	_sb_i=0
	while kill -0 "$_sb_pid" 2>/dev/null && [ $_sb_i -lt 100 ]; do
		sleep 0.05
		_sb_i=$((_sb_i + 1))
	done
	kill -KILL "$_sb_pid" 2>/dev/null || true
	rm -f "$_sb_pidf"
}

_sandbox_stop_all() {
	for _sb in $_sandbox_ids; do sandbox_stop "$_sb"; done
}

sandbox_control() {
	_sb_port=$(sandbox_port "$1")
	if [ $# -ge 4 ]; then
		curl -sS -X "$2" -H 'Content-Type: application/json' --data-binary "$4" \
			"http://127.0.0.1:$_sb_port/__sandbox/$3"
	else
		curl -sS -X "$2" "http://127.0.0.1:$_sb_port/__sandbox/$3"
	fi
}
sandbox_faults() { sandbox_control "$1" POST faults "$2"; }
sandbox_reset() { sandbox_control "$1" POST reset "${2:-{\}}"; }
sandbox_log() { sandbox_control "$1" GET "log?since=${2:-0}"; }
