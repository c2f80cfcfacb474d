/*
 * api_admin.c: the archivist's and operator's calls on the whole archive:
 * POST and GET /v1/rules (the DUA table), POST /v1/jobs/ages (recompute
 * the ages now), GET /v1/stats (holdings and coming transitions).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "policies/retention.h"
#include "sae/ages.h"
#include "sae/api.h"
#include "sae/catalog.h"
#include "sae/daemon.h"
#include "sae/log.h"
#include "sae/placement.h"
#include "sae/rules.h"
#include "sae/stats.h"

/* Answers 200 with ${o} (taken). */
static void
send_object(struct http_resp *resp, json_t *o)
{
	char *text = json_dumps(o, JSON_INDENT(1) | JSON_PRESERVE_ORDER);

	json_decref(o);
	resp->status = 200;
	resp->content_type = "application/json";
	sae_buf_adds(&resp->body, text);
	sae_buf_addc(&resp->body, '\n');
	free(text);
}

static const char *
today_of(char out[11])
{
	ages_today(out);
	return out;
}

void
api_rules_post(struct sae_daemon *d, struct http_req *req,
    struct http_resp *resp)
{
	struct sae_err err;
	long long version;
	sqlite3 *db;
	int rc;

	(void)d;
	db = req->db;
	rc = rules_import(db, req->body.data ? req->body.data : "",
	    req->body.len, "upload.csv", req->who.name, &version, &err);
	if (rc == -1) {
		sae_log_err(LOG_NOTICE, &err, "rules import by=%s outcome=KO",
		    req->who.name);
		http_error(resp, err.code == SAE_EINVAL ? 422 :
		    sae_err_http(err.code), "%s", err.msg);
	} else {
		sae_log(LOG_INFO, "rules import by=%s version=%lld outcome=OK",
		    req->who.name, version);
		/* A new table may move end dates and ages at once. */
		if (daemon_recompute(d, db, req->who.name, NULL, NULL,
		    &err) == -1)
			sae_log_err(LOG_ERR, &err, "ages after rules import");
		resp->status = 201;
		if (rules_json(db, &resp->body, &err) == -1)
			http_error(resp, 500, "%s", err.msg);
		else
			resp->content_type = "application/json";
	}
}

void
api_rules_get(struct sae_daemon *d, struct http_req *req,
    struct http_resp *resp)
{
	struct sae_err err;
	sqlite3 *db;

	(void)req;
	(void)d;
	db = req->db;
	if (rules_json(db, &resp->body, &err) == -1)
		http_error(resp, 500, "%s", err.msg);
	else
		resp->content_type = "application/json";
}

void
api_ages_post(struct sae_daemon *d, struct http_req *req,
    struct http_resp *resp)
{
	struct ages_stats st;
	struct placement_stats ps;
	struct sae_err err;
	char today[11];
	json_t *o, *ages;
	size_t i;

	today_of(today);
	if (daemon_recompute(d, req->db, req->who.name, &st, &ps,
	    &err) == -1) {
		sae_log_err(LOG_ERR, &err, "ages by=%s", req->who.name);
		http_error(resp, 500, "the ages could not be recomputed: %s",
		    err.msg);
		return;
	}
	sae_log(LOG_INFO, "ages by=%s date=%s units=%zu age_changes=%zu",
	    req->who.name, today, st.units, st.age_changes);
	ages = json_object();
	for (i = 0; i < 5; i++)
		json_object_set_new(ages, retention_age_name((enum ret_age)i),
		    json_integer((json_int_t)st.by_age[i]));
	o = json_pack("{s:s, s:I, s:I, s:I, s:o, s:I, s:I, s:I}", "date",
	    today, "units", (json_int_t)st.units, "changed",
	    (json_int_t)st.changed, "age_changes", (json_int_t)st.age_changes,
	    "ages", ages, "copies_added", (json_int_t)ps.added,
	    "copies_removed", (json_int_t)ps.removed, "placement_failed",
	    (json_int_t)ps.failed);
	send_object(resp, o);
}

void
api_stats_get(struct sae_daemon *d, struct http_req *req,
    struct http_resp *resp)
{
	struct sae_err err;
	char today[11];
	json_t *o;

	if (stats_cached(d->stats, req->db, today_of(today), &o,
	    &err) == -1) {
		http_error(resp, 500, "%s", err.msg);
		return;
	}
	send_object(resp, o);
}
