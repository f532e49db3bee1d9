/*
 * t-bng: lib/bng - page parsing for every page style and envelope, the Link
 * header, BNG's error answers and field paths, the URL rules, the pager
 * against tests/sandbox/scripted.py (what it asked for, when it stopped),
 * and --describe's JSON Schema from examples/bng/openapi.json.
 */
#include "tap.h"
#include "proto/bng.h"
#include "base/err.h"

#include "scripted.h"

static int
page(const struct bng_list *l, const char *body, const char *link, int *n, char **next)
{
	struct ep_err e = EP_ERR_INIT;
	cJSON *items = NULL;
	int rc = bng_page_parse(l, body, strlen(body), link, &items, next, &e);

	*n = rc == 0 ? cJSON_GetArraySize(items) : -1;
	if (rc < 0)
		diag("%s", e.msg);
	cJSON_Delete(items);
	return rc;
}

static void
t_pages(void)
{
	struct bng_list l = { 0 };
	char *next = NULL;
	int n;

	ok(page(&l, "{\"data\":[{\"a\":1},{\"a\":2}],\"next_cursor\":\"c2\"}", NULL, &n, &next) ==
	                   0 &&
	           n == 2 && next && strcmp(next, "c2") == 0,
	   "cursor page: items and next_cursor");
	free(next);
	ok(page(&l, "{\"data\":[],\"next_cursor\":null}", NULL, &n, &next) == 0 && n == 0 &&
	           next == NULL,
	   "last page: next_cursor null");
	ok(page(&l, "{\"data\":[1],\"next_cursor\":42}", NULL, &n, &next) == 0 && next &&
	           strcmp(next, "42") == 0,
	   "a numeric cursor");
	free(next);
	l.items_path = "result.items";
	l.next_path = "/result/paging/next";
	ok(page(&l, "{\"result\":{\"items\":[1,2,3],\"paging\":{\"next\":\"x/y\"}}}", NULL, &n,
	        &next) == 0 &&
	           n == 3 && next && strcmp(next, "x/y") == 0,
	   "another envelope: dotted items path, pointer next path");
	free(next);
	l.items_path = "";
	l.next_path = NULL;
	l.style = BNG_PAGE_LINK;
	ok(page(&l, "[{\"a\":1}]",
	        "<https://h/x?p=1>; rel=\"prev\", <https://h/x?p=3>; rel=\"next last\"", &n,
	        &next) == 0 &&
	           n == 1 && next && strcmp(next, "https://h/x?p=3") == 0,
	   "a bare array and the Link header's rel=next");
	free(next);
	ok(page(&l, "[]", "<https://h/x?p=1>; rel=prev", &n, &next) == 0 && next == NULL,
	   "no rel=next: the end");
	l.items_path = "data";
	l.style = BNG_PAGE_CURSOR;
	ok(page(&l, "{\"items\":[]}", NULL, &n, &next) == -1, "no array at the items path: error");
	ok(page(&l, "{\"data\":[1],\"next_cursor\":{}}", NULL, &n, &next) == -1,
	   "a cursor that is an object: error");
	ok(page(&l, "<html>", NULL, &n, &next) == -1, "not JSON: error");
}

static void
t_errors(void)
{
	const char *b = "{\"error\":{\"code\":\"validation_error\",\"message\":\"2 fields\","
			"\"fields\":{\"Email\":\"not a valid email address\","
			"\"LineItems[2].Quantity\":\"must be greater than 0\",\"a/b~c\":\"x\","
			"\"(body)\":\"must be an object\"}}}";
	const char *c =
		"{\"error\":{\"code\":\"conflict\",\"message\":\"dup\",\"existing_id\":17}}";
	struct bng_error e;
	struct http_resp r;
	struct ep_err err = EP_ERR_INIT;

	ok(bng_error_parse(b, strlen(b), &e) == 0 && e.nfields == 4, "error with four fields");
	is_str(e.code, "validation_error", "code");
	is_str(e.fields[0].path, "/Email", "field path as a JSON Pointer");
	is_str(e.fields[1].path, "/LineItems/2/Quantity", "nested field with an index");
	is_str(e.fields[1].message, "must be greater than 0", "its message");
	is_str(e.fields[2].path, "/a~1b~0c", "escapes");
	is_str(e.fields[3].path, "", "(body) is the whole record");
	bng_error_release(&e);
	ok(bng_error_parse(c, strlen(c), &e) == 0 && e.existing_id == 17, "conflict: existing_id");
	bng_error_release(&e);
	ok(bng_error_parse("nope", 4, &e) == -1 && e.code == NULL, "not an error answer");

	http_resp_init(&r);
	r.status = 400;
	buf_adds(&r.body, b);
	ok(bng_check(&r, "POST", "http://h/api/v1/customers", &err) == -1 && err.code == EP_DATAERR,
	   "400: 65");
	is_str(err.msg, "POST http://h/api/v1/customers: HTTP 400 validation_error: 2 fields",
	       "message with BNG's code and message");
	r.status = 404;
	buf_reset(&r.body);
	buf_adds(&r.body, "<html>\n<h1>gone</h1>");
	ok(bng_check(&r, "GET", "u", &err) == -1 && err.code == EP_NOINPUT, "404: 66");
	is_str(err.msg, "GET u: HTTP 404 <html> <h1>gone</h1>",
	       "a body that is not BNG's, on one line");
	r.status = 401;
	ok(bng_check(&r, "GET", "u", &err) == -1 && err.code == EP_NOPERM, "401: 77");
	r.status = 204;
	ok(bng_check(&r, "GET", "u", &err) == 0, "2xx: fine");
	http_resp_release(&r);
}

static void
t_urls(void)
{
	struct http_opts ho;
	struct bng_conn c = { 0 };
	struct ep_err e = EP_ERR_INIT;
	struct bng *b;
	struct buf u = BUF_INIT;

	http_opts_init(&ho);
	c.url = "http://127.0.0.1:9";
	c.auth = "token";
	c.secret = "tok";
	b = bng_open(&c, &ho, &e);
	is_str(b ? bng_api(b) : NULL, "http://127.0.0.1:9/api/v1",
	       "a bare server URL gets /api/v1");
	bng_url(b, &u, "customers", "limit=5");
	is_str(u.p, "http://127.0.0.1:9/api/v1/customers?limit=5", "resource URL");
	bng_close(b);
	c.url = "https://shop.example/bng/v2/";
	b = bng_open(&c, &ho, &e);
	is_str(b ? bng_api(b) : NULL, "https://shop.example/bng/v2",
	       "a URL with a path is the root");
	bng_close(b);
	c.url = "ftp://x";
	ok(bng_open(&c, &ho, &e) == NULL && e.code == EP_CONFIG, "ftp: 78");
	c.url = "http://h";
	c.auth = "password";
	ok(bng_open(&c, &ho, &e) == NULL && e.code == EP_CONFIG, "unknown auth: 78");
	c.auth = NULL;
	ok(bng_open(&c, &ho, &e) == NULL && e.code == EP_CONFIG && strstr(e.msg, "client id"),
	   "oauth without a client id: 78");
	buf_reset(&u);
	bng_query_escape(&u, "2026-01-01T00:00:00.5+01:00 &x");
	is_str(u.p, "2026-01-01T00:00:00.5%2B01:00%20%26x", "query escaping");
	buf_release(&u);
	ok(bng_resource_find("gl_entries") &&
	           strcmp(bng_resource_find("gl_entries")->id, "GLEntryID") == 0,
	   "resource table");
	ok(bng_resource_by_event("sales_order.created", 19) &&
	           strcmp(bng_resource_by_event("sales_order.created", 19)->path, "sales_orders") ==
	                   0,
	   "event type to resource");
	ok(bng_resource_by_event("sales.created", 13) == NULL, "unknown event type");
}

/* the pager against scripted answers: what it asks and when it stops */
static void
t_pager(void)
{
	struct http_opts ho;
	struct bng_conn c = { 0 };
	struct bng_list l = { 0 };
	struct ep_err e = EP_ERR_INIT;
	struct bng *b;
	struct bng_pager *p;
	cJSON *items, *log;
	int total = 0, r;
	char script[2048];

	http_opts_init(&ho);
	ho.clock = &fake;
	ho.retry.max_retries = 2;
	srv_start("["
	          "{\"body_json\": {\"data\": [1, 2], \"next_cursor\": \"a b\"}},"
	          "{\"status\": 429, \"headers\": {\"Retry-After\": \"3\"}},"
	          "{\"body_json\": {\"data\": [3], \"next_cursor\": null}},"
	          "{\"body_json\": {\"data\": [1, 2]}}, {\"body_json\": {\"data\": [3]}},"
	          "{\"body_json\": [1, 2], \"headers\": {\"Link\": \"</api/v1/x?after=2>; "
	          "rel=\\\"next\\\"\"}},"
	          "{\"body_json\": [3]}"
	          "]");
	c.url = url("");
	c.auth = "token";
	c.secret = "tok";
	b = bng_open(&c, &ho, &e);
	l.limit = 2;
	l.since = "2026-01-01T00:00:00Z";
	l.fields = "Email,Phone";
	p = bng_pager_new(b, "customers", &l, &e);
	F.n = 0;
	while ((r = bng_pager_next(p, &items, &e)) == 1) {
		total += cJSON_GetArraySize(items);
		cJSON_Delete(items);
	}
	ok(r == 0 && total == 3, "cursor: three items, then the end");
	is_int(F.n, 1, "one wait");
	is_int(F.waits[0], 3000, "the server's Retry-After");
	bng_pager_free(p);
	log = srv_log();
	is_str(jstr(cJSON_GetArrayItem(log, 0), "path"),
	       "/api/v1/customers?updated_since=2026-01-01T00:00:00Z&fields=Email,Phone&limit=2",
	       "first page: filters and limit");
	is_str(req_header(log, 0, "Authorization"), "Bearer tok", "bearer token");
	is_str(jstr(cJSON_GetArrayItem(log, 2), "path"),
	       "/api/v1/customers?updated_since=2026-01-01T00:00:00Z&fields=Email,Phone&limit=2&"
	       "cursor=a%20b",
	       "next page: the cursor, encoded");
	cJSON_Delete(log);

	memset(&l, 0, sizeof(l));
	l.style = BNG_PAGE_PAGE;
	l.limit = 2;
	p = bng_pager_new(b, "customers", &l, &e);
	total = 0;
	while ((r = bng_pager_next(p, &items, &e)) == 1) {
		total += cJSON_GetArraySize(items);
		cJSON_Delete(items);
	}
	ok(r == 0 && total == 3 && bng_pager_pages(p) == 2, "page style: a short page ends it");
	bng_pager_free(p);
	l.style = BNG_PAGE_LINK;
	l.items_path = "";
	p = bng_pager_new(b, "x", &l, &e);
	total = 0;
	while ((r = bng_pager_next(p, &items, &e)) == 1) {
		total += cJSON_GetArraySize(items);
		cJSON_Delete(items);
	}
	ok(r == 0 && total == 3, "link style: follows rel=next");
	bng_pager_free(p);
	log = srv_log();
	is_str(jstr(cJSON_GetArrayItem(log, 3), "path"), "/api/v1/customers?page=1&per_page=2",
	       "page=1&per_page=2");
	is_str(jstr(cJSON_GetArrayItem(log, 4), "path"), "/api/v1/customers?page=2&per_page=2",
	       "then page=2");
	is_str(jstr(cJSON_GetArrayItem(log, 6), "path"), "/api/v1/x?after=2",
	       "the Link URL, relative to the origin");
	cJSON_Delete(log);

	snprintf(script, sizeof(script),
	         "[{\"status\": 400, \"body_json\": {\"error\": "
	         "{\"code\": \"validation_error\", \"message\": "
	         "\"colour: unknown parameter\"}}}]");
	srv_start(script);
	bng_close(b);
	c.url = url("");
	b = bng_open(&c, &ho, &e);
	memset(&l, 0, sizeof(l));
	p = bng_pager_new(b, "customers", &l, &e);
	ok(bng_pager_next(p, &items, &e) == -1 && e.code == EP_DATAERR &&
	           strstr(e.msg, "colour: unknown parameter"),
	   "a 400 page: 65 with BNG's message");
	if (e.code != EP_DATAERR)
		diag("%d %s", e.code, e.msg);
	bng_pager_free(p);
	bng_close(b);
}

static void
t_describe(void)
{
	const char *top = getenv("ERPIPE_TOP");
	char path[1024], *s;
	cJSON *doc, *sch;
	struct ep_err e = EP_ERR_INIT;

	snprintf(path, sizeof(path), "%s/examples/bng/openapi.json", top ? top : ".");
	s = slurp(path, NULL);
	doc = s ? cJSON_Parse(s) : NULL;
	free(s);
	ok(doc != NULL, "the contract parses");
	sch = bng_describe(doc, "sales_orders", &e);
	ok(sch != NULL, "a schema for sales_orders");
	is_str(cJSON_GetStringValue(cJSON_GetObjectItem(sch, "title")), "SalesOrder", "its title");
	is_str(cJSON_GetStringValue(cJSON_GetObjectItem(sch, "$schema")),
	       "https://json-schema.org/draft/2020-12/schema", "2020-12");
	is_str(cJSON_GetStringValue(bng_path_get(sch, "properties.LineItems.items.$ref")),
	       "#/$defs/SalesOrderLine", "component refs point into $defs");
	ok(bng_path_get(sch, "$defs.SalesOrderLine.properties.Quantity") != NULL,
	   "the line schema is under $defs");
	cJSON_Delete(sch);
	sch = bng_describe(doc, "customers", &e);
	ok(sch && bng_path_get(sch, "$defs") == NULL && bng_path_get(sch, "properties.Email"),
	   "customers: self-contained, no $defs");
	cJSON_Delete(sch);
	ok(bng_describe(doc, "nothing", &e) == NULL && e.code == EP_DATAERR,
	   "unknown resource: 65");
	cJSON_Delete(doc);
}

int
main(void)
{
	if (scripted_setup("t-bng") < 0)
		return 0;
	t_pages();
	t_errors();
	t_urls();
	t_pager();
	t_describe();
	scripted_teardown();
	return done_testing();
}
