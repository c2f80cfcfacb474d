/*
 * test_dua.c: policies/dua.c: names of types, measures and final actions,
 * lookup by id, and the calendar arithmetic of dua_date_add.
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
#include "sae/err.h"
#include "sae/xmalloc.h"

static void
test_dua__type_names_roundtrip(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < DUA_NTYPES; i++)
		assert_int_equal(dua_type_parse(dua_type_name(i)), i);
	assert_int_equal(dua_type_parse("AppraisalRule"), DUA_APPRAISAL);
	assert_int_equal(dua_type_parse("HoldRule"), DUA_HOLD);
	/* Types are spelt exactly, as Vitam does. */
	assert_int_equal(dua_type_parse("appraisalrule"), -1);
	assert_int_equal(dua_type_parse("Appraisal"), -1);
	assert_int_equal(dua_type_parse(""), -1);
}

static void
test_dua__measure_and_final_any_case(void **state)
{
	(void)state;
	assert_int_equal(dua_measure_parse("Year"), DUA_YEAR);
	assert_int_equal(dua_measure_parse("YEAR"), DUA_YEAR);
	assert_int_equal(dua_measure_parse("month"), DUA_MONTH);
	assert_int_equal(dua_measure_parse("Day"), DUA_DAY);
	assert_int_equal(dua_measure_parse("Years"), -1);
	assert_int_equal(dua_measure_parse("SECOND"), -1);
	assert_string_equal(dua_measure_name(DUA_MONTH), "MONTH");
	assert_int_equal(dua_final_parse("keep"), DUA_KEEP);
	assert_int_equal(dua_final_parse("Destroy"), DUA_DESTROY);
	assert_int_equal(dua_final_parse("SORT"), DUA_SORT);
	assert_int_equal(dua_final_parse("Transfer"), -1);
	assert_int_equal(dua_final_parse(""), -1);
	assert_string_equal(dua_final_name(DUA_SORT), "Sort");
	assert_string_equal(dua_final_name(DUA_FINAL_NONE), "");
}

static void
test_dua__find(void **state)
{
	struct dua_table *t;

	(void)state;
	t = sae_xcalloc(1, sizeof(*t));
	t->n = 2;
	t->rules = sae_xcalloc(2, sizeof(*t->rules));
	t->rules[0].id = sae_xstrdup("APP-1");
	t->rules[1].id = sae_xstrdup("ACC-1");
	t->rules[1].type = DUA_ACCESS;
	assert_ptr_equal(dua_table_find(t, "ACC-1"), &t->rules[1]);
	assert_ptr_equal(dua_table_find(t, "APP-1"), &t->rules[0]);
	assert_null(dua_table_find(t, "ACC"));
	assert_null(dua_table_find(t, "acc-1"));
	assert_null(dua_table_find(NULL, "ACC-1"));
	dua_table_free(t);
	dua_table_free(NULL);
}

/* dua_date_add, which must succeed, as a string. */
static const char *
add(const char *start, int n, enum dua_measure m)
{
	static char out[11];
	struct sae_err err;

	if (dua_date_add(start, n, m, out, &err) == -1)
		fail_msg("%s + %d: %s", start, n, err.msg);
	return out;
}

static void
test_dua__date_add_years_clamp_29_february(void **state)
{
	(void)state;
	assert_string_equal(add("2020-02-29", 1, DUA_YEAR), "2021-02-28");
	assert_string_equal(add("2020-02-29", 4, DUA_YEAR), "2024-02-29");
	assert_string_equal(add("2020-02-29", 100, DUA_YEAR), "2120-02-29");
	assert_string_equal(add("2000-02-29", 100, DUA_YEAR), "2100-02-28");
	assert_string_equal(add("2021-06-15", 0, DUA_YEAR), "2021-06-15");
	assert_string_equal(add("2021-06-15", 999, DUA_YEAR), "3020-06-15");
	assert_string_equal(add("2021-06-15", -21, DUA_YEAR), "2000-06-15");
}

static void
test_dua__date_add_months_clamp(void **state)
{
	(void)state;
	assert_string_equal(add("2021-01-31", 1, DUA_MONTH), "2021-02-28");
	assert_string_equal(add("2020-01-31", 1, DUA_MONTH), "2020-02-29");
	assert_string_equal(add("2021-03-31", 1, DUA_MONTH), "2021-04-30");
	assert_string_equal(add("2021-11-30", 3, DUA_MONTH), "2022-02-28");
	assert_string_equal(add("2021-12-15", 1, DUA_MONTH), "2022-01-15");
	assert_string_equal(add("2021-05-15", 24, DUA_MONTH), "2023-05-15");
	assert_string_equal(add("2021-01-15", -1, DUA_MONTH), "2020-12-15");
	assert_string_equal(add("2021-01-15", -13, DUA_MONTH), "2019-12-15");
}

static void
test_dua__date_add_days(void **state)
{
	(void)state;
	assert_string_equal(add("2020-12-31", 1, DUA_DAY), "2021-01-01");
	assert_string_equal(add("2020-02-28", 1, DUA_DAY), "2020-02-29");
	assert_string_equal(add("2021-02-28", 1, DUA_DAY), "2021-03-01");
	assert_string_equal(add("1900-02-28", 1, DUA_DAY), "1900-03-01");
	assert_string_equal(add("2020-01-01", 366, DUA_DAY), "2021-01-01");
	assert_string_equal(add("2021-01-01", 365, DUA_DAY), "2022-01-01");
	/* 1970-01-01 is day 0 of the arithmetic: cross it both ways. */
	assert_string_equal(add("1969-12-31", 1, DUA_DAY), "1970-01-01");
	assert_string_equal(add("1970-01-01", -1, DUA_DAY), "1969-12-31");
	assert_string_equal(add("2000-01-01", 146097, DUA_DAY),
	    "2400-01-01");
	/* The last Sunday of March: no DST hour can move the date. */
	assert_string_equal(add("2021-03-27", 1, DUA_DAY), "2021-03-28");
	assert_string_equal(add("2021-03-28", 1, DUA_DAY), "2021-03-29");
}

static void
test_dua__date_add_refuses_bad_input(void **state)
{
	static const char *bad[] = {
		"2021-02-29", "2021-13-01", "2021-00-10", "2021-04-31",
		"2021-1-1", "2021-01-01x", "2021-01-01 ", " 2021-01-01",
		"2021/01/01", "21-01-01", "0000-01-01", "", "abcd-ef-gh",
	};
	struct sae_err err;
	char out[11];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&err, 0, sizeof(err));
		assert_int_equal(dua_date_add(bad[i], 1, DUA_DAY, out, &err),
		    -1);
		assert_int_equal(err.code, SAE_EINVAL);
		assert_non_null(strstr(err.msg, "YYYY-MM-DD"));
	}
	assert_int_equal(dua_date_add(NULL, 1, DUA_DAY, out, &err), -1);
	/* Past 9999 (and before year 1) is refused, not wrapped. */
	assert_int_equal(dua_date_add("9999-12-31", 1, DUA_DAY, out, &err),
	    -1);
	assert_non_null(strstr(err.msg, "9999"));
	assert_int_equal(dua_date_add("9500-01-01", 999, DUA_YEAR, out,
	    &err), -1);
	assert_int_equal(dua_date_add("0001-01-01", -1, DUA_MONTH, out,
	    &err), -1);
	assert_int_equal(dua_date_add("2021-01-01", 1, (enum dua_measure)7,
	    out, &err), -1);
	assert_string_equal(add("9999-12-30", 1, DUA_DAY), "9999-12-31");
}

static void
test_dua__date_valid(void **state)
{
	(void)state;
	assert_true(dua_date_valid("2020-02-29"));
	assert_true(dua_date_valid("2000-02-29"));
	assert_true(dua_date_valid("2021-12-31"));
	assert_true(dua_date_valid("0001-01-01"));
	assert_false(dua_date_valid("1900-02-29"));
	assert_false(dua_date_valid("2021-02-29"));
	assert_false(dua_date_valid("2021-13-01"));
	assert_false(dua_date_valid("2021-06-31"));
	assert_false(dua_date_valid("2021-1-1"));
	assert_false(dua_date_valid("2021-01-01T00:00:00"));
	assert_false(dua_date_valid("2021-01-0"));
	assert_false(dua_date_valid(""));
	assert_false(dua_date_valid(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dua__type_names_roundtrip),
		cmocka_unit_test(test_dua__measure_and_final_any_case),
		cmocka_unit_test(test_dua__find),
		cmocka_unit_test(test_dua__date_add_years_clamp_29_february),
		cmocka_unit_test(test_dua__date_add_months_clamp),
		cmocka_unit_test(test_dua__date_add_days),
		cmocka_unit_test(test_dua__date_add_refuses_bad_input),
		cmocka_unit_test(test_dua__date_valid),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
