#!/bin/sh
# load bng: a create answered 409 because a unique field other than the key
# (a product's Sku, an order's OrderNo) is held by a record of another key is
# a reject with BNG's message; the record holding it is left alone.  load
# used to update that record instead, overwriting its ExternalID and data
# with the new one's: the first record silently gone (found by the round-trip
# test, tests/0014, on sales orders sharing an OrderNo).  A 409 on the key
# itself (a race), or a holder without a key, is still read and updated.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/bng-api.sh"

bng_env --records 0

echo '{"ExternalID":"p:1","Sku":"SKU-1","Name":"one","UnitPrice":1,"Currency":"EUR"}' >"$T/one"
echo '{"ExternalID":"p:2","Sku":"SKU-1","Name":"two","UnitPrice":2,"Currency":"EUR"}' >"$T/two"
run load -q bng products "$T/one" >"$T/r1"
is "$(jq -r .status "$T/r1")" created "p:1 created"
for batch in 100 1; do
	run load -q bng products --batch $batch --rejects "$T/rej$batch" "$T/two" >"$T/r2"
	is "$st" 65 "batch $batch: p:2 with p:1's Sku: exit 65"
	is "$(jq -c '[.key.ExternalID, .status, .error]' "$T/r2")" \
		'["p:2","rejected","conflict: Sku '"'"'SKU-1'"'"' already exists"]' \
		"batch $batch: a reject naming the Sku taken"
	is "$(jq -c '[.stage, .errors[0].path, .record.ExternalID]' "$T/rej$batch")" \
		'["load","/Sku","p:2"]' "batch $batch: the reject names the field and carries the record"
	is "$(bng_dump products | jq -c '[.ExternalID, .Sku, .Name, .UnitPrice]')" \
		'["p:1","SKU-1","one",1]' "batch $batch: p:1 is left as it was"
done

# a holder without a key is still taken over (BNG's own record, now keyed)
api POST /products '{"Sku":"SKU-2","Name":"unkeyed","UnitPrice":3,"Currency":"EUR"}' >/dev/null
echo '{"ExternalID":"p:3","Sku":"SKU-2","Name":"three","UnitPrice":3,"Currency":"EUR"}' |
	load -q bng products >"$T/r3"
is "$(jq -r .status "$T/r3")" updated "a holder of the Sku with no ExternalID: updated"
is "$(bng_dump products | jq -c 'select(.Sku == "SKU-2") | [.ExternalID, .Name]')" '["p:3","three"]' \
	"and keyed now"
done_testing
