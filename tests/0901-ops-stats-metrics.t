#!/bin/sh
# --stats and --metrics on every program: the same per-status counts and the
# duration as JSON; the Prometheus text format, checked by promtool (make
# deps installs Debian's prometheus) for every file written here; labels of
# the stream (program, system, profile, entity); HTTP requests by class,
# retries and 429 waits; a failed run keeps the last success; --follow
# rewrites the file while it runs, with the lag gauge.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-rpc.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-env.sh"
. "$ERPIPE_TOP/tests/sandbox/nav-env.sh"

command -v promtool >/dev/null || { echo "Bail out! promtool missing: run make deps"; exit 1; }
# prom FILE NAME: promtool accepts FILE, lint included
prom() {
	if promtool check metrics <"$1" >"$T/lint" 2>&1; then _result 0 "$2"; else
		_result 1 "$2"
		sed 's/^/#   /' "$T/lint"
	fi
}
# val FILE SERIES: the value of the series whose name and labels start so
val() { grep -F "$2" "$1" | head -1 | awk '{print $NF}'; }

# ---- filters: xform and validate, no network -------------------------------
printf '{"k":1}\n{"k":2}\nnot json\n{"k":2}\n' >"$T/in"
run xform -q --stats "$T/x.json" --metrics "$T/x.prom" --rejects "$T/rej" "$T/in" >/dev/null
is "$st" 65 "xform: a reject, 65"
is "$(jq -c '{program,read,wrote,dropped,rejected,status}' "$T/x.json")" \
	'{"program":"xform","read":4,"wrote":3,"dropped":0,"rejected":1,"status":65}' "xform --stats: counts"
is "$(jq -r '[.duration_ms >= 0, (.started | test("^[0-9-]{10}T[0-9:]{8}\\.[0-9]{3}Z$")), has("created")] | map(tostring) | join(" ")' "$T/x.json")" \
	"true true false" "xform --stats: duration, start in UTC, no receipt counts"
prom "$T/x.prom" "xform --metrics: promtool accepts it"
is "$(val "$T/x.prom" 'erpipe_records_read_total{program="xform"')" 4 "xform: records read"
is "$(val "$T/x.prom" 'erpipe_records_rejected_total{program="xform"')" 1 "xform: rejected"
is "$(val "$T/x.prom" 'erpipe_exit_status{')" 65 "xform: exit status"
is "$(val "$T/x.prom" 'erpipe_input_bytes_total{')" "$(wc -c <"$T/in" | tr -d ' ')" "xform: input bytes"
ok "a failed first run: no last success" sh -c "! grep -q erpipe_last_success_timestamp_seconds '$T/x.prom'"

run validate -q --unique k --stats "$T/v.json" --metrics "$T/v.prom" --max-rejects 5 \
	--rejects "$T/rej" "$T/in" >/dev/null
is "$(jq -c '{program,read,wrote,rejected,status}' "$T/v.json")" \
	'{"program":"validate","read":4,"wrote":2,"rejected":2,"status":0}' "validate --stats"
prom "$T/v.prom" "validate --metrics: promtool accepts it"

# the last success survives a failure
printf '{"k":1}\n' >"$T/good"
xform -q --metrics "$T/m.prom" "$T/good" >/dev/null
t1=$(val "$T/m.prom" 'erpipe_last_success_timestamp_seconds{')
like "$t1" '^[0-9]{10}\.[0-9]{3}$' "a success: its time"
run xform -q --metrics "$T/m.prom" "$T/in" >/dev/null
is "$(val "$T/m.prom" 'erpipe_exit_status{')" 65 "then a failure: its status"
is "$(val "$T/m.prom" 'erpipe_last_success_timestamp_seconds{')" "$t1" "... and the last success kept"
prom "$T/m.prom" "the failed run's file: promtool accepts it"
ok "no temporary file left" sh -c "[ \$(ls '$T' | grep -c 'm.prom') = 1 ]"

# ---- odoo: extract and load with profiles ------------------------------------
odoo_pair "--partners 12" "--partners 0"
run odoo-extract -q -P src --fields name,ref,email --page-size 5 \
	--stats "$T/e.json" --metrics "$T/e.prom" res.partner >"$T/p.ndjson"
is "$st" 0 "odoo-extract: exit 0"
n=$(wc -l <"$T/p.ndjson" | tr -d ' ')
is "$(jq -c "{program,system,profile,entity,read,wrote,dropped,status}" "$T/e.json")" \
	"{\"program\":\"odoo-extract\",\"system\":\"odoo\",\"profile\":\"src\",\"entity\":\"res.partner\",\"read\":$n,\"wrote\":$n,\"dropped\":0,\"status\":0}" \
	"odoo-extract --stats: counts and the stream's labels"
like "$(jq -r '.pages' "$T/e.json")" '^[1-9][0-9]*$' "odoo-extract --stats: pages"
like "$(jq -r '.http.by_class["2xx"]' "$T/e.json")" '^[1-9][0-9]*$' "odoo-extract --stats: HTTP 2xx"
prom "$T/e.prom" "odoo-extract --metrics: promtool accepts it"
like "$(grep '^erpipe_records_written_total' "$T/e.prom")" \
	"^erpipe_records_written_total\\{program=\"odoo-extract\",system=\"odoo\",profile=\"src\",entity=\"res.partner\"\\} $n\$" \
	"odoo-extract: labels per stream"
like "$(val "$T/e.prom" 'erpipe_http_requests_total{program="odoo-extract",system="odoo",profile="src",entity="res.partner",code="2xx"}')" \
	'^[1-9][0-9]*$' "odoo-extract: HTTP requests by class"

# two records changed: the load's counts by receipt
jq -c '{ref: (.ref // ("P" + (.id|tostring))), name, email}' "$T/p.ndjson" >"$T/w.ndjson"
load -q -P dst odoo res.partner --key ref "$T/w.ndjson" >/dev/null
head -2 "$T/w.ndjson" | jq -c '.name += " (moved)"' >"$T/w2.ndjson"
sed 1,2d "$T/w.ndjson" >>"$T/w2.ndjson"
run load -P dst odoo res.partner --key ref --stats "$T/l.json" --metrics "$T/l.prom" \
	"$T/w2.ndjson" >/dev/null 2>"$T/err"
is "$st" 0 "load: exit 0"
is "$(jq -c '{program,system,profile,entity,read,wrote,created,updated,unchanged,deleted,drifted,rejected}' "$T/l.json")" \
	"{\"program\":\"load\",\"system\":\"odoo\",\"profile\":\"dst\",\"entity\":\"res.partner\",\"read\":$n,\"wrote\":$n,\"created\":0,\"updated\":2,\"unchanged\":$((n - 2)),\"deleted\":0,\"drifted\":0,\"rejected\":0}" \
	"load --stats: created, updated, unchanged apart"
is "$(tail -1 "$T/err")" \
	"load: read $n, wrote $n (created 0, updated 2, unchanged $((n - 2)), deleted 0), dropped 0, rejected 0, drifted 0" \
	"load: the summary line gives them apart too"
prom "$T/l.prom" "load --metrics: promtool accepts it"
is "$(val "$T/l.prom" 'erpipe_records_updated_total{program="load",system="odoo",profile="dst"')" 2 "load: updated"
is "$(val "$T/l.prom" 'erpipe_records_unchanged_total{')" $((n - 2)) "load: unchanged"

# ---- bng: 429s ridden out, counted as retries and waits ---------------------
sandbox_start bng --records 0 --entity customers=150
BNG_CLIENT_ID=erpipe BNG_CLIENT_SECRET=erpipe-secret
export BNG_CLIENT_ID BNG_CLIENT_SECRET
sandbox_faults bng '{"429":{"nth":[3],"retry_after":1}}' >/dev/null
run bng-extract -q --token-cache - --page-size 100 --stats "$T/b.json" --metrics "$T/b.prom" \
	customers >"$T/b.out"
is "$st" 0 "bng-extract: a 429 ridden out"
is "$(jq -c '{program,system,entity,read,wrote,pages,http:(.http|{retries,rate_limit_waits,c4:.by_class["4xx"]})}' "$T/b.json")" \
	'{"program":"bng-extract","system":"bng","entity":"customers","read":150,"wrote":150,"pages":2,"http":{"retries":1,"rate_limit_waits":1,"c4":1}}' \
	"bng-extract --stats: records, pages, the retry and the 429 wait"
ok "bng-extract --stats: the wait took the server's second" \
	test "$(jq .http.wait_ms "$T/b.json")" -ge 1000
prom "$T/b.prom" "bng-extract --metrics: promtool accepts it"
is "$(val "$T/b.prom" 'erpipe_http_requests_total{program="bng-extract",system="bng",profile="-",entity="customers",code="4xx"}')" \
	1 "bng-extract: the 429 by class"
is "$(val "$T/b.prom" 'erpipe_http_rate_limit_waits_total{')" 1 "bng-extract: one rate-limit wait"
like "$(val "$T/b.prom" 'erpipe_http_received_bytes_total{')" '^[1-9][0-9]{3,}$' "bng-extract: bytes received"

# ---- nav --------------------------------------------------------------------
nav_env --records 10
run nav-extract -q --stats "$T/n.json" --metrics "$T/n.prom" Customer >"$T/n.out"
is "$st" 0 "nav-extract: exit 0"
n=$(wc -l <"$T/n.out" | tr -d ' ')
is "$(jq -c '{program,system,entity,read,wrote,status}' "$T/n.json")" \
	"{\"program\":\"nav-extract\",\"system\":\"nav\",\"entity\":\"Customer\",\"read\":$n,\"wrote\":$n,\"status\":0}" \
	"nav-extract --stats"
prom "$T/n.prom" "nav-extract --metrics: promtool accepts it"

# ---- reconcile -----------------------------------------------------------
printf '{"k":1,"a":1}\n{"k":2,"a":2}\n' >"$T/L"
printf '{"k":1,"a":1}\n{"k":2,"a":3}\n{"k":3,"a":3}\n' >"$T/R"
run reconcile -q -k k --stats "$T/r.json" --metrics "$T/r.prom" "$T/L" "$T/R" >/dev/null
is "$st" 1 "reconcile: differences, 1"
is "$(jq -c '{program,read,wrote,status}' "$T/r.json")" '{"program":"reconcile","read":5,"wrote":2,"status":1}' \
	"reconcile --stats: both sides read, the differences"
prom "$T/r.prom" "reconcile --metrics: promtool accepts it"
ok "reconcile: 1 is a success" grep -q '^erpipe_last_success_timestamp_seconds' "$T/r.prom"

# ---- --follow: the file is rewritten while it runs -------------------------
odoo-extract -q -P src --fields name --follow --interval 1 --metrics "$T/f.prom" \
	--stats "$T/f.json" res.partner >"$T/f.out" 2>"$T/f.err" &
pid=$!
i=0
until grep -q '^erpipe_running{.*} 1$' "$T/f.prom" 2>/dev/null || [ $i -ge 100 ]; do
	sleep 0.1; i=$((i + 1))
done
ok "--follow: metrics written while it runs" grep -q '^erpipe_running{.*} 1$' "$T/f.prom"
prom "$T/f.prom" "--follow, mid-run: promtool accepts it"
like "$(val "$T/f.prom" 'erpipe_follow_lag_seconds{')" '^[0-9]+\.[0-9]{3}$' "--follow: the lag gauge"
like "$(val "$T/f.prom" 'erpipe_last_checkpoint_timestamp_seconds{')" '^[0-9]{10}\.[0-9]{3}$' \
	"--follow: the last checkpoint's time"
kill -TERM $pid
wait $pid && st=0 || st=$?
is "$st" 0 "--follow: SIGTERM ends it with 0"
is "$(val "$T/f.prom" 'erpipe_running{')" 0 "--follow: the end is written"
like "$(jq -r .last_checkpoint "$T/f.json")" '^[0-9-]{10}T' "--follow --stats: the last checkpoint"
prom "$T/f.prom" "--follow, at the end: promtool accepts it"

done_testing
