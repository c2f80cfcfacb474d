/*
 * helpers.c: temp directories and fixture paths for the unit tests.
 */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sae/fsutil.h"
#include "tests/unit/helpers.h"

static char tmproot[PATH_MAX];
static int ntmp;

static void
cleanup(void)
{
	char cmd[PATH_MAX + 16];

	if (tmproot[0] != '\0' && getenv("TH_KEEP") == NULL) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmproot);
		if (system(cmd) != 0)
			fprintf(stderr, "# could not remove %s\n", tmproot);
	}
}

const char *
th_tmpdir(void)
{
	static char dir[PATH_MAX];
	const char *base = getenv("TMPDIR");

	if (tmproot[0] == '\0') {
		snprintf(tmproot, sizeof(tmproot), "%s/sae-unit-XXXXXX",
		    base != NULL ? base : "/tmp");
		if (mkdtemp(tmproot) == NULL) {
			perror("mkdtemp");
			exit(99);
		}
		atexit(cleanup);
	}
	if (sae_path(dir, sizeof(dir), "%s/%d", tmproot, ++ntmp) == -1 ||
	    sae_fs_mkdirp(dir, 0700, NULL) == -1) {
		perror(dir);
		exit(99);
	}
	return dir;
}

static const char *
under(const char *env, const char *fallback, const char *rel)
{
	static char path[4][PATH_MAX];
	static int slot;
	const char *base = getenv(env);

	slot = (slot + 1) % 4;
	if (sae_path(path[slot], PATH_MAX, "%s/%s",
	    base != NULL ? base : fallback, rel) == -1)
		exit(99);
	return path[slot];
}

const char *
th_shared(const char *rel)
{
	return under("SAE_SHARED", "../shared", rel);
}

const char *
th_src(const char *rel)
{
	return under("SAE_SRCDIR", ".", rel);
}

void
th_read(const char *path, struct sae_buf *out)
{
	struct sae_err err;

	if (sae_fs_read(path, out, (size_t)1 << 30, &err) == -1) {
		fprintf(stderr, "# %s\n", err.msg);
		exit(99);
	}
}

void
th_write(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
		perror(path);
		exit(99);
	}
}

int
th_unzip_member(const char *zip, const char *member, struct sae_buf *out)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	char chunk[65536];
	la_ssize_t n;
	int found = -1;

	archive_read_support_format_all(a);
	archive_read_support_filter_all(a);
	if (archive_read_open_filename(a, zip, 65536) != ARCHIVE_OK)
		goto out;
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		if (strcmp(archive_entry_pathname(e), member) != 0)
			continue;
		while ((n = archive_read_data(a, chunk, sizeof(chunk))) > 0)
			sae_buf_add(out, chunk, (size_t)n);
		found = n == 0 ? 0 : -1;
		break;
	}
out:
	archive_read_free(a);
	return found;
}
