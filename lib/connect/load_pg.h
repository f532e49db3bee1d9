/*
 * load_pg.h - load's PostgreSQL target: `load pg TABLE`
 * (layer 6: connectors, as lib/connect/load_odoo.h says why).
 *
 * The target of lib/engine/load.h for one table, over libpq.  A record's fields
 * are the table's columns (a field that names no column is a reject: it
 * would be dropped without a word); values go to the server as one JSON
 * array a statement and are cast by the server (json_populate_record), so
 * a value the column cannot hold is the server's error, with its SQLSTATE.
 *
 * The table: an existing one, or with schema_file (a JSON Schema, as
 * validate reads it, or --describe's) created when it is missing: string
 * text (format date: date, date-time: timestamptz), integer bigint, number
 * numeric, boolean boolean, object and array jsonb, the key its primary key.
 *
 * Statements per batch: the records go to the session's staging table
 * erpipe_in with COPY (the server casts each value into the table's column
 * types there), then one statement over it for each set of fields the
 * records write: with a unique index on the key, an upsert is one INSERT …
 * ON CONFLICT DO UPDATE … WHERE the row IS DISTINCT FROM the new one, no
 * lookup (inserted: created; returned from the update: updated; not
 * returned: unchanged); otherwise, and for --dry-run and the other ops, a
 * SELECT joined to the keys (to_jsonb of the rows found), then INSERT …
 * SELECT, UPDATE … FROM, DELETE … USING.  Each returns the rows as stored
 * (the read back of --verify costs no statement).  Each statement runs
 * under a savepoint, so a record the server refuses (SQLSTATE class 22 or
 * 23, a trigger's raise) fails its statement only and the machinery
 * splits the batch.
 *
 * Exactly once: the writes of a run go in one transaction that is committed
 * at each checkpoint together with the checkpoint's position, in the table
 * erpipe_state (stream text primary key, pos jsonb, committed_at), and at
 * the end of the input.  A crash leaves the table as of its last
 * checkpoint, and the position in it tells where that was.  When the state
 * file (--state) is older than the table's position for a stream (a crash
 * between the two commits), the run is a replay up to that position:
 * writes by key are harmless (the lookup finds what the first run wrote:
 * "unchanged"), and a record without a key (--op create) is not written
 * again but answered "unchanged" until a checkpoint at the table's
 * position passes; a checkpoint past it first (its records partly written
 * before) stops the run with 65 rather than guess which records are there.
 * A stream the state file does not name yet is not taken for a replay: a
 * run killed between the table's first commit of a stream and the state
 * file's first is the one case where a record without a key is written
 * twice.
 *
 * Ownership: the connection is the target's (load_pg_free closes it);
 * strings in the cfg must outlive the target.
 */
#ifndef ERPIPE_LOAD_PG_H
#define ERPIPE_LOAD_PG_H

#include <stddef.h>

#include "base/err.h"
#include "engine/load.h"

struct load_pg_cfg {
	const char *conninfo;   /* a postgresql:// URI or key=value string, or "" */
	const char *password;   /* NULL: libpq's own (PGPASSWORD, PGPASSFILE) */
	const char *table;      /* "name" or "schema.name" */
	const char *const *key; /* --key */
	size_t nkey;
	const char *schema_file; /* create the table from it when missing */
	const char *state_file;  /* --state: for the replay check */
	int verify;              /* return the rows written (load's verify) */
	int dry_run;             /* look every key up: the plan needs it */
};

struct load_pg;

extern const struct load_target load_pg_target;

struct load_pg *load_pg_new(const struct load_pg_cfg *cfg, struct ep_err *err);
void load_pg_free(struct load_pg *lp);

#endif
