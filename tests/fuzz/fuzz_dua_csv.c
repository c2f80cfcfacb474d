/*
 * fuzz_dua_csv.c: libFuzzer target for the DUA table reader: any bytes
 * in, a table or a refusal out, then the table written back and freed.
 * Touches nothing but memory.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "policies/dua.h"
#include "sae/buf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct dua_table *t = NULL, *t2 = NULL;
	struct sae_buf b = SAE_BUF_INIT;
	struct sae_err err;

	if (dua_csv_parse(&t, (const char *)data, len, "fuzz.csv",
	    &err) == 0) {
		/* Whatever the reader accepts, the writer must write in a
		 * form the reader accepts again, row for row. */
		dua_csv_write(t, &b);
		if (dua_csv_parse(&t2, b.data, b.len, "fuzz-written.csv",
		    &err) == -1 || t2->n != t->n)
			abort();
		sae_buf_done(&b);
		dua_table_free(t2);
		dua_table_free(t);
	}
	return 0;
}
