/*
 * package.c: reads a spooled package (zip or tar, raw or gzip/bzip2/xz/zstd
 * compressed) with libarchive in two streaming passes, under limits.  Entry
 * names are only checked and compared, never turned into paths: this file
 * touches nothing on disk but the package it is given.
 */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sae/buf.h"
#include "sae/err.h"
#include "sae/package.h"
#include "sae/xmalloc.h"

#define MANIFEST_NAME	"manifest.xml"
#define BLOCK		(64 * 1024)
#define NAME_MAX_BYTES	4096	/* longer names are refused */
#define SHOWN_MAX	200	/* bytes of a name quoted in messages */

/* The limits go with the package to the second pass. */
struct package_priv {
	struct package		pub;
	struct package_limits	lim;
	uint64_t		expanded;	/* pass 1: declared + read */
	const struct package_entry **byname;	/* sorted, for package_find */
	/* single-pass reading (package_stream): entries go to cb at once */
	package_each_cb		*cb;
	void			*arg;
	char			*chunk;
};

static int	utf8_valid(const char *);

/* A name made printable for a message: controls and bad bytes as \xNN. */
struct shown {
	char	s[SHOWN_MAX * 4 + 8];
};

static const char *
show(struct shown *out, const char *name)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)name;
	int keep_utf8 = utf8_valid(name);
	size_t i, o = 0;

	for (i = 0; p[i] != '\0' && i < SHOWN_MAX; i++) {
		if (p[i] < 0x20 || p[i] == 0x7f || p[i] == '\'' ||
		    p[i] >= 0x80) {
			/* UTF-8 is kept as is when the whole name is valid. */
			if (p[i] >= 0x80 && keep_utf8) {
				out->s[o++] = (char)p[i];
				continue;
			}
			out->s[o++] = '\\';
			out->s[o++] = 'x';
			out->s[o++] = hex[p[i] >> 4];
			out->s[o++] = hex[p[i] & 15];
		} else
			out->s[o++] = (char)p[i];
	}
	if (p[i] != '\0') {
		memcpy(out->s + o, "...", 3);
		o += 3;
	}
	out->s[o] = '\0';
	return out->s;
}

/*
 * Length of the UTF-8 sequence at ${p}, or 0 if it is not valid: no
 * overlong forms, no surrogates, nothing above U+10FFFF, no C1 controls.
 */
static size_t
utf8_char(const unsigned char *p)
{
	uint32_t c;
	size_t n, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, c = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, c = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, c = p[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff ||
	    (c >= 0x80 && c <= 0x9f))
		return 0;
	return n;
}

static int
utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	while (*p != '\0') {
		if ((n = utf8_char(p)) == 0)
			return 0;
		p += n;
	}
	return 1;
}

/*
 * Checks a normalised name; returns NULL if it is acceptable, else why not.
 * Empty and "." components are refused too: they give one file two
 * spellings, which would defeat the duplicate check.
 */
static const char *
name_problem(const char *name)
{
	const char *p, *c;
	size_t len;

	if (name[0] == '\0')
		return "a un nom vide";
	if (strlen(name) > NAME_MAX_BYTES)
		return "a un nom trop long";
	if (!utf8_valid(name))
		return "a un nom qui n'est pas en UTF-8 valide";
	for (p = name; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return "a un caractère de contrôle dans son nom";
		if (*p == '\\')
			return "a une barre oblique inverse dans son nom";
	}
	if (name[0] == '/')
		return "a un nom absolu";
	for (c = name; ; c = p + 1) {
		p = strchr(c, '/');
		len = p != NULL ? (size_t)(p - c) : strlen(c);
		if (len == 2 && c[0] == '.' && c[1] == '.')
			return "remonte hors du paquet avec « .. »";
		if (len == 0 || (len == 1 && c[0] == '.'))
			return "a un élément vide ou « . » dans son nom";
		if (p == NULL)
			break;
	}
	return NULL;
}

/* The entry's name, in UTF-8 when libarchive can tell, without "./". */
static const char *
entry_name(struct archive_entry *e)
{
	const char *name;

	if ((name = archive_entry_pathname_utf8(e)) == NULL)
		name = archive_entry_pathname(e);
	if (name == NULL)
		return "";
	while (name[0] == '.' && name[1] == '/')
		name += 2;
	return name;
}

static struct archive *
reader_new(void)
{
	struct archive *a;

	if ((a = archive_read_new()) == NULL)
		return NULL;
	/* Only what producers send: each extra reader is attack surface. */
	if (archive_read_support_format_zip(a) < ARCHIVE_WARN ||
	    archive_read_support_format_tar(a) < ARCHIVE_WARN ||
	    archive_read_support_format_gnutar(a) < ARCHIVE_WARN ||
	    archive_read_support_filter_gzip(a) < ARCHIVE_WARN ||
	    archive_read_support_filter_bzip2(a) < ARCHIVE_WARN ||
	    archive_read_support_filter_xz(a) < ARCHIVE_WARN ||
	    archive_read_support_filter_zstd(a) < ARCHIVE_WARN) {
		archive_read_free(a);
		return NULL;
	}
	return a;
}

static const char *
la_msg(struct archive *a)
{
	const char *m = archive_error_string(a);

	return m != NULL ? m : "unknown error";
}

/* "zip", "tar", "tar.gz"...: the format and its filters, outermost last. */
static char *
format_name(struct archive *a)
{
	struct sae_buf b = SAE_BUF_INIT;
	int i;

	switch (archive_format(a) & ARCHIVE_FORMAT_BASE_MASK) {
	case ARCHIVE_FORMAT_ZIP:
		sae_buf_adds(&b, "zip");
		break;
	case ARCHIVE_FORMAT_TAR:
		sae_buf_adds(&b, "tar");
		break;
	default:
		sae_buf_adds(&b, "unknown");
		break;
	}
	for (i = archive_filter_count(a) - 1; i >= 0; i--) {
		switch (archive_filter_code(a, i)) {
		case ARCHIVE_FILTER_GZIP:
			sae_buf_adds(&b, ".gz");
			break;
		case ARCHIVE_FILTER_BZIP2:
			sae_buf_adds(&b, ".bz2");
			break;
		case ARCHIVE_FILTER_XZ:
			sae_buf_adds(&b, ".xz");
			break;
		case ARCHIVE_FILTER_ZSTD:
			sae_buf_adds(&b, ".zst");
			break;
		default:
			break;
		}
	}
	return sae_buf_detach(&b);
}

/* max_ratio × package size, saturating. */
static uint64_t
ratio_cap(const struct package_priv *p)
{
	uint64_t cap;

	if (__builtin_mul_overflow(p->lim.max_ratio, p->pub.package_size,
	    &cap))
		return UINT64_MAX;
	return cap;
}

/*
 * Adds ${n} expanded bytes (declared or read) to ${*total} and checks
 * the limits.
 */
static int
count_expanded(const struct package_priv *p, uint64_t *total, uint64_t n,
    enum package_fault *fault, struct sae_err *err)
{
	if (__builtin_add_overflow(*total, n, total) ||
	    *total > p->lim.max_expanded) {
		*fault = PACKAGE_TOO_BIG;
		return sae_err_set(err, SAE_ELIMIT, "Le contenu décompressé du "
		    "paquet dépasse la taille autorisée (%llu octets).",
		    (unsigned long long)p->lim.max_expanded);
	}
	if (*total > ratio_cap(p)) {
		*fault = PACKAGE_RATIO;
		return sae_err_set(err, SAE_ELIMIT, "Le paquet se décompresse "
		    "en plus de %llu fois ses %llu octets : refusé comme bombe"
		    " de décompression.",
		    (unsigned long long)p->lim.max_ratio,
		    (unsigned long long)p->pub.package_size);
	}
	return 0;
}

/*
 * Pass 1 reading of the data of the current entry when it must be looked
 * at: the manifest (kept, bounded) or an entry of undeclared size (counted,
 * dropped).  Returns the number of bytes read, or -1.
 */
static int64_t
read_counted(struct package_priv *p, struct archive *a, const char *name,
    struct sae_buf *keep, enum package_fault *fault, struct sae_err *err)
{
	char *chunk = sae_xmalloc(BLOCK);
	struct shown sh;
	int64_t got = 0;
	la_ssize_t n;

	while ((n = archive_read_data(a, chunk, BLOCK)) > 0) {
		got += n;
		if (keep != NULL) {
			if ((uint64_t)got > p->lim.max_manifest) {
				*fault = PACKAGE_MANIFEST_BIG;
				sae_err_set(err, SAE_ELIMIT, "Le manifeste "
				    "'%s' dépasse la taille autorisée (%llu "
				    "octets).", name,
				    (unsigned long long)p->lim.max_manifest);
				goto fail;
			}
			sae_buf_add(keep, chunk, (size_t)n);
		}
		if (count_expanded(p, &p->expanded, (uint64_t)n, fault,
		    err) == -1)
			goto fail;
	}
	if (n < 0) {
		*fault = PACKAGE_UNREADABLE;
		sae_err_set(err, SAE_EINVAL, "Le fichier '%s' est illisible "
		    ": %s.", show(&sh, name), la_msg(a));
		goto fail;
	}
	free(chunk);
	return got;
fail:
	free(chunk);
	return -1;
}

static int
cmp_names(const void *x, const void *y)
{
	const struct package_entry *a = *(const struct package_entry *const *)x;
	const struct package_entry *b = *(const struct package_entry *const *)y;

	return strcmp(a->name, b->name);
}

/* Sorting a list of pointers finds duplicates in n log n, in any number. */
static int
check_duplicates(struct package_priv *p, enum package_fault *fault,
    struct sae_err *err)
{
	struct package *pkg = &p->pub;
	const struct package_entry **v;
	struct shown sh;
	size_t i;

	v = sae_xreallocarray(NULL, pkg->nentries ? pkg->nentries : 1,
	    sizeof(*v));
	for (i = 0; i < pkg->nentries; i++)
		v[i] = &pkg->entries[i];
	qsort(v, pkg->nentries, sizeof(*v), cmp_names);
	/* Kept: package_find looks names up in it. */
	p->byname = v;
	for (i = 1; i < pkg->nentries; i++)
		if (strcmp(v[i - 1]->name, v[i]->name) == 0) {
			*fault = PACKAGE_DUPLICATE;
			return sae_err_set(err, SAE_EINVAL, "Le fichier '%s' "
			    "figure plusieurs fois dans le paquet.",
			    show(&sh, v[i]->name));
		}
	return 0;
}

static int
open_fd(const char *path, uint64_t *size, struct sae_err *err)
{
	struct stat st;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		sae_err_sys(err, errno == ENOENT ? SAE_ENOTFOUND : SAE_EIO,
		    "cannot open the package '%s'", path);
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		sae_err_sys(err, SAE_EIO, "the package '%s' is not a regular "
		    "file", path);
		close(fd);
		return -1;
	}
	*size = (uint64_t)st.st_size;
	return fd;
}

static int	stream_entry(struct package_priv *, struct archive *,
		    const struct package_entry *, char *, uint64_t *,
		    package_each_cb *, void *, enum package_fault *,
		    struct sae_err *);

/* One header of pass 1: what it is, whether it is allowed, where it goes. */
static int
pass1_entry(struct package_priv *p, struct archive *a, struct archive_entry *e,
    int index, int *manifests, size_t *cap, enum package_fault *fault,
    struct sae_err *err)
{
	struct package *pkg = &p->pub;
	struct package_entry *pe;
	const char *name = entry_name(e), *why;
	struct shown sh;
	mode_t type = archive_entry_filetype(e);
	uint64_t size;
	int64_t got;
	int known;

	if (type == AE_IFDIR) {
		/* Never used as a path, but a bad one betrays a bad tool. */
		size_t n = strlen(name);
		char *d;

		while (n > 0 && name[n - 1] == '/')
			n--;
		if (n == 0 || (n == 1 && name[0] == '.'))
			return 0;
		d = sae_xstrndup(name, n);
		why = name_problem(d);
		free(d);
		if (why != NULL) {
			*fault = PACKAGE_BAD_NAME;
			return sae_err_set(err, SAE_EINVAL, "Le dossier "
			    "'%s' %s.", show(&sh, name), why);
		}
		return 0;
	}
	if ((why = name_problem(name)) != NULL) {
		*fault = PACKAGE_BAD_NAME;
		return sae_err_set(err, SAE_EINVAL, "Le fichier '%s' %s.",
		    show(&sh, name), why);
	}
	if (archive_entry_hardlink(e) != NULL || type == AE_IFLNK) {
		*fault = PACKAGE_LINK;
		return sae_err_set(err, SAE_EINVAL, "Le fichier '%s' est un "
		    "lien : un paquet ne peut contenir que des fichiers.",
		    show(&sh, name));
	}
	/* Some zip tools leave the type out: such entries are plain files. */
	if (type != AE_IFREG && type != 0) {
		*fault = PACKAGE_LINK;
		return sae_err_set(err, SAE_EINVAL, "Le fichier '%s' est un "
		    "périphérique, un tube ou une socket : un paquet ne peut "
		    "contenir que des fichiers.", show(&sh, name));
	}
	if (archive_entry_is_encrypted(e)) {
		*fault = PACKAGE_UNREADABLE;
		return sae_err_set(err, SAE_EINVAL, "Le fichier '%s' est "
		    "chiffré et ne peut être lu.", show(&sh, name));
	}
	known = archive_entry_size_is_set(e) && archive_entry_size(e) >= 0;
	size = known ? (uint64_t)archive_entry_size(e) : 0;
	if (count_expanded(p, &p->expanded, size, fault, err) == -1)
		return -1;

	if (strcmp(name, MANIFEST_NAME) == 0) {
		if (++*manifests > 1) {
			*fault = PACKAGE_TWO_MANIFESTS;
			return sae_err_set(err, SAE_EINVAL, "Le paquet contient "
			    "plusieurs '%s' à sa racine.", MANIFEST_NAME);
		}
		if (size > p->lim.max_manifest) {
			*fault = PACKAGE_MANIFEST_BIG;
			return sae_err_set(err, SAE_ELIMIT, "Le manifeste "
			    "'%s' dépasse la taille autorisée (%llu octets).",
			    MANIFEST_NAME,
			    (unsigned long long)p->lim.max_manifest);
		}
		/* Declared bytes were counted above: count only the rest. */
		p->expanded -= size;
		if (read_counted(p, a, MANIFEST_NAME, &pkg->manifest, fault,
		    err) == -1)
			return -1;
		/* Single pass: the caller may want to know what follows. */
		if (p->cb != NULL && p->cb(p->arg, NULL, pkg->manifest.data,
		    pkg->manifest.len, err) == -1)
			return -1;
		return 0;
	}

	if (pkg->nentries == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		pkg->entries = sae_xreallocarray(pkg->entries, *cap,
		    sizeof(*pkg->entries));
	}
	pe = &pkg->entries[pkg->nentries++];
	pe->name = sae_xstrdup(name);
	pe->index = index;
	pe->size = size;
	if (p->cb != NULL) {
		/* Single pass: the bytes go to the caller now, counted as
		 * they are read (more than a header declares is refused). */
		uint64_t before;

		p->expanded -= size;
		before = p->expanded;
		if (!known)
			pe->size = UINT64_MAX;
		if (stream_entry(p, a, pe, p->chunk, &p->expanded, p->cb,
		    p->arg, fault, err) == -1)
			return -1;
		pe->size = p->expanded - before;
		return 0;
	}
	if (!known) {
		/* Nothing to trust before the bytes: count them now. */
		if ((got = read_counted(p, a, name, NULL, fault, err)) == -1)
			return -1;
		pe->size = (uint64_t)got;
		return 0;
	}
	if (archive_read_data_skip(a) < ARCHIVE_WARN) {
		*fault = PACKAGE_UNREADABLE;
		return sae_err_set(err, SAE_EINVAL, "Le fichier '%s' est "
		    "illisible : %s.", show(&sh, name), la_msg(a));
	}
	return 0;
}

static struct package_priv *
priv_new(const struct package_limits *limits)
{
	struct package_priv *p = sae_xcalloc(1, sizeof(*p));

	sae_buf_init(&p->pub.manifest);
	if (limits != NULL)
		p->lim = *limits;
	if (p->lim.max_entries == 0)
		p->lim.max_entries = 100000;
	if (p->lim.max_expanded == 0)
		p->lim.max_expanded = (uint64_t)64 << 30;
	if (p->lim.max_ratio == 0)
		p->lim.max_ratio = 200;
	if (p->lim.max_manifest == 0)
		p->lim.max_manifest = (uint64_t)64 << 20;
	return p;
}

/* Pass 1 (or the single pass): every header, then the whole-package checks. */
static int
read_all(struct package_priv *p, int fd, enum package_fault *fault,
    struct sae_err *err)
{
	struct archive *a;
	struct archive_entry *e;
	size_t cap = 0;
	int r, index = 0, manifests = 0, ret = -1;
	uint64_t headers = 0;

	if ((a = reader_new()) == NULL)
		return sae_err_set(err, SAE_ENOMEM, "cannot set up the archive "
		    "reader");
	if (archive_read_open_fd(a, fd, BLOCK) != ARCHIVE_OK) {
		*fault = PACKAGE_UNREADABLE;
		sae_err_set(err, SAE_EINVAL, "Le paquet n'est pas une "
		    "archive lisible (zip, tar, tar.gz, tar.zst...) : %s.",
		    la_msg(a));
		goto out;
	}
	for (;; index++) {
		r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			*fault = PACKAGE_UNREADABLE;
			sae_err_set(err, SAE_EINVAL, "Le paquet est illisible "
			    "après ses %llu premiers fichiers : %s.",
			    (unsigned long long)headers, la_msg(a));
			goto out;
		}
		if (++headers > p->lim.max_entries || index == INT_MAX) {
			*fault = PACKAGE_TOO_MANY;
			sae_err_set(err, SAE_ELIMIT, "Le paquet contient trop "
			    "de fichiers (plus de %llu).",
			    (unsigned long long)p->lim.max_entries);
			goto out;
		}
		if (pass1_entry(p, a, e, index, &manifests, &cap, fault,
		    err) == -1)
			goto out;
	}
	if (manifests == 0) {
		*fault = PACKAGE_NO_MANIFEST;
		sae_err_set(err, SAE_EINVAL, "Le paquet n'a pas de fichier "
		    "'%s' à sa racine.", MANIFEST_NAME);
		goto out;
	}
	if (check_duplicates(p, fault, err) == -1)
		goto out;
	p->pub.format = format_name(a);
	ret = 0;
out:
	archive_read_free(a);
	return ret;
}

int
package_open(struct package **out, enum package_fault *fault,
    const char *path, const struct package_limits *limits,
    struct sae_err *err)
{
	struct package_priv *p;
	int fd;

	*out = NULL;
	*fault = PACKAGE_OK;
	p = priv_new(limits);
	p->pub.path = sae_xstrdup(path);
	if ((fd = open_fd(path, &p->pub.package_size, err)) == -1 ||
	    read_all(p, fd, fault, err) == -1) {
		if (fd != -1)
			close(fd);
		package_free(&p->pub);
		return -1;
	}
	close(fd);
	*out = &p->pub;
	return 0;
}

int
package_stream(struct package **out, enum package_fault *fault, int fd,
    uint64_t size, const struct package_limits *limits, package_each_cb *cb,
    void *arg, struct sae_err *err)
{
	struct package_priv *p;
	int rc;

	*out = NULL;
	*fault = PACKAGE_OK;
	p = priv_new(limits);
	p->pub.package_size = size;
	p->cb = cb;
	p->arg = arg;
	p->chunk = sae_xmalloc(BLOCK);
	rc = read_all(p, fd, fault, err);
	free(p->chunk);
	p->chunk = NULL;
	p->cb = NULL;
	if (rc == -1) {
		package_free(&p->pub);
		return -1;
	}
	*out = &p->pub;
	return 0;
}

void
package_free(struct package *pkg)
{
	size_t i;

	if (pkg == NULL)
		return;
	for (i = 0; i < pkg->nentries; i++)
		free(pkg->entries[i].name);
	free(pkg->entries);
	free(pkg->path);
	free(pkg->format);
	sae_buf_done(&pkg->manifest);
	/* pkg is the first member of the private struct it was made as. */
	free(((struct package_priv *)pkg)->byname);
	free((struct package_priv *)pkg);
}

/* Streams the current entry to the callback, counting real bytes. */
static int
stream_entry(struct package_priv *p, struct archive *a,
    const struct package_entry *pe, char *chunk, uint64_t *total,
    package_each_cb *cb, void *arg, enum package_fault *fault,
    struct sae_err *err)
{
	struct shown sh;
	uint64_t got = 0;
	la_ssize_t n;

	while ((n = archive_read_data(a, chunk, BLOCK)) > 0) {
		/*
		 * A header may lie about the size; the declared sizes were
		 * checked against the limits, so more bytes than declared are
		 * refused before the callback sees them.
		 */
		got += (uint64_t)n;
		if (got > pe->size) {
			*fault = PACKAGE_TOO_BIG;
			return sae_err_set(err, SAE_ELIMIT, "Le fichier '%s' "
			    "se décompresse au-delà des %llu octets que son "
			    "en-tête déclare.", show(&sh, pe->name),
			    (unsigned long long)pe->size);
		}
		if (count_expanded(p, total, (uint64_t)n, fault, err) == -1)
			return -1;
		if (cb(arg, pe, chunk, (size_t)n, err) == -1)
			return -1;
	}
	if (n < 0) {
		*fault = PACKAGE_UNREADABLE;
		return sae_err_set(err, SAE_EINVAL, "Le fichier '%s' est "
		    "illisible : %s.", show(&sh, pe->name), la_msg(a));
	}
	if (pe->size != UINT64_MAX && got != pe->size) {
		*fault = PACKAGE_UNREADABLE;
		return sae_err_set(err, SAE_EINVAL, "Le fichier '%s' fait "
		    "%llu octets alors que son en-tête en déclare %llu.",
		    show(&sh, pe->name), (unsigned long long)got,
		    (unsigned long long)pe->size);
	}
	return cb(arg, pe, NULL, 0, err);
}

int
package_each(struct package *pkg, const unsigned char *want,
    package_each_cb *cb, void *arg, struct sae_err *err)
{
	struct package_priv *p = (struct package_priv *)pkg;
	enum package_fault fault;
	struct archive *a = NULL;
	struct archive_entry *e;
	struct shown sh;
	uint64_t size, total = 0;
	char *chunk = NULL;
	size_t j = 0;
	int fd, r, index, ret = -1;

	if (pkg->path == NULL)
		return sae_err_set(err, SAE_EINTERNAL, "a package read in one "
		    "pass cannot be read again");
	if ((fd = open_fd(pkg->path, &size, err)) == -1)
		return -1;
	if (size != pkg->package_size) {
		sae_err_set(err, SAE_EINTERNAL, "the package '%s' changed "
		    "between its two readings", pkg->path);
		goto out;
	}
	if ((a = reader_new()) == NULL) {
		sae_err_set(err, SAE_ENOMEM, "cannot set up the archive "
		    "reader");
		goto out;
	}
	if (archive_read_open_fd(a, fd, BLOCK) != ARCHIVE_OK) {
		sae_err_set(err, SAE_EINVAL, "Le paquet est illisible "
		    "à la seconde lecture : %s.", la_msg(a));
		goto out;
	}
	chunk = sae_xmalloc(BLOCK);
	for (index = 0; j < pkg->nentries; index++) {
		const struct package_entry *pe = &pkg->entries[j];

		if ((r = archive_read_next_header(a, &e)) < ARCHIVE_WARN ||
		    r == ARCHIVE_EOF) {
			sae_err_set(err, SAE_EINVAL, "Le paquet est illisible "
			    "à la seconde lecture : %s.", r == ARCHIVE_EOF ?
			    "il s'arrête trop tôt" : la_msg(a));
			goto out;
		}
		if (index != pe->index)
			continue;
		j++;
		if (strcmp(entry_name(e), pe->name) != 0) {
			sae_err_set(err, SAE_EINTERNAL, "the entry '%s' was "
			    "not found again in the package",
			    show(&sh, pe->name));
			goto out;
		}
		if (want != NULL && want[j - 1] == 0)
			continue;
		if (stream_entry(p, a, pe, chunk, &total, cb, arg, &fault,
		    err) == -1)
			goto out;
	}
	ret = 0;
out:
	free(chunk);
	if (a != NULL)
		archive_read_free(a);
	close(fd);
	return ret;
}

static int
cmp_key(const void *key, const void *elem)
{
	return strcmp(key, (*(const struct package_entry *const *)elem)->name);
}

const struct package_entry *
package_find(const struct package *pkg, const char *name)
{
	const struct package_priv *p = (const struct package_priv *)pkg;
	const struct package_entry *const *hit;

	if (p->byname == NULL)
		return NULL;
	hit = bsearch(name, p->byname, pkg->nentries, sizeof(*p->byname),
	    cmp_key);
	return hit != NULL ? *hit : NULL;
}
