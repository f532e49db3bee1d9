#!/bin/sh
# reconcile --format html: one self-contained page (nothing fetched from a
# network) that renders in headless Chromium without a script error: the
# headline counts, a bar per differing field, the tables of samples, and
# sorting and filtering (preset from the address: #sort=N, #q=TEXT).
. "${ERPIPE_TOP:-.}/tests/lib.sh"
cd "$T"

CHROME=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROME" ] || skip_all "no chromium (make deps installs it)"

# dom FILE [#HASH]: the page's DOM after its scripts ran
dom() {
	timeout 120 "$CHROME" --headless --no-sandbox --disable-gpu --no-first-run \
		--user-data-dir="$T/chrome" --enable-logging=stderr --v=0 \
		--dump-dom "file://$T/$1${2-}" 2>>chrome.err
}

# 2000 keys: 156 changed (v), 285 only left, 85 only right (see 0803)
seq 1 2000 | awk '{ print "{\"id\":" $1 ",\"v\":" $1 ",\"s\":\"x" $1 "\"}" }' >L
seq 1 2100 | awk '$1 % 7 { v = $1; s = "x" $1; if ($1 % 11 == 0) v = $1 + 1;
	if ($1 % 13 == 0) s = "<script>alert(1)</script>"; print "{\"id\":" $1 ",\"v\":" v ",\"s\":\"" s "\"}" }' >R
run reconcile -k id --format html L R >report.html
is "$st" 1 "html: status 1"
is "$(grep -Eo '(src|href)=|https?://[^"'"'"' )]*' report.html | sort -u)" "http://www.w3.org/2000/svg" \
	"nothing to fetch: no src, no href, no address but the SVG namespace"
is "$(grep -c '<script>alert' report.html)" 0 "data cannot close the script element"

dom report.html >dom.html
like "$(cat dom.html)" '<body data-state="ready"' "the script ran to its end"
run grep -c 'data-errors=' dom.html >/dev/null
is "$st" 1 "no script error"
is "$(grep -c 'Uncaught' chrome.err)" 0 "nothing uncaught on the console"
# headline counts: the cards in order
cards=$(grep -o 'data-status="[a-z_]*"><div class="n">[0-9,]*' dom.html | sed 's/data-status="//; s/"><div class="n">/=/')
# changed: v at multiples of 11, s at multiples of 13 (not of 7): 156 + 132,
# 12 keys both
is "$(echo $cards)" "match=1,439 changed=276 only_left=285 only_right=85 duplicate_key=0" "the headline counts"
is "$(grep -o '<rect[^>]*data-field="[a-z]*"' dom.html | sed 's/.*data-field=//' | tr '\n' ' ')" '"v" "s" ' \
	"a bar per differing field, the most first"
like "$(cat dom.html)" '<title>s: 132</title>' "... with its count"
# lines: the DOM with a line for each row and each <div id=...>
lines() { sed 's/<tr/\n<tr/g; s/<div id=/\n<div id=/g' dom.html; }
rows() { # rows TABLE-ID: rows of that table, hidden ones left out
	lines | awk '/^<div id="/ { t = /^<div id="'"$1"'"/ } t' |
		grep '^<tr' | grep -v '^<tr><th' | grep -vc 'display: none' || true
}
is "$(rows table-changed)" 288 "changed: a row per differing field"
is "$(rows table-only_left)" 285 "only left: a row per key"
is "$(rows table-only_right)" 85 "only right: a row per key"

# filter and sort, preset from the address
dom report.html '#q=x1001' >dom.html
is "$(rows table-changed):$(rows table-only_left)" "0:1" "#q= filters every table"
dom report.html '#sort=-1' >dom.html
first=$(lines | awk '/^<div id="/ { t = /^<div id="table-only_left"/ } t' |
	grep -m1 '^<tr><td' | sed 's/<\/td>.*//; s/.*>//')
is "$first" 1995 "#sort=-1 sorts by the first column, descending, numbers by value"

# more than 1000 differences: the first 1000 and a note
seq 1 1500 | awk '{ print "{\"id\":" $1 ",\"v\":1}" }' >A
seq 1 1500 | awk '{ print "{\"id\":" $1 ",\"v\":2}" }' >B
run reconcile -k id --format html A B >big.html
dom big.html >dom.html
is "$(rows table-changed)" 1000 "at most 1000 rows a table"
like "$(cat dom.html)" "500 more not shown \(the first 1,000 are\)" "... and a note of the rest"

# totals render too
EX=$ERPIPE_TOP/examples/data
run reconcile --sum Amount=balance --group-by Posting_Date=date:month --format html \
	"$EX/nav-gl-sales.ndjson" "$EX/odoo-sales-lines.ndjson" >totals.html
dom totals.html >dom.html
like "$(cat dom.html)" '<body data-state="ready"' "totals page: ready"
like "$(cat dom.html)" 'control totals of Amount by Posting_Date \(month\)' "totals page: says what it totals"
like "$(cat dom.html)" '<td class="">2026-10</td><td class="">Amount</td>' "totals page: the group that differs"

done_testing
