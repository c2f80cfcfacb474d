/*
 * ui_rules.c: the "Règles" screen: the DUA table in force, and its
 * replacement in two steps.  A CSV sent by the form is read and its
 * effect shown (the rules it adds, drops or changes, and the units whose
 * age or DUA end would change: ages_preview), nothing written; the
 * preview page carries the file back, base64-encoded so that the browser
 * cannot touch its bytes (form submission rewrites line ends), with the
 * version it was compared with.  The import is the API's: rules_import
 * under the signed-in token's name, then the ages recomputed.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "policies/dua.h"
#include "policies/retention.h"
#include "sae/ages.h"
#include "sae/catalog.h"
#include "sae/daemon.h"
#include "sae/log.h"
#include "sae/rules.h"
#include "sae/ui_internal.h"
#include "sae/xmalloc.h"

/* Units listed in a preview; the counts cover them all. */
#define PREVIEW_MAX	200
/* The name a sent table is known by (in messages and rule_version), as
 * through the API. */
#define SOURCE		"upload.csv"

static int
may_import(const struct ui_call *c)
{
	return c->s->who.role == ROLE_ARCHIVIST ||
	    c->s->who.role == ROLE_ADMIN;
}

static void
text_child(xmlNodePtr n, const char *name, const char *v)
{
	if (v != NULL)
		xmlNewTextChild(n, NULL, X(name), X(v));
}

/* <NAME> with one row of the table as children. */
static void
rule_node(xmlNodePtr parent, const char *name, const struct dua_rule *r)
{
	xmlNodePtr n = xmlNewChild(parent, NULL, X(name), NULL), d;

	text_child(n, "id", r->id);
	text_child(n, "type", dua_type_name(r->type));
	text_child(n, "value", r->value);
	if (r->description != NULL && r->description[0] != '\0')
		text_child(n, "description", r->description);
	if (r->unlimited)
		text_child(n, "unlimited", "true");
	else if (r->has_duration) {
		d = xmlNewChild(n, NULL, X("duration"), NULL);
		ui_prop_int(d, "n", r->duration);
		xmlNewProp(d, X("measure"), X(dua_measure_name(r->measure)));
	}
	if (r->final_action != DUA_FINAL_NONE)
		text_child(n, "final", dua_final_name(r->final_action));
	text_child(n, "start-event", r->start_event);
	text_child(n, "domain", r->domain);
	if (r->has_current) {
		d = xmlNewChild(n, NULL, X("current"), NULL);
		ui_prop_int(d, "n", r->current_duration);
		xmlNewProp(d, X("measure"), X(dua_measure_name(
		    r->current_measure)));
	}
}

static int
same_rule(const struct dua_rule *a, const struct dua_rule *b)
{
	return a->type == b->type && a->unlimited == b->unlimited &&
	    a->has_duration == b->has_duration && (!a->has_duration ||
	    (a->duration == b->duration && a->measure == b->measure)) &&
	    a->final_action == b->final_action &&
	    a->has_current == b->has_current && (!a->has_current ||
	    (a->current_duration == b->current_duration &&
	    a->current_measure == b->current_measure)) &&
	    !strcmp(a->value, b->value) &&
	    !strcmp(a->description ? a->description : "",
	    b->description ? b->description : "") &&
	    !strcmp(a->start_event ? a->start_event : "",
	    b->start_event ? b->start_event : "") &&
	    !strcmp(a->domain ? a->domain : "", b->domain ? b->domain : "");
}

/* The version in force: its number (0 if none) in *version, and
 * <version> under ${r} when ${r} is not NULL. */
static int
version_of(sqlite3 *db, xmlNodePtr r, long long *version,
    struct sae_err *err)
{
	sqlite3_stmt *st;
	xmlNodePtr n;
	int rc;

	*version = 0;
	if ((st = catalog_prepare(db, "SELECT id, created, source, agent, "
	    "rules, sha256 FROM rule_version ORDER BY id DESC LIMIT 1",
	    err)) == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*version = sqlite3_column_int64(st, 0);
		if (r != NULL) {
			n = xmlNewChild(r, NULL, X("version"), NULL);
			ui_prop_int(n, "n", *version);
			xmlNewProp(n, X("created"), X(catalog_text(st, 1)));
			xmlNewProp(n, X("source"), X(catalog_text(st, 2)));
			xmlNewProp(n, X("agent"), X(catalog_text(st, 3)));
			ui_prop_int(n, "rules", sqlite3_column_int64(st, 4));
			xmlNewProp(n, X("sha256"), X(catalog_text(st, 5)));
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 :
	    catalog_fail(err, db, "rules version");
}

/* The page: the version and table in force; ${t} may be handed in when
 * the caller loaded it already. */
static xmlDocPtr
rules_doc(const struct ui_call *c, const struct dua_table *t,
    long long *version, xmlNodePtr *root, struct sae_err *err)
{
	struct dua_table *own = NULL;
	xmlNodePtr r, tab;
	xmlDocPtr doc;
	size_t i;

	if (t == NULL) {
		if (rules_load(c->db, &own, err) == -1)
			return NULL;
		t = own;
	}
	r = ui_doc_new(&doc, "rules", c->s);
	if (version_of(c->db, r, version, err) == -1) {
		dua_table_free(own);
		xmlFreeDoc(doc);
		return NULL;
	}
	tab = xmlNewChild(r, NULL, X("table"), NULL);
	for (i = 0; i < t->n; i++)
		rule_node(tab, "rule", &t->rules[i]);
	dua_table_free(own);
	*root = r;
	return doc;
}

static enum MHD_Result
refused_file(const struct ui_call *c, const struct sae_err *why)
{
	struct sae_err err;
	long long version;
	xmlNodePtr r;
	xmlDocPtr doc;

	if ((doc = rules_doc(c, NULL, &version, &r, &err)) == NULL)
		return ui_failed(c, &err);
	xmlNewTextChild(r, NULL, X("error"), X(why->msg));
	return ui_render(c, why->code == SAE_EINVAL ? 422 :
	    sae_err_http(why->code), UI_RULES, doc);
}

enum MHD_Result
ui_rules_get(const struct ui_call *c)
{
	struct sae_err err;
	long long version;
	const char *v;
	xmlNodePtr r;
	xmlDocPtr doc;

	if (c->rest[0] != '\0')
		return ui_message(c, 404, "Introuvable",
		    "Cette page n'existe pas.");
	if ((doc = rules_doc(c, NULL, &version, &r, &err)) == NULL)
		return ui_failed(c, &err);
	/* After an import: said only of the version in force. */
	if ((v = ui_arg(c, "imported")) != NULL && version > 0 &&
	    strtoll(v, NULL, 10) == version)
		ui_prop_int(r, "imported", version);
	return ui_render(c, 200, UI_RULES, doc);
}

/* <diff>: the rules ${t} adds, drops or changes against ${cur}. */
static void
diff_node(xmlNodePtr parent, const struct dua_table *cur,
    const struct dua_table *t)
{
	xmlNodePtr d = xmlNewChild(parent, NULL, X("diff"), NULL), n;
	const struct dua_rule *o;
	size_t i;

	for (i = 0; i < t->n; i++) {
		if ((o = dua_table_find(cur, t->rules[i].id)) == NULL)
			rule_node(d, "added", &t->rules[i]);
		else if (!same_rule(o, &t->rules[i])) {
			n = xmlNewChild(d, NULL, X("changed"), NULL);
			rule_node(n, "old", o);
			rule_node(n, "new", &t->rules[i]);
		}
	}
	for (i = 0; i < cur->n; i++)
		if (dua_table_find(t, cur->rules[i].id) == NULL)
			rule_node(d, "removed", &cur->rules[i]);
}

/* <change> per unit (the first PREVIEW_MAX), with its title. */
static int
changes_node(xmlNodePtr parent, sqlite3 *db, json_t *changes,
    struct sae_err *err)
{
	xmlNodePtr p = xmlNewChild(parent, NULL, X("changes"), NULL), n;
	long long ages = 0;
	sqlite3_stmt *st;
	const char *a, *b;
	json_t *ch;
	size_t i;

	if ((st = catalog_prepare(db, "SELECT title FROM unit WHERE id = ?",
	    err)) == NULL)
		return -1;
	json_array_foreach(changes, i, ch) {
		a = json_string_value(json_object_get(ch, "age"));
		b = json_string_value(json_object_get(ch, "new_age"));
		if (b != NULL && (a == NULL || strcmp(a, b) != 0))
			ages++;
		if (i >= PREVIEW_MAX)
			continue;
		n = xmlNewChild(p, NULL, X("change"), NULL);
		ui_scalars(n, ch);
		sqlite3_bind_text(st, 1, json_string_value(json_object_get(ch,
		    "unit")), -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) == SQLITE_ROW)
			text_child(n, "title", catalog_text(st, 0));
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	ui_prop_int(p, "total", (long long)json_array_size(changes));
	ui_prop_int(p, "ages", ages);
	ui_prop_int(p, "shown", json_array_size(changes) < PREVIEW_MAX ?
	    (long long)json_array_size(changes) : PREVIEW_MAX);
	return 0;
}

static enum MHD_Result
preview(const struct ui_call *c)
{
	struct dua_table *t = NULL, *cur = NULL;
	const char *csv = ui_form(c, "csv");
	struct ret_defaults def;
	struct sae_err err;
	json_t *changes = NULL;
	long long version;
	xmlNodePtr r, p;
	xmlDocPtr doc = NULL;
	char today[11], *b64;
	size_t len;
	enum MHD_Result ret;

	if (ui_blank(csv))
		return ui_message(c, 400, "Fichier manquant", "Choisissez le "
		    "fichier CSV du nouveau tableau de gestion.");
	len = strlen(csv);
	if (dua_csv_parse(&t, csv, len, SOURCE, &err) == -1)
		return refused_file(c, &err);
	ages_today(today);
	daemon_retention_defaults(&c->d->cfg, &def);
	if (rules_load(c->db, &cur, &err) == -1 ||
	    ages_preview(c->db, t, today, &def, &changes, &err) == -1 ||
	    (doc = rules_doc(c, cur, &version, &r, &err)) == NULL) {
		ret = ui_failed(c, &err);
		goto out;
	}
	p = xmlNewChild(r, NULL, X("preview"), NULL);
	ui_prop_int(p, "rules", (long long)t->n);
	ui_prop_int(p, "base", version);
	xmlNewProp(p, X("date"), X(today));
	diff_node(p, cur, t);
	if (changes_node(p, c->db, changes, &err) == -1) {
		ret = ui_failed(c, &err);
		goto out;
	}
	/* The file goes back as it came: base64 has no line ends for a
	 * browser to rewrite. */
	b64 = sae_xmalloc(4 * ((len + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)csv,
	    (int)len);
	xmlNewTextChild(p, NULL, X("csv"), X(b64));
	free(b64);
	ret = ui_render(c, 200, UI_RULES, doc);
	doc = NULL;
out:
	xmlFreeDoc(doc);
	json_decref(changes);
	dua_table_free(t);
	dua_table_free(cur);
	return ret;
}

/* The file a preview page sent back, or NULL (then *len is 0). */
static char *
unbase64(const char *b64, size_t *len)
{
	size_t n = b64 != NULL ? strlen(b64) : 0;
	char *out;
	int got;

	*len = 0;
	if (n == 0 || n % 4 != 0 || n > 16u << 20)
		return NULL;
	out = sae_xmalloc(n / 4 * 3 + 1);
	if ((got = EVP_DecodeBlock((unsigned char *)out,
	    (const unsigned char *)b64, (int)n)) < 0) {
		free(out);
		return NULL;
	}
	/* EVP_DecodeBlock counts the padding as bytes. */
	if (b64[n - 1] == '=')
		got--;
	if (b64[n - 2] == '=')
		got--;
	out[got] = '\0';
	*len = (size_t)got;
	return out;
}

static enum MHD_Result
import(const struct ui_call *c)
{
	const char *base = ui_form(c, "base");
	struct sae_err err;
	long long version, now;
	char *csv, to[64];
	size_t len;
	enum MHD_Result ret;

	if ((csv = unbase64(ui_form(c, "csv"), &len)) == NULL)
		return ui_message(c, 400, "Fichier manquant", "Le tableau à "
		    "importer n'a pas été renvoyé : envoyez à nouveau le "
		    "fichier.");
	/* What was previewed must be what is replaced. */
	if (version_of(c->db, NULL, &now, &err) == -1) {
		ret = ui_failed(c, &err);
		goto out;
	}
	if (base == NULL || strtoll(base, NULL, 10) != now) {
		ret = ui_message(c, 409, "Le tableau a changé", "Une autre "
		    "version du tableau de gestion a été importée depuis "
		    "l'aperçu : envoyez à nouveau le fichier pour voir ses "
		    "effets sur la version en vigueur.");
		goto out;
	}
	if (rules_import(c->db, csv, len, SOURCE, c->s->who.name, &version,
	    &err) == -1) {
		sae_log_err(LOG_NOTICE, &err, "rules import by=%s via=ui "
		    "outcome=KO", c->s->who.name);
		ret = refused_file(c, &err);
		goto out;
	}
	sae_log(LOG_INFO, "rules import by=%s version=%lld via=ui outcome=OK",
	    c->s->who.name, version);
	/* A new table may move end dates and ages at once (as the API). */
	if (daemon_recompute(c->d, c->db, c->s->who.name, NULL, NULL,
	    &err) == -1)
		sae_log_err(LOG_ERR, &err, "ages after rules import");
	snprintf(to, sizeof(to), "/ui/rules?imported=%lld", version);
	ret = ui_redirect(c, to);
out:
	free(csv);
	return ret;
}

enum MHD_Result
ui_rules_post(const struct ui_call *c)
{
	int pv = !strcmp(c->rest, "/preview");

	if (!pv && strcmp(c->rest, "/import") != 0)
		return ui_message(c, 404, "Introuvable",
		    "Aucune action à cette adresse.");
	if (!may_import(c))
		return ui_message(c, 403, "Action refusée", "Seuls un "
		    "archiviste ou un administrateur peuvent remplacer le "
		    "tableau de gestion.");
	return pv ? preview(c) : import(c);
}
