#include "text.h"

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
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
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
