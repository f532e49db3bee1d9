#!/bin/sh
# The examples/ scripts against the sandboxes: scripts/import-prices (a CSV
# price list into product.product) and scripts/sync-partners (an incremental
# partner sync between two Odoos, from cron, under flock).
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-rpc.sh"
EX=$ERPIPE_TOP/examples
. "$ERPIPE_TOP/tests/sandbox/odoo-env.sh"
odoo_pair "--partners 60" "--partners 0"

# ---- import-prices ---------------------------------------------------------------
cd "$T"
run "$EX/scripts/import-prices" -P dst "$EX/data/prices.csv" > "$T/out"
is "$st" 0 "import-prices: 0"
is "$(jq -r .status "$T/out" | tr '\n' ' ')" "updated updated updated updated " "four products updated"
is "$(dst product.product search_read '[[["default_code","in",["FURN_7777","FURN_7001"]]]]' \
	'{"fields":["default_code","lst_price","standard_price"],"order":"default_code"}' |
	jq -c '[.[] | [.default_code, .lst_price, .standard_price]]')" \
	'[["FURN_7001",135,48.75],["FURN_7777",69.9,31.5]]' "prices as the list says"
run "$EX/scripts/import-prices" -P dst "$EX/data/prices.csv" > "$T/out"
is "$st:$(jq -r .status "$T/out" | sort -u)" "0:unchanged" "the same list again: unchanged"
{ cat "$EX/data/prices.csv"; echo 'NOPE_1;Nothing;1.00;0.50'; } > "$T/prices.csv"
run "$EX/scripts/import-prices" -P dst "$T/prices.csv" > "$T/out"
is "$st" 65 "an unknown reference: 65"
is "$(jq -r 'select(.status == "rejected") | .key.default_code + ": " + .error' "$T/out")" \
	"NOPE_1: update: no record matches the key" "refused with the reason, the rest unchanged"
is "$(jq -r .record.default_code rejects.ndjson)" "NOPE_1" "in rejects.ndjson"
run "$EX/scripts/import-prices" 2> "$T/err"
is "$st" 64 "import-prices without a file: 64"

# ---- sync-partners -----------------------------------------------------------------
run "$EX/scripts/sync-partners" src dst "$T/sync"
is "$st" 0 "sync-partners: first run 0"
n=$(src res.partner search_count '[[]]')
is "$(jq -r 'select(.status) | .status' "$T/sync/receipts/partners.ndjson" | sort | uniq -c | tr -s ' ')" \
	" $n created" "every source partner created"
is "$(dst ir.model.data search_count '[[["name","=like","sync_%"]]]')" "$n" "each with its external id"
ok "the state file holds the position" jq -e '.[] | .id' "$T/sync/state/partners.json"
src res.partner write '[[9],{"phone":"+32 2 555 01 01"}]' > /dev/null
: > "$T/sync/receipts/partners.ndjson"
run "$EX/scripts/sync-partners" src dst "$T/sync"
is "$st" 0 "second run: 0"
is "$(jq -r 'select(.status == "updated") | .key.xid' "$T/sync/receipts/partners.ndjson")" "sync_9" \
	"only the changed partner is updated"
is "$(dst res.partner search_read '[[["phone","=","+32 2 555 01 01"]]]' '{"fields":["name"]}' | jq -r '.[0].name')" \
	"Deco Addict" "the change is in the target"
# a third run with nothing changed writes nothing (no write RPC in the log)
: > "$T/sync/receipts/partners.ndjson"
n0=$(sandbox_log dst | jq length)
run "$EX/scripts/sync-partners" src dst "$T/sync"
is "$st:$(jq -r 'select(.status) | .status' "$T/sync/receipts/partners.ndjson" | grep -vc unchanged)" "0:0" \
	"third run: nothing but unchanged"
is "$(sandbox_log dst "$n0" | jq -c '[.[] | select(.rpc // "" | test("\\.(create|write|unlink|load)$"))] | length')" 0 \
	"...and no write call reached the target"
# a run that finds the previous one still going skips its turn
flock "$T/sync/state/partners.lock" sh -c '
	"$1/scripts/sync-partners" src dst "$2/sync" > "$2/skip.out" 2>&1; echo $? > "$2/skip.st"' \
	sh "$EX" "$T"
is "$(cat "$T/skip.st"):$(cat "$T/skip.out")" "0:" "lock held: the run skips its turn, status 0"
# the target refuses a record: 65, the rest goes on
src res.partner create '[{"name":"Bad Country","country_id":203}]' > /dev/null
dst res.country write '[[203],{"name":"Renamed Land"}]' > /dev/null
run "$EX/scripts/sync-partners" src dst "$T/sync" 2> "$T/err"
is "$st" 65 "a refused record: 65"
like "$(jq -r .error "$T/sync/rejects/partners.ndjson")" "no res.country named 'San Marino'" \
	"in the rejects with the reason"
run "$EX/scripts/sync-partners" src 2> "$T/err"
is "$st" 64 "sync-partners without a target: 64"
done_testing
