#!/bin/sh
# The BNG sandbox keeps its data across restarts as a real server does:
# with --db-file it does not drop its tables at start (only
# /__sandbox/reset does), and a record is written in one transaction, so a
# kill between its two statements leaves no half-written row.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
BNG_CLIENT_ID=erpipe BNG_CLIENT_SECRET=erpipe-secret
export BNG_CLIENT_ID BNG_CLIENT_SECRET
db=$T/bng.db

sandbox_start bng --records 3 --db-file "$db"
echo '{"ExternalID":"keep:1","CompanyName":"Kept"}' | load -q bng customers --token-cache - >/dev/null
n1=$(curl -sS "$BNG_URL/__sandbox/bng/dump/customers" | wc -l | tr -d ' ')
sandbox_stop bng
sandbox_start bng --records 3 --db-file "$db"
is "$(curl -sS "$BNG_URL/__sandbox/bng/dump/customers" | jq -r 'select(.ExternalID == "keep:1") | .CompanyName')" \
	Kept "a record written before a restart is there after it"
is "$(curl -sS "$BNG_URL/__sandbox/bng/dump/customers" | wc -l | tr -d ' ')" "$n1" \
	"...and the seed was not written again"
sandbox_stop bng

# killed between the insert and the document
BNG_SANDBOX_DIE_MID_WRITE=die:1 sandbox_start bng --records 3 --db-file "$db"
run load -q bng customers --token-cache - --retries 0 >/dev/null 2>&1 <<'JSON'
{"ExternalID":"die:1","CompanyName":"Half"}
JSON
isnt0=$st
is "$([ "$isnt0" -ne 0 ] && echo failed)" failed "the server died under the write: load fails"
sandbox_stop bng
is "$($PYTHON - "$db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
n = 0
for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"):
    cols = [c[1] for c in db.execute("PRAGMA table_info(%s)" % t)]
    if "doc" in cols:
        n += db.execute("SELECT COUNT(*) FROM %s WHERE doc = '{}' OR ext = 'die:1'" % t).fetchone()[0]
print(n)
PY
)" 0 "no half-written row after the kill"
sandbox_start bng --records 3 --db-file "$db"
echo '{"ExternalID":"die:1","CompanyName":"Whole"}' | load -q bng customers --token-cache - >"$T/r"
is "$(jq -r .status "$T/r")" created "the record is written whole on the next try"
done_testing
