#!/bin/sh
# reconcile: the exit statuses (0 identical, 1 differences, 64, 65, 66), the
# exact output shapes, keys (L=R, compound, _key, numbers by value), --all,
# --fields / --ignore, control lines, stdin, --report and the formats.
. "${ERPIPE_TOP:-.}/tests/lib.sh"
cd "$T"

cat >l.ndjson <<'EOF'
{"id":1,"name":"Ann","amount":10.50,"tags":["a","b"]}
{"id":2,"name":"Bob","amount":20,"note":"x"}
{"_checkpoint":{"stream":"odoo:t:res.partner","v":1,"pos":{"id":2}}}
{"id":3,"name":"Cy","amount":30}
EOF
cat >r.ndjson <<'EOF'
{"ref":2,"name":"Bob","amount":20.00,"note":"x"}
{"ref":1,"name":"Ann","amount":10.5,"tags":["a","b"]}
{"ref":4,"name":"Di","amount":40}
{"ref":3,"name":"Cyrus","amount":30}
EOF

# ---- statuses
run reconcile -k id l.ndjson l.ndjson >out 2>err
is "$st:$(cat out)$(cat err)" "0:" "identical files: status 0, nothing written"
run reconcile -k id=ref l.ndjson r.ndjson >out 2>err
is "$st" 1 "differences: status 1"
is "$(sort out)" '{"status":"changed","key":3,"diff":{"name":["Cy","Cyrus"]}}
{"status":"only_right","key":4,"diff":{"name":[null,"Di"],"amount":[null,40]}}' \
	"one line per differing key, in the issue's shape"
is "$(cat err)" "" "nothing on stderr"
run reconcile -k id=ref --all l.ndjson r.ndjson >out
is "$(grep -c '"status":"match"' out)" 2 "--all adds the matches"
like "$(cat out)" '^\{"status":"match","key":1\}$' "a match line has status and key only"
run reconcile -k id=ref -q --all --format summary l.ndjson r.ndjson >out
like "$(cat out)" "match +2" "summary counts matches"

run reconcile -k id nosuch.ndjson l.ndjson 2>err
is "$st:$(cat err)" "66:reconcile: cannot open 'nosuch.ndjson': No such file or directory" \
	"a missing file: 66"
run reconcile l.ndjson r.ndjson 2>err
is "$st" 64 "no key: 64"
like "$(head -1 err)" "^reconcile: no key: give --key FIELD" "says what is missing"
run reconcile -k id l.ndjson 2>/dev/null
is "$st" 64 "one file: 64"
run reconcile -k id - - </dev/null 2>/dev/null
is "$st" 64 "both sides stdin: 64"
run reconcile -k id --format xml l.ndjson l.ndjson 2>err
is "$st:$(head -1 err)" "64:reconcile: --format 'xml': ndjson, summary, csv, html or xlsx" "bad --format"
run reconcile -k id --bogus l.ndjson l.ndjson 2>err
is "$st:$(head -1 err)" "64:reconcile: unknown option '--bogus'" "unknown option"
run reconcile -k a=b=c l.ndjson l.ndjson 2>err
is "$st:$(head -1 err)" "64:reconcile: --key 'a=b=c': 'a=b=c' is not NAME or LEFT=RIGHT" "bad pair"
run reconcile --sum amount -k id l.ndjson l.ndjson 2>/dev/null
is "$st" 64 "--sum with --key: 64"
run reconcile -k id --group-by x l.ndjson l.ndjson 2>/dev/null
is "$st" 64 "--group-by without --sum: 64"
run reconcile -k id --map-left x.map --emit-fix left l.ndjson l.ndjson 2>err
is "$st" 64 "--emit-fix on a mapped side without --fix-map: 64"
run reconcile -k id --allow-delete l.ndjson l.ndjson 2>/dev/null
is "$st" 64 "--allow-delete without --emit-fix: 64"

# ---- bad records: reported with file:line, skipped, status 65
printf '{"id":1,"name":"Ann"}\nnot json\n{"x":1}\n{"id":2,"name":"B\377"}\n{"id":3,"name":"C"\n' >bad.ndjson
printf '{"id":1,"name":"Ann"}\n' >one.ndjson
run reconcile -k id bad.ndjson one.ndjson >out 2>err
is "$st" 65 "bad records: 65"
is "$(cat err)" "reconcile: bad.ndjson:2: not a JSON object
reconcile: bad.ndjson:3: no key field 'id'
reconcile: bad.ndjson:4: invalid UTF-8 at byte 18
reconcile: bad.ndjson:5: not JSON: unexpected end of input at byte 19" "each bad line named"
is "$(cat out)" "" "the good records still agree"
run reconcile -q -k id bad.ndjson one.ndjson 2>err
is "$st:$(cat err)" "65:reconcile: bad.ndjson:2: not a JSON object
reconcile: bad.ndjson:3: no key field 'id'
reconcile: bad.ndjson:4: invalid UTF-8 at byte 18
reconcile: bad.ndjson:5: not JSON: unexpected end of input at byte 19" "-q keeps the errors"
printf '{"id":1,"name":"%s"}\n' "$(head -c 300 /dev/zero | tr '\0' x)" >long.ndjson
run reconcile -k id --max-line 100 long.ndjson one.ndjson >out 2>err
is "$st:$(cat err)" "65:reconcile: long.ndjson:1: line longer than 100 bytes" "--max-line"

# ---- keys
cat >k1.ndjson <<'EOF'
{"company":"A","no":"10000","name":"x"}
{"company":"A","no":"20000","name":"y"}
{"company":"B","no":"10000","name":"z"}
EOF
cat >k2.ndjson <<'EOF'
{"Company":"B","No":"10000","Name":"z"}
{"Company":"A","No":"20000","Name":"Y"}
{"Company":"A","No":"10000","Name":"x"}
EOF
run reconcile -k company=Company,no=No -f name=Name k1.ndjson k2.ndjson >out
is "$st:$(cat out)" '1:{"status":"changed","key":{"company":"A","no":"20000"},"diff":{"name":["y","Y"]}}' \
	"compound key with L=R names: the key is an object named as on the left"
run reconcile -k company=Company,no=No -f name=Name --ignore-case name k1.ndjson k2.ndjson
is "$st" 0 "--ignore-case takes the left name of a pair"
run reconcile -k company=Company,no=No -f name=Name --ignore-case Name k1.ndjson k2.ndjson
is "$st" 0 "... or the right name"
printf '{"id":7,"v":1}\n{"id":1e1,"v":2}\n' >n1.ndjson
printf '{"id":7.0,"v":1}\n{"id":10,"v":2}\n{"id":"7","v":1}\n' >n2.ndjson
run reconcile -k id n1.ndjson n2.ndjson >out
is "$st:$(cat out)" '1:{"status":"only_right","key":"7","diff":{"v":[null,1]}}' \
	"numeric keys by value (7 = 7.0, 1e1 = 10); a string is another key"
printf '{"_key":{"id":5},"id":99,"v":1}\n' >kk1.ndjson
printf '{"id":5,"v":1}\n' >kk2.ndjson
run reconcile -k id kk1.ndjson kk2.ndjson
is "$st" 0 "_key overrides the record's own key fields"

# ---- what is compared
run reconcile -k id=ref -f amount l.ndjson r.ndjson >out
is "$st:$(cat out)" '1:{"status":"only_right","key":4,"diff":{"amount":[null,40]}}' \
	"--fields: only those fields"
run reconcile -k id=ref --ignore name l.ndjson r.ndjson >out
is "$st:$(cat out)" '1:{"status":"only_right","key":4,"diff":{"amount":[null,40]}}' "--ignore"
printf '{"id":1,"a":1,"_op":"delete"}\n' >op1.ndjson
printf '{"id":1,"a":1.0}\n' >op2.ndjson
run reconcile -k id op1.ndjson op2.ndjson
is "$st" 0 "_op is not a field"

# ---- stdin and --report
run reconcile -k id=ref - r.ndjson <l.ndjson >out
is "$st:$(wc -l <out)" "1:2" "the left side from stdin"
run reconcile -k id=ref --report rep.ndjson l.ndjson r.ndjson >out
is "$st:$(cat out):$(wc -l <rep.ndjson)" "1::2" "--report FILE takes the differences"
run reconcile -k id=ref --report /nonexistent/dir/rep l.ndjson r.ndjson 2>err
is "$st" 74 "--report in a missing directory: 74"

# ---- formats
run reconcile -k id=ref --format csv l.ndjson r.ndjson >out
is "$(sort out | tr -d '\r')" '"changed","3","name","Cy","Cyrus"
"only_right","4","amount","","40"
"only_right","4","name","","Di"
status,key,field,left,right' "csv: a row per field"
run reconcile -k id=ref --format summary l.ndjson r.ndjson >out
is "$st" 1 "summary: status 1"
is "$(sed -n '3,8p' out)" "keys:
  match                     2
  changed                   1
  only_left                 0
  only_right                1
  duplicate_key             0" "summary: counts per status"
like "$(cat out)" "fields that differ:
  name  +1" "summary: per field"
run reconcile -k id --format csv l.ndjson l.ndjson >out
is "$st:$(tr -d '\r' <out)" "0:status,key,field,left,right" "csv of no difference: the header"

# ---- a reader that goes away: quiet, the status of what was found
seq 3000 | awk '{print "{\"id\":" $1 ",\"v\":1}"}' >big1.ndjson
seq 3000 | awk '{print "{\"id\":" $1 ",\"v\":2}"}' >big2.ndjson
(s=0; reconcile -k id big1.ndjson big2.ndjson 2>err || s=$?; echo $s >st) | head -n 1 >/dev/null
is "$(cat st):$(cat err)" "1:" "no error, status 1"


done_testing
