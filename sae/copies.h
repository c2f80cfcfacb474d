/*
 * copies.h: reading an object from one of the copies the catalog records
 * for it, checked whole before a byte is used (downloads, export
 * packages, proof bundles).
 */
#ifndef SAE_COPIES_H
#define SAE_COPIES_H

#include <sqlite3.h>

#include "sae/err.h"

struct store;
struct store_reader;

/**
 * copy_open(db, st, sha256, what, r, offer, err): a reader on the first
 * copy of content ${sha256} (hex) that reads back whole and matches its
 * digest, trying the recorded offers in order; ${offer} (64 bytes) names
 * it.  Each bad copy is logged with ${what} (e.g. "object id=X") for the
 * operator.  SAE_ECORRUPT when no copy is intact, with how many were
 * tried and the last reason.
 */
int	copy_open(sqlite3 *, struct store *, const char *, const char *,
	    struct store_reader **, char[64], struct sae_err *);

#endif
