#!/bin/sh
# reconcile --sum / --group-by: control totals compared exactly in decimal,
# per value, per month or day (in --date-zone), or as one grand total.
. "${ERPIPE_TOP:-.}/tests/lib.sh"
cd "$T"

cat >l.ndjson <<'EOF'
{"date":"2026-01-31T23:30:00Z","acct":"400","amount":0.1,"qty":1}
{"date":"2026-01-15 10:00:00","acct":"400","amount":0.2,"qty":"2"}
{"date":"2026-02-01 00:30:00","acct":"410","amount":10,"qty":null}
{"date":"2026-02-10 08:00:00","acct":"400","amount":-5.25,"qty":false}
{"date":"2026-03-01 12:00:00","acct":"410","amount":1e2}
{"_checkpoint":{"stream":"x","v":1,"pos":{}}}
EOF
cat >r.ndjson <<'EOF'
{"Posted":"2026-01-20","Account":"400","Amount":0.3,"Qty":3}
{"Posted":"2026-02-01","Account":"410","Amount":"10.00","Qty":0}
{"Posted":"2026-02-28","Account":"400","Amount":-5.24}
{"Posted":"2026-04-02","Account":"400","Amount":7}
EOF

run reconcile --sum amount=Amount --group-by date=Posted:month l.ndjson r.ndjson >out
is "$st:$(cat out)" '1:{"status":"changed","key":"2026-02","diff":{"amount":[4.75,4.76]},"count":[2,2]}
{"status":"only_left","key":"2026-03","diff":{"amount":[100,null]},"count":[1,0]}
{"status":"only_right","key":"2026-04","diff":{"amount":[null,7]},"count":[0,1]}' \
	"per month, sorted: 0.1 + 0.2 = 0.3 exactly; a numeric string counts; 1e2 is 100"
run reconcile --sum amount=Amount --group-by date=Posted:month --all l.ndjson r.ndjson >out
like "$(head -1 out)" '^\{"status":"match","key":"2026-01","count":\[2,1\]\}$' "--all: the groups that match"
run reconcile --sum amount=Amount --group-by date=Posted:month --tolerance amount=0.01 l.ndjson r.ndjson >out
is "$(jq -r .key out | tr '\n' ' ')" "2026-03 2026-04 " "--tolerance applies to the sums"
run reconcile --sum amount=Amount,qty=Qty --group-by date=Posted:month l.ndjson r.ndjson >out
is "$(grep -c 2026-01 out)" 0 "several sums; empties count as nothing"
run reconcile --sum amount=Amount --group-by date=Posted:day l.ndjson r.ndjson >out
is "$(jq -r .key out | sort | head -3 | tr '\n' ' ')" "2026-01-15 2026-01-20 2026-01-31 " "per day"
run reconcile --sum amount=Amount --group-by date=Posted:month --date-zone Europe/Brussels l.ndjson r.ndjson >out
is "$(jq -r '.key + " " + (.diff.amount | map(tostring) | join(","))' out | tr '\n' ';')" \
	"2026-01 0.2,0.3;2026-02 4.85,4.76;2026-03 100,null;2026-04 null,7;" \
	"--date-zone: 23:30 UTC on the 31st is February in Brussels; a date stays its day"
run reconcile --sum amount=Amount --group-by acct=Account l.ndjson r.ndjson >out
is "$(cat out)" '{"status":"changed","key":"400","diff":{"amount":[-4.95,2.06]},"count":[3,3]}
{"status":"changed","key":"410","diff":{"amount":[110,10.00]},"count":[2,1]}' "per value of a field"
run reconcile --sum amount=Amount l.ndjson r.ndjson >out
is "$(cat out)" '{"status":"changed","key":null,"diff":{"amount":[105.05,12.06]},"count":[5,4]}' \
	"no --group-by: one grand total"
run reconcile --sum amount=Amount --format summary l.ndjson r.ndjson >out
like "$(cat out)" "groups:" "summary of totals"
like "$(cat out)" "amount +null +105.05 -> 12.06  \(-92.99\)" "... with the difference"

# bad values
printf '{"date":"2026-01-01","amount":"abc"}\n{"date":"2026-01-02","amount":1}\n' >bad.ndjson
run reconcile --sum amount=Amount --group-by date=Posted:month bad.ndjson r.ndjson >out 2>err
is "$st:$(cat err)" "65:reconcile: bad.ndjson:1: 'amount': \"abc\" is not a number" "a value that is not a number"
printf '{"date":"soon","amount":1}\n' >bad2.ndjson
run reconcile --sum amount=Amount --group-by date=Posted:month bad2.ndjson r.ndjson >out 2>err
is "$st:$(cat err)" "65:reconcile: bad2.ndjson:1: 'date': \"soon\" is not a date" "a group that is not a date"
printf '{"a":99999999999999999999999999999999999999}\n{"a":99999999999999999999999999999999999999}\n' >big.ndjson
run reconcile --sum a big.ndjson big.ndjson 2>err
is "$st:$(cat err)" "65:reconcile: big.ndjson:2: the sum of 'a' overflows" "an overflowing sum"
run reconcile --sum a --group-by x:week l.ndjson r.ndjson 2>err
is "$st:$(head -1 err)" "64:reconcile: --group-by 'x:week': FIELD, FIELD:month or FIELD:day" "a bad unit"

done_testing
