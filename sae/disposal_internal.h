/*
 * disposal_internal.h: what disposal.c lends disposal_exec.c.
 */
#ifndef SAE_DISPOSAL_INTERNAL_H
#define SAE_DISPOSAL_INTERNAL_H

#include <sqlite3.h>
#include <stddef.h>

#include "sae/err.h"

/**
 * disposal_line_ids(db, list, where, ids, n, err): the unit ids of list
 * ${list}'s lines matching ${where} ("" or "AND l.outcome = ..."), in
 * unit order; free with disposal_ids_free.
 */
int	disposal_line_ids(sqlite3 *, long long, const char *, char ***,
	    size_t *, struct sae_err *);
void	disposal_ids_free(char **, size_t);

#endif
