#include "engine/load_audit.h"

#include <string.h>

#include <cJSON.h>

static int
fail(struct stage *st, const struct ep_err *e)
{
	return stage_fail(st, e);
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
	const cJSON *w;

	if (it->status != LOAD_CREATED && it->status != LOAD_UPDATED && it->status != LOAD_DELETED)
		return 0;
	audit_begin(a, op[it->status], it->drift ? "drifted" : load_status_name(it->status, 0),
	            it->key, it->id, it->status != LOAD_DELETED);
	/* the fields written, old from the lookup (null for a create, or a
	 * field the target did not give) */
	w = it->status != LOAD_DELETED ? load_item_written(it) : NULL;
	for (const cJSON *f = w ? w->child : NULL; f; f = f->next)
		audit_change(a, f->string,
		             it->status == LOAD_UPDATED && it->current
		                     ? cJSON_GetObjectItemCaseSensitive(it->current, f->string)
		                     : NULL,
		             1, f);
	return audit_end(a, it->source, it->line, &e) < 0 ? fail(st, &e) : 0;
}

int
load_audit_flush(struct stage *st, struct audit *a, int sync)
{
	struct ep_err e = EP_ERR_INIT;

	if ((sync ? audit_sync(a, &e) : audit_flush(a, &e)) < 0)
		return fail(st, &e);
	return 0;
}
