#!/bin/sh
# The peer of odoo-extract in tests/bench/03-odoo-extract.bench: a shell loop
# of curl calls reading res.partner in the same keyset pages (id > last,
# order id) with the same fields, over JSON-RPC, writing each page's body.
#   odoo-curl-loop.sh URL DB PASSWORD FIELDS_JSON [PAGE_SIZE]
set -eu
url=$1 db=$2 pw=$3 fields=$4 ps=${5:-1000}
page=$(mktemp)
trap 'rm -f "$page"' EXIT
last=0
while :; do
	curl -sS -H 'Content-Type: application/json' -o "$page" --data-binary \
	"{\"jsonrpc\":\"2.0\",\"method\":\"call\",\"params\":{\"service\":\"object\",\"method\":\"execute_kw\",\"args\":[\"$db\",2,\"$pw\",\"res.partner\",\"search_read\",[[[\"id\",\">\",$last]]],{\"fields\":$fields,\"limit\":$ps,\"order\":\"id\"}]},\"id\":1}" \
	"$url/jsonrpc"
	cat "$page"
	# the last record's id; an empty page ends the loop
	grep -q '"result": *\[\]' "$page" && break
	last=$(grep -o '"id": *[0-9]*' "$page" | tail -1 | tr -dc 0-9)
done
