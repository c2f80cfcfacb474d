/*
 * helpers.h: what every unit test needs: a fresh temp directory, the
 * paths of the source tree and of ../shared, whole-file reads.
 */
#ifndef TESTS_HELPERS_H
#define TESTS_HELPERS_H

#include <stddef.h>

#include "sae/buf.h"

/** th_tmpdir(): a new empty directory under $TMPDIR, removed at exit. */
const char	*th_tmpdir(void);
/** th_shared(rel): path of ${rel} under ../shared (SAE_SHARED); static buffer. */
const char	*th_shared(const char *);
/** th_src(rel): path of ${rel} under the source tree (SAE_SRCDIR); static buffer. */
const char	*th_src(const char *);
/** th_read(path, out): appends the file to ${out}; aborts the test run on failure. */
void		 th_read(const char *, struct sae_buf *);
/** th_write(path, p, n): writes a file; aborts on failure. */
void		 th_write(const char *, const void *, size_t);
/**
 * th_unzip_member(zip, member, out): appends one member of a zip file to
 * ${out} (via libarchive); returns 0, or -1 if absent.
 */
int		 th_unzip_member(const char *, const char *, struct sae_buf *);

#endif
