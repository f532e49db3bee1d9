#!/bin/sh
# Replays every real Odoo 19 transcript in tests/fixtures/odoo against the
# sandbox (all three flavours; XML-RPC from the .request.xml bytes) and compares
# the answers' structure with tests/sandbox/shape.py.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
FIX=$ERPIPE_TOP/tests/fixtures/odoo
[ -d "$FIX" ] || { echo "1..1"; echo "not ok 1 - no Odoo transcripts in $FIX"; exit 1; }
KEY=5f0c4d2a9b7e61d3c8a04f2e9d1b6c7a3e8f0d21
sandbox_start odoo --db peer --user admin:admin --api-key admin:$KEY --partners 200
SHAPE="$PYTHON $ERPIPE_TOP/tests/sandbox/shape.py"
map=$T/idmap.json
echo '{}' >"$map"
for f in "$FIX"/*.json; do
	n=$(basename "$f" .json)
	mkdir -p "$T/$n"
	set -- $($SHAPE request "$f" "$map" "$T/$n")
	method=$1 path=$2
	code=$(curl -sS -o "$T/$n/resp" -D "$T/$n/hdrs" -w '%{http_code}' -X "$method" \
		-H @"$T/$n/headers" --data-binary @"$T/$n/body" "$ODOO_URL$path")
	run $SHAPE compare "$f" "$map" "$code" "$T/$n/hdrs" "$T/$n/resp" >"$T/$n/diff"
	# real Odoo closes every connection
	grep -qi '^Connection: close' "$T/$n/hdrs" || { echo "HTTP: no Connection: close" >>"$T/$n/diff"; st=1; }
	if [ "$st" = 0 ]; then
		_result 0 "$n"
	else
		_result 1 "$n"
		head -20 "$T/$n/diff" | sed 's/^/#   /'
	fi
done
done_testing
