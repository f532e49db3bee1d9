#include "connect/load_odoo.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "stream/json_tree.h"
#include "base/keyset.h"
#include "base/log.h"
#include "proto/odoo.h"

#define IMPORT_MODULE "__import__"

struct load_odoo {
	struct load_odoo_cfg cfg;
	cJSON *fields;      /* fields_get: name -> {type, relation, readonly, store} */
	struct keyset fidx; /* name -> its member of fields: a model has hundreds */
	cJSON *sub;         /* model -> its fields_get, for the models of lines */
	int archive; /* _op delete writes active false (the model has it, no --deletes hard) */
};

/* The target's part of an item (--xmlid). */
struct lo_item {
	char *module, *name; /* the external id */
};

static const char *const magic_fields[] = {
	"id",         "display_name", "create_date",   "create_uid",
	"write_date", "write_uid",    "__last_update", NULL,
};

/* ---- small helpers -------------------------------------------------- */

static int
oom(struct load_error *e)
{
	return load_errf(e, EP_SOFTWARE, NULL, "out of memory");
}

static const cJSON *
field(const struct load_odoo *lo, const char *name)
{
	uint64_t v;

	if (name == NULL || keyset_get(&lo->fidx, name, strlen(name), &v) == 0)
		return NULL;
	return (const cJSON *)(uintptr_t)v;
}

static const char *
ftype(const struct load_odoo *lo, const char *name)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(field(lo, name), "type");
	return cJSON_IsString(t) ? t->valuestring : "";
}

static const char *
relation(const struct load_odoo *lo, const char *name)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(field(lo, name), "relation");
	return cJSON_IsString(t) ? t->valuestring : NULL;
}

static int
is_x2many(const char *t)
{
	return strcmp(t, "one2many") == 0 || strcmp(t, "many2many") == 0;
}

static int
is_int(const cJSON *v)
{
	return cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble) &&
	       fabs(v->valuedouble) < 9007199254740992.0;
}

/* Put rep in old's place in obj, under old's name; old is freed. */
static void
replace_member(cJSON *obj, cJSON *old, cJSON *rep)
{
	rep->string = old->string;
	rep->type = (rep->type & ~cJSON_StringIsConst) | (old->type & cJSON_StringIsConst);
	old->string = NULL;
	cJSON_ReplaceItemViaPointer(obj, old, rep);
}

static int
is_magic(const char *name)
{
	for (int i = 0; magic_fields[i]; i++)
		if (strcmp(name, magic_fields[i]) == 0)
			return 1;
	return 0;
}

/* Run one RPC; the arguments are consumed. */
static int
rpc(struct load_odoo *lo, const char *model, const char *method, cJSON *args, cJSON *kwargs,
    cJSON **res, struct load_error *e)
{
	int rc;

	*res = NULL;
	if (args == NULL) {
		cJSON_Delete(kwargs);
		return oom(e);
	}
	rc = lo->cfg.call(lo->cfg.conn, model, method, args, kwargs, res, e);
	cJSON_Delete(args);
	cJSON_Delete(kwargs);
	if (rc == 0 && *res == NULL)
		return load_errf(e, EP_SOFTWARE, NULL, "%s.%s: no result", model, method);
	return rc;
}

/* {"context": {"active_test": false}} plus fields when given */
static cJSON *
kw_all(cJSON *fields)
{
	cJSON *kw = cJSON_CreateObject(), *ctx = cJSON_CreateObject();

	if (kw == NULL || ctx == NULL) {
		cJSON_Delete(kw);
		cJSON_Delete(ctx);
		cJSON_Delete(fields);
		return NULL;
	}
	cJSON_AddItemToObject(kw, "context", ctx);
	cJSON_AddFalseToObject(ctx, "active_test");
	if (fields)
		cJSON_AddItemToObject(kw, "fields", fields);
	return kw;
}

/* [a] / [a, b] as a fresh array, NULL elements skipped; consumes them */
static cJSON *
args_of(cJSON *a, cJSON *b)
{
	cJSON *arr = cJSON_CreateArray();

	if (arr == NULL || (a == NULL && b != NULL)) {
		cJSON_Delete(arr);
		cJSON_Delete(a);
		cJSON_Delete(b);
		return NULL;
	}
	if (a)
		cJSON_AddItemToArray(arr, a);
	if (b)
		cJSON_AddItemToArray(arr, b);
	return arr;
}

static cJSON *
ids_of(struct load_item *const *its, size_t n)
{
	cJSON *ids = cJSON_CreateArray();

	for (size_t i = 0; ids && i < n; i++)
		cJSON_AddItemToArray(ids, cJSON_Duplicate(its[i]->id, 0));
	return ids;
}

/* A domain leaf [field, op, value]; value is consumed. */
static cJSON *
leaf(const char *field, const char *op, cJSON *value)
{
	cJSON *l = cJSON_CreateArray();

	if (l == NULL) {
		cJSON_Delete(value);
		return NULL;
	}
	cJSON_AddItemToArray(l, cJSON_CreateString(field));
	cJSON_AddItemToArray(l, cJSON_CreateString(op));
	cJSON_AddItemToArray(l, value);
	return l;
}

/* OR the group "every member of obj equals its value" into dom (prefix
 * notation: a "|" in front for every group after the first, "&" between
 * the members of one). */
static void
or_group(cJSON *dom, const cJSON *obj, int first)
{
	if (!first)
		cJSON_InsertItemInArray(dom, 0, cJSON_CreateString("|"));
	for (const cJSON *c = obj->child; c; c = c->next) {
		if (c->next)
			cJSON_AddItemToArray(dom, cJSON_CreateString("&"));
		cJSON_AddItemToArray(dom, leaf(c->string, "=", cJSON_Duplicate(c, 1)));
	}
}

/* The ir.model.data domain for these modules and names (consumed), of
 * model when not NULL: rows are matched pair by pair by the caller. */
static cJSON *
imd_domain(const char *model, cJSON *mods, cJSON *names)
{
	cJSON *dom = cJSON_CreateArray();

	if (dom == NULL) {
		cJSON_Delete(mods);
		cJSON_Delete(names);
		return NULL;
	}
	if (model)
		cJSON_AddItemToArray(dom, leaf("model", "=", cJSON_CreateString(model)));
	cJSON_AddItemToArray(dom, leaf("module", "in", mods));
	cJSON_AddItemToArray(dom, leaf("name", "in", names));
	return dom;
}

/* ---- values ---------------------------------------------------------- */

enum m2o_shape { M2O_BAD = -1, M2O_DONE = 0, M2O_NAME, M2O_XMLID, M2O_MATCH };

/* Classify a many2one value; for the shapes known without the server
 * (id, pair, {"id"}), *out is the id or false (a new value). */
static enum m2o_shape
m2o_shape(const cJSON *v, cJSON **out)
{
	const cJSON *id;

	*out = NULL;
	if (v == NULL || cJSON_IsNull(v) || cJSON_IsFalse(v)) {
		*out = cJSON_CreateFalse();
		return M2O_DONE;
	}
	if (is_int(v) && v->valuedouble > 0) {
		*out = cJSON_CreateNumber(v->valuedouble);
		return M2O_DONE;
	}
	if (cJSON_IsString(v))
		return v->valuestring[0] ? M2O_NAME : (*out = cJSON_CreateFalse(), M2O_DONE);
	if (cJSON_IsArray(v)) {
		id = cJSON_GetArrayItem(v, 0);
		if (cJSON_GetArraySize(v) == 2 && is_int(id) && id->valuedouble > 0) {
			*out = cJSON_CreateNumber(id->valuedouble);
			return M2O_DONE;
		}
		return M2O_BAD;
	}
	if (cJSON_IsObject(v)) {
		const cJSON *x = cJSON_GetObjectItemCaseSensitive(v, "xmlid");
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(v, "match");
		id = cJSON_GetObjectItemCaseSensitive(v, "id");
		if (x)
			return cJSON_IsString(x) && x->valuestring[0] ? M2O_XMLID : M2O_BAD;
		if (m)
			return cJSON_IsObject(m) && m->child ? M2O_MATCH : M2O_BAD;
		if (id && (cJSON_IsFalse(id) || cJSON_IsNull(id))) {
			*out = cJSON_CreateFalse();
			return M2O_DONE;
		}
		if (is_int(id) && id->valuedouble > 0) {
			*out = cJSON_CreateNumber(id->valuedouble);
			return M2O_DONE;
		}
	}
	return M2O_BAD;
}

/* Inside line objects: pairs and {"id"} objects become ids, magic fields go.
 * A pair is Odoo's [id, "name"]: a list of two ids ([50, 51]) is a
 * many2many's, and stays a list. */
static void
norm_line(cJSON *obj)
{
	cJSON *c = obj->child;

	while (c) {
		cJSON *next = c->next, *out = NULL;
		if (is_magic(c->string) && strcmp(c->string, "id") != 0) {
			cJSON_Delete(cJSON_DetachItemViaPointer(obj, c));
		} else if (strcmp(c->string, "id") != 0 &&
		           ((cJSON_IsArray(c) && cJSON_IsString(cJSON_GetArrayItem(c, 1))) ||
		            (cJSON_IsObject(c) && cJSON_GetObjectItemCaseSensitive(c, "id"))) &&
		           m2o_shape(c, &out) == M2O_DONE && out) {
			replace_member(obj, c, out);
		} else
			cJSON_Delete(out);
		c = next;
	}
}

/* {"match": {…}} or {"xmlid": "…"}: a reference to resolve, not a line */
static int
is_ref_obj(const cJSON *v)
{
	return cJSON_IsObject(v) && v->child && v->child->next == NULL &&
	       (strcmp(v->child->string, "match") == 0 || strcmp(v->child->string, "xmlid") == 0);
}

/* A list of objects: lines (create or write commands) */
static int
is_line_list(const cJSON *v)
{
	return cJSON_IsArray(v) && v->child && cJSON_IsObject(v->child) && !is_ref_obj(v->child);
}

/* A many2many value of references: ids, {"match"} and {"xmlid"} objects */
static int
is_ref_list(const cJSON *v)
{
	if (!cJSON_IsArray(v))
		return 0;
	for (const cJSON *c = v->child; c; c = c->next)
		if (!is_ref_obj(c) && !(is_int(c) && c->valuedouble > 0))
			return 0;
	return 1;
}

/* The ids of a many2many value given as [[6, 0, ids]], or v itself */
static const cJSON *
set_ids(const cJSON *v)
{
	const cJSON *c = cJSON_IsArray(v) ? v->child : NULL;
	const cJSON *op = cJSON_IsArray(c) ? c->child : NULL;

	if (c && c->next == NULL && is_int(op) && op->valuedouble == 6 &&
	    cJSON_GetArraySize(c) == 3 && cJSON_IsArray(cJSON_GetArrayItem(c, 2)))
		return cJSON_GetArrayItem(c, 2);
	return v;
}

/* Lines -> commands.  Creating: [0, 0, vals] each.  Updating, the lines
 * given become the record's lines, matched by position with the current
 * ones (cur, as lookup read them): a line with an "id", or in the place of
 * a current line, is written [1, id, vals]; one past the current lines is
 * created; current lines past the given ones are deleted [2, id].
 * Returns a new array, NULL on no memory. */
static cJSON *
line_commands(const cJSON *lines, const cJSON *cur, int updating)
{
	cJSON *cmds = cJSON_CreateArray();
	const cJSON *c = cJSON_IsArray(cur) ? cur->child : NULL;

	for (const cJSON *l = lines->child; cmds && l; l = l->next) {
		cJSON *vals = cJSON_Duplicate(l, 1), *cmd = cJSON_CreateArray();
		cJSON *id = vals ? cJSON_DetachItemFromObjectCaseSensitive(vals, "id") : NULL;
		const cJSON *cid = c ? cJSON_GetObjectItemCaseSensitive(c, "id") : NULL;
		if (vals == NULL || cmd == NULL || !cJSON_IsObject(l)) {
			cJSON_Delete(vals);
			cJSON_Delete(cmd);
			cJSON_Delete(id);
			if (!cJSON_IsObject(l))
				continue;
			cJSON_Delete(cmds);
			return NULL;
		}
		norm_line(vals);
		if (updating && (is_int(id) || is_int(cid))) {
			cJSON_AddItemToArray(cmd, cJSON_CreateNumber(1));
			cJSON_AddItemToArray(cmd,
			                     cJSON_CreateNumber(is_int(id) ? id->valuedouble
			                                                   : cid->valuedouble));
		} else {
			cJSON_AddItemToArray(cmd, cJSON_CreateNumber(0));
			cJSON_AddItemToArray(cmd, cJSON_CreateNumber(0));
		}
		cJSON_AddItemToArray(cmd, vals);
		cJSON_AddItemToArray(cmds, cmd);
		cJSON_Delete(id);
		if (c)
			c = c->next;
	}
	for (; updating && cmds && c; c = c->next) {
		const cJSON *cid = cJSON_GetObjectItemCaseSensitive(c, "id");
		cJSON *cmd = cJSON_CreateArray();
		if (!is_int(cid) || cmd == NULL) {
			cJSON_Delete(cmd);
			continue;
		}
		cJSON_AddItemToArray(cmd, cJSON_CreateNumber(2));
		cJSON_AddItemToArray(cmd, cJSON_CreateNumber(cid->valuedouble));
		cJSON_AddItemToArray(cmds, cmd);
	}
	return cmds;
}

/* The values to send: a copy of vals with lines made commands (cur: the
 * record as lookup read it, when updating). */
static cJSON *
wire_vals(const struct load_odoo *lo, const cJSON *vals, const cJSON *cur, int updating)
{
	cJSON *out = cJSON_Duplicate(vals, 1);

	for (cJSON *c = out ? out->child : NULL; c; c = c->next) {
		if (is_x2many(ftype(lo, c->string)) && is_line_list(c)) {
			cJSON *cmds = line_commands(
				c, cur ? cJSON_GetObjectItemCaseSensitive(cur, c->string) : NULL,
				updating);
			if (cmds == NULL) {
				cJSON_Delete(out);
				return NULL;
			}
			replace_member(out, c, cmds);
			c = cmds;
		}
	}
	return out;
}

/* Numbers are equal when they are the same double: both sides print them
 * exactly (json_tree_print, xmlrpc), and a tolerance here would call
 * 1000000000.5 unchanged from 1000000000 and 5e-324 kept as 0. */
static int
num_equal(double a, double b)
{
	return a == b;
}

static int
empty(const cJSON *v)
{
	return v == NULL || cJSON_IsNull(v) || cJSON_IsFalse(v) ||
	       (cJSON_IsString(v) && v->valuestring[0] == '\0');
}

/* datetimes: "2026-01-05T10:00:00Z" equals "2026-01-05 10:00:00" */
static int
datetime_equal(const char *a, const char *b)
{
	size_t i;

	for (i = 0; i < 19 && a[i] && b[i]; i++) {
		char x = a[i] == 'T' ? ' ' : a[i], y = b[i] == 'T' ? ' ' : b[i];
		if (x != y)
			return 0;
	}
	if (i < 19)
		return a[i] == b[i];
	/* past the seconds: only a "Z" or ".000…" may follow */
	for (const char *s = a + 19; *s; s++)
		if (*s != 'Z' && *s != '0' && *s != '.')
			return 0;
	for (const char *s = b + 19; *s; s++)
		if (*s != 'Z' && *s != '0' && *s != '.')
			return 0;
	return 1;
}

static int
id_set_equal(const cJSON *a, const cJSON *b)
{
	int na = cJSON_GetArraySize(a), nb = cJSON_GetArraySize(b);

	for (const cJSON *x = a->child; x; x = x->next)
		if (!is_int(x))
			return 0;
	for (const cJSON *x = b->child; x; x = x->next)
		if (!is_int(x))
			return 0;
	/* as sets: every a in b and every b in a (lists are short) */
	for (const cJSON *x = a->child; x; x = x->next) {
		const cJSON *y;
		for (y = b->child; y && y->valuedouble != x->valuedouble; y = y->next)
			;
		if (y == NULL)
			return 0;
	}
	for (const cJSON *y = b->child; y; y = y->next) {
		const cJSON *x;
		for (x = a->child; x && x->valuedouble != y->valuedouble; x = x->next)
			;
		if (x == NULL)
			return 0;
	}
	(void)na;
	(void)nb;
	return 1;
}

static int
value_same(const char *type, const cJSON *given, const cJSON *cur)
{
	if (strcmp(type, "many2one") == 0) {
		if (empty(given) || empty(cur))
			return empty(given) && empty(cur);
		if (cJSON_IsArray(cur))
			cur = cJSON_GetArrayItem(cur, 0);
		return is_int(given) && is_int(cur) && given->valuedouble == cur->valuedouble;
	}
	if (is_x2many(type)) {
		given = set_ids(given);
		if (empty(given) || (cJSON_IsArray(given) && given->child == NULL))
			return cJSON_IsArray(cur) ? cur->child == NULL : empty(cur);
		return cJSON_IsArray(given) && cJSON_IsArray(cur) && id_set_equal(given, cur);
	}
	if (strcmp(type, "boolean") == 0)
		return cJSON_IsTrue(given) == cJSON_IsTrue(cur);
	if (cJSON_IsNumber(given) && cJSON_IsNumber(cur))
		return num_equal(given->valuedouble, cur->valuedouble);
	if (strcmp(type, "integer") == 0 || strcmp(type, "float") == 0 ||
	    strcmp(type, "monetary") == 0) {
		/* unset numbers read back as 0 */
		if (empty(given) && cJSON_IsNumber(cur))
			return cur->valuedouble == 0;
		return 0;
	}
	if (empty(given) || empty(cur))
		return empty(given) && empty(cur);
	if (cJSON_IsString(given) && cJSON_IsString(cur)) {
		if (strcmp(type, "datetime") == 0)
			return datetime_equal(given->valuestring, cur->valuestring);
		return strcmp(given->valuestring, cur->valuestring) == 0;
	}
	return json_tree_equal(given, cur);
}

/* The type of field name of model rel, from the lines' fields cache ("" when
 * unknown). */
static const char *
sub_type(const struct load_odoo *lo, const char *rel, const char *name)
{
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(lo->sub, rel), name);
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(f, "type");
	return cJSON_IsString(t) ? t->valuestring : "";
}

/* The fields of model rel, into the cache (for comparing lines and resolving their many2ones). */
static int
sub_fields(struct load_odoo *lo, const char *rel, struct load_error *e)
{
	cJSON *kw, *res = NULL;

	if (cJSON_GetObjectItemCaseSensitive(lo->sub, rel))
		return 0;
	kw = cJSON_Parse("{\"attributes\":[\"type\",\"relation\"]}");
	if (rpc(lo, rel, "fields_get", cJSON_CreateArray(), kw, &res, e) < 0)
		return -1;
	if (!cJSON_IsObject(res)) {
		cJSON_Delete(res);
		return load_errf(e, EP_SOFTWARE, NULL, "%s.fields_get: not an object", rel);
	}
	cJSON_AddItemToObject(lo->sub, rel, res);
	return 0;
}

/* The relation model of field name of model rel, from the same cache. */
static const char *
sub_relation(const struct load_odoo *lo, const char *rel, const char *name)
{
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(lo->sub, rel), name);
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(f, "relation");
	return cJSON_IsString(t) ? t->valuestring : NULL;
}

/* Lines given against the lines read (objects with their ids), by
 * position: the same count, and each given field equal. */
static int
lines_same(const struct load_odoo *lo, const char *rel, const cJSON *given, const cJSON *cur)
{
	const cJSON *c;

	if (!cJSON_IsArray(cur) || cJSON_GetArraySize(given) != cJSON_GetArraySize(cur))
		return 0;
	c = cur->child;
	for (const cJSON *g = given->child; g; g = g->next, c = c->next) {
		if (!cJSON_IsObject(g) || !cJSON_IsObject(c))
			return 0;
		for (const cJSON *f = g->child; f; f = f->next) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, f->string);
			if (is_magic(f->string) && strcmp(f->string, "id") != 0)
				continue;
			if (v == NULL || !value_same(sub_type(lo, rel, f->string), f, v))
				return 0;
		}
	}
	return 1;
}

static int
lo_same(void *t, const struct load_item *it, const char *name, const cJSON *given, const cJSON *cur)
{
	struct load_odoo *lo = t;
	const char *rel = relation(lo, name);

	(void)it;
	if (is_line_list(given) && rel)
		return lines_same(lo, rel, given, cur);
	return value_same(ftype(lo, name), given, cur);
}

/* ---- check: one record, no network ---------------------------------- */

static int
split_xmlid(struct lo_item *ti, const char *x)
{
	const char *dot = strchr(x, '.');

	if (dot) {
		ti->module = strndup(x, (size_t)(dot - x));
		ti->name = strdup(dot + 1);
	} else {
		ti->module = strdup(IMPORT_MODULE);
		ti->name = strdup(x);
	}
	return ti->module && ti->name ? 0 : -1;
}

/* Normalise the key's many2one values too, so the key matches what is
 * read back. */
static int
norm_key(struct load_odoo *lo, struct load_item *it)
{
	for (cJSON *c = it->key ? it->key->child : NULL; c; c = c->next) {
		cJSON *out = NULL;
		if (strcmp(ftype(lo, c->string), "many2one") != 0)
			continue;
		if (m2o_shape(c, &out) != M2O_DONE || out == NULL) {
			cJSON_Delete(out);
			load_item_reject(
				it, NULL,
				"key field '%s': a many2one key must be an id or [id, name]",
				c->string);
			return 0;
		}
		replace_member(it->key, c, out);
		c = out;
	}
	return 0;
}

static int
lo_check(void *t, struct load_item *it, struct load_error *e)
{
	struct load_odoo *lo = t;
	cJSON *c, *next;

	if (lo->cfg.xmlid) {
		struct lo_item *ti;
		cJSON *x = cJSON_DetachItemFromObjectCaseSensitive(it->rec, lo->cfg.xmlid);
		if (empty(x) &&
		    (it->op == LOAD_CREATE ||
		     (it->key && !cJSON_GetObjectItemCaseSensitive(it->key, lo->cfg.xmlid)))) {
			/* a create needs no external id; a record with its own _key
			 * (a partner known by its id) is found by that key */
			cJSON_Delete(x);
			goto fields;
		}
		if (!cJSON_IsString(x) || x->valuestring[0] == '\0' ||
		    x->valuestring[strlen(x->valuestring) - 1] == '.') {
			cJSON_Delete(x);
			load_item_reject(it, NULL, "--xmlid %s: not an external id", lo->cfg.xmlid);
			return 0;
		}
		if ((ti = calloc(1, sizeof(*ti))) == NULL || split_xmlid(ti, x->valuestring) < 0) {
			if (ti) {
				free(ti->module);
				free(ti->name);
			}
			free(ti);
			cJSON_Delete(x);
			return oom(e);
		}
		it->tdata = ti;
		cJSON_Delete(x);
	}
fields:
	if (norm_key(lo, it) < 0 || it->status == LOAD_REJECTED)
		return 0;
	for (c = it->rec->child; c; c = next) {
		const cJSON *f = field(lo, c->string);
		const char *type;
		next = c->next;
		if (is_magic(c->string)) {
			cJSON_Delete(cJSON_DetachItemViaPointer(it->rec, c));
			continue;
		}
		if (f == NULL) {
			load_item_reject(it, NULL, "%s has no field '%s'", lo->cfg.model,
			                 c->string);
			return 0;
		}
		if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(f, "store")) &&
		    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(f, "readonly"))) {
			cJSON_Delete(cJSON_DetachItemViaPointer(it->rec, c));
			continue; /* computed, not stored: Odoo ignores it */
		}
		type = ftype(lo, c->string);
		if (strcmp(type, "many2one") == 0) {
			cJSON *out = NULL;
			switch (m2o_shape(c, &out)) {
			case M2O_DONE:
				if (out == NULL)
					return oom(e);
				replace_member(it->rec, c, out);
				break;
			case M2O_BAD:
				load_item_reject(it, NULL,
				                 "'%s': not a many2one value (an id, [id, name], "
				                 "{\"id\"}, a name, {\"xmlid\"} or {\"match\"})",
				                 c->string);
				return 0;
			default:
				break; /* resolved with the batch */
			}
		} else if (is_x2many(type) && !empty(c) && !cJSON_IsArray(c)) {
			load_item_reject(it, NULL, "'%s': not a list (of ids, commands or lines)",
			                 c->string);
			return 0;
		} else if (is_x2many(type) && cJSON_IsArray(c) && is_ref_obj(c->child) &&
		           (strcmp(type, "many2many") != 0 || !is_ref_list(c))) {
			load_item_reject(
				it, NULL,
				"'%s': a list of references (ids, {\"match\"}, {\"xmlid\"}) "
				"is for a many2many, all of one kind",
				c->string);
			return 0;
		} else if (is_x2many(type) && is_line_list(c)) {
			for (cJSON *l = c->child; l; l = l->next) {
				if (!cJSON_IsObject(l)) {
					load_item_reject(it, NULL,
					                 "'%s': lines are all objects or none",
					                 c->string);
					return 0;
				}
				norm_line(l);
			}
		}
	}
	return 0;
}

/* ---- resolve: many2one by name, xmlid or match, for the batch --------- */

/* One reference waiting for an id. */
struct ref {
	struct load_item *it;
	cJSON *parent; /* the object value is a member of: it->rec or a line */
	const char *field;
	const char *rel;
	enum m2o_shape shape;
	cJSON *value; /* in it->rec; NULL once resolved */
	char *fset;   /* match: its field set ("a,b,"), kept once value goes */
	int seen;     /* resolve_search ran for its kind */
};

static void
set_ref(struct ref *r, double id)
{
	cJSON *n = cJSON_CreateNumber(id);

	if (n)
		replace_member(r->parent, r->value, n);
	r->value = NULL;
}

/* Does an item before it in its, still to be written, carry this external
 * id (--xmlid)?  Then it waits for that one to be created. */
static int
created_earlier(const struct load_odoo *lo, struct load_item *const *its, size_t nits,
                const struct load_item *it, const char *rel, const char *mod, size_t mlen,
                const char *name)
{
	if (!lo->cfg.xmlid || strcmp(rel, lo->cfg.model) != 0)
		return 0;
	for (size_t j = 0; j < nits && its[j] != it; j++) {
		const struct lo_item *ti = its[j]->tdata;
		if (ti && its[j]->status == LOAD_PENDING && strlen(ti->module) == mlen &&
		    strncmp(ti->module, mod, mlen) == 0 && strcmp(ti->name, name) == 0)
			return 1;
	}
	return 0;
}

static int
resolve_xmlids(struct load_odoo *lo, struct load_item *const *its, size_t nits, struct ref *refs,
               size_t n, struct load_error *e)
{
	cJSON *mods = cJSON_CreateArray(), *names = cJSON_CreateArray(), *dom, *res = NULL;
	int rc;

	for (size_t i = 0; i < n; i++) {
		struct lo_item ti = { 0 };
		if (refs[i].shape != M2O_XMLID)
			continue;
		if (split_xmlid(&ti, cJSON_GetObjectItemCaseSensitive(refs[i].value, "xmlid")
		                             ->valuestring) < 0) {
			free(ti.module);
			free(ti.name);
			cJSON_Delete(mods);
			cJSON_Delete(names);
			return oom(e);
		}
		cJSON_AddItemToArray(mods, cJSON_CreateString(ti.module));
		cJSON_AddItemToArray(names, cJSON_CreateString(ti.name));
		free(ti.module);
		free(ti.name);
	}
	if (names->child == NULL) {
		cJSON_Delete(mods);
		cJSON_Delete(names);
		return 0;
	}
	dom = imd_domain(NULL, mods, names);
	rc = rpc(lo, "ir.model.data", "search_read", args_of(dom, NULL),
	         kw_all(cJSON_Parse("[\"module\",\"name\",\"model\",\"res_id\"]")), &res, e);
	if (rc < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char *x, *dot;
		size_t mlen;
		const char *mod, *name;
		int found = 0;
		if (refs[i].shape != M2O_XMLID)
			continue;
		x = cJSON_GetObjectItemCaseSensitive(refs[i].value, "xmlid")->valuestring;
		dot = strchr(x, '.');
		mod = dot ? x : IMPORT_MODULE;
		mlen = dot ? (size_t)(dot - x) : strlen(IMPORT_MODULE);
		name = dot ? dot + 1 : x;
		for (cJSON *r = res->child; r; r = r->next) {
			const cJSON *rm = cJSON_GetObjectItemCaseSensitive(r, "module");
			const cJSON *rn = cJSON_GetObjectItemCaseSensitive(r, "name");
			const cJSON *rmod = cJSON_GetObjectItemCaseSensitive(r, "model");
			const cJSON *rid = cJSON_GetObjectItemCaseSensitive(r, "res_id");
			if (!cJSON_IsString(rm) || !cJSON_IsString(rn) || !cJSON_IsString(rmod) ||
			    strlen(rm->valuestring) != mlen ||
			    strncmp(rm->valuestring, mod, mlen) || strcmp(rn->valuestring, name))
				continue;
			if (strcmp(rmod->valuestring, refs[i].rel) != 0) {
				load_item_reject(refs[i].it, NULL,
				                 "'%s': external id '%s' is a %s, not a %s",
				                 refs[i].field, x, rmod->valuestring, refs[i].rel);
				found = 1;
				break;
			}
			if (!is_int(rid) || rid->valuedouble <= 0)
				break;
			set_ref(&refs[i], rid->valuedouble);
			found = 1;
			break;
		}
		if (!found &&
		    created_earlier(lo, its, nits, refs[i].it, refs[i].rel, mod, mlen, name))
			refs[i].it->wait = 1;
		else if (!found)
			load_item_reject(refs[i].it, NULL, "'%s': no %s with external id '%s'",
			                 refs[i].field, refs[i].rel, x);
	}
	cJSON_Delete(res);
	return 0;
}

/* Does an item before it in its, still to be created in the model, hold
 * the values of match (or the name)?  Then it waits for that one. */
static int
matched_earlier(const struct load_odoo *lo, struct load_item *const *its, size_t nits,
                const struct load_item *it, const char *rel, const cJSON *match, const cJSON *name)
{
	if (strcmp(rel, lo->cfg.model) != 0)
		return 0;
	for (size_t j = 0; j < nits && its[j] != it; j++) {
		int same = its[j]->status == LOAD_PENDING && its[j]->op != LOAD_DELETE;
		if (same && name) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(its[j]->rec, "name");
			same = cJSON_IsString(v) && strcmp(v->valuestring, name->valuestring) == 0;
		}
		for (const cJSON *c = match ? match->child : NULL; same && c; c = c->next)
			same = value_same(ftype(lo, c->string), c,
			                  cJSON_GetObjectItemCaseSensitive(its[j]->rec, c->string));
		if (same)
			return 1;
	}
	return 0;
}

/* "a,b," for {"match": {"a": …, "b": …}}: the field set of a match. */
static const char *
fieldset(const cJSON *match, struct buf *b)
{
	buf_reset(b);
	for (const cJSON *c = match ? match->child : NULL; c; c = c->next)
		buf_addf(b, "%s,", c->string);
	return buf_str(b);
}

/* The conditions of one search, told apart by their text: many records
 * naming the same country are one condition, sent once. */
struct cond {
	const cJSON *m; /* the match object, or the name (a string) */
	char *text;     /* its canonical text */
	cJSON *hits;    /* the rows found for it */
};

/* Conditions per call: a domain ORs them, and a server refuses a domain
 * nested past a depth (Odoo parses "|" prefixes recursively); a single
 * field's values go in one "in" leaf, which does not nest. */
#define MATCH_OR_CHUNK 50
#define MATCH_IN_CHUNK 500

/* Does row r hold every value of match m? */
static int
row_matches(const cJSON *m, const cJSON *r)
{
	for (const cJSON *c = m->child; c; c = c->next) {
		const cJSON *cur = cJSON_GetObjectItemCaseSensitive(r, c->string);
		if (!cur || !value_same(cJSON_IsArray(cur) ? "many2one" : "", c, cur))
			return 0;
	}
	return 1;
}

enum cond_kind { COND_OR, COND_IN, COND_DOTTED };

/* How conditions of one shape and field set are searched: names and a
 * single field's plain values with "in", a related record's field one
 * condition at a time, the rest as ORed groups. */
static enum cond_kind
cond_kind(enum m2o_shape shape, const struct cond *conds, size_t n)
{
	const cJSON *m0 = n ? conds[0].m : NULL;

	if (shape == M2O_NAME || m0 == NULL)
		return COND_IN;
	for (const cJSON *c = m0->child; c; c = c->next)
		if (strchr(c->string, '.'))
			return COND_DOTTED;
	if (m0->child->next)
		return COND_OR;
	for (size_t i = 0; i < n; i++)
		if (!cJSON_IsString(conds[i].m->child) && !cJSON_IsNumber(conds[i].m->child))
			return COND_OR;
	return COND_IN;
}

/* One search_read of rel for conds[0..n) (all of one shape and field set),
 * with active_test off when all is set; each condition gets the rows it
 * matches added to its hits. */
static int
search_chunk(struct load_odoo *lo, const char *rel, enum m2o_shape shape, struct cond *conds,
             size_t n, int all, struct load_error *e)
{
	cJSON *dom = cJSON_CreateArray(), *fields = cJSON_CreateArray(), *kw, *res = NULL;
	const cJSON *m0 = conds[0].m;
	enum cond_kind kind = cond_kind(shape, conds, n);

	if (dom == NULL || fields == NULL) {
		cJSON_Delete(dom);
		cJSON_Delete(fields);
		return oom(e);
	}
	if (shape == M2O_NAME) {
		cJSON *names = cJSON_CreateArray();
		for (size_t i = 0; names && i < n; i++)
			cJSON_AddItemToArray(names, cJSON_CreateString(conds[i].m->valuestring));
		cJSON_AddItemToArray(dom, leaf("display_name", "in", names));
		cJSON_AddItemToArray(fields, cJSON_CreateString("display_name"));
	} else {
		if (kind == COND_DOTTED) {
			/* a related record's field cannot be read back to tell
			 * which row is whose: one condition per call, every row
			 * a hit */
			for (const cJSON *c = m0->child; c; c = c->next)
				cJSON_AddItemToArray(dom,
				                     leaf(c->string, "=", cJSON_Duplicate(c, 1)));
		} else if (kind == COND_IN) {
			cJSON *vals = cJSON_CreateArray();
			for (size_t i = 0; vals && i < n; i++)
				cJSON_AddItemToArray(vals, cJSON_Duplicate(conds[i].m->child, 1));
			cJSON_AddItemToArray(dom, leaf(m0->child->string, "in", vals));
		} else {
			for (size_t i = 0; i < n; i++)
				or_group(dom, conds[i].m, i == 0);
		}
		if (kind == COND_DOTTED) /* the ids alone: [] would read every field */
			cJSON_AddItemToArray(fields, cJSON_CreateString("id"));
		else
			for (const cJSON *c = m0->child; c; c = c->next)
				cJSON_AddItemToArray(fields, cJSON_CreateString(c->string));
	}
	if (all)
		kw = kw_all(fields);
	else if ((kw = cJSON_CreateObject()) != NULL)
		cJSON_AddItemToObject(kw, "fields", fields);
	else
		cJSON_Delete(fields);
	if (kw == NULL) {
		cJSON_Delete(dom);
		return oom(e);
	}
	if (rpc(lo, rel, "search_read", args_of(dom, NULL), kw, &res, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		for (cJSON *r = res->child; r; r = r->next) {
			int same;
			if (shape == M2O_NAME) {
				const cJSON *dn =
					cJSON_GetObjectItemCaseSensitive(r, "display_name");
				same = cJSON_IsString(dn) &&
				       strcmp(dn->valuestring, conds[i].m->valuestring) == 0;
			} else
				same = kind == COND_DOTTED || row_matches(conds[i].m, r);
			if (same)
				cJSON_AddItemToArray(conds[i].hits, cJSON_Duplicate(r, 1));
		}
	cJSON_Delete(res);
	return 0;
}

/* Search the conditions that want it (all of them, or with only those
 * still without hits), in chunks. */
static int
search_conds(struct load_odoo *lo, const char *rel, enum m2o_shape shape, struct cond *conds,
             size_t nc, int all, struct load_error *e)
{
	struct cond *todo = malloc((nc ? nc : 1) * sizeof(*todo));
	size_t nt = 0, step;
	int rc = 0;
	enum cond_kind kind;

	if (todo == NULL)
		return oom(e);
	for (size_t i = 0; i < nc; i++)
		if (!all || cJSON_GetArraySize(conds[i].hits) == 0)
			todo[nt++] = conds[i];
	if (nt == 0) {
		free(todo);
		return 0;
	}
	kind = cond_kind(shape, todo, nt);
	step = kind == COND_DOTTED ? 1 : kind == COND_IN ? MATCH_IN_CHUNK : MATCH_OR_CHUNK;
	for (size_t i = 0; rc == 0 && i < nt; i += step)
		rc = search_chunk(lo, rel, shape, todo + i, nt - i < step ? nt - i : step, all, e);
	free(todo);
	return rc;
}

/* By display name, or by {"match": {...}}, for the refs of one relation
 * model and shape (and, for match, one set of fields): one condition per
 * distinct value, searched in chunks; a condition nothing active meets is
 * searched again among the archived records, to say so. */
static int
resolve_search(struct load_odoo *lo, struct load_item *const *its, size_t nits, struct ref *refs,
               size_t n, const char *rel, enum m2o_shape shape, const char *fset,
               struct load_error *e)
{
	struct cond *conds = calloc(n ? n : 1, sizeof(*conds));
	size_t *of = calloc(n ? n : 1, sizeof(*of)), nc = 0;
	struct buf fb = BUF_INIT;
	int rc = 0, misses = 0;

	if (conds == NULL || of == NULL) {
		free(conds);
		free(of);
		return oom(e);
	}
	for (size_t i = 0; i < n; i++) {
		const cJSON *m;
		char *text;
		size_t k;
		of[i] = SIZE_MAX;
		if (!refs[i].value || refs[i].shape != shape || strcmp(refs[i].rel, rel))
			continue;
		if (shape == M2O_MATCH) {
			m = cJSON_GetObjectItemCaseSensitive(refs[i].value, "match");
			if (strcmp(fieldset(m, &fb), fset) != 0)
				continue; /* another field set's turn */
			text = json_tree_print(m);
		} else {
			m = refs[i].value;
			text = strdup(m->valuestring);
		}
		if (text == NULL) {
			rc = oom(e);
			goto out;
		}
		for (k = 0; k < nc && strcmp(conds[k].text, text) != 0; k++)
			;
		if (k == nc) {
			conds[nc].m = m;
			conds[nc].text = text;
			if ((conds[nc++].hits = cJSON_CreateArray()) == NULL) {
				rc = oom(e);
				goto out;
			}
		} else
			free(text);
		of[i] = k;
	}
	if ((rc = search_conds(lo, rel, shape, conds, nc, 0, e)) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		const cJSON *h;
		int hits;
		if (of[i] == SIZE_MAX)
			continue;
		h = conds[of[i]].hits;
		hits = cJSON_GetArraySize(h);
		if (hits == 1 && is_int(cJSON_GetObjectItemCaseSensitive(h->child, "id")))
			set_ref(&refs[i],
			        cJSON_GetObjectItemCaseSensitive(h->child, "id")->valuedouble);
		else if (hits == 0 && matched_earlier(lo, its, nits, refs[i].it, rel,
		                                      shape == M2O_NAME ? NULL : conds[of[i]].m,
		                                      shape == M2O_NAME ? refs[i].value : NULL))
			refs[i].it->wait = 1;
		else if (hits == 0)
			misses = 1;
		else if (shape == M2O_NAME)
			load_item_reject(refs[i].it, NULL, "'%s': several %s named '%s'",
			                 refs[i].field, rel, conds[of[i]].text);
		else
			load_item_reject(refs[i].it, NULL, "'%s': more than one %s matches %s",
			                 refs[i].field, rel, conds[of[i]].text);
	}
	if (!misses)
		goto out;
	/* the archived ones: hidden from a search unless active_test is off */
	if ((rc = search_conds(lo, rel, shape, conds, nc, 1, e)) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		const struct cond *c;
		const cJSON *id;
		if (of[i] == SIZE_MAX || !refs[i].value || refs[i].it->wait)
			continue;
		c = &conds[of[i]];
		id = cJSON_GetObjectItemCaseSensitive(c->hits->child, "id");
		if (cJSON_GetArraySize(c->hits) == 0)
			load_item_reject(refs[i].it, NULL,
			                 shape == M2O_NAME ? "'%s': no %s named '%s'"
			                                   : "'%s': no %s matches %s",
			                 refs[i].field, rel, c->text);
		else if (shape == M2O_NAME)
			load_item_reject(refs[i].it, NULL,
			                 "'%s': the %s named '%s' is archived (id %.0f): "
			                 "unarchive it in Odoo, or name another",
			                 refs[i].field, rel, c->text, id ? id->valuedouble : 0);
		else
			load_item_reject(refs[i].it, NULL,
			                 "'%s': the %s matching %s is archived (id %.0f): "
			                 "unarchive it in Odoo, or match another",
			                 refs[i].field, rel, c->text, id ? id->valuedouble : 0);
	}
out:
	for (size_t k = 0; k < nc; k++) {
		free(conds[k].text);
		cJSON_Delete(conds[k].hits);
	}
	free(conds);
	free(of);
	buf_release(&fb);
	return rc;
}

/* A many2one member c of obj (a record or one of its lines), or an item c
 * of many2many list obj, that waits for the server: add it to refs.  field
 * names it, rel is its relation model. */
static int
add_ref(struct ref **refs, size_t *nref, size_t *cap, struct load_item *it, cJSON *obj, cJSON *c,
        const char *field, const char *rel, struct load_error *e)
{
	cJSON *out = NULL;
	enum m2o_shape s = m2o_shape(c, &out);

	cJSON_Delete(out);
	if (s != M2O_NAME && s != M2O_XMLID && s != M2O_MATCH)
		return 0;
	if (*nref == *cap) {
		struct ref *r = realloc(*refs, (*cap = *cap ? 2 * *cap : 16) * sizeof(*r));
		if (r == NULL)
			return oom(e);
		*refs = r;
	}
	(*refs)[*nref] = (struct ref){ it, obj, field, rel, s, c, NULL, 0 };
	if (s == M2O_MATCH) {
		struct buf b = BUF_INIT;
		fieldset(cJSON_GetObjectItemCaseSensitive(c, "match"), &b);
		if (((*refs)[*nref].fset = buf_detach(&b, NULL)) == NULL)
			return oom(e);
	}
	(*nref)++;
	return 0;
}

/* The {"match"} and {"xmlid"} items of many2many list f: add them to refs */
static int
add_list_refs(struct ref **refs, size_t *nref, size_t *cap, struct load_item *it, cJSON *f,
              const char *rel, struct load_error *e)
{
	for (cJSON *c = f->child; c; c = c->next)
		if (is_ref_obj(c) && add_ref(refs, nref, cap, it, f, c, f->string, rel, e) < 0)
			return -1;
	return 0;
}

/* The values object of a line: a line object, or the vals of a create
 * [0, 0, vals] or write [1, id, vals] command; NULL for anything else. */
static cJSON *
line_vals(cJSON *l)
{
	const cJSON *op = cJSON_GetArrayItem(l, 0);
	cJSON *v;

	if (cJSON_IsObject(l))
		return l;
	if (!cJSON_IsArray(l) || cJSON_GetArraySize(l) != 3 || !is_int(op) ||
	    (op->valuedouble != 0 && op->valuedouble != 1))
		return NULL;
	v = cJSON_GetArrayItem(l, 2);
	return cJSON_IsObject(v) ? v : NULL;
}

/* The many2ones of the lines of x2many field f of a record that wait for
 * the server, as at the top level; the line model's fields are read once. */
static int
add_line_refs(struct load_odoo *lo, struct ref **refs, size_t *nref, size_t *cap,
              struct load_item *it, cJSON *f, struct load_error *e)
{
	const char *rel = relation(lo, f->string);

	if (rel == NULL || !cJSON_IsArray(f))
		return 0;
	for (cJSON *l = f->child; l; l = l->next) {
		cJSON *vals = line_vals(l);
		for (cJSON *c = vals ? vals->child : NULL; c; c = c->next) {
			const char *t;
			if (!cJSON_IsString(c) && !cJSON_IsObject(c) && !cJSON_IsArray(c))
				continue;
			if (sub_fields(lo, rel, e) < 0)
				return -1;
			t = sub_type(lo, rel, c->string);
			if (strcmp(t, "many2one") == 0 && !cJSON_IsArray(c)) {
				if (add_ref(refs, nref, cap, it, vals, c, c->string,
				            sub_relation(lo, rel, c->string), e) < 0)
					return -1;
			} else if (strcmp(t, "many2many") == 0 && is_ref_list(c)) {
				if (add_list_refs(refs, nref, cap, it, c,
				                  sub_relation(lo, rel, c->string), e) < 0)
					return -1;
			}
		}
	}
	return 0;
}

static int
lo_resolve(void *t, struct load_item *const *its, size_t n, struct load_error *e)
{
	struct load_odoo *lo = t;
	struct ref *refs = NULL;
	size_t nref = 0, cap = 0;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < n; i++)
		for (cJSON *c = its[i]->rec->child; rc == 0 && c; c = c->next) {
			const char *type = ftype(lo, c->string);
			if (strcmp(type, "many2one") == 0)
				rc = add_ref(&refs, &nref, &cap, its[i], its[i]->rec, c, c->string,
				             relation(lo, c->string), e);
			else if (strcmp(type, "many2many") == 0 && is_ref_list(c))
				rc = add_list_refs(&refs, &nref, &cap, its[i], c,
				                   relation(lo, c->string), e);
			else if (is_x2many(type))
				rc = add_line_refs(lo, &refs, &nref, &cap, its[i], c, e);
		}
	if (rc < 0 || nref == 0)
		goto out;
	for (size_t i = 0; i < nref; i++)
		if (refs[i].rel == NULL) {
			load_item_reject(refs[i].it, NULL, "'%s': no relation model",
			                 refs[i].field);
			refs[i].value = NULL;
		}
	rc = resolve_xmlids(lo, its, n, refs, nref, e);
	/* names and matches: one search per relation model (and match field
	 * set), taken in the order they first appear */
	for (size_t i = 0; rc == 0 && i < nref; i++) {
		int done = 0;
		if (refs[i].value == NULL || refs[i].shape == M2O_XMLID ||
		    refs[i].it->status == LOAD_REJECTED)
			continue;
		/* an earlier ref of the same kind was searched with this one */
		for (size_t j = 0; j < i && !done; j++)
			done = refs[j].seen && refs[j].shape == refs[i].shape &&
			       strcmp(refs[j].rel, refs[i].rel) == 0 &&
			       (refs[j].shape != M2O_MATCH ||
			        strcmp(refs[j].fset, refs[i].fset) == 0);
		refs[i].seen = 1;
		if (!done)
			rc = resolve_search(lo, its, n, refs, nref, refs[i].rel, refs[i].shape,
			                    refs[i].fset ? refs[i].fset : "", e);
	}
out:
	for (size_t i = 0; i < nref; i++)
		free(refs[i].fset);
	free(refs);
	return rc;
}

/* ---- lookup ------------------------------------------------------------ */

/* Field names of the batch's records (and the key fields) to read back. */
static cJSON *
read_fields(struct load_item *const *its, size_t n, const struct load_odoo *lo)
{
	cJSON *names = cJSON_CreateArray();

	for (size_t i = 0; names && i < n; i++) {
		for (cJSON *c = its[i]->rec->child; c; c = c->next) {
			int seen = 0;
			for (cJSON *x = names->child; x && !seen; x = x->next)
				seen = strcmp(x->valuestring, c->string) == 0;
			if (!seen)
				cJSON_AddItemToArray(names, cJSON_CreateString(c->string));
		}
		for (cJSON *c = its[i]->key ? its[i]->key->child : NULL; c; c = c->next) {
			int seen = 0;
			if (lo->cfg.xmlid || !field(lo, c->string))
				break;
			for (cJSON *x = names->child; x && !seen; x = x->next)
				seen = strcmp(x->valuestring, c->string) == 0;
			if (!seen)
				cJSON_AddItemToArray(names, cJSON_CreateString(c->string));
		}
	}
	for (size_t i = 0; names && lo->archive && i < n; i++)
		if (its[i]->op == LOAD_DELETE) {
			cJSON_AddItemToArray(names, cJSON_CreateString("active"));
			break;
		}
	if (names && names->child == NULL)
		cJSON_AddItemToArray(names, cJSON_CreateString("id"));
	return names;
}

/* The key of a record read back, as the items' keys are printed. */
static char *
key_text_of(const struct load_odoo *lo, const cJSON *key, const cJSON *rec)
{
	cJSON *k = cJSON_CreateObject();
	char *s;

	for (const cJSON *c = key->child; k && c; c = c->next) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, c->string);
		cJSON *d;
		if (v && cJSON_IsArray(v) && strcmp(ftype(lo, c->string), "many2one") == 0)
			v = cJSON_GetArrayItem(v, 0);
		d = v ? cJSON_Duplicate(v, 1) : cJSON_CreateNull();
		cJSON_AddItemToObject(k, c->string, d);
	}
	s = k ? json_tree_print(k) : NULL;
	cJSON_Delete(k);
	return s;
}

/* Keys naming a related record's field ("product_id.default_code") cannot
 * be read back to tell which result is whose: search one item at a time,
 * every result matching it. */
static int
lookup_dotted(struct load_odoo *lo, struct load_item *const *its, size_t n, struct load_error *e)
{
	for (size_t i = 0; i < n; i++) {
		cJSON *dom = cJSON_CreateArray(), *res = NULL;
		for (cJSON *c = its[i]->key->child; c; c = c->next) {
			cJSON *leaf = cJSON_CreateArray();
			cJSON_AddItemToArray(leaf, cJSON_CreateString(c->string));
			cJSON_AddItemToArray(leaf, cJSON_CreateString("="));
			cJSON_AddItemToArray(leaf, cJSON_Duplicate(c, 1));
			cJSON_AddItemToArray(dom, leaf);
		}
		if (rpc(lo, lo->cfg.model, "search_read", args_of(dom, NULL),
		        kw_all(read_fields(its + i, 1, lo)), &res, e) < 0)
			return -1;
		int hits = cJSON_GetArraySize(res);
		if (hits > 1)
			load_item_reject(its[i], NULL, "%d %s records match the key", hits,
			                 lo->cfg.model);
		else if (hits == 1) {
			const cJSON *hit = cJSON_GetArrayItem(res, 0);
			its[i]->id =
				cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(hit, "id"), 0);
			its[i]->current = cJSON_Duplicate(hit, 1);
		}
		cJSON_Delete(res);
	}
	return 0;
}

static int
lookup_key(struct load_odoo *lo, struct load_item *const *its, size_t n, struct load_error *e)
{
	cJSON *dom, *res = NULL;
	const cJSON *k0 = its[0]->key;
	int single = 1, rc;
	size_t step;

	for (size_t i = 0; i < n; i++)
		for (const cJSON *c = its[i]->key->child; c; c = c->next)
			if (!field(lo, c->string))
				return lookup_dotted(lo, its, n, e);
	for (size_t i = 0; i < n; i++)
		if (cJSON_GetArraySize(its[i]->key) != 1 ||
		    strcmp(its[i]->key->child->string, k0->child->string) != 0)
			single = 0;
	/* as many conditions per call as a server takes (see MATCH_OR_CHUNK) */
	step = single ? MATCH_IN_CHUNK : MATCH_OR_CHUNK;
	if (n > step) {
		for (size_t i = 0; i < n; i += step)
			if (lookup_key(lo, its + i, n - i < step ? n - i : step, e) < 0)
				return -1;
		return 0;
	}
	dom = cJSON_CreateArray();
	if (single) {
		cJSON *vals = cJSON_CreateArray();
		for (size_t i = 0; vals && i < n; i++)
			cJSON_AddItemToArray(vals, cJSON_Duplicate(its[i]->key->child, 1));
		cJSON_AddItemToArray(dom, leaf(k0->child->string, "in", vals));
	} else {
		for (size_t i = 0; i < n; i++)
			or_group(dom, its[i]->key, i == 0);
	}
	rc = rpc(lo, lo->cfg.model, "search_read", args_of(dom, NULL),
	         kw_all(read_fields(its, n, lo)), &res, e);
	if (rc < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char *want = json_tree_print(its[i]->key);
		const cJSON *hit = NULL;
		int hits = 0;
		struct buf ids = BUF_INIT;
		for (cJSON *r = res->child; want && r; r = r->next) {
			char *got = key_text_of(lo, its[i]->key, r);
			if (got && strcmp(got, want) == 0) {
				const cJSON *id = cJSON_GetObjectItemCaseSensitive(r, "id");
				hit = r;
				hits++;
				buf_addf(&ids, "%s%.0f", hits > 1 ? ", " : "",
				         id ? id->valuedouble : 0);
			}
			free(got);
		}
		free(want);
		if (hits > 1)
			load_item_reject(its[i], NULL, "%d %s records match the key (ids %s)", hits,
			                 lo->cfg.model, buf_str(&ids));
		else if (hit) {
			its[i]->id =
				cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(hit, "id"), 0);
			its[i]->current = cJSON_Duplicate(hit, 1);
		}
		buf_release(&ids);
	}
	cJSON_Delete(res);
	return 0;
}

static int
lookup_xmlid(struct load_odoo *lo, struct load_item *const *its, size_t n, struct load_error *e)
{
	cJSON *dom, *mods = cJSON_CreateArray(), *names = cJSON_CreateArray(), *res = NULL;
	cJSON *ids = cJSON_CreateArray(), *recs = NULL;
	int rc;

	for (size_t i = 0; i < n; i++) {
		struct lo_item *ti = its[i]->tdata;
		cJSON_AddItemToArray(mods, cJSON_CreateString(ti->module));
		cJSON_AddItemToArray(names, cJSON_CreateString(ti->name));
	}
	dom = imd_domain(lo->cfg.model, mods, names);
	rc = rpc(lo, "ir.model.data", "search_read", args_of(dom, NULL),
	         kw_all(cJSON_Parse("[\"module\",\"name\",\"res_id\"]")), &res, e);
	if (rc < 0) {
		cJSON_Delete(ids);
		return -1;
	}
	/* which res_id for each item */
	for (size_t i = 0; i < n; i++) {
		struct lo_item *ti = its[i]->tdata;
		for (cJSON *r = res->child; r; r = r->next) {
			const cJSON *m = cJSON_GetObjectItemCaseSensitive(r, "module");
			const cJSON *nm = cJSON_GetObjectItemCaseSensitive(r, "name");
			const cJSON *rid = cJSON_GetObjectItemCaseSensitive(r, "res_id");
			if (cJSON_IsString(m) && cJSON_IsString(nm) && is_int(rid) &&
			    strcmp(m->valuestring, ti->module) == 0 &&
			    strcmp(nm->valuestring, ti->name) == 0) {
				its[i]->id = cJSON_CreateNumber(rid->valuedouble);
				cJSON_AddItemToArray(ids, cJSON_CreateNumber(rid->valuedouble));
				break;
			}
		}
	}
	cJSON_Delete(res);
	if (ids->child == NULL) {
		cJSON_Delete(ids);
		return 0;
	}
	rc = rpc(lo, lo->cfg.model, "read", args_of(ids, NULL), kw_all(read_fields(its, n, lo)),
	         &recs, e);
	if (rc < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const cJSON *hit = NULL;
		if (its[i]->id == NULL)
			continue;
		for (cJSON *r = recs->child; r && !hit; r = r->next) {
			const cJSON *id = cJSON_GetObjectItemCaseSensitive(r, "id");
			if (id && id->valuedouble == its[i]->id->valuedouble)
				hit = r;
		}
		if (hit) {
			its[i]->current = cJSON_Duplicate(hit, 1);
		} else {
			/* the external id outlived its record: create (load drops
			 * the dangling row and records the new one, as Odoo does) */
			cJSON_Delete(its[i]->id);
			its[i]->id = NULL;
		}
	}
	cJSON_Delete(recs);
	return 0;
}

/* Where records give lines (lists of objects), replace the current id
 * lists by the lines read, with the fields the records give, one read per
 * field and batch. */
static int
expand_lines(struct load_odoo *lo, struct load_item *const *its, size_t n, struct load_error *e)
{
	for (const cJSON *f = lo->fields->child; f; f = f->next) {
		const char *rel = relation(lo, f->string);
		cJSON *ids = NULL, *names = NULL, *res = NULL;
		int rc = 0;
		if (!is_x2many(ftype(lo, f->string)) || rel == NULL)
			continue;
		for (size_t i = 0; i < n; i++) {
			const cJSON *g = cJSON_GetObjectItemCaseSensitive(its[i]->rec, f->string);
			const cJSON *cur =
				cJSON_GetObjectItemCaseSensitive(its[i]->current, f->string);
			if (!is_line_list(g) || !cJSON_IsArray(cur))
				continue;
			if (ids == NULL) {
				ids = cJSON_CreateArray();
				names = cJSON_CreateArray();
			}
			for (const cJSON *x = cur->child; x; x = x->next)
				cJSON_AddItemToArray(ids, cJSON_Duplicate(x, 0));
			for (const cJSON *l = g->child; l; l = l->next)
				for (const cJSON *c = l->child; c; c = c->next) {
					int seen = is_magic(c->string);
					for (const cJSON *x = names->child; x && !seen; x = x->next)
						seen = strcmp(x->valuestring, c->string) == 0;
					if (!seen)
						cJSON_AddItemToArray(names,
						                     cJSON_CreateString(c->string));
				}
		}
		if (ids == NULL)
			continue;
		if (sub_fields(lo, rel, e) < 0) {
			cJSON_Delete(ids);
			cJSON_Delete(names);
			return -1;
		}
		if (ids->child)
			rc = rpc(lo, rel, "read", args_of(ids, NULL), kw_all(names), &res, e);
		else {
			cJSON_Delete(ids);
			cJSON_Delete(names);
			res = cJSON_CreateArray();
		}
		if (rc < 0)
			return -1;
		for (size_t i = 0; i < n; i++) {
			cJSON *cur = cJSON_GetObjectItemCaseSensitive(its[i]->current, f->string);
			cJSON *lines;
			if (!is_line_list(
				    cJSON_GetObjectItemCaseSensitive(its[i]->rec, f->string)) ||
			    !cJSON_IsArray(cur) || (lines = cJSON_CreateArray()) == NULL)
				continue;
			for (const cJSON *x = cur->child; x; x = x->next)
				for (const cJSON *r = res->child; r; r = r->next) {
					const cJSON *id = cJSON_GetObjectItemCaseSensitive(r, "id");
					if (id && id->valuedouble == x->valuedouble) {
						cJSON_AddItemToArray(lines, cJSON_Duplicate(r, 1));
						break;
					}
				}
			replace_member(its[i]->current, cur, lines);
		}
		cJSON_Delete(res);
	}
	return 0;
}

/* A delete that archives finds a record already archived as nothing to do:
 * no id, so the machinery counts it unchanged, as a delete of a record
 * already gone (a repeated archive is harmless and writes nothing). */
static void
archived_gone(const struct load_odoo *lo, struct load_item *const *its, size_t n)
{
	for (size_t i = 0; lo->archive && i < n; i++)
		if (its[i]->op == LOAD_DELETE && its[i]->id &&
		    cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(its[i]->current, "active"))) {
			cJSON_Delete(its[i]->id);
			its[i]->id = NULL;
		}
}

static int lookup_any(struct load_odoo *lo, struct load_item *const *its, size_t n,
                      struct load_error *e);

static int
lo_lookup(void *t, struct load_item *const *its, size_t n, struct load_error *e)
{
	struct load_odoo *lo = t;

	if (lookup_any(lo, its, n, e) < 0)
		return -1;
	archived_gone(lo, its, n);
	return 0;
}

static int
lookup_any(struct load_odoo *lo, struct load_item *const *its, size_t n, struct load_error *e)
{
	size_t k = 0;
	int rc;

	if (!lo->cfg.xmlid)
		return lookup_key(lo, its, n, e) < 0 ? -1 : expand_lines(lo, its, n, e);
	/* records without an external id have no tdata: creates, and records
	 * with their own _key, found by it */
	{
		struct load_item **sub = malloc(n * sizeof(*sub));
		size_t j = n;
		if (sub == NULL)
			return oom(e);
		for (size_t i = 0; i < n; i++)
			if (its[i]->tdata)
				sub[k++] = its[i];
			else if (its[i]->key)
				sub[--j] = its[i];
		rc = k ? lookup_xmlid(lo, sub, k, e) : 0;
		if (rc == 0 && k)
			rc = expand_lines(lo, sub, k, e);
		if (rc == 0 && j < n)
			rc = lookup_key(lo, sub + j, n - j, e) < 0
			             ? -1
			             : expand_lines(lo, sub + j, n - j, e);
		free(sub);
	}
	return rc;
}

/* ---- writes ------------------------------------------------------------ */

/* One create(list) (one transaction): it->id of each. */
static int
create_call(struct load_odoo *lo, struct load_item *const *its, size_t n, struct load_error *e)
{
	cJSON *list = cJSON_CreateArray(), *res = NULL;

	for (size_t i = 0; list && i < n; i++) {
		cJSON *v = wire_vals(lo, its[i]->rec, NULL, 0);
		if (v == NULL) {
			cJSON_Delete(list);
			return oom(e);
		}
		cJSON_AddItemToArray(list, v);
	}
	if (rpc(lo, lo->cfg.model, "create", args_of(list, NULL), NULL, &res, e) < 0)
		return -1;
	if (!cJSON_IsArray(res) || cJSON_GetArraySize(res) != (int)n) {
		cJSON_Delete(res);
		return load_errf(e, EP_SOFTWARE, NULL,
		                 "%s.create: %zu records sent, the answer is not %zu ids",
		                 lo->cfg.model, n, n);
	}
	{
		size_t i = 0;
		for (cJSON *id = res->child; id; id = id->next)
			its[i++]->id = cJSON_Duplicate(id, 0);
	}
	cJSON_Delete(res);
	return 0;
}

/* create_call with a record-class failure narrowed here by halving. */
static int
create_split(struct load_odoo *lo, struct load_item *const *its, size_t n, struct load_error *e)
{
	struct load_error le;

	memset(&le, 0, sizeof(le));
	if (create_call(lo, its, n, &le) == 0)
		return 0;
	if (le.err.code != EP_DATAERR) {
		*e = le;
		return -1;
	}
	if (n == 1) {
		load_item_reject(its[0], le.name, "%s", le.err.msg);
		return 0;
	}
	if (create_split(lo, its, n / 2, e) < 0)
		return -1;
	return create_split(lo, its + n / 2, n - n / 2, e);
}

/* ---- creates with an external id: load(fields, rows) ------------------ */

/*
 * A new record under --xmlid is created together with its external id in
 * one call, as Odoo's import does it: model.load(["id", column…], rows),
 * one row per record, the "id" cell its external id.  The server converts
 * every cell with ir.fields' converters (strings), creates the records and
 * their ir.model.data rows in one savepoint, and rolls it all back when a
 * message of type "error" names a row.  Columns:
 *   many2one   FIELD/.id, the database id ("" for false)
 *   many2many  FIELD/.id, "id,id,…" (an id list: it becomes the set)
 *   the rest   FIELD, as text: booleans "1"/"0", numbers as printed,
 *              datetimes with "T" as " " and no "Z" (the call's context
 *              says tz UTC, so they are read as UTC), strings as given
 * What load cannot carry (one2many values, many2many commands or lines,
 * fields of other types or values of other shapes) is written to the new
 * record right after, by id: see lo_create.
 */

enum lcol { LCOL_NO = 0, LCOL_SKIP, LCOL_PLAIN, LCOL_DBID };

static enum lcol
load_col(const struct load_odoo *lo, const char *name, const cJSON *v)
{
	static const char *const plain[] = {
		"boolean", "integer",   "float", "monetary", "char",   "text",
		"html",    "selection", "date",  "datetime", "binary", NULL,
	};
	const char *t = ftype(lo, name);

	if (is_x2many(t) && (empty(v) || (cJSON_IsArray(v) && v->child == NULL)))
		return LCOL_SKIP; /* nothing to link on a new record */
	if (strcmp(t, "many2one") == 0)
		return is_int(v) || empty(v) ? LCOL_DBID : LCOL_NO;
	if (strcmp(t, "many2many") == 0) {
		if (!cJSON_IsArray(v))
			return LCOL_NO;
		for (const cJSON *c = v->child; c; c = c->next)
			if (!is_int(c) || c->valuedouble <= 0)
				return LCOL_NO;
		return LCOL_DBID;
	}
	for (int i = 0; plain[i]; i++)
		if (strcmp(t, plain[i]) == 0)
			return cJSON_IsArray(v) || cJSON_IsObject(v) ? LCOL_NO : LCOL_PLAIN;
	return LCOL_NO;
}

/* The cell of value v of field name, as ir.fields reads it; NULL: no memory */
static cJSON *
load_cell(const struct load_odoo *lo, const char *name, const cJSON *v)
{
	const char *t = ftype(lo, name);
	struct buf b = BUF_INIT;
	cJSON *cell;

	if (cJSON_IsNull(v) || (cJSON_IsFalse(v) && strcmp(t, "boolean") != 0))
		buf_adds(&b, "");
	else if (cJSON_IsBool(v))
		buf_adds(&b, cJSON_IsTrue(v) ? "1" : "0");
	else if (cJSON_IsArray(v)) {
		for (const cJSON *c = v->child; c; c = c->next)
			buf_addf(&b, "%s%.0f", c == v->child ? "" : ",", c->valuedouble);
	} else if (is_int(v))
		buf_addf(&b, "%.0f", v->valuedouble);
	else if (cJSON_IsNumber(v)) {
		char *s = json_tree_print(v);
		if (s)
			buf_adds(&b, s);
		free(s);
	} else if (cJSON_IsString(v)) {
		const char *s = v->valuestring;
		size_t len = strlen(s);
		buf_adds(&b, s);
		if (strcmp(t, "datetime") == 0 && len >= 19 && s[10] == 'T') {
			b.p[10] = ' ';
			if (s[len - 1] == 'Z')
				b.p[--b.len] = '\0';
		}
	}
	cell = cJSON_CreateString(buf_str(&b));
	buf_release(&b);
	return cell;
}

/* Is the record's load column set exactly cols? */
static int
same_columns(const struct load_odoo *lo, const struct load_item *it, const cJSON *cols)
{
	int k = 0;

	for (const cJSON *c = it->rec->child; c; c = c->next)
		if (load_col(lo, c->string, c) >= LCOL_PLAIN)
			k++;
	if (k != cJSON_GetArraySize(cols))
		return 0;
	for (const cJSON *c = cols->child; c; c = c->next) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(it->rec, c->valuestring);
		if (v == NULL || load_col(lo, c->valuestring, v) < LCOL_PLAIN)
			return 0;
	}
	return 1;
}

/* The rest: what load did not carry, written to the new record by id.
 * A refusal rejects the record, which exists with its external id: the
 * next run finds it by that id and writes the rest as an update.  A lost
 * answer marks the record (load_item_lost, as a create): the machinery
 * reads it again by its external id and writes what differs, so a record
 * made by load is never taken as whole without the rest (an invoice
 * without its lines, posted by --then or left a draft). */
static int
write_rest(struct load_odoo *lo, struct load_item *it, struct load_error *e)
{
	cJSON *rest = cJSON_CreateObject(), *vals, *ids, *res = NULL;
	struct lo_item *ti = it->tdata;
	struct load_error le;

	if (rest == NULL)
		return oom(e);
	for (const cJSON *c = it->rec->child; c; c = c->next)
		if (load_col(lo, c->string, c) == LCOL_NO)
			cJSON_AddItemToObject(rest, c->string, cJSON_Duplicate(c, 1));
	if (rest->child == NULL) {
		cJSON_Delete(rest);
		return 0;
	}
	vals = wire_vals(lo, rest, NULL, 0);
	cJSON_Delete(rest);
	ids = cJSON_CreateArray();
	if (vals == NULL || ids == NULL) {
		cJSON_Delete(vals);
		cJSON_Delete(ids);
		return oom(e);
	}
	cJSON_AddItemToArray(ids, cJSON_Duplicate(it->id, 0));
	memset(&le, 0, sizeof(le));
	if (rpc(lo, lo->cfg.model, "write", args_of(ids, vals), NULL, &res, &le) == 0) {
		cJSON_Delete(res);
		return 0;
	}
	if (le.lost) {
		load_item_lost(it, LOAD_CREATED);
		return 0;
	}
	if (le.err.code != EP_DATAERR) {
		*e = le;
		return -1;
	}
	load_item_reject(it, le.name,
	                 "created as id %.0f with external id '%s.%s', but the fields load "
	                 "cannot carry were refused (the next run writes them): %s",
	                 it->id->valuedouble, ti->module, ti->name, le.err.msg);
	return 0;
}

/* The row index a load message names, or -1. */
static int
message_row(const cJSON *m)
{
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(m, "record");

	if (!is_int(r))
		r = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(m, "rows"),
		                                     "from");
	return is_int(r) && r->valuedouble >= 0 && r->valuedouble < 1e9 ? (int)r->valuedouble : -1;
}

/* One load of items sharing the columns cols (field names).  Record
 * errors are settled here: load answers "ids": false with messages naming
 * the rows at fault and has written nothing, so those records are rejected
 * and the others sent again; an error naming no row (or an exception)
 * halves the set until the record at fault is alone.  its is scratch. */
static int
load_group(struct load_odoo *lo, struct load_item **its, size_t n, const cJSON *cols,
           struct load_error *e)
{
	while (n > 0) {
		cJSON *fields = cJSON_CreateArray(), *rows = cJSON_CreateArray(), *res = NULL;
		cJSON *kw = cJSON_Parse("{\"context\":{\"tz\":\"UTC\"}}");
		const cJSON *ids, *msgs, *first = NULL;
		struct load_error le;
		size_t k, mapped = 0;

		if (fields == NULL || rows == NULL || kw == NULL) {
			cJSON_Delete(fields);
			cJSON_Delete(rows);
			cJSON_Delete(kw);
			return oom(e);
		}
		cJSON_AddItemToArray(fields, cJSON_CreateString("id"));
		for (const cJSON *c = cols->child; c; c = c->next) {
			struct buf b = BUF_INIT;
			buf_addf(&b, "%s%s", c->valuestring,
			         strcmp(ftype(lo, c->valuestring), "many2one") == 0 ||
			                         strcmp(ftype(lo, c->valuestring), "many2many") == 0
			                 ? "/.id"
			                 : "");
			cJSON_AddItemToArray(fields, cJSON_CreateString(buf_str(&b)));
			buf_release(&b);
		}
		for (size_t i = 0; i < n; i++) {
			const struct lo_item *ti = its[i]->tdata;
			cJSON *row = cJSON_CreateArray();
			struct buf b = BUF_INIT;
			buf_addf(&b, "%s.%s", ti->module, ti->name);
			cJSON_AddItemToArray(row, cJSON_CreateString(buf_str(&b)));
			buf_release(&b);
			for (const cJSON *c = cols->child; c; c = c->next)
				cJSON_AddItemToArray(
					row, load_cell(lo, c->valuestring,
				                       cJSON_GetObjectItemCaseSensitive(
							       its[i]->rec, c->valuestring)));
			cJSON_AddItemToArray(rows, row);
		}
		memset(&le, 0, sizeof(le));
		if (rpc(lo, lo->cfg.model, "load", args_of(fields, rows), kw, &res, &le) < 0) {
			if (le.err.code != EP_DATAERR) {
				*e = le;
				return -1;
			}
			first = NULL;
		} else {
			ids = cJSON_GetObjectItemCaseSensitive(res, "ids");
			msgs = cJSON_GetObjectItemCaseSensitive(res, "messages");
			if (cJSON_IsArray(ids) && cJSON_GetArraySize(ids) == (int)n) {
				size_t i = 0;
				for (const cJSON *id = ids->child; id; id = id->next)
					its[i++]->id = cJSON_Duplicate(id, 0);
				cJSON_Delete(res);
				for (i = 0; i < n; i++)
					if (write_rest(lo, its[i], e) < 0)
						return -1;
				return 0;
			}
			if (!cJSON_IsFalse(ids) && !cJSON_IsNull(ids)) {
				cJSON_Delete(res);
				return load_errf(
					e, EP_SOFTWARE, NULL,
					"%s.load: %zu records sent, the answer is not %zu ids",
					lo->cfg.model, n, n);
			}
			for (const cJSON *m = cJSON_IsArray(msgs) ? msgs->child : NULL; m;
			     m = m->next) {
				const cJSON *ty = cJSON_GetObjectItemCaseSensitive(m, "type");
				const cJSON *tx = cJSON_GetObjectItemCaseSensitive(m, "message");
				const cJSON *fl = cJSON_GetObjectItemCaseSensitive(m, "field");
				const char *msg = cJSON_IsString(tx) ? tx->valuestring : "refused";
				int r = message_row(m);
				if (!cJSON_IsString(ty) || strcmp(ty->valuestring, "error") != 0)
					continue;
				if (first == NULL)
					first = m;
				if (r < 0 || (size_t)r >= n)
					continue;
				if (its[r]->status != LOAD_REJECTED) {
					load_item_reject(its[r], NULL, "%s", msg);
					mapped++;
				}
				if (cJSON_IsString(fl)) {
					struct buf p = BUF_INIT;
					buf_addf(&p, "/%s", fl->valuestring);
					load_item_field_error(its[r], buf_str(&p), msg);
					buf_release(&p);
				}
			}
			if (first) {
				const cJSON *tx =
					cJSON_GetObjectItemCaseSensitive(first, "message");
				load_errf(&le, EP_DATAERR, NULL, "%s",
				          cJSON_IsString(tx) ? tx->valuestring : "refused");
			} else
				load_errf(&le, EP_DATAERR, NULL, "load refused the records");
			cJSON_Delete(res);
		}
		if (mapped == 0) {
			if (n == 1) {
				load_item_reject(its[0], le.name, "%s", le.err.msg);
				return 0;
			}
			if (load_group(lo, its, n / 2, cols, e) < 0)
				return -1;
			return load_group(lo, its + n / 2, n - n / 2, cols, e);
		}
		/* the rows at fault are out: the rest again */
		k = 0;
		for (size_t i = 0; i < n; i++)
			if (its[i]->status != LOAD_REJECTED)
				its[k++] = its[i];
		n = k;
	}
	return 0;
}

/* Under --xmlid: records without an external id are created as before;
 * the others go through load, one call per set of columns (a column a
 * record does not give would be an empty cell, and load writes an empty
 * cell as false, over the field's default), in input order of first
 * appearance.  Record errors are settled here; -1 is fatal only, and
 * what was loaded before it stays, each record with its external id. */
static int
create_xmlid(struct load_odoo *lo, struct load_item *const *its, size_t n, struct load_error *e)
{
	struct load_item **set = malloc(n * sizeof(*set));
	char *done = calloc(n, 1);
	size_t k = 0;
	int rc = 0;

	if (set == NULL || done == NULL) {
		free(set);
		free(done);
		return oom(e);
	}
	for (size_t i = 0; i < n; i++)
		if (its[i]->tdata == NULL)
			set[k++] = its[i];
	if (k)
		rc = create_split(lo, set, k, e);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		cJSON *cols;
		if (done[i] || its[i]->tdata == NULL)
			continue;
		if ((cols = cJSON_CreateArray()) == NULL) {
			rc = oom(e);
			break;
		}
		for (const cJSON *c = its[i]->rec->child; c; c = c->next)
			if (load_col(lo, c->string, c) >= LCOL_PLAIN)
				cJSON_AddItemToArray(cols, cJSON_CreateString(c->string));
		k = 0;
		for (size_t j = i; j < n; j++)
			if (!done[j] && its[j]->tdata && same_columns(lo, its[j], cols)) {
				set[k++] = its[j];
				done[j] = 1;
			}
		rc = load_group(lo, set, k, cols, e);
		cJSON_Delete(cols);
	}
	free(set);
	free(done);
	return rc;
}

static int
lo_create(void *t, struct load_item *const *its, size_t n, struct load_error *e)
{
	struct load_odoo *lo = t;

	if (lo->cfg.xmlid)
		return create_xmlid(lo, its, n, e);
	/* a record error goes back to the machinery, which splits the batch */
	return create_call(lo, its, n, e);
}

/* One write; a record-class failure is narrowed by halving the ids. */
static int
write_set(struct load_odoo *lo, struct load_item *const *its, size_t n, const cJSON *vals,
          struct load_error *e)
{
	cJSON *res = NULL;
	struct load_error le;

	memset(&le, 0, sizeof(le));
	if (rpc(lo, lo->cfg.model, "write", args_of(ids_of(its, n), cJSON_Duplicate(vals, 1)), NULL,
	        &res, &le) == 0) {
		cJSON_Delete(res);
		return 0;
	}
	if (le.err.code != EP_DATAERR) {
		*e = le;
		return -1;
	}
	if (n == 1) {
		load_item_reject(its[0], le.name, "%s", le.err.msg);
		return 0;
	}
	if (write_set(lo, its, n / 2, vals, e) < 0)
		return -1;
	return write_set(lo, its + n / 2, n - n / 2, vals, e);
}

static int
lo_update(void *t, struct load_item *const *its, size_t n, struct load_error *e)
{
	struct load_odoo *lo = t;
	struct load_item **group = malloc(n * sizeof(*group));
	char **texts = calloc(n, sizeof(*texts));
	char *done = calloc(n, 1);
	int rc = 0;

	if (group == NULL || texts == NULL || done == NULL) {
		rc = oom(e);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if ((texts[i] = json_tree_print(its[i]->changes)) == NULL) {
			rc = oom(e);
			goto out;
		}
	/* records with the same changes share one write(ids, vals); lines
	 * (objects with ids) are written record by record */
	for (size_t i = 0; i < n && rc == 0; i++) {
		size_t k = 0;
		cJSON *vals;
		int lines = 0;
		if (done[i])
			continue;
		for (cJSON *c = its[i]->changes->child; c; c = c->next)
			lines |= is_line_list(c);
		for (size_t j = i; j < n; j++)
			if (!done[j] && (j == i || (!lines && strcmp(texts[i], texts[j]) == 0))) {
				group[k++] = its[j];
				done[j] = 1;
			}
		if ((vals = wire_vals(lo, its[i]->changes, its[i]->current, 1)) == NULL) {
			rc = oom(e);
			break;
		}
		rc = write_set(lo, group, k, vals, e);
		cJSON_Delete(vals);
	}
out:
	for (size_t i = 0; texts && i < n; i++)
		free(texts[i]);
	free(texts);
	free(group);
	free(done);
	return rc;
}

/* _op delete: archive (write active false) where the model has active,
 * unless --deletes hard; else unlink. */
static int
lo_remove(void *t, struct load_item *const *its, size_t n, struct load_error *e)
{
	struct load_odoo *lo = t;
	cJSON *res = NULL;

	if (lo->archive) {
		cJSON *vals = cJSON_CreateObject();
		int rc;
		if (vals == NULL || !cJSON_AddFalseToObject(vals, "active")) {
			cJSON_Delete(vals);
			return oom(e);
		}
		rc = write_set(lo, its, n, vals, e);
		cJSON_Delete(vals);
		return rc;
	}
	if (rpc(lo, lo->cfg.model, "unlink", args_of(ids_of(its, n), NULL), NULL, &res, e) < 0)
		return -1;
	cJSON_Delete(res);
	return 0;
}

/* --then METHOD[/BUTTON]: a workflow method that may answer with a wizard.
 * A window action with target "new" is a wizard (stock.picking button_validate
 * of a short delivery: stock.backorder.confirmation).  Without BUTTON the
 * records are rejected (nothing was done; Odoo only asked); with it the
 * wizard is created in the action's context and BUTTON called on it in that
 * context, as a user pressing the button does (tests/fixtures/odoo-flows
 * 57k-57m).  The wizard's own answer is not followed further. */
static cJSON *
wizard_kw(const cJSON *act)
{
	cJSON *kw = cJSON_CreateObject();
	const cJSON *ctx = cJSON_GetObjectItemCaseSensitive(act, "context");

	if (kw && cJSON_IsObject(ctx))
		cJSON_AddItemToObject(kw, "context", cJSON_Duplicate(ctx, 1));
	return kw;
}

static int
lo_call(void *t, const char *method, struct load_item *const *its, size_t n, struct load_error *e)
{
	struct load_odoo *lo = t;
	cJSON *res = NULL, *wid = NULL;
	const cJSON *target, *wmodel;
	const char *button = strchr(method, '/');
	char name[128];
	int rc = 0;

	if (button) {
		if ((size_t)(button - method) >= sizeof(name))
			return load_errf(e, EP_USAGE, NULL, "--then '%s': too long", method);
		memcpy(name, method, (size_t)(button - method));
		name[button - method] = '\0';
		method = name;
		button++;
	}
	if (rpc(lo, lo->cfg.model, method, args_of(ids_of(its, n), NULL), NULL, &res, e) < 0)
		return -1;
	target = cJSON_GetObjectItemCaseSensitive(res, "target");
	wmodel = cJSON_GetObjectItemCaseSensitive(res, "res_model");
	if (!cJSON_IsObject(res) || !cJSON_IsString(target) || strcmp(target->valuestring, "new") ||
	    !cJSON_IsString(wmodel)) {
		cJSON_Delete(res);
		return 0;
	}
	if (button == NULL || *button == '\0') {
		rc = load_errf(
			e, EP_DATAERR, NULL,
			"%s.%s: Odoo asks with the wizard %s; name its button (--then %s/BUTTON)",
			lo->cfg.model, method, wmodel->valuestring, method);
	} else if (rpc(lo, wmodel->valuestring, "create", args_of(cJSON_CreateObject(), NULL),
	               wizard_kw(res), &wid, e) < 0) {
		rc = -1;
	} else if (!cJSON_IsNumber(wid)) {
		rc = load_errf(e, EP_SOFTWARE, NULL, "%s.create: not an id", wmodel->valuestring);
	} else {
		cJSON *ans = NULL, *ids = cJSON_CreateArray();

		if (ids)
			cJSON_AddItemToArray(ids, cJSON_Duplicate(wid, 0));
		rc = rpc(lo, wmodel->valuestring, button, args_of(ids, NULL), wizard_kw(res), &ans,
		         e);
		cJSON_Delete(ans);
	}
	cJSON_Delete(wid);
	cJSON_Delete(res);
	return rc < 0 ? -1 : 0;
}

/* ---- readback: what the server kept ------------------------------------ */

/* The fields of a read back: which are x2many (a small object, so that each
 * record's fields are not looked up in the model's hundreds). */
struct rb_fields {
	cJSON *x2many; /* name -> true (an x2many) or false */
};

/* Does a value written to field name read back in a form to compare?  Odoo
 * reads an x2many as its ids: an id list (or none) compares as a set; the
 * commands and lines written do not (not verified). */
static int
readable(void *t, const char *name, const cJSON *v)
{
	const struct rb_fields *rf = t;

	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rf->x2many, name)))
		return 1;
	if (!cJSON_IsArray(v))
		return empty(v);
	for (const cJSON *c = v->child; c; c = c->next)
		if (!is_int(c))
			return 0;
	return 1;
}

/* One read of the set's ids, of the union of the fields written; each
 * item's it->stored holds its own written fields as read. */
static int
lo_readback(void *t, struct load_item *const *its, size_t n, struct load_error *e)
{
	struct load_odoo *lo = t;
	struct rb_fields rf = { cJSON_CreateObject() };
	cJSON *asked = cJSON_CreateObject(), *list = cJSON_CreateArray(), *res = NULL;
	size_t at = 0;
	int rc = 0, any_x2many = 0;

	if (rf.x2many == NULL || asked == NULL || list == NULL) {
		rc = oom(e);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		/* the items mostly write the same fields in the same order */
		cJSON *xat = rf.x2many->child, *aat = asked->child;
		for (const cJSON *c = load_item_written(its[i])->child; c; c = c->next) {
			if (!json_tree_member(rf.x2many, &xat, c->string))
				cJSON_AddBoolToObject(rf.x2many, c->string,
				                      is_x2many(ftype(lo, c->string)));
			if (!json_tree_member(asked, &aat, c->string) &&
			    readable(&rf, c->string, c)) {
				cJSON_AddTrueToObject(asked, c->string);
				cJSON_AddItemToArray(list, cJSON_CreateString(c->string));
			}
		}
	}
	for (const cJSON *x = rf.x2many->child; x; x = x->next)
		any_x2many |= cJSON_IsTrue(x);
	if (list->child == NULL) /* nothing to compare: every item read, none verified */
		cJSON_AddItemToArray(list, cJSON_CreateString("id"));
	rc = rpc(lo, lo->cfg.model, "read", args_of(ids_of(its, n), NULL), kw_all(list), &res, e);
	list = NULL; /* consumed */
	if (rc == 0 && !cJSON_IsArray(res))
		rc = load_errf(e, EP_SOFTWARE, NULL, "%s.read: not a list", lo->cfg.model);
	/* read answers in the order of the ids asked, without the missing ones */
	for (cJSON *r = rc ? NULL : res->child; r; r = r->next) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(r, "id");
		size_t k;
		for (k = 0; k < n; k++, at = (at + 1) % n)
			if (cJSON_IsNumber(id) && its[at]->stored == NULL &&
			    its[at]->id->valuedouble == id->valuedouble)
				break;
		if (k < n && load_item_stored(its[at], r, any_x2many ? readable : NULL, &rf) < 0) {
			rc = oom(e);
			break;
		}
	}
out:
	cJSON_Delete(res);
	cJSON_Delete(list);
	cJSON_Delete(asked);
	cJSON_Delete(rf.x2many);
	return rc;
}

static enum load_class
lo_classify(void *t, const struct load_error *e)
{
	(void)t;
	return e->err.code == EP_DATAERR ? LOAD_ERR_RECORD : LOAD_ERR_FATAL;
}

static void
lo_item_free(void *t, struct load_item *it)
{
	struct lo_item *ti = it->tdata;

	(void)t;
	free(ti->module);
	free(ti->name);
	free(ti);
	it->tdata = NULL;
}

static int
lo_again(void *t, int attempt, struct ep_err *err)
{
	struct load_odoo *lo = t;

	if (lo->cfg.again == NULL)
		return attempt < LOAD_LOST_ROUNDS;
	return lo->cfg.again(lo->cfg.conn, attempt, err);
}

/* lib/odoo's call as the target's RPC entry: Odoo's own errors are the
 * record's, the rest stops the run. */
static int
odoo_rpc(void *conn, const char *model, const char *method, const cJSON *args, const cJSON *kwargs,
         cJSON **result, struct load_error *e)
{
	struct odoo_err oe;

	memset(&oe, 0, sizeof(oe));
	*result = odoo_call(conn, model, method, args, kwargs, &oe);
	if (*result)
		return 0;
	if (oe.fatal || oe.e.code != EP_DATAERR) {
		load_errf(e, oe.e.code ? oe.e.code : EP_SOFTWARE, NULL, "%s", oe.e.msg);
		e->lost = oe.lost;
		return -1;
	}
	e->status = oe.http_status;
	return load_errf(e, EP_DATAERR, oe.name, "%s", oe.message[0] ? oe.message : oe.e.msg);
}

static int
odoo_rpc_again(void *conn, int attempt, struct ep_err *err)
{
	return odoo_again(conn, attempt, err);
}

const struct load_target load_odoo_target = {
	"odoo",    lo_check, lo_resolve,  lo_lookup,    lo_same,     lo_create, lo_update,
	lo_remove, lo_call,  lo_classify, lo_item_free, lo_readback, lo_again,  NULL,
};

struct load_odoo *
load_odoo_new(const struct load_odoo_cfg *cfg, struct ep_err *err)
{
	struct load_odoo *lo = calloc(1, sizeof(*lo));
	struct load_error e;
	cJSON *kw;

	memset(&e, 0, sizeof(e));
	if (lo == NULL) {
		ep_errf(err, EP_SOFTWARE, "out of memory");
		return NULL;
	}
	lo->cfg = *cfg;
	if (cfg->odoo != NULL) {
		lo->cfg.call = odoo_rpc;
		lo->cfg.again = odoo_rpc_again;
		lo->cfg.conn = cfg->odoo;
	}
	keyset_init(&lo->fidx, 1);
	if ((lo->sub = cJSON_CreateObject()) == NULL) {
		free(lo);
		ep_errf(err, EP_SOFTWARE, "out of memory");
		return NULL;
	}
	kw = cJSON_Parse("{\"attributes\":[\"type\",\"relation\",\"readonly\",\"store\","
	                 "\"required\"]}");
	if (rpc(lo, cfg->model, "fields_get", cJSON_CreateArray(), kw, &lo->fields, &e) < 0) {
		*err = e.err;
		if (e.name[0])
			ep_err_prefix(err, "%s", e.name);
		/* Odoo: "Object x doesn't exist" (a UserError) */
		if (err->code == EP_DATAERR)
			err->code = EP_USAGE;
		ep_err_prefix(err, "model '%s'", cfg->model);
		cJSON_Delete(lo->sub);
		free(lo);
		return NULL;
	}
	if (!cJSON_IsObject(lo->fields)) {
		ep_errf(err, EP_SOFTWARE, "model '%s': fields_get did not answer an object",
		        cfg->model);
		load_odoo_free(lo);
		return NULL;
	}
	for (const cJSON *f = lo->fields->child; f; f = f->next)
		if (keyset_put(&lo->fidx, f->string, strlen(f->string), (uintptr_t)f, NULL) < 0) {
			ep_errf(err, EP_SOFTWARE, "out of memory");
			load_odoo_free(lo);
			return NULL;
		}
	for (size_t i = 0; i < cfg->nkey; i++)
		if (strcmp(cfg->key[i], "id") != 0 && field(lo, cfg->key[i]) == NULL) {
			ep_errf(err, EP_USAGE, "--key '%s': %s has no field '%s'", cfg->key[i],
			        cfg->model, cfg->key[i]);
			load_odoo_free(lo);
			return NULL;
		}
	lo->archive = !cfg->hard_delete && strcmp(ftype(lo, "active"), "boolean") == 0;
	if (cfg->xmlid && field(lo, cfg->xmlid) && !is_magic(cfg->xmlid))
		ep_info(1, "--xmlid %s: the field holds the external id and is not written",
		        cfg->xmlid);
	return lo;
}

void
load_odoo_free(struct load_odoo *lo)
{
	if (lo == NULL)
		return;
	cJSON_Delete(lo->fields);
	cJSON_Delete(lo->sub);
	keyset_free(&lo->fidx);
	free(lo);
}
