#!/bin/sh
# load odoo --then: workflow methods called in batch on the records written
# (draft -> sale, posted, purchase), a record whose step fails rejected with
# Odoo's error and its id, unchanged records not called again.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-rpc.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-env.sh"
odoo_env --partners 20
lastn() { sandbox_log odoo | jq 'length'; }
states() { rpc "$1" search_read "[[[\"$2\",\"=like\",\"$3%\"]]]" "{\"fields\":[\"$2\",\"state\"],\"order\":\"$2\"}" |
	jq -r ".[] | \"\\(.$2)=\\(.state)\"" | tr '\n' ' '; }

# ---- sale.order: draft -> sale ------------------------------------------------
so() { jq -cn --arg r "$1" '{client_order_ref: $r, partner_id: 9,
	order_line: [{product_id: 5, product_uom_qty: 1, price_unit: 10}]}'; }
for r in SO1 SO2 SO3; do so $r; done > "$T/so1"
run load -q odoo sale.order -k client_order_ref "$T/so1" > "$T/out"
is "$st" 0 "three orders created"
is "$(states sale.order client_order_ref SO)" "SO1=draft SO2=draft SO3=draft " "drafts without --then"
# SO2 confirmed by hand: confirming it again fails
rpc sale.order action_confirm "[[$(sed -n 2p "$T/out" | jq .id)]]" > /dev/null
{ so SO4; so SO2 | jq -c '.note = "changed"'; so SO5; so SO1; } > "$T/so2"
n0=$(lastn)
run load -q odoo sale.order -k client_order_ref --then action_confirm --rejects "$T/rej" "$T/so2" > "$T/out"
is "$st" 65 "a failing step: 65"
is "$(jq -c '[.key.client_order_ref, .status, (.id != null), .error]' "$T/out" | tr '\n' ' ')" \
	'["SO4","created",true,null] ["SO2","rejected",true,"action_confirm: odoo.exceptions.UserError: Some orders are not in a state requiring confirmation."] ["SO5","created",true,null] ["SO1","unchanged",true,null] ' \
	"the failing record rejected with the method, Odoo's error and its id; unchanged SO1 not called"
is "$(states sale.order client_order_ref SO)" "SO1=draft SO2=sale SO3=draft SO4=sale SO5=sale " \
	"the new ones confirmed: draft -> sale"
is "$(jq -r '.error' "$T/rej")" \
	"action_confirm: odoo.exceptions.UserError: Some orders are not in a state requiring confirmation." \
	"the reject carries the step's error"
calls=$(sandbox_log odoo "$n0" | jq '[.[] | select(.rpc == "sale.order.action_confirm")] | length')
ok "action_confirm in batch, split to isolate the bad one ($calls calls)" test "$calls" -le 5

# --then-on created: an update (SO2 again, SO4 changed) is written, not called;
# the new order is confirmed
{ so SO2 | jq -c '.note = "changed again"'; so SO4 | jq -c '.note = "changed"'; so SO6; } > "$T/so3"
n0=$(lastn)
run load -q odoo sale.order -k client_order_ref --then action_confirm --then-on created \
	--rejects "$T/rej3" "$T/so3" > "$T/out"
is "$st" 0 "--then-on created: nothing refused"
is "$(jq -c '[.key.client_order_ref, .status]' "$T/out" | tr '\n' ' ')" \
	'["SO2","updated"] ["SO4","updated"] ["SO6","created"] ' "two updated, one created"
is "$(states sale.order client_order_ref SO6)" "SO6=sale " "the created one confirmed"
is "$(rpc sale.order search_read '[[["client_order_ref","in",["SO2","SO4"]]]]' '{"fields":["note"],"order":"client_order_ref"}' | jq -c '[.[].note]')" \
	'["changed again","changed"]' "the updates written"
is "$(sandbox_log odoo "$n0" | jq -c '[.[] | select(.rpc == "sale.order.action_confirm")] | length')" 1 \
	"one action_confirm call, for the created one"

# --then-on all: unchanged records too (SO1 and SO3, left in draft above, as a
# run killed between a create and its call leaves them), nothing written
printf '%s\n' '{"client_order_ref":"SO1"}' '{"client_order_ref":"SO3"}' > "$T/so4"
n0=$(lastn)
run load -q odoo sale.order -k client_order_ref --op update --then action_confirm --then-on all \
	"$T/so4" > "$T/out"
is "$st:$(jq -r .status "$T/out" | tr '\n' ' ')" "0:unchanged unchanged " "--then-on all: unchanged, found"
is "$(states sale.order client_order_ref SO1)$(states sale.order client_order_ref SO3)" "SO1=sale SO3=sale " \
	"...and confirmed"
is "$(sandbox_log odoo "$n0" | jq -c '[.[] | select(.rpc // "" | test("\\.(create|write)$"))] | length')" 0 \
	"...nothing written"

# ---- account.move: draft -> posted, a move without lines refused ---------------------
mv() { jq -cn --arg r "$1" --argjson lines "$2" '{ref: $r, move_type: "out_invoice", partner_id: 9,
	journal_id: 1, invoice_line_ids: $lines}'; }
{ mv INV1 '[{"name":"x","quantity":1,"price_unit":100}]'; mv INV2 '[]'
  mv INV3 '[{"name":"y","quantity":2,"price_unit":50}]'; } > "$T/mv"
run load -q odoo account.move -k ref --then action_post "$T/mv" > "$T/out" 2>/dev/null
is "$st" 65 "account.move: one refused"
is "$(jq -r '.status + " " + (.error // "")' "$T/out" | tr '\n' ';')" \
	"created ;rejected action_post: odoo.exceptions.UserError: You need to add a line before posting.;created ;" \
	"the move without lines rejected by action_post"
is "$(states account.move ref INV)" "INV1=posted INV2=draft INV3=posted " "draft -> posted"

# ---- purchase.order: draft -> purchase, two methods in order ------------------------
po() { jq -cn --arg r "$1" '{partner_ref: $r, partner_id: 12,
	order_line: [{product_id: 5, product_qty: 3, price_unit: 7}]}'; }
{ po PO1; po PO2; } > "$T/po"
run load -q odoo purchase.order -k partner_ref --then button_confirm "$T/po" > "$T/out"
is "$st:$(jq -r .status "$T/out" | tr '\n' ' ')" "0:created created " "purchase orders created"
is "$(states purchase.order partner_ref PO)" "PO1=purchase PO2=purchase " "draft -> purchase"
run load -q odoo purchase.order -k partner_ref --then button_cancel,button_draft \
	"$T/po" > "$T/out"
is "$(jq -r .status "$T/out" | tr '\n' ' ')" "unchanged unchanged " "unchanged: no step called"
jq -c '.origin = "again"' "$T/po" > "$T/po2"
run load -q odoo purchase.order -k partner_ref --then button_cancel,button_draft "$T/po2" > "$T/out"
is "$st" 0 "two steps"
is "$(states purchase.order partner_ref PO)" "PO1=draft PO2=draft " "both methods ran, in order"

# ---- account.payment: action_post returns None --------------------------------------
# Odoo leaves "result" out of a JSON-RPC answer when the method returns None
# (fixtures odoo-flows/56b): that is a success, not a malformed answer
for proto in jsonrpc xmlrpc; do
	jq -cn --arg m "PAY-$proto" '{memo: $m, partner_id: 9, journal_id: 1, amount: 25,
		date: "2026-12-01", payment_type: "inbound", partner_type: "customer"}' > "$T/pay"
	run load -q odoo account.payment --protocol $proto -k memo --then action_post "$T/pay" > "$T/out" 2> "$T/err"
	is "$st:$(jq -r .status "$T/out"):$(head -1 "$T/err")" "0:created:" "$proto: a payment posted by --then action_post"
	is "$(rpc account.payment search_read "[[[\"memo\",\"=\",\"PAY-$proto\"]]]" '{"fields":["state"]}' |
		jq -r '.[].state')" in_process "$proto: the payment in process, posted once"
done

# ---- refused before anything is read --------------------------------------------
run load odoo res.partner -k ref --then "" "$T/po" 2> "$T/err"
is "$st" 64 "--then '': 64"
run load odoo res.partner -k ref --then a,,b "$T/po" 2> "$T/err"
is "$st:$(cat "$T/err" | head -1)" "64:load: --then 'a,,b': an empty name" "an empty method name: 64"
run load odoo sale.order -k client_order_ref --then action_confirm --then-on sometimes "$T/so1" 2> "$T/err"
is "$st:$(head -1 "$T/err")" "64:load: --then-on 'sometimes': not written, created or all" "--then-on a bad value: 64"
run load odoo sale.order -k client_order_ref --then-on created "$T/so1" 2> "$T/err"
is "$st:$(head -1 "$T/err")" "64:load: --then-on: no --then to call" "--then-on without --then: 64"
run load bng sales_orders --then-on created "$T/so1" 2> "$T/err"
is "$st" 64 "--then-on for bng: 64"
run load -n odoo sale.order -k client_order_ref --then action_confirm "$T/so1" > "$T/out"
is "$(jq -r .status "$T/out" | tr '\n' ' ')" "unchanged unchanged unchanged " "--dry-run with --then calls nothing"
done_testing
