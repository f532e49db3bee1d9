#!/bin/sh
# A fixed-seed slice of make chaos (tests/chaos/chaos.py): sync-partners
# killed (a stage, the whole group, the target server) and its connections
# dropped, each resumed to status 0, then the target compared with a clean
# run's: nothing lost, duplicated or altered, every receipt there, state
# whole, no lock held.  And the comparison sees a row lost after the fact.
. "$(dirname "$0")/lib.sh"
chaos() { /usr/bin/python3 "$ERPIPE_TOP/tests/chaos/chaos.py" --build "${B:-build}" "$@"; }
run chaos --seed 15 --flow sync-partners --trials 4 \
	--kinds kill-stage,kill-group,kill-server,fault-drop >"$T/out" 2>&1
is "$st" 0 "four trials: status 0"
[ "$st" = 0 ] || sed 's/^/#   /' "$T/out" | tail -20
like "$(grep '^sync-partners  ' "$T/out")" "^sync-partners +4( +0){11}$" \
	"...the table: 4 trials, no anomaly"
is "$(grep -c ' trial [0-9]* seed [0-9]*: ' "$T/out")" 4 "...each trial with its seed"
run chaos --seed 15 --flow sync-partners --trial 0 --kinds kill-stage --plant lost >"$T/out" 2>&1
is "$st" 1 "a row deleted from the target: status 1"
like "$(grep '^sync-partners  ' "$T/out")" "^sync-partners +1 +1 " "...counted lost"
like "$(cat "$T/out")" "reproduce: make chaos SEED=15 FLOW=sync-partners TRIAL=0" "...with the command that runs it again"
rm -rf "$(sed -n 's/.*(kept in \(.*\)\/trial-.*/\1/p' "$T/out" | head -1)"
done_testing
