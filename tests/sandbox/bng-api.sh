# tests/sandbox/bng-api.sh - shell helpers for tests that talk to the BNG
# sandbox with curl + jq; source after tests/sandbox/lib.sh and sandbox_start bng.
#   bng_token                      a fresh bearer token for erpipe:erpipe-secret
#   api METHOD PATH [JSON]         the API under /api/v1 with $BNG_TOKEN; prints
#                                  the body, and the status into $api_status
#   bng_dump RESOURCE              every stored record, NDJSON by id
#   bng_env ARGS...                sandbox_start bng ARGS, then BNG_CLIENT_ID and
#                                  BNG_CLIENT_SECRET exported for the programs
bng_env() {
	sandbox_start bng "$@"
	BNG_CLIENT_ID=erpipe BNG_CLIENT_SECRET=erpipe-secret
	export BNG_CLIENT_ID BNG_CLIENT_SECRET
}
bng_token() {
	curl -sS -u "${BNG_CLIENT:-erpipe}:${BNG_SECRET:-erpipe-secret}" \
		-d grant_type=client_credentials "$BNG_URL/oauth/token" | jq -r .access_token
}
api() {
	: "${BNG_TOKEN:=$(bng_token)}"
	if [ $# -ge 3 ]; then
		curl -sS -o "$T/.api" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $BNG_TOKEN" \
			-H 'Content-Type: application/json' --data-binary "$3" "$BNG_URL/api/v1$2" >"$T/.apist"
	else
		curl -sS -o "$T/.api" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $BNG_TOKEN" \
			"$BNG_URL/api/v1$2" >"$T/.apist"
	fi
	api_status=$(cat "$T/.apist")
	cat "$T/.api"
}
bng_dump() { curl -sS "$BNG_URL/__sandbox/bng/dump/$1"; }
