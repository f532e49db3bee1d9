#!/bin/sh
# Precision and recall of validate --anomaly and --dup-payment on a
# generated year of vendor bills with planted anomalies (x10, x100, /100,
# /10, negated) and planted duplicate payments (an earlier bill again, up
# to 5 days later, its reference retyped), among traps (subscriptions
# billing the same amount every month, the same amount again with another
# reference, another vendor's reference): tests/gen_ap.py, scored by
# tests/score_ap.py.  Floors just under what the defaults reach; the seed
# is fixed and printed on failure.  Then the same year as weekly runs
# sharing a --history: the verdicts must be the same as in one run.
. "${ERPIPE_TOP:-.}/tests/lib.sh"
cd "$T"
SEED=${AP_SEED:-945}
N=${AP_N:-5000}

$PYTHON "$ERPIPE_TOP/tests/gen_ap.py" -n "$N" --seed "$SEED" --truth truth > bills
OPTS="-q --anomaly amount_total --by partner_id --dup-payment partner_id,amount_total,invoice_date,ref --id id"

run validate $OPTS --rejects rej bills > out
is "$st" 65 "one run over the year: flags are rejects"
$PYTHON "$ERPIPE_TOP/tests/score_ap.py" truth rej > score
diag "seed $SEED, $N bills: $(cat score)"
floor() { # DETECTOR MEASURE MIN
	v=$(jq -r ".$1.$2" score)
	ok "$1 $2 $v >= $3 (seed $SEED)" awk -v v="$v" -v m="$3" 'BEGIN { exit !(v >= m) }'
}
floor anomaly precision 0.88
floor anomaly recall 0.92
floor dup precision 0.97
floor dup recall 0.97
is "$(jq -r '.anomaly.planted + .dup.planted' score)" "$(wc -l < truth | tr -d ' ')" "every plant scored"

# the traps: no subscription bill is flagged at all
subs=$(jq -r 'select(.errors[].duplicate_payment or .errors[].anomaly) | .record.id' rej | sort -n > flagged_ids;
	jq -r 'select(.kind) | .id' truth | sort -n > planted_ids; comm -23 flagged_ids planted_ids | wc -l | tr -d ' ')
is "$subs" "$(jq -r '.anomaly.fp + .dup.fp' score)" "false positives counted once"

# weekly runs: each judged against the history the runs before it left
$PYTHON - <<'EOF'
import datetime, json
for ln in open("bills"):
    d = datetime.date.fromisoformat(json.loads(ln)["invoice_date"])
    with open("week-%d-%02d" % d.isocalendar()[:2], "a") as f:
        f.write(ln)
EOF
weeks=$(ls week-* | wc -l | tr -d ' ')
for w in week-*; do
	run validate $OPTS --history hist --rejects wrej "$w" > /dev/null
	case $st in 0|65) ;; *) diag "$w: status $st"; break ;; esac
done
ok "$weeks weekly runs" test "$weeks" -ge 50
jq -c '[.record.id, [.errors[] | (.anomaly.reason // "dup")]]' rej | sort > one
jq -c '[.record.id, [.errors[] | (.anomaly.reason // "dup")]]' wrej | sort > many
same_file many one "weekly runs with --history flag what one run flags"
$PYTHON "$ERPIPE_TOP/tests/score_ap.py" truth wrej > wscore
is "$(cat wscore)" "$(cat score)" "...with the same precision and recall"
ok "the history stays small (< 1 MiB)" test "$(wc -c < hist)" -lt 1048576
done_testing
