#!/bin/sh
# GNU parallel runs N shards of an extract -> xform -> load pipeline, each
# with its own state file and stream, from one shard plan (the id range
# searched for once); the union of what the shards loaded equals one
# unsharded run into a second BNG, key for key, with no key twice.  The
# command line is the one erpipe(7) "Running it" gives, with --sshlogin :
# (this host; a list of hosts runs it on them).  A second run resumes each
# shard from its own state: nothing created.  The same shard started twice
# at once: the second finds the state locked (75).
. "$(dirname "$0")/lib.sh"
command -v parallel >/dev/null || skip_all "no GNU parallel (Debian package parallel)"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
sandbox_start odoo --partners 120
sandbox_start bng --records 0
SANDBOX_ID=bng2 sandbox_start bng --records 0
. "$ERPIPE_TOP/tests/sandbox/profiles.sh"
cat >>"$T/conf" <<EOF_CONF

[bng2]
url = $BNG2_URL/api/v1
client_id = erpipe
password_file = $T/bng.secret
EOF_CONF
cd "$T"
mkdir st
# shellcheck disable=SC2016
cmd='odoo-extract -q -P odoo --shard {}/3 --shard-plan-file plan.ndjson --xmlids bng --state st/{}.json res.partner |
	xform -q -f odoo/res.partner-to-bng/Customer |
	load -q -P bng bng customers --key ExternalID --state st/{}.json > receipts-{}.ndjson'
odoo-extract -q -P odoo --shard-plan 3 res.partner >plan.ndjson
run parallel -S : --halt now,fail=1 "$cmd" ::: 1 2 3
is "$st" 0 "parallel: three shards, status 0"
# the unsharded run, into the second BNG
odoo-extract -q -P odoo --xmlids bng --state st/all.json res.partner |
	xform -q -f odoo/res.partner-to-bng/Customer |
	load -q -P bng2 bng customers --key ExternalID --state st/all.json >receipts-all.ndjson
keys() { grep -hv _checkpoint "$@" | jq -r '.key.ExternalID' | sort; }
keys receipts-1.ndjson receipts-2.ndjson receipts-3.ndjson >union
keys receipts-all.ndjson >single
ok "the unsharded run loaded something" test -s single
diag "$(wc -l <single) customers and vendors; shards: $(for k in 1 2 3; do keys receipts-$k.ndjson | wc -l; done | tr "\n" " ")"
same_file union single "the shards' union equals the single run"
is "$(uniq -d union | wc -l)" 0 "no key loaded twice"
for k in 1 2 3; do
	ok "shard $k loaded some" test "$(keys receipts-$k.ndjson | wc -l)" -gt 0
done
is "$(jq -r 'keys[]' st/1.json st/2.json st/3.json | tr '\n' ' ')" \
	"odoo:odoo:res.partner#1/3 odoo:odoo:res.partner#2/3 odoo:odoo:res.partner#3/3 " \
	"each shard committed its own stream in its own state file"
# the two BNGs hold the same customers
norm() { bng-extract -q -P "$1" customers | grep -v _checkpoint |
	jq -c 'del(.CustomerID, .CreatedAt, .UpdatedAt)' | sort; }
norm bng >bng1.all
norm bng2 >bng2.all
same_file bng1.all bng2.all "BNG from three shards = BNG from one run"
# a second run: each shard from its own position, nothing created
run parallel -S : --halt now,fail=1 "$cmd" ::: 1 2 3
is "$st" 0 "the second run: status 0"
is "$(cat receipts-1.ndjson receipts-2.ndjson receipts-3.ndjson | grep -v _checkpoint |
	jq -r .status | sort -u | tr '\n' ' ')" "unchanged " "the second run created nothing"
# the lock rule: one shard, one state file, one writer
exec 9>"st/2.json.lock"
flock -n 9
run sh -c "odoo-extract -q -P odoo --shard 2/3 --shard-plan-file plan.ndjson --state st/2.json res.partner |
	load -q -P bng bng customers --key ExternalID --state st/2.json >/dev/null"
is "$st" 75 "shard 2 already running (its state locked): 75"
exec 9>&-
done_testing
