/*
 * match.h - pair the records of two systems that share no key
 * (layer 5: engines, no network): the engine of reconcile --match.
 *
 * The right input is read whole and normalised into compact sim records
 * (lib/engine/similar.h) with its blocking keys in one sorted index; the left
 * streams past it: each left record is scored against the right records
 * that share one of its blocks (blocks holding more than max_block right
 * records are too common to tell anything and are skipped, and counted).
 * Pairs scoring at least lo are kept; then, best first, a pair scoring at
 * least hi whose two records have no other candidate within one point of
 * it becomes a binding (each record in one binding at most).  Every other
 * kept pair that leaves a record unbound is ambiguous: for a person to
 * decide.
 *
 * What comes out, one JSON line each, through sink->out:
 *   MATCH_BIND    {"status":"match","left":ID,"right":ID,"score":S,
 *                  "reasons":[...],"lines":[L,R]}
 *   MATCH_AMBIG   the same with "status":"ambiguous" and "why"
 *   MATCH_ONLY    {"status":"only_left"|"only_right","left"|"right":ID,
 *                  "line":L} (only with spec.all)
 * ID is the record's id field's value, or an object of its id fields.
 * Bindings and ambiguous pairs come in left input order, best first.
 *
 * Ownership: the spec and its strings and maps stay the caller's.  Lines
 * handed to the sink are valid during the call only.  Nothing here prints
 * or exits.
 */
#ifndef ERPIPE_MATCH_H
#define ERPIPE_MATCH_H

#include <stddef.h>
#include <stdint.h>

#include "engine/diff/diff.h"
#include "base/err.h"
#include "engine/similar.h"

struct map_prog;

enum { MATCH_BIND, MATCH_AMBIG, MATCH_ONLY };

struct match_spec {
	const struct sim_spec *sim;
	const struct diff_pair *ids; /* each side's id fields */
	int nids;
	double hi, lo;           /* cut-offs: a binding, a candidate */
	int all;                 /* also the records left unbound */
	int max_block;           /* 0: 100 */
	struct map_prog *map[2]; /* applied to each record first, or NULL */
	size_t max_line;         /* 0: NDJ_DEFAULT_MAX_LINE */
};

struct match_sink {
	/* a line (no newline); -1 stops the run (err filled) */
	int (*out)(void *ctx, int what, const char *p, size_t n, struct ep_err *err);
	/* a record skipped: not JSON, no id, a map error */
	void (*bad)(void *ctx, const char *source, uint64_t line, const char *msg);
	void *ctx;
};

struct match_counts {
	uint64_t read[2], dropped[2], bad[2];
	uint64_t empty[2];   /* records with none of the compared fields */
	uint64_t compared;   /* pairs scored */
	uint64_t candidates; /* pairs at or above lo */
	uint64_t bound, ambiguous;
	uint64_t only[2];    /* records in no binding */
	uint64_t big_blocks; /* block lookups skipped as too common */
};

/* path[0] left, path[1] right ("-" stdin, at most one).  0 when both were
 * read to the end, -1 on a failure (a missing file: EP_NOINPUT, read
 * error, memory, the sink stopping). */
int match_run(const struct match_spec *spec, const char *const path[2],
              const struct match_sink *sink, struct match_counts *c, struct ep_err *err);

#endif
