#include "tap.h"
#include "state.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int
main(void)
{
	char dir[] = "/tmp/t-state.XXXXXX", path[256], text[512] = { 0 };
	struct state a, b;
	struct ep_err e = EP_ERR_INIT;
	cJSON *pos, *m;
	struct stat sb;
	int fd;

	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/st.json", dir);
	m = state_read(path, &e);
	ok(cJSON_IsObject(m) && m->child == NULL, "missing state reads as {}");
	cJSON_Delete(m);

	ok(state_open(&a, path, &e) == 0, "open takes the lock");
	is_int(state_open(&b, path, &e), -1, "second open refused");
	is_int(e.code, EP_TEMPFAIL, "with 75");
	ok(strstr(e.msg, "is locked by another run") != NULL, "lock message");
	state_close(&b);

	pos = cJSON_Parse("{\"write_date\":\"2026-01-01 00:00:00\",\"id\":7}");
	ok(state_commit(&a, "odoo:prod:res.partner", pos, &e) == 0, "commit");
	cJSON_Delete(pos);
	pos = cJSON_Parse("{\"cursor\":\"abc\"}");
	ok(state_commit(&a, "bng:x:customers", pos, &e) == 0, "second stream");
	cJSON_Delete(pos);
	pos = cJSON_Parse("{\"write_date\":\"2026-01-02 00:00:00\",\"id\":9}");
	ok(state_commit(&a, "odoo:prod:res.partner", pos, &e) == 0, "replace first stream");
	cJSON_Delete(pos);
	ok(stat(path, &sb) == 0 && (sb.st_mode & 077) == 0, "state file is 0600");
	fd = open(path, O_RDONLY);
	ok(read(fd, text, sizeof(text) - 1) > 0, "read back");
	close(fd);
	m = cJSON_Parse(text);
	ok(m != NULL, "valid JSON");
	is_int(cJSON_GetObjectItem(cJSON_GetObjectItem(m, "odoo:prod:res.partner"), "id")->valueint,
	       9, "latest position");
	is_str(cJSON_GetObjectItem(cJSON_GetObjectItem(m, "bng:x:customers"), "cursor")->valuestring,
	       "abc", "other stream kept");
	cJSON_Delete(m);
	state_close(&a);
	ok(state_open(&b, path, &e) == 0, "lock free after close");
	ok(cJSON_GetObjectItem(b.map, "bng:x:customers") != NULL, "map loaded on open");
	state_close(&b);

	fd = open(path, O_WRONLY | O_TRUNC);
	if (write(fd, "[1,2]", 5) != 5)
		abort();
	close(fd);
	ok(state_read(path, &e) == NULL, "a state file that is not an object");
	is_int(e.code, EP_DATAERR, "is bad data (65)");

	{
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			abort();
	}
	return done_testing();
}
