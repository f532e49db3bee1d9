#!/bin/sh
# load odoo: a wrong password stops with 77 and one line; a server that is
# down gives 69 after the retries; 429 (Retry-After), 5xx, dropped
# connections and malformed bodies are ridden out by the retry policy and
# every record loads once; each RPC flavour loads the same; secrets never
# show in --trace.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-rpc.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-env.sh"
. "$ERPIPE_TOP/tests/scripted.sh"
odoo_env --partners 20 --api-key admin:k3y-s3cret
recs() { # recs PREFIX N
	i=1
	while [ $i -le "$2" ]; do printf '{"ref":"%s%d","name":"%s %d"}\n' "$1" $i "$1" $i; i=$((i + 1)); done
}
recs W 3 > "$T/w"

# ---- authentication ---------------------------------------------------------------
run env ODOO_PASSWORD=wrong load odoo res.partner -k ref "$T/w" > "$T/out" 2> "$T/err"
is "$st" 77 "wrong password: 77"
diag "$(cat "$T/err")"
is "$(wc -l < "$T/err" | tr -d ' ')" 1 "one line on stderr"
like "$(cat "$T/err")" "^load: .*(AccessDenied|refused|denied|[Ww]rong)" "it says the login was refused"
ok "nothing on stdout" test ! -s "$T/out"
run env ODOO_PASSWORD=wrong-key ODOO_AUTH=apikey load --protocol json2 odoo res.partner -k ref "$T/w" \
	> "$T/out" 2> "$T/err"
is "$st:$(wc -l < "$T/err" | tr -d ' ')" "77:1" "JSON-2 with a wrong key: 77, one line"

# ---- a wrong database over JSON-2 ------------------------------------------------------
# Odoo 19 serves /json/2 only inside a database: for one it does not serve
# it answers werkzeug's HTML 404, as an Odoo older than 19 does for every
# database (there is no /json/2).  The server's version tells them apart.
scripted() { # scripted VERSION: a server answering the JSON-2 call 404, then /web/version
	jq -cn --argjson v "$1" '[{status: 404, headers: {"Content-Type": "text/html; charset=utf-8"},
		body: "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n"},
		{body_json: {server_version: ($v | tostring), server_version_info: [$v, 0, 0, "final", 0, ""],
		 server_serie: ($v | tostring), protocol_version: 1, version_info: [$v, 0, 0, "final", 0, ""]}}]' >"$T/script"
	scripted_start "$T/script"
}
scripted 19
run env ODOO_URL="$SCRIPTED_URL" ODOO_DB=nodb ODOO_PASSWORD=k3y-s3cret ODOO_AUTH=apikey \
	load --protocol json2 odoo res.partner -k ref "$T/w" >"$T/out" 2>"$T/err"
scripted_stop
is "$st:$(wc -l <"$T/err" | tr -d ' ')" "78:1" "JSON-2, a database the server lacks: 78, one line"
like "$(cat "$T/err")" "database 'nodb' not found at 'http://127.0.0.1:[0-9]+': Odoo 19 answers HTTP 404" \
	"...saying the database is not there, not that JSON-2 needs Odoo 19"
is "$(jq -r '.method + " " + .path' "$T/scripted.log" | tr '\n' ' ')" "POST /json/2/res.partner/fields_get GET /web/version " \
	"...from the server's version, asked after the 404"
scripted 17
run env ODOO_URL="$SCRIPTED_URL" ODOO_DB=peer ODOO_PASSWORD=k3y-s3cret ODOO_AUTH=apikey \
	odoo-extract --protocol json2 res.partner >"$T/out" 2>"$T/err"
scripted_stop
is "$st" 78 "JSON-2 on an Odoo 17: 78"
like "$(cat "$T/err")" "the server is Odoo 17, JSON-2 needs Odoo 19 or later" "...saying so"

# ---- every flavour loads --------------------------------------------------------------
for proto in xmlrpc jsonrpc json2; do
	recs "P$proto" 3 > "$T/p"
	if [ $proto = json2 ]; then
		run env ODOO_PASSWORD=k3y-s3cret ODOO_AUTH=apikey load -q --protocol $proto odoo res.partner \
			-k ref "$T/p" > "$T/out"
	else
		run load -q --protocol $proto odoo res.partner -k ref "$T/p" > "$T/out"
	fi
	is "$st:$(jq -r .status "$T/out" | tr '\n' ' ')" "0:created created created " "--protocol $proto: created"
	is "$(sandbox_log odoo | jq -r '[.[] | select(.rpc == "res.partner.create")] | last | .flavour')" "$proto" \
		"--protocol $proto: the create went over $proto"
done
run env ODOO_PASSWORD=k3y-s3cret ODOO_AUTH=apikey load -q --protocol json2 odoo res.partner -k ref "$T/p" > "$T/out"
is "$(jq -r .status "$T/out" | tr '\n' ' ')" "unchanged unchanged unchanged " "json2: second run unchanged"

# ---- --trace hides the secret ------------------------------------------------------------
run load --trace odoo res.partner -k ref "$T/w" > /dev/null 2> "$T/trace"
ok "--trace shows the requests" grep -q 'execute_kw' "$T/trace"
like "$(grep -o '"odoo", *2, *"[^"]*"' "$T/trace" | sort -u | tr '\n' ' ')" '^("odoo", ?2, ?"\*\*\*" ?)+$' \
	"the password travels as *** in the trace"

# ---- transient failures ridden out ---------------------------------------------------------
recs F 60 > "$T/f"
sandbox_faults odoo '{"seed":3,"5xx":{"rate":0.25,"status":503},"429":{"every":7,"retry_after":1},"drop":{"nth":[9]},"malformed":{"nth":[12],"mode":"garbage"}}' > /dev/null
n0=$(sandbox_log odoo | jq length)
run load -q --batch 10 --retries 10 odoo res.partner -k ref "$T/f" > "$T/out" 2> "$T/err"
is "$st" 0 "faults on many requests: still 0"
is "$(jq -r .status "$T/out" | sort | uniq -c | tr -s ' ')" " 60 created" "every record created"
sandbox_control odoo DELETE faults > /dev/null
is "$(rpc res.partner search_count '[[["ref","=like","F%"]]]')" 60 "60 in Odoo, none twice"
faults=$(sandbox_log odoo "$n0" | jq '[.[] | select(.fault)] | length')
ok "faults were served ($faults)" test "$faults" -ge 5
is "$(sandbox_log odoo "$n0" | jq -r '[.[] | select(.fault == "429")] | length > 0')" true "429s among them"

# ---- 429 beyond --retry-max-time: 75 ------------------------------------------------------------
sandbox_faults odoo '{"429":{"rate":1,"retry_after":30}}' > /dev/null
run load --retry-max-time 2 odoo res.partner -k ref "$T/w" > /dev/null 2> "$T/err"
is "$st" 75 "rate-limited beyond --retry-max-time: 75"
sandbox_control odoo DELETE faults > /dev/null

# ---- the server goes away: 69 after the retries ----------------------------------------------
sandbox_stop odoo
s=$(date +%s)
run load --retries 2 --retry-max-time 10 odoo res.partner -k ref "$T/w" > "$T/out" 2> "$T/err"
is "$st" 69 "server down: 69"
diag "$(cat "$T/err")"
is "$(wc -l < "$T/err" | tr -d ' ')" 1 "one line"
like "$(cat "$T/err")" "^load: " "prefixed with the program"
ok "within the retry budget ($(($(date +%s) - s)) s)" test $(($(date +%s) - s)) -le 10
done_testing
