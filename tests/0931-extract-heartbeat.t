#!/bin/sh
# --heartbeat FILE with --follow (bng-, odoo-, nav-extract): after each poll
# that ended well FILE is replaced by one JSON object (pid, polls, last_poll,
# last_checkpoint ...).  A monitoring script that reads last_poll tells a
# live follow from a stuck one: with the server answering after 5 s, the
# follow's polls stop counting and the heartbeat ages past the limit; once
# the server answers again it is live again.  Without --follow: 64.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/bng-api.sh"
. "$ERPIPE_TOP/tests/sandbox/nav-env.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-env.sh"

pids=
stop_all() { for p in $pids; do kill -KILL "$p" 2>/dev/null || true; done; }
at_exit stop_all
# polls FILE: the heartbeat's count of polls (0 before the first)
polls() { jq -r '.polls // 0' "$1" 2>/dev/null || echo 0; }
# wait_polls FILE N: until FILE says N polls or more (at most 20 s)
wait_polls() {
	i=0
	while [ "$(polls "$1")" -lt "$2" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
	[ "$(polls "$1")" -ge "$2" ]
}
# stale FILE LIMIT: the monitoring script: true when the last good poll is
# more than LIMIT seconds old (or there is none)
stale() {
	last=$(jq -r '.last_poll // empty' "$1" 2>/dev/null) || return 0
	[ -n "$last" ] || return 0
	[ $(($(date +%s) - $(date -d "$last" +%s))) -gt "$2" ]
}

# ---- bng-extract: live, stuck, live again ------------------------------------------
bng_env --records 20
bng-extract -q --follow --interval 0.2 --heartbeat "$T/bng.hb" customers >"$T/bng.out" 2>"$T/bng.err" &
bpid=$!
pids="$pids $bpid"
ok "heartbeat after 3 polls" wait_polls "$T/bng.hb" 3
jq -c . "$T/bng.hb" | sed 's/^/# /'
is "$(jq -r .program "$T/bng.hb")" bng-extract "it names the program"
is "$(jq -r .entity "$T/bng.hb")" customers "and the entity"
is "$(jq -r .pid "$T/bng.hb")" "$bpid" "and the process"
is "$(jq -r .interval_ms "$T/bng.hb")" 200 "and the interval"
like "$(jq -r .last_poll "$T/bng.hb")" '^20[0-9-]{8}T[0-9:]{8}\.[0-9]{3}Z$' "last_poll: UTC"
like "$(jq -r .last_checkpoint "$T/bng.hb")" '^20[0-9-]{8}T[0-9:]{8}\.[0-9]{3}Z$' "last_checkpoint: UTC"
ok "no temporary file left beside it" sh -c "[ \$(ls '$T' | grep -c bng.hb) = 1 ]"
run stale "$T/bng.hb" 2
is "$st" 1 "the monitor: live (last poll at most 2 s old)"

# stuck: every answer of the server takes 5 s
sandbox_faults bng '{"latency_ms":5000}' >/dev/null
i=0
while ! stale "$T/bng.hb" 2 && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
run stale "$T/bng.hb" 2
is "$st" 0 "the server hangs: the monitor says stale"
p1=$(polls "$T/bng.hb")
sleep 0.6
is "$(polls "$T/bng.hb")" "$p1" "no poll counted while stuck"
ok "the process is still there (stuck, not dead)" kill -0 $bpid
sandbox_faults bng '{"latency_ms":0}' >/dev/null
ok "the server answers again: polls go on" wait_polls "$T/bng.hb" $((p1 + 2))
run stale "$T/bng.hb" 2
is "$st" 1 "the monitor: live again"
kill -TERM $bpid
run wait $bpid
is "$st" 0 "SIGTERM: exit 0"
run bng-extract -q --heartbeat "$T/x.hb" customers 2>/dev/null
is "$st" 64 "bng-extract --heartbeat without --follow: 64"
ok "(no file)" test ! -e "$T/x.hb"

# beat PROG ENTITY ARGS...: PROG --follow writes its heartbeat, ends on
# SIGTERM; --heartbeat without --follow is a usage error
beat() {
	prog=$1 ent=$2
	shift 2
	$prog -q --follow --interval 0.2 --heartbeat "$T/$prog.hb" "$@" "$ent" >"$T/$prog.out" 2>"$T/$prog.err" &
	bp=$!
	pids="$pids $bp"
	ok "$prog: heartbeat after 2 polls" wait_polls "$T/$prog.hb" 2
	is "$(jq -r '[.program, .entity, .pid == '"$bp"', (.last_checkpoint | length > 0)] | join(" ")' "$T/$prog.hb")" \
		"$prog $ent true true" "$prog: program, entity, pid, last checkpoint"
	kill -TERM $bp
	run wait $bp
	is "$st" 0 "$prog: SIGTERM, exit 0"
	run $prog -q --heartbeat "$T/x.hb" "$ent" 2>/dev/null
	is "$st" 64 "$prog --heartbeat without --follow: 64"
}
odoo_env --partners 10
beat odoo-extract res.partner --fields name
nav_env --records 10 --auth basic
beat nav-extract Customer --select No,Name
done_testing
