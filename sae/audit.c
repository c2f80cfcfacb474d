/*
 * audit.c: existence, integrity and coherence of the stored objects.  Each
 * copy the catalog lists is read whole and checked against its content
 * digest (of the original bytes, whatever the encoding on disk); objects
 * of alive units without copies are named; --repair rewrites a bad copy
 * from a good one.  Reads the store and the catalog; journals the audit
 * and each repair.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "sae/audit.h"
#include "sae/buf.h"
#include "sae/catalog.h"
#include "sae/id.h"
#include "sae/journal.h"
#include "storage/store.h"

/* The objects (ids) whose content is ${sha}: what an auditor looks up. */
static json_t *
objects_of(sqlite3 *db, const char *sha)
{
	json_t *arr = json_array();
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, "SELECT id FROM object WHERE sha256 = ? "
	    "ORDER BY seq LIMIT 20", -1, &st, NULL) != SQLITE_OK)
		return arr;
	sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(arr, json_string(catalog_text(st, 0)));
	sqlite3_finalize(st);
	return arr;
}

static int
sampled(int percent)
{
	unsigned char r;

	if (percent >= 100)
		return 1;
	if (RAND_bytes(&r, 1) != 1)
		return 1;
	return (int)(r % 100) < percent;
}

/* Rewrites the copy on ${offer} from another that reads back whole. */
static int
repair(sqlite3 *db, struct store *st, const char *sha, const char *offer,
    const char *agent, json_t *offers, struct sae_err *err)
{
	unsigned char bin[32];
	size_t i;
	json_t *o;

	sae_unhex(bin, sizeof(bin), sha);
	json_array_foreach(offers, i, o) {
		const char *from = json_string_value(o);
		char detail[200];

		if (strcmp(from, offer) == 0 ||
		    store_verify(st, from, bin, NULL, NULL) == -1)
			continue;
		if (store_copy(st, from, offer, bin, err) == -1)
			return -1;
		snprintf(detail, sizeof(detail), "{\"sha256\":\"%s\",\"offer\":"
		    "\"%s\",\"from\":\"%s\"}", sha, offer, from);
		if (catalog_begin(db, err) == -1 ||
		    journal_commit(db, "COPY_REPAIR", agent, detail, err,
		    "Copie de l'objet %s réparée sur l'offre '%s' depuis '%s'",
		    sha, offer, from) == -1) {
			catalog_rollback(db);
			return -1;
		}
		return 0;
	}
	return sae_err_set(err, SAE_ECORRUPT, "no good copy of %s to repair "
	    "from", sha);
}

int
audit_run(sqlite3 *db, struct store *st, const struct audit_options *opts,
    const char *agent, json_t **out, struct sae_err *err)
{
	json_t *report, *summary, *problems = json_array(), *offers = NULL;
	sqlite3_stmt *q = NULL;
	long long copies = 0, checked = 0, bytes = 0, repaired = 0;
	char now[32], prev_sha[65] = "", *detail;
	struct sae_err one;
	int rc, ret = -1;

	*out = NULL;
	sae_time_now_iso(now);
	/* Existence and integrity of every listed copy (or a sample). */
	q = catalog_prepare(db, "SELECT c.sha256, c.offer, c.size, (SELECT "
	    "json_group_array(offer) FROM copy c2 WHERE c2.sha256 = c.sha256) "
	    "FROM copy c ORDER BY c.sha256, c.offer", err);
	if (q == NULL)
		goto out;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *sha = catalog_text(q, 0), *offer = catalog_text(q, 1);
		unsigned char bin[32];
		const char *kind;
		json_t *p;

		copies++;
		if (strcmp(sha, prev_sha) != 0) {
			json_decref(offers);
			offers = json_loads(catalog_text(q, 3), 0, NULL);
			snprintf(prev_sha, sizeof(prev_sha), "%s", sha);
		}
		if (!sampled(opts->sample))
			continue;
		checked++;
		if (sae_unhex(bin, sizeof(bin), sha) != 32)
			continue;
		if (store_verify(st, offer, bin, NULL, &one) == 0) {
			bytes += sqlite3_column_int64(q, 2);
			continue;
		}
		kind = one.code == SAE_ENOTFOUND ? "missing" :
		    one.code == SAE_ECORRUPT ? "corrupt" : "unreadable";
		p = json_pack("{s:s, s:s, s:s, s:o, s:s}", "problem",
		    kind, "sha256", sha, "offer", offer, "objects",
		    objects_of(db, sha), "detail", one.msg);
		if (opts->repair && offers != NULL) {
			if (repair(db, st, sha, offer, agent, offers,
			    &one) == 0) {
				repaired++;
				json_object_set_new(p, "repaired",
				    json_true());
			} else
				json_object_set_new(p, "repair_failed",
				    json_string(one.msg));
		}
		json_array_append_new(problems, p);
	}
	if (rc != SQLITE_DONE) {
		catalog_fail(err, db, "audit");
		goto out;
	}
	sqlite3_finalize(q);
	/* Coherence: an object of an alive unit with no copy at all. */
	q = catalog_prepare(db, "SELECT DISTINCT o.id, o.sha256 FROM object o "
	    "JOIN unit_group ug ON ug.grp = o.grp JOIN unit u ON u.seq = "
	    "ug.unit WHERE u.state = 'alive' AND o.physical = 0 AND NOT EXISTS "
	    "(SELECT 1 FROM copy c WHERE c.sha256 = o.sha256)", err);
	if (q == NULL)
		goto out;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		json_array_append_new(problems, json_pack("{s:s, s:s, s:[s]}",
		    "problem", "no copy in the catalog", "sha256",
		    catalog_text(q, 1), "objects", catalog_text(q, 0)));
	report = json_pack("{s:s, s:I, s:I, s:I, s:i, s:I, s:O, s:b}", "date",
	    now, "copies", (json_int_t)copies, "checked", (json_int_t)checked,
	    "bytes_checked", (json_int_t)bytes, "sample_percent", opts->sample,
	    "repaired", (json_int_t)repaired, "problems", problems, "ok",
	    json_array_size(problems) == (size_t)repaired);
	summary = json_pack("{s:I, s:I, s:I, s:I}", "copies",
	    (json_int_t)copies, "checked", (json_int_t)checked, "problems",
	    (json_int_t)json_array_size(problems), "repaired",
	    (json_int_t)repaired);
	detail = json_dumps(summary, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(summary);
	if (catalog_begin(db, err) == -1 || journal_commit(db, "AUDIT", agent,
	    detail, err, "Audit : %lld copie(s) vérifiée(s), %zu problème(s), "
	    "%lld réparée(s)", checked, json_array_size(problems),
	    repaired) == -1) {
		catalog_rollback(db);
		free(detail);
		json_decref(report);
		goto out;
	}
	free(detail);
	*out = report;
	ret = 0;
out:
	sqlite3_finalize(q);
	json_decref(offers);
	json_decref(problems);
	return ret;
}
