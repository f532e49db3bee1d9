#!/usr/bin/python3
"""Regenerate the Odoo samples (tests/data/templates/odoo/*.ndjson) from the
Odoo sandbox, in the shape odoo-extract reads them: search_read records, the
x2many lines of a document read in as objects (search_read of the line
model).  Not run by make check; the samples are committed.
odoo/account.move.line.ndjson is written by hand: the sandbox's journal
items lack account_id and date, which the G/L map needs.

usage: SANDBOX_DIR=$(mktemp -d) tests/data/templates/gen-odoo.py
"""
import json
import os
import subprocess
import urllib.request

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
OUT = os.path.join(TOP, "tests", "data", "templates", "odoo")


def main():
    port = subprocess.check_output([os.path.join(TOP, "tests/sandbox/start"), "odoo",
                                    "--db", "odoo", "--user", "admin:admin"]).decode().strip()
    pidfile = os.path.join(os.environ["SANDBOX_DIR"], "odoo.pid")
    url = "http://127.0.0.1:%s/jsonrpc" % port

    def rpc(model, method, args, kw=None):
        body = {"jsonrpc": "2.0", "method": "call", "id": 1, "params": {
            "service": "object", "method": "execute_kw",
            "args": ["odoo", 2, "admin", model, method, args, kw or {}]}}
        req = urllib.request.Request(url, json.dumps(body).encode(),
                                     {"Content-Type": "application/json"})
        ans = json.load(urllib.request.urlopen(req))
        if "error" in ans:
            raise SystemExit("%s.%s: %s" % (model, method, ans["error"]["data"]["message"]))
        return ans["result"]

    def read(model, domain, fields, **kw):
        return rpc(model, "search_read", [domain],
                   dict(fields=fields, order="id", context={"active_test": False}, **kw))

    def embed(docs, field, model, inverse, fields):
        for d in docs:
            d[field] = read(model, [[inverse, "in", [d["id"]]]], fields)
        return docs

    def write(name, recs):
        with open(os.path.join(OUT, name + ".ndjson"), "w") as f:
            for r in recs:
                f.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")

    try:
        os.makedirs(OUT, exist_ok=True)
        # two partners the demo data lacks: a vendor only, an archived customer
        rpc("res.partner", "create", [{
            "name": "Wood Supplies SA", "is_company": True,
            "email": "orders@woodsupplies.example.be", "phone": "+32 9 555 01 77",
            "street": "Industrieweg 4", "street2": "Zone B", "zip": "9000", "city": "Gent",
            "country_id": 21, "vat": "BE0123456749", "supplier_rank": 1, "customer_rank": 0,
            "lang": "nl_BE"}])
        rpc("res.partner", "create", [{
            "name": "Élodie Marchand", "is_company": False,
            "email": "Elodie.Marchand@Example.FR", "street": "3 Place Bellecour",
            "zip": "69002", "city": "Lyon", "country_id": 75, "customer_rank": 2,
            "credit_limit": 1500.5, "lang": "fr_FR", "active": False}])
        write("res.partner", read("res.partner", [["id", "in", [6, 9, 12, 26, 141, 142]]], [
            "name", "is_company", "parent_id", "ref", "email", "phone", "street", "street2",
            "zip", "city", "state_id", "country_id", "vat", "lang", "customer_rank",
            "supplier_rank", "credit_limit", "active", "write_date"]))
        write("product.product", read("product.product", [["id", "in", [1, 2, 5, 6]]], [
            "name", "default_code", "barcode", "type", "categ_id", "lst_price",
            "standard_price", "uom_id", "active", "write_date"]))
        so_lines = ["order_id", "sequence", "product_id", "name", "product_uom_qty",
                    "product_uom_id", "price_unit", "discount", "price_subtotal", "price_total",
                    "tax_ids"]
        write("sale.order", embed(read("sale.order", [["id", "in", [1, 4, 7]]], [
            "name", "partner_id", "date_order", "state", "amount_untaxed", "amount_tax",
            "amount_total", "currency_id", "order_line", "user_id", "client_order_ref",
            "origin", "write_date"]), "order_line", "sale.order.line", "order_id", so_lines))
        po_lines = ["order_id", "sequence", "product_id", "name", "product_qty",
                    "product_uom_id", "price_unit", "discount", "price_subtotal", "price_total",
                    "tax_ids", "date_planned"]
        write("purchase.order", embed(read("purchase.order", [["id", "in", [1, 2]]], [
            "name", "partner_id", "date_order", "date_approve", "state", "amount_untaxed",
            "amount_tax", "amount_total", "currency_id", "order_line", "partner_ref", "origin",
            "write_date"]), "order_line", "purchase.order.line", "order_id", po_lines))
        aml = ["move_id", "sequence", "name", "product_id", "quantity", "price_unit",
               "discount", "price_subtotal", "price_total", "tax_ids", "partner_id", "debit",
               "credit", "balance", "parent_state"]
        write("account.move", embed(read("account.move", [["id", "in", [1, 2]]], [
            "name", "ref", "date", "state", "move_type", "journal_id", "partner_id",
            "invoice_date", "invoice_date_due", "currency_id", "amount_untaxed", "amount_tax",
            "amount_total", "amount_residual", "payment_state", "invoice_origin",
            "payment_reference", "invoice_line_ids", "write_date"]),
            "invoice_line_ids", "account.move.line", "move_id", aml))
        write("account.payment", read("account.payment", [["id", "in", [1, 2]]], [
            "name", "date", "amount", "payment_type", "partner_type", "partner_id",
            "journal_id", "currency_id", "memo", "state", "write_date"]))
        write("stock.quant", read("stock.quant", [["id", "in", [1, 2, 5]]], [
            "product_id", "location_id", "quantity", "reserved_quantity",
            "inventory_quantity", "write_date"]))
    finally:
        with open(pidfile) as f:
            os.kill(int(f.read()), 15)


main()
