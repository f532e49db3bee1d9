#!/bin/sh
# bng-extract writes what BNG holds or stops, naming it: a string holding
# U+0000 was cut there ("before\u0000after" written "before") and an integer
# past 2^53 rounded (9007199254740993 written 9007199254740992) by cJSON's
# parser, without a word.  Now the page is read by the stream's rules
# (json_tree.h) and such a value ends the run with 65 and its path.  Found
# with the round-trip test's values (tests/0014), from the other side.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/bng-api.sh"

bng_env --records 0
api POST /customers '{"ExternalID":"plain:1","CompanyName":"plain","Status":"Active"}' >/dev/null
run bng-extract -q customers >"$T/out"
is "$st" 0 "plain records: exit 0"
is "$(grep -c plain:1 "$T/out")" 1 "written"

api POST /customers '{"ExternalID":"nul:1","CompanyName":"before\u0000after","Status":"Active"}' >/dev/null
is "$api_status" 201 "BNG takes a U+0000"
run bng-extract customers >"$T/out" 2>"$T/err"
is "$st" 65 "a U+0000 in a page: exit 65"
like "$(cat "$T/err")" "the page's '/data/[0-9]+/CompanyName': a string holding U\+0000" "naming the field"
is "$(grep -c '"before"' "$T/out" || :)" 0 "nothing written cut short"

api DELETE "/customers/$(api GET '/customers?ExternalID=nul:1' | jq '.data[0].CustomerID')" >/dev/null
api POST /customers '{"ExternalID":"big:1","CompanyName":"big","Status":"Active","CreditLimit":9007199254740993}' >/dev/null
is "$api_status" 201 "BNG takes 9007199254740993"
run bng-extract customers >"$T/out" 2>"$T/err"
is "$st" 65 "a number a double does not hold: exit 65"
like "$(cat "$T/err")" "'/data/[0-9]+/CreditLimit': a number a double does not hold exactly" "naming it"
is "$(grep -c 9007199254740992 "$T/out" || :)" 0 "nothing written rounded"
done_testing
