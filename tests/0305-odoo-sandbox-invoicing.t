#!/bin/sh
# the Odoo sandbox invoices and pays as Odoo 19 does (tests/fixtures/odoo-flows
# 52-56), and the helpers of tests/sandbox/odoo-rpc.sh do it Odoo's way: the
# invoicing wizard (consolidated or separate), action_post, the register-payment
# wizard (partial, then paid); a payment made with invoice_ids pays nothing.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-rpc.sh"
sandbox_start odoo --partners 5
fld() { rpc "$1" read "[[$2]]" "{\"fields\":$3}" | jq -c ".[0] | [$(printf '%s' "$3" | jq -r 'map(".\(.)") | join(",")')]"; }
order() {
	rpc sale.order create "[{\"partner_id\":$1,\"client_order_ref\":\"$2\",\"order_line\":[
		[0,0,{\"display_type\":\"line_section\",\"name\":\"Chairs\"}],
		[0,0,{\"product_id\":5,\"product_uom_qty\":2,\"price_unit\":10,\"tax_ids\":[[6,0,[1]]]}],
		[0,0,{\"product_id\":6,\"product_uom_qty\":1,\"price_unit\":7,\"tax_ids\":[]}]]}]"
}
so=$(order 3 X1)
like "$(odoo_invoice_orders "$so" 2>&1)" "There is no invoiceable line" "a quotation is not invoiced"
is "$(fld sale.order "$so" '["invoice_status","delivery_status"]')" '["no",false]' "a quotation: nothing to invoice"
rpc sale.order action_confirm "[[$so]]" >/dev/null
is "$(fld sale.order "$so" '["state","invoice_status","delivery_status"]')" '["sale","to invoice","pending"]' \
	"confirmed: to invoice, a delivery pending"
mvs=$(odoo_invoice_orders "$so")
mv=$(printf '%s\n' "$mvs" | jq '.[0]')
is "$(fld account.move "$mv" '["name","move_type","state","ref","amount_untaxed","amount_total","amount_residual","payment_state","display_name"]')" \
	'[false,"out_invoice","draft","X1",27,30,30,"not_paid","Draft Invoice (X1)"]' \
	"a draft invoice of the order's amounts, no name yet"
is "$(rpc account.move.line search_read "[[[\"move_id\",\"=\",$mv]]]" '{"fields":["display_type","product_id","quantity","balance"],"order":"sequence, id"}' |
	jq -c '[.[] | [.display_type, (.product_id | if . then .[0] else . end), .quantity, .balance]]')" \
	'[["line_section",false,0,0],["product",5,2,-20],["product",6,1,-7],["tax",false,0,-3],["payment_term",false,0,30]]' \
	"its lines: section, products (display_type product), tax, payment term"
is "$(rpc account.move read "[[$mv]]" '{"fields":["invoice_line_ids","line_ids"]}' | jq -c '.[0] | [(.invoice_line_ids | length), (.line_ids | length)]')" \
	'[3,5]' "invoice_line_ids without the tax and payment-term lines"
is "$(fld sale.order "$so" '["invoice_status","invoice_count"]')" '["invoiced",1]' "the order is invoiced"
like "$(odoo_invoice_orders "$so" 2>&1)" "There is no invoiceable line" "not twice"
rk0=$(fld res.partner 3 '["customer_rank"]' | jq '.[0]')
odoo_post "$mv"
like "$(fld account.move "$mv" '["name","state"]')" '^\["INV/[0-9]{4}/[0-9]{5}","posted"\]$' "posted: INV/YYYY/NNNNN"
is "$(fld res.partner 3 '["customer_rank"]' | jq '.[0]')" "$((rk0 + 1))" "a posted invoice: customer_rank + 1"
like "$(rpc account.move action_post "[[$mv]]")" "^ERROR odoo.exceptions.UserError: The entry INV/.* must be in draft\.$" \
	"posting twice: must be in draft"

# a payment linked with invoice_ids and posted pays nothing (56)
p=$(rpc account.payment create "[{\"partner_id\":3,\"amount\":10,\"journal_id\":3,\"payment_type\":\"inbound\",\"partner_type\":\"customer\",\"invoice_ids\":[[6,0,[$mv]]]}]")
is "$(rpc account.payment action_post "[[$p]]")" null "action_post of a payment answers nothing (no result)"
is "$(fld account.payment "$p" '["state","is_reconciled","reconciled_invoice_ids"]')" "[\"in_process\",false,[$mv]]" \
	"that payment is in_process, not reconciled"
is "$(fld account.move "$mv" '["amount_residual","payment_state"]')" '[30,"not_paid"]' \
	"and the invoice stays not_paid"
is "$(fld res.partner 3 '["customer_rank"]' | jq '.[0]')" "$((rk0 + 2))" "a posted payment: customer_rank + 1"

# the register-payment wizard pays it (55)
p=$(odoo_register_payment "$mv" 10)
is "$(fld account.move "$mv" '["amount_residual","payment_state"]')" '[20,"partial"]' "a payment of part: partial"
like "$(fld account.payment "$p" '["name","state","memo","is_reconciled"]')" '^\["PBNK1/[0-9]{4}/[0-9]{5}","paid","INV/[0-9]{4}/[0-9]{5}",true\]$' \
	"the payment numbered, paid, its memo the invoice's name"
p2=$(odoo_register_payment "$mv")
is "$(fld account.move "$mv" '["amount_residual","payment_state"]')" '[0,"paid"]' "the rest: paid"
is "$(rpc account.move read "[[$mv]]" '{"fields":["matched_payment_ids"]}' | jq -c '.[0].matched_payment_ids | sort')" \
	"$(printf '%s\n' "[$p2, $p, $(($p2 - 2))]" | jq -c 'sort')" "matched_payment_ids lists the three payments"
like "$(rpc account.move unlink "[[$mv]]")" "^ERROR odoo.exceptions.UserError: You can't delete a posted journal item" \
	"a posted invoice cannot be deleted"

# consolidated billing: one invoice per customer; --separate: one per order (52)
a=$(order 9 A) b=$(order 9 B)
rpc sale.order action_confirm "[[$a,$b]]" >/dev/null
one=$(odoo_invoice_orders "$a" "$b")
is "$(printf '%s\n' "$one" | jq length)" 1 "two orders of a customer: one invoice"
like "$(fld account.move "$(printf '%s\n' "$one" | jq '.[0]')" '["invoice_origin","ref"]')" '^\["S[0-9]{5}, S[0-9]{5}","A, B"\]$' \
	"its origin names both orders"
c=$(order 9 C) d=$(order 9 D)
rpc sale.order action_confirm "[[$c,$d]]" >/dev/null
two=$(odoo_invoice_orders --separate "$c" "$d")
is "$(printf '%s\n' "$two" | jq length)" 2 "--separate: one invoice per order"
w=$(rpc sale.advance.payment.inv create '[{"consolidated_billing":false}]' '{"context":{"active_model":"sale.order","active_ids":['"$a"'],"active_id":'"$a"'}}')
is "$(rpc sale.advance.payment.inv read "[[$w]]" '{"fields":["sale_order_ids"]}' | jq -c '.[0].sale_order_ids')" "[$a]" \
	"the wizard takes its orders from active_ids"

# the order's currency follows its pricelist: on create (a sent currency_id
# ignored), and when a write changes the pricelist; a written currency_id stays
pl=$(rpc product.pricelist create '[{"name":"EUR list","currency_id":2}]')
f=$(rpc sale.order create '[{"partner_id":9,"currency_id":2}]')
is "$(fld sale.order "$f" '["currency_id"]' | jq -c '.[0][1]')" '"USD"' "create: currency_id ignored, the default pricelist's USD"
rpc sale.order write "[[$f],{\"pricelist_id\":$pl}]" >/dev/null
is "$(fld sale.order "$f" '["currency_id","pricelist_id"]' | jq -c '[.[0][1], .[1][1]]')" '["EUR","EUR list (EUR)"]' \
	"write of the pricelist: the currency follows"
rpc sale.order write "[[$f],{\"currency_id\":3}]" >/dev/null
is "$(fld sale.order "$f" '["currency_id"]' | jq -c '.[0][1]')" '"GBP"' "write of currency_id: stored, though the pricelist says EUR"

# cancelling a confirmed order cancels its open delivery
g=$(order 10 G)
rpc sale.order action_confirm "[[$g]]" >/dev/null
rpc sale.order action_cancel "[[$g]]" >/dev/null
is "$(rpc stock.picking search_read "[[[\"sale_id\",\"=\",$g]]]" '{"fields":["state"]}' | jq -c '[.[].state]')$(fld sale.order "$g" '["state","invoice_status"]')" \
	'["cancel"]["cancel","no"]' "action_cancel: the order and its delivery cancelled"
is "$(rpc sale.order search_count '[[["state","=","sale"],["invoice_status","!=","to invoice"],["id","<",9]]]')" 0 \
	"the seed's confirmed orders are to invoice"

# an invoice created directly: its lines are "product" lines on Product Sales,
# with the tax and payment-term lines Odoo adds
mv=$(rpc account.move create '[{"move_type":"out_invoice","partner_id":9,"invoice_line_ids":[[0,0,{"name":"x","quantity":2,"price_unit":50}]]}]')
is "$(rpc account.move.line search_read "[[[\"move_id\",\"=\",$mv]]]" '{"fields":["display_type","account_id","debit","credit"],"order":"sequence, id"}' |
	jq -c '[.[] | [.display_type, .account_id[1], .debit, .credit]]')" \
	'[["product","Product Sales",0,100],["payment_term","Account Receivable",100,0]]' \
	"a direct invoice line: display_type product, its account; the receivable line"

# a journal entry keeps its lines as written, balance = debit - credit
je=$(rpc account.move create '[{"move_type":"entry","ref":"JE1","line_ids":[[0,0,{"name":"a","debit":12.5,"account_id":32}],[0,0,{"name":"b","credit":12.5,"account_id":5}]]}]')
is "$(rpc account.move.line search_read "[[[\"move_id\",\"=\",$je]]]" '{"fields":["display_type","debit","credit","balance"],"order":"id"}' |
	jq -c '[.[] | [.display_type, .debit, .credit, .balance]]')$(fld account.move "$je" '["journal_id"]' | jq -c '.[0][1]')" \
	'[["product",12.5,0,12.5],["product",0,12.5,-12.5]]"Miscellaneous Operations"' \
	"a journal entry: its lines as written, in the miscellaneous journal"

# invoice_orders / pay_invoice (the older helpers) go the same way
e=$(order 10 E)
rpc sale.order action_confirm "[[$e]]" >/dev/null
mvs=$(invoice_orders "[\"id\",\"=\",$e]")
mv=$(printf '%s\n' "$mvs" | jq '.[0]')
pay_invoice "$mv" 0.5
is "$(fld account.move "$mv" '["state","amount_residual","payment_state"]')" '["posted",15,"partial"]' \
	"invoice_orders posts, pay_invoice pays through the wizard"
done_testing
