#!/bin/sh
# load pg TABLE into a throwaway PostgreSQL cluster: the table created from a
# JSON Schema (types, the key as primary key); created, unchanged, updated,
# deleted receipts; a value the column cannot hold and a field that is no
# column are rejects (SQLSTATE), the rest of the batch loads; a value the
# column rounds is drifted; the checkpoint's position committed with the rows
# (erpipe_state) and nothing after the last checkpoint when load is killed;
# exactly once for records without a key: a crash between the table's commit
# and the state file's replays them and they are not written twice, kill -9
# at random moments then resume gives the source, a checkpoint that does not
# line up stops the replay with 65; the server killed mid-load: 69, and a
# rerun converges; the connection from a profile's url.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/pg-env.sh"
pg_env

cat > "$T/schema.json" <<'EOF'
{"type": "object", "properties": {
 "ref": {"type": "string"}, "name": {"type": "string"}, "amount": {"type": "number"},
 "n": {"type": "integer"}, "ok": {"type": "boolean"},
 "at": {"type": "string", "format": "date-time"}, "day": {"type": "string", "format": "date"},
 "tags": {"type": "array"}, "extra": {"type": ["object", "null"]}}}
EOF
printf '%s\n' \
	'{"ref":"A","name":"Ann","amount":12.5,"n":3,"ok":true,"at":"2026-01-01T10:00:00Z","day":"2026-01-02","tags":["x",1],"extra":{"a":[1,2]}}' \
	'{"ref":"B","name":"Bob","amount":1,"n":1,"ok":false}' \
	'{"_checkpoint":{"stream":"t:p","v":1,"pos":{"seq":2}}}' \
	'{"ref":"C","name":"Cy","bogus":1}' \
	'{"ref":"D","name":"Di","n":"many"}' \
	'{"ref":"E","name":"Ed","n":5}' \
	'{"_checkpoint":{"stream":"t:p","v":1,"pos":{"seq":5}}}' > "$T/in"

# ---- created from the schema -------------------------------------------------------------
run load pg partners -k ref --schema "$T/schema.json" --state "$T/state" --rejects "$T/rej" \
	--max-rejects 5 "$T/in" > "$T/out" 2> "$T/err"
is "$st" 0 "load pg: 0 (two rejects within --max-rejects)"
like "$(cat "$T/err")" "created table partners from" "says it created the table"
is "$(q "SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum)
	FROM pg_attribute WHERE attrelid = 'partners'::regclass AND attnum > 0")" \
	"ref text, name text, amount numeric, n bigint, ok boolean, at timestamp with time zone, day date, tags jsonb, extra jsonb" \
	"JSON types to SQL types"
is "$(q "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'partners'::regclass")" \
	"PRIMARY KEY (ref)" "the key is the primary key"
is "$(jq -r 'select(.status) | .key.ref + " " + .status' "$T/out" | tr '\n' ' ')" \
	"A created B created C rejected D rejected E created " "receipts"
is "$(q "SELECT ref, name, amount, n, ok, at, day, tags, extra FROM partners ORDER BY ref" | tr '\n' ' ')" \
	'A|Ann|12.5|3|t|2026-01-01 10:00:00+00|2026-01-02|["x", 1]|{"a": [1, 2]} B|Bob|1|1|f|||| E|Ed||5||||| ' \
	"the rows, values cast by the server"
is "$(jq -r .error "$T/rej" | tr '\n' '|')" \
	"'bogus': table partners has no such column|22P02: invalid input syntax for type bigint: \"many\"|" \
	"a field that is no column and a value the column cannot hold are rejects, with the SQLSTATE"
is "$(q "SELECT stream || ' ' || pos::text FROM erpipe_state")" 't:p {"seq": 5}' \
	"the checkpoint's position is in the table"
is "$(jq -c '."t:p"' "$T/state")" '{"seq":5}' "and in the state file"

# ---- again: nothing written; an update; a time at another offset is the same ----------------
n0=$(q "SELECT xmin::text FROM partners WHERE ref = 'A'")
grep -v -e bogus -e many "$T/in" > "$T/good"
run load pg partners -k ref "$T/good" > "$T/out"
is "$st:$(jq -r 'select(.status) | .status' "$T/out" | sort | uniq -c | tr -s ' ' | tr '\n' ' ')" "0: 3 unchanged " \
	"a rerun: unchanged"
is "$(q "SELECT xmin::text FROM partners WHERE ref = 'A'")" "$n0" "the row was not written"
printf '%s\n' '{"ref":"A","name":"Anne","at":"2026-01-01T11:00:00+01:00","amount":12.50}' > "$T/upd"
run load pg partners -k ref "$T/upd" > "$T/out"
is "$st:$(jq -r .status "$T/out")" "0:updated" "a changed name: updated"
is "$(q "SELECT name || ' ' || at FROM partners WHERE ref = 'A'")" "Anne 2026-01-01 10:00:00+00" \
	"the same instant at another offset, the same number: only the name changed"

# ---- a column that rounds: drifted --------------------------------------------------------
q "CREATE TABLE prices (sku text PRIMARY KEY, price numeric(10,1))"
printf '%s\n' '{"sku":"S1","price":1.25}' '{"sku":"S2","price":2.5}' > "$T/prices"
run load pg prices -k sku "$T/prices" > "$T/out"
is "$(head -1 "$T/out")" \
	'{"key":{"sku":"S1"},"id":{"sku":"S1"},"status":"drifted","drift":[{"field":"price","sent":1.25,"stored":1.3}],"error":null}' \
	"a value the column rounded: drifted, with what was sent and stored"
is "$(sed -n 2p "$T/out" | jq -r .status)" created "a kept one: created"

# ---- deletes ---------------------------------------------------------------------------------
printf '%s\n' '{"_op":"delete","ref":"B"}' > "$T/del"
run load pg partners -k ref "$T/del" > "$T/out"
is "$st:$(jq -r .status "$T/out"):$(q "SELECT count(*) FROM partners WHERE ref = 'B'")" "0:deleted:0" \
	"_op delete: the row is gone"
run load pg partners -k ref "$T/del" > "$T/out"
is "$(jq -r .status "$T/out")" unchanged "deleting it again: unchanged"

# ---- nothing after the last checkpoint when load dies --------------------------------------
q "CREATE TABLE events (seq bigint, what text)"
gen() { # gen FROM TO: events FROM..TO, a checkpoint after every 100th
	awk -v a="$1" -v b="$2" 'BEGIN { for (i = a; i <= b; i++) {
		printf "{\"seq\":%d,\"what\":\"e%d\"}\n", i, i
		if (i % 100 == 0 || i == b) printf "{\"_checkpoint\":{\"stream\":\"t:ev\",\"v\":1,\"pos\":{\"seq\":%d}}}\n", i
	} }'
}
mkfifo "$T/fifo"
load -q pg events --op create --state "$T/evstate" "$T/fifo" > /dev/null 2>&1 &
lp=$!
exec 7> "$T/fifo"
gen 1 150 | sed '$d' >&7 # no checkpoint after the last 50
sleep 1
kill -9 $lp
wait $lp 2> /dev/null || true
exec 7>&-
is "$(q "SELECT count(*)::text || ' ' || max(seq)::text FROM events"):$(q "SELECT pos::text FROM erpipe_state WHERE stream = 't:ev'")" \
	'100 100:{"seq": 100}' "killed: the rows up to the last checkpoint, and its position, nothing after"

# ---- exactly once: the table committed past the state file --------------------------------
q "TRUNCATE events; DELETE FROM erpipe_state"
rm -f "$T/evstate"
gen 1 300 > "$T/ev300"
run load -q pg events --op create --state "$T/evstate" "$T/ev300" > /dev/null
echo '{"t:ev":{"seq":100}}' > "$T/evstate" # as if killed before the state file's commit of 200, 300
run load pg events --op create --state "$T/evstate" "$T/ev300" > "$T/out" 2> "$T/err"
is "$st:$(q "SELECT count(*)::text || ' ' || count(DISTINCT seq)::text FROM events")" "0:300 300" \
	"a replay past the state file: every event once"
like "$(cat "$T/err")" "t:ev: the table holds events past the state file" "says it replays"
is "$(jq -r 'select(.status) | .status' "$T/out" | sort | uniq -c | tr -s ' ' | tr '\n' ' ')" " 300 unchanged " \
	"the replayed records: unchanged"
gen 1 350 > "$T/ev350"
echo '{"t:ev":{"seq":250}}' > "$T/evstate" # a position between the table's checkpoints
run load -q pg events --op create --state "$T/evstate" "$T/ev350" > /dev/null 2> "$T/err"
is "$st:$(q "SELECT count(*) FROM events")" "0:350" "replayed to 300, then the new ones: 350"
q "UPDATE erpipe_state SET pos = '{\"seq\": 150}'"
echo '{"t:ev":{"seq":100}}' > "$T/evstate"
run load -q pg events --op create --state "$T/evstate" "$T/ev350" > /dev/null 2> "$T/err"
is "$st:$(q "SELECT count(*) FROM events")" "65:350" "a checkpoint past the table's position: 65, nothing written"
like "$(cat "$T/err")" "a checkpoint past the table's position, not at it" "says why"

# ---- kill -9 at random moments, resume: the source, once --------------------------------------
q "TRUNCATE events; DELETE FROM erpipe_state"
rm -f "$T/evstate"
N=3000
resume() { # the extractor: from the committed position on, to $N
	from=$(jq -r '."t:ev".seq // 0' "$T/evstate" 2> /dev/null || echo 0)
	gen $((from + 1)) $N
}
trial=0 seed=${SEED:-$$}
diag "kill -9 trials, seed $seed"
while [ $trial -lt 5 ]; do
	trial=$((trial + 1))
	resume | load -q pg events --op create --batch 50 --state "$T/evstate" > /dev/null 2>&1 &
	lp=$!
	sleep "0.$(( (seed * trial * 7919) % 9 + 1 ))"
	pkill -9 -P $$ -x load 2> /dev/null || true
	wait $lp 2> /dev/null || true
done
resume | load -q pg events --op create --batch 50 --state "$T/evstate" > /dev/null 2> "$T/err" ||
	cat "$T/err" >&2
is "$(q "SELECT count(*)::text || ' ' || count(DISTINCT seq)::text || ' ' || max(seq)::text FROM events")" "$N $N $N" \
	"5 kills, resumed: $N events, each once"

# ---- the server killed mid-load: 69; a rerun converges ----------------------------------------
q "TRUNCATE events; DELETE FROM erpipe_state"
rm -f "$T/evstate"
gen 1 400 > "$T/ev400"
load -q pg events --op create --batch 10 --state "$T/evstate" "$T/fifo" > /dev/null 2> "$T/err" &
lp=$!
exec 7> "$T/fifo"
head -n 101 "$T/ev400" >&7
sleep 1
pg_stop_kill
tail -n +102 "$T/ev400" >&7 2> /dev/null || true
exec 7>&-
wait $lp && st=0 || st=$?
is "$st" 69 "the server gone: 69"
like "$(cat "$T/err")" "postgresql" "says so"
N=400
resume > "$T/rest"
run load -q pg events --op create --state "$T/evstate" "$T/rest" > /dev/null
is "$st:$(q "SELECT count(*)::text || ' ' || count(DISTINCT seq)::text FROM events")" "0:400 400" \
	"rerun from the state file: every event once"

# ---- a profile's url ---------------------------------------------------------------------------
printf '[wh]\nurl = postgresql:///%s?host=%s&port=%s\n' erpipe "$PGHOST" "$PGPORT" > "$T/erpipe.conf"
printf '%s\n' '{"ref":"P","name":"Pro"}' > "$T/p"
run env -u PGHOST -u PGPORT -u PGDATABASE ERPIPE_CONFIG="$T/erpipe.conf" \
	load -q -P wh pg partners -k ref "$T/p" > "$T/out"
is "$st:$(jq -r .status "$T/out"):$(q "SELECT name FROM partners WHERE ref = 'P'")" "0:created:Pro" \
	"the connection from a profile's url"
run env -u PGHOST -u PGPORT PGDATABASE=nosuch load -q pg partners -k ref "$T/p" > /dev/null 2> "$T/err"
is "$st" 69 "no server: 69"
run load -q pg nosuch -k ref "$T/p" > /dev/null 2> "$T/err"
is "$st:$(cat "$T/err")" "78:load: table nosuch: not found (--schema FILE creates it)" "no table: 78"
run load -q pg partners -k nokey "$T/p" > /dev/null 2> "$T/err"
is "$st:$(cat "$T/err")" "64:load: --key 'nokey': table partners has no column 'nokey'" "a key that is no column: 64"

done_testing
