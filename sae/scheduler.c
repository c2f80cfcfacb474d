/*
 * scheduler.c: one thread that wakes every few seconds and runs what is
 * due: recomputing ages, moving copies, sealing the journal.  It reads the catalog and writes through
 * ages.c; it never blocks a request for long (one transaction per run).
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sae/ages.h"
#include "sae/catalog.h"
#include "sae/daemon.h"
#include "sae/log.h"
#include "sae/placement.h"
#include "sae/scheduler.h"
#include "sae/seal.h"
#include "sae/xmalloc.h"

#define TICK_SECONDS	5

struct scheduler {
	struct sae_daemon	*d;
	pthread_t		 thread;
	pthread_mutex_t		 lock;
	pthread_cond_t		 wake;
	int			 stop;
	char			 last_date[11];
	long long		 last_rules;
	long long		 last_generation;	/* of the ages */
	time_t			 last_seal;
	time_t			 last_run;
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
	if (now - s->last_seal >= (time_t)s->d->cfg.seal_minutes * 60) {
		long long n;

		if (seal_now(db, s->d->tsa, "system", &n, &err) == -1)
			sae_log_err(LOG_ERR, &err, "seal");
		else if (n > 0)
			sae_log(LOG_INFO, "seal entries=%lld", n);
		s->last_seal = now;
	}
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
		while (!s->stop && pthread_cond_timedwait(&s->wake, &s->lock,
		    &until) != ETIMEDOUT)
			;
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
	*out = s;
	return 0;
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
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->wake);
	free(s);
}
