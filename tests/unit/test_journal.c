/*
 * test_journal.c: the hash-chained journal: appends chain, and editing,
 * deleting, inserting or reordering a row directly in SQLite is named by
 * journal_verify.
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

#include <jansson.h>

#include <openssl/sha.h>

#include "sae/catalog.h"
#include "sae/journal.h"
#include "sae/seal.h"
#include "tests/unit/helpers.h"

struct fx {
	struct catalog	*cat;
	sqlite3		*db;
};

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	struct journal_entry e;
	struct sae_err err;
	char path[512], msg[64];
	int created, i;

	snprintf(path, sizeof(path), "%s/catalog.db", th_tmpdir());
	assert_int_equal(catalog_open(&fx->cat, path, &created, &err), 0);
	assert_int_equal(created, 1);
	fx->db = catalog_get(fx->cat, &err);
	assert_non_null(fx->db);
	for (i = 1; i <= 5; i++) {
		memset(&e, 0, sizeof(e));
		snprintf(msg, sizeof(msg), "entrée %d", i);
		e.type = "TEST";
		e.outcome = "OK";
		e.agent = "test";
		e.unit = i % 2 ? "UNIT" : NULL;
		e.message = msg;
		e.detail = "{\"n\":1,\"sha256\":\"ab\"}";
		assert_int_equal(catalog_begin(fx->db, &err), 0);
		assert_int_equal(journal_append(fx->db, &e, NULL, &err), 0);
		assert_int_equal(catalog_commit(fx->db, &err), 0);
	}
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
verify(struct fx *fx, struct sae_err *err)
{
	long long bad = -1;

	if (journal_verify(fx->db, &bad, err) == 0)
		return 0;
	return bad;
}

static void
exec_ok(struct fx *fx, const char *sql)
{
	assert_int_equal(sqlite3_exec(fx->db, sql, NULL, NULL, NULL), SQLITE_OK);
}

static void
test_journal__chain_holds(void **state)
{
	struct fx *fx = *state;
	struct sae_err err;

	assert_int_equal(verify(fx, &err), 0);
}

static void
test_journal__append_needs_transaction(void **state)
{
	struct fx *fx = *state;
	struct journal_entry e = { "T", "OK", "a", NULL, NULL, NULL, "m", NULL };
	struct sae_err err;

	assert_int_equal(journal_append(fx->db, &e, NULL, &err), -1);
}

static void
test_journal__edited_row_named(void **state)
{
	struct fx *fx = *state;
	struct sae_err err;

	exec_ok(fx, "UPDATE journal SET message = 'autre' WHERE seq = 3");
	assert_int_equal(verify(fx, &err), 3);
	assert_non_null(strstr(err.msg, "altered"));
}

static void
test_journal__edited_detail_named(void **state)
{
	struct fx *fx = *state;
	struct sae_err err;

	exec_ok(fx, "UPDATE journal SET detail = '{\"n\":2,\"sha256\":\"ab\"}' "
	    "WHERE seq = 2");
	assert_int_equal(verify(fx, &err), 2);
}

static void
test_journal__deleted_row_named(void **state)
{
	struct fx *fx = *state;
	struct sae_err err;

	exec_ok(fx, "DELETE FROM journal WHERE seq = 2");
	assert_int_equal(verify(fx, &err), 3);
	assert_non_null(strstr(err.msg, "missing"));
}

static void
test_journal__inserted_row_named(void **state)
{
	struct fx *fx = *state;
	struct sae_err err;

	/* A forged row with a correct-looking hash of its own still breaks
	 * the link to the row after it. */
	exec_ok(fx, "UPDATE journal SET seq = seq + 100 WHERE seq >= 4");
	exec_ok(fx, "UPDATE journal SET seq = seq - 99 WHERE seq >= 100");
	exec_ok(fx, "INSERT INTO journal SELECT 4, ts, type, outcome, agent, "
	    "transfer, unit, object, 'forgé', detail, prev, hash FROM journal "
	    "WHERE seq = 3");
	assert_int_equal(verify(fx, &err), 4);
}

static void
test_journal__reordered_rows_named(void **state)
{
	struct fx *fx = *state;
	struct sae_err err;

	exec_ok(fx, "UPDATE journal SET seq = 100 WHERE seq = 2");
	exec_ok(fx, "UPDATE journal SET seq = 2 WHERE seq = 3");
	exec_ok(fx, "UPDATE journal SET seq = 3 WHERE seq = 100");
	assert_int_equal(verify(fx, &err), 2);
}

static void
test_journal__canonical_is_sorted_compact_json(void **state)
{
	struct journal_entry e = { "T", "OK", "agent", NULL, "U", NULL,
	    "é", "{\"b\":1,\"a\":2}" };
	struct sae_buf b = SAE_BUF_INIT;
	struct sae_err err;

	(void)state;
	assert_int_equal(journal_canonical(&b, 7, "2026-01-01T00:00:00Z", &e,
	    JOURNAL_GENESIS, &err), 0);
	assert_string_equal(b.data, "{\"agent\":\"agent\",\"detail\":{\"a\":2,"
	    "\"b\":1},\"message\":\"é\",\"object\":null,\"outcome\":\"OK\","
	    "\"prev\":\"" JOURNAL_GENESIS "\",\"seq\":7,\"transfer\":null,"
	    "\"ts\":\"2026-01-01T00:00:00Z\",\"type\":\"T\",\"unit\":\"U\"}");
	sae_buf_done(&b);
}

/* A random string of the bytes that make escaping and UTF-8 hard. */
static void
rand_str(char *out, size_t max, unsigned *seed)
{
	static const char *const pieces[] = { "a", "Z", "0", " ", "\"", "\\",
	    "/", "\n", "\r", "\t", "\b", "\f", "\x01", "\x1f", "\x7f", "é",
	    "€", "\xf0\x9f\x93\x9c", "\xef\xbf\xbf", "\xc3", "\xe2\x82",
	    "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xff", "\x80",
	    "{}", "\\u0000", "Changement d'âge : current → intermediate" };
	size_t n = (size_t)rand_r(seed) % 6, len = 0, k;

	out[0] = '\0';
	for (k = 0; k < n; k++) {
		const char *p = pieces[(size_t)rand_r(seed) %
		    (sizeof(pieces) / sizeof(pieces[0]))];

		if (len + strlen(p) + 1 > max)
			break;
		memcpy(out + len, p, strlen(p) + 1);
		len += strlen(p);
	}
}

/* NULL now and then, where the field may be NULL. */
static const char *
maybe(const char *s, unsigned *seed)
{
	return rand_r(seed) % 4 == 0 ? NULL : s;
}

/*
 * journal_json_string and journal_canonical_direct against jansson:
 * byte for byte the same, or refusal where jansson refuses.
 */
static void
test_journal__direct_canonical_matches_jansson(void **state)
{
	char f[10][128], *dumped;
	struct sae_buf a = SAE_BUF_INIT, b = SAE_BUF_INIT, d = SAE_BUF_INIT;
	struct journal_entry e;
	struct sae_err err;
	unsigned seed = 42;
	int i, k, ra, rb, same = 0, fallback = 0;
	json_t *js;

	(void)state;
	for (i = 0; i < 20000; i++) {
		for (k = 0; k < 10; k++)
			rand_str(f[k], sizeof(f[k]), &seed);
		/* journal_json_string writes what jansson dumps. */
		sae_buf_reset(&a);
		js = json_string(f[0]);
		ra = journal_json_string(&a, f[0]);
		assert_int_equal(ra == 0, js != NULL);
		if (js != NULL) {
			dumped = json_dumps(js, JSON_ENCODE_ANY);
			assert_string_equal(a.data, dumped);
			free(dumped);
		} else
			assert_int_equal(a.len, 0);
		json_decref(js);
		/* A detail made as ages.c makes it: sorted keys. */
		sae_buf_reset(&d);
		sae_buf_adds(&d, "{\"a\":");
		ra = journal_json_string(&d, maybe(f[1], &seed));
		sae_buf_adds(&d, ",\"b\":");
		ra |= journal_json_string(&d, f[2]);
		sae_buf_addc(&d, '}');
		if (ra != 0) {
			/* ages.c then leaves the detail to jansson. */
			sae_buf_reset(&d);
			sae_buf_adds(&d, "{\"b\":\"x\"}");
		}
		memset(&e, 0, sizeof(e));
		e.type = i % 3 ? "AGE_CHANGE" : f[3];
		e.outcome = "OK";
		e.agent = f[4];
		e.transfer = maybe(f[5], &seed);
		e.unit = maybe(f[6], &seed);
		e.object = maybe(f[7], &seed);
		e.message = f[8];
		e.detail = i % 50 ? d.data : NULL;
		sae_buf_reset(&a);
		sae_buf_reset(&b);
		ra = journal_canonical(&a, i * 7919LL, "2026-12-03T20:00:00Z",
		    &e, i % 2 ? JOURNAL_GENESIS : f[9], &err);
		rb = journal_canonical_direct(&b, i * 7919LL,
		    "2026-12-03T20:00:00Z", &e, i % 2 ? JOURNAL_GENESIS : f[9],
		    &err);
		assert_int_equal(ra, rb);
		if (ra == 0) {
			assert_int_equal(a.len, b.len);
			assert_memory_equal(a.data, b.data, a.len);
			same++;
		}
		/* Did the direct path write it, or hand it to jansson? */
		sae_buf_reset(&b);
		if (journal_json_string(&b, f[4]) == -1 ||
		    journal_json_string(&b, f[8]) == -1)
			fallback++;
	}
	/* Both paths were taken many times. */
	assert_true(same > 5000);
	assert_true(fallback > 1000);
	sae_buf_done(&a);
	sae_buf_done(&b);
	sae_buf_done(&d);
}

static void
h2(const unsigned char *a, const unsigned char *b, unsigned char *out)
{
	unsigned char pair[64];
	int lo = memcmp(a, b, 32) <= 0;

	memcpy(pair, lo ? a : b, 32);
	memcpy(pair + 32, lo ? b : a, 32);
	SHA256(pair, 64, out);
}

static void
test_journal__merkle_root(void **state)
{
	unsigned char l[3][32], root[32], ab[32], want[32];
	int i;

	(void)state;
	for (i = 0; i < 3; i++)
		SHA256((const unsigned char *)&i, sizeof(i), l[i]);
	seal_merkle_root(l, 1, root);
	assert_memory_equal(root, l[0], 32);
	seal_merkle_root(l, 2, root);
	h2(l[0], l[1], want);
	assert_memory_equal(root, want, 32);
	/* The order of a pair does not matter (sorted), of leaves it does. */
	h2(l[1], l[0], ab);
	assert_memory_equal(ab, want, 32);
	seal_merkle_root(l, 3, root);
	h2(l[0], l[1], ab);
	h2(ab, l[2], want);
	assert_memory_equal(root, want, 32);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_journal__chain_holds,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_journal__append_needs_transaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal__edited_row_named,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_journal__edited_detail_named, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal__deleted_row_named,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_journal__inserted_row_named, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_journal__reordered_rows_named, setup, teardown),
		cmocka_unit_test(test_journal__canonical_is_sorted_compact_json),
		cmocka_unit_test(test_journal__direct_canonical_matches_jansson),
		cmocka_unit_test(test_journal__merkle_root),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
