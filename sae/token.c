/*
 * token.c: creating, checking, listing and revoking API tokens in the
 * catalog.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "sae/catalog.h"
#include "sae/id.h"
#include "sae/journal.h"
#include "sae/token.h"
#include "sae/xmalloc.h"

static const char *const roles[] = {
	[ROLE_PRODUCER] = "producer",
	[ROLE_ARCHIVIST] = "archivist",
	[ROLE_AUDITOR] = "auditor",
	[ROLE_ADMIN] = "admin",
};

int
token_role_parse(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		if (s != NULL && !strcmp(s, roles[i]))
			return (int)i;
	return -1;
}

const char *
token_role_name(enum token_role r)
{
	return roles[r];
}

static void
token_hash(const char *secret, unsigned char md[SHA256_DIGEST_LENGTH])
{
	SHA256((const unsigned char *)secret, strlen(secret), md);
}

static char *
token_new_secret(void)
{
	unsigned char raw[32];
	char b64[48], *p;
	size_t i;

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		abort();
	EVP_EncodeBlock((unsigned char *)b64, raw, sizeof(raw));
	OPENSSL_cleanse(raw, sizeof(raw));
	/* base64url without padding: safe in headers, URLs and shells */
	for (i = 0; b64[i] != '\0'; i++)
		if (b64[i] == '+')
			b64[i] = '-';
		else if (b64[i] == '/')
			b64[i] = '_';
	if ((p = strchr(b64, '=')) != NULL)
		*p = '\0';
	p = sae_xmalloc(4 + strlen(b64) + 1);
	memcpy(p, "sae_", 4);
	memcpy(p + 4, b64, strlen(b64) + 1);
	OPENSSL_cleanse(b64, sizeof(b64));
	return p;
}

static int
valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= 128)
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

int
token_create(sqlite3 *db, const char *name, enum token_role role,
    const char *agency, const char *agent, char **secretp,
    struct sae_err *err)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	sqlite3_stmt *st = NULL;
	char ts[32], detail[64];
	char *secret = NULL;
	int rc;

	*secretp = NULL;
	if (!valid_name(name))
		return sae_err_set(err, SAE_EINVAL, "a token name must have 1 "
		    "to 127 printable characters");
	if (agency != NULL && (*agency == '\0' || !valid_name(agency)))
		return sae_err_set(err, SAE_EINVAL, "an agency identifier must "
		    "have 1 to 127 printable characters");
	secret = token_new_secret();
	token_hash(secret, md);
	sae_time_now_iso(ts);
	if (catalog_begin(db, err) == -1)
		goto fail;
	st = catalog_prepare(db, "INSERT INTO token (name, role, agency, hash,"
	    " created) VALUES (?,?,?,?,?)", err);
	if (st == NULL)
		goto fail;
	catalog_bind_text(st, 1, name);
	catalog_bind_text(st, 2, roles[role]);
	catalog_bind_text(st, 3, agency);
	sqlite3_bind_blob(st, 4, md, sizeof(md), SQLITE_TRANSIENT);
	catalog_bind_text(st, 5, ts);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_CONSTRAINT_UNIQUE) {
		sae_err_set(err, SAE_EEXIST, "a token named '%s' already "
		    "exists", name);
		goto fail;
	}
	if (rc != SQLITE_DONE) {
		catalog_fail(err, db, "token create");
		goto fail;
	}
	/* The journal never holds the secret, nor its hash. */
	if (snprintf(detail, sizeof(detail), "{\"role\":\"%s\"}",
	    roles[role]) >= (int)sizeof(detail))
		goto fail;
	if (journal_commit(db, "TOKEN_CREATE", agent, detail, err, "Création "
	    "du jeton '%s' (rôle %s)", name, roles[role]) == -1)
		goto fail;
	*secretp = secret;
	return 0;
fail:
	catalog_rollback(db);
	if (secret != NULL) {
		OPENSSL_cleanse(secret, strlen(secret));
		free(secret);
	}
	return -1;
}

int
token_check(sqlite3 *db, const char *secret, struct token_info *out,
    struct sae_err *err)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	sqlite3_stmt *st;
	int rc, role;

	token_hash(secret, md);
	st = catalog_prepare(db, "SELECT id, name, role, agency FROM token "
	    "WHERE hash = ? AND revoked IS NULL", err);
	if (st == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, md, sizeof(md), SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return catalog_fail(err, db, "token check");
		return sae_err_set(err, SAE_EDENIED, "unknown or revoked "
		    "token");
	}
	memset(out, 0, sizeof(*out));
	out->id = sqlite3_column_int64(st, 0);
	snprintf(out->name, sizeof(out->name), "%s", catalog_text(st, 1));
	role = token_role_parse(catalog_text(st, 2));
	out->role = role < 0 ? ROLE_PRODUCER : (enum token_role)role;
	if (catalog_text(st, 3) != NULL)
		snprintf(out->agency, sizeof(out->agency), "%s",
		    catalog_text(st, 3));
	sqlite3_finalize(st);
	return 0;
}

int
token_revoke(sqlite3 *db, const char *name, const char *agent,
    struct sae_err *err)
{
	sqlite3_stmt *st;
	char ts[32];
	int rc;

	sae_time_now_iso(ts);
	if (catalog_begin(db, err) == -1)
		return -1;
	st = catalog_prepare(db, "UPDATE token SET revoked = ? WHERE name = ?"
	    " AND revoked IS NULL", err);
	if (st == NULL)
		goto fail;
	catalog_bind_text(st, 1, ts);
	catalog_bind_text(st, 2, name);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		catalog_fail(err, db, "token revoke");
		goto fail;
	}
	if (sqlite3_changes(db) == 0) {
		sae_err_set(err, SAE_ENOTFOUND, "no live token named '%s'",
		    name);
		goto fail;
	}
	if (journal_commit(db, "TOKEN_REVOKE", agent, NULL, err, "Révocation "
	    "du jeton '%s'", name) == -1)
		goto fail;
	return 0;
fail:
	catalog_rollback(db);
	return -1;
}

int
token_list(sqlite3 *db, struct sae_buf *out, struct sae_err *err)
{
	sqlite3_stmt *st;
	int rc;

	st = catalog_prepare(db, "SELECT name, role, coalesce(agency, '-'), "
	    "created, coalesce(revoked, '-') FROM token ORDER BY id", err);
	if (st == NULL)
		return -1;
	sae_buf_printf(out, "%-24s %-10s %-16s %-20s %s\n", "NAME", "ROLE",
	    "AGENCY", "CREATED", "REVOKED");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		sae_buf_printf(out, "%-24s %-10s %-16s %-20s %s\n",
		    catalog_text(st, 0), catalog_text(st, 1),
		    catalog_text(st, 2), catalog_text(st, 3),
		    catalog_text(st, 4));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return catalog_fail(err, db, "token list");
	return 0;
}
