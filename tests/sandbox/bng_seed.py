"""tests/sandbox/bng_seed.py - generated BNG records for the sandbox.

seed(app, n, counts, t0_ms, data_seed): n records per resource (counts
overrides per resource), deterministic for a data_seed, valid under the
contract; record i of a resource has UpdatedAt = CreatedAt = t0 + i seconds.
References point at seeded records (orders at customers and products, ...).
"""
import random

FIRST = ["Ann", "Bruno", "Chloé", "Dmitri", "Eva", "Farid", "Grace", "Hiro", "Inès", "Jonas",
         "Karin", "Luis", "Mia", "Noah", "Olga", "Pavel", "Quinn", "Rosa", "Sven", "Tara"]
LAST = ["Andersen", "Bauer", "Costa", "Dubois", "Eriksen", "Fischer", "García", "Horvat",
        "Ivanova", "Jensen", "Kowalski", "Lambert", "Müller", "Novak", "O'Brien", "Petit"]
CO = ["Acme", "Borealis", "Cobalt", "Delta", "Evergreen", "Fjord", "Granite", "Harbor",
      "Indigo", "Juniper", "Keystone", "Lumen", "Meridian", "Nimbus", "Orchid", "Pioneer"]
SUFFIX = ["GmbH", "Ltd", "SA", "BV", "Inc", "AB", "Oy", "SRL"]
CITY = [("Berlin", "10115", "Germany"), ("Lyon", "69001", "France"),
        ("Porto", "4000-001", "Portugal"), ("Utrecht", "3511", "Netherlands"),
        ("Leeds", "LS1 1AA", "United Kingdom"), ("Malmö", "211 20", "Sweden"),
        ("Austin", "73301", "United States"), ("Gdańsk", "80-001", "Poland")]
STREET = ["Main Street", "Harbour Road", "Rue de la Paix", "Lindenallee", "Via Roma",
          "Kingsway", "Storgatan", "Calle Mayor"]
CATEG = ["Hardware", "Apparel", "Office", "Garden", "Kitchen", "Toys"]
UOM = ["Units", "kg", "m", "Box"]
CUR = ["EUR", "EUR", "EUR", "USD", "GBP"]
DEPT = ["Sales", "Warehouse", "Finance", "Support", "IT"]
ACCOUNTS = [("1200", "Receivables"), ("4000", "Revenue"), ("2100", "Payables"),
            ("5000", "Cost of goods"), ("1000", "Bank")]


def ts(ms):
    import time
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + ".%03dZ" % (ms % 1000)


def day(ms):
    import time
    return time.strftime("%Y-%m-%d", time.gmtime(ms // 1000))


def money(r, lo, hi):
    return round(r.uniform(lo, hi), 2)


def address(r):
    city, zipc, country = r.choice(CITY)
    return "%d %s, %s %s" % (r.randint(1, 200), r.choice(STREET), zipc, city), country


def customers(r, n, t):
    out = []
    for i in range(n):
        addr, country = address(r)
        if r.random() < 0.4:
            name = "%s %s" % (r.choice(CO), r.choice(SUFFIX))
            d = {"CompanyName": name, "FirstName": None, "LastName": None,
                 "Email": "info%d@%s.example" % (i + 1, name.split()[0].lower())}
        else:
            f, l_ = r.choice(FIRST), r.choice(LAST)
            d = {"CompanyName": None, "FirstName": f, "LastName": l_,
                 "Email": "%s.%s%d@mail.example" % (f.lower(), l_.lower().replace("'", ""),
                                                     i + 1)}
        d.update({
            "ExternalID": "bng-c%d" % (i + 1) if r.random() < 0.5 else None,
            "Phone": "+49 30 %07d" % r.randint(0, 9999999) if r.random() < 0.8 else None,
            "BillingAddress": addr,
            "ShippingAddress": addr if r.random() < 0.7 else address(r)[0],
            "Country": country,
            "Status": "Active" if r.random() < 0.9 else "Inactive",
            "CreditLimit": float(r.choice([0, 1000, 2500, 5000, 10000])),
            "TaxExemptStatus": "Taxable" if r.random() < 0.9 else "Exempt",
        })
        out.append(stamp(d, t, i))
    return out


def stamp(d, t, i):
    d["CreatedAt"] = d["UpdatedAt"] = ts(t + i * 1000)
    return d


def products(r, n, t):
    return [stamp({
        "ExternalID": None, "Sku": "SKU-%05d" % (i + 1),
        "Name": "%s %s %d" % (r.choice(CATEG), r.choice(["Basic", "Pro", "Mini", "Max"]), i + 1),
        "Description": None, "Category": r.choice(CATEG),
        "UnitPrice": money(r, 1, 500), "Currency": "EUR", "UnitOfMeasure": r.choice(UOM),
        "Barcode": "%013d" % r.randint(0, 10 ** 13 - 1), "Weight": round(r.uniform(0.1, 20), 2),
        "Status": "Active" if r.random() < 0.95 else "Discontinued"}, t, i) for i in range(n)]


def lines(r, nprod, price_field="UnitPrice"):
    out = []
    total = 0.0
    for k in range(r.randint(1, 4)):
        p = r.randint(1, max(1, nprod))
        q = r.randint(1, 10)
        price = money(r, 1, 200)
        amt = round(q * price, 2)
        total = round(total + amt, 2)
        ln = {"LineNo": k + 1, "Sku": "SKU-%05d" % p, "Description": "item %d" % p,
              "Quantity": q, price_field: price, "Amount": amt}
        if price_field == "UnitPrice":
            ln["TaxAmount"] = 0
        out.append(ln)
    return out, total


def sales_orders(r, n, t, ncust, nprod):
    out = []
    for i in range(n):
        li, total = lines(r, nprod)
        for ln in li:
            ln["ProductID"] = int(ln["Sku"][4:]) if int(ln["Sku"][4:]) <= nprod else None
            ln["Discount"] = 0
        st = r.choice(["Confirmed", "Confirmed", "Shipped", "Delivered", "Draft"])
        out.append(stamp({
            "ExternalID": None, "OrderNo": "SO-%06d" % (i + 1),
            "CustomerID": r.randint(1, ncust) if ncust else None,
            "CustomerExternalID": None, "OrderedAt": ts(t + i * 1000 - 86400000),
            "Currency": r.choice(CUR), "Status": st,
            "FulfillmentStatus": "Fulfilled" if st in ("Shipped", "Delivered") else "Unfulfilled",
            "PaymentStatus": "Paid" if st == "Delivered" else "Unpaid",
            "ShippingAddress": address(r)[0], "LineItems": li,
            "Subtotal": total, "TaxTotal": 0.0, "Total": total}, t, i))
    return out


def invoices(r, n, t, ncust, nso):
    out = []
    for i in range(n):
        li, total = lines(r, 50)
        for ln in li:
            del ln["TaxAmount"]
        paid = r.random() < 0.5
        out.append(stamp({
            "ExternalID": None, "InvoiceNo": "INV-%06d" % (i + 1),
            "SalesOrderID": (i % nso) + 1 if nso else None,
            "CustomerID": r.randint(1, ncust) if ncust else None, "CustomerExternalID": None,
            "InvoiceDate": day(t + i * 1000), "DueDate": day(t + i * 1000 + 30 * 86400000),
            "Currency": "EUR", "Status": "Paid" if paid else "Open", "LineItems": li,
            "Subtotal": total, "TaxTotal": 0.0, "Total": total,
            "AmountPaid": total if paid else 0.0}, t, i))
    return out


def payments(r, n, t, ninv):
    return [stamp({
        "ExternalID": None, "InvoiceID": (i % ninv) + 1 if ninv else None,
        "InvoiceNo": "INV-%06d" % ((i % ninv) + 1) if ninv else "INV-000000",
        "CustomerID": None, "PaymentDate": day(t + i * 1000), "Amount": money(r, 10, 2000),
        "Currency": "EUR", "Method": r.choice(["Card", "BankTransfer", "Cash", "Check"]),
        "Reference": "PAY-%06d" % (i + 1), "Status": "Completed"}, t, i) for i in range(n)]


def inventory_items(r, n, t, nprod):
    out = []
    for i in range(n):
        oh = r.randint(0, 500)
        res = r.randint(0, oh)
        out.append(stamp({
            "ExternalID": None, "ProductID": (i % nprod) + 1 if nprod else None,
            "Sku": "SKU-%05d" % ((i % max(1, nprod)) + 1),
            "Warehouse": "WH%d" % (i // max(1, nprod) + 1), "QuantityOnHand": oh,
            "QuantityReserved": res, "QuantityAvailable": oh - res,
            "ReorderPoint": 20, "UnitCost": money(r, 1, 100)}, t, i))
    return out


def vendors(r, n, t):
    out = []
    for i in range(n):
        name = "%s %s %d" % (r.choice(CO), r.choice(SUFFIX), i + 1)
        addr, country = address(r)
        out.append(stamp({
            "ExternalID": None, "CompanyName": name,
            "ContactName": "%s %s" % (r.choice(FIRST), r.choice(LAST)),
            "Email": "orders%d@vendor.example" % (i + 1), "Phone": None, "Address": addr,
            "Country": country, "TaxID": "VAT%09d" % r.randint(0, 10 ** 9 - 1),
            "PaymentTerms": r.choice(["Net 30", "Net 60", "Immediate"]), "Currency": "EUR",
            "Status": "Active"}, t, i))
    return out


def purchase_orders(r, n, t, nvend, nprod):
    out = []
    for i in range(n):
        li, total = lines(r, nprod, "UnitCost")
        out.append(stamp({
            "ExternalID": None, "OrderNo": "PO-%06d" % (i + 1),
            "VendorID": r.randint(1, nvend) if nvend else None, "VendorExternalID": None,
            "OrderedAt": ts(t + i * 1000 - 86400000), "ExpectedAt": day(t + i * 1000 + 7 * 86400000),
            "Currency": "EUR", "Status": r.choice(["Sent", "Confirmed", "Received"]),
            "LineItems": li, "Total": total}, t, i))
    return out


def gl_entries(r, n, t):
    out = []
    for i in range(n):
        code, name = r.choice(ACCOUNTS)
        amt = money(r, 1, 5000)
        debit = i % 2 == 0
        out.append(stamp({
            "ExternalID": None, "EntryNo": "GL-%07d" % (i + 1), "PostingDate": day(t + i * 1000),
            "AccountCode": code, "AccountName": name, "Description": "posting %d" % (i // 2 + 1),
            "Debit": amt if debit else 0, "Credit": 0 if debit else amt, "Currency": "EUR",
            "SourceDocument": "INV-%06d" % (i // 2 + 1), "Journal": "SALES"}, t, i))
    return out


def employees(r, n, t):
    out = []
    for i in range(n):
        f, l_ = r.choice(FIRST), r.choice(LAST)
        out.append(stamp({
            "ExternalID": None, "FirstName": f, "LastName": l_,
            "Email": "%s.%s.%d@bng.example" % (f.lower(), l_.lower().replace("'", ""), i + 1),
            "Phone": None, "JobTitle": r.choice(["Clerk", "Manager", "Picker", "Accountant"]),
            "Department": r.choice(DEPT), "HireDate": day(t - r.randint(0, 3000) * 86400000),
            "ManagerID": 1 if i > 0 else None, "Status": "Active"}, t, i))
    return out


def seed(app, n, counts, t0, data_seed):
    def cnt(res):
        return counts.get(res, n)
    r = random.Random(data_seed)
    nc, npd, nso, ninv, nv = (cnt("customers"), cnt("products"), cnt("sales_orders"),
                              cnt("invoices"), cnt("vendors"))
    app.insert_seed("customers", customers(r, nc, t0))
    app.insert_seed("products", products(r, npd, t0))
    app.insert_seed("sales_orders", sales_orders(r, nso, t0, nc, npd))
    app.insert_seed("invoices", invoices(r, ninv, t0, nc, nso))
    app.insert_seed("payments", payments(r, cnt("payments"), t0, ninv))
    app.insert_seed("inventory_items", inventory_items(r, cnt("inventory_items"), t0, npd))
    app.insert_seed("vendors", vendors(r, nv, t0))
    app.insert_seed("purchase_orders", purchase_orders(r, cnt("purchase_orders"), t0, nv, npd))
    app.insert_seed("gl_entries", gl_entries(r, cnt("gl_entries"), t0))
    app.insert_seed("employees", employees(r, cnt("employees"), t0))
