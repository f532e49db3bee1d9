/*
 * t-load - the generic load machinery against an in-memory target: batching,
 * splitting a refused batch down to the bad record, unchanged detection,
 * _op/_key, dry runs, --then, fatal errors, the order of a checkpoint's
 * commit after the batch before it, and the read back of what was written
 * (drifted receipts, --verify strict, --no-verify).
 */
#include "tap.h"
#include "engine/load.h"
#include "base/log.h"

#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the fake target: rows keyed by their key text ------------------ */

#define ROWS 1024

struct row {
	char *key; /* canonical key text */
	cJSON *vals;
	int id;
	int confirmed;
};

struct fake {
	struct row rows[ROWS];
	int nrows, next_id;
	int calls[7];      /* resolve lookup create update remove call readback */
	int max_create;    /* largest create set */
	int fatal_code;    /* a record {"fatal":true} fails the call with this */
	const char *state; /* state file: seen[] records whether it held a commit */
	int seen_commit[64];
	int nseen;
	int lose; /* the next writes applied, their answers lost (load.h) */
	int drop; /* the next writes not applied, their answers lost */
};

enum { C_RESOLVE, C_LOOKUP, C_CREATE, C_UPDATE, C_REMOVE, C_CALL, C_READBACK };

/* A write's answer lost: after it was applied (lose) or not (drop). */
static int
lost(struct fake *f, struct load_item *const *its, size_t n, int op, struct load_error *e)
{
	for (size_t i = 0; op == C_CREATE && i < n; i++) {
		cJSON_Delete(its[i]->id);
		its[i]->id = NULL;
	}
	if (f->lose > 0)
		f->lose--;
	else
		f->drop--;
	load_errf(e, EP_UNAVAILABLE, NULL, "POST 'fake': the answer was lost");
	e->lost = 1;
	return -1;
}

/* What the fake server keeps of a value written: fields named price* are
 * rounded to cents, a field "ignored" is not kept; NULL: nothing kept. */
static cJSON *
kept(const cJSON *c)
{
	if (strcmp(c->string, "ignored") == 0)
		return NULL;
	if (strncmp(c->string, "price", 5) == 0 && cJSON_IsNumber(c))
		return cJSON_CreateNumber(round(c->valuedouble * 100) / 100);
	return cJSON_Duplicate(c, 1);
}

/* vals: the values written to a row, as the fake keeps them */
static void
store(cJSON *vals, const cJSON *written)
{
	for (const cJSON *c = written->child; c; c = c->next) {
		cJSON *v = kept(c);
		cJSON_DeleteItemFromObjectCaseSensitive(vals, c->string);
		if (v)
			cJSON_AddItemToObject(vals, c->string, v);
	}
}

static struct row *
find(struct fake *f, const cJSON *key)
{
	char *k = cJSON_PrintUnformatted(key);
	struct row *r = NULL;

	for (int i = 0; i < f->nrows; i++)
		if (f->rows[i].key && strcmp(f->rows[i].key, k) == 0)
			r = &f->rows[i];
	free(k);
	return r;
}

static int
fatal_in(struct fake *f, struct load_item *const *its, size_t n, struct load_error *e)
{
	for (size_t i = 0; i < n; i++)
		if (cJSON_IsTrue(cJSON_GetObjectItem(its[i]->rec, "fatal")))
			return load_errf(e, f->fatal_code, NULL, "access denied for 'fake'");
	return 0;
}

static int
f_lookup(void *t, struct load_item *const *its, size_t n, struct load_error *e)
{
	struct fake *f = t;

	f->calls[C_LOOKUP]++;
	if (fatal_in(f, its, n, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct row *r = find(f, its[i]->key);
		if (r) {
			its[i]->id = cJSON_CreateNumber(r->id);
			its[i]->current = cJSON_Duplicate(r->vals, 1);
		}
	}
	return 0;
}

static int
f_create(void *t, struct load_item *const *its, size_t n, struct load_error *e)
{
	struct fake *f = t;

	f->calls[C_CREATE]++;
	if ((int)n > f->max_create)
		f->max_create = (int)n;
	if (f->state && f->nseen < 64) {
		struct stat sb;
		/* committed: the state file holds a position (it exists, empty,
		 * from the start: the committer locks it) */
		f->seen_commit[f->nseen++] = stat(f->state, &sb) == 0 && sb.st_size > 0;
	}
	/* all or nothing, as Odoo's create(list) */
	for (size_t i = 0; i < n; i++)
		if (cJSON_GetObjectItem(its[i]->rec, "bad"))
			return load_errf(e, EP_DATAERR, "fake.ValidationError",
			                 "'bad' is not allowed");
	if (f->drop > 0)
		return lost(f, its, n, C_CREATE, e);
	for (size_t i = 0; i < n; i++) {
		struct row *r = &f->rows[f->nrows++];
		r->key = its[i]->key ? cJSON_PrintUnformatted(its[i]->key) : NULL;
		r->vals = cJSON_CreateObject();
		store(r->vals, its[i]->rec);
		r->id = ++f->next_id;
		its[i]->id = cJSON_CreateNumber(r->id);
	}
	return f->lose > 0 ? lost(f, its, n, C_CREATE, e) : 0;
}

static struct row *
by_id(struct fake *f, const cJSON *id)
{
	for (int i = 0; i < f->nrows; i++)
		if (f->rows[i].id == id->valueint)
			return &f->rows[i];
	return NULL;
}

static int
f_update(void *t, struct load_item *const *its, size_t n, struct load_error *e)
{
	struct fake *f = t;

	f->calls[C_UPDATE]++;
	for (size_t i = 0; i < n; i++) {
		struct row *r = by_id(f, its[i]->id);
		store(r->vals, its[i]->changes);
	}
	return f->lose > 0 ? lost(f, its, n, C_UPDATE, e) : 0;
}

/* a record {"vanish": true} is gone when read back */
static int
f_readback(void *t, struct load_item *const *its, size_t n, struct load_error *e)
{
	struct fake *f = t;

	f->calls[C_READBACK]++;
	for (size_t i = 0; i < n; i++) {
		struct row *r = by_id(f, its[i]->id);
		cJSON *read;
		int rc;
		if (!r || cJSON_IsTrue(cJSON_GetObjectItem(its[i]->rec, "vanish")))
			continue;
		/* what a server answers is the caller's: the values move out of it */
		read = cJSON_Duplicate(r->vals, 1);
		rc = read ? load_item_stored(its[i], read, NULL, NULL) : -1;
		cJSON_Delete(read);
		if (rc < 0)
			return load_errf(e, EP_SOFTWARE, NULL, "out of memory");
	}
	return 0;
}

static int
f_remove(void *t, struct load_item *const *its, size_t n, struct load_error *e)
{
	struct fake *f = t;

	f->calls[C_REMOVE]++;
	for (size_t i = 0; i < n; i++) {
		struct row *r = by_id(f, its[i]->id);
		free(r->key);
		r->key = NULL;
	}
	return f->lose > 0 ? lost(f, its, n, C_REMOVE, e) : 0;
}

static int
f_call(void *t, const char *method, struct load_item *const *its, size_t n, struct load_error *e)
{
	struct fake *f = t;

	f->calls[C_CALL]++;
	if (strcmp(method, "confirm") != 0)
		return load_errf(e, EP_DATAERR, "AttributeError", "no method '%s'", method);
	for (size_t i = 0; i < n; i++)
		if (cJSON_GetObjectItem(its[i]->rec, "badthen"))
			return load_errf(e, EP_DATAERR, "UserError", "cannot confirm");
	for (size_t i = 0; i < n; i++)
		by_id(f, its[i]->id)->confirmed = 1;
	return 0;
}

static void
fake_reset(struct fake *f)
{
	for (int i = 0; i < f->nrows; i++) {
		free(f->rows[i].key);
		cJSON_Delete(f->rows[i].vals);
	}
	memset(f, 0, sizeof(*f));
	f->fatal_code = EP_NOPERM;
}

static void
calls_reset(struct fake *f)
{
	memset(f->calls, 0, sizeof(f->calls));
	f->max_create = 0;
}

static const struct load_target fake_target = {
	"fake",   NULL,   NULL, f_lookup, NULL,       f_create, f_update,
	f_remove, f_call, NULL, NULL,     f_readback, NULL,     NULL,
};

/* ---- running load_run with stdout in a file ------------------------- */

static char dir[] = "/tmp/t-load.XXXXXX";
static char inpath[300], outpath[300], rejpath[300], statepath[300];

static void
write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
	close(fd);
}

static char *
slurp(const char *path)
{
	static char buf[1 << 20];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? 0 : read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static int
count_lines(const char *s, const char *needle)
{
	int n = 0;
	for (const char *p = s; (p = strchr(p, '\n')); p++)
		n++;
	if (needle) {
		n = 0;
		for (const char *p = s; (p = strstr(p, needle)); p++)
			n++;
	}
	return n;
}

/* load_run on text with the options in o; returns the status */
static int
run(struct fake *f, struct load_opts *o, const char *text, const char *state)
{
	struct stage_cfg cfg;
	char *files[] = { inpath };
	int saved, fd, status;

	write_file(inpath, text);
	unlink(rejpath);
	stage_cfg_init(&cfg, "load");
	cfg.rejects = rejpath;
	cfg.max_rejects = 1000;
	cfg.state = state;
	fflush(stdout);
	saved = dup(1);
	fd = open(outpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 1);
	close(fd);
	status = load_run(&cfg, o, &fake_target, f, 1, files);
	dup2(saved, 1);
	close(saved);
	return status;
}

static char *
records(int n, int bad_at, const char *extra)
{
	static char text[1 << 18];
	size_t len = 0;

	text[0] = '\0';
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
		                        "{\"ref\":\"R%d\",\"name\":\"N%d\"%s%s}\n", i, i,
		                        i == bad_at ? ",\"bad\":1" : "", extra ? extra : "");
	return text;
}

static struct load_opts
opts(long batch, const char *key)
{
	struct load_opts o;
	struct ep_err e;

	load_opts_init(&o);
	o.batch = batch;
	if (key && load_opt(&o, 'k', key, &e) != 1)
		abort();
	return o;
}

int
main(void)
{
	struct fake f;
	struct load_opts o;
	struct ep_err e = EP_ERR_INIT;
	char *out;
	int st;

	ep_verbose = -1;
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(inpath, sizeof(inpath), "%s/in", dir);
	snprintf(outpath, sizeof(outpath), "%s/out", dir);
	snprintf(rejpath, sizeof(rejpath), "%s/rej", dir);
	snprintf(statepath, sizeof(statepath), "%s/state.json", dir);
	memset(&f, 0, sizeof(f));
	fake_reset(&f);

	/* options */
	load_opts_init(&o);
	is_int(load_opt(&o, 'k', "a,b", &e), 1, "--key a,b");
	ok(o.nkey == 2 && strcmp(o.key[1], "b") == 0, "two key fields");
	is_int(load_opt(&o, 'k', "a,,b", &e), -1, "--key a,,b refused");
	is_str(e.msg, "--key 'a,,b': an empty name", "says why");
	is_int(load_opt(&o, 'k', "a,a", &e), -1, "--key a,a refused");
	is_int(load_opt(&o, OPT_LOAD_BATCH, "0", &e), -1, "--batch 0 refused");
	is_int(load_opt(&o, OPT_LOAD_BATCH, "10001", &e), -1, "--batch past the cap refused");
	is_int(load_opt(&o, OPT_LOAD_OP, "merge", &e), -1, "--op merge refused");
	is_int(load_opt(&o, OPT_LOAD_OP, "delete", &e), 1, "--op delete");
	is_int(o.op, LOAD_DELETE, "op set");
	is_int(load_opt(&o, OPT_LOAD_THEN, "a,b,c", &e), 1, "--then a,b,c");
	is_int(o.nthen, 3, "three methods");
	load_opts_free(&o);

	/* one bad record in a batch of 200: split down to it, 199 load */
	o = opts(200, "ref");
	st = run(&f, &o, records(200, 137, NULL), NULL);
	is_int(st, 0, "200 with one bad: exit 0 under --max-rejects");
	out = slurp(outpath);
	is_int(count_lines(out, NULL), 200, "200 receipts");
	is_int(count_lines(out, "\"status\":\"created\""), 199, "199 created");
	is_int(count_lines(out, "\"status\":\"rejected\""), 1, "1 rejected");
	ok(strstr(out, "{\"key\":{\"ref\":\"R137\"},\"id\":null,\"status\":\"rejected\","
	               "\"error\":\"fake.ValidationError: 'bad' is not allowed\"}") != NULL,
	   "the rejected receipt names the error");
	ok(strstr(out,
	          "{\"key\":{\"ref\":\"R0\"},\"id\":1,\"status\":\"created\",\"error\":null}") ==
	           out,
	   "receipts in input order, first one first");
	is_int(f.nrows, 199, "199 rows in the target");
	is_int(f.calls[C_LOOKUP], 1, "one lookup for the batch");
	ok(f.calls[C_CREATE] <= 2 * 8 + 1, "splitting takes O(log n) creates");
	diag("%d create calls", f.calls[C_CREATE]);
	out = slurp(rejpath);
	is_int(count_lines(out, NULL), 1, "one reject");
	ok(strstr(out, "\"stage\":\"load\",\"source\":\"") && strstr(out, "/in:138\"") &&
	           strstr(out, "\"record\":{\"ref\":\"R137\",\"name\":\"N137\",\"bad\":1}"),
	   "the reject has the source line and the original record");

	/* the same input again: everything unchanged, no write */
	calls_reset(&f);
	st = run(&f, &o, records(200, 137, NULL), NULL);
	out = slurp(outpath);
	is_int(count_lines(out, "\"status\":\"unchanged\""), 199, "second run: 199 unchanged");
	is_int(f.calls[C_UPDATE], 0, "no update call");
	is_int(f.calls[C_LOOKUP], 1, "one lookup");
	ok(f.calls[C_CREATE] >= 1 && f.max_create == 1, "only the bad one tried again");
	is_int(f.nrows, 199, "still 199 rows");

	/* a changed field: updated, only the change written */
	calls_reset(&f);
	st = run(&f, &o, "{\"ref\":\"R5\",\"name\":\"new\"}\n{\"ref\":\"R6\",\"name\":\"N6\"}\n",
	         NULL);
	out = slurp(outpath);
	ok(strstr(out,
	          "{\"key\":{\"ref\":\"R5\"},\"id\":6,\"status\":\"updated\",\"error\":null}\n"
	          "{\"key\":{\"ref\":\"R6\"},\"id\":7,\"status\":\"unchanged\",\"error\":null}\n") ==
	           out,
	   "updated and unchanged");
	is_int(f.calls[C_UPDATE], 1, "one update call");

	/* dry run: the plan, no writes */
	calls_reset(&f);
	load_opt(&o, 'n', NULL, &e);
	st = run(&f, &o,
	         "{\"ref\":\"R5\",\"name\":\"newer\"}\n{\"ref\":\"X1\",\"name\":\"x\"}\n"
	         "{\"ref\":\"R7\",\"name\":\"N7\",\"_op\":\"delete\"}\n",
	         NULL);
	out = slurp(outpath);
	is_str(out,
	       "{\"key\":{\"ref\":\"R5\"},\"id\":6,\"status\":\"update\",\"error\":null,"
	       "\"changes\":{\"name\":\"newer\"},\"dry_run\":true}\n"
	       "{\"key\":{\"ref\":\"X1\"},\"id\":null,\"status\":\"create\",\"error\":null,"
	       "\"dry_run\":true}\n"
	       "{\"key\":{\"ref\":\"R7\"},\"id\":8,\"status\":\"delete\",\"error\":null,"
	       "\"dry_run\":true}\n",
	       "dry run prints the plan");
	ok(f.calls[C_CREATE] + f.calls[C_UPDATE] + f.calls[C_REMOVE] == 0,
	   "dry run writes nothing");
	o.dry_run = 0;

	/* _op and _key; delete of a missing record is unchanged */
	calls_reset(&f);
	st = run(&f, &o,
	         "{\"_op\":\"delete\",\"ref\":\"R7\"}\n"
	         "{\"_op\":\"delete\",\"ref\":\"R7\"}\n"
	         "{\"_op\":\"update\",\"ref\":\"nope\",\"name\":\"x\"}\n"
	         "{\"_op\":\"merge\",\"ref\":\"R1\"}\n"
	         "{\"_key\":{\"name\":\"N9\"},\"name\":\"N9\",\"city\":\"Oslo\"}\n"
	         "{\"_key\":[1],\"name\":\"x\"}\n"
	         "{\"name\":\"no key\"}\n"
	         "{\"_op\":\"create\",\"name\":\"no key needed\"}\n",
	         NULL);
	out = slurp(outpath);
	is_str(out,
	       "{\"key\":{\"ref\":\"R7\"},\"id\":8,\"status\":\"deleted\",\"error\":null}\n"
	       "{\"key\":{\"ref\":\"R7\"},\"id\":null,\"status\":\"unchanged\",\"error\":null}\n"
	       "{\"key\":{\"ref\":\"nope\"},\"id\":null,\"status\":\"rejected\","
	       "\"error\":\"update: no record matches the key\"}\n"
	       "{\"key\":null,\"id\":null,\"status\":\"rejected\",\"error\":\"_op: not "
	       "\\\"upsert\\\", \\\"create\\\", \\\"update\\\", \\\"delete\\\" or "
	       "\\\"insert\\\"\"}\n"
	       "{\"key\":{\"name\":\"N9\"},\"id\":200,\"status\":\"created\",\"error\":null}\n"
	       "{\"key\":null,\"id\":null,\"status\":\"rejected\",\"error\":\"_key: not an "
	       "object naming one field or more\"}\n"
	       "{\"key\":null,\"id\":null,\"status\":\"rejected\",\"error\":\"no value for "
	       "the key field 'ref'\"}\n"
	       "{\"key\":null,\"id\":201,\"status\":\"created\",\"error\":null}\n",
	       "_op, _key, a repeated delete, missing keys");
	is_int(f.calls[C_LOOKUP], 2, "a repeated key sends the batch first: two lookups");
	is_int(st, 0, "rejects under --max-rejects: 0");

	/* --then: called on written records; a failing one rejected, id kept */
	calls_reset(&f);
	load_opt(&o, OPT_LOAD_THEN, "confirm", &e);
	st = run(&f, &o,
	         "{\"ref\":\"T1\",\"name\":\"a\"}\n{\"ref\":\"T2\",\"name\":\"b\",\"badthen\":1}\n"
	         "{\"ref\":\"R1\",\"name\":\"N1\"}\n{\"ref\":\"T3\",\"name\":\"c\"}\n",
	         NULL);
	out = slurp(outpath);
	is_str(out,
	       "{\"key\":{\"ref\":\"T1\"},\"id\":202,\"status\":\"created\",\"error\":null}\n"
	       "{\"key\":{\"ref\":\"T2\"},\"id\":203,\"status\":\"rejected\",\"error\":\"confirm: "
	       "UserError: cannot confirm\"}\n"
	       "{\"key\":{\"ref\":\"R1\"},\"id\":2,\"status\":\"unchanged\",\"error\":null}\n"
	       "{\"key\":{\"ref\":\"T3\"},\"id\":204,\"status\":\"created\",\"error\":null}\n",
	       "--then: the failing record rejected with its id, unchanged ones not called");
	ok(f.rows[201].confirmed && !f.rows[202].confirmed && f.rows[203].confirmed &&
	           !f.rows[1].confirmed,
	   "confirmed the written ones only");
	load_opts_free(&o);

	/* insert: found is unchanged whatever its values, missing is created */
	o = opts(2, "ref");
	calls_reset(&f);
	st = run(&f, &o,
	         "{\"_op\":\"insert\",\"ref\":\"R5\",\"name\":\"other\"}\n"
	         "{\"_op\":\"insert\",\"ref\":\"Q1\",\"name\":\"q\"}\n",
	         NULL);
	out = slurp(outpath);
	ok(strstr(out, "{\"key\":{\"ref\":\"R5\"},\"id\":6,\"status\":\"unchanged\"") &&
	           strstr(out, "{\"key\":{\"ref\":\"Q1\"},\"id\":") &&
	           strstr(out, "\"status\":\"created\""),
	   "insert: the existing record unchanged, the missing one created");
	is_int(f.calls[C_UPDATE], 0, "insert: nothing of the existing record written");
	load_opts_free(&o);

	/* a fatal error stops the run with its status; records before it keep
	 * their receipts */
	o = opts(2, "ref");
	calls_reset(&f);
	st = run(&f, &o,
	         "{\"ref\":\"F1\",\"name\":\"a\"}\n{\"ref\":\"F2\",\"name\":\"b\"}\n"
	         "{\"ref\":\"F3\",\"fatal\":true}\n{\"ref\":\"F4\"}\n",
	         NULL);
	is_int(st, EP_NOPERM, "fatal: exit 77");
	out = slurp(outpath);
	is_int(count_lines(out, NULL), 2, "the first batch's receipts only");
	is_int(f.calls[C_LOOKUP], 2, "stopped at the second batch");

	/* checkpoints: the part-filled batch is written before the commit */
	fake_reset(&f);
	f.state = statepath;
	unlink(statepath);
	st = run(&f, &o,
	         "{\"ref\":\"C1\"}\n{\"ref\":\"C2\"}\n{\"ref\":\"C3\"}\n"
	         "{\"_checkpoint\":{\"stream\":\"s\",\"v\":1,\"pos\":{\"id\":3}}}\n"
	         "{\"ref\":\"C4\"}\n",
	         statepath);
	is_int(st, 0, "checkpoint run: 0");
	is_int(f.nseen, 3, "three creates: C1+C2, C3 (part-filled, at the checkpoint), C4");
	ok(!f.seen_commit[0] && !f.seen_commit[1] && f.seen_commit[2],
	   "the part-filled batch was written before the commit, C4 after it");
	out = slurp(outpath);
	ok(strstr(out,
	          "\"C3\"},\"id\":3,\"status\":\"created\",\"error\":null}\n{\"_checkpoint\"") !=
	           NULL,
	   "the checkpoint follows the receipts it covers");
	{
		cJSON *m = cJSON_Parse(slurp(statepath));
		char *p = m ? cJSON_PrintUnformatted(m) : NULL;
		is_str(p, "{\"s\":{\"id\":3}}", "committed");
		free(p);
		cJSON_Delete(m);
	}
	load_opts_free(&o);

	/* batch 1: every record alone */
	fake_reset(&f);
	o = opts(1, "ref");
	st = run(&f, &o, records(10, 3, NULL), NULL);
	is_int(f.calls[C_CREATE], 10, "--batch 1: one create per record");
	is_int(f.nrows, 9, "nine loaded");
	is_int(st, 0, "exit 0");
	load_opts_free(&o);

	/* rejects beyond --max-rejects: 65 */
	{
		struct stage_cfg cfg;
		char *files[] = { inpath };
		int saved = dup(1), fd;
		fake_reset(&f);
		o = opts(10, "ref");
		write_file(inpath, records(5, 2, NULL));
		stage_cfg_init(&cfg, "load");
		cfg.rejects = rejpath;
		fflush(stdout);
		fd = open(outpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 1);
		close(fd);
		st = load_run(&cfg, &o, &fake_target, &f, 1, files);
		dup2(saved, 1);
		close(saved);
		is_int(st, EP_DATAERR, "a reject with --max-rejects 0: 65");
		is_int(f.nrows, 4, "the others loaded");
		load_opts_free(&o);
	}
	/* verify: what the fake kept, read back once per batch */
	fake_reset(&f);
	load_opts_init(&o);
	is_int(load_opt(&o, OPT_LOAD_VERIFY, "strict", &e), 1, "--verify strict");
	is_int(o.verify, LOAD_VERIFY_STRICT, "strict set");
	is_int(load_opt(&o, OPT_LOAD_VERIFY, "sometimes", &e), -1, "--verify sometimes refused");
	is_str(e.msg, "--verify 'sometimes': not report or strict", "says why");
	is_int(load_opt(&o, OPT_LOAD_NO_VERIFY, NULL, &e), 1, "--no-verify");
	is_int(o.verify, LOAD_VERIFY_OFF, "off");
	load_opts_free(&o);
	o = opts(10, "ref");
	st = run(&f, &o,
	         "{\"ref\":\"V1\",\"price\":12.345,\"name\":\"a\"}\n"
	         "{\"ref\":\"V2\",\"price\":12,\"ignored\":1}\n"
	         "{\"ref\":\"V3\",\"price\":12.5,\"vanish\":true}\n"
	         "{\"ref\":\"V4\",\"price\":1.5}\n",
	         NULL);
	out = slurp(outpath);
	is_str(out,
	       "{\"key\":{\"ref\":\"V1\"},\"id\":1,\"status\":\"drifted\",\"drift\":[{\"field\":"
	       "\"price\",\"sent\":12.345,\"stored\":12.35}],\"error\":null}\n"
	       "{\"key\":{\"ref\":\"V2\"},\"id\":2,\"status\":\"drifted\",\"drift\":[{\"field\":"
	       "\"ignored\",\"sent\":1,\"stored\":null}],\"error\":null}\n"
	       "{\"key\":{\"ref\":\"V3\"},\"id\":3,\"status\":\"created\",\"error\":null}\n"
	       "{\"key\":{\"ref\":\"V4\"},\"id\":4,\"status\":\"created\",\"error\":null}\n",
	       "rounded and ignored: drifted; not found when read: not verified; kept: created");
	is_int(st, 0, "drifted: exit 0");
	is_int(f.calls[C_READBACK], 1, "one read back for the batch");
	calls_reset(&f);
	st = run(
		&f, &o,
		"{\"ref\":\"V4\",\"price\":1.5}\n{\"ref\":\"V1\",\"price\":12.345,\"name\":\"b\"}\n",
		NULL);
	out = slurp(outpath);
	is_str(out,
	       "{\"key\":{\"ref\":\"V4\"},\"id\":4,\"status\":\"unchanged\",\"error\":null}\n"
	       "{\"key\":{\"ref\":\"V1\"},\"id\":1,\"status\":\"drifted\",\"drift\":[{\"field\":"
	       "\"price\",\"sent\":12.345,\"stored\":12.35}],\"error\":null}\n",
	       "an update: its changes compared (the price differs from the rounded one)");
	is_int(f.calls[C_READBACK], 1, "the unchanged one not read: one read back");
	calls_reset(&f);
	load_opt(&o, OPT_LOAD_VERIFY, "strict", &e);
	st = run(&f, &o, "{\"ref\":\"V5\",\"price/eur\":0.125,\"price\":2.001}\n", NULL);
	out = slurp(outpath);
	is_str(out,
	       "{\"key\":{\"ref\":\"V5\"},\"id\":5,\"status\":\"rejected\",\"drift\":[{\"field\":"
	       "\"price/eur\",\"sent\":0.125,\"stored\":0.13},{\"field\":\"price\",\"sent\":2.001,"
	       "\"stored\":2}],\"error\":\"drifted: 'price/eur': sent 0.125, stored 0.13 (and more "
	       "fields)\"}\n",
	       "strict: rejected, keeping the drift");
	out = slurp(rejpath);
	ok(strstr(out,
	          "\"errors\":[{\"path\":\"/price~1eur\",\"message\":\"sent 0.125, stored "
	          "0.13\"},{\"path\":\"/price\",\"message\":\"sent 2.001, stored 2\"}]") != NULL,
	   "strict: the reject's errors at JSON Pointers");
	calls_reset(&f);
	o.dry_run = 1;
	st = run(&f, &o, "{\"ref\":\"V6\",\"price\":1.111}\n", NULL);
	is_int(f.calls[C_READBACK], 0, "--dry-run: no read back");
	o.dry_run = 0;
	load_opt(&o, OPT_LOAD_NO_VERIFY, NULL, &e);
	st = run(&f, &o, "{\"ref\":\"V6\",\"price\":1.111}\n", NULL);
	out = slurp(outpath);
	is_str(out, "{\"key\":{\"ref\":\"V6\"},\"id\":6,\"status\":\"created\",\"error\":null}\n",
	       "--no-verify: created");
	is_int(f.calls[C_READBACK], 0, "--no-verify: no read back");
	load_opts_free(&o);

	/* lost answers (load.h): read again by key, never written twice */
	fake_reset(&f);
	o = opts(100, "ref");
	f.lose = 1;
	st = run(&f, &o, "{\"ref\":\"L1\",\"name\":\"a\"}\n{\"ref\":\"L2\",\"name\":\"b\"}\n",
	         NULL);
	is_int(st, 0, "lost: a create applied, its answer lost: 0");
	is_str(slurp(outpath),
	       "{\"key\":{\"ref\":\"L1\"},\"id\":1,\"status\":\"created\",\"error\":null}\n"
	       "{\"key\":{\"ref\":\"L2\"},\"id\":2,\"status\":\"created\",\"error\":null}\n",
	       "lost: created, with the ids found");
	is_int(f.nrows, 2, "lost: two rows, none twice");
	is_int(f.calls[C_CREATE], 1, "lost: one create call");
	is_int(f.calls[C_LOOKUP], 2, "lost: the lookup, then the re-read");
	f.lose = 1;
	st = run(&f, &o, "{\"ref\":\"L1\",\"name\":\"A\"}\n{\"ref\":\"L2\",\"name\":\"b\"}\n",
	         NULL);
	out = slurp(outpath);
	ok(st == 0 && strstr(out, "\"id\":1,\"status\":\"updated\"") &&
	           strstr(out, "\"id\":2,\"status\":\"unchanged\""),
	   "lost: an update applied: updated");
	f.drop = 1;
	calls_reset(&f);
	st = run(&f, &o, "{\"ref\":\"L3\",\"name\":\"c\"}\n", NULL);
	ok(st == 0 && strstr(slurp(outpath), "\"id\":3,\"status\":\"created\""),
	   "lost: a create not applied: sent again, created");
	is_int(f.calls[C_CREATE], 2, "lost: two create calls");
	is_int(f.nrows, 3, "lost: one row more");
	f.lose = 1;
	st = run(&f, &o,
	         "{\"ref\":\"L1\",\"_op\":\"delete\"}\n{\"ref\":\"L2\",\"_op\":\"delete\"}\n",
	         NULL);
	is_str(slurp(outpath),
	       "{\"key\":{\"ref\":\"L1\"},\"id\":1,\"status\":\"deleted\",\"error\":null}\n"
	       "{\"key\":{\"ref\":\"L2\"},\"id\":2,\"status\":\"deleted\",\"error\":null}\n",
	       "lost: a delete applied: deleted, with the ids it had");
	f.drop = 100;
	calls_reset(&f);
	st = run(&f, &o, "{\"ref\":\"L4\",\"name\":\"d\"}\n", NULL);
	is_int(st, EP_UNAVAILABLE, "lost every time: 69");
	is_int(f.calls[C_CREATE], 1 + LOAD_LOST_ROUNDS, "...after LOAD_LOST_ROUNDS rounds");
	f.drop = 0;
	load_opts_free(&o);
	o = opts(100, NULL);
	o.op = LOAD_CREATE;
	f.lose = 1;
	st = run(&f, &o, "{\"name\":\"keyless\"}\n", NULL);
	is_int(st, EP_UNAVAILABLE, "lost: a create without a key: 69");
	is_int(f.nrows, 4, "...made once, not sent again");
	is_str(slurp(outpath), "", "...and no receipt claims it");
	load_opts_free(&o);

	fake_reset(&f);
	{
		char cmd[400];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			diag("could not remove %s", dir);
	}
	return done_testing();
}
