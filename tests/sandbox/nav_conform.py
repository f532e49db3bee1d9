#!/usr/bin/python3
"""tests/sandbox/nav_conform.py - replay a transcript of the real OData V4 server
(tests/fixtures/odata/NN_name.json) against the NAV sandbox in its "odata" flavour
and compare the answers.

    nav_conform.py check FIXTURE ROOT USER:KEY
        ROOT is the sandbox's service root (http://127.0.0.1:PORT/BC/ODataV4); the
        sandbox runs with --flavour odata --company CRONUS and at least 2,000
        customers under a page size of 1,000.  Prints one line per difference,
        exits 1 if any.
    nav_conform.py metadata METADATA_XML ROOT USER:KEY
        the annotations of the real $metadata (out of line, which fields are
        computed) against the sandbox's.

The transcript's entity sets are plural (Customers, SalesOrders); the sandbox
publishes NAV's page names (Customer, SalesOrder): the URL is mapped, and so are
skiptokens (the real set has 50,000 rows, the sandbox 2,000) and keys.  Compared:
the HTTP status and media type; the answer's members (@odata.context,
@odata.nextLink, value, @odata.count) and the form of context and nextLink
(relative, a row-offset skiptoken); list emptiness; each entity's annotations and
the JSON types of the fields both models have; $select's exact member set; error
bodies exactly."""

import base64
import json
import re
import sys
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

SETS = {"Customers": "Customer", "SalesOrders": "SalesOrder", "Vendors": "Vendor",
        "Items": "Item"}
KEYS = {"C00001": "10000"}
EDM = "{http://docs.oasis-open.org/odata/ns/edm}"


def map_url(url, root):
    u = urlsplit(url)
    path = u.path
    if not path.startswith("/ODataV4/"):
        raise ValueError("not an OData V4 URL: %s" % url)
    rest = path[len("/ODataV4/"):]
    for a, b in SETS.items():
        rest = re.sub(r"(?<=/)%s(?=[/(?]|$)" % a, b, rest)
    for a, b in KEYS.items():
        rest = rest.replace("'%s'" % a, "'%s'" % b)
    q = u.query
    # the real set holds 50,000 rows, the sandbox 2,000: offsets scaled
    q = re.sub(r"(%24|\$)skiptoken=(\d+)",
               lambda m: "%sskiptoken=%d" % (m.group(1), {49000: 1000, 50000: 2000}.get(
                   int(m.group(2)), int(m.group(2)))), q)
    return root.rstrip("/") + "/" + rest + ("?" + q if q else "")


def fetch(method, url, headers, body, auth):
    data = json.dumps(body).encode() if body is not None else None
    rq = urllib.request.Request(url, data=data, method=method)
    for k, v in headers.items():
        if k.lower() != "authorization":
            rq.add_header(k, v)
    rq.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
    if data is not None:
        rq.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(rq) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()


def tname(v):
    for t, n in ((bool, "bool"), (int, "number"), (float, "number"), (str, "string"),
                 (list, "list"), (dict, "object"), (type(None), "null")):
        if isinstance(v, t):
            return n
    return "?"


class Cmp:
    def __init__(self):
        self.diffs = []

    def diff(self, path, msg):
        self.diffs.append("%s: %s" % (path or "/", msg))

    def entity(self, exp, got, path, exact):
        if exact:
            if set(exp) != set(got):
                self.diff(path, "members %s, want %s" % (sorted(got), sorted(exp)))
        for k, v in exp.items():
            if k.startswith("@"):
                if k not in got:
                    self.diff(path, "no %s" % k)
                continue
            if k not in got:
                continue            # a field the sandbox's model does not have
            if isinstance(v, list) and isinstance(got[k], list):
                if bool(v) != bool(got[k]):
                    self.diff(path + "/" + k, "list emptiness differs")
                for i, (a, b) in enumerate(zip(v, got[k])):
                    self.entity(a, b, "%s/%s/%d" % (path, k, i), False)
            elif tname(v) != tname(got[k]) and not (v == "" or got[k] == ""):
                self.diff(path + "/" + k, "%s, want %s" % (tname(got[k]), tname(v)))

    def answer(self, exp, got, exact_select):
        if "error" in exp:
            if got != exp:
                self.diff("/", "%s, want %s" % (json.dumps(got), json.dumps(exp)))
            return
        ek, gk = set(exp), set(got)
        if ek != gk:
            self.diff("/", "members %s, want %s" % (sorted(gk), sorted(ek)))
        ctx = got.get("@odata.context", "")
        want = re.sub(r"#(\w+)", lambda m: "#" + SETS.get(m.group(1), m.group(1)),
                      exp.get("@odata.context", ""))
        if ctx != want:
            self.diff("/@odata.context", "%r, want %r" % (ctx, want))
        if "@odata.nextLink" in exp:
            nl = got.get("@odata.nextLink", "")
            if not re.match(r"^Company\('CRONUS'\)/\w+\?(.*&)?%24skiptoken=\d+$", nl):
                self.diff("/@odata.nextLink", "%r: want Company('CRONUS')/SET?"
                          "%%24skiptoken=OFFSET, relative to the service root" % nl)
        ev, gv = exp.get("value"), got.get("value")
        if isinstance(ev, list):
            if not isinstance(gv, list):
                self.diff("/value", "not a list")
                return
            if bool(ev) != bool(gv):
                self.diff("/value", "%s, want %s" % ("empty" if not gv else "rows",
                                                     "empty" if not ev else "rows"))
            for i, (a, b) in enumerate(zip(ev, gv)):
                if "\u2026" in a:
                    break           # "… more rows cut from this transcript"
                if "@odata.count" in a:
                    if b != a:
                        self.diff("/value/%d" % i, "%s, want %s" % (b, a))
                    continue
                self.entity(a, b, "/value/%d" % i, exact_select)


def check(fixture, root, auth):
    with open(fixture, encoding="utf-8") as f:
        fx = json.load(f)
    rq, rs = fx["request"], fx["response"]
    url = map_url(rq["url"], root)
    st, ct, raw = fetch(rq["method"], url, rq.get("headers", {}), rq.get("body"), auth)
    c = Cmp()
    if st != rs["http_status"]:
        c.diff("HTTP", "status %d, want %d (%s %s)" % (st, rs["http_status"], rq["method"],
                                                       url))
    want_ct = rs["headers"].get("Content-Type", "")
    if ct.split(";")[0].strip() != want_ct.split(";")[0].strip():
        c.diff("HTTP", "Content-Type %r, want %r" % (ct, want_ct))
    try:
        got = json.loads(raw.decode("utf-8"))
    except ValueError as e:
        c.diff("/", "not JSON: %s" % e)
    else:
        c.answer(rs["body"], got, "%24select" in rq["url"] or "$select" in rq["url"])
    for d in c.diffs:
        print(d)
    return 1 if c.diffs else 0


def readonly_props(xml, sets=None):
    """{(type, property): how} of the out-of-line annotations; and whether any
    annotation stands inside a Property."""
    root = ET.fromstring(xml)
    out, inline = {}, 0
    for p in root.iter(EDM + "Property"):
        inline += len(p.findall(EDM + "Annotation"))
    for a in root.iter(EDM + "Annotations"):
        tgt = a.get("Target", "")
        if "/" not in tgt or ".EntityContainer/" in tgt:
            continue
        typ, prop = tgt.split("/", 1)
        typ = typ.split(".", 1)[1]
        typ = (sets or {}).get(typ, typ)
        for an in a.findall(EDM + "Annotation"):
            term = an.get("Term", "")
            if term.endswith(".Computed") and an.get("Bool", "true") == "true":
                out[(typ, prop)] = "read-only"
            elif term.endswith(".Permissions") and \
                    an.get("EnumMember", "").endswith("/Read"):
                out[(typ, prop)] = "read-only"
    return out, inline


def metadata(path, root, auth):
    with open(path, "rb") as f:
        want, _ = readonly_props(f.read(), SETS)
    st, ct, raw = fetch("GET", root.rstrip("/") + "/$metadata", {}, None, auth)
    got, inline = readonly_props(raw)
    diffs = []
    if st != 200:
        diffs.append("HTTP: status %d" % st)
    if inline:
        diffs.append("%d annotations inside <Property>, want them out of line" % inline)
    for k, v in sorted(want.items()):
        if k[0] in ("Customer", "SalesOrder", "Vendor", "Item") and k[1] not in (
                "Sell_to_Customer_Name",) and got.get(k) != v:
            diffs.append("%s/%s: %s, want %s" % (k[0], k[1], got.get(k), v))
    for d in diffs:
        print(d)
    return 1 if diffs else 0


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "check":
        sys.exit(check(*sys.argv[2:]))
    if len(sys.argv) == 5 and sys.argv[1] == "metadata":
        sys.exit(metadata(*sys.argv[2:]))
    sys.stderr.write(__doc__)
    sys.exit(64)
