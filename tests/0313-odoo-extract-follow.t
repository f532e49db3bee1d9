#!/bin/sh
# odoo-extract --follow: polls every --interval, writes each change once (a
# second write in the same second too), a checkpoint after every poll even
# when nothing changed, and on SIGTERM (or SIGINT) finishes cleanly: exit 0,
# a final checkpoint as the last line.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
sandbox_start odoo --partners 60
. "$ERPIPE_TOP/tests/sandbox/odoo-rpc.sh"
ODOO_DB=odoo ODOO_USER=admin ODOO_PASSWORD=admin
export ODOO_DB ODOO_USER ODOO_PASSWORD
sandbox_control odoo POST odoo/clock '{"freeze":"2026-03-01 09:00:00"}' >/dev/null

# wait_for FILE JQ-EXPR: until some line of FILE matches (at most 10 s)
wait_for() {
	i=0
	while ! jq -e "select($2)" "$1" 2>/dev/null | grep -q .; do
		i=$((i + 1))
		[ $i -lt 200 ] || return 1
		sleep 0.05
	done
}
cps() { grep -c _checkpoint "$1" || true; }
first=$(rpc res.partner read '[[7],["ref"]]' | jq -r '.[0].ref | tostring')

odoo-extract -q --follow --interval 0.2 --page-size 25 --state "$T/none.json" \
	--fields name,ref res.partner >"$T/out" 2>"$T/err" &
pid=$!
# a checkpoint follows each page: wait for the whole first scan, then for
# the checkpoint after its last page
want=$(rpc res.partner search_count '[[]]')
i=0
while [ "$(grep -vc _checkpoint "$T/out")" -lt "$want" ] && [ $i -lt 200 ]; do
	sleep 0.05; i=$((i + 1))
done
i=0
while ! tail -1 "$T/out" | grep -q _checkpoint && [ $i -lt 200 ]; do
	sleep 0.05; i=$((i + 1))
done
ok "the first scan ends with a checkpoint" sh -c "tail -1 '$T/out' | grep -q _checkpoint"
n0=$(grep -vc _checkpoint "$T/out")
is "$n0" "$want" "the first scan: every record"
sleep 0.6
ok "a checkpoint after each poll, changes or not" test "$(cps "$T/out")" -ge 3
rpc res.partner write '[[7],{"ref":"F1"}]' >/dev/null
ok "a change shows up" wait_for "$T/out" '.ref == "F1"'
rpc res.partner write '[[7],{"ref":"F2"}]' >/dev/null
ok "a second change in the same second too" wait_for "$T/out" '.ref == "F2"'
rpc res.partner create '[[{"name":"Follow New"}]]' >/dev/null
ok "a new record shows up" wait_for "$T/out" '.name == "Follow New"'
sleep 0.6
kill -TERM $pid
i=0
while kill -0 $pid 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
ok "SIGTERM: it ends promptly" sh -c "! kill -0 $pid 2>/dev/null"
wait $pid
is "$?" 0 "exit 0"
is "$(cat "$T/err")" "" "nothing on stderr"
like "$(tail -1 "$T/out")" '^\{"_checkpoint":\{"stream":"odoo:odoo:res.partner","v":1,"pos":\{"write_date":"2026-03-01 09:00:00","id":[0-9]+\}\}\}$' \
	"the last line is a checkpoint at the last change"
is "$(jq -c 'select(has("_checkpoint")|not)' "$T/out" | sort | uniq -d | wc -l)" 0 \
	"no record written twice, though every poll re-read the overlap window"
is "$(jq -r 'select(.id == 7) | .ref | tostring' "$T/out" | tr '\n' ' ')" "$first F1 F2 " \
	"record 7: as first read, then each version once"

# SIGINT during the sleep, with --concurrency (env gives it back SIGINT's
# default: a job a script starts with & has it ignored, and keeps it so)
env --default-signal=INT odoo-extract -q --follow --interval 30 --concurrency 3 --page-size 10 --fields name res.partner \
	>"$T/out2" 2>"$T/err2" &
pid=$!
wait_for "$T/out2" 'has("_checkpoint")'
kill -INT $pid
i=0
while kill -0 $pid 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
wait $pid
is "$?" 0 "SIGINT in a 30 s sleep: exit 0 at once"
like "$(tail -1 "$T/out2")" '^\{"_checkpoint"' "with a final checkpoint"
done_testing
