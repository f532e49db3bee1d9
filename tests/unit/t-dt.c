#include "tap.h"
#include "base/dt.h"

static long long
at(const char *s, const char *tz, long *ns, int *date_only)
{
	struct dt_time t;

	if (dt_parse(s, strlen(s), tz, &t) < 0)
		return -1;
	if (ns)
		*ns = t.nsec;
	if (date_only)
		*date_only = t.date_only;
	return t.sec;
}

int
main(void)
{
	long ns;
	int d;
	char buf[64];

	is_int(at("2026-11-20 09:12:44", NULL, NULL, NULL), 1795165964, "Odoo's UTC text");
	is_int(at("2026-11-20T09:12:44Z", NULL, NULL, NULL), 1795165964, "ISO with Z");
	is_int(at("2026-11-20T10:12:44+01:00", NULL, NULL, NULL), 1795165964, "ISO with +01:00");
	is_int(at("2026-11-20T04:12:44-0500", NULL, NULL, NULL), 1795165964,
	       "offset without colon");
	is_int(at("2026-11-20T09:12Z", NULL, NULL, NULL), 1795165920, "no seconds");
	is_int(at("2026-11-20T09:12:44.250Z", NULL, &ns, NULL), 1795165964, "a fraction");
	is_int(ns, 250000000, "... kept in nanoseconds");
	is_int(at("2026-11-20", NULL, NULL, &d), 1795132800, "a date: midnight");
	is_int(d, 1, "... marked a date");
	is_int(at("2026-11-20 10:12:44", "Europe/Brussels", NULL, NULL), 1795165964,
	       "no offset: local time in the zone (winter)");
	is_int(at("2026-07-01 10:00:00", "Europe/Brussels", NULL, NULL), 1782892800,
	       "no offset: local time in the zone (summer)");
	is_int(at("2026-07-01T10:00:00+02:00", "America/New_York", NULL, NULL), 1782892800,
	       "an offset wins over the zone");
	ok(at("2026-13-01", NULL, NULL, NULL) < 0, "month 13 refused");
	ok(at("2026-11-20X09:12:44", NULL, NULL, NULL) < 0, "bad separator refused");
	ok(at("2026-11-20T09:12:44+1", NULL, NULL, NULL) < 0, "short offset refused");
	ok(at("26-11-20", NULL, NULL, NULL) < 0, "two-digit year refused");
	ok(at("2026-11-20 09:12:44 ", NULL, NULL, NULL) < 0, "trailing space refused");
	ok(dt_tz_known("UTC") && dt_tz_known("Europe/Brussels"), "known zones");
	ok(!dt_tz_known("Mars/Olympus") && !dt_tz_known("../etc/passwd") &&
	           !dt_tz_known("/etc/passwd"),
	   "unknown zones and paths refused");
	dt_format(1795165964, "%Y-%m-%d %H:%M", NULL, buf, sizeof buf);
	is_str(buf, "2026-11-20 09:12", "dt_format in UTC");
	dt_format(1795165964, "%Y-%m-%d %H:%M", "Asia/Tokyo", buf, sizeof buf);
	is_str(buf, "2026-11-20 18:12", "dt_format in a zone");
	{
		struct dt_parts p;

		ok(dt_scan("2026-03-04t05:06:07,25+05:30", 28, &p) == 0 && p.y == 2026 &&
		           p.mo == 3 && p.d == 4 && p.h == 5 && p.mi == 6 && p.se == 7 &&
		           p.sep == 't' && p.frac == 2 && p.nsec == 250000000 && p.zone == '+' &&
		           p.off_h == 5 && p.off_m == 30 && p.off_colon && p.off_mdigits,
		   "dt_scan: every part as written");
		ok(dt_scan("2026-03-04", 10, &p) == 0 && !p.has_time && p.frac == -1 && p.zone == 0,
		   "dt_scan: a date alone");
		ok(dt_scan("2026-03-04T05:06:07.-0530", 25, &p) == 0 && p.frac == 0 &&
		           p.zone == '-' && !p.off_colon,
		   "dt_scan: an empty fraction, an offset without ':'");
		ok(dt_scan("2026-03-04T25:00", 16, &p) == -1, "dt_scan: hour 25 refused");
	}
	return done_testing();
}
