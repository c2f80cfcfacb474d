/*
 * test_tsa.c: the built-in TSA: first start and reload of its files, key
 * file checks, tokens for each digest, their fields, their verification
 * (ours and the openssl command's) now and at other times, stamping from
 * several threads, and renewal of the TSA certificate (while stamping, and
 * interrupted at each step).
 */
#include "config.h"

#include <sys/stat.h>

#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/rand.h>
#include <openssl/ts.h>
#include <openssl/x509.h>

#include "sae/buf.h"
#include "sae/err.h"
#include "sae/fsutil.h"
#include "sae/tsa.h"
#include "tests/unit/helpers.h"

#define POLICY	"1.2.250.1.999.1.2.3"

/* The TSA most tests share: making keys and certificates takes a while. */
static struct tsa *shared;
static char shared_dir[PATH_MAX];

static const char *
path_in(const char *dir, const char *name)
{
	static char p[PATH_MAX];

	assert_int_equal(sae_path(p, sizeof(p), "%s/%s", dir, name), 0);
	return p;
}

static struct tsa *
open_in(const char *dir, int *created, struct sae_err *err)
{
	struct tsa_conf conf = { dir, POLICY, "sae test TSA", 30 };
	struct tsa *t = NULL;

	if (tsa_open(&t, &conf, created, err) == -1)
		assert_null(t);
	return t;
}

static void
digest_of(const char *md, const char *text, unsigned char *out,
    size_t *len)
{
	unsigned int n;

	assert_int_equal(EVP_Digest(text, strlen(text), out, &n,
	    EVP_get_digestbyname(md), NULL), 1);
	*len = n;
}

static void
stamp(struct tsa *t, const char *md, const char *text, struct sae_buf *tsr,
    unsigned char *dg, size_t *dglen)
{
	struct sae_err err;

	digest_of(md, text, dg, dglen);
	sae_buf_reset(tsr);
	if (tsa_stamp(t, md, dg, *dglen, tsr, &err) == -1)
		fail_msg("tsa_stamp: %s", err.msg);
	assert_true(tsr->len > 100);
}

static TS_RESP *
parse(const struct sae_buf *tsr)
{
	const unsigned char *p = (const unsigned char *)tsr->data;
	TS_RESP *r;

	r = d2i_TS_RESP(NULL, &p, (long)tsr->len);
	assert_non_null(r);
	return r;
}

static int
group_setup(void **state)
{
	struct sae_err err;
	int created;

	(void)state;
	if (sae_path(shared_dir, sizeof(shared_dir), "%s/tsa",
	    th_tmpdir()) == -1)
		return -1;
	shared = open_in(shared_dir, &created, &err);
	return shared == NULL ? -1 : 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	tsa_free(shared);
	return 0;
}

static void
test_tsa__first_open_creates_then_loads(void **state)
{
	static const char *const files[4] =
	    { "ca.pem", "ca.key", "tsa.pem", "tsa.key" };
	struct sae_err err;
	struct stat st;
	struct tsa *a, *b;
	char dir[PATH_MAX];
	int created = -1, i;

	(void)state;
	assert_int_equal(sae_path(dir, sizeof(dir), "%s/new/tsa",
	    th_tmpdir()), 0);
	a = open_in(dir, &created, &err);
	assert_non_null(a);
	assert_int_equal(created, 1);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	for (i = 0; i < 4; i++)
		assert_int_equal(stat(path_in(dir, files[i]), &st), 0);
	assert_int_equal(stat(path_in(dir, "ca.key"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(stat(path_in(dir, "tsa.key"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_non_null(strstr(tsa_ca_pem(a), "BEGIN CERTIFICATE"));
	assert_int_equal(strlen(tsa_cert_sha256(a)), 64);

	b = open_in(dir, &created, &err);
	assert_non_null(b);
	assert_int_equal(created, 0);
	assert_string_equal(tsa_ca_pem(a), tsa_ca_pem(b));
	assert_string_equal(tsa_cert_pem(a), tsa_cert_pem(b));
	assert_string_equal(tsa_cert_sha256(a), tsa_cert_sha256(b));
	assert_string_not_equal(tsa_ca_pem(a), tsa_cert_pem(a));
	tsa_free(a);
	tsa_free(b);
}

static void
test_tsa__stamp_and_verify_each_md(void **state)
{
	static const char *const mds[3] = { "sha256", "sha384", "sha512" };
	struct sae_buf tsr = SAE_BUF_INIT;
	unsigned char dg[EVP_MAX_MD_SIZE];
	struct sae_err err;
	struct timespec before, after;
	struct tm tm;
	char gt[32];
	size_t len;
	time_t when;
	int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		/*
		 * The token's genTime comes from gettimeofday(), while time()
		 * reads the coarse clock, which may still show the previous
		 * second: compare with the precise clock, read before and
		 * after (genTime is truncated to the second below).
		 */
		assert_int_equal(clock_gettime(CLOCK_REALTIME, &before), 0);
		stamp(shared, mds[i], "doc1.pdf contents", &tsr, dg, &len);
		assert_int_equal(clock_gettime(CLOCK_REALTIME, &after), 0);
		memset(gt, 'x', sizeof(gt));
		if (tsa_verify(tsr.data, tsr.len, tsa_ca_pem(shared), dg, len,
		    gt, &err) == -1)
			fail_msg("%s: %s", mds[i], err.msg);
		assert_int_equal(strlen(gt), 20);
		memset(&tm, 0, sizeof(tm));
		assert_non_null(strptime(gt, "%Y-%m-%dT%H:%M:%SZ", &tm));
		when = timegm(&tm);
		if (when < before.tv_sec || when > after.tv_sec)
			fail_msg("%s: genTime %s is not between %lld and %lld",
			    mds[i], gt, (long long)before.tv_sec,
			    (long long)after.tv_sec);
	}
	/* gentime may be NULL. */
	assert_int_equal(tsa_verify(tsr.data, tsr.len, tsa_ca_pem(shared), dg,
	    len, NULL, &err), 0);
	sae_buf_done(&tsr);
}

static void
test_tsa__token_fields(void **state)
{
	struct sae_buf tsr = SAE_BUF_INIT;
	unsigned char dg[EVP_MAX_MD_SIZE];
	const ASN1_INTEGER *s1, *s2;
	STACK_OF(PKCS7_SIGNER_INFO) *sis;
	PKCS7_SIGNER_INFO *si;
	TS_TST_INFO *ti;
	TS_RESP *r1, *r2;
	BIGNUM *bn;
	char oid[64];
	size_t len;

	(void)state;
	stamp(shared, "sha256", "a", &tsr, dg, &len);
	r1 = parse(&tsr);
	stamp(shared, "sha256", "a", &tsr, dg, &len);
	r2 = parse(&tsr);
	ti = TS_RESP_get_tst_info(r1);
	assert_non_null(ti);

	/* Same digest twice: still two different serials. */
	s1 = TS_TST_INFO_get_serial(ti);
	s2 = TS_TST_INFO_get_serial(TS_RESP_get_tst_info(r2));
	assert_int_not_equal(ASN1_INTEGER_cmp(s1, s2), 0);
	bn = ASN1_INTEGER_to_BN(s1, NULL);
	assert_non_null(bn);
	assert_false(BN_is_negative(bn));
	assert_true(BN_num_bits(bn) >= 64 && BN_num_bits(bn) < 160);
	BN_free(bn);

	assert_true(OBJ_obj2txt(oid, sizeof(oid),
	    TS_TST_INFO_get_policy_id(ti), 1) > 0);
	assert_string_equal(oid, POLICY);
	assert_int_equal(ASN1_INTEGER_get(TS_ACCURACY_get_seconds(
	    TS_TST_INFO_get_accuracy(ti))), 1);
	assert_non_null(TS_TST_INFO_get_tsa(ti));
	assert_non_null(TS_TST_INFO_get_nonce(ti));
	assert_int_equal(TS_TST_INFO_get_version(ti), 1);

	/* certReq: the TSA certificate and its CA travel in the token. */
	assert_int_equal(sk_X509_num(
	    TS_RESP_get_token(r1)->d.sign->cert), 2);
	/* ESSCertIDv2 (SHA-256), not the SHA-1 SigningCertificate. */
	sis = PKCS7_get_signer_info(TS_RESP_get_token(r1));
	assert_int_equal(sk_PKCS7_SIGNER_INFO_num(sis), 1);
	si = sk_PKCS7_SIGNER_INFO_value(sis, 0);
	assert_non_null(PKCS7_get_signed_attribute(si,
	    NID_id_smime_aa_signingCertificateV2));
	assert_null(PKCS7_get_signed_attribute(si,
	    NID_id_smime_aa_signingCertificate));
	TS_RESP_free(r1);
	TS_RESP_free(r2);
	sae_buf_done(&tsr);
}

static void
test_tsa__wrong_digest_is_corrupt(void **state)
{
	struct sae_buf tsr = SAE_BUF_INIT;
	unsigned char dg[EVP_MAX_MD_SIZE];
	struct sae_err err;
	size_t len;

	(void)state;
	stamp(shared, "sha256", "original", &tsr, dg, &len);
	dg[5] ^= 0x01;
	assert_int_equal(tsa_verify(tsr.data, tsr.len, tsa_ca_pem(shared), dg,
	    len, NULL, &err), -1);
	assert_int_equal(err.code, SAE_ECORRUPT);
	assert_non_null(strstr(err.msg, "imprint"));
	dg[5] ^= 0x01;
	/* A sha256 token does not vouch for a shorter prefix either. */
	assert_int_equal(tsa_verify(tsr.data, tsr.len, tsa_ca_pem(shared), dg,
	    len - 1, NULL, &err), -1);
	assert_int_equal(err.code, SAE_ECORRUPT);
	sae_buf_done(&tsr);
}

static void
test_tsa__flipped_byte_fails(void **state)
{
	struct sae_buf tsr = SAE_BUF_INIT;
	unsigned char dg[EVP_MAX_MD_SIZE], *p;
	const ASN1_GENERALIZEDTIME *gt;
	struct sae_err err;
	size_t len, at[4];
	TS_RESP *r;
	int i;

	(void)state;
	stamp(shared, "sha256", "flip me", &tsr, dg, &len);
	p = (unsigned char *)tsr.data;
	/* The imprint, the status, the genTime and the signature. */
	at[0] = (size_t)((unsigned char *)memmem(p, tsr.len, dg, len) - p) + 3;
	at[1] = 8;
	r = parse(&tsr);
	gt = TS_TST_INFO_get_time(TS_RESP_get_tst_info(r));
	at[2] = (size_t)((unsigned char *)memmem(p, tsr.len,
	    ASN1_STRING_get0_data(gt), (size_t)ASN1_STRING_length(gt)) - p) + 9;
	TS_RESP_free(r);
	at[3] = tsr.len - 1;
	assert_true(at[0] < tsr.len && at[2] < tsr.len);
	for (i = 0; i < 4; i++) {
		p[at[i]] ^= 0x04;
		assert_int_equal(tsa_verify(tsr.data, tsr.len,
		    tsa_ca_pem(shared), dg, len, NULL, &err), -1);
		assert_int_equal(err.code, SAE_ECORRUPT);
		p[at[i]] ^= 0x04;
	}
	assert_int_equal(tsa_verify(tsr.data, tsr.len, tsa_ca_pem(shared), dg,
	    len, NULL, &err), 0);
	/* Trailing garbage and truncation. */
	sae_buf_addc(&tsr, 0);
	assert_int_equal(tsa_verify(tsr.data, tsr.len, tsa_ca_pem(shared), dg,
	    len, NULL, &err), -1);
	assert_int_equal(tsa_verify(tsr.data, tsr.len - 2, tsa_ca_pem(shared),
	    dg, len, NULL, &err), -1);
	assert_int_equal(err.code, SAE_ECORRUPT);
	sae_buf_done(&tsr);
}

static void
test_tsa__other_ca_fails(void **state)
{
	struct sae_buf tsr = SAE_BUF_INIT;
	unsigned char dg[EVP_MAX_MD_SIZE];
	struct sae_err err;
	struct tsa *other;
	size_t len;

	(void)state;
	other = open_in(path_in(th_tmpdir(), "tsa"), NULL, &err);
	assert_non_null(other);
	stamp(shared, "sha256", "x", &tsr, dg, &len);
	assert_int_equal(tsa_verify(tsr.data, tsr.len, tsa_ca_pem(other), dg,
	    len, NULL, &err), -1);
	assert_int_equal(err.code, SAE_ECORRUPT);
	/* The TSA certificate is not a CA: it cannot anchor its own tokens. */
	assert_int_equal(tsa_verify(tsr.data, tsr.len, tsa_cert_pem(shared),
	    dg, len, NULL, &err), -1);
	assert_int_equal(tsa_verify(tsr.data, tsr.len, "no pem here", dg, len,
	    NULL, &err), -1);
	assert_int_equal(err.code, SAE_EINVAL);
	tsa_free(other);
	sae_buf_done(&tsr);
}

static void
test_tsa__refusal_is_not_a_token(void **state)
{
	struct sae_buf tsr = SAE_BUF_INIT;
	unsigned char dg[32] = { 0 }, *der = NULL;
	TS_STATUS_INFO *si;
	struct sae_err err;
	TS_RESP *r;
	int n;

	(void)state;
	r = TS_RESP_new();
	si = TS_STATUS_INFO_new();
	assert_int_equal(TS_STATUS_INFO_set_status(si, TS_STATUS_REJECTION),
	    1);
	assert_int_equal(TS_RESP_set_status_info(r, si), 1);
	n = i2d_TS_RESP(r, &der);
	assert_true(n > 0);
	sae_buf_add(&tsr, der, (size_t)n);
	assert_int_equal(tsa_verify(tsr.data, tsr.len, tsa_ca_pem(shared), dg,
	    sizeof(dg), NULL, &err), -1);
	assert_int_equal(err.code, SAE_ECORRUPT);
	assert_non_null(strstr(err.msg, "refusal"));
	OPENSSL_free(der);
	TS_STATUS_INFO_free(si);
	TS_RESP_free(r);
	sae_buf_done(&tsr);
}

static void
test_tsa__bad_md_or_length(void **state)
{
	struct sae_buf tsr = SAE_BUF_INIT;
	unsigned char dg[64] = { 1 };
	struct sae_err err;

	(void)state;
	assert_int_equal(tsa_stamp(shared, "sha256", dg, 31, &tsr, &err), -1);
	assert_int_equal(err.code, SAE_EINVAL);
	assert_int_equal(tsa_stamp(shared, "sha512", dg, 32, &tsr, &err), -1);
	assert_int_equal(err.code, SAE_EINVAL);
	assert_int_equal(tsa_stamp(shared, "md5", dg, 16, &tsr, &err), -1);
	assert_int_equal(err.code, SAE_EINVAL);
	assert_int_equal(tsa_stamp(shared, "sha1", dg, 20, &tsr, &err), -1);
	assert_int_equal(tsr.len, 0);
	assert_int_equal(tsa_stamp(shared, "sha512", dg, 64, &tsr, &err), 0);
	sae_buf_done(&tsr);
}

/* A fresh TSA directory, opened once and closed, for tampering. */
static const char *
fresh_dir(void)
{
	static char dir[PATH_MAX];
	struct sae_err err;
	struct tsa *t;

	assert_int_equal(sae_path(dir, sizeof(dir), "%s/tsa", th_tmpdir()),
	    0);
	t = open_in(dir, NULL, &err);
	assert_non_null(t);
	tsa_free(t);
	return dir;
}

static void
test_tsa__key_readable_by_others_refused(void **state)
{
	struct sae_err err;
	struct tsa *t;
	const char *dir;

	(void)state;
	dir = fresh_dir();
	assert_int_equal(chmod(path_in(dir, "tsa.key"), 0644), 0);
	assert_null(open_in(dir, NULL, &err));
	assert_int_equal(err.code, SAE_EDENIED);
	assert_non_null(strstr(err.msg, "tsa.key"));
	assert_non_null(strstr(err.msg, "0644"));
	assert_int_equal(chmod(path_in(dir, "tsa.key"), 0600), 0);
	assert_int_equal(chmod(path_in(dir, "ca.key"), 0640), 0);
	assert_null(open_in(dir, NULL, &err));
	assert_non_null(strstr(err.msg, "ca.key"));
	assert_int_equal(chmod(path_in(dir, "ca.key"), 0600), 0);
	t = open_in(dir, NULL, &err);
	assert_non_null(t);
	tsa_free(t);
}

static void
test_tsa__key_symlink_refused(void **state)
{
	struct sae_err err;
	char target[PATH_MAX];
	const char *dir;

	(void)state;
	dir = fresh_dir();
	assert_int_equal(sae_path(target, sizeof(target), "%s.moved",
	    path_in(dir, "tsa.key")), 0);
	assert_int_equal(rename(path_in(dir, "tsa.key"), target), 0);
	assert_int_equal(symlink(target, path_in(dir, "tsa.key")), 0);
	assert_null(open_in(dir, NULL, &err));
	assert_non_null(strstr(err.msg, "tsa.key"));
}

static void
test_tsa__cert_key_mismatch_refused(void **state)
{
	struct sae_buf pem = SAE_BUF_INIT;
	struct sae_err err;
	const char *dir;

	(void)state;
	dir = fresh_dir();
	th_read(path_in(dir, "ca.pem"), &pem);
	assert_int_equal(unlink(path_in(dir, "tsa.pem")), 0);
	th_write(path_in(dir, "tsa.pem"), pem.data, pem.len);
	assert_null(open_in(dir, NULL, &err));
	assert_int_equal(err.code, SAE_ECORRUPT);
	assert_non_null(strstr(err.msg, "does not match"));
	sae_buf_done(&pem);
}

static void
test_tsa__noncritical_eku_refused(void **state)
{
	struct sae_err err;
	char cmd[3 * PATH_MAX];
	const char *dir;

	(void)state;
	dir = fresh_dir();
	/* Same key, so only the EKU is wrong. */
	assert_int_equal(sae_path(cmd, sizeof(cmd), "openssl req -new -x509"
	    " -key '%s/tsa.key' -subj /CN=bad -days 1"
	    " -addext extendedKeyUsage=timeStamping -out '%s/tsa.pem'"
	    " >/dev/null 2>&1", dir, dir), 0);
	assert_int_equal(unlink(path_in(dir, "tsa.pem")), 0);
	assert_int_equal(system(cmd), 0);
	assert_null(open_in(dir, NULL, &err));
	assert_int_equal(err.code, SAE_ECORRUPT);
	assert_non_null(strstr(err.msg, "timeStamping"));
}

static void
test_tsa__incomplete_dir_refused(void **state)
{
	struct sae_err err;
	const char *dir;
	int created = -1;

	(void)state;
	dir = fresh_dir();
	assert_int_equal(unlink(path_in(dir, "tsa.pem")), 0);
	assert_null(open_in(dir, &created, &err));
	assert_int_equal(created, 0);
	assert_int_equal(err.code, SAE_ENOTFOUND);
	assert_non_null(strstr(err.msg, "tsa.pem"));
	/* The keys were not replaced. */
	assert_int_equal(sae_fs_exists(path_in(dir, "tsa.key")), 1);
}

static void
test_tsa__bad_conf_refused(void **state)
{
	struct tsa_conf conf = { NULL, "not an oid", NULL, 0 };
	struct tsa *t = (struct tsa *)&conf;
	struct sae_err err;

	(void)state;
	conf.dir = path_in(th_tmpdir(), "tsa");
	assert_int_equal(tsa_open(&t, &conf, NULL, &err), -1);
	assert_null(t);
	assert_int_equal(err.code, SAE_EINVAL);
	assert_non_null(strstr(err.msg, "not an oid"));
	assert_int_equal(sae_fs_exists(path_in(conf.dir, "tsa.key")), 0);
}

static void
test_tsa__openssl_command_verifies(void **state)
{
	struct sae_buf tsr = SAE_BUF_INIT;
	unsigned char dg[EVP_MAX_MD_SIZE];
	char hex[2 * EVP_MAX_MD_SIZE + 1], cmd[2 * PATH_MAX + 512];
	char tsrpath[PATH_MAX], capath[PATH_MAX];
	const char *dir;
	size_t len;

	(void)state;
	dir = th_tmpdir();
	stamp(shared, "sha384", "for the auditor", &tsr, dg, &len);
	assert_int_equal(sae_path(tsrpath, sizeof(tsrpath), "%s/x.tsr", dir),
	    0);
	assert_int_equal(sae_path(capath, sizeof(capath), "%s/ca.pem", dir),
	    0);
	th_write(tsrpath, tsr.data, tsr.len);
	th_write(capath, tsa_ca_pem(shared), strlen(tsa_ca_pem(shared)));
	sae_hex(hex, dg, len);
	assert_int_equal(sae_path(cmd, sizeof(cmd), "openssl ts -verify"
	    " -digest %s -in '%s' -CAfile '%s' >/dev/null 2>&1", hex, tsrpath,
	    capath), 0);
	assert_int_equal(system(cmd), 0);
	hex[0] = hex[0] == '0' ? '1' : '0';
	assert_int_equal(sae_path(cmd, sizeof(cmd), "openssl ts -verify"
	    " -digest %s -in '%s' -CAfile '%s' >/dev/null 2>&1", hex, tsrpath,
	    capath), 0);
	assert_int_not_equal(system(cmd), 0);
	sae_buf_done(&tsr);
}

/* The chain is checked at the time asked: a 30-day certificate. */
static void
test_tsa__verify_at_time(void **state)
{
	struct sae_buf tsr = SAE_BUF_INIT;
	unsigned char dg[EVP_MAX_MD_SIZE];
	struct tsa_cert_info ci, ca;
	struct tsa_token tok;
	struct sae_err err;
	size_t len;
	time_t now = time(NULL);

	(void)state;
	stamp(shared, "sha256", "verify at", &tsr, dg, &len);
	tsa_cert_info(shared, &ci);
	tsa_ca_info(shared, &ca);
	assert_int_equal(tsa_verify_at(tsr.data, tsr.len, tsa_ca_pem(shared),
	    dg, len, TSA_AT_GENTIME, &tok, &err), 0);
	assert_true(tok.gentime_t >= now - 5 && tok.gentime_t <= now + 5);
	assert_int_equal(strlen(tok.gentime), 20);
	/* The TSA certificate ends first (the CA lives twice as long). */
	assert_true(ci.not_after_t < ca.not_after_t);
	assert_true(tok.not_after_t == ci.not_after_t);
	assert_string_equal(tok.not_after, ci.not_after);
	assert_true(ci.not_after_t > now + 29 * 86400 &&
	    ci.not_after_t <= now + 30 * 86400 + 5);
	/* Still valid the day before it expires, not the day after. */
	assert_int_equal(tsa_verify_at(tsr.data, tsr.len, tsa_ca_pem(shared),
	    dg, len, ci.not_after_t - 86400, &tok, &err), 0);
	assert_int_equal(tsa_verify_at(tsr.data, tsr.len, tsa_ca_pem(shared),
	    dg, len, ci.not_after_t + 1, &tok, &err), -1);
	assert_int_equal(err.code, SAE_ECORRUPT);
	assert_non_null(strstr(err.msg, "expired"));
	/* Nor before the certificate existed. */
	assert_int_equal(tsa_verify_at(tsr.data, tsr.len, tsa_ca_pem(shared),
	    dg, len, now - 2 * 86400, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "not yet valid"));
	/* The time changes nothing else: a wrong digest still fails. */
	dg[0] ^= 1;
	assert_int_equal(tsa_verify_at(tsr.data, tsr.len, tsa_ca_pem(shared),
	    dg, len, TSA_AT_GENTIME, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "imprint"));
	sae_buf_done(&tsr);
}

/* The SHA-256 of the certificate a token was signed with. */
static void
signer_sha256(const struct sae_buf *tsr, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	STACK_OF(X509) *signers;
	unsigned int n;
	TS_RESP *r;

	r = parse(tsr);
	signers = PKCS7_get0_signers(TS_RESP_get_token(r), NULL, 0);
	assert_non_null(signers);
	assert_int_equal(X509_digest(sk_X509_value(signers, 0), EVP_sha256(),
	    md, &n), 1);
	sae_hex(out, md, n);
	sk_X509_free(signers);
	TS_RESP_free(r);
}

static void
test_tsa__renew(void **state)
{
	struct sae_buf a = SAE_BUF_INIT, b = SAE_BUF_INIT, pem = SAE_BUF_INIT;
	unsigned char da[EVP_MAX_MD_SIZE], db[EVP_MAX_MD_SIZE];
	struct tsa_cert_info was, now, found, ca0, ca1;
	struct sae_err err;
	struct stat st;
	char sha_a[65], sha_b[65], old[PATH_MAX], oldpem[PATH_MAX];
	const char *dir;
	struct tsa *t;
	size_t la, lb;

	(void)state;
	dir = fresh_dir();
	t = open_in(dir, NULL, &err);
	assert_non_null(t);
	tsa_ca_info(t, &ca0);
	stamp(t, "sha256", "before renewal", &a, da, &la);
	snprintf(old, sizeof(old), "%s", tsa_cert_sha256(t));
	if (tsa_renew(t, 0, &was, &now, &err) == -1)
		fail_msg("tsa_renew: %s", err.msg);
	assert_string_equal(was.sha256, old);
	assert_string_not_equal(now.sha256, old);
	assert_string_equal(tsa_cert_sha256(t), now.sha256);
	assert_string_not_equal(was.serial, now.serial);
	tsa_ca_info(t, &ca1);
	assert_string_equal(ca0.sha256, ca1.sha256);
	/* The old certificate is kept; the new key is private. */
	assert_int_equal(sae_path(oldpem, sizeof(oldpem), "%s/old/tsa-%s.pem",
	    dir, was.serial), 0);
	assert_int_equal(sae_fs_exists(oldpem), 1);
	assert_int_equal(stat(path_in(dir, "tsa.key"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(sae_fs_exists(path_in(dir, "tsa.key.new")), 0);
	assert_int_equal(sae_fs_exists(path_in(dir, "tsa.pem.new")), 0);
	th_read(path_in(dir, "tsa.pem"), &pem);
	assert_string_equal(pem.data, tsa_cert_pem(t));
	/* Old tokens hold; new ones are signed with the new certificate. */
	stamp(t, "sha256", "after renewal", &b, db, &lb);
	signer_sha256(&a, sha_a);
	signer_sha256(&b, sha_b);
	assert_string_equal(sha_a, was.sha256);
	assert_string_equal(sha_b, now.sha256);
	assert_int_equal(tsa_verify(a.data, a.len, tsa_ca_pem(t), da, la, NULL,
	    &err), 0);
	assert_int_equal(tsa_verify(b.data, b.len, tsa_ca_pem(t), db, lb, NULL,
	    &err), 0);
	assert_int_equal(tsa_find_cert(t, was.sha256, &found), 0);
	assert_string_equal(found.not_after, was.not_after);
	assert_int_equal(tsa_find_cert(t, now.sha256, &found), 0);
	assert_int_equal(tsa_find_cert(t, "00", &found), -1);
	tsa_free(t);
	/* Reopened: the new pair, and the old certificate from old/. */
	t = open_in(dir, NULL, &err);
	assert_non_null(t);
	assert_string_equal(tsa_cert_sha256(t), now.sha256);
	assert_int_equal(tsa_find_cert(t, was.sha256, &found), 0);
	assert_string_equal(found.serial, was.serial);
	tsa_free(t);
	sae_buf_done(&a);
	sae_buf_done(&b);
	sae_buf_done(&pem);
}

static void
test_tsa__renewal_never_outlives_the_ca(void **state)
{
	struct tsa_cert_info ca, now;
	struct sae_err err;
	struct tsa *t;

	(void)state;
	t = open_in(fresh_dir(), NULL, &err);
	assert_non_null(t);
	tsa_ca_info(t, &ca);
	assert_true(tsa_renew_until(t, 365) == ca.not_after_t);
	assert_true(tsa_renew_until(t, 10) < ca.not_after_t);
	assert_int_equal(tsa_renew(t, 365, NULL, &now, &err), 0);
	assert_true(now.not_after_t == ca.not_after_t);
	assert_string_equal(now.not_after, ca.not_after);
	tsa_free(t);
}

/* What a crash at each step of a renewal leaves, and the next open. */
static void
test_tsa__interrupted_renewal(void **state)
{
	struct sae_buf oldpem = SAE_BUF_INIT, k = SAE_BUF_INIT;
	struct tsa_cert_info now;
	struct sae_err err;
	char old[65], pem[PATH_MAX];
	const char *dir;
	struct tsa *t;

	(void)state;
	dir = fresh_dir();
	t = open_in(dir, NULL, &err);
	assert_non_null(t);
	snprintf(old, sizeof(old), "%s", tsa_cert_sha256(t));
	tsa_free(t);
	/* Before the swap: the new files are dropped, the old pair stays. */
	th_read(path_in(dir, "tsa.key"), &k);
	th_write(path_in(dir, "tsa.key.new"), k.data, k.len);
	th_write(path_in(dir, "tsa.pem.new"), "junk", 4);
	t = open_in(dir, NULL, &err);
	if (t == NULL)
		fail_msg("%s", err.msg);
	assert_string_equal(tsa_cert_sha256(t), old);
	assert_int_equal(sae_fs_exists(path_in(dir, "tsa.key.new")), 0);
	assert_int_equal(sae_fs_exists(path_in(dir, "tsa.pem.new")), 0);
	/* The key swapped, not yet its certificate: it follows the key. */
	th_read(path_in(dir, "tsa.pem"), &oldpem);
	assert_int_equal(tsa_renew(t, 0, NULL, &now, &err), 0);
	tsa_free(t);
	/* path_in's buffer is static: one call per statement. */
	snprintf(pem, sizeof(pem), "%s", path_in(dir, "tsa.pem"));
	assert_int_equal(rename(pem, path_in(dir, "tsa.pem.new")), 0);
	th_write(path_in(dir, "tsa.pem"), oldpem.data, oldpem.len);
	t = open_in(dir, NULL, &err);
	if (t == NULL)
		fail_msg("%s", err.msg);
	assert_string_equal(tsa_cert_sha256(t), now.sha256);
	assert_int_equal(sae_fs_exists(path_in(dir, "tsa.pem.new")), 0);
	tsa_free(t);
	OPENSSL_cleanse(k.data, k.len);
	sae_buf_done(&k);
	sae_buf_done(&oldpem);
}

#define NRENEW		3
#define NSTAMPS		60

struct stamper {
	struct tsa	*t;
	struct sae_buf	 tsr[NSTAMPS];
	unsigned char	 dg[NSTAMPS][32];
	int		 failed;
};

static void *
stamper(void *arg)
{
	struct stamper *w = arg;
	struct sae_err err;
	int i;

	for (i = 0; i < NSTAMPS; i++) {
		sae_buf_init(&w->tsr[i]);
		if (RAND_bytes(w->dg[i], 32) != 1 ||
		    tsa_stamp(w->t, "sha256", w->dg[i], 32, &w->tsr[i],
		    &err) == -1)
			w->failed++;
	}
	return NULL;
}

/* Renewals while threads stamp: every token holds, none is lost. */
static void
test_tsa__renew_while_stamping(void **state)
{
	static struct stamper w[2];
	struct sae_err err;
	pthread_t th[2];
	struct tsa *t;
	int i, j;

	(void)state;
	t = open_in(fresh_dir(), NULL, &err);
	assert_non_null(t);
	for (i = 0; i < 2; i++) {
		w[i].t = t;
		assert_int_equal(pthread_create(&th[i], NULL, stamper, &w[i]),
		    0);
	}
	for (i = 0; i < NRENEW; i++)
		if (tsa_renew(t, 0, NULL, NULL, &err) == -1)
			fail_msg("tsa_renew: %s", err.msg);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	for (i = 0; i < 2; i++) {
		assert_int_equal(w[i].failed, 0);
		for (j = 0; j < NSTAMPS; j++) {
			if (tsa_verify_at(w[i].tsr[j].data, w[i].tsr[j].len,
			    tsa_ca_pem(t), w[i].dg[j], 32, TSA_AT_GENTIME,
			    NULL, &err) == -1)
				fail_msg("token %d/%d: %s", i, j, err.msg);
			sae_buf_done(&w[i].tsr[j]);
		}
	}
	tsa_free(t);
}

#define NTHREADS	4
#define NPERTHREAD	100

struct worker {
	struct sae_buf	 tsr[NPERTHREAD];
	unsigned char	 dg[NPERTHREAD][32];
	int		 failed;
};

static void *
work(void *arg)
{
	struct worker *w = arg;
	struct sae_err err;
	int i;

	for (i = 0; i < NPERTHREAD; i++) {
		sae_buf_init(&w->tsr[i]);
		if (RAND_bytes(w->dg[i], 32) != 1 ||
		    tsa_stamp(shared, "sha256", w->dg[i], 32, &w->tsr[i],
		    &err) == -1)
			w->failed++;
	}
	return NULL;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
test_tsa__threads_stamp_in_parallel(void **state)
{
	static struct worker w[NTHREADS];
	ASN1_INTEGER *serials[NTHREADS * NPERTHREAD];
	struct sae_buf one = SAE_BUF_INIT;
	pthread_t th[NTHREADS];
	struct sae_err err;
	double t0, t1, t2;
	TS_RESP *r;
	int i, j, n = 0;

	(void)state;
	t0 = now_s();
	for (i = 0; i < NPERTHREAD; i++) {
		sae_buf_reset(&one);
		assert_int_equal(tsa_stamp(shared, "sha256", w[0].dg[0], 32,
		    &one, &err), 0);
	}
	t1 = now_s();
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	t2 = now_s();
	printf("# stamps/s: %.0f (1 thread), %.0f (%d threads)\n",
	    NPERTHREAD / (t1 - t0), NTHREADS * NPERTHREAD / (t2 - t1),
	    NTHREADS);
	for (i = 0; i < NTHREADS; i++) {
		assert_int_equal(w[i].failed, 0);
		for (j = 0; j < NPERTHREAD; j++) {
			if (tsa_verify(w[i].tsr[j].data, w[i].tsr[j].len,
			    tsa_ca_pem(shared), w[i].dg[j], 32, NULL,
			    &err) == -1)
				fail_msg("token %d/%d: %s", i, j, err.msg);
			r = parse(&w[i].tsr[j]);
			serials[n++] = ASN1_INTEGER_dup(TS_TST_INFO_get_serial(
			    TS_RESP_get_tst_info(r)));
			TS_RESP_free(r);
			sae_buf_done(&w[i].tsr[j]);
		}
	}
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			assert_int_not_equal(ASN1_INTEGER_cmp(serials[i],
			    serials[j]), 0);
	for (i = 0; i < n; i++)
		ASN1_INTEGER_free(serials[i]);
	sae_buf_done(&one);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tsa__first_open_creates_then_loads),
		cmocka_unit_test(test_tsa__stamp_and_verify_each_md),
		cmocka_unit_test(test_tsa__token_fields),
		cmocka_unit_test(test_tsa__wrong_digest_is_corrupt),
		cmocka_unit_test(test_tsa__flipped_byte_fails),
		cmocka_unit_test(test_tsa__other_ca_fails),
		cmocka_unit_test(test_tsa__refusal_is_not_a_token),
		cmocka_unit_test(test_tsa__bad_md_or_length),
		cmocka_unit_test(test_tsa__key_readable_by_others_refused),
		cmocka_unit_test(test_tsa__key_symlink_refused),
		cmocka_unit_test(test_tsa__cert_key_mismatch_refused),
		cmocka_unit_test(test_tsa__noncritical_eku_refused),
		cmocka_unit_test(test_tsa__incomplete_dir_refused),
		cmocka_unit_test(test_tsa__bad_conf_refused),
		cmocka_unit_test(test_tsa__openssl_command_verifies),
		cmocka_unit_test(test_tsa__verify_at_time),
		cmocka_unit_test(test_tsa__renew),
		cmocka_unit_test(test_tsa__renewal_never_outlives_the_ca),
		cmocka_unit_test(test_tsa__interrupted_renewal),
		cmocka_unit_test(test_tsa__renew_while_stamping),
		cmocka_unit_test(test_tsa__threads_stamp_in_parallel),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
