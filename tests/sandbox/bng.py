#!/usr/bin/python3
"""tests/sandbox/bng.py - a BNG stand-in on 127.0.0.1 for the tests and the demo.

    bng.py [--records N] [--entity customers=N ...] [--client ID:SECRET ...]
           [--token-ttl S] [--rate-limit N] [--rate-window S]
           [--webhook-url URL --webhook-secret-file F] [--no-batch]
           [--port N] [--port-file F] [--log F] [--db-file F] [fault flags]

Implements the contract examples/bng/openapi.json (served at
/api/v1/openapi.json) and validates requests against it: bodies against the
component schemas (unknown fields, types, formats, lengths, enums, ranges,
required fields) plus the x-bng business rules (one-of-required, unique fields,
references, debit xor credit), query parameters against the operation's;
a breach is 400 {"error": {"code": "validation_error", "message", "fields"}}.

OAuth 2.0 client credentials at POST /oauth/token (form fields or HTTP Basic);
tokens expire after --token-ttl seconds (default 3600; POST
/__sandbox/bng/tokens {"ttl": 0.5} changes it, {"expire": true} expires every
token issued so far).  Per-client fixed-window rate limit: --rate-limit N
requests per --rate-window S (0 = off, the default), X-RateLimit-* on every
answer, 429 + Retry-After beyond it.

Webhooks: every write queues an event {"id", "type", "created_at", "data"} for
each subscriber (--webhook-url, or POST /api/v1/webhooks); a thread per
subscriber POSTs them one at a time, in order, signed (X-BNG-Signature:
sha256=<hex HMAC-SHA256 of the body>, X-BNG-Event-Id), retrying each until a
2xx with waits from --webhook-retry-ms doubling to --webhook-retry-max-ms.

Control endpoints besides common.py's (/__sandbox/...):
  GET  bng/dump/<resource>          NDJSON of every record, by id
  GET  bng/clock   POST {"freeze": "2026-03-01T12:00:00.000Z" | true}
                        {"advance": S} {"offset": S} {"real": true}
       header X-Sandbox-Updated-At: <RFC 3339> on a write backdates its
       UpdatedAt (a late commit behind a reader's position)
  GET|POST bng/tokens     {"ttl": S} {"expire": true}  -> {"ttl", "issued", "live"}
  GET|POST bng/ratelimit  {"limit": N, "window": S}
  GET|POST bng/webhooks   list subscribers and their delivery counts; POST
                          {"url", "secret", "events"} adds one, {"delay_ms": N}
                          waits N ms before each delivery
  GET|POST bng/shape      {"items_key": "data", "next_key": "next_cursor"}: answer
                          lists in another envelope (dotted keys nest), as a
                          tenant might
  GET|POST bng/batch      {"enabled": false}: /batch answers 404
  POST reset {"data": true} reseeds.
Seeded records have UpdatedAt --seed-time + i seconds (default
2026-01-01T00:00:00.000Z); writes take the sandbox clock (real time unless set).
"""

import base64
import collections
import hashlib
import hmac
import http.client
import json
import math
import os
import random
import re
import sys
import threading
import time
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qsl, quote, urlsplit, urlencode

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import Response  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OPENAPI = os.path.join(HERE, "..", "..", "examples", "bng", "openapi.json")
API = "/api/v1"
MAX_BATCH = 100
MAX_LIMIT = 1000


class ApiError(Exception):
    def __init__(self, status, code, message, fields=None, headers=None, **extra):
        Exception.__init__(self, message)
        self.status, self.code, self.message = status, code, message
        self.fields, self.headers, self.extra = fields, headers or [], extra

    def body(self):
        e = {"code": self.code, "message": self.message}
        if self.fields:
            e["fields"] = self.fields
        e.update(self.extra)
        return {"error": e}


def invalid(fields, message=None):
    if not message:
        k = sorted(fields)
        message = ("%s: %s" % (k[0], fields[k[0]]) if len(k) == 1 else
                   "%d fields are invalid: %s" % (len(k), ", ".join(k)))
    return ApiError(400, "validation_error", message, fields)


# ------------------------------------------------------------------ time

def ts_text(ms):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + ".%03dZ" % (ms % 1000)


TS_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?"
                   r"([Zz]|[+-]\d{2}:\d{2})$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_ts(s):
    """RFC 3339 date-time -> epoch ms, or None."""
    m = TS_RE.match(s) if isinstance(s, str) else None
    if not m:
        return None
    try:
        dt = datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)), int(m.group(4)),
                      int(m.group(5)), int(m.group(6)), tzinfo=timezone.utc)
    except ValueError:
        return None
    ms = int(dt.timestamp()) * 1000
    if m.group(7):
        ms += int((m.group(7)[1:] + "000")[:3])
    z = m.group(8)
    if z not in ("Z", "z"):
        off = (int(z[1:3]) * 60 + int(z[4:6])) * 60000
        ms -= off if z[0] == "+" else -off
    return ms


def valid_date(s):
    if not DATE_RE.match(s):
        return False
    try:
        datetime.strptime(s, "%Y-%m-%d")
        return True
    except ValueError:
        return False


class Clock:
    def __init__(self):
        self.mode, self.frozen, self.offset = "real", 0, 0

    def now(self):
        if self.mode == "frozen":
            return self.frozen
        return int(time.time() * 1000) + self.offset

    def update(self, body):
        if body.get("real"):
            self.mode, self.offset = "real", 0
        if "offset" in body:
            self.mode, self.offset = "offset", int(float(body["offset"]) * 1000)
        if "freeze" in body:
            f = body["freeze"]
            if f is True:
                self.frozen = self.now()
            else:
                ms = parse_ts(f)
                if ms is None:
                    raise ValueError("freeze: not an RFC 3339 date-time")
                self.frozen = ms
            self.mode = "frozen"
        if "advance" in body:
            if self.mode != "frozen":
                self.frozen, self.mode = self.now(), "frozen"
            self.frozen += int(float(body["advance"]) * 1000)

    def state(self):
        return {"now": ts_text(self.now()), "mode": self.mode, "offset": self.offset / 1000}


# ------------------------------------------------------------ validation

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def type_ok(v, t):
    if t == "null":
        return v is None
    if t == "boolean":
        return isinstance(v, bool)
    if t == "integer":
        return isinstance(v, int) and not isinstance(v, bool) or \
            isinstance(v, float) and v.is_integer()
    if t == "number":
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    if t == "string":
        return isinstance(v, str)
    if t == "array":
        return isinstance(v, list)
    if t == "object":
        return isinstance(v, dict)
    return False


TYPE_WORDS = {"string": "a string", "number": "a number", "integer": "an integer",
              "boolean": "true or false", "array": "an array", "object": "an object",
              "null": "null"}


class Validator:
    """The subset of JSON Schema 2020-12 the contract uses."""

    def __init__(self, doc):
        self.doc = doc

    def resolve(self, ref):
        if not ref.startswith("#/"):
            raise ValueError("only local $ref: %r" % ref)
        node = self.doc
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def check(self, schema, v, path, errs, writing=True):
        if "$ref" in schema:
            schema = self.resolve(schema["$ref"])
        t = schema.get("type")
        if t is not None:
            types = t if isinstance(t, list) else [t]
            if not any(type_ok(v, x) for x in types):
                want = " or ".join(TYPE_WORDS[x] for x in types)
                errs[path or "(body)"] = "must be %s" % want
                return
        if v is None:
            return
        if "enum" in schema and v not in schema["enum"]:
            errs[path] = "must be one of %s" % ", ".join(schema["enum"])
            return
        if isinstance(v, str):
            if "maxLength" in schema and len(v) > schema["maxLength"]:
                errs[path] = "longer than %d characters" % schema["maxLength"]
            elif "minLength" in schema and len(v) < schema["minLength"]:
                errs[path] = "must not be empty" if schema["minLength"] == 1 else \
                    "shorter than %d characters" % schema["minLength"]
            elif "pattern" in schema and not re.search(schema["pattern"], v):
                errs[path] = "does not match %s" % schema["pattern"]
            else:
                f = schema.get("format")
                if f == "email" and not EMAIL_RE.match(v):
                    errs[path] = "not a valid email address"
                elif f == "date" and not valid_date(v):
                    errs[path] = "not a date (YYYY-MM-DD)"
                elif f == "date-time" and parse_ts(v) is None:
                    errs[path] = "not an RFC 3339 date-time"
                elif f == "uri" and not re.match(r"^https?://[^\s]+$", v):
                    errs[path] = "not an http(s) URL"
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            if "minimum" in schema and v < schema["minimum"]:
                errs[path] = "must be at least %s" % schema["minimum"]
            elif "exclusiveMinimum" in schema and v <= schema["exclusiveMinimum"]:
                errs[path] = "must be greater than %s" % schema["exclusiveMinimum"]
            elif "maximum" in schema and v > schema["maximum"]:
                errs[path] = "must be at most %s" % schema["maximum"]
            elif "multipleOf" in schema:
                try:
                    if Decimal(repr(v)) % Decimal(repr(schema["multipleOf"])) != 0:
                        places = -Decimal(repr(schema["multipleOf"])).as_tuple().exponent
                        errs[path] = "at most %d decimal places" % places
                except InvalidOperation:
                    errs[path] = "out of range"
        elif isinstance(v, list):
            if "minItems" in schema and len(v) < schema["minItems"]:
                errs[path] = "needs at least %d item%s" % (
                    schema["minItems"], "" if schema["minItems"] == 1 else "s")
            elif "maxItems" in schema and len(v) > schema["maxItems"]:
                errs[path] = "at most %d items" % schema["maxItems"]
            elif "items" in schema:
                for i, x in enumerate(v):
                    self.check(schema["items"], x, "%s[%d]" % (path, i), errs, writing)
        elif isinstance(v, dict):
            props = schema.get("properties", {})
            for k, x in v.items():
                sub = props.get(k)
                p = "%s.%s" % (path, k) if path else k
                if sub is None:
                    if schema.get("additionalProperties") is False:
                        errs[p] = "unknown field"
                    continue
                if "$ref" in sub:
                    sub = self.resolve(sub["$ref"])
                if writing and sub.get("readOnly"):
                    continue          # ignored on writes
                self.check(sub, x, p, errs, writing)
            if writing:
                for k in schema.get("required", []):
                    if k not in v or v[k] is None:
                        errs["%s.%s" % (path, k) if path else k] = "required"


def strip_readonly(schema, validator, v):
    """The body without readOnly fields (a record read from BNG can be written
    back as it is)."""
    if "$ref" in schema:
        schema = validator.resolve(schema["$ref"])
    if isinstance(v, dict):
        props = schema.get("properties", {})
        out = {}
        for k, x in v.items():
            sub = props.get(k)
            if sub is not None and "$ref" in sub:
                sub = validator.resolve(sub["$ref"])
            if sub is not None and sub.get("readOnly"):
                continue
            out[k] = strip_readonly(sub, validator, x) if sub is not None else x
        return out
    if isinstance(v, list) and "items" in schema:
        return [strip_readonly(schema["items"], validator, x) for x in v]
    return v


def round2(x):
    return float(Decimal(repr(x)).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP"))


# ----------------------------------------------------------------- the app

class Resource:
    def __init__(self, path, schema_name, schema, singular):
        self.path = path
        self.name = schema_name
        self.schema = schema
        self.id_field = schema["x-bng-id"]
        self.singular = singular
        self.unique = schema.get("x-bng-unique", [])
        self.props = schema["properties"]
        self.table = "r_" + path


class Subscriber:
    def __init__(self, app, sid, url, secret, events):
        self.app, self.id, self.url, self.secret = app, sid, url, secret
        self.events = events or ["*"]
        self.queue = collections.deque()
        self.cond = threading.Condition()
        self.delivered = self.attempts = self.failures = 0
        self.last_status = None
        self.stopping = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def wants(self, etype):
        for e in self.events:
            if e == "*" or e == etype or (e.endswith(".*") and etype.startswith(e[:-1])):
                return True
        return False

    def push(self, ev):
        with self.cond:
            self.queue.append(ev)
            self.cond.notify()

    def stop(self):
        with self.cond:
            self.stopping = True
            self.cond.notify()

    def info(self):
        with self.cond:
            return {"id": self.id, "url": self.url, "events": self.events,
                    "queued": len(self.queue), "delivered": self.delivered,
                    "attempts": self.attempts, "failures": self.failures,
                    "last_status": self.last_status}

    def post(self, body, evid):
        u = urlsplit(self.url)
        conn_cls = http.client.HTTPSConnection if u.scheme == "https" else \
            http.client.HTTPConnection
        conn = conn_cls(u.hostname, u.port, timeout=self.app.args.webhook_timeout)
        sig = hmac.new(self.secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
        try:
            conn.request("POST", (u.path or "/") + ("?" + u.query if u.query else ""), body, {
                "Content-Type": "application/json", "X-BNG-Event-Id": evid,
                "X-BNG-Signature": "sha256=" + sig, "User-Agent": "bng-sandbox-webhooks"})
            r = conn.getresponse()
            r.read()
            return r.status
        finally:
            conn.close()

    def run(self):
        wait = self.app.args.webhook_retry_ms / 1000.0
        while True:
            with self.cond:
                while not self.queue and not self.stopping:
                    self.cond.wait()
                if self.stopping:
                    return
                evid, body = self.queue[0]
            if self.app.webhook_delay_ms:
                time.sleep(self.app.webhook_delay_ms / 1000.0)
            try:
                status = self.post(body, evid)
            except (OSError, http.client.HTTPException):
                status = 0
            with self.cond:
                self.attempts += 1
                self.last_status = status
                if 200 <= status < 300:
                    self.queue.popleft()
                    self.delivered += 1
                    wait = self.app.args.webhook_retry_ms / 1000.0
                    continue
                self.failures += 1
                self.cond.wait(wait)
                wait = min(wait * 2, self.app.args.webhook_retry_max_ms / 1000.0)


class Bng:
    keep_alive = True

    def __init__(self, args):
        self.args = args
        with open(args.openapi, "rb") as f:
            self.doc_bytes = f.read()
        self.doc = json.loads(self.doc_bytes)
        self.v = Validator(self.doc)
        schemas = self.doc["components"]["schemas"]
        self.resources = {}
        for r in self.doc["x-bng-resources"]:
            singular = r["events"][0].rsplit(".", 1)[0]
            self.resources[r["path"]] = Resource(r["path"], r["schema"],
                                                 schemas[r["schema"]], singular)
        self.clients = {}
        for c in args.client or ["erpipe:erpipe-secret"]:
            cid, sep, secret = c.partition(":")
            if not sep or not cid:
                raise ValueError("--client wants ID:SECRET, got %r" % c)
            self.clients[cid] = secret
        self.counts = {}
        for e in args.entity or []:
            res, sep, num = e.partition("=")
            if res not in self.resources or not sep or not num.isdigit():
                raise ValueError("--entity wants RESOURCE=N with RESOURCE one of %s"
                                 % ", ".join(self.resources))
            self.counts[res] = int(num)
        self.seed_ms = parse_ts(args.seed_time)
        if self.seed_ms is None:
            raise ValueError("--seed-time: not an RFC 3339 date-time")
        self.clock = Clock()
        self.token_ttl = args.token_ttl
        self.tokens = {}             # token -> (client, expiry ms)
        self.issued = 0
        self.rl_limit, self.rl_window = args.rate_limit, args.rate_window
        self.rl = {}                 # client -> [window start ms, count]
        self.items_key, self.next_key = "data", "next_cursor"
        self.batch_enabled = not args.no_batch
        self.subs = []
        self.webhook_delay_ms = args.webhook_delay_ms
        self.evn = 0
        self.sb = None
        self.build()
        if args.webhook_url:
            secret = ""
            if args.webhook_secret_file:
                with open(args.webhook_secret_file, encoding="utf-8") as f:
                    secret = f.read().rstrip("\r\n")
            if not secret:
                raise ValueError("--webhook-url needs --webhook-secret-file with a secret")
            self.add_subscriber(args.webhook_url, secret, ["*"])

    def attach(self, sb):
        self.sb = sb

    # ---------------------------------------------------------- storage
    def build(self, keep=True):
        """The tables, seeded.  With --db-file a restart keeps what the file
        holds (as a real server keeps its data across restarts); only
        /__sandbox/reset (keep=False) starts again from the seed."""
        t0 = time.monotonic()
        self.db = common.open_db(self.args.db_file)
        kept = keep and self.args.db_file and all(
            self.db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                            (r.table,)).fetchone() for r in self.resources.values())
        if kept:
            if self.args.verbose:
                sys.stderr.write("bng: kept the data of %s\n" % self.args.db_file)
            return
        for r in self.resources.values():
            self.db.execute("DROP TABLE IF EXISTS %s" % r.table)
            self.db.execute("CREATE TABLE %s (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                            "ext TEXT UNIQUE, uq TEXT UNIQUE, updated TEXT NOT NULL, "
                            "doc TEXT NOT NULL)" % r.table)
            self.db.execute("CREATE INDEX %s_upd ON %s (updated, id)" % (r.table, r.table))
        import bng_seed
        bng_seed.seed(self, self.args.records, self.counts, self.seed_ms, self.args.data_seed)
        if self.args.verbose:
            sys.stderr.write("bng: seeded in %.2fs\n" % (time.monotonic() - t0))

    def reset(self):
        self.db.close()
        self.build(keep=False)

    def close(self):
        for s in self.subs:
            s.stop()
        self.db.close()

    def insert_seed(self, res, docs):
        """docs: list of dicts without ids; ids are assigned in order."""
        r = self.resources[res]
        rows = []
        cur = self.db.execute("SELECT COALESCE(MAX(id), 0) FROM %s" % r.table).fetchone()[0]
        for d in docs:
            cur += 1
            d[r.id_field] = cur
            d = self.order_doc(r, d)
            rows.append((cur, d.get("ExternalID"), self.uq_value(r, d), d["UpdatedAt"],
                         json.dumps(d, separators=(",", ":"), ensure_ascii=False)))
        self.db.execute("BEGIN")
        self.db.executemany("INSERT INTO %s (id, ext, uq, updated, doc) VALUES (?,?,?,?,?)"
                            % r.table, rows)
        self.db.execute("COMMIT")

    def order_doc(self, r, d):
        """Fields in the schema's order, every field present (null when unset)."""
        out = {}
        for k in r.props:
            out[k] = d.get(k)
        return out

    def uq_value(self, r, d):
        return d.get(r.unique[0]) if r.unique else None

    def get(self, r, rid):
        row = self.db.execute("SELECT doc FROM %s WHERE id = ?" % r.table, (rid,)).fetchone()
        return json.loads(row[0]) if row else None

    def find_by(self, r, field, value):
        if field == "ExternalID":
            q = "SELECT id FROM %s WHERE ext = ?" % r.table
        elif r.unique and field == r.unique[0]:
            q = "SELECT id FROM %s WHERE uq = ?" % r.table
        else:
            q = "SELECT id FROM %s WHERE json_extract(doc, '$.\"%s\"') = ?" % (r.table, field)
        row = self.db.execute(q, (value,)).fetchone()
        return row[0] if row else None

    # ---------------------------------------------------------- HTTP
    def reason(self, status):
        return common.reason_phrase(status)

    def fault_response(self, req, status, retry_after):
        if req.path.startswith(API) and status == 429:
            e = ApiError(429, "rate_limited", "too many requests")
            return Response.json(e.body(), 429, [("Retry-After", str(retry_after)),
                                                 ("X-RateLimit-Remaining", "0")])
        return None

    def handle(self, req):
        try:
            if req.path == "/oauth/token":
                return self.token(req)
            if req.path == API + "/openapi.json" and req.method in ("GET", "HEAD"):
                return Response(200, self.doc_bytes, content_type="application/json")
            if req.path.startswith(API + "/"):
                return self.api(req)
            raise ApiError(404, "not_found", "no such path %s" % req.path)
        except ApiError as e:
            req.log["error"] = e.code
            return Response.json(e.body(), e.status, e.headers)

    def token(self, req):
        def oauth_err(status, code, desc):
            hdrs = [("Cache-Control", "no-store")]
            if status == 401:
                hdrs.append(("WWW-Authenticate", 'Basic realm="bng"'))
            return Response.json({"error": code, "error_description": desc}, status, hdrs)

        if req.method != "POST":
            return oauth_err(400, "invalid_request", "POST the token request")
        ctype = (req.header("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/x-www-form-urlencoded":
            return oauth_err(400, "invalid_request",
                             "the body must be application/x-www-form-urlencoded")
        try:
            form = dict(parse_qsl(req.body.decode("utf-8"), keep_blank_values=True,
                                  strict_parsing=bool(req.body)))
        except (UnicodeDecodeError, ValueError):
            return oauth_err(400, "invalid_request", "the body is not a form")
        cid, secret = form.get("client_id"), form.get("client_secret")
        auth = req.header("Authorization") or ""
        if auth[:6].lower() == "basic ":
            try:
                from urllib.parse import unquote
                u, _, p = base64.b64decode(auth[6:].strip()).decode("utf-8").partition(":")
                cid, secret = unquote(u), unquote(p)
            except (ValueError, UnicodeDecodeError):
                return oauth_err(400, "invalid_request", "malformed Basic credentials")
        if form.get("grant_type") != "client_credentials":
            return oauth_err(400, "unsupported_grant_type",
                             "only grant_type=client_credentials")
        if not cid or secret is None or self.clients.get(cid) is None or \
                not hmac.compare_digest(self.clients[cid].encode(), secret.encode()):
            return oauth_err(401, "invalid_client", "unknown client or wrong secret")
        scope = form.get("scope", "read write")
        if any(s not in ("read", "write") for s in scope.split()):
            return oauth_err(400, "invalid_scope", "scopes are read and write")
        tok = base64.urlsafe_b64encode(os.urandom(24)).decode().rstrip("=")
        ttl = self.token_ttl
        self.tokens[tok] = (cid, self.clock.now() + int(ttl * 1000))
        self.issued += 1
        req.log["client"] = cid
        return Response.json({"access_token": tok, "token_type": "Bearer",
                              "expires_in": int(math.ceil(ttl)), "scope": scope}, 200,
                             [("Cache-Control", "no-store")])

    def authenticate(self, req):
        auth = req.header("Authorization") or ""
        if auth[:7].lower() != "bearer ":
            raise ApiError(401, "unauthorized", "no bearer token",
                           headers=[("WWW-Authenticate", 'Bearer realm="bng"')])
        tok = auth[7:].strip()
        ent = self.tokens.get(tok)
        if ent is None or ent[1] <= self.clock.now():
            why = "the access token expired" if ent else "unknown access token"
            raise ApiError(401, "invalid_token", why, headers=[(
                "WWW-Authenticate",
                'Bearer realm="bng", error="invalid_token", error_description="%s"' % why)])
        req.log["client"] = ent[0]
        return ent[0]

    def rate(self, client):
        """-> headers; raises 429 past the limit."""
        if not self.rl_limit:
            return []
        now = self.clock.now() if self.clock.mode == "frozen" else int(time.time() * 1000)
        win = int(self.rl_window * 1000)
        st = self.rl.get(client)
        if st is None or now >= st[0] + win:
            st = self.rl[client] = [now, 0]
        reset = max(0, st[0] + win - now)
        if st[1] >= self.rl_limit:
            ra = max(1, int(math.ceil(reset / 1000.0)))
            raise ApiError(429, "rate_limited",
                           "rate limit of %d requests per %gs spent" % (self.rl_limit,
                                                                         self.rl_window),
                           headers=[("Retry-After", str(ra)),
                                    ("X-RateLimit-Limit", str(self.rl_limit)),
                                    ("X-RateLimit-Remaining", "0"),
                                    ("X-RateLimit-Reset", str(ra))])
        st[1] += 1
        return [("X-RateLimit-Limit", str(self.rl_limit)),
                ("X-RateLimit-Remaining", str(self.rl_limit - st[1])),
                ("X-RateLimit-Reset", str(int(math.ceil(reset / 1000.0))))]

    def api(self, req):
        client = self.authenticate(req)
        hdrs = self.rate(client)
        parts = req.path[len(API) + 1:].split("/")
        try:
            if parts[0] == "webhooks":
                resp = self.webhooks_api(req, parts)
            else:
                resp = self.resource_api(req, parts)
        except ApiError as e:
            e.headers = hdrs + e.headers
            raise
        resp.headers = hdrs + resp.headers
        return resp

    def body_json(self, req):
        try:
            v = req.json()
        except (ValueError, UnicodeDecodeError) as e:
            raise ApiError(400, "invalid_request", "the body is not JSON: %s" % e)
        return v

    def resource_api(self, req, parts):
        r = self.resources.get(parts[0])
        if r is None or len(parts) > 2:
            raise ApiError(404, "not_found", "no resource %s" % req.path)
        if len(parts) == 1:
            if req.method in ("GET", "HEAD"):
                return self.list(req, r)
            if req.method == "POST":
                self.no_query(req)
                out, status = self.create(req, r, self.body_json(req))
                return Response.json(out, status, [
                    ("Location", "%s/%s/%d" % (API, r.path, out[r.id_field]))])
            if req.method == "PUT":
                key = self.upsert_key(req, r)
                out, status = self.upsert(req, r, self.body_json(req), key)
                return Response.json(out, status)
            raise ApiError(405, "invalid_request", "%s not allowed here" % req.method)
        if parts[1] == "batch":
            if not self.batch_enabled:
                raise ApiError(404, "not_found", "no batch endpoint")
            if req.method != "POST":
                raise ApiError(405, "invalid_request", "POST a batch")
            self.no_query(req)
            return self.batch(req, r, self.body_json(req))
        if not parts[1].isdigit() or int(parts[1]) < 1:
            raise invalid({"id": "must be a positive integer"})
        rid = int(parts[1])
        if req.method in ("GET", "HEAD"):
            self.no_query(req)
            doc = self.get(r, rid)
            if doc is None:
                raise ApiError(404, "not_found", "no %s with %s %d" % (r.name, r.id_field, rid))
            return Response.json(doc)
        self.no_query(req)
        if req.method == "PUT":
            return Response.json(self.replace(req, r, rid, self.body_json(req))[0])
        if req.method == "PATCH":
            return Response.json(self.patch(req, r, rid, self.body_json(req))[0])
        if req.method == "DELETE":
            self.delete(req, r, rid)
            return Response(204)
        raise ApiError(405, "invalid_request", "%s not allowed here" % req.method)

    def no_query(self, req):
        if req.raw_query:
            k = parse_qsl(req.raw_query, keep_blank_values=True)
            raise invalid({x: "unknown parameter" for x, _ in k} or
                          {"query": "unexpected"})

    def upsert_key(self, req, r):
        q = dict(parse_qsl(req.raw_query, keep_blank_values=True))
        extra = set(q) - {"upsert_key"}
        if extra:
            raise invalid({x: "unknown parameter" for x in extra})
        key = q.get("upsert_key")
        if not key:
            raise invalid({"upsert_key": "required: PUT on the collection upserts by a "
                                         "unique field"})
        if key != "ExternalID" and key not in r.unique:
            raise invalid({"upsert_key": "must be a unique field: %s" %
                           ", ".join(["ExternalID"] + r.unique)})
        return key

    # ---------------------------------------------------------- lists
    def list(self, req, r):
        errs = {}
        pairs = parse_qsl(req.raw_query, keep_blank_values=True)
        q, filters = {}, collections.OrderedDict()
        known = {"limit", "cursor", "updated_since", "id_gte", "id_lte", "fields", "count",
                 "page", "per_page", "offset"}
        for k, v in pairs:
            if k in known:
                if k in q:
                    errs[k] = "given twice"
                q[k] = v
            elif k in r.props:
                filters.setdefault(k, []).append(v)
            else:
                errs[k] = "unknown parameter"

        def intparam(name, lo, hi, default):
            if name not in q:
                return default
            s = q[name]
            if not re.match(r"^\d+$", s) or not lo <= int(s) <= hi:
                errs[name] = "must be an integer from %d to %d" % (lo, hi)
                return default
            return int(s)

        limit = intparam("limit", 0, MAX_LIMIT, 100)
        per_page = intparam("per_page", 1, MAX_LIMIT, 100)
        page = intparam("page", 1, 10 ** 9, None)
        offset = intparam("offset", 0, 10 ** 12, None)
        id_gte = intparam("id_gte", 0, 2 ** 62, None)
        id_lte = intparam("id_lte", 0, 2 ** 62, None)
        count = q.get("count")
        if count not in (None, "true", "false"):
            errs["count"] = "must be true or false"
        since = None
        if "updated_since" in q:
            since = parse_ts(q["updated_since"])
            if since is None:
                errs["updated_since"] = "not an RFC 3339 date-time"
        after = None
        if "cursor" in q:
            try:
                after = json.loads(base64.urlsafe_b64decode(q["cursor"] + "==="))
                if not (isinstance(after, list) and len(after) == 2
                        and isinstance(after[0], str) and isinstance(after[1], int)):
                    raise ValueError
            except (ValueError, TypeError):
                errs["cursor"] = "not a cursor this API gave"
        if sum(x is not None for x in (after, page, offset)) > 1:
            errs["cursor"] = "use one of cursor, page and offset"
        fields = None
        if "fields" in q:
            fields = [f for f in q["fields"].split(",") if f]
            bad = [f for f in fields if f not in r.props]
            if bad:
                errs["fields"] = "unknown field%s %s" % ("s" if len(bad) > 1 else "",
                                                        ", ".join(bad))
        if errs:
            raise invalid(errs)

        where, args = [], []
        if since is not None:
            where.append("updated >= ?")
            args.append(ts_text(since))
        if id_gte is not None:
            where.append("id >= ?")
            args.append(id_gte)
        if id_lte is not None:
            where.append("id <= ?")
            args.append(id_lte)
        for k, vals in filters.items():
            if k == "ExternalID":
                col = "ext"
            elif k == r.id_field:  # the primary key: indexed, as a real service has it
                col = "id"
            elif r.unique and k == r.unique[0]:
                col = "uq"
            else:
                col = "json_extract(doc, '$.\"%s\"')" % k
            where.append("%s IN (%s)" % (col, ",".join("?" * len(vals))))
            args.extend(self.filter_value(r, k, v) for v in vals)
        base_where = list(where)
        base_args = list(args)
        if after is not None:
            where.append("(updated, id) > (?, ?)")
            args.extend(after)
        sql = "SELECT doc, updated, id FROM %s%s ORDER BY updated, id" % (
            r.table, " WHERE " + " AND ".join(where) if where else "")
        n = limit
        if page is not None:
            n = per_page
            sql += " LIMIT ? OFFSET ?"
            args += [per_page + 1, (page - 1) * per_page]
        elif offset is not None:
            sql += " LIMIT ? OFFSET ?"
            args += [limit + 1, offset]
        else:
            sql += " LIMIT ?"
            args.append(limit + 1)
        rows = self.db.execute(sql, args).fetchall() if n > 0 else []
        more = len(rows) > n
        rows = rows[:n]
        docs = [row[0] for row in rows]
        if fields is not None:
            keep = set(fields) | {r.id_field, "UpdatedAt"}
            docs = [json.dumps({k: v for k, v in json.loads(d).items() if k in keep},
                               separators=(",", ":"), ensure_ascii=False) for d in docs]
        nxt = None
        link = None
        if more:
            if page is not None:
                nq = [(k, v) for k, v in pairs if k != "page"] + [("page", str(page + 1))]
            elif offset is not None:
                nq = [(k, v) for k, v in pairs if k != "offset"] + \
                    [("offset", str(offset + n))]
            else:
                last = rows[-1]
                nxt = base64.urlsafe_b64encode(json.dumps([last[1], last[2]]).encode()) \
                    .decode().rstrip("=")
                nq = [(k, v) for k, v in pairs if k != "cursor"] + [("cursor", nxt)]
            host = req.header("Host") or "127.0.0.1"
            link = '<http://%s%s?%s>; rel="next"' % (host, req.path, urlencode(nq))
        extra = ""
        if count == "true":
            c = self.db.execute("SELECT COUNT(*), MIN(id), MAX(id) FROM %s%s" % (
                r.table, " WHERE " + " AND ".join(base_where) if base_where else ""),
                base_args).fetchone()
            extra = ',"total_count":%d,"min_id":%s,"max_id":%s' % (
                c[0], json.dumps(c[1]), json.dumps(c[2]))
        body = self.envelope("[" + ",".join(docs) + "]", json.dumps(nxt), extra)
        req.log["items"] = len(docs)
        return Response(200, body.encode("utf-8"),
                        [("Link", link)] if link else [], "application/json; charset=utf-8")

    def filter_value(self, r, k, v):
        t = r.props[k].get("type")
        types = t if isinstance(t, list) else [t]
        if ("integer" in types or "number" in types) and re.match(r"^-?\d+(\.\d+)?$", v):
            return float(v) if "." in v else int(v)
        if "boolean" in types and v in ("true", "false"):
            return 1 if v == "true" else 0
        return v

    def envelope(self, items, nxt, extra):
        if self.items_key == "data" and self.next_key == "next_cursor":
            return '{"data":%s,"next_cursor":%s%s}' % (items, nxt, extra)
        # another tenant's shape: build it as objects
        obj = {}

        def put(path, raw):
            node = obj
            ks = path.split(".")
            for k in ks[:-1]:
                node = node.setdefault(k, {})
            node[ks[-1]] = json.loads(raw)
        put(self.items_key, items)
        put(self.next_key, nxt)
        if extra:
            obj.update(json.loads("{" + extra[1:] + "}"))
        return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)

    # ---------------------------------------------------------- writes
    def now_for(self, req):
        h = req.header("X-Sandbox-Updated-At")
        if h:
            ms = parse_ts(h)
            if ms is None:
                raise invalid({"X-Sandbox-Updated-At": "not an RFC 3339 date-time"})
            return ms
        return self.clock.now()

    def prepare(self, req, r, body, existing=None, patch=False):
        """Validate body; return the full document to store (ids and times unset
        for a create).  Raises 400 with the field messages."""
        if not isinstance(body, dict):
            raise invalid({"(body)": "must be an object"})
        if patch:
            # what the server stored empty for an optional field it has no
            # value for (an order's TaxTotal) is not the client's to fix
            merged = {k: v for k, v in existing.items() if v is not None}
            for k, v in body.items():
                merged[k] = v
            body = merged
        body = strip_readonly(r.schema, self.v, body)
        errs = {}
        self.v.check(r.schema, body, "", errs)
        for group in r.schema.get("x-bng-one-of-required", []):
            if all(body.get(k) in (None, "") for k in group):
                errs.setdefault(group[0], "required (or %s)" % " or ".join(group[1:]))
        if r.schema.get("x-bng-debit-xor-credit"):
            d, c = body.get("Debit") or 0, body.get("Credit") or 0
            if (d == 0) == (c == 0) and "Debit" not in errs and "Credit" not in errs:
                errs["Debit"] = "exactly one of Debit and Credit must be non-zero"
        for i, ln in enumerate(body.get("LineItems") or []):
            if isinstance(ln, dict) and isinstance(ln.get("QuantityShipped"), (int, float)) \
                    and isinstance(ln.get("Quantity"), (int, float)) \
                    and ln["QuantityShipped"] > ln["Quantity"]:
                errs.setdefault("LineItems[%d].QuantityShipped" % i, "more than Quantity")
        if errs:
            raise invalid(errs)
        self.resolve_refs(r, body, errs)
        if errs:
            raise invalid(errs)
        doc = {}
        for k, p in r.props.items():
            if "$ref" in p:
                p = self.v.resolve(p["$ref"])
            if k in body:
                doc[k] = body[k]
            elif "default" in p:
                doc[k] = p["default"]
            else:
                doc[k] = None
        self.compute(r, doc)
        return doc

    def resolve_refs(self, r, body, errs):
        def ref(idf, extf, target):
            t = self.resources[target]
            if body.get(idf) is not None:
                if self.get(t, body[idf]) is None:
                    errs[idf] = "no %s with %s %d" % (t.name, t.id_field, body[idf])
            elif extf and body.get(extf) is not None:
                rid = self.find_by(t, "ExternalID", body[extf])
                if rid is None:
                    errs[extf] = "no %s with ExternalID '%s'" % (t.name, body[extf])
                else:
                    body[idf] = rid
        if r.path in ("sales_orders", "invoices"):
            ref("CustomerID", "CustomerExternalID", "customers")
        if r.path == "invoices" and body.get("SalesOrderID") is not None:
            ref("SalesOrderID", None, "sales_orders")
        if r.path == "purchase_orders":
            ref("VendorID", "VendorExternalID", "vendors")
        if r.path == "payments":
            if body.get("InvoiceID") is not None:
                ref("InvoiceID", None, "invoices")
            elif body.get("InvoiceNo") is not None:
                rid = self.find_by(self.resources["invoices"], "InvoiceNo", body["InvoiceNo"])
                if rid is None:
                    errs["InvoiceNo"] = "no Invoice with InvoiceNo '%s'" % body["InvoiceNo"]
                else:
                    body["InvoiceID"] = rid
        if r.path == "inventory_items" and body.get("ProductID") is not None:
            ref("ProductID", None, "products")
        if r.path == "employees" and body.get("ManagerID") is not None:
            ref("ManagerID", None, "employees")

    def compute(self, r, doc):
        lines = doc.get("LineItems")
        if isinstance(lines, list):
            total = Decimal(0)
            for i, ln in enumerate(lines):
                price = ln.get("UnitPrice", ln.get("UnitCost", 0)) or 0
                try:
                    amt = Decimal(repr(ln["Quantity"])) * Decimal(repr(price))
                    if ln.get("Discount"):
                        amt = amt * (100 - Decimal(repr(ln["Discount"]))) / 100
                    amt = amt.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
                    if not abs(amt) < Decimal("1e15"):  # a DECIMAL(17,2) column
                        raise InvalidOperation
                except InvalidOperation:
                    raise invalid({"LineItems[%d].Amount" % i: "out of range"})
                ln["Amount"] = float(amt)
                ln.setdefault("LineNo", i + 1)
                total += amt
            if "Subtotal" in r.props:
                doc["Subtotal"] = float(total)
            tax = Decimal(repr(doc.get("TaxTotal") or 0))
            doc["Total"] = float(total + tax) if "TaxTotal" in r.props else float(total)
        if r.path == "inventory_items":
            doc["QuantityAvailable"] = round((doc.get("QuantityOnHand") or 0) -
                                             (doc.get("QuantityReserved") or 0), 3)

    def conflict(self, r, doc, rid=None):
        for field, col in (("ExternalID", "ext"),) + tuple((u, "uq") for u in r.unique[:1]):
            v = doc.get(field)
            if v is None:
                continue
            row = self.db.execute("SELECT id FROM %s WHERE %s = ?" % (r.table, col),
                                  (v,)).fetchone()
            if row and row[0] != rid:
                raise ApiError(409, "conflict", "%s '%s' already exists" % (field, v),
                               {field: "already used by %s %d" % (r.id_field, row[0])},
                               existing_id=row[0])

    def store(self, req, r, doc, rid, created_at, event):
        now = self.now_for(req)
        doc["UpdatedAt"] = ts_text(now)
        doc["CreatedAt"] = created_at or ts_text(now)
        # one transaction: a kill between the row's insert and its document
        # must not leave a row without one (as a real server's write)
        self.db.execute("BEGIN IMMEDIATE")
        try:
            if rid is None:
                cur = self.db.execute(
                    "INSERT INTO %s (ext, uq, updated, doc) VALUES (?,?,?,'{}')" % r.table,
                    (doc.get("ExternalID"), self.uq_value(r, doc), doc["UpdatedAt"]))
                rid = cur.lastrowid
            doc[r.id_field] = rid
            doc = self.order_doc(r, doc)
            self.db.execute("UPDATE %s SET ext = ?, uq = ?, updated = ?, doc = ? WHERE id = ?"
                            % r.table, (doc.get("ExternalID"), self.uq_value(r, doc),
                                        doc["UpdatedAt"],
                                        json.dumps(doc, separators=(",", ":"),
                                                   ensure_ascii=False), rid))
            if os.environ.get("BNG_SANDBOX_DIE_MID_WRITE") == str(doc.get("ExternalID")):
                os._exit(137)  # tests: a kill between the two statements
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.emit(r, event, doc)
        return doc

    def create(self, req, r, body):
        doc = self.prepare(req, r, body)
        self.conflict(r, doc)
        return self.store(req, r, doc, None, None, "created"), 201

    def upsert(self, req, r, body, key):
        if not isinstance(body, dict):
            raise invalid({"(body)": "must be an object"})
        if body.get(key) in (None, ""):
            raise invalid({key: "required: the upsert key"})
        rid = self.find_by(r, key, body[key])
        if rid is None:
            return self.create(req, r, body)
        return self.replace(req, r, rid, body)

    def replace(self, req, r, rid, body):
        old = self.get(r, rid)
        if old is None:
            raise ApiError(404, "not_found", "no %s with %s %d" % (r.name, r.id_field, rid))
        doc = self.prepare(req, r, body)
        self.conflict(r, doc, rid)
        return self.store(req, r, doc, rid, old["CreatedAt"], "updated"), 200

    def patch(self, req, r, rid, body):
        old = self.get(r, rid)
        if old is None:
            raise ApiError(404, "not_found", "no %s with %s %d" % (r.name, r.id_field, rid))
        if not isinstance(body, dict):
            raise invalid({"(body)": "must be an object"})
        doc = self.prepare(req, r, body, existing=old, patch=True)
        self.conflict(r, doc, rid)
        return self.store(req, r, doc, rid, old["CreatedAt"], "updated"), 200

    def delete(self, req, r, rid):
        old = self.get(r, rid)
        if old is None:
            raise ApiError(404, "not_found", "no %s with %s %d" % (r.name, r.id_field, rid))
        self.db.execute("DELETE FROM %s WHERE id = ?" % r.table, (rid,))
        self.emit(r, "deleted", {r.id_field: rid, "ExternalID": old.get("ExternalID"),
                                 "UpdatedAt": ts_text(self.now_for(req))})

    def batch(self, req, r, body):
        errs = {}
        items = body.get("items") if isinstance(body, dict) else None
        if not isinstance(body, dict):
            errs["(body)"] = "must be an object"
        elif set(body) - {"items"}:
            for k in set(body) - {"items"}:
                errs[k] = "unknown field"
        if not isinstance(items, list):
            errs.setdefault("items", "required: an array")
        elif not items:
            errs["items"] = "needs at least 1 item"
        elif len(items) > MAX_BATCH:
            errs["items"] = "at most %d items" % MAX_BATCH
        if errs:
            raise invalid(errs)
        results = []
        for i, it in enumerate(items):
            res = {"index": i}
            try:
                if not isinstance(it, dict):
                    raise invalid({"(item)": "must be an object"})
                bad = {k: "unknown field" for k in it
                       if k not in ("op", "id", "upsert_key", "data")}
                if bad:
                    raise invalid(bad)
                op, rid, data = it.get("op"), it.get("id"), it.get("data")
                if op not in ("create", "update", "replace", "upsert", "delete"):
                    raise invalid({"op": "must be one of create, update, replace, upsert, "
                                         "delete"})
                if op in ("update", "replace", "delete") and \
                        not (isinstance(rid, int) and not isinstance(rid, bool) and rid >= 1):
                    raise invalid({"id": "required for %s: a positive integer" % op})
                if op != "delete" and not isinstance(data, dict):
                    raise invalid({"data": "required: an object"})
                if op == "create":
                    doc, st = self.create(req, r, data)
                elif op == "update":
                    doc, st = self.patch(req, r, rid, data)
                elif op == "replace":
                    doc, st = self.replace(req, r, rid, data)
                elif op == "upsert":
                    key = it.get("upsert_key", "ExternalID")
                    if key != "ExternalID" and key not in r.unique:
                        raise invalid({"upsert_key": "must be a unique field: %s" %
                                       ", ".join(["ExternalID"] + r.unique)})
                    doc, st = self.upsert(req, r, data, key)
                else:
                    self.delete(req, r, rid)
                    doc, st = None, 204
                res["status"] = st
                if doc is not None:
                    res["id"] = doc[r.id_field]
                    res["data"] = doc
                elif rid:
                    res["id"] = rid
            except ApiError as e:
                res["status"] = e.status
                res["error"] = e.body()["error"]
            results.append(res)
        req.log["items"] = len(items)
        req.log["failed"] = sum(1 for x in results if x["status"] >= 300)
        return Response.json({"results": results})

    # ---------------------------------------------------------- webhooks
    def add_subscriber(self, url, secret, events):
        s = Subscriber(self, len(self.subs) + 1, url, secret, events)
        self.subs.append(s)
        return s

    def emit(self, r, what, doc):
        if not self.subs:
            return
        self.evn += 1
        etype = "%s.%s" % (r.singular, what)
        evid = "evt_%d" % self.evn
        body = json.dumps({"id": evid, "type": etype, "created_at": ts_text(self.clock.now()),
                           "data": doc}, separators=(",", ":"), ensure_ascii=False)
        for s in self.subs:
            if s.wants(etype):
                s.push((evid, body.encode("utf-8")))

    def webhooks_api(self, req, parts):
        if len(parts) == 1:
            self.no_query(req)
            if req.method == "GET":
                return Response.json({"data": [{"WebhookID": s.id, "url": s.url,
                                                "events": s.events} for s in self.subs]})
            if req.method == "POST":
                body = self.body_json(req)
                errs = {}
                self.v.check(self.doc["components"]["schemas"]["Webhook"], body, "", errs)
                if errs:
                    raise invalid(errs)
                secret = "whsec_" + base64.urlsafe_b64encode(os.urandom(24)).decode()
                s = self.add_subscriber(body["url"], secret, body.get("events"))
                return Response.json({"WebhookID": s.id, "url": s.url, "events": s.events,
                                      "secret": secret}, 201)
        elif len(parts) == 2 and parts[1].isdigit() and req.method == "DELETE":
            for s in self.subs:
                if s.id == int(parts[1]):
                    s.stop()
                    self.subs.remove(s)
                    return Response(204)
            raise ApiError(404, "not_found", "no webhook %s" % parts[1])
        raise ApiError(404, "not_found", "no such path %s" % req.path)

    # ---------------------------------------------------------- control
    def control(self, p, req, body):
        if not p.startswith("bng/"):
            return None
        p = p[4:]
        if p.startswith("dump/"):
            r = self.resources.get(p[5:])
            if r is None:
                return Response.json({"error": "no resource %r" % p[5:]}, 404)
            rows = self.db.execute("SELECT doc FROM %s ORDER BY id" % r.table).fetchall()
            return Response(200, "".join(x[0] + "\n" for x in rows).encode("utf-8"),
                            content_type="application/x-ndjson")
        if p == "clock":
            if req.method == "POST":
                self.clock.update(body)
            return Response.json(self.clock.state())
        if p == "tokens":
            if req.method == "POST":
                if "ttl" in body:
                    self.token_ttl = float(body["ttl"])
                if body.get("expire"):
                    now = self.clock.now()
                    for k, (c, _) in list(self.tokens.items()):
                        self.tokens[k] = (c, now)
            now = self.clock.now()
            return Response.json({"ttl": self.token_ttl, "issued": self.issued,
                                  "live": sum(1 for _, e in self.tokens.values() if e > now)})
        if p == "ratelimit":
            if req.method == "POST":
                if "limit" in body:
                    self.rl_limit = int(body["limit"])
                if "window" in body:
                    self.rl_window = float(body["window"])
                self.rl = {}
            return Response.json({"limit": self.rl_limit, "window": self.rl_window})
        if p == "webhooks":
            if req.method == "POST":
                if "delay_ms" in body:
                    self.webhook_delay_ms = int(body["delay_ms"])
                if body.get("url"):
                    if not body.get("secret"):
                        raise ValueError("want url and secret")
                    self.add_subscriber(body["url"], body["secret"], body.get("events"))
            return Response.json([s.info() for s in self.subs])
        if p == "shape":
            if req.method == "POST":
                self.items_key = body.get("items_key", self.items_key)
                self.next_key = body.get("next_key", self.next_key)
            return Response.json({"items_key": self.items_key, "next_key": self.next_key})
        if p == "batch":
            if req.method == "POST":
                self.batch_enabled = bool(body.get("enabled", True))
            return Response.json({"enabled": self.batch_enabled})
        return None


def add_arguments(p):
    g = p.add_argument_group("bng")
    g.add_argument("--openapi", default=DEFAULT_OPENAPI, help="the contract")
    g.add_argument("--records", type=int, default=50, help="records seeded per resource")
    g.add_argument("--entity", action="append", metavar="RESOURCE=N",
                   help="records seeded for one resource (repeatable)")
    g.add_argument("--seed-time", default="2026-01-01T00:00:00.000Z",
                   help="UpdatedAt of the first seeded record; the next ones 1 s apart")
    g.add_argument("--data-seed", type=int, default=1, help="seed of the generated data")
    g.add_argument("--client", action="append", metavar="ID:SECRET",
                   help="an OAuth client (default erpipe:erpipe-secret)")
    g.add_argument("--token-ttl", type=float, default=3600.0, metavar="S")
    g.add_argument("--rate-limit", type=int, default=0, metavar="N",
                   help="requests per window per client (0 = none)")
    g.add_argument("--rate-window", type=float, default=1.0, metavar="S")
    g.add_argument("--webhook-url", help="subscribe this URL to every event")
    g.add_argument("--webhook-secret-file", metavar="FILE")
    g.add_argument("--webhook-retry-ms", type=int, default=100)
    g.add_argument("--webhook-retry-max-ms", type=int, default=2000)
    g.add_argument("--webhook-timeout", type=float, default=5.0, metavar="S")
    g.add_argument("--webhook-delay-ms", type=int, default=0,
                   help="wait before each delivery (a slow sender)")
    g.add_argument("--no-batch", action="store_true", help="no /batch endpoints")


if __name__ == "__main__":
    sys.exit(common.main("bng", "BNG REST API sandbox", Bng, add_arguments))
