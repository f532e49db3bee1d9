/*
 * similar.h - normalisation, similarity and blocking of records for fuzzy
 * matching (layer 5: engines, no network): reconcile --match pairs the
 * records of two systems that share no key, validate --similar flags
 * near-duplicates inside one stream.  Both use this one scorer.
 *
 * A spec names the compared fields and what each is (a kind: name, email,
 * phone, vat, address, city, zip, text).  A record's values are normalised
 * once into a compact "sim record" (sim_norm): names case- and
 * accent-folded (UTF-8, Latin-1 Supplement and Latin Extended-A), stripped
 * of punctuation and of legal forms (Ltd, Limited, GmbH, SARL, Inc, ...:
 * kept apart as a class), emails trimmed and lowered, phones in E.164 (a
 * national number takes the spec's default country), VAT numbers upper
 * case without separators.  Two sim records are scored field by field
 * (sim_score): a field present on both sides agrees (points up to its
 * weight) or disagrees (points down), one missing on either side says
 * nothing.  The score is 1 / (1 + e^(-1.5 (points - T))) with
 * T = min(4, half the weights of the spec): every point is a reason the
 * caller can show (sim_reasons_json).  Deterministic: no randomness, no
 * model.
 *
 * Blocking (sim_block_keys): a record's keys are its name tokens' first
 * four letters, its email, its phone's last nine digits and its VAT
 * number (the other kinds only when the spec has none of these): two
 * records are compared only when they share a key.
 *
 * Ownership: a struct sim_spec is the caller's (sim_spec_parse fills it,
 * sim_spec_free frees it); sim records are bytes in a caller's buf.
 * Nothing here prints or exits.
 */
#ifndef ERPIPE_SIMILAR_H
#define ERPIPE_SIMILAR_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

enum sim_kind {
	SIM_NAME,
	SIM_EMAIL,
	SIM_PHONE,
	SIM_VAT,
	SIM_ADDRESS,
	SIM_CITY,
	SIM_ZIP,
	SIM_TEXT,
	SIM_NKINDS
};

#define SIM_MAXF 16 /* fields in a spec */
#define SIM_MAXKEYS 16

/* "name", "email", ...; NULL past the end */
const char *sim_kind_name(enum sim_kind k);

struct sim_field {
	enum sim_kind kind;
	char *name[2]; /* the field on the left, the right (the same string
	                  when given once) */
};

struct sim_spec {
	struct sim_field f[SIM_MAXF];
	int n;
	char cc[4]; /* default country calling code ("44"), "" none */
};

/* s: comma-separated [KIND:]FIELD, or with pairs [KIND:]LEFT=RIGHT.  A
 * field without a kind takes one from its (left) name: ...mail... email,
 * phone/mobile/tel/fax phone, vat/tax id vat, street/address address,
 * city/town city, zip/post code zip, name name, else text.  what names
 * the option in messages (EP_USAGE). */
int sim_spec_parse(const char *s, int pairs, const char *what, struct sim_spec *sp,
                   struct ep_err *err);
void sim_spec_free(struct sim_spec *sp);
/* --phone-country: an ISO 3166 code (GB, DE, FR, ...) or a calling code
 * (44, +44) into sp->cc; -1 (EP_USAGE) when unknown. */
int sim_set_country(struct sim_spec *sp, const char *s, struct ep_err *err);

/* ---- normalisers: append the normal form of s (n bytes, UTF-8) to out;
 * nothing appended when nothing is left.  -1 when out refuses to grow. */
/* *legal (may be NULL): the class of the legal form found (0 none). */
int sim_norm_name(struct buf *out, const char *s, size_t n, int *legal);
int sim_norm_email(struct buf *out, const char *s, size_t n);
/* cc: default calling code for national numbers ("44"), or "" */
int sim_norm_phone(struct buf *out, const char *s, size_t n, const char *cc);
int sim_norm_vat(struct buf *out, const char *s, size_t n);
/* folded, lower case, punctuation to spaces, one space between words */
int sim_norm_text(struct buf *out, const char *s, size_t n);
/* the canonical name of a legal form class ("ltd", "gmbh"), "" for 0 */
const char *sim_legal_name(int legal);

/* ---- similarities in [0, 1] ---- */
double sim_jaro_winkler(const char *a, size_t an, const char *b, size_t bn);
/* words (space-separated): each word's best Jaro-Winkler among the other's
 * words, averaged both ways; at least the Jaro-Winkler of the words run
 * together (so "mac donald" is "macdonald"). */
double sim_words(const char *a, size_t an, const char *b, size_t bn);

/* ---- sim records ---- */

/* The record whose field i has the text vals[i] (lens[i] bytes; NULL when
 * absent), normalised, appended to out.  -1 when out refuses to grow. */
int sim_norm(const struct sim_spec *sp, const char *const *vals, const size_t *lens,
             struct buf *out);
/* Bytes of the sim record at p. */
size_t sim_rec_size(const void *p);
/* Nonzero when the record has no field at all (nothing to compare). */
int sim_rec_empty(const struct sim_spec *sp, const void *p);

/* How two records compared, per field of the spec. */
struct sim_why {
	double sim[SIM_MAXF];    /* similarity of the field's values */
	double points[SIM_MAXF]; /* what the field added (+) or took (-) */
	int state[SIM_MAXF];     /* 0 missing on a side, 1 compared */
	int legal_differs[SIM_MAXF];
	double total; /* sum of points */
};

/* The score of a against b, in [0, 1]; why (may be NULL) says why. */
double sim_score(const struct sim_spec *sp, const void *a, const void *b, struct sim_why *why);
/* The same, but -1 (why not filled) as soon as the score cannot reach lo:
 * the exact kinds are compared first, the fuzzy ones only when needed. */
double sim_score_above(const struct sim_spec *sp, const void *a, const void *b, double lo,
                       struct sim_why *why);
/* The reasons as a JSON array of strings, strongest first, named by the
 * left (side 0) or right field names: "email equal +5", "name 0.93
 * +3.1", "vat differs -6", "name: legal form differs -1.5". */
int sim_reasons_json(const struct sim_spec *sp, const struct sim_why *w, int side, struct buf *b);

/* The same as text: "email equal +5.0, name 0.93 +3.1". */
int sim_reasons_text(const struct sim_spec *sp, const struct sim_why *w, int side, struct buf *b);

/* The record's blocking keys (64-bit hashes, distinct) into keys[max];
 * returns how many. */
int sim_block_keys(const struct sim_spec *sp, const void *rec, uint64_t *keys, int max);

/* ---- values of a parsed record (jv_parse) ---- */
struct jv;
/* Field i's text of rec on side into vals[i], lens[i]: a string, a
 * number's text, the name of an Odoo many2one [id, "name"]; NULL when
 * absent, null, false or anything else. */
void sim_values(const struct sim_spec *sp, int side, const struct jv *rec, const char **vals,
                size_t *lens);

/* ---- an index of the records seen, for near-duplicates in one stream ----
 * Each block keeps its per_block latest records (older ones leave it):
 * memory per block is bounded, a record costs its sim record and 16
 * bytes. */
struct sim_index;
struct sim_index *sim_index_new(const struct sim_spec *sp, int per_block);
void sim_index_free(struct sim_index *x);
/* The best record in rec's blocks scoring at least cutoff: 1 (its pos,
 * score and why filled; the earliest of equal scores), 0 none, -1 out of
 * memory. */
int sim_index_find(struct sim_index *x, const void *rec, double cutoff, uint64_t *pos,
                   double *score, struct sim_why *why);
/* Add rec (a sim record) with its position; -1 out of memory. */
int sim_index_add(struct sim_index *x, const void *rec, uint64_t pos);

#endif
