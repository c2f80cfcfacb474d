/*
 * digest.h: streaming message digests through OpenSSL EVP: SHA-256 and
 * SHA-512 (computed and kept), MD5, SHA-1 and SHA-384 (for checking what a
 * producer declared).  Several at once in one pass over the bytes.
 */
#ifndef STORAGE_DIGEST_H
#define STORAGE_DIGEST_H

#include <stddef.h>

#include "sae/err.h"

enum digest_alg {
	DIGEST_SHA256 = 0,
	DIGEST_SHA512,
	DIGEST_SHA384,
	DIGEST_SHA1,
	DIGEST_MD5,
	DIGEST_NALGS
};

#define DIGEST_MASK(alg)	(1u << (alg))
#define DIGEST_MAX_LEN		64

struct digest_result {
	unsigned	mask;				/* which entries are set */
	unsigned char	value[DIGEST_NALGS][DIGEST_MAX_LEN];
};

struct digest_set;

/**
 * digest_alg_parse(name): the algorithm named ${name} as SEDA producers
 * write it ("SHA-512", "SHA512", "sha-256", "MD5", "SHA-1"...), or -1.
 */
int		 digest_alg_parse(const char *);
/** digest_alg_name(alg): the canonical SEDA name, "SHA-512"... */
const char	*digest_alg_name(enum digest_alg);
/** digest_alg_len(alg): digest length in bytes (16 to 64). */
size_t		 digest_alg_len(enum digest_alg);

/**
 * digest_decode(alg, text, out, err): decodes a declared digest value
 * written in hex or base64, choosing by the length expected for ${alg}
 * (SHA-256: 64 hex or 44 base64 characters).  Surrounding white space is
 * ignored.  Fails (SAE_EINVAL, with a sentence in French: it goes to the
 * producer in the SEDA reply) when the value fits neither.
 * ${out} receives digest_alg_len(alg) bytes.
 */
int	digest_decode(enum digest_alg, const char *, unsigned char *,
	    struct sae_err *);

/** digest_set_new(mask): a hasher for every algorithm in ${mask}. */
struct digest_set *digest_set_new(unsigned);
void	digest_set_update(struct digest_set *, const void *, size_t);
/** digest_set_final(ds, out): finishes every digest into ${out}. */
void	digest_set_final(struct digest_set *, struct digest_result *);
void	digest_set_free(struct digest_set *);

/**
 * digest_set_split(ds, mask): moves the algorithms of ${mask} that ${ds}
 * computes, in their current state, to a new set, so that two threads can
 * feed the same bytes to each part.  The caller owns the result.
 */
struct digest_set *digest_set_split(struct digest_set *, unsigned);
/**
 * digest_set_merge(ds, from): moves every algorithm of ${from} back into
 * ${ds}, which must not compute them already; takes ownership of ${from}
 * (NULL-safe).
 */
void	digest_set_merge(struct digest_set *, struct digest_set *);

/** digest_buf(alg, p, n, out): one-shot digest of a buffer. */
void	digest_buf(enum digest_alg, const void *, size_t, unsigned char *);

#endif
