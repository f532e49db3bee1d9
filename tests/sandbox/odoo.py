#!/usr/bin/python3
"""tests/sandbox/odoo.py - an Odoo 19 stand-in on 127.0.0.1 for the tests and the demo.

    odoo.py --db peer --user admin:admin --api-key admin:KEY --partners 100000
            [--currencies active|fresh] [--port N] [--port-file F] [--log F]
            [--db-file F] [fault flags]

Speaks XML-RPC (/xmlrpc/2/common, /xmlrpc/2/object, /xmlrpc/2/db and the legacy
/xmlrpc/common, /xmlrpc/object with string fault codes), JSON-RPC (/jsonrpc) and
JSON-2 (POST /json/2/<model>/<method>, bearer API keys, X-Odoo-Database;
GET /web/version), answering with Odoo's value and error shapes and
Connection: close, as the transcripts in tests/fixtures/odoo show; the business
rules (order to cash, stock, procure to pay) are Odoo 19's as the transcripts in
tests/fixtures/odoo-flows show them (odoo_biz.py).

Transaction clock: write_date/create_date are the time the request's transaction
started (as Odoo: one value for every row a call writes).  Control it with
  GET  /__sandbox/odoo/clock                   {"now": "...", "mode": "real"}
  POST /__sandbox/odoo/clock {"freeze": "2026-01-05 10:00:00"}   stop the clock there
                             {"freeze": true}                     stop it at now
                             {"advance": 5}                       move a frozen clock
                             {"offset": -3600}                    real time + offset s
                             {"real": true}                       back to real time
and per request with the header  X-Sandbox-Txn-Time: 2026-01-05 09:59:00  (that
request's writes are stamped as if its transaction had started then: the long
transaction case, a row committed with a write_date older than a mark already
passed).  POST /__sandbox/reset {"data": true} reseeds the database.
See common.py for the fault knobs and the request log."""

import os
import sys
import time
import traceback
import xmlrpc.client
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import Response  # noqa: E402
import json  # noqa: E402
import odoo_biz  # noqa: E402
from odoo_orm import (AccessDenied, AccessError, HttpError, MissingError, OdooError,  # noqa
                      PyError, UserError)
import odoo_seed  # noqa: E402

VERSION_INFO = [19, 0, 0, "final", 0, ""]
SERVER_VERSION = "19.0-20251227"
XML_HEADER = '<?xml version="1.0"?>\n'
NOT_FOUND_HTML = """<!DOCTYPE html>
<html>
    <head>
        <meta charset="utf-8"/>
        <title>404: Page not found | Odoo</title>
    </head>
    <body>
        <div id="wrapwrap"><main><h1>Page not found</h1>
        <p>The page you were looking for could not be authorized or does not exist.</p>
        </main></div>
    </body>
</html>"""


def fake_traceback(e):
    return ("Traceback (most recent call last):\n"
            "  File \"/opt/odoo/odoo/service/model.py\", line 93, in call_kw\n"
            "    result = method(recs, *args, **kwargs)\n"
            "             ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
            "%s: %s\n" % (e.name, e.message))


def error_data(e):
    return {"name": e.name, "message": e.message,
            "arguments": [e.message] + list(e.extra_args), "context": {},
            "debug": fake_traceback(e)}


class Clock:
    """The transaction clock (UTC, second resolution)."""

    def __init__(self):
        self.mode, self.frozen, self.offset = "real", None, 0.0

    def now(self):
        if self.mode == "frozen":
            return self.frozen
        t = datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(seconds=self.offset)
        return t.replace(microsecond=0)

    def state(self):
        return {"now": self.now().strftime("%Y-%m-%d %H:%M:%S"), "mode": self.mode,
                "offset": self.offset}

    def update(self, body):
        if body.get("real"):
            self.mode, self.offset = "real", 0.0
        if "offset" in body:
            self.mode, self.offset = "offset", float(body["offset"])
        if "freeze" in body:
            f = body["freeze"]
            self.frozen = self.now() if f is True else parse_dt(f)
            self.mode = "frozen"
        if "advance" in body:
            if self.mode != "frozen":
                self.frozen, self.mode = self.now(), "frozen"
            self.frozen += timedelta(seconds=float(body["advance"]))


def parse_dt(s):
    s = str(s).replace("T", " ").rstrip("Z")[:19]
    return datetime.strptime(s, "%Y-%m-%d %H:%M:%S")


class Odoo:
    keep_alive = False    # real Odoo answers every request with Connection: close

    def __init__(self, args):
        self.args = args
        self.dbname = args.db
        self.passwords = {}
        for u in args.user or ["admin:admin"]:
            login, sep, pw = u.partition(":")
            if not sep:
                raise ValueError("--user wants LOGIN:PASSWORD, got %r" % u)
            self.passwords[login] = pw
        self.keys = {}
        for k in args.api_key or []:
            login, sep, key = k.partition(":")
            if not sep:
                raise ValueError("--api-key wants LOGIN:KEY, got %r" % k)
            self.keys[key] = login
            self.passwords.setdefault(login, None)
        self.clock = Clock()
        self.build()

    def build(self, keep=True):
        """The tables, seeded.  With --db-file a restart keeps what the file
        holds (as a real server keeps its data across restarts); only
        /__sandbox/reset (keep=False) starts again from the seed."""
        t = time.monotonic()
        self.db = common.open_db(self.args.db_file)
        self.orm = odoo_biz.Orm(self.db)
        if keep and self.args.db_file and self.db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'res_users'"
                ).fetchone():
            self.orm.create_schema(tables=False)
            self.uids = {login: uid for login, uid in
                         self.db.execute("SELECT login, id FROM res_users")}
            if self.args.verbose:
                sys.stderr.write("odoo: kept the data of %s\n" % self.args.db_file)
            return
        if self.args.db_file:
            for (name,) in self.db.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                           "AND name NOT LIKE 'sqlite_%'").fetchall():
                self.db.execute('DROP TABLE "%s"' % name)
        self.orm.create_schema()
        self.uids = odoo_seed.seed(self.orm, self.args.partners, self.args.seed_time,
                                   self.args.data_seed, list(self.passwords),
                                   self.args.currencies)
        if self.args.verbose:
            sys.stderr.write("odoo: seeded %d partners in %.2fs\n"
                             % (self.args.partners, time.monotonic() - t))

    def reset(self):
        self.db.close()
        self.clock = Clock()
        self.build(keep=False)

    def close(self):
        self.db.close()

    # ------------------------------------------------------------------ http
    def reason(self, status):
        return common.reason_phrase(status).upper()   # werkzeug: "404 NOT FOUND"

    def handle(self, req):
        p = req.path
        if p == "/jsonrpc":
            return self.jsonrpc(req) if req.method == "POST" else self.not_found()
        if p.startswith("/xmlrpc/"):
            parts = p.strip("/").split("/")
            if len(parts) == 3 and parts[1] == "2" and parts[2] in ("common", "object", "db"):
                return self.xmlrpc(req, parts[2], legacy=False)
            if len(parts) == 2 and parts[1] in ("common", "object", "db"):
                return self.xmlrpc(req, parts[1], legacy=True)
            return self.not_found()
        if p.startswith("/json/2/"):
            return self.json2(req)
        if p == "/web/version" and req.method in ("GET", "HEAD", "POST"):
            return jresp({"version_info": VERSION_INFO, "version": "19.0"})
        return self.not_found()

    def not_found(self):
        return Response(404, NOT_FOUND_HTML, [], "text/html;charset=utf-8")

    def txn_now(self, req):
        h = req.header("X-Sandbox-Txn-Time")
        if h:
            try:
                return parse_dt(h).strftime("%Y-%m-%d %H:%M:%S")
            except ValueError:
                pass
        return self.clock.now().strftime("%Y-%m-%d %H:%M:%S")

    # ------------------------------------------------------------------ services
    def check_db(self, db):
        if db != self.dbname:
            raise PyError("psycopg2.OperationalError",
                          'connection to server at "localhost" (127.0.0.1), port 5432 '
                          'failed: FATAL:  database "%s" does not exist\n' % db)

    def login(self, login, password):
        uid = self.uids.get(login)
        if uid is None or password is None:
            return False
        if self.passwords.get(login) is not None and password == self.passwords[login]:
            return uid
        if self.keys.get(password) == login:
            return uid
        return False

    def check_uid(self, uid, password):
        for login, u in self.uids.items():
            if u == uid and self.login(login, password):
                return uid
        raise AccessDenied()

    def dispatch(self, service, method, params, req):
        req.log["rpc"] = "%s.%s" % (service, method)
        if service == "common":
            if method == "version":
                return self.version()
            if method == "about":
                return "See http://openerp.com"
            if method == "login":
                db, login, pw = (list(params) + [None] * 3)[:3]
                self.check_db(db)
                return self.login(login, pw)
            if method == "authenticate":
                db, login, pw = (list(params) + [None] * 4)[:3]
                self.check_db(db)
                return self.login(login, pw)
            raise PyError("builtins.Exception", "Method not found: %s" % method)
        if service == "db":
            if method == "list":
                return [self.dbname]
            if method == "server_version":
                return SERVER_VERSION
            raise PyError("builtins.KeyError", method)
        if service == "object":
            if method == "execute_kw":
                if len(params) < 6:
                    raise PyError("builtins.TypeError", "execute_kw() missing required "
                                  "positional arguments")
                db, uid, pw, model, meth, args = params[:6]
                kwargs = params[6] if len(params) > 6 else {}
            elif method == "execute":
                if len(params) < 5:
                    raise PyError("builtins.TypeError", "execute() missing required "
                                  "positional arguments")
                db, uid, pw, model, meth = params[:5]
                args, kwargs = list(params[5:]), {}
            else:
                raise PyError("builtins.NameError",
                              "Method not available %s" % method)
            self.check_db(db)
            self.check_uid(uid, pw)
            req.log["rpc"] = "%s.%s" % (model, meth)
            req.log["uid"] = uid
            kwargs = kwargs or {}
            ctx = kwargs.get("context") or {}
            return self.orm.call(model, meth, args or [], kwargs, uid, ctx, self.txn_now(req))
        raise PyError("builtins.KeyError", service)

    @staticmethod
    def version():
        return {"server_version": SERVER_VERSION, "server_version_info": VERSION_INFO,
                "server_serie": "19.0", "protocol_version": 1}

    # ------------------------------------------------------------------ JSON-RPC
    def jsonrpc(self, req):
        try:
            body = req.json()
            if not isinstance(body, dict):
                raise ValueError
        except ValueError:
            return Response(400, "Invalid JSON data", [], "text/html; charset=utf-8")
        rid = body.get("id")
        params = body.get("params") or {}
        req.log["flavour"] = "jsonrpc"
        try:
            if not isinstance(params, dict):
                raise PyError("builtins.TypeError", "params must be an object")
            service = params.get("service")
            if service not in ("common", "object", "db"):
                raise PyError("builtins.KeyError", str(service))
            result = self.dispatch(service, params.get("method"), params.get("args") or [],
                                   req)
            ans = {"jsonrpc": "2.0", "id": rid}
            if result is not None:          # Odoo leaves out a None result
                ans["result"] = result
            return jresp(ans)
        except OdooError as e:
            req.log["error"] = e.name
            return jresp({"jsonrpc": "2.0", "id": rid, "error": {
                "code": 0, "message": "Odoo Server Error", "data": error_data(e)}})

    # ------------------------------------------------------------------ XML-RPC
    def xmlrpc(self, req, service, legacy):
        req.log["flavour"] = "xmlrpc"
        try:
            try:
                params, method = xmlrpc.client.loads(req.body)
            except Exception as e:
                raise PyError("xml.parsers.expat.ExpatError", str(e))
            result = self.dispatch(service, method, list(params), req)
            body = xmlrpc.client.dumps((nones_to_false(result),), methodresponse=True,
                                       allow_none=False)
        except OdooError as e:
            req.log["error"] = e.name
            if legacy:
                fault = legacy_fault(e)
            else:
                fault = int_fault(e)
            body = xmlrpc.client.dumps(fault, methodresponse=True, allow_none=False)
        body = XML_HEADER + body.split("\n", 1)[1]
        return Response(200, body, [], "text/xml; charset=utf-8")

    # ------------------------------------------------------------------ JSON-2
    def json2(self, req):
        req.log["flavour"] = "json2"
        try:
            parts = req.path.split("/")
            if len(parts) != 5 or not parts[3] or not parts[4]:
                return self.not_found()
            model, method = parts[3], parts[4]
            req.log["rpc"] = "%s.%s" % (model, method)
            auth = req.header("Authorization") or ""
            scheme, _, key = auth.partition(" ")
            if scheme.lower() != "bearer" or not key.strip():
                raise HttpError(401, "Unauthorized", "User not authenticated, use an API Key "
                                "with a Bearer Authorization header.")
            login = self.keys.get(key.strip())
            if login is None or login not in self.uids:
                raise HttpError(401, "Unauthorized", "Invalid apikey")
            dbh = req.header("X-Odoo-Database")
            if dbh is not None and dbh != self.dbname:
                raise HttpError(404, "NotFound", "database %r not found" % dbh)
            if req.method != "POST":
                raise HttpError(405, "MethodNotAllowed",
                                "The method is not allowed for the requested URL.")
            if model not in self.orm.models:
                raise HttpError(404, "NotFound", "the model %r does not exist" % model)
            try:
                body = req.json() if req.body.strip() else {}
                if not isinstance(body, dict):
                    raise ValueError
            except ValueError:
                raise HttpError(400, "BadRequest", "The request body is not a JSON object")
            uid = self.uids[login]
            req.log["uid"] = uid
            ctx = body.pop("context", None) or {}
            result = self.orm.call(model, method, [], body, uid, ctx, self.txn_now(req))
            return jresp(result)
        except OdooError as e:
            req.log["error"] = e.name
            status = json2_status(e)
            hdrs = [("WWW-Authenticate", "Bearer")] if status == 401 else []
            return jresp(error_data(e), status, hdrs)

    # ------------------------------------------------------------------ control
    def control(self, p, req, body):
        if p in ("odoo/clock", "clock"):
            if req.method == "POST":
                self.clock.update(body)
            return jresp(self.clock.state())
        return None


def jresp(obj, status=200, headers=None):
    """A JSON answer as Odoo writes it: non-ASCII characters escaped."""
    body = json.dumps(obj, ensure_ascii=True, separators=(", ", ": "))
    return Response(status, body, headers, "application/json; charset=utf-8")


def json2_status(e):
    if isinstance(e, HttpError):
        return e.status
    if isinstance(e, AccessDenied):
        return 401
    if isinstance(e, AccessError):
        return 403
    if isinstance(e, MissingError):
        return 404
    if isinstance(e, UserError):
        return 422
    return 500


def int_fault(e):
    """faultCode as /xmlrpc/2 sends it: 1 other, 2 UserError family, 3 AccessDenied,
    4 AccessError."""
    if isinstance(e, AccessError):
        return xmlrpc.client.Fault(4, e.message)
    if isinstance(e, AccessDenied):
        return xmlrpc.client.Fault(3, e.message)
    if isinstance(e, UserError) and not isinstance(e, HttpError):
        return xmlrpc.client.Fault(2, e.message)
    return xmlrpc.client.Fault(1, fake_traceback(e))


def legacy_fault(e):
    """faultCode as the legacy /xmlrpc/<service> sends it: a string."""
    if isinstance(e, MissingError):
        return xmlrpc.client.Fault("warning -- MissingError\n\n" + e.message, "")
    if isinstance(e, AccessError):
        return xmlrpc.client.Fault("warning -- AccessError\n\n" + e.message, "")
    if isinstance(e, AccessDenied):
        return xmlrpc.client.Fault("AccessDenied", e.message)
    if isinstance(e, UserError) and not isinstance(e, HttpError):
        return xmlrpc.client.Fault("warning -- UserError\n\n" + e.message, "")
    return xmlrpc.client.Fault(e.message, fake_traceback(e))


def nones_to_false(v):
    if v is None:
        return False
    if isinstance(v, list):
        return [nones_to_false(x) for x in v]
    if isinstance(v, dict):
        return {k: nones_to_false(x) for k, x in v.items()}
    return v


def add_arguments(p):
    g = p.add_argument_group("odoo")
    g.add_argument("--db", default="odoo", help="database name (default odoo)")
    g.add_argument("--user", action="append", metavar="LOGIN:PASSWORD",
                   help="a user (repeatable; default admin:admin); admin is uid 2")
    g.add_argument("--api-key", action="append", metavar="LOGIN:KEY",
                   help="an API key of a user (repeatable)")
    g.add_argument("--partners", type=int, default=100,
                   help="generated partners beyond the 40 demo ones (default 100)")
    g.add_argument("--seed-time", default="2026-01-05 10:00:00",
                   help="create/write_date of the seeded records")
    g.add_argument("--data-seed", type=int, default=1, help="seed of the generated data")
    g.add_argument("--currencies", choices=("active", "fresh"), default="active",
                   help="active: EUR and GBP active, as in the transcripts' database "
                   "(default); fresh: only USD active, as in a new Odoo database")


if __name__ == "__main__":
    _ = traceback
    sys.exit(common.main("odoo", "Odoo 19 sandbox (XML-RPC, JSON-RPC, JSON-2)", Odoo,
                         add_arguments))
