#include "proto/xml.h"

#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

struct guard {
	void *ud;                 /* the caller's, for xml_sax_safe */
	const xmlSAXHandler *usr; /* the caller's callbacks, or NULL (tree) */
	int depth, max_depth;
	int failed; /* an error was recorded */
	int line;
	char msg[512];
};

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void
quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static xmlParserInputPtr
no_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	(void)url;
	(void)id;
	(void)ctxt;
	return NULL;
}

static void
init_once(void)
{
	xmlInitParser();
	/* nothing is ever fetched, and nothing reaches stderr behind our back */
	xmlSetExternalEntityLoader(no_loader);
	xmlSetGenericErrorFunc(NULL, quiet);
}

static struct guard *
guard_of(void *ctx)
{
	return ((xmlParserCtxtPtr)ctx)->_private;
}

static void
record(xmlParserCtxtPtr ctxt, struct guard *g, const char *msg, size_t len)
{
	if (g->failed)
		return;
	g->failed = 1;
	g->line = ctxt && ctxt->input ? ctxt->input->line : 0;
	while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' ' || msg[len - 1] == '\r'))
		len--;
	if (len >= sizeof(g->msg))
		len = sizeof(g->msg) - 1;
	memcpy(g->msg, msg, len);
	g->msg[len] = '\0';
}

static void
on_serror(void *ctx, xmlErrorPtr e)
{
	xmlParserCtxtPtr ctxt = ctx;

	if (e == NULL || e->level < XML_ERR_ERROR || ctxt == NULL || ctxt->_private == NULL)
		return;
	record(ctxt, ctxt->_private, e->message ? e->message : "malformed XML",
	       e->message ? strlen(e->message) : 13);
	if (e->line > 0)
		((struct guard *)ctxt->_private)->line = e->line;
}

void
xml_sax_fail(void *ctx, const char *fmt, ...)
{
	xmlParserCtxtPtr ctxt = ctx;
	char m[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	record(ctxt, guard_of(ctx), m, (size_t)n < sizeof(m) ? (size_t)n : sizeof(m) - 1);
	xmlStopParser(ctxt);
}

void *
xml_sax_ud(void *ctx)
{
	return guard_of(ctx)->ud;
}

const char *
xml_sax_attr(const xmlChar **attrs, int nattrs, const char *name, size_t *len)
{
	for (int i = 0; i < nattrs; i++) {
		const xmlChar **a = attrs + 5 * i; /* localname, prefix, URI, value, end */
		if (a[1] == NULL && strcmp((const char *)a[0], name) == 0) {
			*len = (size_t)(a[4] - a[3]);
			return (const char *)a[3];
		}
	}
	return NULL;
}

/* ---- the refusals ------------------------------------------------------- */

static void
refuse_subset(void *ctx, const xmlChar *name, const xmlChar *eid, const xmlChar *sid)
{
	(void)name;
	(void)eid;
	(void)sid;
	xml_sax_fail(ctx, "document type declarations are refused");
}

static void
refuse_entity(void *ctx, const xmlChar *name, int type, const xmlChar *pid, const xmlChar *sid,
              xmlChar *content)
{
	(void)name;
	(void)type;
	(void)pid;
	(void)sid;
	(void)content;
	xml_sax_fail(ctx, "entity declarations are refused");
}

static xmlParserInputPtr
refuse_resolve(void *ctx, const xmlChar *pid, const xmlChar *sid)
{
	(void)pid;
	(void)sid;
	xml_sax_fail(ctx, "external entities are refused");
	return NULL;
}

/* ---- depth, and the caller's callbacks ---------------------------------- */

static void
g_start(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri, int nns,
        const xmlChar **ns, int nattr, int ndef, const xmlChar **attrs)
{
	struct guard *g = guard_of(ctx);

	if (++g->depth > g->max_depth) {
		xml_sax_fail(ctx, "elements nested deeper than %d", g->max_depth);
		return;
	}
	if (g->usr == NULL)
		xmlSAX2StartElementNs(ctx, local, prefix, uri, nns, ns, nattr, ndef, attrs);
	else if (g->usr->startElementNs)
		g->usr->startElementNs(ctx, local, prefix, uri, nns, ns, nattr, ndef, attrs);
}

static void
g_end(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri)
{
	struct guard *g = guard_of(ctx);

	g->depth--;
	if (g->usr == NULL)
		xmlSAX2EndElementNs(ctx, local, prefix, uri);
	else if (g->usr->endElementNs)
		g->usr->endElementNs(ctx, local, prefix, uri);
}

static void
g_chars(void *ctx, const xmlChar *s, int len)
{
	struct guard *g = guard_of(ctx);

	if (g->usr == NULL)
		xmlSAX2Characters(ctx, s, len);
	else if (g->usr->characters)
		g->usr->characters(ctx, s, len);
}

/* ---- the one setup ------------------------------------------------------ */

static int
parse(const char *data, size_t len, const char *what, const struct xml_limits *lim,
      const xmlSAXHandler *usr, void *ud, xmlDocPtr *doc, struct ep_err *err)
{
	size_t max = lim && lim->max_bytes ? lim->max_bytes : XML_MAX_DOC_DEFAULT;
	struct guard g;
	xmlParserCtxtPtr ctxt;
	xmlSAXHandlerPtr sax;
	int ok;

	pthread_once(&once, init_once);
	memset(&g, 0, sizeof(g));
	g.ud = ud;
	g.usr = usr;
	g.max_depth = lim && lim->max_depth > 0 ? lim->max_depth : XML_MAX_DEPTH_DEFAULT;
	if (g.max_depth > 256)
		g.max_depth = 256;
	if (len == 0)
		return ep_errf(err, EP_DATAERR, "%s: empty document", what);
	if (len > max || len > INT_MAX)
		return ep_errf(err, EP_DATAERR, "%s: %zu bytes, over the %zu-byte cap", what, len,
		               max);
	if ((ctxt = xmlCreateMemoryParserCtxt(data, (int)len)) == NULL)
		return ep_errf(err, EP_SOFTWARE, "%s: out of memory", what);
	xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
	                                XML_PARSE_NOCDATA);
	ctxt->_private = &g;
	ctxt->userData = ctxt;
	sax = ctxt->sax;
	if (usr) {
		/* nothing but the caller's element and text callbacks */
		memset(sax, 0, sizeof(*sax));
		sax->initialized = XML_SAX2_MAGIC;
	}
	sax->internalSubset = refuse_subset;
	sax->externalSubset = refuse_subset;
	sax->entityDecl = refuse_entity;
	sax->resolveEntity = refuse_resolve;
	sax->startElementNs = g_start;
	sax->endElementNs = g_end;
	sax->characters = g_chars;
	sax->ignorableWhitespace = g_chars;
	sax->startElement = NULL;
	sax->endElement = NULL;
	sax->cdataBlock = NULL;
	sax->serror = on_serror;
	sax->error = NULL;
	sax->warning = NULL;
	sax->fatalError = NULL;
	xmlParseDocument(ctxt);
	ok = ctxt->wellFormed && !g.failed;
	if (!ok && !g.failed) {
		xmlErrorPtr e = xmlCtxtGetLastError(ctxt);

		record(ctxt, &g, e && e->message ? e->message : "malformed XML",
		       e && e->message ? strlen(e->message) : 13);
	}
	if (doc && ok)
		*doc = ctxt->myDoc;
	else if (ctxt->myDoc)
		xmlFreeDoc(ctxt->myDoc);
	ctxt->myDoc = NULL;
	xmlFreeParserCtxt(ctxt);
	if (!ok) {
		if (g.line > 0)
			return ep_errf(err, EP_DATAERR, "%s: line %d: %s", what, g.line, g.msg);
		return ep_errf(err, EP_DATAERR, "%s: %s", what, g.msg);
	}
	return 0;
}

xmlDocPtr
xml_parse_safe(const char *data, size_t len, const char *what, const struct xml_limits *lim,
               struct ep_err *err)
{
	xmlDocPtr doc = NULL;

	if (parse(data, len, what, lim, NULL, NULL, &doc, err) < 0)
		return NULL;
	return doc;
}

int
xml_sax_safe(const char *data, size_t len, const char *what, const struct xml_limits *lim,
             const xmlSAXHandler *sax, void *ud, struct ep_err *err)
{
	return parse(data, len, what, lim, sax, ud, NULL, err);
}
