/*
 * ui_disposals.c: the "Éliminations" screen: the lists, one list with its
 * lines, the approval (after a confirmation page that counts what goes)
 * or the rejection, and the bordereau and notification to download.
 * A long list comes a page at a time; while the archivist decides, pages
 * are turned by posting the form, so that exclusions travel with it.
 * Decisions go through disposal.c as the API's do, under the signed-in
 * token's name.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sae/buf.h"
#include "sae/daemon.h"
#include "sae/disposal.h"
#include "sae/log.h"
#include "sae/scheduler.h"
#include "sae/ui_internal.h"

/* The exclusions a form sent, each once (a page can send one twice: as
 * its checkbox and as carried from another page). */
static const char **
exclusions(const struct ui_call *c, size_t *n)
{
	const char **v = ui_form_all(c, "exclude", n);
	size_t i, j, k = 0;

	for (i = 0; i < *n; i++) {
		for (j = 0; j < k && strcmp(v[j], v[i]) != 0; j++)
			;
		if (j == k)
			v[k++] = v[i];
	}
	*n = k;
	return v;
}

static enum MHD_Result
approve(const struct ui_call *c, const char *id)
{
	struct disposal_decision dec;
	struct ui_decision ud;
	struct sae_err err;
	const char *confirm = ui_form(c, "confirm");
	char to[64];
	enum MHD_Result ret;
	xmlDocPtr doc;

	memset(&ud, 0, sizeof(ud));
	ud.visa = ui_form(c, "visa");
	ud.comment = ui_form(c, "comment");
	ud.exclude = exclusions(c, &ud.nexclude);
	if (ui_blank(ud.visa)) {
		ret = ui_message(c, 400, "Visa manquant", "L'approbation "
		    "demande la référence du visa de l'autorité de contrôle.");
		goto out;
	}
	if (confirm == NULL || strcmp(confirm, "1") != 0) {
		/* First the count of what goes, then the real approval. */
		if ((doc = ui_page_confirm(c->db, c->s, id, &ud, &err)) == NULL)
			ret = ui_failed(c, &err);
		else
			ret = ui_render(c, 200, UI_DISPOSAL, doc);
		goto out;
	}
	memset(&dec, 0, sizeof(dec));
	dec.visa = ud.visa;
	dec.comment = ud.comment != NULL && ud.comment[0] != '\0' ?
	    ud.comment : NULL;
	dec.exclude = ud.exclude;
	dec.nexclude = ud.nexclude;
	if (disposal_approve(c->db, &c->d->cfg, id, &dec, c->s->who.name,
	    &err) == -1) {
		ret = ui_failed(c, &err);
		goto out;
	}
	sae_log(LOG_NOTICE, "disposal approve id=%s visa=%s excluded=%zu by=%s "
	    "via=ui", id, dec.visa, dec.nexclude, c->s->who.name);
	scheduler_wake(c->d->scheduler);
	snprintf(to, sizeof(to), "/ui/disposals/%s", id);
	ret = ui_redirect(c, to);
out:
	free(ud.exclude);
	return ret;
}

/* Another page of lines, keeping what was excluded so far. */
static enum MHD_Result
page(const struct ui_call *c, const char *id)
{
	struct ui_lines pg;
	struct sae_err err;
	enum MHD_Result ret;
	xmlDocPtr doc;

	memset(&pg, 0, sizeof(pg));
	pg.after = ui_blank(ui_form(c, "after")) ? NULL : ui_form(c, "after");
	pg.limit = (size_t)c->d->cfg.ui_lines;
	pg.exclude = exclusions(c, &pg.nexclude);
	doc = ui_page_disposal(c->db, c->s, id, &pg, &err);
	ret = doc != NULL ? ui_render(c, 200, UI_DISPOSAL, doc) :
	    ui_failed(c, &err);
	free(pg.exclude);
	return ret;
}

static enum MHD_Result
reject(const struct ui_call *c, const char *id)
{
	struct sae_err err;
	char to[64];

	if (disposal_reject(c->db, id, ui_form(c, "reason"), c->s->who.name,
	    &err) == -1)
		return ui_failed(c, &err);
	sae_log(LOG_NOTICE, "disposal reject id=%s by=%s via=ui", id,
	    c->s->who.name);
	snprintf(to, sizeof(to), "/ui/disposals/%s", id);
	return ui_redirect(c, to);
}

static enum MHD_Result
document(const struct ui_call *c, const char *id, int bordereau)
{
	struct sae_buf b;
	struct sae_err err;
	enum MHD_Result ret;
	int rc;

	memset(&b, 0, sizeof(b));
	rc = bordereau ? disposal_bordereau(c->db, &c->d->cfg, id, &b, &err) :
	    disposal_document(c->db, id, DISPOSAL_NOTIFICATION, &b, &err);
	if (rc == -1)
		ret = ui_failed(c, &err);
	else
		ret = ui_send(c, bordereau ? "text/html; charset=utf-8" :
		    "application/xml", b.data != NULL ? b.data : "", b.len,
		    UI_CSP_DOC, NULL);
	sae_buf_done(&b);
	return ret;
}

enum MHD_Result
ui_disposals_get(const struct ui_call *c)
{
	char id[SAE_ID_LEN + 1];
	struct ui_lines pg;
	struct sae_err err;
	xmlDocPtr doc;

	memset(&pg, 0, sizeof(pg));
	pg.after = ui_blank(ui_arg(c, "after")) ? NULL : ui_arg(c, "after");
	pg.limit = (size_t)c->d->cfg.ui_lines;
	if (c->rest[0] == '\0')
		doc = ui_page_disposals(c->db, c->s, &err);
	else if (ui_id(c->rest, "", id))
		doc = ui_page_disposal(c->db, c->s, id, &pg, &err);
	else if (ui_id(c->rest, "/bordereau", id))
		return document(c, id, 1);
	else if (ui_id(c->rest, "/notification", id))
		return document(c, id, 0);
	else
		return ui_message(c, 404, "Introuvable",
		    "Cette page n'existe pas.");
	if (doc == NULL)
		return ui_failed(c, &err);
	return ui_render(c, 200, c->rest[0] == '\0' ? UI_DISPOSALS :
	    UI_DISPOSAL, doc);
}

enum MHD_Result
ui_disposals_post(const struct ui_call *c)
{
	char id[SAE_ID_LEN + 1];

	if (c->s->who.role != ROLE_ARCHIVIST)
		return ui_message(c, 403, "Action refusée", "Seul un archiviste "
		    "peut approuver ou rejeter un bordereau d'élimination.");
	if (ui_id(c->rest, "/approve", id))
		return approve(c, id);
	if (ui_id(c->rest, "/reject", id))
		return reject(c, id);
	if (ui_id(c->rest, "/page", id))
		return page(c, id);
	return ui_message(c, 404, "Introuvable",
	    "Aucune action à cette adresse.");
}
