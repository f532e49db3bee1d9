"""tests/sandbox/odoo_schema.py - the models the Odoo sandbox serves.

A model is a table (dots -> underscores) with one column per stored field;
many2many fields have a relation table (<table>__<field>: id1, id2); one2many
fields are the inverse of a many2one on the comodel.  Field labels, types and
relations follow Odoo 19 (fields_get of res.partner and account.move in
tests/fixtures/odoo are the reference for those two)."""


class Field:
    __slots__ = ("name", "type", "string", "relation", "required", "readonly",
                 "selection", "inverse", "default", "ondelete", "stored", "index",
                 "compute", "where", "extra")

    def __init__(self, type_, string, relation=None, required=False, readonly=False,
                 selection=None, inverse=None, default=None, ondelete=None,
                 stored=True, index=False, compute=None, where=None, extra=None):
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
        self.stored = stored and type_ not in ("one2many", "many2many") and not compute
        self.index = index
        self.compute = compute          # Orm method c_<compute>(model, ids) -> {id: value}
        self.where = where              # SQL filter on the comodel of a one2many
        self.extra = extra or {}        # more fields_get attributes

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
        "rate": F("float", "Current Rate", compute="currency_rate"),
        "position": sel([["after", "After Amount"], ["before", "Before Amount"]],
                        "Symbol Position", default="after"),
        "active": F("boolean", "Active", default=True),
    }, order="active desc, name"))
    M.append(Model("product.pricelist", "Pricelist", {
        "name": char("Pricelist Name", required=True),
        "currency_id": m2o("res.currency", "Currency", required=True, default=1),
        "company_id": m2o("res.company", "Company", default=1),
        "active": F("boolean", "Active", default=True),
    }, order="id", display=("t.name || ' (' || COALESCE(c.name, '') || ')'",
                            "LEFT JOIN res_currency c ON c.id = t.currency_id")))
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
        "invoice_ids": o2m("account.move", "partner_id", "Invoices", readonly=True),
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
        "property_product_pricelist": m2o("product.pricelist", "Pricelist"),
        "company_type": sel([["person", "Person"], ["company", "Company"]], "Company Type",
                            compute="company_type"),
        "commercial_partner_id": m2o("res.partner", "Commercial Entity",
                                     compute="commercial_partner"),
        "properties": F("properties", "Properties", compute="empty_list", extra={
            "definition_record": "properties_base_definition_id",
            "definition_record_field": "properties_definition"}),
        "barcode": char("Barcode"),
        "image_128": F("binary", "Image 128"),
        "image_1920": F("binary", "Image"),
    }, order="complete_name, id desc", parent="parent_id",
        display=("COALESCE(t.complete_name, '')", "")))
    M.append(Model("uom.uom", "Product Unit of Measure", {
        "name": char("Unit Name", required=True),
        "sequence": F("integer", "Sequence"),
        "relative_factor": F("float", "Contains", required=True, default=1.0),
        "relative_uom_id": m2o("uom.uom", "Reference Unit", ondelete="cascade"),
        "related_uom_ids": o2m("uom.uom", "relative_uom_id", "Related UoMs"),
        "factor": F("float", "Absolute Quantity", readonly=True, compute="uom_factor"),
        "rounding": F("float", "Rounding Precision", readonly=True, default=0.01),
        "parent_path": char("Parent Path"),
        "active": F("boolean", "Active", default=True),
    }, order="sequence, id", parent="relative_uom_id"))
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
        "uom_id": m2o("uom.uom", "Unit", required=True, default=1),
        "sale_ok": F("boolean", "Sales", default=True),
        "purchase_ok": F("boolean", "Purchase", default=True),
        "description_sale": F("text", "Sales Description"),
        "active": F("boolean", "Active", default=True),
        "taxes_id": m2m("account.tax", "Sales Taxes"),
        "supplier_taxes_id": m2m("account.tax", "Purchase Taxes"),
        "tracking": sel([["serial", "By Unique Serial Number"], ["lot", "By Lots"],
                         ["none", "By Quantity"]], "Tracking", default="none"),
        "is_storable": F("boolean", "Track Inventory"),
        "product_variant_ids": o2m("product.product", "product_tmpl_id", "Products"),
        "product_variant_count": F("integer", "# Product Variants", compute="variant_count"),
        "product_variant_id": m2o("product.product", "Product", compute="first_variant"),
        "attribute_line_ids": o2m("product.template.attribute.line", "product_tmpl_id",
                                  "Product Attributes"),
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
        "list_price": F("float", "Sales Price", compute="list_price"),
        "price_extra": F("float", "Variant Price Extra", compute="zero"),
        "standard_price": F("float", "Cost"),
        "uom_id": m2o("uom.uom", "Unit"),
        "sale_ok": F("boolean", "Sales", default=True),          # the template's, as
        "purchase_ok": F("boolean", "Purchase", default=True),   # _inherits gives them
        "active": F("boolean", "Active", default=True),
        "is_storable": F("boolean", "Track Inventory"),
        "product_template_attribute_value_ids": m2m("product.template.attribute.value",
                                                    "Attribute Values"),
        "product_template_variant_value_ids": m2m("product.template.attribute.value",
                                                  "Variant Values",
                                                  compute="variant_values"),
    }, order="default_code, name, id",
        display=("CASE WHEN t.default_code IS NOT NULL THEN '[' || t.default_code || '] ' "
                 "|| t.name ELSE t.name END || COALESCE(' (' || (SELECT group_concat(v.name, "
                 "', ') FROM product_product__product_template_attribute_value_ids r JOIN "
                 "product_template_attribute_value v ON v.id = r.id2 WHERE r.id1 = t.id) || "
                 "')', '')", "")))
    M.append(Model("product.attribute", "Product Attribute", {
        "name": char("Attribute", required=True),
        "create_variant": sel([["always", "Instantly"], ["dynamic", "Dynamically"],
                               ["no_variant", "Never (option)"]], "Variant Creation Mode",
                              default="always"),
        "display_type": sel([["radio", "Radio"], ["pills", "Pills"], ["select", "Select"],
                             ["color", "Color"], ["multi", "Multi-checkbox"]], "Display Type",
                            default="radio"),
        "value_ids": o2m("product.attribute.value", "attribute_id", "Values"),
    }, order="id"))
    M.append(Model("product.attribute.value", "Attribute Value", {
        "name": char("Value", required=True),
        "attribute_id": m2o("product.attribute", "Attribute", ondelete="cascade"),
        "sequence": F("integer", "Sequence"),
    }, order="attribute_id, sequence, id"))
    M.append(Model("product.template.attribute.line", "Product Template Attribute Line", {
        "product_tmpl_id": m2o("product.template", "Product Template", ondelete="cascade"),
        "attribute_id": m2o("product.attribute", "Attribute", required=True),
        "value_ids": m2m("product.attribute.value", "Values"),
    }, order="id", display=("COALESCE(a.name, '')",
                            "LEFT JOIN product_attribute a ON a.id = t.attribute_id")))
    M.append(Model("product.template.attribute.value", "Product Template Attribute Value", {
        "product_attribute_value_id": m2o("product.attribute.value", "Attribute Value",
                                          ondelete="cascade"),
        "attribute_line_id": m2o("product.template.attribute.line", "Attribute Line",
                                 ondelete="cascade"),
        "product_tmpl_id": m2o("product.template", "Product Template"),
        "name": char("Value"),
    }, order="id"))
    M.append(Model("account.tax", "Tax", {
        "name": char("Tax Name", required=True),
        "amount": F("float", "Amount", required=True),
        "type_tax_use": sel([["sale", "Sales"], ["purchase", "Purchases"], ["none", "None"]],
                            "Tax Type", required=True, default="sale"),
        "amount_type": sel([["group", "Group of Taxes"], ["fixed", "Fixed"],
                            ["percent", "Percentage"], ["division", "Percentage Tax Included"]],
                           "Tax Computation", required=True, default="percent"),
        "active": F("boolean", "Active", default=True),
    }, order="id"))
    M.append(Model("account.account", "Account", {
        "name": char("Account Name", required=True),
        "code": char("Code"),
        "account_type": char("Type"),
    }, order="code, id"))
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
        "pricelist_id": m2o("product.pricelist", "Pricelist"),
        "delivery_status": sel([["pending", "Not Delivered"], ["started", "Started"],
                                ["partial", "Partially Delivered"],
                                ["full", "Fully Delivered"]], "Delivery Status",
                               readonly=True),
        "picking_ids": o2m("stock.picking", "sale_id", "Transfers"),
        "locked": F("boolean", "Locked"),
        "invoice_ids": m2m("account.move", "Invoices", readonly=True),
        "invoice_count": F("integer", "Invoice Count", compute="invoice_count"),
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
        "price_tax": F("float", "Total Tax", readonly=True),
        "display_type": sel([["line_section", "Section"], ["line_subsection", "Subsection"],
                             ["line_note", "Note"]], "Display Type"),
        "qty_delivered": F("float", "Delivery Quantity"),
        "qty_invoiced": F("float", "Invoiced Quantity", compute="so_qty_invoiced"),
        "qty_to_invoice": F("float", "Quantity To Invoice", compute="so_qty_to_invoice"),
        "invoice_status": sel([["upselling", "Upselling Opportunity"],
                               ["invoiced", "Fully Invoiced"], ["to invoice", "To Invoice"],
                               ["no", "Nothing to Invoice"]], "Invoice Status",
                              compute="so_line_invoice_status"),
        "state": sel(STATE_SO, "Order Status", readonly=True, default="draft"),
    }, order="order_id, sequence, id",
        display=("COALESCE(o.name, '') || ' - ' || COALESCE(t.name, '') || "
                 "COALESCE(' (' || p.ref || ')', '')",
                 "LEFT JOIN sale_order o ON o.id = t.order_id "
                 "LEFT JOIN res_partner p ON p.id = o.partner_id")))
    M.append(Model("account.move", "Journal Entry", {
        "name": char("Number", default="/"),
        "ref": char("Reference"),
        "date": F("date", "Date", required=True),
        "state": sel(STATE_MOVE, "Status", required=True, readonly=True, default="draft"),
        "move_type": sel(MOVE_TYPES, "Type", required=True, default="entry"),
        "journal_id": m2o("account.journal", "Journal", required=True),
        "company_id": m2o("res.company", "Company", default=1),
        "line_ids": o2m("account.move.line", "move_id", "Journal Items"),
        "invoice_line_ids": o2m("account.move.line", "move_id", "Invoice lines",
                                where="t.display_type IN ('product', 'line_section', "
                                "'line_subsection', 'line_note')"),
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
        "invoice_payment_term_id": m2o("account.payment.term", "Payment Terms"),
        "matched_payment_ids": m2m("account.payment", "Matched Payments"),
    }, order="date desc, name desc, id desc",
        display=("CASE WHEN t.state = 'draft' AND (t.name IS NULL OR t.name = '/') THEN "
                 "CASE t.move_type WHEN 'out_invoice' THEN 'Draft Invoice' "
                 "WHEN 'out_refund' THEN 'Draft Credit Note' WHEN 'in_invoice' THEN "
                 "'Draft Bill' WHEN 'in_refund' THEN 'Draft Vendor Credit Note' "
                 "ELSE 'Draft Entry' END ELSE COALESCE(t.name, '') END "
                 "|| COALESCE(' (' || t.ref || ')', '')", "")))
    M.append(Model("account.payment.term", "Payment Terms", {
        "name": char("Payment Terms", required=True),
    }))
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
        "amount_currency": F("monetary", "Amount in Currency"),
        "display_type": sel([["product", "Product"], ["cogs", "Cost of Goods Sold"],
                             ["tax", "Tax"], ["non_deductible_product",
                                              "Non Deductible Products"],
                             ["non_deductible_product_total", "Non Deductible Products Total"],
                             ["non_deductible_tax", "Non Deductible Tax"],
                             ["discount", "Discount"], ["rounding", "Rounding"],
                             ["payment_term", "Payment Term"],
                             ["line_section", "Section"], ["line_subsection", "Subsection"],
                             ["line_note", "Note"], ["epd", "Early Payment Discount"]],
                            "Display Type", required=True, default="product"),
        "tax_line_id": m2o("account.tax", "Originator Tax"),
        "account_id": m2o("account.account", "Account"),
        "date_maturity": F("date", "Due Date"),
        "sale_line_ids": m2m("sale.order.line", "Sales Order Lines"),
        "purchase_line_id": m2o("purchase.order.line", "Purchase Order Line"),
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
        "invoice_ids": m2m("account.move", "Invoices"),
        "reconciled_invoice_ids": m2m("account.move", "Reconciled Invoices",
                                      compute="reconciled_invoices"),
        "reconciled_bill_ids": m2m("account.move", "Reconciled Bills",
                                   compute="reconciled_bills"),
        "move_id": m2o("account.move", "Journal Entry", readonly=True),
        "is_reconciled": F("boolean", "Is Reconciled", readonly=True),
        "is_matched": F("boolean", "Is Matched With a Bank Statement", readonly=True),
        "payment_method_line_id": m2o("account.payment.method.line", "Payment Method"),
        "outstanding_account_id": m2o("account.account", "Outstanding Account"),
    }, order="date desc, name desc"))
    M.append(Model("account.payment.method.line", "Payment Methods", {
        "name": char("Name"),
        "payment_type": sel([["outbound", "Send"], ["inbound", "Receive"]], "Payment Type"),
        "journal_id": m2o("account.journal", "Journal"),
    }, display=("COALESCE(t.name, '') || COALESCE(' (' || j.name || ')', '')",
                "LEFT JOIN account_journal j ON j.id = t.journal_id")))
    M.append(Model("account.payment.register", "Pay", {
        "amount": F("monetary", "Amount"),
        "source_amount": F("monetary", "Amount to Pay (company currency)", readonly=True),
        "payment_difference": F("monetary", "Payment Difference", readonly=True),
        "payment_difference_handling": sel([["open", "Keep open"],
                                            ["reconcile", "Mark as fully paid"]],
                                           "Payment Difference Handling", default="open"),
        "journal_id": m2o("account.journal", "Journal"),
        "payment_method_line_id": m2o("account.payment.method.line", "Payment Method"),
        "payment_date": F("date", "Payment Date", required=True),
        "communication": char("Memo"),
        "partner_id": m2o("res.partner", "Customer/Vendor"),
        "payment_type": sel([["outbound", "Send"], ["inbound", "Receive"]], "Payment Type"),
        "partner_type": sel([["customer", "Customer"], ["supplier", "Vendor"]],
                            "Partner Type"),
        "currency_id": m2o("res.currency", "Currency"),
        "line_ids": m2m("account.move.line", "Journal items"),
    }))
    # the "Create invoices" wizard of a confirmed order (sale.advance.payment.inv):
    # create it with the orders, call create_invoices
    M.append(Model("sale.advance.payment.inv", "Sales Advance Payment Invoice", {
        "advance_payment_method": sel([["delivered", "Regular invoice"],
                                       ["percentage", "Down payment (percentage)"],
                                       ["fixed", "Down payment (fixed amount)"]],
                                      "Create Invoice", required=True, default="delivered"),
        "sale_order_ids": m2m("sale.order", "Sales Orders"),
        "consolidated_billing": F("boolean", "Consolidated Billing", default=True),
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
    M.append(Model("stock.picking.type", "Picking Type", {
        "name": char("Operation Type", required=True),
        "code": sel([["incoming", "Receipt"], ["outgoing", "Delivery"],
                     ["internal", "Internal Transfer"]], "Type of Operation"),
        "sequence_code": char("Sequence Prefix"),
        "default_location_src_id": m2o("stock.location", "Source Location"),
        "default_location_dest_id": m2o("stock.location", "Destination Location"),
    }, display=("'YourCompany: ' || t.name", "")))
    M.append(Model("stock.lot", "Lot/Serial", {
        "name": char("Lot/Serial Number", required=True),
        "product_id": m2o("product.product", "Product"),
    }))
    M.append(Model("stock.picking", "Transfer", {
        "name": char("Reference", default="/"),
        "origin": char("Source Document"),
        "partner_id": m2o("res.partner", "Contact"),
        "picking_type_id": m2o("stock.picking.type", "Operation Type"),
        "move_ids": o2m("stock.move", "picking_id", "Stock Moves"),
        "move_line_ids": o2m("stock.move.line", "picking_id", "Operations"),
        "sale_id": m2o("sale.order", "Sales Order"),
        "purchase_id": m2o("purchase.order", "Purchase Orders"),
        "backorder_id": m2o("stock.picking", "Back Order of"),
        "backorder_ids": o2m("stock.picking", "backorder_id", "Back Orders"),
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
    MOVE_STATE = [["draft", "New"], ["waiting", "Waiting Another Move"],
                  ["confirmed", "Waiting Availability"],
                  ["partially_available", "Partially Available"], ["assigned", "Available"],
                  ["done", "Done"], ["cancel", "Cancelled"]]
    M.append(Model("stock.move", "Stock Move", {
        "name": char("Description"),
        "reference": char("Reference"),
        "picking_id": m2o("stock.picking", "Transfer", ondelete="cascade", index=True),
        "product_id": m2o("product.product", "Product", required=True),
        "product_uom_qty": F("float", "Demand", required=True, default=0.0),
        "quantity": F("float", "Quantity"),
        "picked": F("boolean", "Picked"),
        "product_uom": m2o("uom.uom", "Unit", required=True, default=1),
        "location_id": m2o("stock.location", "Source Location"),
        "location_dest_id": m2o("stock.location", "Destination Location"),
        "state": sel(MOVE_STATE, "Status", readonly=True, default="draft"),
        "move_line_ids": o2m("stock.move.line", "move_id", "Operations"),
        "sale_line_id": m2o("sale.order.line", "Sale Line"),
        "purchase_line_id": m2o("purchase.order.line", "Purchase Order Line"),
    }, order="id",
        display=("COALESCE(pk.origin || '/', '') || COALESCE(pp.default_code || ': ', '') "
                 "|| COALESCE(ls.name, '') || '>' || COALESCE(ld.name, '')",
                 "LEFT JOIN stock_picking pk ON pk.id = t.picking_id "
                 "LEFT JOIN product_product pp ON pp.id = t.product_id "
                 "LEFT JOIN stock_location ls ON ls.id = t.location_id "
                 "LEFT JOIN stock_location ld ON ld.id = t.location_dest_id")))
    M.append(Model("stock.move.line", "Product Moves (Stock Move Line)", {
        "move_id": m2o("stock.move", "Stock Operation", ondelete="cascade", index=True),
        "picking_id": m2o("stock.picking", "Transfer"),
        "product_id": m2o("product.product", "Product"),
        "quantity": F("float", "Quantity"),
        "lot_id": m2o("stock.lot", "Lot/Serial Number"),
        "lot_name": char("Lot/Serial Number Name"),
        "picked": F("boolean", "Picked"),
        "location_id": m2o("stock.location", "From"),
        "location_dest_id": m2o("stock.location", "To"),
        "state": sel(MOVE_STATE, "Status", readonly=True),
    }, order="id", display=("COALESCE(pk.name, '')",
                            "LEFT JOIN stock_picking pk ON pk.id = t.picking_id")))
    M.append(Model("stock.backorder.confirmation", "Backorder Confirmation", {
        "pick_ids": m2m("stock.picking", "Pick"),
        "show_transfers": F("boolean", "Show Transfers"),
    }))
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
        "picking_ids": o2m("stock.picking", "purchase_id", "Receptions"),
        "receipt_status": sel([["pending", "Not Received"], ["partial", "Partially Received"],
                               ["full", "Fully Received"]], "Receipt Status", readonly=True),
        "invoice_status": sel([["no", "Nothing to Bill"], ["to invoice", "Waiting Bills"],
                               ["invoiced", "Fully Billed"]], "Billing Status",
                              compute="po_invoice_status"),
        "invoice_ids": m2m("account.move", "Bills", compute="po_invoices"),
        "invoice_count": F("integer", "Bill Count", compute="po_invoice_count"),
    }, order="id desc", display=("t.name || COALESCE(' (' || t.partner_ref || ')', '')", "")))
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
        "display_type": sel([["line_section", "Section"], ["line_subsection", "Subsection"],
                             ["line_note", "Note"]], "Display Type"),
        "qty_received": F("float", "Received Qty"),
        "qty_invoiced": F("float", "Billed Qty", compute="po_qty_invoiced"),
        "qty_to_invoice": F("float", "To Invoice Quantity", compute="po_qty_to_invoice"),
        "state": sel(STATE_PO, "Status", readonly=True, default="draft"),
    }, order="order_id, sequence, id", display=("COALESCE(t.name, '')", "")))
    M.append(Model("hr.department", "Department", {
        "name": char("Department Name", required=True),
        "complete_name": char("Complete Name", readonly=True),
        "parent_id": m2o("hr.department", "Parent Department"),
        "active": F("boolean", "Active", default=True),
    }, order="name", parent="parent_id", display=("COALESCE(t.complete_name, t.name)", "")))
    M.append(Model("hr.job", "Job Position", {
        "name": char("Job Position", required=True),
    }))
    M.append(Model("hr.employee", "Employee", {
        "name": char("Employee Name", required=True),
        "job_title": char("Job Title"),
        "department_id": m2o("hr.department", "Department"),
        "parent_id": m2o("hr.employee", "Manager"),
        "work_email": char("Work Email"),
        "work_phone": char("Work Phone"),
        "user_id": m2o("res.users", "User"),
        "work_contact_id": m2o("res.partner", "Work Contact"),
        "coach_id": m2o("hr.employee", "Coach"),
        "job_id": m2o("hr.job", "Job Position"),
        "employee_properties": F("properties", "Properties", compute="empty_list"),
        "company_id": m2o("res.company", "Company", required=True, default=1),
        "active": F("boolean", "Active", default=True),
    }, order="name", parent="parent_id"))
    M.append(Model("crm.stage", "CRM Stages", {
        "name": char("Stage Name", required=True),
        "sequence": F("integer", "Sequence", default=1),
        "is_won": F("boolean", "Is Won Stage?"),
    }, order="sequence, name, id"))
    M.append(Model("crm.tag", "CRM Tag", {
        "name": char("Tag Name", required=True),
        "color": F("integer", "Color"),
    }, order="name"))
    M.append(Model("crm.team", "Sales Team", {
        "name": char("Sales Team", required=True),
    }))
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
        "tag_ids": m2m("crm.tag", "Tags"),
        "team_id": m2o("crm.team", "Sales Team"),
        "company_currency": m2o("res.currency", "Currency", compute="company_currency"),
        "lead_properties": F("properties", "Properties", compute="empty_list"),
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
        "complete_name": char("Complete ID", compute="imd_complete_name"),
        "noupdate": F("boolean", "Non Updatable"),
    }, order="module, model, name",
        display=("t.module || '.' || t.name", "")))
    return {m.name: m for m in M}


MODELS = _models()
