/*
 * sae-verify.c: checks a unit's proof bundle offline, for auditors: no
 * daemon, no data directory, no network.  Reads the zip (or tar) with
 * libarchive, refuses anything but plain files under one top directory,
 * then checks the time-stamped manifest, the ingest digest list, the
 * objects' digests, the metadata, each journal entry's hash and Merkle
 * path, and each seal's token.  Says in plain French what holds and what
 * does not.  The bundle's layout is in sae-verify(1).  Uses only tsa.c
 * (token checks) and the base plumbing of the project.
 */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/sha.h>
#include <openssl/ts.h>
#include <openssl/x509.h>

#include "sae/buf.h"
#include "sae/err.h"
#include "sae/fsutil.h"
#include "sae/id.h"
#include "sae/tsa.h"
#include "sae/xmalloc.h"

#define FILE_MAX	(256u << 20)	/* one file kept in memory */
#define TOTAL_MAX	(1024u << 20)	/* all of them (objects are not kept) */

struct bfile {
	char		*path;		/* below the top directory */
	unsigned char	 sha256[32];
	unsigned char	 sha512[64];
	uint64_t	 size;
	struct sae_buf	 data;		/* everything but objects/ */
	int		 object;
	int		 used;		/* referenced by an index or list */
	int		 listed;	/* in the manifest */
};

struct bundle {
	char		 top[128];	/* "proof-UNIT" */
	const char	*unit;
	struct bfile	*files;
	size_t		 nfiles, cap;
	uint64_t	 kept;
};

/* The digest list of the transfer, and the UNIT_INGEST entry's objects. */
struct dobj {
	char		 id[64];
	char		 sha256[65];
	char		 sha512[129];
	long long	 size;
};

static int quiet;
static unsigned nok, nfail;
static STACK_OF(X509) *known;	/* the certificates a token may carry */

static void say(int, const char *, ...) __attribute__((format(printf, 2, 3)));
static void note(const char *, ...) __attribute__((format(printf, 1, 2)));

/* One check, one line: OK or ÉCHEC, then what. */
static void
say(int ok, const char *fmt, ...)
{
	va_list ap;

	if (ok)
		nok++;
	else
		nfail++;
	if (ok && quiet)
		return;
	fputs(ok ? "OK     " : "ÉCHEC  ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* Something to know that is not a check. */
static void
note(const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	fputs("NOTE   ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* ------------------------------------------------------ reading it */

/* Why an entry name is refused, or NULL. */
static const char *
bad_name(const char *name)
{
	const char *c, *seg;
	size_t len;

	if (*name == '\0')
		return "nom vide";
	if (*name == '/')
		return "chemin absolu";
	for (c = name; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f || *c == '\\')
			return "caractère interdit dans le nom";
	for (seg = name; *seg; seg += len + (seg[len] == '/')) {
		len = strcspn(seg, "/");
		if (len == 0)
			return "composant vide dans le chemin";
		if ((len == 1 && seg[0] == '.') ||
		    (len == 2 && seg[0] == '.' && seg[1] == '.'))
			return "« . » ou « .. » dans le chemin";
	}
	return NULL;
}

static int
path_cmp(const void *a, const void *b)
{
	return strcmp(((const struct bfile *)a)->path,
	    ((const struct bfile *)b)->path);
}

static struct bfile *
find(struct bundle *b, const char *path)
{
	struct bfile key;

	key.path = (char *)path;
	return b->nfiles ? bsearch(&key, b->files, b->nfiles, sizeof(key),
	    path_cmp) : NULL;
}

static const struct sae_buf *
content(struct bundle *b, const char *path)
{
	struct bfile *f = find(b, path);

	if (f == NULL || f->object)
		return NULL;
	f->used = 1;
	return &f->data;
}

/* Reads one entry's data, hashing it; keeps it unless it is an object. */
static int
read_data(struct archive *a, struct bundle *b, struct bfile *f)
{
	static char buf[64 * 1024];
	EVP_MD_CTX *h256 = EVP_MD_CTX_new(), *h512 = EVP_MD_CTX_new();
	la_ssize_t n;
	int ret = -1;

	if (h256 == NULL || h512 == NULL ||
	    EVP_DigestInit_ex(h256, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestInit_ex(h512, EVP_sha512(), NULL) != 1) {
		say(0, "mémoire insuffisante");
		goto out;
	}
	while ((n = archive_read_data(a, buf, sizeof(buf))) > 0) {
		EVP_DigestUpdate(h256, buf, (size_t)n);
		if (f->object)
			EVP_DigestUpdate(h512, buf, (size_t)n);
		f->size += (uint64_t)n;
		if (f->object)
			continue;
		b->kept += (uint64_t)n;
		if (f->size > FILE_MAX || b->kept > TOTAL_MAX) {
			say(0, "paquet refusé : %s est trop gros pour un "
			    "paquet de preuve", f->path);
			goto out;
		}
		sae_buf_add(&f->data, buf, (size_t)n);
	}
	if (n < 0) {
		say(0, "paquet illisible : le contenu de %s est endommagé (%s)",
		    f->path, archive_error_string(a) ? archive_error_string(a) :
		    "erreur de lecture");
		goto out;
	}
	EVP_DigestFinal_ex(h256, f->sha256, NULL);
	EVP_DigestFinal_ex(h512, f->sha512, NULL);
	ret = 0;
out:
	EVP_MD_CTX_free(h256);
	EVP_MD_CTX_free(h512);
	return ret;
}

/*
 * Reads every entry.  Returns 0 when the bundle could be read as a set of
 * plain files under one top directory; -1 after saying why not.
 */
static int
read_bundle(const char *file, struct bundle *b)
{
	struct archive *a;
	struct archive_entry *e;
	size_t i, toplen = 0;
	int r, ret = -1, bad = 0;

	a = archive_read_new();
	archive_read_support_format_zip(a);
	archive_read_support_format_tar(a);
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_zstd(a);
	if (archive_read_open_filename(a, file, 64 * 1024) != ARCHIVE_OK) {
		say(0, "paquet illisible : %s", archive_error_string(a) ?
		    archive_error_string(a) : file);
		archive_read_free(a);
		return -1;
	}
	for (;;) {
		const char *name, *why, *rel;
		struct bfile *f;
		int type;

		r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK) {
			say(0, "paquet illisible : %s",
			    archive_error_string(a) ? archive_error_string(a) :
			    "en-tête endommagé");
			goto out;
		}
		name = archive_entry_pathname(e);
		type = archive_entry_filetype(e);
		if (name == NULL) {
			say(0, "paquet refusé : une entrée n'a pas de nom "
			    "lisible");
			goto out;
		}
		if ((why = bad_name(name)) != NULL) {
			say(0, "paquet refusé : entrée « %s » : %s", name, why);
			bad = 1;
			continue;
		}
		if (b->top[0] == '\0' && type == AE_IFDIR &&
		    strchr(name, '/') == NULL &&
		    strlen(name) < sizeof(b->top)) {
			/* The top directory itself, named without a slash. */
			snprintf(b->top, sizeof(b->top), "%s", name);
			toplen = strlen(name);
			continue;
		}
		if (b->top[0] == '\0') {
			toplen = strcspn(name, "/");
			if (toplen >= sizeof(b->top) || name[toplen] != '/') {
				say(0, "paquet refusé : « %s » n'est pas dans "
				    "un dossier proof-UNITÉ/", name);
				goto out;
			}
			memcpy(b->top, name, toplen);
			b->top[toplen] = '\0';
		}
		if (type == AE_IFDIR && !strcmp(name, b->top))
			continue;
		if (strncmp(name, b->top, toplen) != 0 ||
		    name[toplen] != '/') {
			say(0, "paquet refusé : « %s » est hors du dossier %s/",
			    name, b->top);
			bad = 1;
			continue;
		}
		rel = name + toplen + 1;
		if (archive_entry_symlink(e) != NULL ||
		    archive_entry_hardlink(e) != NULL) {
			say(0, "paquet refusé : « %s » est un lien", name);
			bad = 1;
			continue;
		}
		if (type == AE_IFDIR)
			continue;
		if (type != AE_IFREG || *rel == '\0' ||
		    rel[strlen(rel) - 1] == '/') {
			say(0, "paquet refusé : « %s » n'est pas un fichier "
			    "ordinaire", name);
			bad = 1;
			continue;
		}
		if (b->nfiles == b->cap) {
			b->cap = b->cap ? 2 * b->cap : 64;
			b->files = sae_xreallocarray(b->files, b->cap,
			    sizeof(*b->files));
		}
		f = &b->files[b->nfiles++];
		memset(f, 0, sizeof(*f));
		f->path = sae_xstrdup(rel);
		f->object = strncmp(rel, "objects/", 8) == 0;
		if (read_data(a, b, f) == -1)
			goto out;
	}
	if (b->top[0] == '\0') {
		say(0, "paquet refusé : il ne contient aucun fichier");
		goto out;
	}
	qsort(b->files, b->nfiles, sizeof(*b->files), path_cmp);
	for (i = 1; i < b->nfiles; i++)
		if (!strcmp(b->files[i - 1].path, b->files[i].path)) {
			say(0, "paquet refusé : %s/%s y figure deux fois",
			    b->top, b->files[i].path);
			bad = 1;
		}
	ret = bad ? -1 : 0;
out:
	archive_read_free(a);
	return ret;
}

/* ------------------------------------------------------ small helpers */

static int
is_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' &&
		    s[i] <= 'f')))
			return 0;
	return 1;
}

static void
tohex(char *out, const unsigned char *p, size_t n)
{
	sae_hex(out, p, n);
}

/*
 * Next line of ${b} from *pos, NUL-terminated into ${line}; 0 at the end,
 * -1 for a line too long or not ended by a newline.
 */
static int
next_line(const struct sae_buf *b, size_t *pos, char *line, size_t size)
{
	const char *p, *nl;
	size_t n;

	if (b->data == NULL || *pos >= b->len)
		return 0;
	p = b->data + *pos;
	nl = memchr(p, '\n', b->len - *pos);
	if (nl == NULL)
		return -1;
	n = (size_t)(nl - p);
	if (n >= size || memchr(p, '\0', n) != NULL)
		return -1;
	memcpy(line, p, n);
	line[n] = '\0';
	*pos += n + 1;
	return 1;
}

/* SHA-256 fingerprint of the first certificate of ${pem}, openssl style. */
static int
fingerprint(const char *pem, char out[96])
{
	unsigned char md[32];
	unsigned int len = 0;
	X509 *x;
	BIO *bio;
	size_t i;

	if ((bio = BIO_new_mem_buf(pem, -1)) == NULL)
		return -1;
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (x == NULL || X509_digest(x, EVP_sha256(), md, &len) != 1 ||
	    len != 32) {
		X509_free(x);
		return -1;
	}
	X509_free(x);
	for (i = 0; i < 32; i++)
		snprintf(out + 3 * i, 96 - 3 * i, "%02X%s", md[i], i < 31 ?
		    ":" : "");
	return 0;
}

/* Adds every certificate of ${pem} to the known ones. */
static void
add_known(const char *pem)
{
	X509 *x;
	BIO *bio;

	if (pem == NULL || (bio = BIO_new_mem_buf(pem, -1)) == NULL)
		return;
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
		if (!sk_X509_push(known, x))
			X509_free(x);
	BIO_free(bio);
}

static int
is_known(X509 *x)
{
	int i;

	for (i = 0; i < sk_X509_num(known); i++)
		if (X509_cmp(x, sk_X509_value(known, i)) == 0)
			return 1;
	return 0;
}

/*
 * The parts of a token its signature does not cover (the response's
 * status, some version and algorithm fields, the certificates it carries)
 * must be what sae's TSA writes: openssl ts -verify ignores them, and
 * nothing else covers manifest.tsr, so a changed byte there would go
 * unnoticed.  With ${certs}, every certificate the token carries must be
 * one of the bundle's (tsa/, --ca).  NULL when it has that shape, else why.
 */
static const char *
token_shape(const struct sae_buf *tsr, int certs)
{
	const unsigned char *p = (const unsigned char *)tsr->data;
	const char *why = NULL;
	TS_RESP *r;
	TS_STATUS_INFO *st;
	PKCS7 *tok;
	PKCS7_SIGNED *sd;
	PKCS7_SIGNER_INFO *si;
	const ASN1_OBJECT *alg;
	X509 *signer;
	int i, want = NID_undef, got, pkey;

	if (tsr->data == NULL || tsr->len > LONG_MAX ||
	    (r = d2i_TS_RESP(NULL, &p, (long)tsr->len)) == NULL)
		return "ce n'est pas une réponse d'horodatage lisible";
	st = TS_RESP_get_status_info(r);
	tok = TS_RESP_get_token(r);
	if (ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(st)) !=
	    TS_STATUS_GRANTED || TS_STATUS_INFO_get0_text(st) != NULL ||
	    TS_STATUS_INFO_get0_failure_info(st) != NULL) {
		why = "son statut n'est pas « accordé » sans réserve";
		goto out;
	}
	if (tok == NULL || !PKCS7_type_is_signed(tok) ||
	    (sd = tok->d.sign) == NULL || ASN1_INTEGER_get(sd->version) != 3 ||
	    sk_PKCS7_SIGNER_INFO_num(sd->signer_info) != 1 ||
	    sk_X509_CRL_num(sd->crl) > 0) {
		why = "sa structure n'est pas celle d'un jeton de l'archive";
		goto out;
	}
	si = sk_PKCS7_SIGNER_INFO_value(sd->signer_info, 0);
	if (ASN1_INTEGER_get(si->version) != 1 ||
	    sk_X509_ATTRIBUTE_num(si->unauth_attr) > 0) {
		why = "sa signature n'a pas la forme de celles de l'archive";
		goto out;
	}
	/* The signature algorithm must be the one its key and digest give
	 * (OpenSSL does not look at it). */
	if ((signer = PKCS7_cert_from_signer_info(tok, si)) == NULL ||
	    X509_get0_pubkey(signer) == NULL) {
		why = "le certificat du signataire n'y est pas";
		goto out;
	}
	X509_ALGOR_get0(&alg, NULL, NULL, si->digest_enc_alg);
	got = OBJ_obj2nid(alg);
	pkey = EVP_PKEY_get_base_id(X509_get0_pubkey(signer));
	if (!OBJ_find_sigid_by_algs(&want, OBJ_obj2nid(
	    si->digest_alg->algorithm), pkey) || (got != want && got != pkey)) {
		why = "son algorithme de signature n'est pas celui de sa clé";
		goto out;
	}
	for (i = 0; certs && i < sk_X509_num(sd->cert); i++)
		if (!is_known(sk_X509_value(sd->cert, i))) {
			why = "il porte un certificat qui n'est pas dans tsa/";
			goto out;
		}
out:
	TS_RESP_free(r);
	return why;
}

/*
 * Checks a token over ${md}; says what holds with ${what}.  ${certs}: see
 * token_shape.
 */
static int
token(const struct sae_buf *tsr, const char *ca, const unsigned char md[32],
    const char *what, int certs)
{
	struct sae_err err;
	const char *why;
	char when[32];

	if (tsr == NULL) {
		say(0, "%s : jeton d'horodatage absent", what);
		return -1;
	}
	if (tsa_verify(tsr->data, tsr->len, ca, md, 32, when, &err) == -1) {
		struct tsa_token tok;
		struct sae_err e2;

		/* A certificate that has expired since: say so, and whether
		 * the token held when it was made.  It still fails: what
		 * renewed it (the later seals) is in the archive's journal,
		 * not in this bundle. */
		if (tsa_verify_at(tsr->data, tsr->len, ca, md, 32,
		    TSA_AT_GENTIME, &tok, &e2) == 0 &&
		    tok.not_after_t < time(NULL)) {
			say(0, "%s : le certificat de l'autorité qui a signé ce "
			    "jeton a expiré le %s ; le jeton tenait à sa date "
			    "(%s), mais son renouvellement (les sceaux "
			    "suivants) n'est pas dans ce paquet : vérifiez-le "
			    "auprès de l'archive (sae-admin journal verify)",
			    what, tok.not_after, tok.gentime);
			return -1;
		}
		say(0, "%s : le jeton d'horodatage ne tient pas (%s)", what,
		    err.msg);
		return -1;
	}
	if ((why = token_shape(tsr, certs)) != NULL) {
		say(0, "%s : le jeton d'horodatage a été modifié (%s)", what,
		    why);
		return -1;
	}
	say(1, "%s : jeton d'horodatage valide sous l'autorité, daté du %s",
	    what, when);
	return 0;
}

/* ------------------------------------------------------ the checks */

static void
check_manifest(struct bundle *b, const char *ca)
{
	const struct sae_buf *m = content(b, "manifest.sha256");
	unsigned char md[32], want[32];
	char line[1024];
	size_t pos = 0, i, listed = 0, bad = 0;
	int r;

	if (m == NULL) {
		say(0, "manifest.sha256 est absent : rien ne garantit les "
		    "fichiers du paquet");
		return;
	}
	SHA256((const unsigned char *)m->data, m->len, md);
	/* The one token nothing else covers: its certificates too. */
	token(content(b, "manifest.tsr"), ca, md, "manifest.sha256", 1);
	while ((r = next_line(m, &pos, line, sizeof(line))) == 1) {
		struct bfile *f;

		if (strlen(line) < 67 || !is_hex(line, 64) ||
		    strncmp(line + 64, "  ", 2) != 0) {
			say(0, "manifest.sha256 : ligne mal formée : %.80s",
			    line);
			bad++;
			continue;
		}
		listed++;
		f = find(b, line + 66);
		if (f == NULL) {
			say(0, "fichier manquant : %s est dans le manifeste "
			    "mais pas dans le paquet", line + 66);
			bad++;
			continue;
		}
		if (f->listed) {
			say(0, "manifest.sha256 : %s y figure deux fois",
			    line + 66);
			bad++;
			continue;
		}
		line[64] = '\0';
		sae_unhex(want, 32, line);
		f->listed = 1;
		if (memcmp(want, f->sha256, 32) != 0) {
			say(0, "fichier modifié : %s (son SHA-256 n'est pas "
			    "celui du manifeste)", f->path);
			bad++;
		}
	}
	if (r == -1) {
		say(0, "manifest.sha256 : fin de fichier ou ligne mal formée");
		bad++;
	}
	for (i = 0; i < b->nfiles; i++) {
		struct bfile *f = &b->files[i];

		if (f->listed || !strcmp(f->path, "manifest.sha256") ||
		    !strcmp(f->path, "manifest.tsr"))
			continue;
		say(0, "fichier en trop : %s n'est pas dans le manifeste",
		    f->path);
		bad++;
	}
	if (bad == 0)
		say(1, "manifest.sha256 : les %zu fichiers qu'il liste sont "
		    "intacts, aucun ne manque, aucun n'est en trop", listed);
}

/* Parses the ingest digest list: "object ID sha256 H sha512 H size N". */
static int
parse_digest_list(const struct sae_buf *dl, char transfer[64],
    struct dobj **out, size_t *n)
{
	char line[1024], id[64], s256[80], s512[160];
	size_t pos = 0, cap = 0;
	long long size;
	int r;

	*out = NULL;
	*n = 0;
	transfer[0] = '\0';
	if ((r = next_line(dl, &pos, line, sizeof(line))) != 1 ||
	    strcmp(line, "sae-digest-list 1") != 0)
		return -1;
	while ((r = next_line(dl, &pos, line, sizeof(line))) == 1) {
		struct dobj *o;

		if (!strncmp(line, "transfer ", 9)) {
			snprintf(transfer, 64, "%.63s", line + 9);
			continue;
		}
		if (strncmp(line, "object ", 7) != 0)
			continue;
		if (sscanf(line, "object %63s sha256 %79s sha512 %159s size "
		    "%lld", id, s256, s512, &size) != 4 ||
		    strlen(s256) != 64 || strlen(s512) != 128)
			return -1;
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			*out = sae_xreallocarray(*out, cap, sizeof(**out));
		}
		o = &(*out)[(*n)++];
		snprintf(o->id, sizeof(o->id), "%s", id);
		snprintf(o->sha256, sizeof(o->sha256), "%s", s256);
		snprintf(o->sha512, sizeof(o->sha512), "%s", s512);
		o->size = size;
	}
	return r == -1 ? -1 : 0;
}

static const struct dobj *
dobj_find(const struct dobj *v, size_t n, const char *id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i].id, id))
			return &v[i];
	return NULL;
}

struct seal {
	long long	 n, first, last;
	unsigned char	 root[32];
	int		 ok;		/* its token holds */
};

static struct seal *
seal_find(struct seal *v, size_t n, long long k)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].n == k)
			return &v[i];
	return NULL;
}

static void
check_seals(struct bundle *b, const char *ca, struct seal **out, size_t *n)
{
	const struct sae_buf *idx = content(b, "seals/index.tsv");
	char line[512], root[80], what[128], path[64];
	size_t pos = 0, cap = 0, i;
	int r;

	*out = NULL;
	*n = 0;
	if (idx == NULL) {
		say(0, "seals/index.tsv est absent : aucun sceau à vérifier");
		return;
	}
	while ((r = next_line(idx, &pos, line, sizeof(line))) == 1) {
		const struct sae_buf *rootf, *tsr;
		struct seal *s;
		int used;

		if (*n == cap) {
			cap = cap ? 2 * cap : 8;
			*out = sae_xreallocarray(*out, cap, sizeof(**out));
		}
		s = &(*out)[*n];
		memset(s, 0, sizeof(*s));
		if (sscanf(line, "%lld\t%lld\t%lld\t%79s%n", &s->n, &s->first,
		    &s->last, root, &used) != 4 || line[used] != '\0' ||
		    strlen(root) != 64 || !is_hex(root, 64) || s->n < 1 ||
		    s->first < 1 || s->last < s->first ||
		    seal_find(*out, *n, s->n) != NULL) {
			say(0, "seals/index.tsv : ligne mal formée ou en "
			    "double : %.80s", line);
			continue;
		}
		sae_unhex(s->root, 32, root);
		(*n)++;
		snprintf(path, sizeof(path), "seals/%lld.tsr", s->n);
		tsr = content(b, path);
		snprintf(path, sizeof(path), "seals/%lld.root", s->n);
		rootf = content(b, path);
		if (rootf == NULL || rootf->len != 65 ||
		    memcmp(rootf->data, root, 64) != 0 || rootf->data[64] !=
		    '\n') {
			say(0, "sceau %lld : %s manque ou ne donne pas la "
			    "racine de seals/index.tsv", s->n, path);
			continue;
		}
		snprintf(what, sizeof(what), "sceau %lld (entrées %lld à %lld "
		    "du journal)", s->n, s->first, s->last);
		s->ok = token(tsr, ca, s->root, what, 0) == 0;
	}
	if (r == -1)
		say(0, "seals/index.tsv : fin de fichier ou ligne mal formée");
	for (i = 0; i < b->nfiles; i++)
		if (!strncmp(b->files[i].path, "seals/", 6) &&
		    !b->files[i].used)
			say(0, "%s n'est pas un sceau de seals/index.tsv",
			    b->files[i].path);
}

/* Folds an entry's hash up its Merkle path: sorted pairs, as RFC 4998. */
static int
fold_path(const struct sae_buf *p, const unsigned char leaf[32],
    unsigned char out[32])
{
	unsigned char sib[32], pair[64];
	char line[128];
	size_t pos = 0;
	int r, lo;

	memcpy(out, leaf, 32);
	while ((r = next_line(p, &pos, line, sizeof(line))) == 1) {
		if (strlen(line) != 64 || !is_hex(line, 64))
			return -1;
		sae_unhex(sib, 32, line);
		lo = memcmp(out, sib, 32) <= 0;
		memcpy(pair, lo ? out : sib, 32);
		memcpy(pair + 32, lo ? sib : out, 32);
		SHA256(pair, sizeof(pair), out);
	}
	return r;
}

/*
 * Each journal entry: its bytes give its hash, it names the unit, its path
 * leads to its seal's root.  Returns the UNIT_INGEST entry (caller
 * decrefs), or NULL.
 */
static json_t *
check_journal(struct bundle *b, struct seal *seals, size_t nseals)
{
	const struct sae_buf *idx = content(b, "journal/index.tsv");
	json_t *ingest = NULL;
	char line[512], hash[80], seq[32], path[64], got[65];
	size_t pos = 0, i, n = 0, ningest = 0;
	int r;

	if (idx == NULL) {
		say(0, "journal/index.tsv est absent : aucune entrée du "
		    "journal à vérifier");
		return NULL;
	}
	while ((r = next_line(idx, &pos, line, sizeof(line))) == 1) {
		const struct sae_buf *entry, *p;
		unsigned char leaf[32], top[32];
		long long sealno, seqn;
		struct seal *s;
		json_error_t jerr;
		json_t *o = NULL;
		const char *unit;
		char type[64];
		int used;

		n++;
		if (sscanf(line, "%12[0-9]\t%79s\t%lld%n", seq, hash, &sealno,
		    &used) != 3 || line[used] != '\0' || strlen(seq) != 12 ||
		    strlen(hash) != 64 || !is_hex(hash, 64)) {
			say(0, "journal/index.tsv : ligne mal formée : %.80s",
			    line);
			continue;
		}
		seqn = strtoll(seq, NULL, 10);
		snprintf(path, sizeof(path), "journal/%s.path", seq);
		p = content(b, path);
		snprintf(path, sizeof(path), "journal/%s.json", seq);
		if ((entry = content(b, path)) == NULL) {
			say(0, "entrée %lld du journal : %s manque", seqn,
			    path);
			continue;
		}
		SHA256((const unsigned char *)entry->data, entry->len, leaf);
		tohex(got, leaf, 32);
		if (strcmp(got, hash) != 0) {
			say(0, "entrée %lld du journal : ses octets ne donnent "
			    "plus son empreinte (%s a été modifié)", seqn,
			    path);
			continue;
		}
		o = json_loadb(entry->data ? entry->data : "", entry->len,
		    JSON_REJECT_DUPLICATES, &jerr);
		/* Copied: the entry is released before its lines are said. */
		snprintf(type, sizeof(type), "%s", json_string_value(
		    json_object_get(o, "type")) ? json_string_value(
		    json_object_get(o, "type")) : "");
		unit = json_string_value(json_object_get(o, "unit"));
		if (o == NULL || !json_is_integer(json_object_get(o, "seq")) ||
		    json_integer_value(json_object_get(o, "seq")) != seqn ||
		    type[0] == '\0') {
			say(0, "entrée %lld du journal : %s n'est pas une "
			    "entrée du journal lisible", seqn, path);
			json_decref(o);
			continue;
		}
		if (unit == NULL || strcmp(unit, b->unit) != 0) {
			say(0, "entrée %lld du journal (%s) : elle concerne "
			    "l'unité %s, pas %s", seqn, type, unit ? unit :
			    "(aucune)", b->unit);
			json_decref(o);
			continue;
		}
		if (!strcmp(type, "UNIT_INGEST")) {
			ningest++;
			json_decref(ingest);
			ingest = json_incref(o);
		}
		json_decref(o);
		s = seal_find(seals, nseals, sealno);
		if (p == NULL) {
			say(0, "entrée %lld du journal : journal/%s.path "
			    "manque", seqn, seq);
			continue;
		}
		if (s == NULL || seqn < s->first || seqn > s->last) {
			say(0, "entrée %lld du journal : le sceau %lld qui "
			    "devrait la couvrir n'est pas dans le paquet",
			    seqn, sealno);
			continue;
		}
		if (fold_path(p, leaf, top) != 0 ||
		    memcmp(top, s->root, 32) != 0) {
			say(0, "entrée %lld du journal (%s) : son chemin de "
			    "Merkle ne mène pas à la racine du sceau %lld",
			    seqn, type, sealno);
			continue;
		}
		say(1, "entrée %lld du journal (%s) : empreinte exacte, "
		    "scellée dans le sceau %lld%s", seqn, type, sealno, s->ok ?
		    "" : " (dont le jeton ne tient pas)");
	}
	if (r == -1)
		say(0, "journal/index.tsv : fin de fichier ou ligne mal "
		    "formée");
	for (i = 0; i < b->nfiles; i++)
		if (!strncmp(b->files[i].path, "journal/", 8) &&
		    !b->files[i].used)
			say(0, "%s n'est pas une entrée de journal/index.tsv",
			    b->files[i].path);
	if (n == 0)
		say(0, "le paquet ne contient aucune entrée du journal");
	if (ningest != 1) {
		say(0, "le journal du paquet devrait avoir une entrée "
		    "UNIT_INGEST (l'archivage de l'unité) ; il en a %zu",
		    ningest);
		json_decref(ingest);
		return NULL;
	}
	return ingest;
}

static void
check_ingest(struct bundle *b, const char *ca, json_t *ui)
{
	const struct sae_buf *dl = content(b, "ingest/digest-list.txt");
	const struct sae_buf *list = content(b, "objects.sha256");
	struct dobj *dv = NULL;
	json_t *uobjs = json_object_get(ui, "detail") ?
	    json_object_get(json_object_get(ui, "detail"), "objects") : NULL;
	const char *utransfer = json_string_value(json_object_get(ui,
	    "transfer"));
	unsigned char md[32];
	char transfer[64], line[512], hex[129], what[160];
	size_t pos = 0, ndv = 0, i, nlisted = 0;
	json_t *jo;
	int r;

	if (dl == NULL) {
		say(0, "ingest/digest-list.txt est absent : les empreintes du "
		    "versement ne peuvent être vérifiées");
		return;
	}
	SHA256((const unsigned char *)dl->data, dl->len, md);
	r = parse_digest_list(dl, transfer, &dv, &ndv);
	snprintf(what, sizeof(what), "liste des empreintes du versement %s",
	    transfer[0] ? transfer : "(ingest/digest-list.txt)");
	token(content(b, "ingest/digest-list.tsr"), ca, md, what, 0);
	if (r == -1) {
		say(0, "ingest/digest-list.txt n'est pas une liste "
		    "d'empreintes lisible");
		free(dv);
		return;
	}
	if (ui != NULL && (utransfer == NULL || strcmp(utransfer, transfer)))
		say(0, "la liste des empreintes est celle du versement %s, "
		    "l'entrée UNIT_INGEST nomme le versement %s", transfer,
		    utransfer ? utransfer : "(aucun)");
	if (list == NULL) {
		say(0, "objects.sha256 est absent");
		free(dv);
		return;
	}
	/* Each object listed: the same digest everywhere it appears. */
	while ((r = next_line(list, &pos, line, sizeof(line))) == 1) {
		const struct dobj *d;
		const char *id;
		struct bfile *f;
		char path[sizeof(line)];
		int ok = 1, in_ui = 0;

		if (strlen(line) < 75 || !is_hex(line, 64) ||
		    strncmp(line + 64, "  objects/", 10) != 0) {
			say(0, "objects.sha256 : ligne mal formée : %.80s",
			    line);
			continue;
		}
		id = line + 74;
		line[64] = '\0';
		nlisted++;
		d = dobj_find(dv, ndv, id);
		if (d == NULL || strcmp(d->sha256, line) != 0) {
			say(0, "objet %s : %s", id, d == NULL ? "absent de la "
			    "liste des empreintes du versement" : "son SHA-256 "
			    "n'est pas celui de la liste du versement");
			continue;
		}
		json_array_foreach(uobjs, i, jo) {
			const char *jid = json_string_value(json_object_get(jo,
			    "id"));

			if (jid == NULL || strcmp(jid, id) != 0)
				continue;
			in_ui = 1;
			if (json_string_value(json_object_get(jo, "sha256")) ==
			    NULL || strcmp(json_string_value(json_object_get(jo,
			    "sha256")), d->sha256) != 0 ||
			    json_string_value(json_object_get(jo, "sha512")) ==
			    NULL || strcmp(json_string_value(json_object_get(jo,
			    "sha512")), d->sha512) != 0 ||
			    json_integer_value(json_object_get(jo, "size")) !=
			    d->size)
				ok = 0;
		}
		if (ui != NULL && (!in_ui || !ok)) {
			say(0, "objet %s : %s", id, !in_ui ? "absent de "
			    "l'entrée UNIT_INGEST du journal" : "ses "
			    "empreintes ou sa taille diffèrent entre l'entrée "
			    "UNIT_INGEST et la liste du versement");
			continue;
		}
		snprintf(path, sizeof(path), "objects/%s", id);
		if ((f = find(b, path)) != NULL) {
			f->used = 1;
			tohex(hex, f->sha256, 32);
			if (strcmp(hex, d->sha256) != 0) {
				say(0, "objet %s : le fichier %s a été modifié "
				    "(son SHA-256 n'est pas celui archivé)",
				    id, path);
				continue;
			}
			tohex(hex, f->sha512, 64);
			if (strcmp(hex, d->sha512) != 0 ||
			    f->size != (uint64_t)d->size) {
				say(0, "objet %s : le fichier %s n'a pas le "
				    "SHA-512 ou la taille archivés", id, path);
				continue;
			}
		}
		say(1, "objet %s : même SHA-256 dans objects.sha256, la liste "
		    "du versement%s%s", id, ui != NULL ? " et l'entrée "
		    "UNIT_INGEST" : "", f != NULL ? ", et ses octets dans le "
		    "paquet le donnent" : "");
	}
	if (r == -1)
		say(0, "objects.sha256 : fin de fichier ou ligne mal formée");
	/* Nothing left out, nothing added. */
	json_array_foreach(uobjs, i, jo) {
		const char *jid = json_string_value(json_object_get(jo, "id"));
		char needle[128];

		if (jid == NULL || json_object_get(jo, "sha256") == NULL)
			continue;	/* a physical object: no bytes */
		snprintf(needle, sizeof(needle), "  objects/%s\n", jid);
		if (list->data == NULL || memmem(list->data, list->len, needle,
		    strlen(needle)) == NULL)
			say(0, "objet %s : archivé avec l'unité (entrée "
			    "UNIT_INGEST) mais absent de objects.sha256", jid);
	}
	for (i = 0; i < b->nfiles; i++)
		if (b->files[i].object && !b->files[i].used)
			say(0, "%s n'est pas un objet de objects.sha256",
			    b->files[i].path);
	if (nlisted == 0)
		note("l'unité n'a aucun objet numérique");
	free(dv);
}

/* content.xml and management.xml against the digests UNIT_INGEST gives. */
static void
check_metadata(struct bundle *b, json_t *ui)
{
	static const struct {
		const char	*path, *key;
	} meta[] = {
		{ "metadata/content.xml", "content_sha256" },
		{ "metadata/management.xml", "management_sha256" },
	};
	json_t *detail = json_object_get(ui, "detail");
	unsigned char md[32];
	char hex[65];
	size_t i;

	if (content(b, "metadata/content.xml") == NULL)
		say(0, "metadata/content.xml est absent");
	if (ui == NULL)
		return;
	if (json_object_get(detail, "content_sha256") == NULL) {
		note("l'entrée UNIT_INGEST ne donne pas l'empreinte des "
		    "métadonnées (unité archivée avant cette version) : "
		    "metadata/ n'est garanti que par le manifeste");
		return;
	}
	for (i = 0; i < sizeof(meta) / sizeof(meta[0]); i++) {
		const struct sae_buf *x = content(b, meta[i].path);
		const char *want = json_string_value(json_object_get(detail,
		    meta[i].key));

		if (x == NULL && want == NULL)
			continue;
		if (x == NULL || want == NULL) {
			say(0, "%s : %s", meta[i].path, x == NULL ? "absent du "
			    "paquet alors que l'entrée UNIT_INGEST en donne "
			    "l'empreinte" : "l'entrée UNIT_INGEST n'en donne "
			    "pas l'empreinte");
			continue;
		}
		SHA256((const unsigned char *)(x->data ? x->data : ""), x->len,
		    md);
		tohex(hex, md, 32);
		if (strcmp(hex, want) != 0)
			say(0, "%s : son SHA-256 n'est pas celui de l'entrée "
			    "UNIT_INGEST (les métadonnées ont été modifiées)",
			    meta[i].path);
		else
			say(1, "%s : même SHA-256 que dans l'entrée "
			    "UNIT_INGEST", meta[i].path);
	}
}

static void
check_unit_json(struct bundle *b, json_t *ui)
{
	const struct sae_buf *u = content(b, "unit.json");
	const char *id, *tr, *utr = json_string_value(json_object_get(ui,
	    "transfer"));
	json_t *o;

	if (u == NULL) {
		say(0, "unit.json est absent");
		return;
	}
	o = json_loadb(u->data ? u->data : "", u->len, JSON_REJECT_DUPLICATES,
	    NULL);
	id = json_string_value(json_object_get(o, "id"));
	tr = json_string_value(json_object_get(o, "transfer"));
	if (id == NULL || strcmp(id, b->unit) != 0)
		say(0, "unit.json ne décrit pas l'unité %s", b->unit);
	else if (utr != NULL && (tr == NULL || strcmp(tr, utr) != 0))
		say(0, "unit.json nomme le versement %s, le journal %s",
		    tr ? tr : "(aucun)", utr);
	else
		say(1, "unit.json décrit l'unité %s%s%s", b->unit, tr ?
		    ", versement " : "", tr ? tr : "");
	json_decref(o);
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: sae-verify [--ca FICHIER] [--quiet] PAQUET\n"
	    "Vérifie hors ligne le paquet de preuve d'une unité d'archives "
	    "(voir sae-verify(1)).\n"
	    "  --ca FICHIER  le certificat de l'autorité d'horodatage publié "
	    "par l'archive\n"
	    "                (par défaut : tsa/ca.pem du paquet)\n"
	    "  --quiet       n'affiche que les échecs et le résultat\n"
	    "Code de sortie : 0 tout tient, 1 quelque chose ne tient pas, 2 "
	    "usage.\n");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ca", required_argument, NULL, 'c' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct sae_buf cafile = SAE_BUF_INIT;
	const struct sae_buf *bca;
	const char *ca_path = NULL, *ca;
	struct bundle b;
	struct seal *seals = NULL;
	struct sae_err err;
	size_t nseals = 0, i;
	char fpr[96], bfpr[96];
	json_t *ui = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "c:qhV", opts, NULL)) != -1)
		switch (c) {
		case 'c': ca_path = optarg; break;
		case 'q': quiet = 1; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("sae-verify %s\n", PACKAGE_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	if (optind + 1 != argc) {
		usage(stderr);
		return 2;
	}
	if (!sae_fs_exists(argv[optind])) {
		fprintf(stderr, "sae-verify: '%s' n'existe pas\n",
		    argv[optind]);
		return 2;
	}
	if (ca_path != NULL) {
		if (sae_fs_read(ca_path, &cafile, 1 << 20, &err) == -1 ||
		    fingerprint(cafile.data ? cafile.data : "", fpr) == -1) {
			fprintf(stderr, "sae-verify: --ca '%s' : pas un "
			    "certificat PEM lisible\n", ca_path);
			sae_buf_done(&cafile);
			return 2;
		}
	}
	memset(&b, 0, sizeof(b));
	if (!quiet)
		printf("Vérification du paquet de preuve %s\n", argv[optind]);
	if (read_bundle(argv[optind], &b) == -1)
		goto done;
	if (strncmp(b.top, "proof-", 6) != 0 || !sae_id_valid(b.top + 6)) {
		say(0, "paquet refusé : le dossier %s/ ne nomme pas une unité "
		    "(proof-IDENTIFIANT/)", b.top);
		goto done;
	}
	b.unit = b.top + 6;
	note("unité %s, %zu fichiers", b.unit, b.nfiles);

	/* Every token is checked under one authority: say which. */
	bca = content(&b, "tsa/ca.pem");
	if (bca != NULL && bca->data == NULL)
		bca = NULL;	/* empty */
	known = sk_X509_new_null();
	add_known(bca != NULL ? bca->data : NULL);
	add_known(content(&b, "tsa/tsa.pem") != NULL ?
	    content(&b, "tsa/tsa.pem")->data : NULL);
	add_known(cafile.data);
	if (ca_path != NULL) {
		ca = cafile.data;
		note("autorité d'horodatage : certificat donné par --ca %s, "
		    "empreinte SHA-256 %s", ca_path, fpr);
		if (bca == NULL || fingerprint(bca->data, bfpr) == -1 ||
		    strcmp(bfpr, fpr) != 0)
			note("tsa/ca.pem du paquet n'est pas ce certificat ; "
			    "les jetons sont vérifiés avec celui de --ca");
	} else if (bca == NULL || fingerprint(bca->data, fpr) == -1) {
		say(0, "tsa/ca.pem est absent ou illisible : aucun jeton ne "
		    "peut être vérifié (donnez --ca)");
		ca = "";
	} else {
		ca = bca->data;
		note("autorité d'horodatage : tsa/ca.pem du paquet, empreinte "
		    "SHA-256 %s ; comparez-la à celle que l'archive publie, ou "
		    "donnez --ca", fpr);
	}

	check_manifest(&b, ca);
	check_seals(&b, ca, &seals, &nseals);
	ui = check_journal(&b, seals, nseals);
	check_ingest(&b, ca, ui);
	check_metadata(&b, ui);
	check_unit_json(&b, ui);
done:
	if (nfail == 0)
		printf("RÉSULTAT : tout tient (%u vérifications).\n", nok);
	else
		printf("RÉSULTAT : ÉCHEC, %u vérification%s sur %u ne tien%s "
		    "pas.\n", nfail, nfail > 1 ? "s" : "", nok + nfail,
		    nfail > 1 ? "nent" : "t");
	json_decref(ui);
	sk_X509_pop_free(known, X509_free);
	free(seals);
	for (i = 0; i < b.nfiles; i++) {
		free(b.files[i].path);
		sae_buf_done(&b.files[i].data);
	}
	free(b.files);
	sae_buf_done(&cafile);
	return nfail == 0 ? 0 : 1;
}
