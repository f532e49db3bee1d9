#!/bin/sh
# examples/scripts/procure-to-pay against the BNG, Odoo and NAV sandboxes,
# run as examples/cron/procure-to-pay runs it.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
sandbox_start odoo
sandbox_start bng --records 0 --entity vendors=2
. "$ERPIPE_TOP/tests/sandbox/nav-env.sh"
nav_env --records 2
. "$ERPIPE_TOP/tests/sandbox/odoo-rpc.sh"
. "$ERPIPE_TOP/tests/sandbox/bng-api.sh"
. "$ERPIPE_TOP/tests/sandbox/profiles.sh"
. "$ERPIPE_TOP/tests/sandbox/flow.sh"

flow_nav_profile
NAV_URL=$(sed -n 's/^url = \(.*ODataV4\)$/\1/p' "$T/conf")   # for get
flow_cron procure-to-pay '\*/15 \* \* \* \*' p2p "bng odoo nav"
W=$T/p2p
p2p() { run sh -c "$cmd" >"$T/out" 2>"$T/err"; [ "$st" = 0 ] || sed 's/^/#   /' "$T/err" | head -8; }
marks() { nb=$(sandbox_log bng | jq length); no=$(sandbox_log odoo | jq length); nn=$(sandbox_log nav | jq length); }
quiet() { # NAME: a run that moves nothing and writes nowhere
	marks
	p2p
	is "$st:$(cat "$T/out")" "0:" "$1: status 0, moves nothing"
	flow_quiet "$nb" "$no" "$nn"
}
fld() { rpc "$1" read "[[$2]]" "{\"fields\":$3}" | jq -c ".[0] | [$(printf '%s' "$3" | jq -r 'map(".\(.)") | join(",")')]"; }
po() { # VENDOR LINES: a confirmed Odoo purchase order; prints its id
	_po=$(rpc purchase.order create "[{\"partner_id\":$1,\"order_line\":$2}]")
	rpc purchase.order button_confirm "[[$_po]]" >/dev/null
	echo "$_po"
}
line() { echo "[0,0,{\"product_id\":$1,\"product_qty\":$2,\"price_unit\":$3}]"; }
receipt() { rpc purchase.order read "[[$1]]" '{"fields":["picking_ids"]}' | jq '.[0].picking_ids[0]'; }
pname() { rpc purchase.order read "[[$1]]" '{"fields":["name"]}' | jq -r '.[0].name'; }

# ---- an Odoo vendor without a bill yet (supplier_rank 0), its orders --------------
v=$(rpc res.partner create '[{"name":"TX Supplies Ltd","is_company":true,"email":"tx.vendor@example.com"}]')
is "$(fld res.partner "$v" '["supplier_rank"]')" "[0]" "a new vendor: supplier_rank 0"
pa=$(po "$v" "[$(line 5 10 40),$(line 6 4 90)]")     # received, billed right (within the price tolerance)
pb=$(po "$v" "[$(line 5 5 40)]")                      # 3 of 5 received, billed 5
pc=$(po "$v" "[$(line 6 2 90)]")                      # not received, billed
pd=$(po "$v" "[$(line 6 6 90)]")                      # received, billed at 95
na=$(pname "$pa") nb_=$(pname "$pb") nc=$(pname "$pc") nd=$(pname "$pd")
# ---- a BNG vendor and its order ---------------------------------------------------
bv=$(b vendors --fields VendorID | jq -r 'select(.VendorID) | .VendorID' | head -1)
api POST /purchase_orders "{\"OrderNo\":\"BPO-1\",\"VendorID\":$bv,\"OrderedAt\":\"2026-12-01T10:00:00.000Z\",\"Currency\":\"USD\",\"Status\":\"Confirmed\",\"LineItems\":[{\"Sku\":\"FURN_8888\",\"Quantity\":3,\"UnitCost\":100}]}" >/dev/null
is "$api_status" 201 "BNG has a purchase order of its own"
bpo=$(jq .PurchaseOrderID "$T/.api")

# ---- 1: vendors and orders everywhere -----------------------------------------------
p2p
is "$st" 0 "first run: status 0"
like "$(cat "$T/out")" "^vendors-in: 2 created" "BNG's vendors reach Odoo"
# identity: BNG's vendor ids in Odoo's external ids, never in ref; not sent back
is "$(o res.partner --xmlids bng --fields name,ref |
	jq -r 'select(.xmlids | length > 0) | "\(.xmlids | join(" ")) \(.ref)"' | sort | paste -sd' ' -)" \
	"$(b vendors --fields VendorID,ExternalID | jq -r 'select(.VendorID) | select((.ExternalID // "") | startswith("odoo:") | not) |
		"bng.vendor_\(.VendorID) false"' | sort | paste -sd' ' -)" \
	"...each Odoo partner holds the external id bng.vendor_VendorID, ref untouched"
is "$(jq -c 'select(.key.VendorID)' "$W/receipts/vendors-bng.ndjson" | wc -l | tr -d ' ')" 0 \
	"...and not sent back to BNG"
like "$(cat "$T/out")" "orders-in: 1 created" "...and BNG's order"
like "$(cat "$T/out")" "orders-nav: [0-9]+ created" "Odoo's confirmed orders reach NAV"
bo=$(rpc purchase.order search '[[["origin","=","bng:BPO-1"]]]' | jq '.[0]')
is "$(fld purchase.order "$bo" '["state","receipt_status"]')" '["purchase","pending"]' "BNG's order is confirmed in Odoo, its receipt pending"
is "$(b vendors | jq -r "select(.ExternalID == \"odoo:$v\") | .CompanyName")" "TX Supplies Ltd" \
	"the Odoo vendor of rank 0 is a BNG vendor (it has orders)"
is "$(get "Vendor('OD-$v')" | jq -r .Name)" "TX Supplies Ltd" "...and a NAV vendor"
is "$(fld res.partner "$v" '["supplier_rank"]')" "[0]" "...its rank not written"
is "$(b purchase_orders | jq -r "select(.OrderNo == \"$na\") | \"\(.VendorExternalID) \(.Status) \(.LineItems | length)\"")" \
	"odoo:$v Confirmed 2" "BNG has the Odoo order, its vendor and lines"
is "$(get "PurchaseOrder(Document_Type='Order',No='OD-$na')?\$expand=PurchaseOrderPurchLines" | jq -c '[.Buy_from_Vendor_No, [.PurchaseOrderPurchLines[] | [.No, .Quantity, .Direct_Unit_Cost]]]')" \
	"[\"OD-$v\",[[\"FURN_7777\",10,40],[\"FURN_8888\",4,90]]]" "NAV has it, items first"
quiet "a second run"

# ---- 2: the warehouse receives --------------------------------------------------------
for o in $pa $pd $bo; do odoo_validate_picking "$(receipt "$o")" >/dev/null; done
odoo_validate_picking "$(receipt "$pb")" 3 >/dev/null
is "$(fld purchase.order "$pb" '["receipt_status"]')$(fld purchase.order "$pc" '["receipt_status"]')" \
	'["partial"]["pending"]' "received: 3 of 5 of one order, none of another"
p2p
is "$st" 0 "receipts: status 0"
is "$(api GET "/purchase_orders/$bpo" | jq -r .Status)" Received "BNG's own order is Received"
is "$(b purchase_orders | jq -r "select(.OrderNo == \"$na\" or .OrderNo == \"$nb_\") | .Status" | sort | paste -sd' ' -)" \
	"Confirmed Received" "...and the Odoo order received in full, not the partial one"
like "$(cat "$T/out")" "orders-bng: 2 updated" "the run says what moved"
like "$(cat "$T/out")" "received: 1 updated" "...both ways"

# ---- 3: NAV's bills, the three-way match ----------------------------------------------
bill() { # NO ORDER LINES(json: [[item, qty, cost]...])
	_b=$(jq -cn --arg no "$1" --arg o "OD-$2" --arg v "OD-$v" --argjson l "$3" '{No: $no, Buy_from_Vendor_No: $v,
		Posting_Date: "2026-12-08", Vendor_Invoice_No: ("VB-" + $no), Your_Reference: $o,
		PurchaseInvoicePurchLines: [$l | to_entries[] | {Line_No: ((.key + 1) * 10000), Type: "Item",
			No: .value[0], Quantity: .value[1], Direct_Unit_Cost: .value[2]}]}')
	curl -sS -o "$T/bill" -w '%{http_code}' -u admin:NAVkey123 -H 'Content-Type: application/json' \
		--data-binary "$_b" "$NAV_URL/$C/PurchaseInvoice"
}
is "$(bill B-OK "$na" '[["FURN_7777",10,40],["FURN_8888",4,90.3]]')" 201 "NAV: a bill of what was received (a cost within 0.5%)"
is "$(bill B-SHORT "$nb_" '[["FURN_7777",5,40]]')" 201 "NAV: a bill of 5, 3 received"
is "$(bill B-NORCPT "$nc" '[["FURN_8888",2,90]]')" 201 "NAV: a bill of goods not received"
is "$(bill B-PRICE "$nd" '[["FURN_8888",6,95]]')" 201 "NAV: a bill at another price"
is "$(bill B-ITEM "$nd" '[["FURN_7777",1,40]]')" 201 "NAV: a bill of an item not on the order"
p2p
is "$st" 0 "bills: status 0"
like "$(cat "$T/out")" "match: 4 bills held back \\($W/held.ndjson\\)" "four bills held back"
like "$(cat "$T/out")" "bills: 1 created" "...the right one goes through"
jq -r '"\(.record.Bill // .record.key.Bill) \(.error)"' "$W/held.ndjson" | sort >"$T/held"
cat >"$T/want" <<'X'
B-ITEM not on the order
B-NORCPT bill without receipt
B-PRICE price changed
B-SHORT quantity short
X
same_file "$T/held" "$T/want" "...each with its reason"
mb=$(rpc ir.model.data search_read '[[["module","=","nav"],["name","=","purchase_invoice_B-OK"]]]' '{"fields":["res_id"]}' | jq '.[0].res_id')
is "$(fld account.move "$mb" '["move_type","state","partner_id","ref","invoice_origin","invoice_date"]' | jq -c '.[2] |= .[0]')" \
	"[\"in_invoice\",\"posted\",$v,\"VB-B-OK\",\"$na\",\"2026-12-08\"]" "Odoo: the bill posted, the order's vendor, NAV's numbers"
is "$(rpc account.move.line search_read "[[[\"move_id\",\"=\",$mb],[\"display_type\",\"=\",\"product\"]]]" '{"fields":["quantity","price_unit","purchase_line_id"],"order":"id"}' |
	jq -c '[.[] | [.quantity, .price_unit, (.purchase_line_id | type)]]')" '[[10,40,"array"],[4,90.3,"array"]]' \
	"...each line against its order line"
is "$(fld purchase.order "$pa" '["invoice_status"]')$(fld res.partner "$v" '["supplier_rank"]')" '["invoiced"][1]' \
	"the order billed; Odoo made the vendor's rank 1"
quiet "nothing new"

# ---- 4: the bill paid in Odoo -> NAV's payment journal -----------------------------------
pay=$(odoo_register_payment "$mb")
p2p
is "$st" 0 "payment: status 0"
like "$(cat "$T/out")" "^payments: 1 created$" "the payment goes to NAV"
is "$(get "GenJournalLines?\$filter=Journal_Template_Name%20eq%20'PAYMENT'" | jq -c "[.value[] | select(.Line_No == $pay) | [.Account_Type, .Account_No, .Amount, .Applies_to_Doc_Type, .Applies_to_Doc_No]]")" \
	"[[\"Vendor\",\"OD-$v\",$(fld account.move "$mb" '["amount_total"]' | jq '.[0]'),\"Invoice\",\"B-OK\"]]" \
	"...a payment to the vendor, applied to NAV's invoice"
quiet "nothing new"

# ---- 5: the goods arrive: the held bill goes through --------------------------------------
# (the run that posts it stops before its receipt is written: a full
# disk, a kill -- chaos, issue 15; the next run gives it its receipt from
# what the step kept, flow_settle)
odoo_validate_picking "$(receipt "$pc")" >/dev/null
flow_run_stopped after action_post
is "$st" 74 "a late receipt, the bill posted and its receipt lost: 74"
like "$(cat "$T/out")" "match: 3 bills held back" "three bills still held"
mn=$(rpc ir.model.data search_read '[[["module","=","nav"],["name","=","purchase_invoice_B-NORCPT"]]]' '{"fields":["res_id"]}' | jq '.[0].res_id')
is "$(fld account.move "$mn" '["state"]')" '["posted"]' "...the one received went through, posted"
is "$(jq -r 'select(.key.xid == "nav.purchase_invoice_B-NORCPT") | .status' "$W/receipts/bills.ndjson")" "" \
	"...without its receipt"
p2p
is "$st:$(cat "$T/out")" "0:" "the next run: status 0, moves nothing"
is "$(jq -r 'select(.key.xid == "nav.purchase_invoice_B-NORCPT") | .status' "$W/receipts/bills.ndjson")" unchanged \
	"...the bill gets its receipt: unchanged"
ok "...what the step kept is gone" test ! -e "$W/state/bills.pending.ndjson"
is "$(jq -r '.record.Bill // .record.key.Bill' "$W/held.ndjson" | sort -u | paste -sd' ' -)" "B-ITEM B-PRICE B-SHORT" "...the others held"
quiet "nothing new"

# ---- a bill a stopped run left in draft without a number: written and posted ---------
# (made by load, its lines' write or its posting lost: chaos, issue 15) --
# here the bill that just went through, put back as such a run leaves it
rpc account.move write "[[$mn],{\"state\":\"draft\",\"name\":false}]" >/dev/null
rpc account.move.line unlink "[$(rpc account.move.line search "[[[\"move_id\",\"=\",$mn]]]")]" >/dev/null
is "$(rpc account.move.line search_count "[[[\"move_id\",\"=\",$mn]]]")" 0 "(the bill B-NORCPT a draft without a number or lines)"
p2p
is "$st" 0 "a draft bill left by a stopped run: status 0"
like "$(cat "$T/out")" "bills: 1 updated" "...written again"
is "$(fld account.move "$mn" '["state"]')" '["posted"]' "...and posted"
is "$(rpc account.move.line search_read "[[[\"move_id\",\"=\",$mn],[\"display_type\",\"=\",\"product\"]]]" '{"fields":["quantity","price_unit"]}' | jq -c '[.[] | [.quantity, .price_unit]]')" \
	'[[2,90]]' "...with NAV's line"
quiet "nothing new"

# ---- an order a stopped run left a draft (its confirmation's answer lost) -------------
api POST /purchase_orders "{\"OrderNo\":\"BPO-2\",\"VendorID\":$bv,\"OrderedAt\":\"2026-12-02T10:00:00.000Z\",\"Currency\":\"USD\",\"Status\":\"Confirmed\",\"LineItems\":[{\"Sku\":\"FURN_8888\",\"Quantity\":1,\"UnitCost\":100}]}" >/dev/null
sandbox_faults odoo '{"drop": {"next": 1, "body": "button_confirm"}}' >/dev/null
p2p
is "$st" 69 "BNG's order made, its confirmation's answer lost: 69"
bo2=$(rpc purchase.order search '[[["origin","=","bng:BPO-2"]]]' | jq '.[0]')
is "$(fld purchase.order "$bo2" '["state"]')" '["draft"]' "...the order a draft in Odoo"
p2p
is "$st" 0 "the next run: status 0"
is "$(fld purchase.order "$bo2" '["state"]')" '["purchase"]' "...confirms it (orders-confirm)"
quiet "nothing new"
# ---- one run at a time; usage -----------------------------------------------------
flow_mark
pe=$(po "$v" "[$(line 5 1 40)]")   # something to move
flow_lock procure-to-pay 5

done_testing
