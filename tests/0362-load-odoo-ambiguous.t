#!/bin/sh
# load odoo: a write whose answer is lost is not repeated blindly (issue 15
# item 2).  The sandbox runs the call and commits, then cuts its answer
# (malformed short: half the body and the socket closed; truncate: a body
# cut in half), or closes before answering (drop: nothing done).  For
# create, update and delete, batched and one by one, over XML-RPC,
# JSON-RPC and JSON-2: the records are read again by key (or external id),
# those found are done -- "created" with their id, "updated", "deleted" --
# and only the rest is sent again: one record per input, never two.  Under
# --xmlid, the write of the lines load cannot carry losing its answer has
# the record read again and what differs written (its lines, once).  A
# create without a key, and a --then method, whose answer was lost stop
# the run with 69 naming the line or the method, and are not sent twice.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-rpc.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-env.sh"
odoo_env --partners 5 --api-key admin:k3y-s3cret

recs() { numbered ref name "$@"; } # recs PREFIX N [NAME]
# aim PROTO METHOD: the fault rule's part that picks that RPC
aim() {
	case $1 in
	json2) printf '"match": "/%s$"' "$2" ;;
	xmlrpc) printf '"body": "<string>%s</string>"' "$2" ;;
	*) printf '"body": "\\"%s\\""' "$2" ;;
	esac
}
lose() { # lose PROTO METHOD MODE: the next call of METHOD loses its answer
	if [ "$3" = drop ]; then
		sandbox_faults odoo "{\"drop\": {\"next\": 1, $(aim "$1" "$2")}}" > /dev/null
	else
		sandbox_faults odoo "{\"malformed\": {\"next\": 1, \"mode\": \"$3\", $(aim "$1" "$2")}}" \
			> /dev/null
	fi
}
ld() { # ld PROTO ARGS...: load odoo res.partner over PROTO
	_p=$1
	shift
	if [ "$_p" = json2 ]; then
		env ODOO_PASSWORD=k3y-s3cret ODOO_AUTH=apikey load -q --protocol json2 \
			--retry-max-time 20 odoo res.partner "$@"
	else
		load -q --protocol "$_p" --retry-max-time 20 odoo res.partner "$@"
	fi
}
count() { rpc res.partner search_count "[[[\"ref\",\"=like\",\"$1%\"]]]"; }
faulted() { sandbox_log odoo "$1" | jq "[.[] | select(.fault == \"$2\")] | length"; }
statuses() { jq -r .status "$1" | sort | uniq -c | tr -s ' ' | tr '\n' ';'; }
ids() { jq -r 'select(.id | type != "number") | .key' "$1" | wc -l | tr -d ' '; }

for proto in xmlrpc jsonrpc json2; do
	for b in 100 1; do
		p=$(echo "$proto" | tr a-z A-Z)B$b-
		recs "$p" 3 > "$T/c"

		# create: committed, the answer cut
		n0=$(sandbox_log odoo | jq 'map(.n) | max // 0')
		lose $proto create short
		run ld $proto --batch $b -k ref "$T/c" > "$T/out" 2> "$T/err"
		is "$st" 0 "$proto --batch $b: a create's answer cut after the commit: 0"
		[ "$st" = 0 ] || diag "$(cat "$T/err")"
		is "$(statuses "$T/out")" " 3 created;" "...3 receipts created"
		is "$(ids "$T/out")" 0 "...each with its id"
		is "$(count "$p")" 3 "...one record per input in Odoo"
		is "$(faulted "$n0" malformed)" 1 "...the answer was cut once"
		is "$(jq -r 'select(.key.ref == "'"$p"'1") | .id' "$T/out")" \
			"$(rpc res.partner search "[[[\"ref\",\"=\",\"${p}1\"]]]" | jq '.[0]')" \
			"...the receipt's id is the record's"

		# update: committed, the answer cut in half
		n0=$(sandbox_log odoo | jq 'map(.n) | max // 0')
		recs "$p" 3 "$p new" > "$T/u"
		lose $proto write truncate
		run ld $proto --batch $b -k ref "$T/u" > "$T/out" 2> "$T/err"
		is "$st" 0 "$proto --batch $b: an update's answer cut: 0"
		is "$(statuses "$T/out")" " 3 updated;" "...3 receipts updated"
		is "$(ids "$T/out")" 0 "...each with its id"
		is "$(rpc res.partner search_count "[[[\"name\",\"=like\",\"$p new%\"]]]")" 3 \
			"...the new names in Odoo"
		is "$(faulted "$n0" malformed)" 1 "...the answer was cut once"

		# delete: the connection dropped before the answer
		n0=$(sandbox_log odoo | jq 'map(.n) | max // 0')
		jq -c '. + {"_op": "delete"}' "$T/u" > "$T/d"
		lose $proto unlink drop
		run ld $proto --batch $b -k ref --deletes hard "$T/d" > "$T/out" 2> "$T/err"
		is "$st" 0 "$proto --batch $b: a delete's connection dropped: 0"
		is "$(statuses "$T/out")" " 3 deleted;" "...3 receipts deleted"
		is "$(ids "$T/out")" 0 "...each with its id"
		is "$(count "$p")" 0 "...none left in Odoo"
		is "$(faulted "$n0" drop)" 1 "...the connection was dropped once"
	done

	# a create dropped before Odoo ran it: read again, not there, created
	p=$(echo "$proto" | tr a-z A-Z)D-
	recs "$p" 4 > "$T/c"
	lose $proto create drop
	run ld $proto -k ref "$T/c" > "$T/out" 2> "$T/err"
	is "$st:$(statuses "$T/out")" "0: 4 created;" "$proto: a create dropped unanswered: created after the re-read"
	is "$(count "$p")" 4 "...once each"

	# a delete whose answer was cut: gone, "deleted"
	jq -c '. + {"_op": "delete"}' "$T/c" > "$T/d"
	lose $proto write short
	run ld $proto --batch 2 -k ref "$T/d" > "$T/out" 2> "$T/err"
	is "$st:$(statuses "$T/out")" "0: 4 deleted;" "$proto: an archive's answer cut: deleted"
	is "$(count "$p")" 0 "...none left in Odoo's lists"
	lose $proto unlink short
	run ld $proto --batch 2 -k ref --deletes hard "$T/d" > "$T/out" 2> "$T/err"
	is "$st:$(statuses "$T/out")" "0: 4 deleted;" "$proto: a hard delete's answer cut: deleted"
	is "$(rpc res.partner search_count "[[[\"ref\",\"=like\",\"$p%\"],[\"active\",\"in\",[true,false]]]]")" 0 \
		"...none left, archived or not"
done

# ---- --xmlid: read again by external id ------------------------------------------------
for proto in jsonrpc xmlrpc; do
	p=$(echo "$proto" | tr a-z A-Z)X-
	recs "$p" 3 | jq -c '. + {"xid": ("amb." + .ref)}' > "$T/x"
	lose $proto load short
	run ld $proto --xmlid xid "$T/x" > "$T/out" 2> "$T/err"
	is "$st" 0 "$proto --xmlid: the answer to load cut: 0"
	[ "$st" = 0 ] || diag "$(cat "$T/err")"
	is "$(statuses "$T/out")" " 3 created;" "...3 receipts created"
	is "$(ids "$T/out")" 0 "...each with its id"
	is "$(count "$p")" 3 "...one record each"
	is "$(rpc ir.model.data search_count '[[["module","=","amb"],["name","=like","'"$p"'%"]]]')" 3 \
		"...and one external id each"
done

# a create without an external id (create, answered) before the lost load:
# its receipt too
printf '{"ref":"MIX-0","name":"Mix 0","_op":"create"}\n' > "$T/m"
recs MIX- 2 | jq -c '. + {"xid": ("amb." + .ref)}' >> "$T/m"
lose jsonrpc load short
run ld jsonrpc --xmlid xid "$T/m" > "$T/out" 2> "$T/err"
is "$st:$(statuses "$T/out")" "0: 3 created;" "--xmlid: a create answered, then a load cut: 3 created"
is "$(ids "$T/out")" 0 "...each with its id"
is "$(count MIX-)" 3 "...one record each"

# ---- --xmlid: the write of what load cannot carry (lines) loses its answer ----------------
# load made the order and its external id, the lines go in a write by id:
# that write's answer lost, the order is read again by its external id and
# what differs written -- never taken as made whole without its lines
# (nav-sales' invoices were left without lines, posted by nothing).
for mode in drop short; do
	x=AMB-RST-$mode
	jq -cn --arg x "$x" '{xid: ("amb." + $x), client_order_ref: $x, partner_id: 9,
		order_line: [{product_id: 5, product_uom_qty: 2, price_unit: 10},
			{product_id: 6, product_uom_qty: 1, price_unit: 4}]}' > "$T/r"
	lose jsonrpc write $mode
	run load -q --protocol jsonrpc --retry-max-time 20 odoo sale.order --xmlid xid \
		--then action_confirm --then-on created "$T/r" > "$T/out" 2> "$T/err"
	is "$st:$(statuses "$T/out")" "0: 1 created;" "--xmlid, the lines' write $mode: 0, created"
	[ "$st" = 0 ] || diag "$(cat "$T/err")"
	so=$(rpc sale.order search_read "[[[\"client_order_ref\",\"=\",\"$x\"]]]" '{"fields":["state","order_line"]}')
	is "$(echo "$so" | jq -c '[length, .[0].state, (.[0].order_line | length)]')" '[1,"sale",2]' \
		"...one order, confirmed, with its two lines once each"
done

# ---- nothing to read a create again by: 69, not a second record ----------------------------
printf '{"name":"Keyless one"}\n{"name":"Keyless two"}\n' > "$T/k"
lose jsonrpc create short
run ld jsonrpc --op create "$T/k" > "$T/out" 2> "$T/err"
is "$st" 69 "a keyless create whose answer was cut: 69"
like "$(cat "$T/err")" "the record of .*/k:1 has no key to read it again by.*not created twice" \
	"...naming the line"
is "$(rpc res.partner search_count '[[["name","=like","Keyless%"]]]')" 2 \
	"...the records Odoo made, once each"
is "$(wc -l < "$T/out" | tr -d ' ')" 0 "...and no receipt claims them"

# ---- a create dropped every time: sent again after each re-read, 69 within the budget ----------
recs L 2 > "$T/l"
n0=$(sandbox_log odoo | jq 'map(.n) | max // 0')
sandbox_faults odoo '{"drop": {"every": 1, "body": "\"create\""}}' > /dev/null
run load -q --protocol jsonrpc --retries 2 --retry-max-time 10 odoo res.partner -k ref "$T/l" \
	> "$T/out" 2> "$T/err"
is "$st" 69 "every create dropped: 69 once the retries are spent"
like "$(cat "$T/err")" "answer was lost.*gave up after 2 retries" "...saying so"
is "$(faulted "$n0" drop)" 3 "...after 3 tries"
is "$(count L)" 0 "...none made"
sandbox_control odoo DELETE faults > /dev/null

# ---- --then: a lost answer to a workflow method is not called twice ---------------------------
jq -cn '{client_order_ref: "AMB-SO1", partner_id: 9,
	order_line: [{product_id: 5, product_uom_qty: 1, price_unit: 10}]}' > "$T/so"
n0=$(sandbox_log odoo | jq 'map(.n) | max // 0')
lose jsonrpc action_confirm short
run load -q --protocol jsonrpc odoo sale.order -k client_order_ref --then action_confirm "$T/so" \
	> "$T/out" 2> "$T/err"
is "$st" 69 "--then: the method's answer lost: 69"
like "$(cat "$T/err")" "--then action_confirm: .*not called twice" "...naming the method"
is "$(sandbox_log odoo "$n0" | jq '[.[] | select(.rpc == "sale.order.action_confirm")] | length')" 1 \
	"...called once"
is "$(rpc sale.order search_read '[[["client_order_ref","=","AMB-SO1"]]]' '{"fields":["state"]}' |
	jq -r '.[].state')" sale "...which Odoo ran"
done_testing
