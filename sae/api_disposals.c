/*
 * api_disposals.c: the disposal lists over HTTP: POST /v1/disposals
 * (propose), GET /v1/disposals[/ID] (JSON), the bordereau (HTML), the
 * authorization request and the destruction notification (SEDA XML and
 * its token), POST /v1/disposals/ID/approve|reject, and an archivist's
 * keep-or-destroy on a unit under review (POST /v1/units/ID/decision).
 * Roles are checked by the route table; an approval wakes the scheduler,
 * which carries lists out.
 */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "sae/ages.h"
#include "sae/api.h"
#include "sae/daemon.h"
#include "sae/disposal.h"
#include "sae/log.h"
#include "sae/scheduler.h"
#include "sae/xmalloc.h"

void
api_disposals_post(struct sae_daemon *d, struct http_req *req,
    struct http_resp *resp)
{
	struct sae_err err;
	char today[11];
	json_t *ids;
	size_t n;

	ages_today(today);
	if (disposal_propose(req->db, &d->cfg, today, req->who.name, &ids,
	    &err) == -1) {
		http_fail(resp, &err);
		return;
	}
	n = json_array_size(ids);
	sae_log(LOG_INFO, "disposal propose lists=%zu by=%s", n,
	    req->who.name);
	if (n > 0)
		snprintf(resp->location, sizeof(resp->location),
		    "/v1/disposals/%s", json_string_value(json_array_get(ids,
		    0)));
	http_json(resp, n > 0 ? 201 : 200, n > 0 ? json_pack("{s:O, s:o}",
	    "id", json_array_get(ids, 0), "ids", ids) : json_pack("{s:o, s:s}",
	    "ids", ids, "message", "Aucune unité n'est éliminable à ce jour"));
}

void
api_disposals_get(struct sae_daemon *d, struct http_req *req,
    struct http_resp *resp)
{
	struct sae_err err;
	json_t *a;

	(void)d;
	if (disposal_list(req->db, &a, &err) == -1) {
		http_fail(resp, &err);
		return;
	}
	http_json(resp, 200, json_pack("{s:o}", "disposals", a));
}

void
api_disposal_get(struct sae_daemon *d, struct http_req *req,
    struct http_resp *resp)
{
	struct sae_err err;
	json_t *o;

	(void)d;
	if (disposal_get(req->db, req->arg, &o, &err) == -1) {
		http_fail(resp, &err);
		return;
	}
	http_json(resp, 200, o);
}

static void
document(struct http_req *req, struct http_resp *resp, enum disposal_doc which,
    const char *type)
{
	struct sae_err err;

	if (disposal_document(req->db, req->arg, which, &resp->body,
	    &err) == -1) {
		http_fail(resp, &err);
		return;
	}
	resp->status = 200;
	resp->content_type = type;
}

void
api_disposal_request(struct sae_daemon *d, struct http_req *req,
    struct http_resp *resp)
{
	(void)d;
	document(req, resp, DISPOSAL_REQUEST, "application/xml");
}

void
api_disposal_notification(struct sae_daemon *d, struct http_req *req,
    struct http_resp *resp)
{
	(void)d;
	document(req, resp, DISPOSAL_NOTIFICATION, "application/xml");
}

void
api_disposal_notification_tsr(struct sae_daemon *d, struct http_req *req,
    struct http_resp *resp)
{
	(void)d;
	document(req, resp, DISPOSAL_NOTIFICATION_TSR,
	    "application/timestamp-reply");
}

void
api_disposal_bordereau(struct sae_daemon *d, struct http_req *req,
    struct http_resp *resp)
{
	struct sae_err err;

	if (disposal_bordereau(req->db, &d->cfg, req->arg, &resp->body,
	    &err) == -1) {
		http_fail(resp, &err);
		return;
	}
	resp->status = 200;
	resp->content_type = "text/html; charset=utf-8";
}

/* "exclude": an array of unit ids, or absent. */
static int
exclusions(json_t *o, const char ***out, size_t *n, struct http_resp *resp)
{
	json_t *a = json_object_get(o, "exclude"), *v;
	size_t i;

	*out = NULL;
	*n = 0;
	if (a == NULL || json_is_null(a))
		return 0;
	if (!json_is_array(a)) {
		http_error(resp, 400, "\"exclude\" must be an array of unit ids");
		return -1;
	}
	*out = sae_xcalloc(json_array_size(a) + 1, sizeof(**out));
	json_array_foreach(a, i, v) {
		if (!json_is_string(v)) {
			free(*out);
			*out = NULL;
			http_error(resp, 400, "\"exclude\" must hold unit ids "
			    "(strings)");
			return -1;
		}
		(*out)[(*n)++] = json_string_value(v);
	}
	return 0;
}

void
api_disposal_approve(struct sae_daemon *d, struct http_req *req,
    struct http_resp *resp)
{
	struct disposal_decision dec;
	struct sae_err err;
	const char **ex;
	json_t *o, *got;

	if ((o = http_body_json(req, resp)) == NULL)
		return;
	memset(&dec, 0, sizeof(dec));
	dec.visa = json_string_value(json_object_get(o, "visa"));
	dec.comment = json_string_value(json_object_get(o, "comment"));
	if (exclusions(o, &ex, &dec.nexclude, resp) == -1) {
		json_decref(o);
		return;
	}
	dec.exclude = ex;
	if (disposal_approve(req->db, &d->cfg, req->arg, &dec, req->who.name,
	    &err) == -1) {
		http_fail(resp, &err);
	} else {
		sae_log(LOG_NOTICE, "disposal approve id=%s visa=%s excluded=%zu "
		    "by=%s", req->arg, dec.visa, dec.nexclude, req->who.name);
		scheduler_wake(d->scheduler);
		if (disposal_get(req->db, req->arg, &got, &err) == -1)
			http_fail(resp, &err);
		else
			http_json(resp, 200, got);
	}
	free(ex);
	json_decref(o);
}

void
api_disposal_reject(struct sae_daemon *d, struct http_req *req,
    struct http_resp *resp)
{
	struct sae_err err;
	json_t *o, *got;

	(void)d;
	if ((o = http_body_json(req, resp)) == NULL)
		return;
	if (disposal_reject(req->db, req->arg, json_string_value(
	    json_object_get(o, "reason")), req->who.name, &err) == -1)
		http_fail(resp, &err);
	else {
		sae_log(LOG_NOTICE, "disposal reject id=%s by=%s", req->arg,
		    req->who.name);
		if (disposal_get(req->db, req->arg, &got, &err) == -1)
			http_fail(resp, &err);
		else
			http_json(resp, 200, got);
	}
	json_decref(o);
}

void
api_unit_decision(struct sae_daemon *d, struct http_req *req,
    struct http_resp *resp)
{
	struct sae_err err;
	const char *dec;
	json_t *o;

	if ((o = http_body_json(req, resp)) == NULL)
		return;
	dec = json_string_value(json_object_get(o, "decision"));
	if (disposal_decide(req->db, req->arg, dec, json_string_value(
	    json_object_get(o, "comment")), req->who.name, &err) == -1)
		http_fail(resp, &err);
	else {
		sae_log(LOG_NOTICE, "unit decision id=%s decision=%s by=%s",
		    req->arg, dec, req->who.name);
		/* Keep moves the copies to sovereign storage. */
		scheduler_wake(d->scheduler);
		http_json(resp, 200, json_pack("{s:s, s:s, s:s}", "unit",
		    req->arg, "decision", dec, "age", !strcmp(dec, "keep") ?
		    "definitive" : "disposal"));
	}
	json_decref(o);
}
