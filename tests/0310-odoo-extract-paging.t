#!/bin/sh
# odoo-extract full reads: keyset paging by id returns exactly the seeded set
# for page sizes 1, 7 and 1000, never an offset; the three protocols and
# --concurrency give the same bytes; --limit, --order, --with-archived,
# --domain, --count, --ids-only.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
KEY=0a1b2c3d4e5f60718293a4b5c6d7e8f9
sandbox_start odoo --partners 300 --api-key admin:$KEY
. "$ERPIPE_TOP/tests/sandbox/odoo-rpc.sh"
ODOO_DB=odoo ODOO_USER=admin ODOO_PASSWORD=admin
export ODOO_DB ODOO_USER ODOO_PASSWORD
rpc res.partner write '[[50,51,52],{"active":false}]' >/dev/null
all=$(rpc res.partner search '[[]]' '{"order":"id"}' | jq -r '.[]')
nact=$(echo "$all" | wc -l)
narch=$(rpc res.partner search_count '[[["active","=",false]]]')
archived=$(rpc res.partner search '[[["active","=",false]]]' '{"order":"id"}' | jq -r '.[]' | tr '\n' ' ')
diag "$nact active partners, $narch archived"

for ps in 1 7 1000; do
	run odoo-extract -q --page-size $ps --fields name res.partner >"$T/p$ps" 2>"$T/err"
	is "$st" 0 "page size $ps: exit 0"
	is "$(jq -r .id "$T/p$ps")" "$all" "page size $ps: exactly the active set, in id order"
done
is "$(jq -c 'keys' "$T/p7" | sort -u)" '["id","name"]' "--fields name: id and name"

# the requests: keyset on id, never an offset
odoo-extract -q --trace --page-size 7 --fields name res.partner 2>"$T/trace" >/dev/null
reqs=$(grep -c '^> {"jsonrpc"' "$T/trace")
is "$reqs" "$(( nact / 7 + 1 + 2 ))" "page size 7: one request per page (+ login, fields_get)"
ok "no request uses an offset" sh -c "! grep -q '\"offset\"' '$T/trace'"
like "$(grep -o '\[\"id\",\">\",[0-9]*\]' "$T/trace" | sed -n 2p)" '\["id",">",[0-9]+\]' \
	"pages after the first ask for id > last"
is "$(grep -o '"id",">",[0-9]*' "$T/trace" | head -2 | tail -1 | cut -d, -f3)" \
	"$(echo "$all" | sed -n 14p)" "the second bound is the 14th id"

# all fields, three protocols, concurrency: the same bytes
odoo-extract -q res.partner >"$T/jsonrpc"
ok "default fields: every record has write_date and no binary field" \
	sh -c "jq -e 'has(\"write_date\") and (has(\"image_128\") | not)' '$T/jsonrpc' >/dev/null"
odoo-extract -q --protocol xmlrpc res.partner >"$T/xmlrpc"
same_file "$T/xmlrpc" "$T/jsonrpc" "xmlrpc gives the same records as jsonrpc"
ODOO_PASSWORD=$KEY ODOO_AUTH=apikey odoo-extract -q -v --protocol auto res.partner >"$T/json2" 2>"$T/err"
same_file "$T/json2" "$T/jsonrpc" "json2 too"
like "$(cat "$T/err")" "json2" "auto with an API key on Odoo 19 picks json2"
odoo-extract -q --concurrency 4 --page-size 13 res.partner >"$T/conc"
same_file "$T/conc" "$T/jsonrpc" "--concurrency 4: the same records in the same order"

# --limit, --order, --with-archived, --domain
is "$(odoo-extract -q --limit 10 --page-size 3 --fields name res.partner | wc -l)" 10 "--limit 10"
is "$(odoo-extract -q --limit 10 --page-size 3 --concurrency 3 --fields name res.partner | jq -r .id)" \
	"$(echo "$all" | head -10)" "--limit with --concurrency"
want=$(rpc res.partner search '[[["is_company","=",true]]]' '{"order":"name desc, id"}' | jq -r '.[]')
is "$(odoo-extract -q --order 'name desc, id' --page-size 4 --concurrency 2 \
	--domain '[["is_company","=",true]]' --fields name res.partner | jq -r .id)" "$want" \
	"--order with --domain"
is "$(odoo-extract -q --with-archived --fields active res.partner | jq -r 'select(.active|not) | .id' | tr '\n' ' ')" \
	"$archived" "--with-archived reads the archived ones"
is "$(odoo-extract --count res.partner)" "$nact" "--count"
is "$(odoo-extract --count --with-archived res.partner)" "$((nact + narch))" "--count --with-archived"
is "$(odoo-extract --count --domain '["|",["id","=",1],["id","=",3]]' res.partner)" 2 \
	"--count with a prefix-operator domain"
is "$(odoo-extract -q --ids-only --page-size 9 res.partner | jq -r .id)" "$all" "--ids-only"
is "$(odoo-extract -q --ids-only res.partner | head -1)" '{"id":1}' "--ids-only lines"
run odoo-extract --domain '["|",["id","=",1]]' res.partner 2>"$T/err"
is "$st" 64 "a domain whose operator lacks a term: 64"
run odoo-extract --domain '{"id":1}' res.partner 2>"$T/err"
is "$st" 64 "a domain that is not an array: 64"
run odoo-extract res.partner extra 2>"$T/err"
is "$st" 64 "two operands: 64"
done_testing
