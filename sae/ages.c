/*
 * ages.c: recomputes every unit's effective appraisal rule and age from
 * the catalog (declared rules, the tree, the current DUA table) with
 * policies/retention.c, then writes back what changed and journals each
 * change of age.  Each transfer's ManagementMetadata becomes a virtual
 * root above that transfer's root units, so one pass covers the catalog.
 */
#include "config.h"

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "policies/dua.h"
#include "policies/retention.h"
#include "sae/ages.h"
#include "sae/catalog.h"
#include "sae/journal.h"
#include "sae/rules.h"
#include "sae/xmalloc.h"

/* The unit columns this file computes (col_names below). */
#define NCOLS	8

/* A growable array of strings, for one category of one node. */
struct strv {
	const char	**v;
	size_t		  n, cap;
};

/* What a node declares, per category, before it becomes a ret_decl. */
struct node_decl {
	struct strv	rules, starts, refnon;
	int		prevent;
	const char	*final;
	const char	*hold_end;
};

struct node {
	long long		 seq;		/* unit seq; 0 for a transfer's root */
	char			*id;		/* unit id, or transfer id */
	char			*old[NCOLS];	/* rule, start, end, final, age, held, hold_end, current_end */
	struct node_decl	*decl;		/* DUA_NTYPES, or NULL: none */
	size_t			 nparents;
	size_t			*parents;
	size_t			 root;		/* its transfer's virtual root */
	char			 decision;	/* an archivist's: 'k'eep, 'd'estroy, 0 */
};

struct load {
	struct node	*nodes;
	size_t		 n, cap;
	size_t		 nunits;	/* nodes [0, nunits) are units */
	struct strv	 strings;	/* every string we own, freed at the end */
};

static void
strv_add(struct strv *s, const char *p)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 2;
		s->v = sae_xreallocarray(s->v, s->cap, sizeof(*s->v));
	}
	s->v[s->n++] = p;
}

static const char *
own(struct load *l, const char *s)
{
	char *p;

	if (s == NULL)
		return NULL;
	p = sae_xstrdup(s);
	strv_add(&l->strings, p);
	return p;
}

static size_t
node_add(struct load *l, long long seq, const char *id)
{
	struct node *n;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 1024;
		l->nodes = sae_xreallocarray(l->nodes, l->cap,
		    sizeof(*l->nodes));
	}
	n = &l->nodes[l->n];
	memset(n, 0, sizeof(*n));
	n->seq = seq;
	n->id = id != NULL ? sae_xstrdup(id) : NULL;
	n->root = SIZE_MAX;
	return l->n++;
}

static int
cmp_seq(const void *key, const void *elem)
{
	long long k = *(const long long *)key;
	long long s = ((const struct node *)elem)->seq;

	return k < s ? -1 : k > s;
}

/* Units are loaded in seq order: a binary search finds them. */
static struct node *
unit_by_seq(struct load *l, long long seq)
{
	return bsearch(&seq, l->nodes, l->nunits, sizeof(*l->nodes), cmp_seq);
}

/* Transfers' virtual roots follow the units, in transfer-id order. */
static size_t
root_of(struct load *l, const char *transfer)
{
	size_t lo = l->nunits, hi = l->n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(transfer, l->nodes[mid].id)) == 0)
			return mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return SIZE_MAX;
}

/*
 * A unit's id and old values in one allocation (8 strings a unit, a
 * million units: one malloc each instead of nine).
 */
static void
node_strings(struct node *n, sqlite3_stmt *st, int id_col, int old_col)
{
	const char *v[NCOLS + 1];
	size_t len[NCOLS + 1], total = 0;
	char *p;
	int k;

	for (k = 0; k <= NCOLS; k++) {
		v[k] = catalog_text(st, k == 0 ? id_col : old_col + k - 1);
		if (k == 0 && v[k] == NULL)
			v[k] = "";	/* never (NOT NULL): the block is n->id */
		len[k] = v[k] != NULL ? strlen(v[k]) + 1 : 0;
		total += len[k];
	}
	p = sae_xmalloc(total);
	for (k = 0; k <= NCOLS; k++) {
		if (v[k] == NULL)
			continue;
		memcpy(p, v[k], len[k]);
		if (k == 0)
			n->id = p;
		else
			n->old[k - 1] = p;
		p += len[k];
	}
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The alive units, then one virtual root per transfer, in transfer-id
 * order.  One scan of the unit table: units come in seq order and mostly
 * in runs of one transfer, so each run's transfer is kept once and the
 * runs are mapped to their root at the end.
 */
static int
load_units(sqlite3 *db, struct load *l, struct sae_err *err)
{
	struct strv runs = { NULL, 0, 0 }, sorted = { NULL, 0, 0 };
	sqlite3_stmt *st;
	const char *tr;
	size_t i, r, *rootof = NULL;
	int rc, ret = -1;

	st = catalog_prepare(db, "SELECT u.seq, u.id, d.decision, rule, "
	    "rule_start, rule_end, final_action, age, held, hold_end, "
	    "current_end, u.transfer FROM unit u LEFT JOIN decision d ON "
	    "d.unit = u.seq WHERE u.state = 'alive' ORDER BY u.seq", err);
	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *dec = catalog_text(st, 2);

		i = node_add(l, sqlite3_column_int64(st, 0), NULL);
		l->nodes[i].decision = dec != NULL ? dec[0] : 0;
		node_strings(&l->nodes[i], st, 1, 3);
		if ((tr = catalog_text(st, 3 + NCOLS)) == NULL)
			tr = "";	/* never: NOT NULL */
		if (runs.n == 0 || strcmp(runs.v[runs.n - 1], tr) != 0)
			strv_add(&runs, sae_xstrdup(tr));
		l->nodes[i].root = runs.n - 1;	/* its run, for now */
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		catalog_fail(err, db, "ages: units");
		goto out;
	}
	l->nunits = l->n;
	/* Distinct transfers, sorted: root_of searches them. */
	for (r = 0; r < runs.n; r++)
		strv_add(&sorted, runs.v[r]);
	if (sorted.n > 1)
		qsort(sorted.v, sorted.n, sizeof(*sorted.v), cmp_str);
	for (r = 0; r < sorted.n; r++)
		if (r == 0 || strcmp(sorted.v[r - 1], sorted.v[r]) != 0)
			node_add(l, 0, sorted.v[r]);
	/* Every run's transfer is among the roots: found. */
	rootof = sae_xcalloc(runs.n ? runs.n : 1, sizeof(*rootof));
	for (r = 0; r < runs.n; r++)
		rootof[r] = root_of(l, runs.v[r]);
	for (i = 0; i < l->nunits; i++)
		l->nodes[i].root = rootof[l->nodes[i].root];
	ret = 0;
out:
	for (r = 0; r < runs.n; r++)
		free((char *)runs.v[r]);
	free(runs.v);
	free(sorted.v);
	free(rootof);
	return ret;
}

static int
load_parents(sqlite3 *db, struct load *l, struct sae_err *err)
{
	sqlite3_stmt *st;
	struct node *c, *p;
	size_t i;
	int rc;

	st = catalog_prepare(db, "SELECT unit, parent FROM unit_parent", err);
	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		c = unit_by_seq(l, sqlite3_column_int64(st, 0));
		p = unit_by_seq(l, sqlite3_column_int64(st, 1));
		if (c == NULL || p == NULL)
			continue;	/* no longer alive */
		c->parents = sae_xreallocarray(c->parents, c->nparents + 1,
		    sizeof(*c->parents));
		c->parents[c->nparents++] = (size_t)(p - l->nodes);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return catalog_fail(err, db, "ages: tree");
	/* Root units hang under their transfer's ManagementMetadata. */
	for (i = 0; i < l->nunits; i++) {
		c = &l->nodes[i];
		if (c->nparents > 0)
			continue;
		c->parents = sae_xmalloc(sizeof(*c->parents));
		c->parents[0] = c->root;
		c->nparents = 1;
	}
	return 0;
}

static const char *
hold_end_of(struct load *l, const char *extra)
{
	json_t *o = extra != NULL ? json_loads(extra, 0, NULL) : NULL;
	const char *s = NULL;

	if (o != NULL && json_is_string(json_object_get(o, "hold_end_date")))
		s = own(l, json_string_value(json_object_get(o,
		    "hold_end_date")));
	json_decref(o);
	return s;
}

/* The rules each package declared, rows as ingest_record.c wrote them. */
static int
load_declared(sqlite3 *db, struct load *l, struct sae_err *err)
{
	sqlite3_stmt *st;
	struct node *n;
	struct node_decl *d;
	size_t i;
	int rc, c;

	st = catalog_prepare(db, "SELECT transfer, unit, category, rule, "
	    "start_date, prevent_inheritance, ref_non_rule, final_action, "
	    "extra FROM declared_rule ORDER BY rowid", err);
	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_type(st, 1) == SQLITE_NULL) {
			if ((i = root_of(l, catalog_text(st, 0))) == SIZE_MAX)
				continue;
			n = &l->nodes[i];
		} else if ((n = unit_by_seq(l,
		    sqlite3_column_int64(st, 1))) == NULL)
			continue;
		if ((c = dua_type_parse(catalog_text(st, 2))) < 0)
			continue;
		if (n->decl == NULL)
			n->decl = sae_xcalloc(DUA_NTYPES, sizeof(*n->decl));
		d = &n->decl[c];
		if (catalog_text(st, 3) != NULL) {
			strv_add(&d->rules, own(l, catalog_text(st, 3)));
			strv_add(&d->starts, own(l, catalog_text(st, 4)));
			if (c == DUA_HOLD && d->rules.n == 1)
				d->hold_end = hold_end_of(l, catalog_text(st,
				    8));
		}
		if (catalog_text(st, 6) != NULL)
			strv_add(&d->refnon, own(l, catalog_text(st, 6)));
		d->prevent |= sqlite3_column_int(st, 5);
		if (catalog_text(st, 7) != NULL)
			d->final = own(l, catalog_text(st, 7));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return catalog_fail(err, db, "ages: declared rules");
	return 0;
}

static int
same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/*
 * A recomputation runs on two threads: one computes every unit's values
 * and, for each change of age, its journal entry's canonical form and hash
 * (journal_batch_prepare); the connection's thread writes the rows.  They
 * pass chunks of units through a short queue, so memory stays bounded and
 * the rows are written in the order they were computed, as one thread
 * would have written them.  With a million changes, SQLite's writing is
 * most of the time; the computing (some 1.5 s of 10 on the bench) is
 * taken off its path.
 */

/* Strings of one chunk, freed together. */
struct arena {
	char		*cur;
	size_t		 left;
	struct strv	 blocks;
};

static const char *
arena_dup(struct arena *a, const char *s)
{
	size_t len, sz;
	char *p;

	if (s == NULL)
		return NULL;
	len = strlen(s) + 1;
	if (len > a->left) {
		sz = len > 65536 ? len : 65536;
		a->cur = sae_xmalloc(sz);
		strv_add(&a->blocks, a->cur);
		a->left = sz;
	}
	p = a->cur;
	memcpy(p, s, len);
	a->cur += len;
	a->left -= len;
	return p;
}

static void
arena_reset(struct arena *a)
{
	size_t i;

	for (i = 0; i < a->blocks.n; i++)
		free((char *)a->blocks.v[i]);
	a->blocks.n = 0;
	a->cur = NULL;
	a->left = 0;
}

/* A unit's new values, computed, to be written. */
struct rec {
	long long		 seq;
	unsigned		 mask;		/* columns that changed */
	const char		*nv[NCOLS];	/* their values (the others NULL) */
	int			 journaled;	/* a change of age: e and jp */
	struct journal_entry	 e;
	struct journal_prepared	 jp;
};

#define CHUNK	2048	/* units */
#define QUEUED	4	/* chunks computed ahead of the writer, at most */

struct chunk {
	struct rec	 r[CHUNK];
	size_t		 n;
	struct arena	 strings;
	struct chunk	*next;
};

struct pipe {
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	struct chunk	*head, *tail;	/* computed, to write */
	struct chunk	*spare;		/* written, to fill again */
	size_t		 made;		/* chunks allocated */
	int		 done;		/* the computing is over */
	int		 cancel;	/* the writer failed: stop computing */
};

/* An empty chunk for the computing thread; NULL when the writer failed. */
static struct chunk *
pipe_get(struct pipe *p)
{
	struct chunk *c = NULL;
	int make = 0;

	/* QUEUED in the queue, one being filled, one being written. */
	pthread_mutex_lock(&p->lock);
	while (!p->cancel && p->spare == NULL && p->made >= QUEUED + 2)
		pthread_cond_wait(&p->cond, &p->lock);
	if (!p->cancel) {
		if ((c = p->spare) != NULL)
			p->spare = c->next;
		else {
			p->made++;
			make = 1;
		}
	}
	pthread_mutex_unlock(&p->lock);
	if (make)
		c = sae_xcalloc(1, sizeof(*c));
	if (c != NULL)
		c->next = NULL;
	return c;
}

static void
pipe_put(struct pipe *p, struct chunk *c)
{
	pthread_mutex_lock(&p->lock);
	if (p->tail != NULL)
		p->tail->next = c;
	else
		p->head = c;
	p->tail = c;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

static void
pipe_finish(struct pipe *p)
{
	pthread_mutex_lock(&p->lock);
	p->done = 1;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

/* The next chunk to write, NULL when all are written. */
static struct chunk *
pipe_take(struct pipe *p)
{
	struct chunk *c;

	pthread_mutex_lock(&p->lock);
	while (p->head == NULL && !p->done)
		pthread_cond_wait(&p->cond, &p->lock);
	if ((c = p->head) != NULL) {
		p->head = c->next;
		if (p->head == NULL)
			p->tail = NULL;
	}
	pthread_mutex_unlock(&p->lock);
	return c;
}

static void
pipe_give_back(struct pipe *p, struct chunk *c)
{
	c->n = 0;
	arena_reset(&c->strings);
	pthread_mutex_lock(&p->lock);
	c->next = p->spare;
	p->spare = c;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

static void
pipe_cancel(struct pipe *p)
{
	pthread_mutex_lock(&p->lock);
	p->cancel = 1;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

static void
chunks_free(struct chunk *c)
{
	struct chunk *next;

	for (; c != NULL; c = next) {
		next = c->next;
		arena_reset(&c->strings);
		free(c->strings.blocks.v);
		free(c);
	}
}

/* The connection's side: prepared updates, and the journal. */
struct writer {
	sqlite3			*db;
	struct journal_batch	*jb;
	/* One UPDATE per set of changed columns, prepared when first met:
	 * a column left out of SET costs nothing, and an index none of
	 * whose columns is in SET is not touched (a change of age alone
	 * leaves unit_agency_end as it is). */
	sqlite3_stmt		*up[1 << NCOLS];
};

/* The unit columns this file computes, in the order of node.old. */
static const char *const col_names[NCOLS] = { "rule", "rule_start",
    "rule_end", "final_action", "age", "held", "hold_end", "current_end" };

/* The UPDATE of the columns in ${mask} (bit k: col_names[k]); parameter
 * k + 1 is column k's value, NCOLS + 1 the unit's seq. */
static sqlite3_stmt *
update_stmt(struct writer *w, unsigned mask, struct sae_err *err)
{
	struct sae_buf sql = SAE_BUF_INIT;
	const char *sep = "";
	int k;

	if (w->up[mask] != NULL)
		return w->up[mask];
	sae_buf_adds(&sql, "UPDATE unit SET ");
	for (k = 0; k < NCOLS; k++)
		if (mask & (1u << k)) {
			sae_buf_printf(&sql, "%s%s = ?%d", sep, col_names[k],
			    k + 1);
			sep = ", ";
		}
	sae_buf_printf(&sql, " WHERE seq = ?%d", NCOLS + 1);
	w->up[mask] = catalog_prepare(w->db, sql.data, err);
	sae_buf_done(&sql);
	return w->up[mask];
}

/* Writes back one unit's changed values and its journal entry. */
static int
write_rec(struct writer *w, const struct rec *r, struct sae_err *err)
{
	sqlite3_stmt *up;
	int k, rc;

	if ((up = update_stmt(w, r->mask, err)) == NULL)
		return -1;
	/* r lives until the step: SQLite need not copy its strings. */
	for (k = 0; k < NCOLS; k++)
		if (!(r->mask & (1u << k)))
			continue;
		else if (r->nv[k] == NULL)
			sqlite3_bind_null(up, 1 + k);
		else
			sqlite3_bind_text(up, 1 + k, r->nv[k], -1,
			    SQLITE_STATIC);
	sqlite3_bind_int64(up, NCOLS + 1, r->seq);
	rc = sqlite3_step(up);
	sqlite3_reset(up);
	if (rc != SQLITE_DONE)
		return catalog_fail(err, w->db, "ages: update");
	if (r->journaled)
		return journal_batch_write(w->jb, &r->e, &r->jp, err);
	return 0;
}

/* Every chunk, as they come, until the computing is over. */
static int
write_all(struct writer *w, struct pipe *p, struct sae_err *err)
{
	struct chunk *c;
	size_t i;

	while ((c = pipe_take(p)) != NULL) {
		for (i = 0; i < c->n; i++)
			if (write_rec(w, &c->r[i], err) == -1) {
				pipe_give_back(p, c);
				pipe_cancel(p);
				return -1;
			}
		pipe_give_back(p, c);
	}
	return 0;
}

/*
 * Where recomputed values go: a preview's list of changes, or chunks for
 * the writer (with a writer of our own, written at once, when there is no
 * second thread).
 */
struct out {
	json_t			*changes;	/* a preview */
	struct pipe		*p;
	struct chunk		*cur;		/* being filled */
	struct writer		*w;		/* no thread: write at once */
	struct journal_batch	*jb;		/* its preparing half */
	const char		*agent;
	struct sae_buf		 detail;	/* reused for every entry */
};

/*
 * An AGE_CHANGE detail in canonical form, keys in byte order, so that the
 * journal hashes it as it is (journal_batch_prepare, direct) instead of
 * parsing it again: a first recomputation journals a million of them.  -1 when a
 * value is not valid UTF-8 (jansson then decides, as it always did).
 */
static int
age_detail(struct sae_buf *b, const struct node *n, const char *nv[NCOLS])
{
	int rc = 0;

	sae_buf_reset(b);
	sae_buf_adds(b, "{\"end_date\":");
	rc |= journal_json_string(b, nv[2]);
	sae_buf_adds(b, ",\"final_action\":");
	rc |= journal_json_string(b, nv[3]);
	sae_buf_adds(b, ",\"from\":");
	rc |= journal_json_string(b, n->old[4] ? n->old[4] : "");
	sae_buf_adds(b, ",\"rule\":");
	rc |= journal_json_string(b, nv[0]);
	sae_buf_adds(b, ",\"to\":");
	rc |= journal_json_string(b, nv[4]);
	sae_buf_addc(b, '}');
	return rc != 0 ? -1 : 0;
}

/* The same detail made by jansson, for the values age_detail refuses. */
static char *
age_detail_json(const struct node *n, const char *nv[NCOLS])
{
	json_t *d;
	char *detail;

	d = json_object();
	json_object_set_new(d, "from", json_string(n->old[4] ? n->old[4] :
	    ""));
	json_object_set_new(d, "to", json_string(nv[4]));
	json_object_set_new(d, "rule", nv[0] ? json_string(nv[0]) :
	    json_null());
	json_object_set_new(d, "end_date", nv[2] ? json_string(nv[2]) :
	    json_null());
	json_object_set_new(d, "final_action", nv[3] ? json_string(nv[3]) :
	    json_null());
	detail = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(d);
	return detail;
}

/* A change of age's journal entry, its strings in the chunk, hashed. */
static int
journal_rec(struct out *o, struct arena *a, struct rec *r,
    const struct node *n, const char *nv[NCOLS], struct sae_err *err)
{
	char *detail, msg[128];
	int direct = 1;

	snprintf(msg, sizeof(msg), "Changement d'âge : %s → %s",
	    n->old[4] ? n->old[4] : "?", nv[4]);
	memset(&r->e, 0, sizeof(r->e));
	r->e.type = "AGE_CHANGE";
	r->e.outcome = "OK";
	r->e.agent = o->agent;
	r->e.unit = n->id;		/* lives as long as the load */
	r->e.message = arena_dup(a, msg);
	if (age_detail(&o->detail, n, nv) == 0)
		r->e.detail = arena_dup(a, o->detail.data);
	else {
		detail = age_detail_json(n, nv);
		r->e.detail = arena_dup(a, detail);
		free(detail);
		direct = 0;
	}
	return journal_batch_prepare(o->jb, &r->e, direct, &r->jp, err);
}

/* One unit's changed values, to the writer. */
static int
emit(struct out *o, const struct node *n, const char *nv[NCOLS],
    unsigned mask, struct sae_err *err)
{
	struct rec *r, one;
	struct arena a1 = { NULL, 0, { NULL, 0, 0 } }, *a = &a1;
	int k, rc = -1;

	if (o->w != NULL)
		r = &one;	/* no thread: written below */
	else {
		if (o->cur == NULL && (o->cur = pipe_get(o->p)) == NULL)
			return sae_err_set(err, SAE_EINTERNAL, "ages: the "
			    "writer stopped");
		r = &o->cur->r[o->cur->n];
		a = &o->cur->strings;
	}
	r->seq = n->seq;
	r->mask = mask;
	for (k = 0; k < NCOLS; k++)
		r->nv[k] = mask & (1u << k) ? arena_dup(a, nv[k]) : NULL;
	r->journaled = !same(n->old[4], nv[4]);
	if (r->journaled && journal_rec(o, a, r, n, nv, err) == -1)
		goto out;
	if (o->w != NULL) {
		rc = write_rec(o->w, r, err);
		goto out;
	}
	if (++o->cur->n == CHUNK) {
		pipe_put(o->p, o->cur);
		o->cur = NULL;
	}
	rc = 0;
out:
	if (a == &a1) {
		arena_reset(&a1);
		free(a1.blocks.v);
	}
	return rc;
}

static void
decls_of(const struct node *n, struct ret_decl *out)
{
	size_t c;

	memset(out, 0, DUA_NTYPES * sizeof(*out));
	if (n->decl == NULL)
		return;
	for (c = 0; c < DUA_NTYPES; c++) {
		const struct node_decl *d = &n->decl[c];

		out[c].present = d->rules.n || d->refnon.n || d->prevent ||
		    d->final != NULL;
		out[c].rules = d->rules.v;
		out[c].starts = d->starts.v;
		out[c].nrules = d->rules.n;
		out[c].prevent_inheritance = d->prevent;
		out[c].ref_non_rule_ids = d->refnon.v;
		out[c].nref_non_rule_ids = d->refnon.n;
		out[c].final_action = d->final;
		out[c].hold_end_date = d->hold_end;
	}
}

/* One unit's new values against its old ones: written, or previewed. */
static int
settle(struct out *o, const struct node *n, const struct ret_effective *e,
    const char *today, struct ages_stats *stats, struct sae_err *err)
{
	enum ret_age age = retention_age(e, today);
	const char *nv[NCOLS] = { NULL };
	unsigned changed = 0;
	size_t k;

	/* A unit awaiting the archivist's keep-or-destroy goes where the
	 * archivist said; while the rules say otherwise, the decision waits. */
	if (age == RET_REVIEW && n->decision == 'k')
		age = RET_DEFINITIVE;
	else if (age == RET_REVIEW && n->decision == 'd')
		age = RET_DISPOSAL;

	/* The rule shown is the one its end date comes from. */
	if (e->nrules[DUA_APPRAISAL] > 0) {
		nv[0] = e->rules[DUA_APPRAISAL][e->dua_rule].rule_id;
		nv[1] = e->rules[DUA_APPRAISAL][e->dua_rule].start;
	}
	nv[2] = e->dua_end[0] != '\0' ? e->dua_end : NULL;
	nv[3] = e->final_action != DUA_FINAL_NONE ?
	    dua_final_name(e->final_action) : NULL;
	nv[4] = retention_age_name(age);
	nv[5] = e->held ? "1" : "0";
	nv[6] = e->hold_end[0] != '\0' ? e->hold_end : NULL;
	nv[7] = e->current_end[0] != '\0' ? e->current_end : NULL;
	for (k = 0; k < NCOLS; k++)
		if (!same(n->old[k], nv[k]))
			changed |= 1u << k;
	stats->units++;
	stats->by_age[age]++;
	stats->changed += changed != 0;
	stats->age_changes += !same(n->old[4], nv[4]);
	if (!changed)
		return 0;
	if (o->changes == NULL)
		return emit(o, n, nv, changed, err);
	/* A preview: say what would change, write nothing. */
	if (!same(n->old[4], nv[4]) || !same(n->old[2], nv[2]))
		json_array_append_new(o->changes, json_pack("{s:s, s:s?, s:s, "
		    "s:s?, s:s?}", "unit", n->id, "age", n->old[4], "new_age",
		    nv[4], "end_date", n->old[2], "new_end_date", nv[2]));
	return 0;
}

/*
 * The units of one transfer, under their ManagementMetadata, are computed
 * together (no tree crosses transfers): memory follows the largest
 * transfer, not the catalog.
 */
static int
apply_group(struct out *o, struct load *l, size_t root,
    const size_t *members, size_t nm, size_t *local,
    const struct dua_table *t, const char *today,
    const struct ret_defaults *def, struct ages_stats *stats,
    struct sae_err *err)
{
	struct ret_decl meta[DUA_NTYPES];
	struct ret_unit *units = sae_xcalloc(nm + 1, sizeof(*units));
	struct ret_effective *eff = sae_xcalloc(nm + 1, sizeof(*eff));
	size_t *pbuf, np = 0, i, k;
	int ret = -1;

	memset(meta, 0, sizeof(meta));
	local[root] = 0;
	for (i = 0; i < nm; i++) {
		local[members[i]] = i + 1;
		np += l->nodes[members[i]].nparents;
	}
	pbuf = sae_xcalloc(np ? np : 1, sizeof(*pbuf));
	decls_of(&l->nodes[root], units[0].decl);
	for (i = 0, np = 0; i < nm; i++) {
		const struct node *n = &l->nodes[members[i]];

		decls_of(n, units[i + 1].decl);
		units[i + 1].parents = pbuf + np;
		for (k = 0; k < n->nparents; k++)
			if (local[n->parents[k]] != SIZE_MAX)
				pbuf[np + units[i + 1].nparents++] =
				    local[n->parents[k]];
		np += units[i + 1].nparents;
	}
	if (retention_compute(t, meta, units, nm + 1, def, today, eff,
	    err) == -1)
		goto out;
	for (i = 0; i < nm; i++)
		if (settle(o, &l->nodes[members[i]], &eff[i + 1], today, stats,
		    err) == -1)
			goto out;
	ret = 0;
out:
	for (i = 0; i < nm; i++)
		local[members[i]] = SIZE_MAX;
	local[root] = SIZE_MAX;
	for (i = 0; i <= nm; i++)
		retention_free(&eff[i]);
	free(eff);
	free(units);
	free(pbuf);
	return ret;
}

/* Every unit's values, transfer by transfer, to ${o}. */
static int
apply(struct load *l, const struct dua_table *t, const char *today,
    const struct ret_defaults *def, struct ages_stats *stats, struct out *o,
    struct sae_err *err)
{
	size_t ngroups = l->n - l->nunits, *start, *order, *local, *fill;
	size_t i, g;
	int ret = -1;

	/* Units by transfer (counting sort on their virtual root). */
	start = sae_xcalloc(ngroups + 2, sizeof(*start));
	fill = sae_xcalloc(ngroups + 1, sizeof(*fill));
	order = sae_xcalloc(l->nunits ? l->nunits : 1, sizeof(*order));
	local = sae_xmalloc((l->n ? l->n : 1) * sizeof(*local));
	for (i = 0; i < l->n; i++)
		local[i] = SIZE_MAX;
	/* A unit without its transfer (none: both are read in one
	 * transaction) would be left as it is. */
	for (i = 0; i < l->nunits; i++)
		if (l->nodes[i].root != SIZE_MAX)
			start[l->nodes[i].root - l->nunits + 1]++;
	for (g = 0; g < ngroups; g++)
		start[g + 1] += start[g];
	for (i = 0; i < l->nunits; i++)
		if (l->nodes[i].root != SIZE_MAX) {
			g = l->nodes[i].root - l->nunits;
			order[start[g] + fill[g]++] = i;
		}
	for (g = 0; g < ngroups; g++)
		if (apply_group(o, l, l->nunits + g, order + start[g],
		    start[g + 1] - start[g], local, t, today, def, stats,
		    err) == -1)
			goto out;
	ret = 0;
out:
	free(start);
	free(fill);
	free(order);
	free(local);
	return ret;
}

/* The computing thread. */
struct compute {
	struct load		*l;
	const struct dua_table	*t;
	const char		*today;
	const struct ret_defaults *def;
	struct ages_stats	*stats;
	struct out		*o;
	struct sae_err		 err;
	int			 ret;
};

static void *
compute_main(void *arg)
{
	struct compute *c = arg;
	struct out *o = c->o;

	c->ret = apply(c->l, c->t, c->today, c->def, c->stats, o, &c->err);
	if (o->cur != NULL) {
		if (c->ret == 0 && o->cur->n > 0)
			pipe_put(o->p, o->cur);
		else
			chunks_free(o->cur);
		o->cur = NULL;
	}
	pipe_finish(o->p);
	return NULL;
}

/*
 * Computes on a thread of its own while this one writes; with no thread,
 * computes and writes here.
 */
static int
apply_write(sqlite3 *db, struct load *l, const struct dua_table *t,
    const char *today, const char *agent, const struct ret_defaults *def,
    struct ages_stats *stats, struct sae_err *err)
{
	struct writer w;
	struct pipe p;
	struct out o;
	struct compute c;
	pthread_t th;
	size_t i;
	int ret = -1, wrc;

	memset(&w, 0, sizeof(w));
	memset(&p, 0, sizeof(p));
	memset(&o, 0, sizeof(o));
	memset(&c, 0, sizeof(c));
	w.db = db;
	if (journal_batch_begin(&w.jb, db, err) == -1)
		return -1;
	pthread_mutex_init(&p.lock, NULL);
	pthread_cond_init(&p.cond, NULL);
	sae_buf_init(&o.detail);
	o.p = &p;
	o.jb = w.jb;
	o.agent = agent;
	c.l = l;
	c.t = t;
	c.today = today;
	c.def = def;
	c.stats = stats;
	c.o = &o;
	if (pthread_create(&th, NULL, compute_main, &c) != 0) {
		o.w = &w;
		ret = apply(l, t, today, def, stats, &o, err);
		goto out;
	}
	wrc = write_all(&w, &p, err);
	pthread_join(th, NULL);
	if (wrc == 0 && c.ret == -1)
		*err = c.err;	/* the writer's error comes first */
	ret = wrc == 0 && c.ret == 0 ? 0 : -1;
out:
	chunks_free(p.head);
	chunks_free(p.spare);
	pthread_cond_destroy(&p.cond);
	pthread_mutex_destroy(&p.lock);
	sae_buf_done(&o.detail);
	for (i = 0; i < sizeof(w.up) / sizeof(*w.up); i++)
		sqlite3_finalize(w.up[i]);
	journal_batch_end(w.jb);
	return ret;
}

static void
load_free(struct load *l)
{
	size_t i, c;

	for (i = 0; i < l->n; i++) {
		struct node *n = &l->nodes[i];

		free(n->id);	/* and old[], in the same block */
		free(n->parents);
		if (n->decl != NULL)
			for (c = 0; c < DUA_NTYPES; c++) {
				free(n->decl[c].rules.v);
				free(n->decl[c].starts.v);
				free(n->decl[c].refnon.v);
			}
		free(n->decl);
	}
	free(l->nodes);
	for (i = 0; i < l->strings.n; i++)
		free((char *)l->strings.v[i]);
	free(l->strings.v);
}

int
ages_recompute(sqlite3 *db, const char *today, const char *agent,
    const struct ret_defaults *def, struct ages_stats *stats,
    struct sae_err *err)
{
	struct dua_table *t = NULL;
	struct ages_stats local;
	struct load l;
	int ret = -1;

	memset(&l, 0, sizeof(l));
	memset(&local, 0, sizeof(local));
	if (stats == NULL)
		stats = &local;
	memset(stats, 0, sizeof(*stats));
	/* One transaction: a consistent catalog in, every change out. */
	if (catalog_begin(db, err) == -1)
		return -1;
	if (rules_load(db, &t, err) == -1 || load_units(db, &l, err) == -1 ||
	    load_parents(db, &l, err) == -1 ||
	    load_declared(db, &l, err) == -1 ||
	    apply_write(db, &l, t, today, agent, def, stats, err) == -1)
		goto out;
	/* Whoever moves copies (saed's scheduler) sees that ages changed,
	 * even when sae-admin changed them. */
	if (stats->age_changes > 0 && ages_bump_generation(db, err) == -1)
		goto out;
	/* Dates that moved without a change of age are not journaled: the
	 * holdings' cache (stats.c) learns of them here. */
	if (stats->changed > 0 && catalog_exec(db, "INSERT INTO meta VALUES "
	    "('units_generation', '1') ON CONFLICT(key) DO UPDATE SET value = "
	    "value + 1", err) == -1)
		goto out;
	if (catalog_commit(db, err) == -1)
		goto out;
	ret = 0;
out:
	if (ret == -1)
		catalog_rollback(db);
	dua_table_free(t);
	load_free(&l);
	return ret;
}

int
ages_preview(sqlite3 *db, const struct dua_table *t, const char *today,
    const struct ret_defaults *def, json_t **changes, struct sae_err *err)
{
	struct ages_stats stats;
	struct load l;
	struct out o;
	int ret = -1;

	memset(&l, 0, sizeof(l));
	memset(&stats, 0, sizeof(stats));
	memset(&o, 0, sizeof(o));
	*changes = o.changes = json_array();
	if (catalog_exec(db, "BEGIN", err) == -1)
		goto out;
	if (load_units(db, &l, err) == -1 || load_parents(db, &l, err) == -1 ||
	    load_declared(db, &l, err) == -1 ||
	    apply(&l, t, today, def, &stats, &o, err) == -1)
		goto out;
	ret = 0;
out:
	catalog_rollback(db);
	load_free(&l);
	if (ret == -1) {
		json_decref(*changes);
		*changes = NULL;
	}
	return ret;
}

int
ages_bump_generation(sqlite3 *db, struct sae_err *err)
{
	return catalog_exec(db, "INSERT INTO meta VALUES ('ages_generation', "
	    "'1') ON CONFLICT(key) DO UPDATE SET value = value + 1", err);
}

long long
ages_generation(sqlite3 *db)
{
	sqlite3_stmt *st;
	long long g = 0;

	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = "
	    "'ages_generation'", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		g = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return g;
}

void
ages_today(char out[11])
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}
