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

static void
add_agency(xmlNodePtr root, const char *name, const char *id)
{
	seda_xml_add(seda_xml_add(root, name, NULL), "Identifier", id);
}

static void
add_events(xmlNodePtr root, const struct seda_reply *rp)
{
	const struct seda_report *r = rp->report;
	xmlNodePtr op, ev;
	size_t i;

	if (r == NULL || r->n == 0)
		return;
	op = seda_xml_add(root, "Operation", NULL);
	for (i = 0; i < r->n; i++) {
		const struct seda_finding *f = &r->items[i];

		ev = seda_xml_add(op, "Event", NULL);
		if (seda_token_ok(f->type))
			seda_xml_add(ev, "EventTypeCode", f->type);
		seda_xml_add(ev, "EventDateTime", rp->date);
		seda_xml_add(ev, "Outcome", seda_outcome_name(f->outcome));
		if (seda_token_ok(f->detail))
			seda_xml_add(ev, "OutcomeDetail", f->detail);
		if (seda_token_ok(f->message))
			seda_xml_add(ev, "OutcomeDetailMessage", f->message);
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
		    0) == 0 && seda_token_ok(rp->units[i].system_id))
			v[n++] = &rp->units[i];
	qsort(v, n, sizeof(v[0]), unit_cmp);
	if (n > 0) {
		pkg = seda_xml_add(root, "DataObjectPackage", NULL);
		dm = seda_xml_add(pkg, "DescriptiveMetadata", NULL);
		for (i = 0; i < n; i++) {
			if (i > 0 &&
			    strcmp(v[i]->xml_id, v[i - 1]->xml_id) == 0)
				continue;
			au = seda_xml_add(dm, "ArchiveUnit", NULL);
			xmlNewProp(au, (const xmlChar *)"id",
			    (const xmlChar *)v[i]->xml_id);
			seda_xml_add(seda_xml_add(au, "Content", NULL), "SystemId",
			    v[i]->system_id);
		}
		seda_xml_add(pkg, "ManagementMetadata", NULL);
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
		if (!seda_token_ok(need[i].value))
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
	seda_xml_add(root, "Date", rp->date);
	seda_xml_add(root, "MessageIdentifier", rp->message_id);
	if (seda_token_ok(rp->archival_agreement))
		seda_xml_add(root, "ArchivalAgreement", rp->archival_agreement);
	clv = seda_xml_add(root, "CodeListVersions", NULL);
	if (seda_token_ok(rp->code_list_version))
		seda_xml_add(clv, "ReplyCodeListVersion", rp->code_list_version);
	add_units(root, rp);
	seda_xml_add(root, "ReplyCode", seda_outcome_name(code));
	add_events(root, rp);
	seda_xml_add(root, "MessageRequestIdentifier", rp->request_id);
	if (code != SEDA_KO && seda_token_ok(rp->grant_date))
		seda_xml_add(root, "GrantDate", rp->grant_date);
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
