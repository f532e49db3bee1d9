/*
 * nav-extract - read a Dynamics NAV / Business Central entity set as NDJSON
 * records (nav-extract(1)): the options, then one run of
 * lib/connect/extract_nav (the NAV source of lib/connect/extract_run).
 */
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/log.h"
#include "base/ops.h"
#include "base/opt.h"
#include "connect/extract.h"
#include "connect/extract_nav.h"
#include "net/conn.h"
#include "proto/nav.h"

static const char usage_text[] =
	"usage: nav-extract [-qv] [-P NAME] [--url URL] [--company NAME | --company-id GUID]\n"
	"                   [--auth basic|ntlm|oauth|none] [--user USER] [--token-url URL]\n"
	"                   [--scope SCOPE] [--filter FILTER] [--where 'FIELD OP VALUE']...\n"
	"                   [--select LIST] [--expand NAV] [--etag] [--limit N] [--page-size N]\n"
	"                   [--shard K/N [--shard-plan-file FILE]] [--since TIMESTAMP]\n"
	"                   [--since-field FIELD]\n"
	"                   [--singer]\n"
	"                   [--state FILE] [--overlap SECONDS]\n"
	"                   [--follow [--interval SECONDS] [--heartbeat FILE]]\n"
	"                   [--soap [--soap-url URL]] [--metrics FILE] [--stats FILE]\n"
	"                   [network options] ENTITYSET\n"
	"       nav-extract [-P NAME] [options] --count | --describe ENTITYSET\n"
	"       nav-extract [-P NAME] [options] --list\n"
	"       nav-extract [-P NAME] [options] --shard-plan N ENTITYSET\n";

enum {
	OPT_ETAG = OPT_FIRST_FREE,
	OPT_EXPAND,
	OPT_FILTER,
	OPT_LIST,
	OPT_SELECT,
	OPT_SINCE_FIELD,
	OPT_SOAP,
	OPT_WHERE,
};

static const struct ep_opt nav_x_table[] = {
	{ "etag", OPT_ETAG, NULL, "keep each record's @odata.etag (SOAP: its Key)" },
	{ "expand", OPT_EXPAND, "NAV", "inline a navigation property (SalesOrderSalesLines)" },
	{ "filter", OPT_FILTER, "FILTER", "an OData $filter, passed on as it is" },
	{ "list", OPT_LIST, NULL, "list the entity sets the service publishes, and exit" },
	{ "select", OPT_SELECT, "LIST", "fields to write, comma-separated (default: all)" },
	{ "since-field", OPT_SINCE_FIELD, "FIELD",
	  "the modified-at field (default SystemModifiedAt, lastModifiedDateTime or "
	  "Last_Date_Modified)" },
	{ "soap", OPT_SOAP, NULL, "read through the SOAP page service (older NAV)" },
	{ "where", OPT_WHERE, "COND", "'FIELD OP VALUE', the value typed and quoted (repeatable)" },
	{ NULL, 0, NULL, NULL },
};

static const struct ep_opt *const tables[] = { ep_opt_common, nav_x_table,     nav_opts_table,
	                                       extract_opts,  conn_opts_table, ops_opts,
	                                       NULL };

int
main(int argc, char *argv[])
{
	struct extract_cfg xc;
	struct extract_nav_opts x;
	struct ep_optset os;
	struct ep_err err = EP_ERR_INIT;
	int c, r;

	ep_prog = "nav-extract";
	memset(&x, 0, sizeof(x));
	extract_cfg_init(&xc);
	if (ep_opt_build(tables, &os, &err) < 0) {
		ep_warn("%s", err.msg);
		return EP_SOFTWARE;
	}
	while ((c = ep_opt_next(argc, argv, &os, usage_text, tables)) != -1) {
		switch (c) {
		case EP_OPT_EXIT:
			ep_opt_free(&os);
			return ep_opt_exit_status();
		case OPT_ETAG:
			x.keep_etag = 1;
			continue;
		case OPT_EXPAND:
			x.expand = optarg;
			continue;
		case OPT_FILTER:
			x.filter_arg = optarg;
			continue;
		case OPT_LIST:
			x.list = 1;
			continue;
		case OPT_SELECT:
			x.select_arg = optarg;
			continue;
		case OPT_SINCE_FIELD:
			x.since_field = optarg;
			continue;
		case OPT_SOAP:
			x.soap = 1;
			continue;
		case OPT_WHERE:
			if (x.nwhere >= EXTRACT_NAV_MAX_WHERE) {
				ep_opt_free(&os);
				return ep_usage(usage_text, "too many --where (at most 64): '%s'",
				                optarg);
			}
			x.where[x.nwhere++] = optarg;
			continue;
		}
		if (nav_flag(&x.nf, c, optarg))
			continue;
		if ((r = extract_opt(&xc, c, optarg, &err)) == 1)
			continue;
		ep_opt_free(&os);
		return ep_opt_bad(usage_text, c, argv, r < 0 ? err.msg : NULL);
	}
	ep_opt_free(&os);
	if (x.list) {
		if (optind != argc)
			return ep_usage(usage_text, "--list takes no ENTITYSET: '%s'",
			                argv[optind]);
	} else if (optind != argc - 1) {
		return ep_usage(usage_text, "%s",
		                optind < argc ? "one ENTITYSET, please" : "no ENTITYSET given");
	} else {
		x.set = argv[optind];
	}
	if (extract_cfg_check(&xc, &err) < 0)
		return ep_usage(usage_text, "%s", err.msg);
	if (xc.count + xc.describe + x.list > 1)
		return ep_usage(usage_text, "%s",
		                "--count, --describe and --list exclude each other");
	if (x.nf.company && x.nf.company_id)
		return ep_usage(usage_text, "%s", "--company and --company-id exclude each other");
	if (x.soap &&
	    (x.filter_arg || x.expand || xc.shard_n || xc.shard_plan || xc.count || x.list))
		return ep_usage(usage_text, "%s",
		                "--soap cannot go with --filter, --expand, --shard, "
		                "--shard-plan, --count or --list (use --where)");
	if (extract_shard_check(&xc, &err) < 0)
		return ep_usage(usage_text, "%s", err.msg);
	if (xc.shard_plan && x.list)
		return ep_usage(usage_text, "%s", "--shard-plan cannot go with --list");
	return extract_nav(&xc, &x);
}
