/*
 * ui_units.c: the "Unités" screen: the search (a GET form, a page of
 * results and a cursor to the next one), one unit's page (metadata,
 * rules, age and its dates, holds, objects, history), an object's bytes
 * and the unit's proof bundle to download.  Everything is read through
 * units.c, as the API reads it: the same search, the same verified read
 * of objects, the same proof bundle.  Reads only (a proof is journaled).
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "policies/dua.h"
#include "sae/ages.h"
#include "sae/buf.h"
#include "sae/daemon.h"
#include "sae/disposal.h"
#include "sae/log.h"
#include "sae/proof.h"
#include "sae/ui_internal.h"
#include "sae/units.h"
#include "storage/store.h"

#define PAGE_DEFAULT	50
#define PAGE_MAX	500

/* The search form's fields, named as in the API's query string. */
static const char *const fields[] = {
	"title", "producer_id", "agency", "rule", "age", "end_from", "end_to"
};

static const char *const ages[] = {
	"current", "intermediate", "definitive", "disposal", "review"
};

/* ${v} percent-encoded into ${b}, for a query string. */
static void
url_add(struct sae_buf *b, const char *v)
{
	const unsigned char *p;
	char h[4];

	for (p = (const unsigned char *)v; *p != '\0'; p++)
		if (isalnum(*p) || strchr("-._~", *p) != NULL)
			sae_buf_addc(b, (char)*p);
		else {
			snprintf(h, sizeof(h), "%%%02X", *p);
			sae_buf_adds(b, h);
		}
}

/* The field's value, or NULL when blank. */
static const char *
arg(const struct ui_call *c, const char *key)
{
	const char *v = ui_arg(c, key);

	return ui_blank(v) ? NULL : v;
}

static enum MHD_Result
search(const struct ui_call *c)
{
	const char *values[sizeof(fields) / sizeof(fields[0])];
	const char *limit_s = arg(c, "limit"), *bad = NULL, *next;
	struct units_query q;
	struct sae_buf href = SAE_BUF_INIT;
	struct sae_err err;
	json_t *res = NULL, *u;
	xmlNodePtr r, n;
	xmlDocPtr doc;
	size_t i, ok;
	char *end;
	int status = 200;

	memset(&q, 0, sizeof(q));
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		values[i] = arg(c, fields[i]);
	q.title = values[0];
	q.producer_id = values[1];
	q.agency = values[2];
	q.rule = values[3];
	q.age = values[4];
	q.end_from = values[5];
	q.end_to = values[6];
	q.after = arg(c, "after");
	q.limit = PAGE_DEFAULT;
	if (limit_s != NULL) {
		q.limit = strtol(limit_s, &end, 10);
		if (*end != '\0' || q.limit < 1 || q.limit > PAGE_MAX) {
			bad = "Le nombre de résultats par page va de 1 à 500.";
			q.limit = PAGE_DEFAULT;
		}
	}
	if (q.age != NULL) {
		for (ok = 0, i = 0; i < sizeof(ages) / sizeof(ages[0]); i++)
			ok |= !strcmp(q.age, ages[i]);
		if (!ok)
			bad = "Âge inconnu : choisissez-le dans la liste.";
	}
	if ((q.end_from != NULL && !dua_date_valid(q.end_from)) ||
	    (q.end_to != NULL && !dua_date_valid(q.end_to)))
		bad = "Une date se saisit sous la forme AAAA-MM-JJ "
		    "(par exemple 2031-12-31).";
	r = ui_doc_new(&doc, "units-page", c->s);
	n = xmlNewChild(r, NULL, X("query"), NULL);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		xmlNewTextChild(n, NULL, X(fields[i]), X(values[i] != NULL ?
		    values[i] : ""));
	ui_prop_int(n, "limit", q.limit);
	if (q.after != NULL)
		xmlNewProp(n, X("after"), X(q.after));
	if (bad != NULL) {
		xmlNewTextChild(r, NULL, X("error"), X(bad));
		return ui_render(c, 400, UI_UNITS, doc);
	}
	if (units_search(c->db, &c->s->who, &q, &res, &err) == -1) {
		xmlFreeDoc(doc);
		return ui_failed(c, &err);
	}
	n = xmlNewChild(r, NULL, X("results"), NULL);
	json_array_foreach(json_object_get(res, "units"), i, u)
		ui_scalars(xmlNewChild(n, NULL, X("unit"), NULL), u);
	if ((next = json_string_value(json_object_get(res, "next"))) != NULL) {
		/* The same search from the cursor on, built here: XSLT 1.0
		 * cannot percent-encode. */
		sae_buf_adds(&href, "/ui/units?");
		for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
			if (values[i] == NULL)
				continue;
			sae_buf_adds(&href, fields[i]);
			sae_buf_addc(&href, '=');
			url_add(&href, values[i]);
			sae_buf_addc(&href, '&');
		}
		if (limit_s != NULL) {
			sae_buf_adds(&href, "limit=");
			url_add(&href, limit_s);
			sae_buf_addc(&href, '&');
		}
		sae_buf_adds(&href, "after=");
		url_add(&href, next);
		xmlNewProp(xmlNewChild(r, NULL, X("next"), NULL), X("href"),
		    X(href.data));
		sae_buf_done(&href);
	}
	json_decref(res);
	return ui_render(c, status, UI_UNITS, doc);
}

/* ${o}'s member ${key}: each element of the array as a <${item}>. */
static void
objects_of(xmlNodePtr parent, const char *name, const char *item,
    json_t *arr)
{
	xmlNodePtr g = xmlNewChild(parent, NULL, X(name), NULL);
	json_t *v;
	size_t i;

	json_array_foreach(arr, i, v) {
		if (json_is_object(v))
			ui_scalars(xmlNewChild(g, NULL, X(item), NULL), v);
		else if (json_is_string(v))
			xmlNewTextChild(g, NULL, X(item),
			    X(json_string_value(v)));
	}
}

/* One date of the unit's life as <step kind date/>, when it has one. */
static void
step(xmlNodePtr tl, const char *kind, json_t *date)
{
	xmlNodePtr n;

	if (!json_is_string(date) || json_string_length(date) == 0)
		return;
	n = xmlNewChild(tl, NULL, X("step"), NULL);
	xmlNewProp(n, X("kind"), X(kind));
	xmlNewProp(n, X("date"), X(json_string_value(date)));
}

/* "1 an", "6 mois", "30 jours" from a rule's duration and measure. */
static void
duration_fr(xmlNodePtr n, json_t *rule_duration)
{
	const char *d = json_string_value(rule_duration);
	long long v;
	char unit[16], b[64];

	if (d == NULL)
		return;
	if (sscanf(d, "%lld %15s", &v, unit) == 2) {
		snprintf(b, sizeof(b), "%lld %s", v, !strcasecmp(unit, "YEAR") ?
		    (v > 1 ? "ans" : "an") : !strcasecmp(unit, "MONTH") ?
		    "mois" : !strcasecmp(unit, "DAY") ? (v > 1 ? "jours" :
		    "jour") : unit);
		d = b;
	}
	xmlNewTextChild(n, NULL, X("duration"), X(d));
}

/* What remains of a unit that left: a 410 page. */
static enum MHD_Result
tombstone(const struct ui_call *c, const char *id)
{
	struct sae_err err;
	xmlNodePtr r, t;
	xmlDocPtr doc;
	json_t *o;

	if (disposal_tombstone(c->db, id, &o, &err) == -1)
		return ui_failed(c, &err);
	r = ui_doc_new(&doc, "unit-page", c->s);
	t = xmlNewChild(r, NULL, X("tombstone"), NULL);
	ui_scalars(t, o);
	objects_of(t, "objects", "object", json_object_get(o, "objects"));
	json_decref(o);
	return ui_render(c, 410, UI_UNIT, doc);
}

static enum MHD_Result
unit_page(const struct ui_call *c, const char *id)
{
	json_t *u = NULL, *det = NULL, *hist = NULL, *v, *fmt;
	struct sae_err err;
	enum MHD_Result ret;
	xmlNodePtr r, n, e, g;
	xmlDocPtr doc;
	char today[11], *text;
	size_t i;

	if (units_json(c->db, id, &c->s->who, &u, &err) == -1) {
		if (err.code == SAE_ENOTFOUND)
			return ui_message(c, 404, "Introuvable", "Aucune unité "
			    "ne porte cet identifiant.");
		return ui_failed(c, &err);
	}
	if (strcmp(json_string_value(json_object_get(u, "state")),
	    "alive") != 0) {
		json_decref(u);
		return tombstone(c, id);
	}
	if (units_detail(c->db, id, &det, &err) == -1 ||
	    units_history(c->db, id, &hist, &err) == -1) {
		ret = ui_failed(c, &err);
		goto out;
	}
	ages_today(today);
	r = ui_doc_new(&doc, "unit-page", c->s);
	xmlNewProp(r, X("today"), X(today));
	n = xmlNewChild(r, NULL, X("unit"), NULL);
	ui_scalars(n, u);
	ui_scalars(n, det);
	ui_scalars(xmlNewChild(n, NULL, X("dates"), NULL),
	    json_object_get(u, "dates"));
	duration_fr(n, json_object_get(det, "rule_duration"));
	g = xmlNewChild(n, NULL, X("timeline"), NULL);
	step(g, "archived", json_object_get(u, "created"));
	step(g, "dua_start", json_object_get(u, "start_date"));
	step(g, "current_end", json_object_get(det, "current_end"));
	step(g, "dua_end", json_object_get(u, "end_date"));
	step(g, "hold_end", json_object_get(u, "hold_rule_end"));
	objects_of(n, "ancestors", "unit", json_object_get(det, "ancestors"));
	objects_of(n, "children", "unit", json_object_get(det, "children"));
	objects_of(n, "rules", "rule", json_object_get(det, "declared_rules"));
	objects_of(n, "holds", "hold", json_object_get(u, "holds"));
	objects_of(n, "inherited-holds", "hold", json_object_get(det,
	    "inherited_holds"));
	objects_of(n, "descendant-holds", "hold", json_object_get(det,
	    "descendant_holds"));
	g = xmlNewChild(n, NULL, X("objects"), NULL);
	json_array_foreach(json_object_get(u, "objects"), i, v) {
		e = xmlNewChild(g, NULL, X("object"), NULL);
		ui_scalars(e, v);
		fmt = json_object_get(json_object_get(v, "format"),
		    "identified");
		if (json_is_string(json_object_get(fmt, "description")))
			xmlNewTextChild(e, NULL, X("format_name"),
			    X(json_string_value(json_object_get(fmt,
			    "description"))));
		if (json_is_string(json_object_get(fmt, "puid")))
			xmlNewTextChild(e, NULL, X("puid"),
			    X(json_string_value(json_object_get(fmt, "puid"))));
	}
	g = xmlNewChild(n, NULL, X("history"), NULL);
	json_array_foreach(hist, i, v) {
		e = xmlNewChild(g, NULL, X("event"), NULL);
		ui_scalars(e, v);
		if (json_object_size(json_object_get(v, "detail")) > 0 &&
		    (text = json_dumps(json_object_get(v, "detail"),
		    JSON_COMPACT | JSON_PRESERVE_ORDER)) != NULL) {
			xmlNewTextChild(e, NULL, X("detail"), X(text));
			free(text);
		}
	}
	/* As in the API: admins build proofs on the server (sae-admin). */
	if (c->s->who.role != ROLE_ADMIN)
		xmlNewChild(r, NULL, X("can-proof"), NULL);
	ret = ui_render(c, 200, UI_UNIT, doc);
out:
	json_decref(u);
	json_decref(det);
	json_decref(hist);
	return ret;
}

static enum MHD_Result
proof(const struct ui_call *c, const char *id)
{
	const char *objects = ui_arg(c, "objects");
	struct proof_result pr;
	struct proof_opts po;
	struct sae_err err;
	char name[64];
	int fd;

	if (c->s->who.role == ROLE_ADMIN)
		return ui_message(c, 403, "Action refusée", "Un administrateur "
		    "produit les paquets de preuve sur le serveur (sae-admin "
		    "proof) ; un auditeur ou un archiviste peut les "
		    "télécharger ici.");
	po.who = &c->s->who;
	po.agent = c->s->who.name;
	po.objects = objects != NULL && !strcmp(objects, "1");
	if (units_proof(c->d, c->db, id, &po, &fd, &pr, &err) == -1) {
		if (err.code == SAE_ENOTFOUND)
			return ui_message(c, 404, "Introuvable", "Aucune unité "
			    "ne porte cet identifiant.");
		return ui_failed(c, &err);
	}
	snprintf(name, sizeof(name), "proof-%s.zip", id);
	return ui_send_fd(c, "application/zip", fd, pr.size, name);
}

enum MHD_Result
ui_units_get(const struct ui_call *c)
{
	char id[SAE_ID_LEN + 1];

	if (c->rest[0] == '\0')
		return search(c);
	if (ui_id(c->rest, "", id))
		return unit_page(c, id);
	if (ui_id(c->rest, "/proof", id))
		return proof(c, id);
	return ui_message(c, 404, "Introuvable", "Cette page n'existe pas.");
}

enum MHD_Result
ui_units_post(const struct ui_call *c)
{
	return ui_message(c, 404, "Introuvable",
	    "Aucune action à cette adresse.");
}

/* The download's name: the object's id, with the extension it was sent
 * with when that is plain (the header is not quoted beyond this). */
static void
download_name(char *out, size_t size, const char *id, const char *filename)
{
	const char *dot = strrchr(filename, '.');
	size_t i, n;

	n = dot != NULL ? strlen(dot + 1) : 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)dot[1 + i]))
			n = 0;
	if (n == 0 || n > 10)
		snprintf(out, size, "%s", id);
	else
		snprintf(out, size, "%s.%s", id, dot + 1);
}

enum MHD_Result
ui_objects_get(const struct ui_call *c)
{
	char id[SAE_ID_LEN + 1], name[64];
	struct units_object o;
	struct sae_err err;

	if (!ui_id(c->rest, "", id))
		return ui_message(c, 404, "Introuvable",
		    "Cette page n'existe pas.");
	if (units_object_open(c->db, c->d->store, &c->s->who, id, &o,
	    &err) == -1) {
		if (o.gone)
			return ui_message(c, 410, "Objet éliminé", "Cet objet a "
			    "quitté l'archive avec son unité (élimination "
			    "approuvée, ou transfert vers une autre archive).");
		if (err.code == SAE_ENOTFOUND)
			return ui_message(c, 404, "Introuvable", "Aucun objet "
			    "numérique ne porte cet identifiant.");
		sae_log_err(LOG_ERR, &err, "ui object id=%s", id);
		return ui_message(c, 500, "Objet illisible", "Aucune copie "
		    "intègre de cet objet n'a pu être lue ; l'exploitant en "
		    "est averti.");
	}
	/* As the API: the copy was read whole and checked before this, and
	 * one that changes while it is sent ends the stream with an error. */
	sae_log(LOG_INFO, "ui object id=%s size=%llu by=%s", id,
	    (unsigned long long)o.size, c->s->who.name);
	download_name(name, sizeof(name), id, o.filename);
	return ui_send_reader(c, o.mime, o.reader, o.size, name);
}
