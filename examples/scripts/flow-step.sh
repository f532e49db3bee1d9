# flow-step.sh - one step of a flow script (nav-odoo, order-to-cash, gl-feed):
# sourced, not run.
#
#   flow_step NAME EXTRACT MAP LOAD [full] [keep]
#
# Runs  EXTRACT --state DIR/state/NAME.json | xform -f MAP | load LOAD
# --state DIR/state/NAME.json,  appending load's receipts to
# DIR/receipts/NAME.ndjson and both stages' rejects to DIR/rejects/NAME.ndjson,
# each allowed $max of them.  EXTRACT and LOAD are shell words (eval'd, so
# they may hold quoted arguments).  Uses $dir and $max; returns the first
# failing stage's status (a stage that left none: 70) and says so on standard
# error after "$flow_label: ".  With "full", EXTRACT reads everything on every
# run (no --state: for a step whose changes do not show in the records it
# reads); load still writes only what differs.  With "keep", the map's
# output is written whole to DIR/state/NAME.pending.ndjson before load
# reads it, and removed once load went through: what a stopped run sent,
# for the next run to settle (a step whose records the next run may not
# send again: fulfilment's deliveries); the caller settles and removes it
# before the step runs again.
#
# From the environment: METRICS_DIR, a directory (node_exporter's textfile
# collector's) where each stage writes its --metrics file,
# erpipe-FLOW-NAME-STAGE.prom; AUDIT, a file where load appends its audit
# trail (--audit), signed with the key in the file AUDIT_KEY when set.
flow_step() {
	_name=$1 _extract=$2 _map=$3 _target=$4
	_full= _keep=
	shift 4
	for _o; do
		case $_o in
		full) _full=1 ;;
		keep) _keep=$dir/state/$_name.pending.ndjson ;;
		esac
	done
	st=$dir/state/$_name.json
	rm -f "$dir/state/$_name.x" "$dir/state/$_name.m"
	_s=0
	_mx= _mm= _ml= _au=
	if [ -n "${METRICS_DIR:-}" ]; then
		_mp=$METRICS_DIR/erpipe-$(printf '%s' "${flow_label:-flow}" | tr -cs 'A-Za-z0-9_.' -)-$_name
		_mx='--metrics "$_mp-extract.prom"' _mm='--metrics "$_mp-xform.prom"'
		_ml='--metrics "$_mp-load.prom"'
	fi
	[ -z "${AUDIT:-}" ] || _au="--audit \"\$AUDIT\""
	[ -z "${AUDIT:-}" ] || [ -z "${AUDIT_KEY:-}" ] || _au="$_au --audit-key \"\$AUDIT_KEY\""
	if [ -z "$_keep" ]; then
		_flow_extract | _flow_map | _flow_load >>"$dir/receipts/$_name.ndjson" || _s=$?
	else
		_flow_extract | _flow_map >"$_keep.new" || _s=$?
	fi
	for _f in x m; do
		_r=$(flow_status "$dir/state/$_name.$_f")
		[ "$_r" = 0 ] || _s=$_r
	done
	if [ -n "$_keep" ] && [ "$_s" = 0 ]; then
		# all of it on disk before any of it is sent
		mv "$_keep.new" "$_keep" &&
			_flow_load <"$_keep" >>"$dir/receipts/$_name.ndjson" &&
			rm "$_keep" || _s=$?
	fi
	[ -z "$_keep" ] || rm -f "$_keep.new"
	[ "$_s" = 0 ] || echo "$flow_label: $_name: status $_s" >&2
	return "$_s"
}
_flow_extract() {
	if [ -n "$_full" ]; then
		eval "$_extract $_mx"
	else
		eval "$_extract $_mx --state \"\$st\""
	fi
	echo $? >"$dir/state/$_name.x"
}
_flow_map() {
	eval "xform -q -f \"\$_map\" $_mm --max-rejects \"\$max\" \
		--rejects \"\$dir/rejects/\$_name.ndjson\""
	echo $? >"$dir/state/$_name.m"
}
_flow_load() {
	eval "load -q $_target $_ml $_au --state \"\$st\" --max-rejects \"\$max\" \
		--rejects \"\$dir/rejects/\$_name.ndjson\""
}

# flow_settle NAME SELECT LOAD: the records a stopped run of step NAME sent
# (kept by flow_step's "keep" in DIR/state/NAME.pending.ndjson) that the
# step will never send again, because the target finished them (a delivery
# validated, an invoice posted: the step's map leaves those out), get
# their receipts here: SELECT (eval'd; flow_done_pickings, flow_in_table) reads
# the kept records on standard input and writes a record of the key alone
# for each one the target holds finished; load LOAD loads those, which
# writes nothing and gives each its receipt ("unchanged").  The others,
# not finished, the step sends again.  The kept file is removed when all
# went through; returns the failing status and says so.
flow_settle() {
	_sn=$1 _sp=$dir/state/$1.pending.ndjson _ss=0
	[ -f "$_sp" ] || return 0
	eval "$2" <"$_sp" >"$dir/state/$_sn.settle.ndjson" || _ss=$?
	if [ "$_ss" = 0 ]; then
		eval "load -q $3 --rejects \"\$dir/rejects/\$_sn.ndjson\" \
			\"\$dir/state/\$_sn.settle.ndjson\"" >>"$dir/receipts/$_sn.ndjson" &&
			rm "$_sp" "$dir/state/$_sn.settle.ndjson" || _ss=$?
	fi
	[ "$_ss" = 0 ] || echo "$flow_label: $_sn: status $_ss" >&2
	return "$_ss"
}

# flow_done_pickings: of the records on standard input (_key.id, Odoo
# stock.picking ids), those whose delivery Odoo holds done, as records of
# their key alone; uses $ODOOP
flow_done_pickings() {
	_fi=$(jq -c -s '[.[] | ._key.id? | numbers]') || return 70
	[ "$_fi" != "[]" ] || return 0
	odoo-extract -q $ODOOP stock.picking --fields id \
		--domain "[[\"id\",\"in\",$_fi],[\"state\",\"=\",\"done\"]]" \
		>"$dir/state/done-pickings.raw" || return
	jq -c '{_op: "update", _key: {id: .id}}' "$dir/state/done-pickings.raw" || return 70
	rm "$dir/state/done-pickings.raw"
}

# flow_in_table TABLE PREFIX: of the records on standard input, those
# whose xid is PREFIX followed by the name of a line of the table
# DIR/work/TABLE.ndjson, as records of their xid alone
flow_in_table() {
	jq -c --arg p "$2" --slurpfile t "$dir/work/$1.ndjson" \
		'($t | map({key: ($p + .name), value: true}) | from_entries) as $in |
		select(.xid | type == "string" and $in[.]) | {_op: "update", xid}'
}

# flow_ids TABLE: the res_id values of DIR/work/TABLE.ndjson (a table of
# ir.model.data), sorted, each once, separated by commas
flow_ids() {
	sed -n 's/.*"res_id": *\([0-9]*\).*/\1/p' "$dir/work/$1.ndjson" 2>/dev/null |
		sort -un | paste -sd, -
}

# flow_status FILE: the status a stage wrote to FILE (echo $? >FILE); 70
# when there is none, or FILE is empty (its write failed: a full disk)
flow_status() {
	_fs=$(cat "$1" 2>/dev/null) || _fs=
	echo "${_fs:-70}"
}

# flow_table NAME COMMAND [MAP]: DIR/work/NAME.ndjson, the output of
# COMMAND (eval'd; put through xform -f MAP when given), a lookup table a
# step's map reads (DIR/work on ERPIPE_PATH), replaced only when all went
# well; returns the failing status and says so after "$flow_label: "
flow_table() {
	_tn=$1 _tc=$2 _ts=0
	eval "$_tc" >"$dir/work/$_tn.raw" || _ts=$?
	if [ "$_ts" = 0 ] && [ $# -gt 2 ]; then
		xform -q -f "$3" "$dir/work/$_tn.raw" >"$dir/work/$_tn.new" || _ts=$?
	else
		mv "$dir/work/$_tn.raw" "$dir/work/$_tn.new"
	fi
	[ "$_ts" != 0 ] || mv "$dir/work/$_tn.new" "$dir/work/$_tn.ndjson" || _ts=$?
	[ "$_ts" = 0 ] || echo "$flow_label: table $_tn: status $_ts" >&2
	return "$_ts"
}

# flow_receipts NAME: how many receipts DIR/receipts/NAME.ndjson holds
# flow_moved NAME N: what step NAME moved since its first N receipts, by
# status but unchanged ("gl-bng: 2 created, 1 updated"); nothing when it
# moved nothing
flow_receipts() {
	cat "$dir/receipts/$1.ndjson" 2>/dev/null | wc -l | tr -d ' '
}
flow_moved() {
	_c=$(tail -n +"$(($2 + 1))" "$dir/receipts/$1.ndjson" 2>/dev/null |
		sed -n 's/.*"status": *"\([a-z_]*\)".*/\1/p' | grep -v '^unchanged$' |
		sort | uniq -c | awk '{printf "%s%d %s", (NR > 1 ? ", " : ""), $1, $2}')
	[ -z "$_c" ] || echo "$1: $_c"
}
