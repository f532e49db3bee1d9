#!/bin/sh
# 0506's client checks against the NAV sandbox in its NAV flavour (key
# skiptokens, NAV's error codes, 409 on a stale ETag): the same clients are
# right against NAV and against the other vendor's server.
NAV_FLAVOUR=nav
export NAV_FLAVOUR
exec "$(dirname "$0")/0506-nav-odata-clients.t"
