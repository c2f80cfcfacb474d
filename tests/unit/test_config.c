/*
 * test_config.c: saed.conf: defaults, file:line errors, sizes, storage
 * offers and the sovereignty rule for definitive archives.
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

#include "policies/dua.h"
#include "sae/conf.h"
#include "tests/unit/helpers.h"

static const char *
conf_file(const char *text)
{
	static char path[512];

	snprintf(path, sizeof(path), "%s/saed.conf", th_tmpdir());
	th_write(path, text, strlen(text));
	return path;
}

static int
load(struct sae_config *cfg, const char *text, struct sae_err *err)
{
	return sae_config_load(cfg, "/data", text ? conf_file(text) : NULL,
	    err);
}

static void
test_config__defaults(void **state)
{
	struct sae_config cfg;
	struct sae_err err;
	char path[256];

	(void)state;
	assert_int_equal(load(&cfg, NULL, &err), 0);
	assert_string_equal(cfg.listen_host, "127.0.0.1");
	assert_int_equal(cfg.listen_port, SAE_DEFAULT_PORT);
	assert_int_equal(cfg.noffers, 2);
	assert_true(cfg.offers[0].sovereign && cfg.offers[1].sovereign);
	assert_int_equal(cfg.nplacement[SAE_PLACE_DEFINITIVE], 2);
	assert_int_equal(cfg.definitive_copies, 2);
	assert_int_equal(cfg.max_ratio, 200);
	assert_int_equal(cfg.max_package, UINT64_C(8) << 30);
	assert_int_equal(cfg.current_duration, 1);
	assert_int_equal(cfg.current_measure, DUA_YEAR);
	assert_int_equal(sae_config_offer_path(&cfg, 0, path, sizeof(path)), 0);
	assert_string_equal(path, "/data/offers/vault-a");
	sae_config_done(&cfg);
}

static void
test_config__values_and_sizes(void **state)
{
	struct sae_config cfg;
	struct sae_err err;

	(void)state;
	assert_int_equal(load(&cfg, "[server]\nport = 0\n[limits]\n"
	    "max_package = 512M\nmax_entries = 10\n[log]\nlevel = debug\n"
	    "[retention]\ncurrent_duration = 6\ncurrent_measure = Month\n",
	    &err), 0);
	assert_int_equal(cfg.current_duration, 6);
	assert_int_equal(cfg.current_measure, DUA_MONTH);
	assert_int_equal(cfg.listen_port, 0);
	assert_int_equal(cfg.max_package, UINT64_C(512) << 20);
	assert_int_equal(cfg.max_entries, 10);
	sae_config_done(&cfg);
}

static void
test_config__errors_say_file_line(void **state)
{
	struct sae_config cfg;
	struct sae_err err;

	(void)state;
	assert_int_equal(load(&cfg, "[server]\nport = 1\n\nnope = 2\n", &err),
	    -1);
	assert_non_null(strstr(err.msg, "saed.conf:4: unknown key 'nope' in "
	    "[server]"));
	assert_int_equal(load(&cfg, "[server]\nport = 70000\n", &err), -1);
	assert_non_null(strstr(err.msg, ":2: [server] port = '70000'"));
	assert_int_equal(load(&cfg, "[limits]\nmax_package = 3X\n", &err), -1);
	assert_int_equal(load(&cfg, "[log]\nlevel = loud\n", &err), -1);
	assert_int_equal(load(&cfg, "[retention]\ncurrent_measure = week\n",
	    &err), -1);
	assert_non_null(strstr(err.msg, "not day, month or year"));
	assert_int_equal(load(&cfg, "[nosuch]\nkey = 1\n", &err), -1);
}

static void
test_config__offers_replace_defaults(void **state)
{
	struct sae_config cfg;
	struct sae_err err;

	(void)state;
	assert_int_equal(load(&cfg, "[storage]\ndefinitive_copies = 2\n"
	    "[offer fast]\npath = /srv/fast\nsovereign = no\n"
	    "[offer vault-a]\npath = /srv/a\nsovereign = yes\n"
	    "[offer vault-b]\npath = b\nsovereign = yes\n"
	    "[placement]\ncurrent = fast\nintermediate = fast\n"
	    "definitive = vault-a, vault-b\n", &err), 0);
	assert_int_equal(cfg.noffers, 3);
	assert_int_equal(cfg.nplacement[SAE_PLACE_CURRENT], 1);
	assert_string_equal(cfg.offers[cfg.placement[SAE_PLACE_CURRENT][0]].name,
	    "fast");
	assert_int_equal(cfg.nplacement[SAE_PLACE_DEFINITIVE], 2);
	sae_config_done(&cfg);
}

static void
test_config__definitive_only_sovereign(void **state)
{
	struct sae_config cfg;
	struct sae_err err;

	(void)state;
	assert_int_equal(load(&cfg, "[storage]\ndefinitive_copies = 1\n"
	    "[offer cloud]\npath = /c\nsovereign = no\n"
	    "[offer vault]\npath = /v\nsovereign = yes\n"
	    "[placement]\ncurrent = cloud\nintermediate = cloud\n"
	    "definitive = vault, cloud\n", &err), -1);
	assert_non_null(strstr(err.msg, "offer 'cloud' is not sovereign"));
}

static void
test_config__definitive_copies_enforced(void **state)
{
	struct sae_config cfg;
	struct sae_err err;

	(void)state;
	assert_int_equal(load(&cfg, "[storage]\ndefinitive_copies = 2\n"
	    "[offer vault]\npath = /v\nsovereign = yes\n"
	    "[placement]\ncurrent = vault\nintermediate = vault\n"
	    "definitive = vault\n", &err), -1);
	assert_non_null(strstr(err.msg, "definitive_copies = 2"));
}

static void
test_config__placement_errors(void **state)
{
	struct sae_config cfg;
	struct sae_err err;

	(void)state;
	assert_int_equal(load(&cfg, "[offer a]\npath = /a\nsovereign = yes\n"
	    "[placement]\ncurrent = a\nintermediate = b\ndefinitive = a\n"
	    "[storage]\ndefinitive_copies = 1\n", &err), -1);
	assert_non_null(strstr(err.msg, "offer 'b'"));
	assert_int_equal(load(&cfg, "[offer a]\npath = /a\nsovereign = yes\n"
	    "[placement]\ncurrent = a\n", &err), -1);
	assert_non_null(strstr(err.msg, "intermediate is missing"));
	assert_int_equal(load(&cfg, "[offer a]\npath = /a\n[placement]\n"
	    "current = a\nintermediate = a\ndefinitive = a\n", &err), -1);
	assert_non_null(strstr(err.msg, "sovereign = yes or no"));
	assert_int_equal(load(&cfg, "[offer A B]\npath = /a\n", &err), -1);
	assert_int_equal(load(&cfg, "[offer a]\npath = /a\nsovereign = yes\n"
	    "[placement]\ncurrent = a, a\nintermediate = a\ndefinitive = a\n"
	    "[storage]\ndefinitive_copies = 1\n", &err), -1);
	assert_non_null(strstr(err.msg, "twice"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config__defaults),
		cmocka_unit_test(test_config__values_and_sizes),
		cmocka_unit_test(test_config__errors_say_file_line),
		cmocka_unit_test(test_config__offers_replace_defaults),
		cmocka_unit_test(test_config__definitive_only_sovereign),
		cmocka_unit_test(test_config__definitive_copies_enforced),
		cmocka_unit_test(test_config__placement_errors),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
