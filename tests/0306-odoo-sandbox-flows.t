#!/bin/sh
# Replays the stateful real Odoo 19 transcripts in tests/fixtures/odoo-flows
# (order to cash, deliveries, procure to pay, master data) against one fresh
# sandbox in file order: ids learnt from the answers, the facts under test
# (states, display types, names, amounts, ranks, labels, actions) compared by
# value.  See tests/sandbox/odoo_replay.py.  Then the replay itself is checked:
# a transcript doctored to say another state must fail it.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
FIX=$ERPIPE_TOP/tests/fixtures/odoo-flows
[ -d "$FIX" ] || { echo "1..1"; echo "not ok 1 - no Odoo transcripts in $FIX"; exit 1; }
KEY=5f0c4d2a9b7e61d3c8a04f2e9d1b6c7a3e8f0d21
REPLAY="$PYTHON $ERPIPE_TOP/tests/sandbox/odoo_replay.py --key $KEY"
sandbox_start odoo --db peer --user admin:admin --api-key admin:$KEY --partners 200
st=0
$REPLAY "$ODOO_URL" "$FIX" > "$T/tap" || st=$?
# its TAP lines are this test's first ones (the counters of lib.sh follow them)
grep -v '^1\.\.' "$T/tap"
_tap_n=$(grep -c '^\(not \)\{0,1\}ok ' "$T/tap" || :)
_tap_fail=$(grep -c '^not ok ' "$T/tap" || :)
is "$_tap_n" "$(ls "$FIX"/*.json | wc -l | tr -d ' ')" "every transcript replayed (replay status $st)"

# the replay fails a sandbox that answers otherwise than the transcript
mkdir "$T/bad"
for f in 50k_partner_create_o2c_customer 50l_sale_order_create_with_lines 51_sale_order_action_confirm; do
	cp "$FIX/$f.json" "$T/bad/"
done
jq '.response.body.result[0].state = "draft" | .response.body.result[0].invoice_status = "no"' \
	"$FIX/51a_sale_order_read_after_confirm.json" > "$T/bad/51a_sale_order_read_after_confirm.json"
SANDBOX_ID=fresh sandbox_start odoo --db peer --user admin:admin --api-key admin:$KEY --partners 5
st=0
$REPLAY "$FRESH_URL" "$T/bad" > "$T/badtap" || st=$?
is "$st:$(grep -c '^ok' "$T/badtap"):$(grep '^not ok' "$T/badtap")" \
	"1:3:not ok 4 - 51a_sale_order_read_after_confirm" "a doctored transcript fails the replay"
like "$(grep '^#' "$T/badtap" | tr '\n' ' ')" "/result/0/state: 'sale', want 'draft'.*invoice_status: 'to invoice', want 'no'" \
	"...naming the values that differ"
done_testing
