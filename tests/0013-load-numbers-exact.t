#!/bin/sh
# Numbers reach the target and come back from it exactly: load's request
# bodies and the extractors' lines print a number in the shortest text that
# reads back as the same double.  cJSON 1.7.15's printer (used before) wrote
# 15 digits whenever they were "close enough", so 9007199254740992 went out
# as 9.00719925474099e+15 (9007199254740990) and 1.0000000000000002 as 1,
# with a "created" receipt: a silent change found by the round-trip test
# (tests/0014).  BNG over REST/JSON, Odoo over JSON-RPC and XML-RPC.
# A number a double does not hold (9007199254740993, 99999999999999.99,
# 1e400, 1e-400) rejects its record, naming it, instead of arriving as
# another number that a read back, compared as doubles, finds unchanged.
# load compares numbers as the same double, with no tolerance: 1000000000.5
# over 1000000000 is an update (it was "unchanged", never written), 5e-324
# stored as 0 a drift (it was "created").  Odoo and NAV.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-rpc.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-env.sh"
. "$ERPIPE_TOP/tests/sandbox/bng-api.sh"

# numbers FILE FIELD: the field's number of each line, as typed
numbers() { grep -o "\"$2\":[^,}]*" "$1" | sed 's/.*://' | tr '\n' ' '; }
# same_doubles "A B" "C D": pairwise equal as doubles
same_doubles() {
	$PYTHON -c 'import sys; a, b = sys.argv[1].split(), sys.argv[2].split(); sys.exit(not (len(a) == len(b) and all(float(x) == float(y) for x, y in zip(a, b))))' "$1" "$2"
}
# BNG keeps at most 2 decimals: 99999999999999.98 went out as 100000000000000
BWANT='9007199254740992 90071992547409.92 99999999999999.98 0.07 '
WANT='9007199254740992 1.0000000000000002 100.00000000000001 99999999999999.98 '

# ---- BNG --------------------------------------------------------------------------
bng_env --records 0
i=0
for n in $BWANT; do
	i=$((i + 1))
	printf '{"ExternalID":"n:%d","CompanyName":"n %d","CreditLimit":%s,"Status":"Active"}\n' $i $i "$n"
done >"$T/bng.in"
run load -q bng customers --verify strict "$T/bng.in" >"$T/receipts"
is "$st" 0 "bng: load exits 0"
is "$(jq -r .status "$T/receipts" | tr '\n' ' ')" "created created created created " "bng: four created"
bng_dump customers | jq -r '.CreditLimit' | tr '\n' ' ' >"$T/stored"
ok "bng: the server holds the numbers sent ($(cat "$T/stored"))" same_doubles "$(cat "$T/stored")" "$BWANT"
bng-extract -q customers >"$T/bng.out"
is "$(numbers "$T/bng.out" CreditLimit)" "$BWANT" "bng-extract: the numbers as sent"
run load -q bng customers --verify strict "$T/bng.in" >"$T/receipts"
is "$(jq -r .status "$T/receipts" | tr '\n' ' ')" "unchanged unchanged unchanged unchanged " \
	"bng: a second load finds them unchanged"

# numbers a double does not hold: rejected with their path, nothing sent
n0=$(sandbox_log bng | jq 'map(.n) | max // 0')
i=0
for n in 9007199254740993 99999999999999.99 1e400 1e-400 1.00000000000000000001; do
	i=$((i + 1))
	printf '{"ExternalID":"x:%d","CompanyName":"x %d","Status":"Active","CreditLimit":%s}\n' $i $i "$n"
done >"$T/inexact"
run load -q bng customers --rejects "$T/rej" "$T/inexact" >"$T/receipts"
is "$st" 65 "bng: inexact numbers: rejects, exit 65"
is "$(jq -r .status "$T/receipts" | sort | uniq -c | tr -s ' ')" " 5 rejected" "bng: five rejected"
is "$(jq -r .error "$T/rej" | sort -u)" \
	"/CreditLimit: a number a double does not hold exactly (too many digits, or out of range): it would not arrive as written" \
	"bng: the rejects name the field and why"
is "$(jq -r .source "$T/rej" | sed 's/.*://' | tr '\n' ' ')" "1 2 3 4 5 " "bng: one reject a line"
is "$(grep -c '"record":{"ExternalID":"x:' "$T/rej")" 5 "bng: the rejects carry the records for replay"
is "$(sandbox_log bng "$n0" | jq '[.[] | select(.method == "POST" and .path != "/oauth/token")] | length')" 0 \
	"bng: nothing was sent"
is "$(bng_dump customers | jq -r 'select(.ExternalID // "" | startswith("x:")) | .ExternalID' | wc -l | tr -d ' ')" 0 \
	"bng: none in BNG"

# ---- Odoo: JSON-RPC and XML-RPC -------------------------------------------------------
odoo_env --partners 0
for proto in jsonrpc xmlrpc; do
	i=0
	for n in $WANT; do
		i=$((i + 1))
		printf '{"ref":"%s:%d","name":"n %d","credit_limit":%s}\n' $proto $i $i "$n"
	done >"$T/odoo.in"
	run load -q odoo res.partner --protocol $proto --key ref --verify strict "$T/odoo.in" >"$T/receipts"
	is "$st" 0 "odoo $proto: load exits 0"
	is "$(jq -r .status "$T/receipts" | tr '\n' ' ')" "created created created created " \
		"odoo $proto: four created"
	rpc res.partner search_read "[[[\"ref\",\"=like\",\"$proto:%\"]]]" '{"fields":["credit_limit"],"order":"id"}' |
		jq -r '.[].credit_limit' | tr '\n' ' ' >"$T/stored"
	ok "odoo $proto: Odoo holds the numbers sent ($(cat "$T/stored"))" same_doubles "$(cat "$T/stored")" "$WANT"
	odoo-extract -q --protocol $proto --fields ref,credit_limit \
		--domain "[[\"ref\",\"=like\",\"$proto:%\"]]" res.partner >"$T/odoo.out"
	is "$(numbers "$T/odoo.out" credit_limit)" "$WANT" "odoo-extract $proto: the numbers as sent"
done
printf '%s\n' '{"ref":"big","name":"big","color":9007199254740993}' \
	'{"ref":"tiny","name":"tiny","credit_limit":1e-400}' >"$T/inexact"
run load -q odoo res.partner --key ref --rejects "$T/rej2" "$T/inexact" >"$T/receipts"
is "$st" 65 "odoo: inexact numbers: exit 65"
is "$(jq -r .error "$T/rej2" | sed 's/:.*//' | tr '\n' ' ')" "/color /credit_limit " "odoo: rejected, naming the fields"
is "$(rpc res.partner search_count '[[["ref","in",["big","tiny"]]]]')" 0 "odoo: none created"

# no tolerance: half a unit over a billion is a change; the least double is not 0
echo '{"ref":"tol","name":"tol","credit_limit":1000000000}' | load -q odoo res.partner --key ref >/dev/null
echo '{"ref":"tol","name":"tol","credit_limit":1000000000.5}' | load -q odoo res.partner --key ref >"$T/receipts"
is "$(jq -r .status "$T/receipts")" updated "odoo: 1000000000.5 over 1000000000 is an update"
is "$(rpc res.partner search_read '[[["ref","=","tol"]]]' '{"fields":["credit_limit"]}' | jq '.[0].credit_limit')" \
	1000000000.5 "odoo: and written"
echo '{"ref":"least","name":"least","color":5e-324}' | load -q odoo res.partner --key ref >"$T/receipts"
is "$(jq -c '[.status, .drift]' "$T/receipts")" '["drifted",[{"field":"color","sent":5e-324,"stored":0}]]' \
	"odoo: 5e-324 in an integer field stored as 0: drifted"

# ---- NAV ----------------------------------------------------------------------------
. "$ERPIPE_TOP/tests/sandbox/nav-env.sh"
nav_env --records 0
echo '{"No":"TOL1","Name":"tol","Credit_Limit_LCY":1000000000}' | load -q nav Customer -k No >/dev/null
echo '{"No":"TOL1","Name":"tol","Credit_Limit_LCY":1000000000.5}' | load -q nav Customer -k No >"$T/receipts"
is "$(jq -r .status "$T/receipts")" updated "nav: 1000000000.5 over 1000000000 is an update"
is "$(get "Customer('TOL1')" | jq '.Credit_Limit_LCY')" 1000000000.5 "nav: and written"
i=0
for n in $WANT; do
	i=$((i + 1))
	printf '{"No":"NUM%d","Name":"n %d","Credit_Limit_LCY":%s}\n' $i $i "$n"
done >"$T/nav.in"
# the sandbox keeps 10 decimals: one unit in the last place is a drift (it
# was "created": cJSON_Compare calls numbers within DBL_EPSILON equal)
run load -q nav Customer -k No --verify strict --rejects "$T/nrej" "$T/nav.in" >"$T/receipts"
is "$(jq -r .status "$T/receipts" | tr '\n' ' ')" "created rejected rejected created " \
	"nav: 1.0000000000000002 and 100.00000000000001 kept with 10 decimals: drifted"
is "$(jq -r .error "$T/nrej" | tr '\n' ' ')" \
	"drifted: 'Credit_Limit_LCY': sent 1.0000000000000002, stored 1 drifted: 'Credit_Limit_LCY': sent 100.00000000000001, stored 100 " \
	"nav: the drifts name the field, sent and stored"
nav-extract -q --filter "startswith(No,'NUM')" Customer >"$T/nav.out"
ok "nav-extract: the numbers kept ($(numbers "$T/nav.out" Credit_Limit_LCY))" \
	same_doubles "$(numbers "$T/nav.out" Credit_Limit_LCY)" "9007199254740992 1 100 99999999999999.98"
done_testing
