/*
 * ui_audits.c: the "Audit" screen: start an audit (auditors and admins,
 * every copy or a sample, never a repair: as POST /v1/audits), follow the
 * running one, the reports kept, the journal's hash chain as the last
 * audit found it, and one report with every problem and where it is
 * (unit, object, content, offer, file).  Audits run on audit.c's one
 * background job; reports are read from DATA/audits.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sae/audit.h"
#include "sae/buf.h"
#include "sae/catalog.h"
#include "sae/daemon.h"
#include "sae/log.h"
#include "sae/ui_internal.h"
#include "storage/store.h"

/* The newest reports listed on the page; the total is given. */
#define LIST_MAX	100
/* Problems shown on a report page; the total is given. */
#define PROBLEMS_MAX	1000

static int
may_audit(const struct ui_call *c)
{
	return c->s->who.role == ROLE_AUDITOR || c->s->who.role == ROLE_ADMIN;
}

static enum MHD_Result
refused(const struct ui_call *c)
{
	return ui_message(c, 403, "Accès refusé", "Les audits sont réservés "
	    "aux auditeurs et aux administrateurs.");
}

/* <running> with the job's scalars and its progress as attributes. */
static void
running_node(xmlNodePtr parent, json_t *o)
{
	xmlNodePtr n = xmlNewChild(parent, NULL, X("running"), NULL);
	json_t *p = json_object_get(o, "progress");
	long long total = json_integer_value(json_object_get(p,
	    "copies_total"));
	long long done = json_integer_value(json_object_get(p, "copies_done"));

	ui_scalars(n, o);
	ui_prop_int(n, "copies-total", total);
	ui_prop_int(n, "copies-done", done);
	ui_prop_int(n, "bytes-done", json_integer_value(json_object_get(p,
	    "bytes_done")));
	ui_prop_int(n, "percent", total > 0 ? done * 100 / total : 0);
}

/* <chain ok entries [bad-seq]>error</chain>: the journal's hash chain as
 * an audit found it. */
static void
chain_node(xmlNodePtr parent, json_t *chain)
{
	xmlNodePtr n;
	json_t *v;

	if (!json_is_object(chain))
		return;
	n = xmlNewTextChild(parent, NULL, X("chain"), X(json_string_value(
	    json_object_get(chain, "error")) != NULL ? json_string_value(
	    json_object_get(chain, "error")) : ""));
	xmlNewProp(n, X("ok"), X(json_is_true(json_object_get(chain, "ok")) ?
	    "true" : "false"));
	ui_prop_int(n, "entries", json_integer_value(json_object_get(chain,
	    "entries")));
	if ((v = json_object_get(chain, "bad_seq")) != NULL)
		ui_prop_int(n, "bad-seq", json_integer_value(v));
}

/* <journal entries=N>: the journal now, its last seal. */
static int
journal_node(xmlNodePtr parent, sqlite3 *db, struct sae_err *err)
{
	xmlNodePtr j = xmlNewChild(parent, NULL, X("journal"), NULL), n;
	sqlite3_stmt *st;
	int rc;

	if ((st = catalog_prepare(db, "SELECT (SELECT coalesce(max(seq), 0) "
	    "FROM journal), s.seq, s.last, s.created FROM (SELECT 1) LEFT JOIN "
	    "(SELECT seq, last, created FROM seal ORDER BY seq DESC LIMIT 1) s",
	    err)) == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ui_prop_int(j, "entries", sqlite3_column_int64(st, 0));
		if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
			n = xmlNewChild(j, NULL, X("seal"), NULL);
			ui_prop_int(n, "seq", sqlite3_column_int64(st, 1));
			ui_prop_int(n, "last", sqlite3_column_int64(st, 2));
			xmlNewProp(n, X("created"), X(catalog_text(st, 3)));
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : catalog_fail(err, db, "journal status");
}

static enum MHD_Result
list_page(const struct ui_call *c)
{
	json_t *list = NULL, *running, *a, *checked = NULL;
	xmlNodePtr r, reps, n;
	struct sae_err err;
	xmlDocPtr doc;
	size_t i;

	/* The running one first: it may end while the reports are read,
	 * and its report then shows up in the list (as the API does). */
	running = audit_job_running(c->d->audits, NULL);
	if (audit_list(c->d->cfg.data_dir, &list, &err) == -1) {
		json_decref(list);
		json_decref(running);
		return ui_failed(c, &err);
	}
	r = ui_doc_new(&doc, "audits", c->s);
	ui_prop_int(r, "sample", c->d->cfg.audit_sample);
	ui_prop_int(r, "every", c->d->cfg.audit_days);
	json_array_foreach(list, i, a)
		if (running != NULL && json_equal(json_object_get(a, "id"),
		    json_object_get(running, "id"))) {
			json_decref(running);
			running = NULL;
		}
	if (running != NULL)
		running_node(r, running);
	json_decref(running);
	reps = xmlNewChild(r, NULL, X("reports"), NULL);
	ui_prop_int(reps, "total", (long long)json_array_size(list));
	json_array_foreach(list, i, a) {
		if (checked == NULL && json_is_object(json_object_get(a,
		    "journal_chain")))
			checked = a;
		if (i >= LIST_MAX)
			continue;
		n = xmlNewChild(reps, NULL, X("audit"), NULL);
		ui_scalars(n, a);
		chain_node(n, json_object_get(a, "journal_chain"));
	}
	if (journal_node(r, c->db, &err) == -1) {
		json_decref(list);
		xmlFreeDoc(doc);
		return ui_failed(c, &err);
	}
	/* Checking the chain takes seconds on a large journal (about 2 s
	 * for 300,000 entries): the page shows what the last audit found. */
	if (checked != NULL) {
		n = xmlNewChild(r, NULL, X("last-check"), NULL);
		ui_scalars(n, checked);
		chain_node(n, json_object_get(checked, "journal_chain"));
	}
	json_decref(list);
	return ui_render(c, 200, UI_AUDITS, doc);
}

/* Where a copy is: its offer's directory and its file, when it is there
 * (the store says how it is encoded); when it is not, where it should be. */
static void
where(const struct ui_call *c, xmlNodePtr p, const char *sha,
    const char *offer)
{
	const struct sae_config *cfg = &c->d->cfg;
	struct store_stat ss;
	unsigned char bin[32];
	struct sae_err err;
	char root[4096], file[200];
	size_t i;

	if (offer == NULL)
		return;
	for (i = 0; i < cfg->noffers; i++)
		if (!strcmp(cfg->offers[i].name, offer))
			break;
	if (i == cfg->noffers || sae_config_offer_path(cfg, i, root,
	    sizeof(root)) == -1)
		return;
	xmlNewTextChild(p, NULL, X("offer-root"), X(root));
	if (sha == NULL || strlen(sha) != 64 ||
	    sae_unhex(bin, sizeof(bin), sha) != 32)
		return;
	if (store_stat(c->d->store, offer, bin, &ss, &err) == 0) {
		snprintf(file, sizeof(file), "objects/%.2s/%s%s", sha, sha,
		    ss.encoding == STORE_ZSTD ? ".zst" : "");
		xmlNewTextChild(p, NULL, X("file"), X(file));
	} else {
		snprintf(file, sizeof(file), "objects/%.2s/%s", sha, sha);
		xmlNewTextChild(p, NULL, X("file-expected"), X(file));
	}
}

/* <owner id title> for each unit an object named by a problem belongs
 * to (a copy's problem names objects, not units). */
static void
owners(sqlite3_stmt *st, xmlNodePtr p, const char *object)
{
	xmlNodePtr n;

	if (st == NULL)
		return;
	sqlite3_bind_text(st, 1, object, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(st) == SQLITE_ROW) {
		n = xmlNewTextChild(p, NULL, X("owner"), X(catalog_text(st,
		    1)));
		xmlNewProp(n, X("id"), X(catalog_text(st, 0)));
	}
	sqlite3_reset(st);
}

static enum MHD_Result
report_page(const struct ui_call *c, const char *id)
{
	json_t *o, *pb, *v;
	xmlNodePtr r, rep, ps, p;
	sqlite3_stmt *st;
	struct sae_err err;
	xmlDocPtr doc;
	size_t i, j;

	if ((o = audit_job_running(c->d->audits, id)) != NULL) {
		r = ui_doc_new(&doc, "audit", c->s);
		running_node(r, o);
		json_decref(o);
		return ui_render(c, 200, UI_AUDIT, doc);
	}
	if (audit_report_load(c->d->cfg.data_dir, id, &o, &err) == -1)
		return ui_failed(c, &err);
	r = ui_doc_new(&doc, "audit", c->s);
	rep = xmlNewChild(r, NULL, X("report"), NULL);
	ui_scalars(rep, o);
	if ((v = json_object_get(o, "journal")) != NULL)
		ui_scalars(xmlNewChild(rep, NULL, X("journal"), NULL), v);
	chain_node(rep, json_object_get(o, "journal_chain"));
	st = catalog_prepare(c->db, "SELECT u.id, u.title FROM object o JOIN "
	    "unit_group ug ON ug.grp = o.grp JOIN unit u ON u.seq = ug.unit "
	    "WHERE o.id = ? ORDER BY u.seq LIMIT 5", &err);
	ps = xmlNewChild(rep, NULL, X("problems"), NULL);
	ui_prop_int(ps, "total", (long long)json_array_size(json_object_get(o,
	    "problems")));
	json_array_foreach(json_object_get(o, "problems"), i, pb) {
		if (i >= PROBLEMS_MAX)
			break;
		p = xmlNewChild(ps, NULL, X("problem"), NULL);
		ui_prop_int(p, "n", (long long)i + 1);
		ui_scalars(p, pb);
		json_array_foreach(json_object_get(pb, "objects"), j, v) {
			if (!json_is_string(v))
				continue;
			xmlNewTextChild(p, NULL, X("object"),
			    X(json_string_value(v)));
			if (json_object_get(pb, "unit") == NULL && j < 5)
				owners(st, p, json_string_value(v));
		}
		where(c, p, json_string_value(json_object_get(pb, "sha256")),
		    json_string_value(json_object_get(pb, "offer")));
	}
	sqlite3_finalize(st);
	json_decref(o);
	return ui_render(c, 200, UI_AUDIT, doc);
}

enum MHD_Result
ui_audits_get(const struct ui_call *c)
{
	char id[SAE_ID_LEN + 1];

	if (!may_audit(c))
		return refused(c);
	if (c->rest[0] == '\0')
		return list_page(c);
	if (ui_id(c->rest, "", id))
		return report_page(c, id);
	return ui_message(c, 404, "Introuvable", "Cette page n'existe pas.");
}

enum MHD_Result
ui_audits_post(const struct ui_call *c)
{
	struct audit_options ao;
	struct sae_err err;
	char id[SAE_ID_LEN + 1], *end;
	const char *v;
	long sample;

	if (c->rest[0] != '\0')
		return ui_message(c, 404, "Introuvable",
		    "Aucune action à cette adresse.");
	if (!may_audit(c))
		return ui_message(c, 403, "Action refusée", "Seuls un auditeur "
		    "ou un administrateur peuvent lancer un audit.");
	memset(&ao, 0, sizeof(ao));
	ao.sample = 100;
	v = ui_form(c, "scope");
	if (v != NULL && !strcmp(v, "sample")) {
		v = ui_form(c, "sample");
		sample = ui_blank(v) ? 0 : strtol(v, &end, 10);
		if (ui_blank(v) || *end != '\0' || sample < 1 || sample > 100)
			return ui_message(c, 400, "Échantillon invalide",
			    "L'échantillon est un pourcentage des copies, "
			    "de 1 à 100.");
		ao.sample = (int)sample;
	}
	if (audit_job_start(c->d->audits, &ao, c->s->who.name, id,
	    &err) == -1) {
		if (err.code == SAE_EEXIST)
			return ui_message(c, 409, "Un audit est déjà en cours",
			    "Un seul audit à la fois : attendez la fin de "
			    "celui qui est en cours.");
		sae_log_err(LOG_ERR, &err, "audit by=%s via=ui",
		    c->s->who.name);
		return ui_message(c, 503, "Audit impossible", err.msg);
	}
	sae_log(LOG_INFO, "audit run=ui by=%s id=%s sample=%d", c->s->who.name,
	    id, ao.sample);
	return ui_redirect(c, "/ui/audits");
}
