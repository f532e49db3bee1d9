#!/bin/sh
# load odoo: every many2one shape (id, [id, name], {"id", "name"}, a name,
# {"xmlid"}, {"match"}, false/null) resolves, in batch (one search per
# relation model and shape), and reads back unchanged; references to
# records created earlier in the same batch; x2many ids and lines.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-rpc.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-env.sh"
odoo_env --partners 20
lastn() { sandbox_log odoo | jq 'length'; }
be=$(rpc res.country search '[[["code","=","BE"]]]' | jq '.[0]')
us=$(rpc res.country search '[[["code","=","US"]]]' | jq '.[0]')

cat > "$T/in" <<EOF
{"ref":"M1","name":"By id","country_id":$be}
{"ref":"M2","name":"By pair","country_id":[$be,"Belgium"]}
{"ref":"M3","name":"By object","country_id":{"id":$be,"name":"Belgium"}}
{"ref":"M4","name":"By name","country_id":"Belgium"}
{"ref":"M5","name":"By xmlid","country_id":{"xmlid":"base.be"}}
{"ref":"M6","name":"By match","country_id":{"match":{"code":"BE"}}}
{"ref":"M7","name":"Empty false","country_id":false}
{"ref":"M8","name":"Empty null","country_id":null}
{"ref":"M9","name":"Empty object","country_id":{"id":false}}
{"ref":"M10","name":"Another match","country_id":{"match":{"code":"US"}}}
{"ref":"M11","name":"Another name","country_id":"United States"}
EOF
n0=$(lastn)
run load -q odoo res.partner -k ref "$T/in" > "$T/out"
calls=$(sandbox_log odoo "$n0" | jq -c '[sort_by(.n) | .[] | .rpc | select(. != null)]')
is "$st" 0 "every shape loads"
is "$(jq -r .status "$T/out" | sort | uniq -c | tr -s ' ')" " 11 created" "11 created"
is "$(rpc res.partner search_read '[[["ref","=like","M%"]]]' '{"fields":["ref","country_id"],"order":"id"}' |
	jq -r '.[] | "\(.ref)=\(.country_id | if . then .[0] else false end)"' | tr '\n' ' ')" \
	"M1=$be M2=$be M3=$be M4=$be M5=$be M6=$be M7=false M8=false M9=false M10=$us M11=$us " \
	"each resolved to the right country"
is "$calls" \
	'["common.authenticate","res.partner.fields_get","ir.model.data.search_read","res.country.search_read","res.country.search_read","res.partner.search_read","res.partner.create","res.partner.read"]' \
	"batched: one xmlid search, one name search, one match search, one lookup, one create, one read back"
run load -q odoo res.partner -k ref "$T/in" > "$T/out"
is "$(jq -r .status "$T/out" | sort | uniq -c | tr -s ' ')" " 11 unchanged" "every shape reads back unchanged"

# ---- what odoo-extract's --m2o shapes give, back in --------------------------
# (pair, id, name, object of the same partner: each loads back unchanged)
rpc res.partner search_read '[[["ref","=","M2"]]]' '{"fields":["ref","name","country_id"]}' |
	jq -c '.[0] | del(.id)' > "$T/pair"
jq -c '.country_id |= .[0]' "$T/pair" > "$T/id"
jq -c '.country_id |= .[1]' "$T/pair" > "$T/name"
jq -c '.country_id |= {id: .[0], name: .[1]}' "$T/pair" > "$T/object"
for shape in pair id name object; do
	run load -q odoo res.partner -k ref "$T/$shape" > "$T/out"
	is "$st:$(jq -r .status "$T/out")" "0:unchanged" "--m2o $shape shape reads back unchanged"
done
# and odoo-extract itself, every --m2o, piped into load
for shape in pair id name object; do
	odoo-extract -q --m2o $shape res.partner --domain '[["ref","=like","M%"]]' \
		--fields ref,name,country_id,parent_id > "$T/ex.$shape"
	run load -q odoo res.partner -k ref "$T/ex.$shape" > "$T/out"
	is "$st:$(jq -r .status "$T/out" | sort | uniq -c | tr -s ' ')" "0: 11 unchanged" \
		"odoo-extract --m2o $shape | load: every record unchanged"
done

# ---- errors per record ----------------------------------------------------------
cat > "$T/bad" <<EOF
{"ref":"B1","name":"x","country_id":{"xmlid":"base.nowhere"}}
{"ref":"B2","name":"x","country_id":{"xmlid":"base.res_partner_8"}}
{"ref":"B3","name":"x","country_id":{"match":{"code":"ZZ"}}}
{"ref":"B4","name":"x","parent_id":{"match":{"is_company":true}}}
{"ref":"B5","name":"x","country_id":[1,2,3]}
{"ref":"B6","name":"x","country_id":"Belgium"}
EOF
run load -q odoo res.partner -k ref --rejects "$T/rej" "$T/bad" > "$T/out"
is "$st" 65 "bad references: 65"
is "$(jq -r '.status + " " + (.error // "")' "$T/out")" \
"rejected 'country_id': no res.country with external id 'base.nowhere'
rejected 'country_id': external id 'base.res_partner_8' is a res.partner, not a res.country
rejected 'country_id': no res.country matches {\"code\":\"ZZ\"}
rejected 'parent_id': more than one res.partner matches {\"is_company\":true}
rejected 'country_id': not a many2one value (an id, [id, name], {\"id\"}, a name, {\"xmlid\"} or {\"match\"})
created " "each bad reference rejected with the reason, the good one loads"

# ---- references to records created earlier in the batch ------------------------
cat > "$T/tree" <<EOF
{"xid":"t_co","name":"Tree Co","is_company":true}
{"xid":"t_a","name":"Ann","parent_id":{"xmlid":"t_co"}}
{"xid":"t_b","name":"Bob","parent_id":{"match":{"name":"Tree Co"}}}
{"xid":"t_c","name":"Cid","parent_id":"Tree Co"}
EOF
run load -q odoo res.partner --xmlid xid "$T/tree" > "$T/out"
is "$st:$(jq -r .status "$T/out" | tr '\n' ' ')" "0:created created created created " \
	"a batch whose records refer to one created before them in it"
co=$(jq -s '.[0].id' "$T/out")
is "$(rpc res.partner search_read '[[["parent_id","=",'"$co"']]]' '{"fields":["name"],"order":"name"}' | jq -c '[.[].name]')" \
	'["Ann","Bob","Cid"]' "all three under the company"

# ---- x2many: id lists, lines ----------------------------------------------------
cats=$(rpc res.partner.category search '[[]]' '{"limit":2}')
printf '{"ref":"X1","name":"Tagged","category_id":%s}\n' "$cats" > "$T/x2m"
run load -q odoo res.partner -k ref "$T/x2m" > "$T/out"
is "$(jq -r .status "$T/out")" created "a many2many id list"
run load -q odoo res.partner -k ref "$T/x2m" > "$T/out"
is "$(jq -r .status "$T/out")" unchanged "reads back unchanged (as a set)"
printf '{"ref":"X1","name":"Tagged","category_id":%s}\n' "$(echo "$cats" | jq -c reverse)" > "$T/x2m"
run load -q odoo res.partner -k ref "$T/x2m" > "$T/out"
is "$(jq -r .status "$T/out")" unchanged "in another order too"
jq -cn '{client_order_ref: "SO-L1", partner_id: {match: {ref: "M1"}},
	order_line: [{product_id: [5, "x"], product_uom_qty: 2, price_unit: 10},
	             {product_id: {id: 6}, product_uom_qty: 1, price_unit: 5, display_name: "dropped"}]}' > "$T/so"
run load -q odoo sale.order -k client_order_ref "$T/so" > "$T/out"
is "$st:$(jq -r .status "$T/out")" "0:created" "a sale order with its lines as objects"
so=$(jq .id "$T/out")
is "$(rpc sale.order read "[[$so]]" '{"fields":["amount_untaxed","order_line"]}' | jq -c '.[0] | [.amount_untaxed, (.order_line | length)]')" \
	'[25,2]' "two lines created with the order"
run load -q odoo sale.order -k client_order_ref "$T/so" > "$T/out"
is "$(jq -r .status "$T/out")" unchanged "the same order with its lines again: unchanged"
jq -c '.order_line[0].product_uom_qty = 3' "$T/so" > "$T/so2"
run load -q odoo sale.order -k client_order_ref "$T/so2" > "$T/out"
is "$(jq -r .status "$T/out")" updated "a line's quantity changed: updated"
is "$(rpc sale.order read "[[$so]]" '{"fields":["amount_untaxed","order_line"]}' | jq -c '.[0] | [.amount_untaxed, (.order_line | length)]')" \
	'[35,2]' "the line written in place, none added"
jq -c '.order_line |= .[:1]' "$T/so2" > "$T/so3"
run load -q odoo sale.order -k client_order_ref "$T/so3" > "$T/out"
is "$(rpc sale.order read "[[$so]]" '{"fields":["amount_untaxed","order_line"]}' | jq -c '.[0] | [.amount_untaxed, (.order_line | length)]')" \
	'[30,1]' "one line given: the other one removed"
# many2ones inside line commands resolve too, batched like the top level:
# one search per relation model and field set for the whole batch
pr=$(rpc product.product search_read '[[["default_code","!=",false]]]' '{"fields":["default_code"],"limit":2,"order":"id"}')
c1=$(echo "$pr" | jq -r '.[0].default_code') c2=$(echo "$pr" | jq -r '.[1].default_code')
for i in 1 2; do
	jq -cn --arg o "SO-C$i" --arg c1 "$c1" --arg c2 "$c2" '{client_order_ref: $o, partner_id: {match: {ref: "M1"}},
		order_line: [[5, 0, 0], [0, 0, {product_id: {match: {default_code: $c1}}, product_uom_qty: 1, price_unit: 10}],
		             [0, 0, {product_id: {match: {default_code: $c2}}, product_uom_qty: 2, price_unit: 1}]]}'
done > "$T/soc"
n0=$(lastn)
run load -q odoo sale.order -k client_order_ref "$T/soc" > "$T/out"
calls=$(sandbox_log odoo "$n0" | jq -c '[sort_by(.n) | .[] | .rpc | select(. != null) | select(endswith("search_read"))]')
is "$st:$(jq -r .status "$T/out" | tr '\n' ' ')" "0:created created " "line commands with {\"match\"} products load"
is "$(rpc sale.order.line search_read "[[[\"order_id.client_order_ref\",\"=\",\"SO-C2\"]]]" '{"fields":["product_id"],"order":"id"}' |
	jq -r '[.[] | .product_id[0]] | join(" ")')" "$(echo "$pr" | jq -r '[.[].id] | join(" ")')" "each line got its product"
is "$calls" '["res.partner.search_read","product.product.search_read","sale.order.search_read"]' \
	"one product search for both orders' lines"
printf '%s\n' '{"client_order_ref":"SO-C3","partner_id":{"match":{"ref":"M1"}},"order_line":[[0,0,{"product_id":{"match":{"default_code":"NO-SUCH"}},"product_uom_qty":1}]]}' > "$T/soc"
run load -q odoo sale.order -k client_order_ref "$T/soc" > "$T/out" 2>"$T/err"
like "$(jq -r .error "$T/out")" "'product_id': no product.product matches" "a line's unmatched product: rejected, named"
done_testing
