/*
 * load_bng.h - load's BNG target: `load bng RESOURCE`
 * (layer 6: connectors, as lib/connect/load_odoo.h says why).
 *
 * The target of lib/engine/load.h for one BNG resource (customers, sales_orders,
 * ...) over lib/bng.
 *
 * Matching: the key fields (--key, default ExternalID; or a record's _key)
 * are looked up for the whole batch with one list request filtering on
 * them (GET /R?ExternalID=a&ExternalID=b…, the contract's equality
 * filters; a key of several fields is one request per record).  The
 * resource's id field, CreatedAt and UpdatedAt are BNG's and are not
 * written, so a bng-extract record loads back as it is.
 *
 * Writes go through POST /R/batch (up to 100 items per request, each
 * answered on its own) when BNG offers it, the requests of a load batch
 * larger than 100 (and its lookups of 100 keys) `concurrency` at a time;
 * when the first batch request is
 * answered 404 or 405, or with per_record set, one request per record
 * (POST /R, PATCH /R/{id}, DELETE /R/{id}) with up to `concurrency` in
 * flight.  Updates send only the fields that differ (a JSON merge patch).
 *
 * Per-record results: 400 rejects the record with BNG's code and message,
 * its field messages in the reject's "errors" (JSON Pointers:
 * LineItems[2].Quantity -> /LineItems/2/Quantity); a 409 on the create of
 * an upsert (another writer created the key after the lookup) is resolved
 * by reading the record that holds it (error.existing_id, else the key)
 * and updating it when it differs (receipt "updated" or "unchanged"); a
 * 409 on an explicit create is a reject; a 404 on delete counts as
 * deleted.
 * 401 after a new token, 403, and 5xx/429 beyond the retries stop the run.
 *
 * Unchanged: a given value is the same as the current one when equal as
 * JSON, numbers numerically, objects on the members given (BNG adds
 * computed ones, such as a line's Amount), arrays element by element.
 *
 * Ownership: the struct bng is borrowed; strings in the cfg must outlive
 * the target (argv).
 */
#ifndef ERPIPE_LOAD_BNG_H
#define ERPIPE_LOAD_BNG_H

#include <cJSON.h>

#include "proto/bng.h"
#include "base/err.h"
#include "engine/load.h"

#define LOAD_BNG_BATCH_MAX 100 /* items in one POST /R/batch */

struct load_bng_cfg {
	struct bng *bng;
	const char *resource; /* path name: "customers" */
	const char *id_field; /* NULL: the resource's (CustomerID ...) or "id" */
	int per_record;       /* never the batch endpoint */
	int concurrency;      /* per-record requests in flight (1..64) */
};

struct load_bng;

extern const struct load_target load_bng_target;

struct load_bng *load_bng_new(const struct load_bng_cfg *cfg, struct ep_err *err);
void load_bng_free(struct load_bng *lb);
/* Requests sent so far (for -v). */
long load_bng_requests(const struct load_bng *lb);
/* 1 when writes went through the batch endpoint. */
int load_bng_batched(const struct load_bng *lb);

#endif
