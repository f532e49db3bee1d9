#!/bin/sh
# Sandbox fault knobs (common.py) exercised on the Odoo sandbox: latency, 429 with
# Retry-After, 5xx, dropped connection, malformed bodies, seeded rates; the request
# log (secrets redacted), reset, port file and SIGTERM shutdown.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
sandbox_start odoo --partners 10 --api-key admin:topsecret --fault-429 nth=2 --retry-after 7 \
	--fault-5xx nth=3,status=502 --fault-drop nth=4 --seed 42
V='{"jsonrpc":"2.0","method":"call","params":{"service":"common","method":"version","args":[]},"id":1}'
req() { # req [CURL ARGS] -> "exitcode http_code"; body in $T/body, headers in $T/hdrs
	set +e
	c=$(curl -sS -o "$T/body" -D "$T/hdrs" -w '%{http_code}' -H 'Content-Type: application/json' \
		--data-binary "$V" "$@" "$ODOO_URL/jsonrpc" 2>/dev/null)
	rc=$?
	set -e
	echo "$rc $c"
}
is "$(req)" "0 200" "request 1 answers"
is "$(req)" "0 429" "--fault-429 nth=2"
like "$(cat "$T/hdrs")" "Retry-After: 7" "429 carries Retry-After"
is "$(req)" "0 502" "--fault-5xx nth=3,status=502"
is "$(req)" "52 000" "--fault-drop nth=4: connection closed without an answer"
is "$(req)" "0 200" "request 5 answers"
sandbox_faults odoo '{"malformed":{"next":1,"mode":"truncate"}}' >/dev/null
is "$(req)" "0 200" "malformed truncate: a 200..."
ok "...whose body is not JSON" sh -c "! jq . '$T/body'"
sandbox_faults odoo '{"malformed":{"next":1,"mode":"garbage"}}' >/dev/null
req >/dev/null
ok "malformed garbage: not JSON" sh -c "! jq . '$T/body'"
sandbox_faults odoo '{"malformed":{"next":1,"mode":"short"}}' >/dev/null
is "$(req | cut -d' ' -f1)" 18 "malformed short: body shorter than Content-Length"
sandbox_faults odoo '{"429":{"next":2,"retry_after":3}}' >/dev/null
is "$(req; req; req)" "0 429
0 429
0 200" "next=K faults the next K requests"
sandbox_faults odoo '{"latency_ms":300}' >/dev/null
s=$(date +%s%N)
req >/dev/null
ms=$(( ($(date +%s%N) - s) / 1000000 ))
ok "latency_ms delays the answer ($ms ms)" test "$ms" -ge 300
sandbox_control odoo DELETE faults >/dev/null
# seeded rate: the same seed gives the same schedule
sched() {
	sandbox_reset odoo >/dev/null
	sandbox_faults odoo '{"seed":7,"5xx":{"rate":0.5}}' >/dev/null
	for i in 1 2 3 4 5 6 7 8; do req | cut -d' ' -f2; done | tr '\n' ' '
}
one=$(sched)
like "$one" "503" "rate=0.5 fires some 503s: $one"
like "$one" "200" "...and lets some through"
is "$(sched)" "$one" "the same seed gives the same schedule"
# match restricts a fault to some paths
sandbox_faults odoo '{"seed":1,"5xx":{"next":1,"match":"^/json/2/"}}' >/dev/null
is "$(req | cut -d' ' -f2)" 200 "match: other paths are not faulted"
# request log: secrets redacted
sandbox_reset odoo >/dev/null
curl -s -H 'Authorization: bearer topsecret' -H 'Content-Type: application/json' -d '{"domain":[]}' \
	"$ODOO_URL/json/2/res.partner/search_count" >/dev/null
log=$(sandbox_log odoo)
is "$(echo "$log" | jq -c '.[0] | [.n, .method, .path, .status, .headers.Authorization, .rpc, .flavour]')" \
	'[1,"POST","/json/2/res.partner/search_count",200,"bearer ***","res.partner.search_count","json2"]' \
	"GET /__sandbox/log"
ok "the log never holds the key" sh -c "! grep -q topsecret '$T/sandbox/odoo.log'"
like "$(tail -1 "$T/sandbox/odoo.log")" '"status": 200' "--log FILE gets JSON lines"
# shutdown
pid=$(cat "$T/sandbox/odoo.pid")
sandbox_stop odoo
ok "SIGTERM stops the server" sh -c "! kill -0 $pid 2>/dev/null"
ok "and removes its port file" test ! -e "$T/sandbox/odoo.port"
done_testing
