#!/bin/sh
# Odoo sandbox: create/write/unlink, load (upsert by external id, all-or-nothing),
# state transitions, the transaction clock behind write_date, JSON-2 auth.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-rpc.sh"
sandbox_start odoo --partners 50 --api-key admin:sekrit
clock() { sandbox_control odoo POST odoo/clock "$1" >/dev/null; }
# create / write share the transaction time: freeze the clock
clock '{"freeze":"2026-03-01 12:00:00"}'
id=$(rpc res.partner create '[{"name":"Zoë Ærø","is_company":true}]')
like "$id" '^[0-9]+$' "create one -> id"
ids2=$(rpc res.partner create '[[{"name":"A","parent_id":'"$id"'},{"name":"B"}]]')
like "$ids2" '^\[[0-9]+,[0-9]+\]$' "create a list -> ids"
is "$(rpc res.partner read "[[$id]]" '{"fields":["write_date","create_date","display_name"]}' |
	jq -c '.[0] | [.write_date, .create_date, .display_name]')" \
	'["2026-03-01 12:00:00","2026-03-01 12:00:00","Zoë Ærø"]' "write_date from the frozen clock"
a=$(echo "$ids2" | jq '.[0]')
is "$(rpc res.partner read "[[$a]]" '{"fields":["display_name"]}' | jq -r '.[0].display_name')" \
	"Zoë Ærø, A" "child display_name"
clock '{"advance":1}'
is "$(rpc res.partner write "[[$id],{\"name\":\"Zoë Ærø AS\"}]")" true "write"
is "$(rpc res.partner read "[[$a]]" '{"fields":["display_name","write_date"]}' |
	jq -c '.[0] | [.display_name, .write_date]')" '["Zoë Ærø AS, A","2026-03-01 12:00:00"]' \
	"renaming a parent recomputes children's display name"
is "$(rpc res.partner search_count '[[["write_date",">=","2026-03-01 12:00:01"]]]')" 1 \
	"advance moves the frozen clock"
# a long transaction: the header stamps a write older than the clock
RPC_HEADERS='X-Sandbox-Txn-Time: 2026-03-01 11:59:00' rpc res.partner write "[[$a],{\"city\":\"Bodø\"}]" >/dev/null
is "$(rpc res.partner read "[[$a]]" '{"fields":["write_date"]}' | jq -r '.[0].write_date')" \
	"2026-03-01 11:59:00" "X-Sandbox-Txn-Time backdates one transaction"
clock '{"real":true}'
like "$(sandbox_control odoo GET odoo/clock)" '"mode": "real"' "clock back to real time"
like "$(rpc res.partner write '[[99999999],{"name":"x"}]')" \
	"^ERROR odoo.exceptions.MissingError: Record does not exist or has been deleted." \
	"write on a missing record"
is "$(rpc res.partner unlink "[[$a]]")" true "unlink"
is "$(rpc res.partner read "[[$a]]" '{"fields":["name"]}')" "[]" "read after unlink"
like "$(rpc res.partner create '[{"email":"x@example.com"}]')" \
	"^ERROR odoo.exceptions.ValidationError: The operation cannot be completed: Contacts require a name" \
	"name required"
like "$(rpc sale.order create '[{"note":"x"}]')" \
	"Missing required value for the field 'Customer' \(partner_id\)" "required many2one"
# load: upsert by external id
L='[["id","name","email"],[["__import__.t_1","T1","t1@example.com"]]]'
first=$(rpc res.partner load "$L")
is "$(echo "$first" | jq -c '[.messages, .nextrow, (.ids|length)]')" '[[],0,1]' "load creates"
is "$(rpc res.partner load "$L")" "$first" "load again updates the same record"
is "$(rpc ir.model.data search_read '[[["module","=","__import__"],["name","=","t_1"]]]' \
	'{"fields":["model","res_id"]}' | jq -c '.[0] | [.model, .res_id]')" \
	"[\"res.partner\",$(echo "$first" | jq '.ids[0]')]" "load records the external id"
bad='[["id","name","country_id","parent_id/id"],[["t_2","Ok","Belgium",""],["t_3","Bad","Atlantis","__import__.t_2"],["t_4","","",""]]]'
res=$(rpc res.partner load "$bad")
is "$(echo "$res" | jq -c '[.ids, [.messages[] | .record], .messages[0].field, .messages[0].rows]')" \
	'[false,[1,2],"country_id",{"from":1,"to":1}]' "load errors: ids false, 0-based rows"
is "$(rpc res.partner search_count '[[["name","=","Ok"]]]')" 0 "load is all-or-nothing"
like "$(rpc res.partner load '[["id","nope"],[["x","y"]]]')" \
	"^ERROR builtins.ValueError: Invalid field name 'nope'" "load: unknown column"
# an integer column is PostgreSQL's int4: out of range is an RPC error (as
# Odoo answers psycopg2's), not an HTTP 500; a float is cut as int() cuts it
like "$(rpc res.partner create '[{"name":"Big","color":2147483648}]')" \
	"^ERROR psycopg2.errors.NumericValueOutOfRange: integer out of range" "int4 overflow: an RPC error"
like "$(rpc res.partner create '[{"name":"Big","color":-2147483649}]')" \
	"^ERROR psycopg2.errors.NumericValueOutOfRange" "int4 underflow: an RPC error"
big=$(rpc res.partner create '[{"name":"Big","color":2147483647}]')
is "$(rpc res.partner read "[[$big],[\"color\"]]" | jq '.[0].color')" 2147483647 "int4's largest is kept"
is "$(rpc res.partner search_count '[[["name","=","Big"]]]')" 1 "the refused ones not created"
is "$(rpc res.partner export_data '[[8],["name","country_id","id"]]')" \
	'{"datas":[["Wood Corner","United States","base.res_partner_8"]]}' "export_data"
# state transitions
so=$(rpc sale.order create '[{"partner_id":9,"order_line":[[0,0,{"name":"Chair","product_id":5,"product_uom_qty":2,"price_unit":65}]]}]')
is "$(rpc sale.order read "[[$so]]" '{"fields":["state","amount_untaxed"]}' | jq -c '.[0]|[.state,.amount_untaxed]')" \
	'["draft",130]' "sale.order created draft with totals"
is "$(rpc sale.order action_confirm "[[$so]]")" true "action_confirm"
is "$(rpc sale.order read "[[$so]]" '{"fields":["state"]}' | jq -r '.[0].state')" sale "draft -> sale"
like "$(rpc sale.order action_confirm "[[$so]]")" "^ERROR odoo.exceptions.UserError" "confirm twice"
mv=$(rpc account.move create '[{"move_type":"out_invoice","partner_id":9,"journal_id":1,"invoice_line_ids":[[0,0,{"name":"x","quantity":1,"price_unit":100,"tax_ids":[[6,0,[1]]]}]]}]')
is "$(rpc account.move action_post "[[$mv]]")" false "action_post returns false"
is "$(rpc account.move read "[[$mv]]" '{"fields":["state","amount_total"]}' | jq -c '.[0]|[.state,.amount_total]')" \
	'["posted",115]' "draft -> posted"
po=$(rpc purchase.order create '[{"partner_id":12,"order_line":[[0,0,{"name":"x","product_qty":1,"price_unit":10}]]}]')
is "$(rpc purchase.order button_confirm "[[$po]]")" true "button_confirm"
is "$(rpc purchase.order read "[[$po]]" '{"fields":["state"]}' | jq -r '.[0].state')" purchase "draft -> purchase"
# a department's complete_name is computed on create and rename, as Odoo
# stores it (hr.department _compute_complete_name), its children's too
dep=$(rpc hr.department create '[{"name":"Depot"}]')
sub=$(rpc hr.department create "[{\"name\":\"Night\",\"parent_id\":$dep}]")
is "$(rpc hr.department read "[[$dep,$sub]]" '{"fields":["complete_name"]}' | jq -c 'map(.complete_name)')" \
	'["Depot","Depot / Night"]' "hr.department complete_name on create"
rpc hr.department write "[[$dep],{\"name\":\"Yard\"}]" >/dev/null
is "$(rpc hr.department read "[[$sub]]" '{"fields":["complete_name"]}' | jq -r '.[0].complete_name')" \
	"Yard / Night" "...and the child's after the parent's rename"
# JSON-2
j2() { curl -sS -o "$T/j2" -w '%{http_code}' -H 'Content-Type: application/json' "$@"; }
is "$(j2 -H 'Authorization: bearer sekrit' -d '{"domain":[["id","=",8]],"fields":["name"]}' \
	"$ODOO_URL/json/2/res.partner/search_read") $(cat "$T/j2")" \
	'200 [{"id": 8, "name": "Wood Corner"}]' "json2 search_read"
is "$(j2 -H 'Authorization: bearer nope' -d '{}' "$ODOO_URL/json/2/res.partner/search_count") $(jq -r .name "$T/j2")" \
	"401 werkzeug.exceptions.Unauthorized" "json2 bad key"
is "$(j2 -H 'Authorization: bearer sekrit' -d '{"vals_list":[{}]}' "$ODOO_URL/json/2/res.partner/create")" \
	422 "json2 ValidationError -> 422"
is "$(curl -s "$ODOO_URL/web/version" | jq -c .version_info)" '[19,0,0,"final",0,""]' "GET /web/version"
done_testing
