/*
 * disposal_internal.h: what disposal.c lends disposal_exec.c, and what
 * both lend transfers out (transfer_out.c): units leaving the archive.
 */
#ifndef SAE_DISPOSAL_INTERNAL_H
#define SAE_DISPOSAL_INTERNAL_H

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>

#include "sae/err.h"

struct store;

/**
 * disposal_line_ids(db, list, where, ids, n, err): the unit ids of list
 * ${list}'s lines matching ${where} ("" or "AND l.outcome = ..."), in
 * unit order; free with disposal_ids_free.
 */
int	disposal_line_ids(sqlite3 *, long long, const char *, char ***,
	    size_t *, struct sae_err *);
void	disposal_ids_free(char **, size_t);

/**
 * disposal_unit_leave(db, unit, uid, disposal, outgoing, visa, state,
 * objs, err): inside the caller's transaction, unit ${unit} leaves: its
 * tombstone (of disposal list or outgoing transfer ${disposal} or
 * ${outgoing}, the other 0), state ${state} ("destroyed", "transferred"),
 * and its copies marked doomed unless an alive unit shares the content;
 * ${objs} (a JSON array) gets its objects with "detached".
 */
int	disposal_unit_leave(sqlite3 *, long long, const char *, long long,
	    long long, const char *, const char *, json_t *,
	    struct sae_err *);

/**
 * disposal_delete_doomed(db, st, disposal, agent, err): deletes the
 * doomed copies (of one list, or all when ${disposal} is 0), each under
 * the store's exclusive lock, sparing a content an alive unit references
 * again; file first, rows after; journaled per copy.
 */
int	disposal_delete_doomed(sqlite3 *, struct store *, long long,
	    const char *, struct sae_err *);

#endif
