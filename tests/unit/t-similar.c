/*
 * t-similar.c - the fuzzy matcher's normalisers (names with accents and
 * legal forms, emails, phones to E.164, VAT numbers), Jaro-Winkler and
 * word similarity, the scorer's reasons, the spec parser and blocking.
 */
#include "tap.h"
#include "engine/similar.h"

#include <stdlib.h>
#include <string.h>

static char out[2048];

/* the normal form of s by one of the normalisers (what: n name, e email,
 * p phone with cc, v VAT), in a static buffer */
static const char *
norm(int what, const char *s, const char *cc, int *legal)
{
	struct buf b = BUF_INIT;
	size_t n = strlen(s);

	if (what == 'n')
		sim_norm_name(&b, s, n, legal);
	else if (what == 'e')
		sim_norm_email(&b, s, n);
	else if (what == 'p')
		sim_norm_phone(&b, s, n, cc);
	else
		sim_norm_vat(&b, s, n);
	snprintf(out, sizeof out, "%s", buf_str(&b));
	buf_release(&b);
	return out;
}

#define name(s, legal) norm('n', s, NULL, legal)
#define email(s) norm('e', s, NULL, NULL)
#define phone(s, cc) norm('p', s, cc, NULL)
#define vat(s) norm('v', s, NULL, NULL)

/* a sim record of the spec from up to 4 values (NULL absent) */
static void
rec(const struct sim_spec *sp, struct buf *b, const char *v0, const char *v1, const char *v2,
    const char *v3)
{
	const char *v[4] = { v0, v1, v2, v3 };
	size_t l[4];

	for (int i = 0; i < 4; i++)
		l[i] = v[i] ? strlen(v[i]) : 0;
	buf_reset(b);
	sim_norm(sp, v, l, b);
}

int
main(void)
{
	struct sim_spec sp;
	struct ep_err err = EP_ERR_INIT;
	struct buf a = BUF_INIT, b = BUF_INIT, r = BUF_INIT;
	struct sim_why why;
	int legal = 0, legal2 = 0;
	double s;

	/* names */
	is_str(name("ACME Widgets Ltd.", &legal), "acme widgets", "name: case, legal form, dot");
	ok(legal != 0 && strcmp(sim_legal_name(legal), "ltd") == 0, "...its legal form is ltd");
	name("Acme Widgets Limited", &legal2);
	is_int(legal2, legal, "Limited is the class of Ltd");
	is_str(name("Müller & Söhne GmbH & Co. KG", &legal), "muller sohne",
	       "accents folded, & and legal forms at the end dropped");
	is_str(sim_legal_name(legal), "kg", "...the last legal form is its class");
	is_str(name("S.A.R.L. Dupont-Lefèvre", &legal), "dupont lefevre",
	       "a legal form first, dots joined, hyphen a space");
	is_str(sim_legal_name(legal), "sarl", "...SARL");
	is_str(name("Łódź Żabka Sp. z o.o.", NULL), "lodz zabka", "Latin Extended-A folded");
	is_str(name("Limited", &legal), "limited", "only a legal form: kept");
	is_int(legal, 0, "...and no class");
	is_str(name("  O'Brien,   Æsir  Straße ", NULL), "obrien aesir strasse",
	       "apostrophe joined, æ and ß spelt out, spaces squeezed");

	/* emails, the canonical case of issue 19 */
	is_str(email("AP@acme.com "), "ap@acme.com", "email: trimmed and lower case");
	is_str(email(" mailto:<Info@Example.ORG>"), "info@example.org", "mailto: and <> dropped");

	/* phones */
	is_str(phone("+44 (0)20 7946-0000", ""), "+442079460000", "E.164: +44 (0)20 drops the (0)");
	is_str(phone("0044 20 7946 0000", ""), "+442079460000", "00 prefix is +");
	is_str(phone("020 7946 0000", "44"), "+442079460000", "national number: default country");
	is_str(phone("020 7946 0000 ext. 12", "44"), "+442079460000", "extension dropped");
	is_str(phone("12", "44"), "", "too short: nothing");

	/* VAT */
	is_str(vat("de 123.456.789"), "DE123456789", "VAT: upper case, no separators");

	/* similarities */
	ok(sim_jaro_winkler("martha", 6, "marhta", 6) > 0.96 &&
	           sim_jaro_winkler("martha", 6, "marhta", 6) < 0.962,
	   "Jaro-Winkler martha/marhta 0.961");
	ok(sim_jaro_winkler("dixon", 5, "dicksonx", 8) > 0.81 &&
	           sim_jaro_winkler("dixon", 5, "dicksonx", 8) < 0.82,
	   "Jaro-Winkler dixon/dicksonx 0.813");
	is_int((int)(sim_jaro_winkler("abc", 3, "xyz", 3) * 1000), 0, "nothing in common: 0");
	ok(sim_words("widgets acme", 12, "acme widgets", 12) > 0.99, "words in another order: 1");
	ok(sim_words("mac donald", 10, "macdonald", 9) > 0.95, "words run together");
	ok(sim_words("acme widgets", 12, "zenith tools", 12) < 0.6, "different names: low");

	/* the spec */
	memset(&sp, 0, sizeof sp);
	ok(sim_spec_parse("name,Email,phone:Tel=Phone,vat_id", 1, "--match", &sp, &err) == 0,
	   "spec parses");
	is_int(sp.n, 4, "...4 fields");
	is_int(sp.f[1].kind, SIM_EMAIL, "...Email is an email by its name");
	is_int(sp.f[2].kind, SIM_PHONE, "...phone: given");
	is_str(sp.f[2].name[1], "Phone", "...its right name");
	is_int(sp.f[3].kind, SIM_VAT, "...vat_id a VAT number");
	sim_spec_free(&sp);
	memset(&sp, 0, sizeof sp);
	ok(sim_spec_parse("nmae:x", 0, "--similar", &sp, &err) < 0 && err.code == EP_USAGE,
	   "an unknown kind is a usage error");
	ok(strstr(err.msg, "kind 'nmae'") != NULL, "...naming it");
	sim_spec_free(&sp);
	memset(&sp, 0, sizeof sp);
	ok(sim_spec_parse("a,,b", 0, "--similar", &sp, &err) < 0, "an empty name is refused");
	sim_spec_free(&sp);
	memset(&sp, 0, sizeof sp);
	ok(sim_set_country(&sp, "gb", &err) == 0 && strcmp(sp.cc, "44") == 0, "GB is 44");
	ok(sim_set_country(&sp, "+1", &err) == 0 && strcmp(sp.cc, "1") == 0, "+1 is 1");
	ok(sim_set_country(&sp, "XX", &err) < 0, "XX is unknown");

	/* scores: name, email, phone, vat */
	sim_spec_parse("name,email,phone,vat", 0, "--match", &sp, &err);
	sim_set_country(&sp, "GB", &err);
	rec(&sp, &a, "Acme Widgets Ltd", "AP@acme.com ", "020 7946 0000", "GB123456789");
	rec(&sp, &b, "ACME Widgets Limited", "ap@acme.com", "+44 20 7946 0000", NULL);
	s = sim_score(&sp, a.p, b.p, &why);
	ok(s > 0.99, "legal-form variant, email case, phone format: a match");
	sim_reasons_json(&sp, &why, 0, &r);
	is_str(buf_str(&r), "[\"email equal +5.0\",\"name equal +4.0\",\"phone equal +4.0\"]",
	       "...the reasons, strongest first, vat missing on a side says nothing");
	rec(&sp, &b, "Acme Widgets GmbH", NULL, "+49 30 1234567", "DE987654321");
	s = sim_score(&sp, a.p, b.p, &why);
	ok(s < 0.01, "the trap: same name, other company (VAT, phone, legal form)");
	buf_reset(&r);
	sim_reasons_json(&sp, &why, 0, &r);
	is_str(buf_str(&r),
	       "[\"vat differs -6.0\",\"name equal +4.0\",\"name legal form "
	       "differs -1.5\",\"phone differs -2.0\"]",
	       "...its reasons");
	rec(&sp, &b, "Acme Wigdets", NULL, NULL, NULL);
	s = sim_score(&sp, a.p, b.p, &why);
	ok(s > 0.2 && s < 0.4, "a name with a typo and nothing else: weak (below 0.4)");
	ok(why.sim[0] > 0.9 && why.sim[0] < 1, "...the name's similarity");
	sim_spec_free(&sp);

	/* one field: the exact normal forms agree */
	memset(&sp, 0, sizeof sp);
	sim_spec_parse("email", 0, "--similar", &sp, &err);
	rec(&sp, &a, "AP@acme.com ", NULL, NULL, NULL);
	rec(&sp, &b, "ap@acme.com", NULL, NULL, NULL);
	ok(sim_score(&sp, a.p, b.p, NULL) > 0.9,
	   "email alone: \"AP@acme.com \" is \"ap@acme.com\"");
	{
		uint64_t ka[SIM_MAXKEYS], kb[SIM_MAXKEYS];
		int na = sim_block_keys(&sp, a.p, ka, SIM_MAXKEYS),
		    nb = sim_block_keys(&sp, b.p, kb, SIM_MAXKEYS);

		ok(na == 1 && nb == 1 && ka[0] == kb[0], "...and they share a block");
	}
	rec(&sp, &b, NULL, NULL, NULL, NULL);
	ok(sim_rec_empty(&sp, b.p), "a record without the field is empty");
	ok(sim_rec_size(b.p) == b.len, "sim_rec_size is its length");
	sim_spec_free(&sp);

	/* blocking: a typo in one word still shares the other's block */
	memset(&sp, 0, sizeof sp);
	sim_spec_parse("name", 0, "--similar", &sp, &err);
	rec(&sp, &a, "Acme Widgets", NULL, NULL, NULL);
	rec(&sp, &b, "Acme Wigdets", NULL, NULL, NULL);
	{
		uint64_t ka[SIM_MAXKEYS], kb[SIM_MAXKEYS];
		int na = sim_block_keys(&sp, a.p, ka, SIM_MAXKEYS),
		    nb = sim_block_keys(&sp, b.p, kb, SIM_MAXKEYS), shared = 0;

		for (int i = 0; i < na; i++)
			for (int j = 0; j < nb; j++)
				shared += ka[i] == kb[j];
		is_int(na, 3, "two name words: three keys (each word, the pair)");
		is_int(shared, 1, "one shared (acme)");
	}
	sim_spec_free(&sp);
	buf_release(&a);
	buf_release(&b);
	buf_release(&r);
	return done_testing();
}
