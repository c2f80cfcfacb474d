/*
 * replay.c: runs a fuzz target over every file of its corpus without
 * libFuzzer, so that "make check" under gcc replays every seed and every
 * crash ever found (libgit2's standalone driver).  Prints TAP.  The
 * corpus is tests/fuzz/corpus/<target>/, the target name being this
 * program's name without "replay_".
 */
#include "config.h"

#include <dirent.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sae/buf.h"
#include "sae/fsutil.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char **argv)
{
	const char *src = getenv("SAE_SRCDIR"), *name;
	char dir[PATH_MAX], path[PATH_MAX], *names[4096];
	struct dirent *de;
	size_t n = 0, i;
	DIR *d;

	(void)argc;
	name = strrchr(argv[0], '/') != NULL ? strrchr(argv[0], '/') + 1 :
	    argv[0];
	if (strncmp(name, "replay_", 7) == 0)
		name += 7;
	if (sae_path(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s",
	    src != NULL ? src : ".", name) == -1 ||
	    (d = opendir(dir)) == NULL) {
		printf("1..0 # SKIP no corpus at %s\n", dir);
		return 0;
	}
	while ((de = readdir(d)) != NULL && n < 4096)
		if (de->d_name[0] != '.')
			names[n++] = strdup(de->d_name);
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp);
	printf("1..%zu\n", n);
	for (i = 0; i < n; i++) {
		struct sae_buf b = SAE_BUF_INIT;
		struct sae_err err;

		if (sae_path(path, sizeof(path), "%s/%s", dir, names[i]) == -1 ||
		    sae_fs_read(path, &b, (size_t)64 << 20, &err) == -1) {
			printf("not ok %zu - %s: %s\n", i + 1, names[i],
			    err.msg);
			continue;
		}
		/* A crash or a sanitizer report ends the run: the driver
		 * then counts the missing results as failures. */
		LLVMFuzzerTestOneInput((const uint8_t *)(b.data ? b.data : ""),
		    b.len);
		printf("ok %zu - %s\n", i + 1, names[i]);
		sae_buf_done(&b);
		free(names[i]);
	}
	return 0;
}
