/*
 * disposal_exec.c: carrying out approved disposal lists.  Per unit, leaves
 * first: eligibility checked again, then in one transaction the unit
 * becomes a tombstone and the copies nobody else references are marked
 * doomed; then each doomed copy is deleted from its offer, its absence
 * checked, and its row removed.  A unit is never shown alive with copies
 * gone, and a crash leaves only doomed copies to finish.  Writes the
 * catalog, the journal and the offers; asks the TSA for the notification's
 * token.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/sha.h>

#include "sae/ages.h"
#include "sae/buf.h"
#include "sae/catalog.h"
#include "sae/conf.h"
#include "sae/disposal.h"
#include "sae/disposal_internal.h"
#include "sae/id.h"
#include "sae/journal.h"
#include "sae/log.h"
#include "sae/tsa.h"
#include "sae/xmalloc.h"
#include "seda/seda.h"
#include "storage/store.h"

struct list {
	long long	 seq;
	char		 id[SAE_ID_LEN + 1];
	char		*agency;
	char		*visa;
	char		*state;
	char		 version[8];
};

static void
list_done(struct list *l)
{
	free(l->agency);
	free(l->visa);
	free(l->state);
}


/*
 * Why ${unit} may no longer be destroyed, or "" when it may: its age
 * changed, a hold on it or on a relative, or a descendant that stays.
 */
static int
blocker(sqlite3 *db, long long list, long long unit, const char *today,
    char *why, size_t size, struct sae_err *err)
{
	sqlite3_stmt *st;
	int rc;

	why[0] = '\0';
	if ((st = catalog_prepare(db, "WITH RECURSIVE "
	    "up(s) AS (SELECT ?1 UNION SELECT p.parent FROM unit_parent p JOIN "
	    "up ON p.unit = up.s), "
	    "down(s) AS (SELECT ?1 UNION SELECT p.unit FROM unit_parent p JOIN "
	    "down ON p.parent = down.s), "
	    "kin(s) AS (SELECT s FROM up UNION SELECT s FROM down) "
	    "SELECT u.state, u.age, "
	    "(SELECT count(*) FROM hold h WHERE h.unit IN (SELECT s FROM kin) "
	    "AND h.lifted IS NULL AND (h.until IS NULL OR h.until > ?2)), "
	    "(SELECT count(*) FROM unit k WHERE k.seq IN (SELECT s FROM kin) "
	    "AND k.held = 1 AND k.state = 'alive'), "
	    "(SELECT count(*) FROM down JOIN unit k ON k.seq = down.s WHERE "
	    "down.s <> ?1 AND k.state = 'alive' AND NOT EXISTS (SELECT 1 FROM "
	    "disposal_line l WHERE l.disposal = ?3 AND l.unit = down.s AND "
	    "l.excluded = 0 AND l.outcome IS NULL)), "
	    "(SELECT count(*) FROM outgoing_unit o WHERE o.unit IN (SELECT s "
	    "FROM kin)) "
	    "FROM unit u WHERE u.seq = ?1", err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, unit);
	catalog_bind_text(st, 2, today);
	sqlite3_bind_int64(st, 3, list);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return catalog_fail(err, db, "disposal check");
	}
	if (strcmp(catalog_text(st, 0), "alive") != 0)
		snprintf(why, size, "l'unité n'est plus conservée (%s)",
		    catalog_text(st, 0));
	else if (strcmp(catalog_text(st, 1), "disposal") != 0)
		snprintf(why, size, "l'unité n'est plus à éliminer : son âge "
		    "est maintenant %s", catalog_text(st, 1));
	else if (sqlite3_column_int(st, 2) > 0 || sqlite3_column_int(st, 3) > 0)
		snprintf(why, size, "un gel actif porte sur l'unité, un de ses "
		    "ascendants ou un de ses descendants");
	else if (sqlite3_column_int(st, 4) > 0)
		snprintf(why, size, "l'unité a %d descendant(s) à conserver",
		    sqlite3_column_int(st, 4));
	else if (sqlite3_column_int(st, 5) > 0)
		snprintf(why, size, "l'unité ou un parent est en cours de "
		    "transfert vers un autre service d'archives");
	sqlite3_finalize(st);
	return 0;
}

/*
 * The unit's objects for its tombstone; a content still referenced by an
 * alive unit other than this one is detached, not deleted.
 */
static int
unit_objects(sqlite3 *db, long long unit, json_t *objs, struct sae_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = catalog_prepare(db, "SELECT o.id, o.sha256, o.size, "
	    "o.physical, EXISTS (SELECT 1 FROM object o2 JOIN unit_group g2 ON "
	    "g2.grp = o2.grp JOIN unit u2 ON u2.seq = g2.unit WHERE (o2.grp = "
	    "o.grp OR o2.sha256 = o.sha256) AND u2.state = 'alive' AND u2.seq "
	    "<> ?1) FROM unit_group g JOIN object o ON o.grp = g.grp WHERE "
	    "g.unit = ?1 ORDER BY o.seq", err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, unit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *o = json_pack("{s:s, s:b}", "id", catalog_text(st, 0),
		    "detached", sqlite3_column_int(st, 4));

		if (!sqlite3_column_int(st, 3)) {
			json_object_set_new(o, "sha256",
			    json_string(catalog_text(st, 1)));
			json_object_set_new(o, "size", json_integer(
			    sqlite3_column_int64(st, 2)));
		}
		json_array_append_new(objs, o);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return catalog_fail(err, db, "disposal objects");
	return 0;
}

int
disposal_unit_leave(sqlite3 *db, long long unit, const char *uid,
    long long disposal, long long outgoing, const char *visa,
    const char *state, json_t *objs, struct sae_err *err)
{
	sqlite3_stmt *st;
	char now[32], *otext;
	size_t i;
	int rc;

	if (unit_objects(db, unit, objs, err) == -1)
		return -1;
	otext = json_dumps(objs, JSON_COMPACT | JSON_SORT_KEYS);
	sae_time_now_iso(now);
	if ((st = catalog_prepare(db, "INSERT INTO tombstone (unit, disposal, "
	    "outgoing, visa, destroyed, objects) VALUES (?, ?, ?, ?, ?, ?)",
	    err)) == NULL) {
		free(otext);
		return -1;
	}
	sqlite3_bind_int64(st, 1, unit);
	if (disposal > 0)
		sqlite3_bind_int64(st, 2, disposal);
	if (outgoing > 0)
		sqlite3_bind_int64(st, 3, outgoing);
	catalog_bind_text(st, 4, visa);
	catalog_bind_text(st, 5, now);
	catalog_bind_text(st, 6, otext);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	free(otext);
	if (rc != SQLITE_DONE)
		return catalog_fail(err, db, "tombstone");
	if ((st = catalog_prepare(db, "UPDATE unit SET state = ? WHERE seq = ?",
	    err)) == NULL)
		return -1;
	catalog_bind_text(st, 1, state);
	sqlite3_bind_int64(st, 2, unit);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return catalog_fail(err, db, "unit leaves");
	for (i = 0; i < json_array_size(objs); i++) {
		json_t *o = json_array_get(objs, i);

		if (json_is_true(json_object_get(o, "detached")) ||
		    json_object_get(o, "sha256") == NULL)
			continue;
		if ((st = catalog_prepare(db, "INSERT OR IGNORE INTO doomed_copy "
		    "(sha256, offer, disposal, unit) SELECT sha256, offer, ?, ? "
		    "FROM copy WHERE sha256 = ?", err)) == NULL)
			return -1;
		if (disposal > 0)
			sqlite3_bind_int64(st, 1, disposal);
		catalog_bind_text(st, 2, uid);
		catalog_bind_text(st, 3, json_string_value(json_object_get(o,
		    "sha256")));
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return catalog_fail(err, db, "doomed copies");
	}
	return 0;
}

/* One unit: kept with the reason, or made a tombstone with doomed copies. */
static int
settle_unit(sqlite3 *db, const struct list *l, long long unit,
    const char *uid, const char *today, const char *agent, int *destroyed,
    struct sae_err *err)
{
	struct journal_entry e;
	json_t *objs = json_array(), *d;
	char why[256], *detail = NULL;
	int ret = -1;

	*destroyed = 0;
	if (catalog_begin(db, err) == -1) {
		json_decref(objs);
		return -1;
	}
	if (blocker(db, l->seq, unit, today, why, sizeof(why), err) == -1)
		goto out;
	memset(&e, 0, sizeof(e));
	e.agent = agent;
	e.unit = uid;
	if (why[0] == '\0') {
		if (disposal_unit_leave(db, unit, uid, l->seq, 0, l->visa,
		    "destroyed", objs, err) == -1)
			goto out;
		d = json_pack("{s:s, s:s, s:O}", "disposal", l->id, "visa",
		    l->visa, "objects", objs);
		detail = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(d);
		e.type = "UNIT_DESTROY";
		e.outcome = "OK";
		e.message = "Unité éliminée (bordereau approuvé avec visa)";
		*destroyed = 1;
	} else {
		d = json_pack("{s:s, s:s}", "disposal", l->id, "reason", why);
		detail = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(d);
		e.type = "UNIT_DISPOSAL_SKIP";
		e.outcome = "WARNING";
		e.message = "Unité conservée : elle ne remplit plus les "
		    "conditions d'élimination";
	}
	e.detail = detail;
	{
		sqlite3_stmt *st = catalog_prepare(db, "UPDATE disposal_line SET "
		    "outcome = ?, outcome_reason = ? WHERE disposal = ? AND "
		    "unit = ?", err);

		if (st == NULL)
			goto out;
		catalog_bind_text(st, 1, *destroyed ? "destroyed" : "kept");
		catalog_bind_text(st, 2, *destroyed ? NULL : why);
		sqlite3_bind_int64(st, 3, l->seq);
		sqlite3_bind_int64(st, 4, unit);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_finalize(st);
			catalog_fail(err, db, "disposal outcome");
			goto out;
		}
		sqlite3_finalize(st);
	}
	if (journal_append(db, &e, NULL, err) == -1 ||
	    catalog_commit(db, err) == -1)
		goto out;
	ret = 0;
out:
	if (ret == -1) {
		catalog_rollback(db);
		*destroyed = 0;
	}
	json_decref(objs);
	free(detail);
	return ret;
}

/* ${del} (a DELETE without WHERE) for the row of one copy. */
static int
delete_pair(sqlite3 *db, const char *del, const char *sha, const char *offer,
    struct sae_err *err)
{
	char sql[128];
	sqlite3_stmt *st;
	int rc;

	snprintf(sql, sizeof(sql), "%s WHERE sha256 = ? AND offer = ?", del);
	if ((st = catalog_prepare(db, sql, err)) == NULL)
		return -1;
	catalog_bind_text(st, 1, sha);
	catalog_bind_text(st, 2, offer);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return catalog_fail(err, db, del);
	return 0;
}

/*
 * Deletes the doomed copies (of one list, or all when list is 0).  Under
 * the store's exclusive lock, a content that an alive unit references
 * again (a new ingest of the same bytes) is spared.
 */
int
disposal_delete_doomed(sqlite3 *db, struct store *st, long long list,
    const char *agent, struct sae_err *err)
{
	sqlite3_stmt *q;
	int rc;

	for (;;) {
		char sha[65], offer[128], unit[64], detail[320];
		unsigned char bin[32];
		long long lseq;
		int used = 0;

		if ((q = catalog_prepare(db, "SELECT sha256, offer, disposal, "
		    "unit FROM doomed_copy WHERE ?1 = 0 OR disposal = ?1 LIMIT "
		    "1", err)) == NULL)
			return -1;
		sqlite3_bind_int64(q, 1, list);
		if ((rc = sqlite3_step(q)) != SQLITE_ROW) {
			sqlite3_finalize(q);
			return rc == SQLITE_DONE ? 0 :
			    catalog_fail(err, db, "doomed copies");
		}
		snprintf(sha, sizeof(sha), "%s", catalog_text(q, 0));
		snprintf(offer, sizeof(offer), "%s", catalog_text(q, 1));
		lseq = sqlite3_column_int64(q, 2);
		snprintf(unit, sizeof(unit), "%s", catalog_text(q, 3));
		sqlite3_finalize(q);
		if (sae_unhex(bin, sizeof(bin), sha) != 32)
			return sae_err_set(err, SAE_ECORRUPT, "doomed copy with "
			    "a bad digest '%s'", sha);
		store_lock_exclusive(st);
		if (catalog_begin(db, err) == -1)
			goto fail;
		if ((q = catalog_prepare(db, "SELECT EXISTS (SELECT 1 FROM "
		    "object o JOIN unit_group g ON g.grp = o.grp JOIN unit u ON "
		    "u.seq = g.unit WHERE o.sha256 = ? AND u.state = 'alive')",
		    err)) == NULL)
			goto fail;
		catalog_bind_text(q, 1, sha);
		if (sqlite3_step(q) == SQLITE_ROW)
			used = sqlite3_column_int(q, 0);
		sqlite3_finalize(q);
		/* The file first: a crash then leaves rows to finish, never
		 * a row claiming a copy that is gone. */
		if (!used && store_delete(st, offer, bin, err) == -1)
			goto fail;
		sae_crashpoint("disposal-after-delete");
		if ((!used && delete_pair(db, "DELETE FROM copy", sha, offer,
		    err) == -1) || delete_pair(db, "DELETE FROM doomed_copy",
		    sha, offer, err) == -1)
			goto fail;
		snprintf(detail, sizeof(detail), "{\"sha256\":\"%s\",\"offer\":"
		    "\"%s\",\"disposal_seq\":%lld}", sha, offer, lseq);
		if (journal_commit_unit(db, used ? "COPY_DETACH" : "COPY_DESTROY",
		    agent, unit, detail, err, used ? "Copie conservée : le "
		    "contenu est aussi celui d'une unité conservée" : "Copie "
		    "détruite sur l'offre %s et son absence vérifiée",
		    offer) == -1)
			goto fail;
		store_unlock(st);
		continue;
fail:
		catalog_rollback(db);
		store_unlock(st);
		return -1;
	}
}

static int
load_list(sqlite3 *db, long long seq, struct list *l, struct sae_err *err)
{
	sqlite3_stmt *st;
	int rc;

	memset(l, 0, sizeof(*l));
	if ((st = catalog_prepare(db, "SELECT id, agency, visa, state, "
	    "seda_version FROM disposal WHERE seq = ?", err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, seq);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		l->seq = seq;
		snprintf(l->id, sizeof(l->id), "%s", catalog_text(st, 0));
		l->agency = catalog_text(st, 1) ?
		    sae_xstrdup(catalog_text(st, 1)) : NULL;
		l->visa = sae_xstrdup(catalog_text(st, 2) ?
		    catalog_text(st, 2) : "");
		l->state = sae_xstrdup(catalog_text(st, 3));
		snprintf(l->version, sizeof(l->version), "%s",
		    catalog_text(st, 4));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return catalog_fail(err, db, "disposal load");
	return 0;
}

/* The notification, its token, and the list marked executed. */
static int
finish_list(sqlite3 *db, struct tsa *tsa, const struct sae_config *cfg,
    const struct list *l, const char *agent, struct sae_err *err)
{
	struct sae_buf xml = SAE_BUF_INIT, tsr = SAE_BUF_INIT;
	struct seda_disposal_msg m;
	unsigned char md[SHA256_DIGEST_LENGTH];
	char mid[64], now[32], hex[65], detail[256], **ids = NULL;
	sqlite3_stmt *st = NULL;
	enum seda_version v;
	size_t n = 0;
	int ret = -1;

	if (disposal_line_ids(db, l->seq, "AND l.outcome = 'destroyed'", &ids,
	    &n, err) == -1)
		goto out;
	sae_time_now_iso(now);
	hex[0] = '\0';
	/* SEDA needs one unit at least: a list whose every line was kept
	 * has nothing to notify. */
	if (n > 0) {
		for (v = SEDA_V21; v < SEDA_NVERSIONS; v++)
			if (!strcmp(l->version, seda_version_name(v)))
				break;
		snprintf(mid, sizeof(mid), "ADN-%s", l->id);
		memset(&m, 0, sizeof(m));
		m.version = v < SEDA_NVERSIONS ? v : SEDA_V21;
		m.message_id = mid;
		m.date = now;
		m.archival_agency = cfg->archival_agency;
		m.units = (const char *const *)ids;
		m.nunits = n;
		m.reply_id = l->visa;
		m.originating_agency = l->agency != NULL ? l->agency :
		    cfg->archival_agency;
		if (seda_destruction_notification_write(&xml, &m, err) == -1)
			goto out;
		SHA256((const unsigned char *)xml.data, xml.len, md);
		sae_hex(hex, md, sizeof(md));
		if (tsa_stamp(tsa, "sha256", md, sizeof(md), &tsr, err) == -1)
			goto out;
	}
	if (catalog_begin(db, err) == -1)
		goto out;
	if ((st = catalog_prepare(db, "UPDATE disposal SET state = 'executed', "
	    "executed = ?, notification = ?, notification_tsr = ? WHERE seq = ?",
	    err)) == NULL)
		goto out;
	catalog_bind_text(st, 1, now);
	if (n > 0) {
		sqlite3_bind_blob(st, 2, xml.data, (int)xml.len,
		    SQLITE_TRANSIENT);
		sqlite3_bind_blob(st, 3, tsr.data, (int)tsr.len,
		    SQLITE_TRANSIENT);
	}
	sqlite3_bind_int64(st, 4, l->seq);
	if (sqlite3_step(st) != SQLITE_DONE) {
		catalog_fail(err, db, "disposal executed");
		goto out;
	}
	/* Contents detached from the destroyed units may now be wanted on
	 * fewer offers: let placement look again. */
	if (ages_bump_generation(db, err) == -1)
		goto out;
	snprintf(detail, sizeof(detail), "{\"disposal\":\"%s\",\"destroyed\":"
	    "%zu,\"notification_sha256\":%s%s%s}", l->id, n, n ? "\"" : "",
	    n ? hex : "null", n ? "\"" : "");
	if (journal_commit(db, "DISPOSAL_EXECUTED", agent, detail, err,
	    "Bordereau d'élimination %s exécuté : %zu unité(s) éliminée(s)",
	    l->id, n) == -1)
		goto out;
	ret = 0;
out:
	sqlite3_finalize(st);
	catalog_rollback(db);
	disposal_ids_free(ids, n);
	sae_buf_done(&xml);
	sae_buf_done(&tsr);
	return ret;
}

/* The next line to settle: one whose pending descendants are settled. */
static int
next_line(sqlite3 *db, long long list, long long *unit, char uid[64],
    struct sae_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = catalog_prepare(db, "SELECT l.unit, u.id FROM disposal_line "
	    "l JOIN unit u ON u.seq = l.unit WHERE l.disposal = ?1 AND "
	    "l.excluded = 0 AND l.outcome IS NULL AND NOT EXISTS (SELECT 1 "
	    "FROM unit_parent p JOIN disposal_line c ON c.unit = p.unit AND "
	    "c.disposal = ?1 AND c.excluded = 0 AND c.outcome IS NULL WHERE "
	    "p.parent = l.unit) ORDER BY l.unit DESC LIMIT 1", err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, list);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*unit = sqlite3_column_int64(st, 0);
		snprintf(uid, 64, "%s", catalog_text(st, 1));
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return catalog_fail(err, db, "disposal next");
	return 1;
}

static int
run_list(sqlite3 *db, struct store *st, struct tsa *tsa,
    const struct sae_config *cfg, long long seq, const char *agent,
    size_t *destroyed, struct sae_err *err)
{
	struct list l;
	char today[11], uid[64];
	long long unit = 0;
	int rc, gone, ret = -1;

	if (load_list(db, seq, &l, err) == -1)
		return -1;
	if (!strcmp(l.state, "approved")) {
		if (catalog_begin(db, err) == -1 ||
		    catalog_run(db, "UPDATE disposal SET state = 'executing' "
		    "WHERE seq = ?", seq, NULL, "disposal executing",
		    err) == -1 ||
		    journal_commit(db, "DISPOSAL_EXECUTE", agent, NULL, err,
		    "Exécution du bordereau d'élimination %s (visa %s)", l.id,
		    l.visa) == -1) {
			catalog_rollback(db);
			goto out;
		}
	}
	ages_today(today);
	while ((rc = next_line(db, seq, &unit, uid, err)) == 1) {
		if (settle_unit(db, &l, unit, uid, today, agent, &gone,
		    err) == -1)
			goto out;
		*destroyed += (size_t)gone;
		sae_crashpoint("disposal-after-unit");
		if (disposal_delete_doomed(db, st, seq, agent, err) == -1)
			goto out;
	}
	if (rc == -1 || disposal_delete_doomed(db, st, seq, agent, err) == -1 ||
	    finish_list(db, tsa, cfg, &l, agent, err) == -1)
		goto out;
	sae_log(LOG_NOTICE, "disposal id=%s executed", l.id);
	ret = 0;
out:
	list_done(&l);
	return ret;
}

int
disposal_execute_due(sqlite3 *db, struct store *st, struct tsa *tsa,
    const struct sae_config *cfg, const char *agent, size_t *destroyed,
    struct sae_err *err)
{
	sqlite3_stmt *q;
	long long *seqs = NULL;
	size_t n = 0, cap = 0, i;
	char now[32];
	int rc, ret = -1;

	*destroyed = 0;
	/* Copies left by an interrupted run first. */
	if (disposal_delete_doomed(db, st, 0, agent, err) == -1)
		return -1;
	sae_time_now_iso(now);
	if ((q = catalog_prepare(db, "SELECT seq FROM disposal WHERE state = "
	    "'executing' OR (state = 'approved' AND due <= ?) ORDER BY seq",
	    err)) == NULL)
		return -1;
	catalog_bind_text(q, 1, now);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			seqs = sae_xreallocarray(seqs, cap, sizeof(*seqs));
		}
		seqs[n++] = sqlite3_column_int64(q, 0);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		catalog_fail(err, db, "disposals due");
		goto out;
	}
	for (i = 0; i < n; i++)
		if (run_list(db, st, tsa, cfg, seqs[i], agent, destroyed,
		    err) == -1)
			goto out;
	ret = 0;
out:
	free(seqs);
	return ret;
}

int
disposal_tombstone(sqlite3 *db, const char *unit, json_t **out,
    struct sae_err *err)
{
	sqlite3_stmt *st;
	json_t *o = NULL, *objs;
	int rc;

	if ((st = catalog_prepare(db, "SELECT u.id, u.xml_id, u.transfer, "
	    "u.agency, u.title, u.start_date, u.end_date, u.rule, u.rule_start, "
	    "u.rule_end, u.final_action, d.id AS disposal, o.id AS outgoing, "
	    "t.visa, t.destroyed, t.objects, u.state FROM tombstone t JOIN unit "
	    "u ON u.seq = t.unit LEFT JOIN disposal d ON d.seq = t.disposal "
	    "LEFT JOIN outgoing o ON o.seq = t.outgoing WHERE u.id = ?",
	    err)) == NULL)
		return -1;
	catalog_bind_text(st, 1, unit);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		o = catalog_row_json(st);
		objs = json_loads(catalog_text(st, 15), 0, NULL);
		json_object_set_new(o, "objects", objs != NULL ? objs :
		    json_array());
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return sae_err_set(err, SAE_ENOTFOUND, "unit '%s' did not "
		    "leave the archive", unit);
	if (rc != SQLITE_ROW)
		return catalog_fail(err, db, "tombstone");
	*out = o;
	return 0;
}
