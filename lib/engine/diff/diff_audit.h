/*
 * diff_audit.h - reconcile's fix records into the audit trail (lib/stream/audit.h)
 * (layer 5: engines, with diff.h).
 *
 * reconcile --emit-fix --audit FILE appends one line per fix record it
 * writes, status "emitted": the fix is planned, not applied (the load that
 * applies it writes its own lines, status created, updated or deleted).
 * The line's key is the fix's _key, its changes the fix's fields with
 * "new" their values and, when reconcile knows it, "old" the fixed side's
 * value: an update of a two-way compare without --fix-map; a create has
 * old null; a delete has no changes.  Values are copied as the fix
 * carries them, byte for byte (numbers never go through a double).
 * source is the record the fix comes from (the other side's for a create
 * or an update, the fixed side's for a delete) as FILE:LINE, or null when
 * not known (the three-way merge).
 *
 * Ownership: everything is borrowed.
 */
#ifndef ERPIPE_DIFF_AUDIT_H
#define ERPIPE_DIFF_AUDIT_H

#include <stddef.h>

#include "stream/audit.h"
#include "engine/diff/diff.h"

/* Queue the line of fix (its JSON text, n bytes) made for side target.
 * ev is the event it answers, or NULL (the three-way merge).  0, or -1
 * with err (EP_SOFTWARE: out of memory or a fix that is not an object). */
int diff_fix_audit(struct audit *a, const struct diff *d, const struct diff_event *ev, int target,
                   const char *fix, size_t n, struct ep_err *err);

#endif
