#!/bin/sh
# the Odoo sandbox invoices a confirmed order as Odoo does (the
# sale.advance.payment.inv wizard's create_invoices: a draft invoice with
# the order's lines), and a posted account.payment with invoice_ids pays
# them: partial, then paid.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-rpc.sh"
sandbox_start odoo --partners 5
so=$(rpc sale.order create '[{"partner_id":3,"client_order_ref":"X1","order_line":[[0,0,{"product_id":5,"product_uom_qty":2,"price_unit":10,"tax_ids":[[6,0,[1]]]}],[0,0,{"product_id":6,"product_uom_qty":1,"price_unit":7}]]}]')
w=$(rpc sale.advance.payment.inv create "[{\"sale_order_ids\":[[6,0,[$so]]]}]")
like "$(rpc sale.advance.payment.inv create_invoices "[[$w]]")" "^ERROR odoo.exceptions.UserError: There is no invoiceable line" \
	"a quotation is not invoiced"
is "$(rpc sale.order read "[[$so]]" '{"fields":["invoice_status"]}' | jq -r '.[0].invoice_status')" no \
	"a quotation: nothing to invoice"
rpc sale.order action_confirm "[[$so]]" >/dev/null
is "$(rpc sale.order read "[[$so]]" '{"fields":["invoice_status"]}' | jq -r '.[0].invoice_status')" "to invoice" \
	"confirmed: to invoice"
act=$(rpc sale.advance.payment.inv create_invoices "[[$w]]")
mv=$(echo "$act" | jq .res_id)
is "$(echo "$act" | jq -c '[.type, .res_model]')" '["ir.actions.act_window","account.move"]' \
	"create_invoices answers with the invoice's window action"
is "$(rpc account.move read "[[$mv]]" '{"fields":["move_type","state","partner_id","invoice_origin","ref","amount_untaxed","amount_total","amount_residual","payment_state"]}' |
	jq -c '.[0] | [.move_type, .state, .partner_id[0], .ref, .amount_untaxed, .amount_total, .amount_residual, .payment_state]')" \
	'["out_invoice","draft",3,"X1",27,30,30,"not_paid"]' "a draft customer invoice of the order's amounts"
is "$(rpc account.move.line search_read "[[[\"move_id\",\"=\",$mv]]]" '{"fields":["product_id","quantity","price_unit"],"order":"id"}' |
	jq -c '[.[] | [.product_id[0], .quantity, .price_unit]]')" '[[5,2,10],[6,1,7]]' "its lines are the order's"
is "$(rpc sale.order read "[[$so]]" '{"fields":["invoice_status","name"]}' | jq -r '.[0].invoice_status')" invoiced \
	"the order is invoiced"
like "$(rpc sale.advance.payment.inv create_invoices "[[$w]]")" "^ERROR odoo.exceptions.UserError" "not twice"
p=$(rpc account.payment create "[{\"partner_id\":3,\"amount\":10,\"journal_id\":3,\"invoice_ids\":[[6,0,[$mv]]]}]")
like "$(rpc account.payment action_post "[[$p]]")" "^ERROR odoo.exceptions.UserError: You can only register payment for posted" \
	"a draft invoice cannot be paid"
rpc account.move action_post "[[$mv]]" >/dev/null
rpc account.payment action_post "[[$p]]" >/dev/null
is "$(rpc account.move read "[[$mv]]" '{"fields":["amount_residual","payment_state"]}' | jq -c '.[0] | [.amount_residual, .payment_state]')" \
	'[20,"partial"]' "a payment of part: partial"
p=$(rpc account.payment create "[{\"partner_id\":3,\"amount\":20,\"journal_id\":3,\"invoice_ids\":[[6,0,[$mv]]]}]")
rpc account.payment action_post "[[$p]]" >/dev/null
is "$(rpc account.move read "[[$mv]]" '{"fields":["amount_residual","payment_state"]}' | jq -c '.[0] | [.amount_residual, .payment_state]')" \
	'[0,"paid"]' "the rest: paid"
like "$(rpc account.payment read "[[$p]]" '{"fields":["name","state"]}' | jq -r '.[0] | "\(.name) \(.state)"')" \
	'^PBNK1/[0-9]{4}/[0-9]{5} paid$' "the payment numbered and paid"
done_testing
