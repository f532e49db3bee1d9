#!/bin/sh
# xform -f: records through a map; drops counted; runtime errors rejected
# with the map's position and the record's line; compile errors before any
# input; checkpoints pass through a mapped stream.
. "${ERPIPE_TOP:-.}/tests/lib.sh"

cat > "$T/m.map" <<'X'
# test map
Id    = "x:" . $id
Name  = upper($name)
Total = $qty * $price
if $skip { drop }
if $qty < 0 { error "negative quantity" }
X
cat > "$T/in" <<'X'
{"id":1,"name":"ab","qty":2,"price":1.10,"skip":false}
{"id":2,"name":"cd","qty":1,"price":5,"skip":true}
{"_checkpoint":{"stream":"t:x:y","v":1,"pos":{"id":2}}}
{"id":3,"name":"ef","qty":-1,"price":5,"skip":false}
{"id":4,"name":"gh","qty":"many","price":5,"skip":false}
not json
{"id":5,"name":"ij","qty":3,"price":0.1,"skip":false}
X
run xform -f "$T/m.map" --rejects "$T/rej" --state "$T/st" "$T/in" > "$T/out" 2> "$T/err"
is "$st" 65 "three rejects: 65"
cat > "$T/want" <<'X'
{"Id":"x:1","Name":"AB","Total":2.20}
{"_checkpoint":{"stream":"t:x:y","v":1,"pos":{"id":2}}}
{"Id":"x:5","Name":"IJ","Total":0.3}
X
same_file "$T/out" "$T/want" "mapped records and the checkpoint, in order; exact decimals"
like "$(cat "$T/err")" "read 6, wrote 2, dropped 1, rejected 3" "counts: one dropped by the map"
is "$(jq -r '.stage + " " + .source' "$T/rej" | tr '\n' '|')" \
	"map $T/in:4|map $T/in:5|parse $T/in:6|" "rejects name stage and record line"
like "$(sed -n 1p "$T/rej" | jq -r .error)" "m.map:6:[0-9]+: negative quantity" "error statement: map position and message"
like "$(sed -n 2p "$T/rej" | jq -r .error)" "m.map:4:[0-9]+: " "type error: map position"
is "$(sed -n 1p "$T/rej" | jq -c .record.id)" 3 "the record is kept for replay"
is "$(jq -c . "$T/st")" '{"t:x:y":{"id":2}}' "checkpoint committed through a mapped stream"

# replay the fixed records into the stage that refused them
jq -c 'select(.record) | .record | .qty = 1' "$T/rej" | xform -q -f "$T/m.map" > "$T/replayed"
is "$(jq -r .Id "$T/replayed" | tr '\n' ' ')" "x:3 x:4 " "fixed rejects replay"

# compile errors: file:line:col, the line, a caret; no input read
printf 'A = 1\nB = $a +\n' > "$T/bad.map"
run xform -f "$T/bad.map" /nonexistent > "$T/out" 2> "$T/err"
is "$st" 65 "a map that does not compile: 65, before reading input"
like "$(sed -n 1p "$T/err")" "^xform: .*bad.map:2:9: " "names file:line:col"
is "$(sed -n 2p "$T/err")" "  B = \$a +" "shows the source line"
is "$(sed -n 3p "$T/err")" "          ^" "and a caret under the column"
run xform --check "$T/bad.map" 2>/dev/null
is "$st" 65 "--check: 65"
run xform --check "$T/m.map"
is "$st" 0 "--check of a good map: 0"
run xform -f "$T/missing.map" < /dev/null 2> "$T/err"
is "$st" 66 "missing map: 66"

# --keep starts from the input record
printf 'del skip\nName = upper($name)\n' > "$T/k.map"
echo '{"id":1,"name":"ab","skip":false}' | xform -q --keep -f "$T/k.map" > "$T/out"
is "$(cat "$T/out")" '{"id":1,"name":"ab","Name":"AB"}' "--keep and del"

# a template by name on the search path (the source tree's examples/maps)
xform -q -f odoo/res.partner-to-bng/Customer --max-rejects 1 \
	"$ERPIPE_TOP/examples/data/partners.ndjson" > "$T/cust" 2>/dev/null || true
# (Brandon Freeman is neither customer nor vendor: the template drops him)
is "$(grep -c '"ExternalID":"odoo:' "$T/cust")" 3 "the Customer template found by name"

# the map's parser is the only parse of a mapped line: a line that is not
# a JSON object is rejected exactly as without a map (same stage, message,
# raw bytes), including a cut last line
printf '%s\n' '{"id":1}' '[1,2]' '{"a":01}' '{"a":"x\q"}' '{"a":1} x' '"str"' '{"b":[1,}' > "$T/badl"
printf '{"id":' >> "$T/badl"
printf 'Id = $id\n' > "$T/id.map"
run xform -q --max-rejects 100 --rejects "$T/rej-plain" "$T/badl" > /dev/null
run xform -q -f "$T/id.map" --max-rejects 100 --rejects "$T/rej-mapped" "$T/badl" > "$T/out"
is "$(cat "$T/out")" '{"Id":1}' "mapped: the good line"
same_file "$T/rej-mapped" "$T/rej-plain" "mapped and unmapped runs reject the bad lines alike"
is "$(jq -r .error "$T/rej-mapped" | tr '\n' '|')" \
	'not a JSON object (a JSON array)|not valid JSON: leading zero in number at byte 7|not valid JSON: bad escape in string at byte 9|not valid JSON: trailing characters after the value at byte 9|not a JSON object (a JSON string)|not valid JSON: unexpected character at byte 9|' \
	"the runner's messages, byte positions included"

done_testing
