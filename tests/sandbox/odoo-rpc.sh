# tests/sandbox/odoo-rpc.sh - shell helpers for tests that talk to the Odoo
# sandbox (or a real Odoo) with curl + jq; source after tests/sandbox/lib.sh and
# sandbox_start odoo.  They play Odoo's accountant and warehouse the way Odoo's
# own screens do it (tests/fixtures/odoo-flows shows each call on a real server).
#
#   rpc MODEL METHOD ARGS [KWARGS]   JSON-RPC execute_kw as admin; prints .result
#                                    (compact JSON; null when Odoo sends none) or
#                                    "ERROR <name>: <message>"
#   ids DOMAIN [KWARGS]              res.partner search, the ids as "1 2 3"
#
#   odoo_invoice_orders [--separate] ORDER_ID...
#                                    the "Create invoices" wizard
#                                    (sale.advance.payment.inv, regular invoice) on
#                                    confirmed orders: by default one invoice per
#                                    customer (consolidated billing), with
#                                    --separate one per order; prints the draft
#                                    invoices' ids as a JSON array, ascending
#   odoo_post MOVE_ID...             account.move action_post (numbers the invoice
#                                    or bill; a bill needs its invoice_date first)
#   odoo_register_payment MOVE_ID [AMOUNT]
#                                    the "Register payment" wizard
#                                    (account.payment.register) on a posted invoice
#                                    or bill: AMOUNT, or the whole residual; the
#                                    invoice becomes partial or paid; prints the
#                                    payment id
#   odoo_validate_picking PICKING_ID [QTY...]
#                                    a delivery or receipt done: each move's
#                                    quantity set (QTY in the order of move_ids,
#                                    default: the demand) and picked, then
#                                    button_validate; a short quantity answers with
#                                    the backorder wizard, which is processed (the
#                                    rest goes to a backorder); prints the
#                                    backorder's id, or nothing
#
#   invoice_orders DOMAIN            the sale orders of DOMAIN still to invoice,
#                                    one invoice each (odoo_invoice_orders
#                                    --separate), posted; prints their ids
#   pay_invoice ID FRACTION          odoo_register_payment of FRACTION of the
#                                    invoice's total (rounded to the cent)
#
#   ODOO_DB (default odoo), ODOO_PW (default admin), RPC_HEADERS (extra curl -H)
#   Never pay an invoice by creating an account.payment with invoice_ids: on Odoo
#   19 that payment stays "in_process" and the invoice stays unpaid.
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
ids() { rpc res.partner search "[[$1]]" "${2:-{\}}" | jq -r 'join(" ")'; }

# _odoo_ok JSON: fail (status 1, the error on stderr) when rpc answered an error
_odoo_ok() {
	case $1 in
	ERROR*) printf 'odoo-rpc: %s\n' "$1" >&2; return 1 ;;
	esac
}

odoo_invoice_orders() {
	_oi_cons=true
	if [ "${1:-}" = --separate ]; then _oi_cons=false; shift; fi
	[ $# -gt 0 ] || { echo "[]"; return 0; }
	_oi_ids=$(printf '%s\n' "$@" | jq -cs 'map(tonumber)')
	_oi_ctx=$(jq -cn --argjson i "$_oi_ids" \
		'{context:{active_model:"sale.order",active_ids:$i,active_id:$i[0]}}')
	_oi_w=$(rpc sale.advance.payment.inv create \
		"[{\"advance_payment_method\":\"delivered\",\"consolidated_billing\":$_oi_cons}]" \
		"$_oi_ctx")
	_odoo_ok "$_oi_w" || return 1
	_oi_act=$(rpc sale.advance.payment.inv create_invoices "[[$_oi_w]]" "$_oi_ctx")
	_odoo_ok "$_oi_act" || return 1
	# one invoice: res_id; several: res_id 0 and the domain [["id","in",[...]]]
	printf '%s\n' "$_oi_act" |
		jq -c 'if .res_id != 0 then [.res_id] else .domain[0][2] | sort end'
}

odoo_post() {
	_op=$(rpc account.move action_post "[$(printf '%s\n' "$@" | jq -cs 'map(tonumber)')]")
	_odoo_ok "$_op"
}

odoo_register_payment() {
	_rp_ctx="{\"context\":{\"active_model\":\"account.move\",\"active_ids\":[$1],\"active_id\":$1}}"
	_rp_vals=$(jq -cn --arg a "${2:-}" 'if $a == "" then {} else {amount: ($a | tonumber)} end')
	_rp_w=$(rpc account.payment.register create "[$_rp_vals]" "$_rp_ctx")
	_odoo_ok "$_rp_w" || return 1
	_rp_act=$(rpc account.payment.register action_create_payments "[[$_rp_w]]" "$_rp_ctx")
	_odoo_ok "$_rp_act" || return 1
	printf '%s\n' "$_rp_act" | jq '.res_id'
}

odoo_validate_picking() {
	_vp=$1
	shift
	_vp_moves=$(rpc stock.picking read "[[$_vp]]" '{"fields":["move_ids"]}')
	_odoo_ok "$_vp_moves" || return 1
	for _vp_m in $(printf '%s\n' "$_vp_moves" | jq -r '.[0].move_ids[]'); do
		if [ $# -gt 0 ]; then
			_vp_q=$1
			shift
		else
			_vp_q=$(rpc stock.move read "[[$_vp_m]]" '{"fields":["product_uom_qty"]}' |
				jq '.[0].product_uom_qty')
		fi
		_odoo_ok "$(rpc stock.move write "[[$_vp_m],{\"quantity\":$_vp_q,\"picked\":true}]")" ||
			return 1
	done
	_vp_r=$(rpc stock.picking button_validate "[[$_vp]]")
	_odoo_ok "$_vp_r" || return 1
	case $_vp_r in
	\{*)	# the backorder wizard: create it in its context, process
		_vp_ctx=$(printf '%s\n' "$_vp_r" | jq -c '{context: .context}')
		_vp_w=$(rpc "$(printf '%s\n' "$_vp_r" | jq -r .res_model)" create '[{}]' "$_vp_ctx")
		_odoo_ok "$_vp_w" || return 1
		_odoo_ok "$(rpc stock.backorder.confirmation process "[[$_vp_w]]" "$_vp_ctx")" ||
			return 1
		rpc stock.picking search "[[[\"backorder_id\",\"=\",$_vp]]]" | jq -r '.[0] // empty'
		;;
	esac
}

invoice_orders() {
	_sos=$(rpc sale.order search "[[[\"invoice_status\",\"=\",\"to invoice\"],$1]]" '{"order":"id"}')
	[ "$_sos" != "[]" ] || { echo "[]"; return 0; }
	# shellcheck disable=SC2046
	_mvs=$(odoo_invoice_orders --separate $(printf '%s\n' "$_sos" | jq -r '.[]')) || return 1
	# shellcheck disable=SC2046
	odoo_post $(printf '%s\n' "$_mvs" | jq -r '.[]') || return 1
	printf '%s\n' "$_mvs"
}

pay_invoice() {
	_pi_amt=$(rpc account.move read "[[$1]]" '{"fields":["amount_total"]}' |
		jq ".[0].amount_total * $2 * 100 | round / 100")
	odoo_register_payment "$1" "$_pi_amt" >/dev/null
}
