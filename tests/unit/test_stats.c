/*
 * test_stats.c: the holdings by age, agency and rule and the transitions
 * due, on a small catalog with what makes counting hard: a group of
 * objects shared by two units (of two ages, one agency), a unit without
 * objects, a physical object (no bytes), a destroyed unit, a unit without
 * agency, and dates on both edges of the 30- and 365-day windows; and
 * the cache saed keeps of them.
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
#include "sae/stats.h"
#include "tests/unit/helpers.h"

/*
 * Units (agency, age, rule, DUA end, current-use end) and objects:
 *   1 A current      EC-01 2031-01-01 2026-12-20   group 1: o1 100, o2 200
 *   2 A intermediate EC-01 2026-12-31 -            group 1 (shared)
 *   3 B definitive   EC-02 2027-12-04 -            group 2: o3 1000
 *   4 - current      -     -          2027-06-01   (no objects)
 *   5 B intermediate EC-02 2026-12-04 -            group 3: o4 physical
 *   6 A destroyed    EC-01 2026-12-10 -            group 4: o5 5000
 * Today 2026-12-04: 30 days until 2027-01-03, 365 until 2027-12-04.
 */
static const char seed[] =
    "INSERT INTO token (id, name, role, hash, created) VALUES "
    "  (1, 'app', 'producer', x'01', 'now');"
    "INSERT INTO transfer (id, seq, producer, seda_version, package_sha256, "
    "  package_size, status, http_status, received, reply) VALUES "
    "  ('T1', 1, 1, '2.2', 'x', 1, 'OK', 201, 'now', 'r');"
    "INSERT INTO unit (seq, id, transfer, xml_id, producer, agency, title, "
    "  content, rule, rule_end, current_end, age, state, created) VALUES "
    "  (1, 'U1', 'T1', 'a', 1, 'A', 'u1', '', 'EC-01', '2031-01-01', "
    "     '2026-12-20', 'current', 'alive', 'n'),"
    "  (2, 'U2', 'T1', 'b', 1, 'A', 'u2', '', 'EC-01', '2026-12-31', NULL, "
    "     'intermediate', 'alive', 'n'),"
    "  (3, 'U3', 'T1', 'c', 1, 'B', 'u3', '', 'EC-02', '2027-12-04', NULL, "
    "     'definitive', 'alive', 'n'),"
    "  (4, 'U4', 'T1', 'd', 1, NULL, 'u4', '', NULL, NULL, '2027-06-01', "
    "     'current', 'alive', 'n'),"
    "  (5, 'U5', 'T1', 'e', 1, 'B', 'u5', '', 'EC-02', '2026-12-04', NULL, "
    "     'intermediate', 'alive', 'n'),"
    "  (6, 'U6', 'T1', 'f', 1, 'A', 'u6', '', 'EC-01', '2026-12-10', NULL, "
    "     'disposal', 'destroyed', 'n');"
    "INSERT INTO object_group (seq, transfer, xml_id) VALUES (1, 'T1', 'g1'),"
    "  (2, 'T1', 'g2'), (3, 'T1', 'g3'), (4, 'T1', 'g4');"
    "INSERT INTO unit_group (unit, grp) VALUES (1, 1), (2, 1), (3, 2), "
    "  (5, 3), (6, 4);"
    "INSERT INTO object (seq, id, transfer, grp, xml_id, physical, size) "
    "  VALUES (1, 'O1', 'T1', 1, 'o1', 0, 100), (2, 'O2', 'T1', 1, 'o2', 0, "
    "  200), (3, 'O3', 'T1', 2, 'o3', 0, 1000), (4, 'O4', 'T1', 3, 'o4', 1, "
    "  NULL), (5, 'O5', 'T1', 4, 'o5', 0, 5000);";

static json_int_t
get(json_t *root, const char *path)
{
	char buf[128], *p, *save = NULL;
	json_t *o = root;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = strtok_r(buf, ".", &save); p != NULL;
	    p = strtok_r(NULL, ".", &save))
		if ((o = json_object_get(o, p)) == NULL)
			fail_msg("no %s in the stats", path);
	return json_integer_value(o);
}

static void
test_holdings(void **state)
{
	struct catalog *cat;
	struct sae_err err;
	json_t *st;
	sqlite3 *db;
	char path[512];
	const char *k;
	json_t *v;

	(void)state;
	snprintf(path, sizeof(path), "%s/catalog.db", th_tmpdir());
	assert_int_equal(catalog_open(&cat, path, NULL, &err), 0);
	db = catalog_get(cat, &err);
	assert_non_null(db);
	assert_int_equal(catalog_exec(db, seed, &err), 0);
	assert_int_equal(stats_get(db, "2026-12-04", &st, &err), 0);

	/* The shared group counts once in the total and in agency A, and
	 * once in each of the two ages it reaches. */
	assert_int_equal(get(st, "total.units"), 5);
	assert_int_equal(get(st, "total.objects"), 3);
	assert_int_equal(get(st, "total.bytes"), 1300);
	assert_int_equal(get(st, "by_age.current.units"), 2);
	assert_int_equal(get(st, "by_age.current.objects"), 2);
	assert_int_equal(get(st, "by_age.current.bytes"), 300);
	assert_int_equal(get(st, "by_age.intermediate.units"), 2);
	assert_int_equal(get(st, "by_age.intermediate.objects"), 2);
	assert_int_equal(get(st, "by_age.intermediate.bytes"), 300);
	assert_int_equal(get(st, "by_age.definitive.bytes"), 1000);
	assert_null(json_object_get(json_object_get(st, "by_age"), "disposal"));
	assert_int_equal(get(st, "by_agency.A.units"), 2);
	assert_int_equal(get(st, "by_agency.A.objects"), 2);
	assert_int_equal(get(st, "by_agency.A.bytes"), 300);
	assert_int_equal(get(st, "by_agency.B.units"), 2);
	assert_int_equal(get(st, "by_agency.B.objects"), 1);
	assert_int_equal(get(st, "by_agency.-.units"), 1);
	assert_int_equal(get(st, "by_agency.-.objects"), 0);
	assert_int_equal(get(st, "by_rule.EC-01.objects"), 2);
	assert_int_equal(get(st, "by_rule.EC-02.bytes"), 1000);
	assert_int_equal(get(st, "by_rule.-.units"), 1);
	/* Keys come in order (the API and the dashboard list them so). */
	k = NULL;
	json_object_foreach(json_object_get(st, "by_age"), k, v)
		break;
	assert_string_equal(k, "current");

	/* DUA ends in (today, +30]: U2 (2026-12-31), not U5 (today) nor
	 * U6 (destroyed); in (today, +365]: also U3 (on the last day).
	 * Current use ends: U1 within 30 days, U4 within 365. */
	assert_int_equal(get(st, "transitions.next_30_days.end_of_dua"), 1);
	assert_int_equal(get(st, "transitions.next_365_days.end_of_dua"), 2);
	assert_int_equal(get(st,
	    "transitions.next_30_days.end_of_current_use"), 1);
	assert_int_equal(get(st,
	    "transitions.next_365_days.end_of_current_use"), 2);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    json_object_get(st, "transitions"), "next_30_days"), "until")),
	    "2027-01-03");
	json_decref(st);
	catalog_put(cat, db);
	catalog_close(cat);
}

/* The cache answers again while no holding changed; a journaled commit
 * on another connection (saed's ingest, sae-admin) or a new day
 * recomputes. */
static void
test_cache(void **state)
{
	struct stats_cache *sc;
	struct catalog *cat;
	struct sae_err err;
	json_t *st;
	sqlite3 *db;
	char path[512];

	(void)state;
	snprintf(path, sizeof(path), "%s/cache.db", th_tmpdir());
	assert_int_equal(catalog_open(&cat, path, NULL, &err), 0);
	db = catalog_get(cat, &err);
	assert_int_equal(catalog_exec(db, seed, &err), 0);
	sc = stats_cache_new();
	assert_int_equal(stats_cached(sc, db, "2026-12-04", &st, &err), 0);
	assert_int_equal(get(st, "total.units"), 5);
	json_decref(st);

	/* A sign-in (any commit that touches no holding) keeps them. */
	assert_int_equal(catalog_exec(db, "INSERT INTO meta VALUES "
	    "('unrelated', '1')", &err), 0);
	assert_int_equal(stats_cached(sc, db, "2026-12-04", &st, &err), 0);
	assert_int_equal(get(st, "total.units"), 5);
	json_decref(st);
	/* A unit archived: its journal entry goes with it. */
	assert_int_equal(catalog_exec(db, "INSERT INTO unit (seq, id, "
	    "transfer, xml_id, producer, agency, title, content, age, state, "
	    "created) VALUES (7, 'U7', 'T1', 'g', 1, 'C', 'u7', '', "
	    "'current', 'alive', 'n');"
	    "INSERT INTO journal (seq, ts, type, outcome, agent, unit, message, "
	    "detail, prev, hash) VALUES (1, 'n', 'UNIT_INGEST', 'OK', 'app', "
	    "'U7', 'm', '{}', 'p', 'h')", &err), 0);
	/* The scheduler's refresh computes what the next visitor gets. */
	assert_int_equal(stats_refresh(sc, db, "2026-12-04", &err), 0);
	assert_int_equal(stats_cached(sc, db, "2026-12-04", &st, &err), 0);
	assert_int_equal(get(st, "total.units"), 6);
	assert_int_equal(get(st, "by_agency.C.units"), 1);
	/* What the caller does with its copy is not the cache's. */
	json_object_del(st, "by_agency");
	json_decref(st);
	assert_int_equal(stats_cached(sc, db, "2026-12-04", &st, &err), 0);
	assert_int_equal(get(st, "by_agency.C.units"), 1);
	json_decref(st);

	/* A recomputation that moves a date, no age: not journaled, but
	 * units_generation moves (ages.c). */
	assert_int_equal(catalog_exec(db, "UPDATE unit SET rule_end = "
	    "'2026-12-20' WHERE seq = 3;"
	    "INSERT INTO meta VALUES ('units_generation', '1')", &err), 0);
	assert_int_equal(stats_cached(sc, db, "2026-12-04", &st, &err), 0);
	assert_int_equal(get(st, "transitions.next_30_days.end_of_dua"), 2);
	json_decref(st);

	/* 2027-01-01: U2's DUA end (2026-12-31) is past, out of the window. */
	assert_int_equal(stats_cached(sc, db, "2027-01-01", &st, &err), 0);
	assert_int_equal(get(st, "transitions.next_30_days.end_of_dua"), 0);
	json_decref(st);
	stats_cache_free(sc);
	catalog_put(cat, db);
	catalog_close(cat);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_holdings),
		cmocka_unit_test(test_cache),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
