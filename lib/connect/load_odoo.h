/*
 * load_odoo.h - load's Odoo target: `load odoo MODEL`
 * (layer 6: connectors): DESIGN.md puts load's targets there, above
 * protocols and engines: a target joins the engine's interface (lib/engine/load.h,
 * layer 5) to a protocol client (layer 4), so it depends on both and
 * neither on it.  It was tagged 4, under the engine it plugs into.
 *
 * The target of lib/engine/load.h for one Odoo model, over one RPC entry point
 * (execute_kw: model, method, positional args, keyword args), which lib/odoo
 * provides for every flavour (XML-RPC, JSON-RPC, JSON-2).
 *
 * Matching: --key FIELD[,FIELD…] (fields of the model, searched with
 * active_test off so archived records match too), or --xmlid FIELD: the
 * record's FIELD holds an external id ("module.name", or "name" for
 * __import__.name, as Odoo's import reads it), looked up in ir.model.data;
 * a new record is created with its external id in one call, the model's
 * load(["id", column…], rows), as Odoo's import does it (one savepoint;
 * the ir.model.data row with module, name, model, res_id, noupdate false),
 * one call per set of columns; what load cannot carry (one2many values,
 * x2many commands or lines, other field types) is written by id right
 * after.  The FIELD itself is not written.
 *
 * Values: fields the model does not have are refused per record; the magic
 * fields (id, display_name, create_date, create_uid, write_date, write_uid,
 * __last_update) and non-stored read-only fields are not written, so an
 * odoo-extract record loads back as it is.  Many2one values may be an id,
 * [id, "name"], {"id": …, "name": …}, false/null, a display name (string),
 * {"xmlid": "module.name"} or {"match": {"field": value, …}}: the last three
 * are resolved for the whole batch with one search per relation model and
 * shape, each distinct condition once, in chunks (50 ORed conditions, or
 * 500 values of one field in one "in"); a match on a related record's field
 * ("currency_id.name") is one search per distinct condition.  Archived
 * records are not matched: a condition only they meet is searched again
 * with active_test off, to say "… is archived (id N)".  A many2many value
 * may be a list of such references ({"match"}, {"xmlid"}, ids), in lines
 * too.  One2many/many2many values: a list of ids (replaces), a list of
 * Odoo commands, or a list of objects (lines: created with the record; on
 * an update they become its lines, matched by position or "id" with the
 * current ones: written in place, created past them, and current lines
 * past the given ones deleted).
 *
 * Unchanged: a field is the same when its current value equals the given
 * one as Odoo reads it back: many2one id against [id, name], "" and null
 * against false, numbers numerically, datetimes ignoring a "T" or "Z",
 * id lists as sets, lines line by line on the fields given (read back with
 * one read per field and batch).  Lists of commands count as changed.
 *
 * Deletes: _op delete archives the record (writes active false) when the
 * model has a boolean field active, as Odoo's own Archive action does, so
 * its history (invoices, orders, external ids) stays; a record already
 * archived is unchanged.  --deletes hard (hard_delete) unlinks, as does a
 * model without active.  The receipt says "deleted" either way.
 *
 * Errors: the RPC entry maps Odoo's answers to struct load_error: a server
 * error (ValidationError, UserError, ValueError, MissingError, …) is the
 * record's (EP_DATAERR, name = Odoo's exception name), AccessDenied and
 * AccessError are 77, transport failures keep lib/http's status.  Updates
 * are one write per distinct set of changes, so a failing write is
 * narrowed down here (halving its ids) and only its record is rejected.
 *
 * Ownership: load_odoo_new copies nothing it does not need to outlive the
 * call except the model name and xmlid field, which must outlive the target
 * (they are argv strings); the connection is borrowed.
 */
#ifndef ERPIPE_LOAD_ODOO_H
#define ERPIPE_LOAD_ODOO_H

#include <cJSON.h>

#include "base/err.h"
#include "engine/load.h"
#include "proto/odoo.h"

/* One execute_kw call: args a JSON array, kwargs an object or NULL (both
 * borrowed).  0 with *result (owned by the caller), or -1 with e. */
typedef int (*load_odoo_rpc)(void *conn, const char *model, const char *method, const cJSON *args,
                             const cJSON *kwargs, cJSON **result, struct load_error *e);

struct load_odoo_cfg {
	struct odoo *odoo; /* the connection, as load_bng's bng and load_nav's nav */
	/* Or, with odoo NULL, another execute_kw entry on conn (a fake server
	 * for tests), with load.h's again for it, or NULL */
	load_odoo_rpc call;
	int (*again)(void *conn, int attempt, struct ep_err *err);
	void *conn;
	const char *model;
	const char *xmlid;      /* --xmlid FIELD, or NULL */
	const char *const *key; /* --key fields, checked against the model */
	size_t nkey;
	int hard_delete; /* --deletes hard: unlink even where the model has active */
};

struct load_odoo;

extern const struct load_target load_odoo_target;

/* Reads the model's fields (fields_get).  Fails with the RPC's status (an
 * unknown model, a --key field the model does not have: EP_USAGE). */
struct load_odoo *load_odoo_new(const struct load_odoo_cfg *cfg, struct ep_err *err);
void load_odoo_free(struct load_odoo *lo);

#endif
