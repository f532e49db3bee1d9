# tests/sandbox/flow.sh - helpers for the tests of the flow scripts
# (examples/scripts run as examples/cron runs them); source after
# tests/sandbox/lib.sh, with both sandboxes started.
#   flow_cron NAME SCHEDULE DIR [PROFILES]
#       checks that examples/cron/NAME has one job: SCHEDULE (a regex, as
#       '\*/5 \* \* \* \*'), as erpipe, the installed script NAME with the
#       profiles PROFILES (default "bng odoo") and /var/lib/erpipe/DIR; sets
#       $cmd to that job's command run from the source tree with its
#       directory under $T
#   flow_nav_profile
#       the profile "nav" of the NAV sandbox (nav_env) beside profiles.sh's
#       in $T/conf, as a cron job names it; NAV_URL, NAV_USER, NAV_PASSWORD
#       and NAV_COMPANY unset so the profile decides
#   flow_run
#       runs $cmd, its output in $T/out, its status in $st; a failure shows
#       the head of its standard error
#   flow_again NAME SYSTEMS
#       runs $cmd once more: status 0, nothing printed (it moved nothing),
#       and flow_quiet on SYSTEMS, the sandboxes the flow writes to
#       ("odoo nav", "bng odoo nav")
#   flow_mark
#       a copy of each receipt file of the flow's directory $W beside it
#   flow_lock NAME [N]
#       with $W/state/NAME.lock held by another, $cmd exits 0 and writes no
#       receipt (since flow_mark); the script given N arguments (default
#       four) exits 64 with its usage
#   flow_quiet BNG_POS ODOO_POS [NAV_POS]
#       no write to BNG (a call but GET, OAuth aside) and no write RPC to
#       Odoo since those positions of the sandboxes' request logs; with
#       NAV_POS, no write to NAV either (a request but GET, or a $batch
#       holding one); BNG_POS "-" for a flow without BNG
flow_cron() {
	_fc_job=$(grep -v '^#' "$ERPIPE_TOP/examples/cron/$1" | grep -v '=' | grep .)
	is "$(echo "$_fc_job" | wc -l | tr -d ' ')" 1 "the cron file has one job"
	like "$_fc_job" "^$2 erpipe /usr/local/share/erpipe/scripts/$1 ${4:-bng odoo} /var/lib/erpipe/$3\$" \
		"...on its schedule, as erpipe, the installed script"
	cmd=$(echo "$_fc_job" | cut -d' ' -f7- | sed "s|/usr/local/share/erpipe|$ERPIPE_TOP/examples|; s|/var/lib/erpipe|$T|")
}
flow_quiet() {
	[ "$1" = - ] ||
	is "$(sandbox_log bng "$1" | jq -c '[.[] | select(.method != "GET" and (.path | test("/oauth/") | not))] | length')" 0 \
		"...no write to BNG"
	is "$(sandbox_log odoo "$2" | jq -c '[.[] | select(.rpc // "" | test("\\.(create|write|load|unlink|action_[a-z_]+|button_[a-z_]+|process)$"))] | length')" 0 \
		"...no write to Odoo"
	[ $# -lt 3 ] ||
		is "$(sandbox_log nav "$3" | jq -c '[.[] | select((.method != "GET" and .batch == null) or
			((.batch_methods // []) - ["GET"] | length > 0))] | length')" 0 "...no write to NAV"
}
flow_run() {
	run sh -c "$cmd" >"$T/out" 2>"$T/err"
	[ "$st" = 0 ] || sed 's/^/#   /' "$T/err" | head -8
}
# flow_run_stopped after|before METHOD: flow_run with a load that stops in
# the step that calls METHOD (--then METHOD): "after" it went through but
# its receipts were lost (a full disk, a kill), "before" it sent anything;
# either way it exits 74
flow_run_stopped() {
	if [ ! -x "$T/stopped/load" ]; then
		mkdir -p "$T/stopped"
		_fr=$(command -v load)
		printf '#!/bin/sh\ncase " $* " in\n*" --then $STOPPED_AT "* | *" --then $STOPPED_AT/"*)\n\t[ "$STOPPED" = before ] || "%s" "$@" >/dev/null\n\texit 74 ;;\nesac\nexec "%s" "$@"\n' \
			"$_fr" "$_fr" >"$T/stopped/load"
		chmod +x "$T/stopped/load"
	fi
	_fp=$PATH
	PATH=$T/stopped:$PATH STOPPED=$1 STOPPED_AT=$2
	export STOPPED STOPPED_AT
	flow_run
	PATH=$_fp
	unset STOPPED STOPPED_AT
}
flow_again() {
	_fa_b=- _fa_n=
	case " $2 " in *" bng "*) _fa_b=$(sandbox_log bng | jq length) ;; esac
	case " $2 " in *" nav "*) _fa_n=$(sandbox_log nav | jq length) ;; esac
	_fa_o=$(sandbox_log odoo | jq length)
	flow_run
	is "$st:$(cat "$T/out")" "0:" "$1: status 0, moves nothing"
	flow_quiet "$_fa_b" "$_fa_o" ${_fa_n:+"$_fa_n"}
}
flow_mark() {
	for _fm_f in "$W"/receipts/*.ndjson; do cp "$_fm_f" "$_fm_f.mark"; done
}
flow_lock() {
	flock "$W/state/$1.lock" sleep 3 &
	sleep 0.5
	run sh -c "$cmd" >/dev/null 2>&1
	is "$st" 0 "a run that finds the last one going: status 0"
	is "$(for _fl_f in "$W"/receipts/*.ndjson; do cmp -s "$_fl_f" "$_fl_f.mark" || echo "$_fl_f"; done)" "" \
		"...and it did nothing"
	wait
	run "$ERPIPE_TOP/examples/scripts/$1" $(seq -s ' ' 1 "${2:-4}") 2>"$T/err"
	is "$st" 64 "${2:-4} arguments: 64"
	like "$(cat "$T/err")" "^usage: $1" "...with the usage"
}
flow_nav_profile() {
	printf 'NAVkey123\n' >"$T/nav.pw"
	chmod 600 "$T/nav.pw"
	printf '\n[nav]\nurl = %s\nuser = admin\npassword_file = %s\ncompany = %s\n' \
		"$NAV_URL" "$T/nav.pw" "$NAV_COMPANY" >>"$T/conf"
	unset NAV_URL NAV_USER NAV_PASSWORD NAV_COMPANY
}
