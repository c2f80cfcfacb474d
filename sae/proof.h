/*
 * proof.h: the proof bundle of one unit, a zip that anyone can check
 * offline, by hand (sha256sum, openssl ts -verify) or with sae-verify:
 * the unit's metadata, its objects' digests (and the objects), its journal
 * entries with their Merkle paths, the seals' tokens, the TSA
 * certificates, and a time-stamped manifest of every file.  The layout is
 * a contract, documented in sae-verify(1) and in the bundle's README.txt.
 */
#ifndef SAE_PROOF_H
#define SAE_PROOF_H

#include <sqlite3.h>
#include <stdint.h>

#include "sae/err.h"
#include "sae/token.h"

struct store;
struct tsa;

struct proof_opts {
	const struct token_info	*who;		/* caller; NULL: sae-admin */
	const char		*agent;		/* who asked, for the journal */
	int			 objects;	/* include the objects' bytes */
};

struct proof_result {
	char		manifest_sha256[65];
	char		sha256[65];		/* of the whole zip */
	uint64_t	size;
	long long	entries;		/* journal entries in it */
	long long	objects;		/* objects listed */
};

/**
 * proof_build(fd, db, store, tsa, unit, opts, res, err): writes the proof
 * bundle of ${unit} as a zip to ${fd}, from its current offset (the fd
 * stays open).  Seals the journal first when an entry about the unit is
 * not sealed yet, and journals the delivery (PROOF) once the bundle is
 * written, so that entry is not in it.  ${store} may be NULL unless
 * opts->objects.  SAE_ENOTFOUND when opts->who may not see the unit;
 * SAE_ECORRUPT when a journal entry or a seal no longer matches its hash,
 * or no copy of an object is intact: the archive does not deliver a
 * bundle it knows does not hold.  On failure what was written to ${fd}
 * is no bundle and must be thrown away.
 */
int	proof_build(int, sqlite3 *, struct store *, struct tsa *, const char *,
	    const struct proof_opts *, struct proof_result *, struct sae_err *);

#endif
