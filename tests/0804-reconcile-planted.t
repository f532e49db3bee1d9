#!/bin/sh
# reconcile finds exactly the differences planted in a generated pair of
# files — no more (noise the options must absorb: amounts within the
# tolerance, e-mail case, 1500.0 against 1500.00, null against "") and no
# fewer — in all three joins.  The seed is fixed and printed on failure.
. "${ERPIPE_TOP:-.}/tests/lib.sh"
cd "$T"
SEED=${RECONCILE_SEED:-8041}

$PYTHON - "$SEED" <<'EOF'
import json, random, sys
seed = int(sys.argv[1])
r = random.Random(seed)
FIRST = ["Ann", "Bo", "Chloé", "Dirk", "Émile", "Fatima", "Łukasz", "Zoë"]
LAST = ["Peeters", "Müller", "O'Brien", "de Vries", "Nowak", "García"]
CO = ["Acme", "Globex", "Initech", "Umbrella", "Bäckerei Koch", 'Café "Noir"']
odoo, bng, truth = [], [], {"only_left": [], "only_right": [], "changed": {}}
def bng_of(p):
    if p["is_company"]:
        co, fn, ln = p["name"], None, None
    else:
        co = None
        fn, _, ln = p["name"].partition(" ")
        ln = ln or None
    return {"ExternalID": "odoo:%d" % p["id"], "CompanyName": co, "FirstName": fn,
            "LastName": ln, "Email": p["email"].lower() if p["email"] else None,
            "Phone": p["phone"] or None,
            "BillingAddress": "%s, %s %s" % (p["street"], p["zip"], p["city"]),
            "Country": p["country_id"][1] if p["country_id"] else None,
            "CreditLimit": p["credit_limit"], "Status": "Active" if p["active"] else "Inactive"}
nid = 10
for i in range(400):
    nid += r.randrange(1, 4)
    comp = r.random() < 0.3
    name = r.choice(CO) + " " + r.choice(LAST) if comp else r.choice(FIRST) + " " + r.choice(LAST)
    p = {"id": nid, "name": name, "is_company": comp,
         "email": (name.split()[0] + str(nid) + "@Example.com") if r.random() < 0.9 else False,
         "phone": "+32 2 %03d %02d %02d" % (r.randrange(1000), r.randrange(100), r.randrange(100)) if r.random() < 0.8 else False,
         "street": "Rue %d" % r.randrange(1, 200), "zip": "1000", "city": "Bruxelles",
         "country_id": [20, "Belgium"] if r.random() < 0.9 else False,
         "credit_limit": round(r.randrange(0, 1000000) / 100.0, 2) if r.random() < 0.5 else 0.0,
         "active": r.random() < 0.95, "write_date": "2026-11-%02d 10:00:00" % r.randrange(1, 29)}
    odoo.append(json.dumps(p, ensure_ascii=False, separators=(",", ":")))
    key = "odoo:%d" % nid
    x = r.random()
    if x < 0.03:
        truth["only_left"].append(key)
        continue
    b = bng_of(p)
    del b["Country"]
    b["CustomerID"] = 50000 + i
    b["UpdatedAt"] = "2026-11-24T10:00:00Z"
    # noise every option must absorb
    line = json.dumps(b, ensure_ascii=False, separators=(",", ":"))
    if x < 0.10 and b["Email"]:
        b["Email"] = b["Email"].upper()
    elif x < 0.15:
        b["CreditLimit"] = round(b["CreditLimit"] + 0.004, 3)
    elif x < 0.20 and b["Phone"] is None:
        b["Phone"] = ""
    elif x < 0.30:
        # a real difference in exactly one field
        f = r.choice(["CompanyName", "FirstName", "LastName", "Email", "Phone",
                      "BillingAddress", "CreditLimit", "Status"])
        v = b[f]
        if f == "CreditLimit":
            b[f] = round(v + 100.0, 2)
        elif f == "Status":
            b[f] = "Inactive" if v == "Active" else "Active"
        elif v is None:
            b[f] = "set in BNG"
        else:
            b[f] = v + " (BNG)"
        truth["changed"][key] = f
    line = json.dumps(b, ensure_ascii=False, separators=(",", ":"))
    if isinstance(b["CreditLimit"], float) and b["CreditLimit"] == int(b["CreditLimit"]) and r.random() < 0.5:
        line = line.replace('"CreditLimit":%s' % json.dumps(b["CreditLimit"]), '"CreditLimit":%d.00' % b["CreditLimit"])
    bng.append(line)
for j in range(12):
    nid += 1000
    key = "web:%d" % nid
    bng.append(json.dumps({"CustomerID": 90000 + j, "ExternalID": key, "CompanyName": "Walk-in %d" % j,
                           "FirstName": None, "LastName": None, "Email": None, "Phone": None,
                           "BillingAddress": "Market 1, 1000 Bruxelles", "CreditLimit": 0,
                           "Status": "Active", "UpdatedAt": "2026-11-24T10:00:00Z"}))
    truth["only_right"].append(key)
r.shuffle(bng)
open("odoo.ndjson", "w").write("\n".join(odoo) + "\n")
open("bng.ndjson", "w").write("\n".join(bng) + "\n")
with open("want", "w") as w:
    for k in truth["only_left"]:
        w.write("only_left %s\n" % k)
    for k in truth["only_right"]:
        w.write("only_right %s\n" % k)
    for k, f in truth["changed"].items():
        w.write("changed %s %s\n" % (k, f))
EOF
sort want -o want
diag "seed $SEED: $(grep -c . want) planted differences"

opts="-k ExternalID --map-left odoo/res.partner-to-bng/Customer --ignore CustomerID,Country,UpdatedAt --tolerance CreditLimit=0.01 --ignore-case Email"
for how in "" "--memory 8K"; do
	run reconcile $opts $how odoo.ndjson bng.ndjson >out 2>err
	jq -r '.status + " " + .key + (if .status == "changed" then " " + (.diff | keys | join(",")) else "" end)' out |
		sort >got
	is "$st:$(cat err)" "1:" "${how:-hash join}: status 1, nothing on stderr (seed $SEED)"
	same_file got want "${how:-hash join}: exactly the planted differences (seed $SEED)"
done
# the merge join needs both sides in key order
jq -s -c 'sort_by("odoo:" + (.id | tostring)) | .[]' odoo.ndjson >odoo.sorted
jq -s -c 'sort_by(.ExternalID) | .[]' bng.ndjson >bng.sorted
run reconcile $opts --sorted odoo.sorted bng.sorted >out 2>err
jq -r '.status + " " + .key + (if .status == "changed" then " " + (.diff | keys | join(",")) else "" end)' out |
	sort >got
is "$st:$(cat err)" "1:" "merge join: status 1 (seed $SEED)"
same_file got want "merge join: exactly the planted differences (seed $SEED)"
run reconcile $opts --format summary odoo.ndjson bng.ndjson >out
is "$(sed -n 's/^  changed *//p' out)" "$(grep -c '^changed' want)" "summary: the changed count"

# the benchmark's own generator, small
GEN=$ERPIPE_TOP/tests/bench/peers/gen_partners.py
$PYTHON "$GEN" -n 500 --seed 42 --odoo o.ndjson --bng b.ndjson --truth truth.json 2>/dev/null
run reconcile -k ExternalID --map-left odoo/res.partner-to-bng/Customer --ignore CustomerID,Country \
	--format summary o.ndjson b.ndjson >out
got=$(awk '/^  (only_left|only_right|changed) / { printf "%s=%s ", $1, $2 }' out)
want=$(jq -r '"changed=\(.mismatched) only_left=\(.only_left) only_right=\(.only_right) "' truth.json)
is "$got" "$want" "gen_partners.py -n 500: the truth's counts"
got=$(awk '/^fields that differ:/ { f = 1; next } /^[^ ]/ { f = 0 } f { print $1 "=" $2 }' out |
	sort | paste -sd ' ' -)
want=$(jq -r '.mismatched_by_field | to_entries | map(select(.value > 0) | "\(.key)=\(.value)") | sort | join(" ")' truth.json)
is "$got" "$want" "gen_partners.py -n 500: the truth's counts per field"

done_testing
