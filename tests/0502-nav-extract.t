#!/bin/sh
# nav-extract against the NAV sandbox: keyset paging whatever the server's
# page size (1, 7, 1000; a page it cuts silently is confirmed by the next,
# an empty last page), typed --where and a
# quote that round-trips, incremental reads and checkpoints (SystemModifiedAt,
# Last_Date_Modified with its day of overlap, --follow), shards, SOAP, the
# three auth modes, retried faults, and hostile XML refused.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/nav-env.sh"
nav_env --records 50 --auth basic,ntlm,oauth
cfg() { sandbox_control nav POST nav/config "$1" >/dev/null; }
reqs() { sandbox_log nav | jq '[.[] | select(.path | test("/ODataV4/Company"))] | length'; }
nos() { jq -r .No | tr '\n' ' '; }

curl -sS -u admin:NAVkey123 "$NAV_URL/Company('CRONUS%20International%20Ltd.')/Customer?\$select=No" |
	jq -r '.value[].No' | tr '\n' ' ' >"$T/want"
is "$(wc -w <"$T/want")" "56" "the seed: 6 demo + 50 customers"

# --- paging: exactly the seeded set, whatever the page size -----------------
# (its own keyset: $filter after the last key, $orderby, $top; a short page
# the server may have cut silently without a nextLink is confirmed by the
# next, empty one)
for n in 1 7 1000; do
	cfg "{\"page_size\":$n}"
	sandbox_reset nav >/dev/null
	nav-extract -q --select No Customer >"$T/out"
	is "$(nos <"$T/out")" "$(cat "$T/want")" "server page size $n: every record once, in order"
	pages=$(( (56 + n - 1) / n + 1 ))
	is "$(reqs)" "$pages" "server page size $n: $pages pages"
done
sandbox_log nav | jq -r '.[] | select(.path | test("/Customer$")) | .query' >"$T/queries"
ok "never \$skip nor the server's \$skiptoken" sh -c "! grep -q 'skip' '$T/queries'"
like "$(sed -n 2p "$T/queries")" "filter=No%20gt%20'C000050'&.*orderby=No%20asc&\\\$top=1000" \
	"...a keyset: \$filter after the last key, \$orderby, \$top"
cfg '{"page_size":1000}'
nav-extract -q --page-size 7 --select No Customer >"$T/out"
is "$(nos <"$T/out")" "$(cat "$T/want")" "--page-size 7 (Prefer: odata.maxpagesize)"
sandbox_reset nav >/dev/null
nav-extract -q --page-size 8 --select No Customer >"$T/out"
is "$(nos <"$T/out")" "$(cat "$T/want")" "56 = 7 x 8: the empty last page ends the read"
is "$(reqs)" "8" "...seven full pages and an empty one"
cfg '{"page_size":10,"next_link":"relative"}'
nav-extract -q --select No Customer >"$T/out"
is "$(nos <"$T/out")" "$(cat "$T/want")" "relative nextLink resolved against the context URL"
cfg '{"next_link":"path"}'
nav-extract -q --select No Customer >"$T/out"
is "$(nos <"$T/out")" "$(cat "$T/want")" "absolute-path nextLink"
cfg '{"page_size":1000,"next_link":"absolute"}'

# --- filters -------------------------------------------------------------------
is "$(nav-extract -q --where "Name eq O'Brien Fabrics & Sons" --select No,Name Customer)" \
	"{\"No\":\"60000\",\"Name\":\"O'Brien Fabrics & Sons\"}" "--where: a quote round-trips"
is "$(nav-extract -q --filter "Name eq 'O''Brien Fabrics & Sons'" --select Name Customer)" \
	"{\"Name\":\"O'Brien Fabrics & Sons\"}" "--filter passed on as it is"
is "$(nav-extract -q --where 'Credit_Limit_LCY ge 10000' --where 'No lt 30000' --select No Customer | nos)" \
	"10000 20000 " "--where typed (a decimal bare), AND-ed"
is "$(nav-extract -q --where 'Last_Date_Modified eq 2026-01-05' --where 'No le 20000' --select No Customer | nos)" \
	"10000 20000 " "--where on a date field"
run nav-extract -q --where 'Credit_Limit_LCY ge lots' Customer 2>/dev/null
is "$st" 64 "--where: a value that does not fit its field is refused before asking"
run nav-extract --where 'No eq 1' --filter "City eq 'x' or Name eq 'y'" Customer 2>"$T/err"
is "$st" 65 "the server refusing a filter: 65"
like "$(cat "$T/err")" "BadRequest_NotSupported: .*or" "...with NAV's code and message"
run nav-extract Nope 2>"$T/err"
is "$st" 64 "an unknown entity set"
like "$(cat "$T/err")" "no entity set 'Nope' \(it has: Company, Customer, Vendor" "...listing the sets"
is "$(nav-extract --count Customer)" "56" "--count"
is "$(nav-extract --count --where 'No lt C' Customer)" "6" "--count with --where"
is "$(nav-extract --describe --select No,Credit_Limit_LCY,Balance_LCY Customer | jq -c .properties)" \
	'{"No":{"type":"string","maxLength":20,"x-nav-type":"Edm.String"},"Credit_Limit_LCY":{"type":"number","x-nav-type":"Edm.Decimal"},"Balance_LCY":{"type":"number","x-nav-type":"Edm.Decimal","readOnly":true}}' \
	"--describe from \$metadata"
is "$(nav-extract -q --etag --limit 1 Customer | jq -r '."@odata.etag" | test("^W/")')" "true" "--etag keeps it"
is "$(nav-extract -q --limit 1 Customer | jq -r 'keys | map(select(startswith("@"))) | length')" "0" \
	"annotations left out by default"
is "$(nav-extract -q --where 'No eq S-ORD101001' --expand SalesOrderSalesLines --select No SalesOrder |
	jq -c '[.No, (.SalesOrderSalesLines | length)]')" '["S-ORD101001",2]' "--expand with --select"

# --- incremental ------------------------------------------------------------------
sandbox_control nav POST nav/clock '{"freeze":"2026-01-06T09:00:00Z"}' >/dev/null
nav-extract -q --state "$T/st.json" --select No Customer >"$T/run1"
is "$(grep -vc _checkpoint "$T/run1")" "56" "first run with an empty state: everything"
tail -1 "$T/run1" | jq -c '._checkpoint.pos' >"$T/pos1"
is "$(cat "$T/pos1")" '{"SystemModifiedAt":"2026-01-05T10:00:00.056Z","key":{"No":"C000050"}}' \
	"the checkpoint: the newest SystemModifiedAt and its key"
xform -q --state "$T/st.json" <"$T/run1" >/dev/null
sandbox_control nav POST nav/edit '{"set":"Customer","key":{"No":"30000"},"values":{"City":"Leeds"}}' >/dev/null
nav-extract -q --state "$T/st.json" --overlap 0 --select No,City Customer >"$T/run2"
city50=$(curl -sS -u admin:NAVkey123 "$NAV_URL/Company('CRONUS%20International%20Ltd.')/Customer('C000050')" |
	jq -r .City)
is "$(grep -v _checkpoint "$T/run2" | jq -c .)" '{"No":"C000050","City":"'"$city50"'"}
{"No":"30000","City":"Leeds"}' "second run: the mark again (ge) and the change"
is "$(tail -1 "$T/run2" | jq -r '._checkpoint.pos.SystemModifiedAt')" "2026-01-06T09:00:00.000Z" \
	"the mark moves to the change"
is "$(nav-extract -q --since 2026-01-06 --select No Customer | nos)" "30000 " "--since"
# date-only Last_Date_Modified: a day of overlap, de-duplicated within a run
nav-extract -q --state "$T/ld.json" --since-field Last_Date_Modified --select No Customer >"$T/ld1"
is "$(grep -vc _checkpoint "$T/ld1")" "56" "Last_Date_Modified: first run"
xform -q --state "$T/ld.json" <"$T/ld1" >/dev/null
is "$(jq -c '."nav:CRONUS International Ltd.:Customer"' "$T/ld.json")" \
	'{"Last_Date_Modified":"2026-01-06","key":{"No":"30000"}}' "...its mark is a date"
sandbox_control nav POST nav/edit '{"set":"Customer","key":{"No":"40000"},"values":{"City":"Bern"}}' >/dev/null
nav-extract -q --state "$T/ld.json" --overlap 0 --since-field Last_Date_Modified --select No Customer >"$T/ld2"
is "$(grep -v _checkpoint "$T/ld2" | jq -r .No | sort | tr '\n' ' ')" \
	"$(tr ' ' '\n' <"$T/want" | grep . | sort | tr '\n' ' ')" \
	"...the next run re-reads the day before the mark (all seeded on 01-05)"
is "$(grep -v _checkpoint "$T/ld2" | tail -2 | nos)" "30000 40000 " \
	"...in Last_Date_Modified order, the change among them once"

# --follow: a change while it runs comes out once; SIGTERM ends it with a checkpoint
nav-extract -q --follow --interval 0.2 --state "$T/st.json" --overlap 0 --select No,City \
	Customer >"$T/follow" 2>"$T/follow.err" &
fpid=$!
i=0
while ! grep -q '"30000"' "$T/follow" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
sandbox_control nav POST nav/clock '{"advance":2}' >/dev/null
sandbox_control nav POST nav/edit '{"set":"Customer","key":{"No":"50000"},"values":{"City":"Aarhus"}}' >/dev/null
i=0
while ! grep -q Aarhus "$T/follow" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
sleep 0.5
kill -TERM $fpid
run wait $fpid
is "$st" 0 "--follow ends 0 on SIGTERM"
is "$(grep -c Aarhus "$T/follow")" "1" "...the change written once across polls"
is "$(tail -1 "$T/follow" | jq -r '._checkpoint.pos.SystemModifiedAt')" "2026-01-06T09:00:02.000Z" \
	"...and the last line is a checkpoint at the change"
sandbox_control nav POST nav/clock '{"real":true}' >/dev/null

# --- shards ------------------------------------------------------------------------
for k in 1 2 3 4 5; do nav-extract -q --shard $k/5 --select No Customer >"$T/sh$k"; done
cat "$T"/sh? | jq -r .No | sort >"$T/shards"
is "$(wc -l <"$T/shards")" "56" "5 shards: 56 records between them"
is "$(sort -u "$T/shards" | wc -l)" "56" "...none twice"
is "$(cat "$T/sh1" "$T/sh2" "$T/sh3" "$T/sh4" "$T/sh5" | nos)" "$(cat "$T/want")" \
	"...contiguous ranges in key order"
for k in 1 2 3; do nav-extract -q --shard $k/3 --select Document_No,Line_No SalesOrderSalesLines >"$T/l$k"; done
is "$(cat "$T"/l? | sort | uniq -d | wc -l):$(cat "$T"/l? | wc -l)" \
	"0:$(nav-extract -q --select Line_No SalesOrderSalesLines | wc -l)" \
	"a compound key is split on its first varying field"
is "$(nav-extract --count --shard 2/3 --select No Customer)" "$(grep -c . "$T/sh2" >/dev/null; nav-extract -q --shard 2/3 --select No Customer | wc -l)" \
	"--count of a shard"

# --- SOAP ---------------------------------------------------------------------------
nav-extract -q --soap --page-size 7 --select No Customer >"$T/soap"
is "$(nos <"$T/soap")" "$(cat "$T/want")" "--soap: ReadMultiple with bookmarks gives the same set"
is "$(nav-extract -q --soap --where "Name eq O'Brien Fabrics & Sons" --select No,Credit_Limit_LCY Customer)" \
	'{"No":"60000","Credit_Limit_LCY":10000}' "--soap --where: quoted NAV filter, typed from the WSDL"
is "$(nav-extract -q --soap --where 'Name startswith Alpine Ski' --select No Customer | nos)" "40000 " \
	"--soap startswith"
is "$(nav-extract -q --soap --etag --limit 1 Customer | jq -r '.Key | test(";")')" "true" "--soap --etag: the Key"
is "$(nav-extract --soap --describe --select No,Credit_Limit_LCY Customer | jq -c '.properties')" \
	'{"No":{"type":"string"},"Credit_Limit_LCY":{"type":"number"}}' "--soap --describe from the WSDL"

# --- auth -----------------------------------------------------------------------------
run nav-extract -q --select No --limit 1 Customer >/dev/null
is "$st" 0 "basic"
NAV_PASSWORD=wrong run nav-extract --select No --limit 1 Customer 2>"$T/err"
is "$st" 77 "a wrong key: 77"
like "$(cat "$T/err")" "Authentication_InvalidCredentials" "...NAV's code"
ok "...and the key is not shown" sh -c "! grep -q wrong '$T/err'"
NAV_PASSWORD='Passw0rd!' run nav-extract -q --auth ntlm --user 'NAVSANDBOX\navuser' --select No \
	Customer >/dev/null
is "$st" 0 "ntlm"
NAV_PASSWORD='Passw0rd!' nav-extract -q --auth ntlm --user 'NAVSANDBOX\navuser' --select No Customer | nos >"$T/ntlm"
is "$(cat "$T/ntlm")" "$(cat "$T/want")" "ntlm: the whole set on the authenticated connection"
NAV_PASSWORD='bad' run nav-extract --auth ntlm --user 'NAVSANDBOX\navuser' --select No Customer 2>/dev/null
is "$st" 77 "ntlm, a wrong password: 77"
TOK=${NAV_URL%/BC/ODataV4}/sandbox-tenant/oauth2/v2.0/token
NAV_CLIENT_ID=erpipe-client NAV_PASSWORD=client-secret-1 \
	nav-extract -q --auth oauth --token-url "$TOK" --select No Customer | nos >"$T/oauth"
is "$(cat "$T/oauth")" "$(cat "$T/want")" "oauth client credentials"
NAV_CLIENT_ID=erpipe-client NAV_PASSWORD=nope run nav-extract --auth oauth --token-url "$TOK" Customer 2>"$T/err"
is "$st" 77 "oauth, a bad secret: 77"
like "$(cat "$T/err")" "invalid_client" "...the token endpoint's error"
NAV_URL=${NAV_URL%/ODataV4}/api/v2.0 NAV_CLIENT_ID=erpipe-client NAV_PASSWORD=client-secret-1 \
	nav-extract -q --auth oauth --token-url "$TOK" --state "$T/api.json" --select number,displayName \
	--where 'number le 20000' customers >"$T/api"
is "$(head -2 "$T/api" | jq -c .)" '{"number":"10000","displayName":"Adatum Corporation"}
{"number":"20000","displayName":"Trey Research"}' "API v2.0: companies(id), camelCase pages"
is "$(tail -1 "$T/api" | jq -c '._checkpoint.pos | keys')" '["key","lastModifiedDateTime"]' \
	"...incremental on lastModifiedDateTime"

# --- faults ---------------------------------------------------------------------------
sandbox_faults nav '{"malformed":{"nth":[3],"mode":"truncate"},"429":{"nth":[5],"retry_after":0},"5xx":{"nth":[7],"status":503}}' >/dev/null
sandbox_reset nav >/dev/null
sandbox_faults nav '{"malformed":{"nth":[3],"mode":"truncate"},"429":{"nth":[5],"retry_after":0},"5xx":{"nth":[7],"status":503}}' >/dev/null
nav-extract -q --page-size 7 --retries 3 --select No Customer >"$T/out"
is "$(nos <"$T/out")" "$(cat "$T/want")" "a truncated page, a 429 and a 503 are retried: still exact"
sandbox_faults nav '{"malformed":{"every":1,"mode":"garbage","match":"Customer"}}' >/dev/null
run nav-extract --page-size 7 --retries 1 --retry-max-time 2 --select No Customer 2>"$T/err" >/dev/null
is "$st" 69 "a page that stays malformed: 69"
like "$(cat "$T/err")" "OData page: not .*\(after 2 attempts\)" "...saying what was wrong"
sandbox_faults nav '{"malformed":{"every":1,"mode":"truncate","match":"/WS/"}}' >/dev/null
run nav-extract --soap --select No Customer 2>"$T/err" >/dev/null
like "$st:$(cat "$T/err")" "^65:nav-extract: WSDL from '.*/WS/CRONUS%20International%20Ltd./Page/Customer': line [0-9]+: " \
	"a truncated WSDL is refused with the document and line"
sandbox_faults nav '{"malformed":{"nth":[2],"mode":"truncate","match":"/WS/"}}' >/dev/null
sandbox_reset nav >/dev/null
sandbox_faults nav '{"malformed":{"nth":[2],"mode":"truncate","match":"/WS/"}}' >/dev/null
run nav-extract --soap --select No Customer 2>"$T/err" >/dev/null
like "$st:$(cat "$T/err")" "^65:nav-extract: SOAP ReadMultiple answer from '[^']*': line [0-9]+: " \
	"a truncated SOAP envelope is refused, no crash"
sandbox_control nav DELETE faults >/dev/null
for h in xxe laughs; do
	case $h in
	xxe) doc='<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>&e;</edmx:DataServices></edmx:Edmx>' ;;
	laughs) doc='<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]><edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">&d;</edmx:Edmx>' ;;
	esac
	sandbox_control nav POST nav/metadata "$(jq -nc --arg x "$doc" '{xml: $x}')" >/dev/null
	run nav-extract Customer 2>"$T/err" >"$T/out"
	like "$st:$(cat "$T/err")" "^65:nav-extract: \\\$metadata from '.*\\\$metadata': line 1: document type declarations are refused$" \
		"hostile \$metadata ($h) refused with a clear message"
done
sandbox_control nav POST nav/metadata '{}' >/dev/null
run nav-extract -q --limit 1 Customer >/dev/null
is "$st" 0 "the real \$metadata again"
done_testing
