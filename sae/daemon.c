/*
 * daemon.c: opening and closing what a running saed holds, in an order
 * where each step can rely on the ones before: configuration, data
 * directory, schemas (checked against their recorded SHA-256), TSA,
 * catalog, first DUA table, storage offers, the TSA certificate's upkeep.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policies/retention.h"
#include "sae/ages.h"
#include "sae/audit.h"
#include "sae/job.h"
#include "sae/catalog.h"
#include "sae/daemon.h"
#include "sae/fsutil.h"
#include "sae/log.h"
#include "sae/placement.h"
#include "sae/rules.h"
#include "sae/seal.h"
#include "sae/stats.h"
#include "sae/tsa.h"
#include "sae/xmalloc.h"
#include "seda/seda.h"
#include "storage/store.h"

/* seda/schemas.sha256, compiled in: the schemas cannot be swapped unseen. */
static const char schemas_sums[] =
#include "sae/schemas_sums.h"
;

static int
open_catalog(struct sae_daemon *d, int *created, struct sae_err *err)
{
	char path[PATH_MAX];

	if (sae_fs_mkdirp(d->cfg.data_dir, 0700, err) == -1)
		return -1;
	if (sae_path(path, sizeof(path), "%s/catalog.db", d->cfg.data_dir))
		return sae_err_set(err, SAE_EINVAL, "data directory path too "
		    "long");
	return catalog_open(&d->catalog, path, created, err);
}

static int
first_rules(struct sae_daemon *d, struct sae_err *err)
{
	struct sae_buf csv = SAE_BUF_INIT;
	sqlite3 *db;
	int rc;

	if (sae_fs_read(d->cfg.initial_rules, &csv, 64u << 20, err) == -1) {
		sae_err_prefix(err, "initial DUA table ([rules] initial)");
		return -1;
	}
	if ((db = catalog_get(d->catalog, err)) == NULL) {
		sae_buf_done(&csv);
		return -1;
	}
	rc = rules_import(db, csv.data ? csv.data : "", csv.len,
	    d->cfg.initial_rules, "system", NULL, err);
	catalog_put(d->catalog, db);
	sae_buf_done(&csv);
	return rc;
}

/* Removes the plain files of a directory. */
static void
remove_flat_dir_files(const char *dir)
{
	struct dirent *de;
	char path[PATH_MAX];
	DIR *dp;

	if ((dp = opendir(dir)) == NULL)
		return;
	while ((de = readdir(dp)) != NULL)
		if (de->d_name[0] != '.' && sae_path(path, sizeof(path),
		    "%s/%s", dir, de->d_name) == 0)
			unlink(path);
	closedir(dp);
}

static int
open_store(struct sae_daemon *d, int shared, struct sae_err *err)
{
	struct store_offer_conf oc[SAE_MAX_OFFERS];
	char paths[SAE_MAX_OFFERS][PATH_MAX];
	size_t i;

	for (i = 0; i < d->cfg.noffers; i++) {
		if (sae_config_offer_path(&d->cfg, i, paths[i],
		    sizeof(paths[i])) == -1)
			return sae_err_set(err, SAE_EINVAL, "offer '%s': path "
			    "too long", d->cfg.offers[i].name);
		oc[i].name = d->cfg.offers[i].name;
		oc[i].path = paths[i];
		oc[i].sovereign = d->cfg.offers[i].sovereign;
	}
	if (shared)
		return store_open_shared(&d->store, oc, d->cfg.noffers, err);
	return store_open(&d->store, oc, d->cfg.noffers, err);
}

static int
load_schemas(struct sae_daemon *d, struct sae_err *err)
{
	if (seda_schemas_check(d->cfg.schemas_dir, schemas_sums, err) == -1) {
		sae_err_prefix(err, "SEDA schemas in '%s' ([seda] schemas)",
		    d->cfg.schemas_dir);
		return -1;
	}
	return seda_schemas_load(&d->schemas, d->cfg.schemas_dir, err);
}

/* Removes a directory of plain files, such as a half-made TSA. */
static void
remove_flat_dir(const char *dir)
{
	remove_flat_dir_files(dir);
	rmdir(dir);
}

/*
 * The TSA is made in DATA/tsa.new and renamed into place once complete, so
 * that a crash during the first start never leaves a half-made authority
 * that the next start would refuse.
 */
static int
open_tsa(struct sae_daemon *d, const char *dir, int *created,
    struct sae_err *err)
{
	struct tsa_conf tc;
	char fresh[PATH_MAX];

	memset(&tc, 0, sizeof(tc));
	tc.policy_oid = d->cfg.tsa_policy;
	tc.name = "sae TSA";
	tc.validity_days = d->cfg.tsa_validity_days;
	tc.dir = dir;
	*created = 0;
	if (sae_fs_exists(dir))
		return tsa_open(&d->tsa, &tc, created, err);
	if (sae_path(fresh, sizeof(fresh), "%s.new", dir) == -1)
		return sae_err_set(err, SAE_EINVAL, "path too long: '%s'", dir);
	remove_flat_dir(fresh);
	tc.dir = fresh;
	if (tsa_open(&d->tsa, &tc, created, err) == -1)
		return -1;
	if (rename(fresh, dir) == -1)
		return sae_err_sys(err, SAE_EIO, "cannot rename '%s' to '%s'",
		    fresh, dir);
	if (sae_fs_fsync_dir(d->cfg.data_dir, err) == -1)
		return -1;
	/* Opened again where it now lives: renewals write there. */
	tsa_free(d->tsa);
	d->tsa = NULL;
	tc.dir = dir;
	return tsa_open(&d->tsa, &tc, NULL, err);
}

/*
 * The TSA certificate journaled, renewed if it expires soon (then a seal
 * at once), before anything is stamped.  A failure is logged, not fatal:
 * the certificate in use is still good, or stamping refuses and says so.
 */
static void
tsa_upkeep(struct sae_daemon *d, int created)
{
	struct sae_err err;
	sqlite3 *db;

	if ((db = catalog_get(d->catalog, &err)) == NULL) {
		sae_log_err(LOG_ERR, &err, "tsa upkeep");
		return;
	}
	if (seal_tsa_upkeep(db, d->tsa, d->cfg.tsa_renew_days, created,
	    "system", &err) == -1)
		sae_log_err(LOG_ERR, &err, "tsa upkeep");
	catalog_put(d->catalog, db);
}

void
daemon_retention_defaults(const struct sae_config *cfg,
    struct ret_defaults *def)
{
	def->current_duration = cfg->current_duration;
	def->current_measure = (enum dua_measure)cfg->current_measure;
}

int
daemon_recompute(struct sae_daemon *d, sqlite3 *db, const char *agent,
    struct ages_stats *as, struct placement_stats *ps, struct sae_err *err)
{
	struct ret_defaults def;
	char today[11];

	ages_today(today);
	daemon_retention_defaults(&d->cfg, &def);
	if (ages_recompute(db, today, agent, &def, as, err) == -1)
		return -1;
	return placement_reconcile(db, d->store, &d->cfg, NULL, agent, ps,
	    err);
}

/* Ages depend on the date: whatever happened while saed was stopped. */
static int
recompute_ages(struct sae_daemon *d, struct sae_err *err)
{
	struct ages_stats st;
	struct placement_stats ps;
	sqlite3 *db;
	int rc;

	if ((db = catalog_get(d->catalog, err)) == NULL)
		return -1;
	rc = daemon_recompute(d, db, "system", &st, &ps, err);
	catalog_put(d->catalog, db);
	if (rc == 0)
		sae_log(LOG_NOTICE, "ages units=%zu changed=%zu age_changes=%zu "
		    "copies_added=%zu copies_removed=%zu placement_failed=%zu",
		    st.units, st.changed, st.age_changes, ps.added, ps.removed,
		    ps.failed);
	return rc;
}

int
daemon_open(struct sae_daemon *d, const char *data_dir,
    const char *config_path, int check_only, struct sae_err *err)
{
	char tsadir[PATH_MAX];
	int created = 0, tsa_created = 0;

	memset(d, 0, sizeof(*d));
	if (sae_config_load(&d->cfg, data_dir, config_path, err) == -1)
		return -1;
	sae_log_level = d->cfg.log_level;
	if (load_schemas(d, err) == -1)
		goto fail;
	if (check_only)
		return 0;
	if (sae_fs_mkdirp(d->cfg.data_dir, 0700, err) == -1)
		goto fail;
	if (sae_path(tsadir, sizeof(tsadir), "%s/tsa", d->cfg.data_dir) ||
	    sae_path(d->spool, sizeof(d->spool), "%s/spool", d->cfg.data_dir)) {
		sae_err_set(err, SAE_EINVAL, "data directory path too long");
		goto fail;
	}
	if (sae_fs_mkdirp(d->spool, 0700, err) == -1)
		goto fail;
	/* Uploads spooled by a previous run were never acknowledged. */
	remove_flat_dir_files(d->spool);
	if (open_tsa(d, tsadir, &tsa_created, err) == -1)
		goto fail;
	if (tsa_created)
		sae_log(LOG_NOTICE, "tsa created dir=%s cert-sha256=%s", tsadir,
		    tsa_cert_sha256(d->tsa));
	if (open_catalog(d, &created, err) == -1)
		goto fail;
	if (created) {
		sae_log(LOG_NOTICE, "catalog created data=%s", d->cfg.data_dir);
		if (first_rules(d, err) == -1)
			goto fail;
	}
	if (open_store(d, 0, err) == -1)
		goto fail;
	tsa_upkeep(d, tsa_created);
	if (recompute_ages(d, err) == -1)
		goto fail;
	d->ingest.cfg = &d->cfg;
	d->ingest.catalog = d->catalog;
	d->ingest.store = d->store;
	d->ingest.schemas = d->schemas;
	d->ingest.tsa = d->tsa;
	d->audits = audit_job_new(d->catalog, d->store, d->cfg.data_dir);
	d->exports = job_new("export");
	d->stats = stats_cache_new();
	return 0;
fail:
	daemon_close(d);
	return -1;
}

int
daemon_catalog_only(struct sae_daemon *d, const char *data_dir,
    const char *config_path, struct sae_err *err)
{
	int created = 0;

	memset(d, 0, sizeof(*d));
	if (sae_config_load(&d->cfg, data_dir, config_path, err) == -1)
		return -1;
	if (open_catalog(d, &created, err) == -1) {
		daemon_close(d);
		return -1;
	}
	if (created && first_rules(d, err) == -1) {
		daemon_close(d);
		return -1;
	}
	return 0;
}

int
daemon_attach_store(struct sae_daemon *d, struct sae_err *err)
{
	return open_store(d, 1, err);
}

int
daemon_attach_schemas(struct sae_daemon *d, struct sae_err *err)
{
	return load_schemas(d, err);
}

void
daemon_close(struct sae_daemon *d)
{
	/* A running audit reads the store and the catalog: first. */
	audit_job_free(d->audits);
	job_free(d->exports);
	stats_cache_free(d->stats);
	store_free(d->store);
	catalog_close(d->catalog);
	tsa_free(d->tsa);
	seda_schemas_free(d->schemas);
	sae_config_done(&d->cfg);
	memset(d, 0, sizeof(*d));
}
