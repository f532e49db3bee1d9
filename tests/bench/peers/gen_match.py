#!/usr/bin/env python3
"""gen_match.py - two systems' customers that share no key, for
reconcile --match (issue 19): a left file in Odoo's names, a right file in
BNG's, and the truth (which left id is which right id).

Deterministic for a seed.  The right side holds a planted near-duplicate
of most left companies (typos, legal-form variants Ltd/Limited, GmbH/G.m.b.H.,
accents dropped or spelt out, words reordered, phone numbers in national,
00 or spaced formats, emails in upper case or with spaces, VAT numbers
with dots or without their country prefix, fields missing), companies of
its own, and traps: a company with the same name as a left one but another
VAT number, city, phone and email (same name, different company).

  gen_match.py -n N [--seed S] --left L.ndjson --right R.ndjson --truth T.ndjson
  gen_match.py --score T.ndjson BINDINGS.ndjson   precision and recall as JSON

N is the number of left records; the right has about as many.
"""
import argparse
import json
import random
import sys

SYL = ["ka", "lo", "ven", "tar", "mi", "ro", "sel", "da", "nor", "bri", "an", "del", "to",
       "gar", "li", "mon", "ste", "va", "quin", "ber", "sa", "tel", "cor", "fi", "ma", "rex",
       "ul", "zen", "pa", "dri", "ho", "lun", "ke", "vo", "nis", "ar", "be", "ci", "do", "er",
       "fu", "gi", "ja", "ko", "le", "mu", "ne", "po", "ri", "su", "ti", "wa", "xi", "yo"]
ACCENTED = {"a": "ä", "o": "ö", "u": "ü", "e": "é", "c": "ç", "n": "ñ"}
BUSINESS = ["Widgets", "Logistics", "Consulting", "Trading", "Foods", "Engineering",
            "Systems", "Textiles", "Motors", "Pharma", "Design", "Bakery", "Software",
            "Holdings", "Partners", "Electric", "Plastics", "Metals", "Furniture", "Travel",
            "Media", "Energy", "Optics", "Tools", "Garden", "Print", "Marine", "Dental"]
FIRST = ["Anna", "Jean", "Hans", "Maria", "Peter", "Sophie", "Luca", "Emma", "Pierre",
         "Jan", "Eva", "Tom", "Nina", "Paul", "Clara", "Marc", "Lena", "Olaf", "Ines", "Karl"]
COUNTRIES = [  # iso, calling code, national trunk, legal forms (canonical, variants), cities
    ("GB", "44", ["Ltd", "Limited", "Ltd.", "LTD"], ["London", "Leeds", "Bristol", "York"]),
    ("DE", "49", ["GmbH", "G.m.b.H.", "GMBH", "gmbh"], ["Berlin", "Köln", "München", "Hamburg"]),
    ("FR", "33", ["SARL", "S.A.R.L.", "Sarl", "sarl"], ["Paris", "Lyon", "Nîmes", "Orléans"]),
    ("US", "1", ["Inc", "Inc.", "Incorporated", "INC"], ["Boston", "Denver", "Austin", "Miami"]),
]


def word(rng, accents=True):
    w = "".join(rng.choice(SYL) for _ in range(rng.choice([2, 3, 3, 4])))
    if accents and rng.random() < 0.15:
        i = rng.randrange(len(w))
        if w[i] in ACCENTED:
            w = w[:i] + ACCENTED[w[i]] + w[i + 1:]
    return w.capitalize()


def company(rng, i):
    ci = 0 if rng.random() < 0.55 else rng.randrange(1, len(COUNTRIES))
    iso, cc, legal, cities = COUNTRIES[ci]
    kind = rng.random()
    if kind < 0.15:  # a person
        words = [rng.choice(FIRST), word(rng)]
        form = None
    elif kind < 0.35:
        words = [word(rng), "&", word(rng)]
        form = legal[0]
    else:
        words = [word(rng), rng.choice(BUSINESS)]
        if rng.random() < 0.3:
            words.insert(1, word(rng))
        form = legal[0]
    stem = "".join(c for c in words[0].lower() if c.isascii() and c.isalpha()) or "x"
    dom = stem + str(i % 97) + rng.choice([".com", ".co.uk", ".de", ".fr", ".net"])
    email = ("%s.%s@%s" % (words[0].lower(), words[1].lower(), dom) if form is None
             else rng.choice(["info", "ap", "accounts", "sales"]) + "@" + dom)
    email = "".join(c for c in email if c.isascii())
    nat = "%d%03d%04d" % (rng.randrange(1, 10), rng.randrange(1000), rng.randrange(10000))
    return {
        "iso": iso, "cc": cc, "legal": legal, "cities": cities,
        "words": words, "form": form,
        "email": email if rng.random() < 0.85 else None,
        "phone": nat if rng.random() < 0.8 else None,
        "vat": (iso + "%09d" % rng.randrange(10 ** 9)) if form and rng.random() < 0.7 else None,
        "city": rng.choice(cities),
        "street": "%d %s %s" % (rng.randrange(1, 200), word(rng, False),
                                rng.choice(["Street", "Road", "Avenue", "Lane"])),
    }


def name_of(c, words=None, form=None):
    w = list(words or c["words"])
    f = c["form"] if form is None else form
    return " ".join(w + ([f] if f else []))


def phone_left(c):
    n = c["phone"]
    return "+%s %s %s %s" % (c["cc"], n[:2], n[2:6], n[6:]) if n else False


def typo(rng, w):
    if len(w) < 4:
        return w
    i = rng.randrange(1, len(w) - 1)
    op = rng.randrange(3)
    if op == 0:
        return w[:i] + w[i + 1] + w[i] + w[i + 2:]
    if op == 1:
        return w[:i] + w[i + 1:]
    return w[:i] + rng.choice("aeiourstln") + w[i + 1:]


def fold(w):
    return w.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("é", "e") \
        .replace("ç", "c").replace("ñ", "n")


def variant(rng, c):
    """the same company as the right system holds it"""
    words = list(c["words"])
    form = c["form"]
    changes = []
    r = rng.random()
    if r < 0.25:
        k = max(range(len(words)), key=lambda j: len(words[j]))
        words[k] = typo(rng, words[k])
        changes.append("typo")
    elif r < 0.35:
        words = [fold(w) for w in words]
        changes.append("accents")
    elif r < 0.45 and len(words) == 2 and form is None:
        words = [words[1] + ",", words[0]]
        changes.append("reordered")
    if form and rng.random() < 0.5:
        form = rng.choice(c["legal"][1:])
        changes.append("legal form")
    name = name_of(c, words, form)
    if rng.random() < 0.3:
        name = name.upper()
        changes.append("case")
    email = c["email"]
    if email and rng.random() < 0.3:
        email = rng.choice([email.upper(), email + " ", " " + email.capitalize()])
        changes.append("email")
    if email and rng.random() < 0.1:
        email = None
    phone = None
    if c["phone"] and rng.random() < 0.85:
        n = c["phone"]
        f = rng.randrange(4)
        if f == 0 and c["iso"] == "GB":
            phone = "0%s %s %s" % (n[:2], n[2:6], n[6:])  # national
        elif f == 1:
            phone = "00%s%s" % (c["cc"], n)
        elif f == 2:
            phone = "+%s-%s-%s" % (c["cc"], n[:4], n[4:])
        else:
            phone = "+%s %s" % (c["cc"], n)
        changes.append("phone format")
    vat = c["vat"]
    if vat and rng.random() < 0.4:
        vat = rng.choice([vat[2:], vat[:2] + " " + vat[2:5] + "." + vat[5:]])
        changes.append("vat format")
    if vat and rng.random() < 0.15:
        vat = None
    return name, email, phone, vat, c["city"], changes


def trap(rng, c):
    """same name, another company"""
    other = company(rng, rng.randrange(10 ** 6))
    iso, cc, legal, cities = COUNTRIES[rng.randrange(len(COUNTRIES))]
    form = legal[0] if c["form"] else None
    name = name_of(c, c["words"], form)
    city = rng.choice([x for x in cities if x != c["city"]])
    vat = (iso + "%09d" % rng.randrange(10 ** 9)) if form else None
    nat = "%d%03d%04d" % (rng.randrange(1, 10), rng.randrange(1000), rng.randrange(10000))
    return name, other["email"], "+%s %s" % (cc, nat), vat, city


def generate(a):
    rng = random.Random(a.seed)
    comps = [company(rng, i) for i in range(a.n)]
    lefts = []
    for i, c in enumerate(comps):
        lefts.append({"id": i + 1, "name": name_of(c), "is_company": c["form"] is not None,
                      "email": c["email"] or False, "phone": phone_left(c),
                      "vat": c["vat"] or False, "city": c["city"], "street": c["street"]})
    rights, truth = [], []
    for i, c in enumerate(comps):
        if rng.random() < 0.75:
            name, email, phone, vat, city, changes = variant(rng, c)
            rights.append(({"CompanyName": name, "Email": email, "Phone": phone,
                            "VATNumber": vat, "City": city}, i + 1, changes))
        if rng.random() < 0.06:
            name, email, phone, vat, city = trap(rng, c)
            rights.append(({"CompanyName": name, "Email": email, "Phone": phone,
                            "VATNumber": vat, "City": city}, None, ["trap"]))
    for i in range(a.n // 5):  # the right's own companies
        c = company(rng, a.n + i)
        rights.append(({"CompanyName": name_of(c), "Email": c["email"],
                        "Phone": phone_left(c) or None, "VATNumber": c["vat"],
                        "City": c["city"]}, None, ["own"]))
    rng.shuffle(rights)
    with open(a.left, "w") as f:
        for r in lefts:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    with open(a.right, "w") as f, open(a.truth, "w") as t:
        for k, (r, lid, changes) in enumerate(rights):
            rec = {"CustomerID": 1000 + k}
            rec.update({x: y for x, y in r.items() if y is not None})
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
            if lid is not None or "trap" in changes:
                t.write(json.dumps({"left": lid, "right": 1000 + k, "planted": changes}) + "\n")


def score(truth_path, out_path):
    truth, traps = {}, set()
    for line in open(truth_path):
        t = json.loads(line)
        if t["left"] is None:
            traps.add(t["right"])
        else:
            truth[(t["left"], t["right"])] = t["planted"]
    bound = amb = right = trapped = 0
    amb_true = 0
    for line in open(out_path):
        o = json.loads(line)
        pair = (o.get("left"), o.get("right"))
        if o.get("status") == "match":
            bound += 1
            right += pair in truth
            trapped += o["right"] in traps
        elif o.get("status") == "ambiguous":
            amb += 1
            amb_true += pair in truth
    print(json.dumps({
        "planted": len(truth), "traps": len(traps), "bound": bound, "correct": right,
        "wrong": bound - right, "bound_to_a_trap": trapped, "ambiguous": amb,
        "ambiguous_true": amb_true,
        "precision": round(right / bound, 4) if bound else 0.0,
        "recall": round(right / len(truth), 4) if truth else 0.0}))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("-n", type=int, default=1000)
    p.add_argument("--seed", type=int, default=19)
    p.add_argument("--left")
    p.add_argument("--right")
    p.add_argument("--truth")
    p.add_argument("--score", nargs=2, metavar=("TRUTH", "OUTPUT"))
    a = p.parse_args()
    if a.score:
        score(*a.score)
        return
    if not (a.left and a.right and a.truth):
        p.error("--left, --right and --truth, or --score")
    generate(a)


if __name__ == "__main__":
    sys.exit(main())
