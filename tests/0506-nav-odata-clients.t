#!/bin/sh
# nav-extract and load nav against the NAV sandbox in its "odata" flavour, a
# server shaped as the real non-NAV one of tests/fixtures/odata (0505): reads
# page by their own keyset, so rows edited, deleted or moved while a read pages
# under a row-offset skiptoken are neither lost nor repeated and the state never
# passes an undelivered row; incremental $select names each field once; expanded
# lines lose their @odata.etag; an unknown company is 78; load honours
# out-of-line Core.Computed (nothing computed is sent, a record read back is
# unchanged), takes a plain 404 as "not there" (a create), sends no annotation in
# a deep insert, re-reads on 412 and says what a 428 means.
# NAV_FLAVOUR=nav runs the same against the NAV flavour (0507): the clients
# are right against both.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
F=${NAV_FLAVOUR:-odata}
sandbox_start nav --flavour "$F" --company CRONUS --records 50 --page-size 10
# what differs between the two: NAV's own codes, 409 for a stale ETag
if [ "$F" = nav ]; then
	stale=409 nocompany="Internal_CompanyNotFound: Cannot open company NOPE" noetag=BadRequest_MissingETag
else
	stale=412 nocompany="no company 'NOPE'" noetag="428.*If-Match.*no ETag"
fi
NAV_URL=$NAV_URL/BC/ODataV4 NAV_USER=admin NAV_PASSWORD=NAVkey123 NAV_COMPANY=CRONUS
export NAV_URL NAV_USER NAV_PASSWORD NAV_COMPANY
C="Company('CRONUS')"
get() { curl -sS -u admin:NAVkey123 "$NAV_URL/$C/$1"; }
nos() { jq -r 'select(.No) | .No' | tr '\n' ' '; }
last_n() { sandbox_control nav GET health | jq .requests; }
on_read() { sandbox_control nav POST nav/on-read "$1" >/dev/null; }

sandbox_control nav POST nav/config '{"page_size":1000}' >/dev/null
get "Customer?\$select=No" | jq -r '.value[].No' | tr '\n' ' ' >"$T/want"
sandbox_control nav POST nav/config '{"page_size":10}' >/dev/null
is "$(wc -w <"$T/want")" "56" "56 customers, served 10 a page ($F flavour)"

# --- full reads --------------------------------------------------------------
nav-extract -q --select No Customer >"$T/full"
is "$(nos <"$T/full")" "$(cat "$T/want")" "a full read: every record once, in key order"
# a record of the first page deleted once read: an offset skiptoken would
# slide the 11th record onto the page already read
on_read '{"set":"Customer","key":{"No":"20000"},"delete":true}'
nav-extract -q --select No Customer >"$T/full2"
is "$(nos <"$T/full2")" "$(cat "$T/want")" "a record deleted during the read: none lost, none twice"

# --- incremental under concurrent edits ---------------------------------------
# a record of the first page edited once read moves to the end of the
# modified-at order; the record after it slides back under an offset
on_read '{"set":"Customer","key":{"No":"30000"},"values":{"City":"Moved"}}'
nav-extract -q --state "$T/st.json" --select No,City Customer >"$T/inc"
grep -v _checkpoint "$T/inc" | jq -r .No | sort -u >"$T/got"
tr ' ' '\n' <"$T/want" | grep . | grep -vx 20000 | sort >"$T/all"
same_file "$T/got" "$T/all" "incremental, a record edited during the read: every record delivered"
is "$(grep -c '"Moved"' "$T/inc")" "1" "...the edit too"
xform -q --state "$T/st.json" <"$T/inc" >/dev/null
nav-extract -q --state "$T/st.json" --overlap 0 --select No Customer >"$T/inc2"
is "$(grep -vc _checkpoint "$T/inc2")" "1" "...and the state did not pass any: the next run reads the mark only"
n0=$(last_n)
nav-extract -q --since 2026-01-01 --select No,SystemModifiedAt --limit 1 Customer >/dev/null
is "$(sandbox_log nav "$n0" | jq -r '[.[] | select(.path | endswith("/Customer"))][0].query' | sed 's/.*select=\([^&]*\).*/\1/')" \
	"No,SystemModifiedAt" "incremental \$select names each field once"

# --- expand, unknown company --------------------------------------------------------
is "$(nav-extract -q --expand SalesOrderSalesLines --where 'No eq S-ORD101001' SalesOrder |
	jq -c '[(.SalesOrderSalesLines | length), [.. | objects | keys[] | select(startswith("@"))]]')" \
	'[2,[]]' "--expand: the lines' @odata.etag left out"
run nav-extract -q --company NOPE Customer 2>"$T/err" >"$T/out"
is "$st:$(wc -c <"$T/out")" "78:0" "an unknown company: 78, not an empty set"
like "$(cat "$T/err")" "$nocompany" "...said so"
run nav-extract --count --company NOPE Customer 2>/dev/null >"$T/out"
is "$st:$(cat "$T/out")" "78:" "...nor a count of 0"

# --- load: computed fields, 404, deep insert, 412, 428 -----------------------------
nav-extract -q Customer >"$T/cust"
n0=$(last_n)
load -q nav Customer -k No --batch 1 "$T/cust" >"$T/r1"
is "$(jq -r .status "$T/r1" | sort | uniq -c | awk '{printf "%s=%s ", $2, $1}')" "unchanged=55 " \
	"a read loads back unchanged"
jq -c 'select(.No == "10000" or .No == "40000") | .SystemModifiedAt = "2020-01-01T00:00:00Z" |
	.Last_Date_Modified = "2020-01-01" | .Balance_LCY = 1 | .SystemId = "00000000-0000-0000-0000-000000000001"' \
	"$T/cust" >"$T/comp"
load -q nav Customer -k No --batch 1 "$T/comp" >"$T/r2"
is "$(jq -r .status "$T/r2" | tr '\n' ' ')" "unchanged unchanged " \
	"computed fields (Core.Computed, Core.Permissions Read, out of line) never written"
is "$(sandbox_log nav "$n0" | jq '[.[] | select(.method == "PATCH")] | length')" "0" "...no PATCH"
jq -c '.City = "Zug"' "$T/comp" | load -q nav Customer -k No --batch 1 >/dev/null
is "$(sandbox_log nav "$n0" | jq -c '[.[] | select(.method == "PATCH") | .fields]')" '[["City"],["City"]]' \
	"...a change sends the changed field only"
nav-extract -q --where 'No eq 10000' Customer | jq -c '.Last_Date_Modified = "1999-01-01"' |
	load -q nav Customer -k No >"$T/r3"
is "$(jq -r .status "$T/r3")" "unchanged" "...and a second run writes nothing"
echo '{"No":"NEW1","Name":"New One"}' | load -q nav Customer -k No >"$T/r4"
is "$(jq -r .status "$T/r4"):$(get "Customer('NEW1')" | jq -r .Name)" "created:New One" \
	"a plain 404 on the key read: not there, created"
n0=$(last_n)
jq -nc '{Sell_to_Customer_No: "10000", "@odata.etag": "W/\"1\"",
	SalesOrderSalesLines: [{Type: "Item", No: "1900-S", Quantity: 2, "@odata.etag": "W/\"2\"", Line_Amount: 5}]}' |
	load -q nav SalesOrder --op create --batch 1 >"$T/r5"
is "$(jq -r .status "$T/r5"):$(sandbox_log nav "$n0" | jq -c '[.[] | select(.method == "POST") | .annotations // 0]')" \
	"created:[0]" "a deep insert sends no @odata.* annotation, in the lines neither"
on_read '{"set":"Customer","key":{"No":"50000"},"values":{"Phone_No":"+45 1"}}'
n0=$(last_n)
echo '{"No":"50000","City":"Vejle"}' | load -q nav Customer -k No >"$T/r6"
is "$(jq -r .status "$T/r6"):$(sandbox_log nav "$n0" | jq -c '[.[] | select(.method == "PATCH") | .status]')" \
	"updated:[$stale,200]" "$stale on a stale ETag: read again, written once"
is "$(get "Customer('50000')" | jq -c '[.City, .Phone_No]')" '["Vejle","+45 1"]' "...both edits kept"
sandbox_control nav POST nav/config '{"etags":false}' >/dev/null
run load -q nav Customer -k No --rejects "$T/rej" >"$T/r7" 2>"$T/err" <<END
{"No":"60000","City":"Cork"}
END
like "$st:$(jq -r .error "$T/rej")" "^65:.*$noetag" "no ETag to send: rejected, the server's refusal said (428)"
sandbox_control nav POST nav/config '{"etags":true}' >/dev/null
run load nav Customer -k No --company NOPE "$T/cust" 2>"$T/err" >/dev/null
is "$st" 78 "load under an unknown company: 78"
like "$(cat "$T/err")" "$nocompany" "...said so"
done_testing
