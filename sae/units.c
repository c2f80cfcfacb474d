/*
 * units.c: the units as GET /v1/units* and the web interface's "Unités"
 * screen both read them: the search, one unit as JSON with what its page
 * adds (tree, declared rules, inherited holds, history), an object's
 * bytes from a verified copy and the proof bundle in a temp file.  Reads
 * the catalog and the store; writes only temp files (and, through
 * proof_build, the journal's PROOF entry).
 */
#include "config.h"

#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policies/dua.h"
#include "sae/ages.h"
#include "sae/buf.h"
#include "sae/catalog.h"
#include "sae/copies.h"
#include "sae/daemon.h"
#include "sae/fsutil.h"
#include "sae/holds.h"
#include "sae/log.h"
#include "sae/proof.h"
#include "sae/units.h"
#include "storage/store.h"

#define VISIBLE \
	"(?1 = 0 OR u.producer = ?2 OR (?3 IS NOT NULL AND u.agency = ?3))"

/* Binds ?1..?3 of VISIBLE for the caller (NULL: no caller, sees all). */
static void
bind_visibility(sqlite3_stmt *st, const struct token_info *who)
{
	if (who == NULL) {	/* sae-admin, on the data directory itself */
		sqlite3_bind_int(st, 1, 0);
		return;
	}
	sqlite3_bind_int(st, 1, who->role == ROLE_PRODUCER);
	sqlite3_bind_int64(st, 2, who->id);
	catalog_bind_text(st, 3, who->agency[0] ? who->agency : NULL);
}

static json_t *
col_json(sqlite3_stmt *st, int col)
{
	const char *s = catalog_text(st, col);

	return s != NULL ? json_string(s) : json_null();
}

int
units_search(sqlite3 *db, const struct token_info *who,
    const struct units_query *q, json_t **out, struct sae_err *err)
{
	const struct {
		const char	*value;
		int		 index;
		const char	*sql;
	} filters[] = {
		{ q->transfer, 4, " AND u.transfer = ?4" },
		{ q->after, 5, " AND u.seq > (SELECT seq FROM unit WHERE id = ?5)" },
		{ q->agency, 7, " AND u.agency = ?7" },
		{ q->rule, 8, " AND u.rule = ?8" },
		{ q->age, 9, " AND u.age = ?9" },
		{ q->end_from, 10, " AND u.rule_end >= ?10" },
		{ q->end_to, 11, " AND u.rule_end <= ?11" },
		{ q->title, 12, " AND u.title LIKE '%' || ?12 || '%' ESCAPE '\\'" },
		{ q->producer_id, 13, " AND u.xml_id = ?13" },
	};
	struct sae_buf sql = SAE_BUF_INIT;
	json_t *root = NULL, *arr;
	sqlite3_stmt *st;
	long n = 0;
	size_t i;
	int rc;

	*out = NULL;
	sae_buf_adds(&sql, "SELECT u.id, u.title, u.transfer, u.xml_id, "
	    "u.agency, u.rule, u.rule_end, u.final_action, u.age, (SELECT p.id "
	    "FROM unit_parent up JOIN unit p ON p.seq = up.parent WHERE "
	    "up.unit = u.seq ORDER BY p.seq LIMIT 1) FROM unit u WHERE "
	    "u.state = 'alive'");
	if (who != NULL && who->role == ROLE_PRODUCER)
		sae_buf_adds(&sql, " AND (u.producer = ?2 OR (?3 IS NOT NULL "
		    "AND u.agency = ?3))");
	for (i = 0; i < sizeof(filters) / sizeof(filters[0]); i++)
		if (filters[i].value != NULL)
			sae_buf_adds(&sql, filters[i].sql);
	sae_buf_adds(&sql, " ORDER BY u.seq LIMIT ?6");
	st = catalog_prepare(db, sql.data, err);
	sae_buf_done(&sql);
	if (st == NULL)
		return -1;
	bind_visibility(st, who);
	sqlite3_bind_int64(st, 6, q->limit + 1);
	for (i = 0; i < sizeof(filters) / sizeof(filters[0]); i++)
		if (filters[i].value != NULL && filters[i].index != 12)
			catalog_bind_text(st, filters[i].index,
			    filters[i].value);
	if (q->title != NULL) {
		/* The words searched for, not LIKE's wildcards: "50 %" finds
		 * "50 %" only. */
		struct sae_buf t = SAE_BUF_INIT;
		const char *c;

		for (c = q->title; *c != '\0'; c++) {
			if (*c == '%' || *c == '_' || *c == '\\')
				sae_buf_addc(&t, '\\');
			sae_buf_addc(&t, *c);
		}
		sae_buf_addc(&t, '\0');
		sqlite3_bind_text(st, 12, t.data, -1, SQLITE_TRANSIENT);
		sae_buf_done(&t);
	}
	root = json_object();
	arr = json_array();
	json_object_set_new(root, "units", arr);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *u;

		if (n == q->limit) {
			/* One more row than asked: there is a next page. */
			json_object_set_new(root, "next", json_string(
			    json_string_value(json_object_get(json_array_get(
			    arr, (size_t)n - 1), "id"))));
			break;
		}
		u = json_object();
		json_object_set_new(u, "id", col_json(st, 0));
		json_object_set_new(u, "title", col_json(st, 1));
		json_object_set_new(u, "transfer", col_json(st, 2));
		json_object_set_new(u, "producer_id", col_json(st, 3));
		json_object_set_new(u, "parent", col_json(st, 9));
		json_object_set_new(u, "agency", col_json(st, 4));
		json_object_set_new(u, "rule", col_json(st, 5));
		json_object_set_new(u, "end_date", col_json(st, 6));
		json_object_set_new(u, "final_action", col_json(st, 7));
		json_object_set_new(u, "age", col_json(st, 8));
		json_array_append_new(arr, u);
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		json_decref(root);
		return catalog_fail(err, db, "unit search");
	}
	if (json_object_get(root, "next") == NULL)
		json_object_set_new(root, "next", json_null());
	*out = root;
	return 0;
}

static json_t *
unit_objects(sqlite3 *db, long long seq, struct sae_err *err)
{
	sqlite3_stmt *st;
	json_t *arr = json_array();

	st = catalog_prepare(db, "SELECT o.id, o.xml_id, o.version, o.physical,"
	    " o.filename, o.size, o.sha256, o.sha512, o.mime, o.puid, o.format,"
	    " o.declared_mime, o.declared_puid, o.declared_format, "
	    "o.declared_algorithm, o.declared_digest, g.xml_id, o.physical_id, "
	    "o.uri "
	    "FROM unit_group ug JOIN object_group g ON g.seq = ug.grp "
	    "JOIN object o ON o.grp = g.seq WHERE ug.unit = ? ORDER BY o.seq",
	    err);
	if (st == NULL) {
		json_decref(arr);
		return NULL;
	}
	sqlite3_bind_int64(st, 1, seq);
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_t *o = json_object(), *fd = json_object(),
		    *fi = json_object(), *fmt = json_object();

		json_object_set_new(o, "id", col_json(st, 0));
		json_object_set_new(o, "producer_id", col_json(st, 1));
		json_object_set_new(o, "group", col_json(st, 16));
		json_object_set_new(o, "version", col_json(st, 2));
		json_object_set_new(o, "physical",
		    json_boolean(sqlite3_column_int(st, 3)));
		if (sqlite3_column_int(st, 3)) {
			json_object_set_new(o, "physical_id", col_json(st, 17));
			json_array_append_new(arr, o);
			json_decref(fd);
			json_decref(fi);
			json_decref(fmt);
			continue;
		}
		json_object_set_new(o, "uri", col_json(st, 18));
		json_object_set_new(o, "filename", col_json(st, 4));
		json_object_set_new(o, "size",
		    json_integer(sqlite3_column_int64(st, 5)));
		json_object_set_new(o, "sha256", col_json(st, 6));
		json_object_set_new(o, "sha512", col_json(st, 7));
		json_object_set_new(o, "mime_type", col_json(st, 8));
		json_object_set_new(fd, "mime_type", col_json(st, 11));
		json_object_set_new(fd, "puid", col_json(st, 12));
		json_object_set_new(fd, "name", col_json(st, 13));
		json_object_set_new(fd, "digest_algorithm", col_json(st, 14));
		json_object_set_new(fd, "digest", col_json(st, 15));
		json_object_set_new(fi, "mime_type", col_json(st, 8));
		json_object_set_new(fi, "puid", col_json(st, 9));
		json_object_set_new(fi, "description", col_json(st, 10));
		json_object_set_new(fmt, "declared", fd);
		json_object_set_new(fmt, "identified", fi);
		json_object_set_new(o, "format", fmt);
		json_array_append_new(arr, o);
	}
	sqlite3_finalize(st);
	return arr;
}

int
units_json(sqlite3 *db, const char *id, const struct token_info *who,
    json_t **out, struct sae_err *err)
{
	json_t *root = NULL, *parents, *objs, *dates, *holds, *h;
	sqlite3_stmt *st = NULL, *ps = NULL;
	char today[11];
	long long seq;
	size_t k;
	int held, ret = -1;

	*out = NULL;
	st = catalog_prepare(db, "SELECT u.seq, u.id, u.xml_id, u.title, "
	    "u.level, u.transfer, u.agency, u.start_date, u.end_date, u.rule, "
	    "u.rule_start, u.rule_end, u.final_action, u.age, u.created, "
	    "u.state, u.held, u.hold_end FROM unit u WHERE u.id = ?4 AND "
	    VISIBLE, err);
	if (st == NULL)
		goto out;
	bind_visibility(st, who);
	catalog_bind_text(st, 4, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sae_err_set(err, SAE_ENOTFOUND, "no unit '%s'", id);
		goto out;
	}
	seq = sqlite3_column_int64(st, 0);
	root = json_object();
	json_object_set_new(root, "id", col_json(st, 1));
	json_object_set_new(root, "producer_id", col_json(st, 2));
	json_object_set_new(root, "title", col_json(st, 3));
	json_object_set_new(root, "level", col_json(st, 4));
	json_object_set_new(root, "transfer", col_json(st, 5));
	json_object_set_new(root, "agency", col_json(st, 6));
	ps = catalog_prepare(db, "SELECT p.id FROM unit_parent up JOIN unit p "
	    "ON p.seq = up.parent WHERE up.unit = ? ORDER BY p.seq", err);
	parents = json_array();
	if (ps != NULL) {
		sqlite3_bind_int64(ps, 1, seq);
		while (sqlite3_step(ps) == SQLITE_ROW)
			json_array_append_new(parents, col_json(ps, 0));
	}
	json_object_set(root, "parent", json_array_size(parents) > 0 ?
	    json_array_get(parents, 0) : json_null());
	json_object_set_new(root, "parents", parents);
	dates = json_object();
	json_object_set_new(dates, "start", col_json(st, 7));
	json_object_set_new(dates, "end", col_json(st, 8));
	json_object_set_new(root, "dates", dates);
	json_object_set_new(root, "rule", col_json(st, 9));
	json_object_set_new(root, "start_date", col_json(st, 10));
	json_object_set_new(root, "end_date", col_json(st, 11));
	json_object_set_new(root, "final_action", col_json(st, 12));
	json_object_set_new(root, "age", col_json(st, 13));
	json_object_set_new(root, "state", col_json(st, 15));
	/* Holds: the package's HoldRule (computed with the other rules)
	 * and those archivists placed. */
	ages_today(today);
	if (hold_list(db, id, today, &holds, err) == -1)
		goto out;
	held = sqlite3_column_int(st, 16);
	json_array_foreach(holds, k, h)
		held |= json_is_true(json_object_get(h, "active"));
	json_object_set_new(root, "held", json_boolean(held));
	json_object_set_new(root, "hold_rule_end", col_json(st, 17));
	json_object_set_new(root, "holds", holds);
	json_object_set_new(root, "created", col_json(st, 14));
	if ((objs = unit_objects(db, seq, err)) == NULL)
		goto out;
	json_object_set_new(root, "objects", objs);
	*out = root;
	root = NULL;
	ret = 0;
out:
	json_decref(root);
	sqlite3_finalize(st);
	sqlite3_finalize(ps);
	return ret;
}

/* Ancestors of the unit: every unit above it, nearest first. */
#define ANCESTORS \
	"WITH RECURSIVE anc(seq, depth) AS (SELECT up.parent, 1 FROM " \
	"unit_parent up WHERE up.unit = (SELECT seq FROM unit WHERE id = ?1) " \
	"UNION SELECT up.parent, anc.depth + 1 FROM unit_parent up JOIN anc " \
	"ON up.unit = anc.seq WHERE anc.depth < 64) "

/* Rows of ${sql} (bound to ${id}) as objects appended to array ${key}. */
static int
rows_into(sqlite3 *db, json_t *o, const char *key, const char *sql,
    const char *id, long max, struct sae_err *err)
{
	json_t *arr = json_array();
	sqlite3_stmt *st;
	long n = 0;
	int rc;

	json_object_set_new(o, key, arr);
	if ((st = catalog_prepare(db, sql, err)) == NULL)
		return -1;
	catalog_bind_text(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (max > 0 && n++ == max) {
			json_object_set_new(o, "more_children", json_true());
			rc = SQLITE_DONE;
			break;
		}
		json_array_append_new(arr, catalog_row_json(st));
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : catalog_fail(err, db, key);
}

/* The end of each declared rule with a duration and a start date. */
static void
rule_ends(json_t *rules)
{
	json_t *r;
	size_t i;
	char end[11];
	struct sae_err e;

	json_array_foreach(rules, i, r) {
		const char *start = json_string_value(json_object_get(r,
		    "start"));
		const char *m = json_string_value(json_object_get(r,
		    "measure"));
		json_t *dur = json_object_get(r, "duration");
		int measure;

		if (json_is_true(json_object_get(r, "unlimited")) ||
		    json_integer_value(json_object_get(r, "unlimited")) == 1) {
			json_object_set_new(r, "end", json_string("illimitée"));
			continue;
		}
		if (start == NULL || m == NULL || !json_is_integer(dur) ||
		    (measure = dua_measure_parse(m)) == -1 ||
		    dua_date_add(start, (int)json_integer_value(dur),
		    (enum dua_measure)measure, end, &e) == -1)
			continue;
		json_object_set_new(r, "end", json_string(end));
	}
}

int
units_detail(sqlite3 *db, const char *id, json_t **out, struct sae_err *err)
{
	json_t *o = json_object(), *anc, *holds, *h, *all;
	sqlite3_stmt *st = NULL;
	char today[11];
	size_t i, k;
	int ret = -1;

	*out = NULL;
	if (rows_into(db, o, "ancestors", ANCESTORS "SELECT u.id, u.title, "
	    "min(anc.depth) AS depth FROM anc JOIN unit u ON u.seq = anc.seq "
	    "GROUP BY u.seq ORDER BY depth, u.seq", id, 0, err) == -1)
		goto out;
	if (rows_into(db, o, "children", "SELECT c.id, c.title, c.state FROM "
	    "unit_parent up JOIN unit c ON c.seq = up.unit WHERE up.parent = "
	    "(SELECT seq FROM unit WHERE id = ?1) ORDER BY c.seq LIMIT 101",
	    id, 100, err) == -1)
		goto out;
	/* Rules as the package declared them: on the unit, on its
	 * ancestors, in the transfer's ManagementMetadata; the effective
	 * appraisal rule comes from ages.c. */
	if (rows_into(db, o, "declared_rules", ANCESTORS ", me(seq) AS "
	    "(SELECT seq FROM unit WHERE id = ?1) "
	    "SELECT d.category, d.rule, r.value AS label, r.duration, "
	    "r.measure, r.unlimited, d.start_date AS start, "
	    "coalesce(d.final_action, r.final_action) AS final_action, "
	    "d.prevent_inheritance, d.ref_non_rule, CASE WHEN d.unit IS NULL "
	    "THEN 'transfer' WHEN d.unit = (SELECT seq FROM me) THEN 'unit' "
	    "ELSE 'ancestor' END AS origin, a.id AS unit, a.title AS unit_title "
	    "FROM declared_rule d LEFT JOIN rule r ON r.id = d.rule "
	    "LEFT JOIN unit a ON a.seq = d.unit "
	    "WHERE d.unit = (SELECT seq FROM me) OR d.unit IN (SELECT seq FROM "
	    "anc) OR (d.unit IS NULL AND d.transfer = (SELECT transfer FROM "
	    "unit WHERE id = ?1)) ORDER BY d.category, d.unit IS NULL, "
	    "d.unit = (SELECT seq FROM me) DESC, d.unit DESC", id, 0,
	    err) == -1)
		goto out;
	rule_ends(json_object_get(o, "declared_rules"));
	st = catalog_prepare(db, "SELECT u.current_end, r.value, r.duration, "
	    "r.measure, r.unlimited FROM unit u LEFT JOIN rule r ON r.id = "
	    "u.rule WHERE u.id = ?", err);
	if (st == NULL)
		goto out;
	catalog_bind_text(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		char d[64];

		json_object_set_new(o, "current_end", col_json(st, 0));
		json_object_set_new(o, "rule_label", col_json(st, 1));
		if (sqlite3_column_int(st, 4))
			json_object_set_new(o, "rule_duration",
			    json_string("illimitée"));
		else if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
			snprintf(d, sizeof(d), "%lld %s",
			    sqlite3_column_int64(st, 2),
			    catalog_text(st, 3) ? catalog_text(st, 3) : "");
			json_object_set_new(o, "rule_duration", json_string(d));
		}
	}
	/* An active hold on an ancestor protects the unit as well. */
	ages_today(today);
	all = json_array();
	json_object_set_new(o, "inherited_holds", all);
	anc = json_object_get(o, "ancestors");
	for (i = 0; i < json_array_size(anc); i++) {
		const char *a = json_string_value(json_object_get(
		    json_array_get(anc, i), "id"));

		if (a == NULL)
			continue;
		if (hold_list(db, a, today, &holds, err) == -1)
			goto out;
		json_array_foreach(holds, k, h)	/* each names its unit */
			json_array_append(all, h);
		json_decref(holds);
	}
	/* So does one on a descendant: the archivist sees why a unit is not
	 * proposed for disposal. */
	if (rows_into(db, o, "descendant_holds", "WITH RECURSIVE d(seq) AS ("
	    "SELECT unit FROM unit_parent WHERE parent = (SELECT seq FROM "
	    "unit WHERE id = ?1) UNION SELECT up.unit FROM unit_parent up "
	    "JOIN d ON up.parent = d.seq) SELECT h.id, u.id AS unit, u.title "
	    "AS unit_title, h.reason, h.reference, h.until, h.placed_by, "
	    "h.placed, 'true' AS active FROM hold h JOIN d ON d.seq = h.unit "
	    "JOIN unit u ON u.seq = h.unit WHERE h.lifted IS NULL AND "
	    "(h.until IS NULL OR h.until > date('now')) ORDER BY h.placed, "
	    "h.id LIMIT 100", id, 0, err) == -1)
		goto out;
	*out = o;
	o = NULL;
	ret = 0;
out:
	sqlite3_finalize(st);
	json_decref(o);
	return ret;
}

int
units_history(sqlite3 *db, const char *id, json_t **out, struct sae_err *err)
{
	sqlite3_stmt *st;
	json_t *arr, *detail;
	int rc;

	*out = NULL;
	/* A unit's history includes its transfer's own entries (INGEST). */
	st = catalog_prepare(db, "SELECT seq, ts, type, outcome, agent, "
	    "transfer, unit, object, message, detail FROM journal WHERE unit = "
	    "?1 OR (unit IS NULL AND transfer = (SELECT transfer FROM unit "
	    "WHERE id = ?1)) ORDER BY seq", err);
	if (st == NULL)
		return -1;
	catalog_bind_text(st, 1, id);
	arr = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *e = json_object();

		detail = json_loads(catalog_text(st, 9) ? catalog_text(st, 9) :
		    "{}", 0, NULL);
		json_object_set_new(e, "seq",
		    json_integer(sqlite3_column_int64(st, 0)));
		json_object_set_new(e, "ts", col_json(st, 1));
		json_object_set_new(e, "type", col_json(st, 2));
		json_object_set_new(e, "outcome", col_json(st, 3));
		json_object_set_new(e, "agent", col_json(st, 4));
		json_object_set_new(e, "transfer", col_json(st, 5));
		json_object_set_new(e, "unit", col_json(st, 6));
		json_object_set_new(e, "object", col_json(st, 7));
		json_object_set_new(e, "message", col_json(st, 8));
		json_object_set_new(e, "detail", detail != NULL ? detail :
		    json_object());
		json_array_append_new(arr, e);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		json_decref(arr);
		return catalog_fail(err, db, "journal");
	}
	*out = arr;
	return 0;
}

/* Whether every unit holding object ${id} left the archive. */
static int
object_destroyed(sqlite3 *db, const char *id)
{
	sqlite3_stmt *st;
	int gone = 0;

	if (sqlite3_prepare_v2(db, "SELECT count(*) > 0 AND sum(u.state = "
	    "'alive') = 0 FROM object o JOIN unit_group g ON g.grp = o.grp JOIN "
	    "unit u ON u.seq = g.unit WHERE o.id = ?", -1, &st, NULL) !=
	    SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		gone = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return gone;
}

int
units_object_open(sqlite3 *db, struct store *store,
    const struct token_info *who, const char *id, struct units_object *o,
    struct sae_err *err)
{
	sqlite3_stmt *st = NULL;
	struct sae_err e;
	char hex[65], what[64], offer[64];
	int ret = -1;

	memset(o, 0, sizeof(*o));
	st = catalog_prepare(db, "SELECT o.sha256, o.size, o.mime, o.filename "
	    "FROM object o WHERE o.id = ?4 AND o.physical = 0 AND EXISTS "
	    "(SELECT 1 FROM unit_group ug JOIN unit u ON u.seq = ug.unit WHERE "
	    "ug.grp = o.grp AND u.state = 'alive' AND " VISIBLE ")", err);
	if (st == NULL)
		goto out;
	bind_visibility(st, who);
	catalog_bind_text(st, 4, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		o->gone = object_destroyed(db, id);
		sae_err_set(err, SAE_ENOTFOUND, "no object '%s'", id);
		goto out;
	}
	snprintf(hex, sizeof(hex), "%s", catalog_text(st, 0) ?
	    catalog_text(st, 0) : "");
	o->size = (uint64_t)sqlite3_column_int64(st, 1);
	snprintf(o->mime, sizeof(o->mime), "%s", catalog_text(st, 2) ?
	    catalog_text(st, 2) : "application/octet-stream");
	snprintf(o->filename, sizeof(o->filename), "%s", catalog_text(st, 3) ?
	    catalog_text(st, 3) : "");
	snprintf(what, sizeof(what), "object id=%s", id);
	/* Checked whole before a byte is sent: a corrupt copy is never
	 * served; the next offer's copy is tried instead. */
	if (copy_open(db, store, hex, what, &o->reader, offer, &e) == -1) {
		if (e.code != SAE_ECORRUPT)
			*err = e;
		else
			sae_err_set(err, SAE_ECORRUPT, "no intact copy of "
			    "object '%s' could be read; the operator has been "
			    "told", id);
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

/* An unlinked temp file under ${data_dir}/tmp, named ${what}-XXXXXX
 * while it exists: nothing is left behind whatever happens next. */
static int
tmp_file(const char *data_dir, const char *what, int *fd, struct sae_err *err)
{
	char dir[PATH_MAX], tmpl[PATH_MAX];

	if (sae_path(dir, sizeof(dir), "%s/tmp", data_dir) == -1 ||
	    sae_path(tmpl, sizeof(tmpl), "%s/%s-XXXXXX", dir, what) == -1)
		return sae_err_set(err, SAE_EINTERNAL, "data directory path "
		    "too long");
	if (sae_fs_mkdirp(dir, 0700, err) == -1)
		return -1;
	if ((*fd = mkstemp(tmpl)) == -1)
		return sae_err_sys(err, SAE_EIO, "cannot create '%s'", tmpl);
	unlink(tmpl);
	return 0;
}

int
units_proof(struct sae_daemon *d, sqlite3 *db, const char *unit,
    const struct proof_opts *po, int *fd, struct proof_result *pr,
    struct sae_err *err)
{
	int f;

	*fd = -1;
	/* A bundle of any size streams from the disk. */
	if (tmp_file(d->cfg.data_dir, "proof", &f, err) == -1)
		return -1;
	if (proof_build(f, db, d->store, d->tsa, unit, po, pr, err) == -1 ||
	    (lseek(f, 0, SEEK_SET) == -1 && sae_err_sys(err, SAE_EIO,
	    "cannot read the bundle back") == -1)) {
		if (err->code != SAE_ENOTFOUND)
			sae_log_err(LOG_ERR, err, "proof unit=%s agent=%s",
			    unit, po->agent);
		close(f);
		return -1;
	}
	sae_log(LOG_INFO, "proof unit=%s agent=%s objects=%d entries=%lld "
	    "size=%llu manifest-sha256=%s", unit, po->agent, po->objects,
	    pr->entries, (unsigned long long)pr->size, pr->manifest_sha256);
	*fd = f;
	return 0;
}
