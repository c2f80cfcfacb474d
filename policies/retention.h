/*
 * retention.h: effective management rules of archive units, as SEDA and
 * Vitam compute them, and the age that follows from them (current,
 * intermediate, definitive, disposal, review).  Pure computation over
 * plain structs: no catalog, no clock (today's date is an argument), no
 * I/O.  The daemon fills the structs from a package or from the catalog.
 */
#ifndef POLICIES_RETENTION_H
#define POLICIES_RETENTION_H

#include <stddef.h>

#include "policies/dua.h"
#include "sae/err.h"

/* One rule category as declared on a unit or in ManagementMetadata. */
struct ret_decl {
	int		  present;		/* the category element appears */
	const char	**rules;		/* Rule ids, in document order */
	const char	**starts;		/* their StartDate "YYYY-MM-DD" or NULL */
	size_t		  nrules;
	int		  prevent_inheritance;
	const char	**ref_non_rule_ids;	/* RefNonRuleId */
	size_t		  nref_non_rule_ids;
	const char	 *final_action;		/* declared FinalAction, or NULL */
	const char	 *hold_end_date;	/* HoldRule: HoldEndDate of rules[0], or NULL */
};

/* A unit of the archive tree: what it declares and who its parents are. */
struct ret_unit {
	struct ret_decl	 decl[DUA_NTYPES];	/* indexed by enum dua_type */
	const size_t	*parents;		/* indexes into the same array */
	size_t		 nparents;		/* 0: a root, under ManagementMetadata */
};

/* One effective rule of a unit. */
struct ret_rule {
	const char	*rule_id;	/* borrowed from the declarations */
	const char	*start;		/* effective StartDate, or NULL */
	char		 end[11];	/* "YYYY-MM-DD", or "" when there is none */
	int		 inherited;	/* 0: declared on the unit itself */
};

enum ret_age {
	RET_CURRENT = 0,	/* current-use period running, or no DUA start */
	RET_INTERMEDIATE,	/* until the DUA ends */
	RET_DEFINITIVE,		/* DUA ended with Keep; unlimited Keep after the current period */
	RET_DISPOSAL,		/* DUA ended with Destroy: awaits the disposal process */
	RET_REVIEW		/* DUA ended with Sort, or conflicting final actions */
};

/* What a unit's effective rules come to. */
struct ret_effective {
	struct ret_rule	*rules[DUA_NTYPES];	/* owned; free with retention_free */
	size_t		 nrules[DUA_NTYPES];
	enum dua_final	 final_action;		/* effective appraisal final action */
	int		 conflict;		/* inherited final actions disagree */
	int		 final_from_table;	/* the table's action overrode the declared one */
	const char	*declared_final;	/* the declared one, if any (borrowed) */
	char		 dua_end[11];		/* latest end of the appraisal rules, "" if none/unlimited */
	size_t		 dua_rule;		/* the appraisal rule giving dua_end: index in rules[DUA_APPRAISAL] (0 when there is none) */
	int		 dua_unlimited;		/* an effective appraisal rule is unlimited */
	int		 dua_started;		/* some appraisal rule has a start date */
	char		 current_end[11];	/* end of the current-use period, "" if unknown */
	char		 hold_end[11];		/* latest end of the holds; "" */
	int		 held;			/* some hold has no end date or a future one (at `today`) */
};

struct ret_defaults {
	int			 current_duration;	/* when neither the DUA row nor a StorageRule says: 1 */
	enum dua_measure	 current_measure;	/* DUA_YEAR */
};

/**
 * retention_compute(table, meta, units, n, defaults, today, out, err): the
 * effective rules of the ${n} units (${out}: an array of ${n} the caller
 * allocates, filled here; ${meta}: DUA_NTYPES declarations; ${today}
 * "YYYY-MM-DD" decides whether a hold is still active),
 * following SEDA 2.1 §2.3.5 and Vitam's model:
 *  - root units (nparents == 0) inherit the rules of ${meta}
 *    (ManagementMetadata); other units inherit, per category, every rule
 *    of every parent (a unit may have several parents: the union, one
 *    entry per rule id);
 *  - PreventInheritance on a unit drops everything inherited in that
 *    category; each RefNonRuleId drops that inherited rule;
 *  - a rule declared on the unit with an id already inherited replaces the
 *    inherited one, with the unit's own StartDate (absent or not);
 *  - end = start + the table's duration (dua_date_add, the 29 February rule
 *    there); no start, "unlimited" or no duration → no end;
 *  - dua_rule: the appraisal rule that gives the unit's DUA end, so that
 *    the rule shown with an end date is the one it comes from: an
 *    unlimited rule, else another rule without end, else the latest end
 *    (the first such in rules[DUA_APPRAISAL] on a tie);
 *  - FinalAction (appraisal): the unit's own declaration, else the one
 *    inherited; the table's row wins when more protective (Keep > Sort >
 *    Destroy) — final_from_table says so; inherited final actions that
 *    disagree between parents → conflict = 1 and final_action Keep;
 *  - the current-use period ends at: the DUA row's CurrentDuration from
 *    the appraisal start, else the end of the effective StorageRule, else
 *    ${defaults} from the appraisal start; "" without an appraisal start.
 * Units must form a DAG (cycles give SAE_EINVAL naming a unit index).
 * Rules absent from ${table} are ignored (the caller checked them).
 * An end date is the first day after the period: a rule has expired when
 * end <= today (Vitam's reading); the same for the current period and
 * holds.  The same rule id inherited from several parents counts once, in
 * the copy that lasts longest (no end beats any end), so that nothing
 * expires early.  ret_decl.present is not read.  On failure ${out} is
 * left zeroed.
 */
int	retention_compute(const struct dua_table *, const struct ret_decl *,
	    const struct ret_unit *, size_t, const struct ret_defaults *,
	    const char *, struct ret_effective *, struct sae_err *);

/**
 * retention_age(e, today): the age of a unit at ${today} ("YYYY-MM-DD"):
 * current while today < current_end or no appraisal start; then
 * intermediate until dua_end; then by final action: Keep → definitive,
 * Destroy → disposal, Sort → review; conflict → review (never destroyed
 * without a decision); an unlimited DUA with Keep becomes definitive once
 * the current period is over.  Holds do not change the age (they block
 * disposal).
 */
enum ret_age	retention_age(const struct ret_effective *, const char *);

/** retention_age_name(a): "current", "intermediate", "definitive"... */
const char	*retention_age_name(enum ret_age);

/** retention_free(e): frees the rules of ${e} (not ${e} itself). */
void		 retention_free(struct ret_effective *);

#endif
