#!/bin/sh
# The progress line: on a terminal (a pseudo-terminal made by Python's pty
# module) a stage and an extractor keep one status line on stderr, redrawn
# at most four times a second (records, rate; pages; the percentage and
# time left when the input is a regular file), erased before the summary;
# nothing of it with -q, nor when stderr is a pipe or a file.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-rpc.sh"
. "$ERPIPE_TOP/tests/sandbox/odoo-env.sh"

# tty OUT CMD: run sh -c CMD with stdin /dev/null, stdout as CMD says, and
# stderr on a pseudo-terminal whose bytes go to OUT; prints the seconds taken
tty() {
	$PYTHON - "$@" <<'EOF'
import os, pty, subprocess, sys, time
out, cmd = sys.argv[1], sys.argv[2]
master, slave = pty.openpty()
t0 = time.monotonic()
p = subprocess.Popen(["sh", "-c", cmd], stdin=subprocess.DEVNULL, stderr=slave,
                     env=dict(os.environ, TERM="xterm"))
os.close(slave)
data = b""
while True:
    try:
        chunk = os.read(master, 65536)
    except OSError:  # EIO: the last writer closed the terminal
        break
    if not chunk:
        break
    data += chunk
p.wait()
open(out, "wb").write(data)
print("%.1f" % (time.monotonic() - t0))
sys.exit(p.returncode)
EOF
}
# pieces FILE: the progress lines drawn, one a line (the text between \r and ESC [ K)
# (the terminal turns each \n into \r\n: those are line ends)
lines() { sed 's/\r$//' "$1" | tr '\r' '\n'; }
pieces() { lines "$1" | sed -n 's/\x1b\[K$//p' | grep -v '^$' || true; }
E=$(printf '\033')

# ~2 MB of records, read from a file by a stage whose reader sleeps first:
# xform waits on the full pipe, so the run lasts over a second
$PYTHON -c '
import sys
for i in range(40000):
    sys.stdout.write("{\"id\":%d,\"name\":\"record number %d with some text\"}\n" % (i, i))' >"$T/in"

secs=$(tty "$T/raw" "xform '$T/in' | (sleep 1.5; cat >/dev/null)")
is "$?" 0 "under a terminal: exit 0"
pieces "$T/raw" >"$T/lines"
diag "$(wc -l <"$T/lines") redraws in $secs s"
like "$(head -1 "$T/lines")" '^xform: [0-9]+ records, [0-9]+/s, [0-9]+%' \
	"a status line: records, rate, percentage of the file"
ok "at most 4 redraws a second" \
	test "$(wc -l <"$T/lines")" -le "$(echo "$secs" | awk '{print int($1 * 4) + 1}')"
like "$(lines "$T/raw" | grep -a 'read 40000')" \
	"^$E\\[Kxform: read 40000, wrote 40000, dropped 0, rejected 0" \
	"the line is erased before the summary"
is "$(lines "$T/raw" | tail -1 | sed "s/^$E\\[K//")" "xform: read 40000, wrote 40000, dropped 0, rejected 0" \
	"the summary is the last thing on the terminal"
like "$(grep -a 'ETA' "$T/lines" | head -1)" ', [0-9]+%, ETA [0-9]+:[0-9]{2}$' \
	"the time left, while it is not done"

# -q: nothing at all
tty "$T/rawq" "xform -q '$T/in' | (sleep 1; cat >/dev/null)" >/dev/null
is "$(wc -c <"$T/rawq" | tr -d ' ')" 0 "-q on a terminal: nothing on stderr"

# stderr a pipe, or a file: the summary alone
xform "$T/in" 2>&1 >/dev/null | cat >"$T/piped"
is "$(cat "$T/piped")" "xform: read 40000, wrote 40000, dropped 0, rejected 0" "stderr a pipe: the summary alone"
ok "stderr a pipe: no carriage return, no escape" sh -c "! grep -q \"\$(printf '[\r\033]')\" '$T/piped'"
{ xform "$T/in" | (sleep 1; cat >/dev/null); } 2>"$T/file"
is "$(cat "$T/file")" "xform: read 40000, wrote 40000, dropped 0, rejected 0" "stderr a file: the summary alone"
ok "stderr a file: no carriage return, no escape" sh -c "! grep -q \"\$(printf '[\r\033]')\" '$T/file'"

# ---- an extractor: records and pages, from a slow server ---------------------
odoo_env --partners 40
sandbox_faults odoo '{"latency_ms":150}' >/dev/null
secs=$(tty "$T/rawx" "odoo-extract --fields name --page-size 5 res.partner >'$T/x.out'")
is "$?" 0 "odoo-extract under a terminal: exit 0"
pieces "$T/rawx" >"$T/xlines"
diag "$(wc -l <"$T/xlines") redraws in $secs s"
ok "odoo-extract: redrawn, at most 4 times a second" test "$(wc -l <"$T/xlines")" -ge 2 -a \
	"$(wc -l <"$T/xlines")" -le "$(echo "$secs" | awk '{print int($1 * 4) + 1}')"
like "$(tail -1 "$T/xlines")" '^odoo-extract: [0-9]+ records, [0-9]+/s, [0-9]+ pages$' \
	"odoo-extract: records, rate and pages"
like "$(lines "$T/rawx" | tail -1)" "^$E\\[Kodoo-extract: res.partner: wrote [0-9]+ records" \
	"odoo-extract: its summary after the line"
odoo-extract --fields name --page-size 5 res.partner 2>"$T/xerr" >/dev/null
ok "odoo-extract, stderr a file: no progress" sh -c "! grep -q \"\$(printf '[\r\033]')\" '$T/xerr'"

done_testing
