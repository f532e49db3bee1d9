/*
 * seen.h - a bounded set of (key, mtime) pairs already emitted: an
 * extractor's repeats within one run (records read again by --overlap or a
 * page that moved) and the webhook receiver's redeliveries are dropped
 * (layer 1: base).
 *
 * Ownership: seen_new returns a set freed by seen_free; keys and mtimes are
 * copied into a 64-bit hash, never kept.
 */
#ifndef ERPIPE_SEEN_H
#define ERPIPE_SEEN_H

#include <stddef.h>

#define SEEN_MAX 1000000 /* pairs remembered by default (16 MiB) */

struct seen;

struct seen *seen_new(size_t max);
/* Remember (key, mtime): 1 when new, 0 when already there (counted as a
 * record read and dropped: lib/ops), -1 out of memory.  A pair costs 16 bytes (a 64-bit hash of it,
 * and the mtime's rank).  mtimes are ordered by their digits read as one number (at most 19): right
 * for timestamps of one fixed format, "YYYY-MM-DD HH:MM:SS" or ISO 8601 with a fixed number of
 * fraction digits. */
int seen_add(struct seen *s, const char *key, const char *mtime);
/* Forget one pair added before (a receiver that could not keep what it
 * acknowledged nothing for: the sender's retry is then not a repeat). */
void seen_forget(struct seen *s, const char *key, const char *mtime);
/* Forget pairs whose mtime is before `before` (same format). */
void seen_prune(struct seen *s, const char *before);
size_t seen_count(const struct seen *s);
/* Pairs dropped because the set was full (a duplicate became possible). */
size_t seen_evicted(const struct seen *s);
void seen_free(struct seen *s);

#endif
