/*
 * ui_review.c: the "À trier" screen: the units whose age is "review" (DUA
 * ended with final action Sort, or conflicting final actions), a page at a
 * time, each with its rule's sorting criterion and a checkbox; one form
 * decides keep or destroy, with a motivation, for every checked unit; the
 * last decisions below.  Decisions go through disposal_decide as the
 * API's do, under the signed-in token's name; the rest only reads.
 */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sae/ages.h"
#include "sae/catalog.h"
#include "sae/daemon.h"
#include "sae/disposal.h"
#include "sae/log.h"
#include "sae/scheduler.h"
#include "sae/ui_internal.h"

#define PAGE_DEFAULT	50
#define PAGE_MAX	500
#define RECENT		20	/* last decisions shown */
#define BULK_MAX	1000	/* units in one decision */

/* A posted form, shown again with what became of it. */
struct review_form {
	const char	*decision;
	const char	*comment;
	const char	**units;
	size_t		 nunits;
	const char	*error;		/* the whole form was refused */
	xmlNodePtr	 results;	/* <results>, moved into the page */
};

/* Each row of ${st} as <${name}> with its columns as children. */
static int
rows(sqlite3 *db, sqlite3_stmt *st, xmlNodePtr parent, const char *name,
    size_t max, size_t *n, struct sae_err *err)
{
	json_t *o;
	int rc;

	*n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == max) {
			rc = SQLITE_DONE;
			(*n)++;	/* one more than asked: there is a next page */
			break;
		}
		o = catalog_row_json(st);
		ui_scalars(xmlNewChild(parent, NULL, X(name), NULL), o);
		json_decref(o);
		(*n)++;
	}
	if (rc != SQLITE_DONE)
		return catalog_fail(err, db, name);
	return 0;
}

static long
page_limit(const char *s)
{
	char *end;
	long v;

	if (s == NULL)
		return PAGE_DEFAULT;
	v = strtol(s, &end, 10);
	if (end == s || *end != '\0' || v < 1)
		return PAGE_DEFAULT;
	return v > PAGE_MAX ? PAGE_MAX : v;
}

/* <unit> per unit awaiting review after cursor ${after}, and <next>. */
static int
review_units(const struct ui_call *c, xmlNodePtr r, const char *today,
    struct sae_err *err)
{
	const char *after = ui_arg(c, "after");
	long limit = page_limit(ui_arg(c, "limit"));
	sqlite3_stmt *st;
	xmlNodePtr last;
	size_t n;
	int rc;

	if (after != NULL && !sae_id_valid(after))
		after = NULL;
	if ((st = catalog_prepare(c->db, "SELECT count(*) FROM unit WHERE "
	    "age = 'review' AND state = 'alive'", err)) == NULL)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		ui_prop_int(r, "total", sqlite3_column_int64(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return catalog_fail(err, c->db, "review count");
	ui_prop_int(r, "limit", limit);
	if (after != NULL)
		xmlNewProp(r, X("after"), X(after));
	/* Oldest DUA end first: the longest waiting.  The cursor is the
	 * last unit shown, placed by the same order. */
	if ((st = catalog_prepare(c->db, "SELECT u.id AS id, u.title AS title, "
	    "u.agency AS agency, u.level AS level, u.rule AS rule, r.value AS "
	    "rule_label, r.description AS criterion, u.rule_start AS "
	    "rule_start, u.rule_end AS rule_end, u.final_action AS "
	    "final_action, (SELECT p.title FROM unit_parent up JOIN unit p ON "
	    "p.seq = up.parent WHERE up.unit = u.seq ORDER BY p.seq LIMIT 1) "
	    "AS parent, CASE WHEN u.held OR EXISTS (SELECT 1 FROM hold h WHERE "
	    "h.unit = u.seq AND h.lifted IS NULL AND (h.until IS NULL OR "
	    "h.until > ?1)) THEN 'true' END AS held FROM unit u LEFT JOIN rule "
	    "r ON r.id = u.rule WHERE u.state = 'alive' AND u.age = 'review' "
	    "AND (?2 IS NULL OR (coalesce(u.rule_end, ''), u.seq) > (SELECT "
	    "coalesce(rule_end, ''), seq FROM unit WHERE id = ?2)) ORDER BY "
	    "coalesce(u.rule_end, ''), u.seq LIMIT ?3", err)) == NULL)
		return -1;
	catalog_bind_text(st, 1, today);
	catalog_bind_text(st, 2, after);
	sqlite3_bind_int64(st, 3, limit + 1);
	rc = rows(c->db, st, r, "unit", (size_t)limit, &n, err);
	sqlite3_finalize(st);
	if (rc == -1)
		return -1;
	if (n > (size_t)limit && (last = xmlGetLastChild(r)) != NULL) {
		xmlChar *id = NULL;
		xmlNodePtr k;

		for (k = last->children; k != NULL; k = k->next)
			if (k->type == XML_ELEMENT_NODE &&
			    xmlStrEqual(k->name, X("id")))
				id = xmlNodeGetContent(k);
		if (id != NULL) {
			xmlNewProp(xmlNewChild(r, NULL, X("next"), NULL),
			    X("after"), id);
			xmlFree(id);
		}
	}
	return 0;
}

/* <recent> with the last decisions taken, whoever took them. */
static int
recent(const struct ui_call *c, xmlNodePtr r, struct sae_err *err)
{
	sqlite3_stmt *st;
	size_t n;
	int rc;

	if ((st = catalog_prepare(c->db, "SELECT u.id AS unit, u.title AS "
	    "title, d.decision AS decision, d.comment AS comment, d.decided_by "
	    "AS decided_by, d.decided AS decided, u.age AS age, u.state AS "
	    "state FROM decision d JOIN unit u ON u.seq = d.unit ORDER BY "
	    "d.decided DESC, d.unit DESC LIMIT ?1", err)) == NULL)
		return -1;
	sqlite3_bind_int(st, 1, RECENT);
	rc = rows(c->db, st, xmlNewChild(r, NULL, X("recent"), NULL),
	    "decision", RECENT, &n, err);
	sqlite3_finalize(st);
	return rc;
}

/* A count from the query string after a redirect ("?kept=2"), or -1. */
static long
count_arg(const struct ui_call *c, const char *key)
{
	const char *s = ui_arg(c, key);

	if (s == NULL || *s == '\0' || strlen(s) > 6 ||
	    s[strspn(s, "0123456789")] != '\0')
		return -1;
	return strtol(s, NULL, 10);
}

static xmlDocPtr
review_page(const struct ui_call *c, struct review_form *f,
    struct sae_err *err)
{
	xmlDocPtr doc;
	xmlNodePtr r, n;
	char today[11];
	long k;
	size_t i;

	ages_today(today);
	r = ui_doc_new(&doc, "review", c->s);
	xmlNewProp(r, X("date"), X(today));
	if (f == NULL) {
		if ((k = count_arg(c, "kept")) >= 0)
			ui_prop_int(xmlNewChild(r, NULL, X("notice"), NULL),
			    "kept", k);
		if ((k = count_arg(c, "destroyed")) >= 0)
			ui_prop_int(xmlNewChild(r, NULL, X("notice"), NULL),
			    "destroyed", k);
	} else {
		n = xmlNewChild(r, NULL, X("form"), NULL);
		if (f->decision != NULL)
			xmlNewProp(n, X("decision"), X(f->decision));
		xmlNewTextChild(n, NULL, X("comment"), X(f->comment != NULL ?
		    f->comment : ""));
		for (i = 0; i < f->nunits; i++)
			xmlNewTextChild(n, NULL, X("checked"), X(f->units[i]));
		if (f->error != NULL)
			xmlNewTextChild(r, NULL, X("error"), X(f->error));
		if (f->results != NULL) {
			xmlAddChild(r, f->results);
			f->results = NULL;
		}
	}
	if (review_units(c, r, today, err) == -1 || recent(c, r, err) == -1) {
		xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}

enum MHD_Result
ui_review_get(const struct ui_call *c)
{
	struct sae_err err;
	xmlDocPtr doc;

	if (c->rest[0] != '\0')
		return ui_message(c, 404, "Introuvable",
		    "Cette page n'existe pas.");
	if ((doc = review_page(c, NULL, &err)) == NULL)
		return ui_failed(c, &err);
	return ui_render(c, 200, UI_REVIEW, doc);
}

/* The page again, with the form as sent and what went wrong. */
static enum MHD_Result
again(const struct ui_call *c, int status, struct review_form *f)
{
	struct sae_err err;
	xmlDocPtr doc;

	if ((doc = review_page(c, f, &err)) == NULL)
		return ui_failed(c, &err);
	return ui_render(c, status, UI_REVIEW, doc);
}

/* Why unit ${id} could not be decided, for the archivist. */
static void
failure(const struct ui_call *c, xmlNodePtr results, const char *id,
    const struct sae_err *e)
{
	xmlNodePtr n = xmlNewTextChild(results, NULL, X("failed"), NULL);
	sqlite3_stmt *st;
	struct sae_err err;

	xmlNewProp(n, X("unit"), X(id));
	xmlNewProp(n, X("code"), X(e->code == SAE_ENOTFOUND ? "notfound" :
	    e->code == SAE_EEXIST ? "decided" : "other"));
	if (e->code != SAE_ENOTFOUND && e->code != SAE_EEXIST)
		xmlNodeAddContent(n, X(e->msg));
	st = catalog_prepare(c->db, "SELECT title, age, state FROM unit WHERE "
	    "id = ?", &err);
	if (st == NULL)
		return;
	catalog_bind_text(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		xmlNewProp(n, X("title"), X(catalog_text(st, 0)));
		xmlNewProp(n, X("age"), X(catalog_text(st, 1)));
		xmlNewProp(n, X("state"), X(catalog_text(st, 2)));
	}
	sqlite3_finalize(st);
}

static enum MHD_Result
decide(const struct ui_call *c)
{
	struct review_form f;
	struct sae_err err;
	enum MHD_Result ret;
	size_t i, j, ok = 0, failed = 0;
	int status = 200;
	char to[64];

	memset(&f, 0, sizeof(f));
	f.decision = ui_form(c, "decision");
	f.comment = ui_form(c, "comment");
	f.units = ui_form_all(c, "unit", &f.nunits);
	if (f.decision == NULL || (strcmp(f.decision, "keep") != 0 &&
	    strcmp(f.decision, "destroy") != 0))
		f.error = "Choisissez la décision : conserver ou détruire.";
	else if (f.nunits == 0)
		f.error = "Cochez au moins une unité.";
	else if (f.nunits > BULK_MAX)
		f.error = "Trop d'unités à la fois : 1 000 au plus.";
	else if (ui_blank(f.comment))
		f.error = "La motivation de la décision est obligatoire : elle "
		    "est inscrite au journal avec la décision.";
	if (f.error != NULL) {
		ret = again(c, 400, &f);
		goto out;
	}
	f.results = xmlNewNode(NULL, X("results"));
	xmlNewProp(f.results, X("decision"), X(f.decision));
	for (i = 0; i < f.nunits; i++) {
		for (j = 0; j < i; j++)
			if (!strcmp(f.units[i], f.units[j]))
				break;
		if (j < i)
			continue;	/* checked twice: decided once */
		if (disposal_decide(c->db, f.units[i], f.decision, f.comment,
		    c->s->who.name, &err) == -1) {
			sae_log(LOG_NOTICE, "unit decision id=%s decision=%s "
			    "by=%s via=ui outcome=refused reason='%s'",
			    f.units[i], f.decision, c->s->who.name, err.msg);
			if (failed++ == 0)
				status = sae_err_http(err.code);
			failure(c, f.results, f.units[i], &err);
			if (err.code != SAE_ENOTFOUND && err.code != SAE_EEXIST)
				sae_log_err(LOG_ERR, &err, "ui decision");
			continue;
		}
		sae_log(LOG_NOTICE, "unit decision id=%s decision=%s by=%s "
		    "via=ui", f.units[i], f.decision, c->s->who.name);
		xmlNewProp(xmlNewChild(f.results, NULL, X("decided"), NULL),
		    X("unit"), X(f.units[i]));
		ok++;
	}
	if (ok > 0)
		scheduler_wake(c->d->scheduler);	/* keep moves copies */
	if (failed == 0) {
		snprintf(to, sizeof(to), "/ui/review?%s=%zu", !strcmp(
		    f.decision, "keep") ? "kept" : "destroyed", ok);
		ret = ui_redirect(c, to);
		goto out;
	}
	ui_prop_int(f.results, "ok", (long long)ok);
	ui_prop_int(f.results, "failed", (long long)failed);
	/* Some went through: the page says which; none: the first error's
	 * status. */
	ret = again(c, ok > 0 ? 200 : status, &f);
out:
	if (f.results != NULL)
		xmlFreeNode(f.results);
	free(f.units);
	return ret;
}

enum MHD_Result
ui_review_post(const struct ui_call *c)
{
	if (c->rest[0] != '\0' && strcmp(c->rest, "/decide") != 0)
		return ui_message(c, 404, "Introuvable",
		    "Aucune action à cette adresse.");
	if (c->s->who.role != ROLE_ARCHIVIST)
		return ui_message(c, 403, "Action refusée",
		    "Seul un archiviste peut décider de conserver ou de "
		    "détruire une unité à trier.");
	return decide(c);
}
