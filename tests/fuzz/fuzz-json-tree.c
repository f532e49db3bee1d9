/*
 * fuzz-json-tree.c - the round trip of load's JSON on arbitrary bytes:
 * json_tree_parse (the stream's rules: last of a repeated key, U+0000
 * refused, lone surrogates refused, a number a double does not hold
 * refused), then json_tree_print, then json_tree_parse of the printed text,
 * which must succeed and give a tree json_tree_equal to the first: what
 * load accepts it sends as it read it.  Aborts (a finding) when it does not.
 * Only valid UTF-8 is tried: the stage loop refuses the rest before
 * json_tree_parse sees it ("invalid UTF-8 at byte N").
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "stream/json_tree.h"
#include "base/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_tree_err e = { NULL, 0, BUF_INIT };
	cJSON *a, *b = NULL;
	char *text = NULL;

	if (utf8_valid_prefix((const char *)data, size) != size)
		return 0;
	a = json_tree_parse((const char *)data, size, &e);
	if (a != NULL) {
		if ((text = json_tree_print(a)) == NULL)
			abort(); /* out of memory on a small input */
		b = json_tree_parse(text, strlen(text), &e);
		if (b == NULL || !json_tree_equal(a, b)) {
			fprintf(stderr, "round trip failed: %s -> %s (%s)\n", text,
			        b ? "a different tree" : "refused", e.why ? e.why : "");
			abort();
		}
	}
	cJSON_Delete(a);
	cJSON_Delete(b);
	free(text);
	buf_release(&e.path);
	return 0;
}
