/*
 * placement.h: keeping every stored object on the offers its units' ages
 * call for ([placement] of the configuration): new copies are written and
 * verified first, unwanted ones removed after, so that an object never has
 * no good copy and a definitive archive never stays on a non-sovereign
 * offer.  Idempotent: after a crash, the next run finishes the job.
 */
#ifndef SAE_PLACEMENT_H
#define SAE_PLACEMENT_H

#include <sqlite3.h>
#include <stddef.h>

#include "sae/err.h"

struct sae_config;
struct store;

struct placement_stats {
	size_t	objects;	/* distinct stored contents looked at */
	size_t	added;		/* copies written and verified */
	size_t	removed;	/* copies removed */
	size_t	failed;		/* contents left as they were, logged */
};

/**
 * placement_reconcile(db, st, cfg, transfer, agent, stats, err): moves
 * copies where the ages of the units that hold them want them; only the
 * contents of ${transfer} when it is not NULL (all units holding them are
 * still taken into account).  Each added and
 * each removed copy is journaled (COPY_ADD, COPY_REMOVE).  An object whose
 * copies cannot be read is left as it was and counted in stats->failed.
 */
int	placement_reconcile(sqlite3 *, struct store *,
	    const struct sae_config *, const char *, const char *,
	    struct placement_stats *, struct sae_err *);

#endif
