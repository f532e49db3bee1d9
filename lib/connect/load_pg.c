#include "connect/load_pg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "base/buf.h"
#include "base/dt.h"
#include "stream/json_tree.h"
#include "base/log.h"
#include "stream/state.h"

#define STATE_TABLE "erpipe_state"

struct load_pg {
	struct load_pg_cfg cfg;
	PGconn *pg;
	char *table;    /* the table, quoted: "s"."t" */
	char *regclass; /* as to_regclass reads it */
	cJSON *cols;    /* name -> type (format_type), in column order */
	char **key;     /* the key's columns, quoted */
	size_t nkey;
	int in_txn;
	int conflict;     /* a unique index on the key: upserts without a lookup */
	cJSON *dbpos;     /* stream -> pos in erpipe_state at the start */
	cJSON *replay;    /* streams replayed up to dbpos: name -> true */
	uint64_t skipped; /* keyless records a replay did not write again */
	struct buf sql;
};

/* ---- small helpers ---------------------------------------------------- */

static int
oom(struct load_error *e)
{
	return load_errf(e, EP_SOFTWARE, NULL, "out of memory");
}

static char *
quote_ident(PGconn *pg, const char *s, size_t n)
{
	char *q = PQescapeIdentifier(pg, s, n), *d;

	if (q == NULL)
		return NULL;
	d = strdup(q);
	PQfreemem(q);
	return d;
}

/* A failed statement as a load error: the SQLSTATE is the error's name, the
 * server's primary message the message. */
static int
pg_error(struct load_pg *lp, const PGresult *r, struct load_error *e)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *detail = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL) : NULL;
	char m[512];
	int code = EP_SOFTWARE;

	if (msg == NULL) { /* no answer: the connection */
		snprintf(m, sizeof(m), "%s", PQerrorMessage(lp->pg));
		m[strcspn(m, "\n")] = '\0';
		return load_errf(e, EP_UNAVAILABLE, NULL, "postgresql: %s", m[0] ? m : "no answer");
	}
	if (state == NULL)
		state = "";
	if (strncmp(state, "22", 2) == 0 || strncmp(state, "23", 2) == 0 ||
	    strcmp(state, "P0001") == 0 || strcmp(state, "42804") == 0)
		code = EP_DATAERR; /* the record's: data exception, constraint, raise */
	else if (strncmp(state, "08", 2) == 0 || strncmp(state, "57", 2) == 0 ||
	         strncmp(state, "53", 2) == 0)
		code = EP_UNAVAILABLE;
	else if (strncmp(state, "28", 2) == 0 || strcmp(state, "42501") == 0)
		code = EP_NOPERM;
	else if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
	         strcmp(state, "55P03") == 0)
		code = EP_TEMPFAIL;
	else if (strcmp(state, "3D000") == 0 || strcmp(state, "42P01") == 0 ||
	         strcmp(state, "42703") == 0)
		code = EP_CONFIG;
	snprintf(m, sizeof(m), "%s%s%s", msg, detail ? " (" : "", detail ? detail : "");
	if (detail)
		snprintf(m + strlen(m), sizeof(m) - strlen(m), ")");
	return load_errf(e, code, state, "%s", m);
}

/* Run sql (with JSON parameter json when not NULL): PGRES_COMMAND_OK or
 * PGRES_TUPLES_OK, else -1 with e.  *res (when res) is the caller's. */
static int
exec(struct load_pg *lp, const char *sql, const char *json, PGresult **res, struct load_error *e)
{
	const char *params[1] = { json };
	PGresult *r =
		PQexecParams(lp->pg, sql, json ? 1 : 0, NULL, json ? params : NULL, NULL, NULL, 0);
	ExecStatusType s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;

	ep_info(3, "postgresql: %s", sql);
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
		int rc = pg_error(lp, r, e);
		PQclear(r);
		return rc;
	}
	if (res)
		*res = r;
	else
		PQclear(r);
	return 0;
}

/* Open a statement's savepoint, and the run's transaction first. */
static int
sp_begin(struct load_pg *lp, struct load_error *e)
{
	if (!lp->in_txn) {
		if (exec(lp, "BEGIN", NULL, NULL, e) < 0)
			return -1;
		lp->in_txn = 1;
	}
	return exec(lp, "SAVEPOINT erpipe", NULL, NULL, e);
}

/* End the statement's savepoint: released after ok, else rolled back (a
 * refused record undoes its statement only). */
static int
sp_end(struct load_pg *lp, int ok, struct load_error *e)
{
	struct load_error ign;

	if (ok)
		return exec(lp, "RELEASE SAVEPOINT erpipe", NULL, NULL, e);
	memset(&ign, 0, sizeof(ign));
	if (exec(lp, "ROLLBACK TO SAVEPOINT erpipe", NULL, NULL, &ign) < 0)
		*e = ign; /* the transaction is gone: that is the error */
	return -1;
}

/* A statement of the run's transaction, under a savepoint: a refused one
 * undoes itself only, so the machinery can split its batch. */
static int
txn_exec(struct load_pg *lp, const char *sql, const char *json, PGresult **res,
         struct load_error *e)
{
	if (sp_begin(lp, e) < 0)
		return -1;
	return sp_end(lp, exec(lp, sql, json, res, e) == 0, e);
}

static const char *
coltype(const struct load_pg *lp, const char *name)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(lp->cols, name);

	return cJSON_IsString(t) ? t->valuestring : NULL;
}

/* The server's notices (NOTICE: relation exists, skipping) at -vv only. */
static void
notice(void *arg, const char *msg)
{
	(void)arg;
	ep_info(2, "postgresql: %.*s", (int)strcspn(msg, "\n"), msg);
}

/* ---- the table ---------------------------------------------------------- */

static int
read_columns(struct load_pg *lp, struct ep_err *err)
{
	static const char sql[] =
		"SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
		"WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped "
		"ORDER BY a.attnum";
	const char *params[1] = { lp->regclass };
	PGresult *r = PQexecParams(lp->pg, sql, 1, NULL, params, NULL, NULL, 0);
	int rc = 0;

	cJSON_Delete(lp->cols);
	lp->cols = cJSON_CreateObject();
	if (r == NULL || PQresultStatus(r) != PGRES_TUPLES_OK) {
		ep_errf(err, EP_UNAVAILABLE, "postgresql: %s", PQerrorMessage(lp->pg));
		rc = -1;
	}
	for (int i = 0; rc == 0 && i < PQntuples(r); i++)
		if (!cJSON_AddStringToObject(lp->cols, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1)))
			rc = ep_errf(err, EP_SOFTWARE, "out of memory");
	PQclear(r);
	return rc;
}

/* The SQL type of a JSON Schema property. */
static const char *
sql_type(const cJSON *prop)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(prop, "type");
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(prop, "format");
	const char *type = NULL;

	if (cJSON_IsString(t))
		type = t->valuestring;
	else if (cJSON_IsArray(t)) /* ["string", "null"]: the one that is not null */
		for (const cJSON *x = t->child; x; x = x->next)
			if (cJSON_IsString(x) && strcmp(x->valuestring, "null") != 0) {
				if (type)
					return "jsonb"; /* several: keep the JSON */
				type = x->valuestring;
			}
	if (type == NULL)
		return "jsonb";
	if (strcmp(type, "string") == 0) {
		if (cJSON_IsString(f) && strcmp(f->valuestring, "date") == 0)
			return "date";
		if (cJSON_IsString(f) && strcmp(f->valuestring, "date-time") == 0)
			return "timestamptz";
		return "text";
	}
	if (strcmp(type, "integer") == 0)
		return "bigint";
	if (strcmp(type, "number") == 0)
		return "numeric";
	if (strcmp(type, "boolean") == 0)
		return "boolean";
	return "jsonb";
}

static int
create_table(struct load_pg *lp, struct ep_err *err)
{
	struct load_error e;
	struct ep_err rerr = EP_ERR_INIT;
	cJSON *schema = NULL, *props;
	char *text = NULL;
	FILE *f;
	long n;
	int rc = -1;

	memset(&e, 0, sizeof(e));
	if ((f = fopen(lp->cfg.schema_file, "r")) == NULL)
		return ep_errf(err, EP_NOINPUT, "--schema '%s': %s", lp->cfg.schema_file,
		               strerror(errno));
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (text = malloc((size_t)n + 1)) != NULL && fread(text, 1, (size_t)n, f) == (size_t)n) {
		text[n] = '\0';
		schema = cJSON_Parse(text);
	}
	fclose(f);
	free(text);
	props = cJSON_GetObjectItemCaseSensitive(schema, "properties");
	if (!cJSON_IsObject(props) || props->child == NULL) {
		ep_errf(err, EP_DATAERR, "--schema '%s': not a JSON Schema with properties",
		        lp->cfg.schema_file);
		goto out;
	}
	buf_reset(&lp->sql);
	buf_addf(&lp->sql, "CREATE TABLE %s (", lp->table);
	for (const cJSON *p = props->child; p; p = p->next) {
		char *c = quote_ident(lp->pg, p->string, strlen(p->string));
		if (c == NULL)
			goto nomem;
		buf_addf(&lp->sql, "%s%s %s", p == props->child ? "" : ", ", c, sql_type(p));
		free(c);
	}
	if (lp->nkey) {
		buf_adds(&lp->sql, ", PRIMARY KEY (");
		for (size_t i = 0; i < lp->nkey; i++)
			buf_addf(&lp->sql, "%s%s", i ? ", " : "", lp->key[i]);
		buf_addc(&lp->sql, ')');
	}
	buf_addc(&lp->sql, ')');
	if (exec(lp, buf_str(&lp->sql), NULL, NULL, &e) < 0) {
		*err = e.err;
		ep_err_prefix(err, "creating %s", lp->cfg.table);
		goto out;
	}
	ep_info(0, "created table %s from %s", lp->cfg.table, lp->cfg.schema_file);
	rc = read_columns(lp, &rerr);
	if (rc < 0)
		*err = rerr;
	goto out;
nomem:
	ep_errf(err, EP_SOFTWARE, "out of memory");
out:
	cJSON_Delete(schema);
	return rc;
}

/* erpipe_state, created when missing; the positions committed so far. */
static int
read_positions(struct load_pg *lp, struct ep_err *err)
{
	struct load_error e;
	PGresult *r = NULL;
	cJSON *file = NULL;

	memset(&e, 0, sizeof(e));
	if (exec(lp,
	         "CREATE TABLE IF NOT EXISTS " STATE_TABLE " (stream text PRIMARY KEY, "
	         "pos jsonb NOT NULL, committed_at timestamptz NOT NULL DEFAULT now())",
	         NULL, NULL, &e) < 0 ||
	    exec(lp, "SELECT stream, pos::text FROM " STATE_TABLE, NULL, &r, &e) < 0) {
		*err = e.err;
		return -1;
	}
	lp->dbpos = cJSON_CreateObject();
	lp->replay = cJSON_CreateObject();
	for (int i = 0; lp->dbpos && i < PQntuples(r); i++)
		cJSON_AddItemToObject(lp->dbpos, PQgetvalue(r, i, 0),
		                      cJSON_Parse(PQgetvalue(r, i, 1)));
	PQclear(r);
	if (lp->dbpos == NULL || lp->replay == NULL)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	if (lp->cfg.state_file == NULL)
		return 0;
	if ((file = state_read(lp->cfg.state_file, err)) == NULL)
		return -1;
	/* the table committed past the state file: the run replays up to it (a
	 * stream the file does not name is another pipeline's, or one killed
	 * before its first commit there: not known to be a replay) */
	for (const cJSON *s = lp->dbpos->child; s; s = s->next) {
		const cJSON *fp = cJSON_GetObjectItemCaseSensitive(file, s->string);
		if (fp && !cJSON_Compare(fp, s, 1) && state_pos_older(fp, s)) {
			cJSON_AddTrueToObject(lp->replay, s->string);
			ep_info(0,
			        "%s: the table holds %s past the state file: records without a "
			        "key are not written again up to there",
			        s->string, lp->cfg.table);
		}
	}
	cJSON_Delete(file);
	return 0;
}

/* Is there a unique index on exactly the key's columns (ON CONFLICT needs
 * one)?  And the session's staging table, erpipe_in: the table's columns
 * without their constraints, and the ordinal of a batch's item. */
static int
prepare(struct load_pg *lp, struct ep_err *err)
{
	struct load_error e;
	PGresult *r = NULL;
	const char *params[2] = { lp->regclass, NULL };
	struct buf keys = BUF_INIT;
	int rc = 0;

	memset(&e, 0, sizeof(e));
	for (size_t i = 0; i < lp->cfg.nkey; i++)
		buf_addf(&keys, "%s%s", i ? "," : "", lp->cfg.key[i]);
	params[1] = buf_str(&keys);
	r = PQexecParams(
		lp->pg,
		"SELECT 1 FROM pg_index i WHERE i.indrelid = to_regclass($1) AND "
		"i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL AND "
		"(SELECT string_agg(a.attname, ',' ORDER BY a.attname) FROM pg_attribute a "
		"WHERE a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)) = "
		"(SELECT string_agg(k, ',' ORDER BY k) FROM unnest(string_to_array($2, ',')) k)",
		2, NULL, params, NULL, NULL, 0);
	if (r && PQresultStatus(r) == PGRES_TUPLES_OK)
		lp->conflict = lp->cfg.nkey > 0 && PQntuples(r) > 0;
	PQclear(r);
	buf_release(&keys);
	buf_reset(&lp->sql);
	buf_addf(&lp->sql, "CREATE TEMP TABLE erpipe_in AS SELECT * FROM %s WITH NO DATA",
	         lp->table);
	if (exec(lp, buf_str(&lp->sql), NULL, NULL, &e) < 0 ||
	    exec(lp, "ALTER TABLE erpipe_in ADD COLUMN erpipe_o int", NULL, NULL, &e) < 0) {
		*err = e.err;
		rc = -1;
	}
	ep_info(1, "%s: %s", lp->cfg.table,
	        lp->conflict ? "upserts in one INSERT … ON CONFLICT"
	                     : "no unique index on the key: upserts look up first");
	return rc;
}

struct load_pg *
load_pg_new(const struct load_pg_cfg *cfg, struct ep_err *err)
{
	struct load_pg *lp = calloc(1, sizeof(*lp));
	const char *kw[5] = { "dbname", "fallback_application_name", NULL, NULL, NULL };
	const char *val[5] = { cfg->conninfo, "erpipe", NULL, NULL, NULL };
	int k = 2;
	const char *dot;
	char *a = NULL, *b = NULL;

	if (lp == NULL) {
		ep_errf(err, EP_SOFTWARE, "out of memory");
		return NULL;
	}
	lp->cfg = *cfg;
	buf_init(&lp->sql, 0);
	if (cfg->password) { /* else libpq's own: PGPASSWORD, PGPASSFILE */
		kw[k] = "password";
		val[k++] = cfg->password;
	}
	/* TLS verified unless the URL or PGSSLMODE says otherwise (libpq's
	 * own default, prefer, verifies nothing; a Unix socket has no TLS) */
	if (strstr(cfg->conninfo, "sslmode") == NULL && getenv("PGSSLMODE") == NULL) {
		kw[k] = "sslmode";
		val[k++] = "verify-full";
	}
	lp->pg = PQconnectdbParams(kw, val, 1);
	if (lp->pg == NULL || PQstatus(lp->pg) != CONNECTION_OK) {
		char m[512];
		snprintf(m, sizeof(m), "%s", lp->pg ? PQerrorMessage(lp->pg) : "out of memory");
		m[strcspn(m, "\n")] = '\0';
		ep_errf(err,
		        strstr(m, "password") || strstr(m, "authentication") ? EP_NOPERM
		                                                             : EP_UNAVAILABLE,
		        "postgresql: %s", m);
		goto fail;
	}
	PQsetNoticeProcessor(lp->pg, notice, NULL);
	/* "name" or "schema.name", each quoted as an identifier */
	dot = strchr(cfg->table, '.');
	a = quote_ident(lp->pg, cfg->table, dot ? (size_t)(dot - cfg->table) : strlen(cfg->table));
	b = dot ? quote_ident(lp->pg, dot + 1, strlen(dot + 1)) : NULL;
	if (a == NULL || (dot && b == NULL))
		goto nomem;
	if ((lp->table = malloc(strlen(a) + (b ? strlen(b) + 2 : 1))) == NULL)
		goto nomem;
	sprintf(lp->table, "%s%s%s", a, b ? "." : "", b ? b : "");
	lp->regclass = strdup(lp->table);
	if ((lp->key = calloc(cfg->nkey ? cfg->nkey : 1, sizeof(*lp->key))) == NULL ||
	    lp->regclass == NULL)
		goto nomem;
	for (size_t i = 0; i < cfg->nkey; i++, lp->nkey++)
		if ((lp->key[i] = quote_ident(lp->pg, cfg->key[i], strlen(cfg->key[i]))) == NULL)
			goto nomem;
	if (read_columns(lp, err) < 0)
		goto fail;
	if (lp->cols->child == NULL) {
		if (cfg->schema_file == NULL) {
			ep_errf(err, EP_CONFIG, "table %s: not found (--schema FILE creates it)",
			        cfg->table);
			goto fail;
		}
		if (create_table(lp, err) < 0)
			goto fail;
	}
	for (size_t i = 0; i < cfg->nkey; i++)
		if (coltype(lp, cfg->key[i]) == NULL) {
			ep_errf(err, EP_USAGE, "--key '%s': table %s has no column '%s'",
			        cfg->key[i], cfg->table, cfg->key[i]);
			goto fail;
		}
	if (read_positions(lp, err) < 0 || prepare(lp, err) < 0)
		goto fail;
	free(a);
	free(b);
	return lp;
nomem:
	ep_errf(err, EP_SOFTWARE, "out of memory");
fail:
	free(a);
	free(b);
	load_pg_free(lp);
	return NULL;
}

void
load_pg_free(struct load_pg *lp)
{
	if (lp == NULL)
		return;
	if (lp->skipped)
		ep_info(0, "%s: %llu records without a key replayed, not written again",
		        lp->cfg.table, (unsigned long long)lp->skipped);
	PQfinish(lp->pg); /* an open transaction is rolled back */
	for (size_t i = 0; i < lp->nkey; i++)
		free(lp->key[i]);
	free(lp->key);
	free(lp->table);
	free(lp->regclass);
	cJSON_Delete(lp->cols);
	cJSON_Delete(lp->dbpos);
	cJSON_Delete(lp->replay);
	buf_release(&lp->sql);
	free(lp);
}

/* ---- the operations --------------------------------------------------- */

static int
lp_check(void *t, struct load_item *it, struct load_error *e)
{
	struct load_pg *lp = t;

	for (const cJSON *f = it->rec->child; f; f = f->next)
		if (coltype(lp, f->string) == NULL)
			return load_errf(e, EP_DATAERR, NULL, "'%s': table %s has no such column",
			                 f->string, lp->cfg.table);
	/* the statements match rows on the --key columns */
	if (it->key) {
		const cJSON *k = it->key->child;
		size_t i = 0;
		for (; k && i < lp->cfg.nkey && strcmp(k->string, lp->cfg.key[i]) == 0; k = k->next)
			i++;
		if (k || i != lp->cfg.nkey)
			return load_errf(e, EP_DATAERR, NULL,
			                 "_key: pg matches on the --key columns");
	}
	if (it->key == NULL && lp->replay->child) {
		it->status = LOAD_UNCHANGED; /* a replay: the table has it */
		lp->skipped++;
	}
	return 0;
}

/* ---- staging: COPY into erpipe_in ------------------------------------- */

/* Start the COPY in lp->sql. */
static int
exec_copy_start(struct load_pg *lp, struct load_error *e)
{
	PGresult *r = PQexec(lp->pg, buf_str(&lp->sql));
	int rc = 0;

	ep_info(3, "postgresql: %s", buf_str(&lp->sql));
	if (r == NULL || PQresultStatus(r) != PGRES_COPY_IN)
		rc = pg_error(lp, r, e);
	PQclear(r);
	return rc;
}

/* A value in COPY's text format: \N for null, t/f, numbers as JSON writes
 * them, strings and JSON texts with \\, tab, newline and CR escaped. */
static int
copy_value(struct buf *b, const cJSON *v)
{
	char num[64];
	const char *s;
	char *json = NULL;
	int rc = 0;

	if (v == NULL || cJSON_IsNull(v))
		return buf_adds(b, "\\N");
	if (cJSON_IsBool(v))
		return buf_addc(b, cJSON_IsTrue(v) ? 't' : 'f');
	if (cJSON_IsNumber(v)) /* exactly: cJSON's printer rounds to 15 digits */
		return json_tree_number(v->valuedouble, num, sizeof(num)) > 0 ? buf_adds(b, num)
		                                                              : -1;
	if (cJSON_IsString(v))
		s = v->valuestring;
	else if ((s = json = json_tree_print(v)) == NULL)
		return -1;
	for (; *s && rc == 0; s++)
		rc = *s == '\\'   ? buf_adds(b, "\\\\")
		     : *s == '\t' ? buf_adds(b, "\\t")
		     : *s == '\n' ? buf_adds(b, "\\n")
		     : *s == '\r' ? buf_adds(b, "\\r")
		                  : buf_addc(b, *s);
	free(json);
	return rc;
}

/* The value of column c for an item: its fields (from pick), else its id
 * or key (the key columns). */
static const cJSON *
item_value(const struct load_item *it, const cJSON *fields, const char *c)
{
	const cJSON *v = fields ? cJSON_GetObjectItemCaseSensitive(fields, c) : NULL;

	if (v == NULL && it->id)
		v = cJSON_GetObjectItemCaseSensitive(it->id, c);
	if (v == NULL && it->key)
		v = cJSON_GetObjectItemCaseSensitive(it->key, c);
	return v;
}

/* Open the statement's savepoint (sp_begin) and COPY its[0..n) into
 * erpipe_in: the columns named by cols (an object), the item's ordinal + 1
 * in erpipe_o. */
static int
stage_rows(struct load_pg *lp, struct load_item *const *its, size_t n, const cJSON *cols,
           const cJSON *(*pick)(const struct load_item *), struct load_error *e)
{
	struct buf row = BUF_INIT;
	PGresult *r;
	int rc = 0;

	if (sp_begin(lp, e) < 0 || exec(lp, "TRUNCATE erpipe_in", NULL, NULL, e) < 0)
		return -1;
	buf_reset(&lp->sql);
	buf_adds(&lp->sql, "COPY erpipe_in (");
	for (const cJSON *c = cols->child; c; c = c->next)
		buf_addf(&lp->sql, "%s, ", c->valuestring);
	buf_adds(&lp->sql, "erpipe_o) FROM STDIN");
	if (exec_copy_start(lp, e) < 0)
		return -1;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const cJSON *f = pick ? pick(its[i]) : NULL;
		buf_reset(&row);
		for (const cJSON *c = cols->child; rc == 0 && c; c = c->next)
			if (copy_value(&row, item_value(its[i], f, c->string)) < 0 ||
			    buf_addc(&row, '\t') < 0)
				rc = oom(e);
		if (rc == 0 && (buf_addf(&row, "%zu\n", i + 1) < 0 ||
		                PQputCopyData(lp->pg, row.p, (int)row.len) != 1))
			rc = row.len ? load_errf(e, EP_UNAVAILABLE, NULL, "postgresql: %s",
			                         PQerrorMessage(lp->pg))
			             : oom(e);
	}
	buf_release(&row);
	if (PQputCopyEnd(lp->pg, rc ? "erpipe: cancelled" : NULL) != 1 && rc == 0)
		rc = load_errf(e, EP_UNAVAILABLE, NULL, "postgresql: %s", PQerrorMessage(lp->pg));
	while ((r = PQgetResult(lp->pg)) != NULL) {
		if (rc == 0 && PQresultStatus(r) != PGRES_COMMAND_OK)
			rc = pg_error(lp, r, e);
		PQclear(r);
	}
	return rc;
}

/* The columns an item writes: pick's fields and the key's, quoted, as an
 * object name -> "quoted". */
static cJSON *
columns_of(struct load_pg *lp, const cJSON *fields, int with_key)
{
	cJSON *cols = cJSON_CreateObject();

	for (size_t i = 0; cols && with_key && i < lp->cfg.nkey; i++)
		if (!cJSON_AddStringToObject(cols, lp->cfg.key[i], lp->key[i]))
			goto nomem;
	for (const cJSON *f = fields ? fields->child : NULL; cols && f; f = f->next) {
		char *q;
		if (cJSON_GetObjectItemCaseSensitive(cols, f->string))
			continue;
		if ((q = quote_ident(lp->pg, f->string, strlen(f->string))) == NULL ||
		    !cJSON_AddStringToObject(cols, f->string, q)) {
			free(q);
			goto nomem;
		}
		free(q);
	}
	return cols;
nomem:
	cJSON_Delete(cols);
	return NULL;
}

static const cJSON *
pick_rec(const struct load_item *it)
{
	return it->rec;
}

static const cJSON *
pick_written(const struct load_item *it)
{
	return load_item_written(it);
}

/* "t.k1 = x.k1 AND …" */
static void
add_key_match(struct load_pg *lp, const char *a, const char *b)
{
	for (size_t i = 0; i < lp->nkey; i++)
		buf_addf(&lp->sql, "%s%s.%s = %s.%s", i ? " AND " : "", a, lp->key[i], b,
		         lp->key[i]);
}

/* "c1, c2" of cols, each prefixed with pre ("x." or "") */
static void
add_cols(struct load_pg *lp, const cJSON *cols, const char *pre, int skip_key)
{
	int first = 1;

	for (const cJSON *c = cols->child; c; c = c->next) {
		int is_key = 0;
		for (size_t i = 0; i < lp->cfg.nkey; i++)
			is_key |= strcmp(c->string, lp->cfg.key[i]) == 0;
		if (skip_key && is_key)
			continue;
		buf_addf(&lp->sql, "%s%s%s", first ? "" : ", ", pre, c->valuestring);
		first = 0;
	}
}

/* Each result row (o, to_jsonb of the row or NULL, and for an upsert
 * whether it was inserted) to its item: the row as it->current (lookup) or
 * as its tdata for the read back; the key's values as it->id. */
static int
take_rows(struct load_pg *lp, PGresult *r, struct load_item *const *its, size_t n, int lookup,
          struct load_error *e)
{
	for (int i = 0; i < PQntuples(r); i++) {
		long o = strtol(PQgetvalue(r, i, 0), NULL, 10);
		struct load_item *it;
		cJSON *row = NULL, *id;
		if (o < 1 || (size_t)o > n)
			continue;
		it = its[o - 1];
		if (!PQgetisnull(r, i, 1) && (row = cJSON_Parse(PQgetvalue(r, i, 1))) == NULL)
			return oom(e);
		if (PQnfields(r) > 2) /* an upsert: inserted, or updated (else unchanged) */
			it->status = PQgetvalue(r, i, 2)[0] == 't' ? LOAD_PENDING : LOAD_UPDATED;
		if (lp->cfg.nkey) {
			if ((id = cJSON_CreateObject()) == NULL) {
				cJSON_Delete(row);
				return oom(e);
			}
			for (size_t k = 0; k < lp->cfg.nkey; k++) {
				const cJSON *v = item_value(it, row, lp->cfg.key[k]);
				cJSON_AddItemToObject(id, lp->cfg.key[k],
				                      v ? cJSON_Duplicate(v, 1)
				                        : cJSON_CreateNull());
			}
			cJSON_Delete(it->id);
			it->id = id;
		}
		if (lookup) {
			cJSON_Delete(it->current);
			it->current = row;
		} else {
			cJSON_Delete(it->tdata);
			it->tdata = row;
		}
	}
	return 0;
}

/* Run the statement in lp->sql over what was staged, end the savepoint,
 * and hand its rows to the items. */
static int
run_staged(struct load_pg *lp, struct load_item *const *its, size_t n, int lookup,
           struct load_error *e)
{
	PGresult *r = NULL;
	int rc = exec(lp, buf_str(&lp->sql), NULL, &r, e);

	if (sp_end(lp, rc == 0, e) < 0)
		rc = -1;
	if (rc == 0)
		rc = take_rows(lp, r, its, n, lookup, e);
	PQclear(r);
	return rc;
}

/* The upserts that go in one INSERT … ON CONFLICT, without a lookup:
 * not --dry-run (whose plan needs the lookup) and a unique index on the
 * key. */
static int
direct(const struct load_pg *lp, const struct load_item *it)
{
	return lp->conflict && !lp->cfg.dry_run && it->op == LOAD_UPSERT;
}

static int
lp_lookup(void *t, struct load_item *const *in, size_t n, struct load_error *e)
{
	struct load_pg *lp = t;
	struct load_item **its = malloc((n ? n : 1) * sizeof(*its));
	cJSON *cols = columns_of(lp, NULL, 1);
	size_t k = 0;
	int rc = 0;

	if (its == NULL || cols == NULL)
		rc = oom(e);
	for (size_t i = 0; rc == 0 && i < n; i++)
		if (!direct(lp, in[i]))
			its[k++] = in[i];
	if (rc == 0 && k > 0 && stage_rows(lp, its, k, cols, NULL, e) < 0)
		rc = sp_end(lp, 0, e);
	if (rc == 0 && k > 0) {
		buf_reset(&lp->sql);
		buf_addf(&lp->sql, "SELECT x.erpipe_o, to_jsonb(t) FROM erpipe_in x JOIN %s t ON ",
		         lp->table);
		add_key_match(lp, "t", "x");
		rc = run_staged(lp, its, k, 1, e);
	}
	cJSON_Delete(cols);
	free(its);
	return rc;
}

/* The items of its whose written fields are those of its[0], moved to the
 * front: one statement writes them.  Returns how many. */
static size_t
same_fields_first(struct load_item **its, size_t n, const cJSON *(*pick)(const struct load_item *))
{
	size_t k = 1;

	for (size_t i = 1; i < n; i++) {
		const cJSON *a = pick(its[0])->child, *b = pick(its[i])->child;
		while (a && b && strcmp(a->string, b->string) == 0)
			a = a->next, b = b->next;
		if (a == NULL && b == NULL) {
			struct load_item *x = its[k];
			its[k++] = its[i];
			its[i] = x;
		}
	}
	return k;
}

/* The statement of a write over erpipe_in x: 'c' create, 'u' upsert (one
 * INSERT … ON CONFLICT), 'p' update, 'd' delete. */
static void
write_sql(struct load_pg *lp, const cJSON *cols, char what)
{
	const char *row = lp->cfg.verify ? "to_jsonb(t)" : "NULL";

	buf_reset(&lp->sql);
	switch (what) {
	case 'c':
		buf_addf(&lp->sql, "WITH w AS (INSERT INTO %s AS t (", lp->table);
		add_cols(lp, cols, "", 0);
		buf_adds(&lp->sql, ") SELECT ");
		add_cols(lp, cols, "x.", 0);
		buf_addf(&lp->sql,
		         " FROM erpipe_in x ORDER BY x.erpipe_o RETURNING %s AS r) "
		         "SELECT row_number() OVER (), r FROM w",
		         row);
		break;
	case 'u':
		buf_addf(&lp->sql, "WITH w AS (INSERT INTO %s AS t (", lp->table);
		add_cols(lp, cols, "", 0);
		buf_adds(&lp->sql, ") SELECT ");
		add_cols(lp, cols, "x.", 0);
		buf_adds(&lp->sql, " FROM erpipe_in x ON CONFLICT (");
		for (size_t i = 0; i < lp->nkey; i++)
			buf_addf(&lp->sql, "%s%s", i ? ", " : "", lp->key[i]);
		if ((size_t)cJSON_GetArraySize(cols) == lp->nkey)
			buf_adds(&lp->sql, ") DO NOTHING");
		else {
			buf_adds(&lp->sql, ") DO UPDATE SET (");
			add_cols(lp, cols, "", 1);
			buf_adds(&lp->sql, ") = ROW(");
			add_cols(lp, cols, "excluded.", 1);
			buf_adds(&lp->sql, ") WHERE (");
			add_cols(lp, cols, "t.", 1);
			buf_adds(&lp->sql, ") IS DISTINCT FROM (");
			add_cols(lp, cols, "excluded.", 1);
			buf_adds(&lp->sql, ")");
		}
		buf_adds(&lp->sql, " RETURNING ");
		for (size_t i = 0; i < lp->nkey; i++)
			buf_addf(&lp->sql, "t.%s, ", lp->key[i]);
		buf_addf(&lp->sql,
		         "%s AS r, xmax = 0 AS inserted) SELECT x.erpipe_o, w.r, "
		         "w.inserted FROM w JOIN erpipe_in x ON ",
		         row);
		add_key_match(lp, "w", "x");
		break;
	case 'p':
		buf_addf(&lp->sql, "UPDATE %s t SET (", lp->table);
		add_cols(lp, cols, "", 1);
		buf_adds(&lp->sql, ") = ROW(");
		add_cols(lp, cols, "x.", 1);
		buf_adds(&lp->sql, ") FROM erpipe_in x WHERE ");
		add_key_match(lp, "t", "x");
		buf_addf(&lp->sql, " RETURNING x.erpipe_o, %s", row);
		break;
	default:
		buf_addf(&lp->sql, "DELETE FROM %s t USING erpipe_in x WHERE ", lp->table);
		add_key_match(lp, "t", "x");
		buf_adds(&lp->sql, " RETURNING x.erpipe_o, NULL");
	}
}

/* Write its[0..n): a statement for each set of fields. */
static int
write_sets(struct load_pg *lp, struct load_item *const *in, size_t n, char what,
           struct load_error *e)
{
	struct load_item **its = malloc((n ? n : 1) * sizeof(*its));
	const cJSON *(*pick)(const struct load_item *) = what == 'p' ? pick_written : pick_rec;
	int rc = 0;

	if (its == NULL)
		return oom(e);
	memcpy(its, in, n * sizeof(*its));
	for (size_t from = 0; rc == 0 && from < n;) {
		size_t k = what == 'd' ? n - from : same_fields_first(its + from, n - from, pick);
		char w = what == 'c' && direct(lp, its[from]) ? 'u' : what;
		cJSON *cols = columns_of(lp, what == 'd' ? NULL : pick(its[from]),
		                         what != 'c' || lp->cfg.nkey);
		/* a set is all direct upserts or none: split where that changes */
		for (size_t i = from + 1; what == 'c' && i < from + k; i++)
			if (direct(lp, its[i]) != (w == 'u')) {
				k = i - from;
				break;
			}
		if (cols == NULL)
			rc = oom(e);
		else if (stage_rows(lp, its + from, k, cols, what == 'd' ? NULL : pick, e) < 0)
			rc = sp_end(lp, 0, e);
		else {
			write_sql(lp, cols, w);
			rc = run_staged(lp, its + from, k, 0, e);
		}
		/* an upsert a row was not returned for was the same: unchanged */
		for (size_t i = from; rc == 0 && w == 'u' && i < from + k; i++)
			if (its[i]->status == LOAD_PENDING && its[i]->id == NULL) {
				its[i]->status = LOAD_UNCHANGED;
				if ((its[i]->id = cJSON_Duplicate(its[i]->key, 1)) == NULL)
					rc = oom(e);
			}
		cJSON_Delete(cols);
		from += k;
	}
	free(its);
	return rc;
}

static int
lp_create(void *t, struct load_item *const *its, size_t n, struct load_error *e)
{
	return write_sets(t, its, n, 'c', e);
}

static int
lp_update(void *t, struct load_item *const *its, size_t n, struct load_error *e)
{
	return write_sets(t, its, n, 'p', e);
}

static int
lp_remove(void *t, struct load_item *const *its, size_t n, struct load_error *e)
{
	return write_sets(t, its, n, 'd', e);
}

/* Numbers numerically, times as instants, JSON as JSON. */
static int
lp_same(void *t, const struct load_item *it, const char *field, const cJSON *given,
        const cJSON *cur)
{
	struct load_pg *lp = t;
	const char *type = coltype(lp, field);
	struct dt_time a, b;

	(void)it;
	if (cur == NULL)
		return cJSON_IsNull(given);
	if (cJSON_IsNumber(given) && cJSON_IsNumber(cur))
		return given->valuedouble == cur->valuedouble;
	if (cJSON_IsNumber(given) && cJSON_IsString(cur)) /* a numeric column as text */
		return strtod(cur->valuestring, NULL) == given->valuedouble;
	if (cJSON_IsString(given) && cJSON_IsString(cur) && type &&
	    (strncmp(type, "timestamp", 9) == 0 || strcmp(type, "date") == 0) &&
	    dt_parse(given->valuestring, strlen(given->valuestring), "UTC", &a) == 0 &&
	    dt_parse(cur->valuestring, strlen(cur->valuestring), "UTC", &b) == 0)
		return a.sec == b.sec && a.nsec == b.nsec;
	return json_tree_equal(given, cur);
}

/* What the writes returned is what the table holds: no statement. */
static int
lp_readback(void *t, struct load_item *const *its, size_t n, struct load_error *e)
{
	(void)t;
	for (size_t i = 0; i < n; i++)
		if (its[i]->tdata && load_item_stored(its[i], its[i]->tdata, NULL, NULL) < 0)
			return oom(e);
	return 0;
}

static enum load_class
lp_classify(void *t, const struct load_error *e)
{
	(void)t;
	return e->err.code == EP_DATAERR ? LOAD_ERR_RECORD : LOAD_ERR_FATAL;
}

static void
lp_item_free(void *t, struct load_item *it)
{
	(void)t;
	cJSON_Delete(it->tdata);
	it->tdata = NULL;
}

/* The checkpoint's position goes in with the rows: one transaction. */
static int
lp_commit(void *t, const char *stream, const cJSON *pos, struct load_error *e)
{
	struct load_pg *lp = t;
	char *p;
	int rc;

	if (stream && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(lp->replay, stream))) {
		const cJSON *db = cJSON_GetObjectItemCaseSensitive(lp->dbpos, stream);
		if (!cJSON_Compare(pos, db, 1) && !state_pos_older(pos, db))
			return load_errf(
				e, EP_DATAERR, NULL,
				"%s: a checkpoint past the table's position, not at it: which "
				"records without a key before it are in %s cannot be told "
				"(give them a --key)",
				stream, lp->cfg.table);
		if (cJSON_Compare(pos, db, 1))
			cJSON_DeleteItemFromObjectCaseSensitive(lp->replay, stream);
	}
	if (stream) {
		if ((p = json_tree_print(pos)) == NULL)
			return oom(e);
		buf_reset(&lp->sql);
		buf_adds(&lp->sql, "INSERT INTO " STATE_TABLE " (stream, pos) VALUES (");
		{
			char *s = PQescapeLiteral(lp->pg, stream, strlen(stream));
			buf_adds(&lp->sql, s ? s : "NULL");
			PQfreemem(s);
		}
		buf_adds(&lp->sql, ", $1::jsonb) ON CONFLICT (stream) DO UPDATE SET pos = "
		                   "excluded.pos, committed_at = now()");
		rc = txn_exec(lp, buf_str(&lp->sql), p, NULL, e);
		free(p);
		if (rc < 0)
			return -1;
	}
	if (!lp->in_txn)
		return 0;
	lp->in_txn = 0;
	return exec(lp, "COMMIT", NULL, NULL, e);
}

const struct load_target load_pg_target = {
	.system = "pg",
	.check = lp_check,
	.lookup = lp_lookup,
	.same = lp_same,
	.create = lp_create,
	.update = lp_update,
	.remove = lp_remove,
	.classify = lp_classify,
	.item_free = lp_item_free,
	.readback = lp_readback,
	.commit = lp_commit,
};
