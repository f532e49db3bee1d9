/*
 * anomaly.h - amounts far from their group's history, and duplicate
 * payments (layer 5: engines), for validate's --anomaly and --dup-payment.
 *
 * The history is what past runs saw, kept between runs in a state file
 * (state.h: locked, written atomically) under two streams:
 *   "erpipe:anomaly"  {"v":1,"series":{SERIES:{GROUP:[VALUE,...]}}}
 *      SERIES names a field and its grouping ("amount_total by
 *      partner_id"), GROUP the group's values ("partner_id=42"), VALUEs are
 *      exact decimal texts, oldest first: the last `keep` a group had;
 *      a value of a record with an id is ["VALUE","ID"].
 *   "erpipe:payments" {"v":1,"payments":[[VENDOR,AMOUNT,DATE,REF,ID,AT],...]}
 *      payments remembered for the duplicate check, in the order seen;
 *      REF and ID are null when the payment had none, AT is where it was
 *      read ("bills.ndjson:12").
 * Memory is bounded: a group keeps its last `keep` values; a payment is
 * dropped when it is older than the window before the newest one; the
 * number of groups and of payments each have a cap (ANOMALY_MAX_GROUPS,
 * ANOMALY_MAX_PAYMENTS), past which new ones are not remembered.
 *
 * Scoring, for a value x and its group's history (at least `min` values):
 *  - when x and every past value are positive, on the log scale (a x10
 *    slip and a /10 slip are equally far): score = |ln x - median(ln v)| /
 *    max(1.4826 MAD(ln v), ln 1.01);
 *  - otherwise on the linear scale: score = |x - median| /
 *    max(1.4826 MAD, 1% of |median|, 0.01);
 *  - flagged when score >= cut, or when x <= 0 while every past value is
 *    positive (reason "sign").
 * 1.4826 MAD estimates a standard deviation, so the score reads as a
 * robust z-score.  Doubles are used for the score only; the median and
 * MAD a flag reports are exact decimals computed from the stored values
 * (the doubles' when an exact figure would pass 38 digits).
 *
 * A duplicate payment has the same vendor and the same amount (exact, 1200
 * = 1200.00), a date within `window` days, and references equal after
 * anomaly_ref_norm (or no reference on one side: nothing tells them
 * apart).  The same ID seen again is the same payment (a replay), not a
 * duplicate, as long as the history remembers it (a payment is forgotten
 * once older than the window before the newest, a value once its group
 * has `keep` newer ones).
 *
 * Ownership: struct anomaly_hist is yours from anomaly_hist_new to
 * anomaly_hist_free; strings given are copied.  A verdict's and a dup's
 * strings belong to the history and stay valid until the next call on it.
 * Nothing here prints or exits.
 */
#ifndef ERPIPE_ANOMALY_H
#define ERPIPE_ANOMALY_H

#include <stddef.h>

#include <cJSON.h>

#include "base/buf.h"
#include "base/dec.h"
#include "base/err.h"

#define ANOMALY_MAX_GROUPS (1u << 20)
#define ANOMALY_MAX_PAYMENTS (1u << 21)
#define ANOMALY_STREAM "erpipe:anomaly"
#define ANOMALY_PAY_STREAM "erpipe:payments"

struct anomaly_hist;

/* keep: values a group keeps (1..10000) */
struct anomaly_hist *anomaly_hist_new(int keep);
void anomaly_hist_free(struct anomaly_hist *h);

/* The history from a state file's map (both streams, either may be
 * absent); name is the file's, for messages.  EP_DATAERR when a value is
 * not of the shape above. */
int anomaly_hist_load(struct anomaly_hist *h, const cJSON *map, const char *name,
                      struct ep_err *err);
/* The two streams' values, to commit: cJSON you own, NULL out of memory.
 * window >= 0 drops the payments older than window days before the newest
 * (for good: the history forgets them). */
cJSON *anomaly_hist_series_json(const struct anomaly_hist *h);
cJSON *anomaly_hist_payments_json(struct anomaly_hist *h, int window);
/* counts, for messages and the tests */
size_t anomaly_hist_groups(const struct anomaly_hist *h);
size_t anomaly_hist_payments(const struct anomaly_hist *h);

struct anomaly_verdict {
	int judged; /* 0: fewer than min past values (or no room), or a replay */
	int replay; /* the group holds this id: the record again */
	int flagged;
	int sign; /* flagged because x <= 0 and the past is all > 0 */
	int logscale;
	size_t n;                                 /* past values */
	double score, ratio;                      /* ratio: x / median, 0 when the median is 0 */
	char median[DEC_STRLEN], mad[DEC_STRLEN]; /* exact, when flagged */
	size_t group;                             /* for anomaly_learn */
};

/* Judge x against the group's past; id (or NULL) is the record's: when
 * the group holds it, the record is one seen before (a run repeated, a
 * record read again), neither judged nor learnt.  -1 out of memory. */
int anomaly_judge(struct anomaly_hist *h, const char *series, const char *group,
                  const struct dec *x, const char *id, int min, double cut,
                  struct anomaly_verdict *out);
/* Remember x (and id) in the group the verdict judged it in. */
int anomaly_learn(struct anomaly_hist *h, const struct anomaly_verdict *vd, const struct dec *x,
                  const char *id);

struct anomaly_payment {
	const char *vendor, *amount; /* canonical texts */
	long long day;               /* days since the epoch */
	const char *date;            /* as written */
	const char *ref, *id;        /* NULL: none */
	const char *at;              /* "file:line" */
};

struct anomaly_dup {
	int found;      /* a duplicate: other says of what */
	int same;       /* the same ID was seen: a replay, not a duplicate */
	int noref;      /* found, with a reference missing on one side */
	int past;       /* other is from the history, not this run */
	long long days; /* this date minus the other's */
	struct anomaly_payment other;
	const char *norm; /* the reference as both normalise to it */
};

/* The closest earlier payment p duplicates, if any (window in days). */
int anomaly_dup_find(struct anomaly_hist *h, const struct anomaly_payment *p, int window,
                     struct anomaly_dup *out);
/* Remember p: 1 added, 0 not (no room), -1 out of memory. */
int anomaly_dup_add(struct anomaly_hist *h, const struct anomaly_payment *p);

/* A reference's two normal forms, replacing flat and seg.  The text is cut
 * into tokens, runs of letters or of digits (anything else separates);
 * leading document words (INV, INVOICE, BILL, REF, NO, NR, NUM, FACT,
 * FACTURE, RECH, RE, whole tokens in any case) are dropped while another
 * token follows; ASCII letters are upper-cased.  flat is the tokens joined,
 * without the leading zeros of the whole ("INV-2024-001" -> "2024001"),
 * seg the tokens joined by ".", each run of digits without its leading
 * zeros ("INV-2024-001" -> "2024.1").  Two references are the same when
 * either form is equal and not empty.  -1 out of memory. */
int anomaly_ref_norm(const char *ref, size_t n, struct buf *flat, struct buf *seg);

#endif
