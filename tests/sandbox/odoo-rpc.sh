# tests/sandbox/odoo-rpc.sh - shell helpers for tests that talk to the Odoo
# sandbox with curl + jq; source after tests/sandbox/lib.sh and sandbox_start odoo.
#   rpc MODEL METHOD ARGS [KWARGS]   JSON-RPC execute_kw as admin; prints .result
#                                    (compact) or "ERROR <name>: <message>"
#   invoice_orders DOMAIN            what an accountant does in Odoo's UI: the
#                                    sale orders of DOMAIN still to invoice
#                                    invoiced (the wizard), the invoices posted;
#                                    prints their ids as a JSON array
#   pay_invoice ID FRACTION          a customer payment of FRACTION of the
#                                    invoice's total, posted against it
#   ODOO_DB (default odoo), ODOO_PW (default admin), RPC_HEADERS (extra curl -H)
rpc() {
	_r=$(jq -cn --arg db "${ODOO_DB:-odoo}" --arg pw "${ODOO_PW:-admin}" --arg m "$1" \
		--arg meth "$2" --argjson a "$3" --argjson k "${4:-{\}}" \
		'{jsonrpc:"2.0",method:"call",id:1,params:{service:"object",method:"execute_kw",
		  args:[$db,2,$pw,$m,$meth,$a,$k]}}' |
		curl -sS -H 'Content-Type: application/json' ${RPC_HEADERS:+-H "$RPC_HEADERS"} \
			--data-binary @- "$ODOO_URL/jsonrpc")
	printf '%s\n' "$_r" | jq -r 'if .error then "ERROR " + .error.data.name + ": " +
		.error.data.message else (.result | tojson) end'
}
# ids DOMAIN [KWARGS]: search on res.partner, ids as "1 2 3"
ids() { rpc res.partner search "[[$1]]" "${2:-{\}}" | jq -r 'join(" ")'; }

invoice_orders() {
	_sos=$(rpc sale.order search "[[[\"invoice_status\",\"=\",\"to invoice\"],$1]]")
	[ "$_sos" != "[]" ] || { echo "[]"; return 0; }
	_wiz=$(rpc sale.advance.payment.inv create "[{\"sale_order_ids\":[[6,0,$_sos]]}]")
	# the window action on the invoices made: one (res_id) or several (domain)
	_mvs=$(rpc sale.advance.payment.inv create_invoices "[[$_wiz]]" |
		jq -c 'if .res_id then [.res_id] else .domain[0][2] | sort end')
	rpc account.move action_post "[$_mvs]" >/dev/null
	echo "$_mvs"
}
pay_invoice() {
	_inv=$(rpc account.move read "[[$1]]" '{"fields":["partner_id","amount_total","currency_id"]}')
	_bank=$(rpc account.journal search '[[["type","=","bank"]]]' '{"limit":1}' | jq '.[0]')
	_p=$(rpc account.payment create "[{\"partner_id\":$(echo "$_inv" | jq '.[0].partner_id[0]'),
		\"amount\":$(echo "$_inv" | jq ".[0].amount_total * $2 * 100 | round / 100"),
		\"currency_id\":$(echo "$_inv" | jq '.[0].currency_id[0]'),
		\"journal_id\":$_bank,\"payment_type\":\"inbound\",\"partner_type\":\"customer\",
		\"invoice_ids\":[[6,0,[$1]]]}]")
	rpc account.payment action_post "[[$_p]]" >/dev/null
}
