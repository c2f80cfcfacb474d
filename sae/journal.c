/*
 * journal.c: appending to and verifying the hash-chained journal in the
 * catalog.  The canonical form of an entry is compact JSON with sorted
 * keys, made by jansson, so that any JSON library can rebuild it; entries
 * whose detail is already canonical get the same bytes written directly.
 */
#include "config.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
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

/*
 * The length of the UTF-8 sequence at ${p} (before ${end}), or 0 when it is
 * not one jansson accepts: no overlong forms, no surrogates, nothing above
 * U+10FFFF.  Jansson refuses such strings, so only these may be written
 * directly.
 */
static size_t
utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned long v;
	size_t n, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, v = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, v = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, v = p[0] & 0x07;
	else
		return 0;
	if ((size_t)(end - p) < n)
		return 0;
	for (i = 1; i < n; i++) {
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
		v = (v << 6) | (p[i] & 0x3f);
	}
	if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff) ||
	    (n == 3 && v < 0x800) || (n == 4 && v < 0x10000))
		return 0;
	return n;
}

int
journal_json_string(struct sae_buf *out, const char *s)
{
	const unsigned char *p, *run, *end;
	size_t n, len0 = out->len;

	if (s == NULL) {
		sae_buf_add(out, "null", 4);
		return 0;
	}
	p = run = (const unsigned char *)s;
	end = p + strlen(s);
	sae_buf_addc(out, '"');
	while (p < end) {
		if (*p >= 0x20 && *p != '"' && *p != '\\') {
			if ((n = utf8_len(p, end)) == 0) {
				out->len = len0;	/* nothing half-written */
				out->data[len0] = '\0';
				return -1;
			}
			p += n;
			continue;
		}
		sae_buf_add(out, run, (size_t)(p - run));
		/* The escapes jansson's dump_string writes, no others. */
		switch (*p) {
		case '"':
			sae_buf_add(out, "\\\"", 2);
			break;
		case '\\':
			sae_buf_add(out, "\\\\", 2);
			break;
		case '\b':
			sae_buf_add(out, "\\b", 2);
			break;
		case '\f':
			sae_buf_add(out, "\\f", 2);
			break;
		case '\n':
			sae_buf_add(out, "\\n", 2);
			break;
		case '\r':
			sae_buf_add(out, "\\r", 2);
			break;
		case '\t':
			sae_buf_add(out, "\\t", 2);
			break;
		default:
			sae_buf_printf(out, "\\u%04X", (unsigned)*p);
			break;
		}
		run = ++p;
	}
	sae_buf_add(out, run, (size_t)(p - run));
	sae_buf_addc(out, '"');
	return 0;
}

/*
 * journal_canonical's bytes written directly, for a detail already in
 * canonical form: keys in the order JSON_SORT_KEYS gives them (agent,
 * detail, message, object, outcome, prev, seq, transfer, ts, type, unit).
 * Returns -1, with ${out} as it was, for what only jansson knows how to
 * write (a missing mandatory field, invalid UTF-8): the caller then takes
 * the slow path, which gives the same bytes as ever.
 */
static int
canonical_direct(struct sae_buf *out, long long seq, const char *ts,
    const struct journal_entry *e, const char *prev)
{
	size_t len0 = out->len;
	char num[24];
	int rc = 0;

	if (e->type == NULL || e->outcome == NULL || e->agent == NULL ||
	    e->message == NULL || ts == NULL || prev == NULL)
		return -1;
	snprintf(num, sizeof(num), "%lld", seq);
	sae_buf_adds(out, "{\"agent\":");
	rc |= journal_json_string(out, e->agent);
	sae_buf_adds(out, ",\"detail\":");
	sae_buf_adds(out, e->detail != NULL ? e->detail : "{}");
	sae_buf_adds(out, ",\"message\":");
	rc |= journal_json_string(out, e->message);
	sae_buf_adds(out, ",\"object\":");
	rc |= journal_json_string(out, e->object);
	sae_buf_adds(out, ",\"outcome\":");
	rc |= journal_json_string(out, e->outcome);
	sae_buf_adds(out, ",\"prev\":");
	rc |= journal_json_string(out, prev);
	sae_buf_adds(out, ",\"seq\":");
	sae_buf_adds(out, num);
	sae_buf_adds(out, ",\"transfer\":");
	rc |= journal_json_string(out, e->transfer);
	sae_buf_adds(out, ",\"ts\":");
	rc |= journal_json_string(out, ts);
	sae_buf_adds(out, ",\"type\":");
	rc |= journal_json_string(out, e->type);
	sae_buf_adds(out, ",\"unit\":");
	rc |= journal_json_string(out, e->unit);
	sae_buf_addc(out, '}');
	if (rc != 0) {
		out->len = len0;
		out->data[len0] = '\0';
		return -1;
	}
	return 0;
}

int
journal_canonical_direct(struct sae_buf *out, long long seq, const char *ts,
    const struct journal_entry *e, const char *prev, struct sae_err *err)
{
	if (canonical_direct(out, seq, ts, e, prev) == 0)
		return 0;
	return journal_canonical(out, seq, ts, e, prev, err);
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
	/* Fetched once: a digest fetched per entry costs more than it hashes. */
	EVP_MD		*sha256;
	EVP_MD_CTX	*md;
	time_t		 ts_at;		/* ts is sae_time_iso(ts_at) */
	char		 ts[32];
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
	b->ts_at = (time_t)-1;
	snprintf(b->prev, sizeof(b->prev), "%s", JOURNAL_GENESIS);
	if ((b->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL ||
	    (b->md = EVP_MD_CTX_new()) == NULL) {
		sae_err_set(err, SAE_EINTERNAL, "cannot set up SHA-256");
		goto fail;
	}
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
	journal_batch_end(b);
	return -1;
}

/*
 * Every string bound here outlives the sqlite3_step below and is bound
 * again before the next one: SQLite need not copy it.
 */
static void
bind_static(sqlite3_stmt *st, int idx, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(st, idx);
	else
		sqlite3_bind_text(st, idx, s, -1, SQLITE_STATIC);
}

/* The canonical form and hash of the next entry; the chain moves on. */
int
journal_batch_prepare(struct journal_batch *b, const struct journal_entry *e,
    int direct, struct journal_prepared *p, struct sae_err *err)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen;
	time_t now;

	/* Entries of one second share their time stamp string. */
	if ((now = time(NULL)) != b->ts_at) {
		b->ts_at = now;
		sae_time_iso(b->ts, (long long)now);
	}
	sae_buf_reset(&b->canon);
	if ((direct ? journal_canonical_direct : journal_canonical)(&b->canon,
	    b->seq + 1, b->ts, e, b->prev, err) == -1)
		return -1;
	if (EVP_DigestInit_ex2(b->md, b->sha256, NULL) != 1 ||
	    EVP_DigestUpdate(b->md, b->canon.data, b->canon.len) != 1 ||
	    EVP_DigestFinal_ex(b->md, md, &mdlen) != 1 ||
	    mdlen != SHA256_DIGEST_LENGTH)
		return sae_err_set(err, SAE_EINTERNAL, "SHA-256 failed");
	p->seq = ++b->seq;
	memcpy(p->ts, b->ts, sizeof(p->ts));
	memcpy(p->prev, b->prev, sizeof(p->prev));
	sae_hex(p->hash, md, mdlen);
	memcpy(b->prev, p->hash, sizeof(b->prev));
	return 0;
}

int
journal_batch_write(struct journal_batch *b, const struct journal_entry *e,
    const struct journal_prepared *p, struct sae_err *err)
{
	int rc;

	sqlite3_bind_int64(b->ins, 1, p->seq);
	bind_static(b->ins, 2, p->ts);
	bind_static(b->ins, 3, e->type);
	bind_static(b->ins, 4, e->outcome);
	bind_static(b->ins, 5, e->agent);
	bind_static(b->ins, 6, e->transfer);
	bind_static(b->ins, 7, e->unit);
	bind_static(b->ins, 8, e->object);
	bind_static(b->ins, 9, e->message);
	bind_static(b->ins, 10, e->detail != NULL ? e->detail : "{}");
	bind_static(b->ins, 11, p->prev);
	bind_static(b->ins, 12, p->hash);
	rc = sqlite3_step(b->ins);
	sqlite3_reset(b->ins);
	if (rc != SQLITE_DONE)
		return catalog_fail(err, b->db, "journal append");
	return 0;
}

static int
batch_add(struct journal_batch *b, const struct journal_entry *e,
    int direct, long long *seqp, struct sae_err *err)
{
	struct journal_prepared p;

	if (journal_batch_prepare(b, e, direct, &p, err) == -1 ||
	    journal_batch_write(b, e, &p, err) == -1)
		return -1;
	if (seqp != NULL)
		*seqp = p.seq;
	return 0;
}

int
journal_batch_add(struct journal_batch *b, const struct journal_entry *e,
    long long *seqp, struct sae_err *err)
{
	return batch_add(b, e, 0, seqp, err);
}

int
journal_batch_add_direct(struct journal_batch *b,
    const struct journal_entry *e, long long *seqp, struct sae_err *err)
{
	return batch_add(b, e, 1, seqp, err);
}

void
journal_batch_end(struct journal_batch *b)
{
	if (b == NULL)
		return;
	sqlite3_finalize(b->ins);
	sae_buf_done(&b->canon);
	EVP_MD_CTX_free(b->md);
	EVP_MD_free(b->sha256);
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
