#!/bin/sh
# odoo-extract value shapes: --m2o pair|id|name|object, --expand (one read
# per page, lines in order, their many2ones converted too), --describe (a
# JSON Schema every extracted record satisfies, checked with lib/schema),
# --list-models, a profile with its secret in a 0600 file, --trace without
# the secret.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
sandbox_start odoo --partners 40
. "$ERPIPE_TOP/tests/sandbox/odoo-rpc.sh"
ODOO_DB=odoo ODOO_USER=admin ODOO_PASSWORD=admin
export ODOO_DB ODOO_USER ODOO_PASSWORD

F="--fields name,country_id,parent_id --domain [[\"id\",\"in\",[1,17]]]"
is "$(odoo-extract -q $F res.partner | tr '\n' ' ')" \
	'{"id":1,"name":"My Company (San Francisco)","country_id":[233,"United States"],"parent_id":false} {"id":17,"name":"Willie Burke","country_id":[233,"United States"],"parent_id":[8,"Wood Corner"]} ' \
	"--m2o pair (the default): Odoo's [id, name], false when empty"
is "$(odoo-extract -q --m2o id $F res.partner | jq -c '[.country_id, .parent_id]' | tr '\n' ' ')" \
	'[233,false] [233,8] ' "--m2o id"
is "$(odoo-extract -q --m2o name $F res.partner | jq -c '[.country_id, .parent_id]' | tr '\n' ' ')" \
	'["United States",false] ["United States","Wood Corner"] ' "--m2o name"
is "$(odoo-extract -q --m2o object $F res.partner | jq -c '[.country_id, .parent_id]' | tr '\n' ' ')" \
	'[{"id":233,"name":"United States"},false] [{"id":233,"name":"United States"},{"id":8,"name":"Wood Corner"}] ' \
	"--m2o object"
is "$(odoo-extract -q --m2o id --fields name,category_id --domain '[["id","=",8]]' res.partner | jq -c .category_id)" \
	"$(rpc res.partner read '[[8],["category_id"]]' | jq -c '.[0].category_id')" \
	"many2many ids are left alone"

# --xmlids: each record's external ids of the modules named (ir.model.data
# keeps several per record), in the order they were made, [] for none; the
# records --expand inlines get theirs too; other modules are left out
rpc ir.model.data create '[{"module":"bng","name":"customer_24","model":"res.partner","res_id":8}]' >/dev/null
rpc ir.model.data create '[{"module":"nav","name":"customer_C00010","model":"res.partner","res_id":8}]' >/dev/null
rpc ir.model.data create '[{"module":"other","name":"p8","model":"res.partner","res_id":8}]' >/dev/null
rpc ir.model.data create '[{"module":"bng","name":"vendor_3","model":"res.partner","res_id":17}]' >/dev/null
is "$(odoo-extract -q --xmlids bng,nav --fields name --domain '[["id","in",[1,8,17]]]' res.partner |
	jq -c '[.id, .xmlids]' | tr '\n' ' ')" \
	'[1,[]] [8,["bng.customer_24","nav.customer_C00010"]] [17,["bng.vendor_3"]] ' \
	"--xmlids: the record's external ids of those modules, several per record"
is "$(odoo-extract -q --xmlids nav --fields parent_id --expand parent_id:name --domain '[["id","=",17]]' res.partner |
	jq -c '[.xmlids, .parent_id.xmlids]')" \
	'[[],["nav.customer_C00010"]]' "--xmlids: the records --expand inlines get theirs"
run odoo-extract -q --xmlids 'bng,nav.customer' res.partner
is "$st" 64 "--xmlids: a name with a dot is not a module: usage error"

# --expand: sale orders with their lines
orders=$(rpc sale.order search_count '[[]]')
odoo-extract -q --trace --expand order_line --m2o name --page-size 4 --fields name,order_line \
	sale.order >"$T/so" 2>"$T/trace"
is "$(wc -l <"$T/so")" "$orders" "one record per order"
is "$(grep -c '"sale.order.line","read"' "$T/trace")" "$(( (orders + 3) / 4 ))" \
	"lines read once per page of orders"
want=$(rpc sale.order.line search_read '[[]]' '{"fields":["order_id"],"order":"order_id, id"}' | jq -c 'group_by(.order_id[0]) | map(map(.id))')
is "$(jq -s -c '[.[] | select(.order_line | length > 0) | .order_line | map(.id)]' "$T/so")" "$want" \
	"every line inlined, under its order, in Odoo's order"
is "$(jq -r '.order_line[0].product_id | type' "$T/so" | sort -u)" "string" \
	"the lines' many2ones follow --m2o"
ok "the lines are objects with their fields" sh -c "jq -e '.order_line[0] | has(\"price_unit\") and has(\"name\")' '$T/so' >/dev/null"
first_line=$(rpc sale.order.line search '[[["order_id","=",1]]]' '{"order":"id","limit":1}' | jq -r '.[0]')
rpc sale.order.line unlink "[[${first_line}]]" >/dev/null
is "$(odoo-extract -q --expand order_line --fields order_line --domain '[["id","=",1]]' sale.order | jq -c '.order_line | map(.id) | index('"$first_line"')')" \
	"null" "a deleted line is not there"
is "$(odoo-extract -q --expand category_id --fields category_id --domain '[["id","=",8]]' res.partner | jq -c '.category_id | map(keys | length > 1) | all')" \
	"true" "--expand a many2many"
run odoo-extract --expand name res.partner 2>"$T/err"
is "$st" 64 "--expand of a char field: 64"
like "$(cat "$T/err")" "--expand 'name': not a relational field of 'res.partner'" "says so"

# --expand a many2one: the record it names, each read once per page
odoo-extract -q --trace --expand partner_id:ref,name,email --fields name,partner_id --page-size 5 \
	sale.order >"$T/sop" 2>"$T/trace"
is "$(jq -c '.partner_id | keys' "$T/sop" | sort -u)" '["email","id","name","ref"]' \
	"--expand FIELD:LIST: the many2one is its record, with the fields listed"
want=$(rpc sale.order search_read '[[]]' '{"fields":["partner_id"],"order":"id"}' | jq -c '.[] | .partner_id[0]')
is "$(jq -c '.partner_id.id' "$T/sop")" "$want" "each order's own partner"
pid=$(jq -r '.partner_id.id' "$T/sop" | head -1)
is "$(jq -c 'select(.partner_id.id == '"$pid"') | .partner_id | [.name, .email]' "$T/sop" | head -1)" \
	"$(rpc res.partner read "[[$pid]]" '{"fields":["name","email"]}' | jq -c '.[0] | [.name, .email]')" "...its values"
is "$(grep -c '"res.partner","read"' "$T/trace")" "$(( (orders + 4) / 5 ))" "one read per page of orders"
is "$(grep '"res.partner","read"' "$T/trace" | grep -c '\[\([0-9]*,\)*\([0-9]*\),\2[],]' || :)" 0 \
	"a partner named twice in a page is read once"
is "$(odoo-extract -q --expand partner_id --m2o id --fields partner_id,user_id --limit 1 sale.order |
	jq -c '[(.partner_id | type), (.partner_id | has("street")), (.user_id | type)]')" \
	'["object",true,"number"]' "--expand FIELD: every stored field; the other many2ones follow --m2o"
is "$(odoo-extract -q --expand parent_id:name --fields parent_id --domain '[["parent_id","=",false]]' --limit 1 res.partner |
	jq -c .parent_id)" "false" "an empty many2one stays false"
run odoo-extract --expand partner_id:nope sale.order 2>"$T/err"
is "$st" 64 "--expand FIELD:LIST with an unknown field: 64"
like "$(cat "$T/err")" "--expand partner_id: model 'res.partner' has no field 'nope'" "says so"
odoo-extract --describe --expand partner_id:ref,name --fields name,partner_id sale.order >"$T/sop.schema.json"
run sh -c "odoo-extract -q --expand partner_id:ref,name --fields name,partner_id sale.order |
	validate -q -s '$T/sop.schema.json' >/dev/null" 2>"$T/chk"
is "$st" 0 "--describe --expand a many2one: every order satisfies the schema"

# --describe: a schema every record satisfies (checked by validate)
for m in pair id name object; do
	odoo-extract --describe --m2o $m res.partner >"$T/p.schema.json"
	run sh -c "odoo-extract -q --with-archived --m2o $m res.partner |
		validate -q -s '$T/p.schema.json' >/dev/null" 2>"$T/chk"
	is "$st" 0 "--describe --m2o $m: every partner satisfies the schema"
	[ "$st" = 0 ] || head -5 "$T/chk" | sed 's/^/#   /'
done
odoo-extract --describe --expand order_line --m2o object sale.order >"$T/so.schema.json"
run sh -c "odoo-extract -q --expand order_line --m2o object sale.order |
	validate -q -s '$T/so.schema.json' >/dev/null" 2>"$T/chk"
is "$st" 0 "--describe --expand: every order satisfies the schema"
[ "$st" = 0 ] || head -5 "$T/chk" | sed 's/^/#   /'
is "$(odoo-extract --describe --fields name,type res.partner | jq -c '.properties.type.anyOf[0].enum')" \
	'["contact","invoice","delivery","other"]' "a selection: its keys"
is "$(odoo-extract --describe --fields name,partner_id,note sale.order | jq -c '.required')" \
	'["name","partner_id","id"]' "required fields are required"

# --describe on a real Odoo 19's fields (tests/fixtures: fields_get of
# res.partner, 12): the records the real server read (70, 70d) satisfy it:
# properties read as [] (or null), a json field holds any JSON, a
# many2one_reference (as mail.message's res_id) an integer, a many2one's
# display name may be "" (a partner without a name)
. "$ERPIPE_TOP/tests/scripted.sh"
FX=$ERPIPE_TOP/tests/fixtures
jq -c --slurpfile f "$FX/odoo/12_partner_fields_get.json" '[{body_json: {jsonrpc: "2.0", id: 1, result: 2}},
	{body_json: {jsonrpc: "2.0", id: 2, result: ($f[0].response.body.result +
	 {res_id: {type: "many2one_reference", string: "Related Document ID", model_field: "res_model"}})}}]' \
	-n >"$T/script"
scripted_start "$T/script"
run env ODOO_URL="$SCRIPTED_URL" odoo-extract --protocol jsonrpc --describe \
	--fields name,display_name,ref,type,parent_id,commercial_partner_id,customer_rank,properties,fiscal_country_group_codes,res_id \
	res.partner >"$T/real.schema.json" 2>"$T/err"
scripted_stop
is "$st" 0 "--describe on a real res.partner's fields"
for f in 70_partner_read_ranks_ref_company_type_properties 70d_partner_read_child_parent_without_name \
	70b_partner_create_nameless_invoice_address; do
	jq -c '.response.body.result | if type == "array" then .[] else empty end' "$FX/odoo-flows/$f.json"
done >"$T/real"
printf '%s\n' '{"id":5,"name":"x","fiscal_country_group_codes":["EU","SEPA"],"res_id":42}' \
	'{"id":6,"name":"y","fiscal_country_group_codes":false,"res_id":0,"properties":[{"name":"p1","type":"char","value":"v"}]}' >>"$T/real"
run validate -q -s "$T/real.schema.json" --rejects "$T/rej" "$T/real" >/dev/null
is "$st" 0 "...the real records satisfy it: properties [] and null, json, many2one_reference, a \"\" display name"
[ "$st" = 0 ] && true || jq -r '.error' "$T/rej" | head -5 | sed 's/^/#   /'
is "$(jq -c '[.properties.res_id.anyOf[0].type, .properties.properties.anyOf[0].type]' "$T/real.schema.json")" \
	'["integer",["array","object","null"]]' "...many2one_reference an integer, properties a list or an object"

# --list-models
odoo-extract -q --list-models >"$T/models"
is "$(jq -r 'select(.model == "res.partner") | .name' "$T/models")" "Contact" "--list-models"
is "$(jq -r .model "$T/models" | sort -c && echo sorted)" "sorted" "in model order"

# a profile, the secret in a file
printf 'admin\n' >"$T/pw"
chmod 600 "$T/pw"
cat >"$T/conf" <<C
[sb]
url = $ODOO_URL
db = odoo
user = admin
password_file = $T/pw
C
chmod 600 "$T/conf"
is "$(env -u ODOO_URL -u ODOO_DB -u ODOO_USER -u ODOO_PASSWORD ERPIPE_CONFIG="$T/conf" \
	odoo-extract -q -P sb --count res.partner)" "$(rpc res.partner search_count '[[]]')" "-P with a password_file"
chmod 644 "$T/pw"
run env -u ODOO_PASSWORD ERPIPE_CONFIG="$T/conf" odoo-extract -q -P sb --count res.partner 2>"$T/err"
is "$st" 78 "a password file readable by others: 78"
like "$(cat "$T/err")" "chmod 600" "says what to do"
run env ERPIPE_CONFIG="$T/conf" odoo-extract -q -P nope --count res.partner 2>"$T/err"
is "$st" 78 "no such profile: 78"

# --trace never shows the password
for p in xmlrpc jsonrpc; do
	ODOO_PASSWORD='pw-s3cr3t' odoo-extract -q --trace --protocol $p --limit 1 res.partner >/dev/null 2>"$T/tr" || true
	ok "--trace --protocol $p: the password is *** (positional in execute_kw)" \
		sh -c "! grep -q 'pw-s3cr3t' '$T/tr' && grep -q '\*\*\*' '$T/tr'"
done
done_testing
