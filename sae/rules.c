/*
 * rules.c: versions of the DUA table in the catalog.
 */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "sae/catalog.h"
#include "sae/id.h"
#include "sae/journal.h"
#include "sae/rules.h"
#include "sae/xmalloc.h"

/* Rules that units archived here name: they must survive every import. */
static int
check_used(sqlite3 *db, const struct dua_table *t, struct sae_err *err)
{
	sqlite3_stmt *st;
	const struct dua_rule *r;
	int rc, ret = -1;

	st = catalog_prepare(db, "SELECT DISTINCT coalesce(rule, ref_non_rule),"
	    " category FROM declared_rule WHERE coalesce(rule, ref_non_rule) "
	    "IS NOT NULL", err);
	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = catalog_text(st, 0);
		const char *cat = catalog_text(st, 1);

		if ((r = dua_table_find(t, id)) == NULL) {
			sae_err_set(err, SAE_EINVAL, "rule '%s' is used by "
			    "archived units and cannot disappear from the DUA "
			    "table", id);
			goto out;
		}
		if (strcmp(dua_type_name(r->type), cat) != 0) {
			sae_err_set(err, SAE_EINVAL, "rule '%s' is used by "
			    "archived units as %s and cannot become %s", id,
			    cat, dua_type_name(r->type));
			goto out;
		}
	}
	if (rc != SQLITE_DONE) {
		catalog_fail(err, db, "rules check");
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

static int
insert_rules(sqlite3 *db, const struct dua_table *t, long long version,
    struct sae_err *err)
{
	sqlite3_stmt *st;
	size_t i;

	if (catalog_exec(db, "DELETE FROM rule", err) == -1)
		return -1;
	st = catalog_prepare(db, "INSERT INTO rule (id, type, value, "
	    "description, duration, unlimited, measure, final_action, "
	    "start_event, domain, current_duration, current_measure, version)"
	    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", err);
	if (st == NULL)
		return -1;
	for (i = 0; i < t->n; i++) {
		const struct dua_rule *r = &t->rules[i];

		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		catalog_bind_text(st, 1, r->id);
		catalog_bind_text(st, 2, dua_type_name(r->type));
		catalog_bind_text(st, 3, r->value);
		catalog_bind_text(st, 4, r->description ? r->description : "");
		if (r->has_duration && !r->unlimited)
			sqlite3_bind_int(st, 5, r->duration);
		sqlite3_bind_int(st, 6, r->unlimited);
		if (r->has_duration)
			catalog_bind_text(st, 7, dua_measure_name(r->measure));
		if (r->final_action != DUA_FINAL_NONE)
			catalog_bind_text(st, 8,
			    dua_final_name(r->final_action));
		catalog_bind_text(st, 9, r->start_event);
		catalog_bind_text(st, 10, r->domain);
		if (r->has_current) {
			sqlite3_bind_int(st, 11, r->current_duration);
			catalog_bind_text(st, 12,
			    dua_measure_name(r->current_measure));
		}
		sqlite3_bind_int64(st, 13, version);
		if (sqlite3_step(st) != SQLITE_DONE) {
			catalog_fail(err, db, "rule insert");
			sqlite3_finalize(st);
			return -1;
		}
	}
	sqlite3_finalize(st);
	return 0;
}

int
rules_import(sqlite3 *db, const char *csv, size_t len, const char *source,
    const char *agent, long long *versionp, struct sae_err *err)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	struct dua_table *t = NULL;
	sqlite3_stmt *st = NULL;
	char hex[65], ts[32], detail[256];
	long long version;
	int ret = -1;

	if (dua_csv_parse(&t, csv, len, source, err) == -1)
		return -1;
	SHA256((const unsigned char *)csv, len, md);
	sae_hex(hex, md, sizeof(md));
	sae_time_now_iso(ts);
	if (catalog_begin(db, err) == -1)
		goto out;
	if (check_used(db, t, err) == -1)
		goto out;
	st = catalog_prepare(db, "INSERT INTO rule_version (created, source, "
	    "sha256, agent, rules, csv) VALUES (?,?,?,?,?,?)", err);
	if (st == NULL)
		goto out;
	catalog_bind_text(st, 1, ts);
	catalog_bind_text(st, 2, source);
	catalog_bind_text(st, 3, hex);
	catalog_bind_text(st, 4, agent);
	sqlite3_bind_int64(st, 5, (long long)t->n);
	sqlite3_bind_blob(st, 6, csv, (int)len, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE) {
		catalog_fail(err, db, "rule version");
		goto out;
	}
	version = sqlite3_last_insert_rowid(db);
	if (insert_rules(db, t, version, err) == -1)
		goto out;
	snprintf(detail, sizeof(detail), "{\"version\":%lld,\"rules\":%zu,"
	    "\"sha256\":\"%s\"}", version, t->n, hex);
	if (journal_commit(db, "RULES_IMPORT", agent, detail, err, "Import du "
	    "tableau de gestion '%s' (version %lld, %zu règles)", source,
	    version, t->n) == -1)
		goto out;
	if (versionp != NULL)
		*versionp = version;
	ret = 0;
out:
	sqlite3_finalize(st);
	if (ret == -1)
		catalog_rollback(db);
	dua_table_free(t);
	return ret;
}

static char *
dup_col(sqlite3_stmt *st, int col)
{
	return sae_xstrdup(catalog_text(st, col));
}

int
rules_load(sqlite3 *db, struct dua_table **out, struct sae_err *err)
{
	struct dua_table *t = sae_xcalloc(1, sizeof(*t));
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	*out = NULL;
	st = catalog_prepare(db, "SELECT id, type, value, description, "
	    "duration, unlimited, measure, final_action, start_event, domain, "
	    "current_duration, current_measure FROM rule ORDER BY rowid", err);
	if (st == NULL) {
		free(t);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct dua_rule *r;
		int v;

		if (t->n == cap) {
			cap = cap ? cap * 2 : 64;
			t->rules = sae_xreallocarray(t->rules, cap,
			    sizeof(*t->rules));
		}
		r = &t->rules[t->n++];
		memset(r, 0, sizeof(*r));
		r->id = dup_col(st, 0);
		v = dua_type_parse(catalog_text(st, 1));
		r->type = v < 0 ? DUA_ACCESS : (enum dua_type)v;
		r->value = dup_col(st, 2);
		r->description = dup_col(st, 3);
		r->unlimited = sqlite3_column_int(st, 5);
		r->has_duration = r->unlimited ||
		    sqlite3_column_type(st, 4) != SQLITE_NULL;
		r->duration = sqlite3_column_int(st, 4);
		if (catalog_text(st, 6) != NULL &&
		    (v = dua_measure_parse(catalog_text(st, 6))) >= 0)
			r->measure = (enum dua_measure)v;
		if (catalog_text(st, 7) != NULL &&
		    (v = dua_final_parse(catalog_text(st, 7))) >= 0)
			r->final_action = (enum dua_final)v;
		r->start_event = dup_col(st, 8);
		r->domain = dup_col(st, 9);
		if (sqlite3_column_type(st, 10) != SQLITE_NULL) {
			r->has_current = 1;
			r->current_duration = sqlite3_column_int(st, 10);
			if ((v = dua_measure_parse(catalog_text(st, 11))) >= 0)
				r->current_measure = (enum dua_measure)v;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		dua_table_free(t);
		return catalog_fail(err, db, "rules load");
	}
	*out = t;
	return 0;
}

int
rules_json(sqlite3 *db, struct sae_buf *out, struct sae_err *err)
{
	struct dua_table *t;
	json_t *root, *arr;
	sqlite3_stmt *st;
	char *text;
	size_t i;

	if (rules_load(db, &t, err) == -1)
		return -1;
	root = json_object();
	st = catalog_prepare(db, "SELECT max(id) FROM rule_version", err);
	if (st != NULL && sqlite3_step(st) == SQLITE_ROW)
		json_object_set_new(root, "version",
		    json_integer(sqlite3_column_int64(st, 0)));
	sqlite3_finalize(st);
	arr = json_array();
	for (i = 0; i < t->n; i++) {
		const struct dua_rule *r = &t->rules[i];
		json_t *o = json_object();

		json_object_set_new(o, "id", json_string(r->id));
		json_object_set_new(o, "type",
		    json_string(dua_type_name(r->type)));
		json_object_set_new(o, "value", json_string(r->value));
		json_object_set_new(o, "description",
		    json_string(r->description));
		if (r->unlimited)
			json_object_set_new(o, "duration",
			    json_string("unlimited"));
		else if (r->has_duration)
			json_object_set_new(o, "duration",
			    json_integer(r->duration));
		else
			json_object_set_new(o, "duration", json_null());
		json_object_set_new(o, "measure", r->has_duration ?
		    json_string(dua_measure_name(r->measure)) : json_null());
		json_object_set_new(o, "final_action",
		    r->final_action != DUA_FINAL_NONE ?
		    json_string(dua_final_name(r->final_action)) : json_null());
		if (r->start_event != NULL)
			json_object_set_new(o, "start_event",
			    json_string(r->start_event));
		if (r->domain != NULL)
			json_object_set_new(o, "domain",
			    json_string(r->domain));
		json_array_append_new(arr, o);
	}
	json_object_set_new(root, "rules", arr);
	text = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(root);
	dua_table_free(t);
	sae_buf_adds(out, text);
	sae_buf_addc(out, '\n');
	free(text);
	return 0;
}
