#!/bin/sh
# load --audit: one line per write (time, run, host, user, the stream, key,
# id, op, the fields' old and new values, the source line), chained by
# SHA-256 and signed with --audit-key; erpipe-audit verify names the first
# bad line of a copy edited, with a line removed, reordered, cut short, or
# with lines removed from the end (--expect); rotation by erpipe-audit
# rotate and by a rename under a running load; two writers at once.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-rpc.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-env.sh"
odoo_env --partners 0
A=$T/audit.log
K=$T/audit.key
printf 'a-very-secret-key\n' >"$K"
chmod 600 "$K"
# tamper NAME SCRIPT: a copy of $A changed by the shell SCRIPT on $f
tamper() { cp "$A" "$T/$1"; A=$A f=$T/$1 sh -c "$2"; }

printf '{"ref":"A1","name":"Ann","email":"ann@example.com"}\n{"ref":"A2","name":"Bob"}\n{"ref":"A3","name":"Cy"}\n' >"$T/in1"
run load -q odoo res.partner --key ref --audit "$A" --audit-key "$K" "$T/in1" >/dev/null
is "$st" 0 "three creates: exit 0"
is "$(wc -l <"$A" | tr -d ' ')" 3 "one line per write"
is "$(stat -c %a "$A")" 600 "the trail is private to its owner"
is "$(head -1 "$A" | jq -c '{program,system,entity,op,status,key,changes,source}')" \
	"{\"program\":\"load\",\"system\":\"odoo\",\"entity\":\"res.partner\",\"op\":\"create\",\"status\":\"created\",\"key\":{\"ref\":\"A1\"},\"changes\":{\"ref\":{\"old\":null,\"new\":\"A1\"},\"name\":{\"old\":null,\"new\":\"Ann\"},\"email\":{\"old\":null,\"new\":\"ann@example.com\"}},\"source\":\"$T/in1:1\"}" \
	"a create: the stream, the key, the fields written, the source line"
like "$(head -1 "$A" | jq -r '[.time, .run, .host, .user, (.id|tostring), .prev, .hmac] | join(" ")')" \
	'^[0-9-]{10}T[0-9:]{8}\.[0-9]{3}Z [0-9a-f]{32} [^ ]+ [^ ]+ [0-9]+ 0{64} [0-9a-f]{64}$' \
	"time in UTC ms, run id, host, user, the target's id, the first prev, the hmac"
is "$(sed -n 2p "$A" | jq -r .prev)" "$(head -1 "$A" | tr -d '\n' | sha256sum | cut -c1-64)" \
	"prev is the SHA-256 of the line before"

printf '{"ref":"A1","name":"Ann B."}\n{"ref":"A2","name":"Bob"}\n{"ref":"A3","_op":"delete"}\n' >"$T/in2"
load -q odoo res.partner --key ref --audit "$A" --audit-key "$K" "$T/in2" >/dev/null
is "$(wc -l <"$A" | tr -d ' ')" 5 "an update and a delete: two lines, the unchanged record none"
is "$(sed -n 4p "$A" | jq -c '[.op, .status, .changes]')" \
	'["update","updated",{"name":{"old":"Ann","new":"Ann B."}}]' "an update: old and new value"
is "$(sed -n 5p "$A" | jq -c '[.op, .status, .key, .changes]')" '["delete","deleted",{"ref":"A3"},null]' \
	"a delete: its key"
load -q -n odoo res.partner --key ref --audit "$A" "$T/in1" >/dev/null
is "$(wc -l <"$A" | tr -d ' ')" 5 "--dry-run writes no line"

run erpipe-audit verify --key "$K" "$A" >/dev/null
is "$st" 0 "verify --key: intact"
out=$(erpipe-audit verify --key "$K" "$A")
like "$out" '^5 lines, intact, last [0-9a-f]{64}$' "verify says so, with the last hash"
last=${out##* }
is "$last" "$(tail -1 "$A" | tr -d '\n' | sha256sum | cut -c1-64)" "the last line's hash"
run erpipe-audit -q verify "$A"
is "$st" 0 "without the key: the chain alone"

# ---- the four ways to tamper, each detected at its line ----------------------
tamper edited 'sed -i "2s/Bob/Rob/" "$f"'
run erpipe-audit verify --key "$K" "$T/edited" 2>"$T/err"
is "$st" 65 "an edited line: 65"
is "$(cat "$T/err")" "erpipe-audit: $T/edited:2: the hmac does not match: the line was edited (or the key is another)" \
	"an edited line: named by its hmac"
run erpipe-audit verify "$T/edited" 2>"$T/err"
like "$(cat "$T/err")" "edited:3: \"prev\" is not the hash of the line before it" \
	"an edited line, no key: the chain breaks on the next line"

tamper removed 'sed -i 3d "$f"'
run erpipe-audit verify --key "$K" "$T/removed" 2>"$T/err"
is "$st" 65 "a removed line: 65"
like "$(cat "$T/err")" "removed:3: \"prev\" is not the hash of the line before it: that line was edited, or lines were removed or moved here" \
	"a removed line: the line after the gap is named"

tamper reordered 'awk "NR == 2 { l = \$0; next } NR == 3 { print; print l; next } { print }" "$A" >"$f"'
run erpipe-audit verify --key "$K" "$T/reordered" 2>"$T/err"
is "$st" 65 "reordered lines: 65"
like "$(cat "$T/err")" "reordered:2: \"prev\" is not the hash" "reordered lines: the first moved one is named"

tamper cut 'head -c -20 "$A" >"$f"'
run erpipe-audit verify --key "$K" "$T/cut" 2>"$T/err"
is "$st" 65 "a line cut short: 65"
is "$(cat "$T/err")" "erpipe-audit: $T/cut:5: cut short (no final newline)" "a cut line: named"

tamper tail 'sed -i \$d "$f"'
run erpipe-audit verify --key "$K" "$T/tail" >/dev/null
is "$st" 0 "the last line removed, no anchor: the chain alone cannot tell"
run erpipe-audit verify --key "$K" --expect "$last" "$T/tail" 2>"$T/err"
is "$st" 65 "... with --expect the last hash: 65"
like "$(cat "$T/err")" "tail:5: the last line is not the one expected" "... naming where the missing line was"

tamper head 'sed -i 1d "$f"'
run erpipe-audit verify --key "$K" "$T/head" 2>"$T/err"
like "$(cat "$T/err")" "head:1: the chain does not start here" "the first line removed: named"

tamper forged 'python3 -c "
import hashlib, json, sys
prev = \"0\" * 64
out = []
for l in open(sys.argv[1]):
    d = json.loads(l)
    d.pop(\"hmac\", None)
    if d.get(\"op\") == \"delete\": d[\"key\"] = {\"ref\": \"A2\"}
    d[\"prev\"] = prev
    t = json.dumps(d, separators=(\",\", \":\"))
    prev = hashlib.sha256(t.encode()).hexdigest()
    out.append(t + \"\\n\")
open(sys.argv[1], \"w\").write(\"\".join(out))
" "$f"'
run erpipe-audit verify "$T/forged" >/dev/null
is "$st" 0 "a chain rewritten without the key passes the chain check ..."
run erpipe-audit verify --key "$K" "$T/forged" 2>"$T/err"
like "$(cat "$T/err")" "forged:1: no \"hmac\"" "... but not the key's"

# ---- rotation ------------------------------------------------------------------
run erpipe-audit rotate --key "$K" "$A" "$A.1"
is "$st" 0 "rotate: exit 0"
is "$(wc -l <"$A" | tr -d ' ')" 1 "the new file: one rotate line"
is "$(jq -c '[.op, .rotated_to, .prev]' "$A")" "[\"rotate\",\"$A.1\",\"$last\"]" \
	"its prev: the hash of the old file's last line"
printf '{"ref":"B1","name":"Dee"}\n' | load -q odoo res.partner --key ref --audit "$A" --audit-key "$K" >/dev/null
run erpipe-audit verify --key "$K" "$A.1" "$A" >/dev/null
is "$st" 0 "old and new file: one chain"
run erpipe-audit verify --key "$K" "$A" >/dev/null
is "$st" 0 "the new file alone: it starts with its rotate line"
sed -i \$d "$A.1"
run erpipe-audit verify --key "$K" "$A.1" "$A" 2>"$T/err"
like "$(cat "$T/err")" "audit.log:1: \"prev\" is not the hash" "the old file's tail removed: the new file's first line says so"

# a rename under a running load (logrotate's way): the next batch starts a new
# file with a rotate line chained to the old one
rm -f "$A" "$A.1"
mkfifo "$T/fifo"
load -q odoo res.partner --key ref --audit "$A" --audit-key "$K" <"$T/fifo" >"$T/rcpt" &
pid=$!
exec 3>"$T/fifo"
printf '{"ref":"C1","name":"Eve"}\n' >&3
i=0; until [ -s "$T/rcpt" ] || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
mv "$A" "$A.old"
printf '{"ref":"C2","name":"Fay"}\n' >&3
exec 3>&-
wait $pid
is "$(jq -r .op "$A" | tr '\n' ' ')" "rotate create " "renamed away: a new file, a rotate line first"
run erpipe-audit verify --key "$K" "$A.old" "$A" >/dev/null
is "$st" 0 "renamed away: one chain"

# ---- two writers at once ------------------------------------------------------
rm -f "$A"
numbered ref name W 60 >"$T/w1"
numbered ref name X 60 >"$T/w2"
load -q odoo res.partner --key ref --batch 3 --audit "$A" --audit-key "$K" "$T/w1" >/dev/null &
p1=$!
load -q odoo res.partner --key ref --batch 3 --audit "$A" --audit-key "$K" "$T/w2" >/dev/null
wait $p1
is "$(wc -l <"$A" | tr -d ' ')" 120 "two writers: every line"
run erpipe-audit verify --key "$K" "$A" >/dev/null
is "$st" 0 "two writers: one intact chain"
is "$(jq -r .run "$A" | sort -u | wc -l | tr -d ' ')" 2 "two runs, told apart by run id"

# ---- misuse ---------------------------------------------------------------------
chmod 644 "$K"
run load -q odoo res.partner --key ref --audit "$A" --audit-key "$K" "$T/in1" 2>"$T/err"
is "$st" 78 "a key file others can read: 78"
run load -q odoo res.partner --audit-key "$K" "$T/in1" 2>/dev/null
is "$st" 64 "--audit-key without --audit: 64"
run erpipe-audit verify "$T/nonexistent" 2>/dev/null
is "$st" 66 "verify a missing file: 66"

done_testing
