#!/bin/sh
# Export partners to CSV for a spreadsheet: one row per partner, companies
# and people, with the company, email, phone, city and country names.
#   ODOO_URL=... ODOO_DB=... ODOO_USER=... ODOO_PASSWORD=... \
#       sh partners-to-csv.sh > partners.csv      (or: -P PROFILE in EXTRACT)
# sandbox: odoo --partners 50
set -eu
odoo-extract ${PROFILE:+-P "$PROFILE"} -q --m2o name \
	--fields name,is_company,parent_id,email,phone,city,country_id res.partner |
	xform -q -f odoo/res.partner-to-csv/Sheet -o csv
