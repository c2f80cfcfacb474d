/*
 * ui.c: the web interface's requests: the forms (taken in with MHD's post
 * processor), the session cookie, CSRF checks, routing of /ui, and the
 * answer, an XSLT page rendered with libxslt from ui_pages.c's document.
 * Actions call the same functions as the API, with the signed-in token's
 * name as agent, so that they are journaled alike.
 */
#include "config.h"

#include <errno.h>
#include <libxml/parser.h>
#include <libxslt/documents.h>
#include <libxslt/security.h>
#include <libxslt/transform.h>
#include <libxslt/xsltInternals.h>
#include <libxslt/xsltutils.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sae/buf.h"
#include "sae/catalog.h"
#include "sae/daemon.h"
#include "sae/disposal.h"
#include "sae/id.h"
#include "sae/log.h"
#include "sae/scheduler.h"
#include "sae/ui.h"
#include "sae/ui_internal.h"
#include "sae/xmalloc.h"

#define FORM_MAX	(64 * 1024)	/* a form is a few short fields */

enum page { P_LOGIN, P_MESSAGE, P_DASHBOARD, P_DISPOSALS, P_DISPOSAL,
	P_NPAGES };

static const char *const page_files[P_NPAGES] = {
	"login.xsl", "message.xsl", "dashboard.xsl", "disposals.xsl",
	"disposal.xsl"
};

struct ui {
	xsltStylesheetPtr	 style[P_NPAGES];
	xsltSecurityPrefsPtr	 sec;
	struct sae_buf		 css;
	int			 secure;	/* Secure cookies */
};

struct field {
	char		*key;
	struct sae_buf	 val;
};

struct ui_req {
	int			 started;
	struct MHD_PostProcessor *pp;
	int			 form;	/* a form body was understood */
	struct field		*f;
	size_t			 n, cap, total;
	int			 too_big;
};

/* Our pages: styles from saed only, forms to saed only, no framing, no
 * script at all. */
#define CSP_PAGE	"default-src 'none'; style-src 'self'; img-src 'self'; " \
			"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
/* The bordereau carries its own print style. */
#define CSP_DOC		"default-src 'none'; style-src 'unsafe-inline'; " \
			"frame-ancestors 'none'; base-uri 'none'"

int
ui_path(const char *url)
{
	return strncmp(url, "/ui", 3) == 0 && (url[3] == '\0' ||
	    url[3] == '/');
}

/*
 * Stylesheets and their xsl:import are read here, from memory: libxml2's
 * entity loader is process-wide and seda_schemas.c lets it open nothing
 * but the schemas being compiled.  Local paths only; set only while
 * ui_open parses.
 */
static xmlDocPtr
load_xsl(const xmlChar *uri, xmlDictPtr dict, int options, void *ctx,
    xsltLoadType type)
{
	xmlParserCtxtPtr pc;
	struct sae_buf b;
	xmlDocPtr doc = NULL;
	char chunk[4096];
	FILE *f;
	size_t n;

	(void)options;
	(void)ctx;
	if (type != XSLT_LOAD_START && type != XSLT_LOAD_STYLESHEET)
		return NULL;
	if (strstr((const char *)uri, "://") != NULL ||
	    (f = fopen((const char *)uri, "rb")) == NULL)
		return NULL;
	memset(&b, 0, sizeof(b));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		sae_buf_add(&b, chunk, n);
	fclose(f);
	if ((pc = xmlNewParserCtxt()) != NULL) {
		if (dict != NULL) {
			/* The imported sheet shares its importer's names. */
			xmlDictFree(pc->dict);
			pc->dict = dict;
			xmlDictReference(dict);
		}
		doc = xmlCtxtReadMemory(pc, b.data != NULL ? b.data : "",
		    (int)b.len, (const char *)uri, NULL, XML_PARSE_NONET |
		    XML_PARSE_NOCDATA);
		xmlFreeParserCtxt(pc);
	}
	sae_buf_done(&b);
	return doc;
}

int
ui_open(struct ui **out, const struct sae_config *cfg, struct sae_err *err)
{
	struct ui *ui = sae_xcalloc(1, sizeof(*ui));
	xmlDocPtr doc;
	char path[4096];
	FILE *f;
	size_t i, n;
	char b[4096];

	*out = NULL;
	xmlInitParser();
	for (i = 0; i < P_NPAGES; i++) {
		snprintf(path, sizeof(path), "%s/%s", cfg->ui_dir,
		    page_files[i]);
		/* Parsed once, then shared read-only by every thread. */
		xsltSetLoaderFunc(load_xsl);
		doc = load_xsl((const xmlChar *)path, NULL, 0, NULL,
		    XSLT_LOAD_START);
		ui->style[i] = doc != NULL ? xsltParseStylesheetDoc(doc) : NULL;
		xsltSetLoaderFunc(NULL);
		if (ui->style[i] == NULL) {
			if (doc != NULL)
				xmlFreeDoc(doc);
			ui_close(ui);
			return sae_err_set(err, SAE_EIO, "cannot load the web "
			    "interface's stylesheet %s ([ui] dir)", path);
		}
	}
	snprintf(path, sizeof(path), "%s/sae.css", cfg->ui_dir);
	if ((f = fopen(path, "rb")) == NULL) {
		ui_close(ui);
		return sae_err_sys(err, SAE_EIO, "cannot read %s", path);
	}
	while ((n = fread(b, 1, sizeof(b), f)) > 0)
		sae_buf_add(&ui->css, b, n);
	fclose(f);
	/* Rendering reads and writes nothing: no document(), no output
	 * files, no network, whatever a stylesheet says. */
	ui->sec = xsltNewSecurityPrefs();
	xsltSetSecurityPrefs(ui->sec, XSLT_SECPREF_READ_FILE,
	    xsltSecurityForbid);
	xsltSetSecurityPrefs(ui->sec, XSLT_SECPREF_WRITE_FILE,
	    xsltSecurityForbid);
	xsltSetSecurityPrefs(ui->sec, XSLT_SECPREF_CREATE_DIRECTORY,
	    xsltSecurityForbid);
	xsltSetSecurityPrefs(ui->sec, XSLT_SECPREF_READ_NETWORK,
	    xsltSecurityForbid);
	xsltSetSecurityPrefs(ui->sec, XSLT_SECPREF_WRITE_NETWORK,
	    xsltSecurityForbid);
	ui->secure = cfg->ui_secure;
	*out = ui;
	return 0;
}

void
ui_close(struct ui *ui)
{
	size_t i;

	if (ui == NULL)
		return;
	for (i = 0; i < P_NPAGES; i++)
		if (ui->style[i] != NULL)
			xsltFreeStylesheet(ui->style[i]);
	if (ui->sec != NULL)
		xsltFreeSecurityPrefs(ui->sec);
	sae_buf_done(&ui->css);
	free(ui);
}

struct ui_req *
ui_req_new(void)
{
	return sae_xcalloc(1, sizeof(struct ui_req));
}

void
ui_req_free(struct ui_req *r)
{
	size_t i;

	if (r == NULL)
		return;
	if (r->pp != NULL)
		MHD_destroy_post_processor(r->pp);
	for (i = 0; i < r->n; i++) {
		free(r->f[i].key);
		sae_buf_done(&r->f[i].val);
	}
	free(r->f);
	free(r);
}

/* MHD's post processor hands each value in pieces: ${off} 0 starts one. */
static enum MHD_Result
on_field(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *filename, const char *type, const char *enc,
    const char *data, uint64_t off, size_t size)
{
	struct ui_req *r = cls;

	(void)kind; (void)filename; (void)type; (void)enc;
	r->total += strlen(key) + size;
	if (r->total > FORM_MAX) {
		r->too_big = 1;
		return MHD_NO;
	}
	if (off == 0 || r->n == 0 || strcmp(r->f[r->n - 1].key, key) != 0) {
		if (r->n == r->cap) {
			r->cap = r->cap ? 2 * r->cap : 8;
			r->f = sae_xrealloc(r->f, r->cap * sizeof(*r->f));
		}
		r->f[r->n].key = sae_xstrdup(key);
		memset(&r->f[r->n].val, 0, sizeof(r->f[r->n].val));
		sae_buf_adds(&r->f[r->n].val, "");
		r->n++;
	}
	sae_buf_add(&r->f[r->n - 1].val, data, size);
	return MHD_YES;
}

/* The first value of field ${key}, or NULL. */
static const char *
form(const struct ui_req *r, const char *key)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->f[i].key, key))
			return r->f[i].val.data != NULL ? r->f[i].val.data : "";
	return NULL;
}

/* Every value of field ${key} (a checkbox per line); caller frees. */
static const char **
form_all(const struct ui_req *r, const char *key, size_t *n)
{
	const char **v = sae_xcalloc(r->n + 1, sizeof(*v));
	size_t i;

	*n = 0;
	for (i = 0; i < r->n; i++)
		if (!strcmp(r->f[i].key, key) && r->f[i].val.data != NULL &&
		    r->f[i].val.data[0] != '\0')
			v[(*n)++] = r->f[i].val.data;
	return v;
}

static enum MHD_Result
reply(struct MHD_Connection *conn, int status, const char *type,
    const void *data, size_t len, const char *csp, const char *location,
    const char *cookie)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(len, (void *)(uintptr_t)data,
	    MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	if (type != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
		    type);
	/* Pages hold the user's data and a CSRF token: never cached. */
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
	    "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	if (csp != NULL)
		MHD_add_response_header(resp, "Content-Security-Policy", csp);
	if (location != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION,
		    location);
	if (cookie != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE,
		    cookie);
	ret = MHD_queue_response(conn, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result
text(struct MHD_Connection *conn, int status, const char *msg)
{
	return reply(conn, status, "text/plain; charset=utf-8", msg,
	    strlen(msg), CSP_PAGE, NULL, NULL);
}

static enum MHD_Result
redirect(struct MHD_Connection *conn, const char *to, const char *cookie)
{
	return reply(conn, 303, "text/plain; charset=utf-8", "", 0, CSP_PAGE,
	    to, cookie);
}

/* Renders ${doc} (freed) with page ${p}'s stylesheet. */
static enum MHD_Result
render(struct ui *ui, struct MHD_Connection *conn, int status, enum page p,
    xmlDocPtr doc, const char *cookie)
{
	xsltTransformContextPtr ctx;
	xmlDocPtr res = NULL;
	xmlChar *out = NULL;
	int len = 0;
	enum MHD_Result ret;

	ctx = xsltNewTransformContext(ui->style[p], doc);
	if (ctx != NULL) {
		xsltSetCtxtSecurityPrefs(ui->sec, ctx);
		res = xsltApplyStylesheetUser(ui->style[p], doc, NULL, NULL,
		    NULL, ctx);
		xsltFreeTransformContext(ctx);
	}
	xmlFreeDoc(doc);
	if (res == NULL || xsltSaveResultToString(&out, &len, res,
	    ui->style[p]) != 0 || out == NULL) {
		if (res != NULL)
			xmlFreeDoc(res);
		sae_log(LOG_ERR, "ui render page=%s failed", page_files[p]);
		return text(conn, 500, "erreur interne de rendu\n");
	}
	xmlFreeDoc(res);
	ret = reply(conn, status, "text/html; charset=utf-8", out, (size_t)len,
	    CSP_PAGE, NULL, cookie);
	xmlFree(out);
	return ret;
}

static enum MHD_Result
message(struct ui *ui, struct MHD_Connection *conn,
    const struct ui_session *s, int status, const char *title,
    const char *text)
{
	return render(ui, conn, status, P_MESSAGE, ui_page_message(s, status,
	    title, text), NULL);
}

static enum MHD_Result
failed(struct ui *ui, struct MHD_Connection *conn, const struct ui_session *s,
    const struct sae_err *err)
{
	int status = sae_err_http(err->code);

	if (status >= 500)
		sae_log_err(LOG_ERR, err, "ui");
	return message(ui, conn, s, status, status == 404 ? "Introuvable" :
	    status >= 500 ? "Erreur du serveur" : "Action refusée", err->msg);
}

static enum MHD_Result
do_login(struct ui *ui, struct MHD_Connection *conn, sqlite3 *db,
    const struct ui_req *r)
{
	const char *tok = form(r, "token");
	struct token_info who;
	struct sae_err err;
	char cookie[65], set[256];

	while (tok != NULL && (*tok == ' ' || *tok == '\t'))
		tok++;
	if (tok == NULL || *tok == '\0')
		return render(ui, conn, 400, P_LOGIN, ui_page_login("Saisissez "
		    "votre jeton d'accès."), NULL);
	if (token_check(db, tok, &who, &err) == -1) {
		if (err.code != SAE_EDENIED)
			return failed(ui, conn, NULL, &err);
		sae_log(LOG_INFO, "ui login outcome=denied reason='unknown "
		    "token'");
		return render(ui, conn, 401, P_LOGIN, ui_page_login("Jeton "
		    "inconnu ou révoqué."), NULL);
	}
	if (who.role == ROLE_PRODUCER) {
		sae_log(LOG_INFO, "ui login name=%s role=producer "
		    "outcome=denied", who.name);
		return render(ui, conn, 403, P_LOGIN, ui_page_login("Un jeton "
		    "de producteur (application versante) ne donne pas accès "
		    "à l'interface : connectez-vous avec un jeton "
		    "d'archiviste, d'auditeur ou d'administrateur."), NULL);
	}
	if (ui_session_create(db, &who, cookie, &err) == -1)
		return failed(ui, conn, NULL, &err);
	snprintf(set, sizeof(set), UI_COOKIE "=%s; Path=/ui; Max-Age=%d; "
	    "HttpOnly; SameSite=Strict%s", cookie, UI_SESSION_SECONDS,
	    ui->secure ? "; Secure" : "");
	sae_log(LOG_INFO, "ui login name=%s role=%s outcome=ok", who.name,
	    token_role_name(who.role));
	return redirect(conn, "/ui/", set);
}

/* "/disposals/ID" then ${suffix}: the id into ${id}. */
static int
disposal_path(const char *p, const char *suffix, char id[SAE_ID_LEN + 1])
{
	static const char pre[] = "/disposals/";

	if (strncmp(p, pre, sizeof(pre) - 1) != 0)
		return 0;
	p += sizeof(pre) - 1;
	if (strlen(p) < SAE_ID_LEN || strcmp(p + SAE_ID_LEN, suffix) != 0)
		return 0;
	memcpy(id, p, SAE_ID_LEN);
	id[SAE_ID_LEN] = '\0';
	return sae_id_valid(id);
}

static enum MHD_Result
do_approve(struct ui *ui, struct sae_daemon *d, struct MHD_Connection *conn,
    sqlite3 *db, const struct ui_session *s, const struct ui_req *r,
    const char *id)
{
	struct disposal_decision dec;
	struct ui_decision ud;
	struct sae_err err;
	const char *confirm = form(r, "confirm");
	char to[64];
	enum MHD_Result ret;
	xmlDocPtr doc;

	memset(&ud, 0, sizeof(ud));
	ud.visa = form(r, "visa");
	ud.comment = form(r, "comment");
	ud.exclude = form_all(r, "exclude", &ud.nexclude);
	if (ud.visa == NULL || ud.visa[strspn(ud.visa, " \t\r\n")] == '\0') {
		ret = message(ui, conn, s, 400, "Visa manquant", "L'approbation "
		    "demande la référence du visa de l'autorité de contrôle.");
		goto out;
	}
	if (confirm == NULL || strcmp(confirm, "1") != 0) {
		/* First the count of what goes, then the real approval. */
		if ((doc = ui_page_confirm(db, s, id, &ud, &err)) == NULL)
			ret = failed(ui, conn, s, &err);
		else
			ret = render(ui, conn, 200, P_DISPOSAL, doc, NULL);
		goto out;
	}
	memset(&dec, 0, sizeof(dec));
	dec.visa = ud.visa;
	dec.comment = ud.comment != NULL && ud.comment[0] != '\0' ?
	    ud.comment : NULL;
	dec.exclude = ud.exclude;
	dec.nexclude = ud.nexclude;
	if (disposal_approve(db, &d->cfg, id, &dec, s->who.name, &err) == -1) {
		ret = failed(ui, conn, s, &err);
		goto out;
	}
	sae_log(LOG_NOTICE, "disposal approve id=%s visa=%s excluded=%zu by=%s "
	    "via=ui", id, dec.visa, dec.nexclude, s->who.name);
	scheduler_wake(d->scheduler);
	snprintf(to, sizeof(to), "/ui/disposals/%s", id);
	ret = redirect(conn, to, NULL);
out:
	free(ud.exclude);
	return ret;
}

static enum MHD_Result
do_reject(struct ui *ui, struct MHD_Connection *conn, sqlite3 *db,
    const struct ui_session *s, const struct ui_req *r, const char *id)
{
	struct sae_err err;
	char to[64];

	if (disposal_reject(db, id, form(r, "reason"), s->who.name,
	    &err) == -1)
		return failed(ui, conn, s, &err);
	sae_log(LOG_NOTICE, "disposal reject id=%s by=%s via=ui", id,
	    s->who.name);
	snprintf(to, sizeof(to), "/ui/disposals/%s", id);
	return redirect(conn, to, NULL);
}

static enum MHD_Result
document(struct ui *ui, struct sae_daemon *d, struct MHD_Connection *conn,
    sqlite3 *db, const struct ui_session *s, const char *id, int bordereau)
{
	struct sae_buf b;
	struct sae_err err;
	enum MHD_Result ret;
	int rc;

	memset(&b, 0, sizeof(b));
	rc = bordereau ? disposal_bordereau(db, &d->cfg, id, &b, &err) :
	    disposal_document(db, id, DISPOSAL_NOTIFICATION, &b, &err);
	if (rc == -1)
		ret = failed(ui, conn, s, &err);
	else
		ret = reply(conn, 200, bordereau ? "text/html; charset=utf-8" :
		    "application/xml", b.data != NULL ? b.data : "", b.len,
		    CSP_DOC, NULL, NULL);
	sae_buf_done(&b);
	return ret;
}

static enum MHD_Result
route(struct ui *ui, struct sae_daemon *d, struct MHD_Connection *conn,
    sqlite3 *db, const struct ui_req *r, const char *method, const char *p)
{
	const char *cookie = MHD_lookup_connection_value(conn,
	    MHD_COOKIE_KIND, UI_COOKIE);
	int post = !strcmp(method, "POST");
	char id[SAE_ID_LEN + 1];
	struct ui_session s;
	struct sae_err err;
	xmlDocPtr doc;

	if (!post && strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return message(ui, conn, NULL, 405, "Méthode refusée",
		    "Cette adresse n'accepte que GET et POST.");
	if (!strcmp(p, "/login"))
		return post ? do_login(ui, conn, db, r) : render(ui, conn, 200,
		    P_LOGIN, ui_page_login(NULL), NULL);
	if (ui_session_find(db, cookie, &s, &err) == -1) {
		if (err.code != SAE_EDENIED)
			return failed(ui, conn, NULL, &err);
		return redirect(conn, "/ui/login", NULL);
	}
	if (post) {
		/* Every form carries the session's token: a form posted
		 * from another site cannot. */
		if (!ui_csrf_ok(&s, form(r, "csrf"))) {
			sae_log(LOG_NOTICE, "ui csrf name=%s url=%s "
			    "outcome=denied", s.who.name, p);
			return message(ui, conn, &s, 403, "Formulaire refusé",
			    "Ce formulaire n'a pas été émis par cette session "
			    "(jeton anti-falsification absent ou faux). "
			    "Rechargez la page et recommencez.");
		}
		if (!strcmp(p, "/logout")) {
			if (ui_session_end(db, cookie, &err) == -1)
				return failed(ui, conn, &s, &err);
			sae_log(LOG_INFO, "ui logout name=%s", s.who.name);
			return redirect(conn, "/ui/login", UI_COOKIE "=; "
			    "Path=/ui; Max-Age=0; HttpOnly; SameSite=Strict");
		}
		if (s.who.role != ROLE_ARCHIVIST)
			return message(ui, conn, &s, 403, "Action refusée",
			    "Seul un archiviste peut approuver ou rejeter un "
			    "bordereau d'élimination.");
		if (disposal_path(p, "/approve", id))
			return do_approve(ui, d, conn, db, &s, r, id);
		if (disposal_path(p, "/reject", id))
			return do_reject(ui, conn, db, &s, r, id);
		return message(ui, conn, &s, 404, "Introuvable",
		    "Aucune action à cette adresse.");
	}
	doc = NULL;
	if (!strcmp(p, "/"))
		doc = ui_page_dashboard(db, &s, &err);
	else if (!strcmp(p, "/disposals"))
		doc = ui_page_disposals(db, &s, &err);
	else if (disposal_path(p, "", id))
		doc = ui_page_disposal(db, &s, id, &err);
	else if (disposal_path(p, "/bordereau", id))
		return document(ui, d, conn, db, &s, id, 1);
	else if (disposal_path(p, "/notification", id))
		return document(ui, d, conn, db, &s, id, 0);
	else
		return message(ui, conn, &s, 404, "Introuvable",
		    "Cette page n'existe pas.");
	if (doc == NULL)
		return failed(ui, conn, &s, &err);
	return render(ui, conn, 200, !strcmp(p, "/") ? P_DASHBOARD :
	    !strcmp(p, "/disposals") ? P_DISPOSALS : P_DISPOSAL, doc, NULL);
}

enum MHD_Result
ui_request(struct ui *ui, struct sae_daemon *d, struct MHD_Connection *conn,
    struct ui_req *r, const char *method, const char *url,
    const char *upload, size_t *upload_size)
{
	const char *p = url + 3;	/* after "/ui" */
	struct sae_err err;
	enum MHD_Result ret;
	sqlite3 *db;

	if (!r->started) {
		r->started = 1;
		if (!strcmp(method, "POST"))
			r->pp = MHD_create_post_processor(conn, 4096, on_field,
			    r);
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (r->pp != NULL && !r->too_big &&
		    MHD_post_process(r->pp, upload, *upload_size) != MHD_YES)
			r->too_big = r->too_big ? 1 : 2;
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->pp != NULL) {
		/* Destroying the processor hands over a last value that no
		 * '&' ended. */
		MHD_destroy_post_processor(r->pp);
		r->pp = NULL;
		r->form = 1;
	}
	if (ui == NULL)
		return text(conn, 503, "interface web indisponible : feuilles "
		    "de style absentes ([ui] dir)\n");
	if (*p == '\0')
		return redirect(conn, "/ui/", NULL);
	if (!strcmp(p, "/sae.css"))
		return reply(conn, 200, "text/css; charset=utf-8",
		    ui->css.data != NULL ? ui->css.data : "", ui->css.len,
		    CSP_PAGE, NULL, NULL);
	if (!strcmp(method, "POST") && (!r->form || r->too_big))
		return message(ui, conn, NULL, !r->form ? 415 : 400,
		    "Formulaire illisible", "Un formulaire s'envoie en "
		    "application/x-www-form-urlencoded, en moins de 64 Kio.");
	if ((db = catalog_get(d->catalog, &err)) == NULL) {
		sae_log_err(LOG_ERR, &err, "ui url=%s catalog", url);
		return text(conn, 503, "catalogue indisponible ; réessayez "
		    "plus tard\n");
	}
	ret = route(ui, d, conn, db, r, method, p);
	catalog_put(d->catalog, db);
	return ret;
}
