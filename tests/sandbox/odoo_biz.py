"""tests/sandbox/odoo_biz.py - the business rules of the Odoo sandbox, as the real
Odoo 19 transcripts in tests/fixtures/odoo-flows show them (README there):

  sales      the order's currency follows its pricelist (a sent currency_id is
             ignored on create, stored on write); section and note lines;
             action_confirm makes the delivery; the invoicing wizard
             sale.advance.payment.inv (consolidated_billing: one invoice per
             customer, or one per order) answers with Odoo's full window action
  invoices   lines of display_type product / line_section / line_note, plus the
             tax and payment_term lines Odoo keeps in sync; invoice_line_ids is
             the first three kinds, line_ids all; draft name false, display name
             "Draft Invoice (ref)"; action_post numbers INV/YYYY/NNNNN and
             BILL/YYYY/MM/NNNN, raises on a posted entry and on a bill without
             its date; ranks +1 per posted invoice, bill and payment
  payments   account.payment.register pays (partial, then paid); a payment made
             with invoice_ids and posted is in_process and pays nothing
  stock      deliveries and receipts with moves and move lines, button_validate
             (full: done; partial: the backorder wizard; a move at 0 or not
             picked moves whole to the backorder), lots on receipts, done
             moves move WH/Stock's quants (below zero without stock)
  purchase   button_confirm makes the receipt; action_create_invoice bills the
             received quantities (zero before the receipt)
  master     nameless partners, archived records, products with variants,
             employees, leads, Odoo 19 units, external ids

Orm here is odoo_orm.Orm with these rules added; odoo.py serves it."""

from decimal import Decimal

import odoo_orm
from odoo_orm import ACTIONS, REQ, SIGNATURES, UserError, ValidationError, ValueErr, money

ACTIONS.setdefault("account.payment.register", ())
ACTIONS["account.payment.register"] += ("action_create_payments",)
ACTIONS["stock.backorder.confirmation"] = ("process", "process_cancel_backorder")
ACTIONS["purchase.order"] += ("action_create_invoice",)
for _m in ACTIONS.values():
    for _a in _m:
        SIGNATURES.setdefault(_a, ([], True))
SIGNATURES["check_object_reference"] = ([("module", REQ), ("xml_id", REQ),
                                         ("raise_on_access_error", False)], False)

# accounts of the chart (ids as the transcripts' database)
ACC_RECEIVABLE, ACC_PAYABLE, ACC_TAX_PAID, ACC_TAX_RECEIVED = 5, 15, 9, 21
ACC_SALES, ACC_EXPENSES, ACC_OUT_RECEIPTS, ACC_OUT_PAYMENTS = 26, 32, 48, 49
RATES = {"USD": 1.0, "EUR": 0.859356, "GBP": 0.784221994, "CHF": 0.80221, "JPY": 133.62}
DISPLAY_LINES = ("line_section", "line_subsection", "line_note")
INVOICE_KINDS = ("out_invoice", "out_refund", "in_invoice", "in_refund", "out_receipt",
                 "in_receipt")
POSTED_MOVE_LOCKED = ("partner_id", "currency_id", "journal_id", "move_type", "date",
                      "invoice_date", "line_ids", "invoice_line_ids", "amount_total",
                      "amount_untaxed", "amount_tax")
NO_INVOICEABLE = ("There is no invoiceable line. If a product has a Delivered quantities "
                  "invoicing policy, please make sure that a quantity has been delivered.")
OUT_INVOICE_ACTION = {
    "id": 268, "display_name": "Invoices", "name": "Invoices",
    "type": "ir.actions.act_window", "xml_id": "account.action_move_out_invoice_type",
    "path": "invoicing",
    "help": "<p class=\"o_view_nocontent_smiling_face\">\n                Create a customer "
            "invoice\n              </p><p>\n                Create invoices, register "
            "payments and keep track of the discussions with your customers.\n"
            "              </p>\n            ",
    "binding_model_id": False, "binding_type": "action", "binding_view_types": "list,form",
    "view_id": [759, "account.out.invoice.list"],
    "domain": "[('move_type', 'in', ['out_invoice', 'out_refund', 'out_receipt'])]",
    "context": {}, "res_id": 0, "res_model": "account.move", "target": "current",
    "view_mode": "list,kanban,form,activity", "mobile_view_mode": "kanban",
    "views": [[765, "form"], [759, "list"], [False, "kanban"], [False, "activity"]],
    "limit": 80, "group_ids": [], "search_view_id": [768, "account.invoice.select"],
    "embedded_action_ids": [], "filter": False, "cache": True}
IN_INVOICE_ACTION = dict(
    OUT_INVOICE_ACTION, id=271, display_name="Bills", name="Bills",
    xml_id="account.action_move_in_invoice_type", path="bills",
    help="<p class=\"o_view_nocontent_smiling_face\">\n                    Create a vendor "
         "bill\n                </p><p>\n                    Capture invoices, register "
         "payments and keep track of the discussions with your vendors.\n"
         "                </p>\n            ",
    view_id=[762, "account.out.invoice.list"],
    domain="[('move_type', 'in', ['in_invoice', 'in_refund', 'in_receipt'])]",
    views=[[765, "form"], [762, "list"], [False, "kanban"], [False, "activity"]],
    search_view_id=[769, "account.invoice.select"])


def dec(x):
    return Decimal(repr(float(x or 0)))


def each(fn):
    """A compute from a method of one record id."""
    return lambda self, m, ids: {i: getattr(self, fn)(i) for i in ids}


class Orm(odoo_orm.Orm):
    def __init__(self, db):
        super().__init__(db)
        self.dirty_moves = set()

    # ---------------------------------------------------------------- helpers
    def q(self, sql, args=()):
        return self.db.execute(sql, args).fetchall()

    def q1(self, sql, args=()):
        r = self.db.execute(sql, args).fetchone()
        return r[0] if r else None

    def rel_ids(self, model, field, rid):
        m = self.models[model]
        return [r[0] for r in self.q('SELECT id2 FROM "%s" WHERE id1 = ? ORDER BY id2'
                                     % self.rel_table(m, m.fields[field]), (rid,))]

    def today(self):
        return self.now[:10]

    def flush(self):
        """Odoo's end-of-call recomputation: the dynamic lines and totals of the
        invoices whose lines changed."""
        while self.dirty_moves:
            mid = self.dirty_moves.pop()
            if self.q1("SELECT 1 FROM account_move WHERE id = ?", (mid,)):
                self.sync_move(mid)

    seeding = False

    def bump_rank(self, partner, field):
        if partner and not self.seeding:
            self.db.execute('UPDATE res_partner SET "%s" = COALESCE("%s", 0) + 1 WHERE id = ?'
                            % (field, field), (partner,))

    # ---------------------------------------------------------------- computes
    def c_empty_list(self, m, ids):
        return {i: [] for i in ids}

    def c_zero(self, m, ids):
        return {i: 0.0 for i in ids}

    def c_currency_rate(self, m, ids):
        return {i: RATES.get(n, 1.0) for i, n in self.q(
            "SELECT id, name FROM res_currency WHERE id IN (%s)" % ",".join("?" * len(ids)),
            ids)}

    def c_company_type(self, m, ids):
        return {i: "company" if c else "person" for i, c in self.q(
            "SELECT id, is_company FROM res_partner WHERE id IN (%s)"
            % ",".join("?" * len(ids)), ids)}

    def c_commercial_partner(self, m, ids):
        out = {}
        for i in ids:
            cur = i
            for _ in range(20):
                r = self.db.execute("SELECT is_company, parent_id FROM res_partner WHERE id = ?",
                                    (cur,)).fetchone()
                if not r or r[0] or not r[1]:
                    break
                cur = r[1]
            out[i] = cur
        return out

    def uom_factor(self, i, depth=0):
        r = self.db.execute("SELECT relative_factor, relative_uom_id FROM uom_uom WHERE id = ?",
                            (i,)).fetchone()
        if not r:
            return 1.0
        if not r[1] or depth > 20:
            return float(r[0] or 1.0)
        return float(r[0] or 1.0) * self.uom_factor(r[1], depth + 1)   # float, as Odoo


    def c_variant_count(self, m, ids):
        return {i: self.q1("SELECT COUNT(*) FROM product_product WHERE product_tmpl_id = ? "
                           "AND active = 1", (i,)) for i in ids}

    def c_first_variant(self, m, ids):
        return {i: self.q1("SELECT id FROM product_product WHERE product_tmpl_id = ? AND "
                           "active = 1 ORDER BY id LIMIT 1", (i,)) for i in ids}

    def c_list_price(self, m, ids):
        return {i: float(p or 0) for i, p in self.q(
            "SELECT p.id, t.list_price FROM product_product p LEFT JOIN product_template t "
            "ON t.id = p.product_tmpl_id WHERE p.id IN (%s)" % ",".join("?" * len(ids)), ids)}

    def c_variant_values(self, m, ids):
        return {i: self.rel_ids("product.product", "product_template_attribute_value_ids", i)
                for i in ids}

    def c_company_currency(self, m, ids):
        return {i: 1 for i in ids}

    def c_imd_complete_name(self, m, ids):
        return {i: "%s.%s" % (a, b) for i, a, b in self.q(
            "SELECT id, module, name FROM ir_model_data WHERE id IN (%s)"
            % ",".join("?" * len(ids)), ids)}

    def c_invoice_count(self, m, ids):
        return {i: len(self.rel_ids("sale.order", "invoice_ids", i)) for i in ids}

    def so_line_qty_invoiced(self, lid):
        return float(self.q1(
            "SELECT COALESCE(SUM(CASE WHEN m.move_type = 'out_refund' THEN -l.quantity ELSE "
            "l.quantity END), 0) FROM account_move_line__sale_line_ids r JOIN "
            "account_move_line l ON l.id = r.id1 JOIN account_move m ON m.id = l.move_id "
            "WHERE r.id2 = ? AND m.state != 'cancel' AND l.display_type = 'product'",
            (lid,)) or 0)


    def so_line_to_invoice(self, lid):
        r = self.db.execute("SELECT l.display_type, l.product_uom_qty, o.state FROM "
                            "sale_order_line l JOIN sale_order o ON o.id = l.order_id WHERE "
                            "l.id = ?", (lid,)).fetchone()
        if not r or r[0] or r[2] != "sale":
            return 0.0
        return float(dec(r[1]) - dec(self.so_line_qty_invoiced(lid)))


    def so_line_status(self, lid):
        r = self.db.execute("SELECT l.display_type, l.product_uom_qty, o.state FROM "
                            "sale_order_line l JOIN sale_order o ON o.id = l.order_id WHERE "
                            "l.id = ?", (lid,)).fetchone()
        if not r or r[0] or r[2] != "sale":
            return "no"
        if self.so_line_to_invoice(lid) > 0:
            return "to invoice"
        if self.so_line_qty_invoiced(lid) >= (r[1] or 0):
            return "invoiced"
        return "no"


    def so_status(self, oid):
        """sale.order.invoice_status from its lines."""
        st = self.q1("SELECT state FROM sale_order WHERE id = ?", (oid,))
        if st != "sale":
            return "no"
        lines = [r[0] for r in self.q("SELECT id FROM sale_order_line WHERE order_id = ? "
                                      "AND display_type IS NULL", (oid,))]
        sts = [self.so_line_status(lid) for lid in lines]
        if "to invoice" in sts:
            return "to invoice"
        if sts and all(s == "invoiced" for s in sts):
            return "invoiced"
        return "no"

    def recompute_so_status(self, oids):
        for oid in oids:
            self.db.execute("UPDATE sale_order SET invoice_status = ? WHERE id = ?",
                            (self.so_status(oid), oid))

    def po_line_qty_invoiced(self, lid):
        return float(self.q1(
            "SELECT COALESCE(SUM(CASE WHEN m.move_type = 'in_refund' THEN -l.quantity ELSE "
            "l.quantity END), 0) FROM account_move_line l JOIN account_move m ON "
            "m.id = l.move_id WHERE l.purchase_line_id = ? AND m.state != 'cancel'",
            (lid,)) or 0)


    def po_line_to_invoice(self, lid):
        r = self.db.execute("SELECT l.qty_received, o.state FROM purchase_order_line l JOIN "
                            "purchase_order o ON o.id = l.order_id WHERE l.id = ?",
                            (lid,)).fetchone()
        if not r or r[1] not in ("purchase", "done"):
            return 0.0
        return float(dec(r[0]) - dec(self.po_line_qty_invoiced(lid)))


    def po_moves(self, oid):
        return [r[0] for r in self.q(
            "SELECT DISTINCT m.id FROM account_move_line l JOIN account_move m ON "
            "m.id = l.move_id JOIN purchase_order_line pl ON pl.id = l.purchase_line_id "
            "WHERE pl.order_id = ? AND m.state != 'cancel' ORDER BY m.id", (oid,))]


    def c_po_invoice_count(self, m, ids):
        return {i: len(self.po_moves(i)) for i in ids}

    def c_po_invoice_status(self, m, ids):
        out = {}
        for i in ids:
            st = self.q1("SELECT state FROM purchase_order WHERE id = ?", (i,))
            lines = [r[0] for r in self.q("SELECT id FROM purchase_order_line WHERE "
                                          "order_id = ?", (i,))]
            if st not in ("purchase", "done"):
                out[i] = "no"
            elif any(self.po_line_to_invoice(lid) > 0 for lid in lines):
                out[i] = "to invoice"
            elif self.po_moves(i):
                out[i] = "invoiced"
            else:
                out[i] = "no"
        return out

    def payment_moves(self, pid, kinds):
        return [r[0] for r in self.q(
            'SELECT m.id FROM "account_payment__invoice_ids" r JOIN account_move m ON '
            "m.id = r.id2 WHERE r.id1 = ? AND m.move_type IN (%s) ORDER BY m.id"
            % ",".join("?" * len(kinds)), (pid,) + tuple(kinds))]

    def c_reconciled_invoices(self, m, ids):
        return {i: self.payment_moves(i, ("out_invoice", "out_refund", "out_receipt"))
                for i in ids}

    def c_reconciled_bills(self, m, ids):
        return {i: self.payment_moves(i, ("in_invoice", "in_refund", "in_receipt"))
                for i in ids}

    c_uom_factor = each("uom_factor")
    c_so_qty_invoiced = each("so_line_qty_invoiced")
    c_so_qty_to_invoice = each("so_line_to_invoice")
    c_so_line_invoice_status = each("so_line_status")
    c_po_qty_invoiced = each("po_line_qty_invoiced")
    c_po_qty_to_invoice = each("po_line_to_invoice")
    c_po_invoices = each("po_moves")

    # ---------------------------------------------------------------- create
    def create_one(self, m, vals):
        if isinstance(vals, dict):
            vals = self.context_defaults(m, vals)
            vals = self.default_taxes(m, vals)
        if m.name == "product.product" and isinstance(vals, dict) \
                and not vals.get("product_tmpl_id"):
            return self.create_variant_with_template(vals)
        return super().create_one(m, vals)

    def default_taxes(self, m, vals):
        """A line sent without tax_ids gets its product's taxes (a template gets the
        company's default sale and purchase taxes), as Odoo does."""
        if m.name == "product.template":
            out = dict(vals)
            out.setdefault("taxes_id", [[6, 0, [1]]])
            out.setdefault("supplier_taxes_id", [[6, 0, [2]]])
            return out
        field = {"sale.order.line": "taxes_id",
                 "purchase.order.line": "supplier_taxes_id"}.get(m.name)
        if field is None or "tax_ids" in vals or vals.get("display_type") \
                or not vals.get("product_id") or isinstance(vals["product_id"], bool):
            return vals
        tmpl = self.q1("SELECT product_tmpl_id FROM product_product WHERE id = ?",
                       (vals["product_id"],))
        if tmpl is None:
            return vals
        return dict(vals, tax_ids=[[6, 0, self.rel_ids("product.template", field, tmpl)]])

    def context_defaults(self, m, vals):
        """default_<field> keys of the context, and the wizards' active_ids."""
        ctx = self.context or {}
        out = dict(vals)
        for k, v in ctx.items():
            if k.startswith("default_") and k[8:] in m.fields and k[8:] not in out:
                out[k[8:]] = v
        act = ctx.get("active_ids") or ([ctx["active_id"]] if ctx.get("active_id") else [])
        if m.name == "sale.advance.payment.inv" and "sale_order_ids" not in out \
                and ctx.get("active_model") == "sale.order" and act:
            out["sale_order_ids"] = [[6, 0, list(act)]]
        if m.name == "account.payment.register" and ctx.get("active_model") == "account.move" \
                and act:
            out = self.register_defaults(out, list(act))
        return out

    def create_variant_with_template(self, vals):
        tm, pm = self.models["product.template"], self.models["product.product"]
        tvals = {k: v for k, v in vals.items() if k in tm.fields and k != "id"}
        if "lst_price" in vals and "list_price" not in tvals:
            tvals["list_price"] = vals["lst_price"]
        tid = super().create_one(tm, tvals)
        vid = self.q1("SELECT id FROM product_product WHERE product_tmpl_id = ? ORDER BY id",
                      (tid,))
        rest = {k: v for k, v in vals.items() if k in pm.fields and k not in tm.fields}
        if rest:
            self.write(pm, [vid], rest)
        return vid

    def before_create(self, m, row):
        name = m.name
        if name in ("sale.order.line", "purchase.order.line", "account.move.line") \
                and not row.get("name") and row.get("product_id"):
            # the line's description is the product's display name (_compute_name)
            row["name"] = self.q1(
                "SELECT CASE WHEN default_code IS NOT NULL THEN '[' || default_code || '] ' "
                "|| name ELSE name END FROM product_product WHERE id = ?", (row["product_id"],))
        super().before_create(m, row)
        if name == "sale.order":
            pl = row.get("pricelist_id") or self.q1(
                "SELECT property_product_pricelist FROM res_partner WHERE id = ?",
                (row.get("partner_id"),)) or self.q1(
                "SELECT id FROM product_pricelist WHERE active = 1 AND currency_id = "
                "(SELECT currency_id FROM res_company WHERE id = 1) ORDER BY id LIMIT 1")
            row["pricelist_id"] = pl
            # the currency follows the pricelist: a sent currency_id is ignored
            row["currency_id"] = self.q1("SELECT currency_id FROM product_pricelist WHERE "
                                         "id = ?", (pl,)) or row.get("currency_id") or 1
            row.setdefault("locked", 0)
        elif name in ("sale.order.line", "purchase.order.line"):
            if row.get("display_type"):
                row["product_id"] = None
                row["product_uom_id"] = None
                row["product_uom_qty" if name == "sale.order.line" else "product_qty"] = 0
                row["price_unit"] = 0
            elif row.get("product_id"):
                p = self.db.execute(
                    "SELECT p.uom_id, p.lst_price, CASE WHEN p.default_code IS NOT NULL THEN "
                    "'[' || p.default_code || '] ' || p.name ELSE p.name END FROM "
                    "product_product p WHERE p.id = ?", (row["product_id"],)).fetchone()
                if p:
                    if not row.get("product_uom_id"):
                        row["product_uom_id"] = p[0]
                    if row.get("price_unit") is None:
                        row["price_unit"] = p[1] or 0
        elif name == "account.move":
            if row.get("name") in ("/", ""):
                row["name"] = None
            if not row.get("journal_id"):
                # the journal of the move's type, as Odoo's default
                mt = row.get("move_type") or "entry"
                row["journal_id"] = self.q1(
                    "SELECT id FROM account_journal WHERE type = ? ORDER BY id",
                    ("sale" if mt.startswith("out") else "purchase" if mt.startswith("in")
                     else "general",))
            if row.get("move_type") in INVOICE_KINDS and not row.get("invoice_date_due"):
                row["invoice_date_due"] = row.get("invoice_date") or self.today()
        elif name == "account.move.line":
            if row.get("display_type") in DISPLAY_LINES:
                row["quantity"] = 0
                row["price_unit"] = 0
        elif name == "account.payment":
            if row.get("name") in ("/", ""):
                row["name"] = None
            if not row.get("payment_method_line_id"):
                row["payment_method_line_id"] = 1 if row.get("payment_type") != "outbound" \
                    else 2
            if not row.get("outstanding_account_id"):
                row["outstanding_account_id"] = ACC_OUT_RECEIPTS \
                    if row.get("payment_type") != "outbound" else ACC_OUT_PAYMENTS
        elif name == "hr.employee":
            if not row.get("work_contact_id") and not self.seeding:
                row["work_contact_id"] = super().create_one(
                    self.models["res.partner"], {"name": row.get("name"),
                                                 "email": row.get("work_email") or False})
            if not row.get("coach_id") and row.get("parent_id"):
                row["coach_id"] = row["parent_id"]
        elif name == "crm.lead":
            if not row.get("stage_id"):
                row["stage_id"] = self.q1("SELECT id FROM crm_stage ORDER BY sequence, id "
                                          "LIMIT 1")
            if row.get("probability") in (None, 0) and "probability" not in (
                    self._create_vals or {}):
                row["probability"] = 33.14
            if not row.get("user_id") and "user_id" not in (self._create_vals or {}):
                row["user_id"] = self.uid
            if not row.get("team_id"):
                row["team_id"] = self.q1("SELECT id FROM crm_team ORDER BY id LIMIT 1")
            if row.get("partner_id") and not row.get("partner_name"):
                r = self.db.execute("SELECT name, is_company FROM res_partner WHERE id = ?",
                                    (row["partner_id"],)).fetchone()
                if r and r[1]:
                    row["partner_name"] = r[0]
                elif r and not row.get("contact_name"):
                    row["contact_name"] = r[0]
        elif name == "ir.model.data":
            if self.db.execute("SELECT 1 FROM ir_model_data WHERE module = ? AND name = ?",
                               (row.get("module"), row.get("name"))).fetchone():
                raise ValidationError(
                    "The operation cannot be completed: duplicate key value violates unique "
                    "constraint \"ir_model_data_module_name_uniq_index\"\nDETAIL:  Key "
                    "(module, name)=(%s, %s) already exists.\n" % (row.get("module"),
                                                                   row.get("name")))
        elif name == "uom.uom":
            if row.get("sequence") is None:
                row["sequence"] = 100 if not row.get("relative_uom_id") else 1000

    _create_vals = None
    _nested = 0
    _seq_used = None

    def prepare(self, m, vals, creating):
        if creating:
            self._create_vals = vals
        if self._nested and isinstance(vals, dict):
            for k in vals:
                if k not in m.fields:
                    # a line of an x2many command fails in _update_cache
                    raise ValueErr("Invalid field %r on model %r" % (k, m.name))
        return super().prepare(m, vals, creating)

    def apply_x2many(self, m, rid, cmds):
        self._nested += 1
        try:
            return super().apply_x2many(m, rid, cmds)
        finally:
            self._nested -= 1

    def next_seq(self, prefix, width, m):
        """Odoo's sequences are not transactional: a number taken by a call that
        failed stays used (50o: no S00033)."""
        if self._seq_used is None:
            self._seq_used = {}
        n = max(self._seq_used.get((m.name, prefix), 0), self.db.execute(
            'SELECT COUNT(*) FROM "%s" WHERE name LIKE ?' % m.table,
            (prefix + "%",)).fetchone()[0]) + 1
        while self.db.execute('SELECT 1 FROM "%s" WHERE name = ?' % m.table,
                              (prefix + "%0*d" % (width, n),)).fetchone():
            n += 1
        self._seq_used[(m.name, prefix)] = n
        return prefix + "%0*d" % (width, n)

    def after_write(self, m, ids, row, creating):
        if m.name == "product.template" and creating and \
                self._create_vals_has_attributes(ids[0]):
            self.make_variants(ids[0], row)
            self.after_write_rest(m, ids, row, creating)
            return
        super().after_write(m, ids, row, creating)
        self.after_write_rest(m, ids, row, creating)

    def write(self, m, ids, vals):
        super().write(m, ids, vals)
        # Odoo's product.template.write makes the variants again when the
        # attribute lines change (and only then)
        if m.name == "product.template" and isinstance(vals, dict) and \
                "attribute_line_ids" in vals:
            for tid in ids:
                self.make_variants(tid, vals)

    def after_write_rest(self, m, ids, row, creating):
        name = m.name
        if name == "sale.order.line":
            for ch in odoo_orm.chunks(ids):
                self.db.execute("UPDATE sale_order_line SET price_tax = ROUND(price_total - "
                                "price_subtotal, 2) WHERE id IN (%s)"
                                % ",".join("?" * len(ch)), ch)
        if name == "sale.order" and not creating and "pricelist_id" in row \
                and "currency_id" not in row:
            # currency_id is computed from the pricelist: a new pricelist recomputes it
            for ch in odoo_orm.chunks(ids):
                self.db.execute("UPDATE sale_order SET currency_id = (SELECT currency_id FROM "
                                "product_pricelist p WHERE p.id = sale_order.pricelist_id) "
                                "WHERE pricelist_id IS NOT NULL AND id IN (%s)"
                                % ",".join("?" * len(ch)), ch)
            row = dict(row, currency_id=True)
        if name == "sale.order" and not creating and "currency_id" in row:
            self.recompute_totals(m, ids)
        if name == "account.move.line":
            for ch in odoo_orm.chunks(ids):
                self.dirty_moves.update(r[0] for r in self.q(
                    "SELECT move_id FROM account_move_line WHERE id IN (%s)"
                    % ",".join("?" * len(ch)), ch))
        if name == "account.move" and (creating or "invoice_date_due" in row
                                       or "invoice_date" in row):
            self.dirty_moves.update(ids)
        if name == "stock.move" and not creating and ("quantity" in row or "picked" in row):
            for mid in ids:
                q, pk = self.db.execute("SELECT quantity, picked FROM stock_move WHERE id = ?",
                                        (mid,)).fetchone()
                self.db.execute("UPDATE stock_move_line SET quantity = ?, picked = ? WHERE "
                                "move_id = ?", (q, pk, mid))
        if name in ("res.partner", "hr.department") and not creating and "name" in row:
            pass

    def _create_vals_has_attributes(self, tid):
        return bool(self.q1("SELECT 1 FROM product_template_attribute_line WHERE "
                            "product_tmpl_id = ?", (tid,)))

    def make_variants(self, tid, row):
        """One variant per combination of the template's attribute values
        (72), as Odoo's _create_variant_ids: on create, and on a write that
        changes the attribute lines the combinations missing are created
        (an archived variant of a combination back is made active again)
        and the variants of combinations gone (or the one variant of a
        template that had no attribute) archived."""
        import itertools
        lines = []
        for lid, in self.q("SELECT id FROM product_template_attribute_line WHERE "
                           "product_tmpl_id = ? ORDER BY id", (tid,)):
            ptavs = []
            for vid in self.rel_ids("product.template.attribute.line", "value_ids", lid):
                ptav = self.q1("SELECT id FROM product_template_attribute_value WHERE "
                               "attribute_line_id = ? AND product_attribute_value_id = ?",
                               (lid, vid))
                vname = self.q1("SELECT name FROM product_attribute_value WHERE id = ?", (vid,))
                if ptav is None:
                    ptav = self.insert(self.models["product.template.attribute.value"], {
                        "product_attribute_value_id": vid, "attribute_line_id": lid,
                        "product_tmpl_id": tid, "name": vname, "create_date": self.now,
                        "write_date": self.now, "create_uid": self.uid,
                        "write_uid": self.uid})
                ptavs.append((ptav, vname))
            lines.append(ptavs)
        t = self.db.execute("SELECT name, type, categ_id, list_price, standard_price, uom_id, "
                            "active, is_storable FROM product_template WHERE id = ?",
                            (tid,)).fetchone()
        rel = self.rel_table(self.models["product.product"],
                             self.models["product.product"].fields[
                                 "product_template_attribute_value_ids"])
        have, gone = {}, {}
        for (vid, act) in self.q("SELECT id, COALESCE(active, 1) FROM product_product WHERE "
                                 "product_tmpl_id = ? ORDER BY id", (tid,)):
            (have if act else gone)[frozenset(self.rel_ids(
                "product.product", "product_template_attribute_value_ids", vid))] = vid
        want = set()
        for combo in itertools.product(*lines):
            key = frozenset(p for p, _ in combo)
            want.add(key)
            if key in have:
                continue
            if key in gone:     # a combination back: its archived variant again
                self.db.execute("UPDATE product_product SET active = 1, write_date = ? "
                                "WHERE id = ?", (self.now, gone[key]))
                continue
            vid = self.insert(self.models["product.product"], {
                "name": t[0], "product_tmpl_id": tid, "type": t[1], "categ_id": t[2],
                "lst_price": t[3] or 0, "standard_price": t[4] or 0, "uom_id": t[5],
                "active": 1 if t[6] is None else t[6], "is_storable": t[7] or 0,
                "create_date": self.now, "write_date": self.now, "create_uid": self.uid,
                "write_uid": self.uid})
            for ptav, _ in combo:
                self.db.execute('INSERT INTO "%s" (id1, id2) VALUES (?, ?)' % rel, (vid, ptav))
        for key, vid in have.items():
            if key not in want:
                self.db.execute("UPDATE product_product SET active = 0, write_date = ? "
                                "WHERE id = ?", (self.now, vid))

    def recompute_complete_name(self, m, ids, sep):
        super().recompute_complete_name(m, ids, sep)
        if m.name == "res.partner":
            # a contact of a nameless parent: "False, Name" (Python's str(False))
            for ch in odoo_orm.chunks(list(ids)):
                self.db.execute(
                    "UPDATE res_partner AS t SET complete_name = 'False, ' || "
                    "COALESCE(t.name, '') FROM res_partner p WHERE p.id = t.parent_id AND "
                    "p.name IS NULL AND t.id IN (%s)" % ",".join("?" * len(ch)), ch)

    # ---------------------------------------------------------------- lines & totals
    def recompute_lines(self, m, ids):
        if m.name != "account.move.line":
            return super().recompute_lines(m, ids)
        self.dirty_moves.update(r[0] for ch in odoo_orm.chunks(list(ids)) for r in self.q(
            "SELECT move_id FROM account_move_line WHERE id IN (%s)"
            % ",".join("?" * len(ch)), ch))

    def recompute_totals(self, pm, ids):
        if pm.name != "account.move":
            return super().recompute_totals(pm, ids)
        self.dirty_moves.update(ids)

    def sync_move(self, mid):
        """The lines Odoo computes on an invoice (one tax line per tax, the
        payment-term line), the amounts of the product lines, the totals, the
        residual and the payment state."""
        mv = self.db.execute("SELECT move_type, state, partner_id, invoice_date_due, "
                             "amount_total FROM account_move WHERE id = ?", (mid,)).fetchone()
        mtype, state, partner, due = mv[0], mv[1], mv[2], mv[3]
        if mtype not in INVOICE_KINDS:
            # a journal entry's lines are as written: balance = debit - credit
            self.db.execute("UPDATE account_move_line SET balance = ROUND(COALESCE(debit, 0) - "
                            "COALESCE(credit, 0), 2), amount_currency = ROUND(COALESCE(debit, "
                            "0) - COALESCE(credit, 0), 2) WHERE move_id = ?", (mid,))
            return
        inbound = mtype in ("out_invoice", "in_refund", "out_receipt")
        sign = -1 if inbound else 1          # product lines: credit on a sale
        taxrel = self.rel_table(self.models["account.move.line"],
                                self.models["account.move.line"].fields["tax_ids"])
        self.db.execute("UPDATE account_move_line SET account_id = ? WHERE move_id = ? AND "
                        "display_type = 'product' AND account_id IS NULL",
                        (ACC_SALES if mtype.startswith("out") else ACC_EXPENSES, mid))
        untaxed, taxes = Decimal(0), {}
        for lid, dt, q, pu, disc in self.q(
                "SELECT id, display_type, quantity, price_unit, discount FROM "
                "account_move_line WHERE move_id = ? AND display_type IN ('product') "
                "ORDER BY sequence, id", (mid,)):
            sub = dec(money(dec(q) * dec(pu) * (1 - dec(disc) / 100)))
            tot = sub
            for tid, amt in self.q('SELECT x.id, x.amount FROM "%s" r JOIN account_tax x ON '
                                   'x.id = r.id2 WHERE r.id1 = ?' % taxrel, (lid,)):
                t = dec(money(sub * dec(amt) / 100))
                taxes[tid] = taxes.get(tid, Decimal(0)) + t
                tot += t
            bal = float(sub * sign)
            self.db.execute("UPDATE account_move_line SET price_subtotal = ?, price_total = ?, "
                            "balance = ?, amount_currency = ?, debit = ?, credit = ?, "
                            "partner_id = ? WHERE id = ?",
                            (float(sub), float(tot), bal, bal, max(bal, 0.0),
                             max(-bal, 0.0), partner, lid))
            untaxed += sub
        self.db.execute("UPDATE account_move_line SET price_subtotal = 0, price_total = 0, "
                        "balance = 0, amount_currency = 0, debit = 0, credit = 0, "
                        "account_id = NULL WHERE move_id = ? AND display_type IN "
                        "('line_section', 'line_subsection', 'line_note')", (mid,))
        tax_acc = ACC_TAX_RECEIVED if mtype.startswith("out") else ACC_TAX_PAID
        have = {r[1]: r[0] for r in self.q("SELECT id, tax_line_id FROM account_move_line "
                                           "WHERE move_id = ? AND display_type = 'tax'",
                                           (mid,))}
        for tid, amt in sorted(taxes.items()):
            if amt == 0:
                continue
            bal = float(amt * sign)
            vals = {"name": self.q1("SELECT name FROM account_tax WHERE id = ?", (tid,)),
                    "balance": bal, "amount_currency": bal, "debit": max(bal, 0.0),
                    "credit": max(-bal, 0.0), "account_id": tax_acc, "partner_id": partner}
            if tid in have:
                self.upd("account_move_line", have.pop(tid), vals)
            else:
                self.new_line(mid, dict(vals, display_type="tax", tax_line_id=tid,
                                        sequence=10000, quantity=0, price_unit=0))
        for lid in have.values():
            self.db.execute("DELETE FROM account_move_line WHERE id = ?", (lid,))
        total = untaxed + sum(taxes.values(), Decimal(0))
        bal = float(-total * sign)
        vals = {"balance": bal, "amount_currency": bal, "debit": max(bal, 0.0),
                "credit": max(-bal, 0.0), "date_maturity": due, "partner_id": partner,
                "account_id": ACC_RECEIVABLE if mtype.startswith("out") else ACC_PAYABLE}
        pt = self.q1("SELECT id FROM account_move_line WHERE move_id = ? AND display_type = "
                     "'payment_term'", (mid,))
        if not self.q1("SELECT 1 FROM account_move_line WHERE move_id = ? AND display_type = "
                       "'product'", (mid,)):
            # no product line, no term to pay (and action_post refuses it)
            if pt:
                self.db.execute("DELETE FROM account_move_line WHERE id = ?", (pt,))
        elif pt:
            self.upd("account_move_line", pt, vals)
        else:
            self.new_line(mid, dict(vals, display_type="payment_term", sequence=12000,
                                    quantity=0, price_unit=0))
        total_f = money(total)
        paid = dec(self.q1(
            "SELECT COALESCE(SUM(p.amount), 0) FROM account_move__matched_payment_ids r JOIN "
            "account_payment p ON p.id = r.id2 WHERE r.id1 = ? AND p.is_reconciled = 1",
            (mid,)))
        residual = money(dec(total_f) - paid) if state == "posted" or paid else total_f
        if state != "posted":
            pstate = "not_paid"
        elif residual <= 0 and total_f:
            pstate = "paid"
        elif paid > 0:
            pstate = "partial"
        else:
            pstate = "not_paid"
        self.db.execute("UPDATE account_move SET amount_untaxed = ?, amount_tax = ?, "
                        "amount_total = ?, amount_residual = ?, payment_state = ? WHERE id = ?",
                        (money(untaxed), money(total - untaxed), total_f, max(residual, 0.0),
                         pstate, mid))

    def upd(self, table, rid, vals):
        self.db.execute('UPDATE "%s" SET %s WHERE id = ?' % (
            table, ", ".join('"%s" = ?' % k for k in vals)), list(vals.values()) + [rid])

    def new_line(self, mid, vals):
        row = dict(vals, move_id=mid, create_date=self.now, write_date=self.now,
                   create_uid=self.uid, write_uid=self.uid,
                   parent_state=self.q1("SELECT state FROM account_move WHERE id = ?", (mid,)))
        row.setdefault("name", None)
        return self.insert(self.models["account.move.line"], row)

    # ---------------------------------------------------------------- write / unlink
    def m_write(self, m, ids, vals):
        if m.name == "account.move" and isinstance(vals, dict):
            bad = [k for k in vals if k in POSTED_MOVE_LOCKED]
            if bad and self.q1("SELECT 1 FROM account_move WHERE state = 'posted' AND id IN "
                               "(%s)" % ",".join("?" * len(ids)), ids):
                raise UserError("You cannot modify the following readonly fields on a "
                                "posted move: %s" % ", ".join(bad))
        return super().m_write(m, ids, vals)

    def m_unlink(self, m, ids):
        ids = self.existing(m, ids)
        if m.name == "sale.order" and ids and self.q1(
                "SELECT 1 FROM sale_order WHERE state NOT IN ('draft', 'cancel') AND id IN "
                "(%s)" % ",".join("?" * len(ids)), ids):
            raise UserError("You can not delete a sent quotation or a confirmed sales order. "
                            "You must first cancel it.")
        if m.name == "account.move" and ids and self.q1(
                "SELECT 1 FROM account_move WHERE state = 'posted' AND id IN (%s)"
                % ",".join("?" * len(ids)), ids):
            raise UserError("You can't delete a posted journal item. Don\u2019t play games "
                            "with your accounting records; reset the journal entry to draft "
                            "before deleting it.")
        orders = []
        if m.name == "account.move" and ids:
            rel = "sale_order__invoice_ids"
            orders = [r[0] for r in self.q("SELECT DISTINCT id1 FROM %s WHERE id2 IN (%s)"
                                           % (rel, ",".join("?" * len(ids))), ids)]
        res = super().m_unlink(m, ids)
        if orders:
            self.recompute_so_status(orders)
        return res

    # ---------------------------------------------------------------- external ids
    def m_check_object_reference(self, m, module, xml_id, raise_on_access_error=False):
        r = self.db.execute("SELECT model, res_id FROM ir_model_data WHERE module = ? AND "
                            "name = ?", (module, xml_id)).fetchone()
        if not r:
            raise ValueErr("External ID not found in the system: %s.%s" % (module, xml_id))
        return [r[0], r[1]]

    def xmlid_of(self, m, rid, create=True):
        r = self.db.execute("SELECT module, name FROM ir_model_data WHERE model = ? AND "
                            "res_id = ? ORDER BY id DESC LIMIT 1", (m.name, rid)).fetchone()
        if r:
            return "%s.%s" % r
        return super().xmlid_of(m, rid, create)

    # ---------------------------------------------------------------- actions
    def action(self, m, method, ids):
        key = (m.name, method)
        fn = {
            ("sale.order", "action_confirm"): self.so_confirm,
            ("sale.order", "action_cancel"): self.so_cancel,
            ("sale.advance.payment.inv", "create_invoices"): self.create_invoices,
            ("account.move", "action_post"): self.move_post,
            ("account.payment", "action_post"): self.payment_post,
            ("account.payment.register", "action_create_payments"): self.register_pay,
            ("stock.picking", "button_validate"): self.picking_validate,
            ("stock.backorder.confirmation", "process"): self.backorder_process,
            ("stock.backorder.confirmation", "process_cancel_backorder"):
                self.backorder_process_cancel,
            ("purchase.order", "button_confirm"): self.po_confirm,
            ("purchase.order", "action_create_invoice"): self.po_bill,
        }.get(key)
        if fn is None:
            return super().action(m, method, ids)
        ids = self.existing(m, ids) if ids else []
        return fn(ids)

    # sales
    def so_confirm(self, ids):
        m = self.models["sale.order"]
        for oid in ids:
            st = self.q1("SELECT state FROM sale_order WHERE id = ?", (oid,))
            if st not in ("draft", "sent"):
                raise UserError("Some orders are not in a state requiring confirmation.")
        for oid in ids:
            self.write(m, [oid], {"state": "sale", "date_order": self.now})
            self.db.execute("UPDATE sale_order_line SET state = 'sale' WHERE order_id = ?",
                            (oid,))
            self.recompute_so_status([oid])
            self.order_picking("sale", oid)
        return True

    def order_picking(self, kind, oid):
        """The delivery (sale) or receipt (purchase) of a confirmed order's goods."""
        sale = kind == "sale"
        lines = self.q("SELECT l.id, l.product_id, l.%s, l.product_uom_id, l.name FROM "
                       "%s_order_line l JOIN product_product p ON p.id = l.product_id WHERE "
                       "l.order_id = ? AND l.display_type IS NULL AND p.type = 'consu' "
                       "ORDER BY l.sequence, l.id" % ("product_uom_qty" if sale else
                                                      "product_qty", kind), (oid,))
        if not lines:
            return
        o = self.db.execute("SELECT name, partner_id FROM %s_order WHERE id = ?" % kind,
                            (oid,)).fetchone()
        link = "sale_line_id" if sale else "purchase_line_id"
        self.make_picking("outgoing" if sale else "incoming", o[0], o[1], [
            {"product_id": p, "product_uom_qty": q, "product_uom": u or 1, "name": n,
             link: lid} for lid, p, q, u, n in lines], **{kind + "_id": oid})
        self.db.execute("UPDATE %s_order SET %s = 'pending' WHERE id = ?" % (
            kind, "delivery_status" if sale else "receipt_status"), (oid,))

    def so_cancel(self, ids):
        """sale.order.action_cancel: the order and its open transfers cancelled."""
        for oid in ids:
            self.write(self.models["sale.order"], [oid], {"state": "cancel"})
            self.db.execute("UPDATE sale_order_line SET state = 'cancel' WHERE order_id = ?",
                            (oid,))
            self.db.execute("UPDATE stock_move SET state = 'cancel' WHERE picking_id IN "
                            "(SELECT id FROM stock_picking WHERE sale_id = ? AND state NOT IN "
                            "('done', 'cancel'))", (oid,))
            self.db.execute("UPDATE stock_picking SET state = 'cancel' WHERE sale_id = ? AND "
                            "state NOT IN ('done', 'cancel')", (oid,))
            self.recompute_so_status([oid])
        return True

    def create_invoices(self, ids):
        """sale.advance.payment.inv.create_invoices (regular invoices)."""
        wid = ids[0]
        wiz = self.db.execute("SELECT advance_payment_method, consolidated_billing FROM "
                              "sale_advance_payment_inv WHERE id = ?", (wid,)).fetchone()
        if wiz[0] != "delivered":
            raise UserError("The sandbox makes regular invoices only.")
        sids = self.rel_ids("sale.advance.payment.inv", "sale_order_ids", wid)
        orders = [r for r in self.q(
            "SELECT id, name, partner_id, currency_id, client_order_ref, state FROM sale_order "
            "WHERE id IN (%s) ORDER BY date_order DESC, id DESC"
            % ",".join("?" * len(sids)), sids)] if sids else []
        groups = {}
        for o in orders:
            todo = [lid for lid, in self.q("SELECT id FROM sale_order_line WHERE order_id = ?",
                                           (o[0],)) if self.so_line_to_invoice(lid) > 0]
            if o[5] != "sale" or not todo:
                continue
            key = (o[2], o[3]) if wiz[1] else (o[0],)
            groups.setdefault(key, []).append(o)
        if not groups:
            raise UserError(NO_INVOICEABLE)
        mv_m = self.models["account.move"]
        journal = self.q1("SELECT id FROM account_journal WHERE type = 'sale' ORDER BY id")
        moves = []
        for key, grp in groups.items():
            grp = sorted(grp, key=lambda o: o[1])
            lines, seq = [], 0
            for o in grp:
                for lid, pid, name, qty, pu, disc, dt in self.q(
                        "SELECT id, product_id, name, product_uom_qty, price_unit, discount, "
                        "display_type FROM sale_order_line WHERE order_id = ? ORDER BY "
                        "sequence, id", (o[0],)):
                    if dt:
                        lines.append([0, 0, {"display_type": dt, "name": name,
                                             "sequence": seq,
                                             "sale_line_ids": [[6, 0, [lid]]]}])
                    else:
                        q = self.so_line_to_invoice(lid)
                        if q <= 0:
                            continue
                        lines.append([0, 0, {
                            "display_type": "product", "product_id": pid, "name": name,
                            "quantity": q, "price_unit": pu, "discount": disc or 0,
                            "tax_ids": [[6, 0, self.rel_ids("sale.order.line", "tax_ids",
                                                            lid)]],
                            "account_id": ACC_SALES, "sequence": seq,
                            "sale_line_ids": [[6, 0, [lid]]]}])
                    seq += 1
            refs = [o[4] for o in grp if o[4]]
            mid = self.create_one(mv_m, {
                "move_type": "out_invoice", "partner_id": grp[0][2], "journal_id": journal,
                "invoice_origin": ", ".join(o[1] for o in grp),
                "ref": ", ".join(refs) if refs else False,
                "currency_id": grp[0][3] or 1, "invoice_user_id": self.uid,
                "invoice_line_ids": lines})
            moves.append(mid)
            for o in grp:
                self.link(self.models["sale.order"],
                          self.models["sale.order"].fields["invoice_ids"], o[0], [mid])
        self.flush()
        self.recompute_so_status([o[0] for o in orders])
        act = dict(OUT_INVOICE_ACTION)
        if len(moves) == 1:
            act["res_id"] = moves[0]
            if len(orders) == 1:
                o = orders[0]
                act["context"] = {"default_move_type": "out_invoice",
                                  "default_partner_id": o[2],
                                  "default_partner_shipping_id": o[2],
                                  "default_invoice_payment_term_id": None,
                                  "default_invoice_origin": o[1]}
            else:
                act["context"] = {"default_move_type": "out_invoice"}
        else:
            act["domain"] = [["id", "in", sorted(moves)]]
            act["context"] = {"default_move_type": "out_invoice"}
            act["views"] = [[759, "list"], [False, "kanban"], [False, "form"],
                            [False, "activity"]]
        return act

    # invoices
    def move_post(self, ids):
        self.flush()
        m = self.models["account.move"]
        for mid in ids:
            name, st, mtype, idate, date, partner = self.db.execute(
                "SELECT name, state, move_type, invoice_date, date, partner_id FROM "
                "account_move WHERE id = ?", (mid,)).fetchone()
            if st != "draft":
                raise UserError("The entry %s (id %d) must be in draft." % (name, mid))
            if mtype in ("in_invoice", "in_refund", "in_receipt") and not idate:
                raise UserError("The Bill/Refund date is required to validate this document.")
            if not self.q1("SELECT COUNT(*) FROM account_move_line WHERE move_id = ?", (mid,)):
                raise UserError("You need to add a line before posting.")
            vals = {"state": "posted"}
            if not idate and mtype in INVOICE_KINDS:
                idate = self.today()
                vals["invoice_date"] = idate
            if not name or name == "/":
                when = idate or date or self.today()
                if mtype in ("in_invoice", "in_refund", "in_receipt", "entry"):
                    prefix = {"in_invoice": "BILL", "in_refund": "RBILL", "entry": "MISC"}.get(
                        mtype, "BILL")
                    name = self.next_seq("%s/%s/%s/" % (prefix, when[:4], when[5:7]), 4, m)
                else:
                    prefix = {"out_refund": "RINV"}.get(mtype, "INV")
                    name = self.next_seq("%s/%s/" % (prefix, when[:4]), 5, m)
                vals["name"] = name
                if mtype in ("out_invoice", "out_refund", "out_receipt"):
                    vals["payment_reference"] = name
            self.write(m, [mid], vals)
            # parent_state is a stored related field: its recompute writes the
            # lines, so they change (write_date) with the move they belong to
            self.db.execute("UPDATE account_move_line SET parent_state = 'posted', "
                            "write_date = ?, write_uid = ? WHERE move_id = ?",
                            (self.now, self.uid, mid))
            self.sync_move(mid)
            if mtype in ("out_invoice", "out_refund", "out_receipt"):
                self.bump_rank(partner, "customer_rank")
            elif mtype in ("in_invoice", "in_refund", "in_receipt"):
                self.bump_rank(partner, "supplier_rank")
        return False

    # payments
    def payment_moves_ok(self, moves):
        for mid, st in self.q("SELECT id, state FROM account_move WHERE id IN (%s)"
                              % ",".join("?" * len(moves)), moves):
            if st != "posted":
                raise UserError("You can only register payment for posted journal entries.")

    def payment_post(self, ids, reconcile=False):
        """account.payment.action_post: numbered, its journal entry made; linked
        invoices (invoice_ids) see it matched but stay unpaid - only the register
        wizard reconciles (reconcile=True).  -> None, as Odoo."""
        m = self.models["account.payment"]
        for pid in ids:
            st, ptype, ptt, partner, memo, jid, date = self.db.execute(
                "SELECT state, payment_type, partner_type, partner_id, memo, journal_id, "
                "date FROM account_payment WHERE id = ?", (pid,)).fetchone()
            if st != "draft":
                raise UserError("Only a draft payment can be posted.")
            invs = self.rel_ids("account.payment", "invoice_ids", pid)
            if invs:
                self.payment_moves_ok(invs)
            name = self.next_seq("PBNK1/%s/" % (date or self.today())[:4], 5, m)
            mv = self.insert(self.models["account.move"], {
                "name": name, "ref": memo, "move_type": "entry", "state": "posted",
                "journal_id": jid, "partner_id": partner, "date": date or self.today(),
                "currency_id": 1, "company_id": 1, "payment_state": "not_paid",
                "create_date": self.now, "write_date": self.now, "create_uid": self.uid,
                "write_uid": self.uid})
            state = "in_process"
            if reconcile and ptype == "inbound":
                state = "paid"
            self.write(m, [pid], {"state": state, "name": name, "move_id": mv,
                                  "is_reconciled": bool(reconcile)})
            for inv in invs:
                self.link(self.models["account.move"],
                          self.models["account.move"].fields["matched_payment_ids"], inv, [pid])
                self.sync_move(inv)
            self.bump_rank(partner, "customer_rank" if ptt == "customer" else "supplier_rank")
        return None

    def register_defaults(self, vals, moves):
        rows = self.q("SELECT id, move_type, partner_id, currency_id, amount_residual, name, "
                      "ref, payment_reference, state FROM account_move WHERE id IN (%s) ORDER "
                      "BY id" % ",".join("?" * len(moves)), moves)
        if not rows:
            return vals
        for r in rows:
            if r[8] != "posted":
                raise UserError("You can only register payment for posted journal entries.")
        first = rows[0]
        inbound = first[1] in ("out_invoice", "in_refund", "out_receipt")
        source = sum((dec(r[4]) for r in rows), Decimal(0))
        out = dict(vals)
        out.setdefault("partner_id", first[2])
        out.setdefault("currency_id", first[3] or 1)
        out.setdefault("payment_type", "inbound" if inbound else "outbound")
        out.setdefault("partner_type", "customer" if first[1].startswith("out") else "supplier")
        out.setdefault("journal_id", self.q1("SELECT id FROM account_journal WHERE type = "
                                             "'bank' ORDER BY id"))
        out.setdefault("payment_method_line_id", 1 if inbound else 2)
        out.setdefault("payment_date", self.today())
        out.setdefault("communication", first[7] or first[6] or first[5])
        out.setdefault("amount", float(source))
        out["source_amount"] = float(source)
        out["payment_difference"] = money(source - dec(out["amount"]))
        out.setdefault("line_ids", [[6, 0, [r[0] for m_ in moves for r in self.q(
            "SELECT id FROM account_move_line WHERE move_id = ? AND display_type = "
            "'payment_term'", (m_,))]]])
        return out

    def register_pay(self, ids):
        """account.payment.register.action_create_payments: one payment, posted and
        reconciled with the wizard's invoices."""
        pm = self.models["account.payment"]
        res = None
        for wid in ids:
            w = self.db.execute("SELECT amount, journal_id, payment_method_line_id, "
                                "payment_date, communication, partner_id, payment_type, "
                                "partner_type, currency_id FROM account_payment_register WHERE "
                                "id = ?", (wid,)).fetchone()
            lines = self.rel_ids("account.payment.register", "line_ids", wid)
            moves = sorted({r[0] for r in self.q(
                "SELECT move_id FROM account_move_line WHERE id IN (%s)"
                % ",".join("?" * len(lines)), lines)}) if lines else []
            pid = super().create_one(pm, {
                "amount": w[0], "journal_id": w[1], "payment_method_line_id": w[2],
                "date": w[3], "memo": w[4], "partner_id": w[5], "payment_type": w[6],
                "partner_type": w[7], "currency_id": w[8],
                "invoice_ids": [[6, 0, moves]]})
            self.payment_post([pid], reconcile=True)
            res = {"name": "Payments", "type": "ir.actions.act_window",
                   "res_model": "account.payment", "context": {"create": False},
                   "view_mode": "form", "res_id": pid}
        return res

    # stock
    def make_picking(self, code, origin, partner, moves, sale_id=None, purchase_id=None,
                     backorder_id=None, scheduled=None):
        ptype = self.db.execute("SELECT id, sequence_code, default_location_src_id, "
                                "default_location_dest_id FROM stock_picking_type WHERE "
                                "code = ? ORDER BY id", (code,)).fetchone()
        pk_m = self.models["stock.picking"]
        name = self.next_seq("WH/%s/" % ptype[1], 5, pk_m)
        pid = self.insert(pk_m, {
            "name": name, "origin": origin, "partner_id": partner, "picking_type_id": ptype[0],
            "picking_type_code": code, "location_id": ptype[2], "location_dest_id": ptype[3],
            "scheduled_date": scheduled or self.now, "state": "assigned", "sale_id": sale_id,
            "purchase_id": purchase_id, "backorder_id": backorder_id,
            "create_date": self.now, "write_date": self.now, "create_uid": self.uid,
            "write_uid": self.uid})
        for mv in moves:
            mid = self.insert(self.models["stock.move"], dict(
                mv, picking_id=pid, quantity=mv["product_uom_qty"], picked=0,
                location_id=ptype[2], location_dest_id=ptype[3], state="assigned",
                reference=name, create_date=self.now, write_date=self.now,
                create_uid=self.uid, write_uid=self.uid))
            self.insert(self.models["stock.move.line"], {
                "move_id": mid, "picking_id": pid, "product_id": mv["product_id"],
                "quantity": mv["product_uom_qty"], "picked": 0, "location_id": ptype[2],
                "location_dest_id": ptype[3], "state": "assigned", "create_date": self.now,
                "write_date": self.now, "create_uid": self.uid, "write_uid": self.uid})
        return pid

    def picking_validate(self, ids):
        for pid in ids:
            st, code = self.db.execute("SELECT state, picking_type_code FROM stock_picking "
                                       "WHERE id = ?", (pid,)).fetchone()
            if st in ("done", "cancel"):
                raise UserError("You cannot validate a transfer if no quantities are "
                                "reserved or done.")
            if code == "incoming":
                missing = [r[0] for r in self.q(
                    "SELECT DISTINCT CASE WHEN p.default_code IS NOT NULL THEN '[' || "
                    "p.default_code || '] ' || p.name ELSE p.name END FROM stock_move_line l "
                    "JOIN product_product p ON p.id = l.product_id JOIN product_template t ON "
                    "t.id = p.product_tmpl_id WHERE l.picking_id = ? AND t.tracking IN "
                    "('lot', 'serial') AND l.quantity > 0 AND l.lot_id IS NULL AND "
                    "(l.lot_name IS NULL OR l.lot_name = '')", (pid,))]
                if missing:
                    raise UserError("You need to supply a Lot/Serial number for products %s."
                                    % ", ".join(missing))
            # Odoo's _sanity_check: nothing to move is refused
            if not self.q1("SELECT 1 FROM stock_move WHERE picking_id = ? AND quantity > 0 "
                           "AND state NOT IN ('done', 'cancel')", (pid,)):
                raise UserError("Transfer trouble alert! Validating a zero quantity "
                                "transfer? You're not moving invisible goods around are "
                                "you?\nSet some quantities and let's get moving!")
            # _pre_action_done_hook: nothing picked by hand picks every move
            if not self.q1("SELECT 1 FROM stock_move WHERE picking_id = ? AND picked = 1 "
                           "AND state NOT IN ('done', 'cancel')", (pid,)):
                self.db.execute("UPDATE stock_move SET picked = 1 WHERE picking_id = ? AND "
                                "state NOT IN ('done', 'cancel')", (pid,))
                self.db.execute("UPDATE stock_move_line SET picked = 1 WHERE picking_id = ? "
                                "AND state NOT IN ('done', 'cancel')", (pid,))
            # _check_backorder: a move short of its demand, or not picked
            short = self.q1("SELECT 1 FROM stock_move WHERE picking_id = ? AND "
                            "product_uom_qty > 0 AND (quantity < product_uom_qty OR "
                            "picked = 0) AND state NOT IN ('done', 'cancel')", (pid,))
            if short and not (self.context or {}).get("skip_backorder"):
                return {"name": "Create Backorder?", "type": "ir.actions.act_window",
                        "view_mode": "form", "res_model": "stock.backorder.confirmation",
                        "views": [[1070, "form"]], "view_id": 1070, "target": "new",
                        "context": {"button_validate_picking_ids": list(ids),
                                    "default_show_transfers": False,
                                    "default_pick_ids": [[4, i] for i in ids]}}
        for pid in ids:
            self.picking_done(pid, backorder=True)
        return True

    def backorder_process(self, ids, backorder=True):
        for wid in ids:
            for pid in self.rel_ids("stock.backorder.confirmation", "pick_ids", wid):
                self.picking_done(pid, backorder)
        return True

    def backorder_process_cancel(self, ids):
        return self.backorder_process(ids, backorder=False)

    def picking_done(self, pid, backorder):
        pk = self.db.execute("SELECT origin, partner_id, picking_type_code, sale_id, "
                             "purchase_id, scheduled_date FROM stock_picking WHERE id = ?",
                             (pid,)).fetchone()
        rest, whole = [], []
        for mid, prod, demand, qty, uom, name, sl, pl, picked in self.q(
                "SELECT id, product_id, product_uom_qty, quantity, product_uom, name, "
                "sale_line_id, purchase_line_id, picked FROM stock_move WHERE picking_id = ? "
                "AND state NOT IN ('done', 'cancel') ORDER BY id", (pid,)):
            # stock.move._action_done: a move with nothing moved, or not
            # picked, is not done: it goes whole to the backorder (the same
            # move), or is cancelled without one or without demand
            if (qty or 0) <= 0 or not picked:
                if not demand or not backorder:
                    self.db.execute("UPDATE stock_move SET state = 'cancel', quantity = 0 "
                                    "WHERE id = ?", (mid,))
                    self.db.execute("DELETE FROM stock_move_line WHERE move_id = ?", (mid,))
                else:
                    whole.append((mid, demand))
                continue
            left = float(dec(demand) - dec(qty))
            if left > 0:
                rest.append({"product_id": prod, "product_uom_qty": left, "product_uom": uom,
                             "name": name, "sale_line_id": sl, "purchase_line_id": pl})
                self.db.execute("UPDATE stock_move SET product_uom_qty = ? WHERE id = ?",
                                (qty, mid))
            self.db.execute("UPDATE stock_move SET state = 'done', picked = 1 WHERE id = ?",
                            (mid,))
            self.quants_move(mid, prod, qty)
            if sl:
                self.db.execute("UPDATE sale_order_line SET qty_delivered = COALESCE("
                                "qty_delivered, 0) + ? WHERE id = ?", (qty or 0, sl))
            if pl:
                self.db.execute("UPDATE purchase_order_line SET qty_received = COALESCE("
                                "qty_received, 0) + ? WHERE id = ?", (qty or 0, pl))
        for lid, prod, lot_name in self.q("SELECT id, product_id, lot_name FROM stock_move_line "
                                          "WHERE picking_id = ? AND lot_id IS NULL AND "
                                          "lot_name IS NOT NULL", (pid,)):
            lot = self.insert(self.models["stock.lot"], {
                "name": lot_name, "product_id": prod, "create_date": self.now,
                "write_date": self.now, "create_uid": self.uid, "write_uid": self.uid})
            self.db.execute("UPDATE stock_move_line SET lot_id = ? WHERE id = ?", (lot, lid))
        if (rest or whole) and backorder:
            bo = self.make_picking(pk[2], pk[0], pk[1], rest, sale_id=pk[3], purchase_id=pk[4],
                                   backorder_id=pid, scheduled=pk[5])
            ref = self.q1("SELECT name FROM stock_picking WHERE id = ?", (bo,))
            # picking._create_backorder: the moves left move over, not
            # picked, and the backorder's reservation sets their quantity
            for mid, demand in whole:
                self.db.execute("UPDATE stock_move SET picking_id = ?, reference = ?, "
                                "picked = 0, quantity = product_uom_qty, write_date = ? "
                                "WHERE id = ?", (bo, ref, self.now, mid))
                self.db.execute("UPDATE stock_move_line SET picking_id = ?, quantity = ?, "
                                "picked = 0 WHERE move_id = ?", (bo, demand, mid))
        self.db.execute("UPDATE stock_move_line SET state = 'done', picked = 1 WHERE "
                        "picking_id = ?", (pid,))
        self.db.execute("UPDATE stock_picking SET state = 'done', date_done = ?, write_date = ? "
                        "WHERE id = ?", (self.now, self.now, pid))
        if pk[3]:
            self.goods_status("sale", pk[3])
        if pk[4]:
            self.goods_status("purchase", pk[4])

    def quants_move(self, mid, prod, qty):
        """A move done: what it moved leaves the quant of its source and
        reaches that of its destination, in internal locations (those the
        on-hand quantity counts), a quant made where there is none
        (stock.move.line._action_done, stock.quant._update_available_quantity).
        Only a storable product (is_storable, "Track Inventory") has quants."""
        if not self.q1("SELECT COALESCE(p.is_storable, 0) OR COALESCE(t.is_storable, 0) FROM "
                       "product_product p JOIN product_template t ON t.id = p.product_tmpl_id "
                       "WHERE p.id = ?", (prod,)):
            return
        src, dst = self.db.execute("SELECT location_id, location_dest_id FROM stock_move "
                                   "WHERE id = ?", (mid,)).fetchone()
        for loc, delta in ((src, -float(qty or 0)), (dst, float(qty or 0))):
            if not delta or self.q1("SELECT usage FROM stock_location WHERE id = ?",
                                    (loc,)) != "internal":
                continue
            qid = self.q1("SELECT id FROM stock_quant WHERE product_id = ? AND location_id = ? "
                          "ORDER BY id", (prod, loc))
            if qid is None:
                self.insert(self.models["stock.quant"], {
                    "product_id": prod, "location_id": loc, "quantity": delta,
                    "reserved_quantity": 0, "create_date": self.now, "write_date": self.now,
                    "create_uid": self.uid, "write_uid": self.uid})
            else:
                self.db.execute("UPDATE stock_quant SET quantity = quantity + ?, write_date = ? "
                                "WHERE id = ?", (delta, self.now, qid))

    def goods_status(self, kind, oid):
        """sale.order.delivery_status / purchase.order.receipt_status."""
        sale = kind == "sale"
        rows = self.q("SELECT l.%s, COALESCE(l.%s, 0) FROM %s_order_line l JOIN "
                      "product_product p ON p.id = l.product_id WHERE l.order_id = ? AND "
                      "l.display_type IS NULL AND p.type = 'consu'" % (
                          "product_uom_qty" if sale else "product_qty",
                          "qty_delivered" if sale else "qty_received", kind), (oid,))
        st = "pending"
        if rows and all(d >= q for q, d in rows):
            st = "full"
        elif any(d > 0 for q, d in rows):
            st = "partial"
        self.db.execute("UPDATE %s_order SET %s = ? WHERE id = ?" % (
            kind, "delivery_status" if sale else "receipt_status"), (st, oid))

    # purchase
    def po_confirm(self, ids):
        m = self.models["purchase.order"]
        for oid in ids:
            st = self.q1("SELECT state FROM purchase_order WHERE id = ?", (oid,))
            if st not in ("draft", "sent"):
                continue
            self.write(m, [oid], {"state": "purchase", "date_approve": self.now})
            self.db.execute("UPDATE purchase_order_line SET state = 'purchase' WHERE "
                            "order_id = ?", (oid,))
            self.order_picking("purchase", oid)
        return True

    def po_bill(self, ids):
        """purchase.order.action_create_invoice: a draft bill of the received, not yet
        billed quantities (zero before the receipt)."""
        mv_m = self.models["account.move"]
        journal = self.q1("SELECT id FROM account_journal WHERE type = 'purchase' ORDER BY id")
        bills, partner = [], None
        for oid in ids:
            o = self.db.execute("SELECT name, partner_id, currency_id, state FROM "
                                "purchase_order WHERE id = ?", (oid,)).fetchone()
            if o[3] not in ("purchase", "done"):
                raise UserError("You must confirm the purchase order before billing it.")
            partner = o[1]
            lines = []
            for lid, pid, name, pu, disc in self.q(
                    "SELECT id, product_id, name, price_unit, discount FROM "
                    "purchase_order_line WHERE order_id = ? ORDER BY sequence, id", (oid,)):
                lines.append([0, 0, {
                    "display_type": "product", "product_id": pid, "name": name,
                    "quantity": max(self.po_line_to_invoice(lid), 0.0), "price_unit": pu,
                    "discount": disc or 0,
                    "tax_ids": [[6, 0, self.rel_ids("purchase.order.line", "tax_ids", lid)]],
                    "account_id": ACC_EXPENSES, "purchase_line_id": lid}])
            bills.append(self.create_one(mv_m, {
                "move_type": "in_invoice", "partner_id": o[1], "journal_id": journal,
                "invoice_origin": o[0], "currency_id": o[2] or 1, "invoice_line_ids": lines}))
        self.flush()
        act = dict(IN_INVOICE_ACTION)
        act["context"] = {"default_move_type": "in_invoice", "display_account_trust": True,
                          "default_partner_id": partner}
        if len(bills) == 1:
            act["res_id"] = bills[0]
        else:
            act["domain"] = [["id", "in", bills]]
        return act

