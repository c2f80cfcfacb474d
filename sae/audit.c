/*
 * audit.c: existence, integrity and coherence of the stored objects.  The
 * copies the catalog lists are fetched in key order, a window at a time,
 * and read by a small pool of threads (each copy read whole and checked
 * against its content digest, of the original bytes whatever the encoding
 * on disk); results are merged in key order, so that a report does not
 * depend on timing.  Objects of alive units without copies are named,
 * and the catalog is checked against the journal (units, their objects'
 * digests, copies written and removed); --repair rewrites a bad copy
 * from a good one.  Also the daemon's one
 * background audit and the reports kept as DATA/audits/ID.json (with
 * ID.summary.json beside, for lists).  The journal's hash chain is
 * re-checked too.
 * Reads the store and the catalog; journals the audit and each repair.
 */
#include "config.h"

#include <dirent.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>
#include <openssl/sha.h>

#include "sae/audit.h"
#include "sae/buf.h"
#include "sae/catalog.h"
#include "sae/fsutil.h"
#include "sae/id.h"
#include "sae/journal.h"
#include "sae/log.h"
#include "sae/xmalloc.h"
#include "storage/store.h"

#define WINDOW		64	/* copies fetched ahead of the merge */
#define MAX_THREADS	4
#define IO_SIZE		(256 * 1024)	/* read and hashed while in cache */
#define PROGRESS_NS	250000000L
#define META_LAST	"audit_last"
#define CANCELLED	"audit cancelled: saed is stopping"

/* ---------------------------------------------------- reading copies */

enum { C_QUEUED, C_TAKEN, C_DONE };

/* One copy to read; a worker owns it from TAKEN to DONE. */
struct copyjob {
	char		 sha[65];
	char		*offer;
	long long	 size;
	int		 state;
	int		 failed;
	struct sae_err	 err;
};

struct pool {
	pthread_mutex_t	 lock;
	pthread_cond_t	 work;		/* a copy queued, or stop */
	pthread_cond_t	 done;		/* a copy read */
	struct copyjob	 jobs[WINDOW];
	long long	 head, next, tail;	/* merge, take, fill */
	int		 stop;
	long long	 bytes;		/* read so far by every worker */
	struct store	*st;
	const int	*cancel;
};

static int
cancelled(const int *cancel)
{
	return cancel != NULL && __atomic_load_n(cancel, __ATOMIC_RELAXED);
}

static double
since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) +
	    (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Reads one copy whole: the reader checks the digest at the end. */
static int
read_copy(struct pool *p, struct copyjob *j, unsigned char *buf)
{
	struct store_reader *r;
	unsigned char bin[32];
	ssize_t n;

	if (sae_unhex(bin, sizeof(bin), j->sha) != 32)
		return sae_err_set(&j->err, SAE_ECORRUPT, "the catalog lists "
		    "a copy named '%s', which is not a SHA-256", j->sha);
	if (store_reader_open(&r, p->st, j->offer, bin, &j->err) == -1)
		return -1;
	while ((n = store_reader_read(r, buf, IO_SIZE, &j->err)) > 0) {
		pthread_mutex_lock(&p->lock);
		p->bytes += n;
		pthread_mutex_unlock(&p->lock);
		if (cancelled(p->cancel)) {
			n = sae_err_set(&j->err, SAE_EINTERNAL, CANCELLED);
			break;
		}
	}
	store_reader_free(r);
	return n == 0 ? 0 : -1;
}

static void *
worker(void *arg)
{
	struct pool *p = arg;
	unsigned char *buf = sae_xmalloc(IO_SIZE);
	struct copyjob *j;
	int rc;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->stop && p->next == p->tail)
			pthread_cond_wait(&p->work, &p->lock);
		if (p->stop)
			break;
		j = &p->jobs[p->next++ % WINDOW];
		j->state = C_TAKEN;
		pthread_mutex_unlock(&p->lock);
		rc = read_copy(p, j, buf);
		pthread_mutex_lock(&p->lock);
		j->failed = rc == -1;
		j->state = C_DONE;
		pthread_cond_signal(&p->done);
	}
	pthread_mutex_unlock(&p->lock);
	free(buf);
	return NULL;
}

static int
nthreads(int asked)
{
	long n = asked > 0 ? asked : sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (int)n;
}

/* --------------------------------------------------------- the audit */

/* The objects (ids) whose content is ${sha}: what an auditor looks up. */
static json_t *
objects_of(sqlite3 *db, const char *sha)
{
	json_t *arr = json_array();
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, "SELECT id FROM object WHERE sha256 = ? "
	    "ORDER BY seq LIMIT 20", -1, &st, NULL) != SQLITE_OK)
		return arr;
	sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(arr, json_string(catalog_text(st, 0)));
	sqlite3_finalize(st);
	return arr;
}

/*
 * Whether the catalog still lists the copy: placement and disposal remove
 * copies while an audit runs, and a copy removed after it was fetched is
 * no problem.
 */
static int
still_listed(sqlite3 *db, const char *sha, const char *offer)
{
	sqlite3_stmt *st;
	int rc = 1;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM copy WHERE sha256 = ? AND "
	    "offer = ?", -1, &st, NULL) != SQLITE_OK)
		return 1;
	sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, offer, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return rc;
}

static int
sampled(int percent)
{
	unsigned char r;

	if (percent >= 100)
		return 1;
	if (RAND_bytes(&r, 1) != 1)
		return 1;
	return (int)(r % 100) < percent;
}

/* Rewrites the copy on ${offer} from another that reads back whole. */
static int
repair(sqlite3 *db, struct store *st, const char *sha, const char *offer,
    const char *agent, struct sae_err *err)
{
	unsigned char bin[32];
	char detail[300], from[256];
	sqlite3_stmt *q;
	int rc, found = 0;

	sae_unhex(bin, sizeof(bin), sha);
	q = catalog_prepare(db, "SELECT offer FROM copy WHERE sha256 = ? AND "
	    "offer <> ? ORDER BY offer", err);
	if (q == NULL)
		return -1;
	sqlite3_bind_text(q, 1, sha, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, offer, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		snprintf(from, sizeof(from), "%s", catalog_text(q, 0));
		if (store_verify(st, from, bin, NULL, NULL) == 0) {
			found = 1;
			break;
		}
	}
	sqlite3_finalize(q);
	if (!found)
		return sae_err_set(err, SAE_ECORRUPT, "no good copy of %s to "
		    "repair from", sha);
	if (store_copy(st, from, offer, bin, err) == -1)
		return -1;
	snprintf(detail, sizeof(detail), "{\"sha256\":\"%s\",\"offer\":"
	    "\"%s\",\"from\":\"%s\"}", sha, offer, from);
	if (catalog_begin(db, err) == -1 ||
	    journal_commit(db, "COPY_REPAIR", agent, detail, err,
	    "Copie de l'objet %s réparée sur l'offre '%s' depuis '%s'",
	    sha, offer, from) == -1) {
		catalog_rollback(db);
		return -1;
	}
	return 0;
}

struct run {
	sqlite3				*db;
	struct store			*st;
	const struct audit_options	*opts;
	const char			*agent;
	struct pool			 p;
	sqlite3_stmt			*list;
	char				 last_sha[65];
	char				*last_offer;
	int				 eof;
	struct audit_progress		 prog;
	struct timespec			 t0, shown;
	long long			 copies, checked, bytes, repaired, gone;
	long long			 junits, jobjects, jcopies;
	json_t				*problems;
};

/* Fetches the next copies in key order into the free part of the window:
 * each fetch is a short read, so that ingest and the WAL go on. */
static int
fill(struct run *r, struct sae_err *err)
{
	struct pool *p = &r->p;
	long long room = WINDOW - (p->tail - p->head), rows = 0;
	int rc;

	sqlite3_reset(r->list);
	sqlite3_bind_text(r->list, 1, r->last_sha, -1, SQLITE_STATIC);
	sqlite3_bind_text(r->list, 2, r->last_offer ? r->last_offer : "", -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(r->list, 3, room);
	while ((rc = sqlite3_step(r->list)) == SQLITE_ROW) {
		const char *sha = catalog_text(r->list, 0);
		const char *offer = catalog_text(r->list, 1);
		struct copyjob *j;

		rows++;
		r->copies++;
		snprintf(r->last_sha, sizeof(r->last_sha), "%s", sha);
		free(r->last_offer);
		r->last_offer = sae_xstrdup(offer);
		if (!sampled(r->opts->sample))
			continue;
		/* Workers only look at slots between next and tail. */
		j = &p->jobs[p->tail % WINDOW];
		memcpy(j->sha, r->last_sha, sizeof(j->sha));
		j->offer = sae_xstrdup(offer);
		j->size = sqlite3_column_int64(r->list, 2);
		j->state = C_QUEUED;
		j->failed = 0;
		sae_err_clear(&j->err);
		pthread_mutex_lock(&p->lock);
		p->tail++;
		pthread_cond_signal(&p->work);
		pthread_mutex_unlock(&p->lock);
	}
	sqlite3_reset(r->list);
	if (rc != SQLITE_DONE)
		return catalog_fail(err, r->db, "audit");
	if (rows < room)
		r->eof = 1;
	return 0;
}

/* Takes the result of the oldest copy in the window into the report. */
static void
merge(struct run *r, struct copyjob *j)
{
	struct sae_err one;
	const char *kind;
	json_t *pb;

	r->checked++;
	if (!j->failed) {
		r->bytes += j->size;
		return;
	}
	if (!still_listed(r->db, j->sha, j->offer)) {
		r->gone++;
		return;
	}
	kind = j->err.code == SAE_ENOTFOUND ? "missing" :
	    j->err.code == SAE_ECORRUPT ? "corrupt" : "unreadable";
	pb = json_pack("{s:s, s:s, s:s, s:o, s:s}", "problem", kind, "sha256",
	    j->sha, "offer", j->offer, "objects", objects_of(r->db, j->sha),
	    "detail", j->err.msg);
	if (r->opts->repair) {
		if (repair(r->db, r->st, j->sha, j->offer, r->agent,
		    &one) == 0) {
			r->repaired++;
			json_object_set_new(pb, "repaired", json_true());
		} else
			json_object_set_new(pb, "repair_failed",
			    json_string(one.msg));
	}
	json_array_append_new(r->problems, pb);
}

static void
show(struct run *r, int force)
{
	struct timespec now;

	if (r->opts->progress == NULL)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!force && (now.tv_sec - r->shown.tv_sec) * 1000000000L +
	    (now.tv_nsec - r->shown.tv_nsec) < PROGRESS_NS)
		return;
	r->shown = now;
	pthread_mutex_lock(&r->p.lock);
	r->prog.bytes_done = r->p.bytes;
	/* Fetched and not yet merged: not done. */
	r->prog.copies_done = r->copies - (r->p.tail - r->p.head);
	pthread_mutex_unlock(&r->p.lock);
	r->prog.seconds = since(&r->t0);
	r->opts->progress(r->opts->progress_arg, &r->prog);
}

/* The copies listed at start, for progress. */
static void
totals(struct run *r)
{
	sqlite3_stmt *q;

	if (sqlite3_prepare_v2(r->db, "SELECT count(*), coalesce(sum(size), "
	    "0) FROM copy", -1, &q, NULL) != SQLITE_OK)
		return;
	if (sqlite3_step(q) == SQLITE_ROW) {
		r->prog.copies_total = sqlite3_column_int64(q, 0);
		r->prog.bytes_total = sqlite3_column_int64(q, 1);
	}
	sqlite3_finalize(q);
}

/* Reads every (sampled) copy through the pool; merges in key order. */
static int
read_all(struct run *r, struct sae_err *err)
{
	struct pool *p = &r->p;
	pthread_t th[MAX_THREADS];
	pthread_condattr_t ca;
	struct timespec until;
	struct copyjob *j;
	int i, n = 0, want = nthreads(r->opts->threads), done, ret = -1;

	memset(p, 0, sizeof(*p));
	p->st = r->st;
	p->cancel = r->opts->cancel;
	pthread_mutex_init(&p->lock, NULL);
	/* Monotonic: timed waits must not follow a clock set by hand. */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, &ca);
	pthread_condattr_destroy(&ca);
	r->list = catalog_prepare(r->db, "SELECT sha256, offer, size FROM copy "
	    "WHERE (sha256, offer) > (?1, ?2) ORDER BY sha256, offer LIMIT ?3",
	    err);
	if (r->list == NULL)
		goto out;
	for (i = 0; i < want; i++)
		if (pthread_create(&th[n], NULL, worker, p) == 0)
			n++;
	if (n == 0) {
		sae_err_set(err, SAE_EINTERNAL, "cannot start the audit's "
		    "threads");
		goto out;
	}
	for (;;) {
		if (cancelled(r->opts->cancel)) {
			sae_err_set(err, SAE_EINTERNAL, CANCELLED);
			goto out;
		}
		if (!r->eof && p->tail - p->head <= WINDOW / 2) {
			if (fill(r, err) == -1)
				goto out;
			continue;
		}
		if (p->head == p->tail) {
			if (r->eof)
				break;
			continue;
		}
		j = &p->jobs[p->head % WINDOW];
		pthread_mutex_lock(&p->lock);
		while (!(done = j->state == C_DONE)) {
			clock_gettime(CLOCK_MONOTONIC, &until);
			until.tv_nsec += PROGRESS_NS;
			if (until.tv_nsec >= 1000000000L) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&p->done, &p->lock, &until);
			if ((done = j->state == C_DONE) ||
			    cancelled(r->opts->cancel))
				break;
			pthread_mutex_unlock(&p->lock);
			show(r, 0);
			pthread_mutex_lock(&p->lock);
		}
		pthread_mutex_unlock(&p->lock);
		if (!done)
			continue;	/* cancelled: said at the top */
		merge(r, j);
		free(j->offer);
		j->offer = NULL;
		pthread_mutex_lock(&p->lock);
		p->head++;
		pthread_mutex_unlock(&p->lock);
		show(r, 0);
	}
	show(r, 1);
	ret = 0;
out:
	pthread_mutex_lock(&p->lock);
	p->stop = 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < WINDOW; i++)
		free(p->jobs[i].offer);
	sqlite3_finalize(r->list);
	free(r->last_offer);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	pthread_mutex_destroy(&p->lock);
	return ret;
}

/* ------------------------------------------ coherence with the journal */

/*
 * The catalog against the journal, in one read snapshot (ingest, placement
 * and disposal go on meanwhile and must not show as problems): each
 * UNIT_INGEST entry against its unit and the unit's objects, every alive
 * unit against the entries seen, and the last copy event of each content
 * and offer against the copies listed.  The journal is read twice, in
 * order, never held in memory: one pass for the units, one grouped by
 * SQLite for the copies.
 */
struct jcheck {
	sqlite3		*db;
	json_t		*problems;
	unsigned char	*seen;		/* bit per unit.seq: its entry was read */
	long long	 maxunit;
	sqlite3_stmt	*unit, *objs;
	long long	 units, objects, copies;
};

static void jproblem(struct jcheck *, const char *, const char *,
    const char *, const char *, const char *, long long, const char *, ...)
    __attribute__((format(printf, 8, 9)));

/* A problem, named like the others: what, unit, object, content, offer. */
static void
jproblem(struct jcheck *c, const char *kind, const char *unit,
    const char *object, const char *sha, const char *offer, long long seq,
    const char *fmt, ...)
{
	char detail[512];
	va_list ap;
	json_t *pb;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	pb = json_pack("{s:s}", "problem", kind);
	if (unit != NULL)
		json_object_set_new(pb, "unit", json_string(unit));
	if (object != NULL)
		json_object_set_new(pb, "objects", json_pack("[s]", object));
	else if (sha != NULL)
		json_object_set_new(pb, "objects", objects_of(c->db, sha));
	if (sha != NULL)
		json_object_set_new(pb, "sha256", json_string(sha));
	if (offer != NULL)
		json_object_set_new(pb, "offer", json_string(offer));
	if (seq > 0)
		json_object_set_new(pb, "journal_seq", json_integer(seq));
	json_object_set_new(pb, "detail", json_string(detail));
	json_array_append_new(c->problems, pb);
}

static const char *
jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int
by_id(const void *a, const void *b)
{
	const char *x = jstr(*(json_t *const *)a, "id");
	const char *y = jstr(*(json_t *const *)b, "id");

	return strcmp(x != NULL ? x : "", y != NULL ? y : "");
}

/* A blob's SHA-256 against the hex the journal gave (NULL: none given). */
static int
same_sha(sqlite3_stmt *st, int col, const char *hex)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	char mine[65];

	if (hex == NULL)
		return sqlite3_column_type(st, col) == SQLITE_NULL;
	SHA256(sqlite3_column_blob(st, col) != NULL ?
	    sqlite3_column_blob(st, col) : (const void *)"",
	    (size_t)sqlite3_column_bytes(st, col), md);
	sae_hex(mine, md, sizeof(md));
	return strcmp(mine, hex) == 0;
}

/* One catalog object against what the journal said of it. */
static void
object_against(struct jcheck *c, const char *unit, long long seq,
    sqlite3_stmt *o, json_t *j)
{
	const char *id = catalog_text(o, 0);
	const char *s256 = catalog_text(o, 2), *s512 = catalog_text(o, 3);
	const char *j256 = jstr(j, "sha256"), *j512 = jstr(j, "sha512");
	json_t *jsize = json_object_get(j, "size");

	c->objects++;
	if (sqlite3_column_int(o, 1)) {
		if (j256 != NULL)
			jproblem(c, "digest differs from the journal", unit, id,
			    NULL, NULL, seq, "the catalog has it physical, the "
			    "journal (entry %lld) with content %s", seq, j256);
		return;
	}
	if (s256 == NULL || j256 == NULL || strcmp(s256, j256) != 0)
		jproblem(c, "digest differs from the journal", unit, id, s256,
		    NULL, seq, "SHA-256 %s in the catalog, %s in the journal "
		    "(entry %lld)", s256 ? s256 : "none", j256 ? j256 : "none",
		    seq);
	else if (s512 == NULL || j512 == NULL || strcmp(s512, j512) != 0)
		jproblem(c, "digest differs from the journal", unit, id, s256,
		    NULL, seq, "SHA-512 %.16s... in the catalog, %.16s... in the "
		    "journal (entry %lld)", s512 ? s512 : "none", j512 ? j512 :
		    "none", seq);
	else if (!json_is_integer(jsize) || json_integer_value(jsize) !=
	    sqlite3_column_int64(o, 4))
		jproblem(c, "digest differs from the journal", unit, id, s256,
		    NULL, seq, "size %lld in the catalog, %lld in the journal "
		    "(entry %lld)", (long long)sqlite3_column_int64(o, 4),
		    (long long)json_integer_value(jsize), seq);
}

/* An alive unit's metadata and objects against its UNIT_INGEST entry. */
static int
unit_against(struct jcheck *c, const char *unit, long long useq,
    long long seq, const char *detail, struct sae_err *err)
{
	json_t *d, *objs, **v = NULL;
	json_error_t jerr;
	size_t n = 0, i = 0;
	int rc;

	d = json_loads(detail != NULL ? detail : "", 0, &jerr);
	objs = json_object_get(d, "objects");
	if (d == NULL || !json_is_array(objs)) {
		jproblem(c, "unit entry unreadable", unit, NULL, NULL, NULL, seq,
		    "journal entry %lld does not list the unit's objects", seq);
		json_decref(d);
		return 0;
	}
	if (!same_sha(c->unit, 2, jstr(d, "content_sha256")) ||
	    !same_sha(c->unit, 3, jstr(d, "management_sha256")))
		jproblem(c, "metadata differs from the journal", unit, NULL,
		    NULL, NULL, seq, "the unit's metadata in the catalog no "
		    "longer has the SHA-256 journaled in entry %lld", seq);
	/* Both sides in id order, merged: a unit may have many objects. */
	n = json_array_size(objs);
	v = sae_xreallocarray(NULL, n ? n : 1, sizeof(*v));
	for (i = 0; i < n; i++)
		v[i] = json_array_get(objs, i);
	qsort(v, n, sizeof(*v), by_id);
	sqlite3_reset(c->objs);
	sqlite3_bind_int64(c->objs, 1, useq);
	i = 0;
	while ((rc = sqlite3_step(c->objs)) == SQLITE_ROW) {
		const char *id = catalog_text(c->objs, 0);

		while (i < n && strcmp(jstr(v[i], "id") ? jstr(v[i], "id") :
		    "", id) < 0) {
			jproblem(c, "object missing from the catalog", unit,
			    jstr(v[i], "id"), jstr(v[i], "sha256"), NULL, seq,
			    "journal entry %lld lists it, the catalog does not",
			    seq);
			i++;
		}
		if (i < n && strcmp(jstr(v[i], "id") ? jstr(v[i], "id") : "",
		    id) == 0)
			object_against(c, unit, seq, c->objs, v[i++]);
		else
			jproblem(c, "object not journaled", unit, id,
			    catalog_text(c->objs, 2), NULL, seq, "the catalog "
			    "gives it to the unit, journal entry %lld does not",
			    seq);
	}
	for (; i < n; i++)
		jproblem(c, "object missing from the catalog", unit,
		    jstr(v[i], "id"), jstr(v[i], "sha256"), NULL, seq,
		    "journal entry %lld lists it, the catalog does not", seq);
	sqlite3_reset(c->objs);
	free(v);
	json_decref(d);
	return rc == SQLITE_DONE ? 0 : catalog_fail(err, c->db, "audit");
}

static int
journal_units(struct jcheck *c, struct sae_err *err)
{
	sqlite3_stmt *q;
	int rc, urc;

	if ((q = catalog_prepare(c->db, "SELECT seq, unit, detail FROM journal "
	    "WHERE type = 'UNIT_INGEST' ORDER BY seq", err)) == NULL)
		return -1;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		long long seq = sqlite3_column_int64(q, 0), useq;
		const char *unit = catalog_text(q, 1);

		c->units++;
		sqlite3_reset(c->unit);
		catalog_bind_text(c->unit, 1, unit);
		if (unit == NULL ||
		    (urc = sqlite3_step(c->unit)) == SQLITE_DONE) {
			jproblem(c, "unit not in the catalog", unit, NULL, NULL,
			    NULL, seq, "journal entry %lld records its ingest, "
			    "the catalog has no such unit", seq);
			continue;
		}
		if (urc != SQLITE_ROW)
			break;
		useq = sqlite3_column_int64(c->unit, 0);
		if (useq < 1 || useq > c->maxunit)
			continue;	/* not in this snapshot's range */
		if (c->seen[useq / 8] & (1u << (useq % 8))) {
			jproblem(c, "unit journaled twice", unit, NULL, NULL,
			    NULL, seq, "journal entry %lld records its ingest "
			    "again", seq);
			continue;
		}
		c->seen[useq / 8] |= (unsigned char)(1u << (useq % 8));
		if (strcmp(catalog_text(c->unit, 1), "alive") == 0 &&
		    unit_against(c, unit, useq, seq, catalog_text(q, 2),
		    err) == -1) {
			sqlite3_finalize(q);
			return -1;
		}
	}
	sqlite3_finalize(q);
	sqlite3_reset(c->unit);
	if (rc != SQLITE_DONE)
		return catalog_fail(err, c->db, "audit journal");
	/* Alive units the journal never recorded. */
	if ((q = catalog_prepare(c->db, "SELECT seq, id FROM unit WHERE state "
	    "= 'alive' ORDER BY seq", err)) == NULL)
		return -1;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		long long useq = sqlite3_column_int64(q, 0);

		if (useq >= 1 && useq <= c->maxunit &&
		    !(c->seen[useq / 8] & (1u << (useq % 8))))
			jproblem(c, "unit not journaled", catalog_text(q, 1),
			    NULL, NULL, NULL, 0, "the catalog has it alive, the "
			    "journal has no UNIT_INGEST entry for it");
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : catalog_fail(err, c->db, "audit");
}

/*
 * Copies: the last COPY_ADD/COPY_REPAIR (written) or COPY_REMOVE/
 * COPY_DESTROY (gone) of each content and offer against the catalog.
 * Ingest writes its copies without naming the offers, so copies with no
 * such event are not judged here, and a removed one may come back with a
 * later ingest of the same content.
 */
static int
journal_copies(struct jcheck *c, struct sae_err *err)
{
	sqlite3_stmt *q = NULL, *has = NULL, *again = NULL;
	int rc, ret = -1;

	q = catalog_prepare(c->db, "SELECT json_extract(detail, '$.sha256') "
	    "AS sha, json_extract(detail, '$.offer') AS offer, type, max(seq) "
	    "FROM journal WHERE type IN ('COPY_ADD', 'COPY_REPAIR', "
	    "'COPY_REMOVE', 'COPY_DESTROY') AND json_valid(detail) GROUP BY "
	    "sha, offer ORDER BY sha, offer", err);
	has = catalog_prepare(c->db, "SELECT 1 FROM copy WHERE sha256 = ? AND "
	    "offer = ?", err);
	again = catalog_prepare(c->db, "SELECT 1 FROM object o JOIN journal j "
	    "ON j.transfer = o.transfer AND j.type = 'INGEST' WHERE o.sha256 = "
	    "?1 AND j.seq > ?2 LIMIT 1", err);
	if (q == NULL || has == NULL || again == NULL)
		goto out;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *sha = catalog_text(q, 0), *offer = catalog_text(q, 1);
		const char *type = catalog_text(q, 2);
		long long seq = sqlite3_column_int64(q, 3);
		int written, listed;

		if (sha == NULL || offer == NULL || type == NULL)
			continue;
		c->copies++;
		written = !strcmp(type, "COPY_ADD") ||
		    !strcmp(type, "COPY_REPAIR");
		sqlite3_reset(has);
		catalog_bind_text(has, 1, sha);
		catalog_bind_text(has, 2, offer);
		listed = sqlite3_step(has) == SQLITE_ROW;
		if (written && !listed)
			jproblem(c, "copy journaled but not in the catalog", NULL,
			    NULL, sha, offer, seq, "journal entry %lld (%s) says "
			    "it was written, no later entry that it went; the "
			    "catalog does not list it", seq, type);
		if (written || !listed)
			continue;
		sqlite3_reset(again);
		catalog_bind_text(again, 1, sha);
		sqlite3_bind_int64(again, 2, seq);
		if (sqlite3_step(again) != SQLITE_ROW)
			jproblem(c, "copy journaled as removed", NULL, NULL, sha,
			    offer, seq, "journal entry %lld (%s) says it went "
			    "and nothing brought it back; the catalog lists it",
			    seq, type);
	}
	if (rc != SQLITE_DONE) {
		catalog_fail(err, c->db, "audit copies");
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(q);
	sqlite3_finalize(has);
	sqlite3_finalize(again);
	return ret;
}

static int
journal_coherence(struct run *r, struct sae_err *err)
{
	struct jcheck c;
	sqlite3_stmt *q;
	int ret = -1;

	memset(&c, 0, sizeof(c));
	c.db = r->db;
	c.problems = r->problems;
	/* One snapshot: what the journal says and what the catalog holds
	 * are seen at the same instant. */
	if (catalog_exec(r->db, "BEGIN", err) == -1)
		return -1;
	if ((q = catalog_prepare(r->db, "SELECT coalesce(max(seq), 0) FROM "
	    "unit", err)) == NULL)
		goto out;
	if (sqlite3_step(q) == SQLITE_ROW)
		c.maxunit = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	c.seen = sae_xcalloc((size_t)(c.maxunit / 8 + 1), 1);
	c.unit = catalog_prepare(r->db, "SELECT seq, state, content, "
	    "management FROM unit WHERE id = ?", err);
	c.objs = catalog_prepare(r->db, "SELECT o.id, o.physical, o.sha256, "
	    "o.sha512, o.size FROM unit_group ug JOIN object o ON o.grp = "
	    "ug.grp WHERE ug.unit = ? ORDER BY o.id", err);
	if (c.unit == NULL || c.objs == NULL ||
	    journal_units(&c, err) == -1 || journal_copies(&c, err) == -1)
		goto out;
	r->junits = c.units;
	r->jobjects = c.objects;
	r->jcopies = c.copies;
	ret = 0;
out:
	sqlite3_finalize(c.unit);
	sqlite3_finalize(c.objs);
	free(c.seen);
	catalog_rollback(r->db);	/* read only: ends the snapshot */
	return ret;
}

/*
 * The journal's own hash chain (journal_verify), in one read snapshot:
 * *chain = {ok, entries, seconds} and, when it breaks, bad_seq and error,
 * with a problem named like the others.  Recorded in the report because
 * it takes seconds on a large journal (about 2 s for 300,000 entries):
 * pages show the last audit's result rather than run it.
 */
static int
chain_check(struct run *r, json_t **chain, struct sae_err *err)
{
	struct sae_err bad_err;
	struct timespec t0;
	sqlite3_stmt *q;
	long long entries = 0, bad = 0;
	int rc;

	*chain = NULL;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (catalog_exec(r->db, "BEGIN", err) == -1)
		return -1;
	if ((q = catalog_prepare(r->db, "SELECT coalesce(max(seq), 0) FROM "
	    "journal", err)) == NULL) {
		catalog_rollback(r->db);
		return -1;
	}
	if (sqlite3_step(q) == SQLITE_ROW)
		entries = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	rc = journal_verify(r->db, &bad, &bad_err);
	catalog_rollback(r->db);	/* read only: ends the snapshot */
	if (rc == -1 && bad == 0) {
		*err = bad_err;
		return -1;
	}
	*chain = json_pack("{s:b, s:I, s:f}", "ok", rc == 0, "entries",
	    (json_int_t)entries, "seconds", since(&t0));
	if (rc == -1) {
		json_object_set_new(*chain, "bad_seq", json_integer(bad));
		json_object_set_new(*chain, "error", json_string(bad_err.msg));
		json_array_append_new(r->problems, json_pack("{s:s, s:I, s:s}",
		    "problem", "journal chain broken", "journal_seq",
		    (json_int_t)bad, "detail", bad_err.msg));
	}
	return 0;
}

static int
record_last(sqlite3 *db, const char *when, struct sae_err *err)
{
	sqlite3_stmt *q;
	int rc;

	q = catalog_prepare(db, "INSERT INTO meta VALUES ('" META_LAST "', ?) "
	    "ON CONFLICT(key) DO UPDATE SET value = excluded.value", err);
	if (q == NULL)
		return -1;
	sqlite3_bind_text(q, 1, when, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : catalog_fail(err, db, "audit schedule");
}

int
audit_run(sqlite3 *db, struct store *st, const struct audit_options *opts,
    const char *agent, json_t **out, struct sae_err *err)
{
	json_t *report = NULL, *summary, *chain = NULL;
	sqlite3_stmt *q = NULL;
	char id[SAE_ID_LEN + 1], started[32], finished[32], *detail;
	char last[32];
	struct run r;
	int rc, ret = -1;

	*out = NULL;
	memset(&r, 0, sizeof(r));
	r.db = db;
	r.st = st;
	r.opts = opts;
	r.agent = agent;
	r.problems = json_array();
	if (opts->id != NULL)
		snprintf(id, sizeof(id), "%s", opts->id);
	else
		sae_id_new(id);
	sae_time_now_iso(started);
	/* The date a scheduled audit is remembered by: its start's. */
	snprintf(last, sizeof(last), "%.10s", started);
	clock_gettime(CLOCK_MONOTONIC, &r.t0);
	totals(&r);
	/* Existence and integrity of every listed copy (or a sample). */
	if (read_all(&r, err) == -1)
		goto out;
	/* Coherence: an object of an alive unit with no copy at all. */
	q = catalog_prepare(db, "SELECT DISTINCT o.id, o.sha256 FROM object o "
	    "JOIN unit_group ug ON ug.grp = o.grp JOIN unit u ON u.seq = "
	    "ug.unit WHERE u.state = 'alive' AND o.physical = 0 AND NOT EXISTS "
	    "(SELECT 1 FROM copy c WHERE c.sha256 = o.sha256) ORDER BY o.id",
	    err);
	if (q == NULL)
		goto out;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		json_array_append_new(r.problems, json_pack("{s:s, s:s, s:[s]}",
		    "problem", "no copy in the catalog", "sha256",
		    catalog_text(q, 1), "objects", catalog_text(q, 0)));
	if (rc != SQLITE_DONE) {
		catalog_fail(err, db, "audit");
		goto out;
	}
	sqlite3_finalize(q);
	q = NULL;
	/* Coherence with the journal: units, digests, copies. */
	if (journal_coherence(&r, err) == -1)
		goto out;
	/* The journal's hash chain itself. */
	if (chain_check(&r, &chain, err) == -1)
		goto out;
	sae_time_now_iso(finished);
	report = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:i, "
	    "s:I, s:I, s:O, s:b, s:f}", "id", id, "state", "done", "agent",
	    agent, "started", started, "finished", finished, "date", started,
	    "copies", (json_int_t)r.copies, "checked", (json_int_t)r.checked,
	    "bytes_checked", (json_int_t)r.bytes, "sample_percent",
	    opts->sample, "gone", (json_int_t)r.gone, "repaired",
	    (json_int_t)r.repaired, "problems", r.problems, "ok",
	    json_array_size(r.problems) == (size_t)r.repaired, "seconds",
	    since(&r.t0));
	json_object_set_new(report, "journal", json_pack("{s:I, s:I, s:I}",
	    "units", (json_int_t)r.junits, "objects", (json_int_t)r.jobjects,
	    "copies", (json_int_t)r.jcopies));
	json_object_set_new(report, "journal_chain", chain);
	chain = NULL;
	summary = json_pack("{s:s, s:I, s:I, s:I, s:I}", "id", id, "copies",
	    (json_int_t)r.copies, "checked", (json_int_t)r.checked,
	    "problems", (json_int_t)json_array_size(r.problems), "repaired",
	    (json_int_t)r.repaired);
	detail = json_dumps(summary, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(summary);
	/* A scheduled audit is remembered with its journal entry: a restart
	 * neither runs it again at once nor forgets it. */
	if (catalog_begin(db, err) == -1 || (cancelled(opts->cancel) &&
	    sae_err_set(err, SAE_EINTERNAL, CANCELLED) == -1) ||
	    (opts->scheduled &&
	    record_last(db, last, err) == -1) || journal_commit(db, "AUDIT",
	    agent, detail, err, "Audit %s : %lld copie(s) vérifiée(s), %zu "
	    "problème(s), %lld réparée(s)", id, r.checked,
	    json_array_size(r.problems), r.repaired) == -1) {
		catalog_rollback(db);
		free(detail);
		goto out;
	}
	free(detail);
	*out = report;
	report = NULL;
	ret = 0;
out:
	sqlite3_finalize(q);
	json_decref(report);
	json_decref(chain);
	json_decref(r.problems);
	return ret;
}

int
audit_due(sqlite3 *db, const char *today, int days)
{
	sqlite3_stmt *q;
	int due = -1;

	if (days <= 0)
		return 0;
	if (sqlite3_prepare_v2(db, "SELECT value IS NOT NULL AND date(value, "
	    "'+' || ?1 || ' days') <= ?2, value IS NULL FROM (SELECT (SELECT "
	    "value FROM meta WHERE key = '" META_LAST "') AS value)", -1, &q,
	    NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int(q, 1, days);
	sqlite3_bind_text(q, 2, today, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW) {
		due = sqlite3_column_int(q, 0);
		/* Never audited on schedule: the first comes a period after. */
		if (sqlite3_column_int(q, 1) && record_last(db, today,
		    NULL) == -1)
			due = -1;
	}
	sqlite3_finalize(q);
	return due;
}

/* ------------------------------------------------------------ reports */

static int
reports_dir(const char *data_dir, char *out, size_t size,
    struct sae_err *err)
{
	if (sae_path(out, size, "%s/audits", data_dir) == -1)
		return sae_err_set(err, SAE_EINVAL, "data directory path too "
		    "long");
	return 0;
}

static json_t *summary_of(json_t *);

/*
 * Beside each report, DATA/audits/ID.summary.json: what a list shows of
 * it, so that listing does not parse every problem of every report (a
 * report of 300,000 problems is 80 MB and takes 1.5 s to read).  Written
 * after the report and best effort: without it, readers read the report.
 */
static void
summary_save(const char *dir, json_t *report, const char *id)
{
	char path[4096], *text;
	struct sae_err err;
	json_t *s;

	if (sae_path(path, sizeof(path), "%s/%s.summary.json", dir, id) == -1)
		return;
	s = summary_of(report);
	text = json_dumps(s, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(s);
	if (text != NULL && sae_fs_write_atomic(path, text, strlen(text),
	    0600, &err) == -1)
		sae_log_err(LOG_WARNING, &err, "audit id=%s summary", id);
	free(text);
}

/* The summary of report ${id}: its sidecar, else from the report. */
static json_t *
summary_load(const char *data_dir, const char *dir, const char *id)
{
	char path[4096];
	json_t *rep, *s;

	if (sae_path(path, sizeof(path), "%s/%s.summary.json", dir, id) == 0 &&
	    (s = json_load_file(path, 0, NULL)) != NULL) {
		if (json_is_object(s))
			return s;
		json_decref(s);
	}
	if (audit_report_load(data_dir, id, &rep, NULL) == -1)
		return NULL;
	s = summary_of(rep);
	json_decref(rep);
	return s;
}

int
audit_report_save(const char *data_dir, json_t *report, char *path,
    size_t size, struct sae_err *err)
{
	const char *id = json_string_value(json_object_get(report, "id"));
	char dir[4096];
	char *text;
	int rc;

	if (!sae_id_valid(id))
		return sae_err_set(err, SAE_EINVAL, "an audit report without "
		    "an id");
	if (reports_dir(data_dir, dir, sizeof(dir), err) == -1 ||
	    sae_fs_mkdirp(dir, 0700, err) == -1)
		return -1;
	if (sae_path(path, size, "%s/%s.json", dir, id) == -1)
		return sae_err_set(err, SAE_EINVAL, "data directory path too "
		    "long");
	text = json_dumps(report, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	if (text == NULL)
		return sae_err_set(err, SAE_EINTERNAL, "cannot write the audit "
		    "report as JSON");
	rc = sae_fs_write_atomic(path, text, strlen(text), 0600, err);
	free(text);
	if (rc == 0)
		summary_save(dir, report, id);
	return rc;
}

int
audit_report_load(const char *data_dir, const char *id, json_t **out,
    struct sae_err *err)
{
	char dir[4096], path[4096];
	json_error_t jerr;

	*out = NULL;
	if (!sae_id_valid(id))
		return sae_err_set(err, SAE_ENOTFOUND, "no audit '%s'", id);
	if (reports_dir(data_dir, dir, sizeof(dir), err) == -1 ||
	    sae_path(path, sizeof(path), "%s/%s.json", dir, id) == -1)
		return sae_err_set(err, SAE_EINVAL, "data directory path too "
		    "long");
	if (!sae_fs_exists(path))
		return sae_err_set(err, SAE_ENOTFOUND, "no audit '%s'", id);
	if ((*out = json_load_file(path, 0, &jerr)) == NULL)
		return sae_err_set(err, SAE_EIO, "audit report '%s' cannot be "
		    "read: %s", path, jerr.text);
	return 0;
}

static int
newest_first(const void *a, const void *b)
{
	return -strcmp(*(char *const *)a, *(char *const *)b);
}

/* What a list shows of a report. */
static json_t *
summary_of(json_t *rep)
{
	static const char *const keys[] = { "id", "agent", "started",
	    "finished", "state", "ok", "sample_percent", "copies", "checked",
	    "bytes_checked", "repaired", "error", "journal_chain" };
	json_t *s = json_object(), *v;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if ((v = json_object_get(rep, keys[i])) != NULL)
			json_object_set(s, keys[i], v);
	if ((v = json_object_get(rep, "problems")) != NULL)
		json_object_set_new(s, "problems",
		    json_integer((json_int_t)json_array_size(v)));
	return s;
}

int
audit_list(const char *data_dir, json_t **out, struct sae_err *err)
{
	char dir[4096], **names = NULL, id[SAE_ID_LEN + 1];
	size_t n = 0, cap = 0, i, len;
	struct dirent *de;
	json_t *rep;
	DIR *dp;

	*out = json_array();
	if (reports_dir(data_dir, dir, sizeof(dir), err) == -1)
		return -1;
	if ((dp = opendir(dir)) == NULL)
		return 0;	/* no audit yet */
	while ((de = readdir(dp)) != NULL) {
		/* ID.json only: not the temp files of a write in progress,
		 * nor reports of older versions named by date. */
		len = strlen(de->d_name);
		if (len != SAE_ID_LEN + 5 || strcmp(de->d_name + SAE_ID_LEN,
		    ".json") != 0)
			continue;
		memcpy(id, de->d_name, SAE_ID_LEN);
		id[SAE_ID_LEN] = '\0';
		if (!sae_id_valid(id))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 32;
			names = sae_xrealloc(names, cap * sizeof(*names));
		}
		names[n++] = sae_xstrdup(id);
	}
	closedir(dp);
	if (n > 1)	/* names is NULL when there are none */
		qsort(names, n, sizeof(*names), newest_first);
	for (i = 0; i < n; i++) {
		if ((rep = summary_load(data_dir, dir, names[i])) != NULL)
			json_array_append_new(*out, rep);
		free(names[i]);
	}
	free(names);
	return 0;
}

int
audit_last(const char *data_dir, json_t **out, struct sae_err *err)
{
	char dir[4096], id[SAE_ID_LEN + 1], best[SAE_ID_LEN + 1] = "";
	struct dirent *de;
	DIR *dp;

	*out = NULL;
	if (reports_dir(data_dir, dir, sizeof(dir), err) == -1)
		return -1;
	if ((dp = opendir(dir)) == NULL)
		return 0;	/* no audit yet */
	while ((de = readdir(dp)) != NULL) {
		/* ID.json only, as audit_list; ids sort by time. */
		if (strlen(de->d_name) != SAE_ID_LEN + 5 ||
		    strcmp(de->d_name + SAE_ID_LEN, ".json") != 0)
			continue;
		memcpy(id, de->d_name, SAE_ID_LEN);
		id[SAE_ID_LEN] = '\0';
		if (sae_id_valid(id) && strcmp(id, best) > 0)
			memcpy(best, id, sizeof(best));
	}
	closedir(dp);
	if (best[0] == '\0')
		return 0;
	if ((*out = summary_load(data_dir, dir, best)) == NULL)
		return sae_err_set(err, SAE_EIO, "audit report '%s' cannot be "
		    "read", best);
	return 0;
}

/* --------------------------------------------------- background audit */

struct audit_job {
	pthread_mutex_t		 lock;
	pthread_t		 thread;
	int			 running;	/* until its report is saved */
	int			 joinable;	/* a thread to join */
	int			 stopping;
	int			 cancel;	/* read atomically by the audit */
	struct audit_options	 opts;
	struct audit_progress	 prog;
	char			 id[SAE_ID_LEN + 1];
	char			 agent[128];
	char			 started[32];
	struct catalog		*catalog;
	struct store		*st;
	char			*data_dir;
};

static void
job_progress(void *arg, const struct audit_progress *pr)
{
	struct audit_job *j = arg;

	pthread_mutex_lock(&j->lock);
	j->prog = *pr;
	pthread_mutex_unlock(&j->lock);
}

static void *
job_main(void *arg)
{
	struct audit_job *j = arg;
	char path[4096], finished[32];
	json_t *report = NULL;
	struct sae_err err;
	sqlite3 *db;
	int rc = -1;

	if ((db = catalog_get(j->catalog, &err)) != NULL) {
		rc = audit_run(db, j->st, &j->opts, j->agent, &report, &err);
		catalog_put(j->catalog, db);
	}
	if (rc == -1) {
		sae_time_now_iso(finished);
		report = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:b, s:s}",
		    "id", j->id, "state", "failed", "agent", j->agent,
		    "started", j->started, "finished", finished,
		    "sample_percent", j->opts.sample, "ok", 0, "error",
		    err.msg);
		sae_log_err(LOG_ERR, &err, "audit id=%s", j->id);
	} else
		sae_log(json_is_true(json_object_get(report, "ok")) ?
		    LOG_INFO : LOG_WARNING, "audit id=%s copies=%lld "
		    "checked=%lld problems=%zu ok=%d", j->id, (long long)
		    json_integer_value(json_object_get(report, "copies")),
		    (long long)json_integer_value(json_object_get(report,
		    "checked")), json_array_size(json_object_get(report,
		    "problems")), json_is_true(json_object_get(report, "ok")));
	if (audit_report_save(j->data_dir, report, path, sizeof(path),
	    &err) == -1)
		sae_log_err(LOG_ERR, &err, "audit id=%s report", j->id);
	json_decref(report);
	/* Running until the report is there: a reader always finds one. */
	pthread_mutex_lock(&j->lock);
	j->running = 0;
	pthread_mutex_unlock(&j->lock);
	return NULL;
}

struct audit_job *
audit_job_new(struct catalog *catalog, struct store *st,
    const char *data_dir)
{
	struct audit_job *j = sae_xcalloc(1, sizeof(*j));

	pthread_mutex_init(&j->lock, NULL);
	j->catalog = catalog;
	j->st = st;
	j->data_dir = sae_xstrdup(data_dir);
	return j;
}

int
audit_job_start(struct audit_job *j, const struct audit_options *opts,
    const char *agent, char id[SAE_ID_LEN + 1], struct sae_err *err)
{
	int ret = -1;

	pthread_mutex_lock(&j->lock);
	if (j->stopping) {
		sae_err_set(err, SAE_EINTERNAL, "saed is stopping");
		goto out;
	}
	if (j->running) {
		memcpy(id, j->id, SAE_ID_LEN + 1);
		sae_err_set(err, SAE_EEXIST, "audit %s is running", j->id);
		goto out;
	}
	if (j->joinable) {
		/* It has ended (not running): this does not wait. */
		pthread_join(j->thread, NULL);
		j->joinable = 0;
	}
	j->opts = *opts;
	j->opts.repair = 0;
	j->opts.id = j->id;
	j->opts.progress = job_progress;
	j->opts.progress_arg = j;
	j->opts.cancel = &j->cancel;
	sae_id_new(j->id);
	snprintf(j->agent, sizeof(j->agent), "%s", agent);
	sae_time_now_iso(j->started);
	memset(&j->prog, 0, sizeof(j->prog));
	__atomic_store_n(&j->cancel, 0, __ATOMIC_RELAXED);
	if (pthread_create(&j->thread, NULL, job_main, j) != 0) {
		sae_err_set(err, SAE_EINTERNAL, "cannot start the audit "
		    "thread");
		goto out;
	}
	j->running = 1;
	j->joinable = 1;
	memcpy(id, j->id, SAE_ID_LEN + 1);
	ret = 0;
out:
	pthread_mutex_unlock(&j->lock);
	return ret;
}

json_t *
audit_job_running(struct audit_job *j, const char *id)
{
	json_t *o = NULL;

	pthread_mutex_lock(&j->lock);
	if (j->running && (id == NULL || strcmp(id, j->id) == 0))
		o = json_pack("{s:s, s:s, s:s, s:s, s:i, s:{s:I, s:I, s:I, "
		    "s:I, s:f}}", "id", j->id, "state", "running", "agent",
		    j->agent, "started", j->started, "sample_percent",
		    j->opts.sample, "progress", "copies_total",
		    (json_int_t)j->prog.copies_total, "copies_done",
		    (json_int_t)j->prog.copies_done, "bytes_total",
		    (json_int_t)j->prog.bytes_total, "bytes_done",
		    (json_int_t)j->prog.bytes_done, "seconds",
		    j->prog.seconds);
	pthread_mutex_unlock(&j->lock);
	return o;
}

void
audit_job_stop(struct audit_job *j)
{
	int join;

	if (j == NULL)
		return;
	pthread_mutex_lock(&j->lock);
	j->stopping = 1;
	if (j->running) {
		sae_log(LOG_NOTICE, "audit id=%s cancelling", j->id);
		__atomic_store_n(&j->cancel, 1, __ATOMIC_RELAXED);
	}
	join = j->joinable;
	j->joinable = 0;
	pthread_mutex_unlock(&j->lock);
	/* No new thread once stopping: joined outside the lock, which the
	 * thread takes to end. */
	if (join)
		pthread_join(j->thread, NULL);
}

void
audit_job_free(struct audit_job *j)
{
	if (j == NULL)
		return;
	audit_job_stop(j);
	pthread_mutex_destroy(&j->lock);
	free(j->data_dir);
	free(j);
}
