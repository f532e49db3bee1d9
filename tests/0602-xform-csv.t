#!/bin/sh
# xform -i csv / -o csv: header row, dotted names flattened and rebuilt,
# null and "" kept apart, types, quoting styles, delimiters, bad rows as
# rejects with file:line and the row's text, bad headers, --columns,
# checkpoints dropped from CSV output (noted with -v) but still committed.
. "${ERPIPE_TOP:-.}/tests/lib.sh"

# ---- reading ----------------------------------------------------------------
printf '\357\273\277id,name,country_id.0,country_id.1,price,tags.0,tags.1,note\r\n' > "$T/in.csv"
printf '1,"Acme, Inc.",233,US,1.10,a,b,\r\n' >> "$T/in.csv"
printf '2,"Bob ""the"" Builder",,,007,"","",""\r\n' >> "$T/in.csv"
printf '\r\n' >> "$T/in.csv"
printf '3,"two\nlines",1,X,-2.5e3,x,,z' >> "$T/in.csv"
run xform -i csv "$T/in.csv" > "$T/out" 2> "$T/err"
is "$st" 0 "-i csv: status 0"
cat > "$T/want" <<'X'
{"id":"1","name":"Acme, Inc.","country_id":["233","US"],"price":"1.10","tags":["a","b"],"note":null}
{"id":"2","name":"Bob \"the\" Builder","country_id":null,"price":"007","tags":["",""],"note":""}
{"id":"3","name":"two\nlines","country_id":["1","X"],"price":"-2.5e3","tags":["x"],"note":"z"}
X
same_file "$T/out" "$T/want" "cells are strings; dotted names nest; empty cell null, \"\" the empty string; an all-empty group null, trailing empty array items dropped; BOM, CRLF, blank line, multi-line cell, no final newline"
is "$(tail -1 "$T/err")" "xform: read 3, wrote 3, dropped 0, rejected 0" "counts"

xform -q -i csv --infer-types "$T/in.csv" > "$T/out"
cat > "$T/want" <<'X'
{"id":1,"name":"Acme, Inc.","country_id":[233,"US"],"price":1.10,"tags":["a","b"],"note":null}
{"id":2,"name":"Bob \"the\" Builder","country_id":null,"price":"007","tags":["",""],"note":""}
{"id":3,"name":"two\nlines","country_id":[1,"X"],"price":-2.5e3,"tags":["x"],"note":"z"}
X
same_file "$T/out" "$T/want" "--infer-types: JSON numbers typed with their exact text, 007 stays text"

printf 'ok,list,obj,n\ntrue,[],{},null\n' | xform -q -i csv --infer-types > "$T/out"
is "$(cat "$T/out")" '{"ok":true,"list":[],"obj":{},"n":"null"}' "--infer-types: true, [] and {}; null is text"

printf 'a;b\n1;"2;3"\n' | xform -q -i csv --delimiter ';' > "$T/out"
is "$(cat "$T/out")" '{"a":"1","b":"2;3"}' "--delimiter ;"
printf 'a\tb\n1\t2\n' | xform -q -i csv --delimiter tab > "$T/out"
is "$(cat "$T/out")" '{"a":"1","b":"2"}' "--delimiter tab"
printf "a,b\n'x,y',1\n" | xform -q -i csv --quote-char "'" > "$T/out"
is "$(cat "$T/out")" '{"a":"x,y","b":"1"}' "--quote-char"
printf 'l.0.p,l.0.q,l.1.p,l.1.q,s.1,s.2\nA,1,B,2,x,y\nC,3,,,,\n' | xform -q -i csv > "$T/out"
cat > "$T/want" <<'X'
{"l":[{"p":"A","q":"1"},{"p":"B","q":"2"}],"s":{"1":"x","2":"y"}}
{"l":[{"p":"C","q":"3"}],"s":null}
X
same_file "$T/out" "$T/want" "arrays of objects; parts that are not 0..n-1 make an object"
printf 'a..b,.c,d.\n1,2,3\n' | xform -q -i csv > "$T/out"
is "$(cat "$T/out")" '{"a..b":"1",".c":"2","d.":"3"}' "a name with an empty part is not split"

# ---- bad rows: rejects with file:line and the row's text; the stream goes on
printf 'a,b\n1,2\n3\n4,5,6\nx"y,2\n"ok",\377\n"q"z,1\n7,"multi\nline"\n8,"unterminated\n' > "$T/bad.csv"
run xform -i csv --rejects "$T/rej" "$T/bad.csv" > "$T/out" 2> "$T/err"
is "$st" 65 "bad rows: 65"
cat > "$T/want" <<'X'
{"a":"1","b":"2"}
{"a":"7","b":"multi\nline"}
X
same_file "$T/out" "$T/want" "the good rows go on"
jq -c '[.stage, .source, .error, .raw]' "$T/rej" > "$T/got"
cat > "$T/want" <<X
["parse","$T/bad.csv:3","row has 1 field, the header 2","3"]
["parse","$T/bad.csv:4","row has 3 fields, the header 2","4,5,6"]
["parse","$T/bad.csv:5","stray quote character (inside an unquoted field, or text after a closing quote)","x\"y,2"]
["parse","$T/bad.csv:6","invalid UTF-8 at byte 6","\"ok\",\ufffd"]
["parse","$T/bad.csv:7","stray quote character (inside an unquoted field, or text after a closing quote)","\"q\"z,1"]
["parse","$T/bad.csv:10","unterminated quoted field at end of input","8,\"unterminated"]
X
jq -c . "$T/want" > "$T/want2"
same_file "$T/got" "$T/want2" "each bad row: stage parse, file:line of its first line, why, its text"
is "$(sed -n 4p "$T/rej" | jq -r .raw_b64 | base64 -d | od -An -c | tr -s ' ' | sed 's/^ //')" '" o k " , 377' "raw_b64 keeps the exact bytes"
like "$(tail -1 "$T/err")" "read 8, wrote 2, dropped 0, rejected 6" "every row counted"

printf 'a,b\n1,2222222222222222222222\n3,4\n' > "$T/long.csv"
run xform -q -i csv --max-line 12 --rejects "$T/rej2" "$T/long.csv" > "$T/out"
is "$(cat "$T/out")" '{"a":"3","b":"4"}' "--max-line caps a row; reading goes on at the next line"
is "$(jq -r '.source + " " + .error' "$T/rej2")" "$T/long.csv:2 row longer than 12 bytes" "the over-long row is rejected"
printf 'a,b\n1,"22\n222222\n2222222"\n3,4\n' > "$T/long2.csv"
run xform -q -i csv --max-line 12 --rejects "$T/rej3" "$T/long2.csv" > "$T/out"
is "$(cat "$T/out")" '{"a":"3","b":"4"}' "a row over the cap across lines"
is "$(jq -r '.source + " " + .error' "$T/rej3")" "$T/long2.csv:2 row longer than 12 bytes" "rejected at its first line"

# ---- bad headers: the file is refused (65), the next file is read
printf 'a,a\n1,2\n' > "$T/h1.csv"
printf 'a,a.b\n1,2\n' > "$T/h2.csv"
printf 'a.b,a\n1,2\n' > "$T/h3.csv"
printf 'a,,c\n1,2,3\n' > "$T/h4.csv"
printf 'x\n1\n' > "$T/ok.csv"
run xform -i csv "$T/h1.csv" "$T/h2.csv" "$T/h3.csv" "$T/h4.csv" "$T/ok.csv" > "$T/out" 2> "$T/err"
is "$st" 65 "a bad header: 65"
is "$(cat "$T/out")" '{"x":"1"}' "the other files are still read"
cat > "$T/want" <<X
xform: $T/h1.csv:1: column 'a' appears twice
xform: $T/h2.csv:1: column 'a.b' is inside column 'a'
xform: $T/h3.csv:1: column 'a' is also the start of other columns
xform: $T/h4.csv:1: column 2 has no name
xform: read 1, wrote 1, dropped 0, rejected 0
X
same_file "$T/err" "$T/want" "each bad header named with file:line"

# ---- writing -----------------------------------------------------------------
cat > "$T/in.nd" <<'X'
{"id":1,"name":"A","country_id":[233,"US"],"amt":1.10,"ok":true,"note":null,"e":"","tags":[]}
{"_checkpoint":{"stream":"t:x:y","v":1,"pos":{"id":1}}}
{"id":2,"name":"B\nC","country_id":false,"amt":-2e3,"ok":false,"note":"x,y","e":"q\"","tags":[1,2]}
{"id":3,"name":"D","country_id":"bad"}
{"id":4,"extra":1}
{"id":5,"name":"caf\u00e9 \ud83d\ude00"}
X
run xform -v -o csv --rejects "$T/rej4" --state "$T/st" "$T/in.nd" > "$T/out.csv" 2> "$T/err"
is "$st" 65 "-o csv: two records that do not fit: 65"
printf '%s\n' 'id,name,country_id.0,country_id.1,amt,ok,note,e,tags' '1,A,233,US,1.10,true,,"",[]' \
	'2,"B' 'C",,,-2e3,false,"x,y","q""","[1,2]"' '5,café 😀,,,,,,,' > "$T/want"
same_file "$T/out.csv" "$T/want" "header from the first record; numbers exact; null empty, \"\" quoted; Odoo false under a group empty; nested value under a column as JSON"
is "$(jq -r '.source + " " + .error' "$T/rej4" | sed "s|$T/||")" "in.nd:4 'country_id' is a single value but the CSV header has columns 'country_id.…' (name the columns with --columns)
in.nd:5 'extra' is not a column of the CSV header, which the first record made (name the columns with --columns)" "records that do not fit the header are rejected, whole"
like "$(cat "$T/err")" "in.nd:2: checkpoint not written: CSV output has no control lines" "-v notes the dropped checkpoint"
is "$(jq -c . "$T/st")" '{"t:x:y":{"id":1}}' "the checkpoint is still committed"

# round trip: CSV -> NDJSON -> CSV is the same file
xform -q -i csv "$T/in.csv" | xform -q -o csv > "$T/rt.csv"
xform -q -i csv "$T/rt.csv" > "$T/rt.nd"
xform -q -i csv "$T/in.csv" > "$T/orig.nd"
same_file "$T/rt.nd" "$T/orig.nd" "CSV -> NDJSON -> CSV -> NDJSON keeps the records"
xform -q -i csv --infer-types "$T/rt.csv" | xform -q -o csv > "$T/rt2.csv"
same_file "$T/rt2.csv" "$T/rt.csv" "and the CSV text, with --infer-types"

xform -q -o csv --columns id,country_id.1,tags,missing "$T/in.nd" > "$T/out"
printf '%s\n' 'id,country_id.1,tags,missing' '1,US,[],' '2,,"[1,2]",' '3,,,' '4,,,' '5,,,' > "$T/want"
same_file "$T/out" "$T/want" "--columns: chosen columns in order, the rest left out, none rejected"
xform -q -o csv --columns id,country_id "$T/in.nd" | sed -n 2p > "$T/out"
is "$(cat "$T/out")" '1,"[233,""US""]"' "a column naming a nested value holds its JSON text"
: | xform -q -o csv --columns a,b > "$T/out"
is "$(cat "$T/out")" "a,b" "--columns: the header even with no records"
: | xform -q -o csv > "$T/out"
is "$(wc -c < "$T/out" | tr -d ' ')" 0 "no records, no columns: empty output"

echo '{"s":"x","n":1.50,"b":true,"z":null,"e":""}' > "$T/q.nd"
is "$(xform -q -o csv --quote-style all "$T/q.nd" | tail -1)" '"x","1.50","true",,""' "--quote-style all (null stays an empty cell)"
is "$(xform -q -o csv --quote-style strings "$T/q.nd" | tail -1)" '"x",1.50,true,,""' "--quote-style strings"
is "$(xform -q -o csv --quote-style strings "$T/q.nd" | head -1)" '"s","n","b","z","e"' "header names are strings"
is "$(xform -q -o csv --delimiter ';' "$T/q.nd" | tail -1)" 'x;1.50;true;;""' "--delimiter on output"
echo '{"a":"x;y","b":"1,2"}' | xform -q -o csv --delimiter ';' > "$T/out"
is "$(tail -1 "$T/out")" '"x;y";1,2' "quoting follows the delimiter"

# a map between CSV in and CSV out
printf 'sku,price\nA-1,10.50\nB-2,3\nC-3,\n' > "$T/p.csv"
printf 'if $price == null { drop }\nSku = $sku\nPrice = round(to_number($price) * 1.2, 2)\n' > "$T/p.map"
xform -q -i csv -o csv -f "$T/p.map" "$T/p.csv" > "$T/out"
printf '%s\n' 'Sku,Price' 'A-1,12.60' 'B-2,3.60' > "$T/want"
same_file "$T/out" "$T/want" "-i csv -f MAP -o csv"

# ---- usage --------------------------------------------------------------------
run xform -i xml < /dev/null 2> "$T/err"
is "$st" 64 "-i xml: 64"
is "$(head -1 "$T/err")" "xform: -i 'xml': not ndjson, csv or singer" "names the bad format"
run xform -o csv --columns 'a,,b' < /dev/null 2> "$T/err"
is "$st:$(cat "$T/err")" "64:xform: --columns 'a,,b': an empty column name" "--columns with an empty name: 64"
run xform --delimiter ab < /dev/null 2> "$T/err"
is "$st:$(head -1 "$T/err")" "64:xform: --delimiter 'ab': not one ASCII character" "--delimiter must be one character"
run xform --delimiter '"' < /dev/null 2> "$T/err"
is "$st:$(head -1 "$T/err")" "64:xform: the delimiter and the quote character are the same" "delimiter and quote differ"
run xform --quote-style some < /dev/null 2> "$T/err"
is "$st:$(head -1 "$T/err")" "64:xform: --quote-style 'some': not minimal, all or strings" "--quote-style choices"

# an over-long NDJSON line keeps only its own bytes as raw
printf '{"a":"xxxxxxxxxxxxxxxxxxxxx"}\n{}\n' | xform -q --max-line 9 --rejects "$T/rej5" > /dev/null || true
is "$(jq -r .raw "$T/rej5")" '{"a":"xxxxxxxxxxxxxxxxxxxxx"}' "over-long line's raw is the line, nothing after it"

# a header nesting deeper than a record may (JSON_MAX_DEPTH, 512): refused
# as a bad header, not written as a record no stage reads (found by
# make fuzz-long: fuzz-csv)
awk 'BEGIN { for (i = 1; i < 512; i++) printf "a."; print "a"; print "1" }' > "$T/deep512.csv"
awk 'BEGIN { for (i = 1; i < 513; i++) printf "a."; print "a"; print "1" }' > "$T/deep513.csv"
run xform -q -i csv "$T/deep512.csv"
is "$st" 0 "512 dotted parts: a record"
is "$(xform -q -i csv "$T/deep512.csv" | validate -q | wc -l | tr -d ' ')" 1 "and validate reads it"
run xform -q -i csv "$T/deep513.csv"
is "$st" 65 "513 dotted parts: 65"
like "$(xform -q -i csv "$T/deep513.csv" 2>&1)" "deep513.csv:1: column 1: more than 512 dotted parts" \
	"the message names the file, the line and the column"

done_testing
