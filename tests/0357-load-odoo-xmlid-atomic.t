#!/bin/sh
# load odoo --xmlid: a new record and its external id are created in one
# call (Odoo's load), so no fault leaves a record without its external id:
# with the connection dropped (the request never ran) or the answer lost
# (it ran) on each request of a run in turn, the rerun leaves every record
# once, with its external id.  Also: load's messages reject the rows at
# fault and the rest load; records with other column sets go in their own
# call (an absent column is not an empty one); lines go right after, by id;
# an external id whose record was deleted is repointed.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-rpc.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-env.sh"
odoo_env --partners 5
be=$(rpc res.country search '[[["code","=","BE"]]]' | jq '.[0]')
cats=$(rpc res.partner.category search '[[]]' '{"limit":2}')
recs() { # recs PREFIX
	for i in 1 2 3; do
		jq -cn --arg x "$1_$i" --arg n "$1 $i" --argjson c "$be" --argjson t "$cats" \
			'{xid: $x, name: $n, is_company: true, color: 3, credit_limit: 12.5,
			  country_id: $c, category_id: $t, comment: " kept as is "}'
	done
}
# logged [SINCE]: the sandbox log, once every request counted is in it (an
# entry is written after its answer is sent)
logged() {
	_i=0
	while [ "$(sandbox_control odoo GET health | jq .requests)" != \
		"$(sandbox_log odoo | jq 'map(.n) | max // 0')" ] && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	sandbox_log odoo "${1:-0}"
}
# want PREFIX: for each partner named "PREFIX …", its external ids (joined
# by ","), sorted: "P_1 P_2 P_3 " when each record is there once with its own
want() {
	_ids=$(rpc res.partner search "[[[\"name\",\"=like\",\"$1 %\"]]]" '{"context":{"active_test":false}}')
	rpc ir.model.data search_read "[[[\"model\",\"=\",\"res.partner\"],[\"res_id\",\"in\",$_ids]]]" \
		'{"fields":["name","res_id"]}' |
		jq -r --argjson ids "$_ids" '. as $rows | [$ids[] as $i | [$rows[] | select(.res_id == $i) | .name] | join(",")]
			| sort | map(. + " ") | add // ""'
}

# ---- one call: the record and its external id -------------------------------------
recs A > "$T/a"
n0=$(logged | jq 'map(.n) | max // 0')
run load -q odoo res.partner --xmlid xid "$T/a" > "$T/out"
is "$st:$(jq -r .status "$T/out" | tr '\n' ' ')" "0:created created created " "created"
is "$(logged "$n0" | jq -r '[.[] | .rpc // empty | select(test("^(res.partner|ir.model.data)[.](create|load|write)$"))] | join(" ")')" \
	"res.partner.load" "one load call, no create, no ir.model.data write"
is "$(want A)" "A_1 A_2 A_3 " "each with its external id"
is "$(rpc res.partner search_read '[[["name","=","A 1"]]]' \
	'{"fields":["is_company","color","credit_limit","country_id","category_id","comment"]}' |
	jq -c --argjson t "$cats" '.[0] | [.is_company, .color, .credit_limit, .country_id[0], (.category_id == $t), .comment]')" \
	"[true,3,12.5,$be,true,\" kept as is \"]" "values as given: boolean, numbers, many2one, many2many, text untouched"
run load -q odoo res.partner --xmlid xid "$T/a" > "$T/out"
is "$(jq -r .status "$T/out" | tr '\n' ' ')" "unchanged unchanged unchanged " "second run: unchanged"

# ---- a fault on each request in turn; the rerun leaves each record once ---------------
# where the load call falls in a run (requests counted from a reset)
recs BASE > "$T/b"
sandbox_reset odoo > /dev/null
run load -q odoo res.partner --xmlid xid "$T/b" > /dev/null
k=$(logged | jq '[.[] | select((.rpc // "") | test("^res.partner.(load|create)$"))] | .[0].n')
total=$(logged | jq length)
diag "the load call is request $k of $total"
for kind in drop malformed; do
	n=1
	hit=0
	while [ $n -le $((total + 1)) ]; do
		p=$(echo "$kind$n" | tr a-z A-Z)
		recs "$p" > "$T/f"
		sandbox_reset odoo > /dev/null
		if [ $kind = drop ]; then
			sandbox_faults odoo "{\"drop\":{\"nth\":[$n]}}" > /dev/null
		else
			sandbox_faults odoo "{\"malformed\":{\"nth\":[$n],\"mode\":\"short\"}}" > /dev/null
		fi
		run load -q --retries 0 odoo res.partner --xmlid xid "$T/f" > /dev/null 2> "$T/err"
		first=$st
		[ $n = "$k" ] && [ "$st" != 0 ] && hit=$((hit + 1))
		sandbox_control odoo DELETE faults > /dev/null
		run load -q odoo res.partner --xmlid xid "$T/f" > "$T/out"
		is "$st:$(want "$p")" "0:${p}_1 ${p}_2 ${p}_3 " \
			"$kind on request $n (first run: $first): each record once, with its external id"
		n=$((n + 1))
	done
	is "$hit" 1 "$kind: the fault hit the load call once, and that run failed"
done

# ---- load's messages: the rows at fault rejected, the rest loaded ----------------
printf '%s\n' '{"xid":"m_1","name":"M 1"}' '{"xid":"m_2","name":"M 2","country_id":999999}' \
	'{"xid":"m_3","name":"M 3"}' '{"xid":"m_4","name":"M 4","country_id":999998}' > "$T/m"
jq -c 'if .country_id then . else .country_id = false end' "$T/m" > "$T/m2"
n0=$(logged | jq 'map(.n) | max // 0')
run load -q --rejects "$T/rej" odoo res.partner --xmlid xid "$T/m2" > "$T/out"
is "$st:$(jq -r .status "$T/out" | tr '\n' ' ')" "65:created rejected created rejected " \
	"the two bad rows rejected, the others created"
is "$(jq -r 'select(.status == "rejected") | .error' "$T/out" | sort -u)" \
	"No matching record found for database id '999998' in field 'Country'
No matching record found for database id '999999' in field 'Country'" "with load's messages"
is "$(jq -c '.errors' "$T/rej" | head -1)" \
	"[{\"path\":\"/country_id\",\"message\":\"No matching record found for database id '999999' in field 'Country'\"}]" \
	"the reject names the field"
is "$(logged "$n0" | jq -r '[.[] | .rpc // empty | select(. == "res.partner.load")] | length')" 2 \
	"two load calls: the first rolled back, then the good rows"
is "$(want M)" "m_1 m_3 " "nothing of the rolled-back call stayed"

# ---- another column set: its own call, an absent field keeps its default --------------
printf '%s\n' '{"xid":"c_1","name":"C 1","active":false}' '{"xid":"c_2","name":"C 2"}' > "$T/c"
n0=$(logged | jq 'map(.n) | max // 0')
run load -q odoo res.partner --xmlid xid "$T/c" > "$T/out"
is "$(jq -r .status "$T/out" | tr '\n' ' ')" "created created " "created"
is "$(logged "$n0" | jq -r '[.[] | .rpc // empty | select(. == "res.partner.load")] | length')" 2 \
	"one load per column set"
is "$(rpc res.partner search_read '[[["name","in",["C 1","C 2"]]]]' \
	'{"fields":["name","active"],"order":"name","context":{"active_test":false}}' | jq -c '[.[].active]')" \
	"[false,true]" "the record without 'active' keeps the default"

# ---- lines: load first, then the lines by id ----------------------------------------
jq -cn '{xid: "so_1", client_order_ref: "SO-X1", partner_id: 3,
	order_line: [{product_id: 5, product_uom_qty: 2, price_unit: 10},
	             {product_id: 6, product_uom_qty: 1, price_unit: 5}]}' > "$T/so"
n0=$(logged | jq 'map(.n) | max // 0')
run load -q odoo sale.order --xmlid xid "$T/so" > "$T/out"
is "$st:$(jq -r .status "$T/out")" "0:created" "an order with lines"
is "$(logged "$n0" | jq -r '[.[] | .rpc // empty | select(test("[.](create|load|write)$"))] | join(" ")')" \
	"sale.order.load sale.order.write" "load, then the lines written by id"
so=$(jq .id "$T/out")
is "$(rpc sale.order read "[[$so]]" '{"fields":["amount_untaxed","order_line"]}' | jq -c '.[0] | [.amount_untaxed, (.order_line | length)]')" \
	'[25,2]' "both lines on the order"
is "$(rpc ir.model.data search_read '[[["name","=","so_1"]]]' '{"fields":["model","res_id"]}' | jq -c '[.[] | [.model, .res_id]]')" \
	"[[\"sale.order\",$so]]" "and its external id"
run load -q odoo sale.order --xmlid xid "$T/so" > "$T/out"
is "$(jq -r .status "$T/out")" unchanged "second run: unchanged"

# ---- an external id that outlived its record --------------------------------------
rpc res.partner unlink "[$(rpc res.partner search '[[["name","=","A 1"]]]')]" > /dev/null
run load -q odoo res.partner --xmlid xid "$T/a" > "$T/out"
is "$(jq -r .status "$T/out" | tr '\n' ' ')" "created unchanged unchanged " "the deleted one created again"
is "$(want A)" "A_1 A_2 A_3 " "its external id points at the new record, none twice"
is "$(rpc ir.model.data search_count '[[["name","=","A_1"]]]')" 1 "one row for A_1"
# ---- a record of Odoo's own in an --xmlid stream: found by its _key --------
own=$(rpc res.partner search '[[["name","=","A 2"]]]' | jq '.[0]')
printf '%s\n' "{\"_key\":{\"id\":$own},\"name\":\"A 2 renamed\"}" \
	'{"xid":"nav.customer_C9","name":"From NAV","is_company":true}' '{"name":"No identity"}' >"$T/mix"
run load -q odoo res.partner --xmlid xid --max-rejects 1 --rejects "$T/mix.rej" "$T/mix" >"$T/out"
is "$st:$(jq -r .status "$T/out" | tr '\n' ' ')" "0:updated created rejected " \
	"--xmlid: a _key of its own finds Odoo's record, an external id makes one, neither is refused"
is "$(rpc res.partner read "[[$own],[\"name\"]]" | jq -r '.[0].name')" "A 2 renamed" "...the one its _key names"
is "$(rpc ir.model.data search_count "[[[\"res_id\",\"=\",$own],[\"model\",\"=\",\"res.partner\"]]]")" 1 \
	"...and no external id added to it"
done_testing
