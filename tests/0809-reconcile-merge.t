#!/bin/sh
# reconcile --base: the three-way merge.  Planted concurrent edits (one
# side, both sides, the same change, owners), deletes under each --deletes,
# creates on each side and on both; the fixes applied to each side converge
# (a second merge has nothing to do, the new base equals both sides); the
# hash join, its spill and --sorted give the same output; bad input.
. "${ERPIPE_TOP:-.}/tests/lib.sh"
cd "$T"

# apply.py FILE FIXES: FILE's records with load's fixes applied, in order
cat >apply.py <<'EOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def match(r, key):
    return all(r.get(k) == v for k, v in key.items())
for line in open(sys.argv[2]):
    f = json.loads(line)
    op, key = f.pop("_op"), f.pop("_key")
    hits = [r for r in recs if match(r, key)]
    if op == "create":
        assert not hits, "create of an existing key %s" % key
        recs.append(f)
        continue
    assert len(hits) == 1, "%s: %d records match %s" % (op, len(hits), key)
    if op == "update":
        for k, v in f.items():
            if v is None:
                hits[0].pop(k, None)
            else:
                hits[0][k] = v
    elif op == "delete":
        recs.remove(hits[0])
    else:
        raise SystemExit("unknown _op " + op)
for r in recs:
    print(json.dumps(r, ensure_ascii=False, separators=(",", ":")))
EOF
apply() { $PYTHON apply.py "$@"; }
# the lines of a file, each object's members sorted, the lines sorted
norm() { $PYTHON -c 'import json, sys
def one(l):
    r = json.loads(l)
    if len(sys.argv) > 2:
        r.pop("source", None)
    return json.dumps(r, sort_keys=True)
for l in sorted(one(l) for l in open(sys.argv[1]) if l.strip()):
    print(l)' "$@"; }

cat >base.ndjson <<'EOF'
{"id":1,"name":"Alpha","email":"a@x","phone":"1","limit":100}
{"id":2,"name":"Beta","email":"b@x","phone":"2","limit":200}
{"id":3,"name":"Gamma","email":"g@x","phone":"3","limit":300}
{"id":4,"name":"Delta","email":"d@x","phone":"4","limit":400}
{"id":5,"name":"Eps","email":"e@x","phone":"5","limit":500}
{"id":6,"name":"Zeta","email":"z@x","phone":"6","limit":600}
{"id":7,"name":"Eta","email":"h@x","phone":"7","limit":700}
{"id":8,"name":"Theta","email":"t@x","phone":"8","limit":800}
EOF
# 1: email on the left, phone on the right (both kept)
# 2: email on both, to different values (conflict)
# 3: name on both, to the same value (nothing)
# 4: gone from the left; 5: gone from the right
# 6: gone from the left, changed on the right (a conflict, not a delete)
# 7: limit within the tolerance on the left, false for "" on the right
# 9: new on the left; 10: new on the right; 11: new on both, the same;
# 12: new on both, different phones
cat >l.ndjson <<'EOF'
{"id":1,"name":"Alpha","email":"a2@x","phone":"1","limit":100}
{"id":2,"name":"Beta","email":"left@x","phone":"2","limit":200}
{"id":3,"name":"Gamma 3","email":"g@x","phone":"3","limit":300}
{"id":5,"name":"Eps","email":"e@x","phone":"5","limit":500}
{"id":7,"name":"Eta","email":"h@x","phone":"7","limit":700.004}
{"id":8,"name":"Theta","email":"t@x","phone":"8","limit":800}
{"id":9,"name":"Iota","email":"i@x"}
{"id":11,"name":"Lambda","phone":"11"}
{"id":12,"name":"Mu","phone":"12"}
EOF
cat >r.ndjson <<'EOF'
{"id":12,"name":"Mu","phone":"12b"}
{"id":11,"name":"Lambda","phone":"11"}
{"id":10,"name":"Kappa","email":"k@x"}
{"id":8,"name":"Theta","email":"t@x","phone":"8","limit":800}
{"id":7,"name":"Eta","email":"h@x","phone":"7","limit":700,"note":false}
{"id":6,"name":"Zeta","email":"z@x","phone":"66","limit":600}
{"id":4,"name":"Delta","email":"d@x","phone":"4","limit":400}
{"id":3,"name":"Gamma 3","email":"g@x","phone":"3","limit":300}
{"id":2,"name":"Beta","email":"right@x","phone":"2","limit":200}
{"id":1,"name":"Alpha","email":"a@x","phone":"1b","limit":100}
EOF
M="reconcile -k id --tolerance limit=0.01 --base base.ndjson"

run $M --fix-left fl --fix-right fr --new-base nb l.ndjson r.ndjson >rej 2>err
is "$st" 1 "a merge with work to do: status 1"
is "$(sort fl)" '{"_op":"create","_key":{"id":10},"id":10,"name":"Kappa","email":"k@x"}
{"_op":"update","_key":{"id":1},"phone":"1b"}' \
	"left: the right's phone; the right's new record (reports deletes by default)"
is "$(cat fr)" '{"_op":"update","_key":{"id":1},"email":"a2@x"}
{"_op":"create","_key":{"id":9},"id":9,"name":"Iota","email":"i@x"}' \
	"right: the left's email; the left's new record"
is "$(norm rej)" "$(norm /dev/stdin <<'EOF'
{"stage":"merge","source":"l.ndjson:2","error":"a field changed on both sides","key":2,"errors":[{"path":"/email","message":"changed on both sides","base":"b@x","left":"left@x","right":"right@x"}],"record":{"id":2,"name":"Beta","email":"b@x","phone":"2","limit":200}}
{"stage":"merge","source":"l.ndjson:9","error":"a field changed on both sides","key":12,"errors":[{"path":"/phone","message":"new on both sides","base":null,"left":"12","right":"12b"}],"record":{"id":12,"name":"Mu"}}
{"stage":"merge","source":"r.ndjson:6","error":"deleted on the left, changed on the right since the base","key":6,"errors":[{"path":"/phone","message":"changed on the right","base":"6","left":null,"right":"66"}],"record":{"id":6,"name":"Zeta","email":"z@x","phone":"6","limit":600}}
{"stage":"merge","source":"base.ndjson:4","error":"deleted on the left since the base (--deletes report)","key":4,"record":{"id":4,"name":"Delta","email":"d@x","phone":"4","limit":400}}
{"stage":"merge","source":"base.ndjson:5","error":"deleted on the right since the base (--deletes report)","key":5,"record":{"id":5,"name":"Eps","email":"e@x","phone":"5","limit":500}}
EOF
)" "rejects: two conflicts with base, left and right; a delete against an edit; two reported deletes"
like "$(cat err)" "merge: to_left 2 \(1 create\), to_right 2 \(1 create\), conflicts 3, resolved 0, deleted_left 1, deleted_right 1, unchanged 4" \
	"the summary counts"
is "$(norm nb)" "$(norm /dev/stdin <<'EOF'
{"id":1,"name":"Alpha","email":"a2@x","phone":"1b","limit":100}
{"id":2,"name":"Beta","email":"b@x","phone":"2","limit":200}
{"id":3,"name":"Gamma 3","email":"g@x","phone":"3","limit":300}
{"id":4,"name":"Delta","email":"d@x","phone":"4","limit":400}
{"id":5,"name":"Eps","email":"e@x","phone":"5","limit":500}
{"id":6,"name":"Zeta","email":"z@x","phone":"6","limit":600}
{"id":7,"name":"Eta","email":"h@x","phone":"7","limit":700}
{"id":8,"name":"Theta","email":"t@x","phone":"8","limit":800}
{"id":9,"name":"Iota","email":"i@x"}
{"id":10,"name":"Kappa","email":"k@x"}
{"id":11,"name":"Lambda","phone":"11"}
{"id":12,"name":"Mu"}
EOF
)" "the new base: agreed values, conflicts and reported deletes kept at the base"
ok "no temp file left beside the new base" test -z "$(ls | grep 'nb\.tmp')"

# a second run over the fixed sides: only what is still undecided
apply l.ndjson fl >l2.ndjson
apply r.ndjson fr >r2.ndjson
run reconcile -k id --tolerance limit=0.01 --base nb --fix-left fl2 --fix-right fr2 \
	--new-base nb2 l2.ndjson r2.ndjson >rej2 2>err
is "$(cat fl2 fr2)" "" "after applying the fixes: no fix left"
is "$(wc -l <rej2 | tr -d ' ')" 5 "... the conflicts and reported deletes stay until decided"
like "$(cat err)" "to_left 0 \(0 create\), to_right 0 \(0 create\), conflicts 3" "... and are counted again"

# a crash after the left's load, before the right's and before the new base
# was put in place: the merge from the old base gives the right the same
# fixes, the left nothing more, and the same conflicts
run $M --fix-left fl3 --fix-right fr3 --new-base nb3 l2.ndjson r.ndjson >rej3 2>/dev/null
is "$(cat fl3):$(norm fr3)" ":$(norm fr)" "a crash between the loads: the merge again gives the right the same fixes"
is "$(norm rej3 nosource)" "$(norm rej nosource)" "... and the same rejects"
same_file nb3 nb "... and the same new base"

# owners: --owner and a policy file decide the same way
run $M --owner email=left,phone=right --fix-left fl --fix-right fr l.ndjson r.ndjson >rej 2>err
is "$(sort fr)" '{"_op":"create","_key":{"id":9},"id":9,"name":"Iota","email":"i@x"}
{"_op":"update","_key":{"id":1},"email":"a2@x"}
{"_op":"update","_key":{"id":2},"email":"left@x"}' \
	"owner left: the conflicting email resolves to the left's, written on the right"
is "$(sort fl)" '{"_op":"create","_key":{"id":10},"id":10,"name":"Kappa","email":"k@x"}
{"_op":"update","_key":{"id":12},"phone":"12b"}
{"_op":"update","_key":{"id":1},"phone":"1b"}' \
	"owner right: phones flow to the left only; the left owns email, not written on it but in a record made there"
is "$(grep -c '"key":\(2\|12\),' rej || true)" "0" "owned conflicts are not rejected"
like "$(cat err)" "conflicts 1, resolved 2," "... they are counted as resolved"
run $M -v --owner email=left,phone=right --fix-left /dev/null --fix-right /dev/null l.ndjson r.ndjson >/dev/null 2>err
like "$(cat err)" 'resolved: \{"resolved":"email","owner":"left","key":2,"base":"b@x","left":"left@x","right":"right@x"\}' \
	"-v: each resolved field on stderr"
cat >policy <<'EOF'
# who owns what
owner email left

  owner	phone	right   
ignore note
EOF
run $M --policy policy --fix-left fl3 --fix-right fr3 l.ndjson r.ndjson >rej3 2>/dev/null
is "$(cat fl3; cat fr3; cat rej3)" "$(cat fl; cat fr; cat rej)" "--policy FILE: the same as --owner"
# the owner's own edit flows, the other's is put back
cat >l4.ndjson <<'EOF'
{"id":1,"name":"Alpha","email":"a@x","phone":"1 left","limit":100}
EOF
cat >r4.ndjson <<'EOF'
{"id":1,"name":"Alpha","email":"a@x","phone":"1","limit":100}
EOF
head -1 base.ndjson >b4.ndjson
run reconcile -k id --base b4.ndjson --owner phone=right --fix-left fl --fix-right fr l4.ndjson r4.ndjson >rej 2>err
is "$(cat fl):$(cat fr)" '{"_op":"update","_key":{"id":1},"phone":"1"}:' \
	"a field the right owns, changed on the left: put back on the left, never written on the right"

# deletes: propagate and archive
run $M --deletes propagate --fix-left fl --fix-right fr --new-base nb l.ndjson r.ndjson >rej 2>/dev/null
is "$(grep delete fl; grep delete fr)" '{"_op":"delete","_key":{"id":5}}
{"_op":"delete","_key":{"id":4}}' "--deletes propagate: a delete for the other side"
is "$(grep -c 'since the base (--deletes' rej):$(grep -c '"id":[45],' nb)" "0:0" \
	"... not reported, and out of the new base"
grep -c '"key":6,' rej >/dev/null && is "delete-vs-edit" "delete-vs-edit" "... a delete against an edit is still a conflict"
run $M --deletes archive --archive-left '{"active":false}' --archive-right '{"Status":"archived","Blocked":true}' \
	--fix-left fl --fix-right fr --new-base nb l.ndjson r.ndjson >/dev/null 2>/dev/null
is "$(grep '"id":[45]}' fl fr)" 'fl:{"_op":"update","_key":{"id":5},"active":false}
fr:{"_op":"update","_key":{"id":4},"Status":"archived","Blocked":true}' \
	"--deletes archive: an update with each side's archive fields"
is "$(grep -c '"id":[45],' nb)" 0 "... out of the new base"

# the same change on both sides is nothing to do
printf '%s\n' '{"id":1,"name":"New","email":"a@x"}' >s.ndjson
printf '%s\n' '{"id":1,"name":"Old","email":"a@x"}' >sb.ndjson
run reconcile -k id --base sb.ndjson --fix-left fl --fix-right fr --new-base nb s.ndjson s.ndjson >rej 2>err
is "$st:$(cat fl fr rej):$(cat nb)" '0::{"id":1,"name":"New","email":"a@x"}' \
	"the same change on both sides: status 0, no fix, the base follows"

# through a map: Odoo mapped into BNG's shape, the last agreed state BNG's;
# the Odoo side's fixes mapped back into Odoo's names by --fix-map
EX=$ERPIPE_TOP/examples
grep -v web: "$EX/data/bng-customers.ndjson" >mbase.ndjson
cp "$EX/data/odoo-partners.ndjson" modoo.ndjson
sed 's/"Phone":"+1 555-0114"/"Phone":"+1 555-9999"/' mbase.ndjson >mbng.ndjson
MM="-k ExternalID --map-left odoo/res.partner-to-bng/Customer --ignore CustomerID,Country,UpdatedAt --tolerance CreditLimit=0.01"
run reconcile $MM --base mbase.ndjson --fix-left mfl --fix-right mfr --rejects mrej modoo.ndjson mbng.ndjson 2>err
like "$st:$(cat err)" "^64:.*the left side has a --map; its fixes need --emit-fix left --fix-map MAP" \
	"a mapped side's fixes need --fix-map: 64"
run reconcile $MM --base mbase.ndjson --emit-fix left --fix-map bng/Customer-to-odoo/res.partner-fix \
	--fix-right mfr --rejects mrej --new-base mnb modoo.ndjson mbng.ndjson >mfl 2>err
is "$st:$(cat mfl)" '1:{"_op":"update","_key":{"id":14},"phone":"+1 555-9999"}' \
	"--fix-map: BNG's new phone goes to Odoo in Odoo's names"
is "$(sort mfr | sed 's/^\({"_op":"create","_key":{"ExternalID":"odoo:33"}\),.*/\1,.../')" '{"_op":"create","_key":{"ExternalID":"odoo:33"},...
{"_op":"update","_key":{"ExternalID":"odoo:27"},"LastName":"Müller"}
{"_op":"update","_key":{"ExternalID":"odoo:31"},"Status":"Active"}' \
	"... Odoo's changes go to BNG in BNG's names"
apply modoo.ndjson mfl >modoo2.ndjson
apply mbng.ndjson mfr >mbng2.ndjson
run reconcile $MM --base mnb --emit-fix left --fix-map bng/Customer-to-odoo/res.partner-fix \
	--fix-right mfr2 --rejects mrej2 modoo2.ndjson mbng2.ndjson >mfl2 2>err
is "$st:$(cat mfl2 mfr2 mrej2)" "0:" "... applied to both sides, the next merge has nothing to do"

# hash join, its spill and --sorted agree on a randomised set
SEED=${MERGE_SEED:-20261207}
diag "seed $SEED (MERGE_SEED=$SEED to repeat)"
$PYTHON - "$SEED" <<'EOF'
import json, random, sys
rnd = random.Random(int(sys.argv[1]))
def rec(i):
    return {"id": i, "name": "n%d" % i, "email": "e%d@x" % i, "phone": str(i),
            "limit": rnd.choice([0, 100, 250.5]), "tags": [i % 3, i % 5]}
base = {i: rec(i) for i in range(1, 601)}
sides = [{k: dict(v) for k, v in base.items()}, {k: dict(v) for k, v in base.items()}]
for s in sides:
    for i in rnd.sample(sorted(base), 60):
        s[i][rnd.choice(["name", "email", "phone", "limit"])] = "x%d" % rnd.randrange(3)
    for i in rnd.sample(sorted(base), 15):
        s.pop(i, None)
    for i in range(1000, 1000 + rnd.randrange(10, 30)):
        j = rnd.randrange(700, 760) if rnd.random() < .3 else i
        s[j] = rec(j)
for name, d in (("rb", base), ("rl", sides[0]), ("rr", sides[1])):
    keys = sorted(d)
    with open(name + ".sorted.ndjson", "w") as f:
        for k in keys:
            f.write(json.dumps(d[k], separators=(",", ":")) + "\n")
    rnd.shuffle(keys)
    with open(name + ".ndjson", "w") as f:
        for k in keys:
            f.write(json.dumps(d[k], separators=(",", ":")) + "\n")
EOF
R="reconcile -k id --owner phone=right --deletes propagate"
run $R --base rb.ndjson --fix-left h.fl --fix-right h.fr --new-base h.nb rl.ndjson rr.ndjson >h.rej 2>h.err
is "$st" 1 "random set: hash join, status 1"
run $R --base rb.sorted.ndjson --sorted --fix-left s.fl --fix-right s.fr --new-base s.nb \
	rl.sorted.ndjson rr.sorted.ndjson >s.rej 2>s.err
# the sides in the base's order: found by the line after the last one found
run $R --base rb.sorted.ndjson --fix-left g.fl --fix-right g.fr --new-base g.nb \
	rl.sorted.ndjson rr.sorted.ndjson >g.rej 2>g.err
run $R --base rb.ndjson --memory 4K -v --fix-left p.fl --fix-right p.fr --new-base p.nb rl.ndjson rr.ndjson >p.rej 2>p.err
like "$(cat p.err)" "the base side needs more than --memory" "--memory 4K: the base spills to partition files"
for f in fl fr nb rej; do
	# the sources' line numbers differ between the sorted and shuffled files
	norm h.$f nosource >h.$f.n
	norm s.$f nosource >s.$f.n
	norm p.$f nosource >p.$f.n
	same_file s.$f.n h.$f.n "random set: --sorted gives the hash join's $f"
	same_file p.$f.n h.$f.n "random set: the spilled join gives the in-memory $f"
	norm g.$f nosource >g.$f.n
	same_file g.$f.n h.$f.n "random set: inputs in the base's order give the same $f"
done
is "$(tail -1 s.err)" "$(tail -1 h.err)" "random set: the same counts"
ok "random set: there are conflicts, fixes both ways and deletes" \
	grep -q 'conflicts [1-9].*deleted_left [1-9]' h.err
# a create on the owner's side leaves its owned fields out: the owner's
# value flows back on the next run, and then nothing is left to do
apply rl.ndjson h.fl >rl2.ndjson
apply rr.ndjson h.fr >rr2.ndjson
run $R --base h.nb --fix-left b.fl --fix-right b.fr --new-base b.nb rl2.ndjson rr2.ndjson >b.rej 2>b.err
is "$(grep -v '"phone":null}$' b.fl b.fr || true)" "" \
	"random set: after the fixes, only owned fields the creates left out flow back"
apply rl2.ndjson b.fl >rl3.ndjson
apply rr2.ndjson b.fr >rr3.ndjson
mv rl3.ndjson rl2.ndjson
mv rr3.ndjson rr2.ndjson
run $R --base b.nb --fix-left c.fl --fix-right c.fr --new-base c.nb rl2.ndjson rr2.ndjson >c.rej 2>c.err
is "$(cat c.fl c.fr)" "" "random set: then nothing left to write (convergence)"
keys() { grep -o '"key":[0-9]*' "$1" | sort; }
is "$(keys c.rej)" "$(keys h.rej)" "random set: ... only the undecided conflicts stay"
run reconcile -k id rl2.ndjson rr2.ndjson >c.diff
ok "random set: the sides still differ somewhere" test -s c.diff
keys h.rej >c.keys
is "$(keys c.diff)" "$(keys h.rej)" "random set: ... exactly at the keys of the conflicts"
for s in rl2 rr2; do
	run reconcile -k id c.nb $s.ndjson >nb.$s.diff
	is "$(keys nb.$s.diff | comm -23 - c.keys)" "" "random set: the new base equals $s but at conflicts"
done

# bad input
sort -r rl.sorted.ndjson >rl.unsorted
run $R --base rb.sorted.ndjson --sorted --new-base bad.nb --fix-left /dev/null --fix-right /dev/null \
	rl.unsorted rr.sorted.ndjson >/dev/null 2>err
is "$st" 65 "--sorted with an unsorted input: status 65"
like "$(cat err)" "^reconcile: rl.unsorted:2: not sorted by key \(--sorted\)" "... the message names file:line"
ok "... and no new base is written" test ! -e bad.nb -a -z "$(ls | grep 'bad\.nb')"
sort -r rb.sorted.ndjson >rb.unsorted
run $R --base rb.unsorted --sorted --fix-left /dev/null --fix-right /dev/null \
	rl.sorted.ndjson rr.sorted.ndjson >/dev/null 2>err
like "$st:$(cat err)" "^65:reconcile: rb.unsorted:2: not sorted by key \(--sorted\): 98 after 99" \
	"an unsorted base: 65, its line and keys"
printf 'owner email left\nowner phone middle\n' >bad.policy
run reconcile -k id --base base.ndjson --policy bad.policy l.ndjson r.ndjson >/dev/null 2>err
is "$st:$(cat err)" "65:reconcile: bad.policy:2: not 'owner FIELD left|right'" "a bad policy line: 65 and file:line"
printf 'own email left\n' >bad.policy
run reconcile -k id --base base.ndjson --policy bad.policy l.ndjson r.ndjson >/dev/null 2>err
is "$st:$(cat err)" "65:reconcile: bad.policy:1: 'own': not owner, ignore or a comment" "an unknown policy word"
run reconcile -k id --base base.ndjson --policy missing.policy l.ndjson r.ndjson >/dev/null 2>err
is "$st" 66 "a missing policy file: 66"
run reconcile -k id --base base.ndjson --owner email=center l.ndjson r.ndjson >/dev/null 2>err
like "$st:$(cat err)" "^64:reconcile: --owner 'email=center': 'email=center' is not FIELD=left or FIELD=right" \
	"--owner with a bad side: 64"
run reconcile -k id --base base.ndjson --emit-fix both l.ndjson r.ndjson >/dev/null 2>err
like "$st:$(cat err)" "^64:.*one side at most on standard output" "--emit-fix both without files: 64"
run reconcile -k id --base base.ndjson --emit-fix left l.ndjson r.ndjson >/dev/null 2>err
like "$st:$(cat err)" "^64:.*give --rejects FILE" "fixes on stdout need --rejects: 64"
run reconcile -k id --base base.ndjson --deletes maybe l.ndjson r.ndjson >/dev/null 2>err
is "$st" 64 "--deletes with a bad word: 64"
run reconcile -k id --base base.ndjson --deletes archive --archive-left '[1]' l.ndjson r.ndjson >/dev/null 2>err
like "$st:$(cat err)" "^64:reconcile: --archive-left '\[1\]': not a JSON object" "--archive-left not an object: 64"
run reconcile -k id --new-base x l.ndjson r.ndjson >/dev/null 2>err
is "$st" 64 "--new-base without --base: 64"
mkdir adir
run reconcile -k id --base base.ndjson --new-base adir l.ndjson r.ndjson >/dev/null 2>err
is "$st:$(cat err)" "64:reconcile: --new-base 'adir': not a regular file" \
	"--new-base is renamed over: never a directory or a device (64)"
run reconcile -k id --base nope.ndjson l.ndjson r.ndjson >/dev/null 2>err
is "$st" 66 "a missing base: 66"
printf '%s\n' '{"id":1,"name":"x"}' 'not json' >badl.ndjson
run reconcile -k id --base b4.ndjson --fix-left /dev/null --fix-right /dev/null badl.ndjson r4.ndjson >/dev/null 2>err
like "$st:$(cat err)" "^65:reconcile: badl.ndjson:2: not a JSON object" "a bad record: named, skipped, status 65"

# stdout: the left's fixes with --emit-fix left, the rejects in their file (appended)
: >rj
run $M --emit-fix left --rejects rj --fix-right /dev/null l.ndjson r.ndjson >out 2>/dev/null
is "$(sort out)" "$(printf '%s\n' '{"_op":"create","_key":{"id":10},"id":10,"name":"Kappa","email":"k@x"}' '{"_op":"update","_key":{"id":1},"phone":"1b"}')" \
	"--emit-fix left: the left's fixes on stdout"
run $M --emit-fix left --rejects rj --fix-right /dev/null l.ndjson r.ndjson >out 2>/dev/null
is "$(wc -l <rj | tr -d ' ')" 10 "--rejects FILE is appended to"

done_testing
