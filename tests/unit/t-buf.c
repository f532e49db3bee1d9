#include "tap.h"
#include "base/buf.h"
#include "base/err.h"

#include <stdlib.h>

int
main(void)
{
	struct buf b = BUF_INIT;
	struct ep_err e = EP_ERR_INIT;
	char *s;
	size_t n;

	is_str(buf_str(&b), "", "empty buffer reads as empty string");
	ok(buf_adds(&b, "abc") == 0, "add string");
	ok(buf_addc(&b, 'd') == 0, "add char");
	ok(buf_addf(&b, "-%d-%s", 42, "x") == 0, "add formatted");
	is_str(buf_str(&b), "abcd-42-x", "contents");
	buf_reset(&b);
	is_int(b.len, 0, "reset empties");
	buf_release(&b);

	buf_init(&b, 8);
	ok(buf_add(&b, "12345678", 8) == 0, "fill to the cap");
	ok(buf_addc(&b, '9') == -1, "one byte past the cap fails");
	is_str(buf_str(&b), "12345678", "failed add leaves contents");
	s = buf_detach(&b, &n);
	is_int(n, 8, "detach length");
	is_str(s, "12345678", "detach contents");
	ok(b.p == NULL && b.len == 0, "detach leaves an empty buffer");
	free(s);

	ok(ep_errf(&e, EP_DATAERR, "bad '%s'", "x") == -1, "errf returns -1");
	ep_err_prefix(&e, "file %s", "a.json");
	is_str(e.msg, "file a.json: bad 'x'", "prefix");
	is_int(e.code, 65, "code kept");
	ok(ep_err_closed(&e) == -1 && e.what == EP_ERR_CLOSED && e.code == EP_IOERR,
	   "ep_err_closed: told apart by what, not by the message");
	ep_err_prefix(&e, "report");
	is_int(e.what, EP_ERR_CLOSED, "a prefix keeps what");
	ep_errf(&e, EP_IOERR, "output closed");
	is_int(e.what, 0, "the same words from ep_errf are not EP_ERR_CLOSED");
	return done_testing();
}
