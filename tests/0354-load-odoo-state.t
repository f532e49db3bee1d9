#!/bin/sh
# load --state: a checkpoint is committed only after the records before it
# are in Odoo and their receipts written; records after the last checkpoint
# are sent when the input goes quiet but never committed; a held lock is
# 75; a run killed after a commit resumes from it without duplicates.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-rpc.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-env.sh"
odoo_env --partners 20
cp_line() { printf '{"_checkpoint":{"stream":"odoo:src:res.partner","v":1,"pos":{"id":%d}}}\n' "$1"; }
rec() { printf '{"ref":"S%d","name":"State %d"}\n' "$1" "$1"; }
committed() { jq -c '."odoo:src:res.partner".id // null' "$T/st.json" 2>/dev/null || echo none; }
count() { rpc res.partner search_count '[[["ref","=like","S%"]]]'; }
# wait_for CMD WANT: poll (5 s at most) until CMD prints WANT
wait_for() {
	_i=0
	while [ "$($1)" != "$2" ] && [ $_i -lt 100 ]; do sleep 0.05; _i=$((_i + 1)); done
	"$1"
}

mkfifo "$T/fifo"
load -q --batch 100 odoo res.partner -k ref --state "$T/st.json" < "$T/fifo" > "$T/rcpt" 2> "$T/err" &
pid=$!
exec 3> "$T/fifo"
{ rec 1; rec 2; rec 3; cp_line 3; } >&3
is "$(wait_for committed 3)" 3 "the checkpoint after three records is committed"
is "$(count)" 3 "...and the three records were in Odoo by then (a part-filled batch of 100)"
is "$(jq -c 'if ._checkpoint then "cp" else .status end' "$T/rcpt" | tr '\n' ' ')" \
	'"created" "created" "created" "cp" ' "receipts written before the checkpoint passed on"
{ rec 4; rec 5; } >&3
is "$(wait_for count 5)" 5 "records after it are sent when the input goes quiet"
is "$(committed)" 3 "...but nothing past the checkpoint is committed"

# a second committer on the same state file: 75 while the first holds it
run load odoo res.partner -k ref --state "$T/st.json" "$T/fifo.none" > /dev/null 2> "$T/err2"
is "$st" 75 "a second run on the same state: 75"
like "$(cat "$T/err2")" "locked by another run" "says the lock is held"

cp_line 5 >&3
is "$(wait_for committed 5)" 5 "the next checkpoint is committed"
exec 3>&-
wait $pid
is "$?" 0 "the run ends with 0"
is "$(wc -l < "$T/rcpt" | tr -d ' ')" 7 "five receipts and two checkpoints"

# ---- killed after a commit, resumed from it: no duplicates -----------------------------
: > "$T/rcpt"
load -q odoo res.partner -k ref --state "$T/st.json" < "$T/fifo" > "$T/rcpt" 2> "$T/err" &
pid=$!
exec 3> "$T/fifo"
{ rec 6; rec 7; cp_line 7; rec 8; } >&3
is "$(wait_for committed 7)" 7 "second run commits 7"
is "$(wait_for count 8)" 8 "record 8 sent when the input went quiet"
kill -KILL $pid
wait $pid 2> /dev/null || true
exec 3>&-
is "$(committed)" 7 "killed: the state still says 7"
# resume: the source re-sends everything after the committed position
{ rec 8; rec 9; cp_line 9; } > "$T/again"
run load -q odoo res.partner -k ref --state "$T/st.json" "$T/again" > "$T/rcpt"
is "$st:$(jq -c 'if ._checkpoint then "cp" else .status end' "$T/rcpt" | tr '\n' ' ')" \
	'0:"unchanged" "created" "cp" ' "the repeated record is unchanged, the new one created"
is "$(committed)" 9 "committed 9"
is "$(count)" 9 "nine records, none twice"
is "$(rpc res.partner search_count '[[["ref","=","S8"]]]')" 1 "S8 once"
done_testing
