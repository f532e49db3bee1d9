/*
 * targets.h - the systems `load SYSTEM ENTITY` writes to, and one run
 * of load(1) on one of them (layer 6: connectors): the options as a
 * struct load_system_cfg, then load_system_run opens the system's
 * connection from its profile, its target (load_odoo, load_bng, load_nav,
 * load_pg) and the --audit trail, and runs the engine (lib/engine/load.h).
 *
 * Like the stage runner it is the program's run: it warns on stderr
 * (lib/log) and returns the exit status.
 *
 * Ownership: the cfg and its strings are the caller's (load_opts_free on
 * cfg->lo after the run); the run closes what it opened.
 */
#ifndef ERPIPE_TARGETS_H
#define ERPIPE_TARGETS_H

#include "base/err.h"
#include "engine/load.h"
#include "net/conn.h"
#include "proto/nav.h"
#include "stream/stage.h"

struct load_system_cfg {
	struct stage_cfg stage;
	struct load_opts lo;
	struct conn_opts conn;
	const char *xmlid;
	const char *protocol;
	const char *token_cache;
	const char *audit, *audit_key;
	int per_record;
	long concurrency;
	struct nav_flags nav;
	int soap;
	const char *schema;
	int hard_delete; /* --deletes hard */
	int deletes_set; /* --deletes given */
};

/* 0 when load writes to the system called name, else -1 with err
 * ("unknown system 'x' (known: odoo, ...)", EP_USAGE). */
int load_system_known(const char *name, struct ep_err *err);

/* Records from files (none: stdin) into entity of system (a known one):
 * the exit status, every failure warned. */
int load_system_run(struct load_system_cfg *c, const char *system, const char *entity, int nfiles,
                    char **files);

#endif
