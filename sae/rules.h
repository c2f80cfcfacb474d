/*
 * rules.h: the DUA table in the catalog: importing a new version from CSV
 * (journaled, refused if it would drop a rule that archived units use),
 * loading the current version for checks, and listing it as JSON.
 */
#ifndef SAE_RULES_H
#define SAE_RULES_H

#include <sqlite3.h>
#include <stddef.h>

#include "policies/dua.h"
#include "sae/buf.h"
#include "sae/err.h"

/**
 * rules_import(db, csv, len, source, agent, version, err): replaces the
 * current table with ${csv} as a new version (its number in *version).
 * Refuses, changing nothing, a malformed file (the reader's "file:line:
 * reason") or one that drops or retypes a rule an archived unit uses.
 */
int	rules_import(sqlite3 *, const char *, size_t, const char *,
	    const char *, long long *, struct sae_err *);

/** rules_load(db, out, err): the current table (caller frees with dua_table_free). */
int	rules_load(sqlite3 *, struct dua_table **, struct sae_err *);

/** rules_json(db, out, err): {"version": N, "rules": [...]} of the current table. */
int	rules_json(sqlite3 *, struct sae_buf *, struct sae_err *);

#endif
