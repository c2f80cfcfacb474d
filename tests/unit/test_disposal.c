/*
 * test_disposal.c: which units a disposal proposal takes (holds spread up
 * and down the tree, a descendant to keep blocks its ancestors, a package
 * hold, other ages, destroyed units, open lists), one list per agency,
 * decisions on a list (visa required, exclusions checked, one decision
 * only) and an archivist's keep-or-destroy on a unit under review.
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
#include "sae/conf.h"
#include "sae/disposal.h"
#include "tests/unit/helpers.h"

struct fx {
	struct catalog		*cat;
	sqlite3			*db;
	struct sae_config	 cfg;
};

/*
 * The tree (all of age disposal unless said):
 *   A: R1 ─ C1          C1 may go
 *          └ C2 ─ G1    hold on G1: G1, C2 and R1 stay
 *      R2 ─ K           K intermediate: R2 stays
 *      V                review (Sort)
 *   B: R3 ─ P           P held by its package: both stay
 *      R4               may go
 *   (no agency) R5      may go
 *   A: D destroyed, F definitive
 */
static const char seed[] =
    "INSERT INTO token (id, name, role, hash, created) VALUES "
    "  (1, 'app', 'producer', x'01', 'now');"
    "INSERT INTO transfer (id, seq, producer, seda_version, package_sha256, "
    "  package_size, status, http_status, received, reply) VALUES "
    "  ('T1', 1, 1, '2.1', 'x', 1, 'OK', 201, 'now', 'r'),"
    "  ('T2', 2, 1, '2.3', 'x', 1, 'OK', 201, 'now', 'r');"
    "INSERT INTO unit (seq, id, transfer, xml_id, producer, agency, title, "
    "  content, age, held, state, created) VALUES "
    "  (1, 'R1', 'T1', 'x', 1, 'A', 'r1', '', 'disposal', 0, 'alive', 'n'),"
    "  (2, 'C1', 'T1', 'x', 1, 'A', 'c1', '', 'disposal', 0, 'alive', 'n'),"
    "  (3, 'C2', 'T1', 'x', 1, 'A', 'c2', '', 'disposal', 0, 'alive', 'n'),"
    "  (4, 'G1', 'T1', 'x', 1, 'A', 'g1', '', 'disposal', 0, 'alive', 'n'),"
    "  (5, 'R2', 'T1', 'x', 1, 'A', 'r2', '', 'disposal', 0, 'alive', 'n'),"
    "  (6, 'K',  'T1', 'x', 1, 'A', 'k', '', 'intermediate', 0, 'alive', 'n'),"
    "  (7, 'V',  'T1', 'x', 1, 'A', 'v', '', 'review', 0, 'alive', 'n'),"
    "  (8, 'R3', 'T2', 'x', 1, 'B', 'r3', '', 'disposal', 0, 'alive', 'n'),"
    "  (9, 'P',  'T2', 'x', 1, 'B', 'p', '', 'disposal', 1, 'alive', 'n'),"
    "  (10, 'R4', 'T2', 'x', 1, 'B', 'r4', '', 'disposal', 0, 'alive', 'n'),"
    "  (11, 'R5', 'T2', 'x', 1, NULL, 'r5', '', 'disposal', 0, 'alive', 'n'),"
    "  (12, 'D',  'T1', 'x', 1, 'A', 'd', '', 'disposal', 0, 'destroyed', 'n'),"
    "  (13, 'F',  'T1', 'x', 1, 'A', 'f', '', 'definitive', 0, 'alive', 'n');"
    "INSERT INTO unit_parent (unit, parent) VALUES (2, 1), (3, 1), (4, 3), "
    "  (6, 5), (9, 8);"
    "INSERT INTO hold (id, unit, reason, source, placed_by, placed) VALUES "
    "  ('H1', 4, 'procès', 'archivist', 'arch', 'now'),"
    "  ('H2', 10, 'levé', 'archivist', 'arch', 'now');"
    "UPDATE hold SET lifted = 'now', lifted_by = 'arch' WHERE id = 'H2';";

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	struct sae_err err;
	char path[512];

	snprintf(path, sizeof(path), "%s/catalog.db", th_tmpdir());
	assert_int_equal(catalog_open(&fx->cat, path, NULL, &err), 0);
	fx->db = catalog_get(fx->cat, &err);
	assert_int_equal(catalog_exec(fx->db, seed, &err), 0);
	fx->cfg.archival_agency = "SAE";
	fx->cfg.control_authority = "AD-99";
	fx->cfg.disposal_execute_at = -1;
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

/* The unit ids of list ${id}, sorted, space-separated. */
static void
lines_of(struct fx *fx, const char *id, char *out, size_t size)
{
	struct sae_err err;
	json_t *o, *l;
	size_t i;

	out[0] = '\0';
	assert_int_equal(disposal_get(fx->db, id, &o, &err), 0);
	json_array_foreach(json_object_get(o, "units"), i, l) {
		if (out[0] != '\0')
			strncat(out, " ", size - strlen(out) - 1);
		strncat(out, json_string_value(json_object_get(l, "id")),
		    size - strlen(out) - 1);
	}
	json_decref(o);
}

/* The id of the list of ${agency} among ${ids} ("" for none). */
static const char *
list_of(struct fx *fx, json_t *ids, const char *agency)
{
	struct sae_err err;
	json_t *v, *o;
	size_t i;
	const char *found = "";

	json_array_foreach(ids, i, v) {
		const char *a;

		assert_int_equal(disposal_get(fx->db, json_string_value(v), &o,
		    &err), 0);
		a = json_string_value(json_object_get(o, "agency"));
		if ((agency == NULL && a == NULL) ||
		    (agency != NULL && a != NULL && !strcmp(a, agency)))
			found = json_string_value(v);
		json_decref(o);
	}
	return found;
}

static void
test_disposal__eligible_units_per_agency(void **state)
{
	struct fx *fx = *state;
	struct sae_err err;
	struct sae_buf xml = SAE_BUF_INIT;
	char got[256];
	json_t *ids;

	assert_int_equal(disposal_propose(fx->db, &fx->cfg, "2031-02-01",
	    "arch", &ids, &err), 0);
	assert_int_equal(json_array_size(ids), 3);
	lines_of(fx, list_of(fx, ids, "A"), got, sizeof(got));
	assert_string_equal(got, "C1");
	lines_of(fx, list_of(fx, ids, "B"), got, sizeof(got));
	assert_string_equal(got, "R4");
	lines_of(fx, list_of(fx, ids, NULL), got, sizeof(got));
	assert_string_equal(got, "R5");
	/* Frozen with its request, in the newest dialect of its packages. */
	assert_int_equal(disposal_document(fx->db, list_of(fx, ids, "B"),
	    DISPOSAL_REQUEST, &xml, &err), 0);
	assert_non_null(strstr(xml.data, "seda:v2.3"));
	assert_non_null(strstr(xml.data, "<UnitIdentifier>R4</UnitIdentifier>"));
	assert_non_null(strstr(xml.data, "<Identifier>AD-99</Identifier>"));
	sae_buf_reset(&xml);
	assert_int_equal(disposal_document(fx->db, list_of(fx, ids, "B"),
	    DISPOSAL_NOTIFICATION, &xml, &err), -1);
	assert_int_equal(err.code, SAE_EEXIST);
	sae_buf_done(&xml);
	json_decref(ids);
	/* Units on an open list are not proposed twice. */
	assert_int_equal(disposal_propose(fx->db, &fx->cfg, "2031-02-02",
	    "arch", &ids, &err), 0);
	assert_int_equal(json_array_size(ids), 0);
	json_decref(ids);
}

static void
test_disposal__hold_until_and_lift(void **state)
{
	struct fx *fx = *state;
	struct sae_err err;
	char got[256];
	json_t *ids;

	/* A hold that ends before the evaluation date no longer protects. */
	assert_int_equal(catalog_exec(fx->db, "UPDATE hold SET until = "
	    "'2031-01-01' WHERE id = 'H1'", &err), 0);
	assert_int_equal(disposal_propose(fx->db, &fx->cfg, "2031-02-01",
	    "arch", &ids, &err), 0);
	lines_of(fx, list_of(fx, ids, "A"), got, sizeof(got));
	assert_string_equal(got, "R1 C1 C2 G1");
	json_decref(ids);
}

static void
test_disposal__decisions(void **state)
{
	struct fx *fx = *state;
	struct disposal_decision dec;
	const char *const bad[] = { "F" }, *const good[] = { "R4" };
	const char *b;
	struct sae_err err;
	json_t *ids, *o;
	char got[256];

	assert_int_equal(disposal_propose(fx->db, &fx->cfg, "2031-02-01",
	    "arch", &ids, &err), 0);
	b = list_of(fx, ids, "B");
	memset(&dec, 0, sizeof(dec));
	assert_int_equal(disposal_approve(fx->db, &fx->cfg, b, &dec, "arch",
	    &err), -1);
	assert_int_equal(err.code, SAE_EINVAL);
	dec.visa = "VISA-1";
	dec.exclude = bad;
	dec.nexclude = 1;
	assert_int_equal(disposal_approve(fx->db, &fx->cfg, b, &dec, "arch",
	    &err), -1);
	assert_non_null(strstr(err.msg, "not on disposal list"));
	assert_int_equal(disposal_get(fx->db, b, &o, &err), 0);
	assert_string_equal(json_string_value(json_object_get(o, "state")),
	    "proposed");
	json_decref(o);
	dec.exclude = good;
	assert_int_equal(disposal_approve(fx->db, &fx->cfg, b, &dec, "arch",
	    &err), 0);
	assert_int_equal(disposal_get(fx->db, b, &o, &err), 0);
	assert_string_equal(json_string_value(json_object_get(o, "state")),
	    "approved");
	assert_string_equal(json_string_value(json_object_get(o, "visa")),
	    "VISA-1");
	assert_int_equal(json_integer_value(json_object_get(o, "excluded")), 1);
	json_decref(o);
	assert_int_equal(disposal_approve(fx->db, &fx->cfg, b, &dec, "arch",
	    &err), -1);
	assert_int_equal(err.code, SAE_EEXIST);
	assert_int_equal(disposal_reject(fx->db, list_of(fx, ids, NULL), "",
	    "arch", &err), -1);
	assert_int_equal(err.code, SAE_EINVAL);
	assert_int_equal(disposal_reject(fx->db, list_of(fx, ids, NULL),
	    "à revoir", "arch", &err), 0);
	json_decref(ids);
	/* The excluded and the rejected come back. */
	assert_int_equal(disposal_propose(fx->db, &fx->cfg, "2031-02-01",
	    "arch", &ids, &err), 0);
	assert_int_equal(json_array_size(ids), 2);
	lines_of(fx, list_of(fx, ids, "B"), got, sizeof(got));
	assert_string_equal(got, "R4");
	lines_of(fx, list_of(fx, ids, NULL), got, sizeof(got));
	assert_string_equal(got, "R5");
	json_decref(ids);
	assert_int_equal(disposal_get(fx->db, "NOPE", &o, &err), -1);
	assert_int_equal(err.code, SAE_ENOTFOUND);
}

static void
test_disposal__review_decision(void **state)
{
	struct fx *fx = *state;
	struct sae_err err;
	sqlite3_stmt *st;

	assert_int_equal(disposal_decide(fx->db, "V", "perhaps", NULL, "arch",
	    &err), -1);
	assert_int_equal(err.code, SAE_EINVAL);
	assert_int_equal(disposal_decide(fx->db, "R4", "keep", NULL, "arch",
	    &err), -1);
	assert_int_equal(err.code, SAE_EEXIST);
	assert_int_equal(disposal_decide(fx->db, "V", "keep", "intérêt "
	    "historique", "arch", &err), 0);
	st = catalog_prepare(fx->db, "SELECT u.age, d.decision, (SELECT value "
	    "FROM meta WHERE key = 'ages_generation') FROM unit u JOIN decision "
	    "d ON d.unit = u.seq WHERE u.id = 'V'", &err);
	assert_non_null(st);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal(catalog_text(st, 0), "definitive");
	assert_string_equal(catalog_text(st, 1), "keep");
	assert_string_equal(catalog_text(st, 2), "1");
	sqlite3_finalize(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_disposal__eligible_units_per_agency, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_disposal__hold_until_and_lift, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disposal__decisions,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_disposal__review_decision,
		    setup, teardown),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
