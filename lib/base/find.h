/*
 * find.h - the search path for maps, tables and schemas (layer 1: base).
 *
 * DESIGN.md "Names and search paths": a NAME is a file path when it starts
 * with '/', or names an existing file and contains '/' or ends in ext;
 * otherwise NAME + ext is looked up in dir (when not NULL), each directory
 * of $ERPIPE_PATH (colon-separated), ./KIND, the source tree's
 * examples/KIND (a build tree), ERPIPE_DATADIR/KIND, and last, for a NAME
 * with a '/', relative to the current directory.
 *
 * Ownership: out is the caller's buffer of n bytes; nothing is allocated.
 */
#ifndef ERPIPE_FIND_H
#define ERPIPE_FIND_H

#include <stddef.h>

/* kind: "maps" or "schemas"; ext: ".map", ".schema.json" or "" (tables).
 * Returns 0 with the path in out, or -1 when nothing was found. */
int ep_find(const char *name, const char *kind, const char *ext, const char *dir, char *out,
            size_t n);

#endif
