#include "base/fields.h"

#include <string.h>

void
fields_init(struct fields_iter *it, const char *list, unsigned flags)
{
	it->p = list;
	it->flags = flags;
}

int
fields_pair(const char *s, size_t n, struct field_ref *f)
{
	const char *eq = memchr(s, '=', n);

	f->item = s;
	f->len = n;
	f->name[0] = f->name[1] = s;
	f->n[0] = f->n[1] = n;
	if (n == 0)
		return FIELDS_EMPTY;
	if (eq == NULL)
		return 0;
	if (eq == s || eq == s + n - 1 || memchr(eq + 1, '=', (size_t)(s + n - eq - 1)))
		return FIELDS_NOT_PAIR;
	f->n[0] = (size_t)(eq - s);
	f->name[1] = eq + 1;
	f->n[1] = (size_t)(s + n - eq - 1);
	return 0;
}

int
fields_next(struct fields_iter *it, struct field_ref *f)
{
	while (it->p != NULL) {
		const char *s = it->p, *c = strchr(s, ',');
		size_t n = c ? (size_t)(c - s) : strlen(s);
		int r;

		it->p = c ? c + 1 : NULL;
		if (it->flags & FIELDS_TRIM)
			for (; n > 0 && *s == ' '; s++)
				n--;
		if (n == 0 && (it->flags & FIELDS_SKIP_EMPTY))
			continue;
		if (it->flags & FIELDS_PAIRS) {
			r = fields_pair(s, n, f);
		} else {
			f->item = f->name[0] = f->name[1] = s;
			f->len = f->n[0] = f->n[1] = n;
			r = n ? 0 : FIELDS_EMPTY;
		}
		return r < 0 ? r : 1;
	}
	return 0;
}
