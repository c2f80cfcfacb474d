/*
 * token.h: API tokens.  A token is "sae_" and 43 base64url characters (256
 * random bits); the catalog keeps only its SHA-256, with a name, a role
 * and an optional agency.  Creating and revoking are journaled.
 */
#ifndef SAE_TOKEN_H
#define SAE_TOKEN_H

#include <sqlite3.h>

#include "sae/buf.h"
#include "sae/err.h"

enum token_role {
	ROLE_PRODUCER = 0,
	ROLE_ARCHIVIST,
	ROLE_AUDITOR,
	ROLE_ADMIN
};

#define ROLE_MASK(r)	(1u << (r))

struct token_info {
	long long	id;
	char		name[128];
	enum token_role	role;
	char		agency[128];	/* "" when the token names none */
};

/** token_role_parse(s): the role named ${s}, or -1. */
int		 token_role_parse(const char *);
const char	*token_role_name(enum token_role);

/**
 * token_create(db, name, role, agency, agent, secret, err): stores a new
 * token and journals it; *secret (caller frees) is the only copy of the
 * token.  SAE_EEXIST if the name is taken.
 */
int	token_create(sqlite3 *, const char *, enum token_role, const char *,
	    const char *, char **, struct sae_err *);

/**
 * token_check(db, secret, out, err): finds the live token ${secret}.
 * SAE_EDENIED when unknown or revoked.
 */
int	token_check(sqlite3 *, const char *, struct token_info *,
	    struct sae_err *);

/** token_revoke(db, name, agent, err): revokes and journals; SAE_ENOTFOUND. */
int	token_revoke(sqlite3 *, const char *, const char *, struct sae_err *);

/** token_list(db, out, err): one line per token: name role agency created revoked. */
int	token_list(sqlite3 *, struct sae_buf *, struct sae_err *);

#endif
