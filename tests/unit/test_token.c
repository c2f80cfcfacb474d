/*
 * test_token.c: API tokens: created once and shown once, only a hash kept,
 * checked, listed, revoked; each change journaled.
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
#include "sae/journal.h"
#include "sae/token.h"
#include "tests/unit/helpers.h"

struct fx {
	struct catalog	*cat;
	sqlite3		*db;
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
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	catalog_put(fx->cat, fx->db);
	catalog_close(fx->cat);
	free(fx);
	return 0;
}

static long long
count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	long long n = -1;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void
test_token__create_check_revoke(void **state)
{
	struct fx *fx = *state;
	struct token_info who;
	struct sae_err err;
	char *secret = NULL;
	long long bad;

	assert_int_equal(token_create(fx->db, "app", ROLE_PRODUCER, "AG-1",
	    "test", &secret, &err), 0);
	assert_non_null(secret);
	assert_int_equal(strncmp(secret, "sae_", 4), 0);
	assert_int_equal(strlen(secret), 4 + 43);
	assert_int_equal(token_check(fx->db, secret, &who, &err), 0);
	assert_string_equal(who.name, "app");
	assert_int_equal(who.role, ROLE_PRODUCER);
	assert_string_equal(who.agency, "AG-1");
	assert_int_equal(token_check(fx->db, "sae_wrong", &who, &err), -1);
	assert_int_equal(err.code, SAE_EDENIED);
	assert_int_equal(token_revoke(fx->db, "app", "test", &err), 0);
	assert_int_equal(token_check(fx->db, secret, &who, &err), -1);
	assert_int_equal(err.code, SAE_EDENIED);
	assert_int_equal(token_revoke(fx->db, "app", "test", &err), -1);
	assert_int_equal(err.code, SAE_ENOTFOUND);
	assert_int_equal(count(fx->db, "SELECT count(*) FROM journal WHERE "
	    "type IN ('TOKEN_CREATE','TOKEN_REVOKE')"), 2);
	assert_int_equal(journal_verify(fx->db, &bad, &err), 0);
	free(secret);
}

static void
test_token__only_a_hash_is_kept(void **state)
{
	struct fx *fx = *state;
	struct sae_err err;
	sqlite3_stmt *st;
	char *secret = NULL;
	int found = 0;

	assert_int_equal(token_create(fx->db, "a", ROLE_ADMIN, NULL, "test",
	    &secret, &err), 0);
	/* No column of any table holds the token itself. */
	assert_int_equal(sqlite3_prepare_v2(fx->db, "SELECT name, role, "
	    "coalesce(agency,''), hex(hash) FROM token UNION ALL SELECT "
	    "message, detail, agent, type FROM journal", -1, &st, NULL),
	    SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		for (int c = 0; c < 4; c++) {
			const char *v = (const char *)sqlite3_column_text(st, c);

			if (v != NULL && strstr(v, secret + 4) != NULL)
				found = 1;
		}
	sqlite3_finalize(st);
	assert_false(found);
	free(secret);
}

static void
test_token__refusals(void **state)
{
	struct fx *fx = *state;
	struct sae_buf list = SAE_BUF_INIT;
	struct sae_err err;
	char *secret = NULL;

	assert_int_equal(token_create(fx->db, "x", ROLE_AUDITOR, NULL, "t",
	    &secret, &err), 0);
	free(secret);
	assert_int_equal(token_create(fx->db, "x", ROLE_AUDITOR, NULL, "t",
	    &secret, &err), -1);
	assert_int_equal(err.code, SAE_EEXIST);
	assert_null(secret);
	assert_int_equal(token_create(fx->db, "", ROLE_AUDITOR, NULL, "t",
	    &secret, &err), -1);
	assert_int_equal(token_create(fx->db, "y", ROLE_AUDITOR, "", "t",
	    &secret, &err), -1);
	assert_int_equal(token_role_parse("archivist"), ROLE_ARCHIVIST);
	assert_int_equal(token_role_parse("root"), -1);
	assert_int_equal(token_list(fx->db, &list, &err), 0);
	assert_non_null(strstr(list.data, "auditor"));
	sae_buf_done(&list);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_token__create_check_revoke,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_token__only_a_hash_is_kept,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_token__refusals, setup,
		    teardown),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
