#!/bin/sh
# bng-extract --listen: HTTPS with --tls-cert/--tls-key (a self-signed
# certificate made here; a client with another CA is refused), signed
# webhooks over TLS come out as records, GET and HEAD /healthz answer 200
# "ok" without a signature while the spool can be written and 503 with a
# reason once it cannot (a write that failed: the sender's retry is taken,
# not dropped as a repeat; the spool removed: events are then refused, not
# acknowledged into a file a restart would not read); a key open to others,
# a key of another certificate, a certificate alone, a non-loopback address
# in clear are refused.
. "$(dirname "$0")/lib.sh"

printf 'hooksecret\n' >"$T/secret"
chmod 600 "$T/secret"
# cert NAME: a self-signed EC certificate for 127.0.0.1, key mode 0600
cert() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj "/CN=erpipe test $1" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
		-keyout "$T/$1.key" -out "$T/$1.crt" 2>/dev/null
	chmod 600 "$T/$1.key"
}
cert server
cert other

pids=
stop_all() { for p in $pids; do kill -KILL "$p" 2>/dev/null || true; done; }
at_exit stop_all
wait_file() { i=0; while [ ! -s "$1" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done; }
# recv OUT ARGS...: a receiver of customer events; sets $rpid and $port
recv() {
	out=$1
	shift
	rm -f "$T/port"
	bng-extract -q --listen 127.0.0.1:0 --port-file "$T/port" --spool "$T/spool" \
		--webhook-secret-file "$T/secret" "$@" customers >"$out" 2>>"$T/recv.err" &
	rpid=$!
	pids="$pids $rpid"
	wait_file "$T/port"
	port=$(cat "$T/port")
}
stop() { kill -TERM $rpid; run wait $rpid; }
sign() { printf '%s' "$1" | openssl dgst -sha256 -hmac hooksecret -r | cut -d' ' -f1; }
# code URL CURL-ARGS...: the status (000: no answer), the body in $T/resp
code() {
	u=$1
	shift
	curl -sS -o "$T/resp" -w '%{http_code}' "$@" "$u" 2>"$T/curl.err" || true
}
post() { # post SCHEME BODY SIGNATURE CURL-ARGS...
	s=$1 b=$2 g=$3
	shift 3
	code "$s://127.0.0.1:$port/hook" -H 'Content-Type: application/json' \
		-H "X-BNG-Signature: $g" --data-binary "$b" "$@"
}

# ---- TLS ---------------------------------------------------------------------
recv "$T/out" --tls-cert "$T/server.crt" --tls-key "$T/server.key"
ok "listening with TLS (port $port)" test -n "$port"
H=https://127.0.0.1:$port
is "$(code "$H/healthz" --cacert "$T/server.crt")" 200 "GET /healthz over TLS, the server verified: 200"
is "$(cat "$T/resp")" ok "its body: ok, nothing more"
is "$(code "$H/healthz" --cacert "$T/server.crt" -I)" 200 "HEAD /healthz: 200"
is "$(curl -sS -I -o /dev/null -w '%{size_download}' --cacert "$T/server.crt" "$H/healthz")" 0 \
	"HEAD: headers only, no body"
is "$(code "$H/healthz" --cacert "$T/other.crt")" 000 "a client trusting another CA: no answer"
like "$(cat "$T/curl.err")" "certificate" "(curl: the certificate is not trusted)"
is "$(code "$H/healthz")" 000 "a client trusting the system CAs only: no answer"
is "$(code "http://127.0.0.1:$port/healthz")" 000 "plain HTTP to the TLS port: no answer"
is "$(code "$H/healthz" --cacert "$T/server.crt" --tls-max 1.2)" 200 "TLS 1.2: 200"
is "$(openssl s_client -connect "127.0.0.1:$port" -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0' </dev/null 2>/dev/null |
	grep -c 'Cipher is (NONE)')" 1 "TLS 1.1: refused by the server"
ev='{"id":"evt_t1","type":"customer.updated","created_at":"2026-03-01T10:00:00.000Z","data":{"CustomerID":5,"Phone":"+5"}}'
is "$(post https "$ev" "sha256=$(sign "$ev" | tr 0-9a-f 1-9a-f0)" --cacert "$T/server.crt")" 401 \
	"a wrong signature over TLS: 401 (HMAC checks as before)"
is "$(post https "$ev" "sha256=$(sign "$ev")" --cacert "$T/server.crt")" 200 "a signed event over TLS: 200"
is "$(code "$H/hook" --cacert "$T/server.crt")" 405 "GET on another path: 405, as before"
is "$(code "$H/healthz" --cacert "$T/server.crt" -X PUT)" 405 "PUT /healthz: 405"
sleep 0.3
stop
is "$st" 0 "SIGTERM: exit 0"
is "$(grep -v _checkpoint "$T/out" | jq -c .)" '{"CustomerID":5,"Phone":"+5"}' "the event came out as its record"
is "$(tail -1 "$T/out" | jq -c ._checkpoint.pos)" '{"seq":1}' "followed by its checkpoint"
ok "no TLS message on stderr" sh -c "! grep -qi tls '$T/recv.err'"

# ---- /healthz in clear on loopback; 503 once the spool cannot be written -------
rm -f "$T/spool"
recv "$T/out2"
L=http://127.0.0.1:$port
is "$(code "$L/healthz")" 200 "loopback in clear (the default): /healthz 200"
ok "no secret in the answer" sh -c "! grep -q hooksecret '$T/resp'"
rm "$T/spool"
is "$(code "$L/healthz")" 503 "the spool removed: /healthz 503"
is "$(cat "$T/resp")" spool-gone "with one word: spool-gone"
ev2='{"id":"evt_t2","type":"customer.updated","data":{"CustomerID":6}}'
is "$(post http "$ev2" "sha256=$(sign "$ev2")")" 503 "an event now: 503 (the sender retries), not acknowledged"
ok "and nothing written to a spool no one will read" test ! -e "$T/spool"
stop
recv "$T/out3"
is "$(code "http://127.0.0.1:$port/healthz")" 200 "restarted: the spool made again, /healthz 200"
is "$(post http "$ev2" "sha256=$(sign "$ev2")")" 200 "the retried event: 200"
sleep 0.3
stop
is "$(grep -v _checkpoint "$T/out3" | jq -c .)" '{"CustomerID":6}' "and it came out"

# ---- a write that fails: 503 write-failed; the retry is not taken for a repeat ------
# the receiver may write 1 KiB per file (SIGXFSZ ignored: write fails with
# EFBIG); a 3 KB event cannot go to the spool until the limit is lifted
rm -f "$T/spool" "$T/port"
(trap '' XFSZ; ulimit -S -f 2; exec bng-extract -q --listen 127.0.0.1:0 --port-file "$T/port" \
	--spool "$T/spool" --webhook-secret-file "$T/secret" customers >"$T/out4" 2>>"$T/recv.err") &
rpid=$!
pids="$pids $rpid"
wait_file "$T/port"
port=$(cat "$T/port")
big=$(printf '{"id":"evt_big","type":"customer.updated","data":{"CustomerID":8,"Note":"%03000d"}}' 0)
is "$(post http "$big" "sha256=$(sign "$big")")" 503 "the spool cannot take the event: 503"
is "$(code "http://127.0.0.1:$port/healthz")" 503 "/healthz: 503"
is "$(cat "$T/resp")" write-failed "with write-failed"
is "$(wc -c <"$T/spool" | tr -d ' ')" 0 "no torn line left in the spool"
prlimit --pid "$rpid" --fsize=unlimited
is "$(post http "$big" "sha256=$(sign "$big")")" 200 "the limit lifted, the sender's retry: 200"
ok "accepted, not dropped as a repeat" sh -c "! grep -q repeat '$T/resp'"
is "$(code "http://127.0.0.1:$port/healthz")" 200 "/healthz: 200 again"
sleep 0.3
stop
is "$(grep -v _checkpoint "$T/out4" | jq -c .CustomerID)" 8 "and the event came out"

# ---- refusals --------------------------------------------------------------------
listen() { bng-extract -q --spool "$T/spool" --webhook-secret-file "$T/secret" "$@" customers \
	</dev/null >/dev/null 2>"$T/err"; }
cp "$T/server.key" "$T/loose.key"
chmod 644 "$T/loose.key"
run listen --listen 127.0.0.1:0 --tls-cert "$T/server.crt" --tls-key "$T/loose.key"
is "$st" 78 "a key readable by others: 78"
like "$(cat "$T/err")" "'.*loose.key' is open to group or others \(mode 0644\)" "(as any secret file)"
run listen --listen 127.0.0.1:0 --tls-cert "$T/server.crt" --tls-key "$T/other.key"
is "$st" 78 "the key of another certificate: 78"
like "$(cat "$T/err")" "certificate '.*server.crt' is not for the key '.*other.key'" "(named)"
run listen --listen 127.0.0.1:0 --tls-cert "$T/secret" --tls-key "$T/server.key"
is "$st" 78 "a certificate file that is not PEM: 78"
run listen --listen 127.0.0.1:0 --tls-cert "$T/server.crt"
is "$st" 64 "--tls-cert without --tls-key: 64"
run listen --listen 127.0.0.1:0 --tls-cert "$T/server.crt" --tls-key "$T/server.key" --plain-http
is "$st" 64 "--tls-cert and --plain-http: 64"
run bng-extract -q --tls-cert "$T/server.crt" --tls-key "$T/server.key" customers 2>/dev/null
is "$st" 64 "--tls-cert without --listen: 64"
run listen --listen '*:0'
is "$st" 64 "all addresses in clear: 64"
like "$(cat "$T/err")" "not a loopback address: serve HTTPS \(--tls-cert, --tls-key\) or say --plain-http" \
	"(says what to do)"
# 192.0.2.1 (TEST-NET-1) is no address of this host: binding it fails, which
# shows the address was let through (nothing is sent anywhere)
run listen --listen 192.0.2.1:0 --plain-http
is "$st" 69 "--plain-http lets a non-loopback address through (to the bind: 69)"
run listen --listen 192.0.2.1:0 --tls-cert "$T/server.crt" --tls-key "$T/server.key"
is "$st" 69 "so does TLS (69)"
like "$(cat "$T/err")" "cannot listen on '192.0.2.1:0': " "(the bind's error named)"
done_testing
