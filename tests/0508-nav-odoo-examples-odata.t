#!/bin/sh
# 0504's nav-odoo flows against the NAV sandbox in its "odata" flavour (the
# real non-NAV OData V4 server of tests/fixtures/odata: offset skiptokens,
# plain 404s, 412, annotations out of line): they run clean there too, and
# a settled run writes nothing.
NAV_FLAVOUR=odata
export NAV_FLAVOUR
exec "$(dirname "$0")/0504-nav-odoo-examples.t"
