#!/bin/sh
# odoo-extract incremental reads on (write_date, id) with --state: writes
# that share one write_date second, page boundaries inside such a second, a
# record written behind the mark (a long transaction: the sandbox stamps it
# with X-Sandbox-Txn-Time), nothing missed and nothing twice within a run;
# checkpoints after their records, committed by the last stage.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
sandbox_start odoo --partners 150
. "$ERPIPE_TOP/tests/sandbox/odoo-rpc.sh"
ODOO_DB=odoo ODOO_USER=admin ODOO_PASSWORD=admin
export ODOO_DB ODOO_USER ODOO_PASSWORD
clock() { sandbox_control odoo POST odoo/clock "$1" >/dev/null; }
clock '{"freeze":"2026-02-01 12:00:00"}'
S=$T/st.json
# extract FILE [ARGS]: one incremental run committed by xform; records in FILE
extract() {
	out=$1
	shift
	odoo-extract -q --state "$S" --fields name,ref "$@" res.partner |
		xform -q --state "$S" >"$out.all"
	jq -c 'select(has("_checkpoint") | not)' "$out.all" >"$out"
}
ids() { jq -r .id "$1" | sort -n | tr '\n' ' '; }
nodup() { [ "$(jq -r .id "$1" | sort | uniq -d | wc -l)" = 0 ]; }

all=$(rpc res.partner search '[[]]' '{"order":"id"}' | jq -r '.[]' | sort -n | tr '\n' ' ')
extract "$T/r1" --page-size 7
is "$(ids "$T/r1")" "$all" "first run: every record (the seed shares one write_date)"
ok "first run: none twice" nodup "$T/r1"
is "$(jq -c '."odoo:odoo:res.partner"' "$S")" \
	"$(jq -c 'select(has("_checkpoint")) | ._checkpoint.pos' "$T/r1.all" | tail -1)" \
	"the last checkpoint is committed"
last=$(jq -r 'select(has("_checkpoint")|not) | .id' "$T/r1.all" | tail -1)
is "$(tail -1 "$T/r1.all" | jq -r ._checkpoint.pos.id)" "$last" \
	"the run ends with a checkpoint at its last record"
is "$(grep -c _checkpoint "$T/r1.all")" "$(( $(echo $all | wc -w) / 7 + 1 ))" \
	"a checkpoint after each page, and at the end"
# each checkpoint follows the records it covers
ok "checkpoints after their records" sh -c "jq -rc 'if has(\"_checkpoint\") then \"C \" + (._checkpoint.pos.id|tostring) else \"R \" + (.id|tostring) end' '$T/r1.all' |
	awk '\$1==\"R\"{last=\$2} \$1==\"C\" && \$2!=last{bad=1} END{exit bad}'"

# move the mark past the seed, further than --overlap
clock '{"freeze":"2026-02-01 11:00:00"}'
rpc res.partner write '[[1],{"ref":"SETTLE"}]' >/dev/null
extract "$T/r1b"
is "$(jq -r 'select(.id == 1) | .ref' "$T/r1b")" "SETTLE" "one write: read"
ok "none twice" nodup "$T/r1b"
clock '{"freeze":"2026-02-01 12:00:00"}'

# writes sharing one second, across page boundaries
ids30=$(rpc res.partner search '[[]]' '{"order":"id desc","limit":30}' | jq -c .)
for chunk in 0 10 20; do
	part=$(echo "$ids30" | jq -c ".[$chunk:$chunk+10]")
	rpc res.partner write "[$part,{\"ref\":\"W$chunk\"}]" >/dev/null
done
extract "$T/r2" --page-size 7
is "$(ids "$T/r2")" "1 $(echo "$ids30" | jq -r '.[]' | sort -n | tr '\n' ' ')" \
	"after 30 writes in one second: those 30, and the mark's record again (>=)"
ok "none twice" nodup "$T/r2"
is "$(jq -r .ref "$T/r2" | sort -u | tr '\n' ' ')" "SETTLE W0 W10 W20 " "with their new values"

# a write in the same second but with a smaller id than the mark
low=$(rpc res.partner search '[[]]' '{"order":"id","limit":1}' | jq -r '.[0]')
rpc res.partner write "[[${low}],{\"ref\":\"LOW\"}]" >/dev/null
extract "$T/r3" --page-size 7
is "$(jq -r "select(.id == $low) | .ref" "$T/r3")" "LOW" \
	"a record written in the mark's second with a smaller id is read"
ok "none twice" nodup "$T/r3"

# a long transaction: the mark moves on, then a row stamped behind it commits
clock '{"freeze":"2026-02-01 12:10:00"}'
rpc res.partner write '[[10],{"ref":"NEW"}]' >/dev/null
extract "$T/r4"
is "$(jq -c '."odoo:odoo:res.partner".write_date' "$S")" '"2026-02-01 12:10:00"' "the mark moves on"
RPC_HEADERS='X-Sandbox-Txn-Time: 2026-02-01 12:07:00' rpc res.partner write '[[11],{"ref":"LATE"}]' >/dev/null
RPC_HEADERS='X-Sandbox-Txn-Time: 2026-02-01 11:50:00' rpc res.partner write '[[12],{"ref":"LATER"}]' >/dev/null
is "$(rpc res.partner read '[[11],["write_date"]]' | jq -r '.[0].write_date')" \
	"2026-02-01 12:07:00" "the sandbox stamped it behind the mark"
extract "$T/r5"
is "$(jq -r 'select(.id == 11) | .ref' "$T/r5")" "LATE" \
	"a row committed behind the mark, within --overlap, is read"
ok "none twice" nodup "$T/r5"
is "$(jq -r 'select(.id == 12) | .ref' "$T/r5")" "" \
	"one stamped further back than --overlap (300 s) is not"
extract "$T/r6" --overlap 1800
is "$(jq -r 'select(.id == 12) | .ref' "$T/r6")" "LATER" "--overlap 1800 reaches it"
ok "none twice" nodup "$T/r6"

# --concurrency: the same records and checkpoints
cp "$S" "$T/st.save"
extract "$T/r7" --overlap 1800 --page-size 3
cp "$T/st.save" "$S"
extract "$T/r8" --overlap 1800 --page-size 3 --concurrency 3
same_file "$T/r8.all" "$T/r7.all" "--concurrency 3: the same lines, checkpoints included"

# nothing new: the mark again, alone
cp "$S" "$T/st.before"
clock '{"freeze":"2026-02-01 13:00:00"}'
extract "$T/r9"
is "$(ids "$T/r9")" "10 11 " "nothing new: only the overlap window again (at least once)"
is "$(jq -c 'select(has("_checkpoint")) | ._checkpoint.pos' "$T/r9.all" | tail -1)" \
	"$(jq -c '."odoo:odoo:res.partner"' "$T/st.before")" "and a checkpoint at the same mark"
clock '{"freeze":"2026-02-01 14:00:00"}'
rpc res.partner write '[[13],{"ref":"LAST"}]' >/dev/null
extract "$T/r10"
cp "$S" "$T/st.before"
extract "$T/r11" --overlap 0
is "$(wc -l <"$T/r11")" 1 "--overlap 0: the mark's own record only (>=)"
is "$(jq -c ._checkpoint.pos "$T/r11.all" | tail -1)" "$(jq -c '."odoo:odoo:res.partner"' "$T/st.before")" \
	"the mark stays"

# --since: a filter, no checkpoints without --state
is "$(odoo-extract -q --since '2026-02-01 12:05:00' --fields ref res.partner | jq -r .ref | sort | tr '\n' ' ')" \
	"LAST LATE NEW " "--since: write_date >= T"
ok "--since alone writes no checkpoint" sh -c "! odoo-extract -q --since 2026-01-01 res.partner | grep -q _checkpoint"
is "$(odoo-extract -q --since 2026-02-01T13:07:00+01:00 --fields ref res.partner | jq -r .ref | sort | tr '\n' ' ')" \
	"LAST LATE NEW " "--since with a zone"
is "$(odoo-extract --count --since '2026-02-01 12:05:00' res.partner)" 3 "--count --since"

# a state file whose position is not Odoo's
echo '{"odoo:odoo:res.partner":{"cursor":"x"}}' >"$T/bad.json"
run odoo-extract --state "$T/bad.json" res.partner 2>"$T/err" >/dev/null
is "$st" 65 "a position without write_date: 65"
like "$(cat "$T/err")" "bad.json': the position of 'odoo:odoo:res.partner' wants write_date" "says so"
done_testing
