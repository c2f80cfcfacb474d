/*
 * seda_parse.c: reads an ArchiveTransfer manifest into the structs of
 * seda.h: safe XML reading (no DOCTYPE, no entity, no network, bounded
 * depth), version by namespace, XSD validation, then objects, groups,
 * units and rules, and the checks of the links between them.  Works on
 * memory only; findings go to the caller's report.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>

#include "sae/buf.h"
#include "sae/err.h"
#include "sae/xmalloc.h"
#include "seda/seda.h"
#include "seda/seda_internal.h"

#define DEFAULT_MAX_DEPTH	64
#define DEFAULT_MAX_UNITS	100000
#define DEFAULT_MAX_OBJECTS	100000
#define MAX_PARSE_ERRORS	3
#define NONE			SIZE_MAX

/* A link read from the manifest, resolved once everything is read. */
struct link {
	size_t	 from;		/* unit (or object) index */
	char	*target;	/* id it names */
	int	 group;		/* names a group, not a unit/object */
	int	 line;
};

struct links {
	struct link	*v;
	size_t		 n, cap;
};

/* An id and the index of what carries it, for bsearch. */
struct idx {
	const char	*id;
	size_t		 i;
};

struct ps {
	const char		*ns;
	struct seda_transfer	*t;
	struct seda_report	*r;
	const struct seda_limits *lim;
	size_t			 nau;	/* ArchiveUnit elements seen */
	size_t			 ucap, ocap, gcap;
	unsigned char		*implicit;	/* group of a lone object */
	size_t			 icap;
	struct links		 aurefs;	/* ArchiveUnitRefId */
	struct links		 dorefs;	/* DataObjectReference */
	struct links		 grefs;		/* DataObjectGroupReferenceId */
	int			 too_many;
};

/* ------------------------------------------------------------------ */
/* Safe reading.                                                      */

/*
 * A DOCTYPE is the door to entities (XXE, billion laughs): refuse it on
 * the raw bytes, skipping NULs so that UTF-16 and UTF-32 are caught too.
 */
static int
has_doctype(const unsigned char *p, size_t len)
{
	static const char word[] = "!DOCTYPE";
	size_t i, j, k;

	for (i = 0; i < len; i++) {
		if (p[i] != '<')
			continue;
		for (j = i + 1, k = 0; j < len && word[k] != '\0'; j++) {
			if (p[j] == '\0')
				continue;
			if ((p[j] | 0x20) != (word[k] | 0x20))
				break;
			k++;
		}
		if (word[k] == '\0')
			return 1;
	}
	return 0;
}

static void
parse_error(void *data, xmlErrorPtr xe)
{
	xmlParserCtxtPtr ctxt = data;

	seda_xmlerrs_handler(ctxt->_private, xe);
}

/* Deepest element nesting of the tree under ${root}, without recursion. */
static size_t
tree_depth(xmlNodePtr root)
{
	xmlNodePtr n = root;
	size_t d = 1, max = 1;

	while (n != NULL) {
		if (n->type == XML_ELEMENT_NODE && n->children != NULL) {
			n = n->children;
			if (++d > max)
				max = d;
			continue;
		}
		while (n != root && n->next == NULL) {
			n = n->parent;
			d--;
		}
		if (n == root)
			break;
		n = n->next;
	}
	return max;
}

xmlDocPtr
seda_xml_read(const void *xml, size_t len, size_t max_depth,
    const char *what, struct seda_report *r)
{
	struct seda_xmlerrs errs;
	xmlParserCtxtPtr ctxt;
	xmlDocPtr doc = NULL;
	size_t depth;

	seda_xml_init();
	if (has_doctype(xml, len)) {
		seda_report_add(r, SEDA_KO, "CHECK_SEDA", "101", "%s contient "
		    "une déclaration DOCTYPE : refusée, car aucune DTD ni "
		    "entité n'est acceptée (protection contre les entités "
		    "externes et l'expansion d'entités)", what);
		return NULL;
	}
	if (len > INT_MAX) {
		seda_report_add(r, SEDA_KO, "CHECK_SEDA", "101", "%s est trop "
		    "volumineux (%zu octets)", what, len);
		return NULL;
	}
	if ((ctxt = xmlCreateMemoryParserCtxt(xml, (int)len)) == NULL) {
		seda_report_add(r, SEDA_KO, "CHECK_SEDA", "101", "%s est vide "
		    "ou illisible", what);
		return NULL;
	}
	seda_xmlerrs_init(&errs, MAX_PARSE_ERRORS);
	/* No NOENT, no DTDLOAD: nothing is ever expanded or fetched. */
	xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_BIG_LINES |
	    XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	ctxt->_private = &errs;
	ctxt->sax->serror = parse_error;
	xmlParseDocument(ctxt);
	doc = ctxt->myDoc;
	ctxt->myDoc = NULL;
	if (!ctxt->wellFormed || doc == NULL ||
	    xmlDocGetRootElement(doc) == NULL) {
		seda_report_add(r, SEDA_KO, "CHECK_SEDA", "101", "%s n'est pas "
		    "un document XML bien formé, %s", what, errs.text.len > 0 ?
		    errs.text.data : "document vide");
		goto fail;
	}
	if (doc->intSubset != NULL || doc->extSubset != NULL) {
		seda_report_add(r, SEDA_KO, "CHECK_SEDA", "101", "%s contient "
		    "une déclaration DOCTYPE : refusée, car aucune DTD ni "
		    "entité n'est acceptée", what);
		goto fail;
	}
	if ((depth = tree_depth(xmlDocGetRootElement(doc))) > max_depth) {
		seda_report_add(r, SEDA_KO, "CHECK_SEDA", "101", "%s imbrique "
		    "les éléments sur %zu niveaux, au-delà de la limite de %zu",
		    what, depth, max_depth);
		goto fail;
	}
	xmlFreeParserCtxt(ctxt);
	seda_xmlerrs_done(&errs);
	return doc;
fail:
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	seda_xmlerrs_done(&errs);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Small tree helpers.                                                */

static int
is(const struct ps *p, xmlNodePtr n, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	    strcmp((const char *)n->name, name) == 0 &&
	    strcmp((const char *)n->ns->href, p->ns) == 0;
}

static xmlNodePtr
child(const struct ps *p, xmlNodePtr n, const char *name)
{
	xmlNodePtr c;

	for (c = n != NULL ? n->children : NULL; c != NULL; c = c->next)
		if (is(p, c, name))
			return c;
	return NULL;
}

/* Trimmed text of ${n}, a new string; NULL when ${n} is NULL. */
static char *
text(xmlNodePtr n)
{
	xmlChar *c;
	char *s, *e, *out;

	if (n == NULL)
		return NULL;
	if ((c = xmlNodeGetContent(n)) == NULL)
		return sae_xstrdup("");
	for (s = (char *)c; *s == ' ' || *s == '\t' || *s == '\n' ||
	    *s == '\r'; s++)
		;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
	    e[-1] == '\r'))
		e--;
	out = sae_xstrndup(s, (size_t)(e - s));
	xmlFree(c);
	return out;
}

/* Replaces *${dst} by the text of ${n}, keeping the first value seen. */
static void
set_once(char **dst, xmlNodePtr n)
{
	if (*dst == NULL)
		*dst = text(n);
}

static char *
attr(xmlNodePtr n, const char *name)
{
	xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);
	char *s;

	if (v == NULL)
		return NULL;
	s = sae_xstrdup((const char *)v);
	xmlFree(v);
	return s;
}

/* xsd:boolean: 1, 0, or -1 when ${n} is absent or holds something else. */
static int
boolean(xmlNodePtr n)
{
	char *s = text(n);
	int v = -1;

	if (s != NULL && (strcmp(s, "true") == 0 || strcmp(s, "1") == 0))
		v = 1;
	else if (s != NULL && (strcmp(s, "false") == 0 ||
	    strcmp(s, "0") == 0))
		v = 0;
	free(s);
	return v;
}

static int
is_nil(xmlNodePtr n)
{
	xmlChar *v = xmlGetNsProp(n, (const xmlChar *)"nil",
	    (const xmlChar *)"http://www.w3.org/2001/XMLSchema-instance");
	int nil = v != NULL && (xmlStrEqual(v, (const xmlChar *)"true") ||
	    xmlStrEqual(v, (const xmlChar *)"1"));

	xmlFree(v);
	return nil;
}

/*
 * An element as standalone XML: copied into a document of its own so that
 * it declares the namespaces it inherits (the SEDA default namespace
 * above all); exports and the API hand it out on its own.
 */
static char *
serialize(xmlNodePtr n)
{
	xmlBufferPtr b = NULL;
	xmlDocPtr d;
	xmlNodePtr c;
	char *s = NULL;

	if ((d = xmlNewDoc((const xmlChar *)"1.0")) == NULL)
		return sae_xstrdup("");
	if ((c = xmlDocCopyNode(n, d, 1)) == NULL)
		goto out;
	xmlDocSetRootElement(d, c);
	xmlReconciliateNs(d, c);
	if ((b = xmlBufferCreate()) != NULL && xmlNodeDump(b, d, c, 0, 0) >= 0)
		s = sae_xstrdup((const char *)xmlBufferContent(b));
out:
	xmlBufferFree(b);
	xmlFreeDoc(d);
	return s != NULL ? s : sae_xstrdup("");
}

/* Makes room for one more element of ${size} bytes in *${v}. */
static void *
grow(void *v, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return v;
	*cap = *cap == 0 ? 8 : *cap * 2;
	return sae_xreallocarray(v, *cap, size);
}

static void
links_add(struct links *l, size_t from, char *target, int group, int line)
{
	l->v = grow(l->v, l->n, &l->cap, sizeof(l->v[0]));
	l->v[l->n].from = from;
	l->v[l->n].target = target;
	l->v[l->n].group = group;
	l->v[l->n].line = line;
	l->n++;
}

static void
links_done(struct links *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].target);
	free(l->v);
}

/* Appends ${x} to a set of indexes, once. */
static void
index_add(size_t **v, size_t *n, size_t x)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if ((*v)[i] == x)
			return;
	*v = sae_xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = x;
}

static int
line_of(xmlNodePtr n)
{
	long l = xmlGetLineNo(n);

	return l > 0 && l < INT_MAX ? (int)l : 0;
}

/* ------------------------------------------------------------------ */
/* Management rules.                                                  */

static void
parse_rules(const struct ps *p, xmlNodePtr n, struct seda_rules *rs)
{
	struct seda_rule *last = NULL;
	xmlNodePtr c;

	rs->present = 1;
	for (c = n->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (is(p, c, "Rule")) {
			rs->rules = sae_xreallocarray(rs->rules, rs->nrules + 1,
			    sizeof(rs->rules[0]));
			last = &rs->rules[rs->nrules++];
			memset(last, 0, sizeof(*last));
			last->rule_id = text(c);
			last->prevent_rearrangement = -1;
		} else if (is(p, c, "PreventInheritance"))
			rs->prevent_inheritance = boolean(c) == 1;
		else if (is(p, c, "RefNonRuleId")) {
			rs->ref_non_rule_ids = sae_xreallocarray(
			    rs->ref_non_rule_ids, rs->nref_non_rule_ids + 1,
			    sizeof(char *));
			rs->ref_non_rule_ids[rs->nref_non_rule_ids++] = text(c);
		} else if (is(p, c, "FinalAction"))
			set_once(&rs->final_action, c);
		else if (is(p, c, "ClassificationLevel"))
			set_once(&rs->classification_level, c);
		else if (is(p, c, "ClassificationOwner"))
			set_once(&rs->classification_owner, c);
		else if (last == NULL)
			continue;	/* the fields below qualify a Rule */
		else if (is(p, c, "StartDate")) {
			if (last->start_date == NULL && !is_nil(c)) {
				last->start_date = text(c);
				if (last->start_date[0] == '\0') {
					free(last->start_date);
					last->start_date = NULL;
				}
			}
		} else if (is(p, c, "HoldEndDate"))
			set_once(&last->hold_end_date, c);
		else if (is(p, c, "HoldOwner"))
			set_once(&last->hold_owner, c);
		else if (is(p, c, "HoldReason"))
			set_once(&last->hold_reason, c);
		else if (is(p, c, "HoldReassessingDate"))
			set_once(&last->hold_reassessing_date, c);
		else if (is(p, c, "PreventRearrangement"))
			last->prevent_rearrangement = boolean(c);
	}
}

/* Rule categories of a ManagementGroup (Management, ManagementMetadata). */
static void
parse_management(const struct ps *p, xmlNodePtr n, struct seda_management *m)
{
	xmlNodePtr c;
	int cat;

	for (c = n->children; c != NULL; c = c->next) {
		if (is(p, c, "NeedAuthorization")) {
			m->need_authorization = boolean(c);
			continue;
		}
		for (cat = 0; cat < SEDA_NCATEGORIES; cat++)
			if (is(p, c, seda_category_name(cat)) &&
			    !m->cat[cat].present) {
				parse_rules(p, c, &m->cat[cat]);
				break;
			}
	}
}

/* ------------------------------------------------------------------ */
/* Objects and groups.                                                */

static size_t
new_group(struct ps *p, char *id, int implicit)
{
	struct seda_transfer *t = p->t;

	t->groups = grow(t->groups, t->ngroups, &p->gcap,
	    sizeof(t->groups[0]));
	p->implicit = grow(p->implicit, t->ngroups, &p->icap, 1);
	memset(&t->groups[t->ngroups], 0, sizeof(t->groups[0]));
	t->groups[t->ngroups].id = id;
	p->implicit[t->ngroups] = (unsigned char)implicit;
	return t->ngroups++;
}

static void
group_add(struct seda_transfer *t, size_t g, size_t obj)
{
	index_add(&t->groups[g].objects, &t->groups[g].nobjects, obj);
}

static void
parse_size(struct seda_object *o, xmlNodePtr n)
{
	char *s = text(n), *end;
	unsigned long long v;

	errno = 0;
	if (s != NULL && s[0] >= '0' && s[0] <= '9') {
		v = strtoull(s, &end, 10);
		if (errno == 0 && *end == '\0') {
			o->size = (uint64_t)v;
			o->has_size = 1;
		}
	}
	free(s);
}

/* Reads a Binary/PhysicalDataObject; ${group}: its DataObjectGroup or NONE. */
static void
parse_object(struct ps *p, xmlNodePtr n, size_t group)
{
	struct seda_transfer *t = p->t;
	struct seda_object *o;
	xmlNodePtr c, f;
	char *gid = NULL, *gref = NULL;
	size_t i;

	if (t->nobjects >= p->lim->max_objects) {
		p->too_many = 1;
		return;
	}
	t->objects = grow(t->objects, t->nobjects, &p->ocap,
	    sizeof(t->objects[0]));
	i = t->nobjects++;
	o = &t->objects[i];
	memset(o, 0, sizeof(*o));
	o->id = attr(n, "id");
	o->physical = is(p, n, "PhysicalDataObject");
	o->line = line_of(n);
	for (c = n->children; c != NULL; c = c->next) {
		if (is(p, c, "DataObjectGroupId"))
			set_once(&gid, c);
		else if (is(p, c, "DataObjectGroupReferenceId"))
			set_once(&gref, c);
		else if (is(p, c, "DataObjectVersion"))
			set_once(&o->version, c);
		else if (is(p, c, "Uri"))
			set_once(&o->uri, c);
		else if (is(p, c, "Attachment"))
			o->attachment = 1;
		else if (is(p, c, "MessageDigest") && o->digest_value == NULL) {
			o->digest_value = text(c);
			o->digest_alg = attr(c, "algorithm");
		} else if (is(p, c, "Size") && !o->has_size)
			parse_size(o, c);
		else if (is(p, c, "FormatIdentification")) {
			for (f = c->children; f != NULL; f = f->next)
				if (is(p, f, "MimeType"))
					set_once(&o->mime_type, f);
				else if (is(p, f, "FormatId"))
					set_once(&o->format_id, f);
				else if (is(p, f, "FormatLitteral"))
					set_once(&o->format_litteral, f);
		} else if (is(p, c, "FileInfo"))
			set_once(&o->filename, child(p, c, "Filename"));
		else if (is(p, c, "PhysicalId"))
			set_once(&o->physical_id, c);
	}
	if (group != NONE) {
		o->group_id = sae_xstrdup(t->groups[group].id);
		group_add(t, group, i);
	} else if (gid != NULL) {
		/* 2.0 style: this object declares the group. */
		o->group_id = sae_xstrdup(gid);
		group_add(t, new_group(p, gid, 0), i);
		gid = NULL;
	} else if (gref != NULL) {
		o->group_id = sae_xstrdup(gref);
		links_add(&p->grefs, i, gref, 1, o->line);
		gref = NULL;
	} else {
		/* A lone object is a group of its own. */
		o->group_id = sae_xstrdup(o->id != NULL ? o->id : "");
		group_add(t, new_group(p, sae_xstrdup(o->group_id), 1), i);
	}
	free(gid);
	free(gref);
}

static void
parse_objects(struct ps *p, xmlNodePtr pkg)
{
	xmlNodePtr c, d;
	size_t g;

	for (c = pkg->children; c != NULL && !p->too_many; c = c->next) {
		if (is(p, c, "DataObjectGroup")) {
			g = new_group(p, attr(c, "id"), 0);
			if (p->t->groups[g].id == NULL)
				p->t->groups[g].id = sae_xstrdup("");
			for (d = c->children; d != NULL; d = d->next)
				if (is(p, d, "BinaryDataObject") ||
				    is(p, d, "PhysicalDataObject"))
					parse_object(p, d, g);
		} else if (is(p, c, "BinaryDataObject") ||
		    is(p, c, "PhysicalDataObject"))
			parse_object(p, c, NONE);
	}
}

/* ------------------------------------------------------------------ */
/* Archive units.                                                     */

static void
parse_content(const struct ps *p, xmlNodePtr n, struct seda_unit *u)
{
	xmlNodePtr c;

	for (c = n->children; c != NULL; c = c->next) {
		if (is(p, c, "Title"))
			set_once(&u->title, c);
		else if (is(p, c, "DescriptionLevel"))
			set_once(&u->description_level, c);
		else if (is(p, c, "StartDate"))
			set_once(&u->start_date, c);
		else if (is(p, c, "EndDate"))
			set_once(&u->end_date, c);
		else if (is(p, c, "OriginatingAgency"))
			set_once(&u->originating_agency,
			    child(p, c, "Identifier"));
		else if (is(p, c, "SystemId"))
			set_once(&u->system_id, c);
	}
	if (u->content_xml == NULL)
		u->content_xml = serialize(n);
}

/*
 * Reads one ArchiveUnit element under unit ${parent} (NONE at the top).
 * Recursion is bounded by the depth check made before.
 */
static void
parse_unit(struct ps *p, xmlNodePtr n, size_t parent)
{
	struct seda_transfer *t = p->t;
	xmlNodePtr c, d, ref;
	size_t i;

	if (++p->nau > p->lim->max_units) {
		p->too_many = 1;
		return;
	}
	if ((ref = child(p, n, "ArchiveUnitRefId")) != NULL) {
		/* Not a unit: makes the unit it names a child of ${parent}. */
		if (parent != NONE)
			links_add(&p->aurefs, parent, text(ref), 0,
			    line_of(ref));
		return;
	}
	t->units = grow(t->units, t->nunits, &p->ucap, sizeof(t->units[0]));
	i = t->nunits++;
	memset(&t->units[i], 0, sizeof(t->units[i]));
	t->units[i].id = attr(n, "id");
	t->units[i].line = line_of(n);
	t->units[i].mgmt.need_authorization = -1;
	if (parent != NONE)
		index_add(&t->units[i].parents, &t->units[i].nparents, parent);
	for (c = n->children; c != NULL && !p->too_many; c = c->next) {
		if (is(p, c, "Management") && !t->units[i].has_management) {
			t->units[i].has_management = 1;
			t->units[i].management_xml = serialize(c);
			parse_management(p, c, &t->units[i].mgmt);
		} else if (is(p, c, "Content"))
			parse_content(p, c, &t->units[i]);
		else if (is(p, c, "DataObjectReference")) {
			for (d = c->children; d != NULL; d = d->next)
				if (is(p, d, "DataObjectReferenceId"))
					links_add(&p->dorefs, i, text(d), 0,
					    line_of(d));
				else if (is(p, d, "DataObjectGroupReferenceId"))
					links_add(&p->dorefs, i, text(d), 1,
					    line_of(d));
		} else if (is(p, c, "ArchiveUnit"))
			parse_unit(p, c, i);	/* may move t->units */
	}
	if (t->units[i].title == NULL)
		t->units[i].title = sae_xstrdup("");
}

/* ------------------------------------------------------------------ */
/* Links and their checks.                                            */

static int
idx_cmp(const void *a, const void *b)
{
	return strcmp(((const struct idx *)a)->id, ((const struct idx *)b)->id);
}

static const struct idx *
idx_find(const struct idx *v, size_t n, const char *id)
{
	struct idx key;

	if (id == NULL || n == 0)
		return NULL;
	key.id = id;
	key.i = 0;
	return bsearch(&key, v, n, sizeof(v[0]), idx_cmp);
}

static void
check_duplicates(struct ps *p)
{
	struct seda_transfer *t = p->t;
	struct idx *v;
	size_t n = 0, i;

	v = sae_xcalloc(t->nunits + t->nobjects + t->ngroups + 1, sizeof(*v));
	for (i = 0; i < t->nunits; i++)
		if (t->units[i].id != NULL)
			v[n++].id = t->units[i].id;
	for (i = 0; i < t->nobjects; i++)
		if (t->objects[i].id != NULL)
			v[n++].id = t->objects[i].id;
	for (i = 0; i < t->ngroups; i++)
		if (!p->implicit[i])
			v[n++].id = t->groups[i].id;
	qsort(v, n, sizeof(v[0]), idx_cmp);
	for (i = 1; i < n; i++)
		if (strcmp(v[i].id, v[i - 1].id) == 0 &&
		    (i < 2 || strcmp(v[i].id, v[i - 2].id) != 0))
			seda_report_add(p->r, SEDA_KO, "CHECK_MANIFEST", "101",
			    "L'identifiant '%s' est porté par plusieurs "
			    "éléments du manifeste", v[i].id);
	free(v);
}

/* Sorted index of the ids of units (or objects, or explicit groups). */
static struct idx *
make_index(struct ps *p, int what, size_t *np)
{
	struct seda_transfer *t = p->t;
	size_t i, n = 0, max;
	struct idx *v;

	max = what == 0 ? t->nunits : what == 1 ? t->nobjects : t->ngroups;
	v = sae_xcalloc(max + 1, sizeof(*v));
	for (i = 0; i < max; i++) {
		const char *id = what == 0 ? t->units[i].id : what == 1 ?
		    t->objects[i].id : p->implicit[i] ? NULL : t->groups[i].id;

		if (id == NULL)
			continue;
		v[n].id = id;
		v[n++].i = i;
	}
	qsort(v, n, sizeof(v[0]), idx_cmp);
	*np = n;
	return v;
}

/* Groups of objects written with DataObjectGroupReferenceId (2.0 style). */
static void
resolve_group_refs(struct ps *p, const struct idx *gi, size_t ng)
{
	struct seda_transfer *t = p->t;
	const struct idx *g;
	size_t i;

	for (i = 0; i < p->grefs.n; i++) {
		struct link *l = &p->grefs.v[i];

		if ((g = idx_find(gi, ng, l->target)) != NULL) {
			group_add(t, g->i, l->from);
			continue;
		}
		seda_report_add(p->r, SEDA_KO, "CHECK_DATAOBJECTPACKAGE", "101",
		    "L'objet '%s' (ligne %d) désigne le groupe d'objets '%s' "
		    "(DataObjectGroupReferenceId), qui n'existe pas dans le "
		    "manifeste", t->objects[l->from].id != NULL ?
		    t->objects[l->from].id : "", l->line, l->target);
		/* Keep the promise "every object is in exactly one group". */
		group_add(t, new_group(p, sae_xstrdup(l->target), 1), l->from);
	}
}

static void
resolve_unit_refs(struct ps *p, const struct idx *ui, size_t nu)
{
	struct seda_transfer *t = p->t;
	const struct idx *u;
	size_t i;

	for (i = 0; i < p->aurefs.n; i++) {
		struct link *l = &p->aurefs.v[i];

		if ((u = idx_find(ui, nu, l->target)) == NULL) {
			seda_report_add(p->r, SEDA_KO, "CHECK_MANIFEST", "101",
			    "L'unité archivistique '%s' référence l'unité "
			    "'%s' (ArchiveUnitRefId, ligne %d), qui n'existe "
			    "pas dans le manifeste", t->units[l->from].id ?
			    t->units[l->from].id : "", l->target, l->line);
			continue;
		}
		index_add(&t->units[u->i].parents, &t->units[u->i].nparents,
		    l->from);
	}
}

static void
resolve_object_refs(struct ps *p, const struct idx *oi, size_t no,
    const struct idx *gi, size_t ng, unsigned char *used)
{
	struct seda_transfer *t = p->t;
	const struct idx *x;
	size_t i, k, g, *objgroup;

	objgroup = sae_xcalloc(t->nobjects + 1, sizeof(*objgroup));
	for (g = 0; g < t->ngroups; g++)
		for (k = 0; k < t->groups[g].nobjects; k++)
			objgroup[t->groups[g].objects[k]] = g;

	for (i = 0; i < p->dorefs.n; i++) {
		struct link *l = &p->dorefs.v[i];

		if (l->group)
			x = idx_find(gi, ng, l->target);
		else
			x = idx_find(oi, no, l->target);
		if (x == NULL) {
			seda_report_add(p->r, SEDA_KO,
			    "CHECK_DATAOBJECTPACKAGE", "101", "L'unité "
			    "archivistique '%s' référence %s '%s' (ligne %d), "
			    "qui n'existe pas dans le manifeste",
			    t->units[l->from].id ? t->units[l->from].id : "",
			    l->group ? "le groupe d'objets" : "l'objet",
			    l->target, l->line);
			continue;
		}
		g = l->group ? x->i : objgroup[x->i];
		used[g] = 1;
		index_add(&t->units[l->from].groups,
		    &t->units[l->from].ngroups, g);
	}
	free(objgroup);
}

/* The first parent of unit ${c} that is not settled. */
static size_t
unsettled_parent(const struct seda_transfer *t, const size_t *left, size_t c)
{
	size_t j;

	for (j = 0; j < t->units[c].nparents; j++)
		if (left[t->units[c].parents[j]] != 0)
			return t->units[c].parents[j];
	return c;	/* not reached: an unsettled unit has such a parent */
}

/*
 * ArchiveUnitRefId may close a loop.  Peel off units whose parents are all
 * settled (Kahn); what stays is on a cycle or below one.  No recursion:
 * a chain of references may be as long as the number of units.
 */
static void
check_cycles(struct ps *p)
{
	struct seda_transfer *t = p->t;
	size_t *left, *queue, *stamp, nq = 0, i, k, c, head;
	size_t **kids, *nkids;
	unsigned char *reported;

	if (t->nunits == 0)
		return;
	left = sae_xcalloc(t->nunits, sizeof(*left));
	queue = sae_xcalloc(t->nunits, sizeof(*queue));
	stamp = sae_xcalloc(t->nunits, sizeof(*stamp));
	kids = sae_xcalloc(t->nunits, sizeof(*kids));
	nkids = sae_xcalloc(t->nunits, sizeof(*nkids));
	reported = sae_xcalloc(t->nunits, 1);
	for (i = 0; i < t->nunits; i++) {
		left[i] = t->units[i].nparents;
		for (k = 0; k < t->units[i].nparents; k++) {
			size_t par = t->units[i].parents[k];

			kids[par] = sae_xreallocarray(kids[par], nkids[par] + 1,
			    sizeof(size_t));
			kids[par][nkids[par]++] = i;
		}
		if (left[i] == 0)
			queue[nq++] = i;
	}
	for (head = 0; head < nq; head++)
		for (k = 0; k < nkids[queue[head]]; k++)
			if (--left[kids[queue[head]][k]] == 0)
				queue[nq++] = kids[queue[head]][k];
	for (i = 0; i < t->nunits; i++) {
		if (left[i] == 0 || reported[i])
			continue;
		/* Walk up until we meet our own path (a new loop) or a
		 * loop already reported. */
		for (c = i; !reported[c] && stamp[c] != i + 1;
		    c = unsettled_parent(t, left, c))
			stamp[c] = i + 1;
		if (!reported[c])
			seda_report_add(p->r, SEDA_KO, "CHECK_MANIFEST", "101",
			    "Les ArchiveUnitRefId forment un cycle : l'unité "
			    "archivistique '%s' (ligne %d) est sa propre "
			    "ascendante", t->units[c].id ? t->units[c].id : "",
			    t->units[c].line);
		for (c = i; !reported[c]; c = unsettled_parent(t, left, c))
			reported[c] = 1;
	}
	for (i = 0; i < t->nunits; i++)
		free(kids[i]);
	free(kids);
	free(nkids);
	free(left);
	free(queue);
	free(stamp);
	free(reported);
}

static void
check_links(struct ps *p)
{
	struct seda_transfer *t = p->t;
	struct idx *ui, *oi, *gi;
	size_t nu, no, ng, i, k;
	unsigned char *used;

	check_duplicates(p);
	gi = make_index(p, 2, &ng);
	resolve_group_refs(p, gi, ng);
	free(gi);
	/* Indexes are made after groups stop moving. */
	ui = make_index(p, 0, &nu);
	oi = make_index(p, 1, &no);
	gi = make_index(p, 2, &ng);
	used = sae_xcalloc(t->ngroups + 1, 1);
	resolve_unit_refs(p, ui, nu);
	resolve_object_refs(p, oi, no, gi, ng, used);
	check_cycles(p);
	for (i = 0; i < t->ngroups; i++) {
		if (t->groups[i].nobjects == 0) {
			seda_report_add(p->r, SEDA_KO,
			    "CHECK_DATAOBJECTPACKAGE", "101", "Le groupe "
			    "d'objets '%s' ne contient aucun objet",
			    t->groups[i].id);
			continue;
		}
		if (used[i])
			continue;
		for (k = 0; k < t->groups[i].nobjects; k++) {
			const struct seda_object *o =
			    &t->objects[t->groups[i].objects[k]];

			seda_report_add(p->r, SEDA_KO,
			    "CHECK_DATAOBJECTPACKAGE", "101", "L'objet '%s' "
			    "(ligne %d) n'est référencé par aucune unité "
			    "archivistique (objet orphelin)",
			    o->id ? o->id : "", o->line);
		}
	}
	free(used);
	free(ui);
	free(oi);
	free(gi);
}

/* ------------------------------------------------------------------ */
/* The whole message.                                                 */

static void
parse_transfer(struct ps *p, xmlNodePtr root)
{
	struct seda_transfer *t = p->t;
	xmlNodePtr c, d;

	for (c = root->children; c != NULL && !p->too_many; c = c->next) {
		if (is(p, c, "Comment"))
			set_once(&t->comment, c);
		else if (is(p, c, "Date"))
			set_once(&t->date, c);
		else if (is(p, c, "MessageIdentifier"))
			set_once(&t->message_id, c);
		else if (is(p, c, "ArchivalAgreement"))
			set_once(&t->archival_agreement, c);
		else if (is(p, c, "ArchivalAgency"))
			set_once(&t->archival_agency,
			    child(p, c, "Identifier"));
		else if (is(p, c, "TransferringAgency"))
			set_once(&t->transferring_agency,
			    child(p, c, "Identifier"));
		else if (is(p, c, "DataObjectPackage")) {
			parse_objects(p, c);
			for (d = c->children; d != NULL; d = d->next) {
				xmlNodePtr u;

				if (is(p, d, "DescriptiveMetadata"))
					for (u = d->children; u != NULL &&
					    !p->too_many; u = u->next)
						if (is(p, u, "ArchiveUnit"))
							parse_unit(p, u, NONE);
				if (!is(p, d, "ManagementMetadata"))
					continue;
				set_once(&t->originating_agency, child(p, d,
				    "OriginatingAgencyIdentifier"));
				set_once(&t->submission_agency, child(p, d,
				    "SubmissionAgencyIdentifier"));
				set_once(&t->legal_status,
				    child(p, d, "LegalStatus"));
				parse_management(p, d, &t->mgmt);
			}
		}
	}
}

static int
root_version(xmlNodePtr root, enum seda_version *v)
{
	int i;

	if (root->ns == NULL || strcmp((const char *)root->name,
	    "ArchiveTransfer") != 0)
		return -1;
	for (i = 0; i < SEDA_NVERSIONS; i++)
		if (strcmp((const char *)root->ns->href,
		    seda_version_ns(i)) == 0) {
			*v = i;
			return 0;
		}
	return -1;
}

int
seda_parse(struct seda_transfer **out, const void *xml, size_t len,
    const struct seda_schemas *schemas, const struct seda_limits *limits,
    struct seda_report *r, struct sae_err *err)
{
	struct seda_limits lim = { DEFAULT_MAX_DEPTH, DEFAULT_MAX_UNITS,
	    DEFAULT_MAX_OBJECTS };
	enum seda_version v = SEDA_V21;
	xmlDocPtr doc;
	xmlNodePtr root;
	struct ps p;
	int ret = -1, rc;

	*out = NULL;
	if (limits != NULL) {
		if (limits->max_depth > 0)
			lim.max_depth = limits->max_depth;
		if (limits->max_units > 0)
			lim.max_units = limits->max_units;
		if (limits->max_objects > 0)
			lim.max_objects = limits->max_objects;
	}
	if ((doc = seda_xml_read(xml, len, lim.max_depth, "Le manifeste",
	    r)) == NULL)
		return 0;
	root = xmlDocGetRootElement(doc);
	if (root_version(root, &v) == -1) {
		char *name = seda_utf8_clean((const char *)root->name);
		char *ns = seda_utf8_clean(root->ns != NULL ?
		    (const char *)root->ns->href : "");

		seda_report_add(r, SEDA_KO, "CHECK_SEDA", "101", "Le "
		    "manifeste n'est pas un message ArchiveTransfer SEDA 2.1, "
		    "2.2 ou 2.3 : son élément racine est '%s' dans l'espace de "
		    "noms '%s'", name, ns);
		free(name);
		free(ns);
		ret = 0;
		goto out;
	}
	if (schemas != NULL) {
		rc = seda_schemas_validate_doc(schemas, v, doc,
		    "Le manifeste", r, err);
		if (rc != 1) {
			ret = rc == 0 ? 0 : -1;
			goto out;
		}
	}
	memset(&p, 0, sizeof(p));
	p.ns = seda_version_ns(v);
	p.r = r;
	p.lim = &lim;
	p.t = sae_xcalloc(1, sizeof(*p.t));
	p.t->version = v;
	p.t->mgmt.need_authorization = -1;
	parse_transfer(&p, root);
	if (p.too_many)
		seda_report_add(r, SEDA_KO, "CHECK_MANIFEST", "101", "Le "
		    "manifeste dépasse les limites de ce service : plus de %zu "
		    "unités archivistiques ou de %zu objets", lim.max_units,
		    lim.max_objects);
	else {
		check_links(&p);
		*out = p.t;
		p.t = NULL;
	}
	seda_transfer_free(p.t);
	links_done(&p.aurefs);
	links_done(&p.dorefs);
	links_done(&p.grefs);
	free(p.implicit);
	ret = 0;
out:
	xmlFreeDoc(doc);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Sniffing a manifest that could not be parsed.                      */

void
seda_sniff(const void *xml, size_t len, enum seda_version *version,
    char **message_id)
{
	static const char tag[] = "MessageIdentifier";
	const char *s = xml, *end = s + len, *q, *e;
	char *raw;
	size_t taglen = sizeof(tag) - 1;
	int i;

	*version = SEDA_V21;
	*message_id = NULL;
	for (i = SEDA_NVERSIONS - 1; i >= 0; i--)
		if (memmem(s, len, seda_version_ns(i),
		    strlen(seda_version_ns(i))) != NULL) {
			*version = i;
			break;
		}
	for (q = memmem(s, len, tag, taglen); q != NULL;
	    q = memmem(q + 1, (size_t)(end - q - 1), tag, taglen)) {
		/* A start tag: <MessageIdentifier> or <p:MessageIdentifier>. */
		if (q == s || (q[-1] != '<' && q[-1] != ':') ||
		    (size_t)(end - q) <= taglen)
			continue;
		e = q + taglen;
		while (e < end && *e != '>' && *e != '<')
			e++;
		if (e >= end || *e != '>' || e[-1] == '/')
			continue;
		q = e + 1;
		for (e = q; e < end && *e != '<'; e++)
			;
		while (q < e && (*q == ' ' || *q == '\t' || *q == '\n' ||
		    *q == '\r'))
			q++;
		while (e > q && (e[-1] == ' ' || e[-1] == '\t' ||
		    e[-1] == '\n' || e[-1] == '\r'))
			e--;
		if (e == q || e - q > 256)
			return;
		raw = sae_xstrndup(q, (size_t)(e - q));
		*message_id = seda_utf8_clean(raw);
		free(raw);
		return;
	}
}
