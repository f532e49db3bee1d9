#!/bin/sh
# reconcile: how two values compare — exact decimals, tolerances (absolute
# and relative, inclusive), Odoo's empties and --strict, case and white
# space, dates as instants across formats and zones, nested values.
. "${ERPIPE_TOP:-.}/tests/lib.sh"
cd "$T"

# one case per key: v on the left, v on the right
cat >l.ndjson <<'EOF'
{"id":"num-scale","v":1.50}
{"id":"num-exp","v":1e3}
{"id":"num-exact","v":0.1}
{"id":"num-str","v":5}
{"id":"str-num","v":"5"}
{"id":"tol-abs-in","v":100.00}
{"id":"tol-abs-out","v":100.00}
{"id":"tol-rel-in","v":1000}
{"id":"tol-rel-out","v":1000}
{"id":"empty-null-false","v":null}
{"id":"empty-str-absent","v":""}
{"id":"empty-false-str","v":false}
{"id":"zero-false","v":0}
{"id":"case","v":"ÉCOLE İstanbul МОСКВА Łódź"}
{"id":"trim","v":"  a b "}
{"id":"trim-empty","v":"   "}
{"id":"escape","v":"caf\u00e9 \"q\""}
{"id":"bool-str","v":true}
{"id":"obj-order","v":{"a":1,"b":[1,2]}}
{"id":"arr-order","v":[1,2]}
{"id":"m2o","v":[233,"United States"]}
{"id":"date-odoo-iso","v":"2026-11-20 09:12:44"}
{"id":"date-offset","v":"2026-11-20 09:12:44"}
{"id":"date-frac","v":"2026-11-20T09:12:44.000Z"}
{"id":"date-frac-diff","v":"2026-11-20T09:12:44.5Z"}
{"id":"date-day","v":"2026-11-20"}
{"id":"date-zone","v":"2026-07-01 10:00:00"}
EOF
cat >r.ndjson <<'EOF'
{"id":"num-scale","v":1.5}
{"id":"num-exp","v":1000.0}
{"id":"num-exact","v":0.10000000000000001}
{"id":"num-str","v":"5.00"}
{"id":"str-num","v":"5.0"}
{"id":"tol-abs-in","v":100.01}
{"id":"tol-abs-out","v":100.011}
{"id":"tol-rel-in","v":1001}
{"id":"tol-rel-out","v":1001.01}
{"id":"empty-null-false","v":false}
{"id":"empty-str-absent"}
{"id":"empty-false-str","v":""}
{"id":"zero-false","v":false}
{"id":"case","v":"école istanbul москва łÓdŹ"}
{"id":"trim","v":"a b"}
{"id":"trim-empty","v":null}
{"id":"escape","v":"café \"q\""}
{"id":"bool-str","v":"true"}
{"id":"obj-order","v":{"b":[1,2.0],"a":1}}
{"id":"arr-order","v":[2,1]}
{"id":"m2o","v":[233,"United States"]}
{"id":"date-odoo-iso","v":"2026-11-20T09:12:44Z"}
{"id":"date-offset","v":"2026-11-20T10:12:44+01:00"}
{"id":"date-frac","v":"2026-11-20 09:12:44"}
{"id":"date-frac-diff","v":"2026-11-20 09:12:44"}
{"id":"date-day","v":"2026-11-20T00:00:00Z"}
{"id":"date-zone","v":"2026-07-01T08:00:00Z"}
EOF

# differing keys, sorted, on one line
differ() {
	run reconcile -k id "$@" l.ndjson r.ndjson >out 2>err
	[ -s err ] && sed 's/^/# stderr: /' err
	echo "$(jq -r .key out | sort | tr '\n' ' ') $st"
}

base="arr-order bool-str case date-day date-frac date-frac-diff date-odoo-iso date-offset date-zone num-exact str-num tol-abs-in tol-abs-out tol-rel-in tol-rel-out trim trim-empty zero-false"
is "$(differ)" \
	"arr-order bool-str case date-day date-frac date-frac-diff date-odoo-iso date-offset date-zone num-exact str-num tol-abs-in tol-abs-out tol-rel-in tol-rel-out trim trim-empty zero-false  1" \
	"by default: decimals by value, exact; empties alike; strings by character; objects in any order"
is "$(differ --tolerance v=0.01)" \
	"arr-order bool-str case date-day date-frac date-frac-diff date-odoo-iso date-offset date-zone tol-abs-out tol-rel-in tol-rel-out trim trim-empty zero-false  1" \
	"--tolerance v=0.01: within a cent, inclusive; a numeric string is a number then"
is "$(differ --tolerance v=0.1%)" \
	"arr-order bool-str case date-day date-frac date-frac-diff date-odoo-iso date-offset date-zone tol-rel-out trim trim-empty zero-false  1" \
	"--tolerance v=0.1%: of the larger value, exactly (1 of 1001 in, 1.01 of 1001.01 out, 0.011 of 100.011 in)"
is "$(differ --tolerance 'v=0.5,w=1' --tolerance v=0.1%)" \
	"arr-order bool-str case date-day date-frac date-frac-diff date-odoo-iso date-offset date-zone tol-rel-out trim trim-empty zero-false  1" \
	"both limits: either one is enough"
is "$(differ --ignore-case v)" "$(echo "$base " | sed 's/case //') 1" \
	"--ignore-case: Latin-1, Latin Extended-A, Turkish dotted I, Cyrillic"
is "$(differ --trim v)" "$(echo "$base " | sed 's/trim trim-empty //') 1" \
	"--trim: white space around, and a blank string is empty"
is "$(differ --date v)" \
	"arr-order bool-str case date-frac-diff date-zone num-exact str-num tol-abs-in tol-abs-out tol-rel-in tol-rel-out trim trim-empty zero-false  1" \
	"--date: one instant across Odoo's text, ISO with offsets, fractions, a date"
is "$(differ --date v --date-zone Europe/Brussels)" \
	"arr-order bool-str case date-day date-frac date-frac-diff date-odoo-iso date-offset num-exact str-num tol-abs-in tol-abs-out tol-rel-in tol-rel-out trim trim-empty zero-false  1" \
	"--date-zone: text without an offset is local time (summer time too)"
run reconcile -k id --date-zone Mars/Olympus l.ndjson r.ndjson 2>err
is "$st:$(head -1 err)" "64:reconcile: --date-zone 'Mars/Olympus': not a time zone" "an unknown zone"
is "$(differ --strict)" \
	"arr-order bool-str case date-day date-frac date-frac-diff date-odoo-iso date-offset date-zone empty-false-str empty-null-false empty-str-absent num-exact num-str str-num tol-abs-in tol-abs-out tol-rel-in tol-rel-out trim trim-empty zero-false  1" \
	"--strict: null, false, \"\", missing and number/string all differ"
is "$(differ --ignore-case '*' --trim '*' --date '*' --tolerance v=0.1%)" \
	"arr-order bool-str date-frac-diff date-zone tol-rel-out zero-false  1" \
	"'*' names every field"

# the values written are the original texts
run reconcile -k id -f v l.ndjson r.ndjson >out
is "$(grep '"num-exact"' out)" '{"status":"changed","key":"num-exact","diff":{"v":[0.1,0.10000000000000001]}}' \
	"numbers written as they were read"
is "$(grep '"escape"' out)" "" "escapes decoded before comparing"
is "$(grep '"empty-str-absent"' out)" "" "a missing field is empty"

# bad option values
run reconcile -k id --tolerance v l.ndjson r.ndjson 2>err
is "$st:$(head -1 err)" "64:reconcile: --tolerance 'v': not FIELD=AMOUNT or FIELD=PERCENT%" "tolerance without a value"
run reconcile -k id --tolerance v=-1 l.ndjson r.ndjson 2>err
is "$st:$(head -1 err)" "64:reconcile: --tolerance 'v=-1': '-1' is not a number >= 0 (or a percentage)" \
	"a negative tolerance"
run reconcile -k id --tolerance v=x% l.ndjson r.ndjson 2>/dev/null
is "$st" 64 "a tolerance that is not a number"

done_testing
