/*
 * api_holds.c: POST /v1/holds (place a hold on a unit), GET /v1/holds and
 * DELETE /v1/holds/ID (lift it, with a reason).  JSON in and out.
 */
#include "config.h"

#include <jansson.h>
#include <stdio.h>

#include "sae/ages.h"
#include "sae/api.h"
#include "sae/holds.h"
#include "sae/id.h"
#include "sae/log.h"

static const char *
str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

void
api_holds_post(struct sae_daemon *d, struct http_req *req,
    struct http_resp *resp)
{
	struct hold_request hr;
	struct sae_err err;
	char id[SAE_ID_LEN + 1];
	json_t *o;

	(void)d;
	if ((o = http_body_json(req, resp)) == NULL)
		return;
	hr.unit = str(o, "unit");
	hr.reason = str(o, "reason");
	hr.reference = str(o, "reference");
	hr.until = str(o, "until");
	if (hr.unit == NULL) {
		http_error(resp, 400, "\"unit\" (the unit's id) is required");
		json_decref(o);
		return;
	}
	if (hold_place(req->db, &hr, req->who.name, id, &err) == -1) {
		http_error(resp, err.code == SAE_ENOTFOUND ? 404 :
		    err.code == SAE_EINVAL ? 400 : 500, "%s", err.msg);
		json_decref(o);
		return;
	}
	sae_log(LOG_INFO, "hold place id=%s unit=%s by=%s", id, hr.unit,
	    req->who.name);
	json_decref(o);
	resp->status = 201;
	resp->content_type = "application/json";
	snprintf(resp->location, sizeof(resp->location), "/v1/holds/%s", id);
	sae_buf_printf(&resp->body, "{\"id\": \"%s\"}\n", id);
}

void
api_holds_get(struct sae_daemon *d, struct http_req *req,
    struct http_resp *resp)
{
	struct sae_err err;
	char today[11];

	(void)d;
	ages_today(today);
	if (hold_json(req->db, http_query(req, "unit"), today, &resp->body,
	    &err) == -1) {
		http_error(resp, 500, "%s", err.msg);
		return;
	}
	resp->status = 200;
	resp->content_type = "application/json";
}

void
api_hold_delete(struct sae_daemon *d, struct http_req *req,
    struct http_resp *resp)
{
	struct sae_err err;
	json_t *o;

	(void)d;
	if ((o = http_body_json(req, resp)) == NULL)
		return;
	if (hold_lift(req->db, req->arg, str(o, "reason"), req->who.name,
	    &err) == -1) {
		http_error(resp, err.code == SAE_ENOTFOUND ? 404 :
		    err.code == SAE_EINVAL ? 400 : 500, "%s", err.msg);
		json_decref(o);
		return;
	}
	sae_log(LOG_INFO, "hold lift id=%s by=%s", req->arg, req->who.name);
	json_decref(o);
	resp->status = 200;
	resp->content_type = "application/json";
	sae_buf_printf(&resp->body, "{\"id\": \"%s\", \"lifted\": true}\n",
	    req->arg);
}
