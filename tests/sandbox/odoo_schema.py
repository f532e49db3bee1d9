"""tests/sandbox/odoo_schema.py - the models the Odoo sandbox serves.

A model is a table (dots -> underscores) with one column per stored field;
many2many fields have a relation table (<table>__<field>: id1, id2); one2many
fields are the inverse of a many2one on the comodel.  Field labels, types and
relations follow Odoo 19 (fields_get of res.partner and account.move in
tests/fixtures/odoo are the reference for those two)."""


class Field:
    __slots__ = ("name", "type", "string", "relation", "required", "readonly",
                 "selection", "inverse", "default", "ondelete", "stored", "index")

    def __init__(self, type_, string, relation=None, required=False, readonly=False,
                 selection=None, inverse=None, default=None, ondelete=None,
                 stored=True, index=False):
        self.name = None
        self.type = type_
        self.string = string
        self.relation = relation
        self.required = required
        self.readonly = readonly
        self.selection = selection
        self.inverse = inverse
        self.default = default
        self.ondelete = ondelete or ("restrict" if required else "set null")
        self.stored = stored and type_ not in ("one2many", "many2many")
        self.index = index

    @property
    def column(self):
        return self.stored


def F(type_, string, **kw):
    return Field(type_, string, **kw)


def char(s, **kw):
    return F("char", s, **kw)


def m2o(rel, s, **kw):
    return F("many2one", s, relation=rel, **kw)


def o2m(rel, inverse, s, **kw):
    return F("one2many", s, relation=rel, inverse=inverse, **kw)


def m2m(rel, s, **kw):
    return F("many2many", s, relation=rel, **kw)


def sel(options, s, **kw):
    return F("selection", s, selection=options, **kw)


class Model:
    def __init__(self, name, description, fields, order="id", rec_name="name",
                 parent=None, display=None):
        self.name = name
        self.description = description
        self.table = name.replace(".", "_")
        self.order = order
        self.rec_name = rec_name
        self.parent = parent            # field of the hierarchy (child_of)
        self.display = display          # (sql expr over t, joins) or None
        f = {"id": F("integer", "ID", readonly=True),
             "display_name": F("char", "Display Name", readonly=True, stored=False)}
        f.update(fields)
        f.update({
            "create_uid": m2o("res.users", "Created by", readonly=True),
            "create_date": F("datetime", "Created on", readonly=True),
            "write_uid": m2o("res.users", "Last Updated by", readonly=True),
            "write_date": F("datetime", "Last Updated on", readonly=True, index=True),
        })
        for k, v in f.items():
            v.name = k
        self.fields = f
        self.has_active = "active" in f

    def columns(self):
        return [f for f in self.fields.values() if f.stored and f.name != "id"]


STATE_SO = [["draft", "Quotation"], ["sent", "Quotation Sent"], ["sale", "Sales Order"],
            ["cancel", "Cancelled"]]
STATE_PO = [["draft", "RFQ"], ["sent", "RFQ Sent"], ["to approve", "To Approve"],
            ["purchase", "Purchase Order"], ["cancel", "Cancelled"]]
STATE_MOVE = [["draft", "Draft"], ["posted", "Posted"], ["cancel", "Cancelled"]]
MOVE_TYPES = [["entry", "Journal Entry"], ["out_invoice", "Customer Invoice"],
              ["out_refund", "Customer Credit Note"], ["in_invoice", "Vendor Bill"],
              ["in_refund", "Vendor Credit Note"], ["out_receipt", "Sales Receipt"],
              ["in_receipt", "Purchase Receipt"]]
PAYMENT_STATE = [["not_paid", "Not Paid"], ["in_payment", "In Payment"], ["paid", "Paid"],
                 ["partial", "Partially Paid"], ["reversed", "Reversed"],
                 ["blocked", "Blocked"], ["invoicing_legacy", "Invoicing App Legacy"]]
LANGS = [["en_US", "English (US)"], ["fr_FR", "French / Français"],
         ["de_DE", "German / Deutsch"], ["nl_BE", "Dutch (BE) / Nederlands (BE)"],
         ["es_ES", "Spanish / Español"]]
TZS = [[z, z] for z in ("Europe/Brussels", "Europe/Paris", "Europe/Berlin", "Europe/London",
                        "America/New_York", "America/Los_Angeles", "Asia/Tokyo", "UTC")]


def _models():
    M = []
    M.append(Model("res.country", "Country", {
        "name": char("Country Name", required=True),
        "code": char("Country Code"),
        "currency_id": m2o("res.currency", "Currency"),
        "phone_code": F("integer", "Country Calling Code"),
    }, order="name"))
    M.append(Model("res.country.state", "Country state", {
        "name": char("State Name", required=True),
        "code": char("State Code", required=True),
        "country_id": m2o("res.country", "Country", required=True),
    }, order="country_id, name",
        display=("t.name || ' (' || COALESCE(c.code, '') || ')'",
                 "LEFT JOIN res_country c ON c.id = t.country_id")))
    M.append(Model("res.currency", "Currency", {
        "name": char("Currency", required=True),
        "full_name": char("Name"),
        "symbol": char("Symbol", required=True),
        "rounding": F("float", "Rounding Factor"),
        "decimal_places": F("integer", "Decimal Places"),
        "active": F("boolean", "Active", default=True),
    }, order="active desc, name"))
    M.append(Model("res.company", "Companies", {
        "name": char("Company Name", required=True),
        "partner_id": m2o("res.partner", "Partner", required=True),
        "currency_id": m2o("res.currency", "Currency", required=True),
        "active": F("boolean", "Active", default=True),
    }, order="name"))
    M.append(Model("res.users", "User", {
        "name": char("Name"),
        "login": char("Login", required=True),
        "partner_id": m2o("res.partner", "Related Partner", required=True),
        "company_id": m2o("res.company", "Company"),
        "active": F("boolean", "Active", default=True),
    }, order="name, login"))
    M.append(Model("res.partner.category", "Partner Tags", {
        "name": char("Name", required=True),
        "color": F("integer", "Color"),
        "parent_id": m2o("res.partner.category", "Category", ondelete="cascade"),
        "active": F("boolean", "Active", default=True),
    }, order="name", parent="parent_id"))
    M.append(Model("res.partner", "Contact", {
        "name": char("Name", index=True),
        "complete_name": char("Complete Name", readonly=True, index=True),
        "parent_id": m2o("res.partner", "Related Company", index=True),
        "child_ids": o2m("res.partner", "parent_id", "Contact"),
        "ref": char("Reference", index=True),
        "lang": sel(LANGS, "Language"),
        "tz": sel(TZS, "Timezone"),
        "user_id": m2o("res.users", "Salesperson"),
        "vat": char("Tax ID", index=True),
        "website": char("Website Link"),
        "comment": F("html", "Notes"),
        "category_id": m2m("res.partner.category", "Tags"),
        "active": F("boolean", "Active", default=True),
        "function": char("Job Position"),
        "type": sel([["contact", "Contact"], ["invoice", "Invoice Address"],
                     ["delivery", "Delivery Address"], ["other", "Other Address"]],
                    "Address Type", default="contact"),
        "street": char("Street"),
        "street2": char("Street2"),
        "zip": char("Zip"),
        "city": char("City"),
        "state_id": m2o("res.country.state", "State"),
        "country_id": m2o("res.country", "Country", index=True),
        "email": char("Email"),
        "phone": char("Phone"),
        "is_company": F("boolean", "Is a Company", default=False, index=True),
        "company_id": m2o("res.company", "Company"),
        "color": F("integer", "Color Index"),
        "customer_rank": F("integer", "Customer Rank"),
        "supplier_rank": F("integer", "Supplier Rank"),
        "credit_limit": F("float", "Credit Limit"),
        "barcode": char("Barcode"),
        "image_128": F("binary", "Image 128"),
        "image_1920": F("binary", "Image"),
    }, order="complete_name, id desc", parent="parent_id",
        display=("t.complete_name", "")))
    M.append(Model("uom.uom", "Product Unit of Measure", {
        "name": char("Unit Name", required=True),
        "relative_factor": F("float", "Contains"),
        "rounding": F("float", "Rounding Precision"),
        "active": F("boolean", "Active", default=True),
    }, order="name"))
    M.append(Model("product.category", "Product Category", {
        "name": char("Name", required=True),
        "complete_name": char("Complete Name", readonly=True),
        "parent_id": m2o("product.category", "Parent Category", ondelete="cascade"),
        "child_id": o2m("product.category", "parent_id", "Child Categories"),
    }, order="complete_name", parent="parent_id", display=("t.complete_name", "")))
    ptype = sel([["consu", "Goods"], ["service", "Service"], ["combo", "Combo"]],
                "Product Type", required=True, default="consu")
    M.append(Model("product.template", "Product", {
        "name": char("Name", required=True),
        "default_code": char("Internal Reference"),
        "barcode": char("Barcode"),
        "type": ptype,
        "categ_id": m2o("product.category", "Product Category"),
        "list_price": F("float", "Sales Price", default=1.0),
        "standard_price": F("float", "Cost"),
        "uom_id": m2o("uom.uom", "Unit", required=True),
        "sale_ok": F("boolean", "Sales", default=True),
        "purchase_ok": F("boolean", "Purchase", default=True),
        "description_sale": F("text", "Sales Description"),
        "active": F("boolean", "Active", default=True),
        "product_variant_ids": o2m("product.product", "product_tmpl_id", "Products"),
    }, order="name, id",
        display=("CASE WHEN t.default_code IS NOT NULL THEN '[' || t.default_code || '] ' "
                 "|| t.name ELSE t.name END", "")))
    M.append(Model("product.product", "Product Variant", {
        "name": char("Name", required=True),
        "product_tmpl_id": m2o("product.template", "Product Template", ondelete="cascade"),
        "default_code": char("Internal Reference", index=True),
        "barcode": char("Barcode"),
        "type": sel(ptype.selection, "Product Type", default="consu"),
        "categ_id": m2o("product.category", "Product Category"),
        "lst_price": F("float", "Sales Price"),
        "standard_price": F("float", "Cost"),
        "uom_id": m2o("uom.uom", "Unit"),
        "sale_ok": F("boolean", "Sales", default=True),          # the template's, as
        "purchase_ok": F("boolean", "Purchase", default=True),   # _inherits gives them
        "active": F("boolean", "Active", default=True),
    }, order="default_code, name, id",
        display=("CASE WHEN t.default_code IS NOT NULL THEN '[' || t.default_code || '] ' "
                 "|| t.name ELSE t.name END", "")))
    M.append(Model("account.tax", "Tax", {
        "name": char("Tax Name", required=True),
        "amount": F("float", "Amount", required=True),
        "type_tax_use": sel([["sale", "Sales"], ["purchase", "Purchases"], ["none", "None"]],
                            "Tax Type", required=True, default="sale"),
        "active": F("boolean", "Active", default=True),
    }, order="id"))
    M.append(Model("account.journal", "Journal", {
        "name": char("Journal Name", required=True),
        "code": char("Short Code", required=True),
        "type": sel([["sale", "Sales"], ["purchase", "Purchase"], ["cash", "Cash"],
                     ["bank", "Bank"], ["general", "Miscellaneous"]], "Type", required=True),
        "active": F("boolean", "Active", default=True),
    }, order="code, name"))
    M.append(Model("sale.order", "Sales Order", {
        "name": char("Order Reference", required=True, default="New"),
        "partner_id": m2o("res.partner", "Customer", required=True, index=True),
        "date_order": F("datetime", "Order Date", required=True),
        "state": sel(STATE_SO, "Status", readonly=True, default="draft"),
        "order_line": o2m("sale.order.line", "order_id", "Order Lines"),
        "amount_untaxed": F("monetary", "Untaxed Amount", readonly=True),
        "amount_tax": F("monetary", "Taxes", readonly=True),
        "amount_total": F("monetary", "Total", readonly=True),
        "currency_id": m2o("res.currency", "Currency"),
        "user_id": m2o("res.users", "Salesperson"),
        "company_id": m2o("res.company", "Company", required=True, default=1),
        "invoice_status": sel([["upselling", "Upselling Opportunity"], ["invoiced",
                               "Fully Invoiced"], ["to invoice", "To Invoice"],
                               ["no", "Nothing to Invoice"]], "Invoice Status",
                              readonly=True, default="no"),
        "client_order_ref": char("Customer Reference"),
        "note": F("html", "Terms and conditions"),
        "origin": char("Source Document"),
    }, order="date_order desc, id desc"))
    M.append(Model("sale.order.line", "Sales Order Line", {
        "order_id": m2o("sale.order", "Order Reference", required=True, ondelete="cascade",
                        index=True),
        "sequence": F("integer", "Sequence", default=10),
        "product_id": m2o("product.product", "Product"),
        "name": F("text", "Description", required=True),
        "product_uom_qty": F("float", "Quantity", required=True, default=1.0),
        "product_uom_id": m2o("uom.uom", "Unit"),
        "price_unit": F("float", "Unit Price", required=True),
        "discount": F("float", "Discount (%)"),
        "price_subtotal": F("monetary", "Subtotal", readonly=True),
        "price_total": F("monetary", "Total", readonly=True),
        "tax_ids": m2m("account.tax", "Taxes"),
        "state": sel(STATE_SO, "Order Status", readonly=True, default="draft"),
    }, order="order_id, sequence, id",
        display=("COALESCE(o.name, '') || ' - ' || COALESCE(t.name, '')",
                 "LEFT JOIN sale_order o ON o.id = t.order_id")))
    M.append(Model("account.move", "Journal Entry", {
        "name": char("Number", default="/"),
        "ref": char("Reference"),
        "date": F("date", "Date", required=True),
        "state": sel(STATE_MOVE, "Status", required=True, readonly=True, default="draft"),
        "move_type": sel(MOVE_TYPES, "Type", required=True, default="entry"),
        "journal_id": m2o("account.journal", "Journal", required=True),
        "company_id": m2o("res.company", "Company", default=1),
        "line_ids": o2m("account.move.line", "move_id", "Journal Items"),
        "invoice_line_ids": o2m("account.move.line", "move_id", "Invoice lines"),
        "invoice_date": F("date", "Invoice/Bill Date"),
        "invoice_date_due": F("date", "Due Date"),
        "partner_id": m2o("res.partner", "Partner", index=True),
        "currency_id": m2o("res.currency", "Currency", required=True, default=1),
        "amount_untaxed": F("monetary", "Untaxed Amount", readonly=True),
        "amount_tax": F("monetary", "Tax", readonly=True),
        "amount_total": F("monetary", "Total", readonly=True),
        "amount_residual": F("monetary", "Amount Due", readonly=True),
        "payment_state": sel(PAYMENT_STATE, "Payment Status", readonly=True,
                             default="not_paid"),
        "invoice_origin": char("Origin"),
        "narration": F("html", "Terms and Conditions"),
        "invoice_user_id": m2o("res.users", "Salesperson"),
        "payment_reference": char("Payment Reference"),
    }, order="date desc, name desc, id desc"))
    M.append(Model("account.move.line", "Journal Item", {
        "move_id": m2o("account.move", "Journal Entry", required=True, ondelete="cascade",
                       index=True),
        "sequence": F("integer", "Sequence", default=10),
        "name": char("Label"),
        "product_id": m2o("product.product", "Product"),
        "quantity": F("float", "Quantity", default=1.0),
        "price_unit": F("float", "Unit Price"),
        "discount": F("float", "Discount (%)"),
        "price_subtotal": F("monetary", "Subtotal", readonly=True),
        "price_total": F("monetary", "Total", readonly=True),
        "tax_ids": m2m("account.tax", "Taxes"),
        "partner_id": m2o("res.partner", "Partner"),
        "debit": F("monetary", "Debit"),
        "credit": F("monetary", "Credit"),
        "balance": F("monetary", "Balance"),
        "parent_state": sel(STATE_MOVE, "Status", readonly=True),
    }, order="move_id, sequence, id",
        display=("COALESCE(m.name, '') || CASE WHEN t.name IS NOT NULL THEN ' ' || t.name "
                 "ELSE '' END", "LEFT JOIN account_move m ON m.id = t.move_id")))
    M.append(Model("account.payment", "Payments", {
        "name": char("Number", readonly=True, default="/"),
        "date": F("date", "Date", required=True),
        "amount": F("monetary", "Amount"),
        "payment_type": sel([["outbound", "Send"], ["inbound", "Receive"]],
                            "Payment Type", required=True, default="inbound"),
        "partner_type": sel([["customer", "Customer"], ["supplier", "Vendor"]],
                            "Partner Type", required=True, default="customer"),
        "partner_id": m2o("res.partner", "Customer/Vendor"),
        "journal_id": m2o("account.journal", "Journal", required=True),
        "currency_id": m2o("res.currency", "Currency"),
        "memo": char("Memo"),
        "state": sel([["draft", "Draft"], ["in_process", "In Process"], ["paid", "Paid"],
                      ["canceled", "Canceled"], ["rejected", "Rejected"]], "Status",
                     required=True, default="draft"),
        # Odoo 18: the invoices a payment pays (set by account.payment.register)
        "invoice_ids": m2m("account.move", "Invoices"),
    }, order="date desc, name desc"))
    # the "Create invoices" wizard of a confirmed order (sale.advance.payment.inv):
    # create it with the orders, call create_invoices
    M.append(Model("sale.advance.payment.inv", "Sales Advance Payment Invoice", {
        "advance_payment_method": sel([["delivered", "Regular invoice"],
                                       ["percentage", "Down payment (percentage)"],
                                       ["fixed", "Down payment (fixed amount)"]],
                                      "Create Invoice", required=True, default="delivered"),
        "sale_order_ids": m2m("sale.order", "Sales Orders"),
    }))
    M.append(Model("stock.location", "Inventory Locations", {
        "name": char("Location Name", required=True),
        "complete_name": char("Full Location Name"),
        "usage": sel([["supplier", "Vendor"], ["view", "Virtual"], ["internal", "Internal"],
                      ["customer", "Customer"], ["inventory", "Inventory Loss"],
                      ["transit", "Transit"]], "Location Type", required=True,
                     default="internal"),
        "active": F("boolean", "Active", default=True),
    }, order="complete_name, id", display=("COALESCE(t.complete_name, t.name)", "")))
    M.append(Model("stock.quant", "Quants", {
        "product_id": m2o("product.product", "Product", required=True, ondelete="restrict"),
        "location_id": m2o("stock.location", "Location", required=True),
        "quantity": F("float", "Quantity", readonly=True),
        "reserved_quantity": F("float", "Reserved Quantity", readonly=True),
        "inventory_quantity": F("float", "Counted Quantity"),
    }, order="id",
        display=("COALESCE(l.complete_name, l.name, '') || ' - ' || COALESCE(p.name, '')",
                 "LEFT JOIN stock_location l ON l.id = t.location_id "
                 "LEFT JOIN product_product p ON p.id = t.product_id")))
    M.append(Model("stock.picking", "Transfer", {
        "name": char("Reference", default="/"),
        "origin": char("Source Document"),
        "partner_id": m2o("res.partner", "Contact"),
        "picking_type_code": sel([["incoming", "Receipt"], ["outgoing", "Delivery"],
                                  ["internal", "Internal Transfer"]], "Type of Operation"),
        "location_id": m2o("stock.location", "Source Location", required=True),
        "location_dest_id": m2o("stock.location", "Destination Location", required=True),
        "scheduled_date": F("datetime", "Scheduled Date", required=True),
        "date_done": F("datetime", "Date of Transfer"),
        "state": sel([["draft", "Draft"], ["waiting", "Waiting Another Operation"],
                      ["confirmed", "Waiting"], ["assigned", "Ready"], ["done", "Done"],
                      ["cancel", "Cancelled"]], "Status", readonly=True, default="draft"),
    }, order="scheduled_date, id desc"))
    M.append(Model("purchase.order", "Purchase Order", {
        "name": char("Order Reference", required=True, default="New"),
        "partner_id": m2o("res.partner", "Vendor", required=True),
        "date_order": F("datetime", "Order Deadline", required=True),
        "date_approve": F("datetime", "Confirmation Date", readonly=True),
        "state": sel(STATE_PO, "Status", readonly=True, default="draft"),
        "order_line": o2m("purchase.order.line", "order_id", "Order Lines"),
        "amount_untaxed": F("monetary", "Untaxed Amount", readonly=True),
        "amount_tax": F("monetary", "Taxes", readonly=True),
        "amount_total": F("monetary", "Total", readonly=True),
        "currency_id": m2o("res.currency", "Currency", required=True, default=1),
        "partner_ref": char("Vendor Reference"),
        "origin": char("Source"),
        "company_id": m2o("res.company", "Company", required=True, default=1),
    }, order="id desc"))
    M.append(Model("purchase.order.line", "Purchase Order Line", {
        "order_id": m2o("purchase.order", "Order Reference", required=True,
                        ondelete="cascade", index=True),
        "sequence": F("integer", "Sequence", default=10),
        "product_id": m2o("product.product", "Product"),
        "name": F("text", "Description", required=True),
        "product_qty": F("float", "Quantity", required=True, default=1.0),
        "product_uom_id": m2o("uom.uom", "Unit"),
        "price_unit": F("float", "Unit Price", required=True),
        "discount": F("float", "Discount (%)"),
        "price_subtotal": F("monetary", "Subtotal", readonly=True),
        "price_total": F("monetary", "Total", readonly=True),
        "tax_ids": m2m("account.tax", "Taxes"),
        "date_planned": F("datetime", "Expected Arrival"),
        "state": sel(STATE_PO, "Status", readonly=True, default="draft"),
    }, order="order_id, sequence, id",
        display=("COALESCE(o.name, '') || ' - ' || COALESCE(t.name, '')",
                 "LEFT JOIN purchase_order o ON o.id = t.order_id")))
    M.append(Model("hr.department", "Department", {
        "name": char("Department Name", required=True),
        "active": F("boolean", "Active", default=True),
    }, order="name"))
    M.append(Model("hr.employee", "Employee", {
        "name": char("Employee Name", required=True),
        "job_title": char("Job Title"),
        "department_id": m2o("hr.department", "Department"),
        "parent_id": m2o("hr.employee", "Manager"),
        "work_email": char("Work Email"),
        "work_phone": char("Work Phone"),
        "user_id": m2o("res.users", "User"),
        "work_contact_id": m2o("res.partner", "Work Contact"),
        "company_id": m2o("res.company", "Company", required=True, default=1),
        "active": F("boolean", "Active", default=True),
    }, order="name", parent="parent_id"))
    M.append(Model("crm.stage", "CRM Stages", {
        "name": char("Stage Name", required=True),
        "sequence": F("integer", "Sequence", default=1),
        "is_won": F("boolean", "Is Won Stage?"),
    }, order="sequence, name, id"))
    M.append(Model("crm.lead", "Lead", {
        "name": char("Opportunity", required=True, index=True),
        "partner_id": m2o("res.partner", "Customer"),
        "type": sel([["lead", "Lead"], ["opportunity", "Opportunity"]], "Type",
                    required=True, default="lead"),
        "stage_id": m2o("crm.stage", "Stage"),
        "user_id": m2o("res.users", "Salesperson"),
        "email_from": char("Email"),
        "phone": char("Phone"),
        "expected_revenue": F("monetary", "Expected Revenue"),
        "probability": F("float", "Probability"),
        "date_deadline": F("date", "Expected Closing"),
        "contact_name": char("Contact Name"),
        "partner_name": char("Company Name"),
        "country_id": m2o("res.country", "Country"),
        "tag_ids": m2m("res.partner.category", "Tags"),
        "active": F("boolean", "Active", default=True),
    }, order="id desc"))
    M.append(Model("ir.model", "Models", {
        "name": char("Model Description", required=True),
        "model": char("Model", required=True),
        "order": char("Order", required=True, default="id"),
        "info": F("text", "Information"),
        "state": sel([["manual", "Custom Object"], ["base", "Base Object"]], "Type",
                     default="manual"),
        "transient": F("boolean", "Transient Model"),
    }, order="model"))
    M.append(Model("ir.model.data", "Model Data", {
        "name": char("External Identifier", required=True),
        "module": char("Module", required=True),
        "model": char("Model Name", required=True),
        "res_id": F("many2one_reference", "Record ID"),
        "noupdate": F("boolean", "Non Updatable"),
    }, order="module, model, name",
        display=("t.module || '.' || t.name", "")))
    return {m.name: m for m in M}


MODELS = _models()
