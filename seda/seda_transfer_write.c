/*
 * seda_transfer_write.c: writes an ArchiveTransfer from plain structs (what
 * the archive holds about one transfer) with the libxml2 tree API, in the
 * element order of the official XSDs: the objects, the units with their
 * Content and Management as received and our journal in LogBook, the
 * package's rules.  Touches only memory.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "sae/buf.h"
#include "sae/err.h"
#include "sae/xmalloc.h"
#include "seda/seda.h"
#include "seda/seda_internal.h"

#define SEDA_NS_PREFIX	"fr:gouv:culture:archivesdefrance:seda:v"
#define STORED_DEPTH	256	/* as seda_validate: deep enough for any Content */

/* What the writing of one transfer shares. */
struct tw {
	const struct seda_out_transfer	*t;
	xmlDocPtr			 doc;
	xmlNsPtr			 ns;		/* the package's namespace, on the root */
	const char			**ids;		/* sorted: every @id we write */
	size_t				 nids;
	unsigned long			 nref;		/* ArchiveUnitRefId wrappers so far */
};

static int
is_seda_ns(const xmlChar *href)
{
	return href != NULL && strncmp((const char *)href, SEDA_NS_PREFIX,
	    sizeof(SEDA_NS_PREFIX) - 1) == 0;
}

static int
in_ns(xmlNodePtr n, const xmlNs *ns)
{
	return n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	    xmlStrEqual(n->ns->href, ns->href);
}

/* The node after ${n} in document order, staying under ${top}. */
static xmlNodePtr
walk_next(xmlNodePtr n, xmlNodePtr top)
{
	if (n->type == XML_ELEMENT_NODE && n->children != NULL)
		return n->children;
	while (n != top) {
		if (n->next != NULL)
			return n->next;
		n = n->parent;
	}
	return NULL;
}

static void
set_id(xmlNodePtr e, const char *id)
{
	if (xmlNewProp(e, (const xmlChar *)"id", (const xmlChar *)id) == NULL)
		abort();	/* only on OOM, like sae_xmalloc */
}

/* ------------------------------------------------------------------ */
/* Checks made before anything is built.                              */

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
id_known(const struct tw *w, const char *id)
{
	return bsearch(&id, w->ids, w->nids, sizeof(w->ids[0]), str_cmp) !=
	    NULL;
}

static int
check_id(const char *id, const char *what, struct sae_err *err)
{
	if (id == NULL || xmlValidateNCName((const xmlChar *)id, 0) != 0)
		return sae_err_set(err, SAE_EINVAL, "%s id '%s' is not an "
		    "xsd:ID (NCName)", what, id != NULL ? id : "");
	return 0;
}

/* Every @id is an NCName and unique: the XSD checks xsd:ID uniqueness. */
static int
collect_ids(struct tw *w, struct sae_err *err)
{
	const struct seda_out_transfer *t = w->t;
	size_t i, k, n = t->nunits;

	for (i = 0; i < t->ngroups; i++)
		n += 1 + t->groups[i].nobjects;
	w->ids = sae_xcalloc(n + 1, sizeof(*w->ids));
	for (i = 0; i < t->nunits; i++) {
		if (check_id(t->units[i].xml_id, "unit", err) == -1)
			return -1;
		w->ids[w->nids++] = t->units[i].xml_id;
	}
	for (i = 0; i < t->ngroups; i++) {
		const struct seda_out_group *g = &t->groups[i];

		if (g->lone && (g->nobjects != 1 || g->xml_id == NULL ||
		    g->objects[0].xml_id == NULL ||
		    strcmp(g->xml_id, g->objects[0].xml_id) != 0))
			return sae_err_set(err, SAE_EINVAL, "lone object group "
			    "'%s' must hold one object of the same id",
			    g->xml_id != NULL ? g->xml_id : "");
		if (!g->lone) {
			if (check_id(g->xml_id, "object group", err) == -1)
				return -1;
			w->ids[w->nids++] = g->xml_id;
		}
		for (k = 0; k < g->nobjects; k++) {
			if (check_id(g->objects[k].xml_id, "object", err) == -1)
				return -1;
			w->ids[w->nids++] = g->objects[k].xml_id;
		}
	}
	qsort(w->ids, w->nids, sizeof(w->ids[0]), str_cmp);
	for (i = 1; i < w->nids; i++)
		if (strcmp(w->ids[i], w->ids[i - 1]) == 0)
			return sae_err_set(err, SAE_EINVAL, "id '%s' is given "
			    "to more than one unit, group or object",
			    w->ids[i]);
	return 0;
}

/*
 * Indexes in range, and no unit its own ancestor (Kahn): moving a unit
 * under a descendant would cut a subtree off the document.
 */
static int
check_links(const struct seda_out_transfer *t, struct sae_err *err)
{
	size_t *left = NULL, *queue = NULL, nq = 0, head, i, k, c;
	size_t *start = NULL, *kids = NULL, nlinks = 0;
	int ret = -1;

	for (i = 0; i < t->nunits; i++) {
		const struct seda_out_unit *u = &t->units[i];

		for (k = 0; k < u->nparents; k++)
			if (u->parents[k] >= t->nunits)
				return sae_err_set(err, SAE_EINVAL, "unit '%s' "
				    "has a parent out of range", u->xml_id);
		for (k = 0; k < u->ngroups; k++)
			if (u->groups[k] >= t->ngroups)
				return sae_err_set(err, SAE_EINVAL, "unit '%s' "
				    "refers to a group out of range",
				    u->xml_id);
		if (u->nevents > 0 && u->events == NULL)
			return sae_err_set(err, SAE_EINVAL, "unit '%s': "
			    "events missing", u->xml_id);
		nlinks += u->nparents;
	}
	left = sae_xcalloc(t->nunits + 1, sizeof(*left));
	queue = sae_xcalloc(t->nunits + 1, sizeof(*queue));
	start = sae_xcalloc(t->nunits + 2, sizeof(*start));
	kids = sae_xcalloc(nlinks + 1, sizeof(*kids));
	for (i = 0; i < t->nunits; i++)
		for (k = 0; k < t->units[i].nparents; k++)
			start[t->units[i].parents[k] + 2]++;
	for (i = 2; i < t->nunits + 2; i++)
		start[i] += start[i - 1];
	for (i = 0; i < t->nunits; i++) {
		left[i] = t->units[i].nparents;
		for (k = 0; k < t->units[i].nparents; k++)
			kids[start[t->units[i].parents[k] + 1]++] = i;
		if (left[i] == 0)
			queue[nq++] = i;
	}
	for (head = 0; head < nq; head++)
		for (k = start[queue[head]]; k < start[queue[head] + 1]; k++) {
			c = kids[k];
			if (--left[c] == 0)
				queue[nq++] = c;
		}
	if (nq < t->nunits) {
		for (i = 0; i < t->nunits && left[i] == 0; i++)
			;
		sae_err_set(err, SAE_EINVAL, "unit '%s' is its own ancestor",
		    t->units[i].xml_id);
		goto out;
	}
	ret = 0;
out:
	free(left);
	free(queue);
	free(start);
	free(kids);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Elements stored as received.                                       */

/*
 * Moves a copied element into the package's namespace: a SEDA namespace
 * of any 2.x version becomes the package's, and the default declaration
 * the stored element carries for it goes, so that it is written once, on
 * the root.
 */
static void
adopt_ns(xmlNodePtr top, xmlNsPtr pkg)
{
	xmlNsPtr ns, prev = NULL, mine;
	xmlNodePtr n;
	xmlAttrPtr a;

	for (n = top; n != NULL; n = walk_next(n, top)) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		for (ns = n->nsDef; ns != NULL; ns = ns->next)
			if (is_seda_ns(ns->href) &&
			    !xmlStrEqual(ns->href, pkg->href)) {
				xmlFree((xmlChar *)ns->href);
				if ((ns->href = xmlStrdup(pkg->href)) == NULL)
					abort();
			}
	}
	for (mine = top->nsDef; mine != NULL; prev = mine, mine = mine->next)
		if (mine->prefix == NULL && xmlStrEqual(mine->href, pkg->href))
			break;
	if (mine == NULL)
		return;
	for (n = top; n != NULL; n = walk_next(n, top)) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (n->ns == mine)
			n->ns = pkg;
		for (a = n->properties; a != NULL; a = a->next)
			if (a->ns == mine)
				a->ns = pkg;
	}
	if (prev != NULL)
		prev->next = mine->next;
	else
		top->nsDef = mine->next;
	mine->next = NULL;
	xmlFreeNs(mine);
}

/*
 * Appends a copy of the stored element ${xml} (${name}, in a SEDA
 * namespace) to ${parent}.
 */
static xmlNodePtr
add_stored(struct tw *w, xmlNodePtr parent, const char *xml,
    const char *name, const char *unit, struct sae_err *err)
{
	struct seda_report r;
	xmlDocPtr d;
	xmlNodePtr root, copy = NULL;

	seda_report_init(&r);
	d = seda_xml_read(xml, strlen(xml), STORED_DEPTH, "L'élément stocké",
	    &r);
	root = d != NULL ? xmlDocGetRootElement(d) : NULL;
	if (root == NULL || root->ns == NULL || !is_seda_ns(root->ns->href) ||
	    !xmlStrEqual(root->name, (const xmlChar *)name)) {
		sae_err_set(err, SAE_ECORRUPT, "the %s stored for unit '%s' is "
		    "not a SEDA %s element%s%s", name, unit, name,
		    r.n > 0 ? ": " : "", r.n > 0 ? r.items[0].message : "");
		goto out;
	}
	if ((copy = xmlDocCopyNode(root, w->doc, 1)) == NULL)
		abort();
	xmlAddChild(parent, copy);
	adopt_ns(copy, w->ns);
out:
	xmlFreeDoc(d);
	seda_report_done(&r);
	return copy;
}

/* ------------------------------------------------------------------ */
/* LogBook and rules.                                                  */

static int
add_events(struct tw *w, xmlNodePtr logbook, const struct seda_out_event *ev,
    size_t n, const char *whose, struct sae_err *err)
{
	xmlNodePtr e, a;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!seda_token_ok(ev[i].date_time))
			return sae_err_set(err, SAE_EINVAL, "an event of %s "
			    "has no date", whose);
		e = seda_xml_add(logbook, "Event", NULL);
		if (seda_token_ok(ev[i].identifier))
			seda_xml_add(e, "EventIdentifier", ev[i].identifier);
		if (seda_token_ok(ev[i].type_code))
			seda_xml_add(e, "EventTypeCode", ev[i].type_code);
		seda_xml_add(e, "EventDateTime", ev[i].date_time);
		if (seda_token_ok(ev[i].outcome))
			seda_xml_add(e, "Outcome", ev[i].outcome);
		if (seda_token_ok(ev[i].message))
			seda_xml_add(e, "OutcomeDetailMessage", ev[i].message);
		if (seda_token_ok(ev[i].detail_data))
			seda_xml_add(e, "EventDetailData", ev[i].detail_data);
		/* LinkingAgentIdentifier came with 2.2. */
		if (w->t->version != SEDA_V21 && seda_token_ok(ev[i].agent)) {
			a = seda_xml_add(e, "LinkingAgentIdentifier", NULL);
			seda_xml_add(a, "LinkingAgentIdentifierType", "agent");
			seda_xml_add(a, "LinkingAgentIdentifierValue",
			    ev[i].agent);
		}
	}
	return 0;
}

static int
is_rule_category(const xmlChar *name)
{
	int c;

	/* HoldRule comes after LogBook in ManagementGroup: not here. */
	for (c = 0; c < SEDA_HOLD; c++)
		if (xmlStrEqual(name, (const xmlChar *)seda_category_name(c)))
			return 1;
	return 0;
}

/*
 * The unit's events into its Management, at their place in
 * ManagementGroup: after StorageRule..ClassificationRule, before
 * NeedAuthorization, HoldRule and any extension; into the LogBook already
 * there (a package exported before and ingested again) if any.
 */
static int
add_unit_logbook(struct tw *w, xmlNodePtr mgmt, const struct seda_out_unit *u,
    struct sae_err *err)
{
	xmlNodePtr c, lb;

	for (c = mgmt->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (!in_ns(c, w->ns) || !is_rule_category(c->name))
			break;
	}
	if (c != NULL && in_ns(c, w->ns) &&
	    xmlStrEqual(c->name, (const xmlChar *)"LogBook"))
		lb = c;
	else {
		lb = xmlNewDocNode(w->doc, mgmt->ns, (const xmlChar *)"LogBook",
		    NULL);
		if (lb == NULL)
			abort();
		if (c != NULL)
			xmlAddPrevSibling(c, lb);
		else
			xmlAddChild(mgmt, lb);
	}
	return add_events(w, lb, u->events, u->nevents, u->xml_id, err);
}

static void
add_opt(xmlNodePtr parent, const char *name, const char *text)
{
	if (seda_token_ok(text))
		seda_xml_add(parent, name, text);
}

static int
add_category(struct tw *w, xmlNodePtr parent, enum seda_category c,
    const struct seda_rules *rs, struct sae_err *err)
{
	const char *name = seda_category_name(c);
	xmlNodePtr e;
	size_t i;

	if (!rs->present)
		return 0;
	if (c == SEDA_HOLD && w->t->version == SEDA_V21)
		return sae_err_set(err, SAE_EINVAL, "HoldRule does not exist "
		    "in SEDA 2.1");
	e = seda_xml_add(parent, name, NULL);
	for (i = 0; i < rs->nrules; i++) {
		const struct seda_rule *r = &rs->rules[i];

		if (!seda_token_ok(r->rule_id))
			return sae_err_set(err, SAE_EINVAL, "%s: a rule "
			    "without an id", name);
		seda_xml_add(e, "Rule", r->rule_id);
		add_opt(e, "StartDate", r->start_date);
		if (c != SEDA_HOLD)
			continue;
		add_opt(e, "HoldEndDate", r->hold_end_date);
		add_opt(e, "HoldOwner", r->hold_owner);
		add_opt(e, "HoldReassessingDate", r->hold_reassessing_date);
		add_opt(e, "HoldReason", r->hold_reason);
		if (r->prevent_rearrangement >= 0)
			seda_xml_add(e, "PreventRearrangement",
			    r->prevent_rearrangement ? "true" : "false");
	}
	/* The XSD has PreventInheritance or RefNonRuleId, not both. */
	if (rs->nref_non_rule_ids > 0) {
		for (i = 0; i < rs->nref_non_rule_ids; i++) {
			if (!seda_token_ok(rs->ref_non_rule_ids[i]))
				return sae_err_set(err, SAE_EINVAL, "%s: an "
				    "empty RefNonRuleId", name);
			seda_xml_add(e, "RefNonRuleId",
			    rs->ref_non_rule_ids[i]);
		}
	} else if (rs->prevent_inheritance)
		seda_xml_add(e, "PreventInheritance", "true");
	if (c == SEDA_STORAGE || c == SEDA_APPRAISAL) {
		if (!seda_token_ok(rs->final_action))
			return sae_err_set(err, SAE_EINVAL, "%s without its "
			    "FinalAction", name);
		seda_xml_add(e, "FinalAction", rs->final_action);
	}
	if (c == SEDA_CLASSIFICATION) {
		if (!seda_token_ok(rs->classification_level) ||
		    !seda_token_ok(rs->classification_owner))
			return sae_err_set(err, SAE_EINVAL,
			    "ClassificationRule without its level and owner");
		seda_xml_add(e, "ClassificationLevel",
		    rs->classification_level);
		seda_xml_add(e, "ClassificationOwner",
		    rs->classification_owner);
	}
	return 0;
}

/* ManagementMetadata, in the order of main.xsd and ManagementGroup. */
static int
add_management_metadata(struct tw *w, xmlNodePtr pkg, struct sae_err *err)
{
	const struct seda_out_transfer *t = w->t;
	const struct seda_management *m = t->mgmt;
	xmlNodePtr mm;
	int c;

	mm = seda_xml_add(pkg, "ManagementMetadata", NULL);
	add_opt(mm, "AcquisitionInformation", t->acquisition_information);
	add_opt(mm, "LegalStatus", t->legal_status);
	add_opt(mm, "OriginatingAgencyIdentifier", t->originating_agency);
	add_opt(mm, "SubmissionAgencyIdentifier", t->submission_agency);
	if (m != NULL)
		for (c = 0; c < SEDA_HOLD; c++)
			if (add_category(w, mm, c, &m->cat[c], err) == -1)
				return -1;
	if (t->nevents > 0 && add_events(w, seda_xml_add(mm, "LogBook", NULL),
	    t->events, t->nevents, "the package", err) == -1)
		return -1;
	if (m != NULL && m->need_authorization >= 0)
		seda_xml_add(mm, "NeedAuthorization", m->need_authorization ?
		    "true" : "false");
	if (m != NULL &&
	    add_category(w, mm, SEDA_HOLD, &m->cat[SEDA_HOLD], err) == -1)
		return -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Objects.                                                           */

static int
is_hex(const char *s, size_t len)
{
	size_t i;

	if (s == NULL || strlen(s) != len)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f') ||
		    (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	return 1;
}

static int
add_object(xmlNodePtr parent, const struct seda_out_object *o,
    struct sae_err *err)
{
	xmlNodePtr e, f;
	char size[32];

	e = seda_xml_add(parent, o->physical ? "PhysicalDataObject" :
	    "BinaryDataObject", NULL);
	set_id(e, o->xml_id);
	add_opt(e, "DataObjectVersion", o->version);
	if (o->physical) {
		add_opt(e, "PhysicalId", o->physical_id);
		return 0;
	}
	if (!seda_token_ok(o->uri))
		return sae_err_set(err, SAE_EINVAL, "object '%s' has no Uri",
		    o->xml_id);
	if (!is_hex(o->sha512, 128))
		return sae_err_set(err, SAE_EINVAL, "object '%s' has no "
		    "SHA-512 digest", o->xml_id);
	seda_xml_add(e, "Uri", o->uri);
	if (xmlNewProp(seda_xml_add(e, "MessageDigest", o->sha512),
	    (const xmlChar *)"algorithm", (const xmlChar *)"SHA-512") == NULL)
		abort();
	/* positiveInteger: an empty file has no Size. */
	if (o->size > 0) {
		snprintf(size, sizeof(size), "%" PRIu64, o->size);
		seda_xml_add(e, "Size", size);
	}
	if ((o->format_litteral != NULL && *o->format_litteral != '\0') ||
	    seda_token_ok(o->mime_type) || seda_token_ok(o->format_id)) {
		f = seda_xml_add(e, "FormatIdentification", NULL);
		if (o->format_litteral != NULL && *o->format_litteral != '\0')
			seda_xml_add(f, "FormatLitteral", o->format_litteral);
		add_opt(f, "MimeType", o->mime_type);
		add_opt(f, "FormatId", o->format_id);
	}
	if (o->filename != NULL && *o->filename != '\0')
		seda_xml_add(seda_xml_add(e, "FileInfo", NULL), "Filename",
		    o->filename);
	return 0;
}

static int
add_objects(struct tw *w, xmlNodePtr pkg, struct sae_err *err)
{
	const struct seda_out_transfer *t = w->t;
	xmlNodePtr g;
	size_t i, k;

	for (i = 0; i < t->ngroups; i++) {
		if (t->groups[i].lone)
			g = pkg;
		else {
			g = seda_xml_add(pkg, "DataObjectGroup", NULL);
			set_id(g, t->groups[i].xml_id);
		}
		for (k = 0; k < t->groups[i].nobjects; k++)
			if (add_object(g, &t->groups[i].objects[k], err) == -1)
				return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Units.                                                             */

/* A new id for an ArchiveUnitRefId wrapper, unlike any other. */
static void
ref_id(struct tw *w, char *out, size_t size)
{
	do
		snprintf(out, size, "sae-ref-%lu", ++w->nref);
	while (id_known(w, out));
}

static xmlNodePtr
new_unit(struct tw *w, xmlNodePtr dm, const struct seda_out_unit *u,
    struct sae_err *err)
{
	const struct seda_out_transfer *t = w->t;
	xmlNodePtr e, m = NULL, ref;
	size_t k;

	e = seda_xml_add(dm, "ArchiveUnit", NULL);
	set_id(e, u->xml_id);
	if (u->management_xml != NULL && *u->management_xml != '\0' &&
	    (m = add_stored(w, e, u->management_xml, "Management", u->xml_id,
	    err)) == NULL)
		return NULL;
	if (u->nevents > 0) {
		if (m == NULL)
			m = seda_xml_add(e, "Management", NULL);
		if (add_unit_logbook(w, m, u, err) == -1)
			return NULL;
	}
	if (u->content_xml == NULL || *u->content_xml == '\0') {
		sae_err_set(err, SAE_EINVAL, "unit '%s' has no Content",
		    u->xml_id);
		return NULL;
	}
	if (add_stored(w, e, u->content_xml, "Content", u->xml_id, err) ==
	    NULL)
		return NULL;
	for (k = 0; k < u->ngroups; k++) {
		const struct seda_out_group *g = &t->groups[u->groups[k]];

		ref = seda_xml_add(e, "DataObjectReference", NULL);
		seda_xml_add(ref, g->lone ? "DataObjectReferenceId" :
		    "DataObjectGroupReferenceId", g->xml_id);
	}
	return e;
}

/*
 * Every unit is made under DescriptiveMetadata first, so that the
 * document owns each node whatever fails; then each is moved under its
 * first parent, and named by ArchiveUnitRefId under the others, children
 * in the order of the units.  check_links made sure no unit moves under
 * its own descendant.
 */
static int
add_units(struct tw *w, xmlNodePtr dm, struct sae_err *err)
{
	const struct seda_out_transfer *t = w->t;
	xmlNodePtr *el;
	size_t i, k;
	char id[64];
	int ret = -1;

	el = sae_xcalloc(t->nunits + 1, sizeof(*el));
	for (i = 0; i < t->nunits; i++)
		if ((el[i] = new_unit(w, dm, &t->units[i], err)) == NULL)
			goto out;
	for (i = 0; i < t->nunits; i++) {
		const struct seda_out_unit *u = &t->units[i];

		for (k = 0; k < u->nparents; k++) {
			xmlNodePtr p = el[u->parents[k]], wrap;

			if (k == 0) {
				xmlUnlinkNode(el[i]);
				xmlAddChild(p, el[i]);
				continue;
			}
			wrap = seda_xml_add(p, "ArchiveUnit", NULL);
			ref_id(w, id, sizeof(id));
			set_id(wrap, id);
			seda_xml_add(wrap, "ArchiveUnitRefId", u->xml_id);
		}
	}
	ret = 0;
out:
	free(el);
	return ret;
}

/* ------------------------------------------------------------------ */

int
seda_transfer_write(struct sae_buf *out, const struct seda_out_transfer *t,
    struct sae_err *err)
{
	const struct { const char *name, *value; } need[] = {
		{ "Date", t->date },
		{ "MessageIdentifier", t->message_id },
		{ "ArchivalAgency", t->archival_agency },
		{ "TransferringAgency", t->transferring_agency },
	};
	struct tw w;
	xmlNodePtr root, pkg;
	xmlChar *mem = NULL;
	size_t i;
	int size = 0, ret = -1;

	memset(&w, 0, sizeof(w));
	w.t = t;
	if ((unsigned)t->version >= SEDA_NVERSIONS)
		return sae_err_set(err, SAE_EINVAL, "unknown SEDA version %d "
		    "for an ArchiveTransfer", (int)t->version);
	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (!seda_token_ok(need[i].value))
			return sae_err_set(err, SAE_EINVAL, "cannot write an "
			    "ArchiveTransfer: '%s' is empty", need[i].name);
	if (t->nevents > 0 && t->events == NULL)
		return sae_err_set(err, SAE_EINVAL, "package events missing");
	if (collect_ids(&w, err) == -1 || check_links(t, err) == -1)
		goto out;
	seda_xml_init();
	if ((w.doc = xmlNewDoc((const xmlChar *)"1.0")) == NULL)
		abort();
	root = xmlNewDocNode(w.doc, NULL, (const xmlChar *)"ArchiveTransfer",
	    NULL);
	xmlDocSetRootElement(w.doc, root);
	w.ns = xmlNewNs(root, (const xmlChar *)seda_version_ns(t->version),
	    NULL);
	xmlSetNs(root, w.ns);
	if (t->comment != NULL && *t->comment != '\0')
		seda_xml_add(root, "Comment", t->comment);
	seda_xml_add(root, "Date", t->date);
	seda_xml_add(root, "MessageIdentifier", t->message_id);
	add_opt(root, "ArchivalAgreement", t->archival_agreement);
	seda_xml_add(root, "CodeListVersions", NULL);
	pkg = seda_xml_add(root, "DataObjectPackage", NULL);
	if (add_objects(&w, pkg, err) == -1 ||
	    add_units(&w, seda_xml_add(pkg, "DescriptiveMetadata", NULL),
	    err) == -1 || add_management_metadata(&w, pkg, err) == -1)
		goto out;
	seda_xml_add(seda_xml_add(root, "ArchivalAgency", NULL), "Identifier",
	    t->archival_agency);
	seda_xml_add(seda_xml_add(root, "TransferringAgency", NULL),
	    "Identifier", t->transferring_agency);
	xmlDocDumpFormatMemoryEnc(w.doc, &mem, &size, "UTF-8", 1);
	if (mem == NULL || size <= 0) {
		sae_err_set(err, SAE_EINTERNAL, "libxml2 could not serialize "
		    "the ArchiveTransfer");
		goto out;
	}
	sae_buf_add(out, mem, (size_t)size);
	ret = 0;
out:
	xmlFree(mem);
	xmlFreeDoc(w.doc);
	free(w.ids);
	return ret;
}

char *
seda_transfer_write_agency(const void *xml, size_t len, const char *element)
{
	struct seda_report r;
	xmlDocPtr d;
	xmlNodePtr root, c, id;
	xmlChar *text;
	char *s = NULL;

	seda_report_init(&r);
	if ((d = seda_xml_read(xml, len, STORED_DEPTH, "Le message", &r)) ==
	    NULL || (root = xmlDocGetRootElement(d)) == NULL)
		goto out;
	for (c = root->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && c->ns != NULL &&
		    is_seda_ns(c->ns->href) &&
		    xmlStrEqual(c->name, (const xmlChar *)element))
			break;
	for (id = c != NULL ? c->children : NULL; id != NULL; id = id->next)
		if (id->type == XML_ELEMENT_NODE &&
		    xmlStrEqual(id->name, (const xmlChar *)"Identifier"))
			break;
	if (id != NULL && (text = xmlNodeGetContent(id)) != NULL) {
		if (seda_token_ok((const char *)text))
			s = sae_xstrdup((const char *)text);
		xmlFree(text);
	}
out:
	xmlFreeDoc(d);
	seda_report_done(&r);
	return s;
}
