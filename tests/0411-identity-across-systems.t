#!/bin/sh
# Identity across Odoo, BNG and NAV with the shipped master-data maps
# (issue 14, "Why"): each system keeps the others' ids where it keeps
# foreign ids (Odoo external ids bng.* and nav.*, BNG ExternalID, NAV's
# number), never in a user field.  What the ref scheme ("bng:customer:24"
# in ref) got wrong, each checked here:
#   an Odoo->BNG->Odoo round trip replaced a partner's own ref C042;
#   BNG->Odoo vendors rewrote the identity of vendors that came from NAV,
#   and the next NAV->Odoo run planned them as creates (duplicates);
#   Odoo->NAV then made second NAV customers (OD-…) of NAV's own, and
#   wrote over NAV's posting groups and Blocked.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
sandbox_start odoo --partners 5
sandbox_start bng --records 0 --entity customers=3 --entity vendors=3
. "$ERPIPE_TOP/tests/sandbox/nav-env.sh"
nav_env --records 4
. "$ERPIPE_TOP/tests/sandbox/odoo-rpc.sh"
ODOO_DB=odoo ODOO_USER=admin ODOO_PASSWORD=admin
BNG_CLIENT_ID=erpipe BNG_CLIENT_SECRET=erpipe-secret
export ODOO_DB ODOO_USER ODOO_PASSWORD BNG_CLIENT_ID BNG_CLIENT_SECRET
odoo() { odoo-extract -q "$@"; }
# xids MODULE PATTERN: the res_ids of the partners' external ids MODULE.PATTERN (=like)
xids() {
	odoo ir.model.data --fields res_id \
		--domain "[[\"module\",\"=\",\"$1\"],[\"model\",\"=\",\"res.partner\"],[\"name\",\"=like\",\"$2\"]]" |
		jq -s -c 'map(.res_id) | sort'
}
odoo_to_bng() { # ENTITY MAP
	odoo res.partner --xmlids bng | xform -q -f "odoo/res.partner-to-bng/$2" |
		load -q bng "$1" --key ExternalID >>"$T/receipts"
}
bng_to_odoo() { # ENTITY MAP
	bng-extract -q "$1" | xform -q -f "bng/$2-to-odoo/res.partner" |
		load -q odoo res.partner --xmlid xid >>"$T/receipts"
}
nav_to_odoo() { # SET [load options]
	_s=$1
	shift
	nav-extract -q "$_s" | xform -q -f "nav/$_s-to-odoo/res.partner" |
		load -q odoo res.partner --xmlid xid "$@"
}

# ---- Odoo -> BNG -> Odoo: the partner's own ref stays ---------------------------
pid=$(rpc res.partner create '[{"name":"Round Trip Ltd","is_company":true,"ref":"C042","customer_rank":1,"email":"rt@example.com"}]' |
	jq 'if type == "array" then .[0] else . end')
odoo_to_bng customers Customer
bng_to_odoo customers Customer
is "$(rpc res.partner read "[[$pid],[\"ref\"]]" | jq -r '.[0].ref')" C042 \
	"Odoo -> BNG -> Odoo: the partner keeps its own ref C042"
is "$(rpc res.partner search_count '[[["name","=","Round Trip Ltd"]]]')" 1 "...and is not made twice"
is "$(xids bng 'customer_%' | jq length)" 3 "BNG's own customers: one external id bng.customer_N each"
is "$(odoo res.partner --xmlids bng --domain "[[\"id\",\"in\",$(xids bng 'customer_%')]]" --fields ref |
	jq -r '.ref' | sort -u)" false "...and their ref left empty (data, not identity)"
nb=$(bng-extract -q --count customers)
odoo_to_bng customers Customer
is "$(bng-extract -q --count customers)" "$nb" "BNG's customers back to BNG: updated, not made again"

# ---- NAV -> Odoo, then vendors through BNG and back ---------------------------------
nav_to_odoo Customer >/dev/null
nav_to_odoo Vendor >/dev/null
# the partners NAV made, by their names
named() { # SET: the ids of the Odoo partners named as SET's records
	odoo res.partner --fields id --domain "[[\"name\",\"in\",$(nav-extract -q --select Name "$1" | jq -s -c 'map(.Name)')]]" |
		jq -s -c 'map(.id) | sort'
}
navv=$(named Vendor)
navc=$(named Customer)
is "$(xids nav 'vendor_%'):$(xids nav 'customer_%')" "$navv:$navc" \
	"NAV -> Odoo: every vendor and customer with its external id nav.*"
# Odoo's bills and invoices make them vendors and customers in Odoo's lists
rpc res.partner write "[$navv,{\"supplier_rank\":1}]" >/dev/null
rpc res.partner write "[$navc,{\"customer_rank\":1}]" >/dev/null
odoo_to_bng vendors Vendor
odoo_to_bng customers Customer
bng_to_odoo vendors Vendor
bng_to_odoo customers Customer
is "$(xids nav 'vendor_%')" "$navv" "BNG -> Odoo vendors: the NAV-born vendors keep their NAV identity"
is "$(xids nav 'customer_%')" "$navc" "...the NAV-born customers too"
is "$(xids bng 'vendor_%' | jq length)" 3 "...BNG's own vendors have theirs (bng.vendor_N), NAV's none"
nav_to_odoo Vendor -n >"$T/plan-v"
nav_to_odoo Customer -n >"$T/plan-c"
is "$(cat "$T/plan-v" "$T/plan-c" | jq -r .status | grep -c created || :):$(cat "$T/plan-v" "$T/plan-c" | wc -l | tr -d ' ')" \
	"0:$(($(echo "$navv" | jq length) + $(echo "$navc" | jq length)))" \
	"the next NAV -> Odoo run plans 0 creates (a receipt for each NAV record)"

# ---- Odoo -> NAV: NAV's own customers updated, their posting groups and Blocked kept
sel=No,Customer_Posting_Group,Gen_Bus_Posting_Group,Blocked
blocked=$(nav-extract -q --select No Customer | jq -r .No | head -1)
sandbox_control nav POST nav/edit "{\"set\":\"Customer\",\"key\":{\"No\":\"$blocked\"},\"values\":{\"Blocked\":\"All\",\"Customer_Posting_Group\":\"FOREIGN\"}}" >/dev/null
nav-extract -q --select "$sel" Customer | jq -c . | sort >"$T/nav-before"
odoo res.partner --xmlids nav --domain '[["customer_rank",">",0]]' |
	xform -q -f odoo/res.partner-to-nav/Customer | load -q nav Customer --key No >"$T/to-nav"
nav-extract -q --select "$sel" Customer | jq -c . | sort >"$T/nav-after"
is "$(grep -Fvx -f "$T/nav-before" "$T/nav-after" | jq -r 'select(.No | startswith("OD-") | not) | .No')" "" \
	"Odoo -> NAV: NAV's own customers' posting groups and Blocked as NAV had them"
is "$(jq -r 'select(.No | startswith("OD-")) | .No' "$T/nav-after" | wc -l | tr -d ' ')" \
	"$(odoo --count res.partner --domain "[[\"customer_rank\",\">\",0],[\"id\",\"not in\",$navc]]")" \
	"...an OD- customer for each of Odoo's other customers only: none for NAV's own"
# ---- the one-off migration from the ref scheme ---------------------------------
old=$(rpc res.partner create '[[{"name":"Old Scheme BNG","ref":"bng:customer:77"},{"name":"Old Scheme NAV","ref":"nav:vendor:V0099","active":false},{"name":"Own Ref","ref":"C:1:2 x"}]]')
run "$ERPIPE_TOP/examples/scripts/migrate-ref-identity" >"$T/mig"
is "$st" 0 "migrate-ref-identity: status 0"
is "$(rpc ir.model.data search_read '[[["name","in",["customer_77","vendor_V0099"]]]]' '{"fields":["module","name","res_id"],"order":"name"}' |
	jq -c 'map([.module, .name, .res_id])')" \
	"$(echo "$old" | jq -c '[["bng","customer_77",.[0]],["nav","vendor_V0099",.[1]]]')" \
	"...the old scheme's ids made external ids (an archived partner's too)"
is "$(rpc res.partner read "[$old,[\"ref\"]]" '{"context":{"active_test":false}}' | jq -c 'map(.ref)')" '[false,false,"C:1:2 x"]' \
	"...those refs emptied, a ref of another form left alone"
like "$(cat "$T/mig")" "external ids:" "...and it says what it did"
run "$ERPIPE_TOP/examples/scripts/migrate-ref-identity"
is "$st:$(rpc ir.model.data search_count '[[["name","in",["customer_77","vendor_V0099"]]]]')" 0:2 \
	"...run again: nothing more"
# ---- a BNG delete webhook through the template: the partner archived, not an empty upsert
# (the record bng-extract --listen makes of a customers.deleted event: tests/0403)
dc=$(bng-extract -q customers | jq -s -c 'map(select((.ExternalID // "") | startswith("odoo:") | not)) | .[0]')
dcid=$(echo "$dc" | jq .CustomerID)
dpid=$(xids bng "customer_$dcid" | jq '.[0]')
dname=$(rpc res.partner read "[[$dpid],[\"name\"]]" | jq -r '.[0].name')
echo "$dc" | jq -c '{CustomerID, ExternalID, UpdatedAt, "_op": "delete"}' |
	xform -q -f bng/Customer-to-odoo/res.partner >"$T/del"
is "$(jq -c . "$T/del")" "{\"xid\":\"bng.customer_$dcid\",\"_op\":\"delete\"}" \
	"a BNG delete webhook through bng/Customer-to-odoo: a delete by its external id, no fields"
run load -q odoo res.partner --xmlid xid "$T/del" >"$T/r"
is "$st:$(jq -r .status "$T/r")" "0:deleted" "...load odoo: deleted"
is "$(rpc res.partner read "[[$dpid],[\"name\",\"active\"]]" '{"context":{"active_test":false}}' | jq -c '.[0] | [.name, .active]')" \
	"$(jq -nc --arg n "$dname" '[$n, false]')" "...the partner archived with its name, not renamed or unlinked"
run load -q odoo res.partner --xmlid xid "$T/del" >"$T/r"
is "$st:$(jq -r .status "$T/r")" "0:unchanged" "...the webhook delivered again: unchanged"
done_testing
