/*
 * daemon.h: everything a running saed holds, opened in order at start
 * (data directory, catalog, storage offers, schemas, TSA, first DUA table)
 * and closed in reverse.  Shared read-only by the request threads.
 */
#ifndef SAE_DAEMON_H
#define SAE_DAEMON_H

#include <limits.h>
#include <sqlite3.h>

#include "sae/conf.h"
#include "sae/err.h"
#include "sae/ingest.h"

struct sae_daemon {
	struct sae_config	 cfg;
	struct catalog		*catalog;
	struct store		*store;
	struct seda_schemas	*schemas;
	struct tsa		*tsa;
	struct ingest_ctx	 ingest;
	char			 spool[PATH_MAX];	/* DATA/spool */
	struct audit_job	*audits;	/* the background audit, one at a time */
	struct job		*exports;	/* the background export, one at a time */
	struct scheduler	*scheduler;	/* set while it runs; scheduler_wake */
	struct stats_cache	*stats;		/* holdings for the API and dashboard */
};

/**
 * daemon_open(d, data_dir, config_path, err): loads the configuration and
 * opens everything; a missing data directory is created and initialised
 * (TSA keys, catalog, the initial DUA table).  With ${check_only}, stops
 * after the configuration and the schemas are checked.
 */
int	daemon_open(struct sae_daemon *, const char *, const char *, int,
	    struct sae_err *);
void	daemon_close(struct sae_daemon *);

/**
 * daemon_attach_store(d, err): after daemon_catalog_only, opens the
 * storage offers beside a running saed (its temp files are left alone).
 */
int	daemon_attach_store(struct sae_daemon *, struct sae_err *);

/**
 * daemon_attach_schemas(d, err): after daemon_catalog_only, checks and
 * loads the SEDA schemas (to validate a message sae-admin reads).
 */
int	daemon_attach_schemas(struct sae_daemon *, struct sae_err *);

struct ages_stats;
struct placement_stats;
struct ret_defaults;

/** daemon_retention_defaults(cfg, def): [retention] as retention.h wants it. */
void	daemon_retention_defaults(const struct sae_config *,
	    struct ret_defaults *);

/**
 * daemon_recompute(d, db, agent, ages, placement, err): recomputes every
 * unit's age at today's date, then moves the copies the new ages call for.
 * Run at start, by the scheduler, after a DUA import and on demand.  The
 * stats may be NULL.
 */
int	daemon_recompute(struct sae_daemon *, sqlite3 *, const char *,
	    struct ages_stats *, struct placement_stats *, struct sae_err *);

/** daemon_catalog_only(d, data_dir, config_path, err): config + catalog, for sae-admin. */
int	daemon_catalog_only(struct sae_daemon *, const char *, const char *,
	    struct sae_err *);

#endif
