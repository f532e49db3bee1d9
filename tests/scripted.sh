# tests/scripted.sh - tests/sandbox/scripted.py from a shell test: a loopback
# server that plays a JSON list of answers in order (see scripted.py).
# Source after tests/lib.sh.
#
#   scripted_start SCRIPT   start it on a free port: SCRIPTED_URL, and the
#                           request log in $T/scripted.log (one JSON line
#                           per request: method, path, headers, body)
#   scripted_stop           stop it (also done when the test exits)
scripted_start() {
	rm -f "$T/scripted.port" "$T/scripted.log"
	"$PYTHON" "$ERPIPE_TOP/tests/sandbox/scripted.py" --port 0 --port-file "$T/scripted.port" \
		--script "$1" --log "$T/scripted.log" 2>/dev/null &
	_scripted_pid=$!
	at_exit scripted_stop
	_sc_i=0
	while [ ! -s "$T/scripted.port" ] && [ $_sc_i -lt 200 ]; do
		sleep 0.05
		_sc_i=$((_sc_i + 1))
	done
	SCRIPTED_URL=http://127.0.0.1:$(cat "$T/scripted.port")
}
scripted_stop() {
	[ -n "${_scripted_pid:-}" ] || return 0
	kill "$_scripted_pid" 2>/dev/null || :
	wait "$_scripted_pid" 2>/dev/null || :
	_scripted_pid=
}
