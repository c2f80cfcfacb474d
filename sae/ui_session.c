/*
 * ui_session.c: web interface sessions.  The cookie is 32 random bytes
 * (hex); the catalog keeps only its SHA-256, the token it was opened with,
 * a random CSRF key and its expiry.  Forms carry HMAC-SHA256(key,
 * "sae-ui-csrf"): a page from another site cannot know it.  Touches the
 * ui_session and token tables only.
 */
#include "config.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <string.h>
#include <time.h>

#include "sae/buf.h"
#include "sae/catalog.h"
#include "sae/id.h"
#include "sae/ui_internal.h"

static void
sha256_hex(const char *s, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL);
	sae_hex(out, md, n);
}

static void
csrf_of(const char *key_hex, char out[65])
{
	unsigned char key[32], md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	long klen = sae_unhex(key, sizeof(key), key_hex);

	if (klen <= 0 || HMAC(EVP_sha256(), key, (int)klen,
	    (const unsigned char *)"sae-ui-csrf", 11, md, &n) == NULL) {
		out[0] = '\0';	/* matches nothing: ui_csrf_ok refuses "" */
		return;
	}
	sae_hex(out, md, n);
}

int
ui_session_create(sqlite3 *db, const struct token_info *who, char cookie[65],
    struct sae_err *err)
{
	unsigned char id[32], key[32];
	char hash[65], key_hex[65], now[32], exp[32];
	sqlite3_stmt *st;
	time_t t = time(NULL);
	int rc;

	if (RAND_bytes(id, sizeof(id)) != 1 ||
	    RAND_bytes(key, sizeof(key)) != 1)
		return sae_err_set(err, SAE_EINTERNAL, "no random bytes for a "
		    "session");
	sae_hex(cookie, id, sizeof(id));
	sae_hex(key_hex, key, sizeof(key));
	sha256_hex(cookie, hash);
	sae_time_iso(now, (long long)t);
	sae_time_iso(exp, (long long)t + UI_SESSION_SECONDS);
	/* Expired sessions serve nothing: drop them as new ones come. */
	if ((st = catalog_prepare(db, "DELETE FROM ui_session WHERE expires "
	    "<= ?", err)) == NULL)
		return -1;
	catalog_bind_text(st, 1, now);
	sqlite3_step(st);
	sqlite3_finalize(st);
	if ((st = catalog_prepare(db, "INSERT INTO ui_session (hash, token, "
	    "csrf, created, expires) VALUES (?, ?, ?, ?, ?)", err)) == NULL)
		return -1;
	catalog_bind_text(st, 1, hash);
	sqlite3_bind_int64(st, 2, who->id);
	catalog_bind_text(st, 3, key_hex);
	catalog_bind_text(st, 4, now);
	catalog_bind_text(st, 5, exp);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	OPENSSL_cleanse(key_hex, sizeof(key_hex));
	if (rc != SQLITE_DONE)
		return catalog_fail(err, db, "ui session create");
	return 0;
}

/* A cookie we made: 64 hex digits, nothing else reaches SQLite. */
static int
cookie_shape(const char *c)
{
	size_t i;

	if (c == NULL || strlen(c) != 64)
		return 0;
	for (i = 0; i < 64; i++)
		if (!((c[i] >= '0' && c[i] <= '9') || (c[i] >= 'a' &&
		    c[i] <= 'f')))
			return 0;
	return 1;
}

int
ui_session_find(sqlite3 *db, const char *cookie, struct ui_session *s,
    struct sae_err *err)
{
	char hash[65], now[32];
	sqlite3_stmt *st;
	int rc, role;

	memset(s, 0, sizeof(*s));
	if (!cookie_shape(cookie))
		return sae_err_set(err, SAE_EDENIED, "no session");
	sha256_hex(cookie, hash);
	sae_time_now_iso(now);
	if ((st = catalog_prepare(db, "SELECT t.id, t.name, t.role, t.agency, "
	    "s.csrf FROM ui_session s JOIN token t ON t.id = s.token WHERE "
	    "s.hash = ? AND s.expires > ? AND t.revoked IS NULL", err)) == NULL)
		return -1;
	catalog_bind_text(st, 1, hash);
	catalog_bind_text(st, 2, now);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return catalog_fail(err, db, "ui session");
		return sae_err_set(err, SAE_EDENIED, "unknown or expired "
		    "session");
	}
	s->who.id = sqlite3_column_int64(st, 0);
	snprintf(s->who.name, sizeof(s->who.name), "%s", catalog_text(st, 1));
	role = token_role_parse(catalog_text(st, 2));
	s->who.role = role < 0 ? ROLE_PRODUCER : (enum token_role)role;
	if (catalog_text(st, 3) != NULL)
		snprintf(s->who.agency, sizeof(s->who.agency), "%s",
		    catalog_text(st, 3));
	csrf_of(catalog_text(st, 4), s->csrf);
	sqlite3_finalize(st);
	/* A session opened before a token lost its rights dies with them. */
	if (s->who.role == ROLE_PRODUCER)
		return sae_err_set(err, SAE_EDENIED, "producer session");
	return 0;
}

int
ui_session_end(sqlite3 *db, const char *cookie, struct sae_err *err)
{
	sqlite3_stmt *st;
	char hash[65];
	int rc;

	if (!cookie_shape(cookie))
		return 0;
	sha256_hex(cookie, hash);
	if ((st = catalog_prepare(db, "DELETE FROM ui_session WHERE hash = ?",
	    err)) == NULL)
		return -1;
	catalog_bind_text(st, 1, hash);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : catalog_fail(err, db, "ui session end");
}

int
ui_csrf_ok(const struct ui_session *s, const char *token)
{
	size_t n = strlen(s->csrf);

	return token != NULL && n == 64 && strlen(token) == n &&
	    CRYPTO_memcmp(s->csrf, token, n) == 0;
}
