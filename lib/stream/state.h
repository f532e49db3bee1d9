/*
 * state.h - checkpoint state files (layer 2: stream).
 *
 * A state file is a JSON object mapping a stream name ("odoo:prod:
 * res.partner") to the extractor's position.  Extractors only read it
 * (state_read).  The committing stage opens it with state_open, which
 * takes exclusive locks for the whole run — a held lock fails with
 * EP_TEMPFAIL (75): flock on FILE.lock, then on the state file itself,
 * each checked after locking to be the file its path names (else opened
 * and locked again, as git and SQLite do).  Each commit locks its new
 * file before renaming it in, so the state file is never without its
 * lock, and deleting FILE.lock under a run lets no second committer in.
 * state_open removes the FILE.tmp.PID files of commits a killed run left.
 * state_commit writes the new position for one stream atomically: temp
 * file, fsync, rename, fsync of the directory — unless the position is
 * older than the one committed for the stream (state_pos_older), which is
 * kept: a resumed run re-reads its --overlap window, and its first
 * checkpoints must not walk the committed position back.  A state file
 * holds at most 16 MiB: a commit that would make it larger fails
 * (EP_DATAERR) and leaves the file as it was, as state_read would refuse
 * it.  A state file
 * removed or replaced during the run fails the commit with 75.
 * Ownership: state_read returns a cJSON the caller frees; struct state
 * owns its map and lock until state_close.
 */
#ifndef ERPIPE_STATE_H
#define ERPIPE_STATE_H

#include <cJSON.h>

#include "base/err.h"

struct state {
	char *path;
	int lockfd;  /* FILE.lock */
	int statefd; /* the state file as last committed, locked */
	cJSON *map;
};

/* The map in path, or an empty object when the file does not exist. */
cJSON *state_read(const char *path, struct ep_err *err);
int state_open(struct state *st, const char *path, struct ep_err *err);
/* pos is copied.  Returns -1 with err on any failure. */
int state_commit(struct state *st, const char *stream, const cJSON *pos, struct ep_err *err);
void state_close(struct state *st);

/* 1 when pos is older than committed, as the extractors define their
 * positions (an object of fields in order of significance: Odoo
 * {"write_date","id"}, BNG {"updated_at","id"} or {"seq"}, NAV {modified
 * field, "key"}): the first field that differs decides, numbers by value
 * and strings by the time they name (dt.h); a field missing from the
 * committed position, or not a number or a time (NAV's key object, a
 * cursor), ends the comparison as not older. */
int state_pos_older(const cJSON *pos, const cJSON *committed);

#endif
