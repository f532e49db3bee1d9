#!/bin/sh
# validate --similar (issue 19): near-duplicates inside one stream, with
# the normalisers and scorer of reconcile --match, rejected (or with
# --similar-warn passed with a warning) naming the other record's place.
# The canonical case: "AP@acme.com " is "ap@acme.com", which --unique lets
# through.  Then precision and recall of the flags on a generated stream
# with planted near-duplicates and traps, each with a floor.
. "$(dirname "$0")/lib.sh"
GEN=$ERPIPE_TOP/tests/bench/peers/gen_match.py
cd "$T"

printf '%s\n' '{"id":1,"email":"ap@acme.com"}' '{"id":2,"email":"AP@acme.com "}' \
	'{"id":3,"email":"bob@example.org"}' '{"id":4,"email":false}' >"$T/a.ndjson"
run validate -q --unique email --rejects "$T/rej" a.ndjson >/dev/null
is "$st" 0 "--unique email lets \"AP@acme.com \" through"
run validate -q --similar email --rejects "$T/rej" a.ndjson >"$T/out"
is "$st" 65 "--similar email: a reject, status 65"
is "$(jq -c .id "$T/out" | paste -sd ' ' -)" "1 3 4" "...the others pass (no email: nothing to compare)"
is "$(jq -c '[.source, .errors[0].path, .errors[0].message]' "$T/rej")" \
	'["a.ndjson:2","/email","similar to a.ndjson:1 (score 0.977: email equal +5.0)"]' \
	"...the reject names the other record's place, the score and why"

# across files; names with legal forms, accents and phones
printf '%s\n' '{"id":5,"name":"Müller GmbH","phone":"+49 30 1234567"}' >"$T/b.ndjson"
printf '%s\n' '{"id":6,"name":"MUELLER G.m.b.H.","phone":"030 1234567"}' \
	'{"id":7,"name":"Muller AG","phone":"+41 44 7654321"}' >"$T/c.ndjson"
rm -f "$T/rej"
run validate -q --similar name,phone --phone-country DE --rejects "$T/rej" \
	b.ndjson c.ndjson >"$T/out"
is "$(jq -c .id "$T/out" | paste -sd ' ' -)" "5 7" "names and phones: the near-duplicate out, the other company in"
like "$(jq -r .error "$T/rej")" "^similar to b.ndjson:1 \(score 0\.9[0-9]+: name equal \+4\.0, phone equal \+4\.0\)$" \
	"...naming the other file's line"

# --similar-warn: passes with a warning
run validate --similar email --similar-warn a.ndjson >"$T/out" 2>"$T/err"
is "$st" 0 "--similar-warn: status 0"
is "$(wc -l <"$T/out" | tr -d ' ')" 4 "...every record passes"
like "$(cat "$T/err")" "validate: a.ndjson:2: similar to a.ndjson:1 \(score 0.977" "...with a warning"

# a higher cut-off
run validate -q --similar name,phone --phone-country DE --similar-cutoff 0.99999 \
	"$T/b.ndjson" "$T/c.ndjson" >"$T/out"
is "$st" 0 "--similar-cutoff 0.99999: nothing that near"

# usage
run validate --similar-warn "$T/a.ndjson" 2>"$T/err"
is "$st" 64 "--similar-warn without --similar: usage"
run validate --similar nmae:x "$T/a.ndjson" 2>"$T/err"
is "$st" 64 "an unknown kind: usage"
run validate --similar email --similar-cutoff 2 "$T/a.ndjson" 2>"$T/err"
is "$st" 64 "a cut-off above 1: usage"
run validate --similar email --similar email "$T/a.ndjson" 2>"$T/err"
is "$st" 64 "--similar twice: usage"

# ---- a generated stream: the left records, then the right's in the left's
# names (planted near-duplicates, traps and others); a flag is right when
# it names the planted original
$PYTHON "$GEN" -n 2000 --seed 7 --left "$T/gl" --right "$T/gr" --truth "$T/gt"
jq -c '{id: .CustomerID, name: .CompanyName, email: .Email, phone: .Phone, vat: .VATNumber,
	city: .City}' "$T/gr" | cat "$T/gl" - >"$T/stream"
run validate -q --similar name,email,phone,vat,city --phone-country GB --rejects "$T/grej" \
	"$T/stream" >/dev/null
is "$st" 65 "generated stream: near-duplicates rejected"
$PYTHON - "$T/gl" "$T/gt" "$T/grej" >"$T/score" <<'EOF'
import json, re, sys
left = [json.loads(l)["id"] for l in open(sys.argv[1])]
truth = {}
for l in open(sys.argv[2]):
    t = json.loads(l)
    if t["left"] is not None:
        truth[t["right"]] = t["left"]
flags = right = 0
for l in open(sys.argv[3]):
    r = json.loads(l)
    m = re.match(r"similar to \S+:(\d+) ", r["error"])
    flags += 1
    other = int(m.group(1))
    if other <= len(left) and truth.get(r["record"]["id"]) == left[other - 1]:
        right += 1
print(json.dumps({"planted": len(truth), "flags": flags, "correct": right,
                  "precision": round(right / flags, 4) if flags else 0,
                  "recall": round(right / len(truth), 4)}))
EOF
diag "$(cat "$T/score")"
ok "precision of the flags at least 0.99" jq -e '.precision >= 0.99' "$T/score"
ok "recall of the flags at least 0.9" jq -e '.recall >= 0.9' "$T/score"
done_testing
