/*
 * extract_out.c - the extractors' output (extract.h): records, Singer
 * messages and checkpoint lines on one NDJSON writer.
 */
#include "connect/extract.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "stream/json_tree.h"
#include "base/ops.h"
#include "base/text.h"

/* ---- output ------------------------------------------------------------- */

int
extract_out_init(struct extract_out *o, int fd, const char *stream, struct ep_err *err)
{
	memset(o, 0, sizeof(*o));
	signal(SIGPIPE, SIG_IGN);
	ndjson_writer_init(&o->w, fd);
	buf_init(&o->line, 0);
	if (fd == 1 && ndjson_repair_stdout(err) < 0)
		return -1;
	if ((o->stream = strdup(stream ? stream : "")) == NULL)
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	ops_stream_name(o->stream);
	return 0;
}

int
extract_out_singer(struct extract_out *o, const char *name, const cJSON *schema, const cJSON *keys,
                   struct ep_err *err)
{
	cJSON *m = cJSON_CreateObject();
	struct buf head = BUF_INIT;
	char *text = NULL;

	free(o->rec_head);
	free(o->schema);
	o->rec_head = o->schema = NULL;
	/* each RECORD starts the same: made once */
	if (buf_adds(&head, "{\"type\":\"RECORD\",\"stream\":") < 0 ||
	    json_quote(&head, name, strlen(name)) < 0 || buf_adds(&head, ",\"record\":") < 0 ||
	    (o->rec_head = buf_detach(&head, NULL)) == NULL) {
		buf_release(&head);
		cJSON_Delete(m);
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	}
	if (m == NULL || !cJSON_AddStringToObject(m, "type", "SCHEMA") ||
	    !cJSON_AddStringToObject(m, "stream", name) ||
	    !cJSON_AddItemToObject(m, "schema",
	                           schema ? cJSON_Duplicate(schema, 1)
	                                  : cJSON_Parse("{\"type\":\"object\"}")) ||
	    !cJSON_AddItemToObject(m, "key_properties",
	                           keys ? cJSON_Duplicate(keys, 1) : cJSON_CreateArray()) ||
	    (text = json_tree_print(m)) == NULL) {
		cJSON_Delete(m);
		return ep_errf(err, EP_SOFTWARE, "out of memory");
	}
	cJSON_Delete(m);
	o->schema = text;
	o->singer = 1;
	return 0;
}

/* Singer: the SCHEMA message before the stream's first RECORD or STATE. */
static int
singer_schema(struct extract_out *o)
{
	if (!o->singer || o->schema_sent)
		return 0;
	o->schema_sent = 1;
	return ndjson_write(&o->w, o->schema, strlen(o->schema));
}

int
extract_emit(struct extract_out *o, const char *json, size_t len)
{
	if (o->singer) {
		int r;
		if (singer_schema(o) < 0)
			return -1;
		buf_reset(&o->line);
		r = buf_adds(&o->line, o->rec_head);
		r |= buf_add(&o->line, json, len);
		r |= buf_addc(&o->line, '}');
		if (r < 0) {
			o->w.failed = ENOMEM;
			return -1;
		}
		json = o->line.p;
		len = o->line.len;
	}
	if (ndjson_write(&o->w, json, len) < 0)
		return -1;
	o->records++;
	ops.n[OPS_READ]++;
	ops.n[OPS_WROTE]++;
	ops_tick(0);
	return 0;
}

int
extract_checkpoint(struct extract_out *o, const cJSON *pos)
{
	char *p;
	int r;

	if (ndjson_flush(&o->w) < 0)
		return -1;
	buf_reset(&o->line);
	if ((p = json_tree_print(pos)) == NULL) {
		o->w.failed = ENOMEM;
		return -1;
	}
	if (singer_schema(o) < 0) {
		free(p);
		return -1;
	}
	/* Singer: STATE's value is what --state reads back, {stream: pos} */
	r = buf_adds(&o->line, o->singer ? "{\"type\":\"STATE\",\"value\":{"
	                                 : "{\"_checkpoint\":{\"stream\":");
	r |= json_quote(&o->line, o->stream, strlen(o->stream));
	r |= buf_adds(&o->line, o->singer ? ":" : ",\"v\":1,\"pos\":");
	r |= buf_adds(&o->line, p);
	r |= buf_adds(&o->line, "}}");
	free(p);
	if (r < 0) {
		o->w.failed = ENOMEM;
		return -1;
	}
	if (ndjson_write(&o->w, o->line.p, o->line.len) < 0 || ndjson_flush(&o->w) < 0)
		return -1;
	o->checkpoints++;
	ops_checkpoint(pos);
	return 0;
}

int
extract_out_ok(struct extract_out *o, struct ep_err *err)
{
	if (!o->w.epipe && !o->w.failed)
		ndjson_flush(&o->w);
	if (o->w.epipe)
		return 0;
	if (o->w.failed)
		return ep_errf(err, EP_IOERR, "cannot write to stdout: %s", strerror(o->w.failed));
	return 0;
}

void
extract_out_free(struct extract_out *o)
{
	ndjson_writer_free(&o->w);
	buf_release(&o->line);
	free(o->stream);
	free(o->rec_head);
	free(o->schema);
	o->stream = o->rec_head = o->schema = NULL;
}
