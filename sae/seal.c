/*
 * seal.c: sealing the journal (Merkle root of the entries since the last
 * seal and of the previous token, time-stamped), checking the seals (an
 * expired token counts when a later seal renewed it in time), and the
 * upkeep of the TSA certificate: journaled, renewed before it expires,
 * then a seal at once.  Reads and writes the journal, seal and meta
 * tables; asks the TSA for tokens and renewals.
 */
#include "config.h"

#include <assert.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/sha.h>

#include "sae/buf.h"
#include "sae/catalog.h"
#include "sae/id.h"
#include "sae/journal.h"
#include "sae/log.h"
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

/*
 * The seals are a chain: each one's tree has the previous token as a
 * leaf, so seal k+1 covers seal k's token, and through it every older
 * one.  A token whose certificate has expired since still counts when it
 * was good when made (checked at its own genTime) and the next seal was
 * made while it still held (checked at that seal's genTime): RFC 4998
 * time-stamp renewal, which saed does by sealing right after renewing its
 * certificate.  The last token must hold now.
 */
int
seal_verify(sqlite3 *db, const char *ca_pem, long long *bad,
    long long *unsealed, struct sae_err *err)
{
	struct sae_buf prev = SAE_BUF_INIT;
	unsigned char (*leaves)[32] = NULL, root[32], stored[32], proot[32];
	struct tsa_token tok, ptok;
	sqlite3_stmt *st;
	long long expect_seq = 1, expect_first = 1, seq = 0, first, last = 0;
	long long maxseq = 0;
	time_t now = time(NULL);
	size_t n;
	int rc, ret = -1;

	*bad = 0;
	*unsealed = 0;
	memset(&ptok, 0, sizeof(ptok));
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
		if (tsa_verify_at(tsr, tsrlen, ca_pem, root, sizeof(root),
		    TSA_AT_GENTIME, &tok, err) == -1) {
			sae_err_prefix(err, "seal %lld: its time-stamp token does "
			    "not hold", seq);
			goto out;
		}
		/* This seal renews the previous token, if that one needs it. */
		if (seq > 1 && ptok.not_after_t < now &&
		    tsa_verify_at(prev.data, prev.len, ca_pem, proot,
		    sizeof(proot), tok.gentime_t, NULL, err) == -1) {
			*bad = seq - 1;
			sae_err_set(err, SAE_ECORRUPT, "seal %lld: the TSA "
			    "certificate of its time-stamp token expired on %s, "
			    "before seal %lld renewed it (made on %s): its proof "
			    "lapsed", seq - 1, ptok.not_after, seq, tok.gentime);
			goto out;
		}
		sae_buf_reset(&prev);
		sae_buf_add(&prev, tsr, tsrlen);
		memcpy(proot, root, sizeof(proot));
		ptok = tok;
		expect_seq = seq + 1;
		expect_first = last + 1;
	}
	if (rc != SQLITE_DONE) {
		catalog_fail(err, db, "seals");
		*bad = 0;
		goto out;
	}
	/* Nothing renews the last token: it must hold now. */
	if (seq > 0 && tsa_verify_at(prev.data, prev.len, ca_pem, proot,
	    sizeof(proot), TSA_AT_NOW, NULL, err) == -1) {
		*bad = seq;
		if (ptok.not_after_t < now)
			sae_err_set(err, SAE_ECORRUPT, "seal %lld: its time-stamp "
			    "token was made by a TSA certificate that expired on "
			    "%s, and no later seal renews it: the last seal must "
			    "be renewed before its certificate expires", seq,
			    ptok.not_after);
		else
			sae_err_prefix(err, "seal %lld: its time-stamp token does "
			    "not hold now", seq);
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

/* ------------------------------------------------------ TSA upkeep */

#define META_TSA_CERT	"tsa_cert"

/* meta ${key} into ${out} ("" when absent). */
static int
meta_get(sqlite3 *db, const char *key, char *out, size_t size,
    struct sae_err *err)
{
	sqlite3_stmt *st;
	int rc;

	out[0] = '\0';
	if ((st = catalog_prepare(db, "SELECT value FROM meta WHERE key = ?",
	    err)) == NULL)
		return -1;
	catalog_bind_text(st, 1, key);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW && catalog_text(st, 0))
		snprintf(out, size, "%s", catalog_text(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return catalog_fail(err, db, "meta");
	return 0;
}

static int
meta_set(sqlite3 *db, const char *key, const char *value,
    struct sae_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = catalog_prepare(db, "INSERT INTO meta VALUES (?, ?) ON "
	    "CONFLICT(key) DO UPDATE SET value = excluded.value", err)) == NULL)
		return -1;
	catalog_bind_text(st, 1, key);
	catalog_bind_text(st, 2, value);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : catalog_fail(err, db, "meta");
}

/*
 * Journals the current TSA certificate (TSA_CERT_CHANGE) as replacing
 * ${old} (NULL: none recorded), and records it in meta, in one
 * transaction: meta says what the journal last recorded.
 */
static int
journal_cert_change(sqlite3 *db, struct tsa *tsa, const char *old,
    const char *reason, const char *agent, struct sae_err *err)
{
	struct tsa_cert_info cur, ca, was;
	int known = 0, rc;
	char *detail;
	json_t *d;

	tsa_cert_info(tsa, &cur);
	tsa_ca_info(tsa, &ca);
	if (old != NULL)
		known = tsa_find_cert(tsa, old, &was) == 0;
	d = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "reason", reason,
	    "new_sha256", cur.sha256, "new_serial", cur.serial,
	    "new_not_before", cur.not_before, "new_not_after", cur.not_after,
	    "ca_sha256", ca.sha256, "ca_not_after", ca.not_after);
	json_object_set_new(d, "old_sha256", old != NULL ? json_string(old) :
	    json_null());
	json_object_set_new(d, "old_not_after", known ?
	    json_string(was.not_after) : json_null());
	detail = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(d);
	if (catalog_begin(db, err) == -1) {
		free(detail);
		return -1;
	}
	if (meta_set(db, META_TSA_CERT, cur.sha256, err) == -1)
		rc = -1;
	else if (old == NULL)
		rc = journal_commit(db, "TSA_CERT_CHANGE", agent, detail, err,
		    "Certificat de l'autorité d'horodatage enregistré : "
		    "empreinte SHA-256 %s, valide jusqu'au %s", cur.sha256,
		    cur.not_after);
	else
		rc = journal_commit(db, "TSA_CERT_CHANGE", agent, detail, err,
		    "Certificat de l'autorité d'horodatage %s : %s, valide "
		    "jusqu'au %s, remplace %s%s%s", strcmp(reason, "renewed") ?
		    "remplacé" : "renouvelé", cur.sha256, cur.not_after, old,
		    known ? ", valide jusqu'au " : "", known ? was.not_after :
		    "");
	if (rc == -1)
		catalog_rollback(db);
	free(detail);
	return rc;
}

int
seal_tsa_upkeep(sqlite3 *db, struct tsa *tsa, int renew_days, int created,
    const char *agent, struct sae_err *err)
{
	struct tsa_cert_info cur, ca, was, now_ci;
	struct sae_err first;	/* a seal's error, when ${err} has one */
	char recorded[80];
	long long sealed;
	time_t now = time(NULL), margin = (time_t)renew_days * 86400, until;
	int changed = 0, ret = -1;

	/*
	 * The catalog is made after the TSA, and a crash may fall between a
	 * renewal and its entry: whatever certificate the journal has not
	 * recorded yet is recorded now.
	 */
	if (meta_get(db, META_TSA_CERT, recorded, sizeof(recorded), err) == -1)
		return -1;
	if (strcmp(recorded, tsa_cert_sha256(tsa)) != 0) {
		if (journal_cert_change(db, tsa, recorded[0] ? recorded : NULL,
		    recorded[0] ? "changed" : created ? "created" : "recorded",
		    agent, err) == -1)
			return -1;
		/* A first record renews nothing: no seal needed for it. */
		changed = recorded[0] != '\0';
		sae_log(LOG_NOTICE, "tsa certificate journaled sha256=%s "
		    "previous=%s", tsa_cert_sha256(tsa), recorded[0] ? recorded :
		    "none");
	}
	tsa_cert_info(tsa, &cur);
	tsa_ca_info(tsa, &ca);
	if (cur.not_after_t - now < margin) {
		until = tsa_renew_until(tsa, 0);
		if (until < cur.not_after_t + 86400) {
			/* Renewing would gain nothing: the CA ends first. */
			sae_log(LOG_WARNING, "tsa certificate expires=%s and "
			    "cannot be renewed beyond its CA (expires=%s)",
			    cur.not_after, ca.not_after);
		} else if (tsa_renew(tsa, 0, &was, &now_ci, err) == -1) {
			sae_err_prefix(err, "renewing the TSA certificate "
			    "(expires %s)", cur.not_after);
			goto out;
		} else {
			sae_log(LOG_NOTICE, "tsa renewed old-sha256=%s "
			    "old-expires=%s new-sha256=%s new-expires=%s",
			    was.sha256, was.not_after, now_ci.sha256,
			    now_ci.not_after);
			sae_crashpoint("tsa-renew-before-journal");
			if (journal_cert_change(db, tsa, was.sha256, "renewed",
			    agent, err) == -1)
				goto out;
			changed = 1;
		}
	}
	if (ca.not_after_t - now < margin)
		sae_log(LOG_WARNING, "tsa CA certificate expires=%s (within "
		    "renew_days=%d): saed does not renew its CA; plan a new "
		    "time-stamping authority and publish its CA before then",
		    ca.not_after, renew_days);
	ret = 0;
out:
	/* The new certificate's first token covers every older seal's
	 * (RFC 4998 renewal): seal at once, even after a failure above. */
	if (changed) {
		if (seal_now(db, tsa, agent, &sealed, ret == 0 ? err :
		    &first) == -1)
			ret = -1;
		else if (sealed > 0)
			sae_log(LOG_INFO, "seal entries=%lld reason=tsa", sealed);
	}
	return ret;
}
