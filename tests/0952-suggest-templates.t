#!/bin/sh
# xform --suggest measured against the shipped templates (examples/maps),
# which it never reads: tests/suggest-eval.sh drafts every template whose
# target has a schema, from the source's sample records and the target's
# schema (and sample); the field pairs of the drafts are compared with the
# templates' (xform --pairs).  Floors just under what it reaches over the
# templates shipped now: precision 0.751, recall 0.630 over 46 drafted
# templates' 378 pairs (0.753 and 0.630 from the schemas alone, no target
# sample); a change of the suggester that loses any fails here.  The set
# moves the figures: over the first 41 templates (346 pairs) it was 0.769
# and 0.665; the NAV sales, stock count and catalogue templates added
# since are harder (line tables, lookups), and a template added later may
# move the floors again -- say so where they move.  Every draft compiles,
# runs on its sample, and comes out the same twice.
. "${ERPIPE_TOP:-.}/tests/lib.sh"

"$ERPIPE_TOP/tests/suggest-eval.sh" "$T/a" > "$T/report"
sed -n 's/^\([a-z_]*\) \([0-9.]*\)$/# \1 \2/p' "$T/report"
get() { sed -n "s/^$1 //p" "$T/report"; }
ok "precision >= 0.74 ($(get precision))" awk "BEGIN { exit !($(get precision) >= 0.74) }"
ok "recall >= 0.62 ($(get recall))" awk "BEGIN { exit !($(get recall) >= 0.62) }"
# recall_all also counts the pairs of templates whose target has no schema
# to suggest from (sync/ and match/ shapes, totals, tables): it falls as
# such templates are added, and its floor moves with them (0.441 over 522
# pairs when written; 0.350 once the sync products and NAV maps and the
# match maps were shipped)
ok "recall over every shipped pair >= 0.34 ($(get recall_all))" \
	awk "BEGIN { exit !($(get recall_all) >= 0.34) }"
like "$(get drafted)" '^(4[0-9]|[5-9][0-9])$' "40 or more templates drafted ($(get drafted))"
like "$(get pairs)" '^[0-9]{3}$' "hundreds of shipped pairs measured ($(get pairs))"

"$ERPIPE_TOP/tests/suggest-eval.sh" "$T/b" > /dev/null
run diff -r "$T/a" "$T/b"
is "$st" 0 "every draft the same on a second run"

# the schema alone, no target sample
SUGGEST_EVAL_SCHEMA_ONLY=1 "$ERPIPE_TOP/tests/suggest-eval.sh" "$T/c" > "$T/report"
ok "schema alone: precision >= 0.74 ($(get precision))" \
	awk "BEGIN { exit !($(get precision) >= 0.74) }"
ok "schema alone: recall >= 0.62 ($(get recall))" awk "BEGIN { exit !($(get recall) >= 0.62) }"

D=$ERPIPE_TOP/tests/data/templates
bad=0 badrun=0
for f in $(cd "$T/a" && find . -name '*.map' | sed 's|^\./||' | sort); do
	m=${f%.map}
	sys=${m%%/*}
	rest=${m#*/}
	ent=${rest%%-to-*}
	xform --check "$T/a/$f" 2> "$T/err" || { bad=$((bad + 1)); diag "$m: $(head -1 "$T/err")"; }
	xform -q -f "$T/a/$f" "$D/$sys/$ent.ndjson" > /dev/null 2> "$T/err" ||
		{ badrun=$((badrun + 1)); diag "$m: $(head -1 "$T/err")"; }
done
is "$bad" 0 "every draft passes xform --check"
is "$badrun" 0 "every draft runs on its sample without a reject"

done_testing
