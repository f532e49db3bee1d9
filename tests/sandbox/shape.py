#!/usr/bin/python3
"""tests/sandbox/shape.py - compare the *structure* of a sandbox answer with a real
transcript (tests/fixtures/<system>/NAME.json).

    shape.py request FIXTURE MAP DIR
        writes DIR/body (the request body: the .request.xml bytes for XML-RPC) and
        DIR/headers (one "Name: value" per line, for curl -H @file); prints
        "METHOD PATH".  Record ids the sandbox gave for ids the transcript created
        (create/load answers, remembered in the JSON file MAP) replace the
        transcript's ids in the request.
    shape.py compare FIXTURE MAP STATUS HEADERS BODY
        compares the answer (HTTP status, HEADERS as curl -D wrote them, BODY file)
        with the transcript's; prints one line per difference, exits 1 if any.

Compared: the HTTP status; the Content-Type; JSON values recursively - object keys,
value types (int, float, string, bool, null, list, object; false where the
transcript has false), list emptiness; error names, messages (digits ignored), XML-RPC
fault codes.  Ignored: ids, timestamps and other scalar values, tracebacks
(`debug`, code-1 faultStrings), list lengths.  fields_get answers may declare fewer
fields than the transcript's (the sandbox models a subset), but every field they
declare must carry the transcript's attributes, type and relation."""

import json
import os
import re
import sys
import xmlrpc.client
from urllib.parse import urlsplit


def load_fixture(path):
    with open(path, encoding="utf-8") as f:
        fx = json.load(f)
    base = path[:-len(".json")]
    fx["_xml"] = os.path.exists(base + ".request.xml")
    fx["_base"] = base
    return fx


def load_map(path):
    try:
        with open(path) as f:
            return {int(k): v for k, v in json.load(f).items()}
    except (OSError, ValueError):
        return {}


def save_map(path, m):
    with open(path, "w") as f:
        json.dump(m, f)


def remap(v, m):
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return m.get(v, v)
    if isinstance(v, list):
        return [remap(x, m) for x in v]
    if isinstance(v, tuple):
        return tuple(remap(x, m) for x in v)
    if isinstance(v, dict):
        return {k: remap(x, m) for k, x in v.items()}
    return v


def rpc_call(fx):
    """-> (model, method) of an object call, or (None, None)."""
    rq = fx["request"]
    path = urlsplit(rq["url"]).path
    if path.startswith("/json/2/"):
        p = path.split("/")
        return p[3], p[4]
    if fx["_xml"]:
        with open(fx["_base"] + ".request.xml", "rb") as f:
            params, meth = xmlrpc.client.loads(f.read())
        if meth in ("execute_kw", "execute") and len(params) >= 5:
            return params[3], params[4]
        return None, None
    body = rq.get("body")
    if isinstance(body, dict):
        args = (body.get("params") or {}).get("args") or []
        if (body.get("params") or {}).get("method") == "execute_kw" and len(args) >= 5:
            return args[3], args[4]
    return None, None


def cmd_request(fixture, mapfile, outdir):
    fx = load_fixture(fixture)
    m = load_map(mapfile)
    rq = fx["request"]
    if fx["_xml"]:
        with open(fx["_base"] + ".request.xml", "rb") as f:
            body = f.read()
        params, meth = xmlrpc.client.loads(body)
        new = remap(params, m)
        if new != params:
            body = xmlrpc.client.dumps(tuple(new), meth).encode("utf-8")
    else:
        b = rq.get("body")
        if isinstance(b, str):
            body = b.encode("utf-8")            # sent verbatim (malformed JSON test)
        elif b is None:
            body = b""
        else:
            body = json.dumps(remap(b, m), ensure_ascii=False).encode("utf-8")
    with open(os.path.join(outdir, "body"), "wb") as f:
        f.write(body)
    with open(os.path.join(outdir, "headers"), "w") as f:
        for k, v in rq.get("headers", {}).items():
            f.write("%s: %s\n" % (k, v))
    u = urlsplit(rq["url"])
    print(rq["method"], u.path + ("?" + u.query if u.query else ""))


def tname(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "list"
    if isinstance(v, dict):
        return "object"
    return type(v).__name__


def norm_msg(s):
    return re.sub(r"\d+", "N", s) if isinstance(s, str) else s


class Comparer:
    def __init__(self):
        self.diffs = []

    def diff(self, path, msg):
        self.diffs.append("%s: %s" % (path or "/", msg))

    def compare(self, exp, got, path="", open_map=False):
        te, tg = tname(exp), tname(got)
        if te != tg:
            self.diff(path, "type %s, want %s (%s)" % (tg, te, json.dumps(exp)[:60]))
            return
        if te == "object":
            ek, gk = set(exp), set(got)
            if open_map:
                for k in sorted(gk - ek):
                    self.diff(path, "field %r not in the transcript" % k)
            else:
                for k in sorted(ek - gk):
                    self.diff(path, "missing key %r" % k)
                for k in sorted(gk - ek):
                    self.diff(path, "extra key %r" % k)
            is_error = "arguments" in exp and "debug" in exp
            is_fieldattr = "type" in exp and "string" in exp and "required" in exp
            for k in sorted(ek & gk):
                p = "%s/%s" % (path, k)
                if k == "debug" and is_error:
                    continue
                if is_error and k in ("name", "message"):
                    if norm_msg(exp[k]) != norm_msg(got[k]):
                        self.diff(p, "%r, want %r" % (got[k], exp[k]))
                    continue
                if is_error and k == "arguments":
                    self.compare([norm_msg(x) for x in exp[k]],
                                 [norm_msg(x) for x in got[k]], p)
                    if [norm_msg(x) for x in exp[k]] != [norm_msg(x) for x in got[k]]:
                        self.diff(p, "%r, want %r" % (got[k], exp[k]))
                    continue
                if is_fieldattr and k in ("type", "relation"):
                    if exp[k] != got[k]:
                        self.diff(p, "%r, want %r" % (got[k], exp[k]))
                    continue
                if k in ("jsonrpc", "type") and isinstance(exp[k], str) and exp[k] != got[k]:
                    self.diff(p, "%r, want %r" % (got[k], exp[k]))
                    continue
                if k == "message" and exp.get("message") == "Odoo Server Error":
                    if exp[k] != got[k]:
                        self.diff(p, "%r, want %r" % (got[k], exp[k]))
                    continue
                self.compare(exp[k], got[k], p)
        elif te == "list":
            if bool(exp) != bool(got):
                self.diff(path, "%s list, want %s" % ("empty" if not got else "non-empty",
                                                      "empty" if not exp else "non-empty"))
            for i, (a, b) in enumerate(zip(exp, got)):
                self.compare(a, b, "%s/%d" % (path, i))


def content_type(headers):
    for k, v in headers.items():
        if k.lower() == "content-type":
            return v.replace(" ", "").lower()
    return None


def parse_curl_headers(path):
    with open(path, "rb") as f:
        text = f.read().decode("latin-1")
    blocks = [b for b in re.split(r"\r?\n\r?\n", text) if b.strip()]
    last = blocks[-1] if blocks else ""
    lines = last.splitlines()
    h = {}
    for ln in lines[1:]:
        k, _, v = ln.partition(":")
        h[k.strip()] = v.strip()
    return (lines[0] if lines else ""), h


def cmd_compare(fixture, mapfile, status, hdrfile, bodyfile):
    fx = load_fixture(fixture)
    m = load_map(mapfile)
    c = Comparer()
    rs = fx["response"]
    if int(status) != rs["http_status"]:
        c.diff("HTTP", "status %s, want %d" % (status, rs["http_status"]))
    status_line, hdrs = parse_curl_headers(hdrfile)
    want_ct, got_ct = content_type(rs["headers"]), content_type(hdrs)
    if want_ct != got_ct:
        c.diff("HTTP", "Content-Type %r, want %r" % (got_ct, want_ct))
    if rs["status_line"].split(" ", 1)[1] != status_line.split(" ", 1)[-1].strip():
        c.diff("HTTP", "status line %r, want %r" % (status_line, rs["status_line"]))
    with open(bodyfile, "rb") as f:
        raw = f.read()
    model, method = rpc_call(fx)
    if fx["_xml"]:
        with open(fx["_base"] + ".response.xml", "rb") as f:
            want_raw = f.read()
        exp_fault = got_fault = None
        try:
            exp = xmlrpc.client.loads(want_raw)[0]
        except xmlrpc.client.Fault as e:
            exp_fault = e
        try:
            got = xmlrpc.client.loads(raw)[0]
        except xmlrpc.client.Fault as e:
            got_fault = e
        except Exception as e:
            c.diff("/", "not XML-RPC: %s" % e)
            return report(c)
        if exp_fault or got_fault:
            if not (exp_fault and got_fault):
                c.diff("/", "fault %r, want %r" % (got_fault, exp_fault))
            else:
                ec, gc = exp_fault.faultCode, got_fault.faultCode
                if isinstance(ec, str):
                    if not isinstance(gc, str) or ec.split("\n")[0] != gc.split("\n")[0]:
                        c.diff("faultCode", "%r, want %r" % (gc, ec))
                    elif norm_msg(ec) != norm_msg(gc):
                        c.diff("faultCode", "%r, want %r" % (gc, ec))
                elif ec != gc:
                    c.diff("faultCode", "%r, want %r" % (gc, ec))
                if tname(exp_fault.faultString) != tname(got_fault.faultString):
                    c.diff("faultString", "type differs")
                elif ec != 1 and norm_msg(exp_fault.faultString) != norm_msg(
                        got_fault.faultString):
                    c.diff("faultString", "%r, want %r" % (got_fault.faultString,
                                                          exp_fault.faultString))
        else:
            c.compare(list(exp), list(got), "", False)
            learn(m, method, exp[0] if exp else None, got[0] if got else None)
    else:
        exp = rs["body"]
        if not isinstance(exp, (dict, list)) and content_type(rs["headers"]).startswith(
                "text/html"):
            if not raw:
                c.diff("/", "empty body")
        else:
            try:
                got = json.loads(raw.decode("utf-8"))
            except ValueError as e:
                c.diff("/", "not JSON: %s" % e)
                return report(c)
            is_fg = method == "fields_get"
            if isinstance(exp, dict) and "jsonrpc" in exp:
                top = {k: v for k, v in exp.items() if k != "result"}
                gtop = {k: v for k, v in got.items() if k != "result"} \
                    if isinstance(got, dict) else got
                c.compare(top, gtop)
                if "result" in exp:
                    if not isinstance(got, dict) or "result" not in got:
                        c.diff("/result", "missing")
                    else:
                        c.compare(exp["result"], got["result"], "/result", is_fg)
                        learn(m, method, exp["result"], got["result"])
                        if is_fg:
                            fg_check(c, exp["result"], got["result"], "/result")
            else:
                c.compare(exp, got, "", is_fg)
                learn(m, method, exp, got)
                if is_fg:
                    fg_check(c, exp, got, "")
    save_map(mapfile, m)
    return report(c)


def fg_check(c, exp, got, path):
    """fields_get: the sandbox may declare a subset of the fields (compared with
    open_map above), but not next to none."""
    if isinstance(got, dict) and isinstance(exp, dict) and len(got) < 2:
        c.diff(path, "fields_get declares %d fields" % len(got))


def learn(m, method, exp, got):
    """Remember which sandbox ids stand for the ids the transcript created."""
    if method == "create":
        if isinstance(exp, int) and isinstance(got, int) and not isinstance(exp, bool):
            m[exp] = got
        elif isinstance(exp, list) and isinstance(got, list):
            for a, b in zip(exp, got):
                if isinstance(a, int) and isinstance(b, int):
                    m[a] = b
    elif method == "load" and isinstance(exp, dict) and isinstance(got, dict):
        if isinstance(exp.get("ids"), list) and isinstance(got.get("ids"), list):
            for a, b in zip(exp["ids"], got["ids"]):
                m[a] = b


def report(c):
    for d in c.diffs:
        print(d)
    return 1 if c.diffs else 0


def main(argv):
    if len(argv) == 5 and argv[1] == "request":
        cmd_request(argv[2], argv[3], argv[4])
        return 0
    if len(argv) == 7 and argv[1] == "compare":
        return cmd_compare(*argv[2:])
    sys.stderr.write(__doc__)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv))
