#!/bin/sh
# NAV sandbox: the pages the flows of issue #16 read and write, as NAV
# publishes them.  Item Journal (page 40, ItemJournalLines): a line names an
# item that exists and takes its description, unit and cost; a user posts
# the batch: each line an item ledger entry (a Positive Adjmt. adds to the
# item's Inventory, a Negative Adjmt. takes away), the lines gone; a line
# without a posting date refuses the batch.  Posted Sales Shipment (page
# 130, SalesShipment with SalesShipmentSalesShipmLines): read only; a user
# posts a sales order's shipment: the order's lines count Quantity_Shipped,
# at most the quantity, the items' inventory goes down.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
sandbox_start nav --records 5
R=$NAV_URL/BC/ODataV4
C="Company('CRONUS%20International%20Ltd.')"
A="admin:NAVkey123"
get() { curl -sS -u "$A" "$@"; }
json() { curl -sS -u "$A" -H 'Content-Type: application/json' "$@"; }
inv() { get "$R/$C/Item('$1')?\$select=Inventory" | jq .Inventory; }
line() { # LINE_NO ITEM TYPE QTY [DATE]
	printf '{"Journal_Template_Name":"ITEM","Journal_Batch_Name":"T","Line_No":%s,"Posting_Date":"%s","Entry_Type":"%s","Document_No":"CNT-1","Item_No":"%s","Location_Code":"MAIN","Quantity":%s}' \
		"$1" "${5:-2026-12-01}" "$3" "$2" "$4"
}

# $metadata: the pages and the shipment's lines
get "$R/\$metadata" > "$T/meta"
for s in ItemJournalLines SalesShipment SalesShipmentSalesShipmLines ItemLedgerEntries GLEntries; do
	ok "\$metadata: EntityType $s" grep -q "<EntityType Name=\"$s\"" "$T/meta"
done
ok "\$metadata: SalesShipment's lines a navigation property" \
	grep -q 'NavigationProperty Name="SalesShipmentSalesShipmLines"' "$T/meta"
ok "\$metadata: an order line's Quantity_Shipped is computed" sh -c \
	"tr '>' '>\n' < '$T/meta' | grep -A2 'Property Name=\"Quantity_Shipped\"' | grep -q Computed"

# the item journal
i0=$(inv 1896-S)
is "$(json -X POST -d "$(line 10000 1896-S Positive_x0020_Adjmt_x002E_ 7)" "$R/$C/ItemJournalLines" |
	jq -c '[.Description, .Unit_of_Measure_Code, .Unit_Amount, .Amount]')" '["ATHENS Desk","PCS",780.7,5464.9]' \
	"a line takes its item's description, unit and cost"
is "$(json -X POST -d "$(line 20000 1900-S Negative_x0020_Adjmt_x002E_ 2)" "$R/$C/ItemJournalLines" | jq -r .Line_No)" \
	20000 "a Negative Adjmt. line"
is "$(json -X POST -d "$(line 30000 NOPE Positive_x0020_Adjmt_x002E_ 1)" "$R/$C/ItemJournalLines" | jq -r .error.code)" \
	Application_RecordNotFound "an item that does not exist refuses the line"
is "$(inv 1896-S)" "$i0" "an unposted line leaves the inventory"
j0=$(inv 1900-S)
is "$(sandbox_control nav POST nav/post-item-journal '{"batch":"T"}' | jq -c .)" '{"lines":2,"entries":2}' \
	"the batch posted: an entry per line"
is "$(inv 1896-S):$(inv 1900-S)" "$(jq -n "$i0 + 7"):$(jq -n "$j0 - 2")" \
	"...the Positive Adjmt. added, the Negative Adjmt. taken away"
is "$(get "$R/$C/ItemJournalLines/\$count")" 0 "...the lines gone"
is "$(get "$R/$C/ItemLedgerEntries?\$filter=Document_No%20eq%20'CNT-1'" | jq -c '[.value[] | [.Entry_Type, .Quantity]]')" \
	'[["Positive_x0020_Adjmt_x002E_",7],["Negative_x0020_Adjmt_x002E_",-2]]' "...as item ledger entries"
json -X POST -d "$(line 10000 1896-S Positive_x0020_Adjmt_x002E_ 1 0001-01-01)" "$R/$C/ItemJournalLines" >/dev/null
like "$(sandbox_control nav POST nav/post-item-journal '{"batch":"T"}')" "Posting Date must have a value" \
	"a line without a posting date refuses the batch"
is "$(get "$R/$C/ItemJournalLines/\$count"):$(inv 1896-S)" "1:$(jq -n "$i0 + 7")" "...nothing posted"

# a sales order's shipment
o=S-ORD101001
get "$R/$C/SalesOrder(Document_Type='Order',No='$o')?\$expand=SalesOrderSalesLines" > "$T/o"
l1=$(jq '.SalesOrderSalesLines[0].Line_No' "$T/o")
q1=$(jq '.SalesOrderSalesLines[0].Quantity' "$T/o")
it=$(jq -r '.SalesOrderSalesLines[0].No' "$T/o")
k0=$(inv "$it")
is "$(sandbox_control nav POST nav/post-shipment "{\"order\":\"$o\",\"quantities\":{\"$l1\":1}}" | jq -r .shipment)" \
	102001 "a shipment of 1 posted"
is "$(get "$R/$C/SalesShipment('102001')?\$expand=SalesShipmentSalesShipmLines" |
	jq -c '[.Order_No, .SalesShipmentSalesShipmLines[0].Quantity, .SalesShipmentSalesShipmLines[0].Order_Line_No]')" \
	"[\"$o\",1,$l1]" "...SalesShipment names the order, its line the order's line"
is "$(inv "$it")" "$(jq -n "$k0 - 1")" "...the item's inventory down by it"
sandbox_control nav POST nav/post-shipment "{\"order\":\"$o\"}" >/dev/null
sandbox_control nav POST nav/post-shipment "{\"order\":\"$o\",\"quantities\":{\"$l1\":5}}" >/dev/null
is "$(get "$R/$C/SalesOrder(Document_Type='Order',No='$o')?\$expand=SalesOrderSalesLines" |
	jq -c '[.SalesOrderSalesLines[] | .Quantity == .Quantity_Shipped] | unique')" "[true]" \
	"the rest shipped, and no more than the order's quantity"
is "$(json -X POST -d '{"No":"X1","Order_No":"'$o'"}' "$R/$C/SalesShipment" | jq -r .error.code)" \
	BadRequest_MethodNotAllowed "a posted shipment is read only"
is "$(json -X PATCH -H 'If-Match: *' -d '{"Quantity_Shipped":1}' \
	"$R/$C/SalesOrderSalesLines(Document_Type='Order',Document_No='$o',Line_No=$l1)" | jq -r .error.code)" \
	BadRequest_PropertyReadOnly "Quantity_Shipped is NAV's"
done_testing
