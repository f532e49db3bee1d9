#include "tap.h"
#include "engine/anomaly.h"

#include <math.h>
#include <stdlib.h>

/* the two normal forms of a reference, "flat|seg" */
static const char *
norm(const char *ref)
{
	static char out[256];
	struct buf f = BUF_INIT, s = BUF_INIT;

	if (anomaly_ref_norm(ref, strlen(ref), &f, &s) < 0)
		return "(error)";
	snprintf(out, sizeof out, "%s|%s", buf_str(&f), buf_str(&s));
	buf_release(&f);
	buf_release(&s);
	return out;
}

static struct dec
dec_of(const char *s)
{
	struct dec d;

	if (dec_parse_str(s, &d) < 0)
		abort();
	return d;
}

/* learn each value of a list into group g of series s */
static void
feed(struct anomaly_hist *h, const char *s, const char *g, const char *const *v)
{
	struct anomaly_verdict vd;

	for (; *v; v++) {
		struct dec d = dec_of(*v);

		if (anomaly_judge(h, s, g, &d, NULL, 1000, 5, &vd) < 0 ||
		    anomaly_learn(h, &vd, &d, NULL) < 0)
			abort();
	}
}

static long long
day(const char *date)
{
	int y, m, d;

	sscanf(date, "%d-%d-%d", &y, &m, &d);
	/* days from civil (Howard Hinnant) */
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	long long yoe = y - era * 400;
	long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int
main(void)
{
	static const char *const past[] = { "1000.00", "1100.00", "900.00",  "1050.00", "950.00",
		                            "1020.00", "980.00",  "1010.00", "990.00",  "1200.00",
		                            "800.00",  "1000.00", NULL };
	static const char *const flat[] = { "99.00", "99.00", "99.00", "99.00", "99.00",
		                            "99.00", "99.00", "99.00", "99.00", "99.00",
		                            "99.00", "99.00", NULL };
	struct anomaly_hist *h = anomaly_hist_new(50), *h2;
	struct anomaly_verdict vd;
	struct anomaly_dup dup;
	struct anomaly_payment p = { "42",       "1200", day("2026-12-01"), "2026-12-01",
		                     "INV-0012", "7",    "a.ndjson:1" };
	struct ep_err err = EP_ERR_INIT;
	struct dec x;
	cJSON *map, *s, *pj;
	char *text;

	/* references */
	is_str(norm("INV-2024-001"), "2024001|2024.1", "INV-2024-001");
	is_str(norm("inv 2024/1"), "20241|2024.1", "the same after zeros per run");
	is_str(norm("INV20240001"), "20240001|20240001", "one run");
	is_str(norm("#00123"), "123|123", "a # and leading zeros");
	is_str(norm("No. 123"), "123|123", "No. dropped when more follows");
	is_str(norm("INV INV-123"), "123|123", "two document words");
	is_str(norm("INV"), "INV|INV", "a word alone is the reference");
	is_str(norm("F42"), "F42|F.42", "letters kept");
	is_str(norm("f 42"), "F42|F.42", "case and spaces");
	is_str(norm("000"), "0|0", "zeros: one zero");
	is_str(norm(" -/ "), "|", "punctuation only: no reference");
	is_str(norm("NOVA-12"), "NOVA12|NOVA.12", "a word must be whole");

	/* amounts: too little history, then judged */
	x = dec_of("98000.00");
	ok(anomaly_judge(h, "amount", "partner_id=42", &x, NULL, 12, 5, &vd) == 0 && !vd.judged &&
	           vd.n == 0,
	   "a new group is not judged");
	feed(h, "amount", "partner_id=42", past);
	ok(anomaly_judge(h, "amount", "partner_id=42", &x, NULL, 12, 5, &vd) == 0 && vd.judged &&
	           vd.flagged && vd.logscale && !vd.sign,
	   "x98 flagged on the log scale");
	is_str(vd.median, "1000.00", "exact median");
	is_str(vd.mad, "35.00", "exact MAD (deviations 0 0 10 10 20 20 50 50 ...)");
	ok(fabs(vd.ratio - 98) < 1e-9, "ratio 98");
	x = dec_of("10.00");
	ok(anomaly_judge(h, "amount", "partner_id=42", &x, NULL, 12, 5, &vd) == 0 && vd.flagged,
	   "a /100 slip flagged as far as x100");
	x = dec_of("1150.00");
	ok(anomaly_judge(h, "amount", "partner_id=42", &x, NULL, 12, 5, &vd) == 0 && vd.judged &&
	           !vd.flagged,
	   "within the spread: not flagged");
	x = dec_of("-1000.00");
	ok(anomaly_judge(h, "amount", "partner_id=42", &x, NULL, 12, 5, &vd) == 0 && vd.flagged &&
	           vd.sign && !vd.logscale,
	   "negative against an all-positive past: sign");
	x = dec_of("1000.00");
	ok(anomaly_judge(h, "amount", "partner_id=43", &x, NULL, 12, 5, &vd) == 0 && !vd.judged,
	   "groups apart");
	ok(anomaly_judge(h, "other", "partner_id=42", &x, NULL, 12, 5, &vd) == 0 && !vd.judged,
	   "series apart");
	/* a constant subscription: MAD 0, the 1% floor */
	feed(h, "amount", "sub", flat);
	x = dec_of("99.00");
	ok(anomaly_judge(h, "amount", "sub", &x, NULL, 12, 5, &vd) == 0 && !vd.flagged &&
	           vd.score == 0,
	   "the same amount again: score 0");
	x = dec_of("109.00");
	ok(anomaly_judge(h, "amount", "sub", &x, NULL, 12, 5, &vd) == 0 && vd.flagged,
	   "a 10% change of a fixed amount is flagged");
	x = dec_of("99.50");
	ok(anomaly_judge(h, "amount", "sub", &x, NULL, 12, 5, &vd) == 0 && !vd.flagged,
	   "half a percent is not");
	is_str(vd.mad, "", "no exact stats when not flagged");

	/* payments */
	ok(anomaly_dup_find(h, &p, 7, &dup) == 0 && !dup.found, "no payment yet");
	ok(anomaly_dup_add(h, &p) == 1, "remembered");
	p.ref = "inv 12";
	p.id = "8";
	p.day += 3;
	p.date = "2026-12-04";
	p.at = "a.ndjson:2";
	ok(anomaly_dup_find(h, &p, 7, &dup) == 0 && dup.found && dup.days == 3 && !dup.past &&
	           !dup.noref,
	   "INV-0012 and 'inv 12' 3 days apart");
	is_str(dup.other.at, "a.ndjson:1", "the other's place");
	is_str(dup.norm, "12", "the common form");
	ok(anomaly_dup_find(h, &p, 2, &dup) == 0 && !dup.found, "outside a 2-day window");
	p.amount = "1200.01";
	ok(anomaly_dup_find(h, &p, 7, &dup) == 0 && !dup.found, "another amount");
	p.amount = "1200";
	p.vendor = "43";
	ok(anomaly_dup_find(h, &p, 7, &dup) == 0 && !dup.found, "another vendor");
	p.vendor = "42";
	p.ref = "INV-0013";
	ok(anomaly_dup_find(h, &p, 7, &dup) == 0 && !dup.found, "another reference");
	p.ref = NULL;
	ok(anomaly_dup_find(h, &p, 7, &dup) == 0 && dup.found && dup.noref,
	   "no reference: nothing tells them apart");
	p.id = "7";
	ok(anomaly_dup_find(h, &p, 7, &dup) == 0 && !dup.found && dup.same,
	   "the same id: a replay");

	/* the history round trip */
	s = anomaly_hist_series_json(h);
	pj = anomaly_hist_payments_json(h, 7);
	map = cJSON_CreateObject();
	cJSON_AddItemToObject(map, ANOMALY_STREAM, s);
	cJSON_AddItemToObject(map, ANOMALY_PAY_STREAM, pj);
	h2 = anomaly_hist_new(5);
	ok(anomaly_hist_load(h2, map, "h.json", &err) == 0, "the history reads back");
	is_int(anomaly_hist_groups(h2), 2, "every group that has values");
	is_int(anomaly_hist_payments(h2), 1, "the payment");
	s = anomaly_hist_series_json(h2);
	text = cJSON_PrintUnformatted(cJSON_GetObjectItem(s, "series"));
	cJSON_Delete(s);
	ok(text && strstr(text, "\"partner_id=42\":[\"1010.00\",\"990.00\",\"1200.00\","
	                        "\"800.00\",\"1000.00\"]"),
	   "keep 5 holds the newest five, oldest first");
	diag("%s", text ? text : "");
	free(text);
	p.id = "9";
	p.ref = "#12";
	ok(anomaly_dup_find(h2, &p, 7, &dup) == 0 && dup.found && dup.past, "found in the past");
	anomaly_hist_free(h2);
	cJSON_Delete(map);

	/* bad history */
	{
		static const char *const bad[] = {
			"{\"erpipe:anomaly\":[]}",
			"{\"erpipe:anomaly\":{\"v\":1,\"series\":{\"a\":{\"g\":[1]}}}}",
			"{\"erpipe:anomaly\":{\"v\":1,\"series\":{\"a\":{\"g\":[\"x\"]}}}}",
			"{\"erpipe:payments\":{\"v\":1,\"payments\":[[\"1\",\"2\",\"2026-13-01\",null,"
			"null,\"a\"]]}}",
			"{\"erpipe:payments\":{\"v\":1,\"payments\":[[\"1\",\"2\",\"2026-12-01\",null]]"
			"}}",
			NULL
		};

		for (const char *const *b = bad; *b; b++) {
			cJSON *m = cJSON_Parse(*b);
			struct anomaly_hist *hb = anomaly_hist_new(5);

			err.code = 0;
			ok(anomaly_hist_load(hb, m, "h.json", &err) < 0 && err.code == EP_DATAERR &&
			           strncmp(err.msg, "history 'h.json': erpipe:", 25) == 0,
			   *b);
			diag("%s", err.msg);
			anomaly_hist_free(hb);
			cJSON_Delete(m);
		}
	}
	anomaly_hist_free(h);
	return done_testing();
}
