/*
 * scheduler.h: the daemon's periodic work, on one thread: ages recomputed
 * when the date changes, when the DUA table changes (even through
 * sae-admin while saed runs) and at least every [schedule] ages_hours;
 * disposal lists proposed every [schedule] disposal_days and carried out
 * when approved and due; an audit started (in the background) every
 * [schedule] audit_days.  scheduler_start sets d->scheduler.
 */
#ifndef SAE_SCHEDULER_H
#define SAE_SCHEDULER_H

#include "sae/err.h"

struct sae_daemon;
struct scheduler;

/** scheduler_start(out, d, err): starts the thread. */
int	scheduler_start(struct scheduler **, struct sae_daemon *,
	    struct sae_err *);
/** scheduler_wake(s): NULL-safe; runs what is due now, not at the next tick. */
void	scheduler_wake(struct scheduler *);
/** scheduler_stop(s): NULL-safe; stops and joins the thread. */
void	scheduler_stop(struct scheduler *);

#endif
