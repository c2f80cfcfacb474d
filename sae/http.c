/*
 * http.c: the libmicrohttpd daemon, the route table, authentication, the
 * checks made before a body is read (411, 413, 415), spooling of package
 * bodies, and turning a struct http_resp into an answer.  Per-request
 * state lives in *con_cls and is freed when MHD completes the request.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <jansson.h>

#include "sae/api.h"
#include "sae/catalog.h"
#include "sae/daemon.h"
#include "sae/fsutil.h"
#include "sae/http.h"
#include "sae/id.h"
#include "sae/ingest.h"
#include "sae/log.h"
#include "sae/ui.h"
#include "sae/xmalloc.h"
#include "storage/digest.h"
#include "storage/store.h"

#define SMALL_BODY_MAX	(16u << 20)	/* CSV tables, JSON requests */

enum body_kind { BODY_NONE, BODY_SMALL, BODY_PACKAGE };

struct route {
	const char	*method;
	const char	*prefix;	/* exact path, or prefix ending in '/' */
	const char	*arg;		/* NULL: exact path; else the id, then this */
	unsigned	 roles;		/* ROLE_MASK bits */
	enum body_kind	 body;
	api_handler	*handler;
};

#define ANY_ROLE	(ROLE_MASK(ROLE_PRODUCER) | ROLE_MASK(ROLE_ARCHIVIST) | \
			 ROLE_MASK(ROLE_AUDITOR) | ROLE_MASK(ROLE_ADMIN))

/* Who may read the archive's decisions: everyone but producers. */
#define READERS		(ROLE_MASK(ROLE_ARCHIVIST) | ROLE_MASK(ROLE_AUDITOR) | \
			 ROLE_MASK(ROLE_ADMIN))

static const struct route routes[] = {
	{ "POST", "/v1/transfers", NULL, ROLE_MASK(ROLE_PRODUCER), BODY_PACKAGE,
	  api_transfer_post },
	{ "GET", "/v1/transfers/", "", ANY_ROLE, BODY_NONE, api_transfer_get },
	{ "GET", "/v1/units", NULL, ANY_ROLE, BODY_NONE, api_units_list },
	{ "GET", "/v1/units/", "", ANY_ROLE, BODY_NONE, api_unit_get },
	/* Admins run sae-admin proof on the server instead. */
	{ "GET", "/v1/units/", "/proof", ROLE_MASK(ROLE_PRODUCER) |
	  ROLE_MASK(ROLE_AUDITOR) | ROLE_MASK(ROLE_ARCHIVIST), BODY_NONE,
	  api_unit_proof },
	{ "GET", "/v1/objects/", "", ANY_ROLE, BODY_NONE, api_object_get },
	{ "POST", "/v1/rules", NULL, ROLE_MASK(ROLE_ADMIN) |
	  ROLE_MASK(ROLE_ARCHIVIST), BODY_SMALL, api_rules_post },
	{ "GET", "/v1/rules", NULL, ANY_ROLE, BODY_NONE, api_rules_get },
	{ "POST", "/v1/jobs/ages", NULL, ROLE_MASK(ROLE_ADMIN) |
	  ROLE_MASK(ROLE_ARCHIVIST), BODY_NONE, api_ages_post },
	{ "POST", "/v1/holds", NULL, ROLE_MASK(ROLE_ARCHIVIST), BODY_SMALL,
	  api_holds_post },
	{ "GET", "/v1/holds", NULL, ROLE_MASK(ROLE_ARCHIVIST) |
	  ROLE_MASK(ROLE_AUDITOR) | ROLE_MASK(ROLE_ADMIN), BODY_NONE,
	  api_holds_get },
	{ "DELETE", "/v1/holds/", "", ROLE_MASK(ROLE_ARCHIVIST), BODY_SMALL,
	  api_hold_delete },
	{ "GET", "/v1/journal", NULL, ROLE_MASK(ROLE_AUDITOR) |
	  ROLE_MASK(ROLE_ARCHIVIST) | ROLE_MASK(ROLE_ADMIN), BODY_NONE,
	  api_journal_get },
	{ "POST", "/v1/disposals", NULL, ROLE_MASK(ROLE_ARCHIVIST), BODY_NONE,
	  api_disposals_post },
	{ "GET", "/v1/disposals", NULL, READERS, BODY_NONE, api_disposals_get },
	{ "GET", "/v1/disposals/", "", READERS, BODY_NONE, api_disposal_get },
	{ "GET", "/v1/disposals/", "/bordereau", READERS, BODY_NONE,
	  api_disposal_bordereau },
	{ "GET", "/v1/disposals/", "/request", READERS, BODY_NONE,
	  api_disposal_request },
	{ "GET", "/v1/disposals/", "/notification", READERS, BODY_NONE,
	  api_disposal_notification },
	{ "GET", "/v1/disposals/", "/notification.tsr", READERS, BODY_NONE,
	  api_disposal_notification_tsr },
	{ "POST", "/v1/disposals/", "/approve", ROLE_MASK(ROLE_ARCHIVIST),
	  BODY_SMALL, api_disposal_approve },
	{ "POST", "/v1/disposals/", "/reject", ROLE_MASK(ROLE_ARCHIVIST),
	  BODY_SMALL, api_disposal_reject },
	{ "POST", "/v1/units/", "/decision", ROLE_MASK(ROLE_ARCHIVIST),
	  BODY_SMALL, api_unit_decision },
	{ "POST", "/v1/exports", NULL, ROLE_MASK(ROLE_ARCHIVIST) |
	  ROLE_MASK(ROLE_ADMIN), BODY_SMALL, api_exports_post },
	{ "GET", "/v1/exports/", "", ROLE_MASK(ROLE_ARCHIVIST) |
	  ROLE_MASK(ROLE_ADMIN), BODY_NONE, api_export_get },
	{ "GET", "/v1/stats", NULL, ROLE_MASK(ROLE_ARCHIVIST) |
	  ROLE_MASK(ROLE_AUDITOR) | ROLE_MASK(ROLE_ADMIN), BODY_NONE,
	  api_stats_get },
	{ "POST", "/v1/audits", NULL, ROLE_MASK(ROLE_AUDITOR) |
	  ROLE_MASK(ROLE_ADMIN), BODY_SMALL, api_audits_post },
	{ "GET", "/v1/audits", NULL, ROLE_MASK(ROLE_AUDITOR) |
	  ROLE_MASK(ROLE_ADMIN), BODY_NONE, api_audits_get },
	{ "GET", "/v1/audits/", "", ROLE_MASK(ROLE_AUDITOR) |
	  ROLE_MASK(ROLE_ADMIN), BODY_NONE, api_audit_get },
};

struct http_server {
	struct MHD_Daemon	*mhd;
	struct sae_daemon	*d;
	struct ui		*ui;	/* NULL: /ui answers 503 */
};

struct conn_state {
	const struct route	*route;
	struct http_req		 req;
	struct digest_set	*hash;
	int			 answered;
	int			 spool_failed;	/* body being drained, answer 503 */
	/* Packages: a zip is spooled (its directory is at its end); any
	 * other package is read as it arrives, through a pipe. */
	enum { SINK_UNDECIDED, SINK_SPOOL, SINK_PIPE } sink;
	unsigned char		 prefix[4];	/* first bytes, to decide */
	size_t			 nprefix;
	int			 pipe_fd;
	int			 pipe_closed;	/* reader stopped: drain the rest */
	struct ui_req		*ui;	/* a /ui request: ui.c answers it */
};

/* ------------------------------------------------------------------ */

const char *
http_query(const struct http_req *req, const char *key)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND,
	    key);
}

void
http_error(struct http_resp *resp, int status, const char *fmt, ...)
{
	char msg[1024];
	json_t *o;
	char *text;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	o = json_object();
	json_object_set_new(o, "error", json_string(msg));
	json_object_set_new(o, "status", json_integer(status));
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	resp->status = status;
	resp->content_type = "application/json";
	sae_buf_reset(&resp->body);
	sae_buf_adds(&resp->body, text);
	sae_buf_addc(&resp->body, '\n');
	free(text);
}

void
http_json(struct http_resp *resp, int status, json_t *o)
{
	char *text = json_dumps(o, JSON_INDENT(1) | JSON_PRESERVE_ORDER);

	json_decref(o);
	if (text == NULL) {
		http_error(resp, 500, "cannot encode the answer");
		return;
	}
	resp->status = status;
	resp->content_type = "application/json";
	sae_buf_reset(&resp->body);
	sae_buf_adds(&resp->body, text);
	sae_buf_addc(&resp->body, '\n');
	free(text);
}

json_t *
http_body_json(struct http_req *req, struct http_resp *resp)
{
	json_error_t jerr;
	json_t *o;

	o = json_loadb(req->body.data ? req->body.data : "", req->body.len, 0,
	    &jerr);
	if (o == NULL || !json_is_object(o)) {
		json_decref(o);
		http_error(resp, 400, "the body must be a JSON object (%s)",
		    o == NULL ? jerr.text : "not an object");
		return NULL;
	}
	return o;
}

void
http_fail(struct http_resp *resp, const struct sae_err *err)
{
	http_error(resp, sae_err_http(err->code), "%s", err->msg);
}

static ssize_t
object_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct store_reader *r = cls;
	struct sae_err err;
	ssize_t n;

	(void)pos;
	n = store_reader_read(r, buf, max, &err);
	if (n > 0)
		return n;
	if (n == 0)
		return MHD_CONTENT_READER_END_OF_STREAM;
	sae_log_err(LOG_ERR, &err, "object read failed mid-stream");
	return MHD_CONTENT_READER_END_WITH_ERROR;
}

static void
object_reader_free(void *cls)
{
	store_reader_free(cls);
}

struct MHD_Response *
http_reader_response(struct store_reader *r, uint64_t size)
{
	return MHD_create_response_from_callback(size, 64 * 1024,
	    object_reader, r, object_reader_free);
}

static enum MHD_Result
send_resp(struct MHD_Connection *conn, struct http_resp *resp)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (resp->reader != NULL) {
		r = http_reader_response(resp->reader, resp->length);
		resp->reader = NULL;
	} else if (resp->has_fd) {
		r = MHD_create_response_from_fd64(resp->length, resp->fd);
		if (r != NULL)
			resp->has_fd = 0;	/* MHD closes it */
	} else
		r = MHD_create_response_from_buffer(resp->body.len,
		    resp->body.data ? resp->body.data : (char *)"",
		    MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	if (resp->content_type != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
		    resp->content_type);
	if (resp->location[0] != '\0')
		MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION,
		    resp->location);
	if (resp->filename[0] != '\0') {
		char cd[192];

		snprintf(cd, sizeof(cd), "attachment; filename=\"%s\"",
		    resp->filename);
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_DISPOSITION,
		    cd);
	}
	if (resp->status == 401)
		MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
		    "Bearer realm=\"sae\"");
	ret = MHD_queue_response(conn, (unsigned)resp->status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result answer_error(struct conn_state *,
    struct MHD_Connection *, int, const char *, ...)
    __attribute__((format(printf, 4, 5)));

static enum MHD_Result
answer_error(struct conn_state *cs, struct MHD_Connection *conn, int status,
    const char *fmt, ...)
{
	struct http_resp resp;
	enum MHD_Result ret;
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	memset(&resp, 0, sizeof(resp));
	http_error(&resp, status, "%s", msg);
	sae_log(LOG_INFO, "http method=%s url=%s status=%d reason='%s'",
	    cs->req.method, cs->req.url, status, msg);
	cs->answered = 1;
	ret = send_resp(conn, &resp);
	sae_buf_done(&resp.body);
	return ret;
}

/*
 * Whether ${url} is ${prefix}, an identifier, then ${suffix}; the
 * identifier is copied to ${id}.  Every identifier we hand out
 * has one shape: anything else names nothing.
 */
static int
route_arg(const char *url, const char *prefix, const char *suffix,
    char id[SAE_ID_LEN + 1])
{
	size_t n = strlen(prefix);

	if (strncmp(url, prefix, n) != 0 || strlen(url + n) < SAE_ID_LEN)
		return 0;
	url += n;
	if (strcmp(url + SAE_ID_LEN, suffix) != 0)
		return 0;
	memcpy(id, url, SAE_ID_LEN);
	id[SAE_ID_LEN] = '\0';
	return sae_id_valid(id);
}

static const struct route *
route_find(const char *method, const char *url, char argbuf[SAE_ID_LEN + 1],
    const char **arg, int *path_known)
{
	size_t i;

	*path_known = 0;
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const struct route *r = &routes[i];

		if (r->arg != NULL) {
			if (!route_arg(url, r->prefix, r->arg, argbuf))
				continue;
			*arg = argbuf;
		} else {
			if (strcmp(url, r->prefix) != 0)
				continue;
			*arg = NULL;
		}
		*path_known = 1;
		if (!strcmp(method, r->method))
			return r;
	}
	return NULL;
}

static int
authenticate(struct sae_daemon *d, struct conn_state *cs,
    struct MHD_Connection *conn, struct sae_err *err)
{
	const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_AUTHORIZATION);
	sqlite3 *db;
	int rc;

	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return sae_err_set(err, SAE_EDENIED, "this call needs an "
		    "'Authorization: Bearer TOKEN' header");
	h += 7;
	while (*h == ' ')
		h++;
	if ((db = catalog_get(d->catalog, err)) == NULL)
		return -1;
	rc = token_check(db, h, &cs->req.who, err);
	catalog_put(d->catalog, db);
	return rc;
}

/* Content types a package may come with; others get 415. */
static int
package_type_ok(const char *ct)
{
	static const char *const ok[] = {
		"application/zip", "application/x-zip-compressed",
		"application/x-tar", "application/tar", "application/gzip",
		"application/x-gzip", "application/x-gtar",
		"application/zstd", "application/x-zstd",
		"application/x-bzip2", "application/x-xz",
		"application/octet-stream",
		/* what curl --data-binary sends when told nothing */
		"application/x-www-form-urlencoded",
	};
	size_t i, n;

	if (ct == NULL)
		return 1;	/* identified by content */
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		n = strlen(ok[i]);
		if (!strncasecmp(ct, ok[i], n) &&
		    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' '))
			return 1;
	}
	return 0;
}

static enum MHD_Result
start_body(struct sae_daemon *d, struct conn_state *cs,
    struct MHD_Connection *conn)
{
	const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	const char *ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_TYPE);
	unsigned long long len;
	char *end;

	/* An audit's options are optional: a bare POST has no body at all. */
	if (cl == NULL && cs->route->handler == api_audits_post)
		return MHD_YES;
	if (cl == NULL)
		return answer_error(cs, conn, 411, "a Content-Length header is "
		    "required: send the package with its size");
	errno = 0;
	len = strtoull(cl, &end, 10);
	if (errno != 0 || *end != '\0')
		return answer_error(cs, conn, 400, "Content-Length '%s' is not "
		    "a number", cl);
	if (cs->route->body == BODY_SMALL) {
		if (len > SMALL_BODY_MAX)
			return answer_error(cs, conn, 413, "the body has %llu "
			    "bytes; at most %u are accepted here", len,
			    SMALL_BODY_MAX);
		if (cs->route->handler == api_rules_post && (ct == NULL ||
		    strncasecmp(ct, "text/csv", 8) != 0))
			return answer_error(cs, conn, 415, "a DUA table must be"
			    " sent as Content-Type: text/csv");
		return MHD_YES;
	}
	if (len == 0)
		return answer_error(cs, conn, 400, "the body is empty: send the "
		    "package (zip, tar, tar.gz or tar.zst)");
	if (len > d->cfg.max_package)
		return answer_error(cs, conn, 413, "the package has %llu bytes;"
		    " the limit is %llu (limits.max_package)", len,
		    (unsigned long long)d->cfg.max_package);
	if (!package_type_ok(ct))
		return answer_error(cs, conn, 415, "Content-Type '%s' is not a "
		    "package type: send zip, tar, tar.gz or tar.zst", ct);
	cs->req.expected = len;
	cs->hash = digest_set_new(DIGEST_MASK(DIGEST_SHA256));
	return MHD_YES;
}

static int
spool_open(struct sae_daemon *d, struct conn_state *cs)
{
	char name[SAE_ID_LEN + 1];

	sae_id_new(name);
	if (sae_path(cs->req.spool, sizeof(cs->req.spool), "%s/%s.pkg",
	    d->spool, name) == -1)
		return -1;
	cs->req.spool_fd = open(cs->req.spool, O_WRONLY | O_CREAT | O_EXCL |
	    O_CLOEXEC | O_NOFOLLOW, 0600);
	if (cs->req.spool_fd == -1) {
		sae_log(LOG_ERR, "spool open path=%s reason='%s'",
		    cs->req.spool, strerror(errno));
		cs->req.spool[0] = '\0';
		return -1;
	}
	return 0;
}

/* Where the bytes of a package go, from its first four. */
static void
choose_sink(struct sae_daemon *d, struct conn_state *cs)
{
	static const unsigned char zip[] = { 'P', 'K' };
	struct sae_err err;

	if (cs->nprefix < 4 || memcmp(cs->prefix, zip, 2) != 0) {
		if (ingest_stream_start(&cs->req.stream, &d->ingest,
		    cs->req.expected, &cs->pipe_fd, &err) == 0) {
			cs->sink = SINK_PIPE;
			return;
		}
		sae_log_err(LOG_ERR, &err, "stream start");
	}
	cs->sink = SINK_SPOOL;
	if (spool_open(d, cs) == -1)
		cs->spool_failed = 1;
}

static void
sink_write(struct conn_state *cs, const void *data, size_t len)
{
	if (cs->sink == SINK_PIPE) {
		/* The reader stops early on a refused package: the rest is
		 * only hashed, for the record of the refusal. */
		if (!cs->pipe_closed &&
		    sae_fs_write_all(cs->pipe_fd, data, len) == -1)
			cs->pipe_closed = 1;
		return;
	}
	if (cs->spool_failed)
		return;
	if (sae_fs_write_all(cs->req.spool_fd, data, len) == -1) {
		/* Read the rest anyway, so that the producer gets an answer
		 * rather than a reset connection. */
		sae_log(LOG_ERR, "spool write path=%s reason='%s'",
		    cs->req.spool, strerror(errno));
		cs->spool_failed = 1;
	}
}

static enum MHD_Result
take_body(struct sae_daemon *d, struct conn_state *cs, const char *data,
    size_t len)
{
	cs->req.received += len;
	/* A body where none is expected is dropped (there is no hash to
	 * feed: it used to crash the daemon). */
	if (cs->route->body == BODY_NONE)
		return cs->req.received > SMALL_BODY_MAX ? MHD_NO : MHD_YES;
	if (cs->route->body == BODY_SMALL) {
		if (cs->req.received > SMALL_BODY_MAX)
			return MHD_NO;
		sae_buf_add(&cs->req.body, data, len);
		return MHD_YES;
	}
	if (cs->req.received > d->cfg.max_package)
		return MHD_NO;	/* lied about Content-Length */
	digest_set_update(cs->hash, data, len);
	if (cs->sink == SINK_UNDECIDED) {
		size_t take = sizeof(cs->prefix) - cs->nprefix;

		if (take > len)
			take = len;
		memcpy(cs->prefix + cs->nprefix, data, take);
		cs->nprefix += take;
		data += take;
		len -= take;
		if (cs->nprefix < sizeof(cs->prefix))
			return MHD_YES;
		choose_sink(d, cs);
		sink_write(cs, cs->prefix, cs->nprefix);
	}
	if (len > 0)
		sink_write(cs, data, len);
	return MHD_YES;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct http_server *srv = cls;
	struct sae_daemon *d = srv->d;
	struct conn_state *cs = *con_cls;
	struct http_resp resp;
	struct sae_err err;
	enum MHD_Result ret;
	int known;

	(void)version;
	if (cs == NULL) {
		cs = sae_xcalloc(1, sizeof(*cs));
		cs->req.conn = conn;
		cs->req.method = method;
		cs->req.url = url;
		cs->req.spool_fd = -1;
		cs->pipe_fd = -1;
		*con_cls = cs;
		/* The web interface authenticates with its own cookie. */
		if (ui_path(url)) {
			cs->ui = ui_req_new();
			return ui_request(srv->ui, d, conn, cs->ui, method,
			    url, upload, upload_size);
		}
		cs->route = route_find(method, url, cs->req.argbuf,
		    &cs->req.arg, &known);
		if (cs->route == NULL)
			return answer_error(cs, conn, known ? 405 : 404,
			    known ? "method %s is not allowed on %s" :
			    "no such resource: %s%s", known ? method : url,
			    known ? url : "");
		if (authenticate(d, cs, conn, &err) == -1)
			return answer_error(cs, conn, err.code == SAE_EDENIED ?
			    401 : 500, "%s", err.code == SAE_EDENIED ? err.msg :
			    "cannot check the token now; try again later");
		if ((cs->route->roles & ROLE_MASK(cs->req.who.role)) == 0)
			return answer_error(cs, conn, 403, "the %s role may "
			    "not call %s %s", token_role_name(cs->req.who.role),
			    method, url);
		if (cs->route->body != BODY_NONE)
			return start_body(d, cs, conn);
		return MHD_YES;
	}
	if (cs->ui != NULL)
		return ui_request(srv->ui, d, conn, cs->ui, method, url,
		    upload, upload_size);
	if (cs->answered) {
		*upload_size = 0;	/* discard what follows an early answer */
		return MHD_YES;
	}
	if (*upload_size > 0) {
		ret = take_body(d, cs, upload, *upload_size);
		*upload_size = 0;
		return ret;
	}
	/* The whole request is here. */
	if (cs->hash != NULL) {
		struct digest_result dr;

		if (cs->sink == SINK_UNDECIDED) {
			/* Under four bytes: no archive, spooled to be said so. */
			choose_sink(d, cs);
			sink_write(cs, cs->prefix, cs->nprefix);
		}
		digest_set_final(cs->hash, &dr);
		memcpy(cs->req.sha256, dr.value[DIGEST_SHA256], 32);
		if (cs->sink == SINK_PIPE) {
			close(cs->pipe_fd);	/* end of file for the reader */
			cs->pipe_fd = -1;
		}
		if (cs->spool_failed)
			return answer_error(cs, conn, 503, "the archive cannot "
			    "store uploads right now (nothing was kept); send "
			    "the package again later");
		/* No fsync: an upload is only a draft until its objects are
		 * durable in the store; after a crash it is dropped. */
		if (cs->sink == SINK_SPOOL && close(cs->req.spool_fd) == -1) {
			cs->req.spool_fd = -1;
			return answer_error(cs, conn, 500, "cannot store the "
			    "upload; try again later");
		}
		cs->req.spool_fd = -1;
	}
	if ((cs->req.db = catalog_get(d->catalog, &err)) == NULL) {
		sae_log_err(LOG_ERR, &err, "http url=%s catalog", url);
		return answer_error(cs, conn, 503, "the catalog is unavailable;"
		    " try again later");
	}
	memset(&resp, 0, sizeof(resp));
	resp.status = 200;
	cs->route->handler(d, &cs->req, &resp);
	catalog_put(d->catalog, cs->req.db);
	cs->req.db = NULL;
	cs->answered = 1;
	ret = send_resp(conn, &resp);
	store_reader_free(resp.reader);
	if (resp.has_fd)
		close(resp.fd);
	sae_buf_done(&resp.body);
	return ret;
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct conn_state *cs = *con_cls;

	(void)cls;
	(void)conn;
	if (cs == NULL)
		return;
	if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK && cs->route != NULL)
		sae_log(LOG_NOTICE, "http method=%s url=%s aborted code=%d",
		    cs->req.method, cs->req.url, (int)toe);
	if (cs->req.spool_fd != -1)
		close(cs->req.spool_fd);
	if (cs->pipe_fd != -1)
		close(cs->pipe_fd);
	/* An upload cut short: let its reader end and drop what it read. */
	ingest_stream_abort(cs->req.stream);
	if (cs->req.spool[0] != '\0')
		unlink(cs->req.spool);
	if (cs->hash != NULL)
		digest_set_free(cs->hash);
	sae_buf_done(&cs->req.body);
	ui_req_free(cs->ui);
	free(cs);
	*con_cls = NULL;
}

static void on_mhd_log(void *, const char *, va_list)
    __attribute__((format(printf, 2, 0)));

static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && msg[n - 1] == '\n')
		msg[--n] = '\0';
	sae_log(LOG_NOTICE, "http-server message='%s'", msg);
}

int
http_start(struct http_server **out, struct sae_daemon *d, int *port,
    struct sae_err *err)
{
	struct http_server *srv;
	struct sockaddr_in sin;
	const union MHD_DaemonInfo *info;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)*port);
	if (inet_pton(AF_INET, d->cfg.listen_host, &sin.sin_addr) != 1)
		return sae_err_set(err, SAE_EINVAL, "listen address '%s' is not"
		    " an IPv4 address", d->cfg.listen_host);
	srv = sae_xcalloc(1, sizeof(*srv));
	srv->d = d;
	if (ui_open(&srv->ui, &d->cfg, err) == -1)
		sae_log_err(LOG_WARNING, err, "ui disabled");
	srv->mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG, 0, NULL, NULL,
	    on_request, srv,
	    MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, srv,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)d->cfg.max_connections,
	    MHD_OPTION_CONNECTION_TIMEOUT, 600u,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)256 * 1024,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
	    MHD_OPTION_END);
	if (srv->mhd == NULL) {
		ui_close(srv->ui);
		free(srv);
		return sae_err_sys(err, SAE_EIO, "cannot listen on %s:%d",
		    d->cfg.listen_host, *port);
	}
	info = MHD_get_daemon_info(srv->mhd, MHD_DAEMON_INFO_BIND_PORT);
	if (info != NULL)
		*port = info->port;
	*out = srv;
	return 0;
}

void
http_stop(struct http_server *srv)
{
	if (srv == NULL)
		return;
	MHD_stop_daemon(srv->mhd);
	ui_close(srv->ui);
	free(srv);
}
