/*
 * stats.c: holdings by age, agency and rule, and the transitions due soon.
 * One scan of the live units with their objects, folded here: the four
 * groupings by SQL cost four sorts of the whole catalog, ten times as
 * long at 100,000 units (the dashboard shows them at every visit).  An
 * object reached from several units of one key (a group shared by units)
 * is counted once for that key, as before.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "policies/dua.h"
#include "sae/catalog.h"
#include "sae/stats.h"
#include "sae/xmalloc.h"

enum { D_TOTAL, D_AGE, D_AGENCY, D_RULE, D_N };

struct bucket {
	char		*key;
	long long	 units, objects, bytes;
};

/* The buckets of one grouping, found by key through a jansson table. */
struct grouping {
	json_t		*index;		/* key -> position in b */
	struct bucket	*b;
	size_t		 n, cap;
};

/* An object as reached from one unit: its bucket in each grouping. */
struct reach {
	long long	 oseq, size;
	unsigned	 b[D_N];
};

static unsigned
bucket_of(struct grouping *g, const char *key)
{
	json_t *v;

	if (key == NULL)
		key = "-";
	if ((v = json_object_get(g->index, key)) != NULL)
		return (unsigned)json_integer_value(v);
	if (g->n == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 16;
		g->b = sae_xrealloc(g->b, g->cap * sizeof(*g->b));
	}
	memset(&g->b[g->n], 0, sizeof(g->b[g->n]));
	g->b[g->n].key = sae_xstrdup(key);
	json_object_set_new(g->index, key, json_integer((json_int_t)g->n));
	return (unsigned)g->n++;
}

static int
by_oseq(const void *a, const void *b)
{
	const struct reach *x = a, *y = b;

	return (x->oseq > y->oseq) - (x->oseq < y->oseq);
}

static int
by_key(const void *a, const void *b)
{
	return strcmp(((const struct bucket *)a)->key,
	    ((const struct bucket *)b)->key);
}

/* Each object once per bucket of each grouping: runs of one object are
 * a few rows at most. */
static void
count_objects(struct grouping *g, struct reach *r, size_t n)
{
	size_t i, j, k;
	int d, seen;

	if (n == 0)
		return;		/* r may be NULL: qsort must not see it */
	qsort(r, n, sizeof(*r), by_oseq);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && r[j].oseq == r[i].oseq; j++)
			;
		for (d = 0; d < D_N; d++)
			for (k = i; k < j; k++) {
				size_t m;

				seen = 0;
				for (m = i; m < k; m++)
					if (r[m].b[d] == r[k].b[d])
						seen = 1;
				if (seen)
					continue;
				g[d].b[r[k].b[d]].objects++;
				g[d].b[r[k].b[d]].bytes += r[k].size;
			}
	}
}

/* The grouping as {key: {units, objects, bytes}}, keys in order. */
static json_t *
grouping_json(struct grouping *g)
{
	json_t *o = json_object();
	size_t i;

	if (g->n > 0)
		qsort(g->b, g->n, sizeof(*g->b), by_key);
	for (i = 0; i < g->n; i++)
		json_object_set_new(o, g->b[i].key, json_pack("{s:I, s:I, s:I}",
		    "units", (json_int_t)g->b[i].units, "objects",
		    (json_int_t)g->b[i].objects, "bytes",
		    (json_int_t)g->b[i].bytes));
	return o;
}

/* A transition window: DUA ends or current use ends in (today, until]. */
struct window {
	char		until[11];
	long long	dua, current;
};

static int
in(const char *d, const char *today, const char *until)
{
	return d != NULL && strcmp(d, today) > 0 && strcmp(d, until) <= 0;
}

/* "by_offer": {offer: {copies, bytes}}, the copies the catalog records. */
static int
copies_by_offer(sqlite3 *db, json_t *root, struct sae_err *err)
{
	json_t *o = json_object();
	sqlite3_stmt *st;
	int rc;

	json_object_set_new(root, "by_offer", o);
	if ((st = catalog_prepare(db, "SELECT offer, count(*), "
	    "coalesce(sum(size), 0) FROM copy GROUP BY offer ORDER BY offer",
	    err)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_object_set_new(o, catalog_text(st, 0), json_pack(
		    "{s:I, s:I}", "copies", (json_int_t)sqlite3_column_int64(st,
		    1), "bytes", (json_int_t)sqlite3_column_int64(st, 2)));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : catalog_fail(err, db, "copies per offer");
}

int
stats_get(sqlite3 *db, const char *today, json_t **out, struct sae_err *err)
{
	static const int days[2] = { 30, 365 };
	struct grouping g[D_N];
	struct window w[2];
	struct reach *r = NULL;
	size_t nr = 0, cap = 0, i;
	long long last = -1;
	sqlite3_stmt *st;
	json_t *root, *t, *total;
	char key[32];
	int d, rc, ret = -1;

	memset(g, 0, sizeof(g));
	for (d = 0; d < D_N; d++)
		g[d].index = json_object();
	memset(w, 0, sizeof(w));
	for (i = 0; i < 2; i++)
		if (dua_date_add(today, days[i], DUA_DAY, w[i].until, err) == -1)
			goto out;
	/* Units in seq order, each followed by its objects (if any). */
	if ((st = catalog_prepare(db, "SELECT u.seq, u.age, u.agency, u.rule, "
	    "u.rule_end, u.current_end, o.seq, o.size FROM unit u LEFT JOIN "
	    "unit_group ug ON ug.unit = u.seq LEFT JOIN object o ON o.grp = "
	    "ug.grp AND o.physical = 0 WHERE u.state = 'alive'", err)) == NULL)
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long long useq = sqlite3_column_int64(st, 0);
		unsigned b[D_N];

		b[D_TOTAL] = bucket_of(&g[D_TOTAL], "alive");
		b[D_AGE] = bucket_of(&g[D_AGE], catalog_text(st, 1));
		b[D_AGENCY] = bucket_of(&g[D_AGENCY], catalog_text(st, 2));
		b[D_RULE] = bucket_of(&g[D_RULE], catalog_text(st, 3));
		if (useq != last) {
			const char *age = catalog_text(st, 1),
			    *end = catalog_text(st, 4),
			    *cur = catalog_text(st, 5);

			last = useq;
			for (d = 0; d < D_N; d++)
				g[d].b[b[d]].units++;
			for (i = 0; i < 2; i++) {
				w[i].dua += in(end, today, w[i].until);
				w[i].current += age != NULL &&
				    !strcmp(age, "current") &&
				    in(cur, today, w[i].until) &&
				    (end == NULL || strcmp(cur, end) < 0);
			}
		}
		if (sqlite3_column_type(st, 6) == SQLITE_NULL)
			continue;
		if (nr == cap) {
			cap = cap ? 2 * cap : 1024;
			r = sae_xrealloc(r, cap * sizeof(*r));
		}
		r[nr].oseq = sqlite3_column_int64(st, 6);
		r[nr].size = sqlite3_column_int64(st, 7);
		memcpy(r[nr].b, b, sizeof(b));
		nr++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		catalog_fail(err, db, "stats");
		goto out;
	}
	count_objects(g, r, nr);

	root = json_object();
	json_object_set_new(root, "date", json_string(today));
	total = grouping_json(&g[D_TOTAL]);
	/* "total" grouped by state has one key, "alive": lift it up. */
	json_object_set(root, "total", json_object_get(total, "alive") ?
	    json_object_get(total, "alive") : json_pack("{s:i, s:i, s:i}",
	    "units", 0, "objects", 0, "bytes", 0));
	json_decref(total);
	json_object_set_new(root, "by_age", grouping_json(&g[D_AGE]));
	json_object_set_new(root, "by_agency", grouping_json(&g[D_AGENCY]));
	json_object_set_new(root, "by_rule", grouping_json(&g[D_RULE]));
	if (copies_by_offer(db, root, err) == -1) {
		json_decref(root);
		goto out;
	}
	t = json_object();
	for (i = 0; i < 2; i++) {
		snprintf(key, sizeof(key), "next_%d_days", days[i]);
		json_object_set_new(t, key, json_pack("{s:s, s:I, s:I}",
		    "until", w[i].until, "end_of_dua", (json_int_t)w[i].dua,
		    "end_of_current_use", (json_int_t)w[i].current));
	}
	json_object_set_new(root, "transitions", t);
	*out = root;
	ret = 0;
out:
	for (d = 0; d < D_N; d++) {
		for (i = 0; i < g[d].n; i++)
			free(g[d].b[i].key);
		free(g[d].b);
		json_decref(g[d].index);
	}
	free(r);
	return ret;
}

struct stats_cache {
	pthread_mutex_t	 lock;
	long long	 journal, units;	/* what last was computed from */
	char		 today[11];
	json_t		*last;
	double		 at, took;	/* when last was computed, in how long */
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct stats_cache *
stats_cache_new(void)
{
	struct stats_cache *sc = sae_xcalloc(1, sizeof(*sc));

	pthread_mutex_init(&sc->lock, NULL);
	return sc;
}

void
stats_cache_free(struct stats_cache *sc)
{
	if (sc == NULL)
		return;
	json_decref(sc->last);
	pthread_mutex_destroy(&sc->lock);
	free(sc);
}

/*
 * What the holdings follow: every change to units, objects and copies is
 * journaled in its transaction, and a recomputation of ages that moves
 * dates without changing an age bumps units_generation.  Sign-ins, seals
 * and audits commit too, but change none of them.  Both are read through
 * an index: far cheaper than the figures.
 */
static int
fingerprint(sqlite3 *db, long long *journal, long long *units)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT (SELECT max(seq) FROM journal), "
	    "(SELECT value FROM meta WHERE key = 'units_generation')", -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*journal = sqlite3_column_int64(st, 0);
		*units = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

/*
 * Under the lock: the figures, computed again if the fingerprint or the
 * day changed (and, for a ${background} refresh, only if that spends at
 * most a tenth of the time).  The fingerprint is read before the figures:
 * a commit in between only makes the next call compute them again.
 */
static int
refresh(struct stats_cache *sc, sqlite3 *db, const char *today,
    int background, struct sae_err *err)
{
	long long journal = -1, units = -1;
	double t0;
	int known;

	known = fingerprint(db, &journal, &units) == 0;
	if (sc->last != NULL && known && journal == sc->journal &&
	    units == sc->units && strcmp(today, sc->today) == 0)
		return 0;
	t0 = now_s();
	if (background && sc->last != NULL && t0 - sc->at < 10 * sc->took)
		return 0;
	json_decref(sc->last);
	sc->last = NULL;
	if (stats_get(db, today, &sc->last, err) == -1)
		return -1;
	sc->journal = journal;
	sc->units = units;
	snprintf(sc->today, sizeof(sc->today), "%s", today);
	sc->at = now_s();
	sc->took = sc->at - t0;
	return 0;
}

int
stats_cached(struct stats_cache *sc, sqlite3 *db, const char *today,
    json_t **out, struct sae_err *err)
{
	int rc;

	pthread_mutex_lock(&sc->lock);
	if ((rc = refresh(sc, db, today, 0, err)) == 0)
		*out = json_deep_copy(sc->last);
	pthread_mutex_unlock(&sc->lock);
	return rc;
}

int
stats_refresh(struct stats_cache *sc, sqlite3 *db, const char *today,
    struct sae_err *err)
{
	int rc;

	pthread_mutex_lock(&sc->lock);
	rc = refresh(sc, db, today, 1, err);
	pthread_mutex_unlock(&sc->lock);
	return rc;
}
