/*
 * seda_disposal.c: writes the SEDA messages about units leaving the
 * archive: the AuthorizationControlAuthorityRequest that asks the control
 * authority for its visa, the ArchiveDestructionNotification that reports
 * a destruction, and the ArchiveModificationNotification that tells a
 * producer its units went to another archive; with the libxml2 tree API
 * (text escaped by the library), in the element order of main.xsd.  Also
 * reads the ArchiveTransferReply another archive sends back.  Touches
 * only memory.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "sae/buf.h"
#include "sae/err.h"
#include "seda/seda.h"
#include "seda/seda_internal.h"

static void
add_org(xmlNodePtr parent, const char *name, const char *id)
{
	seda_xml_add(seda_xml_add(parent, name, NULL), "Identifier", id);
}

/* The root and the MessageType/BusinessMessageType head every message has. */
static xmlNodePtr
start(xmlDocPtr *doc, const char *root_name, const struct seda_disposal_msg *m)
{
	xmlNodePtr root;

	if ((*doc = xmlNewDoc((const xmlChar *)"1.0")) == NULL)
		abort();
	root = xmlNewDocNode(*doc, NULL, (const xmlChar *)root_name, NULL);
	xmlDocSetRootElement(*doc, root);
	xmlSetNs(root, xmlNewNs(root, (const xmlChar *)
	    seda_version_ns(m->version), NULL));
	if (seda_token_ok(m->comment))
		seda_xml_add(root, "Comment", m->comment);
	seda_xml_add(root, "Date", m->date);
	seda_xml_add(root, "MessageIdentifier", m->message_id);
	seda_xml_add(root, "CodeListVersions", NULL);
	return root;
}

static int
finish(xmlDocPtr doc, struct sae_buf *out, const char *what,
    struct sae_err *err)
{
	xmlChar *mem = NULL;
	int size = 0;

	xmlDocDumpFormatMemoryEnc(doc, &mem, &size, "UTF-8", 1);
	xmlFreeDoc(doc);
	if (mem == NULL || size <= 0) {
		xmlFree(mem);
		return sae_err_set(err, SAE_EINTERNAL, "libxml2 could not "
		    "serialize the %s", what);
	}
	sae_buf_add(out, mem, (size_t)size);
	xmlFree(mem);
	return 0;
}

/* Refuses a message that the XSD would refuse for an empty field. */
static int
check(const struct seda_disposal_msg *m, const char *what,
    const char *const names[], const char *const values[], size_t n,
    struct sae_err *err)
{
	size_t i;

	if ((unsigned)m->version >= SEDA_NVERSIONS)
		return sae_err_set(err, SAE_EINVAL, "unknown SEDA version %d "
		    "for an %s", (int)m->version, what);
	for (i = 0; i < n; i++)
		if (!seda_token_ok(values[i]))
			return sae_err_set(err, SAE_EINVAL, "cannot write an %s: "
			    "'%s' is empty", what, names[i]);
	if (m->nunits == 0)
		return sae_err_set(err, SAE_EINVAL, "cannot write an %s "
		    "without units", what);
	for (i = 0; i < m->nunits; i++)
		if (!seda_token_ok(m->units[i]))
			return sae_err_set(err, SAE_EINVAL, "cannot write an %s: "
			    "unit %zu has no identifier", what, i + 1);
	return 0;
}

int
seda_authorization_request_write(struct sae_buf *out,
    const struct seda_disposal_msg *m, struct sae_err *err)
{
	static const char *const names[] = { "MessageIdentifier", "Date",
	    "AuthorizationReason", "RequestDate", "Requester",
	    "ArchivalAgency", "ControlAuthority" };
	const char *const values[] = { m->message_id, m->date, m->reason,
	    m->request_date, m->requester, m->archival_agency,
	    m->control_authority };
	const char *what = "AuthorizationControlAuthorityRequest";
	xmlNodePtr root, arc;
	xmlDocPtr doc;
	size_t i;

	if (check(m, what, names, values, sizeof(names) / sizeof(names[0]),
	    err) == -1)
		return -1;
	root = start(&doc, what, m);
	arc = seda_xml_add(root, "AuthorizationRequestContent", NULL);
	seda_xml_add(arc, "AuthorizationReason", m->reason);
	if (seda_token_ok(m->request_comment))
		seda_xml_add(arc, "Comment", m->request_comment);
	seda_xml_add(arc, "RequestDate", m->request_date);
	for (i = 0; i < m->nunits; i++)
		seda_xml_add(arc, "UnitIdentifier", m->units[i]);
	add_org(arc, "Requester", m->requester);
	add_org(root, "ArchivalAgency", m->archival_agency);
	add_org(root, "ControlAuthority", m->control_authority);
	return finish(doc, out, what, err);
}

int
seda_destruction_notification_write(struct sae_buf *out,
    const struct seda_disposal_msg *m, struct sae_err *err)
{
	static const char *const names[] = { "MessageIdentifier", "Date",
	    "AuthorizationRequestReplyIdentifier", "ArchivalAgency",
	    "OriginatingAgency" };
	const char *const values[] = { m->message_id, m->date, m->reply_id,
	    m->archival_agency, m->originating_agency };
	const char *what = "ArchiveDestructionNotification";
	xmlNodePtr root;
	xmlDocPtr doc;
	size_t i;

	if (check(m, what, names, values, sizeof(names) / sizeof(names[0]),
	    err) == -1)
		return -1;
	root = start(&doc, what, m);
	seda_xml_add(root, "AuthorizationRequestReplyIdentifier", m->reply_id);
	for (i = 0; i < m->nunits; i++)
		seda_xml_add(root, "UnitIdentifier", m->units[i]);
	add_org(root, "ArchivalAgency", m->archival_agency);
	add_org(root, "OriginatingAgency", m->originating_agency);
	return finish(doc, out, what, err);
}

int
seda_modification_notification_write(struct sae_buf *out,
    const struct seda_disposal_msg *m, struct sae_err *err)
{
	static const char *const names[] = { "MessageIdentifier", "Date",
	    "ArchivalAgency", "OriginatingAgency" };
	const char *const values[] = { m->message_id, m->date,
	    m->archival_agency, m->originating_agency };
	const char *what = "ArchiveModificationNotification";
	xmlNodePtr root;
	xmlDocPtr doc;
	size_t i;

	if (check(m, what, names, values, sizeof(names) / sizeof(names[0]),
	    err) == -1)
		return -1;
	root = start(&doc, what, m);
	for (i = 0; i < m->nunits; i++)
		seda_xml_add(root, "UnitIdentifier", m->units[i]);
	add_org(root, "ArchivalAgency", m->archival_agency);
	add_org(root, "OriginatingAgency", m->originating_agency);
	return finish(doc, out, what, err);
}

/* The text of the first child element of ${n} named ${name}, or NULL. */
static char *
child_text(xmlNodePtr n, const char *name)
{
	xmlNodePtr c;

	for (c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    !strcmp((const char *)c->name, name)) {
			xmlChar *t = xmlNodeGetContent(c);
			char *s = t != NULL ? strdup((const char *)t) : NULL;

			xmlFree(t);
			return s;
		}
	return NULL;
}

int
seda_transfer_reply_read(const struct seda_schemas *schemas, const void *xml,
    size_t len, struct seda_reply_read *out, struct sae_err *err)
{
	struct seda_report r;
	enum seda_version v;
	char *mid = NULL;
	xmlDocPtr doc;
	xmlNodePtr root;
	int rc;

	memset(out, 0, sizeof(*out));
	seda_report_init(&r);
	seda_sniff(xml, len, &v, &mid);
	free(mid);
	doc = seda_xml_read(xml, len, 64, "La réponse", &r);
	if (doc == NULL) {
		sae_err_set(err, SAE_EINVAL, "%s", r.n > 0 ? r.items[0].message :
		    "unreadable reply");
		seda_report_done(&r);
		return -1;
	}
	root = xmlDocGetRootElement(doc);
	if (root == NULL || strcmp((const char *)root->name,
	    "ArchiveTransferReply") != 0 || root->ns == NULL ||
	    strcmp((const char *)root->ns->href, seda_version_ns(v)) != 0) {
		xmlFreeDoc(doc);
		seda_report_done(&r);
		return sae_err_set(err, SAE_EINVAL, "this is not a SEDA 2.x "
		    "ArchiveTransferReply");
	}
	rc = seda_schemas_validate_doc(schemas, v, doc, "La réponse", &r, err);
	if (rc != 1) {
		if (rc == 0)
			sae_err_set(err, SAE_EINVAL, "the reply is not valid "
			    "against the SEDA %s schema: %s", seda_version_name(v),
			    r.n > 0 ? r.items[r.n - 1].message : "?");
		xmlFreeDoc(doc);
		seda_report_done(&r);
		return -1;
	}
	seda_report_done(&r);
	out->version = v;
	out->message_id = child_text(root, "MessageIdentifier");
	out->request_id = child_text(root, "MessageRequestIdentifier");
	out->reply_code = child_text(root, "ReplyCode");
	xmlFreeDoc(doc);
	if (!seda_token_ok(out->request_id) || !seda_token_ok(out->reply_code)) {
		seda_reply_read_done(out);
		return sae_err_set(err, SAE_EINVAL, "the reply has no "
		    "MessageRequestIdentifier or no ReplyCode");
	}
	return 0;
}

void
seda_reply_read_done(struct seda_reply_read *r)
{
	free(r->message_id);
	free(r->request_id);
	free(r->reply_code);
	memset(r, 0, sizeof(*r));
}
