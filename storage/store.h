/*
 * store.h: the object store.  Objects are named by the SHA-256 of their
 * original bytes and kept on one or more storage offers (local
 * directories), each either sovereign or not.  An object is written once,
 * compressed with zstd when that pays, made durable (temp file, fsync,
 * rename, fsync of the directory) and never modified in place; reading
 * gives back the original bytes and checks their digest as it goes.
 *
 * Layout of an offer: ROOT/objects/ab/<64 hex>      (raw bytes)
 *                     ROOT/objects/ab/<64 hex>.zst  (one zstd frame)
 *                     ROOT/tmp/                     (writes in progress)
 */
#ifndef STORAGE_STORE_H
#define STORAGE_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sae/err.h"
#include "storage/digest.h"

struct store;
struct store_writer;
struct store_reader;

struct store_offer_conf {
	const char	*name;		/* [a-z0-9_-]+ */
	const char	*path;		/* directory; created if missing */
	int		 sovereign;	/* 1: public body's own local storage */
};

enum store_encoding {
	STORE_RAW = 0,
	STORE_ZSTD
};

struct store_stat {
	enum store_encoding	encoding;
	uint64_t		stored_size;	/* bytes on disk */
};

/**
 * store_open(out, offers, n, err): opens (creating directories as needed)
 * the ${n} offers and removes stale temp files left by a crash.
 */
int	store_open(struct store **, const struct store_offer_conf *, size_t,
	    struct sae_err *);
/**
 * store_open_shared(out, offers, n, err): store_open for a second process
 * beside the daemon (sae-admin): temp files are left alone, since they may
 * be the daemon's writes in progress.
 */
int	store_open_shared(struct store **, const struct store_offer_conf *,
	    size_t, struct sae_err *);
void	store_free(struct store *);

/*
 * Contents are shared (the same bytes stored once for every object that
 * has them), so deleting one must not race with a new reference to it:
 * writers that add references hold the lock shared from writing the bytes
 * until the catalog commit that references them; a deleter holds it
 * exclusive while it checks that nothing references the content and
 * deletes it.  Within one process.
 */
void	store_lock_shared(struct store *);
void	store_lock_exclusive(struct store *);
void	store_unlock(struct store *);

/** store_offer_sovereign(st, offer): 1, 0, or -1 if no such offer. */
int	store_offer_sovereign(const struct store *, const char *);

/**
 * store_writer_new(out, st, offers, noffers, mask, err): starts a new
 * object in the temp directory of each of the ${noffers} offers named in
 * ${offers}; every copy gets the same bytes and the same encoding.
 * SHA-256 and SHA-512 are always computed; ${mask} (DIGEST_MASK bits) adds
 * more, for checking declared digests.  Memory use is bounded whatever the
 * object's size (at most 4 MiB of buffers).  An object larger than 1 MiB
 * is hashed on a thread of the writer's own, joined by _finish or _free;
 * a smaller one never starts a thread.  SAE_EINVAL if ${noffers} is 0, an
 * offer is unknown or listed twice.  A writer is used by one thread at a
 * time.
 */
int	store_writer_new(struct store_writer **, struct store *,
	    const char *const *, size_t, unsigned, struct sae_err *);
/**
 * store_writer_write(w, p, n, err): adds ${n} bytes to the object.  They
 * are copied: ${p} may be reused on return.  After a failure the writer
 * only accepts _free.
 */
int	store_writer_write(struct store_writer *, const void *, size_t,
	    struct sae_err *);
/**
 * store_writer_finish(w, digests, size, err): ends the stream, fsyncs every
 * temp file and gives the digests and the original size.  The object is
 * not visible until store_writer_commit.
 */
int	store_writer_finish(struct store_writer *, struct digest_result *,
	    uint64_t *, struct sae_err *);
/**
 * store_writer_commit(w, err): on each offer in turn, renames the temp
 * file to its final name and fsyncs the directory; where the object
 * already exists, it is kept and the temp file dropped.  On failure some
 * offers may hold the object and others not; _free drops what is left.
 */
int	store_writer_commit(struct store_writer *, struct sae_err *);
/**
 * store_writer_free(w): NULL-safe; waits for the hashing thread, if any,
 * and removes every temp file not committed.
 */
void	store_writer_free(struct store_writer *);

/**
 * store_copy(st, from, to, sha256, err): makes the object durable on offer
 * ${to} from the copy on ${from}, verifying the digest of what it wrote.
 */
int	store_copy(struct store *, const char *, const char *,
	    const unsigned char[32], struct sae_err *);

/**
 * store_stat(st, offer, sha256, out, err): 0 and ${out} filled if the
 * object is on ${offer}; -1 with SAE_ENOTFOUND if not.
 */
int	store_stat(struct store *, const char *, const unsigned char[32],
	    struct store_stat *, struct sae_err *);

/**
 * store_reader_open(out, st, offer, sha256, err): opens the copy on
 * ${offer} for reading its original bytes.
 */
int	store_reader_open(struct store_reader **, struct store *, const char *,
	    const unsigned char[32], struct sae_err *);
/**
 * store_reader_read(r, buf, len, err): reads up to ${len} original bytes;
 * returns the count, 0 at the end, -1 on error.  At the end the SHA-256 of
 * everything read is compared with the name: a mismatch returns -1 with
 * SAE_ECORRUPT, so a caller that streams must not trust what it sent
 * unless the final call returned 0.
 */
ssize_t	store_reader_read(struct store_reader *, void *, size_t,
	    struct sae_err *);
void	store_reader_free(struct store_reader *);

/**
 * store_verify(st, offer, sha256, digests, err): reads the whole copy and
 * checks it against its name; fills ${digests} (may be NULL) with the
 * SHA-256 and SHA-512 of the original bytes.  SAE_ECORRUPT on mismatch,
 * SAE_ENOTFOUND when missing.
 */
int	store_verify(struct store *, const char *, const unsigned char[32],
	    struct digest_result *, struct sae_err *);

/**
 * store_delete(st, offer, sha256, err): removes the copy and fsyncs the
 * directory; then checks it is gone.  Deleting a missing copy succeeds.
 */
int	store_delete(struct store *, const char *, const unsigned char[32],
	    struct sae_err *);

#endif
