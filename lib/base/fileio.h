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

#endif
