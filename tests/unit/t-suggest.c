/*
 * t-suggest.c - xform --suggest's engine: field-name tokens, value shapes
 * through the draft, the compositions, determinism, and bad input.
 */
#include "tap.h"
#include "engine/suggest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *
tokens(const char *name)
{
	static struct buf b = BUF_INIT;

	buf_reset(&b);
	suggest_tokens(name, &b);
	return buf_str(&b);
}

static struct suggest *
ctx(const char *syn)
{
	struct suggest_opts o = { syn, 0, 0, 0 };
	struct ep_err e = EP_ERR_INIT;

	return suggest_new(&o, &e);
}

static void
add(struct suggest *sg, int side, const char *line)
{
	struct ep_err e = EP_ERR_INIT;

	if (suggest_record(sg, side, line, strlen(line), &e) < 0)
		printf("# %s\n", e.msg);
}

static char *
draft(struct suggest *sg)
{
	struct buf b = BUF_INIT;
	struct ep_err e = EP_ERR_INIT;

	suggest_write(sg, &b, &e);
	return buf_detach(&b, NULL);
}

int
main(void)
{
	char synf[] = "/tmp/t-suggest-XXXXXX";
	int fd = mkstemp(synf);
	FILE *f = fdopen(fd, "w");
	struct suggest *sg;
	struct ep_err e = EP_ERR_INIT;
	char *d1, *d2;
	static const char schema[] =
		"{\"properties\": {\"Name\": {\"type\": \"string\"},"
		" \"Post_Code\": {\"type\": \"string\"},"
		" \"E_Mail\": {\"type\": \"string\", \"format\": \"idn-email\"},"
		" \"Country_Region_Code\": {\"type\": \"string\", \"format\": \"iso3166\"},"
		" \"Modified\": {\"type\": \"string\", \"readOnly\": true},"
		" \"Balance\": {\"type\": \"number\"}}, \"required\": [\"Name\"]}";

	is_str(tokens("PostalCode"), "postal code", "tokens: camel case");
	is_str(tokens("Post_Code"), "post code", "tokens: underscores");
	is_str(tokens("E_Mail"), "e mail", "tokens: E_Mail");
	is_str(tokens("VATRegNo2"), "vat reg no 2", "tokens: an acronym, digits");
	is_str(tokens("zip"), "zip", "tokens: one word");
	is_str(tokens("Deal Name"), "deal name", "tokens: spaces");
	is_str(tokens("@odata.etag"), "odata etag", "tokens: punctuation");
	is_str(tokens(""), "", "tokens: empty");

	fputs("# test table\npostcode: zip postal_code\nemail: e_mail\n"
	      "firstname: first_name\nlastname: last_name\n",
	      f);
	fclose(f);
	sg = ctx(synf);
	ok(sg != NULL, "the synonym table loads");
	add(sg, SUGGEST_SOURCE,
	    "{\"zip\": \"1000\", \"email\": \"a@b.be\", \"first_name\": \"Ann\","
	    " \"last_name\": \"Peeters\", \"country\": \"BE\", \"x\": [1, 2]}");
	add(sg, SUGGEST_SOURCE,
	    "{\"zip\": false, \"email\": \"c@d.nl\", \"first_name\": \"Jo\","
	    " \"last_name\": \"de Vries\", \"country\": \"NL\", \"x\": []}");
	add(sg, SUGGEST_SOURCE, "{\"_checkpoint\": {\"stream\": \"s\"}}");
	is_int(suggest_schema(sg, schema, strlen(schema), "t.schema.json", &e), 0, "schema read");
	d1 = draft(sg);
	d2 = draft(sg);
	is_str(d1, d2, "the same inputs give the same draft");
	ok(strstr(d1, "\nPost_Code = $zip ?: \"\"  # ") != NULL,
	   "Post_Code from zip, empty as \"\"");
	ok(strstr(d1, "\nE_Mail = $email  # ") != NULL, "E_Mail from email");
	ok(strstr(d1, "shape e-mail") != NULL, "the e-mail shape is a reason");
	ok(strstr(d1, "\nName = join(\" \", $first_name, $last_name)") != NULL,
	   "first + last name -> Name");
	ok(strstr(d1, "\nCountry_Region_Code = $country  #") != NULL, "a country code by shape");
	ok(strstr(d1, "# TODO Balance") != NULL, "an unmatched field is a TODO");
	ok(strstr(d1, "Modified") == NULL, "a read-only field is left out");
	ok(strstr(d1, "_checkpoint") == NULL, "control lines are not fields");
	free(d1);
	free(d2);

	is_int(suggest_record(sg, SUGGEST_SOURCE, "[1]", 3, &e), -1, "an array is refused");
	is_int(e.code, 65, "as bad data");
	is_int(suggest_record(sg, SUGGEST_SOURCE, "{\"a\":", 5, &e), -1, "bad JSON is refused");
	is_int(suggest_schema(sg, "{}", 2, "x.json", &e), -1, "a schema without properties");
	suggest_free(sg);

	f = fopen(synf, "w");
	fputs("postcode zip\n", f);
	fclose(f);
	{
		struct suggest_opts o = { synf, 0, 0, 0 };

		ok(suggest_new(&o, &e) == NULL, "a bad synonym line is refused");
		ok(strstr(e.msg, ":1: want 'concept: variant ...'") != NULL, "with file:line");
	}
	unlink(synf);
	return done_testing();
}
