#include "base/text.h"

#include <stdint.h>
#include <string.h>

/* Length of the UTF-8 sequence at s (1..4) if valid, 0 if not. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];

	if (c < 0x80)
		return 1;
	if (c < 0xc2 || c > 0xf4)
		return 0;
	if (c < 0xe0) {
		return (n >= 2 && (s[1] & 0xc0) == 0x80) ? 2 : 0;
	}
	if (c < 0xf0) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && s[1] < 0xa0)
			return 0; /* overlong */
		if (c == 0xed && s[1] >= 0xa0)
			return 0; /* surrogate */
		return 3;
	}
	if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
		return 0;
	if (c == 0xf0 && s[1] < 0x90)
		return 0;
	if (c == 0xf4 && s[1] >= 0x90)
		return 0;
	return 4;
}

size_t
utf8_valid_prefix(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, k;

	while (i < n) {
		/* ASCII fast path, eight bytes at a time */
		while (i + 8 <= n) {
			uint64_t w;
			memcpy(&w, s + i, 8);
			if (w & 0x8080808080808080ull)
				break;
			i += 8;
		}
		if (i >= n)
			break;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((k = utf8_seq(s + i, n - i)) == 0)
			return i;
		i += k;
	}
	return n;
}

int
json_quote(struct buf *b, const char *str, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run, k;

	if (buf_grow(b, n + 2) < 0 || buf_addc(b, '"') < 0)
		return -1;
	while (i < n) {
		run = i;
		while (run < n && s[run] >= 0x20 && s[run] < 0x80 && s[run] != '"' &&
		       s[run] != '\\')
			run++;
		if (run > i && buf_add(b, s + i, run - i) < 0)
			return -1;
		i = run;
		if (i >= n)
			break;
		if (s[i] >= 0x80) {
			if ((k = utf8_seq(s + i, n - i)) == 0) {
				if (buf_add(b, "\xef\xbf\xbd", 3) < 0)
					return -1;
				i++;
			} else {
				if (buf_add(b, s + i, k) < 0)
					return -1;
				i += k;
			}
			continue;
		}
		char esc[7] = { '\\', 0, 0, 0, 0, 0, 0 };
		size_t el = 2;
		switch (s[i]) {
		/* clang-format off */
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		/* clang-format on */
		default:
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[s[i] >> 4];
			esc[5] = hex[s[i] & 15];
			el = 6;
		}
		if (buf_add(b, esc, el) < 0)
			return -1;
		i++;
	}
	return buf_addc(b, '"');
}

int
b64_encode(struct buf *b, const void *data, size_t n)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *s = data;
	size_t i;
	char q[4];

	if (buf_grow(b, (n + 2) / 3 * 4) < 0)
		return -1;
	for (i = 0; i + 3 <= n; i += 3) {
		q[0] = tab[s[i] >> 2];
		q[1] = tab[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
		q[2] = tab[((s[i + 1] & 15) << 2) | (s[i + 2] >> 6)];
		q[3] = tab[s[i + 2] & 63];
		buf_add(b, q, 4);
	}
	if (n - i == 1) {
		q[0] = tab[s[i] >> 2];
		q[1] = tab[(s[i] & 3) << 4];
		q[2] = q[3] = '=';
		buf_add(b, q, 4);
	} else if (n - i == 2) {
		q[0] = tab[s[i] >> 2];
		q[1] = tab[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
		q[2] = tab[(s[i + 1] & 15) << 2];
		q[3] = '=';
		buf_add(b, q, 4);
	}
	return 0;
}

/* Code point as UTF-8 at o (1..4 bytes); returns the length. */
size_t
utf8_put(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

int
hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
json_hex4(const char *p)
{
	int v = 0;

	for (int i = 0; i < 4; i++) {
		int d = hex_value((unsigned char)p[i]);

		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

size_t
json_unescape(char *out, const char *s, size_t n)
{
	const char *e = s + n;
	char *w = out;

	while (s < e) {
		const char *bs = memchr(s, '\\', (size_t)(e - s));
		size_t run = bs ? (size_t)(bs - s) : (size_t)(e - s);

		memmove(w, s, run);
		w += run;
		s += run;
		if (s >= e || e - s < 2)
			break;
		s++;
		switch (*s) {
		/* clang-format off */
		case 'b': *w++ = '\b'; break;
		case 'f': *w++ = '\f'; break;
		case 'n': *w++ = '\n'; break;
		case 'r': *w++ = '\r'; break;
		case 't': *w++ = '\t'; break;
		/* clang-format on */
		case 'u': {
			int cp = e - s >= 5 ? json_hex4(s + 1) : -1;

			if (cp < 0) {
				*w++ = 'u';
				break;
			}
			s += 4;
			if (cp >= 0xD800 && cp < 0xDC00 && e - s >= 7 && s[1] == '\\' &&
			    s[2] == 'u') {
				int lo = json_hex4(s + 3);

				if (lo >= 0xDC00 && lo < 0xE000) {
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
					s += 6;
				}
			}
			if (cp >= 0xD800 && cp < 0xE000)
				cp = 0xFFFD;
			w += utf8_put(w, (unsigned)cp);
			break;
		}
		default: /* '"', '\\', '/' */
			*w++ = *s;
		}
		s++;
	}
	return (size_t)(w - out);
}
