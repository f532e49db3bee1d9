"""tests/sandbox/odoo_seed.py - the deterministic seed of the Odoo sandbox.

Fixed "demo" records first, with the ids the transcripts in tests/fixtures/odoo
refer to (partners 1, 3, 8-20, 33, 36; countries 21 Belgium, 203 San Marino, 233
United States; states 13 and 47; products 3-6 and 38; uom 1 and 4; sale orders
S00001-S00006...), then --partners N generated partners (ids from 41): companies
with 0-3 child contacts, names with non-ASCII letters, ~2% archived, tags,
countries, customer/supplier ranks.  Everything derives from random.Random(seed),
timestamps from --seed-time, so two runs give the same database."""

import datetime
import random
import unicodedata

from odoo_orm import b64_png

COUNTRIES = [  # id, name, code, phone, currency
    (1, "Andorra", "AD", 376, 2), (12, "Austria", "AT", 43, 2), (14, "Australia", "AU", 61, None),
    (21, "Belgium", "BE", 32, 2), (31, "Brazil", "BR", 55, None), (39, "Canada", "CA", 1, None),
    (42, "Switzerland", "CH", 41, 4), (50, "Czech Republic", "CZ", 420, None),
    (57, "Germany", "DE", 49, 2), (59, "Denmark", "DK", 45, None), (68, "Spain", "ES", 34, 2),
    (73, "Finland", "FI", 358, 2), (75, "France", "FR", 33, 2),
    (97, "Greece", "GR", 30, 2), (103, "Hungary", "HU", 36, None), (104, "Ireland", "IE", 353, 2),
    (109, "Iceland", "IS", 354, None), (110, "Italy", "IT", 39, 2), (113, "Japan", "JP", 81, 5),
    (133, "Luxembourg", "LU", 352, 2), (148, "Mexico", "MX", 52, None),
    (165, "Netherlands", "NL", 31, 2), (166, "Norway", "NO", 47, None),
    (180, "Poland", "PL", 48, None), (185, "Portugal", "PT", 351, 2),
    (190, "Romania", "RO", 40, None), (197, "Sweden", "SE", 46, None),
    (203, "San Marino", "SM", 378, 2), (221, "Turkey", "TR", 90, None),
    (231, "United Kingdom", "GB", 44, 3), (233, "United States", "US", 1, 1),
    (245, "South Africa", "ZA", 27, None),
]
STATES = [(13, "California", "CA", 233), (47, "Pennsylvania", "PA", 233),
          (10, "Arizona", "AZ", 233), (44, "New York", "NY", 233), (57, "Texas", "TX", 233),
          (60, "Washington", "WA", 233), (300, "Bruxelles", "BRU", 21),
          (301, "Antwerpen", "VAN", 21), (302, "Bayern", "BY", 57), (303, "Berlin", "BE", 57)]
CURRENCIES = [  # id, name, full name, symbol, decimals, position, active
    (1, "USD", "United States dollar", "$", 2, "before", 1),
    (2, "EUR", "Euro", "€", 2, "after", 1),
    (3, "GBP", "Pound sterling", "£", 2, "before", 1),
    (4, "CHF", "Swiss franc", "CHF", 2, "after", 1),
    (5, "JPY", "Japanese yen", "¥", 0, "before", 0)]
# Odoo 19 units (ids, names and factors of the transcripts' database)
UOMS = [(1, "Units", 1, None, 100, 1), (2, "Pack of 6", 6, 1, 600, 1),
        (3, "Dozens", 12, 1, 1000, 0), (4, "Hours", 1, None, 100, 1),
        (5, "Days", 8, 4, 800, 1), (6, "mm", 1, None, 100, 1), (7, "cm", 10, 6, 1000, 0),
        (8, "m", 100, 7, 1000, 1), (9, "km", 1000, 8, 1000, 0), (10, "m²", 1, None, 100, 1),
        (11, "ml", 1, None, 100, 1), (12, "L", 1000, 11, 1000, 1),
        (13, "m³", 1000, 12, 1000, 0), (14, "g", 1, None, 100, 1),
        (15, "kg", 1000, 14, 1000, 1), (16, "Ton", 1000, 15, 1000, 1),
        (17, "oz", 28.3495, 14, 1000, 1), (18, "lb", 16, 17, 1000, 1),
        (19, "in", 2.54, 7, 254, 1), (20, "ft", 12, 19, 1000, 1), (21, "yd", 3, 20, 300, 0),
        (22, "mi", 1760, 21, 1000, 0), (23, "ft²", 0.092903, 10, 9, 1),
        (24, "fl oz (US)", 0.0295735, 12, 2, 0), (25, "qt (US)", 32, 24, 1000, 0),
        (26, "gal (US)", 4, 25, 400, 1), (27, "in³", 0.0163871, 12, 1, 0),
        (28, "ft³", 1728, 27, 1000, 0), (29, "Box", 1, None, 100, 1)]
COLORS = ["White", "Black", "Red", "Blue", "Green", "Yellow", "Orange", "Purple", "Pink",
          "Brown", "Grey", "Beige", "Navy", "Teal", "Olive", "Maroon", "Silver", "Gold",
          "Cyan", "Magenta"]
ACCOUNTS = [(5, "121000", "Account Receivable", "asset_receivable"),
            (9, "131000", "Tax Paid", "asset_current"),
            (15, "211000", "Account Payable", "liability_payable"),
            (21, "251000", "Tax Received", "liability_current"),
            (26, "400000", "Product Sales", "income"),
            (32, "600000", "Expenses", "expense"),
            (48, "101402", "Outstanding Receipts", "asset_current"),
            (49, "101403", "Outstanding Payments", "asset_current")]
CATEGORIES = [(1, "Prospects"), (2, "Employees"), (3, "Services"),
              (4, "Consulting Services"), (5, "Vendors"), (6, "Office Supplies"),
              (7, "Desk Manufacturers"), (8, "VIP")]
FIRST = ["Zoë", "José", "Åsa", "Jürgen", "Łukasz", "Søren", "François", "Chloé", "Björn",
         "Núria", "Anaïs", "Ömer", "Małgorzata", "Jiří", "Ingrid", "Mónica", "Renée",
         "Dmitrij", "Hélène", "Oğuz", "Emma", "Liam", "Olivia", "Noah", "Ava", "Lucas",
         "Mia", "Hugo", "Léa", "Matteo", "Sofía", "Ines", "Yuki", "Kenji", "Aoife", "Seán"]
LAST = ["Müller", "Ødegaard", "García", "Nowak", "Dvořák", "Lefèvre", "Björklund", "Šimić",
        "Çelik", "Núñez", "O'Brien", "Van den Berg", "Jørgensen", "Kowalczyk", "Fernández",
        "Schröder", "Łapiński", "Smith", "Johnson", "Peeters", "Janssens", "Dubois",
        "Rossi", "Bianchi", "Tanaka", "Sato", "Murphy", "Kelly", "Andersson", "Virtanen"]
CO_A = ["Nordic", "Alpine", "Café", "Société", "Brasserie", "Atelier", "Zürich", "Malmö",
        "Kraków", "Göteborg", "Ibérica", "Bodø", "Łódź", "Århus", "Sevilla", "Riviera",
        "Blue", "Green", "Smart", "Global", "Pacific", "Atlas", "Orion", "Vega"]
CO_B = ["Möbel", "Logística", "Systèmes", "Trading", "Bürobedarf", "Industries", "Design",
        "Énergie", "Holdings", "Solutions", "Distribución", "Services", "Werkstatt",
        "Imports", "Partners", "Labs"]
CO_C = ["GmbH", "S.A.", "SARL", "AB", "Sp. z o.o.", "B.V.", "Ltd", "Inc.", "A/S", "S.L.",
        "NV", "Oy", "AG", "LLC"]

DEMO_COMPANIES = [  # id, name, email, country, state, cats, vat, phone, street, zip, city
    (8, "Wood Corner", "bhu.a100@ic.example.com", 233, 13, [7, 6], "US12345672",
     "(623)-853-7197", "1839 Arbor Way", "95380", "Turlock"),
    (9, "Deco Addict", "info@agrolait.com", 233, 13, [7], "US12345673", "(603)-996-3829",
     "77 Santa Barbara Rd", "94523", "Pleasant Hill"),
    (10, "Gemini Furniture", "john.b@tech.info", 203, None, [4, 7], "SM12345674",
     "(941)-284-4875", "317 Fairchild Dr", "93455", "Fairfield"),
    (11, "Ready Mat", "info@deltapc.example.com", 233, 10, [7, 6], "US12345675",
     "(803)-873-6126", "7500 W Linne Road", "95304", "Tracy"),
    (12, "OpenWood", "openwood@example.com", 21, 300, [5], "BE0477472701",
     "+32 2 555 01 01", "Rue de la Loi 16", "1000", "Bruxelles"),
    (13, "The Jackson Group", "jackson.group82@example.com", 233, 44, [8], "US12345677",
     "(334)-502-1024", "1611 Peony Dr", "10001", "New York"),
    (14, "Azure Furniture Société", "azure.f@example.com", 75, None, [4], "FR23334175221",
     "+33 1 23 45 67 89", "12 Rue de Rivoli", "75001", "Paris"),
    (15, "Azure Interior", "azure.Interior24@example.com", 233, 13, [6], "US12345679",
     "(870)-931-0505", "4557 De Silva St", "94538", "Fremont"),
    (16, "Lumber Inc", "lumber-inv92@example.com", 233, 13, [7], "US12345680",
     "(828)-316-0593", "1337 N San Joaquin St", "95202", "Stockton"),
]
DEMO_CONTACTS = [  # id, name, parent
    (17, "Willie Burke", 8), (18, "Ron Gibson", 8), (19, "Douglas Fletcher", 9),
    (20, "Floyd Steward", 9), (21, "Edwin Hansen", 10), (22, "Jesse Brown", 10),
    (23, "Soham Palmer", 11), (24, "Kim Snyder", 11), (25, "Edith Sanchez", 13),
    (26, "Brandon Freeman", 15), (27, "Nicole Ford", 15), (28, "Colleen Diaz", 15),
    (29, "Travis Mendoza", 16), (30, "Jeff Lawson", 12), (31, "Zoë Lefèvre", 14),
    (32, "Theodore Gardner", 12), (33, "Toni Jimenez", 8), (34, "Oscar Morgan", 16),
    (35, "Chester Reed", 13), (36, "Addison Olson", 9), (37, "Julie Richards", 14),
    (38, "Søren Ødegaard", 12), (39, "Lorraine Douglas", 11), (40, "Ugo Ruiz", 10),
]
# the products with stock in WH/Stock (a quant each), storable
QUANT_PRODUCTS = [1, 2, 5, 6, 7, 8, 9, 10, 38, 39]
PRODUCTS = [  # id, name, code, type, uom, price, categ
    (1, "Office Design Software", "FURN_9999", "consu", 1, 280.0, 2),
    (2, "Customizable Desk", "FURN_0096", "consu", 1, 750.0, 3),
    (3, "Virtual Interior Design", None, "service", 4, 75.0, 2),
    (4, "Virtual Home Staging", None, "service", 4, 38.25, 2),
    (5, "Office Chair", "FURN_7777", "consu", 1, 65.0, 3),
    (6, "Office Lamp", "FURN_8888", "consu", 1, 145.0, 3),
]
for _i in range(7, 38):
    PRODUCTS.append((_i, ["Large Cabinet", "Storage Box", "Drawer Black", "Flipover",
                          "Desk Combination", "Corner Desk Right Sit", "Cable Management Box",
                          "Pedal Bin", "Three-Seat Sofa", "Large Meeting Table",
                          "Four Person Desk", "Whiteboard Pen", "Magnetic Board",
                          "Monitor Stand", "Conference Chair", "Café Table Ø80"]
                     [_i % 16] + (" (Mk %d)" % (_i // 16 + 1) if _i >= 16 else ""),
                     "FURN_%04d" % (1000 + _i), "consu", 1, float(20 + (_i * 37) % 900), 3))
PRODUCTS.append((38, "Acoustic Bloc Screens (Black)", "FURN_6667", "consu", 1, 295.0, 3))
PRODUCTS.append((39, "Mørk Shelf Ærø", "FURN_7001", "consu", 1, 129.5, 3))
PRODUCTS.append((40, "Consulting Day", "SERV_DAY", "service", 5, 800.0, 2))
# products of the transcripts' database (tests/fixtures/odoo-flows)
PRODUCTS.append((53, "Cable Management Box", "FURN_5555", "consu", 1, 100.0, 3))
PRODUCTS.append((56, "Bulk product 00001", "SKU00001", "consu", 1, 1.37, 1))
PRODUCTS.append((57, "Bulk product 00002", "SKU00002", "consu", 1, 1.0, 1))


def ascii_fold(s):
    return "".join(c for c in unicodedata.normalize("NFKD", s)
                   if not unicodedata.combining(c)).encode("ascii", "ignore").decode()


def seed(orm, npartners, seed_time, rng_seed=1, users=(), currencies="active"):
    db = orm.db
    rng = random.Random(rng_seed)
    t0 = datetime.datetime.strptime(seed_time, "%Y-%m-%d %H:%M:%S")

    def ts(i, per=50):
        return (t0 + datetime.timedelta(seconds=i // per)).strftime("%Y-%m-%d %H:%M:%S")

    orm.now, orm.uid, orm.context = seed_time, 1, {}
    orm.seeding = True                  # the seed's ranks are set, not counted
    db.execute("BEGIN")
    meta = (seed_time, seed_time, 1, 1)
    cols = "create_date, write_date, create_uid, write_uid"
    db.executemany("INSERT INTO res_currency (id, name, full_name, symbol, rounding, "
                   "decimal_places, position, active, %s) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
                   % cols,
                   [(i, n, fn, s, 10 ** -d if d else 1.0, d, pos,
                     act if currencies != "fresh" else int(n == "USD")) + meta
                    for i, n, fn, s, d, pos, act in CURRENCIES])
    db.execute("INSERT INTO product_pricelist (id, name, currency_id, company_id, active, %s) "
               "VALUES (3, 'Default', 1, 1, 1, ?,?,?,?)" % cols, meta)
    db.executemany("INSERT INTO res_country (id, name, code, phone_code, currency_id, %s) "
                   "VALUES (?,?,?,?,?,?,?,?,?)" % cols, [c + meta for c in COUNTRIES])
    db.executemany("INSERT INTO res_country_state (id, name, code, country_id, %s) "
                   "VALUES (?,?,?,?,?,?,?,?)" % cols, [s + meta for s in STATES])
    db.executemany("INSERT INTO res_partner_category (id, name, color, active, %s) "
                   "VALUES (?,?,?,1,?,?,?,?)" % cols, [(i, n, i % 12) + meta
                                                       for i, n in CATEGORIES])
    # partners: demo
    P = "INSERT INTO res_partner (id, name, complete_name, parent_id, is_company, email, " \
        "phone, country_id, state_id, vat, street, zip, city, lang, tz, user_id, " \
        "company_id, active, type, customer_rank, supplier_rank, ref, image_128, " \
        "credit_limit, color, %s) VALUES (%s)" % (cols, ",".join("?" * 29))
    rows, cats = [], []

    def prow(pid, name, parent=None, parent_name=None, company=False, email=None,
             phone=None, country=None, state=None, vat=None, street=None, zip_=None,
             city=None, lang="en_US", tz=None, user=None, comp=None, active=1, crank=0,
             srank=0, ref=None, img=None, when=None):
        cn = "%s, %s" % (parent_name, name) if parent_name else name
        w = when or seed_time
        rows.append((pid, name, cn, parent, 1 if company else 0, email, phone, country, state,
                     vat, street, zip_, city, lang, tz, user, comp, active, "contact", crank,
                     srank, ref, img, 0.0, 0, w, w, 1, 1))

    prow(1, "My Company (San Francisco)", company=True, email="info@yourcompany.com",
         phone="+1 555-555-5556", country=233, state=13, street="250 Executive Park Blvd",
         zip_="94134", city="San Francisco", comp=1)
    prow(2, "OdooBot", email="odoobot@example.com", active=0, comp=1)
    prow(3, "Mitchell Admin", email="admin@example.com", phone="+1 555-555-5555",
         country=233, state=47, street="215 Vine St", zip_="18503", city="Scranton",
         tz="Europe/Brussels", user=2, comp=1, img=b64_png())
    prow(4, "Public user", active=0, comp=1)
    prow(5, "Default User Template", active=0, comp=1)
    prow(6, "Joel Willis", email="joel.willis63@example.com", country=233, comp=1)
    prow(7, "Marc Demo", email="mark.brown23@example.com", country=233, tz="Europe/Brussels",
         comp=1)
    names = {}
    for (pid, name, email, country, state, pcats, vat, phone, street, zp, city) in \
            DEMO_COMPANIES:
        names[pid] = name
        prow(pid, name, company=True, email=email, phone=phone, country=country, state=state,
             vat=vat, street=street, zip_=zp, city=city, crank=1, srank=1 if pid % 2 else 0)
        cats.extend((pid, c) for c in pcats)
    comp = {c[0]: c for c in DEMO_COMPANIES}
    for pid, name, parent in DEMO_CONTACTS:
        c = comp[parent]
        first, last = name.split(" ", 1)
        prow(pid, name, parent=parent, parent_name=names[parent],
             email="%s.%s%d@example.com" % (ascii_fold(first).lower(),
                                            ascii_fold(last).lower(), pid * 7 % 100),
             phone="(%03d)-%03d-%04d" % (100 + pid * 37 % 900, 100 + pid * 53 % 900,
                                         pid * 977 % 10000),
             country=c[3], state=c[4], vat=c[6], street=c[8], zip_=c[9], city=c[10])
    # partners: generated
    n = 0
    pid = 41
    ccodes = [c for c in COUNTRIES]
    while n < npartners:
        country = rng.choice(ccodes)
        cname = "%s %s %s" % (rng.choice(CO_A), rng.choice(CO_B), rng.choice(CO_C))
        when = ts(pid)
        cid = pid
        active = 0 if rng.random() < 0.02 else 1
        state = None
        if country[0] == 233:
            state = rng.choice([13, 47, 10, 44, 57, 60])
        elif country[0] == 21:
            state = rng.choice([300, 301])
        city = rng.choice(["Genève", "Köln", "Łódź", "São Paulo", "Málaga", "Zürich", "Brno",
                           "Tromsø", "Reykjavík", "Ghent", "Springfield", "Lyon", "Porto"])
        prow(cid, cname, company=True,
             email="info@%s.example.com" % ascii_fold(cname.split(" ")[0]).lower(),
             phone="+%d %03d %04d" % (country[3], rng.randrange(1000), rng.randrange(10000)),
             country=country[0], state=state, vat="%s%010d" % (country[2], rng.randrange(10**10)),
             street="%d %s" % (rng.randrange(1, 999), rng.choice(["Hauptstraße", "Rue de l'Église",
                                                                  "Calle Mayor", "Main St",
                                                                  "Storgatan", "Ulica Długa"])),
             zip_="%05d" % rng.randrange(100000), city=city, active=active,
             crank=rng.choice([0, 0, 1, 3, 7]), srank=rng.choice([0, 0, 0, 1, 2]),
             ref="C%06d" % cid, when=when)
        ncat = rng.choice([0, 0, 1, 1, 2])
        for c in rng.sample(range(1, 9), ncat):
            cats.append((cid, c))
        pid += 1
        n += 1
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            if n >= npartners:
                break
            first, last = rng.choice(FIRST), rng.choice(LAST)
            name = "%s %s" % (first, last)
            prow(pid, name, parent=cid, parent_name=cname,
                 email="%s.%s%d@example.com" % (ascii_fold(first).lower(),
                                                ascii_fold(last).lower().replace(" ", "")
                                                .replace("'", ""), pid % 1000),
                 phone="+%d %03d %04d" % (country[3], rng.randrange(1000),
                                          rng.randrange(10000)),
                 country=country[0], state=state, city=city,
                 active=0 if (not active or rng.random() < 0.02) else 1,
                 ref="P%06d" % pid, when=ts(pid))
            pid += 1
            n += 1
    db.executemany(P, rows)
    db.executemany("INSERT INTO res_partner__category_id (id1, id2) VALUES (?, ?)", cats)
    db.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = 'res_partner'", (pid - 1,))
    db.execute("INSERT INTO res_company (id, name, partner_id, currency_id, active, %s) "
               "VALUES (1, 'My Company (San Francisco)', 1, 1, 1, ?,?,?,?)" % cols, meta)
    urows = [(1, "OdooBot", "__system__", 2, 0), (2, "Mitchell Admin", "admin", 3, 1),
             (5, "Marc Demo", "demo", 7, 1)]
    db.executemany("INSERT INTO res_users (id, name, login, partner_id, company_id, active, "
                   "%s) VALUES (?,?,?,?,1,?,?,?,?,?)" % cols, [u + meta for u in urows])
    # users named on the command line that are not admin/demo
    known = {"admin": 2, "demo": 5, "__system__": 1}
    for login in users:
        if login not in known:
            name = login.replace(".", " ").title()
            ppid = orm.create_one(orm.models["res.partner"], {"name": name,
                                                              "email": login + "@example.com"})
            cur = db.execute("INSERT INTO res_users (name, login, partner_id, company_id, "
                             "active, %s) VALUES (?,?,?,1,1,?,?,?,?)" % cols,
                             (name, login, ppid) + meta)
            known[login] = cur.lastrowid
    # products
    M = orm.models
    db.executemany("INSERT INTO uom_uom (id, name, relative_factor, relative_uom_id, sequence, "
                   "active, rounding, %s) VALUES (?,?,?,?,?,?,0.01,?,?,?,?)" % cols,
                   [u + meta for u in UOMS])
    for i, n_, parent in [(1, "All", None), (2, "Saleable", 1), (3, "Office Furniture", 1)]:
        orm.insert(M["product.category"], {"id": i, "name": n_, "parent_id": parent,
                                           "create_date": seed_time, "write_date": seed_time,
                                           "create_uid": 1, "write_uid": 1})
    orm.recompute_complete_name(M["product.category"], [1, 2, 3], " / ")
    for (i, n_, code, typ, uom, price, categ) in PRODUCTS:
        # the cost as Odoo stores it: rounded to its digits ("Product Price", 2)
        cost = round(price * 0.6, 2)
        base = {"id": i, "name": n_, "default_code": code, "type": typ, "uom_id": uom,
                "categ_id": categ, "active": 1, "create_date": seed_time,
                "write_date": seed_time, "create_uid": 1, "write_uid": 1}
        orm.insert(M["product.template"], dict(base, list_price=price, sale_ok=1,
                                               purchase_ok=1, standard_price=cost))
        orm.insert(M["product.product"], dict(base, product_tmpl_id=i, lst_price=price,
                                              sale_ok=1, purchase_ok=1,
                                              standard_price=cost))
    # the transcripts' products: no cost, FURN_5555 storable and tracked by lots
    for t in ("product_template", "product_product"):
        db.execute("UPDATE %s SET standard_price = 0 WHERE id >= 50" % t)
        # storable ("Track Inventory"): FURN_5555 and the products with
        # stock below (Odoo 19 keeps quants of storable products only)
        db.execute("UPDATE %s SET is_storable = (id IN (53, %s))"
                   % (t, ", ".join(str(p) for p in QUANT_PRODUCTS)))
    db.execute("UPDATE product_template SET tracking = CASE id WHEN 53 THEN 'lot' "
               "ELSE 'none' END")
    db.executemany("INSERT INTO product_template__taxes_id (id1, id2) VALUES (?, 1)",
                   [(p[0],) for p in PRODUCTS])
    db.executemany("INSERT INTO product_template__supplier_taxes_id (id1, id2) VALUES (?, 2)",
                   [(p[0],) for p in PRODUCTS])
    db.execute("INSERT INTO account_tax (id, name, amount, type_tax_use, amount_type, active, %s) "
               "VALUES (1, '15%%', 15.0, 'sale', 'percent', 1, ?,?,?,?)" % cols, meta)
    db.execute("INSERT INTO account_tax (id, name, amount, type_tax_use, amount_type, active, %s) "
               "VALUES (2, '15%%', 15.0, 'purchase', 'percent', 1, ?,?,?,?)" % cols, meta)
    for j in [(1, "Sales", "INV", "sale"), (2, "Purchases", "BILL", "purchase"),
              (3, "Bank", "BNK1", "bank"), (4, "Cash", "CSH1", "cash"),
              (5, "Miscellaneous Operations", "MISC", "general")]:
        db.execute("INSERT INTO account_journal (id, name, code, type, active, %s) "
                   "VALUES (?,?,?,?,1,?,?,?,?)" % cols, j + meta)
    db.executemany("INSERT INTO account_account (id, code, name, account_type, %s) "
                   "VALUES (?,?,?,?,?,?,?,?)" % cols, [a + meta for a in ACCOUNTS])
    db.executemany("INSERT INTO account_payment_method_line (id, name, payment_type, "
                   "journal_id, %s) VALUES (?,?,?,3,?,?,?,?)" % cols,
                   [(1, "Manual Payment", "inbound") + meta,
                    (2, "Manual Payment", "outbound") + meta])
    db.execute("INSERT INTO product_attribute (id, name, create_variant, display_type, %s) "
               "VALUES (3, 'Color', 'always', 'color', ?,?,?,?)" % cols, meta)
    db.executemany("INSERT INTO product_attribute_value (id, name, attribute_id, sequence, %s) "
                   "VALUES (?,?,3,?,?,?,?,?)" % cols,
                   [(50 + k, c, k) + meta for k, c in enumerate(COLORS)])
    db.execute("INSERT INTO crm_team (id, name, %s) VALUES (1, 'Sales', ?,?,?,?)" % cols, meta)
    db.executemany("INSERT INTO crm_tag (id, name, color, %s) VALUES (?,?,?,?,?,?,?)" % cols,
                   [(i, n, i % 12) + meta for i, n in CATEGORIES])
    # sale orders (the ORM computes lines and totals)
    so = M["sale.order"]
    orders = [
        (9, 5, "draft", [(38, 3, 295.0, 1), (6, 5, 145.0, 1), (5, 2, 65.0, 1)]),
        (11, 2, "draft", [(3, 24, 75.0, 4), (4, 30, 38.25, 4)]),
        (11, 2, "draft", [(2, 0.5, 750.0, 1), (7, 1, 2.5, 1)]),
        (10, 2, "sale", [(5, 10, 65.0, 1), (6, 4, 145.0, 1), (9, 2, 120.0, 1),
                         (1, 1, 163.0, 1)]),
        (12, 5, "sent", [(39, 4, 129.5, 1)]),
        (16, 2, "sale", [(2, 1, 750.0, 1)]),
        (15, 2, "cancel", [(3, 8, 75.0, 4)]),
        (8, 5, "sale", [(40, 2, 800.0, 5), (6, 1, 145.0, 1)]),
    ]
    for k, (partner, user, state, lines) in enumerate(orders, 1):
        when = (t0 + datetime.timedelta(days=-30 + k)).strftime("%Y-%m-%d %H:%M:%S")
        orm.now = when
        oid = orm.create_one(so, {
            "partner_id": partner, "user_id": user, "currency_id": 1,
            "date_order": when,
            "order_line": [[0, 0, {"product_id": p, "name": _pname(p), "product_uom_qty": q,
                                   "price_unit": pu, "product_uom_id": u, "tax_ids": [[6, 0, [1]]]}]
                           for p, q, pu, u in lines]})
        if state != "draft":
            db.execute("UPDATE sale_order SET state = ? WHERE id = ?", (state, oid))
            db.execute("UPDATE sale_order_line SET state = ? WHERE order_id = ?",
                       (state if state != "sent" else "draft", oid))
            orm.recompute_so_status([oid])      # a confirmed order is "to invoice"
    # invoices and bills
    am = M["account.move"]
    moves = [("out_invoice", 15, "2025-12-01", [(2, 40, 750.0), (6, 12, 145.0)], True),
             ("out_invoice", 9, "2025-12-21", [(2, 50, 750.0), (5, 65, 65.0)], True),
             ("out_invoice", 9, "2025-12-20", [(2, 25, 750.0), (3, 7, 75.0)], True),
             ("out_invoice", 10, "2025-12-28", [(38, 2, 295.0)], True),
             ("out_invoice", 11, None, [(6, 3, 145.0)], False),
             ("in_invoice", 12, "2025-12-15", [(2, 10, 450.0)], True),
             ("in_invoice", 16, "2025-12-18", [(5, 20, 39.0)], False),
             ("out_refund", 9, "2025-12-29", [(5, 1, 65.0)], True)]
    for k, (mtype, partner, idate, lines, post) in enumerate(moves, 1):
        orm.now = (t0 + datetime.timedelta(days=-20 + k)).strftime("%Y-%m-%d %H:%M:%S")
        mid = orm.create_one(am, {
            "move_type": mtype, "partner_id": partner, "invoice_date": idate,
            "invoice_date_due": idate, "journal_id": 1 if mtype.startswith("out") else 2,
            "currency_id": 1, "invoice_user_id": 2,
            "invoice_line_ids": [[0, 0, {"product_id": p, "name": _pname(p), "quantity": q,
                                         "price_unit": pu, "partner_id": partner,
                                         "tax_ids": [[6, 0, [1 if mtype.startswith("out")
                                                              else 2]]]}]
                                 for p, q, pu in lines]})
        if post:
            orm.action(am, "action_post", [mid])
    pay = M["account.payment"]
    for k, (partner, amount, ptype, pt) in enumerate(
            [(15, 1000.0, "inbound", "customer"), (9, 2500.5, "inbound", "customer"),
             (12, 4500.0, "outbound", "supplier"), (10, 339.25, "inbound", "customer")], 1):
        # a draft payment has no number yet (odoo-flows/56a): posting gives it one
        orm.create_one(pay, {"name": "PBNK1/2025/%05d" % k if k < 4 else False,
                             "partner_id": partner,
                             "amount": amount, "payment_type": ptype, "partner_type": pt,
                             "journal_id": 3, "currency_id": 1,
                             "date": "2025-12-%02d" % (20 + k), "memo": "Payment %d" % k,
                             "state": "paid" if k < 4 else "draft"})
    # stock
    for i, n_, cn, usage in [(1, "Physical Locations", "Physical Locations", "view"),
                             (4, "Vendors", "Vendors", "supplier"),
                             (5, "Customers", "Customers", "customer"),
                             (8, "Stock", "WH/Stock", "internal")]:
        orm.insert(M["stock.location"], {"id": i, "name": n_, "complete_name": cn,
                                         "usage": usage, "active": 1,
                                         "create_date": seed_time, "write_date": seed_time,
                                         "create_uid": 1, "write_uid": 1})
    for i, n_, code, src, dst in [(1, "Receipts", "incoming", 4, 8),
                                  (2, "Delivery Orders", "outgoing", 8, 5)]:
        orm.insert(M["stock.picking.type"], {
            "id": i, "name": n_, "code": code, "sequence_code": "IN" if i == 1 else "OUT",
            "default_location_src_id": src, "default_location_dest_id": dst,
            "create_date": seed_time, "write_date": seed_time, "create_uid": 1,
            "write_uid": 1})
    for k, p in enumerate(QUANT_PRODUCTS, 1):
        orm.create_one(M["stock.quant"], {"product_id": p, "location_id": 8,
                                          "quantity": float(10 * k + p % 7),
                                          "reserved_quantity": float(k % 3)})
    for k, (partner, code, state) in enumerate([(9, "outgoing", "assigned"),
                                                (10, "outgoing", "done"),
                                                (12, "incoming", "assigned"),
                                                (16, "incoming", "draft"),
                                                (11, "outgoing", "confirmed")], 1):
        orm.create_one(M["stock.picking"], {
            "name": "WH/%s/%05d" % ("OUT" if code == "outgoing" else "IN", k),
            "partner_id": partner, "picking_type_code": code,
            "location_id": 8 if code == "outgoing" else 4,
            "location_dest_id": 5 if code == "outgoing" else 8,
            "scheduled_date": "2026-01-%02d 09:00:00" % (5 + k), "state": state,
            "picking_type_id": 2 if code == "outgoing" else 1,
            "origin": "S%05d" % k if code == "outgoing" else "P%05d" % k})
    po = M["purchase.order"]
    for k, (partner, lines, confirm) in enumerate(
            [(12, [(2, 5, 450.0), (5, 10, 39.0)], True), (16, [(6, 20, 87.0)], False),
             (14, [(39, 8, 77.7)], True), (12, [(1, 3, 168.0)], False),
             (16, [(38, 4, 177.0), (7, 2, 12.0)], False)], 1):
        orm.now = (t0 + datetime.timedelta(days=-10 + k)).strftime("%Y-%m-%d %H:%M:%S")
        oid = orm.create_one(po, {
            "partner_id": partner, "currency_id": 1,
            "order_line": [[0, 0, {"product_id": p, "name": _pname(p), "product_qty": q,
                                   "price_unit": pu, "product_uom_id": 1,
                                   "date_planned": orm.now, "tax_ids": [[6, 0, [2]]]}]
                           for p, q, pu in lines]})
        if confirm:
            orm.action(po, "button_confirm", [oid])
    orm.now = seed_time
    for i, n_, parent in [(1, "Administration", None), (2, "Sales", None),
                          (3, "Research & Development", None), (6, "Management", None),
                          (7, "Professional Services", 6)]:
        orm.insert(M["hr.department"], {"id": i, "name": n_, "active": 1, "parent_id": parent,
                                        "create_date": seed_time, "write_date": seed_time,
                                        "create_uid": 1, "write_uid": 1})
    orm.recompute_complete_name(M["hr.department"], [1, 2, 3, 6], " / ")
    orm.recompute_complete_name(M["hr.department"], [7], " / ")
    emps = [("Mitchell Admin", "Chief Executive Officer", 1, None, 2),
            ("Zoë Lefèvre", "Sales Manager", 2, 1, None),
            ("Jürgen Müller", "Developer", 3, 1, None), ("Åsa Björklund", "Developer", 3, 3, None),
            ("José García", "Salesman", 2, 2, None), ("Łukasz Nowak", "Tester", 3, 3, None),
            ("Søren Jørgensen", "Consultant", 2, 2, None), ("Anaïs Dubois", "Accountant", 1, 1,
                                                             None),
            ("Ömer Çelik", "Warehouse Worker", 1, 1, None), ("Aoife Murphy", "HR Officer", 1, 1,
                                                             None),
            ("Tina Williamson", "Human Resources Manager", 6, 1, None)]
    for k, (n_, job, dep, mgr, user) in enumerate(emps, 1):
        orm.create_one(M["hr.employee"], {
            "name": n_, "job_title": job, "department_id": dep, "parent_id": mgr or False,
            "user_id": user or False,
            "work_email": "%s@example.com" % ascii_fold(n_).lower().replace(" ", "."),
            "work_phone": "+32 2 555 %02d %02d" % (k, k * 7 % 100)})
    for i, n_, won in [(1, "New", 0), (2, "Qualified", 0), (3, "Proposition", 0), (4, "Won", 1)]:
        orm.create_one(M["crm.stage"], {"name": n_, "sequence": i, "is_won": bool(won)})
    for k in range(1, 11):
        partner = [8, 9, 10, 11, 12, 13, 15, 16, None, None][k - 1]
        orm.create_one(M["crm.lead"], {
            "name": ["Office Design Project", "Furnitures for Café Ølstue", "Need 20 Desks",
                     "Distributor Contract", "Quote for 150 carpets", "Global Solutions: Furnitures",
                     "Interest in your products", "Open Space Design", "Pre-Sale Service",
                     "Modern Office Ideas"][k - 1],
            "partner_id": partner or False, "type": "opportunity" if partner else "lead",
            "stage_id": 1 + k % 4, "user_id": 2 if k % 2 else 5,
            "expected_revenue": float(1000 * k + 500), "probability": float(10 * (k % 10)),
            "email_from": "lead%d@example.com" % k, "country_id": 233 if k % 3 else 21,
            "tag_ids": [[6, 0, [1 + k % 8]]]})
    # external ids of the seed
    xids = [("base", "main_company", "res.company", 1), ("base", "main_partner", "res.partner", 1),
            ("base", "partner_root", "res.partner", 2), ("base", "partner_admin", "res.partner", 3),
            ("base", "user_root", "res.users", 1), ("base", "user_admin", "res.users", 2),
            ("base", "user_demo", "res.users", 5), ("base", "USD", "res.currency", 1),
            ("base", "EUR", "res.currency", 2), ("uom", "product_uom_unit", "uom.uom", 1),
            ("uom", "product_uom_hour", "uom.uom", 4)]
    xids += [("base", c[2].lower(), "res.country", c[0]) for c in COUNTRIES]
    xids += [("base", "res_partner_%d" % c[0], "res.partner", c[0]) for c in DEMO_COMPANIES]
    xids += [("base", "res_partner_category_%d" % c[0], "res.partner.category", c[0])
             for c in CATEGORIES]
    xids += [("product", "product_product_%d" % p[0], "product.product", p[0]) for p in PRODUCTS]
    db.executemany("INSERT INTO ir_model_data (module, name, model, res_id, noupdate, %s) "
                   "VALUES (?,?,?,?,1,?,?,?,?)" % cols, [x + meta for x in xids])
    # ir.model: one row per model served, as Odoo lists its registry
    db.executemany('INSERT INTO ir_model (name, model, "order", state, transient, %s) '
                   "VALUES (?,?,?,'base',0,?,?,?,?)" % cols,
                   [(m.description, m.name, m.order) + meta
                    for m in sorted(M.values(), key=lambda m: m.name)])
    orm.flush()
    orm.seeding = False
    # seeded records carry seed-time stamps (create_one used the clock above)
    db.execute("COMMIT")
    # no ANALYZE: statistics of the seed (40 rows) would make sqlite scan the
    # tables the run fills (an IN of ids read as a scan); without them it
    # uses the indexes, as a server whose statistics are kept up does
    return known


def _pname(pid):
    for p in PRODUCTS:
        if p[0] == pid:
            return ("[%s] %s" % (p[2], p[1])) if p[2] else p[1]
    return "Product %d" % pid
