/*
 * ui_pages.c: the XML document of each page of the web interface, built
 * with the libxml2 tree API from what the API's own functions return
 * (stats_cached, disposal_list, disposal_get, audit_last): text nodes and
 * attributes are escaped when serialized, so no value can turn into
 * markup.  Reads only: the catalog, the last audit's summary, the free
 * space of the offers.
 */
#include "config.h"

#include <sys/statvfs.h>

#include <jansson.h>
#include <libxml/tree.h>
#include <libxml/valid.h>
#include <stdio.h>
#include <string.h>

#include "sae/ages.h"
#include "sae/audit.h"
#include "sae/catalog.h"
#include "sae/conf.h"
#include "sae/daemon.h"
#include "sae/disposal.h"
#include "sae/stats.h"
#include "sae/ui_internal.h"

xmlNodePtr
ui_doc_new(xmlDocPtr *doc, const char *root, const struct ui_session *s)
{
	xmlNodePtr r, u;

	*doc = xmlNewDoc(X("1.0"));
	r = xmlNewNode(NULL, X(root));
	xmlDocSetRootElement(*doc, r);
	if (s != NULL) {
		u = xmlNewChild(r, NULL, X("user"), NULL);
		xmlNewProp(u, X("name"), X(s->who.name));
		xmlNewProp(u, X("role"), X(token_role_name(s->who.role)));
		xmlNewProp(u, X("csrf"), X(s->csrf));
	}
	return r;
}

void
ui_prop_int(xmlNodePtr n, const char *name, long long v)
{
	char b[32];

	snprintf(b, sizeof(b), "%lld", v);
	xmlNewProp(n, X(name), X(b));
}

/* The names are the API's own keys; one that is not an XML name is left
 * out. */
void
ui_scalars(xmlNodePtr parent, json_t *o)
{
	const char *k;
	char b[32];
	json_t *v;

	json_object_foreach(o, k, v) {
		const char *text;

		if (xmlValidateNCName(X(k), 0) != 0)
			continue;
		switch (json_typeof(v)) {
		case JSON_STRING:
			text = json_string_value(v);
			break;
		case JSON_INTEGER:
			snprintf(b, sizeof(b), "%lld",
			    (long long)json_integer_value(v));
			text = b;
			break;
		case JSON_TRUE:
			text = "true";
			break;
		case JSON_FALSE:
			text = "false";
			break;
		default:
			continue;
		}
		xmlNewTextChild(parent, NULL, X(k), X(text));
	}
}

/* {key: {units, objects, bytes}} as <row key=.../> under <${name}>. */
static void
holdings(xmlNodePtr parent, const char *name, json_t *o)
{
	xmlNodePtr g = xmlNewChild(parent, NULL, X(name), NULL), row;
	const char *k;
	json_t *v;

	json_object_foreach(o, k, v) {
		row = xmlNewChild(g, NULL, X("row"), NULL);
		xmlNewProp(row, X("key"), X(k));
		ui_prop_int(row, "units", json_integer_value(json_object_get(v,
		    "units")));
		ui_prop_int(row, "objects", json_integer_value(json_object_get(v,
		    "objects")));
		ui_prop_int(row, "bytes", json_integer_value(json_object_get(v,
		    "bytes")));
	}
}

xmlDocPtr
ui_page_login(const char *error, const char *csrf)
{
	xmlDocPtr doc;
	xmlNodePtr r = ui_doc_new(&doc, "login", NULL);

	xmlNewTextChild(r, NULL, X("csrf"), X(csrf));
	if (error != NULL)
		xmlNewTextChild(r, NULL, X("error"), X(error));
	return doc;
}

xmlDocPtr
ui_page_message(const struct ui_session *s, int status, const char *title,
    const char *text)
{
	xmlDocPtr doc;
	xmlNodePtr r = ui_doc_new(&doc, "message", s);

	ui_prop_int(r, "status", status);
	xmlNewTextChild(r, NULL, X("title"), X(title));
	xmlNewTextChild(r, NULL, X("text"), X(text));
	return doc;
}

/* The last seal of the journal, if any. */
static int
last_seal(sqlite3 *db, xmlNodePtr r, struct sae_err *err)
{
	sqlite3_stmt *st;
	xmlNodePtr n;
	int rc;

	if ((st = catalog_prepare(db, "SELECT seq, first, last, created FROM "
	    "seal ORDER BY seq DESC LIMIT 1", err)) == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n = xmlNewChild(r, NULL, X("seal"), NULL);
		ui_prop_int(n, "seq", sqlite3_column_int64(st, 0));
		ui_prop_int(n, "first", sqlite3_column_int64(st, 1));
		ui_prop_int(n, "last", sqlite3_column_int64(st, 2));
		xmlNewProp(n, X("created"), X(catalog_text(st, 3)));
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 :
	    catalog_fail(err, db, "last seal");
}

static int
open_list(const char *state)
{
	return state != NULL && (!strcmp(state, "proposed") ||
	    !strcmp(state, "approved") || !strcmp(state, "executing"));
}

/*
 * <last-audit> with the summary of the newest report (one file read,
 * whatever their number) and its journal check; an unreadable report is
 * said, not fatal to the page.
 */
static void
last_audit(const char *data_dir, xmlNodePtr r)
{
	struct sae_err err;
	xmlNodePtr n;
	json_t *a, *chain;

	if (audit_last(data_dir, &a, &err) == -1) {
		xmlNewTextChild(r, NULL, X("last-audit-error"), X(err.msg));
		return;
	}
	if (a == NULL)
		return;
	n = xmlNewChild(r, NULL, X("last-audit"), NULL);
	ui_scalars(n, a);
	if ((chain = json_object_get(a, "journal_chain")) != NULL)
		xmlNewProp(n, X("chain"), X(json_is_true(json_object_get(chain,
		    "ok")) ? "ok" : "broken"));
	json_decref(a);
}

/* <offer> with what the catalog lists on it. */
static xmlNodePtr
offer_node(xmlNodePtr parent, const char *name, json_t *held)
{
	xmlNodePtr n = xmlNewChild(parent, NULL, X("offer"), NULL);

	xmlNewProp(n, X("name"), X(name));
	ui_prop_int(n, "copies", json_integer_value(json_object_get(held,
	    "copies")));
	ui_prop_int(n, "bytes", json_integer_value(json_object_get(held,
	    "bytes")));
	return n;
}

/*
 * <offers>: each offer of the configuration with its sovereignty, the
 * room left on its file system (statvfs, read now) and the copies and
 * bytes the catalog lists on it (${held}, from the holdings); then any
 * offer the catalog still lists that the configuration no longer has.
 */
static void
offers(const struct sae_config *cfg, json_t *held, xmlNodePtr r)
{
	xmlNodePtr o = xmlNewChild(r, NULL, X("offers"), NULL), n;
	struct statvfs vfs;
	char path[4096];
	const char *k;
	json_t *v;
	size_t i;

	for (i = 0; i < cfg->noffers; i++) {
		n = offer_node(o, cfg->offers[i].name, json_object_get(held,
		    cfg->offers[i].name));
		xmlNewProp(n, X("sovereign"), X(cfg->offers[i].sovereign ?
		    "true" : "false"));
		if (sae_config_offer_path(cfg, i, path, sizeof(path)) == 0 &&
		    statvfs(path, &vfs) == 0) {
			ui_prop_int(n, "free", (long long)vfs.f_bavail *
			    (long long)vfs.f_frsize);
			ui_prop_int(n, "size", (long long)vfs.f_blocks *
			    (long long)vfs.f_frsize);
		}
	}
	json_object_foreach(held, k, v) {
		for (i = 0; i < cfg->noffers; i++)
			if (!strcmp(k, cfg->offers[i].name))
				break;
		if (i == cfg->noffers)
			xmlNewProp(offer_node(o, k, v), X("configured"),
			    X("false"));
	}
}

xmlDocPtr
ui_page_dashboard(struct sae_daemon *d, sqlite3 *db,
    const struct ui_session *s, struct sae_err *err)
{
	json_t *st = NULL, *lists = NULL, *v, *t;
	xmlNodePtr r, n, due;
	xmlDocPtr doc;
	char today[11];
	const char *k;
	size_t i;

	ages_today(today);
	/* Scanned again only after a commit: the page is visited often. */
	if (stats_cached(d->stats, db, today, &st, err) == -1)
		return NULL;
	if (disposal_list(db, &lists, err) == -1) {
		json_decref(st);
		return NULL;
	}
	r = ui_doc_new(&doc, "dashboard", s);
	xmlNewProp(r, X("date"), X(today));
	n = xmlNewChild(r, NULL, X("total"), NULL);
	t = json_object_get(st, "total");
	ui_prop_int(n, "units", json_integer_value(json_object_get(t, "units")));
	ui_prop_int(n, "objects", json_integer_value(json_object_get(t,
	    "objects")));
	ui_prop_int(n, "bytes", json_integer_value(json_object_get(t, "bytes")));
	holdings(r, "by-age", json_object_get(st, "by_age"));
	holdings(r, "by-agency", json_object_get(st, "by_agency"));
	n = xmlNewChild(r, NULL, X("transitions"), NULL);
	json_object_foreach(json_object_get(st, "transitions"), k, v) {
		due = xmlNewChild(n, NULL, X("due"), NULL);
		xmlNewProp(due, X("days"), X(!strcmp(k, "next_30_days") ?
		    "30" : "365"));
		ui_scalars(due, v);
	}
	n = xmlNewChild(r, NULL, X("open-disposals"), NULL);
	json_array_foreach(lists, i, v)
		if (open_list(json_string_value(json_object_get(v, "state"))))
			ui_scalars(xmlNewChild(n, NULL, X("disposal"), NULL), v);
	offers(&d->cfg, json_object_get(st, "by_offer"), r);
	json_decref(st);
	json_decref(lists);
	if (last_seal(db, r, err) == -1) {
		xmlFreeDoc(doc);
		return NULL;
	}
	last_audit(d->cfg.data_dir, r);
	return doc;
}

xmlDocPtr
ui_page_disposals(sqlite3 *db, const struct ui_session *s,
    struct sae_err *err)
{
	json_t *lists, *v;
	xmlNodePtr r;
	xmlDocPtr doc;
	size_t i;

	if (disposal_list(db, &lists, err) == -1)
		return NULL;
	r = ui_doc_new(&doc, "disposals", s);
	json_array_foreach(lists, i, v)
		ui_scalars(xmlNewChild(r, NULL, X("disposal"), NULL), v);
	json_decref(lists);
	return doc;
}

/* <disposal> with its scalars and a <line> per unit. */
static void
disposal_node(xmlNodePtr r, json_t *o)
{
	xmlNodePtr d = xmlNewChild(r, NULL, X("disposal"), NULL);
	json_t *v;
	size_t i;

	ui_scalars(d, o);
	json_array_foreach(json_object_get(o, "units"), i, v)
		ui_scalars(xmlNewChild(d, NULL, X("line"), NULL), v);
}

xmlDocPtr
ui_page_disposal(sqlite3 *db, const struct ui_session *s, const char *id,
    const struct ui_lines *page, struct sae_err *err)
{
	xmlNodePtr r;
	xmlDocPtr doc;
	json_t *o;
	size_t i;

	if (disposal_get_page(db, id, page->after, page->limit, &o,
	    err) == -1)
		return NULL;
	r = ui_doc_new(&doc, "disposal-page", s);
	if (page->after != NULL)
		xmlNewProp(r, X("after"), X(page->after));
	disposal_node(r, o);
	json_decref(o);
	/* Exclusions made on other pages, carried until the approval. */
	for (i = 0; i < page->nexclude; i++)
		xmlNewTextChild(r, NULL, X("exclude"), X(page->exclude[i]));
	return doc;
}

xmlDocPtr
ui_page_confirm(sqlite3 *db, const struct ui_session *s, const char *id,
    const struct ui_decision *dec, struct sae_err *err)
{
	long long objects, bytes;
	xmlNodePtr r, d;
	xmlDocPtr doc;
	json_t *o;
	size_t j;

	/* What the approval will destroy: the list less its excluded lines
	 * (each must be on it).  Checked again at execution: a hold placed
	 * meanwhile wins. */
	if (disposal_get_page(db, id, NULL, 1, &o, err) == -1)
		return NULL;
	if (disposal_lines_total(db, id, dec->exclude, dec->nexclude, &objects,
	    &bytes, err) == -1) {
		json_decref(o);
		sae_err_set(err, SAE_EINVAL, "une unité à exclure n'est pas sur "
		    "ce bordereau");
		return NULL;
	}
	r = ui_doc_new(&doc, "confirm", s);
	d = xmlNewChild(r, NULL, X("disposal"), NULL);
	ui_scalars(d, o);
	ui_prop_int(r, "units", json_integer_value(json_object_get(o,
	    "lines_total")) - (long long)dec->nexclude);
	ui_prop_int(r, "objects", json_integer_value(json_object_get(o,
	    "objects")) - objects);
	ui_prop_int(r, "bytes", json_integer_value(json_object_get(o,
	    "bytes")) - bytes);
	json_decref(o);
	ui_prop_int(r, "excluded", (long long)dec->nexclude);
	xmlNewTextChild(r, NULL, X("visa"), X(dec->visa != NULL ? dec->visa :
	    ""));
	xmlNewTextChild(r, NULL, X("comment"), X(dec->comment != NULL ?
	    dec->comment : ""));
	for (j = 0; j < dec->nexclude; j++)
		xmlNewTextChild(r, NULL, X("exclude"), X(dec->exclude[j]));
	return doc;
}
