/*
 * proof.c: building a unit's proof bundle (see proof.h).  Everything the
 * bundle says is read from the catalog in one read transaction, then the
 * zip is written (objects streamed from a copy checked first), its
 * manifest time-stamped and the delivery journaled.  Reads the catalog and
 * the store; writes the journal (a seal when needed, then PROOF).
 */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "sae/api.h"
#include "sae/buf.h"
#include "sae/catalog.h"
#include "sae/copies.h"
#include "sae/fsutil.h"
#include "sae/id.h"
#include "sae/journal.h"
#include "sae/proof.h"
#include "sae/seal.h"
#include "sae/units.h"
#include "sae/tsa.h"
#include "sae/xmalloc.h"
#include "storage/store.h"

#define MANIFEST	"manifest.sha256"

struct pentry {
	long long	 seq;
	long long	 seal;
	char		 hash[65];
	struct sae_buf	 canon;		/* the exact bytes hashed */
	unsigned char	(*path)[32];
	size_t		 npath;
	int		 unit_ingest;
};

struct pseal {
	long long	 seq, first, last;
	char		 root[65];
	struct sae_buf	 tsr;
};

struct pobject {
	char		 id[SAE_ID_LEN + 1];
	char		 sha256[65];
	long long	 size;
};

/* What the bundle says, read in one transaction. */
struct snapshot {
	const char	*unit;
	char		 transfer[SAE_ID_LEN + 1];
	json_t		*unit_json;
	struct sae_buf	 content, management;
	int		 has_management;
	struct sae_buf	 digest_list, digest_tsr;
	struct pobject	*objs;
	size_t		 nobjs;
	struct pentry	*entries;
	size_t		 nentries;
	struct pseal	*seals;
	size_t		 nseals;
};

static void
snap_done(struct snapshot *s)
{
	size_t i;

	json_decref(s->unit_json);
	sae_buf_done(&s->content);
	sae_buf_done(&s->management);
	sae_buf_done(&s->digest_list);
	sae_buf_done(&s->digest_tsr);
	free(s->objs);
	for (i = 0; i < s->nentries; i++) {
		sae_buf_done(&s->entries[i].canon);
		free(s->entries[i].path);
	}
	free(s->entries);
	for (i = 0; i < s->nseals; i++)
		sae_buf_done(&s->seals[i].tsr);
	free(s->seals);
}

static void
blob_add(struct sae_buf *b, sqlite3_stmt *st, int col)
{
	const void *p = sqlite3_column_blob(st, col);
	size_t n = (size_t)sqlite3_column_bytes(st, col);

	sae_buf_add(b, p != NULL ? p : "", n);
}

static int
snap_unit(sqlite3 *db, struct snapshot *s, long long *useq,
    struct sae_err *err)
{
	sqlite3_stmt *st;
	int rc, ret = -1;

	st = catalog_prepare(db, "SELECT u.seq, u.transfer, u.content, "
	    "u.management, t.digest_list, t.tsr FROM unit u JOIN transfer t ON "
	    "t.id = u.transfer WHERE u.id = ?", err);
	if (st == NULL)
		return -1;
	catalog_bind_text(st, 1, s->unit);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		if (rc == SQLITE_DONE)
			sae_err_set(err, SAE_ENOTFOUND, "no unit '%s'",
			    s->unit);
		else
			catalog_fail(err, db, "proof unit");
		goto out;
	}
	*useq = sqlite3_column_int64(st, 0);
	snprintf(s->transfer, sizeof(s->transfer), "%s",
	    catalog_text(st, 1) ? catalog_text(st, 1) : "");
	blob_add(&s->content, st, 2);
	if (sqlite3_column_type(st, 3) != SQLITE_NULL) {
		s->has_management = 1;
		blob_add(&s->management, st, 3);
	}
	if (sqlite3_column_type(st, 4) == SQLITE_NULL ||
	    sqlite3_column_type(st, 5) == SQLITE_NULL) {
		sae_err_set(err, SAE_ECORRUPT, "transfer '%s' of unit '%s' has "
		    "no time-stamped digest list", s->transfer, s->unit);
		goto out;
	}
	blob_add(&s->digest_list, st, 4);
	blob_add(&s->digest_tsr, st, 5);
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

static int
snap_objects(sqlite3 *db, struct snapshot *s, long long useq,
    struct sae_err *err)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	/* Physical objects have no bytes, hence no digest to prove. */
	st = catalog_prepare(db, "SELECT o.id, o.sha256, o.size FROM "
	    "unit_group ug JOIN object o ON o.grp = ug.grp WHERE ug.unit = ? "
	    "AND o.physical = 0 ORDER BY o.seq", err);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, useq);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct pobject *o;

		if (s->nobjs == cap) {
			cap = cap ? 2 * cap : 8;
			s->objs = sae_xreallocarray(s->objs, cap,
			    sizeof(*s->objs));
		}
		o = &s->objs[s->nobjs++];
		snprintf(o->id, sizeof(o->id), "%s", catalog_text(st, 0));
		snprintf(o->sha256, sizeof(o->sha256), "%s",
		    catalog_text(st, 1) ? catalog_text(st, 1) : "");
		o->size = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return catalog_fail(err, db, "proof objects");
	return 0;
}

/* The unit's entries up to the last seal, each checked against its hash. */
static int
snap_entries(sqlite3 *db, struct snapshot *s, long long upto,
    struct sae_err *err)
{
	unsigned char md[32];
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	st = catalog_prepare(db, "SELECT seq, ts, type, outcome, agent, "
	    "transfer, unit, object, message, detail, prev, hash FROM journal "
	    "WHERE unit = ? AND seq <= ? ORDER BY seq", err);
	if (st == NULL)
		return -1;
	catalog_bind_text(st, 1, s->unit);
	sqlite3_bind_int64(st, 2, upto);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct journal_entry e;
		struct pentry *p;
		const char *stored = catalog_text(st, 11);

		if (s->nentries == cap) {
			cap = cap ? 2 * cap : 16;
			s->entries = sae_xreallocarray(s->entries, cap,
			    sizeof(*s->entries));
		}
		p = &s->entries[s->nentries++];
		memset(p, 0, sizeof(*p));
		p->seq = sqlite3_column_int64(st, 0);
		e.type = catalog_text(st, 2);
		e.outcome = catalog_text(st, 3);
		e.agent = catalog_text(st, 4);
		e.transfer = catalog_text(st, 5);
		e.unit = catalog_text(st, 6);
		e.object = catalog_text(st, 7);
		e.message = catalog_text(st, 8);
		e.detail = catalog_text(st, 9);
		p->unit_ingest = e.type != NULL && !strcmp(e.type,
		    "UNIT_INGEST");
		if (journal_canonical(&p->canon, p->seq, catalog_text(st, 1),
		    &e, catalog_text(st, 10), err) == -1)
			goto corrupt;
		SHA256((const unsigned char *)p->canon.data, p->canon.len, md);
		sae_hex(p->hash, md, sizeof(md));
		if (stored == NULL || strcmp(stored, p->hash) != 0)
			goto corrupt;
		continue;
corrupt:
		sqlite3_finalize(st);
		return sae_err_set(err, SAE_ECORRUPT, "journal entry %lld was "
		    "altered: its content no longer matches its hash (run "
		    "'sae-admin journal verify')", p->seq);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return catalog_fail(err, db, "proof journal");
	return 0;
}

/* The seal of each entry, and each entry's path to that seal's root. */
static int
snap_seals(sqlite3 *db, struct snapshot *s, struct sae_err *err)
{
	unsigned char (*leaves)[32] = NULL, path[SEAL_PATH_MAX][32], h[32];
	sqlite3_stmt *st;
	size_t i, k, n, cap = 0;
	struct pseal *cur = NULL;
	int rc;

	st = catalog_prepare(db, "SELECT seq, first, last, root, tsr FROM seal "
	    "WHERE first <= ?1 AND last >= ?1", err);
	if (st == NULL)
		return -1;
	for (i = 0; i < s->nentries; i++) {
		struct pentry *p = &s->entries[i];

		if (cur == NULL || p->seq > cur->last) {
			sqlite3_reset(st);
			sqlite3_bind_int64(st, 1, p->seq);
			if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
				sqlite3_finalize(st);
				if (rc != SQLITE_DONE)
					return catalog_fail(err, db, "seal");
				return sae_err_set(err, SAE_ECORRUPT, "journal "
				    "entry %lld is under no seal", p->seq);
			}
			if (s->nseals == cap) {
				cap = cap ? 2 * cap : 4;
				s->seals = sae_xreallocarray(s->seals, cap,
				    sizeof(*s->seals));
			}
			cur = &s->seals[s->nseals++];
			memset(cur, 0, sizeof(*cur));
			cur->seq = sqlite3_column_int64(st, 0);
			cur->first = sqlite3_column_int64(st, 1);
			cur->last = sqlite3_column_int64(st, 2);
			snprintf(cur->root, sizeof(cur->root), "%s",
			    catalog_text(st, 3) ? catalog_text(st, 3) : "");
			blob_add(&cur->tsr, st, 4);
		}
		p->seal = cur->seq;
	}
	sqlite3_finalize(st);
	for (k = 0; k < s->nseals; k++) {
		struct pseal *sl = &s->seals[k];

		/* Checks the seal's root, so the paths lead to it. */
		if (seal_leaves(db, sl->seq, &leaves, &n, err) == -1)
			return -1;
		for (i = 0; i < s->nentries; i++) {
			struct pentry *p = &s->entries[i];
			size_t leaf = (size_t)(p->seq - sl->first);

			if (p->seal != sl->seq)
				continue;
			if (leaf >= n || sae_unhex(h, 32, p->hash) != 32 ||
			    memcmp(h, leaves[leaf], 32) != 0) {
				free(leaves);
				return sae_err_set(err, SAE_ECORRUPT, "journal "
				    "entry %lld is not the one seal %lld "
				    "sealed", p->seq, sl->seq);
			}
			p->npath = seal_merkle_path((const unsigned char
			    (*)[32])leaves, n, leaf, path);
			p->path = sae_xreallocarray(NULL, p->npath ? p->npath :
			    1, 32);
			memcpy(p->path, path, p->npath * 32);
		}
		free(leaves);
		leaves = NULL;
	}
	return 0;
}

static int
snapshot_read(sqlite3 *db, struct snapshot *s, struct sae_err *err)
{
	sqlite3_stmt *st;
	long long useq = 0, upto = 0;
	int ret = -1;

	/* One read transaction: entries, seals and leaves agree. */
	if (catalog_exec(db, "BEGIN", err) == -1)
		return -1;
	if (snap_unit(db, s, &useq, err) == -1 ||
	    snap_objects(db, s, useq, err) == -1)
		goto out;
	if ((st = catalog_prepare(db, "SELECT coalesce(max(last), 0) FROM seal",
	    err)) == NULL)
		goto out;
	if (sqlite3_step(st) == SQLITE_ROW)
		upto = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	/* Entries journaled since the seal made for this bundle are left
	 * out: they have no path yet, and the next bundle will have them. */
	if (snap_entries(db, s, upto, err) == -1 ||
	    snap_seals(db, s, err) == -1)
		goto out;
	ret = 0;
out:
	catalog_rollback(db);	/* read only: ends the transaction */
	return ret;
}

/* Seals now if an entry about the unit is after the last seal. */
static int
seal_if_needed(sqlite3 *db, struct tsa *tsa, const char *unit,
    const char *agent, struct sae_err *err)
{
	sqlite3_stmt *st;
	long long sealed;
	int need = 0;

	st = catalog_prepare(db, "SELECT (SELECT coalesce(max(seq), 0) FROM "
	    "journal WHERE unit = ?) > (SELECT coalesce(max(last), 0) FROM "
	    "seal)", err);
	if (st == NULL)
		return -1;
	catalog_bind_text(st, 1, unit);
	if (sqlite3_step(st) == SQLITE_ROW)
		need = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (!need)
		return 0;
	return seal_now(db, tsa, agent, &sealed, err);
}

/* ------------------------------------------------------------ the zip */

struct zout {
	struct archive	*a;
	int		 fd;
	const char	*top;		/* "proof-UNIT" */
	time_t		 mtime;
	EVP_MD_CTX	*whole;		/* SHA-256 of the zip as written */
	uint64_t	 size;
	char		**lines;	/* manifest lines, "HEX  path\n" */
	size_t		 nlines, cap;
};

static la_ssize_t
zout_write(struct archive *a, void *cls, const void *buf, size_t n)
{
	struct zout *z = cls;

	if (sae_fs_write_all(z->fd, buf, n) == -1) {
		archive_set_error(a, errno, "cannot write the bundle: %s",
		    strerror(errno));
		return -1;
	}
	EVP_DigestUpdate(z->whole, buf, n);
	z->size += n;
	return (la_ssize_t)n;
}

static int
zip_fail(struct zout *z, const char *path, struct sae_err *err)
{
	return sae_err_set(err, SAE_EIO, "proof bundle, '%s': %s", path,
	    archive_error_string(z->a) ? archive_error_string(z->a) :
	    "write failed");
}

static int
zout_begin(struct zout *z, const char *path, uint64_t size,
    struct sae_err *err)
{
	struct archive_entry *e;
	char name[512];
	int rc;

	if (snprintf(name, sizeof(name), "%s/%s", z->top, path) >=
	    (int)sizeof(name))
		return sae_err_set(err, SAE_EINTERNAL, "name too long: '%s'",
		    path);
	e = archive_entry_new();
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)size);
	archive_entry_set_mtime(e, z->mtime, 0);
	rc = archive_write_header(z->a, e);
	archive_entry_free(e);
	return rc == ARCHIVE_OK ? 0 : zip_fail(z, path, err);
}

static int
zout_data(struct zout *z, const char *path, const void *p, size_t n,
    EVP_MD_CTX *h, struct sae_err *err)
{
	const char *c = p;

	EVP_DigestUpdate(h, p, n);
	while (n > 0) {
		la_ssize_t w = archive_write_data(z->a, c, n);

		if (w <= 0)
			return zip_fail(z, path, err);
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Ends the entry; its digest goes into the manifest unless NULL. */
static int
zout_end(struct zout *z, const char *path, EVP_MD_CTX *h,
    struct sae_err *err)
{
	unsigned char md[32];
	char hex[65];
	size_t len;

	if (archive_write_finish_entry(z->a) != ARCHIVE_OK)
		return zip_fail(z, path, err);
	if (h == NULL)
		return 0;
	EVP_DigestFinal_ex(h, md, NULL);
	sae_hex(hex, md, sizeof(md));
	if (z->nlines == z->cap) {
		z->cap = z->cap ? 2 * z->cap : 64;
		z->lines = sae_xreallocarray(z->lines, z->cap, sizeof(char *));
	}
	len = 64 + 2 + strlen(path) + 2;
	z->lines[z->nlines] = sae_xmalloc(len);
	snprintf(z->lines[z->nlines++], len, "%s  %s\n", hex, path);
	return 0;
}

/* A whole file from memory; in the manifest when ${listed}. */
static int
zout_file(struct zout *z, const char *path, const void *p, size_t n,
    int listed, struct sae_err *err)
{
	EVP_MD_CTX *h = EVP_MD_CTX_new();
	int rc = -1;

	if (h == NULL || EVP_DigestInit_ex(h, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(h);
		return sae_err_set(err, SAE_ENOMEM, "cannot hash '%s'", path);
	}
	if (zout_begin(z, path, n, err) == 0 &&
	    zout_data(z, path, p, n, h, err) == 0 &&
	    zout_end(z, path, listed ? h : NULL, err) == 0)
		rc = 0;
	EVP_MD_CTX_free(h);
	return rc;
}

static int
zout_buf(struct zout *z, const char *path, const struct sae_buf *b,
    struct sae_err *err)
{
	return zout_file(z, path, b->data ? b->data : "", b->len, 1, err);
}

/* Streams one copy of the object, checked whole first (as the API does):
 * a damaged copy is skipped, never put in a bundle. */
static int
zout_object(struct zout *z, sqlite3 *db, struct store *store,
    const struct pobject *o, struct sae_err *err)
{
	char path[64], what[64], offer[64], buf[64 * 1024];
	struct store_reader *r = NULL;
	struct sae_err e;
	EVP_MD_CTX *h = NULL;
	long long got;
	ssize_t n;
	int ret = -1;

	snprintf(path, sizeof(path), "objects/%s", o->id);
	snprintf(what, sizeof(what), "object '%s'", o->id);
	if (copy_open(db, store, o->sha256, what, &r, offer, err) == -1)
		return -1;
	if ((h = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(h, EVP_sha256(), NULL) != 1) {
		sae_err_set(err, SAE_ENOMEM, "cannot hash '%s'", path);
		goto out;
	}
	if (zout_begin(z, path, (uint64_t)o->size, err) == -1)
		goto out;
	got = 0;
	while ((n = store_reader_read(r, buf, sizeof(buf), &e)) > 0) {
		got += n;
		if (got > o->size)
			break;
		if (zout_data(z, path, buf, (size_t)n, h, err) == -1)
			goto out;
	}
	if (n < 0 || got != o->size) {
		/* Too late to try another copy: the entry is begun. */
		if (n >= 0)
			sae_err_set(&e, SAE_ECORRUPT, "%lld bytes where the "
			    "catalog says %lld", got, o->size);
		sae_err_set(err, SAE_ECORRUPT, "object '%s': the copy on offer "
		    "'%s' changed while it was read: %s", o->id, offer, e.msg);
		goto out;
	}
	if (zout_end(z, path, h, err) == -1)
		goto out;
	ret = 0;
out:
	EVP_MD_CTX_free(h);
	store_reader_free(r);
	return ret;
}

/* SHA-256 fingerprint of the first certificate of ${pem}, openssl style. */
static void
ca_fingerprint(const char *pem, char out[96])
{
	unsigned char md[32];
	unsigned int len = 0;
	X509 *x = NULL;
	BIO *b;
	size_t i;

	snprintf(out, 96, "(illisible)");
	if ((b = BIO_new_mem_buf(pem, -1)) == NULL)
		return;
	x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	if (x != NULL && X509_digest(x, EVP_sha256(), md, &len) == 1 &&
	    len == 32)
		for (i = 0; i < 32; i++)
			snprintf(out + 3 * i, 96 - 3 * i, "%02X%s", md[i],
			    i + 1 < 32 ? ":" : "");
	X509_free(x);
}

static int
line_cmp(const void *a, const void *b)
{
	/* By path, after "HEX  ": byte order, as LC_ALL=C sort. */
	return strcmp(*(char *const *)a + 66, *(char *const *)b + 66);
}

/* README.txt: how to check the bundle by hand, in French. */
static void
readme(struct sae_buf *b, const struct snapshot *s, const char *fpr,
    const char *now, int objects)
{
	const struct pentry *ui = NULL;
	char uif[64] = "journal/<SEQ>.json";
	size_t i;

	for (i = 0; i < s->nentries; i++)
		if (s->entries[i].unit_ingest)
			ui = &s->entries[i];
	if (ui != NULL)
		snprintf(uif, sizeof(uif), "journal/%012lld.json", ui->seq);
	sae_buf_printf(b,
"Paquet de preuve d'une unité d'archives\n"
"=======================================\n"
"\n"
"  unité       %s\n"
"  versement   %s\n"
"  fait le     %s, par l'archive électronique sae %s\n"
"  objets      %s\n"
"\n"
"Ce paquet permet de vérifier hors ligne, sans faire confiance au serveur\n"
"qui l'a produit, que cette unité, ses métadonnées et ses objets sont ceux\n"
"que l'archive a reçus, que son journal en garde la trace, et que ce\n"
"journal a été scellé et horodaté (RFC 3161) par l'autorité d'horodatage\n"
"de l'archive.\n"
"\n"
"Vérification automatique :\n"
"\n"
"    sae-verify --ca CA-PUBLIEE.pem proof-%s.zip\n"
"\n"
"Ce fichier décrit la même vérification à la main, avec sha256sum,\n"
"openssl et un shell POSIX.  Les commandes se lancent dans le dossier\n"
"proof-%s/, une fois le paquet extrait (unzip proof-%s.zip).\n"
"\n"
"Contenu\n"
"-------\n"
"  README.txt                ce fichier\n"
"  unit.json                 l'unité telle que l'API la montre à cette date\n"
"                            (GET /v1/units/%s)\n"
"  metadata/content.xml      ses métadonnées descriptives (Content), octets\n"
"                            tels que reçus\n"
"  metadata/management.xml   ses règles de gestion (Management), s'il y en a\n"
"  objects.sha256            l'empreinte SHA-256 de chacun de ses objets\n"
"  objects/ID                les objets eux-mêmes, s'ils sont demandés\n"
"  ingest/digest-list.txt    la liste des empreintes du versement, et\n"
"  ingest/digest-list.tsr    son jeton d'horodatage\n"
"  journal/SEQ.json          chaque entrée du journal sur cette unité : les\n"
"                            octets exacts dont le SHA-256 est l'empreinte\n"
"  journal/SEQ.path          le chemin de Merkle de l'entrée jusqu'à la\n"
"                            racine de son sceau (un hash par ligne)\n"
"  journal/index.tsv         SEQ, empreinte, numéro du sceau\n"
"  seals/N.root, N.tsr       racine de chaque sceau et son jeton\n"
"  seals/index.tsv           N, première et dernière entrée, racine\n"
"  tsa/ca.pem, tsa/tsa.pem   les certificats de l'autorité d'horodatage\n"
"  manifest.sha256           l'empreinte de chaque fichier ci-dessus, et\n"
"  manifest.tsr              son jeton d'horodatage, fait avec le paquet\n"
"\n", s->unit, s->transfer, now, PACKAGE_VERSION, objects ?
	    "présents dans ce paquet" : "absents (paquet demandé sans les "
	    "objets)", s->unit, s->unit, s->unit, s->unit);
	sae_buf_printf(b,
"1. L'autorité d'horodatage\n"
"--------------------------\n"
"Tout repose sur elle.  Empreinte SHA-256 du certificat de l'autorité\n"
"(tsa/ca.pem) de ce paquet :\n"
"\n"
"    %s\n"
"\n"
"Elle s'affiche avec :\n"
"\n"
"    openssl x509 -in tsa/ca.pem -noout -fingerprint -sha256\n"
"\n"
"Comparez-la à celle que l'archive publie par ailleurs.  Si elles\n"
"diffèrent, rien de ce qui suit ne prouve quoi que ce soit : n'importe qui\n"
"peut créer une autorité et horodater ce qu'il veut.  Avec le certificat\n"
"publié, remplacez tsa/ca.pem par ce fichier dans les commandes ci-dessous.\n"
"\n"
"2. Chaque fichier du paquet est intact\n"
"--------------------------------------\n"
"\n"
"    sha256sum -c manifest.sha256\n"
"    openssl ts -verify -data manifest.sha256 -in manifest.tsr -CAfile tsa/ca.pem\n"
"\n"
"La première doit répondre OK (ou « Réussi ») pour chaque fichier, la\n"
"seconde « Verification: OK ».  Aucun fichier ne doit manquer à la liste,\n"
"ni s'y ajouter ; la commande suivante ne doit rien afficher :\n"
"\n"
"    { find . -type f ! -path ./manifest.sha256 ! -path ./manifest.tsr | sed 's|^\\./||'; cut -c67- manifest.sha256; } | LC_ALL=C sort | uniq -u\n"
"\n"
"Le manifeste est horodaté quand le paquet est fait ; unit.json (âge,\n"
"gels) n'est garanti que par lui : c'est l'état du catalogue à cette\n"
"date.  Tout le reste est aussi rattaché au journal scellé, comme suit.\n"
"\n", fpr);
	sae_buf_printf(b,
"3. Le versement\n"
"---------------\n"
"La liste des empreintes de tous les objets du versement, horodatée quand\n"
"il a été reçu :\n"
"\n"
"    openssl ts -verify -data ingest/digest-list.txt -in ingest/digest-list.tsr -CAfile tsa/ca.pem\n"
"    openssl ts -reply -in ingest/digest-list.tsr -text | grep 'Time stamp'\n"
"\n"
"4. Les objets\n"
"-------------\n"
"Chaque ligne de objects.sha256 doit se retrouver dans la liste du\n"
"versement :\n"
"\n"
"    while read -r h f; do grep -q \"^object ${f#objects/} sha256 $h \" ingest/digest-list.txt && echo \"OK ${f#objects/}\" || echo \"ÉCHEC ${f#objects/}\"; done < objects.sha256\n"
"\n"
"et dans l'entrée UNIT_INGEST du journal, qui donne aussi leur SHA-512\n"
"et leur taille :\n"
"\n"
"    grep -o '\"id\":\"[^\"]*\",\"sha256\":\"[0-9a-f]*\"' %s\n"
"\n", uif);
	if (objects)
		sae_buf_printf(b,
"Les objets sont dans ce paquet ; leurs octets se vérifient avec :\n"
"\n"
"    sha256sum -c objects.sha256\n"
"\n");
	else
		sae_buf_printf(b,
"Les objets ne sont pas dans ce paquet (demandez-le avec ?objects=1 ou\n"
"sae-admin proof --objects).  Un objet obtenu autrement (GET\n"
"/v1/objects/ID) se vérifie avec sha256sum FICHIER, à comparer à sa ligne.\n"
"\n");
	sae_buf_printf(b,
"5. Les métadonnées\n"
"------------------\n"
"Le SHA-256 de metadata/content.xml est dans la même entrée UNIT_INGEST\n"
"(et celui de metadata/management.xml s'il y en a un) :\n"
"\n"
"    sha256sum metadata/content.xml\n"
"    grep -o '\"content_sha256\":\"[0-9a-f]*\"' %s\n"
"\n", uif);
	sae_buf_printf(b,
"6. Les entrées du journal et leurs sceaux\n"
"-----------------------------------------\n"
"Chaque journal/SEQ.json contient les octets exacts d'une entrée : son\n"
"SHA-256 est l'empreinte que donne journal/index.tsv.  Chaque entrée doit\n"
"nommer cette unité ; la commande suivante ne doit rien afficher :\n"
"\n"
"    grep -L '\"unit\":\"%s\"' journal/*.json\n"
"\n"
"Un sceau est un arbre de Merkle (RFC 4998) : ses feuilles sont les\n"
"empreintes des entrées scellées (et celle du jeton du sceau précédent) ;\n"
"chaque noeud est le SHA-256 de ses deux enfants, pris dans l'ordre des\n"
"octets (le plus petit d'abord) et mis bout à bout.  journal/SEQ.path\n"
"donne, de la feuille à la racine, le voisin rencontré à chaque niveau.\n"
"Le script suivant (shell POSIX) refait le calcul pour chaque entrée et\n"
"compare le résultat à la racine du sceau.  Il convertit l'hexadécimal en\n"
"octets avec xxd -r -p (paquet Debian xxd) ; sans xxd, remplacez la\n"
"première ligne par : hex2bin() { perl -ne 'print pack \"H*\", $_'; }\n"
"\n"
"    # --- début du script ---\n"
"    hex2bin() { xxd -r -p; }\n"
"    tab=$(printf '\\t')\n"
"    while IFS=$tab read -r seq hash seal; do\n"
"      h=$(sha256sum < journal/$seq.json | cut -c1-64); ok=1\n"
"      [ \"$h\" = \"$hash\" ] || ok=0\n"
"      while read -r s; do\n"
"        if [ \"$(printf '%%s\\n%%s\\n' \"$h\" \"$s\" | LC_ALL=C sort | head -n 1)\" = \"$h\" ]\n"
"        then p=$h$s; else p=$s$h; fi\n"
"        h=$(printf %%s \"$p\" | hex2bin | sha256sum | cut -c1-64)\n"
"      done < journal/$seq.path\n"
"      [ \"$h\" = \"$(cat seals/$seal.root)\" ] || ok=0\n"
"      if [ $ok = 1 ]; then echo \"OK entrée $seq, sceau $seal\"; else echo \"ÉCHEC entrée $seq\"; fi\n"
"    done < journal/index.tsv\n"
"    # --- fin du script ---\n"
"\n"
"Chaque ligne doit commencer par OK.  Reste à vérifier que chaque racine\n"
"a bien été horodatée par l'autorité :\n"
"\n", s->unit);
	for (i = 0; i < s->nseals; i++)
		sae_buf_printf(b, "    openssl ts -verify -digest $(cat "
		    "seals/%lld.root) -in seals/%lld.tsr -CAfile tsa/ca.pem\n",
		    s->seals[i].seq, s->seals[i].seq);
	sae_buf_printf(b,
"\n"
"La date de chaque sceau : openssl ts -reply -in seals/N.tsr -text.\n"
"\n"
"Ce que cela prouve\n"
"------------------\n"
"Si tout tient : les objets et les métadonnées de l'unité sont ceux dont\n"
"l'archive a enregistré l'empreinte à leur arrivée ; ces empreintes\n"
"étaient dans le journal de l'archive au plus tard à la date du sceau qui\n"
"les couvre, et ni elles ni aucune autre entrée de ce journal sur cette\n"
"unité n'ont changé depuis.  Le tout vaut ce que vaut l'autorité\n"
"d'horodatage (point 1).\n");
}

int
proof_build(int fd, sqlite3 *db, struct store *store, struct tsa *tsa,
    const char *unit, const struct proof_opts *opts, struct proof_result *res,
    struct sae_err *err)
{
	struct snapshot s;
	struct zout z;
	struct sae_buf text = SAE_BUF_INIT, tsr = SAE_BUF_INIT;
	unsigned char md[32];
	char top[16 + SAE_ID_LEN], now[32], fpr[96], path[64], *json = NULL;
	char detail[512];
	size_t i, k;
	int ret = -1;

	memset(&s, 0, sizeof(s));
	memset(&z, 0, sizeof(z));
	memset(res, 0, sizeof(*res));
	s.unit = unit;
	if (!sae_id_valid(unit))
		return sae_err_set(err, SAE_ENOTFOUND, "no unit '%s'", unit);
	/* Who may see the unit may have its proof; others learn nothing. */
	if (units_json(db, unit, opts->who, &s.unit_json, err) == -1)
		return -1;
	if (opts->objects && store == NULL) {
		sae_err_set(err, SAE_EINTERNAL, "no store to read objects "
		    "from");
		goto out;
	}
	/* Its history still proves what was destroyed; its bytes are gone. */
	if (opts->objects && json_string_value(json_object_get(s.unit_json,
	    "state")) != NULL && strcmp(json_string_value(json_object_get(
	    s.unit_json, "state")), "alive") != 0) {
		sae_err_set(err, SAE_EINVAL, "unit '%s' is %s: its objects are "
		    "no longer held; ask for its proof without them", unit,
		    json_string_value(json_object_get(s.unit_json, "state")));
		goto out;
	}
	if (seal_if_needed(db, tsa, unit, opts->agent, err) == -1 ||
	    snapshot_read(db, &s, err) == -1)
		goto out;

	snprintf(top, sizeof(top), "proof-%s", unit);
	sae_time_now_iso(now);
	z.fd = fd;
	z.top = top;
	z.mtime = time(NULL);
	if ((z.whole = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(z.whole, EVP_sha256(), NULL) != 1 ||
	    (z.a = archive_write_new()) == NULL) {
		sae_err_set(err, SAE_ENOMEM, "cannot start the bundle");
		goto out;
	}
	if (archive_write_set_format_zip(z.a) != ARCHIVE_OK ||
	    archive_write_set_options(z.a, "zip:compression=deflate") !=
	    ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(z.a, 1) != ARCHIVE_OK ||
	    archive_write_open2(z.a, &z, NULL, zout_write, NULL, NULL) !=
	    ARCHIVE_OK) {
		zip_fail(&z, "(start)", err);
		goto out;
	}

	ca_fingerprint(tsa_ca_pem(tsa), fpr);
	readme(&text, &s, fpr, now, opts->objects);
	if (zout_buf(&z, "README.txt", &text, err) == -1)
		goto out;
	sae_buf_reset(&text);
	json = json_dumps(s.unit_json, API_JSON_FLAGS);
	sae_buf_adds(&text, json);
	sae_buf_addc(&text, '\n');
	if (zout_buf(&z, "unit.json", &text, err) == -1 ||
	    zout_buf(&z, "metadata/content.xml", &s.content, err) == -1 ||
	    (s.has_management && zout_buf(&z, "metadata/management.xml",
	    &s.management, err) == -1))
		goto out;
	sae_buf_reset(&text);
	for (i = 0; i < s.nobjs; i++)
		sae_buf_printf(&text, "%s  objects/%s\n", s.objs[i].sha256,
		    s.objs[i].id);
	if (zout_buf(&z, "objects.sha256", &text, err) == -1)
		goto out;
	for (i = 0; opts->objects && i < s.nobjs; i++)
		if (zout_object(&z, db, store, &s.objs[i], err) == -1)
			goto out;
	if (zout_buf(&z, "ingest/digest-list.txt", &s.digest_list, err) == -1 ||
	    zout_buf(&z, "ingest/digest-list.tsr", &s.digest_tsr, err) == -1)
		goto out;

	sae_buf_reset(&text);
	for (i = 0; i < s.nentries; i++) {
		const struct pentry *p = &s.entries[i];
		struct sae_buf pb = SAE_BUF_INIT;
		int rc;

		sae_buf_printf(&text, "%012lld\t%s\t%lld\n", p->seq, p->hash,
		    p->seal);
		snprintf(path, sizeof(path), "journal/%012lld.json", p->seq);
		if (zout_buf(&z, path, &p->canon, err) == -1)
			goto out;
		for (k = 0; k < p->npath; k++) {
			sae_buf_add_hex(&pb, p->path[k], 32);
			sae_buf_addc(&pb, '\n');
		}
		snprintf(path, sizeof(path), "journal/%012lld.path", p->seq);
		rc = zout_buf(&z, path, &pb, err);
		sae_buf_done(&pb);
		if (rc == -1)
			goto out;
	}
	if (zout_buf(&z, "journal/index.tsv", &text, err) == -1)
		goto out;
	sae_buf_reset(&text);
	for (i = 0; i < s.nseals; i++) {
		const struct pseal *sl = &s.seals[i];
		char root[80];

		sae_buf_printf(&text, "%lld\t%012lld\t%012lld\t%s\n", sl->seq,
		    sl->first, sl->last, sl->root);
		snprintf(root, sizeof(root), "%s\n", sl->root);
		snprintf(path, sizeof(path), "seals/%lld.root", sl->seq);
		if (zout_file(&z, path, root, strlen(root), 1, err) == -1)
			goto out;
		snprintf(path, sizeof(path), "seals/%lld.tsr", sl->seq);
		if (zout_buf(&z, path, &sl->tsr, err) == -1)
			goto out;
	}
	if (zout_buf(&z, "seals/index.tsv", &text, err) == -1 ||
	    zout_file(&z, "tsa/ca.pem", tsa_ca_pem(tsa),
	    strlen(tsa_ca_pem(tsa)), 1, err) == -1 ||
	    zout_file(&z, "tsa/tsa.pem", tsa_cert_pem(tsa),
	    strlen(tsa_cert_pem(tsa)), 1, err) == -1)
		goto out;

	/* The manifest anchors every byte of every other file. */
	qsort(z.lines, z.nlines, sizeof(char *), line_cmp);
	sae_buf_reset(&text);
	for (i = 0; i < z.nlines; i++)
		sae_buf_adds(&text, z.lines[i]);
	SHA256((const unsigned char *)text.data, text.len, md);
	sae_hex(res->manifest_sha256, md, sizeof(md));
	if (tsa_stamp(tsa, "sha256", md, sizeof(md), &tsr, err) == -1 ||
	    zout_file(&z, MANIFEST, text.data, text.len, 0, err) == -1 ||
	    zout_file(&z, "manifest.tsr", tsr.data, tsr.len, 0, err) == -1)
		goto out;
	if (archive_write_close(z.a) != ARCHIVE_OK) {
		zip_fail(&z, "(end)", err);
		goto out;
	}
	EVP_DigestFinal_ex(z.whole, md, NULL);
	sae_hex(res->sha256, md, sizeof(md));
	res->size = z.size;
	res->entries = (long long)s.nentries;
	res->objects = (long long)s.nobjs;

	snprintf(detail, sizeof(detail), "{\"bundle_sha256\":\"%s\","
	    "\"bundle_size\":%llu,\"entries\":%zu,\"manifest_sha256\":\"%s\","
	    "\"objects\":%s}", res->sha256, (unsigned long long)res->size,
	    s.nentries, res->manifest_sha256, opts->objects ? "true" :
	    "false");
	if (catalog_begin(db, err) == -1)
		goto out;
	if (journal_commit_unit(db, "PROOF", opts->agent, unit, detail, err,
	    "Paquet de preuve délivré (%s)", opts->objects ? "avec les objets" :
	    "sans les objets") == -1) {
		catalog_rollback(db);
		goto out;
	}
	ret = 0;
out:
	if (z.a != NULL)
		archive_write_free(z.a);	/* closes too, when not yet */
	EVP_MD_CTX_free(z.whole);
	for (i = 0; i < z.nlines; i++)
		free(z.lines[i]);
	free(z.lines);
	free(json);
	sae_buf_done(&text);
	sae_buf_done(&tsr);
	snap_done(&s);
	return ret;
}
