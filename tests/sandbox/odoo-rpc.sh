# tests/sandbox/odoo-rpc.sh - shell helpers for tests that talk to the Odoo
# sandbox with curl + jq; source after tests/sandbox/lib.sh and sandbox_start odoo.
#   rpc MODEL METHOD ARGS [KWARGS]   JSON-RPC execute_kw as admin; prints .result
#                                    (compact) or "ERROR <name>: <message>"
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
