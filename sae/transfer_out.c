/*
 * transfer_out.c: transfers to another archive.  Creation marks the units
 * first (one transaction: nothing can take them meanwhile), then writes
 * the packages from a read snapshot, then records them as pending; a
 * failure while writing releases the units.  A reply purges or releases
 * the units of its package.  Reads and writes the catalog, the journal
 * and (purges) the offers.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sae/catalog.h"
#include "sae/conf.h"
#include "sae/disposal_internal.h"
#include "sae/export.h"
#include "sae/export_package.h"
#include "sae/fsutil.h"
#include "sae/journal.h"
#include "sae/transfer_out.h"
#include "sae/xmalloc.h"
#include "seda/seda.h"

/*
 * Marks every alive unit of ${transfers} as in transfer ${seq}, refusing
 * units already in one or on an open disposal list.
 */
static int
mark_units(sqlite3 *db, long long seq, char **transfers, size_t n,
    long long *units, struct sae_err *err)
{
	sqlite3_stmt *st;
	size_t i;
	int rc;

	*units = 0;
	for (i = 0; i < n; i++) {
		if ((st = catalog_prepare(db, "SELECT u.id, CASE WHEN EXISTS "
		    "(SELECT 1 FROM outgoing_unit o WHERE o.unit = u.seq) THEN "
		    "'un autre transfert' ELSE 'un bordereau d''élimination "
		    "ouvert' END FROM unit u WHERE u.transfer = ? AND u.state = "
		    "'alive' AND (EXISTS (SELECT 1 FROM outgoing_unit o WHERE "
		    "o.unit = u.seq) OR EXISTS (SELECT 1 FROM disposal_line l "
		    "JOIN disposal d ON d.seq = l.disposal WHERE l.unit = u.seq "
		    "AND d.state IN ('proposed','approved','executing') AND "
		    "l.excluded = 0 AND l.outcome IS NULL)) LIMIT 1",
		    err)) == NULL)
			return -1;
		catalog_bind_text(st, 1, transfers[i]);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			sae_err_set(err, SAE_EEXIST, "unit %s is already in %s: "
			    "it cannot be transferred", catalog_text(st, 0),
			    catalog_text(st, 1));
			sqlite3_finalize(st);
			return -1;
		}
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return catalog_fail(err, db, "transfer check");
		if ((st = catalog_prepare(db, "INSERT INTO outgoing_unit (unit, "
		    "outgoing, transfer) SELECT seq, ?, transfer FROM unit WHERE "
		    "transfer = ? AND state = 'alive'", err)) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, seq);
		catalog_bind_text(st, 2, transfers[i]);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return catalog_fail(err, db, "transfer mark");
		*units += sqlite3_changes(db);
	}
	return 0;
}

/* Journals one entry per unit of ${transfer} in ${seq} (or all of ${seq}). */
static int
journal_units(sqlite3 *db, long long seq, const char *transfer,
    const char *type, const char *outcome, const char *agent,
    const char *message, const char *detail, struct sae_err *err)
{
	struct journal_batch *jb;
	struct journal_entry e;
	sqlite3_stmt *st;
	int rc = 0, step;

	if ((st = catalog_prepare(db, "SELECT u.id, u.transfer FROM "
	    "outgoing_unit o JOIN unit u ON u.seq = o.unit WHERE o.outgoing = ? "
	    "AND (?2 IS NULL OR o.transfer = ?2) ORDER BY u.seq", err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, seq);
	catalog_bind_text(st, 2, transfer);
	if (journal_batch_begin(&jb, db, err) == -1) {
		sqlite3_finalize(st);
		return -1;
	}
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&e, 0, sizeof(e));
		e.type = type;
		e.outcome = outcome;
		e.agent = agent;
		e.transfer = catalog_text(st, 1);
		e.unit = catalog_text(st, 0);
		e.message = message;
		e.detail = detail;
		rc = journal_batch_add(jb, &e, NULL, err);
	}
	journal_batch_end(jb);
	sqlite3_finalize(st);
	return rc;
}

/* Writes the packages from one snapshot; *summary gets their list. */
static int
write_packages(sqlite3 *db, struct store *st, const struct sae_config *cfg,
    const char *id, char **transfers, size_t n, const char *dir,
    json_t *list, struct sae_err *err)
{
	struct export_package_stats ps;
	struct export_as as;
	char mid[128], path[PATH_MAX], tmp[PATH_MAX], comment[256];
	size_t i;
	int ret = -1;

	if (catalog_exec(db, "BEGIN", err) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		snprintf(mid, sizeof(mid), "SAE-OUT-%s-%zu", id, i + 1);
		snprintf(comment, sizeof(comment), "Transfert du versement %s "
		    "par le service d'archives %s", transfers[i],
		    cfg->archival_agency);
		if (sae_path(path, sizeof(path), "%s/%s.zip", dir, mid) == -1 ||
		    sae_path(tmp, sizeof(tmp), "%s.part", path) == -1) {
			sae_err_set(err, SAE_EINVAL, "directory path too long");
			goto out;
		}
		as.message_id = mid;
		as.transferring_agency = cfg->archival_agency;
		as.comment = comment;
		if (export_package_as(db, st, transfers[i], tmp, &as, &ps,
		    err) == -1)
			goto out;
		if (rename(tmp, path) == -1) {
			unlink(tmp);
			sae_err_sys(err, SAE_EIO, "cannot rename '%s'", tmp);
			goto out;
		}
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:I, s:I}",
		    "transfer", transfers[i], "message_id", mid, "path", path,
		    "units", (json_int_t)ps.units, "bytes", (json_int_t)ps.bytes));
	}
	ret = 0;
out:
	catalog_exec(db, "ROLLBACK", NULL);
	return ret;
}

int
transfer_out_create(sqlite3 *db, struct store *st,
    const struct sae_config *cfg, json_t *selection, const char *dir,
    const char *agent, char id[SAE_ID_LEN + 1], json_t **summary,
    struct sae_err *err)
{
	struct export_selection sel;
	sqlite3_stmt *q;
	json_t *list = json_array(), *p;
	char now[32], *seltext = NULL, detail[256];
	char **transfers = NULL;
	long long seq = 0, units = 0, selected;
	size_t n = 0, i;
	int ret = -1;

	if (export_selection_from_json(selection, &sel, err) == -1) {
		json_decref(list);
		return -1;
	}
	if (sae_fs_mkdirp(dir, 0750, err) == -1)
		goto out;
	sae_id_new(id);
	sae_time_now_iso(now);
	seltext = json_dumps(selection, JSON_COMPACT | JSON_SORT_KEYS);
	/* 1. The units are taken in one transaction: nothing else may
	 * transfer or destroy them from now on. */
	if (catalog_begin(db, err) == -1)
		goto out;
	if (export_selected_transfers(db, &sel, &transfers, &n, &selected,
	    err) == -1)
		goto fail;
	if (n == 0) {
		sae_err_set(err, SAE_ENOTFOUND, "no alive unit matches the "
		    "selection: nothing to transfer");
		goto fail;
	}
	if ((q = catalog_prepare(db, "INSERT INTO outgoing (id, state, "
	    "selection, directory, created, created_by) VALUES (?, "
	    "'preparing', ?, ?, ?, ?)", err)) == NULL)
		goto fail;
	catalog_bind_text(q, 1, id);
	catalog_bind_text(q, 2, seltext);
	catalog_bind_text(q, 3, dir);
	catalog_bind_text(q, 4, now);
	catalog_bind_text(q, 5, agent);
	if (sqlite3_step(q) != SQLITE_DONE) {
		sqlite3_finalize(q);
		catalog_fail(err, db, "outgoing insert");
		goto fail;
	}
	sqlite3_finalize(q);
	seq = sqlite3_last_insert_rowid(db);
	if (mark_units(db, seq, transfers, n, &units, err) == -1 ||
	    catalog_commit(db, err) == -1)
		goto fail;
	/* 2. The packages, from a snapshot; on failure the units are freed. */
	if (write_packages(db, st, cfg, id, transfers, n, dir, list,
	    err) == -1) {
		struct sae_err e2;

		if (catalog_begin(db, &e2) == 0 &&
		    catalog_run(db, "DELETE FROM outgoing_unit WHERE outgoing "
		    "= ?", seq, NULL, "transfer release", &e2) == 0 &&
		    catalog_run(db, "DELETE FROM outgoing WHERE seq = ?", seq,
		    NULL, "transfer release", &e2) == 0)
			catalog_commit(db, &e2);
		catalog_rollback(db);
		goto out;
	}
	/* 3. Pending until the other archive answers, journaled. */
	if (catalog_begin(db, err) == -1)
		goto out;
	json_array_foreach(list, i, p) {
		if ((q = catalog_prepare(db, "INSERT INTO outgoing_package "
		    "(outgoing, transfer, message_id, state) VALUES (?, ?, ?, "
		    "'pending')", err)) == NULL)
			goto fail;
		sqlite3_bind_int64(q, 1, seq);
		catalog_bind_text(q, 2, json_string_value(json_object_get(p,
		    "transfer")));
		catalog_bind_text(q, 3, json_string_value(json_object_get(p,
		    "message_id")));
		if (sqlite3_step(q) != SQLITE_DONE) {
			sqlite3_finalize(q);
			catalog_fail(err, db, "outgoing package");
			goto fail;
		}
		sqlite3_finalize(q);
	}
	snprintf(detail, sizeof(detail), "{\"outgoing\":\"%s\"}", id);
	if (catalog_run(db, "UPDATE outgoing SET state = 'pending' WHERE seq = "
	    "?", seq, NULL, "transfer pending", err) == -1 ||
	    journal_units(db, seq, NULL, "UNIT_TRANSFER_OUT", "OK", agent,
	    "Unité remise dans un paquet de transfert vers un autre service "
	    "d'archives, en attente de sa réponse", detail, err) == -1)
		goto fail;
	{
		char *text;
		json_t *d = json_pack("{s:s, s:O, s:I}", "outgoing", id,
		    "packages", list, "units", (json_int_t)units);
		int rc;

		text = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(d);
		rc = journal_commit(db, "TRANSFER_OUT", agent, text, err,
		    "Transfert %s vers un autre service d'archives : %zu "
		    "paquet(s), %lld unité(s)", id, n, units);
		free(text);
		if (rc == -1)
			goto fail;
	}
	*summary = json_pack("{s:s, s:s, s:I, s:O}", "id", id, "directory",
	    dir, "units", (json_int_t)units, "packages", list);
	ret = 0;
	goto out;
fail:
	catalog_rollback(db);
out:
	for (i = 0; i < n; i++)
		free(transfers[i]);
	free(transfers);
	free((void *)sel.units);
	free(seltext);
	json_decref(list);
	return ret;
}

/* The producer is told where its units went. */
static int
notification(sqlite3 *db, const struct sae_config *cfg, long long seq,
    const char *transfer, const struct seda_reply_read *r,
    struct sae_buf *xml, struct sae_err *err)
{
	struct seda_disposal_msg m;
	sqlite3_stmt *st;
	char mid[160], now[32], comment[256], agency[128] = "";
	char **ids = NULL;
	size_t n = 0, cap = 0;
	int rc;

	if ((st = catalog_prepare(db, "SELECT u.id, coalesce(t.agency, "
	    "u.agency) FROM outgoing_unit o JOIN unit u ON u.seq = o.unit JOIN "
	    "transfer t ON t.id = u.transfer WHERE o.outgoing = ? AND "
	    "o.transfer = ? ORDER BY u.seq", err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, seq);
	catalog_bind_text(st, 2, transfer);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			ids = sae_xreallocarray(ids, cap, sizeof(*ids));
		}
		ids[n++] = sae_xstrdup(catalog_text(st, 0));
		if (agency[0] == '\0' && catalog_text(st, 1) != NULL)
			snprintf(agency, sizeof(agency), "%s",
			    catalog_text(st, 1));
	}
	sqlite3_finalize(st);
	rc = rc == SQLITE_DONE ? 0 : catalog_fail(err, db, "notified units");
	if (rc == 0) {
		snprintf(mid, sizeof(mid), "AMN-%s", r->request_id);
		snprintf(comment, sizeof(comment), "Unités transférées à un "
		    "autre service d'archives, qui les a acceptées (réponse %s)",
		    r->message_id != NULL ? r->message_id : "sans identifiant");
		sae_time_now_iso(now);
		memset(&m, 0, sizeof(m));
		m.version = r->version;
		m.message_id = mid;
		m.date = now;
		m.comment = comment;
		m.archival_agency = cfg->archival_agency;
		m.units = (const char *const *)ids;
		m.nunits = n;
		m.originating_agency = agency[0] != '\0' ? agency :
		    cfg->archival_agency;
		rc = seda_modification_notification_write(xml, &m, err);
	}
	disposal_ids_free(ids, n);
	return rc;
}

/* OK: every unit of the package leaves, as in disposal. */
static int
purge(sqlite3 *db, long long seq, const char *transfer, const char *reply_id,
    struct sae_err *err)
{
	sqlite3_stmt *st;
	long long *units = NULL;
	char **uids = NULL;
	size_t n = 0, cap = 0, i;
	int rc, ret = -1;

	if ((st = catalog_prepare(db, "SELECT o.unit, u.id FROM outgoing_unit o "
	    "JOIN unit u ON u.seq = o.unit WHERE o.outgoing = ? AND o.transfer "
	    "= ? ORDER BY o.unit", err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, seq);
	catalog_bind_text(st, 2, transfer);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			units = sae_xreallocarray(units, cap, sizeof(*units));
			uids = sae_xreallocarray(uids, cap, sizeof(*uids));
		}
		units[n] = sqlite3_column_int64(st, 0);
		uids[n++] = sae_xstrdup(catalog_text(st, 1));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		catalog_fail(err, db, "purged units");
		goto out;
	}
	for (i = 0; i < n; i++) {
		json_t *objs = json_array();

		rc = disposal_unit_leave(db, units[i], uids[i], 0, seq,
		    reply_id, "transferred", objs, err);
		json_decref(objs);
		if (rc == -1)
			goto out;
	}
	ret = 0;
out:
	free(units);
	disposal_ids_free(uids, n);
	return ret;
}

int
transfer_out_reply(sqlite3 *db, struct store *st,
    const struct seda_schemas *schemas, const struct sae_config *cfg,
    const void *xml, size_t len, const char *dir, const char *agent,
    json_t **summary, struct sae_err *err)
{
	struct seda_reply_read r;
	struct sae_buf note = SAE_BUF_INIT;
	char transfer[64] = "", state[16] = "", outid[SAE_ID_LEN + 1] = "";
	char now[32], path[PATH_MAX] = "", detail[512], outdir[PATH_MAX] = "";
	sqlite3_stmt *q;
	long long seq = -1;
	int ok, rc, ret = -1;

	if (seda_transfer_reply_read(schemas, xml, len, &r, err) == -1)
		return -1;
	ok = !strcmp(r.reply_code, "OK") || !strcmp(r.reply_code, "WARNING");
	if (catalog_begin(db, err) == -1)
		goto out;
	if ((q = catalog_prepare(db, "SELECT p.outgoing, p.transfer, p.state, "
	    "o.id, o.directory FROM outgoing_package p JOIN outgoing o ON "
	    "o.seq = p.outgoing WHERE p.message_id = ?", err)) == NULL)
		goto fail;
	catalog_bind_text(q, 1, r.request_id);
	if ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		seq = sqlite3_column_int64(q, 0);
		snprintf(transfer, sizeof(transfer), "%s", catalog_text(q, 1));
		snprintf(state, sizeof(state), "%s", catalog_text(q, 2));
		snprintf(outid, sizeof(outid), "%s", catalog_text(q, 3));
		if (dir == NULL)	/* beside the packages we sent */
			snprintf(outdir, sizeof(outdir), "%s",
			    catalog_text(q, 4));
	}
	if (dir != NULL)
		snprintf(outdir, sizeof(outdir), "%s", dir);
	sqlite3_finalize(q);
	if (seq < 0) {
		sae_err_set(err, SAE_ENOTFOUND, "the reply answers '%s', which "
		    "is no package this archive sent", r.request_id);
		goto fail;
	}
	if (strcmp(state, "pending") != 0) {
		sae_err_set(err, SAE_EEXIST, "package %s was already answered "
		    "(%s)", r.request_id, state);
		goto fail;
	}
	snprintf(detail, sizeof(detail), "{\"outgoing\":\"%s\",\"package\":"
	    "\"%s\",\"reply\":\"%s\",\"reply_code\":\"%s\"}", outid,
	    r.request_id, r.message_id != NULL ? r.message_id : "",
	    r.reply_code);
	if (ok) {
		if (notification(db, cfg, seq, transfer, &r, &note, err) == -1 ||
		    journal_units(db, seq, transfer, "UNIT_TRANSFERRED", "OK",
		    agent, "Unité transférée : l'autre service d'archives l'a "
		    "acceptée ; ses copies sont supprimées", detail, err) == -1 ||
		    purge(db, seq, transfer, r.message_id, err) == -1)
			goto fail;
	} else if (journal_units(db, seq, transfer, "UNIT_TRANSFER_RELEASED",
	    "WARNING", agent, "Transfert refusé par l'autre service "
	    "d'archives : l'unité reprend son cours normal", detail,
	    err) == -1)
		goto fail;
	sae_time_now_iso(now);
	if ((q = catalog_prepare(db, "UPDATE outgoing_package SET state = ?, "
	    "reply_id = ?, reply_code = ?, replied = ?, reply = ?, notification "
	    "= ? WHERE message_id = ?", err)) == NULL)
		goto fail;
	catalog_bind_text(q, 1, ok ? "accepted" : "rejected");
	catalog_bind_text(q, 2, r.message_id);
	catalog_bind_text(q, 3, r.reply_code);
	catalog_bind_text(q, 4, now);
	sqlite3_bind_blob(q, 5, xml, (int)len, SQLITE_TRANSIENT);
	if (ok)
		sqlite3_bind_blob(q, 6, note.data, (int)note.len,
		    SQLITE_TRANSIENT);
	catalog_bind_text(q, 7, r.request_id);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		catalog_fail(err, db, "outgoing reply");
		goto fail;
	}
	if (catalog_run(db, "DELETE FROM outgoing_unit WHERE outgoing = ?1 AND "
	    "transfer = ?2", seq, transfer, "transfer out", err) == -1 ||
	    catalog_run(db, "UPDATE outgoing SET state = 'done' WHERE seq = ?1 "
	    "AND NOT EXISTS (SELECT 1 FROM outgoing_package WHERE outgoing = "
	    "?1 AND state = 'pending')", seq, NULL, "transfer out", err) == -1 ||
	    journal_commit(db, ok ? "TRANSFER_OUT_ACCEPTED" :
	    "TRANSFER_OUT_REJECTED", agent, detail, err, "Réponse %s au paquet "
	    "%s du transfert %s", r.reply_code, r.request_id, outid) == -1)
		goto fail;
	/* The copies go after the units: a crash leaves doomed copies that
	 * the next run (or saed's scheduler) deletes. */
	if (ok && disposal_delete_doomed(db, st, 0, agent, err) == -1)
		goto out;
	if (ok) {
		if (sae_path(path, sizeof(path), "%s/%s-notification.xml",
		    outdir, r.request_id) == -1 ||
		    sae_fs_mkdirp(outdir, 0750, err) == -1 ||
		    sae_fs_write_atomic(path, note.data, note.len, 0640,
		    err) == -1)
			goto out;
	}
	*summary = json_pack("{s:s, s:s, s:s, s:s, s:s}", "outgoing", outid,
	    "package", r.request_id, "reply_code", r.reply_code, "outcome",
	    ok ? "purged" : "released", "notification", path);
	ret = 0;
	goto out;
fail:
	catalog_rollback(db);
out:
	seda_reply_read_done(&r);
	sae_buf_done(&note);
	return ret;
}
