/*
 * fileio.h - files written whole and atomically (layer 1: base): temp file,
 * fsync, rename, directory fsync (DESIGN.md: "file state").  A reader sees
 * the old content or the new, never a part.  --stats, --metrics, the OAuth
 * token cache, the webhook spool and the state file (lib/state) go through
 * it.
 *
 * Ownership: nothing is kept; data is borrowed for the call.
 */
#ifndef ERPIPE_FILEIO_H
#define ERPIPE_FILEIO_H

#include <stddef.h>

#include "base/err.h"

/* Write data to path atomically (temp + fsync + rename + dir fsync). */
int file_write_atomic(const char *path, const char *data, size_t len, struct ep_err *err);
/* The same, and with keep not NULL the new file is locked before it is
 * renamed into place, and its descriptor handed back in *keep (the lock
 * with it). */
int file_write_atomic_keep(const char *path, const char *data, size_t len, int *keep,
                           struct ep_err *err);
/* fsync the directory that holds path, so that a rename into it survives a
 * power loss: 0, or -1 (errno) when the sync fails.  A directory that
 * cannot be opened is not synced (0). */
int file_sync_dir(const char *path);
/* Rename tmp (written and synced by the caller) to path and sync the
 * directory: 0, or -1 with err set (EP_IOERR). */
int file_commit(const char *tmp, const char *path, struct ep_err *err);

#endif
