/*
 * copies.c: the first intact copy of an object among those the catalog
 * records.  A copy is read whole once (store_verify) before a reader is
 * handed out, so that no caller sends or packs bytes it would have to
 * take back; the reader checks the digest again at its end, for a copy
 * that changes in between.
 */
#include "config.h"

#include <stdio.h>

#include "sae/catalog.h"
#include "sae/copies.h"
#include "sae/buf.h"
#include "sae/log.h"
#include "storage/store.h"

int
copy_open(sqlite3 *db, struct store *st, const char *sha256, const char *what,
    struct store_reader **r, char offer[64], struct sae_err *err)
{
	unsigned char sha[32];
	sqlite3_stmt *cs;
	struct sae_err e;
	int rc, tried = 0;

	*r = NULL;
	if (sha256 == NULL || sae_unhex(sha, sizeof(sha), sha256) != 32)
		return sae_err_set(err, SAE_ECORRUPT, "%s has no valid digest "
		    "in the catalog", what);
	if ((cs = catalog_prepare(db, "SELECT offer FROM copy WHERE sha256 = ? "
	    "ORDER BY offer", err)) == NULL)
		return -1;
	catalog_bind_text(cs, 1, sha256);
	snprintf(e.msg, sizeof(e.msg), "no copy is recorded");
	while ((rc = sqlite3_step(cs)) == SQLITE_ROW) {
		const char *o = catalog_text(cs, 0);

		tried++;
		if (store_verify(st, o, sha, NULL, &e) == 0 &&
		    store_reader_open(r, st, o, sha, &e) == 0) {
			snprintf(offer, 64, "%s", o);
			sqlite3_finalize(cs);
			return 0;
		}
		*r = NULL;
		sae_log_err(LOG_ERR, &e, "%s offer=%s copy unusable", what, o);
		sae_err_prefix(&e, "offer '%s'", o);
	}
	sqlite3_finalize(cs);
	if (rc != SQLITE_DONE)
		return catalog_fail(err, db, "copies");
	return sae_err_set(err, SAE_ECORRUPT, "no intact copy of %s (sha256 "
	    "%s): %d cop%s tried; last: %s", what, sha256, tried, tried == 1 ?
	    "y" : "ies", e.msg);
}
