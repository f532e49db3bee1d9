/*
 * text.h - UTF-8, JSON string escaping, base64 (layer 1: base).
 * All functions append to a caller-owned struct buf and return -1 only when
 * the buffer refuses to grow (its cap, or memory).
 */
#ifndef ERPIPE_TEXT_H
#define ERPIPE_TEXT_H

#include <stddef.h>

#include "base/buf.h"

/* Length of the valid UTF-8 prefix of s (== n when all of it is valid).
 * Rejects overlongs, surrogates and code points past U+10FFFF. */
size_t utf8_valid_prefix(const char *s, size_t n);

/* Append s as a quoted JSON string; invalid UTF-8 bytes become U+FFFD. */
int json_quote(struct buf *b, const char *s, size_t n);

/* Decode the contents of a JSON string (the bytes between its quotes,
 * already checked as json_check does) into out, which must have room for
 * n bytes: the decoded text is never longer.  Returns its length.  A
 * \\u escape of a lone surrogate (which json_check refuses) becomes
 * U+FFFD.  out may equal s. */
size_t json_unescape(char *out, const char *s, size_t n);

/* The value of one hex digit, or -1. */
int hex_value(int c);

/* The value of the four hex digits at p (a \\u escape), or -1. */
int json_hex4(const char *p);

/* Code point cp (< 0x110000) as UTF-8 at o; returns its length, 1 to 4. */
size_t utf8_put(char *o, unsigned cp);

/* Append the standard base64 (RFC 4648, padded) of s. */
int b64_encode(struct buf *b, const void *s, size_t n);

#endif
