"""tests/sandbox/nav_model.py - the data side of the NAV / Business Central sandbox.

The published pages (entity sets) with NAV's field names and types, their
storage in sqlite, the deterministic seed, the OData V4 $filter language
(parsed, type-checked as NAV does, and compiled to SQL) and NAV's own filter
syntax used by the SOAP ReadMultiple criteria.

Tables hold the records; an entity set is a *view* of a table: the fields it
publishes (under their page names, or the camelCase names of the API v2.0
pages), a fixed filter (SalesOrder is Sales Header with Document_Type Order)
and the values it sets on insert.  Every row has a version (_ver) from one
global counter: the ETag and the SOAP Key are derived from it, so any change
makes the old ones stale."""

import base64
import datetime
import json
import random
import re

# ---------------------------------------------------------------- types
# s string, d decimal, i integer, b boolean, date, dt datetime, g guid, e enum
EDM = {"s": "Edm.String", "d": "Edm.Decimal", "i": "Edm.Int32", "b": "Edm.Boolean",
       "date": "Edm.Date", "dt": "Edm.DateTimeOffset", "g": "Edm.Guid"}
XSD = {"s": "string", "d": "decimal", "i": "int", "b": "boolean", "date": "date",
       "dt": "dateTime", "g": "string"}
EMPTY_DATE = "0001-01-01"
EMPTY_DT = "0001-01-01T00:00:00Z"

ENUMS = {
    "CustomerBlocked": [" ", "Ship", "Invoice", "All"],
    "VendorBlocked": [" ", "Payment", "All"],
    "ItemType": ["Inventory", "Service", "Non-Inventory"],
    "SalesDocumentType": ["Quote", "Order", "Invoice", "Credit Memo", "Blanket Order",
                          "Return Order"],
    "PurchaseDocumentType": ["Quote", "Order", "Invoice", "Credit Memo", "Blanket Order",
                             "Return Order"],
    "DocumentStatus": ["Open", "Released", "Pending Approval", "Pending Prepayment"],
    "SalesLineType": [" ", "G/L Account", "Item", "Resource", "Fixed Asset", "Charge (Item)"],
    "GenJournalDocumentType": [" ", "Payment", "Invoice", "Credit Memo",
                               "Finance Charge Memo", "Reminder", "Refund"],
    "GenJournalAccountType": ["G/L Account", "Customer", "Vendor", "Bank Account",
                              "Fixed Asset", "IC Partner", "Employee"],
    "ItemLedgerEntryType": ["Purchase", "Sale", "Positive Adjmt.", "Negative Adjmt.",
                            "Transfer", "Consumption", "Output"],
}


def xml_name(caption):
    """An option caption as an OData/CSDL member name: NAV encodes every
    character that may not appear in an identifier as _xHHHH_."""
    return "".join(c if (c.isalnum() and c.isascii()) or c == "_" else "_x%04X_" % ord(c)
                   for c in caption)


def soap_name(caption):
    """An option caption as a SOAP enumeration value: _blank_, Credit_Memo."""
    if not caption.strip():
        return "_blank_"
    return re.sub(r"[^A-Za-z0-9]+", "_", caption).strip("_")


def enum_from_text(enum, text):
    """The stored caption for a member name, a caption or a SOAP value; None if none."""
    for cap in ENUMS[enum]:
        if text in (cap, xml_name(cap), soap_name(cap)):
            return cap
    return None


class Field:
    __slots__ = ("name", "col", "t", "size", "enum", "ro", "sql", "nullable")

    def __init__(self, name, t, size=None, enum=None, ro=False, sql=None, col=None):
        self.name, self.t, self.size, self.enum, self.ro, self.sql = name, t, size, enum, ro, sql
        self.col = col or name
        self.nullable = True

    @property
    def edm(self):
        return "NAV." + self.enum if self.t == "e" else EDM[self.t]


def F(name, t="s", size=None, **kw):
    if t == "s" and size is None:
        size = 30
    return Field(name, t, size, **kw)


def E(name, enum, **kw):
    return Field(name, "e", None, enum=enum, **kw)


SYS = [F("SystemId", "g", ro=True), F("SystemModifiedAt", "dt", ro=True)]


def party(group, extra, blocked):
    """The fields of the Customer and Vendor cards."""
    return ([F("No", size=20), F("Name", size=100), F("Address", size=100),
             F("Address_2", size=50), F("City", size=30), F("Post_Code", size=20),
             F("Country_Region_Code", size=10), F("Phone_No", size=30), F("E_Mail", size=80),
             F("VAT_Registration_No", size=20), F("Currency_Code", size=10),
             F(group, size=20), F("Gen_Bus_Posting_Group", size=20),
             F("Payment_Terms_Code", size=10)] + extra +
            [F("Balance_LCY", "d", ro=True), E("Blocked", blocked),
             F("Last_Date_Modified", "date", ro=True)] + SYS)

# table name -> (key columns, fields)
TABLES = {
    "Company": (["Name"], [F("Name", size=30), F("Display_Name", size=250),
                           F("Id", "g", ro=True)]),
    "Customer": (["No"], party("Customer_Posting_Group", [F("Credit_Limit_LCY", "d")],
                               "CustomerBlocked")),
    "Vendor": (["No"], party("Vendor_Posting_Group", [], "VendorBlocked")),
    "Item": (["No"], [
        F("No", size=20), F("Description", size=100), E("Type", "ItemType"),
        F("Base_Unit_of_Measure", size=10), F("Unit_Price", "d"), F("Unit_Cost", "d"),
        F("Inventory", "d", ro=True,
          sql="(SELECT COALESCE(SUM(e.Quantity), 0) FROM ItemLedgerEntry e "
              "WHERE e.company = t.company AND e.Item_No = t.No)"),
        F("Item_Category_Code", size=20), F("Gen_Prod_Posting_Group", size=20),
        F("Inventory_Posting_Group", size=20), F("VAT_Prod_Posting_Group", size=20),
        F("GTIN", size=14), F("Blocked", "b"),
        F("Last_Date_Modified", "date", ro=True)] + SYS),
    "SalesHeader": (["Document_Type", "No"], [
        E("Document_Type", "SalesDocumentType"), F("No", size=20),
        F("Sell_to_Customer_No", size=20), F("Sell_to_Customer_Name", size=100),
        F("Order_Date", "date"), F("Posting_Date", "date"), F("Due_Date", "date"),
        F("External_Document_No", size=35), F("Your_Reference", size=35),
        F("Currency_Code", size=10), E("Status", "DocumentStatus"),
        F("Amount", "d", ro=True,
          sql="(SELECT COALESCE(SUM(l.Line_Amount), 0) FROM SalesLine l WHERE "
              "l.company = t.company AND l.Document_Type = t.Document_Type "
              "AND l.Document_No = t.No)")] + SYS),
    "SalesLine": (["Document_Type", "Document_No", "Line_No"], [
        E("Document_Type", "SalesDocumentType"), F("Document_No", size=20),
        F("Line_No", "i"), E("Type", "SalesLineType"), F("No", size=20),
        F("Description", size=100), F("Location_Code", size=10), F("Quantity", "d"),
        F("Unit_of_Measure_Code", size=10), F("Unit_Price", "d"),
        F("Line_Discount_Percent", "d"), F("Line_Amount", "d", ro=True),
        F("Quantity_Shipped", "d", ro=True)] + SYS),
    "PurchaseHeader": (["Document_Type", "No"], [
        E("Document_Type", "PurchaseDocumentType"), F("No", size=20),
        F("Buy_from_Vendor_No", size=20), F("Buy_from_Vendor_Name", size=100),
        F("Order_Date", "date"), F("Posting_Date", "date"), F("Due_Date", "date"),
        F("Vendor_Invoice_No", size=35), F("Vendor_Order_No", size=35),
        F("Your_Reference", size=35),
        F("Currency_Code", size=10), E("Status", "DocumentStatus"),
        F("Amount", "d", ro=True,
          sql="(SELECT COALESCE(SUM(l.Line_Amount), 0) FROM PurchaseLine l WHERE "
              "l.company = t.company AND l.Document_Type = t.Document_Type "
              "AND l.Document_No = t.No)")] + SYS),
    "PurchaseLine": (["Document_Type", "Document_No", "Line_No"], [
        E("Document_Type", "PurchaseDocumentType"), F("Document_No", size=20),
        F("Line_No", "i"), E("Type", "SalesLineType"), F("No", size=20),
        F("Description", size=100), F("Location_Code", size=10), F("Quantity", "d"),
        F("Unit_of_Measure_Code", size=10), F("Direct_Unit_Cost", "d"),
        F("Line_Discount_Percent", "d"), F("Line_Amount", "d", ro=True)] + SYS),
    "GenJournalLine": (["Journal_Template_Name", "Journal_Batch_Name", "Line_No"], [
        F("Journal_Template_Name", size=10), F("Journal_Batch_Name", size=10),
        F("Line_No", "i"), F("Posting_Date", "date"),
        E("Document_Type", "GenJournalDocumentType"), F("Document_No", size=20),
        F("External_Document_No", size=35), E("Account_Type", "GenJournalAccountType"),
        F("Account_No", size=20), F("Description", size=100), F("Currency_Code", size=10),
        F("Amount", "d"), F("Debit_Amount", "d", ro=True), F("Credit_Amount", "d", ro=True),
        E("Bal_Account_Type", "GenJournalAccountType"), F("Bal_Account_No", size=20),
        E("Applies_to_Doc_Type", "GenJournalDocumentType"),
        F("Applies_to_Doc_No", size=20)] + SYS),
    "ItemLedgerEntry": (["Entry_No"], [
        F("Entry_No", "i"), F("Posting_Date", "date"),
        E("Entry_Type", "ItemLedgerEntryType"), F("Document_No", size=20),
        F("Item_No", size=20), F("Description", size=100), F("Location_Code", size=10),
        F("Quantity", "d"), F("Remaining_Quantity", "d"), F("Cost_Amount_Actual", "d"),
        F("Open", "b")] + SYS),
    # Item Journal (page 40): lines that post as item ledger entries
    "ItemJournalLine": (["Journal_Template_Name", "Journal_Batch_Name", "Line_No"], [
        F("Journal_Template_Name", size=10), F("Journal_Batch_Name", size=10),
        F("Line_No", "i"), F("Posting_Date", "date"), F("Document_Date", "date"),
        E("Entry_Type", "ItemLedgerEntryType"), F("Document_No", size=20),
        F("External_Document_No", size=35), F("Item_No", size=20),
        F("Description", size=100), F("Location_Code", size=10), F("Quantity", "d"),
        F("Unit_of_Measure_Code", size=10), F("Unit_Amount", "d"), F("Amount", "d")] + SYS),
    # Posted Sales Shipment (page 130, table 110 Sales Shipment Header) and
    # its lines (page 131 Posted Sales Shpt. Subform, table 111)
    "SalesShipmentHeader": (["No"], [
        F("No", size=20), F("Sell_to_Customer_No", size=20),
        F("Sell_to_Customer_Name", size=100), F("Posting_Date", "date"),
        F("Document_Date", "date"), F("Shipment_Date", "date"), F("Order_No", size=20),
        F("External_Document_No", size=35), F("Location_Code", size=10),
        F("Shipping_Agent_Code", size=10), F("Package_Tracking_No", size=30)] + SYS),
    "SalesShipmentLine": (["Document_No", "Line_No"], [
        F("Document_No", size=20), F("Line_No", "i"), E("Type", "SalesLineType"),
        F("No", size=20), F("Description", size=100), F("Location_Code", size=10),
        F("Quantity", "d"), F("Unit_of_Measure_Code", size=10),
        F("Quantity_Invoiced", "d"), F("Order_No", size=20), F("Order_Line_No", "i")] + SYS),
    "GLEntry": (["Entry_No"], [
        F("Entry_No", "i"), F("Posting_Date", "date"),
        E("Document_Type", "GenJournalDocumentType"), F("Document_No", size=20),
        F("G_L_Account_No", size=20), F("G_L_Account_Name", size=100),
        F("Description", size=100), F("Amount", "d"), F("Debit_Amount", "d"),
        F("Credit_Amount", "d"), E("Bal_Account_Type", "GenJournalAccountType"),
        F("Bal_Account_No", size=20)] + SYS),
}
TABLE_FIELDS = {t: {f.col: f for f in fs} for t, (k, fs) in TABLES.items()}


class EntitySet:
    """A published page: a view of a table."""

    def __init__(self, name, table, fixed=None, rename=None, fields=None, lines=None,
                 readonly=False, series=None, caption=None, keys=None):
        self.name, self.table = name, table
        self.fixed = fixed or {}            # column -> value, filter and insert default
        self.readonly = readonly            # ledger entries: no insert/modify/delete
        self.series = series                # number series prefix for a blank No
        self.caption = caption or name
        self.lines = lines                  # (entity set of the lines, link columns)
        tkeys, tfields = TABLES[table]
        rename = rename or {}
        pick = fields or [f.col for f in tfields]
        self.fields = []
        for col in pick:
            f = TABLE_FIELDS[table][col]
            nf = Field(rename.get(col, col), f.t, f.size, enum=f.enum, ro=f.ro, sql=f.sql,
                       col=col)
            self.fields.append(nf)
        self.by_name = {f.name: f for f in self.fields}
        self.by_col = {f.col: f for f in self.fields}
        self.key_cols = keys or tkeys
        self.keys = [self.by_col[c] for c in self.key_cols]
        for k in self.keys:
            k.nullable = False
        self.nav_props = {}

    def type_name(self):
        return self.name


PAGE_SETS = [
    EntitySet("Company", "Company"),
    EntitySet("Customer", "Customer", series="C"),
    EntitySet("Vendor", "Vendor", series="V"),
    EntitySet("Item", "Item", series="I"),
    EntitySet("SalesOrder", "SalesHeader", {"Document_Type": "Order"}, series="S-ORD",
              lines=("SalesOrderSalesLines", {"Document_Type": "Document_Type",
                                              "Document_No": "No"})),
    EntitySet("SalesOrderSalesLines", "SalesLine", {"Document_Type": "Order"}),   # page 46
    EntitySet("SalesInvoice", "SalesHeader", {"Document_Type": "Invoice"}, series="S-INV",
              lines=("SalesInvoiceSalesLines", {"Document_Type": "Document_Type",
                                                "Document_No": "No"})),
    EntitySet("SalesInvoiceSalesLines", "SalesLine", {"Document_Type": "Invoice"},
              fields=[f.col for f in TABLES["SalesLine"][1] if f.col != "Quantity_Shipped"]),
    EntitySet("PurchaseOrder", "PurchaseHeader", {"Document_Type": "Order"}, series="P-ORD",
              lines=("PurchaseOrderPurchLines", {"Document_Type": "Document_Type",
                                                 "Document_No": "No"})),
    EntitySet("PurchaseOrderPurchLines", "PurchaseLine", {"Document_Type": "Order"}),
    EntitySet("PurchaseInvoice", "PurchaseHeader", {"Document_Type": "Invoice"},
              series="P-INV",
              lines=("PurchaseInvoicePurchLines", {"Document_Type": "Document_Type",
                                                   "Document_No": "No"})),
    EntitySet("PurchaseInvoicePurchLines", "PurchaseLine", {"Document_Type": "Invoice"}),
    EntitySet("CashReceiptJournal", "GenJournalLine", {"Journal_Template_Name": "CASHRCPT"},
              caption="Cash Receipt Journal"),
    EntitySet("GenJournalLines", "GenJournalLine", caption="General Journal"),
    EntitySet("ItemJournalLines", "ItemJournalLine", caption="Item Journal"),
    EntitySet("SalesShipment", "SalesShipmentHeader", readonly=True,
              caption="Posted Sales Shipment",
              lines=("SalesShipmentSalesShipmLines", {"Document_No": "No"})),
    EntitySet("SalesShipmentSalesShipmLines", "SalesShipmentLine", readonly=True,
              caption="Posted Sales Shpt. Subform"),
    EntitySet("ItemLedgerEntries", "ItemLedgerEntry", readonly=True,
              caption="Item Ledger Entries"),
    EntitySet("GLEntries", "GLEntry", readonly=True, caption="General Ledger Entries"),
]

# API v2.0 (BC online style): camelCase, keyed by the SystemId, lastModifiedDateTime.
API_SETS = [
    EntitySet("customers", "Customer", rename={
        "SystemId": "id", "No": "number", "Name": "displayName", "Address": "addressLine1",
        "Address_2": "addressLine2", "City": "city", "Post_Code": "postalCode",
        "Country_Region_Code": "country", "Phone_No": "phoneNumber", "E_Mail": "email",
        "Currency_Code": "currencyCode", "Credit_Limit_LCY": "creditLimit",
        "Blocked": "blocked", "Balance_LCY": "balance",
        "SystemModifiedAt": "lastModifiedDateTime"},
        fields=["SystemId", "No", "Name", "Address", "Address_2", "City", "Post_Code",
                "Country_Region_Code", "Phone_No", "E_Mail", "Currency_Code",
                "Credit_Limit_LCY", "Balance_LCY", "Blocked", "SystemModifiedAt"],
        keys=["SystemId"], series="C"),
    EntitySet("vendors", "Vendor", rename={
        "SystemId": "id", "No": "number", "Name": "displayName", "Address": "addressLine1",
        "City": "city", "Post_Code": "postalCode", "Country_Region_Code": "country",
        "Phone_No": "phoneNumber", "E_Mail": "email", "Currency_Code": "currencyCode",
        "Blocked": "blocked", "Balance_LCY": "balance",
        "SystemModifiedAt": "lastModifiedDateTime"},
        fields=["SystemId", "No", "Name", "Address", "City", "Post_Code",
                "Country_Region_Code", "Phone_No", "E_Mail", "Currency_Code", "Balance_LCY",
                "Blocked", "SystemModifiedAt"],
        keys=["SystemId"], series="V"),
]
for _catalog in (PAGE_SETS, API_SETS):
    _names = {s.name: s for s in _catalog}
    for _s in _catalog:
        if _s.lines:
            _s.nav_props[_s.lines[0]] = (_names[_s.lines[0]], _s.lines[1])


class NavError(Exception):
    """An OData error: HTTP status, NAV error code, message."""

    def __init__(self, status, code, message):
        Exception.__init__(self, message)
        self.status, self.code, self.message = status, code, message


def bad(msg, code="BadRequest"):
    return NavError(400, code, msg)


# ---------------------------------------------------------------- values
DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
DT_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,7})?)?"
                   r"(Z|[+-]\d{2}:\d{2})$")
GUID_RE = re.compile(r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-"
                     r"[0-9A-Fa-f]{12}$")


def norm_date(s):
    m = DATE_RE.match(s)
    if not m:
        return None
    try:
        datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    return s


def norm_dt(s):
    """An ISO datetime with offset -> the stored form, UTC with milliseconds."""
    m = DT_RE.match(s)
    if not m:
        return None
    y, mo, d, h, mi = (int(m.group(i)) for i in range(1, 6))
    sec = int(m.group(6) or 0)
    frac = m.group(7) or ""
    us = int((frac[1:] + "000000")[:6]) if frac else 0
    try:
        t = datetime.datetime(y, mo, d, h, mi, sec, us)
    except ValueError:
        return None
    tz = m.group(8)
    if tz != "Z":
        sign = 1 if tz[0] == "+" else -1
        off = datetime.timedelta(hours=int(tz[1:3]), minutes=int(tz[4:6]))
        try:
            t = t - sign * off
        except OverflowError:
            return None
    return fmt_dt(t)


def fmt_dt(t):
    if t.year <= 1:
        return EMPTY_DT
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)


def dec_out(x):
    if x is None:
        return 0
    x = float(x)
    if x == int(x) and abs(x) < 1e15:
        return int(x)
    return round(x, 10)


def to_json(f, v):
    """A stored value as the OData JSON value."""
    t = f.t
    if t == "d":
        return dec_out(v)
    if t == "i":
        return int(v or 0)
    if t == "b":
        return bool(v)
    if t == "e":
        return xml_name(v if v is not None else ENUMS[f.enum][0])
    if t == "date":
        return v or EMPTY_DATE
    if t == "dt":
        return v or EMPTY_DT
    if t == "g":
        return v or "00000000-0000-0000-0000-000000000000"
    return v if v is not None else ""


def to_xml_text(f, v):
    """A stored value as SOAP element text."""
    t = f.t
    if t == "d":
        x = dec_out(v)
        return str(x)
    if t == "i":
        return str(int(v or 0))
    if t == "b":
        return "true" if v else "false"
    if t == "e":
        return soap_name(v if v is not None else ENUMS[f.enum][0])
    if t == "date":
        return v or EMPTY_DATE
    if t == "dt":
        return v or EMPTY_DT
    return v if v is not None else ""


def from_json(f, v, entity):
    """A JSON value from a request body -> the stored value, or NavError."""
    t = f.t
    name = f.name
    if v is None:
        raise bad("Cannot convert a primitive value to the expected type '%s'. "
                  "See the inner exception for more details." % f.edm)
    if t == "s":
        if not isinstance(v, str):
            raise bad("Cannot convert the literal '%s' to the expected type 'Edm.String'."
                      % json.dumps(v))
        if len(v) > f.size:
            raise NavError(400, "Application_StringExceededLength",
                           "The length of the string is %d, but it must be less than or "
                           "equal to %d characters. Value: %s" % (len(v), f.size, v))
        return v
    if t in ("d", "i"):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            if isinstance(v, str) and re.match(r"^-?\d+(\.\d+)?$", v):
                v = float(v) if t == "d" else None
            if v is None or isinstance(v, (str, bool)):
                raise bad("Cannot convert the literal '%s' to the expected type '%s'."
                          % (v if isinstance(v, str) else json.dumps(v), f.edm))
        if t == "i":
            if float(v) != int(v):
                raise bad("Cannot convert the literal '%s' to the expected type "
                          "'Edm.Int32'." % v)
            return int(v)
        return float(v)
    if t == "b":
        if not isinstance(v, bool):
            raise bad("Cannot convert the literal '%s' to the expected type "
                      "'Edm.Boolean'." % json.dumps(v))
        return 1 if v else 0
    if t == "e":
        cap = enum_from_text(f.enum, v) if isinstance(v, str) else None
        if cap is None:
            raise bad("The value '%s' is not valid for the field %s of %s." %
                      (v, name, entity.name), "BadRequest_InvalidToken")
        return cap
    if t == "date":
        if not isinstance(v, str) or not norm_date(v):
            raise bad("Cannot convert the literal '%s' to the expected type 'Edm.Date'." % v)
        return v
    if t == "dt":
        n = norm_dt(v) if isinstance(v, str) else None
        if not n:
            raise bad("Cannot convert the literal '%s' to the expected type "
                      "'Edm.DateTimeOffset'." % v)
        return n
    if t == "g":
        if not isinstance(v, str) or not GUID_RE.match(v):
            raise bad("Cannot convert the literal '%s' to the expected type 'Edm.Guid'." % v)
        return v.lower()
    raise bad("unsupported type")


def from_xml_text(f, text, entity):
    """SOAP element text -> the stored value, or NavError (a SOAP fault)."""
    t = f.t
    text = text or ""
    try:
        if t == "s":
            return from_json(f, text, entity)
        if t == "d":
            return float(text) if text.strip() else 0.0
        if t == "i":
            return int(text) if text.strip() else 0
        if t == "b":
            if text not in ("true", "false", "1", "0"):
                raise ValueError
            return 1 if text in ("true", "1") else 0
        if t == "e":
            return from_json(f, text, entity)
        if t == "date":
            return from_json(f, text, entity) if text else EMPTY_DATE
        if t == "dt":
            return from_json(f, text, entity) if text else EMPTY_DT
        if t == "g":
            return from_json(f, text, entity)
    except ValueError:
        pass
    raise bad("The value '%s' is not valid for %s '%s'." % (text, XSD[f.t], f.name))


# ---------------------------------------------------------------- storage

def create_schema(db):
    for table, (keys, fields) in TABLES.items():
        cols = ["company TEXT NOT NULL"]
        for f in fields:
            if f.sql:
                continue
            typ = {"d": "REAL", "i": "INTEGER", "b": "INTEGER"}.get(f.t, "TEXT")
            cols.append('"%s" %s' % (f.col, typ))
        cols.append("_ver INTEGER NOT NULL")
        cols.append("PRIMARY KEY (company, %s)" % ", ".join('"%s"' % k for k in keys))
        db.execute('CREATE TABLE "%s" (%s)' % (table, ", ".join(cols)))
        if "SystemModifiedAt" in TABLE_FIELDS[table]:
            db.execute('CREATE INDEX "%s_mod" ON "%s" (company, SystemModifiedAt)'
                       % (table, table))
        if "SystemId" in TABLE_FIELDS[table]:
            db.execute('CREATE INDEX "%s_sid" ON "%s" (company, SystemId)' % (table, table))
    db.execute("CREATE INDEX ile_item ON ItemLedgerEntry (company, Item_No)")
    db.execute("CREATE TABLE meta (k TEXT PRIMARY KEY, v INTEGER)")
    db.execute("INSERT INTO meta VALUES ('ver', 0)")


def stored_cols(table):
    return [f.col for f in TABLES[table][1] if not f.sql]


def default_value(f):
    return {"s": "", "d": 0.0, "i": 0, "b": 0, "date": EMPTY_DATE, "dt": EMPTY_DT,
            "g": "00000000-0000-0000-0000-000000000000"}.get(f.t) if f.t != "e" \
        else ENUMS[f.enum][0]


# ---------------------------------------------------------------- seed
CUSTOMERS = [  # No, Name, Address, City, Post_Code, Country, Phone, E_Mail, Currency, Group
    ("10000", "Adatum Corporation", "Station Road, 21", "Cambridge", "CB1 2FB", "GB",
     "+44 1223 555 0100", "robert.townes@contoso.com", "", "DOMESTIC"),
    ("20000", "Trey Research", "Southwark Bridge Rd, 153", "London", "SE1 0AA", "GB",
     "+44 20 7946 0123", "helen.ray@contoso.com", "", "DOMESTIC"),
    ("30000", "School of Fine Art", "Flat 4, 10 Victoria St", "Atlanta", "31772", "US",
     "+1 404 555 0114", "meagan.bond@contoso.com", "USD", "FOREIGN"),
    ("40000", "Alpine Ski House", "Bahnhofstrasse 19", "Zürich", "8001", "CH",
     "+41 44 555 01 05", "ian.deberry@contoso.com", "CHF", "FOREIGN"),
    ("50000", "Relecloud", "Kongens Nytorv 8", "København K", "1050", "DK",
     "+45 33 55 01 00", "jesse.homer@contoso.com", "DKK", "FOREIGN"),
    ("60000", "O'Brien Fabrics & Sons", "1 Quay St", "Galway", "H91 X2R4", "IE",
     "+353 91 555 0100", "", "EUR", "FOREIGN"),
]
VENDORS = [
    ("10000", "Fabrikam, Inc.", "Main Street, 14", "Birmingham", "B27 4KT", "GB",
     "+44 121 555 0100", "katherine.hull@contoso.com", "", "DOMESTIC"),
    ("20000", "First Up Consultants", "Albert Sq 6", "Manchester", "M2 5DB", "GB",
     "+44 161 555 0123", "evan.mcintosh@contoso.com", "", "DOMESTIC"),
    ("30000", "Graphic Design Institute", "Rue Royale 7", "Bruxelles", "1000", "BE",
     "+32 2 555 01 00", "kevin.wright@contoso.com", "EUR", "FOREIGN"),
    ("40000", "Wide World Importers", "Pike Place 1", "Seattle", "98101", "US",
     "+1 206 555 0199", "ben.smith@contoso.com", "USD", "FOREIGN"),
]
ITEMS = [  # No, Description, Type, UoM, price, cost
    ("1896-S", "ATHENS Desk", "Inventory", "PCS", 1000.8, 780.7),
    ("1900-S", "PARIS Guest Chair, black", "Inventory", "PCS", 192.8, 150.4),
    ("1906-S", "ATHENS Mobile Pedestal", "Inventory", "PCS", 281.4, 219.5),
    ("1908-S", "LONDON Swivel Chair, blue", "Inventory", "PCS", 190.1, 148.3),
    ("1920-S", "ANTWERP Conference Table", "Inventory", "PCS", 649.4, 506.6),
    ("1928-S", "AMSTERDAM Lamp", "Inventory", "PCS", 54.9, 42.8),
    ("1936-S", "BERLIN Guest Chair, yellow", "Inventory", "PCS", 192.8, 150.4),
    ("1953-W", "Guest Section 1", "Inventory", "PCS", 152.4, 123.4),
    ("SVC-INST", "Installation service", "Service", "HOUR", 85.0, 0.0),
]
COUNTRIES = ["GB", "US", "DE", "FR", "BE", "NL", "DK", "SE", "CH", "IE", "ES", "IT"]
CURRENCIES = ["", "USD", "EUR", "CHF", "DKK", "GBP"]
CITY = ["Aarhus", "Brugge", "Köln", "Lyon", "Malmö", "Utrecht", "Zaragoza", "Torino",
        "Cork", "Basel", "Leeds", "Boston"]
NAME_A = ["Nordic", "Alpine", "Blue", "Contoso", "Fabrikam", "Litware", "Northwind",
          "Proseware", "Tailspin", "Wingtip", "Woodgrove", "Coho", "Lucerne", "Adventure"]
NAME_B = ["Trading", "Furniture", "Systems", "Imports", "Design", "Supplies", "Industries",
          "Logistics", "Partners", "Works"]
NAME_C = ["Ltd.", "GmbH", "A/S", "S.A.", "B.V.", "Inc.", "AB", "S.r.l."]
POSTING_GROUPS = ["DOMESTIC", "FOREIGN", "EU"]
REL_CURRENCIES = {"", "USD", "EUR", "CHF", "DKK", "GBP", "SEK", "NOK", "JPY"}
# the Country/Region table of the demo company
REL_COUNTRIES = set(COUNTRIES) | set(
    "AD AE AR AT AU BG BR CA CL CN CY CZ EE FI GR HK HR HU IN IS JP KR LT LU LV MT MX MY NO "
    "NZ PH PL PT RO RS RU SG SI SK SM TH TR TW UA ZA".split())


def guid(rng):
    h = "%032x" % rng.getrandbits(128)
    return "%s-%s-4%s-a%s-%s" % (h[:8], h[8:12], h[13:16], h[17:20], h[20:32])


def seed(db, company, counts, rng, when, bump):
    """Fill the tables of one company.  counts: entity -> generated records
    beyond the demo ones.  when(i) -> the SystemModifiedAt of the i-th row;
    bump() -> the next row version."""
    date = when(0)[:10]

    def put(table, row):
        row = dict(row)
        cols = stored_cols(table)
        for c in cols:
            if c not in row:
                row[c] = default_value(TABLE_FIELDS[table][c])
        if "SystemId" in row and row["SystemId"].startswith("0000"):
            row["SystemId"] = guid(rng)
        row["company"], row["_ver"] = company, bump()
        return [row.get(c) for c in ["company"] + cols + ["_ver"]]

    def insert(table, rows):
        cols = ["company"] + stored_cols(table) + ["_ver"]
        db.executemany('INSERT INTO "%s" (%s) VALUES (%s)' % (
            table, ", ".join('"%s"' % c for c in cols), ", ".join("?" * len(cols))), rows)

    def party(kind, demo, n, prefix, group_field):
        rows = []
        i = 0
        for (no, name, addr, city, pc, cc, phone, mail, cur, grp) in demo:
            i += 1
            rows.append(put(kind, {"No": no, "Name": name, "Address": addr, "City": city,
                                   "Post_Code": pc, "Country_Region_Code": cc,
                                   "Phone_No": phone, "E_Mail": mail, "Currency_Code": cur,
                                   group_field: grp, "Gen_Bus_Posting_Group": grp,
                                   "Payment_Terms_Code": "30 DAYS",
                                   "Credit_Limit_LCY": 0.0 if kind == "Vendor" else 10000.0,
                                   "Last_Date_Modified": date, "SystemModifiedAt": when(i)}))
        for k in range(1, n + 1):
            i += 1
            name = "%s %s %s" % (rng.choice(NAME_A), rng.choice(NAME_B), rng.choice(NAME_C))
            cc = rng.choice(COUNTRIES)
            slug = re.sub(r"[^a-z]+", "", name.lower())[:12]
            blocked = " " if rng.random() > 0.03 else ENUMS[
                "CustomerBlocked" if kind == "Customer" else "VendorBlocked"][-1]
            rows.append(put(kind, {
                "No": "%s%06d" % (prefix, k), "Name": name,
                "Address": "%d %s Street" % (rng.randint(1, 300), rng.choice(NAME_A)),
                "City": rng.choice(CITY), "Post_Code": "%05d" % rng.randint(1000, 99999),
                "Country_Region_Code": cc, "Phone_No": "+%d %d" % (
                    rng.randint(30, 49), rng.randint(1000000, 9999999)),
                "E_Mail": "info%d@%s.example.com" % (k, slug),
                "VAT_Registration_No": "%s%09d" % (cc, rng.randint(0, 999999999)),
                "Currency_Code": rng.choice(CURRENCIES), group_field: rng.choice(POSTING_GROUPS),
                "Gen_Bus_Posting_Group": "DOMESTIC", "Payment_Terms_Code": "30 DAYS",
                "Credit_Limit_LCY": 0.0 if kind == "Vendor" else
                float(rng.randrange(0, 5000000, 50)) / 100,
                "Blocked": blocked, "Last_Date_Modified": date, "SystemModifiedAt": when(i)}))
        insert(kind, rows)

    party("Customer", CUSTOMERS, counts.get("Customer", 0), "C", "Customer_Posting_Group")
    party("Vendor", VENDORS, counts.get("Vendor", 0), "V", "Vendor_Posting_Group")
    items = list(ITEMS)
    for k in range(1, counts.get("Item", 0) + 1):
        items.append(("I%06d" % k, "%s %s" % (rng.choice(NAME_A), rng.choice(
            ["Desk", "Chair", "Lamp", "Table", "Shelf", "Cabinet"])), "Inventory", "PCS",
            float(rng.randrange(500, 200000)) / 100, 0.0))
    rows = []
    for i, (no, desc, typ, uom, price, cost) in enumerate(items, 1):
        rows.append(put("Item", {"No": no, "Description": desc, "Type": typ,
                                 "Base_Unit_of_Measure": uom, "Unit_Price": price,
                                 "Unit_Cost": cost or round(price * 0.78, 2),
                                 "Gen_Prod_Posting_Group": "RETAIL",
                                 "Inventory_Posting_Group": "RESALE" if typ == "Inventory" else "",
                                 "VAT_Prod_Posting_Group": "STANDARD",
                                 "Last_Date_Modified": date, "SystemModifiedAt": when(i)}))
    insert("Item", rows)
    stock = [it for it in items if it[2] == "Inventory"]
    # item ledger: a purchase per stocked item, then the generated entries
    rows, eno = [], 0
    for it in stock:
        eno += 1
        rows.append(put("ItemLedgerEntry", {
            "Entry_No": eno, "Posting_Date": date, "Entry_Type": "Purchase",
            "Document_No": "107%03d" % eno, "Item_No": it[0], "Description": it[1],
            "Location_Code": "MAIN", "Quantity": 100.0, "Remaining_Quantity": 100.0,
            "Cost_Amount_Actual": round(100 * (it[5] or it[4] * 0.78), 2), "Open": 1,
            "SystemModifiedAt": when(eno)}))
    for k in range(counts.get("ItemLedgerEntries", 0)):
        eno += 1
        it = rng.choice(stock)
        q = float(rng.randint(1, 9))
        rows.append(put("ItemLedgerEntry", {
            "Entry_No": eno, "Posting_Date": date, "Entry_Type": "Sale",
            "Document_No": "102%04d" % eno, "Item_No": it[0], "Description": it[1],
            "Location_Code": "MAIN", "Quantity": -q, "Remaining_Quantity": 0.0,
            "Cost_Amount_Actual": -round(q * (it[5] or it[4] * 0.78), 2), "Open": 0,
            "SystemModifiedAt": when(eno)}))
    insert("ItemLedgerEntry", rows)
    # G/L entries: pairs of receivables / revenue
    rows, eno = [], 0
    for k in range(max(4, counts.get("GLEntries", 0)) // 2):
        amt = float(rng.randrange(1000, 500000)) / 100
        doc = "103%04d" % (k + 1)
        for acc, name, a in (("2310", "Customers Domestic", amt), ("6110", "Sales, Retail",
                                                                     -amt)):
            eno += 1
            rows.append(put("GLEntry", {
                "Entry_No": eno, "Posting_Date": date, "Document_Type": "Invoice",
                "Document_No": doc, "G_L_Account_No": acc, "G_L_Account_Name": name,
                "Description": "Order %s" % doc, "Amount": a,
                "Debit_Amount": a if a > 0 else 0.0, "Credit_Amount": -a if a < 0 else 0.0,
                "Bal_Account_Type": "G/L Account", "SystemModifiedAt": when(eno)}))
    insert("GLEntry", rows)
    # documents: sales and purchase orders with lines, one invoice each
    custs = [c[0] for c in CUSTOMERS]
    vends = [v[0] for v in VENDORS]
    names = {c[0]: c[1] for c in CUSTOMERS}
    vnames = {v[0]: v[1] for v in VENDORS}

    def docs(head, line, dtype, prefix, n, party_no, party_name, partners, pnames, price_col,
             start):
        hrows, lrows = [], []
        for k in range(1, n + 1):
            no = "%s%04d" % (prefix, start + k)
            p = partners[k % len(partners)]
            hrows.append(put(head, {"Document_Type": dtype, "No": no, party_no: p,
                                    party_name: pnames[p], "Order_Date": date,
                                    "Posting_Date": date, "Due_Date": date, "Status": "Open",
                                    "SystemModifiedAt": when(k)}))
            for ln in range(1, 1 + (k % 3) + 1):
                it = stock[(k + ln) % len(stock)]
                q = float(rng.randint(1, 5))
                lrows.append(put(line, {"Document_Type": dtype, "Document_No": no,
                                        "Line_No": ln * 10000, "Type": "Item", "No": it[0],
                                        "Description": it[1], "Location_Code": "MAIN",
                                        "Quantity": q, "Unit_of_Measure_Code": "PCS",
                                        price_col: it[4], "Line_Amount": round(q * it[4], 2),
                                        "SystemModifiedAt": when(k)}))
        insert(head, hrows)
        insert(line, lrows)

    n = max(2, counts.get("SalesOrder", 0))
    docs("SalesHeader", "SalesLine", "Order", "S-ORD", n, "Sell_to_Customer_No",
         "Sell_to_Customer_Name", custs, names, "Unit_Price", 101000)
    docs("SalesHeader", "SalesLine", "Invoice", "S-INV", max(1, counts.get("SalesInvoice", 0)),
         "Sell_to_Customer_No", "Sell_to_Customer_Name", custs, names, "Unit_Price", 102000)
    docs("PurchaseHeader", "PurchaseLine", "Order", "P-ORD",
         max(2, counts.get("PurchaseOrder", 0)), "Buy_from_Vendor_No", "Buy_from_Vendor_Name",
         vends, vnames, "Direct_Unit_Cost", 106000)
    docs("PurchaseHeader", "PurchaseLine", "Invoice", "P-INV",
         max(1, counts.get("PurchaseInvoice", 0)), "Buy_from_Vendor_No",
         "Buy_from_Vendor_Name", vends, vnames, "Direct_Unit_Cost", 107000)
    rows = []
    for k in range(1, counts.get("CashReceiptJournal", 0) + 3):
        c = custs[k % len(custs)]
        rows.append(put("GenJournalLine", {
            "Journal_Template_Name": "CASHRCPT", "Journal_Batch_Name": "GENERAL",
            "Line_No": k * 10000, "Posting_Date": date, "Document_Type": "Payment",
            "Document_No": "G%05d" % k, "Account_Type": "Customer", "Account_No": c,
            "Description": "Payment from %s" % names[c],
            "Amount": -float(rng.randrange(1000, 100000)) / 100,
            "Bal_Account_Type": "Bank Account", "Bal_Account_No": "CHECKING",
            "SystemModifiedAt": when(k)}))
    insert("GenJournalLine", rows)


# ---------------------------------------------------------------- OData $filter
TOKEN_RE = re.compile(r"""
    (?P<ws>\s+)
  | (?P<str>'(?:[^']|'')*')
  | (?P<enum>[A-Za-z_][A-Za-z0-9_.]*'(?:[^']|'')*')
  | (?P<guid>[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}(?![\w-]))
  | (?P<dt>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))
  | (?P<date>\d{4}-\d{2}-\d{2}(?![\w:]))
  | (?P<num>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w.]))
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>[(),/])
""", re.X)
CMP_OPS = {"eq": "=", "ne": "<>", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}
OP_KIND = {"eq": "Equal", "ne": "NotEqual", "gt": "GreaterThan", "ge": "GreaterThanOrEqual",
           "lt": "LessThan", "le": "LessThanOrEqual"}
FUNCS = ("startswith", "endswith", "contains")


def tokenize(text):
    out, pos = [], 0
    while pos < len(text):
        m = TOKEN_RE.match(text, pos)
        if not m:
            raise bad("Syntax error at position %d in '%s'." % (pos, text))
        pos = m.end()
        kind = m.lastgroup
        if kind != "ws":
            out.append((kind, m.group(kind), m.start()))
    out.append(("end", "", len(text)))
    return out


class Lit:
    __slots__ = ("kind", "value", "text")

    def __init__(self, kind, value, text):
        self.kind, self.value, self.text = kind, value, text

    def edm(self):
        if self.kind == "num":
            if re.match(r"^-?\d+$", self.text):
                return "Edm.Int32" if abs(int(self.text)) < 2 ** 31 else "Edm.Int64"
            return "Edm.Decimal"
        return {"str": "Edm.String", "date": "Edm.Date", "dt": "Edm.DateTimeOffset",
                "guid": "Edm.Guid", "true": "Edm.Boolean", "null": None,
                "enum": "Enum"}[self.kind]


class FilterParser:
    """$filter text -> AST: ("or"|"and", a, b), ("not", a), ("cmp", op, field, Lit),
    ("func", name, field, Lit), ("bool", field)."""

    def __init__(self, text, entity):
        self.text, self.entity = text, entity
        self.toks = tokenize(text)
        self.i = 0

    def peek(self):
        return self.toks[self.i]

    def take(self):
        t = self.toks[self.i]
        self.i += 1
        return t

    def expect(self, kind, val=None):
        t = self.take()
        if t[0] != kind or (val is not None and t[1] != val):
            raise bad("Syntax error: '%s' expected at position %d in '%s'."
                      % (val or kind, t[2], self.text))
        return t

    def parse(self):
        e = self.or_expr()
        if self.peek()[0] != "end":
            t = self.peek()
            raise bad("Syntax error at position %d in '%s'." % (t[2], self.text))
        return e

    def or_expr(self):
        a = self.and_expr()
        while self.peek() == ("ident", "or", self.peek()[2]):
            self.take()
            a = ("or", a, self.and_expr())
        return a

    def and_expr(self):
        a = self.not_expr()
        while self.peek() == ("ident", "and", self.peek()[2]):
            self.take()
            a = ("and", a, self.not_expr())
        return a

    def not_expr(self):
        if self.peek() == ("ident", "not", self.peek()[2]):
            self.take()
            return ("not", self.not_expr())
        return self.cmp()

    def field(self, name, pos):
        f = self.entity.by_name.get(name)
        if f is None:
            raise bad("Could not find a property named '%s' on type 'NAV.%s'."
                      % (name, self.entity.type_name()))
        return f

    def literal(self):
        kind, text, pos = self.take()
        if kind == "str":
            return Lit("str", text[1:-1].replace("''", "'"), text)
        if kind in ("num", "date", "dt", "guid"):
            return Lit(kind, text, text)
        if kind == "enum":
            typ, _, rest = text.partition("'")
            return Lit("enum", (typ, rest[:-1].replace("''", "'")), text)
        if kind == "ident" and text in ("true", "false"):
            return Lit("true", text == "true", text)
        if kind == "ident" and text == "null":
            return Lit("null", None, text)
        raise bad("Syntax error: a literal expected at position %d in '%s'." % (pos, self.text))

    def cmp(self):
        t = self.peek()
        if t[0] == "punct" and t[1] == "(":
            self.take()
            e = self.or_expr()
            self.expect("punct", ")")
            return e
        if t[0] == "ident" and t[1] in FUNCS:
            self.take()
            self.expect("punct", "(")
            name_t = self.expect("ident")
            f = self.field(name_t[1], name_t[2])
            self.expect("punct", ",")
            lit = self.literal()
            self.expect("punct", ")")
            if f.t != "s" or lit.kind != "str":
                raise bad("No function signature for the function with name '%s' matches the "
                          "specified arguments. The function signatures considered are: "
                          "%s(Edm.String Nullable=true, Edm.String Nullable=true)."
                          % (t[1], t[1]))
            return ("func", t[1], f, lit)
        if t[0] == "ident":
            self.take()
            f = self.field(t[1], t[2])
            op = self.peek()
            if op[0] == "ident" and op[1] in CMP_OPS:
                self.take()
                lit = self.literal()
                check_types(f, op[1], lit)
                return ("cmp", op[1], f, lit)
            if f.t == "b":
                return ("bool", f)
            raise bad("Syntax error at position %d in '%s'." % (op[2], self.text))
        if t[0] in ("str", "num", "date", "dt", "guid", "enum"):
            raise bad("The filter compares a literal on its left side, which is not "
                      "supported: write FIELD OP VALUE.", "BadRequest_NotSupported")
        raise bad("Syntax error at position %d in '%s'." % (t[2], self.text))


def check_types(f, op, lit):
    le = lit.edm()
    ok = False
    if lit.kind == "null":
        ok = op in ("eq", "ne")
    elif f.t == "s":
        ok = lit.kind == "str"
    elif f.t in ("d", "i"):
        ok = lit.kind == "num" and (f.t == "d" or le != "Edm.Decimal")
    elif f.t == "b":
        ok = lit.kind == "true"
    elif f.t == "date":
        ok = lit.kind == "date" and norm_date(lit.value) is not None
    elif f.t == "dt":
        ok = lit.kind == "dt" and norm_dt(lit.value) is not None
    elif f.t == "g":
        ok = lit.kind == "guid"
    elif f.t == "e":
        if lit.kind in ("str", "enum"):
            v = lit.value if lit.kind == "str" else lit.value[1]
            if lit.kind == "enum" and lit.value[0] not in ("NAV." + f.enum, f.enum):
                raise bad("The enumeration type '%s' does not match the property type "
                          "'NAV.%s'." % (lit.value[0], f.enum))
            if enum_from_text(f.enum, v) is None:
                raise bad("The value '%s' is not a valid member of 'NAV.%s'." % (v, f.enum))
            return
    if not ok:
        raise bad("A binary operator with incompatible types was detected. Found operand "
                  "types '%s' and '%s' for operator kind '%s'."
                  % (f.edm, le or "null", OP_KIND[op]))


def fields_of(node):
    k = node[0]
    if k in ("or", "and"):
        return fields_of(node[1]) | fields_of(node[2])
    if k == "not":
        return fields_of(node[1])
    if k == "bool":
        return {node[1].name}
    return {node[2].name}


def check_or(node):
    """NAV turns an OData filter into per-field filters: an 'or' across fields
    cannot be expressed."""
    k = node[0]
    if k == "or":
        if len(fields_of(node)) > 1:
            raise bad("The filter is not supported: 'or' is only supported between "
                      "conditions on the same field.", "BadRequest_NotSupported")
    if k in ("or", "and"):
        check_or(node[1])
        check_or(node[2])
    elif k == "not":
        check_or(node[1])


def col_sql(f):
    return f.sql if f.sql else 't."%s"' % f.col


def lit_value(f, lit):
    if lit.kind == "str":
        return enum_from_text(f.enum, lit.value) if f.t == "e" else lit.value
    if lit.kind == "enum":
        return enum_from_text(f.enum, lit.value[1])
    if lit.kind == "num":
        return float(lit.value) if f.t == "d" else int(float(lit.value))
    if lit.kind == "true":
        return 1 if lit.value else 0
    if lit.kind == "date":
        return lit.value
    if lit.kind == "dt":
        return norm_dt(lit.value)
    if lit.kind == "guid":
        return lit.value.lower()
    return None


def to_sql(node, params):
    k = node[0]
    if k in ("or", "and"):
        return "(%s %s %s)" % (to_sql(node[1], params), k.upper(), to_sql(node[2], params))
    if k == "not":
        return "(NOT %s)" % to_sql(node[1], params)
    if k == "bool":
        return "(%s = 1)" % col_sql(node[1])
    if k == "func":
        name, f, lit = node[1], node[2], node[3]
        c = col_sql(f)
        params.append(lit.value)
        if name == "startswith":
            params.append(lit.value)
            return "(substr(%s, 1, length(?)) = ?)" % c
        if name == "contains":
            return "(instr(%s, ?) > 0)" % c
        params.extend([lit.value, lit.value])
        return ("(length(%s) >= length(?) AND substr(%s, length(%s) - length(?) + 1) = ?)"
                % (c, c, c))
    op, f, lit = node[1], node[2], node[3]
    c = col_sql(f)
    if lit.kind == "null":
        # NAV has no NULLs: a field is never null
        return "(1 = 0)" if op == "eq" else "(1 = 1)"
    params.append(lit_value(f, lit))
    return "(%s %s ?)" % (c, CMP_OPS[op])


def parse_filter(text, entity):
    ast = FilterParser(text, entity).parse()
    check_or(ast)
    return ast


# ---------------------------------------------------------------- literals
def literal(f, v):
    """A stored value as an OData URL literal (keys, skiptokens)."""
    if f.t in ("s", "e"):
        return "'%s'" % str(v).replace("'", "''")
    if f.t == "d":
        return repr(float(v))
    if f.t == "i":
        return str(int(v))
    if f.t == "b":
        return "true" if v else "false"
    return str(v)


def parse_literal(f, text):
    """An OData URL literal for field f -> stored value, or NavError."""
    toks = tokenize(text)
    if len(toks) != 2:
        raise bad("Bad literal '%s'." % text)
    p = FilterParser(text, None)
    lit = p.literal()
    if f.t == "e" and lit.kind == "str":
        v = enum_from_text(f.enum, lit.value)
        if v is None:
            raise bad("The value '%s' is not a valid member of 'NAV.%s'." % (lit.value, f.enum))
        return v
    check_types(f, "eq", lit)
    return lit_value(f, lit)


# ---------------------------------------------------------------- NAV filter syntax
def split_top(text, sep):
    """Split on sep outside single-quoted parts."""
    parts, cur, q, i = [], [], False, 0
    while i < len(text):
        c = text[i]
        if c == "'":
            if q and i + 1 < len(text) and text[i + 1] == "'":
                cur.append("''")
                i += 2
                continue
            q = not q
        if c == sep and not q:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(c)
        i += 1
    parts.append("".join(cur))
    return parts


def nav_value(f, text):
    """(value, is_pattern, regex) for a NAV filter operand."""
    text = text.strip()
    if len(text) >= 2 and text[0] == "'" and text[-1] == "'":
        return text[1:-1].replace("''", "'"), None
    if f.t in ("s",) and ("*" in text or "?" in text):
        rx = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in text)
        return None, rx
    return text, None


def nav_cast(f, text, entity):
    if f.t == "e":
        cap = enum_from_text(f.enum, text)
        if cap is None:
            raise bad("'%s' is not an option. The existing options are: %s"
                      % (text, ",".join(ENUMS[f.enum])))
        return cap
    if f.t in ("d", "i"):
        try:
            return float(text) if f.t == "d" else int(text)
        except ValueError:
            raise bad("The value '%s' is not valid for %s." % (text, f.name))
    if f.t == "b":
        low = text.lower()
        if low in ("yes", "true", "1"):
            return 1
        if low in ("no", "false", "0"):
            return 0
        raise bad("'%s' is not a valid Boolean." % text)
    if f.t == "dt" and text:
        n = norm_dt(text)
        if not n:
            raise bad("'%s' is not a valid date and time." % text)
        return n
    if f.t == "date" and text and not norm_date(text):
        raise bad("'%s' is not a valid date." % text)
    return text


def nav_filter(f, criteria, entity):
    """NAV filter criteria ('10000..20000|30000', '<>X', '@a*', "'A|B'") ->
    a predicate on the stored value."""
    alts = []
    for alt in split_top(criteria, "|"):
        conj = []
        for part in split_top(alt, "&"):
            conj.append(nav_atom(f, part.strip(), entity))
        alts.append(conj)

    def pred(v):
        return any(all(p(v) for p in conj) for conj in alts)
    return pred


def nav_atom(f, part, entity):
    ci = False
    if part.startswith("@"):
        ci, part = True, part[1:]

    def norm(x):
        return x.lower() if ci and isinstance(x, str) else x
    rng = split_top(part, ".")
    # a range a..b shows as ['a', '', 'b'] after splitting on '.'
    if ".." in part and len(rng) >= 3 and "" in rng[1:-1]:
        i = part.index("..")
        lo_t, hi_t = part[:i], part[i + 2:]
        lo = nav_cast(f, nav_value(f, lo_t)[0] or "", entity) if lo_t.strip() else None
        hi = nav_cast(f, nav_value(f, hi_t)[0] or "", entity) if hi_t.strip() else None
        return lambda v: ((lo is None or norm(v) >= norm(lo)) and
                          (hi is None or norm(v) <= norm(hi)))
    for op in ("<>", "<=", ">=", "<", ">", "="):
        if part.startswith(op):
            val, rx = nav_value(f, part[len(op):])
            if rx is not None and op in ("=", "<>"):
                r = re.compile("^" + rx + "$", re.I if ci else 0)
                return (lambda v: bool(r.match(v))) if op == "=" else \
                    (lambda v: not r.match(v))
            x = nav_cast(f, val if val is not None else part[len(op):].strip(), entity)
            return {"<>": lambda v: norm(v) != norm(x), "<=": lambda v: norm(v) <= norm(x),
                    ">=": lambda v: norm(v) >= norm(x), "<": lambda v: norm(v) < norm(x),
                    ">": lambda v: norm(v) > norm(x), "=": lambda v: norm(v) == norm(x)}[op]
    val, rx = nav_value(f, part)
    if rx is not None:
        r = re.compile("^" + rx + "$", re.I if ci else 0)
        return lambda v: bool(r.match(v))
    x = nav_cast(f, val, entity)
    return lambda v: norm(v) == norm(x)


# ---------------------------------------------------------------- etags, keys
def etag(ver):
    """NAV's weak ETag: base64 of a quoted row version."""
    return 'W/"%s"' % base64.b64encode(("'%d;%d;'" % (len(str(ver)), ver)).encode()).decode()


def soap_key(entity, row, ver):
    bm = base64.b64encode(json.dumps([row[c] for c in entity.key_cols],
                                     ensure_ascii=False).encode()).decode()
    v = str(ver)
    return "%d;%s%d;%s;" % (len(bm), bm, len(v), v)


def parse_soap_key(key):
    """-> (key values list, version) or None."""
    try:
        n, _, rest = key.partition(";")
        n = int(n)
        bm, rest = rest[:n], rest[n:]
        m, _, rest = rest.partition(";")
        m = int(m)
        ver, rest = rest[:m], rest[m:]
        if rest != ";":
            return None
        return json.loads(base64.b64decode(bm).decode()), int(ver)
    except (ValueError, TypeError, UnicodeDecodeError):
        return None


def make_rng(seed):
    return random.Random(seed)
