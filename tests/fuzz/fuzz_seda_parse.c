/*
 * fuzz_seda_parse.c: libFuzzer target for seda_parse and seda_sniff.  The
 * official schemas are loaded once from $SAE_SHARED/seda/schemas when they
 * are there (else validation is skipped); every input is parsed, then all
 * is freed.  Reads nothing but the schemas.
 */
#include "config.h"

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "sae/err.h"
#include "sae/fsutil.h"
#include "seda/seda.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct seda_schemas *schemas;
static int tried;

static void
load_schemas(void)
{
	const char *shared = getenv("SAE_SHARED");
	char dir[PATH_MAX];
	struct sae_err err;

	tried = 1;
	if (shared == NULL || sae_path(dir, sizeof(dir), "%s/seda/schemas",
	    shared) == -1)
		return;
	if (seda_schemas_load(&schemas, dir, &err) == -1)
		schemas = NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct seda_transfer *t = NULL;
	struct seda_report r;
	struct sae_err err;
	enum seda_version v;
	char *id = NULL;

	if (!tried)
		load_schemas();
	seda_report_init(&r);
	if (seda_parse(&t, data, len, schemas, NULL, &r, &err) == 0 &&
	    t == NULL && r.worst != SEDA_KO)
		abort();	/* refused without saying why */
	seda_transfer_free(t);
	seda_report_done(&r);
	/* Skipping validation reaches the struct filling with any shape. */
	seda_report_init(&r);
	if (seda_parse(&t, data, len, NULL, NULL, &r, &err) == 0)
		seda_transfer_free(t);
	seda_report_done(&r);
	seda_sniff(data, len, &v, &id);
	free(id);
	return 0;
}
