#!/bin/sh
# The committer's state file: a resumed run's overlap checkpoints never
# walk the committed position back; deleting FILE.lock under a run lets no
# second committer in; a FILE.tmp.PID a killed commit left is removed.
. "$(dirname "$0")/lib.sh"

cp1='{"_checkpoint":{"stream":"odoo:p:m","v":1,"pos":{"write_date":"2026-01-01 10:04:07","id":9}}}'
cp0='{"_checkpoint":{"stream":"odoo:p:m","v":1,"pos":{"write_date":"2026-01-01 10:00:00","id":3}}}'
cp2='{"_checkpoint":{"stream":"odoo:p:m","v":1,"pos":{"write_date":"2026-01-01 10:04:07","id":12}}}'
printf '%s\n' '{"a":1}' "$cp1" >"$T/run1"
xform -q --state "$T/st.json" "$T/run1" >/dev/null
# the resumed run starts --overlap early: its first checkpoint is older
printf '%s\n' '{"a":1}' "$cp0" >"$T/run2"
xform -q --state "$T/st.json" "$T/run2" >"$T/out"
is "$(jq -c '."odoo:p:m"' "$T/st.json")" '{"write_date":"2026-01-01 10:04:07","id":9}' \
	"an older checkpoint does not move the committed position back"
is "$(tail -n 1 "$T/out")" "$cp0" "...and still passes on"
printf '%s\n' "$cp2" | xform -q --state "$T/st.json" >/dev/null
is "$(jq -c '."odoo:p:m"' "$T/st.json")" '{"write_date":"2026-01-01 10:04:07","id":12}' \
	"a newer one is committed"

# FILE.lock deleted while a run holds it
mkfifo "$T/fifo"
xform -q --state "$T/st.json" "$T/fifo" >/dev/null 2>&1 &
pid=$!
exec 7>"$T/fifo"
printf '%s\n' '{"a":1}' >&7
sleep 0.3
rm -f "$T/st.json.lock"
run xform -q --state "$T/st.json" "$T/run1" >/dev/null 2>"$T/err"
is "$st" 75 "FILE.lock deleted under a run: a second committer still exits 75"
like "$(cat "$T/err")" "is locked by another run" "...saying why"
printf '%s\n' "$cp2" >&7
exec 7>&-
wait $pid
is "$?" 0 "the first run ends well"

# a commit killed between its temporary file and the rename
: >"$T/st.json.tmp.4242"
xform -q -v --state "$T/st.json" "$T/run1" >/dev/null 2>"$T/err"
ok "a leftover FILE.tmp.PID is removed" test ! -e "$T/st.json.tmp.4242"
like "$(cat "$T/err")" "removed 'st.json.tmp.4242', left by a run killed while it committed" "...and said with -v"
done_testing
