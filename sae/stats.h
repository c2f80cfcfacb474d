/*
 * stats.h: what the archive holds, by age, agency and rule (units,
 * objects, bytes), and the changes of age due in the next 30 and 365 days.
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

#endif
