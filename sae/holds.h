/*
 * holds.h: holds (gel) an archivist places on units: while one is active
 * (no end date, or an end date after today) the unit, its ancestors and
 * its descendants are never proposed for disposal.  Placing and lifting
 * are journaled with who and why; a lifted hold is kept.
 */
#ifndef SAE_HOLDS_H
#define SAE_HOLDS_H

#include <jansson.h>
#include <sqlite3.h>

#include "sae/buf.h"
#include "sae/err.h"

struct hold_request {
	const char	*unit;		/* unit id */
	const char	*reason;	/* required */
	const char	*reference;	/* e.g. a court case number; may be NULL */
	const char	*until;		/* "YYYY-MM-DD" or NULL: until lifted */
};

/**
 * hold_place(db, req, agent, id, err): places a hold; ${id} receives its
 * identifier (27 bytes).  SAE_ENOTFOUND for an unknown or destroyed unit,
 * SAE_EINVAL for a missing reason or a bad date.
 */
int	hold_place(sqlite3 *, const struct hold_request *, const char *,
	    char *, struct sae_err *);

/**
 * hold_lift(db, id, reason, agent, err): lifts an active hold.
 * SAE_ENOTFOUND if there is no such active hold; SAE_EINVAL without reason.
 */
int	hold_lift(sqlite3 *, const char *, const char *, const char *,
	    struct sae_err *);

/**
 * hold_list(db, unit, today, out, err): the same as a jansson array
 * (caller decrefs).
 */
int	hold_list(sqlite3 *, const char *, const char *, json_t **,
	    struct sae_err *);

/**
 * hold_json(db, unit, today, out, err): a JSON array of the holds (of one
 * unit when ${unit} is not NULL), each with "active" at ${today}.
 */
int	hold_json(sqlite3 *, const char *, const char *, struct sae_buf *,
	    struct sae_err *);

#endif
