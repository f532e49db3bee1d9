#!/bin/sh
# Odoo sandbox: domain operators, prefix forms, dotted paths, active_test, order,
# keyset paging.  Expectations are on the fixed demo partners (ids <= 40).
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-rpc.sh"
sandbox_start odoo --partners 300
D='["id","<=",40]'
is "$(ids "$D,[\"id\",\"=\",8]")" "8" "="
is "$(ids "$D,[\"is_company\",\"=\",true],[\"id\",\"!=\",8]" '{"order":"id"}')" \
	"1 9 10 11 12 13 14 15 16" "!= and implicit &"
is "$(ids "[\"id\",\">\",38]" '{"order":"id","limit":3}')" "39 40 41" "> with limit"
is "$(ids "[\"id\",\">=\",39],[\"id\",\"<\",41]" '{"order":"id"}')" "39 40" ">= <"
is "$(ids "[\"id\",\"<=\",3]" '{"order":"id"}')" "1 3" "<= (archived 2 hidden)"
is "$(ids "[\"id\",\"in\",[9,17,2]]" '{"order":"id"}')" "9 17" "in"
is "$(ids "$D,[\"id\",\"not in\",[1,3,6,7]],[\"id\",\"<\",10]" '{"order":"id"}')" "8 9" "not in"
is "$(ids "$D,[\"name\",\"like\",\"Wood\"]" '{"order":"id"}')" "8 12" "like"
is "$(ids "$D,[\"name\",\"like\",\"wood\"]")" "" "like is case-sensitive"
is "$(ids "$D,[\"name\",\"ilike\",\"wOOd\"]" '{"order":"id"}')" "8 12" "ilike"
is "$(ids "$D,[\"name\",\"ilike\",\"ØDEGAARD\"]")" "38" "ilike folds non-ASCII case"
is "$(ids "$D,[\"name\",\"=like\",\"Wood%\"]")" "8" "=like"
is "$(ids "$D,[\"name\",\"=ilike\",\"wood corner\"]")" "8" "=ilike"
is "$(ids "$D,[\"email\",\"not ilike\",\"example.com\"],[\"is_company\",\"=\",true]" \
	'{"order":"id"}')" "1 9 10" "not ilike"
is "$(ids "$D,[\"vat\",\"=\",false],[\"id\",\"<\",10]" '{"order":"id"}')" "1 3 6 7" "= false"
is "$(ids "$D,[\"parent_id\",\"!=\",false],[\"parent_id\",\"=\",8]" '{"order":"id"}')" \
	"17 18 33" "!= false, many2one ="
is "$(ids "$D,[\"parent_id\",\"=?\",false],[\"id\",\"<\",4]" '{"order":"id"}')" "1 3" "=? false is true"
is "$(ids "[\"id\",\"child_of\",9]" '{"order":"id"}')" "9 19 20 36" "child_of"
is "$(ids "[\"id\",\"parent_of\",36]" '{"order":"id"}')" "9 36" "parent_of"
is "$(ids "$D,\"|\",[\"id\",\"=\",8],[\"id\",\"=\",9]" '{"order":"id"}')" "8 9" "| prefix"
is "$(ids "\"|\",\"&\",[\"id\",\">\",7],[\"id\",\"<\",10],[\"id\",\"=\",12]" '{"order":"id"}')" \
	"8 9 12" "| & nested"
is "$(ids "$D,\"!\",[\"is_company\",\"=\",false],\"!\",[\"id\",\">\",9]" '{"order":"id"}')" \
	"1 8 9" "! prefix"
is "$(ids "$D,\"!\",[\"vat\",\"=\",\"US12345672\"],[\"id\",\">\",16],[\"id\",\"<\",21]" \
	'{"order":"id"}')" "19 20" "! of = keeps NULL-free semantics"
is "$(ids "$D,[\"category_id\",\"in\",[6]]" '{"order":"id"}')" "8 11 15" "many2many in"
is "$(ids "$D,[\"child_ids\",\"in\",[17]]")" "8" "one2many in"
is "$(ids "$D,[\"country_id\",\"=\",\"San Marino\"],[\"is_company\",\"=\",true]")" "10" \
	"many2one by name"
is "$(ids "$D,[\"country_id.code\",\"=\",\"SM\"],[\"is_company\",\"=\",true]")" "10" \
	"dotted path country_id.code"
is "$(rpc sale.order search '[[["partner_id.country_id","=",203]]]')" "[4]" \
	"dotted path partner_id.country_id"
is "$(rpc sale.order search '[[["partner_id","any",[["name","=like","Lumber%"]]]]]')" "[6]" \
	"any"
is "$(ids "[\"id\",\"=\",2]")" "" "active_test hides archived"
is "$(ids "[\"id\",\"=\",2]" '{"context":{"active_test":false}}')" "2" "context active_test false"
is "$(ids "[\"active\",\"=\",false],[\"id\",\"<\",6]" '{"order":"id"}')" "2 4 5" \
	"a domain on active disables active_test"
is "$(ids "$D,[\"is_company\",\"=\",true]" '{"order":"name desc","limit":2}')" "8 13" "order desc"
is "$(ids "$D,[\"is_company\",\"=\",true]" '{"order":"id","limit":2,"offset":3}')" \
	"10 11" "offset"
is "$(rpc res.partner search_count '[[]]' '{"context":{"active_test":false}}')" "340" \
	"search_count with active_test false: 40 demo + 300 generated"
like "$(rpc res.partner search '[[["nope","=",1]]]')" \
	"^ERROR builtins.ValueError: Invalid field res.partner.nope in condition \('nope', '=', 1\)" \
	"unknown field"
like "$(rpc res.partner search '[[["id","~",1]]]')" "^ERROR builtins.ValueError" "bad operator"
like "$(rpc res.partner search '[[]]' '{"order":"nope"}')" "^ERROR builtins.ValueError" "bad order"
# keyset paging: id > last order id, pages of 50, equals one search
all=$(rpc res.partner search '[[]]' '{"order":"id"}' | jq -r 'join(" ")')
last=0 paged=
while :; do
	page=$(rpc res.partner search "[[[\"id\",\">\",$last]]]" '{"order":"id","limit":50}' |
		jq -r 'join(" ")')
	[ -n "$page" ] || break
	paged="${paged:+$paged }$page"
	last=${page##* }
done
is "$paged" "$all" "keyset pages (id > N order id) cover one search exactly"
done_testing
