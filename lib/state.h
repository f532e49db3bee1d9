/*
 * state.h - checkpoint state files (layer 2: stream).
 *
 * A state file is a JSON object mapping a stream name ("odoo:prod:
 * res.partner") to the extractor's position.  Extractors only read it
 * (state_read).  The committing stage opens it with state_open, which
 * takes an exclusive lock for the whole run (flock on FILE.lock: the state
 * file itself is replaced on every commit) — a held lock fails with
 * EP_TEMPFAIL (75).  state_commit writes the new position for one stream
 * atomically: temp file, fsync, rename, fsync of the directory.
 * Ownership: state_read returns a cJSON the caller frees; struct state
 * owns its map and lock until state_close.
 */
#ifndef ERPIPE_STATE_H
#define ERPIPE_STATE_H

#include <cJSON.h>

#include "err.h"

struct state {
	char *path;
	int lockfd;
	cJSON *map;
};

/* The map in path, or an empty object when the file does not exist. */
cJSON *state_read(const char *path, struct ep_err *err);
int state_open(struct state *st, const char *path, struct ep_err *err);
/* pos is copied.  Returns -1 with err on any failure. */
int state_commit(struct state *st, const char *stream, const cJSON *pos, struct ep_err *err);
void state_close(struct state *st);

/* Write data to path atomically (temp + fsync + rename + dir fsync). */
int file_write_atomic(const char *path, const char *data, size_t len, struct ep_err *err);

#endif
