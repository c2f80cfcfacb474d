/*
 * ages.h: recomputing what every unit's age is from the catalog: the rules
 * its package declared, the tree, today's DUA table and today's date.  Run
 * when saed starts, when the DUA table changes, on a schedule and on
 * demand; every change of age is journaled.
 */
#ifndef SAE_AGES_H
#define SAE_AGES_H

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>

#include "sae/buf.h"
#include "sae/err.h"

struct ages_stats {
	size_t	units;		/* alive units looked at */
	size_t	changed;	/* whose age, rule or dates changed */
	size_t	age_changes;	/* whose age changed (one journal entry each) */
	size_t	by_age[5];	/* units per age, indexed by enum ret_age */
};

/**
 * ages_recompute(db, today, agent, defaults, stats, err): recomputes the
 * effective
 * appraisal rule, its start and end dates, the final action and the age of
 * every alive unit at ${today} ("YYYY-MM-DD"), updates the units whose
 * values changed and journals each change of age (AGE_CHANGE, with the
 * old and new ages), all in one transaction.  ${stats} may be NULL.
 * When some age changed, meta 'ages_generation' is incremented, so that
 * saed moves the copies even after a recomputation by sae-admin.
 */
struct ret_defaults;
int	ages_recompute(sqlite3 *, const char *, const char *,
	    const struct ret_defaults *, struct ages_stats *, struct sae_err *);

/**
 * ages_preview(db, table, today, defaults, changes, err): what
 * ages_recompute would change if ${table} were the DUA table: a JSON array
 * (caller decrefs) of {unit, age, new_age, end_date, new_end_date} for
 * the units whose age or DUA end would change.  Writes nothing.
 */
struct dua_table;
int	ages_preview(sqlite3 *, const struct dua_table *, const char *,
	    const struct ret_defaults *, json_t **, struct sae_err *);

/**
 * ages_bump_generation(db, err): increments the counter below, inside the
 * caller's transaction, after changing some unit's age by other means (an
 * archivist's keep-or-destroy decision).
 */
int	ages_bump_generation(sqlite3 *, struct sae_err *);

/** ages_generation(db): the counter above (0 before any change). */
long long	ages_generation(sqlite3 *);

/** ages_today(out): today's date, UTC, "YYYY-MM-DD". */
void	ages_today(char[11]);

#endif
