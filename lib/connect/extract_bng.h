/*
 * extract_bng.h - BNG as an extraction source (layer 6: connectors):
 * bng-extract's polling run through lib/connect/extract_run, and its
 * --listen mode (signed webhooks into a spool, lib/proto/webhook).
 *
 * Polling pages by (UpdatedAt, id) keyset (lib/proto/bng); the position
 * {"updated_at", "id"} is the newest record written, checkpointed after
 * each page; a new run starts --overlap before it.  --listen checkpoints
 * {"seq"}, the spool's sequence number, and trims the spool of what the
 * state file says downstream committed.
 *
 * Ownership: the options are borrowed for the run (c->conn gets the
 * profile's defaults).
 */
#ifndef ERPIPE_EXTRACT_BNG_H
#define ERPIPE_EXTRACT_BNG_H

#include "connect/extract.h"
#include "proto/bng.h"

struct extract_bng_opts {
	struct bng_list l; /* --page-style, --items-path, --next-path, --since-param */
	const char *client_id, *scope, *token_url, *token_cache, *url, *openapi;
	const char *id_field, *updated_field, *fields;
	const char *listen, *spool, *secret_file, *port_file, *tls_cert, *tls_key;
	int envelope, plain_http;
	const char *entity; /* NULL: every resource (--listen only) */
};

/* The run (extract_run): the exit status. */
int extract_bng(struct extract_cfg *c, const struct extract_bng_opts *o);
/* --listen: receive webhooks until SIGTERM or SIGINT; the exit status. */
int extract_bng_listen(struct extract_cfg *c, const struct extract_bng_opts *o);

#endif
