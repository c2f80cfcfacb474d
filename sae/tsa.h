/*
 * tsa.h: the built-in RFC 3161 time-stamping authority, and checking of
 * time-stamp tokens.  At first start it makes a local CA and a TSA
 * certificate (critical extendedKeyUsage timeStamping, EC P-256) under
 * DATA/tsa/; keys are written 0600 with O_EXCL|O_NOFOLLOW and wiped from
 * memory when freed.  Tokens carry ESSCertIDv2 (SHA-256), a unique random
 * serial, the configured policy OID, accuracy 1 s, and the TSA
 * certificate (certReq).  Thread safe: one struct tsa serves all threads.
 */
#ifndef SAE_TSA_H
#define SAE_TSA_H

#include <stddef.h>

#include "sae/buf.h"
#include "sae/err.h"

struct tsa;

struct tsa_conf {
	const char	*dir;		/* DATA/tsa: ca.pem, ca.key, tsa.pem, tsa.key */
	const char	*policy_oid;	/* default "1.3.6.1.4.1.99999.1.1" (documented placeholder) */
	const char	*name;		/* subject CN, e.g. "sae TSA" */
	int		 validity_days;	/* TSA certificate life; default 3650 */
};

/**
 * tsa_open(out, conf, created, err): loads the CA, certificate and key
 * from conf->dir, creating them on first start (*created = 1).  Refuses a
 * key file readable by others than its owner, a certificate that does not
 * match the key, or one without critical EKU timeStamping.
 */
int	tsa_open(struct tsa **, const struct tsa_conf *, int *,
	    struct sae_err *);
void	tsa_free(struct tsa *);

/**
 * tsa_stamp(t, md, digest, len, out, err): time-stamps a digest already
 * computed with ${md} ("sha256", "sha384" or "sha512"; ${len} must match)
 * and appends the DER TimeStampResp (.tsr, status granted) to ${out}.
 */
int	tsa_stamp(struct tsa *, const char *, const unsigned char *, size_t,
	    struct sae_buf *, struct sae_err *);

/**
 * tsa_verify(tsr, tsrlen, ca_pem, digest, len, gentime, err): checks a DER
 * TimeStampResp offline: granted status, signature, signer certificate
 * chain up to the CA certificate(s) in PEM text ${ca_pem}, EKU, and that
 * the imprint equals ${digest}.  Fills ${gentime} (may be NULL, 32 bytes)
 * with the token's genTime as "YYYY-MM-DDTHH:MM:SSZ".  SAE_ECORRUPT with
 * the reason when it does not hold.
 */
int	tsa_verify(const void *, size_t, const char *, const unsigned char *,
	    size_t, char *, struct sae_err *);

/** tsa_ca_pem(t): the CA certificate in PEM (borrowed). */
const char	*tsa_ca_pem(const struct tsa *);
/** tsa_cert_pem(t): the TSA certificate in PEM (borrowed). */
const char	*tsa_cert_pem(const struct tsa *);
/** tsa_cert_sha256(t): hex SHA-256 of the TSA certificate's DER (borrowed). */
const char	*tsa_cert_sha256(const struct tsa *);

#endif
