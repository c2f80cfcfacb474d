/*
 * disposal.h: élimination.  The archive proposes lists (bordereaux) of the
 * units whose DUA has ended with Destroy, one per originating agency; the
 * archivist approves them with the control authority's visa, excluding
 * lines, or rejects them; approved lists are carried out, leaving a
 * tombstone per unit and a time-stamped ArchiveDestructionNotification.
 * Nothing is destroyed without a recorded approval, and eligibility is
 * checked again at execution.  Everything is journaled.
 */
#ifndef SAE_DISPOSAL_H
#define SAE_DISPOSAL_H

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>

#include "sae/buf.h"
#include "sae/err.h"

struct sae_config;
struct store;
struct tsa;

/**
 * disposal_propose(db, cfg, today, agent, ids, err): makes one list per
 * originating agency of the units eligible at ${today} ("YYYY-MM-DD"):
 * alive, age disposal (DUA ended, final action Destroy, no conflict or an
 * archivist's destroy decision), no active hold on the unit, an ancestor
 * or a descendant, every descendant eligible too, not on an open list.
 * Each list is frozen with its AuthorizationControlAuthorityRequest and
 * journaled (DISPOSAL_PROPOSE).  *ids (caller decrefs) gets the array of
 * the new lists' ids, empty when nothing is eligible.
 */
int	disposal_propose(sqlite3 *, const struct sae_config *, const char *,
	    const char *, json_t **, struct sae_err *);

/** disposal_list(db, out, err): every list, newest first, without lines. */
int	disposal_list(sqlite3 *, json_t **, struct sae_err *);

/**
 * disposal_get(db, id, out, err): a list with its lines ("units", each
 * with "id") as the bordereau shows them.  SAE_ENOTFOUND.
 */
int	disposal_get(sqlite3 *, const char *, json_t **, struct sae_err *);

/**
 * disposal_get_page(db, id, after, limit, out, err): the same with at
 * most ${limit} lines (0: all), those after unit ${after} (NULL: from the
 * first), and "next", the last line's unit id, when more follow.  The
 * totals ("lines_total", "objects", "bytes") are the whole list's.
 */
int	disposal_get_page(sqlite3 *, const char *, const char *, size_t,
	    json_t **, struct sae_err *);

/**
 * disposal_lines_total(db, id, units, n, objects, bytes, err): the
 * objects and bytes of ${n} lines of list ${id}; SAE_EINVAL naming a unit
 * that is not on it.
 */
int	disposal_lines_total(sqlite3 *, const char *, const char **, size_t,
	    long long *, long long *, struct sae_err *);

enum disposal_doc {
	DISPOSAL_REQUEST,		/* AuthorizationControlAuthorityRequest */
	DISPOSAL_NOTIFICATION,		/* ArchiveDestructionNotification */
	DISPOSAL_NOTIFICATION_TSR	/* its RFC 3161 token (DER) */
};

/**
 * disposal_document(db, id, which, out, err): appends a stored document of
 * the list.  SAE_ENOTFOUND for no such list, SAE_EEXIST when the list has
 * no such document yet (a notification before execution).
 */
int	disposal_document(sqlite3 *, const char *, enum disposal_doc,
	    struct sae_buf *, struct sae_err *);

/**
 * disposal_bordereau(db, cfg, id, out, err): appends the list as a
 * printable HTML document in French, with totals and the decision.
 */
int	disposal_bordereau(sqlite3 *, const struct sae_config *, const char *,
	    struct sae_buf *, struct sae_err *);

struct disposal_decision {
	const char		*visa;		/* the control authority's reference */
	const char		*comment;	/* or NULL */
	const char * const	*exclude;	/* unit ids kept out of destruction */
	size_t			 nexclude;
};

/**
 * disposal_approve(db, cfg, id, decision, agent, err): approves a proposed
 * list; the excluded units go back to their normal course.  The list is
 * due at once, or at the next [disposal] execute_at.  SAE_EINVAL without a
 * visa or for a unit not on the list, SAE_EEXIST when the list is not
 * proposed any more, SAE_ENOTFOUND.
 */
int	disposal_approve(sqlite3 *, const struct sae_config *, const char *,
	    const struct disposal_decision *, const char *, struct sae_err *);

/** disposal_reject(db, id, reason, agent, err): as above, for a refusal. */
int	disposal_reject(sqlite3 *, const char *, const char *, const char *,
	    struct sae_err *);

/**
 * disposal_decide(db, unit, decision, comment, agent, err): an archivist's
 * decision on a unit awaiting review (Sort, or conflicting final
 * actions): "keep" makes it definitive, "destroy" sends it to the next
 * disposal list.  SAE_EEXIST when the unit is not awaiting a decision.
 */
int	disposal_decide(sqlite3 *, const char *, const char *, const char *,
	    const char *, struct sae_err *);

/**
 * disposal_execute_due(db, st, tsa, cfg, agent, destroyed, err): carries
 * out the approved lists that are due and finishes any execution a crash
 * interrupted: per unit, eligibility checked again (a unit that no longer
 * qualifies is kept, with the reason), then in one transaction the unit
 * becomes a tombstone and its unshared copies are marked for deletion;
 * then each copy is deleted from its offer and its absence checked.  A
 * finished list gets its notification, time-stamped.  *destroyed gets the
 * number of units destroyed.
 */
int	disposal_execute_due(sqlite3 *, struct store *, struct tsa *,
	    const struct sae_config *, const char *, size_t *,
	    struct sae_err *);

/**
 * disposal_tombstone(db, unit, out, err): what remains of a destroyed
 * unit.  SAE_ENOTFOUND when the unit was not destroyed.
 */
int	disposal_tombstone(sqlite3 *, const char *, json_t **,
	    struct sae_err *);

#endif
