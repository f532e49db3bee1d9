#!/bin/sh
# The BNG client retries a malformed or cut answer under the one retry
# policy, as the Odoo and NAV clients do: an extract page, a lookup, and a
# batch POST whose garbage (or short) answer may hide 100 creates BNG made —
# those are read again by ExternalID, not created twice, and get their
# receipts (created: this run made them).
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
sandbox_start bng --records 5
BNG_CLIENT_ID=erpipe BNG_CLIENT_SECRET=erpipe-secret
export BNG_CLIENT_ID BNG_CLIENT_SECRET

gen() {
	$PYTHON - "$@" <<'PY'
import json, sys
for i in range(1, int(sys.argv[1]) + 1):
    print(json.dumps({"ExternalID": "mal:%d" % i, "CompanyName": "Company %d" % i,
                      "Email": "c%d@example.com" % i, "Status": "Active"}))
PY
}
posts() { sandbox_log bng "$1" | jq '[.[] | select(.method == "POST" and (.path | endswith("/batch")))] | length'; }
last_n() { sandbox_log bng | jq 'map(.n) | max // 0'; }

gen 150 >"$T/in"
sandbox_faults bng '{"malformed": {"next": 1, "match": "/batch$", "mode": "garbage"}}' >/dev/null
n0=$(last_n)
run load -q bng customers --token-cache - --retry-max-time 20 "$T/in" >"$T/r1" 2>"$T/err"
is "$st" 0 "a garbage answer to a batch POST: the run goes on"
is "$(jq -r .status "$T/r1" | sort | uniq -c | tr -s ' ' | tr '\n' ';')" " 150 created;" \
	"150 receipts, all created (the 100 BNG made under the garbage answer too)"
is "$(jq -r 'select(.id == null) | .key.ExternalID' "$T/r1" | wc -l | tr -d ' ')" 0 "...each with its id"
is "$(curl -sS "$BNG_URL/__sandbox/bng/dump/customers" | jq -r 'select(.ExternalID // "" | startswith("mal:")) | .ExternalID' | sort | uniq -d | wc -l | tr -d ' ')" 0 \
	"none created twice"
is "$(curl -sS "$BNG_URL/__sandbox/bng/dump/customers" | jq -r 'select(.ExternalID // "" | startswith("mal:")) | .ExternalID' | wc -l | tr -d ' ')" 150 \
	"150 in BNG"
is "$(posts "$n0")" 2 "two batch POSTs, none sent again (the lost one was read back)"

sandbox_faults bng '{"malformed": {"next": 1, "match": "^/api/v1/customers$", "mode": "truncate"}}' >/dev/null
run load -q bng customers --token-cache - --retry-max-time 20 "$T/in" >"$T/r2" 2>"$T/err"
is "$st" 0 "a cut lookup answer is asked again"
is "$(jq -r .status "$T/r2" | sort | uniq -c | tr -s ' ' | tr '\n' ';')" " 150 unchanged;" "...and a rerun is unchanged"

bng-extract -q customers --token-cache - >"$T/x0"
sandbox_faults bng '{"malformed": {"next": 1, "match": "^/api/v1/customers$", "mode": "truncate"}}' >/dev/null
run bng-extract -q customers --token-cache - --retry-max-time 20 >"$T/x1" 2>"$T/err"
is "$st" 0 "bng-extract: a cut page is asked again"
is "$(grep -vc _checkpoint "$T/x1")" "$(grep -vc _checkpoint "$T/x0")" "...and every record is read once"

sandbox_faults bng '{"malformed": {"every": 1, "match": "^/api/v1/customers$", "mode": "garbage"}}' >/dev/null
run bng-extract -q customers --token-cache - --retries 2 --retry-max-time 5 >/dev/null 2>"$T/err"
is "$st" 69 "garbage every time: 69 once the retries are spent"
like "$(cat "$T/err")" "malformed answer.*gave up after 2 retries" "...saying so"

# one request per record: a cut answer to a create (request 3 after the
# token and the lookup) is read back, not sent again
sandbox_reset bng >/dev/null
sandbox_faults bng '{"malformed": {"nth": [3], "mode": "truncate"}}' >/dev/null
echo '{"ExternalID":"mal:pr1","CompanyName":"Per record"}' >"$T/pr"
run load -q bng customers --per-record --token-cache - --retry-max-time 20 "$T/pr" >"$T/r3" 2>"$T/err"
is "$st" 0 "--per-record: a cut answer to a create"
is "$(jq -c '[.status, (.id | type)]' "$T/r3")" '["created","number"]' "...is read back: created, with its id"
is "$(sandbox_log bng | jq '[.[] | select(.method == "POST" and .path == "/api/v1/customers")] | length')" 1 \
	"...and not posted again"

# an answer cut short after BNG committed (half the body, the socket
# closed): not sent again blindly -- a second POST would be refused 409 and
# its records said "unchanged" -- but read back: created, once each
sandbox_reset bng >/dev/null
gen 120 | sed 's/mal:/cut:/' >"$T/cut"
sandbox_faults bng '{"malformed": {"next": 1, "match": "/batch$", "mode": "short"}}' >/dev/null
run load -q bng customers --token-cache - --retry-max-time 20 "$T/cut" >"$T/r4" 2>"$T/err"
is "$st" 0 "a batch POST's answer cut short: the run goes on"
is "$(jq -r .status "$T/r4" | sort | uniq -c | tr -s ' ' | tr '\n' ';')" " 120 created;" \
	"...120 receipts created (the 100 of the cut answer read back)"
is "$(jq -r 'select(.id == null) | .key.ExternalID' "$T/r4" | wc -l | tr -d ' ')" 0 "...each with its id"
is "$(sandbox_log bng | jq '[.[] | select(.method == "POST" and (.path | endswith("/batch")))] | length')" 2 \
	"...two batch POSTs: the cut one was not sent again"
sandbox_reset bng >/dev/null
sandbox_faults bng '{"malformed": {"nth": [3], "mode": "short"}}' >/dev/null
echo '{"ExternalID":"cut:pr1","CompanyName":"Per record"}' >"$T/pr2"
run load -q bng customers --per-record --token-cache - --retry-max-time 20 "$T/pr2" >"$T/r5" 2>"$T/err"
is "$st:$(jq -c '[.status, (.id | type)]' "$T/r5")" '0:["created","number"]' \
	"--per-record: a create's answer cut short: created, with its id"
is "$(sandbox_log bng | jq '[.[] | select(.method == "POST" and .path == "/api/v1/customers")] | length')" 1 \
	"...and not posted again"

# a failing lookup of 100 keys: the message does not quote its 2 KB URL
sandbox_faults bng '{"malformed": null, "5xx": {"every": 1, "match": "^/api/v1/customers$", "status": 500}}' >/dev/null
run load -q bng customers --token-cache - --retries 0 "$T/in" >/dev/null 2>"$T/err"
is "$st" 69 "a lookup refused with 500: 69"
like "$(cat "$T/err")" "GET 'http://127.0.0.1:[0-9]+/api/v1/customers\\?.{100,}\\.\\.\\.\\[[0-9]{4} bytes\\]'" \
	"the message gives the lookup URL's head and its size"
ok "...in one short line" test "$(wc -c <"$T/err")" -lt 500
done_testing
