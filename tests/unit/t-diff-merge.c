/* t-diff-merge: the three-way merge's parts: --owner values, the policy
 * file parser (lines, comments, errors with file:line), and diff_merge_run
 * on small files through a sink (what goes to which stream, the counts). */
#include "tap.h"
#include "engine/diff/diff.h"

#include <stdlib.h>
#include <unistd.h>

struct got {
	struct buf s[5];
};

static int
out(void *ctx, int what, const char *p, size_t n, struct ep_err *err)
{
	struct got *g = ctx;

	(void)err;
	buf_add(&g->s[what], p, n);
	return buf_addc(&g->s[what], '\n');
}

static void
put(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	fputs(text, fp);
	fclose(fp);
}

int
main(void)
{
	struct ep_err err = EP_ERR_INIT;
	struct diff_policy pol = { NULL, 0 };
	struct diff_pair *ign = NULL;
	int nign = 0;
	char dir[] = "/tmp/t-diff-merge.XXXXXX", path[3][64];
	const char *paths[3] = { path[0], path[1], path[2] };

	/* ---- --owner */
	ok(diff_parse_owners("email=left,Phone=right", &pol, &err) == 0 && pol.nowners == 2,
	   "two owners");
	ok(pol.nowners == 2 && strcmp(pol.owners[1].name, "Phone") == 0 &&
	           pol.owners[1].side == DIFF_RIGHT && pol.owners[0].side == DIFF_LEFT,
	   "names and sides");
	static const char *bad[] = { "email", "=left", "email=up", "email=left,", "a=right,b" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		ok(diff_parse_owners(bad[i], &pol, &err) < 0 && err.code == EP_USAGE, bad[i]);
	diff_policy_free(&pol);
	ok(pol.nowners == 0 && pol.owners == NULL, "policy freed");

	/* ---- the policy file */
	const char *text = "# owners\r\nowner Blocked right\r\n\n  owner\tcustomer_rank  left \n"
			   "ignore write_date\nignore __last_update";
	ok(diff_policy_parse(text, strlen(text), "p", &pol, &ign, &nign, &err) == 0,
	   "a policy: comments, CRLF, blanks, tabs, no final newline");
	ok(pol.nowners == 2 && strcmp(pol.owners[1].name, "customer_rank") == 0 &&
	           pol.owners[1].side == DIFF_LEFT,
	   "owner lines");
	ok(nign == 2 && strcmp(ign[1].name[0], "__last_update") == 0 &&
	           ign[1].name[1] == ign[1].name[0],
	   "ignore lines become ignored pairs");
	diff_policy_free(&pol);
	diff_pairs_free(ign, nign);
	ign = NULL;
	nign = 0;
	static const struct {
		const char *text, *msg;
	} badp[] = {
		{ "owner a left\nowner b\n", "p:2: not 'owner FIELD left|right'" },
		{ "owner a left right\n", "p:1: not 'owner FIELD left|right'" },
		{ "\n\nignore\n", "p:3: not 'ignore FIELD'" },
		{ "ignore a b\n", "p:1: not 'ignore FIELD'" },
		{ "ignore a,b\n", "p:1: 'ignore a,b': one field name, without ',' or '='" },
		{ "Owner a left\n", "p:1: 'Owner': not owner, ignore or a comment" },
	};
	for (size_t i = 0; i < sizeof badp / sizeof *badp; i++) {
		ok(diff_policy_parse(badp[i].text, strlen(badp[i].text), "p", &pol, &ign, &nign,
		                     &err) < 0 &&
		           err.code == EP_DATAERR,
		   badp[i].msg);
		is_str(err.msg, badp[i].msg, "... the message");
		diff_policy_free(&pol);
		diff_pairs_free(ign, nign);
		ign = NULL;
		nign = 0;
	}
	ok(diff_policy_parse("", 0, "p", &pol, &ign, &nign, &err) == 0 && pol.nowners == 0,
	   "an empty policy");
	/* a raw NUL byte would have cut the names: "ignore a" and "owner a" */
	static const char nul_ign[] = "# ok\nignore a\0b\n", nul_own[] = "owner a\0b left\n";
	ok(diff_policy_parse(nul_ign, sizeof nul_ign - 1, "p", &pol, &ign, &nign, &err) < 0 &&
	           err.code == EP_DATAERR && nign == 0,
	   "a NUL byte in a policy line: refused, no field ignored");
	is_str(err.msg, "p:2: a NUL byte: not text", "... the message names the line");
	ok(diff_policy_parse(nul_own, sizeof nul_own - 1, "p", &pol, &ign, &nign, &err) < 0 &&
	           pol.nowners == 0,
	   "...and in an owner line: no owner");
	diff_policy_free(&pol);

	/* ---- a merge through the sink */
	if (mkdtemp(dir) == NULL)
		return 1;
	for (int s = 0; s < 3; s++)
		snprintf(path[s], sizeof path[s], "%s/%d", dir, s);
	put(path[2], "{\"id\":1,\"a\":\"x\",\"o\":\"b\"}\n{\"id\":2,\"a\":\"y\"}\n");
	put(path[0],
	    "{\"id\":1,\"a\":\"L\",\"o\":\"L\"}\n{\"id\":2,\"a\":\"y\"}\n{\"id\":3,\"a\":\"n\"}\n");
	put(path[1], "{\"id\":1,\"a\":\"x\",\"o\":\"R\"}\n");
	for (int sorted = 0; sorted < 2; sorted++) {
		struct diff_spec spec;
		struct diff_merge_spec ms;
		struct got g;
		struct diff_merge_sink sink = { out, NULL, NULL, &g };
		struct diff *d;
		const struct diff_merge_counts *c;

		memset(&g, 0, sizeof g);
		memset(&spec, 0, sizeof spec);
		memset(&ms, 0, sizeof ms);
		diff_parse_pairs("id", "--key", &spec.keys, &spec.nkeys, &err);
		diff_parse_owners("o=right", &pol, &err);
		spec.sorted = sorted;
		ms.policy = &pol;
		ms.deletes = DIFF_DEL_ARCHIVE;
		ms.emit[0] = ms.emit[1] = 1;
		ms.base = 1;
		d = diff_new(&spec, &err);
		ok(diff_merge_run(d, &ms, paths, &sink, &err) == 0,
		   sorted ? "--sorted: runs" : "hash: runs");
		is_str(buf_str(&g.s[0]),
		       "{\"_op\":\"update\",\"_key\":{\"id\":1},\"o\":\"R\"}\n"
		       "{\"_op\":\"update\",\"_key\":{\"id\":2},\"active\":false}\n",
		       "left: the owner's o, and 2 (gone from the right) archived");
		is_str(buf_str(&g.s[1]),
		       "{\"_op\":\"update\",\"_key\":{\"id\":1},\"a\":\"L\"}\n"
		       "{\"_op\":\"create\",\"_key\":{\"id\":3},\"id\":3,\"a\":\"n\"}\n",
		       "right: the left's a (not o, the right's own), the left's new 3");
		is_str(buf_str(&g.s[DIFF_OUT_BASE]),
		       "{\"id\":1,\"a\":\"L\",\"o\":\"R\"}\n{\"id\":3,\"a\":\"n\"}\n",
		       "the new base: merged, the archived key out");
		is_str(buf_str(&g.s[DIFF_OUT_RESOLVED]),
		       "{\"resolved\":\"o\",\"owner\":\"right\",\"key\":1,\"base\":\"b\",\"left\":\"L\",\"right\":\"R\"}\n",
		       "o changed on both: resolved to the right");
		c = diff_merge_counts(d);
		ok(c->to[0] == 1 && c->to[1] == 2 && c->create[1] == 1 && c->deleted[1] == 1 &&
		           c->deleted[0] == 0 && c->resolved == 1 && c->conflicts == 0 &&
		           c->unchanged == 0,
		   "the counts");
		diff_free(d);
		diff_pairs_free(spec.keys, spec.nkeys);
		diff_policy_free(&pol);
		for (int s = 0; s < 5; s++)
			buf_release(&g.s[s]);
	}
	for (int s = 0; s < 3; s++)
		unlink(path[s]);
	rmdir(dir);
	return done_testing();
}
