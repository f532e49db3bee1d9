#!/bin/sh
# bng-extract against the BNG sandbox: paging returns exactly the seeded set
# (every page style, another envelope); a token expiring mid-extract is
# refreshed without losing or repeating a page; a burst of 429s is ridden
# out with the waits the server asked for; incremental runs from the state
# file with the overlap window; --follow; --shard; --fields; --count;
# --describe; the exit statuses of the failures.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/bng-api.sh"

sandbox_start bng --records 30 --entity customers=317 --entity invoices=90
BNG_CLIENT_ID=erpipe BNG_CLIENT_SECRET=erpipe-secret
export BNG_CLIENT_ID BNG_CLIENT_SECRET
bng_dump customers | jq -c . >"$T/seeded"

# ---- paging returns exactly the seeded set ---------------------------------
norm() { grep -v '"_checkpoint"' "$1" | jq -c . | sort; }
sort "$T/seeded" >"$T/seeded.sorted"
for style in cursor page offset link; do
	run bng-extract -q --page-size 50 --page-style $style customers >"$T/out.$style"
	is "$st" 0 "$style: exit 0"
	norm "$T/out.$style" >"$T/got"
	same_file "$T/got" "$T/seeded.sorted" "$style paging: exactly the seeded set"
done
is "$(sandbox_log bng | jq '[.[] | select(.path == "/api/v1/customers")] | length')" 28 \
	"7 pages of 50 for 317 records, four times"
is "$(grep -c '"_checkpoint"' "$T/out.cursor")" 7 "a checkpoint after each page"
is "$(tail -1 "$T/out.cursor" | jq -c '._checkpoint | [.stream, .pos]')" \
	"[\"bng:-:customers\",{\"updated_at\":\"$(tail -1 "$T/seeded" | jq -r .UpdatedAt)\",\"id\":317}]" \
	"the last checkpoint is the last record's (UpdatedAt, id)"

# a tenant with another envelope
sandbox_control bng POST bng/shape '{"items_key":"results","next_key":"paging.next"}' >/dev/null
run bng-extract -q --page-size 100 customers >"$T/out" 2>"$T/err"
is "$st" 69 "the contract's envelope on another tenant: 69"
like "$(cat "$T/err")" "the page has no array at 'data'" "says where it looked"
run bng-extract -q --page-size 100 --items-path results --next-path paging.next customers >"$T/out"
norm "$T/out" >"$T/got"
same_file "$T/got" "$T/seeded.sorted" "--items-path and --next-path fit it"
sandbox_control bng POST bng/shape '{"items_key":"data","next_key":"next_cursor"}' >/dev/null

# ---- a token expiring mid-extract ---------------------------------------------
# the server says the token lasts 1 s but drops it after 0.3 s: requests
# meet 401 with a token the client still thinks good
sandbox_reset bng >/dev/null
sandbox_control bng POST bng/tokens '{"ttl":0.3}' >/dev/null
sandbox_faults bng '{"latency_ms":60}' >/dev/null
run bng-extract -q --token-cache - --page-size 20 customers >"$T/out"
is "$st" 0 "token expiring mid-run: exit 0"
norm "$T/out" >"$T/got"
same_file "$T/got" "$T/seeded.sorted" "no page lost, none repeated"
sandbox_log bng >"$T/log"
n401=$(jq '[.[] | select(.status == 401)] | length' "$T/log")
ntok=$(jq '[.[] | select(.path == "/oauth/token")] | length' "$T/log")
ok "some pages met an expired token ($n401)" test "$n401" -ge 2
ok "each 401 fetched a new token ($ntok tokens)" test "$ntok" -ge $((n401 + 1))
is "$(jq -r '[.[] | select(.path != "/oauth/token")] | .[] | [.status, .query] | @tsv' "$T/log" |
	awk -F'\t' '$1 == 401 { want = $2; next } want != "" { print ($2 == want ? "same" : "other"); want = "" }' | sort -u)" \
	same "after a 401 the same page is asked again"
is "$(jq '[.[] | select(.status == 200 and .path == "/api/v1/customers")] | length' "$T/log")" 16 \
	"16 pages of 20 answered once each"
sandbox_control bng POST bng/tokens '{"ttl":3600}' >/dev/null
sandbox_faults bng '{"latency_ms":0}' >/dev/null

# ---- a burst of 429s ---------------------------------------------------------
sandbox_reset bng >/dev/null
sandbox_faults bng '{"429":{"nth":[3,4,5],"retry_after":1}}' >/dev/null
start=$(date +%s)
run bng-extract -q --token-cache - --page-size 100 customers >"$T/out"
took=$(($(date +%s) - start))
is "$st" 0 "three 429s in a row: exit 0"
norm "$T/out" >"$T/got"
same_file "$T/got" "$T/seeded.sorted" "every record once"
sandbox_log bng >"$T/log"
is "$(jq -r '[.[] | .status] | map(tostring) | join(" ")' "$T/log")" "200 200 429 429 429 200 200 200" \
	"token, page, three 429s, then the rest"
# the waits after each 429 are the server's Retry-After, 1 s: from the
# 429's answer (an entry's time) to the next request's start (its time
# less its ms), so the server's own time is not counted; at least the
# second asked, and less than two (a backoff of its own would double)
gaps=$($PYTHON -c '
import json, sys
from datetime import datetime
log = json.load(open(sys.argv[1]))
t = [datetime.strptime(e["time"], "%Y-%m-%dT%H:%M:%S.%fZ").timestamp() for e in log]
w = [t[i + 1] - log[i + 1]["ms"] / 1000 - t[i] for i in (2, 3, 4)]
print(" ".join("1" if 0.95 <= x < 1.9 else "%.3f" % x for x in w))' "$T/log")
is "$gaps" "1 1 1" "each wait was the server's Retry-After (1 s)"
ok "the run took the waits ($took s)" test "$took" -ge 3
sandbox_faults bng '{"429":{"next":20,"retry_after":1}}' >/dev/null
run bng-extract -q --retry-max-time 2 customers >/dev/null 2>"$T/err"
is "$st" 75 "rate limited beyond --retry-max-time: 75"
sandbox_faults bng '{"429":null}' >/dev/null

# the client's own limit
sandbox_reset bng >/dev/null
sandbox_control bng POST bng/ratelimit '{"limit":2,"window":1}' >/dev/null
run bng-extract -q --page-size 100 customers >"$T/out"
is "$st" 0 "server limit 2/s: ridden out"
sandbox_control bng POST bng/ratelimit '{"limit":0}' >/dev/null

# ---- incremental ------------------------------------------------------------------
sandbox_reset bng >/dev/null
bng-extract -q --state "$T/st.json" customers | xform -q --state "$T/st.json" >"$T/run1"
is "$(grep -vc _checkpoint "$T/run1")" 317 "first run: everything"
is "$(jq -c '."bng:-:customers".id' "$T/st.json")" 317 "committed after the last record"
api PATCH /customers/5 '{"Phone":"+1 5"}' >/dev/null
api PATCH /customers/250 '{"Phone":"+1 250"}' >/dev/null
api POST /customers '{"LastName":"New","ExternalID":"n1"}' >/dev/null
bng-extract -q --state "$T/st.json" --overlap 2 customers | xform -q --state "$T/st.json" >"$T/run2"
is "$(grep -v _checkpoint "$T/run2" | jq -r .CustomerID | tr '\n' ' ')" "315 316 317 5 250 318 " \
	"second run: the overlap window's (2 s before the mark), the changed and the new, in UpdatedAt order"
mark=$(jq -r '."bng:-:customers".updated_at' "$T/st.json")
# a late commit: written now, stamped 10 s before the mark
late=$($PYTHON -c '
import sys
from datetime import datetime, timedelta
t = datetime.strptime(sys.argv[1], "%Y-%m-%dT%H:%M:%S.%fZ") - timedelta(seconds=10)
print(t.strftime("%Y-%m-%dT%H:%M:%S.000Z"))' "$mark")
curl -sS -o /dev/null -X PATCH -H "Authorization: Bearer $(bng_token)" -H "X-Sandbox-Updated-At: $late" \
	--data-binary '{"Phone":"+1 late"}' "$BNG_URL/api/v1/customers/9"
bng-extract -q --state "$T/st.json" --overlap 0 customers >"$T/run3"
is "$(grep -v _checkpoint "$T/run3" | jq -r .CustomerID | tr '\n' ' ')" "318 " \
	"--overlap 0: the late write is missed (the last record comes again)"
bng-extract -q --state "$T/st.json" customers >"$T/run4"
is "$(grep -v _checkpoint "$T/run4" | jq -r .CustomerID | tr '\n' ' ')" "9 5 250 318 " \
	"the overlap window catches the late write (and repeats what it covers)"
is "$(tail -1 "$T/run4" | jq -c ._checkpoint.pos.id)" 318 "the checkpoint stays at the mark"
is "$(bng-extract -q --since '2026-01-01 00:05' --count customers)" 21 \
	"--since: 301..317 seeded after it, the three writes and the late one"

# ---- --follow --------------------------------------------------------------------------
bng-extract -q --follow --interval 0.3 --state "$T/st.json" customers >"$T/follow" 2>"$T/ferr" &
fpid=$!
sleep 0.6
api PATCH /customers/100 '{"Phone":"+1 100"}' >/dev/null
api PATCH /customers/101 '{"Phone":"+1 101"}' >/dev/null
sleep 1
kill -TERM $fpid
run wait $fpid
is "$st" 0 "--follow: SIGTERM ends it with 0"
is "$(grep -v _checkpoint "$T/follow" | jq -r .CustomerID | sort -n | uniq -c | awk '$1 > 1' | wc -l | tr -d ' ')" 0 \
	"--follow: nothing emitted twice in one run"
like "$(grep -v _checkpoint "$T/follow" | jq -r .CustomerID | tr '\n' ' ')" " 100 101 $" \
	"--follow: the changes made while it ran, once"
is "$(tail -1 "$T/follow" | jq -c ._checkpoint.pos.id)" 101 "--follow: ends with a checkpoint"

# ---- --shard, --fields, --count, --describe ----------------------------------------------
for k in 1 2 3; do bng-extract -q --shard $k/3 invoices | grep -v _checkpoint >"$T/shard$k"; done
cat "$T/shard1" "$T/shard2" "$T/shard3" | jq -r .InvoiceID | sort -n >"$T/ids"
is "$(wc -l <"$T/ids" | tr -d ' '):$(sort -u "$T/ids" | wc -l | tr -d ' ')" "90:90" \
	"three shards: every invoice once"
ok "shards are contiguous ranges" test "$(tail -1 "$T/shard1" | jq .InvoiceID)" -lt "$(head -1 "$T/shard2" | jq .InvoiceID)"
like "$(bng-extract -q --shard 2/3 invoices | tail -1)" '"stream":"bng:-:invoices#2/3"' "the shard is in the stream name"
is "$(bng-extract -q --count --shard 3/3 invoices)" "$(wc -l <"$T/shard3" | tr -d ' ')" "--count of a shard"
bng-extract -q --limit 3 --fields Email,Phone customers >"$T/out"
is "$(grep -v _checkpoint "$T/out" | jq -c 'keys' | sort -u)" '["CustomerID","Email","Phone","UpdatedAt"]' \
	"--fields: those, with the id and UpdatedAt"
is "$(grep -vc _checkpoint "$T/out")" 3 "--limit 3"
is "$(bng-extract -q --count customers)" 318 "--count"
run bng-extract --describe customers >"$T/schema"
is "$st" 0 "--describe from the server"
is "$(jq -r '[.title, .properties.CustomerID.readOnly, .additionalProperties] | map(tostring) | join(" ")' "$T/schema")" \
	"Customer true false" "a JSON Schema of the records"
run bng-extract --describe --openapi "$ERPIPE_TOP/examples/bng/openapi.json" purchase_orders >"$T/schema"
is "$(jq -r '.properties.LineItems.items["$ref"]' "$T/schema")" "#/\$defs/PurchaseOrderLine" \
	"--openapi FILE: line schemas under \$defs"

# ---- failures --------------------------------------------------------------------------------
run bng-extract -q customerz 2>"$T/err"
is "$st" 66 "unknown resource: 66"
like "$(cat "$T/err")" "^bng-extract: GET http://127.0.0.1:[0-9]+/api/v1/customerz\?limit=1000: HTTP 404 not_found" \
	"names the request and BNG's answer"
run env BNG_CLIENT_SECRET=s3cr3t-XYZ bng-extract -q --token-cache - customers >/dev/null 2>"$T/err"
is "$st" 77 "wrong secret: 77"
like "$(cat "$T/err")" "token request refused: invalid_client" "says so"
ok "the secret is not in the message" sh -c "! grep -q s3cr3t-XYZ '$T/err'"
run env -u BNG_CLIENT_SECRET bng-extract -q customers >/dev/null 2>"$T/err"
is "$st" 78 "no secret: 78"
run env -u BNG_URL bng-extract -q customers >/dev/null 2>"$T/err"
is "$st" 78 "no URL: 78"
run bng-extract -q --since 2026-01-01 --since-param changed_after customers >/dev/null 2>"$T/err"
is "$st" 65 "a parameter BNG does not know: 65"
like "$(cat "$T/err")" "changed_after: unknown parameter" "with BNG's field message"
run bng-extract --page-style pages customers 2>"$T/err"
is "$st" 64 "bad --page-style: 64"
run bng-extract 2>"$T/err"
is "$st" 64 "no ENTITY: 64"
mkdir -p "$T/c"
: >"$T/c/tok" && chmod 644 "$T/c/tok"
run bng-extract -q --token-cache "$T/c/tok" customers 2>"$T/err"
is "$st" 78 "a token cache readable by others: 78"
bng-extract -q --token-cache "$T/c/new.token" --limit 1 customers >/dev/null
is "$(stat -c %a "$T/c/new.token")" 600 "the token cache is made 0600"
ok "and holds no secret" sh -c "! grep -q erpipe-secret '$T/c/new.token'"
run bng-extract -q --trace --limit 1 customers >/dev/null 2>"$T/trace"
ok "--trace shows the requests" grep -q 'GET .*/api/v1/customers' "$T/trace"
ok "--trace hides the secret and the token" sh -c "! grep -q -e erpipe-secret -e \"\$(jq -r .access_token '$T/c/new.token')\" '$T/trace'"
sandbox_stop bng
run bng-extract -q --retries 1 customers 2>"$T/err"
is "$st" 69 "server gone: 69"

done_testing
