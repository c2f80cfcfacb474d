/*
 * audit.h: audits of the stored objects: every copy the catalog lists
 * exists on its offer (existence), reads back to its fingerprint, the
 * digest of the original bytes (integrity), and every object of an alive
 * unit has its copies (coherence).  Optionally repairs a bad copy from a
 * good one.  The result is journaled and given as a JSON report, kept as
 * DATA/audits/ID.json.  The daemon runs one audit at a time in the
 * background (API and scheduler): struct audit_job.
 */
#ifndef SAE_AUDIT_H
#define SAE_AUDIT_H

#include <jansson.h>
#include <sqlite3.h>

#include "sae/err.h"
#include "sae/id.h"

struct catalog;
struct store;
struct audit_job;

/* Where an audit stands; given to audit_options.progress. */
struct audit_progress {
	long long	copies_total;	/* listed when the audit started */
	long long	copies_done;	/* looked at (read, or left out of the sample) */
	long long	bytes_total;	/* of the copies listed at start */
	long long	bytes_done;	/* original bytes read so far */
	double		seconds;	/* since the start */
};

typedef void audit_progress_fn(void *, const struct audit_progress *);

struct audit_options {
	int		 sample;	/* percent of the copies to read, 1..100 */
	int		 repair;	/* rewrite bad or missing copies from good ones */
	int		 threads;	/* readers; 0: one per CPU, at most 4 */
	int		 scheduled;	/* record its date in meta 'audit_last' */
	const char	*id;		/* the audit's id; NULL: a new one */
	/* Called on the calling thread about 4 times a second and at the
	 * end of the reading; may be NULL. */
	audit_progress_fn *progress;
	void		*progress_arg;
	/* When *cancel becomes non-zero (read atomically), the audit stops
	 * and fails; may be NULL. */
	const int	*cancel;
};

/**
 * audit_run(db, st, opts, agent, report, err): audits the copies and
 * fills *report (caller decrefs) with its id, counts and every problem
 * found, each naming the object, its content digest and the offer, and
 * "journal_chain": the journal's hash chain re-checked (journal_verify:
 * ok, entries, seconds; bad_seq and error when broken, which is also a
 * problem).  The
 * copies are read by a few threads of its own, joined before it returns;
 * the report lists problems in the catalog's order whatever the timing.
 * ${db} is used on the calling thread only.  Returns 0 when the audit ran
 * (look at report "ok"), -1 when it could not or was cancelled.
 */
int	audit_run(sqlite3 *, struct store *, const struct audit_options *,
	    const char *, json_t **, struct sae_err *);

/**
 * audit_report_save(data_dir, report, path, size, err): writes ${report}
 * atomically as DATA/audits/ID.json (ID: its "id"); the path in ${path}.
 * Then, best effort, its summary as ID.summary.json, which audit_list and
 * audit_last read instead of the whole report when it is there.
 */
int	audit_report_save(const char *, json_t *, char *, size_t,
	    struct sae_err *);
/**
 * audit_report_load(data_dir, id, out, err): the report of audit ${id}
 * (caller decrefs); SAE_ENOTFOUND if there is none.
 */
int	audit_report_load(const char *, const char *, json_t **,
	    struct sae_err *);
/**
 * audit_list(data_dir, out, err): *out (caller decrefs) = the summaries
 * (id, agent, started, finished, state, ok, counts) of the reports kept,
 * newest first.
 */
int	audit_list(const char *, json_t **, struct sae_err *);

/**
 * audit_last(data_dir, out, err): *out (caller decrefs) = the summary of
 * the newest report kept, as audit_list gives it, or NULL when there is
 * none.  Reads one report whatever their number.
 */
int	audit_last(const char *, json_t **, struct sae_err *);

/**
 * audit_due(db, today, days): 1 when a scheduled audit is due: the last
 * one (meta 'audit_last', the date it started, written with its journal
 * entry) is ${days} days before ${today} (YYYY-MM-DD) or more; 0 if not
 * or ${days} is 0.  When none is recorded, records ${today} and says 0:
 * the first comes a period after the first start.  -1 on a catalog error.
 */
int	audit_due(sqlite3 *, const char *, int);

/**
 * audit_job_new(catalog, st, data_dir): the daemon's background audit
 * slot, idle.  Keeps the pointers (and a copy of ${data_dir}).
 */
struct audit_job *audit_job_new(struct catalog *, struct store *,
	    const char *);
/**
 * audit_job_start(job, opts, agent, id, err): starts an audit (repair is
 * never done here) on a thread of its own, which saves its report, done
 * or failed.  ${id} gets the new audit's id; when one is already running,
 * -1 with SAE_EEXIST and its id in ${id}.  -1 with SAE_EINTERNAL when the
 * daemon stops.
 */
int	audit_job_start(struct audit_job *, const struct audit_options *,
	    const char *, char[SAE_ID_LEN + 1], struct sae_err *);
/**
 * audit_job_running(job, id): a new JSON object (id, agent, started,
 * state "running", sample_percent, progress) when audit ${id} (NULL: any)
 * is running, NULL otherwise.
 */
json_t	*audit_job_running(struct audit_job *, const char *);
/**
 * audit_job_stop(job): NULL-safe; refuses new audits, cancels a running
 * one (its report says "failed") and joins its thread.
 */
void	audit_job_stop(struct audit_job *);
/** audit_job_free(job): NULL-safe; audit_job_stop, then frees. */
void	audit_job_free(struct audit_job *);

#endif
