#!/bin/sh
# load nav verifies what NAV kept: the records written are read again by
# key with a $select of the fields written, one $batch of GETs per batch (a
# GET with --batch 1); a sales order sent with a blank Sell_to_Customer_Name
# gets the customer's name from NAV (validating Sell_to_Customer_No):
# "drifted"; numbers compare numerically, a kept record is "created" or
# "updated"; --verify strict rejects; --no-verify reads nothing back.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/nav-env.sh"
nav_env --records 20
log_since() { sandbox_log nav "$1"; }
last_n() { sandbox_control nav GET health | jq .requests; }
name=$(get "Customer('20000')" | jq -r .Name)

# ---- a sales order: the name NAV filled in is a drift --------------------------------------
jq -nc '{Sell_to_Customer_No: "20000", Sell_to_Customer_Name: "", External_Document_No: "V-1"}' > "$T/so"
n0=$(last_n)
run load nav SalesOrder --op create "$T/so" > "$T/out" 2> "$T/err"
is "$st" 0 "a drift alone: 0"
so=$(jq -r .id.No "$T/out")
is "$(cat "$T/out")" \
	"{\"key\":null,\"id\":{\"Document_Type\":\"Order\",\"No\":\"$so\"},\"status\":\"drifted\",\"drift\":[{\"field\":\"Sell_to_Customer_Name\",\"sent\":\"\",\"stored\":\"$name\"}],\"error\":null}" \
	"drifted: the field, the blank sent, the name NAV stored"
is "$(cat "$T/err")" "load: read 1, wrote 1 (created 1, updated 0, unchanged 0, deleted 0), dropped 0, rejected 0, drifted 1" "the summary counts it"
# the requests for the records: not \$metadata, not the company's
recs() { log_since "$1" | jq -c "[.[] | select(.path | test(\"[$]metadata|/Company[(][^/]*\$\") | not) | $2]"; }
is "$(recs "$n0" '.method + " " + (.path | sub(".*/"; "") | sub("\\(.*"; "")) + " " + (.query // "")')" \
	"[\"POST SalesOrder \",\"GET SalesOrder \$select=Sell_to_Customer_No,Sell_to_Customer_Name,External_Document_No\"]" \
	"one record: one GET of the fields written"

# ---- customers: kept (created, updated), one \$batch of reads --------------------------------
printf '%s\n' '{"No":"V1","Name":"One","Credit_Limit_LCY":1000}' '{"No":"V2","Name":"Two","Credit_Limit_LCY":2500.5}' \
	'{"No":"10000","City":"Leeds"}' > "$T/cust"
n0=$(last_n)
run load -q nav Customer -k No "$T/cust" > "$T/out"
is "$(jq -r .status "$T/out" | tr '\n' ' ')" "created created updated " "kept: created and updated"
is "$(recs "$n0" '.method + " " + (.path | sub(".*/"; "")) + " " + (.batch | tostring)')" \
	"[\"POST \$batch 3\",\"PATCH Customer('10000') null\",\"POST \$batch 2\",\"POST \$batch 3\"]" \
	"a \$batch of lookups, the update, the creates, one \$batch of 3 reads back"
n0=$(last_n)
run load -q nav Customer -k No --batch 1 "$T/cust" > "$T/out"
is "$(jq -r .status "$T/out" | tr '\n' ' ')" "unchanged unchanged unchanged " "again: unchanged"
is "$(log_since "$n0" | jq -c '[.[] | select(.query // "" | test("select"))] | length')" 0 \
	"unchanged: nothing read back"

# ---- --soap: a Read each ------------------------------------------------------------------------
n0=$(last_n)
run load -q --soap nav SalesOrder --op create "$T/so" > "$T/out"
is "$st:$(jq -c '[.status, .drift[0].field, .drift[0].stored]' "$T/out")" \
	"0:[\"drifted\",\"Sell_to_Customer_Name\",\"$name\"]" "--soap: drifted too"
is "$(log_since "$n0" | jq -c '[.[] | select(.method == "POST") | .op]')" '["Create","Read"]' \
	"--soap: the Create, then one Read"

# ---- strict, --no-verify -----------------------------------------------------------------------
run load -q nav SalesOrder --op create --verify strict --rejects "$T/rej" "$T/so" > "$T/out"
is "$st:$(jq -r .status "$T/out")" "65:rejected" "--verify strict: rejected, 65"
is "$(jq -c '[.stage, .errors]' "$T/rej")" \
	"[\"load\",[{\"path\":\"/Sell_to_Customer_Name\",\"message\":\"sent \\\"\\\", stored \\\"$name\\\"\"}]]" \
	"the reject names the drift"
n0=$(last_n)
run load -q nav SalesOrder --op create --no-verify "$T/so" > "$T/out"
is "$st:$(jq -r .status "$T/out")" "0:created" "--no-verify: created"
is "$(log_since "$n0" | jq -c '[.[] | .method] | unique')" '["GET","POST"]' "--no-verify: the write and \$metadata"
is "$(log_since "$n0" | jq -c '[.[] | select(.method == "GET" and (.query // "" | test("select")))] | length')" 0 \
	"--no-verify: nothing read back"
done_testing
