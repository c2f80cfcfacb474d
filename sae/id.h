/*
 * id.h: identifiers the archive gives to what it holds (transfers, units,
 * objects, tokens): 26 characters of Crockford base32, time-ordered (48
 * bits of milliseconds, then 80 random bits from OpenSSL), like a ULID.
 */
#ifndef SAE_ID_H
#define SAE_ID_H

#define SAE_ID_LEN	26

/** sae_id_new(out): writes a new identifier and a NUL into ${out}. */
void	sae_id_new(char out[SAE_ID_LEN + 1]);

/** sae_id_valid(s): 1 if ${s} has the shape of an identifier. */
int	sae_id_valid(const char *);

/** sae_time_iso(out, t): UTC "YYYY-MM-DDTHH:MM:SSZ" of ${t} (time_t). */
void	sae_time_iso(char out[32], long long);

/** sae_time_now_iso(out): sae_time_iso of now. */
void	sae_time_now_iso(char out[32]);

#endif
