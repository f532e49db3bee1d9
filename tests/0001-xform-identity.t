#!/bin/sh
# xform with no mapping: good records pass as their bytes, everything else
# becomes a reject naming its line; exit status follows --max-rejects.
. "${ERPIPE_TOP:-.}/tests/lib.sh"

# the foundation issue's acceptance input
printf '{"a":1}\n' > "$T/in"
printf 'not json\n' >> "$T/in"
printf '{"bad":"\377\376"}\n' >> "$T/in"
{ head -c $((70 * 1024 * 1024)) /dev/zero | tr '\0' 'x' | sed 's/^/{"big":"/; s/$/"}/'; echo; } >> "$T/in"
printf '{"b":2}\n' >> "$T/in"
printf '{"c":' >> "$T/in"

run xform --rejects "$T/rej" < "$T/in" > "$T/out" 2> "$T/err"
is "$st" 65 "three rejects and a cut last line: exit 65"
printf '{"a":1}\n{"b":2}\n' > "$T/want"
same_file "$T/out" "$T/want" "the two good records, byte for byte"
is "$(wc -l < "$T/rej" | tr -d ' ')" 3 "three rejects"
is "$(jq -r .source "$T/rej" | tr '\n' ' ')" "stdin:2 stdin:3 stdin:4 " "each names its line"
is "$(jq -r .stage "$T/rej" | sort -u)" parse "all at the parse stage"
like "$(sed -n 1p "$T/rej" | jq -r .error)" "^not valid JSON" "line 2: not JSON"
like "$(sed -n 2p "$T/rej" | jq -r .error)" "^invalid UTF-8 at byte 9" "line 3: invalid UTF-8 with its byte"
like "$(sed -n 3p "$T/rej" | jq -r .error)" "^line longer than 67108864 bytes \(73400330 bytes\)" "line 4: over --max-line"
is "$(sed -n 3p "$T/rej" | jq -r '.raw_truncated, .raw_bytes, (.raw|length)' | tr '\n' ' ')" \
	"true 73400330 4096 " "over-long line: head kept, full size said"
like "$(cat "$T/err")" "xform: stdin:6: cut short at end of input \(no final newline\): not read" \
	"line 6, cut short at EOF (its writer died mid-line): no reject, the run fails naming it"
is "$(sed -n 2p "$T/rej" | jq -r .raw_b64 | base64 -d | od -An -tx1 | tr -d ' \n')" \
	"7b22626164223a22fffe227d" "raw_b64 keeps the exact bytes"
is "$(sed -n 2p "$T/rej" | jq -r .raw)" '{"bad":"��"}' "raw replaces bad bytes with U+FFFD"
like "$(cat "$T/err")" "read 5, wrote 2, dropped 0, rejected 3" "counts on stderr"

run xform -q --max-rejects 4 --rejects "$T/rej2" < "$T/in" > "$T/out2" 2> "$T/err2"
is "$st" 65 "--max-rejects 4: still 65 for the cut line"
like "$(cat "$T/err2")" "stdin:6: cut short" "-q: only the cut line on stderr"
head -n 5 "$T/in" >"$T/in5"
run xform -q --max-rejects 4 --rejects "$T/rej3" < "$T/in5" > /dev/null 2> "$T/err5"
is "$st" 0 "without it, --max-rejects 4: exit 0"
is "$(cat "$T/err5")" "" "-q: nothing on stderr"
same_file "$T/out2" "$T/want" "same records"

# rejects default to text on stderr, one line each with file:line
run xform < "$T/in" > /dev/null 2> "$T/err3"
like "$(sed -n 1p "$T/err3")" "^xform: stdin:2: parse: not valid JSON" "text reject names stdin:2"
is "$(grep -c ': parse: ' "$T/err3")" 3 "three text rejects"

# a valid last line without its newline is accepted; CRLF and blank lines
printf '{"x":1}\r\n\r\n   \n{"y":2}' > "$T/in4"
run xform "$T/in4" > "$T/out4" 2>/dev/null
is "$st" 0 "CRLF, blank lines and a final line without newline: exit 0"
is "$(cat "$T/out4")" "$(printf '{"x":1}\n{"y":2}')" "both records written"

# not-an-object JSON values are rejected with their type
printf '[1,2]\n"s"\n42\nnull\n{"ok":true}\n' > "$T/in5"
run xform --rejects "$T/rej5" "$T/in5" > "$T/out5" 2>/dev/null
is "$(jq -r .error "$T/rej5" | tr '\n' '|')" \
	"not a JSON object (a JSON array)|not a JSON object (a JSON string)|not a JSON object (a JSON number)|not a JSON object (a JSON null)|" \
	"non-objects rejected with their type"
is "$(jq -r .source "$T/rej5" | head -1)" "$T/in5:1" "source is the file name and line"

# replay: fix the raw lines and feed them back
jq -r .raw "$T/rej" | sed -n 1p | sed 's/not json/{"fixed":true}/' > "$T/fixed"
run xform "$T/fixed" > "$T/out6" 2>/dev/null
is "$(cat "$T/out6")" '{"fixed":true}' "a fixed reject replays through the stage"

# a rejected record (not a parse error) carries its record for jq -c .record
printf '{"_checkpoint":{"stream":"s"}}\n' > "$T/in7"
run xform --rejects "$T/rej7" "$T/in7" > /dev/null 2>&1
is "$(jq -c .record "$T/rej7")" '{"_checkpoint":{"stream":"s"}}' "bad checkpoint kept as its record"
like "$(jq -r .error "$T/rej7")" "bad checkpoint" "with the reason"

# --fail-fast stops at the first reject
printf '{"a":1}\nbad\n{"b":2}\n' > "$T/in8"
run xform --fail-fast "$T/in8" > "$T/out8" 2> "$T/err8"
is "$st" 65 "--fail-fast exits 65"
is "$(cat "$T/out8")" '{"a":1}' "records before the reject were written, none after"
like "$(cat "$T/err8")" "in8:2: not valid JSON.*--fail-fast" "says where it stopped"

# --max-line with a size suffix
printf '{"a":"%s"}\n' "$(head -c 2000 /dev/zero | tr '\0' a)" > "$T/in9"
run xform --max-line 1K --rejects "$T/rej9" "$T/in9" > /dev/null 2>&1
like "$(jq -r .error "$T/rej9")" "longer than 1024 bytes" "--max-line 1K"

done_testing
