/*
 * api_journal.c: GET /v1/journal?unit=ID (or ?transfer=ID): the history
 * of a unit, from its transfer's ingest to its last change, as the
 * journal holds it (each entry with its hash and the previous one).
 */
#include "config.h"

#include <jansson.h>
#include <stdlib.h>

#include "sae/api.h"
#include "sae/catalog.h"

static json_t *
col(sqlite3_stmt *st, int i)
{
	const char *s = catalog_text(st, i);

	return s != NULL ? json_string(s) : json_null();
}

void
api_journal_get(struct sae_daemon *d, struct http_req *req,
    struct http_resp *resp)
{
	const char *unit = http_query(req, "unit");
	const char *transfer = http_query(req, "transfer");
	json_t *arr, *detail;
	sqlite3_stmt *st;
	struct sae_err err;
	char *text;
	int rc;

	(void)d;
	if ((unit == NULL) == (transfer == NULL)) {
		http_error(resp, 400, "say whose history: ?unit=ID or "
		    "?transfer=ID");
		return;
	}
	/* A unit's history includes its transfer's own entries (INGEST). */
	st = catalog_prepare(req->db, "SELECT seq, ts, type, outcome, agent, "
	    "transfer, unit, object, message, detail, prev, hash FROM journal "
	    "WHERE (?1 IS NOT NULL AND (unit = ?1 OR (unit IS NULL AND transfer "
	    "= (SELECT transfer FROM unit WHERE id = ?1)))) OR (?2 IS NOT NULL "
	    "AND transfer = ?2) ORDER BY seq", &err);
	if (st == NULL) {
		http_error(resp, 500, "%s", err.msg);
		return;
	}
	catalog_bind_text(st, 1, unit);
	catalog_bind_text(st, 2, transfer);
	arr = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		detail = json_loads(catalog_text(st, 9) ? catalog_text(st, 9) :
		    "{}", 0, NULL);
		json_array_append_new(arr, json_pack("{s:I, s:o, s:o, s:o, s:o, "
		    "s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "seq", (json_int_t)
		    sqlite3_column_int64(st, 0), "ts", col(st, 1), "type",
		    col(st, 2), "outcome", col(st, 3), "agent", col(st, 4),
		    "transfer", col(st, 5), "unit", col(st, 6), "object",
		    col(st, 7), "message", col(st, 8), "detail", detail ?
		    detail : json_object(), "prev", col(st, 10), "hash",
		    col(st, 11)));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		json_decref(arr);
		http_error(resp, 500, "the journal could not be read");
		return;
	}
	text = json_dumps(arr, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(arr);
	resp->status = 200;
	resp->content_type = "application/json";
	sae_buf_adds(&resp->body, text);
	sae_buf_addc(&resp->body, '\n');
	free(text);
}
