/*
 * test_digest.c: storage/digest.c against published vectors: algorithm
 * names, one-shot and streamed digests, hex and base64 declared values.
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

#include "sae/buf.h"
#include "storage/digest.h"

/* FIPS 180-2 and RFC 1321 digests of "abc", in hex and in base64. */
static const struct {
	enum digest_alg	 alg;
	const char	*hex;
	const char	*b64;
} abc[] = {
	{ DIGEST_SHA256,
	  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	  "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=" },
	{ DIGEST_SHA512,
	  "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
	  "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
	  "3a81oZNherrMQXNJriBBMRLm+k6JqX6iCp7u5ktV05ohkpkqJ0/BqDa6PCOj/uu9"
	  "RU1EI2Q86A4qmslPpUyknw==" },
	{ DIGEST_SHA384,
	  "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded163"
	  "1a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
	  "ywB1P0WjXou1oD1pmsZQBycsMqsO3tFjGotgWkP/W+2AhgcroefMI1i67KE0yCWn" },
	{ DIGEST_SHA1, "a9993e364706816aba3e25717850c26c9cd0d89d",
	  "qZk+NkcGgWq6PiVxeFDCbJzQ2J0=" },
	{ DIGEST_MD5, "900150983cd24fb0d6963f7d28e17f72",
	  "kAFQmDzST7DWlj99KOF/cg==" },
};
#define NABC	(sizeof(abc) / sizeof(abc[0]))

static void
test_digest__alg_names(void **state)
{
	(void)state;
	assert_int_equal(digest_alg_parse("SHA-512"), DIGEST_SHA512);
	assert_int_equal(digest_alg_parse("SHA512"), DIGEST_SHA512);
	assert_int_equal(digest_alg_parse("sha-512"), DIGEST_SHA512);
	assert_int_equal(digest_alg_parse("SHA-256"), DIGEST_SHA256);
	assert_int_equal(digest_alg_parse("sha256"), DIGEST_SHA256);
	assert_int_equal(digest_alg_parse("SHA-384"), DIGEST_SHA384);
	assert_int_equal(digest_alg_parse("SHA-1"), DIGEST_SHA1);
	assert_int_equal(digest_alg_parse("SHA1"), DIGEST_SHA1);
	assert_int_equal(digest_alg_parse("MD5"), DIGEST_MD5);
	assert_int_equal(digest_alg_parse("md5"), DIGEST_MD5);
	assert_int_equal(digest_alg_parse("SHA-3"), -1);
	assert_int_equal(digest_alg_parse("SHA--256"), -1);
	assert_int_equal(digest_alg_parse("SHA-256 "), -1);
	assert_int_equal(digest_alg_parse(""), -1);
	assert_int_equal(digest_alg_parse(NULL), -1);
	assert_string_equal(digest_alg_name(DIGEST_SHA512), "SHA-512");
	assert_string_equal(digest_alg_name(DIGEST_MD5), "MD5");
	assert_int_equal(digest_alg_len(DIGEST_SHA256), 32);
	assert_int_equal(digest_alg_len(DIGEST_SHA512), 64);
	assert_int_equal(digest_alg_len(DIGEST_SHA384), 48);
	assert_int_equal(digest_alg_len(DIGEST_SHA1), 20);
	assert_int_equal(digest_alg_len(DIGEST_MD5), 16);
}

static void
test_digest__known_vectors(void **state)
{
	unsigned char got[DIGEST_MAX_LEN];
	char hex[2 * DIGEST_MAX_LEN + 1];
	size_t i;

	(void)state;
	for (i = 0; i < NABC; i++) {
		digest_buf(abc[i].alg, "abc", 3, got);
		sae_hex(hex, got, digest_alg_len(abc[i].alg));
		assert_string_equal(hex, abc[i].hex);
	}
	/* SHA-256 of nothing. */
	digest_buf(DIGEST_SHA256, "", 0, got);
	sae_hex(hex, got, 32);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
}

static void
test_digest__set_streams_all_at_once(void **state)
{
	struct digest_result res;
	struct digest_set *ds;
	char hex[2 * DIGEST_MAX_LEN + 1];
	size_t i;

	(void)state;
	ds = digest_set_new(DIGEST_MASK(DIGEST_NALGS) - 1);
	/* Split updates must give what one update gives. */
	digest_set_update(ds, "a", 1);
	digest_set_update(ds, "", 0);
	digest_set_update(ds, "bc", 2);
	digest_set_final(ds, &res);
	digest_set_free(ds);
	assert_int_equal(res.mask, DIGEST_MASK(DIGEST_NALGS) - 1);
	for (i = 0; i < NABC; i++) {
		sae_hex(hex, res.value[abc[i].alg], digest_alg_len(abc[i].alg));
		assert_string_equal(hex, abc[i].hex);
	}
}

static void
test_digest__set_computes_only_its_mask(void **state)
{
	unsigned char zero[DIGEST_MAX_LEN] = { 0 }, want[DIGEST_MAX_LEN];
	struct digest_result res;
	struct digest_set *ds;

	(void)state;
	ds = digest_set_new(DIGEST_MASK(DIGEST_SHA1) | DIGEST_MASK(DIGEST_MD5));
	digest_set_update(ds, "abc", 3);
	digest_set_final(ds, &res);
	digest_set_free(ds);
	assert_int_equal(res.mask,
	    DIGEST_MASK(DIGEST_SHA1) | DIGEST_MASK(DIGEST_MD5));
	digest_buf(DIGEST_MD5, "abc", 3, want);
	assert_memory_equal(res.value[DIGEST_MD5], want, 16);
	assert_memory_equal(res.value[DIGEST_SHA256], zero, DIGEST_MAX_LEN);
	digest_set_free(NULL);
}

static void
test_digest__decode_hex_and_base64(void **state)
{
	unsigned char want[DIGEST_MAX_LEN], got[DIGEST_MAX_LEN];
	char upper[2 * DIGEST_MAX_LEN + 1], padded[256];
	struct sae_err err;
	size_t i, j, len;

	(void)state;
	for (i = 0; i < NABC; i++) {
		len = digest_alg_len(abc[i].alg);
		digest_buf(abc[i].alg, "abc", 3, want);

		memset(got, 0, sizeof(got));
		assert_int_equal(digest_decode(abc[i].alg, abc[i].hex, got,
		    &err), 0);
		assert_memory_equal(got, want, len);

		for (j = 0; abc[i].hex[j] != '\0'; j++)
			upper[j] = (char)(abc[i].hex[j] >= 'a' ?
			    abc[i].hex[j] - 'a' + 'A' : abc[i].hex[j]);
		upper[j] = '\0';
		memset(got, 0, sizeof(got));
		assert_int_equal(digest_decode(abc[i].alg, upper, got, &err),
		    0);
		assert_memory_equal(got, want, len);

		memset(got, 0, sizeof(got));
		assert_int_equal(digest_decode(abc[i].alg, abc[i].b64, got,
		    &err), 0);
		assert_memory_equal(got, want, len);

		/* As found in manifests: indented, with a newline. */
		snprintf(padded, sizeof(padded), "\n\t  %s \n", abc[i].b64);
		memset(got, 0, sizeof(got));
		assert_int_equal(digest_decode(abc[i].alg, padded, got, &err),
		    0);
		assert_memory_equal(got, want, len);
	}
}

static void
test_digest__decode_refuses_bad_values(void **state)
{
	unsigned char got[DIGEST_MAX_LEN];
	char bad[256];
	struct sae_err err;

	(void)state;
	/* A SHA-1 value declared as SHA-512. */
	sae_err_clear(&err);
	assert_int_equal(digest_decode(DIGEST_SHA512, abc[3].hex, got, &err),
	    -1);
	assert_int_equal(err.code, SAE_EINVAL);
	assert_string_equal(err.msg, "la valeur SHA-512 a 40 caractères, "
	    "au lieu de 128 en hexadécimal ou 88 en base64");

	/* Right length, not hex. */
	snprintf(bad, sizeof(bad), "%s", abc[0].hex);
	bad[10] = 'g';
	sae_err_clear(&err);
	assert_int_equal(digest_decode(DIGEST_SHA256, bad, got, &err), -1);
	assert_int_equal(err.code, SAE_EINVAL);
	assert_non_null(strstr(err.msg, "SHA-256"));
	assert_non_null(strstr(err.msg, "hexadécimal"));

	/* Base64 of the right length but without its padding. */
	snprintf(bad, sizeof(bad), "%s", abc[0].b64);
	bad[43] = 'A';
	sae_err_clear(&err);
	assert_int_equal(digest_decode(DIGEST_SHA256, bad, got, &err), -1);
	assert_int_equal(err.code, SAE_EINVAL);
	assert_non_null(strstr(err.msg, "base64"));

	/* Base64 with too much padding (decodes to 31 bytes). */
	bad[42] = '=';
	bad[43] = '=';
	assert_int_equal(digest_decode(DIGEST_SHA256, bad, got, &err), -1);

	/* A character that is not base64. */
	snprintf(bad, sizeof(bad), "%s", abc[4].b64);
	bad[3] = '*';
	assert_int_equal(digest_decode(DIGEST_MD5, bad, got, &err), -1);
	assert_int_equal(err.code, SAE_EINVAL);

	/* Empty and missing padding of MD5. */
	assert_int_equal(digest_decode(DIGEST_MD5, "  ", got, &err), -1);
	assert_string_equal(err.msg, "la valeur MD5 a 0 caractères, "
	    "au lieu de 32 en hexadécimal ou 24 en base64");
	assert_int_equal(digest_decode(DIGEST_MD5, "kAFQmDzST7DWlj99KOF/cg",
	    got, &err), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_digest__alg_names),
		cmocka_unit_test(test_digest__known_vectors),
		cmocka_unit_test(test_digest__set_streams_all_at_once),
		cmocka_unit_test(test_digest__set_computes_only_its_mask),
		cmocka_unit_test(test_digest__decode_hex_and_base64),
		cmocka_unit_test(test_digest__decode_refuses_bad_values),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
