#!/bin/sh
# validate: valid records pass as their bytes, invalid ones go to the rejects
# with every error and its JSON Pointer path; checkpoints pass in order;
# rules with and without messages; exit statuses 0, 64, 65, 66.
. "${ERPIPE_TOP:-.}/tests/lib.sh"

cat > "$T/c.schema.json" <<'X'
{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "required": ["ExternalID", "Email"],
  "properties": {
    "ExternalID": {"type": "string", "pattern": "^odoo:[0-9]+$"},
    "Email": {"type": "string", "format": "email"},
    "CreditLimit": {"type": "number", "minimum": 0, "multipleOf": 0.01},
    "Lines": {"type": "array", "items": {"type": "object", "required": ["qty"],
      "properties": {"qty": {"type": "integer", "minimum": 1}}}}
  }
}
X
# odd spacing, escapes, a number written 1.50 and a CRLF line: written as is
printf '%s\n' \
	'{"ExternalID":"odoo:1", "Email":"a@b.de","CreditLimit":1.50,"Note":"caf\u00e9 \"x\""}' \
	'{"ExternalID":"x","Email":"nope","CreditLimit":-1.001}' \
	'{"_checkpoint":{"stream":"odoo:t:res.partner","v":1,"pos":{"id":2}}}' \
	'{"Email":"z@z.de","Lines":[{"qty":1},{"qty":0},{}]}' > "$T/in"
printf '{"ExternalID":"odoo:5","Email":"e@f.de"}\r\n' >> "$T/in"

run validate -s "$T/c.schema.json" --rejects "$T/rej" "$T/in" > "$T/out" 2> "$T/err"
is "$st" 65 "two rejects, --max-rejects 0: exit 65"
printf '%s\n' \
	'{"ExternalID":"odoo:1", "Email":"a@b.de","CreditLimit":1.50,"Note":"caf\u00e9 \"x\""}' \
	'{"_checkpoint":{"stream":"odoo:t:res.partner","v":1,"pos":{"id":2}}}' \
	'{"ExternalID":"odoo:5","Email":"e@f.de"}' > "$T/want"
same_file "$T/out" "$T/want" "valid records and the checkpoint, byte for byte, in order"
is "$(wc -l < "$T/rej" | tr -d ' ')" 2 "two rejects"
is "$(sed -n 1p "$T/rej")" \
	"$(printf '%s' '{"stage":"validate","source":"'"$T"'/in:2","error":"/ExternalID: does not match pattern \"^odoo:[0-9]+$\"","errors":[{"path":"/ExternalID","message":"does not match pattern \"^odoo:[0-9]+$\""},{"path":"/Email","message":"does not match format \"email\""},{"path":"/CreditLimit","message":"must be >= 0"},{"path":"/CreditLimit","message":"is not a multiple of 0.01"}],"record":{"ExternalID":"x","Email":"nope","CreditLimit":-1.001}}')" \
	"reject 1: every error with its path, the record as it was"
is "$(sed -n 2p "$T/rej" | jq -c '[.source, .errors]')" \
	"[\"$T/in:4\",[{\"path\":\"/Lines/1/qty\",\"message\":\"must be >= 1\"},{\"path\":\"/Lines/2/qty\",\"message\":\"is required\"},{\"path\":\"/ExternalID\",\"message\":\"is required\"}]]" \
	"reject 2: paths into arrays, required fields named by their path"
like "$(cat "$T/err")" "read 4, wrote 2, dropped 0, rejected 2" "counts on stderr"

# replay: the records of the rejects, fixed, pass
jq -c '.record | .ExternalID = "odoo:9" | .Email = "ok@x.de" | .CreditLimit = 1 | del(.Lines)' \
	"$T/rej" > "$T/fixed"
run validate -q -s "$T/c.schema.json" "$T/fixed" > "$T/out2"
is "$st" 0 "fixed rejects replay: exit 0"
is "$(wc -l < "$T/out2" | tr -d ' ')" 2 "both written"

# text rejects on stderr without --rejects: one line each, all the errors
run validate -s "$T/c.schema.json" "$T/in" > /dev/null 2> "$T/err"
is "$(grep -c ': validate: ' "$T/err")" 2 "two text rejects"
like "$(grep ':2: validate' "$T/err")" \
	'in:2: validate: /ExternalID: does not match pattern .*; /Email: does not match format "email"; /CreditLimit: must be >= 0; /CreditLimit: is not a multiple of 0.01$' \
	"a text reject lists every error"

# --max-rejects
run validate -q -s "$T/c.schema.json" --max-rejects 2 "$T/in" > /dev/null 2>&1
is "$st" 0 "--max-rejects 2: exit 0"

# rules, with and without a message, false and erroneous
cat > "$T/orders" <<'X'
{"name":"SO1","amount_total":10,"amount_untaxed":8.26,"date_order":"2026-01-02","date_due":"2026-02-01","order_line":[{"price_subtotal":5.01},{"price_subtotal":3.25}]}
{"name":"SO2","amount_total":-1,"amount_untaxed":8.26,"date_order":"2026-01-02","date_due":"2025-12-01","order_line":[{"price_subtotal":5}]}
{"name":"SO3","amount_total":"x","amount_untaxed":0,"date_order":"2026-01-02","date_due":"2026-01-02","order_line":[]}
X
run validate --rejects "$T/rej3" \
	--rule '$amount_total >= 0' --message 'total must not be negative' \
	--rule '$date_due >= $date_order' \
	--rule 'approx(sum($order_line[*].price_subtotal), $amount_untaxed, 0.01)' --message 'lines do not add up' \
	"$T/orders" > "$T/out3" 2> "$T/err3"
is "$st" 65 "rules: exit 65"
is "$(jq -r .name "$T/out3")" "SO1" "the order that keeps every rule passes"
is "$(jq -c '[(.source | sub(".*:"; "")), .error, [.errors[].message]]' "$T/rej3" | tr -d '\n')" \
	"$(printf '%s' '["2","total must not be negative",["total must not be negative","rule 2 failed: $date_due >= $date_order","lines do not add up"]]' \
		'["3","rule 1 '"'"'$amount_total >= 0'"'"': cannot compare string with number",["rule 1 '"'"'$amount_total >= 0'"'"': cannot compare string with number"]]')" \
	"failed rules: their message, or their number and text; an error in a rule fails it"

# now() is the time the run started, the same for every record
printf '{"due":"2000-01-01"}\n{"due":"2999-01-01"}\n' > "$T/due"
run validate -q --rule '$due > now()' --message 'due date passed' --rejects "$T/rej4" "$T/due" > "$T/out4"
is "$(jq -r .due "$T/out4"):$(jq -r .error "$T/rej4")" "2999-01-01:due date passed" "now() in a rule"

# usage errors: 64, nothing read
run validate --rule '$x >' < /dev/null 2> "$T/err4"
is "$st" 64 "a rule that does not compile: 64"
like "$(head -1 "$T/err4")" "^validate: --rule '\\\$x >': rule 1:1:5: " "says where in the rule"
run validate --message 'm' < /dev/null 2> "$T/err4"
is "$st" 64 "--message without --rule: 64"
like "$(head -1 "$T/err4")" "^validate: --message 'm' must follow a --rule$" "says so"
run validate --rule 'true' --message a --message b < /dev/null 2> /dev/null
is "$st" 64 "two messages for one rule: 64"
run validate --ref 'a=b' < /dev/null 2> "$T/err4"
is "$st" 64 "malformed --ref: 64"
run validate --unique 'a,,b' < /dev/null 2> /dev/null
is "$st" 64 "empty field name in --unique: 64"
run validate -s a -s b < /dev/null 2> /dev/null
is "$st" 64 "two schemas: 64"
run validate --bogus < /dev/null 2> "$T/err4"
is "$st" 64 "unknown option: 64"
like "$(sed -n 2p "$T/err4")" "^usage: validate " "usage on stderr"

# missing things: 66
run validate -s no/such/Schema < /dev/null 2> "$T/err5"
is "$st" 66 "schema not found: 66"
is "$(cat "$T/err5")" "validate: cannot find schema 'no/such/Schema'" "names it"
run validate --ref "a=$T/nope.ndjson:id" < /dev/null 2> "$T/err5"
is "$st" 66 "--ref file missing: 66"
run validate -s "$T/c.schema.json" "$T/nope" "$T/fixed" > "$T/out5" 2> "$T/err5"
is "$st" 66 "a missing input file: 66, the others still read"
is "$(wc -l < "$T/out5" | tr -d ' ')" 2 "the other file's records written"

# a schema that does not compile: 65
echo '{"type": "whatever"}' > "$T/bad.schema.json"
run validate -s "$T/bad.schema.json" < /dev/null 2> "$T/err6"
is "$st" 65 "bad schema: 65"
like "$(cat "$T/err6")" "bad.schema.json.*type: unknown type" "names the schema and the keyword"

# the search path: ERPIPE_PATH, then ./schemas
mkdir -p "$T/p/crm" "$T/w/schemas/crm"
cp "$T/c.schema.json" "$T/p/crm/Cust.schema.json"
echo '{"type":"object","required":["nothing-has-this"]}' > "$T/w/schemas/crm/Cust.schema.json"
run env ERPIPE_PATH="$T/nowhere:$T/p" validate -q -s crm/Cust "$T/fixed" > /dev/null
is "$st" 0 "a name found under ERPIPE_PATH first"
run sh -c "cd '$T/w' && validate -q -s crm/Cust '$T/fixed'" > /dev/null 2>&1
is "$st" 65 "then under ./schemas"

# validate parses each line itself: lines that are not JSON objects are
# refused exactly as the runner refuses them for every stage (xform here)
printf '{"a":1}\nnot json\n{"bad":"\377\376"}\n[1,2]\n"s"\n42\nnull\n{"x":01}\n{"y":"\\u12"}\n{"z":tru}\n{"q":1,}\n{"d":[[[]]]}\n  {"w" : 1 }  \n{"c":' > "$T/pj"
run xform --rejects "$T/xrej" "$T/pj" > "$T/xout" 2> /dev/null
run validate --rejects "$T/vrej" "$T/pj" > "$T/vout" 2> /dev/null
is "$st" 65 "not-JSON lines: 65"
same_file "$T/vout" "$T/xout" "the same lines written"
same_file "$T/vrej" "$T/xrej" "the same parse rejects, byte for byte"
is "$(jq -r .error "$T/vrej" | sed -n '1p;7p;11p')" "not valid JSON: unexpected character at byte 2
not valid JSON: leading zero in number at byte 7" "with the runner's messages (the cut last line is no reject)"

# --fail-fast
run validate -s "$T/c.schema.json" --fail-fast "$T/in" > "$T/out7" 2> "$T/err7"
is "$st" 65 "--fail-fast: 65"
is "$(wc -l < "$T/out7" | tr -d ' ')" 1 "stopped at the first reject"

done_testing
