#!/bin/sh
# examples/scripts/sync-masterdata killed in a load after it wrote, before
# its receipts reached the receipt file (chaos, issue 15: kill -9 of the
# group just after a NAV write).  The next run finds what was written equal
# on both sides and writes it no more; the records the killed load wrote
# still get their receipts ("unchanged", looked up and written again as
# they are), and a record edited on the target since is not written back
# (its edit stays, a conflict with Odoo's).
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
sandbox_start odoo --partners 4
BNG_URL= # BNG left out: its profile is not used
. "$ERPIPE_TOP/tests/sandbox/profiles.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-rpc.sh"
. "$ERPIPE_TOP/tests/sandbox/nav-env.sh"
nav_env --records 3
. "$ERPIPE_TOP/tests/sandbox/flow.sh"
flow_nav_profile
ODOO_DB=odoo ODOO_USER=admin ODOO_PASSWORD=admin
export ODOO_DB ODOO_USER ODOO_PASSWORD
S=$ERPIPE_TOP/examples/scripts/sync-masterdata
W=$T/sync
R=$W/receipts/odoo-nav-customers-nav.ndjson
n() { nav-extract -q -P nav "$@"; }
rkeys() { jq -r '.key.No // empty' "$R" | sort -u; }

run "$S" odoo none nav "$W" >"$T/out" 2>"$T/err"
is "$st" 0 "first run, Odoo and NAV: status 0"
[ "$st" = 0 ] || sed 's/^/#   /' "$T/err"
c1=$(rpc res.partner search '[[["customer_rank",">",0],["supplier_rank","=",0]]]' '{"order":"id"}' | jq '.[0]')
c2=$(rpc res.partner search '[[["customer_rank",">",0],["supplier_rank","=",0]]]' '{"order":"id"}' | jq '.[1]')
is "$(rkeys | grep -x -e "OD-$c1" -e "OD-$c2" | wc -l | tr -d ' ')" 2 "two Odoo customers made in NAV ($c1, $c2)"

# Odoo edits two customers and makes a third; the NAV load writes them all
# and is killed before a receipt is out
rpc res.partner write "[[$c1],{\"email\":\"killed@one.example\"}]" >/dev/null
rpc res.partner write "[[$c2],{\"phone\":\"+1 555 0222 (Odoo)\"}]" >/dev/null
c3=$(rpc res.partner create '[{"name":"Killed Run Ltd","is_company":true,"customer_rank":1,"city":"Ghent"}]' | jq -r 'if type == "array" then .[0] else . end')
real=$(command -v load)
mkdir -p "$T/kill"
cat >"$T/kill/load" <<EOF
#!/bin/sh
# the NAV load of customers: writes, then dies with its receipts unsent
case " \$* " in
*" --dry-run "*) ;;
*" nav Customer "*) "$real" "\$@" >/dev/null; kill -9 \$\$ ;;
esac
exec "$real" "\$@"
EOF
chmod +x "$T/kill/load"
cp "$R" "$T/r0"
PATH=$T/kill:$PATH run "$S" odoo none nav "$W" >"$T/out" 2>"$T/err"
ok "a run killed in its NAV load: status $st" test "$st" -ne 0
is "$(n Customer --where "No eq OD-$c1" | jq -r .E_Mail)" killed@one.example "...after NAV stored the edit"
is "$(n Customer --where "No eq OD-$c3" | jq -r .Name)" "Killed Run Ltd" "...and the new customer"
is "$(cmp "$R" "$T/r0" && echo same)" same "...and before a receipt reached the receipt file"
ok "...its records kept as pending" test -s "$W/state/odoo-nav-customers-nav.pending.ndjson"

# before the next run, NAV edits one of them: that edit is NAV's to keep
sandbox_control nav POST nav/edit "{\"set\":\"Customer\",\"key\":{\"No\":\"OD-$c2\"},\"values\":{\"Phone_No\":\"+1 555 0333 (NAV)\"}}" >/dev/null
run "$S" odoo none nav "$W" >"$T/out" 2>"$T/err"
is "$st" 0 "the next run: status 0"
[ "$st" = 0 ] || sed 's/^/#   /' "$T/err"
new=$(tail -c +"$(($(wc -c <"$T/r0") + 1))" "$R")
is "$(echo "$new" | jq -r --arg k "OD-$c1" 'select(.key.No == $k) | .status')" unchanged \
	"the edit the killed load wrote has its receipt: unchanged"
is "$(echo "$new" | jq -r --arg k "OD-$c3" 'select(.key.No == $k) | .status')" unchanged \
	"...and the customer it made"
is "$(echo "$new" | jq -r --arg k "OD-$c2" 'select(.key.No == $k) | .status')" "" \
	"...not the record NAV edited since"
is "$(n Customer --where "No eq OD-$c2" | jq -r .Phone_No)" "+1 555 0333 (NAV)" "...whose edit is kept"
like "$(cat "$T/out")" "conflict odoo:$c2 phone: base .*, odoo \"\\+1 555 0222 \\(Odoo\\)\", nav \"\\+1 555 0333 \\(NAV\\)\"" \
	"...a conflict with Odoo's, reported"
is "$(echo "$new" | jq -s -c '[.[] | select(.status != "unchanged")]')" "[]" "...and nothing was written again"
ok "no records left pending" sh -c "! ls '$W'/state/*.pending.ndjson 2>/dev/null | grep -q ."
cp "$R" "$T/r1"
run "$S" odoo none nav "$W" >"$T/out" 2>"$T/err"
is "$st" 0 "a third run: status 0"
is "$(tail -c +"$(($(wc -c <"$T/r1") + 1))" "$R")" "" "...no receipt for the killed run's records again"
done_testing
