/*
 * test_buf.c: struct sae_buf and the hex helpers.  Also the template of
 * every unit test: cmocka, TAP output, tests named test_<file>__<case>.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sae/buf.h"

static void
test_buf__append_and_printf(void **state)
{
	struct sae_buf b = SAE_BUF_INIT;
	int i;

	(void)state;
	sae_buf_adds(&b, "abc");
	sae_buf_addc(&b, '-');
	for (i = 0; i < 1000; i++)
		sae_buf_printf(&b, "%d,", i);
	assert_int_equal(strncmp(b.data, "abc-0,1,2,", 10), 0);
	assert_int_equal(strlen(b.data), b.len);
	assert_string_equal(b.data + b.len - 4, "999,");
	sae_buf_done(&b);
	assert_null(b.data);
}

static void
test_buf__detach_empty(void **state)
{
	struct sae_buf b = SAE_BUF_INIT;
	char *s;

	(void)state;
	s = sae_buf_detach(&b);
	assert_string_equal(s, "");
	free(s);
}

static void
test_buf__hex_roundtrip(void **state)
{
	unsigned char in[4] = { 0x00, 0xab, 0x7f, 0xff }, out[4];
	char hex[9];

	(void)state;
	sae_hex(hex, in, 4);
	assert_string_equal(hex, "00ab7fff");
	assert_int_equal(sae_unhex(out, sizeof(out), "00AB7fff"), 4);
	assert_memory_equal(in, out, 4);
	assert_int_equal(sae_unhex(out, sizeof(out), "abc"), -1);
	assert_int_equal(sae_unhex(out, sizeof(out), "zz"), -1);
	assert_int_equal(sae_unhex(out, 1, "0000"), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf__append_and_printf),
		cmocka_unit_test(test_buf__detach_empty),
		cmocka_unit_test(test_buf__hex_roundtrip),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
