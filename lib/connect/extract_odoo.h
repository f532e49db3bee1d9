/*
 * extract_odoo.h - Odoo as an extraction source (layer 6: connectors):
 * odoo-extract's run through lib/connect/extract_run.
 *
 * Full reads page by id (keyset: id > last, order id), never by a growing
 * offset.  Incremental reads (--since, --state, --follow) page by
 * (write_date, id) from the mark minus --overlap, compare with >=; the
 * position is {"write_date", "id"}.  --concurrency N > 1 splits each page
 * in two requests: a cheap search for the page's keys, then a read of its
 * records, N reads in flight while the next keys are searched (the page
 * queue); pages are still written in order.
 *
 * Ownership: the options are borrowed for the run (c->conn gets the
 * profile's defaults).
 */
#ifndef ERPIPE_EXTRACT_ODOO_H
#define ERPIPE_EXTRACT_ODOO_H

#include <cJSON.h>

#include "connect/extract.h"
#include "proto/odoo.h"

#define EXTRACT_ODOO_MAX_EXPAND 16 /* --expand fields */

/* --m2o: how a many2one value is written */
enum extract_m2o { EXTRACT_M2O_PAIR, EXTRACT_M2O_ID, EXTRACT_M2O_NAME, EXTRACT_M2O_OBJECT };

struct extract_odoo_opts {
	const char *model;      /* MODEL; NULL with --list-models */
	const char *fields_arg; /* --fields LIST */
	const char *order;      /* --order */
	const cJSON *domain;    /* --domain (checked: odoo_domain_terms), NULL for [] */
	int with_archived, list_models, ids_only;
	enum extract_m2o m2o;
	struct {
		const char *field;
		const char *sub; /* FIELD:LIST's LIST, or NULL */
	} exp[EXTRACT_ODOO_MAX_EXPAND];
	int nexp;
	const cJSON *xmlids; /* --xmlids: the modules (extract_odoo_modules), or NULL */
	enum odoo_proto proto;
	int concurrency; /* 1 to HTTP_MAX_CONCURRENCY */
};

/* The run (extract_run; --list-models lists the models): the exit status. */
int extract_odoo(struct extract_cfg *c, const struct extract_odoo_opts *o);
/* --xmlids MODULES: the module names as a JSON array; NULL when one is
 * empty or not a module name. */
cJSON *extract_odoo_modules(const char *arg);

#endif
