#include "tap.h"
#include "stream/ndjson.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

static char path[256];

static void
put(const char *data, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (write(fd, data, n) != (ssize_t)n)
		abort();
	close(fd);
}

int
main(void)
{
	struct ndjson_reader r;
	struct ndjson_line ln;
	struct ep_err e = EP_ERR_INIT;
	char *big;
	size_t bn = 100000;

	snprintf(path, sizeof(path), "/tmp/t-ndjson.%d", (int)getpid());

	put("{\"a\":1}\r\n\n  \r\n{\"b\":2}\n{\"c\":3}", 29);
	ok(ndjson_open(&r, path, 0, &e) == 0, "open");
	is_int(ndjson_next(&r, &ln, &e), NDJ_LINE, "first line");
	ok(ln.len == 7 && memcmp(ln.p, "{\"a\":1}", 7) == 0, "CRLF stripped");
	is_int(ln.lineno, 1, "line 1");
	is_int(ndjson_next(&r, &ln, &e), NDJ_LINE, "second record");
	is_int(ln.lineno, 4, "blank lines skipped but counted");
	is_int(ln.last_no_nl, 0, "has newline");
	is_int(ndjson_next(&r, &ln, &e), NDJ_LINE, "last line without newline");
	ok(ln.len == 7 && memcmp(ln.p, "{\"c\":3}", 7) == 0, "last line bytes");
	is_int(ln.last_no_nl, 1, "flagged as without newline");
	is_int(ndjson_next(&r, &ln, &e), NDJ_EOF, "eof");
	is_int(ndjson_next(&r, &ln, &e), NDJ_EOF, "eof again");
	ndjson_close(&r);

	/* over-long lines, each longer than the 256 KiB first buffer */
	big = malloc(bn * 3 + 10);
	memset(big, 'x', bn * 3 + 10);
	big[bn] = '\n';
	memcpy(big + bn + 1, "{}\n", 3);
	big[bn * 3 + 9] = '\n';
	put(big, bn * 3 + 10);
	ok(ndjson_open(&r, path, 1000, &e) == 0, "open with max 1000");
	is_int(ndjson_next(&r, &ln, &e), NDJ_TOO_LONG, "100000-byte line too long");
	is_int(ln.total, bn, "its full length");
	is_int(ln.len, NDJ_KEEP, "head kept");
	is_int(ndjson_next(&r, &ln, &e), NDJ_LINE, "next line read normally");
	ok(ln.len == 2 && ln.lineno == 2, "it is {} on line 2");
	is_int(ndjson_next(&r, &ln, &e), NDJ_TOO_LONG, "third line too long");
	is_int(ln.lineno, 3, "line 3");
	is_int(ndjson_next(&r, &ln, &e), NDJ_EOF, "eof after");
	ndjson_close(&r);

	/* a line exactly at the limit is accepted, one byte more is not */
	memset(big, 'y', 1001);
	big[1000] = '\n';
	memset(big + 1001, 'z', 1002);
	big[2002] = '\n';
	put(big, 2003);
	ok(ndjson_open(&r, path, 1000, &e) == 0, "open");
	is_int(ndjson_next(&r, &ln, &e), NDJ_LINE, "1000 bytes accepted");
	is_int(ln.len, 1000, "length 1000");
	is_int(ndjson_next(&r, &ln, &e), NDJ_TOO_LONG, "1001 bytes refused");
	is_int(ln.total, 1001, "total 1001");
	ndjson_close(&r);

	/* a line longer than the limit with no newline at all */
	memset(big, 'w', 1500);
	put(big, 1500);
	ok(ndjson_open(&r, path, 1000, &e) == 0, "open");
	is_int(ndjson_next(&r, &ln, &e), NDJ_TOO_LONG, "unterminated long line");
	is_int(ln.last_no_nl, 1, "flagged without newline");
	is_int(ndjson_next(&r, &ln, &e), NDJ_EOF, "then eof");
	ndjson_close(&r);
	free(big);

	is_int(ndjson_open(&r, "/nonexistent/x", 0, &e), -1, "missing file");
	is_int(e.code, EP_NOINPUT, "66 for a missing file");
	is_str(e.msg, "cannot open '/nonexistent/x': No such file or directory", "message");

	/* writer */
	{
		struct ndjson_writer w;
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		char got[64] = { 0 };
		ndjson_writer_init(&w, fd);
		ndjson_write(&w, "{\"a\":1}", 7);
		ok(w.b.len == 8, "buffered");
		w.flush_every = 2;
		ndjson_write(&w, "{}", 2);
		is_int(w.b.len, 0, "flushed after 2 records");
		ok(ndjson_sync(&w) == 0, "sync on a regular file");
		close(fd);
		fd = open(path, O_RDONLY);
		is_int(read(fd, got, sizeof(got)), 11, "bytes written");
		is_str(got, "{\"a\":1}\n{}\n", "content");
		close(fd);
		ndjson_writer_free(&w);
	}
	{
		struct ndjson_writer w;
		int p[2];
		if (pipe(p) < 0)
			abort();
		close(p[0]);
		signal(SIGPIPE, SIG_IGN);
		ndjson_writer_init(&w, p[1]);
		ndjson_write(&w, "{}", 2);
		is_int(ndjson_flush(&w), -1, "flush to a closed pipe fails");
		is_int(w.epipe, 1, "as EPIPE");
		is_int(ndjson_write(&w, "{}", 2), -1, "later writes fail at once");
		close(p[1]);
		ndjson_writer_free(&w);
	}
	unlink(path);
	return done_testing();
}
