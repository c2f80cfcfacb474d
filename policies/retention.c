/*
 * retention.c: effective management rules of archive units (inheritance
 * from parents and ManagementMetadata, PreventInheritance, RefNonRuleId,
 * local overrides), their end dates, the final action, the current-use
 * end, holds, and the age that follows.  Pure computation over the
 * structs it is given: no I/O, no clock, no logging.
 *
 * Dates are "YYYY-MM-DD", so strcmp orders them.  An end date is the
 * first day after the period, as in Vitam (expired when end <= today).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policies/retention.h"
#include "sae/xmalloc.h"

/* Who declared a rule, for error messages: a unit index or META. */
#define META	SIZE_MAX

/* A rule of the list being built, with its table row. */
struct item {
	const struct dua_rule	*row;
	struct ret_rule		 r;
};

struct ctx {
	const struct dua_table	 *table;
	const struct dua_rule	**byid;	/* rows sorted by id, for bsearch */
	/*
	 * Per table row: the generation of the list that already holds it
	 * and where.  Finding a repeated rule id is then constant time,
	 * however many parents a unit has.
	 */
	size_t			 *mark;
	size_t			 *slot;
	size_t			  gen;
	struct item		 *work;
	size_t			  nwork;
	size_t			  capwork;
	struct ret_defaults	  defaults;
	const char		 *today;
	struct sae_err		 *err;
};

/* Where DFS stands on a unit. */
enum { TODO = 0, ON_PATH, DONE };

struct frame {
	size_t	u;
	size_t	next;	/* next parent to visit */
};

static int
byid_cmp(const void *a, const void *b)
{
	const struct dua_rule *const *x = a, *const *y = b;

	return strcmp((*x)->id, (*y)->id);
}

static int
key_cmp(const void *key, const void *elt)
{
	const struct dua_rule *const *r = elt;

	return strcmp(key, (*r)->id);
}

static void
ctx_init(struct ctx *x, const struct dua_table *t,
    const struct ret_defaults *defaults, const char *today,
    struct sae_err *err)
{
	size_t i, n = t != NULL ? t->n : 0;

	memset(x, 0, sizeof(*x));
	x->table = t;
	/* dua_table_find scans; a million units need better. */
	x->byid = sae_xreallocarray(NULL, n, sizeof(*x->byid));
	for (i = 0; i < n; i++)
		x->byid[i] = &t->rules[i];
	if (n > 1)
		qsort(x->byid, n, sizeof(*x->byid), byid_cmp);
	x->mark = sae_xcalloc(n, sizeof(*x->mark));
	x->slot = sae_xcalloc(n, sizeof(*x->slot));
	if (defaults != NULL)
		x->defaults = *defaults;
	else {
		x->defaults.current_duration = 1;
		x->defaults.current_measure = DUA_YEAR;
	}
	x->today = today;
	x->err = err;
}

static void
ctx_done(struct ctx *x)
{
	free(x->byid);
	free(x->mark);
	free(x->slot);
	free(x->work);
}

static const struct dua_rule *
find(const struct ctx *x, const char *id)
{
	const struct dua_rule *const *p;

	if (id == NULL || x->table == NULL || x->table->n == 0)
		return NULL;
	p = bsearch(id, x->byid, x->table->n, sizeof(*x->byid), key_cmp);
	return p != NULL ? *p : NULL;
}

/* Starts an empty list whose marks differ from every earlier one. */
static void
list_reset(struct ctx *x)
{
	x->nwork = 0;
	if (++x->gen == 0) {
		/* Wrapped: old marks could look current again. */
		if (x->table != NULL)
			memset(x->mark, 0, x->table->n * sizeof(*x->mark));
		x->gen = 1;
	}
}

/* Orders dates where NULL or "" means never: never comes last. */
static int
date_cmp(const char *a, const char *b)
{
	int ainf = a == NULL || *a == '\0';
	int binf = b == NULL || *b == '\0';

	if (ainf || binf)
		return ainf - binf;
	return strcmp(a, b);
}

/*
 * Of two entries with one rule id, the one that lasts longer: the later
 * end (none is latest), then the later start (none is latest).  Keeping
 * the longer one never makes a unit expire early.
 */
static int
lasts_longer(const struct ret_rule *a, const struct ret_rule *b)
{
	int c = date_cmp(a->end, b->end);

	return c != 0 ? c > 0 : date_cmp(a->start, b->start) > 0;
}

/* Adds ${it} to the list, one entry per rule id; the unit's own wins. */
static void
list_add(struct ctx *x, const struct item *it)
{
	size_t k = (size_t)(it->row - x->table->rules);
	struct item *o;

	if (x->mark[k] == x->gen) {
		o = &x->work[x->slot[k]];
		if (o->r.inherited && !it->r.inherited)
			*o = *it;
		else if (o->r.inherited == it->r.inherited &&
		    lasts_longer(&it->r, &o->r))
			*o = *it;
		return;
	}
	if (x->nwork == x->capwork) {
		x->capwork = x->capwork != 0 ? x->capwork * 2 : 16;
		x->work = sae_xreallocarray(x->work, x->capwork,
		    sizeof(*x->work));
	}
	x->mark[k] = x->gen;
	x->slot[k] = x->nwork;
	x->work[x->nwork++] = *it;
}

static int
refused(const struct ret_decl *d, const char *id)
{
	size_t i;

	for (i = 0; i < d->nref_non_rule_ids; i++)
		if (d->ref_non_rule_ids[i] != NULL &&
		    strcmp(d->ref_non_rule_ids[i], id) == 0)
			return 1;
	return 0;
}

/* Says which unit and rule ${err} is about; returns -1. */
static int
who_err(struct ctx *x, size_t u, const char *what, const char *id)
{
	if (u == META)
		sae_err_prefix(x->err, "ManagementMetadata, %s '%.64s'", what,
		    id);
	else
		sae_err_prefix(x->err, "Unit %zu, %s '%.64s'", u, what, id);
	return -1;
}

/*
 * The end of a rule declared with ${start}.  A HoldRule without duration
 * ends at its HoldEndDate (${hold_end}); otherwise no start, no duration
 * or "unlimited" give no end.
 */
static int
end_of(struct ctx *x, const struct dua_rule *row, const char *start,
    const char *hold_end, char end[11], size_t u)
{
	const char *type = dua_type_name(row->type);

	end[0] = '\0';
	if (start != NULL && !dua_date_valid(start)) {
		sae_err_set(x->err, SAE_EINVAL, "the StartDate '%.40s' is not "
		    "a date of the form YYYY-MM-DD that exists.", start);
		return who_err(x, u, type, row->id);
	}
	if (row->type == DUA_HOLD && !row->has_duration) {
		if (hold_end == NULL)
			return 0;
		if (!dua_date_valid(hold_end)) {
			sae_err_set(x->err, SAE_EINVAL, "the HoldEndDate "
			    "'%.40s' is not a date of the form YYYY-MM-DD "
			    "that exists.", hold_end);
			return who_err(x, u, type, row->id);
		}
		memcpy(end, hold_end, 11);
		return 0;
	}
	if (start == NULL || !row->has_duration || row->unlimited)
		return 0;
	if (dua_date_add(start, row->duration, row->measure, end,
	    x->err) == -1)
		return who_err(x, u, type, row->id);
	return 0;
}

/*
 * Builds the effective rules of category ${c} in x->work and copies them
 * to ${e}: what the sources (${base}[${src}[i]]) have, unless refused,
 * then the unit's own declarations in ${d}.
 */
static int
build_category(struct ctx *x, enum dua_type c, const struct ret_decl *d,
    const struct ret_effective *base, const size_t *src, size_t nsrc,
    struct ret_effective *e, size_t u)
{
	const struct ret_effective *p;
	struct item it;
	size_t i, j;

	list_reset(x);
	for (i = 0; !d->prevent_inheritance && i < nsrc; i++) {
		p = &base[src[i]];
		for (j = 0; j < p->nrules[c]; j++) {
			if (refused(d, p->rules[c][j].rule_id))
				continue;
			/* Found when it was declared: cannot fail here. */
			if ((it.row = find(x, p->rules[c][j].rule_id)) == NULL)
				continue;
			it.r = p->rules[c][j];
			it.r.inherited = 1;
			list_add(x, &it);
		}
	}
	for (i = 0; i < d->nrules; i++) {
		it.row = find(x, d->rules[i]);
		/* Unknown or misfiled rules were reported at ingest. */
		if (it.row == NULL || it.row->type != c)
			continue;
		memset(&it.r, 0, sizeof(it.r));
		it.r.rule_id = d->rules[i];
		it.r.start = d->starts != NULL ? d->starts[i] : NULL;
		if (end_of(x, it.row, it.r.start, i == 0 ? d->hold_end_date :
		    NULL, it.r.end, u) == -1)
			return -1;
		list_add(x, &it);
	}
	if (x->nwork == 0)
		return 0;
	e->rules[c] = sae_xreallocarray(NULL, x->nwork, sizeof(*e->rules[c]));
	for (i = 0; i < x->nwork; i++)
		e->rules[c][i] = x->work[i].r;
	e->nrules[c] = x->nwork;
	return 0;
}

/* Keep > Sort > Destroy > nothing said. */
static int
protection(enum dua_final f)
{
	switch (f) {
	case DUA_KEEP:
		return 3;
	case DUA_SORT:
		return 2;
	case DUA_DESTROY:
		return 1;
	default:
		return 0;
	}
}

/* A declared final action; one we cannot read is taken as Keep. */
static enum dua_final
final_of(const char *s)
{
	int f = dua_final_parse(s);

	return f == -1 ? DUA_KEEP : (enum dua_final)f;
}

/*
 * The declared final action: the unit's own, else the sources' when they
 * agree.  Sources without one say nothing; a source in conflict passes
 * its conflict on.
 */
static void
declared_final(const struct ret_decl *d, const struct ret_effective *base,
    const size_t *src, size_t nsrc, struct ret_effective *e)
{
	const struct ret_effective *p;
	size_t i;

	e->declared_final = NULL;
	e->conflict = 0;
	if (d->final_action != NULL) {
		e->declared_final = d->final_action;
		return;
	}
	for (i = 0; !d->prevent_inheritance && i < nsrc; i++) {
		p = &base[src[i]];
		if (p->conflict) {
			e->conflict = 1;
		} else if (p->declared_final != NULL) {
			if (e->declared_final == NULL)
				e->declared_final = p->declared_final;
			else if (final_of(e->declared_final) !=
			    final_of(p->declared_final))
				e->conflict = 1;
		}
	}
	if (e->conflict)
		e->declared_final = NULL;
}

/* ${t} = the later of ${t} and ${d} ("" is the earliest here). */
static void
keep_latest(char t[11], const char *d)
{
	if (strcmp(d, t) > 0)
		memcpy(t, d, 11);
}

/* How long a rule makes a unit last: unlimited, open, or an end date. */
static int
end_rank(const struct item *it)
{
	if (it->r.end[0] != '\0')
		return 1;
	return it->row->unlimited ? 3 : 2;
}

/*
 * The appraisal summary of ${e} from x->work (its appraisal rules):
 * final action, DUA end, and the end of the current-use period.
 */
static int
appraise(struct ctx *x, const struct ret_decl *d,
    const struct ret_effective *base, const size_t *src, size_t nsrc,
    struct ret_effective *e, const char *storage_end, size_t u)
{
	enum dua_final table = DUA_FINAL_NONE, own;
	const struct item *it, *best;
	char cur[11] = "", tmp[11];
	int open = 0, has_cur = 0;
	size_t i;

	e->dua_end[0] = '\0';
	e->dua_rule = 0;
	for (i = 0; i < x->nwork; i++) {
		it = &x->work[i];
		if (protection(it->row->final_action) > protection(table))
			table = it->row->final_action;
		/* Which rule the unit's end comes from (x->work is in the
		 * order of e->rules[c]): shown with that end, its id and
		 * start must be that rule's. */
		best = &x->work[e->dua_rule];
		if (end_rank(it) > end_rank(best) || (end_rank(it) == 1 &&
		    end_rank(best) == 1 && strcmp(it->r.end, best->r.end) > 0))
			e->dua_rule = i;
		if (it->row->unlimited)
			e->dua_unlimited = 1;
		/* A rule that never ends keeps the whole unit. */
		if (it->r.end[0] == '\0')
			open = 1;
		else
			keep_latest(e->dua_end, it->r.end);
		if (it->r.start == NULL)
			continue;
		e->dua_started = 1;
		if (it->row->has_current) {
			if (dua_date_add(it->r.start, it->row->current_duration,
			    it->row->current_measure, tmp, x->err) == -1)
				return who_err(x, u, "current use of",
				    it->row->id);
			keep_latest(cur, tmp);
			has_cur = 1;
		}
	}
	if (open)
		e->dua_end[0] = '\0';

	declared_final(d, base, src, nsrc, e);
	if (e->conflict)
		e->final_action = DUA_KEEP;	/* never destroyed undecided */
	else if (e->declared_final != NULL) {
		own = final_of(e->declared_final);
		e->final_action = own;
		if (protection(table) > protection(own)) {
			e->final_action = table;
			e->final_from_table = 1;
		}
	} else
		/* Nothing declared: the row's default, else Vitam's Keep. */
		e->final_action = table != DUA_FINAL_NONE ? table : DUA_KEEP;

	e->current_end[0] = '\0';
	if (!e->dua_started)
		return 0;
	if (has_cur) {
		memcpy(e->current_end, cur, 11);
		return 0;
	}
	if (storage_end[0] != '\0') {
		memcpy(e->current_end, storage_end, 11);
		return 0;
	}
	for (i = 0; i < x->nwork; i++) {
		it = &x->work[i];
		if (it->r.start == NULL)
			continue;
		if (dua_date_add(it->r.start, x->defaults.current_duration,
		    x->defaults.current_measure, tmp, x->err) == -1)
			return who_err(x, u, "current use of", it->row->id);
		keep_latest(e->current_end, tmp);
	}
	return 0;
}

/* Holds: the latest end ("" if one is indefinite), and held at today. */
static void
holds(const struct ctx *x, struct ret_effective *e)
{
	const struct ret_rule *r;
	int open = 0;
	size_t i;

	e->hold_end[0] = '\0';
	e->held = 0;
	for (i = 0; i < x->nwork; i++) {
		r = &x->work[i].r;
		if (r->end[0] == '\0') {
			open = 1;
			e->held = 1;
			continue;
		}
		keep_latest(e->hold_end, r->end);
		/* The end date is the first day without the hold. */
		if (strcmp(x->today, r->end) < 0)
			e->held = 1;
	}
	if (open)
		e->hold_end[0] = '\0';
}

/* Everything about one unit (or META), its sources being done. */
static int
compute_unit(struct ctx *x, const struct ret_decl *d,
    const struct ret_effective *base, const size_t *src, size_t nsrc,
    struct ret_effective *e, size_t u)
{
	char storage_end[11] = "";
	size_t i;
	int c;

	for (c = 0; c < DUA_NTYPES; c++) {
		if (build_category(x, c, &d[c], base, src, nsrc, e, u) == -1)
			return -1;
		switch (c) {
		case DUA_STORAGE:
			/* Storage comes first: appraisal needs its end. */
			for (i = 0; i < x->nwork; i++)
				keep_latest(storage_end, x->work[i].r.end);
			break;
		case DUA_APPRAISAL:
			if (appraise(x, &d[c], base, src, nsrc, e, storage_end,
			    u) == -1)
				return -1;
			break;
		case DUA_HOLD:
			holds(x, e);
			break;
		default:
			break;
		}
	}
	return 0;
}

int
retention_compute(const struct dua_table *table, const struct ret_decl *meta,
    const struct ret_unit *units, size_t n, const struct ret_defaults *defaults,
    const char *today, struct ret_effective *out, struct sae_err *err)
{
	static const struct ret_decl nometa[DUA_NTYPES];
	static const size_t zero = 0;
	const struct ret_unit *un;
	struct ret_effective top;
	struct frame *stack = NULL;
	unsigned char *state = NULL;
	struct ctx x;
	size_t s, sp, p, v, i;
	int ret = -1;

	/* Zeroed first, so that retention_free is safe whatever happens. */
	if (n > 0)
		memset(out, 0, n * sizeof(*out));
	memset(&top, 0, sizeof(top));
	ctx_init(&x, table, defaults, today, err);
	if (!dua_date_valid(today)) {
		sae_err_set(err, SAE_EINVAL, "Today's date '%.40s' is not of "
		    "the form YYYY-MM-DD.", today != NULL ? today : "");
		goto out;
	}
	if (compute_unit(&x, meta != NULL ? meta : nometa, NULL, NULL, 0,
	    &top, META) == -1)
		goto out;

	/*
	 * Depth-first over parent links, each unit computed once after its
	 * parents: linear in units plus links, and no recursion to overflow
	 * on a deep tree.
	 */
	state = sae_xcalloc(n, 1);
	stack = sae_xreallocarray(NULL, n, sizeof(*stack));
	for (s = 0; s < n; s++) {
		if (state[s] == DONE)
			continue;
		sp = 0;
		stack[sp].u = s;
		stack[sp++].next = 0;
		state[s] = ON_PATH;
		while (sp > 0) {
			un = &units[stack[sp - 1].u];
			if (stack[sp - 1].next < un->nparents) {
				p = un->parents[stack[sp - 1].next++];
				if (p >= n) {
					sae_err_set(err, SAE_EINVAL, "Unit %zu "
					    "names parent %zu, but there are "
					    "only %zu units.", stack[sp - 1].u,
					    p, n);
					goto out;
				}
				if (state[p] == ON_PATH) {
					sae_err_set(err, SAE_EINVAL, "Unit %zu "
					    "is among its own ancestors: the "
					    "parent links form a cycle.", p);
					goto out;
				}
				if (state[p] == TODO) {
					/* Pushed once each: n frames. */
					state[p] = ON_PATH;
					stack[sp].u = p;
					stack[sp++].next = 0;
				}
				continue;
			}
			v = stack[--sp].u;
			if (un->nparents == 0 ? compute_unit(&x, un->decl, &top,
			    &zero, 1, &out[v], v) : compute_unit(&x, un->decl,
			    out, un->parents, un->nparents, &out[v], v))
				goto out;
			state[v] = DONE;
		}
	}
	ret = 0;
out:
	if (ret == -1) {
		for (i = 0; i < n; i++)
			retention_free(&out[i]);
		memset(out, 0, n * sizeof(*out));
	}
	retention_free(&top);
	free(state);
	free(stack);
	ctx_done(&x);
	return ret;
}

enum ret_age
retention_age(const struct ret_effective *e, const char *today)
{
	if (!e->dua_started)
		return RET_CURRENT;
	if (e->current_end[0] != '\0' && strcmp(today, e->current_end) < 0)
		return RET_CURRENT;
	/* An unlimited Keep can only ever be kept: definitive now. */
	if (e->dua_unlimited && e->final_action == DUA_KEEP)
		return RET_DEFINITIVE;
	/* No end (a rule without start, or unlimited): never expires. */
	if (e->dua_end[0] == '\0' || strcmp(today, e->dua_end) < 0)
		return RET_INTERMEDIATE;
	if (e->conflict)
		return RET_REVIEW;
	switch (e->final_action) {
	case DUA_DESTROY:
		return RET_DISPOSAL;
	case DUA_SORT:
		return RET_REVIEW;
	default:
		return RET_DEFINITIVE;
	}
}

const char *
retention_age_name(enum ret_age a)
{
	static const char *const names[] = { "current", "intermediate",
	    "definitive", "disposal", "review" };

	if ((int)a < 0 || a > RET_REVIEW)
		return "unknown";
	return names[a];
}

void
retention_free(struct ret_effective *e)
{
	int c;

	if (e == NULL)
		return;
	for (c = 0; c < DUA_NTYPES; c++) {
		free(e->rules[c]);
		e->rules[c] = NULL;
		e->nrules[c] = 0;
	}
}
