#!/bin/sh
# examples/scripts/warehouse against the Odoo, NAV and BNG sandboxes and a
# throwaway PostgreSQL: Odoo's posted invoices, NAV's ledger and BNG's
# payments in one schema (the tables made from examples/schemas/pg), the
# views that reconcile them (invoice_payments, monthly_control), a second
# run that writes nothing, a new payment that moves alone, and a payment in
# BNG that Odoo does not know of, shown as a difference.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/pg-env.sh"
pg_env
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-env.sh"
odoo_env
sandbox_start bng --records 3 --entity payments=4
BNG_CLIENT_ID=erpipe BNG_CLIENT_SECRET=erpipe-secret
export BNG_CLIENT_ID BNG_CLIENT_SECRET
. "$ERPIPE_TOP/tests/sandbox/nav-env.sh"
nav_env --records 4
. "$ERPIPE_TOP/tests/sandbox/bng-api.sh"
W=$T/wh
wh() { run "$ERPIPE_TOP/examples/scripts/warehouse" - - - - "$W" > "$T/out" 2> "$T/err"; [ "$st" = 0 ] || sed "s/^/#   /" "$T/err" | head -5; }

ninv=$(odoo-extract -q account.move --domain '[["move_type","=","out_invoice"],["state","=","posted"]]' --fields name | grep -vc _checkpoint)
ngl=$(nav-extract -q GLEntries | grep -vc _checkpoint)
npay=$(bng-extract -q payments | grep -vc _checkpoint)
ok "the sandboxes hold invoices ($ninv), G/L entries ($ngl) and payments ($npay)" \
	test "$ninv" -gt 0 -a "$ngl" -gt 0 -a "$npay" -gt 0

wh
is "$st" 0 "first run: status 0"
is "$(cat "$T/out")" "invoices: $ninv created
gl: $ngl created
payments: $npay created" "says what moved"
is "$(q "SELECT count(*) FROM invoices")/$(q "SELECT count(*) FROM gl_entries")/$(q "SELECT count(*) FROM payments")" \
	"$ninv/$ngl/$npay" "every record in its table"
is "$(q "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'invoices'::regclass AND attname IN ('odoo_id', 'invoice_date', 'amount_total') ORDER BY attnum" | tr '\n' ' ')" \
	"bigint date numeric " "the tables typed from the schemas"
inv=$(q "SELECT invoice_no || '|' || amount_total || '|' || (amount_total - amount_due) FROM invoices ORDER BY odoo_id LIMIT 1")
is "$(q "SELECT invoice_no || '|' || amount_total || '|' || paid_in_odoo FROM invoice_payments ORDER BY invoice_no" | grep -c "^${inv%%|*}|")" 1 \
	"invoice_payments: one row an invoice"
is "$(q "SELECT sum(invoiced)::text FROM monthly_control")" "$(q "SELECT sum(amount_total)::text FROM invoices")" \
	"monthly_control: the months' invoiced add up to the invoices"
is "$(q "SELECT sum(gl_debit)::text || ' ' || sum(gl_credit)::text FROM monthly_control")" \
	"$(q "SELECT sum(debit)::text || ' ' || sum(credit)::text FROM gl_entries")" "...and the ledger's debits and credits"
is "$(q "SELECT count(*) FROM erpipe_state")" 3 "each step's position committed with its rows"

wh
is "$st:$(cat "$T/out")" "0:" "a second run: status 0, moves nothing"

# a payment in BNG for the first invoice, which Odoo does not know of
no=${inv%%|*}
# (order-to-cash sends Odoo's invoices to BNG: the payment names one BNG has)
cust=$(bng-extract -q customers | jq -r 'select(.CustomerID) | .CustomerID' | head -1)
api POST /invoices "{\"InvoiceNo\":\"$no\",\"CustomerID\":$cust,\"InvoiceDate\":\"2026-03-01\",\"Currency\":\"EUR\",\"LineItems\":[{\"Description\":\"x\",\"Quantity\":1,\"UnitPrice\":10}]}" > /dev/null
[ "$api_status" = 201 ] || diag "invoice: $api_status $(cat "$T/.api")"
api POST /payments "{\"InvoiceNo\":\"$no\",\"PaymentDate\":\"2026-03-02\",\"Amount\":10,\"Currency\":\"EUR\",\"Method\":\"Card\"}" > /dev/null
is "$api_status" 201 "a payment in BNG for $no"
[ "$api_status" = 201 ] || diag "$(cat "$T/.api")"
wh
is "$st:$(cat "$T/out")" "0:payments: 1 created" "the next run moves it alone"
is "$(q "SELECT paid_in_bng::text || ' ' || difference::text FROM invoice_payments WHERE invoice_no = '$no'")" \
	"$(q "SELECT '10 ' || ((amount_total - amount_due) - 10)::text FROM invoices WHERE invoice_no = '$no'")" \
	"invoice_payments shows BNG's payment and the difference"
done_testing
