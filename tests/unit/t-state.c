#include "tap.h"
#include "stream/state.h"

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
	is_str(cJSON_GetObjectItem(cJSON_GetObjectItem(m, "bng:x:customers"), "cursor")
	               ->valuestring,
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

	/* issue 15, defect 12: FILE.lock deleted under a run */
	{
		char lock[300], tmp[300];

		unlink(path);
		snprintf(lock, sizeof(lock), "%s.lock", path);
		ok(state_open(&a, path, &e) == 0, "a: open");
		ok(unlink(lock) == 0, "FILE.lock deleted while a holds it");
		is_int(state_open(&b, path, &e), -1, "b: refused all the same");
		is_int(e.code, EP_TEMPFAIL, "with 75");
		state_close(&b);
		pos = cJSON_Parse("{\"seq\":1}");
		ok(state_commit(&a, "s", pos, &e) == 0, "a commits");
		cJSON_Delete(pos);
		is_int(state_open(&b, path, &e), -1,
		       "b: refused after a's commit (the lock moved with the file)");
		state_close(&b);
		/* the state file replaced by hand: a does not overwrite it */
		snprintf(tmp, sizeof(tmp), "%s.hand", path);
		fd = open(tmp, O_WRONLY | O_CREAT, 0600);
		if (fd < 0 || write(fd, "{}", 2) != 2)
			abort();
		close(fd);
		ok(rename(tmp, path) == 0, "state file replaced by hand");
		pos = cJSON_Parse("{\"seq\":2}");
		is_int(state_commit(&a, "s", pos, &e), -1, "a: that commit refused");
		is_int(e.code, EP_TEMPFAIL, "with 75");
		cJSON_Delete(pos);
		state_close(&a);

		/* leftover temporary files of a killed commit */
		snprintf(tmp, sizeof(tmp), "%s.tmp.12345", path);
		fd = open(tmp, O_WRONLY | O_CREAT, 0600);
		close(fd);
		snprintf(lock, sizeof(lock), "%s.tmp.x1", path);
		fd = open(lock, O_WRONLY | O_CREAT, 0600);
		close(fd);
		ok(state_open(&a, path, &e) == 0, "open again");
		ok(access(tmp, F_OK) != 0, "FILE.tmp.PID left by a killed commit removed");
		ok(access(lock, F_OK) == 0, "another name kept");
		state_close(&a);
	}

	/* issue 15, defect 3: the committed position never moves back */
	{
		struct {
			const char *pos, *committed;
			int older;
		} c[] = {
			{ "{\"write_date\":\"2026-01-01 00:00:00\",\"id\":7}",
			  "{\"write_date\":\"2026-01-01 00:04:07\",\"id\":1}", 1 },
			{ "{\"write_date\":\"2026-01-01 00:04:07\",\"id\":1}",
			  "{\"write_date\":\"2026-01-01 00:04:07\",\"id\":9}", 1 },
			{ "{\"write_date\":\"2026-01-01 00:04:07\",\"id\":9}",
			  "{\"write_date\":\"2026-01-01 00:04:07\",\"id\":9}", 0 },
			{ "{\"write_date\":\"2026-01-01 00:04:08\",\"id\":1}",
			  "{\"write_date\":\"2026-01-01 00:04:07\",\"id\":9}", 0 },
			{ "{\"updated_at\":\"2026-01-01T00:00:00.5Z\",\"id\":\"b\"}",
			  "{\"updated_at\":\"2026-01-01T00:00:01+01:00\",\"id\":\"a\"}", 0 },
			{ "{\"updated_at\":\"2025-12-31T23:00:00.5Z\",\"id\":\"b\"}",
			  "{\"updated_at\":\"2026-01-01T00:00:01+01:00\",\"id\":\"a\"}", 1 },
			{ "{\"seq\":4}", "{\"seq\":5}", 1 },
			{ "{\"SystemModifiedAt\":\"2026-01-01T00:00:00Z\",\"key\":{\"No\":\"1\"}}",
			  "{\"SystemModifiedAt\":\"2026-01-01T00:00:00Z\",\"key\":{\"No\":\"2\"}}",
			  0 },
			{ "{\"cursor\":\"abc\"}", "{\"cursor\":\"abd\"}", 0 },
			{ "{\"seq\":4}", "{\"write_date\":\"2026-01-01 00:00:00\"}", 0 },
		};
		for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
			cJSON *p = cJSON_Parse(c[i].pos), *q = cJSON_Parse(c[i].committed);
			char name[64];
			snprintf(name, sizeof(name), "state_pos_older case %zu", i + 1);
			is_int(state_pos_older(p, q), c[i].older, name);
			cJSON_Delete(p);
			cJSON_Delete(q);
		}
		unlink(path);
		ok(state_open(&a, path, &e) == 0, "open");
		pos = cJSON_Parse("{\"write_date\":\"2026-01-01 00:04:07\",\"id\":9}");
		ok(state_commit(&a, "o", pos, &e) == 0, "commit a position");
		cJSON_Delete(pos);
		pos = cJSON_Parse("{\"write_date\":\"2026-01-01 00:00:00\",\"id\":3}");
		ok(state_commit(&a, "o", pos, &e) == 0, "an older one is no error");
		cJSON_Delete(pos);
		state_close(&a);
		m = state_read(path, &e);
		is_str(cJSON_GetObjectItem(cJSON_GetObjectItem(m, "o"), "write_date")->valuestring,
		       "2026-01-01 00:04:07", "...and the committed one is kept");
		cJSON_Delete(m);
		/* past the 16 MiB state_read takes: refused, the file as it was */
		{
			size_t big = (16u << 20) + 1;
			char *huge = malloc(big + 1);

			if (huge == NULL)
				abort();
			memset(huge, 'x', big);
			huge[big] = '\0';
			ok(state_open(&a, path, &e) == 0, "open again");
			pos = cJSON_CreateObject();
			cJSON_AddStringToObject(pos, "history", huge);
			e.code = 0;
			ok(state_commit(&a, "big", pos, &e) < 0 && e.code == EP_DATAERR &&
			           strstr(e.msg, "more than the 16 MiB a state file holds") != NULL,
			   "a state past 16 MiB is not committed");
			cJSON_Delete(pos);
			free(huge);
			state_close(&a);
			m = state_read(path, &e);
			ok(m && cJSON_GetObjectItem(m, "big") == NULL &&
			           cJSON_GetObjectItem(m, "o"),
			   "...the file as it was, and readable");
			cJSON_Delete(m);
		}
	}

	{
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			abort();
	}
	return done_testing();
}
