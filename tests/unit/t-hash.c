/*
 * t-hash.c - the house hashes against known vectors: FNV-1a 64 and 32
 * (the published ones), the short-basis FNV-1a the bng token cache names
 * and the extract keys are made of, and diff's mix.  SipHash is in
 * t-keyset.c against the reference vectors.  These values are kept on disk:
 * a change here is a change of file names.
 */
#include "tap.h"
#include "base/hash.h"

#include <string.h>

int
main(void)
{
	const char *url = "https://bng.example/api", *client = "client-1";
	uint64_t h;

	ok(fnv1a64("", 0) == 0xcbf29ce484222325ull, "fnv1a64: empty");
	ok(fnv1a64("a", 1) == 0xaf63dc4c8601ec8cull, "fnv1a64: a");
	ok(fnv1a64("foobar", 6) == 0x85944171f73967e8ull, "fnv1a64: foobar");
	ok(fnv1a32("", 0) == 0x811c9dc5u, "fnv1a32: empty");
	ok(fnv1a32("a", 1) == 0xe40c292cu, "fnv1a32: a");
	ok(fnv1a32("foobar", 6) == 0xbf9cf968u, "fnv1a32: foobar");
	ok(fnv1a32_add(fnv1a32("foo", 3), "bar", 3) == 0xbf9cf968u, "fnv1a32_add: in pieces");

	ok(fnv1a64_short("", 0) == 0x14650fb0739d0383ull, "fnv1a64_short: empty");
	ok(fnv1a64_short("a", 1) == 0x44bd8ad473cd9906ull, "fnv1a64_short: a");
	ok(fnv1a64_short("foobar", 6) == 0x88fad7c0a8ff07f2ull, "fnv1a64_short: foobar");
	/* bng_token_cache_path: url, a NUL, the client id */
	h = fnv1a64_add(fnv1a64_short(url, strlen(url) + 1), client, strlen(client));
	ok(h == 0x94a3900810aa4997ull, "fnv1a64_short: the bng token cache name");

	ok(hash_mix64("", 0) == 0x3a0273e4604a6533ull, "hash_mix64: empty");
	ok(hash_mix64("a", 1) == 0xe4a9c74f94df13c1ull, "hash_mix64: a");
	ok(hash_mix64("abcdefgh", 8) == 0xce2cb00318601ed8ull, "hash_mix64: one word");
	ok(hash_mix64("hello, world!", 13) == 0xa27cfaddb52d3130ull,
	   "hash_mix64: a word and a tail");
	return done_testing();
}
