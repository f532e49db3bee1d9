#!/bin/sh
# validate --anomaly FIELD [--by GROUP]: a value far from its group's past
# (median and MAD) is flagged with its score and reason, as a reject or,
# with --warnings, as a warning that lets it pass; a group with too little
# past is not judged, and says so in the counts.
. "${ERPIPE_TOP:-.}/tests/lib.sh"
cd "$T"

# twelve ordinary bills of vendor 42, four of vendor 7, then the ones to judge
{
	for a in 1000.00 1100.00 900.00 1050.00 950.00 1020.00 980.00 1010.00 990.00 1200.00 800.00 1000.00; do
		printf '{"partner_id":[42,"Acme"],"amount_total":%s}\n' "$a"
	done
	for a in 10.00 11.00 12.00 13.00; do
		printf '{"partner_id":[7,"Deco"],"amount_total":%s}\n' "$a"
	done
	printf '%s\n' '{"partner_id":[42,"Acme"],"amount_total":98000.00}' \
		'{"partner_id":[42,"Acme"],"amount_total":"10.00"}' \
		'{"partner_id":[42,"Acme"],"amount_total":1150.00}' \
		'{"partner_id":[42,"Acme"],"amount_total":-1000.00}' \
		'{"partner_id":[7,"Deco"],"amount_total":9999.00}' \
		'{"partner_id":[42,"Acme"],"amount_total":null}' \
		'{"partner_id":[42,"Acme"]}'
} > bills

run validate --anomaly amount_total --by partner_id --rejects rej bills > out 2> err
is "$st" 65 "flags are rejects: 65"
is "$(wc -l < out | tr -d ' ')" 20 "the others are written"
is "$(jq -r '.source | sub(".*:"; "")' rej | tr '\n' ' ')" "17 18 20 " "x98, a /100 slip and a negative flagged"
is "$(jq -c '.errors[0].anomaly' rej | head -1)" \
	'{"field":"amount_total","value":"98000.00","group":"partner_id=42","n":12,"median":"1000.00","mad":"35.00","ratio":98,"score":89.6,"cut":5,"scale":"log","reason":"far"}' \
	"the flag carries value, group, exact median and MAD, score and reason"
is "$(jq -r '.error' rej | head -1)" \
	"/amount_total: anomaly: amount_total 98000.00 is 98 times the median 1000.00 of the last 12 values of partner_id=42 (MAD 35.00): score 89.6, cut 5" \
	"the message explains it"
is "$(jq -r '.errors[0].anomaly | "\(.value) \(.n) \(.scale) \(.reason)"' rej | tail -2 | tr '\n' '|')" \
	"10.00 13 log far|-1000.00 15 linear sign|" \
	"a number's text counts; flagged values join the history (n grows); a sign flip"
like "$(cat err)" "anomaly amount_total by partner_id: judged 4, flagged 3, not judged 17 \\(fewer than 12 past values\\), no value 2" \
	"counts: judged, flagged, not judged for want of history, no value"
like "$(cat err)" "read 23, wrote 20, dropped 0, rejected 3" "every record ends in one outcome"

# vendor 7's 9999.00 had only four past values: not judged, not flagged
is "$(grep -c 9999 out)" 1 "a group with too little history passes unjudged"
run validate -q --anomaly amount_total --by partner_id --anomaly-min 4 --rejects rej4 bills > /dev/null
is "$(jq -r '.errors[0].anomaly | "\(.group) \(.n)"' rej4 | tail -1)" "partner_id=7 4" "--anomaly-min 4 judges it"

# --warnings: the record passes, the flag goes to the file, same shape
run validate --anomaly amount_total --by partner_id --warnings warn --rejects rej2 bills > out2 2> err2
is "$st" 0 "warnings only: 0"
is "$(wc -l < out2 | tr -d ' ')" 23 "every record written"
ok "no rejects" test ! -s rej2
same_file warn rej "warnings: the lines a reject would be"
like "$(cat err2)" "validate: warnings 3" "counted"
run validate -q --anomaly amount_total --by partner_id --warnings - bills > /dev/null 2> err3
is "$(grep -c "bills:[0-9]*: validate: /amount_total: anomaly: amount_total" err3)" 3 "--warnings -: one line each on stderr"

# without --by: one group; --anomaly-cut
run validate -q --anomaly amount_total --anomaly-cut 1000 --rejects rej5 bills > /dev/null
is "$st" 65 "one group for all"
is "$(jq -r '.errors[0].anomaly | "\(.group) \(.reason)"' rej5 | tr '\n' '|')" "all sign|" \
	"--anomaly-cut 1000: only the sign flip is left"

# another check's reject keeps its value out of the history
printf '%s\n' '{"g":1,"a":5}' '{"g":1,"a":5}' '{"g":1,"a":500,"bad":1}' '{"g":1,"a":6}' > small
run validate -q --rule '$bad == null' --anomaly a --anomaly-min 2 --history h small > /dev/null
is "$(jq -c '.["erpipe:anomaly"].series.a.all' h)" '["5","5","6"]' \
	"a record rejected by a rule does not join; the history keeps exact texts"

# a decimal is exact: 0.1 + 0.2 is not 0.30000000000000004 anywhere
printf '%s\n' '{"a":0.10}' '{"a":0.20}' '{"a":0.30}' '{"a":30.00}' > exact
run validate -q --anomaly a --anomaly-min 3 --rejects rej6 exact > /dev/null
is "$(jq -r '.errors[0].anomaly | "\(.median) \(.mad)"' rej6)" "0.20 0.10" "median and MAD exact decimals"

# usage
run validate --by partner_id bills 2> e1
is "$st:$(cat e1 | head -1)" "64:validate: --by 'partner_id' must follow an --anomaly" "--by needs an --anomaly"
run validate --anomaly a --by x --by y bills 2> e2
is "$st" 64 "--by twice"
run validate --anomaly a --anomaly-cut 0 bills 2> e3
is "$st:$(head -1 e3)" "64:validate: --anomaly-cut '0': not a score > 0" "a score > 0"
run validate --anomaly a --anomaly-min 60 --anomaly-keep 50 bills 2> e4
is "$st:$(head -1 e4)" "64:validate: --anomaly-min 60 is more than --anomaly-keep 50" "min <= keep"
run validate --anomaly '' bills 2> e5
is "$st" 64 "an empty field"
done_testing
