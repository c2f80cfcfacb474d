/*
 * export_job.c: exports run by saed in the background (POST /v1/exports
 * and the schedule), one at a time, each with a status file
 * DATA/exports/ID.json that outlives the daemon; scheduled exports keep
 * the last [export] keep bags of their directory.
 */
#include "config.h"

#include <dirent.h>
#include <fts.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sae/catalog.h"
#include "sae/daemon.h"
#include "sae/export.h"
#include "sae/export_job.h"
#include "sae/fsutil.h"
#include "sae/job.h"
#include "sae/journal.h"
#include "sae/log.h"
#include "sae/xmalloc.h"

struct run {
	struct sae_daemon	*d;
	int			 scheduled;	/* keep only the last [export] keep */
	struct job		*job;
	json_t			*sel_json;	/* owns the selection's strings */
	struct export_selection	 sel;
	char			 id[SAE_ID_LEN + 1];
	char			 dir[PATH_MAX];
	char			 agent[128];
	char			 started[32];
};

static void
run_free(void *p)
{
	struct run *r = p;

	json_decref(r->sel_json);
	free((void *)r->sel.units);
	free(r);
}

static int
status_path(const struct sae_daemon *d, const char *id, char *out,
    size_t size)
{
	return sae_path(out, size, "%s/exports/%s.json", d->cfg.data_dir, id);
}

static void
save_status(struct run *r, const char *state, json_t *summary,
    const struct sae_err *err)
{
	struct sae_err e2;
	char path[PATH_MAX], now[32];
	json_t *o;
	char *text;

	sae_time_now_iso(now);
	o = json_pack("{s:s, s:s, s:s, s:O, s:s, s:s}", "id", r->id, "state",
	    state, "agent", r->agent, "selection", r->sel_json, "started",
	    r->started, "path", r->dir);
	if (strcmp(state, "running") != 0)
		json_object_set_new(o, "finished", json_string(now));
	if (summary != NULL)
		json_object_set(o, "summary", summary);
	if (err != NULL)
		json_object_set_new(o, "error", json_string(err->msg));
	text = json_dumps(o, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(o);
	status_path(r->d, r->id, path, sizeof(path));
	if (sae_fs_write_atomic(path, text, strlen(text), 0640, &e2) == -1)
		sae_log_err(LOG_ERR, &e2, "export id=%s status", r->id);
	free(text);
}

static void
on_progress(void *arg, const struct export_progress *p)
{
	struct run *r = arg;

	job_progress(r->job, json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I}",
	    "id", r->id, "state", "running", "started", r->started, "step",
	    p->step, "packages_done", (json_int_t)p->packages_done,
	    "packages_total", (json_int_t)p->packages_total, "bytes",
	    (json_int_t)p->bytes));
}

static int
cancelled(void *arg)
{
	return job_cancelled(((struct run *)arg)->job);
}

/* Removes ${path} and everything under it (a bag this archive made). */
static int
remove_tree(const char *path, struct sae_err *err)
{
	char *paths[] = { (char *)path, NULL };
	FTSENT *e;
	FTS *fts;
	int ret = 0;

	if ((fts = fts_open(paths, FTS_PHYSICAL | FTS_NOCHDIR, NULL)) == NULL)
		return sae_err_sys(err, SAE_EIO, "cannot walk '%s'", path);
	while ((e = fts_read(fts)) != NULL) {
		if (e->fts_info == FTS_DP ? rmdir(e->fts_path) :
		    e->fts_info == FTS_D ? 0 : unlink(e->fts_path)) {
			ret = sae_err_sys(err, SAE_EIO, "cannot remove '%s'",
			    e->fts_path);
			break;
		}
	}
	fts_close(fts);
	return ret;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Scheduled bags beyond the last [export] keep, oldest first (ids are
 * time-ordered), are removed and the removal journaled; only finished
 * bags made here count, so nothing else in the directory is touched.
 */
static void
prune(struct run *r, sqlite3 *db)
{
	char parent[PATH_MAX], path[PATH_MAX], **v = NULL;
	size_t n = 0, cap = 0, i;
	struct sae_err err;
	struct dirent *e;
	DIR *dir;

	snprintf(parent, sizeof(parent), "%s", r->dir);
	*strrchr(parent, '/') = '\0';
	if ((dir = opendir(parent)) == NULL)
		return;
	while ((e = readdir(dir)) != NULL) {
		if (!sae_id_valid(e->d_name) || sae_path(path, sizeof(path),
		    "%s/%s/tagmanifest-sha512.txt", parent, e->d_name) == -1 ||
		    !sae_fs_exists(path))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			v = sae_xreallocarray(v, cap, sizeof(*v));
		}
		v[n++] = sae_xstrdup(e->d_name);
	}
	closedir(dir);
	if (n > 1)	/* v is NULL when there are none */
		qsort(v, n, sizeof(*v), name_cmp);
	for (i = 0; i + (size_t)r->d->cfg.export_keep < n; i++) {
		sae_path(path, sizeof(path), "%s/%s", parent, v[i]);
		if (remove_tree(path, &err) == -1) {
			sae_log_err(LOG_ERR, &err, "export prune");
			continue;
		}
		if (catalog_begin(db, &err) == -1 ||
		    journal_commit(db, "EXPORT_PRUNE", "system", NULL, &err,
		    "Export de réversibilité %s supprimé (seuls les %d derniers "
		    "sont gardés)", v[i], r->d->cfg.export_keep) == -1) {
			catalog_rollback(db);
			sae_log_err(LOG_ERR, &err, "export prune journal");
		}
	}
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int
run_export(struct job *j, void *arg, struct sae_err *err)
{
	struct run *r = arg;
	json_t *summary = NULL;
	sqlite3 *db;
	int rc;

	(void)j;
	save_status(r, "running", NULL, NULL);
	if ((db = catalog_get(r->d->catalog, err)) == NULL) {
		save_status(r, "failed", NULL, err);
		return -1;
	}
	rc = export_run(db, r->d->store, r->d->tsa, &r->d->cfg, &r->sel,
	    r->dir, r->id, r->agent, on_progress, r, cancelled, &summary, err);
	if (rc == 0 && r->scheduled)
		prune(r, db);
	catalog_put(r->d->catalog, db);
	save_status(r, rc == 0 ? "done" : "failed", summary, rc == 0 ? NULL :
	    err);
	if (rc == 0)
		sae_log(LOG_NOTICE, "export id=%s done dir=%s", r->id, r->dir);
	json_decref(summary);
	return rc;
}

/* A failed or interrupted export to run again: its selection and bag. */
static int
resume_of(struct sae_daemon *d, const char *id, struct run *r,
    struct sae_err *err)
{
	json_t *o;
	const char *state, *path;

	if (!sae_id_valid(id))
		return sae_err_set(err, SAE_EINVAL, "\"resume\" must be the id "
		    "of an export");
	if ((o = export_job_get(d, id, err)) == NULL)
		return -1;
	state = json_string_value(json_object_get(o, "state"));
	path = json_string_value(json_object_get(o, "path"));
	if (state == NULL || path == NULL || (strcmp(state, "failed") &&
	    strcmp(state, "interrupted"))) {
		json_decref(o);
		return sae_err_set(err, SAE_EEXIST, "export %s is %s: only a "
		    "failed or interrupted export can be resumed", id,
		    state != NULL ? state : "unknown");
	}
	r->sel_json = json_incref(json_object_get(o, "selection"));
	snprintf(r->id, sizeof(r->id), "%s", id);
	snprintf(r->dir, sizeof(r->dir), "%s", path);
	json_decref(o);
	return 0;
}

int
export_job_start(struct sae_daemon *d, json_t *selection, const char *dir,
    const char *agent, char id[SAE_ID_LEN + 1], struct sae_err *err)
{
	struct run *r = sae_xcalloc(1, sizeof(*r));
	const char *resume;
	char path[PATH_MAX];

	r->d = d;
	r->job = d->exports;
	if (sae_path(path, sizeof(path), "%s/exports", d->cfg.data_dir) == -1 ||
	    sae_fs_mkdirp(path, 0750, err) == -1) {
		run_free(r);
		return -1;
	}
	resume = json_string_value(json_object_get(selection, "resume"));
	if (resume != NULL) {
		if (resume_of(d, resume, r, err) == -1) {
			run_free(r);
			return -1;
		}
	} else {
		r->sel_json = json_deep_copy(selection);
		sae_id_new(r->id);
		r->scheduled = dir != NULL;
		if (sae_path(r->dir, sizeof(r->dir), "%s/%s", dir != NULL ?
		    dir : path, r->id) == -1) {
			sae_err_set(err, SAE_EINVAL, "export directory path too "
			    "long");
			run_free(r);
			return -1;
		}
	}
	if (export_selection_from_json(r->sel_json, &r->sel, err) == -1) {
		run_free(r);
		return -1;
	}
	sae_time_now_iso(r->started);
	snprintf(r->agent, sizeof(r->agent), "%s", agent);
	memcpy(id, r->id, sizeof(r->id));
	/* job_start frees r whatever happens: r is not touched after. */
	return job_start(d->exports, id, run_export, NULL, r, run_free, err);
}

json_t *
export_job_get(struct sae_daemon *d, const char *id, struct sae_err *err)
{
	struct sae_buf b = SAE_BUF_INIT;
	char path[PATH_MAX];
	json_t *o;

	if ((o = job_status(d->exports, id)) != NULL) {
		if (json_object_size(o) == 0)	/* no progress yet */
			json_object_set_new(o, "state", json_string("running"));
		json_object_set_new(o, "id", json_string(id));
		return o;
	}
	status_path(d, id, path, sizeof(path));
	if (!sae_fs_exists(path)) {
		sae_err_set(err, SAE_ENOTFOUND, "no export '%s'", id);
		return NULL;
	}
	if (sae_fs_read(path, &b, 1u << 20, err) == -1)
		return NULL;
	o = json_loadb(b.data, b.len, 0, NULL);
	sae_buf_done(&b);
	if (o == NULL) {
		sae_err_set(err, SAE_ECORRUPT, "the status of export '%s' is "
		    "damaged", id);
		return NULL;
	}
	/* "running" on disk but not in this daemon: it was interrupted. */
	if (!strcmp(json_string_value(json_object_get(o, "state")), "running"))
		json_object_set_new(o, "state", json_string("interrupted"));
	return o;
}
