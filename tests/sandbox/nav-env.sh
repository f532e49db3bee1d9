# tests/sandbox/nav-env.sh - the connection for tests that run the erpipe
# programs against one NAV sandbox; source after tests/sandbox/lib.sh.
#   nav_env ARGS...   sandbox_start nav ARGS, then NAV_URL (the OData V4
#                     root), NAV_USER, NAV_PASSWORD and NAV_COMPANY exported
#                     for its admin and the company CRONUS International Ltd.
#   C                 that company's segment of an OData path
#   get PATH          GET of PATH under the company, as admin (curl)
nav_env() {
	sandbox_start nav "$@"
	NAV_URL=$NAV_URL/BC/ODataV4 NAV_USER=admin NAV_PASSWORD=NAVkey123
	NAV_COMPANY='CRONUS International Ltd.'
	export NAV_URL NAV_USER NAV_PASSWORD NAV_COMPANY
}
C="Company('CRONUS%20International%20Ltd.')"
get() { curl -sS -u admin:NAVkey123 "$NAV_URL/$C/$1"; }
