#!/bin/sh
# odoo-extract --shard K/N: N contiguous id ranges whose union is the
# unsharded read, without overlap; with --domain, --concurrency and --state
# (each shard its own stream).
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
sandbox_start odoo --partners 200
ODOO_DB=odoo ODOO_USER=admin ODOO_PASSWORD=admin
export ODOO_DB ODOO_USER ODOO_PASSWORD
odoo-extract -q --fields name res.partner >"$T/all"
sort "$T/all" >"$T/all.sorted"
for N in 1 2 3 5 7; do
	: >"$T/union"
	K=1
	while [ $K -le $N ]; do
		odoo-extract -q --shard $K/$N --page-size 17 --fields name res.partner >"$T/s$K"
		cat "$T/s$K" >>"$T/union"
		K=$((K + 1))
	done
	sort "$T/union" >"$T/union.sorted"
	same_file "$T/union.sorted" "$T/all.sorted" "$N shards: the union is the whole, nothing twice"
done
# ranges are contiguous: shard 1's ids all below shard 2's
is "$(odoo-extract -q --shard 1/2 --fields name res.partner | jq -s 'map(.id) | max')" \
	"$(( $(odoo-extract -q --shard 2/2 --fields name res.partner | jq -s 'map(.id) | min') - 1 ))" \
	"shard 1/2 ends where 2/2 begins (ids are dense in the seed)"
D='[["is_company","=",true]]'
odoo-extract -q --domain "$D" --fields name res.partner | sort >"$T/dom"
for K in 1 2 3; do
	odoo-extract -q --shard $K/3 --concurrency 3 --page-size 5 --domain "$D" --fields name res.partner
done | sort >"$T/domu"
same_file "$T/domu" "$T/dom" "--domain and --concurrency: the union is the domain's records"
is "$(odoo-extract --count --shard 2/3 res.partner)" \
	"$(odoo-extract -q --shard 2/3 --fields name res.partner | wc -l)" "--count --shard"
odoo-extract -q --shard 2/4 --state "$T/st.json" --fields name res.partner | xform -q --state "$T/st.json" >/dev/null
is "$(jq -r 'keys[]' "$T/st.json")" "odoo:odoo:res.partner#2/4" "a shard's checkpoints have their own stream"
run odoo-extract --shard 3/2 res.partner 2>"$T/err"
is "$st" 64 "--shard 3/2: 64"
like "$(cat "$T/err")" "bad --shard '3/2': expected K/N with 1 <= K <= N <= 1000" "says so"
done_testing
