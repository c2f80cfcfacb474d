/*
 * ui_internal.h: what ui.c, ui_session.c and ui_pages.c share: sessions
 * with their CSRF token, and the builders of each page's XML document.
 */
#ifndef SAE_UI_INTERNAL_H
#define SAE_UI_INTERNAL_H

#include <libxml/tree.h>
#include <sqlite3.h>
#include <stddef.h>

#include "sae/err.h"
#include "sae/token.h"

#define UI_SESSION_SECONDS	(8 * 3600)
#define UI_COOKIE		"sae_session"

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

/* The pages.  Each returns a new document (caller frees) or NULL with
 * ${err} set; ${s} may be NULL on the sign-in and error pages. */
xmlDocPtr	ui_page_login(const char *);
xmlDocPtr	ui_page_message(const struct ui_session *, int, const char *,
		    const char *);
xmlDocPtr	ui_page_dashboard(sqlite3 *, const struct ui_session *,
		    struct sae_err *);
xmlDocPtr	ui_page_disposals(sqlite3 *, const struct ui_session *,
		    struct sae_err *);
xmlDocPtr	ui_page_disposal(sqlite3 *, const struct ui_session *,
		    const char *, struct sae_err *);

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
