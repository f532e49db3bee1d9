/*
 * extract_shard.c - --shard K/N and shard plans (extract.h): key ranges,
 * the plan's lines, and reading a plan back.
 */
#include "connect/extract.h"

#include <stdlib.h>
#include <string.h>

#include "stream/json_tree.h"
#include "base/text.h"

/* ---- --shard ------------------------------------------------------------ */

int
extract_shard_parse(const char *s, int *k, int *n, struct ep_err *err)
{
	const char *slash = strchr(s, '/');
	char a[32];
	long kk, nn;

	if (slash == NULL || (size_t)(slash - s) >= sizeof(a))
		goto bad;
	memcpy(a, s, (size_t)(slash - s));
	a[slash - s] = '\0';
	if (ep_parse_long(a, 1, 1000, &kk) < 0 || ep_parse_long(slash + 1, 1, 1000, &nn) < 0 ||
	    kk > nn)
		goto bad;
	*k = (int)kk;
	*n = (int)nn;
	return 0;
bad:
	return ep_errf(err, EP_USAGE, "bad --shard '%s': expected K/N with 1 <= K <= N <= 1000", s);
}

void
extract_shard_range(int64_t min, int64_t max, int k, int n, int64_t *lo, int64_t *hi)
{
	__int128 size = (__int128)max - min + 1;

	if (size < 1)
		size = 1;
	*lo = k == 1 ? INT64_MIN : (int64_t)(min + size * (k - 1) / n);
	*hi = k == n ? INT64_MAX : (int64_t)(min + size * k / n - 1);
}

int
extract_shard_check(const struct extract_cfg *c, struct ep_err *err)
{
	if (c->shard_plan && (c->shard_n || c->follow || c->count || c->describe || c->singer))
		return ep_errf(err, EP_USAGE,
		               "--shard-plan cannot go with --shard, --follow, "
		               "--count, --describe or --singer");
	if (c->shard_plan_file && !c->shard_n)
		return ep_errf(err, EP_USAGE, "--shard-plan-file wants --shard K/N");
	return 0;
}

int
extract_shard_plan_emit(struct extract_out *o, const char *base_stream, int k, int n,
                        const char *field, const cJSON *ge, const cJSON *lt, int empty,
                        struct ep_err *err)
{
	struct buf *b = &o->line;
	char sh[32];
	int r;

	snprintf(sh, sizeof(sh), "%d/%d", k, n);
	buf_reset(b);
	r = buf_adds(b, "{\"shard\":\"");
	r |= buf_adds(b, sh);
	r |= buf_adds(b, "\",\"stream\":");
	r |= json_quote(b, base_stream, strlen(base_stream));
	/* the stream the shard checkpoints under: odoo:P:M#K/N */
	if (b->len)
		b->len--; /* the closing quote */
	r |= buf_addf(b, "#%s\",\"field\":", sh);
	r |= json_quote(b, field, strlen(field));
	if (ge) {
		r |= buf_adds(b, ",\"ge\":");
		r |= json_tree_print_buf(b, ge);
	}
	if (lt) {
		r |= buf_adds(b, ",\"lt\":");
		r |= json_tree_print_buf(b, lt);
	}
	if (empty)
		r |= buf_adds(b, ",\"empty\":true");
	r |= buf_addc(b, '}');
	if (r < 0)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	if (ndjson_write(&o->w, b->p, b->len) < 0)
		return extract_out_ok(o, err);
	return 0;
}

int
extract_shard_plan_ids(struct extract_out *o, const char *base_stream, int64_t min, int64_t max,
                       int n, const char *field, struct ep_err *err)
{
	for (int k = 1; k <= n; k++) {
		int64_t lo, hi;
		cJSON *ge = NULL, *lt = NULL;
		int r;

		extract_shard_range(min, max, k, n, &lo, &hi);
		if (lo != INT64_MIN)
			ge = cJSON_CreateNumber((double)lo);
		if (hi != INT64_MAX)
			lt = cJSON_CreateNumber((double)hi + 1);
		r = extract_shard_plan_emit(o, base_stream, k, n, field, ge, lt,
		                            lo != INT64_MIN && hi != INT64_MAX && lo > hi, err);
		cJSON_Delete(ge);
		cJSON_Delete(lt);
		if (r < 0)
			return -1;
		if (o->w.epipe)
			return 0;
	}
	return extract_out_ok(o, err);
}

void
extract_shard_bounds_free(struct extract_shard_bounds *b)
{
	free(b->field);
	cJSON_Delete(b->ge);
	cJSON_Delete(b->lt);
	memset(b, 0, sizeof(*b));
}

/* One plan line into b when its stream is `stream`: 1 taken, 0 another
 * shard's, -1 not a plan line (err). */
static int
plan_line(const struct ndjson_line *ln, const char *file, const char *stream,
          struct extract_shard_bounds *b, struct ep_err *err)
{
	struct json_tree_err je = { NULL, 0, BUF_INIT };
	cJSON *v = json_tree_parse(ln->p, ln->len, &je);
	const cJSON *st, *f, *ge, *lt, *em;
	const char *why = NULL;
	int r = 0;

	buf_release(&je.path);
	if (v == NULL)
		return ep_errf(err, EP_DATAERR, "%s:%llu: not a shard plan line: %s", file,
		               (unsigned long long)ln->lineno, je.why ? je.why : "bad JSON");
	st = cJSON_GetObjectItemCaseSensitive(v, "stream");
	f = cJSON_GetObjectItemCaseSensitive(v, "field");
	ge = cJSON_GetObjectItemCaseSensitive(v, "ge");
	lt = cJSON_GetObjectItemCaseSensitive(v, "lt");
	em = cJSON_GetObjectItemCaseSensitive(v, "empty");
	if (!cJSON_IsObject(v))
		why = "not an object";
	else if (!cJSON_IsString(st) || !cJSON_IsString(f) || f->valuestring[0] == '\0')
		why = "wants \"stream\" and \"field\" strings";
	else if ((ge && !(cJSON_IsNumber(ge) || cJSON_IsString(ge))) ||
	         (lt && !(cJSON_IsNumber(lt) || cJSON_IsString(lt))))
		why = "\"ge\" and \"lt\" are numbers or strings";
	else if (em && !cJSON_IsBool(em))
		why = "\"empty\" is true or false";
	if (why) {
		cJSON_Delete(v);
		return ep_errf(err, EP_DATAERR, "%s:%llu: not a shard plan line: %s", file,
		               (unsigned long long)ln->lineno, why);
	}
	if (strcmp(st->valuestring, stream) == 0) {
		if (b->field)
			r = ep_errf(err, EP_DATAERR, "%s:%llu: a second line for %s", file,
			            (unsigned long long)ln->lineno, stream);
		else {
			b->field = strdup(f->valuestring);
			b->ge = ge ? cJSON_Duplicate(ge, 1) : NULL;
			b->lt = lt ? cJSON_Duplicate(lt, 1) : NULL;
			b->empty = cJSON_IsTrue(em);
			r = b->field && (!ge || b->ge) && (!lt || b->lt)
			            ? 1
			            : ep_errf(err, EP_SOFTWARE, "out of memory");
		}
	}
	cJSON_Delete(v);
	return r;
}

int
extract_shard_plan_read(const char *file, const char *stream, struct extract_shard_bounds *b,
                        struct ep_err *err)
{
	struct ndjson_reader rd;
	struct ndjson_line ln;
	enum ndjson_kind kind;
	int rc = 0;

	memset(b, 0, sizeof(*b));
	if (ndjson_open(&rd, file, 64u << 10, err) < 0)
		return -1;
	while (rc >= 0 && (kind = ndjson_next(&rd, &ln, err)) != NDJ_EOF) {
		if (kind == NDJ_ERROR)
			rc = -1;
		else if (kind == NDJ_TOO_LONG)
			rc = ep_errf(err, EP_DATAERR, "%s:%llu: not a shard plan line: too long",
			             file, (unsigned long long)ln.lineno);
		else if (plan_line(&ln, file, stream, b, err) < 0)
			rc = -1;
	}
	ndjson_close(&rd);
	if (rc == 0 && b->field == NULL)
		rc = ep_errf(err, EP_DATAERR,
		             "%s: no shard %s in the plan (made for another entity, profile or "
		             "number of shards?)",
		             file, stream);
	if (rc < 0)
		extract_shard_bounds_free(b);
	return rc;
}

static int
bound_id(const cJSON *v, int64_t *out)
{
	double d;

	if (!cJSON_IsNumber(v))
		return -1;
	d = v->valuedouble;
	if (!(d >= -9007199254740992.0 && d <= 9007199254740992.0) || d != (double)(int64_t)d)
		return -1;
	*out = (int64_t)d;
	return 0;
}

int
extract_shard_bounds_ids(const struct extract_shard_bounds *b, const char *file, int64_t *lo,
                         int64_t *hi, struct ep_err *err)
{
	int64_t lt;

	*lo = INT64_MIN;
	*hi = INT64_MAX;
	if ((b->ge && bound_id(b->ge, lo) < 0) || (b->lt && bound_id(b->lt, &lt) < 0))
		return ep_errf(err, EP_DATAERR, "%s: the bounds of %s are not whole numbers", file,
		               b->field);
	if (b->lt)
		*hi = lt - 1;
	if (b->empty) {
		*lo = 1;
		*hi = 0;
	}
	return 0;
}
