#!/bin/sh
# Sales booked in NAV (G/L account 6110) against Odoo's (account 400000),
# month by month: the control totals an accountant ticks off.
#
# Live, the two files come from the extractors, e.g.
#   nav-extract -P nav GeneralLedgerEntries \
#       --filter "G_L_Account_No eq '6110'" > data/nav-gl-sales.ndjson
#   odoo-extract -P prod account.move.line \
#       --domain '[("account_id.code", "=", "400000"), ("parent_state", "=", "posted")]' \
#       > data/odoo-sales-lines.ndjson
# here they are the sample files in data/, shaped as the extractors write
# them.  Exit status: 0 the totals agree, 1 they differ, 2 and more trouble.
set -eu
cd "$(dirname "$0")"
reconcile --sum Amount=balance --group-by Posting_Date=date:month --all "$@" \
	data/nav-gl-sales.ndjson data/odoo-sales-lines.ndjson
