/*
 * test_retention.c: policies/retention.c: inheritance of management rules
 * (ManagementMetadata, several parents, PreventInheritance, RefNonRuleId,
 * local overrides), end dates, final actions, current-use ends, holds,
 * ages on each side of their boundaries, cycles, and 200,000 units.
 * Uses the real DUA table of ../shared and small tables written inline.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "policies/dua.h"
#include "policies/retention.h"
#include "sae/buf.h"
#include "sae/err.h"
#include "sae/xmalloc.h"
#include "tests/unit/helpers.h"

#define HDR	"RuleId,RuleType,RuleValue,RuleDescription,RuleDuration," \
		"RuleMeasurement"

/* The communes' table, read once for the whole group. */
static struct dua_table *communes;

/* Our own table with every column, for StorageRule, HoldRule, AccessRule
 * rows and CurrentDuration. */
static const char full_csv[] =
    HDR ",FinalAction,StartEvent,Domain,CurrentDuration,CurrentMeasurement\n"
    "A-CUR,AppraisalRule,avec DUC,,10,YEAR,Destroy,,,2,YEAR\n"
    "A-NOCUR,AppraisalRule,sans DUC,,10,YEAR,Destroy,,,,\n"
    "A-MONTH,AppraisalRule,un mois,,1,MONTH,Destroy,,,,\n"
    "A-DAY,AppraisalRule,trente jours,,30,DAY,Keep,,,,\n"
    "S-3,StorageRule,DUC trois ans,,3,YEAR,,,,,\n"
    "S-INF,StorageRule,DUC sans fin,,unlimited,YEAR,,,,,\n"
    "ACC-25,AccessRule,communicable à 25 ans,,25,YEAR,,,,,\n"
    "ACC-50,AccessRule,communicable à 50 ans,,50,YEAR,,,,,\n"
    "H-2,HoldRule,gel de deux ans,,2,YEAR,,,,,\n"
    "H-OPEN,HoldRule,gel sans durée,,,,,,,,\n";

/* Vitam's six columns: the table says nothing of final actions. */
static const char vitam_csv[] =
    HDR "\n"
    "R-5,AppraisalRule,cinq ans,,5,YEAR\n";

static struct dua_table *
parse(const char *csv)
{
	struct dua_table *t = NULL;
	struct sae_err err;

	if (dua_csv_parse(&t, csv, strlen(csv), "inline.csv", &err) == -1)
		fail_msg("%s", err.msg);
	return t;
}

static int
group_setup(void **state)
{
	struct sae_buf b = SAE_BUF_INIT;
	struct sae_err err;

	(void)state;
	th_read(th_shared("policies/dua-communes.csv"), &b);
	if (dua_csv_parse(&communes, b.data, b.len, "dua-communes.csv",
	    &err) == -1) {
		fprintf(stderr, "# %s\n", err.msg);
		sae_buf_done(&b);
		return -1;
	}
	sae_buf_done(&b);
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	dua_table_free(communes);
	return 0;
}

/* Sets one category of a declaration: ${n} rules with their starts. */
static void
declare(struct ret_decl *d, const char **rules, const char **starts,
    size_t n, const char *final)
{
	d->present = 1;
	d->rules = rules;
	d->starts = starts;
	d->nrules = n;
	d->final_action = final;
}

/* The effective rule ${id} of category ${c}, or NULL. */
static const struct ret_rule *
rule_of(const struct ret_effective *e, enum dua_type c, const char *id)
{
	size_t i;

	for (i = 0; i < e->nrules[c]; i++)
		if (strcmp(e->rules[c][i].rule_id, id) == 0)
			return &e->rules[c][i];
	return NULL;
}

static void
compute(const struct dua_table *t, const struct ret_decl *meta,
    const struct ret_unit *u, size_t n, const struct ret_defaults *defs,
    const char *today, struct ret_effective *out)
{
	struct sae_err err;

	memset(&err, 0, sizeof(err));
	if (retention_compute(t, meta, u, n, defs, today, out, &err) == -1)
		fail_msg("retention_compute: %s", err.msg);
}

static void
free_all(struct ret_effective *e, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		retention_free(&e[i]);
}

static void
test_retention__root_inherits_metadata(void **state)
{
	const char *r[] = { "EC-02" }, *s[] = { "2020-03-15" };
	struct ret_decl meta[DUA_NTYPES];
	struct ret_unit u[2];
	struct ret_effective e[2];
	const size_t p0[] = { 0 };
	const struct ret_rule *rr;

	(void)state;
	memset(meta, 0, sizeof(meta));
	memset(u, 0, sizeof(u));
	declare(&meta[DUA_APPRAISAL], r, s, 1, "Destroy");
	u[1].parents = p0;
	u[1].nparents = 1;
	compute(communes, meta, u, 2, NULL, "2020-04-01", e);
	assert_non_null(rr = rule_of(&e[0], DUA_APPRAISAL, "EC-02"));
	assert_int_equal(e[0].nrules[DUA_APPRAISAL], 1);
	assert_int_equal(rr->inherited, 1);
	assert_string_equal(rr->start, "2020-03-15");
	assert_string_equal(rr->end, "2021-03-15");
	assert_string_equal(e[0].declared_final, "Destroy");
	assert_int_equal(e[0].final_action, DUA_DESTROY);
	assert_string_equal(e[0].dua_end, "2021-03-15");
	/* Through the root, not from ManagementMetadata a second time. */
	assert_non_null(rr = rule_of(&e[1], DUA_APPRAISAL, "EC-02"));
	assert_int_equal(e[1].nrules[DUA_APPRAISAL], 1);
	assert_string_equal(e[1].dua_end, "2021-03-15");
	free_all(e, 2);
}

static void
test_retention__child_inherits_from_parent(void **state)
{
	const char *r[] = { "CO-04" }, *s[] = { "2010-01-01" };
	struct ret_unit u[3];
	struct ret_effective e[3];
	/* Listed child first: order in the array must not matter. */
	const size_t p1[] = { 1 }, p2[] = { 2 };
	size_t i;

	(void)state;
	memset(u, 0, sizeof(u));
	declare(&u[2].decl[DUA_APPRAISAL], r, s, 1, "Destroy");
	u[0].parents = p1;
	u[0].nparents = 1;
	u[1].parents = p2;
	u[1].nparents = 1;
	compute(communes, NULL, u, 3, NULL, "2021-01-01", e);
	assert_int_equal(rule_of(&e[2], DUA_APPRAISAL, "CO-04")->inherited, 0);
	for (i = 0; i < 2; i++) {
		assert_int_equal(e[i].nrules[DUA_APPRAISAL], 1);
		assert_int_equal(e[i].rules[DUA_APPRAISAL][0].inherited, 1);
		assert_string_equal(e[i].rules[DUA_APPRAISAL][0].end,
		    "2020-01-01");
		assert_string_equal(e[i].declared_final, "Destroy");
		assert_int_equal(retention_age(&e[i], "2021-01-01"),
		    RET_DISPOSAL);
	}
	free_all(e, 3);
}

static void
test_retention__multiple_parents_union(void **state)
{
	const char *ra[] = { "EC-02", "AG-07" };
	const char *sa[] = { "2019-01-01", "2019-06-01" };
	const char *rb[] = { "CO-04", "EC-02" };
	const char *sb[] = { "2018-01-01", "2021-01-01" };
	struct ret_unit u[4];
	struct ret_effective e[4];
	const size_t pab[] = { 0, 1 }, pba[] = { 1, 0 };
	size_t k;

	(void)state;
	memset(u, 0, sizeof(u));
	declare(&u[0].decl[DUA_APPRAISAL], ra, sa, 2, "Destroy");
	declare(&u[1].decl[DUA_APPRAISAL], rb, sb, 2, "Destroy");
	u[2].parents = pab;
	u[2].nparents = 2;
	u[3].parents = pba;
	u[3].nparents = 2;
	compute(communes, NULL, u, 4, NULL, "2022-01-01", e);
	for (k = 2; k < 4; k++) {
		assert_int_equal(e[k].nrules[DUA_APPRAISAL], 3);
		assert_non_null(rule_of(&e[k], DUA_APPRAISAL, "AG-07"));
		assert_non_null(rule_of(&e[k], DUA_APPRAISAL, "CO-04"));
		/* One EC-02, the one that lasts longer, in either order. */
		assert_string_equal(rule_of(&e[k], DUA_APPRAISAL,
		    "EC-02")->start, "2021-01-01");
		assert_string_equal(rule_of(&e[k], DUA_APPRAISAL,
		    "EC-02")->end, "2022-01-01");
		/* Latest end: CO-04 2018 + 10 years. */
		assert_string_equal(e[k].dua_end, "2028-01-01");
		assert_int_equal(e[k].conflict, 0);
	}
	free_all(e, 4);
}

static void
test_retention__multiple_parents_no_start_lasts_longest(void **state)
{
	const char *r[] = { "EC-02" };
	const char *sa[] = { "2019-01-01" }, *sb[] = { NULL };
	struct ret_unit u[3];
	struct ret_effective e[3];
	const size_t p[] = { 0, 1 };

	(void)state;
	memset(u, 0, sizeof(u));
	declare(&u[0].decl[DUA_APPRAISAL], r, sa, 1, "Destroy");
	declare(&u[1].decl[DUA_APPRAISAL], r, sb, 1, "Destroy");
	u[2].parents = p;
	u[2].nparents = 2;
	compute(communes, NULL, u, 3, NULL, "2030-01-01", e);
	/* A rule without start never expires: it is the one kept. */
	assert_int_equal(e[2].nrules[DUA_APPRAISAL], 1);
	assert_null(e[2].rules[DUA_APPRAISAL][0].start);
	assert_string_equal(e[2].dua_end, "");
	assert_int_equal(retention_age(&e[0], "2030-01-01"), RET_DISPOSAL);
	assert_int_equal(retention_age(&e[2], "2030-01-01"), RET_CURRENT);
	free_all(e, 3);
}

static void
test_retention__prevent_inheritance_per_category(void **state)
{
	struct dua_table *t = parse(full_csv);
	const char *ra[] = { "A-NOCUR" }, *sa[] = { "2010-01-01" };
	const char *rc[] = { "ACC-25" }, *sc[] = { "2010-01-01" };
	struct ret_unit u[3];
	struct ret_effective e[3];
	const size_t p0[] = { 0 }, p1[] = { 1 };

	(void)state;
	memset(u, 0, sizeof(u));
	declare(&u[0].decl[DUA_APPRAISAL], ra, sa, 1, "Destroy");
	declare(&u[0].decl[DUA_ACCESS], rc, sc, 1, NULL);
	u[1].parents = p0;
	u[1].nparents = 1;
	/* SEDA wants a FinalAction with PreventInheritance. */
	u[1].decl[DUA_APPRAISAL].present = 1;
	u[1].decl[DUA_APPRAISAL].prevent_inheritance = 1;
	u[1].decl[DUA_APPRAISAL].final_action = "Keep";
	u[2].parents = p1;
	u[2].nparents = 1;
	compute(t, NULL, u, 3, NULL, "2030-01-01", e);
	assert_int_equal(e[0].nrules[DUA_APPRAISAL], 1);
	assert_int_equal(e[1].nrules[DUA_APPRAISAL], 0);
	assert_null(e[1].rules[DUA_APPRAISAL]);
	assert_int_equal(e[1].nrules[DUA_ACCESS], 1);
	assert_string_equal(e[1].rules[DUA_ACCESS][0].end, "2035-01-01");
	assert_int_equal(e[1].final_action, DUA_KEEP);
	/* The block holds for descendants too. */
	assert_int_equal(e[2].nrules[DUA_APPRAISAL], 0);
	assert_int_equal(e[2].nrules[DUA_ACCESS], 1);
	assert_string_equal(e[2].declared_final, "Keep");
	assert_int_equal(retention_age(&e[0], "2030-01-01"), RET_DISPOSAL);
	assert_int_equal(retention_age(&e[2], "2030-01-01"), RET_CURRENT);
	free_all(e, 3);
	dua_table_free(t);
}

static void
test_retention__ref_non_rule_id(void **state)
{
	const char *r[] = { "EC-02", "AG-07" };
	const char *s[] = { "2010-01-01", "2010-01-01" };
	const char *non[] = { "AG-07" };
	struct ret_unit u[3];
	struct ret_effective e[3];
	const size_t p0[] = { 0 }, p1[] = { 1 };

	(void)state;
	memset(u, 0, sizeof(u));
	declare(&u[0].decl[DUA_APPRAISAL], r, s, 2, "Destroy");
	u[1].parents = p0;
	u[1].nparents = 1;
	u[1].decl[DUA_APPRAISAL].ref_non_rule_ids = non;
	u[1].decl[DUA_APPRAISAL].nref_non_rule_ids = 1;
	u[2].parents = p1;
	u[2].nparents = 1;
	compute(communes, NULL, u, 3, NULL, "2012-01-01", e);
	assert_string_equal(e[0].dua_end, "2015-01-01");
	assert_int_equal(e[1].nrules[DUA_APPRAISAL], 1);
	assert_non_null(rule_of(&e[1], DUA_APPRAISAL, "EC-02"));
	assert_null(rule_of(&e[1], DUA_APPRAISAL, "AG-07"));
	assert_string_equal(e[1].dua_end, "2011-01-01");
	assert_null(rule_of(&e[2], DUA_APPRAISAL, "AG-07"));
	assert_int_equal(retention_age(&e[0], "2012-01-01"),
	    RET_INTERMEDIATE);
	assert_int_equal(retention_age(&e[2], "2012-01-01"), RET_DISPOSAL);
	free_all(e, 3);
}

static void
test_retention__local_redeclaration_overrides_start(void **state)
{
	const char *r[] = { "EC-04" }, *s0[] = { "2000-01-01" };
	const char *s1[] = { "2015-06-01" }, *s3[] = { NULL };
	struct ret_decl meta[DUA_NTYPES];
	struct ret_unit u[5];
	struct ret_effective e[5];
	const size_t p0[] = { 0 }, p1[] = { 1 };
	const struct ret_rule *rr;

	(void)state;
	memset(meta, 0, sizeof(meta));
	memset(u, 0, sizeof(u));
	declare(&meta[DUA_APPRAISAL], r, s0, 1, "Destroy");
	/* Root re-declares ManagementMetadata's rule: the unit's date wins. */
	declare(&u[0].decl[DUA_APPRAISAL], r, s0, 1, NULL);
	u[1].parents = p0;
	u[1].nparents = 1;
	declare(&u[1].decl[DUA_APPRAISAL], r, s1, 1, NULL);
	u[2].parents = p1;
	u[2].nparents = 1;
	/* Re-declared without a start: no end any more. */
	u[3].parents = p0;
	u[3].nparents = 1;
	declare(&u[3].decl[DUA_APPRAISAL], r, s3, 1, NULL);
	u[4].parents = p0;
	u[4].nparents = 1;
	compute(communes, meta, u, 5, NULL, "2020-01-01", e);
	assert_int_equal(rule_of(&e[0], DUA_APPRAISAL, "EC-04")->inherited, 0);
	assert_int_equal(e[1].nrules[DUA_APPRAISAL], 1);
	rr = rule_of(&e[1], DUA_APPRAISAL, "EC-04");
	assert_int_equal(rr->inherited, 0);
	assert_string_equal(rr->start, "2015-06-01");
	assert_string_equal(rr->end, "2025-06-01");
	rr = rule_of(&e[2], DUA_APPRAISAL, "EC-04");
	assert_int_equal(rr->inherited, 1);
	assert_string_equal(rr->end, "2025-06-01");
	assert_int_equal(e[3].nrules[DUA_APPRAISAL], 1);
	assert_null(e[3].rules[DUA_APPRAISAL][0].start);
	assert_string_equal(e[3].rules[DUA_APPRAISAL][0].end, "");
	assert_string_equal(e[4].dua_end, "2010-01-01");
	assert_int_equal(retention_age(&e[4], "2020-01-01"), RET_DISPOSAL);
	assert_int_equal(retention_age(&e[2], "2020-01-01"),
	    RET_INTERMEDIATE);
	assert_int_equal(retention_age(&e[3], "2020-01-01"), RET_CURRENT);
	free_all(e, 5);
}

static void
test_retention__end_dates(void **state)
{
	struct dua_table *t = parse(full_csv);
	const char *r5[] = { "MP-05" }, *s5[] = { "2020-02-29" };
	const char *rm[] = { "A-MONTH" }, *sm[] = { "2021-01-31" };
	const char *rd[] = { "A-DAY" }, *sd[] = { "2020-02-15" };
	struct ret_unit u[3];
	struct ret_effective e[3];

	(void)state;
	memset(u, 0, sizeof(u));
	declare(&u[0].decl[DUA_APPRAISAL], r5, s5, 1, "Destroy");
	compute(communes, NULL, u, 1, NULL, "2025-02-27", e);
	assert_string_equal(e[0].rules[DUA_APPRAISAL][0].end, "2025-02-28");
	assert_string_equal(e[0].dua_end, "2025-02-28");
	free_all(e, 1);

	memset(u, 0, sizeof(u));
	declare(&u[0].decl[DUA_APPRAISAL], rm, sm, 1, NULL);
	declare(&u[1].decl[DUA_APPRAISAL], rd, sd, 1, NULL);
	compute(t, NULL, u, 2, NULL, "2021-01-01", e);
	assert_string_equal(e[0].dua_end, "2021-02-28");
	assert_string_equal(e[1].dua_end, "2020-03-16");
	free_all(e, 2);
	dua_table_free(t);
}

static void
test_retention__unlimited_and_no_start(void **state)
{
	const char *ru[] = { "EC-01" }, *su[] = { "2020-01-01" };
	const char *rn[] = { "EC-02" }, *sn[] = { NULL };
	const char *r2[] = { "EC-02", "EC-04" };
	const char *s2[] = { "2020-01-01", NULL };
	struct ret_unit u[3];
	struct ret_effective e[3];

	(void)state;
	memset(u, 0, sizeof(u));
	declare(&u[0].decl[DUA_APPRAISAL], ru, su, 1, "Keep");
	declare(&u[1].decl[DUA_APPRAISAL], rn, sn, 1, "Destroy");
	/* starts may be NULL altogether. */
	u[1].decl[DUA_APPRAISAL].starts = NULL;
	declare(&u[2].decl[DUA_APPRAISAL], r2, s2, 2, "Destroy");
	compute(communes, NULL, u, 3, NULL, "2100-01-01", e);
	assert_string_equal(e[0].rules[DUA_APPRAISAL][0].end, "");
	assert_int_equal(e[0].dua_unlimited, 1);
	assert_int_equal(e[0].dua_started, 1);
	assert_string_equal(e[0].dua_end, "");
	assert_string_equal(e[1].rules[DUA_APPRAISAL][0].end, "");
	assert_int_equal(e[1].dua_started, 0);
	assert_int_equal(e[1].dua_unlimited, 0);
	assert_string_equal(e[1].current_end, "");
	assert_int_equal(retention_age(&e[1], "2100-01-01"), RET_CURRENT);
	/* One rule without start keeps the unit, even when another ended. */
	assert_int_equal(e[2].dua_started, 1);
	assert_string_equal(e[2].dua_end, "");
	assert_int_equal(retention_age(&e[2], "2100-01-01"),
	    RET_INTERMEDIATE);
	free_all(e, 3);
}

/*
 * The appraisal rule the unit's end comes from (dua_rule): the one stored
 * and shown with that end, so that rule, start and end agree.
 */
static void
test_retention__dua_rule_gives_the_end(void **state)
{
	static const char csv[] = HDR ",FinalAction,StartEvent,Domain,"
	    "CurrentDuration,CurrentMeasurement\n"
	    "A-1,AppraisalRule,un an,,1,YEAR,Destroy,,,,\n"
	    "A-10,AppraisalRule,dix ans,,10,YEAR,Destroy,,,,\n"
	    "A-INF,AppraisalRule,sans fin,,unlimited,YEAR,Keep,,,,\n";
	const char *r0[] = { "A-1", "A-10" }, *s0[] = { "2000-01-01",
	    "2000-01-01" };
	const char *r1[] = { "A-10", "A-1" }, *s1[] = { "2000-01-01",
	    "2015-01-01" };
	const char *r2[] = { "A-1", "A-INF", "A-10" }, *s2[] = {
	    "2000-01-01", "2000-01-01", "2000-01-01" };
	const char *r3[] = { "A-1", "A-10", "A-INF" }, *s3[] = {
	    "2000-01-01", NULL, "2001-01-01" };
	const char *r4[] = { "A-10", "A-1" }, *s4[] = { "2000-01-01",
	    "2009-01-01" };
	const char *r5[] = { "A-10" }, *s5[] = { NULL };
	struct dua_table *t = parse(csv);
	struct ret_unit u[7];
	struct ret_effective e[7];
	const struct ret_rule *rr;
	size_t parent0 = 0;

	(void)state;
	memset(u, 0, sizeof(u));
	declare(&u[0].decl[DUA_APPRAISAL], r0, s0, 2, NULL);
	declare(&u[1].decl[DUA_APPRAISAL], r1, s1, 2, NULL);
	declare(&u[2].decl[DUA_APPRAISAL], r2, s2, 3, NULL);
	declare(&u[3].decl[DUA_APPRAISAL], r3, s3, 3, NULL);
	declare(&u[4].decl[DUA_APPRAISAL], r4, s4, 2, NULL);
	/* u5 inherits u0's two rules; u6 declares nothing of its own. */
	u[5].parents = &parent0;
	u[5].nparents = 1;
	declare(&u[6].decl[DUA_APPRAISAL], r5, s5, 1, NULL);
	compute(t, NULL, u, 7, NULL, "2026-01-01", e);
	/* The later end, not the first rule. */
	assert_string_equal(e[0].dua_end, "2010-01-01");
	rr = &e[0].rules[DUA_APPRAISAL][e[0].dua_rule];
	assert_string_equal(rr->rule_id, "A-10");
	assert_string_equal(rr->end, e[0].dua_end);
	/* A later start can make the shorter rule the later end. */
	assert_string_equal(e[1].dua_end, "2016-01-01");
	rr = &e[1].rules[DUA_APPRAISAL][e[1].dua_rule];
	assert_string_equal(rr->rule_id, "A-1");
	assert_string_equal(rr->start, "2015-01-01");
	/* An unlimited rule is the end, whatever comes after it. */
	assert_string_equal(e[2].dua_end, "");
	assert_string_equal(e[2].rules[DUA_APPRAISAL][e[2].dua_rule].rule_id,
	    "A-INF");
	/* Unlimited wins over a rule open for want of a start. */
	assert_string_equal(e[3].rules[DUA_APPRAISAL][e[3].dua_rule].rule_id,
	    "A-INF");
	assert_string_equal(e[3].rules[DUA_APPRAISAL][e[3].dua_rule].start,
	    "2001-01-01");
	/* Same end: the first one. */
	assert_string_equal(e[4].dua_end, "2010-01-01");
	assert_int_equal(e[4].dua_rule, 0);
	/* Inherited rules: the index is into the unit's own list. */
	rr = &e[5].rules[DUA_APPRAISAL][e[5].dua_rule];
	assert_string_equal(rr->rule_id, "A-10");
	assert_string_equal(rr->end, "2010-01-01");
	/* One rule, open: that one. */
	assert_int_equal(e[6].dua_rule, 0);
	free_all(e, 7);
	dua_table_free(t);
}

static void
test_retention__final_action_from_table(void **state)
{
	const char *rs[] = { "AG-05" }, *rk[] = { "EC-01" };
	const char *rd[] = { "EC-02" }, *s[] = { "2010-01-01" };
	struct ret_unit u[5];
	struct ret_effective e[5];

	(void)state;
	memset(u, 0, sizeof(u));
	/* Sort row against a declared Destroy: Sort. */
	declare(&u[0].decl[DUA_APPRAISAL], rs, s, 1, "Destroy");
	/* Keep row against a declared Destroy: Keep. */
	declare(&u[1].decl[DUA_APPRAISAL], rk, s, 1, "Destroy");
	/* Destroy row against a declared Keep: still Keep. */
	declare(&u[2].decl[DUA_APPRAISAL], rd, s, 1, "Keep");
	/* Nothing declared: the row's default; nothing was overridden. */
	declare(&u[3].decl[DUA_APPRAISAL], rd, s, 1, NULL);
	/* Nothing at all: Vitam's implicit Keep. */
	compute(communes, NULL, u, 5, NULL, "2020-01-01", e);
	assert_int_equal(e[0].final_action, DUA_SORT);
	assert_int_equal(e[0].final_from_table, 1);
	assert_string_equal(e[0].declared_final, "Destroy");
	assert_int_equal(retention_age(&e[0], "2020-01-01"), RET_REVIEW);
	assert_int_equal(e[1].final_action, DUA_KEEP);
	assert_int_equal(e[1].final_from_table, 1);
	assert_int_equal(retention_age(&e[1], "2020-01-01"), RET_DEFINITIVE);
	assert_int_equal(e[2].final_action, DUA_KEEP);
	assert_int_equal(e[2].final_from_table, 0);
	assert_string_equal(e[2].declared_final, "Keep");
	assert_int_equal(retention_age(&e[2], "2020-01-01"), RET_DEFINITIVE);
	assert_int_equal(e[3].final_action, DUA_DESTROY);
	assert_int_equal(e[3].final_from_table, 0);
	assert_null(e[3].declared_final);
	assert_int_equal(retention_age(&e[3], "2020-01-01"), RET_DISPOSAL);
	assert_int_equal(e[4].final_action, DUA_KEEP);
	assert_int_equal(e[4].nrules[DUA_APPRAISAL], 0);
	free_all(e, 5);
}

static void
test_retention__conflicting_parents(void **state)
{
	struct dua_table *t = parse(vitam_csv);
	const char *r[] = { "R-5" }, *s[] = { "2000-01-01" };
	struct ret_unit u[7];
	struct ret_effective e[7];
	const size_t p01[] = { 0, 1 }, p2[] = { 2 }, p04[] = { 0, 4 };

	(void)state;
	memset(u, 0, sizeof(u));
	declare(&u[0].decl[DUA_APPRAISAL], r, s, 1, "Keep");
	declare(&u[1].decl[DUA_APPRAISAL], r, s, 1, "Destroy");
	u[2].parents = p01;
	u[2].nparents = 2;
	/* The conflict passes on to descendants that do not decide. */
	u[3].parents = p2;
	u[3].nparents = 1;
	/* Parents that agree, whatever the case of the words. */
	declare(&u[4].decl[DUA_APPRAISAL], r, s, 1, "keep");
	u[5].parents = p04;
	u[5].nparents = 2;
	/* A unit's own FinalAction settles the conflict. */
	u[6].parents = p2;
	u[6].nparents = 1;
	u[6].decl[DUA_APPRAISAL].final_action = "Destroy";
	compute(t, NULL, u, 7, NULL, "2010-01-01", e);
	assert_int_equal(e[0].conflict, 0);
	assert_int_equal(retention_age(&e[1], "2010-01-01"), RET_DISPOSAL);
	assert_int_equal(e[2].conflict, 1);
	assert_int_equal(e[2].final_action, DUA_KEEP);
	assert_null(e[2].declared_final);
	assert_int_equal(e[2].nrules[DUA_APPRAISAL], 1);
	assert_int_equal(retention_age(&e[2], "2004-12-31"),
	    RET_INTERMEDIATE);
	assert_int_equal(retention_age(&e[2], "2005-01-01"), RET_REVIEW);
	assert_int_equal(e[3].conflict, 1);
	assert_int_equal(retention_age(&e[3], "2010-01-01"), RET_REVIEW);
	assert_int_equal(e[5].conflict, 0);
	assert_int_equal(retention_age(&e[5], "2010-01-01"), RET_DEFINITIVE);
	assert_int_equal(e[6].conflict, 0);
	assert_int_equal(retention_age(&e[6], "2010-01-01"), RET_DISPOSAL);
	free_all(e, 7);
	dua_table_free(t);
}

static void
test_retention__ages_on_each_boundary(void **state)
{
	const char *rd[] = { "CO-04" }, *ru[] = { "MP-01" };
	const char *rs[] = { "AG-05" }, *s[] = { "2010-01-01" };
	const char *sn[] = { NULL };
	struct ret_unit u[5];
	struct ret_effective e[5];
	struct ret_effective *d = &e[0], *k = &e[1], *so = &e[2];
	struct ret_effective *un = &e[3], *ns = &e[4];

	(void)state;
	memset(u, 0, sizeof(u));
	declare(&u[0].decl[DUA_APPRAISAL], rd, s, 1, "Destroy");
	declare(&u[1].decl[DUA_APPRAISAL], rd, s, 1, "Keep");
	declare(&u[2].decl[DUA_APPRAISAL], rs, s, 1, "Destroy");
	declare(&u[3].decl[DUA_APPRAISAL], ru, s, 1, "Keep");
	declare(&u[4].decl[DUA_APPRAISAL], rd, sn, 1, "Destroy");
	compute(communes, NULL, u, 5, NULL, "2010-01-01", e);
	/* Default current-use period: one year; DUA ten years (CO-04). */
	assert_string_equal(d->current_end, "2011-01-01");
	assert_string_equal(d->dua_end, "2020-01-01");
	assert_int_equal(retention_age(d, "2010-01-01"), RET_CURRENT);
	assert_int_equal(retention_age(d, "2010-12-31"), RET_CURRENT);
	assert_int_equal(retention_age(d, "2011-01-01"), RET_INTERMEDIATE);
	assert_int_equal(retention_age(d, "2019-12-31"), RET_INTERMEDIATE);
	/* The end date is the first day after the period: expired then. */
	assert_int_equal(retention_age(d, "2020-01-01"), RET_DISPOSAL);
	assert_int_equal(retention_age(d, "2040-06-30"), RET_DISPOSAL);
	assert_int_equal(retention_age(k, "2019-12-31"), RET_INTERMEDIATE);
	assert_int_equal(retention_age(k, "2020-01-01"), RET_DEFINITIVE);
	/* AG-05: five years, Sort. */
	assert_int_equal(retention_age(so, "2014-12-31"), RET_INTERMEDIATE);
	assert_int_equal(retention_age(so, "2015-01-01"), RET_REVIEW);
	/* Unlimited Keep: definitive once the current period is over. */
	assert_int_equal(retention_age(un, "2010-12-31"), RET_CURRENT);
	assert_int_equal(retention_age(un, "2011-01-01"), RET_DEFINITIVE);
	assert_int_equal(retention_age(un, "9999-12-31"), RET_DEFINITIVE);
	/* Without a start, current for ever. */
	assert_int_equal(retention_age(ns, "9999-12-31"), RET_CURRENT);
	free_all(e, 5);
}

static void
test_retention__current_end_sources(void **state)
{
	struct dua_table *t = parse(full_csv);
	const char *rc[] = { "A-CUR" }, *rn[] = { "A-NOCUR" };
	const char *s[] = { "2010-03-01" }, *sn[] = { NULL };
	const char *rst[] = { "S-3" }, *rsi[] = { "S-INF" };
	struct ret_defaults six = { 6, DUA_MONTH };
	struct ret_unit u[6];
	struct ret_effective e[6];

	(void)state;
	memset(u, 0, sizeof(u));
	/* The row's CurrentDuration wins over a StorageRule. */
	declare(&u[0].decl[DUA_APPRAISAL], rc, s, 1, "Destroy");
	declare(&u[0].decl[DUA_STORAGE], rst, s, 1, NULL);
	/* No CurrentDuration: the StorageRule's end. */
	declare(&u[1].decl[DUA_APPRAISAL], rn, s, 1, "Destroy");
	declare(&u[1].decl[DUA_STORAGE], rst, s, 1, NULL);
	/* Neither: the defaults, from the appraisal start. */
	declare(&u[2].decl[DUA_APPRAISAL], rn, s, 1, "Destroy");
	/* A StorageRule without an end says nothing. */
	declare(&u[3].decl[DUA_APPRAISAL], rn, s, 1, "Destroy");
	declare(&u[3].decl[DUA_STORAGE], rsi, s, 1, NULL);
	/* No appraisal start: no current end, whatever the storage says. */
	declare(&u[4].decl[DUA_APPRAISAL], rn, sn, 1, "Destroy");
	declare(&u[4].decl[DUA_STORAGE], rst, s, 1, NULL);
	compute(t, NULL, u, 6, &six, "2011-01-01", e);
	assert_string_equal(e[0].current_end, "2012-03-01");
	assert_string_equal(e[1].current_end, "2013-03-01");
	assert_string_equal(e[1].rules[DUA_STORAGE][0].end, "2013-03-01");
	assert_string_equal(e[2].current_end, "2010-09-01");
	assert_string_equal(e[3].current_end, "2010-09-01");
	assert_string_equal(e[4].current_end, "");
	assert_int_equal(retention_age(&e[1], "2013-02-28"), RET_CURRENT);
	assert_int_equal(retention_age(&e[1], "2013-03-01"),
	    RET_INTERMEDIATE);
	free_all(e, 6);

	/* No defaults given: one year. */
	compute(t, NULL, u, 6, NULL, "2011-01-01", e);
	assert_string_equal(e[2].current_end, "2011-03-01");
	free_all(e, 6);
	dua_table_free(t);
}

static void
test_retention__holds(void **state)
{
	struct dua_table *t = parse(full_csv);
	const char *r2[] = { "H-2" }, *ro[] = { "H-OPEN" };
	const char *rboth[] = { "H-2", "H-OPEN" };
	const char *s[] = { "2020-01-01" }, *s2[] = { "2020-01-01", NULL };
	struct ret_unit u[6];
	struct ret_effective e[6];
	const size_t p0[] = { 0 };

	(void)state;
	memset(u, 0, sizeof(u));
	/* With a duration: start + duration, HoldEndDate ignored. */
	declare(&u[0].decl[DUA_HOLD], r2, s, 1, NULL);
	u[0].decl[DUA_HOLD].hold_end_date = "2030-01-01";
	/* Without: its HoldEndDate. */
	declare(&u[1].decl[DUA_HOLD], ro, s, 1, NULL);
	u[1].decl[DUA_HOLD].hold_end_date = "2023-05-01";
	/* Without either: indefinite. */
	declare(&u[2].decl[DUA_HOLD], ro, s, 1, NULL);
	/* An indefinite hold outlasts a dated one. */
	declare(&u[3].decl[DUA_HOLD], rboth, s2, 2, NULL);
	u[4].parents = p0;
	u[4].nparents = 1;
	compute(t, NULL, u, 6, NULL, "2021-12-31", e);
	assert_string_equal(e[0].hold_end, "2022-01-01");
	assert_int_equal(e[0].held, 1);
	assert_string_equal(e[1].hold_end, "2023-05-01");
	assert_int_equal(e[1].held, 1);
	assert_string_equal(e[2].hold_end, "");
	assert_int_equal(e[2].held, 1);
	assert_string_equal(e[3].hold_end, "");
	assert_int_equal(e[3].held, 1);
	assert_string_equal(e[4].hold_end, "2022-01-01");
	assert_int_equal(e[4].held, 1);
	assert_int_equal(e[4].rules[DUA_HOLD][0].inherited, 1);
	assert_string_equal(e[5].hold_end, "");
	assert_int_equal(e[5].held, 0);
	free_all(e, 6);

	/* On its end date a hold no longer holds. */
	compute(t, NULL, u, 6, NULL, "2022-01-01", e);
	assert_int_equal(e[0].held, 0);
	assert_int_equal(e[4].held, 0);
	assert_int_equal(e[1].held, 1);
	assert_int_equal(e[2].held, 1);
	free_all(e, 6);
	compute(t, NULL, u, 6, NULL, "2023-05-01", e);
	assert_int_equal(e[1].held, 0);
	assert_int_equal(e[2].held, 1);
	free_all(e, 6);
	dua_table_free(t);
}

static void
test_retention__unknown_and_misfiled_rules_ignored(void **state)
{
	struct dua_table *t = parse(full_csv);
	const char *r[] = { "NOPE", "ACC-25", "A-NOCUR" };
	const char *s[] = { "2010-01-01", "2010-01-01", "2010-01-01" };
	struct ret_unit u[1];
	struct ret_effective e[1];

	(void)state;
	memset(u, 0, sizeof(u));
	declare(&u[0].decl[DUA_APPRAISAL], r, s, 3, "Destroy");
	compute(t, NULL, u, 1, NULL, "2011-01-01", e);
	assert_int_equal(e[0].nrules[DUA_APPRAISAL], 1);
	assert_string_equal(e[0].rules[DUA_APPRAISAL][0].rule_id, "A-NOCUR");
	assert_int_equal(e[0].nrules[DUA_ACCESS], 0);
	free_all(e, 1);
	dua_table_free(t);
}

static void
test_retention__refusals(void **state)
{
	const char *r[] = { "EC-02" }, *bad[] = { "2021-02-29" };
	const char *late[] = { "9999-06-01" };
	struct ret_unit u[3];
	struct ret_effective e[3];
	struct sae_err err;
	const size_t p1[] = { 1 }, p2[] = { 2 }, p0[] = { 0 }, p9[] = { 9 };

	(void)state;
	/* A cycle: 0 -> 1 -> 2 -> 0. */
	memset(u, 0, sizeof(u));
	u[0].parents = p1;
	u[0].nparents = 1;
	u[1].parents = p2;
	u[1].nparents = 1;
	u[2].parents = p0;
	u[2].nparents = 1;
	memset(&err, 0, sizeof(err));
	assert_int_equal(retention_compute(communes, NULL, u, 3, NULL,
	    "2020-01-01", e, &err), -1);
	assert_int_equal(err.code, SAE_EINVAL);
	assert_non_null(strstr(err.msg, "cycle"));
	assert_non_null(strstr(err.msg, "Unit "));
	assert_null(e[0].rules[DUA_APPRAISAL]);

	/* Its own parent. */
	memset(u, 0, sizeof(u));
	u[0].parents = p0;
	u[0].nparents = 1;
	memset(&err, 0, sizeof(err));
	assert_int_equal(retention_compute(communes, NULL, u, 1, NULL,
	    "2020-01-01", e, &err), -1);
	assert_int_equal(err.code, SAE_EINVAL);
	assert_non_null(strstr(err.msg, "Unit 0 "));

	/* A parent that does not exist. */
	u[0].parents = p9;
	memset(&err, 0, sizeof(err));
	assert_int_equal(retention_compute(communes, NULL, u, 1, NULL,
	    "2020-01-01", e, &err), -1);
	assert_int_equal(err.code, SAE_EINVAL);
	assert_non_null(strstr(err.msg, "9"));

	/* A date that does not exist; one past 9999; a bad today. */
	memset(u, 0, sizeof(u));
	declare(&u[1].decl[DUA_APPRAISAL], r, bad, 1, NULL);
	memset(&err, 0, sizeof(err));
	assert_int_equal(retention_compute(communes, NULL, u, 2, NULL,
	    "2020-01-01", e, &err), -1);
	assert_int_equal(err.code, SAE_EINVAL);
	assert_non_null(strstr(err.msg, "Unit 1"));
	assert_non_null(strstr(err.msg, "2021-02-29"));
	assert_non_null(strstr(err.msg, "AppraisalRule 'EC-02'"));
	memset(u, 0, sizeof(u));
	declare(&u[0].decl[DUA_APPRAISAL], r, late, 1, NULL);
	memset(&err, 0, sizeof(err));
	assert_int_equal(retention_compute(communes, NULL, u, 1, NULL,
	    "2020-01-01", e, &err), -1);
	assert_int_equal(err.code, SAE_EINVAL);
	memset(u, 0, sizeof(u));
	memset(&err, 0, sizeof(err));
	assert_int_equal(retention_compute(communes, NULL, u, 1, NULL,
	    "2020-1-1", e, &err), -1);
	assert_int_equal(err.code, SAE_EINVAL);
}

static void
test_retention__no_units(void **state)
{
	const char *r[] = { "EC-02" }, *s[] = { "2020-01-01" };
	struct ret_decl meta[DUA_NTYPES];
	struct sae_err err;

	(void)state;
	memset(meta, 0, sizeof(meta));
	declare(&meta[DUA_APPRAISAL], r, s, 1, "Destroy");
	memset(&err, 0, sizeof(err));
	assert_int_equal(retention_compute(communes, meta, NULL, 0, NULL,
	    "2020-01-01", NULL, &err), 0);
	assert_int_equal(retention_compute(communes, NULL, NULL, 0, NULL,
	    "2020-01-01", NULL, &err), 0);
}

static void
test_retention__free_everything(void **state)
{
	struct dua_table *t = parse(full_csv);
	const char *ra[] = { "A-CUR", "A-NOCUR" };
	const char *s[] = { "2010-01-01", "2010-01-01" };
	const char *rs[] = { "S-3" }, *rc[] = { "ACC-25", "ACC-50" };
	const char *rh[] = { "H-OPEN" };
	struct ret_unit u[2];
	struct ret_effective e[2];
	const size_t p0[] = { 0 };
	int c;

	(void)state;
	memset(u, 0, sizeof(u));
	declare(&u[0].decl[DUA_APPRAISAL], ra, s, 2, "Destroy");
	declare(&u[0].decl[DUA_STORAGE], rs, s, 1, NULL);
	declare(&u[0].decl[DUA_ACCESS], rc, s, 2, NULL);
	declare(&u[0].decl[DUA_HOLD], rh, s, 1, NULL);
	u[1].parents = p0;
	u[1].nparents = 1;
	compute(t, NULL, u, 2, NULL, "2011-01-01", e);
	assert_int_equal(e[1].nrules[DUA_APPRAISAL], 2);
	assert_int_equal(e[1].nrules[DUA_ACCESS], 2);
	assert_int_equal(e[1].nrules[DUA_STORAGE], 1);
	assert_int_equal(e[1].nrules[DUA_HOLD], 1);
	free_all(e, 2);
	for (c = 0; c < DUA_NTYPES; c++) {
		assert_null(e[0].rules[c]);
		assert_null(e[1].rules[c]);
		assert_int_equal(e[1].nrules[c], 0);
	}
	/* Twice is harmless, and NULL too. */
	retention_free(&e[0]);
	retention_free(NULL);
	dua_table_free(t);
}

static void
test_retention__age_names(void **state)
{
	(void)state;
	assert_string_equal(retention_age_name(RET_CURRENT), "current");
	assert_string_equal(retention_age_name(RET_INTERMEDIATE),
	    "intermediate");
	assert_string_equal(retention_age_name(RET_DEFINITIVE), "definitive");
	assert_string_equal(retention_age_name(RET_DISPOSAL), "disposal");
	assert_string_equal(retention_age_name(RET_REVIEW), "review");
}

#define NBIG	200000

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*
 * 200,000 units, as a chain (deepest parent last, so the walk goes the
 * whole depth) and as a wide tree whose units have two parents.  Only
 * finishing and the results are checked; the time is a TAP comment.
 */
static void
test_retention__large_chain_and_wide_tree(void **state)
{
	const char *rr[] = { "CO-04" }, *rs[] = { "2010-01-01" };
	const char *lr[] = { "AG-07" }, *ls[] = { "2012-01-01" };
	struct ret_decl meta[DUA_NTYPES];
	struct ret_unit *u;
	struct ret_effective *e;
	size_t *par, i;
	double t0;

	(void)state;
	memset(meta, 0, sizeof(meta));
	declare(&meta[DUA_APPRAISAL], rr, rs, 1, "Destroy");
	u = sae_xcalloc(NBIG, sizeof(*u));
	e = sae_xcalloc(NBIG, sizeof(*e));
	par = sae_xcalloc(2 * NBIG, sizeof(*par));

	/* Chain: unit i's parent is i + 1; the last one is the root. */
	for (i = 0; i + 1 < NBIG; i++) {
		par[i] = i + 1;
		u[i].parents = &par[i];
		u[i].nparents = 1;
		if (i % 1000 == 0)
			declare(&u[i].decl[DUA_APPRAISAL], lr, ls, 1, NULL);
	}
	t0 = now_ms();
	compute(communes, meta, u, NBIG, NULL, "2020-01-01", e);
	printf("# chain of %d units: %.0f ms\n", NBIG, now_ms() - t0);
	assert_int_equal(e[0].nrules[DUA_APPRAISAL], 2);
	assert_int_equal(rule_of(&e[0], DUA_APPRAISAL, "AG-07")->inherited, 0);
	assert_int_equal(e[1].nrules[DUA_APPRAISAL], 2);
	assert_string_equal(e[1].dua_end, "2020-01-01");
	assert_int_equal(e[NBIG - 1].nrules[DUA_APPRAISAL], 1);
	assert_int_equal(retention_age(&e[1], "2020-01-01"), RET_DISPOSAL);
	assert_int_equal(retention_age(&e[1], "2019-12-31"),
	    RET_INTERMEDIATE);
	free_all(e, NBIG);

	/* Wide: 1,000 children of the root, then units with two of them. */
	memset(u, 0, NBIG * sizeof(*u));
	for (i = 1; i < NBIG; i++) {
		if (i <= 1000) {
			par[2 * i] = 0;
			u[i].nparents = 1;
		} else {
			par[2 * i] = 1 + i % 1000;
			par[2 * i + 1] = 1 + (i / 1000) % 1000;
			u[i].nparents = 2;
		}
		u[i].parents = &par[2 * i];
		if (i <= 1000 && i % 2 == 0)
			declare(&u[i].decl[DUA_APPRAISAL], lr, ls, 1, NULL);
	}
	t0 = now_ms();
	compute(communes, meta, u, NBIG, NULL, "2020-01-01", e);
	printf("# wide tree of %d units: %.0f ms\n", NBIG, now_ms() - t0);
	/* Unit 1001: parents 2 (AG-07 declared) and 2. */
	assert_int_equal(e[1001].nrules[DUA_APPRAISAL], 2);
	/* Unit 1002: parents 3 and 2. */
	assert_int_equal(e[1002].nrules[DUA_APPRAISAL], 2);
	/* Unit 3001: parents 2 and 4, both with AG-07: once. */
	assert_int_equal(e[3001].nrules[DUA_APPRAISAL], 2);
	/* Unit 2002: parents 3 and 3, neither with AG-07. */
	assert_int_equal(e[2002].nrules[DUA_APPRAISAL], 1);
	assert_int_equal(e[1].nrules[DUA_APPRAISAL], 1);
	assert_string_equal(e[NBIG - 1].rules[DUA_APPRAISAL][0].rule_id,
	    "CO-04");
	assert_int_equal(rule_of(&e[NBIG - 1], DUA_APPRAISAL,
	    "CO-04")->inherited, 1);
	free_all(e, NBIG);
	free(par);
	free(e);
	free(u);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_retention__root_inherits_metadata),
		cmocka_unit_test(test_retention__child_inherits_from_parent),
		cmocka_unit_test(test_retention__multiple_parents_union),
		cmocka_unit_test(
		    test_retention__multiple_parents_no_start_lasts_longest),
		cmocka_unit_test(
		    test_retention__prevent_inheritance_per_category),
		cmocka_unit_test(test_retention__ref_non_rule_id),
		cmocka_unit_test(
		    test_retention__local_redeclaration_overrides_start),
		cmocka_unit_test(test_retention__end_dates),
		cmocka_unit_test(test_retention__unlimited_and_no_start),
		cmocka_unit_test(test_retention__final_action_from_table),
		cmocka_unit_test(test_retention__conflicting_parents),
		cmocka_unit_test(test_retention__ages_on_each_boundary),
		cmocka_unit_test(test_retention__current_end_sources),
		cmocka_unit_test(test_retention__holds),
		cmocka_unit_test(
		    test_retention__unknown_and_misfiled_rules_ignored),
		cmocka_unit_test(test_retention__refusals),
		cmocka_unit_test(test_retention__no_units),
		cmocka_unit_test(test_retention__free_everything),
		cmocka_unit_test(test_retention__age_names),
		cmocka_unit_test(test_retention__dua_rule_gives_the_end),
		cmocka_unit_test(test_retention__large_chain_and_wide_tree),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
