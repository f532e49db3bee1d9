#!/bin/sh
# The stream's rules for odd records, the same in every stage (erpipe(7)):
# a repeated key is read as its last value (xform, validate, load into
# each target, reconcile); an escaped lone surrogate (\ud800) is a parse
# reject everywhere and every reject line stays valid JSON for the
# documented `jq -c .record` replay; a string holding \u0000 is carried by
# xform and validate, and refused by load with its path, never cut short.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-rpc.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-env.sh"

# ---- duplicate keys: last wins ----------------------------------------------
printf '%s\n' '{"a":1,"b":2,"a":3}' \
	'{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k3":33,"k10":10,"k9":99}' \
	'{"n":{"x":1,"y":2,"x":3}}' >"$T/dup"
printf 'a = $a\nk3 = $k3\nk9 = $k9\nall = $\n' >"$T/m.map"
xform -q -f "$T/m.map" "$T/dup" >"$T/out"
is "$(sed -n 1p "$T/out")" '{"a":3,"k3":null,"k9":null,"all":{"a":3,"b":2}}' \
	"xform: a repeated key is its last value, at its first place"
is "$(sed -n 2p "$T/out" | jq -c '[.k3, .k9, (.all | keys_unsorted | length)]')" '[33,99,11]' \
	"xform: the same past the linear scan (a hash table of keys)"
is "$(sed -n 3p "$T/out" | jq -c .all)" '{"n":{"x":3,"y":2}}' "xform: in nested objects too"
# 300 members, each key twice and k7 three times: past the signatures, a table
$PYTHON -c '
import sys
m = ["\"k%d\":%d" % (i, i) for i in range(150)]
m += ["\"k%d\":%d" % (i, 1000 + i) for i in range(150)] + ["\"k7\":\"last\""]
print("{" + ",".join(m) + "}")' >"$T/wide"
xform -q -f "$T/m.map" "$T/wide" >"$T/out"
is "$(jq -c '[(.all | length), .all.k0, .all.k149, .all.k7, (.all | keys_unsorted | .[0:3])]' "$T/out")" \
	'[150,1000,1149,"last",["k0","k1","k2"]]' "xform: 300 members with repeats: 150 keys, last values, first places"
run validate -q --rule '$a == 3' "$T/dup" >/dev/null
is "$st" 65 "validate: --rule sees the last value (record 2 has no a)"
printf '%s\n' '{"a":1,"a":3}' >"$T/dup1"
run validate -q --rule '$a == 3' "$T/dup1" >"$T/vout"
is "$st" 0 "validate: {\"a\":1,\"a\":3} passes \$a == 3"
printf '%s\n' '{"type":"object","properties":{"a":{"type":"string"}}}' >"$T/s.schema.json"
run validate -q -s "$T/s.schema.json" "$T/dup1" >/dev/null
is "$st" 65 "validate: the schema sees the last value too"
same_file "$T/vout" "$T/dup1" "validate passes the record's bytes on as they were"

printf '%s\n' '{"id":1,"a":1,"a":2}' '{"id":2,"b":{"x":1,"x":2}}' '{"id":3,"c":{}}' >"$T/l"
printf '%s\n' '{"id":1,"a":2}' '{"id":2,"b":{"x":2}}' '{"id":3,"c":{}}' >"$T/r"
run reconcile -q --key id "$T/l" "$T/r"
is "$st" 0 "reconcile: last wins, in fields and in nested objects"
printf '%s\n' '{"id":1,"a":2,"a":1}' >"$T/l2"
run reconcile -q --key id "$T/l2" "$T/r"
is "$st" 1 "reconcile: ... so the other order differs"

# ---- lone surrogates: a parse reject, reject lines valid JSON ---------------
printf '%s\n' '{"s":"\ud800"}' '{"s":"\udc00x"}' '{"s":"\ud800\u0041"}' '{"s":"\ud83d\ude00"}' >"$T/sur"
for stage in "xform -f $T/m.map" "validate"; do
	rm -f "$T/rej"
	run $stage -q --rejects "$T/rej" --max-rejects 9 "$T/sur" >"$T/out"
	is "$(jq -r '.stage + " " + .error' "$T/rej" | tr '\n' ';')" \
		"parse not valid JSON: lone surrogate in \\u escape at byte 7;parse not valid JSON: lone surrogate in \\u escape at byte 7;parse not valid JSON: lone surrogate in \\u escape at byte 7;" \
		"${stage%% *}: each lone surrogate a parse reject, with why"
	is "$(wc -l <"$T/out" | tr -d ' ')" 1 "${stage%% *}: the pair goes through"
	ok "${stage%% *}: the reject file replays with jq -c .record" jq -c .record "$T/rej"
done

# ---- load: each target ------------------------------------------------------
sandbox_start bng --records 2
BNG_CLIENT_ID=erpipe BNG_CLIENT_SECRET=erpipe-secret
export BNG_CLIENT_ID BNG_CLIENT_SECRET
odoo_env --partners 2
sandbox_start nav --records 2
NAV_URL=$NAV_URL/BC/ODataV4 NAV_USER=admin NAV_PASSWORD=NAVkey123
NAV_COMPANY='CRONUS International Ltd.'
export NAV_URL NAV_USER NAV_PASSWORD NAV_COMPANY

bng_in() {
	printf '%s\n' '{"ExternalID":"sr:1","CompanyName":"first","Status":"Active","CompanyName":"last"}' \
		'{"ExternalID":"sr:2","CompanyName":"before\u0000after"}' \
		'{"ExternalID":"sr:3","CompanyName":"\ud800"}'
}
bng_in >"$T/bng"
run load -q bng customers --rejects "$T/rej.bng" --max-rejects 2 "$T/bng" >"$T/rc"
is "$(jq -r .status "$T/rc" | tr '\n' ' ')" "created rejected rejected " \
	"load bng: created, the NUL refused, the surrogate refused: a receipt each"
is "$(curl -sS -H "Authorization: Bearer $(curl -sS -d grant_type=client_credentials -d client_id=erpipe -d client_secret=erpipe-secret "$BNG_URL/oauth/token" | jq -r .access_token)" \
	"$BNG_URL/api/v1/customers?ExternalID=sr:1" | jq -r '.. | objects | select(.ExternalID? == "sr:1") | .CompanyName' | head -1)" \
	last "load bng: the last CompanyName is what BNG holds"
is "$(jq -r 'select(.source | endswith(":2")) | .stage + " " + .error' "$T/rej.bng")" \
	"load /CompanyName: a string holding U+0000 (\\u0000) cannot be sent" \
	"load bng: the NUL is refused with its path, not cut"
is "$(jq -r 'select(.source | endswith(":3")) | .stage' "$T/rej.bng")" parse \
	"load: the surrogate is a parse reject, as in xform and validate"
ok "load: its reject file replays with jq -c .record" jq -c .record "$T/rej.bng"
run load -q bng customers --max-rejects 2 "$T/bng" >"$T/rc2"
is "$(jq -r .status "$T/rc2" | sed -n 1p)" unchanged "load bng: a rerun is unchanged (the same value read)"

printf '%s\n' '{"ref":"SR1","name":"first","name":"last"}' '{"ref":"SR2","name":"a\u0000b"}' >"$T/odoo"
run load -q odoo res.partner --key ref --rejects "$T/rej.odoo" --max-rejects 1 "$T/odoo" >"$T/ro"
is "$(jq -r .status "$T/ro" | tr '\n' ' ')" "created rejected " "load odoo: created, the NUL refused"
is "$(rpc res.partner search_read '[[["ref","=","SR1"]]]' '{"fields":["name"]}' | jq -r '.[0].name')" \
	last "load odoo: holds the last name"

printf '%s\n' '{"No":"SR1","Name":"first","Name":"last"}' '{"No":"SR2","Name":"a\u0000b"}' >"$T/nav"
run load -q nav Customer -k No --rejects "$T/rej.nav" --max-rejects 1 "$T/nav" >"$T/rn"
is "$(jq -r .status "$T/rn" | tr '\n' ' ')" "created rejected " "load nav: created, the NUL refused"
is "$(curl -sS -u admin:NAVkey123 "$NAV_URL/Company('CRONUS%20International%20Ltd.')/Customer('SR1')" | jq -r .Name)" \
	last "load nav: holds the last Name"
done_testing
