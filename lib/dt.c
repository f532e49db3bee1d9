#include "dt.h"

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
dt_parse(const char *s, size_t n, const char *tz, struct dt_time *out)
{
	struct tm tm;
	int y, mo, d, h = 0, mi = 0, se = 0, off = 0, hasoff = 0;
	long ns = 0;
	size_t i = 10;

	memset(&tm, 0, sizeof tm);
	if (n < 10 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
	    digits(s + 8, 2, &d) || mo < 1 || mo > 12 || d < 1 || d > 31)
		return -1;
	out->date_only = n == 10;
	if (n > 10) {
		if ((s[10] != 'T' && s[10] != ' ' && s[10] != 't') || n < 16 ||
		    digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &mi))
			return -1;
		i = 16;
		if (i < n && s[i] == ':') {
			if (n < 19 || digits(s + 17, 2, &se))
				return -1;
			i = 19;
			if (i < n && (s[i] == '.' || s[i] == ',')) {
				long scale = 100000000;

				i++;
				while (i < n && s[i] >= '0' && s[i] <= '9') {
					ns += (long)(s[i] - '0') * scale;
					scale /= 10;
					i++;
				}
			}
		}
		if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
			hasoff = 1;
			i++;
		} else if (i < n && (s[i] == '+' || s[i] == '-')) {
			int oh, om = 0, sign = s[i] == '-' ? -1 : 1;

			if (i + 3 > n || digits(s + i + 1, 2, &oh))
				return -1;
			i += 3;
			if (i < n && s[i] == ':')
				i++;
			if (i + 2 <= n && digits(s + i, 2, &om) == 0)
				i += 2;
			off = sign * (oh * 3600 + om * 60);
			hasoff = 1;
		}
		if (i != n || h > 24 || mi > 59 || se > 60)
			return -1;
	}
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	if (hasoff)
		out->sec = (long long)timegm(&tm) - off;
	else
		out->sec = dt_local_to_epoch(&tm, tz);
	out->nsec = ns;
	return 0;
}
