#!/bin/sh
# reconcile --emit-fix: the fix records, applied to their side by a simple
# apply (create, update, delete by _key), leave no difference — plain, with
# renamed compound keys, and through a map and its --fix-map back.
. "${ERPIPE_TOP:-.}/tests/lib.sh"
cd "$T"

# apply.py BASE FIXES: the records of BASE with the fixes applied, in order
cat >apply.py <<'EOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
recs = [r for r in recs if "_checkpoint" not in r]
def match(r, key):
    return all(r.get(k) == v for k, v in key.items())
for line in open(sys.argv[2]):
    f = json.loads(line)
    op, key = f.pop("_op"), f.pop("_key", None)
    if op == "create":
        if key is None and "id" in (recs[0] if recs else {}):
            f["id"] = max(r["id"] for r in recs) + 1  # the system gives an id
        recs.append(f)
        continue
    hits = [r for r in recs if match(r, key)]
    assert len(hits) == 1, "%s: %d records match %s" % (op, len(hits), key)
    if op == "update":
        hits[0].update(f)
    elif op == "delete":
        recs.remove(hits[0])
    else:
        raise SystemExit("unknown _op " + op)
for r in recs:
    print(json.dumps(r, ensure_ascii=False, separators=(",", ":")))
EOF
apply() { $PYTHON apply.py "$@"; }

cat >l.ndjson <<'EOF'
{"company":"A","no":"10000","name":"Alpha","email":"a@x","limit":100.00,"tags":[1,2]}
{"company":"A","no":"20000","name":"Beta","email":"b@x","limit":200}
{"company":"B","no":"10000","name":"Gamma","email":null,"limit":0}
{"company":"B","no":"30000","name":"Delta","limit":5}
{"company":"C","no":"1","name":"Only left","email":"l@x","limit":1,"active":false}
EOF
cat >r.ndjson <<'EOF'
{"Company":"A","No":"10000","Name":"Alpha","Email":"a@x","Limit":100,"Tags":[1,2],"Id":1}
{"Company":"A","No":"20000","Name":"BETA","Email":"b@x","Limit":250,"Id":2}
{"Company":"B","No":"10000","Name":"Gamma","Email":"g@x","Limit":0,"Id":3}
{"Company":"B","No":"30000","Name":"Delta","Limit":5,"Note":"x","Id":4}
{"Company":"D","No":"9","Name":"Only right","Email":"r@x","Limit":9,"Id":5}
EOF
K="-k company=Company,no=No -f name=Name,email=Email,limit=Limit,tags=Tags,active=Active"

run reconcile $K --emit-fix right --allow-delete l.ndjson r.ndjson >fix 2>err
is "$st" 1 "emit-fix: status 1 (there are differences)"
is "$(cat fix)" '{"_op":"update","_key":{"Company":"A","No":"20000"},"Name":"Beta","Limit":200}
{"_op":"update","_key":{"Company":"B","No":"10000"},"Email":null}
{"_op":"delete","_key":{"Company":"D","No":"9"}}
{"_op":"create","_key":{"Company":"C","No":"1"},"Company":"C","No":"1","Name":"Only left","Email":"l@x","Limit":1,"Active":false}' \
	"fixes for the right: updates carry only the differing fields, in the right's names"
like "$(cat err)" "fixes for the right side: 1 create, 2 update, 1 delete" "the summary on stderr"
apply r.ndjson fix >r2.ndjson
run reconcile $K l.ndjson r2.ndjson >out
is "$st:$(cat out)" "0:" "fixes applied to the right: no difference left"

run reconcile $K --emit-fix left --allow-delete l.ndjson r.ndjson >fix 2>/dev/null
apply l.ndjson fix >l2.ndjson
run reconcile $K l2.ndjson r.ndjson >out
is "$st:$(cat out)" "0:" "fixes applied to the left: no difference left"

run reconcile $K --emit-fix right l.ndjson r.ndjson >fix 2>err
is "$(grep -c delete fix)" 0 "no delete without --allow-delete"
like "$(cat err)" "1 not written" "... and the summary says so"
apply r.ndjson fix >r3.ndjson
run reconcile $K l.ndjson r3.ndjson >out
is "$st:$(cat out)" '1:{"status":"only_right","key":{"company":"D","no":"9"},"diff":{"name":[null,"Only right"],"email":[null,"r@x"],"limit":[null,9]}}' \
	"... so only that key is left"

run reconcile $K --emit-fix right --report rep.csv --format csv -q l.ndjson r.ndjson >fix 2>err
is "$st:$(cat err):$(wc -l <fix)" "1::3" "-q: no summary; the report in its file"
is "$(head -1 rep.csv | tr -d '\r')" "status,key,field,left,right" "--report with --format csv"

# ---- through a map: the BNG shape on both sides for comparing, Odoo's
# own names for the fixes of the Odoo side
EX=$ERPIPE_TOP/examples
grep -v web: "$EX/data/bng-customers.ndjson" >bng.ndjson
cp "$EX/data/odoo-partners.ndjson" odoo.ndjson
M="-k ExternalID --map-left odoo/res.partner-to-bng/Customer --ignore CustomerID,Country,UpdatedAt --tolerance CreditLimit=0.01"
run reconcile $M --emit-fix left --allow-delete --fix-map bng/Customer-to-odoo/res.partner-fix \
	odoo.ndjson bng.ndjson >fix 2>err
is "$(cat fix)" '{"_op":"update","_key":{"id":27},"name":"Jérôme Muller"}
{"_op":"update","_key":{"id":31},"active":false}
{"_op":"delete","_key":{"id":33}}' "fixes in Odoo's names: only what the map says differs"
apply odoo.ndjson fix >odoo2.ndjson
run reconcile $M odoo2.ndjson bng.ndjson >out
is "$st:$(cat out)" "0:" "Odoo fixed through the map back: no difference left"

run reconcile $M --emit-fix right --allow-delete odoo.ndjson bng.ndjson >fix 2>/dev/null
apply bng.ndjson fix >bng2.ndjson
run reconcile $M odoo.ndjson bng2.ndjson >out
is "$st:$(cat out)" "0:" "BNG fixed (the unmapped side): no difference left"

cat >bad.map <<'EOF'
_key.id = to_int($ExternalID)
EOF
run reconcile $M --emit-fix left --fix-map bad.map odoo.ndjson bng.ndjson >fix 2>err
is "$st" 65 "a fix map that fails: 65"
like "$(cat err)" "^reconcile: --fix-map: key \"odoo:27\": .*bad.map:1:.*to_int" \
	"... naming the key and the map's line"

done_testing
