#!/bin/sh
# examples/scripts/sync-masterdata over Odoo, BNG and NAV at once (issue
# 14): Odoo is the hub, the pairs Odoo <-> NAV and Odoo <-> BNG each a
# three-way merge.  Customers and vendors born in each of the three systems
# reach the other two in one run, once, with their identities (Odoo's
# external ids nav.customer_No, nav.vendor_No, bng.customer_N; NAV's number
# OD-ID; BNG's ExternalID odoo:ID); a second run writes nothing.  Edits
# made in NAV reach BNG and edits made in BNG reach NAV in one run; NAV's
# VAT number is NAV's (an edit in Odoo is put back); the same field edited
# in Odoo and NAV is a conflict left as it is; NAV's posting groups,
# Blocked and credit limit are never written; a NAV customer Blocked "All"
# is archived in Odoo and made Inactive in BNG, an Odoo archive blocks the
# NAV customer; Odoo and NAV alone (BNG "none").
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
sandbox_start odoo --partners 4
sandbox_start bng --records 0 --entity customers=2 --entity vendors=1 --entity products=3
. "$ERPIPE_TOP/tests/sandbox/profiles.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-rpc.sh"
. "$ERPIPE_TOP/tests/sandbox/nav-env.sh"
nav_env --records 3
. "$ERPIPE_TOP/tests/sandbox/flow.sh"
flow_nav_profile
flow_cron sync-masterdata '\*/10 \* \* \* \*' sync "odoo bng nav"
ODOO_DB=odoo ODOO_USER=admin ODOO_PASSWORD=admin
export ODOO_DB ODOO_USER ODOO_PASSWORD
S=$ERPIPE_TOP/examples/scripts/sync-masterdata
W=$T/sync
sync() { sh -c "$cmd" >"$T/out" 2>"$T/err"; }
n() { nav-extract -q -P nav "$@"; }
written() { jq -s -r '[.[] | select(.status != "unchanged")] | length' "$W"/receipts/*.ndjson; }
# PAIR ENT L R: each side of a pair as its merge sees it, sorted, in $T/PAIR-ENT.{l,r}
sides() {
	o res.partner --xmlids bng,nav \
		--fields name,is_company,email,phone,street,zip,city,country_id,vat,credit_limit,customer_rank,supplier_rank \
		>"$T/op"
	for e in customers vendors; do
		xform -q -f sync/odoo-nav/$e-from-odoo "$T/op" | jq -S -c "select(has(\"k\"))" | sort >"$T/odoo-nav-$e.l"
		xform -q -f sync/odoo-bng/$e-from-odoo "$T/op" | jq -S -c "select(has(\"k\"))" | sort >"$T/odoo-bng-$e.l"
	done
	n Customer | xform -q -f sync/odoo-nav/customers-from-nav | jq -S -c "select(has(\"k\"))" | sort >"$T/odoo-nav-customers.r"
	n Vendor | xform -q -f sync/odoo-nav/vendors-from-nav | jq -S -c "select(has(\"k\"))" | sort >"$T/odoo-nav-vendors.r"
	b customers | xform -q -f sync/odoo-bng/customers-from-bng | jq -S -c "select(has(\"k\"))" | sort >"$T/odoo-bng-customers.r"
	b vendors | xform -q -f sync/odoo-bng/vendors-from-bng | jq -S -c "select(has(\"k\"))" | sort >"$T/odoo-bng-vendors.r"
	o product.product --fields name,default_code,lst_price,standard_price,barcode,uom_id >"$T/pp"
	for p in odoo-nav odoo-bng; do
		xform -q -f sync/$p/products-from-odoo "$T/pp" | jq -S -c . | sort >"$T/$p-products.l"
	done
	n Item | xform -q -f sync/odoo-nav/products-from-nav | jq -S -c "select(has(\"k\"))" | sort >"$T/odoo-nav-products.r"
	b products | xform -q -f sync/odoo-bng/products-from-bng | jq -S -c "select(has(\"k\"))" | sort >"$T/odoo-bng-products.r"
}
agree() { # NAME: every pair's sides agree
	sides
	for p in odoo-nav-customers odoo-nav-vendors odoo-nav-products odoo-bng-customers \
		odoo-bng-vendors odoo-bng-products; do
		is "$(cat "$T/$p.l")" "$(cat "$T/$p.r")" "$1: $p agree"
	done
}
navown() { n Customer --select No,Customer_Posting_Group,Gen_Bus_Posting_Group,Credit_Limit_LCY,Blocked | sort; }

nav_own0=$(navown)
ncust_nav=$(n Customer | grep -c '"No"')
nvend_nav=$(n Vendor | grep -c '"No"')
nbng=$(b customers | grep -c CustomerID)
run sync
is "$st" 0 "first run over three systems: status 0"
[ "$st" = 0 ] || sed 's/^/#   /' "$T/err"
agree "first run"
is "$(rpc ir.model.data search_count '[[["module","=","nav"],["name","=like","customer_%"]]]')" "$ncust_nav" \
	"NAV's customers known in Odoo by external ids nav.customer_No, once each"
is "$(rpc ir.model.data search_count '[[["module","=","nav"],["name","=like","vendor_%"]]]')" "$nvend_nav" \
	"...and NAV's vendors by nav.vendor_No"
c10=$(rpc ir.model.data search_read '[[["module","=","nav"],["name","=","customer_10000"]]]' '{"fields":["res_id"]}' | jq '.[0].res_id')
is "$(b customers | jq -r --arg x "odoo:$c10" 'select(.ExternalID == $x) | .CompanyName')" \
	"$(n Customer --where "No eq 10000" | jq -r .Name)" \
	"a NAV-born customer reached BNG through Odoo in the same run (ExternalID odoo:ID)"
b1=$(rpc ir.model.data search_read '[[["module","=","bng"],["name","=","customer_1"]]]' '{"fields":["res_id"]}' | jq '.[0].res_id')
is "$(n Customer --where "No eq OD-$b1" | jq -r .Name)" \
	"$(b customers | jq -r 'select(.CustomerID == 1) | .CompanyName // (.FirstName + " " + .LastName)')" \
	"a BNG-born customer reached NAV through Odoo in the same run (No OD-ID)"
vat9=$(rpc res.partner read '[[9],["vat"]]' | jq -r '.[0].vat')
is "$(n Customer --where "No eq OD-9" | jq -r .VAT_Registration_No)" "$vat9" \
	"an Odoo-born customer made in NAV keeps its VAT number, a field NAV owns"
is "$(rpc res.partner read '[[9],["vat"]]' | jq -r '.[0].vat')" "$vat9" "...and Odoo still has it"
is "$(navown | grep -v '"OD-')" "$(echo "$nav_own0")" \
	"NAV's posting groups, credit limit and Blocked of NAV's customers never written"
# products: the SKU is the identity everywhere
ni=$(n Item | jq -r 'select(.No) | .No' | grep -v '^OD-' | head -1)
is "$(b products | jq -r --arg s "$ni" 'select(.Sku == $s) | .Name')" "$(n Item --where "No eq $ni" | jq -r .Description)" \
	"a NAV item reached BNG through Odoo in the same run (Sku = NAV's number)"
bs=$(b products | jq -r 'select(.ExternalID == null and .Status == "Active") | .Sku' | head -1)
is "$(n Item --where "No eq $bs" | jq -r .Description)" "$(b products | jq -r --arg s "$bs" 'select(.Sku == $s) | .Name')" \
	"a BNG product reached NAV through Odoo in the same run (No = BNG's Sku)"

# ---- a run with nothing new writes nothing ----------------------------------------
w0=$(written)
nb=$(sandbox_log bng | jq length) no=$(sandbox_log odoo | jq length) nn=$(sandbox_log nav | jq length)
run sync
is "$st" 0 "second run: status 0"
is "$(written)" "$w0" "second run: nothing written anywhere"
like "$(cat "$T/out")" "customers odoo<->nav: to_odoo 0 .*to_nav 0 .*unchanged" "...it says so"
flow_quiet "$nb" "$no" "$nn"

# ---- incremental: what changed since the last run, the rest from its snapshot -------
# (the second run read again what the first wrote; nothing was written since)
raw() { cat "$W"/work/*.raw | grep -vc _checkpoint || :; }
SYNC_OVERLAP=0 run sync
is "$st:$(written)" "0:$w0" "a run after a quiet one: status 0, nothing written"
# the extractors read from their position on, the position's own
# second included: what the last writes left at the end is read again
all=$(cat "$W"/state/*.snap.ndjson | wc -l | tr -d ' ')
ok "...the rest not read again: $(raw) of $all records, each side its snapshot" \
	test "$(raw)" -lt $((all / 3))
ok "...yet every side was there to merge" \
	test "$(cat "$W"/state/odoo-nav-customers-odoo.snap.ndjson | wc -l)" -gt 10
agree "from the snapshots"
rm "$W/state/odoo-bng-vendors-bng.snap.ndjson"
SYNC_OVERLAP=0 run sync
is "$st:$(written)" "0:$w0" "a snapshot lost: status 0, nothing written"
like "$(cat "$T/err")" "vendors odoo-bng bng: a key without its record, read whole" \
	"...the side with keys it has no record for is read whole"

# ---- edits in each spoke reach the other in one run --------------------------------
sandbox_control nav POST nav/edit '{"set":"Customer","key":{"No":"20000"},"values":{"E_Mail":"helen@trey.example"}}' >/dev/null
bupd() { echo "$2" | jq -c --argjson id "$1" '. + {"_key": {"CustomerID": $id}}' |
	load -q -P bng bng customers --op update >/dev/null; }
bupd 1 '{"Phone":"+1 555 0111"}'
c20=$(rpc ir.model.data search_read '[[["module","=","nav"],["name","=","customer_20000"]]]' '{"fields":["res_id"]}' | jq '.[0].res_id')
run sync
is "$st" 0 "edits: status 0"
is "$(b customers | jq -r --arg x "odoo:$c20" 'select(.ExternalID == $x) | .Email')" "helen@trey.example" \
	"an e-mail edited in NAV reached BNG"
is "$(n Customer --where "No eq OD-$b1" | jq -r .Phone_No)" "+1 555 0111" "a phone edited in BNG reached NAV"
agree "after the edits"

# ---- owners of product fields: Odoo's list price, NAV's unit cost -------------------
pid=$(o product.product --domain "[[\"default_code\",\"=\",\"$ni\"]]" --fields lst_price | jq -r .id)
price=$(o product.product --domain "[[\"id\",\"=\",$pid]]" --fields lst_price | jq -r .lst_price)
echo "{\"_key\":{\"Sku\":\"$ni\"},\"UnitPrice\":1.5}" | load -q -P bng bng products --op update >/dev/null
sandbox_control nav POST nav/edit "{\"set\":\"Item\",\"key\":{\"No\":\"$ni\"},\"values\":{\"Unit_Cost\":42.25}}" >/dev/null
run sync
is "$st" 0 "product owners: status 0"
is "$(b products | jq -r --arg s "$ni" 'select(.Sku == $s) | .UnitPrice')" "$price" \
	"a price edited in BNG is put back to Odoo's, its owner"
is "$(o product.product --domain "[[\"id\",\"=\",$pid]]" --fields standard_price | jq -r .standard_price)" 42.25 \
	"a unit cost edited in NAV, its owner, reaches Odoo"

# ---- NAV owns the VAT number; the same field in Odoo and NAV is a conflict ----------
rpc res.partner write "[[9],{\"vat\":\"BE0477472701\",\"phone\":\"+1 555 0999 (Odoo)\"}]" >/dev/null
sandbox_control nav POST nav/edit '{"set":"Customer","key":{"No":"OD-9"},"values":{"Phone_No":"+1 555 0888 (NAV)"}}' >/dev/null
run sync
is "$st" 0 "owner and conflict: status 0"
is "$(rpc res.partner read '[[9],["vat"]]' | jq -r '.[0].vat')" "$vat9" "a VAT number edited in Odoo is put back to NAV's"
like "$(cat "$T/out")" "conflict odoo:9 phone: base .*, odoo \"\+1 555 0999 \(Odoo\)\", nav \"\+1 555 0888 \(NAV\)\"" \
	"the phone edited in Odoo and NAV is a conflict, reported"
is "$(rpc res.partner read '[[9],["phone"]]' | jq -r '.[0].phone') / $(n Customer --where "No eq OD-9" | jq -r .Phone_No)" \
	"+1 555 0999 (Odoo) / +1 555 0888 (NAV)" "...and left as it is on each side"

# a person decides: NAV's phone set to Odoo's; the next run agrees
sandbox_control nav POST nav/edit '{"set":"Customer","key":{"No":"OD-9"},"values":{"Phone_No":"+1 555 0999 (Odoo)"}}' >/dev/null
run sync
is "$st" 0 "the conflict decided by hand: status 0"
ok "...no conflict reported any more" sh -c "! grep -q 'conflict odoo:9' '$T/out'"

# ---- deletes ------------------------------------------------------------------------
sandbox_control nav POST nav/edit '{"set":"Customer","key":{"No":"30000"},"values":{"Blocked":"All"}}' >/dev/null
c30=$(rpc ir.model.data search_read '[[["module","=","nav"],["name","=","customer_30000"]]]' '{"fields":["res_id"]}' | jq '.[0].res_id')
o11=$(rpc res.partner search '[[["customer_rank",">",0],["supplier_rank","=",0]]]' '{"order":"id","limit":1}' | jq '.[0]')
rpc res.partner write "[[$o11],{\"active\":false}]" >/dev/null
run sync
is "$st" 0 "deletes: status 0"
is "$(rpc res.partner search_read "[[[\"id\",\"=\",$c30],[\"active\",\"in\",[true,false]]]]" '{"fields":["active"]}' | jq -c '.[0].active')" \
	false "a NAV customer Blocked All: the Odoo partner archived"
is "$(b customers | jq -r --arg x "odoo:$c30" 'select(.ExternalID == $x) | .Status')" Inactive "...and BNG's Inactive"
is "$(n Customer --where "No eq OD-$o11" | jq -r .Blocked)" All "an Odoo archive blocks the NAV customer (All)"
is "$(b customers | jq -r --arg x "odoo:$o11" 'select(.ExternalID == $x) | .Status')" Inactive "...and makes BNG's Inactive"
is "$(o product.product --domain '[["active","in",[true,false]],["default_code","=","'"$bs"'"]]' --fields active | jq -c .active)" \
	true "(the BNG product is active in Odoo before BNG discontinues it)"
echo "{\"_key\":{\"Sku\":\"$bs\"},\"Status\":\"Discontinued\"}" | load -q -P bng bng products --op update >/dev/null
run sync
is "$(o product.product --domain '[["active","in",[true,false]],["default_code","=","'"$bs"'"]]' --fields active | jq -c .active)" \
	false "a product discontinued in BNG: archived in Odoo"
is "$(n Item --where "No eq $bs" | jq -c .Blocked)" true "...and blocked in NAV, in the same run"
w0=$(written)
run sync
is "$(written)" "$w0" "after the deletes, a run writes nothing"
agree "in the end"
is "$(navown | grep -v '"OD-' | grep -v '"30000"')" "$(echo "$nav_own0" | grep -v '"30000"')" \
	"NAV's own fields of its customers never written, through every run"

# ---- Odoo and NAV alone -------------------------------------------------------------
run "$S" odoo none nav "$T/two" >"$T/out2" 2>&1
is "$st" 0 "BNG none: Odoo and NAV alone, status 0"
ok "...no BNG pair run" sh -c "! grep -q odoo-bng '$T/out2'"
like "$(cat "$T/out2")" "customers odoo<->nav: to_odoo 0 \(0 create\), to_nav 0" \
	"...its first merge from an empty base finds both sides already agree"
run "$S" odoo none "$T/two" >/dev/null 2>&1
is "$st" 64 "BNG none without NAV: usage"
done_testing
