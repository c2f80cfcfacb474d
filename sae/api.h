/*
 * api.h: the handlers of the HTTP API, one per route.  Each fills a
 * struct http_resp; roles are checked by the route table in http.c.
 */
#ifndef SAE_API_H
#define SAE_API_H

#include "sae/http.h"

struct sae_daemon;

typedef void api_handler(struct sae_daemon *, struct http_req *,
    struct http_resp *);

api_handler api_transfer_post;	/* POST /v1/transfers */
api_handler api_transfer_get;	/* GET /v1/transfers/ID */
api_handler api_units_list;	/* GET /v1/units */
api_handler api_unit_get;	/* GET /v1/units/ID */
api_handler api_object_get;	/* GET /v1/objects/ID */
api_handler api_rules_post;	/* POST /v1/rules */
api_handler api_rules_get;	/* GET /v1/rules */
api_handler api_ages_post;	/* POST /v1/jobs/ages */
api_handler api_holds_post;	/* POST /v1/holds */
api_handler api_holds_get;	/* GET /v1/holds */
api_handler api_hold_delete;	/* DELETE /v1/holds/ID */
api_handler api_stats_get;	/* GET /v1/stats */
api_handler api_journal_get;	/* GET /v1/journal?unit=ID */

#endif
