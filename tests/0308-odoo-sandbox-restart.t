#!/bin/sh
# The Odoo sandbox keeps its data across restarts as a real server does:
# with --db-file it does not drop its tables at start (only
# /__sandbox/reset does), also after a kill -9, and the logins still work.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
db=$T/odoo.db
sandbox_start odoo --partners 5 --db-file "$db"
. "$ERPIPE_TOP/tests/sandbox/odoo-rpc.sh"
id=$(rpc res.partner create '[{"name":"Kept Across"}]')
n1=$(rpc res.partner search_count '[[]]')
kill -KILL "$(cat "$T/sandbox/odoo.pid")"
sleep 0.2
sandbox_start odoo --partners 5 --db-file "$db"
ODOO_URL=$ODOO_URL . "$ERPIPE_TOP/tests/sandbox/odoo-rpc.sh"
is "$(rpc res.partner read "[[$id]]" '{"fields":["name"]}' | jq -r '.[0].name')" "Kept Across" \
	"a record written before a kill -9 is there after the restart"
is "$(rpc res.partner search_count '[[]]')" "$n1" "...and the seed was not written again"
id2=$(rpc res.partner create '[{"name":"After"}]')
ok "...a new record gets a new id" test "$id2" -gt "$id"
sandbox_reset odoo '{"data":true}' >/dev/null
is "$(rpc res.partner search_count '[["|",["name","=","Kept Across"],["name","=","After"]]]')" 0 \
	"reset with data reseeds"
done_testing
