#!/bin/sh
# the Odoo sandbox's warehouse and purchasing as Odoo 19 (tests/fixtures/
# odoo-flows 57-64) through the helpers of tests/sandbox/odoo-rpc.sh
# (odoo_validate_picking: full, and short with the backorder wizard; a move
# at 0 or not picked moves whole to the backorder, as Odoo 19's
# stock.move._action_done), vendor
# bills, default taxes, sequences that a failed call still uses up, and the
# --currencies fresh seed (EUR and GBP archived, as in a new database).
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-rpc.sh"
sandbox_start odoo --partners 5 --api-key admin:0a1b2c3d4e5f60718293a4b5c6d7e8f901234567
fld() { rpc "$1" read "[[$2]]" "{\"fields\":$3}" | jq -c ".[0] | [$(printf '%s' "$3" | jq -r 'map(".\(.)") | join(",")')]"; }

# a line without tax_ids gets the product's taxes; tax_ids [] means none
so=$(rpc sale.order create '[{"partner_id":9,"order_line":[[0,0,{"product_id":5,"product_uom_qty":3,"price_unit":10}],[0,0,{"product_id":6,"product_uom_qty":1,"price_unit":10,"tax_ids":[]}]]}]')
is "$(fld sale.order "$so" '["amount_untaxed","amount_tax","amount_total"]')" '[40,4.5,44.5]' \
	"an order line sent without tax_ids: the product's 15%"

# deliveries: full, then short with a backorder
rpc sale.order action_confirm "[[$so]]" >/dev/null
pk=$(rpc sale.order read "[[$so]]" '{"fields":["picking_ids"]}' | jq '.[0].picking_ids[0]')
is "$(fld stock.picking "$pk" '["state","picking_type_code"]')" '["assigned","outgoing"]' "confirming makes a ready delivery"
onhand() { # PRODUCT: its quants' quantity in WH/Stock (8)
	rpc stock.quant search_read "[[[\"product_id\",\"=\",$1],[\"location_id\",\"=\",8]]]" '{"fields":["quantity"]}' |
		jq -c '[.[].quantity]'
}
q5=$(onhand 5 | jq '.[0]') q6=$(onhand 6 | jq '.[0]')
is "$(odoo_validate_picking "$pk")" "" "the full quantity: done, no backorder"
is "$(onhand 5)$(onhand 6)" "[$((q5 - 3))][$((q6 - 1))]" "...what it delivered left WH/Stock's quants"
is "$(fld stock.picking "$pk" '["state","backorder_ids"]')$(fld sale.order "$so" '["delivery_status"]')" '["done",[]]["full"]' \
	"the delivery done, the order fully delivered"
so2=$(rpc sale.order create '[{"partner_id":9,"order_line":[[0,0,{"product_id":5,"product_uom_qty":5,"price_unit":10}]]}]')
rpc sale.order action_confirm "[[$so2]]" >/dev/null
pk=$(rpc sale.order read "[[$so2]]" '{"fields":["picking_ids"]}' | jq '.[0].picking_ids[0]')
is "$(rpc stock.picking button_validate "[[$pk]]")" true "button_validate with the reserved quantity: true"
so3=$(rpc sale.order create '[{"partner_id":9,"order_line":[[0,0,{"product_id":5,"product_uom_qty":5,"price_unit":10}]]}]')
rpc sale.order action_confirm "[[$so3]]" >/dev/null
pk=$(rpc sale.order read "[[$so3]]" '{"fields":["picking_ids"]}' | jq '.[0].picking_ids[0]')
mv=$(rpc stock.picking read "[[$pk]]" '{"fields":["move_ids"]}' | jq '.[0].move_ids[0]')
rpc stock.move write "[[$mv],{\"quantity\":2,\"picked\":true}]" >/dev/null
is "$(rpc stock.picking button_validate "[[$pk]]" | jq -c '[.res_model, .target, .context]')" \
	"[\"stock.backorder.confirmation\",\"new\",{\"button_validate_picking_ids\":[$pk],\"default_show_transfers\":false,\"default_pick_ids\":[[4,$pk]]}]" \
	"a short quantity: the backorder wizard"
is "$(fld stock.picking "$pk" '["state"]')" '["assigned"]' "...and nothing done yet"
bo=$(odoo_validate_picking "$pk" 2)
is "$(fld stock.picking "$pk" '["state","backorder_ids"]')" "[\"done\",[$bo]]" "processed: done, with a backorder"
is "$(fld stock.picking "$bo" '["state","backorder_id"]' | jq -c '[.[0], .[1][0]]')$(fld stock.move "$(rpc stock.picking read "[[$bo]]" '{"fields":["move_ids"]}' | jq '.[0].move_ids[0]')" '["product_uom_qty"]')" \
	"[\"assigned\",$pk][3]" "the backorder ready for the rest"
is "$(fld sale.order "$so3" '["delivery_status"]')$(rpc sale.order.line search_read "[[[\"order_id\",\"=\",$so3]]]" '{"fields":["qty_delivered"]}' | jq -c '[.[].qty_delivered]')" \
	'["partial"][2]' "the order partially delivered"

# a move left at 0 is not done: the same move goes whole to the backorder,
# reserved again and not picked (stock.move._action_done, picking.
# _create_backorder); without a backorder it is cancelled
moves() { rpc stock.picking read "[[$1]]" '{"fields":["move_ids"]}' | jq -c '.[0].move_ids'; }
two() { # a confirmed order of two lines: so, its delivery pk, its moves m1 m2
	so=$(rpc sale.order create '[{"partner_id":9,"order_line":[[0,0,{"product_id":5,"product_uom_qty":2,"price_unit":10}],[0,0,{"product_id":6,"product_uom_qty":3,"price_unit":10}]]}]')
	rpc sale.order action_confirm "[[$so]]" >/dev/null
	pk=$(rpc sale.order read "[[$so]]" '{"fields":["picking_ids"]}' | jq '.[0].picking_ids[0]')
	m1=$(moves "$pk" | jq '.[0]') m2=$(moves "$pk" | jq '.[1]')
}
two
bo=$(odoo_validate_picking "$pk" 2 0)
is "$(fld stock.picking "$pk" '["state","backorder_ids","move_ids"]')" "[\"done\",[$bo],[$m1]]" \
	"a move at 0: the delivery done with the other move alone"
is "$(moves "$bo")$(fld stock.move "$m2" '["state","quantity","picked","product_uom_qty","picking_id"]' | jq -c '.[4] |= .[0]')" \
	"[$m2][\"assigned\",3,false,3,$bo]" "the same move in the backorder, reserved again, not picked"
is "$(fld stock.move "$m1" '["state","quantity"]')$(rpc sale.order.line search_read "[[[\"order_id\",\"=\",$so]]]" '{"fields":["qty_delivered"],"order":"id"}' | jq -c '[.[].qty_delivered]')$(fld sale.order "$so" '["delivery_status"]')" \
	'["done",2][2,0]["partial"]' "the order: one line delivered, partially"
is "$(odoo_validate_picking "$bo")$(fld stock.picking "$bo" '["state"]')$(fld sale.order "$so" '["delivery_status"]')" \
	'["done"]["full"]' "the backorder delivered in full"
two
rpc stock.move write "[[$m1],{\"quantity\":2,\"picked\":true}]" >/dev/null
rpc stock.move write "[[$m2],{\"quantity\":0,\"picked\":true}]" >/dev/null
ctx=$(rpc stock.picking button_validate "[[$pk]]" | jq -c '{context: .context}')
w=$(rpc stock.backorder.confirmation create '[{}]' "$ctx")
is "$(rpc stock.backorder.confirmation process_cancel_backorder "[[$w]]" "$ctx")" true "no backorder: true"
is "$(fld stock.picking "$pk" '["state","backorder_ids"]')$(fld stock.move "$m2" '["state"]')" \
	'["done",[]]["cancel"]' "...the move at 0 cancelled, no backorder"
# a move not picked beside one picked is not done either
two
rpc stock.move write "[[$m1],{\"picked\":true}]" >/dev/null
ctx=$(rpc stock.picking button_validate "[[$pk]]" | jq -c '{context: .context}')
is "$ctx" "{\"context\":{\"button_validate_picking_ids\":[$pk],\"default_show_transfers\":false,\"default_pick_ids\":[[4,$pk]]}}" \
	"a move reserved but not picked beside a picked one: the backorder wizard"
w=$(rpc stock.backorder.confirmation create '[{}]' "$ctx")
rpc stock.backorder.confirmation process "[[$w]]" "$ctx" >/dev/null
bo=$(rpc stock.picking search "[[[\"backorder_id\",\"=\",$pk]]]" | jq '.[0]')
is "$(fld stock.picking "$pk" '["move_ids"]')$(moves "$bo")" "[[$m1]][$m2]" "...the move not picked goes to the backorder"
# nothing to move is refused
two
for m in $(moves "$pk" | jq '.[]'); do rpc stock.move write "[[$m],{\"quantity\":0}]" >/dev/null; done
like "$(rpc stock.picking button_validate "[[$pk]]")" "^ERROR odoo.exceptions.UserError: Transfer trouble alert! Validating a zero quantity transfer" \
	"every quantity 0: refused"
is "$(fld stock.picking "$pk" '["state"]')" '["assigned"]' "...and nothing done"

# a product with no stock delivered: a quant below zero, as Odoo allows
so=$(rpc sale.order create '[{"partner_id":9,"order_line":[[0,0,{"product_id":53,"product_uom_qty":4,"price_unit":10}]]}]')
rpc sale.order action_confirm "[[$so]]" >/dev/null
q53=$(onhand 53 | jq 'add // 0')
odoo_validate_picking "$(rpc sale.order read "[[$so]]" '{"fields":["picking_ids"]}' | jq '.[0].picking_ids[0]')" >/dev/null
is "$(onhand 53 | jq 'add')" "$((q53 - 4))" "a delivery without the stock: WH/Stock's quant goes below zero"

# procure to pay
po=$(rpc purchase.order create '[{"partner_id":12,"partner_ref":"VQ-1","order_line":[[0,0,{"product_id":53,"product_qty":5,"price_unit":70}],[0,0,{"product_id":57,"product_qty":20,"price_unit":1}]]}]')
rpc purchase.order button_confirm "[[$po]]" >/dev/null
is "$(fld purchase.order "$po" '["state","receipt_status","invoice_status","amount_total"]')" '["purchase","pending","no",425.5]' \
	"a confirmed purchase: a receipt pending, nothing to bill, the default purchase tax"
rc=$(rpc purchase.order read "[[$po]]" '{"fields":["picking_ids"]}' | jq '.[0].picking_ids[0]')
like "$(odoo_validate_picking "$rc" 2>&1)" "You need to supply a Lot/Serial number for products \[FURN_5555\] Cable Management Box\." \
	"a lot-tracked product needs its lot"
ml=$(rpc stock.move.line search "[[[\"picking_id\",\"=\",$rc],[\"product_id\",\"=\",53]]]" | jq '.[0]')
rpc stock.move.line write "[[$ml],{\"lot_name\":\"LOT-1\"}]" >/dev/null
q53=$(onhand 53 | jq 'add // 0')
is "$(odoo_validate_picking "$rc")" "" "with its lot: received"
is "$(onhand 53 | jq 'add')" "$((q53 + 5))" "...what it received reached WH/Stock's quant"
is "$(fld stock.move.line "$ml" '["lot_id"]' | jq -c '.[0][1]')$(fld purchase.order "$po" '["receipt_status","invoice_status"]')" \
	'"LOT-1"["full","to invoice"]' "the lot made; the order received, to bill"
act=$(rpc purchase.order action_create_invoice "[[$po]]")
bill=$(printf '%s\n' "$act" | jq .res_id)
is "$(printf '%s\n' "$act" | jq -c '[.xml_id, .context.default_move_type]')" '["account.action_move_in_invoice_type","in_invoice"]' \
	"action_create_invoice: the Bills action"
like "$(rpc account.move action_post "[[$bill]]")" "The Bill/Refund date is required to validate this document\.$" \
	"a bill without its date is not posted"
rpc account.move write "[[$bill],{\"invoice_date\":\"2026-12-07\",\"ref\":\"VB-1\"}]" >/dev/null
rk=$(fld res.partner 12 '["supplier_rank"]' | jq '.[0]')
odoo_post "$bill"
like "$(fld account.move "$bill" '["name"]')" '^\["BILL/2026/12/[0-9]{4}"\]$' "bills are numbered by month"
p=$(odoo_register_payment "$bill")
is "$(fld account.payment "$p" '["payment_type","partner_type","memo","state"]')$(fld account.move "$bill" '["payment_state"]')" \
	'["outbound","supplier","VB-1","in_process"]["paid"]' "a vendor payment: the bill paid, the payment in process, its memo the bill's ref"
is "$(fld res.partner 12 '["supplier_rank"]' | jq '.[0]')" "$((rk + 2))" "supplier_rank + 1 per posted bill and payment"
KEY=0a1b2c3d4e5f60718293a4b5c6d7e8f901234567
code=$(curl -sS -o "$T/j2" -w '%{http_code}' -H 'Content-Type: application/json' -H "Authorization: bearer $KEY" \
	"$ODOO_URL/json/2/account.move/unlink" -d "{\"ids\":[$bill]}")
is "$code $(jq -r .message "$T/j2")" \
	"422 You can't delete a posted journal item. Don$(printf '\342\200\231')t play games with your accounting records; reset the journal entry to draft before deleting it." \
	"JSON-2: a posted bill is not deleted, 422"
ok "...the U+2019 escaped on the wire" grep -q 'Don\\u2019t' "$T/j2"

# a create that fails still uses up its number
n1=$(rpc sale.order create '[{"partner_id":9}]')
rpc sale.order create '[{"partner_id":9,"order_line":[[0,0,{"product_id":5,"tax_id":[[6,0,[1]]]}]]}]' >/dev/null
n3=$(rpc sale.order create '[{"partner_id":9}]')
is "$(rpc sale.order read "[[$n1,$n3]]" '{"fields":["name"]}' | jq -r '[.[].name[1:] | tonumber] | .[1] - .[0]')" 2 \
	"a failed create used up an order number"

# --currencies fresh: EUR and GBP archived
SANDBOX_ID=fresh sandbox_start odoo --partners 5 --currencies fresh
is "$(ODOO_URL=$FRESH_URL rpc res.currency search_read '[[["name","in",["EUR","GBP","USD","JPY"]]]]' '{"fields":["name"],"context":{"active_test":false}}' | jq -c '[.[] | .name]')$(ODOO_URL=$FRESH_URL rpc res.currency search_read '[[]]' '{"fields":["name"]}' | jq -c '[.[] | .name]')" \
	'["USD","EUR","GBP","JPY"]["USD"]' "--currencies fresh: only the company's USD active"
done_testing
