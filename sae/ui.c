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
#include <libxml/xpath.h>
#include <libxslt/documents.h>
#include <libxslt/security.h>
#include <libxslt/transform.h>
#include <libxslt/xsltInternals.h>
#include <libxslt/xsltutils.h>
#include <microhttpd.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sae/buf.h"
#include "sae/catalog.h"
#include "sae/daemon.h"
#include "sae/http.h"
#include "sae/id.h"
#include "sae/log.h"
#include "sae/ui.h"
#include "sae/ui_internal.h"
#include "sae/xmalloc.h"
#include "storage/store.h"

#define LOGIN_COOKIE	"sae_login"	/* the sign-in form's token */
#define FORM_MAX	(8u << 20)	/* fields, or a DUA table sent to Règles */

static const char *const page_files[UI_NPAGES] = {
	"login.xsl", "message.xsl", "dashboard.xsl", "disposals.xsl",
	"disposal.xsl", "review.xsl", "holds.xsl", "units.xsl", "unit.xsl",
	"audits.xsl", "audit.xsl", "rules.xsl"
};

/* Each screen below /ui: its path prefix and handlers. */
static const struct screen {
	const char	*prefix;
	ui_screen_fn	*get, *post;
} screens[] = {
	{ "/disposals",	ui_disposals_get,	ui_disposals_post },
	{ "/review",	ui_review_get,		ui_review_post },
	{ "/holds",	ui_holds_get,		ui_holds_post },
	{ "/units",	ui_units_get,		ui_units_post },
	{ "/objects",	ui_objects_get,		NULL },
	{ "/audits",	ui_audits_get,		ui_audits_post },
	{ "/rules",	ui_rules_get,		ui_rules_post },
};

struct ui {
	xsltStylesheetPtr	 style[UI_NPAGES];
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
	for (i = 0; i < UI_NPAGES; i++) {
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
	for (i = 0; i < UI_NPAGES; i++)
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
    struct MHD_Response *resp, const char *csp, const char *location,
    const char *cookie, const char *filename)
{
	enum MHD_Result ret;
	char disp[512];

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
	MHD_add_response_header(resp, "Content-Security-Policy",
	    csp != NULL ? csp : CSP_PAGE);
	if (location != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION,
		    location);
	if (cookie != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE,
		    cookie);
	/* Our file names are ids and fixed words: no quoting needed. */
	if (filename != NULL && snprintf(disp, sizeof(disp), "attachment; "
	    "filename=\"%s\"", filename) < (int)sizeof(disp))
		MHD_add_response_header(resp,
		    MHD_HTTP_HEADER_CONTENT_DISPOSITION, disp);
	ret = MHD_queue_response(conn, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static struct MHD_Response *
copy_of(const void *data, size_t len)
{
	return MHD_create_response_from_buffer(len, (void *)(uintptr_t)data,
	    MHD_RESPMEM_MUST_COPY);
}

static enum MHD_Result
text(struct MHD_Connection *conn, int status, const char *msg)
{
	return reply(conn, status, "text/plain; charset=utf-8",
	    copy_of(msg, strlen(msg)), NULL, NULL, NULL, NULL);
}

static enum MHD_Result
redirect(struct MHD_Connection *conn, const char *to, const char *cookie)
{
	return reply(conn, 303, "text/plain; charset=utf-8", copy_of("", 0),
	    NULL, to, cookie, NULL);
}

/* Renders ${doc} (freed) with page ${p}'s stylesheet. */
static enum MHD_Result
render(struct ui *ui, struct MHD_Connection *conn, int status,
    enum ui_page p, xmlDocPtr doc, const char *cookie)
{
	xsltTransformContextPtr ctx;
	xmlDocPtr res = NULL;
	xmlChar *out = NULL;
	int len = 0;
	enum MHD_Result ret;

	if (doc == NULL)
		return text(conn, 500, "erreur interne : page vide\n");
	/* Numbers the elements in document order, as the parser does for a
	 * file, so that XPath need not walk the tree to sort node sets. */
	xmlXPathOrderDocElems(doc);
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
	ret = reply(conn, status, "text/html; charset=utf-8", copy_of(out,
	    (size_t)len), NULL, NULL, cookie, NULL);
	xmlFree(out);
	return ret;
}

enum MHD_Result
ui_render(const struct ui_call *c, int status, enum ui_page p, xmlDocPtr doc)
{
	return render(c->ui, c->conn, status, p, doc, NULL);
}

enum MHD_Result
ui_message(const struct ui_call *c, int status, const char *title,
    const char *msg)
{
	return render(c->ui, c->conn, status, UI_MESSAGE,
	    ui_page_message(c->s, status, title, msg), NULL);
}

enum MHD_Result
ui_failed(const struct ui_call *c, const struct sae_err *err)
{
	int status = sae_err_http(err->code);

	if (status >= 500)
		sae_log_err(LOG_ERR, err, "ui");
	return ui_message(c, status, status == 404 ? "Introuvable" :
	    status >= 500 ? "Erreur du serveur" : "Action refusée", err->msg);
}

enum MHD_Result
ui_redirect(const struct ui_call *c, const char *to)
{
	return redirect(c->conn, to, NULL);
}

enum MHD_Result
ui_send(const struct ui_call *c, const char *type, const void *data,
    size_t len, const char *csp, const char *filename)
{
	return reply(c->conn, 200, type, copy_of(data, len), csp, NULL, NULL,
	    filename);
}

enum MHD_Result
ui_send_fd(const struct ui_call *c, const char *type, int fd, uint64_t size,
    const char *filename)
{
	struct MHD_Response *resp;

	/* MHD reads from the fd's offset 0 plus the given offset: pass the
	 * current one. */
	resp = MHD_create_response_from_fd_at_offset64(size, fd,
	    (uint64_t)lseek(fd, 0, SEEK_CUR));
	if (resp == NULL) {
		close(fd);
		return text(c->conn, 500, "erreur interne : envoi du fichier\n");
	}
	return reply(c->conn, 200, type, resp, NULL, NULL, NULL, filename);
}

enum MHD_Result
ui_send_reader(const struct ui_call *c, const char *type,
    struct store_reader *r, uint64_t size, const char *filename)
{
	struct MHD_Response *resp = http_reader_response(r, size);

	if (resp == NULL) {
		store_reader_free(r);
		return text(c->conn, 500, "erreur interne : envoi de l'objet\n");
	}
	return reply(c->conn, 200, type, resp, NULL, NULL, NULL, filename);
}

const char *
ui_form(const struct ui_call *c, const char *key)
{
	return form(c->r, key);
}

const char **
ui_form_all(const struct ui_call *c, const char *key, size_t *n)
{
	return form_all(c->r, key, n);
}

const char *
ui_arg(const struct ui_call *c, const char *key)
{
	return MHD_lookup_connection_value(c->conn, MHD_GET_ARGUMENT_KIND,
	    key);
}

int
ui_id(const char *rest, const char *suffix, char id[SAE_ID_LEN + 1])
{
	if (rest[0] != '/' || strlen(rest + 1) < SAE_ID_LEN ||
	    strcmp(rest + 1 + SAE_ID_LEN, suffix) != 0)
		return 0;
	memcpy(id, rest + 1, SAE_ID_LEN);
	id[SAE_ID_LEN] = '\0';
	return sae_id_valid(id);
}

int
ui_blank(const char *v)
{
	return v == NULL || v[strspn(v, " \t\r\n")] == '\0';
}

/* A token of ours: 64 lowercase hex digits. */
static int
hex64(const char *v)
{
	return v != NULL && strlen(v) == 64 && strspn(v, "0123456789abcdef") ==
	    64;
}

/*
 * The sign-in page.  Its form has an anti-forgery token of its own, as
 * there is no session yet: a random value both in a cookie that only
 * /ui/login receives and in the form (double submit).  A page of another
 * site can post to /ui/login, but can neither read that cookie nor set it.
 */
static enum MHD_Result
login_page(struct ui *ui, struct MHD_Connection *conn, int status,
    const char *error)
{
	const char *have = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND,
	    LOGIN_COOKIE);
	unsigned char rnd[32];
	char tok[65], set[192];

	if (hex64(have))
		snprintf(tok, sizeof(tok), "%s", have);
	else {
		if (RAND_bytes(rnd, sizeof(rnd)) != 1)
			return text(conn, 500, "erreur interne : aléa "
			    "indisponible\n");
		sae_hex(tok, rnd, sizeof(rnd));
	}
	snprintf(set, sizeof(set), LOGIN_COOKIE "=%s; Path=/ui/login; "
	    "Max-Age=3600; HttpOnly; SameSite=Strict%s", tok, ui->secure ?
	    "; Secure" : "");
	return render(ui, conn, status, UI_LOGIN, ui_page_login(error, tok),
	    set);
}

static enum MHD_Result
do_login(struct ui *ui, struct MHD_Connection *conn, sqlite3 *db,
    const struct ui_req *r)
{
	const char *tok = form(r, "token"), *csrf = form(r, "csrf");
	const char *want = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND,
	    LOGIN_COOKIE);
	struct ui_call c = { ui, NULL, conn, db, NULL, r, "" };
	struct token_info who;
	struct sae_err err;
	char cookie[65], set[256];

	if (!hex64(want) || !hex64(csrf) || CRYPTO_memcmp(want, csrf, 64) != 0) {
		sae_log(LOG_NOTICE, "ui login outcome=denied reason='no or "
		    "wrong anti-forgery token'");
		return login_page(ui, conn, 403, "Ce formulaire de connexion "
		    "n'a pas été émis par cette page, ou il a expiré : "
		    "saisissez à nouveau votre jeton.");
	}
	while (tok != NULL && (*tok == ' ' || *tok == '\t'))
		tok++;
	if (tok == NULL || *tok == '\0')
		return login_page(ui, conn, 400, "Saisissez votre jeton "
		    "d'accès.");
	if (token_check(db, tok, &who, &err) == -1) {
		if (err.code != SAE_EDENIED)
			return ui_failed(&c, &err);
		sae_log(LOG_INFO, "ui login outcome=denied reason='unknown "
		    "token'");
		return login_page(ui, conn, 401, "Jeton inconnu ou révoqué.");
	}
	if (who.role == ROLE_PRODUCER) {
		sae_log(LOG_INFO, "ui login name=%s role=producer "
		    "outcome=denied", who.name);
		return login_page(ui, conn, 403, "Un jeton de producteur "
		    "(application versante) ne donne pas accès à l'interface : "
		    "connectez-vous avec un jeton d'archiviste, d'auditeur ou "
		    "d'administrateur.");
	}
	if (ui_session_create(db, &who, cookie, &err) == -1)
		return ui_failed(&c, &err);
	snprintf(set, sizeof(set), UI_COOKIE "=%s; Path=/ui; Max-Age=%d; "
	    "HttpOnly; SameSite=Strict%s", cookie, UI_SESSION_SECONDS,
	    ui->secure ? "; Secure" : "");
	sae_log(LOG_INFO, "ui login name=%s role=%s outcome=ok", who.name,
	    token_role_name(who.role));
	return redirect(conn, "/ui/", set);
}

/* The screen whose prefix ${p} is or starts with ("/units", "/units/..."). */
static const struct screen *
screen_of(const char *p, const char **rest)
{
	size_t i, n;

	for (i = 0; i < sizeof(screens) / sizeof(screens[0]); i++) {
		n = strlen(screens[i].prefix);
		if (strncmp(p, screens[i].prefix, n) == 0 &&
		    (p[n] == '\0' || p[n] == '/')) {
			*rest = p + n;
			return &screens[i];
		}
	}
	return NULL;
}

static enum MHD_Result
route(struct ui *ui, struct sae_daemon *d, struct MHD_Connection *conn,
    sqlite3 *db, const struct ui_req *r, const char *method, const char *p)
{
	const char *cookie = MHD_lookup_connection_value(conn,
	    MHD_COOKIE_KIND, UI_COOKIE);
	int post = !strcmp(method, "POST");
	const struct screen *sc;
	struct ui_session s;
	struct ui_call c = { ui, d, conn, db, NULL, r, "" };
	struct sae_err err;

	if (!post && strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return ui_message(&c, 405, "Méthode refusée",
		    "Cette adresse n'accepte que GET et POST.");
	if (!strcmp(p, "/login"))
		return post ? do_login(ui, conn, db, r) : login_page(ui, conn,
		    200, NULL);
	if (ui_session_find(db, cookie, &s, &err) == -1) {
		if (err.code != SAE_EDENIED)
			return ui_failed(&c, &err);
		return redirect(conn, "/ui/login", NULL);
	}
	c.s = &s;
	if (post) {
		/* Every form carries the session's token: a form posted
		 * from another site cannot. */
		if (!ui_csrf_ok(&s, form(r, "csrf"))) {
			sae_log(LOG_NOTICE, "ui csrf name=%s url=%s "
			    "outcome=denied", s.who.name, p);
			return ui_message(&c, 403, "Formulaire refusé",
			    "Ce formulaire n'a pas été émis par cette session "
			    "(jeton anti-falsification absent ou faux). "
			    "Rechargez la page et recommencez.");
		}
		if (!strcmp(p, "/logout")) {
			if (ui_session_end(db, cookie, &err) == -1)
				return ui_failed(&c, &err);
			sae_log(LOG_INFO, "ui logout name=%s", s.who.name);
			return redirect(conn, "/ui/login", UI_COOKIE "=; "
			    "Path=/ui; Max-Age=0; HttpOnly; SameSite=Strict");
		}
	} else if (!strcmp(p, "/")) {
		xmlDocPtr doc = ui_page_dashboard(d, db, &s, &err);

		return doc != NULL ? ui_render(&c, 200, UI_DASHBOARD, doc) :
		    ui_failed(&c, &err);
	}
	if ((sc = screen_of(p, &c.rest)) == NULL || (post && sc->post == NULL))
		return ui_message(&c, 404, "Introuvable", post ? "Aucune action "
		    "à cette adresse." : "Cette page n'existe pas.");
	return post ? sc->post(&c) : sc->get(&c);
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
		    copy_of(ui->css.data != NULL ? ui->css.data : "",
		    ui->css.len), NULL, NULL, NULL, NULL);
	if (!strcmp(method, "POST") && (!r->form || r->too_big))
		return render(ui, conn, !r->form ? 415 : 400, UI_MESSAGE,
		    ui_page_message(NULL, !r->form ? 415 : 400,
		    "Formulaire illisible", "Un formulaire s'envoie en "
		    "application/x-www-form-urlencoded ou multipart/form-data, "
		    "en moins de 8 Mio."), NULL);
	if ((db = catalog_get(d->catalog, &err)) == NULL) {
		sae_log_err(LOG_ERR, &err, "ui url=%s catalog", url);
		return text(conn, 503, "catalogue indisponible ; réessayez "
		    "plus tard\n");
	}
	ret = route(ui, d, conn, db, r, method, p);
	catalog_put(d->catalog, db);
	return ret;
}
