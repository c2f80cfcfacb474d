/*
 * fuzz_package.c: libFuzzer target for the package reader: the input is
 * written to one temp file (package_open reads a spooled file, as the
 * daemon does), opened, then every entry is streamed to a callback that
 * discards it.  Touches only its own temp file.
 */
#include "config.h"

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "sae/err.h"
#include "sae/fsutil.h"
#include "sae/package.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char spool[4096];

static void
remove_spool(void)
{
	if (spool[0] != '\0')
		unlink(spool);
}

static int
discard(void *arg, const struct package_entry *pe, const void *p, size_t n,
    struct sae_err *err)
{
	(void)pe;
	(void)p;
	(void)err;
	*(uint64_t *)arg += n;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	/* Small limits keep each run fast; they are exercised, not hit. */
	const struct package_limits lim = { 1000, (uint64_t)64 << 20, 200,
	    (uint64_t)1 << 20 };
	const char *tmp = getenv("TMPDIR");
	enum package_fault fault;
	struct package *pkg;
	struct sae_err err;
	uint64_t seen = 0;
	int fd;

	if (spool[0] == '\0') {
		if (sae_path(spool, sizeof(spool), "%s/fuzz-package-XXXXXX",
		    tmp != NULL ? tmp : "/tmp") == -1 ||
		    (fd = mkstemp(spool)) == -1)
			abort();
		close(fd);
		atexit(remove_spool);
	}
	if ((fd = open(spool, O_WRONLY | O_TRUNC)) == -1 ||
	    sae_fs_write_all(fd, data, len) == -1 || close(fd) == -1)
		abort();
	if (package_open(&pkg, &fault, spool, &lim, &err) == 0) {
		(void)package_each(pkg, NULL, discard, &seen, &err);
		package_free(pkg);
	} else if (fault == PACKAGE_OK && err.code != SAE_ENOMEM)
		/* With the file in place, only the package can be at fault. */
		abort();
	return 0;
}
