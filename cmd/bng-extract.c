/*
 * bng-extract - read a BNG resource: in full, incrementally (--since,
 * --state) or following changes (--follow, or webhooks with --listen),
 * as NDJSON records and checkpoints.  See bng-extract(1).
 *
 * The options, then one run: lib/connect/extract_bng (the BNG source of
 * lib/connect/extract_run, and --listen).
 */
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/log.h"
#include "base/ops.h"
#include "base/opt.h"
#include "connect/extract.h"
#include "connect/extract_bng.h"
#include "net/conn.h"

static const char usage_text[] =
	"usage: bng-extract [-qv] [-P NAME] [--since TIMESTAMP] [--state FILE] [--follow]\n"
	"                   [--heartbeat FILE] [--singer]\n"
	"                   [--interval SECONDS] [--overlap SECONDS] [--fields LIST]\n"
	"                   [--shard K/N [--shard-plan-file FILE]] [--page-size N] [--limit N] [--page-style STYLE]\n"
	"                   [--items-path KEYPATH] [--next-path KEYPATH] [--since-param NAME]\n"
	"                   [--url URL] [--client-id ID] [--token-url URL] [--scope SCOPE]\n"
	"                   [--token-cache FILE] [--metrics FILE] [--stats FILE]\n"
	"                   [network options] ENTITY\n"
	"       bng-extract --count [options] ENTITY\n"
	"       bng-extract --describe [--openapi FILE] [options] ENTITY\n"
	"       bng-extract --shard-plan N [options] ENTITY\n"
	"       bng-extract --listen ADDRESS --spool FILE --webhook-secret-file FILE\n"
	"                   [--tls-cert FILE --tls-key FILE | --plain-http]\n"
	"                   [--state FILE] [--envelope] [--port-file FILE] [ENTITY]\n";

enum {
	OPT_CLIENT_ID = OPT_FIRST_FREE,
	OPT_ENVELOPE,
	OPT_FIELDS,
	OPT_ID_FIELD,
	OPT_ITEMS_PATH,
	OPT_LISTEN,
	OPT_NEXT_PATH,
	OPT_OPENAPI,
	OPT_PAGE_STYLE,
	OPT_PLAIN_HTTP,
	OPT_PORT_FILE,
	OPT_SCOPE,
	OPT_SINCE_PARAM,
	OPT_SPOOL,
	OPT_TLS_CERT,
	OPT_TLS_KEY,
	OPT_TOKEN_CACHE,
	OPT_TOKEN_URL,
	OPT_UPDATED_FIELD,
	OPT_URL,
	OPT_WEBHOOK_SECRET_FILE,
};

static const struct ep_opt bng_opts[] = {
	{ "client-id", OPT_CLIENT_ID, "ID", "OAuth client id (default: the profile's client_id)" },
	{ "envelope", OPT_ENVELOPE, NULL, "--listen: emit whole events, not their data" },
	{ "fields", OPT_FIELDS, "LIST",
	  "only these comma-separated fields (and the id, UpdatedAt)" },
	{ "id-field", OPT_ID_FIELD, "NAME", "the records' id field (default: the resource's)" },
	{ "items-path", OPT_ITEMS_PATH, "KEYPATH",
	  "where a page holds its records (default data)" },
	{ "listen", OPT_LISTEN, "ADDRESS", "receive webhooks on ADDR:PORT instead of polling" },
	{ "next-path", OPT_NEXT_PATH, "KEYPATH",
	  "where a page holds the next cursor or URL (default next_cursor)" },
	{ "openapi", OPT_OPENAPI, "FILE",
	  "--describe from this OpenAPI document, not the server's" },
	{ "page-style", OPT_PAGE_STYLE, "cursor|page|offset|link", "how pages are asked for" },
	{ "plain-http", OPT_PLAIN_HTTP, NULL,
	  "--listen: plain HTTP on an address that is not loopback" },
	{ "port-file", OPT_PORT_FILE, "FILE", "--listen: write the port listened on to FILE" },
	{ "scope", OPT_SCOPE, "SCOPE", "OAuth scope to ask for (default: none)" },
	{ "since-param", OPT_SINCE_PARAM, "NAME",
	  "query parameter of the changed-since filter (default updated_since)" },
	{ "spool", OPT_SPOOL, "FILE", "--listen: where received events are kept until committed" },
	{ "tls-cert", OPT_TLS_CERT, "FILE",
	  "--listen: serve HTTPS with this PEM certificate (chain)" },
	{ "tls-key", OPT_TLS_KEY, "FILE",
	  "--listen: the certificate's PEM key (a file private to you)" },
	{ "token-cache", OPT_TOKEN_CACHE, "FILE",
	  "OAuth token cache (default ~/.cache/erpipe/bng-HASH.token; - for none)" },
	{ "token-url", OPT_TOKEN_URL, "URL", "OAuth token endpoint (default ORIGIN/oauth/token)" },
	{ "updated-field", OPT_UPDATED_FIELD, "NAME",
	  "the records' last-modified field (default UpdatedAt)" },
	{ "url", OPT_URL, "URL", "BNG API root (default: the profile's url, $BNG_URL)" },
	{ "webhook-secret-file", OPT_WEBHOOK_SECRET_FILE, "FILE",
	  "--listen: the HMAC key of the signatures (a file private to you)" },
	{ NULL, 0, NULL, NULL },
};

static const struct ep_opt *const tables[] = { ep_opt_common, extract_opts, conn_opts_table,
	                                       bng_opts,      ops_opts,     NULL };

struct opts {
	struct extract_cfg x;
	struct extract_bng_opts b;
};

static int
parse(int argc, char *argv[], struct opts *o)
{
	struct ep_optset os;
	struct ep_err err = EP_ERR_INIT;
	int c, r;

	extract_cfg_init(&o->x);
	if (ep_opt_build(tables, &os, &err) < 0) {
		ep_warn("%s", err.msg);
		return EP_SOFTWARE;
	}
	while ((c = ep_opt_next(argc, argv, &os, usage_text, tables)) != -1) {
		switch (c) {
		case EP_OPT_EXIT:
			ep_opt_free(&os);
			return ep_opt_exit_status() == 0 ? -1 : EP_IOERR;
		case OPT_CLIENT_ID:
			o->b.client_id = optarg;
			continue;
		case OPT_ENVELOPE:
			o->b.envelope = 1;
			continue;
		case OPT_FIELDS:
			o->b.fields = optarg;
			continue;
		case OPT_ID_FIELD:
			o->b.id_field = optarg;
			continue;
		case OPT_ITEMS_PATH:
			o->b.l.items_path = optarg;
			continue;
		case OPT_LISTEN:
			o->b.listen = optarg;
			continue;
		case OPT_NEXT_PATH:
			o->b.l.next_path = optarg;
			continue;
		case OPT_OPENAPI:
			o->b.openapi = optarg;
			continue;
		case OPT_PAGE_STYLE:
			if (bng_page_style_parse(optarg, &o->b.l.style) < 0) {
				ep_opt_free(&os);
				return ep_usage(
					usage_text,
					"--page-style '%s': one of cursor, page, offset, link",
					optarg);
			}
			continue;
		case OPT_PLAIN_HTTP:
			o->b.plain_http = 1;
			continue;
		case OPT_PORT_FILE:
			o->b.port_file = optarg;
			continue;
		case OPT_SCOPE:
			o->b.scope = optarg;
			continue;
		case OPT_SINCE_PARAM:
			o->b.l.since_param = optarg;
			continue;
		case OPT_SPOOL:
			o->b.spool = optarg;
			continue;
		case OPT_TLS_CERT:
			o->b.tls_cert = optarg;
			continue;
		case OPT_TLS_KEY:
			o->b.tls_key = optarg;
			continue;
		case OPT_TOKEN_CACHE:
			o->b.token_cache = optarg;
			continue;
		case OPT_TOKEN_URL:
			o->b.token_url = optarg;
			continue;
		case OPT_UPDATED_FIELD:
			o->b.updated_field = optarg;
			continue;
		case OPT_URL:
			o->b.url = optarg;
			continue;
		case OPT_WEBHOOK_SECRET_FILE:
			o->b.secret_file = optarg;
			continue;
		}
		if ((r = extract_opt(&o->x, c, optarg, &err)) == 1)
			continue;
		ep_opt_free(&os);
		return ep_opt_bad(usage_text, c, argv, r < 0 ? err.msg : NULL);
	}
	ep_opt_free(&os);
	if (optind < argc)
		o->b.entity = argv[optind++];
	if (optind < argc)
		return ep_usage(usage_text, "one ENTITY only, not '%s' too", argv[optind]);
	if (o->b.entity == NULL && !o->b.listen)
		return ep_usage(usage_text, "%s",
		                "no ENTITY: which resource (customers, sales_orders, ...)?");
	if (o->b.listen && (!o->b.spool || !o->b.secret_file))
		return ep_usage(usage_text, "%s",
		                "--listen needs --spool FILE and --webhook-secret-file FILE");
	if (!o->b.listen && (o->b.spool || o->b.secret_file || o->b.envelope || o->b.port_file ||
	                     o->b.tls_cert || o->b.tls_key || o->b.plain_http))
		return ep_usage(
			usage_text, "%s",
			"--spool, --webhook-secret-file, --envelope, "
			"--port-file, --tls-cert, --tls-key and --plain-http go with --listen");
	if (!o->b.tls_cert != !o->b.tls_key)
		return ep_usage(usage_text, "%s", "--tls-cert and --tls-key go together");
	if (o->b.tls_cert && o->b.plain_http)
		return ep_usage(usage_text, "%s", "--plain-http or --tls-cert, not both");
	if (o->b.listen &&
	    (o->x.follow || o->x.count || o->x.describe || o->x.shard_n || o->x.since[0]))
		return ep_usage(usage_text, "%s",
		                "--listen does not go with --follow, --count, "
		                "--describe, --shard or --since");
	if (extract_cfg_check(&o->x, &err) < 0)
		return ep_usage(usage_text, "%s", err.msg);
	if (o->x.count + o->x.describe > 1)
		return ep_usage(usage_text, "%s", "--count or --describe, not both");
	if (extract_shard_check(&o->x, &err) < 0 ||
	    (o->b.listen && (o->x.shard_plan || o->x.shard_plan_file) &&
	     ep_errf(&err, EP_USAGE, "--listen does not go with --shard-plan") < 0))
		return ep_usage(usage_text, "%s", err.msg);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct opts o;
	int rc;

	ep_prog = "bng-extract";
	memset(&o, 0, sizeof(o));
	if ((rc = parse(argc, argv, &o)) != 0)
		return rc < 0 ? 0 : rc;
	return o.b.listen ? extract_bng_listen(&o.x, &o.b) : extract_bng(&o.x, &o.b);
}
