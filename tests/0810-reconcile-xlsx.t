#!/bin/sh
# reconcile --format xlsx: a workbook an analyst opens, read back here with
# a reader (python3-openpyxl): a Summary sheet (each side's records and
# source, the count of each status, the fields that differ) and a
# Differences sheet (a row per differing field: status, key, field, left,
# right, delta), numbers as numbers in an amount format, the header frozen
# and filtered; with --sum a Control totals sheet with each group's record
# counts; to --report FILE or stdout; a bad --format names xlsx.
. "$(dirname "$0")/lib.sh"
"$PYTHON" -c 'import openpyxl' 2> /dev/null || skip_all "no python3-openpyxl (make deps installs it)"

cd "$T"
printf '%s\n' '{"id":1,"name":"A","amount":10.5}' '{"id":2,"name":"B","amount":20}' \
	'{"id":3,"name":"C","amount":5}' > l.ndjson
printf '%s\n' '{"id":1,"name":"A","amount":10.5}' '{"id":2,"name":"B2","amount":21.25}' \
	'{"id":4,"name":"D","amount":7}' > r.ndjson
cells() { # cells FILE SHEET: every row's cells, "|"-separated, a row a line
	"$PYTHON" - "$1" "$2" <<-'EOF'
	import sys, openpyxl
	ws = openpyxl.load_workbook(sys.argv[1])[sys.argv[2]]
	for row in ws.iter_rows(values_only=True):
	    print("|".join("" if v is None else repr(v) for v in row))
	EOF
}
prop() { # prop FILE PYTHON-EXPRESSION over wb
	"$PYTHON" - "$1" "$2" <<-'EOF'
	import sys, openpyxl
	wb = openpyxl.load_workbook(sys.argv[1])
	print(eval(sys.argv[2]))
	EOF
}

run reconcile -k id --format xlsx --report r.xlsx l.ndjson r.ndjson
is "$st" 1 "differences: exit 1, as every format"
is "$(prop r.xlsx 'wb.sheetnames')" "['Summary', 'Differences']" "two sheets"
is "$(cells r.xlsx Summary | head -3 | tr '\n' ' ')" \
	"'side'|'records'|'source' 'left'|3|'l.ndjson' 'right'|3|'r.ndjson' " \
	"Summary: each side's records and source"
is "$(cells r.xlsx Summary | grep -E "^'(match|changed|only_left|only_right)'" | tr '\n' ' ')" \
	"'match'|1| 'changed'|1| 'only_left'|1| 'only_right'|1| " "Summary: the count of each status"
like "$(cells r.xlsx Summary | tr '\n' ' ')" "'fields that differ'\|\| 'name'\|1\| 'amount'\|1\|" \
	"Summary: the fields that differ"
is "$(cells r.xlsx Differences | tr '\n' ' ')" \
	"'status'|'key'|'field'|'left'|'right'|'delta' 'changed'|'2'|'name'|'B'|'B2'| 'changed'|'2'|'amount'|20|21.25|1.25 'only_right'|'4'|'name'||'D'| 'only_right'|'4'|'amount'||7| 'only_left'|'3'|'name'|'C'|| 'only_left'|'3'|'amount'|5|| " \
	"Differences: a row per differing field (each field of a record on one side only), numbers as numbers"
is "$(prop r.xlsx "[wb['Differences'].freeze_panes, wb['Differences'].auto_filter.ref, wb['Differences']['D3'].number_format, wb['Differences']['A1'].font.b]")" \
	"['A2', 'A1:F7', '#,##0.00', True]" "the header frozen, bold and filtered; amounts formatted"

# stdout, --all
run reconcile -k id --format xlsx --all l.ndjson r.ndjson > out.xlsx
is "$(cells out.xlsx Differences | grep -c "^'match'")" 1 "to stdout; --all writes the matches too"

# control totals
printf '%s\n' '{"Posted":"2026-01-05","Amount":10}' '{"Posted":"2026-01-20","Amount":5}' \
	'{"Posted":"2026-02-01","Amount":3}' > gl.ndjson
printf '%s\n' '{"date":"2026-01-09","amount":15}' '{"date":"2026-02-11","amount":4}' > ledger.ndjson
run reconcile --sum amount=Amount --group-by date=Posted:month --format xlsx --report t.xlsx \
	ledger.ndjson gl.ndjson
is "$st:$(prop t.xlsx 'wb.sheetnames')" "1:['Summary', 'Control totals']" "--sum: a Control totals sheet"
is "$(cells t.xlsx 'Control totals' | tr '\n' ' ')" \
	"'status'|'key'|'field'|'left'|'right'|'delta'|'left records'|'right records' 'match'|'2026-01'|||||1|2 'changed'|'2026-02'|'amount'|4|3|-1|1|1 " \
	"each group: its totals, their delta and its record counts"

run reconcile -k id --format xls l.ndjson r.ndjson
is "$st" 64 "--format xls: 64"
done_testing
