/*
 * scheduler.c: one thread that wakes every few seconds and runs what is
 * due: recomputing ages, moving copies, sealing the journal, starting the
 * audit in the background, the TSA certificate's daily upkeep.  It reads
 * the catalog and writes through ages.c; it never blocks a request for
 * long (one transaction per run).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sae/ages.h"
#include "sae/audit.h"
#include "sae/catalog.h"
#include "sae/daemon.h"
#include "sae/disposal.h"
#include "sae/export_job.h"
#include "sae/fsutil.h"
#include "sae/log.h"
#include "sae/placement.h"
#include "sae/scheduler.h"
#include "sae/seal.h"
#include "sae/stats.h"
#include "sae/xmalloc.h"

#define TICK_SECONDS	5

struct scheduler {
	struct sae_daemon	*d;
	pthread_t		 thread;
	pthread_mutex_t		 lock;
	pthread_cond_t		 wake;
	int			 stop;
	int			 woken;
	char			 last_date[11];
	long long		 last_rules;
	long long		 last_generation;	/* of the ages */
	time_t			 last_seal;
	time_t			 last_tsa;	/* TSA certificate upkeep */
	time_t			 last_run;
	time_t			 audit_retry;	/* no audit started before */
};

static long long
rules_version(sqlite3 *db)
{
	sqlite3_stmt *st;
	long long v = -1;

	if (sqlite3_prepare_v2(db, "SELECT coalesce(max(id), 0) FROM "
	    "rule_version", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/*
 * Disposal lists proposed every disposal_days (the last date kept in the
 * catalog, so that a restart neither repeats nor forgets it), and
 * approved lists carried out when due.
 */
static void
disposals(struct scheduler *s, sqlite3 *db, const char *today)
{
	const struct sae_config *cfg = &s->d->cfg;
	struct sae_err err;
	sqlite3_stmt *st;
	json_t *ids;
	size_t n;
	int due = 0;

	if (cfg->disposal_days > 0 && sqlite3_prepare_v2(db, "SELECT value IS "
	    "NULL OR date(value, '+' || ? || ' days') <= ? FROM (SELECT (SELECT "
	    "value FROM meta WHERE key = 'disposal_proposed') AS value)", -1,
	    &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int(st, 1, cfg->disposal_days);
		sqlite3_bind_text(st, 2, today, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			due = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	if (due) {
		if (disposal_propose(db, cfg, today, "system", &ids,
		    &err) == -1)
			sae_log_err(LOG_ERR, &err, "disposal proposal");
		else {
			sae_log(LOG_INFO, "disposal proposal lists=%zu",
			    json_array_size(ids));
			json_decref(ids);
			if (sqlite3_prepare_v2(db, "INSERT INTO meta VALUES "
			    "('disposal_proposed', ?) ON CONFLICT(key) DO "
			    "UPDATE SET value = excluded.value", -1, &st,
			    NULL) == SQLITE_OK) {
				sqlite3_bind_text(st, 1, today, -1,
				    SQLITE_STATIC);
				sqlite3_step(st);
				sqlite3_finalize(st);
			}
		}
	}
	if (disposal_execute_due(db, s->d->store, s->d->tsa, cfg, "system",
	    &n, &err) == -1)
		sae_log_err(LOG_ERR, &err, "disposal execution");
	else if (n > 0)
		sae_log(LOG_INFO, "disposal destroyed=%zu", n);
}

/*
 * The audit, every audit_days (the date of the last one is kept in the
 * catalog with its journal entry: a restart neither repeats nor forgets
 * it).  It runs in the background; one that failed is tried again an hour
 * later, not at every tick.
 */
static void
audits(struct scheduler *s, sqlite3 *db, const char *today, time_t now)
{
	struct audit_options ao;
	struct sae_err err;
	char id[SAE_ID_LEN + 1];
	int due;

	if (now < s->audit_retry)
		return;
	if ((due = audit_due(db, today, s->d->cfg.audit_days)) <= 0) {
		if (due == -1)
			sae_log(LOG_ERR, "audit schedule: the catalog cannot "
			    "be read");
		return;
	}
	memset(&ao, 0, sizeof(ao));
	ao.sample = s->d->cfg.audit_sample;
	ao.scheduled = 1;
	if (audit_job_start(s->d->audits, &ao, "system", id, &err) == -1) {
		/* Another audit runs (asked through the API): wait for it. */
		if (err.code != SAE_EEXIST)
			sae_log_err(LOG_ERR, &err, "audit run=schedule");
		s->audit_retry = now + 60;
		return;
	}
	sae_log(LOG_INFO, "audit run=schedule id=%s sample=%d", id, ao.sample);
	s->audit_retry = now + 3600;
}

/*
 * Scheduled reversibility exports of everything, every [export] days (the
 * last date kept in the catalog), into [export] directory.
 */
static void
exports(struct scheduler *s, sqlite3 *db, const char *today)
{
	const struct sae_config *cfg = &s->d->cfg;
	char id[SAE_ID_LEN + 1], dir[PATH_MAX];
	struct sae_err err;
	sqlite3_stmt *st;
	json_t *all;
	int due = 0, rc;

	if (cfg->export_days <= 0 || sqlite3_prepare_v2(db, "SELECT value IS "
	    "NULL OR date(value, '+' || ? || ' days') <= ? FROM (SELECT (SELECT "
	    "value FROM meta WHERE key = 'export_last') AS value)", -1, &st,
	    NULL) != SQLITE_OK)
		return;
	sqlite3_bind_int(st, 1, cfg->export_days);
	sqlite3_bind_text(st, 2, today, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		due = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (!due)
		return;
	if (cfg->export_dir[0] == '/')
		snprintf(dir, sizeof(dir), "%s", cfg->export_dir);
	else
		snprintf(dir, sizeof(dir), "%s/%s", cfg->data_dir,
		    cfg->export_dir);
	all = json_pack("{s:b}", "all", 1);
	rc = sae_fs_mkdirp(dir, 0750, &err) == -1 ? -1 :
	    export_job_start(s->d, all, dir, "system", id, &err);
	json_decref(all);
	if (rc == -1) {
		if (err.code != SAE_EEXIST)	/* busy: next tick */
			sae_log_err(LOG_ERR, &err, "scheduled export");
		return;
	}
	sae_log(LOG_INFO, "export scheduled id=%s dir=%s", id, dir);
	if (sqlite3_prepare_v2(db, "INSERT INTO meta VALUES ('export_last', ?) "
	    "ON CONFLICT(key) DO UPDATE SET value = excluded.value", -1, &st,
	    NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, today, -1, SQLITE_STATIC);
		sqlite3_step(st);
		sqlite3_finalize(st);
	}
}

/* One look at what is due. */
static void
tick(struct scheduler *s)
{
	struct ages_stats st;
	struct placement_stats ps;
	struct sae_err err;
	char today[11];
	long long v;
	sqlite3 *db;
	time_t now = time(NULL);
	const char *why = NULL;

	if ((db = catalog_get(s->d->catalog, &err)) == NULL) {
		sae_log_err(LOG_ERR, &err, "scheduler catalog");
		return;
	}
	ages_today(today);
	v = rules_version(db);
	if (strcmp(today, s->last_date) != 0)
		why = "date";
	else if (v != s->last_rules)
		why = "rules";
	else if (now - s->last_run >= (time_t)s->d->cfg.ages_hours * 3600)
		why = "schedule";
	if (why != NULL) {
		if (daemon_recompute(s->d, db, "system", &st, &ps, &err) == -1)
			sae_log_err(LOG_ERR, &err, "ages run=%s", why);
		else
			sae_log(LOG_INFO, "ages run=%s date=%s units=%zu "
			    "age_changes=%zu copies_added=%zu "
			    "copies_removed=%zu", why, today, st.units,
			    st.age_changes, ps.added, ps.removed);
		memcpy(s->last_date, today, sizeof(today));
		s->last_rules = v;
		s->last_run = now;
		s->last_generation = ages_generation(db);
	} else if (ages_generation(db) != s->last_generation) {
		/* Ages changed elsewhere (sae-admin ages): move the copies. */
		s->last_generation = ages_generation(db);
		if (placement_reconcile(db, s->d->store, &s->d->cfg, NULL,
		    "system", &ps, &err) == -1)
			sae_log_err(LOG_ERR, &err, "placement");
		else
			sae_log(LOG_INFO, "placement run=ages copies_added=%zu "
			    "copies_removed=%zu", ps.added, ps.removed);
	}
	disposals(s, db, today);
	exports(s, db, today);
	audits(s, db, today, now);
	/* Daily: renewed well before it expires (saed did it at start). */
	if (now - s->last_tsa >= 86400 || now < s->last_tsa) {
		if (seal_tsa_upkeep(db, s->d->tsa, s->d->cfg.tsa_renew_days, 0,
		    "system", &err) == -1)
			sae_log_err(LOG_ERR, &err, "tsa upkeep");
		s->last_tsa = now;
	}
	if (now - s->last_seal >= (time_t)s->d->cfg.seal_minutes * 60) {
		long long n;

		if (seal_now(db, s->d->tsa, "system", &n, &err) == -1)
			sae_log_err(LOG_ERR, &err, "seal");
		else if (n > 0)
			sae_log(LOG_INFO, "seal entries=%lld", n);
		s->last_seal = now;
	}
	/* The dashboard's figures, ready before anyone asks. */
	if (stats_refresh(s->d->stats, db, today, &err) == -1)
		sae_log_err(LOG_ERR, &err, "holdings");
	catalog_put(s->d->catalog, db);
}

static void *
run(void *arg)
{
	struct scheduler *s = arg;
	struct timespec until;

	pthread_mutex_lock(&s->lock);
	while (!s->stop) {
		pthread_mutex_unlock(&s->lock);
		tick(s);
		pthread_mutex_lock(&s->lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += TICK_SECONDS;
		while (!s->stop && !s->woken && pthread_cond_timedwait(
		    &s->wake, &s->lock, &until) != ETIMEDOUT)
			;
		s->woken = 0;
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

int
scheduler_start(struct scheduler **out, struct sae_daemon *d,
    struct sae_err *err)
{
	struct scheduler *s = sae_xcalloc(1, sizeof(*s));
	sqlite3 *db;

	s->d = d;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->wake, NULL);
	/* saed has just recomputed the ages while starting. */
	ages_today(s->last_date);
	s->last_run = time(NULL);
	s->last_seal = s->last_run;
	s->last_tsa = s->last_run;
	if ((db = catalog_get(d->catalog, err)) == NULL) {
		free(s);
		return -1;
	}
	s->last_rules = rules_version(db);
	s->last_generation = ages_generation(db);
	catalog_put(d->catalog, db);
	if (pthread_create(&s->thread, NULL, run, s) != 0) {
		pthread_mutex_destroy(&s->lock);
		pthread_cond_destroy(&s->wake);
		free(s);
		return sae_err_set(err, SAE_EINTERNAL, "cannot start the "
		    "scheduler thread");
	}
	d->scheduler = s;
	*out = s;
	return 0;
}

void
scheduler_wake(struct scheduler *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	s->woken = 1;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
}

void
scheduler_stop(struct scheduler *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = 1;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	s->d->scheduler = NULL;
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->wake);
	free(s);
}
