#!/bin/sh
# load bng RESOURCE against the BNG sandbox: a batch with 3 invalid items of
# 100 loads 97 and rejects 3 with BNG's field messages; upsert by ExternalID
# or --key; unchanged records are not written; updates send only what
# differs; deletes; one request per record when the batch endpoint is not
# offered (or --per-record) with --concurrency; two loads racing on the same
# keys resolve their 409s by re-reading; 429s ridden out; --rate; failures.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/bng-api.sh"

sandbox_start bng --records 10
BNG_CLIENT_ID=erpipe BNG_CLIENT_SECRET=erpipe-secret
export BNG_CLIENT_ID BNG_CLIENT_SECRET

# gen N PREFIX [BAD...]: N customers with ExternalID PREFIX:i; the listed
# lines get a bad Email and a negative CreditLimit
gen() {
	$PYTHON - "$@" <<'PY'
import json, sys
n, prefix, bad = int(sys.argv[1]), sys.argv[2], {int(x) for x in sys.argv[3:]}
for i in range(1, n + 1):
    r = {"ExternalID": "%s:%d" % (prefix, i), "CompanyName": "Company %d" % i,
         "Email": "c%d@example.com" % i, "CreditLimit": 1000 + i + 0.5, "Status": "Active"}
    if i in bad:
        r["Email"] = "not-an-address"
        r["CreditLimit"] = -1
    print(json.dumps(r))
PY
}
log_since() { sandbox_log bng "$1" | jq -c '.[] | select(.path != "/oauth/token")'; }
last_n() { sandbox_log bng | jq 'map(.n) | max // 0'; }

# ---- 3 invalid of 100 -----------------------------------------------------------
gen 100 odoo 7 42 99 >"$T/in"
n0=$(last_n)
run load bng customers --rejects "$T/rej" --max-rejects 3 "$T/in" >"$T/receipts" 2>"$T/err"
is "$st" 0 "3 bad of 100 within --max-rejects 3: exit 0"
is "$(jq -r .status "$T/receipts" | sort | uniq -c | tr -s ' ' | tr '\n' ';')" " 97 created; 3 rejected;" \
	"97 created, 3 rejected"
is "$(wc -l <"$T/receipts" | tr -d ' ')" 100 "a receipt per record"
is "$(jq -r .source "$T/rej" | tr '\n' ' ')" "$T/in:7 $T/in:42 $T/in:99 " "the rejects name their lines"
is "$(jq -c '[.stage, .error, .errors]' "$T/rej" | sort -u)" \
	'["load","validation_error: 2 fields are invalid: CreditLimit, Email",[{"path":"/Email","message":"not a valid email address"},{"path":"/CreditLimit","message":"must be at least 0"}]]' \
	"with BNG's code, message and field messages"
is "$(jq -r '.record.ExternalID' "$T/rej" | tr '\n' ' ')" "odoo:7 odoo:42 odoo:99 " "and the records, for replay"
log_since "$n0" >"$T/log"
is "$(jq -r '.method + " " + .path + " " + (.items | tostring)' "$T/log" | tr '\n' ';')" \
	"GET /api/v1/customers 0;POST /api/v1/customers/batch 100;GET /api/v1/customers 97;" \
	"one lookup, one batch of 100, one readback of the 97 written"
is "$(bng_dump customers | jq -r 'select(.ExternalID // "" | startswith("odoo:")) | .ExternalID' | wc -l | tr -d ' ')" 97 \
	"97 in BNG"
like "$(cat "$T/err")" "read 100, wrote 97 \\(created 97, updated 0, unchanged 0, deleted 0\\), dropped 0, rejected 3" "counts"
run load -q bng customers --rejects "$T/rej2" "$T/in" >/dev/null
is "$st" 65 "3 rejects beyond the default --max-rejects 0: 65"

# replay the fixed rejects
jq -c '.record | .Email = "fixed@example.com" | .CreditLimit = 10' "$T/rej" >"$T/fixed"
run load -q bng customers "$T/fixed" >"$T/receipts"
is "$(jq -r .status "$T/receipts" | tr '\n' ' ')" "created created created " "the fixed rejects load"

# ---- a load batch of 300: three lookups and three batch requests in flight together
gen 300 big 1 150 300 >"$T/in"
sandbox_faults bng '{"latency_ms":100}' >/dev/null
n0=$(last_n)
run load -q bng customers --batch 300 --concurrency 3 --max-rejects 3 --rejects "$T/brej" "$T/in" >"$T/receipts"
sandbox_faults bng '{"latency_ms":0}' >/dev/null
is "$st" 0 "--batch 300: exit 0"
is "$(jq -r .status "$T/receipts" | sort | uniq -c | tr -s ' ' | tr '\n' ';')" " 297 created; 3 rejected;" \
	"297 created, 3 rejected"
is "$(jq -r .source "$T/brej" | sed 's/.*://' | tr '\n' ' ')" "1 150 300 " "the rejects of every chunk, in order"
is "$(jq -r .key.ExternalID "$T/receipts" | tr '\n' ' ')" "$(seq 1 300 | sed 's/^/big:/' | tr '\n' ' ')" \
	"receipts in input order"
log_since "$n0" >"$T/log"
is "$(jq -r '.method + " " + .path' "$T/log" | sort | uniq -c | tr -s ' ' | tr '\n' ';')" \
	" 6 GET /api/v1/customers; 3 POST /api/v1/customers/batch;" \
	"three lookups, three batches, three readbacks"
# in flight together: batch requests overlap in the sandbox's log (an
# entry's time is its answer's, it started .ms before), whatever the
# machine's load; one at a time, each would start after the last ended
is "$(jq -s '[.[] | select(.method == "POST") | ((.time[11:13] | tonumber) * 3600000
	+ (.time[14:16] | tonumber) * 60000 + (.time[17:19] | tonumber) * 1000
	+ (.time[20:23] | tonumber)) as $e | {s: ($e - .ms), e: $e}] | sort_by(.s)
	| [range(1; length) as $i | select(.[$i].s < .[$i - 1].e)] | length > 0' "$T/log")" true \
	"--concurrency 3: batch requests in flight together"

# ---- unchanged, changed, upsert ------------------------------------------------------
gen 100 odoo >"$T/in"
n0=$(last_n)
load -q bng customers "$T/in" >"$T/receipts"
is "$(jq -r .status "$T/receipts" | sort | uniq -c | tr -s ' ' | tr '\n' ';')" " 97 unchanged; 3 updated;" \
	"a second run: 97 unchanged, the 3 replayed ones differ (Email, CreditLimit)"
log_since "$n0" >"$T/log"
is "$(jq -r '.method + " " + .path + " " + (.items | tostring)' "$T/log" | tr '\n' ';')" \
	"GET /api/v1/customers 100;POST /api/v1/customers/batch 3;GET /api/v1/customers 3;" \
	"only the 3 written (and read back)"
sed 's/"Company 5"/"Company Five"/' "$T/in" >"$T/in2"
load -q --dry-run bng customers "$T/in2" | jq -c 'select(.status != "unchanged") | [.status, .key, .changes]' >"$T/out"
is "$(cat "$T/out")" '["update",{"ExternalID":"odoo:5"},{"CompanyName":"Company Five"}]' \
	"--dry-run: one field changed, one update planned with only that field"
load -q bng customers "$T/in2" | jq -c 'select(.status != "unchanged") | [.status, .key]' >"$T/out"
is "$(cat "$T/out")" '["updated",{"ExternalID":"odoo:5"}]' "one update written"
is "$(bng_dump customers | jq -r 'select(.ExternalID == "odoo:5") | .CompanyName + " " + .Email')" \
	"Company Five c5@example.com" "the other fields kept (a merge patch)"
# a record read from BNG loads back unchanged (its id, CreatedAt, UpdatedAt are BNG's)
bng-extract -q customers | grep -v _checkpoint | grep '"odoo:' >"$T/back"
load -q bng customers "$T/back" >"$T/receipts"
is "$(jq -r .status "$T/receipts" | sort -u)" unchanged "an extract loads back unchanged"
# --key another field; _key in the record
echo '{"Email":"c1@example.com","Phone":"+49 1"}' | load -q bng customers --key Email >"$T/receipts"
is "$(jq -c '[.status, .key]' "$T/receipts")" '["updated",{"Email":"c1@example.com"}]' "--key Email"
is "$(bng_dump customers | jq -r 'select(.ExternalID == "odoo:1") | .Phone')" "+49 1" "found by Email and changed"
echo '{"_key":{"ExternalID":"odoo:2"},"Phone":"+49 2"}' | load -q bng customers >"$T/receipts"
is "$(jq -r .status "$T/receipts")" updated "_key in the record"

# ---- deletes ---------------------------------------------------------------------------
printf '%s\n' '{"_op":"delete","ExternalID":"odoo:3"}' '{"_op":"delete","ExternalID":"nobody"}' |
	load -q bng customers >"$T/receipts"
is "$(jq -r .status "$T/receipts" | tr '\n' ' ')" "deleted unchanged " "delete; a key that is not there is unchanged"
is "$(bng_dump customers | grep -c '"odoo:3"')" 0 "odoo:3 is gone"

# ---- lines: sales orders with the customer by ExternalID -------------------------------------
cat >"$T/orders" <<'EOF'
{"ExternalID":"shop:1","OrderNo":"WEB-1","CustomerExternalID":"odoo:1","OrderedAt":"2026-03-01T10:00:00Z","Currency":"EUR","LineItems":[{"Sku":"SKU-00001","Quantity":2,"UnitPrice":9.5}]}
{"ExternalID":"shop:2","OrderNo":"WEB-2","CustomerExternalID":"nobody","OrderedAt":"2026-03-01T10:00:00Z","Currency":"EUR","LineItems":[{"Sku":"SKU-00001","Quantity":1,"UnitPrice":1}]}
{"ExternalID":"shop:3","OrderNo":"WEB-3","CustomerExternalID":"odoo:1","OrderedAt":"2026-03-01T10:00:00Z","Currency":"EUR","LineItems":[{"Sku":"SKU-00001","Quantity":0,"UnitPrice":1}]}
EOF
run load -q bng sales_orders --rejects "$T/orej" --max-rejects 2 "$T/orders" >"$T/receipts"
is "$(jq -r .status "$T/receipts" | tr '\n' ' ')" "created rejected rejected " "orders: one created, two refused"
is "$(jq -c '.errors' "$T/orej" | tr '\n' ' ')" \
	"[{\"path\":\"/CustomerExternalID\",\"message\":\"no Customer with ExternalID 'nobody'\"}] [{\"path\":\"/LineItems/0/Quantity\",\"message\":\"must be greater than 0\"}] " \
	"a reference and a line field, as JSON Pointers"
run load -q bng sales_orders --max-rejects 2 "$T/orders" >"$T/receipts"
is "$(jq -r .status "$T/receipts" | head -1)" unchanged "an order with lines loads again unchanged (BNG's computed line fields ignored)"

# ---- one request per record --------------------------------------------------------------
sandbox_control bng POST bng/batch '{"enabled":false}' >/dev/null
gen 40 perrec 5 >"$T/in"
n0=$(last_n)
run load -q bng customers --concurrency 4 --max-rejects 1 --rejects "$T/prej" "$T/in" >"$T/receipts"
is "$st" 0 "no batch endpoint: exit 0"
is "$(jq -r .status "$T/receipts" | sort | uniq -c | tr -s ' ' | tr '\n' ';')" " 39 created; 1 rejected;" \
	"39 created one by one, 1 rejected"
is "$(jq -c .errors "$T/prej")" '[{"path":"/Email","message":"not a valid email address"},{"path":"/CreditLimit","message":"must be at least 0"}]' \
	"the per-record reject has the field messages too"
log_since "$n0" >"$T/log"
is "$(jq -r 'select(.method == "POST") | .path' "$T/log" | sort | uniq -c | tr -s ' ' | tr '\n' ';')" \
	" 40 /api/v1/customers; 1 /api/v1/customers/batch;" "one batch try (404), then 40 POSTs"
is "$(jq -r .status "$T/receipts" | head -40 | tr -d '\n' | wc -c | tr -d ' ')" "$(jq -r .status "$T/receipts" | tr -d '\n' | wc -c | tr -d ' ')" \
	"receipts in input order"
is "$(jq -r .key.ExternalID "$T/receipts" | tr '\n' ' ')" "$(seq 1 40 | sed 's/^/perrec:/' | tr '\n' ' ')" "in input order"
sandbox_control bng POST bng/batch '{"enabled":true}' >/dev/null
sed 's/"Active"/"Inactive"/' "$T/in" | load -q bng customers --per-record --max-rejects 1 >"$T/receipts"
is "$(jq -r .status "$T/receipts" | sort | uniq -c | tr -s ' ' | tr '\n' ';')" " 1 rejected; 39 updated;" \
	"--per-record: PATCHes"

# ---- two loads racing on the same new keys: 409s resolved by re-reading ---------------------
sandbox_faults bng '{"latency_ms":15}' >/dev/null
gen 30 race >"$T/in"
load -q bng customers --per-record --concurrency 3 "$T/in" >"$T/r1" &
p1=$!
load -q bng customers --per-record --concurrency 3 "$T/in" >"$T/r2" &
p2=$!
wait $p1; s1=$?
wait $p2; s2=$?
sandbox_faults bng '{"latency_ms":0}' >/dev/null
is "$s1:$s2" "0:0" "both loads succeed"
n409=$(sandbox_log bng | jq '[.[] | select(.status == 409)] | length')
diag "$n409 creates answered 409"
ok "some creates met a 409 ($n409)" test "$n409" -gt 0
is "$(cat "$T/r1" "$T/r2" | jq -r .status | sort | uniq -c | tr -s ' ' | tr '\n' ';')" \
	" 30 created; 30 unchanged;" "each key created once, the loser's 409s found it unchanged"
is "$(bng_dump customers | jq -r 'select(.ExternalID // "" | startswith("race:")) | .ExternalID' | sort | uniq -d | wc -l | tr -d ' ')" 0 \
	"no duplicates in BNG"
is "$(bng_dump customers | grep -c '"race:')" 30 "30 records"

# ---- rate limits -----------------------------------------------------------------------------
gen 300 rl >"$T/in"
sandbox_reset bng >/dev/null
sandbox_faults bng '{"429":{"nth":[2,3],"retry_after":1}}' >/dev/null
run load -q bng customers --token-cache - "$T/in" >"$T/receipts"
is "$st" 0 "429s on a batch: ridden out"
is "$(jq -r .status "$T/receipts" | sort -u)" created "every record created once"
is "$(sandbox_log bng | jq -r '[.[] | .status | tostring] | join(" ")')" \
	"200 429 429 200 200 200 200 200 200 200 200 200" \
	"token, the first lookup refused twice then answered, then 3 batches, lookups, readbacks"
sandbox_faults bng '{"429":null}' >/dev/null
sandbox_reset bng >/dev/null
gen 6 rate >"$T/in"
start=$(date +%s%N)
load -q bng customers --per-record --concurrency 4 --rate 10/s "$T/in" >/dev/null
ms=$((($(date +%s%N) - start) / 1000000))
ok "--rate 10/s: 1 lookup + 6 POSTs take at least 600 ms ($ms ms)" test "$ms" -ge 600

# ---- failures ----------------------------------------------------------------------------------
run env BNG_CLIENT_SECRET=s3cr3t-XYZ load -q bng customers --token-cache - "$T/in" >/dev/null 2>"$T/err"
is "$st" 77 "wrong secret: 77"
ok "the secret stays out of the message" sh -c "! grep -q s3cr3t-XYZ '$T/err'"
run load -q bng customerz "$T/in" >/dev/null 2>"$T/err"
is "$st" 66 "unknown resource: 66"
run load -q bng customers --then confirm "$T/in" >/dev/null 2>"$T/err"
is "$st" 64 "--then: 64"
run load -q bng customers --concurrency 0 "$T/in" >/dev/null 2>"$T/err"
is "$st" 64 "--concurrency 0: 64"
sandbox_faults bng '{"5xx":{"next":50,"status":503}}' >/dev/null
run load -q bng customers --retries 1 "$T/in" >/dev/null 2>"$T/err"
is "$st" 69 "BNG unavailable: 69"
sandbox_faults bng '{"5xx":null}' >/dev/null

done_testing
