#!/usr/bin/python3
"""tests/sandbox/echo.py - the smallest sandbox: answers every request with a JSON
description of it.  It exercises common.py (faults, log, control endpoints) without
any system's protocol; tests of the base and of the HTTP client use it."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


class Echo:
    keep_alive = True

    def __init__(self, args):
        self.args = args

    def handle(self, req):
        return common.Response.json({"method": req.method, "path": req.path,
                                     "query": req.query, "n": req.n,
                                     "body": req.body.decode("utf-8", "replace")})


if __name__ == "__main__":
    sys.exit(common.main("echo", "echo sandbox", Echo))
