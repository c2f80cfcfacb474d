/*
 * api_ingest.c: POST /v1/transfers (a producer sends a package) and
 * GET /v1/transfers/ID (the reply, again).  The work is ingest.c's.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "sae/api.h"
#include "sae/catalog.h"
#include "sae/daemon.h"
#include "sae/id.h"
#include "sae/ingest.h"
#include "sae/log.h"

#define XML_TYPE	"application/xml; charset=utf-8"

void
api_transfer_post(struct sae_daemon *d, struct http_req *req,
    struct http_resp *resp)
{
	struct ingest_request ir;
	struct ingest_result res;
	struct sae_err err;
	int rc;

	memset(&ir, 0, sizeof(ir));
	ir.spool = req->spool;
	ir.size = req->received;
	memcpy(ir.sha256, req->sha256, sizeof(ir.sha256));
	ir.producer = &req->who;
	if (req->stream != NULL) {
		rc = ingest_stream_finish(req->stream, &ir, &res, &err);
		req->stream = NULL;	/* freed by ingest_stream_finish */
	} else
		rc = ingest_run(&d->ingest, &ir, &res, &err);
	if (rc == -1) {
		sae_log_err(LOG_ERR, &err, "ingest producer=%s outcome=FATAL",
		    req->who.name);
		http_error(resp, 500, "the archive could not record this "
		    "package (nothing was kept); send it again later");
		sae_buf_done(&res.reply);
		return;
	}
	sae_log(LOG_INFO, "ingest id=%s producer=%s bytes=%llu outcome=%s "
	    "status=%d replayed=%s reason='%s'",
	    res.transfer_id[0] ? res.transfer_id : "-", req->who.name,
	    (unsigned long long)req->received, res.outcome, res.http_status,
	    res.replayed ? "yes" : "no", res.reason);
	resp->status = res.http_status;
	resp->content_type = XML_TYPE;
	if (res.transfer_id[0] != '\0')
		snprintf(resp->location, sizeof(resp->location),
		    "/v1/transfers/%s", res.transfer_id);
	resp->body = res.reply;
}

void
api_transfer_get(struct sae_daemon *d, struct http_req *req,
    struct http_resp *resp)
{
	struct sae_err err;
	sqlite3_stmt *st = NULL;
	sqlite3 *db;
	int rc;

	(void)d;
	db = req->db;
	st = catalog_prepare(db, "SELECT reply, producer FROM transfer WHERE "
	    "id = ?", &err);
	if (st == NULL) {
		http_error(resp, 500, "catalog unavailable");
		goto out;
	}
	catalog_bind_text(st, 1, req->arg);
	rc = sqlite3_step(st);
	/* Producers see only their own transfers; a 404 hides the others. */
	if (rc != SQLITE_ROW || (req->who.role == ROLE_PRODUCER &&
	    sqlite3_column_int64(st, 1) != req->who.id)) {
		http_error(resp, 404, "no transfer '%s'", req->arg);
		goto out;
	}
	resp->status = 200;
	resp->content_type = XML_TYPE;
	sae_buf_add(&resp->body, sqlite3_column_blob(st, 0),
	    (size_t)sqlite3_column_bytes(st, 0));
out:
	sqlite3_finalize(st);
}
