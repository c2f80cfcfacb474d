/*
 * api_units.c: GET /v1/units (paginated, filtered by transfer, agency,
 * rule, age, DUA end dates and title), GET /v1/units/ID (one unit
 * with its objects), GET /v1/units/ID/proof (its proof bundle, a zip
 * streamed from an unlinked temp file) and GET /v1/objects/ID (the
 * original bytes, from a copy whose digest was checked first).
 * Producers see their own units, or their agency's when their token
 * names one.
 */
#include "config.h"

#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sae/ages.h"
#include "sae/api.h"
#include "sae/buf.h"
#include "sae/catalog.h"
#include "sae/daemon.h"
#include "sae/disposal.h"
#include "sae/fsutil.h"
#include "sae/holds.h"
#include "sae/id.h"
#include "sae/log.h"
#include "sae/proof.h"
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

static void
send_json(struct http_resp *resp, json_t *o)
{
	char *text = json_dumps(o, API_JSON_FLAGS);

	resp->status = 200;
	resp->content_type = "application/json";
	sae_buf_adds(&resp->body, text);
	sae_buf_addc(&resp->body, '\n');
	free(text);
}

void
api_units_list(struct sae_daemon *d, struct http_req *req,
    struct http_resp *resp)
{
	static const struct {
		const char	*param;
		int		 index;
		const char	*sql;
	} filters[] = {
		{ "transfer", 4, " AND u.transfer = ?4" },
		{ "after", 5, " AND u.seq > (SELECT seq FROM unit WHERE id = ?5)" },
		{ "agency", 7, " AND u.agency = ?7" },
		{ "rule", 8, " AND u.rule = ?8" },
		{ "age", 9, " AND u.age = ?9" },
		{ "end_from", 10, " AND u.rule_end >= ?10" },
		{ "end_to", 11, " AND u.rule_end <= ?11" },
		{ "title", 12, " AND u.title LIKE '%' || ?12 || '%'" },
	};
	const char *limit_s = http_query(req, "limit");
	struct sae_buf sql = SAE_BUF_INIT;
	json_t *root = NULL, *arr;
	size_t i;
	sqlite3_stmt *st = NULL;
	struct sae_err err;
	long limit = 100, n = 0;
	sqlite3 *db;
	char *end;
	int rc;

	if (limit_s != NULL) {
		limit = strtol(limit_s, &end, 10);
		if (*end != '\0' || limit < 1 || limit > 1000) {
			http_error(resp, 400, "limit must be a number from 1 "
			    "to 1000");
			return;
		}
	}
	(void)d;
	db = req->db;
	/* Only the filters given go into the query, so that SQLite can use
	 * the indexes on agency, age and DUA end. */
	sae_buf_adds(&sql, "SELECT u.id, u.title, u.transfer, u.xml_id, "
	    "u.agency, u.rule, u.rule_end, u.final_action, u.age, (SELECT p.id "
	    "FROM unit_parent up JOIN unit p ON p.seq = up.parent WHERE "
	    "up.unit = u.seq ORDER BY p.seq LIMIT 1) FROM unit u WHERE "
	    "u.state = 'alive'");
	if (req->who.role == ROLE_PRODUCER)
		sae_buf_adds(&sql, " AND (u.producer = ?2 OR (?3 IS NOT NULL "
		    "AND u.agency = ?3))");
	for (i = 0; i < sizeof(filters) / sizeof(filters[0]); i++)
		if (http_query(req, filters[i].param) != NULL)
			sae_buf_adds(&sql, filters[i].sql);
	sae_buf_adds(&sql, " ORDER BY u.seq LIMIT ?6");
	st = catalog_prepare(db, sql.data, &err);
	sae_buf_done(&sql);
	if (st == NULL) {
		http_error(resp, 500, "%s", err.msg);
		goto out;
	}
	bind_visibility(st, &req->who);
	sqlite3_bind_int64(st, 6, limit + 1);
	for (i = 0; i < sizeof(filters) / sizeof(filters[0]); i++)
		catalog_bind_text(st, filters[i].index,
		    http_query(req, filters[i].param));
	root = json_object();
	arr = json_array();
	json_object_set_new(root, "units", arr);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *u;

		if (n == limit) {
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
	if (json_object_get(root, "next") == NULL)
		json_object_set_new(root, "next", json_null());
	send_json(resp, root);
out:
	json_decref(root);
	sqlite3_finalize(st);
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
api_unit_json(sqlite3 *db, const char *id, const struct token_info *who,
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

void
api_unit_get(struct sae_daemon *d, struct http_req *req,
    struct http_resp *resp)
{
	struct sae_err err;
	json_t *root;

	(void)d;
	if (api_unit_json(req->db, req->arg, &req->who, &root, &err) == -1) {
		http_error(resp, sae_err_http(err.code), "%s", err.msg);
		return;
	}
	/* A unit that left (destroyed, transferred to another archive) is
	 * gone: what remains is its tombstone. */
	if (strcmp(json_string_value(json_object_get(root, "state")),
	    "alive") != 0) {
		json_decref(root);
		if (disposal_tombstone(req->db, req->arg, &root, &err) == -1) {
			http_error(resp, sae_err_http(err.code), "%s", err.msg);
			return;
		}
		http_json(resp, 410, root);
		return;
	}
	send_json(resp, root);
	json_decref(root);
}

/* Whether every unit holding object ${id} was destroyed by a disposal. */
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

void
api_object_get(struct sae_daemon *d, struct http_req *req,
    struct http_resp *resp)
{
	unsigned char sha[32];
	sqlite3_stmt *st = NULL, *cs = NULL;
	struct sae_err err;
	char hex[65], mime[128];
	long long size;
	sqlite3 *db;
	int found = 0;

	db = req->db;
	st = catalog_prepare(db, "SELECT o.sha256, o.size, o.mime FROM object o"
	    " WHERE o.id = ?4 AND o.physical = 0 AND EXISTS (SELECT 1 FROM "
	    "unit_group ug JOIN unit u ON u.seq = ug.unit WHERE ug.grp = o.grp "
	    "AND u.state = 'alive' AND " VISIBLE ")", &err);
	if (st == NULL) {
		http_error(resp, 500, "%s", err.msg);
		goto out;
	}
	bind_visibility(st, &req->who);
	catalog_bind_text(st, 4, req->arg);
	if (sqlite3_step(st) != SQLITE_ROW) {
		if (object_destroyed(db, req->arg))
			http_error(resp, 410, "object '%s' left the archive "
			    "with its unit (approved disposal, or transfer to "
			    "another archive)", req->arg);
		else
			http_error(resp, 404, "no object '%s'", req->arg);
		goto out;
	}
	snprintf(hex, sizeof(hex), "%s", catalog_text(st, 0));
	size = sqlite3_column_int64(st, 1);
	snprintf(mime, sizeof(mime), "%s", catalog_text(st, 2) ?
	    catalog_text(st, 2) : "application/octet-stream");
	if (sae_unhex(sha, sizeof(sha), hex) != 32) {
		http_error(resp, 500, "bad digest in catalog");
		goto out;
	}
	cs = catalog_prepare(db, "SELECT offer FROM copy WHERE sha256 = ? "
	    "ORDER BY offer", &err);
	if (cs == NULL) {
		http_error(resp, 500, "%s", err.msg);
		goto out;
	}
	catalog_bind_text(cs, 1, hex);
	/* Check the whole copy before sending a byte: a corrupt copy is
	 * never served; the next offer's copy is tried instead. */
	while (!found && sqlite3_step(cs) == SQLITE_ROW) {
		const char *offer = catalog_text(cs, 0);

		if (store_verify(d->store, offer, sha, NULL, &err) == -1) {
			sae_log_err(LOG_ERR, &err, "object id=%s offer=%s "
			    "copy unusable", req->arg, offer);
			continue;
		}
		if (store_reader_open(&resp->reader, d->store, offer, sha,
		    &err) == -1) {
			sae_log_err(LOG_ERR, &err, "object id=%s offer=%s",
			    req->arg, offer);
			continue;
		}
		found = 1;
	}
	if (!found) {
		http_error(resp, 500, "no intact copy of object '%s' could be "
		    "read; the operator has been told", req->arg);
		goto out;
	}
	resp->status = 200;
	resp->content_type = mime[0] ? mime : "application/octet-stream";
	resp->length = (uint64_t)size;
out:
	sqlite3_finalize(st);
	sqlite3_finalize(cs);
}

void
api_unit_proof(struct sae_daemon *d, struct http_req *req,
    struct http_resp *resp)
{
	const char *objects = http_query(req, "objects");
	struct proof_result pr;
	struct proof_opts po;
	struct sae_err err;
	char dir[PATH_MAX], tmpl[PATH_MAX];
	int fd;

	if (objects != NULL && strcmp(objects, "0") && strcmp(objects, "1")) {
		http_error(resp, 400, "objects must be 0 or 1");
		return;
	}
	po.who = &req->who;
	po.agent = req->who.name;
	po.objects = objects != NULL && !strcmp(objects, "1");
	if (sae_path(dir, sizeof(dir), "%s/tmp", d->cfg.data_dir) == -1 ||
	    sae_path(tmpl, sizeof(tmpl), "%s/proof-XXXXXX", dir) == -1) {
		http_error(resp, 500, "data directory path too long");
		return;
	}
	if (sae_fs_mkdirp(dir, 0700, &err) == -1) {
		http_error(resp, 500, "%s", err.msg);
		return;
	}
	/* Unlinked at once: a bundle of any size streams from the disk, and
	 * nothing is left behind whatever happens next. */
	if ((fd = mkstemp(tmpl)) == -1) {
		sae_err_sys(&err, SAE_EIO, "cannot create '%s'", tmpl);
		http_error(resp, 500, "%s", err.msg);
		return;
	}
	unlink(tmpl);
	if (proof_build(fd, req->db, d->store, d->tsa, req->arg, &po, &pr,
	    &err) == -1 || (lseek(fd, 0, SEEK_SET) == -1 && sae_err_sys(&err,
	    SAE_EIO, "cannot read the bundle back") == -1)) {
		if (err.code != SAE_ENOTFOUND)
			sae_log_err(LOG_ERR, &err, "proof unit=%s agent=%s",
			    req->arg, req->who.name);
		close(fd);
		http_error(resp, sae_err_http(err.code), "%s", err.msg);
		return;
	}
	sae_log(LOG_INFO, "proof unit=%s agent=%s objects=%d entries=%lld "
	    "size=%llu manifest-sha256=%s", req->arg, req->who.name,
	    po.objects, pr.entries, (unsigned long long)pr.size,
	    pr.manifest_sha256);
	resp->status = 200;
	resp->content_type = "application/zip";
	resp->has_fd = 1;
	resp->fd = fd;
	resp->length = pr.size;
	snprintf(resp->filename, sizeof(resp->filename), "proof-%s.zip",
	    req->arg);
}
