#!/bin/sh
# The reconcile scripts in examples/ run on the sample data in
# examples/data (shaped as the extractors write it) and find what was
# planted there.
. "${ERPIPE_TOP:-.}/tests/lib.sh"
cp -R "$ERPIPE_TOP/examples" "$T/ex"
cd "$T"

run "$T/ex/reconcile-partners.sh" >out 2>err
is "$st" 1 "partners: status 1, the systems differ"
is "$(sed -n '/^keys:/,/^fields/p' out | tr -s ' ')" "keys:
 match 4
 changed 2
 only_left 1
 only_right 1
 duplicate_key 0
fields that differ:" "partners: the counts"
is "$(grep '^{' out)" '{"_op":"update","_key":{"ExternalID":"odoo:27"},"LastName":"Müller"}
{"_op":"update","_key":{"ExternalID":"odoo:31"},"Status":"Active"}
{"_op":"create","_key":{"ExternalID":"odoo:33"},"ExternalID":"odoo:33","CompanyName":"Lumber Inc","FirstName":null,"LastName":null,"Email":"lumber-inv92@example.com","Phone":"+1 555-0133","BillingAddress":"1337 N San Joaquin St, 95202 Stockton","CreditLimit":0.0,"Status":"Active"}' \
	"partners: the fixes for BNG"
is "$(cat err)" "" "partners: nothing on stderr"

run "$T/ex/reconcile-gl-totals.sh" >out 2>err
is "$st:$(cat err)" "1:" "G/L totals: status 1"
is "$(cat out)" '{"status":"match","key":"2026-09","count":[3,3]}
{"status":"changed","key":"2026-10","diff":{"Amount":[-3065.4,-3155.4]},"count":[2,2]}
{"status":"match","key":"2026-11","count":[2,2]}
{"status":"only_left","key":"2026-12","diff":{"Amount":[-1999.99,null]},"count":[1,0]}' \
	"G/L totals: October differs by the 890/980 typo, December is only in NAV"
run "$T/ex/reconcile-gl-totals.sh" --format summary >out
like "$(cat out)" "Amount +2026-10 +-3065.4 -> -3155.4  \(-90.0\)" "G/L totals: extra options pass through"

# every example map still compiles
for m in $(cd "$ERPIPE_TOP/examples/maps" && find . -name '*.map' | sort); do
	ok "map $m compiles" xform --check "$ERPIPE_TOP/examples/maps/$m"
done

done_testing
