/*
 * job.c: the background job slot (job.h).  The thread is joined by the
 * next start or by job_free; state is under the slot's mutex.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sae/job.h"
#include "sae/log.h"
#include "sae/xmalloc.h"

struct job {
	pthread_mutex_t	 lock;
	pthread_t	 thread;
	char		*kind;
	int		 running;
	int		 joinable;
	int		 cancel;
	int		 stopped;
	char		 id[SAE_ID_LEN + 1];
	json_t		*progress;
	job_fn		*fn;
	job_done_fn	*done;
	void		*arg;
	void		(*free_arg)(void *);
};

struct job *
job_new(const char *kind)
{
	struct job *j = sae_xcalloc(1, sizeof(*j));

	pthread_mutex_init(&j->lock, NULL);
	j->kind = sae_xstrdup(kind);
	return j;
}

static void *
run(void *p)
{
	struct job *j = p;
	struct sae_err err;
	int rc;

	memset(&err, 0, sizeof(err));
	rc = j->fn(j, j->arg, &err);
	if (rc == -1)
		sae_log_err(LOG_ERR, &err, "%s id=%s", j->kind, j->id);
	if (j->done != NULL)
		j->done(j, j->arg, rc, &err);
	if (j->free_arg != NULL)
		j->free_arg(j->arg);
	pthread_mutex_lock(&j->lock);
	j->arg = NULL;
	j->running = 0;
	json_decref(j->progress);
	j->progress = NULL;
	pthread_mutex_unlock(&j->lock);
	return NULL;
}

int
job_start(struct job *j, char id[SAE_ID_LEN + 1], job_fn *fn,
    job_done_fn *done, void *arg, void (*free_arg)(void *),
    struct sae_err *err)
{
	pthread_mutex_lock(&j->lock);
	if (j->stopped || j->running) {
		int stopped = j->stopped;

		if (!stopped)
			memcpy(id, j->id, sizeof(j->id));
		pthread_mutex_unlock(&j->lock);
		if (free_arg != NULL)
			free_arg(arg);
		return stopped ? sae_err_set(err, SAE_EDENIED, "the daemon is "
		    "stopping: no new %s", j->kind) : sae_err_set(err,
		    SAE_EEXIST, "%s %s is running; one at a time", j->kind, id);
	}
	if (j->joinable) {	/* the previous one has ended */
		pthread_join(j->thread, NULL);
		j->joinable = 0;
	}
	memcpy(j->id, id, sizeof(j->id));
	j->fn = fn;
	j->done = done;
	j->arg = arg;
	j->free_arg = free_arg;
	j->cancel = 0;
	j->running = 1;
	if (pthread_create(&j->thread, NULL, run, j) != 0) {
		j->running = 0;
		j->arg = NULL;
		pthread_mutex_unlock(&j->lock);
		if (free_arg != NULL)
			free_arg(arg);
		return sae_err_set(err, SAE_EINTERNAL, "cannot start a thread "
		    "for the %s", j->kind);
	}
	j->joinable = 1;
	pthread_mutex_unlock(&j->lock);
	return 0;
}

void
job_progress(struct job *j, json_t *o)
{
	pthread_mutex_lock(&j->lock);
	json_decref(j->progress);
	j->progress = o;
	pthread_mutex_unlock(&j->lock);
}

int
job_cancelled(struct job *j)
{
	int c;

	pthread_mutex_lock(&j->lock);
	c = j->cancel;
	pthread_mutex_unlock(&j->lock);
	return c;
}

json_t *
job_status(struct job *j, const char *id)
{
	json_t *o = NULL;

	pthread_mutex_lock(&j->lock);
	if (j->running && !strcmp(j->id, id))
		o = j->progress != NULL ? json_deep_copy(j->progress) :
		    json_object();
	pthread_mutex_unlock(&j->lock);
	return o;
}

void
job_free(struct job *j)
{
	if (j == NULL)
		return;
	pthread_mutex_lock(&j->lock);
	j->stopped = 1;
	j->cancel = 1;
	pthread_mutex_unlock(&j->lock);
	if (j->joinable)
		pthread_join(j->thread, NULL);
	json_decref(j->progress);
	pthread_mutex_destroy(&j->lock);
	free(j->kind);
	free(j);
}
