#!/bin/sh
# Messages on stderr, without -v: a credential in a URL is not printed, and
# a one-letter secret does not mangle them (which would give it away).
. "$(dirname "$0")/lib.sh"

run env ODOO_URL='http://admin:hunter2@127.0.0.1:9' ODOO_DB=x ODOO_USER=u ODOO_PASSWORD=p \
	odoo-extract --retry-max-time 1 res.partner >/dev/null 2>"$T/err"
is "$st" 69 "nothing listens: 69"
like "$(cat "$T/err")" "'http://admin:\\*\\*\\*@127.0.0.1:9/web/version'" "the URL's password masked"
ok "...never printed" sh -c "! grep -q hunter2 '$T/err'"
ok "a one-letter password does not mangle the message" sh -c "! grep -q 'htt\\*' '$T/err'"
done_testing
