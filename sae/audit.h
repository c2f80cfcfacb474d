/*
 * audit.h: audits of the stored objects: every copy the catalog lists
 * exists on its offer (existence), reads back to its fingerprint, the
 * digest of the original bytes (integrity), and every object of an alive
 * unit has its copies (coherence).  Optionally repairs a bad copy from a
 * good one.  The result is journaled and given as a JSON report.
 */
#ifndef SAE_AUDIT_H
#define SAE_AUDIT_H

#include <jansson.h>
#include <sqlite3.h>

#include "sae/err.h"

struct store;

struct audit_options {
	int	sample;		/* percent of the copies to read, 1..100 */
	int	repair;		/* rewrite bad or missing copies from good ones */
};

/**
 * audit_run(db, st, opts, agent, report, err): audits the copies and
 * fills *report (caller decrefs) with counts and every problem found,
 * each naming the object, its content digest and the offer.  Returns 0
 * when the audit ran (look at report "ok"), -1 when it could not.
 */
int	audit_run(sqlite3 *, struct store *, const struct audit_options *,
	    const char *, json_t **, struct sae_err *);

#endif
