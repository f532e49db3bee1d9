#!/bin/sh
# reconcile --audit: one line per fix emitted (status "emitted"), in the
# same SHA-256 chain and HMAC as load's trail (erpipe-audit verify): the
# fix's key, its fields with the fixed side's old value when reconcile
# knows it, numbers byte for byte, secret-looking fields as "***", the
# source record; the three-way merge's fixes of both sides in one chain;
# lines appended in batches and all there at the end.
. "$(dirname "$0")/lib.sh"
cd "$T"
printf 'a-very-secret-key\n' >key
chmod 600 key
cat >l.ndjson <<'EOF2'
{"id":1,"name":"A","amt":1.10}
{"id":2,"name":"B","amt":99999999999999.99}
{"id":3,"name":"C","password":"hunter2"}
EOF2
cat >r.ndjson <<'EOF2'
{"id":1,"name":"A2","amt":1.10}
{"id":2,"name":"B","amt":5}
{"id":4,"name":"D"}
EOF2

run reconcile -q -k id --emit-fix right --allow-delete --audit a.log --audit-key key \
	l.ndjson r.ndjson >fix
is "$st" 1 "differences: exit 1, as without --audit"
is "$(wc -l <a.log | tr -d ' ')" "$(wc -l <fix | tr -d ' ')" "one line per fix emitted"
is "$(stat -c %a a.log)" 600 "the trail is private to its owner"
is "$(head -1 a.log | jq -c '{program,system,entity,op,status,key,id,changes,source}')" \
	'{"program":"reconcile","system":"right","entity":"r.ndjson","op":"update","status":"emitted","key":{"id":1},"id":null,"changes":{"name":{"old":"A2","new":"A"}},"source":"l.ndjson:1"}' \
	"an update: the side fixed, its file, the key, old and new, the source record"
like "$(sed -n 2p a.log)" '"changes":\{"amt":\{"old":5,"new":99999999999999\.99\}\}' \
	"a number a double does not hold is written as the fix carries it"
is "$(sed -n 3p a.log | jq -c '[.op, .changes, .source]')" \
	'["create",{"id":{"old":null,"new":3},"name":{"old":null,"new":"C"},"password":{"old":null,"new":"***"}},"l.ndjson:3"]' \
	"a create: old null, a secret-looking field as ***"
ok "the secret itself is nowhere in the trail" sh -c '! grep -q hunter2 a.log'
is "$(sed -n 4p a.log | jq -c '[.op, .key, .changes, .source]')" '["delete",{"id":4},null,"r.ndjson:3"]' \
	"a delete: its key, the fixed side's record"
run erpipe-audit verify --key key a.log >out 2>&1
is "$st" 0 "the chain verifies with the key"
sed 's/"new":"A"/"new":"Z"/' a.log >bad.log
run erpipe-audit verify --key key bad.log >out 2>&1
is "$st" 65 "an edited line is found"
like "$(cat out)" 'bad\.log:1' "... and named"

# with --fix-map the fix is in the side's own names: old only where known
cat >back.map <<'EOF2'
id = $.id
label = $.name
EOF2
run reconcile -q -k id --emit-fix right --fix-map back.map --audit m.log l.ndjson r.ndjson >fix
is "$(head -1 m.log | jq -c '.changes')" '{"label":{"new":"A"}}' \
	"--fix-map: a field reconcile cannot tie to the side's value has no old"

# the three-way merge: both sides' fixes, one chain
cat >base.ndjson <<'EOF2'
{"id":1,"name":"A","email":"a@x"}
{"id":2,"name":"B","email":"b@x"}
EOF2
printf '%s\n' '{"id":1,"name":"A left","email":"a@x"}' '{"id":2,"name":"B","email":"b@x"}' >ml
printf '%s\n' '{"id":1,"name":"A","email":"a@x"}' '{"id":2,"name":"B","email":"b@right"}' >mr
run reconcile -q -k id --base base.ndjson --emit-fix both --fix-left fl --fix-right fr \
	--audit b.log --audit-key key ml mr >rej
is "$st" 1 "merge with fixes: exit 1"
is "$(jq -c '[.system, .op, .key, .changes, .source]' b.log | sort | tr '\n' ' ')" \
	'["left","update",{"id":2},{"email":{"new":"b@right"}},null] ["right","update",{"id":1},{"name":{"new":"A left"}},null] ' \
	"each side's fix, its side named"
run erpipe-audit verify --key key b.log >out 2>&1
is "$st" 0 "both sides' lines are one chain"

# batches: more fixes than one batch of lines, all there at the end
awk 'BEGIN { for (i = 1; i <= 2500; i++) printf "{\"id\":%d,\"v\":%d}\n", i, i }' >bl
awk 'BEGIN { for (i = 1; i <= 2500; i++) printf "{\"id\":%d,\"v\":%d}\n", i, i + 1 }' >br
run reconcile -q -k id --emit-fix right --audit big.log bl br >bigfix
is "$(wc -l <big.log | tr -d ' ')" 2500 "2,500 fixes: 2,500 lines"
is "$(erpipe-audit verify big.log 2>&1)" "$(printf '2500 lines, intact, last %s' \
	"$(tail -1 big.log | tr -d '\n' | sha256sum | cut -c1-64)")" "... intact"

# usage and failures
run reconcile -q -k id --audit u.log l.ndjson r.ndjson >/dev/null 2>err
is "$st" 64 "--audit without fixes: usage"
like "$(cat err)" 'audit records fixes' "... says why"
run reconcile -q -k id --emit-fix right --audit-key key l.ndjson r.ndjson >/dev/null 2>err
is "$st" 64 "--audit-key without --audit: usage"
run reconcile -q -k id --emit-fix right --audit "$T/no/such/dir/a.log" l.ndjson r.ndjson \
	>/dev/null 2>err
is "$st" 74 "a trail that cannot be written: 74"
like "$(cat err)" 'no/such/dir' "... named"
chmod 644 key
run reconcile -q -k id --emit-fix right --audit k.log --audit-key key l.ndjson r.ndjson \
	>/dev/null 2>err
ok "a key readable by others is refused" test "$st" -gt 1
done_testing
