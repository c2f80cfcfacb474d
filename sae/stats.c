/*
 * stats.c: holdings by age, agency and rule, and the transitions due soon,
 * read from the catalog in a few aggregate queries.  Objects shared by
 * several units of one group are counted once per group.
 */
#include "config.h"

#include <stdio.h>

#include "policies/dua.h"
#include "sae/catalog.h"
#include "sae/stats.h"

/* {key: {units, objects, bytes}} grouped by one column of unit. */
static int
holdings_by(sqlite3 *db, const char *column, json_t *out, struct sae_err *err)
{
	char sql[1024];
	sqlite3_stmt *st;
	int rc;

	/* ${column} is one of ours, never from a request. */
	if (snprintf(sql, sizeof(sql), "SELECT coalesce(k, '-'), count(DISTINCT "
	    "useq), count(DISTINCT oseq), coalesce(sum(size), 0) FROM ("
	    "SELECT u.%s AS k, u.seq AS useq, NULL AS oseq, 0 AS size FROM unit "
	    "u WHERE u.state = 'alive' UNION ALL SELECT DISTINCT u.%s, NULL, "
	    "o.seq, o.size FROM unit u JOIN unit_group ug ON ug.unit = u.seq "
	    "JOIN object o ON o.grp = ug.grp WHERE u.state = 'alive' AND "
	    "o.physical = 0) GROUP BY k ORDER BY k", column, column) >=
	    (int)sizeof(sql))
		return sae_err_set(err, SAE_EINTERNAL, "stats query too long");
	if ((st = catalog_prepare(db, sql, err)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_object_set_new(out, catalog_text(st, 0), json_pack(
		    "{s:I, s:I, s:I}", "units", (json_int_t)
		    sqlite3_column_int64(st, 1), "objects", (json_int_t)
		    sqlite3_column_int64(st, 2), "bytes", (json_int_t)
		    sqlite3_column_int64(st, 3)));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return catalog_fail(err, db, "stats");
	return 0;
}

/* Units whose age changes in (today, until]: the DUA ends, or the
 * current-use period does. */
static int
due(sqlite3 *db, const char *today, int days, json_t *out,
    struct sae_err *err)
{
	sqlite3_stmt *st;
	char until[11], key[32];
	json_t *o;
	int rc;

	if (dua_date_add(today, days, DUA_DAY, until, err) == -1)
		return -1;
	st = catalog_prepare(db, "SELECT sum(rule_end > ?1 AND rule_end <= ?2),"
	    " sum(age = 'current' AND current_end > ?1 AND current_end <= ?2 "
	    "AND (rule_end IS NULL OR current_end < rule_end)) FROM unit WHERE "
	    "state = 'alive'", err);
	if (st == NULL)
		return -1;
	catalog_bind_text(st, 1, today);
	catalog_bind_text(st, 2, until);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return catalog_fail(err, db, "stats");
	}
	o = json_pack("{s:s, s:I, s:I}", "until", until, "end_of_dua",
	    (json_int_t)sqlite3_column_int64(st, 0), "end_of_current_use",
	    (json_int_t)sqlite3_column_int64(st, 1));
	sqlite3_finalize(st);
	snprintf(key, sizeof(key), "next_%d_days", days);
	json_object_set_new(out, key, o);
	return 0;
}

int
stats_get(sqlite3 *db, const char *today, json_t **out, struct sae_err *err)
{
	json_t *root = json_object(), *a = json_object(), *g = json_object(),
	    *r = json_object(), *t = json_object(), *all = json_object();

	json_object_set_new(root, "date", json_string(today));
	json_object_set_new(root, "total", all);
	json_object_set_new(root, "by_age", a);
	json_object_set_new(root, "by_agency", g);
	json_object_set_new(root, "by_rule", r);
	json_object_set_new(root, "transitions", t);
	if (holdings_by(db, "state", all, err) == -1 ||
	    holdings_by(db, "age", a, err) == -1 ||
	    holdings_by(db, "agency", g, err) == -1 ||
	    holdings_by(db, "rule", r, err) == -1 ||
	    due(db, today, 30, t, err) == -1 ||
	    due(db, today, 365, t, err) == -1) {
		json_decref(root);
		return -1;
	}
	/* "total" grouped by state has one key, "alive": lift it up. */
	json_object_set(root, "total", json_object_get(all, "alive") ?
	    json_object_get(all, "alive") : json_pack("{s:i, s:i, s:i}",
	    "units", 0, "objects", 0, "bytes", 0));
	*out = root;
	return 0;
}
