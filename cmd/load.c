/*
 * load - write records into a system: create, update, upsert, delete, call
 * workflow methods; one receipt per record on stdout (load(1)).
 *
 *   load odoo MODEL     lib/connect/load_odoo.c on lib/odoo
 *   load bng RESOURCE   lib/connect/load_bng.c on lib/bng
 *   load nav ENTITYSET  lib/connect/load_nav.c on lib/nav (OData V4 or --soap)
 *   load pg TABLE       lib/connect/load_pg.c on libpq
 *
 * The options fill a struct load_system_cfg; lib/connect/targets.c
 * opens the system and its target and runs the generic part (batches,
 * lookups, unchanged detection, rejects, checkpoints: lib/engine/load.c).
 */
#include <string.h>

#include "base/err.h"
#include "base/log.h"
#include "base/ops.h"
#include "base/opt.h"
#include "connect/targets.h"

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
	{ "concurrency", OPT_CONCURRENCY, "N", "bng: requests in flight at once (default 4)" },
	{ "deletes", OPT_DELETES, "archive|hard",
	  "odoo: _op delete archives (active false) where the model can, or unlinks" },
	{ "per-record", OPT_PER_RECORD, NULL,
	  "bng: one request per record, not the batch endpoint" },
	{ "protocol", OPT_PROTOCOL, "xmlrpc|jsonrpc|json2|auto",
	  "odoo: how to talk to Odoo (default auto)" },
	{ "schema", OPT_SCHEMA, "FILE", "pg: create the table from this JSON Schema when missing" },
	{ "soap", OPT_SOAP, NULL, "nav: write through the SOAP page service (older NAV)" },
	{ "token-cache", OPT_TOKEN_CACHE, "FILE",
	  "bng: OAuth token cache (default ~/.cache/erpipe/bng-HASH.token; - for none)" },
	{ "xmlid", OPT_XMLID, "FIELD", "odoo: match on the external id held in FIELD" },
	{ NULL, 0, NULL, NULL },
};

static const struct ep_opt *const tables[] = {
	ep_opt_common,    load_opts_table, cmd_opts, nav_opts_table, conn_opts_table,
	stage_input_opts, stage_opts,      ops_opts, NULL,
};

int
main(int argc, char *argv[])
{
	struct load_system_cfg c;
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
	if (load_system_known(sys, &err) < 0) {
		ep_warn("%s", err.msg);
		load_opts_free(&c.lo);
		return ep_usage(usage_text, NULL);
	}
	status = load_system_run(&c, sys, argv[optind + 1], argc - optind - 2, argv + optind + 2);
	load_opts_free(&c.lo);
	return status;
bad:
	ep_opt_free(&os);
	load_opts_free(&c.lo);
	return ep_usage(usage_text, NULL);
}
