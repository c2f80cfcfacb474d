/*
 * fsutil.h: the file-system steps that make writes crash safe (temp file,
 * fsync, rename, fsync of the directory), mkdir -p, bounded whole-file
 * reads.  Paths given here are the daemon's own, never names taken from a
 * package.
 */
#ifndef SAE_FSUTIL_H
#define SAE_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

#include "sae/buf.h"
#include "sae/err.h"

/** sae_fs_mkdirp(path, mode, err): creates ${path} and its parents. */
int	sae_fs_mkdirp(const char *, mode_t, struct sae_err *);

/** sae_fs_fsync_dir(path, err): makes the entries of directory ${path} durable. */
int	sae_fs_fsync_dir(const char *, struct sae_err *);

/**
 * sae_fs_write_atomic(path, data, len, mode, err): replaces ${path} with
 * ${data} so that a crash leaves either the old or the new content: write
 * to a temp file beside it, fsync, rename, fsync the directory.
 */
int	sae_fs_write_atomic(const char *, const void *, size_t, mode_t,
	    struct sae_err *);

/**
 * sae_fs_create_secret(path, data, len, err): creates ${path} (which must
 * not exist) with mode 0600, O_EXCL|O_NOFOLLOW, and fsyncs it and its
 * directory.  For keys.
 */
int	sae_fs_create_secret(const char *, const void *, size_t,
	    struct sae_err *);

/**
 * sae_fs_read(path, out, max, err): appends the whole file to ${out}.
 * Fails with SAE_ELIMIT if it is larger than ${max} bytes, SAE_ENOTFOUND if
 * it does not exist.
 */
int	sae_fs_read(const char *, struct sae_buf *, size_t, struct sae_err *);

/** sae_fs_write_all(fd, p, n): write(2) until done; -1 with errno on failure. */
int	sae_fs_write_all(int, const void *, size_t);

/** sae_fs_exists(path): 1 if ${path} exists, 0 if not. */
int	sae_fs_exists(const char *);

/** sae_path(out, size, fmt, ...): formats a path; -1 if it does not fit. */
int	sae_path(char *, size_t, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

#endif
