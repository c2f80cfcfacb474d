/*
 * test_package.c: package reading (sae/package.c) against the real samples
 * and against packages built here with libarchive's writer in a temp
 * directory: bad names, links, duplicates, limits, zip bombs.  At the end,
 * format identification (sae/format.c), which has no program of its own.
 */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "sae/buf.h"
#include "sae/format.h"
#include "sae/fsutil.h"
#include "sae/package.h"
#include "tests/unit/helpers.h"

/* One entry of a package built by mk(). */
struct te {
	const char	*name;
	/* 'f' file, 'd' dir, 'l' symlink, 'h' hard link, 'p' fifo */
	int		 type;
	const char	*data;	/* file contents, or the link target */
};

#define MANIFEST	{ "manifest.xml", 'f', "<ArchiveTransfer/>" }
#define N(v)		(sizeof(v) / sizeof((v)[0]))

/*
 * mk(path, fname, fmt, filter, v, n): writes a package into a fresh temp
 * directory; ${fmt} is 'z' zip, 'p' pax, 'u' ustar; ${filter} is 0, 'g'
 * gzip or 'z' zstd.
 */
static void
mk(char *path, const char *fname, int fmt, int filter, const struct te *v,
    size_t n)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e;
	size_t i;

	assert_int_equal(sae_path(path, PATH_MAX, "%s/%s", th_tmpdir(),
	    fname), 0);
	assert_int_equal(fmt == 'z' ? archive_write_set_format_zip(a) :
	    fmt == 'p' ? archive_write_set_format_pax_restricted(a) :
	    archive_write_set_format_ustar(a), ARCHIVE_OK);
	if (filter == 'g')
		assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
	if (filter == 'z')
		assert_int_equal(archive_write_add_filter_zstd(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (i = 0; i < n; i++) {
		size_t len = v[i].type == 'f' ? strlen(v[i].data) : 0;

		e = archive_entry_new();
		archive_entry_copy_pathname(e, v[i].name);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_mtime(e, 1700000000, 0);
		switch (v[i].type) {
		case 'd':
			archive_entry_set_filetype(e, AE_IFDIR);
			break;
		case 'l':
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_copy_symlink(e, v[i].data);
			break;
		case 'h':
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_copy_hardlink(e, v[i].data);
			break;
		case 'p':
			archive_entry_set_filetype(e, AE_IFIFO);
			break;
		default:
			archive_entry_set_filetype(e, AE_IFREG);
			break;
		}
		archive_entry_set_size(e, (la_int64_t)len);
		assert_true(archive_write_header(a, e) >= ARCHIVE_WARN);
		if (len > 0)
			assert_int_equal(archive_write_data(a, v[i].data, len),
			    (la_ssize_t)len);
		archive_entry_free(e);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

/* Opens ${path} with ${lim} and returns the fault, checking the -1. */
static enum package_fault
open_fault(const char *path, const struct package_limits *lim,
    struct sae_err *err)
{
	struct package *pkg = NULL;
	enum package_fault fault = PACKAGE_OK;
	int r;

	r = package_open(&pkg, &fault, path, lim, err);
	if (r == 0) {
		package_free(pkg);
		return PACKAGE_OK;
	}
	assert_int_equal(r, -1);
	assert_null(pkg);
	return fault;
}

/* Collects what package_each streams. */
struct sink {
	struct sae_buf	data;	/* bytes of every entry, in order */
	uint64_t	bytes;
	int		ends;		/* number of (NULL, 0) calls */
	int		stop_at;	/* fail on this end call; 0 never */
	int		manifests;	/* manifests handed over (streaming) */
};

static int
sink_cb(void *arg, const struct package_entry *pe, const void *p, size_t n,
    struct sae_err *err)
{
	struct sink *s = arg;

	if (pe == NULL) {
		/* package_stream hands the manifest over first. */
		assert_non_null(p);
		s->manifests++;
		return 0;
	}
	if (p == NULL) {
		assert_int_equal(n, 0);
		if (++s->ends == s->stop_at)
			return sae_err_set(err, SAE_EIO, "stop");
		return 0;
	}
	s->bytes += n;
	sae_buf_add(&s->data, p, n);
	return 0;
}

static void
test_package__samples_open(void **state)
{
	static const char *const ok[] = {
		"KO-RULES.zip", "KO_2216_CA2_non_conforme_SEDA.zip",
		"KO_BORD_empreinte_KO.zip", "KO_BORD_xmlKO_sansobjet.zip",
		"KO_INVALID_URI.zip", "OK_ArchivesPhysiques.zip",
		"OK_EMPRT_SHA256_2.zip", "OK_RULES_COMPLEXE_COMPLETE.zip",
		"OK_SEDA2.3_SigningInformation_BinairesMultiples.zip",
		"OK_SIP_2_GO.tar", "OK_SIP_2_GO.zip",
		"OK_SIP_FULL_SEDA2.3.zip", "WARNING_SIP_mail_Seda2.2.zip",
	};
	struct package *pkg;
	enum package_fault fault;
	struct sae_err err;
	size_t i;
	char rel[256];

	(void)state;
	for (i = 0; i < N(ok); i++) {
		assert_int_equal(sae_path(rel, sizeof(rel), "seda/samples/%s",
		    ok[i]), 0);
		if (package_open(&pkg, &fault, th_shared(rel), NULL, &err) != 0)
			fail_msg("%s: %s", ok[i], err.msg);
		assert_true(pkg->manifest.len > 0);
		assert_non_null(strstr(pkg->manifest.data, "ArchiveTransfer"));
		assert_null(package_find(pkg, "manifest.xml"));
		package_free(pkg);
	}
}

static void
test_package__sip_2_go_zip_and_tar(void **state)
{
	static const char *const samples[] = { "seda/samples/OK_SIP_2_GO.zip",
	    "seda/samples/OK_SIP_2_GO.tar" };
	const struct package_entry *pe;
	struct package *pkg;
	enum package_fault fault;
	struct sae_err err;
	struct sae_buf want = SAE_BUF_INIT;
	struct sink s;
	size_t i, k;

	(void)state;
	for (k = 0; k < 2; k++) {
		assert_int_equal(package_open(&pkg, &fault,
		    th_shared(samples[k]), NULL, &err), 0);
		assert_string_equal(pkg->format, k == 0 ? "zip" : "tar");
		assert_int_equal(pkg->nentries, 4);
		for (i = 0; i < pkg->nentries; i++) {
			assert_int_equal(strncmp(pkg->entries[i].name,
			    "Content/", 8), 0);
			if (i > 0)
				assert_true(pkg->entries[i].index >
				    pkg->entries[i - 1].index);
		}
		pe = package_find(pkg,
		    "Content/JpddOUNiM4SgeBHfZy6fGepG9dV7ca.odt");
		assert_non_null(pe);
		assert_int_equal(pe->size, 68438);

		/* Stream only the odt and compare with an independent read. */
		memset(&s, 0, sizeof(s));
		{
			unsigned char sel[4] = { 0, 0, 0, 0 };

			sel[pe - pkg->entries] = 1;
			assert_int_equal(package_each(pkg, sel, sink_cb, &s,
			    &err), 0);
		}
		assert_int_equal(s.ends, 1);
		assert_int_equal(s.bytes, 68438);
		sae_buf_reset(&want);
		if (k == 0) {
			assert_int_equal(th_unzip_member(th_shared(samples[k]),
			    pe->name, &want), 0);
			assert_memory_equal(want.data, s.data.data, want.len);
		}
		sae_buf_done(&s.data);

		/* All entries; a callback failure stops the walk. */
		memset(&s, 0, sizeof(s));
		assert_int_equal(package_each(pkg, NULL, sink_cb, &s, &err), 0);
		assert_int_equal(s.ends, 4);
		assert_int_equal(s.bytes, 29403 * 3 + 68438);
		sae_buf_done(&s.data);
		memset(&s, 0, sizeof(s));
		s.stop_at = 2;
		assert_int_equal(package_each(pkg, NULL, sink_cb, &s, &err),
		    -1);
		assert_int_equal(s.ends, 2);
		assert_string_equal(err.msg, "stop");
		sae_buf_done(&s.data);
		package_free(pkg);
	}
	sae_buf_done(&want);
}

static void
test_package__only_manifest(void **state)
{
	struct package *pkg;
	enum package_fault fault;
	struct sae_err err;

	(void)state;
	assert_int_equal(package_open(&pkg, &fault,
	    th_shared("seda/samples/KO_BORD_xmlKO_sansobjet.zip"), NULL,
	    &err), 0);
	assert_int_equal(pkg->nentries, 0);
	assert_int_equal(pkg->manifest.len, 4916);
	package_free(pkg);
}

static void
test_package__path_traversal_sample(void **state)
{
	struct sae_err err;

	(void)state;
	assert_int_equal(open_fault(th_shared(
	    "seda/samples/SIP_KO_PathTraversalInFileName.zip"), NULL, &err),
	    PACKAGE_BAD_NAME);
	assert_int_equal(err.code, SAE_EINVAL);
	assert_non_null(strstr(err.msg, "'../../BadFile.txt'"));
}

static void
test_package__bad_names(void **state)
{
	static const struct {
		const char	*name;
		const char	*shown;	/* as the message quotes it */
	} bad[] = {
		{ "Content/../../x.pdf", "'Content/../../x.pdf'" },
		{ "..", "'..'" },
		{ "/etc/passwd", "'/etc/passwd'" },
		{ "Content\\x.pdf", "'Content\\x.pdf'" },
		{ "a\tb.pdf", "'a\\x09b.pdf'" },
		{ "bad\xff.pdf", "'bad\\xff.pdf'" },
		{ "Content//x.pdf", "'Content//x.pdf'" },
		{ "Content/./x.pdf", "'Content/./x.pdf'" },
	};
	char path[PATH_MAX];
	struct sae_err err;
	size_t i;

	(void)state;
	for (i = 0; i < N(bad); i++) {
		struct te v[] = { MANIFEST, { bad[i].name, 'f', "x" } };

		mk(path, "bad.tar", 'u', 0, v, N(v));
		if (open_fault(path, NULL, &err) != PACKAGE_BAD_NAME)
			fail_msg("%s accepted", bad[i].shown);
		assert_int_equal(err.code, SAE_EINVAL);
		if (strstr(err.msg, bad[i].shown) == NULL)
			fail_msg("%s not in: %s", bad[i].shown, err.msg);
	}
}

static void
test_package__dot_slash_normalised(void **state)
{
	struct te v[] = { { "./manifest.xml", 'f', "<m/>" },
	    { "./Content/", 'd', NULL }, { "./Content/a.txt", 'f', "abc" } };
	char path[PATH_MAX];
	struct package *pkg;
	enum package_fault fault;
	struct sae_err err;

	(void)state;
	mk(path, "dot.tar", 'p', 0, v, N(v));
	assert_int_equal(package_open(&pkg, &fault, path, NULL, &err), 0);
	assert_string_equal(pkg->manifest.data, "<m/>");
	assert_int_equal(pkg->nentries, 1);
	assert_string_equal(pkg->entries[0].name, "Content/a.txt");
	assert_int_equal(pkg->entries[0].index, 2);
	assert_int_equal(pkg->entries[0].size, 3);
	package_free(pkg);
}

static void
test_package__links(void **state)
{
	struct te sym[] = { MANIFEST, { "Content/l.pdf", 'l', "/etc/passwd" } };
	struct te hard[] = { MANIFEST,
	    { "Content/h.pdf", 'h', "manifest.xml" } };
	struct te fifo[] = { MANIFEST, { "Content/p", 'p', NULL } };
	char path[PATH_MAX];
	struct sae_err err;

	(void)state;
	mk(path, "sym.tar", 'p', 0, sym, N(sym));
	assert_int_equal(open_fault(path, NULL, &err), PACKAGE_LINK);
	assert_non_null(strstr(err.msg, "'Content/l.pdf'"));
	mk(path, "sym.zip", 'z', 0, sym, N(sym));
	assert_int_equal(open_fault(path, NULL, &err), PACKAGE_LINK);
	mk(path, "hard.tar", 'p', 0, hard, N(hard));
	assert_int_equal(open_fault(path, NULL, &err), PACKAGE_LINK);
	assert_non_null(strstr(err.msg, "'Content/h.pdf'"));
	mk(path, "fifo.tar", 'u', 0, fifo, N(fifo));
	assert_int_equal(open_fault(path, NULL, &err), PACKAGE_LINK);
	assert_non_null(strstr(err.msg, "'Content/p'"));
}

static void
test_package__duplicates(void **state)
{
	struct te v[] = { MANIFEST, { "Content/a.pdf", 'f', "1" },
	    { "Content/b.pdf", 'f', "2" }, { "./Content/a.pdf", 'f', "3" } };
	char path[PATH_MAX];
	struct sae_err err;

	(void)state;
	mk(path, "dup.zip", 'z', 0, v, N(v));
	assert_int_equal(open_fault(path, NULL, &err), PACKAGE_DUPLICATE);
	assert_non_null(strstr(err.msg, "'Content/a.pdf'"));
}

static void
test_package__manifests(void **state)
{
	struct te two[] = { MANIFEST, { "Content/a.pdf", 'f', "1" },
	    { "./manifest.xml", 'f', "<other/>" } };
	struct te sub[] = { { "Content/manifest.xml", 'f', "<not-root/>" },
	    MANIFEST };
	struct te none[] = { { "Content/manifest.xml", 'f', "<not-root/>" },
	    { "Manifest.xml", 'f', "<case/>" } };
	char path[PATH_MAX];
	struct package *pkg;
	enum package_fault fault;
	struct sae_err err;

	(void)state;
	mk(path, "two.tar", 'p', 0, two, N(two));
	assert_int_equal(open_fault(path, NULL, &err), PACKAGE_TWO_MANIFESTS);
	assert_non_null(strstr(err.msg, "'manifest.xml'"));

	mk(path, "sub.zip", 'z', 0, sub, N(sub));
	assert_int_equal(package_open(&pkg, &fault, path, NULL, &err), 0);
	assert_string_equal(pkg->manifest.data, "<ArchiveTransfer/>");
	assert_int_equal(pkg->nentries, 1);
	assert_string_equal(pkg->entries[0].name, "Content/manifest.xml");
	package_free(pkg);

	mk(path, "none.zip", 'z', 0, none, N(none));
	assert_int_equal(open_fault(path, NULL, &err), PACKAGE_NO_MANIFEST);
	assert_int_equal(err.code, SAE_EINVAL);
}

static void
test_package__compressed_tars(void **state)
{
	struct te v[] = { MANIFEST, { "Content/", 'd', NULL },
	    { "Content/a.txt", 'f', "hello" },
	    { "Content/b.txt", 'f', "world!" } };
	static const struct {
		int		 filter;
		const char	*fname, *format;
	} c[] = { { 'g', "p.tar.gz", "tar.gz" },
	    { 'z', "p.tar.zst", "tar.zst" } };
	char path[PATH_MAX];
	struct package *pkg;
	enum package_fault fault;
	struct sae_err err;
	struct sink s;
	size_t k;

	(void)state;
	for (k = 0; k < N(c); k++) {
		mk(path, c[k].fname, 'p', c[k].filter, v, N(v));
		assert_int_equal(package_open(&pkg, &fault, path, NULL, &err),
		    0);
		assert_string_equal(pkg->format, c[k].format);
		assert_int_equal(pkg->nentries, 2);
		memset(&s, 0, sizeof(s));
		assert_int_equal(package_each(pkg, NULL, sink_cb, &s, &err), 0);
		assert_int_equal(s.ends, 2);
		assert_string_equal(s.data.data, "helloworld!");
		sae_buf_done(&s.data);
		package_free(pkg);
	}
}

static void
test_package__limits(void **state)
{
	struct te v[] = { MANIFEST, { "a", 'f', "1" }, { "b", 'f', "22" },
	    { "c", 'f', "333" } };
	struct package_limits lim = { 0, 0, 0, 0 };
	char path[PATH_MAX];
	struct sae_err err;

	(void)state;
	mk(path, "lim.zip", 'z', 0, v, N(v));
	assert_int_equal(open_fault(path, &lim, &err), PACKAGE_OK);
	lim.max_entries = 4;
	assert_int_equal(open_fault(path, &lim, &err), PACKAGE_OK);
	lim.max_entries = 3;
	assert_int_equal(open_fault(path, &lim, &err), PACKAGE_TOO_MANY);
	assert_int_equal(err.code, SAE_ELIMIT);
	lim.max_entries = 0;
	lim.max_manifest = 17;		/* the manifest has 18 bytes */
	assert_int_equal(open_fault(path, &lim, &err), PACKAGE_MANIFEST_BIG);
	assert_int_equal(err.code, SAE_ELIMIT);
	lim.max_manifest = 18;
	assert_int_equal(open_fault(path, &lim, &err), PACKAGE_OK);
	lim.max_expanded = 18 + 5;	/* one byte short */
	assert_int_equal(open_fault(path, &lim, &err), PACKAGE_TOO_BIG);
	assert_int_equal(err.code, SAE_ELIMIT);
}

static void
test_package__unreadable(void **state)
{
	struct te v[] = { MANIFEST, { "Content/a.txt", 'f',
	    "some text that is long enough to be cut in the middle" } };
	struct sae_buf b = SAE_BUF_INIT;
	char path[PATH_MAX], cut[PATH_MAX];
	struct sae_err err;
	size_t i;

	(void)state;
	mk(path, "whole.zip", 'z', 0, v, N(v));
	th_read(path, &b);
	assert_int_equal(sae_path(cut, sizeof(cut), "%s/cut.zip",
	    th_tmpdir()), 0);
	/* Cut inside the last entry, a few bytes before the central
	 * directory. */
	for (i = 0; i + 4 < b.len; i++)
		if (memcmp(b.data + i, "PK\1\2", 4) == 0)
			break;
	assert_true(i > 40 && i + 4 < b.len);
	th_write(cut, b.data, i - 20);
	assert_int_equal(open_fault(cut, NULL, &err), PACKAGE_UNREADABLE);
	assert_int_equal(err.code, SAE_EINVAL);
	assert_true(strlen(err.msg) > 30);

	/* The real sample, cut in its middle. */
	sae_buf_reset(&b);
	th_read(th_shared("seda/samples/OK_SIP_2_GO.zip"), &b);
	th_write(cut, b.data, b.len / 2);
	assert_int_equal(open_fault(cut, NULL, &err), PACKAGE_UNREADABLE);

	th_write(cut, "just some text, not an archive\n", 31);
	assert_int_equal(open_fault(cut, NULL, &err), PACKAGE_UNREADABLE);
	th_write(cut, "", 0);
	assert_int_equal(open_fault(cut, NULL, &err), PACKAGE_UNREADABLE);

	/* A missing file is our problem, not the producer's. */
	assert_int_equal(sae_path(cut, sizeof(cut), "%s/absent.zip",
	    th_tmpdir()), 0);
	assert_int_equal(open_fault(cut, NULL, &err), PACKAGE_OK);
	assert_int_equal(err.code, SAE_ENOTFOUND);
	sae_buf_done(&b);
}

/* A zip with a manifest and ${size} bytes of zeros in "Content/zero.bin". */
static void
mk_bomb(char *path, uint64_t size)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e;
	char *zeros = calloc(1, 1 << 20);
	uint64_t done;

	assert_non_null(zeros);
	assert_int_equal(sae_path(path, PATH_MAX, "%s/bomb.zip", th_tmpdir()),
	    0);
	assert_int_equal(archive_write_set_format_zip(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	e = archive_entry_new();
	archive_entry_copy_pathname(e, "manifest.xml");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, 4);
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	assert_int_equal(archive_write_data(a, "<m/>", 4), 4);
	archive_entry_clear(e);
	archive_entry_copy_pathname(e, "Content/zero.bin");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)size);
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	for (done = 0; done < size; done += 1 << 20)
		assert_int_equal(archive_write_data(a, zeros, 1 << 20),
		    1 << 20);
	archive_entry_free(e);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	free(zeros);
}

static uint32_t
le32(const unsigned char *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static void
put_le32(unsigned char *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = v >> 24;
}

static void
test_package__zip_bomb(void **state)
{
	char path[PATH_MAX];
	struct sae_err err;
	time_t t0;

	(void)state;
	mk_bomb(path, (uint64_t)1 << 30);
	t0 = time(NULL);
	assert_int_equal(open_fault(path, NULL, &err), PACKAGE_RATIO);
	assert_int_equal(err.code, SAE_ELIMIT);
	/* Refused on the header alone: nothing was inflated. */
	assert_true(time(NULL) - t0 <= 2);
}

/*
 * The same bomb whose zip headers lie: they declare 1000 bytes.  The
 * first pass believes them; the second must stop before the callback
 * sees more than was declared.
 */
static void
test_package__zip_bomb_lying_header(void **state)
{
	struct sae_buf b = SAE_BUF_INIT;
	unsigned char *z, *cd, *lh;
	uint32_t off, count, i, patched = 0;
	char path[PATH_MAX];
	struct package *pkg;
	enum package_fault fault;
	struct sae_err err;
	struct sink s;
	size_t eocd;

	(void)state;
	mk_bomb(path, (uint64_t)64 << 20);
	th_read(path, &b);
	z = (unsigned char *)b.data;
	for (eocd = b.len - 22; eocd > 0; eocd--)
		if (memcmp(z + eocd, "PK\5\6", 4) == 0)
			break;
	assert_true(eocd > 0);
	count = z[eocd + 10] | (uint32_t)z[eocd + 11] << 8;
	off = le32(z + eocd + 16);
	for (i = 0, cd = z + off; i < count; i++) {
		assert_memory_equal(cd, "PK\1\2", 4);
		if (memcmp(cd + 46, "Content/zero.bin", 16) == 0) {
			assert_int_equal(le32(cd + 24), 64 << 20);
			put_le32(cd + 24, 1000);
			lh = z + le32(cd + 42);
			if (le32(lh + 22) != 0)
				put_le32(lh + 22, 1000);
			patched++;
		}
		cd += 46 + (cd[28] | cd[29] << 8) + (cd[30] | cd[31] << 8) +
		    (cd[32] | cd[33] << 8);
	}
	assert_int_equal(patched, 1);
	th_write(path, b.data, b.len);
	sae_buf_done(&b);

	assert_int_equal(package_open(&pkg, &fault, path, NULL, &err), 0);
	assert_int_equal(pkg->nentries, 1);
	assert_int_equal(pkg->entries[0].size, 1000);
	memset(&s, 0, sizeof(s));
	assert_int_equal(package_each(pkg, NULL, sink_cb, &s, &err), -1);
	assert_int_equal(err.code, SAE_ELIMIT);
	assert_non_null(strstr(err.msg, "'Content/zero.bin'"));
	assert_true(s.bytes <= 1000);
	assert_int_equal(s.ends, 0);
	sae_buf_done(&s.data);
	package_free(pkg);
}

/* ---------------------------------------------------------- format.c */


/* Streams the file at ${path} through a pipe into package_stream. */
static int
stream_file(const char *path, struct package **pkg, enum package_fault *fault,
    struct sink *sk, const struct package_limits *lim, struct sae_err *err)
{
	struct sae_buf b = SAE_BUF_INIT;
	int fds[2], rc;
	pid_t pid;

	th_read(path, &b);
	assert_int_equal(pipe(fds), 0);
	if ((pid = fork()) == 0) {
		close(fds[0]);
		sae_fs_write_all(fds[1], b.data, b.len);
		_exit(0);
	}
	close(fds[1]);
	rc = package_stream(pkg, fault, fds[0], b.len, lim, sink_cb, sk, err);
	close(fds[0]);
	waitpid(pid, NULL, 0);
	sae_buf_done(&b);
	return rc;
}

static void
test_package__stream_tar(void **state)
{
	const struct te v[] = {
		{ "content/a.txt", 'f', "alpha" },
		MANIFEST,
		{ "content/b.txt", 'f', "beta!" },
	};
	struct sink sk = { SAE_BUF_INIT, 0, 0, 0, 0 };
	enum package_fault fault;
	struct package *pkg = NULL;
	char path[PATH_MAX];
	struct sae_err err;

	(void)state;
	mk(path, "s.tar.zst", 'p', 'z', v, N(v));
	assert_int_equal(stream_file(path, &pkg, &fault, &sk, NULL, &err), 0);
	assert_int_equal(pkg->nentries, 2);
	assert_string_equal(pkg->manifest.data, "<ArchiveTransfer/>");
	assert_int_equal(sk.ends, 2);
	assert_int_equal(sk.manifests, 1);
	assert_string_equal(sk.data.data, "alphabeta!");
	assert_int_equal(package_find(pkg, "content/b.txt")->size, 5);
	assert_null(package_find(pkg, "content/c.txt"));
	assert_int_equal(package_each(pkg, NULL, sink_cb, &sk, &err), -1);
	package_free(pkg);
	sae_buf_done(&sk.data);
}

static void
test_package__stream_refusals(void **state)
{
	const struct te links[] = {
		MANIFEST,
		{ "content/l", 'l', "/etc/passwd" },
	};
	const struct te dup[] = {
		MANIFEST,
		{ "content/a", 'f', "1" },
		{ "content/a", 'f', "2" },
	};
	const struct te many[] = {
		MANIFEST,
		{ "a", 'f', "1" }, { "b", 'f', "2" }, { "c", 'f', "3" },
	};
	struct package_limits lim = { 2, 0, 0, 0 };
	struct sink sk = { SAE_BUF_INIT, 0, 0, 0, 0 };
	enum package_fault fault;
	struct package *pkg = NULL;
	char path[PATH_MAX];
	struct sae_err err;

	(void)state;
	mk(path, "l.tar", 'p', 0, links, N(links));
	assert_int_equal(stream_file(path, &pkg, &fault, &sk, NULL, &err), -1);
	assert_int_equal(fault, PACKAGE_LINK);
	assert_null(pkg);
	mk(path, "d.tar", 'p', 0, dup, N(dup));
	assert_int_equal(stream_file(path, &pkg, &fault, &sk, NULL, &err), -1);
	assert_int_equal(fault, PACKAGE_DUPLICATE);
	mk(path, "m.tar", 'p', 0, many, N(many));
	assert_int_equal(stream_file(path, &pkg, &fault, &sk, &lim, &err), -1);
	assert_int_equal(fault, PACKAGE_TOO_MANY);
	sae_buf_done(&sk.data);
}

static void
test_package__stream_bomb(void **state)
{
	struct sink sk = { SAE_BUF_INIT, 0, 0, 0, 0 };
	enum package_fault fault;
	struct package *pkg = NULL;
	char path[PATH_MAX];
	struct sae_err err;

	(void)state;
	mk_bomb(path, (uint64_t)256 << 20);
	assert_int_equal(stream_file(path, &pkg, &fault, &sk, NULL, &err), -1);
	assert_int_equal(fault, PACKAGE_RATIO);
	/* Stopped on the declared size: the callback saw nothing. */
	assert_int_equal(sk.bytes, 0);
	sae_buf_done(&sk.data);
}

static void
test_format__pdf_sample(void **state)
{
	struct sae_buf b = SAE_BUF_INIT;
	struct format_result r;
	struct format *f;
	struct sae_err err;

	(void)state;
	assert_int_equal(format_new(&f, &err), 0);
	assert_int_equal(th_unzip_member(
	    th_shared("seda/samples/OK_EMPRT_SHA256_2.zip"), "Content/ID5.pdf",
	    &b), 0);
	assert_int_equal(strncmp(b.data, "%PDF-1.4", 8), 0);
	format_identify(f, b.data, b.len < FORMAT_HEAD_MAX ? b.len :
	    FORMAT_HEAD_MAX, b.len, &r);
	assert_string_equal(r.mime, "application/pdf");
	assert_non_null(strstr(r.description, "PDF document"));
	assert_string_equal(r.puid, "fmt/18");

	/* The same bytes claiming another version and PDF/A-2b. */
	b.data[7] = '7';
	format_identify(f, b.data, 4096, b.len, &r);
	assert_string_equal(r.puid, "fmt/276");
	sae_buf_reset(&b);
	sae_buf_adds(&b, "%PDF-1.4\n1 0 obj\n<x:xmpmeta><rdf:Description "
	    "pdfaid:part=\"2\" pdfaid:conformance=\"B\"/></x:xmpmeta>\n");
	format_identify(f, b.data, b.len, b.len, &r);
	assert_string_equal(r.mime, "application/pdf");
	assert_string_equal(r.puid, "fmt/477");
	sae_buf_reset(&b);
	sae_buf_adds(&b, "%PDF-1.4\n<pdfaid:part>1</pdfaid:part>"
	    "<pdfaid:conformance>A</pdfaid:conformance>\n");
	format_identify(f, b.data, b.len, b.len, &r);
	assert_string_equal(r.puid, "fmt/95");
	sae_buf_done(&b);
	format_free(f);
}

static void
test_format__small_formats(void **state)
{
	static const unsigned char png[] = {
		0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
		0, 0, 0, 13, 'I', 'H', 'D', 'R', 0, 0, 0, 1, 0, 0, 0, 1,
		8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89,
		0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82,
	};
	static const unsigned char gif[] = "GIF89a\1\0\1\0\0\0\0;";
	static const unsigned char junk[] = { 0x00, 0xff, 0x13, 0x87, 0xfe,
	    0x00, 0x01, 0x9c, 0x42, 0x00, 0xc7, 0x11, 0x03, 0xee, 0x80, 0x7f };
	const char *text = "Procès-verbal de la séance du conseil municipal.\n"
	    "Présents : tous les élus.\n";
	const char *xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<ArchiveTransfer xmlns=\"fr:gouv:culture:archivesdefrance:seda:"
	    "v2.1\"><Comment>x</Comment></ArchiveTransfer>\n";
	struct format_result r;
	struct format *f;
	struct sae_err err;

	(void)state;
	assert_int_equal(format_new(&f, &err), 0);
	format_identify(f, png, sizeof(png), sizeof(png), &r);
	assert_string_equal(r.mime, "image/png");
	assert_non_null(strstr(r.description, "PNG image data, 1 x 1"));
	assert_string_equal(r.puid, "");	/* the version cannot be told */

	format_identify(f, gif, sizeof(gif) - 1, sizeof(gif) - 1, &r);
	assert_string_equal(r.mime, "image/gif");
	assert_string_equal(r.puid, "fmt/4");

	format_identify(f, text, strlen(text), strlen(text), &r);
	assert_string_equal(r.mime, "text/plain");
	assert_string_equal(r.puid, "x-fmt/111");

	format_identify(f, xml, strlen(xml), strlen(xml), &r);
	assert_true(format_mime_matches("application/xml", r.mime));
	assert_string_equal(r.puid, "fmt/101");

	format_identify(f, junk, sizeof(junk), sizeof(junk), &r);
	assert_string_equal(r.mime, "application/octet-stream");
	assert_string_equal(r.puid, "");
	format_free(f);
}

static void
test_format__mime_matches(void **state)
{
	(void)state;
	assert_true(format_mime_matches("application/pdf", "application/pdf"));
	assert_true(format_mime_matches("Application/PDF", "application/pdf"));
	assert_true(format_mime_matches("application/x-pdf",
	    "application/pdf"));
	assert_true(format_mime_matches("text/xml", "application/xml"));
	assert_true(format_mime_matches("application/xml", "text/xml"));
	assert_true(format_mime_matches("text/plain; charset=UTF-8",
	    "text/plain"));
	assert_true(format_mime_matches(" image/jpg ", "image/jpeg"));
	assert_false(format_mime_matches("text/plain", "application/pdf"));
	assert_false(format_mime_matches("application/pdfx",
	    "application/pdf"));
	assert_false(format_mime_matches("", ""));
	assert_false(format_mime_matches(NULL, "application/pdf"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_package__samples_open),
		cmocka_unit_test(test_package__sip_2_go_zip_and_tar),
		cmocka_unit_test(test_package__only_manifest),
		cmocka_unit_test(test_package__path_traversal_sample),
		cmocka_unit_test(test_package__bad_names),
		cmocka_unit_test(test_package__dot_slash_normalised),
		cmocka_unit_test(test_package__links),
		cmocka_unit_test(test_package__duplicates),
		cmocka_unit_test(test_package__manifests),
		cmocka_unit_test(test_package__compressed_tars),
		cmocka_unit_test(test_package__limits),
		cmocka_unit_test(test_package__unreadable),
		cmocka_unit_test(test_package__zip_bomb),
		cmocka_unit_test(test_package__zip_bomb_lying_header),
		cmocka_unit_test(test_package__stream_tar),
		cmocka_unit_test(test_package__stream_refusals),
		cmocka_unit_test(test_package__stream_bomb),
		cmocka_unit_test(test_format__pdf_sample),
		cmocka_unit_test(test_format__small_formats),
		cmocka_unit_test(test_format__mime_matches),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
