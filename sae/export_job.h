/*
 * export_job.h: exports run by saed in the background, one at a time,
 * each with a status file DATA/exports/ID.json.
 */
#ifndef SAE_EXPORT_JOB_H
#define SAE_EXPORT_JOB_H

#include <jansson.h>

#include "sae/err.h"
#include "sae/id.h"

struct sae_daemon;

/**
 * export_job_start(d, selection, dir, agent, id, err): starts exporting
 * ${selection} (JSON, see export_selection_from_json; {"resume": ID}
 * runs a failed or interrupted one again) into a new bag DATA/exports/ID,
 * or ${dir}/ID for a scheduled export (then only the last [export] keep
 * bags of ${dir} are kept); ${id} gets its id.
 * SAE_EINVAL for a bad selection, SAE_EEXIST (${id} = the running one)
 * while another export runs.
 */
int	export_job_start(struct sae_daemon *, json_t *, const char *,
	    const char *, char[SAE_ID_LEN + 1], struct sae_err *);

/**
 * export_job_get(d, id, err): where export ${id} stands: running (with
 * progress), done (with its summary and path), failed (with the error)
 * or interrupted.  NULL with SAE_ENOTFOUND.
 */
json_t	*export_job_get(struct sae_daemon *, const char *, struct sae_err *);

#endif
