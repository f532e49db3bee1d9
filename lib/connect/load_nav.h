/*
 * load_nav.h - load's Dynamics NAV / Business Central target: `load nav
 * ENTITYSET`, on lib/nav (layer 6: connectors, as lib/connect/load_odoo.h says why).
 *
 * Matching: --key FIELD[,FIELD…].  When the fields are the entity's key
 * (No; Document_Type,No for an order) a record is read by its key
 * (Customer('10000')); other fields are matched with a $filter and must
 * select one record.  The lookup of a batch is one $batch of reads (or a
 * request per record with --batch 1); it gives each record's current values
 * and its ETag.  A key read answered 404 is "not there" whatever its body
 * (NAV's Internal_RecordNotFound, another server's plain "404"), once
 * nav_company_check has shown the company exists.
 *
 * Writes: POST for a new record (a record's key fields taken from _key when
 * it lacks them), PATCH of the fields that differ with If-Match: the ETag
 * read, DELETE with If-Match.  Records go by $batch of at most 100
 * operations sent with "Isolation: snapshot": all or nothing; a batch that
 * fails is halved and sent again until the record at fault is alone, and
 * only it is rejected (a server that ignores the header answers per
 * operation, and the failed ones are rejected).  --batch 1 sends one request
 * per record.
 *
 * A stale ETag (NAV's 409 Request_EntityChanged, the 412 of other OData
 * servers): the record is read again; if a field this record writes changed
 * on the server since the first read, the record is rejected as a conflict
 * (someone else's edit is never overwritten); otherwise the write is sent
 * again, once, with the new ETag.  A 428 (If-Match wanted, no ETag read)
 * rejects the record saying so.
 *
 * Values: annotations (@odata.etag …, in the lines of a deep insert too)
 * and fields $metadata marks computed (Core.Computed or Core.Permissions
 * Read, inline or out of line: SystemModifiedAt, Balance_LCY …) are not
 * written, so a nav-extract record loads back as it is; Core.Immutable
 * fields go in creates only; a field the entity does not have rejects the
 * record.
 * A navigation property holding an array of lines (SalesOrderSalesLines) is
 * sent with the record when it is created (a deep insert) and left out of
 * updates: later line changes are loaded into the lines' own entity set.
 * Unchanged: numbers compare numerically, options by member name or caption
 * (_x0020_ and " "), times ignoring the form of the zone.
 *
 * --soap: the same through the SOAP page service: Read (or ReadMultiple for
 * other fields), Create, Update with the record's current Key ("Other user
 * has modified" is the stale case), Delete; one call per record.
 *
 * Errors: NAV's code and message go into the reject ("Application_Field
 * ValidationException: The email address …"); 401/403 (77), an unknown
 * entity set or company (78) and transport failures (69, 75) stop the run.
 *
 * Ownership: the nav connection is borrowed; the strings of the cfg must
 * outlive the target.
 */
#ifndef ERPIPE_LOAD_NAV_H
#define ERPIPE_LOAD_NAV_H

#include "base/err.h"
#include "engine/load.h"
#include "proto/nav.h"

struct load_nav_cfg {
	struct nav *nav;
	const char *set; /* entity set, or SOAP page */
	int soap;
	const char *const *key; /* --key fields */
	size_t nkey;
	long batch; /* --batch: 1 = no $batch */
};

struct load_nav;

extern const struct load_target load_nav_target;

/* Reads $metadata (or the page's WSDL); an unknown entity set or --key
 * field is EP_USAGE. */
struct load_nav *load_nav_new(const struct load_nav_cfg *cfg, struct ep_err *err);
void load_nav_free(struct load_nav *ln);

#endif
