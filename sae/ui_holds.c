/*
 * ui_holds.c: the "Gels" screen: the active holds, each with a form to
 * lift it (a reason is required), the ended ones (lifted, or past their
 * end date), and the form to place a hold on a unit with its reason,
 * reference and optional end date.  Holds go through holds.c as the API's
 * do, under the signed-in token's name; the rest only reads.
 */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policies/dua.h"
#include "sae/ages.h"
#include "sae/catalog.h"
#include "sae/holds.h"
#include "sae/log.h"
#include "sae/ui_internal.h"

/* A posted form shown again, with what was wrong with it. */
struct holds_form {
	const char	*what;		/* "place" or "lift" */
	const char	*hold;		/* the hold being lifted */
	const char	*unit, *reason, *reference, *until;
	const char	*error;
	char		 msg[600];	/* when the error is built */
};

/* Adds each hold of ${holds} with its unit's title. */
static int
hold_nodes(sqlite3 *db, xmlNodePtr r, json_t *holds, struct sae_err *err)
{
	sqlite3_stmt *st;
	xmlNodePtr n;
	json_t *h;
	size_t i;

	if ((st = catalog_prepare(db, "SELECT title FROM unit WHERE id = ?",
	    err)) == NULL)
		return -1;
	json_array_foreach(holds, i, h) {
		n = xmlNewChild(r, NULL, X("hold"), NULL);
		ui_scalars(n, h);
		sqlite3_reset(st);
		catalog_bind_text(st, 1, json_string_value(json_object_get(h,
		    "unit")));
		if (sqlite3_step(st) == SQLITE_ROW)
			xmlNewTextChild(n, NULL, X("title"),
			    X(catalog_text(st, 0)));
	}
	sqlite3_finalize(st);
	return 0;
}

static xmlDocPtr
holds_page(const struct ui_call *c, const struct holds_form *f,
    struct sae_err *err)
{
	const char *placed = ui_arg(c, "placed"), *lifted = ui_arg(c, "lifted");
	const char *unit = ui_arg(c, "unit");
	json_t *holds;
	xmlNodePtr r, n;
	xmlDocPtr doc;
	char today[11];

	ages_today(today);
	if (hold_list(c->db, NULL, today, &holds, err) == -1)
		return NULL;
	r = ui_doc_new(&doc, "holds", c->s);
	xmlNewProp(r, X("date"), X(today));
	if (f == NULL) {
		/* After a redirect: what was just done.  Ids only. */
		if (placed != NULL && sae_id_valid(placed))
			xmlNewProp(xmlNewChild(r, NULL, X("notice"), NULL),
			    X("placed"), X(placed));
		if (lifted != NULL && sae_id_valid(lifted))
			xmlNewProp(xmlNewChild(r, NULL, X("notice"), NULL),
			    X("lifted"), X(lifted));
		/* "Geler cette unité" from another page. */
		if (unit != NULL && sae_id_valid(unit))
			xmlNewTextChild(xmlNewChild(r, NULL, X("place"), NULL),
			    NULL, X("unit"), X(unit));
	} else {
		n = xmlNewChild(r, NULL, X(f->what), NULL);
		if (f->hold != NULL)
			xmlNewProp(n, X("hold"), X(f->hold));
		if (f->unit != NULL)
			xmlNewTextChild(n, NULL, X("unit"), X(f->unit));
		if (f->reason != NULL)
			xmlNewTextChild(n, NULL, X("reason"), X(f->reason));
		if (f->reference != NULL)
			xmlNewTextChild(n, NULL, X("reference"),
			    X(f->reference));
		if (f->until != NULL)
			xmlNewTextChild(n, NULL, X("until"), X(f->until));
		if (f->error != NULL)
			xmlNewTextChild(n, NULL, X("error"), X(f->error));
	}
	if (hold_nodes(c->db, r, holds, err) == -1) {
		json_decref(holds);
		xmlFreeDoc(doc);
		return NULL;
	}
	json_decref(holds);
	return doc;
}

enum MHD_Result
ui_holds_get(const struct ui_call *c)
{
	struct sae_err err;
	xmlDocPtr doc;

	if (c->rest[0] != '\0')
		return ui_message(c, 404, "Introuvable",
		    "Cette page n'existe pas.");
	if ((doc = holds_page(c, NULL, &err)) == NULL)
		return ui_failed(c, &err);
	return ui_render(c, 200, UI_HOLDS, doc);
}

static enum MHD_Result
again(const struct ui_call *c, int status, const struct holds_form *f)
{
	struct sae_err err;
	xmlDocPtr doc;

	if ((doc = holds_page(c, f, &err)) == NULL)
		return ui_failed(c, &err);
	return ui_render(c, status, UI_HOLDS, doc);
}

/* ${v} without the white space around it, in ${b}; NULL when blank. */
static const char *
trimmed(const char *v, char *b, size_t size)
{
	size_t n;

	if (ui_blank(v))
		return NULL;
	v += strspn(v, " \t\r\n");
	n = strlen(v);
	while (n > 0 && strchr(" \t\r\n", v[n - 1]) != NULL)
		n--;
	if (n >= size)
		n = size - 1;
	memcpy(b, v, n);
	b[n] = '\0';
	return b;
}

static enum MHD_Result
place(const struct ui_call *c)
{
	struct hold_request hr;
	struct holds_form f;
	struct sae_err err;
	char id[SAE_ID_LEN + 1], unit[128], until[32], today[11], to[64];

	memset(&f, 0, sizeof(f));
	f.what = "place";
	f.unit = ui_form(c, "unit");
	f.reason = ui_form(c, "reason");
	f.reference = ui_form(c, "reference");
	f.until = ui_form(c, "until");
	memset(&hr, 0, sizeof(hr));
	hr.unit = trimmed(f.unit, unit, sizeof(unit));
	hr.reason = f.reason;
	hr.reference = ui_blank(f.reference) ? NULL : f.reference;
	hr.until = trimmed(f.until, until, sizeof(until));
	ages_today(today);
	if (hr.unit == NULL)
		f.error = "Indiquez l'identifiant de l'unité à geler.";
	else if (ui_blank(hr.reason))
		f.error = "Le motif du gel est obligatoire.";
	else if (hr.until != NULL && !dua_date_valid(hr.until))
		f.error = "La date de fin du gel doit être une date réelle "
		    "au format AAAA-MM-JJ.";
	else if (hr.until != NULL && strcmp(hr.until, today) <= 0)
		f.error = "La date de fin du gel doit être postérieure à "
		    "aujourd'hui : sinon le gel ne protégerait rien.";
	if (f.error != NULL)
		return again(c, 400, &f);
	if (hold_place(c->db, &hr, c->s->who.name, id, &err) == -1) {
		if (err.code == SAE_ENOTFOUND) {
			snprintf(f.msg, sizeof(f.msg), "Aucune unité « %s » : "
			    "identifiant inconnu, ou unité détruite.", hr.unit);
			f.error = f.msg;
			return again(c, 404, &f);
		}
		if (err.code == SAE_EINVAL) {
			f.error = err.msg;
			return again(c, 400, &f);
		}
		return ui_failed(c, &err);
	}
	sae_log(LOG_INFO, "hold place id=%s unit=%s by=%s via=ui", id, hr.unit,
	    c->s->who.name);
	snprintf(to, sizeof(to), "/ui/holds?placed=%s", id);
	return ui_redirect(c, to);
}

static enum MHD_Result
lift(const struct ui_call *c, const char *id)
{
	struct holds_form f;
	struct sae_err err;
	char to[64];

	memset(&f, 0, sizeof(f));
	f.what = "lift";
	f.hold = id;
	f.reason = ui_form(c, "reason");
	if (ui_blank(f.reason)) {
		f.error = "Le motif de la levée du gel est obligatoire.";
		return again(c, 400, &f);
	}
	if (hold_lift(c->db, id, f.reason, c->s->who.name, &err) == -1) {
		if (err.code == SAE_ENOTFOUND) {
			f.error = "Aucun gel actif sous cet identifiant : il a "
			    "peut-être déjà été levé.";
			return again(c, 404, &f);
		}
		if (err.code == SAE_EINVAL) {
			f.error = err.msg;
			return again(c, 400, &f);
		}
		return ui_failed(c, &err);
	}
	sae_log(LOG_INFO, "hold lift id=%s by=%s via=ui", id, c->s->who.name);
	snprintf(to, sizeof(to), "/ui/holds?lifted=%s", id);
	return ui_redirect(c, to);
}

enum MHD_Result
ui_holds_post(const struct ui_call *c)
{
	char id[SAE_ID_LEN + 1];
	int placing = c->rest[0] == '\0';

	if (!placing && !ui_id(c->rest, "/lift", id))
		return ui_message(c, 404, "Introuvable",
		    "Aucune action à cette adresse.");
	if (c->s->who.role != ROLE_ARCHIVIST)
		return ui_message(c, 403, "Action refusée",
		    "Seul un archiviste peut poser ou lever un gel.");
	return placing ? place(c) : lift(c, id);
}
