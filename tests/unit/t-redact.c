#include "tap.h"
#include "base/redact.h"
#include "base/log.h"

#include <string.h>

static struct redact *R;
static char got[8192];

static const char *
red(const char *in)
{
	struct buf b = BUF_INIT;

	buf_init(&b, 1 << 20);
	if (redact_text(R, in, strlen(in), &b) < 0)
		snprintf(got, sizeof(got), "(error)");
	else
		snprintf(got, sizeof(got), "%s", buf_str(&b));
	buf_release(&b);
	return got;
}

int
main(void)
{
	struct buf b = BUF_INIT;
	char big[REDACT_MAX_LEN + 2];

	R = redact_new();
	ok(R != NULL, "new registry");
	is_int(redact_add(R, "", 0), 0, "empty secret ignored");
	is_int(redact_count(R), 0, "... and not registered");
	ok(redact_add(R, "s3cret", 6) == 0, "add a plain secret");
	is_int(redact_count(R), 1, "a plain secret has one form");
	ok(redact_add(R, "p\"a&ss w/d", 10) == 0, "add a secret with specials");
	ok(redact_count(R) > 2, "... registered with its encoded forms");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	is_int(redact_add(R, big, strlen(big)), -1, "an over-long secret is refused");

	/* values anywhere: the JSON-RPC execute_kw case */
	is_str(red("{\"jsonrpc\":\"2.0\",\"method\":\"call\",\"params\":{\"service\":\"object\","
	           "\"method\":\"execute_kw\",\"args\":[\"db\",2,\"s3cret\",\"res.partner\"]}}"),
	       "{\"jsonrpc\":\"2.0\",\"method\":\"call\",\"params\":{\"service\":\"object\","
	       "\"method\":\"execute_kw\",\"args\":[\"db\",2,\"***\",\"res.partner\"]}}",
	       "a positional password in JSON-RPC");
	is_str(red("<param><value><string>s3cret</string></value></param>"),
	       "<param><value><string>***</string></value></param>",
	       "a positional password in XML-RPC");
	/* issue 15, defect 6: a secret shorter than REDACT_TOKEN_LEN only as a
	 * whole token; a longer one everywhere */
	is_str(red("s3cret s3cret, xs3cretx"), "*** ***, xs3cretx",
	       "a short secret: whole tokens only, not inside words");
	ok(redact_add(R, "l0ngs3cretvalue", 15) == 0, "add a long secret");
	is_str(red("l0ngs3cretvaluel0ngs3cretvalue xl0ngs3cretvaluex"), "****** x***x",
	       "a long secret: every occurrence, even inside words");
	is_str(red("[\"p\\\"a&ss w/d\"]"), "[\"***\"]", "the JSON-escaped form");
	is_str(red("[\"p\\\"a&ss w\\/d\"]"), "[\"***\"]", "the JSON form with \\/");
	is_str(red("<string>p\"a&amp;ss w/d</string>"), "<string>***</string>",
	       "the XML-escaped form");
	is_str(red("<string>p&quot;a&amp;ss w/d</string>"), "<string>***</string>",
	       "the XML form with &quot;");
	is_str(red("x=p%22a%26ss%20w%2Fd&y=1"), "x=***&y=1", "the URL-encoded form");
	is_str(red("x=p%22a%26ss+w%2Fd"), "x=***", "the form-encoded form");
	is_str(red("nothing to hide"), "nothing to hide", "other text unchanged");
	is_str(red(""), "", "empty text");

	/* headers */
	is_str(red("GET / HTTP/1.1\r\nHost: x\r\nAuthorization: Basic dXNlcjpwdw==\r\n"
	           "cookie: session_id=abc; x=y\r\nAccept: */*\r\n\r\n"),
	       "GET / HTTP/1.1\r\nHost: x\r\nAuthorization: ***\r\ncookie: ***\r\nAccept: */*\r\n\r\n",
	       "Authorization and Cookie headers");
	is_str(red("HTTP/1.1 200 OK\nSet-Cookie: session_id=abc; HttpOnly\nProxy-Authorization: "
	           "Bearer x\nX-Api-Key: k\n"),
	       "HTTP/1.1 200 OK\nSet-Cookie: ***\nProxy-Authorization: ***\nX-Api-Key: ***\n",
	       "Set-Cookie, Proxy-Authorization, X-Api-Key");
	is_str(red("X-Authorization: x\nMy-Cookie: y\n"), "X-Authorization: x\nMy-Cookie: y\n",
	       "only the exact header names");
	is_str(red("Authorization:"), "Authorization:***", "an empty header value");

	/* JSON fields */
	is_str(red("{\"login\":\"admin\",\"password\":\"hunter2\",\"db\":\"x\"}"),
	       "{\"login\":\"admin\",\"password\":\"***\",\"db\":\"x\"}", "JSON password");
	is_str(red("{\"access_token\" : \"a.b.c\", \"token_type\":\"Bearer\", \"expires_in\":3600,"
	           " \"refresh_token\":\"r\\\"x\", \"Client_Secret\": 12345, \"api_key\": null}"),
	       "{\"access_token\" : \"***\", \"token_type\":\"Bearer\", \"expires_in\":3600,"
	       " \"refresh_token\":\"***\", \"Client_Secret\": ***, \"api_key\": null}",
	       "token fields, escapes, numbers, null kept, names exact");
	is_str(red("{\"my_password\":\"x\",\"passwords\":\"y\",\"password\":false}"),
	       "{\"my_password\":\"x\",\"passwords\":\"y\",\"password\":false}",
	       "longer names and false untouched");
	is_str(red("{\"password\":\"unterminated"), "{\"password\":\"***", "unterminated string");
	/* forms and queries */
	is_str(red("grant_type=client_credentials&client_id=app&client_secret=xyz&scope=a+b"),
	       "grant_type=client_credentials&client_id=app&client_secret=***&scope=a+b",
	       "form client_secret");
	is_str(red("GET /api?api_key=K123&page=2 HTTP/1.1"), "GET /api?api_key=***&page=2 HTTP/1.1",
	       "query api_key");
	is_str(red("token="), "token=", "empty form value");
	/* XML */
	is_str(red("<Login><User>u</User><Password>pw</Password></Login>"),
	       "<Login><User>u</User><Password>***</Password></Login>", "XML element");
	is_str(red("<ns1:password xsi:type=\"string\">pw</ns1:password><password/>"),
	       "<ns1:password xsi:type=\"string\">***</ns1:password><password/>",
	       "namespaced element with attributes; empty element");
	is_str(red("<member><name>password</name><value><string>pw</string></value></member>"
	           "<member><name>token</name>\n <value>tk</value></member>"),
	       "<member><name>password</name><value><string>***</string></value></member>"
	       "<member><name>token</name>\n <value>***</value></member>",
	       "XML-RPC struct members");
	is_str(red("<password>"), "<password>", "truncated XML left alone");
	is_str(red("the password is what you type"), "the password is what you type",
	       "the word in prose is left alone");

	ok(redact_is_secret_field("PASSWORD", 8), "field names are caseless");
	ok(!redact_is_secret_field("pass", 4), "pass is not a field");
	ok(redact_is_secret_header("Set-Cookie", 10), "set-cookie header");

	/* the cap on the output */
	buf_init(&b, 8);
	is_int(redact_text(R, "0123456789", 10, &b), -1, "output over the cap fails");
	buf_release(&b);

	/* the process-wide registry */
	ok(redact_secret("topsecret") == 0 && redact_secret(NULL) == 0, "default registry");
	buf_init(&b, 100);
	redact_text(redact_default(), "a topsecret b", 13, &b);
	is_str(buf_str(&b), "a *** b", "default registry redacts");
	buf_release(&b);
	/* a one-letter secret must not mangle messages and so give itself away */
	redact_add(R, "p", 1);
	is_str(red("https://example.com/api/p/x?p=1 p"), "https://example.com/api/***/x?***=1 ***",
	       "one-letter secret: only where it stands alone");
	is_str(red("cannot open 'http://pp.example': ppp"), "cannot open 'http://pp.example': ppp",
	       "...never inside a word (\"htt***s://\")");

	/* a credential in a URL */
	is_str(red("cannot connect to 'http://user:pw@host:8069/x?y=1' (refused)"),
	       "cannot connect to 'http://user:***@host:8069/x?y=1' (refused)",
	       "URL userinfo password");
	is_str(red("url = https://a:b:c@h/"), "url = https://a:***@h/",
	       "the whole password, colons too");
	is_str(red("https://h/z@q:r and mailto:x@y http://h:80/"),
	       "https://h/z@q:r and mailto:x@y http://h:80/", "no userinfo, no change");
	{
		/* messages: log.h's filter is redact's, -v or not */
		struct buf m = BUF_INIT;
		ok(ep_log_filter != NULL, "linking redact installs the message filter");
		buf_init(&m, 1000);
		ep_log_filter("bad url 'http://u:hunter2@h/'", 29, &m);
		is_str(buf_str(&m), "bad url 'http://u:***@h/'",
		       "...which redacts URL credentials");
		buf_release(&m);
	}
	redact_free(R);
	return done_testing();
}
