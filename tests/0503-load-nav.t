#!/bin/sh
# load nav against the NAV sandbox: upsert by key (simple, compound, a
# non-key field), unchanged records not written, $batch of at most 100 with
# all-or-nothing batches halved to isolate bad records, NAV's codes in the
# rejects, a stale etag (409 and 412) re-read: a conflict on a field we write
# is rejected and the other edit kept, else one retry, and no update is lost
# or doubled; deep insert; deletes; --dry-run; --soap writes.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/nav-env.sh"
nav_env --records 20
statuses() { jq -r .status | sort | uniq -c | awk '{printf "%s=%s ", $2, $1}'; }
log_since() { sandbox_log nav "$1"; }
last_n() { sandbox_control nav GET health | jq .requests; }

# --- round trip: what nav-extract reads loads back unchanged, nothing written
nav-extract -q Customer >"$T/cust"
n0=$(last_n)
load -q nav Customer -k No "$T/cust" >"$T/r1"
is "$(statuses <"$T/r1")" "unchanged=26 " "an extract loads back unchanged (etags, computed fields left out)"
is "$(log_since "$n0" | jq -c '[.[] | .method + " " + (.path | sub(".*/"; ""))]')" \
	'["GET $metadata","POST $batch"]' "...with one \$batch of reads and no write"

# --- upsert: update, create, reject with NAV's code
printf '%s\n' '{"No":"10000","City":"Oxford"}' '{"No":"N1","Name":"New One","E_Mail":"n1@x.example"}' \
	'{"No":"N2","E_Mail":"not an address"}' '{"No":"N3","Name":"N3","Nope":1}' \
	'{"No":"N4","Name":"'"$(printf '%0101d' 0)"'"}' >"$T/in"
run load -q nav Customer -k No --rejects "$T/rej" "$T/in" >"$T/r2"
is "$st" 65 "rejects: 65"
is "$(statuses <"$T/r2")" "created=1 rejected=3 updated=1 " "updated, created, rejected"
is "$(get "Customer('10000')" | jq -r .City)" "Oxford" "the update is there"
is "$(get "Customer('N1')" | jq -r .Name)" "New One" "the create is there"
is "$(jq -r .error "$T/rej")" 'Application_FieldValidationException: The email address "not an address" is not valid.
'"'"'Nope'"'"': Customer has no such field
Application_StringExceededLength: The length of the string is 101, but it must be less than or equal to 100 characters. Value: '"$(printf '%0101d' 0)" \
	"NAV's codes and messages in the rejects"
is "$(jq -r .source "$T/rej" | tr '\n' ' ')" "$T/in:3 $T/in:4 $T/in:5 " "...with the input lines"

# --- $batch: at most 100 operations, a failing batch halved to the bad record
jq -nc 'range(250) | {No: ("B\(.)"), Name: "Batch \(.)", E_Mail: (if . == 37 or . == 201 then "bad" else "b\(.)@x.example" end)}' >"$T/many"
n0=$(last_n)
run load -q nav Customer -k No --batch 250 "$T/many" >"$T/r3" 2>/dev/null
is "$(statuses <"$T/r3")" "created=248 rejected=2 " "250 records, 2 bad: 248 created, 2 rejected"
is "$(get "Customer/\$count?\$filter=startswith(No,'B')")" "248" "...each once"
is "$(log_since "$n0" | jq '[.[] | select(.batch) | .batch] | max')" "100" "no \$batch over 100 operations"
is "$(log_since "$n0" | jq '[.[] | select(.atomic == true and .batch_errors == null and .status >= 400)] | length')" \
	"$(log_since "$n0" | jq '[.[] | select(.atomic == true and .status >= 400)] | length')" \
	"atomic batches fail whole"
like "$(log_since "$n0" | jq '[.[] | select(.atomic == true and .status >= 400)] | length')" "^(1[0-9]|[4-9])$" \
	"...and are halved until the bad record is alone"
run load -q nav Customer -k No --batch 250 "$T/many" >"$T/r4" 2>/dev/null
is "$(statuses <"$T/r4")" "rejected=2 unchanged=248 " "a second run: unchanged, nothing written twice"

# --- one request per record, and the speed of $batch is measured in bench
n0=$(last_n)
jq -c 'select(.No == "B1" or .No == "B2") | .City = "One"' "$T/many" |
	load -q nav Customer -k No --batch 1 >"$T/r5"
is "$(statuses <"$T/r5")" "updated=2 " "--batch 1"
is "$(log_since "$n0" | jq -c '[.[] | .method] | unique')" '["GET","PATCH"]' "...plain GET and PATCH, no \$batch"

# --- compound keys, a non-key field, deep insert, delete
jq -nc '{Sell_to_Customer_No: "20000", External_Document_No: "EXT-1",
	SalesOrderSalesLines: [{Type: "Item", No: "1900-S", Quantity: 2}, {Type: "Item", No: "1928-S", Quantity: 1}]}' |
	load -q nav SalesOrder --op create >"$T/r6"
so=$(jq -r .id.No "$T/r6")
like "$so" "^S-ORD" "deep insert: the order numbered by NAV"
is "$(get "SalesOrder(Document_Type='Order',No='$so')?\$expand=SalesOrderSalesLines" |
	jq -c '[.SalesOrderSalesLines[] | [.Line_No, .No, .Line_Amount]]')" \
	'[[10000,"1900-S",385.6],[20000,"1928-S",54.9]]' "...with its lines"
printf '%s\n' '{"Document_Type":"Order","Document_No":"'"$so"'","Line_No":10000,"Quantity":3}' \
	'{"Document_Type":"Order","Document_No":"'"$so"'","Line_No":30000,"Type":"Item","No":"1896-S","Quantity":1}' |
	load -q nav SalesOrderSalesLines -k Document_Type,Document_No,Line_No >"$T/r7"
is "$(statuses <"$T/r7")" "created=1 updated=1 " "compound key: a line updated, one added"
is "$(get "SalesOrder(Document_Type='Order',No='$so')" | jq .Amount)" "1634.1" "...the order's amount follows"
is "$(echo '{"E_Mail":"n1@x.example","Phone_No":"+1 555"}' | load -q nav Customer -k E_Mail | jq -c .id)" \
	'{"No":"N1"}' "a non-key field found by \$filter"
run load -q nav Customer -k Customer_Posting_Group --rejects "$T/rej2" >/dev/null <<EOF
{"Customer_Posting_Group":"FOREIGN","City":"x"}
EOF
like "$(jq -r .error "$T/rej2")" "matches more than one" "...matching two records is refused"
printf '%s\n' '{"_op":"delete","No":"N1"}' '{"_op":"delete","No":"NOPE"}' |
	load -q nav Customer -k No >"$T/r8"
is "$(statuses <"$T/r8")" "deleted=1 unchanged=1 " "delete; deleting what is not there is unchanged"
is "$(curl -sS -o /dev/null -w '%{http_code}' -u admin:NAVkey123 "$NAV_URL/$C/Customer('N1')")" "404" \
	"...gone"
is "$(echo '{"No":"20000","City":"Rome"}' | load -q -n nav Customer -k No | jq -c '[.status, .changes]')" \
	'["update",{"City":"Rome"}]' "--dry-run plans"
is "$(get "Customer('20000')" | jq -r .City)" "London" "...and writes nothing"

# --- a stale etag: someone edits the record between our read and our write
edit_on_read() { sandbox_control nav POST nav/on-read "$1" >/dev/null; }
edit_on_read '{"set":"Customer","key":{"No":"30000"},"values":{"City":"Their City"}}'
echo '{"No":"30000","City":"Our City"}' | load -q nav Customer -k No --rejects "$T/rej3" >"$T/r9" || :
is "$(jq -r .status "$T/r9")" "rejected" "a field we write changed on the server: a conflict"
like "$(jq -r .error "$T/rej3")" "^conflict: 'City' was changed on the server since it was read .*not overwritten" \
	"...said so"
is "$(get "Customer('30000')" | jq -r .City)" "Their City" "...their edit kept"
edit_on_read '{"set":"Customer","key":{"No":"30000"},"values":{"Phone_No":"+1 999"}}'
n0=$(last_n)
echo '{"No":"30000","City":"Our City"}' | load -q nav Customer -k No >"$T/r10"
is "$(jq -r .status "$T/r10")" "updated" "another field changed: retried with the new etag"
is "$(get "Customer('30000')" | jq -c '[.City, .Phone_No]')" '["Our City","+1 999"]' \
	"...both edits there, none lost"
is "$(log_since "$n0" | jq -c '[.[] | select(.method == "PATCH") | .status]')" '[409,200]' \
	"...one stale PATCH, one good: the update once"
sandbox_control nav POST nav/config '{"stale_status":412}' >/dev/null
edit_on_read '{"set":"Customer","key":{"No":"40000"},"values":{"Phone_No":"+41 1"}}'
edit_on_read '{"set":"Customer","key":{"No":"50000"},"values":{"City":"Odense"}}'
printf '%s\n' '{"No":"40000","City":"Basel"}' '{"No":"50000","City":"Vejle"}' '{"No":"60000","City":"Cork"}' |
	load -q nav Customer -k No >"$T/r11" 2>/dev/null || :
is "$(jq -c '[.key.No, .status]' "$T/r11" | tr -d '\n')" \
	'["40000","updated"]["50000","rejected"]["60000","updated"]' \
	"412 too, in a \$batch: the retry and the conflict sorted out per record"
is "$(get "Customer('50000')" | jq -r .City):$(get "Customer('40000')" | jq -c '[.City,.Phone_No]')" \
	'Odense:["Basel","+41 1"]' "...nothing lost"
sandbox_control nav POST nav/config '{"stale_status":409}' >/dev/null

# --- SOAP writes
printf '%s\n' '{"No":"10000","City":"Soapton"}' '{"No":"S1","Name":"Soap One"}' '{"No":"S2","E_Mail":"bad"}' |
	load -q nav Customer -k No --soap --rejects "$T/rej4" >"$T/r12" || :
is "$(statuses <"$T/r12")" "created=1 rejected=1 updated=1 " "--soap: Update, Create, a fault rejected"
like "$(jq -r .error "$T/rej4")" "NavNCLDialogException: The email address" "...with NAV's fault"
is "$(get "Customer('10000')" | jq -r .City)" "Soapton" "...the update is there"
sandbox_control nav POST nav/on-read '{"set":"Customer","key":{"No":"20000"},"values":{"City":"Elsewhere"}}' >/dev/null
echo '{"No":"20000","City":"Here"}' | load -q nav Customer -k No --soap >"$T/r13" 2>/dev/null || :
is "$(jq -r .status "$T/r13"):$(get "Customer('20000')" | jq -r .City)" "rejected:Elsewhere" \
	"--soap: an old Key on a field we write is a conflict"
echo '{"No":"S1","_op":"delete"}' | load -q nav Customer -k No --soap >"$T/r14"
is "$(jq -r .status "$T/r14")" "deleted" "--soap delete"

# --- what stops the run
NAV_PASSWORD=wrong run load nav Customer -k No "$T/in" 2>"$T/err" >/dev/null
is "$st" 77 "a wrong key: 77"
run load nav Nope -k No "$T/in" 2>"$T/err" >/dev/null
is "$st:$(cat "$T/err")" "64:load: the service publishes no entity set 'Nope'" "an unknown entity set"
run load nav Customer -k Nope "$T/in" 2>"$T/err" >/dev/null
is "$st" 64 "an unknown --key field"
done_testing
