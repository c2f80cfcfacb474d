/*
 * xmalloc.h: allocation wrappers for small, fixed or already-bounded sizes.
 * They log and abort on failure: crash safety makes an abort harmless, and
 * an untested OOM branch protects nothing.  Sizes that come from input are
 * checked against configured limits before they get here.
 */
#ifndef SAE_XMALLOC_H
#define SAE_XMALLOC_H

#include <stddef.h>

void	*sae_xmalloc(size_t);
void	*sae_xcalloc(size_t, size_t);
void	*sae_xrealloc(void *, size_t);
/** sae_xreallocarray(p, n, size): realloc of n*size, aborting on overflow. */
void	*sae_xreallocarray(void *, size_t, size_t);
/** sae_xstrdup(s): copy of ${s}; NULL gives NULL. */
char	*sae_xstrdup(const char *);
/** sae_xstrndup(s, n): copy of at most ${n} bytes of ${s}, NUL-terminated. */
char	*sae_xstrndup(const char *, size_t);

#endif
