/*
 * schema_fmt.c - the "format" keyword's checks.  See schema_fmt.h.
 *
 * Everything is checked by hand on bytes (no locale, no regex), ASCII
 * digits only, following the RFCs the 2020-12 specification names:
 * RFC 3339 (date, time, date-time, duration), RFC 5321/5322 (email, with
 * quoted local parts and address literals), RFC 1123 (hostname),
 * RFC 2673/4291 (ipv4, ipv6), RFC 3986/3987 (uri, iri and references),
 * RFC 6570 (uri-template, brace structure), RFC 4122 (uuid), RFC 6901
 * (json-pointer) and draft-handrews-relative-json-pointer.  erpipe adds
 * "iso4217" (active currency codes) and "iso3166" (alpha-2 country codes).
 */
#include "engine/schema/schema_fmt.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	enum schema_fmt f;
} fmts[] = {
	{ "date", SCHEMA_FMT_DATE },
	{ "date-time", SCHEMA_FMT_DATE_TIME },
	{ "duration", SCHEMA_FMT_DURATION },
	{ "email", SCHEMA_FMT_EMAIL },
	{ "hostname", SCHEMA_FMT_HOSTNAME },
	{ "idn-email", SCHEMA_FMT_IDN_EMAIL },
	{ "ipv4", SCHEMA_FMT_IPV4 },
	{ "ipv6", SCHEMA_FMT_IPV6 },
	{ "iri", SCHEMA_FMT_IRI },
	{ "iri-reference", SCHEMA_FMT_IRI_REFERENCE },
	{ "iso3166", SCHEMA_FMT_ISO3166 },
	{ "iso4217", SCHEMA_FMT_ISO4217 },
	{ "json-pointer", SCHEMA_FMT_JSON_POINTER },
	{ "regex", SCHEMA_FMT_REGEX },
	{ "relative-json-pointer", SCHEMA_FMT_REL_JSON_POINTER },
	{ "time", SCHEMA_FMT_TIME },
	{ "uri", SCHEMA_FMT_URI },
	{ "uri-reference", SCHEMA_FMT_URI_REFERENCE },
	{ "uri-template", SCHEMA_FMT_URI_TEMPLATE },
	{ "uuid", SCHEMA_FMT_UUID },
};

enum schema_fmt
schema_fmt_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++)
		if (strcmp(fmts[i].name, name) == 0)
			return fmts[i].f;
	return SCHEMA_FMT_NONE;
}

static int
isdig(int c)
{
	return c >= '0' && c <= '9';
}

static int
isalpha_(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
ishex(int c)
{
	return isdig(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* n digits at s as a number, -1 if not all digits */
static int
num(const char *s, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdig(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* ---- dates and times (RFC 3339) ------------------------------------ */

static int
check_date(const char *s, size_t n)
{
	static const int dim[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d, max;

	if (n != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	y = num(s, 4);
	m = num(s + 5, 2);
	d = num(s + 8, 2);
	if (y < 0 || m < 1 || m > 12 || d < 1)
		return 0;
	max = dim[m - 1];
	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		max = 29;
	return d <= max;
}

static int
check_time(const char *s, size_t n)
{
	int h, m, sec, oh = 0, om = 0, sign = 0, utc;
	size_t i = 8;

	if (n < 9 || s[2] != ':' || s[5] != ':')
		return 0;
	h = num(s, 2);
	m = num(s + 3, 2);
	sec = num(s + 6, 2);
	if (h < 0 || h > 23 || m < 0 || m > 59 || sec < 0 || sec > 60)
		return 0;
	if (s[i] == '.') {
		i++;
		if (i >= n || !isdig(s[i]))
			return 0;
		while (i < n && isdig(s[i]))
			i++;
	}
	if (i >= n)
		return 0;
	if (s[i] == 'Z' || s[i] == 'z') {
		i++;
	} else if (s[i] == '+' || s[i] == '-') {
		sign = s[i] == '+' ? 1 : -1;
		if (n - i != 6 || s[i + 3] != ':')
			return 0;
		oh = num(s + i + 1, 2);
		om = num(s + i + 4, 2);
		if (oh < 0 || oh > 23 || om < 0 || om > 59)
			return 0;
		i += 6;
	} else {
		return 0;
	}
	if (i != n)
		return 0;
	if (sec == 60) {
		/* a leap second is 23:59:60 UTC */
		utc = ((h * 60 + m - sign * (oh * 60 + om)) % 1440 + 1440) % 1440;
		if (utc != 23 * 60 + 59)
			return 0;
	}
	return 1;
}

static int
check_date_time(const char *s, size_t n)
{
	if (n < 11 || (s[10] != 'T' && s[10] != 't'))
		return 0;
	return check_date(s, 10) && check_time(s + 11, n - 11);
}

/* RFC 3339 appendix A */
static int
check_duration(const char *s, size_t n)
{
	static const char date_units[] = "YMD", time_units[] = "HMS";
	size_t i = 1;
	int any = 0, last, u;
	const char *p;

	if (n < 2 || s[0] != 'P')
		return 0;
	/* dur-week */
	if (s[n - 1] == 'W') {
		for (i = 1; i < n - 1; i++)
			if (!isdig(s[i]))
				return 0;
		return n > 2;
	}
	last = -1;
	while (i < n && s[i] != 'T') {
		size_t st = i;

		while (i < n && isdig(s[i]))
			i++;
		if (i == st || i >= n || (p = strchr(date_units, s[i])) == NULL || s[i] == '\0')
			return 0;
		u = (int)(p - date_units);
		if (last >= 0 && u != last + 1)
			return 0;
		last = u;
		any = 1;
		i++;
	}
	if (i < n && s[i] == 'T') {
		int tany = 0;

		i++;
		last = -1;
		while (i < n) {
			size_t st = i;

			while (i < n && isdig(s[i]))
				i++;
			if (i == st || i >= n || (p = strchr(time_units, s[i])) == NULL ||
			    s[i] == '\0')
				return 0;
			u = (int)(p - time_units);
			if (last >= 0 && u != last + 1)
				return 0;
			last = u;
			tany = 1;
			i++;
		}
		if (!tany)
			return 0;
		any = 1;
	}
	return any && i == n;
}

/* ---- hosts and addresses ------------------------------------------- */

static int
check_ipv4(const char *s, size_t n)
{
	size_t i = 0;
	int part;

	for (part = 0; part < 4; part++) {
		size_t st = i;
		int v = 0;

		if (part > 0) {
			if (i >= n || s[i] != '.')
				return 0;
			st = ++i;
		}
		while (i < n && isdig(s[i]) && i - st < 3)
			v = v * 10 + (s[i++] - '0');
		if (i == st || v > 255 || (i - st > 1 && s[st] == '0'))
			return 0;
	}
	return i == n;
}

static int
check_ipv6(const char *s, size_t n)
{
	size_t i = 0;
	int groups = 0, dbl = 0;

	if (n < 2)
		return 0;
	if (s[0] == ':') {
		if (s[1] != ':')
			return 0;
		dbl = 1;
		i = 2;
		if (i == n)
			return 1;
	}
	while (i < n) {
		size_t st = i;

		while (i < n && ishex(s[i]) && i - st < 5)
			i++;
		if (i < n && s[i] == '.') {
			/* embedded IPv4 at the end */
			if (!check_ipv4(s + st, n - st))
				return 0;
			groups += 2;
			i = n;
			break;
		}
		if (i == st || i - st > 4)
			return 0;
		groups++;
		if (i == n)
			break;
		if (s[i] != ':')
			return 0;
		i++;
		if (i < n && s[i] == ':') {
			if (dbl)
				return 0;
			dbl = 1;
			i++;
			if (i == n)
				break;
		} else if (i == n) {
			return 0; /* trailing single colon */
		}
	}
	return dbl ? groups < 8 : groups == 8;
}

static int
check_hostname(const char *s, size_t n)
{
	size_t i = 0, st;

	if (n == 0 || n > 253)
		return 0;
	while (i <= n) {
		st = i;
		while (i < n && s[i] != '.') {
			unsigned char c = (unsigned char)s[i];

			if (!isalpha_(c) && !isdig(c) && c != '-')
				return 0;
			i++;
		}
		if (i == st || i - st > 63 || s[st] == '-' || s[i - 1] == '-')
			return 0;
		/* RFC 5891 4.2.3.1: "--" in positions 3-4 only for A-labels */
		if (i - st >= 4 && s[st + 2] == '-' && s[st + 3] == '-' &&
		    !((s[st] == 'x' || s[st] == 'X') && (s[st + 1] == 'n' || s[st + 1] == 'N')))
			return 0;
		if (i == n)
			return 1;
		i++; /* the dot; a trailing dot leaves an empty label: refused */
	}
	return 0;
}

static int
check_email(const char *s, size_t n, int idn)
{
	size_t i = 0, at;

	if (n == 0)
		return 0;
	if (s[0] == '"') {
		for (i = 1; i < n && s[i] != '"'; i++) {
			unsigned char c = (unsigned char)s[i];

			if (c == '\\') {
				if (++i >= n)
					return 0;
				continue;
			}
			if (c < 0x20 || c == 0x7f || (c >= 0x80 && !idn))
				return 0;
		}
		if (i >= n)
			return 0;
		i++;
	} else {
		static const char atext[] = "!#$%&'*+-/=?^_`{|}~";
		int prev_dot = 1;

		for (; i < n && s[i] != '@'; i++) {
			unsigned char c = (unsigned char)s[i];

			if (c == '.') {
				if (prev_dot)
					return 0;
				prev_dot = 1;
				continue;
			}
			if (!isalpha_(c) && !isdig(c) && !(c >= 0x80 && idn) &&
			    (c == 0 || strchr(atext, c) == NULL))
				return 0;
			prev_dot = 0;
		}
		if (i == 0 || prev_dot)
			return 0;
	}
	if (i >= n || s[i] != '@')
		return 0;
	at = i + 1;
	if (at >= n)
		return 0;
	if (s[at] == '[') {
		if (s[n - 1] != ']')
			return 0;
		if (n - at > 6 && strncmp(s + at + 1, "IPv6:", 5) == 0)
			return check_ipv6(s + at + 6, n - at - 7);
		return check_ipv4(s + at + 1, n - at - 2);
	}
	if (idn) {
		/* U-labels: allow non-ASCII bytes, check the rest as a hostname */
		size_t k;

		for (k = at; k < n; k++)
			if ((unsigned char)s[k] < 0x80 && !isalpha_(s[k]) && !isdig(s[k]) &&
			    s[k] != '-' && s[k] != '.')
				return 0;
		return n - at <= 253 && s[at] != '.' && s[n - 1] != '.';
	}
	return check_hostname(s + at, n - at);
}

/* ---- URIs (RFC 3986, RFC 3987) ------------------------------------- */

static int
unreserved(int c)
{
	return isalpha_(c) || isdig(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

static int
subdelim(int c)
{
	return c && strchr("!$&'()*+,;=", c) != NULL;
}

/* characters of one component; extra lists what else is allowed */
static int
chars_ok(const char *s, size_t n, const char *extra, int iri)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%') {
			if (i + 2 >= n)
				return 0;
			if (!ishex(s[i + 1]) || !ishex(s[i + 2]))
				return 0;
			i += 2;
			continue;
		}
		if (c >= 0x80 && iri)
			continue;
		if (unreserved(c) || subdelim(c) || (c && strchr(extra, c)))
			continue;
		return 0;
	}
	return 1;
}

static int
check_authority(const char *s, size_t n, int iri)
{
	const char *at = memchr(s, '@', n), *host, *end = s + n, *p;

	if (at) {
		if (!chars_ok(s, (size_t)(at - s), ":", iri))
			return 0;
		host = at + 1;
	} else {
		host = s;
	}
	if (host < end && *host == '[') {
		const char *cl = memchr(host, ']', (size_t)(end - host));

		if (cl == NULL)
			return 0;
		if (host[1] == 'v' || host[1] == 'V') {
			if (!chars_ok(host + 1, (size_t)(cl - host - 1), ":", 0))
				return 0;
		} else if (!check_ipv6(host + 1, (size_t)(cl - host - 1))) {
			return 0;
		}
		p = cl + 1;
	} else {
		for (p = host; p < end && *p != ':'; p++)
			;
		if (!chars_ok(host, (size_t)(p - host), "", iri))
			return 0;
	}
	if (p < end) {
		if (*p != ':')
			return 0;
		for (p++; p < end; p++)
			if (!isdig(*p))
				return 0;
	}
	return 1;
}

static int
check_uri(const char *s, size_t n, int need_scheme, int iri)
{
	size_t i = 0, st;
	int scheme = 0;

	/* scheme */
	if (n > 0 && isalpha_(s[0])) {
		for (i = 1; i < n && (isalpha_(s[i]) || isdig(s[i]) || s[i] == '+' || s[i] == '-' ||
		                      s[i] == '.');
		     i++)
			;
		if (i < n && s[i] == ':') {
			scheme = 1;
			i++;
		} else {
			i = 0;
		}
	}
	if (need_scheme && !scheme)
		return 0;
	if (n - i >= 2 && s[i] == '/' && s[i + 1] == '/') {
		i += 2;
		st = i;
		while (i < n && s[i] != '/' && s[i] != '?' && s[i] != '#')
			i++;
		if (!check_authority(s + st, i - st, iri))
			return 0;
	} else if (!scheme) {
		/* path-noscheme: no ':' in the first segment */
		for (st = i; st < n && s[st] != '/' && s[st] != '?' && s[st] != '#'; st++)
			if (s[st] == ':')
				return 0;
	}
	st = i;
	while (i < n && s[i] != '?' && s[i] != '#')
		i++;
	if (!chars_ok(s + st, i - st, ":@/", iri))
		return 0;
	if (i < n && s[i] == '?') {
		st = ++i;
		while (i < n && s[i] != '#')
			i++;
		if (!chars_ok(s + st, i - st, ":@/?", iri))
			return 0;
	}
	if (i < n && s[i] == '#') {
		i++;
		if (!chars_ok(s + i, n - i, ":@/?", iri))
			return 0;
	}
	return 1;
}

/* RFC 6570: literals, and expressions "{" [op] varspec *("," varspec) "}" */
static int
check_uri_template(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		if (c == '{') {
			i++;
			if (i < n && strchr("+#./;?&", s[i]) && s[i] != '\0')
				i++;
			for (;;) {
				size_t st = i;
				int prev_dot = 1;

				/* varname: varchar *(["."] varchar) */
				while (i < n) {
					if (s[i] == '%') {
						if (i + 2 >= n || !ishex(s[i + 1]) ||
						    !ishex(s[i + 2]))
							return 0;
						i += 3;
					} else if (isalpha_(s[i]) || isdig(s[i]) || s[i] == '_') {
						i++;
					} else if (s[i] == '.' && !prev_dot) {
						i++;
						prev_dot = 1;
						continue;
					} else {
						break;
					}
					prev_dot = 0;
				}
				if (i == st || prev_dot)
					return 0;
				if (i < n && s[i] == '*') {
					i++;
				} else if (i < n && s[i] == ':') {
					size_t d = ++i;

					while (i < n && isdig(s[i]))
						i++;
					if (i == d || i - d > 4 || s[d] == '0')
						return 0;
				}
				if (i < n && s[i] == ',') {
					i++;
					continue;
				}
				break;
			}
			if (i >= n || s[i] != '}')
				return 0;
			i++;
			continue;
		}
		if (c == '%') {
			if (i + 2 >= n || !ishex(s[i + 1]) || !ishex(s[i + 2]))
				return 0;
			i += 3;
			continue;
		}
		if (c <= 0x20 || c == 0x7f || strchr("\"<>\\^`{|}", c))
			return 0;
		i++;
	}
	return 1;
}

static int
check_uuid(const char *s, size_t n)
{
	size_t i;

	if (n != 36)
		return 0;
	for (i = 0; i < n; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!ishex(s[i])) {
			return 0;
		}
	}
	return 1;
}

static int
check_json_pointer(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 1;
	if (s[0] != '/')
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] == '~' && (i + 1 >= n || (s[i + 1] != '0' && s[i + 1] != '1')))
			return 0;
	return 1;
}

static int
check_rel_json_pointer(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && isdig(s[i]))
		i++;
	if (i == 0 || (i > 1 && s[0] == '0'))
		return 0;
	if (i < n && (s[i] == '+' || s[i] == '-')) {
		size_t st = ++i;

		while (i < n && isdig(s[i]))
			i++;
		if (i == st || (i - st > 1 && s[st] == '0'))
			return 0;
	}
	if (i < n && s[i] == '#')
		return i + 1 == n;
	return check_json_pointer(s + i, n - i);
}

/* ---- regular expressions ------------------------------------------- */

/* ECMA-262 long General_Category names PCRE2 10.42 does not know */
/* clang-format off */
static const struct {
	const char *ecma, *pcre;
} gcnames[] = {
	{ "Letter", "L" }, { "Cased_Letter", "L&" }, { "Uppercase_Letter", "Lu" },
	{ "Lowercase_Letter", "Ll" }, { "Titlecase_Letter", "Lt" }, { "Modifier_Letter", "Lm" },
	{ "Other_Letter", "Lo" }, { "Mark", "M" }, { "Combining_Mark", "M" },
	{ "Nonspacing_Mark", "Mn" }, { "Spacing_Mark", "Mc" }, { "Enclosing_Mark", "Me" },
	{ "Number", "N" }, { "Decimal_Number", "Nd" }, { "digit", "Nd" },
	{ "Letter_Number", "Nl" }, { "Other_Number", "No" }, { "Punctuation", "P" },
	{ "punct", "P" }, { "Connector_Punctuation", "Pc" }, { "Dash_Punctuation", "Pd" },
	{ "Open_Punctuation", "Ps" }, { "Close_Punctuation", "Pe" },
	{ "Initial_Punctuation", "Pi" }, { "Final_Punctuation", "Pf" },
	{ "Other_Punctuation", "Po" }, { "Symbol", "S" }, { "Math_Symbol", "Sm" },
	{ "Currency_Symbol", "Sc" }, { "Modifier_Symbol", "Sk" }, { "Other_Symbol", "So" },
	{ "Separator", "Z" }, { "Space_Separator", "Zs" }, { "Line_Separator", "Zl" },
	{ "Paragraph_Separator", "Zp" }, { "Other", "C" }, { "Control", "Cc" },
	{ "cntrl", "Cc" }, { "Format", "Cf" }, { "Surrogate", "Cs" },
	{ "Private_Use", "Co" }, { "Unassigned", "Cn" },
};
/* clang-format on */

char *
schema_regex_translate(const char *s, size_t n)
{
	char *out = malloc(n * 2 + 1), *o = out;
	size_t i = 0, k;

	if (out == NULL)
		return NULL;
	while (i < n) {
		if (s[i] == '\\' && i + 2 < n && (s[i + 1] == 'p' || s[i + 1] == 'P') &&
		    s[i + 2] == '{') {
			const char *b = s + i + 3, *e = memchr(b, '}', n - i - 3);
			size_t len;

			if (e) {
				len = (size_t)(e - b);
				/* "General_Category=X" and "gc=X" name the same */
				if (len > 17 && memcmp(b, "General_Category=", 17) == 0) {
					b += 17;
					len -= 17;
				} else if (len > 3 && memcmp(b, "gc=", 3) == 0) {
					b += 3;
					len -= 3;
				}
				for (k = 0; k < sizeof(gcnames) / sizeof(gcnames[0]); k++) {
					if (strlen(gcnames[k].ecma) == len &&
					    memcmp(gcnames[k].ecma, b, len) == 0) {
						o += sprintf(o, "\\%c{%s}", s[i + 1],
						             gcnames[k].pcre);
						i = (size_t)(e - s) + 1;
						break;
					}
				}
				if (k < sizeof(gcnames) / sizeof(gcnames[0]))
					continue;
			}
		}
		if (s[i] == '\\' && i + 1 < n) {
			*o++ = s[i++];
		}
		*o++ = s[i++];
	}
	*o = '\0';
	return out;
}

unsigned
schema_regex_options(void)
{
	return PCRE2_UTF | PCRE2_DOLLAR_ENDONLY | PCRE2_ALLOW_EMPTY_CLASS | PCRE2_ALT_BSUX |
	       PCRE2_MATCH_INVALID_UTF;
}

int
schema_regex_ecma_ok(const char *s, size_t n)
{
	size_t i;
	int cls = 0;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '\\') {
			if (++i >= n)
				return 0;
			/* PCRE-only escapes */
			if (strchr("aeAZzGQEhHRXCKNgo", s[i]) && s[i] != '\0')
				return 0;
			/* \p{..} \P{..} \u{..}: skip to the brace */
			if ((s[i] == 'p' || s[i] == 'P' || s[i] == 'u') && i + 1 < n &&
			    s[i + 1] == '{') {
				while (i < n && s[i] != '}')
					i++;
			}
			continue;
		}
		if (cls) {
			if (c == ']')
				cls = 0;
			continue;
		}
		if (c == '[') {
			cls = 1;
			if (i + 1 < n && s[i + 1] == '^')
				i++;
			continue;
		}
		if (c == '(' && i + 1 < n && s[i + 1] == '?') {
			const char *r = s + i + 2;
			size_t left = n - i - 2;

			if (left >= 1 && (r[0] == ':' || r[0] == '=' || r[0] == '!'))
				continue;
			if (left >= 2 && r[0] == '<' && (r[1] == '=' || r[1] == '!'))
				continue;
			if (left >= 2 && r[0] == '<' &&
			    (isalpha_(r[1]) || r[1] == '_' || r[1] == '$'))
				continue;
			return 0; /* (?P, (?#, (?i), (?>, (?|, (?R ... */
		}
		if ((c == '+' || c == '*' || c == '?' || c == '}') && i + 1 < n && s[i + 1] == '+')
			return 0; /* possessive quantifier */
	}
	return 1;
}

static int
check_regex(const char *s, size_t n)
{
	int ec;
	PCRE2_SIZE eo;
	pcre2_code *re;
	pcre2_compile_context *cc;

	char *t;

	if (!schema_regex_ecma_ok(s, n))
		return 0;
	if ((t = schema_regex_translate(s, n)) == NULL)
		return 0;
	cc = pcre2_compile_context_create(NULL);
	if (cc == NULL) {
		free(t);
		return 0;
	}
	pcre2_set_compile_extra_options(cc, PCRE2_EXTRA_ALT_BSUX);
	re = pcre2_compile((PCRE2_SPTR)t, PCRE2_ZERO_TERMINATED, schema_regex_options(), &ec, &eo,
	                   cc);
	pcre2_compile_context_free(cc);
	free(t);
	if (re == NULL)
		return 0;
	pcre2_code_free(re);
	return 1;
}

/* ---- erpipe code tables -------------------------------------------- */

/* ISO 4217 currency codes in use (2024), plus HRK for older records */
static const char iso4217[] =
	"AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV "
	"BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE "
	"CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD "
	"HNL HRK HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD "
	"KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN "
	"MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD "
	"RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS "
	"TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST "
	"XAF XAG XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF XPT XSU XTS XUA XXX YER ZAR "
	"ZMW ZWG ZWL";

/* ISO 3166-1 alpha-2, the 249 officially assigned codes */
static const char iso3166[] =
	"AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM "
	"BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX "
	"CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG "
	"GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR "
	"IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV "
	"LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE "
	"NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO "
	"RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF "
	"TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF "
	"WS YE YT ZA ZM ZW";

/* codes of width w separated by single spaces, sorted: binary search */
static int
in_table(const char *table, size_t w, const char *s, size_t n)
{
	size_t lo = 0, hi = (strlen(table) + 1) / (w + 1), i;

	if (n != w)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < 'A' || s[i] > 'Z')
			return 0;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = memcmp(table + mid * (w + 1), s, w);

		if (c == 0)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

int
schema_fmt_check(enum schema_fmt f, const char *s, size_t n)
{
	switch (f) {
	case SCHEMA_FMT_NONE:
		return 1;
	case SCHEMA_FMT_DATE:
		return check_date(s, n);
	case SCHEMA_FMT_TIME:
		return check_time(s, n);
	case SCHEMA_FMT_DATE_TIME:
		return check_date_time(s, n);
	case SCHEMA_FMT_DURATION:
		return check_duration(s, n);
	case SCHEMA_FMT_EMAIL:
		return check_email(s, n, 0);
	case SCHEMA_FMT_IDN_EMAIL:
		return check_email(s, n, 1);
	case SCHEMA_FMT_HOSTNAME:
		return check_hostname(s, n);
	case SCHEMA_FMT_IPV4:
		return check_ipv4(s, n);
	case SCHEMA_FMT_IPV6:
		return check_ipv6(s, n);
	case SCHEMA_FMT_URI:
		return check_uri(s, n, 1, 0);
	case SCHEMA_FMT_URI_REFERENCE:
		return check_uri(s, n, 0, 0);
	case SCHEMA_FMT_IRI:
		return check_uri(s, n, 1, 1);
	case SCHEMA_FMT_IRI_REFERENCE:
		return check_uri(s, n, 0, 1);
	case SCHEMA_FMT_URI_TEMPLATE:
		return check_uri_template(s, n);
	case SCHEMA_FMT_UUID:
		return check_uuid(s, n);
	case SCHEMA_FMT_JSON_POINTER:
		return check_json_pointer(s, n);
	case SCHEMA_FMT_REL_JSON_POINTER:
		return check_rel_json_pointer(s, n);
	case SCHEMA_FMT_REGEX:
		return check_regex(s, n);
	case SCHEMA_FMT_ISO4217:
		return in_table(iso4217, 3, s, n);
	case SCHEMA_FMT_ISO3166:
		return in_table(iso3166, 2, s, n);
	}
	return 1;
}
