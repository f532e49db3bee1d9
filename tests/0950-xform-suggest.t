#!/bin/sh
# xform --suggest: a draft map from a source sample to a target schema
# and/or sample (tests/data/suggest): the draft is the expected one byte for
# byte, the same on a second run and from stdin, compiles, runs on the
# sample; the compositions and conversions it shows; bad input refused with
# file:line and a sysexits status.
. "${ERPIPE_TOP:-.}/tests/lib.sh"

D=$ERPIPE_TOP/tests/data/suggest
cd "$D"
run xform --suggest contacts.schema.json contacts.ndjson > "$T/draft.map" 2> "$T/err"
is "$st" 0 "--suggest: status 0"
same_file "$T/draft.map" contacts.map "the draft is the expected one"
is "$(cat "$T/err")" "" "nothing on stderr"
xform --suggest contacts.schema.json contacts.ndjson > "$T/again.map"
same_file "$T/again.map" "$T/draft.map" "the same inputs give the same draft"
xform --suggest contacts.schema.json < contacts.ndjson | sed 's/: stdin ->/: contacts.ndjson ->/' > "$T/stdin.map"
same_file "$T/stdin.map" "$T/draft.map" "the source read from stdin: the same draft"
run xform --check "$T/draft.map"
is "$st" 0 "the draft compiles"
run xform -q -f "$T/draft.map" contacts.ndjson > "$T/out"
is "$st" 0 "the draft runs on the sample"
same_file "$T/out" contacts.out.ndjson "its records as expected"
like "$(grep '^name = ' "$T/draft.map")" 'join\(" ", \$First_Name, \$Last_Name\)' \
	"composition: first + last name"
like "$(grep '^address = ' "$T/draft.map")" \
	'join\(", ", \$Street_Address, join\(" ", \$Post_Code, \$Town\)\)' \
	"composition: street + zip + city, the target having no zip or city"
like "$(grep '^status = ' "$T/draft.map")" '\$Is_Active \? "Active" : "Inactive"' \
	"a boolean as the target's enum values"
like "$(grep '^country_code = ' "$T/draft.map")" 'shape country code' "a shape is a reason"
like "$(grep '^orders = ' "$T/draft.map")" 'map\(L_orders, \$Orders\)' "lines through a sub-mapping"
like "$(sed -n '/^map L_orders {/,/^}/p' "$T/draft.map" | tr '\n' '|')" \
	'amount = \$total .*# TODO currency' "drafted from the lines' fields (the schema's \$defs)"
like "$(grep '^# TODO external_id' "$T/draft.map")" '\(required\)' "an unmatched required field is a TODO"
is "$(grep -c '^id = \|^updated_at = \|TODO updated_at\|TODO id$' "$T/draft.map")" 0 \
	"read-only fields and modification stamps are left to the target"
# every code line has a score and a reason
is "$(grep -Ev '^[[:space:]]*#|^map L_[A-Za-z0-9_]+ \{$|^\}$' "$T/draft.map" |
	grep -cv '  # [01]\.[0-9][0-9] ')" 0 "every line has a score and a reason"

# a target sample, with or without the schema: value overlap as evidence
cat > "$T/tgt.ndjson" <<'X'
{"external_id":"crm:7","name":"Ann Peeters","email":"ann.peeters@example.be","country_code":"BE","status":"Active","credit_limit":2500.5}
{"external_id":"crm:8","name":"Zoë Dubois","email":"zoe@example.fr","country_code":"FR","status":"Inactive","credit_limit":120}
X
run xform --suggest "$T/tgt.ndjson" contacts.ndjson > "$T/s.map"
is "$st" 0 "a target sample alone"
like "$(grep '^email = ' "$T/s.map")" 'values 2 of 2 shared' "value overlap is a reason"
run xform --suggest contacts.schema.json --suggest "$T/tgt.ndjson" contacts.ndjson > "$T/s2.map"
is "$st" 0 "a schema and a sample"
like "$(sed -n 1p "$T/s2.map")" "-> contacts.schema.json \+ .*tgt.ndjson" "both named in the header"
ok "and it compiles" xform --check "$T/s2.map"

# odd names are quoted; a schema found by name on the path (validate's)
printf '{"Deal Name":"X","Amount":"12.50"}\n' > "$T/odd.ndjson"
printf '{"properties":{"Deal \\"Name\\"":{"type":"string"},"amount":{"type":"number"}}}' > "$T/odd.schema.json"
run xform --suggest "$T/odd.schema.json" "$T/odd.ndjson" > "$T/odd.map"
like "$(cat "$T/odd.map")" '"Deal \\"Name\\"" = \$\["Deal Name"\]' "odd names quoted on both sides"
like "$(cat "$T/odd.map")" 'amount = to_number\(\$Amount\)' "numeric text to a number"
ok "odd names: compiles" xform --check "$T/odd.map"
run xform --suggest bng/Customer "$ERPIPE_TOP/examples/data/odoo-partners.ndjson" > "$T/bng.map"
is "$st" 0 "a schema by name (bng/Customer)"
ok "and it compiles" xform --check "$T/bng.map"

# --describe's schema as the target
bng-extract --describe --openapi "$ERPIPE_TOP/examples/bng/openapi.json" customers > "$T/desc.json"
run xform --suggest "$T/desc.json" "$ERPIPE_TOP/examples/data/odoo-partners.ndjson" > "$T/desc.map"
is "$st" 0 "bng-extract --describe's schema as the target"
like "$(grep '^Email = ' "$T/desc.map")" '\$email' "Email from email"
is "$(grep -c '^CustomerID = \|TODO CustomerID' "$T/desc.map")" 0 "its read-only id left out"

# bad input
printf '{"a":1}\n{"a":\n' > "$T/bad.ndjson"
run xform --suggest contacts.schema.json "$T/bad.ndjson" > /dev/null 2> "$T/err"
is "$st" 65 "a bad source line: 65"
like "$(cat "$T/err")" "^xform: .*bad.ndjson:2: not JSON" "named with file:line"
run xform --suggest no/Such contacts.ndjson > /dev/null 2> "$T/err"
is "$st:$(cat "$T/err")" "66:xform: cannot find schema 'no/Such'" "a missing schema: 66"
run xform --suggest contacts.schema.json "$T/none.ndjson" > /dev/null 2> "$T/err"
is "$st" 66 "a missing source file: 66"
printf 'email: e_mail\nzip postcode\n' > "$T/syn.txt"
run xform --suggest contacts.schema.json --synonyms "$T/syn.txt" contacts.ndjson > /dev/null 2> "$T/err"
is "$st:$(cat "$T/err")" "65:xform: $T/syn.txt:2: want 'concept: variant ...'" \
	"a bad synonym line: 65 with file:line"
printf '{"properties": 1}' > "$T/bad.schema.json"
run xform --suggest "$T/bad.schema.json" contacts.ndjson > /dev/null 2> "$T/err"
is "$st" 65 "a schema without properties: 65"
run xform --suggest contacts.schema.json -f some.map contacts.ndjson > /dev/null 2> "$T/err"
is "$st" 64 "--suggest with -f: usage, 64"
like "$(head -1 "$T/err")" "not with -f, --check or --pairs" "and why"
run xform --synonyms "$T/syn.txt" contacts.ndjson > /dev/null 2> "$T/err"
is "$st" 64 "--synonyms without --suggest: 64"
# another synonym table changes the evidence
printf 'phone: telephone\n' > "$T/syn.txt"
run xform --suggest contacts.schema.json --synonyms "$T/syn.txt" contacts.ndjson > "$T/syn.map"
like "$(sed -n 3p "$T/syn.map")" "synonyms: syn.txt" "--synonyms: the table named"
like "$(grep '^phone = ' "$T/syn.map")" 'synonyms' "--synonyms: its synonyms used"

done_testing
