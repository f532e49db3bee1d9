# tests/sandbox/odoo-env.sh - connections for tests that run the erpipe
# programs against Odoo sandboxes; source after tests/sandbox/lib.sh and
# tests/sandbox/odoo-rpc.sh.
#   odoo_env ARGS...        sandbox_start odoo ARGS, then ODOO_DB, ODOO_USER and
#                           ODOO_PASSWORD exported for its admin
#   odoo_pair "SRC ARGS" "DST ARGS"
#                           two sandboxes, src and dst (SRC_URL, DST_URL), the
#                           profiles [src] and [dst] in $T/conn.conf
#                           (ERPIPE_CONFIG), ODOO_* unset so profiles decide;
#                           src/dst METHOD... run rpc against one of them
odoo_env() {
	sandbox_start odoo "$@"
	ODOO_DB=odoo ODOO_USER=admin ODOO_PASSWORD=admin
	export ODOO_DB ODOO_USER ODOO_PASSWORD
}

odoo_pair() {
	# shellcheck disable=SC2086
	SANDBOX_ID=src sandbox_start odoo $1
	# shellcheck disable=SC2086
	SANDBOX_ID=dst sandbox_start odoo $2
	unset ODOO_URL ODOO_DB ODOO_USER ODOO_PASSWORD
	for _op_id in src dst; do
		printf '[%s]\nurl = %s\ndb = odoo\nuser = admin\npassword = admin\n' "$_op_id" \
			"$(eval echo "\$$(echo $_op_id | tr a-z A-Z)_URL")"
	done > "$T/conn.conf"
	chmod 600 "$T/conn.conf"
	ERPIPE_CONFIG=$T/conn.conf
	export ERPIPE_CONFIG
}
src() { ODOO_URL=$SRC_URL rpc "$@"; }
dst() { ODOO_URL=$DST_URL rpc "$@"; }
