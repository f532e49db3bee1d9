#!/usr/bin/python3
"""tests/sandbox/bng_openapi.py - writes examples/bng/openapi.json, the BNG
contract erpipe assumes (BNG's own API is not published; see
../shared/PROTOCOLS.md).  The JSON file is what the sandbox serves and
validates against, what bng-extract --describe reads and what is installed;
this script is only how it is authored, so the ten resources share one
shape.  After editing, run:

    tests/sandbox/bng_openapi.py > examples/bng/openapi.json

tests/0401 checks (with --check) that the committed file is current.

Every resource has the same operations (paths relative to /api/v1):
  GET    /R              list: cursor paging (limit, cursor -> data,
                         next_cursor), updated_since, id_gte/id_lte, equality
                         filters on top-level fields, fields=, count=true;
                         also page/per_page and offset/limit, and a Link header
  POST   /R              create (409 on a duplicate ExternalID)
  PUT    /R?upsert_key=F upsert by a unique field of the body
  GET    /R/{id}         one
  PUT    /R/{id}         replace
  PATCH  /R/{id}         change the fields given
  DELETE /R/{id}         delete
  POST   /R/batch        up to 100 items, each answered on its own
"""
import json
import sys

TS = {"type": "string", "format": "date-time",
      "description": "RFC 3339, UTC, milliseconds: 2026-03-01T12:00:00.123Z"}
DATE = {"type": "string", "format": "date"}
MONEY = {"type": "number", "multipleOf": 0.01}
MONEY0 = {"type": "number", "minimum": 0, "multipleOf": 0.01}
QTY = {"type": "number", "minimum": 0, "multipleOf": 0.001}
CURRENCY = {"type": "string", "pattern": "^[A-Z]{3}$", "description": "ISO 4217 code"}


def s(maxlen, nullable=True, **kw):
    d = {"type": ["string", "null"] if nullable else "string", "maxLength": maxlen}
    d.update(kw)
    return d


def n(schema):
    """schema that also admits null"""
    d = dict(schema)
    t = d["type"]
    d["type"] = (t if isinstance(t, list) else [t]) + ["null"]
    return d


def ref_id(desc):
    return {"type": ["integer", "null"], "minimum": 1, "description": desc}


def ro(schema):
    d = dict(schema)
    d["readOnly"] = True
    return d


EMAIL = s(254, format="email")

# resource path -> (schema name, singular event prefix, description, fields,
#                   required on create, x-bng rules)
RESOURCES = [
    ("customers", "Customer", "customer", "A customer: a company or a person.", {
        "CompanyName": s(120, description="Set for a company; FirstName/LastName for a person"),
        "FirstName": s(60),
        "LastName": s(60),
        "Email": EMAIL,
        "Phone": s(40),
        "BillingAddress": s(300, description="One line: street, postcode city"),
        "ShippingAddress": s(300),
        "Country": s(60),
        "Status": {"type": "string", "enum": ["Active", "Inactive", "Blocked"],
                   "default": "Active"},
        "CreditLimit": n(MONEY0),
        "TaxExemptStatus": {"type": "string", "enum": ["Taxable", "Exempt", "Reseller"],
                            "default": "Taxable"},
    }, [], {"x-bng-one-of-required": [["CompanyName", "LastName"]]}),
    ("products", "Product", "product", "A sellable product (one variant).", {
        "Sku": s(64, nullable=False, minLength=1),
        "Name": s(200, nullable=False, minLength=1),
        "Description": s(2000),
        "Category": s(100),
        "UnitPrice": MONEY0,
        "Currency": CURRENCY,
        "UnitOfMeasure": s(20),
        "Barcode": s(32),
        "Weight": n({"type": "number", "minimum": 0}),
        "Status": {"type": "string", "enum": ["Active", "Discontinued"], "default": "Active"},
    }, ["Sku", "Name", "UnitPrice"], {"x-bng-unique": ["Sku"]}),
    ("sales_orders", "SalesOrder", "sales_order",
     "A sales order with its line items, as captured in BNG.", {
         "OrderNo": s(40, nullable=False, minLength=1),
         "CustomerID": ref_id("the customer's CustomerID"),
         "CustomerExternalID": s(100, description="or the customer's ExternalID"),
         "OrderedAt": TS,
         "Currency": CURRENCY,
         "Status": {"type": "string", "enum": ["Draft", "Confirmed", "Fulfilling", "Shipped",
                                               "Delivered", "Cancelled"], "default": "Draft"},
         "FulfillmentStatus": {"type": "string", "enum": ["Unfulfilled", "Partial", "Fulfilled"],
                               "default": "Unfulfilled"},
         "PaymentStatus": {"type": "string", "enum": ["Unpaid", "Partial", "Paid", "Refunded"],
                           "default": "Unpaid"},
         "ShippingAddress": s(300),
         "LineItems": {"type": "array", "minItems": 1, "maxItems": 500,
                       "items": {"$ref": "#/components/schemas/SalesOrderLine"}},
         "Subtotal": ro(MONEY), "TaxTotal": MONEY0, "Total": ro(MONEY),
     }, ["OrderNo", "OrderedAt", "Currency", "LineItems"],
     {"x-bng-one-of-required": [["CustomerID", "CustomerExternalID"]],
      "x-bng-unique": ["OrderNo"]}),
    ("invoices", "Invoice", "invoice", "An invoice to a customer.", {
        "InvoiceNo": s(40, nullable=False, minLength=1),
        "SalesOrderID": ref_id("the SalesOrderID invoiced, if any"),
        "CustomerID": ref_id("the customer's CustomerID"),
        "CustomerExternalID": s(100),
        "InvoiceDate": DATE,
        "DueDate": n(DATE),
        "Currency": CURRENCY,
        "Status": {"type": "string", "enum": ["Draft", "Open", "Paid", "Void"],
                   "default": "Draft"},
        "LineItems": {"type": "array", "minItems": 1, "maxItems": 500,
                      "items": {"$ref": "#/components/schemas/InvoiceLine"}},
        "Subtotal": ro(MONEY), "TaxTotal": MONEY0, "Total": ro(MONEY),
        "AmountPaid": MONEY0,
    }, ["InvoiceNo", "InvoiceDate", "Currency", "LineItems"],
     {"x-bng-one-of-required": [["CustomerID", "CustomerExternalID"]],
      "x-bng-unique": ["InvoiceNo"]}),
    ("payments", "Payment", "payment",
     "A payment received from a customer: against an invoice (InvoiceID or "
     "InvoiceNo), or on account when neither is given.", {
        "InvoiceID": ref_id("the InvoiceID paid, if any"),
        "InvoiceNo": s(40, description="or the InvoiceNo paid"),
        "CustomerID": ref_id("the customer's CustomerID"),
        "PaymentDate": DATE,
        "Amount": {"type": "number", "exclusiveMinimum": 0, "multipleOf": 0.01},
        "Currency": CURRENCY,
        "Method": {"type": "string", "enum": ["Card", "BankTransfer", "Cash", "Check", "Other"]},
        "Reference": s(100),
        "Status": {"type": "string", "enum": ["Pending", "Completed", "Failed", "Refunded"],
                   "default": "Completed"},
    }, ["PaymentDate", "Amount", "Currency", "Method"], {}),
    ("inventory_items", "InventoryItem", "inventory_item",
     "Stock of one product in one warehouse.", {
         "ProductID": ref_id("the product's ProductID"),
         "Sku": s(64, nullable=False, minLength=1),
         "Warehouse": s(40, nullable=False, minLength=1),
         "QuantityOnHand": QTY,
         "QuantityReserved": QTY,
         "QuantityAvailable": ro({"type": "number"}),
         "ReorderPoint": n(QTY),
         "UnitCost": n(MONEY0),
     }, ["Sku", "Warehouse", "QuantityOnHand"], {}),
    ("vendors", "Vendor", "vendor", "A supplier.", {
        "CompanyName": s(120, nullable=False, minLength=1),
        "ContactName": s(120),
        "Email": EMAIL,
        "Phone": s(40),
        "Address": s(300),
        "Country": s(60),
        "TaxID": s(40),
        "PaymentTerms": s(40),
        "Currency": CURRENCY,
        "Status": {"type": "string", "enum": ["Active", "Inactive"], "default": "Active"},
    }, ["CompanyName"], {}),
    ("purchase_orders", "PurchaseOrder", "purchase_order", "A purchase order to a vendor.", {
        "OrderNo": s(40, nullable=False, minLength=1),
        "VendorID": ref_id("the vendor's VendorID"),
        "VendorExternalID": s(100),
        "OrderedAt": TS,
        "ExpectedAt": n(DATE),
        "Currency": CURRENCY,
        "Status": {"type": "string", "enum": ["Draft", "Sent", "Confirmed", "Received",
                                              "Cancelled"], "default": "Draft"},
        "LineItems": {"type": "array", "minItems": 1, "maxItems": 500,
                      "items": {"$ref": "#/components/schemas/PurchaseOrderLine"}},
        "Total": ro(MONEY),
    }, ["OrderNo", "OrderedAt", "Currency", "LineItems"],
     {"x-bng-one-of-required": [["VendorID", "VendorExternalID"]],
      "x-bng-unique": ["OrderNo"]}),
    ("gl_entries", "GLEntry", "gl_entry", "A general ledger entry (one side of a posting).", {
        "EntryNo": s(40, nullable=False, minLength=1),
        "PostingDate": DATE,
        "AccountCode": s(20, nullable=False, minLength=1),
        "AccountName": s(120),
        "Description": s(300),
        "Debit": MONEY0,
        "Credit": MONEY0,
        "Currency": CURRENCY,
        "SourceDocument": s(60, description="the document posted: an InvoiceNo, OrderNo, ..."),
        "Journal": s(20),
    }, ["EntryNo", "PostingDate", "AccountCode", "Debit", "Credit", "Currency"],
     {"x-bng-debit-xor-credit": True}),
    ("employees", "Employee", "employee", "An employee.", {
        "FirstName": s(60, nullable=False, minLength=1),
        "LastName": s(60, nullable=False, minLength=1),
        "Email": EMAIL,
        "Phone": s(40),
        "JobTitle": s(100),
        "Department": s(100),
        "HireDate": n(DATE),
        "ManagerID": ref_id("the manager's EmployeeID"),
        "Status": {"type": "string", "enum": ["Active", "OnLeave", "Terminated"],
                   "default": "Active"},
    }, ["FirstName", "LastName"], {}),
]

LINES = {
    "SalesOrderLine": ("A sales order line.", {
        "LineNo": {"type": "integer", "minimum": 1},
        "ProductID": ref_id("the product's ProductID"),
        "Sku": s(64, nullable=False, minLength=1),
        "Description": s(300),
        "Quantity": {"type": "number", "exclusiveMinimum": 0, "multipleOf": 0.001},
        "UnitPrice": MONEY0,
        "Discount": {"type": "number", "minimum": 0, "maximum": 100,
                     "description": "percent"},
        "TaxAmount": MONEY0,
        "Amount": ro(MONEY),
        "QuantityShipped": {"type": "number", "minimum": 0, "multipleOf": 0.001,
                            "description": "shipped so far, at most Quantity; "
                                           "optional, 0 when left out"},
    }, ["Sku", "Quantity", "UnitPrice"]),
    "InvoiceLine": ("An invoice line.", {
        "LineNo": {"type": "integer", "minimum": 1},
        "Sku": s(64),
        "Description": s(300, nullable=False, minLength=1),
        "Quantity": {"type": "number", "exclusiveMinimum": 0, "multipleOf": 0.001},
        "UnitPrice": MONEY0,
        "TaxAmount": MONEY0,
        "Amount": ro(MONEY),
    }, ["Description", "Quantity", "UnitPrice"]),
    "PurchaseOrderLine": ("A purchase order line.", {
        "LineNo": {"type": "integer", "minimum": 1},
        "Sku": s(64, nullable=False, minLength=1),
        "Description": s(300),
        "Quantity": {"type": "number", "exclusiveMinimum": 0, "multipleOf": 0.001},
        "UnitCost": MONEY0,
        "Amount": ro(MONEY),
    }, ["Sku", "Quantity", "UnitCost"]),
}


def entity_schema(name, desc, fields, required, rules):
    idf = name + "ID"
    props = {
        idf: {"type": "integer", "minimum": 1, "readOnly": True,
              "description": "BNG's id, assigned on create"},
        "ExternalID": s(100, description="the id in the other system; unique when set"),
    }
    props.update(fields)
    props["CreatedAt"] = ro(TS)
    props["UpdatedAt"] = ro(dict(TS, description="changes on every write; what "
                                 "updated_since filters on"))
    d = {"type": "object", "description": desc, "additionalProperties": False,
         "properties": props, "x-bng-id": idf, "x-bng-updated": "UpdatedAt"}
    if required:
        d["required"] = required
    d.update(rules)
    return d


def line_schema(desc, fields, required):
    return {"type": "object", "description": desc, "additionalProperties": False,
            "properties": fields, "required": required}


def err_resp(desc, example_code):
    return {"description": desc,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"},
                                             "example": {"error": {"code": example_code,
                                                                   "message": desc}}}}}


RATE_HEADERS = {
    "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
    "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"},
    "X-RateLimit-Reset": {"$ref": "#/components/headers/X-RateLimit-Reset"},
}


def json_body(ref, desc=None, headers=None):
    r = {"description": desc or "OK",
         "content": {"application/json": {"schema": {"$ref": ref}}}}
    h = dict(RATE_HEADERS)
    h.update(headers or {})
    r["headers"] = h
    return r


def std_errors(*codes):
    out = {}
    for c in codes:
        out[c] = {"$ref": "#/components/responses/%s" % {
            "400": "BadRequest", "401": "Unauthorized", "404": "NotFound",
            "409": "Conflict", "429": "TooManyRequests"}[c]}
    return out


def paths_for(res, name, singular):
    sref = "#/components/schemas/" + name
    lref = "#/components/schemas/%sList" % name
    tag = [name]
    p = {}
    p["/" + res] = {
        "get": {
            "operationId": "list_" + res, "tags": tag,
            "summary": "List %s, oldest change first" % res,
            "parameters": [{"$ref": "#/components/parameters/" + x} for x in
                           ("limit", "cursor", "updated_since", "id_gte", "id_lte",
                            "fields", "count", "page", "per_page", "offset")],
            "responses": dict({"200": json_body(lref, "A page", {
                "Link": {"description": "RFC 8288 rel=\"next\" URL of the next page",
                         "schema": {"type": "string"}}})},
                **std_errors("400", "401", "429")),
        },
        "post": {
            "operationId": "create_" + singular, "tags": tag, "summary": "Create",
            "requestBody": {"required": True,
                            "content": {"application/json": {"schema": {"$ref": sref}}}},
            "responses": dict({"201": json_body(sref, "Created", {
                "Location": {"schema": {"type": "string"}}})},
                **std_errors("400", "401", "409", "429")),
        },
        "put": {
            "operationId": "upsert_" + singular, "tags": tag,
            "summary": "Create or replace the record whose upsert_key field equals the body's",
            "parameters": [{"$ref": "#/components/parameters/upsert_key"}],
            "requestBody": {"required": True,
                            "content": {"application/json": {"schema": {"$ref": sref}}}},
            "responses": dict({"200": json_body(sref, "Replaced"),
                               "201": json_body(sref, "Created")},
                              **std_errors("400", "401", "409", "429")),
        },
    }
    item = {
        "parameters": [{"name": "id", "in": "path", "required": True,
                        "schema": {"type": "integer", "minimum": 1}}],
        "get": {"operationId": "get_" + singular, "tags": tag, "summary": "One record",
                "responses": dict({"200": json_body(sref)},
                                  **std_errors("401", "404", "429"))},
        "put": {"operationId": "replace_" + singular, "tags": tag,
                "summary": "Replace (fields left out are reset to their defaults)",
                "requestBody": {"required": True,
                                "content": {"application/json": {"schema": {"$ref": sref}}}},
                "responses": dict({"200": json_body(sref)},
                                  **std_errors("400", "401", "404", "409", "429"))},
        "patch": {"operationId": "update_" + singular, "tags": tag,
                  "summary": "Change the fields given (JSON merge patch, RFC 7396)",
                  "requestBody": {"required": True, "content": {
                      "application/merge-patch+json": {"schema": {"$ref": sref}},
                      "application/json": {"schema": {"$ref": sref}}}},
                  "responses": dict({"200": json_body(sref)},
                                    **std_errors("400", "401", "404", "409", "429"))},
        "delete": {"operationId": "delete_" + singular, "tags": tag, "summary": "Delete",
                   "responses": dict({"204": {"description": "Deleted"}},
                                     **std_errors("401", "404", "429"))},
    }
    p["/%s/{id}" % res] = item
    p["/%s/batch" % res] = {
        "post": {
            "operationId": "batch_" + res, "tags": tag,
            "summary": "Up to 100 writes in one request; each item succeeds or fails on its "
                       "own (not atomic); results come in item order",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/%sBatch" % name}}}},
            "responses": dict({"200": json_body("#/components/schemas/BatchResult",
                                                "Per-item results")},
                              **std_errors("400", "401", "429")),
        }
    }
    return p


def document():
    schemas = {}
    paths = {
        "/openapi.json": {"get": {
            "operationId": "openapi", "summary": "This document", "security": [],
            "responses": {"200": {"description": "OpenAPI 3.1 document",
                                  "content": {"application/json": {}}}}}},
        "/webhooks": {
            "get": {"operationId": "list_webhooks", "tags": ["webhooks"],
                    "summary": "Subscriptions",
                    "responses": dict({"200": json_body(
                        "#/components/schemas/WebhookList")}, **std_errors("401", "429"))},
            "post": {"operationId": "create_webhook", "tags": ["webhooks"],
                     "summary": "Subscribe a URL to events; the answer carries the signing "
                                "secret (shown once)",
                     "requestBody": {"required": True, "content": {"application/json": {
                         "schema": {"$ref": "#/components/schemas/Webhook"}}}},
                     "responses": dict({"201": json_body("#/components/schemas/Webhook",
                                                         "Created")},
                                       **std_errors("400", "401", "429"))},
        },
        "/webhooks/{id}": {
            "parameters": [{"name": "id", "in": "path", "required": True,
                            "schema": {"type": "integer"}}],
            "delete": {"operationId": "delete_webhook", "tags": ["webhooks"],
                       "summary": "Unsubscribe",
                       "responses": dict({"204": {"description": "Deleted"}},
                                         **std_errors("401", "404", "429"))},
        },
    }
    resources = []
    for res, name, singular, desc, fields, required, rules in RESOURCES:
        schemas[name] = entity_schema(name, desc, fields, required, rules)
        schemas[name + "List"] = {
            "type": "object", "required": ["data", "next_cursor"],
            "properties": {
                "data": {"type": "array", "items": {"$ref": "#/components/schemas/" + name}},
                "next_cursor": {"type": ["string", "null"],
                                "description": "pass as cursor= for the next page; null "
                                               "on the last page"},
                "total_count": {"type": "integer",
                                "description": "with count=true: records matching the "
                                               "filters, all pages together"},
                "min_id": {"type": ["integer", "null"], "description": "with count=true"},
                "max_id": {"type": ["integer", "null"], "description": "with count=true"},
            }}
        schemas[name + "Batch"] = {
            "type": "object", "required": ["items"], "additionalProperties": False,
            "properties": {"items": {
                "type": "array", "minItems": 1, "maxItems": 100,
                "items": {
                    "type": "object", "required": ["op"], "additionalProperties": False,
                    "properties": {
                        "op": {"type": "string",
                               "enum": ["create", "update", "replace", "upsert", "delete"],
                               "description": "create = POST, update = PATCH, replace = "
                                              "PUT /{id}, upsert = PUT ?upsert_key=, "
                                              "delete = DELETE"},
                        "id": {"type": "integer", "minimum": 1,
                               "description": "update, replace, delete"},
                        "upsert_key": {"type": "string", "description": "upsert; default "
                                                                        "ExternalID"},
                        "data": {"$ref": "#/components/schemas/" + name},
                    }}}}}
        paths.update(paths_for(res, name, singular))
        resources.append({"path": res, "schema": name, "id": name + "ID",
                          "events": ["%s.%s" % (singular, e)
                                     for e in ("created", "updated", "deleted")]})
    for name, (desc, fields, required) in LINES.items():
        schemas[name] = line_schema(desc, fields, required)
    schemas["Error"] = {
        "type": "object", "required": ["error"],
        "properties": {"error": {
            "type": "object", "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "enum": [
                    "validation_error", "invalid_request", "unauthorized", "invalid_token",
                    "forbidden", "not_found", "conflict", "rate_limited", "internal_error"]},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"},
                           "description": "validation_error: one message per field; nested "
                                          "fields as LineItems[2].Quantity"},
                "existing_id": {"type": "integer",
                                "description": "conflict: the id of the record holding the "
                                               "value"},
            }}}}
    schemas["BatchResult"] = {
        "type": "object", "required": ["results"],
        "properties": {"results": {"type": "array", "items": {
            "type": "object", "required": ["index", "status"],
            "properties": {
                "index": {"type": "integer", "description": "0-based position in items"},
                "status": {"type": "integer", "description": "the status the single "
                                                             "request would have had"},
                "id": {"type": "integer"},
                "data": {"type": "object", "description": "the record as stored"},
                "error": {"$ref": "#/components/schemas/Error/properties/error"},
            }}}}}
    schemas["Webhook"] = {
        "type": "object", "required": ["url"], "additionalProperties": False,
        "properties": {
            "WebhookID": {"type": "integer", "readOnly": True},
            "url": {"type": "string", "format": "uri", "maxLength": 2000},
            "events": {"type": "array", "items": {"type": "string"},
                       "description": "event types, or \"<entity>.*\" / \"*\"; default all"},
            "secret": {"type": "string", "readOnly": True,
                       "description": "HMAC-SHA256 key of X-BNG-Signature; only in the "
                                      "create answer"},
        }}
    schemas["WebhookList"] = {"type": "object", "properties": {
        "data": {"type": "array", "items": {"$ref": "#/components/schemas/Webhook"}}}}
    schemas["WebhookEvent"] = {
        "type": "object", "required": ["id", "type", "created_at", "data"],
        "description": "POSTed to each subscriber on every change, with the headers "
                       "X-BNG-Event-Id (= id) and X-BNG-Signature: sha256=<lower-case hex "
                       "HMAC-SHA256 of the raw body, keyed with the subscription's secret>. "
                       "Any status but 2xx, or no answer, is retried with growing waits "
                       "until a 2xx; events of one subscription are sent one at a time, in "
                       "order, so a retried event may arrive again after it was accepted: "
                       "receivers drop repeated ids.",
        "properties": {
            "id": {"type": "string", "description": "unique per event: evt_<n>"},
            "type": {"type": "string", "description": "<entity>.created | .updated | "
                                                      ".deleted, entity as in x-bng-resources"},
            "created_at": TS,
            "data": {"type": "object", "description": "the record after the change; for "
                                                      "deleted its id and ExternalID"},
        }}
    schemas["Token"] = {
        "type": "object", "required": ["access_token", "token_type", "expires_in"],
        "properties": {"access_token": {"type": "string"},
                       "token_type": {"type": "string", "enum": ["Bearer"]},
                       "expires_in": {"type": "integer", "description": "seconds"},
                       "scope": {"type": "string"}}}
    schemas["TokenError"] = {
        "type": "object", "required": ["error"],
        "properties": {"error": {"type": "string", "enum": [
            "invalid_request", "invalid_client", "unsupported_grant_type", "invalid_scope"]},
            "error_description": {"type": "string"}}}

    params = {
        "limit": {"name": "limit", "in": "query", "schema": {
            "type": "integer", "minimum": 0, "maximum": 1000, "default": 100},
            "description": "page size; 0 with count=true returns only the count"},
        "cursor": {"name": "cursor", "in": "query", "schema": {"type": "string"},
                   "description": "next_cursor of the previous page (opaque)"},
        "updated_since": {"name": "updated_since", "in": "query", "schema": TS,
                          "description": "only records with UpdatedAt >= this"},
        "id_gte": {"name": "id_gte", "in": "query",
                   "schema": {"type": "integer", "minimum": 0},
                   "description": "only records whose id is >= this"},
        "id_lte": {"name": "id_lte", "in": "query",
                   "schema": {"type": "integer", "minimum": 0},
                   "description": "only records whose id is <= this"},
        "fields": {"name": "fields", "in": "query", "schema": {"type": "string"},
                   "description": "comma-separated fields to return (the id and UpdatedAt "
                                  "always come)"},
        "count": {"name": "count", "in": "query", "schema": {"type": "boolean"},
                  "description": "add total_count, min_id and max_id of the matching set"},
        "page": {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1},
                 "description": "page paging (1-based), with per_page; instead of cursor"},
        "per_page": {"name": "per_page", "in": "query",
                     "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
        "offset": {"name": "offset", "in": "query", "schema": {"type": "integer",
                                                                "minimum": 0},
                   "description": "offset paging, with limit; instead of cursor"},
        "upsert_key": {"name": "upsert_key", "in": "query", "required": True,
                       "schema": {"type": "string", "default": "ExternalID"},
                       "description": "a field with unique values: ExternalID, or the "
                                      "entity's x-bng-unique fields"},
    }
    responses = {
        "BadRequest": err_resp("validation_error: the body or a parameter breaks the "
                               "contract or a business rule; error.fields says which",
                               "validation_error"),
        "Unauthorized": dict(err_resp("no token, an unknown one, or an expired one",
                                      "invalid_token"),
                             headers={"WWW-Authenticate": {"schema": {"type": "string"},
                                      "description": "Bearer error=\"invalid_token\""}}),
        "NotFound": err_resp("no such record", "not_found"),
        "Conflict": err_resp("conflict: a unique field (ExternalID, or the entity's "
                             "x-bng-unique) already holds this value in record "
                             "error.existing_id", "conflict"),
        "TooManyRequests": dict(err_resp("the client's rate limit is spent",
                                         "rate_limited"),
                                headers={"Retry-After": {"schema": {"type": "integer"},
                                                         "description": "seconds to wait"},
                                         "X-RateLimit-Remaining": {"$ref": "#/components/"
                                                                   "headers/X-RateLimit-"
                                                                   "Remaining"}}),
    }
    headers = {
        "X-RateLimit-Limit": {"schema": {"type": "integer"},
                              "description": "requests allowed per window, per client"},
        "X-RateLimit-Remaining": {"schema": {"type": "integer"},
                                  "description": "requests left in this window"},
        "X-RateLimit-Reset": {"schema": {"type": "integer"},
                              "description": "seconds until the window starts again"},
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "BNG REST API (as assumed by erpipe)",
            "version": "1.0.0",
            "description": (
                "The contract erpipe assumes of BNG, a commerce and fulfilment platform "
                "whose API is not published. Everything a real tenant might do "
                "differently is configurable in bng-extract and load: page style, item "
                "and next-cursor paths, the since parameter, the key field.\n\n"
                "Lists are ordered by (UpdatedAt, id), oldest first, and the cursor is a "
                "keyset position in that order: a record changed while a client pages "
                "moves past the cursor and is met again, never skipped. UpdatedAt has "
                "millisecond resolution and several records may share one; the id breaks "
                "the tie.\n\n"
                "Authentication: OAuth 2.0 client credentials (RFC 6749 4.4) at "
                "/oauth/token (client_id and client_secret as form fields or HTTP Basic); "
                "the bearer token expires after expires_in seconds, then requests get 401 "
                "invalid_token.\n\n"
                "Rate limits: per client, a fixed window; every answer carries "
                "X-RateLimit-Limit, -Remaining and -Reset; beyond it 429 with "
                "Retry-After.\n\n"
                "Webhooks: see components.schemas.WebhookEvent."),
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"oauth2": []}],
        "tags": [{"name": name} for _, name, *_ in RESOURCES] + [{"name": "webhooks"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "parameters": params,
            "responses": responses,
            "headers": headers,
            "securitySchemes": {"oauth2": {
                "type": "oauth2",
                "flows": {"clientCredentials": {"tokenUrl": "/oauth/token", "scopes": {
                    "read": "read every resource", "write": "create, change, delete"}}}}},
        },
        "webhooks": {"change": {"post": {
            "summary": "A record was created, changed or deleted",
            "parameters": [
                {"name": "X-BNG-Event-Id", "in": "header", "required": True,
                 "schema": {"type": "string"}},
                {"name": "X-BNG-Signature", "in": "header", "required": True,
                 "schema": {"type": "string", "pattern": "^sha256=[0-9a-f]{64}$"}}],
            "requestBody": {"content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/WebhookEvent"}}}},
            "responses": {"2XX": {"description": "accepted; anything else is retried"}}}}},
        "x-bng-resources": resources,
    }


def main():
    text = json.dumps(document(), indent=1, ensure_ascii=False) + "\n"
    if len(sys.argv) > 1 and sys.argv[1] == "--check":
        with open(sys.argv[2], encoding="utf-8") as f:
            if f.read() != text:
                sys.stderr.write("%s is not current: run tests/sandbox/bng_openapi.py > %s\n"
                                 % (sys.argv[2], sys.argv[2]))
                return 1
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
