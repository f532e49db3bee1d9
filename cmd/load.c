/*
 * load - write records into a system: create, update, upsert, delete, call
 * workflow methods; one receipt per record on stdout (load(1)).
 *
 *   load odoo MODEL     lib/connect/load_odoo.c on lib/odoo
 *   load bng RESOURCE   lib/connect/load_bng.c on lib/bng
 *   load nav ENTITYSET  lib/connect/load_nav.c on lib/nav (OData V4 or --soap)
 *   load pg TABLE       lib/connect/load_pg.c on libpq
 *
 * The generic part (batches, lookups, unchanged detection, rejects,
 * checkpoints) is lib/engine/load.c; each system only opens its connection and
 * hands load_run its target.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stream/audit.h"
#include "proto/bng.h"
#include "base/cfg.h"
#include "net/conn.h"
#include "base/err.h"
#include "engine/load.h"
#include "connect/load_bng.h"
#include "connect/load_nav.h"
#include "connect/load_odoo.h"
#include "connect/load_pg.h"
#include "base/log.h"
#include "proto/nav.h"
#include "proto/odoo.h"
#include "base/ops.h"
#include "base/opt.h"
#include "stream/stage.h"

static const char usage_text[] =
	"usage: load [-nqv] [-i ndjson|singer] [-P NAME] [-k FIELDS] [--op OP] [--batch N]\n"
	"            [--then METHODS]\n"
	"            [--verify report|strict] [--no-verify]\n"
	"            [--xmlid FIELD] [--protocol PROTO] [--cacert FILE] [--insecure]\n"
	"            [--rate RATE] [--retries N] [--retry-max-time SECONDS]\n"
	"            [--timeout SECONDS] [--trace] [--fail-fast] [--flush-every N]\n"
	"            [--flush-ms MS] [--max-line BYTES] [--max-rejects N]\n"
	"            [--rejects FILE] [--state FILE] [--metrics FILE] [--stats FILE]\n"
	"            [--audit FILE [--audit-key FILE]]\n"
	"            SYSTEM ENTITY [FILE ...]\n"
	"       load odoo MODEL [--then-on written|created|all] [--deletes archive|hard]\n"
	"            [options] [FILE ...]\n"
	"       load bng RESOURCE [--per-record] [--concurrency N] [--token-cache FILE]\n"
	"            [options] [FILE ...]\n"
	"       load nav ENTITYSET [--soap] [--url URL] [--company NAME] [--auth AUTH]\n"
	"            [options] [FILE ...]\n"
	"       load pg TABLE [--schema FILE] [options] [FILE ...]\n";

enum {
	OPT_PROTOCOL = OPT_FIRST_FREE,
	OPT_XMLID,
	OPT_CONCURRENCY,
	OPT_PER_RECORD,
	OPT_TOKEN_CACHE,
	OPT_SOAP,
	OPT_SCHEMA,
	OPT_AUDIT,
	OPT_AUDIT_KEY,
	OPT_DELETES,
};

static const struct ep_opt cmd_opts[] = {
	{ "audit", OPT_AUDIT, "FILE", "append one tamper-evident line per write to FILE" },
	{ "audit-key", OPT_AUDIT_KEY, "FILE", "--audit: sign each line with the HMAC key in FILE" },
	{ "concurrency", OPT_CONCURRENCY, "N",
	  "bng: requests in flight at once (default 4)" },
	{ "deletes", OPT_DELETES, "archive|hard",
	  "odoo: _op delete archives (active false) where the model can, or unlinks" },
	{ "per-record", OPT_PER_RECORD, NULL, "bng: one request per record, not the batch endpoint" },
	{ "protocol", OPT_PROTOCOL, "xmlrpc|jsonrpc|json2|auto", "odoo: how to talk to Odoo (default auto)" },
	{ "schema", OPT_SCHEMA, "FILE", "pg: create the table from this JSON Schema when missing" },
	{ "soap", OPT_SOAP, NULL, "nav: write through the SOAP page service (older NAV)" },
	{ "token-cache", OPT_TOKEN_CACHE, "FILE",
	  "bng: OAuth token cache (default ~/.cache/erpipe/bng-HASH.token; - for none)" },
	{ "xmlid", OPT_XMLID, "FIELD", "odoo: match on the external id held in FIELD" },
	{ NULL, 0, NULL, NULL },
};

static const struct ep_opt *const tables[] = {
	ep_opt_common, load_opts_table, cmd_opts, nav_opts_table, conn_opts_table, stage_input_opts,
	stage_opts, ops_opts, NULL,
};

struct load_cmd {
	struct stage_cfg stage;
	struct load_opts lo;
	struct conn_opts conn;
	const char *xmlid;
	const char *protocol;
	const char *token_cache;
	const char *audit, *audit_key;
	int per_record;
	long concurrency;
	struct nav_flags nav;
	int soap;
	const char *schema;
	int hard_delete; /* --deletes hard */
	int deletes_set; /* --deletes given */
};

/* ---- odoo --------------------------------------------------------------- */

static int
run_odoo(struct load_cmd *c, const char *model, int nfiles, char **files)
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
	status = load_run(&c->stage, &c->lo, &load_odoo_target, lo, nfiles, files);
	load_odoo_free(lo);
	odoo_close(o);
	cfg_profile_free(prof);
	return status;
}

/* ---- bng ---------------------------------------------------------------- */

static int
run_bng(struct load_cmd *c, const char *resource, int nfiles, char **files)
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
	status = load_run(&c->stage, &c->lo, &load_bng_target, lb, nfiles, files);
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
run_nav(struct load_cmd *c, const char *set, int nfiles, char **files)
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
	status = load_run(&c->stage, &c->lo, &load_nav_target, ln, nfiles, files);
	ep_info(1, "nav: %ld requests", nav_requests(n));
	load_nav_free(ln);
	nav_close(n);
	cfg_profile_free(prof);
	return status;
}

/* ---- pg ------------------------------------------------------------------ */

static int
run_pg(struct load_cmd *c, const char *table, int nfiles, char **files)
{
	struct cfg_profile *prof;
	struct load_pg_cfg lc;
	struct load_pg *lp;
	struct ep_err err = EP_ERR_INIT;
	const char *url;
	int status;

	if (c->xmlid || c->protocol || c->lo.nthen || c->lo.then_on || c->soap ||
	    c->per_record || c->token_cache || c->deletes_set) {
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
	status = load_run(&c->stage, &c->lo, &load_pg_target, lp, nfiles, files);
	load_pg_free(lp);
	cfg_profile_free(prof);
	return status;
}

/* ---- the systems ---------------------------------------------------------- */

static const struct {
	const char *name;
	int (*run)(struct load_cmd *c, const char *entity, int nfiles, char **files);
} systems[] = {
	{ "odoo", run_odoo },
	{ "bng", run_bng },
	{ "nav", run_nav },
	{ "pg", run_pg },
};

int
main(int argc, char *argv[])
{
	struct load_cmd c;
	struct ep_optset os;
	struct ep_err err = EP_ERR_INIT;
	int ch, r, status;
	const char *sys;

	ep_prog = "load";
	memset(&c, 0, sizeof(c));
	stage_cfg_init(&c.stage, "load");
	load_opts_init(&c.lo);
	conn_opts_init(&c.conn);
	c.concurrency = 4;
	if (ep_opt_build(tables, &os, &err) < 0) {
		ep_warn("%s", err.msg);
		return EP_SOFTWARE;
	}
	while ((ch = ep_opt_next(argc, argv, &os, usage_text, tables)) != -1) {
		switch (ch) {
		case EP_OPT_EXIT:
			ep_opt_free(&os);
			load_opts_free(&c.lo);
			return ep_opt_exit_status();
		case OPT_CONCURRENCY:
			if (ep_parse_long(optarg, 1, HTTP_MAX_CONCURRENCY, &c.concurrency) < 0) {
				ep_warn("--concurrency '%s': a number from 1 to %d", optarg,
				        HTTP_MAX_CONCURRENCY);
				goto bad;
			}
			continue;
		case OPT_AUDIT:
			c.audit = optarg;
			continue;
		case OPT_AUDIT_KEY:
			c.audit_key = optarg;
			continue;
		case OPT_DELETES:
			if (strcmp(optarg, "archive") != 0 && strcmp(optarg, "hard") != 0) {
				ep_warn("--deletes '%s': not archive or hard", optarg);
				goto bad;
			}
			c.hard_delete = strcmp(optarg, "hard") == 0;
			c.deletes_set = 1;
			continue;
		case OPT_PER_RECORD:
			c.per_record = 1;
			continue;
		case OPT_TOKEN_CACHE:
			c.token_cache = optarg;
			continue;
		case OPT_PROTOCOL:
			c.protocol = optarg;
			continue;
		case OPT_SOAP:
			c.soap = 1;
			continue;
		case OPT_SCHEMA:
			c.schema = optarg;
			continue;
		case 'i':
			if (stage_input(&c.stage, optarg, &err) < 0) {
				ep_warn("%s", err.msg);
				goto bad;
			}
			continue;
		case OPT_XMLID:
			if (optarg[0] == '\0') {
				ep_warn("--xmlid: an empty field name");
				goto bad;
			}
			c.xmlid = optarg;
			continue;
		}
		if (nav_flag(&c.nav, ch, optarg))
			continue;
		if ((r = load_opt(&c.lo, ch, optarg, &err)) == 0 &&
		    (r = conn_opt(&c.conn, ch, optarg, &err)) == 0)
			r = stage_opt(&c.stage, ch, optarg, &err);
		if (r == 1)
			continue;
		ep_opt_free(&os);
		load_opts_free(&c.lo);
		return ep_opt_bad(usage_text, ch, argv, r < 0 ? err.msg : NULL);
	}
	ep_opt_free(&os);
	if (c.audit_key && !c.audit) {
		load_opts_free(&c.lo);
		return ep_usage(usage_text, "--audit-key goes with --audit");
	}
	if (argc - optind < 2) {
		ep_warn(argc - optind ? "no ENTITY after the system" : "no SYSTEM and ENTITY");
		load_opts_free(&c.lo);
		return ep_usage(usage_text, NULL);
	}
	sys = argv[optind];
	for (size_t i = 0; i < sizeof(systems) / sizeof(systems[0]); i++)
		if (strcmp(sys, systems[i].name) == 0) {
			ops_stream(sys, c.conn.profile, argv[optind + 1]);
			if (c.audit &&
			    (c.lo.audit = audit_open(c.audit, c.audit_key, "load", sys, c.conn.profile,
						     argv[optind + 1], &err)) == NULL) {
				ep_warn("%s", err.msg);
				load_opts_free(&c.lo);
				return err.code;
			}
			status = systems[i].run(&c, argv[optind + 1], argc - optind - 2,
						argv + optind + 2);
			audit_close(c.lo.audit);
			load_opts_free(&c.lo);
			return status;
		}
	{
		char known[128] = "";
		for (size_t i = 0; i < sizeof(systems) / sizeof(systems[0]); i++)
			snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s",
				 i ? ", " : "", systems[i].name);
		ep_warn("unknown system '%s' (known: %s)", sys, known);
	}
	load_opts_free(&c.lo);
	return ep_usage(usage_text, NULL);
bad:
	ep_opt_free(&os);
	load_opts_free(&c.lo);
	return ep_usage(usage_text, NULL);
}
