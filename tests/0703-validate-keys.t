#!/bin/sh
# validate --unique and --ref: keys repeated in the stream are refused with
# the place of the first, references must exist in a key file; --report
# counts the failures per check and path; checkpoints and --state as every
# stage does them.
. "${ERPIPE_TOP:-.}/tests/lib.sh"

# ---- --unique ---------------------------------------------------------------
cat > "$T/a" <<'X'
{"ExternalID":"odoo:1","n":1}
{"ExternalID":"odoo:2","n":2}
{"ExternalID":"odoo:1","n":3}
{"n":4}
{"ExternalID":null,"n":5}
{"ExternalID":false,"n":6}
{"n":7}
X
cat > "$T/b" <<'X'
{"ExternalID":"odoo:2","n":8}
{"ExternalID":"odoo:3","n":9}
X
run validate --unique ExternalID --rejects "$T/rej" "$T/a" "$T/b" > "$T/out" 2> "$T/err"
is "$st" 65 "duplicates: exit 65"
is "$(jq -c .n "$T/out" | tr '\n' ' ')" "1 2 4 5 6 7 9 " "the first of each key written; missing, null, false not checked"
is "$(jq -c '[.source, .error]' "$T/rej" | sed "s|$T/||g" | tr '\n' ' ')" \
	'["a:3","/ExternalID: duplicate ExternalID \"odoo:1\", first at a:1"] ["b:1","/ExternalID: duplicate ExternalID \"odoo:2\", first at a:2"] ' \
	"each duplicate names the first's file and line, across files"
is "$(jq -c '.errors' "$T/rej" | head -1)" \
	"[{\"path\":\"/ExternalID\",\"message\":\"duplicate ExternalID \\\"odoo:1\\\", first at $T/a:1\"}]" \
	"the reject's errors: the key field's path"

# numbers by value, strings by characters, many2one by id
printf '%s\n' '{"k":7}' '{"k":7.0}' '{"k":"7"}' '{"k":7e0}' '{"k":[7,"Azure"]}' '{"k":[8,"Deco"]}' \
	'{"k":"caf\u00e9"}' '{"k":"café"}' '{"k":{"a":1}}' '{"k":{"a":1}}' '{"k":true}' '{"k":true}' > "$T/c"
run validate -q --unique k --rejects "$T/rej2" "$T/c" > "$T/out2"
is "$(jq -r '.source | sub(".*:"; "")' "$T/rej2" | tr '\n' ' ')" "2 4 5 8 10 12 " \
	"7 = 7.0 = 7e0 = [7, \"name\"]; \"7\" is another key; escapes decoded; objects and true compared"

# a duplicate of a rejected record is not refused for that
printf '%s\n' '{"id":"x","v":-1}' '{"id":"x","v":1}' '{"id":"x","v":2}' > "$T/d"
run validate -q --unique id --rule '$v > 0' --rejects "$T/rej3" "$T/d" > "$T/out3"
is "$(jq -c .v "$T/out3")" "1" "only records that pass claim their key"
is "$(jq -r '.errors[].message' "$T/rej3" | tr '\n' '|')" \
	"rule 1 failed: \$v > 0|duplicate id \"x\", first at $T/d:2|" \
	"the rejected one for its rule, the third as a duplicate of the second"

# several fields; several --unique
printf '%s\n' '{"co":1,"no":"A","mail":"a@x"}' '{"co":2,"no":"A","mail":"b@x"}' \
	'{"co":1,"no":"A","mail":"c@x"}' '{"co":3,"no":"B","mail":"a@x"}' > "$T/e"
run validate -q --unique co,no --unique mail --rejects "$T/rej4" "$T/e" > /dev/null
is "$(jq -c '[(.source | sub(".*:"; "")), .errors]' "$T/rej4" | sed "s|$T/||g" | tr '\n' ' ')" \
	'["3",[{"path":"","message":"duplicate co,no (1, \"A\"), first at e:1"}]] ["4",[{"path":"/mail","message":"duplicate mail \"a@x\", first at e:1"}]] ' \
	"a composite key is about the whole record; each --unique on its own"

# stdin is a source too
printf '{"k":1}\n{"k":1}\n' > "$T/in5"
run validate --unique k < "$T/in5" > /dev/null 2> "$T/err5"
like "$(cat "$T/err5")" 'stdin:2: validate: /k: duplicate k 1, first at stdin:1' "first at stdin:LINE"

# ---- --ref ------------------------------------------------------------------
cat > "$T/customers.ndjson" <<'X'
{"id":7,"name":"Azure Interior","vat":"BE0477472701"}
{"_checkpoint":{"stream":"odoo:t:res.partner","v":1,"pos":{"id":7}}}
{"id":14,"name":"Deco Addict","vat":false}
{"id":26,"name":"cut short
{"name":"no id"}
X
cat > "$T/orders" <<'X'
{"name":"SO1","partner_id":[7,"Azure Interior"]}
{"name":"SO2","partner_id":14}
{"name":"SO3","partner_id":[26,"Cut Short"]}
{"name":"SO4","partner_id":false}
{"name":"SO5","partner_id":99}
{"name":"SO6"}
X
run validate --ref "partner_id=$T/customers.ndjson:id" --rejects "$T/rej6" "$T/orders" > "$T/out6" 2> "$T/err6"
is "$st" 65 "unknown references: 65"
is "$(jq -r .name "$T/out6" | tr '\n' ' ')" "SO1 SO2 SO4 SO6 " "known ids pass; false or missing is not checked"
is "$(jq -r '.error' "$T/rej6" | sed "s|$T/||g" | tr '\n' '|')" \
	"/partner_id: partner_id [26,\"Cut Short\"] not found in 'customers.ndjson' (id)|/partner_id: partner_id 99 not found in 'customers.ndjson' (id)|" \
	"a reference not in the key file, with the file and its key"
like "$(head -1 "$T/err6")" "^validate: --ref: .*customers.ndjson:4: not a JSON object, skipped$" \
	"a key file line that does not parse: a warning naming it"

# composite references, and a key file where no record has the key
printf '%s\n' '{"co":1,"no":"A"}' '{"co":1,"no":"B"}' > "$T/keys"
printf '%s\n' '{"c":1,"n":"A"}' '{"c":1,"n":"C"}' > "$T/f"
run validate -q --ref "c,n=$T/keys:co,no" --rejects "$T/rej7" "$T/f" > "$T/out7"
is "$(jq -r .n "$T/out7"):$(jq -r .error "$T/rej7" | sed "s|$T/||")" \
	"A:c,n (1, \"C\") not found in 'keys' (co,no)" "several fields pair with several keys"
run validate --ref "c,n=$T/keys:co" < /dev/null 2> "$T/err8"
is "$st" 64 "fields and keys must pair: 64"
run validate --ref "c=$T/keys:nothing" < /dev/null 2> "$T/err8"
is "$st" 65 "a key no record of the file has: 65"
like "$(cat "$T/err8")" "no record of '.*keys' has 'nothing'" "says so"

# ---- --report ---------------------------------------------------------------
cat > "$T/s.json" <<'X'
{"type":"object","properties":{"qty":{"type":"integer"},
 "lines":{"type":"array","items":{"properties":{"price":{"minimum":0}}}}}}
X
printf '%s\n' '{"id":1,"qty":1.5,"lines":[{"price":-1},{"price":-2}],"c":1}' \
	'{"id":1,"qty":"x","lines":[{"price":1},{"price":-3}],"c":2}' '{"id":2,"qty":1,"c":1}' \
	'{"id":2,"qty":1,"c":5}' > "$T/g"
run validate -q -s "$T/s.json" --unique id --rule '$c < 2' --message 'c must stay below 2' \
	--ref "c=$T/g:id" --report --rejects /dev/null "$T/g" > /dev/null 2> "$T/rep"
is "$(cat "$T/rep")" "validate: report: 4 records checked, 1 valid, 3 invalid
validate: report:          3  /lines/*/price minimum
validate: report:          2  /qty type
validate: report:          2  rule 1: c must stay below 2
validate: report:          1  ref c=$T/g:id
validate: report:          1  unique id" \
	"--report: counts per path (indexes as *), rule, reference and key, most first, even with -q"

# ---- checkpoints, --state, --stats ------------------------------------------
cat > "$T/h" <<'X'
{"k":1}
{"_checkpoint":{"stream":"s","v":1,"pos":{"id":1}}}
{"k":1}
{"k":2}
{"_checkpoint":{"stream":"s","v":1,"pos":{"id":3}}}
X
run validate -q --unique k --state "$T/st.json" --stats "$T/stats.json" --max-rejects 1 \
	--rejects "$T/rej9" "$T/h" > "$T/out9"
is "$st" 0 "--state with a tolerated reject: 0"
is "$(grep -c _checkpoint "$T/out9")" 2 "checkpoints pass through"
is "$(jq -c .s "$T/st.json")" '{"id":3}' "the last position committed"
is "$(jq -c '{read,wrote,dropped,rejected,status}' "$T/stats.json")" '{"read":3,"wrote":2,"dropped":0,"rejected":1,"status":0}' "--stats"

done_testing
