#!/bin/sh
# csv/products-to-odoo/product.template against the Odoo sandbox: a row of
# the catalogue with variant values becomes a template whose variants Odoo
# makes, one per value (tests/fixtures/odoo-flows 72: the variants read
# default_code false, the template keeps it); a row read again writes
# nothing; a value Odoo does not have rejects the row.  What load once got
# wrong: a many2many of two ids in a line ([50, 51]) taken for a many2one
# pair [id, name] and sent as 50.  examples/scripts/import-catalogue runs
# the template on a CSV file.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
sandbox_start odoo --partners 10
ODOO_DB=odoo ODOO_USER=admin ODOO_PASSWORD=admin
export ODOO_DB ODOO_USER ODOO_PASSWORD
odoo() { odoo-extract -q "$@"; }

run sh -c "xform -q -f csv/products-to-odoo/product.template \
	'$ERPIPE_TOP/tests/data/templates/csv/products.ndjson' > '$T/in'"
is "$st:$(wc -l < "$T/in" | tr -d ' ')" "0:3" "the catalogue mapped"
run sh -c "load -q odoo product.template --max-rejects 1 --rejects '$T/rej' < '$T/in' > '$T/r1'"
is "$st" 0 "loaded"
is "$(jq -r .status "$T/r1" | paste -sd ' ')" "created created rejected" "two templates; the third names a Size Odoo lacks"
like "$(jq -r .error "$T/rej")" "no product.attribute.value matches .*Size" "...rejected with the value it could not find"
tee=$(odoo product.template --domain '[["default_code","=","TX-TEE"]]' \
	--fields product_variant_count,attribute_line_ids | jq -c '[.product_variant_count, (.attribute_line_ids | length)]')
is "$tee" "[2,1]" "TX-TEE: one attribute line, two variants"
is "$(odoo product.product --domain '[["product_tmpl_id.default_code","=","TX-TEE"]]' \
	--fields display_name,default_code | jq -c '[.display_name, .default_code]' | sort | paste -sd ' ')" \
	'["TX Variant Tee (Black)",false] ["TX Variant Tee (White)",false]' \
	"the variants by their values, without the template's internal reference (72b)"
tee_ids=$(odoo product.product --domain '[["product_tmpl_id.default_code","=","TX-TEE"]]' \
	--fields id | jq -r .id | sort -n | paste -sd ',')
is "$(odoo product.template --domain '[["default_code","=","TX-MUG"]]' --fields product_variant_count |
	jq -r .product_variant_count)" 1 "TX-MUG: no attribute, one variant"
run sh -c "load -q odoo product.template --max-rejects 1 --rejects '$T/rej2' < '$T/in' > '$T/r2'"
is "$st:$(jq -r .status "$T/r2" | paste -sd ' ')" "0:unchanged unchanged rejected" "read again: nothing written"
is "$(odoo --count product.product --domain '[["product_tmpl_id.default_code","=","TX-TEE"]]')" 2 \
	"and no variant more"
# a colour more in the catalogue: the template's line written, Odoo makes
# the variant it lacks (and archives the one of a colour gone)
jq -c 'select(._key.default_code == "TX-TEE") |
	.attribute_line_ids[0].value_ids = [{"match": {"attribute_id.name": "Color", "name": "White"}},
		{"match": {"attribute_id.name": "Color", "name": "Red"}},
		{"match": {"attribute_id.name": "Color", "name": "Blue"}}]' "$T/in" > "$T/in2"
run sh -c "load -q odoo product.template < '$T/in2' > '$T/r4'"
is "$st:$(jq -r .status "$T/r4")" "0:updated" "TX-TEE White|Red|Blue: updated"
is "$(odoo product.product --domain '[["product_tmpl_id.default_code","=","TX-TEE"]]' \
	--fields display_name | jq -r .display_name | sort | paste -sd ',')" \
	"TX Variant Tee (Blue),TX Variant Tee (Red),TX Variant Tee (White)" \
	"...its variants: White kept, Red and Blue made, Black archived"
run sh -c "load -q odoo product.template < '$T/in2' > '$T/r5'"
is "$st:$(jq -r .status "$T/r5")" "0:unchanged" "...read again: unchanged"
load -q odoo product.template < "$T/in" > /dev/null 2>&1 || :
is "$(odoo product.product --domain '[["product_tmpl_id.default_code","=","TX-TEE"]]' \
	--fields id | jq -r .id | sort -n | paste -sd ',')" "$tee_ids" \
	"White|Black again: the same two variants, Black's made active again"

# the script, on the shipped sample catalogue: the same templates, unchanged
cd "$T"
run sh -c "'$ERPIPE_TOP/examples/scripts/import-catalogue' '$ERPIPE_TOP/examples/data/catalogue.csv' > '$T/r3'"
is "$st:$(jq -r .status "$T/r3" | paste -sd ' ')" "0:unchanged unchanged" \
	"import-catalogue examples/data/catalogue.csv: the same templates, nothing written"
ok "...and no rejects" test ! -s "$T/rejects.ndjson"
run "$ERPIPE_TOP/examples/scripts/import-catalogue" 2> "$T/err"
is "$st:$(cat "$T/err")" "64:usage: import-catalogue [-P PROFILE] FILE.csv" "no file: its usage, 64"
done_testing
