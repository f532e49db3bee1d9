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
# ---- many2many references: {"match"} items resolve; [] and [[6,0,ids]] -------
tax=$(rpc account.tax search '[[["type_tax_use","=","sale"],["amount","=",15]]]' | jq '.[0]')
jq -cn '{client_order_ref: "SO-T1", partner_id: {match: {ref: "M1"}},
	order_line: [{product_id: 5, product_uom_qty: 1, price_unit: 10,
	              tax_ids: [{match: {type_tax_use: "sale", amount: 15}}]},
	             {product_id: 6, product_uom_qty: 1, price_unit: 5, tax_ids: []}]}' > "$T/sot"
run load -q odoo sale.order -k client_order_ref "$T/sot" > "$T/out"
is "$st:$(jq -r .status "$T/out")" "0:created" "line taxes by {\"match\"}, and none"
is "$(rpc sale.order.line search_read '[[["order_id.client_order_ref","=","SO-T1"]]]' '{"fields":["tax_ids"],"order":"id"}' |
	jq -c '[.[].tax_ids]')" "[[$tax],[]]" "...the matched tax on the first line, none on the second"
run load -q odoo sale.order -k client_order_ref "$T/sot" > "$T/out"
is "$(jq -r .status "$T/out")" unchanged "...and again: unchanged"
jq -c '.order_line[1].tax_ids = [[6, 0, []]]' "$T/sot" > "$T/sot2"
run load -q odoo sale.order -k client_order_ref "$T/sot2" > "$T/out"
is "$(jq -r .status "$T/out")" unchanged "[[6, 0, []]] is the same as []"
jq -c '.order_line[0].tax_ids = [{match: {type_tax_use: "sale", amount: 99}}]' "$T/sot" > "$T/sot3"
run load -q odoo sale.order -k client_order_ref "$T/sot3" > "$T/out"
like "$(jq -r .error "$T/out")" "'tax_ids': no account.tax matches" "...a tax that is not there: rejected, named"
printf '%s\n' '{"ref":"X2","name":"x","category_id":[{"match":{"name":"x"}},{"name":"y"}]}' > "$T/mix"
run load -q odoo res.partner -k ref "$T/mix" > "$T/out"
like "$(jq -r .error "$T/out")" "'category_id': a list of references" "a list mixing references and lines: rejected"

# ---- a related record's field in a match (currency_id.name, invoice_ids.…) ----
printf '%s\n' '{"ref":"D1","name":"Dotted","parent_id":{"match":{"country_id.code":"US","ref":"M10"}}}' > "$T/dot"
run load -q --trace odoo res.partner -k ref "$T/dot" > "$T/out" 2> "$T/trace"
is "$st:$(jq -r .status "$T/out")" "0:created" "a match on a related record's field"
is "$(rpc res.partner search_read '[[["ref","=","D1"]]]' '{"fields":["parent_id"]}' | jq -r '.[0].parent_id[1]')" \
	"Another match" "...finds the record"
like "$(grep -o '\[\["country_id.code"[^{]*{"fields":\[[^]]*\]' "$T/trace" | head -1)" '"fields":\["id"\]$' \
	"...reading the ids alone (an empty field list reads every field)"

# ---- archived records: not matched, and the reject says why --------------------
m9=$(rpc res.partner search '[[["ref","=","M9"]]]' | jq '.[0]')
rpc res.partner write "[[$m9],{\"active\":false}]" >/dev/null
printf '%s\n' '{"ref":"A1","name":"x","parent_id":{"match":{"ref":"M9"}}}' \
	'{"ref":"A2","name":"x","parent_id":"Empty object"}' '{"ref":"A3","name":"x","parent_id":{"match":{"ref":"NOPE"}}}' > "$T/arch"
run load -q odoo res.partner -k ref "$T/arch" > "$T/out"
is "$(jq -r .error "$T/out")" \
"'parent_id': the res.partner matching {\"ref\":\"M9\"} is archived (id $m9): unarchive it in Odoo, or match another
'parent_id': the res.partner named 'Empty object' is archived (id $m9): unarchive it in Odoo, or name another
'parent_id': no res.partner matches {\"ref\":\"NOPE\"}" "an archived record: '... is archived', with its id"

# ---- a big batch: each condition once, in chunks the server takes --------------
# (1,000 records naming 3 countries: one small search; 120 distinct
# two-field conditions: 3 searches of at most 50)
for i in $(seq 1 1000); do
	case $((i % 3)) in 0) c=BE ;; 1) c=US ;; *) c=FR ;; esac
	printf '{"ref":"K%d","name":"Big %d","country_id":{"match":{"code":"%s"}}}\n' "$i" "$i" "$c"
done > "$T/big"
n0=$(lastn)
run load -q --batch 1000 odoo res.partner -k ref "$T/big" > "$T/out"
is "$st:$(jq -r .status "$T/out" | sort | uniq -c | tr -s ' ')" "0: 1000 created" "1,000 records, 3 countries: loaded"
sandbox_log odoo "$n0" > "$T/log"
is "$(jq -c '[.[] | select(.rpc == "res.country.search_read")] | length' "$T/log")" 1 "...with one country search"
ok "...a small one (each country once)" jq -e '[.[] | select(.rpc == "res.country.search_read") | .body_size] | max < 1000' "$T/log"
for i in $(seq 1 120); do
	printf '{"ref":"L%d","name":"L %d","parent_id":{"match":{"ref":"K%d","name":"Big %d"}}}\n' "$i" "$i" "$i" "$i"
done > "$T/big2"
n0=$(lastn)
run load -q --batch 1000 odoo res.partner -k ref "$T/big2" > "$T/out"
is "$st:$(jq -r .status "$T/out" | sort | uniq -c | tr -s ' ')" "0: 120 created" "120 two-field matches: loaded"
is "$(sandbox_log odoo "$n0" | jq -c '[.[] | select(.rpc == "res.partner.search_read")] | length')" 4 \
	"...in 3 searches of at most 50 conditions (and the key lookup)"
is "$(rpc res.partner search_read '[[["ref","=","L77"]]]' '{"fields":["parent_id"]}' | jq -r '.[0].parent_id[1]')" \
	"Big 77" "...each to its own"
# a key of two fields is ORed too: 120 records, 3 lookups
n0=$(lastn)
run load -q --batch 1000 odoo res.partner -k ref,name "$T/big2" > "$T/out"
is "$st:$(jq -r .status "$T/out" | sort | uniq -c | tr -s ' ')" "0: 120 unchanged" "120 records keyed by ref,name: unchanged"
is "$(sandbox_log odoo "$n0" | jq -c '[.[] | select(.rpc == "res.partner.search_read")] | length')" 6 \
	"...looked up in 3 calls of at most 50 keys (and the 3 matches)"
done_testing
