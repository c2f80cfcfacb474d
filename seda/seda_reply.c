/*
 * seda_reply.c: writes the ArchiveTransferReply of a transfer with the
 * libxml2 tree API (so text is escaped by the library), in the element
 * order of main.xsd, valid against the official XSD of the version asked.
 * Touches only memory.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>
#include <libxml/xmlsave.h>

#include "sae/buf.h"
#include "sae/err.h"
#include "sae/xmalloc.h"
#include "seda/seda.h"
#include "seda/seda_internal.h"

/* Text of a token type: not empty once XML whitespace is collapsed. */
static int
token_ok(const char *s)
{
	if (s == NULL)
		return 0;
	for (; *s != '\0'; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return 1;
	return 0;
}

/* Adds <name>text</name> under ${parent}; ${text} is cleaned and escaped. */
static xmlNodePtr
add(xmlNodePtr parent, const char *name, const char *text)
{
	char *clean = seda_utf8_clean(text);
	xmlNodePtr n;

	n = xmlNewTextChild(parent, parent->ns, (const xmlChar *)name,
	    (const xmlChar *)clean);
	free(clean);
	if (n == NULL)
		abort();	/* only on OOM, like sae_xmalloc */
	return n;
}

static void
add_agency(xmlNodePtr root, const char *name, const char *id)
{
	add(add(root, name, NULL), "Identifier", id);
}

static void
add_events(xmlNodePtr root, const struct seda_reply *rp)
{
	const struct seda_report *r = rp->report;
	xmlNodePtr op, ev;
	size_t i;

	if (r == NULL || r->n == 0)
		return;
	op = add(root, "Operation", NULL);
	for (i = 0; i < r->n; i++) {
		const struct seda_finding *f = &r->items[i];

		ev = add(op, "Event", NULL);
		if (token_ok(f->type))
			add(ev, "EventTypeCode", f->type);
		add(ev, "EventDateTime", rp->date);
		add(ev, "Outcome", seda_outcome_name(f->outcome));
		if (token_ok(f->detail))
			add(ev, "OutcomeDetail", f->detail);
		if (token_ok(f->message))
			add(ev, "OutcomeDetailMessage", f->message);
	}
}

static int
unit_cmp(const void *a, const void *b)
{
	return strcmp((*(const struct seda_reply_unit *const *)a)->xml_id,
	    (*(const struct seda_reply_unit *const *)b)->xml_id);
}

/*
 * On acceptance, the units are echoed with the SystemId we gave them, as
 * Vitam does (DataObjectPackage/DescriptiveMetadata/ArchiveUnit/Content/
 * SystemId; valid against the official XSDs).  Units whose id could not
 * stay an xsd:ID (not an NCName, or repeated) are left out.
 */
static void
add_units(xmlNodePtr root, const struct seda_reply *rp)
{
	const struct seda_reply_unit **v;
	xmlNodePtr pkg, dm, au;
	size_t i, n = 0;

	if (rp->nunits == 0 || rp->report == NULL ||
	    rp->report->worst == SEDA_KO)
		return;
	v = sae_xcalloc(rp->nunits, sizeof(*v));
	for (i = 0; i < rp->nunits; i++)
		if (rp->units[i].xml_id != NULL &&
		    xmlValidateNCName((const xmlChar *)rp->units[i].xml_id,
		    0) == 0 && token_ok(rp->units[i].system_id))
			v[n++] = &rp->units[i];
	qsort(v, n, sizeof(v[0]), unit_cmp);
	if (n > 0) {
		pkg = add(root, "DataObjectPackage", NULL);
		dm = add(pkg, "DescriptiveMetadata", NULL);
		for (i = 0; i < n; i++) {
			if (i > 0 &&
			    strcmp(v[i]->xml_id, v[i - 1]->xml_id) == 0)
				continue;
			au = add(dm, "ArchiveUnit", NULL);
			xmlNewProp(au, (const xmlChar *)"id",
			    (const xmlChar *)v[i]->xml_id);
			add(add(au, "Content", NULL), "SystemId",
			    v[i]->system_id);
		}
		add(pkg, "ManagementMetadata", NULL);
	}
	free(v);
}

int
seda_reply_write(struct sae_buf *out, const struct seda_reply *rp,
    struct sae_err *err)
{
	const struct { const char *name, *value; } need[] = {
		{ "MessageIdentifier", rp->message_id },
		{ "MessageRequestIdentifier", rp->request_id },
		{ "Date", rp->date },
		{ "ArchivalAgency", rp->archival_agency },
		{ "TransferringAgency", rp->transferring_agency },
	};
	enum seda_outcome code;
	xmlDocPtr doc;
	xmlNodePtr root, clv;
	xmlChar *mem = NULL;
	size_t i;
	int size = 0;

	if ((unsigned)rp->version >= SEDA_NVERSIONS)
		return sae_err_set(err, SAE_EINVAL, "unknown SEDA version %d "
		    "for a reply", (int)rp->version);
	/* An empty identifier would make the reply invalid: refuse it. */
	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (!token_ok(need[i].value))
			return sae_err_set(err, SAE_EINVAL, "cannot write an "
			    "ArchiveTransferReply: '%s' is empty",
			    need[i].name);
	code = rp->report != NULL ? rp->report->worst : SEDA_OK;
	if ((doc = xmlNewDoc((const xmlChar *)"1.0")) == NULL)
		abort();
	root = xmlNewDocNode(doc, NULL, (const xmlChar *)
	    "ArchiveTransferReply", NULL);
	xmlDocSetRootElement(doc, root);
	xmlSetNs(root, xmlNewNs(root, (const xmlChar *)
	    seda_version_ns(rp->version), NULL));
	add(root, "Date", rp->date);
	add(root, "MessageIdentifier", rp->message_id);
	if (token_ok(rp->archival_agreement))
		add(root, "ArchivalAgreement", rp->archival_agreement);
	clv = add(root, "CodeListVersions", NULL);
	if (token_ok(rp->code_list_version))
		add(clv, "ReplyCodeListVersion", rp->code_list_version);
	add_units(root, rp);
	add(root, "ReplyCode", seda_outcome_name(code));
	add_events(root, rp);
	add(root, "MessageRequestIdentifier", rp->request_id);
	if (code != SEDA_KO && token_ok(rp->grant_date))
		add(root, "GrantDate", rp->grant_date);
	add_agency(root, "ArchivalAgency", rp->archival_agency);
	add_agency(root, "TransferringAgency", rp->transferring_agency);
	xmlDocDumpFormatMemoryEnc(doc, &mem, &size, "UTF-8", 1);
	xmlFreeDoc(doc);
	if (mem == NULL || size <= 0) {
		xmlFree(mem);
		return sae_err_set(err, SAE_EINTERNAL, "libxml2 could not "
		    "serialize the ArchiveTransferReply");
	}
	sae_buf_add(out, mem, (size_t)size);
	xmlFree(mem);
	return 0;
}
