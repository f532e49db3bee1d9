#!/bin/sh
# Odoo partners against BNG customers: which customers are missing, extra or
# different in BNG, and the records that would repair BNG.
#
# Live, the two files come from the extractors, e.g.
#   odoo-extract -P prod res.partner > data/odoo-partners.ndjson
#   bng-extract -P bng customers > data/bng-customers.ndjson
# here they are the sample files in data/, shaped as the extractors write
# them.  Run from anywhere; prints the summary, then the fixes.
set -eu
cd "$(dirname "$0")"
compare() {
	reconcile -k ExternalID --map-left odoo/res.partner-to-bng/Customer \
		--ignore CustomerID,Country,UpdatedAt --tolerance CreditLimit=0.01 "$@" \
		data/odoo-partners.ndjson data/bng-customers.ndjson
}
# 0: the systems agree, 1: they differ, 2 and more: trouble
status=0
compare --format summary || status=$?
[ "$status" -le 1 ] || exit "$status"
[ "$status" -eq 0 ] && exit 0
echo
echo "fixes for BNG (pipe them into: load -P bng bng customers --key ExternalID):"
compare -q --emit-fix right || [ $? -eq 1 ]
exit "$status"
