#!/bin/sh
# The schemas shipped in examples/schemas: each one compiles, passes its good
# samples byte for byte and rejects every bad sample with the errors written
# down in tests/data/validate/SYSTEM/ENTITY.bad.want; the field names agree
# with the metadata they were built from (Odoo's fields_get fixtures and the
# sandbox model, BNG's OpenAPI contract, NAV's page model) and with what the
# xform templates write.
. "${ERPIPE_TOP:-.}/tests/lib.sh"

S=$ERPIPE_TOP/examples/schemas
D=$ERPIPE_TOP/tests/data/validate
skip() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n # skip $*"; }

n=0
for f in $(cd "$S" && find . -name '*.schema.json' ! -name fields.schema.json | sort); do
	name=${f#./}
	name=${name%.schema.json}
	n=$((n + 1))
	if [ ! -f "$D/$name.good.ndjson" ] || [ ! -f "$D/$name.bad.ndjson" ]; then
		_result 1 "$name: has good and bad samples"
		continue
	fi
	# by name, the way a pipeline names it
	run validate -s "$name" "$D/$name.good.ndjson" > "$T/out" 2> "$T/err"
	is "$st" 0 "$name: good samples pass"
	[ "$st" = 0 ] || sed 's/^/#   /' "$T/err" | head -5
	same_file "$T/out" "$D/$name.good.ndjson" "$name: written byte for byte"
	rm -f "$T/rej"
	run validate -q -s "$name" --rejects "$T/rej" "$D/$name.bad.ndjson" > "$T/out"
	is "$st:$(wc -c < "$T/out" | tr -d ' ')" "65:0" "$name: every bad sample rejected"
	jq -r '(.source | sub(".*:"; "")) + ": " + ([.errors[] |
		(if .path == "" then "" else .path + ": " end) + .message] | join("; "))' \
		"$T/rej" > "$T/got"
	same_file "$T/got" "$D/$name.bad.want" "$name: with every error, as written down"
done
ok "schemas found ($n)" test "$n" -ge 25

# --op: records without _op are what load's --op makes them
printf '{"default_code":"FURN_7777","lst_price":69.9}\n{"_op":"create","default_code":"X"}\n' > "$T/upd"
run validate -q -s odoo/product.product "$T/upd" > "$T/out" 2> /dev/null
is "$st:$(wc -l < "$T/out" | tr -d ' ')" "65:0" "without --op, a price update lacks the product's name"
run validate -q -s odoo/product.product --op update --rejects "$T/rej" "$T/upd" > "$T/out"
is "$st:$(jq -r .default_code "$T/out")" "65:FURN_7777" "with --op update it is a partial record; _op in a record wins"
is "$(cat "$T/out")" '{"default_code":"FURN_7777","lst_price":69.9}' "written as it was, without the _op the schema saw"
# --op insert (load's: create what is missing) is a whole record, as create
run validate -q -s odoo/product.product --op insert "$T/upd" > "$T/out" 2> /dev/null
is "$st:$(wc -l < "$T/out" | tr -d ' ')" "65:0" "--op insert: whole records, as create (a price update lacks the name)"
printf '{"_op":"insert","name":"Box","relative_factor":1}\n' > "$T/ins"
for name in bng/Customer odoo/res.partner nav/Customer; do
	run validate -q -s "$name" "$T/ins" > /dev/null 2> "$T/err"
	like "$st:$(cat "$T/err")" '^(0:|65:.*)$' "$name: _op \"insert\" is one of load's"
	ok "...and not refused as an _op" sh -c "! grep -q '/_op' '$T/err'"
done

# every reserved key and an update that names only what changes
for name in bng/Customer odoo/res.partner nav/Customer; do
	printf '{"_op":"delete","_key":{"x":1}}\n' > "$T/del"
	run validate -q -s "$name" "$T/del" > /dev/null 2>&1
	is "$st" 0 "$name: a delete needs only its key"
done

# field names against the metadata the schemas were built from
$PYTHON - "$S" "$ERPIPE_TOP" > "$T/odoo" 2>&1 <<'X'
import json, os, sys
S, top = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(top, "tests/sandbox"))
import odoo_schema
fx = os.path.join(top, "tests/fixtures/odoo")
real = {"res.partner": "12_partner_fields_get.json", "account.move": "25b_account_move_fields_get.json"}
bad = 0
for fn in sorted(os.listdir(os.path.join(S, "odoo"))):
    model = fn[:-len(".schema.json")]
    if model == "fields":
        continue
    props = set(json.load(open(os.path.join(S, "odoo", fn)))["properties"]) - {"id", "_op", "_key"}
    if model in real:
        known = set(json.load(open(os.path.join(fx, real[model])))["response"]["body"]["result"])
    else:
        known = set(odoo_schema.MODELS[model].fields)
    for p in sorted(props - known):
        print("%s: %s is not a field of the model" % (model, p)); bad += 1
    for p in sorted(known - props - {"id"}):
        print("%s: field %s missing" % (model, p)); bad += 1
print("checked")
sys.exit(1 if bad else 0)
X
run sh -c "tail -1 '$T/odoo' | grep -qx checked && ! grep -qv '^checked$' '$T/odoo'"
is "$st" 0 "odoo schemas: the model's fields, no more, no less"
[ "$st" = 0 ] && true || sed 's/^/#   /' "$T/odoo" | head -10

if [ -f "$ERPIPE_TOP/examples/bng/openapi.json" ]; then
	run $PYTHON - "$S" "$ERPIPE_TOP/examples/bng/openapi.json" > "$T/bng" 2>&1 <<'X'
import json, os, sys
S, api = sys.argv[1], json.load(open(sys.argv[2]))
bad = 0
for fn in sorted(os.listdir(os.path.join(S, "bng"))):
    name = fn[:-len(".schema.json")]
    c = api["components"]["schemas"][name]
    d = json.load(open(os.path.join(S, "bng", fn)))
    if set(d["properties"]) - {"_op", "_key"} != set(c["properties"]):
        print("%s: properties differ from the contract" % name); bad += 1
    req = d.get("else", {})
    req = req.get("required") or [x for r in req.get("allOf", []) for x in r.get("required", [])]
    if sorted(req) != sorted(c.get("required", [])):
        print("%s: required %s, contract %s" % (name, req, c.get("required"))); bad += 1
sys.exit(1 if bad else 0)
X
	is "$st" 0 "bng schemas: the contract's properties and required fields"
	[ "$st" = 0 ] || sed 's/^/#   /' "$T/bng" | head -10
else
	skip "examples/bng/openapi.json not in this tree yet"
fi

if [ -f "$ERPIPE_TOP/tests/sandbox/nav_model.py" ]; then
	run $PYTHON - "$S" "$ERPIPE_TOP/tests/sandbox" > "$T/nav" 2>&1 <<'X'
import json, os, sys
S = sys.argv[1]
sys.path.insert(0, sys.argv[2])
import nav_model as M
sets = {s.name: s for s in M.PAGE_SETS}
bad = 0
for fn in sorted(os.listdir(os.path.join(S, "nav"))):
    name = fn[:-len(".schema.json")]
    es, d = sets[name], json.load(open(os.path.join(S, "nav", fn)))
    props = d["properties"]
    for f in es.fields:
        p = props.get(f.name)
        if p is None:
            print("%s: %s missing" % (name, f.name)); bad += 1
        elif f.t == "s" and not f.ro and "const" not in p and p.get("maxLength") != f.size:
            print("%s: %s maxLength %s, NAV %s" % (name, f.name, p.get("maxLength"), f.size)); bad += 1
    extra = set(props) - {f.name for f in es.fields} - {"_op", "_key"} - set(es.nav_props)
    for p in sorted(extra):
        print("%s: %s is not a field of the page" % (name, p)); bad += 1
sys.exit(1 if bad else 0)
X
	is "$st" 0 "nav schemas: the pages' fields and lengths"
	[ "$st" = 0 ] || sed 's/^/#   /' "$T/nav" | head -10
else
	skip "tests/sandbox/nav_model.py not in this tree yet"
fi

# every template's expected output (tests/data/templates/expect) against the
# schema of its target: the verdict is written down in
# tests/data/validate/templates/MAP.want, empty when every record passes
E=$ERPIPE_TOP/tests/data/templates/expect
nt=0
for m in $(cd "$E" && find . -name '*.ndjson' | sed 's|^\./||; s|\.ndjson$||' | sort); do
	tgt=${m#*-to-}    # odoo/res.partner-to-bng/Customer -> bng/Customer
	op=
	case $m in
	csv/prices-to-product) tgt=odoo/product.product op="--op update" ;; # as its comment loads it
	odoo-sync/res.partner) tgt=odoo/res.partner ;;
	odoo/sale.order-to-bng/PaymentStatus) tgt=bng/SalesOrder ;; # an update of the order's PaymentStatus
	bng/Customer-to-odoo/res.partner-fix) tgt=odoo/res.partner op="--op update" ;; # reconcile --fix-map: fixes, not creates
	bng/Employee-to-odoo/Manager) tgt=odoo/hr.employee op="--op update" ;; # the manager of an employee loaded before
	odoo/hr.employee-to-bng/Manager) tgt=bng/Employee op="--op update" ;;
	odoo/res.partner-to-xmlid/res.partner) tgt=odoo/res.partner op="--op update" ;; # the migration's ref update
	odoo/res.partner-to-xmlid/ir.model.data) continue ;; # Odoo's table of external ids, no schema shipped
	odoo/purchase.order-to-bng/ReceiptStatus) tgt=bng/PurchaseOrder op="--op update" ;; # the status of an order BNG has
	odoo/sale.order-to-odoo/confirm) tgt=odoo/sale.order op="--op update" ;; # orders to confirm, by id
	odoo/purchase.order-to-odoo/confirm) tgt=odoo/purchase.order op="--op update" ;; # the same, purchase
	sync/*/*-from-*) continue ;;   # the agreed shape a merge compares, not a system
	sync/odoo-bng/customers-to-bng) tgt=bng/Customer ;; # the merge's fixes, _op in each
	sync/odoo-bng/customers-to-odoo) tgt=odoo/res.partner ;;
	sync/odoo-bng/vendors-to-bng) tgt=bng/Vendor ;;
	sync/odoo-bng/vendors-to-odoo) tgt=odoo/res.partner ;;
	sync/odoo-bng/products-to-bng) tgt=bng/Product ;;
	sync/*/products-to-odoo) tgt=odoo/product.product ;;
	sync/odoo-nav/customers-to-nav) tgt=nav/Customer ;;
	sync/odoo-nav/vendors-to-nav) tgt=nav/Vendor ;;
	sync/odoo-nav/products-to-nav) tgt=nav/Item ;;
	sync/odoo-nav/*-to-odoo) tgt=odoo/res.partner ;;
	match/*/*-from-*) continue ;;  # the shape reconcile --match compares, not a system
	match/*/binding-to-xmlid) continue ;; # Odoo's table of external ids, no schema shipped
	*-to-csv/*) continue ;;        # a spreadsheet, not a system
	*-to-table/*) continue ;;      # a lookup table another map reads, not a system
	*-to-match/*) continue ;;      # the lines of the three-way match (procure-to-pay), not a system
	*-to-totals/*) continue ;;     # control totals reconcile compares (gl-feed), not a system
	esac
	nt=$((nt + 1))
	if [ ! -f "$S/$tgt.schema.json" ]; then
		_result 1 "$m: a schema for its target $tgt"
		continue
	fi
	rm -f "$T/rej"
	run validate -q -s "$tgt" $op --max-rejects 1000 --rejects "$T/rej" "$E/$m.ndjson" > /dev/null
	: > "$T/got"
	[ -f "$T/rej" ] && jq -r '(.source | sub(".*:"; "")) + ": " + .error' "$T/rej" > "$T/got"
	if [ -f "$D/templates/$m.want" ]; then
		same_file "$T/got" "$D/templates/$m.want" "$m: its records against $tgt"
	else
		_result 1 "$m: tests/data/validate/templates/$m.want exists"
	fi
done
ok "templates checked ($nt)" test "$nt" -ge 25

# a pipeline: what the xform template writes passes the target's schema
run sh -c "xform -q --max-rejects 1 -f odoo/res.partner-to-bng/Customer \
	'$ERPIPE_TOP/examples/data/partners.ndjson' 2>/dev/null > '$T/mapped'"
run validate -s bng/Customer "$T/mapped" > "$T/out" 2> "$T/err"
is "$st" 0 "xform -f odoo/res.partner-to-bng/Customer | validate -s bng/Customer"
[ "$st" = 0 ] || sed 's/^/#   /' "$T/err" | head -5
same_file "$T/out" "$T/mapped" "every mapped partner passes, as it was"

done_testing
