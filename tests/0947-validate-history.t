#!/bin/sh
# validate --history FILE: the state file --anomaly and --dup-payment keep
# between runs.  It is written atomically (temp, fsync, rename) at each
# checkpoint before the position is committed, and at the end of a run
# that succeeded — a run that fails leaves it as it was; it is locked for
# the run; a history that is not one is refused with its place.
. "${ERPIPE_TOP:-.}/tests/lib.sh"
cd "$T"

A="--anomaly amount_total --by partner_id --anomaly-min 3"
D="--dup-payment partner_id,amount_total,date,ref --id id"
bill() { printf '{"id":%d,"partner_id":7,"amount_total":%s,"date":"2026-12-%02d","ref":"B%d"}\n' "$1" "$2" "$1" "$1"; }
{ bill 1 100.00; bill 2 110.00; bill 3 90.00; } > night1
{ bill 4 105.00; bill 5 1000.00; } > night2

run validate -q $A $D --history h night1 > /dev/null
is "$st" 0 "night 1"
is "$(jq -c '.["erpipe:anomaly"]' h)" '{"v":1,"series":{"amount_total by partner_id":{"partner_id=7":[["100.00","1"],["110.00","2"],["90.00","3"]]}}}' \
	"the history: exact values, oldest first, with their records' --id"
ok "no temporary file left" sh -c '! ls h.tmp.* 2>/dev/null'
cp h h1

# a run that fails: the history is as it was
printf '{"id":6,"partner_id":7,"amount_total":50' > cut   # its writer died mid-line
run validate -q $A $D --history h night2 cut > /dev/null 2> e1
is "$st" 65 "a line cut short at the end: 65"
like "$(cat e1)" "cut short at end of input" "...as the stage says"
same_file h h1 "...and the history is untouched"
run validate -q $A $D --history h night2 missing > /dev/null 2> e2
is "$st" 66 "a missing input: 66"
same_file h h1 "...untouched"
run validate -q $A $D --history h --fail-fast night2 > /dev/null 2> e3
is "$st" 65 "--fail-fast stops at the flag"
same_file h h1 "...untouched"

# a run whose only failures are rejects succeeded: its records are history
run validate -q $A $D --history h --rejects rej night2 > /dev/null
is "$st" 65 "night 2: the 1000.00 is rejected (65)"
is "$(jq -c '.["erpipe:anomaly"].series[]["partner_id=7"] | map(.[0])' h)" '["100.00","110.00","90.00","105.00","1000.00"]' \
	"...and the run is committed, the flagged value too"
is "$(jq -r ".errors[0].anomaly.median" rej)" "102.50" "judged against night 1 and the 105.00 before it"

# the lock: a second run while one holds the history
exec 9> h.lock
flock -n 9
run validate -q $A --history h night1 > /dev/null 2> e4
is "$st" 75 "the history locked by another run: 75"
like "$(cat e4)" "locked by another run" "...says so"
exec 9>&-

# --history and --state are two files
run validate $A --history h --state h night1 2> e5
is "$st" 64 "--history and --state: two files"

# a bad history: refused, with the file and the place
printf '%s\n' '{"erpipe:anomaly":{"v":1,"series":{"a":{"g":["1.5","x"]}}}}' > bad
run validate -q $A --history bad night1 > /dev/null 2> e6
is "$st:$(cat e6)" "65:validate: history 'bad': erpipe:anomaly: a value is not a decimal text (item 1)" \
	"a value that is not a decimal"
printf 'not json' > bad2
run validate -q $A --history bad2 night1 > /dev/null 2> e7
is "$st" 65 "not JSON: 65"
# other streams in the file are kept
printf '%s\n' '{"mine":{"x":1}}' > other
run validate -q $A --history other night1 > /dev/null
is "$(jq -c .mine other)" '{"x":1}' "other members of the file are kept"

# with --state: the history is committed at each checkpoint, before the position
{
	bill 1 100.00
	echo '{"_checkpoint":{"stream":"odoo:t:account.move","v":1,"pos":{"id":1}}}'
	bill 2 110.00
	echo '{"_checkpoint":{"stream":"odoo:t:account.move","v":1,"pos":{"id":2}}}'
} > withcp
rm -f hc
# the reader of stdout goes away after the first checkpoint: the run stops there
run sh -c "validate -q $A $D --history hc --state st withcp | head -c 1 > /dev/null"
ok "a checkpoint committed the history" test -s hc
is "$(jq -r '.["erpipe:payments"].payments | length' hc)" "$(jq -r '.["odoo:t:account.move"].id' st)" \
	"the history holds what the committed position covers"
rm -f hc st
run validate -q $A $D --history hc --state st withcp > /dev/null
is "$(jq -c '[.["erpipe:payments"].payments[][4]]' hc):$(jq -c '.["odoo:t:account.move"]' st)" '["1","2"]:{"id":2}' \
	"both checkpoints: history and position agree"

# a replay after a crash: ids already in the history are not counted twice
run validate -q $A $D --history hc withcp > /dev/null 2> e8
is "$(jq -c '.["erpipe:anomaly"].series[]["partner_id=7"] | map(.[0])' hc)" '["100.00","110.00"]' \
	"records seen again (the same --id) do not join the history twice"
run validate $A $D --history hc withcp > /dev/null 2> e9
like "$(cat e9)" "judged 0, flagged 0, not judged 0 \\(fewer than 3 past values\\), no value 0, seen before 2" \
	"...nor judged again: counted as seen before"
run validate $A --history hc withcp > /dev/null 2> e10
like "$(cat e10)" "judged 1, flagged 1, not judged 1 .*seen before 0" \
	"without --id a record read twice counts twice (and 110.00 is judged against 100, 110, 100)"
done_testing
