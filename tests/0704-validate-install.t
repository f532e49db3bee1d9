#!/bin/sh
# make install puts validate where a user finds it: the program and its
# erpipe-validate link, validate(1), the completions, and the schemas under
# share/erpipe/schemas, usable by name through ERPIPE_PATH.
. "${ERPIPE_TOP:-.}/tests/lib.sh"

root=$T/root
run make -s -C "$ERPIPE_TOP" install SANITIZE="${SANITIZE:-}" DESTDIR="$root" PREFIX=/opt/ep > "$T/log" 2>&1
is "$st" 0 "make install exits 0"
[ "$st" = 0 ] || sed 's/^/#   /' "$T/log" | tail -20
P=$root/opt/ep
ok "validate installed executable" test -x "$P/bin/validate"
is "$(readlink "$P/bin/erpipe-validate")" validate "erpipe-validate is a link to validate"
ok "validate(1) installed" test -f "$P/share/man/man1/validate.1"
ok "bash completion" test -f "$P/share/bash-completion/completions/validate"
ok "zsh completion" test -f "$P/share/zsh/site-functions/_validate"
ok "fish completion" test -f "$P/share/fish/vendor_completions.d/validate.fish"
n=$(cd "$ERPIPE_TOP/examples/schemas" && find . -name '*.schema.json' | wc -l)
is "$(cd "$P/share/erpipe/schemas" && find . -name '*.schema.json' | wc -l)" "$n" "every schema installed ($n)"
printf '{"CompanyName":"Acme","Email":"info@acme.example"}\n{"FirstName":"Ann"}\n' > "$T/in"
run env ERPIPE_PATH="$P/share/erpipe/schemas" "$P/bin/erpipe-validate" -q -s bng/Customer "$T/in" > "$T/out" 2> /dev/null
is "$st:$(cat "$T/out")" '65:{"CompanyName":"Acme","Email":"info@acme.example"}' \
	"the installed erpipe-validate with an installed schema"

done_testing
