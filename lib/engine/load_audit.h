/*
 * load_audit.h - load's writes into the audit trail (lib/stream/audit.h), part of
 * load's machinery (layer 5: engines, with load.h): one line
 * per record created, updated or deleted, with the fields written, their
 * old values (from the lookup) and new ones, and the record's source line.
 * Unchanged and rejected records wrote nothing and get no line; --dry-run
 * writes none.
 *
 * Ownership: everything is borrowed.  Both return -1 after stage_fail.
 */
#ifndef ERPIPE_LOAD_AUDIT_H
#define ERPIPE_LOAD_AUDIT_H

#include "stream/audit.h"
#include "engine/load.h"
#include "stream/stage.h"

/* Queue it's line when it was a write. */
int load_audit_item(struct stage *st, struct audit *a, const struct load_item *it);
/* Append what is queued; with sync, fsync too (at a barrier: a checkpoint,
 * the end of input). */
int load_audit_flush(struct stage *st, struct audit *a, int sync);

#endif
