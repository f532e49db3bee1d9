#!/bin/sh
# load verifies what Odoo kept: after a window of batches is written (1000
# records; each batch with --then, before its call), one read of the records
# written with the fields written; a monetary value Odoo rounds to its
# currency (12.345 -> 12.35) is "drifted" with the field, the sent and the
# stored value; --verify strict rejects it (65, or 0 within --max-rejects);
# --no-verify, --dry-run and unchanged records send no read; a many2one id
# read back as [id, name] and an id list read back as ids are the same;
# x2many commands are not verified (-v says so); --then is called on a
# drifted record, not on one --verify strict rejected; the three RPC
# flavours (XML-RPC, JSON-RPC, JSON-2) read back alike.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-rpc.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-env.sh"
odoo_env --partners 5 --api-key admin:k3y-s3cret
lastn() { sandbox_log odoo | jq 'length'; }
# reads N: the crm.lead.read calls in the log since N
reads() { sandbox_log odoo "$1" | jq '[.[] | select(.rpc == "crm.lead.read")] | length'; }

be=$(rpc res.country search '[[["code","=","BE"]]]' | jq '.[0]')
# a tag of the model crm.lead's tag_ids names (crm.tag in Odoo 19)
tags=$(rpc crm.lead fields_get '[["tag_ids"]]' '{"attributes":["relation"]}' | jq -r .tag_ids.relation)
tag=$(rpc "$tags" create '[{"name":"VIP"}]')

# ---- created: kept, and drifted -------------------------------------------------------
printf '%s\n' '{"name":"V1","expected_revenue":12.345,"probability":20}' \
	"{\"name\":\"V2\",\"expected_revenue\":100,\"country_id\":$be,\"tag_ids\":[$tag]}" \
	'{"name":"V3","expected_revenue":7.5,"tag_ids":[[6,0,[]]]}' > "$T/in"
n0=$(lastn)
run load -v odoo crm.lead -k name --stats "$T/stats" "$T/in" > "$T/out" 2> "$T/err"
is "$st" 0 "a drift alone is not an error: 0"
id1=$(rpc crm.lead search '[[["name","=","V1"]]]' | jq '.[0]')
is "$(sed -n 1p "$T/out")" \
	"{\"key\":{\"name\":\"V1\"},\"id\":$id1,\"status\":\"drifted\",\"drift\":[{\"field\":\"expected_revenue\",\"sent\":12.345,\"stored\":12.35}],\"error\":null}" \
	"the rounded field: drifted, with the field, the sent and the stored value"
is "$(jq -r .status "$T/out" | tr '\n' ' ')" "drifted created created " \
	"kept values: created (a many2one id against [id, name], an id list against the ids read)"
is "$(reads "$n0")" 1 "one read for the batch"
like "$(cat "$T/err")" "load: read 3, wrote 3 \\(created 3, updated 0, unchanged 0, deleted 0\\), dropped 0, rejected 0, drifted 1" "the summary counts it"
is "$(jq -c '[.drifted, .rejected, .status]' "$T/stats")" "[1,0,0]" "--stats counts it"
like "$(cat "$T/err")" "'tag_ids' is not verified" "-v: x2many commands are not verified"

# ---- the same fields, one read per window of 1000 records --------------------------------
creates() { sandbox_log odoo "$1" | jq '[.[] | select(.rpc == "crm.lead.create")] | length'; }
i=0
while [ $i -lt 250 ]; do
	printf '{"name":"B%03d","expected_revenue":%d.5,"phone":"+32 %d"}\n' $i $i $i
	i=$((i + 1))
done > "$T/250"
n0=$(lastn)
run load -q --protocol jsonrpc --trace odoo crm.lead -k name --batch 100 "$T/250" > "$T/out" 2> "$T/trace"
is "$st" 0 "250 records: 0"
is "$(jq -r .status "$T/out" | sort | uniq -c | tr -s ' ')" " 250 created" "all created, none drifted"
is "$(creates "$n0"):$(reads "$n0")" 3:1 "a create per batch of 100, one read for the three"
is "$(grep '"method":"execute_kw"' "$T/trace" | grep '"crm.lead","read"' |
	sed 's/.*"fields":\(\[[^]]*\]\).*/\1/' | sort -u)" '["name","expected_revenue","phone"]' \
	"each read asks for the fields written"
n0=$(lastn)
run load -q odoo crm.lead -k name --batch 100 "$T/250" > "$T/out"
is "$(jq -r .status "$T/out" | sort | uniq -c | tr -s ' ')" " 250 unchanged" "again: all unchanged"
is "$(reads "$n0")" 0 "unchanged records are not read back"

# ---- updated: drifted; --no-verify sends no read ------------------------------------------
printf '%s\n' '{"name":"V2","expected_revenue":99.999}' '{"name":"V3","probability":33}' > "$T/upd"
n0=$(lastn)
run load -q odoo crm.lead -k name "$T/upd" > "$T/out"
is "$(jq -c '[.status, .drift]' "$T/out" | tr '\n' ' ')" \
	'["drifted",[{"field":"expected_revenue","sent":99.999,"stored":100}]] ["updated",null] ' \
	"an update Odoo rounded: drifted; a kept one: updated"
is "$(reads "$n0")" 1 "one read"
printf '%s\n' '{"name":"V2","expected_revenue":55.555}' > "$T/upd2"
n0=$(lastn)
run load odoo crm.lead -k name --no-verify "$T/upd2" > "$T/out" 2> "$T/err"
is "$(jq -r .status "$T/out")" updated "--no-verify: updated"
is "$(reads "$n0")" 0 "--no-verify: no read"
is "$(cat "$T/err")" "load: read 1, wrote 1 (created 0, updated 1, unchanged 0, deleted 0), dropped 0, rejected 0" "--no-verify: no drifted count"

# ---- --verify strict: a reject ---------------------------------------------------------------
printf '%s\n' '{"name":"V1","expected_revenue":1.005}' '{"name":"V3","probability":44}' > "$T/strict"
run load -q odoo crm.lead -k name --verify strict --rejects "$T/rej" "$T/strict" > "$T/out"
is "$st" 65 "--verify strict: a drift is a reject, 65"
is "$(jq -c '[.status, .error]' "$T/out" | tr '\n' ' ')" \
	'["rejected","drifted: '"'"'expected_revenue'"'"': sent 1.005, stored 1.01"] ["updated",null] ' \
	"the receipt: rejected, saying what drifted"
is "$(jq -c '[.stage, (.source | sub(".*/"; "")), .error, .errors, .record.name]' "$T/rej")" \
	'["load","strict:1","drifted: '"'"'expected_revenue'"'"': sent 1.005, stored 1.01",[{"path":"/expected_revenue","message":"sent 1.005, stored 1.01"}],"V1"]' \
	"the reject: stage load, the drift at its JSON Pointer, the record"
printf '%s\n' '{"name":"V1","expected_revenue":2.345}' > "$T/strict2"
run load -q odoo crm.lead -k name --verify strict --max-rejects 1 "$T/strict2" > "$T/out"
is "$st:$(jq -r .status "$T/out")" "0:rejected" "--verify strict within --max-rejects: 0"

wins() { sandbox_log odoo "$1" | jq '[.[] | select(.rpc == "crm.lead.action_set_won")] | length'; }

# ---- 2,500 records: a read per 1000 written; with --then, a read per batch (before it) --------
i=0
while [ $i -lt 2500 ]; do
	printf '{"name":"K%04d","phone":"+32 %d"}\n' $i $i
	i=$((i + 1))
done > "$T/2500"
n0=$(lastn)
run load -q odoo crm.lead -k name --batch 500 "$T/2500" > "$T/out"
is "$st:$(jq -r .status "$T/out" | sort | uniq -c | tr -s ' ')" "0: 2500 created" "2,500 records: created"
is "$(creates "$n0"):$(reads "$n0")" 5:3 "a create per batch of 500, a read per 1000 records"
head -n 250 "$T/2500" | sed 's/"phone":"+32 /"phone":"+33 /' > "$T/250b"
n0=$(lastn)
run load -q odoo crm.lead -k name --batch 100 --then action_set_won "$T/250b" > "$T/out"
is "$st:$(jq -r .status "$T/out" | sort | uniq -c | tr -s ' ')" "0: 250 updated" "--then: updated"
is "$(reads "$n0"):$(wins "$n0")" 3:3 "--then: a read per batch of 100, each before the batch's call"
tail -n 1 "$T/250b" > "$T/one"
run load -q odoo crm.lead -k name --batch 100 --then action_set_won "$T/one" > "$T/out"
is "$(jq -r .status "$T/out")" unchanged "a then-called record's phone was kept"

# ---- --then: on a drifted record (it was written), not on a strict reject ---------------------
wins() { sandbox_log odoo "$1" | jq '[.[] | select(.rpc == "crm.lead.action_set_won")] | length'; }
wins() { sandbox_log odoo "$1" | jq '[.[] | select(.rpc == "crm.lead.action_set_won")] | length'; }
printf '%s\n' '{"name":"W1","expected_revenue":3.333}' > "$T/w1"
printf '%s\n' '{"name":"W2","expected_revenue":3.333}' > "$T/w2"
n0=$(lastn)
run load -q odoo crm.lead -k name --then action_set_won "$T/w1" > "$T/out"
is "$st:$(jq -r .status "$T/out"):$(wins "$n0")" "0:drifted:1" "drifted: --then called"
n0=$(lastn)
run load -q odoo crm.lead -k name --then action_set_won --verify strict "$T/w2" > "$T/out"
is "$st:$(jq -r .status "$T/out"):$(wins "$n0")" "65:rejected:0" "--verify strict: rejected, --then not called"

# ---- --dry-run reads nothing back -------------------------------------------------------------
n0=$(lastn)
run load -q -n odoo crm.lead -k name "$T/upd" > "$T/out"
is "$(jq -r .status "$T/out" | tr '\n' ' ')" "update update " "--dry-run: the plan"
is "$(reads "$n0")" 0 "--dry-run: no read"

# ---- every RPC flavour reads back ----------------------------------------------------------------
for proto in xmlrpc jsonrpc json2; do
	printf '{"name":"P-%s","expected_revenue":4.444}\n' $proto > "$T/p"
	n0=$(lastn)
	if [ $proto = json2 ]; then
		run env ODOO_PASSWORD=k3y-s3cret ODOO_AUTH=apikey load -q --protocol json2 odoo crm.lead -k name "$T/p" > "$T/out"
	else
		run load -q --protocol $proto odoo crm.lead -k name "$T/p" > "$T/out"
	fi
	is "$st:$(jq -c '[.status, .drift[0].stored]' "$T/out"):$(reads "$n0")" '0:["drifted",4.44]:1' \
		"$proto: drifted, one read"
done

# ---- usage --------------------------------------------------------------------------------------
run load odoo crm.lead -k name --verify sometimes "$T/upd" 2> "$T/err"
is "$st" 64 "--verify sometimes: 64"
like "$(head -1 "$T/err")" "^load: --verify 'sometimes': not report or strict" "says so"
done_testing
