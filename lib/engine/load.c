#include "engine/load.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/fields.h"
#include "base/hash.h"
#include "stream/json_tree.h"
#include "engine/load_audit.h"
#include "base/log.h"
#include "stream/ndjson.h"
#include "base/ops.h"
#include "base/text.h"

const struct ep_opt load_opts_table[] = {
	{ "batch", OPT_LOAD_BATCH, "N", "records per batch: one lookup, one create (default 100)" },
	{ "dry-run", 'n', NULL, "print the plan as receipts, write nothing" },
	{ "key", 'k', "FIELDS", "fields naming a record's identity in the target (a,b,…)" },
	{ "no-verify", OPT_LOAD_NO_VERIFY, NULL, "do not read back what was written" },
	{ "op", OPT_LOAD_OP, "upsert|create|update|delete|insert",
	  "what to do with records without _op" },
	{ "then", OPT_LOAD_THEN, "METHODS", "call these methods on the records written (a,b,…)" },
	{ "then-on", OPT_LOAD_THEN_ON, "written|created|all",
	  "--then on every record written (default), those created, or all found" },
	{ "verify", OPT_LOAD_VERIFY, "report|strict",
	  "a field the server did not keep: receipt drifted (default), or a reject" },
	{ NULL, 0, NULL, NULL },
};

static const char *const op_names[LOAD_NOPS] = { "upsert", "create", "update", "delete", "insert" };

const char *
load_op_name(enum load_op op)
{
	return (unsigned)op < 4 ? op_names[op] : "?";
}

const char *
load_status_name(enum load_status s, int dry_run)
{
	static const char *const done[] = { "pending",   "created", "updated",
		                            "unchanged", "deleted", "rejected" };
	static const char *const plan[] = { "pending",   "create", "update",
		                            "unchanged", "delete", "rejected" };
	if ((unsigned)s > LOAD_REJECTED)
		return "?";
	return dry_run ? plan[s] : done[s];
}

void
load_opts_init(struct load_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->op = LOAD_UPSERT;
	o->batch = LOAD_BATCH_DEFAULT;
}

void
load_opts_free(struct load_opts *o)
{
	free(o->key_text);
	free(o->then_text);
	o->key_text = o->then_text = NULL;
	o->nkey = o->nthen = 0;
}

/* Split "a,b,c" into list (pointing into a copy kept in *store); on error
 * the list is left as it was. */
static int
split_list(const char *opt, const char *arg, char **store, const char **list, size_t *n, size_t max,
           struct ep_err *err)
{
	const char *tmp[LOAD_KEY_MAX > LOAD_THEN_MAX ? LOAD_KEY_MAX : LOAD_THEN_MAX];
	struct fields_iter it;
	struct field_ref f;
	char *copy, *tok;
	size_t k = 0;
	int r;

	/* "a,,b" and a leading or trailing comma name an empty field */
	fields_init(&it, arg, 0);
	while ((r = fields_next(&it, &f)) > 0)
		;
	if (r < 0)
		return ep_errf(err, EP_USAGE, "--%s '%s': an empty name", opt, arg);
	if ((copy = strdup(arg)) == NULL)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	fields_init(&it, copy, 0);
	while (fields_next(&it, &f) > 0) {
		tok = copy + (f.item - copy);
		tok[f.len] = '\0'; /* the comma: past it already */
		if (k == max) {
			free(copy);
			return ep_errf(err, EP_USAGE, "--%s '%s': more than %zu names", opt, arg,
			               max);
		}
		for (size_t i = 0; i < k; i++)
			if (strcmp(tmp[i], tok) == 0) {
				ep_errf(err, EP_USAGE, "--%s '%s': '%s' given twice", opt, arg,
				        tok);
				free(copy);
				return -1;
			}
		tmp[k++] = tok;
	}
	free(*store);
	*store = copy;
	memcpy(list, tmp, k * sizeof(*tmp));
	*n = k;
	return 0;
}

int
load_opt(struct load_opts *o, int key, const char *arg, struct ep_err *err)
{
	long v;

	switch (key) {
	case OPT_LOAD_BATCH:
		if (ep_parse_long(arg, 1, LOAD_BATCH_MAX, &v) < 0)
			return ep_errf(err, EP_USAGE, "--batch '%s': not a count from 1 to %d", arg,
			               LOAD_BATCH_MAX);
		o->batch = v;
		return 1;
	case 'n':
		o->dry_run = 1;
		return 1;
	case 'k':
		return split_list("key", arg, &o->key_text, o->key, &o->nkey, LOAD_KEY_MAX, err) < 0
		               ? -1
		               : 1;
	case OPT_LOAD_OP:
		for (int i = 0; i < LOAD_NOPS; i++)
			if (strcmp(arg, op_names[i]) == 0) {
				o->op = (enum load_op)i;
				return 1;
			}
		return ep_errf(err, EP_USAGE,
		               "--op '%s': not upsert, create, update, delete or insert", arg);
	case OPT_LOAD_THEN:
		return split_list("then", arg, &o->then_text, o->then, &o->nthen, LOAD_THEN_MAX,
		                  err) < 0
		               ? -1
		               : 1;
	case OPT_LOAD_THEN_ON:
		if (strcmp(arg, "written") == 0 || strcmp(arg, "created") == 0 ||
		    strcmp(arg, "all") == 0) {
			o->then_on = arg[0] == 'c'   ? LOAD_THEN_CREATED
			             : arg[0] == 'a' ? LOAD_THEN_ALL
			                             : LOAD_THEN_WRITTEN;
			return 1;
		}
		return ep_errf(err, EP_USAGE, "--then-on '%s': not written, created or all", arg);
	case OPT_LOAD_VERIFY:
		if (strcmp(arg, "report") == 0 || strcmp(arg, "strict") == 0) {
			o->verify = arg[0] == 's' ? LOAD_VERIFY_STRICT : LOAD_VERIFY_REPORT;
			return 1;
		}
		return ep_errf(err, EP_USAGE, "--verify '%s': not report or strict", arg);
	case OPT_LOAD_NO_VERIFY:
		o->verify = LOAD_VERIFY_OFF;
		return 1;
	}
	return 0;
}

/* ---- items ---------------------------------------------------------- */

/* Out of memory while recording an error: the record is still rejected,
 * with this message (item_error). */
static const char oom_msg[] = "out of memory";

static const char *
item_error(const struct load_item *it)
{
	return it->error ? it->error : oom_msg;
}

void
load_item_reject(struct load_item *it, const char *name, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	free(it->error);
	it->error = NULL;
	if (msg && name && *name) {
		if (asprintf(&it->error, "%s: %s", name, msg) < 0)
			it->error = NULL;
		free(msg);
	} else
		it->error = msg;
	it->status = LOAD_REJECTED;
}

void
load_item_field_error(struct load_item *it, const char *path, const char *message)
{
	struct reject_item *e = realloc(it->errors, (it->nerrors + 1) * sizeof(*e));
	char *p = strdup(path), *m = strdup(message);

	if (e)
		it->errors = e;
	if (e == NULL || p == NULL || m == NULL) {
		free(p);
		free(m);
		return; /* the record keeps its "error" */
	}
	e[it->nerrors].path = p;
	e[it->nerrors].message = m;
	e[it->nerrors].detail = NULL;
	it->nerrors++;
}

int
load_errf(struct load_error *e, int code, const char *name, const char *fmt, ...)
{
	va_list ap;

	e->err.code = code;
	va_start(ap, fmt);
	vsnprintf(e->err.msg, sizeof(e->err.msg), fmt, ap);
	va_end(ap);
	snprintf(e->name, sizeof(e->name), "%s", name ? name : "");
	e->lost = 0;
	return -1;
}

static void
item_clear(const struct load_target *t, void *tctx, struct load_item *it)
{
	if (t->item_free && it->tdata)
		t->item_free(tctx, it);
	cJSON_Delete(it->rec);
	cJSON_Delete(it->key);
	cJSON_Delete(it->changes);
	cJSON_Delete(it->id);
	cJSON_Delete(it->current);
	cJSON_Delete(it->stored);
	cJSON_Delete(it->drift);
	free(it->text);
	free(it->error);
	for (size_t i = 0; i < it->nerrors; i++) {
		free((char *)it->errors[i].path);
		free((char *)it->errors[i].message);
	}
	free(it->errors);
	memset(it, 0, sizeof(*it));
}

/* ---- the loader ----------------------------------------------------- */

enum step { STEP_RESOLVE, STEP_LOOKUP, STEP_CREATE, STEP_UPDATE, STEP_REMOVE, STEP_CALL };

struct loader {
	const struct load_opts *o;
	const struct load_target *t;
	void *tctx;
	struct load_item *items; /* the batch */
	size_t n;
	char **keys;   /* canonical key text of each item, or NULL */
	size_t *slots; /* open addressing: item index + 1, 0 empty */
	size_t nslots;
	struct load_item **set; /* scratch for the operations */
	char **sources;         /* input names, kept for the items */
	size_t nsources;
	struct buf b;
	uint64_t calls; /* target operations called, for -v */
	size_t window;  /* records held: the batch, or LOAD_VERIFY_WINDOW */
	size_t done;    /* those written (the window's first batches) */
	size_t wbytes;  /* their input lines' bytes, against window_bytes */
	size_t window_bytes;
	int lost_rounds;           /* rounds of "Lost answers" in this batch */
	uint64_t drifted;          /* records with a drift (the summary's count) */
	uint64_t unread;           /* records written but not found by the readback */
	cJSON *unverified;         /* names of fields written but not read back: a set */
	struct json_tree_err jerr; /* the last record's parse */
};

static const char *
intern_source(struct loader *L, const char *name)
{
	char **s;

	for (size_t i = 0; i < L->nsources; i++)
		if (strcmp(L->sources[i], name) == 0)
			return L->sources[i];
	s = realloc(L->sources, (L->nsources + 1) * sizeof(*s));
	if (s == NULL)
		return NULL;
	L->sources = s;
	if ((s[L->nsources] = strdup(name)) == NULL)
		return NULL;
	return s[L->nsources++];
}

/* The item index holding key text k, or -1. */
static long
key_find(const struct loader *L, const char *k)
{
	size_t mask = L->nslots - 1, i = fnv1a64_short(k, strlen(k)) & mask;

	for (; L->slots[i]; i = (i + 1) & mask)
		if (strcmp(L->keys[L->slots[i] - 1], k) == 0)
			return (long)L->slots[i] - 1;
	return -1;
}

static void
key_add(struct loader *L, size_t idx)
{
	size_t mask = L->nslots - 1, i = fnv1a64_short(L->keys[idx], strlen(L->keys[idx])) & mask;

	while (L->slots[i])
		i = (i + 1) & mask;
	L->slots[i] = idx + 1;
}

/* A copy of obj's members sorted by name: one text for one key.  NULL:
 * out of memory. */
static cJSON *
sorted_object(const cJSON *obj)
{
	size_t n = 0, i = 0;
	const cJSON **m;
	cJSON *out = cJSON_CreateObject(), *c;

	for (c = obj->child; c; c = c->next)
		n++;
	m = calloc(n ? n : 1, sizeof(*m));
	if (m == NULL || out == NULL) {
		free(m);
		cJSON_Delete(out);
		return NULL;
	}
	for (c = obj->child; c; c = c->next)
		m[i++] = c;
	for (i = 1; i < n; i++) /* insertion sort: keys have few fields */
		for (size_t j = i; j > 0 && strcmp(m[j - 1]->string, m[j]->string) > 0; j--) {
			const cJSON *x = m[j];
			m[j] = m[j - 1];
			m[j - 1] = x;
		}
	for (i = 0; i < n; i++) {
		cJSON *d = cJSON_Duplicate(m[i], 1);
		if (d == NULL || !cJSON_AddItemToObject(out, m[i]->string, d)) {
			cJSON_Delete(d);
			cJSON_Delete(out);
			out = NULL;
			break;
		}
	}
	free(m);
	return out;
}

static int
empty_value(const cJSON *v)
{
	return v == NULL || cJSON_IsNull(v) || cJSON_IsFalse(v) ||
	       (cJSON_IsString(v) && v->valuestring[0] == '\0');
}

/* Take _op and _key out of the record and work out op and key; -1: out
 * of memory. */
static int
item_key(struct loader *L, struct load_item *it)
{
	cJSON *op = cJSON_DetachItemFromObjectCaseSensitive(it->rec, "_op");
	cJSON *key = cJSON_DetachItemFromObjectCaseSensitive(it->rec, "_key");
	const struct load_opts *o = L->o;

	it->op = o->op;
	if (op) {
		int i;
		for (i = 0; i < LOAD_NOPS; i++)
			if (cJSON_IsString(op) && strcmp(op->valuestring, op_names[i]) == 0)
				break;
		if (i == LOAD_NOPS)
			load_item_reject(
				it, NULL,
				"_op: not \"upsert\", \"create\", \"update\", \"delete\" or "
				"\"insert\"");
		else
			it->op = (enum load_op)i;
		cJSON_Delete(op);
	}
	if (it->status == LOAD_REJECTED) {
		cJSON_Delete(key);
		return 0;
	}
	if (key) {
		if (!cJSON_IsObject(key) || key->child == NULL)
			load_item_reject(it, NULL, "_key: not an object naming one field or more");
		else {
			for (cJSON *c = key->child; c; c = c->next)
				if (empty_value(c)) {
					load_item_reject(it, NULL, "_key: '%s' is empty",
					                 c->string);
					break;
				}
			if (it->status != LOAD_REJECTED && (it->key = sorted_object(key)) == NULL) {
				cJSON_Delete(key);
				return -1;
			}
		}
		cJSON_Delete(key);
		return 0;
	}
	if (o->nkey) {
		cJSON *k = cJSON_CreateObject();
		for (size_t i = 0; k && i < o->nkey; i++) {
			cJSON *v = cJSON_GetObjectItemCaseSensitive(it->rec, o->key[i]), *d;
			if (empty_value(v)) {
				cJSON_Delete(k);
				if (it->op != LOAD_CREATE)
					load_item_reject(it, NULL,
					                 "no value for the key field '%s'",
					                 o->key[i]);
				return 0;
			}
			if ((d = cJSON_Duplicate(v, 1)) == NULL ||
			    !cJSON_AddItemToObject(k, o->key[i], d)) {
				cJSON_Delete(d);
				cJSON_Delete(k);
				return -1;
			}
		}
		if (k == NULL || (it->key = sorted_object(k)) == NULL) {
			cJSON_Delete(k);
			return -1;
		}
		cJSON_Delete(k);
		return 0;
	}
	if (it->op != LOAD_CREATE)
		load_item_reject(it, NULL,
		                 "no key: give --key FIELD or a _key object (or --op create)");
	return 0;
}

/* ---- receipts ------------------------------------------------------- */

static int
add_json(struct buf *b, const cJSON *v)
{
	char *s;
	int rc;

	if (v == NULL)
		return buf_adds(b, "null");
	if ((s = json_tree_print(v)) == NULL)
		return -1;
	rc = buf_adds(b, s);
	free(s);
	return rc;
}

/* The receipt line of it in L->b; -1: out of memory. */
static int
receipt(struct loader *L, const struct load_item *it)
{
	struct buf *b = &L->b;
	int rc = 0;

	buf_reset(b);
	rc |= buf_adds(b, "{\"key\":");
	rc |= add_json(b, it->key);
	rc |= buf_adds(b, ",\"id\":");
	rc |= add_json(b, it->id);
	rc |= buf_adds(b, ",\"status\":\"");
	rc |= buf_adds(b, it->drift && it->status != LOAD_REJECTED
	                          ? "drifted"
	                          : load_status_name(it->status, L->o->dry_run));
	rc |= buf_adds(b, "\"");
	if (it->drift) {
		rc |= buf_adds(b, ",\"drift\":");
		rc |= add_json(b, it->drift);
	}
	rc |= buf_adds(b, ",\"error\":");
	if (it->status == LOAD_REJECTED)
		rc |= json_quote(b, item_error(it), strlen(item_error(it)));
	else
		rc |= buf_adds(b, "null");
	if (L->o->dry_run) {
		if (it->status == LOAD_UPDATED && it->changes) {
			rc |= buf_adds(b, ",\"changes\":");
			rc |= add_json(b, it->changes);
		}
		rc |= buf_adds(b, ",\"dry_run\":true");
	}
	rc |= buf_addc(b, '}');
	return rc ? -1 : 0;
}

static int
oom(struct stage *st)
{
	struct ep_err e;

	ep_errf(&e, EP_SOFTWARE, "out of memory");
	return stage_fail(st, &e);
}

/* The run's counts by receipt (lib/ops: the summary, --stats, --metrics). */
static void
ops_receipt(enum load_status s)
{
	static const int map[] = {
		[LOAD_CREATED] = OPS_CREATED,
		[LOAD_UPDATED] = OPS_UPDATED,
		[LOAD_UNCHANGED] = OPS_UNCHANGED,
		[LOAD_DELETED] = OPS_DELETED,
	};

	if (s >= LOAD_CREATED && s <= LOAD_DELETED)
		ops.n[map[s]]++;
}

/* Give each item of the batch its outcome, in input order. */
static int
settle(struct stage *st, struct loader *L)
{
	int rc = 0;

	for (size_t i = 0; i < L->n && rc == 0; i++) {
		struct load_item *it = &L->items[i];
		if (it->status == LOAD_PENDING)
			continue; /* a fatal error stopped the batch before it */
		if (receipt(L, it) < 0)
			return oom(st);
		if (it->status == LOAD_REJECTED) {
			struct stage_rec rec = { it->text, it->len, it->source, it->line };
			rc = stage_reject(st, &rec, "load", item_error(it), it->errors, it->nerrors,
			                  0);
			if (rc == 0 && ndjson_write(stage_out(st), L->b.p, L->b.len) < 0)
				rc = -1;
		} else {
			ops_receipt(it->status);
			rc = stage_emit(st, L->b.p, L->b.len);
			if (rc == 0 && L->o->audit && !L->o->dry_run)
				rc = load_audit_item(st, L->o->audit, it);
		}
	}
	if (rc == 0 && L->o->audit)
		rc = load_audit_flush(st, L->o->audit, 0);
	return rc;
}

/* ---- the batch ------------------------------------------------------ */

/* Whose fault is e: the target's classify, else "EP_DATAERR is the
 * record's". */
static enum load_class
error_class(const struct loader *L, struct load_error *e)
{
	if (e->err.code == 0)
		e->err.code = EP_SOFTWARE;
	if (L->t->classify)
		return L->t->classify(L->tctx, e);
	return e->err.code == EP_DATAERR ? LOAD_ERR_RECORD : LOAD_ERR_FATAL;
}

/* Stop the run with fe, its message prefixed with the input lines of the n
 * records of its the failed call was for. */
static int
fail_lines(struct stage *st, struct ep_err *fe, struct load_item *const *its, size_t n)
{
	/* the records the failed call was for: the run stops with their lines
	 * named, as a record's own error names its line */
	if (n > 0 && its[0]->source && its[n - 1]->source) {
		const struct load_item *a = its[0], *z = its[n - 1];
		if (n == 1)
			ep_err_prefix(fe, "%s:%llu", a->source, (unsigned long long)a->line);
		else if (a->source == z->source) /* interned: one name, one pointer */
			ep_err_prefix(fe, "%s:%llu-%llu (%zu records)", a->source,
			              (unsigned long long)a->line, (unsigned long long)z->line, n);
		else
			ep_err_prefix(fe, "%s:%llu to %s:%llu (%zu records)", a->source,
			              (unsigned long long)a->line, z->source,
			              (unsigned long long)z->line, n);
	}
	if (strlen(fe->msg) == sizeof(fe->msg) - 1)
		ep_info(1, "the error message was cut");
	return stage_fail(st, fe);
}

/* Stop the run with e, its message prefixed with the system's error name
 * and the lines of its. */
static int
fail_with(struct stage *st, const struct load_error *e, struct load_item *const *its, size_t n)
{
	struct ep_err fe = e->err;

	if (e->name[0])
		ep_err_prefix(&fe, "%s", e->name);
	return fail_lines(st, &fe, its, n);
}

static int
call_step(struct loader *L, enum step s, const char *method, struct load_item *const *its, size_t n,
          struct load_error *e)
{
	const struct load_target *t = L->t;

	L->calls++;
	switch (s) {
	case STEP_RESOLVE:
		return t->resolve(L->tctx, its, n, e);
	case STEP_LOOKUP:
		return t->lookup(L->tctx, its, n, e);
	case STEP_CREATE:
		return t->create(L->tctx, its, n, e);
	case STEP_UPDATE:
		return t->update(L->tctx, its, n, e);
	case STEP_REMOVE:
		return t->remove(L->tctx, its, n, e);
	case STEP_CALL:
		return t->call(L->tctx, method, its, n, e);
	}
	return load_errf(e, EP_SOFTWARE, NULL, "unknown step");
}

static enum load_status
step_status(enum step s)
{
	switch (s) {
	case STEP_CREATE:
		return LOAD_CREATED;
	case STEP_UPDATE:
		return LOAD_UPDATED;
	case STEP_REMOVE:
		return LOAD_DELETED;
	default:
		return LOAD_PENDING; /* unchanged */
	}
}

static int settle_lost(struct stage *st, struct loader *L, enum step s,
                       struct load_item *const *its, size_t n, const struct load_error *lost);

/* Run step s on its; a record-class failure splits the set in halves
 * until the record at fault is alone, and rejects it; a write whose
 * answer was lost is settled by settle_lost.  -1: fatal (the stage has
 * failed). */
static int
run_split(struct stage *st, struct loader *L, enum step s, const char *method,
          struct load_item *const *its, size_t n)
{
	struct load_error e;
	enum load_class cls;

	if (n == 0)
		return 0;
	memset(&e, 0, sizeof(e));
	if (call_step(L, s, method, its, n, &e) == 0) {
		enum load_status to = step_status(s);
		size_t nlost = 0;
		/* a target may settle an item itself (a create that found the
		 * record and updated it): only the pending ones take the step's;
		 * those it marked lost (load_item_lost) are settled apart */
		for (size_t i = 0; i < n; i++)
			if (to != LOAD_PENDING && its[i]->lost)
				nlost++; /* a write's */
			else if (to != LOAD_PENDING && its[i]->status == LOAD_PENDING)
				its[i]->status = to;
		if (nlost == 0)
			return 0;
		load_errf(&e, EP_UNAVAILABLE, NULL, "%s: %zu writes whose answer was lost",
		          L->t->system, nlost);
		return settle_lost(st, L, s, its, n, &e);
	}
	if (e.lost && (s == STEP_CREATE || s == STEP_UPDATE || s == STEP_REMOVE))
		return settle_lost(st, L, s, its, n, &e);
	if (e.lost && s == STEP_CALL) {
		struct ep_err fe;

		ep_errf(&fe, EP_UNAVAILABLE,
		        "--then %s: %s; the method may have run, and it is not called twice",
		        method, e.err.msg);
		return stage_fail(st, &fe);
	}
	if ((cls = error_class(L, &e)) != LOAD_ERR_RECORD)
		return fail_with(st, &e, its, n);
	if (n == 1) {
		if (method)
			load_item_reject(its[0], NULL, "%s: %s%s%s", method, e.name,
			                 e.name[0] ? ": " : "", e.err.msg);
		else
			load_item_reject(its[0], e.name, "%s", e.err.msg);
		return 0;
	}
	ep_info(2, "%s: %zu records refused, splitting: %s", L->t->system, n, e.err.msg);
	/* the halves are copied out: a nested call reuses L->set */
	{
		struct load_item **half = malloc(n * sizeof(*half));
		size_t h = n / 2, k;
		int rc;
		if (half == NULL)
			return oom(st);
		memcpy(half, its, n * sizeof(*half));
		rc = run_split(st, L, s, method, half, h);
		if (rc == 0) {
			/* the second half: only those still pending or written */
			k = 0;
			for (size_t i = h; i < n; i++)
				if (half[i]->status != LOAD_REJECTED)
					half[h + k++] = half[i];
			rc = run_split(st, L, s, method, half + h, k);
		}
		free(half);
		return rc;
	}
}

/* The items of [from, to) still pending (written = 0), created or updated
 * (written = 1), or those and the unchanged ones found (written = 2), and
 * for which pick says yes.  Fills L->set. */
static size_t
select_items(struct loader *L, size_t from, size_t to, int written,
             int (*pick)(const struct load_item *))
{
	size_t k = 0;

	for (size_t i = from; i < to; i++) {
		struct load_item *it = &L->items[i];
		int ok = written ? (it->status == LOAD_CREATED || it->status == LOAD_UPDATED ||
		                    (written == 2 && it->status == LOAD_UNCHANGED && it->id))
		                 : it->status == LOAD_PENDING;
		if (ok && (pick == NULL || pick(it)))
			L->set[k++] = it;
	}
	return k;
}

static int
has_key(const struct load_item *it)
{
	return it->op != LOAD_CREATE && it->key != NULL;
}

/* Is given, a value of the record's field name, the same as v, the target's
 * (NULL: the target has none)? */
static int
field_same(const struct loader *L, const struct load_item *it, const char *name, const cJSON *given,
           const cJSON *v)
{
	if (v == NULL)
		return 0;
	/* equal as JSON is the same for every target: no need to ask */
	if (json_tree_equal(given, v))
		return 1;
	return L->t->same ? L->t->same(L->tctx, it, name, given, v) : 0;
}

/* Which fields differ from the current record: it->changes; -1: out of
 * memory. */
static int
diff(struct loader *L, struct load_item *it)
{
	cJSON *ch = cJSON_CreateObject();

	if (ch == NULL)
		return -1;
	for (cJSON *f = it->rec->child; f; f = f->next) {
		const cJSON *cur =
			it->current ? cJSON_GetObjectItemCaseSensitive(it->current, f->string)
				    : NULL;
		if (!field_same(L, it, f->string, f, cur)) {
			cJSON *d = cJSON_Duplicate(f, 1);
			if (d == NULL || !cJSON_AddItemToObject(ch, f->string, d)) {
				cJSON_Delete(d);
				cJSON_Delete(ch);
				return -1;
			}
		}
	}
	cJSON_Delete(it->changes);
	it->changes = ch;
	return 0;
}

static int
is_create(const struct load_item *it)
{
	return it->status == LOAD_PENDING && (it->op == LOAD_CREATE || it->id == NULL);
}

static int
is_update(const struct load_item *it)
{
	return it->op != LOAD_DELETE && it->op != LOAD_CREATE && it->op != LOAD_INSERT &&
	       it->id != NULL;
}

static int
was_created(const struct load_item *it)
{
	return it->status == LOAD_CREATED;
}

static int
is_remove(const struct load_item *it)
{
	return it->op == LOAD_DELETE;
}

/* Plan each pending item of [from, to) after the lookup; -1: out of
 * memory. */
static int
plan(struct loader *L, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		struct load_item *it = &L->items[i];
		if (it->status != LOAD_PENDING)
			continue;
		switch (it->op) {
		case LOAD_CREATE:
			break;
		case LOAD_UPSERT:
		case LOAD_UPDATE:
			if (it->id == NULL) {
				if (it->op == LOAD_UPDATE)
					load_item_reject(it, NULL,
					                 "update: no record matches the key");
				break;
			}
			if (diff(L, it) < 0)
				return -1;
			if (it->changes->child == NULL)
				it->status = LOAD_UNCHANGED;
			break;
		case LOAD_DELETE:
			if (it->id == NULL)
				it->status = LOAD_UNCHANGED;
			break;
		case LOAD_INSERT:
			if (it->id != NULL)
				it->status = LOAD_UNCHANGED; /* there: left as it is */
			break;
		case LOAD_NOPS:
			break;
		}
	}
	return 0;
}

/* ---- lost answers (load.h) ----------------------------------------- */

void
load_item_lost(struct load_item *it, enum load_status would)
{
	it->lost = would;
}

/* One round: the items of its[0..n) whose write may or may not have been
 * applied (its answer, lost->err, never came) are read again by key and
 * settled; those still to write are written again through run_split (which
 * comes back here when that answer is lost too).  The items in doubt are
 * those the target marked (load_item_lost: each with the write it was),
 * else, when the step failed with lost, the pending ones of step s: a
 * create without its id, every update and remove.  -1: the run stops. */
static int
settle_lost(struct stage *st, struct loader *L, enum step s, struct load_item *const *its, size_t n,
            const struct load_error *lost)
{
	struct load_item **todo = calloc(n ? n : 1, sizeof(*todo)), **again[3] = { NULL };
	cJSON **old = calloc(n ? n : 1, sizeof(*old));
	struct ep_err err = lost->err;
	size_t k = 0, nagain[3] = { 0 }, marked = 0;
	char *was_create = calloc(n ? n : 1, 1);
	int rc = 0;

	for (int j = 0; j < 3; j++)
		if ((again[j] = calloc(n ? n : 1, sizeof(*again[j]))) == NULL)
			rc = -1;
	if (todo == NULL || old == NULL || was_create == NULL || rc < 0) {
		rc = oom(st);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		marked += its[i]->lost != LOAD_PENDING;
	for (size_t i = 0; i < n; i++) {
		struct load_item *it = its[i];

		if (it->status != LOAD_PENDING && !it->lost)
			continue;
		if (marked && !it->lost) {
			it->status = step_status(s); /* its answer came */
			continue;
		}
		if (!it->lost) {
			if (s == STEP_CREATE && it->id) {
				it->status =
					LOAD_CREATED; /* a create with its id: that answer came */
				continue;
			}
			it->lost = step_status(s);
		}
		it->status = LOAD_PENDING;
		todo[k++] = it;
	}
	for (size_t i = 0; i < k; i++)
		if (todo[i]->key == NULL) {
			ep_errf(&err, EP_UNAVAILABLE,
			        "%s: %s; the record of %s:%llu has no key to read it again by, "
			        "and it is not created twice (give --key%s)",
			        L->t->system, lost->err.msg, todo[i]->source,
			        (unsigned long long)todo[i]->line,
			        strcmp(L->t->system, "odoo") == 0 ? " or --xmlid" : "");
			rc = stage_fail(st, &err);
			goto out;
		}
	if (k == 0)
		goto out;
	if (L->t->again ? !L->t->again(L->tctx, L->lost_rounds, &err)
	                : L->lost_rounds >= LOAD_LOST_ROUNDS) {
		if (L->t->again == NULL)
			ep_errf(&err, EP_UNAVAILABLE, "%s (after %d rounds)", lost->err.msg,
			        L->lost_rounds);
		rc = fail_lines(st, &err, todo, k);
		goto out;
	}
	L->lost_rounds++;
	ep_info(1, "%s: %zu writes whose answer was lost: reading them again (%s)", L->t->system, k,
	        lost->err.msg);
	for (size_t i = 0; i < k; i++) {
		old[i] = todo[i]->id;
		todo[i]->id = NULL;
		cJSON_Delete(todo[i]->current);
		todo[i]->current = NULL;
	}
	if ((rc = run_split(st, L, STEP_LOOKUP, NULL, todo, k)) < 0)
		goto out;
	for (size_t i = 0; i < k; i++) {
		struct load_item *it = todo[i];
		enum load_status would = it->lost;
		int there = it->id != NULL;

		it->lost = LOAD_PENDING;
		if (it->status != LOAD_PENDING)
			continue; /* refused by the lookup */
		if (!there && would != LOAD_CREATED) {
			it->id = old[i]; /* the receipt keeps the id it had */
			old[i] = NULL;
		}
		if (would == LOAD_DELETED) {
			if (there)
				again[2][nagain[2]++] = it;
			else
				it->status = LOAD_DELETED;
			continue;
		}
		if (!there) {
			if (would == LOAD_CREATED)
				again[0][nagain[0]++] = it;
			else
				load_item_reject(it, NULL,
				                 "update: the record was deleted meanwhile");
			continue;
		}
		if (diff(L, it) < 0) {
			rc = oom(st);
			goto out;
		}
		/* a create found: done, and what differs written to it (the
		 * part of the create that did not happen); an update found
		 * with the values given: done */
		if (it->changes->child) {
			was_create[nagain[1]] = would == LOAD_CREATED;
			again[1][nagain[1]++] = it;
		}
		it->status = would;
	}
	ep_info(1, "%s: %zu of them were applied, %zu are sent again", L->t->system,
	        k - nagain[0] - nagain[1] - nagain[2], nagain[0] + nagain[1] + nagain[2]);
	for (size_t i = 0; i < nagain[1]; i++)
		again[1][i]->status = LOAD_PENDING;
	if (nagain[1] && (rc = run_split(st, L, STEP_UPDATE, NULL, again[1], nagain[1])) < 0)
		goto out;
	/* a create found keeps its receipt: created */
	for (size_t i = 0; i < nagain[1]; i++)
		if (was_create[i] && again[1][i]->status != LOAD_REJECTED)
			again[1][i]->status = LOAD_CREATED;
	if (nagain[0] && (rc = run_split(st, L, STEP_CREATE, NULL, again[0], nagain[0])) < 0)
		goto out;
	if (nagain[2])
		rc = run_split(st, L, STEP_REMOVE, NULL, again[2], nagain[2]);
out:
	for (size_t i = 0; i < n && old; i++)
		cJSON_Delete(old[i]);
	free(old);
	free(todo);
	free(was_create);
	for (int j = 0; j < 3; j++)
		free(again[j]);
	return rc;
}

const cJSON *
load_item_written(const struct load_item *it)
{
	return it->status == LOAD_CREATED || it->changes == NULL ? it->rec : it->changes;
}

int
load_item_stored(struct load_item *it, cJSON *rec,
                 int (*keep)(void *t, const char *field, const cJSON *sent), void *t)
{
	cJSON *at = rec ? rec->child : NULL;

	cJSON_Delete(it->stored);
	if ((it->stored = cJSON_CreateObject()) == NULL)
		return -1;
	for (const cJSON *f = load_item_written(it)->child; f; f = f->next) {
		cJSON *v = json_tree_member(rec, &at, f->string);
		if (keep && !keep(t, f->string, f))
			continue;
		if (v) /* moved over with its name */
			cJSON_DetachItemViaPointer(rec, v);
		else if ((v = cJSON_CreateNull()) == NULL ||
		         (v->string = strdup(f->string)) == NULL) {
			cJSON_Delete(v);
			return -1;
		}
		cJSON_AddItemToArray(it->stored, v);
	}
	return 0;
}

static int
has_id(const struct load_item *it)
{
	return it->id != NULL;
}

/* One drift: {"field", "sent", "stored"} at the end of it->drift; -1: out of
 * memory. */
static int
add_drift(struct load_item *it, const char *field, const cJSON *sent, const cJSON *stored)
{
	cJSON *d = cJSON_CreateObject(), *a = cJSON_Duplicate(sent, 1),
	      *b = cJSON_Duplicate(stored, 1);

	if (it->drift == NULL)
		it->drift = cJSON_CreateArray();
	if (it->drift == NULL || d == NULL || a == NULL || b == NULL ||
	    !cJSON_AddStringToObject(d, "field", field)) {
		cJSON_Delete(d);
		cJSON_Delete(a);
		cJSON_Delete(b);
		return -1;
	}
	cJSON_AddItemToObject(d, "sent", a);
	cJSON_AddItemToObject(d, "stored", b);
	cJSON_AddItemToArray(it->drift, d);
	return 0;
}

/* --verify strict: reject a drifted record ("drifted: 'f': sent 2, stored
 * [1,\"USD\"]"), each drift in "errors" at the field's JSON Pointer; -1: out
 * of memory. */
static int
reject_drift(struct load_item *it)
{
	struct buf path = BUF_INIT, msg = BUF_INIT;
	int rc = 0;

	for (const cJSON *d = it->drift->child; d && rc == 0; d = d->next) {
		const char *field = cJSON_GetObjectItemCaseSensitive(d, "field")->valuestring;
		buf_reset(&path);
		buf_reset(&msg);
		rc |= buf_addc(&path, '/');
		for (const char *c = field; *c; c++) /* RFC 6901: ~ is ~0, / is ~1 */
			rc |= *c == '~'   ? buf_adds(&path, "~0")
			      : *c == '/' ? buf_adds(&path, "~1")
			                  : buf_addc(&path, *c);
		rc |= buf_adds(&msg, "sent ");
		rc |= add_json(&msg, cJSON_GetObjectItemCaseSensitive(d, "sent"));
		rc |= buf_adds(&msg, ", stored ");
		rc |= add_json(&msg, cJSON_GetObjectItemCaseSensitive(d, "stored"));
		if (rc == 0 && d == it->drift->child)
			load_item_reject(it, "drifted", "'%s': %s%s", field, buf_str(&msg),
			                 d->next ? " (and more fields)" : "");
		if (rc == 0)
			load_item_field_error(it, buf_str(&path), buf_str(&msg));
	}
	buf_release(&path);
	buf_release(&msg);
	return rc ? -1 : 0;
}

/* What it wrote against what the readback found: it->drift.  A field the
 * target did not read back is not verified (noted for -v).  -1: out of
 * memory. */
static int
compare(struct loader *L, struct load_item *it)
{
	const cJSON *w = load_item_written(it);
	cJSON *at;

	if (it->stored == NULL) {
		L->unread++;
		return 0;
	}
	at = it->stored->child;
	for (const cJSON *f = w->child; f; f = f->next) {
		const cJSON *v = json_tree_member(it->stored, &at, f->string);
		if (v == NULL) {
			if (!cJSON_HasObjectItem(L->unverified, f->string) &&
			    !cJSON_AddTrueToObject(L->unverified, f->string))
				return -1;
			continue;
		}
		if (!field_same(L, it, f->string, f, v) && add_drift(it, f->string, f, v) < 0)
			return -1;
	}
	if (it->drift == NULL)
		return 0;
	L->drifted++;
	ops.n[OPS_DRIFTED]++;
	return L->o->verify == LOAD_VERIFY_STRICT ? reject_drift(it) : 0;
}

/* Read back what the items of [from, to) wrote, one readback for them all,
 * and note what the server did not keep.  -1: the run stops. */
static int
verify(struct stage *st, struct loader *L, size_t from, size_t to)
{
	struct load_error e;
	size_t k;

	if (L->o->verify == LOAD_VERIFY_OFF || L->t->readback == NULL ||
	    (k = select_items(L, from, to, 1, has_id)) == 0)
		return 0;
	memset(&e, 0, sizeof(e));
	L->calls++;
	if (L->t->readback(L->tctx, L->set, k, &e) < 0) {
		if (error_class(L, &e) != LOAD_ERR_RECORD) {
			ep_err_prefix(&e.err, "written, the read back failed");
			return fail_with(st, &e, L->set, k);
		}
		ep_warn("%s: %zu records written, not verified: the read back was refused: %s%s%s",
		        L->t->system, k, e.name, e.name[0] ? ": " : "", e.err.msg);
		return 0;
	}
	for (size_t i = 0; i < k; i++)
		if (compare(L, L->set[i]) < 0)
			return oom(st);
	return 0;
}

/* Resolve, look up, plan and write the items of [from, to).  -1: the run
 * stops. */
static int
process(struct stage *st, struct loader *L, size_t from, size_t to)
{
	size_t k;
	int rc = 0;

	if ((k = select_items(L, from, to, 0, has_key)) > 0)
		rc = run_split(st, L, STEP_LOOKUP, NULL, L->set, k);
	if (rc == 0 && plan(L, from, to) < 0)
		rc = oom(st);
	if (rc == 0 && L->o->dry_run) {
		for (size_t i = from; i < to; i++) {
			struct load_item *it = &L->items[i];
			if (it->status != LOAD_PENDING)
				continue;
			it->status = it->op == LOAD_DELETE ? LOAD_DELETED
			             : is_create(it)       ? LOAD_CREATED
			                                   : LOAD_UPDATED;
		}
		return 0;
	}
	if (rc == 0 && (k = select_items(L, from, to, 0, is_remove)) > 0)
		rc = run_split(st, L, STEP_REMOVE, NULL, L->set, k);
	if (rc == 0 && (k = select_items(L, from, to, 0, is_update)) > 0)
		rc = run_split(st, L, STEP_UPDATE, NULL, L->set, k);
	if (rc == 0 && (k = select_items(L, from, to, 0, is_create)) > 0)
		rc = run_split(st, L, STEP_CREATE, NULL, L->set, k);
	if (rc == 0 && L->window == (size_t)L->o->batch)
		rc = verify(st, L, from, to);
	for (size_t m = 0; rc == 0 && m < L->o->nthen; m++)
		if ((k = select_items(L, from, to, L->o->then_on == LOAD_THEN_ALL ? 2 : 1,
		                      L->o->then_on == LOAD_THEN_CREATED ? was_created : NULL)) > 0)
			rc = run_split(st, L, STEP_CALL, L->o->then[m], L->set, k);
	return rc;
}

/* Write the held records from L->done on, a batch at a time; with all
 * unset only whole batches, so a window read back at once is written while
 * it fills (its records are still in the cache).  A record the target's
 * resolve marked as waiting (it refers to a record created earlier in the
 * batch) cuts the batch there: the part before it is written first, then
 * the rest is resolved again.  -1: the run stops. */
static int
write_batches(struct stage *st, struct loader *L, int all)
{
	const struct load_target *t = L->t;
	size_t batch = (size_t)L->o->batch, from, to, k;
	int rc = 0;

	if (L->done == 0)
		L->lost_rounds = 0;
	stage_settle_begin(st);
	while (rc == 0 && L->done < L->n && (all || L->n - L->done >= batch)) {
		size_t end;
		from = L->done;
		end = L->n - from > batch ? from + batch : L->n;
		to = end;
		if (t->resolve && (k = select_items(L, from, end, 0, NULL)) > 0)
			rc = run_split(st, L, STEP_RESOLVE, NULL, L->set, k);
		for (size_t i = from; i < end; i++) {
			if (L->items[i].wait && to == end && i > from && !L->o->dry_run)
				to = i;
			L->items[i].wait = 0;
		}
		if (rc == 0)
			rc = process(st, L, from, to);
		L->done = to;
	}
	stage_settle_end(st);
	return rc;
}

/* Read the window back (rc 0: its writes went well) and settle its records;
 * the window is empty afterwards.  -1: the run stops. */
static int
settle_window(struct stage *st, struct loader *L, int rc)
{
	const struct load_target *t = L->t;

	stage_settle_begin(st);
	/* the window's batches are written: one read back for them all */
	if (rc == 0 && L->window > (size_t)L->o->batch)
		rc = verify(st, L, 0, L->n);
	if (settle(st, L) < 0)
		rc = -1;
	for (size_t i = 0; i < L->n; i++) {
		item_clear(t, L->tctx, &L->items[i]);
		free(L->keys[i]);
		L->keys[i] = NULL;
	}
	memset(L->slots, 0, L->nslots * sizeof(*L->slots));
	L->n = 0;
	L->done = 0;
	L->wbytes = 0;
	stage_settle_end(st);
	return rc;
}

/* Write what is held, read the window back and settle its records.  -1:
 * the run stops. */
static int
flush(struct stage *st, struct loader *L)
{
	if (L->n == 0)
		return 0;
	return settle_window(st, L, write_batches(st, L, 1));
}

static int
on_barrier(struct stage *st, void *ctx)
{
	struct loader *L = ctx;

	if (flush(st, L) < 0)
		return -1;
	/* the audit trail is on disk before a checkpoint passes */
	return L->o->audit ? load_audit_flush(st, L->o->audit, 1) : 0;
}

/* The target's own commit of a checkpoint (its batch is written). */
static int
on_checkpoint(struct stage *st, const char *stream, const void *pos, void *ctx)
{
	struct loader *L = ctx;
	struct load_error e;

	if (L->o->dry_run)
		return 0;
	memset(&e, 0, sizeof(e));
	L->calls++;
	if (L->t->commit(L->tctx, stream, pos, &e) < 0)
		return fail_with(st, &e, NULL, 0);
	return 0;
}

/* A line the runner refused (not JSON, a bad checkpoint): its receipt,
 * as every record has one. */
static int
on_rejected(struct stage *st, const struct stage_rec *rec, const char *error, void *ctx)
{
	struct loader *L = ctx;
	struct load_item it;
	int rc;

	(void)rec;
	memset(&it, 0, sizeof(it));
	it.status = LOAD_REJECTED;
	it.error = (char *)error;
	if (receipt(L, &it) < 0)
		return oom(st);
	rc = ndjson_write(stage_out(st), L->b.p, L->b.len);
	return rc < 0 ? -1 : 0;
}

static int
on_record(struct stage *st, const struct stage_rec *rec, void *ctx)
{
	struct loader *L = ctx;
	struct load_item it;
	char *ktext = NULL;

	memset(&it, 0, sizeof(it));
	it.line = rec->line;
	it.len = rec->len;
	if ((it.source = intern_source(L, rec->source)) == NULL ||
	    (it.text = malloc(rec->len + 1)) == NULL)
		goto nomem;
	memcpy(it.text, rec->p, rec->len);
	it.text[rec->len] = '\0';
	/* the stream's rules (json_tree.h): last of a repeated key wins, a
	 * U+0000 cannot be sent */
	it.rec = json_tree_parse(rec->p, rec->len, &L->jerr);
	if (it.rec == NULL || !cJSON_IsObject(it.rec)) {
		cJSON_Delete(it.rec);
		if ((it.rec = cJSON_CreateObject()) == NULL)
			goto nomem;
		if (L->jerr.why && strcmp(L->jerr.why, "out of memory") == 0)
			goto nomem;
		load_item_reject(&it, L->jerr.path.len ? buf_str(&L->jerr.path) : NULL, "%s",
		                 L->jerr.why ? L->jerr.why : "not a JSON object");
		load_item_field_error(&it, buf_str(&L->jerr.path),
		                      L->jerr.why ? L->jerr.why : "not a JSON object");
	} else if (item_key(L, &it) < 0)
		goto nomem;
	if (it.status == LOAD_PENDING && it.key) {
		if ((ktext = json_tree_print(it.key)) == NULL)
			goto nomem;
		if (key_find(L, ktext) >= 0 && flush(st, L) < 0) {
			free(ktext);
			item_clear(L->t, L->tctx, &it);
			return -1;
		}
	}
	if (it.status == LOAD_PENDING && L->t->check) {
		struct load_error e;
		memset(&e, 0, sizeof(e));
		if (L->t->check(L->tctx, &it, &e) < 0 && it.status != LOAD_REJECTED) {
			if (error_class(L, &e) != LOAD_ERR_RECORD) {
				free(ktext);
				item_clear(L->t, L->tctx, &it);
				return stage_fail(st, &e.err);
			}
			load_item_reject(&it, e.name, "%s", e.err.msg);
		}
	}
	it.index = L->n;
	L->items[L->n] = it;
	L->keys[L->n] = it.status == LOAD_PENDING ? ktext : NULL;
	if (L->keys[L->n])
		key_add(L, L->n);
	else
		free(ktext);
	L->n++;
	L->wbytes += rec->len;
	stage_defer(st);
	if (L->n >= L->window)
		return flush(st, L);
	if (L->window > (size_t)L->o->batch) { /* a window read back at once */
		/* it also ends at window_bytes of input, so the answer of its
		 * read stays under the cap (--max-body) */
		if (L->wbytes >= L->window_bytes)
			return flush(st, L);
		/* its batches are written as they fill */
		if (L->n - L->done >= (size_t)L->o->batch && write_batches(st, L, 0) < 0)
			return settle_window(st, L, -1);
	}
	return 0;
nomem:
	item_clear(L->t, L->tctx, &it);
	return oom(st);
}

int
load_run(const struct stage_cfg *cfg, const struct load_opts *o, const struct load_target *t,
         void *tctx, int nfiles, char *const *files)
{
	struct stage_hooks hooks = { on_record, on_barrier, NULL, on_rejected, NULL, NULL };
	struct stage_cfg scfg = *cfg;
	struct loader L;
	size_t cap = (size_t)(o->batch > 0 ? o->batch : 1);
	int status;

	/* verify reads back a window of batches at once, unless a --then
	 * must follow each batch's check (it may change what was written) */
	if (o->verify != LOAD_VERIFY_OFF && !o->dry_run && t->readback && o->nthen == 0 &&
	    cap < LOAD_VERIFY_WINDOW)
		cap = LOAD_VERIFY_WINDOW;
	memset(&L, 0, sizeof(L));
	L.window = cap;
	L.window_bytes = o->window_bytes ? o->window_bytes : LOAD_VERIFY_WINDOW_BYTES;
	L.o = o;
	L.t = t;
	L.tctx = tctx;
	L.nslots = 4;
	while (L.nslots < 2 * cap)
		L.nslots *= 2;
	L.items = calloc(cap, sizeof(*L.items));
	L.keys = calloc(cap, sizeof(*L.keys));
	L.set = calloc(cap, sizeof(*L.set));
	L.slots = calloc(L.nslots, sizeof(*L.slots));
	L.unverified = cJSON_CreateObject();
	buf_init(&L.b, 0);
	ops.shown |= OPS_RECEIPTS;
	if (o->verify != LOAD_VERIFY_OFF && !o->dry_run && t->readback)
		ops.shown |= 1u << OPS_DRIFTED;
	if (!L.items || !L.keys || !L.set || !L.slots || !L.unverified) {
		ep_warn("out of memory");
		status = EP_SOFTWARE;
	} else {
		if (t->commit)
			hooks.checkpoint = on_checkpoint;
		status = stage_run(&scfg, nfiles, files, &hooks, &L);
	}
	/* the end of the input: the target commits what it holds */
	if (status == 0 && t->commit && !o->dry_run) {
		struct load_error e;
		memset(&e, 0, sizeof(e));
		L.calls++;
		if (t->commit(tctx, NULL, NULL, &e) < 0) {
			ep_warn("%s: %s%s%s", t->system, e.name, e.name[0] ? ": " : "", e.err.msg);
			status = e.err.code ? e.err.code : EP_SOFTWARE;
		}
	}
	/* a run stopped mid-batch leaves items behind */
	for (size_t i = 0; i < L.n; i++) {
		item_clear(t, tctx, &L.items[i]);
		free(L.keys[i]);
	}
	for (size_t i = 0; i < L.nsources; i++)
		free(L.sources[i]);
	free(L.sources);
	free(L.items);
	free(L.keys);
	free(L.set);
	free(L.slots);
	buf_release(&L.b);
	buf_release(&L.jerr.path);
	ep_info(1, "%s: %llu calls to the target", t->system, (unsigned long long)L.calls);
	if (L.unread)
		ep_info(0, "%s: %llu records written were not found when read back: not verified",
		        t->system, (unsigned long long)L.unread);
	for (cJSON *f = L.unverified ? L.unverified->child : NULL; f; f = f->next)
		ep_info(1, "%s: '%s' is not verified (not read back in a form to compare)",
		        t->system, f->string);
	cJSON_Delete(L.unverified);
	return status;
}
