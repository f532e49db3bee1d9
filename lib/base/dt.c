#include "base/dt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int
utc(const char *tz)
{
	return tz == NULL || strcmp(tz, "UTC") == 0 || strcmp(tz, "Z") == 0;
}

int
dt_tz_known(const char *tz)
{
	char p[512];
	struct stat st;

	if (utc(tz))
		return 1;
	if (strstr(tz, "..") || tz[0] == '/' || strlen(tz) > 200)
		return 0;
	snprintf(p, sizeof p, "/usr/share/zoneinfo/%s", tz);
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* run localtime_r / mktime under TZ=tz; restores TZ */
static void
tz_swap(const char *tz, char **saved)
{
	const char *old = getenv("TZ");

	*saved = old ? strdup(old) : NULL;
	setenv("TZ", tz, 1);
	tzset();
}

static void
tz_restore(char *saved)
{
	if (saved) {
		setenv("TZ", saved, 1);
		free(saved);
	} else
		unsetenv("TZ");
	tzset();
}

long long
dt_local_to_epoch(struct tm *tm, const char *tz)
{
	char *saved;
	time_t t;

	if (utc(tz))
		return (long long)timegm(tm);
	tz_swap(tz, &saved);
	tm->tm_isdst = -1;
	t = mktime(tm);
	tz_restore(saved);
	return (long long)t;
}

size_t
dt_format(long long t, const char *fmt, const char *tz, char *buf, size_t n)
{
	struct tm tm;
	time_t tt = (time_t)t;
	char *saved = NULL;
	size_t k;

	if (utc(tz))
		gmtime_r(&tt, &tm);
	else {
		tz_swap(tz, &saved);
		localtime_r(&tt, &tm);
	}
	k = strftime(buf, n, fmt, &tm);
	if (!utc(tz))
		tz_restore(saved);
	return k;
}

static int
digits(const char *s, int n, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

int
dt_scan(const char *s, size_t n, struct dt_parts *p)
{
	size_t i = 10;

	memset(p, 0, sizeof *p);
	p->frac = -1;
	if (n < 10 || digits(s, 4, &p->y) || s[4] != '-' || digits(s + 5, 2, &p->mo) ||
	    s[7] != '-' || digits(s + 8, 2, &p->d) || p->mo < 1 || p->mo > 12 || p->d < 1 ||
	    p->d > 31)
		return -1;
	if (n == 10)
		return 0;
	if ((s[10] != 'T' && s[10] != ' ' && s[10] != 't') || n < 16 || digits(s + 11, 2, &p->h) ||
	    s[13] != ':' || digits(s + 14, 2, &p->mi))
		return -1;
	p->has_time = 1;
	p->sep = s[10];
	i = 16;
	if (i < n && s[i] == ':') {
		if (n < 19 || digits(s + 17, 2, &p->se))
			return -1;
		i = 19;
		if (i < n && (s[i] == '.' || s[i] == ',')) {
			long scale = 100000000;

			i++;
			p->frac = 0;
			while (i < n && s[i] >= '0' && s[i] <= '9') {
				p->nsec += (long)(s[i] - '0') * scale;
				scale /= 10;
				p->frac++;
				i++;
			}
		}
	}
	if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
		p->zone = s[i];
		i++;
	} else if (i < n && (s[i] == '+' || s[i] == '-')) {
		p->zone = s[i];
		if (i + 3 > n || digits(s + i + 1, 2, &p->off_h))
			return -1;
		i += 3;
		if (i < n && s[i] == ':') {
			p->off_colon = 1;
			i++;
		}
		if (i + 2 <= n && digits(s + i, 2, &p->off_m) == 0) {
			p->off_mdigits = 1;
			i += 2;
		}
	}
	if (i != n || p->h > 24 || p->mi > 59 || p->se > 60)
		return -1;
	return 0;
}

int
dt_parse(const char *s, size_t n, const char *tz, struct dt_time *out)
{
	struct dt_parts p;
	struct tm tm;
	int off;

	if (dt_scan(s, n, &p) < 0)
		return -1;
	out->date_only = n == 10;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = p.y - 1900;
	tm.tm_mon = p.mo - 1;
	tm.tm_mday = p.d;
	tm.tm_hour = p.h;
	tm.tm_min = p.mi;
	tm.tm_sec = p.se;
	off = (p.zone == '-' ? -1 : 1) * (p.off_h * 3600 + p.off_m * 60);
	if (p.zone)
		out->sec = (long long)timegm(&tm) - off;
	else
		out->sec = dt_local_to_epoch(&tm, tz);
	out->nsec = p.nsec;
	return 0;
}

/* Seconds since the epoch of a UTC date and time (no range checks). */
static time_t
epoch_of(int y, int mo, int d, int h, int mi, int se)
{
	struct tm t;

	memset(&t, 0, sizeof(t));
	t.tm_year = y - 1900;
	t.tm_mon = mo - 1;
	t.tm_mday = d;
	t.tm_hour = h;
	t.tm_min = mi;
	t.tm_sec = se;
	return timegm(&t);
}

static void
format_ts(const struct tm *t, char out[DT_TS_LEN])
{
	if (strftime(out, DT_TS_LEN, "%Y-%m-%d %H:%M:%S", t) == 0)
		strcpy(out, "9999-12-31 23:59:59");
}

int
dt_ts_parse(const char *s, char out[DT_TS_LEN], struct ep_err *err)
{
	struct dt_parts p;
	struct tm t;
	int sign;
	time_t e;

	/* dt's forms, narrowed: 'T' or ' ', 'Z', a fraction of one digit or
	 * more, an offset only as ±HH:MM, years 1970-9999, hours to 23 */
	if (dt_scan(s, strlen(s), &p) < 0 || (p.has_time && p.sep == 't') || p.zone == 'z' ||
	    p.frac == 0 || p.y < 1970 || p.y > 9999 || p.h > 23)
		goto bad;
	sign = p.zone == '+' ? 1 : p.zone == '-' ? -1 : 0;
	if (sign && (!p.off_colon || !p.off_mdigits || p.off_h > 23 || p.off_m > 59))
		goto bad;
	e = epoch_of(p.y, p.mo, p.d, p.h, p.mi, p.se);
	if (sign)
		e -= sign * (p.off_h * 3600 + p.off_m * 60);
	if (gmtime_r(&e, &t) == NULL || (sign == 0 && t.tm_mday != p.d))
		goto bad; /* 2026-02-30 */
	format_ts(&t, out);
	return 0;
bad:
	return ep_errf(
		err, EP_USAGE,
		"bad timestamp '%s': expected YYYY-MM-DD[ HH:MM[:SS]] (UTC) or ISO 8601 with "
		"a zone",
		s);
}

int
dt_ts_add(const char *ts, int64_t seconds, char out[DT_TS_LEN])
{
	struct tm t;
	int y, mo, d, h, mi, se;
	time_t e;

	if (strlen(ts) != 19 || digits(ts, 4, &y) || ts[4] != '-' || digits(ts + 5, 2, &mo) ||
	    ts[7] != '-' || digits(ts + 8, 2, &d) || ts[10] != ' ' || digits(ts + 11, 2, &h) ||
	    ts[13] != ':' || digits(ts + 14, 2, &mi) || ts[16] != ':' || digits(ts + 17, 2, &se))
		return -1;
	e = epoch_of(y, mo, d, h, mi, se) + (time_t)seconds;
	if (e < 0)
		e = 0;
	if (gmtime_r(&e, &t) == NULL)
		return -1;
	format_ts(&t, out);
	return 0;
}
