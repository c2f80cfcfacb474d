/*
 * ui.h: the web interface for archivists and auditors, served under /ui
 * on the API's port.  Pages are XSLT stylesheets (libxslt) applied to XML
 * documents built with the libxml2 tree API, so every value is escaped by
 * construction.  Sign-in turns an API token into a session cookie.
 */
#ifndef SAE_UI_H
#define SAE_UI_H

#include <microhttpd.h>
#include <stddef.h>

#include "sae/err.h"

struct sae_config;
struct sae_daemon;
struct ui;
struct ui_req;

/**
 * ui_open(ui, cfg, err): compiles the stylesheets of [ui] dir once; the
 * result is shared read-only by the request threads.  SAE_EIO when a
 * stylesheet is missing or does not compile (saed then answers 503 under
 * /ui and serves the API as before).  ui_close(NULL) does nothing.
 */
int	ui_open(struct ui **, const struct sae_config *, struct sae_err *);
void	ui_close(struct ui *);

/** ui_path(url): whether ${url} is /ui or under /ui/. */
int	ui_path(const char *);

/** ui_req_new(): per-request state (caller frees with ui_req_free). */
struct ui_req	*ui_req_new(void);
void		 ui_req_free(struct ui_req *);

/**
 * ui_request(ui, d, conn, r, method, url, upload, upload_size): the MHD
 * access handler for a /ui request, called as MHD calls http.c's: bodies
 * (forms) are taken in, then the page is answered.  ${ui} may be NULL.
 */
enum MHD_Result	ui_request(struct ui *, struct sae_daemon *,
		    struct MHD_Connection *, struct ui_req *, const char *,
		    const char *, const char *, size_t *);

#endif
