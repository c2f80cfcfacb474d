/*
 * api_audits.c: POST /v1/audits (start an audit in the background, one at
 * a time; never a repair), GET /v1/audits (past and running audits) and
 * GET /v1/audits/ID (the full report, or where a running one stands).
 * Reports are the files sae-admin writes too: DATA/audits/ID.json.
 */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sae/api.h"
#include "sae/audit.h"
#include "sae/daemon.h"
#include "sae/log.h"

static void
send_json(struct http_resp *resp, int status, json_t *o)
{
	char *text = json_dumps(o, API_JSON_FLAGS);

	json_decref(o);
	resp->status = status;
	resp->content_type = "application/json";
	sae_buf_adds(&resp->body, text);
	sae_buf_addc(&resp->body, '\n');
	free(text);
}

/* The options a body may give: {"sample": P}; empty is every copy. */
static int
options_of(struct http_req *req, struct http_resp *resp,
    struct audit_options *ao)
{
	json_error_t jerr;
	const char *key;
	json_t *o, *v;

	ao->sample = 100;
	if (req->body.len == 0)
		return 0;
	o = json_loadb(req->body.data, req->body.len, 0, &jerr);
	if (o == NULL || !json_is_object(o)) {
		http_error(resp, 400, "the body must be a JSON object (%s)",
		    o == NULL ? jerr.text : "not an object");
		json_decref(o);
		return -1;
	}
	json_object_foreach(o, key, v) {
		if (strcmp(key, "sample") == 0) {
			if (!json_is_integer(v) || json_integer_value(v) < 1 ||
			    json_integer_value(v) > 100) {
				http_error(resp, 400, "\"sample\" is a "
				    "percentage of the copies, 1 to 100");
				json_decref(o);
				return -1;
			}
			ao->sample = (int)json_integer_value(v);
		} else if (strcmp(key, "repair") == 0) {
			/* Rewriting copies is the operator's act, on the
			 * machine: not something a token may ask for. */
			http_error(resp, 400, "repairs are not offered through "
			    "the API: use 'sae-admin audit --repair'");
			json_decref(o);
			return -1;
		} else {
			http_error(resp, 400, "unknown key \"%s\": only "
			    "\"sample\" may be given", key);
			json_decref(o);
			return -1;
		}
	}
	json_decref(o);
	return 0;
}

void
api_audits_post(struct sae_daemon *d, struct http_req *req,
    struct http_resp *resp)
{
	struct audit_options ao;
	struct sae_err err;
	char id[SAE_ID_LEN + 1];

	memset(&ao, 0, sizeof(ao));
	if (options_of(req, resp, &ao) == -1)
		return;
	if (audit_job_start(d->audits, &ao, req->who.name, id, &err) == -1) {
		if (err.code == SAE_EEXIST) {
			send_json(resp, 409, json_pack("{s:s, s:i, s:s}",
			    "error", "an audit is already running: one at a "
			    "time", "status", 409, "id", id));
			snprintf(resp->location, sizeof(resp->location),
			    "/v1/audits/%s", id);
			return;
		}
		sae_log_err(LOG_ERR, &err, "audit by=%s", req->who.name);
		http_error(resp, 503, "the audit cannot start now: %s",
		    err.msg);
		return;
	}
	sae_log(LOG_INFO, "audit run=api by=%s id=%s sample=%d",
	    req->who.name, id, ao.sample);
	snprintf(resp->location, sizeof(resp->location), "/v1/audits/%s", id);
	send_json(resp, 202, json_pack("{s:s, s:s}", "id", id, "state",
	    "running"));
}

void
api_audits_get(struct sae_daemon *d, struct http_req *req,
    struct http_resp *resp)
{
	struct sae_err err;
	json_t *list, *running, *a;
	size_t i;

	(void)req;
	/* The running one first: it may end while the reports are read,
	 * and its report then shows up in the list. */
	running = audit_job_running(d->audits, NULL);
	if (audit_list(d->cfg.data_dir, &list, &err) == -1) {
		json_decref(list);
		json_decref(running);
		http_error(resp, 500, "the audits cannot be listed: %s",
		    err.msg);
		return;
	}
	json_array_foreach(list, i, a)
		if (running != NULL && json_equal(json_object_get(a, "id"),
		    json_object_get(running, "id"))) {
			json_decref(running);
			running = NULL;
		}
	/* It has no report yet: first, as the newest. */
	if (running != NULL) {
		json_object_del(running, "progress");
		json_array_insert_new(list, 0, running);
	}
	send_json(resp, 200, json_pack("{s:o}", "audits", list));
}

void
api_audit_get(struct sae_daemon *d, struct http_req *req,
    struct http_resp *resp)
{
	struct sae_err err;
	json_t *o;

	if ((o = audit_job_running(d->audits, req->arg)) != NULL) {
		send_json(resp, 200, o);
		return;
	}
	if (audit_report_load(d->cfg.data_dir, req->arg, &o, &err) == -1) {
		if (err.code == SAE_ENOTFOUND)
			http_error(resp, 404, "no audit %s", req->arg);
		else
			http_error(resp, 500, "%s", err.msg);
		return;
	}
	send_json(resp, 200, o);
}
