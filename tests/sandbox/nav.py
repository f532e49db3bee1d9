#!/usr/bin/python3
"""tests/sandbox/nav.py - a Dynamics NAV / Business Central stand-in on 127.0.0.1.

    nav.py [--records N] [--count Customer=100000] [--page-size 1000]
           [--auth basic,ntlm,oauth|none] [--user USER:KEY] [--ntlm-user 'DOM\\user:pw']
           [--client ID:SECRET] [--company NAME] [fault flags, see common.py]

OData V4 web services as NAV/BC publish them:
  /<instance>/ODataV4/                         service document
  /<instance>/ODataV4/$metadata                CSDL (EntityType per page, EnumTypes)
  /<instance>/ODataV4/$batch                   JSON batch, at most --max-batch requests
  /<instance>/ODataV4/Company                  the companies
  /<instance>/ODataV4/Company('<name>')/<Set>[(<key>)][/<lines>|/$count]
  /<instance>/ODataV4/Company(Id=<guid>)/...   and /<instance>/ODataV4/<Set>?company=<name>
  /<instance>/api/v2.0/companies(<guid>)/customers|vendors   API pages (lastModifiedDateTime)
Pages: Customer, Vendor, Item, SalesOrder (+ SalesOrderSalesLines), SalesInvoice
(+ SalesInvoiceSalesLines), PurchaseOrder (+ PurchaseOrderPurchLines), PurchaseInvoice
(+ PurchaseInvoicePurchLines), CashReceiptJournal, GenJournalLines, ItemJournalLines,
SalesShipment (+ SalesShipmentSalesShipmLines, posted: read only), ItemLedgerEntries,
GLEntries.  Query options $filter (eq ne gt ge lt le and or not, startswith endswith
contains, quoted strings with doubled quotes, unquoted dates/datetimes/guids; 'or'
across different fields is refused as NAV does), $select, $orderby, $count, $top,
$skip, $expand of the lines, $skiptoken.  Paging is server-driven: at most
--page-size records (Prefer: odata.maxpagesize=N asks for fewer), then
@odata.nextLink (--next-link absolute | relative to the service root | path); a
full page always carries a nextLink, so a count that is a multiple of the page size
ends with an empty page.  $top suppresses the nextLink.  Every entity has
@odata.etag; PATCH and DELETE need If-Match (the etag or *), a stale one gets 409
Request_EntityChanged (--stale-status 412 for other servers).  Errors are NAV's
{"error": {"code", "message"}} with its code families.

SOAP page services (older NAV): /<instance>/WS/<Company>/Page/<Name>, GET = WSDL,
POST = Read, ReadMultiple (filter[] with NAV filter syntax, bookmarkKey, setSize),
Create, CreateMultiple, Update, UpdateMultiple (the Key must be current: "Other
user has modified ..."), Delete; faults as NAV sends them.

Authentication (--auth, comma list): basic (user + web service access key),
ntlm (the handshake is done here; NTLMv2), oauth (bearer tokens from
POST /<tenant>/oauth2/v2.0/token, client credentials, scope ending /.default).

Control (besides common.py's):
  GET/POST /__sandbox/nav/clock   {"freeze": "2026-01-05T10:00:00Z"} | {"advance": 1.5}
                                  | {"offset": -86400} | {"real": true}
  POST /__sandbox/nav/config      {"page_size": 7, "next_link": "relative",
                                   "stale_status": 412, "max_batch": 100}
  POST /__sandbox/nav/edit        {"set": "Customer", "key": {"No": "10000"},
                                   "values": {"Name": "X"}, "company": "..."}
                                  change a record now (as another user would)
  POST /__sandbox/nav/on-read     same body: make that change right after the record
                                  is next read (a concurrent edit between a
                                  client's read and its write); "delete": true
                                  (in both) deletes the record instead
  POST /__sandbox/nav/post-journal {"template": "GENERAL", "batch": "ODOO", "company": ...}
                                  a user posts that general journal batch: each
                                  line a G/L entry (its balancing account another),
                                  the lines gone; a document out of balance refuses
                                  the batch
  POST /__sandbox/nav/post-item-journal {"template": "ITEM", "batch": "DEFAULT", ...}
                                  a user posts that item journal batch: each line an
                                  item ledger entry (Positive Adjmt. adds, Negative
                                  Adjmt. takes away), the lines gone
  POST /__sandbox/nav/post-shipment {"order": "S-ORD101001", "quantities": {"10000": 2}}
                                  a user posts a sales order's shipment: a Posted
                                  Sales Shipment (SalesShipment) naming the order, its
                                  item lines shipped (all when no quantities are given),
                                  the items' inventory down by Sale entries
  POST /__sandbox/nav/metadata    {"xml": "..."} replaces $metadata (hostile-XML tests);
                                  {} restores the real one
  GET  /__sandbox/nav/tokens      {"issued": n}

Flavour (--flavour, or "flavour" in /__sandbox/nav/config): "nav" (the default) is
NAV/BC as above; "odata" is the real OData V4 server of another vendor whose
transcripts are in tests/fixtures/odata (same entity model and URLs):
$skiptoken is a row offset (so rows modified while a client pages shift under it),
nextLinks are relative to the service root and @odata.context is relative
("../$metadata#Customer"), Prefer: odata.maxpagesize is ignored, the last page is
{"value": []}, $select also returns the ETag field (SystemModifiedAt), a key read
of a missing record is a plain 404 {"error":{"code":"404","message":"Not Found"}},
PATCH/DELETE with a stale If-Match is 412 and without one 428, an unknown company
is an empty set ($count answers 200 with {"value":[{"@odata.count":0}]}), and
$metadata carries its annotations out of line (<Annotations Target="NAV.Type/Prop">
with Core.Computed, Core.Permissions Read and Core.Immutable).  "etags": false in
the config leaves @odata.etag out of answers (a server without ETags).
"""

import base64
import datetime
import json
import os
import re
import sys
import time
import uuid
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, quote, unquote, urlsplit
from xml.sax.saxutils import escape as xml_escape

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import Response  # noqa: E402
import nav_auth  # noqa: E402
import nav_model as M  # noqa: E402
from nav_model import NavError, bad  # noqa: E402

# Headers and body go out in two writes: with Nagle on, a small answer waits
# for the client's delayed ACK (~40 ms a request on a kept-alive connection).
# NAV answers at once; so does this stand-in (only in this process).
common.Handler.disable_nagle_algorithm = True

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
EDMX_NS = "http://docs.oasis-open.org/odata/ns/edmx"
EDM_NS = "http://docs.oasis-open.org/odata/ns/edm"
JSON_CT = "application/json; odata.metadata=minimal; odata.streaming=true; charset=utf-8"
DEFAULT_COMPANY = "CRONUS International Ltd."
QUERY_OPTIONS = {"$filter", "$select", "$orderby", "$count", "$top", "$skip", "$expand",
                 "$skiptoken", "$format", "$schemaversion"}


class Clock:
    """The server clock (UTC, milliseconds) that stamps SystemModifiedAt."""

    def __init__(self, start=None):
        self.mode, self.frozen, self.offset = "real", None, 0.0
        if start:
            self.frozen, self.mode = self.parse(start), "frozen"

    @staticmethod
    def parse(s):
        n = M.norm_dt(s if "T" in s else s + "T00:00:00Z")
        if not n:
            raise ValueError("clock: bad time %r" % s)
        return datetime.datetime.strptime(n, "%Y-%m-%dT%H:%M:%S.%fZ")

    def now(self):
        if self.mode == "frozen":
            return self.frozen
        return (datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
                + datetime.timedelta(seconds=self.offset))

    def stamp(self):
        return M.fmt_dt(self.now())

    def state(self):
        return {"now": self.stamp(), "mode": self.mode, "offset": self.offset}

    def update(self, body):
        if body.get("real"):
            self.mode, self.offset = "real", 0.0
        if "offset" in body:
            self.mode, self.offset = "offset", float(body["offset"])
        if "freeze" in body:
            f = body["freeze"]
            self.frozen = self.now() if f is True else self.parse(str(f))
            self.mode = "frozen"
        if "advance" in body:
            if self.mode != "frozen":
                self.frozen, self.mode = self.now(), "frozen"
            self.frozen += datetime.timedelta(seconds=float(body["advance"]))


def nav_error(e, status=None):
    msg = e.message
    if e.code.isdigit():
        return Response.json({"error": {"message": msg, "code": e.code,
                                        "@Common.numericSeverity": 4}},
                             status or e.status, [("OData-Version", "4.0")])
    if "CorrelationId" not in msg:
        msg = "%s  CorrelationId:  %s." % (msg, uuid.uuid4())
    return Response.json({"error": {"code": e.code, "message": msg}}, status or e.status,
                         [("OData-Version", "4.0")])


def annotations_in(v):
    """How many annotation members (@odata.etag ...) v holds, at any depth."""
    if isinstance(v, dict):
        return sum(("@" in k) + annotations_in(x) for k, x in v.items())
    if isinstance(v, list):
        return sum(annotations_in(x) for x in v)
    return 0


def plain_error(status, message):
    """The other vendor's error body: the status as the code."""
    return NavError(status, str(status), message)


class JResponse(Response):
    """A JSON answer that keeps its object, so $batch need not parse it back."""
    __slots__ = ("obj",)


def odata_json(obj, status=200, headers=None):
    body = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    r = JResponse(status, body, [("OData-Version", "4.0")] + list(headers or []), JSON_CT)
    r.obj = obj
    return r


# ------------------------------------------------------------------ URL parsing
def split_segments(path):
    """'Company('a/b')/Customer('1')' -> [('Company', "'a/b'"), ('Customer', "'1'")],
    slashes and parentheses inside quotes kept."""
    segs, i, n = [], 0, len(path)
    while i < n:
        j = i
        while j < n and path[j] not in "/(":
            j += 1
        name, key = path[i:j], None
        if j < n and path[j] == "(":
            k, q = j + 1, False
            while k < n:
                c = path[k]
                if c == "'":
                    if q and k + 1 < n and path[k + 1] == "'":
                        k += 2
                        continue
                    q = not q
                elif c == ")" and not q:
                    break
                k += 1
            if k >= n:
                raise bad("Bad Request - Error in query syntax: unbalanced parentheses.")
            key = path[j + 1:k]
            j = k + 1
        segs.append((name, key))
        if j < n and path[j] != "/":
            raise bad("Bad Request - Error in query syntax.")
        i = j + 1
    return [s for s in segs if s[0] or s[1] is not None]


def split_commas(text):
    return M.split_top(text, ",")


def key_values(es, keytext):
    """Key predicate text -> {column: stored value}."""
    parts = [p.strip() for p in split_commas(keytext)]
    out = {}
    if len(parts) == 1 and "=" not in parts[0].split("'")[0]:
        if len(es.keys) != 1:
            raise bad("The number of keys specified in the URI does not match number of key "
                      "properties for the resource 'NAV.%s'." % es.name)
        out[es.keys[0].col] = M.parse_literal(es.keys[0], parts[0])
        return out
    for p in parts:
        name, eq, lit = p.partition("=")
        f = es.by_name.get(name.strip())
        if not eq or f is None or f not in es.keys:
            raise bad("The key in the request URI is not valid for resource 'NAV.%s'. "
                      "Ensure that the names and number of key properties match the declared "
                      "or alternate key properties for the resource." % es.name)
        out[f.col] = M.parse_literal(f, lit.strip())
    if len(out) != len(es.keys):
        raise bad("The number of keys specified in the URI does not match number of key "
                  "properties for the resource 'NAV.%s'." % es.name)
    return out


def key_pred(es, row):
    if len(es.keys) == 1:
        return "(%s)" % M.literal(es.keys[0], row[es.keys[0].col])
    return "(%s)" % ",".join("%s=%s" % (f.name, M.literal(f, row[f.col])) for f in es.keys)


URL_SAFE = "/'(),=$:@!*;"


def url_quote(s):
    return quote(s, safe=URL_SAFE)


class LowerDict(dict):
    """The headers of a $batch request: looked up in any case."""

    def get(self, k, d=None):
        return dict.get(self, k.lower(), d)


class SubRequest:
    """One request of a $batch, as resource() reads it."""
    __slots__ = ("query", "log")

    def __init__(self, query):
        self.query, self.log = query, {}


class Ctx:
    """Where a request is: service root, catalog, company, how it was addressed."""

    __slots__ = ("base", "root", "catalog", "api", "company", "company_seg", "query_company")


# ------------------------------------------------------------------ the app
class Nav:
    keep_alive = True

    def __init__(self, args):
        self.args = args
        self.instance = args.instance
        self.companies = args.company or [DEFAULT_COMPANY]
        self.page_size = args.page_size
        self.next_link = args.next_link
        self.stale_status = args.stale_status
        self.max_batch = args.max_batch
        self.flavour = args.flavour
        self.etags = True
        self.auth_modes = set(a.strip() for a in args.auth.split(",") if a.strip())
        for a in self.auth_modes:
            if a not in ("basic", "ntlm", "oauth", "none"):
                raise ValueError("--auth: unknown mode %r" % a)
        self.users = {}
        for u in args.user or ["admin:NAVkey123"]:
            name, sep, key = u.partition(":")
            if not sep:
                raise ValueError("--user wants USER:KEY, got %r" % u)
            self.users[name.lower()] = (name, key)
        self.ntlm_users = {}
        for u in args.ntlm_user or ["NAVSANDBOX\\navuser:Passw0rd!"]:
            who, sep, pw = u.partition(":")
            dom, bs, user = who.partition("\\")
            if not sep or not bs:
                raise ValueError("--ntlm-user wants DOMAIN\\USER:PASSWORD, got %r" % u)
            self.ntlm_users[(dom.lower(), user.lower())] = pw
        clients = {}
        for c in args.client or ["erpipe-client:client-secret-1"]:
            cid, sep, sec = c.partition(":")
            if not sep:
                raise ValueError("--client wants ID:SECRET, got %r" % c)
            clients[cid] = sec
        self.tokens = nav_auth.Tokens(clients, args.token_ttl)
        self.tenant = args.tenant
        self.counts = {}
        for c in args.count or []:
            k, sep, v = c.partition("=")
            if not sep:
                raise ValueError("--count wants SET=N, got %r" % c)
            self.counts[k] = int(v)
        self.ntlm_pending = {}
        self.ntlm_ok = {}
        self.metadata_override = None
        self.on_read = []
        self.sets = {s.name: s for s in M.PAGE_SETS}
        self.api_sets = {s.name: s for s in M.API_SETS}
        self.build()

    # ---------------------------------------------------------------- data
    def build(self, keep=True):
        """The tables, seeded.  With --db-file a restart keeps what the file
        holds (as a real server keeps its data across restarts), and row
        versions go on from the highest kept; only /__sandbox/reset
        (keep=False) starts again from the seed."""
        t0 = time.monotonic()
        self.db = common.open_db(self.args.db_file)
        self.clock = Clock()
        if keep and self.args.db_file and self.db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'Company'"
                ).fetchone():
            self.company_ids = dict(self.db.execute('SELECT Name, Id FROM "Company"'))
            self.ver = max(self.db.execute('SELECT COALESCE(MAX(_ver), 0) FROM "%s"' % t
                                           ).fetchone()[0] for t in M.TABLES)
            if self.args.verbose:
                sys.stderr.write("nav: kept the data of %s\n" % self.args.db_file)
            return
        if self.args.db_file:
            for (name,) in self.db.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                           "AND name NOT LIKE 'sqlite_%'").fetchall():
                self.db.execute('DROP TABLE "%s"' % name)
        self.ver = 0
        M.create_schema(self.db)
        rng = M.make_rng(self.args.data_seed)
        self.company_ids = {}
        base = Clock.parse(self.args.seed_time)
        self.db.execute("BEGIN")
        for i, name in enumerate(self.companies):
            cid = M.guid(rng)
            self.company_ids[name] = cid
            self.db.execute('INSERT INTO "Company" (company, Name, Display_Name, Id, _ver) '
                            "VALUES (?, ?, ?, ?, ?)", (name, name, name, cid, self.bump()))
            counts = {}
            for s in M.PAGE_SETS:
                counts[s.name] = self.counts.get(s.name, self.args.records if i == 0 else 0)

            def when(k, base=base):
                return M.fmt_dt(base + datetime.timedelta(milliseconds=k))
            M.seed(self.db, name, counts, rng, when, self.bump)
        self.db.execute("COMMIT")
        if self.args.verbose:
            sys.stderr.write("nav: seeded in %.2fs\n" % (time.monotonic() - t0))

    def bump(self):
        """The next row version (one counter for every table)."""
        self.ver += 1
        return self.ver

    def reset(self):
        self.db.close()
        self.ntlm_pending.clear()
        self.ntlm_ok.clear()
        self.on_read = []
        self.metadata_override = None
        self.build(keep=False)

    def close(self):
        self.db.close()

    # ---------------------------------------------------------------- faults
    def fault_response(self, req, status, retry_after):
        hdrs = [("Retry-After", str(retry_after))] if retry_after is not None else []
        code = {429: "Application_TooManyRequests", 503: "Application_ServiceUnavailable",
                502: "Application_BadGateway", 504: "Application_GatewayTimeout"}.get(
            status, "Internal_ServerError")
        msg = {429: "Too many requests reached. Actual (601). Maximum (600).",
               503: "The service is temporarily unavailable."}.get(
            status, "An unexpected error occurred.")
        r = nav_error(NavError(status, code, msg))
        r.headers += hdrs
        return r

    # ---------------------------------------------------------------- dispatch
    def handle(self, req):
        p = req.path
        parts = p.split("/")
        if len(parts) >= 4 and parts[2] == "oauth2" and p.endswith("/oauth2/v2.0/token"):
            return self.token(req, parts[1])
        if len(parts) < 3 or parts[1] != self.instance:
            return Response.text("Not found\n", 404)
        who = self.authenticate(req)
        if isinstance(who, Response):
            return who
        req.log["user"] = who
        try:
            if parts[2] == "ODataV4":
                return self.odata(req, "/".join(parts[3:]), api=False)
            if parts[2] == "api" and len(parts) > 3 and parts[3] == "v2.0":
                return self.odata(req, "/".join(parts[4:]), api=True)
            if parts[2] == "WS":
                return self.soap(req, parts[3:])
        except NavError as e:
            req.log["error"] = e.code
            return nav_error(e)
        return nav_error(NavError(404, "BadRequest_NotFound",
                                  "The requested resource was not found."))

    # ---------------------------------------------------------------- auth
    def challenge(self, why, bearer_error=None):
        hdrs = []
        if "ntlm" in self.auth_modes:
            hdrs.append(("WWW-Authenticate", "NTLM"))
        if "basic" in self.auth_modes:
            hdrs.append(("WWW-Authenticate", 'Basic realm=""'))
        if "oauth" in self.auth_modes:
            v = ('Bearer authorization_uri="https://login.microsoftonline.com/%s/oauth2/'
                 'authorize"' % self.tenant)
            if bearer_error:
                v += ', error="invalid_token", error_description="%s"' % bearer_error
            hdrs.append(("WWW-Authenticate", v))
        r = nav_error(NavError(401, "Authentication_InvalidCredentials", why))
        r.headers += hdrs
        return r

    def authenticate(self, req):
        if "none" in self.auth_modes:
            return "anonymous"
        h = req.header("Authorization") or ""
        scheme, _, cred = h.strip().partition(" ")
        s = scheme.lower()
        conn = req.client
        if s == "basic" and "basic" in self.auth_modes:
            try:
                user, sep, key = base64.b64decode(cred, validate=True).decode("utf-8") \
                    .partition(":")
            except (ValueError, UnicodeDecodeError):
                return self.challenge("The server has rejected the client credentials.")
            u = self.users.get(user.lower())
            if not sep or u is None or u[1] != key:
                req.log["auth_error"] = "basic: bad user or key"
                return self.challenge("The server has rejected the client credentials.")
            req.log["auth"] = "basic"
            return u[0]
        if s == "bearer" and "oauth" in self.auth_modes:
            cid, why = self.tokens.check(cred.strip())
            if cid is None:
                req.log["auth_error"] = "bearer: " + why
                return self.challenge("The credentials provided are incorrect.",
                                      "The token is expired" if why == "expired"
                                      else "The token is not valid")
            req.log["auth"] = "oauth"
            return "app:" + cid
        if s == "ntlm" and "ntlm" in self.auth_modes:
            try:
                typ, msg = nav_auth.ntlm_parse(cred)
                if typ == 1:
                    ch = os.urandom(8)
                    self.ntlm_pending[conn] = ch
                    self.ntlm_ok.pop(conn, None)
                    t2 = base64.b64encode(nav_auth.ntlm_type2(ch)).decode()
                    req.log["auth"] = "ntlm-type1"
                    r = nav_error(NavError(401, "Authentication_InvalidCredentials",
                                           "The server has rejected the client credentials."))
                    r.headers.append(("WWW-Authenticate", "NTLM " + t2))
                    return r
                if typ == 3:
                    ch = self.ntlm_pending.pop(conn, None)
                    if ch is None:
                        raise ValueError("type 3 without a challenge on this connection")
                    user = nav_auth.ntlm_check_type3(msg, ch, self.ntlm_users)
                    self.ntlm_ok[conn] = user
                    req.log["auth"] = "ntlm"
                    return user
                raise ValueError("unexpected NTLM message type %d" % typ)
            except (ValueError, IndexError) as e:
                req.log["auth_error"] = "ntlm: %s" % e
                return self.challenge("The server has rejected the client credentials.")
        if not h and conn in self.ntlm_ok and "ntlm" in self.auth_modes:
            req.log["auth"] = "ntlm-connection"
            return self.ntlm_ok[conn]
        req.log["auth_error"] = "no usable credentials" if not h else "scheme %s" % scheme
        return self.challenge("The server has rejected the client credentials.")

    def token(self, req, tenant):
        if req.method != "POST":
            return Response.json({"error": "invalid_request"}, 405)
        form = {k: v[-1] for k, v in parse_qs(req.body.decode("utf-8", "replace"),
                                               keep_blank_values=True).items()}
        basic = None
        h = req.header("Authorization") or ""
        if h.lower().startswith("basic "):
            try:
                a, _, b = base64.b64decode(h[6:].strip()).decode().partition(":")
                basic = (unquote(a), unquote(b))
            except (ValueError, UnicodeDecodeError):
                basic = None
        if tenant != self.tenant:
            st, body = nav_auth.entra_error(400, "invalid_tenant", 90002,
                                            "Tenant '%s' not found." % tenant)
        else:
            st, body = self.tokens.token_request(form, basic)
        req.log["token"] = "issued" if st == 200 else body["error"]
        return Response.json(body, st, [("Cache-Control", "no-store, no-cache"),
                                        ("Pragma", "no-cache")])

    # ---------------------------------------------------------------- OData
    def ctx_for(self, req, api):
        c = Ctx()
        host = req.header("Host") or "127.0.0.1"
        c.base = "http://" + host
        c.api = api
        c.root = "/%s/%s/" % (self.instance, "api/v2.0" if api else "ODataV4")
        c.catalog = self.api_sets if api else self.sets
        c.company = None
        c.company_seg = None
        c.query_company = None
        return c

    def company_by_id(self, gid):
        for n, i in self.company_ids.items():
            if i == gid.lower():
                return n
        return None

    def odata(self, req, rest, api):
        ctx = self.ctx_for(req, api)
        path = unquote(rest)
        segs = split_segments(path)
        q = req.query
        for k in q:
            if k.startswith("$") and k not in QUERY_OPTIONS:
                raise bad("The query parameter '%s' is not supported." % k)
        if not segs:
            if req.method != "GET":
                raise NavError(405, "BadRequest_MethodNotAllowed", "Method not allowed.")
            return odata_json({"@odata.context": ctx.base + ctx.root + "$metadata",
                               "value": [{"name": n, "kind": "EntitySet", "url": n}
                                         for n in (["companies"] if api else ["Company"])
                                         + list(ctx.catalog)
                                         if n != "Company"]})
        first, fkey = segs[0]
        if first == "$metadata" and fkey is None:
            return self.metadata(api)
        if first == "$batch" and fkey is None:
            if req.method != "POST":
                raise NavError(405, "BadRequest_MethodNotAllowed", "Use POST for $batch.")
            return self.batch(req, ctx)
        return self.resource(req.method, segs, q, req.headers, req.body, ctx, req)

    def resource(self, method, segs, q, headers, body, ctx, req):
        comp_name = "companies" if ctx.api else "Company"
        first, fkey = segs[0]
        if first == comp_name:
            if fkey is None:
                if len(segs) > 1:
                    raise bad("Bad Request - Error in query syntax.")
                return self.list_companies(ctx)
            k = fkey.strip()
            name = None
            if ctx.api:
                name = self.company_by_id(k)
            elif k.startswith("Id="):
                name = self.company_by_id(k[3:].strip())
            elif k.startswith("Name="):
                name = M.parse_literal(M.F("Name"), k[5:].strip())
            else:
                name = M.parse_literal(M.F("Name"), k)
            if name not in self.company_ids:
                # the other vendor: a company is a parent like any other, and
                # what hangs under an unknown one is an empty set
                if self.flavour != "odata" or ctx.api or len(segs) == 1:
                    if self.flavour == "odata":
                        raise plain_error(404, "Not Found")
                    raise NavError(404, "Internal_CompanyNotFound",
                                   "Cannot open company %s." % (name or k))
            ctx.company = name
            ctx.company_seg = "%s(%s)" % (comp_name, fkey)
            segs = segs[1:]
            if not segs:
                return self.list_companies(ctx, name)
        else:
            cq = req.query.get("company") if req is not None else None
            if cq is not None:
                if cq not in self.company_ids:
                    raise NavError(404, "Internal_CompanyNotFound", "Cannot open company %s."
                                   % cq)
                ctx.company = cq
                ctx.query_company = cq
            else:
                ctx.company = self.companies[0]
        name, key = segs[0]
        es = ctx.catalog.get(name)
        if es is None or es.name == "Company":
            raise NavError(404, "BadRequest_NotFound",
                           "Resource not found for the segment '%s'." % name)
        req_log = req.log if req is not None else {}
        req_log["entity"] = es.name
        keyv = key_values(es, key) if key is not None else None
        nav = None
        count_only = False
        for s, k in segs[1:]:
            if s == "$count" and k is None and not count_only:
                count_only = True
            elif keyv is not None and s in es.nav_props and nav is None and k is None:
                nav = s
            else:
                raise NavError(404, "BadRequest_NotFound",
                               "Resource not found for the segment '%s'." % s)
        if nav is not None:
            lines_es, link = es.nav_props[nav]
            parent = self.get_row(es, ctx.company, keyv)
            if parent is None:
                raise self.not_found(es, keyv)
            fixed = {lc: parent[pc] for lc, pc in link.items()}
            if method == "POST":
                b = self.json_body(body)
                for lc, v in fixed.items():
                    b[lines_es.by_col[lc].name] = M.to_json(lines_es.by_col[lc], v)
                return self.insert(lines_es, ctx, b, headers, req_log)
            if method != "GET":
                raise NavError(405, "BadRequest_MethodNotAllowed", "Method not allowed.")
            return self.collection(lines_es, ctx, q, headers, fixed, count_only, req_log,
                                   path_seg="%s%s/%s" % (es.name, key_pred(es, parent), nav))
        if keyv is None:
            if method == "GET":
                return self.collection(es, ctx, q, headers, {}, count_only, req_log)
            if method == "POST":
                return self.insert(es, ctx, self.json_body(body), headers, req_log)
            raise NavError(405, "BadRequest_MethodNotAllowed",
                           "The HTTP method '%s' is not allowed on an entity set." % method)
        if count_only:
            raise bad("$count is not supported on a single entity.")
        if method == "GET":
            row = self.get_row(es, ctx.company, keyv)
            if row is None:
                raise self.not_found(es, keyv)
            sel = self.parse_select(es, q.get("$select"))
            exp = self.parse_expand(es, q.get("$expand"))
            obj = {"@odata.context": self.context_url(ctx, es, entity=True)}
            obj.update(self.entity_json(es, ctx, row, sel, exp))
            self.after_read(es, ctx.company, row)
            return odata_json(obj, 200, [("ETag", M.etag(row["_ver"]))])
        if method in ("PATCH", "PUT", "MERGE"):
            return self.modify(es, ctx, keyv, self.json_body(body), headers, req_log)
        if method == "DELETE":
            return self.delete(es, ctx, keyv, headers, req_log)
        raise NavError(405, "BadRequest_MethodNotAllowed", "Method not allowed.")

    def list_companies(self, ctx, only=None):
        out = []
        for n in self.companies:
            if only and n != only:
                continue
            if ctx.api:
                out.append({"id": self.company_ids[n], "systemVersion": "24.0.16410.18040",
                            "name": n, "displayName": n})
            else:
                out.append({"Name": n, "Display_Name": n, "Id": self.company_ids[n]})
        if only:
            o = {"@odata.context": ctx.base + ctx.root + "$metadata#%s/$entity"
                 % ("companies" if ctx.api else "Company")}
            o.update(out[0])
            return odata_json(o)
        return odata_json({"@odata.context": ctx.base + ctx.root + "$metadata#%s"
                           % ("companies" if ctx.api else "Company"), "value": out})

    def json_body(self, body):
        try:
            b = json.loads(body.decode("utf-8")) if body.strip() else None
        except (ValueError, UnicodeDecodeError):
            raise bad("The request body is not valid JSON.", "BadRequest_InvalidRequestBody")
        if not isinstance(b, dict):
            raise bad("The request body must be a JSON object.", "BadRequest_InvalidRequestBody")
        return b

    def not_found(self, es, keyv):
        if self.flavour == "odata":
            return plain_error(404, "Not Found")
        return NavError(404, "Internal_RecordNotFound",
                        "The %s does not exist. Identification fields and values: %s"
                        % (es.caption, ",".join("%s='%s'" % (c, keyv[c]) for c in es.key_cols)))

    def context_url(self, ctx, es, entity=False, select=None, path_seg=None):
        if self.flavour == "odata":
            # relative to the request: "../$metadata#Customer"
            up = (1 if ctx.company_seg else 0) + (1 if path_seg else 0)
            return "../" * up + "$metadata#" + es.name + ("/$entity" if entity else "")
        seg = path_seg or es.name
        if ctx.company_seg:
            seg = ctx.company_seg + "/" + seg
        sel = "(%s)" % ",".join(select) if select else ""
        return ctx.base + ctx.root + "$metadata#" + url_quote(seg) + sel + \
            ("/$entity" if entity else "")

    # ---------------------------------------------------------------- reading
    def select_sql(self, es):
        cols = ['%s AS "%s"' % (M.col_sql(f), f.col) for f in es.fields]
        return "SELECT %s, t._ver AS _ver FROM \"%s\" t" % (", ".join(cols), es.table)

    def fixed_where(self, es, company, extra):
        w, p = ["t.company = ?"], [company]
        for c, v in list(es.fixed.items()) + list(extra.items()):
            w.append('t."%s" = ?' % c)
            p.append(v)
        return w, p

    def get_row(self, es, company, keyv):
        w, p = self.fixed_where(es, company, keyv)
        cur = self.db.execute(self.select_sql(es) + " WHERE " + " AND ".join(w), p)
        r = cur.fetchone()
        if r is None:
            return None
        return dict(zip([d[0] for d in cur.description], r))

    def parse_select(self, es, text):
        if not text:
            return None
        out = []
        for n in text.split(","):
            n = n.strip()
            if n == "*":
                return None
            if n not in es.by_name:
                raise bad("Could not find a property named '%s' on type 'NAV.%s'."
                          % (n, es.name))
            out.append(es.by_name[n])
        return out

    def parse_expand(self, es, text):
        if not text:
            return []
        out = []
        for n in text.split(","):
            n = n.strip()
            if n not in es.nav_props:
                raise bad("Could not find a property named '%s' on type 'NAV.%s'."
                          % (n, es.name))
            out.append(n)
        return out

    def parse_orderby(self, es, text):
        out = []
        if not text:
            return out
        for item in text.split(","):
            words = item.split()
            if not words or len(words) > 2 or (len(words) == 2 and words[1] not in
                                               ("asc", "desc")):
                raise bad("Syntax error in $orderby '%s'." % text)
            f = es.by_name.get(words[0])
            if f is None:
                raise bad("Could not find a property named '%s' on type 'NAV.%s'."
                          % (words[0], es.name))
            out.append((f, len(words) == 2 and words[1] == "desc"))
        return out

    def entity_json(self, es, ctx, row, sel=None, expand=()):
        o = {"@odata.etag": M.etag(row["_ver"])} if self.etags else {}
        for f in (sel or es.fields):
            o[f.name] = M.to_json(f, row[f.col])
        for n in expand:
            les, link = es.nav_props[n]
            fixed = {lc: row[pc] for lc, pc in link.items()}
            w, p = self.fixed_where(les, ctx.company, fixed)
            cur = self.db.execute(self.select_sql(les) + " WHERE " + " AND ".join(w)
                                  + " ORDER BY " + ", ".join('t."%s"' % c
                                                             for c in les.key_cols), p)
            names = [d[0] for d in cur.description]
            o[n] = [self.entity_json(les, ctx, dict(zip(names, r))) for r in cur]
        return o

    def max_page(self, headers):
        n = self.page_size
        if self.flavour == "odata":
            return n, None          # Prefer: odata.maxpagesize ignored
        pref = headers.get("Prefer") or ""
        m = re.search(r"odata\.maxpagesize\s*=\s*(\d+)", pref)
        applied = None
        if m:
            want = int(m.group(1))
            if want > 0:
                n = min(n, want)
                applied = "odata.maxpagesize=%d" % n
        return n, applied

    def collection(self, es, ctx, q, headers, fixed, count_only, req_log, path_seg=None):
        ast = None
        if q.get("$filter"):
            ast = M.parse_filter(q["$filter"], es)
        w, p = self.fixed_where(es, ctx.company, fixed)
        if ast is not None:
            w.append(M.to_sql(ast, p))
        if count_only:
            n = self.db.execute('SELECT COUNT(*) FROM "%s" t WHERE %s' % (
                es.table, " AND ".join(w)), p).fetchone()[0]
            if self.flavour == "odata" and ctx.company not in self.company_ids:
                return odata_json({"@odata.context": self.context_url(ctx, es),
                                   "value": [{"@odata.count": n}]})
            return Response(200, str(n), [("OData-Version", "4.0")], "text/plain")
        order = self.parse_orderby(es, q.get("$orderby"))
        seen = {f.col for f, _ in order}
        order += [(f, False) for f in es.keys if f.col not in seen]
        sel = self.parse_select(es, q.get("$select"))
        if sel and self.flavour == "odata" and "SystemModifiedAt" in es.by_name and \
                es.by_name["SystemModifiedAt"] not in sel:
            sel.append(es.by_name["SystemModifiedAt"])      # the ETag's field
        exp = self.parse_expand(es, q.get("$expand"))
        top = skip = None
        for opt in ("$top", "$skip"):
            if opt in q:
                try:
                    v = int(q[opt])
                    if v < 0:
                        raise ValueError
                except ValueError:
                    raise bad("Invalid value '%s' for %s query option found. The %s query "
                              "option requires a non-negative integer value."
                              % (q[opt], opt, opt))
                if opt == "$top":
                    top = v
                else:
                    skip = v
        count = None
        if q.get("$count") == "true":
            count = self.db.execute('SELECT COUNT(*) FROM "%s" t WHERE %s' % (
                es.table, " AND ".join(w)), p).fetchone()[0]
        elif q.get("$count") not in (None, "false"):
            raise bad("'%s' is not a valid count option." % q["$count"])
        size, applied = self.max_page(headers)
        offset = 0
        if "$skiptoken" in q and self.flavour == "odata":
            # a row offset: rows that move while a client pages shift under it
            try:
                offset = int(q["$skiptoken"])
                if offset < 0:
                    raise ValueError
            except ValueError:
                raise plain_error(400, "Invalid skiptoken")
        elif "$skiptoken" in q:
            vals = split_commas(q["$skiptoken"])
            if len(vals) != len(order):
                raise bad("The skip token '%s' is not valid." % q["$skiptoken"])
            try:
                vals = [M.parse_literal(f, v.strip()) for (f, _), v in zip(order, vals)]
            except NavError:
                raise bad("The skip token '%s' is not valid." % q["$skiptoken"])
            ors = []
            for i, (f, desc) in enumerate(order):
                conj = []
                for (g, _), v in zip(order[:i], vals[:i]):
                    conj.append("%s = ?" % M.col_sql(g))
                    p.append(v)
                conj.append("%s %s ?" % (M.col_sql(f), "<" if desc else ">"))
                p.append(vals[i])
                ors.append("(" + " AND ".join(conj) + ")")
            w.append("(" + " OR ".join(ors) + ")")
        limit = size if top is None else min(size, top)
        sql = (self.select_sql(es) + " WHERE " + " AND ".join(w) + " ORDER BY " +
               ", ".join("%s %s" % (M.col_sql(f), "DESC" if d else "ASC") for f, d in order)
               + " LIMIT ? OFFSET ?")
        p += [limit, (skip or 0) + offset]
        cur = self.db.execute(sql, p)
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r)) for r in cur]
        out = {"@odata.context": self.context_url(ctx, es, select=[f.name for f in sel]
                                                  if sel else None, path_seg=path_seg)}
        if count is not None:
            out["@odata.count"] = count
        out["value"] = [self.entity_json(es, ctx, r, sel, exp) for r in rows]
        req_log["rows"] = len(rows)
        if top is None and len(rows) == size and size > 0:
            last = rows[-1]
            if self.flavour == "odata":
                tok = str(offset + len(rows))
            else:
                tok = ",".join(M.literal(f, last[f.col]) for f, _ in order)
            out["@odata.nextLink"] = self.next_url(ctx, es, q, tok, path_seg)
        for r in rows:
            self.after_read(es, ctx.company, r)
        hdrs = [("Preference-Applied", applied)] if applied else []
        return odata_json(out, 200, hdrs)

    def next_url(self, ctx, es, q, tok, path_seg):
        seg = path_seg or es.name
        if ctx.company_seg:
            seg = ctx.company_seg + "/" + seg
        params = [(k, v) for k, v in q.items() if k != "$skiptoken"]
        params.append(("$skiptoken", tok))
        if self.flavour == "odata":
            # Company('CRONUS')/Customers?%24skiptoken=1000, relative to the root
            qs = "&".join("%s=%s" % (quote(k, safe=""), quote(v, safe="'(),:@!*;"))
                          for k, v in params)
            return url_quote(seg) + "?" + qs
        qs = "&".join("%s=%s" % (k, quote(v, safe="'(),:$@!*;")) for k, v in params)
        rel = url_quote(seg) + "?" + qs
        if self.next_link == "relative":
            return rel
        if self.next_link == "path":
            return ctx.root + rel
        return ctx.base + ctx.root + rel

    def after_read(self, es, company, row):
        if not self.on_read:
            return
        keep = []
        for ed in self.on_read:
            es2 = self.sets.get(ed["set"]) or self.api_sets.get(ed["set"])
            if es2 is not None and es2.table == es.table and ed["company"] == company and \
                    all(row.get(c) == ed["keyv"].get(c) for c in es.key_cols
                        if c in ed["keyv"]) and \
                    all(c in row for c in ed["keyv"]):
                if ed.get("delete"):
                    self.delete_row(es2, company, self.get_row(es2, company, ed["keyv"]))
                else:
                    self.apply_edit(es2, company, ed["keyv"], ed["values"])
            else:
                keep.append(ed)
        self.on_read = keep

    # ---------------------------------------------------------------- writing
    def body_values(self, es, b, partial, req_log):
        vals = {}
        # what a client sent, for the tests: the fields and any annotations
        req_log["fields"] = sorted(k for k in b if "@" not in k)
        n = annotations_in(b)
        if n:
            req_log["annotations"] = req_log.get("annotations", 0) + n
        for k, v in b.items():
            if k.startswith("@odata.") or k.startswith("@"):
                continue
            if "@odata." in k:
                continue
            f = es.by_name.get(k)
            if f is None:
                if k in es.nav_props:
                    continue
                raise bad("The property '%s' does not exist on type 'NAV.%s'. Make sure to "
                          "only use property names that are defined by the type."
                          % (k, es.name))
            if f.ro and self.flavour == "odata":
                req_log.setdefault("ignored", []).append(k)     # computed: ignored
                continue
            if f.ro:
                raise bad("The property '%s' is read-only and cannot be changed." % k,
                          "BadRequest_PropertyReadOnly")
            vals[f.col] = M.from_json(f, v, es)
        return vals

    def item(self, company, no, cols):
        """The columns cols of item no, as a line naming it reads them; an
        item that does not exist refuses the line, as NAV does."""
        it = self.db.execute("SELECT %s FROM Item WHERE company = ? AND No = ?" % cols,
                             (company, no)).fetchone()
        if it is None:
            raise NavError(400, "Application_RecordNotFound",
                           "The Item does not exist. Identification fields and "
                           "values: No.='%s'" % no)
        return it

    def validate(self, es, company, row):
        t = es.table
        if "E_Mail" in row and row["E_Mail"]:
            if not re.match(r"^[^@\s;]+@[^@\s;]+\.[^@\s;]+$", row["E_Mail"]):
                raise NavError(400, "Application_FieldValidationException",
                               'The email address "%s" is not valid.' % row["E_Mail"])
        if row.get("Country_Region_Code") and row["Country_Region_Code"] not in \
                M.REL_COUNTRIES:
            raise NavError(400, "Application_FieldValidationException",
                           "The field Country/Region Code of table %s contains a value (%s) "
                           "that cannot be found in the related table (Country/Region)."
                           % (t, row["Country_Region_Code"]))
        if row.get("Currency_Code") and row["Currency_Code"] not in M.REL_CURRENCIES:
            raise NavError(400, "Application_FieldValidationException",
                           "The field Currency Code of table %s contains a value (%s) that "
                           "cannot be found in the related table (Currency)."
                           % (t, row["Currency_Code"]))
        rel = {"Sell_to_Customer_No": ("Customer", "Sell_to_Customer_Name", "Name"),
               "Buy_from_Vendor_No": ("Vendor", "Buy_from_Vendor_Name", "Name")}
        for col, (table, namecol, src) in rel.items():
            if col in row and row[col]:
                r = self.db.execute('SELECT "%s" FROM "%s" WHERE company = ? AND No = ?'
                                    % (src, table), (company, row[col])).fetchone()
                if r is None:
                    raise NavError(400, "Application_RecordNotFound",
                                   "The %s does not exist. Identification fields and values: "
                                   "No.='%s'" % (table, row[col]))
                if not row.get(namecol):
                    row[namecol] = r[0]
        if t == "ItemJournalLine" and row.get("Item_No"):
            it = self.item(company, row["Item_No"],
                           "Description, Base_Unit_of_Measure, Unit_Cost")
            for c, v in (("Description", it[0]), ("Unit_of_Measure_Code", it[1]),
                         ("Unit_Amount", it[2])):
                if not row.get(c):
                    row[c] = v
            row["Amount"] = round((row.get("Quantity") or 0.0) * (row.get("Unit_Amount") or 0.0),
                                  2)
        if t in ("SalesLine", "PurchaseLine"):
            if row.get("Type") == "Item" and row.get("No"):
                it = self.item(company, row["No"], "Description, Unit_Price, Unit_Cost, Type")
                if not row.get("Description"):
                    row["Description"] = it[0]
                pc = "Unit_Price" if t == "SalesLine" else "Direct_Unit_Cost"
                if not row.get(pc):
                    row[pc] = it[1] if t == "SalesLine" else it[2]
            price = row.get("Unit_Price", row.get("Direct_Unit_Cost", 0.0)) or 0.0
            row["Line_Amount"] = round((row.get("Quantity") or 0.0) * price *
                                       (1 - (row.get("Line_Discount_Percent") or 0.0) / 100), 2)
        if t == "GenJournalLine":
            a = row.get("Amount") or 0.0
            row["Debit_Amount"], row["Credit_Amount"] = (a, 0.0) if a > 0 else (0.0, -a)

    def stamp(self, es, row):
        now = self.clock.stamp()
        tf = M.TABLE_FIELDS[es.table]
        if "SystemModifiedAt" in tf:
            row["SystemModifiedAt"] = now
        if "Last_Date_Modified" in tf:
            row["Last_Date_Modified"] = now[:10]
        row["_ver"] = self.bump()

    def insert(self, es, ctx, b, headers, req_log):
        req_log["op"] = "insert"
        if ctx.company not in self.company_ids:
            raise plain_error(404, "Not Found")
        if es.readonly:
            raise NavError(405, "BadRequest_MethodNotAllowed",
                           "'Insert' is not allowed on the page '%s'." % es.caption)
        vals = self.body_values(es, b, False, req_log)
        lines = []
        for n, (les, link) in es.nav_props.items():
            if n in b:
                if not isinstance(b[n], list):
                    raise bad("The value of '%s' must be an array." % n)
                lines.append((les, link, b[n]))
        cols = M.stored_cols(es.table)
        row = {c: M.default_value(M.TABLE_FIELDS[es.table][c]) for c in cols}
        for c, v in es.fixed.items():
            if c in vals and vals[c] != v:
                raise bad("The field %s must be %s on this page." % (c, v))
            row[c] = v
        if es.table == "GenJournalLine":
            row["Journal_Batch_Name"] = "GENERAL"
        row.update(vals)
        if "SystemId" in row and (row["SystemId"] or "").startswith("00000000"):
            row["SystemId"] = str(uuid.uuid4())
        for k in M.TABLES[es.table][0]:
            f = M.TABLE_FIELDS[es.table][k]
            if f.t == "i" and not row.get(k):
                w, p = self.fixed_where(es, ctx.company, {c: row[c] for c in
                                                          M.TABLES[es.table][0]
                                                          if c != k and c not in es.fixed})
                mx = self.db.execute('SELECT MAX("%s") FROM "%s" t WHERE %s' % (
                    k, es.table, " AND ".join(w)), p).fetchone()[0] or 0
                row[k] = mx + 10000 if k == "Line_No" else mx + 1
            elif f.t == "s" and not row.get(k):
                if es.series and k == "No":
                    row[k] = self.next_no(es, ctx.company)
                else:
                    raise NavError(400, "Application_FieldValidationException",
                                   "%s must have a value in %s: %s. It cannot be zero or "
                                   "empty." % (k.replace("_", " "), es.caption, k))
        self.validate(es, ctx.company, row)
        self.stamp(es, row)
        allcols = ["company"] + cols + ["_ver"]
        row["company"] = ctx.company
        if not lines:
            try:
                self.db.execute('INSERT INTO "%s" (%s) VALUES (%s)' % (
                    es.table, ", ".join('"%s"' % c for c in allcols),
                    ", ".join("?" * len(allcols))), [row[c] for c in allcols])
            except Exception as e:
                if "UNIQUE" not in str(e):
                    raise
                raise NavError(400, "Internal_EntityWithSameKeyExists",
                               "The record in table %s already exists. Identification fields "
                               "and values: %s" % (es.caption, ",".join(
                                   "%s='%s'" % (c, row[c]) for c in M.TABLES[es.table][0])))
            return self.inserted(es, ctx, row, headers, b)
        self.db.execute("SAVEPOINT ins")
        try:
            try:
                self.db.execute('INSERT INTO "%s" (%s) VALUES (%s)' % (
                    es.table, ", ".join('"%s"' % c for c in allcols),
                    ", ".join("?" * len(allcols))), [row[c] for c in allcols])
            except Exception as e:
                if "UNIQUE" not in str(e):
                    raise
                keyv = {c: row[c] for c in M.TABLES[es.table][0]}
                raise NavError(400, "Internal_EntityWithSameKeyExists",
                               "The record in table %s already exists. Identification fields "
                               "and values: %s" % (es.caption, ",".join(
                                   "%s='%s'" % (c, v) for c, v in keyv.items())))
            for les, link, items in lines:
                for item in items:
                    if not isinstance(item, dict):
                        raise bad("The lines must be objects.")
                    item = dict(item)
                    for lc, pc in link.items():
                        item[les.by_col[lc].name] = M.to_json(les.by_col[lc], row[pc])
                    self.insert(les, ctx, item, {}, {})
            self.db.execute("RELEASE ins")
        except BaseException:
            self.db.execute("ROLLBACK TO ins")
            self.db.execute("RELEASE ins")
            raise
        return self.inserted(es, ctx, row, headers, b)

    def inserted(self, es, ctx, row, headers, b):
        keyv = {c: row[c] for c in es.key_cols}
        new = self.get_row(es, ctx.company, keyv)
        hdrs = [("ETag", M.etag(new["_ver"])),
                ("Location", ctx.base + ctx.root + quote(
                    (ctx.company_seg + "/" if ctx.company_seg else "") + es.name +
                    key_pred(es, new), safe=URL_SAFE))]
        if "return=minimal" in (headers.get("Prefer") or ""):
            return Response(204, b"", hdrs + [("Preference-Applied", "return=minimal"),
                                              ("OData-Version", "4.0")])
        obj = {"@odata.context": self.context_url(ctx, es, entity=True)}
        obj.update(self.entity_json(es, ctx, new, None, [n for n in es.nav_props if n in b]))
        return odata_json(obj, 201, hdrs)

    def next_no(self, es, company):
        w, p = self.fixed_where(es, company, {})
        w.append('t.No LIKE ?')
        p.append(es.series + "%")
        mx = self.db.execute('SELECT MAX(t.No) FROM "%s" t WHERE %s' % (
            es.table, " AND ".join(w)), p).fetchone()[0]
        n = 0
        if mx:
            m = re.search(r"(\d+)$", mx)
            n = int(m.group(1)) if m else 0
        return "%s%06d" % (es.series, n + 1) if es.series in "CVI" else \
            "%s%04d" % (es.series, n + 1)

    def check_etag(self, es, row, headers, keyv):
        im = headers.get("If-Match")
        if im is None and self.flavour == "odata":
            raise plain_error(428, "Precondition Required")
        if im is None:
            raise bad("Could not validate the client concurrency token required by the "
                      "service. Please provide a valid token in the client request "
                      "(the If-Match header).", "BadRequest_MissingETag")
        im = im.strip()
        if im == "*":
            return
        if im != M.etag(row["_ver"]) and self.flavour == "odata":
            raise plain_error(412, "Precondition Failed")
        if im != M.etag(row["_ver"]):
            raise NavError(self.stale_status, "Request_EntityChanged",
                           "Another user has already changed the record %s %s."
                           % (es.caption, ",".join("%s='%s'" % (c, keyv[c])
                                                   for c in es.key_cols)))

    def current(self, es, ctx, keyv, headers, req_log, op):
        """The record a PATCH or DELETE addresses, its If-Match checked."""
        req_log["op"] = op.lower()
        if es.readonly:
            raise NavError(405, "BadRequest_MethodNotAllowed",
                           "'%s' is not allowed on the page '%s'." % (op, es.caption))
        row = self.get_row(es, ctx.company, keyv)
        if row is None:
            raise self.not_found(es, keyv)
        self.check_etag(es, row, headers, keyv)
        return row

    def modify(self, es, ctx, keyv, b, headers, req_log):
        row = self.current(es, ctx, keyv, headers, req_log, "Modify")
        vals = self.body_values(es, b, True, req_log)
        for c in es.key_cols + list(es.fixed):
            if c in vals and vals[c] != row[c]:
                raise bad("The key field %s cannot be changed." % es.by_col[c].name
                          if c in es.by_col else c)
        full = dict(row)
        full.update(vals)
        self.validate(es, ctx.company, full)
        changed = {c: full[c] for c in M.stored_cols(es.table) if c in full and
                   full[c] != row.get(c)}
        self.stamp(es, changed)
        self.write_cols(es, ctx.company, keyv, changed)
        new = self.get_row(es, ctx.company, keyv)
        obj = {"@odata.context": self.context_url(ctx, es, entity=True)}
        obj.update(self.entity_json(es, ctx, new))
        return odata_json(obj, 200, [("ETag", M.etag(new["_ver"]))])

    def write_cols(self, es, company, keyv, changed):
        w, p = ["company = ?"], [company]
        for c, v in keyv.items():
            w.append('"%s" = ?' % c)
            p.append(v)
        self.db.execute('UPDATE "%s" SET %s WHERE %s' % (
            es.table, ", ".join('"%s" = ?' % c for c in changed), " AND ".join(w)),
            list(changed.values()) + p)

    def delete(self, es, ctx, keyv, headers, req_log):
        row = self.current(es, ctx, keyv, headers, req_log, "Delete")
        self.delete_row(es, ctx.company, row)
        return Response(204, b"", [("OData-Version", "4.0")])

    def delete_row(self, es, company, row):
        w, p = ["company = ?"], [company]
        for c in M.TABLES[es.table][0]:
            w.append('"%s" = ?' % c)
            p.append(row[c])
        self.db.execute('DELETE FROM "%s" WHERE %s' % (es.table, " AND ".join(w)), p)
        for n, (les, link) in es.nav_props.items():
            lw, lp = ["company = ?"], [company]
            for lc, pc in link.items():
                lw.append('"%s" = ?' % lc)
                lp.append(row[pc])
            self.db.execute('DELETE FROM "%s" WHERE %s' % (les.table, " AND ".join(lw)), lp)

    def apply_edit(self, es, company, keyv, values):
        row = self.get_row(es, company, keyv)
        if row is None:
            raise ValueError("edit: no such record %r" % keyv)
        vals = {}
        for k, v in values.items():
            f = es.by_name.get(k)
            if f is None:
                raise ValueError("edit: no field %r" % k)
            vals[f.col] = M.from_json(f, v, es)
        self.stamp(es, vals)
        self.write_cols(es, company, keyv, vals)

    def batch_lines(self, table, body, template):
        """The journal batch a control request names (company, template,
        batch; by default the first company, template, DEFAULT) and its
        lines of table, in line order."""
        company = body.get("company") or self.companies[0]
        tmpl, batch = body.get("template", template), body.get("batch", "DEFAULT")
        q = self.db.execute('SELECT * FROM "%s" WHERE company = ? AND '
                            '"Journal_Template_Name" = ? AND "Journal_Batch_Name" = ? '
                            'ORDER BY "Line_No"' % table, (company, tmpl, batch))
        names = [d[0] for d in q.description]
        return company, tmpl, batch, [dict(zip(names, r)) for r in q.fetchall()]

    def post_journal(self, body):
        """A user posts a general journal batch (codeunit Gen. Jnl.-Post Batch):
        every line becomes a G/L entry (and one more on its balancing account,
        if it has one) and leaves the journal.  A document (Document_No and
        Posting_Date) whose lines do not add up to 0 refuses the whole batch,
        and nothing is posted.  Only G/L account lines are posted here."""
        company, tmpl, batch, lines = self.batch_lines("GenJournalLine", body, "GENERAL")
        bal = {}
        for ln in lines:
            if ln["Account_Type"] != "G/L Account" or (
                    ln["Bal_Account_No"] and ln["Bal_Account_Type"] != "G/L Account"):
                raise ValueError("post-journal: line %d is not a G/L account line"
                                 % ln["Line_No"])
            if not ln["Bal_Account_No"]:
                k = (ln["Document_No"], ln["Posting_Date"])
                bal[k] = bal.get(k, 0) + round((ln["Amount"] or 0) * 100)
        for (doc, date), cents in sorted(bal.items()):
            if cents:
                raise ValueError("Document No. %s is out of balance by %.2f on %s."
                                 % (doc, cents / 100.0, date))
        eno = self.db.execute('SELECT COALESCE(MAX("Entry_No"), 0) FROM "GLEntry" WHERE '
                              'company = ?', (company,)).fetchone()[0]
        cols = M.stored_cols("GLEntry")
        rows = []
        for ln in lines:
            sides = [(ln["Account_No"], ln["Amount"] or 0.0)]
            if ln["Bal_Account_No"]:
                sides.append((ln["Bal_Account_No"], -(ln["Amount"] or 0.0)))
            for acc, a in sides:
                eno += 1
                row = {c: M.default_value(M.TABLE_FIELDS["GLEntry"][c]) for c in cols}
                row.update({"Entry_No": eno, "Posting_Date": ln["Posting_Date"],
                            "Document_Type": ln["Document_Type"],
                            "Document_No": ln["Document_No"], "G_L_Account_No": acc,
                            "Description": ln["Description"], "Amount": a,
                            "Debit_Amount": a if a > 0 else 0.0,
                            "Credit_Amount": -a if a < 0 else 0.0,
                            "SystemId": str(uuid.uuid4()),
                            "SystemModifiedAt": self.clock.stamp()})
                rows.append([company] + [row[c] for c in cols] + [self.bump()])
        self.db.executemany('INSERT INTO "GLEntry" (%s) VALUES (%s)' % (
            ", ".join('"%s"' % c for c in ["company"] + cols + ["_ver"]),
            ", ".join("?" * (len(cols) + 2))), rows)
        self.db.execute('DELETE FROM "GenJournalLine" WHERE company = ? AND '
                        '"Journal_Template_Name" = ? AND "Journal_Batch_Name" = ?',
                        (company, tmpl, batch))
        return {"lines": len(lines), "entries": len(rows)}

    def put_row(self, company, table, row):
        """Insert a row that a posting makes, the fields it leaves out at
        their blank values, with a new SystemId, modified now."""
        cols = M.stored_cols(table)
        full = {c: M.default_value(M.TABLE_FIELDS[table][c]) for c in cols}
        full.update(row, SystemId=str(uuid.uuid4()), SystemModifiedAt=self.clock.stamp())
        self.db.execute('INSERT INTO "%s" (%s) VALUES (%s)' % (
            table, ", ".join('"%s"' % c for c in ["company"] + cols + ["_ver"]),
            ", ".join("?" * (len(cols) + 2))),
            [company] + [full[c] for c in cols] + [self.bump()])

    def post_item_journal(self, body):
        """A user posts an item journal batch (codeunit Item Jnl.-Post Batch):
        each line becomes an item ledger entry, a Positive Adjmt. or a
        Purchase adding its quantity to the item's inventory, the other entry
        types taking it away, and leaves the journal.  A line without an item
        or a posting date refuses the batch, and nothing is posted."""
        company, tmpl, batch, lines = self.batch_lines("ItemJournalLine", body, "ITEM")
        for ln in lines:
            if not ln["Item_No"]:
                raise ValueError("Item No. must have a value in Item Journal Line: Journal "
                                 "Template Name=%s, Journal Batch Name=%s, Line No.=%d."
                                 % (tmpl, batch, ln["Line_No"]))
            if ln["Posting_Date"] in (None, "", M.EMPTY_DATE):
                raise ValueError("Posting Date must have a value in Item Journal Line: "
                                 "Line No.=%d." % ln["Line_No"])
        eno = self.db.execute('SELECT COALESCE(MAX("Entry_No"), 0) FROM "ItemLedgerEntry" '
                              'WHERE company = ?', (company,)).fetchone()[0]
        for ln in lines:
            eno += 1
            qty = abs(ln["Quantity"] or 0.0)
            if ln["Entry_Type"] not in ("Purchase", "Positive Adjmt.", "Output"):
                qty = -qty
            self.put_row(company, "ItemLedgerEntry", {
                "Entry_No": eno, "Posting_Date": ln["Posting_Date"],
                "Entry_Type": ln["Entry_Type"], "Document_No": ln["Document_No"],
                "Item_No": ln["Item_No"], "Description": ln["Description"],
                "Location_Code": ln["Location_Code"], "Quantity": qty,
                "Remaining_Quantity": qty if qty > 0 else 0.0,
                "Cost_Amount_Actual": round(qty * (ln["Unit_Amount"] or 0.0), 2),
                "Open": 1 if qty > 0 else 0})
        self.db.execute('DELETE FROM "ItemJournalLine" WHERE company = ? AND '
                        '"Journal_Template_Name" = ? AND "Journal_Batch_Name" = ?',
                        (company, tmpl, batch))
        return {"lines": len(lines), "entries": len(lines)}

    def post_shipment(self, body):
        """A user posts the shipment of a sales order (Post, Ship): a Posted
        Sales Shipment numbered from series 102001 names the order in
        Order_No; each item line ships the quantity given for its Line_No
        (what is left of it when none is given; at most what is left), the
        order line's Quantity_Shipped goes up by it, and the item's inventory
        goes down by a Sale entry in the item ledger."""
        company = body.get("company") or self.companies[0]
        order = body.get("order")
        head = self.db.execute('SELECT "Sell_to_Customer_No", "Sell_to_Customer_Name", '
                               '"External_Document_No" FROM "SalesHeader" WHERE company = ? '
                               'AND "Document_Type" = \'Order\' AND "No" = ?',
                               (company, order)).fetchone()
        if head is None:
            raise ValueError("post-shipment: no sales order %r" % order)
        want = {int(k): float(v) for k, v in (body.get("quantities") or {}).items()}
        q = self.db.execute('SELECT "Line_No", "Type", "No", "Description", "Location_Code", '
                            '"Quantity", "Unit_of_Measure_Code", COALESCE("Quantity_Shipped", 0) '
                            'FROM "SalesLine" WHERE '
                            'company = ? AND "Document_Type" = \'Order\' AND "Document_No" = ? '
                            'ORDER BY "Line_No"', (company, order)).fetchall()
        n = self.db.execute('SELECT COUNT(*) FROM "SalesShipmentHeader" WHERE company = ?',
                            (company,)).fetchone()[0]
        no = "%d" % (102001 + n)
        date = self.clock.stamp()[:10]
        now = self.clock.stamp()

        def put(table, row):
            self.put_row(company, table, row)

        put("SalesShipmentHeader", {
            "No": no, "Sell_to_Customer_No": head[0], "Sell_to_Customer_Name": head[1],
            "Posting_Date": date, "Document_Date": date, "Shipment_Date": date,
            "Order_No": order, "External_Document_No": head[2], "Location_Code": "MAIN"})
        eno = self.db.execute('SELECT COALESCE(MAX("Entry_No"), 0) FROM "ItemLedgerEntry" '
                              'WHERE company = ?', (company,)).fetchone()[0]
        for (lno, typ, item, desc, loc, qty, uom, done) in q:
            ship = min(want.get(lno, 0.0 if want else qty), qty - done) if typ == "Item" else 0.0
            put("SalesShipmentLine", {
                "Document_No": no, "Line_No": lno, "Type": typ, "No": item,
                "Description": desc, "Location_Code": loc, "Quantity": ship,
                "Unit_of_Measure_Code": uom, "Order_No": order, "Order_Line_No": lno})
            if ship:
                self.db.execute('UPDATE "SalesLine" SET "Quantity_Shipped" = '
                                'COALESCE("Quantity_Shipped", 0) + ?, "_ver" = ?, '
                                '"SystemModifiedAt" = ? WHERE company = ? AND '
                                '"Document_Type" = \'Order\' AND "Document_No" = ? AND '
                                '"Line_No" = ?', (ship, self.bump(), now, company, order, lno))
                eno += 1
                put("ItemLedgerEntry", {
                    "Entry_No": eno, "Posting_Date": date, "Entry_Type": "Sale",
                    "Document_No": no, "Item_No": item, "Description": desc,
                    "Location_Code": loc, "Quantity": -ship, "Open": 0})
        self.db.execute('UPDATE "SalesHeader" SET "_ver" = ?, "SystemModifiedAt" = ? WHERE '
                        'company = ? AND "Document_Type" = \'Order\' AND "No" = ?',
                        (self.bump(), now, company, order))
        return {"shipment": no}

    # ---------------------------------------------------------------- $batch
    def batch(self, req, ctx):
        try:
            b = json.loads(req.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            raise bad("The batch request body is not valid JSON.",
                      "BadRequest_InvalidRequestBody")
        if not isinstance(b, dict) or not isinstance(b.get("requests"), list):
            raise bad("The batch request must be an object with a 'requests' array.",
                      "BadRequest_InvalidRequestBody")
        reqs = b["requests"]
        if len(reqs) > self.max_batch:
            raise bad("The number of operations in a batch request exceeds the maximum of "
                      "%d." % self.max_batch, "BadRequest_BatchTooLarge")
        atomic = (req.header("Isolation") or "").strip().lower() == "snapshot"
        ids = set()
        for r in reqs:
            if not isinstance(r, dict) or "id" not in r or "method" not in r or "url" not in r:
                raise bad("Each batch request needs id, method and url.",
                          "BadRequest_InvalidRequestBody")
            if r["id"] in ids:
                raise bad("The batch request id '%s' is not unique." % r["id"])
            ids.add(r["id"])
            if "atomicityGroup" in r:
                raise bad("atomicityGroup is not supported; send the header "
                          "'Isolation: snapshot' to make the whole batch atomic.",
                          "BadRequest_NotSupported")
        req.log["batch"] = len(reqs)
        req.log["batch_methods"] = sorted(set(str(r["method"]).upper() for r in reqs))
        req.log["atomic"] = atomic
        out = []
        if atomic:
            self.db.execute("SAVEPOINT batch")
        failed = None
        for r in reqs:
            resp = self.batch_one(r, req, ctx)
            out.append(resp)
            if resp["status"] >= 400 and atomic:
                failed = resp
                break
        if atomic:
            if failed is not None:
                self.db.execute("ROLLBACK TO batch")
                self.db.execute("RELEASE batch")
                err = failed["body"]["error"]
                req.log["error"] = err["code"]
                return nav_error(NavError(failed["status"], err["code"],
                                          "request '%s': %s" % (failed["id"], err["message"])))
            self.db.execute("RELEASE batch")
        req.log["batch_errors"] = sum(1 for r in out if r["status"] >= 400)
        return odata_json({"responses": out})

    def batch_one(self, r, req, ctx0):
        url = str(r["url"])
        u = urlsplit(url)
        path = u.path
        if u.scheme or path.startswith("/"):
            if not path.startswith(ctx0.root):
                return self.batch_error(r, NavError(404, "BadRequest_NotFound",
                                                    "The URL '%s' is not in this service."
                                                    % url))
            path = path[len(ctx0.root):]
        headers = LowerDict((k.lower(), str(v)) for k, v in (r.get("headers") or {}).items())
        body = r.get("body")
        raw = json.dumps(body).encode() if body is not None else b""
        q = {k: v[-1] for k, v in parse_qs(u.query, keep_blank_values=True).items()}
        ctx = self.ctx_for(req, ctx0.api)
        sub = SubRequest(q)
        try:
            segs = split_segments(unquote(path))
            if not segs:
                raise bad("Empty URL in batch request.")
            for k in q:
                if k.startswith("$") and k not in QUERY_OPTIONS:
                    raise bad("The query parameter '%s' is not supported." % k)
            resp = self.resource(str(r["method"]).upper(), segs, q, headers, raw, ctx, sub)
        except NavError as e:
            return self.batch_error(r, e)
        out = {"id": r["id"], "status": resp.status,
               "headers": {k.lower(): v for k, v in resp.headers}}
        if isinstance(resp, JResponse):
            out["body"] = resp.obj
        elif resp.body:
            try:
                out["body"] = json.loads(resp.body.decode("utf-8"))
            except ValueError:
                out["body"] = resp.body.decode("utf-8", "replace")
        return out

    def batch_error(self, r, e):
        msg = "%s  CorrelationId:  %s." % (e.message, uuid.uuid4())
        return {"id": r.get("id"), "status": e.status,
                "headers": {"content-type": "application/json; odata.metadata=minimal"},
                "body": {"error": {"code": e.code, "message": msg}}}

    # ---------------------------------------------------------------- $metadata
    def metadata(self, api):
        if self.metadata_override is not None and not api:
            return Response(200, self.metadata_override, [("OData-Version", "4.0")],
                            "application/xml")
        cat = M.API_SETS if api else M.PAGE_SETS
        ns = "Microsoft.NAV" if api else "NAV"
        oline = self.flavour == "odata"
        out = ['<?xml version="1.0" encoding="utf-8"?>',
               '<edmx:Edmx Version="4.0" xmlns:edmx="%s">' % EDMX_NS]
        if oline:
            out += ['<edmx:Reference Uri="https://oasis-tcs.github.io/odata-vocabularies/'
                    'vocabularies/Org.OData.Core.V1.xml">',
                    '<edmx:Include Alias="Core" Namespace="Org.OData.Core.V1"/>',
                    '</edmx:Reference>']
        out += ['<edmx:DataServices>',
                '<Schema Namespace="%s" xmlns="%s">' % (ns, EDM_NS)]
        annotations = []
        enums = sorted({f.enum for s in cat for f in s.fields if f.t == "e"})
        for e in enums:
            out.append('<EnumType Name="%s">' % e)
            for i, cap in enumerate(M.ENUMS[e]):
                out.append('<Member Name="%s" Value="%d" />' % (M.xml_name(cap), i))
            out.append('</EnumType>')
        for s in cat:
            out.append('<EntityType Name="%s">' % s.name)
            out.append('<Key>%s</Key>' % "".join('<PropertyRef Name="%s" />' % k.name
                                                 for k in s.keys))
            for f in s.fields:
                typ = (ns + "." + f.enum) if f.t == "e" else M.EDM[f.t]
                attrs = ' Nullable="false"' if not f.nullable else ""
                if f.t == "s":
                    attrs += ' MaxLength="%d"' % f.size
                if f.t == "d":
                    attrs += ' Scale="Variable"'
                inner = ""
                if oline:
                    # out of line, as the other vendor's metadata.xml: a balance is
                    # Core.Permissions Read, the other server-set fields
                    # Core.Computed, the key Core.Immutable
                    if f.ro and f.name.startswith("Balance"):
                        ann = ('<Annotation Term="Core.Permissions" '
                               'EnumMember="Core.Permission/Read"/>')
                    elif f.ro:
                        ann = '<Annotation Term="Core.Computed" Bool="true"/>'
                    elif f in s.keys and len(s.keys) == 1:
                        ann = '<Annotation Term="Core.Immutable" Bool="true"/>'
                    else:
                        ann = None
                    if ann:
                        annotations.append('<Annotations Target="%s.%s/%s">%s</Annotations>'
                                           % (ns, s.name, f.name, ann))
                    out.append('<Property Name="%s" Type="%s"%s/>' % (f.name, typ, attrs))
                    continue
                if f.ro:
                    inner = '<Annotation Term="Org.OData.Core.V1.Computed" Bool="true" />'
                label = f.col.replace("_", " ")
                inner += '<Annotation Term="NAV.LabelId" String="%s" />' % xml_escape(label)
                out.append('<Property Name="%s" Type="%s"%s>%s</Property>'
                           % (f.name, typ, attrs, inner))
            for n, (les, link) in s.nav_props.items():
                out.append('<NavigationProperty Name="%s" Type="Collection(%s.%s)" '
                           'ContainsTarget="true" />' % (n, ns, les.name))
            out.append('</EntityType>')
        if not api:
            out.append('<EntityType Name="Company"><Key><PropertyRef Name="Name" /></Key>'
                       '<Property Name="Name" Type="Edm.String" Nullable="false" '
                       'MaxLength="30" /><Property Name="Display_Name" Type="Edm.String" '
                       'MaxLength="250" /><Property Name="Id" Type="Edm.Guid" />')
            for s in cat:
                if s.name != "Company":
                    out.append('<NavigationProperty Name="%s" Type="Collection(NAV.%s)" '
                               'ContainsTarget="true" />' % (s.name, s.name))
            out.append('</EntityType>')
        out.append('<EntityContainer Name="%s">' % ("apiContainer" if api else "NAV"))
        for s in cat:
            out.append('<EntitySet Name="%s" EntityType="%s.%s" />' % (s.name, ns, s.name))
        out.append('</EntityContainer>')
        for s in cat if oline else ():
            out.append('<Annotations Target="%s.EntityContainer/%s"><Annotation '
                       'Term="Core.OptimisticConcurrency"><Collection/></Annotation>'
                       '</Annotations>' % (ns, s.name))
        out += annotations
        out.append('</Schema></edmx:DataServices></edmx:Edmx>')
        return Response(200, "\n".join(l for l in out if l), [("OData-Version", "4.0")],
                        "application/xml")

    # ---------------------------------------------------------------- SOAP
    def soap(self, req, parts):
        # parts: [<Company>, "Page", <Name>]
        if len(parts) != 3 or parts[1] != "Page":
            return self.soap_fault("Microsoft.Dynamics.Nav.Service.WebServices.ServiceBroker"
                                   "Exception", "Service not found.", 404)
        company = unquote(parts[0])
        if company not in self.company_ids:
            return self.soap_fault("Microsoft.Dynamics.Nav.Types.NavDatabasePasswordException",
                                   "Cannot open company %s." % company)
        es = self.sets.get(unquote(parts[2]))
        if es is None or es.name == "Company":
            return self.soap_fault("Microsoft.Dynamics.Nav.Service.WebServices.ServiceBroker"
                                   "Exception", "Service \"%s\" was not found." % parts[2], 404)
        req.log["entity"] = es.name
        ns = "urn:microsoft-dynamics-schemas/page/" + es.name.lower()
        if req.method == "GET":
            return Response(200, self.wsdl(es, ns, company), [], "text/xml; charset=utf-8")
        if req.method != "POST":
            return Response.text("Method not allowed\n", 405)
        try:
            root = ET.fromstring(req.body)
        except ET.ParseError as e:
            return self.soap_fault("System.Xml.XmlException", "The request is not valid XML: "
                                   "%s." % e)
        body = root.find("{%s}Body" % SOAP_NS)
        if root.tag != "{%s}Envelope" % SOAP_NS or body is None or len(body) == 0:
            return self.soap_fault("System.ServiceModel.ProtocolException",
                                   "The request is not a SOAP 1.1 envelope.")
        op_el = body[0]
        tns, _, op = op_el.tag[1:].partition("}") if op_el.tag.startswith("{") else ("", "",
                                                                                    op_el.tag)
        if tns != ns:
            return self.soap_fault("System.ServiceModel.ActionNotSupportedException",
                                   "The element %s is not in the namespace %s." % (op, ns))
        action = (req.header("SOAPAction") or "").strip('"')
        if action and action != "%s:%s" % (ns, op):
            return self.soap_fault("System.ServiceModel.ActionNotSupportedException",
                                   "The message with Action '%s' cannot be processed at the "
                                   "receiver." % action)
        req.log["op"] = op
        try:
            fn = {"Read": self.soap_read, "ReadMultiple": self.soap_read_multiple,
                  "Create": self.soap_create, "CreateMultiple": self.soap_create,
                  "Update": self.soap_update, "UpdateMultiple": self.soap_update,
                  "Delete": self.soap_delete}.get(op)
            if fn is None:
                return self.soap_fault("System.ServiceModel.ActionNotSupportedException",
                                       "Method %s not found in service %s." % (op, es.name))
            if es.readonly and op not in ("Read", "ReadMultiple"):
                raise NavError(500, "Microsoft.Dynamics.Nav.Types.Exceptions."
                               "NavPermissionException",
                               "%s is not allowed on the page %s." % (op, es.caption))
            self.db.execute("SAVEPOINT soap")
            try:
                inner = fn(es, company, ns, op, op_el)
                self.db.execute("RELEASE soap")
            except BaseException:
                self.db.execute("ROLLBACK TO soap")
                self.db.execute("RELEASE soap")
                raise
        except NavError as e:
            req.log["error"] = e.code
            code = e.code if "." in e.code else \
                "Microsoft.Dynamics.Nav.Types.Exceptions.NavNCLDialogException"
            return self.soap_fault(code, e.message)
        return Response(200, '<Soap:Envelope xmlns:Soap="%s"><Soap:Body>%s</Soap:Body>'
                        '</Soap:Envelope>' % (SOAP_NS, inner), [], "text/xml; charset=utf-8")

    def soap_fault(self, code, msg, status=500):
        m = xml_escape(msg)
        body = ('<s:Envelope xmlns:s="%s"><s:Body><s:Fault><faultcode xmlns:a="urn:microsoft-'
                'dynamics-schemas/error">a:%s</faultcode><faultstring xml:lang="en-US">%s'
                '</faultstring><detail><string xmlns="http://schemas.microsoft.com/2003/10/'
                'Serialization/">%s</string></detail></s:Fault></s:Body></s:Envelope>'
                % (SOAP_NS, xml_escape(code), m, m))
        return Response(status, body, [], "text/xml; charset=utf-8")

    def soap_record(self, es, row, ns_local=True):
        out = ["<%s>" % es.name, "<Key>%s</Key>" % xml_escape(M.soap_key(es, row, row["_ver"]))]
        for f in es.fields:
            out.append("<%s>%s</%s>" % (f.name, xml_escape(M.to_xml_text(f, row[f.col])),
                                        f.name))
        out.append("</%s>" % es.name)
        return "".join(out)

    @staticmethod
    def local(el):
        return el.tag.rpartition("}")[2]

    def soap_read(self, es, company, ns, op, el):
        keyv = {}
        for child in el:
            f = es.by_name.get(self.local(child))
            if f is None or f not in es.keys:
                raise NavError(500, "Microsoft.Dynamics.Nav.Service.WebServices."
                               "ServiceBrokerException",
                               "Parameter %s in method Read in service %s is not valid."
                               % (self.local(child), es.name))
            keyv[f.col] = M.from_xml_text(f, child.text, es)
        for k in es.keys:
            if k.col not in keyv:
                raise NavError(500, "Microsoft.Dynamics.Nav.Service.WebServices."
                               "ServiceBrokerException",
                               "Parameter %s in method Read in service %s is null!"
                               % (k.name, es.name))
        row = self.get_row(es, company, keyv)
        if row is None:
            return '<Read_Result xmlns="%s" />' % ns
        self.after_read(es, company, row)
        return '<Read_Result xmlns="%s">%s</Read_Result>' % (ns, self.soap_record(es, row))

    def soap_read_multiple(self, es, company, ns, op, el):
        preds, bookmark, size = [], None, 0
        for child in el:
            n = self.local(child)
            if n == "filter":
                fld = crit = None
                for c in child:
                    if self.local(c) == "Field":
                        fld = (c.text or "").strip()
                    elif self.local(c) == "Criteria":
                        crit = c.text or ""
                f = es.by_name.get(fld or "")
                if f is None:
                    raise NavError(500, "System.ServiceModel.FaultException",
                                   "The value '%s' is not a valid %s_Fields." % (fld, es.name))
                preds.append((f, M.nav_filter(f, crit or "", es)))
            elif n == "bookmarkKey":
                bookmark = (child.text or "").strip() or None
            elif n == "setSize":
                try:
                    size = int((child.text or "0").strip())
                except ValueError:
                    raise NavError(500, "System.ServiceModel.FaultException",
                                   "The value of setSize is not a valid integer.")
        desc = size < 0
        size = abs(size)
        w, p = self.fixed_where(es, company, {})
        order = es.keys
        if bookmark:
            parsed = M.parse_soap_key(bookmark)
            if parsed is None or len(parsed[0]) != len(order):
                raise NavError(500, "Microsoft.Dynamics.Nav.Types.Exceptions."
                               "NavInvalidBookmarkException",
                               "The bookmark key is not valid.")
            vals = parsed[0]
            ors = []
            for i, f in enumerate(order):
                conj = []
                for g, v in zip(order[:i], vals[:i]):
                    conj.append('t."%s" = ?' % g.col)
                    p.append(v)
                conj.append('t."%s" %s ?' % (f.col, "<" if desc else ">"))
                p.append(vals[i])
                ors.append("(" + " AND ".join(conj) + ")")
            w.append("(" + " OR ".join(ors) + ")")
        sql = (self.select_sql(es) + " WHERE " + " AND ".join(w) + " ORDER BY " +
               ", ".join('t."%s" %s' % (f.col, "DESC" if desc else "ASC") for f in order))
        cur = self.db.execute(sql, p)
        names = [d[0] for d in cur.description]
        out = []
        for r in cur:
            row = dict(zip(names, r))
            if all(pred(row[f.col]) for f, pred in preds):
                out.append(row)
                if size and len(out) >= size:
                    break
        cur.close()
        for row in out:
            self.after_read(es, company, row)
        recs = "".join(self.soap_record(es, r) for r in out)
        return ('<ReadMultiple_Result xmlns="%s"><ReadMultiple_Result>%s</ReadMultiple_Result>'
                '</ReadMultiple_Result>' % (ns, recs))

    def soap_values(self, es, rec, with_key):
        vals, key = {}, None
        for c in rec:
            n = self.local(c)
            if n == "Key":
                key = (c.text or "").strip()
                continue
            f = es.by_name.get(n)
            if f is None:
                raise NavError(500, "System.ServiceModel.FaultException",
                               "The element %s is not part of %s." % (n, es.name))
            if f.ro:
                continue
            vals[f.col] = M.from_xml_text(f, c.text, es)
        return vals, key

    def records_of(self, es, op, el):
        if op.endswith("Multiple"):
            lst = [c for c in el if self.local(c) == es.name + "_List"]
            if len(lst) != 1:
                raise NavError(500, "System.ServiceModel.FaultException",
                               "%s needs one %s_List." % (op, es.name))
            recs = [c for c in lst[0] if self.local(c) == es.name]
        else:
            recs = [c for c in el if self.local(c) == es.name]
            if len(recs) != 1:
                raise NavError(500, "System.ServiceModel.FaultException",
                               "%s needs one %s element." % (op, es.name))
        return recs

    def soap_wrap(self, es, ns, op, rows):
        recs = "".join(self.soap_record(es, r) for r in rows)
        if op.endswith("Multiple"):
            recs = "<%s_List>%s</%s_List>" % (es.name, recs, es.name)
        return '<%s_Result xmlns="%s">%s</%s_Result>' % (op, ns, recs, op)

    def soap_ctx(self, company):
        ctx = Ctx()
        ctx.base, ctx.root, ctx.api, ctx.catalog = "", "/", False, self.sets
        ctx.company, ctx.company_seg, ctx.query_company = company, None, None
        return ctx

    def soap_create(self, es, company, ns, op, el):
        rows = []
        for rec in self.records_of(es, op, el):
            vals, _ = self.soap_values(es, rec, False)
            b = {es.by_col[c].name: M.to_json(es.by_col[c], v) for c, v in vals.items()}
            try:
                self.insert(es, self.soap_ctx(company), b, {}, {})
            except NavError as e:
                raise NavError(500, e.code, e.message)
            keyv = {}
            for c in es.key_cols:
                if c in vals:
                    keyv[c] = vals[c]
            if len(keyv) != len(es.key_cols):   # a number from the series: the newest row
                w, p = self.fixed_where(es, company, {})
                r = self.db.execute(self.select_sql(es) + " WHERE " + " AND ".join(w) +
                                    " ORDER BY t._ver DESC LIMIT 1", p)
                names = [d[0] for d in r.description]
                rows.append(dict(zip(names, r.fetchone())))
            else:
                rows.append(self.get_row(es, company, keyv))
        return self.soap_wrap(es, ns, op, rows)

    def soap_locate(self, es, company, key):
        parsed = M.parse_soap_key(key or "")
        if parsed is None or len(parsed[0]) != len(es.key_cols):
            raise NavError(500, "Microsoft.Dynamics.Nav.Types.Exceptions."
                           "NavInvalidBookmarkException", "The key is not valid.")
        keyv = dict(zip(es.key_cols, parsed[0]))
        row = self.get_row(es, company, keyv)
        if row is None:
            raise NavError(500, "Microsoft.Dynamics.Nav.Types.Exceptions."
                           "NavRecordNotFoundException",
                           "The record %s does not exist. Identification fields and values: "
                           "%s" % (es.caption, ",".join("%s='%s'" % (c, keyv[c])
                                                        for c in es.key_cols)))
        if row["_ver"] != parsed[1]:
            raise NavError(500, "Microsoft.Dynamics.Nav.Types.Exceptions."
                           "NavCSideRecordModifiedException",
                           'Other user has modified "%s" "%s".'
                           % (es.caption, ",".join("%s='%s'" % (c.replace("_", " ") + ".",
                                                                keyv[c])
                                                   for c in es.key_cols)))
        return keyv, row

    def soap_update(self, es, company, ns, op, el):
        rows = []
        for rec in self.records_of(es, op, el):
            vals, key = self.soap_values(es, rec, True)
            if not key:
                raise NavError(500, "System.ServiceModel.FaultException",
                               "Update needs the record's Key.")
            keyv, row = self.soap_locate(es, company, key)
            b = {es.by_col[c].name: M.to_json(es.by_col[c], v) for c, v in vals.items()}
            try:
                self.modify(es, self.soap_ctx(company), keyv, b, {"If-Match": "*"}, {})
            except NavError as e:
                raise NavError(500, e.code, e.message)
            rows.append(self.get_row(es, company, keyv))
        return self.soap_wrap(es, ns, op, rows)

    def soap_delete(self, es, company, ns, op, el):
        keys = [c for c in el if self.local(c) == "Key"]
        if len(keys) != 1:
            raise NavError(500, "System.ServiceModel.FaultException", "Delete needs a Key.")
        keyv, row = self.soap_locate(es, company, (keys[0].text or "").strip())
        self.delete_row(es, company, row)
        return ('<Delete_Result xmlns="%s"><Delete_Result>true</Delete_Result></Delete_Result>'
                % ns)

    def wsdl(self, es, ns, company):
        xs = []
        enums = sorted({f.enum for f in es.fields if f.t == "e"})
        for e in enums:
            xs.append('<simpleType name="%s"><restriction base="string">%s</restriction>'
                      '</simpleType>' % (e, "".join('<enumeration value="%s" />'
                                                    % M.soap_name(c) for c in M.ENUMS[e])))
        els = ['<element minOccurs="0" maxOccurs="1" name="Key" type="string" />']
        for f in es.fields:
            typ = "tns:" + f.enum if f.t == "e" else M.XSD[f.t]
            els.append('<element minOccurs="0" maxOccurs="1" name="%s" type="%s" />'
                       % (f.name, typ))
        xs.append('<complexType name="%s"><sequence>%s</sequence></complexType>'
                  % (es.name, "".join(els)))
        xs.append('<complexType name="%s_List"><sequence><element minOccurs="1" '
                  'maxOccurs="unbounded" name="%s" type="tns:%s" /></sequence></complexType>'
                  % (es.name, es.name, es.name))
        xs.append('<simpleType name="%s_Fields"><restriction base="string">%s</restriction>'
                  '</simpleType>' % (es.name, "".join('<enumeration value="%s" />' % f.name
                                                      for f in es.fields)))
        xs.append('<complexType name="%s_Filter"><sequence><element minOccurs="1" '
                  'maxOccurs="1" name="Field" type="tns:%s_Fields" /><element minOccurs="1" '
                  'maxOccurs="1" name="Criteria" type="string" /></sequence></complexType>'
                  % (es.name, es.name))
        keys = "".join('<element minOccurs="1" maxOccurs="1" name="%s" type="%s" />'
                       % (k.name, "tns:" + k.enum if k.t == "e" else M.XSD[k.t])
                       for k in es.keys)

        def wrap(name, inner):
            return ('<element name="%s"><complexType><sequence>%s</sequence></complexType>'
                    '</element>' % (name, inner))
        one = '<element minOccurs="1" maxOccurs="1" name="%s" type="tns:%s" />' % (
            es.name, es.name)
        opt = '<element minOccurs="0" maxOccurs="1" name="%s" type="tns:%s" />' % (
            es.name, es.name)
        lst = ('<element minOccurs="1" maxOccurs="1" name="%s_List" type="tns:%s_List" />'
               % (es.name, es.name))
        xs += [wrap("Read", keys), wrap("Read_Result", opt),
               wrap("ReadMultiple", '<element minOccurs="1" maxOccurs="unbounded" '
                    'name="filter" type="tns:%s_Filter" /><element minOccurs="0" '
                    'maxOccurs="1" name="bookmarkKey" type="string" /><element minOccurs="1" '
                    'maxOccurs="1" name="setSize" type="int" />' % es.name),
               wrap("ReadMultiple_Result", '<element minOccurs="0" maxOccurs="1" '
                    'name="ReadMultiple_Result" type="tns:%s_List" />' % es.name),
               wrap("Create", one), wrap("Create_Result", one),
               wrap("CreateMultiple", lst), wrap("CreateMultiple_Result", lst),
               wrap("Update", one), wrap("Update_Result", one),
               wrap("UpdateMultiple", lst), wrap("UpdateMultiple_Result", lst),
               wrap("Delete", '<element minOccurs="1" maxOccurs="1" name="Key" '
                    'type="string" />'),
               wrap("Delete_Result", '<element minOccurs="1" maxOccurs="1" '
                    'name="Delete_Result" type="boolean" />')]
        ops = ["Read", "ReadMultiple", "Create", "CreateMultiple", "Update", "UpdateMultiple",
               "Delete"]
        msgs = "".join('<message name="%s"><part name="parameters" element="tns:%s" />'
                       '</message><message name="%s_Result"><part name="parameters" '
                       'element="tns:%s_Result" /></message>' % (o, o, o, o) for o in ops)
        port = "".join('<operation name="%s"><input name="%s" message="tns:%s" /><output '
                       'name="%s_Result" message="tns:%s_Result" /></operation>'
                       % (o, o, o, o, o) for o in ops)
        bind = "".join('<operation name="%s"><operation soapAction="%s:%s" '
                       'style="document" xmlns="http://schemas.xmlsoap.org/wsdl/soap/" />'
                       '<input name="%s"><body use="literal" xmlns="http://schemas.xmlsoap.org'
                       '/wsdl/soap/" /></input><output name="%s_Result"><body use="literal" '
                       'xmlns="http://schemas.xmlsoap.org/wsdl/soap/" /></output></operation>'
                       % (o, ns, o, o, o) for o in ops)
        return ('<?xml version="1.0" encoding="utf-8"?><definitions xmlns="http://schemas.'
                'xmlsoap.org/wsdl/" xmlns:tns="%s" targetNamespace="%s"><types><schema '
                'xmlns="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified" '
                'targetNamespace="%s">%s</schema></types>%s<portType name="%s_Port">%s'
                '</portType><binding name="%s_Binding" type="tns:%s_Port"><binding '
                'transport="http://schemas.xmlsoap.org/soap/http" xmlns="http://schemas.'
                'xmlsoap.org/wsdl/soap/" />%s</binding><service name="%s_Service"><port '
                'name="%s_Port" binding="tns:%s_Binding"><address location="/%s/WS/%s/Page/%s" '
                'xmlns="http://schemas.xmlsoap.org/wsdl/soap/" /></port></service>'
                '</definitions>' % (ns, ns, ns, "".join(xs), msgs, es.name, port, es.name,
                                    es.name, bind, es.name, es.name, es.name, self.instance,
                                    xml_escape(quote(company)), es.name))

    # ---------------------------------------------------------------- control
    def control(self, p, req, body):
        if p == "nav/clock":
            if req.method == "POST":
                self.clock.update(body)
            return Response.json(self.clock.state())
        if p == "nav/config":
            if req.method == "POST":
                for k, v in body.items():
                    if k == "page_size":
                        self.page_size = int(v)
                    elif k == "next_link":
                        if v not in ("absolute", "relative", "path"):
                            raise ValueError("next_link: absolute, relative or path")
                        self.next_link = v
                    elif k == "stale_status":
                        self.stale_status = int(v)
                    elif k == "max_batch":
                        self.max_batch = int(v)
                    elif k == "flavour":
                        if v not in ("nav", "odata"):
                            raise ValueError("flavour: nav or odata")
                        self.flavour = v
                    elif k == "etags":
                        self.etags = bool(v)
                    else:
                        raise ValueError("config: unknown key %r" % k)
            return Response.json({"page_size": self.page_size, "next_link": self.next_link,
                                  "stale_status": self.stale_status,
                                  "max_batch": self.max_batch, "flavour": self.flavour,
                                  "etags": self.etags})
        if p in ("nav/edit", "nav/on-read"):
            es = self.sets.get(body.get("set", "")) or self.api_sets.get(body.get("set", ""))
            if es is None:
                raise ValueError("no entity set %r" % body.get("set"))
            company = body.get("company") or self.companies[0]
            keyv = {}
            for k, v in (body.get("key") or {}).items():
                f = es.by_name.get(k)
                if f is None:
                    raise ValueError("no key field %r" % k)
                keyv[f.col] = M.from_json(f, v, es)
            for c in es.key_cols:
                if c not in keyv:
                    raise ValueError("key field %r missing" % c)
            vals = body.get("values") or {}
            if p == "nav/edit":
                try:
                    if body.get("delete"):
                        row = self.get_row(es, company, keyv)
                        if row is None:
                            raise ValueError("edit: no such record %r" % keyv)
                        self.delete_row(es, company, row)
                        return Response.json({"ok": True})
                    self.apply_edit(es, company, keyv, vals)
                except NavError as e:
                    raise ValueError(e.message)
                return Response.json({"ok": True})
            self.on_read.append({"set": es.name, "company": company, "keyv": keyv,
                                 "values": vals, "delete": bool(body.get("delete"))})
            return Response.json({"ok": True, "pending": len(self.on_read)})
        if p == "nav/post-journal":
            return Response.json(self.post_journal(body))
        if p == "nav/post-item-journal":
            return Response.json(self.post_item_journal(body))
        if p == "nav/post-shipment":
            return Response.json(self.post_shipment(body))
        if p == "nav/metadata":
            xml = body.get("xml")
            self.metadata_override = xml.encode("utf-8") if xml else None
            return Response.json({"ok": True})
        if p == "nav/tokens":
            return Response.json({"issued": self.tokens.count})
        return None

    def reason(self, status):
        return common.reason_phrase(status)


def add_arguments(p):
    g = p.add_argument_group("nav")
    g.add_argument("--instance", default="BC", help="server instance in the URL (default BC)")
    g.add_argument("--company", action="append", metavar="NAME",
                   help="a company (repeatable; default %r); the first gets the seed"
                   % DEFAULT_COMPANY)
    g.add_argument("--records", type=int, default=20, metavar="N",
                   help="generated records per entity set beyond the demo ones (default 20)")
    g.add_argument("--count", action="append", metavar="SET=N",
                   help="generated records for one entity set (repeatable)")
    g.add_argument("--page-size", type=int, default=1000, metavar="N",
                   help="server page size (default 1000, NAV 2015-2018; BC uses 20000)")
    g.add_argument("--next-link", default="absolute", choices=("absolute", "relative", "path"),
                   help="form of @odata.nextLink")
    g.add_argument("--stale-status", type=int, default=409, choices=(409, 412),
                   help="status of a stale If-Match (409 NAV/BC, 412 other servers)")
    g.add_argument("--max-batch", type=int, default=100, metavar="N")
    g.add_argument("--flavour", default="nav", choices=("nav", "odata"),
                   help="nav: NAV/BC; odata: the other vendor's OData V4 server of "
                   "tests/fixtures/odata")
    g.add_argument("--auth", default="basic", help="basic,ntlm,oauth or none (default basic)")
    g.add_argument("--user", action="append", metavar="USER:KEY",
                   help="Basic user and web service access key (default admin:NAVkey123)")
    g.add_argument("--ntlm-user", action="append", metavar="DOMAIN\\USER:PASSWORD",
                   help="NTLM account (default NAVSANDBOX\\navuser:Passw0rd!)")
    g.add_argument("--client", action="append", metavar="ID:SECRET",
                   help="OAuth client (default erpipe-client:client-secret-1)")
    g.add_argument("--tenant", default="sandbox-tenant", help="tenant in the token URL")
    g.add_argument("--token-ttl", type=int, default=3599, metavar="S")
    g.add_argument("--seed-time", default="2026-01-05T10:00:00Z",
                   help="SystemModifiedAt of the seeded records (one ms apart)")
    g.add_argument("--data-seed", type=int, default=1)


if __name__ == "__main__":
    sys.exit(common.main("nav", "Dynamics NAV / Business Central sandbox (OData V4, SOAP)",
                         Nav, add_arguments))
