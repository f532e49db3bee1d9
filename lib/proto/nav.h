/*
 * nav.h - a connection to Dynamics NAV / Business Central
 * (layer 4: protocols): OData V4 requests (pages, $metadata, $batch, single
 * entities) and SOAP page services, with Basic (user + web service access
 * key), NTLM (libcurl) or OAuth 2.0 client credentials (lib/oauth).
 *
 * Ownership: nav_open copies the strings of its nav_conn; the http_opts
 * are only read.  The struct nav owns its http client, OAuth state, the
 * parsed $metadata and the SOAP pages it fetched; free it with nav_close.
 * Strings and structs it returns (roots, segments, metadata, pages) live
 * until nav_close.
 *
 * URLs: conn.url is the OData service root, "https://host:7048/BC/ODataV4"
 * (or an API root, ".../api/v2.0": then the company is addressed as
 * companies(<id>), looked up by name when a name is given).  The SOAP root
 * defaults to the OData root with "/ODataV4" replaced by "/WS".  A company
 * is addressed Company('<name>') or, with company_id, Company(Id=<guid>);
 * without one the service's default company answers.
 *
 * Results of nav_request: 0 for a 2xx answer; 1 for an HTTP error answer
 * (oe filled with NAV's code and message, err with "METHOD URL: CODE:
 * message" and the exit status odata_error_exit gives); -1 when no answer
 * could be had (err: lib/http's 69, 75, 78, or 77 when the credentials
 * are refused).  429 and 5xx are retried by lib/http's policy before that.
 */
#ifndef ERPIPE_NAV_H
#define ERPIPE_NAV_H

#include <stddef.h>

#include "base/cfg.h"
#include "base/err.h"
#include "net/http.h"
#include "proto/navsoap.h"
#include "proto/odata.h"
#include "base/opt.h"

enum nav_auth { NAV_AUTH_BASIC = 0, NAV_AUTH_NTLM, NAV_AUTH_OAUTH, NAV_AUTH_NONE };

#define NAV_SCOPE_DEFAULT "https://api.businesscentral.dynamics.com/.default"

struct nav_conn {
	const char *url;      /* OData service root */
	const char *soap_url; /* SOAP root (…/WS), NULL: derived from url */
	const char *company;  /* name or guid, NULL: the default company */
	int company_id;       /* company is the company's Id (a guid) */
	enum nav_auth auth;
	const char *user;      /* basic: user; ntlm: DOMAIN\user */
	const char *secret;    /* password, web service access key or client secret */
	const char *client_id; /* oauth */
	const char
		*token_url; /* oauth: https://login.microsoftonline.com/TENANT/oauth2/v2.0/token */
	const char *scope;  /* oauth, NULL: NAV_SCOPE_DEFAULT */
	const char *token_cache; /* oauth token cache file, or NULL */
};

/* The connection options nav-extract and load nav share:
 * --auth --company --company-id --scope --soap-url --token-url --url --user */
extern const struct ep_opt nav_opts_table[];
enum {
	OPT_NAV_AUTH = OPT_KEYS_NAV,
	OPT_NAV_COMPANY,
	OPT_NAV_COMPANY_ID,
	OPT_NAV_SCOPE,
	OPT_NAV_SOAP_URL,
	OPT_NAV_TOKEN_URL,
	OPT_NAV_URL,
	OPT_NAV_USER,
};
_Static_assert(OPT_NAV_USER < OPT_KEYS_NAV + OPT_KEYS_RANGE, "nav options outgrow their key range");

struct nav_flags {
	const char *auth, *company, *company_id, *scope, *soap_url, *token_url, *url, *user;
};

/* 1: the option was ours, 0: not. */
int nav_flag(struct nav_flags *f, int key, const char *arg);

/* Fill c from the profile (url, company, user, auth, client_id and the
 * secret), the flags winning.  auth: basic (default), ntlm, oauth, none.
 * Strings point into the profile and the flags.  -1 with err (EP_CONFIG
 * for a missing url or secret, EP_USAGE for a bad --auth). */
int nav_conn_from_profile(struct nav_conn *c, struct cfg_profile *p, const struct nav_flags *f,
                          struct ep_err *err);

struct nav;

struct nav *nav_open(const struct nav_conn *c, const struct http_opts *ho, struct ep_err *err);
void nav_close(struct nav *n);

/* The service root with its trailing slash, and the company segment with
 * its trailing slash ("" for the default company).  The company segment
 * of an API root is found on the first call (a request). */
const char *nav_root(const struct nav *n);
const char *nav_company_seg(struct nav *n, struct ep_err *err);
/* Whether the company exists, asked once (GET Company('NAME')) and
 * remembered: a server that is not NAV answers an unknown company's sets as
 * empty (a $count of 0) and its keys as 404, so an empty answer or a 404
 * is checked with this before it is believed.  0 when it exists, when no
 * company is named, or when the server cannot tell (any answer but 404);
 * -1 with err: EP_CONFIG for a 404, or the transport's error. */
int nav_company_check(struct nav *n, struct ep_err *err);
/* "<root><company seg><set>" into b. */
int nav_set_url(struct nav *n, struct buf *b, const char *set, struct ep_err *err);

struct nav_req {
	const char *method; /* NULL: GET */
	const char *url;
	const char *const *headers; /* NULL-terminated, or NULL */
	const char *body;
	size_t body_len;
	/* as http_req.final: a 5xx that is an answer, not an outage */
	int (*final)(const struct http_resp *resp, void *ctx);
	int once; /* a write that is not idempotent: http.h's once (resp->lost) */
};

int nav_request(struct nav *n, const struct nav_req *rq, struct http_resp *resp,
                struct odata_error *oe, struct ep_err *err);
/* 1 when the last request (nav_request, or a SOAP Create, Update or Delete
 * of nav_soap) was a write whose answer was lost after it went out: it may
 * have been applied (http.h's once; a SOAP write answered 2xx with a body
 * that does not parse). */
int nav_lost(const struct nav *n);
/* Before reading again what a write whose answer was lost did: wait under
 * the retry policy.  1: go on (attempt from 0); 0: budget spent, err's
 * message gets why. */
int nav_again(struct nav *n, int attempt, struct ep_err *err);

/* $metadata, fetched and parsed once.  NULL with err. */
const struct odata_md *nav_metadata(struct nav *n, struct ep_err *err);

/* GET one page of a collection (url absolute), with Prefer:
 * odata.maxpagesize when maxpage > 0, and scan it.  A body that is not a
 * collection is asked again under the retry policy (a proxy's truncated
 * answer), then fails with EP_UNAVAILABLE.  pg->next_link comes back
 * resolved (absolute).  0, or -1 with err. */
int nav_page(struct nav *n, const char *url, long maxpage, odata_entity_fn fn, void *ud,
             struct odata_page *pg, struct ep_err *err);

/* POST a JSON $batch of at most ODATA_BATCH_MAX operations.  atomic sends
 * "Isolation: snapshot" (all or nothing).  0 with the answers; 1 when the
 * whole batch was refused (oe filled); -1 with err.  lost: NULL for a batch
 * of reads (retried as any request); for writes the batch is sent once
 * (http.h), and *lost is set when -1 means its answer was lost after it
 * went out (cut, not a $batch answer, a reset): it may have been applied. */
int nav_batch(struct nav *n, const struct odata_batch_op *ops, size_t nops, int atomic,
              struct odata_batch_resp **out, size_t *nout, struct odata_error *oe, int *lost,
              struct ep_err *err);

/* SOAP: the page service (WSDL fetched once per name), and one call.
 * nav_soap: 0 (records handed to fn), 1 for a SOAP fault (fault filled),
 * -1 with err. */
const struct navsoap_page *nav_soap_page(struct nav *n, const char *name, struct ep_err *err);
int nav_soap(struct nav *n, const struct navsoap_page *pg, const char *op, const char *envelope,
             size_t len, navsoap_rec_fn fn, void *ud, size_t *nrec, struct navsoap_fault *fault,
             struct ep_err *err);

/* Requests sent so far (tests, -v). */
long nav_requests(const struct nav *n);

#endif
