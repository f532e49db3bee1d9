/* diff_audit.c - reconcile's fix records into the audit trail. */
#include "engine/diff/diff_audit.h"

#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "base/buf.h"
#include "stream/json.h"
#include "base/text.h"

/* A member's key, decoded, in b (NUL-terminated). */
static const char *
member_key(struct buf *b, const struct json_member *m)
{
	buf_reset(b);
	if (buf_grow(b, m->klen + 1) < 0)
		return NULL;
	if (m->kesc)
		b->len = json_unescape(b->p, m->key, m->klen);
	else {
		memcpy(b->p, m->key, m->klen);
		b->len = m->klen;
	}
	b->p[b->len] = '\0';
	return b->p;
}

/* The JSON text p[0..n) as an item printed verbatim ("null" when empty). */
static cJSON *
raw(const char *p, size_t n)
{
	char *s = n ? strndup(p, n) : strdup("null");
	cJSON *v = s ? cJSON_CreateRaw(s) : NULL;

	free(s);
	return v;
}

/* The fixed side's value of field name, when the event tells it: a field
 * of a changed key (fix names are the side's names without --fix-map; with
 * one, a name matches only when the map kept it). */
static const struct diff_val *
old_value(const struct diff *d, const struct diff_event *ev, int target, const char *name)
{
	if (ev == NULL || ev->status != DIFF_CHANGED)
		return NULL;
	for (int i = 0; i < ev->nfd; i++)
		if (strcmp(diff_field_name(d, ev->fd[i].field, target), name) == 0)
			return &ev->fd[i].v[target];
	return NULL;
}

int
diff_fix_audit(struct audit *a, const struct diff *d, const struct diff_event *ev, int target,
               const char *fix, size_t n, struct ep_err *err)
{
	struct json_obj it = { 0 };
	struct json_member m;
	struct buf name = BUF_INIT, op = BUF_INIT;
	cJSON *key = NULL, *changes = cJSON_CreateObject();
	const char *source = NULL;
	uint64_t line = 0;
	int r, rc = -1, from;

	if (changes == NULL || json_obj_open(&it, fix, n) < 0)
		goto out;
	while ((r = json_obj_next(&it, &m)) == 1) {
		const char *k = member_key(&name, &m);
		const struct diff_val *old;
		cJSON *c, *v;

		if (k == NULL)
			goto out;
		if (strcmp(k, "_op") == 0) {
			buf_reset(&op);
			if (m.type != JSON_STRING || buf_add(&op, m.val + 1, m.vlen - 2) < 0)
				goto out;
			continue;
		}
		if (strcmp(k, "_key") == 0) {
			cJSON_Delete(key);
			if ((key = raw(m.val, m.vlen)) == NULL)
				goto out;
			continue;
		}
		if ((c = cJSON_AddObjectToObject(changes, k)) == NULL)
			goto out;
		old = old_value(d, ev, target, k);
		if (old != NULL || (ev != NULL && ev->status != DIFF_CHANGED)) {
			/* a create: the key was not on the fixed side */
			if ((v = old ? raw(old->p, old->n) : cJSON_CreateNull()) == NULL)
				goto out;
			cJSON_AddItemToObject(c, "old", v);
		}
		if ((v = raw(m.val, m.vlen)) == NULL)
			goto out;
		cJSON_AddItemToObject(c, "new", v);
	}
	if (r < 0 || op.len == 0)
		goto out;
	if (ev != NULL) {
		from = strcmp(buf_str(&op), "delete") == 0 ? target : !target;
		source = diff_source(d, from);
		line = ev->line[from];
	}
	rc = audit_add(a, buf_str(&op), "emitted", key, NULL,
	               strcmp(buf_str(&op), "delete") == 0 ? NULL : changes, source, line, err);
	goto done;
out:
	ep_errf(err, EP_SOFTWARE, "fix record: %s", it.why ? it.why : "out of memory");
done:
	cJSON_Delete(key);
	cJSON_Delete(changes);
	buf_release(&name);
	buf_release(&op);
	return rc;
}
