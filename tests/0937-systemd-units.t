#!/bin/sh
# examples/systemd: every unit passes systemd-analyze verify (the paths of
# an installed tree replaced by the source tree's) and a broken one does
# not; systemd-analyze security --offline rates each service's exposure at
# 2.0 or better.  The stop, through the unit: the follow unit's ExecStart=
# and Environment= lines, taken from the unit and run against the Odoo and
# BNG sandboxes, get the unit's KillSignal (SIGTERM, to the main process
# alone as KillMode=mixed sends it): the pipeline drains, the last checkpoint
# is committed, every process ends, the status is 0, and a start after it
# resumes with nothing created twice.  The listen unit likewise: a signed
# webhook reaches Odoo, SIGTERM commits its position, exit 0 (this found
# erpipe-service's own variables clobbering the flow's: now all es_*).
# A bare "sh -c 'extract | sink'" in
# its place leaves the extractor running: that is why erpipe-service exists.
. "$(dirname "$0")/lib.sh"
command -v systemd-analyze >/dev/null || skip_all "no systemd-analyze (Debian package systemd)"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-rpc.sh"
U=$T/units
mkdir -p "$U"
# units as installed from this tree: PREFIX/share/erpipe is examples/
for f in "$ERPIPE_TOP"/examples/systemd/*.service "$ERPIPE_TOP"/examples/systemd/*.timer; do
	sed "s|/usr/local/share/erpipe|$ERPIPE_TOP/examples|g" "$f" >"$U/$(basename "$f")"
done
# an instance of each template
inst() { # TEMPLATE INSTANCE: the instance's path
	_t=$(basename "$1")
	_i=${_t%%@*}@$2.${_t##*.}
	ln -sf "$_t" "$U/$_i"
	echo "$U/$_i"
}
units=
for f in "$U"/*@.service "$U"/*@.timer; do
	case $f in
	*follow*) units="$units $(inst "$f" partners)" ;;
	*listen*) units="$units $(inst "$f" bng-webhooks)" ;;
	*) units="$units $(inst "$f" order-to-cash)" ;;
	esac
done
is "$(echo $units | wc -w)" 4 "four units: follow, listen, batch service and timer"
for u in $units; do
	run systemd-analyze verify --man=no "$u" >"$T/v" 2>&1
	is "$st:$(cat "$T/v")" "0:" "systemd-analyze verify $(basename "$u")"
done
# a unit with a typo is refused: the check above can fail
sed 's/^Type=oneshot/Type=oneshoot/' "$U/erpipe-batch@.service" >"$U/broken@.service"
run systemd-analyze verify --man=no "$(inst "$U/broken@.service" x)" >"$T/v" 2>&1
like "$st $(cat "$T/v")" "Failed to parse service type" "a broken unit fails verify"
for u in $units; do
	case $u in *.service) ;; *) continue ;; esac
	run systemd-analyze security --offline=yes --threshold=20 "$u" >"$T/sec" 2>&1
	x=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' "$T/sec")
	is "$st" 0 "$(basename "$u"): exposure $x, at most 2.0 (systemd-analyze security --offline)"
done

# ---- the stop, through the follow unit ------------------------------------
sandbox_start odoo --partners 40
sandbox_start bng --records 5
sandbox_control odoo POST odoo/clock '{"freeze":"2026-03-01 09:00:00"}' >/dev/null
ODOO_DB=odoo ODOO_USER=admin ODOO_PASSWORD=admin
export ODOO_DB ODOO_USER ODOO_PASSWORD
UNIT=$U/erpipe-follow@partners.service
# the credentials directory LoadCredential= makes: the config and the
# secrets, a relative password_file found beside the config
cred=$T/cred
mkdir -p "$cred" "$T/state" "$T/cache" "$T/run"
for c in $(sed -n 's/^LoadCredential=\([^:]*\):.*/\1/p' "$UNIT"); do
	case $c in
	connections.conf) printf '[odoo]\nurl = %s\ndb = odoo\nuser = admin\npassword_file = odoo.pw\n\n[bng]\nurl = %s/api/v1\nclient_id = erpipe\npassword_file = bng.secret\n' \
		"$ODOO_URL" "$BNG_URL" >"$cred/$c" ;;
	odoo.pw) echo admin >"$cred/$c" ;;
	bng.secret) echo erpipe-secret >"$cred/$c" ;;
	esac
	chmod 400 "$cred/$c"
done
unset ODOO_DB ODOO_USER ODOO_PASSWORD
# the unit's specifiers, as systemd expands them for this instance
spec() {
	sed -e "s|%i|partners|g" -e "s|%d|$cred|g" -e "s|%C|$T/cache|g" -e "s|%S|$T/state|g" \
		-e "s|/etc/erpipe/flows|$ERPIPE_TOP/examples/systemd/flows|g"
}
is "$(sed -n 's/^KillSignal=//p' "$UNIT"):$(sed -n 's/^KillMode=//p' "$UNIT")" "SIGTERM:mixed" \
	"the unit stops with SIGTERM to the main process"
execstart=$(sed -n 's/^ExecStart=//p' "$UNIT" | spec)
envs=$(sed -n 's/^Environment=//p' "$UNIT" | spec)
# start_unit: run ExecStart= in the unit's environment, in $T/state (the
# StateDirectory), the pid in $pid
start_unit() {
	(
		cd "$T/state"
		for e in $envs; do export "$e"; done
		STATE_DIRECTORY=$T/state RUNTIME_DIRECTORY=$T/run CREDENTIALS_DIRECTORY=$cred
		INTERVAL=0.2
		export STATE_DIRECTORY RUNTIME_DIRECTORY CREDENTIALS_DIRECTORY INTERVAL
		# shellcheck disable=SC2086
		exec $execstart
	) >"$T/out" 2>"$T/err" &
	pid=$!
}
# descendants PID: every process below PID
descendants() {
	ps -e -o pid= -o ppid= | awk -v p="$1" '
		{ kid[$2] = kid[$2] " " $1 }
		END { n = split(kid[p], q, " "); while (n > 0) { x = q[n--]; print x;
			m = split(kid[x], r, " "); for (i = 1; i <= m; i++) q[++n] = r[i] } }'
}
# wait_until CMD...: at most 20 s
wait_until() {
	_i=0
	while ! "$@" 2>/dev/null; do
		_i=$((_i + 1))
		[ $_i -lt 400 ] || return 1
		sleep 0.05
	done
}
committed() { jq -e '.["odoo:odoo:res.partner"].id' "$T/state/partners.json" >/dev/null; }
# receipts [STATUS]: how many (of that status)
receipts() { grep -v _checkpoint "$T/state/receipts.ndjson" 2>/dev/null | grep -c "${1:-.}" || true; }

start_unit
ok "the first scan is committed" wait_until committed
some() { test "$(receipts)" -gt 0; }
ok "receipts of the customers and vendors" wait_until some
sandbox_control odoo POST odoo/clock '{"freeze":"2026-03-01 09:05:00"}' >/dev/null
X=$(rpc res.partner search '[[["customer_rank",">",0]]]' '{"limit":1}' | jq '.[0]')
rpc res.partner write "[[$X],{\"phone\":\"+1 555 0199\"}]" >/dev/null
changed() { grep "\"ExternalID\":\"odoo:$X\"" "$T/state/receipts.ndjson" | grep -q '"updated"'; }
ok "a change reaches BNG" wait_until changed
kids=$(descendants $pid)
like "$(echo $kids | wc -w)" "^[4-9]" "the pipeline runs below the main process"
kill -TERM $pid
ok "SIGTERM: the service ends" wait_until sh -c "! kill -0 $pid"
run wait $pid
is "$st" 0 "exit 0"
left=
for k in $kids; do kill -0 "$k" 2>/dev/null && left="$left $k"; done
is "$left" "" "no process of the pipeline left (nothing for KillMode's SIGKILL)"
is "$(jq -c '.["odoo:odoo:res.partner"]' "$T/state/partners.json")" \
	"{\"write_date\":\"2026-03-01 09:05:00\",\"id\":$X}" "the last checkpoint is committed"
is "$(cat "$T/err")" "" "nothing on stderr"
ok "the receipts end whole" sh -c "tail -c 1 '$T/state/receipts.ndjson' | od -c | grep -q '\\\\n'"
n2=$(receipts)
start_unit
again() { test "$(receipts)" -gt "$n2"; }
ok "started again, it reads from the committed position" wait_until again
kill -TERM $pid
run wait $pid
is "$st" 0 "stopped again: 0"
is "$(grep -v _checkpoint "$T/state/receipts.ndjson" | tail -n +"$((n2 + 1))" | jq -r .status | sort -u | tr '\n' ' ')" "unchanged " \
	"the overlap read again is unchanged: nothing created twice"

# ---- the webhook receiver, through the listen unit -------------------------
UNIT=$U/erpipe-listen@bng-webhooks.service
is "$(sed -n 's/^KillSignal=//p' "$UNIT"):$(sed -n 's/^KillMode=//p' "$UNIT")" "SIGTERM:mixed" \
	"the listen unit stops the same way"
ok "its webhook secret is a credential" grep -q '^LoadCredential=bng-webhook.secret:' "$UNIT"
printf 'hooksecret\n' >"$cred/bng-webhook.secret"
chmod 400 "$cred/bng-webhook.secret"
execstart=$(sed -n 's/^ExecStart=//p' "$UNIT" | spec | sed 's/partners/bng-webhooks/g')
envs=$(sed -n 's/^Environment=//p' "$UNIT" | spec | sed 's/partners/bng-webhooks/g')
port=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
rm -f "$T/state/receipts.ndjson"
LISTEN=127.0.0.1:$port
export LISTEN
start_unit
listening() { curl -s -o /dev/null "http://127.0.0.1:$port/hook"; }
ok "listening on $LISTEN" wait_until listening
ev='{"id":"evt_1","type":"customer.created","created_at":"2026-03-01T10:00:00.000Z","data":{"CustomerID":9001,"CompanyName":"Hook Co","Email":"hook@example.com","Status":"Active"}}'
sig=$(printf '%s' "$ev" | openssl dgst -sha256 -hmac hooksecret -r | cut -d' ' -f1)
is "$(curl -sS -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
	-H "X-BNG-Signature: sha256=$sig" --data-binary "$ev" "http://127.0.0.1:$port/hook")" 200 \
	"a signed event: acknowledged"
created() { grep -q '"created"' "$T/state/receipts.ndjson"; }
ok "...and loaded into Odoo" wait_until created
kids=$(descendants $pid)
kill -TERM $pid
ok "SIGTERM: the receiver ends" wait_until sh -c "! kill -0 $pid"
run wait $pid
is "$st" 0 "exit 0"
left=
for k in $kids; do kill -0 "$k" 2>/dev/null && left="$left $k"; done
is "$left" "" "no process left"
is "$(jq -c '.["bng:-:webhooks:customers"]' "$T/state/webhooks.json")" '{"seq":1}' \
	"the event's position is committed"
is "$(cat "$T/err")" "" "nothing on stderr"
unset LISTEN

# the same pipeline without erpipe-service: SIGTERM ends the shell alone
(
	cd "$T/state"
	for e in $envs; do export "$e"; done
	STATE_DIRECTORY=$T/state INTERVAL=0.2
	export STATE_DIRECTORY INTERVAL
	exec sh -c ". '$ERPIPE_TOP/examples/systemd/flows/partners'; (extract) | sink"
) 2>/dev/null &
pid=$!
wait_until sh -c "test -n \"\$(ps -e -o ppid= -o comm= | awk -v p=$pid '\$1 == p && \$2 == \"odoo-extract\"')\"" || true
kids=$(descendants $pid)
kill -TERM $pid
run wait $pid 2>/dev/null
sleep 0.3
left=
for k in $kids; do kill -0 "$k" 2>/dev/null && left="$left $k"; done
ok "bare sh -c: exit $st, and the pipeline is left running" test -n "$left"
for k in $left; do kill -KILL "$k" 2>/dev/null || true; done
done_testing
