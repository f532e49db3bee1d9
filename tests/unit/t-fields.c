/*
 * t-fields.c - the one field-list parser: FIELD[=R][,…], empty items
 * refused or skipped, leading blanks trimmed, pairs split and their bad
 * shapes ("=R", "L=", "L=R=S") told apart from empty items.
 */
#include "tap.h"
#include "base/fields.h"

#include <stdio.h>
#include <string.h>

/* the list as "name|right;…", or "!E" / "!P" at a failure */
static const char *
walk(const char *list, unsigned flags)
{
	static char out[256];
	struct fields_iter it;
	struct field_ref f;
	size_t o = 0;
	int r;

	out[0] = '\0';
	fields_init(&it, list, flags);
	while ((r = fields_next(&it, &f)) != 0) {
		if (r < 0) {
			snprintf(out + o, sizeof(out) - o, "!%c", r == FIELDS_EMPTY ? 'E' : 'P');
			return out;
		}
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%.*s|%.*s;", (int)f.n[0],
		                      f.name[0], (int)f.n[1], f.name[1]);
	}
	return out;
}

int
main(void)
{
	struct field_ref f;

	is_str(walk("a,b,c", 0), "a|a;b|b;c|c;", "plain list");
	is_str(walk("a", 0), "a|a;", "one name");
	is_str(walk("", 0), "!E", "empty list: an empty item");
	is_str(walk("a,,b", 0), "a|a;!E", "empty item refused");
	is_str(walk("a,", 0), "a|a;!E", "trailing comma refused");
	is_str(walk(",a", 0), "!E", "leading comma refused");
	is_str(walk("a,,b,", FIELDS_SKIP_EMPTY), "a|a;b|b;", "empty items skipped");
	is_str(walk("", FIELDS_SKIP_EMPTY), "", "empty list skipped: no item");
	is_str(walk(" a,  b", FIELDS_TRIM), "a|a;b|b;", "leading blanks trimmed");
	is_str(walk("a, ,b", FIELDS_TRIM), "a|a;!E", "a blank item is empty");
	is_str(walk("a, ,b", FIELDS_TRIM | FIELDS_SKIP_EMPTY), "a|a;b|b;", "and skipped");
	is_str(walk("a=b", 0), "a=b|a=b;", "without pairs '=' is part of the name");
	is_str(walk("id,name=Name", FIELDS_PAIRS), "id|id;name|Name;", "pairs split");
	is_str(walk("a,=b", FIELDS_PAIRS), "a|a;!P", "=R refused");
	is_str(walk("a=", FIELDS_PAIRS), "!P", "L= refused");
	is_str(walk("a=b=c", FIELDS_PAIRS), "!P", "L=R=S refused");
	is_str(walk("a,,b", FIELDS_PAIRS), "a|a;!E", "empty item with pairs");

	ok(fields_pair("x=y", 3, &f) == 0 && f.n[0] == 1 && f.n[1] == 1 && f.name[1][0] == 'y',
	   "fields_pair: LEFT=RIGHT");
	ok(fields_pair("xy", 2, &f) == 0 && f.name[0] == f.name[1] && f.n[1] == 2,
	   "fields_pair: NAME, the same pointer both sides");
	ok(fields_pair("x=y,z", 3, &f) == 0 && f.n[1] == 1, "fields_pair: only n bytes read");
	ok(fields_pair("", 0, &f) == FIELDS_EMPTY, "fields_pair: empty");
	return done_testing();
}
