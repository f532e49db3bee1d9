/* t-odata: lib/odata without a network: URLs and nextLink resolution,
 * literals typed from $metadata, --where, key predicates, page scanning,
 * annotations, errors, $batch bodies and answers, CSDL parsing and the
 * hostile XML it refuses. */
#include "proto/odata.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

static const char CSDL[] =
	"<?xml version=\"1.0\" encoding=\"utf-8\"?>"
	"<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\">"
	"<edmx:DataServices><Schema Namespace=\"NAV\" Alias=\"N\" "
	"xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">"
	"<EnumType Name=\"CustomerBlocked\"><Member Name=\"_x0020_\" Value=\"0\"/>"
	"<Member Name=\"Ship\" Value=\"1\"/></EnumType>"
	"<ComplexType Name=\"Addr\"><Property Name=\"Street\" Type=\"Edm.String\"/></ComplexType>"
	"<EntityType Name=\"Customer\"><Key><PropertyRef Name=\"No\"/></Key>"
	"<Property Name=\"No\" Type=\"Edm.String\" Nullable=\"false\" MaxLength=\"20\"/>"
	"<Property Name=\"Name\" Type=\"Edm.String\" MaxLength=\"100\"/>"
	"<Property Name=\"Credit_Limit_LCY\" Type=\"Edm.Decimal\" Scale=\"Variable\"/>"
	"<Property Name=\"Count\" Type=\"Edm.Int32\"/>"
	"<Property Name=\"Ok\" Type=\"Edm.Boolean\"/>"
	"<Property Name=\"Last_Date_Modified\" Type=\"Edm.Date\">"
	"<Annotation Term=\"Org.OData.Core.V1.Computed\" Bool=\"true\"/></Property>"
	"<Property Name=\"SystemModifiedAt\" Type=\"Edm.DateTimeOffset\"/>"
	"<Property Name=\"SystemId\" Type=\"Edm.Guid\"/>"
	"<Property Name=\"Blocked\" Type=\"N.CustomerBlocked\"/>"
	"</EntityType>"
	"<EntityType Name=\"SalesOrder\"><Key><PropertyRef Name=\"Document_Type\"/>"
	"<PropertyRef Name=\"No\"/></Key>"
	"<Property Name=\"Document_Type\" Type=\"NAV.CustomerBlocked\"/>"
	"<Property Name=\"No\" Type=\"Edm.String\"/>"
	"<NavigationProperty Name=\"SalesOrderSalesLines\" Type=\"Collection(NAV.X)\"/>"
	"</EntityType>"
	"<EntityContainer Name=\"NAV\"><EntitySet Name=\"Customer\" EntityType=\"NAV.Customer\"/>"
	"<EntitySet Name=\"SalesOrder\" EntityType=\"N.SalesOrder\"/></EntityContainer>"
	"</Schema></edmx:DataServices></edmx:Edmx>";

static void
test_resolve(void)
{
	static const struct {
		const char *base, *ref, *want;
	} cases[] = {
		/* relative to the service root (the context URL is $metadata under it) */
		{ "http://h:7048/BC/ODataV4/$metadata#Company('A')/Customer",
		  "Company('A')/Customer?$skiptoken='10'",
		  "http://h:7048/BC/ODataV4/Company('A')/Customer?$skiptoken='10'" },
		{ "http://h/BC/ODataV4/", "Customer?$skiptoken=1",
		  "http://h/BC/ODataV4/Customer?$skiptoken=1" },
		{ "http://h/BC/ODataV4/$metadata", "/BC/ODataV4/C?x", "http://h/BC/ODataV4/C?x" },
		{ "http://h/a/b", "https://o/x/../y?q", "https://o/y?q" },
		{ "http://h/a/b", "//o:1/p", "http://o:1/p" },
		{ "http://h/a/b/c", "../d", "http://h/a/d" },
		{ "http://h/a/b/c", "./d/./e", "http://h/a/b/d/e" },
		{ "http://h/a/b/c?q", "?r", "http://h/a/b/c?r" },
		{ "http://h/a/b/c?q", "", "http://h/a/b/c?q" },
		{ "http://h", "x", "http://h/x" },
		{ "http://h/a/b/c", "../../../../g", "http://h/g" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b = BUF_INIT;
		struct ep_err err = EP_ERR_INIT;
		ok(odata_resolve(&b, cases[i].base, cases[i].ref, &err) == 0, "resolve ok");
		is_str(buf_str(&b), cases[i].want, cases[i].ref);
		buf_release(&b);
	}
	struct buf b = BUF_INIT;
	struct ep_err err = EP_ERR_INIT;
	ok(odata_resolve(&b, "/relative", "x", &err) < 0 && err.code == EP_DATAERR,
	   "a base that is not absolute is refused");
	buf_release(&b);
}

static void
test_urls(void)
{
	struct buf b = BUF_INIT;
	odata_company_seg(&b, "CRONUS International Ltd.", 0);
	is_str(buf_str(&b), "Company('CRONUS%20International%20Ltd.')", "company segment");
	buf_reset(&b);
	odata_company_seg(&b, "O'Hara & Söhne/EU", 0);
	is_str(buf_str(&b), "Company('O''Hara%20%26%20S%C3%B6hne%2FEU')", "quote doubled, encoded");
	buf_reset(&b);
	odata_company_seg(&b, "1e2feb89-414c-443c-a027-c4d1c386bbc4", 1);
	is_str(buf_str(&b), "Company(Id=1e2feb89-414c-443c-a027-c4d1c386bbc4)", "Company(Id=)");
	buf_reset(&b);
	odata_pct(&b, "a b&c=d+e#f/g?'", 15, ODATA_QUERY);
	is_str(buf_str(&b), "a%20b%26c%3Dd%2Be%23f/g?'", "query encoding");
	buf_release(&b);
}

static void
test_literals(const struct odata_md *md)
{
	const struct odata_etype *c = odata_md_entity(md, "Customer");
	static const struct {
		const char *field, *text, *want; /* want NULL: refused */
	} cases[] = {
		{ "Name", "O'Brien & Sons", "'O''Brien%20%26%20Sons'" },
		{ "Name", "", "''" },
		{ "No", "10000", "'10000'" },
		{ "Credit_Limit_LCY", "1500.25", "1500.25" },
		{ "Credit_Limit_LCY", "-1e3", "-1e3" },
		{ "Credit_Limit_LCY", "12a", NULL },
		{ "Count", "12", "12" },
		{ "Count", "1.5", NULL },
		{ "Ok", "true", "true" },
		{ "Ok", "yes", NULL },
		{ "Last_Date_Modified", "2026-01-05", "2026-01-05" },
		{ "Last_Date_Modified", "2026-02-30", NULL },
		{ "Last_Date_Modified", "2024-02-29", "2024-02-29" },
		{ "Last_Date_Modified", "2023-02-29", NULL },
		{ "SystemModifiedAt", "2026-01-05T10:00:00.001Z", "2026-01-05T10:00:00.001Z" },
		{ "SystemModifiedAt", "2026-01-05T10:00:00+01:00", "2026-01-05T10:00:00%2B01:00" },
		{ "SystemModifiedAt", "2026-01-05T25:00:00Z", NULL },
		{ "SystemModifiedAt", "2026-01-05", NULL },
		{ "SystemId", "1e2feb89-414c-443c-a027-c4d1c386bbc4",
		  "1e2feb89-414c-443c-a027-c4d1c386bbc4" },
		{ "SystemId", "1e2feb89-414c-443c-a027-c4d1c386bbcz", NULL },
		{ "Blocked", "Ship", "'Ship'" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b = BUF_INIT;
		struct ep_err err = EP_ERR_INIT;
		const struct odata_prop *p = odata_prop_find(c, cases[i].field);
		int rc = odata_literal(&b, p, cases[i].text, strlen(cases[i].text), ODATA_QUERY,
		                       &err);
		char name[200];
		snprintf(name, sizeof(name), "literal %s '%s'", cases[i].field, cases[i].text);
		if (cases[i].want)
			is_str(rc == 0 ? buf_str(&b) : err.msg, cases[i].want, name);
		else
			ok(rc < 0 && err.code == EP_USAGE && strstr(err.msg, cases[i].field), name);
		buf_release(&b);
	}
}

static void
test_where(const struct odata_md *md)
{
	const struct odata_etype *c = odata_md_entity(md, "Customer");
	struct buf f = BUF_INIT;
	struct ep_err err = EP_ERR_INIT;

	ok(odata_where(&f, c, "Name eq O'Brien Fabrics", &err) == 0, "where eq");
	ok(odata_where(&f, c, "Credit_Limit_LCY >= 100", &err) == 0, "where >=");
	ok(odata_where(&f, c, "Name startswith Al", &err) == 0, "where startswith");
	ok(odata_where(&f, c, "Name eq ", &err) == 0, "where empty value");
	is_str(buf_str(&f),
	       "Name eq 'O''Brien Fabrics' and Credit_Limit_LCY ge 100 and "
	       "startswith(Name,'Al') and Name eq ''",
	       "conditions AND-ed, literals typed and quoted, not yet encoded");
	ok(odata_where(&f, c, "Nope eq 1", &err) < 0 && strstr(err.msg, "no field 'Nope'"),
	   "unknown field");
	ok(odata_where(&f, c, "Name like x", &err) < 0 && strstr(err.msg, "unknown operator"),
	   "unknown operator");
	ok(odata_where(&f, c, "Count eq x", &err) < 0 && strstr(err.msg, "not a valid integer"),
	   "mistyped value");
	ok(odata_where(&f, c, "Count contains 1", &err) < 0, "contains on a number");
	ok(odata_where(&f, c, "Name", &err) < 0, "no operator");
	ok(odata_where(&f, c, "Name eq", &err) < 0, "no blank before the value");
	buf_release(&f);
}

static void
test_key_pred(const struct odata_md *md)
{
	struct buf b = BUF_INIT;
	struct ep_err err = EP_ERR_INIT;
	cJSON *k = cJSON_Parse("{\"No\":\"A/B 'x'\"}");

	ok(odata_key_pred(&b, odata_md_entity(md, "Customer"), k, &err) == 0, "key pred");
	is_str(buf_str(&b), "('A%2FB%20''x''')", "single key, path-encoded");
	cJSON_Delete(k);
	buf_reset(&b);
	k = cJSON_Parse("{\"No\":101005,\"Document_Type\":\"Ship\"}");
	ok(odata_key_pred(&b, odata_md_entity(md, "SalesOrder"), k, &err) == 0, "compound");
	is_str(buf_str(&b), "(Document_Type='Ship',No='101005')", "compound key in key order");
	cJSON_Delete(k);
	buf_reset(&b);
	k = cJSON_Parse("{\"No\":\"1\"}");
	ok(odata_key_pred(&b, odata_md_entity(md, "SalesOrder"), k, &err) < 0 &&
	           err.code == EP_DATAERR && strstr(err.msg, "Document_Type"),
	   "missing key field");
	cJSON_Delete(k);
	buf_release(&b);
}

static int
collect(void *ud, const char *obj, size_t len, struct ep_err *err)
{
	struct buf *b = ud;
	(void)err;
	if (b->len)
		buf_addc(b, '|');
	return buf_add(b, obj, len);
}

static int
stop_at_two(void *ud, const char *obj, size_t len, struct ep_err *err)
{
	int *n = ud;
	(void)obj;
	(void)len;
	if (++*n == 2)
		return ep_errf(err, EP_IOERR, "stop");
	return 0;
}

static void
test_pages(void)
{
	const char *page = "{\"@odata.context\":\"http://h/BC/ODataV4/$metadata#Customer\","
			   "\"@odata.count\": 3, \"value\": [ {\"@odata.etag\":\"W/\\\"x\\\"\","
			   "\"No\":\"1\",\"A\":[1,{\"b\":2}]} , {\"No\":\"2\"},{}],"
			   "\"@odata.nextLink\":\"Customer?$skiptoken='2'\\u0026x=1\"}";
	struct odata_page pg;
	struct buf b = BUF_INIT;
	struct ep_err err = EP_ERR_INIT;
	int n = 0;

	ok(odata_page_scan(page, strlen(page), collect, &b, &pg, &err) == 0, "page scans");
	is_str(buf_str(&b),
	       "{\"@odata.etag\":\"W/\\\"x\\\"\",\"No\":\"1\",\"A\":[1,{\"b\":2}]}|{\"No\":\"2\"}|{}",
	       "entities as their raw text");
	is_str(pg.next_link, "Customer?$skiptoken='2'&x=1", "nextLink decoded");
	is_str(pg.context, "http://h/BC/ODataV4/$metadata#Customer", "context");
	is_int(pg.count, 3, "count");
	is_int(pg.nvalues, 3, "nvalues");
	odata_page_release(&pg);
	ok(odata_page_scan(page, strlen(page), stop_at_two, &n, &pg, &err) < 0 &&
	           err.code == EP_IOERR,
	   "a callback stops the scan with its error");
	odata_page_release(&pg);

	const char *last = "{\"value\":[]}";
	ok(odata_page_scan(last, strlen(last), collect, &b, &pg, &err) == 0 && pg.nvalues == 0 &&
	           pg.next_link == NULL,
	   "an empty last page");
	odata_page_release(&pg);

	/* clang-format off */
	static const char *bad[] = {
		"", "[]", "{\"value\":{}}", "{\"value\":[1]}", "{\"value\":[{}", "{\"x\":1}",
		"{\"value\":[],\"@odata.nextLink\":5}", "{\"value\":[]} x", "{\"value\":[{},]}",
		"{\"value\":[{\"a\":tru}]}", "<html>502</html>",
	};
	/* clang-format on */
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char name[100];
		ep_err_clear(&err);
		snprintf(name, sizeof(name), "bad page refused: %s", bad[i]);
		ok(odata_page_scan(bad[i], strlen(bad[i]), NULL, NULL, &pg, &err) < 0 &&
		           err.code == EP_DATAERR && strstr(err.msg, "OData page"),
		   name);
		odata_page_release(&pg);
	}

	const char *ent = "{\"@odata.etag\":\"W/\\\"1\\\"\", \"No\" : \"10\", "
			  "\"Pic@odata.mediaReadLink\":\"x\",\"N\":{\"@a\":1}}";
	const char *v;
	size_t vl;
	ok(odata_member(ent, strlen(ent), "No", &v, &vl) == 1 && vl == 4 && !memcmp(v, "\"10\"", 4),
	   "member lookup");
	ok(odata_member(ent, strlen(ent), "Nope", &v, &vl) == 0, "member absent");
	buf_reset(&b);
	odata_project(&b, ent, strlen(ent), 0, NULL, 0);
	is_str(buf_str(&b), "{\"No\":\"10\",\"N\":{}}", "annotations stripped, nested ones too");
	buf_reset(&b);
	const char *only[] = { "N", "Pic" };
	odata_project(&b, ent, strlen(ent), 1, only, 2);
	is_str(buf_str(&b), "{\"@odata.etag\":\"W/\\\"1\\\"\",\"N\":{}}",
	       "only the fields asked for, and the etag");
	buf_reset(&b);
	odata_project(&b, ent, strlen(ent), 1, NULL, 0);
	is_str(buf_str(&b), "{\"@odata.etag\":\"W/\\\"1\\\"\",\"No\":\"10\",\"N\":{}}",
	       "etag kept on request");
	/* $expand: the lines carry their own etags (tests/fixtures/odata/10) */
	const char *so =
		"{\"No\":\"SO1\",\"Lines\": [ {\"Line_No\":10000,\"@odata.etag\":\"W/\\\"2\\\"\","
		"\"Tags\":[1,{\"@x\":0,\"y\":\"@odata.etag\"}]} , {\"Line_No\":20000,"
		"\"@odata.etag\":\"W/\\\"3\\\"\"}],\"@odata.etag\":\"W/\\\"1\\\"\",\"E\":[]}";
	buf_reset(&b);
	odata_project(&b, so, strlen(so), 1, NULL, 0);
	is_str(buf_str(&b),
	       "{\"No\":\"SO1\",\"Lines\":[{\"Line_No\":10000,\"Tags\":[1,{\"y\":"
	       "\"@odata.etag\"}]},{\"Line_No\":20000}],\"@odata.etag\":\"W/\\\"1\\\"\",\"E\":[]}",
	       "expanded lines lose their etags, the record keeps its own on request");
	buf_release(&b);
}

static void
test_errors(void)
{
	struct odata_error e;
	struct buf b = BUF_INIT;
	const char *body = "{\"error\":{\"code\":\"Request_EntityChanged\",\"message\":"
			   "\"Another user has already changed the record.  CorrelationId:  "
			   "6bc1f1a4-22f2-4d46-a1b5-000000000000.\"}}";

	odata_error_parse(&e, 409, body, strlen(body));
	is_str(e.code, "Request_EntityChanged", "error code");
	is_str(e.message, "Another user has already changed the record.", "CorrelationId cut");
	odata_error_format(&b, &e);
	is_str(buf_str(&b), "Request_EntityChanged: Another user has already changed the record.",
	       "formatted");
	is_int(odata_error_exit(&e), EP_DATAERR, "409 is the record's");
	odata_error_parse(&e, 502, "<html>\n<h1>bad gateway</h1>", 27);
	is_str(e.message, "<html>", "a non-JSON body: its first line");
	is_int(odata_error_exit(&e), EP_UNAVAILABLE, "502: unavailable");
	odata_error_parse(&e, 401, "{\"error\":{\"code\":\"Authentication_InvalidCredentials\"}}",
	                  52);
	is_int(odata_error_exit(&e), EP_NOPERM, "401: permission");
	odata_error_parse(&e, 404,
	                  "{\"error\":{\"code\":\"BadRequest_NotFound\",\"message\":\"x\"}}", 54);
	is_int(odata_error_exit(&e), EP_CONFIG, "unknown entity set: configuration");
	odata_error_parse(&e, 404,
	                  "{\"error\":{\"code\":\"Internal_RecordNotFound\",\"message\":\"x\"}}",
	                  58);
	is_int(odata_error_exit(&e), EP_DATAERR, "missing record: data");
	odata_error_parse(&e, 400, "{\"error\":{\"code\":5,\"message\":[\"\\u0000\"]}}", 41);
	is_str(e.code, "", "mistyped error fields ignored");
	buf_release(&b);
}

static void
test_batch(void)
{
	struct odata_batch_op ops[] = {
		{ "1", "GET", "Company('A')/Customer('1')", NULL, NULL, 0 },
		{ "2", "PATCH", "Company('A')/Customer('2')", "W/\"x\"", "{\"Name\":\"n\"}", 12 },
	};
	struct buf b = BUF_INIT;
	struct odata_batch_resp *r;
	struct ep_err err = EP_ERR_INIT;
	struct odata_error e;
	size_t n;

	odata_batch_body(&b, ops, 2);
	is_str(buf_str(&b),
	       "{\"requests\":[{\"id\":\"1\",\"method\":\"GET\",\"url\":\"Company('A')/Customer('1')\","
	       "\"headers\":{}},{\"id\":\"2\",\"method\":\"PATCH\",\"url\":\"Company('A')/Customer('2')\","
	       "\"headers\":{\"Content-Type\":\"application/json\",\"If-Match\":\"W/\\\"x\\\"\"},"
	       "\"body\":{\"Name\":\"n\"}}]}",
	       "batch body");
	const char *ans =
		"{\"responses\":[{\"id\":\"2\",\"status\":409,\"headers\":{},\"body\":{\"error\":"
		"{\"code\":\"Request_EntityChanged\",\"message\":\"m\"}}},{\"id\":1,\"status\":200,"
		"\"headers\":{\"ETag\":\"W/\\\"h\\\"\"},\"body\":{\"No\":\"1\"}}]}";
	ok(odata_batch_parse(ans, strlen(ans), &r, &n, &err) == 0 && n == 2, "batch answer");
	is_str(r[0].id, "2", "id");
	is_int(r[0].status, 409, "status");
	odata_batch_error(&e, &r[0]);
	is_str(e.code, "Request_EntityChanged", "per-request error");
	is_str(r[1].id, "1", "numeric id as text");
	is_str(r[1].etag, "W/\"h\"", "etag from the header");
	odata_batch_resp_free(r, n);
	ok(odata_batch_parse("{\"responses\":[{\"id\":\"1\"}]}", 26, &r, &n, &err) < 0 &&
	           err.code == EP_DATAERR,
	   "an answer without status refused");
	ok(odata_batch_parse("nope", 4, &r, &n, &err) < 0, "not JSON refused");
	buf_release(&b);
}

static void
test_md_refusals(void)
{
	static const struct {
		const char *name, *xml, *why;
	} bad[] = {
		{ "external entity (XXE)",
		  "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
		  "<edmx:Edmx xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\">&e;</edmx:Edmx>",
		  "document type" },
		{ "billion laughs",
		  "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\">"
		  "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;\">]>"
		  "<edmx:Edmx xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\">&c;</edmx:Edmx>",
		  "document type" },
		{ "truncated",
		  "<edmx:Edmx xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\">"
		  "<edmx:DataServices><Schema Namespace=\"NAV\" xmlns=\"http://docs.oa",
		  "line" },
		{ "not CSDL", "<html><body>login</body></html>", "not a CSDL document" },
		{ "empty", "", "" },
		{ "undeclared key",
		  "<edmx:Edmx xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\"><edmx:DataServices>"
		  "<Schema Namespace=\"NAV\" xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">"
		  "<EntityType Name=\"T\"><Key><PropertyRef Name=\"K\"/></Key></EntityType>"
		  "</Schema></edmx:DataServices></edmx:Edmx>",
		  "key 'K'" },
		{ "set of an unknown type",
		  "<edmx:Edmx xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\"><edmx:DataServices>"
		  "<Schema Namespace=\"NAV\" xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">"
		  "<EntityContainer Name=\"C\"><EntitySet Name=\"S\" EntityType=\"NAV.T\"/>"
		  "</EntityContainer></Schema></edmx:DataServices></edmx:Edmx>",
		  "undeclared type" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct odata_md md;
		struct ep_err err = EP_ERR_INIT;
		int rc = odata_md_parse(&md, bad[i].xml, strlen(bad[i].xml), "$metadata from 'x'",
		                        &err);
		ok(rc < 0 && err.code == EP_DATAERR && strstr(err.msg, "$metadata from 'x'") &&
		           strstr(err.msg, bad[i].why),
		   bad[i].name);
		if (rc == 0 || !strstr(err.msg, bad[i].why))
			diag("%s", err.msg);
	}
}

/* Annotations out of line, as the real server of tests/fixtures/odata
 * publishes them, and the Core vocabulary under another alias. */
static void
test_out_of_line(void)
{
	static const char snippet[] =
		"<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\">"
		"<edmx:Reference Uri=\"x\"><edmx:Include Alias=\"C\" "
		"Namespace=\"Org.OData.Core.V1\"/></edmx:Reference><edmx:DataServices>"
		"<Schema Namespace=\"Shop\" Alias=\"S\" "
		"xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">"
		"<Annotations Target=\"S.Cust/Code\"><Annotation Term=\"C.Immutable\" "
		"Bool=\"true\"/></Annotations>"
		"<EntityType Name=\"Cust\"><Key><PropertyRef Name=\"Id\"/></Key>"
		"<Property Name=\"Id\" Type=\"Edm.Int32\"/><Property Name=\"Code\" "
		"Type=\"Edm.String\"/><Property Name=\"Bal\" Type=\"Edm.Decimal\"/>"
		"<Property Name=\"Note\" Type=\"Edm.String\"/><Property Name=\"Seen\" "
		"Type=\"Edm.String\"/><Property Name=\"Other\" Type=\"Edm.String\"/>"
		/* the values as child elements, in line and out of line */
		"<Property Name=\"EF\" Type=\"Edm.String\"><Annotation Term=\"C.Computed\">"
		"<Bool> false </Bool></Annotation></Property>"
		"<Property Name=\"ET\" Type=\"Edm.String\"><Annotation Term=\"C.Computed\">"
		"<Bool>true</Bool></Annotation></Property>"
		"<Property Name=\"EP\" Type=\"Edm.String\"/><Property Name=\"EW\" "
		"Type=\"Edm.String\"/><Property Name=\"EI\" Type=\"Edm.String\"/></EntityType>"
		"<Annotations Target=\"S.Cust/EP\"><Annotation Term=\"C.Permissions\">"
		"<EnumMember>\n  C.Permission/Read\n</EnumMember></Annotation></Annotations>"
		"<Annotations Target=\"S.Cust/EW\"><Annotation Term=\"C.Permissions\">"
		"<EnumMember>C.Permission/Read C.Permission/Write</EnumMember></Annotation>"
		"</Annotations>"
		"<Annotations Target=\"S.Cust/EI\"><Annotation Term=\"C.Immutable\">"
		"<Annotation Term=\"C.Description\"><String>false</String></Annotation>"
		"<Bool>true</Bool></Annotation></Annotations>"
		"<EntityContainer Name=\"E\"><EntitySet Name=\"Custs\" EntityType=\"Shop.Cust\"/>"
		"</EntityContainer>"
		"<Annotations Target=\"Shop.Cust/Bal\"><Annotation Term=\"C.Permissions\" "
		"EnumMember=\"C.Permission/Read\"/></Annotations>"
		"<Annotations Target=\"Shop.Cust/Note\"><Annotation Term=\"C.Permissions\" "
		"EnumMember=\"C.Permission/ReadWrite\"/></Annotations>"
		"<Annotations Target=\"Shop.Cust/Seen\"><Annotation Term=\"C.Computed\" "
		"Bool=\"false\"/></Annotations>"
		"<Annotations Target=\"Shop.Cust/Other\"><Annotation Term=\"Other.Computed\"/>"
		"</Annotations></Schema></edmx:DataServices></edmx:Edmx>";
	struct odata_md md;
	struct ep_err err = EP_ERR_INIT;
	FILE *f = fopen(ERPIPE_SRCDIR "/tests/fixtures/odata/metadata.xml", "rb");
	char *xml = malloc(1 << 20);
	size_t n = f && xml ? fread(xml, 1, 1 << 20, f) : 0;
	const struct odata_etype *t;
	const struct odata_prop *p;

	if (f)
		fclose(f);
	ok(n > 0 && odata_md_parse(&md, xml, n, "metadata.xml", &err) == 0,
	   "the real server's metadata.xml parses");
	t = odata_md_entity(&md, "Customers");
	ok(t && (p = odata_prop_find(t, "SystemModifiedAt")) && p->computed &&
	           (p = odata_prop_find(t, "Last_Date_Modified")) && p->computed &&
	           (p = odata_prop_find(t, "Balance_LCY")) && p->computed &&
	           (p = odata_prop_find(t, "Name")) && !p->computed,
	   "Core.Computed out of line (<Annotations Target=\"NAV.Customers/...\">)");
	t = odata_md_entity(&md, "SalesOrders");
	t = t ? odata_nav_entity(&md, t, "SalesOrderSalesLines") : NULL;
	ok(t && !strcmp(t->qname, "NAV.SalesOrderSalesLines") &&
	           (p = odata_prop_find(t, "Line_Amount")) && p->computed,
	   "a navigation property's entity type, its computed fields");
	odata_md_free(&md);
	free(xml);
	ok(odata_md_parse(&md, snippet, strlen(snippet), "snippet", &err) == 0, "aliased Core");
	t = odata_md_entity(&md, "Custs");
	ok(t && (p = odata_prop_find(t, "Code")) && p->immutable && !p->computed,
	   "Core.Immutable, the target under the schema alias, before its type");
	ok(t && (p = odata_prop_find(t, "Bal")) && p->computed, "Core.Permissions Read: read only");
	ok(t && (p = odata_prop_find(t, "Note")) && !p->computed, "...ReadWrite is not");
	ok(t && (p = odata_prop_find(t, "Seen")) && !p->computed, "Computed Bool=false is not");
	ok(t && (p = odata_prop_find(t, "Other")) && !p->computed,
	   "a Computed term of another vocabulary is not");
	ok(t && (p = odata_prop_find(t, "EF")) && !p->computed,
	   "in line, <Bool>false</Bool> as a child element: not computed");
	ok(t && (p = odata_prop_find(t, "ET")) && p->computed, "...<Bool>true</Bool>: computed");
	ok(t && (p = odata_prop_find(t, "EP")) && p->computed,
	   "out of line, <EnumMember>C.Permission/Read</EnumMember>: read only");
	ok(t && (p = odata_prop_find(t, "EW")) && !p->computed, "...Read and Write: not");
	ok(t && (p = odata_prop_find(t, "EI")) && p->immutable && !p->computed,
	   "an annotation of the annotation is not its value");
	odata_md_free(&md);
}

int
main(void)
{
	struct odata_md md;
	struct ep_err err = EP_ERR_INIT;

	test_resolve();
	test_urls();
	ok(odata_md_parse(&md, CSDL, strlen(CSDL), "$metadata", &err) == 0, "CSDL parses");
	if (err.msg[0])
		diag("%s", err.msg);
	const struct odata_etype *c = odata_md_entity(&md, "Customer");
	ok(c && !strcmp(c->qname, "NAV.Customer") && c->nkeys == 1 &&
	           !strcmp(c->props[c->keys[0]].name, "No"),
	   "entity set -> type, key");
	ok(odata_prop_find(c, "Street") == NULL, "complex type properties stay out");
	const struct odata_prop *p = odata_prop_find(c, "Blocked");
	ok(p && p->kind == ODATA_ENUM && p->enumt && p->enumt->nmembers == 2 &&
	           !strcmp(p->enumt->members[0], "_x0020_"),
	   "enum through the schema alias");
	p = odata_prop_find(c, "Last_Date_Modified");
	ok(p && p->kind == ODATA_DATE && p->computed, "computed annotation");
	p = odata_prop_find(c, "No");
	ok(p && !p->nullable && p->max_len == 20 && p->key, "Nullable, MaxLength, key");
	const struct odata_etype *so = odata_md_entity(&md, "SalesOrder");
	ok(so && so->nkeys == 2 && so->nnavs == 1 && !strcmp(so->navs[0], "SalesOrderSalesLines"),
	   "alias-qualified set type, compound key, navigation");
	ok(odata_md_entity(&md, "Nope") == NULL, "unknown set");
	test_literals(&md);
	test_where(&md);
	test_key_pred(&md);
	odata_md_free(&md);
	test_md_refusals();
	test_out_of_line();
	test_pages();
	test_errors();
	test_batch();
	return done_testing();
}
