#!/bin/sh
# A member name holding U+0000 ("a\u0000b") is a bad record for reconcile,
# named with its file and line (65), in the two-way compare and in the
# three-way merge.  Before, the name table kept such a name cut at the
# U+0000 while comparing it over its whole length: a read past the end of
# the heap block (AddressSanitizer, found by fuzz-diff-merge at 7.9 million
# executions; the input is in tests/fuzz/corpus/fuzz-diff-merge/), and the
# field was reported and fixed under the cut name.
. "${ERPIPE_TOP:-.}/tests/lib.sh"
cd "$T"

printf '{"id":1,"a\\u0000b":1}\n{"id":2,"a":1}\n' > left.ndjson
printf '{"id":1,"a":2}\n{"id":2,"a":1}\n' > right.ndjson
printf '{"id":1,"a":2}\n{"id":2,"a":1}\n' > base.ndjson

run reconcile -k id left.ndjson right.ndjson > out 2> err
is "$st" 65 "compare: exit 65"
like "$(cat err)" "left.ndjson:1: a member name holding U\\+0000" "naming the file and line"
is "$(grep -c '"key":2' out || :)" 0 "the good record is compared (no difference)"
like "$(cat out)" '"status":"only_right","key":1' "the bad one is left out of the join"

run reconcile -k id --base base.ndjson left.ndjson right.ndjson > out 2> err
is "$st" 65 "merge: exit 65"
like "$(cat err)" "left.ndjson:1: a member name holding U\\+0000" "naming the file and line"

# the same name spelled without U+0000 is an ordinary field
printf '{"id":1,"a\\u0001b":1}\n' > ok.ndjson
run reconcile -k id ok.ndjson ok.ndjson > out 2> err
is "$st" 0 "a name with U+0001 is compared as any other"
done_testing
