#!/bin/sh
# --max-body SIZE: the answer cap of the network programs (64M by default),
# which the cap's own message named ("over the ...-byte cap (--max-body)")
# while no program took the option.  load ends a window it reads back at
# once at SIZE/16 bytes of input lines, so the answer of its read back stays
# under the cap: before, a window of big records (1000 of 70 KB under the
# default cap) was written and its read back then refused, and the run
# stopped with 69 on its first run.  The profile key max_body
# (erpipe.conf(5)) and $ODOO_MAX_BODY set the same cap: the option wins over
# them, load's window follows whichever set it, and a bad size is a
# configuration error naming where it was set.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-rpc.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-env.sh"
odoo_env --partners 300

run odoo-extract --max-body 1k res.partner > /dev/null 2> "$T/err0"
is "$st" 64 "--max-body under 4k: usage, 64"
like "$(cat "$T/err0")" "--max-body '1k': under the 4k floor" "...saying why"

# ---- the extractor: a page over the cap stops the run; smaller pages pass ---------
run odoo-extract -q --max-body 16k --fields name,email,street,city res.partner > "$T/all" 2> "$T/err1"
is "$st" 69 "a page over 16k: exit 69"
like "$(cat "$T/err1")" "over the 16384-byte cap \\(--max-body\\)" "naming the cap and the option"
run odoo-extract -q --max-body 16k --page-size 20 --fields name,email,street,city res.partner \
	> "$T/all" 2> "$T/err2"
is "$st" 0 "pages of 20 under 16k: exit 0"
is "$(grep -c . "$T/all")" "$(rpc res.partner search_count '[[]]')" "every partner written"

# ---- load: the read back of a window stays under the cap ---------------------------
street=$(printf 'x%.0s' $(seq 1 900))
seq 1 300 | while read -r i; do
	printf '{"ref":"MB%d","name":"Max body %d","street":"%s %d"}\n' "$i" "$i" "$street" "$i"
done > "$T/big.ndjson"
reads() { sandbox_log odoo "$1" | jq '[.[] | select(.rpc == "res.partner.read")] | length'; }
n0=$(sandbox_log odoo | jq length)
run load -q --max-body 128k odoo res.partner -k ref "$T/big.ndjson" > "$T/rcpt" 2> "$T/err3"
is "$st" 0 "300 records of 1 KB under --max-body 128k: exit 0"
is "$(jq -r .status "$T/rcpt" | sort | uniq -c | tr -s ' ' | tr '\n' ';')" " 300 created;" \
	"300 receipts, created, none drifted"
ok "read back in several windows of at most 8 KB of input" [ "$(reads "$n0")" -gt 1 ]
is "$(rpc res.partner search_count '[[["ref","=like","MB%"]]]')" 300 "Odoo holds the 300"

# ---- the profile's max_body, $ODOO_MAX_BODY, and the option over them -------------
printf '[small]\nmax_body = 16k\n[tiny]\nmax_body = 1k\n[odd]\nmax_body = lots\n' > "$T/conn.conf"
chmod 600 "$T/conn.conf"
ERPIPE_CONFIG=$T/conn.conf
export ERPIPE_CONFIG
x() { odoo-extract -q "$@" --fields name,email,street,city res.partner > /dev/null; }
run x -P small 2> "$T/err4"
is "$st" 69 "profile max_body = 16k: a page over it, exit 69"
like "$(cat "$T/err4")" "over the 16384-byte cap" "...the profile's cap"
run x 2> /dev/null
is "$st" 0 "without the profile: the default cap, exit 0"
ODOO_MAX_BODY=16k run x 2> "$T/err5"
is "$st" 69 "\$ODOO_MAX_BODY=16k: the same cap, exit 69"
like "$(cat "$T/err5")" "over the 16384-byte cap" "...named"
run x -P small --max-body 64M 2> /dev/null
is "$st" 0 "--max-body 64M wins over the profile's 16k: exit 0"
run x -P tiny 2> "$T/err6"
is "$st" 78 "max_body under the 4k floor: a configuration error, 78"
like "$(cat "$T/err6")" "conn.conf:4: 'max_body' must be a size of at least 4k \(bytes, or a number with k, M or G\), not '1k'" \
	"...naming the file and line"
run x -P odd 2> "$T/err7"
is "$st:$(cat "$T/err7")" "78:odoo-extract: $T/conn.conf:6: 'max_body' must be a size of at least 4k (bytes, or a number with k, M or G), not 'lots'" \
	"max_body not a size: 78, the same message"
ODOO_MAX_BODY=2k run x 2> "$T/err8"
like "$st:$(cat "$T/err8")" "^78:.*\\\$ODOO_MAX_BODY: 'max_body' must be" "...or the variable that set it"
seq 301 600 | while read -r i; do
	printf '{"ref":"MB%d","name":"Max body %d","street":"%s %d"}\n' "$i" "$i" "$street" "$i"
done > "$T/big2.ndjson"
n0=$(sandbox_log odoo | jq length)
printf '[small]\nmax_body = 128k\n' > "$T/conn.conf"
run load -q -P small odoo res.partner -k ref "$T/big2.ndjson" > "$T/rcpt2" 2> "$T/err9"
is "$st:$(jq -r .status "$T/rcpt2" | sort -u)" "0:created" "load under the profile's max_body 128k: exit 0, created"
ok "...read back in windows that keep under the profile's cap" [ "$(reads "$n0")" -gt 1 ]
done_testing
