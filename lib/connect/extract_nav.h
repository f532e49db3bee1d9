/*
 * extract_nav.h - Dynamics NAV / Business Central as an extraction source
 * (layer 6: connectors): nav-extract's run through lib/connect/extract_run.
 * OData V4 by the source's own keyset pages, or --soap through the SOAP
 * page service with bookmarks; the position {MODIFIED-AT-FIELD, "key"}.
 *
 * Ownership: the options are borrowed for the run (c->conn gets the
 * profile's defaults).
 */
#ifndef ERPIPE_EXTRACT_NAV_H
#define ERPIPE_EXTRACT_NAV_H

#include "connect/extract.h"
#include "proto/nav.h"

#define EXTRACT_NAV_MAX_WHERE 64 /* --where conditions */

struct extract_nav_opts {
	struct nav_flags nf; /* --url, --company, --auth ... */
	const char *set;     /* ENTITYSET; NULL with --list */
	const char *filter_arg, *select_arg, *expand, *since_field;
	const char *where[EXTRACT_NAV_MAX_WHERE];
	int nwhere;
	int keep_etag, soap, list;
};

/* The run (extract_run; --list lists the entity sets): the exit status. */
int extract_nav(struct extract_cfg *c, const struct extract_nav_opts *o);

#endif
