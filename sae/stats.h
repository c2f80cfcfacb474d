/*
 * stats.h: what the archive holds, by age, agency and rule (units,
 * objects, bytes), the copies on each storage offer, and the changes of
 * age due in the next 30 and 365 days.
 */
#ifndef SAE_STATS_H
#define SAE_STATS_H

#include <jansson.h>
#include <sqlite3.h>

#include "sae/err.h"

/**
 * stats_get(db, today, out, err): the holdings and coming transitions at
 * ${today} ("YYYY-MM-DD") as a JSON object (caller decrefs).
 */
int	stats_get(sqlite3 *, const char *, json_t **, struct sae_err *);

struct stats_cache;

/**
 * stats_cache_new(): remembers the last figures of stats_get until a
 * holding changes (saed's API and dashboard, whose visits would otherwise
 * scan the catalog each time); stats_cache_free(NULL) does nothing.
 */
struct stats_cache *stats_cache_new(void);
void	stats_cache_free(struct stats_cache *);

/**
 * stats_cached(sc, db, today, out, err): stats_get's figures at ${today}
 * (caller decrefs), computed again through ${db} only when a holding has
 * changed since the last call (a journaled commit, or ages moving dates)
 * or the day is another.  Thread-safe.
 */
int	stats_cached(struct stats_cache *, sqlite3 *, const char *, json_t **,
	    struct sae_err *);

/**
 * stats_refresh(sc, db, today, err): computes the figures again if a
 * holding has changed, so that the next visitor finds them ready (saed's
 * scheduler, every few seconds); spends at most a tenth of the time at
 * it, however large the catalog.
 */
int	stats_refresh(struct stats_cache *, sqlite3 *, const char *,
	    struct sae_err *);

#endif
