#!/bin/sh
# Every sandbox fault knob through odoo-extract, on the Nth request and at a
# (seeded) rate: latency, 429 with Retry-After, 5xx, dropped connections,
# malformed bodies (truncated, garbage, short) on each protocol.  The output
# must be the clean run's, byte for byte, and the log must show the faults
# fired.  Then what is not retried: wrong password 77, server down 69, 429
# past --retry-max-time 75, no such database 78, Odoo's errors 65.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
KEY=9f8e7d6c5b4a39281706f5e4d3c2b1a0
sandbox_start odoo --partners 120 --api-key admin:$KEY
ODOO_DB=odoo ODOO_USER=admin ODOO_PASSWORD=admin
export ODOO_DB ODOO_USER ODOO_PASSWORD
X="odoo-extract -q --page-size 20 --fields name,email,country_id res.partner"
$X >"$T/clean"
diag "$(wc -l <"$T/clean") records, $(( $(wc -l <"$T/clean") / 20 + 3 )) requests"

# fault NAME JSON [ARGS]: the output is the clean one and the fault fired
fault() {
	name=$1 json=$2
	shift 2
	sandbox_reset odoo >/dev/null
	sandbox_faults odoo "$json" >/dev/null
	t0=$(date +%s%N)
	run $X "$@" >"$T/out" 2>"$T/err"
	diag "$name: $(( ($(date +%s%N) - t0) / 1000000 )) ms"
	fired=$(sandbox_log odoo | jq '[.[] | select(.fault != null)] | length')
	if [ "$st" = 0 ] && cmp -s "$T/out" "$T/clean" && [ "$fired" -gt 0 ]; then
		_result 0 "$name ($fired faults)"
	else
		_result 1 "$name"
		diag "exit $st, $fired faults fired, $(wc -l <"$T/out") lines; $(head -c 300 "$T/err")"
	fi
	sandbox_control odoo DELETE faults >/dev/null
}
# latency is not a fault: every answer is late, the output the same
sandbox_reset odoo >/dev/null
sandbox_faults odoo '{"latency_ms":40}' >/dev/null
$X >"$T/out"
same_file "$T/out" "$T/clean" "latency 40 ms: the same records"
is "$(sandbox_log odoo | jq '[.[] | select(.ms < 40)] | length')" 0 "every answer took 40 ms or more"
sandbox_control odoo DELETE faults >/dev/null
fault "429 with Retry-After 1 on requests 3 and 5" '{"429":{"nth":[3,5],"retry_after":1}}'
fault "429 at a rate of 30%" '{"seed":3,"429":{"rate":0.3,"retry_after":0}}'
fault "503 on request 4" '{"5xx":{"nth":[4]}}'
fault "502 at a rate of 25%" '{"seed":5,"5xx":{"rate":0.25,"status":502,"retry_after":0}}'
fault "dropped connection on request 2" '{"drop":{"nth":[2]}}'
fault "dropped connections at a rate of 25%" '{"seed":7,"drop":{"rate":0.25}}'
fault "truncated body on request 4" '{"malformed":{"nth":[4],"mode":"truncate"}}'
fault "garbage bodies at a rate of 25%" '{"seed":9,"malformed":{"rate":0.25,"mode":"garbage"}}'
fault "short body (Content-Length not met) on request 3" '{"malformed":{"nth":[3],"mode":"short"}}'
fault "xmlrpc: truncated body on request 4" '{"malformed":{"nth":[4],"mode":"truncate"}}' --protocol xmlrpc
fault "xmlrpc: garbage at a rate of 25%" '{"seed":9,"malformed":{"rate":0.25,"mode":"garbage"}}' --protocol xmlrpc
ODOO_PASSWORD=$KEY
fault "json2: garbage at a rate of 25%" '{"seed":9,"malformed":{"rate":0.25,"mode":"garbage"}}' --protocol json2
fault "json2: 503 and drops" '{"seed":2,"5xx":{"nth":[2]},"drop":{"nth":[4]}}' --protocol json2
ODOO_PASSWORD=admin
fault "--concurrency 4 under drops and 502s" '{"seed":4,"drop":{"rate":0.2},"5xx":{"rate":0.2,"status":502,"retry_after":0}}' --concurrency 4

# what is not retried, or gives up
# (a password that is no word of the message: a secret is masked in
# messages wherever it stands as a word)
run env ODOO_PASSWORD=not-the-pw-4 $X 2>"$T/err" >"$T/out"
is "$st" 77 "wrong password: 77"
is "$(wc -l <"$T/err")" 1 "one line"
like "$(cat "$T/err")" "^odoo-extract: login refused for user 'admin' on database 'odoo' at 'http://127.0.0.1:[0-9]+': wrong user, password or API key$" "naming user and database"
ok "and nothing on stdout" test ! -s "$T/out"
run env ODOO_PASSWORD=not-a-key $X --protocol json2 2>"$T/err" >/dev/null
is "$st" 77 "json2, a bad key: 77"
like "$(cat "$T/err")" "Unauthorized: Invalid apikey" "with Odoo's words"
run env ODOO_DB=nodb $X 2>"$T/err" >/dev/null
is "$st" 78 "no such database: 78"
run $X --domain '[["nope","=",1]]' 2>"$T/err" >/dev/null
is "$st" 65 "a domain on an unknown field: 65"
is "$(cat "$T/err")" "odoo-extract: res.partner.search_read: builtins.ValueError: Invalid field res.partner.nope in condition ('nope', '=', 1)" \
	"Odoo's exception name and message"
run odoo-extract -q no.such.model 2>"$T/err" >/dev/null
is "$st" 65 "an unknown model: 65"
like "$(cat "$T/err")" "no.such.model.fields_get: .*Object no.such.model doesn't exist" "says so"
run odoo-extract -q --fields nope res.partner 2>"$T/err" >/dev/null
is "$st" 64 "--fields with an unknown field: 64"
sandbox_faults odoo '{"429":{"every":1,"retry_after":30}}' >/dev/null
run $X --retry-max-time 2 2>"$T/err" >/dev/null
is "$st" 75 "429 with a Retry-After past --retry-max-time: 75"
like "$(cat "$T/err")" "429" "says 429"
sandbox_control odoo DELETE faults >/dev/null
sandbox_faults odoo '{"malformed":{"every":1,"mode":"garbage"}}' >/dev/null
run $X --retries 2 2>"$T/err" >/dev/null
is "$st" 69 "garbage every time: 69 after the retries"
like "$(cat "$T/err")" "malformed JSON-RPC response" "says so"
sandbox_control odoo DELETE faults >/dev/null
url=$ODOO_URL
sandbox_stop odoo
run env ODOO_URL=$url $X --retries 2 2>"$T/err" >/dev/null
is "$st" 69 "server down: 69 after the retries"
like "$(cat "$T/err")" "gave up after 2 retries: .*(Couldn't connect|Connection refused)" "says why"
done_testing
