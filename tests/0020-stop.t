#!/bin/sh
# A graceful stop (lib/base/stop.h): a filter asked to stop by SIGTERM or
# SIGINT finishes what it has in hand, writes its outcome, passes no
# checkpoint it has not reached and exits 128 + the signal; a second signal
# ends it at once.  Before, load died mid-request: a batch the server took
# had no receipts.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-rpc.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-env.sh"
odoo_env --partners 0

recs() { # recs FROM TO: partners with a ref each
	i=$1
	while [ "$i" -le "$2" ]; do
		printf '{"ref":"S%d","name":"Stop %d"}\n' "$i" "$i"
		i=$((i + 1))
	done
}
# wait_for FILE PATTERN: up to 10 s for a line in FILE
wait_for() {
	i=0
	while ! grep -q "$2" "$1" 2>/dev/null && [ $i -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
}

# watchdog PID: a process that hangs is killed after 60 s (the test fails,
# it does not hang)
watchdog() { (sleep 60; kill -KILL "$1") 2> /dev/null & }
# a background job of sh starts with SIGINT ignored (and keeps it so):
# env gives the programs SIGINT's default back, as a terminal would
# (a word, not a function: a function run with & is a subshell of its own)
intr='env --default-signal=INT'

# wait_setup N: load's connection is made (N requests in the sandbox's log)
wait_setup() {
	i=0
	while [ "$(sandbox_log odoo | jq length)" -lt "$1" ] && [ $i -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
}

# 1. SIGTERM while a batch is with the server: the batch ends, its receipts
# are written, the run exits 143, the lines not read stay for the next run
mkfifo "$T/in1"
load --batch 10 odoo res.partner -k ref < "$T/in1" > "$T/rcpt1" 2> "$T/err1" &
lpid=$!
watchdog $lpid
exec 3> "$T/in1"
wait_setup 3
sandbox_faults odoo '{"latency_ms":1000}' > /dev/null
recs 1 10 > "$T/b1"
cat "$T/b1" >&3  # one write: load reads the ten at once
# the batch's requests take a second each: the lookup by ref is answered
# (the log has it), the signal finds the create in flight
wait_setup 4
sleep 0.3
kill -TERM $lpid
recs 11 12 >&3
run wait $lpid
exec 3>&-
is "$st" 143 "SIGTERM mid-batch: exit 143"
is "$(jq -s 'length' "$T/rcpt1")" 10 "the batch in flight has its 10 receipts"
is "$(jq -r .status "$T/rcpt1" | sort -u)" created "each one created"
like "$(cat "$T/err1")" "stopped by Terminated" "the stop is told on stderr"
sandbox_faults odoo '{}' > /dev/null
is "$(rpc res.partner search_count '[[["ref","=like","S%"]]]')" 10 \
	"the server holds the 10, no record past the batch"

# 2. stopped while waiting for input, with a checkpoint passed: the state
# holds that checkpoint, not beyond; the records read have receipts
mkfifo "$T/in2"
$intr load --batch 50 --state "$T/st.json" odoo res.partner -k ref < "$T/in2" > "$T/rcpt2" \
	2> "$T/err2" &
lpid=$!
watchdog $lpid
exec 3> "$T/in2"
{
	recs 21 23
	echo '{"_checkpoint":{"stream":"s","v":1,"pos":{"n":23}}}'
	recs 24 25
} > "$T/b2"
cat "$T/b2" >&3
wait_for "$T/rcpt2" '"S25"'
kill -INT $lpid
run wait $lpid
exec 3>&-
is "$st" 130 "SIGINT while waiting for input: exit 130"
is "$(grep -c '"status"' "$T/rcpt2")" 5 "the five records read have receipts"
is "$(jq -c '.s.pos // .s' "$T/st.json" 2>/dev/null)" '{"n":23}' \
	"the state holds the checkpoint passed, and only it"

# 3. asked twice: the second signal ends it at once, without the summary
mkfifo "$T/in3"
n=$(sandbox_log odoo | jq length)
load --batch 5 odoo res.partner -k ref < "$T/in3" > "$T/rcpt3" 2> "$T/err3" &
lpid=$!
watchdog $lpid
exec 3> "$T/in3"
wait_setup $((n + 3))
sandbox_faults odoo '{"latency_ms":5000}' > /dev/null
recs 31 35 > "$T/b3"
cat "$T/b3" >&3
sleep 0.5
kill -TERM $lpid
sleep 0.3
kill -TERM $lpid 2> /dev/null || true
run wait $lpid
exec 3>&-
is "$st" 143 "a second SIGTERM: killed, 143"
ok "no stop message: it did not wait for the server" sh -c "! grep -q 'stopped by' '$T/err3'"
sandbox_faults odoo '{}' > /dev/null

# 4. xform: the lines read are written, then 130
# and a SIGINT ignored by the starter stays ignored (nohup, a script's &)
mkfifo "$T/in5"
xform < "$T/in5" > "$T/out5" 2> /dev/null &
xpid=$!
watchdog $xpid
exec 3> "$T/in5"
printf '{"a":5}\n' >&3
wait_for "$T/out5" '"a":5'
kill -INT $xpid
sleep 0.2
ok "xform started with SIGINT ignored: still running" kill -0 $xpid
exec 3>&-
run wait $xpid
is "$st" 0 "and ends at the end of its input"

mkfifo "$T/in4"
$intr xform < "$T/in4" > "$T/out4" 2> "$T/err4" &
xpid=$!
watchdog $xpid
exec 3> "$T/in4"
printf '{"a":1}\n{"a":2}\n' >&3
wait_for "$T/out4" '"a":2'
kill -INT $xpid
run wait $xpid
exec 3>&-
is "$st" 130 "xform: SIGINT, exit 130"
is "$(cat "$T/out4")" '{"a":1}
{"a":2}' "xform: what it read is on stdout"

done_testing
