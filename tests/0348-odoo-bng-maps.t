#!/bin/sh
# The Odoo<->BNG templates on records shaped as a real Odoo 19 gives them
# (tests/fixtures/odoo-flows): invoice lines of display_type "product" reach
# BNG and the other line kinds do not; a merged invoice's orders and an order
# billed twice get one payment status each; BNG's orders choose a pricelist
# in their currency, never send currency_id, and carry BNG's own taxes; the
# ranks Odoo counts are never written; a payment without CustomerID finds
# its customer through its invoice.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
F=$ERPIPE_TOP/tests/fixtures/odoo-flows

# ---- odoo/account.move-to-bng/Invoice: the lines of a real posted invoice
# (54b with the lines of 53a: section, product, note, product; the tax and
# payment-term lines are in line_ids, not invoice_line_ids)
jq -c --slurpfile l "$F/53a_account_move_line_read_invoice_lines.json" \
	'.response.body.result[0] | del(.line_ids) | .amount_tax = 32.25 |
	.partner_id = {"id": .partner_id[0], "xmlids": ["bng.customer_21"]} |
	.invoice_line_ids = [$l[0].response.body.result[] |
		select(.display_type != "tax" and .display_type != "payment_term")]' \
	"$F/54b_account_move_read_after_post.json" >"$T/inv"
is "$(jq -c '[.invoice_line_ids[].display_type]' "$T/inv")" \
	'["line_section","product","line_note","product"]' "the real invoice's lines"
run xform -q -f odoo/account.move-to-bng/Invoice "$T/inv" >"$T/out"
is "$st" 0 "Invoice: maps the real invoice"
is "$(jq -c '[.LineItems[] | [.Sku, .Quantity, .UnitPrice, .TaxAmount]]' "$T/out")" \
	'[["FURN_5555",2,100,30],["SKU00001",10,1.5,2.25]]' "...its two product lines, no section or note"
# every line of line_ids: only the product lines are invoiced goods
jq -c --slurpfile l "$F/53a_account_move_line_read_invoice_lines.json" \
	'.invoice_line_ids = $l[0].response.body.result' "$T/inv" >"$T/inv2"
is "$(xform -q -f odoo/account.move-to-bng/Invoice "$T/inv2" | jq -c '[.LineItems[].Sku]')" \
	'["FURN_5555","SKU00001"]' "...tax and payment-term lines are left out too"
# an Odoo 16 invoice: product lines have display_type false
jq -c '.invoice_line_ids |= map(if .display_type == "product" then .display_type = false else . end)' \
	"$T/inv" >"$T/inv16"
is "$(xform -q -f odoo/account.move-to-bng/Invoice "$T/inv16" | jq -c '.LineItems | length')" 2 \
	"...and an older Odoo's lines (display_type false) too"

# ---- odoo/sale.order-to-bng/PaymentStatus: one status per order, from all
# of its invoices (52f: one invoice for S00034 and S00035)
is "$(jq -r '.response.body.result[0].invoice_origin' "$F/52f_account_move_read_invoice_origin_two_orders.json")" \
	"S00034, S00035" "a merged invoice names both orders"
o() { # o ORDERNO INVOICE_STATUS MOVE... (MOVE: type:state:payment_state)
	n=$1 s=$2
	shift 2
	printf '{"id":1,"origin":"bng:%s","invoice_status":"%s","invoice_ids":[' "$n" "$s"
	sep=
	for m in "$@"; do
		printf '%s{"id":7,"move_type":"%s","state":"%s","payment_state":"%s"}' "$sep" \
			"$(echo "$m" | cut -d: -f1)" "$(echo "$m" | cut -d: -f2)" "$(echo "$m" | cut -d: -f3)"
		sep=,
	done
	printf ']}\n'
}
{
	o M-1 invoiced out_invoice:posted:partial            # merged invoice, part paid
	o M-2 invoiced out_invoice:posted:partial            # ...its other order
	o T-1 invoiced out_invoice:posted:paid out_invoice:posted:not_paid
	o T-2 invoiced out_invoice:posted:not_paid out_invoice:posted:paid
	o P-1 invoiced out_invoice:posted:paid out_invoice:posted:in_payment out_invoice:draft:not_paid
	o H-1 "to invoice" out_invoice:posted:paid          # half billed, that half paid
	o R-1 invoiced out_invoice:posted:reversed out_refund:posted:paid
	o D-1 invoiced out_invoice:draft:not_paid            # nothing posted yet
	o U-1 invoiced out_invoice:cancel:not_paid out_invoice:posted:not_paid
} >"$T/so"
run xform -q -f odoo/sale.order-to-bng/PaymentStatus "$T/so" >"$T/out"
is "$st" 0 "PaymentStatus: maps the orders"
is "$(jq -r '"\(.OrderNo) \(.PaymentStatus)"' "$T/out" | tr '\n' ' ')" \
	"M-1 Partial M-2 Partial T-1 Partial T-2 Partial P-1 Paid H-1 Partial R-1 Refunded U-1 Unpaid " \
	"...each order of a merged invoice; an order billed twice the same whatever the order read"
is "$(jq -c 'select(.OrderNo == "M-1")' "$T/out")" '{"_op":"update","OrderNo":"M-1","PaymentStatus":"Partial"}' \
	"...an update of PaymentStatus alone"

# ---- bng/SalesOrder-to-odoo/sale.order: pricelist, no currency, BNG's taxes
cat >"$T/bso" <<'X'
{"OrderNo":"WEB-1","CustomerID":5,"Currency":"EUR","Status":"Confirmed","LineItems":[{"LineNo":1,"Sku":"A","Quantity":4,"UnitPrice":70,"Discount":10,"TaxAmount":37.80},{"LineNo":2,"Sku":"B","Quantity":1,"UnitPrice":17.85,"TaxAmount":0},{"LineNo":3,"Sku":"C","Quantity":10,"UnitPrice":1.5,"TaxAmount":2.25},{"LineNo":4,"Sku":"D","Quantity":1,"UnitPrice":10,"TaxAmount":0.55},{"LineNo":5,"Sku":"E","Quantity":1,"UnitPrice":1.5,"TaxAmount":0.23},{"LineNo":6,"Sku":"F","Quantity":2,"UnitPrice":3}]}
{"OrderNo":"WEB-2","CustomerID":5,"Currency":"GBP","Status":"Confirmed","LineItems":[{"LineNo":1,"Sku":"A","Quantity":1,"UnitPrice":1000,"TaxAmount":0.01}]}
X
run xform -q -f bng/SalesOrder-to-odoo/sale.order --rejects "$T/rej" "$T/bso" >"$T/out"
is "$(jq -c '.pricelist_id' "$T/out")" '{"match":{"currency_id.name":"EUR"}}' \
	"sale.order: a pricelist in the order's currency"
is "$(jq -c 'has("currency_id")' "$T/out")" false "...and no currency_id (Odoo computes it from the pricelist)"
is "$(jq -c '[.order_line[].tax_ids | if . == [] then "none" else .[0].match.amount end]' "$T/out")" \
	'[15,"none",15,5.5,15,"none"]' "...each line's tax: BNG's rate, or none (not Odoo's default)"
is "$(jq -c '.order_line[0].tax_ids[0].match | del(.amount)' "$T/out")" \
	'{"type_tax_use":"sale","amount_type":"percent"}' "...a sales tax in percent"
like "$(jq -r .error "$T/rej")" "line 1: no tax rate gives TaxAmount 0.01 on 1000" \
	"...a tax no rate explains is refused"
# the line field is tax_ids in 19 (50j): tax_id is refused (50o)
is "$(jq -r '.response.body.result | has("tax_ids")' "$F/50j_sale_order_line_fields_get_tax_and_uom.json")" true \
	"...sale.order.line's field is tax_ids"

# ---- ranks: Odoo's to count
printf '%s\n' '{"CustomerID":7,"CompanyName":"New Co","Status":"Active"}' >"$T/c"
is "$(xform -q -f bng/Customer-to-odoo/res.partner "$T/c" | jq -c 'has("customer_rank")')" false \
	"res.partner from a BNG customer: customer_rank not written"
printf '%s\n' '{"VendorID":7,"CompanyName":"New Co","Status":"Active"}' >"$T/v"
is "$(xform -q -f bng/Vendor-to-odoo/res.partner "$T/v" | jq -c 'has("supplier_rank")')" false \
	"...nor supplier_rank from a vendor"

# ---- bng/Payment-to-odoo: a payment on an invoice, without CustomerID
printf '%s\n' '{"PaymentID":9,"InvoiceNo":"INV/2026/00018","CustomerID":null,"PaymentDate":"2026-12-07","Amount":100,"Currency":"USD","Method":"Card","Status":"Completed"}' \
	'{"PaymentID":10,"PaymentDate":"2026-12-07","Amount":1,"Currency":"USD","Method":"Card","Status":"Completed"}' >"$T/p"
run xform -q -f bng/Payment-to-odoo/account.payment --rejects "$T/rej2" "$T/p" >"$T/out"
is "$(jq -c .partner_id "$T/out")" '{"match":{"invoice_ids.payment_reference":"INV/2026/00018"}}' \
	"account.payment without CustomerID: the customer of its invoice"
like "$(jq -r .error "$T/rej2")" "payment 10: no CustomerID and no InvoiceNo" "...neither: refused, saying why"

# ---- the same maps loaded into the (faithful) Odoo sandbox: the order in
# EUR through its pricelist, Odoo's totals equal BNG's (no default taxes),
# and a payment without CustomerID lands on its invoice's customer
sandbox_start odoo --partners 5
. "$ERPIPE_TOP/tests/sandbox/odoo-rpc.sh"
ODOO_DB=odoo ODOO_USER=admin ODOO_PASSWORD=admin
export ODOO_DB ODOO_USER ODOO_PASSWORD
rpc product.pricelist create '[{"name":"Web EUR","currency_id":2}]' >/dev/null
cust=$(rpc res.partner create '[{"name":"Web Customer","ref":"C042"}]' | jq -r 'if type == "array" then .[0] else . end')
rpc ir.model.data create "[{\"module\":\"bng\",\"name\":\"customer_41\",\"model\":\"res.partner\",\"res_id\":$cust}]" >/dev/null
printf '%s\n' '{"OrderNo":"WEB-9","CustomerID":41,"Currency":"EUR","Status":"Confirmed","LineItems":[{"LineNo":1,"Sku":"FURN_7777","Quantity":2,"UnitPrice":70,"TaxAmount":21},{"LineNo":2,"Sku":"FURN_8888","Quantity":1,"UnitPrice":17.85,"TaxAmount":0}]}' |
	xform -q -f bng/SalesOrder-to-odoo/sale.order >"$T/so.in"
run load -q odoo sale.order --then action_confirm --then-on created "$T/so.in" >"$T/out" 2>"$T/err"
is "$st:$(jq -r .status "$T/out")" "0:created" "sale.order from BNG: created, as sent (nothing drifted)"
so=$(jq .id "$T/out")
is "$(rpc sale.order read "[[$so],[\"currency_id\",\"amount_untaxed\",\"amount_tax\",\"amount_total\",\"state\"]]" |
	jq -c '.[0] | [.currency_id[1], .amount_untaxed, .amount_tax, .amount_total, .state]')" \
	'["EUR",157.85,21,178.85,"sale"]' "...in EUR, with BNG's tax and total (not Odoo's default 15% on both lines)"
run load -q odoo sale.order --then action_confirm --then-on created "$T/so.in" >"$T/out"
is "$st:$(jq -r .status "$T/out")" "0:unchanged" "...read again: unchanged"
inv=$(odoo_invoice_orders "$so" | jq '.[0]')
odoo_post "$inv"
invno=$(rpc account.move read "[[$inv],[\"name\"]]" | jq -r '.[0].name')
printf '%s\n' "{\"PaymentID\":77,\"InvoiceNo\":\"$invno\",\"CustomerID\":null,\"PaymentDate\":\"2026-12-07\",\"Amount\":178.85,\"Currency\":\"EUR\",\"Method\":\"Card\",\"Status\":\"Completed\"}" |
	xform -q -f bng/Payment-to-odoo/account.payment >"$T/pay.in"
run load -q odoo account.payment "$T/pay.in" >"$T/out" 2>"$T/err"
is "$st:$(jq -r .status "$T/out")" "0:created" "a BNG payment without CustomerID: created"
is "$(rpc account.payment read "[[$(jq .id "$T/out")],[\"partner_id\"]]" | jq '.[0].partner_id[0]')" "$cust" \
	"...for its invoice's customer"

done_testing
