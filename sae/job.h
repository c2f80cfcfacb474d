/*
 * job.h: one background job of a kind at a time (an export started
 * through the API or by the scheduler): its own thread, an id, progress
 * others may read, cancellation, and a join when the daemon stops.
 */
#ifndef SAE_JOB_H
#define SAE_JOB_H

#include <jansson.h>

#include "sae/err.h"
#include "sae/id.h"

struct job;

/*
 * What a job runs, on its thread: returns 0 or -1 with ${err}.  It calls
 * job_progress now and then and stops early when job_cancelled says so.
 */
typedef int job_fn(struct job *, void *, struct sae_err *);
/* Called on the job's thread when it ends (report, journal), then arg is freed. */
typedef void job_done_fn(struct job *, void *, int, const struct sae_err *);

/** job_new(kind): a slot for jobs of ${kind} ("export"). */
struct job	*job_new(const char *);

/**
 * job_start(j, id, fn, done, arg, free_arg, err): runs fn(arg) on a new
 * thread under ${id}; SAE_EEXIST (and ${id} overwritten with the running
 * job's) while another runs, SAE_EDENIED once the slot is stopped.
 * ${arg} is freed with ${free_arg} in every case.
 */
int	job_start(struct job *, char[SAE_ID_LEN + 1], job_fn *, job_done_fn *,
	    void *, void (*)(void *), struct sae_err *);

/** job_progress(j, o): replaces the running job's progress (${o} stolen). */
void	job_progress(struct job *, json_t *);

/** job_cancelled(j): whether the job should stop now. */
int	job_cancelled(struct job *);

/**
 * job_status(j, id): the progress of job ${id} if it is running (a new
 * reference), else NULL.
 */
json_t	*job_status(struct job *, const char *);

/** job_free(j): NULL-safe; cancels a running job, joins it, frees. */
void	job_free(struct job *);

#endif
