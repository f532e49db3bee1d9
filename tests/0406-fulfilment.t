#!/bin/sh
# examples/scripts/fulfilment against the BNG and Odoo sandboxes, run as
# examples/cron/fulfilment runs it, after order-to-cash brought BNG's orders
# to Odoo: an order BNG fulfilled validates its Odoo delivery in full; one
# BNG shipped in part validates what was shipped and leaves the rest in a
# backorder (Odoo's backorder wizard, as tests/fixtures/odoo-flows 57 shows
# it); the rest shipped later completes the backorder; a delivery done in
# Odoo itself reaches BNG; Odoo's delivery status (FulfillmentStatus, Status
# Shipped) and its stock on hand (inventory items) reach BNG; an order
# shipped before order-to-cash brought it goes through once it has; a run with
# nothing new writes nothing either way; a run that finds the last one going
# skips its turn; usage 64.  load --then METHOD/BUTTON (the wizard's button)
# and a wizard without one.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
sandbox_start odoo --currencies fresh   # as a new database: EUR archived
sandbox_start bng --records 0 --entity customers=3 --entity products=4
. "$ERPIPE_TOP/tests/sandbox/odoo-rpc.sh"
. "$ERPIPE_TOP/tests/sandbox/bng-api.sh"

. "$ERPIPE_TOP/tests/sandbox/profiles.sh"
. "$ERPIPE_TOP/tests/sandbox/flow.sh"

# ---- the orders, in Odoo through order-to-cash ---------------------------------
b products --fields Sku | jq -r 'select(.Sku) | .Sku' | sort >"$T/skus"
s1=$(sed -n 1p "$T/skus") s2=$(sed -n 2p "$T/skus") s3=$(sed -n 3p "$T/skus")
cid=$(b customers --fields CustomerID | jq -r 'select(.CustomerID) | .CustomerID' | head -1)
order() { # OrderNo LINES
	api POST /sales_orders "{\"OrderNo\":\"$1\",\"CustomerID\":$cid,\"OrderedAt\":\"2026-12-01T10:00:00.000Z\",\"Currency\":\"EUR\",\"Status\":\"Confirmed\",\"TaxTotal\":0,\"LineItems\":$2}" >/dev/null
	[ "$api_status" = 201 ] || echo "# POST $1: $api_status $(cat "$T/.api")"
	jq .SalesOrderID "$T/.api"
}
ida=$(order WEB-A "[{\"Sku\":\"$s1\",\"Quantity\":2,\"UnitPrice\":10},{\"Sku\":\"$s2\",\"Quantity\":5,\"UnitPrice\":3}]")
idb=$(order WEB-B "[{\"Sku\":\"$s1\",\"Quantity\":4,\"UnitPrice\":10},{\"Sku\":\"$s3\",\"Quantity\":3,\"UnitPrice\":7}]")
idc=$(order WEB-C "[{\"Sku\":\"$s2\",\"Quantity\":1,\"UnitPrice\":3}]")
# (Odoo knows BNG's categories, units, currencies and a pricelist in each:
# order-to-cash's precondition, made from BNG's orders by examples/scripts/order-to-cash-setup)
run "$ERPIPE_TOP/examples/scripts/order-to-cash-setup" bng odoo >"$T/setup"
is "$st" 0 "order-to-cash-setup: status 0"
run "$ERPIPE_TOP/examples/scripts/order-to-cash" bng odoo "$T/o2c"
is "$st" 0 "order-to-cash brings the three orders to Odoo"
picking() { # ORIGIN: "state backorder_id" of each delivery, by id
	rpc stock.picking search_read "[[[\"origin\",\"=\",\"$1\"]]]" '{"fields":["state","backorder_id"],"order":"id"}' |
		jq -r '[.[] | "\(.state)\(if .backorder_id then "+bo" else "" end)"] | join(" ")'
}
dstatus() { rpc sale.order search_read "[[[\"name\",\"=\",\"$1\"]]]" '{"fields":["delivery_status"]}' | jq -r '.[0].delivery_status'; }
delivered() { # ORDER: each line's qty_delivered
	rpc sale.order.line search_read "[[[\"order_id.name\",\"=\",\"$1\"]]]" '{"fields":["qty_delivered"],"order":"id"}' |
		jq -r '[.[].qty_delivered] | map(tostring) | join(" ")'
}
fs() { api GET "/sales_orders/$1" | jq -r '"\(.FulfillmentStatus) \(.Status)"'; }
for n in A B C; do
	is "$(picking BNG/WEB-$n)" assigned "BNG/WEB-$n: Odoo has its delivery, ready"
done

# ---- the cron entry ---------------------------------------------------------------
flow_cron fulfilment '\*/5 \* \* \* \*' fulfilment
W=$T/fulfilment
ful() { run sh -c "$cmd" >"$T/out" 2>"$T/err"; [ "$st" = 0 ] || sed 's/^/#   /' "$T/err" | head -5; }

# ---- 1: nothing shipped yet: only the stock goes to BNG -------------------------
ful
is "$st" 0 "fulfilment: status 0"
for n in A B C; do
	is "$(picking BNG/WEB-$n)" assigned "BNG/WEB-$n: nothing shipped, its delivery waits"
done
o stock.quant --domain '[["location_id.usage","=","internal"]]' --fields product_id,location_id,quantity,reserved_quantity |
	jq -r '"odoo:\(.id) \(.product_id[1] | capture("\\[(?<c>[^]]+)\\]").c) \(.location_id[1]) \(.quantity) \(.reserved_quantity)"' |
	sort >"$T/q-want"
ok "Odoo has stock" test -s "$T/q-want"
b inventory_items | jq -r 'select(.Sku) | "\(.ExternalID) \(.Sku) \(.Warehouse) \(.QuantityOnHand) \(.QuantityReserved)"' |
	sort >"$T/q-got"
same_file "$T/q-got" "$T/q-want" "BNG's inventory items are Odoo's stock on hand, by product and location"
like "$(cat "$T/out")" "^inventory: [0-9]+ created$" "...and the run says what moved"

# ---- 2: A fulfilled, B shipped in part ----------------------------------------------
# (Odoo tracks the stock of the first product from here on, and has none of it)
p1=$(rpc product.product search "[[[\"default_code\",\"=\",\"$s1\"]]]" | jq '.[0]')
is "$(rpc product.product write "[[$p1],{\"is_storable\":true}]")" true "Odoo tracks $s1's stock"
api PATCH "/sales_orders/$ida" '{"FulfillmentStatus":"Fulfilled"}' >/dev/null
is "$api_status" 200 "BNG fulfils WEB-A"
api PATCH "/sales_orders/$idb" "{\"FulfillmentStatus\":\"Partial\",\"LineItems\":[{\"Sku\":\"$s1\",\"Quantity\":4,\"UnitPrice\":10,\"QuantityShipped\":1},{\"Sku\":\"$s3\",\"Quantity\":3,\"UnitPrice\":7}]}" >/dev/null
is "$api_status" 200 "BNG ships 1 of WEB-B's first line, none of its second"
api PATCH "/sales_orders/$idc" "{\"LineItems\":[{\"Sku\":\"$s2\",\"Quantity\":1,\"UnitPrice\":3,\"QuantityShipped\":2}]}" >/dev/null
is "$api_status" 400 "BNG refuses a line shipping more than its quantity"
ful
is "$st" 0 "fulfilment: status 0"
is "$(picking BNG/WEB-A)" done "WEB-A: its delivery is done, no backorder"
is "$(dstatus BNG/WEB-A):$(delivered BNG/WEB-A)" "full:2 5" "...Odoo's order is delivered in full"
is "$(picking BNG/WEB-B)" "done assigned+bo" "WEB-B: its delivery is done, the rest in a backorder, ready"
is "$(dstatus BNG/WEB-B):$(delivered BNG/WEB-B)" "partial:1 0" "...Odoo's order is delivered in part: 1 of the first line"
is "$(rpc stock.move search_read '[[["picking_id.origin","=","BNG/WEB-B"],["state","=","assigned"]]]' '{"fields":["product_uom_qty"],"order":"id"}' |
	jq -c '[.[].product_uom_qty]')" "[3,3]" "...the backorder holds the rest: 3 and 3"
is "$(picking BNG/WEB-C)" assigned "WEB-C: not shipped, its delivery waits"
is "$(fs "$ida")" "Fulfilled Shipped" "BNG: WEB-A Fulfilled and Shipped, from Odoo's delivery status"
is "$(fs "$idb")" "Partial Confirmed" "BNG: WEB-B Partial"
is "$(fs "$idc")" "Unfulfilled Confirmed" "BNG: WEB-C untouched"
like "$(cat "$T/out")" "^deliveries: 2 updated" "the run says what moved"
is "$(rpc stock.quant search_read "[[[\"product_id.default_code\",\"=\",\"$s1\"],[\"location_id.usage\",\"=\",\"internal\"]]]" '{"fields":["quantity"]}' | jq 'map(.quantity) | add')" \
	-3 "Odoo delivered 3 of $s1, storable, it had no stock of: on hand -3, as Odoo allows"
is "$(b inventory_items | jq -r "select(.Sku == \"$s1\") | .QuantityOnHand")" 0 \
	"...BNG, which takes nothing below zero, has 0 on hand"
like "$(cat "$T/out")" "status: 1 updated" "...both ways (WEB-B was Partial in BNG already)"

# ---- 3: nothing new: nothing written, either way -------------------------------------
ful
is "$st" 0 "a second run: status 0"
is "$(cat "$T/out")" "" "...moves nothing"
nb=$(sandbox_log bng | jq length)
no=$(sandbox_log odoo | jq length)
ful
is "$st" 0 "a third run: status 0"
is "$(cat "$T/out")" "" "...moves nothing"
ok "...reads Odoo's open moves" jq -e '[.[] | select(.rpc == "stock.move.search_read")] | length > 0' \
	"$(sandbox_log odoo "$no" >"$T/olog"; echo "$T/olog")"
flow_quiet "$nb" "$no"

# ---- 4: the rest of B shipped: the backorder is done --------------------------------
api PATCH "/sales_orders/$idb" "{\"FulfillmentStatus\":\"Fulfilled\",\"LineItems\":[{\"Sku\":\"$s1\",\"Quantity\":4,\"UnitPrice\":10,\"QuantityShipped\":4},{\"Sku\":\"$s3\",\"Quantity\":3,\"UnitPrice\":7,\"QuantityShipped\":3}]}" >/dev/null
ful
is "$st" 0 "the rest shipped: status 0"
is "$(picking BNG/WEB-B)" "done done+bo" "WEB-B: the backorder is done too, and no new one"
is "$(dstatus BNG/WEB-B):$(delivered BNG/WEB-B)" "full:4 3" "...Odoo's order is delivered in full"
is "$(fs "$idb")" "Fulfilled Shipped" "BNG: WEB-B Fulfilled and Shipped"

# ---- 5: a delivery done in Odoo reaches BNG -------------------------------------------
pc=$(rpc stock.picking search '[[["origin","=","BNG/WEB-C"]]]' | jq '.[0]')
odoo_validate_picking "$pc" >/dev/null
ful
is "$st" 0 "WEB-C delivered in Odoo: status 0"
is "$(fs "$idc")" "Fulfilled Shipped" "BNG: WEB-C Fulfilled and Shipped"
nb=$(sandbox_log bng | jq length)
no=$(sandbox_log odoo | jq length)
ful
is "$(cat "$T/out")" "" "the next run moves nothing"
flow_quiet "$nb" "$no"

# ---- an order BNG shipped before it reached Odoo goes through once it has --------
ide=$(order WEB-E "[{\"Sku\":\"$s2\",\"Quantity\":2,\"UnitPrice\":3}]")
api PATCH "/sales_orders/$ide" '{"FulfillmentStatus":"Fulfilled"}' >/dev/null
ful
is "$st:$(picking BNG/WEB-E)" "0:" "WEB-E shipped in BNG, not in Odoo yet: left out"
# twenty minutes on, another change moves the position past it
sandbox_control bng POST bng/clock '{"advance":1200}' >/dev/null
BNG_TOKEN=
api PATCH "/sales_orders/$idc" '{"ShippingAddress":"1 Quay Street, Galway"}' >/dev/null
is "$api_status" 200 "twenty minutes later BNG changes another order"
ful
run "$ERPIPE_TOP/examples/scripts/order-to-cash" bng odoo "$T/o2c"
is "$st:$(picking BNG/WEB-E)" "0:assigned" "order-to-cash brings WEB-E to Odoo"
ful
is "$st:$(picking BNG/WEB-E)" "0:done" "...and the next run validates its delivery (SHIP_WINDOW)"
is "$(fs "$ide")" "Fulfilled Shipped" "...and BNG has it Shipped"

# ---- a product twice in an order: each line ships its own move ----------------------
idr=$(order WEB-R "[{\"Sku\":\"$s1\",\"Quantity\":2,\"UnitPrice\":0,\"Description\":\"gift\"},{\"Sku\":\"$s1\",\"Quantity\":3,\"UnitPrice\":10}]")
run "$ERPIPE_TOP/examples/scripts/order-to-cash" bng odoo "$T/o2c"
is "$st:$(rpc sale.order.line search_read '[[["order_id.name","=","BNG/WEB-R"]]]' '{"fields":["sequence","price_unit"],"order":"sequence, id"}' | jq -c '[.[] | [.sequence, .price_unit]]')" \
	'0:[[1,0],[2,10]]' "order-to-cash: each Odoo line's sequence is BNG's LineNo"
api PATCH "/sales_orders/$idr" "{\"FulfillmentStatus\":\"Partial\",\"LineItems\":[{\"Sku\":\"$s1\",\"Quantity\":2,\"UnitPrice\":0,\"Description\":\"gift\"},{\"Sku\":\"$s1\",\"Quantity\":3,\"UnitPrice\":10,\"QuantityShipped\":3}]}" >/dev/null
ful
is "$st:$(picking BNG/WEB-R)" "0:done assigned+bo" "BNG ships the second line of a repeated product: done, the first in a backorder"
is "$(dstatus BNG/WEB-R):$(delivered BNG/WEB-R)" "partial:0 3" "...Odoo delivered the second line, not the first"
api PATCH "/sales_orders/$idr" "{\"FulfillmentStatus\":\"Fulfilled\"}" >/dev/null
ful
is "$st:$(picking BNG/WEB-R):$(dstatus BNG/WEB-R):$(delivered BNG/WEB-R)" "0:done done+bo:full:2 3" \
	"...then the first: the backorder done, both lines delivered"
is "$(fs "$idr")" "Fulfilled Shipped" "BNG: WEB-R Fulfilled and Shipped"

# ---- a run stopped in the deliveries' load ------------------------------------------
idg=$(order WEB-G "[{\"Sku\":\"$s1\",\"Quantity\":1,\"UnitPrice\":10}]")
idh=$(order WEB-H "[{\"Sku\":\"$s2\",\"Quantity\":2,\"UnitPrice\":3}]")
run "$ERPIPE_TOP/examples/scripts/order-to-cash" bng odoo "$T/o2c"
pg=$(rpc stock.picking search '[[["origin","=","BNG/WEB-G"]]]' | jq '.[0]')
ph=$(rpc stock.picking search '[[["origin","=","BNG/WEB-H"]]]' | jq '.[0]')
api PATCH "/sales_orders/$idg" '{"FulfillmentStatus":"Fulfilled"}' >/dev/null
api PATCH "/sales_orders/$idh" "{\"FulfillmentStatus\":\"Partial\",\"LineItems\":[{\"Sku\":\"$s2\",\"Quantity\":2,\"UnitPrice\":3,\"QuantityShipped\":1}]}" >/dev/null
flow_run_stopped after button_validate
is "$st" 74 "deliveries validated, their receipts lost: 74"
like "$(cat "$T/err")" "fulfilment: deliveries: status 74" "...says which step"
is "$(picking BNG/WEB-G) / $(picking BNG/WEB-H)" "done / done assigned+bo" "...Odoo has both deliveries validated"
is "$(jq -c "select(.key.id == $pg or .key.id == $ph)" "$W/receipts/deliveries.ndjson")" "" "...and no receipt for them"
ok "...what the step sent is kept" test -s "$W/state/deliveries.pending.ndjson"
no=$(sandbox_log odoo | jq length)
ful
is "$st" 0 "the next run: status 0"
is "$(jq -r "select(.key.id == $pg) | .status" "$W/receipts/deliveries.ndjson")" unchanged \
	"...WEB-G's delivery, done, gets its receipt: unchanged"
is "$(jq -r "select(.key.id == $ph) | .status" "$W/receipts/deliveries.ndjson")" unchanged \
	"...WEB-H's too (nothing more shipped: its backorder waits)"
ok "...and what was kept is gone" test ! -e "$W/state/deliveries.pending.ndjson"
flow_quiet - "$no"
is "$(fs "$idg") / $(fs "$idh")" "Fulfilled Shipped / Partial Confirmed" "...BNG has both from Odoo's delivery status"
idi=$(order WEB-I "[{\"Sku\":\"$s3\",\"Quantity\":1,\"UnitPrice\":7}]")
run "$ERPIPE_TOP/examples/scripts/order-to-cash" bng odoo "$T/o2c"
pi=$(rpc stock.picking search '[[["origin","=","BNG/WEB-I"]]]' | jq '.[0]')
api PATCH "/sales_orders/$idi" '{"FulfillmentStatus":"Fulfilled"}' >/dev/null
flow_run_stopped before button_validate
is "$st:$(picking BNG/WEB-I)" "74:assigned" "a load stopped before it sent anything: 74, the delivery open"
ful
is "$st:$(picking BNG/WEB-I)" "0:done" "...the next run sends it again and validates it"
is "$(jq -r "select(.key.id == $pi) | .status" "$W/receipts/deliveries.ndjson")" updated \
	"...one receipt: updated"

# ---- a refused record stops the flow, and the steps after it --------------------------
idd=$(order WEB-D "[{\"Sku\":\"$s3\",\"Quantity\":2,\"UnitPrice\":7}]")
run "$ERPIPE_TOP/examples/scripts/order-to-cash" bng odoo "$T/o2c"
odoo_validate_picking "$(rpc stock.picking search '[[["origin","=","BNG/WEB-D"]]]' | jq '.[0]')" >/dev/null
api DELETE "/sales_orders/$idd" >/dev/null
is "$api_status" 204 "WEB-D delivered in Odoo, deleted in BNG"
no=$(sandbox_log odoo | jq length)
ful
is "$st" 65 "its status has no order to go to: 65"
like "$(cat "$T/err")" "fulfilment: status: status 65" "...says which step"
is "$(jq -r 'select(.record.OrderNo == "WEB-D") | .error' "$W/rejects/status.ndjson")" "update: no record matches the key" "...WEB-D is the reject: no such order in BNG"
is "$(sandbox_log odoo "$no" | jq '[.[] | select(.rpc == "stock.quant.search_read")] | length')" 0 \
	"...and the inventory step does not run"

# ---- load: the wizard's button; a wizard without one ----------------------------------
idf=$(order WEB-F "[{\"Sku\":\"$s1\",\"Quantity\":2,\"UnitPrice\":10}]")
run "$ERPIPE_TOP/examples/scripts/order-to-cash" bng odoo "$T/o2c"
pf=$(rpc stock.picking search '[[["origin","=","BNG/WEB-F"]]]' | jq '.[0]')
mf=$(rpc stock.move search "[[[\"picking_id\",\"=\",$pf]]]" | jq '.[0]')
echo "{\"_key\":{\"id\":$pf},\"move_ids\":[[1,$mf,{\"quantity\":1,\"picked\":true}]]}" >"$T/f"
run load -q -P odoo odoo stock.picking --then button_validate --rejects "$T/rej" "$T/f" >"$T/rc"
is "$st" 65 "load --then button_validate on a short delivery: 65"
like "$(jq -r .error "$T/rej")" "stock.picking.button_validate: Odoo asks with the wizard stock.backorder.confirmation; name its button" \
	"...the wizard named in the reject"
is "$(picking BNG/WEB-F)" assigned "...and the delivery is not validated"
run load -q -P odoo odoo stock.picking --then button_validate/process_cancel_backorder "$T/f" >"$T/rc"
is "$st" 0 "load --then button_validate/process_cancel_backorder: 0"
is "$(jq -r .status "$T/rc")" updated "...the delivery written"
is "$(picking BNG/WEB-F)" done "...done, without a backorder (the wizard's other button)"

# ---- one run at a time; usage ----------------------------------------------------------
flow_mark
api PATCH "/sales_orders/$idf" '{"FulfillmentStatus":"Partial"}' >/dev/null
flow_lock fulfilment

# ---- the templates' sample table is what the open-moves map makes of the sample moves
D=$ERPIPE_TOP/tests/data/templates
run sh -c "cd '$D' && xform -q -f odoo/stock.move-to-table/open-moves odoo/stock.move.ndjson" >"$T/table"
same_file "$T/table" "$D/maps/open-moves.ndjson" "tests/data/templates/maps/open-moves.ndjson is current"

done_testing
