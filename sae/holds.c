/*
 * holds.c: holds placed by archivists, in the catalog: place, lift, list.
 * Holds from the packages' HoldRule are computed with the other rules
 * (ages.c); these are the ones people decide.
 */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policies/dua.h"
#include "sae/catalog.h"
#include "sae/holds.h"
#include "sae/id.h"
#include "sae/journal.h"

static int
blank(const char *s)
{
	return s == NULL || s[strspn(s, " \t\r\n")] == '\0';
}

int
hold_place(sqlite3 *db, const struct hold_request *req, const char *agent,
    char *id, struct sae_err *err)
{
	sqlite3_stmt *st = NULL;
	json_t *d;
	char now[32], *detail = NULL;
	long long unit;
	int rc, ret = -1;

	if (blank(req->reason))
		return sae_err_set(err, SAE_EINVAL, "a hold needs a reason");
	if (req->until != NULL && !dua_date_valid(req->until))
		return sae_err_set(err, SAE_EINVAL, "until '%s' is not a date "
		    "YYYY-MM-DD", req->until);
	sae_id_new(id);
	sae_time_now_iso(now);
	if (catalog_begin(db, err) == -1)
		return -1;
	st = catalog_prepare(db, "SELECT seq FROM unit WHERE id = ? AND state "
	    "= 'alive'", err);
	if (st == NULL)
		goto out;
	catalog_bind_text(st, 1, req->unit);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sae_err_set(err, SAE_ENOTFOUND, "no unit '%s' to hold",
		    req->unit ? req->unit : "");
		goto out;
	}
	unit = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	st = catalog_prepare(db, "INSERT INTO hold (id, unit, reason, "
	    "reference, until, source, placed_by, placed) VALUES "
	    "(?,?,?,?,?,'archivist',?,?)", err);
	if (st == NULL)
		goto out;
	catalog_bind_text(st, 1, id);
	sqlite3_bind_int64(st, 2, unit);
	catalog_bind_text(st, 3, req->reason);
	catalog_bind_text(st, 4, req->reference);
	catalog_bind_text(st, 5, req->until);
	catalog_bind_text(st, 6, agent);
	catalog_bind_text(st, 7, now);
	if (sqlite3_step(st) != SQLITE_DONE) {
		catalog_fail(err, db, "hold place");
		goto out;
	}
	d = json_pack("{s:s, s:s, s:s?, s:s?}", "hold", id, "reason",
	    req->reason, "reference", req->reference, "until", req->until);
	detail = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(d);
	if (journal_commit_unit(db, "HOLD_PLACE", agent, req->unit, detail,
	    err, "Gel posé : %s", req->reason) == -1)
		goto out;
	ret = 0;
out:
	sqlite3_finalize(st);
	free(detail);
	if (ret == -1)
		catalog_rollback(db);
	return ret;
}

int
hold_lift(sqlite3 *db, const char *id, const char *reason, const char *agent,
    struct sae_err *err)
{
	sqlite3_stmt *st = NULL;
	json_t *d;
	char now[32], unit[64], *detail = NULL;
	int ret = -1;

	if (blank(reason))
		return sae_err_set(err, SAE_EINVAL, "lifting a hold needs a "
		    "reason");
	sae_time_now_iso(now);
	if (catalog_begin(db, err) == -1)
		return -1;
	st = catalog_prepare(db, "SELECT u.id FROM hold h JOIN unit u ON u.seq "
	    "= h.unit WHERE h.id = ? AND h.lifted IS NULL", err);
	if (st == NULL)
		goto out;
	catalog_bind_text(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sae_err_set(err, SAE_ENOTFOUND, "no active hold '%s'", id);
		goto out;
	}
	snprintf(unit, sizeof(unit), "%s", catalog_text(st, 0));
	sqlite3_finalize(st);
	st = catalog_prepare(db, "UPDATE hold SET lifted = ?, lifted_by = ?, "
	    "lift_reason = ? WHERE id = ?", err);
	if (st == NULL)
		goto out;
	catalog_bind_text(st, 1, now);
	catalog_bind_text(st, 2, agent);
	catalog_bind_text(st, 3, reason);
	catalog_bind_text(st, 4, id);
	if (sqlite3_step(st) != SQLITE_DONE) {
		catalog_fail(err, db, "hold lift");
		goto out;
	}
	d = json_pack("{s:s, s:s}", "hold", id, "reason", reason);
	detail = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(d);
	if (journal_commit_unit(db, "HOLD_LIFT", agent, unit, detail, err,
	    "Gel levé : %s", reason) == -1)
		goto out;
	ret = 0;
out:
	sqlite3_finalize(st);
	free(detail);
	if (ret == -1)
		catalog_rollback(db);
	return ret;
}

static json_t *
col(sqlite3_stmt *st, int i)
{
	const char *s = catalog_text(st, i);

	return s != NULL ? json_string(s) : json_null();
}

int
hold_list(sqlite3 *db, const char *unit, const char *today, json_t **out,
    struct sae_err *err)
{
	sqlite3_stmt *st;
	json_t *arr = json_array();
	int rc;

	*out = NULL;
	st = catalog_prepare(db, "SELECT h.id, u.id, h.reason, h.reference, "
	    "h.until, h.placed_by, h.placed, h.lifted, h.lifted_by, "
	    "h.lift_reason FROM hold h JOIN unit u ON u.seq = h.unit WHERE "
	    "?1 IS NULL OR u.id = ?1 ORDER BY h.placed, h.id", err);
	if (st == NULL) {
		json_decref(arr);
		return -1;
	}
	catalog_bind_text(st, 1, unit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *until = catalog_text(st, 4);
		int active = catalog_text(st, 7) == NULL &&
		    (until == NULL || strcmp(until, today) > 0);

		json_array_append_new(arr, json_pack("{s:o, s:o, s:o, s:o, "
		    "s:o, s:o, s:o, s:o, s:o, s:o, s:b}", "id", col(st, 0),
		    "unit", col(st, 1), "reason", col(st, 2), "reference",
		    col(st, 3), "until", col(st, 4), "placed_by", col(st, 5),
		    "placed", col(st, 6), "lifted", col(st, 7), "lifted_by",
		    col(st, 8), "lift_reason", col(st, 9), "active", active));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		json_decref(arr);
		return catalog_fail(err, db, "holds");
	}
	*out = arr;
	return 0;
}

int
hold_json(sqlite3 *db, const char *unit, const char *today,
    struct sae_buf *out, struct sae_err *err)
{
	json_t *arr;
	char *text;

	if (hold_list(db, unit, today, &arr, err) == -1)
		return -1;
	text = json_dumps(arr, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(arr);
	sae_buf_adds(out, text);
	sae_buf_addc(out, '\n');
	free(text);
	return 0;
}
