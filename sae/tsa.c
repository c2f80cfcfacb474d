/*
 * tsa.c: the built-in RFC 3161 time-stamping authority (local CA and TSA
 * certificate made at first start, renewed under the same CA before it
 * expires, tokens signed with OpenSSL's TS_RESP code) and the offline
 * check of tokens, now or at a given time.  Touches only the files of its
 * own directory (ca.pem, ca.key, tsa.pem, tsa.key, old/, .lock) and logs
 * nothing.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/rand.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "sae/buf.h"
#include "sae/err.h"
#include "sae/fsutil.h"
#include "sae/tsa.h"
#include "sae/xmalloc.h"

#define TSA_DEF_POLICY	"1.3.6.1.4.1.99999.1.1"
#define TSA_DEF_NAME	"sae TSA"
#define TSA_DEF_DAYS	3650
#define TSA_MAX_DAYS	36500	/* keeps 2 * days (the CA's life) in an int */
#define TSA_MAX_PEM	(256 * 1024)

/* 3.4 renamed the setters that take ownership; the semantics are unchanged. */
#if OPENSSL_VERSION_NUMBER >= 0x30400000L
#define vctx_set_store(c, s)		TS_VERIFY_CTX_set0_store((c), (s))
#define vctx_set_imprint(c, p, n) \
	TS_VERIFY_CTX_set0_imprint((c), (p), (n))
#else
#define vctx_set_store(c, s)		TS_VERIFY_CTX_set_store((c), (s))
#define vctx_set_imprint(c, p, n) \
	TS_VERIFY_CTX_set_imprint((c), (p), (n))
#endif

/*
 * One TSA key and certificate.  A renewal makes a new one current; the
 * old one keeps its certificate and PEM (tsa_cert_pem's callers may hold
 * them) until tsa_free, but drops its key.
 */
struct tsa_gen {
	X509			*cert;
	EVP_PKEY		*key;	/* NULL once retired */
	char			*pem;
	struct tsa_cert_info	 info;
	struct tsa_gen		*older;
};

struct tsa {
	pthread_mutex_t		 lock;	/* cur, older, old, nold */
	struct tsa_gen		*cur;	/* also read atomically, unlocked */
	X509			*ca;	/* the CA key is not kept */
	STACK_OF(X509)		*chain;	/* the CA certificate, put in tokens */
	ASN1_OBJECT		*policy;
	char			*ca_pem;
	struct tsa_cert_info	 ca_info;
	struct tsa_cert_info	*old;	/* earlier certificates (old/) */
	size_t			 nold;
	char			 dir[PATH_MAX];
	char			 cn[128];
	int			 days;
};

/*
 * Fills ${err} with the formatted sentence and the reason OpenSSL gave
 * last, then empties OpenSSL's (thread-local) error queue.  Returns -1.
 */
static int ossl_err(struct sae_err *, enum sae_code, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static int
ossl_err(struct sae_err *err, enum sae_code code, const char *fmt, ...)
{
	char what[384];
	const char *reason = NULL, *data = NULL;
	unsigned long e;
	va_list ap;
	int flags = 0;

	va_start(ap, fmt);
	if (vsnprintf(what, sizeof(what), fmt, ap) < 0)
		what[0] = '\0';
	va_end(ap);
	e = ERR_peek_last_error_data(&data, &flags);
	if (e != 0)
		reason = ERR_reason_error_string(e);
	if (reason == NULL)
		reason = "no details";
	if (data == NULL || (flags & ERR_TXT_STRING) == 0 || *data == '\0')
		data = NULL;
	sae_err_set(err, code, "%s (OpenSSL: %s%s%s)", what, reason,
	    data != NULL ? ": " : "", data != NULL ? data : "");
	ERR_clear_error();
	return -1;
}

static const EVP_MD *
md_by_name(const char *name)
{
	if (name == NULL)
		return NULL;
	if (strcmp(name, "sha256") == 0)
		return EVP_sha256();
	if (strcmp(name, "sha384") == 0)
		return EVP_sha384();
	if (strcmp(name, "sha512") == 0)
		return EVP_sha512();
	return NULL;
}

/*
 * A positive random integer of exactly ${bits} bits (top bit set, so it is
 * never zero and its size is fixed).  Used for certificate and token
 * serials: uniqueness without a counter to persist.
 */
static ASN1_INTEGER *
random_serial(int bits)
{
	ASN1_INTEGER *ai = NULL;
	BIGNUM *bn;

	if ((bn = BN_new()) == NULL)
		return NULL;
	if (BN_rand(bn, bits, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) == 1)
		ai = BN_to_ASN1_INTEGER(bn, NULL);
	BN_free(bn);
	return ai;
}

/* TS_RESP_CTX serial callback: 128 bits (RFC 3161 allows up to 160). */
static ASN1_INTEGER *
serial_cb(TS_RESP_CTX *rc, void *data)
{
	ASN1_INTEGER *ai;

	(void)data;
	if ((ai = random_serial(128)) == NULL) {
		TS_RESP_CTX_set_status_info(rc, TS_STATUS_REJECTION,
		    "cannot generate a serial number");
		TS_RESP_CTX_add_failure_info(rc,
		    TS_INFO_ADD_INFO_NOT_AVAILABLE);
	}
	return ai;
}

/* PEM text of ${x}, NUL-terminated, for the tsa_*_pem accessors. */
static char *
cert_to_pem(X509 *x)
{
	char *p, *s = NULL;
	BIO *b;
	long n;

	if ((b = BIO_new(BIO_s_mem())) == NULL)
		return NULL;
	if (PEM_write_bio_X509(b, x) == 1 && (n = BIO_get_mem_data(b, &p)) > 0)
		s = sae_xstrndup(p, (size_t)n);
	BIO_free(b);
	return s;
}

/* ${a} as "YYYY-MM-DDTHH:MM:SSZ" in ${out} and seconds since 1970 in *t. */
static int
asn1_time_iso(const ASN1_TIME *a, char out[32], time_t *t)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (a == NULL || ASN1_TIME_to_tm(a, &tm) != 1 ||
	    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		ERR_clear_error();
		return -1;
	}
	if (t != NULL)
		*t = timegm(&tm);
	return 0;
}

static void
cert_info_of(X509 *x, struct tsa_cert_info *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	BIGNUM *bn;
	char *hex = NULL;

	memset(out, 0, sizeof(*out));
	if (X509_digest(x, EVP_sha256(), md, &mdlen) == 1)
		sae_hex(out->sha256, md, mdlen);
	if ((bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL)) !=
	    NULL && (hex = BN_bn2hex(bn)) != NULL) {
		snprintf(out->serial, sizeof(out->serial), "%s", hex);
		for (char *c = out->serial; *c != '\0'; c++)
			if (*c >= 'A' && *c <= 'F')
				*c = (char)(*c - 'A' + 'a');
	}
	OPENSSL_free(hex);
	BN_free(bn);
	asn1_time_iso(X509_get0_notBefore(x), out->not_before, NULL);
	asn1_time_iso(X509_get0_notAfter(x), out->not_after,
	    &out->not_after_t);
	ERR_clear_error();
}

/* ------------------------------------------------------------ creation */

static EVP_PKEY *
make_key(struct sae_err *err)
{
	EVP_PKEY *k;

	if ((k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")) == NULL)
		ossl_err(err, SAE_EINTERNAL, "cannot generate an EC P-256 key");
	return k;
}

static int
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL)
		return -1;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok == 1 ? 0 : -1;
}

/*
 * A certificate for ${key} named CN=${cn}, signed by ${issuer_key} (the
 * issuer certificate is ${issuer}, or NULL for a self-signed CA).
 */
static X509 *
make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key,
    int days, struct sae_err *err)
{
	ASN1_INTEGER *serial = NULL;
	X509_NAME *name = NULL;
	X509 *x = NULL;
	int ca = issuer == NULL;

	if ((x = X509_new()) == NULL || (name = X509_NAME_new()) == NULL ||
	    (serial = random_serial(127)) == NULL)
		goto fail;
	if (X509_set_version(x, X509_VERSION_3) != 1 ||
	    X509_set_serialNumber(x, serial) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(x), 0) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), days, 0, NULL) == NULL)
		goto fail;
	/* A certificate that outlives its issuer checks no longer than it. */
	if (!ca && ASN1_TIME_compare(X509_get0_notAfter(x),
	    X509_get0_notAfter(issuer)) > 0 &&
	    X509_set1_notAfter(x, X509_get0_notAfter(issuer)) != 1)
		goto fail;
	if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0) != 1 ||
	    X509_set_subject_name(x, name) != 1 ||
	    X509_set_issuer_name(x, ca ? name :
	    X509_get_subject_name(issuer)) != 1 ||
	    X509_set_pubkey(x, key) != 1)
		goto fail;
	if (ca) {
		if (add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE") ||
		    add_ext(x, x, NID_key_usage,
		    "critical,keyCertSign,cRLSign") ||
		    add_ext(x, x, NID_subject_key_identifier, "hash"))
			goto fail;
	} else {
		/* RFC 3161 2.3: the only EKU, and critical. */
		if (add_ext(x, issuer, NID_basic_constraints,
		    "critical,CA:FALSE") ||
		    add_ext(x, issuer, NID_key_usage,
		    "critical,digitalSignature,nonRepudiation") ||
		    add_ext(x, issuer, NID_ext_key_usage,
		    "critical,timeStamping") ||
		    add_ext(x, issuer, NID_subject_key_identifier, "hash") ||
		    add_ext(x, issuer, NID_authority_key_identifier,
		    "keyid:always"))
			goto fail;
	}
	if (X509_sign(x, issuer_key, EVP_sha256()) <= 0)
		goto fail;
	X509_NAME_free(name);
	ASN1_INTEGER_free(serial);
	return x;
fail:
	ossl_err(err, SAE_EINTERNAL, "cannot make the certificate 'CN=%s'",
	    cn);
	X509_NAME_free(name);
	ASN1_INTEGER_free(serial);
	X509_free(x);
	return NULL;
}

/*
 * Writes ${key} to ${path} (mode 0600, must not exist).  The PEM text sits
 * in a secure-memory BIO, which wipes it on free; we wipe it too.
 */
static int
save_key(const char *path, EVP_PKEY *key, struct sae_err *err)
{
	char *p;
	BIO *b;
	long n;
	int ret = -1;

	if ((b = BIO_new(BIO_s_secmem())) == NULL)
		return ossl_err(err, SAE_ENOMEM, "cannot write '%s'", path);
	if (PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL) != 1 ||
	    (n = BIO_get_mem_data(b, &p)) <= 0) {
		ossl_err(err, SAE_EINTERNAL, "cannot encode the key for '%s'",
		    path);
		goto out;
	}
	ret = sae_fs_create_secret(path, p, (size_t)n, err);
	OPENSSL_cleanse(p, (size_t)n);
out:
	BIO_free(b);
	return ret;
}

static int
save_cert(const char *path, X509 *x, struct sae_err *err)
{
	char *pem;
	int ret;

	if ((pem = cert_to_pem(x)) == NULL)
		return ossl_err(err, SAE_EINTERNAL, "cannot encode '%s'", path);
	ret = sae_fs_write_atomic(path, pem, strlen(pem), 0644, err);
	free(pem);
	return ret;
}

/*
 * First start: makes the CA and the TSA certificate and writes the four
 * files; the TSA key and certificate go to *key and *cert.  On failure
 * removes what it wrote, so that the next start sees an empty directory
 * again.
 */
static int
create_all(struct tsa *t, char paths[4][PATH_MAX], X509 **cert,
    EVP_PKEY **key, struct sae_err *err)
{
	EVP_PKEY *cakey = NULL;
	char cacn[160];
	int i, done = 0, ret = -1;

	if (sae_path(cacn, sizeof(cacn), "%s CA", t->cn) == -1) {
		sae_err_set(err, SAE_EINVAL, "the TSA name '%s' is too long",
		    t->cn);
		goto out;
	}
	if ((cakey = make_key(err)) == NULL ||
	    (t->ca = make_cert(cakey, cacn, NULL, cakey, 2 * t->days,
	    err)) == NULL ||
	    (*key = make_key(err)) == NULL ||
	    (*cert = make_cert(*key, t->cn, t->ca, cakey, t->days,
	    err)) == NULL)
		goto out;
	/* Order: ca.pem, ca.key, tsa.pem, tsa.key (the order of paths[]). */
	if (save_cert(paths[0], t->ca, err) == -1)
		goto out;
	done++;
	if (save_key(paths[1], cakey, err) == -1)
		goto out;
	done++;
	if (save_cert(paths[2], *cert, err) == -1)
		goto out;
	done++;
	if (save_key(paths[3], *key, err) == -1)
		goto out;
	done++;
	ret = 0;
out:
	if (ret == -1)
		for (i = 0; i < done; i++)
			unlink(paths[i]);
	EVP_PKEY_free(cakey);	/* frees with BN_clear_free: wiped */
	return ret;
}

/* ------------------------------------------------------------- loading */

static X509 *
load_cert(const char *path, struct sae_err *err)
{
	struct sae_buf b = SAE_BUF_INIT;
	X509 *x = NULL;
	BIO *bio = NULL;

	if (sae_fs_read(path, &b, TSA_MAX_PEM, err) == -1)
		goto out;
	if ((bio = BIO_new_mem_buf(b.data, (int)b.len)) == NULL ||
	    (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) == NULL)
		ossl_err(err, SAE_ECORRUPT,
		    "'%s' does not hold a PEM certificate", path);
out:
	BIO_free(bio);
	sae_buf_done(&b);
	return x;
}

/*
 * Reads a private key, refusing a symlink, a non-regular file, or one
 * with any group or other permission bit.  The check is on the descriptor
 * read from, and OpenSSL reads the PEM from it into its own (secure-flagged)
 * buffers, so none of ours ever holds the key.
 */
static EVP_PKEY *
load_key(const char *path, struct sae_err *err)
{
	struct stat st;
	EVP_PKEY *k = NULL;
	BIO *bio;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		sae_err_sys(err, errno == ENOENT ? SAE_ENOTFOUND : SAE_EIO,
		    "cannot open the key file '%s'", path);
		return NULL;
	}
	if (fstat(fd, &st) == -1) {
		sae_err_sys(err, SAE_EIO, "cannot stat '%s'", path);
		close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		sae_err_set(err, SAE_EDENIED,
		    "the key file '%s' is not a regular file", path);
		close(fd);
		return NULL;
	}
	if ((st.st_mode & 077) != 0) {
		sae_err_set(err, SAE_EDENIED, "the key file '%s' has mode %04o:"
		    " others than its owner may read it; run chmod 600 and"
		    " consider the key disclosed", path,
		    (unsigned)(st.st_mode & 07777));
		close(fd);
		return NULL;
	}
	if ((bio = BIO_new_fd(fd, BIO_CLOSE)) == NULL) {
		ossl_err(err, SAE_ENOMEM, "cannot read '%s'", path);
		close(fd);
		return NULL;
	}
	if ((k = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL)) == NULL)
		ossl_err(err, SAE_ECORRUPT,
		    "'%s' does not hold a PEM private key", path);
	BIO_free(bio);
	return k;
}

/* RFC 3161 2.3: one extended key usage, timeStamping, marked critical. */
static int
check_tsa_cert(X509 *x, const char *path, struct sae_err *err)
{
	EXTENDED_KEY_USAGE *eku;
	int crit = -1, ok;

	eku = X509_get_ext_d2i(x, NID_ext_key_usage, &crit, NULL);
	ok = eku != NULL && crit == 1 && sk_ASN1_OBJECT_num(eku) == 1 &&
	    OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, 0)) == NID_time_stamp;
	EXTENDED_KEY_USAGE_free(eku);
	if (!ok || X509_check_purpose(x, X509_PURPOSE_TIMESTAMP_SIGN, 0) != 1) {
		ERR_clear_error();
		return sae_err_set(err, SAE_ECORRUPT, "the certificate '%s'"
		    " cannot sign time stamps: it needs a critical"
		    " extendedKeyUsage of timeStamping only", path);
	}
	return 0;
}

/* The CA key, checked against the CA certificate: renewal only. */
static EVP_PKEY *
load_ca_key(struct tsa *t, const char *path, struct sae_err *err)
{
	EVP_PKEY *k;

	if ((k = load_key(path, err)) == NULL)
		return NULL;
	if (X509_check_private_key(t->ca, k) != 1) {
		ossl_err(err, SAE_ECORRUPT, "the key '%s' does not match the"
		    " CA certificate", path);
		EVP_PKEY_free(k);
		return NULL;
	}
	return k;
}

static int
load_all(struct tsa *t, char paths[4][PATH_MAX], X509 **cert, EVP_PKEY **key,
    struct sae_err *err)
{
	EVP_PKEY *cakey = NULL;
	int ret = -1;

	if ((t->ca = load_cert(paths[0], err)) == NULL ||
	    (cakey = load_ca_key(t, paths[1], err)) == NULL ||
	    (*cert = load_cert(paths[2], err)) == NULL ||
	    (*key = load_key(paths[3], err)) == NULL)
		goto out;
	if (X509_check_private_key(*cert, *key) != 1) {
		ossl_err(err, SAE_ECORRUPT, "the key '%s' does not match the"
		    " certificate '%s'", paths[3], paths[2]);
		goto out;
	}
	if (check_tsa_cert(*cert, paths[2], err) == -1)
		goto out;
	if (X509_verify(*cert, X509_get0_pubkey(t->ca)) != 1) {
		ossl_err(err, SAE_ECORRUPT, "the certificate '%s' was not"
		    " issued by the CA in '%s'", paths[2], paths[0]);
		goto out;
	}
	ret = 0;
out:
	/* Only renewal needs the CA key: check it, do not keep it. */
	EVP_PKEY_free(cakey);
	return ret;
}

/*
 * Serialises whatever changes or reads the key files between processes
 * (saed renewing, sae-admin opening): an flock on DIR/.lock, released
 * when ${fd} is closed.  -1 if it cannot be taken.
 */
static int
dir_lock(const char *dir, struct sae_err *err)
{
	char path[PATH_MAX];
	int fd;

	if (sae_path(path, sizeof(path), "%s/.lock", dir) == -1) {
		sae_err_set(err, SAE_EINVAL, "the TSA directory path '%s' is"
		    " too long", dir);
		return -1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1) {
		sae_err_sys(err, SAE_EIO, "cannot open '%s'", path);
		return -1;
	}
	while (flock(fd, LOCK_EX) == -1)
		if (errno != EINTR) {
			sae_err_sys(err, SAE_EIO, "cannot lock '%s'", path);
			close(fd);
			return -1;
		}
	return fd;
}

/*
 * A renewal writes tsa.key.new, then tsa.pem.new, renames the key into
 * place, then the certificate.  What a crash left tells how far it went:
 * both .new files (or the key alone) and the old pair is whole, so they
 * go; the certificate alone and the new key is in place, so its
 * certificate follows it.
 */
static int
finish_renewal(const char *dir, struct sae_err *err)
{
	char kn[PATH_MAX], pn[PATH_MAX], pem[PATH_MAX];
	int hk, hp;

	if (sae_path(kn, sizeof(kn), "%s/tsa.key.new", dir) == -1 ||
	    sae_path(pn, sizeof(pn), "%s/tsa.pem.new", dir) == -1 ||
	    sae_path(pem, sizeof(pem), "%s/tsa.pem", dir) == -1)
		return sae_err_set(err, SAE_EINVAL, "the TSA directory path"
		    " '%s' is too long", dir);
	hk = sae_fs_exists(kn);
	hp = sae_fs_exists(pn);
	if (hp && !hk) {
		if (rename(pn, pem) == -1)
			return sae_err_sys(err, SAE_EIO, "cannot rename '%s'"
			    " to '%s'", pn, pem);
		return sae_fs_fsync_dir(dir, err);
	}
	if (hk)
		unlink(kn);
	if (hp)
		unlink(pn);
	return 0;
}

/* The certificates kept in DIR/old/ (none when it does not exist). */
static void
load_old(struct tsa *t)
{
	struct sae_err ignored;
	struct dirent *de;
	char dir[PATH_MAX], path[PATH_MAX];
	size_t len;
	X509 *x;
	DIR *dp;

	if (sae_path(dir, sizeof(dir), "%s/old", t->dir) == -1 ||
	    (dp = opendir(dir)) == NULL)
		return;
	while ((de = readdir(dp)) != NULL) {
		len = strlen(de->d_name);
		if (strncmp(de->d_name, "tsa-", 4) != 0 || len < 9 ||
		    strcmp(de->d_name + len - 4, ".pem") != 0 ||
		    sae_path(path, sizeof(path), "%s/%s", dir,
		    de->d_name) == -1)
			continue;
		/* Not needed to run (tokens carry their certificate): an
		 * unreadable one is only not described. */
		if ((x = load_cert(path, &ignored)) == NULL)
			continue;
		t->old = sae_xreallocarray(t->old, t->nold + 1,
		    sizeof(*t->old));
		cert_info_of(x, &t->old[t->nold++]);
		X509_free(x);
	}
	closedir(dp);
	ERR_clear_error();
}

/* A generation for ${cert} and ${key}, which it takes; NULL on failure. */
static struct tsa_gen *
gen_new(X509 *cert, EVP_PKEY *key, struct sae_err *err)
{
	struct tsa_gen *g = sae_xcalloc(1, sizeof(*g));

	g->cert = cert;
	g->key = key;
	if ((g->pem = cert_to_pem(cert)) == NULL) {
		ossl_err(err, SAE_EINTERNAL, "cannot encode the TSA"
		    " certificate");
		free(g);
		return NULL;
	}
	cert_info_of(cert, &g->info);
	return g;
}

static void
gen_free(struct tsa_gen *g)
{
	struct tsa_gen *older;

	for (; g != NULL; g = older) {
		older = g->older;
		X509_free(g->cert);
		EVP_PKEY_free(g->key);	/* EC private scalars are cleared */
		free(g->pem);
		free(g);
	}
}

static struct tsa_gen *
current(const struct tsa *t)
{
	return __atomic_load_n(&t->cur, __ATOMIC_ACQUIRE);
}

/* -------------------------------------------------------------- public */

int
tsa_open(struct tsa **out, const struct tsa_conf *conf, int *created,
    struct sae_err *err)
{
	static const char *const names[4] =
	    { "ca.pem", "ca.key", "tsa.pem", "tsa.key" };
	char paths[4][PATH_MAX];
	const char *oid, *cn;
	struct tsa *t = NULL;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	int days, i, present = 0, lockfd = -1, ret = -1;

	*out = NULL;
	if (created != NULL)
		*created = 0;
	ERR_clear_error();
	oid = conf->policy_oid != NULL ? conf->policy_oid : TSA_DEF_POLICY;
	cn = conf->name != NULL && *conf->name != '\0' ? conf->name :
	    TSA_DEF_NAME;
	days = conf->validity_days > 0 ? conf->validity_days : TSA_DEF_DAYS;
	if (conf->dir == NULL)
		return sae_err_set(err, SAE_EINVAL, "no TSA directory given");
	if (days > TSA_MAX_DAYS)
		return sae_err_set(err, SAE_EINVAL, "a TSA certificate life of"
		    " %d days is too long (at most %d)", days, TSA_MAX_DAYS);
	if (strlen(cn) >= sizeof(t->cn))
		return sae_err_set(err, SAE_EINVAL, "the TSA name '%s' is too"
		    " long", cn);
	t = sae_xcalloc(1, sizeof(*t));
	pthread_mutex_init(&t->lock, NULL);
	t->days = days;
	snprintf(t->cn, sizeof(t->cn), "%s", cn);
	if (sae_path(t->dir, sizeof(t->dir), "%s", conf->dir) == -1) {
		sae_err_set(err, SAE_EINVAL, "the TSA directory path '%s' is"
		    " too long", conf->dir);
		goto out;
	}
	if ((t->policy = OBJ_txt2obj(oid, 1)) == NULL) {
		sae_err_set(err, SAE_EINVAL, "the TSA policy '%s' is not a"
		    " dotted object identifier", oid);
		goto out;
	}
	if (sae_fs_mkdirp(conf->dir, 0700, err) == -1 ||
	    (lockfd = dir_lock(conf->dir, err)) == -1 ||
	    finish_renewal(conf->dir, err) == -1)
		goto out;
	for (i = 0; i < 4; i++) {
		if (sae_path(paths[i], sizeof(paths[i]), "%s/%s", conf->dir,
		    names[i]) == -1) {
			sae_err_set(err, SAE_EINVAL, "the TSA directory path"
			    " '%s' is too long", conf->dir);
			goto out;
		}
		present += sae_fs_exists(paths[i]);
	}
	if (present == 0) {
		if (create_all(t, paths, &cert, &key, err) == -1)
			goto out;
		if (created != NULL)
			*created = 1;
	} else if (present == 4) {
		if (load_all(t, paths, &cert, &key, err) == -1)
			goto out;
	} else {
		/* A new CA would orphan the tokens signed under the old one. */
		for (i = 0; i < 4 && sae_fs_exists(paths[i]); i++)
			;
		sae_err_set(err, SAE_ENOTFOUND, "the TSA directory '%s' is"
		    " incomplete ('%s' is missing): restore it from a backup,"
		    " or empty it to create a new TSA", conf->dir, names[i]);
		goto out;
	}
	load_old(t);
	if ((t->chain = sk_X509_new_null()) == NULL ||
	    sk_X509_push(t->chain, t->ca) <= 0) {
		ossl_err(err, SAE_ENOMEM, "cannot build the TSA chain");
		goto out;
	}
	X509_up_ref(t->ca);
	cert_info_of(t->ca, &t->ca_info);
	if ((t->ca_pem = cert_to_pem(t->ca)) == NULL) {
		ossl_err(err, SAE_EINTERNAL, "cannot encode the TSA"
		    " certificates");
		goto out;
	}
	if ((t->cur = gen_new(cert, key, err)) == NULL)
		goto out;
	cert = NULL;
	key = NULL;
	*out = t;
	t = NULL;
	ret = 0;
out:
	if (lockfd != -1)
		close(lockfd);
	X509_free(cert);
	EVP_PKEY_free(key);
	tsa_free(t);
	return ret;
}

void
tsa_free(struct tsa *t)
{
	if (t == NULL)
		return;
	gen_free(t->cur);
	X509_free(t->ca);
	sk_X509_pop_free(t->chain, X509_free);
	ASN1_OBJECT_free(t->policy);
	free(t->ca_pem);
	free(t->old);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

const char *
tsa_ca_pem(const struct tsa *t)
{
	return t->ca_pem;
}

const char *
tsa_cert_pem(const struct tsa *t)
{
	return current(t)->pem;
}

const char *
tsa_cert_sha256(const struct tsa *t)
{
	return current(t)->info.sha256;
}

void
tsa_cert_info(struct tsa *t, struct tsa_cert_info *out)
{
	*out = current(t)->info;
}

void
tsa_ca_info(struct tsa *t, struct tsa_cert_info *out)
{
	*out = t->ca_info;
}

int
tsa_find_cert(struct tsa *t, const char *sha256, struct tsa_cert_info *out)
{
	struct tsa_gen *g;
	size_t i;
	int ret = -1;

	pthread_mutex_lock(&t->lock);
	for (g = t->cur; g != NULL && ret == -1; g = g->older)
		if (strcmp(g->info.sha256, sha256) == 0) {
			*out = g->info;
			ret = 0;
		}
	for (i = 0; i < t->nold && ret == -1; i++)
		if (strcmp(t->old[i].sha256, sha256) == 0) {
			*out = t->old[i];
			ret = 0;
		}
	pthread_mutex_unlock(&t->lock);
	return ret;
}

time_t
tsa_renew_until(struct tsa *t, int days)
{
	time_t until = time(NULL) + (time_t)(days > 0 ? days : t->days) *
	    86400;

	return until < t->ca_info.not_after_t ? until :
	    t->ca_info.not_after_t;
}

int
tsa_renew(struct tsa *t, int days, struct tsa_cert_info *was,
    struct tsa_cert_info *now, struct sae_err *err)
{
	char cakey_path[PATH_MAX], kn[PATH_MAX], pn[PATH_MAX];
	char key_path[PATH_MAX], pem_path[PATH_MAX], olddir[PATH_MAX];
	char oldpem[PATH_MAX];
	struct tsa_gen *g = NULL, *old;
	EVP_PKEY *cakey = NULL, *key = NULL, *retired = NULL;
	X509 *cert = NULL;
	int lockfd, swapped = 0, ret = -1;

	ERR_clear_error();
	if (days <= 0)
		days = t->days;
	if (days > TSA_MAX_DAYS)
		return sae_err_set(err, SAE_EINVAL, "a TSA certificate life of"
		    " %d days is too long (at most %d)", days, TSA_MAX_DAYS);
	if ((lockfd = dir_lock(t->dir, err)) == -1)
		return -1;
	/* Renewals are serialised by the lock: this stays current. */
	old = current(t);
	if (sae_path(cakey_path, sizeof(cakey_path), "%s/ca.key", t->dir) ||
	    sae_path(kn, sizeof(kn), "%s/tsa.key.new", t->dir) ||
	    sae_path(pn, sizeof(pn), "%s/tsa.pem.new", t->dir) ||
	    sae_path(key_path, sizeof(key_path), "%s/tsa.key", t->dir) ||
	    sae_path(pem_path, sizeof(pem_path), "%s/tsa.pem", t->dir) ||
	    sae_path(olddir, sizeof(olddir), "%s/old", t->dir) ||
	    sae_path(oldpem, sizeof(oldpem), "%s/tsa-%s.pem", olddir,
	    old->info.serial)) {
		close(lockfd);
		return sae_err_set(err, SAE_EINVAL, "the TSA directory path"
		    " '%s' is too long", t->dir);
	}
	if ((cakey = load_ca_key(t, cakey_path, err)) == NULL ||
	    (key = make_key(err)) == NULL ||
	    (cert = make_cert(key, t->cn, t->ca, cakey, days, err)) == NULL)
		goto out;
	/* The old certificate first: it is never lost, whatever follows. */
	if (sae_fs_mkdirp(olddir, 0700, err) == -1 ||
	    save_cert(oldpem, old->cert, err) == -1)
		goto out;
	/* What an earlier attempt left would stop the O_EXCL create. */
	unlink(kn);
	unlink(pn);
	if (save_key(kn, key, err) == -1 || save_cert(pn, cert, err) == -1)
		goto out;
	sae_crashpoint("tsa-renew-before-swap");
	if (rename(kn, key_path) == -1) {
		sae_err_sys(err, SAE_EIO, "cannot rename '%s' to '%s'", kn,
		    key_path);
		goto out;
	}
	swapped = 1;
	sae_crashpoint("tsa-renew-key-swapped");
	if (rename(pn, pem_path) == -1) {
		/* tsa_open finishes it: the new key is in place. */
		sae_err_sys(err, SAE_EIO, "cannot rename '%s' to '%s'", pn,
		    pem_path);
		goto out;
	}
	if (sae_fs_fsync_dir(t->dir, err) == -1 ||
	    (g = gen_new(cert, key, err)) == NULL)
		goto out;
	cert = NULL;
	key = NULL;
	pthread_mutex_lock(&t->lock);
	t->old = sae_xreallocarray(t->old, t->nold + 1, sizeof(*t->old));
	t->old[t->nold++] = old->info;
	g->older = t->cur;
	/* A stamp in flight holds its own reference to the old key. */
	retired = t->cur->key;
	t->cur->key = NULL;
	__atomic_store_n(&t->cur, g, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&t->lock);
	if (was != NULL)
		*was = old->info;
	if (now != NULL)
		*now = g->info;
	ret = 0;
out:
	close(lockfd);
	EVP_PKEY_free(retired);
	EVP_PKEY_free(cakey);
	EVP_PKEY_free(key);
	X509_free(cert);
	/* Before the swap the old pair is whole: what was written goes.
	 * After it, tsa.pem.new must follow the new key (tsa_open). */
	if (ret == -1 && !swapped) {
		unlink(kn);
		unlink(pn);
	}
	return ret;
}

int
tsa_read_info(const char *dir, struct tsa_cert_info *cert,
    struct tsa_cert_info *ca, struct sae_err *err)
{
	char path[PATH_MAX];
	X509 *x;

	if (sae_path(path, sizeof(path), "%s/tsa.pem", dir) == -1)
		return sae_err_set(err, SAE_EINVAL, "the TSA directory path"
		    " '%s' is too long", dir);
	if ((x = load_cert(path, err)) == NULL)
		return -1;
	cert_info_of(x, cert);
	X509_free(x);
	sae_path(path, sizeof(path), "%s/ca.pem", dir);
	if ((x = load_cert(path, err)) == NULL)
		return -1;
	cert_info_of(x, ca);
	X509_free(x);
	return 0;
}

/*
 * One TS_RESP_CTX per call: it holds the request being answered, so a
 * shared one would need a lock around the signature; building one costs
 * little next to the ECDSA signature and lets threads sign in parallel.
 */
static TS_RESP_CTX *
resp_ctx(struct tsa *t, X509 *cert, EVP_PKEY *key, struct sae_err *err)
{
	TS_RESP_CTX *rc;

	if ((rc = TS_RESP_CTX_new()) == NULL) {
		ossl_err(err, SAE_ENOMEM, "cannot make a time-stamp context");
		return NULL;
	}
	if (TS_RESP_CTX_set_signer_cert(rc, cert) != 1 ||
	    TS_RESP_CTX_set_signer_key(rc, key) != 1 ||
	    TS_RESP_CTX_set_certs(rc, t->chain) != 1 ||
	    TS_RESP_CTX_set_signer_digest(rc, EVP_sha256()) != 1 ||
	    TS_RESP_CTX_set_ess_cert_id_digest(rc, EVP_sha256()) != 1 ||
	    TS_RESP_CTX_set_def_policy(rc, t->policy) != 1 ||
	    TS_RESP_CTX_add_md(rc, EVP_sha256()) != 1 ||
	    TS_RESP_CTX_add_md(rc, EVP_sha384()) != 1 ||
	    TS_RESP_CTX_add_md(rc, EVP_sha512()) != 1 ||
	    TS_RESP_CTX_set_accuracy(rc, 1, 0, 0) != 1 ||
	    TS_RESP_CTX_set_clock_precision_digits(rc, 3) != 1) {
		ossl_err(err, SAE_EINTERNAL, "cannot set up the time-stamp"
		    " context");
		TS_RESP_CTX_free(rc);
		return NULL;
	}
	TS_RESP_CTX_set_serial_cb(rc, serial_cb, NULL);
	/*
	 * No TS_ORDERING: genTime comes from the system clock, which may step
	 * back, so we do not promise that it orders tokens.
	 */
	TS_RESP_CTX_add_flags(rc, TS_TSA_NAME | TS_ESS_CERT_ID_CHAIN);
	return rc;
}

/* The DER request for ${digest}: version 1, certReq, random nonce. */
static int
make_request(BIO *out, const EVP_MD *md, const unsigned char *digest,
    size_t len, struct sae_err *err)
{
	TS_MSG_IMPRINT *mi = NULL;
	ASN1_INTEGER *nonce = NULL;
	X509_ALGOR *alg = NULL;
	TS_REQ *rq = NULL;
	int ret = -1;

	if ((rq = TS_REQ_new()) == NULL || (alg = X509_ALGOR_new()) == NULL ||
	    (mi = TS_MSG_IMPRINT_new()) == NULL ||
	    (nonce = random_serial(64)) == NULL)
		goto out;
	X509_ALGOR_set_md(alg, md);
	if (TS_REQ_set_version(rq, 1) != 1 ||
	    TS_MSG_IMPRINT_set_algo(mi, alg) != 1 ||
	    TS_MSG_IMPRINT_set_msg(mi, (unsigned char *)digest,
	    (int)len) != 1 ||
	    TS_REQ_set_msg_imprint(rq, mi) != 1 ||
	    TS_REQ_set_cert_req(rq, 1) != 1 ||
	    TS_REQ_set_nonce(rq, nonce) != 1 ||
	    i2d_TS_REQ_bio(out, rq) != 1)
		goto out;
	ret = 0;
out:
	if (ret == -1)
		ossl_err(err, SAE_EINTERNAL, "cannot build the time-stamp"
		    " request");
	ASN1_INTEGER_free(nonce);
	TS_MSG_IMPRINT_free(mi);
	X509_ALGOR_free(alg);
	TS_REQ_free(rq);
	return ret;
}

/* The status text of a response, for the error message. */
static void
status_text(TS_RESP *rsp, char *out, size_t size)
{
	const STACK_OF(ASN1_UTF8STRING) *txt;
	ASN1_UTF8STRING *s;

	out[0] = '\0';
	txt = TS_STATUS_INFO_get0_text(TS_RESP_get_status_info(rsp));
	if (txt == NULL || sk_ASN1_UTF8STRING_num(txt) < 1)
		return;
	s = sk_ASN1_UTF8STRING_value(txt, 0);
	if (snprintf(out, size, ": %.*s", ASN1_STRING_length(s),
	    (const char *)ASN1_STRING_get0_data(s)) < 0)
		out[0] = '\0';
}

static long
resp_status(TS_RESP *rsp)
{
	return ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(
	    TS_RESP_get_status_info(rsp)));
}

int
tsa_stamp(struct tsa *t, const char *mdname, const unsigned char *digest,
    size_t len, struct sae_buf *out, struct sae_err *err)
{
	TS_RESP_CTX *rc = NULL;
	TS_RESP *rsp = NULL;
	const EVP_MD *md;
	unsigned char *der = NULL;
	struct tsa_gen *g;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	BIO *rq = NULL;
	char text[256], until[32];
	long st;
	int n, ret = -1;

	ERR_clear_error();
	if ((md = md_by_name(mdname)) == NULL)
		return sae_err_set(err, SAE_EINVAL, "cannot time-stamp a '%s'"
		    " digest: use sha256, sha384 or sha512",
		    mdname != NULL ? mdname : "(null)");
	if (digest == NULL || len != (size_t)EVP_MD_get_size(md))
		return sae_err_set(err, SAE_EINVAL, "a %s digest is %d bytes"
		    " long, not %zu", mdname, EVP_MD_get_size(md), len);
	/* Our own references: a renewal may retire this key meanwhile. */
	pthread_mutex_lock(&t->lock);
	g = t->cur;
	if (X509_up_ref(g->cert) == 1)
		cert = g->cert;
	if (EVP_PKEY_up_ref(g->key) == 1)
		key = g->key;
	snprintf(until, sizeof(until), "%s", g->info.not_after);
	pthread_mutex_unlock(&t->lock);
	if (cert == NULL || key == NULL) {
		ossl_err(err, SAE_EINTERNAL, "cannot use the TSA key");
		goto out;
	}
	if (X509_cmp_time(X509_get0_notAfter(cert), NULL) < 0) {
		sae_err_set(err, SAE_EINTERNAL, "the TSA certificate expired"
		    " on %s: its tokens could not be checked; saed renews it"
		    " at start and daily ([tsa] renew_days)", until);
		goto out;
	}
	if ((rq = BIO_new(BIO_s_mem())) == NULL) {
		ossl_err(err, SAE_ENOMEM, "cannot build the time-stamp"
		    " request");
		goto out;
	}
	if (make_request(rq, md, digest, len, err) == -1 ||
	    (rc = resp_ctx(t, cert, key, err)) == NULL)
		goto out;
	if ((rsp = TS_RESP_create_response(rc, rq)) == NULL) {
		ossl_err(err, SAE_EINTERNAL, "the TSA could not answer");
		goto out;
	}
	/* A refusal is a response too: only a granted one is a token. */
	st = resp_status(rsp);
	if (st != TS_STATUS_GRANTED && st != TS_STATUS_GRANTED_WITH_MODS) {
		status_text(rsp, text, sizeof(text));
		sae_err_set(err, SAE_EINTERNAL, "the TSA refused to time-stamp"
		    " (status %ld%s)", st, text);
		ERR_clear_error();
		goto out;
	}
	if ((n = i2d_TS_RESP(rsp, &der)) <= 0) {
		ossl_err(err, SAE_EINTERNAL, "cannot encode the time-stamp"
		    " response");
		goto out;
	}
	sae_buf_add(out, der, (size_t)n);
	ret = 0;
out:
	OPENSSL_free(der);
	TS_RESP_free(rsp);
	TS_RESP_CTX_free(rc);
	BIO_free(rq);
	X509_free(cert);
	EVP_PKEY_free(key);
	return ret;
}

/*
 * The trust anchors from the PEM text ${pem}; at least one certificate.
 * *cas (may be NULL) gets them too, for the caller to free.
 */
static X509_STORE *
store_from_pem(const char *pem, STACK_OF(X509) **cas, struct sae_err *err)
{
	STACK_OF(X509_INFO) *infos = NULL;
	X509_STORE *st = NULL;
	X509_INFO *xi;
	BIO *b = NULL;
	int i, n = 0;

	if (cas != NULL && (*cas = sk_X509_new_null()) == NULL) {
		ossl_err(err, SAE_ENOMEM, "cannot load the CA certificates");
		return NULL;
	}
	if (pem == NULL) {
		sae_err_set(err, SAE_EINVAL, "no CA certificate given");
		goto fail;
	}
	if ((b = BIO_new_mem_buf(pem, -1)) == NULL ||
	    (st = X509_STORE_new()) == NULL) {
		ossl_err(err, SAE_ENOMEM, "cannot load the CA certificates");
		goto fail;
	}
	if ((infos = PEM_X509_INFO_read_bio(b, NULL, NULL, NULL)) == NULL) {
		ossl_err(err, SAE_EINVAL, "the CA certificates are not valid"
		    " PEM");
		goto fail;
	}
	for (i = 0; i < sk_X509_INFO_num(infos); i++) {
		xi = sk_X509_INFO_value(infos, i);
		if (xi->x509 == NULL)
			continue;
		if (X509_STORE_add_cert(st, xi->x509) != 1) {
			ossl_err(err, SAE_EINVAL, "cannot use a CA"
			    " certificate");
			goto fail;
		}
		if (cas != NULL) {
			if (sk_X509_push(*cas, xi->x509) <= 0) {
				ossl_err(err, SAE_ENOMEM, "cannot load the CA"
				    " certificates");
				goto fail;
			}
			X509_up_ref(xi->x509);
		}
		n++;
	}
	if (n == 0) {
		sae_err_set(err, SAE_EINVAL, "the CA PEM text holds no"
		    " certificate");
		goto fail;
	}
	sk_X509_INFO_pop_free(infos, X509_INFO_free);
	BIO_free(b);
	return st;
fail:
	if (cas != NULL) {
		sk_X509_pop_free(*cas, X509_free);
		*cas = NULL;
	}
	sk_X509_INFO_pop_free(infos, X509_INFO_free);
	X509_STORE_free(st);
	BIO_free(b);
	return NULL;
}

/*
 * The first notAfter of the chain that signed ${rsp}: its signer's and
 * that of the anchor in ${cas} that issued it.  The token has been
 * checked: this only reads dates, no signature.
 */
static int
chain_not_after(TS_RESP *rsp, STACK_OF(X509) *cas, struct tsa_token *tok)
{
	STACK_OF(X509) *signers;
	const ASN1_TIME *na;
	X509 *signer, *ca;
	int i, ret = -1;

	signers = PKCS7_get0_signers(TS_RESP_get_token(rsp), NULL, 0);
	if (signers == NULL || sk_X509_num(signers) != 1)
		goto out;
	signer = sk_X509_value(signers, 0);
	na = X509_get0_notAfter(signer);
	for (i = 0; i < sk_X509_num(cas); i++) {
		ca = sk_X509_value(cas, i);
		if (X509_check_issued(ca, signer) == X509_V_OK &&
		    ASN1_TIME_compare(X509_get0_notAfter(ca), na) < 0)
			na = X509_get0_notAfter(ca);
	}
	ret = asn1_time_iso(na, tok->not_after, &tok->not_after_t);
out:
	sk_X509_free(signers);
	ERR_clear_error();
	return ret;
}

int
tsa_verify(const void *tsr, size_t tsrlen, const char *ca_pem,
    const unsigned char *digest, size_t len, char *gentime,
    struct sae_err *err)
{
	struct tsa_token tok;

	if (tsa_verify_at(tsr, tsrlen, ca_pem, digest, len, TSA_AT_NOW, &tok,
	    err) == -1)
		return -1;
	if (gentime != NULL)
		memcpy(gentime, tok.gentime, sizeof(tok.gentime));
	return 0;
}

int
tsa_verify_at(const void *tsr, size_t tsrlen, const char *ca_pem,
    const unsigned char *digest, size_t len, time_t at, struct tsa_token *tok,
    struct sae_err *err)
{
	const unsigned char *p = tsr;
	STACK_OF(X509) *cas = NULL;
	struct tsa_token mine;
	TS_VERIFY_CTX *v = NULL;
	X509_STORE *st = NULL;
	unsigned char *imp = NULL;
	TS_RESP *rsp = NULL;
	char text[256];
	long status;
	int ret = -1;

	ERR_clear_error();
	if (tok == NULL)
		tok = &mine;
	memset(tok, 0, sizeof(*tok));
	if (tsr == NULL || tsrlen == 0 || tsrlen > LONG_MAX)
		return sae_err_set(err, SAE_EINVAL, "no time-stamp response"
		    " given");
	if (digest == NULL || len == 0 || len > EVP_MAX_MD_SIZE)
		return sae_err_set(err, SAE_EINVAL, "a digest of %zu bytes"
		    " cannot be checked", len);
	if ((rsp = d2i_TS_RESP(NULL, &p, (long)tsrlen)) == NULL ||
	    p != (const unsigned char *)tsr + tsrlen) {
		ossl_err(err, SAE_ECORRUPT, "the time-stamp response is not"
		    " valid DER");
		goto out;
	}
	status = resp_status(rsp);
	if (status != TS_STATUS_GRANTED &&
	    status != TS_STATUS_GRANTED_WITH_MODS) {
		status_text(rsp, text, sizeof(text));
		sae_err_set(err, SAE_ECORRUPT, "the time-stamp response is a"
		    " refusal (status %ld%s)", status, text);
		goto out;
	}
	/* Read before it is trusted only to choose the time to check at:
	 * the signature, checked below, covers it. */
	if (asn1_time_iso(TS_TST_INFO_get_time(TS_RESP_get_tst_info(rsp)),
	    tok->gentime, &tok->gentime_t) == -1) {
		sae_err_set(err, SAE_ECORRUPT, "the time-stamp token has no"
		    " readable genTime");
		goto out;
	}
	if ((st = store_from_pem(ca_pem, &cas, err)) == NULL)
		goto out;
	/* X509_STORE_CTX_init copies the store's parameters, time
	 * included: TS_RESP_verify_response checks the chain then. */
	if (at == TSA_AT_GENTIME)
		at = tok->gentime_t;
	if (at != TSA_AT_NOW)
		X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(st), at);
	if ((v = TS_VERIFY_CTX_new()) == NULL ||
	    (imp = OPENSSL_memdup(digest, len)) == NULL) {
		ossl_err(err, SAE_ENOMEM, "cannot check the time stamp");
		goto out;
	}
	TS_VERIFY_CTX_set_flags(v, TS_VFY_VERSION | TS_VFY_SIGNATURE |
	    TS_VFY_IMPRINT | TS_VFY_SIGNER);
	/* The context owns both from here and frees them with itself. */
	vctx_set_store(v, st);
	st = NULL;
	vctx_set_imprint(v, imp, (long)len);
	imp = NULL;
	if (TS_RESP_verify_response(v, rsp) != 1) {
		ossl_err(err, SAE_ECORRUPT, "the time stamp does not hold");
		goto out;
	}
	if (chain_not_after(rsp, cas, tok) == -1) {
		sae_err_set(err, SAE_ECORRUPT, "the time-stamp token's signer"
		    " certificate cannot be read");
		goto out;
	}
	ret = 0;
out:
	if (ret == -1)
		memset(tok, 0, sizeof(*tok));
	sk_X509_pop_free(cas, X509_free);
	OPENSSL_free(imp);
	X509_STORE_free(st);
	TS_VERIFY_CTX_free(v);
	TS_RESP_free(rsp);
	return ret;
}
