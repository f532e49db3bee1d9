#!/bin/sh
# examples/scripts/onboard-match (issue 19): Odoo's and BNG's customers,
# never linked, bound by reconcile --match and stored as the identities the
# two-way sync keeps (Odoo external ids bng.customer_N); sync-masterdata
# then makes no copy of a bound customer on either side.  BNG holds planted
# near-duplicates of some Odoo customers (name in capitals, e-mail in
# capitals, phone in another format), a trap (an Odoo
# customer's name, another company's e-mail and phone) and customers of
# its own.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
sandbox_start odoo --partners 6
sandbox_start bng --records 0 --entity customers=0 --entity vendors=0
. "$ERPIPE_TOP/tests/sandbox/profiles.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-rpc.sh"
ODOO_DB=odoo ODOO_USER=admin ODOO_PASSWORD=admin
export ODOO_DB ODOO_USER ODOO_PASSWORD
S=$ERPIPE_TOP/examples/scripts

# Odoo's customers with an e-mail: the first three get a near-duplicate in
# BNG, the fourth a trap
o res.partner --domain '[["customer_rank",">",0],["email","!=",false],["phone","!=",false]]' \
	--fields name,email,phone >"$T/cust"
n=$(wc -l <"$T/cust" | tr -d ' ')
ok "the sandbox has four customers with an e-mail and a phone (has $n)" [ "$n" -ge 4 ]
head -3 "$T/cust" | jq -c '{CompanyName: (.name | ascii_upcase), Email: (.email | ascii_upcase),
	Phone: (.phone | gsub("[^0-9+]"; "") | sub("^\\+"; "00")), Status: "Active"}' >"$T/bng.in"
sed -n 4p "$T/cust" | jq -c '{CompanyName: .name, Email: "someone@else.example",
	Phone: "+1 212 555 0199", Status: "Active"}' >>"$T/bng.in"
printf '%s\n' '{"CompanyName":"Only In BNG Ltd","Email":"hello@only-bng.example","Status":"Active"}' \
	>>"$T/bng.in"
load -q -P bng bng customers --op create "$T/bng.in" >"$T/r0"
is "$(jq -r .status "$T/r0" | sort | uniq -c | awk '{printf "%s=%s ", $2, $1}')" "created=5 " \
	"five BNG customers made"
b customers >"$T/bng"
want=$(head -3 "$T/cust" | jq -r .id | while read -r id; do
	name=$(jq -r --argjson id "$id" 'select(.id == $id) | .name | ascii_upcase' "$T/cust")
	jq -r --arg n "$name" --argjson id "$id" 'select(.CompanyName == $n) | "\($id)=\(.CustomerID)"' "$T/bng"
done | sort | paste -sd ' ' -)

run "$S/onboard-match" odoo bng "$T/on" >"$T/out" 2>"$T/err"
is "$st" 0 "onboard-match: status 0"
like "$(cat "$T/out")" "^onboard: bound 3, ambiguous [0-9]+ " "it prints what it bound"
is "$(jq -r 'select(.status == "match") | "\(.left)=\(.right)"' "$T/on/bindings.ndjson" | sort |
	paste -sd ' ' -)" "$want" "the three near-duplicates bound to their Odoo partners"
trap_id=$(jq -r 'select(.Email == "someone@else.example") | .CustomerID' "$T/bng")
is "$(jq -r --argjson t "$trap_id" 'select(.right == $t and .status == "match")' \
	"$T/on/bindings.ndjson")" "" "the trap (same name, another company) is not bound"
is "$(rpc ir.model.data search_count '[[["module","=","bng"],["name","=like","customer_%"]]]')" 3 \
	"the bindings stored as Odoo external ids bng.customer_N"
got=$(o res.partner --xmlids bng --domain '[["customer_rank",">",0]]' --fields name |
	jq -r '.id as $i | .xmlids[] | "\($i)=\(ltrimstr("bng.customer_"))"' | sort | paste -sd ' ' -)
is "$got" "$want" "...each on its partner"

run "$S/onboard-match" odoo bng "$T/on" >"$T/out2" 2>"$T/err"
like "$(cat "$T/out2")" "^onboard: bound 0," "run again: the bound records are left out"

# the two-way sync now sees each bound pair as one customer
ncust=$(o --count res.partner --domain '[["customer_rank",">",0]]')
run "$S/sync-masterdata" odoo bng "$T/sync" >"$T/sync.out" 2>"$T/sync.err"
is "$st" 0 "sync-masterdata after onboarding: status 0"
like "$(cat "$T/sync.out")" "customers odoo<->bng: to_odoo 2 \(2 create\), to_bng $((ncust - 3)) \($((ncust - 3)) create\)" \
	"...it makes only the unbound customers on the other side"
done_testing
