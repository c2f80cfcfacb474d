/*
 * placement.c: moves stored objects to the offers their units' ages want.
 * For each content: the wanted offers are the union of the placements of
 * the ages of every alive unit that holds it; missing copies are written
 * from a good one and verified (store_copy), then the catalog learns of
 * them; only when every wanted copy exists are the others removed, file
 * first, then the catalog row.  Touches the store and the catalog.
 */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sae/buf.h"
#include "sae/catalog.h"
#include "sae/conf.h"
#include "sae/id.h"
#include "sae/journal.h"
#include "sae/log.h"
#include "sae/placement.h"
#include "sae/xmalloc.h"
#include "storage/store.h"

/* Which placement an age uses: what awaits a decision stays put. */
static enum sae_age_place
place_of(const char *age)
{
	if (age != NULL && strcmp(age, "current") == 0)
		return SAE_PLACE_CURRENT;
	if (age != NULL && strcmp(age, "definitive") == 0)
		return SAE_PLACE_DEFINITIVE;
	return SAE_PLACE_INTERMEDIATE;
}

static int
offer_index(const struct sae_config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->noffers; i++)
		if (strcmp(cfg->offers[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* One content and where it is and should be (bit i: offer i). */
struct content {
	char		sha[65];
	unsigned	want;
	unsigned	have;
	long long	size;
};

static int
journal_copy(sqlite3 *db, const char *type, const char *agent,
    const struct content *c, const char *offer, struct sae_err *err)
{
	char detail[160];

	snprintf(detail, sizeof(detail), "{\"offer\":\"%s\",\"sha256\":"
	    "\"%s\"}", offer, c->sha);
	return journal_commit(db, type, agent, detail, err, "%s de l'objet %s "
	    "sur l'offre '%s'", strcmp(type, "COPY_ADD") == 0 ?
	    "Copie écrite et vérifiée" : "Copie retirée", c->sha, offer);
}

static int
add_copy(sqlite3 *db, struct store *st, const struct sae_config *cfg,
    struct content *c, size_t to, const char *agent, struct sae_err *err)
{
	unsigned char sha[32];
	sqlite3_stmt *ins;
	char now[32];
	size_t from;
	int rc;

	sae_unhex(sha, sizeof(sha), c->sha);
	/* Any copy that reads back whole will do as the source. */
	for (from = 0; from < cfg->noffers; from++)
		if ((c->have & (1u << from)) && store_copy(st,
		    cfg->offers[from].name, cfg->offers[to].name, sha,
		    err) == 0)
			break;
	if (from == cfg->noffers)
		/* With no copy to start from, nothing has said why yet. */
		return c->have != 0 ? -1 : sae_err_set(err, SAE_EIO, "no "
		    "copy of object %s on any offer to copy from", c->sha);
	sae_time_now_iso(now);
	if (catalog_begin(db, err) == -1)
		return -1;
	ins = catalog_prepare(db, "INSERT OR IGNORE INTO copy (sha256, offer, "
	    "size, created, verified) VALUES (?,?,?,?,?)", err);
	if (ins == NULL) {
		catalog_rollback(db);
		return -1;
	}
	catalog_bind_text(ins, 1, c->sha);
	catalog_bind_text(ins, 2, cfg->offers[to].name);
	sqlite3_bind_int64(ins, 3, c->size);
	catalog_bind_text(ins, 4, now);
	catalog_bind_text(ins, 5, now);
	rc = sqlite3_step(ins);
	sqlite3_finalize(ins);
	if (rc != SQLITE_DONE) {
		catalog_rollback(db);
		return catalog_fail(err, db, "copy insert");
	}
	if (journal_copy(db, "COPY_ADD", agent, c, cfg->offers[to].name,
	    err) == -1) {
		catalog_rollback(db);
		return -1;
	}
	c->have |= 1u << to;
	return 0;
}

static int
remove_copy(sqlite3 *db, struct store *st, const struct sae_config *cfg,
    struct content *c, size_t off, const char *agent, struct sae_err *err)
{
	unsigned char sha[32];
	sqlite3_stmt *del;
	int rc;

	sae_unhex(sha, sizeof(sha), c->sha);
	/* The file first: a crash then leaves a row the next run removes,
	 * never a forgotten copy on an offer it must not be on. */
	if (store_delete(st, cfg->offers[off].name, sha, err) == -1)
		return -1;
	if (catalog_begin(db, err) == -1)
		return -1;
	del = catalog_prepare(db, "DELETE FROM copy WHERE sha256 = ? AND "
	    "offer = ?", err);
	if (del == NULL) {
		catalog_rollback(db);
		return -1;
	}
	catalog_bind_text(del, 1, c->sha);
	catalog_bind_text(del, 2, cfg->offers[off].name);
	rc = sqlite3_step(del);
	sqlite3_finalize(del);
	if (rc != SQLITE_DONE) {
		catalog_rollback(db);
		return catalog_fail(err, db, "copy delete");
	}
	if (journal_copy(db, "COPY_REMOVE", agent, c, cfg->offers[off].name,
	    err) == -1) {
		catalog_rollback(db);
		return -1;
	}
	c->have &= ~(1u << off);
	return 0;
}

static int
load(sqlite3 *db, const struct sae_config *cfg, const char *transfer,
    struct content **out, size_t *n, struct sae_err *err)
{
	struct content *v = NULL;
	size_t cap = 0;
	sqlite3_stmt *st;
	size_t i;
	int rc, k;

	*out = NULL;
	*n = 0;
	/* One row per content, age and offer it has (or NULL). */
	st = catalog_prepare(db, "SELECT w.sha256, w.age, c.offer, w.size FROM "
	    "(SELECT DISTINCT o.sha256, u.age, o.size FROM object o JOIN "
	    "unit_group ug ON ug.grp = o.grp JOIN unit u ON u.seq = ug.unit "
	    "WHERE u.state = 'alive' AND o.physical = 0 AND (?1 IS NULL OR "
	    "o.sha256 IN (SELECT sha256 FROM object WHERE transfer = ?1))) w "
	    "LEFT JOIN copy c ON c.sha256 = w.sha256 ORDER BY w.sha256", err);
	if (st == NULL)
		return -1;
	catalog_bind_text(st, 1, transfer);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *sha = catalog_text(st, 0);
		enum sae_age_place p = place_of(catalog_text(st, 1));

		if (*n == 0 || strcmp(v[*n - 1].sha, sha) != 0) {
			if (*n == cap) {
				cap = cap ? cap * 2 : 256;
				v = sae_xreallocarray(v, cap, sizeof(*v));
			}
			memset(&v[*n], 0, sizeof(v[*n]));
			snprintf(v[*n].sha, sizeof(v[*n].sha), "%s", sha);
			v[*n].size = sqlite3_column_int64(st, 3);
			(*n)++;
		}
		for (i = 0; i < cfg->nplacement[p]; i++)
			v[*n - 1].want |= 1u << cfg->placement[p][i];
		if (catalog_text(st, 2) != NULL &&
		    (k = offer_index(cfg, catalog_text(st, 2))) >= 0)
			v[*n - 1].have |= 1u << k;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(v);
		return catalog_fail(err, db, "placement");
	}
	*out = v;
	return 0;
}

int
placement_reconcile(sqlite3 *db, struct store *st,
    const struct sae_config *cfg, const char *transfer, const char *agent,
    struct placement_stats *stats, struct sae_err *err)
{
	struct placement_stats dummy;
	struct content *v;
	struct sae_err one;
	size_t n, i, k;

	if (stats == NULL)
		stats = &dummy;
	memset(stats, 0, sizeof(*stats));
	if (load(db, cfg, transfer, &v, &n, err) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		struct content *c = &v[i];
		int ok = 1;

		stats->objects++;
		if (c->have == c->want)
			continue;
		for (k = 0; k < cfg->noffers && ok; k++)
			if ((c->want & ~c->have) & (1u << k)) {
				if (add_copy(db, st, cfg, c, k, agent,
				    &one) == -1) {
					sae_log_err(LOG_ERR, &one, "placement "
					    "sha256=%s add offer=%s", c->sha,
					    cfg->offers[k].name);
					ok = 0;
				} else
					stats->added++;
			}
		/* Nothing leaves an offer until every wanted copy exists. */
		if (!ok || (c->want & ~c->have) != 0) {
			stats->failed++;
			continue;
		}
		if ((c->have & ~c->want) != 0)
			sae_crashpoint("placement-before-remove");
		for (k = 0; k < cfg->noffers; k++)
			if ((c->have & ~c->want) & (1u << k)) {
				if (remove_copy(db, st, cfg, c, k, agent,
				    &one) == -1) {
					sae_log_err(LOG_ERR, &one, "placement "
					    "sha256=%s remove offer=%s", c->sha,
					    cfg->offers[k].name);
					stats->failed++;
					break;
				}
				stats->removed++;
			}
	}
	free(v);
	return 0;
}
