#!/bin/sh
# The NAV sandbox in its "odata" flavour against the transcripts of a real
# OData V4 server that is not NAV (tests/fixtures/odata): each transcript
# replayed (status, media type, members, relative context and nextLink, a
# row-offset skiptoken, the empty last page, $select adding the ETag field,
# plain 404/412/428 errors, $count under an unknown company, nested ETags), the
# out-of-line annotations of $metadata, and what an offset skiptoken does to a
# reader when rows change under it.  The clients are tested against this
# flavour in 0506.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
sandbox_start nav --flavour odata --company CRONUS --count Customer=1994 --page-size 1000
R=$NAV_URL/BC/ODataV4
A=admin:NAVkey123
FX=$ERPIPE_TOP/tests/fixtures/odata
conform() { $PYTHON "$ERPIPE_TOP/tests/sandbox/nav_conform.py" "$@" 2>&1 || :; }

for f in "$FX"/[0-9][0-9]_*.json; do
	n=$(basename "$f" .json)
	is "$(conform check "$f" "$R" "$A")" "" "$n: as the real server answers"
done
is "$(conform metadata "$FX/metadata.xml" "$R" "$A")" "" \
	"\$metadata: annotations out of line, the same fields read-only"

# the check itself can fail: the NAV flavour does not pass as the other server
sandbox_control nav POST nav/config '{"flavour":"nav"}' >/dev/null
like "$(conform check "$FX/05_get_missing_404.json" "$R" "$A")" 'Internal_RecordNotFound' \
	"...and the NAV flavour does not pass for it (the check can fail)"
like "$(conform metadata "$FX/metadata.xml" "$R" "$A")" 'inside <Property>' \
	"...nor does NAV's inline \$metadata"
sandbox_control nav POST nav/config '{"flavour":"odata"}' >/dev/null

# an offset skiptoken: a row edited while a reader pages by modification time
# moves to the end, and the row after it slides onto the page already read
sandbox_control nav POST nav/config '{"page_size":10}' >/dev/null
get() { curl -sS -u "$A" "$@"; }
Q="\$orderby=SystemModifiedAt,No&\$select=No"
get "$R/Company('CRONUS')/Customer?$Q" >"$T/p1"
jq -r '.value[].No' "$T/p1" >"$T/seen"
sandbox_control nav POST nav/edit '{"set":"Customer","key":{"No":"30000"},"values":{"City":"Moved"}}' >/dev/null
next=$(jq -r '."@odata.nextLink"' "$T/p1")
like "$next" "^Company\('CRONUS'\)/Customer\?.*%24skiptoken=10$" "a row-offset skiptoken"
get "$R/$next" | jq -r '.value[].No' >>"$T/seen"
eleventh=$(get "$R/Company('CRONUS')/Customer?\$orderby=SystemModifiedAt,No&\$select=No&\$top=11" |
	jq -r '.value[9].No')
ok "following it loses the row that slid back ($eleventh)" sh -c "! grep -qx '$eleventh' '$T/seen'"
done_testing
