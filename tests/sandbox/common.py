"""tests/sandbox/common.py - the base every sandbox server (Odoo, BNG, NAV) builds on.

Python 3 standard library + sqlite3 only.  A sandbox is an *app* object with a
handle(req) -> Response method, plugged into SandboxServer, which gives it:

  * a ThreadingHTTPServer on --host (127.0.0.1) / --port (0 = ephemeral), the
    bound port written to --port-file FILE once listening (atomically, so a test
    can wait for the file instead of sleeping); HTTP/1.1 with keep-alive unless the
    app sets keep_alive = False (then every answer carries Connection: close);
  * fault injection, from CLI flags and at run time through the control endpoint:
      latency_ms    sleep before answering (every request)
      429           answer 429 Too Many Requests with Retry-After
      5xx           answer a 5xx (status, default 503; Retry-After when set)
      drop          read the request, close the socket without answering
      malformed     answer the real response with its body mangled:
                      truncate  body cut in half, Content-Length matching the cut
                      short     full Content-Length announced, half sent, socket closed
                      garbage   random bytes of the same length
    each of 429/5xx/drop/malformed fires by a rule (any of them may be combined):
      rate=P        with probability P per request (random.Random(--seed))
      nth=N         on the Nth app request (counted from start or reset; repeatable)
      every=N       on every Nth request
      next=K        on each of the next K requests
      match=REGEX   only on requests whose path matches (default: all)
      body=REGEX    only on requests whose body matches (one RPC of /jsonrpc)
      method=REGEX  only on requests whose method matches (DELETE)
    Control requests (/__sandbox/...) are never faulted nor counted;
  * a request log: JSON lines to --log FILE and in memory (GET /__sandbox/log),
    one object per request: n, time, method, path, query, headers (secrets
    redacted), body_size, status, fault, ms, plus what the app adds (app_log);
  * clean shutdown on SIGTERM / SIGINT (port file removed);
  * sqlite3 storage helpers (open_db: in memory or --db-file) and one lock that
    serialises the app's handlers (server.lock).

Control endpoints (JSON in and out):
  GET  /__sandbox/health          {"ok": true, "name": ..., "requests": n}
  GET  /__sandbox/faults          current fault settings
  POST /__sandbox/faults          merge settings: {"latency_ms": 50,
                                   "429": {"rate": 0.1, "nth": [3], "next": 2,
                                           "every": 0, "match": "^/api",
                                           "retry_after": 1},
                                   "5xx": {..., "status": 502},
                                   "drop": {...},
                                   "malformed": {..., "mode": "garbage"},
                                   "seed": 7}
                                  a kind set to null or {} is cleared
  DELETE /__sandbox/faults        clear every fault
  GET  /__sandbox/log[?since=N]   JSON array of log entries with n > N
  POST /__sandbox/reset           clear faults, log and request counter;
                                  {"data": true} also asks the app to reseed
  the app may add its own under /__sandbox/<app>/... (app.control)

CLI flags for faults mirror the JSON: --latency MS, --fault-429 SPEC,
--retry-after S, --fault-5xx SPEC, --status-5xx CODE, --fault-drop SPEC,
--fault-malformed SPEC, --malformed-mode MODE, --seed N; SPEC is a comma list
of the rules above: "rate=0.2", "nth=3,nth=7", "next=2,match=^/jsonrpc".
"""

import argparse
import json
import os
import random
import re
import signal
import socket
import sqlite3
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

FAULT_KINDS = ("429", "5xx", "drop", "malformed")
MALFORMED_MODES = ("truncate", "short", "garbage")
SECRET_HEADER = re.compile(
    r"authorization|cookie|token|secret|password|api[-_]?key|x-odoo-session", re.I)
CONTROL_PREFIX = "/__sandbox/"


class Request:
    """One HTTP request as the app sees it."""

    __slots__ = ("method", "path", "query", "raw_query", "headers", "body",
                 "client", "n", "log")

    def __init__(self, method, target, headers, body, client, n):
        u = urlsplit(target)
        self.method = method
        self.path = u.path
        self.raw_query = u.query
        self.query = {k: v[-1] for k, v in parse_qs(u.query, keep_blank_values=True).items()}
        self.headers = headers          # http.client.HTTPMessage (case-insensitive get)
        self.body = body                # bytes
        self.client = client
        self.n = n                      # app request number (1-based), 0 for control
        self.log = {}                   # the app adds fields to the log entry here

    def header(self, name, default=None):
        return self.headers.get(name, default)

    def json(self):
        """The body parsed as JSON; raises ValueError when it is not JSON."""
        return json.loads(self.body.decode("utf-8"))


class Response:
    __slots__ = ("status", "headers", "body", "reason")

    def __init__(self, status=200, body=b"", headers=None, content_type=None, reason=None):
        self.status = int(status)
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.body = body
        self.headers = list(headers or [])
        if content_type:
            self.headers.append(("Content-Type", content_type))
        self.reason = reason

    @classmethod
    def json(cls, obj, status=200, headers=None, reason=None):
        body = json.dumps(obj, ensure_ascii=False, separators=(", ", ": ")).encode("utf-8")
        return cls(status, body, headers, "application/json; charset=utf-8", reason)

    @classmethod
    def text(cls, text, status=200, headers=None, content_type="text/plain; charset=utf-8",
             reason=None):
        return cls(status, text, headers, content_type, reason)


def reason_phrase(status):
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


# --------------------------------------------------------------------- faults

def parse_fault_spec(spec):
    """'rate=0.1,nth=3,nth=5,every=4,next=2,match=^/x' -> dict (see module doc)."""
    rule = {}
    if not spec:
        return rule
    for item in spec.split(","):
        item = item.strip()
        if not item:
            continue
        k, sep, v = item.partition("=")
        if not sep:
            raise ValueError("fault rule %r: want key=value" % item)
        k = k.strip()
        if k == "rate":
            rule["rate"] = float(v)
        elif k == "nth":
            rule.setdefault("nth", []).append(int(v))
        elif k in ("every", "next", "status", "retry_after"):
            rule[k] = int(v)
        elif k in ("match", "body", "method"):
            rule[k] = v
        elif k == "mode":
            rule["mode"] = v
        else:
            raise ValueError("fault rule %r: unknown key %r" % (item, k))
    return rule


class Faults:
    """Decides, per app request, which fault (if any) fires.  Thread-safe."""

    def __init__(self, seed=0):
        self.lock = threading.Lock()
        self.seed = seed
        self.clear()

    def clear(self):
        with self.lock:
            self.latency_ms = 0
            self.rules = {k: {} for k in FAULT_KINDS}
            self.rng = random.Random(self.seed)

    def snapshot(self):
        with self.lock:
            out = {"latency_ms": self.latency_ms, "seed": self.seed}
            for k in FAULT_KINDS:
                r = dict(self.rules[k])
                r.pop("_re", None)
                r.pop("_body_re", None)
                out[k] = r
            return out

    def update(self, cfg):
        """Merge a JSON settings object; raises ValueError on a bad one."""
        if not isinstance(cfg, dict):
            raise ValueError("faults: want a JSON object")
        with self.lock:
            for key, val in cfg.items():
                if key == "latency_ms":
                    self.latency_ms = max(0, int(val or 0))
                elif key == "seed":
                    self.seed = int(val)
                    self.rng = random.Random(self.seed)
                elif key in FAULT_KINDS:
                    if not val:
                        self.rules[key] = {}
                        continue
                    if isinstance(val, str):
                        val = parse_fault_spec(val)
                    if not isinstance(val, dict):
                        raise ValueError("faults.%s: want an object or a spec string" % key)
                    rule = {}
                    for rk, rv in val.items():
                        if rk == "rate":
                            rule["rate"] = float(rv)
                        elif rk == "nth":
                            rule["nth"] = [int(x) for x in (rv if isinstance(rv, list) else [rv])]
                        elif rk in ("every", "next", "status", "retry_after"):
                            rule[rk] = int(rv)
                        elif rk == "match":
                            rule["match"] = str(rv)
                            rule["_re"] = re.compile(str(rv))
                        elif rk == "method":
                            rule["method"] = str(rv)
                        elif rk == "body":
                            rule["body"] = str(rv)
                            rule["_body_re"] = re.compile(str(rv).encode())
                        elif rk == "mode":
                            if rv not in MALFORMED_MODES:
                                raise ValueError("faults.malformed.mode: one of %s"
                                                 % ", ".join(MALFORMED_MODES))
                            rule["mode"] = rv
                        else:
                            raise ValueError("faults.%s: unknown key %r" % (key, rk))
                    if "match" in rule and "_re" not in rule:
                        rule["_re"] = re.compile(rule["match"])
                    if "body" in rule and "_body_re" not in rule:
                        rule["_body_re"] = re.compile(rule["body"].encode())
                    self.rules[key] = rule
                else:
                    raise ValueError("faults: unknown key %r" % key)

    def decide(self, n, path, body=b"", method=""):
        """-> (kind or None, rule, latency_ms).  Every rate rule draws from the
        seeded generator on every request, so a schedule only depends on the seed
        and the order of requests."""
        with self.lock:
            fired, frule = None, None
            for kind in FAULT_KINDS:
                rule = self.rules[kind]
                if not rule:
                    continue
                hit = False
                if "rate" in rule and self.rng.random() < rule["rate"]:
                    hit = True
                if "_re" in rule and not rule["_re"].search(path):
                    continue
                if "_body_re" in rule and not rule["_body_re"].search(body):
                    continue
                if "method" in rule and not re.fullmatch(rule["method"], method):
                    continue
                if n in rule.get("nth", ()):
                    hit = True
                if rule.get("every") and n % rule["every"] == 0:
                    hit = True
                if rule.get("next", 0) > 0:
                    rule["next"] -= 1
                    hit = True
                if hit and fired is None:
                    fired, frule = kind, dict(rule)
            return fired, frule, self.latency_ms


# -------------------------------------------------------------------- storage

def open_db(path=None):
    """An sqlite3 connection for the app: a file (--db-file) or memory.  Shared by
    the handler threads under server.lock, so check_same_thread is off."""
    if path:
        db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
    else:
        db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA temp_store=MEMORY")
    db.execute("PRAGMA cache_size=-65536")
    return db


# --------------------------------------------------------------------- server

def redact_headers(headers):
    out = {}
    for k, v in headers.items():
        if SECRET_HEADER.search(k):
            scheme = v.split(" ", 1)[0] if " " in v else ""
            v = (scheme + " ***").strip() if scheme else "***"
        out[k] = v
    return out


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "erpipe-sandbox"
    sys_version = ""

    def setup(self):
        BaseHTTPRequestHandler.setup(self)
        # the status line and headers go out apart from the body: without
        # this, a kept-alive connection waits for the client's delayed ACK
        # (~40 ms) on every answer, which no real server does
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, fmt, *args):   # quiet: the request log is the record
        if self.server.sandbox.verbose:
            sys.stderr.write("%s: %s\n" % (self.server.sandbox.name, fmt % args))

    def do_GET(self):
        self._handle()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def _read_body(self):
        te = self.headers.get("Transfer-Encoding", "")
        if "chunked" in te.lower():
            chunks = []
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
            return b"".join(chunks)
        n = int(self.headers.get("Content-Length") or 0)
        if n > self.server.sandbox.max_body:
            raise ValueError("body too large")
        return self.rfile.read(n) if n > 0 else b""

    def _handle(self):
        sb = self.server.sandbox
        t0 = time.monotonic()
        try:
            body = self._read_body()
        except Exception:
            self.close_connection = True
            self._send(Response.text("bad request body\n", 400))
            return
        target = self.path
        is_control = urlsplit(target).path.startswith(CONTROL_PREFIX)
        n = 0 if is_control else sb.next_request_number()
        req = Request(self.command, target, self.headers, body, self.client_address, n)
        entry = {"n": n, "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
                 + ".%03dZ" % (int(time.time() * 1000) % 1000),
                 "method": self.command, "path": req.path, "query": req.raw_query,
                 "headers": redact_headers(self.headers), "body_size": len(body),
                 "status": None, "fault": None}
        if is_control:
            resp = sb.control(req)
            self._send(resp)
            return
        kind, rule, latency = sb.faults.decide(n, req.path, body, self.command)
        if latency:
            time.sleep(latency / 1000.0)
        entry["fault"] = kind
        logged = []

        def log():
            # before the answer leaves: a client that reads the log after
            # its answer finds the request there
            if not logged:
                logged.append(1)
                entry.update(req.log)
                entry["ms"] = round((time.monotonic() - t0) * 1000, 3)
                sb.log_request(entry)
        try:
            if kind == "drop":
                entry["status"] = 0
                log()
                self._drop()
                return
            if kind == "429":
                ra = rule.get("retry_after", 1)
                resp = sb.app_fault_response(req, 429, ra)
                resp = resp or Response.text("Too Many Requests\n", 429,
                                             [("Retry-After", str(ra))])
            elif kind == "5xx":
                status = rule.get("status", 503)
                ra = rule.get("retry_after")
                resp = sb.app_fault_response(req, status, ra)
                if resp is None:
                    hdrs = [("Retry-After", str(ra))] if ra is not None else []
                    resp = Response.text("<html><body><h1>%d %s</h1></body></html>\n"
                                         % (status, reason_phrase(status)), status, hdrs,
                                         "text/html; charset=utf-8")
            else:
                resp = sb.call_app(req)
            entry["status"] = resp.status
            if kind == "malformed":
                mode = rule.get("mode", "truncate")
                if mode == "garbage":
                    with sb.faults.lock:
                        resp.body = bytes(sb.faults.rng.randrange(256)
                                          for _ in range(max(1, len(resp.body))))
                elif mode == "truncate":
                    resp.body = resp.body[:len(resp.body) // 2]
                else:  # short
                    log()
                    self._send(resp, short=True)
                    return
            log()
            self._send(resp)
        finally:
            log()

    def _drop(self):
        self.close_connection = True
        try:
            self.wfile.flush()
        except Exception:
            pass
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _send(self, resp, short=False):
        sb = self.server.sandbox
        keep = sb.keep_alive and not short
        if self.close_connection:
            keep = False
        self.send_response_only(resp.status, resp.reason or sb.reason(resp.status))
        self.send_header("Date", self.date_time_string())
        names = set()
        for k, v in resp.headers:
            names.add(k.lower())
            self.send_header(k, v)
        if "content-length" not in names:
            self.send_header("Content-Length", str(len(resp.body)))
        if not keep:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(resp.body[:len(resp.body) // 2] if short else resp.body)
        self.wfile.flush()
        if short:
            self._drop()


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class SandboxServer:
    """Owns the HTTP server, faults, log and the app."""

    def __init__(self, name, app, args):
        self.name = name
        self.app = app
        self.args = args
        self.verbose = getattr(args, "verbose", False)
        self.keep_alive = getattr(app, "keep_alive", True)
        self.max_body = 128 * 1024 * 1024
        self.lock = threading.RLock()       # serialises app handlers (one sqlite)
        self.faults = Faults(args.seed)
        self.faults.update(faults_from_args(args))
        self._n = 0
        self._nlock = threading.Lock()
        self.log = []
        self.log_file = open(args.log, "a", encoding="utf-8") if args.log else None
        self.httpd = None

    # request numbering / log
    def next_request_number(self):
        with self._nlock:
            self._n += 1
            return self._n

    def log_request(self, entry):
        with self._nlock:
            self.log.append(entry)
            if len(self.log) > 100000:
                del self.log[:50000]
            if self.log_file:
                self.log_file.write(json.dumps(entry, ensure_ascii=False) + "\n")
                self.log_file.flush()

    def app_fault_response(self, req, status, retry_after):
        f = getattr(self.app, "fault_response", None)
        return f(req, status, retry_after) if f else None

    def reason(self, status):
        r = getattr(self.app, "reason", None)
        return r(status) if r else reason_phrase(status)

    def call_app(self, req):
        try:
            with self.lock:
                return self.app.handle(req)
        except Exception as e:  # an app bug must still answer (and show in the log)
            import traceback
            traceback.print_exc(file=sys.stderr)
            req.log["app_exception"] = repr(e)
            return Response.text("sandbox internal error: %r\n" % (e,), 500)

    # control endpoint
    def control(self, req):
        p = req.path[len(CONTROL_PREFIX):].rstrip("/")
        try:
            body = req.json() if req.body.strip() else {}
        except ValueError:
            return Response.json({"error": "body is not JSON"}, 400)
        try:
            if p == "health":
                return Response.json({"ok": True, "name": self.name, "requests": self._n})
            if p == "faults":
                if req.method == "POST":
                    self.faults.update(body)
                elif req.method == "DELETE":
                    self.faults.clear()
                return Response.json(self.faults.snapshot())
            if p == "log":
                since = int(req.query.get("since", "0") or 0)
                with self._nlock:
                    out = [e for e in self.log if e["n"] > since]
                return Response.json(out)
            if p == "reset":
                self.faults.clear()
                with self._nlock:
                    self._n = 0
                    self.log = []
                if body.get("data") and hasattr(self.app, "reset"):
                    with self.lock:
                        self.app.reset()
                return Response.json({"ok": True})
            if hasattr(self.app, "control"):
                with self.lock:
                    resp = self.app.control(p, req, body)
                if resp is not None:
                    return resp
        except (ValueError, TypeError, KeyError) as e:
            return Response.json({"error": str(e)}, 400)
        return Response.json({"error": "no control endpoint %r" % req.path}, 404)

    def serve(self):
        a = self.args
        self.httpd = Server((a.host, a.port), Handler)
        self.httpd.sandbox = self
        port = self.httpd.server_address[1]
        if a.port_file:
            tmp = a.port_file + ".tmp%d" % os.getpid()
            with open(tmp, "w") as f:
                f.write("%d\n" % port)
            os.rename(tmp, a.port_file)
        if self.verbose:
            sys.stderr.write("%s: listening on %s:%d\n" % (self.name, a.host, port))

        def stop(signum, frame):
            threading.Thread(target=self.httpd.shutdown, daemon=True).start()
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            self.httpd.serve_forever(poll_interval=0.2)
        finally:
            self.httpd.server_close()
            if a.port_file:
                try:
                    os.unlink(a.port_file)
                except OSError:
                    pass
            if hasattr(self.app, "close"):
                self.app.close()
            if self.log_file:
                self.log_file.close()


def faults_from_args(a):
    cfg = {"latency_ms": a.latency}
    if a.fault_429:
        r = parse_fault_spec(a.fault_429)
        r.setdefault("retry_after", a.retry_after)
        cfg["429"] = r
    if a.fault_5xx:
        r = parse_fault_spec(a.fault_5xx)
        r.setdefault("status", a.status_5xx)
        cfg["5xx"] = r
    if a.fault_drop:
        cfg["drop"] = parse_fault_spec(a.fault_drop)
    if a.fault_malformed:
        r = parse_fault_spec(a.fault_malformed)
        r.setdefault("mode", a.malformed_mode)
        cfg["malformed"] = r
    return cfg


def base_parser(name, description):
    p = argparse.ArgumentParser(prog=name, description=description)
    g = p.add_argument_group("server")
    g.add_argument("--host", default="127.0.0.1")
    g.add_argument("--port", type=int, default=0, help="0 = ephemeral (default)")
    g.add_argument("--port-file", help="write the bound port here once listening")
    g.add_argument("--log", help="append the request log (JSON lines) to FILE")
    g.add_argument("--db-file", help="sqlite file (default: in memory)")
    g.add_argument("-v", "--verbose", action="store_true")
    f = p.add_argument_group("faults (also POST /__sandbox/faults)")
    f.add_argument("--seed", type=int, default=1, help="seed of the random faults")
    f.add_argument("--latency", type=int, default=0, metavar="MS")
    f.add_argument("--fault-429", metavar="SPEC")
    f.add_argument("--retry-after", type=int, default=1, metavar="S")
    f.add_argument("--fault-5xx", metavar="SPEC")
    f.add_argument("--status-5xx", type=int, default=503, metavar="CODE")
    f.add_argument("--fault-drop", metavar="SPEC")
    f.add_argument("--fault-malformed", metavar="SPEC")
    f.add_argument("--malformed-mode", default="truncate", choices=MALFORMED_MODES)
    return p


def main(name, description, make_app, add_arguments=None, argv=None):
    """Entry point of a sandbox: parse flags, build the app, serve until SIGTERM.
    make_app(args) -> app; add_arguments(parser) adds the app's own flags."""
    p = base_parser(name, description)
    if add_arguments:
        add_arguments(p)
    args = p.parse_args(argv)
    try:
        app = make_app(args)
        sb = SandboxServer(name, app, args)
    except ValueError as e:
        sys.stderr.write("%s: %s\n" % (name, e))
        return 64
    if hasattr(app, "attach"):
        app.attach(sb)
    sb.serve()
    return 0
