#!/bin/sh
# Every examples/*/*.sh whose header says '# sandbox: odoo ARGS' runs against
# that sandbox, in a scratch copy of examples/, and exits 0; then what the
# partners-to-CSV example writes is checked.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
ODOO_DB=odoo ODOO_USER=admin ODOO_PASSWORD=admin
export ODOO_DB ODOO_USER ODOO_PASSWORD
running=
for f in "$ERPIPE_TOP"/examples/*/*.sh; do
	args=$(sed -n 's/^# sandbox: odoo\( \|$\)//p' "$f" | head -1)
	grep -q '^# sandbox: odoo' "$f" || continue
	name=${f#"$ERPIPE_TOP"/examples/}
	if [ "$args" != "$running" ] || [ -z "$running" ]; then
		[ -n "$running" ] && sandbox_stop odoo
		# shellcheck disable=SC2086
		sandbox_start odoo $args
		running=${args:-default}
	fi
	rm -rf "$T/work" && cp -R "$ERPIPE_TOP/examples" "$T/work"
	run sh -c "cd '$T/work' && sh '$T/work/$name'" >"$T/out" 2>"$T/err"
	is "$st" 0 "$name exits 0"
	[ "$st" = 0 ] || sed 's/^/#   /' "$T/err" | head -10
	cp "$T/out" "$T/out.${name##*/}"
done

csv=$T/out.partners-to-csv.sh
if [ -f "$csv" ]; then
	is "$(head -1 "$csv")" "ID,Name,Type,Company,Email,Phone,City,Country" "partners-to-csv: the header row"
	is "$(($(wc -l <"$csv") - 1))" "$(odoo-extract --count res.partner)" "one row per partner"
	like "$(grep '^17,' "$csv")" '^17,Willie Burke,Person,Wood Corner,' "a person with the company's name"
	ok "no Odoo false in a cell" sh -c "! grep -q ',false,\|,false$' '$csv'"
else
	_result 1 "examples/odoo/partners-to-csv.sh ran"
fi
done_testing
