#!/bin/sh
# load nav: a write whose answer is lost is not repeated blindly (issue 15
# item 2).  The sandbox runs the write and commits, then cuts its answer
# (malformed short or truncate), or closes before answering (drop).  For
# create (POST), update (PATCH) and delete (DELETE), in one atomic $batch
# and one by one (--batch 1): the batch's records are read again by key,
# those found done -- "created" with their key, "updated" (a new ETag is
# fine), "deleted" (404) -- and only the rest sent again: one record per
# input.  A create without a key whose answer was lost stops with 69.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/nav-env.sh"
nav_env --records 5
recs() { numbered No Name "$@"; } # recs PREFIX N [NAME]
# count PREFIX: customers whose No starts with it
count() { get "Customer?\$filter=startswith(No,'$1')" | jq '.value | length'; }
named() { get "Customer?\$filter=startswith(Name,'$(echo "$1" | sed 's/ /%20/g')')" | jq '.value | length'; }
last_n() { sandbox_log nav | jq 'map(.n) | max // 0'; }
faulted() { sandbox_log nav "$1" | jq "[.[] | select(.fault == \"$2\")] | length"; }
statuses() { jq -r .status "$1" | sort | uniq -c | tr -s ' ' | tr '\n' ';'; }
ids() { jq -r 'select(.id.No | type != "string") | .key' "$1" | wc -l | tr -d ' '; }
# lose BATCH METHOD MODE: the next write of METHOD loses its answer
lose() {
	if [ "$1" = 1 ]; then
		aim="\"method\": \"$2\", \"match\": \"/Customer\""
	else
		aim="\"match\": \"batch\$\", \"body\": \"\\\"method\\\": *\\\"$2\\\"\""
	fi
	if [ "$3" = drop ]; then
		sandbox_faults nav "{\"drop\": {\"next\": 1, $aim}}" > /dev/null
	else
		sandbox_faults nav "{\"malformed\": {\"next\": 1, \"mode\": \"$3\", $aim}}" > /dev/null
	fi
}
ld() { load -q --retry-max-time 20 nav Customer "$@"; }

# write B METHOD MODE FILE STATUS WHAT: load FILE (--batch B) with the next
# METHOD's answer lost by MODE; every receipt STATUS, each with its key
write() {
	n0=$(last_n)
	lose "$1" "$2" "$3"
	run ld --batch "$1" -k No "$4" > "$T/out" 2> "$T/err"
	is "$st" 0 "--batch $1: $6 ($3): 0"
	[ "$st" = 0 ] || diag "$(cat "$T/err")"
	is "$(statuses "$T/out")" " 3 $5;" "...3 receipts $5"
	is "$(ids "$T/out")" 0 "...each with its key"
	is "$(faulted "$n0" "$( [ "$3" = drop ] && echo drop || echo malformed)")" 1 \
		"...the answer was lost once"
}

for b in 100 1; do
	p=AB$b-
	recs "$p" 3 > "$T/c"
	write $b POST short "$T/c" created "a create's answer cut after the commit"
	is "$(count "$p")" 3 "...one record per input in NAV"
	recs "$p" 3 "$p new" > "$T/u"
	write $b PATCH truncate "$T/u" updated "an update's answer cut (a new ETag is fine)"
	is "$(named "$p new")" 3 "...the new names in NAV"
	jq -c '. + {"_op": "delete"}' "$T/u" > "$T/d"
	write $b DELETE short "$T/d" deleted "a delete's answer cut"
	is "$(count "$p")" 0 "...none left in NAV"

	# dropped before NAV ran it: read again, not there, written
	p=AD$b-
	recs "$p" 3 > "$T/c"
	write $b POST drop "$T/c" created "a create dropped unanswered"
	is "$(count "$p")" 3 "...once each"
	jq -c '. + {"_op": "delete"}' "$T/c" > "$T/d"
	write $b DELETE drop "$T/d" deleted "a delete dropped unanswered"
	is "$(count "$p")" 0 "...none left"
done

# ---- SOAP: Create and Update sent once, read again with Read --------------------------------
recs SO 2 > "$T/s"
for op in Create Update; do
	n0=$(last_n)
	sandbox_faults nav "{\"malformed\": {\"next\": 1, \"mode\": \"short\", \"match\": \"/Page/\", \"body\": \"<[a-z0-9]*:?$op[ >]\"}}" > /dev/null
	run ld --soap -k No "$T/s" > "$T/out" 2> "$T/err"
	want=$([ $op = Create ] && echo created || echo updated)
	is "$st:$(statuses "$T/out")" "0: 2 $want;" "--soap: a $op's answer cut: 2 $want"
	[ "$st" = 0 ] || diag "$(cat "$T/err")"
	is "$(faulted "$n0" malformed)" 1 "...the answer was cut once"
	is "$(count SO)" 2 "...one record each"
	recs SO 2 "SO new" > "$T/s"
done

# ---- nothing to read a create again by: 69, not a second record ----------------------------
printf '{"No":"KL1","Name":"Keyless"}\n' > "$T/k"
lose 1 POST short
run ld --op create "$T/k" > "$T/out" 2> "$T/err"
is "$st" 69 "a keyless create whose answer was cut: 69"
like "$(cat "$T/err")" "the record of .*/k:1 has no key to read it again by" "...naming the line"
is "$(count KL)" 1 "...the record NAV made, once"
done_testing
