/*
 * api_units.c: GET /v1/units (paginated, filtered by transfer, agency,
 * rule, age, DUA end dates and title), GET /v1/units/ID (one unit
 * with its objects), GET /v1/units/ID/proof (its proof bundle, a zip
 * streamed from an unlinked temp file) and GET /v1/objects/ID (the
 * original bytes, from a copy whose digest was checked first).
 * Producers see their own units, or their agency's when their token
 * names one.  What is read is units.c's, shared with the web interface.
 */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sae/api.h"
#include "sae/buf.h"
#include "sae/daemon.h"
#include "sae/disposal.h"
#include "sae/log.h"
#include "sae/proof.h"
#include "sae/units.h"

void
api_units_list(struct sae_daemon *d, struct http_req *req,
    struct http_resp *resp)
{
	const char *limit_s = http_query(req, "limit");
	struct units_query q;
	struct sae_err err;
	json_t *root;
	char *end;

	(void)d;
	memset(&q, 0, sizeof(q));
	q.limit = 100;
	if (limit_s != NULL) {
		q.limit = strtol(limit_s, &end, 10);
		if (*end != '\0' || q.limit < 1 || q.limit > 1000) {
			http_error(resp, 400, "limit must be a number from 1 "
			    "to 1000");
			return;
		}
	}
	q.transfer = http_query(req, "transfer");
	q.after = http_query(req, "after");
	q.agency = http_query(req, "agency");
	q.rule = http_query(req, "rule");
	q.age = http_query(req, "age");
	q.end_from = http_query(req, "end_from");
	q.end_to = http_query(req, "end_to");
	q.title = http_query(req, "title");
	if (units_search(req->db, &req->who, &q, &root, &err) == -1) {
		http_error(resp, 500, "%s", err.msg);
		return;
	}
	http_json(resp, 200, root);
}

void
api_unit_get(struct sae_daemon *d, struct http_req *req,
    struct http_resp *resp)
{
	struct sae_err err;
	json_t *root;

	(void)d;
	if (units_json(req->db, req->arg, &req->who, &root, &err) == -1) {
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
	http_json(resp, 200, root);
}

void
api_object_get(struct sae_daemon *d, struct http_req *req,
    struct http_resp *resp)
{
	struct units_object o;
	struct sae_err err;

	if (units_object_open(req->db, d->store, &req->who, req->arg, &o,
	    &err) == -1) {
		if (o.gone)
			http_error(resp, 410, "object '%s' left the archive "
			    "with its unit (approved disposal, or transfer to "
			    "another archive)", req->arg);
		else if (err.code == SAE_ENOTFOUND)
			http_error(resp, 404, "%s", err.msg);
		else
			http_error(resp, 500, "%s", err.msg);
		return;
	}
	/* http.c streams it; the reader checks the digest at the end. */
	resp->reader = o.reader;
	resp->status = 200;
	snprintf(resp->type_buf, sizeof(resp->type_buf), "%s", o.mime);
	resp->content_type = resp->type_buf;
	resp->length = o.size;
}

void
api_unit_proof(struct sae_daemon *d, struct http_req *req,
    struct http_resp *resp)
{
	const char *objects = http_query(req, "objects");
	struct proof_result pr;
	struct proof_opts po;
	struct sae_err err;
	int fd;

	if (objects != NULL && strcmp(objects, "0") && strcmp(objects, "1")) {
		http_error(resp, 400, "objects must be 0 or 1");
		return;
	}
	po.who = &req->who;
	po.agent = req->who.name;
	po.objects = objects != NULL && !strcmp(objects, "1");
	if (units_proof(d, req->db, req->arg, &po, &fd, &pr, &err) == -1) {
		http_error(resp, sae_err_http(err.code), "%s", err.msg);
		return;
	}
	resp->status = 200;
	resp->content_type = "application/zip";
	resp->has_fd = 1;
	resp->fd = fd;
	resp->length = pr.size;
	snprintf(resp->filename, sizeof(resp->filename), "proof-%s.zip",
	    req->arg);
}
