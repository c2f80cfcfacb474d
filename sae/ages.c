/*
 * ages.c: recomputes every unit's effective appraisal rule and age from
 * the catalog (declared rules, the tree, the current DUA table) with
 * policies/retention.c, then writes back what changed and journals each
 * change of age.  Each transfer's ManagementMetadata becomes a virtual
 * root above that transfer's root units, so one pass covers the catalog.
 */
#include "config.h"

#include <jansson.h>
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

/* The unit columns this file computes, in this order. */
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

/* Where recomputed values go: the prepared update and the journal. */
struct out {
	sqlite3_stmt		*up;
	struct journal_batch	*jb;
	struct sae_buf		 detail;	/* reused for every entry */
};

/*
 * An AGE_CHANGE detail in canonical form, keys in byte order, so that the
 * journal hashes it as it is (journal_batch_add_direct) instead of parsing
 * it again: a first recomputation journals a million of them.  -1 when a
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

/* Writes back one unit's values; journals a change of age. */
static int
update_unit(sqlite3 *db, struct out *o, const struct node *n,
    const char *nv[NCOLS], const char *agent, struct sae_err *err)
{
	struct journal_entry e;
	char *detail = NULL, msg[128];
	int k, rc;

	/* nv and n live until the step: SQLite need not copy them. */
	for (k = 0; k < NCOLS; k++)
		if (nv[k] == NULL)
			sqlite3_bind_null(o->up, 1 + k);
		else
			sqlite3_bind_text(o->up, 1 + k, nv[k], -1,
			    SQLITE_STATIC);
	sqlite3_bind_int64(o->up, NCOLS + 1, n->seq);
	rc = sqlite3_step(o->up);
	sqlite3_reset(o->up);
	if (rc != SQLITE_DONE)
		return catalog_fail(err, db, "ages: update");
	if (same(n->old[4], nv[4]))
		return 0;
	snprintf(msg, sizeof(msg), "Changement d'âge : %s → %s",
	    n->old[4] ? n->old[4] : "?", nv[4]);
	memset(&e, 0, sizeof(e));
	e.type = "AGE_CHANGE";
	e.outcome = "OK";
	e.agent = agent;
	e.unit = n->id;
	e.message = msg;
	if (age_detail(&o->detail, n, nv) == 0) {
		e.detail = o->detail.data;
		return journal_batch_add_direct(o->jb, &e, NULL, err);
	}
	e.detail = detail = age_detail_json(n, nv);
	rc = journal_batch_add(o->jb, &e, NULL, err);
	free(detail);
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
settle(sqlite3 *db, struct out *o, const struct node *n,
    const struct ret_effective *e, const char *today, const char *agent,
    struct ages_stats *stats, json_t *changes, struct sae_err *err)
{
	enum ret_age age = retention_age(e, today);
	const char *nv[NCOLS] = { NULL };
	int changed = 0;
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
			changed = 1;
	stats->units++;
	stats->by_age[age]++;
	stats->changed += (size_t)changed;
	stats->age_changes += !same(n->old[4], nv[4]);
	if (!changed)
		return 0;
	if (changes == NULL)
		return update_unit(db, o, n, nv, agent, err);
	/* A preview: say what would change, write nothing. */
	if (!same(n->old[4], nv[4]) || !same(n->old[2], nv[2]))
		json_array_append_new(changes, json_pack("{s:s, s:s?, s:s, "
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
apply_group(sqlite3 *db, struct out *o, struct load *l, size_t root,
    const size_t *members, size_t nm, size_t *local,
    const struct dua_table *t, const char *today, const char *agent,
    const struct ret_defaults *def, struct ages_stats *stats,
    json_t *changes, struct sae_err *err)
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
		if (settle(db, o, &l->nodes[members[i]], &eff[i + 1],
		    today, agent, stats, changes, err) == -1)
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

static int
apply(sqlite3 *db, struct load *l, const struct dua_table *t,
    const char *today, const char *agent, const struct ret_defaults *def,
    struct ages_stats *stats, json_t *changes, struct sae_err *err)
{
	size_t ngroups = l->n - l->nunits, *start, *order, *local, *fill;
	struct out o = { NULL, NULL, SAE_BUF_INIT };
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
	o.up = catalog_prepare(db, "UPDATE unit SET rule = ?, rule_start = ?, "
	    "rule_end = ?, final_action = ?, age = ?, held = ?, hold_end = ?, "
	    "current_end = ? WHERE seq = ?", err);
	if (o.up == NULL)
		goto out;
	/* A preview runs in a read transaction and journals nothing. */
	if (changes == NULL && journal_batch_begin(&o.jb, db, err) == -1)
		goto out;
	for (g = 0; g < ngroups; g++)
		if (apply_group(db, &o, l, l->nunits + g, order + start[g],
		    start[g + 1] - start[g], local, t, today, agent, def, stats,
		    changes, err) == -1)
			goto out;
	ret = 0;
out:
	journal_batch_end(o.jb);
	sqlite3_finalize(o.up);
	sae_buf_done(&o.detail);
	free(start);
	free(fill);
	free(order);
	free(local);
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
	    apply(db, &l, t, today, agent, def, stats, NULL, err) == -1)
		goto out;
	/* Whoever moves copies (saed's scheduler) sees that ages changed,
	 * even when sae-admin changed them. */
	if (stats->age_changes > 0 && ages_bump_generation(db, err) == -1)
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
	int ret = -1;

	memset(&l, 0, sizeof(l));
	memset(&stats, 0, sizeof(stats));
	*changes = json_array();
	if (catalog_exec(db, "BEGIN", err) == -1)
		goto out;
	if (load_units(db, &l, err) == -1 || load_parents(db, &l, err) == -1 ||
	    load_declared(db, &l, err) == -1 ||
	    apply(db, &l, t, today, NULL, def, &stats, *changes, err) == -1)
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
