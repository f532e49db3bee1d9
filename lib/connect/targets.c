/*
 * targets.c - the systems of load(1) and their runs (targets.h):
 * each opens its connection from the profile, checks the options that are
 * not its own, opens its target and hands it to load_run.  Moved out of
 * cmd/load.c, which parses the options.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cfg.h"
#include "base/err.h"
#include "base/log.h"
#include "base/ops.h"
#include "connect/load_bng.h"
#include "connect/load_nav.h"
#include "connect/load_odoo.h"
#include "connect/load_pg.h"
#include "connect/targets.h"
#include "engine/load.h"
#include "net/conn.h"
#include "proto/bng.h"
#include "proto/nav.h"
#include "proto/odoo.h"
#include "stream/audit.h"
#include "stream/stage.h"

/* load_run over target T, once the profile set the answer cap: a window
 * read back at once ends at 1/16 of it in input bytes, so its answer stays
 * well under the cap (--max-body, or the profile's max_body) */
static int
run(struct load_system_cfg *c, const struct load_target *t, void *ctx, int nfiles, char **files)
{
	c->lo.window_bytes = c->conn.http.max_body / 16;
	return load_run(&c->stage, &c->lo, t, ctx, nfiles, files);
}

/* ---- odoo --------------------------------------------------------------- */

static int
run_odoo(struct load_system_cfg *c, const char *model, int nfiles, char **files)
{
	struct cfg_profile *prof;
	struct odoo_opts oo;
	struct odoo_err oe;
	struct odoo *o;
	struct load_odoo *lo;
	struct load_odoo_cfg lc;
	struct ep_err err = EP_ERR_INIT;
	int status;

	memset(&oe, 0, sizeof(oe));
	if (c->lo.then_on && c->lo.nthen == 0) {
		ep_warn("--then-on: no --then to call");
		return EP_USAGE;
	}
	if (c->xmlid && c->lo.nkey) {
		ep_warn("--xmlid and --key: give one of them");
		return EP_USAGE;
	}
	if (c->xmlid) {
		c->lo.key[0] = c->xmlid;
		c->lo.nkey = 1;
	}
	odoo_opts_init(&oo);
	if (c->protocol && odoo_proto_parse(c->protocol, &oo.proto, &err) < 0) {
		ep_warn("--protocol: %s", err.msg);
		return EP_USAGE;
	}
	if ((prof = conn_profile(&c->conn, "odoo", &err)) == NULL) {
		ep_warn("%s", err.msg);
		return err.code;
	}
	oo.http = c->conn.http;
	if (odoo_opts_from_profile(&oo, prof, &err) < 0) {
		ep_warn("%s", err.msg);
		cfg_profile_free(prof);
		return err.code;
	}
	if ((o = odoo_open(&oo, &oe)) == NULL) {
		ep_warn("%s", oe.e.msg);
		cfg_profile_free(prof);
		return oe.e.code ? oe.e.code : EP_SOFTWARE;
	}
	memset(&lc, 0, sizeof(lc));
	lc.odoo = o;
	lc.model = model;
	lc.xmlid = c->xmlid;
	lc.key = c->xmlid ? NULL : c->lo.key;
	lc.nkey = c->xmlid ? 0 : c->lo.nkey;
	lc.hard_delete = c->hard_delete;
	if ((lo = load_odoo_new(&lc, &err)) == NULL) {
		ep_warn("%s", err.msg);
		odoo_close(o);
		cfg_profile_free(prof);
		return err.code;
	}
	status = run(c, &load_odoo_target, lo, nfiles, files);
	load_odoo_free(lo);
	odoo_close(o);
	cfg_profile_free(prof);
	return status;
}

/* ---- bng ---------------------------------------------------------------- */

static int
run_bng(struct load_system_cfg *c, const char *resource, int nfiles, char **files)
{
	struct cfg_profile *prof;
	struct bng_conn bc = { 0 };
	struct load_bng_cfg lc = { 0 };
	struct ep_err err = EP_ERR_INIT;
	struct bng *b = NULL;
	struct load_bng *lb = NULL;
	char *cache = NULL;
	int status;

	if (c->xmlid || c->protocol || c->deletes_set) {
		ep_warn("--xmlid, --protocol and --deletes are for odoo");
		return EP_USAGE;
	}
	if (c->soap) {
		ep_warn("--soap is for nav");
		return EP_USAGE;
	}
	if (c->lo.nthen || c->lo.then_on) {
		ep_warn("--then: BNG has no workflow methods to call");
		return EP_USAGE;
	}
	if (c->lo.nkey == 0 && !(c->lo.op == LOAD_CREATE)) {
		c->lo.key[0] = "ExternalID";
		c->lo.nkey = 1;
	}
	if ((prof = conn_profile(&c->conn, "bng", &err)) == NULL)
		goto fail;
	bc.token_cache = c->token_cache;
	if (bng_conn_from_profile(&bc, prof, &cache, &err) < 0)
		goto fail;
	c->conn.http.concurrency = (int)c->concurrency;
	if ((b = bng_open(&bc, &c->conn.http, &err)) == NULL)
		goto fail;
	lc.bng = b;
	lc.resource = resource;
	lc.per_record = c->per_record;
	lc.concurrency = (int)c->concurrency;
	if ((lb = load_bng_new(&lc, &err)) == NULL)
		goto fail;
	status = run(c, &load_bng_target, lb, nfiles, files);
	ep_info(1, "bng %s: %ld requests%s", resource, load_bng_requests(lb),
	        load_bng_batched(lb) ? " (batch endpoint)" : "");
	goto out;
fail:
	ep_warn("%s", err.msg);
	status = err.code ? err.code : EP_SOFTWARE;
out:
	load_bng_free(lb);
	bng_close(b);
	cfg_profile_free(prof);
	free(cache);
	return status;
}

/* ---- nav ----------------------------------------------------------------- */

static int
run_nav(struct load_system_cfg *c, const char *set, int nfiles, char **files)
{
	struct cfg_profile *prof;
	struct nav_conn nc;
	struct nav *n;
	struct load_nav *ln;
	struct load_nav_cfg lc;
	struct ep_err err = EP_ERR_INIT;
	int status;

	if (c->xmlid || c->protocol || c->lo.nthen || c->lo.then_on || c->deletes_set) {
		ep_warn("--xmlid, --protocol, --then and --deletes are odoo's");
		return EP_USAGE;
	}
	if (c->per_record || c->token_cache) {
		ep_warn("--per-record and --token-cache are for bng");
		return EP_USAGE;
	}
	if ((prof = conn_profile(&c->conn, "nav", &err)) == NULL) {
		ep_warn("%s", err.msg);
		return err.code;
	}
	if (nav_conn_from_profile(&nc, prof, &c->nav, &err) < 0 ||
	    (n = nav_open(&nc, &c->conn.http, &err)) == NULL) {
		ep_warn("%s", err.msg);
		cfg_profile_free(prof);
		return err.code;
	}
	memset(&lc, 0, sizeof(lc));
	lc.nav = n;
	lc.set = set;
	lc.soap = c->soap;
	lc.key = c->lo.key;
	lc.nkey = c->lo.nkey;
	lc.batch = c->lo.batch;
	if ((ln = load_nav_new(&lc, &err)) == NULL) {
		ep_warn("%s", err.msg);
		nav_close(n);
		cfg_profile_free(prof);
		return err.code;
	}
	status = run(c, &load_nav_target, ln, nfiles, files);
	ep_info(1, "nav: %ld requests", nav_requests(n));
	load_nav_free(ln);
	nav_close(n);
	cfg_profile_free(prof);
	return status;
}

/* ---- pg ------------------------------------------------------------------ */

static int
run_pg(struct load_system_cfg *c, const char *table, int nfiles, char **files)
{
	struct cfg_profile *prof;
	struct load_pg_cfg lc;
	struct load_pg *lp;
	struct ep_err err = EP_ERR_INIT;
	const char *url;
	int status;

	if (c->xmlid || c->protocol || c->lo.nthen || c->lo.then_on || c->soap || c->per_record ||
	    c->token_cache || c->deletes_set) {
		ep_warn("--xmlid, --protocol, --then, --deletes, --soap, --per-record and "
		        "--token-cache are not for pg");
		return EP_USAGE;
	}
	if ((prof = conn_profile(&c->conn, "pg", &err)) == NULL) {
		ep_warn("%s", err.msg);
		return err.code;
	}
	memset(&lc, 0, sizeof(lc));
	url = cfg_get(prof, "url");
	lc.conninfo = url ? url : "";
	/* a secret of the profile's own, else libpq's (PGPASSWORD, PGPASSFILE) */
	if ((cfg_get(prof, "password_file") || cfg_get(prof, "password_env")) &&
	    (lc.password = cfg_secret(prof, &err)) == NULL) {
		ep_warn("%s", err.msg);
		cfg_profile_free(prof);
		return err.code;
	}
	lc.table = table;
	lc.key = c->lo.key;
	lc.nkey = c->lo.nkey;
	lc.schema_file = c->schema;
	lc.state_file = c->stage.state;
	lc.verify = c->lo.verify != LOAD_VERIFY_OFF;
	lc.dry_run = c->lo.dry_run;
	if ((lp = load_pg_new(&lc, &err)) == NULL) {
		ep_warn("%s", err.msg);
		cfg_profile_free(prof);
		return err.code;
	}
	status = run(c, &load_pg_target, lp, nfiles, files);
	load_pg_free(lp);
	cfg_profile_free(prof);
	return status;
}

/* ---- the systems ---------------------------------------------------------- */

static const struct {
	const char *name;
	int (*run)(struct load_system_cfg *c, const char *entity, int nfiles, char **files);
} systems[] = {
	{ "odoo", run_odoo },
	{ "bng", run_bng },
	{ "nav", run_nav },
	{ "pg", run_pg },
};

int
load_system_known(const char *name, struct ep_err *err)
{
	char known[128] = "";

	for (size_t i = 0; i < sizeof(systems) / sizeof(systems[0]); i++)
		if (strcmp(name, systems[i].name) == 0)
			return 0;
	for (size_t i = 0; i < sizeof(systems) / sizeof(systems[0]); i++)
		snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s",
		         i ? ", " : "", systems[i].name);
	return ep_errf(err, EP_USAGE, "unknown system '%s' (known: %s)", name, known);
}

int
load_system_run(struct load_system_cfg *c, const char *system, const char *entity, int nfiles,
                char **files)
{
	struct ep_err err = EP_ERR_INIT;
	int status = EP_SOFTWARE;

	ops_stream(system, c->conn.profile, entity);
	if (c->audit && (c->lo.audit = audit_open(c->audit, c->audit_key, "load", system,
	                                          c->conn.profile, entity, &err)) == NULL) {
		ep_warn("%s", err.msg);
		return err.code;
	}
	for (size_t i = 0; i < sizeof(systems) / sizeof(systems[0]); i++)
		if (strcmp(system, systems[i].name) == 0)
			status = systems[i].run(c, entity, nfiles, files);
	audit_close(c->lo.audit);
	c->lo.audit = NULL;
	return status;
}
