/*
 * api.h: the handlers of the HTTP API, one per route.  Each fills a
 * struct http_resp; roles are checked by the route table in http.c.
 */
#ifndef SAE_API_H
#define SAE_API_H

#include <jansson.h>
#include <sqlite3.h>

#include "sae/err.h"
#include "sae/http.h"
#include "sae/token.h"

struct sae_daemon;

typedef void api_handler(struct sae_daemon *, struct http_req *,
    struct http_resp *);

api_handler api_transfer_post;	/* POST /v1/transfers */
api_handler api_transfer_get;	/* GET /v1/transfers/ID */
api_handler api_units_list;	/* GET /v1/units */
api_handler api_unit_get;	/* GET /v1/units/ID */
api_handler api_unit_proof;	/* GET /v1/units/ID/proof */
api_handler api_object_get;	/* GET /v1/objects/ID */
api_handler api_rules_post;	/* POST /v1/rules */
api_handler api_rules_get;	/* GET /v1/rules */
api_handler api_ages_post;	/* POST /v1/jobs/ages */
api_handler api_holds_post;	/* POST /v1/holds */
api_handler api_holds_get;	/* GET /v1/holds */
api_handler api_hold_delete;	/* DELETE /v1/holds/ID */
api_handler api_stats_get;	/* GET /v1/stats */
api_handler api_journal_get;	/* GET /v1/journal?unit=ID */
api_handler api_audits_post;	/* POST /v1/audits */
api_handler api_audits_get;	/* GET /v1/audits */
api_handler api_audit_get;	/* GET /v1/audits/ID */
api_handler api_disposals_post;	/* POST /v1/disposals */
api_handler api_disposals_get;	/* GET /v1/disposals */
api_handler api_disposal_get;	/* GET /v1/disposals/ID */
api_handler api_disposal_bordereau;	/* GET /v1/disposals/ID/bordereau */
api_handler api_disposal_request;	/* GET /v1/disposals/ID/request */
api_handler api_disposal_notification;	/* GET .../ID/notification */
api_handler api_disposal_notification_tsr; /* GET .../ID/notification.tsr */
api_handler api_disposal_approve;	/* POST /v1/disposals/ID/approve */
api_handler api_disposal_reject;	/* POST /v1/disposals/ID/reject */
api_handler api_unit_decision;	/* POST /v1/units/ID/decision */
api_handler api_exports_post;	/* POST /v1/exports */
api_handler api_export_get;	/* GET /v1/exports/ID */

/* How the API writes JSON (and proof bundles write unit.json). */
#define API_JSON_FLAGS	(JSON_INDENT(1) | JSON_PRESERVE_ORDER)

#endif
