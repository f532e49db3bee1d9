/*
 * dt.h - dates and times as the ERP systems write them (layer 1: base).
 *
 * Odoo writes date-times in UTC as "YYYY-MM-DD HH:MM:SS", ISO 8601 adds a
 * 'T', a fraction and an offset or 'Z', NAV writes dates "YYYY-MM-DD".
 * A text without an offset is a local time in the zone given (NULL, "UTC"
 * or "Z": UTC).  Zones are tz database names, read from
 * /usr/share/zoneinfo; a conversion in a zone switches the process's TZ
 * while it runs, so these functions are not for two threads at once.
 * Ownership: plain values; nothing allocated that outlives a call.
 */
#ifndef ERPIPE_DT_H
#define ERPIPE_DT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "base/err.h"

struct dt_time {
	long long sec; /* seconds since the epoch */
	long nsec;     /* fraction of the second, 0..999999999 */
	int date_only; /* the text was "YYYY-MM-DD" */
};

/* 1 when tz is "UTC", "Z" or a zone file of the tz database */
int dt_tz_known(const char *tz);
/* A broken-down local time in tz (NULL: UTC) as seconds since the epoch. */
long long dt_local_to_epoch(struct tm *tm, const char *tz);
/* A date-time text as written, taken apart by dt_scan: the one scanner of
 * dt_parse's forms; a caller with a stricter grammar (extract's --since)
 * checks the parts. */
struct dt_parts {
	int y, mo, d, h, mi, se;
	long nsec;
	int has_time;                /* a time after the date */
	char sep;                    /* 'T', 't' or ' ' before the time */
	int frac;                    /* digits of the fraction, -1 without one */
	char zone;                   /* 0 none, 'Z' or 'z', '+' or '-' an offset */
	int off_h, off_m, off_colon; /* the offset ±HH[[:]MM]; off_colon: it had a ':' */
	int off_mdigits;             /* the offset had its two minute digits */
};
/* dt_parse's grammar, exactly n bytes, months 1-12, days 1-31, hours to
 * 24, minutes to 59, seconds to 60: 0, or -1. */
int dt_scan(const char *s, size_t n, struct dt_parts *p);
/* "YYYY-MM-DD", "YYYY-MM-DD HH:MM:SS", ISO 8601
 * "YYYY-MM-DDTHH:MM[:SS[.f]][Z|±HH[:]MM]", exactly n bytes: 0, or -1 when
 * the text is none of these. */
int dt_parse(const char *s, size_t n, const char *tz, struct dt_time *out);
/* strftime(3) of t in tz (NULL: UTC) into buf; the length, 0 on failure. */
size_t dt_format(long long t, const char *fmt, const char *tz, char *buf, size_t n);

/* The extractors' timestamps: UTC as "YYYY-MM-DD HH:MM:SS" (Odoo's form),
 * which sorts as time does. */
#define DT_TS_LEN 20 /* "YYYY-MM-DD HH:MM:SS" + NUL */
/* A --since value: "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS]", or ISO 8601 with
 * a T, an optional fraction (dropped) and Z or +HH:MM / -HH:MM (converted
 * to UTC); no zone means UTC.  Writes "YYYY-MM-DD HH:MM:SS".  -1 with
 * EP_USAGE. */
int dt_ts_parse(const char *s, char out[DT_TS_LEN], struct ep_err *err);
/* out = ts + seconds, both "YYYY-MM-DD HH:MM:SS" (UTC; not before the
 * epoch).  -1 when ts is not in that form. */
int dt_ts_add(const char *ts, int64_t seconds, char out[DT_TS_LEN]);

#endif
