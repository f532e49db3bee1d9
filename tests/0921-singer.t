#!/bin/sh
# Singer in and out.  --singer on the extractors writes Singer messages:
# SCHEMA (--describe's schema, the key in key_properties) before the first
# RECORD, a RECORD per record, a STATE per checkpoint whose value is what
# --state reads back; every line valid against the specification's
# messages (tests/data/singer/message.schema.json, written from its text).
# -i singer on xform, validate and load reads them back: a RECORD's record
# (its bytes as they are), a STATE's value as checkpoints (so --state commits
# the value), SCHEMA and ACTIVATE_VERSION no records; the round trip
# odoo-extract --singer | xform -i singer gives the plain extract's stream;
# a foreign tap's messages (two streams, a bookmarks state) load; what is
# no Singer message is a reject.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-env.sh"
odoo_env --partners 12
D=$ERPIPE_TOP/tests/data/singer

# ---- odoo-extract --singer --------------------------------------------------------------
run odoo-extract --singer --fields name,email,is_company --state "$T/none" res.partner > "$T/s"
is "$st" 0 "odoo-extract --singer: 0"
run odoo-extract --fields name,email,is_company --state "$T/none" res.partner > "$T/plain"
n=$(grep -vc _checkpoint "$T/plain")
is "$(jq -r .type "$T/s" | uniq -c | awk '{ printf "%s %s ", $1, $2 }')" "1 SCHEMA $n RECORD 1 STATE " \
	"a SCHEMA, the $n records, a STATE"
is "$(head -1 "$T/s" | jq -c '[.stream, .key_properties, (.schema.properties | keys)]')" \
	'["res.partner",["id"],["email","id","is_company","name"]]' \
	"SCHEMA: the model, its key, --describe's properties"
run validate -q -s "$D/message.schema.json" "$T/s"
is "$st" 0 "every message valid against the specification's"
is "$(tail -1 "$T/s" | jq -c .value)" "$(tail -1 "$T/plain" | jq -c '._checkpoint | {(.stream): .pos}')" \
	"STATE's value: {stream: pos}, the checkpoint's"

# ---- back: -i singer ----------------------------------------------------------------------
run xform -q -i singer "$T/s" > "$T/back"
is "$st" 0 "xform -i singer: 0"
same_file "$T/back" "$T/plain" "the round trip gives the plain extract's stream, checkpoint included"
run xform -q -i singer --state "$T/st" "$T/s" > /dev/null
is "$(jq -c . "$T/st")" "$(tail -1 "$T/s" | jq -c .value)" "--state commits STATE's value"
run xform -q --state "$T/pst" "$T/plain" > /dev/null
same_file "$T/st" "$T/pst" "the same state file as the plain stream's: the extractor reads it back"
run validate -q -i singer -s "$ERPIPE_TOP/examples/schemas/odoo/res.partner.schema.json" "$T/s" > "$T/v"
is "$st:$(grep -c '"_checkpoint"' "$T/v"):$(grep -vc '"_checkpoint"' "$T/v")" "0:1:$n" \
	"validate -i singer: the records, the checkpoint"

# ---- a foreign tap -------------------------------------------------------------------------
run xform -q -i singer --state "$T/fst" "$D/foreign.ndjson" > "$T/fout"
is "$st" 0 "a foreign tap's messages: 0"
is "$(grep -v _checkpoint "$T/fout" | tr '\n' ' ')" \
	'{"id": 1, "name": "Chris", "amount": 1.50, "big": 12345678901234567890} {"id": 2, "name": "Mike"} {"id": 1, "name": "Philadelphia"} ' \
	"the records of both streams, their bytes as sent (1.50, a 20-digit number)"
is "$(jq -c . "$T/fst")" '{"bookmarks":{"users":{"updated_at":"2026-12-07T05:00:00Z"},"locations":{"id":1}}}' \
	"--state holds the tap's last state, as a Singer runner keeps it"
run load -q -n -i singer odoo res.partner -k name "$D/foreign.ndjson" > "$T/plan"
is "$st:$(jq -r 'select(.status) | .status' "$T/plan" | tr '\n' ' ')" "65:rejected create create " \
	"load -i singer: a receipt for each record"
# (its 20-digit number is refused first: a double does not hold it, 0013)
like "$(jq -r 'select(.status == "rejected") | .error' "$T/plan")" \
	"amount|^/big: a number a double does not hold exactly" \
	"the one with fields Odoo does not have, and a 20-digit number, is refused"

# ---- nav-extract and bng-extract --singer ------------------------------------------------------
. "$ERPIPE_TOP/tests/sandbox/nav-env.sh"
nav_env --records 5
run nav-extract --singer --state "$T/none" Customer > "$T/ns"
nn=$(nav-extract Customer | grep -vc _checkpoint)
is "$st:$(head -1 "$T/ns" | jq -c '[.type, .stream, .key_properties]'):$(grep -c '"RECORD"' "$T/ns"):$(tail -1 "$T/ns" | jq -r .type)" \
	"0:[\"SCHEMA\",\"Customer\",[\"No\"]]:$nn:STATE" "nav-extract --singer: the entity's key, the records, a STATE last"
run validate -q -s "$D/message.schema.json" "$T/ns"
is "$st" 0 "nav-extract's messages valid"
sandbox_start bng --records 4
BNG_CLIENT_ID=erpipe BNG_CLIENT_SECRET=erpipe-secret
export BNG_CLIENT_ID BNG_CLIENT_SECRET
run bng-extract --singer customers > "$T/bs"
is "$st:$(head -1 "$T/bs" | jq -c '[.type, .stream, .key_properties, (.schema.properties | has("CustomerID"))]')" \
	'0:["SCHEMA","customers",["CustomerID"],true]' "bng-extract --singer: the OpenAPI schema, the id field"
run validate -q -s "$D/message.schema.json" "$T/bs"
is "$st:$(grep -c '"RECORD"' "$T/bs")" "0:4" "bng-extract's messages valid, each record a RECORD"

# ---- what is no Singer message --------------------------------------------------------------
printf '%s\n' '{"type":"RECORD","stream":"x"}' '{"type":"STATE","value":5}' '{"id":1}' 'nope' \
	'{"type":"RECORD","stream":"x","record":{"ok":1}}' > "$T/bad"
run xform -q -i singer --rejects "$T/rej" "$T/bad" > "$T/out"
is "$st:$(cat "$T/out")" '65:{"ok":1}' "the good record passes, the run says 65"
is "$(jq -r .error "$T/rej" | tr '\n' '|')" \
	"not a Singer RECORD, STATE or SCHEMA message|not a Singer RECORD, STATE or SCHEMA message|not a Singer RECORD, STATE or SCHEMA message|not valid JSON: unexpected character at byte 2|" \
	"each of the others a reject, saying why"
run xform -i bogus "$T/bad"
is "$st" 64 "xform -i bogus: 64"
run load -i bogus odoo res.partner "$T/bad"
is "$st" 64 "load -i bogus: 64"

done_testing
