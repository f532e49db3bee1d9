#!/usr/bin/python3
"""scripted.py - a loopback HTTP/1.1 server that plays scripted answers.

    scripted.py --port 0 --port-file FILE --script FILE --log FILE
                [--tls-cert PEM --tls-key PEM]

Listens on 127.0.0.1 only.  Once listening it writes its port to
--port-file (atomically: write then rename), so a test waits for that file.
Each request received, on any connection, takes the next answer of the
script in order; when the script is spent the answer is 410 "script
exhausted".  Every request is logged to --log as one JSON line, flushed
before the answer goes out:

    {"n": 1, "conn": 1, "method": "POST", "path": "/jsonrpc",
     "version": "HTTP/1.1", "headers": [["Host", "…"], …], "body": "…"}

"conn" numbers the TCP connection, so a test sees keep-alive reuse.
With --tls-cert and --tls-key it speaks HTTPS instead (a failed handshake
just closes that connection).

The script is a JSON list of answers (or {"answers": [...]}).  Keys of an
answer, all optional:
  status (200), reason, headers ({name: value} or [[name, value], …]),
  body (text) | body_json (any JSON, sent as application/json) |
  body_b64 | body_size (that many "x" bytes),
  delay         seconds to wait before the status line,
  trickle       [bytes, seconds]: send the body that many bytes at a time,
                pausing between pieces (a slow body),
  drop          true: close the connection without answering,
  drop_mid_body N: send the headers and N bytes of the body, then close,
  gzip          true: gzip the body and say Content-Encoding: gzip,
  garbage_gzip  true: say Content-Encoding: gzip over bytes that are not,
  chunked       true: Transfer-Encoding: chunked instead of Content-Length,
  close         true: Connection: close, and close after answering.
Standard library only; run with /usr/bin/python3.
"""
import argparse
import base64
import gzip
import json
import os
import signal
import socket
import ssl
import sys
import threading
import time

MAX_HEAD = 64 * 1024
MAX_BODY = 64 * 1024 * 1024

REASONS = {200: "OK", 201: "Created", 204: "No Content", 400: "Bad Request",
           401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
           408: "Request Timeout", 410: "Gone", 429: "Too Many Requests",
           500: "Internal Server Error", 502: "Bad Gateway",
           503: "Service Unavailable", 504: "Gateway Timeout"}


class Server:
    def __init__(self, answers, log):
        self.answers = answers
        self.next = 0
        self.conns = 0
        self.n = 0
        self.lock = threading.Lock()
        self.log = log

    def take(self, req):
        """Log the request and return its answer."""
        with self.lock:
            self.n += 1
            req["n"] = self.n
            self.log.write(json.dumps(req) + "\n")
            self.log.flush()
            if self.next < len(self.answers):
                a = self.answers[self.next]
                self.next += 1
                return a
        return {"status": 410, "body": "script exhausted\n"}

    def conn_id(self):
        with self.lock:
            self.conns += 1
            return self.conns


def read_request(sock, buf):
    """Return (request dict, rest of buffer) or (None, _) at EOF."""
    while b"\r\n\r\n" not in buf:
        if len(buf) > MAX_HEAD:
            return None, b""
        data = sock.recv(65536)
        if not data:
            return None, b""
        buf += data
    head, buf = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    method, path, version = (lines[0].split(" ", 2) + ["", ""])[:3]
    headers = []
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.append([name.strip(), value.strip()])
    h = {k.lower(): v for k, v in headers}
    if h.get("expect", "").lower() == "100-continue":
        sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
    body = b""
    if "chunked" in h.get("transfer-encoding", "").lower():
        while True:
            while b"\r\n" not in buf:
                data = sock.recv(65536)
                if not data:
                    return None, b""
                buf += data
            size_line, buf = buf.split(b"\r\n", 1)
            size = int(size_line.split(b";")[0], 16)
            while len(buf) < size + 2:
                data = sock.recv(65536)
                if not data:
                    return None, b""
                buf += data
            body += buf[:size]
            buf = buf[size + 2:]
            if size == 0:
                break
    else:
        need = min(int(h.get("content-length", "0") or 0), MAX_BODY)
        while len(buf) < need:
            data = sock.recv(65536)
            if not data:
                return None, b""
            buf += data
        body, buf = buf[:need], buf[need:]
    return {"method": method, "path": path, "version": version,
            "headers": headers, "body": body.decode("utf-8", "replace")}, buf


def answer_bytes(a):
    """Return (head bytes, body bytes, close?) for an answer."""
    status = int(a.get("status", 200))
    reason = a.get("reason", REASONS.get(status, "Status"))
    hdrs = a.get("headers", {})
    hdrs = list(hdrs.items()) if isinstance(hdrs, dict) else [tuple(x) for x in hdrs]
    if "body_json" in a:
        body = json.dumps(a["body_json"]).encode()
        hdrs.append(("Content-Type", "application/json"))
    elif "body_b64" in a:
        body = base64.b64decode(a["body_b64"])
    elif "body_size" in a:
        body = b"x" * int(a["body_size"])
    else:
        body = a.get("body", "").encode()
    if a.get("gzip"):
        body = gzip.compress(body)
        hdrs.append(("Content-Encoding", "gzip"))
    elif a.get("garbage_gzip"):
        body = body or b"this is not gzip at all, not even close\n"
        hdrs.append(("Content-Encoding", "gzip"))
    close = bool(a.get("close"))
    if close:
        hdrs.append(("Connection", "close"))
    if a.get("chunked"):
        hdrs.append(("Transfer-Encoding", "chunked"))
        body = (b"%x\r\n" % len(body) + body + b"\r\n" if body else b"") + b"0\r\n\r\n"
    elif status not in (204, 304) and not (100 <= status < 200):
        hdrs.append(("Content-Length", str(len(body))))
    head = "HTTP/1.1 %d %s\r\n" % (status, reason)
    head += "".join("%s: %s\r\n" % (k, v) for k, v in hdrs) + "\r\n"
    return head.encode("latin-1"), body, close


def serve_conn(srv, sock, tls):
    cid = srv.conn_id()
    buf = b""
    try:
        if tls:
            sock = tls.wrap_socket(sock, server_side=True)
        while True:
            req, buf = read_request(sock, buf)
            if req is None:
                return
            req["conn"] = cid
            a = srv.take(req)
            if a.get("delay"):
                time.sleep(float(a["delay"]))
            if a.get("drop"):
                return
            head, body, close = answer_bytes(a)
            if "drop_mid_body" in a:
                sock.sendall(head + body[:int(a["drop_mid_body"])])
                return
            if req["method"] == "HEAD":
                body = b""
            trickle = a.get("trickle")
            if trickle:
                sock.sendall(head)
                step, pause = int(trickle[0]), float(trickle[1])
                for i in range(0, len(body), step):
                    time.sleep(pause)
                    sock.sendall(body[i:i + step])
            else:
                sock.sendall(head + body)
            if close:
                return
    except (ConnectionError, BrokenPipeError, OSError, ssl.SSLError):
        return
    finally:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--script", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    opts = ap.parse_args()
    with open(opts.script) as f:
        script = json.load(f)
    if isinstance(script, dict):
        script = script.get("answers", [])
    log = open(opts.log, "a", encoding="utf-8")
    srv = Server(script, log)
    tls = None
    if opts.tls_cert:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(opts.tls_cert, opts.tls_key)
    # SIGTERM keeps its default action: a Python-level handler only runs in
    # the main thread, and the signal may land on a connection thread while
    # the main thread sleeps in accept().  The log is flushed line by line.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", opts.port))
    ls.listen(64)
    tmp = opts.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % ls.getsockname()[1])
    os.rename(tmp, opts.port_file)
    while True:
        sock, _ = ls.accept()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=serve_conn, args=(srv, sock, tls), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
