#!/bin/sh
# Numbers reach the target and come back from it exactly: load's request
# bodies and the extractors' lines print a number in the shortest text that
# reads back as the same double.  cJSON 1.7.15's printer (used before) wrote
# 15 digits whenever they were "close enough", so 9007199254740992 went out
# as 9.00719925474099e+15 (9007199254740990) and 1.0000000000000002 as 1,
# with a "created" receipt: a silent change found by the round-trip test
# (tests/0014).  BNG over REST/JSON, Odoo over JSON-RPC and XML-RPC.
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
sandbox_start bng --records 0
BNG_CLIENT_ID=erpipe BNG_CLIENT_SECRET=erpipe-secret
export BNG_CLIENT_ID BNG_CLIENT_SECRET
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
done_testing
