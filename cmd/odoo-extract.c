/*
 * odoo-extract - read an Odoo model as NDJSON records (odoo-extract(1)):
 * the options, then one run of lib/connect/extract_odoo (the Odoo source of
 * lib/connect/extract_run).
 */
#include <stdio.h>
#include <string.h>

#include <cJSON.h>

#include "base/err.h"
#include "base/log.h"
#include "base/ops.h"
#include "base/opt.h"
#include "connect/extract.h"
#include "connect/extract_odoo.h"
#include "net/conn.h"
#include "net/http.h"
#include "proto/odoo.h"

static const char usage_text[] =
	"usage: odoo-extract [-qv] [-P NAME] [--protocol xmlrpc|jsonrpc|json2|auto]\n"
	"                    [--fields LIST] [--domain JSON] [--order ORDER]\n"
	"                    [--with-archived] [--m2o pair|id|name|object] [--expand FIELD[:LIST]]\n"
	"                    [--xmlids MODULES]\n"
	"                    [--limit N] [--page-size N] [--concurrency N]\n"
	"                    [--shard K/N [--shard-plan-file FILE]]\n"
	"                    [--since TIMESTAMP] [--state FILE] [--overlap SECONDS]\n"
	"                    [--singer]\n"
	"                    [--follow [--interval SECONDS] [--heartbeat FILE]]\n"
	"                    [--metrics FILE] [--stats FILE]\n"
	"                    [network options] MODEL\n"
	"       odoo-extract [-P NAME] --count | --ids-only | --describe MODEL\n"
	"       odoo-extract [-P NAME] --list-models\n"
	"       odoo-extract [-P NAME] [--domain JSON] --shard-plan N MODEL\n";

enum {
	OPT_CONCURRENCY = OPT_FIRST_FREE,
	OPT_DOMAIN,
	OPT_EXPAND,
	OPT_FIELDS,
	OPT_IDS_ONLY,
	OPT_LIST_MODELS,
	OPT_M2O,
	OPT_ORDER,
	OPT_PROTOCOL,
	OPT_WITH_ARCHIVED,
	OPT_XMLIDS,
};

static const struct ep_opt odoo_opts_table[] = {
	{ "concurrency", OPT_CONCURRENCY, "N",
	  "requests in flight at once (default 1, at most 64)" },
	{ "domain", OPT_DOMAIN, "JSON", "only records matching this Odoo domain" },
	{ "expand", OPT_EXPAND, "FIELD[:LIST]",
	  "inline the records a relational field names (LIST: their fields)" },
	{ "fields", OPT_FIELDS, "LIST", "fields to read (default: every stored non-binary one)" },
	{ "ids-only", OPT_IDS_ONLY, NULL, "write only {\"id\": N} for each record" },
	{ "list-models", OPT_LIST_MODELS, NULL, "list the server's models, and exit" },
	{ "m2o", OPT_M2O, "pair|id|name|object", "how many2one values are written (default pair)" },
	{ "order", OPT_ORDER, "ORDER", "write records in this order (Odoo syntax: name desc, id)" },
	{ "protocol", OPT_PROTOCOL, "xmlrpc|jsonrpc|json2|auto",
	  "how to talk to Odoo (default auto)" },
	{ "with-archived", OPT_WITH_ARCHIVED, NULL, "read archived records too (active_test off)" },
	{ "xmlids", OPT_XMLIDS, "MODULES",
	  "add each record's external ids of these modules (a,b,…) as \"xmlids\"" },
	{ NULL, 0, NULL, NULL },
};

static const struct ep_opt *const tables[] = { ep_opt_common,   odoo_opts_table, extract_opts,
	                                       conn_opts_table, ops_opts,        NULL };

int
main(int argc, char *argv[])
{
	struct extract_cfg xc;
	struct extract_odoo_opts x;
	struct ep_optset os;
	struct ep_err err = EP_ERR_INIT;
	const char *domain_arg = NULL;
	cJSON *domain = NULL, *xmlids = NULL;
	int c, r;
	long n;
	char *p;

	ep_prog = "odoo-extract";
	memset(&x, 0, sizeof(x));
	extract_cfg_init(&xc);
	x.concurrency = 1;
	if (ep_opt_build(tables, &os, &err) < 0) {
		ep_warn("%s", err.msg);
		return EP_SOFTWARE;
	}
	while ((c = ep_opt_next(argc, argv, &os, usage_text, tables)) != -1) {
		switch (c) {
		case EP_OPT_EXIT:
			ep_opt_free(&os);
			return ep_opt_exit_status();
		case OPT_CONCURRENCY:
			if (ep_parse_long(optarg, 1, HTTP_MAX_CONCURRENCY, &n) < 0) {
				ep_opt_free(&os);
				return ep_usage(usage_text,
				                "bad --concurrency '%s': expected 1 to 64", optarg);
			}
			x.concurrency = (int)n;
			continue;
		case OPT_DOMAIN:
			domain_arg = optarg;
			continue;
		case OPT_EXPAND:
			if (x.nexp >= EXTRACT_ODOO_MAX_EXPAND) {
				ep_opt_free(&os);
				return ep_usage(usage_text, "too many --expand (at most 16): '%s'",
				                optarg);
			}
			/* FIELD or FIELD:LIST (the fields read on its model) */
			if ((p = strchr(optarg, ':')) != NULL) {
				*p = '\0';
				x.exp[x.nexp].sub = p + 1;
			}
			if (*optarg == '\0') {
				ep_opt_free(&os);
				return ep_usage(usage_text, "bad --expand: no field named");
			}
			x.exp[x.nexp++].field = optarg;
			continue;
		case OPT_FIELDS:
			x.fields_arg = optarg;
			continue;
		case OPT_IDS_ONLY:
			x.ids_only = 1;
			continue;
		case OPT_LIST_MODELS:
			x.list_models = 1;
			continue;
		case OPT_M2O:
			if (strcmp(optarg, "pair") == 0)
				x.m2o = EXTRACT_M2O_PAIR;
			else if (strcmp(optarg, "id") == 0)
				x.m2o = EXTRACT_M2O_ID;
			else if (strcmp(optarg, "name") == 0)
				x.m2o = EXTRACT_M2O_NAME;
			else if (strcmp(optarg, "object") == 0)
				x.m2o = EXTRACT_M2O_OBJECT;
			else {
				ep_opt_free(&os);
				return ep_usage(usage_text,
				                "bad --m2o '%s': pair, id, name or object", optarg);
			}
			continue;
		case OPT_ORDER:
			x.order = optarg;
			continue;
		case OPT_PROTOCOL:
			if (odoo_proto_parse(optarg, &x.proto, &err) < 0) {
				ep_opt_free(&os);
				return ep_usage(usage_text, "%s", err.msg);
			}
			continue;
		case OPT_WITH_ARCHIVED:
			x.with_archived = 1;
			continue;
		case OPT_XMLIDS:
			cJSON_Delete(xmlids);
			if ((xmlids = extract_odoo_modules(optarg)) == NULL) {
				ep_opt_free(&os);
				return ep_usage(usage_text,
				                "bad --xmlids '%s': expected module names (a,b)",
				                optarg);
			}
			continue;
		}
		if ((r = extract_opt(&xc, c, optarg, &err)) == 1)
			continue;
		ep_opt_free(&os);
		return ep_opt_bad(usage_text, c, argv, r < 0 ? err.msg : NULL);
	}
	ep_opt_free(&os);
	if (x.list_models) {
		if (optind != argc)
			return ep_usage(usage_text, "--list-models takes no MODEL: '%s'",
			                argv[optind]);
	} else if (optind != argc - 1) {
		return ep_usage(usage_text, "%s",
		                optind < argc ? "one MODEL, please" : "no MODEL given");
	} else {
		x.model = argv[optind];
	}
	if (x.order && (xc.since[0] || xc.state || xc.follow))
		return ep_usage(usage_text, "%s",
		                "--order cannot go with --since, --state or --follow "
		                "(they read in write_date order)");
	if (extract_cfg_check(&xc, &err) < 0)
		return ep_usage(usage_text, "%s", err.msg);
	if (xc.count + x.ids_only + xc.describe + x.list_models > 1)
		return ep_usage(usage_text, "%s",
		                "--count, --ids-only, --describe and --list-models "
		                "exclude each other");
	if (extract_shard_check(&xc, &err) < 0)
		return ep_usage(usage_text, "%s", err.msg);
	if (xc.shard_plan && (x.ids_only || x.list_models || x.order))
		return ep_usage(usage_text, "%s",
		                "--shard-plan cannot go with --ids-only, "
		                "--list-models or --order");
	if (domain_arg) {
		domain = cJSON_Parse(domain_arg);
		if (!cJSON_IsArray(domain)) {
			cJSON_Delete(domain);
			return ep_usage(usage_text, "bad --domain '%s': not a JSON array",
			                domain_arg);
		}
		if (odoo_domain_terms(domain) < 0) {
			cJSON_Delete(domain);
			return ep_usage(usage_text,
			                "bad --domain '%s': an operator lacks its terms",
			                domain_arg);
		}
	}
	x.domain = domain;
	x.xmlids = xmlids;
	r = extract_odoo(&xc, &x);
	cJSON_Delete(domain);
	cJSON_Delete(xmlids);
	return r;
}
