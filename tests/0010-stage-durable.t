#!/bin/sh
# What every stage makes durable, and what a killed neighbour leaves: a
# stage that is not the committer fsyncs its reject file before it passes a
# checkpoint on (a committer downstream may commit it); a reject file that
# is a pipe is not fsynced (and is no error); a reject file whose last line
# was cut is cut back to its last whole line when opened, and so is stdout
# appended to (>>); an input whose
# last line was cut (the writer died mid-line) is no reject but a failed
# run naming the line.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"

printf '%s\n' '{"a":1}' 'bad' '{"_checkpoint":{"stream":"s","v":1,"pos":{}}}' '{"b":2}' >"$T/in"
for stage in xform validate; do
	rm -f "$T/rej"
	# (LeakSanitizer cannot run under ptrace: off for this one, SANITIZE=1)
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		strace -f -e trace=fsync,fdatasync,write -o "$T/st" $stage -q --max-rejects 5 \
		--rejects "$T/rej" "$T/in" >"$T/out"
	# the reject's write, then an fsync of that descriptor, then the checkpoint
	fd=$(grep -m1 'write([0-9]*, "{\\"stage\\"' "$T/st" | sed 's/.*write(\([0-9]*\),.*/\1/')
	is "$(grep -E "fsync\\($fd\\)|_checkpoint" "$T/st" | head -2 | sed 's/^[0-9]* *//; s/(.*//' | tr '\n' ' ')" \
		"fsync write " "$stage: the reject file fsynced before the checkpoint passes (no --state)"
done

mkfifo "$T/fifo"
cat "$T/fifo" >"$T/fromfifo" &
run xform -q --max-rejects 5 --rejects "$T/fifo" "$T/in"
wait
is "$st" 0 "a reject file that is a pipe: no fsync, no error"
is "$(jq -r .stage "$T/fromfifo")" parse "...and the reject went through it"

printf '%s\n' '{"stage":"parse","source":"x:1","error":"e","errors":[],"raw":"x"}' >"$T/torn"
printf '{"stage":"parse","source":"x:2","err' >>"$T/torn"
run xform -q --max-rejects 5 --rejects "$T/torn" "$T/in" >/dev/null 2>"$T/err"
is "$(jq -r .source "$T/torn" | tr '\n' ' ')" "x:1 $T/in:2 " \
	"a reject file's cut last line is removed when opened, the file stays valid JSON lines"
like "$(cat "$T/err")" "a cut last line \\(36 bytes\\) removed" "...and said"

# stdout appended to (>>) after a run that died mid-line (a full disk, kill -9)
printf '%s\n' '{"a":1}' > "$T/appended"
printf '{"a":2,"b' >> "$T/appended"
printf '%s\n' '{"a":3}' | xform -q >> "$T/appended" 2> "$T/err"
is "$(jq -c . "$T/appended" | tr '\n' ' ')" '{"a":1} {"a":3} ' \
	"stdout appended to: a cut last line is removed first, the file stays valid JSON lines"
like "$(cat "$T/err")" "standard output '/proc/self/fd/1': a cut last line \\(9 bytes\\) removed" \
	"...and said"
printf '{"a":2,"b' > "$T/written"
printf '%s\n' '{"a":3}' | xform -q 1<> "$T/written"
is "$(head -1 "$T/written"):$(tail -c 1 "$T/written")" '{"a":3}:b' \
	"a file not opened for appending is left to its writer (written over, not cut)"

# the upstream killed mid-line
sandbox_start bng --records 1
BNG_CLIENT_ID=erpipe BNG_CLIENT_SECRET=erpipe-secret
export BNG_CLIENT_ID BNG_CLIENT_SECRET
printf '%s\n' '{"ExternalID":"cut:1","CompanyName":"Cut"}' >"$T/cut"
printf '{"b":"xy' >>"$T/cut"
printf '{"c":"\303' >"$T/cut8"
for stage in xform validate load; do
	rm -f "$T/rej"
	run $stage -q --rejects "$T/rej" bng customers <"$T/cut" >/dev/null 2>"$T/err"
	[ $stage = load ] || run $stage -q --rejects "$T/rej" <"$T/cut" >/dev/null 2>"$T/err"
	is "$st" 65 "$stage: a cut last line fails the run"
	is "$(cat "$T/err")" "$stage: stdin:2: cut short at end of input (no final newline): not read" \
		"$stage: ... naming the line"
	ok "$stage: ... and is no reject" test ! -s "$T/rej"
done
# cut in a word: true, false, null (make chaos SEED=71304
# FLOW=sync-partners TRIAL=80: xform killed after '"street":f')
for w in '"a":f' '"a":tru' '"a":[nul' '"a":-' '"a":1.' '"a":1e+' '"a":"x\u12' '"a":"\ud83d' \
	'"a":"\ud83d\' '"a":"\ud83d\ude'; do
	printf '{%s' "$w" >"$T/cutw"
	rm -f "$T/rej"
	run load -q --rejects "$T/rej" bng customers <"$T/cutw" >/dev/null 2>"$T/err"
	is "$st:$(cat "$T/err")" "65:load: stdin:1: cut short at end of input (no final newline): not read" \
		"cut in {$w: the same cut, no reject"
done
# the parser of maps and schemas places them as json_check does
printf 'a = $a\n' >"$T/id.map"
printf '{"type":"object"}' >"$T/any.schema.json"
printf '{"a":1}\n{"a":fals' >"$T/cutw"
for stage in "xform -f $T/id.map" "validate -s $T/any.schema.json"; do
	rm -f "$T/rej"
	run $stage -q --rejects "$T/rej" <"$T/cutw" >/dev/null 2>"$T/err"
	is "$st:$(cat "$T/err")" "65:${stage%% *}: stdin:2: cut short at end of input (no final newline): not read" \
		"${stage%% *}, its parser: a word cut short, no reject"
done
printf '{"a":fx}' | xform -q --rejects "$T/rej" >/dev/null 2>&1 || :
like "$(jq -r .error "$T/rej")" "unexpected character at byte 7" "a bad word is a reject, where it goes wrong"
printf '{"a":"\\u12x"}' | xform -q --rejects "$T/rej" >/dev/null 2>&1 || :
like "$(jq -r .error "$T/rej")" 'bad \\u escape' "...and a bad escape"
printf '{"a":"\\ud83d"}' | xform -q --rejects "$T/rej" >/dev/null 2>&1 || :
like "$(jq -r .error "$T/rej")" 'lone surrogate' "...and a lone surrogate"
run xform -q --rejects "$T/rej" <"$T/cut8" >/dev/null 2>"$T/err"
is "$(cat "$T/err")" "xform: stdin:1: cut short at end of input (no final newline): not read" \
	"a character cut in two by the end is the same cut"
printf '{"c":1}' | xform -q >"$T/out"
is "$(cat "$T/out")" '{"c":1}' "a whole last line without a newline is read"
done_testing
