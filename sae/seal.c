/*
 * seal.c: sealing the journal (Merkle root of the entries since the last
 * seal and of the previous token, time-stamped) and checking the seals.
 * Reads and writes the journal and seal tables; asks the TSA for tokens.
 */
#include "config.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "sae/buf.h"
#include "sae/catalog.h"
#include "sae/id.h"
#include "sae/journal.h"
#include "sae/seal.h"
#include "sae/tsa.h"
#include "sae/xmalloc.h"

/*
 * One level of the tree up, in place: each pair becomes SHA-256 of its two
 * nodes sorted in byte order; an odd last node goes up unchanged.
 * Returns the number of nodes of the new level.
 */
static size_t
merkle_up(unsigned char (*level)[32], size_t n)
{
	unsigned char pair[64];
	size_t i, m;

	for (i = 0, m = 0; i + 1 < n; i += 2, m++) {
		/* Sorted pairs: a path needs no left/right flags. */
		int lo = memcmp(level[i], level[i + 1], 32) <= 0;

		memcpy(pair, lo ? level[i] : level[i + 1], 32);
		memcpy(pair + 32, lo ? level[i + 1] : level[i], 32);
		SHA256(pair, sizeof(pair), level[m]);
	}
	if (i < n)
		memmove(level[m++], level[i], 32);
	return m;
}

void
seal_merkle_root(const unsigned char (*leaves)[32], size_t n,
    unsigned char root[32])
{
	unsigned char (*level)[32];

	level = sae_xreallocarray(NULL, n, 32);
	memcpy(level, leaves, n * 32);
	while (n > 1)
		n = merkle_up(level, n);
	memcpy(root, level[0], 32);
	free(level);
}

size_t
seal_merkle_path(const unsigned char (*leaves)[32], size_t n, size_t index,
    unsigned char (*path)[32])
{
	unsigned char (*level)[32];
	size_t k = 0;

	assert(index < n);
	level = sae_xreallocarray(NULL, n, 32);
	memcpy(level, leaves, n * 32);
	while (n > 1) {
		size_t sib = index ^ 1;

		/* The odd last node has no sibling: it goes up as it is. */
		if (sib < n) {
			assert(k < SEAL_PATH_MAX);
			memcpy(path[k++], level[sib], 32);
		}
		n = merkle_up(level, n);
		index /= 2;
	}
	free(level);
	return k;
}

/*
 * The leaves of a seal: the hashes of entries first..last, then the
 * SHA-256 of the previous seal's token when there is one.
 */
static int
leaves_of(sqlite3 *db, long long first, long long last, const void *prev_tsr,
    size_t prev_len, unsigned char (**out)[32], size_t *n,
    struct sae_err *err)
{
	unsigned char (*v)[32];
	sqlite3_stmt *st;
	size_t k = 0, cap;
	int rc;

	cap = (size_t)(last - first + 2);
	v = sae_xreallocarray(NULL, cap, 32);
	st = catalog_prepare(db, "SELECT seq, hash FROM journal WHERE seq "
	    "BETWEEN ? AND ? ORDER BY seq", err);
	if (st == NULL) {
		free(v);
		return -1;
	}
	sqlite3_bind_int64(st, 1, first);
	sqlite3_bind_int64(st, 2, last);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *h = catalog_text(st, 1);

		if (sqlite3_column_int64(st, 0) != first + (long long)k ||
		    h == NULL || sae_unhex(v[k], 32, h) != 32) {
			sqlite3_finalize(st);
			free(v);
			return sae_err_set(err, SAE_ECORRUPT, "journal entry %lld "
			    "is missing or damaged under a seal", first +
			    (long long)k);
		}
		k++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(v);
		return catalog_fail(err, db, "seal leaves");
	}
	if (k != (size_t)(last - first + 1)) {
		free(v);
		return sae_err_set(err, SAE_ECORRUPT, "journal entries %lld to "
		    "%lld are sealed but only %zu remain", first, last, k);
	}
	if (prev_tsr != NULL)
		SHA256(prev_tsr, prev_len, v[k++]);
	*out = v;
	*n = k;
	return 0;
}

/* The last seal: its seq, last entry and token (caller frees *tsr). */
static int
last_seal(sqlite3 *db, long long *seq, long long *last, struct sae_buf *tsr,
    struct sae_err *err)
{
	sqlite3_stmt *st;
	int rc;

	*seq = 0;
	*last = 0;
	st = catalog_prepare(db, "SELECT seq, last, tsr FROM seal ORDER BY seq "
	    "DESC LIMIT 1", err);
	if (st == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*seq = sqlite3_column_int64(st, 0);
		*last = sqlite3_column_int64(st, 1);
		sae_buf_add(tsr, sqlite3_column_blob(st, 2),
		    (size_t)sqlite3_column_bytes(st, 2));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return catalog_fail(err, db, "last seal");
	return 0;
}

int
seal_leaves(sqlite3 *db, long long seal, unsigned char (**leaves)[32],
    size_t *n, struct sae_err *err)
{
	struct sae_buf prev = SAE_BUF_INIT;
	unsigned char root[32], stored[32];
	sqlite3_stmt *st;
	long long first = 0, last = 0;
	char hex[65] = "";
	int rc, ret = -1;

	*leaves = NULL;
	*n = 0;
	st = catalog_prepare(db, "SELECT s.first, s.last, s.root, p.tsr FROM "
	    "seal s LEFT JOIN seal p ON p.seq = s.seq - 1 WHERE s.seq = ?",
	    err);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, seal);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		first = sqlite3_column_int64(st, 0);
		last = sqlite3_column_int64(st, 1);
		if (catalog_text(st, 2) != NULL)
			snprintf(hex, sizeof(hex), "%s", catalog_text(st, 2));
		sae_buf_add(&prev, sqlite3_column_blob(st, 3),
		    (size_t)sqlite3_column_bytes(st, 3));
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return sae_err_set(err, SAE_ENOTFOUND, "no seal %lld", seal);
	if (rc != SQLITE_ROW)
		return catalog_fail(err, db, "seal leaves");
	if (seal > 1 && prev.len == 0) {
		sae_err_set(err, SAE_ECORRUPT, "seal %lld: seal %lld, whose "
		    "token it chains, is missing", seal, seal - 1);
		goto out;
	}
	if (last < first || leaves_of(db, first, last, seal > 1 ? prev.data :
	    NULL, prev.len, leaves, n, err) == -1) {
		if (last < first)
			sae_err_set(err, SAE_ECORRUPT, "seal %lld covers no "
			    "entry", seal);
		sae_err_prefix(err, "seal %lld", seal);
		goto out;
	}
	seal_merkle_root(*leaves, *n, root);
	if (sae_unhex(stored, sizeof(stored), hex) != 32 ||
	    memcmp(root, stored, 32) != 0) {
		sae_err_set(err, SAE_ECORRUPT, "seal %lld: the entries %lld to "
		    "%lld no longer give the sealed root", seal, first, last);
		free(*leaves);
		*leaves = NULL;
		*n = 0;
		goto out;
	}
	ret = 0;
out:
	sae_buf_done(&prev);
	return ret;
}

int
seal_now(sqlite3 *db, struct tsa *tsa, const char *agent, long long *sealed,
    struct sae_err *err)
{
	struct sae_buf prev = SAE_BUF_INIT, tsr = SAE_BUF_INIT;
	unsigned char (*leaves)[32] = NULL, root[32];
	sqlite3_stmt *st = NULL;
	long long pseq, plast, last = 0;
	char hex[65], now[32], detail[256];
	size_t n;
	int ret = -1;

	*sealed = 0;
	if (catalog_begin(db, err) == -1)
		return -1;
	if (last_seal(db, &pseq, &plast, &prev, err) == -1)
		goto out;
	if ((st = catalog_prepare(db, "SELECT coalesce(max(seq), 0) FROM "
	    "journal", err)) == NULL)
		goto out;
	if (sqlite3_step(st) == SQLITE_ROW)
		last = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if (last <= plast) {
		ret = 0;	/* nothing new since the last seal */
		goto out;
	}
	if (leaves_of(db, plast + 1, last, pseq ? prev.data : NULL, prev.len,
	    &leaves, &n, err) == -1)
		goto out;
	seal_merkle_root(leaves, n, root);
	if (tsa_stamp(tsa, "sha256", root, sizeof(root), &tsr, err) == -1)
		goto out;
	sae_hex(hex, root, sizeof(root));
	sae_time_now_iso(now);
	if ((st = catalog_prepare(db, "INSERT INTO seal (seq, first, last, root, "
	    "tsr, created) VALUES (?,?,?,?,?,?)", err)) == NULL)
		goto out;
	sqlite3_bind_int64(st, 1, pseq + 1);
	sqlite3_bind_int64(st, 2, plast + 1);
	sqlite3_bind_int64(st, 3, last);
	catalog_bind_text(st, 4, hex);
	sqlite3_bind_blob(st, 5, tsr.data, (int)tsr.len, SQLITE_TRANSIENT);
	catalog_bind_text(st, 6, now);
	if (sqlite3_step(st) != SQLITE_DONE) {
		catalog_fail(err, db, "seal insert");
		goto out;
	}
	snprintf(detail, sizeof(detail), "{\"seal\":%lld,\"first\":%lld,"
	    "\"last\":%lld,\"root\":\"%s\"}", pseq + 1, plast + 1, last, hex);
	if (journal_commit(db, "SEAL", agent, detail, err, "Scellement du "
	    "journal : entrées %lld à %lld", plast + 1, last) == -1)
		goto out;
	*sealed = last - plast;
	ret = 0;
out:
	sqlite3_finalize(st);
	catalog_rollback(db);	/* after the commit: nothing to undo */
	sae_buf_done(&prev);
	sae_buf_done(&tsr);
	free(leaves);
	return ret;
}

int
seal_verify(sqlite3 *db, const char *ca_pem, long long *bad,
    long long *unsealed, struct sae_err *err)
{
	struct sae_buf prev = SAE_BUF_INIT;
	unsigned char (*leaves)[32] = NULL, root[32], stored[32];
	sqlite3_stmt *st;
	long long expect_seq = 1, expect_first = 1, seq = 0, first, last = 0;
	long long maxseq = 0;
	size_t n;
	int rc, ret = -1;

	*bad = 0;
	*unsealed = 0;
	st = catalog_prepare(db, "SELECT seq, first, last, root, tsr FROM seal "
	    "ORDER BY seq", err);
	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *hex = catalog_text(st, 3);
		const void *tsr = sqlite3_column_blob(st, 4);
		size_t tsrlen = (size_t)sqlite3_column_bytes(st, 4);

		seq = sqlite3_column_int64(st, 0);
		first = sqlite3_column_int64(st, 1);
		last = sqlite3_column_int64(st, 2);
		*bad = seq;
		if (seq != expect_seq || first != expect_first || last < first) {
			sae_err_set(err, SAE_ECORRUPT, "seal %lld does not follow "
			    "seal %lld (a seal was removed or altered)", seq,
			    expect_seq - 1);
			goto out;
		}
		if (leaves_of(db, first, last, seq > 1 ? prev.data : NULL,
		    prev.len, &leaves, &n, err) == -1) {
			sae_err_prefix(err, "seal %lld", seq);
			goto out;
		}
		seal_merkle_root(leaves, n, root);
		free(leaves);
		leaves = NULL;
		if (hex == NULL || sae_unhex(stored, 32, hex) != 32 ||
		    memcmp(root, stored, 32) != 0) {
			sae_err_set(err, SAE_ECORRUPT, "seal %lld: the entries %lld "
			    "to %lld no longer give the sealed root", seq, first,
			    last);
			goto out;
		}
		if (tsa_verify(tsr, tsrlen, ca_pem, root, sizeof(root), NULL,
		    err) == -1) {
			sae_err_prefix(err, "seal %lld: its time-stamp token does "
			    "not hold", seq);
			goto out;
		}
		sae_buf_reset(&prev);
		sae_buf_add(&prev, tsr, tsrlen);
		expect_seq = seq + 1;
		expect_first = last + 1;
	}
	if (rc != SQLITE_DONE) {
		catalog_fail(err, db, "seals");
		*bad = 0;
		goto out;
	}
	sqlite3_finalize(st);
	st = catalog_prepare(db, "SELECT coalesce(max(seq), 0) FROM journal",
	    err);
	if (st == NULL) {
		*bad = 0;
		goto out;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		maxseq = sqlite3_column_int64(st, 0);
	*unsealed = maxseq - last;
	*bad = 0;
	ret = 0;
out:
	sqlite3_finalize(st);
	sae_buf_done(&prev);
	free(leaves);
	return ret;
}
