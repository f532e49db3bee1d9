#!/bin/sh
# load verifies what Odoo kept, on the case that made the check necessary:
# Odoo 19 ignores sale.order currency_id on create (the pricelist decides,
# tests/fixtures/odoo-flows 50f-50i), so an order sent in EUR to a customer
# with the USD pricelist is "drifted" with {"field":"currency_id","sent":2,
# "stored":[1,"USD"]}, not "created"; a later write does store it (76), and
# the update is "updated"; --verify strict rejects the create.
# Needs an Odoo sandbox that follows the pricelist (branch odoo-sandbox);
# one that keeps the sent currency is said so and skipped.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-rpc.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-env.sh"
odoo_env --partners 5
usd=$(rpc res.currency search '[[["name","=","USD"]]]' | jq '.[0]')
eur=$(rpc res.currency search '[[["name","=","EUR"]]]' | jq '.[0]')
partner=$(rpc res.partner search '[[["name","!=",false]]]' '{"limit":1}' | jq '.[0]')
probe=$(rpc sale.order create "[{\"partner_id\":$partner,\"currency_id\":$eur}]")
if [ "$(rpc sale.order read "[[$probe]]" '{"fields":["currency_id"]}' | jq '.[0].currency_id[0]')" = "$eur" ]; then
	skip_all "this tree's Odoo sandbox keeps a currency_id sent on create (Odoo 19 does not)"
fi
rpc sale.order unlink "[[$probe]]" > /dev/null

printf '%s\n' "{\"client_order_ref\":\"C-1\",\"partner_id\":$partner,\"currency_id\":$eur}" \
	"{\"client_order_ref\":\"C-2\",\"partner_id\":$partner,\"currency_id\":$usd}" > "$T/in"
run load odoo sale.order -k client_order_ref "$T/in" > "$T/out" 2> "$T/err"
is "$st" 0 "a drift alone: 0"
id1=$(jq -s '.[0].id' "$T/out")
is "$(sed -n 1p "$T/out")" \
	"{\"key\":{\"client_order_ref\":\"C-1\"},\"id\":$id1,\"status\":\"drifted\",\"drift\":[{\"field\":\"currency_id\",\"sent\":$eur,\"stored\":[$usd,\"USD\"]}],\"error\":null}" \
	"the currency Odoo ignored on create: drifted, sent $eur, stored [$usd, \"USD\"]"
is "$(sed -n 2p "$T/out" | jq -r .status)" created "the pricelist's own currency: created"
is "$(cat "$T/err")" "load: read 2, wrote 2 (created 2, updated 0, unchanged 0, deleted 0), dropped 0, rejected 0, drifted 1" "counted"

printf '%s\n' "{\"client_order_ref\":\"C-1\",\"partner_id\":$partner,\"currency_id\":$eur}" > "$T/again"
run load -q odoo sale.order -k client_order_ref "$T/again" > "$T/out"
is "$(jq -r .status "$T/out")" updated "a write stores it (Odoo 19 does): updated, kept"

printf '%s\n' "{\"client_order_ref\":\"C-3\",\"partner_id\":$partner,\"currency_id\":$eur}" > "$T/strict"
run load -q odoo sale.order -k client_order_ref --verify strict --rejects "$T/rej" "$T/strict" > "$T/out"
is "$st:$(jq -r .status "$T/out")" "65:rejected" "--verify strict: the create rejected"
is "$(jq -c .errors "$T/rej")" "[{\"path\":\"/currency_id\",\"message\":\"sent $eur, stored [$usd,\\\"USD\\\"]\"}]" \
	"the reject names currency_id"
done_testing
