/*
 * seal.h: seals of the journal.  A seal is a Merkle tree over the hashes
 * of the entries journaled since the previous seal, plus one leaf for the
 * previous seal's token, whose root is time-stamped (RFC 3161).  Sealing
 * proves what the journal held at that time; the chain of seals makes an
 * old token as good as the newest.  The seal itself is journaled.
 */
#ifndef SAE_SEAL_H
#define SAE_SEAL_H

#include <sqlite3.h>
#include <stddef.h>

#include "sae/err.h"

struct tsa;

/**
 * seal_merkle_root(leaves, n, root): the RFC 4998 hash tree root over ${n}
 * 32-byte leaves: each node is SHA-256 of its two children sorted in
 * byte order and concatenated; an odd node goes up unchanged.  n > 0.
 */
void	seal_merkle_root(const unsigned char (*)[32], size_t, unsigned char[32]);

/* The longest path a tree can have: one sibling per level. */
#define SEAL_PATH_MAX	64

/**
 * seal_merkle_path(leaves, n, index, path): the Merkle path of leaf
 * ${index} in the tree of seal_merkle_root: the sibling met at each level,
 * from the leaf up (none where the node is an odd last one), written to
 * ${path} (room for SEAL_PATH_MAX).  Returns their number.  Hashing the
 * leaf with each sibling in turn, the pair sorted in byte order, gives the
 * root.  index < n.
 */
size_t	seal_merkle_path(const unsigned char (*)[32], size_t, size_t,
	    unsigned char (*)[32]);

/**
 * seal_leaves(db, seal, leaves, n, err): the leaves of seal ${seal} (the
 * hashes of its entries first..last in order, then the SHA-256 of the
 * previous seal's token when seal > 1) in *leaves (caller frees), after
 * checking that they still give its root: SAE_ECORRUPT if not,
 * SAE_ENOTFOUND if there is no such seal.  Leaf i is entry first + i.
 */
int	seal_leaves(sqlite3 *, long long, unsigned char (**)[32], size_t *,
	    struct sae_err *);

/**
 * seal_now(db, tsa, agent, sealed, err): seals the entries journaled since
 * the last seal, if any (*sealed = their number, 0 when there was nothing
 * to seal), and journals the seal (SEAL), in one transaction.
 */
int	seal_now(sqlite3 *, struct tsa *, const char *, long long *,
	    struct sae_err *);

/**
 * seal_verify(db, ca_pem, bad, unsealed, err): re-checks every seal: the
 * ranges follow each other, each root is recomputed from the entries and
 * the previous token, each token is valid for its root under the TSA
 * certificate(s) ${ca_pem} at its own genTime.  A token whose certificate
 * has expired since holds only if the next seal (which covers it, and
 * through the chain is covered by every later one) was made while it
 * still held; the last token must hold now.  Returns 0 when all hold
 * (*unsealed = entries after the last seal); -1 with *bad = the first
 * seal that does not hold (SAE_ECORRUPT, the reason in ${err}: a lapsed
 * renewal, or a last token whose certificate expired, are named as such),
 * or *bad = 0 on other errors.
 */
int	seal_verify(sqlite3 *, const char *, long long *, long long *,
	    struct sae_err *);

/**
 * seal_tsa_upkeep(db, tsa, renew_days, created, agent, err): at start and
 * daily.  Journals the TSA certificate (TSA_CERT_CHANGE) when the journal
 * has not recorded it yet (catalog meta 'tsa_cert'): at the first start
 * (${created}: the TSA was just made; old = null), for a TSA older than
 * this record, or after a change the journal missed.  When the
 * certificate expires within ${renew_days} days, renews it (tsa_renew, same
 * CA) and journals the change.  After a change, seals at once: the new
 * certificate's token covers the chain of every older seal (RFC 4998
 * time-stamp renewal); a first record needs no seal of its own (the
 * next seal covers it).  Logs the renewal, and a warning when the CA
 * itself expires within ${renew_days} days (the CA is never renewed
 * here) or blocks the renewal.
 */
int	seal_tsa_upkeep(sqlite3 *, struct tsa *, int, int, const char *,
	    struct sae_err *);

#endif
