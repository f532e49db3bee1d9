/*
 * fuzz-load.c - load's handling of outside records: lib/load (_op, _key,
 * --key values, batching, duplicate keys, splitting a refused batch) and the
 * Odoo target's value handling (many2one shapes, lines, external ids,
 * unchanged comparison, write commands), over an in-memory Odoo that
 * answers fields_get, search_read, read, create, write, unlink and methods.
 * The input is NDJSON; its first byte picks the batch size, --key or
 * --xmlid, and --then.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "engine/load.h"
#include "connect/load_odoo.h"
#include "base/log.h"
#include "stream/stage.h"

#include "fuzz-files.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fields_json[] =
	"{\"id\":{\"type\":\"integer\",\"store\":true},"
	"\"name\":{\"type\":\"char\",\"store\":true},"
	"\"ref\":{\"type\":\"char\",\"store\":true},"
	"\"email\":{\"type\":\"char\",\"store\":true},"
	"\"active\":{\"type\":\"boolean\",\"store\":true},"
	"\"credit_limit\":{\"type\":\"float\",\"store\":true},"
	"\"date\":{\"type\":\"datetime\",\"store\":true},"
	"\"display_name\":{\"type\":\"char\",\"store\":false,\"readonly\":true},"
	"\"country_id\":{\"type\":\"many2one\",\"relation\":\"res.country\",\"store\":true},"
	"\"parent_id\":{\"type\":\"many2one\",\"relation\":\"res.partner\",\"store\":true},"
	"\"child_ids\":{\"type\":\"one2many\",\"relation\":\"res.partner\",\"store\":true},"
	"\"category_id\":{\"type\":\"many2many\",\"relation\":\"res.partner.category\","
	"\"store\":true}}";

/* The fake server: a few records it "has", found by ref or external id. */
static int next_id = 100;

static int
fake_rpc(void *conn, const char *model, const char *method, const cJSON *args, const cJSON *kwargs,
         cJSON **res, struct load_error *e)
{
	(void)conn;
	(void)kwargs;
	if (strcmp(method, "fields_get") == 0) {
		*res = cJSON_Parse(fields_json);
		return 0;
	}
	if (strcmp(method, "search_read") == 0 || strcmp(method, "read") == 0) {
		if (strcmp(model, "ir.model.data") == 0)
			*res = cJSON_Parse("[{\"id\":1,\"module\":\"__import__\",\"name\":\"x1\","
			                   "\"model\":\"res.partner\",\"res_id\":7},"
			                   "{\"id\":2,\"module\":\"base\",\"name\":\"be\","
			                   "\"model\":\"res.country\",\"res_id\":21}]");
		else if (strcmp(model, "res.partner") == 0)
			*res = cJSON_Parse(
				"[{\"id\":7,\"name\":\"Seven\",\"ref\":\"R7\","
				"\"display_name\":\"Seven\",\"country_id\":[21,\"Belgium\"],"
				"\"child_ids\":[8,9],\"category_id\":[1,2],\"credit_limit\":0,"
				"\"active\":true,\"email\":false,\"parent_id\":false},"
				"{\"id\":8,\"name\":\"Eight\",\"ref\":\"R8\","
				"\"display_name\":\"Seven, Eight\",\"parent_id\":[7,\"Seven\"]},"
				"{\"id\":9,\"name\":\"Nine\",\"ref\":\"R8\"}]");
		else
			*res = cJSON_Parse("[{\"id\":21,\"name\":\"Belgium\",\"code\":\"BE\","
			                   "\"display_name\":\"Belgium\"}]");
		return 0;
	}
	if (strcmp(method, "create") == 0) {
		const cJSON *list = cJSON_GetArrayItem(args, 0);
		char *s = cJSON_PrintUnformatted(list);
		int bad = s && strstr(s, "\"bad\"") != NULL;
		free(s);
		if (bad)
			return load_errf(e, EP_DATAERR, "odoo.exceptions.ValidationError", "bad");
		*res = cJSON_CreateArray();
		for (const cJSON *c = list ? list->child : NULL; c; c = c->next)
			cJSON_AddItemToArray(*res, cJSON_CreateNumber(next_id++));
		return 0;
	}
	if (strcmp(method, "write") == 0) {
		char *s = cJSON_PrintUnformatted(args);
		int bad = s && strstr(s, "\"bad\"") != NULL;
		free(s);
		if (bad)
			return load_errf(e, EP_DATAERR, "odoo.exceptions.UserError", "bad write");
		*res = cJSON_CreateTrue();
		return 0;
	}
	if (strcmp(method, "fail") == 0)
		return load_errf(e, EP_DATAERR, "odoo.exceptions.UserError", "no");
	*res = cJSON_CreateTrue();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[128];
	char *files[1] = { path };
	const char *dir;
	struct stage_cfg cfg;
	struct load_opts o;
	struct load_odoo_cfg lc = { .call = fake_rpc, .model = "res.partner" };
	struct load_odoo *lo;
	struct ep_err err = EP_ERR_INIT;
	int mode, saved, null;

	if (size == 0 || size > 65536)
		return 0;
	ep_verbose = -1;
	mode = data[0];
	data++;
	size--;
	/* the input file in one directory of the process ($TMPDIR: a tmpfs
	 * runs the target faster than /tmp on disk), written over each time */
	if ((dir = fuzz_dir("fuzz-load")) == NULL)
		return 0;
	snprintf(path, sizeof path, "%s/in.ndjson", dir);
	if (fuzz_put(path, data, size) < 0)
		return 0;
	stage_cfg_init(&cfg, "load");
	cfg.rejects = "/dev/null";
	cfg.max_line = 1 << 20;
	load_opts_init(&o);
	o.batch = 1 + (mode & 7);
	o.dry_run = (mode >> 6) & 1;
	if (mode & 8) {
		lc.xmlid = "xid";
		o.key[0] = "xid";
		o.nkey = 1;
	} else {
		o.key[0] = "ref";
		o.nkey = (mode & 16) ? 0 : 1;
		lc.key = o.key;
		lc.nkey = o.nkey;
	}
	if (mode & 32) {
		o.then[0] = (mode & 128) ? "fail" : "action_confirm";
		o.nthen = 1;
	}
	if ((lo = load_odoo_new(&lc, &err)) != NULL) {
		/* receipts to /dev/null, the replay's TAP stays on stdout */
		fflush(stdout);
		saved = dup(1);
		if ((null = open("/dev/null", O_WRONLY)) >= 0) {
			dup2(null, 1);
			close(null);
		}
		load_run(&cfg, &o, &load_odoo_target, lo, 1, files);
		if (saved >= 0) {
			dup2(saved, 1);
			close(saved);
		}
		load_odoo_free(lo);
	}
	return 0;
}
