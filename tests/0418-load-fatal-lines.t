#!/bin/sh
# A server error that stops load names the input lines of the records it
# was for (FILE:LINE, FILE:FIRST-LAST (N records)), as a record's own error
# does: before, a batch lookup or write that failed after its retries
# stopped the run with the URL or the RPC only, and the user had to work
# out from the receipts which lines were not written.  The records of
# earlier batches keep their receipts.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-rpc.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-env.sh"

# ---- BNG: a batch lookup answered 503 after its retries -----------------------------
sandbox_start bng --records 0
BNG_CLIENT_ID=erpipe BNG_CLIENT_SECRET=erpipe-secret
export BNG_CLIENT_ID BNG_CLIENT_SECRET
{
	echo '{"ExternalID":"fl:1","CompanyName":"One","Status":"Active"}'
	echo '{"ExternalID":"fl:2","CompanyName":"Two","Status":"Active"}'
	echo '{"ExternalID":"fl:3","CompanyName":"Three","Status":"Active"}'
} > "$T/bng.ndjson"
sandbox_faults bng '{"5xx": {"rate": 1.0, "match": "^/api/v1/customers", "status": 503}}' > /dev/null
run load -q --retries 1 bng customers -k ExternalID "$T/bng.ndjson" > "$T/r1" 2> "$T/err1"
is "$st" 69 "BNG answers 503: exit 69"
like "$(head -n 1 "$T/err1")" "^load: $T/bng.ndjson:1-3 \\(3 records\\): GET .*http 503" \
	"the message names lines 1-3 of the input"
sandbox_faults bng '{"5xx": {}}' > /dev/null

# ---- Odoo: the second batch's create refused with 502, the first kept ---------------
odoo_env --partners 0
: > "$T/odoo.ndjson"
i=1
while [ $i -le 5 ]; do
	printf '{"ref":"FL%d","name":"Fatal %d"}\n' $i $i >> "$T/odoo.ndjson"
	i=$((i + 1))
done
# the create of the second batch (lines 3 and 4): 502
sandbox_faults odoo '{"5xx": {"rate": 1.0, "body": "\"create\".*\"FL3\"", "status": 502}}' > /dev/null
run load -q --retries 0 --batch 2 --no-verify odoo res.partner -k ref - < "$T/odoo.ndjson" \
	> "$T/r2" 2> "$T/err2"
is "$st" 69 "Odoo answers 502: exit 69"
like "$(head -n 1 "$T/err2")" "^load: stdin:3-4 \\(2 records\\): .*502" \
	"the second batch's lines named"
is "$(jq -r 'select(.status == "created") | .key.ref' "$T/r2" | tr '\n' ' ')" "FL1 FL2 " \
	"the first batch has its receipts"
is "$(rpc res.partner search_count '[[["ref","=like","FL%"]]]')" 2 "Odoo holds the first batch only"
done_testing
