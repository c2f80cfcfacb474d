/*
 * ingest_record.c: the end of an ingest: objects made durable on their
 * offers, the digest list time-stamped, the reply written, and the
 * transfer, its units, objects, copies and journal entries recorded in
 * one catalog transaction (or, for a refusal, the reply and one journal
 * entry).  Touches the store, the TSA and the catalog.
 */
#include "config.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "sae/catalog.h"
#include "sae/ingest_internal.h"
#include "sae/journal.h"
#include "sae/log.h"
#include "sae/placement.h"
#include "sae/tsa.h"
#include "sae/xmalloc.h"
#include "storage/store.h"

void
ingest_record_reason(struct job *j)
{
	size_t i;

	for (i = 0; i < j->report.n; i++)
		if (j->report.items[i].outcome == SEDA_KO ||
		    (j->report.worst == SEDA_WARNING &&
		    j->report.items[i].outcome == SEDA_WARNING)) {
			snprintf(j->res->reason, sizeof(j->res->reason), "%s",
			    j->report.items[i].message);
			return;
		}
}

/* Objects durable on every offer of the current placement. */
static int
commit_objects(struct job *j, struct sae_err *err)
{
	size_t i;

	for (i = 0; i < j->nobjs; i++) {
		struct obj *o = &j->objs[i];

		if (o->w == NULL)
			continue;
		/* The writer was opened on every offer of the placement. */
		if (store_writer_commit(o->w, err) == -1)
			return -1;
		store_writer_free(o->w);
		o->w = NULL;
	}
	return 0;
}

static void
build_digest_list(struct job *j)
{
	size_t i;

	sae_buf_printf(&j->digest_list, "sae-digest-list 1\ntransfer %s\n"
	    "package-sha256 ", j->tid);
	sae_buf_add_hex(&j->digest_list, j->req->sha256, 32);
	sae_buf_printf(&j->digest_list, "\npackage-size %llu\n",
	    (unsigned long long)j->req->size);
	for (i = 0; i < j->nobjs; i++) {
		const struct obj *o = &j->objs[i];

		if (o->so->physical)
			continue;
		sae_buf_printf(&j->digest_list, "object %s sha256 %s sha512 %s "
		    "size %llu\n", o->id, o->sha256, o->sha512,
		    (unsigned long long)o->size);
	}
}

static int
stamp(struct job *j, struct sae_err *err)
{
	unsigned char md[SHA256_DIGEST_LENGTH];

	build_digest_list(j);
	SHA256((const unsigned char *)j->digest_list.data, j->digest_list.len,
	    md);
	if (tsa_stamp(j->ctx->tsa, "sha256", md, sizeof(md), &j->tsr,
	    err) == -1)
		return -1;
	seda_report_add(&j->report, SEDA_OK, "TIMESTAMP", NULL, "Liste des "
	    "empreintes horodatée (RFC 3161)");
	return 0;
}

int
ingest_record_reply(struct job *j, int with_units, struct sae_err *err)
{
	struct seda_reply_unit *units = NULL;
	struct seda_reply r;
	char mid[64];
	size_t i;
	int rc;

	memset(&r, 0, sizeof(r));
	if (snprintf(mid, sizeof(mid), "ATR-%s", j->tid) >= (int)sizeof(mid))
		return sae_err_set(err, SAE_EINTERNAL, "reply id too long");
	r.version = j->version;
	r.message_id = mid;
	r.request_id = j->request_id != NULL && *j->request_id != '\0' ?
	    j->request_id : "inconnu";
	r.date = j->now;
	r.grant_date = with_units ? j->now : NULL;
	r.archival_agreement = j->tr != NULL ? j->tr->archival_agreement :
	    NULL;
	r.archival_agency = j->ctx->cfg->archival_agency;
	r.transferring_agency = j->tr != NULL &&
	    j->tr->transferring_agency != NULL ? j->tr->transferring_agency :
	    j->req->producer->name;
	r.code_list_version = "sae-reply-1";
	r.report = &j->report;
	if (with_units && j->tr != NULL) {
		units = sae_xcalloc(j->tr->nunits ? j->tr->nunits : 1,
		    sizeof(*units));
		for (i = 0; i < j->tr->nunits; i++) {
			units[i].xml_id = j->tr->units[i].id;
			units[i].system_id = j->unit_ids[i];
		}
		r.units = units;
		r.nunits = j->tr->nunits;
	}
	sae_buf_reset(&j->res->reply);
	rc = seda_reply_write(&j->res->reply, &r, err);
	free(units);
	return rc;
}

static int
step_done(sqlite3_stmt *st, sqlite3 *db, struct sae_err *err,
    const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return catalog_fail(err, db, what);
	return 0;
}

static int
insert_transfer(struct job *j, const char *status, int http,
    struct sae_err *err)
{
	sqlite3_stmt *st;
	char hex[65];
	uint64_t bytes = 0;
	size_t i, nobj = 0;
	int rc;

	for (i = 0; i < j->nobjs; i++)
		if (!j->objs[i].so->physical && j->objs[i].stored) {
			bytes += j->objs[i].size;
			nobj++;
		}
	sae_hex(hex, j->req->sha256, 32);
	st = catalog_prepare(j->db, "INSERT INTO transfer (id, seq, producer, "
	    "agency, message_id, seda_version, package_sha256, package_size, "
	    "status, http_status, received, reply, digest_list, tsr, "
	    "archival_agreement, transferring_agency, units, objects, bytes) "
	    "VALUES (?, (SELECT coalesce(max(seq), 0) + 1 FROM transfer), "
	    "?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", err);
	if (st == NULL)
		return -1;
	catalog_bind_text(st, 1, j->tid);
	sqlite3_bind_int64(st, 2, j->req->producer->id);
	catalog_bind_text(st, 3, j->agency);
	catalog_bind_text(st, 4, j->request_id);
	catalog_bind_text(st, 5, seda_version_name(j->version));
	catalog_bind_text(st, 6, hex);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)j->req->size);
	catalog_bind_text(st, 8, status);
	sqlite3_bind_int(st, 9, http);
	catalog_bind_text(st, 10, j->now);
	sqlite3_bind_blob(st, 11, j->res->reply.data, (int)j->res->reply.len,
	    SQLITE_TRANSIENT);
	if (j->digest_list.len > 0)
		sqlite3_bind_blob(st, 12, j->digest_list.data,
		    (int)j->digest_list.len, SQLITE_TRANSIENT);
	if (j->tsr.len > 0)
		sqlite3_bind_blob(st, 13, j->tsr.data, (int)j->tsr.len,
		    SQLITE_TRANSIENT);
	catalog_bind_text(st, 14, j->tr ? j->tr->archival_agreement : NULL);
	catalog_bind_text(st, 15, j->tr ? j->tr->transferring_agency : NULL);
	sqlite3_bind_int64(st, 16, http == 201 && j->tr ?
	    (sqlite3_int64)j->tr->nunits : 0);
	sqlite3_bind_int64(st, 17, http == 201 ? (sqlite3_int64)nobj : 0);
	sqlite3_bind_int64(st, 18, http == 201 ? (sqlite3_int64)bytes : 0);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_CONSTRAINT_UNIQUE)
		return sae_err_set(err, SAE_EEXIST, "transfer '%s' already "
		    "archived", j->request_id ? j->request_id : "");
	if (rc != SQLITE_DONE)
		return catalog_fail(err, j->db, "transfer insert");
	return 0;
}

static int
journal_transfer(struct job *j, const char *outcome, struct sae_err *err)
{
	struct journal_entry e;
	json_t *d = json_object();
	char hex[65], msg[700], *detail;
	int rc;

	sae_hex(hex, j->req->sha256, 32);
	json_object_set_new(d, "package_sha256", json_string(hex));
	json_object_set_new(d, "package_size", json_integer(
	    (json_int_t)j->req->size));
	if (j->request_id != NULL)
		json_object_set_new(d, "message_id",
		    json_string(j->request_id));
	json_object_set_new(d, "seda", json_string(
	    seda_version_name(j->version)));
	if (j->digest_list.len > 0) {
		unsigned char md[SHA256_DIGEST_LENGTH];

		SHA256((const unsigned char *)j->digest_list.data,
		    j->digest_list.len, md);
		sae_hex(hex, md, sizeof(md));
		json_object_set_new(d, "digest_list_sha256", json_string(hex));
		json_object_set_new(d, "units", json_integer(
		    (json_int_t)j->tr->nunits));
		json_object_set_new(d, "objects", json_integer(
		    (json_int_t)j->nobjs));
	}
	detail = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(d);
	if (!strcmp(outcome, "KO"))
		rc = snprintf(msg, sizeof(msg), "Versement refusé : %s",
		    j->res->reason);
	else
		rc = snprintf(msg, sizeof(msg), "Versement accepté (%s)",
		    outcome);
	if (rc >= (int)sizeof(msg))
		msg[sizeof(msg) - 1] = '\0';
	memset(&e, 0, sizeof(e));
	e.type = "INGEST";
	e.outcome = outcome;
	e.agent = j->req->producer->name;
	e.transfer = j->tid;
	e.message = msg;
	e.detail = detail;
	rc = journal_append(j->db, &e, NULL, err);
	free(detail);
	return rc;
}

static char *
rules_extra(const struct seda_rules *rs, const struct seda_rule *r)
{
	json_t *o = json_object();
	char *s;

	if (r != NULL && r->hold_end_date)
		json_object_set_new(o, "hold_end_date",
		    json_string(r->hold_end_date));
	if (r != NULL && r->hold_owner)
		json_object_set_new(o, "hold_owner", json_string(r->hold_owner));
	if (r != NULL && r->hold_reason)
		json_object_set_new(o, "hold_reason",
		    json_string(r->hold_reason));
	if (r != NULL && r->hold_reassessing_date)
		json_object_set_new(o, "hold_reassessing_date",
		    json_string(r->hold_reassessing_date));
	if (r != NULL && r->prevent_rearrangement >= 0)
		json_object_set_new(o, "prevent_rearrangement",
		    json_boolean(r->prevent_rearrangement));
	if (rs->classification_level)
		json_object_set_new(o, "classification_level",
		    json_string(rs->classification_level));
	if (rs->classification_owner)
		json_object_set_new(o, "classification_owner",
		    json_string(rs->classification_owner));
	if (json_object_size(o) == 0) {
		json_decref(o);
		return NULL;
	}
	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	return s;
}

/* The rules as the package declares them, to recompute them any time. */
static int
insert_declared(struct job *j, sqlite3_stmt *st,
    const struct seda_management *m, sqlite3_int64 unit, struct sae_err *err)
{
	size_t c, i;

	for (c = 0; c < SEDA_NCATEGORIES; c++) {
		const struct seda_rules *rs = &m->cat[c];
		size_t rows = rs->nrules + rs->nref_non_rule_ids;

		if (!rs->present)
			continue;
		if (rows == 0)
			rows = 1;	/* PreventInheritance or FinalAction alone */
		for (i = 0; i < rows; i++) {
			const struct seda_rule *r = i < rs->nrules ?
			    &rs->rules[i] : NULL;
			char *extra = rules_extra(rs, r);

			catalog_bind_text(st, 1, j->tid);
			if (unit > 0)
				sqlite3_bind_int64(st, 2, unit);
			catalog_bind_text(st, 3, seda_category_name(c));
			catalog_bind_text(st, 4, r ? r->rule_id : NULL);
			catalog_bind_text(st, 5, r ? r->start_date : NULL);
			sqlite3_bind_int(st, 6, rs->prevent_inheritance);
			catalog_bind_text(st, 7, i >= rs->nrules &&
			    i - rs->nrules < rs->nref_non_rule_ids ?
			    rs->ref_non_rule_ids[i - rs->nrules] : NULL);
			catalog_bind_text(st, 8, rs->final_action);
			catalog_bind_text(st, 9, extra);
			free(extra);
			if (step_done(st, j->db, err, "declared rule") == -1)
				return -1;
		}
	}
	return 0;
}

static int
insert_units(struct job *j, sqlite3_int64 *useq, struct sae_err *err)
{
	sqlite3_stmt *st = NULL, *dr = NULL;
	size_t i;
	int ret = -1;

	st = catalog_prepare(j->db, "INSERT INTO unit (id, transfer, xml_id, "
	    "producer, agency, title, level, start_date, end_date, content, "
	    "management, rule, rule_start, rule_end, final_action, created, "
	    "age, held, hold_end, current_end) VALUES "
	    "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", err);
	dr = catalog_prepare(j->db, "INSERT INTO declared_rule (transfer, unit,"
	    " category, rule, start_date, prevent_inheritance, ref_non_rule, "
	    "final_action, extra) VALUES (?,?,?,?,?,?,?,?,?)", err);
	if (st == NULL || dr == NULL)
		goto out;
	if (insert_declared(j, dr, &j->tr->mgmt, 0, err) == -1)
		goto out;
	for (i = 0; i < j->tr->nunits; i++) {
		const struct seda_unit *u = &j->tr->units[i];
		const struct appraisal *a = &j->appr[i];

		catalog_bind_text(st, 1, j->unit_ids[i]);
		catalog_bind_text(st, 2, j->tid);
		catalog_bind_text(st, 3, u->id);
		sqlite3_bind_int64(st, 4, j->req->producer->id);
		catalog_bind_text(st, 5, j->agency);
		catalog_bind_text(st, 6, u->title ? u->title : "");
		catalog_bind_text(st, 7, u->description_level);
		catalog_bind_text(st, 8, u->start_date);
		catalog_bind_text(st, 9, u->end_date);
		sqlite3_bind_blob(st, 10, u->content_xml ? u->content_xml : "",
		    u->content_xml ? (int)strlen(u->content_xml) : 0,
		    SQLITE_TRANSIENT);
		if (u->management_xml != NULL)
			sqlite3_bind_blob(st, 11, u->management_xml,
			    (int)strlen(u->management_xml), SQLITE_TRANSIENT);
		catalog_bind_text(st, 12, a->rule);
		catalog_bind_text(st, 13, a->start);
		catalog_bind_text(st, 14, a->end[0] ? a->end : NULL);
		catalog_bind_text(st, 15, a->final);
		catalog_bind_text(st, 16, j->now);
		catalog_bind_text(st, 17, a->age);
		sqlite3_bind_int(st, 18, a->held);
		catalog_bind_text(st, 19, a->hold_end[0] ? a->hold_end : NULL);
		catalog_bind_text(st, 20, a->current_end[0] ? a->current_end :
		    NULL);
		if (step_done(st, j->db, err, "unit insert") == -1)
			goto out;
		useq[i] = sqlite3_last_insert_rowid(j->db);
		if (insert_declared(j, dr, &u->mgmt, useq[i], err) == -1)
			goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	sqlite3_finalize(dr);
	return ret;
}

static int
insert_links(struct job *j, const sqlite3_int64 *useq, struct sae_err *err)
{
	sqlite3_stmt *par = NULL, *grp = NULL, *ug = NULL, *obj = NULL,
	    *cp = NULL;
	const struct sae_config *cfg = j->ctx->cfg;
	sqlite3_int64 *gseq = NULL;
	size_t i, k;
	int ret = -1;

	par = catalog_prepare(j->db, "INSERT OR IGNORE INTO unit_parent "
	    "(unit, parent) VALUES (?,?)", err);
	grp = catalog_prepare(j->db, "INSERT INTO object_group (transfer, "
	    "xml_id) VALUES (?,?)", err);
	ug = catalog_prepare(j->db, "INSERT OR IGNORE INTO unit_group (unit, "
	    "grp) VALUES (?,?)", err);
	obj = catalog_prepare(j->db, "INSERT INTO object (id, transfer, grp, "
	    "xml_id, version, physical, uri, filename, size, sha256, sha512, "
	    "declared_algorithm, declared_digest, declared_mime, declared_puid,"
	    " declared_format, mime, puid, format, physical_id) VALUES "
	    "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", err);
	cp = catalog_prepare(j->db, "INSERT OR IGNORE INTO copy (sha256, "
	    "offer, size, created) VALUES (?,?,?,?)", err);
	if (par == NULL || grp == NULL || ug == NULL || obj == NULL ||
	    cp == NULL)
		goto out;
	for (i = 0; i < j->tr->nunits; i++)
		for (k = 0; k < j->tr->units[i].nparents; k++) {
			sqlite3_bind_int64(par, 1, useq[i]);
			sqlite3_bind_int64(par, 2,
			    useq[j->tr->units[i].parents[k]]);
			if (step_done(par, j->db, err, "unit parent") == -1)
				goto out;
		}
	gseq = sae_xcalloc(j->tr->ngroups ? j->tr->ngroups : 1,
	    sizeof(*gseq));
	for (i = 0; i < j->tr->ngroups; i++) {
		catalog_bind_text(grp, 1, j->tid);
		catalog_bind_text(grp, 2, j->tr->groups[i].id);
		if (step_done(grp, j->db, err, "object group") == -1)
			goto out;
		gseq[i] = sqlite3_last_insert_rowid(j->db);
		for (k = 0; k < j->tr->groups[i].nobjects; k++) {
			const struct obj *o =
			    &j->objs[j->tr->groups[i].objects[k]];
			const struct seda_object *so = o->so;

			catalog_bind_text(obj, 1, o->id);
			catalog_bind_text(obj, 2, j->tid);
			sqlite3_bind_int64(obj, 3, gseq[i]);
			catalog_bind_text(obj, 4, so->id);
			catalog_bind_text(obj, 5, so->version);
			sqlite3_bind_int(obj, 6, so->physical);
			catalog_bind_text(obj, 7, so->uri);
			catalog_bind_text(obj, 8, so->filename);
			catalog_bind_text(obj, 12, so->digest_alg);
			catalog_bind_text(obj, 13, so->digest_value);
			catalog_bind_text(obj, 14, so->mime_type);
			catalog_bind_text(obj, 15, so->format_id);
			catalog_bind_text(obj, 16, so->format_litteral);
			catalog_bind_text(obj, 20, so->physical_id);
			if (!so->physical) {
				sqlite3_bind_int64(obj, 9,
				    (sqlite3_int64)o->size);
				catalog_bind_text(obj, 10, o->sha256);
				catalog_bind_text(obj, 11, o->sha512);
				catalog_bind_text(obj, 17, o->fmt.mime);
				catalog_bind_text(obj, 18, o->fmt.puid[0] ?
				    o->fmt.puid : NULL);
				catalog_bind_text(obj, 19, o->fmt.description);
			}
			if (step_done(obj, j->db, err, "object insert") == -1)
				goto out;
			if (so->physical)
				continue;
			for (size_t p = 0; p <
			    cfg->nplacement[SAE_PLACE_CURRENT]; p++) {
				catalog_bind_text(cp, 1, o->sha256);
				catalog_bind_text(cp, 2, cfg->offers[
				    cfg->placement[SAE_PLACE_CURRENT][p]].name);
				sqlite3_bind_int64(cp, 3,
				    (sqlite3_int64)o->size);
				catalog_bind_text(cp, 4, j->now);
				if (step_done(cp, j->db, err, "copy") == -1)
					goto out;
			}
		}
	}
	for (i = 0; i < j->tr->nunits; i++)
		for (k = 0; k < j->tr->units[i].ngroups; k++) {
			sqlite3_bind_int64(ug, 1, useq[i]);
			sqlite3_bind_int64(ug, 2,
			    gseq[j->tr->units[i].groups[k]]);
			if (step_done(ug, j->db, err, "unit group") == -1)
				goto out;
		}
	ret = 0;
out:
	free(gseq);
	sqlite3_finalize(par);
	sqlite3_finalize(grp);
	sqlite3_finalize(ug);
	sqlite3_finalize(obj);
	sqlite3_finalize(cp);
	return ret;
}

/* SHA-256 of the bytes insert_units stores for ${xml} (NULL: none). */
static json_t *
hex_sha256(const char *xml)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	char hex[2 * SHA256_DIGEST_LENGTH + 1];

	SHA256((const unsigned char *)(xml != NULL ? xml : ""), xml != NULL ?
	    strlen(xml) : 0, md);
	sae_hex(hex, md, sizeof(md));
	return json_string(hex);
}

static int
journal_units(struct job *j, struct sae_err *err)
{
	struct journal_entry e;
	size_t i, g, k;
	struct journal_batch *jb;
	int rc = 0;

	if (journal_batch_begin(&jb, j->db, err) == -1)
		return -1;

	for (i = 0; i < j->tr->nunits && rc == 0; i++) {
		const struct seda_unit *u = &j->tr->units[i];
		json_t *d = json_object(), *objs = json_array();
		char *detail;

		json_object_set_new(d, "xml_id", json_string(u->id));
		/* The descriptive metadata is bound to the journal too: a
		 * proof bundle's content.xml is checked against it. */
		json_object_set_new(d, "content_sha256", hex_sha256(
		    u->content_xml));
		if (u->management_xml != NULL)
			json_object_set_new(d, "management_sha256",
			    hex_sha256(u->management_xml));
		if (j->appr[i].rule != NULL)
			json_object_set_new(d, "rule",
			    json_string(j->appr[i].rule));
		for (g = 0; g < u->ngroups; g++) {
			const struct seda_group *gr = &j->tr->groups[u->groups[g]];

			for (k = 0; k < gr->nobjects; k++) {
				const struct obj *o = &j->objs[gr->objects[k]];
				json_t *oj = json_object();

				json_object_set_new(oj, "id",
				    json_string(o->id));
				if (!o->so->physical) {
					json_object_set_new(oj, "sha256",
					    json_string(o->sha256));
					json_object_set_new(oj, "sha512",
					    json_string(o->sha512));
					json_object_set_new(oj, "size",
					    json_integer((json_int_t)o->size));
				}
				json_array_append_new(objs, oj);
			}
		}
		json_object_set_new(d, "objects", objs);
		detail = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(d);
		memset(&e, 0, sizeof(e));
		e.type = "UNIT_INGEST";
		e.outcome = "OK";
		e.agent = j->req->producer->name;
		e.transfer = j->tid;
		e.unit = j->unit_ids[i];
		e.message = "Unité archivée";
		e.detail = detail;
		rc = journal_batch_add(jb, &e, NULL, err);
		free(detail);
	}
	journal_batch_end(jb);
	return rc;
}

/* KO: the reply and one journal entry, nothing else. */
int
ingest_record_refusal(struct job *j, struct sae_err *err)
{
	ingest_record_reason(j);
	if (ingest_record_reply(j, 0, err) == -1)
		return -1;
	if (catalog_begin(j->db, err) == -1)
		return -1;
	if (insert_transfer(j, "KO", 422, err) == -1 ||
	    journal_transfer(j, "KO", err) == -1 ||
	    catalog_commit(j->db, err) == -1) {
		catalog_rollback(j->db);
		return -1;
	}
	j->res->http_status = 422;
	snprintf(j->res->outcome, sizeof(j->res->outcome), "KO");
	snprintf(j->res->transfer_id, sizeof(j->res->transfer_id), "%s",
	    j->tid);
	return 0;
}

/*
 * Objects were written to the current-use offers: a unit already
 * definitive (an old file, an unlimited DUA) needs them on the sovereign
 * ones, now.  A failure is logged and left to the next pass: the transfer
 * itself is archived.
 */
static void
place_transfer(struct job *j)
{
	struct placement_stats ps;
	struct sae_err err;

	if (placement_reconcile(j->db, j->ctx->store, j->ctx->cfg, j->tid,
	    "system", &ps, &err) == -1)
		sae_log_err(LOG_ERR, &err, "placement transfer=%s", j->tid);
}

int
ingest_record_acceptance(struct job *j, struct sae_err *err)
{
	const char *outcome = j->report.worst == SEDA_WARNING ? "WARNING" :
	    "OK";
	sqlite3_int64 *useq = NULL;
	int ret = -1, locked = 1;

	j->t_stream = ms_now();
	/* Until the catalog references the contents, a disposal must not
	 * delete one of them as unreferenced. */
	store_lock_shared(j->ctx->store);
	if (commit_objects(j, err) == -1)
		goto out;
	j->t_store = ms_now();
	seda_report_add(&j->report, SEDA_OK, "STORAGE", NULL, "Objets "
	    "enregistrés sur %zu offre(s) de stockage",
	    j->ctx->cfg->nplacement[SAE_PLACE_CURRENT]);
	if (stamp(j, err) == -1)
		goto out;
	ingest_record_reason(j);
	if (ingest_record_reply(j, 1, err) == -1)
		goto out;
	useq = sae_xcalloc(j->tr->nunits ? j->tr->nunits : 1, sizeof(*useq));
	if (catalog_begin(j->db, err) == -1)
		goto out;
	if (insert_transfer(j, outcome, 201, err) == -1 ||
	    insert_units(j, useq, err) == -1 ||
	    insert_links(j, useq, err) == -1 ||
	    journal_transfer(j, outcome, err) == -1 ||
	    journal_units(j, err) == -1)
		goto out;
	sae_crashpoint("ingest-before-commit");
	if (catalog_commit(j->db, err) == -1)
		goto out;
	store_unlock(j->ctx->store);
	locked = 0;
	j->t_record = ms_now();
	place_transfer(j);
	sae_log(LOG_DEBUG, "ingest id=%s timing open=%.0fms check=%.0fms "
	    "stream=%.0fms store=%.0fms record=%.0fms", j->tid,
	    j->t_open - j->t0, j->t_check - j->t_open,
	    j->t_stream - j->t_check, j->t_store - j->t_stream,
	    j->t_record - j->t_store);
	j->res->http_status = 201;
	snprintf(j->res->outcome, sizeof(j->res->outcome), "%s", outcome);
	snprintf(j->res->transfer_id, sizeof(j->res->transfer_id), "%s",
	    j->tid);
	ret = 0;
out:
	if (ret == -1)
		catalog_rollback(j->db);
	if (locked)
		store_unlock(j->ctx->store);
	free(useq);
	return ret;
}

