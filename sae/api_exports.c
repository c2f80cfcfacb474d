/*
 * api_exports.c: POST /v1/exports (start a reversibility export in the
 * background, or resume one) and GET /v1/exports/ID (its progress, or
 * where the finished bag is).
 */
#include "config.h"

#include <jansson.h>
#include <stdio.h>

#include "sae/api.h"
#include "sae/daemon.h"
#include "sae/export_job.h"
#include "sae/log.h"

void
api_exports_post(struct sae_daemon *d, struct http_req *req,
    struct http_resp *resp)
{
	char id[SAE_ID_LEN + 1] = "";
	struct sae_err err;
	json_t *o;

	if ((o = http_body_json(req, resp)) == NULL)
		return;
	if (export_job_start(d, o, NULL, req->who.name, id, &err) == -1) {
		if (err.code == SAE_EEXIST && id[0] != '\0')
			http_json(resp, 409, json_pack("{s:s, s:s}", "error",
			    err.msg, "id", id));
		else
			http_fail(resp, &err);
		json_decref(o);
		return;
	}
	json_decref(o);
	sae_log(LOG_NOTICE, "export id=%s started by=%s", id, req->who.name);
	snprintf(resp->location, sizeof(resp->location), "/v1/exports/%s", id);
	http_json(resp, 202, json_pack("{s:s, s:s}", "id", id, "state",
	    "running"));
}

void
api_export_get(struct sae_daemon *d, struct http_req *req,
    struct http_resp *resp)
{
	struct sae_err err;
	json_t *o;

	if ((o = export_job_get(d, req->arg, &err)) == NULL) {
		http_fail(resp, &err);
		return;
	}
	http_json(resp, 200, o);
}
