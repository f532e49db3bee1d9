#!/usr/bin/env python3
"""score_ap.py - precision and recall of validate's --anomaly and
--dup-payment flags against gen_ap.py's truth.

usage: score_ap.py TRUTH FLAGS...

FLAGS are rejects or --warnings files of validate (one JSON line per
flagged record, each error item carrying "anomaly" or "duplicate_payment").
Prints one JSON object: for "anomaly" and "dup", planted, flagged, tp, fp,
fn, precision and recall (1.0 when there is nothing to divide).
"""
import json
import sys


def main():
    truth = {"anomaly": set(), "dup": set()}
    with open(sys.argv[1]) as f:
        for ln in f:
            t = json.loads(ln)
            truth[t["kind"]].add(t["id"])
    flagged = {"anomaly": set(), "dup": set()}
    for name in sys.argv[2:]:
        with open(name) as f:
            for ln in f:
                rej = json.loads(ln)
                for e in rej.get("errors", []):
                    if "anomaly" in e:
                        flagged["anomaly"].add(rej["record"]["id"])
                    if "duplicate_payment" in e:
                        flagged["dup"].add(rej["record"]["id"])
    out = {}
    for k in ("anomaly", "dup"):
        tp = len(truth[k] & flagged[k])
        fp = len(flagged[k] - truth[k])
        fn = len(truth[k] - flagged[k])
        out[k] = {"planted": len(truth[k]), "flagged": len(flagged[k]), "tp": tp, "fp": fp,
                  "fn": fn,
                  "precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
                  "recall": round(tp / (tp + fn), 4) if tp + fn else 1.0}
    print(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    main()
