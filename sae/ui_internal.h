/*
 * ui_internal.h: what the files of the web interface share.  ui.c owns
 * the request (forms, cookie, CSRF, routing, rendering); ui_session.c the
 * sessions; ui_pages.c the helpers that build a page's XML document, the
 * dashboard and the disposal pages; each other screen has its file
 * (ui_disposals.c, ui_review.c, ui_holds.c, ui_units.c, ui_audits.c,
 * ui_rules.c) with its GET and POST handlers.
 */
#ifndef SAE_UI_INTERNAL_H
#define SAE_UI_INTERNAL_H

#include <jansson.h>
#include <libxml/tree.h>
#include <microhttpd.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "sae/err.h"
#include "sae/id.h"
#include "sae/token.h"

/* libxml2 wants its strings as xmlChar. */
#define X(s)	((const xmlChar *)(s))

#define UI_SESSION_SECONDS	(8 * 3600)
#define UI_COOKIE		"sae_session"

struct sae_daemon;
struct store_reader;
struct ui;
struct ui_req;

struct ui_session {
	struct token_info	who;
	char			csrf[65];	/* what forms must send back */
};

/**
 * ui_session_create(db, who, cookie, err): a new session for token
 * ${who}: 32 random bytes, whose hex goes to ${cookie} (only its SHA-256
 * is stored), valid UI_SESSION_SECONDS.  Expired sessions are purged.
 */
int	ui_session_create(sqlite3 *, const struct token_info *, char[65],
	    struct sae_err *);

/**
 * ui_session_find(db, cookie, s, err): the live session ${cookie} with
 * its token (not revoked) and CSRF token.  SAE_EDENIED when unknown or
 * expired.
 */
int	ui_session_find(sqlite3 *, const char *, struct ui_session *,
	    struct sae_err *);

/** ui_session_end(db, cookie, err): ends the session (none: no error). */
int	ui_session_end(sqlite3 *, const char *, struct sae_err *);

/** ui_csrf_ok(s, token): whether ${token} is ${s}'s CSRF token. */
int	ui_csrf_ok(const struct ui_session *, const char *);

/* The pages, one stylesheet each (ui/NAME.xsl, loaded by ui_open). */
enum ui_page {
	UI_LOGIN, UI_MESSAGE, UI_DASHBOARD, UI_DISPOSALS, UI_DISPOSAL,
	UI_REVIEW, UI_HOLDS, UI_UNITS, UI_UNIT, UI_AUDITS, UI_AUDIT,
	UI_RULES, UI_NPAGES
};

/*
 * One request of a signed-in user, as a screen sees it.  ${rest} is the
 * path after the screen's prefix: "" for "/units", "/ID" or "/ID/proof"
 * below it.  For a POST the CSRF token has been checked already; the
 * screen checks the role.
 */
struct ui_call {
	struct ui		*ui;
	struct sae_daemon	*d;
	struct MHD_Connection	*conn;
	sqlite3			*db;
	const struct ui_session	*s;
	const struct ui_req	*r;
	const char		*rest;
};

typedef enum MHD_Result ui_screen_fn(const struct ui_call *);

/* The screens' handlers (NULL-free: each screen has both, a POST it does
 * not take answers 404 itself). */
ui_screen_fn	ui_disposals_get, ui_disposals_post;
ui_screen_fn	ui_review_get, ui_review_post;
ui_screen_fn	ui_holds_get, ui_holds_post;
ui_screen_fn	ui_units_get, ui_units_post;
ui_screen_fn	ui_objects_get;
ui_screen_fn	ui_audits_get, ui_audits_post;
ui_screen_fn	ui_rules_get, ui_rules_post;

/* Answers, in ui.c. */

/* For documents that carry their own inline style (the bordereau). */
#define UI_CSP_DOC	"default-src 'none'; style-src 'unsafe-inline'; " \
			"frame-ancestors 'none'; base-uri 'none'"

/** ui_render(c, status, page, doc): ${doc} (freed) through ${page}. */
enum MHD_Result	ui_render(const struct ui_call *, int, enum ui_page,
		    xmlDocPtr);
/** ui_message(c, status, title, text): a page with a short message. */
enum MHD_Result	ui_message(const struct ui_call *, int, const char *,
		    const char *);
/** ui_failed(c, err): ${err} as a message page with its HTTP status. */
enum MHD_Result	ui_failed(const struct ui_call *, const struct sae_err *);
/** ui_redirect(c, to): 303 to ${to} (after every successful POST). */
enum MHD_Result	ui_redirect(const struct ui_call *, const char *);
/**
 * ui_send(c, type, data, len, csp, filename): a document of ${len} bytes
 * (copied); ${filename} non-NULL makes it a download (attachment).
 * ${csp} NULL: the pages' policy.
 */
enum MHD_Result	ui_send(const struct ui_call *, const char *, const void *,
		    size_t, const char *, const char *);
/**
 * ui_send_fd(c, type, fd, size, filename): ${size} bytes of ${fd} from
 * its current offset, as a download named ${filename}; ${fd} is closed
 * when sent (or at once on failure).
 */
enum MHD_Result	ui_send_fd(const struct ui_call *, const char *, int,
		    uint64_t, const char *);

/**
 * ui_send_reader(c, type, r, size, filename): ${size} bytes streamed
 * from ${r}, a copy checked whole (copy_open), as the API sends an
 * object; ${r} is freed when sent (or at once on failure).
 */
enum MHD_Result	ui_send_reader(const struct ui_call *, const char *,
		    struct store_reader *, uint64_t, const char *);

/* What the request sent. */

/** ui_form(c, key): the first value of form field ${key}, or NULL. */
const char	*ui_form(const struct ui_call *, const char *);
/** ui_form_all(c, key, n): every non-empty value of ${key} (caller frees
 * the array, not the strings). */
const char	**ui_form_all(const struct ui_call *, const char *, size_t *);
/** ui_arg(c, key): query-string argument ${key}, or NULL. */
const char	*ui_arg(const struct ui_call *, const char *);
/**
 * ui_id(rest, suffix, id): whether ${rest} is "/ID" followed by exactly
 * ${suffix} ("" for none) with a well-formed id, copied to ${id}.
 */
int		 ui_id(const char *, const char *, char[SAE_ID_LEN + 1]);
/** ui_blank(v): whether ${v} is NULL or only white space. */
int		 ui_blank(const char *);

/* Building a page's document, in ui_pages.c.  Text nodes and attributes
 * are escaped when serialized: no value can turn into markup. */

/** ui_doc_new(doc, root, s): a new document with root ${root} and, for a
 * session, <user name role csrf/>; returns the root. */
xmlNodePtr	ui_doc_new(xmlDocPtr *, const char *, const struct ui_session *);
/** ui_prop_int(n, name, v): attribute ${name}="${v}". */
void		ui_prop_int(xmlNodePtr, const char *, long long);
/** ui_scalars(n, o): each string, integer or boolean member of ${o} as a
 * child element of ${n} named by its key, holding its value as text. */
void		ui_scalars(xmlNodePtr, json_t *);

/** ui_page_login(error, csrf): the sign-in form with its own token. */
xmlDocPtr	ui_page_login(const char *, const char *);
xmlDocPtr	ui_page_message(const struct ui_session *, int, const char *,
		    const char *);
xmlDocPtr	ui_page_dashboard(struct sae_daemon *, sqlite3 *,
		    const struct ui_session *, struct sae_err *);
xmlDocPtr	ui_page_disposals(sqlite3 *, const struct ui_session *,
		    struct sae_err *);
/* One page of a disposal list's lines, with the exclusions carried. */
struct ui_lines {
	const char	*after;		/* the page starts after this unit */
	size_t		 limit;
	const char	**exclude;
	size_t		 nexclude;
};

xmlDocPtr	ui_page_disposal(sqlite3 *, const struct ui_session *,
		    const char *, const struct ui_lines *, struct sae_err *);

/* An archivist's decision as the form sent it, before confirmation. */
struct ui_decision {
	const char	*visa;
	const char	*comment;
	const char	**exclude;
	size_t		 nexclude;
};

/**
 * ui_page_confirm(db, s, id, dec, err): the confirmation of an approval:
 * how many units and bytes will be destroyed, with the same fields to
 * post again with confirm=1.  SAE_EINVAL for an excluded unit not on the
 * list.
 */
xmlDocPtr	ui_page_confirm(sqlite3 *, const struct ui_session *,
		    const char *, const struct ui_decision *,
		    struct sae_err *);

#endif
