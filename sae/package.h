/*
 * package.h: reading a submitted package (zip, tar, tar.gz, tar.zst...)
 * with libarchive, streaming, under limits.  Entry names are checked and
 * reported, never turned into file-system paths: entries are read into
 * memory (the manifest, bounded) or streamed to a callback (objects).
 * Messages about a faulty package are for its producer, in French (they
 * go into the SEDA reply).
 */
#ifndef SAE_PACKAGE_H
#define SAE_PACKAGE_H

#include <stddef.h>
#include <stdint.h>

#include "sae/buf.h"
#include "sae/err.h"

struct package_limits {
	uint64_t	max_entries;		/* default 100000 */
	uint64_t	max_expanded;		/* sum of entry sizes; default 64 GiB */
	uint64_t	max_ratio;		/* expanded / package bytes; default 200 */
	uint64_t	max_manifest;		/* manifest.xml bytes; default 64 MiB */
};

struct package_entry {
	char		*name;		/* as stored, normalised: no leading "./" */
	uint64_t	 size;		/* declared by the container; checked when read */
	int		 index;		/* position in the container */
};

struct package {
	char			*path;		/* the spooled package */
	uint64_t		 package_size;
	char			*format;	/* "zip", "tar", "tar.gz"... for the log */
	struct package_entry	*entries;	/* regular files only, manifest excluded */
	size_t			 nentries;
	struct sae_buf		 manifest;	/* contents of the root manifest.xml */
};

/*
 * What a package can be wrong about.  package_open reports the first one;
 * the code tells the caller whether it is the producer's fault (a KO
 * reply) or ours.
 */
enum package_fault {
	PACKAGE_OK = 0,
	PACKAGE_UNREADABLE,	/* not an archive libarchive reads, or truncated */
	PACKAGE_NO_MANIFEST,	/* no manifest.xml at the root */
	PACKAGE_TWO_MANIFESTS,
	PACKAGE_BAD_NAME,	/* absolute, "..", backslash, NUL, empty, non UTF-8 */
	PACKAGE_DUPLICATE,	/* the same name twice */
	PACKAGE_LINK,		/* symlink, hard link, device, fifo */
	PACKAGE_TOO_MANY,	/* more entries than max_entries */
	PACKAGE_TOO_BIG,	/* expanded size over max_expanded */
	PACKAGE_RATIO,		/* expansion ratio over max_ratio (zip bomb) */
	PACKAGE_MANIFEST_BIG	/* manifest over max_manifest */
};

/**
 * package_open(out, fault, path, limits, err): first pass over the spooled
 * package at ${path}: lists the entries, checks names and kinds, reads the
 * manifest.  Directories are ignored.  On a problem with the package
 * itself, returns -1 with *fault set and a sentence naming the entry in
 * ${err} (SAE_EINVAL or SAE_ELIMIT); on a problem of ours, -1 with
 * *fault == PACKAGE_OK.  Sizes are checked against the limits both as
 * declared in headers and as actually read, so a lying header does not
 * help a bomb.  ${limits} may be NULL, and a zero field takes its default.
 */
int	package_open(struct package **, enum package_fault *, const char *,
	    const struct package_limits *, struct sae_err *);
void	package_free(struct package *);

/**
 * package_each_cb: receives the bytes of one entry in chunks; ${data} is
 * NULL and ${len} 0 once at the end of the entry.  Returning -1 stops the
 * walk (the callback fills err).
 */
typedef int package_each_cb(void *, const struct package_entry *,
	    const void *, size_t, struct sae_err *);

/**
 * package_each(pkg, want, cb, arg, err): second pass: streams every entry
 * pkg->entries[i] with want[i] != 0 (an array of pkg->nentries flags; NULL
 * means all) to ${cb}, in container order, without holding an entry in
 * memory.  Enforces max_expanded and max_ratio on the bytes actually
 * decompressed, and refuses (SAE_ELIMIT) an entry that yields more bytes
 * than its header declared before ${cb} sees them; on any error the
 * entries already streamed must be discarded.
 */
int	package_each(struct package *, const unsigned char *,
	    package_each_cb *, void *, struct sae_err *);

/**
 * package_stream(out, fault, fd, size, limits, cb, arg, err): reads a
 * package in one pass from ${fd} (a pipe will do: nothing is seeked), with
 * the same checks and limits as package_open (${size}, the package's
 * length, bounds the expansion ratio), streaming every entry but the
 * manifest to ${cb} as it comes, in container order; the manifest itself
 * is given to ${cb} once, whole, with a NULL entry, as soon as it is read
 * (before the files that follow it).  On success the
 * package lists the entries and holds the manifest; it cannot be given to
 * package_each.  When a callback or a check fails midway, what the
 * callback received must be thrown away.
 */
int	package_stream(struct package **, enum package_fault *, int, uint64_t,
	    const struct package_limits *, package_each_cb *, void *,
	    struct sae_err *);

/** package_find(pkg, name): the entry with exactly that name, or NULL. */
const struct package_entry *package_find(const struct package *,
	    const char *);

#endif
