#!/usr/bin/env python3
"""gen_ap.py - a deterministic set of vendor bills (Odoo account.move shape)
with planted amount anomalies and planted duplicate payments, for
validate --anomaly / --dup-payment (tests/0945-0949, make bench).

usage: gen_ap.py [-n N] [--seed S] [--days D] [--start YYYY-MM-DD]
                 [--split YYYY-MM-DD PAST TONIGHT] [--truth FILE] > bills.ndjson

Each line: {"id", "partner_id": [id, "name"], "amount_total", "invoice_date",
"ref", "move_type": "in_invoice"}, in date order.  Amounts are written with
two decimals, as their exact text.  Vendors draw amounts from their own
log-normal (a base between 40 and 25,000, a spread between 0.05 and 0.45),
and about one vendor in six is a subscription billed the same amount every
month with a new reference (the trap: identical amounts a month apart are
not duplicates, and never vary).  Refs follow each vendor's own scheme
("INV-00042", "2025/0042", "F42", ...).

Planted, once a vendor has 12 bills (so that a detector could know it):
  anomaly  about 1% of bills: x10, a decimal slip (x100 or /100: the point
           typed in the wrong place or lost), /10, or the amount negated;
  dup      about 1%: an earlier bill of the same vendor again, 0 to 5 days
           later, its reference in another format (case, spaces,
           punctuation, leading zeros, an "INV"/"#"/"No." prefix), a new id.
Traps, never flagged by a correct detector: subscriptions (above); a second
bill of the same vendor and amount within days but with another reference
number; the same reference number at another vendor.
--truth FILE writes {"id": N, "kind": "anomaly"|"dup", "how": ...} per plant.
--split DATE PAST TONIGHT: bills dated before DATE to PAST, the rest to
TONIGHT (instead of standard output), for the history-between-runs tests.
"""
import argparse
import datetime
import json
import math
import random
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=945)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--start", default="2025-01-01")
    ap.add_argument("--split", nargs=3)
    ap.add_argument("--truth")
    a = ap.parse_args()
    r = random.Random(a.seed)
    start = datetime.date.fromisoformat(a.start)
    nvend = max(20, a.n // 60)
    schemes = ["INV-%05d", "%d", "F%d", "2025/%04d", "BILL-%d", "A-%06d", "%07d"]
    vendors = []
    for v in range(nvend):
        sub = r.random() < 1 / 6
        vendors.append({
            "id": 1000 + v, "name": "Vendor %d" % (1000 + v),
            "base": math.exp(r.uniform(math.log(40), math.log(25000))),
            "sigma": 0 if sub else r.uniform(0.05, 0.45),
            "sub": sub, "day": r.randrange(1, 28),
            "scheme": r.choice(schemes), "seq": r.randrange(1, 500), "bills": [],
        })
    bills = []
    # subscriptions: one bill a month; the others fill the rest at random
    nsub = 0
    for v in vendors:
        if not v["sub"]:
            continue
        amount = round(v["base"], 2)
        d = start.replace(day=v["day"])
        while (d - start).days < a.days:
            bills.append([d, v, amount])
            nsub += 1
            m = d.month % 12 + 1
            d = d.replace(year=d.year + (d.month == 12), month=m)
    others = [v for v in vendors if not v["sub"]]
    for _ in range(max(0, a.n - nsub)):
        v = r.choice(others)
        d = start + datetime.timedelta(days=r.randrange(a.days))
        amount = round(v["base"] * math.exp(r.gauss(0, v["sigma"])), 2)
        bills.append([d, v, max(amount, 0.01)])
    bills.sort(key=lambda b: (b[0], b[1]["id"], b[2]))
    out, truth = [], []
    nid = 1
    for d, v, amount in bills:
        v["seq"] += 1
        rec = {"id": nid, "partner_id": [v["id"], v["name"]], "amount": amount,
               "invoice_date": d, "ref": v["scheme"] % v["seq"], "move_type": "in_invoice"}
        nid += 1
        hist = v["bills"]
        x = r.random()
        if len(hist) >= 12 and x < 0.01:
            how = r.choice(["x10", "x100", "/100", "/10", "negative"])
            rec["amount"] = {"x10": amount * 10, "x100": amount * 100, "/100": amount / 100,
                             "/10": amount / 10, "negative": -amount}[how]
            rec["amount"] = round(rec["amount"], 2) or 0.01
            truth.append({"id": rec["id"], "kind": "anomaly", "how": how})
            rec["planted"] = 1
        elif len(hist) >= 12 and x < 0.02:
            # a bill paid again: an earlier one, its reference in another format
            o = r.choice([b for b in hist[-10:] if "planted" not in b] or hist[-1:])
            rec["amount"] = o["amount"]
            rec["invoice_date"] = o["invoice_date"] + datetime.timedelta(days=r.randrange(0, 6))
            rec["ref"] = variant(r, o["ref"])
            truth.append({"id": rec["id"], "kind": "dup", "how": "%s -> %s" % (o["ref"], rec["ref"]),
                          "of": o["id"]})
            rec["planted"] = 1
        elif len(hist) >= 12 and x < 0.03 and not v["sub"]:
            # trap: the same amount again within days, another invoice number
            o = hist[-1]
            rec["amount"] = o["amount"]
            rec["invoice_date"] = o["invoice_date"] + datetime.timedelta(days=r.randrange(0, 4))
        elif x < 0.04:
            # trap: another vendor's reference number
            w = r.choice(vendors)
            if w["bills"]:
                rec["ref"] = w["bills"][-1]["ref"]
        hist.append(rec)
        out.append(rec)
    out.sort(key=lambda b: (b["invoice_date"], b["id"]))
    if a.split:
        cut = datetime.date.fromisoformat(a.split[0])
        with open(a.split[1], "w") as past, open(a.split[2], "w") as tonight:
            for rec in out:
                (past if rec["invoice_date"] < cut else tonight).write(line(rec))
    else:
        sys.stdout.writelines(line(rec) for rec in out)
    if a.truth:
        with open(a.truth, "w") as f:
            for t in truth:
                f.write(json.dumps(t) + "\n")


def variant(r, ref):
    """the same reference number as a person might type it again"""
    digits = "".join(c for c in ref if c.isdigit())
    letters = "".join(c for c in ref if c.isalpha())
    return r.choice([
        ref.lower(),
        ref.replace("-", " ").replace("/", " "),
        ref.replace("-", "").replace("/", ""),
        "INV " + ref,
        "#" + ref,
        "No. " + ref,
        "INV-" + digits.lstrip("0").rjust(8, "0") if letters in ("", "INV", "BILL") else ref + " ",
        " " + ref.replace("-", "/") + " ",
    ])


def line(rec):
    return ('{"id":%d,"partner_id":[%d,%s],"amount_total":%.2f,"invoice_date":"%s",'
            '"ref":%s,"move_type":"in_invoice"}\n' % (
                rec["id"], rec["partner_id"][0], json.dumps(rec["partner_id"][1]),
                rec["amount"], rec["invoice_date"].isoformat(), json.dumps(rec["ref"])))


if __name__ == "__main__":
    main()
