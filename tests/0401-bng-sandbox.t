#!/bin/sh
# The BNG sandbox keeps the contract (examples/bng/openapi.json): the document
# is current and served; OAuth client credentials; cursor paging visits every
# record once in (UpdatedAt, id) order; validation messages per field; 409 on a
# duplicate ExternalID; batch results per item; the rate limit; token expiry;
# signed webhooks retried until a 2xx.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/bng-api.sh"

run $PYTHON "$ERPIPE_TOP/tests/sandbox/bng_openapi.py" --check "$ERPIPE_TOP/examples/bng/openapi.json"
is "$st" 0 "examples/bng/openapi.json is what bng_openapi.py writes"

sandbox_start bng --records 30 --entity customers=250
run curl -sS -o "$T/doc" "$BNG_URL/api/v1/openapi.json"
ok "the contract is served without a token" cmp "$T/doc" "$ERPIPE_TOP/examples/bng/openapi.json"
is "$(jq -r '.openapi' "$T/doc")" "3.1.0" "OpenAPI 3.1"
is "$(jq -r '."x-bng-resources" | map(.path) | join(" ")' "$T/doc")" \
	"customers products sales_orders invoices payments inventory_items vendors purchase_orders gl_entries employees" \
	"ten resources"

# OAuth
run curl -sS -o "$T/tok" -w '%{http_code}' -d grant_type=client_credentials \
	-d client_id=erpipe -d client_secret=wrong "$BNG_URL/oauth/token" >"$T/code"
is "$(cat "$T/code"):$(jq -r .error "$T/tok")" "401:invalid_client" "wrong secret: 401 invalid_client"
run curl -sS -o "$T/tok" -w '%{http_code}' -u erpipe:erpipe-secret -d grant_type=password \
	"$BNG_URL/oauth/token" >"$T/code"
is "$(cat "$T/code"):$(jq -r .error "$T/tok")" "400:unsupported_grant_type" "other grants refused"
BNG_TOKEN=$(bng_token)
like "$BNG_TOKEN" '^[A-Za-z0-9_-]{20,}$' "a bearer token"
BNG_TOKEN=nonsense api GET /customers >"$T/out"
is "$api_status:$(jq -r .error.code "$T/out")" "401:invalid_token" "unknown token: 401"

# paging: every record once, in (UpdatedAt, id) order
cursor= ; : >"$T/all"; pages=0
while :; do
	api GET "/customers?limit=37${cursor:+&cursor=$cursor}" >"$T/page"
	jq -c '.data[]' "$T/page" >>"$T/all"
	pages=$((pages + 1))
	cursor=$(jq -r '.next_cursor // empty' "$T/page")
	[ -n "$cursor" ] || break
done
is "$pages" 7 "250 records in pages of 37: 7 pages"
bng_dump customers | jq -c . >"$T/dump"
is "$(wc -l <"$T/all" | tr -d ' ')" 250 "250 records"
is "$(jq -r .CustomerID "$T/all" | sort -n | uniq | wc -l | tr -d ' ')" 250 "each once"
is "$(jq -r .UpdatedAt "$T/all" | sort -c && echo sorted)" sorted "in UpdatedAt order"
same_file "$T/all" "$T/dump" "the same records as stored"
api GET "/customers?limit=0&count=true" >"$T/out"
is "$(jq -c '[.total_count, .min_id, .max_id]' "$T/out")" "[250,1,250]" "count=true"
api GET "/customers?updated_since=2026-01-01T00:03:00Z&id_lte=200&count=true&limit=1000" >"$T/out"
is "$(jq -c '[.total_count, .min_id, .max_id, (.data | length)]' "$T/out")" "[20,181,200,20]" \
	"updated_since and id_lte filter"
api GET "/customers?limit=2&fields=Email" >"$T/out"
is "$(jq -c '.data[0] | keys' "$T/out")" '["CustomerID","Email","UpdatedAt"]' "fields="
api GET "/customers?page=3&per_page=100" >"$T/out"
is "$(jq -c '[.data[0].CustomerID, (.data | length)]' "$T/out")" "[201,50]" "page paging"
curl -sS -D "$T/hdrs" -o /dev/null -H "Authorization: Bearer $BNG_TOKEN" "$BNG_URL/api/v1/customers?limit=5"
like "$(grep -i '^link:' "$T/hdrs")" '^Link: <http://127.0.0.1:[0-9]+/api/v1/customers\?limit=5&cursor=[^>]+>; rel="next"' \
	"Link rel=next"
api GET "/customers?limit=5000&colour=red&updated_since=yesterday" >"$T/out"
is "$api_status" 400 "bad parameters: 400"
is "$(jq -c '.error.fields' "$T/out")" \
	'{"colour":"unknown parameter","limit":"must be an integer from 0 to 1000","updated_since":"not an RFC 3339 date-time"}' \
	"a message per parameter"

# writes
api POST /customers '{"ExternalID":"odoo:1","CompanyName":"Acme","Email":"x@acme.example","CreditLimit":100.5}' >"$T/out"
is "$api_status" 201 "create: 201"
id=$(jq -r .CustomerID "$T/out")
is "$(jq -r '[.Status, .TaxExemptStatus, .CreditLimit] | join(" ")' "$T/out")" "Active Taxable 100.5" \
	"defaults filled in"
api POST /customers '{"ExternalID":"odoo:1","CompanyName":"Acme 2"}' >"$T/out"
is "$api_status:$(jq -r '.error.code' "$T/out"):$(jq -r '.error.existing_id' "$T/out")" "409:conflict:$id" \
	"duplicate ExternalID: 409 naming the holder"
api POST /customers '{"Email":"not-mail","CreditLimit":-1.001,"Status":"Gone","Nickname":"x"}' >"$T/out"
is "$api_status" 400 "invalid: 400"
is "$(jq -c '.error.fields' "$T/out")" \
	'{"Email":"not a valid email address","CreditLimit":"must be at least 0","Status":"must be one of Active, Inactive, Blocked","Nickname":"unknown field","CompanyName":"required (or LastName)"}' \
	"field messages"
api PUT "/customers?upsert_key=ExternalID" '{"ExternalID":"odoo:1","CompanyName":"Acme AG"}' >"$T/out"
is "$api_status:$(jq -r .CustomerID "$T/out"):$(jq -r .Email "$T/out")" "200:$id:null" \
	"upsert by ExternalID replaces the record"
api PATCH "/customers/$id" '{"Phone":"+1 555"}' >"$T/out"
is "$api_status:$(jq -r '.CompanyName + "|" + .Phone' "$T/out")" "200:Acme AG|+1 555" "PATCH merges"
api GET "/customers/$id" >"$T/rec"
api PUT "/customers/$id" "$(cat "$T/rec")" >"$T/out"
is "$api_status" 200 "a record read can be written back as it is (read-only fields ignored)"
api POST /sales_orders '{"OrderNo":"SO-X1","CustomerExternalID":"odoo:1","OrderedAt":"2026-02-01T10:00:00Z","Currency":"EUR","LineItems":[{"Sku":"SKU-00001","Quantity":3,"UnitPrice":9.99,"Discount":10},{"Sku":"SKU-00002","Quantity":0,"UnitPrice":1}]}' >"$T/out"
is "$api_status:$(jq -c .error.fields "$T/out")" '400:{"LineItems[1].Quantity":"must be greater than 0"}' \
	"nested field messages"
api POST /sales_orders '{"OrderNo":"SO-X1","CustomerExternalID":"odoo:1","OrderedAt":"2026-02-01T10:00:00Z","Currency":"EUR","TaxTotal":5.4,"LineItems":[{"Sku":"SKU-00001","Quantity":3,"UnitPrice":9.99,"Discount":10}]}' >"$T/out"
is "$api_status:$(jq -c '[.CustomerID, .Subtotal, .Total, .LineItems[0].Amount]' "$T/out")" "201:[$id,26.97,32.37,26.97]" \
	"a sales order: customer resolved by ExternalID, totals computed"
# a line amount past the column (Quantity x UnitPrice): a field error, not a 500
api POST /sales_orders '{"OrderNo":"SO-X4","CustomerExternalID":"odoo:1","OrderedAt":"2026-02-01T10:00:00Z","Currency":"EUR","LineItems":[{"Sku":"A","Quantity":1,"UnitPrice":1},{"Sku":"B","Quantity":100000,"UnitPrice":99999999999.99}]}' >"$T/out"
is "$api_status:$(jq -c .error.fields "$T/out")" '400:{"LineItems[1].Amount":"out of range"}' \
	"a line amount out of range: 400 naming the line"
# an order made without its optional TaxTotal can be changed afterwards
api POST /sales_orders '{"OrderNo":"SO-X3","CustomerExternalID":"odoo:1","OrderedAt":"2026-02-01T10:00:00Z","Currency":"EUR","LineItems":[{"Sku":"SKU-00001","Quantity":1,"UnitPrice":2}]}' >"$T/out"
so=$(jq .SalesOrderID "$T/out")
api PATCH "/sales_orders/$so" '{"LineItems":[{"Sku":"SKU-00001","Quantity":3,"UnitPrice":2}]}' >"$T/out"
is "$api_status:$(jq -c '[.TaxTotal, .Total, .LineItems[0].Amount]' "$T/out")" "200:[null,6,6]" \
	"a PATCH of an order stored without TaxTotal: 200, totals computed again"
api POST /sales_orders '{"OrderNo":"SO-X2","CustomerExternalID":"nobody","OrderedAt":"2026-02-01T10:00:00Z","Currency":"EUR","LineItems":[{"Sku":"A","Quantity":1,"UnitPrice":1}]}' >"$T/out"
is "$api_status:$(jq -c .error.fields "$T/out")" "400:{\"CustomerExternalID\":\"no Customer with ExternalID 'nobody'\"}" \
	"a reference that resolves to nothing"

# batch
items=$(jq -cn '[range(0;5) | {op:"upsert", data:{ExternalID:("b" + tostring), LastName:"B"}}]
	+ [{op:"create", data:{LastName:"C", Email:"bad"}}, {op:"delete", id:99999}, {op:"update"}]')
api POST /customers/batch "{\"items\":$items}" >"$T/out"
is "$api_status" 200 "batch: 200"
is "$(jq -c '[.results[].status]' "$T/out")" "[201,201,201,201,201,400,404,400]" "a status per item"
is "$(jq -c '.results[5].error.fields' "$T/out")" '{"Email":"not a valid email address"}' "with its field messages"
api POST /customers/batch "{\"items\":$(jq -cn '[range(0;101) | {op:"create", data:{LastName:"x"}}]')}" >"$T/out"
is "$api_status:$(jq -c .error.fields "$T/out")" '400:{"items":"at most 100 items"}' "at most 100 items"
sandbox_control bng POST bng/batch '{"enabled":false}' >/dev/null
api POST /customers/batch "{\"items\":$items}" >/dev/null
is "$api_status" 404 "--no-batch: the endpoint is not offered"
sandbox_control bng POST bng/batch '{"enabled":true}' >/dev/null

# rate limit
sandbox_control bng POST bng/ratelimit '{"limit":3,"window":60}' >/dev/null
for i in 1 2 3 4; do
	curl -sS -D "$T/h$i" -o "$T/b$i" -H "Authorization: Bearer $BNG_TOKEN" "$BNG_URL/api/v1/products?limit=1"
done
like "$(grep -i '^x-ratelimit-remaining' "$T/h3")" '^X-RateLimit-Remaining: 0' "X-RateLimit-Remaining counts down"
like "$(head -1 "$T/h4")" '^HTTP/1.1 429' "beyond the limit: 429"
like "$(grep -i '^retry-after' "$T/h4")" '^Retry-After: (59|60)' "with Retry-After"
is "$(jq -r .error.code "$T/b4")" rate_limited "and a JSON error"
sandbox_control bng POST bng/ratelimit '{"limit":0}' >/dev/null

# token expiry
sandbox_control bng POST bng/tokens '{"expire":true}' >/dev/null
api GET /products >"$T/out"
is "$api_status:$(jq -r .error.message "$T/out")" "401:the access token expired" "an expired token: 401"
BNG_TOKEN=$(bng_token)

# webhooks: signed, retried until a 2xx
cat >"$T/recv.py" <<'PY'
import hashlib, hmac, http.server, json, os, sys
secret, out, portf = sys.argv[1].encode(), sys.argv[2], sys.argv[3]
fails = [int(sys.argv[4])]
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        sig = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
        ok = self.headers["X-BNG-Signature"] == sig
        st = 503 if fails[0] > 0 else 204
        fails[0] -= 1
        with open(out, "a") as f:
            f.write(json.dumps({"status": st, "sig_ok": ok, "id": self.headers["X-BNG-Event-Id"],
                                "body": json.loads(body)}) + "\n")
        self.send_response(st); self.send_header("Content-Length", "0"); self.end_headers()
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(portf + ".tmp", "w").write(str(s.server_address[1])); os.rename(portf + ".tmp", portf)
s.serve_forever()
PY
$PYTHON "$T/recv.py" hooksecret "$T/hooks" "$T/recv.port" 2 &
recv=$!
stop_recv() { kill $recv 2>/dev/null || true; }
at_exit stop_recv
i=0; while [ ! -s "$T/recv.port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
sandbox_control bng POST bng/webhooks "{\"url\":\"http://127.0.0.1:$(cat "$T/recv.port")/hook\",\"secret\":\"hooksecret\"}" >/dev/null
api PATCH /customers/5 '{"Phone":"+44 1"}' >/dev/null
api DELETE /customers/6 >/dev/null
i=0; while [ "$(grep -c '"status": 204' "$T/hooks" 2>/dev/null)" != 2 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
is "$(jq -r '.status' "$T/hooks" | tr '\n' ' ')" "503 503 204 204 " "refused twice, retried until a 2xx, then the next"
is "$(jq -r 'select(.status == 204) | .body.type + ":" + (.body.data.CustomerID | tostring)' "$T/hooks" | tr '\n' ' ')" \
	"customer.updated:5 customer.deleted:6 " "event types and data"
is "$(jq -r '.sig_ok' "$T/hooks" | sort -u)" true "every delivery signed with the secret"
is "$(jq -r 'select(.status == 204) | (.id == .body.id)' "$T/hooks" | sort -u)" true "X-BNG-Event-Id is the event id"
is "$(sandbox_control bng GET bng/webhooks | jq -c '.[0] | [.delivered, .failures, .queued]')" "[2,2,0]" \
	"delivery counts"

done_testing
