# tests/sandbox/profiles.sh - the connection profiles "odoo" and "bng" of the
# sandboxes, as a cron job's connections.conf names them; source after
# tests/sandbox/lib.sh, sandbox_start odoo and sandbox_start bng.  Writes
# $T/conf (and the secret files, mode 0600), exports ERPIPE_CONFIG and
# XDG_CACHE_HOME (the BNG token cache), and defines
#   o ARGS...   odoo-extract -q -P odoo ARGS
#   b ARGS...   bng-extract -q -P bng ARGS
printf 'admin\n' >"$T/odoo.pw"
printf 'erpipe-secret\n' >"$T/bng.secret"
chmod 600 "$T/odoo.pw" "$T/bng.secret"
cat >"$T/conf" <<EOF_CONF
[odoo]
url = $ODOO_URL
db = odoo
user = admin
password_file = $T/odoo.pw

[bng]
url = $BNG_URL/api/v1
client_id = erpipe
password_file = $T/bng.secret
EOF_CONF
chmod 600 "$T/conf"
ERPIPE_CONFIG=$T/conf XDG_CACHE_HOME=$T/cache
export ERPIPE_CONFIG XDG_CACHE_HOME
o() { odoo-extract -q -P odoo "$@"; }
b() { bng-extract -q -P bng "$@"; }
