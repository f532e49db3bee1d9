#!/bin/sh
# validate --dup-payment VENDOR,AMOUNT,DATE,REF [--id ID]: a payment with the
# vendor and amount of an earlier one, dated within --dup-window days, whose
# reference differs only in format, is flagged with the other's place —
# within the stream and against the payments of past runs (--history).
# Identical monthly amounts with new references are not duplicates.
. "${ERPIPE_TOP:-.}/tests/lib.sh"
cd "$T"

DP="--dup-payment partner_id,amount,date,ref --id id"
cat > pay <<'X'
{"id":1,"partner_id":[42,"Acme"],"amount":1200.00,"date":"2026-12-01","ref":"INV-0012"}
{"id":2,"partner_id":[42,"Acme"],"amount":1200,"date":"2026-12-03","ref":"inv 12"}
{"id":3,"partner_id":[42,"Acme"],"amount":1200.00,"date":"2026-12-04","ref":"INV-0013"}
{"id":4,"partner_id":[43,"Deco"],"amount":1200.00,"date":"2026-12-02","ref":"INV-0012"}
{"id":5,"partner_id":[42,"Acme"],"amount":1200.01,"date":"2026-12-02","ref":"#12"}
{"id":6,"partner_id":[42,"Acme"],"amount":1200.00,"date":"2026-12-20","ref":"No. 0012"}
{"id":7,"partner_id":[42,"Acme"],"amount":"1200.00","date":"2026-12-07 10:00:00","ref":"INV/12"}
{"id":8,"partner_id":[42,"Acme"],"amount":1200.00,"date":"2026-12-05","ref":null}
{"id":9,"partner_id":[42,"Acme"],"amount":1200.00,"ref":"INV-0012"}
{"id":1,"partner_id":[42,"Acme"],"amount":1200.00,"date":"2026-12-01","ref":"INV-0012"}
X
run validate $DP --rejects rej pay > out 2> err
is "$st" 65 "duplicates are rejects: 65"
is "$(jq -r '.record.id' rej | tr '\n' ' ')" "2 7 8 " \
	"'inv 12' and 'INV/12' are INV-0012; no reference cannot tell; another number, vendor, amount or 19 days later is not"
is "$(jq -c '.errors[0].duplicate_payment' rej | head -1)" \
	'{"vendor":"42","amount":"1200","date":"2026-12-03","ref":"inv 12","other":{"at":"pay:1","date":"2026-12-01","ref":"INV-0012","id":"1","from":"stream"},"days":2,"same_ref":"12"}' \
	"the flag carries the other's place, date, ref and id"
is "$(jq -r .error rej | head -1)" \
	"duplicate payment: 1200 to 42 on 2026-12-03, ref 'inv 12', as pay:1 (2026-12-01, ref 'INV-0012', id 1): the same reference '12' once normalised" \
	"the message explains it"
is "$(jq -r '.error' rej | sed -n 3p)" \
	"duplicate payment: 1200 to 42 on 2026-12-05, as pay:3 (2026-12-04, id 3), and no reference tells them apart" \
	"a payment without a reference: the closest in date"
like "$(cat err)" "dup-payment: checked 9, flagged 3, seen before 1, not checked 1" \
	"counts: a missing date is not checked; id 1 again is a replay, not a duplicate"
is "$(jq -r .id out | tr '\n' ' ')" "1 3 4 5 6 9 1 " "the replay passes"

# window: --dup-window 1 lets the 2- and 6-day ones pass
run validate -q $DP --dup-window 1 --rejects rej1 pay > /dev/null
is "$(jq -r '.record.id' rej1 | tr '\n' ' ')" "8 " "--dup-window 1: only the one a day after another"
run validate -q $DP --dup-window 30 --rejects rej30 pay > /dev/null
is "$(jq -r '.record.id' rej30 | tr '\n' ' ')" "2 6 7 8 " "--dup-window 30: 'No. 0012' 19 days later too"

# the trap: a subscription of the same amount every month, new reference each time
for m in 01 02 03 04 05 06 07 08 09 10 11 12; do
	printf '{"id":%d,"partner_id":[9,"Cloud"],"amount":99.00,"date":"2026-%s-03","ref":"SUB-2026-%s"}\n' "1$m" "$m" "$m"
done > sub
run validate -q $DP --anomaly amount --by partner_id --rejects rejs sub > outs
is "$st:$(wc -l < outs | tr -d ' ')" "0:12" "monthly identical amounts: neither duplicates nor anomalies"

# across runs: tonight's payment duplicates one of last week
head -1 pay > week
printf '%s\n' '{"id":20,"partner_id":[42,"Acme"],"amount":1200.00,"date":"2026-12-06","ref":"0012"}' > tonight
run validate -q $DP --history h week > /dev/null
is "$st" 0 "last week's run"
is "$(jq -c '.["erpipe:payments"].payments' h)" '[["42","1200","2026-12-01","INV-0012","1","week:1"]]' \
	"the history keeps the payment: vendor, amount, date, ref, id, place"
run validate -q $DP --history h --warnings w tonight > out2
is "$st:$(wc -l < out2 | tr -d ' ')" "0:1" "--warnings: it passes"
is "$(jq -c '.errors[0].duplicate_payment.other' w)" \
	'{"at":"week:1","date":"2026-12-01","ref":"INV-0012","id":"1","from":"history"}' \
	"flagged against last week's payment"
like "$(jq -r .error w)" "as week:1 in a past run" "the message says so"
is "$(jq -r '.["erpipe:payments"].payments | map(.[4]) | join(" ")' h)" "1 20" "and tonight's joins the history"

# the history forgets payments older than the window before the newest
printf '%s\n' '{"id":30,"partner_id":[42,"Acme"],"amount":5,"date":"2026-12-31","ref":"X1"}' > late
run validate -q $DP --history h late > /dev/null
is "$(jq -r '.["erpipe:payments"].payments | map(.[4]) | join(" ")' h)" "30" "older than 7 days before the newest: dropped"

# an Odoo record without a vendor, or a vendor of another kind: not checked
printf '%s\n' '{"id":1,"partner_id":false,"amount":1,"date":"2026-12-01","ref":"a"}' \
	'{"id":2,"partner_id":{"x":1},"amount":1,"date":"2026-12-01","ref":"a"}' \
	'{"id":3,"partner_id":7,"amount":"x","date":"2026-12-01","ref":"a"}' \
	'{"id":4,"partner_id":7,"amount":1,"date":"12/01/2026","ref":"a"}' > odd
run validate $DP odd > /dev/null 2> erro
like "$(cat erro)" "checked 0, flagged 0, seen before 0, not checked 4" "missing or odd fields: not checked"

# usage
run validate --dup-payment a,b,c pay 2> e1
is "$st:$(head -1 e1)" "64:validate: --dup-payment 'a,b,c': not VENDOR,AMOUNT,DATE,REF" "four fields"
run validate --dup-payment a,b,c,d --dup-payment a,b,c,d pay 2> e2
is "$st" 64 "once"
run validate --dup-payment a,b,c,d --dup-window -1 pay 2> e3
is "$st" 64 "a window of days >= 0"
done_testing
