/*
 * tsa.h: the built-in RFC 3161 time-stamping authority, and checking of
 * time-stamp tokens.  At first start it makes a local CA and a TSA
 * certificate (critical extendedKeyUsage timeStamping, EC P-256) under
 * DATA/tsa/; keys are written 0600 with O_EXCL|O_NOFOLLOW and wiped from
 * memory when freed.  Tokens carry ESSCertIDv2 (SHA-256), a unique random
 * serial, the configured policy OID, accuracy 1 s, and the TSA
 * certificate (certReq).  Before the TSA certificate expires, tsa_renew
 * replaces its key and certificate under the same CA and keeps the old
 * certificate in DATA/tsa/old/.  Thread safe: one struct tsa serves all
 * threads, renewal included.
 */
#ifndef SAE_TSA_H
#define SAE_TSA_H

#include <stddef.h>
#include <time.h>

#include "sae/buf.h"
#include "sae/err.h"

struct tsa;

struct tsa_conf {
	const char	*dir;		/* DATA/tsa: ca.pem, ca.key, tsa.pem, tsa.key, old/ */
	const char	*policy_oid;	/* default "1.3.6.1.4.1.99999.1.1" (documented placeholder) */
	const char	*name;		/* subject CN, e.g. "sae TSA" */
	int		 validity_days;	/* TSA certificate life; default 3650 */
};

/* A certificate of the TSA or its CA, as journaled and shown. */
struct tsa_cert_info {
	char	sha256[65];	/* hex, of the DER */
	char	serial[64];	/* hex */
	char	not_before[32];	/* "YYYY-MM-DDTHH:MM:SSZ" */
	char	not_after[32];
	time_t	not_after_t;
};

/**
 * tsa_open(out, conf, created, err): loads the CA, certificate and key
 * from conf->dir, creating them on first start (*created = 1), and the
 * earlier certificates kept in conf->dir/old/.  Finishes or undoes a
 * renewal a crash interrupted.  Refuses a key file readable by others
 * than its owner, a certificate that does not match the key, or one
 * without critical EKU timeStamping.
 */
int	tsa_open(struct tsa **, const struct tsa_conf *, int *,
	    struct sae_err *);
void	tsa_free(struct tsa *);

/**
 * tsa_stamp(t, md, digest, len, out, err): time-stamps a digest already
 * computed with ${md} ("sha256", "sha384" or "sha512"; ${len} must match)
 * and appends the DER TimeStampResp (.tsr, status granted) to ${out}.
 * Refuses (SAE_EINTERNAL) while the TSA certificate is expired: such a
 * token could not be checked.
 */
int	tsa_stamp(struct tsa *, const char *, const unsigned char *, size_t,
	    struct sae_buf *, struct sae_err *);

/**
 * tsa_verify(tsr, tsrlen, ca_pem, digest, len, gentime, err): checks a DER
 * TimeStampResp offline, now: granted status, signature, signer
 * certificate chain up to the CA certificate(s) in PEM text ${ca_pem}
 * valid at the current time, EKU, and that the imprint equals ${digest}.
 * Fills ${gentime} (may be NULL, 32 bytes) with the token's genTime as
 * "YYYY-MM-DDTHH:MM:SSZ".  SAE_ECORRUPT with the reason when it does not
 * hold.
 */
int	tsa_verify(const void *, size_t, const char *, const unsigned char *,
	    size_t, char *, struct sae_err *);

/* What tsa_verify_at learns of a token that holds. */
struct tsa_token {
	char	gentime[32];	/* "YYYY-MM-DDTHH:MM:SSZ" */
	time_t	gentime_t;	/* fractions of a second dropped */
	char	not_after[32];	/* the first notAfter of its signer's chain: */
	time_t	not_after_t;	/* after it the token no longer checks alone */
};

/* For tsa_verify_at: check the chain now, or at the token's own genTime. */
#define TSA_AT_NOW	((time_t)0)
#define TSA_AT_GENTIME	((time_t)-1)

/**
 * tsa_verify_at(tsr, tsrlen, ca_pem, digest, len, at, tok, err): the
 * checks of tsa_verify, with the signer's certificate chain required to
 * be valid at time ${at} instead of now (X509_VERIFY_PARAM_set_time):
 * TSA_AT_GENTIME proves the token was good when it was made; the genTime
 * of a later token that covers it proves it was still good then (RFC 4998
 * renewal).  Fills ${tok} (may be NULL) when it holds.
 */
int	tsa_verify_at(const void *, size_t, const char *,
	    const unsigned char *, size_t, time_t, struct tsa_token *,
	    struct sae_err *);

/** tsa_ca_pem(t): the CA certificate in PEM (borrowed). */
const char	*tsa_ca_pem(const struct tsa *);
/**
 * tsa_cert_pem(t): the current TSA certificate in PEM (borrowed; stays
 * valid after a renewal, until tsa_free).
 */
const char	*tsa_cert_pem(const struct tsa *);
/** tsa_cert_sha256(t): hex SHA-256 of the current TSA certificate's DER (borrowed, as above). */
const char	*tsa_cert_sha256(const struct tsa *);

/** tsa_cert_info(t, out): the current TSA certificate. */
void	tsa_cert_info(struct tsa *, struct tsa_cert_info *);
/** tsa_ca_info(t, out): the CA certificate. */
void	tsa_ca_info(struct tsa *, struct tsa_cert_info *);
/**
 * tsa_find_cert(t, sha256, out): the TSA certificate, current or earlier
 * (kept in old/), whose DER has SHA-256 ${sha256} (hex).  0 when found,
 * -1 when it is not one of ours.
 */
int	tsa_find_cert(struct tsa *, const char *, struct tsa_cert_info *);

/**
 * tsa_renew_until(t, days): the notAfter a certificate renewed now for
 * ${days} days would get: never later than the CA's own notAfter.
 */
time_t	tsa_renew_until(struct tsa *, int);

/**
 * tsa_renew(t, days, was, now, err): a new TSA key and certificate signed
 * by the same CA, for ${days} days (0: the configured life), never beyond
 * the CA.  The old certificate is kept as DIR/old/tsa-SERIAL.pem (never
 * deleted, so that old tokens stay checkable), the new key is written
 * 0600 and both are renamed into place; a crash at any step leaves the
 * old pair or the new one, never a mix (tsa_open finishes the job).  The
 * old key is dropped once no stamp in flight uses it.  ${was} and ${now}
 * (may be NULL) get the old and new certificates.
 */
int	tsa_renew(struct tsa *, int, struct tsa_cert_info *,
	    struct tsa_cert_info *, struct sae_err *);

/**
 * tsa_read_info(dir, cert, ca, err): the TSA and CA certificates of the
 * TSA in ${dir}, read from their PEM files only (no key): for status.
 */
int	tsa_read_info(const char *, struct tsa_cert_info *,
	    struct tsa_cert_info *, struct sae_err *);

#endif
