#!/usr/bin/python3
"""tests/roundtrip.py - records for the round-trip property test (tests/0013).

    roundtrip.py gen TARGET SEED N PREFIX > in.ndjson
        N random records for TARGET: json (any JSON value in any field,
        nesting up to the stream's limit and one past it), or bng, odoo, nav
        (the fields of BNG Customer, Odoo res.partner and NAV Customer that
        can hold the values: strings, numbers, booleans, null), or
        bng-orders (BNG sales orders of customer rt:customer, with 0 to 8
        line items: arrays of objects).  The values
        are made to hurt: U+0000, lone and paired surrogates (escaped, or
        raw UTF-8), every control character, U+2028, BOM, noncharacters,
        combining marks, strings at, below and past the target's length
        limit, integers past 2^53 and 2^64, doubles at their limits, 1e400,
        1e-400, -0, decimals with more digits than a double holds.  The
        writer picks escapes at random, so the same value arrives in
        several spellings.  Each record's key is PREFIX:i (PREFIXI for NAV).

    roundtrip.py check TARGET IN OUT REJECTS... [--receipts FILE]
        Every record of IN must end in exactly one place: OUT (records read
        back: from the extractor, or the last filter for json) with every
        field it had equal to the value sent (strings code point for code
        point, numbers by exact decimal value; a bng-orders line read back
        may have more members, the server's Amount and LineNo), or a reject in one of the
        REJECTS files that names why (a non-empty error) and carries the
        record as it was sent, or the text of a line that did not parse.
        Prints the counts and one line per violation; exit 1 on any.

Standard library only (Debian /usr/bin/python3).
"""
import base64
import json
import random
import re
import sys
from decimal import Decimal, InvalidOperation

MAX_DEPTH = 512  # lib/stream/json.h JSON_MAX_DEPTH: a record's object is level 1


class Num(str):
    """A number kept as the exact text it is written with."""


# ---- values ------------------------------------------------------------------

PIECES = [
    "plain", "Ünïcödé", "日本語", "\u05e9\u05dc\u05d5\u05dd", "e\u0301", "\u200d",
    "\u2028", "\u2029", "\ufeff", "\uffff", "\ufffe", "\U0010ffff", "\U0001f600",
    "\U0001d11e", '"', "\\", "/", "\x7f", "\u0080", "\u00a0", "'", "<b>&amp;</b>",
    " ", "\t", "\n", "\r", "\x01", "\x1f", "\udbff\udc00x",
]
RARE = ["\x00", "\ud800", "\udfff", "\udc00\ud800"]  # U+0000, lone surrogates
NUMBERS = [
    "0", "-0", "1", "-1", "0.0", "-0.0", "12.34", "1E2", "1e+2", "-1.5e-3",
    "9007199254740991", "9007199254740992", "9007199254740993", "-9007199254740993",
    "2147483647", "2147483648", "-2147483648", "-2147483649",
    "9223372036854775807", "9223372036854775808", "18446744073709551616",
    "123456789012345678901234567890",
    "1.7976931348623157e308", "1e308", "-1e308", "5e-324", "2.2250738585072014e-308",
    "1e400", "-1e400", "1e-400", "0.1", "0.30000000000000004",
    "1.00000000000000000001", "0.1000000000000000055511151231257827",
    "3.141592653589793238462643383279",
]


def rand_string(rng, maxlen=None):
    kind = rng.random()
    if kind < 0.08 and maxlen:
        # at the limit, one below, one past (counted in code points)
        n = maxlen + rng.choice([-1, 0, 1])
        alphabet = rng.choice(["x", "é", "\U0001f600", "日"])
        return alphabet * n
    if kind < 0.09 and not maxlen:
        return rng.choice(["y", "é", "\U0001f600"]) * rng.choice([1000, 70000])
    parts = []
    if kind < 0.10 + (0.02 if maxlen else 0.01):
        parts.append(rng.choice(RARE))
    for _ in range(rng.randint(0, 6)):
        if rng.random() < 0.5:
            parts.append(rng.choice(PIECES))
        else:
            parts.append("".join(chr(rng.choice([rng.randint(0x20, 0x7e), rng.randint(0xa0, 0xd7ff),
                                                  rng.randint(0xe000, 0xfffd),
                                                  rng.randint(0x10000, 0x10ffff)]))
                                 for _ in range(rng.randint(1, 8))))
    rng.shuffle(parts)
    s = "".join(parts)
    if maxlen:
        s = s[:maxlen + 1]
    return s


def rand_number(rng, kind="any"):
    r = rng.random()
    if r < (0.25 if kind == "int" else 0.4):
        return Num(rng.choice(NUMBERS))
    if r < 0.6 or kind == "int":
        return Num(str(rng.choice([rng.randint(-1000, 1000), rng.randint(-1000, 1000),
                                   rng.randint(-2**31, 2**31), rng.randint(-2**70, 2**70)])))
    if r < 0.8:
        return Num(repr(rng.uniform(-1e6, 1e6)))       # a double, shortest form
    if r < 0.9:
        return Num("%d.%02d" % (rng.randint(-10**7, 10**7), rng.randint(0, 99)))
    return Num(repr(rng.choice([1.0, -1.0]) * 10.0 ** rng.randint(-330, 308)
                    * rng.random()))


def rand_money(rng, p=0.6):
    """Mostly (p) what a money field takes (>= 0, two decimals), else anything."""
    if rng.random() < p:
        return Num("%d.%02d" % (rng.choice([rng.randint(0, 999), rng.randint(0, 10**13)]),
                                rng.randint(0, 99)))
    return rand_number(rng)


def rand_value(rng, depth):
    r = rng.random()
    if depth < 6 and r < 0.12:
        return [rand_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    if depth < 6 and r < 0.24:
        return {rand_key(rng): rand_value(rng, depth + 1) for _ in range(rng.randint(0, 4))}
    if r < 0.55:
        return rand_string(rng)
    if r < 0.85:
        return rand_number(rng)
    return rng.choice([True, False, None])


def rand_key(rng):
    k = rand_string(rng)[:20]
    return k if k not in ("_op", "_key", "_checkpoint") else "k" + k


def nest(rng, depth):
    """A value that brings the record to nesting level depth (record = 1)."""
    v = rand_value(rng, 99)
    for _ in range(depth - 1):
        v = [v] if rng.random() < 0.5 else {"n": v}
    return v


# Per target: key field, then (field, kind, max length or None, nullable).
TARGETS = {
    "bng": ("ExternalID", [
        ("CompanyName", "str", 120, False), ("FirstName", "str", 60, True),
        ("LastName", "str", 60, True), ("Phone", "str", 40, True),
        ("BillingAddress", "str", 300, True), ("ShippingAddress", "str", 300, True),
        ("Country", "str", 60, True), ("CreditLimit", "money", None, True),
    ]),
    "odoo": ("ref", [
        ("name", "str", None, False), ("street", "str", None, True),
        ("street2", "str", None, True), ("city", "str", None, True),
        ("function", "str", None, True), ("website", "str", None, True),
        ("color", "int", None, False), ("credit_limit", "money", None, False),
        ("is_company", "bool", None, False),
    ]),
    "nav": ("No", [
        ("Name", "str", 100, False), ("Address", "str", 100, False),
        ("Address_2", "str", 50, False), ("City", "str", 30, False),
        ("Phone_No", "str", 30, False), ("Credit_Limit_LCY", "money", None, False),
    ]),
}


def gen_line(rng):
    qty = (Num(str(rng.randint(1, 1000))) if rng.random() < 0.9 else rand_number(rng))
    line = {"Sku": rand_string(rng, 64) or "SKU", "Quantity": qty,
            "UnitPrice": rand_money(rng, 0.9)}
    if rng.random() < 0.7:
        line["Description"] = None if rng.random() < 0.1 else rand_string(rng, 300)
    return line


def gen_record(rng, target, key):
    if target == "bng-orders":
        rec = {"ExternalID": key, "OrderNo": rand_string(rng, 40) or "SO",
               "OrderedAt": "2026-01-05T10:00:00Z", "Currency": "EUR",
               "CustomerExternalID": "rt:customer",
               "LineItems": [gen_line(rng) for _ in range(rng.choice([0, 1, 1, 1, 2, 2, 3, 8]))]}
        if rng.random() < 0.5:
            rec["ShippingAddress"] = rand_string(rng, 300)
        return rec
    if target == "json":
        rec = {"id": key}
        for _ in range(rng.randint(0, 8)):
            rec[rand_key(rng)] = rand_value(rng, 1)
        if rng.random() < 0.05:
            rec["deep"] = nest(rng, rng.choice([MAX_DEPTH - 2, MAX_DEPTH - 1, MAX_DEPTH,
                                                MAX_DEPTH + 1]))
        return rec
    keyf, fields = TARGETS[target]
    rec = {keyf: key}
    if target == "bng":
        rec["Status"] = "Active"
    for name, kind, maxlen, nullable in fields:
        if rng.random() < 0.3 and name not in ("CompanyName", "name"):
            continue
        if nullable and rng.random() < 0.1:
            rec[name] = None
        elif kind == "str":
            rec[name] = rand_string(rng, maxlen)
        elif kind == "num":
            rec[name] = rand_number(rng)
        elif kind == "money":
            rec[name] = rand_money(rng)
        elif kind == "int":
            rec[name] = rand_number(rng, "int")
        else:
            rec[name] = rng.choice([True, False])
    return rec


# ---- writing: escapes chosen at random -----------------------------------------

def w_string(rng, s):
    out = ['"']
    for ch in s:
        c = ord(ch)
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif c < 0x20 or 0xd800 <= c <= 0xdfff:
            short = {8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r"}
            out.append(short[c] if c in short and rng.random() < 0.5 else "\\u%04x" % c)
        elif c >= 0x80 and rng.random() < 0.3:
            if c >= 0x10000:
                c -= 0x10000
                out.append("\\u%04x\\u%04X" % (0xd800 + (c >> 10), 0xdc00 + (c & 0x3ff)))
            else:
                out.append("\\u%04x" % c)
        elif ch == "/" and rng.random() < 0.5:
            out.append("\\/")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def w_value(rng, v):
    if isinstance(v, Num):
        return str(v)
    if v is True:
        return "true"
    if v is False:
        return "false"
    if v is None:
        return "null"
    if isinstance(v, str):
        return w_string(rng, v)
    if isinstance(v, list):
        return "[" + ",".join(w_value(rng, x) for x in v) + "]"
    sep = rng.choice([",", ", "])
    return "{" + sep.join(w_string(rng, k) + ":" + w_value(rng, x) for k, x in v.items()) + "}"


def gen(target, seed, n, prefix):
    rng = random.Random(seed)
    out = sys.stdout.buffer
    for i in range(1, n + 1):
        key = ("%s%d" % (prefix, i)) if target == "nav" else "%s:%d" % (prefix, i)
        line = w_value(rng, gen_record(rng, target, key))
        # lone surrogates can only be written escaped; everything else is UTF-8
        out.write(line.encode("utf-8") + b"\n")


# ---- checking --------------------------------------------------------------------

def load_json(text):
    return json.loads(text, parse_float=Decimal, parse_int=Decimal,
                      parse_constant=lambda c: ("CONSTANT", c))


def same(a, b):
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return a == b
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        return a is b
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        return False
    if isinstance(a, str) or isinstance(b, str):
        return type(a) is type(b) and a == b
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, dict):
        return (isinstance(b, dict) and a.keys() == b.keys()
                and all(same(a[k], b[k]) for k in a))
    return a == b


def empty_odoo(target, sent, got):
    """Odoo reads an empty char field as false, whatever empty was written."""
    return target == "odoo" and got is False and (sent == "" or sent is None)


def show(v, n=120):
    s = json.dumps(v, default=str, ensure_ascii=True)
    return s if len(s) <= n else s[:n] + "..."


def read_lines(path):
    with open(path, "rb") as f:
        return [ln.rstrip(b"\n") for ln in f]


def same_kept(a, b):
    """same(), but an object read back may have more members (the server's
    computed ones: a sales order line's Amount and LineNo)."""
    if isinstance(a, dict):
        return isinstance(b, dict) and all(k in b and same_kept(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(same_kept, a, b))
    return same(a, b)


def check(target, inp, outp, rejfiles):
    keyf = {"json": "id", "bng-orders": "ExternalID"}.get(target) or TARGETS[target][0]
    eq = same_kept if target == "bng-orders" else same
    bad = []
    sent = {}
    order = []
    by_raw = {}
    for raw in read_lines(inp):
        rec = load_json(raw.decode("utf-8"))
        sent[rec[keyf]] = rec
        order.append(rec[keyf])
        by_raw[raw] = rec[keyf]
    n_in = len(order)

    got = {}
    for raw in read_lines(outp):
        try:
            rec = load_json(raw.decode("utf-8"))  # strict: a lone surrogate in UTF-8 fails
        except ValueError as e:
            bad.append("output line not valid JSON (%s): %s" % (e, show(raw.decode("utf-8", "replace"))))
            continue
        if "_checkpoint" in rec:
            continue
        k = rec.get(keyf)
        if k in got:
            bad.append("%s: read back twice" % show(k))
        got[k] = rec

    rejected = {}
    parse_rejects = 0
    for path in rejfiles:
        try:
            lines = read_lines(path)
        except FileNotFoundError:
            continue
        for raw in lines:
            try:
                rj = load_json(raw.decode("utf-8"))
            except ValueError as e:
                bad.append("%s: reject line not valid JSON (%s): %s" % (path, e, show(raw.decode("utf-8", "replace"))))
                continue
            if not rj.get("error"):
                bad.append("%s: reject without an error: %s" % (path, show(rj)))
            if "record" not in rj:
                # a line that did not parse: its exact bytes in raw_b64
                k = by_raw.get(base64.b64decode(rj.get("raw_b64", "")))
                if "raw" not in rj or k is None:
                    bad.append("%s: parse reject not of a line sent: %s" % (path, show(rj)))
                    continue
                if k in rejected:
                    bad.append("%s: rejected twice" % show(k))
                rejected[k] = rj
                parse_rejects += 1
                continue
            r = rj["record"]
            k = r.get(keyf) if isinstance(r, dict) else None
            if k not in sent:
                bad.append("%s: reject of a record never sent: %s" % (path, show(r)))
                continue
            if k in rejected:
                bad.append("%s: rejected twice" % show(k))
            if not same(r, sent[k]):
                bad.append("%s: the reject's record differs from the one sent: %s" % (show(k), show(r, 300)))
            rejected[k] = rj

    ok = drifted = 0
    for k in order:
        if k in rejected:
            # load --verify strict: written, but the target kept something
            # else, and the reject names the field, the sent and the stored
            if k in got and rejected[k]["error"].startswith("drifted: "):
                drifted += 1
            elif k in got:
                bad.append("%s: both rejected (%s) and read back" % (show(k), rejected[k]["error"]))
            continue
        if k not in got:
            bad.append("%s: lost: neither read back nor rejected" % show(k))
            continue
        r, g = sent[k], got[k]
        diffs = [f for f in r if f not in g or not (eq(r[f], g[f]) or empty_odoo(target, r[f], g[f]))]
        if diffs:
            for f in diffs:
                bad.append("%s: '%s' altered: sent %s, read back %s"
                           % (show(k), f, show(r[f]), show(g.get(f, "(missing)"))))
        else:
            ok += 1
    n_rej = len(rejected)
    print("%s: in %d, back equal %d, rejected %d (parse %d, drifted %d), violations %d"
          % (target, n_in, ok, n_rej, parse_rejects, drifted, len(bad)))
    reasons = {}
    for rj in rejected.values():
        e = re.sub(r"[0-9]+", "N", rj["error"])[:70]
        reasons[e] = reasons.get(e, 0) + 1
    for e, c in sorted(reasons.items(), key=lambda x: -x[1])[:8]:
        print("  %4d %s" % (c, show(e, 100)))
    for b in bad[:40]:
        print("VIOLATION " + b)
    if len(bad) > 40:
        print("VIOLATION ... %d more" % (len(bad) - 40))
    return 1 if bad else 0


def main(argv):
    sys.setrecursionlimit(20000)  # records nested MAX_DEPTH + 1 deep
    if len(argv) >= 5 and argv[0] == "gen":
        gen(argv[1], int(argv[2]), int(argv[3]), argv[4])
        return 0
    if len(argv) >= 4 and argv[0] == "check":
        return check(argv[1], argv[2], argv[3], argv[4:])
    sys.stderr.write(__doc__)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
