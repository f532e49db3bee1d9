#!/bin/sh
# examples/k8s validates offline: each manifest, converted from YAML (Debian
# python3-yaml), against examples/k8s/manifest.schema.json (a strict subset
# of the Kubernetes API) with validate; a misspelt field, a bad enum, a Job
# that restarts Always, a bad schedule each fail it.  What a schema cannot
# see: every volume mounted is declared, every ConfigMap and Secret named is
# in the manifests, the ConfigMap's map and schema are the shipped ones.
# And the Indexed Job's shell command, taken from the manifest, runs for
# JOB_COMPLETION_INDEX 0 to 3 against the sandboxes with a plan made once:
# the union of the four shards is one unsharded run, nothing twice.
. "$(dirname "$0")/lib.sh"
"$PYTHON" -c 'import yaml' 2>/dev/null || skip_all "no python3-yaml"
K=$ERPIPE_TOP/examples/k8s
SCHEMA=$K/manifest.schema.json
# yaml2ndjson FILE...: each document of each file, one JSON object a line
yaml2ndjson() {
	"$PYTHON" -c '
import json, sys, yaml
for f in sys.argv[1:]:
    with open(f) as fh:
        for d in yaml.safe_load_all(fh):
            if d is not None:
                print(json.dumps(d, sort_keys=True))' "$@"
}
yaml2ndjson "$K"/*.yaml >"$T/all.ndjson"
is "$(jq -r .kind "$T/all.ndjson" | sort | tr '\n' ' ')" \
	"ConfigMap ConfigMap CronJob Job PersistentVolumeClaim Secret " "the objects of examples/k8s"
run validate -q -s "$SCHEMA" --rejects "$T/rej" "$T/all.ndjson" >/dev/null
is "$st" 0 "every manifest validates against the schema"
[ "$st" = 0 ] || jq -c '[.error]' "$T/rej" | sed 's/^/#   /'
# broken manifests are refused, naming the field
broken() { # NAME SED-EXPR FILE WANT-PATH
	sed "$2" "$K/$3" >"$T/b.yaml"
	yaml2ndjson "$T/b.yaml" >"$T/b.ndjson"
	rm -f "$T/brej"
	run validate -q -s "$SCHEMA" --rejects "$T/brej" "$T/b.ndjson" >/dev/null
	like "$st $(jq -r '.errors[].path' "$T/brej" 2>/dev/null | tr '\n' ' ')" "^65 .*$4" "refused: $1"
}
broken "completionMode Indxed" 's/completionMode: Indexed/completionMode: Indxed/' shards-job.yaml /spec/completionMode
broken "volumeMount misspelt" '0,/volumeMounts:/s//volumeMount:/' shards-job.yaml /volumeMount
broken "a Job's pod restarting Always" 's/restartPolicy: Never/restartPolicy: Always/' cronjob.yaml /restartPolicy
broken "a schedule cron cannot read" 's|schedule: .*|schedule: "every 5 minutes"|' cronjob.yaml /spec/schedule
broken "claimname" 's/claimName:/claimname:/' cronjob.yaml /claimname
broken "a mode past 0777" 's/defaultMode: 0440/defaultMode: 01440/' shards-job.yaml /defaultMode
broken "a storage size that is no quantity" 's/storage: 1Gi/storage: lots/' state.yaml /storage
broken "a name with capitals" 's/name: erpipe-state/name: Erpipe_State/' state.yaml /metadata/name
broken "an unknown kind" 's/^kind: Job/kind: Jobs/' shards-job.yaml /kind

# references between the objects
jq -c '.spec.jobTemplate.spec.template.spec // .spec.template.spec // empty' "$T/all.ndjson" >"$T/pods"
is "$(wc -l <"$T/pods")" 2 "two pod templates (CronJob, Job)"
is "$(jq -r '(.volumes | map(.name)) as $v | [.containers[], .initContainers[]?] | .[].volumeMounts[].name |
	select(. as $n | $v | index($n) | not)' "$T/pods")" "" "every volume mounted is declared"
have=$(jq -r 'select(.kind == "ConfigMap" or .kind == "Secret" or .kind == "PersistentVolumeClaim") | .metadata.name' "$T/all.ndjson" | sort -u)
is "$(jq -r '.volumes[] | (.configMap | select(. and (.optional | not)) | .name), .secret.secretName // empty,
	.persistentVolumeClaim.claimName // empty' "$T/pods" | sort -u | while read -r n; do
	echo "$have" | grep -qx "$n" || echo "$n"; done)" "" "every ConfigMap, Secret and claim named is in the manifests"
jq -j 'select(.metadata.name == "erpipe-maps") | .data["Customer.map"]' "$T/all.ndjson" >"$T/map"
same_file "$T/map" "$ERPIPE_TOP/examples/maps/odoo/res.partner-to-bng/Customer.map" "the ConfigMap's map is the shipped one"
jq -j 'select(.metadata.name == "erpipe-maps") | .data["Customer.schema.json"]' "$T/all.ndjson" >"$T/sch"
same_file "$T/sch" "$ERPIPE_TOP/examples/schemas/bng/Customer.schema.json" "...and its schema"
c=$(jq -r 'select(.kind == "CronJob") | .spec.jobTemplate.spec.template.spec.containers[0].command[0]' "$T/all.ndjson")
ok "the CronJob runs a script make install puts there ($c)" \
	test -x "$ERPIPE_TOP/examples/${c#/usr/local/share/erpipe/}"

# ---- the Indexed Job's pods, here ------------------------------------------
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
sandbox_start odoo --partners 90
sandbox_start bng --records 0
SANDBOX_ID=bng2 sandbox_start bng --records 0
. "$ERPIPE_TOP/tests/sandbox/profiles.sh"
printf '\n[bng2]\nurl = %s/api/v1\nclient_id = erpipe\npassword_file = %s\n' "$BNG2_URL" "$T/bng.secret" >>"$T/conf"
job=$(jq -c 'select(.kind == "Job")' "$T/all.ndjson")
is "$(printf "%s\n" "$job" | jq -c '[.spec.completionMode, .spec.completions, .spec.parallelism]')" '["Indexed",4,4]' \
	"an Indexed Job of four"
printf "%s\n" "$job" | jq -r '.spec.template.spec.containers[0].command[2]' |
	sed -e "s|/var/lib/erpipe|$T/state|g" -e "s|/etc/erpipe/plan|$T/plan|g" >"$T/shard.sh"
like "$(cat "$T/shard.sh")" 'JOB_COMPLETION_INDEX \+ 1' "JOB_COMPLETION_INDEX picks the shard"
mkdir -p "$T/state" "$T/plan"
odoo-extract -q -P odoo --shard-plan 4 res.partner >"$T/plan/plan.ndjson"
n0=$(sandbox_log odoo | jq 'map(.n) | max')
for i in 0 1 2 3; do
	run env JOB_COMPLETION_INDEX=$i sh "$T/shard.sh"
	is "$st" 0 "pod $i: status 0"
done
is "$(sandbox_log odoo "$n0" | jq '[.[] | select(.rpc == "res.partner.search")] | length')" 0 \
	"no pod searched for its id range: the plan did"
is "$(cat "$T"/state/partners-shards/*.json | jq -r 'keys[]' | sort | tr '\n' ' ')" \
	"odoo:odoo:res.partner#1/4 odoo:odoo:res.partner#2/4 odoo:odoo:res.partner#3/4 odoo:odoo:res.partner#4/4 " \
	"each pod committed its own shard's stream"
odoo-extract -q -P odoo --xmlids bng res.partner | xform -q -f odoo/res.partner-to-bng/Customer |
	load -q -P bng2 bng customers --key ExternalID >"$T/single"
keys() { grep -hv _checkpoint "$@" | jq -r '.key.ExternalID' | sort; }
keys "$T"/state/partners-shards/receipts-*.ndjson >"$T/union.keys"
keys "$T/single" >"$T/single.keys"
ok "the single run loaded some" test -s "$T/single.keys"
same_file "$T/union.keys" "$T/single.keys" "the four pods' union is one unsharded run"
is "$(uniq -d "$T/union.keys" | wc -l)" 0 "no key twice"
done_testing
