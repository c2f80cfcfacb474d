/*
 * buf.h: the one growable byte buffer of the tree.  Always NUL-terminated
 * after its ${len} bytes, so text can be used as a C string.
 */
#ifndef SAE_BUF_H
#define SAE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct sae_buf {
	char	*data;	/* NULL until the first append; then NUL-terminated */
	size_t	 len;
	size_t	 cap;
};

#define SAE_BUF_INIT	{ NULL, 0, 0 }

void	sae_buf_init(struct sae_buf *);
/** sae_buf_done(b): frees the contents; ${b} may be reused after sae_buf_init. */
void	sae_buf_done(struct sae_buf *);
/** sae_buf_reset(b): empties ${b}, keeping its memory. */
void	sae_buf_reset(struct sae_buf *);
/** sae_buf_reserve(b, n): makes room for ${n} more bytes (plus the NUL). */
void	sae_buf_reserve(struct sae_buf *, size_t);
void	sae_buf_add(struct sae_buf *, const void *, size_t);
void	sae_buf_adds(struct sae_buf *, const char *);
void	sae_buf_addc(struct sae_buf *, char);
void	sae_buf_printf(struct sae_buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	sae_buf_vprintf(struct sae_buf *, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));
/** sae_buf_add_hex(b, p, n): appends ${n} bytes as lower-case hex. */
void	sae_buf_add_hex(struct sae_buf *, const unsigned char *, size_t);
/**
 * sae_buf_detach(b): returns the contents (never NULL; caller frees) and
 * leaves ${b} empty.
 */
char	*sae_buf_detach(struct sae_buf *);

/** sae_hex(out, p, n): writes 2n hex digits and a NUL to ${out}. */
void	sae_hex(char *, const unsigned char *, size_t);
/**
 * sae_unhex(out, max, hex): decodes ${hex} into ${out}.  Returns the number
 * of bytes, or -1 if ${hex} is not an even-length hex string of at most
 * 2*max digits.
 */
long	sae_unhex(unsigned char *, size_t, const char *);

#endif
