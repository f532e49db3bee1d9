#include "load_audit.h"

#include <string.h>

#include <cJSON.h>

static int
fail(struct stage *st, const struct ep_err *e)
{
	return stage_fail(st, e);
}

/* {"field": {"old": …, "new": …}, …} of the fields it wrote; old from the
 * lookup (null for a create, or a field the target did not give). */
static cJSON *
changes(const struct load_item *it)
{
	const cJSON *w = load_item_written(it);
	cJSON *out = cJSON_CreateObject();

	for (const cJSON *f = w ? w->child : NULL; f && out; f = f->next) {
		const cJSON *old = it->status == LOAD_UPDATED && it->current
		                       ? cJSON_GetObjectItemCaseSensitive(it->current, f->string)
		                       : NULL;
		cJSON *c = cJSON_AddObjectToObject(out, f->string);

		/* references: nothing copied, nothing freed with out */
		if (c == NULL ||
		    !(old ? cJSON_AddItemReferenceToObject(c, "old", (cJSON *)old)
		          : cJSON_AddNullToObject(c, "old") != NULL) ||
		    !cJSON_AddItemReferenceToObject(c, "new", (cJSON *)f)) {
			cJSON_Delete(out);
			return NULL;
		}
	}
	return out;
}

int
load_audit_item(struct stage *st, struct audit *a, const struct load_item *it)
{
	static const char *const op[] = {
		[LOAD_CREATED] = "create",
		[LOAD_UPDATED] = "update",
		[LOAD_DELETED] = "delete",
	};
	struct ep_err e = EP_ERR_INIT;
	cJSON *ch = NULL;
	int rc;

	if (it->status != LOAD_CREATED && it->status != LOAD_UPDATED &&
	    it->status != LOAD_DELETED)
		return 0;
	if (it->status != LOAD_DELETED && (ch = changes(it)) == NULL) {
		ep_errf(&e, EP_SOFTWARE, "out of memory");
		return fail(st, &e);
	}
	rc = audit_add(a, op[it->status], it->drift ? "drifted" : load_status_name(it->status, 0),
	               it->key, it->id, ch, it->source, it->line, &e);
	cJSON_Delete(ch);
	return rc < 0 ? fail(st, &e) : 0;
}

int
load_audit_flush(struct stage *st, struct audit *a, int sync)
{
	struct ep_err e = EP_ERR_INIT;

	if ((sync ? audit_sync(a, &e) : audit_flush(a, &e)) < 0)
		return fail(st, &e);
	return 0;
}
