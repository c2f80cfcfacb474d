/*
 * test_dua_csv.c: policies/dua_csv.c: the real tables of ../shared read in
 * place (ours and Vitam's), every refusal with its FILE:LINE, and the
 * writer read back to the same table.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "policies/dua.h"
#include "sae/buf.h"
#include "sae/err.h"
#include "tests/unit/helpers.h"

#define HDR	"RuleId,RuleType,RuleValue,RuleDescription,RuleDuration," \
		"RuleMeasurement"
#define HDR9	HDR ",FinalAction,StartEvent,Domain"

/* Parses a shared file; the test fails with the reader's message. */
static struct dua_table *
load(const char *rel)
{
	struct sae_buf b = SAE_BUF_INIT;
	struct dua_table *t = NULL;
	struct sae_err err;

	th_read(th_shared(rel), &b);
	if (dua_csv_parse(&t, b.data, b.len, rel, &err) == -1)
		fail_msg("%s", err.msg);
	sae_buf_done(&b);
	return t;
}

static struct dua_table *
parse_str(const char *csv)
{
	struct dua_table *t = NULL;
	struct sae_err err;

	if (dua_csv_parse(&t, csv, strlen(csv), "t.csv", &err) == -1)
		fail_msg("%s", err.msg);
	return t;
}

/* Parses ${csv}, which must be refused; the message, in a static buffer. */
static const char *
refuse_len(const char *csv, size_t len, const char *file)
{
	static struct sae_err err;
	struct dua_table *t = (struct dua_table *)1;

	memset(&err, 0, sizeof(err));
	assert_int_equal(dua_csv_parse(&t, csv, len, file, &err), -1);
	assert_null(t);
	assert_int_equal(err.code, SAE_EINVAL);
	return err.msg;
}

static const char *
refuse(const char *csv)
{
	return refuse_len(csv, strlen(csv), "t.csv");
}

#define assert_has(msg, part) do {					\
	if (strstr((msg), (part)) == NULL)				\
		fail_msg("'%s' does not say '%s'", (msg), (part));	\
} while (0)

static int
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Same rules, field by field (the line numbers aside). */
static void
assert_tables_equal(const struct dua_table *a, const struct dua_table *b)
{
	const struct dua_rule *x, *y;
	size_t i;

	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		x = &a->rules[i];
		y = &b->rules[i];
		assert_string_equal(x->id, y->id);
		assert_int_equal(x->type, y->type);
		assert_string_equal(x->value, y->value);
		assert_string_equal(x->description, y->description);
		assert_int_equal(x->has_duration, y->has_duration);
		assert_int_equal(x->unlimited, y->unlimited);
		assert_int_equal(x->duration, y->duration);
		assert_int_equal(x->measure, y->measure);
		assert_int_equal(x->final_action, y->final_action);
		assert_true(str_eq(x->start_event, y->start_event));
		assert_true(str_eq(x->domain, y->domain));
		assert_int_equal(x->has_current, y->has_current);
		assert_int_equal(x->current_duration, y->current_duration);
		assert_int_equal(x->current_measure, y->current_measure);
	}
}

static void
roundtrip(const struct dua_table *t)
{
	struct sae_buf b = SAE_BUF_INIT;
	struct dua_table *t2;

	dua_csv_write(t, &b);
	t2 = parse_str(b.data);
	assert_tables_equal(t, t2);
	dua_table_free(t2);
	sae_buf_done(&b);
}

static void
test_dua_csv__communes(void **state)
{
	struct dua_table *t;
	const struct dua_rule *r;
	size_t i, nkeep = 0, ndestroy = 0, nsort = 0, nunl = 0;

	(void)state;
	t = load("policies/dua-communes.csv");
	assert_int_equal(t->n, 55);
	for (i = 0; i < t->n; i++) {
		assert_int_equal(t->rules[i].type, DUA_APPRAISAL);
		assert_non_null(t->rules[i].domain);
		nkeep += t->rules[i].final_action == DUA_KEEP;
		ndestroy += t->rules[i].final_action == DUA_DESTROY;
		nsort += t->rules[i].final_action == DUA_SORT;
		nunl += t->rules[i].unlimited;
	}
	assert_int_equal(nkeep + ndestroy + nsort, 55);
	assert_true(nsort >= 1 && nkeep >= 1 && ndestroy >= 1);
	assert_true(nunl >= 1);
	r = dua_table_find(t, "EC-01");
	assert_non_null(r);
	assert_true(r->has_duration && r->unlimited);
	assert_int_equal(r->final_action, DUA_KEEP);
	assert_string_equal(r->start_event, "closure");
	assert_string_equal(r->domain, "État civil");
	assert_int_equal(r->line, 2);
	r = dua_table_find(t, "EC-03");
	assert_non_null(r);
	/* A quoted label with a comma in it. */
	assert_string_equal(r->value, "Dossiers d'actes de naissances, de "
	    "mariages ou de décès conservés en mairie");
	assert_int_equal(r->duration, 50);
	assert_int_equal(r->measure, DUA_YEAR);
	assert_int_equal(r->final_action, DUA_DESTROY);
	assert_string_equal(r->description, "");
	dua_table_free(t);
}

static void
test_dua_csv__vitam_rules_ok(void **state)
{
	struct dua_table *t;
	const struct dua_rule *r;
	size_t i, count[DUA_NTYPES] = { 0 };

	(void)state;
	t = load("seda/examples/rules_ok.csv");
	assert_int_equal(t->n, 67);
	for (i = 0; i < t->n; i++) {
		count[t->rules[i].type]++;
		assert_int_equal(t->rules[i].final_action, DUA_FINAL_NONE);
		assert_null(t->rules[i].start_event);
		assert_null(t->rules[i].domain);
	}
	assert_int_equal(count[DUA_ACCESS], 36);
	assert_int_equal(count[DUA_APPRAISAL], 11);
	assert_int_equal(count[DUA_STORAGE], 9);
	assert_int_equal(count[DUA_DISSEMINATION], 5);
	assert_int_equal(count[DUA_HOLD], 4);
	assert_int_equal(count[DUA_REUSE], 1);
	assert_int_equal(count[DUA_CLASSIFICATION], 1);

	/* A description over two lines, with its trailing blank kept. */
	r = &t->rules[0];
	assert_string_equal(r->id, "APP-00001");
	assert_int_equal(r->line, 2);
	assert_string_equal(r->description, "Durée de conservation des "
	    "dossiers individuels d’agents. \nL’échéance est calculée à "
	    "partir de la date de naissance de l’agent");
	assert_int_equal(r->duration, 80);
	assert_int_equal(r->measure, DUA_YEAR);
	/* Rows that follow multi-line ones have their own first line. */
	assert_int_equal(t->rules[1].line, 4);
	r = dua_table_find(t, "ACC-00001");
	assert_non_null(r);
	assert_int_equal(r->line, 12);
	assert_int_equal(r->duration, 0);
	assert_true(r->has_duration);

	r = dua_table_find(t, "HOL-00002");
	assert_non_null(r);
	assert_int_equal(r->line, 119);
	assert_false(r->has_duration);
	r = dua_table_find(t, "HOL-00004");
	assert_non_null(r);
	assert_true(r->has_duration && r->unlimited);
	dua_table_free(t);
}

static void
test_dua_csv__roundtrip_real_files(void **state)
{
	struct dua_table *t;

	(void)state;
	t = load("policies/dua-communes.csv");
	roundtrip(t);
	dua_table_free(t);
	t = load("seda/examples/rules_ok.csv");
	roundtrip(t);
	dua_table_free(t);
}

static void
test_dua_csv__vitam_ko_duplicate_id(void **state)
{
	struct sae_buf b = SAE_BUF_INIT;
	const char *msg;

	(void)state;
	th_read(th_shared("seda/examples/rules_ko_ruleId_non_unique.csv"),
	    &b);
	msg = refuse_len(b.data, b.len, "rules_ko_ruleId_non_unique.csv");
	assert_has(msg, "rules_ko_ruleId_non_unique.csv:7: ");
	assert_has(msg, "'ACC-00001'");
	assert_has(msg, "line 6");
	sae_buf_done(&b);
}

static void
test_dua_csv__vitam_ko_missing_column(void **state)
{
	struct sae_buf b = SAE_BUF_INIT;
	const char *msg;

	(void)state;
	th_read(th_shared("seda/examples/rules_ko_colonne_absente.csv"), &b);
	msg = refuse_len(b.data, b.len, "rules_ko_colonne_absente.csv");
	assert_has(msg, "rules_ko_colonne_absente.csv:1: ");
	assert_has(msg, "'RuleType'");
	assert_has(msg, "missing");
	sae_buf_done(&b);
}

static void
test_dua_csv__bom_crlf_and_optional_columns(void **state)
{
	struct dua_table *t;
	const struct dua_rule *r;

	(void)state;
	t = parse_str("\xef\xbb\xbf" HDR ",CurrentDuration,CurrentMeasurement"
	    "\r\nA-1,AppraisalRule,Un,\"deux\r\nlignes\",10,month,3,Year\r\n"
	    "\r\n"
	    "S-1,StorageRule,Stock,,5,DAY,,\r\n");
	assert_int_equal(t->n, 2);
	r = &t->rules[0];
	assert_string_equal(r->id, "A-1");
	assert_string_equal(r->description, "deux\r\nlignes");
	assert_int_equal(r->measure, DUA_MONTH);
	assert_true(r->has_current);
	assert_int_equal(r->current_duration, 3);
	assert_int_equal(r->current_measure, DUA_YEAR);
	r = &t->rules[1];
	/* A blank line is skipped but counted. */
	assert_int_equal(r->line, 5);
	assert_false(r->has_current);
	assert_int_equal(r->measure, DUA_DAY);
	roundtrip(t);
	dua_table_free(t);
}

static void
test_dua_csv__writer_quotes(void **state)
{
	struct sae_buf b = SAE_BUF_INIT;
	struct dua_table *t;

	(void)state;
	t = parse_str(HDR9 "\nX-1,AppraisalRule,\"a \"\"b\"\", c\",\" lead\","
	    "unlimited,,sort,,\n");
	assert_string_equal(t->rules[0].value, "a \"b\", c");
	assert_string_equal(t->rules[0].description, " lead");
	assert_int_equal(t->rules[0].final_action, DUA_SORT);
	assert_true(t->rules[0].unlimited);
	dua_csv_write(t, &b);
	assert_string_equal(b.data, "RuleId,RuleType,RuleValue,"
	    "RuleDescription,RuleDuration,RuleMeasurement,FinalAction,"
	    "StartEvent,Domain,CurrentDuration,CurrentMeasurement\n"
	    "X-1,AppraisalRule,\"a \"\"b\"\", c\",\" lead\",unlimited,YEAR,"
	    "Sort,,,,\n");
	roundtrip(t);
	sae_buf_done(&b);
	dua_table_free(t);
}

static void
test_dua_csv__refuses_bad_values(void **state)
{
	const char *m;

	(void)state;
	m = refuse(HDR "\nA,AppraisalRule,v,,1,YEAR\nB,Appraisal,v,,1,YEAR\n");
	assert_has(m, "t.csv:3: ");
	assert_has(m, "'Appraisal'");
	m = refuse(HDR "\nA,AppraisalRule,v,,1,Years\n");
	assert_has(m, "t.csv:2: ");
	assert_has(m, "'Years'");
	m = refuse(HDR "\nA,AppraisalRule,v,,abc,YEAR\n");
	assert_has(m, "'abc'");
	m = refuse(HDR "\nA,AppraisalRule,v,,-1,YEAR\n");
	assert_has(m, "'-1'");
	m = refuse(HDR "\nA,AppraisalRule,v,,1000,YEAR\n");
	assert_has(m, "'1000'");
	assert_has(m, "0 to 999");
	m = refuse(HDR "\nA,AppraisalRule,v,,1,\n");
	assert_has(m, "RuleMeasurement is empty");
	m = refuse(HDR "\nA,AccessRule,v,,,\n");
	assert_has(m, "only a HoldRule");
	m = refuse(HDR "\n,AccessRule,v,,1,YEAR\n");
	assert_has(m, "t.csv:2: the RuleId is empty");
	m = refuse(HDR "\nA,AccessRule,,,1,YEAR\n");
	assert_has(m, "RuleValue");
	m = refuse(HDR ",CurrentDuration,CurrentMeasurement\n"
	    "A,AccessRule,v,,1,YEAR,unlimited,YEAR\n");
	assert_has(m, "CurrentDuration 'unlimited'");
}

static void
test_dua_csv__refuses_misplaced_final_action(void **state)
{
	const char *m;

	(void)state;
	m = refuse(HDR9 "\nA,AccessRule,v,,1,YEAR,Destroy,,\n");
	assert_has(m, "t.csv:2: ");
	assert_has(m, "AppraisalRule");
	assert_has(m, "AccessRule");
	m = refuse(HDR9 "\nA,StorageRule,v,,1,YEAR,Sort,,\n");
	assert_has(m, "StorageRule");
	m = refuse(HDR9 "\nA,HoldRule,v,,,,Keep,,\n");
	assert_has(m, "HoldRule");
	/* Storage final actions belong in the SIP, not in the table. */
	m = refuse(HDR9 "\nA,StorageRule,v,,1,YEAR,Transfer,,\n");
	assert_has(m, "'Transfer'");
	assert_has(m, "SIP");
	m = refuse(HDR9 "\nA,AppraisalRule,v,,1,YEAR,Burn,,\n");
	assert_has(m, "'Burn'");
}

static void
test_dua_csv__refuses_malformed_csv(void **state)
{
	const char *m;

	(void)state;
	m = refuse(HDR "\nA,AccessRule,v,,1,YEAR\n"
	    "B,AccessRule,v,\"never closed,1,YEAR\nC,AccessRule,v,,1,YEAR\n");
	assert_has(m, "t.csv:3: ");
	assert_has(m, "never closed");
	m = refuse(HDR "\nA,AccessRule,v,,1,YEAR,extra\n");
	assert_has(m, "t.csv:2: the row has 7 fields but the header has 6");
	m = refuse(HDR "\nA,AccessRule,v,,1\n");
	assert_has(m, "5 fields");
	m = refuse(HDR "\nA,AccessRule,v,d\"q,1,YEAR\n");
	assert_has(m, "t.csv:2: malformed CSV");
	m = refuse(HDR ",Color\nA,AccessRule,v,,1,YEAR,red\n");
	assert_has(m, "t.csv:1: unknown column 'Color'");
	m = refuse(HDR ",RuleId\n");
	assert_has(m, "'RuleId' appears twice");
	m = refuse(HDR ",CurrentDuration\nA,AccessRule,v,,1,YEAR,1\n");
	assert_has(m, "CurrentMeasurement");
	/* Header names are matched exactly. */
	m = refuse("ruleid,RuleType,RuleValue,RuleDescription,RuleDuration,"
	    "RuleMeasurement\n");
	assert_has(m, "'ruleid'");
	m = refuse_len(HDR "\nA,AccessRule,v\0x,,1,YEAR\n", sizeof(HDR) + 25,
	    "t.csv");
	assert_has(m, "NUL");
	m = refuse(HDR "\nA,AccessRule,v,,1,YEAR\n\nA,AccessRule,w,,2,YEAR\n");
	assert_has(m, "t.csv:4: the RuleId 'A' is already used on line 2");
}

static void
test_dua_csv__refuses_empty_tables(void **state)
{
	const char *m;

	(void)state;
	m = refuse("");
	assert_has(m, "t.csv:1: the file is empty");
	m = refuse("\xef\xbb\xbf\n\n");
	assert_has(m, "empty");
	m = refuse(HDR "\n");
	assert_has(m, "no rules");
	m = refuse(HDR);
	assert_has(m, "no rules");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dua_csv__communes),
		cmocka_unit_test(test_dua_csv__vitam_rules_ok),
		cmocka_unit_test(test_dua_csv__roundtrip_real_files),
		cmocka_unit_test(test_dua_csv__vitam_ko_duplicate_id),
		cmocka_unit_test(test_dua_csv__vitam_ko_missing_column),
		cmocka_unit_test(test_dua_csv__bom_crlf_and_optional_columns),
		cmocka_unit_test(test_dua_csv__writer_quotes),
		cmocka_unit_test(test_dua_csv__refuses_bad_values),
		cmocka_unit_test(test_dua_csv__refuses_misplaced_final_action),
		cmocka_unit_test(test_dua_csv__refuses_malformed_csv),
		cmocka_unit_test(test_dua_csv__refuses_empty_tables),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
