#!/bin/sh
# The template set in examples/maps: every map compiles, and every map runs
# on sample records of its source system's real shape
# (tests/data/templates/SYSTEM/ENTITY.ndjson and .edge.ndjson), giving the
# records and the rejects in tests/data/templates/expect/MAP.{ndjson,rejects}.
# A template without expected output fails: each one has its test.
# TEMPLATES_UPDATE=1 rewrites the expected files (review the diff).
. "${ERPIPE_TOP:-.}/tests/lib.sh"

D=$ERPIPE_TOP/tests/data/templates
cd "$ERPIPE_TOP/examples/maps"
maps=$(find . -name '*.map' | sed 's|^\./||; s|\.map$||' | sort)
cd "$D"
n=0
for m in $maps; do
	n=$((n + 1))
	sys=${m%%/*}                       # odoo
	ent=${m#*/}; ent=${ent%%-to-*}     # res.partner
	run xform --check "$m"
	is "$st" 0 "$m: compiles"
	in=$sys/$ent.ndjson
	if [ ! -f "$in" ]; then
		_result 1 "$m: no sample input $in"
		continue
	fi
	set -- "$in"
	[ -f "$sys/$ent.edge.ndjson" ] && set -- "$@" "$sys/$ent.edge.ndjson"
	rm -f "$T/rej"
	run xform -q -f "$m" --max-rejects 1000 --rejects "$T/rej" "$@" > "$T/out"
	is "$st" 0 "$m: runs"
	: > "$T/rejects"
	[ -f "$T/rej" ] && jq -r '.source + ": " + .error' "$T/rej" |
		sed "s|$ERPIPE_TOP/examples/maps/||" > "$T/rejects"
	mkdir -p "expect/$(dirname "$m")"
	if [ "${TEMPLATES_UPDATE:-}" = 1 ]; then
		cp "$T/out" "expect/$m.ndjson"
		if [ -s "$T/rejects" ]; then cp "$T/rejects" "expect/$m.rejects"; else rm -f "expect/$m.rejects"; fi
	fi
	if [ ! -f "expect/$m.ndjson" ]; then
		_result 1 "$m: no expected output expect/$m.ndjson"
		continue
	fi
	same_file "$T/out" "expect/$m.ndjson" "$m: records as expected"
	[ -f "expect/$m.rejects" ] || : > "$T/none"
	same_file "$T/rejects" "$([ -f "expect/$m.rejects" ] && echo "expect/$m.rejects" || echo "$T/none")" \
		"$m: rejects as expected"
	# every output record is an object, and none is empty
	is "$(jq -c 'select(type != "object" or length == 0)' "$T/out" | wc -l | tr -d ' ')" 0 \
		"$m: every record is a non-empty object"
done
# an expectation without its template is stale
for e in $(cd expect && find . -name '*.ndjson' | sed 's|^\./||; s|\.ndjson$||'); do
	[ -f "$ERPIPE_TOP/examples/maps/$e.map" ] || _result 1 "expect/$e.ndjson: no such template"
done
like "$n" '^(2[0-9]|[3-9][0-9])$' "the template set ($n maps)"

done_testing
