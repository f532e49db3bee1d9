#!/bin/sh
# examples/scripts/order-to-cash against the BNG and Odoo sandboxes, run as
# examples/cron/order-to-cash runs it: BNG's placed orders become confirmed
# Odoo orders of the right customers with the right lines (customers and
# products first, drafts left out); once Odoo has invoiced them and payments
# came in, BNG holds the invoices, the payments and each order's payment
# status; a run with nothing new writes nothing either way (no echo); a new
# order travels; a confirmation lost to a dropped connection is made by the
# next run (the confirm step); a refused record stops the flow with 65 and
# the steps after it; a run that finds the last one going skips its turn;
# make demo runs, sync-masterdata in it through one conflict and one delete.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
sandbox_start odoo --currencies fresh   # as a new database: EUR and GBP archived
sandbox_start bng --records 0 --entity customers=6 --entity products=10 --entity sales_orders=10
. "$ERPIPE_TOP/tests/sandbox/odoo-rpc.sh"
. "$ERPIPE_TOP/tests/sandbox/bng-api.sh"
. "$ERPIPE_TOP/tests/sandbox/flow.sh"

# the profiles the cron entry names
. "$ERPIPE_TOP/tests/sandbox/profiles.sh"

# Odoo knows BNG's product categories, units, currencies and a pricelist in
# each (the script's precondition, examples/scripts/order-to-cash-setup):
# created where missing, nothing of Odoo's own rewritten
setup=$ERPIPE_TOP/examples/scripts/order-to-cash-setup
o uom.uom --with-archived --fields name,relative_factor,relative_uom_id >"$T/uom-before"
n0=$(sandbox_log odoo | jq length)
run "$setup" bng odoo >"$T/setup"
is "$st" 0 "order-to-cash-setup: status 0"
like "$(cat "$T/setup")" "pricelists +[0-9]+ created" "...a pricelist made for a currency that had none"
o uom.uom --with-archived --fields name,relative_factor,relative_uom_id >"$T/uom-after"
is "$(jq -c 'select(.name == "m")' "$T/uom-after")" "$(jq -c 'select(.name == "m")' "$T/uom-before")" \
	"...Odoo's own m untouched"
like "$(cat "$T/setup")" "currencies +([0-9]+ unchanged, )?[0-9]+ updated" "...the archived currencies BNG sells in made active"
is "$(sandbox_log odoo "$n0" | jq -c '[.[] | .rpc // empty | select(test("\\.write$"))] | unique')" \
	'["res.currency.write"]' "...and nothing else written over, in any model"
run "$setup" bng odoo >"$T/setup"
is "$st:$(grep -cv ' [0-9]* unchanged$' "$T/setup")" "0:0" "...again: every step unchanged"

# the cron entry: a schedule, a user, the installed script with two profiles
flow_cron order-to-cash '\*/5 \* \* \* \*' o2c
W=$T/o2c
o2c() { run sh -c "$cmd"; }
# what the last run wrote: receipt statuses other than unchanged, by step
written() { for f in "$W"/receipts/*.ndjson; do tail -n +"$(($(cat "$f.mark" 2>/dev/null | wc -l) + 1))" "$f"; done |
	jq -r 'select(.status and .status != "unchanged") | .status' | wc -l | tr -d ' '; }

# ---- 1: BNG -> Odoo ------------------------------------------------------
o2c
is "$st" 0 "order-to-cash: status 0"
is "$(o --count ir.model.data --domain '[["module","=","bng"],["name","=like","customer_%"],["model","=","res.partner"]]')" \
	"$(b --count customers)" "every BNG customer is an Odoo partner, by its external id"
b customers --fields CustomerID,CompanyName,FirstName,LastName,Email |
	jq -r 'select(.CustomerID) | "bng:customer:\(.CustomerID) \(.CompanyName // "\(.FirstName) \(.LastName)") \(.Email)"' |
	sort >"$T/b-cust"
o res.partner --xmlids bng --fields name,email |
	jq -r '.xmlids[] as $x | select($x | startswith("bng.customer_")) |
		"bng:customer:\($x | ltrimstr("bng.customer_")) \(.name) \(.email)"' | sort >"$T/o-cust"
same_file "$T/o-cust" "$T/b-cust" "...with its name and email"
is "$(o --count product.product --domain '[["default_code","=like","SKU-%"]]')" "$(b --count products)" \
	"every BNG product is an Odoo product, by Sku"
b sales_orders | jq -c 'select(.OrderNo)' >"$T/b-so"
placed=$(jq -r 'select(.Status != "Draft" and .Status != "Cancelled") | .OrderNo' "$T/b-so" | sort)
ok "some placed orders" test -n "$placed"
ok "some drafts" jq -s -e 'any(.[]; .Status == "Draft")' "$T/b-so"
# an order: number, state, customer's ref, total, and each line's Sku, qty, price
jq -r 'select(.Status != "Draft" and .Status != "Cancelled") |
	"BNG/\(.OrderNo) sale bng:customer:\(.CustomerID) \(.Total) \(.Currency) " +
	([.LineItems[] | "\(.Sku)x\(.Quantity)@\(.UnitPrice)"] | join(","))' "$T/b-so" | sort >"$T/b-want"
o sale.order --domain '[["origin","=like","bng:%"]]' --fields name,state,partner_id,amount_total,currency_id,order_line \
	--expand partner_id:name --xmlids bng --expand order_line:product_id,product_uom_qty,price_unit |
	jq -r '"\(.name) \(.state) bng:customer:\(.partner_id.xmlids[0] | ltrimstr("bng.customer_")) \(.amount_total) \(.currency_id[1]) " +
	([.order_line[] | "\(.product_id[1] | capture("\\[(?<c>[^]]+)\\]").c)x\(.product_uom_qty)@\(.price_unit)"] | join(","))' |
	sort >"$T/o-got"
same_file "$T/o-got" "$T/b-want" "each placed order confirmed in Odoo: customer, total, lines; no draft"

# ---- Odoo invoices them, payments come in ------------------------------------
# the accountant's way: the invoicing wizard on every confirmed order (one
# invoice per customer and currency, merged), the invoices posted, the register-payment
# wizard paying one in full and one in part
sos=$(rpc sale.order search '[[["origin","=like","bng:%"],["invoice_status","=","to invoice"]]]' '{"order":"id"}' | jq -r '.[]')
# shellcheck disable=SC2086
mvs=$(odoo_invoice_orders $sos)
# shellcheck disable=SC2046
odoo_post $(echo "$mvs" | jq -r '.[]')
is "$(echo "$mvs" | jq length)" \
	"$(jq -r 'select(.Status != "Draft" and .Status != "Cancelled") | "\(.CustomerID) \(.Currency)"' "$T/b-so" | sort -u | wc -l | tr -d ' ')" \
	"Odoo invoices the orders, one invoice per customer and currency"
rpc account.move read "[$mvs]" '{"fields":["invoice_origin"]}' >"$T/origins"
ok "...some invoice bills several orders" jq -e 'any(.[]; .invoice_origin | test(", "))' "$T/origins"
is "$(rpc sale.order search_count '[[["origin","=like","bng:%"],["invoice_status","=","to invoice"]]]')" 0 \
	"...every placed order invoiced"
odoo_register_payment "$(echo "$mvs" | jq '.[0]')" >/dev/null
half=$(rpc account.move read "[[$(echo "$mvs" | jq '.[1]')]]" '{"fields":["amount_total"]}' | jq '.[0].amount_total / 2 * 100 | round / 100')
odoo_register_payment "$(echo "$mvs" | jq '.[1]')" "$half" >/dev/null

# ---- 2: Odoo -> BNG ---------------------------------------------------------
flow_mark
o2c
is "$st" 0 "order-to-cash again: status 0"
rpc account.move search_read "[[[\"id\",\"in\",$mvs]]]" \
	'{"fields":["name","invoice_origin","partner_id","amount_total","amount_residual","payment_state"]}' >"$T/inv"
# invoice: number, customer (its orders'), total, paid, status
jq -r '.[] | "\(.name) \(.invoice_origin | split(", ")[0][4:]) \(.amount_total) \(.amount_total - .amount_residual | . * 100 | round / 100) \(if .payment_state == "paid" then "Paid" else "Open" end)"' "$T/inv" |
	while read -r n so tot paid s; do
		echo "$n $(jq -r --arg so "$so" 'select(.OrderNo == $so) | .CustomerID' "$T/b-so") $tot $paid $s"
	done | sort >"$T/inv-want"
b invoices | jq -r 'select(.InvoiceNo) | "\(.InvoiceNo) \(.CustomerID) \(.Total) \(.AmountPaid) \(.Status)"' | sort >"$T/inv-got"
same_file "$T/inv-got" "$T/inv-want" "BNG holds each invoice: its customer, total, amount paid and status"
is "$(b payments | jq -c 'select(.InvoiceNo) | [.InvoiceNo, .Amount, .Status]' | sort | jq -s -c .)" \
	"$(jq -c '[.[] | select(.payment_state != "not_paid") | [.name, (.amount_total - .amount_residual | . * 100 | round / 100), "Completed"]] | sort' "$T/inv")" \
	"BNG holds the two payments, against their invoices"
jq -r '.[] | (.invoice_origin | split(", ")[] | .[4:]) + " " +
	(if .payment_state == "paid" then "Paid" elif .payment_state == "partial" then "Partial" else "Unpaid" end)' "$T/inv" |
	sort >"$T/ps-want"
b sales_orders --fields OrderNo,Status,PaymentStatus |
	jq -r 'select(.OrderNo and .Status != "Draft") | "\(.OrderNo) \(.PaymentStatus)"' | sort >"$T/ps-got"
same_file "$T/ps-got" "$T/ps-want" "each BNG order's PaymentStatus is its invoice's, every order of a merged one: Paid, Partial, Unpaid"

# ---- 3: nothing new: nothing written, either way ------------------------------
flow_mark
nb=$(sandbox_log bng | jq length)
no=$(sandbox_log odoo | jq length)
o2c
is "$st" 0 "a third run: status 0"
is "$(written)" 0 "every receipt unchanged"
is "$(sandbox_log bng "$nb" | jq -c '[.[] | select(.method != "GET" and (.path | test("/oauth/") | not))] | length')" 0 \
	"no write to BNG"
sandbox_log odoo "$no" >"$T/olog"
ok "the run read Odoo" jq -e '[.[] | select(.rpc == "account.move.search_read")] | length > 0' "$T/olog"
is "$(jq -c '[.[] | select(.rpc // "" | test("\\.(create|write|load|unlink|action_[a-z_]+|button_[a-z_]+)$"))] | length' "$T/olog")" 0 \
	"no write to Odoo"

# ---- a new order, for a new customer, travels ---------------------------------
api POST /customers '{"CompanyName":"Quillon AG","Email":"orders@quillon.example","Status":"Active"}' >/dev/null
cid=$(jq .CustomerID "$T/.api")
sku=$(jq -r '.LineItems[0].Sku' "$T/b-so" | head -1)
api POST /sales_orders "{\"OrderNo\":\"WEB-9001\",\"CustomerID\":$cid,\"OrderedAt\":\"2026-03-01T10:00:00.000Z\",\"Currency\":\"EUR\",\"Status\":\"Confirmed\",\"LineItems\":[{\"Sku\":\"$sku\",\"Quantity\":3,\"UnitPrice\":12.5}]}" >/dev/null
is "$api_status" 201 "a new order placed in BNG"
flow_mark
o2c
is "$st" 0 "the next run: status 0"
is "$(o sale.order --domain '[["name","=","BNG/WEB-9001"]]' --fields state,partner_id,amount_untaxed --m2o name | jq -c '[.state, .partner_id, .amount_untaxed]')" \
	'["sale","Quillon AG",37.5]' "...is confirmed in Odoo, for its new customer"
is "$(written)" 2 "...and only it and its customer are written"

# ---- a confirmation lost (its connection dropped): the next run makes it --------
api POST /sales_orders "{\"OrderNo\":\"WEB-9005\",\"CustomerID\":$cid,\"OrderedAt\":\"2026-03-02T10:00:00.000Z\",\"Currency\":\"EUR\",\"Status\":\"Confirmed\",\"LineItems\":[{\"Sku\":\"$sku\",\"Quantity\":2,\"UnitPrice\":12.5}]}" >/dev/null
sandbox_faults odoo '{"drop": {"body": "action_confirm", "next": 1}}' >/dev/null
flow_mark
o2c 2> "$T/err"
is "$st" 69 "a confirmation whose answer was lost: the run stops, 69"
is "$(o sale.order --domain '[["name","=","BNG/WEB-9005"]]' --fields state | jq -r .state)" draft \
	"...the order is in Odoo, in draft"
flow_mark
o2c
is "$st" 0 "the next run: status 0"
is "$(o sale.order --domain '[["name","=","BNG/WEB-9005"]]' --fields state | jq -r .state)" sale \
	"...the order still in draft is confirmed (the confirm step)"
is "$(jq -r '.status' "$W/receipts/confirm.ndjson" | tail -1)" unchanged "...nothing written to it"
flow_mark
o2c
is "$st:$(written)" 0:0 "and the run after writes nothing"

# ---- a placed order changed in BNG: written to Odoo's, which stays confirmed
chg=$(echo "$placed" | tail -1)
sid=$(jq -r --arg n "$chg" 'select(.OrderNo == $n) | .SalesOrderID' "$T/b-so")
api PATCH "/sales_orders/$sid" "$(jq -c --arg n "$chg" 'select(.OrderNo == $n) | {LineItems: (.LineItems | .[0].Quantity += 1 | map(del(.Amount)))}' "$T/b-so")" >/dev/null
is "$api_status" 200 "a placed order's first line changed in BNG"
flow_mark
o2c
is "$st" 0 "the next run: status 0"
is "$(o sale.order --domain "[[\"name\",\"=\",\"BNG/$chg\"]]" --fields state,order_line --expand order_line:product_uom_qty | jq -c '[.state, [.order_line[].product_uom_qty]]')" \
	"$(jq -c --arg n "$chg" 'select(.OrderNo == $n) | ["sale", (.LineItems | .[0].Quantity += 1 | map(.Quantity))]' "$T/b-so")" \
	"...Odoo's order has the new quantity, and stays confirmed"
is "$(jq -r 'select(.status == "updated") | .key.origin' "$W/receipts/orders.ndjson" | tail -1)" "bng:$chg" "...an update"

# a line removed in BNG: Odoo keeps a confirmed order's lines (set the
# quantity to 0 instead), the order is refused with Odoo's message
api PATCH "/sales_orders/$sid" "$(jq -c --arg n "$chg" 'select(.OrderNo == $n) | {LineItems: [.LineItems[0] | del(.Amount)]}' "$T/b-so")" >/dev/null
flow_mark
o2c 2>/dev/null
is "$st" 65 "a line removed from a confirmed order: 65"
like "$(tail -1 "$W/rejects/orders.ndjson" | jq -r .error)" "you can't remove one of its lines" "...with Odoo's message"
# put it back as it was
api PATCH "/sales_orders/$sid" "$(jq -c --arg n "$chg" 'select(.OrderNo == $n) | {LineItems: (.LineItems | .[0].Quantity += 1 | map(del(.Amount)))}' "$T/b-so")" >/dev/null
o2c
is "$st" 0 "put back: status 0"

# ---- a refused record stops the flow, and the steps after it -------------------
api POST /sales_orders "{\"OrderNo\":\"WEB-9002\",\"CustomerID\":$cid,\"OrderedAt\":\"2026-03-01T11:00:00.000Z\",\"Currency\":\"EUR\",\"Status\":\"Confirmed\",\"LineItems\":[{\"Sku\":\"NO-SUCH-SKU\",\"Quantity\":1,\"UnitPrice\":1}]}" >/dev/null
mvs=$(invoice_orders '["name","=","BNG/WEB-9001"]')
flow_mark
o2c 2>"$T/err"
is "$st" 65 "an order naming a product Odoo lacks: 65"
like "$(cat "$T/err")" "order-to-cash: orders: status 65" "...says which step"
like "$(jq -r 'select(.record.name == "BNG/WEB-9002") | .error' "$W/rejects/orders.ndjson")" "NO-SUCH-SKU" \
	"...the reject names the product"
is "$(b invoices --fields InvoiceNo | jq -r 'select(.InvoiceNo) | .InvoiceNo' | grep -c "$(rpc account.move read "[$mvs]" '{"fields":["name"]}' | jq -r '.[0].name')" || :)" 0 \
	"...and the steps after it do not run (WEB-9001's invoice waits)"
o2c_max() { run env MAX_REJECTS=1 sh -c "$cmd"; }
o2c_max
is "$st" 0 "MAX_REJECTS=1: the flow goes on"
is "$(b invoices --fields InvoiceNo | jq -r 'select(.InvoiceNo) | .InvoiceNo' | grep -c "$(rpc account.move read "[$mvs]" '{"fields":["name"]}' | jq -r '.[0].name')" || :)" 1 \
	"...and the waiting invoice reaches BNG"

# ---- one run at a time; usage ------------------------------------------------------
flow_mark
flow_lock order-to-cash

# ---- make demo -----------------------------------------------------------------
run sh -c "ERPIPE_BIN='$ERPIPE_BIN' '$ERPIPE_TOP/tests/demo' >'$T/demo' 2>'$T/demo.err'"
is "$st" 0 "make demo: status 0"
[ "$st" = 0 ] || sed 's/^/#   /' "$T/demo.err" | head -20
like "$(cat "$T/demo")" "orders +BNG sales_orders -> Odoo sale.order +[0-9]+ created" "the demo moves orders to Odoo"
like "$(cat "$T/demo")" "invoices +Odoo account.move -> BNG invoices +[0-9]+ created" "...invoices back to BNG"
like "$(sed -n '/^-- 3/,/^-- reconcile/p' "$T/demo" | grep -E 'created|updated' || echo none)" "^none$" \
	"...a third run writes nothing"
like "$(sed -n '/^-- 3/,/^-- reconcile/p' "$T/demo")" "writes asked during the run: Odoo 0, BNG 0" \
	"...not one write in either sandbox's request log"
like "$(cat "$T/demo")" "setup.*|pricelists +[0-9]+ created" "...its setup makes the pricelists"
like "$(cat "$T/demo")" "for BNG/[^ ]+, BNG/" "...and the accountant's wizard merges a customer's orders"
like "$(sed -n '/invoices against/,$p' "$T/demo")" "changed +0" "...and reconcile finds the invoices agree"
like "$(sed -n '/^-- What the runs/,/^-- master/p' "$T/demo")" \
	'erpipe_records_read_total\{program="load",system="odoo",profile="odoo",entity="sale.order"\} [0-9]+' \
	"...shows the metrics the flow's stages wrote (METRICS_DIR)"
like "$(sed -n '/^-- What the runs/,/^-- master/p' "$T/demo")" "promtool check metrics: 0 of [0-9]+ files with problems" \
	"...every one of them accepted by promtool"
like "$(sed -n '/^-- What the runs/,/^-- master/p' "$T/demo" | tr '\n' '|')" \
	'verify --key audit.key audit.log\|   [0-9]+ lines, intact, last [0-9a-f]{64}\|' \
	"...verifies the flow's signed audit trail (AUDIT, AUDIT_KEY)"
like "$(sed -n '/^-- What the runs/,/^-- master/p' "$T/demo")" "audit-edited.log:3: the hmac does not match" \
	"...and names the line edited in a copy"
like "$(sed -n '/^-- Meanwhile/,$p' "$T/demo")" "conflict bng:[0-9]+ phone: base .*, odoo .*\(Odoo\)\", bng .*\(BNG\)\"" \
	"...sync-masterdata reports the phone changed on both sides as a conflict"
like "$(sed -n '/^-- Meanwhile/,$p' "$T/demo" | grep -E 'vendors odoo<->bng|in BNG:' | tr '\n' '|')" \
	"vendors odoo<->bng: .*deleted_left 1.*in BNG: customer [0-9]+ phone \+1 555 0199 \(BNG\), vendor odoo:[0-9]+ Inactive" \
	"...takes the vendor archived in Odoo to BNG as Inactive, and leaves the conflict as it is"

done_testing
