/*
 * fuzz-cfg.c - libFuzzer target for the connection profile INI parser.
 * Parses the input, then checks what every parse must guarantee: entries
 * point inside the owned copy, keys have values, lines increase.
 */
#include "base/cfg.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg_ini ini = CFG_INI_INIT;
	struct ep_err err = EP_ERR_INIT;
	int last = 0;
	size_t i;

	if (cfg_ini_parse(&ini, "fuzz", (const char *)data, size, &err) < 0) {
		if (err.code != EP_CONFIG || err.msg[0] == '\0' || ini.n != 0)
			abort();
		return 0;
	}
	for (i = 0; i < ini.n; i++) {
		const struct cfg_ent *e = &ini.ent[i];

		if (e->line < last || e->section == NULL ||
		    (e->key == NULL) != (e->value == NULL) || e->section < ini.data ||
		    e->section >= ini.data + ini.size)
			abort();
		if (e->value != NULL && strlen(e->value) > CFG_LINE_MAX)
			abort();
		last = e->line;
	}
	cfg_ini_free(&ini);
	return 0;
}
