/*
 * digest.c: several OpenSSL EVP digests fed in one pass, the names
 * producers give them, and the hex or base64 values they declare.
 * Touches only memory; OpenSSL contexts never leave this file.
 */
#include "config.h"

#include <assert.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "sae/buf.h"
#include "storage/digest.h"

static const struct {
	const char	*name;		/* canonical SEDA spelling */
	const char	*bare;		/* the same, no hyphen */
	size_t		 len;
	const EVP_MD	*(*md)(void);
} algs[DIGEST_NALGS] = {
	[DIGEST_SHA256] =	{ "SHA-256", "SHA256", 32, EVP_sha256 },
	[DIGEST_SHA512] =	{ "SHA-512", "SHA512", 64, EVP_sha512 },
	[DIGEST_SHA384] =	{ "SHA-384", "SHA384", 48, EVP_sha384 },
	[DIGEST_SHA1] =		{ "SHA-1", "SHA1", 20, EVP_sha1 },
	[DIGEST_MD5] =		{ "MD5", "MD5", 16, EVP_md5 },
};

struct digest_set {
	unsigned	 mask;
	EVP_MD_CTX	*ctx[DIGEST_NALGS];
};

int
digest_alg_parse(const char *name)
{
	int i;

	if (name == NULL)
		return -1;
	for (i = 0; i < DIGEST_NALGS; i++)
		if (strcasecmp(name, algs[i].name) == 0 ||
		    strcasecmp(name, algs[i].bare) == 0)
			return i;
	return -1;
}

const char *
digest_alg_name(enum digest_alg alg)
{
	if ((unsigned)alg >= DIGEST_NALGS)
		return "unknown";
	return algs[alg].name;
}

size_t
digest_alg_len(enum digest_alg alg)
{
	if ((unsigned)alg >= DIGEST_NALGS)
		return 0;
	return algs[alg].len;
}

/* Base64 text length of n bytes, padding included. */
static size_t
b64_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

static int
decode_b64(const char *s, size_t len, size_t want, unsigned char *out)
{
	unsigned char tmp[DIGEST_MAX_LEN + 3];
	size_t pad = 0;
	int n;

	if (len > b64_len(DIGEST_MAX_LEN) || len % 4 != 0)
		return -1;
	while (pad < 2 && pad < len && s[len - 1 - pad] == '=')
		pad++;
	n = EVP_DecodeBlock(tmp, (const unsigned char *)s, (int)len);
	/*
	 * EVP_DecodeBlock counts padding as zero bytes: the real length is
	 * what remains, and it must be the digest length exactly, so that a
	 * value with missing or extra padding is refused.
	 */
	if (n < 0 || (size_t)n < pad || (size_t)n - pad != want)
		return -1;
	memcpy(out, tmp, want);
	return 0;
}

int
digest_decode(enum digest_alg alg, const char *text, unsigned char *out,
    struct sae_err *err)
{
	char hex[2 * DIGEST_MAX_LEN + 1];
	const char *name = digest_alg_name(alg);
	size_t want = digest_alg_len(alg), len;

	if (want == 0)
		return sae_err_set(err, SAE_EINVAL, "algorithme d'empreinte inconnu");
	while (isspace((unsigned char)*text))
		text++;
	len = strlen(text);
	while (len > 0 && isspace((unsigned char)text[len - 1]))
		len--;
	if (len == 2 * want) {
		memcpy(hex, text, len);
		hex[len] = '\0';
		if (sae_unhex(out, want, hex) != (long)want)
			return sae_err_set(err, SAE_EINVAL,
			    "la valeur %s '%s' n'est pas de l'hexadécimal valide",
			    name,
			    hex);
		return 0;
	}
	if (len == b64_len(want)) {
		if (decode_b64(text, len, want, out) == -1)
			return sae_err_set(err, SAE_EINVAL,
			    "la valeur %s '%.*s' n'est pas du base64 valide",
			    name,
			    (int)len, text);
		return 0;
	}
	return sae_err_set(err, SAE_EINVAL,
	    "la valeur %s a %zu caractères, au lieu de %zu en hexadécimal "
	    "ou %zu en base64",
	    name, len, 2 * want, b64_len(want));
}

struct digest_set *
digest_set_new(unsigned mask)
{
	struct digest_set *ds;
	int i;

	/*
	 * Allocation failures abort, as sae_xmalloc does: nothing here
	 * depends on input, and a crash is safe by design.
	 */
	if ((ds = calloc(1, sizeof(*ds))) == NULL)
		abort();
	ds->mask = mask & ((1u << DIGEST_NALGS) - 1);
	for (i = 0; i < DIGEST_NALGS; i++) {
		if ((ds->mask & DIGEST_MASK(i)) == 0)
			continue;
		if ((ds->ctx[i] = EVP_MD_CTX_new()) == NULL ||
		    EVP_DigestInit_ex(ds->ctx[i], algs[i].md(), NULL) != 1)
			abort();
	}
	return ds;
}

void
digest_set_update(struct digest_set *ds, const void *p, size_t n)
{
	int i;

	if (n == 0)
		return;
	for (i = 0; i < DIGEST_NALGS; i++)
		if (ds->ctx[i] != NULL &&
		    EVP_DigestUpdate(ds->ctx[i], p, n) != 1)
			abort();
}

void
digest_set_final(struct digest_set *ds, struct digest_result *out)
{
	unsigned int len;
	int i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < DIGEST_NALGS; i++) {
		if (ds->ctx[i] == NULL)
			continue;
		if (EVP_DigestFinal_ex(ds->ctx[i], out->value[i], &len) != 1 ||
		    len != algs[i].len)
			abort();
		out->mask |= DIGEST_MASK(i);
	}
}

void
digest_set_free(struct digest_set *ds)
{
	int i;

	if (ds == NULL)
		return;
	for (i = 0; i < DIGEST_NALGS; i++)
		EVP_MD_CTX_free(ds->ctx[i]);
	free(ds);
}

struct digest_set *
digest_set_split(struct digest_set *ds, unsigned mask)
{
	struct digest_set *out;
	int i;

	if ((out = calloc(1, sizeof(*out))) == NULL)
		abort();
	for (i = 0; i < DIGEST_NALGS; i++) {
		if ((mask & ds->mask & DIGEST_MASK(i)) == 0)
			continue;
		out->ctx[i] = ds->ctx[i];
		ds->ctx[i] = NULL;
		out->mask |= DIGEST_MASK(i);
		ds->mask &= ~DIGEST_MASK(i);
	}
	return out;
}

void
digest_set_merge(struct digest_set *ds, struct digest_set *from)
{
	int i;

	if (from == NULL)
		return;
	for (i = 0; i < DIGEST_NALGS; i++) {
		if (from->ctx[i] == NULL)
			continue;
		assert(ds->ctx[i] == NULL);
		ds->ctx[i] = from->ctx[i];
		ds->mask |= DIGEST_MASK(i);
	}
	free(from);
}

void
digest_buf(enum digest_alg alg, const void *p, size_t n, unsigned char *out)
{
	unsigned int len;

	assert((unsigned)alg < DIGEST_NALGS);
	if (EVP_Digest(p, n, out, &len, algs[alg].md(), NULL) != 1 ||
	    len != algs[alg].len)
		abort();
}
