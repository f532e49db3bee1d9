/*
 * t-map-json.c - the mapping engine parses each record once, so its JSON
 * parser must refuse exactly what json_check refuses, at the same byte and
 * with the same message (xform rejects with either).  Hand-picked cases,
 * then mutations of valid records from a fixed seed (printed on failure).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stream/json.h"
#include "engine/map/map.h"
#include "tap.h"

static struct map_prog *prog;
static struct buf out = BUF_INIT;

/* 1 when the engine agrees with json_check on s */
static int
same(const char *s, size_t n, char *diag, size_t dn)
{
	size_t off = 0;
	const char *why = NULL;
	enum json_type t = json_check(s, n, &off, &why);
	struct map_rterr re;
	int r;

	buf_reset(&out);
	r = map_apply(prog, s, n, &out, &re);
	if (t == JSON_OBJECT) {
		if (r == MAP_OK || r == MAP_PASS)
			return 1;
		snprintf(diag, dn, "json_check: object; engine %d: %.200s", r, re.msg);
		return 0;
	}
	if (r != MAP_BADJSON || re.jtype != (int)t) {
		snprintf(diag, dn, "json_check: %s; engine %d, type %d", json_type_name(t), r,
		         re.jtype);
		return 0;
	}
	if (t == JSON_INVALID && (re.joff != off || re.jwhy == NULL || strcmp(re.jwhy, why))) {
		snprintf(diag, dn, "json_check: %s at %zu; engine: %s at %zu", why, off,
		         re.jwhy ? re.jwhy : "?", re.joff);
		return 0;
	}
	return 1;
}

/* clang-format off */
static const char *cases[] = {
	"{}", " {\"a\":1} ", "{\"a\":1}\r", "", " ", "[]", "[1]", "1", "-0", "\"s\"",
	"true", "false", "null", "tru", "nul", "fals", "x", "{", "{\"a\"", "{\"a\":",
	"{\"a\":1", "{\"a\":1,", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "{\"a\":01}",
	"{\"a\":-}", "{\"a\":-01}", "{\"a\":1.}", "{\"a\":1.5e}", "{\"a\":1e+}",
	"{\"a\":.5}", "{\"a\":+1}", "{\"a\":1}x", "{\"a\":1} {}", "{\"a\":[1,]}",
	"{\"a\":[1 2]}", "{\"a\":[", "{\"a\":[1", "{\"a\":\"x}", "{\"a\":\"\\x\"}",
	"{\"a\":\"\\u12\"}", "{\"a\":\"\\u12g4\"}", "{\"a\":\"\\ud800\"}",
	"{\"a\":\"\\ud83d\\ude00\"}", "{\"a\":\"tab\there\"}", "{\"a\":\"\\",
	"{\"a\":\"\\u1234", "{\"a\":\"ok\\n\"}", "{\"a\":{\"b\":[{}]}}", "{\"a\":nan}",
	"{\"a\":tRue}", "{\"\\u0041\":1}", "{\"a\":1,\"a\":2}", "{\"_checkpoint\":{}}",
	"{\"a\":\"\x01\"}", "{\"a\":1}\n", "\t{\"a\"\n:\r1 }", "{\"a\":[true,false,null]}",
	"{\"a\":-1.5E-3}", "{\"a\":0e0}", "{\"a\":00}", "{\"a\":1}]",
};
/* clang-format on */

int
main(void)
{
	struct ep_err err = EP_ERR_INIT;
	char diag[512], name[128];
	size_t i;

	prog = map_compile("X = 1\n", 6, "t.map", NULL, &err);
	if (!ok(prog != NULL, "map compiles"))
		return done_testing();
	for (i = 0; i < sizeof cases / sizeof *cases; i++) {
		snprintf(name, sizeof name, "same verdict: %s", cases[i]);
		for (char *c = name; *c; c++)
			if ((unsigned char)*c < 0x20)
				*c = '?'; /* one TAP line */
		if (!ok(same(cases[i], strlen(cases[i]), diag, sizeof diag), name))
			printf("#   %s\n", diag);
	}
	/* nesting at the limit and past it */
	{
		size_t n = 2 * JSON_MAX_DEPTH + 2, k;
		char *s = malloc(2 * n + 8);

		for (int extra = 0; extra < 2; extra++) {
			size_t d = JSON_MAX_DEPTH + extra, w = 0;

			s[w++] = '{';
			memcpy(s + w, "\"a\":", 4), w += 4;
			for (k = 1; k < d; k++)
				s[w++] = '[';
			for (k = 1; k < d; k++)
				s[w++] = ']';
			s[w++] = '}';
			snprintf(name, sizeof name, "same verdict at depth %zu", d);
			if (!ok(same(s, w, diag, sizeof diag), name))
				printf("#   %s\n", diag);
		}
		free(s);
	}
	/* mutations of valid records */
	{
		static const char *seeds[] = {
			"{\"id\":7,\"name\":\"Azure \\\"A\\\" Interior\",\"is_company\":true,"
			"\"email\":false,\"country_id\":[233,\"United States\"],\"credit_limit\":-1.5e2,"
			"\"tags\":[],\"o\":{\"x\":null,\"y\":\"\\u00e9\\n\"}}",
			"{\"_checkpoint\":{\"stream\":\"odoo:p:res.partner\",\"v\":1,\"pos\":{\"id\":3}}}",
			"{\"a\":[1,2.50,{\"b\":[true,false]}],\"c\":\"\\ud83d\\ude00\"}",
		};
		static const char alphabet[] = "{}[]\",:\\0123456789eE.+-tfnulr \t\r\n\x01x";
		unsigned seed = 20261125, rs = seed;
		char buf[512];
		int bad = 0;

		for (i = 0; i < 30000 && bad < 5; i++) {
			const char *src = seeds[i % 3];
			size_t n = strlen(src), pos;
			int m;

			memcpy(buf, src, n);
			for (m = 0; m < 1 + (int)(i % 3); m++) {
				rs = rs * 1103515245u + 12345u;
				pos = (rs >> 8) % (n ? n : 1);
				rs = rs * 1103515245u + 12345u;
				switch ((rs >> 16) % 4) {
				case 0: /* replace */
					if (n > 0)
						buf[pos] =
							alphabet[(rs >> 4) % (sizeof alphabet - 1)];
					break;
				case 1: /* delete */
					if (n > 0) {
						memmove(buf + pos, buf + pos + 1, n - pos - 1);
						n--;
					}
					break;
				case 2: /* insert */
					if (n + 1 < sizeof buf) {
						memmove(buf + pos + 1, buf + pos, n - pos);
						buf[pos] =
							alphabet[(rs >> 4) % (sizeof alphabet - 1)];
						n++;
					}
					break;
				default: /* cut */
					n = pos;
				}
			}
			if (!same(buf, n, diag, sizeof diag)) {
				bad++;
				printf("# seed %u case %zu: '%.*s'\n#   %s\n", seed, i, (int)n, buf,
				       diag);
			}
		}
		ok(bad == 0, "30000 mutated records: the same verdict, byte and message");
	}
	map_free(prog);
	buf_release(&out);
	return done_testing();
}
