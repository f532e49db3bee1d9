#!/bin/sh
# make install honours PREFIX and DESTDIR and installs programs, manual
# pages, completions and examples; make uninstall removes them again.
. "${ERPIPE_TOP:-.}/tests/lib.sh"

root=$T/root
run make -s -C "$ERPIPE_TOP" install SANITIZE="${SANITIZE:-}" DESTDIR="$root" PREFIX=/opt/ep > "$T/log" 2>&1
is "$st" 0 "make install exits 0"
[ "$st" = 0 ] || sed 's/^/#   /' "$T/log" | tail -20
ok "xform installed executable" test -x "$root/opt/ep/bin/xform"
ok "xform(1) installed" test -f "$root/opt/ep/share/man/man1/xform.1"
for p in "$ERPIPE_TOP"/man/*.[57]; do
	s=${p##*.}
	ok "$(basename "$p") installed" test -f "$root/opt/ep/share/man/man$s/$(basename "$p")"
done
ok "examples installed under share/erpipe" test -f "$root/opt/ep/share/erpipe/data/partners.ndjson"
for c in "$ERPIPE_TOP"/completions/bash/*; do
	[ -f "$c" ] || continue
	ok "bash completion $(basename "$c")" test -f "$root/opt/ep/share/bash-completion/completions/$(basename "$c")"
done
ok "installed xform runs" sh -c "echo '{\"a\":1}' | '$root/opt/ep/bin/xform' -q | grep -q a"
ok "nothing installed outside DESTDIR/PREFIX" test -z "$(ls "$root" | grep -v '^opt$')"

run make -s -C "$ERPIPE_TOP" uninstall SANITIZE="${SANITIZE:-}" DESTDIR="$root" PREFIX=/opt/ep > "$T/log" 2>&1
is "$st" 0 "make uninstall exits 0"
is "$(find "$root" -type f | wc -l | tr -d ' ')" 0 "no file left after uninstall"

done_testing
