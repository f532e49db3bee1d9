#!/bin/sh
# A lookup answer over the 64 MiB body cap is not the record's fault: it
# fails the run (69) and nothing is rejected or committed past the record,
# whatever --max-rejects says.  The target is tests/sandbox/scripted.py
# playing BNG: the token, then a gzipped lookup answer that decodes past
# the cap.
. "$(dirname "$0")/lib.sh"

cat >"$T/script" <<'JSON'
[{"body_json": {"access_token": "tok", "token_type": "Bearer", "expires_in": 3600}},
 {"body_size": 70000000, "gzip": true, "headers": {"Content-Type": "application/json"}}]
JSON
$PYTHON "$ERPIPE_TOP/tests/sandbox/scripted.py" --port 0 --port-file "$T/port" \
	--script "$T/script" --log "$T/log" 2>"$T/srv.err" &
srv=$!
stop_srv() { kill "$srv" 2>/dev/null || true; }
at_exit stop_srv
i=0
while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
BNG_URL=http://127.0.0.1:$(cat "$T/port") BNG_CLIENT_ID=erpipe BNG_CLIENT_SECRET=erpipe-secret
export BNG_URL BNG_CLIENT_ID BNG_CLIENT_SECRET

printf '%s\n' '{"ExternalID":"cap:1","CompanyName":"A"}' \
	'{"_checkpoint":{"stream":"s","v":1,"pos":{"seq":1}}}' >"$T/in"
run load -q bng customers --token-cache "$T/tok" --max-rejects 10 --rejects "$T/rej" \
	--state "$T/st.json" "$T/in" >"$T/out" 2>"$T/err"
is "$st" 69 "a lookup answer over the cap fails the run: 69"
like "$(cat "$T/err")" "over the 67108864-byte cap" "...saying why"
ok "no record rejected for it" test ! -s "$T/rej"
ok "nothing committed past the record" sh -c "! grep -q seq '$T/st.json'"
done_testing
