/*
 * test_rules.c: versions of the DUA table in the catalog: imports,
 * refusals that change nothing, rules in use that cannot disappear.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sae/catalog.h"
#include "sae/rules.h"
#include "tests/unit/helpers.h"

struct fx {
	struct catalog	*cat;
	sqlite3		*db;
	struct sae_buf	 communes;
	struct sae_buf	 vitam;
};

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	struct sae_err err;
	char path[512];

	snprintf(path, sizeof(path), "%s/catalog.db", th_tmpdir());
	assert_int_equal(catalog_open(&fx->cat, path, NULL, &err), 0);
	fx->db = catalog_get(fx->cat, &err);
	th_read(th_src("policies/dua-communes.csv"), &fx->communes);
	th_read(th_shared("seda/examples/rules_ok.csv"), &fx->vitam);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	catalog_put(fx->cat, fx->db);
	catalog_close(fx->cat);
	sae_buf_done(&fx->communes);
	sae_buf_done(&fx->vitam);
	free(fx);
	return 0;
}

static void
test_rules__import_versions(void **state)
{
	struct fx *fx = *state;
	struct dua_table *t;
	const struct dua_rule *r;
	struct sae_err err;
	long long v;

	assert_int_equal(rules_import(fx->db, fx->communes.data,
	    fx->communes.len, "communes.csv", "test", &v, &err), 0);
	assert_int_equal(v, 1);
	assert_int_equal(rules_load(fx->db, &t, &err), 0);
	assert_int_equal(t->n, 55);
	r = dua_table_find(t, "EC-01");
	assert_non_null(r);
	assert_true(r->unlimited);
	assert_int_equal(r->final_action, DUA_KEEP);
	r = dua_table_find(t, "AG-05");
	assert_int_equal(r->final_action, DUA_SORT);
	assert_int_equal(r->duration, 5);
	assert_int_equal(r->measure, DUA_YEAR);
	dua_table_free(t);
	assert_int_equal(rules_import(fx->db, fx->vitam.data, fx->vitam.len,
	    "rules_ok.csv", "test", &v, &err), 0);
	assert_int_equal(v, 2);
	assert_int_equal(rules_load(fx->db, &t, &err), 0);
	assert_int_equal(t->n, 67);
	assert_null(dua_table_find(t, "EC-01"));
	r = dua_table_find(t, "HOL-00002");	/* a hold without duration */
	assert_non_null(r);
	assert_int_equal(r->type, DUA_HOLD);
	assert_false(r->has_duration);
	dua_table_free(t);
}

static void
test_rules__bad_file_changes_nothing(void **state)
{
	struct fx *fx = *state;
	struct sae_buf bad = SAE_BUF_INIT;
	struct dua_table *t;
	struct sae_err err;
	long long v;

	assert_int_equal(rules_import(fx->db, fx->communes.data,
	    fx->communes.len, "communes.csv", "test", &v, &err), 0);
	th_read(th_shared("seda/examples/rules_ko_colonne_absente.csv"), &bad);
	assert_int_equal(rules_import(fx->db, bad.data, bad.len, "ko.csv",
	    "test", &v, &err), -1);
	assert_int_equal(err.code, SAE_EINVAL);
	assert_non_null(strstr(err.msg, "ko.csv:1:"));
	assert_int_equal(rules_load(fx->db, &t, &err), 0);
	assert_int_equal(t->n, 55);
	dua_table_free(t);
	sae_buf_done(&bad);
}

static void
test_rules__used_rule_stays(void **state)
{
	struct fx *fx = *state;
	struct sae_buf json = SAE_BUF_INIT;
	struct sae_err err;
	long long v;

	assert_int_equal(rules_import(fx->db, fx->communes.data,
	    fx->communes.len, "communes.csv", "test", &v, &err), 0);
	/* An archived transfer declares EC-02 as its AppraisalRule. */
	assert_int_equal(sqlite3_exec(fx->db,
	    "INSERT INTO token (id, name, role, hash, created) VALUES "
	    "(1, 'p', 'producer', x'00', 'now');"
	    "INSERT INTO transfer (id, seq, producer, seda_version, "
	    "package_sha256, package_size, status, http_status, received, "
	    "reply) VALUES ('T', 1, 1, '2.2', 'x', 1, 'OK', 201, 'now', 'r');"
	    "INSERT INTO declared_rule (transfer, category, rule) VALUES "
	    "('T', 'AppraisalRule', 'EC-02');", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(rules_import(fx->db, fx->vitam.data, fx->vitam.len,
	    "rules_ok.csv", "test", &v, &err), -1);
	assert_non_null(strstr(err.msg, "EC-02"));
	assert_int_equal(rules_json(fx->db, &json, &err), 0);
	assert_non_null(strstr(json.data, "\"version\": 1"));
	sae_buf_done(&json);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rules__import_versions,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_rules__bad_file_changes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rules__used_rule_stays,
		    setup, teardown),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
