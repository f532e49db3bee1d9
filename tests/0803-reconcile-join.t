#!/bin/sh
# reconcile: the three joins give the same findings — the hash join, the
# hash join spilled to partition files (a tiny --memory), and the merge
# join of sorted inputs — and duplicate keys and unsorted input are
# reported as they should be.
. "${ERPIPE_TOP:-.}/tests/lib.sh"
cd "$T"

# ---- the same findings three ways, on a generated set
# left ids 1..2000; right lacks every 7th, changes v of every 11th, and has
# ids up to 2100
seq 1 2000 | awk '{ print "{\"id\":" $1 ",\"v\":" $1 ",\"s\":\"x" $1 "\"}" }' >L
seq 1 2100 | awk '$1 % 7 { v = $1; if ($1 % 11 == 0) v = $1 + 1;
	print "{\"id\":" $1 ",\"v\":" v ",\"s\":\"x" $1 "\"}" }' >R
# what must come out: only_left 285 (multiples of 7 up to 2000), only_right
# the 85 of 2001..2100 not multiples of 7, changed the multiples of 11 and
# not of 7 up to 2000
want="changed 156 only_left 285 only_right 85"
for how in "" "--memory 16K" "--memory 2K" "--sorted"; do
	run reconcile -k id $how L R >out 2>err
	is "$st:$(jq -r .status out | sort | uniq -c | awk '{printf "%s%s %s", (NR > 1 ? " " : ""), $2, $1}')" \
		"1:$want" "${how:-hash join}: the planted differences"
	sort out >"sorted${how:+-}$(echo "$how" | tr -d ' -')"
done
same_file sorted-memory16K sorted "spilled (one level) = in memory"
same_file sorted-memory2K sorted "spilled (several levels) = in memory"
same_file sorted-sorted sorted "merge join = hash join"
run reconcile -v -k id --memory 16K L R >/dev/null 2>err
like "$(cat err)" "the right side needs more than --memory 16K: joining in partition files" \
	"-v says when it spills"
like "$(cat err)" "partition files$" "-v counts the partition files"
run env TMPDIR=/nonexistent reconcile -k id --memory 16K L R >/dev/null 2>err
is "$st" 74 "no room for partition files: 74"
like "$(cat err)" "cannot make a partition file in '/nonexistent'" "... and says where"
mkdir tmp
run env TMPDIR="$T/tmp" reconcile -k id --memory 2K L R >/dev/null
is "$st:$(ls tmp)" "1:" "no partition file is left behind"

# the held side is the smaller file; the findings do not depend on it
head -n 300 L >Ls
run reconcile -k id Ls R >a
run reconcile -k id R Ls >b
is "$(jq -r .status a | sort | uniq -c | tr -s ' ')" " 24 changed
 42 only_left
 1542 only_right" "smaller file on the left"
is "$(jq -r .status b | sort | uniq -c | tr -s ' ')" " 24 changed
 1542 only_left
 42 only_right" "... or on the right"

# ---- duplicate keys
cat >dl <<'EOF'
{"id":1,"v":"a"}
{"id":1,"v":"b"}
{"id":2,"v":"c"}
{"id":3,"v":"d"}
{"id":3,"v":"d"}
{"id":5,"v":"e"}
{"id":5,"v":"e"}
EOF
cat >dr <<'EOF'
{"id":1,"v":"a"}
{"id":2,"v":"c"}
{"id":2,"v":"x"}
{"id":2,"v":"c"}
{"id":3,"v":"z"}
{"id":3,"v":"d"}
{"id":6,"v":"f"}
{"id":6,"v":"f"}
EOF
for how in "" "--sorted" "--memory 1K"; do
	run reconcile -k id $how dl dr >out
	is "$st:$(sort out)" '1:{"status":"changed","key":3,"diff":{"v":["d","z"]}}
{"status":"duplicate_key","key":1,"count":[2,1]}
{"status":"duplicate_key","key":2,"count":[1,3]}
{"status":"duplicate_key","key":3,"count":[2,2]}
{"status":"duplicate_key","key":5,"count":[2,0]}
{"status":"duplicate_key","key":6,"count":[0,2]}
{"status":"only_left","key":5,"diff":{"v":["e",null]}}
{"status":"only_right","key":6,"diff":{"v":[null,"f"]}}' \
		"${how:-hash join}: duplicates counted on each side; the first records are compared"
done
run reconcile -k id --format summary dl dr >out
like "$(cat out)" "duplicate_key +5" "summary counts duplicate keys"

# ---- --sorted checks the order as it streams
printf '{"id":1}\n{"id":5}\n{"id":2}\n' >uns
printf '{"id":1}\n{"id":2}\n{"id":5}\n' >srt
run reconcile -k id --sorted srt uns >out 2>err
is "$st:$(cat err)" "65:reconcile: uns:3: not sorted by key (--sorted): 2 after 5" \
	"an unsorted input stops with 65 and the line"
printf '{"k":"odoo:10"}\n{"k":"odoo:9"}\n' >strs
run reconcile -k k --sorted strs strs
is "$st" 0 "strings sort by code point ('odoo:10' before 'odoo:9')"
printf '{"k":9}\n{"k":10}\n{"k":"a"}\n{"k":"b"}\n' >mixed
run reconcile -k k --sorted mixed mixed
is "$st" 0 "numbers by value, before strings"
printf '{"k":10}\n{"k":9}\n' >nums
run reconcile -k k --sorted nums nums 2>err
is "$st:$(cat err)" "65:reconcile: nums:2: not sorted by key (--sorted): 9 after 10" \
	"numbers are not sorted as text"
printf '{"a":"x","b":2}\n{"a":"x","b":10}\n{"a":"y","b":1}\n' >comp
run reconcile -k a,b --sorted comp comp
is "$st" 0 "a compound key sorts field by field"

# constant memory: the merge join holds two records a side, whatever the size
seq 1 20000 | awk '{ print "{\"id\":" $1 ",\"v\":\"" $1 "\"}" }' >big
run reconcile -v -k id --sorted big big 2>err
like "$(cat err)" "memory for records: [0-9] KiB at most" "merge join: a few KiB for records"
run reconcile -v -k id big big 2>err
like "$(cat err)" "memory for records: [0-9]{3,} KiB at most" "hash join: the held side"

done_testing
