/*
 * catalog.h: the SQLite catalog: opening (creating and migrating the
 * schema), a small pool of connections shared by the daemon's threads,
 * and transaction helpers.  Other files of sae/ run their own statements
 * on a borrowed connection; nothing outside sae/ sees SQLite.
 */
#ifndef SAE_CATALOG_H
#define SAE_CATALOG_H

#include <jansson.h>
#include <sqlite3.h>

#include "sae/err.h"

struct catalog;

/**
 * catalog_open(out, path, created, err): opens the catalog at ${path},
 * creating it (and *created = 1) or migrating it to the current schema.
 * WAL mode, synchronous=FULL (an acknowledged write survives a crash),
 * foreign keys on.
 */
int	catalog_open(struct catalog **, const char *, int *, struct sae_err *);
void	catalog_close(struct catalog *);

/** catalog_get(c, err): borrows a connection; give it back with catalog_put. */
sqlite3	*catalog_get(struct catalog *, struct sae_err *);
void	 catalog_put(struct catalog *, sqlite3 *);

/** catalog_begin(db, err): BEGIN IMMEDIATE (the write lock, waiting for it). */
int	catalog_begin(sqlite3 *, struct sae_err *);
int	catalog_commit(sqlite3 *, struct sae_err *);
/** catalog_rollback(db): rolls back if a transaction is open. */
void	catalog_rollback(sqlite3 *);
int	catalog_exec(sqlite3 *, const char *, struct sae_err *);

/**
 * catalog_prepare(db, sql, err): a prepared statement, or NULL with the
 * SQLite message in ${err}.
 */
sqlite3_stmt *catalog_prepare(sqlite3 *, const char *, struct sae_err *);

/** catalog_fail(err, db, what): SAE_EIO "what: <sqlite message>"; returns -1. */
int	catalog_fail(struct sae_err *, sqlite3 *, const char *);

/** catalog_text(st, col): column text or NULL (borrowed until the next step). */
const char *catalog_text(sqlite3_stmt *, int);

/** catalog_bind_text(st, idx, s): binds ${s} (NULL binds NULL), copied. */
int	catalog_bind_text(sqlite3_stmt *, int, const char *);

/**
 * catalog_run(db, sql, a, b, what, err): runs one statement with ?1 = ${a}
 * and, when ${b} is not NULL, ?2 = ${b}; errors are "what: <message>".
 */
int	catalog_run(sqlite3 *, const char *, long long, const char *,
	    const char *, struct sae_err *);

/**
 * catalog_row_json(st): the current row as a JSON object keyed by column
 * name: integers as numbers, NULL as null, anything else as text.
 */
json_t	*catalog_row_json(sqlite3_stmt *);

#endif
