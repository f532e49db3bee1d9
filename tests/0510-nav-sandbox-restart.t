#!/bin/sh
# The NAV sandbox keeps its data across restarts as a real server does:
# with --db-file it does not drop its tables at start (only
# /__sandbox/reset does), also after a kill -9, and the row versions (the
# ETags) go on from the highest kept, so a stale ETag stays stale.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/nav-env.sh"
db=$T/nav.db
nav_env --records 3 --db-file "$db"
echo '{"No":"K1","Name":"Kept Across"}' | load -q nav Customer -k No >/dev/null
n1=$(nav-extract -q --count Customer)
tag=$(get "Customer('K1')" | jq -r '."@odata.etag"')
kill -KILL "$(cat "$T/sandbox/nav.pid")"
sleep 0.2
nav_env --records 3 --db-file "$db"
is "$(get "Customer('K1')" | jq -r .Name)" "Kept Across" \
	"a record written before a kill -9 is there after the restart"
is "$(nav-extract -q --count Customer)" "$n1" "...and the seed was not written again"
echo '{"No":"K1","Name":"Changed"}' | load -q nav Customer -k No >"$T/r"
is "$(jq -r .status "$T/r")" updated "...it is updated after the restart"
isnt=$(get "Customer('K1')" | jq -r '."@odata.etag"')
ok "...with a new ETag" test "$isnt" != "$tag"
is "$(curl -sS -o /dev/null -w '%{http_code}' -u admin:NAVkey123 -X PATCH -H "If-Match: $tag" \
	-H 'Content-Type: application/json' --data '{"Name":"Stale"}' "$NAV_URL/$C/Customer('K1')")" 409 \
	"...and the ETag from before the restart is stale (409, as NAV)"
sandbox_reset nav '{"data":true}' >/dev/null
is "$(get "Customer('K1')" | jq -r '.error.code // "found"')" "Internal_RecordNotFound" "reset with data reseeds"
done_testing
