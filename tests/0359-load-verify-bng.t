#!/bin/sh
# load bng verifies what BNG kept: the records written are read back, 100
# ids to one list request filtered on the id field with fields= the fields
# written; a read-only field BNG recomputes (an inventory item's
# QuantityAvailable = on hand - reserved) is "drifted", 12 against 12.0 is
# the same; --verify strict rejects; --no-verify reads nothing back.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/bng-api.sh"

sandbox_start bng --records 0
BNG_CLIENT_ID=erpipe BNG_CLIENT_SECRET=erpipe-secret
export BNG_CLIENT_ID BNG_CLIENT_SECRET
last_n() { sandbox_log bng | jq length; }
# readbacks N: the list requests filtered on InventoryItemID since N
readbacks() {
	sandbox_log bng "$1" | jq '[.[] | select(.method == "GET" and (.query // "" | test("InventoryItemID=")))] | length'
}

printf '%s\n' '{"ExternalID":"inv:1","Sku":"S1","Warehouse":"MAIN","QuantityOnHand":12,"QuantityReserved":2,"QuantityAvailable":5}' \
	'{"ExternalID":"inv:2","Sku":"S2","Warehouse":"MAIN","QuantityOnHand":12.0,"UnitCost":3}' \
	'{"ExternalID":"inv:3","Sku":"S3","Warehouse":"MAIN","QuantityOnHand":7,"QuantityReserved":1,"QuantityAvailable":6}' > "$T/in"
n0=$(last_n)
run load bng inventory_items "$T/in" > "$T/out" 2> "$T/err"
is "$st" 0 "a drift alone: 0"
id1=$(jq -s '.[0].id' "$T/out")
is "$(sed -n 1p "$T/out")" \
	"{\"key\":{\"ExternalID\":\"inv:1\"},\"id\":$id1,\"status\":\"drifted\",\"drift\":[{\"field\":\"QuantityAvailable\",\"sent\":5,\"stored\":10}],\"error\":null}" \
	"a field BNG recomputes: drifted, with the field, the sent and the stored value"
is "$(jq -r .status "$T/out" | tr '\n' ' ')" "drifted created created " "the kept ones: created"
is "$(cat "$T/err")" "load: read 3, wrote 3 (created 3, updated 0, unchanged 0, deleted 0), dropped 0, rejected 0, drifted 1" "the summary counts it"
is "$(readbacks "$n0")" 1 "one read back"
q=$(sandbox_log bng "$n0" | jq -r '[.[] | select(.method == "GET" and (.query // "" | test("InventoryItemID=")))][0].query')
like "$q" "fields=ExternalID,Sku,Warehouse,QuantityOnHand,QuantityReserved,QuantityAvailable,UnitCost" \
	"it asks for the fields written"
like "$q" "InventoryItemID=$id1&InventoryItemID=$((id1 + 1))&InventoryItemID=$((id1 + 2))" "by id"

# ---- 250 records: one read back per 100 ----------------------------------------------------
i=0
while [ $i -lt 250 ]; do
	printf '{"ExternalID":"b:%d","Sku":"B%d","Warehouse":"W","QuantityOnHand":%d}\n' $i $i $i
	i=$((i + 1))
done > "$T/250"
n0=$(last_n)
run load -q bng inventory_items --batch 250 "$T/250" > "$T/out"
is "$(jq -r .status "$T/out" | sort | uniq -c | tr -s ' ')" " 250 created" "250 created, kept"
is "$(readbacks "$n0")" 3 "three read backs of at most 100 ids"
n0=$(last_n)
run load -q bng inventory_items --batch 250 "$T/250" > "$T/out"
is "$(jq -r .status "$T/out" | sort | uniq -c | tr -s ' ')" " 250 unchanged" "again: unchanged"
is "$(readbacks "$n0")" 0 "unchanged: nothing read back"

# ---- strict, and --no-verify ---------------------------------------------------------------
printf '%s\n' '{"ExternalID":"inv:3","Sku":"S3","Warehouse":"MAIN","QuantityOnHand":9,"QuantityReserved":1,"QuantityAvailable":4}' > "$T/upd"
run load -q bng inventory_items --verify strict --rejects "$T/rej" "$T/upd" > "$T/out"
is "$st:$(jq -r .status "$T/out")" "65:rejected" "--verify strict: rejected, 65"
is "$(jq -c '[.stage, .errors]' "$T/rej")" \
	'["load",[{"path":"/QuantityAvailable","message":"sent 4, stored 8"}]]' "the reject names the drift"
printf '%s\n' '{"ExternalID":"inv:3","Sku":"S3","Warehouse":"MAIN","QuantityOnHand":10,"QuantityReserved":1,"QuantityAvailable":6}' > "$T/upd"
n0=$(last_n)
run load -q bng inventory_items --no-verify "$T/upd" > "$T/out"
is "$st:$(jq -r .status "$T/out")" "0:updated" "--no-verify: updated"
is "$(readbacks "$n0")" 0 "--no-verify: nothing read back"
done_testing
