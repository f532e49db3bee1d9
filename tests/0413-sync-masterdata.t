#!/bin/sh
# examples/scripts/sync-masterdata: Odoo's and BNG's customers kept in step
# both ways by a three-way merge (issue 14).  Planted concurrent edits:
# different fields on each side (both kept), the same field (a conflict,
# reported, both sides left as they are), a field with an owner (BNG's
# credit limit wins); deletes on each side (an archive in Odoo, a DELETE in
# BNG) reach the other side as an archive; records born on each side made on
# the other once, with their identities; a run with nothing new writes
# nothing; a load killed with -9 mid-sync, then a rerun, converges.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
sandbox_start odoo --partners 4
sandbox_start bng --records 0 --entity customers=3
. "$ERPIPE_TOP/tests/sandbox/profiles.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-rpc.sh"
ODOO_DB=odoo ODOO_USER=admin ODOO_PASSWORD=admin
export ODOO_DB ODOO_USER ODOO_PASSWORD
S=$ERPIPE_TOP/examples/scripts/sync-masterdata
W=$T/sync
sync() { "$S" odoo bng "$W" >"$T/out" 2>"$T/err"; }
# the customers as the merge sees them, each side, sorted
sides() {
	o res.partner --xmlids bng --fields name,is_company,email,phone,country_id,credit_limit,customer_rank |
		xform -q -f sync/odoo-bng/customers-from-odoo | jq -S -c "select(has(\"k\"))" | sort >"$T/left"
	b customers | xform -q -f sync/odoo-bng/customers-from-bng | jq -S -c "select(has(\"k\"))" | sort >"$T/right"
}
bupd() { # CUSTOMERID JSON: an edit made in BNG
	echo "$2" | jq -c --argjson id "$1" '. + {"_key": {"CustomerID": $id}}' |
		load -q -P bng bng customers --op update >/dev/null
}
written() { jq -s -r '[.[] | select(.status != "unchanged")] | length' "$W/receipts/customers-odoo.ndjson" "$W/receipts/customers-bng.ndjson"; }

ncust=$(o --count res.partner --domain '[["customer_rank",">",0]]')

# ---- the first run: each side's customers made on the other --------------------
run sync
is "$st" 0 "first run: status 0"
like "$(cat "$T/out")" "customers odoo<->bng: to_odoo 3 \(3 create\), to_bng $ncust \($ncust create\)" \
	"it prints what moved: BNG's 3 to Odoo, Odoo's $ncust customers to BNG"
sides
is "$(cat "$T/left")" "$(cat "$T/right")" "both sides agree"
is "$(wc -l <"$T/left" | tr -d ' ')" $((ncust + 3)) "...all of them on each side"
is "$(rpc ir.model.data search_count '[[["module","=","bng"],["name","=like","customer_%"]]]')" 3 \
	"BNG's customers known in Odoo by external ids bng.customer_N"
is "$(b customers | jq -r '.ExternalID // "" | select(startswith("odoo:"))' | sort -u | wc -l | tr -d ' ')" "$ncust" \
	"Odoo's known in BNG by ExternalID odoo:ID, once each"
n=$(written)
run sync
is "$st:$(written)" "0:$n" "a second run writes nothing"
like "$(cat "$T/out")" "to_odoo 0 \(0 create\), to_bng 0 \(0 create\), conflicts 0" "...and says so"

# ---- concurrent edits ---------------------------------------------------------------
c1=$(b customers | jq -s -r 'map(select(.ExternalID == "odoo:8"))[0].CustomerID')
c2=$(b customers | jq -s -r 'map(select(.ExternalID == "odoo:9"))[0].CustomerID')
rpc res.partner write '[[8],{"email":"new-odoo@example.com"}]' >/dev/null
bupd "$c1" '{"Phone":"+47 555 0101"}'
rpc res.partner write '[[9],{"email":"odoo-side@example.com","credit_limit":111}]' >/dev/null
bupd "$c2" '{"Email":"bng-side@example.com","CreditLimit":999}'
run sync
is "$st" 0 "edits on both sides: status 0"
is "$(rpc res.partner read '[[8],["email","phone"]]' | jq -c '.[0] | [.email, .phone]')" \
	'["new-odoo@example.com","+47 555 0101"]' "different fields: Odoo has its email and BNG's phone"
is "$(b customers | jq -c --argjson c "$c1" 'select(.CustomerID == $c) | [.Email, .Phone]')" \
	'["new-odoo@example.com","+47 555 0101"]' "...and BNG has both too"
like "$(cat "$T/out")" "conflict odoo:9 email: base .*, odoo \"odoo-side@example.com\", bng \"bng-side@example.com\"" \
	"the same field on both sides: a conflict, printed with base, Odoo and BNG values"
is "$(rpc res.partner read '[[9],["email","credit_limit"]]' | jq -c '.[0] | [.email, .credit_limit]'):$(b customers | jq -c --argjson c "$c2" 'select(.CustomerID == $c) | [.Email, .CreditLimit]')" \
	'["odoo-side@example.com",999]:["bng-side@example.com",999]' \
	"...each side keeps its email; the credit limit, BNG's, is BNG's value on both"
is "$(jq -s -c '[.[] | .key]' "$W/conflicts.ndjson")" '["odoo:9"]' "...the conflict kept in DIR/conflicts.ndjson"

# ---- deletes on each side, births on each side ------------------------------------
bgone=$(b customers | jq -s -r 'map(select(.ExternalID == null))[0].CustomerID')
bgone_pid=$(rpc ir.model.data search_read "[[[\"module\",\"=\",\"bng\"],[\"name\",\"=\",\"customer_$bgone\"]]]" '{"fields":["res_id"]}' | jq '.[0].res_id')
echo "{\"_key\":{\"CustomerID\":$bgone},\"_op\":\"delete\"}" | load -q -P bng bng customers >/dev/null
rpc res.partner write '[[8],{"active":false}]' >/dev/null
new_pid=$(rpc res.partner create '[{"name":"Born In Odoo AS","is_company":true,"customer_rank":1,"email":"born@odoo.example"}]' | jq 'if type == "array" then .[0] else . end')
echo '{"CompanyName":"Born In BNG Ltd","Email":"born@bng.example"}' | load -q -P bng bng customers --op create >/dev/null
run sync
is "$st" 0 "deletes and births: status 0"
is "$(rpc res.partner read "[[$bgone_pid],[\"active\"]]" | jq -c '.[0].active')" false \
	"a customer deleted in BNG: archived in Odoo"
is "$(b customers | jq -r --argjson c "$c1" 'select(.CustomerID == $c) | .Status')" Inactive \
	"a partner archived in Odoo: Inactive in BNG"
is "$(b customers | jq -r 'select(.ExternalID == "odoo:'"$new_pid"'") | .CompanyName')" "Born In Odoo AS" \
	"a partner born in Odoo: made in BNG with ExternalID odoo:ID"
is "$(rpc res.partner search_count '[[["name","=","Born In BNG Ltd"]]]'):$(b customers | jq -s '[.[] | select(.CompanyName == "Born In Odoo AS")] | length')" "1:1" \
	"a customer born in BNG: made in Odoo once; the Odoo-born one in BNG once"
sides
is "$(grep -v '"k":"odoo:9"' "$T/left")" "$(grep -v '"k":"odoo:9"' "$T/right")" \
	"both sides agree again, but for the undecided conflict"
n=$(written)
run sync
is "$st:$(written)" "0:$n" "...and a run after it writes nothing"

# ---- kill -9 of a load mid-sync, then a rerun ---------------------------------------
# load, killed after its first record reached BNG (the base not yet moved)
mkdir -p "$T/bin"
cat >"$T/bin/load" <<EOF
#!/bin/sh
case " \$* " in
*" bng customers "*)
	for a; do last=\$a; done
	head -1 "\$last" >"\$last.one"
	"$ERPIPE_BIN/load" -q -P bng bng customers "\$last.one" >/dev/null
	kill -9 \$\$ ;;
esac
exec "$ERPIPE_BIN/load" "\$@"
EOF
chmod +x "$T/bin/load"
rpc res.partner write "[[$new_pid],{\"phone\":\"+1 000\"}]" >/dev/null
p3=$(rpc res.partner create '[{"name":"Third Born AS","is_company":true,"customer_rank":1}]' | jq 'if type == "array" then .[0] else . end')
cp "$W/state/odoo-bng-customers.base.ndjson" "$T/base.before"
run env PATH="$T/bin:$PATH" "$S" odoo bng "$W" >"$T/out" 2>"$T/err"
ok "a run whose BNG load is killed -9: fails" test "$st" != 0
same_file "$W/state/odoo-bng-customers.base.ndjson" "$T/base.before" "...and leaves the base as it was"
run sync
is "$st" 0 "the rerun: status 0"
sides
is "$(grep -v '"k":"odoo:9"' "$T/left")" "$(grep -v '"k":"odoo:9"' "$T/right")" \
	"...both sides agree: nothing lost"
is "$(b customers | jq -s '[.[] | select(.ExternalID == "odoo:'"$p3"'")] | length'):$(b customers | jq -r 'select(.ExternalID == "odoo:'"$new_pid"'") | .Phone')" \
	"1:+1 000" "...nothing doubled: the new customer once in BNG, the phone there"
n=$(written)
run sync
is "$st:$(written)" "0:$n" "...and the run after writes nothing"
done_testing
