#!/bin/sh
# --shard-plan N works the shard bounds out once; --shard K/N
# --shard-plan-file FILE takes shard K's bounds from it without reading the
# keys (no min/max search, no count, no key list: the sandboxes' request
# logs say so), and the N planned shards read what one unsharded run reads,
# nothing twice, in odoo-extract, bng-extract and nav-extract.  A plan of
# another entity or shard count, and a broken plan, are refused naming the
# file and line.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/nav-env.sh"

# ---- odoo-extract ---------------------------------------------------------
sandbox_start odoo --partners 200
ODOO_DB=odoo ODOO_USER=admin ODOO_PASSWORD=admin
export ODOO_DB ODOO_USER ODOO_PASSWORD
odoo-extract -q --fields name res.partner | sort >"$T/o.all"
odoo-extract -q --shard-plan 3 res.partner >"$T/o.plan"
is "$(wc -l <"$T/o.plan")" 3 "odoo: three plan lines"
is "$(jq -r .shard "$T/o.plan" | tr '\n' ' ')" "1/3 2/3 3/3 " "one a shard, in order"
is "$(jq -c '[.stream, .field, has("ge"), has("lt")]' "$T/o.plan" | tr '\n' ' ')" \
	'["odoo:odoo:res.partner#1/3","id",false,true] ["odoo:odoo:res.partner#2/3","id",true,true] ["odoo:odoo:res.partner#3/3","id",true,false] ' \
	"each shard's stream, the first open below, the last above"
is "$(jq -s '.[0].lt == .[1].ge and .[1].lt == .[2].ge' "$T/o.plan")" true "contiguous"
n0=$(sandbox_log odoo | jq 'map(.n) | max')
for K in 1 2 3; do
	odoo-extract -q --shard $K/3 --shard-plan-file "$T/o.plan" --fields name res.partner
done | sort >"$T/o.union"
same_file "$T/o.union" "$T/o.all" "odoo: planned shards' union is the whole, nothing twice"
is "$(sandbox_log odoo "$n0" | jq '[.[] | select(.rpc == "res.partner.search")] | length')" 0 \
	"odoo: no shard searched for the id range"
n0=$(sandbox_log odoo | jq 'map(.n) | max')
odoo-extract -q --shard 2/3 --fields name res.partner >/dev/null
is "$(sandbox_log odoo "$n0" | jq '[.[] | select(.rpc == "res.partner.search")] | length')" 2 \
	"without a plan a shard searches twice (min and max): the count above can fail"
run odoo-extract -q --shard 2/4 --shard-plan-file "$T/o.plan" res.partner 2>"$T/err"
is "$st" 65 "a plan of 3 shards for --shard 2/4: 65"
like "$(cat "$T/err")" "no shard odoo:odoo:res.partner#2/4 in the plan" "says which"
run odoo-extract -q --shard 2/3 --shard-plan-file "$T/o.plan" res.users 2>"$T/err"
is "$st" 65 "a plan of another model: 65"
printf '%s\n' '{"shard":"1/3","stream":"odoo:odoo:res.partner#1/3","field":"id","lt":"x"}' \
	'not json' >"$T/bad.plan"
run odoo-extract -q --shard 1/3 --shard-plan-file "$T/bad.plan" res.partner 2>"$T/err"
is "$st" 65 "a broken plan: 65"
like "$(cat "$T/err")" "bad.plan:2: not a shard plan line" "names file:line"
run odoo-extract -q --shard 1/3 --shard-plan-file "$T/none" res.partner 2>"$T/err"
is "$st" 66 "a missing plan: 66"
run odoo-extract -q --shard-plan-file "$T/o.plan" res.partner 2>"$T/err"
is "$st" 64 "--shard-plan-file without --shard: 64"
run odoo-extract -q --shard-plan 3 --shard 1/3 res.partner 2>"$T/err"
is "$st" 64 "--shard-plan with --shard: 64"
run odoo-extract -q --shard-plan 0 res.partner 2>"$T/err"
is "$st" 64 "--shard-plan 0: 64"
# more shards than ids: some are empty, still nothing lost
D='[["id","<=",5]]'
odoo-extract -q --domain "$D" --fields name res.partner | sort >"$T/o.small"
odoo-extract -q --domain "$D" --shard-plan 9 res.partner >"$T/o.splan"
like "$(jq -s 'map(select(.empty)) | length' "$T/o.splan")" "^[1-9]" "9 shards of ids 1..5: some empty"
for K in 1 2 3 4 5 6 7 8 9; do
	odoo-extract -q --domain "$D" --shard $K/9 --shard-plan-file "$T/o.splan" \
		--fields name res.partner
done | sort >"$T/o.smallu"
same_file "$T/o.smallu" "$T/o.small" "...and the union is the domain's records"

# ---- bng-extract ----------------------------------------------------------
sandbox_start bng --records 30 --entity invoices=90
BNG_CLIENT_ID=erpipe BNG_CLIENT_SECRET=erpipe-secret
export BNG_CLIENT_ID BNG_CLIENT_SECRET
bng-extract -q invoices | grep -v _checkpoint | sort >"$T/b.all"
bng-extract -q --shard-plan 4 invoices >"$T/b.plan"
is "$(jq -r .stream "$T/b.plan" | head -1)" "bng:-:invoices#1/4" "bng: the plan names each shard's stream"
n0=$(sandbox_log bng | jq 'map(.n) | max')
for K in 1 2 3 4; do
	bng-extract -q --shard $K/4 --shard-plan-file "$T/b.plan" invoices | grep -v _checkpoint
done | sort >"$T/b.union"
same_file "$T/b.union" "$T/b.all" "bng: planned shards' union is the whole, nothing twice"
is "$(sandbox_log bng "$n0" | jq '[.[] | select((.query // "") | test("count=true"))] | length')" 0 \
	"bng: no shard asked for the count and id range"
n0=$(sandbox_log bng | jq 'map(.n) | max')
bng-extract -q --shard 1/4 invoices >/dev/null
is "$(sandbox_log bng "$n0" | jq '[.[] | select((.query // "") | test("count=true"))] | length')" 1 \
	"without a plan it does (the count above can fail)"

# ---- nav-extract ----------------------------------------------------------
nav_env --records 50
nav-extract -q --select No,Name Customer | sort >"$T/n.all"
nav-extract -q --shard-plan 3 Customer >"$T/n.plan"
is "$(jq -r .field "$T/n.plan" | sort -u)" "No" "nav: the plan is on the key No"
is "$(jq -r '.ge // empty' "$T/n.plan" | wc -l)" 2 "...with text bounds"
n0=$(sandbox_log nav | jq 'map(.n) | max')
for K in 1 2 3; do
	nav-extract -q --shard $K/3 --shard-plan-file "$T/n.plan" --select No,Name Customer
done | sort >"$T/n.union"
same_file "$T/n.union" "$T/n.all" "nav: planned shards' union is the whole, nothing twice"
keyreads() { sandbox_log nav "$1" | jq '[.[] | select((.query // "") | test("[$]select=No&"))] | length'; }
is "$(keyreads "$n0")" 0 "nav: no shard read the key list"
n0=$(sandbox_log nav | jq 'map(.n) | max')
nav-extract -q --shard 2/3 --select Name Customer >/dev/null
like "$(keyreads "$n0")" "^[1-9]" "without a plan it does (the count above can fail)"
done_testing
