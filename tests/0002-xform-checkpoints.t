#!/bin/sh
# Checkpoints pass in order; with --state the stage commits them after
# making the records before them durable; a held lock exits 75; a closed
# downstream ends quietly with 0 and commits nothing it did not write.
. "${ERPIPE_TOP:-.}/tests/lib.sh"

cat > "$T/in" <<'X'
{"id":1}
{"_checkpoint":{"stream":"odoo:prod:res.partner","v":1,"pos":{"write_date":"2026-01-01 10:00:00","id":1}}}
{"id":2}
{"_checkpoint":{"stream":"bng:shop:customers","v":1,"pos":{"cursor":"c2"}}}
{"id":3,"_checkpoint":"not a control line: more than one key"}
{"_checkpoint":{"stream":"odoo:prod:res.partner","v":1,"pos":{"write_date":"2026-01-01 10:00:05","id":3}}}
X
run xform -q "$T/in" > "$T/out"
is "$st" 0 "exit 0"
same_file "$T/out" "$T/in" "records and checkpoints pass through in order, unchanged"

run xform -q --state "$T/st.json" "$T/in" > "$T/out"
is "$st" 0 "committer exit 0"
same_file "$T/out" "$T/in" "the committer passes checkpoints on too"
is "$(jq -c '."odoo:prod:res.partner"' "$T/st.json")" '{"write_date":"2026-01-01 10:00:05","id":3}' \
	"last position of the first stream committed"
is "$(jq -c '."bng:shop:customers"' "$T/st.json")" '{"cursor":"c2"}' "second stream committed"
is "$(stat -c %a "$T/st.json")" 600 "state file is 0600"
ok "no temp file left behind" test -z "$(ls "$T" | grep '\.tmp\.')"

# the lock: a second committer on the same state exits 75
run flock "$T/st.json.lock" xform --state "$T/st.json" "$T/in" > /dev/null 2> "$T/err"
is "$st" 75 "lock held: exit 75"
like "$(cat "$T/err")" "^xform: state file '.*st.json' is locked by another run$" "says so in one line"

# a state file that is not JSON is bad data
echo 'garbage' > "$T/bad.json"
run xform --state "$T/bad.json" "$T/in" > /dev/null 2> "$T/err"
is "$st" 65 "corrupt state file: 65"
like "$(cat "$T/err")" "bad.json': not a JSON object" "names the file"

# downstream gone (EPIPE): quiet, status 0, and no commit past what was written
pipe_closed() { # run "$@" with stdout a pipe whose reader is already gone
	$PYTHON -c '
import os, subprocess, sys
r, w = os.pipe(); os.close(r)
p = subprocess.run(sys.argv[1:], stdout=w, stderr=subprocess.PIPE)
sys.stderr.buffer.write(p.stderr); sys.exit(p.returncode)' "$@"
}
rm -f "$T/st2.json"
run pipe_closed xform --state "$T/st2.json" "$T/in" 2> "$T/err"
is "$st" 0 "EPIPE: exit 0"
is "$(cat "$T/err")" "" "EPIPE: nothing on stderr"
ok "EPIPE: no checkpoint committed" test ! -s "$T/st2.json"

# a full disk is a failure, not a silent loss
run xform "$T/in" > /dev/full 2> "$T/err"
is "$st" 74 "stdout on a full disk: 74"
like "$(cat "$T/err")" "cannot write to stdout: No space left on device" "says why"
run xform --state "$T/st3.json" "$T/in" > /dev/full 2>/dev/null
ok "full disk: no checkpoint committed" test ! -s "$T/st3.json"

# --stats
run xform -q --stats "$T/stats.json" --rejects "$T/rej" "$T/in" "$T/in" > /dev/null
is "$(jq -c '{read,wrote,dropped,rejected,status}' "$T/stats.json")" '{"read":6,"wrote":6,"dropped":0,"rejected":0,"status":0}' \
	"--stats counts records across files, not control lines"

# conventions
run xform --help > "$T/help" 2> "$T/err"
is "$st" 0 "--help exits 0"
like "$(head -1 "$T/help")" "^usage: xform " "--help prints the usage on stdout"
is "$(cat "$T/err")" "" "--help: nothing on stderr"
run xform --version > "$T/v"
like "$(cat "$T/v")" "^xform \(erpipe\) [0-9]+\.[0-9]+" "--version"
run xform --no-such-option > /dev/null 2> "$T/err"
is "$st" 64 "unknown option: 64"
like "$(head -1 "$T/err")" "^xform: unknown option '--no-such-option'$" "names it"
like "$(sed -n 2p "$T/err")" "^usage: xform " "then the usage"
run xform --max-rejects lots < /dev/null > /dev/null 2> "$T/err"
is "$st" 64 "bad option value: 64"
like "$(head -1 "$T/err")" "^xform: --max-rejects 'lots': not a count$" "names the value"
run xform --rejects < /dev/null > /dev/null 2> "$T/err"
is "$st" 64 "missing option argument: 64"
run xform "$T/missing" "$T/in" > "$T/out" 2> "$T/err"
is "$st" 66 "missing input file: 66"
like "$(head -1 "$T/err")" "^xform: cannot open '.*missing': No such file or directory$" "names the file"
same_file "$T/out" "$T/in" "the other files are still read"

done_testing
