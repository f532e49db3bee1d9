#!/bin/sh
# examples/scripts/nightly-ap-check against the Odoo sandbox, run as
# examples/cron/nightly-ap-check runs it: a vendor's posted bills over
# months make the history; a night with a bill entered twice (its reference
# retyped) and a total ten times the vendor's usual flags both, with what
# was measured; the night after flags nothing; a bill changed since (read
# again) is not its own duplicate; a run that fails commits nothing.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
sandbox_start odoo
. "$ERPIPE_TOP/tests/sandbox/odoo-rpc.sh"
BNG_URL=http://127.0.0.1:9   # no BNG here: its profile is written, never used
. "$ERPIPE_TOP/tests/sandbox/profiles.sh"
. "$ERPIPE_TOP/tests/sandbox/flow.sh"

flow_cron nightly-ap-check '30 2 \* \* \*' ap odoo
W=$T/ap
ap() { run sh -c "$cmd" >"$T/out" 2>"$T/err"; [ "$st" -le 1 ] || sed 's/^/#   /' "$T/err" | head -8; }
# bill VENDOR DATE REF AMOUNT: a posted vendor bill; prints its id
bill() {
	_b=$(rpc account.move create "[{\"move_type\":\"in_invoice\",\"partner_id\":$1,\"invoice_date\":\"$2\",\"ref\":\"$3\",\"invoice_line_ids\":[[0,0,{\"name\":\"services\",\"quantity\":1,\"price_unit\":$4,\"tax_ids\":[]}]]}]")
	odoo_post "$_b" >/dev/null
	echo "$_b"
}
v=$(rpc res.partner create '[{"name":"Hollow Pipes Ltd","is_company":true}]')
i=0
for a in 1000 1100 900 1050 950 1020 980 1010 990 1200 800 1000 1040 960; do
	i=$((i + 1))
	last=$(bill "$v" "$(date -u -d "2026-08-01 $((i * 7)) days" +%F)" "HP-$((100 + i))" "$a")   # weekly, the last on 2026-11-07
done
is "$(rpc account.move read "[[$last]]" '{"fields":["state","amount_total","ref"]}' | jq -c '.[0] | [.state, .amount_total, .ref]')" \
	'["posted",960,"HP-114"]' "the sandbox posts a vendor's bills"

# ---- night 1: the history is built
ap
is "$st" 0 "night 1: status 0"
ok "the history is kept" test -s "$W/history.json"
is "$(jq -c ".[\"erpipe:anomaly\"].series[\"amount_total by partner_id\"][\"partner_id=$v\"] | length" "$W/history.json")" 14 \
	"...the vendor's 14 totals"
ok "the position is committed" test -s "$W/state/bills.json"

# ---- night 2: last week's bill entered again, its reference retyped; a total x10
dup=$(bill "$v" 2026-11-09 "hp 0114" 960)
big=$(bill "$v" 2026-11-09 HP-115 10400)
ok100=$(bill "$v" 2026-11-09 HP-116 1015)
ap
is "$st" 1 "night 2: something flagged, status 1"
is "$(wc -l <"$T/out" | tr -d ' ')" 2 "...one line a flagged bill"
like "$(sed -n 1p "$T/out")" "^BILL/.* \\(Hollow Pipes Ltd\\): duplicate payment: 960 to $v on 2026-11-09, ref 'hp 0114', as stdin:[0-9]+ in a past run \\(2026-11-07, ref 'HP-114', id $last\\): the same reference 'HP.114' once normalised$" \
	"the bill entered twice, named with the one of last night"
like "$(sed -n 2p "$T/out")" "^BILL/.* \\(Hollow Pipes Ltd\\): anomaly: amount_total 10400(\\.0)? is 10.4 times the median" \
	"the total ten times the vendor's usual"
is "$(jq -c '[.record.id, (.errors[0] | .duplicate_payment.other.id // .anomaly.reason)]' "$W/flags.ndjson" | tr '\n' ' ')" \
	"[$dup,\"$last\"] [$big,\"far\"] " "flags.ndjson: the bills, the other bill's id, the reason"

# ---- night 3: nothing new
ap
is "$st:$(cat "$T/out")" "0:" "night 3: nothing new, nothing printed"
ok "flags.ndjson emptied" test ! -s "$W/flags.ndjson"

# ---- a bill changed since (read again by write_date): the same bill, not a duplicate
rpc account.move write "[[$ok100]]" '{"narration":"approved"}' >/dev/null
ap
is "$st:$(cat "$T/out")" "0:" "a bill read again is no duplicate of itself"

# ---- a run that fails commits nothing
cp "$W/history.json" "$T/h.before"
run env ODOO_URL=http://127.0.0.1:9 sh -c "$(echo "$cmd" | sed 's/ odoo / - /')" >"$T/out" 2>"$T/err"
ok "Odoo unreachable: the run fails ($st)" test "$st" -gt 1
same_file "$W/history.json" "$T/h.before" "...and the history is as it was"

# ---- the lock; the usage
flock "$W/state/nightly-ap-check.lock" sleep 3 &
sleep 0.5
cp "$W/history.json" "$T/h.before"
ap
is "$st" 0 "a run that finds the last one going: status 0"
same_file "$W/history.json" "$T/h.before" "...and it did nothing"
wait
run "$ERPIPE_TOP/examples/scripts/nightly-ap-check" a b c 2>"$T/err"
is "$st:$(cat "$T/err")" "64:usage: nightly-ap-check [ODOO_PROFILE [DIR]]" "three arguments: 64 with the usage"
done_testing
