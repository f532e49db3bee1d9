#!/bin/sh
# tests/suggest-eval.sh OUTDIR: measure xform --suggest against the shipped
# templates (examples/maps), which it never reads.  For every template
# SYS/ENTITY-to-TSYS/TENTITY the suggester gets the source sample
# tests/data/templates/SYS/ENTITY.ndjson, the target schema
# examples/schemas/TSYS/TENTITY.schema.json and, when there is one, the
# target sample tests/data/templates/TSYS/TENTITY.ndjson; its draft goes to
# OUTDIR/MAP.map (SUGGEST_EVAL_SCHEMA_ONLY=1: no target sample, the
# schema alone).  The field pairs of the draft and of the template
# (xform --pairs) are compared: a draft pair is right when the template has
# it.  Templates whose target has no schema (totals, tables, CSV sheets,
# sync shapes, ids) cannot be drafted and are counted apart.
# Prints one line per template and then, as "name value" lines:
#   drafted N, skipped N, pairs N (shipped, in drafted templates),
#   all_pairs N (in every template), suggested N, right N,
#   precision P, recall R (of the drafted templates' pairs),
#   recall_all R (of every shipped pair).
set -eu
top=${ERPIPE_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
out=$1
D=$top/tests/data/templates
mkdir -p "$out"
cd "$top/examples/maps"
drafted=0 skipped=0 pairs=0 all=0 sugg=0 right=0
for m in $(find . -name '*.map' | sed 's|^\./||; s|\.map$||' | sort); do
	sys=${m%%/*}
	rest=${m#*/}
	ent=${rest%%-to-*}
	tgt=${rest#*-to-}                 # bng/Customer
	tsys=${tgt%%/*}
	tent=${tgt#*/}
	xform --pairs "$m" | sort -u > "$out/want.tsv"
	n=$(wc -l < "$out/want.tsv")
	all=$((all + n))
	src=$D/$sys/$ent.ndjson
	sch=$top/examples/schemas/$tsys/$tent.schema.json
	case $rest in *-to-*) ;; *) sch=/nonexistent ;; esac
	if [ ! -f "$src" ] || [ ! -f "$sch" ]; then
		skipped=$((skipped + 1))
		echo "skip $m ($n pairs): no $( [ -f "$src" ] && echo "target schema" || echo "source sample")"
		continue
	fi
	set -- --suggest "$tsys/$tent"
	[ "${SUGGEST_EVAL_SCHEMA_ONLY:-0}" = 0 ] && [ -f "$D/$tsys/$tent.ndjson" ] &&
		set -- "$@" --suggest "$D/$tsys/$tent.ndjson"
	mkdir -p "$out/$(dirname "$m")"
	xform "$@" "$src" > "$out/$m.map"
	xform --pairs "$out/$m.map" | sort -u > "$out/got.tsv"
	g=$(wc -l < "$out/got.tsv")
	r=$(comm -12 "$out/want.tsv" "$out/got.tsv" | wc -l)
	drafted=$((drafted + 1))
	pairs=$((pairs + n))
	sugg=$((sugg + g))
	right=$((right + r))
	echo "draft $m: $r right of $g suggested, $n shipped"
done
awk -v d=$drafted -v s=$skipped -v p=$pairs -v a=$all -v g=$sugg -v r=$right 'BEGIN {
	printf "drafted %d\nskipped %d\npairs %d\nall_pairs %d\nsuggested %d\nright %d\n", d, s, p, a, g, r
	printf "precision %.3f\nrecall %.3f\nrecall_all %.3f\n", g ? r / g : 0, p ? r / p : 0, a ? r / a : 0
}'
