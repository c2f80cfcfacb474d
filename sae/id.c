/*
 * id.c: time-ordered random identifiers and ISO 8601 time stamps.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <openssl/rand.h>

#include "sae/id.h"

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

void
sae_id_new(char out[SAE_ID_LEN + 1])
{
	unsigned char bytes[16];
	struct timeval tv;
	uint64_t ms;
	int i, bit;

	gettimeofday(&tv, NULL);
	ms = (uint64_t)tv.tv_sec * 1000 + (uint64_t)tv.tv_usec / 1000;
	for (i = 0; i < 6; i++)
		bytes[i] = (unsigned char)(ms >> (8 * (5 - i)));
	if (RAND_bytes(bytes + 6, 10) != 1)
		abort();	/* no entropy: nothing sensible to do */
	/* 128 bits as 26 base32 digits: the first digit carries 3 bits. */
	for (i = 0; i < SAE_ID_LEN; i++) {
		int start = i == 0 ? 0 : 3 + 5 * (i - 1);
		int width = i == 0 ? 3 : 5, v = 0;

		for (bit = start; bit < start + width; bit++)
			v = v << 1 | ((bytes[bit / 8] >> (7 - bit % 8)) & 1);
		out[i] = alphabet[v];
	}
	out[SAE_ID_LEN] = '\0';
}

int
sae_id_valid(const char *s)
{
	size_t i;

	if (s == NULL || strlen(s) != SAE_ID_LEN)
		return 0;
	for (i = 0; i < SAE_ID_LEN; i++)
		if (strchr(alphabet, s[i]) == NULL || s[i] == '\0')
			return 0;
	return 1;
}

void
sae_time_iso(char out[32], long long t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void
sae_time_now_iso(char out[32])
{
	sae_time_iso(out, (long long)time(NULL));
}
