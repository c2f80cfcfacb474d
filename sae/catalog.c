/*
 * catalog.c: opening the SQLite catalog, its schema, the connection pool
 * and transaction helpers.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sae/catalog.h"
#include "sae/catalog_schema.h"
#include "sae/xmalloc.h"

#define POOL_MAX	32

struct catalog {
	char		*path;
	pthread_mutex_t	 lock;
	sqlite3		*idle[POOL_MAX];
	size_t		 nidle;
};

int
catalog_fail(struct sae_err *err, sqlite3 *db, const char *what)
{
	return sae_err_set(err, SAE_EIO, "%s: %s", what,
	    db != NULL ? sqlite3_errmsg(db) : "cannot open the catalog");
}

int
catalog_exec(sqlite3 *db, const char *sql, struct sae_err *err)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		sae_err_set(err, SAE_EIO, "catalog: %s", msg ? msg : "error");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

sqlite3_stmt *
catalog_prepare(sqlite3 *db, const char *sql, struct sae_err *err)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		catalog_fail(err, db, "catalog query");
		return NULL;
	}
	return st;
}

const char *
catalog_text(sqlite3_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(st, col);
}

int
catalog_run(sqlite3 *db, const char *sql, long long a, const char *b,
    const char *what, struct sae_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = catalog_prepare(db, sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, a);
	if (b != NULL)
		catalog_bind_text(st, 2, b);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return catalog_fail(err, db, what);
	return 0;
}

json_t *
catalog_row_json(sqlite3_stmt *st)
{
	json_t *o = json_object();
	int i, n = sqlite3_column_count(st);

	for (i = 0; i < n; i++) {
		const char *name = sqlite3_column_name(st, i);

		switch (sqlite3_column_type(st, i)) {
		case SQLITE_NULL:
			json_object_set_new(o, name, json_null());
			break;
		case SQLITE_INTEGER:
			json_object_set_new(o, name, json_integer(
			    (json_int_t)sqlite3_column_int64(st, i)));
			break;
		default:
			json_object_set_new(o, name,
			    json_string(catalog_text(st, i)));
		}
	}
	return o;
}

int
catalog_bind_text(sqlite3_stmt *st, int idx, const char *s)
{
	if (s == NULL)
		return sqlite3_bind_null(st, idx);
	return sqlite3_bind_text(st, idx, s, -1, SQLITE_TRANSIENT);
}

static sqlite3 *
conn_open(const char *path, struct sae_err *err)
{
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		catalog_fail(err, db, path);
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 60000);
	sqlite3_extended_result_codes(db, 1);
	/* 16 KiB pages for a new catalog (an existing one keeps its own):
	 * a recomputation of a million ages writes some 20 % faster, with
	 * fewer page splits and WAL frames (bench/ages.sh). */
	if (catalog_exec(db, "PRAGMA page_size=16384;"
	    "PRAGMA journal_mode=WAL;"
	    "PRAGMA synchronous=FULL;"
	    "PRAGMA foreign_keys=ON;", err) == -1) {
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

static int
migrate(sqlite3 *db, int *created, struct sae_err *err)
{
	sqlite3_stmt *st;
	int version = 0, rc;

	if (catalog_begin(db, err) == -1)
		return -1;
	st = catalog_prepare(db, "SELECT count(*) FROM sqlite_master WHERE "
	    "name = 'meta'", err);
	if (st == NULL)
		goto fail;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_int(st, 0) == 1) {
		sqlite3_finalize(st);
		st = catalog_prepare(db, "SELECT value FROM meta WHERE key = "
		    "'schema'", err);
		if (st == NULL)
			goto fail;
		if (sqlite3_step(st) == SQLITE_ROW)
			version = atoi(catalog_text(st, 0));
	}
	sqlite3_finalize(st);
	if (version > CATALOG_SCHEMA_VERSION) {
		sae_err_set(err, SAE_EINVAL, "the catalog has schema version "
		    "%d, newer than this program (%d): upgrade sae", version,
		    CATALOG_SCHEMA_VERSION);
		goto fail;
	}
	*created = version == 0;
	if (version == 0) {
		if (catalog_exec(db, catalog_schema_v1, err) == -1)
			goto fail;
		if (catalog_exec(db, "INSERT INTO meta VALUES ('schema', '1')",
		    err) == -1)
			goto fail;
	}
	return catalog_commit(db, err);
fail:
	catalog_rollback(db);
	return -1;
}

int
catalog_open(struct catalog **out, const char *path, int *created,
    struct sae_err *err)
{
	struct catalog *c;
	sqlite3 *db;
	int dummy;

	*out = NULL;
	if ((db = conn_open(path, err)) == NULL)
		return -1;
	if (migrate(db, created != NULL ? created : &dummy, err) == -1) {
		sqlite3_close(db);
		return -1;
	}
	c = sae_xcalloc(1, sizeof(*c));
	c->path = sae_xstrdup(path);
	pthread_mutex_init(&c->lock, NULL);
	c->idle[c->nidle++] = db;
	*out = c;
	return 0;
}

void
catalog_close(struct catalog *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nidle; i++)
		sqlite3_close(c->idle[i]);
	pthread_mutex_destroy(&c->lock);
	free(c->path);
	free(c);
}

sqlite3 *
catalog_get(struct catalog *c, struct sae_err *err)
{
	sqlite3 *db = NULL;

	pthread_mutex_lock(&c->lock);
	if (c->nidle > 0)
		db = c->idle[--c->nidle];
	pthread_mutex_unlock(&c->lock);
	if (db == NULL)
		db = conn_open(c->path, err);
	return db;
}

void
catalog_put(struct catalog *c, sqlite3 *db)
{
	if (db == NULL)
		return;
	catalog_rollback(db);
	pthread_mutex_lock(&c->lock);
	if (c->nidle < POOL_MAX) {
		c->idle[c->nidle++] = db;
		db = NULL;
	}
	pthread_mutex_unlock(&c->lock);
	sqlite3_close(db);
}

int
catalog_begin(sqlite3 *db, struct sae_err *err)
{
	return catalog_exec(db, "BEGIN IMMEDIATE", err);
}

int
catalog_commit(sqlite3 *db, struct sae_err *err)
{
	return catalog_exec(db, "COMMIT", err);
}

void
catalog_rollback(sqlite3 *db)
{
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}
