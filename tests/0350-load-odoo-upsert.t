#!/bin/sh
# load odoo: receipts, --key and --xmlid upserts (a second run is all
# unchanged, nothing written), only changed fields written, deletes, one bad
# record in a batch of 200 (1 rejected, 199 loaded), --dry-run writes
# nothing (the sandbox's request log), usage and model errors.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-rpc.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-env.sh"
odoo_env --partners 20
# writes: the rpc names of create/write/unlink calls in the log since N
writes() { sandbox_log odoo "$1" | jq -r '[.[] | select(.rpc // "" | test("\\.(create|write|unlink)$")) | .rpc] | join(" ")'; }
lastn() { sandbox_log odoo | jq 'length'; }

# ---- 200 records, one bad: split down to it -----------------------------
i=0
while [ $i -lt 200 ]; do
	if [ $i = 137 ]; then
		printf '{"ref":"R%03d","name":"","email":"r%d@example.com"}\n' $i $i
	else
		printf '{"ref":"R%03d","name":"Person %d","email":"r%d@example.com","city":"Oslo"}\n' $i $i $i
	fi
	i=$((i + 1))
done > "$T/200.ndjson"
n0=$(lastn)
run load -q odoo res.partner --key ref --batch 200 --rejects "$T/rej" "$T/200.ndjson" > "$T/out"
is "$st" 65 "a reject beyond --max-rejects 0: 65"
is "$(wc -l < "$T/out" | tr -d ' ')" 200 "200 receipts"
is "$(jq -r .status "$T/out" | sort | uniq -c | tr -s ' ' | tr '\n' ';')" " 199 created; 1 rejected;" \
	"199 created, 1 rejected"
is "$(sed -n 138p "$T/out")" \
	'{"key":{"ref":"R137"},"id":null,"status":"rejected","error":"odoo.exceptions.ValidationError: The operation cannot be completed: Contacts require a name"}' \
	"the receipt of the bad one names Odoo's error"
is "$(jq -c '[.stage, (.source | sub(".*/"; "")), .error, .record.ref]' "$T/rej")" \
	'["load","200.ndjson:138","odoo.exceptions.ValidationError: The operation cannot be completed: Contacts require a name","R137"]' \
	"the reject: stage, source line, Odoo's error name and message, the record"
is "$(rpc res.partner search_count '[[["ref","=like","R%"]]]')" 199 "199 in Odoo"
calls=$(sandbox_log odoo "$n0" | jq '[.[] | select(.rpc == "res.partner.create")] | length')
ok "splitting took a bounded number of creates ($calls)" test "$calls" -le 17
is "$(sandbox_log odoo "$n0" | jq '[.[] | select(.rpc == "res.partner.search_read")] | length')" 1 \
	"one lookup for the batch"

# ---- the same again: all unchanged, nothing written ----------------------
grep -v '"R137"' "$T/200.ndjson" > "$T/199.ndjson"
n0=$(lastn)
run load -q odoo res.partner --key ref --batch 50 "$T/199.ndjson" > "$T/out"
is "$st" 0 "second run: 0"
is "$(jq -r .status "$T/out" | sort | uniq -c | tr -s ' ')" " 199 unchanged" "second run: all unchanged"
is "$(writes "$n0")" "" "second run: no create, write or unlink"
is "$(sandbox_log odoo "$n0" | jq '[.[] | select(.rpc == "res.partner.search_read")] | length')" 4 \
	"one lookup per batch of 50"

# ---- a change: updated, only the changed field written -------------------
printf '%s\n' '{"ref":"R001","name":"Person 1","email":"new@example.com","city":"Oslo"}' \
	'{"ref":"R002","name":"Person 2","email":"r2@example.com","city":"Oslo"}' > "$T/chg"
n0=$(lastn)
run load odoo res.partner -k ref "$T/chg" > "$T/out" 2> "$T/err"
id1=$(rpc res.partner search '[[["ref","=","R001"]]]' | jq '.[0]')
is "$(cat "$T/out")" "{\"key\":{\"ref\":\"R001\"},\"id\":$id1,\"status\":\"updated\",\"error\":null}
{\"key\":{\"ref\":\"R002\"},\"id\":$((id1 + 1)),\"status\":\"unchanged\",\"error\":null}" "updated and unchanged"
is "$(cat "$T/err")" "load: read 2, wrote 2 (created 0, updated 1, unchanged 1, deleted 0), dropped 0, rejected 0, drifted 0" "counts on stderr"
is "$(writes "$n0")" "res.partner.write" "one write"
is "$(rpc res.partner read "[[$id1]]" '{"fields":["email","city"]}' | jq -c '.[0] | [.email, .city]')" \
	'["new@example.com","Oslo"]' "the new value is there"

# ---- --dry-run: the plan, nothing written ----------------------------------
printf '%s\n' '{"ref":"R001","name":"Renamed","email":"new@example.com"}' \
	'{"ref":"NEW1","name":"Newcomer"}' '{"ref":"R003","_op":"delete"}' \
	'{"ref":"NOPE","_op":"delete"}' > "$T/plan"
n0=$(lastn)
run load -n odoo res.partner -k ref "$T/plan" > "$T/out"
is "$st" 0 "dry run: 0"
is "$(jq -c '[.key.ref, .status, .changes, .dry_run]' "$T/out" | tr '\n' ' ')" \
	'["R001","update",{"name":"Renamed"},true] ["NEW1","create",null,true] ["R003","delete",null,true] ["NOPE","unchanged",null,true] ' \
	"dry run: update with its changes, create, delete, nothing to delete"
is "$(writes "$n0")" "" "dry run: no create, write or unlink reached Odoo"
is "$(rpc res.partner search_count '[[["ref","=","NEW1"]]]')" 0 "dry run: nothing created"

# ---- deletes -------------------------------------------------------------
run load odoo res.partner -k ref --op delete "$T/plan" > "$T/out" 2>/dev/null
is "$(jq -r '.status' "$T/out" | tr '\n' ' ')" "deleted unchanged deleted unchanged " \
	"--op delete: found ones deleted, missing ones unchanged"
is "$(rpc res.partner search_count '[[["ref","in",["R001","R003"]]]]')" 0 "gone from Odoo's lists"
is "$(rpc res.partner search_read '[[["ref","in",["R001","R003"]],["active","=",false]]]' '{"fields":["ref","active"],"order":"ref"}' |
	jq -c '[.[] | [.ref, .active]]')" '[["R001",false],["R003",false]]' \
	"a delete archives: the partners are there, active false (their history stays)"
n0=$(lastn)
run load odoo res.partner -k ref --op delete "$T/plan" > "$T/out" 2>/dev/null
is "$(jq -r '.status' "$T/out" | tr '\n' ' '):$(writes "$n0")" "unchanged unchanged unchanged unchanged :" \
	"a delete of an archived record: unchanged, nothing written"
run load odoo res.partner -k ref --op delete --deletes hard "$T/plan" > "$T/out" 2>/dev/null
is "$(jq -r '.status' "$T/out" | tr '\n' ' ')" "deleted unchanged deleted unchanged " \
	"--deletes hard: the archived ones are found and unlinked"
is "$(rpc res.partner search_count '[[["ref","in",["R001","R003"]],["active","in",[true,false]]]]')" 0 \
	"...gone from Odoo, archived or not"
run load odoo res.partner --deletes soft "$T/plan" > "$T/out" 2>"$T/err"
is "$st:$(head -1 "$T/err")" "64:load: --deletes 'soft': not archive or hard" "a bad --deletes: 64"
run load bng customers --deletes hard "$T/plan" > "$T/out" 2>"$T/err"
is "$st:$(head -1 "$T/err")" "64:load: --xmlid, --protocol and --deletes are for odoo" "--deletes is odoo's: 64 for bng"

# ---- --xmlid: external ids as Odoo's import makes them --------------------
printf '%s\n' '{"xid":"c_1","name":"Xml One"}' '{"xid":"mymod.c_2","name":"Xml Two"}' > "$T/x"
run load -q odoo res.partner --xmlid xid "$T/x" > "$T/out"
is "$(jq -r .status "$T/out" | tr '\n' ' ')" "created created " "--xmlid: created"
is "$(rpc ir.model.data search_read '[[["name","in",["c_1","c_2"]]]]' \
	'{"fields":["module","name","model","res_id","noupdate"],"order":"name"}' | jq -c '[.[] | [.module, .name, .model, .noupdate]]')" \
	'[["__import__","c_1","res.partner",false],["mymod","c_2","res.partner",false]]' \
	"ir.model.data rows: __import__ unless a module is given, noupdate false"
is "$(rpc res.partner load '[["id","name"],[["c_1","Xml One"]]]' | jq -c .ids)" \
	"[$(jq -s '.[0].id' "$T/out")]" "Odoo's own import finds the same record by that id"
n0=$(lastn)
run load -q odoo res.partner --xmlid xid "$T/x" > "$T/out"
is "$(jq -r .status "$T/out" | tr '\n' ' ')" "unchanged unchanged " "--xmlid: second run unchanged"
is "$(writes "$n0")" "" "--xmlid: second run writes nothing"
is "$(rpc res.partner search_read '[[["name","=","Xml One"]]]' '{"fields":["xid"]}' 2>&1 | cut -c1-25)" \
	"ERROR builtins.ValueError" "the xid field is not a field of the model and was not written"

# ---- per-record errors -------------------------------------------------------
printf '%s\n' '{"ref":"U1","name":"x","no_such_field":1}' '{"ref":"U2","name":"y","country_id":"Atlantis"}' \
	'{"ref":"U3","name":"z","country_id":[1]}' '{"name":"no ref"}' '{"ref":"U4","name":"ok","_op":"update"}' > "$T/bad"
run load -q odoo res.partner -k ref --rejects "$T/rej2" "$T/bad" > "$T/out"
is "$st" 65 "bad records: 65"
is "$(jq -r .error "$T/out")" "res.partner has no field 'no_such_field'
'country_id': no res.country named 'Atlantis'
'country_id': not a many2one value (an id, [id, name], {\"id\"}, a name, {\"xmlid\"} or {\"match\"})
no value for the key field 'ref'
update: no record matches the key" "each says why"

# ---- --op insert: create what is missing, leave what is there -----------------
# (a setup step: loading units "m,1" must not rewrite Odoo's own m)
[ "$(rpc uom.uom search_count '[[["name","=","m"]]]')" != 0 ] ||
	rpc uom.uom create '[{"name":"m","relative_factor":100}]' >/dev/null
m=$(rpc uom.uom search_read '[[["name","=","m"]]]' '{"fields":["name","relative_factor"],"context":{"active_test":false}}' | jq -c .)
printf '%s\n' '{"name":"m","relative_factor":1}' '{"name":"TX Box","relative_factor":1}' > "$T/units"
n0=$(sandbox_log odoo | jq length)
run load -q --op insert odoo uom.uom -k name "$T/units" > "$T/out"
is "$st:$(jq -r '.key.name + " " + .status' "$T/out" | tr '\n' ' ')" "0:m unchanged TX Box created " \
	"--op insert: the missing unit created, the existing one unchanged"
is "$(sandbox_log odoo "$n0" | jq -c '[.[] | .rpc // empty | select(test("\\.(create|write|load)$"))]')" \
	'["uom.uom.create"]' "...one create, no write"
is "$(rpc uom.uom search_read '[[["name","=","m"]]]' '{"fields":["name","relative_factor"],"context":{"active_test":false}}' | jq -c .)" \
	"$m" "...Odoo's m as it was"
run load -q --op insert odoo uom.uom -k name "$T/units" > "$T/out"
is "$(jq -r .status "$T/out" | tr '\n' ' ')" "unchanged unchanged " "...again: both unchanged"
printf '%s\n' '{"_op":"insert","name":"m","relative_factor":7}' '{"_op":"insert","name":"Crate","relative_factor":1}' > "$T/units2"
run load -q odoo uom.uom -k name "$T/units2" > "$T/out"
is "$(jq -r .status "$T/out" | tr '\n' ' ')" "unchanged created " '_op "insert" in a record does the same'
run load -q -n --op insert odoo uom.uom -k name "$T/units2" > "$T/out"
is "$(jq -r .status "$T/out" | tr '\n' ' ')" "unchanged unchanged " "--dry-run --op insert: the plan"
run load --op insert odoo uom.uom "$T/units" > /dev/null 2> "$T/err"
like "$st:$(cat "$T/err")" "^65:.*no key" "--op insert needs a key"
run load --op upsertt odoo uom.uom -k name "$T/units" 2> "$T/err"
is "$st:$(head -1 "$T/err")" "64:load: --op 'upsertt': not upsert, create, update, delete or insert" "a bad --op: 64, naming insert"

# ---- usage and configuration -----------------------------------------------
run load odoo res.partner --key nope "$T/x" 2> "$T/err"
is "$st:$(cat "$T/err")" "64:load: --key 'nope': res.partner has no field 'nope'" "--key on a missing field: 64"
run load odoo no.such.model -k ref "$T/x" 2> "$T/err"
is "$st" 64 "unknown model: 64"
like "$(cat "$T/err")" "^load: model 'no.such.model': " "says which model"
run load nope x "$T/x" 2> "$T/err"
is "$st" 64 "unknown system: 64"
like "$(head -1 "$T/err")" "^load: unknown system 'nope'" "says so"
run load odoo 2> "$T/err"
is "$st" 64 "no entity: 64"
run load odoo res.partner --xmlid x -k ref "$T/x" 2> "$T/err"
is "$st:$(cat "$T/err")" "64:load: --xmlid and --key: give one of them" "--xmlid with --key: 64"
run load --batch 0 odoo res.partner -k ref "$T/x" 2> "$T/err"
is "$st" 64 "--batch 0: 64"
done_testing
