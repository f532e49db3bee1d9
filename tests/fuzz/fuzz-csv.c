/*
 * fuzz-csv.c - the CSV reader and writer (lib/csvio) on arbitrary bytes.
 * The first byte picks the options: the delimiter, the quote character,
 * --infer-types, the quoting style and a small row cap, so the over-long,
 * bare-CR and bad-quote paths are reached.  Every record the reader makes
 * must be a valid JSON object, and the writer must turn each one back into
 * a row; an input that is itself a JSON object goes through the writer too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stream/csvio.h"
#include "stream/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
write_one(struct csvio_writer *w, const char *p, size_t n)
{
	struct ep_err e;

	if (csvio_write(w, p, n, &e) == 0) {
		if (w->row.p == NULL || (w->header_pending && w->header.p == NULL))
			abort();
		w->header_pending = 0;
	} else if (e.code != EP_DATAERR)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char delims[] = { ',', ';', '\t', '|' };
	struct csvio_opts o;
	struct csvio_reader r;
	struct csvio_writer w;
	struct csvio_row row;
	struct ep_err e;
	enum csvio_kind k;
	int fds[2];

	if (size == 0)
		return 0;
	csvio_opts_init(&o);
	o.delim = (unsigned char)delims[data[0] & 3];
	o.quote = (data[0] & 4) ? '\'' : '"';
	o.infer = (data[0] >> 3) & 1;
	o.quote_style = ((data[0] >> 4) & 3) % 3;
	size_t max = (data[0] & 0x40) ? 8 + data[0] % 32 : 0;
	data++;
	size--;
	if (csvio_writer_init(&w, &o, &e) < 0)
		abort();
	if (json_check((const char *)data, size, NULL, NULL) == JSON_OBJECT) {
		write_one(&w, (const char *)data, size);
		write_one(&w, (const char *)data, size);
	}
	if (size > 65536 || pipe(fds) < 0) {
		csvio_writer_free(&w);
		return 0;
	}
	if (write(fds[1], data, size) != (ssize_t)size) {
		close(fds[0]);
		close(fds[1]);
		csvio_writer_free(&w);
		return 0;
	}
	close(fds[1]);
	if (csvio_open(&r, NULL, &o, max, &e) < 0)
		abort();
	r.in.fd = fds[0];
	while ((k = csvio_next(&r, &row, &e)) != CSVIO_EOF && k != CSVIO_ERROR &&
	       k != CSVIO_BADFILE) {
		if (k == CSVIO_RECORD) {
			if (json_check(row.json, row.len, NULL, NULL) != JSON_OBJECT)
				abort();
			write_one(&w, row.json, row.len);
		} else if (row.raw_len > row.raw_total || row.why == NULL)
			abort();
	}
	close(fds[0]);
	csvio_close(&r);
	csvio_writer_free(&w);
	return 0;
}
