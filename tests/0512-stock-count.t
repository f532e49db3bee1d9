#!/bin/sh
# examples/scripts/stock-count against the Odoo, NAV and BNG sandboxes, run
# as examples/cron/stock-count runs it: Odoo's products in WH/Stock become
# NAV items first, then each product's on hand against the item's
# Inventory in NAV is a Positive or Negative Adjmt. line of NAV's item
# journal (batch ODOO), and BNG's inventory items follow Odoo.  Until NAV
# posts the batch a run writes the same lines (unchanged); once posted,
# NAV's inventory is Odoo's and nothing is written; a count changed in
# Odoo travels as one line.  A second run writes nothing, anywhere.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
sandbox_start odoo --partners 10
sandbox_start bng --records 0
. "$ERPIPE_TOP/tests/sandbox/nav-env.sh"
nav_env --records 2
. "$ERPIPE_TOP/tests/sandbox/odoo-rpc.sh"
. "$ERPIPE_TOP/tests/sandbox/profiles.sh"
. "$ERPIPE_TOP/tests/sandbox/flow.sh"
flow_nav_profile
flow_cron stock-count '0 \* \* \* \*' stock-count "odoo nav bng"
W=$T/stock-count
n() { nav-extract -q -P nav "$@"; }
quiet() { flow_again "$1" "bng odoo nav"; }
# item on-hand, one per line, sorted: Odoo's in WH/Stock, NAV's Inventory
odoo_onhand() {
	o stock.quant --domain '[["location_id.complete_name","=","WH/Stock"]]' --fields product_id,quantity |
		jq -r '"\(.product_id[1] | capture("^\\[(?<c>[^]]+)\\]").c // "OD-\(.product_id[0])" ) \(.quantity)"' | sort
}
nav_onhand() {
	for i in $(odoo_onhand | cut -d' ' -f1); do
		n Item --where "No eq $i" --select No,Inventory | jq -r '"\(.No) \(.Inventory)"'
	done | sort
}
# Odoo's on hand as load writes it (numbers as numbers): 11.0 -> 11
num() { awk '{printf "%s %s\n", $1, $2 + 0}'; }

odoo_onhand | num > "$T/odoo"
ok "Odoo holds stock in WH/Stock" test -s "$T/odoo"
is "$(cut -d' ' -f1 "$T/odoo" | uniq -d)" "" "one quant per product there"
flow_run
is "$st" 0 "stock-count: status 0"
like "$(cat "$T/out" | paste -sd ' ')" '^items: [0-9]+ created count: [0-9]+ created bng: [0-9]+ created$' \
	"...printing what moved: the items, the journal lines, BNG's inventory"
is "$(n ItemJournalLines | jq -r '[.Journal_Template_Name, .Journal_Batch_Name, .Document_No, .Location_Code] | join(" ")' | sort -u)" \
	"ITEM ODOO ODOO-COUNT MAIN" "lines of batch ODOO of template ITEM, at MAIN"
n ItemJournalLines | jq -r '"\(.Item_No) \(if .Entry_Type | startswith("Negative") then -.Quantity else .Quantity end)"' |
	sort > "$T/lines"
nav_onhand | num > "$T/nav0"
join "$T/odoo" "$T/nav0" | awk '$2 != $3 {printf "%s %s\n", $1, $2 - $3}' | num > "$T/want"
same_file "$T/lines" "$T/want" "each line the difference between Odoo's on hand and NAV's inventory"

quiet "a second run, the batch not posted"

is "$(sandbox_control nav POST nav/post-item-journal '{"template":"ITEM","batch":"ODOO"}' | jq -c .)" \
	"{\"lines\":$(wc -l < "$T/lines" | tr -d ' '),\"entries\":$(wc -l < "$T/lines" | tr -d ' ')}" \
	"NAV's user posts the batch: an entry per line"
is "$(n --count ItemJournalLines)" 0 "...the lines gone"
nav_onhand | num > "$T/nav1"
same_file "$T/nav1" "$T/odoo" "NAV's inventory is Odoo's on hand"
ok "...of the adjustment types" sh -c "nav-extract -q -P nav ItemLedgerEntries --where 'Document_No eq ODOO-COUNT' |
	jq -e -s 'length > 0 and all(.Entry_Type | test(\"^(Positive|Negative)_x0020_Adjmt_x002E_\$\"))' >/dev/null"

quiet "a run after the posting"

# the stock changes in Odoo: one product has 3 fewer (the sandbox books no
# stock moves: its quant is written as Odoo's would read after a delivery)
q=$(o stock.quant --domain '[["location_id.complete_name","=","WH/Stock"],["quantity",">",5]]' --fields id,quantity,product_id | head -1)
qid=$(echo "$q" | jq -r .id)
rpc stock.quant write "[[$qid],{\"quantity\":$(echo "$q" | jq '.quantity - 3')}]" >/dev/null
flow_run
is "$st:$(cat "$T/out" | paste -sd ' ')" "0:count: 1 created bng: 1 updated" "3 fewer in Odoo: one line, BNG's item updated"
is "$(n ItemJournalLines | jq -c '[.Entry_Type, .Quantity, .Line_No]')" \
	"[\"Negative_x0020_Adjmt_x002E_\",3,$(echo "$q" | jq .product_id[0])]" "...a Negative Adjmt. of 3"
quiet "and again"

flow_mark
flow_lock stock-count 5
done_testing
