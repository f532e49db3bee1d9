"""tests/sandbox/odoo_orm.py - a small Odoo ORM over sqlite3 for the Odoo sandbox.

Orm.call(model, method, args, kwargs, uid, context) runs one RPC method in one
transaction (rolled back on error, as Odoo does) and returns the value Odoo would
return.  Errors are OdooError subclasses named as Odoo names them."""

import base64
import datetime
import re
import sqlite3
from decimal import ROUND_HALF_UP, Decimal

from odoo_schema import MODELS


# ------------------------------------------------------------------ errors

class OdooError(Exception):
    name = "odoo.exceptions.UserError"
    extra_args = ()

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class UserError(OdooError):
    name = "odoo.exceptions.UserError"


class ValidationError(UserError):
    name = "odoo.exceptions.ValidationError"


class MissingError(UserError):
    name = "odoo.exceptions.MissingError"


class AccessError(UserError):
    name = "odoo.exceptions.AccessError"


class AccessDenied(OdooError):
    name = "odoo.exceptions.AccessDenied"

    def __init__(self, message="Access Denied"):
        super().__init__(message)


class PyError(OdooError):
    """A Python exception escaping the ORM (builtins.ValueError, TypeError...)."""

    def __init__(self, pyname, message):
        super().__init__(message)
        self.name = pyname


def ValueErr(msg):
    return PyError("builtins.ValueError", msg)


def TypeErr(msg):
    return PyError("builtins.TypeError", msg)


class HttpError(OdooError):
    """werkzeug.exceptions.*: arguments carry the status too."""

    def __init__(self, status, cls, message):
        super().__init__(message)
        self.status = status
        self.name = "werkzeug.exceptions." + cls
        self.extra_args = (status,)


# ------------------------------------------------------------------ helpers

OPERATORS = ("=", "!=", "<>", "<", ">", "<=", ">=", "=?", "in", "not in", "like",
             "not like", "ilike", "not ilike", "=like", "=ilike", "child_of", "parent_of",
             "any", "not any")
NUMERIC = ("integer", "float", "monetary", "many2one_reference")
TWO = Decimal("0.01")


def money(x):
    return float(Decimal(repr(float(x or 0))).quantize(TWO, rounding=ROUND_HALF_UP))


def pyrepr(v):
    """repr() as Odoo's Python would show a JSON value (true -> True...)."""
    if isinstance(v, list):
        return "[" + ", ".join(pyrepr(x) for x in v) + "]"
    if isinstance(v, tuple):
        return "(" + ", ".join(pyrepr(x) for x in v) + ("," if len(v) == 1 else "") + ")"
    if v is None:
        return "None"
    return repr(v)


def ids_repr(model, ids):
    return "%s(%s)" % (model, ", ".join(str(i) for i in ids) + ("," if len(ids) == 1 else ""))


def as_ids(v):
    if v is False or v is None:
        return []
    if isinstance(v, bool):
        raise ValueErr("Invalid ids %r" % v)
    if isinstance(v, int):
        return [v]
    if isinstance(v, (list, tuple)):
        out = []
        for x in v:
            if isinstance(x, bool) or not isinstance(x, int):
                raise ValueErr("Invalid ids %s" % pyrepr(v))
            out.append(x)
        return out
    raise ValueErr("Invalid ids %s" % pyrepr(v))


def chunks(seq, n=5000):
    for i in range(0, len(seq), n):
        yield seq[i:i + n]


# Method signatures: (name, [(param, default or REQUIRED)], takes ids)
REQ = object()
SIGNATURES = {
    "search": ([("domain", REQ), ("offset", 0), ("limit", None), ("order", None)], False),
    "search_read": ([("domain", None), ("fields", None), ("offset", 0), ("limit", None),
                     ("order", None)], False),
    "search_count": ([("domain", REQ), ("limit", None)], False),
    "read": ([("fields", None), ("load", "_classic_read")], True),
    "fields_get": ([("allfields", None), ("attributes", None)], False),
    "create": ([("vals_list", REQ)], False),
    "write": ([("vals", REQ)], True),
    "unlink": ([], True),
    "name_search": ([("name", ""), ("domain", None), ("operator", "ilike"), ("limit", 100)],
                    False),
    "load": ([("fields", REQ), ("data", REQ)], False),
    "export_data": ([("fields_to_export", REQ)], True),
    "default_get": ([("fields_list", REQ)], False),
    "exists": ([], True),
}
ACTIONS = {
    "sale.order": ("action_confirm", "action_cancel", "action_draft", "action_quotation_sent"),
    "account.move": ("action_post", "button_draft", "button_cancel"),
    "account.payment": ("action_post",),
    "sale.advance.payment.inv": ("create_invoices",),
    "purchase.order": ("button_confirm", "button_cancel", "button_draft"),
    "stock.picking": ("action_confirm", "action_assign", "button_validate", "action_cancel"),
    "crm.lead": ("action_set_won", "action_set_lost"),
}
for _m in ACTIONS.values():
    for _a in _m:
        SIGNATURES.setdefault(_a, ([], True))


def bind_args(model, method, args, kwargs):
    """Positional + keyword arguments -> (ids, {param: value}); TypeError as Python
    words it (Odoo lets it escape as builtins.TypeError)."""
    params, takes_ids = SIGNATURES[method]
    args = list(args or [])
    kwargs = dict(kwargs or {})
    kwargs.pop("context", None)
    ids = None
    qual = "BaseModel.%s()" % method
    if method == "search_read":
        qual = "BaseModel._read_format()"   # Odoo passes unknown kwargs on to it
    if takes_ids:
        if "ids" in kwargs:
            ids = kwargs.pop("ids")
        elif args:
            ids = args.pop(0)
        else:
            ids = []
        ids = as_ids(ids)
    names = [p for p, _ in params]
    if len(args) > len(params):
        raise TypeErr("%s takes %d positional arguments but %d were given"
                      % (qual, len(params) + 1, len(args) + 1))
    bound = {}
    for (p, d), v in zip(params, args):
        bound[p] = v
    for k, v in kwargs.items():
        if k not in names:
            raise TypeErr("%s got an unexpected keyword argument '%s'" % (qual, k))
        if k in bound:
            raise TypeErr("%s got multiple values for argument '%s'" % (qual, k))
        bound[k] = v
    missing = [p for p, d in params if d is REQ and p not in bound]
    if missing:
        raise TypeErr("%s missing %d required positional argument%s: %s"
                      % (qual, len(missing), "s" if len(missing) > 1 else "",
                         " and ".join("'%s'" % m for m in missing)))
    for p, d in params:
        if p not in bound:
            bound[p] = d
    return ids, bound


# ------------------------------------------------------------------ the ORM

class Orm:
    def __init__(self, db):
        self.db = db
        self.models = MODELS
        self.now = "1970-01-01 00:00:00"   # transaction time, set per call
        self.uid = 2
        self.refs = {}                     # model -> [(model, field)] m2o pointing at it
        for m in MODELS.values():
            for f in m.fields.values():
                if f.type == "many2one" and f.stored:
                    self.refs.setdefault(f.relation, []).append((m, f))
        self._seq = {}

    # -------------------------------------------------------------- schema
    def create_schema(self, tables=True):
        """The connection's settings, and the tables unless tables is False
        (a --db-file that already holds them)."""
        db = self.db
        db.execute("PRAGMA case_sensitive_like=ON")
        db.create_function("lower", 1, lambda s: s.lower() if isinstance(s, str) else s,
                           deterministic=True)
        if not tables:
            return
        for m in MODELS.values():
            cols = ["id INTEGER PRIMARY KEY AUTOINCREMENT"]
            for f in m.columns():
                t = {"integer": "INTEGER", "many2one": "INTEGER", "boolean": "INTEGER",
                     "float": "REAL", "monetary": "REAL",
                     "many2one_reference": "INTEGER"}.get(f.type, "TEXT")
                cols.append('"%s" %s' % (f.name, t))
            db.execute('CREATE TABLE "%s" (%s)' % (m.table, ", ".join(cols)))
            for f in m.columns():
                if f.index or (f.type == "many2one" and f.ondelete == "cascade"):
                    db.execute('CREATE INDEX "%s__%s" ON "%s" ("%s")'
                               % (m.table, f.name, m.table, f.name))
            db.execute('CREATE INDEX "%s__wd" ON "%s" (write_date, id)' % (m.table, m.table))
            if m.has_active:
                db.execute('CREATE INDEX "%s__active" ON "%s" (active, id)' % (m.table, m.table))
            for f in m.fields.values():
                if f.type == "many2many":
                    rt = self.rel_table(m, f)
                    db.execute('CREATE TABLE "%s" (id1 INTEGER, id2 INTEGER, '
                               'PRIMARY KEY (id1, id2))' % rt)
                    db.execute('CREATE INDEX "%s__id2" ON "%s" (id2)' % (rt, rt))
        db.execute("CREATE UNIQUE INDEX ir_model_data_module_name_uniq_index ON ir_model_data "
                   "(module, name)")
        db.execute("CREATE INDEX imd_res ON ir_model_data (model, res_id)")

    @staticmethod
    def rel_table(m, f):
        return "%s__%s" % (m.table, f.name)

    def model(self, name):
        m = self.models.get(name)
        if m is None:
            raise UserError("Object %s doesn't exist" % name)
        return m

    # -------------------------------------------------------------- dispatch
    def call(self, model_name, method, args, kwargs, uid, context, now):
        """-> result; runs in one transaction."""
        m = self.model(model_name)
        if method.startswith("_"):
            raise AccessError("Private methods (such as '%s.%s') cannot be called remotely."
                              % (model_name, method))
        if method not in SIGNATURES or (method in sum(ACTIONS.values(), ())
                                        and method not in ACTIONS.get(model_name, ())):
            raise PyError("builtins.AttributeError", "The method '%s.%s' does not exist"
                          % (model_name, method))
        ids, kw = bind_args(m, method, args, kwargs)
        self.uid = uid
        self.now = now
        self.context = context if isinstance(context, dict) else {}
        db = self.db
        db.execute("BEGIN")
        try:
            fn = getattr(self, "m_" + method, None)
            if fn is None:
                res = self.action(m, method, ids)
            elif ids is not None:
                res = fn(m, ids, **kw)
            else:
                res = fn(m, **kw)
            if isinstance(res, Rollback):
                db.execute("ROLLBACK")
                return res.value
            self.flush()
            db.execute("COMMIT")
            return res
        except sqlite3.IntegrityError as e:
            # Odoo turns a unique violation into a ValidationError
            # (odoo.service.model: the operation cannot be completed)
            db.execute("ROLLBACK")
            idx = str(e).split(":", 1)[-1].strip()
            raise ValidationError("The operation cannot be completed: duplicate key value "
                                  "violates unique constraint \"%s\"" % (
                                      "ir_model_data_module_name_uniq_index"
                                      if idx == "ir_model_data.module, ir_model_data.name"
                                      else idx))
        except BaseException:
            db.execute("ROLLBACK")
            raise

    # -------------------------------------------------------------- domains
    def where(self, m, domain, alias="t"):
        if domain is None or domain is False:
            domain = []
        if not isinstance(domain, (list, tuple)):
            raise ValueErr("Invalid domain: %s" % pyrepr(domain))
        items = list(domain)
        pos = 0
        params = []

        def parse():
            nonlocal pos
            if pos >= len(items):
                raise ValueErr("Domain %s syntax error: missing argument" % pyrepr(domain))
            tok = items[pos]
            pos += 1
            if tok in ("&", "|"):
                a = parse()
                b = parse()
                return "(%s %s %s)" % (a, "AND" if tok == "&" else "OR", b)
            if tok == "!":
                return "(NOT COALESCE(%s, 0))" % parse()
            if isinstance(tok, (list, tuple)) and len(tok) == 3:
                return self.leaf(m, tok, alias, params)
            raise ValueErr("Invalid leaf %s" % pyrepr(tok))

        terms = []
        while pos < len(items):
            terms.append(parse())
        return (" AND ".join(terms) if terms else "1=1"), params

    def flush(self):
        """Recomputations Odoo does at the end of a call (see odoo_biz)."""

    @staticmethod
    def mentions_active(domain):
        for it in domain or []:
            if isinstance(it, (list, tuple)) and len(it) == 3 and isinstance(it[0], str) \
                    and it[0].split(".")[0] == "active":
                return True
        return False

    def leaf(self, m, leaf, a, params):
        path, op, value = leaf
        cond = pyrepr(tuple(leaf))
        if path in (0, 1) and not isinstance(path, bool) and op == "=" and value == 1:
            return "1=1" if path == 1 else "0=1"
        if not isinstance(path, str) or not isinstance(op, str):
            raise ValueErr("Invalid leaf %s" % cond)
        op = op.lower()
        if op == "<>":
            op = "!="
        if op not in OPERATORS:
            raise ValueErr("Invalid operator %r in condition %s" % (op, cond))
        parts = path.split(".")
        f = m.fields.get(parts[0])
        if f is None:
            raise ValueErr("Invalid field %s.%s in condition %s" % (m.name, parts[0], cond))
        col = '%s."%s"' % (a, f.name)
        sub_alias = a + "x"
        if len(parts) > 1 or op in ("any", "not any"):
            if f.relation is None:
                raise ValueErr("Invalid field %s.%s in condition %s" % (m.name, path, cond))
            cm = self.models.get(f.relation)
            if cm is None:
                return "0=1"
            if len(parts) > 1:
                sub_w = self.leaf(cm, [".".join(parts[1:]), op, value], sub_alias, params)
                neg = False
            else:
                sub_w, sp = self.where(cm, value, sub_alias)
                params.extend(sp)
                neg = op == "not any"
            sub = 'SELECT %s.id FROM "%s" %s WHERE %s' % (sub_alias, cm.table, sub_alias, sub_w)
            return ("NOT " if neg else "") + self.rel_in(m, f, a, sub)
        if f.name == "display_name":
            expr, joins = self.display_expr(m, sub_alias)
            if joins:
                sw = self.scalar(expr, "char", op, value, params)
                return '%s.id IN (SELECT %s.id FROM "%s" %s %s WHERE %s)' % (
                    a, sub_alias, m.table, sub_alias, joins, sw)
            return self.scalar(self.display_expr(m, a)[0], "char", op, value, params)
        if op in ("child_of", "parent_of"):
            hm = self.models[f.relation] if f.relation else m
            if not hm.parent:
                raise ValueErr("Invalid operator %s on %s" % (op, cond))
            ids = as_ids(value) if not isinstance(value, str) else \
                [r[0] for r in self.db.execute(
                    'SELECT id FROM "%s" WHERE name = ?' % hm.table, (value,))]
            ph = ",".join("?" * len(ids)) or "NULL"
            params.extend(ids)
            pf = hm.parent
            if op == "child_of":
                rec = ('WITH RECURSIVE h(id) AS (SELECT id FROM "%s" WHERE id IN (%s) '
                       'UNION SELECT c.id FROM "%s" c JOIN h ON c."%s" = h.id) SELECT id FROM h'
                       % (hm.table, ph, hm.table, pf))
            else:
                rec = ('WITH RECURSIVE h(id, p) AS (SELECT id, "%s" FROM "%s" WHERE id IN (%s) '
                       'UNION SELECT c.id, c."%s" FROM "%s" c JOIN h ON c.id = h.p) '
                       'SELECT id FROM h' % (pf, hm.table, ph, pf, hm.table))
            if f.relation and f.name != "id":
                return self.rel_in(m, f, a, rec)
            return "%s IN (%s)" % (col, rec)
        if f.type == "many2one":
            if isinstance(value, str) or (isinstance(value, list) and value
                                          and all(isinstance(v, str) for v in value)):
                # name search on the comodel
                cm = self.models.get(f.relation)
                expr, joins = self.display_expr(cm, sub_alias)
                pos_op = {"!=": "=", "not in": "in", "not like": "like",
                          "not ilike": "ilike"}.get(op, op)
                sw = self.scalar(expr, "char", pos_op, value, params)
                sub = 'SELECT %s.id FROM "%s" %s %s WHERE %s' % (sub_alias, cm.table,
                                                                sub_alias, joins, sw)
                if pos_op != op:
                    return "(%s NOT IN (%s) OR %s IS NULL)" % (col, sub, col)
                return "%s IN (%s)" % (col, sub)
            return self.scalar(col, "many2one", op, value, params)
        if f.type in ("one2many", "many2many"):
            cm = self.models.get(f.relation)
            if isinstance(value, str) or (isinstance(value, list) and value
                                          and all(isinstance(v, str) for v in value)):
                expr, joins = self.display_expr(cm, sub_alias)
                pos_op = {"!=": "=", "not in": "in", "not like": "like",
                          "not ilike": "ilike"}.get(op, op)
                sw = self.scalar(expr, "char", pos_op, value, params)
                sub = 'SELECT %s.id FROM "%s" %s %s WHERE %s' % (sub_alias, cm.table,
                                                                sub_alias, joins, sw)
                return ("NOT " if pos_op != op else "") + self.rel_in(m, f, a, sub)
            if value is False or value is None or value == []:
                anyrel = self.rel_in(m, f, a, None)
                if op in ("=", "in"):
                    return "NOT " + anyrel
                if op in ("!=", "not in"):
                    return anyrel
            vals = as_ids(value)
            ph = ",".join("?" * len(vals)) or "NULL"
            params.extend(vals)
            expr = self.rel_in(m, f, a, "__IDS__").replace("IN (__IDS__)", "IN (%s)" % ph)
            if op in ("=", "in"):
                return expr
            if op in ("!=", "not in"):
                return "NOT " + expr
            raise ValueErr("Invalid operator %r for a %s field in %s" % (op, f.type, cond))
        if f.type == "boolean":
            if op in ("=", "!="):
                truth = bool(value)
                if op == "!=":
                    truth = not truth
                return "%s = 1" % col if truth else "(%s IS NULL OR %s = 0)" % (col, col)
            if op in ("in", "not in"):
                vs = {bool(v) for v in (value if isinstance(value, list) else [value])}
                if op == "not in":
                    vs = {True, False} - vs
                if vs == {True, False}:
                    return "1=1"
                if not vs:
                    return "0=1"
                return "%s = 1" % col if True in vs else "(%s IS NULL OR %s = 0)" % (col, col)
        return self.scalar(col, f.type, op, value, params)

    def rel_in(self, m, f, a, sub):
        """SQL: record a's relational field f points into (sub) (any, if sub is None)."""
        if f.type == "many2one":
            if sub is None:
                return '%s."%s" IS NOT NULL' % (a, f.name)
            return '%s."%s" IN (%s)' % (a, f.name, sub)
        if f.type == "one2many":
            cm = self.models[f.relation]
            if sub is None:
                return '%s.id IN (SELECT "%s" FROM "%s" WHERE "%s" IS NOT NULL)' % (
                    a, f.inverse, cm.table, f.inverse)
            return '%s.id IN (SELECT "%s" FROM "%s" WHERE id IN (%s))' % (
                a, f.inverse, cm.table, sub)
        if f.type == "many2many":
            rt = self.rel_table(m, f)
            if sub is None:
                return '%s.id IN (SELECT id1 FROM "%s")' % (a, rt)
            return '%s.id IN (SELECT id1 FROM "%s" WHERE id2 IN (%s))' % (a, rt, sub)
        raise ValueErr("Field %s is not relational" % f.name)

    def scalar(self, col, ftype, op, value, params):
        if isinstance(value, bool) and ftype != "boolean":
            if value is False and op in ("=", "!=", "in", "not in"):
                value = None if op in ("=", "!=") else value
            elif value is True and ftype in NUMERIC:
                value = 1
        if op == "=?":
            if value is None or value is False:
                return "1=1"
            op = "="
        if op in ("=", "!="):
            if value is None or value is False:
                return "%s IS %sNULL" % (col, "" if op == "=" else "NOT ")
            if isinstance(value, (list, dict)):
                raise ValueErr("Invalid value %s for operator %r" % (pyrepr(value), op))
            params.append(value)
            if op == "=":
                return "%s = ?" % col
            return "(%s != ? OR %s IS NULL)" % (col, col)
        if op in ("<", ">", "<=", ">="):
            if value is None or value is False:
                return "0=1"
            params.append(value)
            return "%s %s ?" % (col, op)
        if op in ("in", "not in"):
            vals = value if isinstance(value, (list, tuple)) else [value]
            has_null = any(v is False or v is None for v in vals)
            vals = [v for v in vals if not (v is False or v is None)]
            parts = []
            if vals:
                params.extend(vals)
                parts.append("%s IN (%s)" % (col, ",".join("?" * len(vals))))
            if has_null:
                parts.append("%s IS NULL" % col)
            pos = "(" + " OR ".join(parts) + ")" if parts else "0=1"
            if op == "in":
                return pos
            if has_null:
                return "NOT COALESCE(%s, 0)" % pos
            return "(NOT COALESCE(%s, 0) OR %s IS NULL)" % (pos, col) if parts else "1=1"
        if op in ("like", "not like", "ilike", "not ilike", "=like", "=ilike"):
            if value is False or value is None:
                value = ""
            pat = str(value)
            if op in ("like", "not like", "ilike", "not ilike"):
                pat = "%" + pat + "%"
            ci = "ilike" in op
            params.append(pat)
            e = ("lower(%s) LIKE lower(?)" if ci else "%s LIKE ?") % col
            if op.startswith("not"):
                return "(NOT COALESCE(%s, 0) OR %s IS NULL)" % (e, col)
            return e
        raise ValueErr("Invalid operator %r" % op)

    def display_expr(self, m, a):
        if m.display:
            expr, joins = m.display
            return expr.replace("t.", a + "."), joins.replace("t.", a + ".")
        if m.rec_name in m.fields and m.fields[m.rec_name].stored:
            return '%s."%s"' % (a, m.rec_name), ""
        return "'%s,' || %s.id" % (m.name, a), ""

    # -------------------------------------------------------------- search
    def order_sql(self, m, order):
        order = order or m.order
        terms, seen_id = [], False
        for part in str(order).split(","):
            words = part.split()
            if not words:
                continue
            fname = words[0]
            direction = (words[1] if len(words) > 1 else "asc").lower()
            if direction not in ("asc", "desc") or len(words) > 4:
                raise ValueErr("Invalid order %r" % order)
            nulls = "NULLS LAST" if direction == "asc" else "NULLS FIRST"
            if len(words) == 4 and words[2].lower() == "nulls":
                nulls = "NULLS " + words[3].upper()
            f = m.fields.get(fname)
            if f is None or not (f.stored or fname == "display_name"):
                raise ValueErr("Invalid field %r on model %r" % (fname, m.name))
            if fname == "display_name":
                ex = self.display_expr(m, "t")
                col = ex[0] if not ex[1] else 't."%s"' % ("name" if "name" in m.fields
                                                          else "id")
            else:
                col = 't."%s"' % fname
            if fname == "id":
                seen_id = True
            terms.append("%s %s %s" % (col, direction.upper(), nulls))
        if not seen_id:
            terms.append("t.id")
        return ", ".join(terms)

    def search_sql(self, m, domain, select="t.id"):
        w, params = self.where(m, domain)
        if m.has_active and self.context.get("active_test", True) \
                and not self.mentions_active(domain):
            w = "(%s) AND t.active = 1" % w
        return 'SELECT %s FROM "%s" t WHERE %s' % (select, m.table, w), params

    def m_search(self, m, domain, offset=0, limit=None, order=None):
        sql, params = self.search_sql(m, domain)
        sql += " ORDER BY " + self.order_sql(m, order)
        sql += " LIMIT ? OFFSET ?"
        params += [int(limit) if limit not in (None, False) else -1, int(offset or 0)]
        return [r[0] for r in self.db.execute(sql, params)]

    def m_search_count(self, m, domain, limit=None):
        sql, params = self.search_sql(m, domain, "1")
        if limit not in (None, False):
            sql += " LIMIT %d" % int(limit)
        return self.db.execute("SELECT COUNT(*) FROM (%s)" % sql, params).fetchone()[0]

    def m_search_read(self, m, domain=None, fields=None, offset=0, limit=None, order=None):
        ids = self.m_search(m, domain or [], offset, limit, order)
        return self.m_read(m, ids, fields) if ids else []

    def m_exists(self, m, ids):
        return self.existing(m, ids)

    def existing(self, m, ids):
        found = set()
        for ch in chunks(list(ids)):
            found.update(r[0] for r in self.db.execute(
                'SELECT id FROM "%s" WHERE id IN (%s)' % (m.table, ",".join("?" * len(ch))), ch))
        return [i for i in ids if i in found]

    # -------------------------------------------------------------- read
    def display_names(self, m, ids):
        ids = list(set(ids))
        out = {}
        expr, joins = self.display_expr(m, "t")
        for ch in chunks(ids):
            for i, n in self.db.execute('SELECT t.id, %s FROM "%s" t %s WHERE t.id IN (%s)'
                                        % (expr, m.table, joins, ",".join("?" * len(ch))), ch):
                out[i] = n if n is not None else False
        return out

    def check_fields(self, m, fields):
        for f in fields:
            if f not in m.fields:
                raise ValueErr("Invalid field %r on %r" % (f, m.name))

    def m_read(self, m, ids, fields=None, load="_classic_read"):
        if fields in (None, False, []):
            fields = list(m.fields)
        elif isinstance(fields, str):
            fields = [fields]
        self.check_fields(m, fields)
        fields = [f for f in fields if f != "id"]
        cols = [f for f in fields if m.fields[f].stored]
        pos = {c: k + 1 for k, c in enumerate(cols)}   # a row: (id, *cols)
        rows = {}
        sel = ", ".join(['t.id'] + ['t."%s"' % c for c in cols])
        for ch in chunks(ids):
            for r in self.db.execute('SELECT %s FROM "%s" t WHERE t.id IN (%s)'
                                     % (sel, m.table, ",".join("?" * len(ch))), ch):
                rows[r[0]] = r
        ids = [i for i in dict.fromkeys(ids) if i in rows]
        if not ids:
            return []
        extra = {}
        for fname in fields:
            f = m.fields[fname]
            if f.compute:
                vals = getattr(self, "c_" + f.compute)(m, ids)
                if f.type == "many2one":
                    cm = self.models.get(f.relation)
                    refs = [v for v in vals.values() if v]
                    names = self.display_names(cm, refs) if refs else {}
                    vals = {i: ([v, names.get(v, False)] if v else False)
                            for i, v in vals.items()}
                extra[fname] = vals
            elif f.type == "many2one" and f.stored:
                cm = self.models.get(f.relation)
                p = pos[fname]
                refs = [rows[i][p] for i in ids if rows[i][p]]
                extra[fname] = self.display_names(cm, refs) if cm and refs else {}
            elif f.type in ("one2many", "many2many"):
                extra[fname] = self.x2many_ids(m, f, ids)
            elif fname == "display_name":
                extra[fname] = self.display_names(m, ids)
        # one converter per field, chosen once: (row, id) -> value
        def conv(fname):
            f = m.fields[fname]
            t = f.type
            if f.compute:
                ex, empty = extra[fname], [] if t in ("one2many", "many2many") else False
                if load != "_classic_read" and t == "many2one":
                    def m2o_id(row, i):
                        v = ex.get(i, False)
                        return v[0] if v else v
                    return m2o_id
                return lambda row, i: ex.get(i, empty)
            if fname == "display_name":
                ex = extra[fname]
                return lambda row, i: ex.get(i, False)
            if t == "many2one":
                if not f.stored:
                    return lambda row, i: False
                ex, classic, p = extra[fname], load == "_classic_read", pos[fname]

                def m2o(row, i):
                    v = row[p]
                    if not v:
                        return False
                    name = ex.get(v)
                    if name is None:
                        return False
                    return [v, name] if classic else v
                return m2o
            if t in ("one2many", "many2many"):
                ex = extra[fname]
                return lambda row, i: ex.get(i, [])
            if not f.stored:
                return lambda row, i: False
            p = pos[fname]
            if t in ("integer", "many2one_reference"):
                return lambda row, i: int(row[p] or 0)
            if t in ("float", "monetary"):
                return lambda row, i: float(row[p] or 0.0)
            if t == "boolean":
                return lambda row, i: bool(row[p])
            return lambda row, i: row[p] if row[p] not in (None, "") else False
        names = ["id"] + fields
        convs = [conv(fname) for fname in fields]
        return [dict(zip(names, [i] + [c(row, i) for c in convs]))
                for i, row in ((i, rows[i]) for i in ids)]

    def x2many_ids(self, m, f, ids):
        cm = self.models[f.relation]
        res = {i: [] for i in ids}
        order = self.order_sql(cm, None)
        for ch in chunks(ids):
            ph = ",".join("?" * len(ch))
            if f.type == "one2many":
                act = " AND t.active = 1" if cm.has_active else ""
                if f.where:
                    act += " AND (%s)" % f.where
                q = 'SELECT t."%s", t.id FROM "%s" t WHERE t."%s" IN (%s)%s ORDER BY %s' % (
                    f.inverse, cm.table, f.inverse, ph, act, order)
            else:
                q = ('SELECT r.id1, t.id FROM "%s" r JOIN "%s" t ON t.id = r.id2 '
                     'WHERE r.id1 IN (%s) ORDER BY %s' % (self.rel_table(m, f), cm.table, ph,
                                                          order))
            for a, b in self.db.execute(q, ch):
                res[a].append(b)
        return res

    # -------------------------------------------------------------- fields_get
    def m_fields_get(self, m, allfields=None, attributes=None):
        out = {}
        for name, f in m.fields.items():
            if allfields and name not in allfields:
                continue
            d = {"name": name, "type": f.type, "string": f.string, "required": f.required,
                 "readonly": f.readonly, "store": not f.compute and (
                     f.stored or f.type in ("one2many", "many2many")),
                 "searchable": True, "sortable": f.stored, "exportable": True,
                 "manual": False, "company_dependent": False, "groups": None}
            if f.relation:
                d["relation"] = f.relation
                d["context"] = {}
                d["domain"] = []
            if f.type == "one2many":
                d["relation_field"] = f.inverse
            if f.selection is not None:
                d["selection"] = f.selection
            if f.type == "many2one_reference":
                d["model_field"] = "model"
            d.update(f.extra)
            if attributes:
                d = {k: v for k, v in d.items() if k in attributes}
            else:
                d = {k: v for k, v in d.items() if v is not None}
            out[name] = dict(sorted(d.items()))
        return out

    # -------------------------------------------------------------- write side
    def default_get(self, m, fields_list):
        out = {}
        for fname in fields_list:
            f = m.fields.get(fname)
            if f is not None and f.default is not None:
                out[fname] = f.default
        return out

    def m_default_get(self, m, fields_list):
        return self.default_get(m, fields_list)

    def convert(self, m, f, v, cmds):
        """Value written to field f -> column value; x2many commands go to cmds."""
        t = f.type
        if t in ("one2many", "many2many"):
            cmds.append((f, v))
            return None
        if v is None or v is False:
            if t == "boolean":
                return 0
            if t in ("integer", "float", "monetary"):
                return 0
            return None
        if t == "boolean":
            return 1 if v else 0
        if t in ("integer", "many2one_reference"):
            try:
                x = int(v)
            except (TypeError, ValueError):
                raise ValueErr("invalid literal for int() with base 10: %r" % (v,))
            except OverflowError:  # int(inf): Odoo's Integer.convert_to_column
                raise PyError("builtins.OverflowError",
                              "cannot convert float infinity to integer")
            # an int4 column: PostgreSQL refuses the INSERT/UPDATE
            if not -2**31 <= x < 2**31:
                raise PyError("psycopg2.errors.NumericValueOutOfRange", "integer out of range\n")
            return x
        if t in ("float", "monetary"):
            try:
                x = float(v)
            except (TypeError, ValueError):
                raise ValueErr("could not convert string to float: %r" % (v,))
            # Monetary.convert_to_cache: rounded to the currency (0.01 here)
            return money(x) if t == "monetary" else x
        if t == "many2one":
            if isinstance(v, list) and v:
                v = v[0]
            if isinstance(v, bool) or not isinstance(v, int):
                raise ValueErr("Wrong value for %s.%s: %s" % (m.name, f.name, pyrepr(v)))
            cm = self.models.get(f.relation)
            if cm is not None and not self.existing(cm, [v]):
                raise ValidationError(
                    "The operation cannot be completed: Another model is using the record "
                    "you are trying to delete.\n\nThe troublemaker is: '%s' (%s)\nThanks to "
                    "the following constraint: '%s' (%s)\nHow about archiving the record "
                    "instead?" % (m.description, m.name, f.string, f.name))
            return v
        if t == "selection":
            if v not in [s[0] for s in f.selection]:
                raise ValueErr("Wrong value for %s.%s: %s" % (m.name, f.name, pyrepr(v)))
            return v
        if t == "datetime":
            s = str(v).replace("T", " ")
            if re.match(r"^\d{4}-\d\d-\d\d$", s):
                s += " 00:00:00"
            if not re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", s):
                raise ValueErr("time data %r does not match format '%%Y-%%m-%%d %%H:%%M:%%S'"
                               % (v,))
            return s[:19]
        if t == "date":
            s = str(v)
            if not re.match(r"^\d{4}-\d\d-\d\d", s):
                raise ValueErr("time data %r does not match format '%%Y-%%m-%%d'" % (v,))
            return s[:10]
        if t == "binary":
            return v if isinstance(v, str) else None
        if t in ("char", "text", "html"):
            if not isinstance(v, str):
                v = str(v)
            return v if v != "" else None
        return v

    def prepare(self, m, vals, creating):
        if not isinstance(vals, dict):
            raise ValueErr("Invalid values %s" % pyrepr(vals))
        for k in vals:
            if k not in m.fields:
                raise ValueErr("Invalid field %r in %r" % (k, m.name))
        row, cmds = {}, []
        if creating:
            for f in m.fields.values():
                if f.default is not None and f.name not in vals:
                    vals = dict(vals)
                    vals[f.name] = f.default
        for k, v in vals.items():
            f = m.fields[k]
            if k in ("id", "display_name", "create_date", "write_date", "create_uid",
                     "write_uid"):
                continue
            if f.type in ("one2many", "many2many"):
                cmds.append((f, v))
                continue
            if not f.stored:
                continue
            row[k] = self.convert(m, f, v, cmds)
        return row, cmds

    def required_error(self, m, f):
        return ValidationError(
            "The operation cannot be completed: Missing required value for the field '%s' "
            "(%s).\nModel: '%s' (%s)\n- create/update: a mandatory field is not set\n- "
            "delete: another model requires the record being deleted, you can archive it "
            "instead\n" % (f.string, f.name, m.description, m.name))

    def check_required(self, m, row):
        if m.name == "res.partner":
            if not row.get("name") and (row.get("type") or "contact") == "contact":
                raise ValidationError("The operation cannot be completed: "
                                      "Contacts require a name")
        for f in m.fields.values():
            if f.required and f.stored and row.get(f.name) in (None, "") \
                    and f.type != "boolean":
                raise self.required_error(m, f)

    def before_create(self, m, row):
        if m.name in ("sale.order.line", "purchase.order.line") and not row.get("name") \
                and row.get("product_id"):
            # Odoo computes a line's description from its product (_compute_name)
            r = self.db.execute("SELECT name FROM product_product WHERE id = ?",
                                (row["product_id"],)).fetchone()
            if r and r[0]:
                row["name"] = r[0]
        if m.name == "sale.order":
            if row.get("name") in (None, "New"):
                row["name"] = self.next_seq("S", 5, m)
            row.setdefault("date_order", self.now)
            if row.get("date_order") is None:
                row["date_order"] = self.now
        elif m.name == "purchase.order":
            if row.get("name") in (None, "New"):
                row["name"] = self.next_seq("P", 5, m)
            if row.get("date_order") is None:
                row["date_order"] = self.now
        elif m.name == "account.move":
            if row.get("date") is None:
                row["date"] = self.now[:10]
        elif m.name == "account.payment":
            if row.get("date") is None:
                row["date"] = self.now[:10]
        elif m.name == "stock.picking":
            if row.get("scheduled_date") is None:
                row["scheduled_date"] = self.now
        elif m.name == "res.partner":
            if row.get("is_company") and row.get("parent_id") is None:
                pass

    def next_seq(self, prefix, width, m):
        n = self.db.execute('SELECT COUNT(*) FROM "%s" WHERE name LIKE ?' % m.table,
                            (prefix + "%",)).fetchone()[0] + 1
        while True:
            name = "%s%0*d" % (prefix, width, n)
            if not self.db.execute('SELECT 1 FROM "%s" WHERE name = ?' % m.table,
                                   (name,)).fetchone():
                return name
            n += 1

    def insert(self, m, row):
        cols = list(row)
        cur = self.db.execute('INSERT INTO "%s" (%s) VALUES (%s)' % (
            m.table, ", ".join('"%s"' % c for c in cols), ",".join("?" * len(cols))),
            [row[c] for c in cols])
        return cur.lastrowid

    def m_create(self, m, vals_list):
        single = isinstance(vals_list, dict)
        lst = [vals_list] if single else vals_list
        if not isinstance(lst, list):
            raise ValueErr("Invalid values %s" % pyrepr(vals_list))
        ids = [self.create_one(m, v) for v in lst]
        return ids[0] if single else ids

    def create_one(self, m, vals):
        row, cmds = self.prepare(m, vals, True)
        self.before_create(m, row)
        self.check_required(m, row)
        row["create_date"] = row["write_date"] = self.now
        row["create_uid"] = row["write_uid"] = self.uid
        rid = self.insert(m, row)
        self.apply_x2many(m, rid, cmds)
        self.after_write(m, [rid], row, True)
        return rid

    def m_write(self, m, ids, vals):
        missing = [i for i in ids if i not in set(self.existing(m, ids))]
        if missing:
            raise MissingError("Record does not exist or has been deleted.\n(Record: %s, "
                               "User: %d)" % (ids_repr(m.name, missing), self.uid))
        self.write(m, ids, vals)
        return True

    def write(self, m, ids, vals):
        row, cmds = self.prepare(m, vals, False)
        for f in m.fields.values():
            if f.name in row and f.required and row[f.name] is None and f.type != "boolean":
                raise self.required_error(m, f)
        if m.name == "res.partner" and "name" in row and not row["name"]:
            raise ValidationError("The operation cannot be completed: Contacts require a name")
        row["write_date"] = self.now
        row["write_uid"] = self.uid
        sets = ", ".join('"%s" = ?' % c for c in row)
        for ch in chunks(ids):
            self.db.execute('UPDATE "%s" SET %s WHERE id IN (%s)' % (
                m.table, sets, ",".join("?" * len(ch))), list(row.values()) + ch)
        for rid in ids:
            self.apply_x2many(m, rid, cmds)
        self.after_write(m, ids, row, False)

    def apply_x2many(self, m, rid, cmds):
        for f, v in cmds:
            cm = self.models[f.relation]
            if v is False or v is None:
                v = [[5]]
            if not isinstance(v, list):
                raise ValueErr("Invalid value for %s.%s: %s" % (m.name, f.name, pyrepr(v)))
            if v and all(isinstance(x, int) and not isinstance(x, bool) for x in v):
                v = [[6, 0, v]]             # a plain id list replaces (Odoo 17+)
            for c in v:
                if not isinstance(c, (list, tuple)) or not c:
                    raise ValueErr("Invalid command %s for %s.%s" % (pyrepr(c), m.name,
                                                                     f.name))
                code = c[0]
                arg1 = c[1] if len(c) > 1 else 0
                arg2 = c[2] if len(c) > 2 else None
                if code == 0:
                    vals = dict(arg2 or {})
                    if f.type == "one2many":
                        vals[f.inverse] = rid
                        self.create_one(cm, vals)
                    else:
                        self.link(m, f, rid, [self.create_one(cm, vals)])
                elif code == 1:
                    self.m_write(cm, [arg1], arg2 or {})
                elif code == 2:
                    self.m_unlink(cm, [arg1])
                elif code == 3:
                    if f.type == "one2many":
                        self.write(cm, [arg1], {f.inverse: False})
                    else:
                        self.db.execute('DELETE FROM "%s" WHERE id1 = ? AND id2 = ?'
                                        % self.rel_table(m, f), (rid, arg1))
                elif code == 4:
                    if f.type == "one2many":
                        self.write(cm, [arg1], {f.inverse: rid})
                    else:
                        self.link(m, f, rid, [arg1])
                elif code == 5:
                    if f.type == "many2many":
                        self.db.execute('DELETE FROM "%s" WHERE id1 = ?'
                                        % self.rel_table(m, f), (rid,))
                elif code == 6:
                    if f.type == "many2many":
                        self.db.execute('DELETE FROM "%s" WHERE id1 = ?'
                                        % self.rel_table(m, f), (rid,))
                        self.link(m, f, rid, as_ids(arg2 or []))
                    else:
                        ids = as_ids(arg2 or [])
                        cur = [r[0] for r in self.db.execute(
                            'SELECT id FROM "%s" WHERE "%s" = ?' % (cm.table, f.inverse),
                            (rid,))]
                        gone = [i for i in cur if i not in ids]
                        if gone:
                            self.write(cm, gone, {f.inverse: False})
                        if ids:
                            self.write(cm, ids, {f.inverse: rid})
                else:
                    raise ValueErr("Invalid command %s for %s.%s" % (pyrepr(c), m.name,
                                                                     f.name))

    def link(self, m, f, rid, ids):
        cm = self.models[f.relation]
        ok = set(self.existing(cm, ids))
        for i in ids:
            if i not in ok:
                raise MissingError("Record does not exist or has been deleted.\n(Record: "
                                   "%s, User: %d)" % (ids_repr(cm.name, [i]), self.uid))
            self.db.execute('INSERT OR IGNORE INTO "%s" (id1, id2) VALUES (?, ?)'
                            % self.rel_table(m, f), (rid, i))

    # computed stored fields
    def after_write(self, m, ids, row, creating):
        if m.name in ("res.partner", "product.category", "hr.department"):
            if creating or "name" in row or "parent_id" in row:
                sep = ", " if m.name == "res.partner" else " / "
                self.recompute_complete_name(m, ids, sep)
        if m.name == "product.template" and creating:
            f = dict(row)
            self.db.execute(
                'INSERT INTO product_product (name, product_tmpl_id, default_code, barcode, '
                'type, categ_id, lst_price, standard_price, uom_id, active, sale_ok, '
                'purchase_ok, create_date, write_date, create_uid, write_uid) '
                'VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)',
                (f.get("name"), ids[0], f.get("default_code"), f.get("barcode"),
                 f.get("type"), f.get("categ_id"), f.get("list_price") or 0,
                 f.get("standard_price") or 0, f.get("uom_id"), f.get("active", 1),
                 f.get("sale_ok", 1), f.get("purchase_ok", 1),
                 self.now, self.now, self.uid, self.uid))
        if m.name in ("sale.order.line", "purchase.order.line", "account.move.line"):
            self.recompute_lines(m, ids)
        if m.name in ("sale.order", "purchase.order", "account.move") and creating:
            self.recompute_totals(m, ids)

    def recompute_complete_name(self, m, ids, sep):
        todo = list(ids)
        seen = set()
        while todo:
            ch, todo = todo[:5000], todo[5000:]
            ph = ",".join("?" * len(ch))
            self.db.execute(
                'UPDATE "%s" AS t SET complete_name = CASE WHEN p.id IS NOT NULL AND '
                'p.complete_name IS NOT NULL THEN %s || ? || COALESCE(t.name, \'\') '
                'ELSE t.name END FROM (SELECT c.id AS cid, pp.id, pp.complete_name, '
                'pp.name FROM "%s" c LEFT JOIN "%s" pp ON pp.id = c.parent_id '
                'WHERE c.id IN (%s)) p WHERE t.id = p.cid'
                % (m.table, "p.name" if m.name == "res.partner" else "p.complete_name",
                   m.table, m.table, ph), [sep] + ch)
            seen.update(ch)
            kids = [r[0] for r in self.db.execute(
                'SELECT id FROM "%s" WHERE parent_id IN (%s)' % (m.table, ph), ch)
                if r[0] not in seen]
            todo.extend(kids)

    def recompute_lines(self, m, ids):
        qty = "product_uom_qty" if m.name == "sale.order.line" else (
            "product_qty" if m.name == "purchase.order.line" else "quantity")
        parent = "order_id" if m.name != "account.move.line" else "move_id"
        pm = self.models[m.fields[parent].relation]
        touched = set()
        for ch in chunks(ids):
            ph = ",".join("?" * len(ch))
            for rid, q, pu, disc, par in self.db.execute(
                    'SELECT id, "%s", price_unit, discount, "%s" FROM "%s" WHERE id IN (%s)'
                    % (qty, parent, m.table, ph), ch).fetchall():
                sub = money(Decimal(repr(float(q or 0))) * Decimal(repr(float(pu or 0)))
                            * (1 - Decimal(repr(float(disc or 0))) / 100))
                ntax = self.db.execute('SELECT COALESCE(SUM(x.amount), 0) FROM "%s" r JOIN '
                                       'account_tax x ON x.id = r.id2 WHERE r.id1 = ?'
                                       % self.rel_table(m, m.fields["tax_ids"]),
                                       (rid,)).fetchone()[0]
                tot = money(sub * (1 + ntax / 100.0))
                extra = ""
                if m.name == "account.move.line":
                    extra = ", balance = -?, credit = ?"
                    self.db.execute('UPDATE "%s" SET price_subtotal = ?, price_total = ?%s '
                                    'WHERE id = ?' % (m.table, extra), (sub, tot, sub, sub, rid))
                else:
                    self.db.execute('UPDATE "%s" SET price_subtotal = ?, price_total = ? '
                                    'WHERE id = ?' % m.table, (sub, tot, rid))
                if par:
                    touched.add(par)
        if touched:
            self.recompute_totals(pm, sorted(touched))

    def recompute_totals(self, pm, ids):
        lm = self.models[pm.fields["order_line" if "order_line" in pm.fields
                                   else "invoice_line_ids"].relation]
        parent = "move_id" if pm.name == "account.move" else "order_id"
        for pid in ids:
            unt, tot = self.db.execute(
                'SELECT COALESCE(SUM(price_subtotal), 0), COALESCE(SUM(price_total), 0) '
                'FROM "%s" WHERE "%s" = ?' % (lm.table, parent), (pid,)).fetchone()
            unt, tot = money(unt), money(tot)
            if pm.name == "account.move":
                paid = 1 if self.db.execute('SELECT payment_state FROM account_move WHERE id=?',
                                            (pid,)).fetchone()[0] == "paid" else 0
                self.db.execute('UPDATE account_move SET amount_untaxed = ?, amount_tax = ?, '
                                'amount_total = ?, amount_residual = ? WHERE id = ?',
                                (unt, money(tot - unt), tot, 0.0 if paid else tot, pid))
            else:
                self.db.execute('UPDATE "%s" SET amount_untaxed = ?, amount_tax = ?, '
                                'amount_total = ? WHERE id = ?' % pm.table,
                                (unt, money(tot - unt), tot, pid))

    # -------------------------------------------------------------- unlink
    def m_unlink(self, m, ids):
        ids = self.existing(m, ids)
        if not ids:
            return True
        if m.name == "sale.order.line":
            # Odoo's _unlink_except_confirmed (_check_line_unlink)
            for ch in chunks(ids):
                if self.db.execute(
                        "SELECT 1 FROM sale_order_line l JOIN sale_order o ON o.id = l.order_id "
                        "WHERE l.id IN (%s) AND o.state = 'sale' "
                        "LIMIT 1" % ",".join("?" * len(ch)), ch).fetchone():
                    raise UserError("Once a sales order is confirmed, you can't remove one of "
                                    "its lines (we need to track if something gets invoiced "
                                    "or delivered).\nSet the quantity to 0 instead.")
        self.delete(m, ids)
        return True

    def delete(self, m, ids):
        parents = []
        if m.name in ("sale.order.line", "purchase.order.line", "account.move.line"):
            # the order's (move's) totals follow its lines, as Odoo's computes do
            pf = "move_id" if m.name == "account.move.line" else "order_id"
            for ch in chunks(ids):
                parents += [r[0] for r in self.db.execute(
                    'SELECT DISTINCT "%s" FROM "%s" WHERE id IN (%s) AND "%s" IS NOT NULL'
                    % (pf, m.table, ",".join("?" * len(ch)), pf), ch)]
        self.delete_rows(m, ids)
        if parents:
            pm = self.models[m.fields["move_id" if m.name == "account.move.line"
                                      else "order_id"].relation]
            live = self.existing(pm, sorted(set(parents)))
            if live:
                self.recompute_totals(pm, live)

    def delete_rows(self, m, ids):
        for rm, rf in self.refs.get(m.name, []):
            for ch in chunks(ids):
                ph = ",".join("?" * len(ch))
                if rf.ondelete == "cascade":
                    dep = [r[0] for r in self.db.execute(
                        'SELECT id FROM "%s" WHERE "%s" IN (%s)' % (rm.table, rf.name, ph), ch)]
                    dep = [d for d in dep if not (rm is m and d in ids)]
                    if dep:
                        self.delete(rm, dep)
                elif rf.ondelete == "restrict" or rf.required:
                    hit = self.db.execute('SELECT 1 FROM "%s" WHERE "%s" IN (%s) LIMIT 1'
                                          % (rm.table, rf.name, ph), ch).fetchone()
                    if hit:
                        raise ValidationError(
                            "The operation cannot be completed: another model requires the "
                            "record being deleted. If possible, archive it instead.\n\n"
                            "Model: %s (%s)\nConstraint: %s_%s_fkey"
                            % (rm.description, rm.name, rm.table, rf.name))
                else:
                    self.db.execute('UPDATE "%s" SET "%s" = NULL WHERE "%s" IN (%s)'
                                    % (rm.table, rf.name, rf.name, ph), ch)
        for om in self.models.values():
            for f in om.fields.values():
                if f.type == "many2many" and (om is m or f.relation == m.name):
                    col = "id1" if om is m else "id2"
                    for ch in chunks(ids):
                        self.db.execute('DELETE FROM "%s" WHERE %s IN (%s)' % (
                            self.rel_table(om, f), col, ",".join("?" * len(ch))), ch)
        for ch in chunks(ids):
            ph = ",".join("?" * len(ch))
            self.db.execute('DELETE FROM "%s" WHERE id IN (%s)' % (m.table, ph), ch)
            self.db.execute('DELETE FROM ir_model_data WHERE model = ? AND res_id IN (%s)'
                            % ph, [m.name] + ch)

    # -------------------------------------------------------------- name_search
    def m_name_search(self, m, name="", domain=None, operator="ilike", limit=100):
        dom = list(domain or [])
        if name or operator not in ("ilike", "like", "=like", "=ilike"):
            dom = ["&"] + dom + [["display_name", operator, name]] if dom else \
                [["display_name", operator, name]]
        ids = self.m_search(m, dom, 0, limit, None)
        names = self.display_names(m, ids)
        return [[i, names.get(i, False)] for i in ids]

    # -------------------------------------------------------------- external ids
    @staticmethod
    def xmlid_split(xid):
        """Odoo splits an external id at its first dot; a bare name is the import's."""
        mod, dot, name = xid.partition(".")
        return (mod, name) if dot else ("__import__", xid)

    def xmlid_lookup(self, xid, model=None):
        mod, name = self.xmlid_split(xid)
        r = self.db.execute("SELECT model, res_id FROM ir_model_data WHERE module = ? AND "
                            "name = ?", (mod, name)).fetchone()
        if r is None or (model and r[0] != model):
            return None
        return r[1]

    def xmlid_set(self, xid, model, res_id):
        mod, name = self.xmlid_split(xid)
        self.db.execute("INSERT INTO ir_model_data (module, name, model, res_id, noupdate, "
                        "create_date, write_date, create_uid, write_uid) VALUES "
                        "(?,?,?,?,0,?,?,?,?)", (mod, name, model, res_id, self.now, self.now,
                                                self.uid, self.uid))

    def xmlid_of(self, m, rid, create=True):
        r = self.db.execute("SELECT module, name FROM ir_model_data WHERE model = ? AND "
                            "res_id = ? ORDER BY id LIMIT 1", (m.name, rid)).fetchone()
        if r:
            return "%s.%s" % r
        if not create:
            return False
        xid = "__export__.%s_%d" % (m.table, rid)
        self.xmlid_set(xid, m.name, rid)
        return xid

    # -------------------------------------------------------------- load
    def m_load(self, m, fields, data):
        if not isinstance(fields, list) or not isinstance(data, list):
            raise ValueErr("load: fields and data must be lists")
        heads = []
        for h in fields:
            if not isinstance(h, str):
                raise ValueErr("Invalid field name %r" % (h,))
            base, _, sub = h.partition("/")
            if h in ("id", ".id"):
                heads.append((h, None, None))
                continue
            if base not in m.fields or sub not in ("", "id", ".id"):
                raise ValueErr("Invalid field name %r" % (base if base not in m.fields else h))
            heads.append((h, m.fields[base], sub))
        ids, messages = [], []
        self.load_warnings = []
        for i, row in enumerate(data):
            self.db.execute("SAVEPOINT load_row")
            try:
                ids.append(self.load_row(m, heads, row, i, messages))
                self.db.execute("RELEASE load_row")
            except _RowError:
                self.db.execute("ROLLBACK TO load_row")
                self.db.execute("RELEASE load_row")
            except (OdooError, sqlite3.IntegrityError) as e:
                # load's flush: whatever the create raised is the row's message
                self.db.execute("ROLLBACK TO load_row")
                self.db.execute("RELEASE load_row")
                msg = e.message if isinstance(e, OdooError) else (
                    "duplicate key value violates unique constraint \"%s\""
                    % str(e).split(":", 1)[-1].strip())
                if msg.startswith("The operation cannot be completed: "):
                    msg = msg[len("The operation cannot be completed: "):]
                messages.append({"rows": {"from": i, "to": i}, "record": i, "type": "error",
                                 "message": msg})
        if any(msg["type"] == "error" for msg in messages):
            return Rollback({"ids": False, "messages": messages, "nextrow": 0})
        return {"ids": ids, "messages": messages, "nextrow": 0}

    def load_row(self, m, heads, row, i, messages):
        if not isinstance(row, list) or len(row) != len(heads):
            raise ValueErr("load: row %d has %d values for %d fields" % (
                i, len(row) if isinstance(row, list) else 0, len(heads)))
        xid, dbid, vals = None, None, {}
        bad = False
        for (h, f, sub), v in zip(heads, row):
            if h == "id":
                xid = v or None
                continue
            if h == ".id":
                dbid = int(v) if v not in ("", None, False) else None
                continue
            try:
                del self.load_warnings[:]
                vals[f.name] = self.load_value(m, f, sub, v)
                for w in self.load_warnings:
                    messages.append({"rows": {"from": i, "to": i}, "type": "warning",
                                     "record": i, "field": f.name, "message": w,
                                     "field_name": f.string})
            except _FieldError as e:
                bad = True
                msg = {"rows": {"from": i, "to": i}, "type": "error", "record": i,
                       "field": f.name, "message": e.args[0]}
                if f.relation:
                    msg["moreinfo"] = {
                        "name": "Possible Values", "type": "ir.actions.act_window",
                        "target": "new", "view_mode": "list,form",
                        "views": [[False, "list"], [False, "form"]],
                        "context": {"create": False}, "help": "See all possible values",
                        "res_model": f.relation}
                msg["field_name"] = f.string
                messages.append(msg)
        if bad:
            raise _RowError()
        rid = None
        if xid:
            # as _load_records: an external id of another model is an error, one
            # whose record is gone is dropped and the record created again
            mod, name = self.xmlid_split(xid)
            r = self.db.execute("SELECT id, model, res_id FROM ir_model_data WHERE module = ? "
                                "AND name = ?", (mod, name)).fetchone()
            if r and r[1] != m.name:
                raise ValidationError(
                    "For external id %s when trying to create/update a record of model %s "
                    "found record of different model %s (%s)" % (
                        "%s.%s" % (mod, name), m.name, r[1], r[2]))
            if r and self.existing(m, [r[2]]):
                rid = r[2]
            elif r:
                self.db.execute("DELETE FROM ir_model_data WHERE id = ?", (r[0],))
        elif dbid:
            rid = dbid if self.existing(m, [dbid]) else None
            if rid is None:
                raise MissingError("Record does not exist or has been deleted.\n(Record: "
                                   "%s, User: %d)" % (ids_repr(m.name, [dbid]), self.uid))
        if rid is not None:
            self.write(m, [rid], vals)
        else:
            rid = self.create_one(m, vals)
            if xid:
                self.xmlid_set(xid, m.name, rid)
        return rid

    def load_value(self, m, f, sub, v):
        t = f.type
        if sub in ("id", ".id"):
            if v in ("", None, False):
                return False
            ref = []
            for part in str(v).split(","):
                part = part.strip()
                if sub == ".id":
                    rid = int(part) if part.isdigit() and self.existing(
                        self.models[f.relation], [int(part)]) else None
                else:
                    rid = self.xmlid_lookup(part, f.relation)
                if rid is None:
                    raise _FieldError("No matching record found for %s '%s' in field '%s'" % (
                        "external id" if sub == "id" else "database id", part, f.string))
                ref.append(rid)
            return ref[0] if t == "many2one" else [[6, 0, ref]]
        # ir.fields: an empty cell is False; the converters get the text as it is
        # (char, text, html: unchanged)
        s = v
        if s in ("", None, False):
            return False
        if t in ("char", "text", "html"):
            return s if isinstance(s, str) else str(s)
        if isinstance(s, str):
            s = s.strip()
        if t == "boolean":
            if isinstance(s, bool):
                return s
            ls = str(s).lower()
            if ls in ("1", "true", "yes"):
                return True
            if ls in ("0", "false", "no"):
                return False
            # _str_to_boolean: anything else is True, with a warning
            self.load_warnings.append("Unknown value '%s' for boolean field '%s'"
                                      % (s, f.string))
            return True
        if t in ("date", "datetime"):
            fmt = "%Y-%m-%d" if t == "date" else "%Y-%m-%d %H:%M:%S"
            try:
                datetime.datetime.strptime(str(s), fmt if t == "date" or len(str(s)) > 10
                                           else "%Y-%m-%d")
            except ValueError:
                raise _FieldError("'%s' does not seem to be a valid %s for field '%s'"
                                  % (s, t, f.string))
            return str(s)
        if t in ("integer",):
            try:
                return int(s)
            except ValueError:
                raise _FieldError("'%s' does not seem to be an integer for field '%s'"
                                  % (s, f.string))
        if t in ("float", "monetary"):
            try:
                return float(s)
            except ValueError:
                raise _FieldError("'%s' does not seem to be a number for field '%s'"
                                  % (s, f.string))
        if t in ("many2one", "many2many"):
            cm = self.models[f.relation]
            out = []
            for name in ([s] if t == "many2one" else [x.strip() for x in str(s).split(",")]):
                r = self.m_name_search(cm, name, None, "=", 1)
                if not r:
                    raise _FieldError("No matching record found for name '%s' in field '%s'"
                                      % (name, f.string))
                out.append(r[0][0])
            return out[0] if t == "many2one" else [[6, 0, out]]
        if t == "selection":
            for k, label in f.selection:
                if s == k or str(s).lower() == label.lower():
                    return k
            raise _FieldError("Value '%s' not found in selection field '%s'" % (s, f.string))
        return s

    # -------------------------------------------------------------- export_data
    def m_export_data(self, m, ids, fields_to_export):
        rows = []
        recs = {r["id"]: r for r in self.m_read(m, ids, None)}
        for rid in ids:
            if rid not in recs:
                continue
            rec, line = recs[rid], []
            for path in fields_to_export:
                base, _, sub = path.partition("/")
                if path == "id":
                    line.append(self.xmlid_of(m, rid))
                    continue
                if path == ".id":
                    line.append(rid)
                    continue
                f = m.fields.get(base)
                if f is None:
                    raise ValueErr("Invalid field %r on model %r" % (base, m.name))
                v = rec.get(base, False)
                if f.type == "many2one":
                    if sub == "id":
                        v = self.xmlid_of(self.models[f.relation], v[0]) if v else False
                    elif sub == ".id":
                        v = v[0] if v else False
                    else:
                        v = v[1] if v else False
                elif f.type in ("one2many", "many2many"):
                    cm = self.models[f.relation]
                    if sub == "id":
                        v = ",".join(self.xmlid_of(cm, x) for x in v) if v else False
                    elif sub == ".id":
                        v = ",".join(str(x) for x in v) if v else False
                    else:
                        names = self.display_names(cm, v)
                        v = ",".join(names[x] or "" for x in v) if v else False
                line.append(v)
            rows.append(line)
        return {"datas": rows}

    # -------------------------------------------------------------- invoicing
    def create_invoices(self, wid):
        """sale.advance.payment.inv.create_invoices, regular invoices only: one
        draft customer invoice per confirmed order of the wizard, its lines the
        order's (sale.order._create_invoices, _prepare_invoice); the order
        becomes invoiced.  -> the window action on the invoices, as Odoo's."""
        w = self.db.execute("SELECT advance_payment_method FROM sale_advance_payment_inv "
                            "WHERE id = ?", (wid,)).fetchone()
        if w[0] != "delivered":
            raise UserError("The sandbox makes regular invoices only.")
        so_m, mv_m = self.models["sale.order"], self.models["account.move"]
        rel = self.rel_table(self.models["sale.advance.payment.inv"],
                             self.models["sale.advance.payment.inv"].fields["sale_order_ids"])
        sids = [x[0] for x in self.db.execute('SELECT id2 FROM "%s" WHERE id1 = ? ORDER BY id2'
                                              % rel, (wid,))]
        journal = self.db.execute("SELECT id FROM account_journal WHERE type = 'sale' "
                                  "ORDER BY id LIMIT 1").fetchone()
        if not sids or not journal:
            raise UserError("There is no invoiceable line. If a product has a Delivered "
                            "quantities invoicing policy, please make sure that a quantity "
                            "has been delivered.")
        slrel = self.rel_table(self.models["sale.order.line"],
                               self.models["sale.order.line"].fields["tax_ids"])
        moves = []
        for so in self.m_read(so_m, sids, ["name", "state", "partner_id", "currency_id",
                                          "client_order_ref", "invoice_status"]):
            if so["state"] != "sale" or so["invoice_status"] == "invoiced":
                raise UserError("There is no invoiceable line. If a product has a Delivered "
                                "quantities invoicing policy, please make sure that a "
                                "quantity has been delivered.")
            lines = []
            for lid, pid, name, qty, pu, disc in self.db.execute(
                    "SELECT id, product_id, name, product_uom_qty, price_unit, discount FROM "
                    "sale_order_line WHERE order_id = ? ORDER BY sequence, id", (so["id"],)):
                taxes = [x[0] for x in self.db.execute('SELECT id2 FROM "%s" WHERE id1 = ?'
                                                       % slrel, (lid,))]
                lines.append([0, 0, {"product_id": pid or False, "name": name,
                                     "quantity": qty, "price_unit": pu,
                                     "discount": disc or 0, "tax_ids": [[6, 0, taxes]],
                                     "partner_id": so["partner_id"][0]}])
            moves.append(self.create_one(mv_m, {
                "move_type": "out_invoice", "partner_id": so["partner_id"][0],
                "journal_id": journal[0], "invoice_origin": so["name"],
                "ref": so["client_order_ref"] or False,
                "currency_id": so["currency_id"][0] if so["currency_id"] else 1,
                "invoice_line_ids": lines}))
            self.write(so_m, [so["id"]], {"invoice_status": "invoiced"})
        return {"type": "ir.actions.act_window", "res_model": "account.move",
                "name": "Invoices", "view_mode": "list,form",
                "domain": [["id", "in", moves]]} if len(moves) > 1 else \
            {"type": "ir.actions.act_window", "res_model": "account.move",
             "name": "Invoices", "view_mode": "form", "res_id": moves[0]}

    def post_payment(self, m, pid):
        """account.payment.action_post: number it, and reconcile it with its
        posted invoices (invoice_ids) in order, each paid while the amount
        lasts; an invoice left owing is "partial"."""
        amount, ptype = self.db.execute("SELECT amount, payment_type FROM account_payment "
                                        "WHERE id = ?", (pid,)).fetchone()
        rel = self.rel_table(m, m.fields["invoice_ids"])
        left = Decimal(repr(float(amount or 0)))
        for mid, res, st in self.db.execute(
                'SELECT a.id, a.amount_residual, a.state FROM "%s" r JOIN account_move a ON '
                'a.id = r.id2 WHERE r.id1 = ? ORDER BY a.id' % rel, (pid,)).fetchall():
            if st != "posted":
                raise UserError("You can only register payment for posted journal entries.")
            pay = min(left, Decimal(repr(float(res or 0))))
            left -= pay
            residual = money(Decimal(repr(float(res or 0))) - pay)
            self.db.execute("UPDATE account_move SET amount_residual = ?, payment_state = ?, "
                            "write_date = ? WHERE id = ?",
                            (residual, "paid" if residual == 0 else
                             ("partial" if pay else "not_paid"), self.now, mid))
        code = "PBNK1" if ptype == "inbound" else "PBNK2"
        self.write(m, [pid], {"state": "paid", "name": self.next_seq(
            "%s/%s/" % (code, self.now[:4]), 5, m)})

    # -------------------------------------------------------------- state transitions
    def action(self, m, method, ids):
        ids = self.existing(m, ids) if ids else []
        recs = self.m_read(m, ids, [f for f in ("state", "name") if f in m.fields])
        key = (m.name, method)
        res = True
        for r in recs:
            st = r.get("state")
            new = None
            if key == ("sale.order", "action_confirm"):
                if st not in ("draft", "sent"):
                    raise UserError("Some orders are not in a state requiring confirmation.")
                new = "sale"
                # Odoo's computed invoice_status: ordered quantities to invoice
                nl = self.db.execute("SELECT COUNT(*) FROM sale_order_line WHERE order_id = ? "
                                     "AND product_id IS NOT NULL", (r["id"],)).fetchone()[0]
                self.write(m, [r["id"]], {"state": "sale", "date_order": self.now,
                                          "invoice_status": "to invoice" if nl else "no"})
                self.db.execute("UPDATE sale_order_line SET state = 'sale' WHERE order_id = ?",
                                (r["id"],))
                continue
            if key == ("sale.order", "action_quotation_sent"):
                new = "sent" if st == "draft" else st
            elif key == ("sale.order", "action_cancel"):
                new = "cancel"
                self.write(m, [r["id"]], {"invoice_status": "no"})
            elif key == ("sale.order", "action_draft"):
                new = "draft" if st in ("cancel", "sent") else st
            elif key == ("account.move", "action_post"):
                res = False
                if st == "posted":
                    raise UserError("The entry %s (id %d) is already posted."
                                    % (r["name"], r["id"]))
                nlines = self.db.execute("SELECT COUNT(*) FROM account_move_line WHERE "
                                         "move_id = ?", (r["id"],)).fetchone()[0]
                if not nlines:
                    raise UserError("You need to add a line before posting.")
                vals = {"state": "posted"}
                mv = self.db.execute("SELECT move_type, invoice_date, date FROM account_move "
                                     "WHERE id = ?", (r["id"],)).fetchone()
                if r["name"] in (False, "/"):
                    prefix = {"out_invoice": "INV", "out_refund": "RINV",
                              "in_invoice": "BILL", "in_refund": "RBILL"}.get(mv[0], "MISC")
                    year = (mv[1] or mv[2] or self.now)[:4]
                    vals["name"] = self.next_seq("%s/%s/" % (prefix, year), 5, m)
                if mv[0] != "entry" and not mv[1]:
                    vals["invoice_date"] = self.now[:10]
                self.write(m, [r["id"]], vals)
                self.db.execute("UPDATE account_move_line SET parent_state = 'posted' WHERE "
                                "move_id = ?", (r["id"],))
                continue
            elif key == ("account.payment", "action_post"):
                if st != "draft":
                    raise UserError("Only a draft payment can be posted.")
                self.post_payment(m, r["id"])
                continue
            elif key == ("sale.advance.payment.inv", "create_invoices"):
                res = self.create_invoices(r["id"])
                continue
            elif key == ("account.move", "button_draft"):
                new = "draft"
            elif key == ("account.move", "button_cancel"):
                if st == "posted":
                    raise UserError("You can't cancel a posted entry; reset it to draft first.")
                new = "cancel"
            elif key == ("purchase.order", "button_confirm"):
                if st not in ("draft", "sent"):
                    continue
                self.write(m, [r["id"]], {"state": "purchase", "date_approve": self.now})
                self.db.execute("UPDATE purchase_order_line SET state = 'purchase' WHERE "
                                "order_id = ?", (r["id"],))
                continue
            elif key == ("purchase.order", "button_cancel"):
                new = "cancel"
            elif key == ("purchase.order", "button_draft"):
                new = "draft"
            elif key == ("stock.picking", "action_confirm"):
                new = "confirmed" if st == "draft" else st
            elif key == ("stock.picking", "action_assign"):
                new = "assigned" if st in ("confirmed", "waiting") else st
            elif key == ("stock.picking", "button_validate"):
                if st in ("done", "cancel"):
                    raise UserError("You cannot validate a transfer if no quantities are "
                                    "reserved or done.")
                self.write(m, [r["id"]], {"state": "done", "date_done": self.now})
                continue
            elif key == ("stock.picking", "action_cancel"):
                new = "cancel"
            elif key == ("crm.lead", "action_set_won"):
                won = self.db.execute("SELECT id FROM crm_stage WHERE is_won = 1 ORDER BY "
                                      "sequence LIMIT 1").fetchone()
                self.write(m, [r["id"]], {"probability": 100.0,
                                          "stage_id": won[0] if won else False})
                continue
            elif key == ("crm.lead", "action_set_lost"):
                self.write(m, [r["id"]], {"probability": 0.0, "active": False})
                continue
            if new is not None and new != st:
                self.write(m, [r["id"]], {"state": new})
        return res


class Rollback:
    """A method's value whose transaction must still be rolled back (load)."""

    def __init__(self, value):
        self.value = value


class _RowError(Exception):
    pass


class _FieldError(Exception):
    pass


def fmt_dt(dt):
    return dt.strftime("%Y-%m-%d %H:%M:%S")


def b64_png():
    """A 1x1 PNG (the shape of image_128 for the seeded admin partner)."""
    return base64.b64encode(bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360f8cf00000301010018dd8db00000"
        "000049454e44ae426082")).decode()


_ = datetime
