/* t-navsoap: NAV SOAP page services without a network: the WSDL's field
 * types and keys, request envelopes, --where as NAV filter criteria,
 * answers to typed JSON, faults, and the XML that is refused. */
#include "proto/navsoap.h"

#include <stdlib.h>
#include <string.h>

#include "tap.h"

static const char WSDL[] =
	"<?xml version=\"1.0\" encoding=\"utf-8\"?><definitions "
	"xmlns=\"http://schemas.xmlsoap.org/wsdl/\" "
	"targetNamespace=\"urn:microsoft-dynamics-schemas/page/customer\"><types>"
	"<xsd:schema xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" "
	"xmlns:tns=\"urn:microsoft-dynamics-schemas/page/customer\">"
	"<xsd:simpleType name=\"Blocked\"><xsd:restriction base=\"xsd:string\">"
	"<xsd:enumeration value=\"_blank_\"/></xsd:restriction></xsd:simpleType>"
	"<xsd:complexType name=\"Customer\"><xsd:sequence>"
	"<xsd:element minOccurs=\"0\" maxOccurs=\"1\" name=\"Key\" type=\"xsd:string\"/>"
	"<xsd:element minOccurs=\"0\" maxOccurs=\"1\" name=\"No\" type=\"xsd:string\"/>"
	"<xsd:element minOccurs=\"0\" maxOccurs=\"1\" name=\"Name\" type=\"xsd:string\"/>"
	"<xsd:element minOccurs=\"0\" maxOccurs=\"1\" name=\"Credit_Limit_LCY\" type=\"xsd:decimal\"/>"
	"<xsd:element minOccurs=\"0\" maxOccurs=\"1\" name=\"Blocked\" type=\"tns:Blocked\"/>"
	"<xsd:element minOccurs=\"0\" maxOccurs=\"1\" name=\"Privacy\" type=\"xsd:boolean\"/>"
	"<xsd:element minOccurs=\"0\" maxOccurs=\"1\" name=\"Last_Date_Modified\" type=\"xsd:date\"/>"
	"</xsd:sequence></xsd:complexType>"
	"<xsd:complexType name=\"Customer_List\"><xsd:sequence><xsd:element name=\"Customer\" "
	"type=\"tns:Customer\"/></xsd:sequence></xsd:complexType>"
	"<xsd:element name=\"Read\"><xsd:complexType><xsd:sequence>"
	"<xsd:element minOccurs=\"1\" maxOccurs=\"1\" name=\"No\" type=\"xsd:string\"/>"
	"</xsd:sequence></xsd:complexType></xsd:element>"
	"</xsd:schema></types></definitions>";

static const char ENV[] = "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\">"
			  "<s:Body>";
static const char ENV_END[] = "</s:Body></s:Envelope>";

static int
collect(void *ud, const char *json, size_t len, const char *key, struct ep_err *err)
{
	struct buf *b = ud;
	(void)err;
	buf_add(b, json, len);
	buf_addf(b, " key=%s\n", key);
	return 0;
}

static int
parse(const struct navsoap_page *pg, const char *body, struct buf *out, struct navsoap_fault *f,
      struct ep_err *err)
{
	struct buf x = BUF_INIT;
	size_t n;
	int rc;
	buf_adds(&x, ENV);
	buf_adds(&x, body);
	buf_adds(&x, ENV_END);
	rc = navsoap_parse(x.p, x.len, pg, "SOAP answer from 'W'", collect, out, &n, f, err);
	buf_release(&x);
	return rc;
}

int
main(void)
{
	struct navsoap_page pg;
	struct ep_err err = EP_ERR_INIT;
	struct navsoap_fault fault;
	struct buf b = BUF_INIT, f = BUF_INIT, c = BUF_INIT;

	ok(navsoap_wsdl_parse(&pg, "Customer", WSDL, strlen(WSDL), "WSDL", &err) == 0,
	   "WSDL parses");
	is_str(pg.ns, "urn:microsoft-dynamics-schemas/page/customer", "target namespace");
	is_int(pg.nfields, 6, "fields of the complexType, Key left out");
	ok(navsoap_field(&pg, "Credit_Limit_LCY")->kind == ODATA_DECIMAL, "decimal");
	ok(navsoap_field(&pg, "Blocked")->kind == ODATA_ENUM, "tns: option type");
	ok(navsoap_field(&pg, "Privacy")->kind == ODATA_BOOL, "boolean");
	ok(pg.nkeys == 1 && !strcmp(pg.keys[0], "No"), "keys from Read's parameters");

	struct navsoap_filter flt[] = { { "No", "10000..20000|30000" }, { "Name", "<>'A&B'" } };
	navsoap_read_multiple(&b, &pg, flt, 2, "12;abc;", 500);
	is_str(buf_str(&b),
	       "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"http://schemas."
	       "xmlsoap.org/soap/envelope/\"><soap:Body><ReadMultiple xmlns=\"urn:microsoft-dynamics-"
	       "schemas/page/customer\"><filter><Field>No</Field><Criteria>10000..20000|30000"
	       "</Criteria></filter><filter><Field>Name</Field><Criteria>&lt;&gt;'A&amp;B'</Criteria>"
	       "</filter><bookmarkKey>12;abc;</bookmarkKey><setSize>500</setSize></ReadMultiple>"
	       "</soap:Body></soap:Envelope>",
	       "ReadMultiple envelope, text escaped");
	buf_reset(&b);
	navsoap_action(&b, &pg, "Update");
	is_str(buf_str(&b), "\"urn:microsoft-dynamics-schemas/page/customer:Update\"",
	       "SOAPAction");

	cJSON *rec = cJSON_Parse("{\"Name\":\"<O'Hara>\",\"Credit_Limit_LCY\":1500.5,"
	                         "\"Privacy\":true,\"No\":\"C1\"}");
	buf_reset(&b);
	ok(navsoap_write(&b, &pg, "Update", "K;1;", rec, &err) == 0, "Update envelope");
	ok(strstr(buf_str(&b), "<Customer><Key>K;1;</Key><No>C1</No><Name>&lt;O'Hara&gt;</Name>"
	                       "<Credit_Limit_LCY>1500.5</Credit_Limit_LCY><Privacy>true</Privacy>"
	                       "</Customer></Update>") != NULL,
	   "fields in page order, typed, escaped");
	cJSON_Delete(rec);
	rec = cJSON_Parse("{\"Nope\":1}");
	buf_reset(&b);
	ok(navsoap_write(&b, &pg, "Create", NULL, rec, &err) < 0 && err.code == EP_DATAERR &&
	           strstr(err.msg, "'Nope'"),
	   "a field the page lacks is refused");
	cJSON_Delete(rec);
	rec = cJSON_Parse("{\"Credit_Limit_LCY\":\"12x\"}");
	buf_reset(&b);
	ok(navsoap_write(&b, &pg, "Create", NULL, rec, &err) < 0 &&
	           strstr(err.msg, "not a decimal"),
	   "a mistyped value is refused");
	cJSON_Delete(rec);
	/* what XML 1.0 cannot carry: refused naming the field, not sent for
	 * NAV to answer "not well-formed" */
	rec = cJSON_Parse("{\"No\":\"C1\",\"Name\":\"a\\u0001b\"}");
	buf_reset(&b);
	ok(navsoap_write(&b, &pg, "Create", NULL, rec, &err) < 0 && err.code == EP_DATAERR &&
	           strcmp(err.msg, "'Name': a string holds U+0001 (byte 2), which SOAP (XML 1.0) "
	                           "cannot carry") == 0,
	   "U+0001 refused, naming the field");
	cJSON_Delete(rec);
	rec = cJSON_Parse("{\"Name\":\"x\\uffff\"}");
	buf_reset(&b);
	ok(navsoap_write(&b, &pg, "Create", NULL, rec, &err) < 0 &&
	           strstr(err.msg, "U+FFFF (byte 2)"),
	   "U+FFFF refused");
	cJSON_Delete(rec);
	rec = cJSON_Parse("{\"Name\":\"tab\\tnl\\ncr\\r\\u00e9\",\"Credit_Limit_LCY\":0.1}");
	buf_reset(&b);
	ok(navsoap_write(&b, &pg, "Create", NULL, rec, &err) == 0 &&
	           strstr(buf_str(&b), "<Name>tab\tnl\ncr&#13;\xc3\xa9</Name>"
	                               "<Credit_Limit_LCY>0.1</Credit_Limit_LCY>") != NULL,
	   "tab, newline, return and U+00E9 carried; 0.1 as 0.1, not 0.10000000000000001");
	cJSON_Delete(rec);
	rec = cJSON_Parse("{\"No\":\"A&B\"}");
	buf_reset(&b);
	ok(navsoap_read(&b, &pg, rec, &err) == 0 &&
	           strstr(buf_str(&b), "<Read xmlns=\"urn:microsoft-"
	                               "dynamics-schemas/page/customer\"><No>A&amp;B</No></Read>"),
	   "Read by key");
	cJSON_Delete(rec);

	ok(navsoap_where(&f, &c, &pg, "Name eq O'Brien & Sons", &err) == 0, "where eq");
	is_str(buf_str(&c), "'O''Brien & Sons'", "criteria quoted, quote doubled");
	buf_reset(&f);
	buf_reset(&c);
	ok(navsoap_where(&f, &c, &pg, "Credit_Limit_LCY >= 100", &err) == 0, "where >=");
	is_str(buf_str(&c), ">='100'", "comparison");
	buf_reset(&f);
	buf_reset(&c);
	ok(navsoap_where(&f, &c, &pg, "Name startswith Alp", &err) == 0 &&
	           !strcmp(buf_str(&c), "Alp*") && !strcmp(buf_str(&f), "Name"),
	   "startswith as a wildcard");
	buf_reset(&f);
	buf_reset(&c);
	ok(navsoap_where(&f, &c, &pg, "Name contains a*b", &err) < 0 && err.code == EP_USAGE,
	   "a wildcard value with filter characters is refused");
	ok(navsoap_where(&f, &c, &pg, "Nope eq 1", &err) < 0 && strstr(err.msg, "no field"),
	   "unknown field");

	buf_reset(&b);
	ok(parse(&pg,
	         "<ReadMultiple_Result xmlns=\"urn:microsoft-dynamics-schemas/page/customer\">"
	         "<ReadMultiple_Result><Customer><Key>12;a;1;</Key><No>10000</No><Name>A &amp; B"
	         "</Name><Credit_Limit_LCY>10000.50</Credit_Limit_LCY><Blocked>_blank_</Blocked>"
	         "<Privacy>false</Privacy><Extra>x</Extra><Lines><Line><No>1</No></Line></Lines>"
	         "</Customer><Customer><Key>12;b;2;</Key><No>20000</No></Customer>"
	         "</ReadMultiple_Result></ReadMultiple_Result>",
	         &b, &fault, &err) == 0,
	   "ReadMultiple answer");
	is_str(buf_str(&b),
	       "{\"No\":\"10000\",\"Name\":\"A & B\",\"Credit_Limit_LCY\":10000.50,\"Blocked\":"
	       "\"_blank_\",\"Privacy\":false,\"Extra\":\"x\"} key=12;a;1;\n"
	       "{\"No\":\"20000\"} key=12;b;2;\n",
	       "records typed by the WSDL, subparts left out, Keys apart");
	buf_reset(&b);
	ok(parse(&pg, "<Read_Result xmlns=\"urn:microsoft-dynamics-schemas/page/customer\"/>", &b,
	         &fault, &err) == 0 &&
	           b.len == 0,
	   "Read of nothing: no record");
	ok(parse(&pg,
	         "<s:Fault><faultcode xmlns:a=\"urn:microsoft-dynamics-schemas/error\">a:Microsoft."
	         "Dynamics.Nav.Types.Exceptions.NavCSideRecordModifiedException</faultcode>"
	         "<faultstring xml:lang=\"en-US\">Other user has modified\n\"Customer\".</faultstring>"
	         "</s:Fault>",
	         &b, &fault, &err) == 1,
	   "fault");
	is_str(fault.code,
	       "Microsoft.Dynamics.Nav.Types.Exceptions.NavCSideRecordModifiedException",
	       "fault code without prefix");
	is_str(fault.string, "Other user has modified \"Customer\".", "fault string on one line");
	ok(parse(&pg, "<R><Customer><Credit_Limit_LCY>abc</Credit_Limit_LCY></Customer></R>", &b,
	         &fault, &err) < 0 &&
	           strstr(err.msg, "not a decimal"),
	   "a value that does not fit its type");

	static const struct {
		const char *name, *xml, *why;
	} bad[] = {
		{ "truncated envelope",
		  "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>"
		  "<ReadMultiple_Result><Customer><No>1",
		  "SOAP answer from 'W'" },
		{ "external entity",
		  "<?xml version=\"1.0\"?><!DOCTYPE s [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
		  "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>&x;"
		  "</s:Body></s:Envelope>",
		  "document type" },
		{ "billion laughs",
		  "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;\">]>"
		  "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>&b;"
		  "</s:Body></s:Envelope>",
		  "document type" },
		{ "not SOAP", "<html><body>Sign in</body></html>", "not a SOAP envelope" },
		{ "no Body", "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"/>",
		  "without a Body" },
		{ "empty", "", "SOAP answer" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t n;
		ep_err_clear(&err);
		int rc = navsoap_parse(bad[i].xml, strlen(bad[i].xml), &pg, "SOAP answer from 'W'",
		                       collect, &b, &n, &fault, &err);
		ok(rc < 0 && err.code == EP_DATAERR && strstr(err.msg, bad[i].why), bad[i].name);
		if (!(rc < 0 && strstr(err.msg, bad[i].why)))
			diag("rc %d: %s", rc, err.msg);
	}
	navsoap_page_free(&pg);

	struct navsoap_page p2;
	ok(navsoap_wsdl_parse(&p2, "Vendor", WSDL, strlen(WSDL), "WSDL of Vendor", &err) < 0 &&
	           strstr(err.msg, "no complexType 'Vendor'"),
	   "the WSDL of another page is refused");
	ok(navsoap_wsdl_parse(&p2, "Customer", "<a/>", 4, "WSDL", &err) < 0 &&
	           strstr(err.msg, "not a WSDL"),
	   "not a WSDL");
	buf_release(&b);
	buf_release(&f);
	buf_release(&c);
	return done_testing();
}
