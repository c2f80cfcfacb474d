/*
 * journal.c: appending to and verifying the hash-chained journal in the
 * catalog.  The canonical form of an entry is compact JSON with sorted
 * keys, made by jansson, so that any JSON library can rebuild it.
 */
#include "config.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "sae/catalog.h"
#include "sae/id.h"
#include "sae/journal.h"
#include "sae/xmalloc.h"

static json_t *
str_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

int
journal_canonical(struct sae_buf *out, long long seq, const char *ts,
    const struct journal_entry *e, const char *prev, struct sae_err *err)
{
	json_t *o, *detail;
	json_error_t jerr;
	char *text;

	detail = json_loads(e->detail != NULL ? e->detail : "{}",
	    JSON_REJECT_DUPLICATES, &jerr);
	if (detail == NULL || !json_is_object(detail)) {
		json_decref(detail);
		return sae_err_set(err, SAE_EINTERNAL, "journal detail is not "
		    "a JSON object: %s", jerr.text);
	}
	o = json_object();
	json_object_set_new(o, "seq", json_integer(seq));
	json_object_set_new(o, "ts", json_string(ts));
	json_object_set_new(o, "type", json_string(e->type));
	json_object_set_new(o, "outcome", json_string(e->outcome));
	json_object_set_new(o, "agent", json_string(e->agent));
	json_object_set_new(o, "transfer", str_or_null(e->transfer));
	json_object_set_new(o, "unit", str_or_null(e->unit));
	json_object_set_new(o, "object", str_or_null(e->object));
	json_object_set_new(o, "message", json_string(e->message));
	json_object_set_new(o, "detail", detail);
	json_object_set_new(o, "prev", json_string(prev));
	text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	if (text == NULL)
		return sae_err_set(err, SAE_EINTERNAL, "cannot encode a "
		    "journal entry (invalid UTF-8 in a field?)");
	sae_buf_adds(out, text);
	free(text);
	return 0;
}

static void
hash_hex(const struct sae_buf *b, char out[65])
{
	unsigned char md[SHA256_DIGEST_LENGTH];

	SHA256((const unsigned char *)b->data, b->len, md);
	sae_hex(out, md, sizeof(md));
}

struct journal_batch {
	sqlite3		*db;
	sqlite3_stmt	*ins;
	long long	 seq;		/* of the last entry */
	char		 prev[65];	/* its hash */
	struct sae_buf	 canon;
};

int
journal_batch_begin(struct journal_batch **out, sqlite3 *db,
    struct sae_err *err)
{
	struct journal_batch *b;
	sqlite3_stmt *st;

	*out = NULL;
	if (sqlite3_get_autocommit(db))
		return sae_err_set(err, SAE_EINTERNAL, "journal append outside "
		    "a transaction");
	b = sae_xcalloc(1, sizeof(*b));
	b->db = db;
	snprintf(b->prev, sizeof(b->prev), "%s", JOURNAL_GENESIS);
	if ((st = catalog_prepare(db, "SELECT seq, hash FROM journal ORDER BY "
	    "seq DESC LIMIT 1", err)) == NULL)
		goto fail;
	if (sqlite3_step(st) == SQLITE_ROW) {
		b->seq = sqlite3_column_int64(st, 0);
		snprintf(b->prev, sizeof(b->prev), "%s", catalog_text(st, 1));
	}
	sqlite3_finalize(st);
	if ((b->ins = catalog_prepare(db, "INSERT INTO journal (seq, ts, type, "
	    "outcome, agent, transfer, unit, object, message, detail, prev, "
	    "hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", err)) == NULL)
		goto fail;
	*out = b;
	return 0;
fail:
	free(b);
	return -1;
}

int
journal_batch_add(struct journal_batch *b, const struct journal_entry *e,
    long long *seqp, struct sae_err *err)
{
	char hash[65], ts[32];
	int rc;

	sae_time_now_iso(ts);
	sae_buf_reset(&b->canon);
	if (journal_canonical(&b->canon, b->seq + 1, ts, e, b->prev, err) == -1)
		return -1;
	hash_hex(&b->canon, hash);
	sqlite3_bind_int64(b->ins, 1, b->seq + 1);
	catalog_bind_text(b->ins, 2, ts);
	catalog_bind_text(b->ins, 3, e->type);
	catalog_bind_text(b->ins, 4, e->outcome);
	catalog_bind_text(b->ins, 5, e->agent);
	catalog_bind_text(b->ins, 6, e->transfer);
	catalog_bind_text(b->ins, 7, e->unit);
	catalog_bind_text(b->ins, 8, e->object);
	catalog_bind_text(b->ins, 9, e->message);
	catalog_bind_text(b->ins, 10, e->detail != NULL ? e->detail : "{}");
	catalog_bind_text(b->ins, 11, b->prev);
	catalog_bind_text(b->ins, 12, hash);
	rc = sqlite3_step(b->ins);
	sqlite3_reset(b->ins);
	if (rc != SQLITE_DONE)
		return catalog_fail(err, b->db, "journal append");
	b->seq++;
	memcpy(b->prev, hash, sizeof(b->prev));
	if (seqp != NULL)
		*seqp = b->seq;
	return 0;
}

void
journal_batch_end(struct journal_batch *b)
{
	if (b == NULL)
		return;
	sqlite3_finalize(b->ins);
	sae_buf_done(&b->canon);
	free(b);
}

int
journal_append(sqlite3 *db, const struct journal_entry *e, long long *seqp,
    struct sae_err *err)
{
	struct journal_batch *b;
	int rc;

	if (journal_batch_begin(&b, db, err) == -1)
		return -1;
	rc = journal_batch_add(b, e, seqp, err);
	journal_batch_end(b);
	return rc;
}

static int
journal_vcommit(sqlite3 *db, const char *type, const char *agent,
    const char *unit, const char *detail, struct sae_err *err,
    const char *fmt, va_list ap) __attribute__((format(printf, 7, 0)));

static int
journal_vcommit(sqlite3 *db, const char *type, const char *agent,
    const char *unit, const char *detail, struct sae_err *err,
    const char *fmt, va_list ap)
{
	struct journal_entry e;
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);	/* a long name is cut, not lost */
	memset(&e, 0, sizeof(e));
	e.type = type;
	e.outcome = "OK";
	e.agent = agent;
	e.unit = unit;
	e.message = msg;
	e.detail = detail;
	if (journal_append(db, &e, NULL, err) == -1)
		return -1;
	return catalog_commit(db, err);
}

int
journal_commit(sqlite3 *db, const char *type, const char *agent,
    const char *detail, struct sae_err *err, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = journal_vcommit(db, type, agent, NULL, detail, err, fmt, ap);
	va_end(ap);
	return rc;
}

int
journal_commit_unit(sqlite3 *db, const char *type, const char *agent,
    const char *unit, const char *detail, struct sae_err *err,
    const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = journal_vcommit(db, type, agent, unit, detail, err, fmt, ap);
	va_end(ap);
	return rc;
}

void
journal_row_read(sqlite3_stmt *st, struct journal_row *r)
{
	r->seq = sqlite3_column_int64(st, 0);
	r->ts = catalog_text(st, 1);
	r->e.type = catalog_text(st, 2);
	r->e.outcome = catalog_text(st, 3);
	r->e.agent = catalog_text(st, 4);
	r->e.transfer = catalog_text(st, 5);
	r->e.unit = catalog_text(st, 6);
	r->e.object = catalog_text(st, 7);
	r->e.message = catalog_text(st, 8);
	r->e.detail = catalog_text(st, 9);
	r->prev = catalog_text(st, 10);
	r->hash = catalog_text(st, 11);
}

int
journal_export(sqlite3 *db, FILE *out, long long *n, struct sae_err *err)
{
	struct sae_buf canon = SAE_BUF_INIT;
	struct journal_row r;
	sqlite3_stmt *st;
	int rc, ret = -1;

	*n = 0;
	if ((st = catalog_prepare(db, "SELECT " JOURNAL_COLUMNS " FROM journal "
	    "ORDER BY seq", err)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		journal_row_read(st, &r);
		sae_buf_reset(&canon);
		if (journal_canonical(&canon, r.seq, r.ts, &r.e, r.prev,
		    err) == -1)
			goto out;
		sae_buf_addc(&canon, '\n');
		if (fwrite(canon.data, 1, canon.len, out) != canon.len) {
			sae_err_sys(err, SAE_EIO, "cannot write the journal");
			goto out;
		}
		(*n)++;
	}
	if (rc != SQLITE_DONE) {
		catalog_fail(err, db, "journal export");
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	sae_buf_done(&canon);
	return ret;
}

int
journal_verify(sqlite3 *db, long long *bad, struct sae_err *err)
{
	struct sae_buf canon = SAE_BUF_INIT;
	sqlite3_stmt *st;
	char expect_prev[65], hash[65];
	long long expect_seq = 1, seq;
	int rc, ret = -1;

	*bad = 0;
	st = catalog_prepare(db, "SELECT " JOURNAL_COLUMNS " FROM journal "
	    "ORDER BY seq", err);
	if (st == NULL)
		return -1;
	snprintf(expect_prev, sizeof(expect_prev), "%s", JOURNAL_GENESIS);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct journal_row r;
		const char *prev, *stored;

		journal_row_read(st, &r);
		seq = r.seq;
		prev = r.prev;
		stored = r.hash;
		if (seq != expect_seq) {
			*bad = seq;
			sae_err_set(err, SAE_ECORRUPT, "journal entry %lld "
			    "follows entry %lld: entries are missing or "
			    "reordered", seq, expect_seq - 1);
			goto out;
		}
		if (prev == NULL || strcmp(prev, expect_prev) != 0) {
			*bad = seq;
			sae_err_set(err, SAE_ECORRUPT, "journal entry %lld does "
			    "not chain to entry %lld (previous hash differs)",
			    seq, seq - 1);
			goto out;
		}
		sae_buf_reset(&canon);
		if (journal_canonical(&canon, seq, r.ts, &r.e, prev,
		    err) == -1) {
			*bad = seq;
			err->code = SAE_ECORRUPT;
			goto out;
		}
		hash_hex(&canon, hash);
		if (stored == NULL || strcmp(hash, stored) != 0) {
			*bad = seq;
			sae_err_set(err, SAE_ECORRUPT, "journal entry %lld was "
			    "altered: its content no longer matches its hash",
			    seq);
			goto out;
		}
		snprintf(expect_prev, sizeof(expect_prev), "%s", stored);
		expect_seq++;
	}
	if (rc != SQLITE_DONE) {
		catalog_fail(err, db, "journal read");
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	sae_buf_done(&canon);
	return ret;
}
