#!/bin/sh
# Replays the stateful real Odoo 19 transcripts in tests/fixtures/odoo-flows
# (order to cash, deliveries, procure to pay, master data) against one fresh
# sandbox in file order: ids learnt from the answers, the facts under test
# (states, display types, names, amounts, ranks, labels, actions) compared by
# value.  See tests/sandbox/odoo_replay.py.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
FIX=$ERPIPE_TOP/tests/fixtures/odoo-flows
[ -d "$FIX" ] || { echo "1..1"; echo "not ok 1 - no Odoo transcripts in $FIX"; exit 1; }
KEY=5f0c4d2a9b7e61d3c8a04f2e9d1b6c7a3e8f0d21
sandbox_start odoo --db peer --user admin:admin --api-key admin:$KEY --partners 200
$PYTHON "$ERPIPE_TOP/tests/sandbox/odoo_replay.py" --key "$KEY" "$ODOO_URL" "$FIX"
