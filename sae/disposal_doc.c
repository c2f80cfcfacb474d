/*
 * disposal_doc.c: the bordereau d'élimination as a printable HTML page in
 * French, what the archives service signs: the services involved, every
 * line with its rule and dates, totals, the decision and room for the
 * visa.  Built with the libxml2 tree API, so every text is escaped by
 * construction.  Reads a list through disposal_get.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libxml/HTMLtree.h>
#include <libxml/tree.h>

#include "sae/conf.h"
#include "sae/disposal.h"

static const char style[] =
    "body{font-family:sans-serif;margin:2em;color:#111}"
    "h1{font-size:1.4em}table{border-collapse:collapse;width:100%}"
    "th,td{border:1px solid #555;padding:.25em .4em;font-size:.85em;"
    "vertical-align:top;text-align:left}th{background:#e8e8e8}"
    "td.n{text-align:right}tr.excluded td{color:#555;"
    "text-decoration:line-through}dl{display:grid;grid-template-columns:"
    "max-content auto;gap:.2em 1em}dt{font-weight:bold}"
    ".visa{margin-top:2em;border:1px solid #555;padding:1em;min-height:6em}"
    "@media print{body{margin:0}a{color:#111}}";

static xmlNodePtr
el(xmlNodePtr parent, const char *name, const char *text)
{
	return xmlNewTextChild(parent, NULL, (const xmlChar *)name,
	    (const xmlChar *)text);
}

static void
attr(xmlNodePtr n, const char *name, const char *value)
{
	xmlNewProp(n, (const xmlChar *)name, (const xmlChar *)value);
}

static const char *
s_of(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

static long long
n_of(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

/* "12 345 678 octets (11,8 Mio)" */
static void
size_text(char *out, size_t len, long long bytes)
{
	static const char *const unit[] = { "Kio", "Mio", "Gio", "Tio" };
	double v = (double)bytes;
	int u = -1;

	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(out, len, "%lld octets", bytes);
	else
		snprintf(out, len, "%lld octets (%.1f %s)", bytes, v, unit[u]);
}

static const char *
state_fr(const char *s)
{
	static const struct { const char *en, *fr; } t[] = {
		{ "proposed", "proposé, en attente de visa" },
		{ "approved", "approuvé, en attente d'exécution" },
		{ "rejected", "refusé" },
		{ "executing", "en cours d'exécution" },
		{ "executed", "exécuté" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(s, t[i].en))
			return t[i].fr;
	return s;
}

static void
dl_item(xmlNodePtr dl, const char *term, const char *value)
{
	if (value == NULL || value[0] == '\0')
		return;
	el(dl, "dt", term);
	el(dl, "dd", value);
}

static void
head_row(xmlNodePtr thead)
{
	static const char *const cols[] = { "N°", "Identifiant (SAE)",
	    "Identifiant producteur", "Intitulé", "Dates extrêmes",
	    "Règle de gestion", "Durée", "Début", "Fin", "Sort final",
	    "Objets", "Taille (octets)", "Contrôle des gels", "Décision" };
	xmlNodePtr tr = el(thead, "tr", NULL);
	size_t i;

	for (i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		attr(el(tr, "th", cols[i]), "scope", "col");
}

static void
line_row(xmlNodePtr tbody, json_t *l, size_t i)
{
	char buf[256];
	int excluded = json_is_true(json_object_get(l, "excluded"));
	const char *outcome = s_of(l, "outcome");
	xmlNodePtr tr = el(tbody, "tr", NULL);

	if (excluded)
		attr(tr, "class", "excluded");
	snprintf(buf, sizeof(buf), "%zu", i + 1);
	attr(el(tr, "td", buf), "class", "n");
	el(tr, "td", s_of(l, "id"));
	el(tr, "td", s_of(l, "xml_id"));
	el(tr, "td", s_of(l, "title"));
	snprintf(buf, sizeof(buf), "%s – %s", s_of(l, "start_date"),
	    s_of(l, "end_date"));
	el(tr, "td", buf);
	snprintf(buf, sizeof(buf), "%s %s", s_of(l, "rule"),
	    s_of(l, "rule_label"));
	el(tr, "td", buf);
	el(tr, "td", !strcmp(s_of(l, "rule_duration"), "unlimited") ?
	    "illimitée" : s_of(l, "rule_duration"));
	el(tr, "td", s_of(l, "rule_start"));
	el(tr, "td", s_of(l, "rule_end"));
	el(tr, "td", !strcmp(s_of(l, "final_action"), "Destroy") ?
	    "Destruction" : s_of(l, "final_action"));
	snprintf(buf, sizeof(buf), "%lld", n_of(l, "objects"));
	attr(el(tr, "td", buf), "class", "n");
	snprintf(buf, sizeof(buf), "%lld", n_of(l, "bytes"));
	attr(el(tr, "td", buf), "class", "n");
	el(tr, "td", s_of(l, "hold_check"));
	if (excluded)
		el(tr, "td", "Exclue : conservée");
	else if (!strcmp(outcome, "destroyed"))
		el(tr, "td", "Éliminée");
	else if (!strcmp(outcome, "kept")) {
		snprintf(buf, sizeof(buf), "Conservée : %s",
		    s_of(l, "outcome_reason"));
		el(tr, "td", buf);
	} else
		el(tr, "td", "À éliminer");
}

static void
totals(xmlNodePtr table, json_t *lines)
{
	long long objects = 0, bytes = 0, dobj = 0, dbytes = 0;
	size_t i, kept = 0;
	char buf[256], size[96];
	xmlNodePtr tr, td;
	json_t *l;

	json_array_foreach(lines, i, l) {
		objects += n_of(l, "objects");
		bytes += n_of(l, "bytes");
		if (json_is_true(json_object_get(l, "excluded")) ||
		    !strcmp(s_of(l, "outcome"), "kept")) {
			kept++;
			continue;
		}
		dobj += n_of(l, "objects");
		dbytes += n_of(l, "bytes");
	}
	tr = el(el(table, "tfoot", NULL), "tr", NULL);
	attr(el(tr, "th", "Totaux"), "scope", "row");
	size_text(size, sizeof(size), bytes);
	snprintf(buf, sizeof(buf), "%zu unité(s), %lld objet(s), %s ; hors "
	    "exclusions : %zu unité(s) à éliminer, %lld objet(s), ",
	    json_array_size(lines), objects, size, json_array_size(lines) -
	    kept, dobj);
	size_text(size, sizeof(size), dbytes);
	strncat(buf, size, sizeof(buf) - strlen(buf) - 1);
	td = el(tr, "td", buf);
	attr(td, "colspan", "13");
}

int
disposal_bordereau(sqlite3 *db, const struct sae_config *cfg, const char *id,
    struct sae_buf *out, struct sae_err *err)
{
	xmlNodePtr html, head, body, dl, table, n;
	json_t *o, *lines, *l;
	xmlOutputBufferPtr ob;
	char title[128];
	xmlDocPtr doc;
	size_t i;

	if (disposal_get(db, id, &o, err) == -1)
		return -1;
	lines = json_object_get(o, "units");
	if ((doc = htmlNewDocNoDtD(NULL, NULL)) == NULL)
		abort();
	xmlCreateIntSubset(doc, (const xmlChar *)"html", NULL, NULL);
	html = xmlNewDocNode(doc, NULL, (const xmlChar *)"html", NULL);
	xmlDocSetRootElement(doc, html);
	attr(html, "lang", "fr");
	head = el(html, "head", NULL);
	attr(el(head, "meta", NULL), "charset", "utf-8");
	snprintf(title, sizeof(title), "Bordereau d'élimination %s", id);
	el(head, "title", title);
	el(head, "style", style);
	body = el(html, "body", NULL);
	el(body, "h1", title);
	dl = el(body, "dl", NULL);
	dl_item(dl, "Service d'archives", cfg->archival_agency);
	dl_item(dl, "Service producteur", json_is_string(json_object_get(o,
	    "agency")) ? s_of(o, "agency") : "non précisé");
	dl_item(dl, "Autorité de contrôle", cfg->control_authority);
	dl_item(dl, "Établi le", s_of(o, "created"));
	dl_item(dl, "Établi par", s_of(o, "created_by"));
	dl_item(dl, "Éligibilité évaluée au", s_of(o, "evaluated"));
	dl_item(dl, "État", state_fr(s_of(o, "state")));
	dl_item(dl, "Référence du visa", s_of(o, "visa"));
	dl_item(dl, "Décision prise le", s_of(o, "decided"));
	dl_item(dl, "Décision prise par", s_of(o, "decided_by"));
	dl_item(dl, "Commentaire", s_of(o, "comment"));
	dl_item(dl, "Motif du refus", s_of(o, "reason"));
	dl_item(dl, "Exécuté le", s_of(o, "executed"));
	el(body, "p", "Les unités d'archives ci-dessous ont atteint le terme "
	    "de leur durée d'utilité administrative avec un sort final de "
	    "destruction. Aucune n'est sous gel, ni n'a d'ascendant ou de "
	    "descendant sous gel ou à conserver. Aucune ne sera détruite sans "
	    "le visa de l'autorité de contrôle (Code du patrimoine, art. "
	    "R212-14).");
	table = el(body, "table", NULL);
	el(table, "caption", "Unités d'archives proposées à l'élimination");
	head_row(el(table, "thead", NULL));
	totals(table, lines);
	n = el(table, "tbody", NULL);
	json_array_foreach(lines, i, l)
		line_row(n, l, i);
	n = el(body, "div", NULL);
	attr(n, "class", "visa");
	el(n, "p", "Visa de l'autorité de contrôle (nom, qualité, date, "
	    "signature) :");
	/* UTF-8 out, not entities: libxml2 does not read <meta charset>. */
	ob = xmlAllocOutputBuffer(NULL);
	if (ob != NULL)
		htmlDocContentDumpFormatOutput(ob, doc, "UTF-8", 1);
	xmlFreeDoc(doc);
	json_decref(o);
	if (ob == NULL || xmlOutputBufferGetSize(ob) == 0) {
		if (ob != NULL)
			xmlOutputBufferClose(ob);
		return sae_err_set(err, SAE_EINTERNAL, "libxml2 could not "
		    "write the bordereau");
	}
	sae_buf_add(out, xmlOutputBufferGetContent(ob),
	    xmlOutputBufferGetSize(ob));
	xmlOutputBufferClose(ob);
	return 0;
}
