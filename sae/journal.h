/*
 * journal.h: the tamper-evident journal.  Append-only rows in the catalog,
 * each with the SHA-256 of its canonical form, which includes the hash of
 * the row before it: editing, deleting, inserting or reordering a row
 * breaks the chain.  Entries hold identifiers and digests, never document
 * content.  This is data, not logging.
 */
#ifndef SAE_JOURNAL_H
#define SAE_JOURNAL_H

#include <sqlite3.h>
#include <stdio.h>

#include "sae/buf.h"
#include "sae/err.h"

#define JOURNAL_GENESIS \
	"0000000000000000000000000000000000000000000000000000000000000000"

struct journal_entry {
	const char	*type;		/* INGEST, UNIT_INGEST, RULES_IMPORT, TOKEN_CREATE... */
	const char	*outcome;	/* OK, WARNING, KO, FATAL */
	const char	*agent;		/* token name, or "system" */
	const char	*transfer;	/* ids, or NULL */
	const char	*unit;
	const char	*object;
	const char	*message;	/* one sentence for a person */
	const char	*detail;	/* a JSON object as text, or NULL for {} */
};

/**
 * journal_append(db, e, seq, err): appends ${e}; must run inside a write
 * transaction (catalog_begin) so that the chain is read and extended
 * atomically with the change it records.  *seq (may be NULL) gets its
 * sequence number.
 */
int	journal_append(sqlite3 *, const struct journal_entry *, long long *,
	    struct sae_err *);

/*
 * Many entries in one transaction (an ingest's units, a recomputation's
 * changes of age): the chain's head is read and the insert prepared once.
 * Nothing else may append to the journal between begin and end: they run
 * inside the caller's write transaction, which guarantees it.  After a
 * failed add the batch is ahead of the table: the caller rolls back.
 */
struct journal_batch;

int	journal_batch_begin(struct journal_batch **, sqlite3 *,
	    struct sae_err *);
int	journal_batch_add(struct journal_batch *, const struct journal_entry *,
	    long long *, struct sae_err *);
void	journal_batch_end(struct journal_batch *);

/**
 * journal_batch_add_direct(b, e, seq, err): journal_batch_add for an entry
 * whose detail the caller wrote in canonical form itself (compact, keys in
 * byte order, each once, strings and nulls as journal_json_string writes
 * them): the hashed bytes are then written directly, without parsing the
 * detail and dumping the entry again.  They are the bytes of
 * journal_canonical: any verifier finds the same hash.
 */
int	journal_batch_add_direct(struct journal_batch *,
	    const struct journal_entry *, long long *, struct sae_err *);

/*
 * The two halves of journal_batch_add, for a caller that computes entries
 * on one thread and writes them on the connection's: prepare makes the
 * entry's canonical form and hash and moves the chain on, write inserts
 * the row.  Entries are written in the order they were prepared, each
 * once; one thread prepares, one writes (each half keeps its own state),
 * and ${e}'s strings live until the write.  ${direct}: as
 * journal_batch_add_direct.  A failed write leaves the chain ahead of the
 * table: the caller rolls back.
 */
struct journal_prepared {
	long long	seq;
	char		ts[32];
	char		prev[65];
	char		hash[65];
};

int	journal_batch_prepare(struct journal_batch *,
	    const struct journal_entry *, int, struct journal_prepared *,
	    struct sae_err *);
int	journal_batch_write(struct journal_batch *,
	    const struct journal_entry *, const struct journal_prepared *,
	    struct sae_err *);

/**
 * journal_json_string(out, s): appends ${s} as a JSON string exactly as
 * the canonical form writes it (UTF-8 as it is; only '"', '\\' and
 * control characters escaped, as jansson does), or null when ${s} is NULL.
 * Returns -1, appending nothing, when ${s} is not valid UTF-8.
 */
int	journal_json_string(struct sae_buf *, const char *);

/**
 * journal_commit(db, type, agent, detail, err, fmt, ...): appends an OK
 * entry of ${type} whose message is formatted from ${fmt}, then commits the
 * open transaction: the usual end of a change made by a person.
 */
int	journal_commit(sqlite3 *, const char *, const char *, const char *,
	    struct sae_err *, const char *, ...)
	    __attribute__((format(printf, 6, 7)));

/** journal_commit_unit(...): journal_commit for a change about one unit. */
int	journal_commit_unit(sqlite3 *, const char *, const char *, const char *,
	    const char *, struct sae_err *, const char *, ...)
	    __attribute__((format(printf, 7, 8)));

/**
 * journal_canonical(out, seq, ts, e, prev): the exact bytes that are
 * hashed for an entry: compact JSON, sorted keys, UTF-8.  Verifiers
 * outside the daemon rebuild and hash the same bytes.
 */
int	journal_canonical(struct sae_buf *, long long, const char *,
	    const struct journal_entry *, const char *, struct sae_err *);

/**
 * journal_canonical_direct(out, seq, ts, e, prev, err): the same bytes as
 * journal_canonical for an entry whose detail is in canonical form (see
 * journal_batch_add_direct), written without jansson; falls back to
 * journal_canonical for what it cannot write itself (invalid UTF-8, a
 * missing mandatory field).
 */
int	journal_canonical_direct(struct sae_buf *, long long, const char *,
	    const struct journal_entry *, const char *, struct sae_err *);

/* The columns journal_row_read reads, in this order. */
#define JOURNAL_COLUMNS "seq, ts, type, outcome, agent, transfer, unit, " \
	"object, message, detail, prev, hash"

struct journal_row {
	long long		 seq;
	const char		*ts;
	const char		*prev;
	const char		*hash;
	struct journal_entry	 e;
};

/**
 * journal_row_read(st, row): a row of "SELECT " JOURNAL_COLUMNS " FROM
 * journal ..." (strings borrowed until the next step).
 */
void	journal_row_read(sqlite3_stmt *, struct journal_row *);

/**
 * journal_export(db, out, n, err): writes every entry, in order, as its
 * canonical form (the bytes its hash covers) on a line of its own, and
 * *n the number of entries.  Reads in the caller's transaction.
 */
int	journal_export(sqlite3 *, FILE *, long long *, struct sae_err *);

/**
 * journal_verify(db, bad_seq, err): re-checks the whole chain.  Returns 0
 * when it holds; -1 with *bad_seq set to the first entry that does not
 * (and the reason in ${err}, SAE_ECORRUPT), or *bad_seq = 0 on other
 * errors.
 */
int	journal_verify(sqlite3 *, long long *, struct sae_err *);

#endif
