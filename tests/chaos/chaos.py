#!/usr/bin/python3
"""tests/chaos/chaos.py - the crash-and-fault campaign of the shipped flows
(make chaos; tests/chaos/README.md says how to read it and reproduce a
failure).

For each flow (a script of examples/scripts against its sandboxes) and each
trial: start the sandboxes on a copy of the flow's seeded databases
(--db-file, so they keep their data when killed), run the script once with
one chaos event chosen by the trial's seed, then run it again until it exits
0 (at most --resumes times), stop the sandboxes and compare every table of
their databases with the golden run's (the same flow without chaos): rows
lost, rows duplicated (there and not in the golden run), rows altered; and
the flow's directory: a receipt of the golden run missing, torn lines in
receipts, rejects or exported files, state files that are not JSON, leftover
temporary state files, locks still held, processes that never exit, a flow
that never gets back to status 0.

Usage: chaos.py [--seed N] [--flow F,...] [--trials N] [--trial I]
                [--kinds K,...] [--resumes N] [--keep DIR] [-v]
"""
import argparse
import datetime
import fcntl
import hashlib
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SANDBOX = os.path.join(TOP, "tests", "sandbox")
SCRIPTS = os.path.join(TOP, "examples", "scripts")
PYTHON = "/usr/bin/python3"
PROGRAMS = {"odoo-extract", "bng-extract", "nav-extract", "xform", "validate", "load",
            "reconcile"}

# ------------------------------------------------------------------ flows
# sandboxes: (id, kind, args); setup: shell run once on the seeded sandboxes
# before the template is kept (each trial starts from it); run: the flow's
# command, in sh, with $DIR its directory.  Profiles are named by the
# sandboxes' ids (ERPIPE_CONFIG); NAV and Odoo are also in the environment
# (NAV_*, ODOO_*) for the scripts that take "-".
NAV_ENV = {"NAV_USER": "admin", "NAV_PASSWORD": "NAVkey123",
           "NAV_COMPANY": "CRONUS International Ltd.",
           "ODOO_DB": "odoo", "ODOO_USER": "admin", "ODOO_PASSWORD": "admin"}
FLOWS = {
    "sync-partners": dict(
        sandboxes=[("src", "odoo", ["--partners", "2500"]), ("dst", "odoo", ["--partners", "0"])],
        run='"$S/sync-partners" src dst "$DIR"'),
    "order-to-cash": dict(
        sandboxes=[("odoo", "odoo", ["--currencies", "fresh"]),
                   ("bng", "bng", ["--records", "0", "--entity", "customers=6",
                                   "--entity", "products=10", "--entity", "sales_orders=10"])],
        setup='"$S/order-to-cash-setup" bng odoo >/dev/null',
        run='"$S/order-to-cash" bng odoo "$DIR"'),
    "people-and-leads": dict(
        sandboxes=[("odoo", "odoo", []),
                   ("bng", "bng", ["--records", "0", "--entity", "employees=8"])],
        # Odoo has the departments BNG's employees name (the map makes none)
        setup="printf '{\"name\":\"%s\"}\\n' Sales Warehouse Finance Support IT |"
              " load -q -P odoo --op insert odoo hr.department -k name >/dev/null",
        run='"$S/people-and-leads" bng odoo "$DIR"'),
    "nav-odoo-partners": dict(
        sandboxes=[("nav", "nav", ["--records", "5"]), ("odoo", "odoo", ["--partners", "10"])],
        env=NAV_ENV, run='"$S/nav-odoo" partners - - "$DIR"'),
    "sync-masterdata": dict(
        sandboxes=[("odoo", "odoo", ["--partners", "10"]),
                   ("bng", "bng", ["--records", "0", "--entity", "customers=4",
                                   "--entity", "vendors=2"]),
                   ("nav", "nav", ["--records", "3"])],
        run='"$S/sync-masterdata" odoo bng nav "$DIR"'),
    "nav-odoo-orders": dict(
        sandboxes=[("nav", "nav", ["--records", "5"]), ("odoo", "odoo", ["--partners", "10"])],
        env=NAV_ENV, run='"$S/nav-odoo" orders - - "$DIR"'),
    "nav-sales": dict(
        sandboxes=[("nav", "nav", ["--records", "5"]), ("odoo", "odoo", ["--partners", "10"])],
        # NAV's user releases its first sales invoice
        setup="curl -sfS -X POST -H 'Content-Type: application/json' --data-binary "
              "'{\"set\":\"SalesInvoice\",\"key\":{\"Document_Type\":\"Invoice\","
              "\"No\":\"S-INV102001\"},\"values\":{\"Status\":\"Released\"}}' "
              "\"${NAV_URL%/BC/ODataV4}/__sandbox/nav/edit\" >/dev/null",
        env=NAV_ENV, run='"$S/nav-sales" - - "$DIR"'),
    "procure-to-pay": dict(
        sandboxes=[("odoo", "odoo", ["--partners", "10"]),
                   ("bng", "bng", ["--records", "0", "--entity", "vendors=2"]),
                   ("nav", "nav", ["--records", "2"])],
        # an Odoo vendor with two confirmed orders (to BNG and NAV), and two
        # purchase orders of BNG's own (into Odoo, confirmed there)
        setup="printf '{\"name\":\"TX Supplies Ltd\",\"is_company\":true,\"ref\":\"TXS\"}\\n' |"
              " load -q -P odoo --op insert odoo res.partner -k ref >/dev/null &&"
              " for i in 1 2; do printf '{\"partner_ref\":\"TX-%s\",\"partner_id\":"
              "{\"match\":{\"ref\":\"TXS\"}},\"order_line\":[{\"product_id\":5,"
              "\"product_qty\":%s,\"price_unit\":40}]}\\n' $i $((i * 4)); done |"
              " load -q -P odoo odoo purchase.order -k partner_ref --then button_confirm >/dev/null &&"
              " for i in 1 2; do printf '{\"OrderNo\":\"BPO-%s\",\"VendorID\":%s,"
              "\"OrderedAt\":\"2026-12-0%sT10:00:00.000Z\",\"Currency\":\"USD\","
              "\"Status\":\"Confirmed\",\"LineItems\":[{\"Sku\":\"FURN_8888\","
              "\"Quantity\":%s,\"UnitCost\":100}]}\\n' $i $i $i $((i + 2)); done |"
              " load -q -P bng --op create bng purchase_orders >/dev/null",
        run='"$S/procure-to-pay" bng odoo nav "$DIR"'),
    "fulfilment": dict(
        sandboxes=[("odoo", "odoo", ["--currencies", "fresh"]),
                   ("bng", "bng", ["--records", "0", "--entity", "customers=6",
                                   "--entity", "products=10", "--entity", "sales_orders=10"])],
        # BNG's orders in Odoo (order-to-cash), then BNG ships three of them
        setup='"$S/order-to-cash-setup" bng odoo >/dev/null &&'
              ' "$S/order-to-cash" bng odoo "$HOME/o2c" >/dev/null &&'
              " for i in 1 2 3; do printf '{\"_key\":{\"SalesOrderID\":%s},"
              "\"FulfillmentStatus\":\"Fulfilled\"}\\n' $i; done |"
              " load -q -P bng --op update bng sales_orders >/dev/null",
        run='"$S/fulfilment" bng odoo "$DIR"'),
    "gl-feed": dict(
        sandboxes=[("odoo", "odoo", []),
                   ("bng", "bng", ["--records", "0", "--entity", "gl_entries=2"]),
                   ("nav", "nav", ["--records", "2"])],
        run='"$S/gl-feed" bng odoo nav "$DIR"'),
    "stock-count": dict(
        sandboxes=[("odoo", "odoo", ["--partners", "10"]), ("nav", "nav", ["--records", "2"]),
                   ("bng", "bng", ["--records", "0"])],
        env=NAV_ENV, run='"$S/stock-count" - - bng "$DIR"'),
}

KINDS = ["kill-stage", "kill-group", "kill-server", "fault-429", "fault-5xx", "fault-drop",
         "fault-malformed", "full-dev", "full-disk", "sig-stage"]

# columns a server sets from its clock (or a per-write counter): they differ
# between any two runs, so they are not compared
VOLATILE = {"create_date", "write_date", "_ver", "updated", "UpdatedAt", "CreatedAt",
            "SystemModifiedAt", "Last_Date_Modified", "Last_Modified_Date_Time",
            "lastModifiedDateTime", "date"}


def log(msg):
    sys.stdout.write(msg + "\n")
    sys.stdout.flush()


# --------------------------------------------------------------- sandboxes
class Sandbox:
    def __init__(self, sid, kind, args, home):
        self.id, self.kind, self.args, self.home = sid, kind, args, home
        self.db = os.path.join(home, sid + ".db")
        self.port = 0
        self.proc = None

    def start(self):
        pf = os.path.join(self.home, self.id + ".port")
        if os.path.exists(pf):
            os.unlink(pf)
        cmd = [PYTHON, os.path.join(SANDBOX, self.kind + ".py"), "--port", str(self.port),
               "--port-file", pf, "--db-file", self.db] + self.args
        err = open(os.path.join(self.home, self.id + ".err"), "ab")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=err, stderr=err,
                                     start_new_session=True)
        err.close()
        t = time.monotonic() + 120
        while not (os.path.exists(pf) and os.path.getsize(pf)):
            if self.proc.poll() is not None:
                if self.port:        # the port is still held: try again
                    time.sleep(0.2)
                    return self.start()
                raise RuntimeError("sandbox %s exited: see %s.err" % (self.id, self.id))
            if time.monotonic() > t:
                raise RuntimeError("sandbox %s not listening" % self.id)
            time.sleep(0.02)
        self.port = int(open(pf).read())

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def control(self, method, path, body=None):
        import urllib.request
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + "/__sandbox/" + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.read()


def profiles(home, sbs):
    """connections.conf naming each sandbox by its id; the secrets beside it."""
    pw = os.path.join(home, "odoo.pw")
    sec = os.path.join(home, "bng.secret")
    for f, v in ((pw, "admin\n"), (sec, "erpipe-secret\n")):
        with open(f, "w") as fh:
            fh.write(v)
        os.chmod(f, 0o600)
    out = []
    for sb in sbs:
        if sb.kind == "odoo":
            out.append("[%s]\nurl = %s\ndb = odoo\nuser = admin\npassword_file = %s\n"
                       % (sb.id, sb.url, pw))
        elif sb.kind == "bng":
            out.append("[%s]\nurl = %s/api/v1\nclient_id = erpipe\npassword_file = %s\n"
                       % (sb.id, sb.url, sec))
        elif sb.kind == "nav":
            npw = os.path.join(home, "nav.pw")
            with open(npw, "w") as fh:
                fh.write("NAVkey123\n")
            os.chmod(npw, 0o600)
            out.append("[%s]\nurl = %s/BC/ODataV4\nuser = admin\ncompany = %s\n"
                       "password_file = %s\n" % (sb.id, sb.url, NAV_ENV["NAV_COMPANY"], npw))
    conf = os.path.join(home, "conf")
    with open(conf, "w") as fh:
        fh.write("\n".join(out))
    os.chmod(conf, 0o600)
    return conf


def flow_env(flow, home, sbs, bindir):
    env = dict(os.environ)
    env.update(flow.get("env", {}))
    env.update(PATH=bindir + ":" + env.get("PATH", "/usr/bin:/bin"), LC_ALL="C",
               ERPIPE_CONFIG=profiles(home, sbs), XDG_CACHE_HOME=os.path.join(home, "cache"),
               HOME=home, S=SCRIPTS, DIR=os.path.join(home, "flow"))
    for sb in sbs if "env" in flow else ():     # the environment overrides profiles
        if sb.kind == "nav":
            env["NAV_URL"] = sb.url + "/BC/ODataV4"
        elif sb.kind == "odoo":
            env["ODOO_URL"] = sb.url
    return env


# --------------------------------------------------------------- processes
def session_procs(sid):
    """{pid: comm} of the processes of session sid."""
    out = {}
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % p) as fh:
                s = fh.read()
        except OSError:
            continue
        comm = s[s.index("(") + 1:s.rindex(")")]
        f = s[s.rindex(")") + 2:].split()
        if int(f[3]) == sid and f[0] != "Z":
            out[int(p)] = comm
    return out


def wait_session(sid, timeout):
    """True when no process of session sid is left within timeout."""
    t = time.monotonic() + timeout
    while session_procs(sid):
        if time.monotonic() > t:
            return False
        time.sleep(0.05)
    return True


def kill_session(sid):
    for pid in session_procs(sid):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


# ------------------------------------------------------------------- dumps
STAMP = re.compile(r"^(\d{4}-\d\d-\d\d)([ T]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?)?$")
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
T0 = time.time() - 86400


def clock(v):
    """a value a server took from its clock during the campaign -> "<clock>";
    the rest as it is (also inside a document)"""
    if isinstance(v, str):
        if GUID.match(v):                    # a server-made id (NAV SystemId)
            return "<guid>"
        m = STAMP.match(v)
        if m:
            try:
                t = datetime.datetime.fromisoformat(m.group(1) + (m.group(2) or "")[:20]
                                                    .replace("T", " ").rstrip("Z"))
                if t.timestamp() >= T0 - 86400:
                    return "<clock>"
            except (ValueError, OverflowError):
                return v
        return v
    if isinstance(v, dict):
        return {k: clock(x) for k, x in v.items() if k not in VOLATILE}
    if isinstance(v, list):
        return [clock(x) for x in v]
    return v


def dump(path):
    """{table: {key: values}} of an sqlite file, clock columns left out; a
    table without a primary key is keyed by its whole row (a count each)."""
    db = sqlite3.connect(path)
    out = {}
    for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                           "AND name NOT LIKE 'sqlite_%'"):
        info = db.execute('PRAGMA table_info("%s")' % t).fetchall()
        cols = [c[1] for c in info]
        pk = [c[1] for c in sorted(info, key=lambda c: c[5]) if c[5]]
        keep = [c for c in cols if c not in VOLATILE]
        rows = {}
        for r in db.execute('SELECT %s FROM "%s"' % (", ".join('"%s"' % c for c in cols), t)):
            d = dict(zip(cols, r))
            if isinstance(d.get("doc"), str):       # BNG: the record is a JSON document
                d["doc"] = json.dumps(clock(json.loads(d["doc"])), sort_keys=True)
            vals = tuple(clock(d[c]) for c in keep)
            if pk:
                rows[tuple(d[c] for c in pk)] = vals
            else:
                rows[vals] = rows.get(vals, 0) + 1
        out[t] = (bool(pk), rows)
    db.close()
    return out


def compare(golden, got):
    """-> (lost, duplicated, altered, examples)"""
    lost = dup = alt = 0
    ex = []
    for t in sorted(set(golden) | set(got)):
        haspk, g = golden.get(t, (True, {}))
        _, c = got.get(t, (haspk, {}))
        for k in set(g) | set(c):
            if haspk:
                if k not in c:
                    lost += 1
                    ex.append("lost %s %s" % (t, k))
                elif k not in g:
                    dup += 1
                    ex.append("extra %s %s %s" % (t, k, c[k]))
                elif g[k] != c[k]:
                    alt += 1
                    ex.append("altered %s %s %s -> %s" % (t, k, g[k], c[k]))
            else:
                n, m = g.get(k, 0), c.get(k, 0)
                if m < n:
                    lost += n - m
                    ex.append("lost %s %s" % (t, k))
                elif m > n:
                    dup += m - n
                    ex.append("extra %s %s" % (t, k))
    return lost, dup, alt, ex


def receipts(flowdir):
    """({(file, key)}, torn lines, rejects, exported rows) of a flow's directory."""
    keys, torn, rej, rows = set(), 0, 0, set()
    for sub in ("receipts", "rejects"):
        d = os.path.join(flowdir, sub)
        for f in sorted(os.listdir(d)) if os.path.isdir(d) else ():
            p = os.path.join(d, f)
            if not f.endswith(".ndjson") or not os.path.isfile(p):
                continue
            for line in open(p, "rb"):
                try:
                    r = json.loads(line)
                except ValueError:
                    torn += 1
                    continue
                if sub == "rejects":
                    rej += 1
                elif isinstance(r, dict) and "status" in r:
                    keys.add((f, json.dumps(r.get("key"), sort_keys=True)))
    d = os.path.join(flowdir, "crm", "out")
    for f in sorted(os.listdir(d)) if os.path.isdir(d) else ():
        if f.startswith("."):                  # not the CRM's yet
            continue
        lines = open(os.path.join(d, f), "rb").read().split(b"\n")
        if lines and lines[-1] != b"":
            torn += 1                          # a file cut in a row
        rows.update(ln for ln in lines[1:] if ln)
    return keys, torn, rej, rows


def state_faults(flowdir):
    """(state files not JSON, leftover temporary files, locks held)"""
    bad = tmp = held = 0
    for root, _, files in os.walk(flowdir):
        for f in files:
            p = os.path.join(root, f)
            # (an empty one: load's, before its first checkpoint)
            if root.endswith("state") and f.endswith(".json") and os.path.getsize(p):
                try:
                    if not isinstance(json.load(open(p)), dict):
                        bad += 1
                except ValueError:
                    bad += 1
            if ".json.tmp." in f:
                tmp += 1
            if f.endswith(".lock"):
                fd = os.open(p, os.O_RDONLY)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    held += 1
                os.close(fd)
    return bad, tmp, held


# ------------------------------------------------------------------ trials
class Campaign:
    def __init__(self, a):
        self.a = a
        self.bindir = os.path.join(TOP, a.build, "bin")
        self.root = a.keep or tempfile.mkdtemp(prefix="chaos.")
        os.makedirs(self.root, exist_ok=True)
        self.can_mount = self.try_mount()

    def try_mount(self):
        d = tempfile.mkdtemp(dir=self.root)
        ok = subprocess.call(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", d],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) == 0
        if ok:
            subprocess.call(["umount", d])
        os.rmdir(d)
        return ok

    # a trial's home: the flow's sandboxes on copies of the template
    def home(self, name, flow):
        h = os.path.join(self.root, name)
        shutil.rmtree(h, ignore_errors=True)
        os.makedirs(h)
        sbs = [Sandbox(i, k, args, h) for i, k, args in flow["sandboxes"]]
        tpl = os.path.join(self.root, "template-" + self.fname)
        for sb in sbs:
            if os.path.exists(tpl):
                shutil.copy(os.path.join(tpl, sb.id + ".db"), sb.db)
        return h, sbs

    def template(self, flow):
        tpl = os.path.join(self.root, "template-" + self.fname)
        if os.path.exists(os.path.join(tpl, "done")):
            return
        shutil.rmtree(tpl, ignore_errors=True)
        os.makedirs(tpl)
        sbs = [Sandbox(i, k, args, tpl) for i, k, args in flow["sandboxes"]]
        try:
            for sb in sbs:
                sb.start()
            if flow.get("setup"):
                env = flow_env(flow, tpl, sbs, self.bindir)
                if subprocess.call(["sh", "-c", flow["setup"]], env=env, cwd=tpl) != 0:
                    raise RuntimeError("%s: the setup failed" % self.fname)
        finally:
            for sb in sbs:
                sb.stop()
        open(os.path.join(tpl, "done"), "w").close()

    def run_flow(self, env, h, timeout=300, preexec=None):
        """(status, seconds) of one run of the flow's script."""
        out = open(os.path.join(h, "runs.log"), "ab")
        t0 = time.monotonic()
        p = subprocess.Popen(["sh", "-c", self.flow["run"]], env=env, cwd=h, stdout=out,
                             stderr=out, start_new_session=True, preexec_fn=preexec)
        try:
            st = p.wait(timeout)
        except subprocess.TimeoutExpired:
            kill_session(p.pid)
            st = p.wait()
        out.close()
        return st, time.monotonic() - t0

    def golden(self):
        """the golden run's tables, receipts and exported rows, and its time"""
        res = []
        for n in (1, 2):
            h, sbs = self.home("golden%d-%s" % (n, self.fname), self.flow)
            for sb in sbs:
                sb.start()
            env = flow_env(self.flow, h, sbs, self.bindir)
            st, secs = self.run_flow(env, h)
            for sb in sbs:
                sb.stop()
            if st != 0:
                raise RuntimeError("%s: the golden run exits %d (see %s/runs.log)"
                                   % (self.fname, st, h))
            keys, _, _, rows = receipts(env["DIR"])
            pages = sum((os.path.getsize(os.path.join(r, f)) + 4095) // 4096 + 1
                        for r, _, fs in os.walk(env["DIR"]) for f in fs)
            res.append(({sb.id: dump(sb.db) for sb in sbs}, keys, rows, secs, pages))
        d = [x for sb in self.flow["sandboxes"]
             for x in compare(res[0][0][sb[0]], res[1][0][sb[0]])[3]]
        if d:
            raise RuntimeError("%s: two clean runs differ, the comparison would lie:\n  %s"
                               % (self.fname, "\n  ".join(d[:10])))
        return res[0]

    def trial(self, i, tseed):
        rng = random.Random(tseed)
        kind = rng.choice(self.kinds)
        name = "trial-%s-%d" % (self.fname, i)
        h, sbs = self.home(name, self.flow)
        for sb in sbs:
            sb.start()
        env = flow_env(self.flow, h, sbs, self.bindir)
        flowdir = env["DIR"]
        an = dict(lost=0, duplicated=0, altered=0, receipts=0, torn=0, state=0, tmp=0,
                  locks=0, hung=0, stuck=0, rejects=0)
        detail = kind
        at = rng.uniform(0, self.gsecs * 0.9)
        mounted = False
        preexec = stdout = None
        if kind.startswith("fault-"):
            f = kind[6:]
            sb = rng.choice(sbs)
            rule = {"rate": round(rng.uniform(0.05, 0.25), 2)}
            if f == "429":
                rule["retry_after"] = rng.choice([0, 1])
            if f == "malformed":
                rule["mode"] = rng.choice(["truncate", "short", "garbage"])
            sb.control("POST", "faults", {f: rule, "seed": rng.randrange(1 << 30)})
            detail += " %s %s" % (sb.id, json.dumps(rule, sort_keys=True))
        elif kind == "full-dev":
            # /dev/full as a step's reject file, or as the script's own
            # standard output (a receipt file is not: the scripts read them
            # back, and /dev/full reads as endless zeros; full-disk fills them)
            steps = sorted({f for f, _ in self.gkeys}) or ["partners.ndjson"]
            f = rng.choice(steps + ["-"])
            if f == "-":
                stdout = "/dev/full"
                detail += " stdout"
            else:
                os.makedirs(os.path.join(flowdir, "rejects"), exist_ok=True)
                os.symlink("/dev/full", os.path.join(flowdir, "rejects", f))
                detail += " rejects/%s" % f
        elif kind == "full-disk":
            size = rng.randrange(1, self.gpages + 1) * 4096
            os.makedirs(flowdir)
            if self.can_mount:
                subprocess.check_call(["mount", "-t", "tmpfs", "-o", "size=%d" % size,
                                       "tmpfs", flowdir])
                mounted = True
                detail += " tmpfs %dk" % (size // 1024)
            else:
                def preexec(size=size):
                    import resource
                    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
                    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
                detail += " ulimit-f %dk" % (size // 1024)
        # the chaos run
        out = open(os.path.join(h, "runs.log"), "ab")
        so = open(stdout, "ab") if stdout else out
        p = subprocess.Popen(["sh", "-c", self.flow["run"]], env=env, cwd=h, stdout=so,
                             stderr=out, start_new_session=True, preexec_fn=preexec)
        out.close()
        so.close()
        if kind in ("kill-stage", "kill-group", "kill-server", "sig-stage"):
            time.sleep(at)
            detail += " at %.2fs" % at
            if kind == "kill-server":
                sb = rng.choice(sbs)
                down = rng.uniform(0, 2)
                if p.poll() is None:
                    sb.kill()
                    time.sleep(down)
                    sb.start()
                    detail += " %s down %.2fs" % (sb.id, down)
                else:
                    detail += " (the run had ended)"
            elif kind == "kill-group":
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except OSError:
                    detail += " (the run had ended)"
            else:
                sig = signal.SIGKILL if kind == "kill-stage" else rng.choice(
                    [signal.SIGTERM, signal.SIGINT, signal.SIGPIPE])
                hit = None
                t = time.monotonic() + 60
                while hit is None and time.monotonic() < t and p.poll() is None:
                    ps = session_procs(p.pid)
                    c = sorted(q for q, comm in ps.items() if comm in PROGRAMS)
                    if c:
                        hit = rng.choice(c)
                        try:
                            os.kill(hit, sig)
                            detail += " %s %s" % (signal.Signals(sig).name, ps[hit])
                        except OSError:
                            hit = None
                    else:
                        time.sleep(0.01)
                if hit is None:
                    detail += " (no stage running)"
        try:
            st = p.wait(300)
        except subprocess.TimeoutExpired:
            st = None
        if not wait_session(p.pid, 60):
            an["hung"] += 1
            kill_session(p.pid)
        detail += " -> %s" % st
        # disks freed, faults cleared
        if mounted:
            keep = os.path.join(h, "flow.keep")
            shutil.copytree(flowdir, keep, symlinks=True)
            subprocess.check_call(["umount", flowdir])
            shutil.rmtree(flowdir)
            shutil.move(keep, flowdir)
        if kind == "full-dev":
            d = os.path.join(flowdir, "rejects")
            for f in os.listdir(d) if os.path.isdir(d) else ():
                if os.path.islink(os.path.join(d, f)):
                    os.unlink(os.path.join(d, f))
        for sb in sbs:
            if sb.proc.poll() is not None:     # a kill-server restart that had not come back
                sb.start()
            sb.control("DELETE", "faults")
        # resume until it exits 0
        runs = 0
        while True:
            runs += 1
            st, _ = self.run_flow(env, h)
            if st == 0 or runs >= self.a.resumes:
                break
        if st != 0:
            an["stuck"] += 1
        detail += ", %d resume%s" % (runs, "" if runs == 1 else "s")
        for sb in sbs:
            sb.stop()
        if self.a.plant:
            plant(self.a.plant, sbs)
        ex = []
        for sb in sbs:
            lo, du, al, e = compare(self.gdump[sb.id], dump(sb.db))
            an["lost"] += lo
            an["duplicated"] += du
            an["altered"] += al
            ex += ["%s: %s" % (sb.id, x) for x in e]
        keys, torn, rej, rows = receipts(flowdir)
        an["receipts"] = len(self.gkeys - keys)
        ex += ["receipt missing %s %s" % k for k in sorted(self.gkeys - keys)]
        an["torn"] = torn
        an["rejects"] = rej
        an["lost"] += len(self.grows - rows)
        an["altered"] += len(rows - self.grows)
        ex += ["export lost %r" % r for r in sorted(self.grows - rows)]
        ex += ["export altered %r" % r for r in sorted(rows - self.grows)]
        an["state"], an["tmp"], an["locks"] = state_faults(flowdir)
        bad = {k: v for k, v in an.items() if v}
        log("  %s trial %d seed %d: %s: %s" % (self.fname, i, tseed, detail,
                                                "ok" if not bad else "FAIL " + json.dumps(bad)))
        if bad:
            for x in ex[:8]:
                log("      " + x)
            log("      reproduce: make chaos SEED=%d FLOW=%s TRIAL=%d   (kept in %s)"
                % (self.a.seed, self.fname, i, h))
        elif not self.a.keep:
            shutil.rmtree(h, ignore_errors=True)
        return an

    def flow_campaign(self, fname):
        self.fname, self.flow = fname, FLOWS[fname]
        self.kinds = [k for k in self.a.kinds.split(",")] if self.a.kinds else KINDS
        self.template(self.flow)
        self.gdump, self.gkeys, self.grows, self.gsecs, self.gpages = self.golden()
        log("%s: golden run %.1fs, %d receipts" % (fname, self.gsecs, len(self.gkeys)))
        tot = dict(trials=0)
        trials = [self.a.trial] if self.a.trial is not None else range(self.a.trials)
        for i in trials:
            tseed = trial_seed(self.a.seed, fname, i)
            an = self.trial(i, tseed)
            tot["trials"] += 1
            for k, v in an.items():
                tot[k] = tot.get(k, 0) + v
        return tot


def trial_seed(seed, fname, i):
    return int(hashlib.sha256(("%d:%s:%d" % (seed, fname, i)).encode()).hexdigest()[:12], 16)


def plant(what, sbs):
    """--plant: damage the target after the trial, to prove the comparison sees it"""
    db = sqlite3.connect(sbs[-1].db)
    t = {"odoo": "res_partner", "nav": "Customer", "bng": "customers"}[sbs[-1].kind]
    key = "rowid"
    if what == "lost":
        db.execute('DELETE FROM "%s" WHERE %s = (SELECT MAX(%s) FROM "%s")' % (t, key, key, t))
    elif what == "altered":
        col = {"odoo": "name", "nav": "Name", "bng": "doc"}[sbs[-1].kind]
        db.execute('UPDATE "%s" SET "%s" = \'{"x":1}\' WHERE %s = (SELECT MAX(%s) FROM "%s")'
                   % (t, col, key, key, t))
    db.commit()
    db.close()


COLS = ["trials", "lost", "duplicated", "altered", "receipts", "torn", "state", "tmp", "locks",
        "hung", "stuck", "rejects"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--flow", default=",".join(FLOWS))
    ap.add_argument("--trials", type=int, default=100)
    ap.add_argument("--trial", type=int, default=None, help="only this trial (reproduce one)")
    ap.add_argument("--kinds", default="", help="comma-separated: " + ",".join(KINDS))
    ap.add_argument("--resumes", type=int, default=6)
    ap.add_argument("--keep", help="work here and keep every trial's directory")
    ap.add_argument("--build", default=os.environ.get("B", "build"))
    ap.add_argument("--plant", choices=["lost", "altered"], help=argparse.SUPPRESS)
    a = ap.parse_args()
    # full disks on a tmpfs need a mount namespace of our own (root): the
    # mounts go with it, whatever happens to this process
    if (os.geteuid() == 0 and not os.environ.get("CHAOS_NS") and shutil.which("unshare")
            and subprocess.call(["unshare", "-m", "true"], stderr=subprocess.DEVNULL) == 0):
        os.environ["CHAOS_NS"] = "1"
        os.execvp("unshare", ["unshare", "-m", "--propagation", "private", sys.executable]
                  + sys.argv)
    if a.seed is None:
        a.seed = int.from_bytes(os.urandom(4), "big")
    for f in a.flow.split(","):
        if f not in FLOWS:
            ap.error("unknown flow '%s' (%s)" % (f, ", ".join(FLOWS)))
    for k in filter(None, a.kinds.split(",")):
        if k not in KINDS:
            ap.error("unknown kind '%s' (%s)" % (k, ", ".join(KINDS)))
    c = Campaign(a)
    log("chaos: seed %d, flows %s, %s trials each, kinds %s, %s; in %s"
        % (a.seed, a.flow, a.trials if a.trial is None else "trial %d of" % a.trial,
           a.kinds or "all", "full-disk on a tmpfs" if c.can_mount
           else "full-disk by ulimit -f (no tmpfs mount here)", c.root))
    rows = []
    for f in a.flow.split(","):
        rows.append((f, c.flow_campaign(f)))
    w = max(len(f) for f, _ in rows)
    log("")
    log("%-*s  %s" % (w, "flow", "  ".join("%6s" % k[:6] for k in COLS)))
    for f, t in rows:
        log("%-*s  %s" % (w, f, "  ".join("%6d" % t.get(k, 0) for k in COLS)))
    bad = any(t.get(k) for _, t in rows for k in COLS[1:] if k != "rejects")
    log("chaos: seed %d: %s" % (a.seed, "FAILED" if bad else "ok"))
    if not bad and not a.keep:
        shutil.rmtree(c.root, ignore_errors=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
